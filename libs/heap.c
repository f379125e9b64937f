/*
 * Boundary-tag heap.
 *
 * Every block is [header tag][payload][footer tag], 16-byte aligned, and the
 * blocks tile the region with no gaps, so the footer just before a header
 * finds the previous block in O(1) for coalescing.  Tags carry a magic that
 * is mixed with the header's own address: a stale or copied tag, or a
 * pointer into the middle of a payload, does not look like a live block.
 * Free blocks hold their list node in the payload.
 */
#include <string.h>

#include "libs/heap.h"

struct heap_tag {
	u64 size; /* whole block, tags included */
	u64 magic;
};

#define TAG_SIZE sizeof(struct heap_tag)
#define OVERHEAD (2 * TAG_SIZE)
/* A free block must hold its list node. */
#define MIN_BLOCK (OVERHEAD + HEAP_MIN_ALIGN)

#define MAGIC_USED 0x4b65656c55736564ULL /* "KeelUsed" */
#define MAGIC_FREE 0x4b65656c46726565ULL /* "KeelFree" */

static u64 tag_magic(u64 kind, const struct heap_tag *hdr)
{
	return kind ^ (u64)(uintptr_t)hdr;
}

static bool is_kind(const struct heap_tag *hdr, u64 kind)
{
	return hdr->magic == tag_magic(kind, hdr);
}

static struct heap_tag *footer_of(const struct heap_tag *hdr)
{
	return (struct heap_tag *)((u8 *)hdr + hdr->size - TAG_SIZE);
}

static struct list_head *node_of(struct heap_tag *hdr)
{
	return (struct list_head *)(hdr + 1);
}

static struct heap_tag *block_of(const struct list_head *n)
{
	return (struct heap_tag *)n - 1;
}

static void set_block(struct heap_tag *hdr, size_t size, u64 kind)
{
	hdr->size = size;
	hdr->magic = tag_magic(kind, hdr);
	*footer_of(hdr) = *hdr;
}

static void add_free(struct heap *h, struct heap_tag *b, size_t size, struct list_head *after)
{
	set_block(b, size, MAGIC_FREE);
	list_add(node_of(b), after);
	h->free += size - OVERHEAD;
	h->blocks_free++;
}

static void del_free(struct heap *h, struct heap_tag *b)
{
	list_del(node_of(b));
	h->free -= b->size - OVERHEAD;
	h->blocks_free--;
}

/* Tags left inside a merged payload must never again look like a block boundary. */
static void scrub_boundary(struct heap_tag *hdr)
{
	memset(hdr - 1, 0, 2 * TAG_SIZE);
}

int heap_init(struct heap *h, void *mem, size_t size)
{
	uintptr_t s = ALIGN_UP((uintptr_t)mem, HEAP_MIN_ALIGN);
	uintptr_t e = ALIGN_DOWN((uintptr_t)mem + size, HEAP_MIN_ALIGN);

	if (!mem || (uintptr_t)mem + size < (uintptr_t)mem || e < s || e - s < MIN_BLOCK)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->start = (u8 *)s;
	h->end = (u8 *)e;
	list_init(&h->free_list);
	add_free(h, (struct heap_tag *)s, e - s, &h->free_list);
	return 0;
}

/* Split free block @b into [lead free][used, @need bytes][tail free]; either free part may be
 * empty. */
static void *carve(struct heap *h, struct heap_tag *b, size_t lead, size_t need)
{
	struct list_head *pos = node_of(b)->prev;
	size_t total = b->size, usize = total - lead;
	struct heap_tag *u = (struct heap_tag *)((u8 *)b + lead);

	del_free(h, b);
	if (lead) {
		add_free(h, b, lead, pos);
		pos = node_of(b);
	}
	if (usize - need >= MIN_BLOCK) {
		add_free(h, (struct heap_tag *)((u8 *)u + need), usize - need, pos);
		usize = need;
	}
	set_block(u, usize, MAGIC_USED);
	h->used += usize - OVERHEAD;
	h->blocks_used++;
	h->allocs++;
	return u + 1;
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	struct list_head *n;
	size_t need;

	if (!align)
		align = HEAP_MIN_ALIGN;
	if (!size || (align & (align - 1)) || align > HEAP_MAX_ALIGN)
		return NULL;
	align = MAX(align, (size_t)HEAP_MIN_ALIGN);
	if (size > (size_t)(h->end - h->start)) {
		h->failures++;
		return NULL;
	}
	need = ALIGN_UP(size, HEAP_MIN_ALIGN) + OVERHEAD;

	list_for_each (n, &h->free_list) {
		struct heap_tag *b = block_of(n);
		uintptr_t bs = (uintptr_t)b, be = bs + b->size;
		uintptr_t hdr = ALIGN_UP(bs + TAG_SIZE, align) - TAG_SIZE;

		/* A leading gap must become a free block of its own, or the bytes are lost. */
		if (hdr != bs && hdr - bs < MIN_BLOCK)
			hdr += align;
		if (hdr > be || be - hdr < need)
			continue;
		return carve(h, b, hdr - bs, need);
	}
	h->failures++;
	return NULL;
}

