/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One pass over a record line. The objects the filters read (top level,
 * proc, user, file, exec, host, origin, net, net.src, net.dst, container)
 * are walked member by member; every other value is skipped by scanning
 * for its end, which is what makes this fast: most of a record (args, ns,
 * cgroup, caps...) is never decoded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rec_scan.h"

enum ctx { C_TOP, C_PROC, C_USER, C_FILE, C_EXEC, C_HOST, C_ORIGIN, C_NET, C_SRC, C_DST, C_CONT };

/* What a member is: a string field, a number field, an object to enter, the keys array. */
enum kind { K_SKIP, K_STR, K_NUM, K_OBJ, K_KEYS };

struct member {
	enum ctx ctx;
	const char *name;
	uint32_t len;
	enum kind kind;
	int id; /* rs_field, rs_numfield or ctx */
};

#define M(c, n, k, i)                                                                              \
	{                                                                                          \
		c, n, sizeof(n) - 1, k, i                                                          \
	}

static const struct member members[] = {
    M(C_TOP, "seq", K_NUM, RS_SEQ),
    M(C_TOP, "time", K_STR, RS_TIME),
    M(C_TOP, "event", K_STR, RS_EVENT),
    M(C_TOP, "category", K_STR, RS_CATEGORY),
    M(C_TOP, "syscall", K_STR, RS_SYSCALL),
    M(C_TOP, "outcome", K_STR, RS_OUTCOME),
    M(C_TOP, "errno", K_STR, RS_ERRNO),
    M(C_TOP, "access", K_STR, RS_ACCESS),
    M(C_TOP, "ret", K_NUM, RS_RET),
    M(C_TOP, "keys", K_KEYS, 0),
    M(C_TOP, "host", K_OBJ, C_HOST),
    M(C_TOP, "proc", K_OBJ, C_PROC),
    M(C_TOP, "user", K_OBJ, C_USER),
    M(C_TOP, "file", K_OBJ, C_FILE),
    M(C_TOP, "exec", K_OBJ, C_EXEC),
    M(C_TOP, "origin", K_OBJ, C_ORIGIN),
    M(C_TOP, "net", K_OBJ, C_NET),
    M(C_TOP, "container", K_OBJ, C_CONT),
    M(C_HOST, "name", K_STR, RS_HOST),
    M(C_PROC, "pid", K_NUM, RS_PID),
    M(C_PROC, "ppid", K_NUM, RS_PPID),
    M(C_PROC, "exec_id", K_STR, RS_EXEC_ID),
    M(C_PROC, "parent_exec_id", K_STR, RS_PARENT_EXEC_ID),
    M(C_PROC, "comm", K_STR, RS_COMM),
    M(C_PROC, "exe", K_STR, RS_EXE),
    M(C_USER, "uid", K_NUM, RS_UID),
    M(C_USER, "euid", K_NUM, RS_EUID),
    M(C_USER, "auid", K_NUM, RS_AUID),
    M(C_USER, "session", K_NUM, RS_SESSION),
    M(C_USER, "name", K_STR, RS_USER_NAME),
    M(C_USER, "login", K_STR, RS_LOGIN),
    M(C_FILE, "path", K_STR, RS_PATH),
    M(C_FILE, "path2", K_STR, RS_PATH2),
    M(C_EXEC, "filename", K_STR, RS_EXEC_FILENAME),
    M(C_ORIGIN, "ip", K_STR, RS_ORIGIN_IP),
    M(C_ORIGIN, "port", K_NUM, RS_ORIGIN_PORT),
    M(C_ORIGIN, "service", K_STR, RS_ORIGIN_SERVICE),
    M(C_NET, "proto", K_STR, RS_NET_PROTO),
    M(C_NET, "src", K_OBJ, C_SRC),
    M(C_NET, "dst", K_OBJ, C_DST),
    M(C_SRC, "ip", K_STR, RS_SRC_IP),
    M(C_SRC, "port", K_NUM, RS_SRC_PORT),
    M(C_DST, "ip", K_STR, RS_DST_IP),
    M(C_DST, "port", K_NUM, RS_DST_PORT),
    M(C_CONT, "id", K_STR, RS_CONTAINER),
};

struct st {
	const char *p, *e;
	struct rec_scanner *sc;
	struct rec_view *v;
	int depth;
};

