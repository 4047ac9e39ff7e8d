/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loggen: a signed log of N realistic events for the search benchmark,
 * written as the store writes it (docs/log-format.md): chained records with
 * "prev", a seal every 1000 records (gzip member, compression level 1),
 * rotation every --segment records with a signed segment index, certs.jsonl,
 * head.json, root.pub. Events span --days days ending now.
 *
 *   loggen DIR N [--segment RECORDS] [--days D]
 *
 * Mix (per record, seeded, reproducible): 55% file.open (a third of them
 * writes), 15% file.unlink/rename/chmod, 15% process.exec, 8% net.connect,
 * 5% process.exit, 2% user.login with an origin. 2000 users, 300
 * executables, paths under /home, /var, /etc, /tmp, /usr. The user
 * "needle" is rare: about 1 record in 10,000, spread over the whole span.
 * Prints the time of the needle's busiest hour for the benchmark query.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "crypto.h"
#include "encode.h"
#include "jsonw.h"
#include "seg_index.h"
#include "store_format.h"

#define SEAL_EVERY 1000
#define NS 1000000000ll

static struct {
	const char *dir;
	uint8_t root_pub[CRYPTO_PUB_LEN], root_sec[CRYPTO_SECRET_LEN];
	uint8_t pub[CRYPTO_PUB_LEN], sec[CRYPTO_SECRET_LEN];
	uint8_t h[CRYPTO_HASH_LEN];
	uint64_t seq, block_first, index;
	char seg[STORE_SEG_NAME_LEN];
	int fd;
	z_stream z;
	unsigned char zout[1 << 18];
	struct six_builder ix;
	struct store_seal last;
	uint64_t rng;
	int64_t now;
} G;

static uint64_t rnd(void)
{
	G.rng ^= G.rng << 13;
	G.rng ^= G.rng >> 7;
	G.rng ^= G.rng << 17;
	return G.rng;
}

static void die(const char *m)
{
	fprintf(stderr, "loggen: %s: %s\n", m, strerror(errno));
	exit(1);
}

static void wr(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k <= 0)
			die("write");
		c += k;
		n -= (size_t)k;
	}
}

static void deflate_some(const void *p, size_t n, int flush)
{
	G.z.next_in = (unsigned char *)p;
	G.z.avail_in = (uInt)n;
	do {
		G.z.next_out = G.zout;
		G.z.avail_out = sizeof(G.zout);
		deflate(&G.z, flush);
		wr(G.fd, G.zout, sizeof(G.zout) - G.z.avail_out);
	} while (G.z.avail_out == 0 || (flush == Z_FINISH && G.z.avail_in));
}

/* Append one record (rec: the encoder's object, with "seq" after "schema"). */
static void append(const char *rec, size_t len)
{
	static char line[16384];
	int n = store_splice_prev(line, sizeof(line) - 1, rec, len, G.h);

	if (n < 0) {
		errno = EINVAL;
		die("splice");
	}
	cr_chain(G.h, G.h, line, (size_t)n);
	six_add_line(&G.ix, line, (size_t)n);
	line[n] = '\n';
	deflate_some(line, (size_t)n + 1, Z_NO_FLUSH);
}

static void header_begin(struct jsonw *w, const char *event, const char *cat)
{
	char ts[40];

	jw_reset(w);
	jw_object_begin(w, NULL);
	jw_uint(w, "schema", 1);
	jw_uint(w, "seq", ++G.seq);
	encode_time(ts, G.now);
	jw_cstring(w, "time", ts);
	jw_object_begin(w, "host");
	jw_cstring(w, "name", "bench-host");
	jw_cstring(w, "machine_id", "3d1219c7c4c5404aaa1f6d2a48adfda4");
	jw_cstring(w, "boot_id", "16220d1d-4aa0-4606-aa7f-8e4c43064fe3");
	jw_object_end(w);
	jw_cstring(w, "event", event);
	jw_cstring(w, "category", cat);
}

static void store_record(struct jsonw *w, const char *event)
{
	header_begin(w, event, "log");
}

static void finish(struct jsonw *w)
{
	jw_object_end(w);
	if (w->err) {
		errno = -w->err;
		die("json");
	}
	append(w->buf, w->len);
}

