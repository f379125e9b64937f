/*
 * The guest loads and stores that trap on emulated devices (MMIO): RV64
 * LB/LH/LW/LD/LBU/LHU/LWU, SB/SH/SW/SD and the compressed C.LW/C.LD/C.SW/
 * C.SD/C.LWSP/C.LDSP/C.SWSP/C.SDSP, decoded from the instruction bits or from
 * htinst (the H extension's "transformed instruction").  Nothing else is an
 * access Keel emulates: AMOs, LR/SC, FP loads and stores are refused.
 *
 * Pure logic: no locks, no printing, no global state (host unit tests).
 */
#ifndef LIBS_INSN_H
#define LIBS_INSN_H

#include "libs/types.h"

struct insn_access {
	u8 len;	    /* instruction length: 2 or 4 bytes */
	u8 size;    /* bytes accessed: 1, 2, 4 or 8 */
	u8 reg;	    /* x register: rd of a load, rs2 of a store */
	bool store; /* else a load */
	bool sign;  /* a load sign-extends to 64 bits (LB, LH, LW, C.LW, C.LWSP) */
};

/*
 * @insn as fetched: a 16-bit instruction in the low half (the high half is
 * ignored).  0, or -EINVAL when it is not one of the accesses above
 * (including reserved encodings such as C.LWSP with rd = x0).
 */
int insn_decode(u32 insn, struct insn_access *a);

/*
 * htinst after a load or store guest-page fault.  0 with @a filled when it
 * holds a transformed load or store (bit 0 set; bit 1 clear when the original
 * was 16 bits long); -ENOENT when it is 0 (the hart gave no information: read
 * the instruction at sepc); -EFAULT for a pseudoinstruction (the fault came
 * from the guest's own page-table walk, an implicit access); -EINVAL for
 * anything else.
 */
int insn_decode_htinst(u64 htinst, struct insn_access *a);

/* What a store writes: the low a->size bytes of the source register. */
static inline u64 insn_store_value(const struct insn_access *a, u64 reg)
{
	unsigned int shift = 64 - 8 * a->size;

	return (reg << shift) >> shift;
}

/*
 * Complete a load: @raw's low a->size bytes, sign- or zero-extended, into
 * x[a->reg]; x0 stays 0.  A store changes no register.
 */
static inline void insn_writeback(const struct insn_access *a, u64 x[32], u64 raw)
{
	unsigned int shift = 64 - 8 * a->size;
	u64 v;

	if (a->store || !a->reg)
		return;
	if (a->sign)
		v = (u64)((s64)(raw << shift) >> shift);
	else
		v = (raw << shift) >> shift;
	x[a->reg] = v;
}

#endif
