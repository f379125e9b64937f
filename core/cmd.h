/*
 * Shell commands, registered by declaration (one family per file in
 * commands/).  A family either runs itself (exec) or dispatches on its
 * first argument to a table of subcommands.
 */
#ifndef CORE_CMD_H
#define CORE_CMD_H

#include "libs/types.h"

struct subcmd {
	const char *name;
	const char *args; /* usage after the name, or "" */
	const char *summary;
	int (*exec)(int argc, char **argv); /* argv[0] is the subcommand */
};

struct cmd {
	const char *name;
	const char *args;
	const char *summary;
	int (*exec)(int argc, char **argv);
	const struct subcmd *subs;
	unsigned int nr_subs;
};

#define CMD_DECLARE(id, ...)                  \
	static const struct cmd cmd_decl_##id \
		__attribute__((section("keel_cmds." #id), used, aligned(8))) = { __VA_ARGS__ }

const struct cmd *cmd_find(const char *name);
const struct cmd *cmd_first(void);
const struct cmd *cmd_end(void);
/* Run a parsed line; prints one error line on failure. */
int cmd_run(int argc, char **argv);
/* Print "error: <msg>" and return -EINVAL: for bad arguments. */
int cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_help(const struct cmd *c);

#endif
