/* VS-level CSR state of guest VCPUs, and the per-hart H-extension set-up. */
#include "arch/riscv/vcpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/trap.h"

#define CSR_VSSTATUS 0x200
#define CSR_VSIE 0x204
#define CSR_VSTVEC 0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC 0x241
#define CSR_VSCAUSE 0x242
#define CSR_VSTVAL 0x243
#define CSR_VSATP 0x280
#define CSR_HTIMEDELTA 0x605
/* No VS copies: VS-mode uses these directly, so each VCPU has its own. */
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG 0x10a

#define HENVCFG_STCE (1UL << 63)
#define HSTATUS_SPV (1UL << 7)
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_VTW (1UL << 21) /* WFI traps: Keel blocks the VCPU instead */
/* Exceptions a guest handles itself: misaligned accesses, illegal instructions (its
 * own probes, e.g. of stimecmp without Sstc), breakpoints, U-mode ecalls, and its
 * own (VS-stage) page faults. */
#define HEDELEG_GUEST                                                       \
	((1UL << CAUSE_MISALIGNED_FETCH) | (1UL << CAUSE_ILLEGAL_INSN) |    \
	 (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_MISALIGNED_LOAD) |       \
	 (1UL << CAUSE_MISALIGNED_STORE) | (1UL << CAUSE_USER_ECALL) |      \
	 (1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) | \
	 (1UL << CAUSE_STORE_PAGE_FAULT))
#define HIDELEG_VS (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)

bool vcpu_fp;

void vcpu_hart_init(bool sstc)
{
	csr_write(CSR_HEDELEG, HEDELEG_GUEST);
	csr_write(CSR_HIDELEG, HIDELEG_VS);
	/* Guests read time, cycle and instret directly. */
	csr_write(CSR_HCOUNTEREN, 7);
	csr_write(CSR_HTIMEDELTA, 0);
	csr_write(CSR_HENVCFG, sstc ? HENVCFG_STCE : 0);
}

void vcpu_csrs_init(struct guest_csrs *c)
{
	*c = (struct guest_csrs){ .vstimecmp = UINT64_MAX };
}

/*
 * Write vstimecmp so that QEMU 7.2's own timer for it holds this value
 * alone.  A value in the past raises VSTIP at once but leaves that timer as
 * it was, armed for whatever was written before (another VCPU's deadline, or
 * this one's when re-raised early), and its callback would raise VSTIP again
 * later, e.g. after the guest disarmed.  UINT64_MAX first moves the timer
 * away; the write also waits for a callback QEMU already started (it takes
 * the lock the callback runs under).
 */
static void vstimecmp_write(u64 cmp)
{
	csr_write(CSR_VSTIMECMP, UINT64_MAX);
	csr_write(CSR_VSTIMECMP, cmp);
}

void vcpu_csrs_load(const struct guest_csrs *c, u64 hgatp)
{
	csr_write(CSR_VSSTATUS, c->vsstatus);
	csr_write(CSR_VSIE, c->vsie);
	csr_write(CSR_VSTVEC, c->vstvec);
	csr_write(CSR_VSSCRATCH, c->vsscratch);
	csr_write(CSR_VSEPC, c->vsepc);
	csr_write(CSR_VSCAUSE, c->vscause);
	csr_write(CSR_VSTVAL, c->vstval);
	csr_write(CSR_VSATP, c->vsatp);
	csr_write(CSR_SCOUNTEREN, c->scounteren);
	csr_write(CSR_SENVCFG, c->senvcfg);
	csr_write(CSR_HVIP, c->hvip);
	if (csr_read(CSR_HENVCFG) & HENVCFG_STCE)
		vstimecmp_write(c->vstimecmp);
	if (vcpu_fp) {
		csr_set(CSR_SSTATUS, SSTATUS_FS);
		fp_load(c->f);
	}
	csr_write(CSR_HGATP, hgatp);
	/* Stale translations of whatever this hart ran before. */
	__asm__ volatile(".option push\n.option arch, +h\nhfence.gvma zero, zero\n"
			 "hfence.vvma zero, zero\n.option pop" ::
				 : "memory");
}

void vcpu_csrs_save(struct guest_csrs *c)
{
	u64 keep = HIDELEG_VS & ~HVIP_LEVELS;

	c->vsstatus = csr_read(CSR_VSSTATUS);
	c->vsie = csr_read(CSR_VSIE);
	c->vstvec = csr_read(CSR_VSTVEC);
	c->vsscratch = csr_read(CSR_VSSCRATCH);
	c->vsepc = csr_read(CSR_VSEPC);
	c->vscause = csr_read(CSR_VSCAUSE);
	c->vstval = csr_read(CSR_VSTVAL);
	c->vsatp = csr_read(CSR_VSATP);
	c->scounteren = csr_read(CSR_SCOUNTEREN);
	c->senvcfg = csr_read(CSR_SENVCFG);
	/*
	 * hvip holds what Keel injected and the guest's own VSSIP (it clears
	 * that through sip), so it is read back; never the level bits, which
	 * the VCPU's levels word owns (it is written into hvip at each entry,
	 * so a stale copy here could only be wrong); and under Sstc never
	 * VSTIP: QEMU 7.2 reports the vstimecmp interrupt there, and restoring
	 * that would leave a timer interrupt pending after the guest re-armed it.
	 */
	if (csr_read(CSR_HENVCFG) & HENVCFG_STCE) {
		keep &= ~HVIP_VSTIP;
		c->vstimecmp = csr_read(CSR_VSTIMECMP);
	}
	c->hvip = csr_read(CSR_HVIP) & keep;
	if (vcpu_fp) {
		csr_set(CSR_SSTATUS, SSTATUS_FS);
		fp_save(c->f);
	}
}

