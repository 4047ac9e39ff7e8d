/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h" /* the ABI types first: the skeleton uses them */
#include "caudit.skel.h"
#include "crypto.h"
#include "detach.h"
#include "hookset.h"
#include "loader_pins.h"
#include "pins.h"
#include "syscall_table.h"

#define TRACEFS "/sys/kernel/tracing"

struct loader {
	struct caudit_bpf *skel;
	struct bpf_link *links[LOADER_MAX_LINKS];
	struct bpf_program *link_progs[LOADER_MAX_LINKS];
	unsigned nlinks;
	struct pins *pins;   /* NULL: nothing pinned, capture ends with the daemon */
	int reused;          /* the pinned programs of an earlier daemon capture */
	int handover;        /* pins of another object moved aside: take over from them */
	int gen_shared;      /* ca_active_gen is the old object's: switch after attach */
	uint32_t my_gen;
	struct hook_status hooks[LOADER_MAX_HOOKS];
	unsigned nhooks;
	int ncpus;
	int have_iter;
	int have_ia32;
	int no_uring;         /* io_uring hooks failed to load: retried without them */
	int policy_opens;     /* a rule policy is loaded: it decides read-only opens too */
	struct hookset hs;    /* the syscall hooks, attached as the policy names them */
};

static struct hook_status *hook_add(struct loader *l, const char *name)
{
	struct hook_status *h;

	if (l->nhooks >= LOADER_MAX_HOOKS)
		return NULL;
	h = &l->hooks[l->nhooks++];
	snprintf(h->name, sizeof(h->name), "%s", name);
	return h;
}

static void hook_missing(struct loader *l, const char *name, const char *reason)
{
	struct hook_status *h = hook_add(l, name);

	if (h)
		snprintf(h->reason, sizeof(h->reason), "%s", reason);
}

/* libbpf attaches tracepoints through tracefs: mount it when a fresh machine lacks it. */
static int ensure_tracefs(void)
{
	struct statfs st;

	if (statfs(TRACEFS, &st) == 0 && st.f_type == TRACEFS_MAGIC)
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return 0;
}

static int tracepoint_exists(const char *category, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", category, name);
	return access(path, F_OK) == 0;
}

static struct bpf_program *prog_by_name(struct loader *l, const char *name)
{
	return bpf_object__find_program_by_name(l->skel->obj, name);
}

/* Switch off syscall programs whose tracepoints this kernel does not have. */
static void choose_syscall_hooks(struct loader *l)
{
	for (unsigned i = 0; i < syscall_table_count(); i++) {
		const struct ca_syscall_info *si = syscall_table_at(i);
		char enter[64], exit_[64], pe[64], px[64], hook[48];
		struct bpf_program *p1, *p2;

		snprintf(enter, sizeof(enter), "sys_enter_%s", si->name);
		snprintf(exit_, sizeof(exit_), "sys_exit_%s", si->name);
		snprintf(pe, sizeof(pe), "ca_enter_%s", si->name);
		snprintf(px, sizeof(px), "ca_exit_%s", si->name);
		snprintf(hook, sizeof(hook), "syscall:%s", si->name);
		p1 = prog_by_name(l, pe);
		p2 = prog_by_name(l, px);
		if (!p1 || !p2)
			continue;
		if (!tracepoint_exists("syscalls", enter) || !tracepoint_exists("syscalls", exit_)) {
			bpf_program__set_autoload(p1, false);
			bpf_program__set_autoload(p2, false);
			hook_missing(l, hook, "no tracepoint in this kernel");
		}
	}
}

/*
 * io_uring hooks (bpf/uring.bpf.c) are optional: a kernel without io_uring
 * or its tracepoints, or one whose verifier refuses them, still gets every
 * other hook. The io_uring_* tracepoints must exist in the kernel's BTF.
 */
static const char *const uring_progs[][2] = {
	{ "ca_uring_submit", "io_uring_submit_req" },
	{ "ca_uring_complete", "io_uring_complete" },
	{ "ca_uring_overflow", "io_uring_cqe_overflow" },
	{ "ca_uring_failed", "io_uring_req_failed" },
};