static void seal(struct jsonw *w, const char *reason)
{
	struct store_seal s = {0};

	s.epoch = 0;
	s.first_seq = G.block_first;
	s.last_seq = G.seq;
	s.count = G.seq - G.block_first + 1;
	memcpy(s.head, G.h, sizeof(s.head));
	s.time_ns = (uint64_t)G.now;
	snprintf(s.reason, sizeof(s.reason), "%s", reason);
	store_seal_sign(&s, G.root_pub, G.sec);
	store_record(w, "log.seal");
	store_seal_write(w, "seal", &s);
	finish(w);
	deflate_some(NULL, 0, Z_FINISH);
	deflateReset(&G.z);
	G.block_first = G.seq + 1;
	G.last = s;
}

static struct store_cert cert0;

static void write_small(const char *name, const char *text)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", G.dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		die(path);
	wr(fd, text, strlen(text));
	close(fd);
}

static void segment_begin(struct jsonw *w, const char *prev)
{
	char path[4200], hex[65], root[65];
	uint64_t prev_last = G.seq;

	store_segment_name(G.seg, G.seq + 1);
	snprintf(path, sizeof(path), "%s/%s", G.dir, G.seg);
	G.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (G.fd < 0)
		die(path);
	six_reset(&G.ix);
	G.block_first = G.seq + 1;
	store_record(w, "log.segment");
	jw_object_begin(w, "segment");
	jw_cstring(w, "name", G.seg);
	jw_uint(w, "index", ++G.index);
	if (prev)
		jw_cstring(w, "prev", prev);
	else
		jw_null(w, "prev");
	jw_uint(w, "prev_last_seq", prev_last);
	cr_to_hex(hex, G.h, sizeof(G.h));
	jw_cstring(w, "prev_head", hex);
	cr_to_hex(root, G.root_pub, sizeof(G.root_pub));
	jw_cstring(w, "root", root);
	jw_uint(w, "epoch", 0);
	jw_bool(w, "encrypted", 0);
	jw_object_end(w);
	finish(w);
	store_record(w, "log.key");
	store_cert_write(w, "key", &cert0);
	finish(w);
}

