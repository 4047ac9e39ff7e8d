/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cauditd configuration parser. One table row per key (name, type, bounds,
 * offset, setter), in the spirit of auditd.conf's parser.
 *
 * Lines are `key = value`; spaces and tabs around key and value are trimmed,
 * a '#' after optional whitespace at the start of a line makes it a comment,
 * a trailing CR is dropped. Values are checked strictly: only log_dir may
 * hold '#' or control characters; numbers are unsigned decimal (sizes may end
 * in K, M or G, powers of 1024); booleans are yes/no/true/false/1/0 in any
 * case; lists are comma separated with whitespace around entries trimmed and
 * an empty value for an empty list. Quoted input in error messages has every
 * byte outside printable ASCII (and ' and \) written as \xNN, and is cut
 * after CONFIG_QUOTE_MAX bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fwd_proto.h"

#define CONFIG_LINE_MAX 4096	/* longest line, without its LF or CRLF */
#define CONFIG_QUOTE_MAX 64	/* input bytes quoted in an error message */
#define CONFIG_QUOTE_SIZE (CONFIG_QUOTE_MAX * 4 + 4)
#define CONFIG_COMM_MAX 15	/* TASK_COMM_LEN - 1 */
#define CONFIG_UID_MAX 4294967294ULL /* (uid_t)-1 is "no uid" */

enum config_type {
	CONFIG_T_PATH,	/* char[PATH_MAX] */
	CONFIG_T_U64,	/* uint64_t */
	CONFIG_T_U32,	/* uint32_t */
	CONFIG_T_BOOL,	/* int, 0 or 1 */
	CONFIG_T_UIDS,	/* uint32_t[CONFIG_MAX_LIST] + unsigned count */
	CONFIG_T_COMMS,	/* char[CONFIG_MAX_LIST][16] + unsigned count */
	CONFIG_T_ACTION, /* int, enum config_action */
	CONFIG_T_NAME,	/* char[64]: a user or group name */
	CONFIG_T_URLS,	/* char[CONFIG_URLS_MAX]: comma-separated server URLs */
};

enum {
	CONFIG_F_RAW = 1 << 0,	  /* any byte allowed ('#', control characters) */
	CONFIG_F_LIST = 1 << 1,	  /* empty value allowed: the empty list */
	CONFIG_F_SUFFIX = 1 << 2, /* K, M, G suffixes */
	CONFIG_F_POW2 = 1 << 3,	  /* power of two */
};

struct config_ctx {
	const char *name;
	size_t line;		/* 0: no line (whole-file checks) */
	config_user_lookup_fn lookup;
	char *err;
	size_t errlen;
};

struct config_key;
typedef int (*config_setter_fn)(struct ca_config *c, const struct config_key *k, char *val,
				struct config_ctx *x);

struct config_key {
	const char *name;
	enum config_type type;
	unsigned flags;
	uint64_t min;
	uint64_t max;
	size_t off;		/* offset of the value in struct ca_config */
	size_t count_off;	/* lists: offset of the entry count */
	config_setter_fn set;
};

static int config_set_path(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x);
static int config_set_num(struct ca_config *c, const struct config_key *k, char *val,
			  struct config_ctx *x);
static int config_set_bool(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x);
static int config_set_uids(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x);
static int config_set_comms(struct ca_config *c, const struct config_key *k, char *val,
			    struct config_ctx *x);
static int config_set_action(struct ca_config *c, const struct config_key *k, char *val,
			     struct config_ctx *x);
static int config_set_name(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x);
static int config_set_host(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x);
static int config_set_urls(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x);
static int config_set_rules(struct ca_config *c, const struct config_key *k, char *val,
			    struct config_ctx *x);

enum {
	CONFIG_K_LOG_DIR,
	CONFIG_K_RING,
	CONFIG_K_WAKEUP,
	CONFIG_K_POLL,
	CONFIG_K_ARGS,
	CONFIG_K_PENDING,
	CONFIG_K_LOSS,
	CONFIG_K_READ_OPENS,
	CONFIG_K_INC_UIDS,
	CONFIG_K_EXC_UIDS,
	CONFIG_K_INC_COMMS,
	CONFIG_K_EXC_COMMS,
	CONFIG_K_KEY_DIR,
	CONFIG_K_LOG_GROUP,
	CONFIG_K_SEAL_RECORDS,
	CONFIG_K_SEAL_INTERVAL,
	CONFIG_K_EPOCH_INTERVAL,
	CONFIG_K_FSYNC,
	CONFIG_K_ROTATE_SIZE,
	CONFIG_K_ROTATE_AGE,
	CONFIG_K_RET_SIZE,
	CONFIG_K_RET_AGE,
	CONFIG_K_RET_SEGMENTS,
	CONFIG_K_SPACE_LEFT,
	CONFIG_K_SPACE_LEFT_ACTION,
	CONFIG_K_ADMIN_SPACE_LEFT,
	CONFIG_K_ADMIN_SPACE_LEFT_ACTION,
	CONFIG_K_DISK_FULL_ACTION,
	CONFIG_K_DISK_ERROR_ACTION,
	CONFIG_K_ENCRYPT_TO,
	CONFIG_K_LOGIN_SERVICES,
	CONFIG_K_UDP_SENDS,
	CONFIG_K_IA32,
	CONFIG_K_PIN_DIR,
	CONFIG_K_STATUS_SOCKET,
	CONFIG_K_STATUS_GROUP,
	CONFIG_K_TEST_STOP_WATCHDOG,
	CONFIG_K_HOST_NAME,
	CONFIG_K_FORWARD_STATE,
	CONFIG_K_FORWARD_NATS,
	CONFIG_K_FORWARD_CREDS,
	CONFIG_K_FORWARD_TLS_CA,
	CONFIG_K_FORWARD_TLS_CERT,
	CONFIG_K_FORWARD_TLS_KEY,
	CONFIG_K_RULES,
	CONFIG_K_NR,
};

#define CONFIG_OFF(f) offsetof(struct ca_config, f)

static const struct config_key config_keys[CONFIG_K_NR] = {
	[CONFIG_K_LOG_DIR] = { "log_dir", CONFIG_T_PATH, CONFIG_F_RAW, 0, 0,
			       CONFIG_OFF(log_dir), 0, config_set_path },
	[CONFIG_K_RING] = { "ring_buffer_size", CONFIG_T_U64, CONFIG_F_SUFFIX | CONFIG_F_POW2,
			    4096, 1ULL << 30, CONFIG_OFF(ring_buffer_size), 0, config_set_num },
	/* Upper bound checked against ring_buffer_size once the file is read. */
	[CONFIG_K_WAKEUP] = { "wakeup_bytes", CONFIG_T_U64, CONFIG_F_SUFFIX, 0, 1ULL << 30,
			      CONFIG_OFF(wakeup_bytes), 0, config_set_num },
	[CONFIG_K_POLL] = { "poll_interval_ms", CONFIG_T_U32, 0, 1, 1000,
			    CONFIG_OFF(poll_interval_ms), 0, config_set_num },
	[CONFIG_K_ARGS] = { "args_max", CONFIG_T_U32, 0, 64, 8192, CONFIG_OFF(args_max), 0,
			    config_set_num },
	[CONFIG_K_PENDING] = { "pending_max", CONFIG_T_U32, 0, 1024, 1048576,
			       CONFIG_OFF(pending_max), 0, config_set_num },
	[CONFIG_K_LOSS] = { "loss_report_interval", CONFIG_T_U32, 0, 1, 3600,
			    CONFIG_OFF(loss_report_interval), 0, config_set_num },
	[CONFIG_K_READ_OPENS] = { "capture_read_opens", CONFIG_T_BOOL, 0, 0, 1,
				  CONFIG_OFF(capture_read_opens), 0, config_set_bool },
	[CONFIG_K_INC_UIDS] = { "include_uids", CONFIG_T_UIDS, CONFIG_F_LIST, 0, CONFIG_UID_MAX,
				CONFIG_OFF(include_uids), CONFIG_OFF(n_include_uids),
				config_set_uids },
	[CONFIG_K_EXC_UIDS] = { "exclude_uids", CONFIG_T_UIDS, CONFIG_F_LIST, 0, CONFIG_UID_MAX,
				CONFIG_OFF(exclude_uids), CONFIG_OFF(n_exclude_uids),
				config_set_uids },
	[CONFIG_K_INC_COMMS] = { "include_comms", CONFIG_T_COMMS, CONFIG_F_LIST, 1,
				 CONFIG_COMM_MAX, CONFIG_OFF(include_comms),
				 CONFIG_OFF(n_include_comms), config_set_comms },
	[CONFIG_K_EXC_COMMS] = { "exclude_comms", CONFIG_T_COMMS, CONFIG_F_LIST, 1,
				 CONFIG_COMM_MAX, CONFIG_OFF(exclude_comms),
				 CONFIG_OFF(n_exclude_comms), config_set_comms },
	[CONFIG_K_LOGIN_SERVICES] = { "login_services", CONFIG_T_COMMS, CONFIG_F_LIST, 1,
				      CONFIG_COMM_MAX, CONFIG_OFF(login_services),
				      CONFIG_OFF(n_login_services), config_set_comms },
	[CONFIG_K_UDP_SENDS] = { "udp_sends_per_sec", CONFIG_T_U32, 0, 1, 100000,
				 CONFIG_OFF(udp_sends_per_sec), 0, config_set_num },
	[CONFIG_K_IA32] = { "capture_ia32", CONFIG_T_BOOL, 0, 0, 1, CONFIG_OFF(capture_ia32), 0,
			    config_set_bool },
	[CONFIG_K_KEY_DIR] = { "key_dir", CONFIG_T_PATH, CONFIG_F_RAW, 0, 0, CONFIG_OFF(key_dir),
			       0, config_set_path },
	[CONFIG_K_LOG_GROUP] = { "log_group", CONFIG_T_NAME, 0, 0, 0, CONFIG_OFF(log_group), 0,
				 config_set_name },
	[CONFIG_K_SEAL_RECORDS] = { "seal_records", CONFIG_T_U32, 0, 1, 1000000,
				    CONFIG_OFF(seal_records), 0, config_set_num },
	[CONFIG_K_SEAL_INTERVAL] = { "seal_interval", CONFIG_T_U32, 0, 1, 3600,
				     CONFIG_OFF(seal_interval), 0, config_set_num },
	[CONFIG_K_EPOCH_INTERVAL] = { "epoch_interval", CONFIG_T_U32, 0, 1, 86400,
				      CONFIG_OFF(epoch_interval), 0, config_set_num },
	[CONFIG_K_FSYNC] = { "fsync", CONFIG_T_BOOL, 0, 0, 1, CONFIG_OFF(fsync_seals), 0,
			     config_set_bool },
	[CONFIG_K_ROTATE_SIZE] = { "rotate_size", CONFIG_T_U64, CONFIG_F_SUFFIX, 4096, 16ULL << 30,
				   CONFIG_OFF(rotate_size), 0, config_set_num },
	[CONFIG_K_ROTATE_AGE] = { "rotate_age", CONFIG_T_U32, 0, 0, 31536000,
				  CONFIG_OFF(rotate_age), 0, config_set_num },
	[CONFIG_K_RET_SIZE] = { "retention_size", CONFIG_T_U64, CONFIG_F_SUFFIX, 0, 1ULL << 50,
				CONFIG_OFF(retention_size), 0, config_set_num },
	[CONFIG_K_RET_AGE] = { "retention_age", CONFIG_T_U32, 0, 0, 315360000,
			       CONFIG_OFF(retention_age), 0, config_set_num },
	[CONFIG_K_RET_SEGMENTS] = { "retention_segments", CONFIG_T_U32, 0, 0, 10000000,
				    CONFIG_OFF(retention_segments), 0, config_set_num },
	[CONFIG_K_SPACE_LEFT] = { "space_left", CONFIG_T_U64, CONFIG_F_SUFFIX, 0, 1ULL << 50,
				  CONFIG_OFF(space_left), 0, config_set_num },
	[CONFIG_K_SPACE_LEFT_ACTION] = { "space_left_action", CONFIG_T_ACTION, 0, 0, 0,
					 CONFIG_OFF(space_left_action), 0, config_set_action },
	[CONFIG_K_ADMIN_SPACE_LEFT] = { "admin_space_left", CONFIG_T_U64, CONFIG_F_SUFFIX, 0,
					1ULL << 50, CONFIG_OFF(admin_space_left), 0,
					config_set_num },
	[CONFIG_K_ADMIN_SPACE_LEFT_ACTION] = { "admin_space_left_action", CONFIG_T_ACTION, 0, 0,
					       0, CONFIG_OFF(admin_space_left_action), 0,
					       config_set_action },
	[CONFIG_K_DISK_FULL_ACTION] = { "disk_full_action", CONFIG_T_ACTION, 0, 0, 0,
					CONFIG_OFF(disk_full_action), 0, config_set_action },
	[CONFIG_K_DISK_ERROR_ACTION] = { "disk_error_action", CONFIG_T_ACTION, 0, 0, 0,
					 CONFIG_OFF(disk_error_action), 0, config_set_action },
	/* empty: no encryption */
	[CONFIG_K_ENCRYPT_TO] = { "encrypt_to", CONFIG_T_PATH, CONFIG_F_RAW | CONFIG_F_LIST, 0, 0,
				  CONFIG_OFF(encrypt_to), 0, config_set_path },
	/* service operation (docs/operations.md) */
	[CONFIG_K_PIN_DIR] = { "pin_dir", CONFIG_T_PATH, CONFIG_F_LIST, 0, 0, CONFIG_OFF(pin_dir), 0,
			       config_set_path },
	[CONFIG_K_STATUS_SOCKET] = { "status_socket", CONFIG_T_PATH, CONFIG_F_LIST, 0, 0,
				     CONFIG_OFF(status_socket), 0, config_set_path },
	[CONFIG_K_STATUS_GROUP] = { "status_group", CONFIG_T_NAME, 0, 0, 0,
				    CONFIG_OFF(status_group), 0, config_set_name },
	/* test only: makes the systemd watchdog fire (tests/integration/test_systemd.c) */
	[CONFIG_K_TEST_STOP_WATCHDOG] = { "test_stop_watchdog_after", CONFIG_T_U32, 0, 0, 86400,
					  CONFIG_OFF(test_stop_watchdog_after), 0,
					  config_set_num },
	/* empty: the machine's host name */
	[CONFIG_K_HOST_NAME] = { "host_name", CONFIG_T_NAME, CONFIG_F_LIST, 0, 0,
				 CONFIG_OFF(host_name), 0, config_set_host },
	/* empty: nothing forwards this log, retention needs no guard */
	[CONFIG_K_FORWARD_STATE] = { "forward_state", CONFIG_T_PATH, CONFIG_F_RAW | CONFIG_F_LIST,
				     0, 0, CONFIG_OFF(forward_state), 0, config_set_path },
	/* caudit-forward's NATS settings (its flags override them); empty: unset */
	[CONFIG_K_FORWARD_NATS] = { "forward_nats", CONFIG_T_URLS, CONFIG_F_RAW | CONFIG_F_LIST, 0,
				    0, CONFIG_OFF(forward_nats), 0, config_set_urls },
	[CONFIG_K_FORWARD_CREDS] = { "forward_creds", CONFIG_T_PATH, CONFIG_F_RAW | CONFIG_F_LIST,
				     0, 0, CONFIG_OFF(forward_creds), 0, config_set_path },
	[CONFIG_K_FORWARD_TLS_CA] = { "forward_tls_ca", CONFIG_T_PATH,
				      CONFIG_F_RAW | CONFIG_F_LIST, 0, 0,
				      CONFIG_OFF(forward_tls_ca), 0, config_set_path },
	[CONFIG_K_FORWARD_TLS_CERT] = { "forward_tls_cert", CONFIG_T_PATH,
					CONFIG_F_RAW | CONFIG_F_LIST, 0, 0,
					CONFIG_OFF(forward_tls_cert), 0, config_set_path },
	[CONFIG_K_FORWARD_TLS_KEY] = { "forward_tls_key", CONFIG_T_PATH,
				       CONFIG_F_RAW | CONFIG_F_LIST, 0, 0,
				       CONFIG_OFF(forward_tls_key), 0, config_set_path },
	/* the audit policy (docs/policy.md): a rule file or directory, or "all" */
	[CONFIG_K_RULES] = { "rules", CONFIG_T_PATH, CONFIG_F_RAW, 0, 0, CONFIG_OFF(rules), 0,
			     config_set_rules },
};

static const char *const config_action_names[] = {
	[CONFIG_ACTION_IGNORE] = "ignore", [CONFIG_ACTION_SYSLOG] = "syslog",
	[CONFIG_ACTION_SUSPEND] = "suspend", [CONFIG_ACTION_ROTATE] = "rotate",
	[CONFIG_ACTION_HALT] = "halt",
};

const char *config_action_name(int action)
{
	if (action < 0 || (size_t)action >= sizeof(config_action_names) / sizeof(config_action_names[0]))
		return NULL;
	return config_action_names[action];
}

void config_defaults(struct ca_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->log_dir, "/var/log/caudit");
	c->ring_buffer_size = 16ULL << 20;
	c->wakeup_bytes = 262144;
	c->poll_interval_ms = 10;
	c->args_max = 4096;
	c->pending_max = 16384;
	c->loss_report_interval = 5;
	c->capture_read_opens = 0;
	strcpy(c->login_services[0], "sshd");
	c->n_login_services = 1;
	c->udp_sends_per_sec = 20;
	c->capture_ia32 = 1;
	strcpy(c->key_dir, "/var/lib/caudit/keys");
	strcpy(c->log_group, "root");
	strcpy(c->pin_dir, "/sys/fs/bpf/caudit");
	strcpy(c->rules, "/etc/caudit/rules.d");
	strcpy(c->status_socket, "/run/caudit/cauditd.sock");
	strcpy(c->status_group, "root");
	c->seal_records = 1000;
	c->seal_interval = 10;
	c->epoch_interval = 900;
	c->fsync_seals = 1;
	c->rotate_size = 64ULL << 20;
	c->rotate_age = 3600;
	c->space_left = 75ULL << 20;
	c->space_left_action = CONFIG_ACTION_SYSLOG;
	c->admin_space_left = 50ULL << 20;
	c->admin_space_left_action = CONFIG_ACTION_SUSPEND;
	c->disk_full_action = CONFIG_ACTION_SUSPEND;
	c->disk_error_action = CONFIG_ACTION_SUSPEND;
}

