/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <sodium.h>

#include "crypto.h"

_Static_assert(CRYPTO_PUB_LEN == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key size");
_Static_assert(CRYPTO_SECRET_LEN == crypto_sign_SECRETKEYBYTES, "Ed25519 secret key size");
_Static_assert(CRYPTO_SIG_LEN == crypto_sign_BYTES, "Ed25519 signature size");

int cr_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

void cr_hash(uint8_t out[CRYPTO_HASH_LEN], const void *data, size_t len)
{
	crypto_generichash(out, CRYPTO_HASH_LEN, data, len, NULL, 0);
}

void cr_hash_hex(const void *data, size_t len, char out[65])
{
	uint8_t h[CRYPTO_HASH_LEN];

	cr_hash(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void cr_chain(uint8_t out[CRYPTO_HASH_LEN], const uint8_t prev[CRYPTO_HASH_LEN],
		  const void *data, size_t len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, CRYPTO_HASH_LEN);
	crypto_generichash_update(&st, prev, CRYPTO_HASH_LEN);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, out, CRYPTO_HASH_LEN);
}

void cr_keypair(uint8_t pub[CRYPTO_PUB_LEN], uint8_t secret[CRYPTO_SECRET_LEN])
{
	crypto_sign_keypair(pub, secret);
}

void cr_sign(uint8_t sig[CRYPTO_SIG_LEN], const void *msg, size_t len,
		 const uint8_t secret[CRYPTO_SECRET_LEN])
{
	crypto_sign_detached(sig, NULL, msg, len, secret);
}

int cr_verify(const uint8_t sig[CRYPTO_SIG_LEN], const void *msg, size_t len,
		  const uint8_t pub[CRYPTO_PUB_LEN])
{
	return crypto_sign_verify_detached(sig, msg, len, pub) == 0 ? 0 : -EBADMSG;
}

void cr_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

void cr_to_hex(char *out, const uint8_t *in, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

int cr_from_hex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
	size_t got = 0;
	const char *end = NULL;

	if (hexlen != 2 * n)
		return -EINVAL;
	if (sodium_hex2bin(out, n, hex, hexlen, NULL, &got, &end) != 0 || got != n ||
	    end != hex + hexlen)
		return -EINVAL;
	return 0;
}

_Static_assert(sizeof(crypto_secretstream_xchacha20poly1305_state) <= sizeof(struct cr_stream),
	       "secretstream state does not fit");
_Static_assert(CRYPTO_SEALED_KEY_LEN == crypto_secretstream_xchacha20poly1305_KEYBYTES +
					 crypto_box_SEALBYTES, "sealed key size");
_Static_assert(CRYPTO_STREAM_HEADER_LEN == crypto_secretstream_xchacha20poly1305_HEADERBYTES,
	       "stream header size");
_Static_assert(CRYPTO_STREAM_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES,
	       "stream overhead");

void cr_box_public(uint8_t pub[CRYPTO_BOX_PUB_LEN], const uint8_t secret[CRYPTO_BOX_SECRET_LEN])
{
	crypto_scalarmult_base(pub, secret);
}

void cr_box_keypair(uint8_t pub[CRYPTO_BOX_PUB_LEN], uint8_t secret[CRYPTO_BOX_SECRET_LEN])
{
	crypto_box_keypair(pub, secret);
}

int cr_stream_push_init(struct cr_stream *st, uint8_t sealed_key[CRYPTO_SEALED_KEY_LEN],
			uint8_t header[CRYPTO_STREAM_HEADER_LEN],
			const uint8_t recipient[CRYPTO_BOX_PUB_LEN])
{
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	int r = 0;

	crypto_secretstream_xchacha20poly1305_keygen(key);
	if (crypto_box_seal(sealed_key, key, sizeof(key), recipient) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_push(
		    (crypto_secretstream_xchacha20poly1305_state *)st->opaque, header, key) != 0)
		r = -EINVAL;
	sodium_memzero(key, sizeof(key));
	return r;
}

int cr_stream_push(struct cr_stream *st, uint8_t *out, const uint8_t *in, size_t len)
{
	return crypto_secretstream_xchacha20poly1305_push(
		       (crypto_secretstream_xchacha20poly1305_state *)st->opaque, out, NULL, in,
		       len, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) == 0
		       ? 0
		       : -EINVAL;
}

int cr_stream_pull_init(struct cr_stream *st, const uint8_t sealed_key[CRYPTO_SEALED_KEY_LEN],
			const uint8_t header[CRYPTO_STREAM_HEADER_LEN],
			const uint8_t pub[CRYPTO_BOX_PUB_LEN],
			const uint8_t secret[CRYPTO_BOX_SECRET_LEN])
{
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	int r = 0;

	if (crypto_box_seal_open(key, sealed_key, CRYPTO_SEALED_KEY_LEN, pub, secret) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_pull(
		    (crypto_secretstream_xchacha20poly1305_state *)st->opaque, header, key) != 0)
		r = -EBADMSG;
	sodium_memzero(key, sizeof(key));
	return r;
}

int cr_stream_pull(struct cr_stream *st, uint8_t *out, const uint8_t *in, size_t len)
{
	unsigned char tag;

	if (len < CRYPTO_STREAM_ABYTES)
		return -EBADMSG;
	return crypto_secretstream_xchacha20poly1305_pull(
		       (crypto_secretstream_xchacha20poly1305_state *)st->opaque, out, NULL, &tag,
		       in, len, NULL, 0) == 0
		       ? 0
		       : -EBADMSG;
}