#define URING_PROGS (sizeof(uring_progs) / sizeof(uring_progs[0]))

static void choose_uring_hooks(struct loader *l)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const char *why = l->no_uring ? "load failed" : NULL;

	for (unsigned i = 0; i < URING_PROGS && !why; i++) {
		char tname[64];

		snprintf(tname, sizeof(tname), "btf_trace_%s", uring_progs[i][1]);
		if (!vmlinux || btf__find_by_name_kind(vmlinux, tname, BTF_KIND_TYPEDEF) < 0)
			why = "no tracepoint in this kernel";
	}
	btf__free(vmlinux);
	if (!why)
		return;
	for (unsigned i = 0; i < URING_PROGS; i++) {
		struct bpf_program *p = prog_by_name(l, uring_progs[i][0]);

		if (p)
			bpf_program__set_autoload(p, false);
		hook_missing(l, uring_progs[i][1], why);
	}
}

/* 32-bit syscall capture is optional: off by config, or when the kernel refuses it. */
static void choose_ia32_hooks(struct loader *l, const struct ca_config *cfg, int ia32)
{
	const char *names[] = { "ca_ia32_enter", "ca_ia32_exit", "ca_tail_file_ia32",
				"ca_tail_net_ia32", "ca_tail_cred_ia32", "ca_tail_sys_ia32",
				"ca_tail_final_ia32" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpf_program *p = prog_by_name(l, names[i]);

		if (p)
			bpf_program__set_autoload(p, ia32);
	}
	if (!ia32)
		hook_missing(l, "ia32:sys_enter/sys_exit",
			     cfg->capture_ia32 ? "load failed" : "capture_ia32 = no");
}

#define IA32_HOOK "ia32:sys_enter/sys_exit"

static const char *const ia32_progs[2] = { "ca_ia32_enter", "ca_ia32_exit" };
static const char *const raw_tps[2] = { "", "" };

static struct hook_status *hook_find_or_add(struct loader *l, const char *name)
{
	for (unsigned i = 0; i < l->nhooks; i++)
		if (!strcmp(l->hooks[i].name, name))
			return &l->hooks[i];
	return hook_add(l, name);
}

/* Row i of the syscall table (i == count: the ia32 pair): its programs and tracepoints. */
struct pair_names {
	char hook[48], prog[2][48], tp[2][48];
	const char *progs[2], *tps[2];
	int nr;
};

static void pair_names(unsigned i, struct pair_names *n)
{
	if (i == syscall_table_count()) {
		snprintf(n->hook, sizeof(n->hook), IA32_HOOK);
		for (int k = 0; k < 2; k++) {
			n->progs[k] = ia32_progs[k];
			n->tps[k] = raw_tps[k];
		}
		n->nr = HOOKSET_IA32;
		return;
	}
	const struct ca_syscall_info *si = syscall_table_at(i);

	snprintf(n->hook, sizeof(n->hook), "syscall:%s", si->name);
	snprintf(n->prog[0], sizeof(n->prog[0]), "ca_enter_%s", si->name);
	snprintf(n->prog[1], sizeof(n->prog[1]), "ca_exit_%s", si->name);
	snprintf(n->tp[0], sizeof(n->tp[0]), "sys_enter_%s", si->name);
	snprintf(n->tp[1], sizeof(n->tp[1]), "sys_exit_%s", si->name);
	for (int k = 0; k < 2; k++) {
		n->progs[k] = n->prog[k];
		n->tps[k] = n->tp[k];
	}
	n->nr = si->nr;
}

