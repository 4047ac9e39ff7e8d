/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit's commands. Each takes its own argv (argv[0] is the command name)
 * and returns the process exit status: 0 success, 1 failure (verification
 * failed, or the operation did), 2 usage error, 3 could not run (I/O).
 */
#ifndef CAUDIT_CMD_H
#define CAUDIT_CMD_H

#define CMD_OK 0
#define CMD_FAILED 1
#define CMD_USAGE 2
#define CMD_ERROR 3

int cmd_keygen(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_tail(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_rules_load(int argc, char **argv);

#define STATUS_SOCKET "/run/caudit/cauditd.sock"
/* The running agent's status answer (malloc'd, NUL-terminated), or NULL with errno. */
char *status_ask(const char *path, size_t *len);

#endif
