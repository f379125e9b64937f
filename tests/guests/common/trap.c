/* Fatal traps: one report line, then an SBI shutdown with reason "system failure". */
#include "guest.h"

const char *trap_cause_name(unsigned long cause)
{
	static const char *const names[] = {
		"instruction address misaligned",
		"instruction access fault",
		"illegal instruction",
		"breakpoint",
		"load address misaligned",
		"load access fault",
		"store/AMO address misaligned",
		"store/AMO access fault",
		"environment call from U-mode",
		"environment call from S-mode",
		"environment call from VS-mode",
		"environment call from M-mode",
		"instruction page fault",
		"load page fault",
		"reserved",
		"store/AMO page fault",
	};

	if (cause < sizeof(names) / sizeof(names[0]))
		return names[cause];
	return "unknown";
}

/* "<tag> exception FAIL scause 0x.. (<name>) sepc 0x.. stval 0x.. hart N", then shutdown. */
void trap_fatal(const char *tag, unsigned long cause, unsigned long epc, unsigned long tval)
{
	printk("%s exception FAIL scause 0x%lx (%s) sepc 0x%lx stval 0x%lx hart %lu\n", tag, cause,
	       trap_cause_name(cause), epc, tval, this_hartid());
	sbi_shutdown(SBI_SRST_REASON_FAILURE);
}