/* A fresh load: every loaded syscall pair and the ia32 pair, detached until a policy names them. */
static int hooks_from_object(struct loader *l)
{
	static const int unlinked[2] = { -1, -1 };

	l->hs.pins = l->pins;
	for (unsigned i = 0; i <= syscall_table_count(); i++) {
		struct bpf_program *p[2];
		struct pair_names n;
		int fds[2], r;

		pair_names(i, &n);
		p[0] = prog_by_name(l, n.progs[0]);
		p[1] = prog_by_name(l, n.progs[1]);
		if (!p[0] || !p[1] || !bpf_program__autoload(p[0]) || !bpf_program__autoload(p[1]))
			continue; /* reported missing already */
		fds[0] = bpf_program__fd(p[0]);
		fds[1] = bpf_program__fd(p[1]);
		r = hookset_add(&l->hs, n.nr, n.progs, n.tps, fds, unlinked,
				hook_find_or_add(l, n.hook));
		if (r)
			return r;
	}
	return 0;
}

/* A restart on the pins: the pinned programs, attached where links are pinned. */
static int hooks_from_pins(struct loader *l)
{
	l->hs.pins = l->pins;
	for (unsigned i = 0; i <= syscall_table_count(); i++) {
		struct pair_names n;
		int pf[2], lf[2], r;

		pair_names(i, &n);
		for (int k = 0; k < 2; k++) {
			pf[k] = pins_prog_get(l->pins, n.progs[k]);
			lf[k] = pins_link_get(l->pins, n.progs[k]);
			if (lf[k] < 0)
				lf[k] = -1;
		}
		r = pf[0] >= 0 && pf[1] >= 0 ?
			    hookset_add(&l->hs, n.nr, n.progs, n.tps, pf, lf, hook_find_or_add(l, n.hook)) :
			    -ENOENT; /* not loaded by the daemon that pinned them */
		for (int k = 0; k < 2; k++) {
			if (pf[k] >= 0)
				close(pf[k]);
			if (r && lf[k] >= 0)
				close(lf[k]);
		}
		if (r && r != -ENOENT)
			return r;
	}
	return 0;
}

int loader_hooks_apply(struct loader *l, const uint8_t *want64, unsigned nwant, int want_ia32,
		       int trim)
{
	return hookset_apply(&l->hs, want64, nwant, want_ia32,
			     trim ? HOOKSET_TRIM : HOOKSET_ATTACH);
}

static void set_runtime(struct loader *l, const struct ca_config *cfg)
{
	struct ca_runtime_cfg *rc = &l->skel->bss->ca_cfg;
	uint64_t wake = cfg->wakeup_bytes;

	/* never wait for more than a quarter of the ring: wake before it fills */
	if (wake > cfg->ring_buffer_size / 4)
		wake = cfg->ring_buffer_size / 4;
	rc->capture_read_opens = cfg->capture_read_opens || l->policy_opens ? 1 : 0;
	rc->uid_include_active = cfg->n_include_uids > 0;
	rc->comm_include_active = cfg->n_include_comms > 0;
	rc->args_max = cfg->args_max > CA_ARGS_MAX ? CA_ARGS_MAX : cfg->args_max;
	rc->udp_sends_per_sec = cfg->udp_sends_per_sec;
	rc->wakeup_bytes = wake;
}

/* Keep a link to detach (or pin) later. Returns 0, or -E2BIG with the link destroyed. */
static int link_add(struct loader *l, struct bpf_link *link, struct bpf_program *p)
{
	if (l->nlinks >= LOADER_MAX_LINKS) {
		/* never leave a link nobody will detach: it would outlive the stop */
		bpf_link__destroy(link);
		return -E2BIG;
	}
	l->link_progs[l->nlinks] = p;
	l->links[l->nlinks++] = link;
	return 0;
}

static int uid_wanted(const struct ca_config *cfg, uint32_t uid)
{
	for (unsigned i = 0; i < cfg->n_include_uids; i++)
		if (cfg->include_uids[i] == uid)
			return 1;
	for (unsigned i = 0; i < cfg->n_exclude_uids; i++)
		if (cfg->exclude_uids[i] == uid)
			return 1;
	return 0;
}

