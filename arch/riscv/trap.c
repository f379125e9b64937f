/* Trap dispatch for Keel itself, the panic report and backtraces. */
#include "arch/riscv/trap.h"
#include "arch/riscv/sbi.h"
#include "core/irq.h"
#include "core/ksyms.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include <stdio.h>

extern bool console_panicking;
extern char _start[], _etext[];

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp",	 "t0",	"t1", "t2", "s0", "s1", "a0",
	"a1",	"a2", "a3", "a4", "a5",	 "a6",	"a7", "s2", "s3", "s4", "s5",
	"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *trap_cause_name(u64 cause)
{
	static const char *const exc[] = {
		[0] = "instruction address misaligned",
		[1] = "instruction access fault",
		[2] = "illegal instruction",
		[3] = "breakpoint",
		[4] = "load address misaligned",
		[5] = "load access fault",
		[6] = "store address misaligned",
		[7] = "store access fault",
		[8] = "ecall from U-mode",
		[9] = "ecall from HS-mode",
		[10] = "ecall from VS-mode",
		[11] = "ecall from M-mode",
		[12] = "instruction page fault",
		[13] = "load page fault",
		[15] = "store page fault",
		[20] = "instruction guest-page fault",
		[21] = "load guest-page fault",
		[22] = "virtual instruction",
		[23] = "store guest-page fault",
	};

	if (cause & CAUSE_IRQ_FLAG)
		return "interrupt";
	if (cause < ARRAY_SIZE(exc) && exc[cause])
		return exc[cause];
	return "unknown";
}

/* @symbolize: the pc is Keel's own (a guest's means nothing in Keel's symbols). */
void trap_dump(const struct trap_frame *f, bool symbolize)
{
	char sym[64] = "";

	if (symbolize)
		ksyms_format(f->sepc, sym, sizeof(sym));
	printk(" sepc: %016lx %s\n", (unsigned long)f->sepc, sym);
	printk(" stval: %016lx  scause: %016lx  sstatus: %016lx\n", (unsigned long)f->stval,
	       (unsigned long)f->scause, (unsigned long)f->sstatus);
	for (int i = 1; i < 32; i += 4) {
		char line[128];
		int n = 0;

		for (int j = i; j < i + 4 && j < 32; j++)
			n += snprintf(line + n, sizeof(line) - n, " %4s: %016lx", reg_names[j],
				      (unsigned long)f->regs[j]);
		printk("%s\n", line);
	}
}

static bool text_addr(u64 pc)
{
	return pc >= (u64)_start && pc < (u64)_etext;
}

/*
 * Walk frame records (fp-16: caller's fp, fp-8: ra).  A leaf function saves
 * only fp, at fp-8: recognise that by a stack address where ra would be.
 */
static void print_frame(u64 pc, u64 repeats)
{
	char sym[64];

	ksyms_format(pc, sym, sizeof(sym));
	if (repeats)
		printk("  [%016lx] %s (and %lu more identical frames)\n", (unsigned long)pc, sym,
		       (unsigned long)repeats);
	else
		printk("  [%016lx] %s\n", (unsigned long)pc, sym);
}

/* Deep recursion (a stack overflow) prints as one line with a count. */
void print_backtrace(u64 pc, u64 fp, u64 ra)
{
	bool first = true;
	u64 last = 0, repeats = 0;

	printk(" backtrace:\n");
	for (int depth = 0; depth < 4096 && text_addr(pc); depth++) {
		u64 *frame;
		u64 saved_ra, saved_fp;

		if (pc == last) {
			repeats++;
		} else {
			if (last)
				print_frame(last, repeats);
			last = pc;
			repeats = 0;
		}
		if (!fp || !IS_ALIGNED(fp, 8) || fp < 16)
			break;
		frame = (u64 *)fp - 2;
		saved_fp = frame[0];
		saved_ra = frame[1];
		if (first && !text_addr(saved_ra) && saved_ra > fp - 4096 &&
		    saved_ra < fp + 65536) {
			fp = saved_ra;
			pc = ra;
		} else {
			/* Frames only go up the stack, and not by much at a time. */
			if (saved_fp <= fp || saved_fp - fp > 65536)
				break;
			fp = saved_fp;
			pc = saved_ra - 4;
		}
		first = false;
	}
	if (last)
		print_frame(last, repeats);
}

static void __attribute__((noreturn)) trap_panic(struct trap_frame *f, const char *why)
{
	irq_disable();
	console_panicking = true;
	printk("\nKeel panic on hart %lu: %s: %s\n", (unsigned long)this_cpu()->hartid, why,
	       trap_cause_name(f->scause));
	trap_dump(f, true);
	print_backtrace(f->sepc, f->regs[8], f->regs[1]);
	panic_halt();
}

void trap_stack_overflow_panic(struct trap_frame *f)
{
	f->scause = csr_read(CSR_SCAUSE);
	f->sepc = csr_read(CSR_SEPC);
	f->stval = csr_read(CSR_STVAL);
	trap_panic(f, "stack overflow into the guard page");
}

void early_trap(u64 cause, u64 epc, u64 tval)
{
	printk("\nKeel: fatal trap during early boot: %s (scause %lx) at %lx, stval %lx\n",
	       trap_cause_name(cause), (unsigned long)cause, (unsigned long)epc,
	       (unsigned long)tval);
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
}

void trap_handler(struct trap_frame *f)
{
	struct percpu *pc = this_cpu();
	u64 cause = f->scause;

	if (cause & CAUSE_IRQ_FLAG) {
		pc->irq_depth++;
		pc->nr_irqs++;
		switch (cause & ~CAUSE_IRQ_FLAG) {
		case IRQ_S_SOFT:
			smp_handle_ipi();
			break;
		case IRQ_S_TIMER:
			timer_handle_irq();
			break;
		case IRQ_S_EXT:
			irqchip_get()->handle();
			break;
		default:
			trap_panic(f, "unexpected interrupt");
		}
		pc->irq_depth--;
		/* Preempt at the end of the interrupt, on the interrupted thread's stack. */
		if (pc->rq.need_resched && (f->sstatus & SSTATUS_SPP))
			sched_preempt();
		return;
	}
	if (pc->probe_active && (cause == CAUSE_ILLEGAL_INSN || cause == CAUSE_MISALIGNED_LOAD ||
				 cause == CAUSE_LOAD_ACCESS || cause == CAUSE_LOAD_PAGE_FAULT ||
				 cause == CAUSE_LOAD_GUEST_PAGE_FAULT)) {
		pc->probe_faulted = true;
		f->sepc += 4;
		return;
	}
	trap_panic(f, "unexpected trap in Keel");
}
