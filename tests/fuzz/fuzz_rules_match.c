/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for the policy evaluator: arbitrary rule text, compiled,
 * evaluated on facts drawn from the input (every state of every fact,
 * values from small sets so that rules do match) and on facts read from the
 * rest of the input as a raw record. No crash, no undefined behaviour, and a
 * selected rule is always an always rule of the exit list that applies to
 * the ABI.
 *
 * Input: [mode][2 bytes: length L][L bytes of rules][fact bytes / raw record]. Mode
 * < 128: the L bytes are rule text; else each byte picks a word of the rule
 * language, so that the short fuzz runs of `make test` reach real policies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event_decode.h"
#include "rules.h"
#include "rules_match.h"

static int fuzz_user(const char *name, uint32_t *id, void *ctx)
{
	if (!strcmp(name, "root"))
		*id = 0;
	else
		return -ENOENT;
	return 0;
}

static int fuzz_is_dir(const char *path, void *ctx)
{
	return path[1] == 'd';
}

/* Input bytes, then zeros. */
struct src {
	const uint8_t *p;
	size_t n, i;
};

static unsigned byte(struct src *s)
{
	return s->i < s->n ? s->p[s->i++] : 0;
}

static uint32_t u32(struct src *s)
{
	static const uint32_t common[] = {0, 1, 2, 10, 22, 100, 1000, 4294967295u};
	unsigned sel = byte(s);

	if (sel < 128)
		return common[sel % 8];
	return byte(s) | byte(s) << 8 | byte(s) << 16 | (uint32_t)byte(s) << 24;
}

static const char *str(struct src *s)
{
	static const char *const t[] = {
	    "/etc/passwd", "/etc",	    "/",     "/etc/ssh/sshd_config",
	    "/tmp/x",	   "/usr/bin/sudo", "/etcx", NULL};

	return t[byte(s) % 8];
}

static int state(struct src *s)
{
	return (int)(byte(s) % 3);
}

static void addr(struct src *s, uint8_t *family, uint8_t a[16])
{
	unsigned b = byte(s);

	*family = b & 1 ? AF_INET6 : AF_INET;
	memset(a, 0, 16);
	if (b & 2) {
		a[10] = a[11] = 0xff; /* v4-mapped */
		a[12] = 10;
	} else {
		a[0] = (uint8_t)byte(s);
		a[1] = (uint8_t)byte(s);
	}
}

static void facts(struct src *s, struct rules_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->abi = byte(s) % 3; /* 2: out of range */
	f->nr = (byte(s) | byte(s) << 8) % (CA_SYSCALL_MAX + 8);
	f->pid = u32(s), f->ppid = u32(s), f->uid = u32(s), f->euid = u32(s);
	f->suid = u32(s), f->fsuid = u32(s), f->gid = u32(s), f->egid = u32(s);
	f->sgid = u32(s), f->fsgid = u32(s), f->auid = u32(s), f->sessionid = u32(s);
	f->have_pers = state(s), f->pers = u32(s);
	f->have_result = state(s);
	f->exit = (int64_t)(int32_t)u32(s);
	f->have_args = state(s);
	for (int i = 0; i < 4; i++)
		f->a[i] = u32(s) | (uint64_t)u32(s) << 32;
	for (int i = 0; i < 2; i++) {
		f->have_path[i] = state(s);
		f->path[i] = str(s);
	}
	f->exe = str(s);
	f->have_obj = state(s);
	f->obj_uid = u32(s), f->obj_gid = u32(s), f->mode = u32(s);
	f->inode = u32(s) | (uint64_t)u32(s) << 32;
	f->devmajor = u32(s), f->devminor = u32(s);
	f->saddr_fam = (int)(byte(s) % 20) - 2;
	f->have_laddr = state(s), f->have_raddr = state(s);
	addr(s, &f->lfamily, f->laddr);
	addr(s, &f->rfamily, f->raddr);
	f->lport = (int)(u32(s) % 65538) - 2;
	f->rport = (int)(u32(s) % 65538) - 2;
	f->have_origin = state(s);
	addr(s, &f->ofamily, f->oaddr);
	f->have_open_flags = state(s);
	f->open_flags = u32(s);
}

