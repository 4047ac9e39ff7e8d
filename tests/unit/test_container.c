// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for container_parse (user/common/container.c): cgroup v2 paths
 * as docker, containerd, CRI-O, podman, the kubelet, systemd-nspawn and LXC
 * write them on real hosts, and near misses that must not match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container.h"

/* Real ids seen on hosts (docker ps --no-trunc, crictl ps, podman ps). */
#define ID_A "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define ID_B "34dc0b5e626f2c5c4c5170e34b10e7654ce36f0fcd532739f4445baabea03376"
#define ID_C "d4e8e05a546c86b6443f101966c618e47753ed01fa9929cae00d3b692f7a9f80"
#define ID_UPPER "9EC39B91F3D70E1BEFF50A308F77067065EA6BE0D91A3378375056CD4422CF3D"
#define POD "74c13223-5a00-11e9-b385-42010a80018d"
#define POD_ "74c13223_5a00_11e9_b385_42010a80018d"
#define POD_STATIC "5b9d0b4dc5a2b5f1a9c2e7f3d0e4c1a8"

struct ccase {
	const char *path;
	const char *runtime; /* NULL: no container */
	const char *id;
	const char *pod;     /* "" when not a pod container */
};

static const struct ccase cases[] = {
	/* docker, systemd driver (Debian, Fedora, Ubuntu with cgroup v2) */
	{ "/system.slice/docker-" ID_A ".scope", "docker", ID_A, "" },
	/* docker, systemd inside the container (cgroupns=private, nested cgroups) */
	{ "/system.slice/docker-" ID_A ".scope/init.scope", "docker", ID_A, "" },
	{ "/system.slice/docker-" ID_A ".scope/system.slice/nginx.service", "docker", ID_A, "" },
	/* docker, cgroupfs driver */
	{ "/docker/" ID_B, "docker", ID_B, "" },
	{ "/docker/" ID_B "/sub", "docker", ID_B, "" },
	/* rootless docker */
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" ID_A ".scope",
	  "docker", ID_A, "" },
	/* docker in docker: the inner container wins */
	{ "/system.slice/docker-" ID_A ".scope/docker/" ID_B, "docker", ID_B, "" },
	/* the docker daemon itself is not a container */
	{ "/system.slice/docker.service", NULL, NULL, NULL },
	{ "/system.slice/docker.socket", NULL, NULL, NULL },
	{ "/docker", NULL, NULL, NULL },

	/* Kubernetes, systemd driver, every QoS class, containerd */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
	  ".slice/cri-containerd-" ID_C ".scope", "containerd", ID_C, POD },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_
	  ".slice/cri-containerd-" ID_C ".scope", "containerd", ID_C, POD },
	{ "/kubepods.slice/kubepods-pod" POD_ ".slice/cri-containerd-" ID_C ".scope",
	  "containerd", ID_C, POD },
	/* ... CRI-O and dockershim */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
	  ".slice/crio-" ID_A ".scope", "cri-o", ID_A, POD },
	{ "/kubepods.slice/kubepods-pod" POD_ ".slice/docker-" ID_A ".scope", "docker", ID_A, POD },
	/* ... CRI-O's monitor (conmon) is not the container */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
	  ".slice/crio-conmon-" ID_A ".scope", NULL, NULL, NULL },
	/* ... a process in a nested cgroup of the container keeps its identity */
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_
	  ".slice/crio-" ID_A ".scope/container", "cri-o", ID_A, POD },
	/* ... the pod and QoS slices themselves are not containers */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_ ".slice",
	  NULL, NULL, NULL },
	{ "/kubepods.slice/kubepods-burstable.slice", NULL, NULL, NULL },
	{ "/kubepods.slice", NULL, NULL, NULL },
	/* Kubernetes, cgroupfs driver (k3s, kubeadm defaults before 1.22) */
	{ "/kubepods/besteffort/pod" POD "/" ID_B, "kubernetes", ID_B, POD },
	{ "/kubepods/burstable/pod" POD "/" ID_B, "kubernetes", ID_B, POD },
	{ "/kubepods/pod" POD "/" ID_B, "kubernetes", ID_B, POD },
	{ "/kubepods/burstable/pod" POD "/crio-" ID_A, "cri-o", ID_A, POD },
	/* static pods: the uid is the config hash */
	{ "/kubepods/burstable/pod" POD_STATIC "/" ID_B, "kubernetes", ID_B, POD_STATIC },
	/* kind / k3s in a container: kubelet under its own cgroup root */
	{ "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" POD_ ".slice/cri-containerd-" ID_C ".scope",
	  "containerd", ID_C, POD },
	{ "/kubelet/kubepods/besteffort/pod" POD "/" ID_B, "kubernetes", ID_B, POD },
	/* "<slice>:<runtime>:<id>" cgroupsPath used as a directory name */
	{ "/system.slice/containerd.service/kubepods-besteffort-pod" POD_
	  ".slice:cri-containerd:" ID_C, "containerd", ID_C, POD },
	{ "/kubepods-burstable-pod" POD_ ".slice:crio:" ID_A, "cri-o", ID_A, POD },
	{ "/kubepods-pod" POD_ ".slice:docker:" ID_A, "docker", ID_A, POD },
	{ "/kubepods-pod" POD_ ".slice:runc:" ID_A, NULL, NULL, NULL },
	{ "/kubepods-pod" POD_ ".slice:cri-containerd:" ID_UPPER, NULL, NULL, NULL },
	{ "/system.slice/foo.slice:cri-containerd:" ID_C, NULL, NULL, NULL },
	/* a pod uid that is not one: the bare id under it is not a container */
	{ "/kubepods/besteffort/podXYZ/" ID_B, NULL, NULL, NULL },
	{ "/kubepods/besteffort/pod74c13223-5a00-11e9-b385/" ID_B, NULL, NULL, NULL },
	/* pod<uid> outside kubepods is just a name */
	{ "/system.slice/mykubepods-pod" POD_ ".slice/" ID_B, NULL, NULL, NULL },
	{ "/system.slice/x-pod" POD_ ".slice/crio-" ID_A ".scope", "cri-o", ID_A, "" },
	{ "/system.slice/pod" POD "/" ID_B, NULL, NULL, NULL },

	/* containerd without Kubernetes: nerdctl */
	{ "/system.slice/nerdctl-" ID_C ".scope", "containerd", ID_C, "" },
	{ "/system.slice/containerd.service", NULL, NULL, NULL },

	/* podman, root and rootless, its monitor, cgroupfs manager, pods */
	{ "/machine.slice/libpod-" ID_A ".scope", "podman", ID_A, "" },
	{ "/machine.slice/libpod-" ID_A ".scope/container", "podman", ID_A, "" },
	{ "/machine.slice/libpod-conmon-" ID_A ".scope", NULL, NULL, NULL },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_A ".scope",
	  "podman", ID_A, "" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-" ID_A
	  ".scope", NULL, NULL, NULL },
	{ "/libpod_parent/libpod-" ID_A, "podman", ID_A, "" },
	{ "/machine.slice/machine-libpod_pod_" ID_B ".slice/libpod-" ID_A ".scope", "podman",
	  ID_A, "" },
	{ "/machine.slice/machine-libpod_pod_" ID_B ".slice", NULL, NULL, NULL },

	/* systemd-nspawn machines (unit names are escaped) */
	{ "/machine.slice/systemd-nspawn@debian.service", "systemd-nspawn", "debian", "" },
	{ "/machine.slice/systemd-nspawn@my\\x2dbox.service/payload/system.slice/sshd.service",
	  "systemd-nspawn", "my-box", "" },
	{ "/machine.slice/systemd-nspawn@.service", NULL, NULL, NULL },
	{ "/machine.slice/systemd-nspawn@bad\\x2.service", NULL, NULL, NULL },
	{ "/machine.slice/systemd-nspawn@bad\\q20.service", NULL, NULL, NULL },
	{ "/machine.slice/systemd-nspawn@nul\\x00.service", NULL, NULL, NULL },
	{ "/machine.slice/systemd-nspawn@x.socket", NULL, NULL, NULL },

	/* LXC / LXD / Incus */
	{ "/lxc.payload.web01", "lxc", "web01", "" },
	{ "/lxc.payload.web01/system.slice/cron.service", "lxc", "web01", "" },
	{ "/lxc.monitor.web01", NULL, NULL, NULL },
	{ "/lxc.payload/web01", "lxc", "web01", "" },
	{ "/lxc/web01", "lxc", "web01", "" },
	{ "/lxc.payload.", NULL, NULL, NULL },
	/* "/lxc/<name>" only at the top: elsewhere "lxc" is an ordinary name */
	{ "/system.slice/lxc/web01", NULL, NULL, NULL },
	{ "/lxc", NULL, NULL, NULL },

	/* ids that are not 64 lowercase hex digits */
	{ "/system.slice/docker-" ID_UPPER ".scope", NULL, NULL, NULL },
	{ "/system.slice/docker-9ec39b91f3d7.scope", NULL, NULL, NULL },
	{ "/system.slice/docker-" ID_A "0.scope", NULL, NULL, NULL },
	{ "/system.slice/docker-" ID_A ".scop", NULL, NULL, NULL },
	{ "/system.slice/docker-" ID_A, NULL, NULL, NULL },
	{ "/system.slice/cri-containerd-" ID_A, NULL, NULL, NULL },
	{ "/system.slice/docker-g" ID_A ".scope", NULL, NULL, NULL },
	{ "/docker/" ID_UPPER, NULL, NULL, NULL },
	{ "/docker/" ID_A "x", NULL, NULL, NULL },
	{ "/machine.slice/libpod-" ID_A "-1.scope", NULL, NULL, NULL },
	/* an id alone, without a parent that says what it is, is not a container */
	{ "/" ID_A, NULL, NULL, NULL },
	{ "/system.slice/" ID_A, NULL, NULL, NULL },

	/* ordinary hosts */
	{ "/", NULL, NULL, NULL },
	{ "", NULL, NULL, NULL },
	{ "/init.scope", NULL, NULL, NULL },
	{ "/system.slice/sshd.service", NULL, NULL, NULL },
	{ "/user.slice/user-1000.slice/session-3.scope", NULL, NULL, NULL },
	{ "/process_api/2f849bf333f4e9c84fc39ca114d7170c", NULL, NULL, NULL },

	/* separators: repeated and trailing slashes do not matter */
	{ "//system.slice//docker-" ID_A ".scope//", "docker", ID_A, "" },
	{ "system.slice/docker-" ID_A ".scope", "docker", ID_A, "" },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];
		struct container_info ci;
		int r;

		memset(&ci, 0x5a, sizeof(ci));
		r = container_parse(c->path, strlen(c->path), &ci);
		if (r != !!c->runtime)
			fail_msg("case %zu \"%s\": got %d, want %d (runtime %s, id %.*s)", i,
				 c->path, r, !!c->runtime, r ? ci.runtime : "-",
				 CONTAINER_ID_MAX, r ? ci.id : "-");
		if (!r) {
			/* untouched on no match */
			for (size_t j = 0; j < sizeof(ci); j++)
				if (((unsigned char *)&ci)[j] != 0x5a)
					fail_msg("case %zu \"%s\": output written on no match", i,
						 c->path);
			continue;
		}
		if (strcmp(ci.runtime, c->runtime) || strcmp(ci.id, c->id) ||
		    strcmp(ci.pod, c->pod))
			fail_msg("case %zu \"%s\": got %s/%s/%s, want %s/%s/%s", i, c->path,
				 ci.runtime, ci.id, ci.pod, c->runtime, c->id, c->pod);
	}
}

