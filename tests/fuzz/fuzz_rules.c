/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for the rule language: arbitrary bytes as a rules file.
 * Whatever the input, the parser must stay within its documented limits,
 * every diagnostic must be printable ASCII naming the file, and the
 * compiled table must be self-consistent (a canonical form and a 64-hex hash,
 * rules within bounds, string offsets inside the pool).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

static int fuzz_user(const char *name, uint32_t *id, void *ctx)
{
	if (!strcmp(name, "root"))
		*id = 0;
	else if (!strcmp(name, "eio"))
		return -EIO;
	else
		return -ENOENT;
	return 0;
}

static int fuzz_is_dir(const char *path, void *ctx)
{
	return path[1] == 'd';
}

static void check_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rules_env env = {fuzz_user, fuzz_user, fuzz_is_dir, NULL};
	struct rules_policy *p = rules_new(&env);
	struct rules_summary s;
	unsigned errors, total = 0;
	size_t len;
	const char *canon, *hash;

	if (!p)
		abort();
	errors = (unsigned)rules_parse(p, "fuzz.rules", (const char *)data, size);
	if ((unsigned)rules_compile(p) != errors)
		abort();
	for (unsigned i = 0; i < rules_diag_count(p); i++) {
		const struct rules_diag *d = rules_diag_at(p, i);
		char line[600];

		rules_diag_format(d, line, sizeof(line));
		if (strncmp(line, "fuzz.rules:", 11))
			abort();
		check_printable(line);
	}
	if (rules_count(p) > RULES_MAX_RULES)
		abort();
	for (unsigned i = 0; i < rules_count(p); i++) {
		const struct rules_rule *r = rules_at(p, i);

		if (r->list >= RULES_LIST_COUNT || r->npred > RULES_MAX_FIELDS ||
		    r->nkeys > RULES_MAX_KEYS || !r->abis || r->abis > 3)
			abort();
		for (unsigned k = 0; k < r->nkeys; k++) {
			const char *key = rules_str(p, r->keys[k]);

			if (!*key || strlen(key) > RULES_MAX_KEY_LEN)
				abort();
			total += 1;
		}
		for (unsigned k = 0; k < r->npred; k++)
			if (r->pred[k].kind == RULES_V_STR &&
			    strlen(rules_str(p, r->pred[k].str)) >= RULES_MAX_VALUE)
				abort();
	}
	canon = rules_canonical(p, &len);
	hash = rules_hash_hex(p);
	if (!canon || strlen(canon) != len || !hash || strlen(hash) != 64)
		abort();
	rules_get_summary(p, &s);
	if (s.errors != errors || s.keys > total || s.watches > rules_count(p))
		abort();
	rules_free(p);
	return 0;
}
