/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Store test helpers (store_check.h). The reader and the chain checker are
 * written from docs/log-format.md, independently of the agent's store: the
 * chain is recomputed with crypto_generichash directly; only the signed
 * messages (store_seal_verify, store_cert_verify) come from the library.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <zlib.h>

#include "harness.h"
#include "keys.h"
#include "store_check.h"

#define MAX_SEGS 100000
#define HASH_LEN 32

#define fail_with(msg, msglen, ...) ({ snprintf((msg), (msglen), __VA_ARGS__); -1; })

uint64_t now_ms_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

int rm_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- agent ---- */

void sagent_init(struct sagent *a, const char *dir, const char *log_dir, const char *key_dir)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->dir, sizeof(a->dir), "%s", dir);
	if (log_dir)
		snprintf(a->log_dir, sizeof(a->log_dir), "%s", log_dir);
	else
		snprintf(a->log_dir, sizeof(a->log_dir), "%s/log", dir);
	if (key_dir)
		snprintf(a->key_dir, sizeof(a->key_dir), "%s", key_dir);
	else
		snprintf(a->key_dir, sizeof(a->key_dir), "%s/keys", dir);
	snprintf(a->conf, sizeof(a->conf), "%s/cauditd.conf", dir);
	snprintf(a->err_path, sizeof(a->err_path), "%s/cauditd.stderr", dir);
}

int sagent_spawn(struct sagent *a, const char *extra_config)
{
	char bin[512];
	FILE *f;

	if (a->pid > 0)
		return -1;
	f = fopen(a->conf, "we");
	if (!f)
		return -1;
	fprintf(f, "log_dir = %s\nkey_dir = %s\n", a->log_dir, a->key_dir);
	harness_service_defaults(f, extra_config);
	fprintf(f, "%s\n", extra_config ? extra_config : "");
	if (fclose(f))
		return -1;
	harness_bin("cauditd", bin, sizeof(bin));
	a->pid = fork();
	if (a->pid < 0) {
		a->pid = 0;
		return -1;
	}
	if (a->pid == 0) {
		int fd;

		/* a test that dies must not leave its agent recording the machine */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(a->err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		execl(bin, bin, "-c", a->conf, "--foreground", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	return 0;
}

static int reap(struct sagent *a, int options, int *status)
{
	int st = 0;
	pid_t r;

	if (a->pid <= 0)
		return -1;
	do {
		r = waitpid(a->pid, &st, options);
	} while (r < 0 && errno == EINTR);
	if (r == a->pid) {
		a->pid = 0;
		if (status)
			*status = st;
		return 1;
	}
	return 0;
}

static int has_start_of(const struct slog *l, pid_t pid)
{
	static const char needle[] = "\"event\":\"agent.start\"";

	for (size_t i = 0; i < l->nlines; i++) {
		json_object *o;
		int found;

		if (!memmem(slog_text(l, i), l->lines[i].len, needle, sizeof(needle) - 1))
			continue;
		o = slog_parse(l, i);
		found = o && jint(o, "agent.pid") == pid;
		json_object_put(o);
		if (found)
			return 1;
	}
	return 0;
}

int sagent_wait_start(struct sagent *a, int timeout_ms, int *status)
{
	uint64_t deadline = now_ms_mono() + (uint64_t)timeout_ms;
	char msg[256];
	pid_t pid = a->pid;

	if (status)
		*status = -1;
	while (a->pid > 0) {
		struct slog l;
		int found;

		if (reap(a, WNOHANG, status) == 1) {
			fprintf(stderr, "store_check: cauditd %d exited during start\n", (int)pid);
			return -1;
		}
		found = slog_read_newest(&l, a->log_dir, msg, sizeof(msg)) == 0 &&
			has_start_of(&l, pid);
		slog_free(&l);
		if (found)
			return 0;
		if (now_ms_mono() >= deadline) {
			fprintf(stderr, "store_check: no agent.start of %d within %d ms\n",
				(int)pid, timeout_ms);
			return -1;
		}
		sleep_ms(20);
	}
	return -1;
}

int sagent_start(struct sagent *a, const char *extra_config, int timeout_ms)
{
	if (sagent_spawn(a, extra_config))
		return -1;
	return sagent_wait_start(a, timeout_ms, NULL);
}

int sagent_signal_wait(struct sagent *a, int sig)
{
	int st = -1;

	if (a->pid <= 0)
		return -1;
	kill(a->pid, sig);
	if (reap(a, 0, &st) != 1)
		return -1;
	return st;
}

/* 1 when every thread of pid has released its memory (or the process is gone). */
static int mm_released(pid_t pid)
{
	char path[64];
	struct dirent *de;
	int released = 1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d)) && released) {
		char p2[384], buf[128] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "%s/%s/statm", path, de->d_name);
		f = fopen(p2, "re");
		if (!f)
			continue; /* the thread is gone */
		if (fgets(buf, sizeof(buf), f) && strspn(buf, "0 \n") != strlen(buf))
			released = 0;
		fclose(f);
	}
	closedir(d);
	return released;
}