static void *config_field(struct ca_config *c, size_t off)
{
	return (char *)c + off;
}

/* Write "name:line: message" (or "name: message" for line 0) to x->err. */
static __attribute__((format(printf, 2, 3))) int config_err(struct config_ctx *x,
							    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!x->err || !x->errlen)
		return -EINVAL;
	if (x->line)
		n = snprintf(x->err, x->errlen, "%s:%zu: ", x->name, x->line);
	else
		n = snprintf(x->err, x->errlen, "%s: ", x->name);
	if (n < 0 || (size_t)n >= x->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Copy at most CONFIG_QUOTE_MAX bytes of s to dst (CONFIG_QUOTE_SIZE bytes)
 * so that it is safe to print: printable ASCII other than ' and \ as is,
 * everything else as \xNN, "..." when cut.
 */
static const char *config_esc(char *dst, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; s[i] && i < CONFIG_QUOTE_MAX; i++) {
		unsigned char ch = s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\') {
			dst[o++] = ch;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[ch >> 4];
			dst[o++] = hex[ch & 0xf];
		}
	}
	if (s[i]) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

static bool config_is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trim spaces and tabs at both ends of s, in place. */
static char *config_trim(char *s)
{
	size_t n;

	while (config_is_space(*s))
		s++;
	n = strlen(s);
	while (n && config_is_space(s[n - 1]))
		n--;
	s[n] = '\0';
	return s;
}

