// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The collector's side of NATS JetStream, the only file of caudit-collector
 * that uses libnats:
 *   stream   CAUDIT over caudit.log.>, file storage, R replicas, a duplicate
 *            window for the forwarders' Nats-Msg-Id (created or updated here)
 *   consumer one durable pull consumer per host (caudit-<host>), explicit
 *            acks: a host's blocks are read in order, and what was not
 *            acknowledged is delivered again to whoever holds the host next;
 *            caudit-all over every subject, for unknown hosts
 *   leases   a KV bucket (caudit-leases) whose entries expire after the
 *            lease TTL: an instance holds host H while it keeps renewing the
 *            key H with its revision (compare-and-set), so exactly one
 *            instance verifies a host, and another takes over once the
 *            holder stops renewing (dies) for a TTL
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "collector.h"
#include "natsconn.h"

#define NS 1000000000LL
#define LEASE_BUCKET "caudit-leases"
#define ALL_DURABLE "caudit-all"

struct coll_nats {
	const struct coll_opts *o;
	natsConnection *nc;
	jsCtx *js;
	kvStore *kv;
};

struct coll_sub {
	struct coll_nats *n;
	natsSubscription *sub;
};

static int fail(char *err, size_t errlen, const char *what, natsStatus s, jsErrCode j)
{
	const char *txt = nats_GetLastError(NULL);

	snprintf(err, errlen, "%s: %s %s (js %d)", what, natsStatus_GetText(s), txt ? txt : "",
		 (int)j);
	return -EIO;
}

static int setup_stream(struct coll_nats *n, char *err, size_t errlen)
{
	const char *subjects[] = {FWD_SUBJECT_PREFIX ">"};
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode j = 0;
	natsStatus s;

	jsStreamConfig_Init(&sc);
	sc.Name = n->o->stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = n->o->replicas;
	sc.Duplicates = (int64_t)n->o->dup_window * NS;
	sc.MaxMsgSize = FWD_BLOCK_MAX + 4096;
	s = js_AddStream(&si, n->js, &sc, NULL, &j);
	if (s != NATS_OK && j == JSStreamNameExistErr)
		s = js_UpdateStream(&si, n->js, &sc, NULL, &j);
	jsStreamInfo_Destroy(si);
	return s == NATS_OK ? 0 : fail(err, errlen, "stream", s, j);
}

static int setup_leases(struct coll_nats *n, char *err, size_t errlen)
{
	kvConfig kc;
	natsStatus s;

	kvConfig_Init(&kc);
	kc.Bucket = LEASE_BUCKET;
	kc.History = 1;
	kc.TTL = (int64_t)n->o->lease_ttl * NS;
	kc.Replicas = (int)n->o->replicas;
	kc.StorageType = js_FileStorage; /* leases outlive a server restart */
	s = js_CreateKeyValue(&n->kv, n->js, &kc);
	if (s != NATS_OK) {
		fail(err, errlen, "lease bucket", s, 0);
		if (js_KeyValue(&n->kv, n->js, LEASE_BUCKET) == NATS_OK)
			s = NATS_OK; /* made by another instance */
	}
	return s == NATS_OK ? 0 : -EIO;
}

int coll_nats_open(struct coll_nats **out, const struct coll_opts *o, char *err, size_t errlen)
{
	struct coll_nats *n = calloc(1, sizeof(*n));
	natsOptions *opts = NULL;
	natsStatus s;
	int r = -EIO;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	n->o = o;
	{
		struct natsconn_cfg cc = { o->nats_url, o->instance, o->creds,
					   o->tls_ca, o->tls_cert, o->tls_key };

		r = natsconn_options(&opts, &cc, err, errlen);
		if (r)
			goto out;
	}
	r = -EIO;
	s = natsConnection_Connect(&n->nc, opts);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&n->js, n->nc, NULL);
	if (s != NATS_OK) {
		r = fail(err, errlen, o->nats_url, s, 0);
		goto out;
	}
	r = setup_stream(n, err, errlen);
	if (!r)
		r = setup_leases(n, err, errlen);
out:
	natsOptions_Destroy(opts);
	if (r)
		coll_nats_close(n);
	else
		*out = n;
	return r;
}

void coll_nats_close(struct coll_nats *n)
{
	if (!n)
		return;
	kvStore_Destroy(n->kv);
	jsCtx_Destroy(n->js);
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
	}
	free(n);
}

int coll_lease(struct coll_nats *n, const char *key, uint64_t *rev)
{
	const char *me = n->o->instance;
	natsStatus s;
	uint64_t r = 0;

	if (*rev) {
		s = kvStore_Update(&r, n->kv, key, me, (int)strlen(me), *rev);
		if (s == NATS_OK) {
			*rev = r;
			return 1;
		}
		*rev = 0; /* lost: expired, or taken by another instance */
		return 0;
	}
	s = kvStore_Create(&r, n->kv, key, me, (int)strlen(me));
	if (s != NATS_OK)
		return 0;
	*rev = r;
	return 1;
}