pid_t sagent_kill9_detach(struct sagent *a, int timeout_ms)
{
	uint64_t deadline = now_ms_mono() + (uint64_t)timeout_ms;
	pid_t pid = a->pid;

	if (pid <= 0)
		return -1;
	kill(pid, SIGKILL);
	while (!mm_released(pid)) {
		if (now_ms_mono() >= deadline)
			return -1;
		usleep(1000);
	}
	a->pid = 0;
	return pid;
}

int reap_pid(pid_t pid)
{
	int st = -1;
	pid_t r;

	do {
		r = waitpid(pid, &st, 0);
	} while (r < 0 && errno == EINTR);
	return r == pid ? st : -1;
}

int sagent_wait_exit(struct sagent *a, int timeout_ms)
{
	uint64_t deadline = now_ms_mono() + (uint64_t)timeout_ms;
	int st = -1;

	while (a->pid > 0) {
		if (reap(a, WNOHANG, &st) == 1)
			return st;
		if (now_ms_mono() >= deadline)
			return -1;
		sleep_ms(10);
	}
	return -1;
}

int sagent_alive(struct sagent *a)
{
	return a->pid > 0 && reap(a, WNOHANG, NULL) == 0;
}

static char *read_file(const char *path, size_t *len)
{
	struct stat sb;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (len)
		*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	while (buf && got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (buf) {
		buf[got] = 0;
		if (len)
			*len = got;
	}
	return buf;
}

char *sagent_stderr(struct sagent *a)
{
	char *s = read_file(a->err_path, NULL);

	return s ? s : strdup("");
}

int sagent_wait_stderr(struct sagent *a, const char *needle, int timeout_ms)
{
	uint64_t deadline = now_ms_mono() + (uint64_t)timeout_ms;

	for (;;) {
		char *s = sagent_stderr(a);
		int found = s && strstr(s, needle) != NULL;

		free(s);
		if (found)
			return 1;
		if (now_ms_mono() >= deadline)
			return 0;
		sleep_ms(20);
	}
}

/* ---- generator ---- */

int gen_start(struct gen *g, const char *dir, const char *prefix, unsigned pace_us,
	      uint64_t max_ops)
{
	void *shm;

	memset(g, 0, sizeof(*g));
	snprintf(g->dir, sizeof(g->dir), "%s", dir);
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return -1;
	g->done = shm;
	*g->done = 0;
	g->pid = fork();
	if (g->pid < 0) {
		g->pid = 0;
		return -1;
	}
	if (g->pid == 0) {
		char path[512];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, GEN_COMM, 0, 0, 0);
		for (uint64_t i = 1; !max_ops || i <= max_ops; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/%s%" PRIu64, dir, prefix, i);
			fd = (int)syscall(SYS_openat, AT_FDCWD, path,
					  O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
			if (fd >= 0)
				close(fd);
			syscall(SYS_unlink, path);
			*g->done = i;
			if (pace_us)
				usleep(pace_us);
		}
		_exit(0);
	}
	return 0;
}

static uint64_t gen_reap(struct gen *g, int sig)
{
	uint64_t done = g->done ? *g->done : 0;

	if (g->pid > 0) {
		int st;

		if (sig)
			kill(g->pid, sig);
		while (waitpid(g->pid, &st, 0) < 0 && errno == EINTR)
			;
		g->pid = 0;
	}
	if (g->done) {
		done = *g->done;
		munmap((void *)g->done, 4096);
		g->done = NULL;
	}
	return done;
}

uint64_t gen_stop(struct gen *g)
{
	return gen_reap(g, SIGKILL);
}

uint64_t gen_join(struct gen *g)
{
	return gen_reap(g, 0);
}

/* ---- reading segments ---- */

static int seg_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Segment names of dir, sorted; *n of them (malloc'd array of malloc'd names). */
static char **list_segments(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;
	uint64_t seq;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) && *n < MAX_SEGS) {
		if (store_segment_parse(de->d_name, &seq))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 64) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		v[(*n)++] = strdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), seg_cmp);
	return v;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct member_ends {
	size_t *v;
	size_t n, cap;
};

