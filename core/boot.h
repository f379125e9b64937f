#ifndef CORE_BOOT_H
#define CORE_BOOT_H

#include "libs/types.h"

struct boot_info {
	u64 boot_hartid;
	void *fdt;
	u64 load_addr;
	u64 boot_ticks, ready_ticks;
};

extern struct boot_info boot_info;

void hart_init_csrs(void);

/* daemons/mterm.c */
void mterm_start(void);

#endif