void coll_lease_release(struct coll_nats *n, const char *key, uint64_t rev)
{
	if (rev)
		kvStore_Delete(n->kv, key);
}

int coll_sub_open(struct coll_nats *n, const char *host, struct coll_sub **out, char *err,
		  size_t errlen)
{
	char subject[FWD_SUBJECT_MAX], durable[FWD_SUBJECT_MAX];
	struct coll_sub *cs = calloc(1, sizeof(*cs));
	jsConsumerConfig cc;
	jsConsumerInfo *ci = NULL;
	jsSubOptions so;
	jsErrCode j = 0;
	natsStatus s;

	*out = NULL;
	if (!cs)
		return -ENOMEM;
	if (host) {
		if (fwd_subject(subject, host) || fwd_durable(durable, host)) {
			free(cs);
			return -EINVAL;
		}
	} else {
		strcpy(subject, FWD_SUBJECT_PREFIX ">");
		strcpy(durable, ALL_DURABLE);
	}
	jsConsumerConfig_Init(&cc);
	cc.Durable = durable;
	cc.FilterSubject = subject;
	cc.AckPolicy = js_AckExplicit;
	cc.AckWait = (int64_t)COLL_ACK_WAIT_S * NS;
	cc.MaxDeliver = -1;
	cc.Replicas = n->o->replicas;
	s = js_AddConsumer(&ci, n->js, n->o->stream, &cc, NULL, &j);
	jsConsumerInfo_Destroy(ci);
	if (s != NATS_OK && j != JSConsumerNameExistErr) {
		free(cs);
		return fail(err, errlen, durable, s, j);
	}
	jsSubOptions_Init(&so);
	so.Stream = n->o->stream;
	so.Consumer = durable;
	s = js_PullSubscribe(&cs->sub, n->js, subject, durable, NULL, &so, &j);
	if (s != NATS_OK) {
		free(cs);
		return fail(err, errlen, durable, s, j);
	}
	cs->n = n;
	*out = cs;
	return 0;
}

void coll_sub_close(struct coll_sub *s)
{
	if (!s)
		return;
	/* the durable consumer stays: the next holder goes on where it stands */
	natsSubscription_Destroy(s->sub);
	free(s);
}

static const char *header(natsMsg *m, const char *key)
{
	const char *v = NULL;

	return natsMsgHeader_Get(m, key, &v) == NATS_OK ? v : NULL;
}

int coll_sub_fetch(struct coll_sub *s, int batch, int (*fn)(void *opaque, const struct coll_msg *m),
		   int (*flush)(void *opaque), void *opaque)
{
	natsMsgList list = {0};
	jsFetchRequest req;
	natsStatus st;
	int done = 0, *ok, r;

	jsFetchRequest_Init(&req);
	req.Batch = batch;
	req.NoWait = true;
	req.Expires = 500LL * 1000000;
	st = natsSubscription_FetchRequest(&list, s->sub, &req);
	if (st == NATS_TIMEOUT || st == NATS_NOT_FOUND || list.Count == 0) {
		natsMsgList_Destroy(&list);
		return 0;
	}
	if (st != NATS_OK) {
		natsMsgList_Destroy(&list);
		return -EIO;
	}
	ok = calloc((size_t)list.Count, sizeof(*ok));
	if (!ok) {
		natsMsgList_Destroy(&list);
		return -ENOMEM;
	}
	for (int i = 0; i < list.Count; i++) {
		natsMsg *m = list.Msgs[i];
		jsMsgMetaData *md = NULL;
		struct coll_msg cm = {
		    .subject = natsMsg_GetSubject(m),
		    .data = natsMsg_GetData(m),
		    .len = (size_t)natsMsg_GetDataLength(m),
		    .kind = header(m, FWD_H_KIND),
		    .index = header(m, FWD_H_INDEX),
		    .segment = header(m, FWD_H_SEGMENT),
		    .first = header(m, FWD_H_FIRST),
		    .last = header(m, FWD_H_LAST),
		};

		if (natsMsg_GetMetaData(&md, m) == NATS_OK) {
			cm.stream_seq = md->Sequence.Stream;
			cm.delivered = md->NumDelivered;
			jsMsgMetaData_Destroy(md);
		}
		ok[i] = fn(opaque, &cm) == 0;
		/* what follows a message that must be retried waits for it: order per host */
		if (!ok[i])
			break;
	}
	r = flush ? flush(opaque) : 0;
	for (int i = 0; i < list.Count; i++) {
		if (!r && ok[i]) {
			natsMsg_Ack(list.Msgs[i], NULL);
			done++;
		} else {
			natsMsg_NakWithDelay(list.Msgs[i], 200LL * 1000000, NULL);
		}
	}
	free(ok);
	natsMsgList_Destroy(&list);
	return r ? r : done;
}