/* The length bounds the input: bytes after it are never looked at. */
static void test_length_bounds(void **state)
{
	static const char p[] = "/system.slice/docker-" ID_A ".scope";
	struct container_info ci;
	char *exact = malloc(sizeof(p) - 1);

	(void)state;
	assert_non_null(exact);
	memcpy(exact, p, sizeof(p) - 1); /* no NUL: ASan catches a read past the end */
	assert_int_equal(container_parse(exact, sizeof(p) - 1, &ci), 1);
	assert_string_equal(ci.id, ID_A);
	/* cut inside ".scope" */
	assert_int_equal(container_parse(exact, sizeof(p) - 3, &ci), 0);
	assert_int_equal(container_parse(exact, 0, &ci), 0);
	free(exact);
}

/* A NUL inside a component is an ordinary (non-matching) byte, not an end. */
static void test_embedded_nul(void **state)
{
	static const char p1[] = "/lxc.payload.we\0b";
	static const char p2[] = "/system.slice/docker-" ID_A ".scope\0/docker/" ID_B;
	static const char p3[] = "/system.slice/docker-" ID_A ".scope/x\0y";
	struct container_info ci;

	(void)state;
	assert_int_equal(container_parse(p1, sizeof(p1) - 1, &ci), 0);
	/* ".scope\0" is not ".scope"; the later docker/<id> still matches */
	assert_int_equal(container_parse(p2, sizeof(p2) - 1, &ci), 1);
	assert_string_equal(ci.id, ID_B);
	assert_int_equal(container_parse(p3, sizeof(p3) - 1, &ci), 1);
	assert_string_equal(ci.id, ID_A);
}

