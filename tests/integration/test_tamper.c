/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tampering with a real signed log, and what `caudit verify` says about it
 * (docs/log-format.md, "Verdicts").
 *
 * The group setup runs two real agents side by side for a few seconds with
 * one-second seals and epochs and 16K segments, a plain one and one writing
 * encrypted segments, while a child named GEN_NAME creates, renames and
 * unlinks marker files (the agents record only it). Both logs must verify
 * as valid; they are then kept untouched. Each test copies a log, applies
 * one tampering and checks the exit status and the exact verdict of every
 * segment: the one tampered with names the problem, the others stay valid.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "crypto.h"
#include "harness.h"
#include "jsonw.h"
#include "keys.h"
#include "store_check.h"
#include "store_format.h"

#define GEN_NAME "caudit-tamper"
#define STORE_CONF                                                                                 \
	"seal_interval = 1\nseal_records = 50\nepoch_interval = 1\nrotate_size = 16K\n"            \
	"include_comms = " GEN_NAME
/* the unsealed-tail agent: count seals only, none by time */
#define TAIL_CONF "seal_interval = 3600\nseal_records = 20\ninclude_comms = " GEN_NAME
#define RUN_MS 4000	 /* events for this long */
#define EARLY_MS 1200	 /* the key state saved for the rollback test */
#define GEN_PACE_US 4000 /* one create/rename/unlink every 4 ms */
#define START_MS 60000
#define STOP_MS 30000
#define MIN_SEGS 5
#define MAX_SEGS 512
#define VERDICT_LEN 160
#define SEAL_TAG "\"event\":\"log.seal\""
#define STORE_TAG "\"event\":\"log."

/* ---- the fixture: the pristine logs, never modified after the setup ---- */

struct names {
	char v[MAX_SEGS][STORE_SEG_NAME_LEN];
	size_t n;
};

static struct fixture {
	int ready;
	char base[256];
	char gen_dir[320];
	char auditor[320]; /* enc.pub, enc.key of `caudit keygen --encryption` */
	char early[320];   /* a directory with a copy of the key state at early_epoch */
	char enc_conf[700];
	struct sagent plain, enc;
	struct sagent tail, rollback; /* started by tests; stopped by the teardown if left */
	pid_t killed;		      /* the tail agent after kill -9, not reaped yet */
	char plain_pub[400], enc_pub[400], dkey[400];
	uint64_t early_epoch, last_epoch;
	struct names segs, esegs;
} fx;

/* ---- small helpers ---- */

static char *file_read(const char *path, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0;
	*len = got;
	return buf;
}

static int file_write(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	const char *p = buf;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int copy_file(const char *src, const char *dst)
{
	struct stat st;
	size_t len;
	char *buf;
	int r;

	if (stat(src, &st) < 0)
		return -1;
	buf = file_read(src, &len);
	if (!buf)
		return -1;
	r = file_write(dst, buf, len, st.st_mode & 07777);
	free(buf);
	return r;
}

/* Copy the regular files of a flat directory into a new directory dst. */
static int copy_dir(const char *src, const char *dst)
{
	DIR *d = opendir(src);
	struct dirent *de;
	struct stat st;
	int r = 0;

	if (!d || stat(src, &st) < 0 || mkdir(dst, st.st_mode & 07777) < 0) {
		if (d)
			closedir(d);
		return -1;
	}
	while (!r && (de = readdir(d))) {
		char s[1024], t[1024];

		snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
		snprintf(t, sizeof(t), "%s/%s", dst, de->d_name);
		if (lstat(s, &st) == 0 && S_ISREG(st.st_mode))
			r = copy_file(s, t);
	}
	closedir(d);
	return r;
}

/* 1 when both flat directories hold the same files with the same bytes. */
static int same_dir(const char *a, const char *b)
{
	struct dirent *de;
	size_t na = 0, nb = 0;
	int same = 1;
	DIR *d;

	d = opendir(a);
	if (!d)
		return 0;
	while (same && (de = readdir(d))) {
		char pa[1024], pb[1024];
		char *ba, *bb;
		size_t la, lb;

		if (de->d_name[0] == '.')
			continue;
		na++;
		snprintf(pa, sizeof(pa), "%s/%s", a, de->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, de->d_name);
		ba = file_read(pa, &la);
		bb = file_read(pb, &lb);
		same = ba && bb && la == lb && !memcmp(ba, bb, la);
		free(ba);
		free(bb);
	}
	closedir(d);
	d = opendir(b);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		nb += de->d_name[0] != '.';
	closedir(d);
	return same && na == nb;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Segment files of dir (plain and encrypted), sorted. */
static int list_segs(const char *dir, struct names *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t seq;
	int enc;

	out->n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len >= STORE_SEG_NAME_LEN || store_segment_parse_any(de->d_name, &seq, &enc))
			continue;
		if (out->n == MAX_SEGS) {
			closedir(d);
			return -1;
		}
		memcpy(out->v[out->n++], de->d_name, len + 1);
	}
	closedir(d);
	qsort(out->v, out->n, sizeof(out->v[0]), name_cmp);
	return 0;
}

static uint64_t seg_first_seq(const char *name)
{
	uint64_t seq = 0;
	int enc;

	store_segment_parse_any(name, &seq, &enc);
	return seq;
}

/* ---- running programs ---- */

/* Run argv (stdout captured, stderr passed through); *status: exit code, or 128 + signal. */
static int run_cmd(char *const argv[], char **out, int *status)
{
	size_t len = 0, cap = 8192;
	int pfd[2], st = 0;
	char *buf = malloc(cap);
	pid_t pid;

	*out = NULL;
	*status = -1;
	if (!buf || pipe2(pfd, O_CLOEXEC)) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pfd[0]);
	buf[len] = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	*out = buf;
	return 0;
}

/* `caudit verify`'s per-segment lines and exit status */
struct vres {
	int status;
	char *out;
	size_t n;
	char name[MAX_SEGS][STORE_SEG_NAME_LEN];
	char verdict[MAX_SEGS][VERDICT_LEN];
	struct names files; /* the segment files of the directory */
};

static void vres_free(struct vres *r)
{
	free(r->out);
	r->out = NULL;
}