static int comm_wanted(const struct ca_config *cfg, const char *comm)
{
	for (unsigned i = 0; i < cfg->n_include_comms; i++)
		if (!strncmp(cfg->include_comms[i], comm, CA_COMM_LEN))
			return 1;
	for (unsigned i = 0; i < cfg->n_exclude_comms; i++)
		if (!strncmp(cfg->exclude_comms[i], comm, CA_COMM_LEN))
			return 1;
	return 0;
}

/*
 * Bring the filter maps to cfg without a moment where they are empty: the
 * running programs (pinned ones too, at a takeover or reload) read them all
 * the time. Add and update first, then remove what cfg no longer lists.
 */
static int is_login_service(const struct ca_config *cfg, const char *comm)
{
	for (unsigned i = 0; i < cfg->n_login_services; i++)
		if (strncmp(cfg->login_services[i], comm, CA_COMM_LEN - 1) == 0)
			return 1;
	return 0;
}

/* login_services map: add first, then prune (no window without a service). */
static int fill_login_services(struct loader *l, const struct ca_config *cfg)
{
	int fd = bpf_map__fd(l->skel->maps.login_services);
	char key[CA_COMM_LEN], next[CA_COMM_LEN], prev[CA_COMM_LEN];
	uint8_t one = 1;
	int have_prev = 0;

	for (unsigned i = 0; i < cfg->n_login_services; i++) {
		memset(key, 0, sizeof(key));
		strncpy(key, cfg->login_services[i], sizeof(key) - 1);
		if (bpf_map_update_elem(fd, key, &one, BPF_ANY))
			return -errno;
	}
	while (bpf_map_get_next_key(fd, have_prev ? prev : NULL, next) == 0) {
		next[CA_COMM_LEN - 1] = 0;
		if (!is_login_service(cfg, next)) {
			bpf_map_delete_elem(fd, next);
			continue;
		}
		memcpy(prev, next, sizeof(prev));
		have_prev = 1;
	}
	return 0;
}

static int fill_filters(struct loader *l, const struct ca_config *cfg)
{
	int ufd = bpf_map__fd(l->skel->maps.uid_filter);
	int cfd = bpf_map__fd(l->skel->maps.comm_filter);
	uint32_t key, next, *prev = NULL;
	char ckey[CA_COMM_LEN], cnext[CA_COMM_LEN], cprev[CA_COMM_LEN];
	uint8_t inc = CA_FILTER_INCLUDE, exc = CA_FILTER_EXCLUDE;
	int have_prev = 0;

	for (unsigned i = 0; i < cfg->n_include_uids; i++) {
		key = cfg->include_uids[i];
		if (bpf_map_update_elem(ufd, &key, &inc, BPF_ANY))
			return -errno;
	}
	for (unsigned i = 0; i < cfg->n_exclude_uids; i++) {
		key = cfg->exclude_uids[i];
		if (bpf_map_update_elem(ufd, &key, &exc, BPF_ANY))
			return -errno;
	}
	for (unsigned i = 0; i < cfg->n_include_comms; i++) {
		memset(ckey, 0, sizeof(ckey));
		strncpy(ckey, cfg->include_comms[i], sizeof(ckey) - 1);
		if (bpf_map_update_elem(cfd, ckey, &inc, BPF_ANY))
			return -errno;
	}
	for (unsigned i = 0; i < cfg->n_exclude_comms; i++) {
		memset(ckey, 0, sizeof(ckey));
		strncpy(ckey, cfg->exclude_comms[i], sizeof(ckey) - 1);
		if (bpf_map_update_elem(cfd, ckey, &exc, BPF_ANY))
			return -errno;
	}
	/* prune: walk the keys, deleting behind the cursor */
	while (bpf_map_get_next_key(ufd, prev, &next) == 0) {
		if (!uid_wanted(cfg, next)) {
			bpf_map_delete_elem(ufd, &next);
			continue; /* the walk goes on from prev */
		}
		key = next;
		prev = &key;
	}
	while (bpf_map_get_next_key(cfd, have_prev ? cprev : NULL, cnext) == 0) {
		cnext[CA_COMM_LEN - 1] = 0;
		if (!comm_wanted(cfg, cnext)) {
			bpf_map_delete_elem(cfd, cnext);
			continue;
		}
		memcpy(cprev, cnext, sizeof(cprev));
		have_prev = 1;
	}
	return fill_login_services(l, cfg);
}

