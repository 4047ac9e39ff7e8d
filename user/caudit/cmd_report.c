// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "cmd.h"
int cmd_report(int argc, char **argv) { (void)argc; (void)argv; return CMD_ERROR; }
