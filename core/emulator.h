/*
 * Guest-visible device models (emulators/, one file each, ending in
 * EMULATOR_DECLARE) and their per-guest instances.  A guest description's
 * device is matched to a model by its compatible; the instance gets the
 * device's window and serves the loads and stores the guest makes there.
 */
#ifndef CORE_EMULATOR_H
#define CORE_EMULATOR_H

#include "core/spinlock.h"
#include "libs/types.h"

struct guest;
struct guestcfg;
struct vcpu_guest;
struct emu_dev;

struct emulator {
	const char *compatible; /* the one name guest descriptions use for it */
	size_t state_size;	/* the model's state, zeroed, in emu_dev.state */
	u64 min_size;		/* the device's reg must cover the registers */
	/* The state after a reset (the instance is new, its state zeroed). */
	void (*init)(struct emu_dev *d);
	/*
	 * A guest access of @size bytes at offset @off (the whole access is
	 * inside the window): 0, or -EINVAL to refuse it, which halts the guest
	 * with a report.  Called with the instance's lock held: never sleeps.
	 */
	int (*read)(struct emu_dev *d, u64 off, unsigned int size, u64 *val);
	int (*write)(struct emu_dev *d, u64 off, unsigned int size, u64 val);
	/* Its interrupt line's level, for the virtual interrupt controller. */
	bool (*irq_pending)(struct emu_dev *d);
	/* Properties of its node in the generated guest DTB beyond compatible and reg. */
	int (*fdt_props)(const struct emu_dev *d, void *fdt);
};

/*
 * Also places the compatible in a NULL-terminated list that the linker
 * script builds (emulator_compatibles): what guest descriptions may name.
 */
#define EMULATOR_DECLARE(id, compat, ...)                                            \
	static const struct emulator emulator_##id                                   \
		__attribute__((section("keel_emulators." #id), used,                 \
			       aligned(8))) = { .compatible = compat, __VA_ARGS__ }; \
	static const char *const emulator_compat_##id                                \
		__attribute__((section("keel_emulator_compat." #id), used, aligned(8))) = compat

extern const char *const emulator_compatibles[];

struct emu_dev {
	const struct emulator *emu;
	struct guest *guest;
	char name[48]; /* the description's node name, e.g. "uart@10000000" */
	u64 base, size;
	u32 irq; /* guest interrupt source, when has_irq */
	bool has_irq;
	/* Serialises the model: its VCPUs' accesses and other queries of its state. */
	spinlock_t lock;
	u64 nr_mmio_exits; /* guest accesses that trapped here, refused ones included */
	u64 state[];
};

/* The instances of @cfg's devices in @g: 0, or an error in @err (emu_devs_free frees them). */
int emu_devs_create(struct guest *g, const struct guestcfg *cfg, char *err, size_t errlen);
void emu_devs_free(struct guest *g);
/* The devices' nodes of the generated guest DTB (a /soc simple-bus as on QEMU virt). */
int emu_devs_fdt(struct guest *g, void *fdt);
/*
 * The device whose window holds @gpa, or NULL.  Lock-free: a guest's
 * instances do not change while it runs.
 */
struct emu_dev *emu_dev_find(struct guest *g, u64 gpa);
/* One access, counted: 0, or -EINVAL when refused (by the model, or past the window's end). */
int emu_dev_access(struct emu_dev *d, u64 off, unsigned int size, bool store, u64 *val);
bool emu_dev_irq_pending(struct emu_dev *d);

/*
 * A load or store guest-page fault (normal context, interrupts off): emulate
 * it when it hit one of the guest's devices.  0 (the guest continues after
 * the instruction), or an error with the reason in @why (the caller halts
 * the guest): "access outside its memory" when no device is there.
 */
int guest_mmio(struct vcpu_guest *vg, char *why, size_t len);

#endif
