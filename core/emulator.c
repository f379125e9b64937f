/*
 * Device models and their instances: the registry (EMULATOR_DECLARE, collected
 * by the linker script), one instance per device of a guest description, the
 * devices' nodes in the generated guest DTB, one access at a time per
 * instance, and the interrupt lines from devices to the guest's interrupt
 * controller.
 *
 * Lock order: a device's lock, then the interrupt controller's (a line
 * moves while its device is locked, so the controller sees the levels in
 * the order they happened), then whatever the controller takes to raise a
 * VCPU's level.  The controller never calls back into a device.
 */
#include "core/emulator.h"
#include "core/guest.h"
#include "core/mm.h"
#include "core/timer.h"
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

extern const struct emulator __start_keel_emulators[], __stop_keel_emulators[];

/* The model whose compatible list holds @name (a description names its first entry or an alias). */
static const struct emulator *emulator_find(const char *name)
{
	for (const struct emulator *e = __start_keel_emulators; e < __stop_keel_emulators; e++)
		for (const char *s = e->compatible; s < e->compatible + e->compatible_len;
		     s += strlen(s) + 1)
			if (!strcmp(s, name))
				return e;
	return NULL;
}

/* A line's level to @g's interrupt controller, under its lock; nothing without one. */
static void irq_set_level(struct guest *g, u32 irq, bool high)
{
	struct emu_dev *ic = g->irqchip;
	unsigned long flags;

	if (!ic)
		return;
	flags = spin_lock_irqsave(&ic->lock);
	ic->emu->irq_level(ic, irq, high);
	spin_unlock_irqrestore(&ic->lock, flags);
}

bool emu_dev_follow_line(struct emu_dev *d)
{
	bool high;

	if (!d->emu->irq_pending)
		return false;
	high = d->emu->irq_pending(d);
	/* Only a change reaches the interrupt controller (its update scans every source). */
	if (d->has_irq && high != d->line_high) {
		d->line_high = high;
		irq_set_level(d->guest, d->irq, high);
	}
	return high;
}

/* The interrupt controller and the lines to it, once every device exists. */
static int wire(struct guest *g, char *err, size_t errlen)
{
	struct emu_dev *ic = NULL;

	for (u32 i = 0; i < g->nr_devs; i++) {
		struct emu_dev *d = g->devs[i];

		if (!d->emu->nr_irqs)
			continue;
		if (ic) {
			snprintf(err, errlen,
				 "guest '%s': devices '%s' and '%s' are both interrupt controllers "
				 "(one per guest)",
				 g->name, ic->name, d->name);
			return -EINVAL;
		}
		ic = d;
	}
	for (u32 i = 0; i < g->nr_devs; i++) {
		const struct emu_dev *d = g->devs[i];

		if (ic && d->has_irq && d->irq > ic->emu->nr_irqs(ic)) {
			snprintf(err, errlen,
				 "guest '%s': device '%s': interrupt %u is above the %u sources of "
				 "'%s'",
				 g->name, d->name, d->irq, ic->emu->nr_irqs(ic), ic->name);
			return -ERANGE;
		}
	}
	g->irqchip = ic;
	for (u32 i = 0; i < g->nr_devs; i++)
		emu_dev_update_irq(g->devs[i]);
	return 0;
}

/* What a description may not ask of a model. */
static int unfit(struct guest *g, const struct guestcfg_device *c, const struct emulator *e,
		 char *err, size_t errlen)
{
	if (c->size < e->min_size)
		snprintf(err, errlen,
			 "guest '%s': device '%s': %s needs 0x%lx bytes of registers, reg gives "
			 "0x%lx",
			 g->name, c->name, e->compatible, (unsigned long)e->min_size,
			 (unsigned long)c->size);
	else if (c->has_irq && !e->irq_pending)
		snprintf(err, errlen, "guest '%s': device '%s': %s has no interrupt line", g->name,
			 c->name, e->compatible);
	else if (c->ndev && !e->nr_irqs)
		snprintf(err, errlen,
			 "guest '%s': device '%s': riscv,ndev is for an interrupt controller, not "
			 "%s",
			 g->name, c->name, e->compatible);
	else
		return 0;
	return -EINVAL;
}

int emu_devs_create(struct guest *g, const struct guestcfg *cfg, char *err, size_t errlen)
{
	for (u32 i = 0; i < cfg->nr_devices; i++) {
		const struct guestcfg_device *c = &cfg->dev[i];
		/* guestcfg_parse() accepted only the compatibles of registered models. */
		const struct emulator *e = emulator_find(c->compatible);
		size_t state = e->state_size_of ? e->state_size_of(cfg, c) : e->state_size;
		struct emu_dev *d;
		int r = unfit(g, c, e, err, errlen);

		if (r)
			return r;
		d = kzalloc(sizeof(*d) + state);
		if (!d) {
			snprintf(err, errlen, "guest '%s': out of memory", g->name);
			return -ENOMEM;
		}
		d->emu = e;
		d->guest = g;
		d->cfg = c;
		snprintf(d->name, sizeof(d->name), "%s", c->name);
		d->base = c->base;
		d->size = c->size;
		d->irq = c->irq;
		d->has_irq = c->has_irq;
		d->index = i;
		d->lock = (spinlock_t)SPINLOCK_INIT;
		d->state_size = state;
		if (e->init)
			e->init(d);
		g->devs[g->nr_devs++] = d;
	}
	return wire(g, err, errlen);
}

