/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for event_decode(): records packed by hand (header + string
 * slots), every slot's pointer and length checked, and every way a record can
 * be malformed rejected. Records under test sit in heap buffers of exactly
 * the size passed in, so ASan catches any read beyond what was allowed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_decode.h"

#define HDR sizeof(struct ca_event)

/*
 * Pack header hdr and the slots s[i] of n[i] bytes (slot order, no NULs
 * added) into a new heap buffer of exactly cap bytes (0: just the record).
 * str_len[] and size are filled in; the record's size is stored in *size.
 */
static uint8_t *pack(const struct ca_event *hdr, const char *const s[CA_S__COUNT],
		     const size_t n[CA_S__COUNT], size_t cap, size_t *size)
{
	struct ca_event ev = *hdr;
	size_t off = HDR, i;
	uint8_t *buf;

	for (i = 0; i < CA_S__COUNT; i++) {
		ev.str_len[i] = (uint16_t)(n ? n[i] : 0);
		off += ev.str_len[i];
	}
	ev.size = (uint32_t)off;
	if (!cap)
		cap = off;
	assert_true(cap >= off);
	buf = malloc(cap);
	assert_non_null(buf);
	memset(buf, 0xa5, cap);
	memcpy(buf, &ev, HDR);
	off = HDR;
	for (i = 0; i < CA_S__COUNT; i++) {
		if (ev.str_len[i])
			memcpy(buf + off, s[i], ev.str_len[i]);
		off += ev.str_len[i];
	}
	*size = ev.size;
	return buf;
}

static void hdr_init(struct ca_event *ev, uint16_t type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->syscall_nr = 257;
	ev->task.pid = 42;
}

/* Copy of a record into a heap buffer of exactly len bytes (ASan bound). */
static uint8_t *exact(const void *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	assert_non_null(b);
	memcpy(b, p, len);
	return b;
}

/* Overwrite the header of a packed record (its str_len/size/type fields). */
static struct ca_event *hdr_of(uint8_t *buf)
{
	return (struct ca_event *)buf;
}

/* ---- valid records ---- */

static void test_no_slots(void **state)
{
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_PROC_FORK);
	buf = pack(&h, NULL, NULL, 0, &size);
	assert_int_equal(size, HDR);
	memset(&d, 0x5a, sizeof(d));
	assert_int_equal(event_decode(buf, size, &d), (int)HDR);
	assert_ptr_equal(d.ev, buf);
	for (int i = 0; i < CA_S__COUNT; i++) {
		assert_null(d.str[i]);
		assert_int_equal(d.len[i], 0);
	}
	assert_int_equal(d.ev->task.pid, 42);
	free(buf);
}

/* Records with 1..8 present slots, and every subset pattern of 8 slots. */
static void test_slot_counts(void **state)
{
	static const char *const text[CA_S__COUNT] = {
		"path", "/base/dir", "second", "/base2", "/usr/bin/exe", "a\0b\0c", "/cwd", "aux!",
	};
	static const size_t tlen[CA_S__COUNT] = { 4, 9, 6, 6, 12, 5, 4, 4 };

	(void)state;
	for (unsigned mask = 0; mask < (1u << CA_S__COUNT); mask++) {
		struct ca_event h;
		struct ca_decoded d;
		size_t n[CA_S__COUNT], size, off = HDR;
		uint8_t *buf;

		hdr_init(&h, CA_EV_SYSCALL);
		for (int i = 0; i < CA_S__COUNT; i++)
			n[i] = mask & (1u << i) ? tlen[i] : 0;
		buf = pack(&h, text, n, 0, &size);
		assert_int_equal(event_decode(buf, size, &d), (int)size);
		assert_ptr_equal(d.ev, buf);
		for (int i = 0; i < CA_S__COUNT; i++) {
			if (n[i]) {
				assert_ptr_equal(d.str[i], (const char *)buf + off);
				assert_int_equal(d.len[i], n[i]);
				assert_memory_equal(d.str[i], text[i], n[i]);
			} else {
				assert_null(d.str[i]);
				assert_int_equal(d.len[i], 0);
			}
			off += n[i];
		}
		assert_int_equal(off, size);
		free(buf);
	}
}

