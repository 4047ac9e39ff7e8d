// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Alerts: each one a record of the collector's own signed log (the agent's
 * store, so `caudit verify` checks it with the collector's root key) and a
 * line for the journal:
 *   {"schema":1,"seq":N,"prev":…,"time":…,"host":{…the collector…},
 *    "event":"collector.alert","category":"collector",
 *    "alert":{"kind":"chain_broken","host":"web1","detail":"…"}}
 * Every alert is sealed at once: an auditor reading the log sees it signed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "encode.h"
#include "host.h"
#include "jsonw.h"
#include "log.h"
#include "store.h"

struct coll_alerts {
	struct sink *sink;
	struct ca_config cfg;
	struct enc_host host;
	struct enc_ctx enc;
	struct jsonw w;
};

static const char *const names[] = {
    [ALERT_CHAIN_BROKEN] = "chain_broken",
    [ALERT_SEQ_GAP] = "seq_gap",
    [ALERT_UNCERTIFIED] = "key_not_certified",
    [ALERT_UNKNOWN_HOST] = "unknown_host",
    [ALERT_UNKNOWN_ROOT] = "unknown_root_key",
    [ALERT_REPLAY] = "replay",
    [ALERT_SILENT] = "silent_host",
    [ALERT_MALFORMED] = "malformed",
};

const char *coll_alert_name(enum coll_alert_kind kind)
{
	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

int coll_alerts_open(struct coll_alerts **out, const struct coll_opts *o, char *err, size_t errlen)
{
	struct coll_alerts *a = calloc(1, sizeof(*a));
	int r;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	config_defaults(&a->cfg);
	snprintf(a->cfg.log_dir, sizeof(a->cfg.log_dir), "%s", o->alert_dir);
	snprintf(a->cfg.key_dir, sizeof(a->cfg.key_dir), "%s", o->key_dir);
	a->cfg.seal_records = 1;
	a->cfg.fsync_seals = o->fsync;
	host_identity(&a->host);
	a->enc.host = &a->host;
	r = store_open(&a->sink, &a->cfg, &a->host, err, errlen);
	if (r) {
		free(a);
		return r;
	}
	jw_init(&a->w, 1 << 16);
	*out = a;
	return 0;
}

void coll_alerts_close(struct coll_alerts *a)
{
	if (!a)
		return;
	if (a->sink)
		a->sink->ops->close(a->sink);
	jw_free(&a->w);
	free(a);
}

void coll_alerts_tick(struct coll_alerts *a)
{
	a->sink->ops->flush(a->sink);
	a->sink->ops->tick(a->sink);
}

void coll_alert(struct coll_alerts *a, enum coll_alert_kind kind, const char *host, const char *fmt,
		...)
{
	struct timespec ts;
	char detail[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	log_msg(LOG_ALERT, "alert %s: host %s: %s", coll_alert_name(kind), host, detail);
	clock_gettime(CLOCK_REALTIME, &ts);
	jw_reset(&a->w);
	encode_record_begin(&a->w, &a->enc, a->sink->last_seq + 1,
			    (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, "collector.alert",
			    "collector");
	jw_object_begin(&a->w, "alert");
	jw_cstring(&a->w, "kind", coll_alert_name(kind));
	jw_cstring(&a->w, "host", host);
	jw_cstring(&a->w, "detail", detail);
	jw_object_end(&a->w);
	jw_object_end(&a->w);
	r = a->w.err ? a->w.err : a->sink->ops->write(a->sink, a->w.buf, a->w.len);
	if (!r)
		r = a->sink->ops->flush(a->sink);
	if (r)
		log_msg(LOG_ERR, "alert not written to the collector's log: %s", strerror(-r));
}
