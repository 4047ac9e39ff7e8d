/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* `caudit keygen --out DIR`: a new root key pair and epoch 0 (docs/log-format.md "Keys"). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "keys.h"

static void keygen_usage(FILE *f)
{
	fprintf(f, "usage: caudit keygen --out DIR\n"
		   "       caudit keygen --encryption --out DIR\n\n"
		   "Creates DIR (mode 0700) with a new root key pair and the first epoch key:\n"
		   "  DIR/" KEYS_ROOT_PUB "  the root public key: auditors verify with it\n"
		   "  DIR/" KEYS_ROOT_KEY "  the root secret key: move it offline\n"
		   "  DIR/" KEYS_STATE "     the agent's current epoch key\n"
		   "With --encryption, an auditor's key pair for encrypted logs instead:\n"
		   "  DIR/" KEYS_ENC_PUB "   goes to the hosts (encrypt_to = FILE)\n"
		   "  DIR/" KEYS_ENC_KEY "   stays with the auditor (caudit ... --decrypt-key FILE)\n"
		   "Refuses a DIR that already holds keys.\n");
}

static int keygen_encryption(const char *dir)
{
	char path[4200], err[512] = "";
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, KEYS_ENC_KEY);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "caudit keygen: %s already exists, refusing to replace it\n", path);
		return CMD_FAILED;
	}
	r = keys_generate_encryption(dir, err, sizeof(err));
	if (r) {
		fprintf(stderr, "caudit keygen: %s\n", err[0] ? err : strerror(-r));
		return CMD_FAILED;
	}
	printf("Encryption keys created in %s:\n"
	       "  %s/" KEYS_ENC_PUB "  copy it to each host and set encrypt_to = <its path>\n"
	       "  %s/" KEYS_ENC_KEY "  keep it with the auditor: it decrypts (--decrypt-key)\n",
	       dir, dir, dir);
	return CMD_OK;
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"encryption", no_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	static const char *const files[] = {KEYS_ROOT_PUB, KEYS_ROOT_KEY, KEYS_STATE};
	const char *dir = NULL;
	struct timespec ts;
	char err[512];
	int c, r, encryption = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:eh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'e':
			encryption = 1;
			break;
		case 'h':
			keygen_usage(stdout);
			return CMD_OK;
		default:
			keygen_usage(stderr);
			return CMD_USAGE;
		}
	}
	if (!dir || !dir[0] || optind != argc) {
		fprintf(stderr, "caudit keygen: %s\n\n",
			dir ? "unexpected argument" : "--out DIR is required");
		keygen_usage(stderr);
		return CMD_USAGE;
	}
	if (cr_init()) {
		fprintf(stderr, "caudit keygen: libsodium did not initialise\n");
		return CMD_ERROR;
	}
	if (encryption)
		return keygen_encryption(dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (access(path, F_OK) == 0 || errno != ENOENT) {
			fprintf(stderr,
				"caudit keygen: %s already exists: %s holds keys, refusing to "
				"replace them\n",
				path, dir);
			return CMD_FAILED;
		}
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	err[0] = 0;
	r = keys_generate(dir, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec, err,
			  sizeof(err));
	if (r) {
		fprintf(stderr, "caudit keygen: %s\n", err[0] ? err : strerror(-r));
		return CMD_FAILED;
	}
	printf("Keys created in %s:\n"
	       "  %s/" KEYS_ROOT_PUB "  root public key: give a copy to every auditor\n"
	       "                   (caudit verify --pubkey FILE)\n"
	       "  %s/" KEYS_ROOT_KEY "  root secret key: move it offline now (it is needed only\n"
	       "                   to re-certify a lost epoch key); do not leave it on this host\n"
	       "  %s/" KEYS_STATE "     epoch 0 key of the agent, certified by the root key\n",
	       dir, dir, dir, dir);
	return CMD_OK;
}