static void ws(struct st *s)
{
	while (s->p < s->e && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Unescape [a, b) (the body of a string holding a backslash) into the arena. */
static int unescape(struct st *s, const char *a, const char *b, struct rs_str *out)
{
	struct rec_scanner *sc = s->sc;
	char *o;

	/* an escape never decodes to more bytes than it takes */
	if (sc->cap - sc->used < (size_t)(b - a))
		return -ENOMEM; /* cannot happen: the arena is as long as the line */
	o = sc->arena + sc->used;
	out->p = o;
	while (a < b) {
		unsigned cp, lo;

		if (*a != '\\') {
			*o++ = *a++;
			continue;
		}
		if (b - a < 2)
			return -EINVAL;
		switch (a[1]) {
		case '"':
		case '\\':
		case '/':
			*o++ = a[1];
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (b - a < 6 || hex4(a + 2, &cp))
				return -EINVAL;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (b - a < 12 || a[6] != '\\' || a[7] != 'u' || hex4(a + 8, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -EINVAL;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				a += 6;
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return -EINVAL;
			}
			o += utf8_put(o, cp);
			a += 4;
			break;
		default:
			return -EINVAL;
		}
		a += 2;
	}
	out->n = (uint32_t)(o - out->p);
	sc->used = (size_t)(o - sc->arena);
	return 0;
}

/* A string at s->p (the opening quote); out may be NULL to skip it. */
static int string(struct st *s, struct rs_str *out)
{
	const char *a = s->p + 1, *q = a;
	int esc = 0;

	for (;;) {
		while (q < s->e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		if (q >= s->e || (unsigned char)*q < 0x20)
			return -EINVAL;
		if (*q == '"')
			break;
		esc = 1;
		/* checked here too: a skipped string must be valid JSON as well */
		if (q + 1 >= s->e || !strchr("\"\\/bfnrtu", q[1]) || !q[1])
			return -EINVAL;
		if (q[1] == 'u') {
			unsigned cp;

			if (s->e - q < 6 || hex4(q + 2, &cp))
				return -EINVAL;
			q += 4;
		}
		q += 2;
	}
	s->p = q + 1;
	if (!out)
		return 0;
	if (!esc) {
		out->p = a;
		out->n = (uint32_t)(q - a);
		return 0;
	}
	return unescape(s, a, q, out);
}

static int number(struct st *s, struct rs_num *out)
{
	const char *p = s->p;
	int neg = 0, big = 0;
	uint64_t v = 0;

	if (p < s->e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= s->e || *p < '0' || *p > '9')
		return -EINVAL;
	if (*p == '0' && p + 1 < s->e && p[1] >= '0' && p[1] <= '9')
		return -EINVAL; /* no leading zeros */
	while (p < s->e && *p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			big = 1; /* more digits than 64 bits: valid JSON, no value for us */
		else
			v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	/* fractions and exponents (RFC 8259 grammar): not in the schema, no value */
	if (p < s->e && (*p == '.' || *p == 'e' || *p == 'E')) {
		if (*p == '.') {
			if (++p >= s->e || *p < '0' || *p > '9')
				return -EINVAL;
			while (p < s->e && *p >= '0' && *p <= '9')
				p++;
		}
		if (p < s->e && (*p == 'e' || *p == 'E')) {
			if (++p < s->e && (*p == '+' || *p == '-'))
				p++;
			if (p >= s->e || *p < '0' || *p > '9')
				return -EINVAL;
			while (p < s->e && *p >= '0' && *p <= '9')
				p++;
		}
		s->p = p;
		return 0;
	}
	s->p = p;
	if (out) {
		if (big || (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)) {
			out->set = 0; /* out of range: treated as absent */
			return 0;
		}
		out->v = neg ? (int64_t)(0 - v) : (int64_t)v;
		out->set = 1;
	}
	return 0;
}

static int literal(struct st *s, const char *w, size_t n)
{
	if ((size_t)(s->e - s->p) < n || memcmp(s->p, w, n))
		return -EINVAL;
	s->p += n;
	return 0;
}

static int value(struct st *s, enum ctx c, int into);

/* Skip any value. */
static int skip(struct st *s)
{
	return value(s, C_TOP, 0);
}

static const struct member *find(enum ctx c, const struct rs_str *k)
{
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (members[i].ctx == c && members[i].len == k->n &&
		    members[i].name[0] == k->p[0] && !memcmp(members[i].name, k->p, k->n))
			return &members[i];
	return NULL;
}

static int keys_array(struct st *s)
{
	int r;

	s->p++;
	ws(s);
	if (s->p < s->e && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		ws(s);
		if (s->p < s->e && *s->p == '"') {
			struct rs_str k;

			r = string(s, &k);
			if (r)
				return r;
			if (s->v->nkeys < RS_MAX_KEYS)
				s->v->keys[s->v->nkeys++] = k;
		} else if ((r = skip(s))) {
			return r;
		}
		ws(s);
		if (s->p >= s->e)
			return -EINVAL;
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		if (*s->p++ != ',')
			return -EINVAL;
	}
}

/* An object's members; into: its members may be fields (c says which object). */
static int object(struct st *s, enum ctx c, int into)
{
	int r;

	if (++s->depth > RS_MAX_DEPTH)
		return -EINVAL;
	s->p++;
	ws(s);
	if (s->p < s->e && *s->p == '}') {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		struct rs_str k;
		const struct member *m = NULL;

		ws(s);
		if (s->p >= s->e || *s->p != '"')
			return -EINVAL;
		if ((r = string(s, into ? &k : NULL)))
			return r;
		ws(s);
		if (s->p >= s->e || *s->p++ != ':')
			return -EINVAL;
		ws(s);
		if (s->p >= s->e)
			return -EINVAL;
		if (into)
			m = find(c, &k);
		if (!m) {
			r = skip(s);
		} else if (m->kind == K_STR && *s->p == '"') {
			r = string(s, &s->v->s[m->id]);
		} else if (m->kind == K_NUM && (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))) {
			r = number(s, &s->v->n[m->id]);
		} else if (m->kind == K_OBJ && *s->p == '{') {
			r = object(s, (enum ctx)m->id, 1);
		} else if (m->kind == K_KEYS && *s->p == '[') {
			r = keys_array(s);
		} else {
			r = skip(s); /* null, or a type the schema does not give it */
		}
		if (r)
			return r;
		ws(s);
		if (s->p >= s->e)
			return -EINVAL;
		if (*s->p == '}') {
			s->p++;
			s->depth--;
			return 0;
		}
		if (*s->p++ != ',')
			return -EINVAL;
	}
}

static int array(struct st *s)
{
	int r;

	if (++s->depth > RS_MAX_DEPTH)
		return -EINVAL;
	s->p++;
	ws(s);
	if (s->p < s->e && *s->p == ']') {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		ws(s);
		if ((r = skip(s)))
			return r;
		ws(s);
		if (s->p >= s->e)
			return -EINVAL;
		if (*s->p == ']') {
			s->p++;
			s->depth--;
			return 0;
		}
		if (*s->p++ != ',')
			return -EINVAL;
	}
}

static int value(struct st *s, enum ctx c, int into)
{
	if (s->p >= s->e)
		return -EINVAL;
	switch (*s->p) {
	case '"':
		return string(s, NULL);
	case '{':
		return object(s, c, into);
	case '[':
		return array(s);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		return number(s, NULL);
	}
}

void rs_init(struct rec_scanner *sc)
{
	memset(sc, 0, sizeof(*sc));
}

void rs_free(struct rec_scanner *sc)
{
	free(sc->arena);
	memset(sc, 0, sizeof(*sc));
}

int rs_scan(struct rec_scanner *sc, const char *line, size_t len, struct rec_view *v)
{
	struct st s = {.p = line, .e = line + len, .sc = sc, .v = v};
	int r;

	memset(v, 0, sizeof(*v));
	if (sc->cap < len) {
		size_t cap = len < 4096 ? 4096 : len;
		char *a = realloc(sc->arena, cap);

		if (!a)
			return -ENOMEM;
		sc->arena = a;
		sc->cap = cap;
	}
	sc->used = 0;
	ws(&s);
	if (s.p >= s.e || *s.p != '{')
		return -EINVAL;
	r = object(&s, C_TOP, 1);
	if (r)
		return r;
	ws(&s);
	return s.p == s.e ? 0 : -EINVAL;
}

static int digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int rs_time_ns(const char *s, size_t n, int64_t *ns)
{
	int y, mo, d, h, mi, sec;
	int64_t frac = 0, scale = 1000000000;
	size_t i = 19;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (scale == 1)
				return -EINVAL;
			scale /= 10;
			frac += (s[i] - '0') * scale;
		}
	}
	if (i + 1 != n || s[i] != 'Z')
		return -EINVAL;
	*ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000000000) + frac;
	return 0;
}

int rs_eq(struct rs_str a, const char *c)
{
	return a.p && strlen(c) == a.n && !memcmp(a.p, c, a.n);
}
