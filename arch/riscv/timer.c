/* The hart timer: Sstc's stimecmp when the hart has it, else SBI TIME. */
#include "core/timer.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/trap.h"
#include "libs/fdtinfo.h"

bool use_sstc;

int arch_timer_init(const void *fdt)
{
	u64 hz;

	if (fdt_timebase_hz(fdt, &hz) == 0 && hz)
		timer_set_timebase(hz);
	use_sstc = csr_probe_write(CSR_STIMECMP, UINT64_MAX) == 0;
	return 0;
}

const char *arch_timer_name(void)
{
	return use_sstc ? "sstc" : "sbi-time";
}

void arch_timer_program(u64 deadline)
{
	if (use_sstc)
		csr_write(CSR_STIMECMP, deadline);
	else
		sbi_set_timer(deadline);
	if (deadline == UINT64_MAX)
		csr_clear(CSR_SIE, SIE_STIE);
	else
		csr_set(CSR_SIE, SIE_STIE);
}
