// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for container_parse. Byte 0 chooses the mode: even, the
 * rest is the cgroup path as is; odd, each further byte below NTOKENS appends
 * a fragment runtimes use (so that a short run reaches the deep cases: a
 * random 64-digit hex id is out of reach byte by byte) and any other byte
 * appends itself. The path lives in a buffer of exactly its size so that
 * ASan sees any read past it. Whatever the
 * bytes, a match must be well formed: a known runtime, an id of 1 to
 * CONTAINER_ID_MAX bytes without NUL, 64 lowercase hex digits found verbatim
 * in the path for the runtimes that use such ids, and a pod uid that is empty
 * or a uid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

static int lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void check_pod(const char *pod)
{
	size_t n = strnlen(pod, CONTAINER_POD_MAX + 1);

	if (n == 0)
		return;
	if (n == 32 && lower_hex(pod, 32))
		return;
	if (n != 36)
		abort();
	for (size_t i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? pod[i] != '-' : !lower_hex(pod + i, 1))
			abort();
	}
}

static const char *const tokens[] = {
	"/",
	"docker",
	"docker-",
	".scope",
	"9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d",
	"9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3",
	"kubepods",
	"kubepods-",
	"besteffort",
	"-pod",
	"pod",
	"74c13223-5a00-11e9-b385-42010a80018d",
	"74c13223_5a00_11e9_b385_42010a80018d",
	"5b9d0b4dc5a2b5f1a9c2e7f3d0e4c1a8",
	".slice",
	":",
	"cri-containerd",
	"cri-containerd-",
	"crio",
	"crio-",
	"conmon-",
	"libpod-",
	"nerdctl-",
	"systemd-nspawn@",
	".service",
	"\\x2d",
	"\\x00",
	"\\x",
	"lxc",
	"lxc.payload",
	"lxc.payload.",
	"kubelet-",
	"-",
	"_",
	"a",
	"F",
	"",
};
#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

/* The path of the input (malloc'd, exactly *len bytes). */
static char *make_path(const uint8_t *data, size_t size, size_t *len)
{
	size_t n = 0;
	char *p;

	if (size == 0 || !(data[0] & 1)) {
		n = size ? size - 1 : 0;
		p = malloc(n ? n : 1);
		if (!p)
			abort();
		memcpy(p, data + (size ? 1 : 0), n);
		*len = n;
		return p;
	}
	for (size_t i = 1; i < size; i++)
		n += data[i] < NTOKENS ? strlen(tokens[data[i]]) : 1;
	p = malloc(n ? n : 1);
	if (!p)
		abort();
	n = 0;
	for (size_t i = 1; i < size; i++) {
		if (data[i] < NTOKENS) {
			memcpy(p + n, tokens[data[i]], strlen(tokens[data[i]]));
			n += strlen(tokens[data[i]]);
		} else {
			p[n++] = (char)data[i];
		}
	}
	*len = n;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hex_runtimes[] = { "docker", "containerd", "cri-o", "podman",
						    "kubernetes" };
	static const char *const name_runtimes[] = { "systemd-nspawn", "lxc" };
	struct container_info ci, again;
	size_t idlen;
	char *path = make_path(data, size, &size);
	int r, hex = -1;

	r = container_parse(path, size, &ci);
	if (r != 0 && r != 1)
		abort();
	if (r == 1) {
		for (size_t i = 0; i < sizeof(hex_runtimes) / sizeof(hex_runtimes[0]); i++)
			if (ci.runtime == hex_runtimes[i] || !strcmp(ci.runtime, hex_runtimes[i]))
				hex = 1;
		for (size_t i = 0; i < sizeof(name_runtimes) / sizeof(name_runtimes[0]); i++)
			if (!strcmp(ci.runtime, name_runtimes[i]))
				hex = 0;
		if (hex < 0)
			abort();
		idlen = strnlen(ci.id, sizeof(ci.id));
		if (idlen == 0 || idlen > CONTAINER_ID_MAX)
			abort();
		if (hex && (idlen != 64 || !lower_hex(ci.id, 64) || !memmem(path, size, ci.id, 64)))
			abort();
		if (strnlen(ci.pod, sizeof(ci.pod)) > CONTAINER_POD_MAX)
			abort();
		check_pod(ci.pod);
		/* deterministic */
		if (container_parse(path, size, &again) != 1 || strcmp(again.runtime, ci.runtime) ||
		    strcmp(again.id, ci.id) || strcmp(again.pod, ci.pod))
			abort();
	}
	free(path);
	return 0;
}