/*
 * Inflate every gzip member of data into s->text; members ending cleanly are
 * recorded (text offsets) in ends; *sealed_len is the text inside complete
 * members, *file_end the file offset after the last complete member.
 */
static int inflate_all(const unsigned char *data, size_t size, struct slog_seg *s,
		       struct member_ends *ends, size_t *sealed_len, size_t *file_end)
{
	z_stream z;
	size_t cap = 1 << 20, pos = 0;
	int zr = Z_OK;

	memset(&z, 0, sizeof(z));
	*sealed_len = 0;
	*file_end = 0;
	s->text = malloc(cap);
	s->text_len = 0;
	if (!s->text || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	while (pos < size) {
		z.next_in = (Bytef *)data + pos;
		z.avail_in = (uInt)(size - pos);
		for (;;) {
			if (cap - s->text_len < (1 << 18)) {
				char *nt = realloc(s->text, cap * 2);

				if (!nt) {
					inflateEnd(&z);
					return -1;
				}
				s->text = nt;
				cap *= 2;
			}
			z.next_out = (Bytef *)s->text + s->text_len;
			z.avail_out = (uInt)(cap - s->text_len);
			zr = inflate(&z, Z_NO_FLUSH);
			s->text_len = (size_t)((char *)z.next_out - s->text);
			if (zr != Z_OK)
				break;
			if (z.avail_in == 0 && z.avail_out != 0)
				break; /* all input used, no output pending */
		}
		if (zr != Z_STREAM_END)
			break; /* the unfinished (or damaged) member */
		pos = (size_t)((const unsigned char *)z.next_in - data);
		*file_end = pos;
		*sealed_len = s->text_len;
		if (ends->n == ends->cap) {
			size_t ncap = ends->cap ? ends->cap * 2 : 256;
			size_t *nv = realloc(ends->v, ncap * sizeof(*nv));

			if (!nv) {
				inflateEnd(&z);
				return -1;
			}
			ends->v = nv;
			ends->cap = ncap;
		}
		ends->v[ends->n++] = s->text_len;
		inflateReset(&z);
	}
	inflateEnd(&z);
	return 0;
}

static int add_segment(struct slog *l, const char *dir, const char *name, char *msg,
		       size_t msglen)
{
	struct member_ends ends = {};
	struct slog_seg *s;
	char path[1024];
	size_t size, sealed_len, file_end, me = 0, start = 0;
	unsigned char *data;
	int r = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	data = (unsigned char *)read_file(path, &size);
	if (!data)
		return fail_with(msg, msglen, "%s: %s", path, strerror(errno));
	s = realloc(l->segs, (l->nsegs + 1) * sizeof(*s));
	if (!s)
		goto out;
	l->segs = s;
	s = &l->segs[l->nsegs++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->file_size = size;
	s->first_line = l->nlines;
	if (inflate_all(data, size, s, &ends, &sealed_len, &file_end)) {
		fail_with(msg, msglen, "%s: out of memory", path);
		goto out;
	}
	s->complete = size > 0 && file_end == size;
	for (size_t i = 0; i < s->text_len; i++) {
		struct slog_line *ln;

		if (s->text[i] != '\n')
			continue;
		if (l->nlines % 4096 == 0) {
			struct slog_line *nl = realloc(l->lines, (l->nlines + 4096) * sizeof(*nl));

			if (!nl)
				goto out;
			l->lines = nl;
		}
		ln = &l->lines[l->nlines++];
		ln->off = start;
		ln->len = i - start;
		ln->seg = (uint32_t)(l->nsegs - 1);
		ln->sealed = i + 1 <= sealed_len;
		while (me < ends.n && ends.v[me] < i + 1)
			me++;
		ln->member_end = me < ends.n && ends.v[me] == i + 1;
		if (ln->sealed)
			s->sealed_lines++;
		s->nlines++;
		start = i + 1;
	}
	s->torn = s->text_len - start;
	r = 0;
out:
	free(ends.v);
	free(data);
	return r;
}

int slog_read(struct slog *l, const char *log_dir, char *msg, size_t msglen)
{
	size_t n;
	char **names = list_segments(log_dir, &n);
	int r = 0;

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n && !r; i++)
		r = add_segment(l, log_dir, names[i], msg, msglen);
	free_names(names, n);
	return r;
}

int slog_read_newest(struct slog *l, const char *log_dir, char *msg, size_t msglen)
{
	size_t n;
	char **names = list_segments(log_dir, &n);
	int r = 0;

	memset(l, 0, sizeof(*l));
	if (n)
		r = add_segment(l, log_dir, names[n - 1], msg, msglen);
	free_names(names, n);
	return r;
}

void slog_free(struct slog *l)
{
	for (size_t i = 0; i < l->nsegs; i++)
		free(l->segs[i].text);
	free(l->segs);
	free(l->lines);
	memset(l, 0, sizeof(*l));
}

json_object *slog_parse(const struct slog *l, size_t i)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, slog_text(l, i), (int)l->lines[i].len);
	if (o && (json_tokener_get_parse_end(tok) != l->lines[i].len ||
		  !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* ---- certificates ---- */

int slog_certs_read(struct slog_certs *c, const char *log_dir, const uint8_t root[CRYPTO_PUB_LEN],
		    char *msg, size_t msglen)
{
	char path[1024], *buf, *p, *nl;
	size_t len;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/certs.jsonl", log_dir);
	buf = read_file(path, &len);
	if (!buf)
		return fail_with(msg, msglen, "%s: %s", path, strerror(errno));
	if (!len || buf[len - 1] != '\n') {
		free(buf);
		return fail_with(msg, msglen, "%s: empty or not ending with a newline", path);
	}
	for (p = buf; p < buf + len; p = nl + 1) {
		struct store_cert cert, *nc;
		json_object *o;
		const uint8_t *signer;

		nl = memchr(p, '\n', (size_t)(buf + len - p));
		*nl = 0;
		o = json_tokener_parse(p);
		if (store_cert_read(o, &cert)) {
			json_object_put(o);
			free(buf);
			return fail_with(msg, msglen, "%s line %zu: not a certificate", path,
					 c->n + 1);
		}
		json_object_put(o);
		if (cert.epoch != c->n) {
			free(buf);
			return fail_with(msg, msglen,
					 "%s line %zu: epoch %" PRIu64 ", expected %zu", path,
					 c->n + 1, cert.epoch, c->n);
		}
		signer = c->n ? c->c[c->n - 1].pub : root;
		if (store_cert_verify(&cert, root, signer)) {
			free(buf);
			return fail_with(msg, msglen,
					 "%s: certificate %zu does not verify (%s key)", path,
					 c->n, c->n ? "previous" : "root");
		}
		if (c->n == 0) {
			c->line0 = strndup(p, (size_t)(nl - p));
			c->line0_len = (size_t)(nl - p);
		}
		nc = realloc(c->c, (c->n + 1) * sizeof(*nc));
		if (!nc) {
			free(buf);
			return fail_with(msg, msglen, "out of memory");
		}
		c->c = nc;
		c->c[c->n++] = cert;
	}
	free(buf);
	return 0;
}

void slog_certs_free(struct slog_certs *c)
{
	free(c->c);
	free(c->line0);
	memset(c, 0, sizeof(*c));
}

/* ---- the chain ---- */

int slog_time_ns(const char *s, uint64_t *ns)
{
	struct tm tm = {};
	unsigned long frac;
	char z;
	time_t t;

	if (!s || strlen(s) != 30 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%9lu%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac, &z) != 8 || z != 'Z')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t < 0)
		return -1;
	*ns = (uint64_t)t * 1000000000ull + frac;
	return 0;
}

