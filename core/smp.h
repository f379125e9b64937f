#ifndef CORE_SMP_H
#define CORE_SMP_H

#include "libs/types.h"

#define IPI_RESCHED (1U << 0)
#define IPI_STOP (1U << 1)
/* Only makes the hart leave guest mode, so a VCPU there sees new requests. */
#define IPI_KICK (1U << 2)
/* A VCPU that moved to another hart needs its state, still held here (guest_vcpu_release). */
#define IPI_RELEASE (1U << 3)

struct hart_desc {
	u64 hartid;
	const char *isa;
	const char *why_not; /* set for harts Keel leaves alone */
};

/* harts[i] is cpu index i; unused_harts[] are the DT harts Keel does not run on. */
extern struct hart_desc harts[CONFIG_MAX_HARTS];
extern struct hart_desc unused_harts[CONFIG_MAX_HARTS];
extern unsigned int nr_harts_dt, nr_unused_harts;

/* Assign cpu indexes from the DT (boot hart = 0); returns the number of usable harts. */
int smp_discover(const void *fdt, u64 boot_hartid);
void smp_boot_secondaries(void);
void smp_send_ipi(unsigned int cpu, u32 what);
void smp_handle_ipi(void);
void smp_stop_others(void);
unsigned int smp_online_count(void);

#endif
