/* Host interrupts: one irqchip driver (the PLIC) routes device lines. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include "libs/types.h"

#define IRQ_MAX 1024

#define IRQ_MAX_HANDLERS 32

typedef void (*irq_handler_t)(u32 irq, void *arg);

/* A registered host interrupt, as `host irq` shows it. */
struct irq_info {
	u32 irq;
	const char *name;	     /* the driver and device */
	unsigned int cpu;	     /* the hart its line is routed to */
	u64 count[CONFIG_MAX_HARTS]; /* taken, per hart */
};

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
/* Route device line @irq to hart index @cpu and call @fn for it (@name: for `host irq`). */
int irq_register(u32 irq, unsigned int cpu, const char *name, irq_handler_t fn, void *arg);
/*
 * Route a registered line to another online hart's S-mode context: 0, or
 * -EINVAL and why in err (nothing changed).
 */
int irq_set_affinity(u32 irq, unsigned int cpu, char *err, size_t errlen);
/* The registered interrupts in order of registration: *out, and how many. */
unsigned int irq_list(const struct irq_info **out);
void irq_dispatch(u32 irq);

#endif
