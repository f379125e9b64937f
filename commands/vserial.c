/*
 * vserial list | bind <guest> | dump <guest>: the guests' virtual serial
 * lines (core/vserial.c).
 */
#include "core/cmd.h"
#include "core/guest.h"
#include "core/printk.h"

static int list_one(struct guest *g, void *arg)
{
	struct vserial_stats st;

	vserial_stats(&g->vserial, &st);
	printk("%-16s %-5s %8lu %6u\n", g->name, st.bound ? "yes" : "no",
	       (unsigned long)st.buffered, st.input);
	return 0;
}

static int vserial_list(int argc, char **argv)
{
	if (argc != 1)
		return cmd_error("usage: vserial list");
	printk("%-16s %-5s %8s %6s\n", "GUEST", "BOUND", "BUFFERED", "INPUT");
	guest_for_each(list_one, NULL);
	return 0;
}

static struct guest *named(int argc, char **argv, const char *usage)
{
	if (argc != 2) {
		cmd_error("usage: vserial %s <guest>", usage);
		return NULL;
	}
	return guest_named("vserial", argv[1]);
}

static int vserial_bind(int argc, char **argv)
{
	struct guest *g = named(argc, argv, "bind");
	u64 dropped;

	if (!g)
		return -EINVAL;
	printk("vserial: bound to guest '%s' (%s returns to Keel)\n", g->name, VSERIAL_ESCAPE_TEXT);
	dropped = vserial_attach(&g->vserial);
	/* The guest may have left the cursor anywhere. */
	printk("\n");
	if (dropped)
		printk("vserial: %lu typed bytes dropped: guest '%s' did not read them\n",
		       (unsigned long)dropped, g->name);
	printk("vserial: detached from guest '%s'\n", g->name);
	return 0;
}

static int vserial_dump_cmd(int argc, char **argv)
{
	struct guest *g = named(argc, argv, "dump");

	if (!g)
		return -EINVAL;
	vserial_dump(&g->vserial);
	return 0;
}

static const struct subcmd vserial_subs[] = {
	{ "list", "", "guests' serial lines: bound or not, output buffered, input not yet read",
	  vserial_list },
	{ "bind", "<guest>",
	  "attach this terminal to the guest's serial line (" VSERIAL_ESCAPE_TEXT " to come back)",
	  vserial_bind },
	{ "dump", "<guest>", "what the guest wrote while no terminal was bound (last 4 KiB)",
	  vserial_dump_cmd },
};

CMD_DECLARE(vserial, .name = "vserial", .summary = "guests' virtual serial lines",
	    .subs = vserial_subs, .nr_subs = ARRAY_SIZE(vserial_subs));