/*
 * A VCPU's state as SBI HSM start (and boot) define it, on the hart that
 * holds its CSRs: pc, a0 = hartid, a1 = opaque, S-mode, satp = 0, SIE = 0.
 */
void vcpu_boot(struct guest_regs *r, u64 pc, u64 a0, u64 a1)
{
	for (unsigned int i = 0; i < 32; i++)
		r->x[i] = 0;
	r->x[10] = a0;
	r->x[11] = a1;
	r->sepc = pc;
	/* HS-level FS must be on for the guest's own FS to count. */
	r->sstatus = SSTATUS_SPP | SSTATUS_SPIE | (vcpu_fp ? SSTATUS_FS_INITIAL : 0);
	r->hstatus = (csr_read(CSR_HSTATUS) & ~(HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW)) |
		     HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW;
	csr_write(CSR_VSATP, 0);
	csr_clear(CSR_VSSTATUS, SSTATUS_SIE);
}

/* See vcpu.h: a start after a stop, and a VCPU's CSRs saved (nothing may fire for it here). */
void vcpu_quiesce(void)
{
	csr_write(CSR_VSIE, 0);
	csr_clear(CSR_HVIP, HIDELEG_VS);
	if (csr_read(CSR_HENVCFG) & HENVCFG_STCE)
		csr_write(CSR_VSTIMECMP, UINT64_MAX);
}

/*
 * Deliver an exception to the guest as the hart would have without the H
 * extension (a trap to its S-mode): vsepc, vscause, vstval, vsstatus's
 * SPP/SPIE/SIE, and on to vstvec in VS-mode.
 */
void vcpu_inject_exception(struct guest_regs *r, u64 cause, u64 tval)
{
	u64 vs = csr_read(CSR_VSSTATUS);
	bool sie = vs & SSTATUS_SIE;

	csr_write(CSR_VSEPC, r->sepc);
	csr_write(CSR_VSCAUSE, cause);
	csr_write(CSR_VSTVAL, tval);
	vs &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	if (r->sstatus & SSTATUS_SPP)
		vs |= SSTATUS_SPP;
	if (sie)
		vs |= SSTATUS_SPIE;
	csr_write(CSR_VSSTATUS, vs);
	r->sepc = csr_read(CSR_VSTVEC) & ~3UL; /* exceptions never use the vectored mode */
	r->sstatus |= SSTATUS_SPP;
}

/* An interrupt pending and enabled for the guest on this hart (its CSRs loaded). */
bool vcpu_irq_raised(void)
{
	return csr_read(CSR_HIP) & csr_read(CSR_HIE) & HIDELEG_VS;
}

bool vcpu_irq_pending(void)
{
	u64 cmp;

	if (vcpu_irq_raised())
		return true;
	/*
	 * QEMU 7.2 raises the vstimecmp interrupt from a host timer of its
	 * own, which may run later than Keel's timer for the same deadline:
	 * compare for it, and raise it by writing vstimecmp again.
	 */
	if (!(csr_read(CSR_HENVCFG) & HENVCFG_STCE) || !(csr_read(CSR_HIE) & HVIP_VSTIP))
		return false;
	cmp = csr_read(CSR_VSTIMECMP);
	if (csr_read(CSR_TIME) < cmp)
		return false;
	vstimecmp_write(cmp);
	return true;
}

/* When a waiting VCPU's own timer would make vcpu_irq_pending() true (UINT64_MAX: never). */
u64 vcpu_wake_deadline(void)
{
	if ((csr_read(CSR_HENVCFG) & HENVCFG_STCE) && (csr_read(CSR_HIE) & HVIP_VSTIP))
		return csr_read(CSR_VSTIMECMP);
	return UINT64_MAX;
}

/* Forget the current VMID's guest-virtual translations on this hart. */
void vcpu_hfence_vvma(void)
{
	__asm__ volatile(".option push\n.option arch, +h\nhfence.vvma zero, zero\n.option pop" ::
				 : "memory");
}

/*
 * One hypervisor load @insn ("hlv.d", "hlvx.hu", ...) of the guest's address
 * @addr into the unsigned long @v, under the probe fixup: 0, or non-zero when
 * the guest's translation faulted.
 */
#define hlv_probe(insn, addr, v)                                                            \
	__probe_insn(__asm__ volatile(".option push\n.option arch, +h\n" insn " %0, (%1)\n" \
				      ".option pop"                                         \
				      : "+r"(v)                                             \
				      : "r"(addr)                                           \
				      : "memory"))

static int hlvx_hu(u64 addr, u16 *out)
{
	unsigned long v = 0;
	int r = hlv_probe("hlvx.hu", addr, v);

	*out = (u16)v;
	return r;
}

int vcpu_read_guest_u64(u64 va, u64 *out)
{
	unsigned long v = 0;
	int r = hlv_probe("hlv.d", va, v);

	*out = v;
	return r ? -EFAULT : 0;
}

int vcpu_fetch_insn(u64 pc, u32 *insn)
{
	u16 lo, hi = 0;
	unsigned long w = 0;

	/* Aligned, a word cannot cross a page: one read (a 16-bit one ignores the rest). */
	if (!(pc & 3)) {
		if (hlv_probe("hlvx.wu", pc, w))
			return -EFAULT;
		*insn = (u32)w;
		return 0;
	}
	/* Else two halfwords: a 32-bit instruction may straddle a page boundary. */
	if (hlvx_hu(pc, &lo) || ((lo & 3) == 3 && hlvx_hu(pc + 2, &hi)))
		return -EFAULT;
	*insn = lo | (u32)hi << 16;
	return 0;
}
