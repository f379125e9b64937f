/*
 * Sv39x4 G-stage tables (libs/gpt), their pages from the page allocator.
 * VMIDs are allocated per guest; with none left every guest shares VMID 0
 * and each switch flushes (gstage_hgatp).
 */
#include "arch/riscv/gstage.h"
#include "arch/riscv/csr.h"
#include "core/mm.h"
#include "core/spinlock.h"

#define HGATP_MODE_SV39X4 8UL
#define MAX_VMIDS 256

static unsigned int vmid_bits;
static u64 vmid_used[MAX_VMIDS / 64];
static spinlock_t vmid_lock = SPINLOCK_INIT;

void gstage_probe(void)
{
	unsigned long v;

	csr_write(CSR_HGATP, HGATP_VMID_MASK);
	v = (csr_read(CSR_HGATP) & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
	csr_write(CSR_HGATP, 0);
	vmid_bits = __builtin_popcountl(v);
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

int gstage_init(struct gstage *gs)
{
	gs->root = page_zalloc(2);
	if (!gs->root)
		return -ENOMEM;
	gs->pages = 4;
	gs->vmid = vmid_alloc();
	return 0;
}

int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size)
{
	struct gpt_ops ops = table_ops(gs);

	return gpt_map(gs->root, gpa, hpa, size, &ops);
}

void gstage_destroy(struct gstage *gs)
{
	struct gpt_ops ops = table_ops(gs);

	gpt_free(gs->root, &ops);
	page_free(gs->root, 2);
	gs->root = NULL;
	vmid_free(gs->vmid);
}

u64 gstage_hgatp(const struct gstage *gs)
{
	return HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT | (u64)gs->vmid << HGATP_VMID_SHIFT |
	       (u64)gs->root >> PAGE_SHIFT;
}
