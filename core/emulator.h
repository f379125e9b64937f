/*
 * Guest-visible device models (emulators/, one file each, ending in
 * EMULATOR_DECLARE) and their per-guest instances.  A guest description's
 * device is matched to a model by its compatible; the instance gets the
 * device's window and serves the loads and stores the guest makes there.
 * A guest's interrupt controller (at most one: the virtual PLIC) takes the
 * other devices' interrupt lines.
 */
#ifndef CORE_EMULATOR_H
#define CORE_EMULATOR_H

#include "core/spinlock.h"
#include "libs/guestcfg.h"

struct guest;
struct vcpu_guest;
struct emu_dev;

/* What a model's read or write returns when the access left its interrupt line as it was. */
#define EMU_LINE_KEPT 1

struct emulator {
	/*
	 * The compatible of its node in the generated guest DTB: one string, or
	 * a list ("a\0b"); guest descriptions name the model by the first
	 * (EMULATOR_ALIAS adds others).
	 */
	const char *compatible;
	size_t compatible_len; /* of the whole list, its last NUL included */
	size_t state_size;     /* the model's state, zeroed, in emu_dev.state */
	/* When set, the state's size for this description instead (e.g. per VCPU). */
	size_t (*state_size_of)(const struct guestcfg *cfg, const struct guestcfg_device *c);
	u64 min_size; /* the device's reg must cover the registers */
	/* The state after a reset, when not all zeroes (it is zeroed before). */
	void (*init)(struct emu_dev *d);
	/*
	 * A guest access of @size bytes at offset @off (the whole access is
	 * inside the window): 0, EMU_LINE_KEPT when it cannot have moved the
	 * interrupt line (its level is then not asked again), or -EINVAL to
	 * refuse it, which halts the guest with a report.  Called with the
	 * instance's lock held: never sleeps.
	 */
	int (*read)(struct emu_dev *d, u64 off, unsigned int size, u64 *val);
	int (*write)(struct emu_dev *d, u64 off, unsigned int size, u64 val);
	/* Devices with an interrupt line: its level (lock held). */
	bool (*irq_pending)(struct emu_dev *d);
	/*
	 * Devices with something to do at a time (the RTC's alarm), lock held:
	 * do what is due at @now (timebase ticks) and return when next to be
	 * called (UINT64_MAX: never).  Called after each guest access, and by
	 * the accessing VCPU's device timer at that time.
	 */
	u64 (*deadline)(struct emu_dev *d, u64 now);
	/*
	 * An interrupt controller: sources 1..nr_irqs, and what their lines do
	 * (the controller's lock held; it may raise or lower VCPU levels).
	 */
	u32 (*nr_irqs)(const struct emu_dev *d);
	void (*irq_level)(struct emu_dev *d, u32 irq, bool high);
	/* A serial console: the generated /chosen/stdout-path names the first. */
	bool console;
	/* Properties of its node in the generated guest DTB beyond compatible, reg, interrupts. */
	int (*fdt_props)(const struct emu_dev *d, void *fdt);
	/* Nodes of its own at the DTB's root (the syscon's poweroff and reboot). */
	int (*fdt_root)(const struct emu_dev *d, void *fdt);
	/* `guest devices`: lines about its state beyond the table's (lock held). */
	void (*describe)(struct emu_dev *d, char *buf, size_t len);
};

/*
 * Also places the first compatible in a NULL-terminated list that the linker
 * script builds (emulator_compatibles): what guest descriptions may name.
 */
#define EMULATOR_DECLARE(id, compat, ...)                                                   \
	static const struct emulator emulator_##id                                          \
		__attribute__((section("keel_emulators." #id), used, aligned(8))) = {       \
			.compatible = compat, .compatible_len = sizeof(compat), __VA_ARGS__ \
		};                                                                          \
	static const char *const emulator_compat_##id                                       \
		__attribute__((section("keel_emulator_compat." #id), used, aligned(8))) = compat
/* Another name descriptions may give a model: one of the later entries of its compatible. */
#define EMULATOR_ALIAS(id, compat)                   \
	static const char *const emulator_alias_##id \
		__attribute__((section("keel_emulator_compat." #id), used, aligned(8))) = compat

extern const char *const emulator_compatibles[];

struct emu_dev {
	const struct emulator *emu;
	struct guest *guest;
	const struct guestcfg_device *cfg; /* its entry in the guest's description */
	char name[48];			   /* the description's node name, e.g. "uart@10000000" */
	u64 base, size;
	u32 irq; /* guest interrupt source, when has_irq */
	bool has_irq;
	bool line_high; /* the level last given to the interrupt controller */
	u32 index;	/* in guest.devs */
	/* Serialises the model: its VCPUs' accesses and other queries of its state. */
	spinlock_t lock;
	u64 nr_mmio_exits; /* guest accesses that trapped here, refused ones included */
	size_t state_size;
	u64 state[];
};

/*
 * The instances of @cfg's devices in @g, their interrupt lines wired to its
 * interrupt controller: 0, or an error in @err (emu_devs_free frees them).
 */
int emu_devs_create(struct guest *g, const struct guestcfg *cfg, char *err, size_t errlen);
/* Every instance back to its state after create (the guest's VCPUs are not running). */
void emu_devs_reset(struct guest *g);
void emu_devs_free(struct guest *g);
/* The devices' nodes of the generated guest DTB (a /soc simple-bus as on QEMU virt). */
int emu_devs_fdt(struct guest *g, void *fdt);
/* Their nodes at the root of it, and /chosen's stdout-path (inside the chosen node). */
int emu_devs_fdt_root(struct guest *g, void *fdt);
int emu_devs_fdt_chosen(struct guest *g, void *fdt);
/* Phandles in the generated DTB: VCPU @i's interrupt controller, a device. */
#define EMU_PHANDLE_CPU_INTC(i) (1 + (u32)(i))
#define EMU_PHANDLE_DEV(d) (1 + GUESTCFG_MAX_VCPUS + (d)->index)
/*
 * Lock held: the level of its line now, pushed to the interrupt controller
 * when it moved.
 */
bool emu_dev_follow_line(struct emu_dev *d);
/* The level of its line now, pushed to the interrupt controller (the line may have moved). */
bool emu_dev_update_irq(struct emu_dev *d);
/* `guest devices`: the model's lines about its state (empty without any). */
void emu_dev_describe(struct emu_dev *d, char *buf, size_t len);
/*
 * A guest's virtual serial line got input, or its SBI console took some: its
 * serial consoles' lines follow.
 */
void emu_devs_input(void *guest);
/* Device timer (interrupt context): what is due in @g's devices; the next deadline. */
u64 emu_devs_deadlines(struct guest *g);

/*
 * A load or store guest-page fault (normal context, interrupts off): emulate
 * it when it hit one of the guest's devices.  The guest continues after the
 * instruction: the x register a load wrote (0 for a store, or a load to x0);
 * or a negative error with the reason in @why (the caller halts the guest):
 * "access outside its memory" when no device is there.
 */
int guest_mmio(struct vcpu_guest *vg, char *why, size_t len);

#endif