static void segment_end(void)
{
	char name[64], path[4200];
	uint8_t *buf;
	size_t len;
	uint64_t first;
	int fd;

	close(G.fd);
	store_segment_parse(G.seg, &first);
	if (six_write(&G.ix, G.seg, &G.last, G.root_pub, G.sec, &buf, &len))
		die("index");
	six_file_name(name, first);
	snprintf(path, sizeof(path), "%s/%s", G.dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		die(path);
	wr(fd, buf, len);
	close(fd);
	free(buf);
}

/* directories; "~" is the user's home */
static const char *const dirs[] = {"~/src",    "/var/log",     "/etc",	   "/tmp",
				   "/usr/lib", "/var/lib/app", "~/.cache", "/srv/data"};

static void event(struct jsonw *w, uint64_t i)
{
	uint64_t r = rnd(), u = (r >> 8) % 2000, x = (r >> 20) % 300, kind = r % 100;
	char uname[32], exe[64], comm[16], path[256], dir[64], id[17];
	int needle = (r >> 40) % 10000 == 0;
	const char *ev, *cat = "file";

	if (needle)
		snprintf(uname, sizeof(uname), "needle");
	else
		snprintf(uname, sizeof(uname), "u%llu", (unsigned long long)u);
	snprintf(comm, sizeof(comm), "tool%llu", (unsigned long long)x);
	snprintf(exe, sizeof(exe), "/usr/bin/%s", comm);
	{
		const char *d = dirs[(r >> 30) % 8];

		if (d[0] == '~')
			snprintf(dir, sizeof(dir), "/home/%s%s", uname, d + 1);
		else
			snprintf(dir, sizeof(dir), "%s", d);
	}
	snprintf(path, sizeof(path), "%s/f%llu.dat", dir, (unsigned long long)((r >> 34) % 5000));
	if (kind < 55)
		ev = "file.open";
	else if (kind < 62)
		ev = "file.unlink";
	else if (kind < 66)
		ev = "file.rename";
	else if (kind < 70)
		ev = "file.chmod";
	else if (kind < 85)
		ev = "process.exec", cat = "process";
	else if (kind < 93)
		ev = "net.connect", cat = "net";
	else if (kind < 98)
		ev = "process.exit", cat = "process";
	else
		ev = "user.login", cat = "user";
	if (needle && kind < 70 && ((r >> 50) & 1))
		ev = "file.open";
	header_begin(w, ev, cat);
	if (!strncmp(ev, "file.", 5) || !strcmp(ev, "process.exec") || !strcmp(ev, "net.connect")) {
		int fail = (r >> 45) % 50 == 0;

		jw_cstring(w, "syscall",
			   !strcmp(ev, "file.open")	 ? "openat"
			   : !strcmp(ev, "process.exec") ? "execve"
			   : !strcmp(ev, "net.connect")	 ? "connect"
							 : ev + 5);
		if (!strcmp(ev, "file.open"))
			jw_cstring(w, "access", (r >> 47) % 3 == 0 ? "write" : "read");
		jw_cstring(w, "outcome", fail ? "failure" : "success");
		if (fail)
			jw_cstring(w, "errno", "EACCES");
		jw_int(w, "ret", fail ? -13 : 3);
	}
	jw_object_begin(w, "proc");
	jw_uint(w, "pid", 1000 + (i % 30000));
	jw_uint(w, "tid", 1000 + (i % 30000));
	jw_uint(w, "ppid", 900 + (x % 50));
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)(rnd() & 0xffffffffffffull));
	jw_cstring(w, "exec_id", id);
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)(x * 0x9e3779b97f4a7ull));
	jw_cstring(w, "parent_exec_id", id);
	jw_cstring(w, "comm", comm);
	jw_cstring(w, "exe", exe);
	jw_array_begin(w, "args");
	jw_cstring(w, NULL, exe);
	jw_cstring(w, NULL, "--config");
	jw_cstring(w, NULL, path);
	jw_array_end(w);
	jw_bool(w, "args_truncated", 0);
	jw_cstring(w, "cwd", dir);
	jw_null(w, "tty");
	jw_cstring(w, "start_time", "2026-11-23T20:23:49.757917628Z");
	jw_object_end(w);
	jw_object_begin(w, "user");
	jw_uint(w, "uid", needle ? 4242 : 1000 + u);
	jw_cstring(w, "name", uname);
	jw_uint(w, "euid", needle ? 4242 : 1000 + u);
	jw_uint(w, "suid", 1000 + u);
	jw_uint(w, "fsuid", 1000 + u);
	jw_uint(w, "gid", 1000 + u);
	jw_uint(w, "egid", 1000 + u);
	jw_uint(w, "sgid", 1000 + u);
	jw_uint(w, "fsgid", 1000 + u);
	jw_uint(w, "auid", needle ? 4242 : 1000 + u);
	jw_cstring(w, "login", uname);
	jw_uint(w, "session", 1 + u % 500);
	jw_cstring(w, "caps", "0x0000000000000000");
	jw_object_end(w);
	if (!strncmp(ev, "file.", 5)) {
		jw_object_begin(w, "file");
		jw_cstring(w, "path", path);
		if (!strcmp(ev, "file.rename")) {
			strcat(path, ".new");
			jw_cstring(w, "path2", path);
		}
		jw_uint(w, "flags", (r >> 47) % 3 == 0 ? 577 : 0);
		jw_object_end(w);
	} else if (!strcmp(ev, "process.exec")) {
		jw_object_begin(w, "exec");
		jw_cstring(w, "filename", exe);
		jw_bool(w, "memfd", 0);
		jw_object_end(w);
	} else if (!strcmp(ev, "net.connect")) {
		char ip[32];

		jw_object_begin(w, "net");
		jw_cstring(w, "proto", "tcp");
		jw_cstring(w, "family", "inet");
		jw_object_begin(w, "src");
		jw_cstring(w, "ip", "10.0.0.5");
		jw_uint(w, "port", 30000 + (r >> 48) % 30000);
		jw_object_end(w);
		jw_object_begin(w, "dst");
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", (unsigned)((r >> 24) & 255),
			 (unsigned)((r >> 32) & 255), (unsigned)((r >> 40) & 255));
		jw_cstring(w, "ip", ip);
		jw_uint(w, "port", (r >> 52) % 2 ? 443 : 5432);
		jw_object_end(w);
		jw_object_end(w);
	} else if (!strcmp(ev, "user.login")) {
		char ip[32];

		jw_object_begin(w, "origin");
		snprintf(ip, sizeof(ip), "198.51.100.%u", (unsigned)((r >> 24) & 255));
		jw_cstring(w, "ip", ip);
		jw_uint(w, "port", 40000 + (r >> 48) % 20000);
		jw_cstring(w, "service", "sshd");
		jw_object_end(w);
	}
	jw_object_begin(w, "cgroup");
	jw_uint(w, "id", 1 + x);
	jw_object_end(w);
	jw_object_begin(w, "ns");
	jw_uint(w, "pid", 4026531836ull);
	jw_uint(w, "mnt", 4026531832ull);
	jw_uint(w, "net", 4026531833ull);
	jw_uint(w, "user", 4026531837ull);
	jw_object_end(w);
	finish(w);
}

