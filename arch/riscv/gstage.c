/*
 * Sv39x4: a 41-bit guest-physical space, a 16 KiB root table (2048 entries),
 * then Sv39's levels.  Leaves are U (guest accesses are user-level at the
 * G-stage), RWX, A and D set.  VMIDs are allocated per guest; with none left
 * every guest shares VMID 0 and each switch flushes (gstage_hgatp).
 */
#include "arch/riscv/gstage.h"
#include "arch/riscv/csr.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include <string.h>

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define HGATP_MODE_SV39X4 8UL
#define GPA_BITS 41
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

int gstage_init(struct gstage *gs)
{
	gs->root = page_zalloc(2);
	if (!gs->root)
		return -ENOMEM;
	gs->pages = 4;
	gs->vmid = vmid_alloc();
	return 0;
}

static unsigned int index_at(u64 gpa, int level)
{
	/* The root level (2) has two extra index bits in Sv39x4. */
	u64 mask = level == 2 ? 0x7ff : 0x1ff;

	return (gpa >> (PAGE_SHIFT + 9 * level)) & mask;
}

static u64 *walk_alloc(struct gstage *gs, u64 gpa, int level)
{
	u64 *t = gs->root;

	for (int l = 2; l > level; l--) {
		u64 *e = &t[index_at(gpa, l)];

		if (!(*e & PTE_V)) {
			u64 *nt = page_zalloc(0);

			if (!nt)
				return NULL;
			gs->pages++;
			__asm__ volatile("fence w,w" ::: "memory");
			*e = ((u64)nt >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V;
		} else if (*e & (PTE_R | PTE_W | PTE_X)) {
			return NULL; /* a leaf is already there: mappings never overlap */
		}
		t = (u64 *)((*e >> PTE_PPN_SHIFT) << PAGE_SHIFT);
	}
	return &t[index_at(gpa, level)];
}

int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size)
{
	u64 end = gpa + size;

	if (!IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || end > (1ULL << GPA_BITS) || end < gpa)
		return -EINVAL;
	while (gpa < end) {
		int level = 2;
		u64 *e;

		while (level > 0) {
			u64 sz = 1ULL << (PAGE_SHIFT + 9 * level);

			if (IS_ALIGNED(gpa | hpa, sz) && end - gpa >= sz)
				break;
			level--;
		}
		e = walk_alloc(gs, gpa, level);
		if (!e || (*e & PTE_V))
			return e ? -EEXIST : -ENOMEM;
		*e = (hpa >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U |
		     PTE_A | PTE_D;
		gpa += 1ULL << (PAGE_SHIFT + 9 * level);
		hpa += 1ULL << (PAGE_SHIFT + 9 * level);
	}
	return 0;
}

static void free_level(u64 *t, int level, unsigned int entries)
{
	for (unsigned int i = 0; i < entries && level > 0; i++) {
		u64 e = t[i];

		if ((e & PTE_V) && !(e & (PTE_R | PTE_W | PTE_X))) {
			u64 *nt = (u64 *)((e >> PTE_PPN_SHIFT) << PAGE_SHIFT);

			free_level(nt, level - 1, 512);
			page_free(nt, 0);
		}
	}
}

void gstage_destroy(struct gstage *gs)
{
	free_level(gs->root, 2, 2048);
	page_free(gs->root, 2);
	gs->root = NULL;
	vmid_free(gs->vmid);
}

u64 gstage_hgatp(const struct gstage *gs)
{
	return HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT | (u64)gs->vmid << HGATP_VMID_SHIFT |
	       (u64)gs->root >> PAGE_SHIFT;
}