static void verify_dir(struct vres *r, const char *dir, const char *pub, const char *dkey,
		       int strict)
{
	char bin[512], *argv[10];
	const char *line;
	int i = 0;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	harness_bin("caudit", bin, sizeof(bin));
	argv[i++] = bin;
	argv[i++] = (char *)"verify";
	argv[i++] = (char *)"--pubkey";
	argv[i++] = (char *)pub;
	if (dkey) {
		argv[i++] = (char *)"--decrypt-key";
		argv[i++] = (char *)dkey;
	}
	if (strict)
		argv[i++] = (char *)"--strict";
	argv[i++] = (char *)dir;
	argv[i] = NULL;
	assert_int_equal(list_segs(dir, &r->files), 0);
	assert_int_equal(run_cmd(argv, &r->out, &r->status), 0);
	/* "<segment>: <verdict>" lines, up to the blank line before the summary */
	for (line = r->out; *line && *line != '\n' && r->n < MAX_SEGS;) {
		const char *nl = strchr(line, '\n'), *sep = strstr(line, ": ");
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!strncmp(line, STORE_SEG_PREFIX, 4) && sep && sep < line + len &&
		    (size_t)(sep - line) < STORE_SEG_NAME_LEN) {
			memcpy(r->name[r->n], line, (size_t)(sep - line));
			r->name[r->n][sep - line] = 0;
			snprintf(r->verdict[r->n], VERDICT_LEN, "%.*s",
				 (int)(line + len - (sep + 2)), sep + 2);
			r->n++;
		}
		line += len + (nl ? 1 : 0);
	}
}

struct want_verdict {
	const char *name;
	const char *verdict;
};

/*
 * The exit status, a verdict line for every segment file, the listed
 * verdicts for the listed segments and "valid" for every other one.
 */
static void expect_report(const struct vres *r, int status, const struct want_verdict *w, size_t nw)
{
	char msg[512] = "";

	if (r->status != status)
		snprintf(msg, sizeof(msg), "exit status %d, expected %d", r->status, status);
	else if (r->n != r->files.n)
		snprintf(msg, sizeof(msg), "%zu verdict lines for %zu segment files", r->n,
			 r->files.n);
	for (size_t i = 0; !msg[0] && i < r->n; i++) {
		const char *want = "valid";

		if (strcmp(r->name[i], r->files.v[i])) {
			snprintf(msg, sizeof(msg), "verdict line %zu names %s, not %s", i,
				 r->name[i], r->files.v[i]);
			break;
		}
		for (size_t j = 0; j < nw; j++)
			if (!strcmp(w[j].name, r->name[i]))
				want = w[j].verdict;
		if (strcmp(r->verdict[i], want))
			snprintf(msg, sizeof(msg), "%s: \"%s\", expected \"%s\"", r->name[i],
				 r->verdict[i], want);
	}
	for (size_t j = 0; !msg[0] && j < nw; j++) {
		size_t i;

		for (i = 0; i < r->n && strcmp(w[j].name, r->name[i]); i++)
			;
		if (i == r->n)
			snprintf(msg, sizeof(msg), "no verdict for %s", w[j].name);
	}
	if (msg[0]) {
		fprintf(stderr, "caudit verify said:\n%s\n", r->out ? r->out : "");
		fail_msg("%s", msg);
	}
}

/* ---- segments as lines ---- */

/* Inflate every gzip member; the compressed offsets where members end. */
struct inflated {
	char *text;
	size_t len;
	size_t *ends;
	size_t nends;
	int complete; /* the data is exactly a sequence of complete members */
};

static void inflated_free(struct inflated *f)
{
	free(f->text);
	free(f->ends);
	memset(f, 0, sizeof(*f));
}

static int inflate_data(const unsigned char *data, size_t size, struct inflated *f)
{
	size_t cap = 8 * size + 65536, ecap = 64;
	z_stream z;
	int zr, r = 0;

	memset(f, 0, sizeof(*f));
	memset(&z, 0, sizeof(z));
	f->text = malloc(cap);
	f->ends = malloc(ecap * sizeof(*f->ends));
	if (!f->text || !f->ends || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		inflated_free(f);
		return -1;
	}
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	while (z.avail_in) {
		if (cap - f->len < 65536) {
			char *nt = realloc(f->text, cap * 2);

			if (!nt) {
				r = -1;
				break;
			}
			f->text = nt;
			cap *= 2;
		}
		z.next_out = (Bytef *)f->text + f->len;
		z.avail_out = (uInt)(cap - f->len);
		zr = inflate(&z, Z_NO_FLUSH);
		f->len = (size_t)((char *)z.next_out - f->text);
		if (zr == Z_STREAM_END) {
			if (f->nends == ecap) {
				size_t *ne = realloc(f->ends, 2 * ecap * sizeof(*ne));

				if (!ne) {
					r = -1;
					break;
				}
				f->ends = ne;
				ecap *= 2;
			}
			f->ends[f->nends++] = size - z.avail_in;
			inflateReset(&z);
		} else if (zr != Z_OK || (!z.avail_in && z.avail_out)) {
			break; /* an unfinished member (or damage): the text so far */
		}
	}
	inflateEnd(&z);
	f->complete = f->nends && f->ends[f->nends - 1] == size;
	f->text[f->len] = 0;
	if (r)
		inflated_free(f);
	return r;
}

struct seg_lines {
	char **l; /* NUL-terminated, without the newline */
	size_t *len;
	size_t n, cap;
	size_t torn; /* bytes after the last newline */
};

static void sl_free(struct seg_lines *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->l[i]);
	free(s->l);
	free(s->len);
	memset(s, 0, sizeof(*s));
}

static void sl_insert(struct seg_lines *s, size_t at, const char *line, size_t len)
{
	char *c = malloc(len + 1);

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 512;
		s->l = realloc(s->l, s->cap * sizeof(*s->l));
		s->len = realloc(s->len, s->cap * sizeof(*s->len));
	}
	if (!c || !s->l || !s->len)
		abort();
	memcpy(c, line, len);
	c[len] = 0;
	memmove(&s->l[at + 1], &s->l[at], (s->n - at) * sizeof(*s->l));
	memmove(&s->len[at + 1], &s->len[at], (s->n - at) * sizeof(*s->len));
	s->l[at] = c;
	s->len[at] = len;
	s->n++;
}

static void sl_delete(struct seg_lines *s, size_t at, size_t count)
{
	for (size_t i = at; i < at + count; i++)
		free(s->l[i]);
	memmove(&s->l[at], &s->l[at + count], (s->n - at - count) * sizeof(*s->l));
	memmove(&s->len[at], &s->len[at + count], (s->n - at - count) * sizeof(*s->len));
	s->n -= count;
}

static void sl_replace(struct seg_lines *s, size_t at, char *line)
{
	free(s->l[at]);
	s->l[at] = line;
	s->len[at] = strlen(line);
}