/*
 * Unsigned decimal: digits only (no sign, no space, no base prefix), with an
 * optional K/M/G suffix when allowed. -EINVAL if malformed, -ERANGE if it
 * does not fit in 64 bits.
 */
static int config_parse_u64(const char *s, bool suffix, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;
	int overflow;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	overflow = errno == ERANGE;
	if (suffix && *end) {
		switch (*end) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		end++;
	}
	if (*end)
		return -EINVAL;
	if (overflow || v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int config_set_path(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];
	size_t n = strlen(val);

	if (n == 0 && (k->flags & CONFIG_F_LIST)) {
		*(char *)config_field(c, k->off) = 0; /* an optional path left empty */
		return 0;
	}
	if (val[0] != '/')
		return config_err(x, "%s: '%s' is not an absolute path", k->name,
				  config_esc(q, val));
	/* Unreachable through a CONFIG_LINE_MAX line; kept for PATH_MAX != 4096. */
	if (n >= PATH_MAX)
		return config_err(x, "%s: path longer than %d bytes", k->name, PATH_MAX - 1);
	memcpy(config_field(c, k->off), val, n + 1);
	return 0;
}

/* "all" (no rule policy: everything hooked is recorded) or an absolute path. */
static int config_set_rules(struct ca_config *c, const struct config_key *k, char *val,
			    struct config_ctx *x)
{
	if (!strcmp(val, "all")) {
		strcpy(c->rules, val);
		return 0;
	}
	return config_set_path(c, k, val, x);
}

static int config_set_num(struct ca_config *c, const struct config_key *k, char *val,
			  struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];
	uint64_t v = 0;
	int r;

	r = config_parse_u64(val, k->flags & CONFIG_F_SUFFIX, &v);
	if (r == -EINVAL) {
		if (k->flags & CONFIG_F_SUFFIX)
			return config_err(x, "%s: '%s' is not a size (digits, optional K, M or G)",
					  k->name, config_esc(q, val));
		return config_err(x, "%s: '%s' is not a number", k->name, config_esc(q, val));
	}
	/* val is now known to be digits and a suffix: safe to print unquoted. */
	if (r == 0 && (k->flags & CONFIG_F_POW2) && (v == 0 || (v & (v - 1))))
		return config_err(x, "%s: %s is not a power of two", k->name, config_esc(q, val));
	if (r == -ERANGE || v < k->min || v > k->max)
		return config_err(x, "%s: %s is out of range (%llu..%llu)", k->name,
				  config_esc(q, val), (unsigned long long)k->min,
				  (unsigned long long)k->max);
	if (k->type == CONFIG_T_U64)
		*(uint64_t *)config_field(c, k->off) = v;
	else
		*(uint32_t *)config_field(c, k->off) = (uint32_t)v;
	return 0;
}

