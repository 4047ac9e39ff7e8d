/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Options of search, tail and report; see search_cli.h. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "keys.h"
#include "search_cli.h"
#include "search_time.h"

#define DEFAULT_CONFIG "/etc/caudit/cauditd.conf"

enum {
	O_SINCE = 256,
	O_UNTIL,
	O_USER,
	O_LOGIN,
	O_SESSION,
	O_EVENT,
	O_SYSCALL,
	O_PATH,
	O_EXE,
	O_COMM,
	O_PID,
	O_PPID,
	O_EXEC_ID,
	O_TREE,
	O_IP,
	O_PORT,
	O_RESULT,
	O_ERRNO,
	O_KEY,
	O_ACCESS,
	O_CONTAINER,
	O_HOST,
	O_FORMAT,
	O_COUNT,
	O_LIMIT,
	O_PUBKEY,
	O_DECRYPT,
	O_STRICT,
	O_NO_INDEX,
	O_CONFIG,
	O_HELP,
	O_FOLLOW,
	O_OUT,
	O_STATS,
};

void sc_filters_usage(FILE *f)
{
	fprintf(f,
		"filters (all given must match):\n"
		"  --since T, --until T   RFC 3339, a local date or \"DATE HH:MM[:SS]\", 10m, 2h,\n"
		"                         3d, 1w ago, today, yesterday, now (local time: TZ)\n"
		"  --user U               name or uid; matches uid, euid or login uid\n"
		"  --login U              the login user (name or login uid)\n"
		"  --session N            the login session\n"
		"  --event GLOB           e.g. 'file.*', process.exec\n"
		"  --syscall NAME         e.g. openat\n"
		"  --path P               exact path, everything under a directory, or a glob\n"
		"  --exe P, --comm C      executable path / process name (glob allowed)\n"
		"  --pid N, --ppid N\n"
		"  --exec-id ID [--tree]  one program run, with --tree its whole subtree\n"
		"  --ip CIDR, --port N    origin, source or destination\n"
		"  --result success|failure, --errno ENOENT|2\n"
		"  --key K                rule key\n"
		"  --access read|write    file opens\n"
		"  --container ID         container id (or prefix), --host NAME\n");
}

