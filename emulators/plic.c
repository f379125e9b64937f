/*
 * The guest's virtual PLIC (sifive,plic-1.0.0, riscv,plic0), laid out as on
 * QEMU virt: libs/plic's state machine and register file with two contexts
 * per VCPU, numbered as QEMU virt numbers them per hart: M-mode 2i, S-mode
 * 2i+1 for VCPU i.  An S context's output is its VCPU's VSEIP level
 * (guest_vcpu_set_level); the M contexts answer every access but drive
 * nothing, the guest running in (V)S-mode.  Sources 1..riscv,ndev of the
 * description (default 96, as QEMU virt); the other devices' lines come in
 * as levels (the framework's irq_level hook).  Accesses QEMU would fault
 * (not 32 bits, misaligned, past 0x600000) are refused: the guest halts.
 */
#include "core/emulator.h"
#include "core/guest.h"
#include "libs/fdtinfo.h"
#include "libs/plic.h"
#include <libfdt.h>
#include <stdio.h>

struct vplic {
	struct plic plic;
	u32 mem[]; /* the state machine's arrays */
};

static struct plic *plic_of(struct emu_dev *d)
{
	return &((struct vplic *)d->state)->plic;
}

static u32 ndev_of(const struct guestcfg_device *c)
{
	return c->ndev ? c->ndev : PLIC_DEFAULT_SOURCES;
}

static size_t vplic_state_size(const struct guestcfg *cfg, const struct guestcfg_device *c)
{
	return sizeof(struct vplic) + plic_mem_size(ndev_of(c), 2 * cfg->nr_vcpus);
}

static void vplic_init(struct emu_dev *d)
{
	struct vplic *v = (struct vplic *)d->state;

	plic_init(&v->plic, v->mem, ndev_of(d->cfg), 2 * d->guest->cfg->nr_vcpus);
}

/* A context's output changed: an S context's VCPU follows (none yet while it is created). */
static void output(void *arg, u32 ctx, bool high)
{
	struct emu_dev *d = arg;
	struct vcpu_guest *vg;

	if (ctx % 2 == 0)
		return;
	vg = guest_vcpu(d->guest, ctx / 2);
	if (vg)
		guest_vcpu_set_level(vg, HVIP_VSEIP, high);
}

static int vplic_read(struct emu_dev *d, u64 off, unsigned int size, u64 *val)
{
	u32 v = 0;
	int r = plic_read(plic_of(d), off, size, &v);

	*val = v;
	/* A claim lowers the output when nothing else is left; other reads change nothing. */
	if (!r && plic_read_changes(plic_of(d), off))
		plic_update(plic_of(d), output, d);
	return r;
}

static int vplic_write(struct emu_dev *d, u64 off, unsigned int size, u64 val)
{
	int r = plic_write(plic_of(d), off, size, (u32)val);

	if (!r)
		plic_update(plic_of(d), output, d);
	return r;
}

static u32 vplic_nr_irqs(const struct emu_dev *d)
{
	return ndev_of(d->cfg);
}

static void vplic_level(struct emu_dev *d, u32 irq, bool high)
{
	plic_set_level(plic_of(d), irq, high);
	plic_update(plic_of(d), output, d);
}

/* Per VCPU: <its intc M-mode external, its intc S-mode external>, as QEMU virt. */
static int vplic_fdt_props(const struct emu_dev *d, void *fdt)
{
	fdt32_t ext[4 * GUESTCFG_MAX_VCPUS];
	u32 n = d->guest->cfg->nr_vcpus;
	int err = 0;

	for (u32 i = 0; i < n; i++) {
		ext[4 * i] = ext[4 * i + 2] = cpu_to_fdt32(EMU_PHANDLE_CPU_INTC(i));
		ext[4 * i + 1] = cpu_to_fdt32(FDT_IRQ_M_EXT);
		ext[4 * i + 3] = cpu_to_fdt32(FDT_IRQ_S_EXT);
	}
#define T(x) (err = err ? err : (x))
	T(fdt_property_u32(fdt, "phandle", EMU_PHANDLE_DEV(d)));
	T(fdt_property_u32(fdt, "riscv,ndev", ndev_of(d->cfg)));
	T(fdt_property(fdt, "interrupts-extended", ext, (int)(4 * sizeof(*ext) * n)));
	T(fdt_property(fdt, "interrupt-controller", NULL, 0));
	T(fdt_property_u32(fdt, "#address-cells", 0));
	T(fdt_property_u32(fdt, "#interrupt-cells", 1));
#undef T
	return err;
}

/* " 1-3 10" (ranges of set bits), or " -"; "..." when it does not fit. */
static void ids(char *buf, size_t len, const u32 *bits, u32 nbits)
{
	size_t n = 0;

	for (u32 i = 0; i < nbits; i++) {
		u32 j = i;

		if (!((bits[i / 32] >> (i % 32)) & 1))
			continue;
		while (j + 1 < nbits && ((bits[(j + 1) / 32] >> ((j + 1) % 32)) & 1))
			j++;
		n += (size_t)snprintf(buf + MIN(n, len), len - MIN(n, len),
				      j > i ? " %u-%u" : " %u", i, j);
		i = j;
	}
	if (!n)
		snprintf(buf, len, " -");
	else if (n >= len && len > 4)
		snprintf(buf + len - 5, 5, "...");
}

static void vplic_describe(struct emu_dev *d, char *buf, size_t len)
{
	const struct plic *p = plic_of(d);
	char pending[96], claimed[96], enabled[96];
	size_t n;

	ids(pending, sizeof(pending), p->pending, p->ndev + 1);
	ids(claimed, sizeof(claimed), p->claimed, p->ndev + 1);
	n = (size_t)snprintf(buf, len, "%s: %u sources; pending:%s; in service:%s\n", d->name,
			     p->ndev, pending, claimed);
	for (u32 ctx = 1; ctx < p->nr_contexts && n < len; ctx += 2) {
		ids(enabled, sizeof(enabled), p->enable + ctx * p->words, p->ndev + 1);
		n += (size_t)snprintf(
			buf + n, len - n,
			"  vcpu %u (context %u): threshold %u, enabled:%s; VSEIP %s\n", ctx / 2,
			ctx, p->threshold[ctx], enabled, plic_output(p, ctx) ? "high" : "low");
	}
}

EMULATOR_DECLARE(plic, "sifive,plic-1.0.0\0riscv,plic0", .state_size_of = vplic_state_size,
		 .min_size = PLIC_SIZE, .init = vplic_init, .read = vplic_read,
		 .write = vplic_write, .nr_irqs = vplic_nr_irqs, .irq_level = vplic_level,
		 .fdt_props = vplic_fdt_props, .describe = vplic_describe);
EMULATOR_ALIAS(plic0, "riscv,plic0");
