#include "core/cmd.h"
#include "core/printk.h"
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

extern const struct cmd __start_keel_cmds[], __stop_keel_cmds[];

const struct cmd *cmd_first(void)
{
	return __start_keel_cmds;
}

const struct cmd *cmd_end(void)
{
	return __stop_keel_cmds;
}

const struct cmd *cmd_find(const char *name)
{
	for (const struct cmd *c = cmd_first(); c < cmd_end(); c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cmd_error(const char *fmt, ...)
{
	va_list ap;

	printk("error: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	return -EINVAL;
}

void cmd_help(const struct cmd *c)
{
	if (!c->nr_subs) {
		printk("%s%s%s\n    %s\n", c->name, *c->args ? " " : "", c->args, c->summary);
		return;
	}
	printk("%s: %s\n", c->name, c->summary);
	for (unsigned int i = 0; i < c->nr_subs; i++) {
		const struct subcmd *s = &c->subs[i];

		printk("  %s %s%s%s\n      %s\n", c->name, s->name, *s->args ? " " : "", s->args,
		       s->summary);
	}
}

static const char *sub_names(const struct cmd *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < c->nr_subs && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", c->subs[i].name);
	return buf;
}

int cmd_run(int argc, char **argv)
{
	const struct cmd *c;
	char names[128];

	if (argc == 0)
		return 0;
	c = cmd_find(argv[0]);
	if (!c)
		return cmd_error("unknown command '%s' (try 'help')", argv[0]);
	if (!c->nr_subs)
		return c->exec(argc, argv);
	if (argc < 2)
		return cmd_error("%s: missing subcommand (%s)", c->name,
				 sub_names(c, names, sizeof(names)));
	for (unsigned int i = 0; i < c->nr_subs; i++)
		if (!strcmp(c->subs[i].name, argv[1]))
			return c->subs[i].exec(argc - 1, argv + 1);
	return cmd_error("%s: unknown subcommand '%s' (%s)", c->name, argv[1],
			 sub_names(c, names, sizeof(names)));
}
