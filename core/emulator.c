/*
 * Device models and their instances: the registry (EMULATOR_DECLARE, collected
 * by the linker script), one instance per device of a guest description, the
 * devices' nodes in the generated guest DTB, and one access at a time per
 * instance.
 */
#include "core/emulator.h"
#include "core/guest.h"
#include "core/mm.h"
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

extern const struct emulator __start_keel_emulators[], __stop_keel_emulators[];

static const struct emulator *emulator_find(const char *compatible)
{
	for (const struct emulator *e = __start_keel_emulators; e < __stop_keel_emulators; e++)
		if (!strcmp(e->compatible, compatible))
			return e;
	return NULL;
}

int emu_devs_create(struct guest *g, const struct guestcfg *cfg, char *err, size_t errlen)
{
	for (u32 i = 0; i < cfg->nr_devices; i++) {
		const struct guestcfg_device *c = &cfg->dev[i];
		/* guestcfg_parse() accepted only the compatibles of registered models. */
		const struct emulator *e = emulator_find(c->compatible);
		struct emu_dev *d;

		if (c->size < e->min_size) {
			snprintf(err, errlen,
				 "guest '%s': device '%s': %s needs 0x%lx bytes of registers, reg "
				 "gives 0x%lx",
				 g->name, c->name, e->compatible, (unsigned long)e->min_size,
				 (unsigned long)c->size);
			return -EINVAL;
		}
		d = kzalloc(sizeof(*d) + e->state_size);
		if (!d) {
			snprintf(err, errlen, "guest '%s': out of memory", g->name);
			return -ENOMEM;
		}
		d->emu = e;
		d->guest = g;
		snprintf(d->name, sizeof(d->name), "%s", c->name);
		d->base = c->base;
		d->size = c->size;
		d->irq = c->irq;
		d->has_irq = c->has_irq;
		d->lock = (spinlock_t)SPINLOCK_INIT;
		e->init(d);
		g->devs[g->nr_devs++] = d;
	}
	return 0;
}

void emu_devs_free(struct guest *g)
{
	for (u32 i = 0; i < g->nr_devs; i++)
		kfree(g->devs[i]);
	g->nr_devs = 0;
}

int emu_devs_fdt(struct guest *g, void *fdt)
{
	int err = 0;

	if (!g->nr_devs)
		return 0;
#define T(x) (err = err ? err : (x))
	T(fdt_begin_node(fdt, "soc"));
	T(fdt_property_u32(fdt, "#address-cells", 2));
	T(fdt_property_u32(fdt, "#size-cells", 2));
	T(fdt_property_string(fdt, "compatible", "simple-bus"));
	T(fdt_property(fdt, "ranges", NULL, 0));
	for (u32 i = 0; i < g->nr_devs; i++) {
		const struct emu_dev *d = g->devs[i];
		fdt64_t reg[2] = { cpu_to_fdt64(d->base), cpu_to_fdt64(d->size) };

		/* Interrupts appear with the virtual PLIC that delivers them. */
		T(fdt_begin_node(fdt, d->name));
		T(fdt_property_string(fdt, "compatible", d->emu->compatible));
		T(fdt_property(fdt, "reg", reg, sizeof(reg)));
		if (d->emu->fdt_props)
			T(d->emu->fdt_props(d, fdt));
		T(fdt_end_node(fdt));
	}
	T(fdt_end_node(fdt));
#undef T
	return err;
}

struct emu_dev *emu_dev_find(struct guest *g, u64 gpa)
{
	for (u32 i = 0; i < g->nr_devs; i++) {
		struct emu_dev *d = g->devs[i];

		if (gpa >= d->base && gpa - d->base < d->size)
			return d;
	}
	return NULL;
}

int emu_dev_access(struct emu_dev *d, u64 off, unsigned int size, bool store, u64 *val)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	int r = -EINVAL;

	d->nr_mmio_exits++;
	if (size <= d->size - off)
		r = store ? d->emu->write(d, off, size, *val) : d->emu->read(d, off, size, val);
	spin_unlock_irqrestore(&d->lock, flags);
	return r;
}

bool emu_dev_irq_pending(struct emu_dev *d)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);
	bool pending = d->emu->irq_pending(d);

	spin_unlock_irqrestore(&d->lock, flags);
	return pending;
}