int main(int argc, char **argv)
{
	uint64_t n, per_seg = 65536, days = 5;
	struct jsonw w;
	struct timespec ts;
	int64_t step, start;
	char text[1024], hex[70], *s;

	if (argc < 3) {
		fprintf(stderr, "usage: loggen DIR N [--segment RECORDS] [--days D]\n");
		return 2;
	}
	G.dir = argv[1];
	n = strtoull(argv[2], NULL, 10);
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--segment"))
			per_seg = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--days"))
			days = strtoull(argv[i + 1], NULL, 10);
	}
	if (!n || per_seg < 2 * SEAL_EVERY || mkdir(G.dir, 0750) < 0)
		die("arguments or mkdir");
	cr_init();
	cr_keypair(G.root_pub, G.root_sec);
	cr_keypair(G.pub, G.sec);
	clock_gettime(CLOCK_REALTIME, &ts);
	start = ((int64_t)ts.tv_sec - (int64_t)days * 86400) * NS;
	step = (int64_t)days * 86400 * NS / (int64_t)n;
	G.now = start;
	G.rng = 0x2545f4914f6cdd1dull;
	cert0.epoch = 0;
	memcpy(cert0.pub, G.pub, sizeof(G.pub));
	cert0.not_before = (uint64_t)start;
	store_cert_sign(&cert0, G.root_pub, G.root_sec);
	jw_init(&w, 0);
	store_cert_write(&w, NULL, &cert0);
	s = strndup(w.buf, w.len);
	store_genesis(G.h, s, strlen(s));
	snprintf(text, sizeof(text), "%s\n", s);
	write_small("certs.jsonl", text);
	free(s);
	cr_to_hex(hex, G.root_pub, sizeof(G.root_pub));
	strcat(hex, "\n");
	write_small("root.pub", hex);
	six_init(&G.ix);
	if (deflateInit2(&G.z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib");
	segment_begin(&w, NULL);
	for (uint64_t i = 0; i < n; i++) {
		event(&w, i);
		G.now += step;
		if (G.seq - G.block_first + 1 >= SEAL_EVERY)
			seal(&w, "count");
		if (G.seq >= G.index * per_seg && i + 1 < n) {
			char prev[STORE_SEG_NAME_LEN];

			if (G.seq >= G.block_first)
				seal(&w, "rotate");
			segment_end();
			memcpy(prev, G.seg, sizeof(prev));
			segment_begin(&w, prev);
		}
	}
	seal(&w, "shutdown");
	segment_end();
	/* head.json, as the store writes it */
	jw_reset(&w);
	jw_object_begin(&w, NULL);
	jw_cstring(&w, "segment", G.seg);
	jw_uint(&w, "index", G.index);
	jw_uint(&w, "seal_seq", G.seq);
	jw_uint(&w, "last_seq", G.last.last_seq);
	jw_hex_bytes(&w, "head", G.last.head, sizeof(G.last.head));
	jw_uint(&w, "epoch", 0);
	jw_uint(&w, "time_ns", G.last.time_ns);
	store_seal_write(&w, "seal", &G.last);
	jw_object_end(&w);
	s = strndup(w.buf, w.len);
	write_small("head.json", s);
	free(s);
	jw_free(&w);
	deflateEnd(&G.z);
	six_free(&G.ix);
	printf("records %llu segments %llu start_ns %lld end_ns %lld\n", (unsigned long long)G.seq,
	       (unsigned long long)G.index, (long long)start, (long long)G.now);
	return 0;
}