static void test_all_types(void **state)
{
	(void)state;
	for (uint16_t t = CA_EV_PROC_EXEC; t < CA_EV__MAX; t++) {
		struct ca_event h;
		struct ca_decoded d;
		size_t size;
		uint8_t *buf;

		hdr_init(&h, t);
		buf = pack(&h, NULL, NULL, 0, &size);
		assert_int_equal(event_decode(buf, size, &d), (int)HDR);
		assert_int_equal(d.ev->type, t);
		free(buf);
	}
}

/* A record followed by more bytes (the next record, padding): size wins. */
static void test_buffer_larger_than_record(void **state)
{
	static const char *const s[CA_S__COUNT] = { "/etc/passwd" };
	static const size_t n[CA_S__COUNT] = { 11 };
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_SYSCALL);
	buf = pack(&h, s, n, HDR + 11 + 100, &size);
	assert_int_equal(event_decode(buf, HDR + 11 + 100, &d), (int)(HDR + 11));
	assert_int_equal(d.len[CA_S_PATH], 11);
	assert_memory_equal(d.str[CA_S_PATH], "/etc/passwd", 11);
	free(buf);
}

/* Slots may leave unused bytes at the end of the record (BPF pads). */
static void test_trailing_padding(void **state)
{
	static const char *const s[CA_S__COUNT] = { "abc" };
	static const size_t n[CA_S__COUNT] = { 3 };
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_SYSCALL);
	buf = pack(&h, s, n, HDR + 8, &size);
	hdr_of(buf)->size = HDR + 8;
	assert_int_equal(event_decode(buf, HDR + 8, &d), (int)(HDR + 8));
	assert_int_equal(d.len[CA_S_PATH], 3);
	assert_ptr_equal(d.str[CA_S_PATH], (const char *)buf + HDR);
	free(buf);
}

/* Largest record: CA_EVENT_MAX bytes, slots filling it exactly. */
static void test_max_record(void **state)
{
	const size_t room = CA_EVENT_MAX - HDR;
	size_t n[CA_S__COUNT] = { 0 }, left = room, size;
	const char *s[CA_S__COUNT];
	struct ca_event h;
	struct ca_decoded d;
	char *text;
	uint8_t *buf;

	(void)state;
	text = malloc(room);
	assert_non_null(text);
	memset(text, 'x', room);
	for (int i = 0; i < CA_S__COUNT; i++) {
		n[i] = i == CA_S__COUNT - 1 ? left : room / CA_S__COUNT;
		left -= n[i];
		s[i] = text;
	}
	assert_int_equal(left, 0);
	hdr_init(&h, CA_EV_PROC_EXEC);
	buf = pack(&h, s, n, 0, &size);
	assert_int_equal(size, CA_EVENT_MAX);
	assert_int_equal(event_decode(buf, size, &d), CA_EVENT_MAX);
	assert_ptr_equal(d.str[CA_S__COUNT - 1] + d.len[CA_S__COUNT - 1],
			 (const char *)buf + CA_EVENT_MAX);
	free(buf);
	free(text);
}

/* ---- rejections ---- */

static void test_short_buffer(void **state)
{
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_PROC_EXIT);
	buf = pack(&h, NULL, NULL, 0, &size);
	/* fewer bytes than a header: nothing of the header may be read */
	for (size_t len = 0; len < HDR; len++) {
		uint8_t *b = exact(buf, len);

		assert_int_equal(event_decode(b, len, &d), -EBADMSG);
		free(b);
	}
	free(buf);
}

