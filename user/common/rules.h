/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The policy language: audit.rules(7) / auditctl(8) rule files parsed and
 * compiled into an in-memory rule table (docs/policy.md). Pure module: the
 * caller reads the files and supplies name lookups; nothing here does I/O.
 *
 *   struct rules_policy *p = rules_new(&env);
 *   rules_parse(p, "10-base.rules", text, len);   once per file, in order
 *   rules_compile(p);                              index, canonical form, hash
 *   ... rules_diag_at(p, i) for warnings and errors (file:line:col: message)
 *   rules_free(p);
 *
 * The table is laid out so that a later step can copy it into BPF maps:
 * rules in evaluation order, fixed-size predicates, one syscall bitmap per
 * rule and ABI, and per list/ABI/syscall the set of rules that name it.
 */
#ifndef CAUDIT_RULES_H
#define CAUDIT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "caudit_event.h" /* CA_SYSCALL_MAX */

/* Limits on what a rule file can make us allocate. */
#define RULES_MAX_LINE 8192	   /* bytes per line */
#define RULES_MAX_TOKENS 512	   /* words per line */
#define RULES_MAX_RULES 16384	   /* rules in a policy */
#define RULES_MAX_FIELDS 64	   /* predicates per rule (the kernel's AUDIT_MAX_FIELDS) */
#define RULES_MAX_KEYS 16	   /* keys per rule */
#define RULES_MAX_KEY_LEN 256	   /* all keys of a rule, joined (AUDIT_MAX_KEY_LEN) */
#define RULES_MAX_VALUE 4096	   /* a string value (PATH_MAX) */
#define RULES_MAX_DIAGS 1000	   /* diagnostics kept; more are counted */
#define RULES_MAX_FILES 1024	   /* files in one policy */
#define RULES_MAX_TEXT (16u << 20) /* bytes of rule text per policy */

#define RULES_SC_WORDS (CA_SYSCALL_MAX / 64)

/* List numbers are part of the canonical form: never reuse one. */
enum rules_list {
	RULES_LIST_EXIT = 0,
	RULES_LIST_TASK = 1,
	RULES_LIST_EXCLUDE = 2,
	RULES_LIST_USER = 3,
	RULES_LIST_FILESYSTEM = 4,
	RULES_LIST_COUNT
};

enum rules_abi { RULES_ABI_64 = 0, RULES_ABI_32 = 1, RULES_ABI_COUNT };

enum rules_op {
	RULES_OP_EQ = 1,
	RULES_OP_NE = 2,
	RULES_OP_LT = 3,
	RULES_OP_GT = 4,
	RULES_OP_LE = 5,
	RULES_OP_GE = 6,
	RULES_OP_MASK = 7, /* &  : (v & value) != 0 */
	RULES_OP_TEST = 8, /* &= : (v & value) == value */
};

/* Field identifiers: stable numbers, part of the canonical form. */
enum rules_field {
	RF_ARCH = 1,
	RF_PID,
	RF_PPID,
	RF_UID,
	RF_EUID,
	RF_SUID,
	RF_FSUID,
	RF_GID,
	RF_EGID,
	RF_SGID,
	RF_FSGID,
	RF_AUID,
	RF_SESSIONID,
	RF_SUCCESS,
	RF_EXIT,
	RF_A0,
	RF_A1,
	RF_A2,
	RF_A3,
	RF_KEY,
	RF_PATH,
	RF_DIR,
	RF_PERM,
	RF_EXE,
	RF_FILETYPE,
	RF_OBJ_UID,
	RF_OBJ_GID,
	RF_INODE,
	RF_DEVMAJOR,
	RF_DEVMINOR,
	RF_SADDR_FAM,
	RF_MSGTYPE,
	RF_FSTYPE,
	RF_LADDR,
	RF_RADDR,
	RF_LPORT,
	RF_RPORT,
	RF_ORIGIN,
	RF_SUBJ_USER,
	RF_SUBJ_ROLE,
	RF_SUBJ_TYPE,
	RF_SUBJ_SEN,
	RF_SUBJ_CLR,
	RF_OBJ_USER,
	RF_OBJ_ROLE,
	RF_OBJ_TYPE,
	RF_OBJ_LEV_LOW,
	RF_OBJ_LEV_HIGH,
	RF_PERS,
	RF_LOGINUID_SET,
	RF_EXE_CHILDREN,
	RF_FIELD_COUNT
};

enum rules_vkind {
	RULES_V_NUM = 1,   /* num (32-bit, as the kernel compares) */
	RULES_V_STR = 2,   /* str: offset into the string pool */
	RULES_V_CIDR = 3,  /* family, prefix, addr */
	RULES_V_FIELD = 4, /* -C: compare with another field (num holds its enum rules_field) */
};

