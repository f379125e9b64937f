/* G-stage (guest-physical to host-physical) translation: Sv39x4. */
#ifndef ARCH_RISCV_GSTAGE_H
#define ARCH_RISCV_GSTAGE_H

#include "libs/gpt.h"

struct gstage {
	u64 *root; /* 16 KiB, 16 KiB aligned */
	unsigned int vmid;
	unsigned int pages; /* table pages in use */
};

int gstage_init(struct gstage *gs);
/* Map [gpa, gpa+size) to [hpa, ...) read/write/execute for the guest, largest pages. */
int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size);
void gstage_destroy(struct gstage *gs);
u64 gstage_hgatp(const struct gstage *gs);
/* Called once per hart: hgatp's VMID bits. */
void gstage_probe(void);

#endif