static int config_set_bool(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x)
{
	static const struct {
		const char *s;
		int v;
	} words[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 }, { "1", 1 }, { "0", 0 },
	};
	char q[CONFIG_QUOTE_SIZE];
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcasecmp(val, words[i].s)) {
			*(int *)config_field(c, k->off) = words[i].v;
			return 0;
		}
	}
	return config_err(x, "%s: '%s' is not a boolean (yes, no, true, false, 1, 0)", k->name,
			  config_esc(q, val));
}

static int config_set_action(struct ca_config *c, const struct config_key *k, char *val,
			     struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];

	for (int i = 0; config_action_name(i); i++) {
		if (!strcasecmp(val, config_action_name(i))) {
			*(int *)config_field(c, k->off) = i;
			return 0;
		}
	}
	return config_err(x, "%s: '%s' is not an action (ignore, syslog, suspend, rotate, halt)",
			  k->name, config_esc(q, val));
}

/* A user or group name as shadow-utils accepts them: [a-z_][a-z0-9_.-]*, < 64. */
/* A host name names the host's NATS subject and its key at the collector. */
static int config_set_host(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];

	if (!*val) {
		*(char *)config_field(c, k->off) = 0; /* the machine's host name */
		return 0;
	}
	if (!fwd_host_valid(val))
		return config_err(x, "%s: '%s' is not a valid host name (1-63 of A-Z a-z 0-9 . _ -)",
				  k->name, config_esc(q, val));
	memcpy(config_field(c, k->off), val, strlen(val) + 1);
	return 0;
}

