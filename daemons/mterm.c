/*
 * mterm: the management terminal.  An orphan thread that reads the console,
 * edits lines (libs/linedit), splits them (libs/args) and runs commands.
 */
#include "core/boot.h"
#include "core/cmd.h"
#include "core/package.h"
#include "core/printk.h"
#include "core/thread.h"
#include "libs/args.h"
#include "libs/fdtinfo.h"
#include "libs/linedit.h"
#include <string.h>

#define MTERM_PRIO 2
#define MAX_ARGS 32

static char line_buf[CONFIG_MTERM_LINE_MAX + 1];
/* linedit keeps one slot for the line being edited while browsing history. */
#define HIST_SLOTS (CONFIG_MTERM_HISTORY + 1)
static char hist_buf[HIST_SLOTS * (CONFIG_MTERM_LINE_MAX + 1)];
static char run_buf[CONFIG_MTERM_LINE_MAX + 1];

static void mterm_out(void *ctx, const char *s, size_t n)
{
	console_write(s, n);
}

static size_t mterm_complete(void *ctx, const char *prefix, size_t len, const char **cands,
			     size_t max)
{
	size_t n = 0;

	for (const struct cmd *c = cmd_first(); c < cmd_end() && n < max; c++)
		if (!strncmp(c->name, prefix, len))
			cands[n++] = c->name;
	return n;
}

static void mterm_run_line(const char *line)
{
	char *argv[MAX_ARGS];
	int argc;

	strcpy(run_buf, line);
	argc = args_split(run_buf, argv, MAX_ARGS);
	if (argc == -EINVAL)
		cmd_error("unterminated quote");
	else if (argc == -E2BIG)
		cmd_error("too many arguments (max %d)", MAX_ARGS);
	else
		cmd_run(argc, argv);
}

#define BOOT_SCRIPT_DEFAULT "boot.keel"
#define BOOT_ARG "keel.boot="

/* The value of keel.boot= in the bootargs, copied into @buf, or NULL. */
static const char *boot_script_arg(char *buf, size_t len)
{
	const char *args = fdt_bootargs(boot_info.fdt), *p;
	size_t n = 0;

	for (p = args; p && (p = strstr(p, BOOT_ARG)); p++) {
		if (p != args && p[-1] != ' ')
			continue;
		p += strlen(BOOT_ARG);
		while (p[n] && p[n] != ' ' && n + 1 < len) {
			buf[n] = p[n];
			n++;
		}
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

/*
 * The boot script: shell lines from a file of the guest package, run before
 * the prompt, each echoed after the prompt as if typed.  The file is the one
 * keel.boot= names, else boot.keel when the package has it.
 */
static void mterm_boot_script(void)
{
	char name[64];
	const char *want = boot_script_arg(name, sizeof(name));
	struct cpio_entry e;
	const char *p, *end;

	if (package_find(want ? want : BOOT_SCRIPT_DEFAULT, &e)) {
		if (want)
			cmd_error("boot script '%s' is not in the guest package", want);
		return;
	}
	for (p = e.data, end = p + e.size; p < end;) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = (nl ? nl : end) - p;

		while (n && p[n - 1] == '\r')
			n--;
		if (n >= sizeof(line_buf)) {
			cmd_error("boot script line too long (max %u characters)",
				  CONFIG_MTERM_LINE_MAX);
		} else if (n && p[0] != '#') {
			memcpy(line_buf, p, n);
			line_buf[n] = '\0';
			printk("keel# %s\n", line_buf);
			mterm_run_line(line_buf);
		}
		p = nl ? nl + 1 : end;
	}
}

static void mterm_main(void *arg)
{
	struct linedit le;
	const struct linedit_config cfg = {
		.buf = line_buf,
		.cap = sizeof(line_buf),
		.hist = hist_buf,
		.hist_entries = HIST_SLOTS,
		.prompt = "keel# ",
		.out = mterm_out,
		.complete = mterm_complete,
	};

	mterm_boot_script();
	linedit_init(&le, &cfg);
	for (;;) {
		linedit_start(&le);
		for (;;) {
			enum linedit_event ev = linedit_feed(&le, (u8)console_getc());

			if (ev == LINEDIT_LINE) {
				mterm_run_line(linedit_line(&le));
				break;
			}
			if (ev == LINEDIT_TOO_LONG) {
				cmd_error("line too long (max %u characters)",
					  CONFIG_MTERM_LINE_MAX);
				break;
			}
			if (ev == LINEDIT_INTERRUPT)
				break;
		}
	}
}

void mterm_start(void)
{
	if (!thread_spawn("mterm", mterm_main, NULL, MTERM_PRIO, 1))
		panic("cannot start the management terminal");
}
