/* Guests: memory, G-stage, VCPUs, lifecycle. */
#ifndef CORE_GUEST_H
#define CORE_GUEST_H

#include "arch/riscv/gstage.h"
#include "arch/riscv/vcpu.h"
#include "arch/riscv/sbi_server.h"
#include "core/sched.h"
#include "core/vserial.h"
#include "core/waitqueue.h"
#include "libs/cpio.h"
#include "libs/guestcfg.h"

enum guest_state {
	GUEST_CREATED,
	GUEST_RUNNING,
	GUEST_PAUSED,
	GUEST_RESETTING,
	GUEST_STOPPED,
	GUEST_HALTED,
};

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
	const struct sbi_ext *sbi[SBI_SERVER_MAX_EXTS]; /* what it may call (sbi_server.c) */
	unsigned int nr_sbi;
	/* Those of sbi[] served from the trap entry, hot first, and their vcpu stats index. */
	const struct sbi_ext *sbi_fast[SBI_SERVER_MAX_EXTS];
	u8 sbi_fast_stat[SBI_SERVER_MAX_EXTS];
	unsigned int nr_sbi_fast;
	u32 nr_vcpus;
	struct vcpu **vcpus;
	u64 entry, dtb_gpa;
	u64 create_ns; /* what guest create took (RAM zeroed, images loaded, VCPUs made) */
	/* The description it was made from (reset reloads the images). */
	void *blob;
	struct guestcfg *cfg;
	/* Serialises start, pause, resume, reset, halt and destroy. */
	struct mutex lock;
	u32 reset_pending;   /* reset workers (to be) holding a pointer to it (atomic count) */
	spinlock_t hsm_lock; /* VCPU HSM state changes made by other VCPUs */
	struct emu_dev *devs[GUESTCFG_MAX_DEVICES]; /* emulated devices (core/emulator.h) */
	u32 nr_devs;
	struct emu_dev *irqchip; /* the one of them that takes the others' interrupt lines */
	struct vserial vserial;
};

/* SBI HSM hart states, numbered as hart_get_status returns them. */
enum vcpu_hsm {
	HSM_STARTED = 0,
	HSM_STOPPED = 1,
	HSM_START_PENDING = 2,
	HSM_SUSPENDED = 4,
};

/* Work a VCPU does on its own hart before it next enters the guest. */
#define VCPU_REQ_HFENCE_VVMA (1u << 0)
#define VCPU_REQ_FENCE_I (1u << 1)

/* Exit counters, by reason (vcpu stats). */
struct vcpu_stats {
	u64 exits, host_irqs, wfi, faults;
	u64 mmio; /* load/store guest-page faults that hit an emulated device */
	u64 ecalls[SBI_SERVER_MAX_EXTS + 1]; /* per extension; the last: unknown extension */
	u64 inj_ipi, inj_timer;		     /* interrupts injected */
	u64 inj_exc; /* illegal instructions reflected to the guest (virtual-instruction traps) */
	u64 req_hfence, req_fence_i; /* remote fences done for other VCPUs */
};

/* SBI STA: where the VCPU's steal time goes (arch/riscv/sbi/sta.c). */
struct vcpu_sta {
	struct sbi_sta_shmem *rec; /* in guest RAM, by its host address; NULL: not reporting */
	u64 gpa;		   /* the same, guest-physical */
	u64 base_ns;		   /* vcpu.wait_ns when it was set: the record counts from 0 */
	u64 steal_ns;		   /* the steal last written */
	bool preempted;		   /* preempted set in the record: cleared before it runs */
};