static int num_arg(const char *cmd, const char *opt, const char *s, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > max) {
		fprintf(stderr, "caudit %s: %s: not a number from 0 to %lld: '%s'\n", cmd, opt,
			(long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A user given by name or uid: both forms are kept when the name is known here. */
static void user_arg(const char *s, int64_t *uid, const char **name)
{
	char *end;
	long long v;
	struct passwd *pw;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s && !*end && !errno && v >= 0 && v <= UINT32_MAX) {
		*uid = v;
		return;
	}
	*name = s;
	pw = getpwnam(s);
	if (pw)
		*uid = pw->pw_uid;
}

static int time_arg(const char *cmd, const char *opt, const char *s, int64_t *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (st_parse(s, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, out)) {
		fprintf(stderr,
			"caudit %s: %s: not a time: '%s' (try 2026-11-23, '2026-11-23 14:00', "
			"2026-11-23T14:00:00Z, 2h, yesterday)\n",
			cmd, opt, s);
		return -1;
	}
	return 0;
}

static int format_arg(struct search_cli *c, const char *s)
{
	static const struct {
		const char *name;
		enum sc_format f;
		int report;
	} fm[] = {{"table", SC_TABLE, 0},
		  {"json", SC_JSON, 2},
		  {"csv", SC_CSV, 0},
		  {"text", SC_TEXT, 1},
		  {"html", SC_HTML, 1}};
	int report = !strcmp(c->cmd, "report");

	for (size_t i = 0; i < sizeof(fm) / sizeof(fm[0]); i++)
		if (!strcmp(s, fm[i].name) && (fm[i].report == 2 || fm[i].report == report)) {
			c->format = fm[i].f;
			return 0;
		}
	fprintf(stderr, "caudit %s: --format: %s\n", c->cmd,
		report ? "text, json or html" : "table, json or csv");
	return -1;
}

/* The agent's configuration names the log and key directories. */
static void defaults(struct search_cli *c)
{
	struct ca_config cfg;
	char err[512];

	config_defaults(&cfg);
	if (access(c->config ? c->config : DEFAULT_CONFIG, R_OK) == 0 &&
	    config_load(&cfg, c->config ? c->config : DEFAULT_CONFIG, err, sizeof(err)))
		fprintf(stderr, "caudit %s: %s (using the default directories)\n", c->cmd, err);
	snprintf(c->default_dir, sizeof(c->default_dir), "%s", cfg.log_dir);
	if (!c->pubkey) {
		snprintf(c->pubkey_buf, sizeof(c->pubkey_buf), "%s/%s", cfg.key_dir, KEYS_ROOT_PUB);
		c->pubkey = c->pubkey_buf;
	}
}

static int filter_opt(struct search_cli *c, int opt, const char *a)
{
	struct sf_filter *f = &c->f;
	const char *cmd = c->cmd;

	switch (opt) {
	case O_SINCE:
		return time_arg(cmd, "--since", a, &f->since);
	case O_UNTIL:
		return time_arg(cmd, "--until", a, &f->until);
	case O_USER:
		user_arg(a, &f->user_uid, &f->user_name);
		return 0;
	case O_LOGIN:
		user_arg(a, &f->login_uid, &f->login_name);
		return 0;
	case O_SESSION:
		return num_arg(cmd, "--session", a, UINT32_MAX, &f->session);
	case O_EVENT:
		f->event = a;
		return 0;
	case O_SYSCALL:
		f->syscall = a;
		return 0;
	case O_PATH:
		f->path = a;
		return 0;
	case O_EXE:
		f->exe = a;
		return 0;
	case O_COMM:
		f->comm = a;
		return 0;
	case O_PID:
		return num_arg(cmd, "--pid", a, INT32_MAX, &f->pid);
	case O_PPID:
		return num_arg(cmd, "--ppid", a, INT32_MAX, &f->ppid);
	case O_EXEC_ID:
		if (strlen(a) != 16 || strspn(a, "0123456789abcdef") != 16) {
			fprintf(stderr, "caudit %s: --exec-id: 16 lowercase hex digits\n", cmd);
			return -1;
		}
		f->exec_id = a;
		return 0;
	case O_TREE:
		f->tree = 1;
		return 0;
	case O_IP:
		if (sf_parse_cidr(a, &f->ip)) {
			fprintf(stderr, "caudit %s: --ip: not an address or CIDR: '%s'\n", cmd, a);
			return -1;
		}
		return 0;
	case O_PORT:
		return num_arg(cmd, "--port", a, 65535, &f->port);
	case O_RESULT:
		f->result = !strcmp(a, "success") ? 1 : !strcmp(a, "failure") ? 2 : -1;
		if (f->result < 0) {
			fprintf(stderr, "caudit %s: --result: success or failure\n", cmd);
			return -1;
		}
		return 0;
	case O_ERRNO:
		f->err = a;
		return 0;
	case O_KEY:
		f->key = a;
		return 0;
	case O_ACCESS:
		f->access = !strcmp(a, "read") ? 1 : !strcmp(a, "write") ? 2 : -1;
		if (f->access < 0) {
			fprintf(stderr, "caudit %s: --access: read or write\n", cmd);
			return -1;
		}
		return 0;
	case O_CONTAINER:
		f->container = a;
		return 0;
	case O_HOST:
		f->host = a;
		return 0;
	}
	return 1;
}

int sc_parse(struct search_cli *c, int argc, char **argv, void (*usage)(FILE *))
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, O_SINCE},
	    {"until", required_argument, NULL, O_UNTIL},
	    {"user", required_argument, NULL, O_USER},
	    {"login", required_argument, NULL, O_LOGIN},
	    {"session", required_argument, NULL, O_SESSION},
	    {"event", required_argument, NULL, O_EVENT},
	    {"syscall", required_argument, NULL, O_SYSCALL},
	    {"path", required_argument, NULL, O_PATH},
	    {"exe", required_argument, NULL, O_EXE},
	    {"comm", required_argument, NULL, O_COMM},
	    {"pid", required_argument, NULL, O_PID},
	    {"ppid", required_argument, NULL, O_PPID},
	    {"exec-id", required_argument, NULL, O_EXEC_ID},
	    {"tree", no_argument, NULL, O_TREE},
	    {"ip", required_argument, NULL, O_IP},
	    {"port", required_argument, NULL, O_PORT},
	    {"result", required_argument, NULL, O_RESULT},
	    {"errno", required_argument, NULL, O_ERRNO},
	    {"key", required_argument, NULL, O_KEY},
	    {"access", required_argument, NULL, O_ACCESS},
	    {"container", required_argument, NULL, O_CONTAINER},
	    {"host", required_argument, NULL, O_HOST},
	    {"format", required_argument, NULL, O_FORMAT},
	    {"count", no_argument, NULL, O_COUNT},
	    {"limit", required_argument, NULL, O_LIMIT},
	    {"pubkey", required_argument, NULL, O_PUBKEY},
	    {"decrypt-key", required_argument, NULL, O_DECRYPT},
	    {"strict", no_argument, NULL, O_STRICT},
	    {"no-index", no_argument, NULL, O_NO_INDEX},
	    {"config", required_argument, NULL, O_CONFIG},
	    {"help", no_argument, NULL, O_HELP},
	    {"follow", no_argument, NULL, O_FOLLOW},
	    {"output", required_argument, NULL, O_OUT},
	    {"stats", no_argument, NULL, O_STATS},
	    {},
	};
	const char *cmd = c->cmd;
	int opt, tail = !strcmp(cmd, "tail"), report = !strcmp(cmd, "report");
	int64_t lim;
	char err[512];

	sf_init(&c->f);
	c->o.f = &c->f;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "fho:", opts, NULL)) != -1) {
		int r = filter_opt(c, opt, optarg);

		if (r < 0)
			return CMD_USAGE;
		if (r == 0)
			continue;
		switch (opt) {
		case O_FORMAT:
			if (format_arg(c, optarg))
				return CMD_USAGE;
			break;
		case O_COUNT:
			c->count = 1;
			break;
		case O_LIMIT:
			if (num_arg(cmd, "--limit", optarg, INT64_MAX, &lim))
				return CMD_USAGE;
			c->limit = (uint64_t)lim;
			break;
		case O_PUBKEY:
			c->pubkey = optarg;
			break;
		case O_DECRYPT:
			c->decrypt_key = optarg;
			break;
		case O_STRICT:
			c->o.strict = 1;
			break;
		case O_NO_INDEX:
			c->o.no_index = 1;
			break;
		case O_STATS:
			c->stats = 1;
			break;
		case O_CONFIG:
			c->config = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return -1;
		case 'f':
		case O_FOLLOW:
			if (!tail)
				goto bad;
			c->follow = 1;
			break;
		case 'o':
		case O_OUT:
			if (!report)
				goto bad;
			c->out = optarg;
			break;
		default:
			goto bad;
		}
	}
	if (c->f.tree && !c->f.exec_id) {
		fprintf(stderr, "caudit %s: --tree goes with --exec-id\n", cmd);
		return CMD_USAGE;
	}
	if (c->f.since >= c->f.until) {
		fprintf(stderr, "caudit %s: --since is not before --until\n", cmd);
		return CMD_USAGE;
	}
	defaults(c);
	for (; optind < argc; optind++) {
		if (c->npaths == sizeof(c->paths) / sizeof(c->paths[0])) {
			fprintf(stderr, "caudit %s: at most 64 paths\n", cmd);
			return CMD_USAGE;
		}
		c->paths[c->npaths++] = argv[optind];
	}
	if (!c->npaths)
		c->paths[c->npaths++] = c->default_dir;
	err[0] = 0;
	if (keys_read_root_pub(c->pubkey, c->o.root, err, sizeof(err))) {
		fprintf(stderr, "caudit %s: %s (give the root public key with --pubkey)\n", cmd,
			err);
		return CMD_ERROR;
	}
	if (c->decrypt_key) {
		if (keys_read_enc_secret(c->decrypt_key, c->o.decrypt_secret, c->o.decrypt_pub, err,
					 sizeof(err))) {
			fprintf(stderr, "caudit %s: %s\n", cmd, err);
			return CMD_ERROR;
		}
		c->o.have_decrypt_key = 1;
	}
	if (c->format == SC_AUTO)
		c->format = report ? SC_TEXT : isatty(STDOUT_FILENO) ? SC_TABLE : SC_JSON;
	return 0;
bad:
	usage(stderr);
	return CMD_USAGE;
}

void sc_free(struct search_cli *c)
{
	cr_wipe(c->o.decrypt_secret, sizeof(c->o.decrypt_secret));
	sf_free(&c->f);
}
