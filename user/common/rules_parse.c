// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Rule lines to rules (audit.rules(7)): control lines, -a/-A/-d rules, -w/-W
 * watches. One line is one command; the first error ends the line and the
 * rule is dropped. The options of a rule are handled in rules_rule.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_priv.h"
#include "rules_line.h"

/* -b -f -r -e --backlog_wait_time: kernel audit settings caudit records but does not apply. */
static int parse_control(struct rules_policy *p, struct line *L, const struct rules_tok *opt,
			 const char *arg, unsigned argcol, const struct rules_tok *extra)
{
	static const struct {
		const char *name;
		uint32_t max;
		const char *what;
	} ctl[] = {
	    {"-b", UINT32_MAX,
	     "sets the kernel audit backlog; caudit's buffer is set in "
	     "cauditd.conf"},
	    {"-f", 2, "sets the kernel's failure mode; caudit reports its own losses"},
	    {"-r", UINT32_MAX,
	     "sets the kernel's message rate limit; caudit does not drop by "
	     "rate"},
	    {"-e", 2, NULL},
	    {"--backlog_wait_time", 600000,
	     "sets the kernel's backlog wait; caudit never "
	     "blocks the audited task"},
	};
	char q[80];
	uint32_t v;

	for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
		if (strlen(ctl[i].name) != opt->len || memcmp(ctl[i].name, opt->s, opt->len))
			continue;
		if (!arg)
			return line_err(p, L, opt->col, "%s needs a value", ctl[i].name);
		if (rules_parse_u32(arg, &v) || v > ctl[i].max) {
			rules_quote(q, sizeof(q), arg, strlen(arg));
			return line_err(p, L, argcol, "%s takes a number from 0 to %u, not '%s'",
					ctl[i].name, ctl[i].max, q);
		}
		if (extra) {
			rules_quote(q, sizeof(q), extra->s, extra->len);
			return line_err(p, L, extra->col, "unexpected '%s' after %s %s", q,
					ctl[i].name, arg);
		}
		switch (i) {
		case 0:
			p->ctl.backlog = v;
			break;
		case 1:
			p->ctl.failure = v;
			break;
		case 2:
			p->ctl.rate = v;
			break;
		case 3:
			p->ctl.enabled = v;
			break;
		default:
			p->ctl.backlog_wait_time = v;
			break;
		}
		if (ctl[i].what)
			rules_diag(p, RULES_WARNING, opt->col, "%s %s: recorded, no effect",
				   ctl[i].name, ctl[i].what);
		return 0;
	}
	return 1; /* not a control option */
}

/* Flags without a value. */
static int parse_flag(struct rules_policy *p, struct line *L, const struct rules_tok *opt,
		      const struct rules_tok *extra)
{
#define IS(w) (opt->len == sizeof(w) - 1 && !memcmp(opt->s, w, sizeof(w) - 1))
	char q[80];

	if (extra && (IS("-i") || IS("-c") || IS("--loginuid-immutable") || IS("--reset-lost") ||
		      IS("--reset_backlog_wait_time_actual"))) {
		rules_quote(q, sizeof(q), extra->s, extra->len);
		line_err(p, L, extra->col, "unexpected '%s' after %.*s", q, (int)opt->len, opt->s);
		return 0;
	}
	if (IS("-i")) {
		p->ctl.ignore_errors = 1;
	} else if (IS("-c")) {
		p->ctl.continue_on_error = 1;
	} else if (IS("--loginuid-immutable")) {
		rules_diag(p, RULES_WARNING, opt->col,
			   "--loginuid-immutable is a kernel setting caudit does not change: "
			   "ignored");
	} else if (IS("--reset-lost") || IS("--reset_backlog_wait_time_actual")) {
		rules_diag(p, RULES_WARNING, opt->col,
			   "%.*s resets a kernel audit counter caudit does not use: ignored",
			   (int)opt->len, opt->s);
	} else {
		return 1;
	}
	return 0;
#undef IS
}

/* -D, or -D -k KEY: delete every rule, or the rules carrying KEY. */
static int parse_delete_all(struct rules_policy *p, struct line *L)
{
	const char *key = NULL;

	if (L->n == 3 && L->t[1].len == 2 && !memcmp(L->t[1].s, "-k", 2)) {
		key = L->t[2].s;
	} else if (L->n != 1) {
		return line_err(p, L, L->t[1].col, "-D takes no argument other than -k KEY");
	}
	if (!key) {
		p->nrules = 0;
		p->ctl.delete_all = 1;
		return 0;
	}
	for (unsigned i = 0; i < p->nrules;) {
		int hit = 0;

		for (unsigned k = 0; k < p->rules[i].nkeys; k++)
			hit |= !strcmp(rules_str(p, p->rules[i].keys[k]), key);
		if (hit) {
			memmove(&p->rules[i], &p->rules[i + 1],
				(p->nrules - i - 1) * sizeof(p->rules[0]));
			p->nrules--;
		} else {
			i++;
		}
	}
	return 0;
}

/* Splits "-Xvalue" or "-X value"; returns the value or NULL, advancing *i past it. */
static const char *take_arg(struct line *L, unsigned *i, unsigned *col)
{
	const struct rules_tok *t = &L->t[*i];

	if (t->len > 2 && t->s[0] == '-' && t->s[1] != '-') {
		*col = t->col + 2;
		return t->s + 2;
	}
	if (*i + 1 >= L->n)
		return NULL;
	(*i)++;
	*col = L->t[*i].col;
	return L->t[*i].s;
}

