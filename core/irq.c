#include "core/irq.h"
#include "core/percpu.h"
#include "core/printk.h"

static const struct irqchip *chip;
static struct {
	irq_handler_t fn;
	void *arg;
} handlers[IRQ_MAX];

void irqchip_register(const struct irqchip *c)
{
	chip = c;
}

const struct irqchip *irqchip_get(void)
{
	return chip;
}

int irq_register(u32 irq, unsigned int cpu, irq_handler_t fn, void *arg)
{
	int err;

	if (!chip)
		return -ENODEV;
	if (irq == 0 || irq >= chip->nr_irqs || irq >= IRQ_MAX)
		return -EINVAL;
	if (handlers[irq].fn)
		return -EBUSY;
	handlers[irq].fn = fn;
	handlers[irq].arg = arg;
	err = chip->enable(irq, cpu);
	if (err)
		handlers[irq].fn = NULL;
	return err;
}

void irq_dispatch(u32 irq)
{
	this_cpu()->nr_ext_irqs++;
	if (irq < IRQ_MAX && handlers[irq].fn) {
		handlers[irq].fn(irq, handlers[irq].arg);
		return;
	}
	printk("irq: spurious interrupt %u\n", irq);
}
