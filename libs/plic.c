/* The PLIC state machine and register file (see plic.h). */
#include "libs/plic.h"

#define BIT(irq) (1u << ((irq) % 32))
#define WORD(irq) ((irq) / 32)

static u32 bitmap_words(u32 bits)
{
	return (bits + 31) / 32;
}

size_t plic_mem_size(u32 ndev, u32 nr_contexts)
{
	u32 words = bitmap_words(ndev + 1);

	return 4 * (4 * words + nr_contexts * words + bitmap_words(nr_contexts)) + ndev + 1 +
	       nr_contexts;
}

void plic_init(struct plic *p, void *mem, u32 ndev, u32 nr_contexts)
{
	u32 *w = mem;

	p->ndev = ndev;
	p->nr_contexts = nr_contexts;
	p->words = bitmap_words(ndev + 1);
	p->pending = w;
	p->claimed = p->pending + p->words;
	p->level = p->claimed + p->words;
	p->edge = p->level + p->words;
	p->enable = p->edge + p->words;
	p->out = p->enable + nr_contexts * p->words;
	p->priority = (u8 *)(p->out + bitmap_words(nr_contexts));
	p->threshold = p->priority + ndev + 1;
}

static bool valid_irq(const struct plic *p, u32 irq)
{
	return irq >= 1 && irq <= p->ndev;
}

static const u32 *enables(const struct plic *p, u32 ctx)
{
	return p->enable + ctx * p->words;
}

void plic_set_level(struct plic *p, u32 irq, bool high)
{
	if (!valid_irq(p, irq))
		return;
	if (high)
		p->level[WORD(irq)] |= BIT(irq);
	else
		p->level[WORD(irq)] &= ~BIT(irq);
	/* In service, the gateway forwards nothing until completion. */
	if (p->claimed[WORD(irq)] & BIT(irq))
		return;
	if (high)
		p->pending[WORD(irq)] |= BIT(irq);
	else
		p->pending[WORD(irq)] &= ~BIT(irq);
}

void plic_edge(struct plic *p, u32 irq)
{
	if (!valid_irq(p, irq))
		return;
	if (p->claimed[WORD(irq)] & BIT(irq))
		p->edge[WORD(irq)] |= BIT(irq);
	else
		p->pending[WORD(irq)] |= BIT(irq);
}

u32 plic_best(const struct plic *p, u32 ctx)
{
	const u32 *en = enables(p, ctx);
	u32 best = 0, best_prio = p->threshold[ctx];

	for (u32 w = 0; w < p->words; w++) {
		u32 cand = p->pending[w] & ~p->claimed[w] & en[w];

		while (cand) {
			u32 irq = w * 32 + (u32)__builtin_ctz(cand);

			cand &= cand - 1;
			/* Strictly above: the lowest id wins a tie, priority 0 never interrupts. */
			if (p->priority[irq] > best_prio) {
				best = irq;
				best_prio = p->priority[irq];
			}
		}
	}
	return best;
}

u32 plic_claim(struct plic *p, u32 ctx)
{
	u32 irq = plic_best(p, ctx);

	if (irq) {
		p->pending[WORD(irq)] &= ~BIT(irq);
		p->claimed[WORD(irq)] |= BIT(irq);
	}
	return irq;
}

void plic_complete(struct plic *p, u32 ctx, u32 irq)
{
	u32 w = WORD(irq), b = BIT(irq);

	if (!valid_irq(p, irq) || !(enables(p, ctx)[w] & b) || !(p->claimed[w] & b))
		return;
	p->claimed[w] &= ~b;
	/* The gateway forwards again: a line still high, or an edge seen meanwhile. */
	if ((p->level[w] | p->edge[w]) & b)
		p->pending[w] |= b;
	p->edge[w] &= ~b;
}

/* The kind of register at @off, its index (source or enable word) and the context of a context
 * block. */
enum reg_kind { REG_NONE, REG_PRIORITY, REG_PENDING, REG_ENABLE, REG_THRESHOLD, REG_CLAIM };

static enum reg_kind decode(const struct plic *p, u64 off, u32 *index, u32 *ctx)
{
	if (off < PLIC_PENDING_BASE) {
		*index = (u32)(off / 4);
		return *index <= p->ndev ? REG_PRIORITY : REG_NONE;
	}
	if (off < PLIC_ENABLE_BASE) {
		*index = (u32)((off - PLIC_PENDING_BASE) / 4);
		return *index < p->words ? REG_PENDING : REG_NONE;
	}
	if (off < PLIC_CONTEXT_BASE) {
		*ctx = (u32)((off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
		*index = (u32)((off % PLIC_ENABLE_STRIDE) / 4);
		return *ctx < p->nr_contexts && *index < p->words ? REG_ENABLE : REG_NONE;
	}
	*ctx = (u32)((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
	if (*ctx >= p->nr_contexts)
		return REG_NONE;
	switch (off % PLIC_CONTEXT_STRIDE) {
	case 0:
		return REG_THRESHOLD;
	case PLIC_CLAIM:
		return REG_CLAIM;
	default:
		return REG_NONE;
	}
}

/* Registers are 32 bits wide and naturally aligned; QEMU faults anything else. */
static bool valid_access(u64 off, unsigned int size)
{
	return size == 4 && !(off & 3) && off < PLIC_SIZE;
}

bool plic_read_changes(const struct plic *p, u64 off)
{
	u32 index, ctx;

	return decode(p, off, &index, &ctx) == REG_CLAIM;
}

int plic_read(struct plic *p, u64 off, unsigned int size, u32 *val)
{
	u32 index = 0, ctx = 0;

	if (!valid_access(off, size))
		return -EINVAL;
	switch (decode(p, off, &index, &ctx)) {
	case REG_PRIORITY:
		*val = p->priority[index];
		break;
	case REG_PENDING:
		*val = p->pending[index];
		break;
	case REG_ENABLE:
		*val = enables(p, ctx)[index];
		break;
	case REG_THRESHOLD:
		*val = p->threshold[ctx];
		break;
	case REG_CLAIM:
		*val = plic_claim(p, ctx);
		break;
	default:
		*val = 0;
		break;
	}
	return 0;
}

int plic_write(struct plic *p, u64 off, unsigned int size, u32 val)
{
	u32 index = 0, ctx = 0;

	if (!valid_access(off, size))
		return -EINVAL;
	switch (decode(p, off, &index, &ctx)) {
	case REG_PRIORITY:
		p->priority[index] = (u8)(val & PLIC_PRIORITY_MASK);
		break;
	case REG_ENABLE:
		p->enable[ctx * p->words + index] = val;
		break;
	case REG_THRESHOLD:
		p->threshold[ctx] = (u8)(val & PLIC_PRIORITY_MASK);
		break;
	case REG_CLAIM:
		plic_complete(p, ctx, val);
		break;
	default: /* pending bits are read-only */
		break;
	}
	return 0;
}

void plic_update(struct plic *p, void (*notify)(void *arg, u32 ctx, bool high), void *arg)
{
	for (u32 ctx = 0; ctx < p->nr_contexts; ctx++) {
		bool high = plic_best(p, ctx) != 0;

		if (high == plic_output(p, ctx))
			continue;
		p->out[ctx / 32] ^= 1u << (ctx % 32);
		notify(arg, ctx, high);
	}
}
