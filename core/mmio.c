/*
 * The MMIO exit: a guest load or store that hit no RAM.  When the address is
 * in one of the guest's devices, the instruction is decoded (from htinst when
 * the hart transformed it, else read from guest memory with HLVX), the model
 * serves the access, a load's value goes to rd and the guest continues after
 * the instruction.  Served on the VCPU's thread with interrupts off: no
 * allocation, no scheduler, only the device's own lock.
 */
#include "arch/riscv/csr.h"
#include "core/emulator.h"
#include "core/guest.h"
#include "libs/insn.h"
#include <stdio.h>

/* The access being emulated: from htinst, else read from guest memory. */
static int mmio_decode(const struct guest_regs *r, struct insn_access *a, char *why, size_t len)
{
	u32 insn;
	int e = insn_decode_htinst(r->htinst, a);

	if (e == -EFAULT) {
		snprintf(why, len, "its page-table walk reached a device");
		return e;
	}
	if (e != -ENOENT) {
		if (e)
			snprintf(why, len,
				 "MMIO by an instruction Keel does not emulate (htinst 0x%lx)",
				 (unsigned long)r->htinst);
		return e;
	}
	if (vcpu_fetch_insn(r->sepc, &insn)) {
		snprintf(why, len, "MMIO by an instruction Keel cannot read");
		return -EFAULT;
	}
	e = insn_decode(insn, a);
	if (e)
		snprintf(why, len, "MMIO by an instruction Keel does not emulate (0x%0*x)",
			 (insn & 3) == 3 ? 8 : 4, (insn & 3) == 3 ? insn : insn & 0xffff);
	return e;
}

int guest_mmio(struct vcpu_guest *vg, char *why, size_t len)
{
	struct guest_regs *r = &vg->regs;
	bool store = r->scause == CAUSE_STORE_GUEST_PAGE_FAULT;
	u64 gpa = (r->htval << 2) | (r->stval & 3);
	struct emu_dev *d = emu_dev_find(vg->guest, gpa);
	struct insn_access a;
	u64 val = 0;
	int e;

	if (!d) {
		snprintf(why, len, "access outside its memory");
		return -EFAULT;
	}
	vg->st.mmio++;
	e = mmio_decode(r, &a, why, len);
	if (e)
		return e;
	if (a.store != store) {
		snprintf(why, len, "MMIO %s fault from a %s instruction", store ? "store" : "load",
			 a.store ? "store" : "load");
		return -EINVAL;
	}
	if (store)
		val = insn_store_value(&a, r->x[a.reg]);
	e = emu_dev_access(d, vg, gpa - d->base, a.size, store, &val);
	if (e) {
		snprintf(why, len, "%s (%s) refused a %u-byte %s at offset 0x%lx", d->name,
			 d->emu->compatible, a.size, store ? "store" : "load",
			 (unsigned long)(gpa - d->base));
		return e;
	}
	insn_writeback(&a, r->x, val);
	r->sepc += a.len;
	return 0;
}