static void chain_step(uint8_t h[HASH_LEN], const char *line, size_t len)
{
	crypto_generichash_state s;

	crypto_generichash_init(&s, NULL, 0, HASH_LEN);
	crypto_generichash_update(&s, h, HASH_LEN);
	crypto_generichash_update(&s, (const unsigned char *)line, len);
	crypto_generichash_final(&s, h, HASH_LEN);
}

static void to_hex(char *out, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* The "prev" member must follow seq directly: {"schema":1,"seq":N,"prev":"<16 hex>", */
static int prev_ok(const char *line, size_t len, const uint8_t h[HASH_LEN])
{
	static const char pfx[] = "{\"schema\":1,\"seq\":";
	char hex[17];
	size_t i = sizeof(pfx) - 1;

	if (len < i || memcmp(line, pfx, i))
		return 0;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	to_hex(hex, h, 8);
	return len >= i + 26 && memcmp(line + i, ",\"prev\":\"", 9) == 0 &&
	       memcmp(line + i + 9, hex, 16) == 0 && memcmp(line + i + 25, "\",", 2) == 0;
}

static int str_is(json_object *o, const char *path, const char *want)
{
	const char *s = jstr(o, path);

	return s && want && strcmp(s, want) == 0;
}

static int check_head_json(const struct slog *l, const char *log_dir, uint64_t first_seq,
			   uint64_t last_seal_seq, unsigned flags, char *msg, size_t msglen)
{
	char path[1024];
	json_object *h, *seal_rec;
	uint64_t seal_seq;
	size_t idx;
	int r = -1;

	snprintf(path, sizeof(path), "%s/head.json", log_dir);
	h = json_object_from_file(path);
	if (!h)
		return fail_with(msg, msglen, "%s: missing or not JSON", path);
	if (jint(h, "seal_seq") <= 0 || (uint64_t)jint(h, "seal_seq") < first_seq) {
		fail_with(msg, msglen, "head.json: seal_seq %lld outside the log",
			  (long long)jint(h, "seal_seq"));
		goto out;
	}
	seal_seq = (uint64_t)jint(h, "seal_seq");
	if (!(flags & (SLOG_OPEN_TAIL | SLOG_HEAD_LAGS)) && seal_seq != last_seal_seq) {
		fail_with(msg, msglen,
			  "head.json names the seal at seq %" PRIu64 ", the log's last seal is at %"
			  PRIu64, seal_seq, last_seal_seq);
		goto out;
	}
	idx = (size_t)(seal_seq - first_seq);
	if (idx >= l->nlines) {
		fail_with(msg, msglen, "head.json: seal seq %" PRIu64 " beyond the log", seal_seq);
		goto out;
	}
	seal_rec = slog_parse(l, idx);
	if (!seal_rec || !str_is(seal_rec, "event", "log.seal") ||
	    !str_is(h, "segment", l->segs[l->lines[idx].seg].name) ||
	    !str_is(h, "head", jstr(seal_rec, "seal.head")) ||
	    !str_is(h, "seal.sig", jstr(seal_rec, "seal.sig")) ||
	    jint(h, "last_seq") != jint(seal_rec, "seal.last_seq") ||
	    jint(h, "seal.last_seq") != jint(seal_rec, "seal.last_seq") ||
	    jint(h, "epoch") != jint(seal_rec, "seal.epoch")) {
		json_object_put(seal_rec);
		fail_with(msg, msglen, "head.json does not match the seal record at seq %" PRIu64,
			  seal_seq);
		goto out;
	}
	json_object_put(seal_rec);
	r = 0;
out:
	json_object_put(h);
	return r;
}

static const char *const reasons[] = { "count",    "interval", "idle",
				       "rotate",   "shutdown", "recovery" };

/* The checker's state while it walks the log. */
struct chk {
	const struct slog *l;
	const struct slog_certs *certs;
	const uint8_t *root;
	char root_hex[2 * HASH_LEN + 1];
	unsigned flags;
	uint8_t h[HASH_LEN];  /* h(seq - 1) while line seq is checked */
	uint64_t expect;      /* the next seq */
	uint64_t block_start; /* first seq of the open block */
	uint64_t last_seal_seq, seal_epoch, key_epoch;
	int64_t prev_index;   /* index of the segment before */
	struct slog_stats *st;
	char *msg;
	size_t msglen;
};

/* The oldest line: where the chain starts. */
static int chk_start(struct chk *c, json_object *o, uint64_t seq)
{
	const char *ph = jstr(o, "segment.prev_head");

	if (seq == 1) {
		crypto_generichash(c->h, HASH_LEN, (const unsigned char *)c->certs->line0,
				   c->certs->line0_len, NULL, 0);
	} else if (!(c->flags & SLOG_RETAINED)) {
		return fail_with(c->msg, c->msglen, "the log starts at seq %" PRIu64, seq);
	} else if (!ph || strlen(ph) != 64 ||
		   sodium_hex2bin(c->h, HASH_LEN, ph, 64, NULL, NULL, NULL)) {
		return fail_with(c->msg, c->msglen, "oldest segment: no prev_head");
	}
	c->st->first_seq = seq;
	c->block_start = seq;
	return 0;
}

/* A segment's first record: log.segment linked to the segment before. */
static int chk_header(struct chk *c, size_t s, json_object *o, const char *ev, uint64_t seq)
{
	const char *name = c->l->segs[s].name, *prev = jstr(o, "segment.prev");
	int64_t idx = jint(o, "segment.index"), epoch = jint(o, "segment.epoch");
	char want[STORE_SEG_NAME_LEN], hex[2 * HASH_LEN + 1];

	store_segment_name(want, seq);
	to_hex(hex, c->h, HASH_LEN);
	if (strcmp(ev, "log.segment"))
		return fail_with(c->msg, c->msglen, "%s: first record is %s", name, ev);
	if (strcmp(want, name) || !str_is(o, "segment.name", name))
		return fail_with(c->msg, c->msglen, "%s: first seq %" PRIu64 ", header names %s",
				 name, seq, jstr(o, "segment.name"));
	if (s == 0 && seq == 1) {
		if (!jis_null(o, "segment.prev") || idx != 1)
			return fail_with(c->msg, c->msglen,
					 "%s: the first segment must have prev null, index 1",
					 name);
	} else if (s == 0) {
		snprintf(c->st->first_prev, sizeof(c->st->first_prev), "%s", prev ? prev : "");
	} else if (!str_is(o, "segment.prev", c->l->segs[s - 1].name) ||
		   idx != c->prev_index + 1) {
		return fail_with(c->msg, c->msglen,
				 "%s: header prev %s index %lld, expected %s %lld", name, prev,
				 (long long)idx, c->l->segs[s - 1].name,
				 (long long)c->prev_index + 1);
	}
	c->prev_index = idx;
	if (jint(o, "segment.prev_last_seq") != (int64_t)seq - 1 ||
	    !str_is(o, "segment.prev_head", hex))
		return fail_with(c->msg, c->msglen,
				 "%s: prev_last_seq %lld prev_head %s, recomputed %" PRIu64 " %s",
				 name, (long long)jint(o, "segment.prev_last_seq"),
				 jstr(o, "segment.prev_head"), seq - 1, hex);
	if (!str_is(o, "segment.root", c->root_hex) || epoch < 0 ||
	    (uint64_t)epoch >= c->certs->n)
		return fail_with(c->msg, c->msglen, "%s: header root or epoch wrong", name);
	if (c->block_start != seq)
		return fail_with(c->msg, c->msglen, "%s: begins inside the block from %" PRIu64,
				 name, c->block_start);
	return 0;
}

/* A log.seal: its block, head, epoch, signature, and the gzip member it ends. */
static int chk_seal(struct chk *c, size_t i, int open_ok, json_object *o, uint64_t seq)
{
	const struct slog_line *ln = &c->l->lines[i];
	struct store_seal z;
	int known = 0;

	if (store_seal_read(jget(o, "seal"), &z) || slog_time_ns(jstr(o, "time"), &z.time_ns))
		return fail_with(c->msg, c->msglen, "seq %" PRIu64 ": malformed seal", seq);
	for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++)
		known |= strcmp(z.reason, reasons[k]) == 0;
	if (z.last_seq != seq - 1 || z.first_seq != c->block_start ||
	    z.count != z.last_seq - z.first_seq + 1)
		return fail_with(c->msg, c->msglen,
				 "seal at %" PRIu64 ": first_seq %" PRIu64 " last_seq %" PRIu64
				 " count %" PRIu64 ", block is %" PRIu64 "..%" PRIu64,
				 seq, z.first_seq, z.last_seq, z.count, c->block_start, seq - 1);
	if (memcmp(z.head, c->h, HASH_LEN))
		return fail_with(c->msg, c->msglen,
				 "seal at %" PRIu64 ": head is not the recomputed h(%" PRIu64 ")",
				 seq, seq - 1);
	if (z.epoch >= c->certs->n || z.epoch < c->seal_epoch)
		return fail_with(c->msg, c->msglen,
				 "seal at %" PRIu64 ": epoch %" PRIu64 " (%zu certificates, "
				 "previous seal %" PRIu64 ")",
				 seq, z.epoch, c->certs->n, c->seal_epoch);
	if (z.first_seq < c->certs->c[z.epoch].start_seq)
		return fail_with(c->msg, c->msglen,
				 "seal at %" PRIu64 ": epoch %" PRIu64 " seals from %" PRIu64
				 ", before its certificate's start_seq %" PRIu64,
				 seq, z.epoch, z.first_seq, c->certs->c[z.epoch].start_seq);
	if (store_seal_verify(&z, c->root, c->certs->c[z.epoch].pub))
		return fail_with(c->msg, c->msglen,
				 "seal at %" PRIu64 ": signature invalid for the epoch %" PRIu64
				 " key", seq, z.epoch);
	if (!known || z.late != (strcmp(z.reason, "recovery") == 0))
		return fail_with(c->msg, c->msglen, "seal at %" PRIu64 ": reason %s, late %d", seq,
				 z.reason, z.late);
	if (!ln->member_end && !(open_ok && !ln->sealed))
		return fail_with(c->msg, c->msglen,
				 "seal at %" PRIu64 " does not end a gzip member", seq);
	c->seal_epoch = z.epoch;
	c->block_start = seq + 1;
	c->last_seal_seq = seq;
	c->st->seals++;
	c->st->late_seals += z.late != 0;
	c->st->recovery_seals += strcmp(z.reason, "recovery") == 0;
	return 0;
}

/* A log.key: the certificate of its epoch in certs.jsonl; epochs never go back. */
static int chk_key(struct chk *c, json_object *o, uint64_t seq)
{
	struct store_cert k;

	if (store_cert_read(jget(o, "key"), &k) || k.epoch >= c->certs->n ||
	    memcmp(&k, &c->certs->c[k.epoch], sizeof(k)) || k.epoch < c->key_epoch ||
	    k.start_seq > seq)
		return fail_with(c->msg, c->msglen,
				 "log.key at %" PRIu64 " does not match certs.jsonl, or goes back",
				 seq);
	c->key_epoch = k.epoch;
	c->st->keys++;
	return 0;
}

static int chk_other(struct chk *c, json_object *o, const char *ev, uint64_t seq)
{
	json_object *clean;

	if (strcmp(ev, "log.restart") == 0) {
		clean = jget(o, "restart.clean");
		if (!clean || !json_object_is_type(clean, json_type_boolean))
			return fail_with(c->msg, c->msglen, "log.restart at %" PRIu64 ": no clean",
					 seq);
		c->st->restarts++;
		c->st->unclean_restarts += !json_object_get_boolean(clean);
	} else if (strcmp(ev, "log.gap") == 0) {
		c->st->gaps++;
		c->st->lost += (uint64_t)jint(o, "gap.lost");
	} else if (strcmp(ev, "log.retention") == 0) {
		c->st->retentions++;
	}
	return 0;
}

/* Line i (of segment s): numbering, link, and what its event requires. */
static int chk_line(struct chk *c, size_t s, size_t i, int open_ok, json_object *o)
{
	const char *name = c->l->segs[s].name, *line = slog_text(c->l, i), *ev;
	size_t len = c->l->lines[i].len, at = i - c->l->segs[s].first_line + 1;
	uint64_t seq;
	int r;

	if (!o)
		return fail_with(c->msg, c->msglen, "%s line %zu: not one JSON object: %.200s",
				 name, at, line);
	if (store_record_seq(line, len, &seq) || jint(o, "seq") != (int64_t)seq ||
	    jint(o, "schema") != 1)
		return fail_with(c->msg, c->msglen,
				 "%s line %zu: no {\"schema\":1,\"seq\":N prefix", name, at);
	ev = jstr(o, "event");
	if (!ev)
		return fail_with(c->msg, c->msglen, "seq %" PRIu64 ": no event", seq);
	if (i == 0) {
		r = chk_start(c, o, seq);
		if (r)
			return r;
	} else if (seq != c->expect) {
		return fail_with(c->msg, c->msglen, "%s: seq %" PRIu64 " follows %" PRIu64 " (%s)",
				 name, seq, c->expect - 1,
				 seq < c->expect ? "duplicate or reordered" : "gap");
	}
	if (!prev_ok(line, len, c->h) || !jstr(o, "prev"))
		return fail_with(c->msg, c->msglen,
				 "seq %" PRIu64 ": prev does not name h(%" PRIu64 ")", seq,
				 seq - 1);
	if (strncmp(ev, "log.", 4) == 0 && !str_is(o, "category", "log"))
		return fail_with(c->msg, c->msglen, "seq %" PRIu64 ": %s not in category log",
				 seq, ev);
	if (at == 1)
		r = chk_header(c, s, o, ev, seq);
	else if (strcmp(ev, "log.segment") == 0)
		r = fail_with(c->msg, c->msglen, "seq %" PRIu64 ": log.segment inside %s", seq,
			      name);
	else
		r = 0;
	if (r)
		return r;
	if (strcmp(ev, "log.seal") == 0)
		r = chk_seal(c, i, open_ok, o, seq);
	else if (c->l->lines[i].member_end)
		r = fail_with(c->msg, c->msglen,
			      "a gzip member ends at seq %" PRIu64 " (%s), not at a seal", seq, ev);
	else if (strcmp(ev, "log.key") == 0)
		r = chk_key(c, o, seq);
	else
		r = chk_other(c, o, ev, seq);
	if (r)
		return r;
	chain_step(c->h, line, len);
	c->expect = seq + 1;
	c->st->last_seq = seq;
	return 0;
}

static int chk_segment(struct chk *c, size_t s)
{
	const struct slog_seg *sg = &c->l->segs[s];
	int open_ok = s + 1 == c->l->nsegs && (c->flags & SLOG_OPEN_TAIL);

	if (!sg->nlines)
		return fail_with(c->msg, c->msglen, "%s: no complete record", sg->name);
	if (!open_ok && (!sg->complete || sg->torn || sg->sealed_lines != sg->nlines ||
			 !c->l->lines[sg->first_line + sg->nlines - 1].member_end))
		return fail_with(c->msg, c->msglen,
				 "%s: does not end with a complete gzip member closed by a seal "
				 "(%zu of %zu lines sealed, %zu torn bytes, size %" PRIu64 ")",
				 sg->name, sg->sealed_lines, sg->nlines, sg->torn, sg->file_size);
	for (size_t i = sg->first_line; i < sg->first_line + sg->nlines; i++) {
		json_object *o = slog_parse(c->l, i);
		int r = chk_line(c, s, i, open_ok, o);

		json_object_put(o);
		if (r)
			return r;
	}
	return 0;
}

int slog_check(const struct slog *l, const struct slog_certs *certs,
	       const uint8_t root[CRYPTO_PUB_LEN], const char *log_dir, unsigned flags,
	       struct slog_stats *st, char *msg, size_t msglen)
{
	struct chk c = {
		.l = l, .certs = certs, .root = root, .flags = flags,
		.st = st, .msg = msg, .msglen = msglen,
	};

	memset(st, 0, sizeof(*st));
	to_hex(c.root_hex, root, CRYPTO_PUB_LEN);
	if (!l->nlines)
		return fail_with(msg, msglen, "the log has no records");
	if (!certs->n)
		return fail_with(msg, msglen, "certs.jsonl has no certificate");
	for (size_t s = 0; s < l->nsegs; s++) {
		if (chk_segment(&c, s))
			return -1;
	}
	memcpy(st->head, c.h, HASH_LEN);
	if (!c.last_seal_seq)
		return fail_with(msg, msglen, "no seal in the log");
	return check_head_json(l, log_dir, st->first_seq, c.last_seal_seq, flags, msg, msglen);
}

int slog_verify_dir(const char *log_dir, const char *key_dir, unsigned flags,
		    struct slog_stats *st, char *msg, size_t msglen)
{
	uint8_t root[CRYPTO_PUB_LEN];
	struct slog_certs c;
	struct slog l;
	char path[1024], err[512] = "";
	int r;

	snprintf(path, sizeof(path), "%s/root.pub", key_dir);
	if (keys_read_root_pub(path, root, err, sizeof(err)))
		return fail_with(msg, msglen, "%s", err);
	if (slog_certs_read(&c, log_dir, root, msg, msglen))
		return -1;
	r = slog_read(&l, log_dir, msg, msglen);
	if (!r)
		r = slog_check(&l, &c, root, log_dir, flags, st, msg, msglen);
	slog_free(&l);
	slog_certs_free(&c);
	return r;
}

/* ---- caudit verify ---- */

int run_caudit_verify(const char *key_dir, const char *log_dir, char **output, int *status)
{
	char bin[512], pub[1024];
	size_t len = 0, cap = 4096;
	int pfd[2], st = 0;
	char *buf;
	pid_t pid;

	*output = NULL;
	*status = -1;
	harness_bin("caudit", bin, sizeof(bin));
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "NOTE: %s is not built: the `caudit verify` check is skipped "
			"(the log was checked by the test's own chain verifier)\n", bin);
		return 0;
	}
	snprintf(pub, sizeof(pub), "%s/root.pub", key_dir);
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execl(bin, bin, "verify", "--pubkey", pub, log_dir, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	buf = malloc(cap);
	for (;;) {
		ssize_t n;

		if (buf && cap - len < 2048) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
			} else {
				buf = nb;
				cap *= 2;
			}
		}
		if (!buf) {
			char sink[4096];

			n = read(pfd[0], sink, sizeof(sink));
		} else {
			n = read(pfd[0], buf + len, cap - len - 1);
			if (n > 0)
				len += (size_t)n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!buf)
		return -1;
	buf[len] = 0;
	*output = buf;
	*status = st;
	return 1;
}

const char *verify_bad_verdict(const char *output)
{
	static const char *const bad[] = {
		"modified", "missing", "inserted", "out of order", "truncated",
		"signature invalid", "not certified", "unknown root", "malformed",
		"does not match", "ends before", "failed",
	};
	const char *p = output;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 p);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strcasestr(line, bad[i]))
				return bad[i];
		}
		/* a segment's verdict line must pass */
		if (strncmp(line + strspn(line, " \t"), "seg-", 4) == 0 &&
		    !strcasestr(line, "valid") && !strcasestr(line, "unsealed tail"))
			return "a segment without a valid verdict";
		p = e ? e + 1 : NULL;
	}
	return NULL;
}
