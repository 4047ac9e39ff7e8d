/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit report and caudit tail on the shared test log (search_log.h):
 *   - text and JSON reports against golden files;
 *   - the HTML report is rendered by headless Chromium (Debian's chromium
 *     package) and the screenshot is decoded here: each of the four chart
 *     areas must hold bars (non-white pixels), and the same areas of the
 *     report of an empty period must not, so the check tells a chart from a
 *     blank page; the page must not reference any URL;
 *   - tail prints the last records, and tail -f follows the log across a
 *     rotation (a new segment appended while it runs).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "tw.h"
#include "search_log.h"

static int setup(void **state)
{
	struct tw *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(cr_init(), 0);
	tw_init(t);
	build_log(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tw *t = *state;
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		return -1;
	free(t);
	return 0;
}

static void test_report_text_json(void **state)
{
	struct tw *t = *state;
	struct result r;

	run(&r, "UTC", "report '%s' --pubkey '%s/root.pub'", t->dir, t->dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	golden("report_text", r.out);
	result_free(&r);
	run(&r, "UTC", "report '%s' --pubkey '%s/root.pub' --format json", t->dir, t->dir);
	assert_int_equal(r.status, 0);
	golden("report_json", r.out);
	result_free(&r);
	/* filters apply: bob only */
	run(&r, "America/New_York", "report '%s' --pubkey '%s/root.pub' --user bob", t->dir,
	    t->dir);
	assert_int_equal(r.status, 0);
	golden("report_text_bob_new_york", r.out);
	result_free(&r);
}

/* ---- a minimal PNG reader for Chromium's screenshots (8-bit RGB/RGBA, not interlaced) ---- */

struct image {
	uint32_t w, h;
	unsigned ch;
	uint8_t *px;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static void png_read(const char *path, struct image *im)
{
	FILE *f = fopen(path, "rb");
	uint8_t *file, *idat = NULL, *raw;
	size_t n, off = 8, nidat = 0, stride;
	uLongf rawlen;
	long sz;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	file = malloc((size_t)sz);
	assert_non_null(file);
	n = fread(file, 1, (size_t)sz, f);
	fclose(f);
	assert_true(n == (size_t)sz && n > 8 && !memcmp(file, "\x89PNG\r\n\x1a\n", 8));
	while (off + 12 <= n) {
		uint32_t len = be32(file + off);
		const uint8_t *type = file + off + 4, *data = file + off + 8;

		assert_true(off + 12 + len <= n);
		if (!memcmp(type, "IHDR", 4)) {
			im->w = be32(data);
			im->h = be32(data + 4);
			assert_int_equal(data[8], 8);		   /* bit depth */
			assert_true(data[9] == 2 || data[9] == 6); /* RGB or RGBA */
			assert_int_equal(data[12], 0);		   /* not interlaced */
			im->ch = data[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			idat = realloc(idat, nidat + len);
			assert_non_null(idat);
			memcpy(idat + nidat, data, len);
			nidat += len;
		}
		off += 12 + len;
	}
	assert_true(im->w > 0 && im->h > 0 && im->w < 10000 && im->h < 10000);
	stride = (size_t)im->w * im->ch;
	rawlen = (uLongf)((stride + 1) * im->h);
	raw = malloc(rawlen);
	im->px = malloc(stride * im->h);
	assert_true(raw && im->px);
	assert_int_equal(uncompress(raw, &rawlen, idat, (uLong)nidat), Z_OK);
	assert_int_equal(rawlen, (stride + 1) * im->h);
	for (uint32_t y = 0; y < im->h; y++) {
		const uint8_t *in = raw + y * (stride + 1) + 1;
		uint8_t *out = im->px + y * stride, *up = y ? out - stride : NULL;
		int ft = raw[y * (stride + 1)];

		for (size_t x = 0; x < stride; x++) {
			int a = x >= im->ch ? out[x - im->ch] : 0, b = up ? up[x] : 0;
			int c = up && x >= im->ch ? up[x - im->ch] : 0, v = in[x];

			switch (ft) {
			case 0:
				break;
			case 1:
				v += a;
				break;
			case 2:
				v += b;
				break;
			case 3:
				v += (a + b) / 2;
				break;
			case 4:
				v += paeth(a, b, c);
				break;
			default:
				fail_msg("PNG filter %d", ft);
			}
			out[x] = (uint8_t)v;
		}
	}
	free(raw);
	free(idat);
	free(file);
}

/* Share of pixels in [x0,x1)x[y0,y1) that are clearly coloured (not white or light grey). */
static double inked(const struct image *im, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	uint64_t ink = 0, all = 0;

	for (uint32_t y = y0; y < y1 && y < im->h; y++)
		for (uint32_t x = x0; x < x1 && x < im->w; x++) {
			const uint8_t *p = im->px + ((size_t)y * im->w + x) * im->ch;

			all++;
			ink += p[0] < 200 || p[1] < 200 || p[2] < 200;
		}
	return all ? (double)ink / (double)all : 0;
}

static int have_chromium(void)
{
	return system("command -v chromium >/dev/null 2>&1") == 0;
}

/* Render html into png with headless Chromium (root needs --no-sandbox). */
static void render(const char *html, const char *png)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "HOME=/tmp timeout 120 chromium --headless --no-sandbox --disable-gpu "
		 "--hide-scrollbars --no-first-run --disable-extensions --window-size=1200,1100 "
		 "--screenshot='%s' 'file://%s' >/dev/null 2>&1",
		 png, html);
	assert_int_equal(system(cmd), 0);
}

/* The chart areas of report_html.c: 560x320 boxes at (20,90) (610,90) (20,430) (610,430). */
static void chart_inks(const struct image *im, double out[4])
{
	for (int i = 0; i < 4; i++) {
		uint32_t x = 20 + (uint32_t)(i % 2) * 590, y = 90 + (uint32_t)(i / 2) * 340;

		/* below the title, inside the border */
		out[i] = inked(im, x + 5, y + 35, x + 555, y + 315);
	}
}

static void test_report_html_chromium(void **state)
{
	struct tw *t = *state;
	char html[256], png[256];
	struct image im = {0};
	double ink[4];
	struct result r;
	char *page;

	if (!have_chromium()) {
		skip(); /* .ci/install-deps installs it; under CI=true a skip fails */
	}
	snprintf(html, sizeof(html), "%s/report.html", t->dir);
	snprintf(png, sizeof(png), "%s/report.png", t->dir);
	run(&r, "UTC", "report '%s' --pubkey '%s/root.pub' --format html -o '%s'", t->dir, t->dir,
	    html);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	result_free(&r);
	/* self-contained: nothing to fetch */
	page = slurp(html);
	assert_null(strstr(page, "http:"));
	assert_null(strstr(page, "https:"));
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "src="));
	assert_non_null(strstr(page, "<svg"));
	assert_non_null(strstr(page, "/etc/passwd")); /* the /etc changes table */
	free(page);
	render(html, png);
	png_read(png, &im);
	assert_true(im.w >= 1180 && im.h >= 780);
	chart_inks(&im, ink);
	for (int i = 0; i < 4; i++) {
		print_message("chart %d: %.1f%% inked\n", i, 100 * ink[i]);
		assert_true(ink[i] > 0.05);
	}
	free(im.px);

	/* an empty period: the same areas stay (almost) blank, so the check above means bars */
	run(&r, "UTC",
	    "report '%s' --pubkey '%s/root.pub' --format html -o '%s' --until 2000-01-01", t->dir,
	    t->dir, html);
	assert_int_equal(r.status, 0);
	result_free(&r);
	render(html, png);
	memset(&im, 0, sizeof(im));
	png_read(png, &im);
	chart_inks(&im, ink);
	for (int i = 0; i < 4; i++) {
		print_message("empty chart %d: %.2f%% inked\n", i, 100 * ink[i]);
		assert_true(ink[i] < 0.02);
	}
	free(im.px);
}