/* nats://h:p or tls://h:p, comma-separated, no spaces: the forwarder's servers. */
static int config_set_urls(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE], *p = val;
	size_t n = strlen(val);

	if (n >= CONFIG_URLS_MAX)
		return config_err(x, "%s: longer than %d bytes", k->name, CONFIG_URLS_MAX - 1);
	while (n && *p) {
		size_t l = strcspn(p, ",");

		if ((strncmp(p, "nats://", 7) && strncmp(p, "tls://", 6)) || l <= 7 ||
		    strcspn(p, " \t") < l)
			return config_err(x, "%s: '%s' is not a list of nats:// or tls:// URLs",
					  k->name, config_esc(q, val));
		p += l + (p[l] == ',');
	}
	memcpy(config_field(c, k->off), val, n + 1);
	return 0;
}

static int config_set_name(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];
	size_t n = strlen(val);

	if (n == 0 || n >= 64 || !(val[0] == '_' || (val[0] >= 'a' && val[0] <= 'z')) ||
	    strspn(val, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
		return config_err(x, "%s: '%s' is not a valid name", k->name, config_esc(q, val));
	memcpy(config_field(c, k->off), val, n + 1);
	return 0;
}

/* Check the shape of a comma list: no empty entry, at most CONFIG_MAX_LIST. */
static int config_list_check(const struct config_key *k, const char *val, struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];
	const char *p = val;
	unsigned n = 0;

	if (!*val)
		return 0;
	for (;;) {
		const char *e = strchr(p, ',');
		const char *s = p;

		if (!e)
			e = p + strlen(p);
		while (s < e && config_is_space(*s))
			s++;
		if (s == e)
			return config_err(x, "%s: empty entry in list '%s'", k->name,
					  config_esc(q, val));
		if (++n > CONFIG_MAX_LIST)
			return config_err(x, "%s: more than %d entries", k->name, CONFIG_MAX_LIST);
		if (!*e)
			return 0;
		p = e + 1;
	}
}

