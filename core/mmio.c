/*
 * The MMIO exit: a guest load or store that hit no RAM.  When the address is
 * in one of the guest's devices, the instruction is decoded (from htinst when
 * the hart transformed it, else read from guest memory with HLVX), the model
 * serves the access, a load's value goes to rd and the guest continues after
 * the instruction.  Served on the VCPU's thread with interrupts off: no
 * allocation, no scheduler, only the device's own lock.  One function with
 * its steps inlined: this is the path of every emulated register access.
 */
#include "arch/riscv/csr.h"
#include "core/emulator.h"
#include "core/guest.h"
#include "core/timer.h"
#include "libs/insn.h"
#include <stdio.h>

/* The device whose window holds @gpa, or NULL.  Lock-free: a guest's devices live as long as it. */
static inline struct emu_dev *dev_find(struct guest *g, u64 gpa)
{
	for (u32 i = 0; i < g->nr_devs; i++) {
		struct emu_dev *d = g->devs[i];

		if (gpa >= d->base && gpa - d->base < d->size)
			return d;
	}
	return NULL;
}

/* The access being emulated: from htinst, else read from guest memory. */
static inline int mmio_decode(const struct guest_regs *r, struct insn_access *a, char *why,
			      size_t len)
{
	u32 insn;
	int e;

	if (r->htinst) {
		e = insn_decode_htinst(r->htinst, a);
		if (e == -EFAULT)
			snprintf(why, len, "its page-table walk reached a device");
		else if (e)
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

/*
 * One access by @vg, counted, under the device's lock (interrupts are off):
 * 0, or -EINVAL when refused (by the model, or past the window's end).  Its
 * interrupt line follows unless the model says it cannot have moved, and so
 * does its deadline.
 */
static inline int dev_access(struct emu_dev *d, struct vcpu_guest *vg, u64 off, unsigned int size,
			     bool store, u64 *val)
{
	int r = -EINVAL;

	spin_lock(&d->lock);
	d->nr_mmio_exits++;
	if (size <= d->size - off)
		r = store ? d->emu->write(d, off, size, *val) : d->emu->read(d, off, size, val);
	if (r == EMU_LINE_KEPT)
		r = 0;
	else if (!r)
		emu_dev_follow_line(d);
	else if (r > 0)
		r = -EINVAL; /* anything but 0 and EMU_LINE_KEPT from a model is a refusal */
	if (!r && d->emu->deadline) {
		u64 next = d->emu->deadline(d, time_ticks());

		if (next != UINT64_MAX)
			guest_vcpu_device_deadline(vg, next);
	}
	spin_unlock(&d->lock);
	return r;
}

int guest_mmio(struct vcpu_guest *vg, char *why, size_t len)
{
	struct guest_regs *r = &vg->regs;
	bool store = r->scause == CAUSE_STORE_GUEST_PAGE_FAULT;
	u64 gpa = (r->htval << 2) | (r->stval & 3);
	struct emu_dev *d = dev_find(vg->guest, gpa);
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
	e = dev_access(d, vg, gpa - d->base, a.size, store, &val);
	if (e) {
		snprintf(why, len, "%s (%s) refused a %u-byte %s at offset 0x%lx", d->name,
			 d->emu->compatible, a.size, store ? "store" : "load",
			 (unsigned long)(gpa - d->base));
		return e;
	}
	insn_writeback(&a, r->x, val);
	r->sepc += a.len;
	return store ? 0 : a.reg;
}
