/*
 * Load/store decoding for MMIO emulation.  Encodings: the RISC-V unprivileged
 * spec (RV64I LOAD/STORE, RVC quadrants 0 and 2); htinst: the privileged
 * spec, H extension, "Transformed Instruction or Pseudoinstruction".
 */
#include "libs/insn.h"

#define OP_LOAD 0x03
#define OP_STORE 0x23

/* htinst pseudoinstructions: implicit reads and writes of a VS-stage page-table walk. */
#define PSEUDO_READ32 0x00002000
#define PSEUDO_READ64 0x00003000
#define PSEUDO_WRITE32 0x00002020
#define PSEUDO_WRITE64 0x00003020

static u32 bits(u32 insn, unsigned int hi, unsigned int lo)
{
	return (insn >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int set(struct insn_access *a, u8 len, u8 size, u32 reg, bool store, bool sign)
{
	*a = (struct insn_access){
		.len = len, .size = size, .reg = (u8)reg, .store = store, .sign = sign
	};
	return 0;
}

static int decode32(u32 insn, struct insn_access *a)
{
	u32 funct3 = bits(insn, 14, 12);

	/* bits 4:2 all set: a 48-bit or longer instruction */
	if ((insn & 0x1f) == 0x1f)
		return -EINVAL;
	switch (insn & 0x7f) {
	case OP_LOAD:
		/* LB LH LW (sign-extending) LD LBU LHU LWU; funct3 7 is reserved */
		if (funct3 == 7)
			return -EINVAL;
		return set(a, 4, 1 << (funct3 & 3), bits(insn, 11, 7), false, funct3 < 3);
	case OP_STORE:
		/* SB SH SW SD */
		if (funct3 > 3)
			return -EINVAL;
		return set(a, 4, 1 << funct3, bits(insn, 24, 20), true, false);
	default:
		return -EINVAL;
	}
}

static int decode16(u32 insn, struct insn_access *a)
{
	u32 funct3 = bits(insn, 15, 13);
	u32 rd_prime = 8 + bits(insn, 4, 2); /* x8..x15 */
	u32 rd = bits(insn, 11, 7), rs2 = bits(insn, 6, 2);

	switch (insn & 3) {
	case 0: /* quadrant 0: register-based */
		switch (funct3) {
		case 2: /* C.LW */
			return set(a, 2, 4, rd_prime, false, true);
		case 3: /* C.LD */
			return set(a, 2, 8, rd_prime, false, false);
		case 6: /* C.SW */
			return set(a, 2, 4, rd_prime, true, false);
		case 7: /* C.SD */
			return set(a, 2, 8, rd_prime, true, false);
		}
		return -EINVAL;
	case 2: /* quadrant 2: stack-pointer-based; rd = x0 is reserved for the loads */
		switch (funct3) {
		case 2: /* C.LWSP */
			return rd ? set(a, 2, 4, rd, false, true) : -EINVAL;
		case 3: /* C.LDSP */
			return rd ? set(a, 2, 8, rd, false, false) : -EINVAL;
		case 6: /* C.SWSP */
			return set(a, 2, 4, rs2, true, false);
		case 7: /* C.SDSP */
			return set(a, 2, 8, rs2, true, false);
		}
		return -EINVAL;
	default: /* quadrant 1 has no loads or stores */
		return -EINVAL;
	}
}

int insn_decode(u32 insn, struct insn_access *a)
{
	if ((insn & 3) == 3)
		return decode32(insn, a);
	return decode16(insn & 0xffff, a);
}

int insn_decode_htinst(u64 htinst, struct insn_access *a)
{
	int r;

	if (!htinst)
		return -ENOENT;
	if (htinst == PSEUDO_READ32 || htinst == PSEUDO_READ64 || htinst == PSEUDO_WRITE32 ||
	    htinst == PSEUDO_WRITE64)
		return -EFAULT;
	if (!(htinst & 1) || htinst >> 32)
		return -EINVAL;
	/*
	 * A compressed original was expanded to its 32-bit equivalent, then
	 * bit 1 cleared; the address-offset field (rs1) and the immediates
	 * are irrelevant here.
	 */
	r = decode32((u32)htinst | 2, a);
	if (!r)
		a->len = (htinst & 2) ? 4 : 2;
	return r;
}