static void parse_line(struct rules_policy *p, char *line, size_t len)
{
	struct rules_tok toks[RULES_MAX_TOKENS];
	struct line *L;
	unsigned n, i;
	char q[80];

	if (rules_lex_line(line, len, toks, RULES_MAX_TOKENS, &n)) {
		rules_diag(p, RULES_ERROR, 1, "more than %d words on a line", RULES_MAX_TOKENS);
		return;
	}
	if (n == 0 || toks[0].s[0] == '#')
		return;
	if (p->ctl.enabled == 2) {
		/* auditd refuses every change once the configuration is locked */
		rules_diag(p, RULES_ERROR, toks[0].col,
			   "the policy is immutable after -e 2: nothing may follow it");
		return;
	}
	/* words become C strings: the line is our copy */
	for (i = 0; i < n; i++)
		line[toks[i].col - 1 + toks[i].len] = '\0';
	L = calloc(1, sizeof(*L));
	if (!L) {
		rules_diag(p, RULES_ERROR, 1, "out of memory");
		return;
	}
	L->t = toks;
	L->n = n;

	if (toks[0].len == 2 && !memcmp(toks[0].s, "-D", 2)) {
		parse_delete_all(p, L);
		goto out;
	}
	if (!parse_flag(p, L, &toks[0], n > 1 ? &toks[1] : NULL))
		goto out;
	if (toks[0].s[0] == '-' && (toks[0].len == 2 || toks[0].s[1] == '-')) {
		const char *arg = n > 1 ? toks[1].s : NULL;
		unsigned col = n > 1 ? toks[1].col : 0;
		int r;

		r = parse_control(p, L, &toks[0], arg, col, n > 2 ? &toks[2] : NULL);
		if (r <= 0)
			goto out;
	} else if (toks[0].len > 2 && toks[0].s[0] == '-' && strchr("bfre", toks[0].s[1])) {
		/* getopt's attached form, -b8192 */
		struct rules_tok opt = {toks[0].s, 2, toks[0].col};

		if (parse_control(p, L, &opt, toks[0].s + 2, toks[0].col + 2,
				  n > 1 ? &toks[1] : NULL) <= 0)
			goto out;
	}
	for (i = 0; i < n && !L->failed; i++) {
		const struct rules_tok *t = &toks[i];
		const char *arg;
		unsigned col = 0;
		char opt;

		if (t->s[0] != '-' || t->len < 2 || t->s[1] == '-') {
			rules_quote(q, sizeof(q), t->s, t->len);
			if (t->s[0] == '-' && t->s[1] == '-')
				line_err(p, L, t->col, "unknown option '%s'", q);
			else
				line_err(p, L, t->col, "expected an option, not '%s'", q);
			break;
		}
		opt = t->s[1];
		if (!strchr("aAdwWSFCkp", opt)) {
			rules_quote(q, sizeof(q), t->s, t->len);
			if (strchr("DbfreicRlstvsmq", opt))
				line_err(p, L, t->col, "%s cannot be combined with other options",
					 q);
			else
				line_err(p, L, t->col, "unknown option '%s'", q);
			break;
		}
		arg = take_arg(L, &i, &col);
		if (!arg) {
			line_err(p, L, t->col, "-%c needs a value", opt);
			break;
		}
		line_option(p, L, opt, t->col, arg, col);
	}
	if (!L->failed)
		line_finish(p, L);
out:
	free(L);
}

int rules_parse(struct rules_policy *p, const char *file, const char *text, size_t len)
{
	unsigned before = p->nerrors;
	size_t off = 0;
	char *line;

	p->cur_line = 0;
	if (p->nfiles >= RULES_MAX_FILES) {
		p->cur_file = file;
		rules_diag(p, RULES_ERROR, 0, "more than %d rule files", RULES_MAX_FILES);
		p->cur_file = NULL;
		return (int)(p->nerrors - before);
	}
	p->files[p->nfiles] = strdup(file);
	if (!p->files[p->nfiles]) {
		rules_diag(p, RULES_ERROR, 0, "out of memory");
		return (int)(p->nerrors - before);
	}
	p->cur_file = p->files[p->nfiles++];
	p->text_total += len;
	if (p->text_total > RULES_MAX_TEXT) {
		rules_diag(p, RULES_ERROR, 0, "rule text exceeds %u bytes", RULES_MAX_TEXT);
		return (int)(p->nerrors - before);
	}
	line = malloc(RULES_MAX_LINE + 1);
	if (!line) {
		rules_diag(p, RULES_ERROR, 0, "out of memory");
		return (int)(p->nerrors - before);
	}
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t full = nl ? (size_t)(nl - (text + off)) : len - off, l = full;
		const char *nul;

		p->cur_line++;
		if (l && text[off + l - 1] == '\r')
			l--;
		nul = memchr(text + off, '\0', l);
		if (l > RULES_MAX_LINE) {
			rules_diag(p, RULES_ERROR, 1, "line longer than %d bytes", RULES_MAX_LINE);
		} else if (nul) {
			rules_diag(p, RULES_ERROR, (unsigned)(nul - (text + off)) + 1,
				   "NUL byte in line");
		} else {
			memcpy(line, text + off, l);
			line[l] = '\0';
			parse_line(p, line, l);
		}
		off += full + 1;
	}
	free(line);
	p->compiled = 0;
	return (int)(p->nerrors - before);
}