/* Cut the next entry off *pp in place and return it trimmed, or NULL at the end. */
static char *config_list_next(char **pp)
{
	char *s = *pp, *e;

	if (!s)
		return NULL;
	e = strchr(s, ',');
	if (e) {
		*e = '\0';
		*pp = e + 1;
	} else {
		*pp = NULL;
	}
	return config_trim(s);
}

static int config_set_uids(struct ca_config *c, const struct config_key *k, char *val,
			   struct config_ctx *x)
{
	uint32_t *uids = config_field(c, k->off);
	unsigned *count = config_field(c, k->count_off);
	char q[CONFIG_QUOTE_SIZE];
	char *p = *val ? val : NULL, *s;
	int r;

	r = config_list_check(k, val, x);
	if (r)
		return r;
	*count = 0;
	while ((s = config_list_next(&p))) {
		uint64_t v = 0;

		if ((*s >= '0' && *s <= '9') || *s == '+' || *s == '-') {
			r = config_parse_u64(s, false, &v);
			if (r == -EINVAL)
				return config_err(x, "%s: '%s' is not a number", k->name,
						  config_esc(q, s));
			if (r == -ERANGE || v > k->max)
				return config_err(x, "%s: %s is out of range (0..%llu)", k->name,
						  config_esc(q, s), (unsigned long long)k->max);
		} else {
			uint32_t uid = 0;

			r = x->lookup ? x->lookup(s, &uid) : -ENOENT;
			if (r == -ENOENT)
				return config_err(x, "%s: unknown user '%s'", k->name,
						  config_esc(q, s));
			if (r < 0)
				return config_err(x, "%s: cannot look up user '%s': %s", k->name,
						  config_esc(q, s), strerror(-r));
			if (uid > k->max)
				return config_err(x, "%s: user '%s' has invalid uid %u", k->name,
						  config_esc(q, s), uid);
			v = uid;
		}
		uids[(*count)++] = (uint32_t)v;
	}
	return 0;
}

