// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The policy object's plumbing: words of a line, diagnostics with
 * file:line:col, the string pool, and the accessors. Rule files are split on
 * blanks like auditctl does (no quoting), so a word never contains a blank.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"

int rules_lex_line(const char *line, size_t len, struct rules_tok *toks, unsigned max,
		   unsigned *ntok)
{
	size_t i = 0;
	unsigned n = 0;

	while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (n == max)
			return -E2BIG;
		toks[n].s = line + start;
		toks[n].len = (unsigned)(i - start);
		toks[n].col = (unsigned)start + 1;
		n++;
	}
	*ntok = n;
	return 0;
}

void rules_quote(char *dst, size_t n, const char *s, size_t len)
{
	size_t o = 0;

	if (!n)
		return;
	for (size_t i = 0; i < len && o + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 64 && o + 4 < n) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[o] = '\0';
}

void rules_diag(struct rules_policy *p, int severity, unsigned col, const char *fmt, ...)
{
	struct rules_diag *d;
	va_list ap;

	if (severity == RULES_ERROR)
		p->nerrors++;
	else
		p->nwarnings++;
	if (p->ndiags >= RULES_MAX_DIAGS)
		return;
	if (p->ndiags == p->diag_cap) {
		unsigned cap = p->diag_cap ? p->diag_cap * 4 : 16;
		struct rules_diag *nd;

		if (cap > RULES_MAX_DIAGS)
			cap = RULES_MAX_DIAGS;
		nd = realloc(p->diags, cap * sizeof(*nd));
		if (!nd)
			return; /* counted above, not kept */
		p->diags = nd;
		p->diag_cap = cap;
	}
	d = &p->diags[p->ndiags++];
	d->severity = severity;
	d->file = p->cur_file ? p->cur_file : "";
	d->line = p->cur_line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

/*
 * Diagnostics quote the rule text and name files: bytes a terminal could act
 * on (control characters, escape sequences) or that are not ASCII are shown
 * as '?', so a hostile rule file cannot rewrite the screen or the journal.
 */
void rules_diag_format(const struct rules_diag *d, char *buf, size_t len)
{
	const char *sev = d->severity == RULES_ERROR ? "error" : "warning";

	if (d->line)
		snprintf(buf, len, "%s:%u:%u: %s: %s", d->file, d->line, d->col, sev, d->msg);
	else
		snprintf(buf, len, "%s: %s: %s", d->file, sev, d->msg);
	for (; len && *buf; buf++)
		if ((unsigned char)*buf < 0x20 || (unsigned char)*buf > 0x7e)
			*buf = '?';
}

/* Offset of a copy of s in the pool; 0 ("") when out of memory (an error is recorded). */
uint32_t rules_pool_add(struct rules_policy *p, const char *s, size_t len)
{
	uint32_t off;

	if (p->pool_len + len + 1 > p->pool_cap) {
		size_t cap = p->pool_cap ? p->pool_cap : 4096;
		char *np;

		while (cap < p->pool_len + len + 1)
			cap *= 2;
		np = cap <= UINT32_MAX ? realloc(p->pool, cap) : NULL;
		if (!np) {
			rules_diag(p, RULES_ERROR, 0, "out of memory");
			return 0;
		}
		p->pool = np;
		p->pool_cap = cap;
	}
	off = (uint32_t)p->pool_len;
	memcpy(p->pool + off, s, len);
	p->pool[off + len] = '\0';
	p->pool_len += len + 1;
	return off;
}

struct rules_policy *rules_new(const struct rules_env *env)
{
	struct rules_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (env)
		p->env = *env;
	p->files = calloc(RULES_MAX_FILES, sizeof(*p->files));
	if (!p->files) {
		rules_free(p);
		return NULL;
	}
	p->ctl.backlog = p->ctl.failure = p->ctl.rate = p->ctl.enabled = -1;
	p->ctl.backlog_wait_time = -1;
	rules_pool_add(p, "", 0);
	return p;
}

void rules_free(struct rules_policy *p)
{
	if (!p)
		return;
	if (p->files)
		for (unsigned i = 0; i < p->nfiles; i++)
			free(p->files[i]);
	free(p->files);
	free(p->diags);
	free(p->rules);
	free(p->pool);
	free(p->canon);
	for (int a = 0; a < RULES_ABI_COUNT; a++) {
		free(p->index[a]);
		free(p->allsc[a]);
		free(p->task[a]);
	}
	free(p);
}

unsigned rules_diag_count(const struct rules_policy *p)
{
	return p->ndiags;
}

const struct rules_diag *rules_diag_at(const struct rules_policy *p, unsigned i)
{
	return i < p->ndiags ? &p->diags[i] : NULL;
}

unsigned rules_count(const struct rules_policy *p)
{
	return p->nrules;
}

const struct rules_rule *rules_at(const struct rules_policy *p, unsigned i)
{
	return i < p->nrules ? &p->rules[i] : NULL;
}

const char *rules_str(const struct rules_policy *p, uint32_t off)
{
	return off < p->pool_len ? p->pool + off : "";
}

const struct rules_control *rules_control(const struct rules_policy *p)
{
	return &p->ctl;
}

const char *rules_file_name(const struct rules_policy *p, uint32_t file)
{
	return file < p->nfiles ? p->files[file] : "";
}

const char *rules_list_name(unsigned list)
{
	static const char *const names[] = {"exit", "task", "exclude", "user", "filesystem"};

	return list < RULES_LIST_COUNT ? names[list] : "?";
}
