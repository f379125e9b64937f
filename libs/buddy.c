/*
 * Binary buddy page allocator.
 *
 * Each page has one metadata byte.  The first page of every block (free or
 * allocated) records the block's state and order; every other page of the
 * block is marked as a tail.  Keeping tails explicit is what lets
 * buddy_free() reject double frees and frees of pointers into the middle of
 * a block, and lets buddy_claim() find the block containing any page.
 */
#include <string.h>

#include "libs/buddy.h"

#define META_ORDER_MASK 0x1f
#define META_TAIL 0x20
#define META_ALLOC 0x40
#define META_FREE 0x80

#define PAGE_MASK (BUDDY_PAGE_SIZE - 1)
#define ORDER_PAGES(o) ((u64)1 << (o))

static u64 zone_pfn0(const struct buddy_zone *z)
{
	return z->base >> BUDDY_PAGE_SHIFT;
}

static u8 *meta_of(const struct buddy_zone *z, u64 pfn)
{
	return &z->meta[pfn - zone_pfn0(z)];
}

static struct list_head *node_of(u64 pfn)
{
	return (struct list_head *)(uintptr_t)(pfn << BUDDY_PAGE_SHIFT);
}

static u64 pfn_of(const void *p)
{
	return (u64)(uintptr_t)p >> BUDDY_PAGE_SHIFT;
}

/* Written to survive any pfn: callers pass unchecked user input and buddies. */
static bool block_in_zone(const struct buddy_zone *z, u64 pfn, unsigned order)
{
	u64 pfn0 = zone_pfn0(z);

	if (pfn < pfn0 || pfn - pfn0 >= z->npages)
		return false;
	return ORDER_PAGES(order) <= z->npages - (pfn - pfn0);
}

/* Largest naturally aligned order starting at @pfn that fits in @limit pages. */
static unsigned max_order_at(u64 pfn, u64 limit)
{
	unsigned o = 0;

	while (o < BUDDY_MAX_ORDER && !(pfn & ORDER_PAGES(o)) && ORDER_PAGES(o + 1) <= limit)
		o++;
	return o;
}

/*
 * Put a block on the free lists, merging with free buddies first.  The
 * caller has marked all pages but the head as tails and accounts the pages
 * in free_pages.
 */
static void insert_free(struct buddy_zone *z, u64 pfn, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		u64 buddy = pfn ^ ORDER_PAGES(order);

		if (!block_in_zone(z, buddy, order) || *meta_of(z, buddy) != (META_FREE | order))
			break;
		list_del(node_of(buddy));
		z->nfree[order]--;
		*meta_of(z, MAX(pfn, buddy)) = META_TAIL;
		pfn = MIN(pfn, buddy);
		order++;
	}
	*meta_of(z, pfn) = META_FREE | order;
	list_add(node_of(pfn), &z->free[order]);
	z->nfree[order]++;
}

/* Free [lo, hi) as the fewest naturally aligned blocks; pages must be tails or heads. */
static void insert_free_range(struct buddy_zone *z, u64 lo, u64 hi)
{
	while (lo < hi) {
		unsigned o = max_order_at(lo, hi - lo);

		z->free_pages += ORDER_PAGES(o);
		insert_free(z, lo, o);
		lo += ORDER_PAGES(o);
	}
}

/*
 * Find the block containing @pfn.  Blocks are naturally aligned, so its head
 * is @pfn rounded down to some order: the first candidate head, going up,
 * whose block is at least that large is the one.
 */
static int find_block(const struct buddy_zone *z, u64 pfn, u64 *head, unsigned *order)
{
	u64 pfn0 = zone_pfn0(z);
	unsigned o;

	for (o = 0; o <= BUDDY_MAX_ORDER; o++) {
		u64 h = pfn & ~(ORDER_PAGES(o) - 1);
		u8 m;

		if (h < pfn0)
			break;
		m = *meta_of(z, h);
		if ((m & (META_FREE | META_ALLOC)) && (m & META_ORDER_MASK) >= o) {
			*head = h;
			*order = m & META_ORDER_MASK;
			return m & META_FREE;
		}
	}
	return -EFAULT;
}

size_t buddy_meta_bytes(u64 npages)
{
	return npages;
}

/*
 * memset, eight bytes at a time: boot fills one byte per page of RAM, and the
 * C library's memset may store a byte at a time (picolibc's does).
 */
typedef u64 __attribute__((may_alias)) u64_alias;

