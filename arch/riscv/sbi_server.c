#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

extern const struct sbi_ext __start_keel_sbi_exts[], __stop_keel_sbi_exts[];

static const struct sbi_ext *find(const struct guest *g, unsigned long eid)
{
	for (const struct sbi_ext *e = __start_keel_sbi_exts; e < __stop_keel_sbi_exts; e++) {
		if (eid < e->eid_min || eid > e->eid_max)
			continue;
		if (e->disable_bit >= 0 && (g->sbi_disabled & GUESTCFG_SBI_BIT(e->disable_bit)))
			return NULL;
		if (e->available && !e->available())
			return NULL;
		return e;
	}
	return NULL;
}

bool sbi_server_has(const struct guest *g, unsigned long eid)
{
	return find(g, eid) != NULL;
}

void sbi_server_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	const struct sbi_ext *e = find(g, r->x[17]);
	struct sbiret ret = { SBI_ERR_NOT_SUPPORTED, 0 };

	if (e)
		ret = e->call(g, vg, r);
	if (e && e->legacy) {
		r->x[10] = ret.error;
		return;
	}
	r->x[10] = ret.error;
	r->x[11] = ret.value;
}