static void test_tail(void **state)
{
	struct tw *t = *state;
	struct result r;

	run(&r, "UTC", "tail '%s' --pubkey '%s/root.pub' --limit 3 --format table", t->dir, t->dir);
	assert_int_equal(r.status, 0);
	golden("tail_3", r.out);
	result_free(&r);
}

/* tail -f: a new segment (a rotation) appears while it runs; its records are printed. */
static void test_tail_follow_rotation(void **state)
{
	struct tw *t = *state;
	const char *b = getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build";
	char dir[160], out[200], cmd[1024];
	struct tw *u = calloc(1, sizeof(*u));
	pid_t pid;
	char *text = NULL;

	assert_non_null(u);
	/* a private copy of the writer and its directory, continued below */
	*u = *t;
	snprintf(dir, sizeof(dir), "%s-follow", t->dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", dir, t->dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_true(strlen(dir) < sizeof(u->dir));
	memcpy(u->dir, dir, strlen(dir) + 1);
	snprintf(out, sizeof(out), "%s/tail.out", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char pub[200];

		snprintf(cmd, sizeof(cmd), "%s/caudit", b);
		snprintf(pub, sizeof(pub), "%s/root.pub", dir);
		if (!freopen(out, "w", stdout))
			_exit(127);
		setenv("TZ", "UTC", 1);
		execl(cmd, cmd, "tail", "-f", dir, "--pubkey", pub, "--format", "table", "--limit",
		      "1", "--event", "file.*", (char *)NULL);
		_exit(127);
	}
	/* its first pass has printed the last match before we add anything */
	for (int i = 0; i < 300; i++) {
		sleep_ms_tw(100);
		free(text);
		text = slurp(out);
		if (strstr(text, "/tmp/x"))
			break;
	}
	assert_non_null(strstr(text, "/tmp/x"));
	/* rotation: a new segment with two records, sealed */
	tw_segment(u);
	ev(u, "file.chmod", "file",
	   "\"syscall\":\"chmod\",\"outcome\":\"success\",\"ret\":0," PROC(
	       3000, 1, ID_OTHER, "0000000000000001", "chmod",
	       "/usr/bin/chmod") "," BOB ",\"file\":{\"path\":\"/srv/followed-1\"}");
	ev(u, "file.chmod", "file",
	   "\"syscall\":\"chmod\",\"outcome\":\"success\",\"ret\":0," PROC(
	       3000, 1, ID_OTHER, "0000000000000001", "chmod",
	       "/usr/bin/chmod") "," BOB ",\"file\":{\"path\":\"/srv/followed-2\"}");
	tw_seal(u);
	for (int i = 0; i < 100; i++) {
		sleep_ms_tw(200);
		free(text);
		text = slurp(out);
		if (strstr(text, "/srv/followed-2"))
			break;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	free(text);
	text = slurp(out);
	golden("tail_follow", text);
	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_text_json),
	    cmocka_unit_test(test_report_html_chromium),
	    cmocka_unit_test(test_tail),
	    cmocka_unit_test(test_tail_follow_rotation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
