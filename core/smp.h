#ifndef CORE_SMP_H
#define CORE_SMP_H

#include "libs/types.h"

#define IPI_RESCHED (1U << 0)
#define IPI_STOP (1U << 1)

struct hart_desc {
	u64 hartid;
	bool usable; /* has an MMU and the H extension */
	const char *isa;
	const char *why_not; /* when not usable */
};

extern struct hart_desc harts[CONFIG_MAX_HARTS];
extern unsigned int nr_harts_dt;

/* Assign cpu indexes from the DT (boot hart = 0); returns the number of usable harts. */
int smp_discover(const void *fdt, u64 boot_hartid);
void smp_boot_secondaries(void);
void smp_send_ipi(unsigned int cpu, u32 what);
void smp_handle_ipi(void);
void smp_stop_others(void);
unsigned int smp_online_count(void);

#endif
