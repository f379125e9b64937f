/*
 * G-stage tables (libs/gpt), their pages from the page allocator: Sv39x4 for
 * a guest whose addresses fit in its 2^41 bytes, else Sv48x4 when the harts
 * have it (probed at boot: hgatp keeps only the modes it implements).  The
 * smaller format is the default because a TLB miss walks one level less.
 * VMIDs are allocated per guest; with none left every guest shares VMID 0
 * and each switch flushes (gstage_hgatp).
 */
#include "arch/riscv/gstage.h"
#include "arch/riscv/csr.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include <stdio.h>

#define MAX_VMIDS 256

static const struct {
	unsigned long mode; /* hgatp.MODE */
	const char *name;
	unsigned int levels; /* 0: Keel does not build this format */
} formats[] = {
	{ 8, "sv39x4", GPT_SV39X4_LEVELS },
	{ 9, "sv48x4", GPT_SV48X4_LEVELS },
	{ 10, "sv57x4", 0 },
};

static unsigned int vmid_bits;
static unsigned int modes; /* bit i: formats[i] sticks in hgatp */
static u64 vmid_used[MAX_VMIDS / 64];
static spinlock_t vmid_lock = SPINLOCK_INIT;

/* At boot, before any guest: hgatp is written freely. */
void gstage_probe(void)
{
	unsigned long v;

	for (unsigned int i = 0; i < ARRAY_SIZE(formats); i++) {
		csr_write(CSR_HGATP, formats[i].mode << HGATP_MODE_SHIFT);
		if ((csr_read(CSR_HGATP) >> HGATP_MODE_SHIFT) == formats[i].mode)
			modes |= 1U << i;
	}
	/*
	 * VMIDLEN: the VMID bits that stick when all are written as ones, in
	 * Sv39x4 (with MODE Bare the other fields must be zero).
	 */
	csr_write(CSR_HGATP, formats[0].mode << HGATP_MODE_SHIFT | HGATP_VMID_MASK);
	v = (csr_read(CSR_HGATP) & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
	csr_write(CSR_HGATP, 0);
	vmid_bits = __builtin_popcountl(v);
}

void gstage_modes(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < ARRAY_SIZE(formats) && n < len; i++)
		if (modes & (1U << i))
			n += snprintf(buf + n, len - n, "%s%s", n ? " " : "", formats[i].name);
}

unsigned int gstage_vmid_bits(void)
{
	return vmid_bits;
}

/* The largest format Keel builds and the harts have. */
static unsigned int widest(void)
{
	unsigned int best = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(formats); i++)
		if ((modes & (1U << i)) && formats[i].levels)
			best = i;
	return best;
}

u64 gstage_gpa_limit(void)
{
	return 1ULL << GPT_GPA_BITS(formats[widest()].levels);
}

const char *gstage_limit_name(void)
{
	return formats[widest()].name;
}

static unsigned int vmid_alloc(void)
{
	unsigned int max = MIN(1U << vmid_bits, (unsigned int)MAX_VMIDS);
	unsigned long flags = spin_lock_irqsave(&vmid_lock);

	/* VMID 0 is the shared fallback, never handed out. */
	for (unsigned int i = 1; i < max; i++) {
		if (!(vmid_used[i / 64] & (1ULL << (i % 64)))) {
			vmid_used[i / 64] |= 1ULL << (i % 64);
			spin_unlock_irqrestore(&vmid_lock, flags);
			return i;
		}
	}
	spin_unlock_irqrestore(&vmid_lock, flags);
	return 0;
}

static void vmid_free(unsigned int vmid)
{
	unsigned long flags = spin_lock_irqsave(&vmid_lock);

	if (vmid)
		vmid_used[vmid / 64] &= ~(1ULL << (vmid % 64));
	spin_unlock_irqrestore(&vmid_lock, flags);
}

static void *table_alloc(void *ctx)
{
	struct gstage *gs = ctx;
	void *p = page_zalloc(0);

	if (p)
		gs->pages++;
	return p;
}

static void table_free(void *ctx, void *page)
{
	page_free(page, 0);
}

static struct gpt_ops table_ops(struct gstage *gs)
{
	return (struct gpt_ops){ table_alloc, table_free, gs };
}

int gstage_init(struct gstage *gs, u64 gpa_end)
{
	unsigned int f = 0;

	while (gpa_end > 1ULL << GPT_GPA_BITS(formats[f].levels) && f < widest())
		f++;
	if (gpa_end > 1ULL << GPT_GPA_BITS(formats[f].levels))
		return -ERANGE;
	gs->format = f;
	gs->t.levels = formats[f].levels;
	gs->t.root = page_zalloc(2);
	if (!gs->t.root)
		return -ENOMEM;
	gs->pages = 4;
	gs->vmid = vmid_alloc();
	return 0;
}

int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size)
{
	struct gpt_ops ops = table_ops(gs);

	return gpt_map(&gs->t, gpa, hpa, size, &ops);
}

void gstage_destroy(struct gstage *gs)
{
	struct gpt_ops ops = table_ops(gs);

	gpt_free(&gs->t, &ops);
	page_free(gs->t.root, 2);
	gs->t.root = NULL;
	vmid_free(gs->vmid);
}

u64 gstage_hgatp(const struct gstage *gs)
{
	return formats[gs->format].mode << HGATP_MODE_SHIFT | (u64)gs->vmid << HGATP_VMID_SHIFT |
	       (u64)gs->t.root >> PAGE_SHIFT;
}

const char *gstage_name(const struct gstage *gs)
{
	return formats[gs->format].name;
}