/* Read a segment into lines; complete: it must be whole members (as sealed). */
static int sl_load(const char *path, struct seg_lines *s, int complete)
{
	struct inflated f;
	size_t len, start = 0;
	char *raw = file_read(path, &len);
	int r;

	memset(s, 0, sizeof(*s));
	if (!raw)
		return -1;
	r = inflate_data((unsigned char *)raw, len, &f);
	free(raw);
	if (r)
		return -1;
	if (complete && !f.complete) {
		inflated_free(&f);
		return -1;
	}
	for (size_t i = 0; i < f.len; i++) {
		if (f.text[i] != '\n')
			continue;
		sl_insert(s, s->n, f.text + start, i - start);
		start = i + 1;
	}
	s->torn = f.len - start;
	inflated_free(&f);
	return 0;
}

static int gz_member(FILE *out, const char *buf, size_t len)
{
	unsigned char chunk[65536];
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)buf;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = deflate(&z, Z_FINISH);
		if (fwrite(chunk, 1, sizeof(chunk) - z.avail_out, out) !=
		    sizeof(chunk) - z.avail_out)
			zr = Z_ERRNO;
	} while (zr == Z_OK);
	deflateEnd(&z);
	return zr == Z_STREAM_END ? 0 : -1;
}

static int is_seal(const struct seg_lines *s, size_t i)
{
	return strstr(s->l[i], SEAL_TAG) != NULL;
}

/* An ordinary record (an event, not a log.* store record). */
static int is_event(const struct seg_lines *s, size_t i)
{
	return !strstr(s->l[i], STORE_TAG);
}

/* Write the lines back as the store does: one gzip member per sealed block. */
static int sl_save(const char *path, const struct seg_lines *s)
{
	size_t cap = 1 << 20, len = 0;
	char *blk = malloc(cap);
	FILE *f = fopen(path, "we");
	int r = blk && f ? 0 : -1;

	for (size_t i = 0; !r && i < s->n; i++) {
		if (cap - len < s->len[i] + 1) {
			char *nb;

			cap = 2 * (len + s->len[i] + 1);
			nb = realloc(blk, cap);
			if (!nb) {
				r = -1;
				break;
			}
			blk = nb;
		}
		memcpy(blk + len, s->l[i], s->len[i]);
		len += s->len[i];
		blk[len++] = '\n';
		if (is_seal(s, i) || i + 1 == s->n) {
			r = gz_member(f, blk, len);
			len = 0;
		}
	}
	if (f && fclose(f))
		r = -1;
	free(blk);
	return r;
}

static uint64_t line_seq(const struct seg_lines *s, size_t i)
{
	uint64_t seq = 0;

	assert_int_equal(store_record_seq(s->l[i], s->len[i], &seq), 0);
	return seq;
}

/* The first digit of the record's "pid", or NULL. */
static char *pid_digit(char *line)
{
	char *p = strstr(line, "\"pid\":");

	if (!p || p[6] < '1' || p[6] > '9')
		return NULL;
	return p + 6;
}

/*
 * From line `from` on, the first i whose lines i-1 .. i+k are all events
 * with a pid (k lines to tamper with and one after them). -1 when none.
 */
static ssize_t pick_events(const struct seg_lines *s, size_t from, size_t k)
{
	for (size_t i = from ? from : 1; i + k < s->n; i++) {
		size_t j;

		for (j = i - 1; j <= i + k && is_event(s, j) && pid_digit(s->l[j]); j++)
			;
		if (j > i + k)
			return (ssize_t)i;
	}
	return -1;
}

/* ---- scratch copies ---- */

/* base/<tag>: a copy of the plain (or encrypted) pristine log. */
static void scratch_log(const char *tag, int enc, char *out, size_t len)
{
	char src[400];

	snprintf(out, len, "%s/%s", fx.base, tag);
	snprintf(src, sizeof(src), "%s", enc ? fx.enc.log_dir : fx.plain.log_dir);
	assert_int_equal(copy_dir(src, out), 0);
}

/* A test's directory, removed when it passed (kept with CAUDIT_KEEP_TEST_DIRS). */
static void scratch_done(const char *dir)
{
	if (!getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(dir);
}

static void seg_path(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* The middle segment: neither the first, nor the newest, nor next to the newest. */
static size_t mid_seg(void)
{
	return fx.segs.n / 2;
}

/* ---- the marker generator ---- */

/*
 * A child named GEN_NAME doing create, rename, unlink of dir/<prefix><i>
 * from i = first: nops of them (0: until run_ms passed), pace_us apart.
 */
static pid_t gen_spawn(const char *dir, const char *prefix, uint64_t first, uint64_t nops,
		       unsigned pace_us, unsigned run_ms)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, GEN_NAME, 0, 0, 0);
	{
		uint64_t deadline = now_ms_mono() + run_ms;

		for (uint64_t i = first; nops ? i < first + nops : now_ms_mono() < deadline; i++) {
			char a[512], b[520];
			int fd;

			snprintf(a, sizeof(a), "%s/%s%" PRIu64, dir, prefix, i);
			snprintf(b, sizeof(b), "%s.r", a);
			fd = (int)syscall(SYS_openat, AT_FDCWD, a, O_WRONLY | O_CREAT | O_CLOEXEC,
					  0600);
			if (fd >= 0)
				close(fd);
			syscall(SYS_rename, a, b);
			syscall(SYS_unlink, b);
			if (pace_us)
				usleep(pace_us);
		}
	}
	_exit(0);
}