/* Tail-call slots: 0 the dispatcher, then one handler per enum ca_sc_kind. */
static int fill_exit_progs(struct loader *l, int ia32)
{
	struct caudit_bpf *sk = l->skel;
	struct bpf_program *tp[CA_EXIT_SLOTS] = {
		sk->progs.ca_sys_exit,  sk->progs.ca_tail_file, sk->progs.ca_tail_file,
		sk->progs.ca_tail_file, sk->progs.ca_tail_net,  sk->progs.ca_tail_cred,
		sk->progs.ca_tail_sys,  sk->progs.ca_tail_sys,  sk->progs.ca_tail_final,
	};
	struct bpf_program *btf[CA_EXIT_SLOTS] = {
		NULL,
		sk->progs.ca_tail_file_ia32, sk->progs.ca_tail_file_ia32,
		sk->progs.ca_tail_file_ia32, sk->progs.ca_tail_net_ia32,
		sk->progs.ca_tail_cred_ia32, sk->progs.ca_tail_sys_ia32,
		sk->progs.ca_tail_sys_ia32,  sk->progs.ca_tail_final_ia32,
	};
	int tfd = bpf_map__fd(sk->maps.sc_exit_prog), bfd = bpf_map__fd(sk->maps.ia32_exit_prog);

	for (uint32_t i = 0; i < CA_EXIT_SLOTS; i++) {
		int pfd = bpf_program__fd(tp[i]);

		if (bpf_map_update_elem(tfd, &i, &pfd, BPF_ANY))
			return -errno;
		if (!ia32 || !btf[i])
			continue;
		pfd = bpf_program__fd(btf[i]);
		if (bpf_map_update_elem(bfd, &i, &pfd, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int fill_sc_table(struct loader *l, int ia32)
{
	int fd = bpf_map__fd(l->skel->maps.sc_table);
	int ifd = bpf_map__fd(l->skel->maps.ia32_to_64);
	int r = fill_exit_progs(l, ia32);

	if (r)
		return r;
	for (unsigned i = 0; i < syscall_table_count(); i++) {
		const struct ca_syscall_info *si = syscall_table_at(i);
		uint32_t nr = (uint32_t)si->nr;

		if (bpf_map_update_elem(fd, &nr, &si->desc, BPF_ANY))
			return -errno;
	}
	for (unsigned i = 0; ia32 && i < syscall_table_ia32_count(); i++) {
		unsigned nr32;
		const struct ca_syscall_info *si = syscall_table_ia32_at(i, &nr32);
		uint32_t key = nr32, val;

		if (!si || nr32 >= CA_SYSCALL_MAX)
			return -EINVAL;
		val = (uint32_t)si->nr + 1;
		if (bpf_map_update_elem(ifd, &key, &val, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Let this object's programs emit (and, when shared, stop the old ones'). */
static int activate(struct loader *l)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.ca_active_gen), &zero, &l->my_gen,
				BPF_ANY))
		return -errno;
	return 0;
}

void loader_stamp(const struct ca_config *cfg, uint8_t out[32])
{
	struct {
		uint8_t elf[CRYPTO_HASH_LEN];
		uint64_t ring, pending;
		int64_t ncpus;
		uint64_t sizes[3];
	} s = {};
	size_t len = 0;
	const void *elf = caudit_bpf__elf_bytes(&len);

	cr_hash(s.elf, elf, len);
	s.ring = cfg->ring_buffer_size;
	s.pending = cfg->pending_max;
	s.ncpus = libbpf_num_possible_cpus();
	s.sizes[0] = sizeof(struct ca_event);
	s.sizes[1] = sizeof(struct ca_runtime_cfg);
	s.sizes[2] = sizeof(struct hook_status);
	cr_hash(out, &s, sizeof(s));
}

/* Open, size and load the object; iter controls the optional snapshot program. */
static int open_and_load(struct loader *l, const struct ca_config *cfg, uint32_t agent_tgid,
			 int iter, int ia32)
{
	int r;

	l->skel = caudit_bpf__open();
	if (!l->skel)
		return -errno ? -errno : -EINVAL;
	l->nhooks = 0;
	bpf_map__set_max_entries(l->skel->maps.events, (uint32_t)cfg->ring_buffer_size);
	bpf_map__set_max_entries(l->skel->maps.scratch, (uint32_t)l->ncpus);
	bpf_map__set_max_entries(l->skel->maps.pending, cfg->pending_max);
	l->skel->bss->ca_cfg.agent_tgid = agent_tgid;
	set_runtime(l, cfg);
	if (l->pins && l->reused) {
		r = lpins_reuse(l->skel->obj, l->pins);
		if (r) {
			caudit_bpf__destroy(l->skel);
			l->skel = NULL;
			return r;
		}
	} else {
		l->gen_shared = 0;
		l->my_gen = 1;
		if (l->pins && l->handover)
			l->my_gen = lpins_share_old(l->skel->obj, l->pins, &l->gen_shared);
		l->skel->rodata->ca_my_gen = l->my_gen;
		choose_syscall_hooks(l);
		choose_uring_hooks(l);
		choose_ia32_hooks(l, cfg, ia32);
	}
	bpf_program__set_autoload(l->skel->progs.ca_snapshot_tasks, iter);
	r = caudit_bpf__load(l->skel);
	if (r) {
		caudit_bpf__destroy(l->skel);
		l->skel = NULL;
		return r < 0 ? r : -EINVAL;
	}
	l->have_iter = iter;
	l->have_ia32 = ia32;
	return 0;
}

static int attach_all(struct loader *l, char *err, size_t errlen)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, l->skel->obj) {
		const char *name = bpf_program__name(p);
		const char *sec = bpf_program__section_name(p);
		/* the process lifecycle is the backbone; other tp_btf hooks are optional */
		int required = strncmp(name, "ca_process_", 11) == 0;
		int btf = strncmp(sec, "tp_btf/", 7) == 0;
		char hook[48];
		struct hook_status *h;
		struct bpf_link *link;

		if (!bpf_program__autoload(p) || strncmp(sec, "iter/", 5) == 0 ||
		    strcmp(sec, "tracepoint") == 0 || strncmp(name, "ca_tail_", 8) == 0)
			continue; /* the iterator runs on demand; exit handlers by tail call */
		if (strncmp(name, "ca_exit_", 8) == 0 || strncmp(name, "ca_enter_", 9) == 0 ||
		    strncmp(name, "ca_ia32_", 8) == 0)
			continue; /* attached as the policy names them (hookset) */
		link = bpf_program__attach(p);
		snprintf(hook, sizeof(hook), "%s", sec + (btf ? 7 : 0));
		if (!link) {
			int e = errno;

			if (required) {
				snprintf(err, errlen, "attach %s: %s", sec, strerror(e));
				return -e;
			}
			h = hook_add(l, hook);
			if (h)
				snprintf(h->reason, sizeof(h->reason), "attach: %s", strerror(e));
			continue;
		}
		if (link_add(l, link, p)) {
			snprintf(err, errlen, "more than %d BPF links", LOADER_MAX_LINKS);
			return -E2BIG;
		}
		h = hook_add(l, hook);
		if (h)
			h->active = 1;
	}
	if (l->have_iter) {
		struct hook_status *h = hook_add(l, "iter/task");

		if (h)
			h->active = 1;
	} else {
		hook_missing(l, "iter/task", "load failed: /proc scan only");
	}
	return 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("CAUDIT_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG && getenv("CAUDIT_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int loader_open(struct loader **out, const struct ca_config *cfg, uint32_t agent_tgid,
		struct pins *pins, int pin_state, loader_ready_fn ready, void *ready_ctx, char *err,
		size_t errlen)
{
	struct loader *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->pins = pins;
	l->reused = pins && pin_state == PINS_REUSE;
	l->handover = pins && pin_state == PINS_OLD;
	libbpf_set_print(silent_print);
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0) {
		snprintf(err, errlen, "cannot count CPUs");
		r = -EINVAL;
		goto fail;
	}
	r = ensure_tracefs();
	if (r) {
		snprintf(err, errlen, "mount tracefs on " TRACEFS ": %s", strerror(-r));
		goto fail;
	}
	/*
	 * Trial loads: the snapshot iterator, the 32-bit syscall programs and
	 * the io_uring programs are optional (reported missing), the rest is not.
	 */
	r = -EINVAL;
	for (int no_uring = 0; r && no_uring <= 1; no_uring++) {
		l->no_uring = no_uring;
		for (int ia32 = !!cfg->capture_ia32; r && ia32 >= 0; ia32--)
			for (int iter = 1; r && iter >= 0; iter--)
				r = open_and_load(l, cfg, agent_tgid, iter, ia32);
	}
	if (r) {
		snprintf(err, errlen, "load BPF programs: %s (CAUDIT_BPF_DEBUG=1 shows the verifier log)",
			 strerror(-r));
		goto fail;
	}
	if (l->reused) {
		/* the pinned .bss is live: our pid and settings go there now */
		l->skel->bss->ca_cfg.agent_tgid = agent_tgid;
		r = fill_filters(l, cfg);
		set_runtime(l, cfg);
		if (r) {
			snprintf(err, errlen, "fill BPF maps: %s", strerror(-r));
			goto fail;
		}
		r = pins_hooks_read(pins, l->hooks, LOADER_MAX_HOOKS, &l->nhooks);
		if (!r)
			r = hooks_from_pins(l);
		if (r) {
			snprintf(err, errlen, "pinned hook list: %s", strerror(-r));
			goto fail;
		}
		if (ready) {
			r = ready(ready_ctx, l, err, errlen);
			if (r)
				goto fail;
		}
		*out = l;
		return 0;
	}
	r = fill_sc_table(l, l->have_ia32);
	if (!r)
		r = fill_filters(l, cfg);
	if (!r)
		r = hooks_from_object(l);
	if (!r && !l->gen_shared)
		r = activate(l); /* nobody else emits into this map: from the start */
	if (r) {
		snprintf(err, errlen, "fill BPF maps: %s", strerror(-r));
		goto fail;
	}
	/* the policy is in place before the first program runs */
	if (ready) {
		r = ready(ready_ctx, l, err, errlen);
		if (r)
			goto fail;
	}
	if (!ready) {
		/* no policy: every syscall hook */
		static uint8_t all[CA_POL_NR];

		memset(all, 1, sizeof(all));
		loader_hooks_apply(l, all, CA_POL_NR, 1, 0);
	}
	r = attach_all(l, err, errlen);
	if (r)
		goto fail;
	if (l->gen_shared) {
		/* the switch: from this write on the new programs emit, the old ones not */
		r = activate(l);
		if (r) {
			snprintf(err, errlen, "switch to generation %u: %s", l->my_gen, strerror(-r));
			goto fail;
		}
	}
	if (l->pins) {
		r = lpins_pin_all(l->skel->obj, l->pins, l->links, l->link_progs, l->nlinks, l->hooks,
				  l->nhooks, err, errlen);
		if (r)
			goto fail;
	}
	*out = l;
	return 0;
fail:
	loader_close(l);
	return r;
}

int loader_apply_runtime(struct loader *l, const struct ca_config *cfg)
{
	int r = fill_filters(l, cfg);

	/* the include flags switch once the maps hold the new lists */
	set_runtime(l, cfg);
	return r;
}

int loader_set_origin(struct loader *l, uint32_t pid, const struct ca_origin *origin)
{
	/* BPF_NOEXIST: an origin the kernel set itself since the scan is newer */
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.origins), &pid, origin, BPF_NOEXIST))
		return -errno;
	return 0;
}

