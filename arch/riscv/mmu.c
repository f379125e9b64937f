/*
 * One table tree serves Sv39 and Sv48: the Sv48 root's entry 0 points at the
 * table that is the Sv39 root (both index VA[38:30] there), so probing Sv48
 * and falling back costs nothing.  Keel, RAM and devices are identity mapped.
 */
#include "arch/riscv/mmu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/spinlock.h"

#define PTE_V (1UL << 0)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_G (1UL << 5)
#define PTE_PERM (MMU_R | MMU_W | MMU_X)
#define PTE_PPN_SHIFT 10
#define PTES 512

extern char _start[], _etext[], _erodata[], _end[];
extern char boot_stack_guard[];

static u64 *root4, *root3;
static u64 satp_value;
static const char *mode_name = "bare";
static unsigned int table_pages;
static spinlock_t mmu_lock = SPINLOCK_INIT;

static inline u64 *pte_table(u64 pte)
{
	return (u64 *)((pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
}

static inline bool pte_leaf(u64 pte)
{
	return (pte & PTE_V) && (pte & PTE_PERM);
}

static u64 *table_alloc(void)
{
	u64 *t = page_zalloc(0);

	if (!t)
		panic("out of memory for HS page tables");
	table_pages++;
	return t;
}

static u64 make_pte(u64 pa, u64 prot)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | (prot & PTE_PERM) | PTE_V | PTE_A | PTE_D |
	       PTE_G;
}

/* Entry for @va at @level (2 = 1 GiB, 1 = 2 MiB, 0 = 4 KiB), splitting leaves above. */
static u64 *walk(u64 va, int level)
{
	u64 *t = root3;

	for (int l = 2; l > level; l--) {
		u64 *e = &t[(va >> (PAGE_SHIFT + 9 * l)) & (PTES - 1)];

		if (!(*e & PTE_V)) {
			u64 *nt = table_alloc();

			/* Other harts may walk this entry at once: the table before the pointer. */
			__asm__ volatile("fence w,w" ::: "memory");
			*e = ((u64)nt >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V;
		} else if (pte_leaf(*e)) {
			/* Split a large page into 512 smaller ones with the same rights. */
			u64 *nt = table_alloc();
			u64 base = (*e >> PTE_PPN_SHIFT) << PAGE_SHIFT;
			u64 step = 1UL << (PAGE_SHIFT + 9 * (l - 1));

			for (int i = 0; i < PTES; i++)
				nt[i] = make_pte(base + i * step, *e);
			__asm__ volatile("fence w,w" ::: "memory");
			*e = ((u64)nt >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V;
		}
		t = pte_table(*e);
	}
	return &t[(va >> (PAGE_SHIFT + 9 * level)) & (PTES - 1)];
}

/* This hart, then every other online hart (harts not started yet have no TLB state). */
static void flush_all(void)
{
	unsigned int self = this_cpu()->index;

	__asm__ volatile("sfence.vma" ::: "memory");
	if (!satp_value || !sbi_info.rfence)
		return;
	for (unsigned int i = 0; i < nr_cpus; i++)
		if (i != self && percpu_data[i].online)
			sbi_remote_sfence_vma(1, percpu_data[i].hartid, 0, 0);
}

int mmu_map(u64 va, u64 size, u64 prot)
{
	unsigned long flags = spin_lock_irqsave(&mmu_lock);
	u64 end = va + size;

	if (end > (1UL << 38)) {
		spin_unlock_irqrestore(&mmu_lock, flags);
		return -ERANGE;
	}
	while (va < end) {
		int level = 2;
		u64 *e;

		/* The largest page that fits, unless a finer table already exists there. */
		while (level > 0) {
			u64 sz = 1UL << (PAGE_SHIFT + 9 * level);

			if (IS_ALIGNED(va, sz) && end - va >= sz) {
				e = walk(va, level);
				if (!(*e & PTE_V) || pte_leaf(*e))
					break;
			}
			level--;
		}
		e = walk(va, level);
		*e = make_pte(va, prot);
		va += 1UL << (PAGE_SHIFT + 9 * level);
	}
	flush_all();
	spin_unlock_irqrestore(&mmu_lock, flags);
	return 0;
}

int mmu_map_io(u64 base, u64 size)
{
	u64 start = ALIGN_DOWN(base, PAGE_SIZE);

	return mmu_map(start, ALIGN_UP(base + size, PAGE_SIZE) - start, MMU_R | MMU_W);
}

/*
 * Undo walk()'s splits around @va where they are no longer needed: a table
 * whose 512 entries map one aligned range with the same rights becomes the
 * large leaf again (so a stack's guard page costs no page-table page once
 * the stack is freed).  Called with mmu_lock held; the tables it replaced
 * are in @freed (at most one per level), to go back after the TLB flush.
 */
static unsigned int merge(u64 va, u64 **freed)
{
	unsigned int n = 0;

	for (int level = 1; level <= 2; level++) {
		u64 *parent = walk(va, level), *t;
		u64 step = 1UL << (PAGE_SHIFT + 9 * (level - 1));
		u64 base = ALIGN_DOWN(va, step * PTES);

		if (!(*parent & PTE_V) || pte_leaf(*parent))
			break;
		t = pte_table(*parent);
		for (int i = 0; i < PTES; i++)
			if (!pte_leaf(t[i]) || t[i] != make_pte(base + i * step, t[0]))
				return n;
		*parent = make_pte(base, t[0]);
		freed[n++] = t;
	}
	return n;
}

void mmu_set_guard(u64 va, bool guard)
{
	unsigned long flags = spin_lock_irqsave(&mmu_lock);
	u64 *e = walk(va, 0), *freed[2];
	unsigned int n = 0;

	*e = guard ? 0 : make_pte(va, MMU_R | MMU_W);
	if (!guard)
		n = merge(va, freed);
	flush_all();
	/* No hart walks a replaced table any more. */
	for (unsigned int i = 0; i < n; i++) {
		page_free(freed[i], 0);
		table_pages--;
	}
	spin_unlock_irqrestore(&mmu_lock, flags);
}

int mmu_init(void)
{
	u64 text = (u64)_start, etext = (u64)_etext, erodata = (u64)_erodata, end = (u64)_end;

	root4 = table_alloc();
	root3 = table_alloc();
	root4[0] = ((u64)root3 >> PAGE_SHIFT) << PTE_PPN_SHIFT | PTE_V;

	for (int i = 0; i < mm_info.nr_ram; i++)
		mmu_map(mm_info.ram[i].base, mm_info.ram[i].size, MMU_R | MMU_W);
	/* W^X for Keel itself, then the boot stack's guard page. */
	mmu_map(text, etext - text, MMU_R | MMU_X);
	mmu_map(etext, erodata - etext, MMU_R);
	mmu_map(erodata, ALIGN_UP(end, PAGE_SIZE) - erodata, MMU_R | MMU_W);
	mmu_set_guard((u64)boot_stack_guard, true);

	csr_write(CSR_SATP, (SATP_MODE_SV48 << SATP_MODE_SHIFT) | ((u64)root4 >> PAGE_SHIFT));
	if ((csr_read(CSR_SATP) >> SATP_MODE_SHIFT) == SATP_MODE_SV48) {
		mode_name = "sv48";
	} else {
		csr_write(CSR_SATP,
			  (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((u64)root3 >> PAGE_SHIFT));
		if ((csr_read(CSR_SATP) >> SATP_MODE_SHIFT) != SATP_MODE_SV39)
			panic("the hart supports neither Sv48 nor Sv39");
		mode_name = "sv39";
	}
	satp_value = csr_read(CSR_SATP);
	__asm__ volatile("sfence.vma" ::: "memory");
	return 0;
}

u64 mmu_satp(void)
{
	return satp_value;
}

const char *mmu_mode_name(void)
{
	return mode_name;
}

unsigned int mmu_table_pages(void)
{
	return table_pages;
}