/* Names longer than CONTAINER_ID_MAX are refused, not truncated. */
static void test_long_names(void **state)
{
	char p[1024], name[CONTAINER_ID_MAX + 2];
	struct container_info ci;

	(void)state;
	memset(name, 'a', sizeof(name));
	name[CONTAINER_ID_MAX] = '\0';
	snprintf(p, sizeof(p), "/lxc.payload.%s", name);
	assert_int_equal(container_parse(p, strlen(p), &ci), 1);
	assert_int_equal(strlen(ci.id), CONTAINER_ID_MAX);
	name[CONTAINER_ID_MAX] = 'a';
	name[CONTAINER_ID_MAX + 1] = '\0';
	snprintf(p, sizeof(p), "/lxc.payload.%s", name);
	assert_int_equal(container_parse(p, strlen(p), &ci), 0);
	snprintf(p, sizeof(p), "/machine.slice/systemd-nspawn@%s.service", name);
	assert_int_equal(container_parse(p, strlen(p), &ci), 0);
	/* 128 escapes decode to 128 bytes: accepted */
	strcpy(p, "/machine.slice/systemd-nspawn@");
	for (int i = 0; i < CONTAINER_ID_MAX; i++)
		strcat(p, "\\x2d");
	strcat(p, ".service");
	assert_int_equal(container_parse(p, strlen(p), &ci), 1);
	assert_int_equal(strlen(ci.id), CONTAINER_ID_MAX);
	assert_int_equal(ci.id[0], '-');
}

/* A deep path of many components, the container at the bottom. */
static void test_deep(void **state)
{
	size_t cap = 64 * 1024, len = 0;
	char *p = malloc(cap);
	struct container_info ci;

	(void)state;
	assert_non_null(p);
	while (len + 8 < cap - 200) {
		memcpy(p + len, "/a.slice", 8);
		len += 8;
	}
	len += (size_t)snprintf(p + len, cap - len, "/docker/%s", ID_B);
	assert_int_equal(container_parse(p, len, &ci), 1);
	assert_string_equal(ci.runtime, "docker");
	assert_string_equal(ci.id, ID_B);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length_bounds),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