struct vcpu_guest {
	struct guest_regs regs;
	struct guest_csrs csrs;
	struct guest *guest;
	struct vcpu *vcpu;
	unsigned int index;
	volatile u32 hsm; /* enum vcpu_hsm */
	bool suspend_nonret;
	u64 start_addr, start_arg; /* for HSM start and non-retentive resume */
	u32 pending;		   /* HVIP_* bits to raise before entering (atomic) */
	u32 levels;		   /* HVIP_LEVELS bits held high by devices (atomic) */
	u32 levels_hw;		   /* levels as last written to hvip on its hart */
	u32 requests;		   /* VCPU_REQ_* (atomic) */
	volatile int in_guest;	   /* hart index while in VS-mode, else -1 */
	int loaded_on; /* the hart holding its csrs (percpu.guest_loaded), else -1 (atomic) */
	u32 wake;      /* a reason to look again while parked or waiting (atomic) */
	bool waiting;  /* in WFI or suspended: enters once an interrupt is pending */
	struct timer_event wfi_timer, vtimer;
	struct timer_event dev_timer; /* the earliest device deadline it armed */
	struct vcpu_stats st;
	struct vcpu_sta sta; /* touched on the VCPU's own thread only */
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
/* Shell and worker operations (orphan context): 0 or -EBUSY in a state that forbids it. */
int guest_start(struct guest *g);
int guest_pause(struct guest *g);
int guest_resume(struct guest *g);
int guest_halt(struct guest *g);
/* Back to the state create left (RAM zeroed, images reloaded) and started again. */
int guest_reset(struct guest *g, char *err, size_t errlen);
int guest_destroy(struct guest *g);
struct guest *guest_find(const char *name);
/* For a shell command: the guest, or NULL after the error line "<who>: no guest named '...'". */
struct guest *guest_named(const char *who, const char *name);
/* Iterate under the guest-list lock: fn returns non-zero to stop. */
void guest_for_each(int (*fn)(struct guest *g, void *arg), void *arg);
const char *guest_state_name(enum guest_state s);

/* Used by the SBI server and exit handlers (normal context). */
void guest_stop(struct guest *g, enum guest_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A guest's own reboot request: a Keel thread resets it. */
void guest_request_reset(struct guest *g, const char *why);
struct vcpu_guest *guest_vcpu(const struct guest *g, unsigned long index);
/* Is gpa inside the guest's RAM? */
bool guest_ram_contains(struct guest *g, u64 gpa);
/* Copy between the guest's RAM (by guest-physical address) and Keel: -EFAULT outside it. */
int guest_read(struct guest *g, u64 gpa, void *buf, size_t len);
int guest_write(struct guest *g, u64 gpa, const void *buf, size_t len);
/*
 * The guest's SBI console input: up to @n typed bytes, how many (0: nothing
 * typed).  Its devices' interrupt lines follow: a UART with its receive
 * interrupt on counted those bytes as received data.
 */
size_t guest_console_read(struct guest *g, u8 *buf, size_t n);
/* Keel's address of [gpa, gpa+len) when all of it is in one piece of the guest's RAM, else NULL. */
void *guest_ram_ptr(struct guest *g, u64 gpa, size_t len);

/* core/guest_vcpu.c: the VCPU thread and what crosses VCPUs. */
void guest_vcpu_init(struct vcpu_guest *vg, struct guest *g, struct vcpu *v, unsigned int index);
void guest_vcpu_loop(void *arg);
/* Raise HVIP_* interrupts on a VCPU of any hart. */
void guest_vcpu_inject(struct vcpu_guest *vg, u32 hvip);
/* The calling VCPU (on its hart): those it had raised, taken back (pending and hvip). */
void guest_vcpu_withdraw(struct vcpu_guest *vg, u32 hvip);
/*
 * Hold HVIP_LEVELS bits (VSEIP: the virtual PLIC's output for its S-mode
 * context) high or low on a VCPU of any hart, until set otherwise; any
 * context that does not sleep.
 */
void guest_vcpu_set_level(struct vcpu_guest *vg, u32 hvip, bool high);
/*
 * The calling VCPU (on its thread, interrupts off) arms its device timer:
 * emu_devs_deadlines runs at @deadline (timebase ticks) on its hart.
 */
void guest_vcpu_device_deadline(struct vcpu_guest *vg, u64 deadline);
/*
 * IPI_RELEASE, on the hart that takes it: the VCPU whose state it holds has
 * moved to another hart, which waits for it: save it to memory.
 */
void guest_vcpu_release(void);
/*
 * The idle loop, before its wfi: the VCPU state this hart still holds goes to
 * memory, so that none of its interrupts wakes the hart.
 */
void guest_vcpu_idle(void);
/* Make a VCPU look at its state now: leave guest mode, leave WFI or parking. */
void guest_vcpu_kick(struct vcpu_guest *vg);
void guest_kick_all(struct guest *g);
/*
 * Queue VCPU_REQ_* on @vg and return once it cannot run guest code before
 * doing them (done, or out of guest mode with the work queued).
 */
void guest_vcpu_request(struct vcpu_guest *vg, u32 req);
/* Without Sstc, the VCPU's timer is a Keel timer event that raises VSTIP. */
void guest_vcpu_set_vtimer(struct vcpu_guest *vg, u64 deadline);
/*
 * SBI TIME: the calling VCPU's timer; clears the pending timer interrupt.
 * Inline: under Sstc it is one CSR write on the SBI fast path.
 */
static inline void guest_vcpu_set_timer(struct vcpu_guest *vg, u64 deadline)
{
	if (sbi_server_sstc())
		vcpu_set_timer(deadline);
	else
		guest_vcpu_set_vtimer(vg, deadline);
}
/* HSM: start a stopped VCPU at @addr with a1 = @arg; 0, or -EBUSY when it is not stopped. */
int guest_vcpu_hsm_start(struct vcpu_guest *vg, u64 addr, u64 arg);
/* The calling VCPU stops / suspends (non-retentive: resumes at @addr with a1 = @arg). */
void guest_vcpu_hsm_stop(struct vcpu_guest *vg);
void guest_vcpu_suspend(struct vcpu_guest *vg, bool nonret, u64 addr, u64 arg);
const char *guest_vcpu_hsm_name(u32 hsm);
/*
 * A load or store guest-page fault, from the trap entry (every guest register
 * and the trap CSRs saved in @r, interrupts off, in_guest published): the
 * access emulated (guest_mmio), or the guest halted with the reason.  1: the
 * guest goes straight back, its registers that a C call preserves unchanged
 * (the trap entry reloads the others); 2: the same, with one of those changed
 * (the entry reloads them all); 0: the exit goes on to the VCPU's loop, which
 * has work (a reschedule, a state change, posted work) or a halted guest.
 */
int guest_vcpu_mmio(struct guest_regs *r);
/* gp, s1 and s2..s11 (x3, x9, x18..x27): the guest registers Keel's C code leaves as they are. */
#define GUEST_REGS_KEPT_BY_CALLS (1u << 3 | 1u << 9 | 0x3ffu << 18)
/* sepc, scause, stval, sstatus and x1..x31 (of the last exit), as a Keel trap report shows them. */
void guest_regs_dump(const struct guest_regs *r);

#endif