static const char *const words[] = {
    "\n-a always,exit",
    "\n-a never,exit",
    "\n-A always,exit",
    "\n-a never,task",
    "\n-a always,task",
    "\n-w /etc/passwd",
    "\n-w /etc/",
    " -p wa",
    " -p r",
    " -p x",
    " -F arch=b64",
    " -F arch=b32",
    " -S openat",
    " -S open",
    " -S all",
    " -S execve,chmod",
    " -S connect",
    " -S 2",
    " -F uid=1000",
    " -F auid>=1000",
    " -F auid!=unset",
    " -F euid=0",
    " -C uid!=euid",
    " -C auid=obj_uid",
    " -F success=0",
    " -F exit=-EACCES",
    " -F exit<0",
    " -F a0&1",
    " -F a1&=0101",
    " -F path=/etc/passwd",
    " -F dir=/etc",
    " -F dir=/",
    " -F perm=w",
    " -F perm=rx",
    " -F exe=/usr/bin/sudo",
    " -F exe!=/tmp/x",
    " -F filetype=file",
    " -F filetype!=dir",
    " -F obj_uid=0",
    " -F obj_gid>10",
    " -F inode=10",
    " -F devmajor=8",
    " -F devminor!=1",
    " -F saddr_fam=inet",
    " -F laddr=10.0.0.0/8",
    " -F raddr!=::1",
    " -F raddr=::ffff:0:0/96",
    " -F lport<1024",
    " -F rport=22",
    " -F origin=10.0.0.0/8",
    " -F origin!=0.0.0.0/0",
    " -F pers=0",
    " -F loginuid_set=1",
    " -F sessionid=1",
    " -F ppid>1",
    " -F pid!=2",
    " -F subj_type=x_t",
    " -F uid=nosuch",
    " -k key",
    " -F key=k2",
    "\n-D",
};

/* Rule text from word choices, at most n bytes (NUL-terminated). */
static size_t gen_rules(const uint8_t *in, size_t len, char *out, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		const char *w = words[in[i] % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);

		if (o + wl + 2 > n)
			break;
		memcpy(out + o, w, wl);
		o += wl;
	}
	out[o++] = '\n';
	out[o] = '\0';
	return o;
}

static void check(const struct rules_policy *p, const struct rules_facts *f)
{
	unsigned rule = 0, again = 0;
	int m = rules_match(p, f, &rule);
	const struct rules_rule *r;

	if (m != 0 && m != 1)
		abort();
	if (rules_match(p, f, &again) != m || (m && again != rule))
		abort(); /* pure: same facts, same answer */
	if (!m)
		return;
	r = rules_at(p, rule);
	if (rule >= rules_count(p) || !r || r->list != RULES_LIST_EXIT || !r->always ||
	    (r->flags & RULES_RULE_INERT) || f->abi >= RULES_ABI_COUNT ||
	    !(r->abis & (1u << f->abi)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rules_env env = {fuzz_user, fuzz_user, fuzz_is_dir, NULL};
	static char buf[RULES_FACTS_PATHBUF];
	static char text[16384];
	struct rules_policy *p;
	struct rules_facts f;
	struct ca_decoded d;
	struct src s;
	size_t tlen;
	unsigned mode;
	void *rec;

	if (size < 3)
		return 0;
	mode = data[0];
	tlen = (size_t)(data[1] | data[2] << 8);
	data += 3;
	size -= 3;
	if (tlen > size)
		tlen = size;
	p = rules_new(&env);
	if (!p)
		abort();
	if (mode < 128)
		rules_parse(p, "fuzz.rules", (const char *)data, tlen);
	else
		rules_parse(p, "fuzz.rules", text, gen_rules(data, tlen, text, sizeof(text)));
	rules_compile(p);
	s = (struct src){data + tlen, size - tlen, 0};
	facts(&s, &f);
	check(p, &f);

	/* the same bytes as a raw record (copied: records are 8-aligned) */
	rec = malloc(size - tlen + 1);
	if (!rec)
		abort();
	memcpy(rec, data + tlen, size - tlen);
	if (event_decode(rec, size - tlen, &d) > 0 &&
	    rules_facts_from_event(&d, buf, sizeof(buf), &f) == 0) {
		if (f.abi >= RULES_ABI_COUNT || f.nr > CA_SYSCALL_MAX)
			abort();
		for (int i = 0; i < 2; i++)
			if ((f.have_path[i] == RULES_FACT_KNOWN) != !!f.path[i])
				abort();
		check(p, &f);
	}
	free(rec);
	rules_free(p);
	return 0;
}