static void meta_fill(u8 *m, u8 v, u64 n)
{
	u64 pattern = 0x0101010101010101ULL * v;

	for (; n && ((uintptr_t)m & 7); n--)
		*m++ = v;
	for (; n >= 8; n -= 8, m += 8)
		*(u64_alias *)m = pattern;
	for (; n; n--)
		*m++ = v;
}

void buddy_init(struct buddy_zone *z, u64 base, u64 npages, u8 *meta)
{
	unsigned o;

	z->base = base;
	z->npages = npages;
	z->meta = meta;
	for (o = 0; o < BUDDY_ORDERS; o++) {
		list_init(&z->free[o]);
		z->nfree[o] = 0;
	}
	z->free_pages = 0;
	/* Reserved pages are ordinary allocated pages, so buddy_free(p, 0) works on them. */
	meta_fill(meta, META_ALLOC | 0, buddy_meta_bytes(npages));
}

/*
 * Are all @n metadata bytes at @m "allocated order-0 page"?  Compared eight
 * at a time: boot runs this over every page of RAM.
 */
static bool all_reserved(const u8 *m, u64 n)
{
	const u64 pattern = 0x0101010101010101ULL * (META_ALLOC | 0);
	u64 i = 0;

	for (; i < n && ((uintptr_t)(m + i) & 7); i++)
		if (m[i] != (META_ALLOC | 0))
			return false;
	for (; i + 8 <= n; i += 8)
		if (*(const u64_alias *)(m + i) != pattern)
			return false;
	for (; i < n; i++)
		if (m[i] != (META_ALLOC | 0))
			return false;
	return true;
}

void buddy_release(struct buddy_zone *z, u64 addr, u64 npages)
{
	u64 pfn0 = zone_pfn0(z);
	u64 lo = (addr >> BUDDY_PAGE_SHIFT) + ((addr & PAGE_MASK) != 0);
	u64 hi = addr >> BUDDY_PAGE_SHIFT;

	/* Partial pages at either end are not ours to free; saturate instead of wrapping. */
	hi = npages > UINT64_MAX - hi ? UINT64_MAX : hi + npages;
	lo = MAX(lo, pfn0);
	hi = MIN(hi, pfn0 + z->npages);

	while (lo < hi) {
		unsigned o = max_order_at(lo, hi - lo);
		u64 n = ORDER_PAGES(o), i;
		bool reserved = true;

		/* Boot releases whole reserved ranges: free them as big blocks, not page by page.
		 */
		reserved = all_reserved(meta_of(z, lo), n);
		if (reserved) {
			meta_fill(meta_of(z, lo + 1), META_TAIL, n - 1);
			insert_free_range(z, lo, lo + n);
		} else {
			for (i = 0; i < n; i++) {
				if (*meta_of(z, lo + i) != (META_ALLOC | 0))
					continue;
				z->free_pages++;
				insert_free(z, lo + i, 0);
			}
		}
		lo += n;
	}
}

void *buddy_alloc(struct buddy_zone *z, unsigned order)
{
	struct list_head *n;
	unsigned o;
	u64 pfn;

	if (order > BUDDY_MAX_ORDER)
		return NULL;
	for (o = order; o <= BUDDY_MAX_ORDER && list_empty(&z->free[o]); o++)
		;
	if (o > BUDDY_MAX_ORDER)
		return NULL;

	n = z->free[o].next;
	list_del(n);
	z->nfree[o]--;
	pfn = pfn_of(n);
	while (o > order) {
		u64 half;

		o--;
		half = pfn + ORDER_PAGES(o);
		*meta_of(z, half) = META_FREE | o;
		list_add(node_of(half), &z->free[o]);
		z->nfree[o]++;
	}
	*meta_of(z, pfn) = META_ALLOC | order;
	z->free_pages -= ORDER_PAGES(order);
	return n;
}

int buddy_free(struct buddy_zone *z, void *p, unsigned order)
{
	u64 addr = (u64)(uintptr_t)p;
	u64 pfn = addr >> BUDDY_PAGE_SHIFT;

	if (order > BUDDY_MAX_ORDER || (addr & PAGE_MASK) || (pfn & (ORDER_PAGES(order) - 1)))
		return -EINVAL;
	if (!block_in_zone(z, pfn, order) || *meta_of(z, pfn) != (META_ALLOC | order))
		return -EINVAL;
	z->free_pages += ORDER_PAGES(order);
	insert_free(z, pfn, order);
	return 0;
}

