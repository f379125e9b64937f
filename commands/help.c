/* help, version, echo: always present. */
#include "core/cmd.h"
#include "core/printk.h"

static int help_exec(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2)
		return cmd_error("usage: help [command]");
	if (argc == 2) {
		c = cmd_find(argv[1]);
		if (!c)
			return cmd_error("help: unknown command '%s'", argv[1]);
		cmd_help(c);
		return 0;
	}
	printk("Commands (help <command> for details):\n");
	for (c = cmd_first(); c < cmd_end(); c++)
		printk("  %-10s %s\n", c->name, c->summary);
	return 0;
}

CMD_DECLARE(help, .name = "help", .args = "[command]", .summary = "list commands, or describe one",
	    .exec = help_exec);

static int version_exec(int argc, char **argv)
{
	if (argc != 1)
		return cmd_error("usage: version");
	printk("Keel %s (RISC-V hypervisor), built with gcc %s\n", CONFIG_VERSION, __VERSION__);
	return 0;
}

CMD_DECLARE(version, .name = "version", .args = "", .summary = "show Keel's version",
	    .exec = version_exec);

static int echo_exec(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printk("%s%s", i > 1 ? " " : "", argv[i]);
	printk("\n");
	return 0;
}

CMD_DECLARE(echo, .name = "echo", .args = "[text...]", .summary = "print the arguments",
	    .exec = echo_exec);
