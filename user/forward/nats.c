// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The forwarder's NATS JetStream output: the only file of caudit-forward
 * that uses libnats. Each message is published with Nats-Msg-Id built from
 * host and seq, so a re-send after a crash or an outage is stored once
 * (within the stream's duplicate window). The client reconnects forever;
 * until it does, publishes time out and the reader keeps its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nats/nats.h>

#include "forward.h"
#include "natsconn.h"

#define PUB_TIMEOUT_MS 5000

struct fwd_nats {
	struct fwd_out base;
	natsConnection *nc;
	jsCtx *js;
	char subject[FWD_SUBJECT_MAX];
	char host[FWD_HOST_MAX];
	char last_async[256]; /* the server's last asynchronous error (permissions) */
};

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus s, void *closure)
{
	struct fwd_nats *n = closure;
	const char *txt = nats_GetLastError(NULL);

	(void)nc;
	(void)sub;
	snprintf(n->last_async, sizeof(n->last_async), "%s%s%s", natsStatus_GetText(s),
		 txt ? ": " : "", txt ? txt : "");
}

static int nats_send(struct fwd_out *out, const struct fwd_msg *m, const void *data, size_t len,
		     char *err, size_t errlen)
{
	struct fwd_nats *n = (struct fwd_nats *)out;
	char id[FWD_MSGID_MAX], num[24];
	jsPubOptions po;
	jsErrCode jerr = 0;
	jsPubAck *ack = NULL;
	natsMsg *msg = NULL;
	natsStatus s;

	if (len > FWD_BLOCK_MAX)
		return -EMSGSIZE;
	fwd_msgid(id, n->host, m);
	s = natsMsg_Create(&msg, n->subject, NULL, data, (int)len);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(msg, FWD_H_KIND, m->kind == FWD_CERT ? "cert" : "block");
	if (s == NATS_OK && m->kind == FWD_CERT) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->index);
		s = natsMsgHeader_Set(msg, FWD_H_INDEX, num);
	} else if (s == NATS_OK) {
		s = natsMsgHeader_Set(msg, FWD_H_SEGMENT, m->segment);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->first);
		if (s == NATS_OK)
			s = natsMsgHeader_Set(msg, FWD_H_FIRST, num);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->last);
		if (s == NATS_OK)
			s = natsMsgHeader_Set(msg, FWD_H_LAST, num);
	}
	if (s != NATS_OK) {
		natsMsg_Destroy(msg);
		snprintf(err, errlen, "message: %s", natsStatus_GetText(s));
		return -ENOMEM;
	}
	jsPubOptions_Init(&po);
	po.MsgId = id;
	po.MaxWait = PUB_TIMEOUT_MS;
	n->last_async[0] = 0;
	s = js_PublishMsg(&ack, n->js, msg, &po, &jerr);
	natsMsg_Destroy(msg);
	if (s == NATS_OK) {
		jsPubAck_Destroy(ack);
		return 0;
	}
	snprintf(err, errlen, "publish %s to %s: %s%s%s", id, n->subject, natsStatus_GetText(s),
		 n->last_async[0] ? "; server: " : "", n->last_async);
	return -EAGAIN;
}

static void nats_close(struct fwd_out *out)
{
	struct fwd_nats *n = (struct fwd_nats *)out;

	if (!n)
		return;
	jsCtx_Destroy(n->js);
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
	}
	free(n);
}

static const struct fwd_out_ops nats_ops = {
    .send = nats_send,
    .close = nats_close,
};

int fwd_nats_open(struct fwd_out **out, const struct fwd_opts *o, char *err, size_t errlen)
{
	struct fwd_nats *n = calloc(1, sizeof(*n));
	natsOptions *opts = NULL;
	natsStatus s;
	int r = -EIO;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	n->base.ops = &nats_ops;
	strcpy(n->host, o->host);
	if (fwd_subject(n->subject, o->host)) {
		snprintf(err, errlen, "'%s' is not a valid host name", o->host);
		free(n);
		return -EINVAL;
	}
	{
		struct natsconn_cfg cc = { o->nats_url, o->host, o->creds,
					   o->tls_ca, o->tls_cert, o->tls_key };

		r = natsconn_options(&opts, &cc, err, errlen);
		if (r)
			goto fail;
	}
	r = -EIO;
	s = natsOptions_SetRetryOnFailedConnect(opts, true, NULL, NULL);
	if (s == NATS_OK)
		s = natsOptions_SetErrorHandler(opts, on_error, n);
	if (s == NATS_OK) {
		s = natsConnection_Connect(&n->nc, opts);
		if (s == NATS_NOT_YET_CONNECTED)
			s = NATS_OK; /* connects in the background: the log is the buffer */
	}
	if (s == NATS_OK)
		s = natsConnection_JetStream(&n->js, n->nc, NULL);
	if (s != NATS_OK) {
		const char *txt = nats_GetLastError(NULL);

		snprintf(err, errlen, "NATS %s: %s", o->nats_url,
			 txt ? txt : natsStatus_GetText(s));
		r = -EIO;
		goto fail;
	}
	natsOptions_Destroy(opts);
	*out = &n->base;
	return 0;
fail:
	natsOptions_Destroy(opts);
	nats_close(&n->base);
	return r;
}
