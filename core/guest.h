/* Guests: memory, G-stage, VCPUs, lifecycle. */
#ifndef CORE_GUEST_H
#define CORE_GUEST_H

#include "arch/riscv/gstage.h"
#include "arch/riscv/vcpu.h"
#include "core/sched.h"
#include "core/vserial.h"
#include "libs/cpio.h"
#include "libs/guestcfg.h"

enum guest_state { GUEST_CREATED, GUEST_RUNNING, GUEST_STOPPED, GUEST_HALTED };

struct guest_chunk {
	u64 gpa, hpa;
	unsigned int order;
	bool claimed; /* a fixed host placement: claimed and given back page by page */
};

struct emu_dev;

struct guest {
	struct list_head node;
	unsigned int id;
	char name[GUESTCFG_NAME_LEN + 1];
	volatile enum guest_state state;
	char reason[160];
	struct gstage gs;
	struct guest_chunk *chunks;
	unsigned int nr_chunks;
	u64 ram_bytes;
	u32 sbi_disabled;
	u32 nr_vcpus;
	struct vcpu **vcpus;
	u64 entry, dtb_gpa;
	struct emu_dev *devs[GUESTCFG_MAX_DEVICES]; /* emulated devices (core/emulator.h) */
	u32 nr_devs;
	struct vserial vserial;
};

struct vcpu_guest {
	struct guest_regs regs;
	struct guest_csrs csrs;
	struct guest *guest;
	unsigned int index;
	struct timer_event wfi_timer;
	u64 nr_exits, nr_ecalls, nr_wfi;
	u64 nr_mmio_exits; /* load/store guest-page faults that hit an emulated device */
};

/* Parse a guest description from the package into kmalloc'ed @blob and @cfg (free both). */
int guest_describe(const char *file, void **blob, struct guestcfg **cfg, char *err, size_t errlen);
/*
 * Where an image goes: its load-address, else Keel's place for it (the DTB
 * at the top of the first RAM region, an initrd 64 MiB into it).
 */
u64 guest_image_addr(const struct guestcfg *cfg, const struct guestcfg_image *img);
/* The package file of an image, checked to fit where it goes: 0 or an error in @err. */
int guest_image_find(const struct guestcfg *cfg, const char *what, const struct guestcfg_image *img,
		     struct cpio_entry *e, char *err, size_t errlen);
int guest_create(const char *file, struct guest **out, char *err, size_t errlen);
int guest_start(struct guest *g);
int guest_destroy(struct guest *g);
struct guest *guest_find(const char *name);
/* Iterate under the guest-list lock: fn returns non-zero to stop. */
void guest_for_each(int (*fn)(struct guest *g, void *arg), void *arg);
const char *guest_state_name(enum guest_state s);

/* Used by the SBI server and exit handlers (normal context). */
void guest_stop(struct guest *g, enum guest_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy between the guest's RAM (by guest-physical address) and Keel: -EFAULT outside it. */
int guest_read(struct guest *g, u64 gpa, void *buf, size_t len);
int guest_write(struct guest *g, u64 gpa, const void *buf, size_t len);

#endif
