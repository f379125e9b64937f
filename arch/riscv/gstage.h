/* G-stage (guest-physical to host-physical) translation: Sv39x4 or Sv48x4. */
#ifndef ARCH_RISCV_GSTAGE_H
#define ARCH_RISCV_GSTAGE_H

#include "libs/gpt.h"

struct gstage {
	struct gpt t; /* root: 16 KiB, 16 KiB aligned */
	unsigned int format;
	unsigned int vmid;
	unsigned int pages; /* table pages in use */
};

/*
 * Empty tables for guest-physical addresses below @gpa_end, in the smallest
 * format that reaches it; -ERANGE when no format the harts have does.
 */
int gstage_init(struct gstage *gs, u64 gpa_end);
/* Map [gpa, gpa+size) to [hpa, ...) read/write/execute for the guest, largest pages. */
int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size);
void gstage_destroy(struct gstage *gs);
u64 gstage_hgatp(const struct gstage *gs);
/* "sv39x4" or "sv48x4". */
const char *gstage_name(const struct gstage *gs);
/* Called once, on the boot hart: hgatp's modes and VMID bits. */
void gstage_probe(void);
/* The G-stage modes the harts have, e.g. "sv39x4 sv48x4 sv57x4". */
void gstage_modes(char *buf, size_t len);
unsigned int gstage_vmid_bits(void);
/* The end of the guest-physical space Keel can give a guest, and that format's name. */
u64 gstage_gpa_limit(void);
const char *gstage_limit_name(void);

#endif