int loader_policy_fds(const struct loader *l, struct loader_policy_fds *fds)
{
	fds->active = bpf_map__fd(l->skel->maps.pol_active);
	fds->slot_gen = bpf_map__fd(l->skel->maps.pol_slot_gen);
	fds->sc = bpf_map__fd(l->skel->maps.pol_sc);
	fds->rules = bpf_map__fd(l->skel->maps.pol_rules);
	fds->lock = bpf_map__fd(l->skel->maps.pol_lock);
	return fds->active < 0 || fds->slot_gen < 0 || fds->sc < 0 || fds->rules < 0 ||
			       fds->lock < 0
		       ? -EBADF
		       : 0;
}

void loader_policy_read_opens(struct loader *l, const struct ca_config *cfg, int on)
{
	l->policy_opens = on;
	set_runtime(l, cfg);
}

int loader_ringbuf_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

/* Sum the n per-CPU counters of map fd into out. */
static int read_percpu_counters(const struct loader *l, int fd, uint64_t *out, uint32_t n)
{
	uint64_t *vals = calloc((size_t)l->ncpus, sizeof(*vals));

	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < n; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			for (int c = 0; c < l->ncpus; c++)
				out[k] += vals[c];
	}
	free(vals);
	return 0;
}

int loader_read_drops(const struct loader *l, uint64_t out[CA_DROP__COUNT])
{
	return read_percpu_counters(l, bpf_map__fd(l->skel->maps.drop_counters), out,
				    CA_DROP__COUNT);
}

