/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader_pins.h"
#include "pins.h"

int lpins_reuse(struct bpf_object *obj, struct pins *p)
{
	struct bpf_program *prog;
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		int fd = pins_map_get(p, bpf_map__name(m)), r;

		if (fd < 0)
			return fd;
		r = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (r)
			return r;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	return 0;
}

static int same_shape(int fd, const struct bpf_map *m)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.type == (uint32_t)bpf_map__type(m) && info.key_size == bpf_map__key_size(m) &&
	       info.value_size == bpf_map__value_size(m) &&
	       info.max_entries == bpf_map__max_entries(m) &&
	       info.map_flags == bpf_map__map_flags(m);
}

uint32_t lpins_share_old(struct bpf_object *obj, struct pins *p, int *shared)
{
	/* ca_active_gen first: it decides the generation */
	static const char *const names[] = { "ca_active_gen", "pending", "events",
					     "drop_counters" };
	uint32_t zero = 0, gen = 0;

	*shared = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, names[i]);
		int fd = m ? pins_old_map_get(p, names[i]) : -1;

		if (fd < 0)
			continue;
		if (same_shape(fd, m) && bpf_map__reuse_fd(m, fd) == 0 && i == 0 &&
		    bpf_map_lookup_elem(fd, &zero, &gen) == 0)
			*shared = 1;
		close(fd);
	}
	return *shared ? gen + 1 : 1;
}

int lpins_pin_all(struct bpf_object *obj, struct pins *p, struct bpf_link *const *links,
		  struct bpf_program *const *progs, unsigned nlinks,
		  const struct hook_status *hooks, unsigned nhooks, char *err, size_t errlen)
{
	struct bpf_map *m;
	int r;

	bpf_object__for_each_map(m, obj) {
		r = pins_map_pin(p, bpf_map__fd(m), bpf_map__name(m));
		if (r) {
			snprintf(err, errlen, "pin map %s: %s", bpf_map__name(m), strerror(-r));
			return r;
		}
	}
	for (unsigned i = 0; i < nlinks; i++) {
		r = pins_link_pin(p, bpf_link__fd(links[i]), bpf_program__name(progs[i]));
		if (r) {
			snprintf(err, errlen, "pin link %s: %s", bpf_program__name(progs[i]),
				 strerror(-r));
			return r;
		}
	}
	r = pins_commit(p, hooks, nhooks);
	if (r)
		snprintf(err, errlen, "pin hooks and stamp: %s", strerror(-r));
	return r;
}