static void test_size_field_below_header(void **state)
{
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_PROC_EXIT);
	buf = pack(&h, NULL, NULL, 0, &size);
	hdr_of(buf)->size = 0;
	assert_int_equal(event_decode(buf, HDR, &d), -EBADMSG);
	hdr_of(buf)->size = HDR - 1;
	assert_int_equal(event_decode(buf, HDR, &d), -EBADMSG);
	hdr_of(buf)->size = 8;
	assert_int_equal(event_decode(buf, HDR, &d), -EBADMSG);
	hdr_of(buf)->size = HDR;
	assert_int_equal(event_decode(buf, HDR, &d), (int)HDR);
	free(buf);
}

static void test_size_beyond_buffer(void **state)
{
	static const char *const s[CA_S__COUNT] = { "abcdef" };
	static const size_t n[CA_S__COUNT] = { 6 };
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_SYSCALL);
	buf = pack(&h, s, n, 0, &size);
	/* the record says it is longer than what the caller has */
	for (size_t avail = HDR; avail < size; avail++)
		assert_int_equal(event_decode(buf, avail, &d), -EBADMSG);
	assert_int_equal(event_decode(buf, size, &d), (int)size);
	hdr_of(buf)->size = UINT32_MAX;
	assert_int_equal(event_decode(buf, size, &d), -EBADMSG);
	free(buf);
}

static void test_size_above_event_max(void **state)
{
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_SYSCALL);
	buf = pack(&h, NULL, NULL, CA_EVENT_MAX + 16, &size);
	hdr_of(buf)->size = CA_EVENT_MAX + 1;
	assert_int_equal(event_decode(buf, CA_EVENT_MAX + 16, &d), -EBADMSG);
	hdr_of(buf)->size = CA_EVENT_MAX + 8;
	assert_int_equal(event_decode(buf, CA_EVENT_MAX + 16, &d), -EBADMSG);
	hdr_of(buf)->size = CA_EVENT_MAX;
	assert_int_equal(event_decode(buf, CA_EVENT_MAX + 16, &d), CA_EVENT_MAX);
	free(buf);
}

static void test_bad_type(void **state)
{
	static const uint16_t bad[] = { CA_EV_NONE, CA_EV__MAX, CA_EV__MAX + 1, 0x100, 0xffff };
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hdr_init(&h, bad[i]);
		buf = pack(&h, NULL, NULL, 0, &size);
		assert_int_equal(event_decode(buf, size, &d), -EBADMSG);
		free(buf);
	}
}

/*
 * One slot at a time is made one byte too long for the record (the others
 * keep their lengths): rejected. Exactly fitting: accepted.
 */
static void test_slot_overflow_each(void **state)
{
	static const char *const text[CA_S__COUNT] = {
		"p0", "b1", "p22", "b33", "exe4", "args5", "cwd6", "aux77",
	};
	static const size_t tlen[CA_S__COUNT] = { 2, 2, 3, 3, 4, 5, 4, 5 };

	(void)state;
	for (int k = 0; k < CA_S__COUNT; k++) {
		struct ca_event h;
		struct ca_decoded d;
		size_t size;
		uint8_t *buf;

		hdr_init(&h, CA_EV_SYSCALL);
		buf = pack(&h, text, tlen, 0, &size);
		assert_int_equal(event_decode(buf, size, &d), (int)size);

		hdr_of(buf)->str_len[k]++;
		assert_int_equal(event_decode(buf, size, &d), -EBADMSG);
		/* grossly too long */
		hdr_of(buf)->str_len[k] = UINT16_MAX;
		assert_int_equal(event_decode(buf, size, &d), -EBADMSG);
		/* all the room to this one slot, the later ones empty: fits exactly */
		{
			size_t before = 0;

			for (int i = 0; i < k; i++)
				before += tlen[i];
			hdr_of(buf)->str_len[k] = (uint16_t)(size - HDR - before);
			for (int i = k + 1; i < CA_S__COUNT; i++)
				hdr_of(buf)->str_len[i] = 0;
			assert_int_equal(event_decode(buf, size, &d), (int)size);
			assert_int_equal(d.len[k], size - HDR - before);
			assert_ptr_equal(d.str[k] + d.len[k], (const char *)buf + size);
			/* ... and one byte more for a later slot is too much */
			if (k + 1 < CA_S__COUNT) {
				hdr_of(buf)->str_len[k + 1] = 1;
				assert_int_equal(event_decode(buf, size, &d), -EBADMSG);
			}
		}
		free(buf);
	}
}