static int config_set_comms(struct ca_config *c, const struct config_key *k, char *val,
			    struct config_ctx *x)
{
	char(*comms)[16] = config_field(c, k->off);
	unsigned *count = config_field(c, k->count_off);
	char q[CONFIG_QUOTE_SIZE];
	char *p = *val ? val : NULL, *s;
	int r;

	r = config_list_check(k, val, x);
	if (r)
		return r;
	*count = 0;
	while ((s = config_list_next(&p))) {
		size_t n = strlen(s);

		if (n > k->max)
			return config_err(x, "%s: '%s' is longer than %llu bytes", k->name,
					  config_esc(q, s), (unsigned long long)k->max);
		memset(comms[*count], 0, sizeof(comms[0]));
		memcpy(comms[*count], s, n);
		(*count)++;
	}
	return 0;
}

/* Values other than CONFIG_F_RAW ones: no '#', no control characters but tab. */
static int config_check_value(const struct config_key *k, const char *val, struct config_ctx *x)
{
	char q[CONFIG_QUOTE_SIZE];
	const unsigned char *p;

	if (strchr(val, '#'))
		return config_err(x, "%s: '#' in value '%s' (comments must start a line)", k->name,
				  config_esc(q, val));
	for (p = (const unsigned char *)val; *p; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return config_err(x, "%s: control character in value '%s'", k->name,
					  config_esc(q, val));
	}
	return 0;
}

/* One line, NUL-terminated, without its line end. */
static int config_line(struct ca_config *c, char *line, size_t *seen, struct config_ctx *x)
{
	const struct config_key *k = NULL;
	char q[CONFIG_QUOTE_SIZE];
	char *s, *eq, *key, *val;
	size_t i;
	int r;

	s = config_trim(line);
	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq)
		return config_err(x, "missing '=' in '%s'", config_esc(q, s));
	*eq = '\0';
	key = config_trim(s);
	val = config_trim(eq + 1);
	if (!*key)
		return config_err(x, "missing key before '='");
	for (i = 0; i < CONFIG_K_NR; i++) {
		if (!strcmp(key, config_keys[i].name)) {
			k = &config_keys[i];
			break;
		}
	}
	if (!k)
		return config_err(x, "unknown key '%s'", config_esc(q, key));
	if (seen[i])
		return config_err(x, "duplicate key '%s' (first set on line %zu)", k->name,
				  seen[i]);
	if (!*val && !(k->flags & CONFIG_F_LIST))
		return config_err(x, "%s: empty value", k->name);
	if (!(k->flags & CONFIG_F_RAW)) {
		r = config_check_value(k, val, x);
		if (r)
			return r;
	}
	r = k->set(c, k, val, x);
	if (r)
		return r;
	seen[i] = x->line;
	return 0;
}