static int wait_pid(pid_t pid)
{
	int st = -1;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* Start an agent whose log may be encrypted: wait for its "capturing" message. */
static int spawn_wait_capturing(struct sagent *a, const char *conf)
{
	uint64_t deadline = now_ms_mono() + START_MS;

	if (sagent_spawn(a, conf))
		return -1;
	while (now_ms_mono() < deadline) {
		if (!sagent_alive(a))
			return -1;
		if (sagent_wait_stderr(a, "capturing:", 50))
			return 0;
	}
	return -1;
}

static int stop_agent(struct sagent *a)
{
	int st = sagent_signal_wait(a, SIGTERM);

	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Copy the running agent's key state (replaced atomically, the old file zeroed first). */
static int save_early_state(void)
{
	char src[512], dst[512];
	struct key_state ks;
	char err[256];

	snprintf(src, sizeof(src), "%s/%s", fx.plain.key_dir, KEYS_STATE);
	snprintf(dst, sizeof(dst), "%s/%s", fx.early, KEYS_STATE);
	for (int i = 0; i < 200; i++) {
		size_t len;
		char *buf = file_read(src, &len);
		int ok = buf && len && file_write(dst, buf, len, 0600) == 0 &&
			 keys_load(fx.early, &ks, err, sizeof(err)) == 0;

		if (buf)
			cr_wipe(buf, len);
		free(buf);
		if (ok) {
			fx.early_epoch = ks.cert.epoch;
			keys_wipe(&ks);
			return 0;
		}
		sleep_ms(5);
	}
	return -1;
}

static int setup_fail(const char *what)
{
	fprintf(stderr, "test_tamper setup: %s\n", what);
	return -1;
}

/* The pristine log verifies: exit 0, every segment valid. */
static int pristine_valid(const char *dir, const char *pub, const char *dkey, size_t nsegs)
{
	struct vres *r = calloc(1, sizeof(*r));
	int ok;

	if (!r)
		return 0;
	verify_dir(r, dir, pub, dkey, 0);
	ok = r->status == 0 && r->n == nsegs;
	for (size_t i = 0; ok && i < r->n; i++)
		ok = !strcmp(r->verdict[i], "valid") && !strcmp(r->name[i], r->files.v[i]);
	if (!ok)
		fprintf(stderr, "caudit verify %s%s (exit %d):\n%s\n", dkey ? "--decrypt-key " : "",
			dir, r->status, r->out ? r->out : "");
	vres_free(r);
	free(r);
	return ok;
}

static int group_teardown(void **state);

static int do_setup(void)
{
	char path[600], bin[512], *out = NULL, err[256];
	char *argv[] = {bin, (char *)"keygen", (char *)"--encryption", (char *)"--out", path, NULL};
	struct key_state ks;
	pid_t gen;
	int st;

	if (cr_init() || harness_tmpdir(fx.base, sizeof(fx.base)))
		return setup_fail("cannot create a directory");
	snprintf(fx.gen_dir, sizeof(fx.gen_dir), "%s/gen", fx.base);
	snprintf(fx.early, sizeof(fx.early), "%s/early", fx.base);
	snprintf(fx.auditor, sizeof(fx.auditor), "%s/auditor", fx.base);
	snprintf(path, sizeof(path), "%s/plain", fx.base);
	if (mkdir(fx.gen_dir, 0700) || mkdir(fx.early, 0700) || mkdir(path, 0700))
		return setup_fail("mkdir");
	sagent_init(&fx.plain, path, NULL, NULL);
	snprintf(path, sizeof(path), "%s/enc", fx.base);
	if (mkdir(path, 0700))
		return setup_fail("mkdir");
	sagent_init(&fx.enc, path, NULL, NULL);
	snprintf(fx.plain_pub, sizeof(fx.plain_pub), "%s/root.pub", fx.plain.key_dir);
	snprintf(fx.enc_pub, sizeof(fx.enc_pub), "%s/root.pub", fx.enc.key_dir);
	snprintf(fx.dkey, sizeof(fx.dkey), "%s/enc.key", fx.auditor);

	/* the auditor's encryption key */
	harness_bin("caudit", bin, sizeof(bin));
	snprintf(path, sizeof(path), "%s", fx.auditor);
	if (run_cmd(argv, &out, &st) || st != 0)
		return setup_fail("caudit keygen --encryption failed");
	free(out);
	snprintf(fx.enc_conf, sizeof(fx.enc_conf), "%s\nencrypt_to = %s/enc.pub", STORE_CONF,
		 fx.auditor);

	/* both agents at once, on the same events */
	if (sagent_spawn(&fx.plain, STORE_CONF) || spawn_wait_capturing(&fx.enc, fx.enc_conf) ||
	    sagent_wait_start(&fx.plain, START_MS, NULL)) {
		char *e1 = sagent_stderr(&fx.plain), *e2 = sagent_stderr(&fx.enc);

		fprintf(stderr, "plain agent:\n%s\nencrypting agent:\n%s\n", e1, e2);
		free(e1);
		free(e2);
		return setup_fail("the agents did not start");
	}
	gen = gen_spawn(fx.gen_dir, "m", 1, 0, GEN_PACE_US, RUN_MS);
	if (gen < 0)
		return setup_fail("fork");
	sleep_ms(EARLY_MS);
	if (save_early_state())
		return setup_fail("cannot copy the key state");
	wait_pid(gen);
	if (stop_agent(&fx.plain) || stop_agent(&fx.enc))
		return setup_fail("an agent did not stop cleanly");

	if (keys_load(fx.plain.key_dir, &ks, err, sizeof(err)))
		return setup_fail(err);
	fx.last_epoch = ks.cert.epoch;
	keys_wipe(&ks);
	if (list_segs(fx.plain.log_dir, &fx.segs) || list_segs(fx.enc.log_dir, &fx.esegs))
		return setup_fail("cannot list the segments");
	fprintf(stderr,
		"test_tamper: %zu plain and %zu encrypted segments, epochs %" PRIu64 "..%" PRIu64
		"\n",
		fx.segs.n, fx.esegs.n, fx.early_epoch, fx.last_epoch);
	if (fx.segs.n < MIN_SEGS || fx.esegs.n < MIN_SEGS)
		return setup_fail("too few segments");
	for (size_t i = 0; i < fx.esegs.n; i++)
		if (!strstr(fx.esegs.v[i], STORE_SEG_SUFFIX_ENC))
			return setup_fail("a plain segment in the encrypted log");
	if (fx.last_epoch <= fx.early_epoch)
		return setup_fail("too few epochs");
	if (!pristine_valid(fx.plain.log_dir, fx.plain_pub, NULL, fx.segs.n) ||
	    !pristine_valid(fx.enc.log_dir, fx.enc_pub, NULL, fx.esegs.n) ||
	    !pristine_valid(fx.enc.log_dir, fx.enc_pub, fx.dkey, fx.esegs.n))
		return setup_fail("the log made by the agent does not verify");
	fx.ready = 1;
	return 0;
}

static int group_setup(void **state)
{
	if (!harness_can_run())
		return 0;
	if (do_setup()) {
		group_teardown(state);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	struct sagent *agents[] = {&fx.plain, &fx.enc, &fx.tail, &fx.rollback};

	for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		if (agents[i]->pid > 0)
			sagent_signal_wait(agents[i], SIGKILL);
	if (fx.killed > 0)
		reap_pid(fx.killed);
	fx.killed = 0;
	if (fx.base[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(fx.base);
	return 0;
}

#define NEED_FIXTURE()                                                                             \
	do {                                                                                       \
		if (!harness_can_run())                                                            \
			skip();                                                                    \
		assert_true(fx.ready);                                                             \
	} while (0)

/* ---- the tests ---- */

/* The untouched logs, plain and encrypted (with and without the auditor's key), are valid. */
static void test_pristine_logs_valid(void **state)
{
	size_t seals = 0, epochs_seen = 0;
	uint64_t last_epoch = UINT64_MAX;

	if (!harness_can_run())
		skip();
	assert_true(fx.ready);
	assert_true(pristine_valid(fx.plain.log_dir, fx.plain_pub, NULL, fx.segs.n));
	assert_true(pristine_valid(fx.enc.log_dir, fx.enc_pub, NULL, fx.esegs.n));
	assert_true(pristine_valid(fx.enc.log_dir, fx.enc_pub, fx.dkey, fx.esegs.n));
	/* many seals under several epochs */
	for (size_t k = 0; k < fx.segs.n; k++) {
		struct seg_lines s;
		char p[700];

		seg_path(p, sizeof(p), fx.plain.log_dir, fx.segs.v[k]);
		assert_int_equal(sl_load(p, &s, 1), 0);
		for (size_t i = 0; i < s.n; i++) {
			json_object *o;
			int64_t e;

			if (!is_seal(&s, i))
				continue;
			o = json_tokener_parse(s.l[i]);
			e = jint(o, "seal.epoch");
			json_object_put(o);
			assert_true(e >= 0);
			seals++;
			epochs_seen += (uint64_t)e != last_epoch;
			last_epoch = (uint64_t)e;
		}
		sl_free(&s);
	}
	assert_true(seals >= 20);
	assert_true(epochs_seen >= 3);
}

/* One digit of a pid in record N: "record N modified". */
static void test_record_modified(void **state)
{
	struct want_verdict w[1];
	char dir[400], p[700], v[VERDICT_LEN];
	struct seg_lines s;
	struct vres r;
	ssize_t i;
	char *d;

	NEED_FIXTURE();
	scratch_log("modified", 0, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.segs.v[mid_seg()]);
	assert_int_equal(sl_load(p, &s, 1), 0);
	i = pick_events(&s, s.n / 2, 1);
	assert_true(i > 0);
	d = pid_digit(s.l[i]);
	*d = *d == '1' ? '2' : '1';
	snprintf(v, sizeof(v), "record %" PRIu64 " modified", line_seq(&s, (size_t)i));
	assert_int_equal(sl_save(p, &s), 0);
	sl_free(&s);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[mid_seg()], v};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

/* Delete `count` record lines in the middle of a segment: "records missing (seq A-B)". */
static void delete_records(const char *tag, size_t count)
{
	struct want_verdict w[1];
	char dir[400], p[700], v[VERDICT_LEN];
	struct seg_lines s;
	struct vres r;
	uint64_t a;
	ssize_t i;

	scratch_log(tag, 0, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.segs.v[mid_seg()]);
	assert_int_equal(sl_load(p, &s, 1), 0);
	i = pick_events(&s, s.n / 2, count);
	assert_true(i > 0);
	a = line_seq(&s, (size_t)i);
	snprintf(v, sizeof(v), "records missing (seq %" PRIu64 "-%" PRIu64 ")", a, a + count - 1);
	sl_delete(&s, (size_t)i, count);
	assert_int_equal(sl_save(p, &s), 0);
	sl_free(&s);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[mid_seg()], v};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

static void test_record_deleted(void **state)
{
	NEED_FIXTURE();
	delete_records("deleted1", 1);
}

static void test_records_deleted(void **state)
{
	NEED_FIXTURE();
	delete_records("deleted3", 3);
}

/*
 * A copy of an earlier record inserted in the middle of a segment: "record M
 * inserted", M being the seq the inserted line carries.
 */
static void test_record_inserted(void **state)
{
	struct want_verdict w[1];
	char dir[400], p[700], v[VERDICT_LEN];
	struct seg_lines s;
	struct vres r;
	ssize_t i;
	size_t j;

	NEED_FIXTURE();
	scratch_log("inserted", 0, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.segs.v[mid_seg()]);
	assert_int_equal(sl_load(p, &s, 1), 0);
	i = pick_events(&s, s.n / 2, 1);
	assert_true(i > 5);
	for (j = (size_t)i - 5; j > 0 && !is_event(&s, j); j--)
		;
	assert_true(j > 0);
	snprintf(v, sizeof(v), "record %" PRIu64 " inserted", line_seq(&s, j));
	sl_insert(&s, (size_t)i, s.l[j], s.len[j]);
	assert_int_equal(sl_save(p, &s), 0);
	sl_free(&s);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[mid_seg()], v};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

/* Records N and N+1 swapped: reordering folds into "record N modified". */
static void test_records_swapped(void **state)
{
	struct want_verdict w[1];
	char dir[400], p[700], v[VERDICT_LEN], *t;
	struct seg_lines s;
	struct vres r;
	size_t tl;
	ssize_t i;

	NEED_FIXTURE();
	scratch_log("swapped", 0, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.segs.v[mid_seg()]);
	assert_int_equal(sl_load(p, &s, 1), 0);
	i = pick_events(&s, s.n / 2, 2);
	assert_true(i > 0);
	snprintf(v, sizeof(v), "record %" PRIu64 " modified", line_seq(&s, (size_t)i));
	t = s.l[i];
	tl = s.len[i];
	s.l[i] = s.l[i + 1];
	s.len[i] = s.len[i + 1];
	s.l[i + 1] = t;
	s.len[i + 1] = tl;
	assert_int_equal(sl_save(p, &s), 0);
	sl_free(&s);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[mid_seg()], v};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

/* A segment (not the newest) cut in the middle of its bytes: "truncated". */
static void test_segment_truncated(void **state)
{
	struct want_verdict w[1];
	char dir[400], p[700], *raw;
	struct inflated f;
	struct vres r;
	size_t len, cut;

	NEED_FIXTURE();
	scratch_log("truncated", 0, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.segs.v[mid_seg()]);
	raw = file_read(p, &len);
	assert_non_null(raw);
	assert_int_equal(inflate_data((unsigned char *)raw, len, &f), 0);
	free(raw);
	assert_true(f.complete && f.nends > 2);
	/* inside a member: a cut at a member's end would look like deleted records */
	cut = len / 2;
	for (size_t k = 0; k < f.nends; k++)
		if (f.ends[k] == cut)
			cut++;
	inflated_free(&f);
	assert_int_equal(truncate(p, (off_t)cut), 0);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[mid_seg()], "truncated"};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

/* A middle segment deleted: the next one says "segment missing between A and B". */
static void test_segment_deleted(void **state)
{
	struct want_verdict w[1];
	char dir[400], p[700], v[VERDICT_LEN];
	size_t m = mid_seg();
	struct vres r;

	NEED_FIXTURE();
	scratch_log("segdeleted", 0, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.segs.v[m]);
	assert_int_equal(unlink(p), 0);
	snprintf(v, sizeof(v), "segment missing between %s and %s", fx.segs.v[m - 1],
		 fx.segs.v[m + 1]);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[m + 1], v};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

/* Two segments' contents swapped (renamed): both are "segments out of order". */
static void test_segments_swapped(void **state)
{
	struct want_verdict w[2];
	char dir[400], a[700], b[700], t[720];
	size_t m = mid_seg();
	struct vres r;

	NEED_FIXTURE();
	assert_true(m + 1 < fx.segs.n - 1);
	scratch_log("segswapped", 0, dir, sizeof(dir));
	seg_path(a, sizeof(a), dir, fx.segs.v[m]);
	seg_path(b, sizeof(b), dir, fx.segs.v[m + 1]);
	snprintf(t, sizeof(t), "%s.tmp", a);
	assert_int_equal(rename(a, t), 0);
	assert_int_equal(rename(b, a), 0);
	assert_int_equal(rename(t, b), 0);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[m], "segments out of order"};
	w[1] = (struct want_verdict){fx.segs.v[m + 1], "segments out of order"};
	expect_report(&r, 1, w, 2);
	vres_free(&r);
	scratch_done(dir);
}

/* Verified with another host's root.pub: every segment "unknown root key". */
static void test_unknown_root_key(void **state)
{
	char other[400], pub[500], bin[512], *out = NULL;
	char *argv[] = {bin, (char *)"keygen", (char *)"--out", other, NULL};
	struct want_verdict w[MAX_SEGS];
	struct vres r;
	int st;

	NEED_FIXTURE();
	snprintf(other, sizeof(other), "%s/otherkeys", fx.base);
	snprintf(pub, sizeof(pub), "%s/root.pub", other);
	harness_bin("caudit", bin, sizeof(bin));
	assert_int_equal(run_cmd(argv, &out, &st), 0);
	free(out);
	assert_int_equal(st, 0);

	verify_dir(&r, fx.plain.log_dir, pub, NULL, 0);
	for (size_t i = 0; i < fx.segs.n; i++)
		w[i] = (struct want_verdict){fx.segs.v[i], "unknown root key"};
	expect_report(&r, 1, w, fx.segs.n);
	vres_free(&r);
	scratch_done(other);
}

/* The first segment copied after the newest under a new name: "segments out of order". */
static void test_segment_replayed(void **state)
{
	struct want_verdict w[1];
	char dir[400], a[700], b[700], name[STORE_SEG_NAME_LEN];
	struct vres r;

	NEED_FIXTURE();
	scratch_log("replayed", 0, dir, sizeof(dir));
	store_segment_name(name, seg_first_seq(fx.segs.v[fx.segs.n - 1]) + 100000);
	seg_path(a, sizeof(a), dir, fx.segs.v[0]);
	seg_path(b, sizeof(b), dir, name);
	assert_int_equal(copy_file(a, b), 0);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){name, "segments out of order"};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

/* ---- forging seals with a stolen later key ---- */

static void set_prev(struct seg_lines *s, size_t i, const uint8_t h[CRYPTO_HASH_LEN])
{
	char hex[2 * CRYPTO_HASH_LEN + 1];
	char *p = strstr(s->l[i], ",\"prev\":\"");

	assert_non_null(p);
	assert_true(p - s->l[i] < 64);
	cr_to_hex(hex, h, STORE_PREV_HEX / 2);
	memcpy(p + 9, hex, STORE_PREV_HEX);
}

/*
 * Re-sign the seal on line i over head h with the stolen key, its epoch set
 * to `epoch` when set_epoch; the line is rebuilt with the store's own writer.
 */
static void reseal(struct seg_lines *s, size_t i, const uint8_t h[CRYPTO_HASH_LEN], int set_epoch,
		   uint64_t epoch, const struct key_state *ks)
{
	json_object *o = json_tokener_parse(s->l[i]), *m;
	const char *time_s = jstr(o, "time"), *start, *end;
	struct store_seal z;
	struct jsonw w;
	size_t pre;
	char *nl;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "seal", &m));
	assert_int_equal(store_seal_read(m, &z), 0);
	assert_non_null(time_s);
	assert_int_equal(slog_time_ns(time_s, &z.time_ns), 0);
	json_object_put(o);
	memcpy(z.head, h, sizeof(z.head));
	if (set_epoch)
		z.epoch = epoch;
	store_seal_sign(&z, ks->root, ks->secret);

	jw_init(&w, 4096);
	jw_object_begin(&w, NULL);
	store_seal_write(&w, "seal", &z);
	jw_object_end(&w);
	assert_int_equal(w.err, 0);
	assert_true(w.len > 9 && !strncmp(w.buf, "{\"seal\":{", 9));
	start = strstr(s->l[i], "\"seal\":{");
	assert_non_null(start);
	start += 7;
	end = strchr(start, '}');
	assert_non_null(end);
	pre = (size_t)(start - s->l[i]);
	nl = xasprintf("%.*s%.*s%s", (int)pre, s->l[i], (int)(w.len - 9), w.buf + 8, end + 1);
	jw_free(&w);
	sl_replace(s, i, nl);
}

/*
 * What someone holding the newest epoch key (the key state now) can do to an
 * earlier block: change a record in it, fix every "prev" after it and re-sign
 * the seals with the key they have, under the seal's own epoch (which is not
 * theirs: "signature invalid") or under their key's epoch (which is not the
 * chain's there: "key not certified by the chain").
 */
static void forge_seal(const char *tag, int set_epoch, const char *want)
{
	struct want_verdict w[1];
	char dir[400], p[700], err[256];
	uint8_t h[CRYPTO_HASH_LEN];
	struct key_state ks;
	struct seg_lines s;
	struct vres r;
	json_object *o;
	size_t k = SIZE_MAX, seal = 0, rec = 0;
	const char *ph;

	memset(&s, 0, sizeof(s));
	assert_int_equal(keys_load(fx.plain.key_dir, &ks, err, sizeof(err)), 0);
	assert_int_equal(ks.cert.epoch, fx.last_epoch);
	scratch_log(tag, 0, dir, sizeof(dir));
	/* a seal of an earlier epoch, past the middle of a segment, over some events */
	for (size_t c = 0; c + 1 < fx.segs.n && k == SIZE_MAX; c++) {
		size_t seg = (mid_seg() + c) % (fx.segs.n - 1);

		seg_path(p, sizeof(p), dir, fx.segs.v[seg]);
		assert_int_equal(sl_load(p, &s, 1), 0);
		for (size_t i = s.n / 2; i < s.n && k == SIZE_MAX; i++) {
			int64_t e;

			if (!is_seal(&s, i))
				continue;
			o = json_tokener_parse(s.l[i]);
			e = jint(o, "seal.epoch");
			json_object_put(o);
			if (e < 0 || (uint64_t)e >= fx.last_epoch)
				continue;
			for (size_t j = i - 1; j > 0 && !is_seal(&s, j); j--) {
				if (is_event(&s, j) && pid_digit(s.l[j])) {
					k = seg;
					seal = i;
					rec = j;
					break;
				}
			}
		}
		if (k == SIZE_MAX)
			sl_free(&s);
	}
	assert_true(k != SIZE_MAX);

	/* the record */
	{
		char *d = pid_digit(s.l[rec]);

		*d = *d == '1' ? '2' : '1';
	}
	/* the chain from the segment's header on; prev fixed after the record */
	o = json_tokener_parse(s.l[0]);
	ph = jstr(o, "segment.prev_head");
	assert_non_null(ph);
	assert_int_equal(cr_from_hex(h, sizeof(h), ph, strlen(ph)), 0);
	json_object_put(o);
	for (size_t i = 0; i < s.n; i++) {
		if (i > rec)
			set_prev(&s, i, h);
		if (i >= seal && is_seal(&s, i))
			reseal(&s, i, h, set_epoch, ks.cert.epoch, &ks);
		cr_chain(h, h, s.l[i], s.len[i]);
	}
	keys_wipe(&ks);
	assert_int_equal(sl_save(p, &s), 0);
	sl_free(&s);

	verify_dir(&r, dir, fx.plain_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.segs.v[k], want};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

static void test_seal_forged_with_later_epoch(void **state)
{
	NEED_FIXTURE();
	forge_seal("forged-epoch", 1, "key not certified by the chain");
}

static void test_seal_resigned_with_later_key(void **state)
{
	NEED_FIXTURE();
	forge_seal("forged-sig", 0, "signature invalid");
}

/*
 * The key state put back to an early epoch after the log moved on: the agent
 * refuses to start ("rolled back") and leaves the log as it was.
 */
static void test_key_state_rolled_back(void **state)
{
	char dir[400], log[500], keys[500], early[500], st_path[600], *err;
	struct vres r;
	int st;

	NEED_FIXTURE();
	assert_true(fx.early_epoch < fx.last_epoch);
	snprintf(dir, sizeof(dir), "%s/rollback", fx.base);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(copy_dir(fx.plain.log_dir, log), 0);
	assert_int_equal(copy_dir(fx.plain.key_dir, keys), 0);
	snprintf(early, sizeof(early), "%s/%s", fx.early, KEYS_STATE);
	snprintf(st_path, sizeof(st_path), "%s/%s", keys, KEYS_STATE);
	assert_int_equal(copy_file(early, st_path), 0);

	sagent_init(&fx.rollback, dir, log, keys);
	assert_int_equal(sagent_spawn(&fx.rollback, STORE_CONF), 0);
	st = sagent_wait_exit(&fx.rollback, STOP_MS);
	err = sagent_stderr(&fx.rollback);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) == 0 || !strstr(err, "rolled back"))
		fprintf(stderr, "cauditd (status %d) said:\n%s\n", st, err);
	assert_true(st != -1);
	assert_true(WIFEXITED(st));
	assert_int_not_equal(WEXITSTATUS(st), 0);
	assert_non_null(strstr(err, "rolled back"));
	free(err);

	assert_true(same_dir(log, fx.plain.log_dir));
	verify_dir(&r, log, fx.plain_pub, NULL, 0);
	expect_report(&r, 0, NULL, 0);
	vres_free(&r);
	scratch_done(dir);
}

/* ---- encrypted segments ---- */

enum frame_pick {
	PICK_MIDDLE,	 /* a D frame in the middle of the segment, after another D frame */
	PICK_AFTER_SEAL, /* the first D frame of a block, after a seal (S frame) */
	PICK_FIRST,	 /* the segment's first D frame */
};

/*
 * One byte flipped in the ciphertext of a D frame of a middle encrypted
 * segment. Without the auditor's key the cipher chain breaks at the next
 * seal: "record S-1 modified", S the seal's seq (the last record it covers,
 * as verify_sealed_frame names it). With the key the frame does not
 * authenticate: "record N modified", N the first record in that frame (the
 * one after the seq the frame before it reached, D or S, or the segment's
 * first seq).
 */
static void flip_encrypted(const char *tag, enum frame_pick pick)
{
	struct want_verdict w[1];
	char dir[400], p[700], v1[VERDICT_LEN], v2[VERDICT_LEN];
	size_t m = fx.esegs.n / 2, len, off = STORE_ENC_HEADER_LEN, flip = 0;
	uint64_t before, first_in_frame = 0, seal_seq = 0;
	struct store_enc_header hdr;
	struct store_frame f;
	char last_type = 0;
	struct vres r;
	uint8_t *raw;

	scratch_log(tag, 1, dir, sizeof(dir));
	seg_path(p, sizeof(p), dir, fx.esegs.v[m]);
	raw = (uint8_t *)file_read(p, &len);
	assert_non_null(raw);
	assert_int_equal(store_enc_header_read(raw, len, &hdr), 0);
	before = seg_first_seq(fx.esegs.v[m]) - 1;
	for (;;) {
		uint64_t seq;
		int take;

		assert_int_equal(store_frame_next(raw, len, &off, &f), 1);
		if (f.type == STORE_FRAME_DATA) {
			switch (pick) {
			case PICK_MIDDLE:
				take = last_type == STORE_FRAME_DATA && off >= len / 2;
				break;
			case PICK_AFTER_SEAL:
				take = last_type == STORE_FRAME_SEAL && off >= len / 2;
				break;
			default:
				take = !last_type;
				break;
			}
			if (!flip && take && f.cipher_len > 32) {
				flip = (size_t)(f.cipher - raw) + f.cipher_len / 2;
				first_in_frame = before + 1;
			}
			before = f.last_seq;
		} else {
			assert_int_equal(store_record_seq((const char *)f.body, f.len, &seq), 0);
			before = seq;
			if (flip) {
				seal_seq = seq;
				break;
			}
		}
		last_type = f.type;
	}
	raw[flip] ^= 0x01;
	assert_int_equal(file_write(p, raw, len, 0640), 0);
	free(raw);

	snprintf(v1, sizeof(v1), "record %" PRIu64 " modified", seal_seq - 1);
	verify_dir(&r, dir, fx.enc_pub, NULL, 0);
	w[0] = (struct want_verdict){fx.esegs.v[m], v1};
	expect_report(&r, 1, w, 1);
	vres_free(&r);

	snprintf(v2, sizeof(v2), "record %" PRIu64 " modified", first_in_frame);
	verify_dir(&r, dir, fx.enc_pub, fx.dkey, 0);
	w[0] = (struct want_verdict){fx.esegs.v[m], v2};
	expect_report(&r, 1, w, 1);
	vres_free(&r);
	scratch_done(dir);
}

static void test_encrypted_segment_modified(void **state)
{
	NEED_FIXTURE();
	flip_encrypted("encrypted", PICK_MIDDLE);
}

static void test_encrypted_block_start_modified(void **state)
{
	NEED_FIXTURE();
	flip_encrypted("encrypted-block", PICK_AFTER_SEAL);
}

static void test_encrypted_segment_start_modified(void **state)
{
	NEED_FIXTURE();
	flip_encrypted("encrypted-start", PICK_FIRST);
}

/*
 * Records after the last seal of the newest segment (as the agent flushed
 * them); *seals: the seals before them.
 */
static ssize_t newest_tail(const char *log_dir, char *name, size_t namelen, int *has_text,
			   const char *needle, size_t *seals)
{
	struct names *n = malloc(sizeof(*n));
	struct seg_lines s;
	char p[700];
	ssize_t tail = -1;

	*has_text = 0;
	*seals = 0;
	if (!n || list_segs(log_dir, n) || !n->n) {
		free(n);
		return -1;
	}
	snprintf(name, namelen, "%s", n->v[n->n - 1]);
	seg_path(p, sizeof(p), log_dir, n->v[n->n - 1]);
	free(n);
	if (sl_load(p, &s, 0))
		return -1;
	tail = 0;
	for (size_t i = 0; i < s.n; i++) {
		tail = is_seal(&s, i) ? 0 : tail + 1;
		*seals += tail == 0;
		*has_text |= needle && strstr(s.l[i], needle) != NULL;
	}
	tail += s.torn != 0; /* a torn line counts as a record of the tail */
	sl_free(&s);
	return tail;
}

/* Wait until the newest segment holds needle and stops growing. */
static ssize_t wait_quiet_tail(const char *log_dir, const char *needle)
{
	char name[STORE_SEG_NAME_LEN], p[700];
	uint64_t deadline = now_ms_mono() + 20000, stable_since = 0;
	off_t last_size = -1;

	while (now_ms_mono() < deadline) {
		struct stat st;
		size_t seals;
		int has = 0;
		ssize_t tail = newest_tail(log_dir, name, sizeof(name), &has, needle, &seals);

		seg_path(p, sizeof(p), log_dir, name);
		if (tail >= 0 && has && stat(p, &st) == 0) {
			if (st.st_size != last_size) {
				last_size = st.st_size;
				stable_since = now_ms_mono();
			} else if (now_ms_mono() - stable_since >= 300) {
				return tail;
			}
		}
		sleep_ms(20);
	}
	return -1;
}

/*
 * kill -9 with records after the last seal: the newest segment has an
 * "unsealed tail (N records after the last seal)", which passes (exit 0)
 * except with --strict. Restarted, the agent seals it late and the log is valid.
 */
static void test_unsealed_tail_after_kill(void **state)
{
	char dir[400], pub[500], name[STORE_SEG_NAME_LEN], needle[64], v[VERDICT_LEN];
	struct want_verdict w[1];
	uint64_t next = 1;
	struct vres r;
	ssize_t tail = 0;
	size_t seals = 0;
	int has;

	NEED_FIXTURE();
	snprintf(dir, sizeof(dir), "%s/tail", fx.base);
	assert_int_equal(mkdir(dir, 0700), 0);
	sagent_init(&fx.tail, dir, NULL, NULL);
	snprintf(pub, sizeof(pub), "%s/root.pub", fx.tail.key_dir);
	assert_int_equal(sagent_start(&fx.tail, TAIL_CONF, START_MS), 0);
	/* events until records wait after the last (count) seal */
	for (int round = 0; round < 10 && tail <= 0; round++) {
		uint64_t nops = round ? 1 : 15;

		assert_int_equal(
		    WEXITSTATUS(wait_pid(gen_spawn(fx.gen_dir, "tail-", next, nops, 0, 0))), 0);
		next += nops;
		snprintf(needle, sizeof(needle), "/tail-%" PRIu64 ".r\"", next - 1);
		tail = wait_quiet_tail(fx.tail.log_dir, needle);
		assert_true(tail >= 0);
	}
	assert_true(tail > 0);
	/* reaped at the end: the kernel may take seconds to release its BPF programs */
	fx.killed = sagent_kill9_detach(&fx.tail, 10000);
	assert_true(fx.killed > 0);

	/* the truth after the kill */
	tail = newest_tail(fx.tail.log_dir, name, sizeof(name), &has, NULL, &seals);
	assert_true(tail > 0);
	assert_true(seals > 0);
	snprintf(v, sizeof(v), "unsealed tail (%zd records after the last seal)", tail);
	w[0] = (struct want_verdict){name, v};
	verify_dir(&r, fx.tail.log_dir, pub, NULL, 0);
	expect_report(&r, 0, w, 1);
	vres_free(&r);
	verify_dir(&r, fx.tail.log_dir, pub, NULL, 1);
	expect_report(&r, 1, w, 1);
	vres_free(&r);

	/* recovery: the tail sealed late, a new segment, a clean stop */
	assert_int_equal(sagent_start(&fx.tail, TAIL_CONF, START_MS), 0);
	assert_int_equal(stop_agent(&fx.tail), 0);
	verify_dir(&r, fx.tail.log_dir, pub, NULL, 1);
	expect_report(&r, 0, NULL, 0);
	vres_free(&r);
	reap_pid(fx.killed);
	fx.killed = 0;
	scratch_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pristine_logs_valid),
	    cmocka_unit_test(test_record_modified),
	    cmocka_unit_test(test_record_deleted),
	    cmocka_unit_test(test_records_deleted),
	    cmocka_unit_test(test_record_inserted),
	    cmocka_unit_test(test_records_swapped),
	    cmocka_unit_test(test_segment_truncated),
	    cmocka_unit_test(test_segment_deleted),
	    cmocka_unit_test(test_segments_swapped),
	    cmocka_unit_test(test_unknown_root_key),
	    cmocka_unit_test(test_segment_replayed),
	    cmocka_unit_test(test_seal_forged_with_later_epoch),
	    cmocka_unit_test(test_seal_resigned_with_later_key),
	    cmocka_unit_test(test_key_state_rolled_back),
	    cmocka_unit_test(test_encrypted_segment_modified),
	    cmocka_unit_test(test_encrypted_block_start_modified),
	    cmocka_unit_test(test_encrypted_segment_start_modified),
	    cmocka_unit_test(test_unsealed_tail_after_kill),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
