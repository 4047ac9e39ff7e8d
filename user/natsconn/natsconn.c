/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "creds.h"
#include "natsconn.h"

#define MAX_SERVERS 16

/* "url1,url2,...": the client's server pool. */
static natsStatus set_servers(natsOptions *opts, const char *list)
{
	char buf[2048], *save = NULL, *tok;
	const char *urls[MAX_SERVERS];
	int n = 0;

	if (strlen(list) >= sizeof(buf))
		return NATS_INVALID_ARG;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok && n < MAX_SERVERS;
	     tok = strtok_r(NULL, ",", &save))
		urls[n++] = tok;
	return n ? natsOptions_SetServers(opts, urls, n) : NATS_INVALID_ARG;
}

int natsconn_options(natsOptions **out, const struct natsconn_cfg *c, char *err, size_t errlen)
{
	natsOptions *opts = NULL;
	char user[128], pass[256];
	natsStatus s;
	int r;

	s = natsOptions_Create(&opts);
	if (s == NATS_OK)
		s = set_servers(opts, c->urls);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(opts, 500);
	if (s == NATS_OK && c->name)
		s = natsOptions_SetName(opts, c->name);
	if (s == NATS_OK && c->creds) {
		r = creds_read(c->creds, user, sizeof(user), pass, sizeof(pass), err, errlen);
		if (r) {
			natsOptions_Destroy(opts);
			return r;
		}
		s = natsOptions_SetUserInfo(opts, user, pass);
		explicit_bzero(pass, sizeof(pass));
	}
	if (s == NATS_OK && c->tls_ca) {
		s = natsOptions_SetSecure(opts, true);
		if (s == NATS_OK)
			s = natsOptions_LoadCATrustedCertificates(opts, c->tls_ca);
		if (s == NATS_OK && c->tls_cert)
			s = natsOptions_LoadCertificatesChain(opts, c->tls_cert, c->tls_key);
	}
	if (s != NATS_OK) {
		const char *txt = nats_GetLastError(NULL);

		snprintf(err, errlen, "NATS options for %s: %s", c->urls,
			 txt ? txt : natsStatus_GetText(s));
		natsOptions_Destroy(opts);
		return -EIO;
	}
	*out = opts;
	return 0;
}
