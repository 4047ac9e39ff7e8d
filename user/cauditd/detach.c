/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <pthread.h>

#include "detach.h"

#define DETACH_THREADS 16

struct detach_slice {
	char *first;
	size_t size;
	unsigned n;
	void (*fn)(void *item);
};

static void *detach_worker(void *arg)
{
	struct detach_slice *sl = arg;

	for (unsigned i = 0; i < sl->n; i++)
		sl->fn(sl->first + (size_t)i * sl->size);
	return NULL;
}

void detach_parallel(void *items, size_t size, unsigned n, void (*fn)(void *item))
{
	struct detach_slice sl[DETACH_THREADS];
	pthread_t th[DETACH_THREADS];
	int started[DETACH_THREADS] = {};
	unsigned per = (n + DETACH_THREADS - 1) / DETACH_THREADS;

	for (unsigned t = 0; t < DETACH_THREADS && per; t++) {
		unsigned first = t * per;

		sl[t].first = (char *)items + (size_t)first * size;
		sl[t].size = size;
		sl[t].fn = fn;
		sl[t].n = first >= n ? 0 : (n - first < per ? n - first : per);
		if (sl[t].n && pthread_create(&th[t], NULL, detach_worker, &sl[t]) == 0)
			started[t] = 1;
		else if (sl[t].n)
			detach_worker(&sl[t]); /* no thread: here, one after another */
	}
	for (unsigned t = 0; t < DETACH_THREADS; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}