/* Each slot on its own fits, but the sum does not. */
static void test_slot_sum_overflow(void **state)
{
	struct ca_event h;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf;

	(void)state;
	hdr_init(&h, CA_EV_SYSCALL);
	buf = pack(&h, NULL, NULL, HDR + 100, &size);
	hdr_of(buf)->size = HDR + 100;
	for (int i = 0; i < CA_S__COUNT; i++)
		hdr_of(buf)->str_len[i] = 13; /* 8 * 13 = 104 > 100 */
	assert_int_equal(event_decode(buf, HDR + 100, &d), -EBADMSG);
	hdr_of(buf)->str_len[7] = 9; /* 7 * 13 + 9 = 100: exact */
	assert_int_equal(event_decode(buf, HDR + 100, &d), (int)(HDR + 100));
	assert_int_equal(d.len[7], 9);
	assert_ptr_equal(d.str[7], (const char *)buf + HDR + 91);
	/* u16 lengths that would wrap a 16-bit sum */
	for (int i = 0; i < CA_S__COUNT; i++)
		hdr_of(buf)->str_len[i] = 0;
	hdr_of(buf)->str_len[0] = 0x8000;
	hdr_of(buf)->str_len[1] = 0x8000;
	assert_int_equal(event_decode(buf, HDR + 100, &d), -EBADMSG);
	free(buf);
}

/* Exact-fitting random layouts accepted; any one byte more rejected. */
static void test_random_layouts(void **state)
{
	unsigned seed = 12345;
	uint8_t *buf = malloc(CA_EVENT_MAX);

	(void)state;
	assert_non_null(buf);
	for (int iter = 0; iter < 2000; iter++) {
		struct ca_event *ev = (struct ca_event *)buf;
		struct ca_decoded d;
		size_t total = HDR, size;
		int r;

		memset(ev, 0, HDR);
		ev->type = (uint16_t)(1 + rand_r(&seed) % (CA_EV__MAX - 1));
		for (int i = 0; i < CA_S__COUNT; i++) {
			ev->str_len[i] = (uint16_t)(rand_r(&seed) % 4 ? rand_r(&seed) % 4000 : 0);
			total += ev->str_len[i];
		}
		size = total + rand_r(&seed) % 16;
		if (size > CA_EVENT_MAX)
			size = total;
		if (total > CA_EVENT_MAX)
			continue;
		ev->size = (uint32_t)size;
		r = event_decode(buf, CA_EVENT_MAX, &d);
		assert_int_equal(r, (int)size);
		/* slots tile the area after the header, in order */
		total = HDR;
		for (int i = 0; i < CA_S__COUNT; i++) {
			if (d.len[i])
				assert_ptr_equal(d.str[i], (const char *)buf + total);
			total += d.len[i];
		}
		ev->size = (uint32_t)(total - 1);
		if (total > HDR)
			assert_int_equal(event_decode(buf, CA_EVENT_MAX, &d), -EBADMSG);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_slots),
		cmocka_unit_test(test_slot_counts),
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_buffer_larger_than_record),
		cmocka_unit_test(test_trailing_padding),
		cmocka_unit_test(test_max_record),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_size_field_below_header),
		cmocka_unit_test(test_size_beyond_buffer),
		cmocka_unit_test(test_size_above_event_max),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_slot_overflow_each),
		cmocka_unit_test(test_slot_sum_overflow),
		cmocka_unit_test(test_random_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
