/* Per-hart data, reached through tp. */
#include "core/percpu.h"
#include "arch/riscv/asm.h"

extern char trap_emergency_stacks[];

_Static_assert(__builtin_offsetof(struct percpu, trap_stack_limit) == PC_STACK_LIMIT, "asm.h");
_Static_assert(__builtin_offsetof(struct percpu, trap_emergency_sp) == PC_EMERGENCY_SP, "asm.h");

struct percpu percpu_data[CONFIG_MAX_HARTS];
unsigned int nr_cpus = 1;

void percpu_setup(unsigned int index, u64 hartid)
{
	struct percpu *pc = &percpu_data[index];

	__asm__ volatile("mv tp, %0" ::"r"(pc) : "memory");
	pc->index = index;
	pc->hartid = hartid;
	percpu_attach(pc);
}

void percpu_attach(struct percpu *pc)
{
	pc->trap_emergency_sp = (u64)trap_emergency_stacks + (pc->index + 1) * 4096;
}
