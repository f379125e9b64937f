/*
 * SBI STA (steal-time accounting): a VCPU's time runnable on its run queue
 * while another VCPU or thread had its hart (vcpu.wait_ns, kept by the
 * scheduler at each switch), reported in a 64-byte record in its guest RAM.
 * The record is rewritten before the VCPU enters the guest after it waited,
 * and its preempted flag is set when the VCPU loses its hart while runnable;
 * nothing is written while the guest is not running (paused, stopped, in WFI).
 * Everything happens on the VCPU's own thread, so the record's address needs
 * no lock; guest RAM outlives the VCPU threads (reset and destroy wait for them).
 */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"
#include <string.h>

/* The spec's layout; RISC-V is little-endian, as the record is. */
struct sbi_sta_shmem {
	u32 sequence; /* odd while Keel writes steal */
	u32 flags;
	u64 steal; /* ns */
	u8 preempted;
	u8 pad[47];
};

_Static_assert(sizeof(struct sbi_sta_shmem) == SBI_STA_SHMEM_SIZE, "the spec's 64 bytes");

/* The scheduler's hook: the VCPU loses its hart, still runnable. */
static void sta_preempted(struct vcpu *v)
{
	struct vcpu_guest *vg = v->arg;

	__atomic_store_n(&vg->sta.rec->preempted, 1, __ATOMIC_RELAXED);
	vg->sta.preempted = true;
}

void sbi_sta_update(struct vcpu_guest *vg)
{
	struct sbi_sta_shmem *rec = vg->sta.rec;
	u64 steal;
	u32 seq;

	if (!rec)
		return;
	steal = vg->vcpu->wait_ns - vg->sta.base_ns;
	if (steal == vg->sta.steal_ns && !vg->sta.preempted)
		return;
	/* Odd, even if the guest wrote an odd value there; the fences order it around steal. */
	seq = (__atomic_load_n(&rec->sequence, __ATOMIC_RELAXED) + 1) | 1;
	__atomic_store_n(&rec->sequence, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&rec->steal, steal, __ATOMIC_RELAXED);
	__atomic_store_n(&rec->preempted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rec->sequence, seq + 1, __ATOMIC_RELEASE);
	vg->sta.steal_ns = steal;
	vg->sta.preempted = false;
}

void sbi_sta_stop(struct vcpu_guest *vg)
{
	vg->vcpu->preempted = NULL;
	vg->sta = (struct vcpu_sta){ .rec = NULL };
}

static struct sbiret sta_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	struct sbi_sta_shmem *rec;
	u64 gpa;
	long err;

	if (r->x[16] != 0)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	/* steal_time_set_shmem(shmem_phys_lo, shmem_phys_hi, flags) */
	err = sbi_sta_shmem_check(r->x[10], r->x[11], r->x[12], &gpa);
	if (err)
		return (struct sbiret){ err, 0 };
	if (gpa == SBI_STA_SHMEM_OFF) {
		sbi_sta_stop(vg);
		return (struct sbiret){ 0, 0 };
	}
	/* Aligned to its size, the record is never split between two pieces of RAM. */
	rec = guest_ram_ptr(g, gpa, sizeof(*rec));
	if (!rec)
		return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
	memset(rec, 0, sizeof(*rec));
	vg->sta = (struct vcpu_sta){ .rec = rec, .gpa = gpa, .base_ns = vg->vcpu->wait_ns };
	vg->vcpu->preempted = sta_preempted;
	return (struct sbiret){ 0, 0 };
}

SBI_EXT_DECLARE(sta, .name = "sta", .eid_min = SBI_EXT_STA, .eid_max = SBI_EXT_STA,
		.disable_bit = GUESTCFG_SBI_STA, .call = sta_call);
