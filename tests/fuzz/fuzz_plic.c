/*
 * libFuzzer: the PLIC state machine driven by arbitrary sequences of guest
 * register accesses (any offset and size) and line changes.  After every
 * step: pending and in-service bits are disjoint and name real sources, each
 * reported output equals "a claim would return a source", and a claim
 * returns only an enabled source above the threshold.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libs/plic.h"

static void check_notify(void *arg, u32 ctx, bool high)
{
	const struct plic *p = arg;

	if (ctx >= p->nr_contexts || high != (plic_best(p, ctx) != 0))
		abort();
}

static void check(const struct plic *p)
{
	for (u32 w = 0; w < p->words; w++) {
		u32 valid = ~0u;

		if (w == 0)
			valid &= ~1u;
		if (w == p->words - 1 && (p->ndev + 1) % 32)
			valid &= (1u << ((p->ndev + 1) % 32)) - 1;
		if ((p->pending[w] & p->claimed[w]) || ((p->pending[w] | p->claimed[w]) & ~valid))
			abort();
	}
	for (u32 ctx = 0; ctx < p->nr_contexts; ctx++) {
		u32 irq = plic_best(p, ctx);

		if (plic_output(p, ctx) != (irq != 0) || p->threshold[ctx] > PLIC_PRIORITY_MASK)
			abort();
		if (irq && (irq > p->ndev || p->priority[irq] <= p->threshold[ctx] ||
			    !((p->enable[ctx * p->words + irq / 32] >> (irq % 32)) & 1)))
			abort();
	}
}

static u32 take(const uint8_t **d, size_t *n, unsigned int bytes)
{
	u32 v = 0;

	for (unsigned int i = 0; i < bytes && *n; i++, (*d)++, (*n)--)
		v |= (u32) * *d << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 ndev = take(&data, &size, 2) % PLIC_MAX_SOURCES + 1;
	u32 nctx = take(&data, &size, 1) % 16 + 1;
	size_t bytes = plic_mem_size(ndev, nctx);
	void *mem = calloc(1, bytes);
	struct plic p;

	if (!mem)
		return 0;
	plic_init(&p, mem, ndev, nctx);
	while (size) {
		u32 op = take(&data, &size, 1), ctx = op >> 4 & 0xf;
		u32 irq = take(&data, &size, 2) % (ndev + 3);
		u32 val = take(&data, &size, 4);
		/* Offsets near the registers, and anywhere in (and past) the window. */
		u64 off = op & 8 ? (u64)val % (PLIC_SIZE + 0x1000)
				 : PLIC_CONTEXT_BASE + (u64)ctx * PLIC_CONTEXT_STRIDE + (val & 7);
		unsigned int sz = 1u << (irq & 3);
		u32 got = 0;

		switch (op & 7) {
		case 0:
			plic_set_level(&p, irq, val & 1);
			break;
		case 1:
			plic_edge(&p, irq);
			break;
		case 2:
			if (plic_read(&p, off, sz, &got) !=
			    ((sz == 4 && !(off & 3) && off < PLIC_SIZE) ? 0 : -EINVAL))
				abort();
			break;
		case 3:
			if (plic_write(&p, off, sz, val) !=
			    ((sz == 4 && !(off & 3) && off < PLIC_SIZE) ? 0 : -EINVAL))
				abort();
			break;
		case 4:
			p.priority[irq % (ndev + 1)] = val & PLIC_PRIORITY_MASK;
			p.enable[(ctx % nctx) * p.words + irq % (ndev + 1) / 32] ^= 1u
										    << (irq % 32);
			break;
		case 5:
			if (ctx < nctx) {
				got = plic_claim(&p, ctx);
				if (got && ((p.pending[got / 32] >> (got % 32)) & 1))
					abort();
			}
			break;
		case 6:
			if (ctx < nctx)
				plic_complete(&p, ctx, irq);
			break;
		default:
			plic_write(&p, PLIC_CONTEXT_BASE + (u64)(ctx % nctx) * PLIC_CONTEXT_STRIDE,
				   4, val);
			break;
		}
		plic_update(&p, check_notify, &p);
		check(&p);
	}
	free(mem);
	return 0;
}
