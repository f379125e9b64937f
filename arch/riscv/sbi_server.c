#include "arch/riscv/sbi_server.h"
#include "arch/riscv/csr.h"
#include "core/guest.h"

extern const struct sbi_ext __start_keel_sbi_exts[], __stop_keel_sbi_exts[];

_Static_assert(sizeof(struct sbi_ext) == SBI_EXT_SIZE, "keel.lds counts extensions by this size");

const struct sbi_ext *sbi_server_ext(unsigned int i)
{
	return i < (unsigned int)(__stop_keel_sbi_exts - __start_keel_sbi_exts)
		       ? &__start_keel_sbi_exts[i]
		       : NULL;
}

/* Where vcpu stats count @e's calls (SBI_SERVER_MAX_EXTS: unknown extensions). */
static unsigned int stat_index(const struct sbi_ext *e)
{
	return e ? (unsigned int)(e - __start_keel_sbi_exts) : SBI_SERVER_MAX_EXTS;
}

/* Extensions the guest may use: not disabled by its description, available on this host. */
static bool offered(const struct guest *g, const struct sbi_ext *e)
{
	if (e->disable_bit >= 0 && (g->sbi_disabled & GUESTCFG_SBI_BIT(e->disable_bit)))
		return false;
	return !e->available || e->available();
}

void sbi_server_guest_init(struct guest *g)
{
	g->nr_sbi = 0;
	g->nr_sbi_fast = 0;
	/* The hot ones first: a call scans this table. */
	for (int hot = 1; hot >= 0; hot--)
		for (const struct sbi_ext *e = __start_keel_sbi_exts; e < __stop_keel_sbi_exts; e++)
			if (e->hot == hot && offered(g, e)) {
				/* One EID each, so that the fast path compares one value,
				 * and a result in a0 and a1. */
				if (e->fast && e->eid_min == e->eid_max && !e->legacy &&
				    e->fast()) {
					g->sbi_fast_stat[g->nr_sbi_fast] = stat_index(e);
					g->sbi_fast[g->nr_sbi_fast++] = e;
				}
				g->sbi[g->nr_sbi++] = e;
			}
}

long sbi_for_each_hart(struct guest *g, unsigned long mask, unsigned long base,
		       void (*fn)(struct vcpu_guest *target, void *arg), void *arg)
{
	long err = sbi_hart_mask_check(mask, base, g->nr_vcpus);

	if (err)
		return err;
	for (u32 i = 0; i < g->nr_vcpus; i++)
		if (sbi_hart_mask_has(mask, base, i))
			fn(guest_vcpu(g, i), arg);
	return 0;
}

/* The result in a0, and in a1 when @value (not legacy); inlined into the fast path. */
static inline __attribute__((always_inline)) void serve(struct guest *g, struct vcpu_guest *vg,
							struct guest_regs *r,
							const struct sbi_ext *e, unsigned int stat,
							bool value)
{
	struct sbiret ret = { SBI_ERR_NOT_SUPPORTED, 0 };

	vg->st.ecalls[stat]++;
	if (e)
		ret = e->call(g, vg, r);
	r->x[10] = ret.error;
	if (value)
		r->x[11] = ret.value;
}

int sbi_fast_call(struct guest_regs *r)
{
	struct vcpu_guest *vg = container_of(r, struct vcpu_guest, regs);
	struct guest *g = vg->guest;
	unsigned long eid = r->x[17];

	for (unsigned int i = 0; i < g->nr_sbi_fast; i++)
		if (g->sbi_fast[i]->eid_min == eid) {
			vg->st.exits++;
			serve(g, vg, r, g->sbi_fast[i], g->sbi_fast_stat[i], true);
			csr_write(CSR_SEPC, csr_read(CSR_SEPC) + 4);
			return 1;
		}
	return 0;
}

void sbi_server_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	const struct sbi_ext *e = sbi_find(g->sbi, g->nr_sbi, r->x[17]);

	serve(g, vg, r, e, stat_index(e), !e || !e->legacy);
}

bool sbi_fast_always(void)
{
	return true;
}