void emu_devs_reset(struct guest *g)
{
	for (u32 i = 0; i < g->nr_devs; i++) {
		struct emu_dev *d = g->devs[i];
		unsigned long flags = spin_lock_irqsave(&d->lock);

		memset(d->state, 0, d->state_size);
		d->line_high = false; /* as the reset interrupt controller sees it */
		if (d->emu->init)
			d->emu->init(d);
		spin_unlock_irqrestore(&d->lock, flags);
	}
	/* A line pushed while its device was not reset yet is pushed again, as it is now. */
	for (u32 i = 0; i < g->nr_devs; i++)
		emu_dev_update_irq(g->devs[i]);
}

void emu_devs_free(struct guest *g)
{
	g->irqchip = NULL;
	for (u32 i = 0; i < g->nr_devs; i++)
		kfree(g->devs[i]);
	g->nr_devs = 0;
}

#define T(x) (err = err ? err : (x))

int emu_devs_fdt(struct guest *g, void *fdt)
{
	int err = 0;

	if (!g->nr_devs)
		return 0;
	T(fdt_begin_node(fdt, "soc"));
	T(fdt_property_u32(fdt, "#address-cells", 2));
	T(fdt_property_u32(fdt, "#size-cells", 2));
	T(fdt_property_string(fdt, "compatible", "simple-bus"));
	T(fdt_property(fdt, "ranges", NULL, 0));
	for (u32 i = 0; i < g->nr_devs; i++) {
		const struct emu_dev *d = g->devs[i];
		fdt64_t reg[2] = { cpu_to_fdt64(d->base), cpu_to_fdt64(d->size) };

		T(fdt_begin_node(fdt, d->name));
		/* A line goes somewhere only with an interrupt controller. */
		if (g->irqchip && d->has_irq && d != g->irqchip) {
			T(fdt_property_u32(fdt, "interrupts", d->irq));
			T(fdt_property_u32(fdt, "interrupt-parent", EMU_PHANDLE_DEV(g->irqchip)));
		}
		T(fdt_property(fdt, "compatible", d->emu->compatible, (int)d->emu->compatible_len));
		T(fdt_property(fdt, "reg", reg, sizeof(reg)));
		if (d->emu->fdt_props)
			T(d->emu->fdt_props(d, fdt));
		T(fdt_end_node(fdt));
	}
	T(fdt_end_node(fdt));
	return err;
}

int emu_devs_fdt_root(struct guest *g, void *fdt)
{
	int err = 0;

	for (u32 i = 0; i < g->nr_devs; i++)
		if (g->devs[i]->emu->fdt_root)
			T(g->devs[i]->emu->fdt_root(g->devs[i], fdt));
	return err;
}

int emu_devs_fdt_chosen(struct guest *g, void *fdt)
{
	char path[64];

	for (u32 i = 0; i < g->nr_devs; i++) {
		if (!g->devs[i]->emu->console)
			continue;
		snprintf(path, sizeof(path), "/soc/%s", g->devs[i]->name);
		return fdt_property_string(fdt, "stdout-path", path);
	}
	return 0;
}

#undef T

bool emu_dev_update_irq(struct emu_dev *d)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	bool high = emu_dev_follow_line(d);

	spin_unlock_irqrestore(&d->lock, flags);
	return high;
}

void emu_dev_describe(struct emu_dev *d, char *buf, size_t len)
{
	unsigned long flags;

	buf[0] = '\0';
	if (!d->emu->describe)
		return;
	flags = spin_lock_irqsave(&d->lock);
	d->emu->describe(d, buf, len);
	spin_unlock_irqrestore(&d->lock, flags);
}

void emu_devs_input(void *guest)
{
	struct guest *g = guest;

	/* Only a serial console's line depends on the serial line. */
	for (u32 i = 0; i < g->nr_devs; i++)
		if (g->devs[i]->emu->console)
			emu_dev_update_irq(g->devs[i]);
}

u64 emu_devs_deadlines(struct guest *g)
{
	u64 next = UINT64_MAX, now = time_ticks();

	for (u32 i = 0; i < g->nr_devs; i++) {
		struct emu_dev *d = g->devs[i];
		unsigned long flags;

		if (!d->emu->deadline)
			continue;
		flags = spin_lock_irqsave(&d->lock);
		next = MIN(next, d->emu->deadline(d, now));
		emu_dev_follow_line(d);
		spin_unlock_irqrestore(&d->lock, flags);
	}
	return next;
}
