/*
 * Guest description: one flattened device tree per guest (schema and rules in
 * docs/guest-config.md), parsed and validated into a struct guestcfg.
 *
 * Pure logic: no locks, no printing, no allocation, no global state, so the
 * same file runs in Keel and in the host tests and fuzzer.  A guest DTB comes
 * from a user's package and is not trusted: every length is checked, and a
 * bad file yields a negative error code and one line of text, never an
 * out-of-bounds read.  Every pointer stored in a struct guestcfg points into
 * the blob, so the blob must outlive the config.
 */
#ifndef LIBS_GUESTCFG_H
#define LIBS_GUESTCFG_H

#include "libs/gpt.h"
#include "libs/plic.h"
#include "libs/types.h"

#define GUESTCFG_COMPATIBLE "keel,guest-v1"

#define GUESTCFG_NAME_LEN 31
#define GUESTCFG_MAX_VCPUS 64
#define GUESTCFG_MAX_MEM 8
#define GUESTCFG_MAX_DEVICES 16
/* Host harts an affinity list can name: the bitmask is a u64. */
#define GUESTCFG_MAX_HARTS 64

/* Priorities 0 (most urgent) .. GUESTCFG_MAX_PRIO; the policy may allow fewer. */
#define GUESTCFG_MAX_PRIO 31
#define GUESTCFG_DEFAULT_PRIO 4
#define GUESTCFG_DEFAULT_SLICE_US 10000
#define GUESTCFG_MIN_SLICE_US 100
#define GUESTCFG_MAX_SLICE_US 1000000
/* A reservation: budget-us per period-us, budget <= period. */
#define GUESTCFG_MIN_BUDGET_US 100
#define GUESTCFG_MAX_BUDGET_US 1000000
#define GUESTCFG_MIN_PERIOD_US 100
#define GUESTCFG_MAX_PERIOD_US 10000000

#define GUESTCFG_PAGE_SIZE 4096ULL
/*
 * Sv48x4, Keel's widest G-stage format, reaches 2^50 bytes of guest-physical
 * space.  Whether the harts have it is known at guest create, not here.
 */
#define GUESTCFG_GPA_LIMIT (1ULL << GPT_GPA_BITS(GPT_SV48X4_LEVELS))
/* Linux/OpenSBI convention: the kernel goes 2 MiB above the start of RAM. */
#define GUESTCFG_KERNEL_OFFSET (2ULL * 1024 * 1024)
/* PLIC interrupt sources are 1..1023; 0 means "none". */
#define GUESTCFG_MAX_IRQ PLIC_MAX_SOURCES

/* Bit numbers in guestcfg.sbi_disabled; BASE cannot be disabled. */
enum guestcfg_sbi {
	GUESTCFG_SBI_TIME,
	GUESTCFG_SBI_IPI,
	GUESTCFG_SBI_RFENCE,
	GUESTCFG_SBI_HSM,
	GUESTCFG_SBI_SRST,
	GUESTCFG_SBI_DBCN,
	GUESTCFG_SBI_LEGACY,
	GUESTCFG_SBI_STA,
	GUESTCFG_SBI_NR
};

#define GUESTCFG_SBI_BIT(ext) (1u << (ext))

struct guestcfg_vcpu {
	u32 priority;
	u64 slice_ns;
	u64 budget_ns, period_ns; /* both 0: no reservation */
	u64 affinity;		  /* bit per host hart index; 0 = any hart */
};

struct guestcfg_mem {
	u64 gpa, size;
	u64 hpa;    /* host-physical base when fixed, else 0 */
	bool fixed; /* placed at hpa (an identity map when hpa == gpa) */
};

struct guestcfg_image {
	const char *file; /* name in the guest package */
	/*
	 * Guest-physical load address.  The kernel always has one (RAM base +
	 * GUESTCFG_KERNEL_OFFSET by default); an initrd or DTB without
	 * load-address has load 0 and the loader places it.
	 */
	u64 load;
	bool present, load_given;
};

struct guestcfg_device {
	const char *name;	/* node name, e.g. "uart@10000000" */
	const char *compatible; /* the first entry the caller knows */
	u64 base, size;
	u32 irq;
	bool has_irq;
	u32 ndev; /* riscv,ndev: an interrupt controller's sources; 0 when not given */
};

struct guestcfg {
	char name[GUESTCFG_NAME_LEN + 1];
	const char *bootargs; /* NULL when absent */
	u32 sbi_disabled;     /* GUESTCFG_SBI_BIT(GUESTCFG_SBI_*) */
	u32 nr_vcpus;
	struct guestcfg_vcpu vcpu[GUESTCFG_MAX_VCPUS];
	u32 nr_mem;
	struct guestcfg_mem mem[GUESTCFG_MAX_MEM]; /* sorted by gpa: mem[0] is the RAM base */
	struct guestcfg_image kernel, initrd, dtb;
	u32 nr_devices;
	struct guestcfg_device dev[GUESTCFG_MAX_DEVICES]; /* in tree order */
};

/*
 * Parses and validates the guest description in fdt (size bytes; the blob is
 * checked with fdt_blob_check() first).  max_vcpus is the largest VCPU count
 * allowed (0 or anything above GUESTCFG_MAX_VCPUS means GUESTCFG_MAX_VCPUS).
 * known_compat is a NULL-terminated list of the device compatibles the caller
 * can provide; a NULL list accepts any compatible.
 *
 * 0 on success.  On error, a negative code (-EINVAL malformed or unknown,
 * -ENOENT missing, -ERANGE out of range, -E2BIG too many, -ENODEV unknown
 * device) and one line without a newline in err (truncated to errlen, always
 * terminated when errlen > 0, bytes that are not printable ASCII shown as
 * '?'), e.g. "guest 'x': /vcpus: unknown property 'cuont'"; *cfg is then
 * unspecified.
 */
int guestcfg_parse(const void *fdt, size_t size, u32 max_vcpus, const char *const *known_compat,
		   struct guestcfg *cfg, char *err, size_t errlen);

/*
 * 0 when an image of size bytes at img->load lies inside one memory region of
 * cfg.  img need not be one of cfg's (a loader that places an initrd passes a
 * copy with load set); what names it in the message.  -ENOENT when the image
 * is not present, -EINVAL when size is 0, -ENOSPC when it does not fit
 * ("guest 'x': image 'kernel' (N bytes at 0x...) does not fit in RAM").
 */
int guestcfg_check_image(const struct guestcfg *cfg, const char *what,
			 const struct guestcfg_image *img, u64 size, char *err, size_t errlen);

/*
 * The scheduling parameters of one VCPU (priority, slice_ns, budget_ns,
 * period_ns), the rules of a description, also for `vcpu sched`: 0, or
 * -ERANGE/-EINVAL and one line in err, e.g. "budget-us 20000 exceeds
 * period-us 10000".
 */
int guestcfg_check_sched(const struct guestcfg_vcpu *v, char *err, size_t errlen);

/* "time", "ipi", ... for a GUESTCFG_SBI_* bit number; NULL above GUESTCFG_SBI_NR. */
const char *guestcfg_sbi_name(unsigned int bit);

#endif
