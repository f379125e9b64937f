/*
 * libFuzzer: the MMIO load/store decoder on arbitrary instruction and htinst
 * values: every accepted encoding is self-consistent, htinst agrees with the
 * plain decoder, and a write-back touches rd only (never x0).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libs/insn.h"

static void check(const struct insn_access *a)
{
	if ((a->len != 2 && a->len != 4) || a->reg > 31 || (a->store && a->sign))
		abort();
	if (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insn_access a, b;
	u64 x[32], before[32], htinst = 0, raw = 0;
	u32 insn = 0;

	memcpy(&insn, data, MIN(size, sizeof(insn)));
	if (size > 4)
		memcpy(&htinst, data + 4, MIN(size - 4, sizeof(htinst)));
	if (size > 12)
		memcpy(&raw, data + 12, MIN(size - 12, sizeof(raw)));
	for (int i = 0; i < 32; i++)
		x[i] = before[i] = i ? raw ^ (u64)i : 0;

	if (insn_decode(insn, &a) == 0) {
		check(&a);
		if ((a.len == 4) != ((insn & 3) == 3))
			abort();
		insn_writeback(&a, x, raw);
		for (int i = 0; i < 32; i++)
			if (x[i] != before[i] && (a.store || i != a.reg || i == 0))
				abort();
		if (!a.store && a.reg && a.size < 8 && !a.sign && x[a.reg] >> (8 * a.size))
			abort();
		if (a.store && a.size < 8 && insn_store_value(&a, raw) >> (8 * a.size))
			abort();
	}
	if (insn_decode_htinst(htinst, &a) == 0) {
		check(&a);
		if (insn_decode((u32)htinst | 2, &b) || a.size != b.size || a.reg != b.reg ||
		    a.store != b.store || a.sign != b.sign || a.len != ((htinst & 2) ? 4 : 2))
			abort();
	}
	return 0;
}
