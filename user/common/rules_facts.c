// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The facts a policy is evaluated on (rules_match.h), read from one raw
 * record: who (the task), which call and ABI, its result and arguments, the
 * files it names (made absolute as the encoder does), the socket endpoints,
 * the session origin, the file object. What a record cannot say is UNKNOWN,
 * what the operation does not have is ABSENT (docs/policy.md "Unknown
 * facts"). Pure: binary payloads are copied out after their size is checked.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "path.h"
#include "rules_match.h"
#include "syscall_table.h"

#define NR_EXECVE 59
#define NR_LISTEN 50

/* Strings for the facts, NUL-terminated, bump-allocated in the caller's buffer. */
struct sbuf {
	char *s;
	size_t cap, len;
};

static const char *sb_copy(struct sbuf *b, const char *s, size_t n)
{
	const char *z = memchr(s, 0, n);
	char *out;

	if (z)
		n = (size_t)(z - s);
	if (!b->s || n + 1 > b->cap - b->len)
		return NULL;
	out = b->s + b->len;
	memcpy(out, s, n);
	out[n] = '\0';
	b->len += n + 1;
	return out;
}

/* path made absolute against base (when relative) and normalized; NULL when it cannot be. */
static const char *sb_resolve(struct sbuf *b, const char *base, size_t blen, const char *p,
			      size_t plen)
{
	int n;

	if (!b->s || b->len >= b->cap)
		return NULL;
	n = path_resolve(base, blen, p, plen, b->s + b->len, b->cap - b->len);
	if (n < 0)
		return NULL;
	b->len += (size_t)n + 1;
	return b->s + b->len - (size_t)n - 1;
}

/* Path slot `slot` (user string relative to slot + 1, or a kernel path) as fact i. */
static void path_fact(struct rules_facts *f, int i, struct sbuf *b, const struct ca_decoded *d,
		      int slot, int base_slot, int kernel)
{
	const char *s = d->str[slot];

	f->have_path[i] = RULES_FACT_UNKNOWN;
	if (!s)
		return;
	if (kernel)
		f->path[i] = sb_copy(b, s, d->len[slot]);
	else
		f->path[i] = sb_resolve(b, d->str[base_slot], d->len[base_slot], s, d->len[slot]);
	if (f->path[i])
		f->have_path[i] = RULES_FACT_KNOWN;
}

static void net_facts(struct rules_facts *f, struct sbuf *b, const struct ca_decoded *d)
{
	struct ca_net_info ni;
	size_t alen;

	if (!d->str[CA_S_AUX] || d->len[CA_S_AUX] != sizeof(ni)) {
		f->saddr_fam = RULES_NUM_UNKNOWN;
		f->have_laddr = f->have_raddr = RULES_FACT_UNKNOWN;
		f->lport = f->rport = RULES_NUM_UNKNOWN;
		f->have_path[0] = RULES_FACT_UNKNOWN;
		return;
	}
	memcpy(&ni, d->str[CA_S_AUX], sizeof(ni));
	/* listen passes no address (the kernel has no sockaddr to compare) */
	if (f->nr != NR_LISTEN)
		f->saddr_fam = ni.family;
	if (ni.family == AF_INET || ni.family == AF_INET6) {
		alen = ni.family == AF_INET ? 4 : 16;
		if (ni.flags & CA_NET_HAVE_SRC) {
			f->have_laddr = RULES_FACT_KNOWN;
			f->lfamily = (uint8_t)ni.family;
			memcpy(f->laddr, ni.saddr, alen);
			f->lport = ni.sport;
		}
		if (ni.flags & CA_NET_HAVE_DST) {
			f->have_raddr = RULES_FACT_KNOWN;
			f->rfamily = (uint8_t)ni.family;
			memcpy(f->raddr, ni.daddr, alen);
			f->rport = ni.dport;
		}
	} else if (ni.family == AF_UNIX && d->str[CA_S_PATH] &&
		   !(ni.flags & CA_NET_UNIX_ABSTRACT)) {
		/* a socket file: relative names have no base in the record */
		path_fact(f, 0, b, d, CA_S_PATH, CA_S_PATH_BASE, 0);
	}
}

/* The file facts of a table-driven syscall: its paths, open flags. */
static void file_facts(struct rules_facts *f, struct sbuf *b, const struct ca_decoded *d,
		       const struct ca_syscall_info *si)
{
	const struct ca_event *ev = d->ev;
	const struct ca_sc_desc *s = &si->desc;

	if (s->path_arg < 6 || s->fd_arg < 6 || (s->flags & CA_SCF_RET_FD))
		path_fact(f, 0, b, d, CA_S_PATH, CA_S_PATH_BASE, !!(ev->flags & CA_F_PATH_KERNEL));
	if (s->path2_arg < 6)
		path_fact(f, 1, b, d, CA_S_PATH2, CA_S_PATH2_BASE,
			  !!(ev->flags & CA_F_PATH2_KERNEL));
	f->have_obj = RULES_FACT_UNKNOWN;
	if (s->kind != CA_SC_OPEN)
		return;
	f->have_open_flags = RULES_FACT_KNOWN;
	f->open_flags = (uint32_t)ev->aux[CA_AUX_OPEN_FLAGS];
	/* an unreadable struct open_how leaves placeholder flags */
	if ((ev->flags & CA_F_NO_ENTER) ||
	    ((s->flags & CA_SCF_OPEN_HOW) && (ev->flags & CA_F_READ_FAULT)))
		f->have_open_flags = RULES_FACT_UNKNOWN;
}

static void task_facts(struct rules_facts *f, const struct ca_task_info *t)
{
	f->pid = t->pid;
	f->ppid = t->ppid;
	f->uid = t->uid;
	f->euid = t->euid;
	f->suid = t->suid;
	f->fsuid = t->fsuid;
	f->gid = t->gid;
	f->egid = t->egid;
	f->sgid = t->sgid;
	f->fsgid = t->fsgid;
	f->auid = t->auid;
	f->sessionid = t->sessionid;
	f->have_pers = RULES_FACT_UNKNOWN; /* not in records */
	if (t->origin.family == AF_INET || t->origin.family == AF_INET6) {
		f->have_origin = RULES_FACT_KNOWN;
		f->ofamily = (uint8_t)t->origin.family;
		memcpy(f->oaddr, t->origin.addr, sizeof(f->oaddr));
	} else {
		f->have_origin = RULES_FACT_ABSENT;
	}
}

int rules_facts_from_event(const struct ca_decoded *d, char *buf, size_t buf_len,
			   struct rules_facts *f)
{
	const struct ca_event *ev = d->ev;
	const struct ca_syscall_info *si;
	struct sbuf b = {buf, buf ? buf_len : 0, 0};

	memset(f, 0, sizeof(*f));
	f->abi = (ev->flags & CA_F_ABI_IA32) ? RULES_ABI_32 : RULES_ABI_64;
	f->nr = ev->syscall_nr < CA_SYSCALL_MAX ? ev->syscall_nr : CA_SYSCALL_MAX;
	task_facts(f, &ev->task);
	/* what the operation does not have unless its kind says otherwise */
	f->have_result = f->have_args = f->have_obj = RULES_FACT_ABSENT;
	f->have_path[0] = f->have_path[1] = RULES_FACT_ABSENT;
	f->have_laddr = f->have_raddr = f->have_open_flags = RULES_FACT_ABSENT;
	f->saddr_fam = f->lport = f->rport = RULES_NUM_ABSENT;

	switch (ev->type) {
	case CA_EV_PROC_EXEC:
		/* call unknown without its enter: execve, the common case (as the encoder) */
		si = syscall_table_by_nr(f->nr);
		if (!si || si->desc.kind != CA_SC_EXEC)
			f->nr = NR_EXECVE;
		f->have_result = RULES_FACT_KNOWN;
		f->exit = 0;
		f->have_args = RULES_FACT_UNKNOWN; /* the record holds no syscall arguments */
		f->have_obj = RULES_FACT_UNKNOWN;
		/* the image run (the interpreter of a script) and the name as given */
		path_fact(f, 0, &b, d, CA_S_EXE, CA_S_EXE, 1);
		path_fact(f, 1, &b, d, CA_S_PATH, CA_S_CWD, 0);
		f->exe = f->path[0];
		break;
	case CA_EV_PROC_EXEC_FAIL:
	case CA_EV_SYSCALL:
		si = syscall_table_by_nr(f->nr);
		if (!si)
			return -EINVAL;
		f->have_result =
		    (ev->flags & CA_F_NO_RESULT) ? RULES_FACT_UNKNOWN : RULES_FACT_KNOWN;
		f->exit = ev->ret;
		f->have_args = (ev->flags & CA_F_NO_ENTER) ? RULES_FACT_UNKNOWN : RULES_FACT_KNOWN;
		for (int i = 0; i < 4; i++)
			f->a[i] = ev->args[i];
		if (si->desc.kind == CA_SC_NET)
			net_facts(f, &b, d);
		else if (si->desc.kind != CA_SC_CRED && si->desc.kind != CA_SC_KILL)
			file_facts(f, &b, d, si);
		break;
	case CA_EV_PROC_FORK:
		/* the fork returned the child's pid; the call's arguments are not in the record */
		f->have_result = RULES_FACT_KNOWN;
		f->exit = (int64_t)(uint32_t)ev->aux[CA_AUX_FORK_CHILD_PID];
		f->have_args = RULES_FACT_UNKNOWN;
		break;
	case CA_EV_SIGNAL:
		/* seen when the signal is sent, before the call returns */
		f->have_result = f->have_args = RULES_FACT_UNKNOWN;
		break;
	case CA_EV_PROC_EXIT:
	case CA_EV_TASK_SNAPSHOT:
		break; /* no call that returns */
	default:
		return -EINVAL;
	}
	if (ev->flags & CA_F_OBJ) {
		f->have_obj = RULES_FACT_KNOWN;
		f->inode = ev->obj.ino;
		f->devmajor = ev->obj.dev >> 20;
		f->devminor = ev->obj.dev & 0xfffff;
		f->mode = ev->obj.mode;
		f->obj_uid = ev->obj.uid;
		f->obj_gid = ev->obj.gid;
	}
	if (ev->flags & CA_F_PATH_TRUNC) {
		/* some path was cut (or lost its leading part): none can be trusted */
		for (int i = 0; i < 2; i++)
			if (f->have_path[i] == RULES_FACT_KNOWN) {
				f->have_path[i] = RULES_FACT_UNKNOWN;
				f->path[i] = NULL;
			}
		f->exe = NULL;
	}
	return 0;
}
