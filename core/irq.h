/* Host interrupts: one irqchip driver (the PLIC) routes device lines. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include "libs/types.h"

#define IRQ_MAX 1024

typedef void (*irq_handler_t)(u32 irq, void *arg);

struct irqchip {
	const char *name;
	u32 nr_irqs;
	int (*enable)(u32 irq, unsigned int cpu);
	/* Claim and dispatch everything pending for the calling hart. */
	void (*handle)(void);
	void (*init_cpu)(unsigned int cpu);
};

void irqchip_register(const struct irqchip *chip);
const struct irqchip *irqchip_get(void);
/* Route device line @irq to hart index @cpu and call @fn for it. */
int irq_register(u32 irq, unsigned int cpu, irq_handler_t fn, void *arg);
void irq_dispatch(u32 irq);

#endif