int loader_read_policy_drops(const struct loader *l, uint64_t out[CA_PST__COUNT])
{
	return read_percpu_counters(l, bpf_map__fd(l->skel->maps.pol_dropped), out, CA_PST__COUNT);
}

const struct hook_status *loader_hooks(const struct loader *l, unsigned *count)
{
	*count = l->nhooks;
	return l->hooks;
}

int loader_snapshot(struct loader *l, loader_record_fn fn, void *opaque)
{
	struct bpf_link *link;
	size_t cap = 1 << 20, len = 0;
	char *buf;
	int fd, r = 0;

	if (!l->have_iter)
		return -EOPNOTSUPP;
	link = bpf_program__attach_iter(l->skel->progs.ca_snapshot_tasks, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	buf = malloc(cap);
	if (!buf) {
		r = -ENOMEM;
		goto out_fd;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < CA_EVENT_MAX) {
			/* bounded: a snapshot larger than 256 MiB is cut */
			char *nb = cap >= (256u << 20) ? NULL : realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				r = -errno;
			break;
		}
		len += (size_t)n;
	}
	for (size_t off = 0; off + sizeof(struct ca_event) <= len;) {
		const struct ca_event *ev = (const void *)(buf + off);

		if (ev->size < sizeof(*ev) || ev->size > len - off)
			break;
		fn(opaque, buf + off, ev->size);
		off += ev->size;
	}
	free(buf);
out_fd:
	close(fd);
out:
	bpf_link__destroy(link);
	return r;
}

static void destroy_link(void *item)
{
	bpf_link__destroy(*(struct bpf_link **)item);
}

void loader_detach(struct loader *l)
{
	if (!l)
		return;
	hookset_close(&l->hs, 0);
	detach_parallel(l->links, sizeof(l->links[0]), l->nlinks, destroy_link);
	l->nlinks = 0;
}

int loader_reused(const struct loader *l)
{
	return l->reused;
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	if (l->pins) {
		/* pinned links stay attached: the next daemon takes them over */
		for (unsigned i = 0; i < l->nlinks; i++) {
			bpf_link__disconnect(l->links[i]);
			bpf_link__destroy(l->links[i]);
		}
		l->nlinks = 0;
	}
	hookset_close(&l->hs, l->pins != NULL);
	loader_detach(l);
	caudit_bpf__destroy(l->skel);
	free(l);
}