/* Predicate flags. */
#define RULES_PRED_IGNORED 1 /* cannot be honoured: skipped when matching (warned) */
#define RULES_PRED_SIGNED 2  /* num compares as a signed 32-bit value (exit) */

/* One -F/-C predicate: fixed size, so a BPF array can hold it. */
struct rules_pred {
	uint16_t field; /* enum rules_field */
	uint8_t op;	/* enum rules_op */
	uint8_t kind;	/* enum rules_vkind */
	uint8_t flags;	/* RULES_PRED_* */
	uint8_t family; /* CIDR: 4 or 6 */
	uint8_t prefix; /* CIDR: prefix length */
	uint8_t pad;
	uint32_t num; /* number, or the compared field for RULES_V_FIELD */
	uint32_t str; /* string pool offset (RULES_V_STR), NUL-terminated */
	uint8_t addr[16];
};

/* Rule flags. */
#define RULES_RULE_WATCH 1 /* written as -w */
#define RULES_RULE_INERT 2 /* never matches (a never rule with an unhonoured field) */
#define RULES_RULE_ALLSC 4 /* -S all, or no -S on the exit list */

struct rules_rule {
	uint8_t list;	/* enum rules_list */
	uint8_t always; /* 1 always, 0 never */
	uint8_t flags;	/* RULES_RULE_* */
	uint8_t abis;	/* bit (1 << enum rules_abi): ABIs the rule applies to */
	uint16_t npred;
	uint16_t nkeys;
	uint32_t file; /* index into the file names */
	uint32_t line;
	uint64_t sc[RULES_ABI_COUNT][RULES_SC_WORDS]; /* syscall bitmap per ABI */
	uint32_t keys[RULES_MAX_KEYS];		      /* string pool offsets */
	struct rules_pred pred[RULES_MAX_FIELDS];
};

/* Control settings (-b -f -r -e --backlog_wait_time); -1 when not given. */
struct rules_control {
	int64_t backlog;
	int64_t failure;
	int64_t rate;
	int64_t enabled;
	int64_t backlog_wait_time;
	int delete_all;	       /* -D seen */
	int ignore_errors;     /* -i seen */
	int continue_on_error; /* -c seen */
};

enum rules_severity { RULES_WARNING = 1, RULES_ERROR = 2 };

struct rules_diag {
	int severity;
	const char *file;
	unsigned line, col;
	char msg[256];
};

/* Name lookups the caller provides (NSS, a test table); 0, -ENOENT or another -errno. */
struct rules_env {
	int (*user)(const char *name, uint32_t *uid, void *ctx);
	int (*group)(const char *name, uint32_t *gid, void *ctx);
	/* -w PATH: 1 when PATH is a directory, 0 when not or unknown. */
	int (*is_dir)(const char *path, void *ctx);
	void *ctx;
};

struct rules_summary {
	unsigned rules[RULES_LIST_COUNT];   /* per list, after -D/-d/-W */
	unsigned watches;		    /* rules with path or dir */
	unsigned keys;			    /* distinct keys */
	unsigned syscalls[RULES_ABI_COUNT]; /* syscalls some always exit rule hooks */
	unsigned warnings, errors;
};

struct rules_policy;

struct rules_policy *rules_new(const struct rules_env *env);
void rules_free(struct rules_policy *p);

/* Parse one file's text (need not be NUL-terminated); returns its error count. */
int rules_parse(struct rules_policy *p, const char *file, const char *text, size_t len);
/* Build the per-syscall index, canonical form and hash; returns the total error count. */
int rules_compile(struct rules_policy *p);

unsigned rules_diag_count(const struct rules_policy *p);
const struct rules_diag *rules_diag_at(const struct rules_policy *p, unsigned i);
/* "file:line:col: error: msg" into buf. */
void rules_diag_format(const struct rules_diag *d, char *buf, size_t len);

unsigned rules_count(const struct rules_policy *p);
const struct rules_rule *rules_at(const struct rules_policy *p, unsigned i);
const char *rules_str(const struct rules_policy *p, uint32_t off);
const struct rules_control *rules_control(const struct rules_policy *p);
const char *rules_file_name(const struct rules_policy *p, uint32_t file);

/* After rules_compile: */
const char *rules_canonical(const struct rules_policy *p, size_t *len);
const char *rules_hash_hex(const struct rules_policy *p); /* BLAKE2b-256, 64 hex */
void rules_get_summary(const struct rules_policy *p, struct rules_summary *s);
/* Rules (by index) of list that hook syscall nr of abi, as a bitmap over rule indexes. */
const uint64_t *rules_index(const struct rules_policy *p, enum rules_list list, enum rules_abi abi,
			    unsigned nr, unsigned *words);

/* Names for printing. */
const char *rules_list_name(unsigned list);
const char *rules_field_name(unsigned field);
const char *rules_op_name(unsigned op);

#endif
