/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "keys.h"

#define STATE_MAGIC "caudit-key-state 1\n"
#define STATE_MAX 1024

/* Set the caller's err and evaluate to r (a macro so formats stay checked). */
#define errf(err, errlen, r, fmt, ...) ({ snprintf((err), (errlen), fmt, __VA_ARGS__); (r); })

/* Open a secret file, refusing loose permissions or a foreign owner. */
static int open_secret(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4200];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errf(err, errlen, -EINVAL, "%s: %s", path, "not a regular file");
	}
	if (st.st_mode & 077) {
		char mode[64];

		snprintf(mode, sizeof(mode), "mode %04o: group or others may access it, chmod 600",
			 st.st_mode & 07777);
		close(fd);
		return errf(err, errlen, -EPERM, "%s: %s", path, mode);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return errf(err, errlen, -EPERM, "%s: %s", path, "owned by another user");
	}
	return fd;
}

static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write dir/name atomically with mode; the old file's bytes are zeroed first. */
static int replace_file(const char *dir, const char *name, const char *data, size_t len,
			mode_t mode, char *err, size_t errlen)
{
	char path[4200], tmp[4250];
	int fd, dfd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return errf(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	r = fchmod(fd, mode) < 0 ? -errno : write_all(fd, data, len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r) {
		unlink(tmp);
		return errf(err, errlen, r, "%s: %s", tmp, strerror(-r));
	}
	/* overwrite the secret being replaced before the new file takes its name */
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    st.st_size < 65536) {
			char zero[65536] = {};

			if (write_all(fd, zero, (size_t)st.st_size) == 0)
				fsync(fd);
		}
		close(fd);
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return errf(err, errlen, r, "%s: %s", path, strerror(-r));
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int save_state(const char *dir, const struct key_state *ks, char *err, size_t errlen)
{
	char root[65], pub[65], sig[129], sec[129], buf[STATE_MAX];
	int n, r;

	cr_to_hex(root, ks->root, sizeof(ks->root));
	cr_to_hex(pub, ks->cert.pub, sizeof(ks->cert.pub));
	cr_to_hex(sig, ks->cert.sig, sizeof(ks->cert.sig));
	cr_to_hex(sec, ks->secret, sizeof(ks->secret));
	n = snprintf(buf, sizeof(buf),
		     STATE_MAGIC "root %s\nepoch %" PRIu64 "\npub %s\nnot_before %" PRIu64
				 "\nstart_seq %" PRIu64 "\ncert_sig %s\nsecret %s\n",
		     root, ks->cert.epoch, pub, ks->cert.not_before, ks->cert.start_seq, sig, sec);
	r = replace_file(dir, KEYS_STATE, buf, (size_t)n, 0600, err, errlen);
	cr_wipe(sec, sizeof(sec));
	cr_wipe(buf, sizeof(buf));
	return r;
}

/* "name value\n" at *p: value into val (NUL-terminated), advances *p. */
static int take_field(char **p, const char *name, char *val, size_t vlen)
{
	size_t nl = strlen(name);
	char *e;

	if (strncmp(*p, name, nl) || (*p)[nl] != ' ')
		return -EINVAL;
	*p += nl + 1;
	e = strchr(*p, '\n');
	if (!e || (size_t)(e - *p) >= vlen)
		return -EINVAL;
	memcpy(val, *p, (size_t)(e - *p));
	val[e - *p] = 0;
	*p = e + 1;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

int keys_load(const char *dir, struct key_state *ks, char *err, size_t errlen)
{
	char buf[STATE_MAX + 1], val[160], *p = buf;
	ssize_t n;
	int fd, r = -EINVAL;

	fd = open_secret(dir, KEYS_STATE, err, errlen);
	if (fd < 0)
		return fd;
	n = read_all(fd, buf, STATE_MAX);
	close(fd);
	if (n < 0)
		return errf(err, errlen, (int)n, "%s/state: %s", dir, strerror((int)-n));
	buf[n] = 0;
	memset(ks, 0, sizeof(*ks));
	if (strncmp(p, STATE_MAGIC, strlen(STATE_MAGIC)))
		goto bad;
	p += strlen(STATE_MAGIC);
	if (take_field(&p, "root", val, sizeof(val)) ||
	    cr_from_hex(ks->root, sizeof(ks->root), val, strlen(val)) ||
	    take_field(&p, "epoch", val, sizeof(val)) || parse_u64(val, &ks->cert.epoch) ||
	    take_field(&p, "pub", val, sizeof(val)) ||
	    cr_from_hex(ks->cert.pub, sizeof(ks->cert.pub), val, strlen(val)) ||
	    take_field(&p, "not_before", val, sizeof(val)) ||
	    parse_u64(val, &ks->cert.not_before) || take_field(&p, "start_seq", val, sizeof(val)) ||
	    parse_u64(val, &ks->cert.start_seq) || take_field(&p, "cert_sig", val, sizeof(val)) ||
	    cr_from_hex(ks->cert.sig, sizeof(ks->cert.sig), val, strlen(val)) ||
	    take_field(&p, "secret", val, sizeof(val)) ||
	    cr_from_hex(ks->secret, sizeof(ks->secret), val, strlen(val)) || *p)
		goto bad;
	r = 0;
	goto out;
bad:
	keys_wipe(ks);
	errf(err, errlen, r, "%s/state: %s", dir, "malformed key state");
out:
	cr_wipe(buf, sizeof(buf));
	cr_wipe(val, sizeof(val));
	return r;
}

static int write_new_file(const char *dir, const char *name, const char *data, mode_t mode,
			  char *err, size_t errlen)
{
	char path[4200];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	r = fchmod(fd, mode) < 0 ? -errno : write_all(fd, data, strlen(data));
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r ? errf(err, errlen, r, "%s: %s", path, strerror(-r)) : 0;
}

int keys_read_root_pub(const char *path, uint8_t root[CRYPTO_PUB_LEN], char *err, size_t errlen)
{
	char buf[130];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return errf(err, errlen, (int)n, "%s: %s", path, strerror((int)-n));
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (cr_from_hex(root, CRYPTO_PUB_LEN, buf, (size_t)n))
		return errf(err, errlen, -EINVAL, "%s: %s", path,
			    "not a root public key (64 hex characters)");
	return 0;
}

static int certify(const char *dir, struct key_state *ks, uint64_t epoch, uint64_t now_ns,
		   uint64_t start_seq, const uint8_t signer[CRYPTO_SECRET_LEN], char *err,
		   size_t errlen)
{
	struct key_state next = *ks;
	int r;

	next.cert.epoch = epoch;
	next.cert.not_before = now_ns;
	next.cert.start_seq = start_seq;
	cr_keypair(next.cert.pub, next.secret);
	store_cert_sign(&next.cert, next.root, signer);
	r = save_state(dir, &next, err, errlen);
	if (!r) {
		keys_wipe(ks);
		*ks = next;
	}
	cr_wipe(&next, sizeof(next));
	return r;
}

int keys_generate(const char *dir, uint64_t now_ns, char *err, size_t errlen)
{
	uint8_t root_secret[CRYPTO_SECRET_LEN];
	char hex[129], line[140];
	struct key_state ks = {};
	int r;

	r = fs_mkdir_p(dir, 0700);
	if (r)
		return errf(err, errlen, r, "%s: %s", dir, strerror(-r));
	cr_keypair(ks.root, root_secret);
	cr_to_hex(hex, ks.root, sizeof(ks.root));
	snprintf(line, sizeof(line), "%s\n", hex);
	r = write_new_file(dir, KEYS_ROOT_PUB, line, 0644, err, errlen);
	if (!r) {
		cr_to_hex(hex, root_secret, sizeof(root_secret));
		snprintf(line, sizeof(line), "%s\n", hex);
		r = write_new_file(dir, KEYS_ROOT_KEY, line, 0600, err, errlen);
	}
	if (!r)
		r = certify(dir, &ks, 0, now_ns, 0, root_secret, err, errlen);
	cr_wipe(root_secret, sizeof(root_secret));
	cr_wipe(hex, sizeof(hex));
	cr_wipe(line, sizeof(line));
	keys_wipe(&ks);
	return r;
}

int keys_certify_from_root(const char *dir, uint64_t epoch, uint64_t now_ns, struct key_state *ks,
			   char *err, size_t errlen)
{
	uint8_t root_secret[CRYPTO_SECRET_LEN], derived[CRYPTO_PUB_LEN];
	char buf[200], path[4200];
	ssize_t n;
	int fd, r;

	fd = open_secret(dir, KEYS_ROOT_KEY, err, errlen);
	if (fd < 0)
		return fd;
	n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	snprintf(path, sizeof(path), "%s/%s", dir, KEYS_ROOT_PUB);
	memset(ks, 0, sizeof(*ks));
	r = n < 0 ? -EINVAL : cr_from_hex(root_secret, sizeof(root_secret), buf, (size_t)n);
	cr_wipe(buf, sizeof(buf));
	if (!r)
		r = keys_read_root_pub(path, ks->root, err, errlen);
	/* an Ed25519 secret key ends with its public key: they must belong together */
	memcpy(derived, root_secret + 32, sizeof(derived));
	if (!r && memcmp(derived, ks->root, sizeof(derived)))
		r = errf(err, errlen, -EINVAL, "%s: %s", path, "does not match root.key");
	else if (r == -EINVAL && !err[0])
		errf(err, errlen, r, "%s/%s", dir, "root.key is malformed");
	if (!r)
		r = certify(dir, ks, epoch, now_ns, 0, root_secret, err, errlen);
	cr_wipe(root_secret, sizeof(root_secret));
	return r;
}

int keys_advance(const char *dir, struct key_state *ks, uint64_t now_ns, uint64_t start_seq,
		 char *err, size_t errlen)
{
	uint8_t old[CRYPTO_SECRET_LEN];
	int r;

	memcpy(old, ks->secret, sizeof(old));
	r = certify(dir, ks, ks->cert.epoch + 1, now_ns, start_seq, old, err, errlen);
	cr_wipe(old, sizeof(old));
	return r;
}

void keys_wipe(struct key_state *ks)
{
	cr_wipe(ks->secret, sizeof(ks->secret));
}

int keys_generate_encryption(const char *dir, char *err, size_t errlen)
{
	uint8_t pub[CRYPTO_BOX_PUB_LEN], sec[CRYPTO_BOX_SECRET_LEN];
	char hex[65], line[70];
	int r;

	r = fs_mkdir_p(dir, 0700);
	if (r)
		return errf(err, errlen, r, "%s: %s", dir, strerror(-r));
	cr_box_keypair(pub, sec);
	cr_to_hex(hex, pub, sizeof(pub));
	snprintf(line, sizeof(line), "%s\n", hex);
	r = write_new_file(dir, KEYS_ENC_PUB, line, 0644, err, errlen);
	if (!r) {
		cr_to_hex(hex, sec, sizeof(sec));
		snprintf(line, sizeof(line), "%s\n", hex);
		r = write_new_file(dir, KEYS_ENC_KEY, line, 0600, err, errlen);
	}
	cr_wipe(sec, sizeof(sec));
	cr_wipe(hex, sizeof(hex));
	cr_wipe(line, sizeof(line));
	return r;
}

int keys_read_enc_secret(const char *path, uint8_t secret[CRYPTO_BOX_SECRET_LEN],
			 uint8_t pub[CRYPTO_BOX_PUB_LEN], char *err, size_t errlen)
{
	char dir[4200], buf[130];
	const char *slash = strrchr(path, '/');
	ssize_t n;
	int fd, r;

	/* open_secret takes dir and name: split the path */
	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (!dir[0])
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	fd = open_secret(dir, slash ? slash + 1 : path, err, errlen);
	if (fd < 0)
		return fd;
	n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	r = n < 0 ? -EIO : cr_from_hex(secret, CRYPTO_BOX_SECRET_LEN, buf, (size_t)n);
	cr_wipe(buf, sizeof(buf));
	if (r)
		return errf(err, errlen, -EINVAL, "%s: %s", path,
			    "not an X25519 secret key (64 hex characters)");
	cr_box_public(pub, secret);
	return 0;
}
