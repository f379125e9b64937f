#include "libs/gpt.h"

#define PTE_PPN_SHIFT 10
#define PTE_LEAF (GPT_PTE_R | GPT_PTE_W | GPT_PTE_X)
#define LEAF_BITS (GPT_PTE_V | PTE_LEAF | GPT_PTE_U | GPT_PTE_A | GPT_PTE_D)

/* A new table is complete before the entry that publishes it (none on the host). */
#ifdef KEEL_HOST_TEST
#define publish_barrier()
#else
#define publish_barrier() __asm__ volatile("fence w,w" ::: "memory")
#endif

static u64 level_size(int level)
{
	return 1ULL << (GPT_PAGE_SHIFT + 9 * level);
}

static int top_level(const struct gpt *t)
{
	return (int)t->levels - 1;
}

static unsigned int index_at(const struct gpt *t, u64 gpa, int level)
{
	/* The root level has two extra index bits in the x4 formats. */
	u64 mask = level == top_level(t) ? GPT_ROOT_ENTRIES - 1 : 0x1ff;

	return (gpa >> (GPT_PAGE_SHIFT + 9 * level)) & mask;
}

static u64 *table_of(u64 e)
{
	return (u64 *)(uintptr_t)((e >> PTE_PPN_SHIFT) << GPT_PAGE_SHIFT);
}

static bool is_table(u64 e)
{
	return (e & GPT_PTE_V) && !(e & PTE_LEAF);
}

/*
 * The entry on @gpa's path at @level, or the one above it where the path
 * ends (invalid or a leaf); *@at is that entry's level.
 */
static u64 *find(const struct gpt *t, u64 gpa, int level, int *at)
{
	u64 *tab = t->root;
	int l = top_level(t);

	while (l > level && is_table(tab[index_at(t, gpa, l)])) {
		tab = table_of(tab[index_at(t, gpa, l)]);
		l--;
	}
	*at = l;
	return &tab[index_at(t, gpa, l)];
}

/* The level of the largest page that maps @gpa to @hpa within @end. */
static int leaf_level(const struct gpt *t, u64 gpa, u64 hpa, u64 end)
{
	int level = top_level(t);

	while (level > 0 &&
	       !(IS_ALIGNED(gpa | hpa, level_size(level)) && end - gpa >= level_size(level)))
		level--;
	return level;
}

static u64 *walk_alloc(const struct gpt *t, u64 gpa, int level, const struct gpt_ops *ops)
{
	u64 *tab = t->root;

	for (int l = top_level(t); l > level; l--) {
		u64 *e = &tab[index_at(t, gpa, l)];

		if (!(*e & GPT_PTE_V)) {
			u64 *nt = ops->alloc(ops->ctx);

			if (!nt)
				return NULL;
			publish_barrier();
			*e = ((uintptr_t)nt >> GPT_PAGE_SHIFT) << PTE_PPN_SHIFT | GPT_PTE_V;
		}
		tab = table_of(*e);
	}
	return &tab[index_at(t, gpa, level)];
}

/* Clear the leaves gpt_map placed for [gpa, end). */
static void unmap(const struct gpt *t, u64 gpa, u64 hpa, u64 end)
{
	while (gpa < end) {
		int level = leaf_level(t, gpa, hpa, end), at;

		*find(t, gpa, level, &at) = 0;
		gpa += level_size(level);
		hpa += level_size(level);
	}
}

int gpt_map(const struct gpt *t, u64 gpa, u64 hpa, u64 size, const struct gpt_ops *ops)
{
	u64 end = gpa + size, g, h;

	if (!IS_ALIGNED(gpa | hpa | size, GPT_PAGE_SIZE) ||
	    end > (1ULL << GPT_GPA_BITS(t->levels)) || end < gpa)
		return -EINVAL;
	/* Mappings never overlap: a leaf on the way, or anything where the leaf goes. */
	for (g = gpa, h = hpa; g < end;) {
		int level = leaf_level(t, g, h, end), at;

		if (*find(t, g, level, &at) & GPT_PTE_V)
			return -EEXIST;
		g += level_size(level);
		h += level_size(level);
	}
	for (g = gpa, h = hpa; g < end;) {
		int level = leaf_level(t, g, h, end);
		u64 *e = walk_alloc(t, g, level, ops);

		if (!e) {
			unmap(t, gpa, hpa, g);
			return -ENOMEM;
		}
		*e = (h >> GPT_PAGE_SHIFT) << PTE_PPN_SHIFT | LEAF_BITS;
		g += level_size(level);
		h += level_size(level);
	}
	return 0;
}

static void free_level(u64 *tab, int level, unsigned int entries, const struct gpt_ops *ops)
{
	for (unsigned int i = 0; i < entries && level > 0; i++) {
		if (is_table(tab[i])) {
			u64 *nt = table_of(tab[i]);

			free_level(nt, level - 1, 512, ops);
			ops->free(ops->ctx, nt);
		}
	}
}

void gpt_free(const struct gpt *t, const struct gpt_ops *ops)
{
	free_level(t->root, top_level(t), GPT_ROOT_ENTRIES, ops);
}

int gpt_lookup(const struct gpt *t, u64 gpa, struct gpt_leaf *leaf)
{
	int level;
	u64 e;

	if (gpa >> GPT_GPA_BITS(t->levels))
		return -ENOENT;
	e = *find(t, gpa, 0, &level);
	if (!(e & GPT_PTE_V))
		return -ENOENT;
	leaf->size = level_size(level);
	leaf->hpa = ((e >> PTE_PPN_SHIFT) << GPT_PAGE_SHIFT) + (gpa & (leaf->size - 1));
	leaf->pte = e;
	return 0;
}