int config_parse(struct ca_config *c, const char *name, const char *text, size_t len,
		 config_user_lookup_fn lookup, char *err, size_t errlen)
{
	struct config_ctx x = {
		.name = name ? name : "(config)",
		.lookup = lookup,
		.err = err,
		.errlen = errlen,
	};
	size_t seen[CONFIG_K_NR] = { 0 };
	char line[CONFIG_LINE_MAX + 1];
	unsigned long long w, rb;
	size_t pos = 0;
	int r;

	if (err && errlen)
		err[0] = '\0';
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;

		pos += n + (nl ? 1 : 0);
		x.line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n > CONFIG_LINE_MAX)
			return config_err(&x, "line longer than %d bytes", CONFIG_LINE_MAX);
		if (memchr(p, '\0', n))
			return config_err(&x, "NUL byte in line");
		memcpy(line, p, n);
		line[n] = '\0';
		r = config_line(c, line, seen, &x);
		if (r)
			return r;
	}

	if (c->wakeup_bytes <= c->ring_buffer_size)
		return 0;
	w = c->wakeup_bytes;
	rb = c->ring_buffer_size;
	if (seen[CONFIG_K_WAKEUP] || !seen[CONFIG_K_RING]) {
		x.line = seen[CONFIG_K_WAKEUP];
		return config_err(&x, "wakeup_bytes: %llu is larger than ring_buffer_size (%llu)",
				  w, rb);
	}
	x.line = seen[CONFIG_K_RING];
	return config_err(&x, "ring_buffer_size: %llu is smaller than wakeup_bytes (%llu)",
			  rb, w);
}

/* getpwnam_r, retried with a larger buffer on ERANGE. */
static int config_nss_lookup(const char *name, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t len = sz > 0 ? (size_t)sz : 16384;
	char *buf = NULL;
	int r;

	for (;;) {
		char *nbuf = realloc(buf, len);

		if (!nbuf) {
			r = -ENOMEM;
			break;
		}
		buf = nbuf;
		r = getpwnam_r(name, &pw, buf, len, &res);
		if (r == ERANGE && len < (1 << 20)) {
			len *= 2;
			continue;
		}
		if (r == 0 && res) {
			*uid = (uint32_t)pw.pw_uid;
			r = 0;
		} else if (r == 0 || r == ENOENT || r == ESRCH) {
			r = -ENOENT;
		} else {
			r = -r;
		}
		break;
	}
	free(buf);
	return r;
}

/*
 * Returns 0, -EINVAL for a parse error or a file that is not regular, -EFBIG
 * for a file over CONFIG_MAX_FILE, or the negative errno of open/fstat/read.
 * Symlinks are followed. Errors for the file itself read "path: message".
 */
int config_load(struct ca_config *c, const char *path, char *err, size_t errlen)
{
	struct config_ctx x = { .name = path, .err = err, .errlen = errlen };
	size_t cap, total = 0;
	struct stat st;
	char *buf = NULL;
	int fd, r;

	if (err && errlen)
		err[0] = '\0';
	/* O_NONBLOCK: a FIFO must not block open(); refused below anyway. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		config_err(&x, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		config_err(&x, "cannot stat: %s", strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = config_err(&x, "not a regular file");
		goto out;
	}
	if (st.st_size > CONFIG_MAX_FILE)
		goto too_big;

	/* The size is a hint: read to EOF, one byte past the limit at most. */
	cap = (size_t)st.st_size + 1;
	for (;;) {
		ssize_t n;

		if (total == cap) {
			char *nbuf;

			if (cap > CONFIG_MAX_FILE)
				goto too_big;
			cap = cap * 2 > CONFIG_MAX_FILE + 1 ? CONFIG_MAX_FILE + 1 : cap * 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				goto no_mem;
			buf = nbuf;
		} else if (!buf) {
			buf = malloc(cap);
			if (!buf)
				goto no_mem;
		}
		n = read(fd, buf + total, cap - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			config_err(&x, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		total += (size_t)n;
	}
	r = config_parse(c, path, buf, total, config_nss_lookup, err, errlen);
	goto out;

too_big:
	config_err(&x, "file larger than %d bytes", CONFIG_MAX_FILE);
	r = -EFBIG;
	goto out;
no_mem:
	config_err(&x, "out of memory");
	r = -ENOMEM;
out:
	free(buf);
	close(fd);
	return r;
}
