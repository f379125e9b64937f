/* Keel's HS-mode page table: an identity map with per-section permissions. */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#include "libs/types.h"

#define MMU_R (1UL << 1)
#define MMU_W (1UL << 2)
#define MMU_X (1UL << 3)

int mmu_init(void);
int mmu_map(u64 va, u64 size, u64 prot);
/* Unmap (guard) or restore as RW the 4 KiB page at @va. */
void mmu_set_guard(u64 va, bool guard);
/* Make @base..+size reachable for a driver (read/write, never executable). */
int mmu_map_io(u64 base, u64 size);
u64 mmu_satp(void);
const char *mmu_mode_name(void);
unsigned int mmu_table_pages(void);

#endif
