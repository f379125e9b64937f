/*
 * Host PLIC (sifive,plic-1.0.0 / riscv,plic0): each hart's S-mode context is
 * found through interrupts-extended; a line is enabled on one hart only.
 * Routing changes and claim-to-completion take one lock: a completion the
 * PLIC ignores (its line no longer enabled for that context) would leave the
 * source claimed for good.
 */
#include "core/driver.h"
#include "core/irq.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "arch/riscv/mmu.h"
#include "libs/fdtinfo.h"
#include "libs/plic.h"
#include <libfdt.h>

/* The register map of libs/plic.h (the guest's virtual PLIC has the same). */
#define REG_PRIORITY(irq) (PLIC_PRIORITY_BASE + 4 * (irq))
#define REG_ENABLE(ctx, irq) (PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (ctx) + 4 * ((irq) / 32))
#define REG_THRESHOLD(ctx) (PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx))
#define REG_CLAIM(ctx) (REG_THRESHOLD(ctx) + PLIC_CLAIM)

static volatile u8 *plic;
static int context_of[CONFIG_MAX_HARTS];
static spinlock_t plic_lock = SPINLOCK_INIT;

static inline void reg_write(u64 off, u32 v)
{
	*(volatile u32 *)(plic + off) = v;
}

static inline u32 reg_read(u64 off)
{
	return *(volatile u32 *)(plic + off);
}

static void plic_set_enable(int ctx, u32 irq, bool on)
{
	u32 v = reg_read(REG_ENABLE(ctx, irq));

	v = on ? v | (1U << (irq % 32)) : v & ~(1U << (irq % 32));
	reg_write(REG_ENABLE(ctx, irq), v);
}

static int plic_enable(u32 irq, unsigned int cpu);

static void plic_handle(void)
{
	int ctx = context_of[this_cpu()->index];
	u32 irq;

	if (ctx < 0)
		return;
	for (;;) {
		spin_lock(&plic_lock);
		irq = reg_read(REG_CLAIM(ctx));
		if (irq) {
			irq_dispatch(irq);
			reg_write(REG_CLAIM(ctx), irq);
		}
		spin_unlock(&plic_lock);
		if (!irq)
			break;
	}
}

static void plic_init_cpu(unsigned int cpu)
{
	if (context_of[cpu] >= 0)
		reg_write(REG_THRESHOLD(context_of[cpu]), 0);
}

static struct irqchip plic_chip = {
	.name = "plic",
	.enable = plic_enable,
	.handle = plic_handle,
	.init_cpu = plic_init_cpu,
};

static int plic_enable(u32 irq, unsigned int cpu)
{
	unsigned long flags;

	if (cpu >= nr_cpus || context_of[cpu] < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&plic_lock);
	reg_write(REG_PRIORITY(irq), 1);
	for (unsigned int i = 0; i < nr_cpus; i++)
		if (context_of[i] >= 0)
			plic_set_enable(context_of[i], irq, i == cpu);
	spin_unlock_irqrestore(&plic_lock, flags);
	return 0;
}

static int plic_probe(const void *fdt, int node)
{
	const fdt32_t *ndev = fdt_getprop(fdt, node, "riscv,ndev", NULL);
	u64 base, size;
	int err;

	if (irqchip_get())
		return -ENODEV;
	err = fdt_node_reg(fdt, node, 0, &base, &size);
	if (err)
		return err;
	if (!ndev)
		return -EINVAL;
	plic_chip.nr_irqs = fdt32_to_cpu(*ndev) + 1;
	err = mmu_map_io(base, size);
	if (err)
		return err;
	plic = (volatile u8 *)base;
	for (unsigned int i = 0; i < nr_cpus; i++) {
		context_of[i] = fdt_plic_context(fdt, node, percpu_data[i].hartid, FDT_IRQ_S_EXT);
		if (context_of[i] < 0)
			continue;
		/* Start from a clean state: nothing enabled for this hart. */
		for (u32 irq = 0; irq < plic_chip.nr_irqs; irq += 32)
			reg_write(REG_ENABLE(context_of[i], irq), 0);
	}
	plic_init_cpu(0);
	irqchip_register(&plic_chip);
	return 0;
}

static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0", NULL };
DRIVER_DECLARE(plic, .name = "plic", .compatible = plic_compat, .level = DRIVER_IRQCHIP,
	       .probe = plic_probe);