/* The header behind @p if it is a live block of this heap, else NULL; reads only inside it. */
static struct heap_tag *used_block(const struct heap *h, const void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct heap_tag *b, *f;

	if ((a & (HEAP_MIN_ALIGN - 1)) || a < (uintptr_t)h->start + TAG_SIZE ||
	    a >= (uintptr_t)h->end)
		return NULL;
	b = (struct heap_tag *)a - 1;
	if (!is_kind(b, MAGIC_USED))
		return NULL;
	if (b->size < MIN_BLOCK || (b->size & (HEAP_MIN_ALIGN - 1)) ||
	    b->size > (uintptr_t)h->end - (uintptr_t)b)
		return NULL;
	f = footer_of(b);
	if (f->size != b->size || f->magic != b->magic)
		return NULL;
	return b;
}

int heap_free(struct heap *h, void *p)
{
	struct heap_tag *b, *next = NULL, *prev = NULL;
	struct list_head *pos, *n;
	size_t size;

	if (!p)
		return 0;
	b = used_block(h, p);
	if (!b)
		return -EINVAL;

	size = b->size;
	h->used -= size - OVERHEAD;
	h->blocks_used--;
	h->frees++;

	if ((u8 *)b > h->start) {
		struct heap_tag *pf = b - 1;
		struct heap_tag *ph = (struct heap_tag *)((u8 *)b - pf->size);

		/* The footer's magic names its header, so ph is only trusted once it matches. */
		if (pf->magic == tag_magic(MAGIC_FREE, ph))
			prev = ph;
	}
	if ((u8 *)b + size < h->end) {
		struct heap_tag *nh = (struct heap_tag *)((u8 *)b + size);

		if (is_kind(nh, MAGIC_FREE))
			next = nh;
	}

	if (next) {
		pos = node_of(next)->prev;
		del_free(h, next);
		size += next->size;
		scrub_boundary(next);
	}
	if (prev) {
		pos = node_of(prev)->prev;
		del_free(h, prev);
		size += prev->size;
		scrub_boundary(b);
		b = prev;
	}
	if (!next && !prev) {
		/* No neighbour to inherit a list position from: keep the list address ordered. */
		pos = &h->free_list;
		list_for_each (n, &h->free_list) {
			if (block_of(n) > b)
				break;
			pos = n;
		}
	}
	add_free(h, b, size, pos);
	return 0;
}

size_t heap_usable_size(const struct heap *h, const void *p)
{
	struct heap_tag *b = used_block(h, p);

	return b ? b->size - OVERHEAD : 0;
}

void heap_stats(const struct heap *h, struct heap_stats *st)
{
	struct list_head *n;

	memset(st, 0, sizeof(*st));
	st->total = h->end - h->start;
	st->used = h->used;
	st->free = h->free;
	st->allocs = h->allocs;
	st->frees = h->frees;
	st->failures = h->failures;
	st->blocks_used = h->blocks_used;
	st->blocks_free = h->blocks_free;
	list_for_each (n, &h->free_list)
		st->largest_free = MAX(st->largest_free, (size_t)block_of(n)->size - OVERHEAD);
}

static bool in_heap(const struct heap *h, const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return a >= (uintptr_t)h->start && a <= (uintptr_t)h->end && len <= (uintptr_t)h->end - a;
}

static int check_free_list(const struct heap *h)
{
	const struct list_head *prev = &h->free_list, *n;
	size_t count = 0;

	for (n = h->free_list.next; n != &h->free_list; prev = n, n = n->next) {
		const struct heap_tag *b = block_of(n);

		/* Validate each node before following it: the list may be the corrupted part. */
		if (count++ >= h->blocks_free || !in_heap(h, b, MIN_BLOCK) ||
		    ((uintptr_t)b & (HEAP_MIN_ALIGN - 1)) || !is_kind(b, MAGIC_FREE))
			return -EFAULT;
		if (n->prev != prev || (prev != &h->free_list && block_of(prev) >= b))
			return -EFAULT;
	}
	if (count != h->blocks_free || h->free_list.prev != prev)
		return -EFAULT;
	return 0;
}

int heap_check(const struct heap *h)
{
	size_t used = 0, free = 0, nused = 0, nfree = 0;
	bool prev_free = false;
	const u8 *p = h->start;

	if (((uintptr_t)h->start | (uintptr_t)h->end) & (HEAP_MIN_ALIGN - 1) || h->end < h->start)
		return -EFAULT;
	while (p < h->end) {
		const struct heap_tag *b = (const struct heap_tag *)p, *f;

		if (!in_heap(h, b, MIN_BLOCK))
			return -EFAULT;
		if (b->size < MIN_BLOCK || (b->size & (HEAP_MIN_ALIGN - 1)) ||
		    b->size > (size_t)(h->end - p))
			return -EFAULT;
		f = footer_of(b);
		if (f->size != b->size || f->magic != b->magic)
			return -EFAULT;
		if (is_kind(b, MAGIC_USED)) {
			used += b->size - OVERHEAD;
			nused++;
			prev_free = false;
		} else if (is_kind(b, MAGIC_FREE)) {
			/* Two free neighbours mean a missed coalesce. */
			if (prev_free)
				return -EFAULT;
			free += b->size - OVERHEAD;
			nfree++;
			prev_free = true;
		} else {
			return -EFAULT;
		}
		p += b->size;
	}
	if (used != h->used || free != h->free || nused != h->blocks_used ||
	    nfree != h->blocks_free)
		return -EFAULT;
	return check_free_list(h);
}