int buddy_claim(struct buddy_zone *z, u64 addr, u64 npages)
{
	u64 lo = addr >> BUDDY_PAGE_SHIFT, hi, p, head;
	unsigned order;

	if (!npages || (addr & PAGE_MASK) || npages > UINT64_MAX - lo)
		return -EINVAL;
	hi = lo + npages;
	if (lo < zone_pfn0(z) || hi > zone_pfn0(z) + z->npages)
		return -EINVAL;

	/* Check everything before touching anything so failure leaves the zone as it was. */
	for (p = lo; p < hi; p = head + ORDER_PAGES(order)) {
		int r = find_block(z, p, &head, &order);

		if (r < 0)
			return r;
		if (!r)
			return -EBUSY;
	}

	for (p = lo; p < hi;) {
		u64 end, cs, ce, q;

		find_block(z, p, &head, &order);
		end = head + ORDER_PAGES(order);
		list_del(node_of(head));
		z->nfree[order]--;
		z->free_pages -= ORDER_PAGES(order);

		cs = MAX(head, lo);
		ce = MIN(end, hi);
		for (q = cs; q < ce; q++)
			*meta_of(z, q) = META_ALLOC | 0;
		insert_free_range(z, head, cs);
		insert_free_range(z, ce, end);
		p = ce;
	}
	return 0;
}

bool buddy_contains(const struct buddy_zone *z, const void *p)
{
	u64 addr = (u64)(uintptr_t)p;

	return addr >= z->base && (addr - z->base) >> BUDDY_PAGE_SHIFT < z->npages;
}

int buddy_order_for_size(u64 bytes)
{
	u64 pages = (bytes >> BUDDY_PAGE_SHIFT) + ((bytes & PAGE_MASK) != 0);
	int o = 0;

	while (o <= BUDDY_MAX_ORDER && ORDER_PAGES(o) < pages)
		o++;
	return o > BUDDY_MAX_ORDER ? -E2BIG : o;
}

int buddy_largest_free_order(const struct buddy_zone *z)
{
	int o;

	for (o = BUDDY_MAX_ORDER; o >= 0; o--)
		if (z->nfree[o])
			return o;
	return -ENOMEM;
}

static int check_lists(const struct buddy_zone *z)
{
	unsigned o;

	for (o = 0; o < BUDDY_ORDERS; o++) {
		const struct list_head *h = &z->free[o], *n = h;
		u64 count = 0;

		/* Bounded by nfree so a corrupted cycle cannot hang the checker. */
		while (count <= z->nfree[o]) {
			const struct list_head *next = n->next;

			if (next == h)
				break;
			if (((u64)(uintptr_t)next & PAGE_MASK) || !buddy_contains(z, next))
				return -EFAULT;
			if (next->prev != n || *meta_of(z, pfn_of(next)) != (META_FREE | o))
				return -EFAULT;
			n = next;
			count++;
		}
		if (count != z->nfree[o] || h->prev != n)
			return -EFAULT;
	}
	return 0;
}

int buddy_check(const struct buddy_zone *z)
{
	u64 counts[BUDDY_ORDERS] = { 0 };
	u64 pfn0 = zone_pfn0(z), i, j, free_pages = 0;
	unsigned o;

	if (z->base & PAGE_MASK)
		return -EFAULT;
	for (i = 0; i < z->npages; i += ORDER_PAGES(o)) {
		u8 m = z->meta[i];
		u64 pfn = pfn0 + i;

		o = m & META_ORDER_MASK;
		if ((m != (META_FREE | o) && m != (META_ALLOC | o)) || o > BUDDY_MAX_ORDER)
			return -EFAULT;
		if (!block_in_zone(z, pfn, o) || (pfn & (ORDER_PAGES(o) - 1)))
			return -EFAULT;
		for (j = 1; j < ORDER_PAGES(o); j++)
			if (z->meta[i + j] != META_TAIL)
				return -EFAULT;
		if (m & META_FREE) {
			u64 buddy = pfn ^ ORDER_PAGES(o);

			if (o < BUDDY_MAX_ORDER && block_in_zone(z, buddy, o) &&
			    *meta_of(z, buddy) == (META_FREE | o))
				return -EFAULT;
			counts[o]++;
			free_pages += ORDER_PAGES(o);
		}
	}
	for (o = 0; o < BUDDY_ORDERS; o++)
		if (counts[o] != z->nfree[o])
			return -EFAULT;
	if (free_pages != z->free_pages)
		return -EFAULT;
	return check_lists(z);
}
