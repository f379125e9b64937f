/*
 * Host interrupt routing: the irqchip (PLIC) enables each registered line on
 * one hart's S-mode context; the handler runs on that hart, and the line can
 * be moved to another one at run time (irq_set_affinity).
 */
#include "core/irq.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include <stdio.h>

static const struct irqchip *chip;
static struct {
	irq_handler_t fn;
	void *arg;
	struct irq_info *info;
} handlers[IRQ_MAX];
static struct irq_info infos[IRQ_MAX_HANDLERS];
static unsigned int nr_infos;
/* Registration and routing changes. */
static spinlock_t irq_lock = SPINLOCK_INIT;

void irqchip_register(const struct irqchip *c)
{
	chip = c;
}

const struct irqchip *irqchip_get(void)
{
	return chip;
}

int irq_register(u32 irq, unsigned int cpu, const char *name, irq_handler_t fn, void *arg)
{
	unsigned long flags;
	int err;

	if (!chip)
		return -ENODEV;
	if (irq == 0 || irq >= chip->nr_irqs || irq >= IRQ_MAX)
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	if (handlers[irq].fn || nr_infos == IRQ_MAX_HANDLERS) {
		spin_unlock_irqrestore(&irq_lock, flags);
		return -EBUSY;
	}
	err = chip->enable(irq, cpu);
	if (!err) {
		struct irq_info *info = &infos[nr_infos];

		*info = (struct irq_info){ .irq = irq, .name = name, .cpu = cpu };
		/* Filled before irq_list can see it. */
		__atomic_store_n(&nr_infos, nr_infos + 1, __ATOMIC_RELEASE);
		handlers[irq].fn = fn;
		handlers[irq].arg = arg;
		handlers[irq].info = info;
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return err;
}

int irq_set_affinity(u32 irq, unsigned int cpu, char *err, size_t errlen)
{
	unsigned long flags;
	int r = 0;

	if (cpu >= nr_cpus || !percpu_data[cpu].online) {
		snprintf(err, errlen, "hart %u is not online", cpu);
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&irq_lock);
	if (irq >= IRQ_MAX || !handlers[irq].fn) {
		snprintf(err, errlen, "no host interrupt %u (see host irq)", irq);
		r = -EINVAL;
	} else if (chip->enable(irq, cpu)) {
		snprintf(err, errlen, "hart %u has no S-mode context on %s", cpu, chip->name);
		r = -EINVAL;
	} else {
		handlers[irq].info->cpu = cpu;
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return r;
}

unsigned int irq_list(const struct irq_info **out)
{
	*out = infos;
	return __atomic_load_n(&nr_infos, __ATOMIC_ACQUIRE);
}

void irq_dispatch(u32 irq)
{
	struct percpu *pc = this_cpu();

	pc->nr_ext_irqs++;
	if (irq < IRQ_MAX && handlers[irq].fn) {
		handlers[irq].info->count[pc->index]++;
		handlers[irq].fn(irq, handlers[irq].arg);
		return;
	}
	printk("irq: spurious interrupt %u\n", irq);
}
