/*
 * MMIO load/store decoding (libs/insn): every supported form from encodings
 * the GNU assembler produced (the comments), their htinst transformations,
 * register mapping, extension, x0, and encodings that must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "libs/insn.h"

struct form {
	const char *text;
	u32 insn;
	u8 len, size, reg;
	bool store, sign;
};

static const struct form forms[] = {
	{ "lb a0,7(a1)", 0x00758503, 4, 1, 10, false, true },
	{ "lh t1,-2(s0)", 0xffe41303, 4, 2, 6, false, true },
	{ "lw s2,0(a2)", 0x00062903, 4, 4, 18, false, true },
	{ "ld ra,8(sp)", 0x00813083, 4, 8, 1, false, false },
	{ "lbu a5,5(a0)", 0x00554783, 4, 1, 15, false, false },
	{ "lhu t6,0(t0)", 0x0002df83, 4, 2, 31, false, false },
	{ "lwu gp,4(tp)", 0x00426183, 4, 4, 3, false, false },
	{ "lb zero,0(a0)", 0x00050003, 4, 1, 0, false, true },
	{ "lw zero,0(a0)", 0x00052003, 4, 4, 0, false, true },
	{ "sb a0,0(a1)", 0x00a58023, 4, 1, 10, true, false },
	{ "sh t1,2(a2)", 0x00661123, 4, 2, 6, true, false },
	{ "sw s11,-4(a3)", 0xffb6ae23, 4, 4, 27, true, false },
	{ "sd ra,16(sp)", 0x00113823, 4, 8, 1, true, false },
	{ "sd zero,0(a0)", 0x00053023, 4, 8, 0, true, false },
	/* Compressed: rd'/rs2' are x8..x15. */
	{ "c.lw a0,4(a1)", 0x41c8, 2, 4, 10, false, true },
	{ "c.lw s1,124(a5)", 0x5fe4, 2, 4, 9, false, true },
	{ "c.ld s1,8(a5)", 0x6784, 2, 8, 9, false, false },
	{ "c.sw a5,0(s0)", 0xc01c, 2, 4, 15, true, false },
	{ "c.sd a0,24(a2)", 0xee08, 2, 8, 10, true, false },
	{ "c.lwsp ra,12(sp)", 0x40b2, 2, 4, 1, false, true },
	{ "c.ldsp ra,8(sp)", 0x60a2, 2, 8, 1, false, false },
	{ "c.ldsp t6,8(sp)", 0x6fa2, 2, 8, 31, false, false },
	{ "c.swsp s2,4(sp)", 0xc24a, 2, 4, 18, true, false },
	{ "c.sdsp ra,16(sp)", 0xe806, 2, 8, 1, true, false },
	{ "c.sdsp zero,0(sp)", 0xe002, 2, 8, 0, true, false },
};

static void expect_form(const struct form *f, const struct insn_access *a)
{
	if (a->len != f->len || a->size != f->size || a->reg != f->reg || a->store != f->store ||
	    a->sign != f->sign)
		fail_msg("%s: got len %u size %u reg %u store %d sign %d", f->text, a->len, a->size,
			 a->reg, a->store, a->sign);
}

static void test_every_form(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		struct insn_access a;

		if (insn_decode(forms[i].insn, &a))
			fail_msg("%s (0x%08x) refused", forms[i].text, forms[i].insn);
		expect_form(&forms[i], &a);
	}
}

static void test_compressed_ignores_the_high_half(void **state)
{
	/* A 16-bit instruction fetched as 32 bits carries the next one above it. */
	struct insn_access a;

	assert_int_equal(insn_decode(0x12340000 | 0x41c8, &a), 0);
	expect_form(&forms[14], &a);
}

/*
 * The transformed instruction of an access: imm fields 0, rs1 replaced by the
 * address offset (0 here), and bit 1 cleared when the original was 16 bits.
 */
static u32 transform(u32 expanded, bool compressed)
{
	bool store = (expanded & 0x7f) == 0x23;
	u32 t = expanded & (store ? 0x01f0707f : 0x00007fff);

	return compressed ? t & ~2u : t;
}

/* The 32-bit equivalents of the compressed forms above. */
static const u32 expanded[] = {
	[14] = 0x0045a503, /* lw a0,4(a1) */
	[15] = 0x07c7a483, /* lw s1,124(a5) */
	[16] = 0x0087b483, /* ld s1,8(a5) */
	[17] = 0x00f42023, /* sw a5,0(s0) */
	[18] = 0x00a63c23, /* sd a0,24(a2) */
	[19] = 0x00c12083, /* lw ra,12(sp) */
	[20] = 0x00813083, /* ld ra,8(sp) */
	[21] = 0x00813f83, /* ld t6,8(sp) */
	[22] = 0x01212223, /* sw s2,4(sp) */
	[23] = 0x00113823, /* sd ra,16(sp) */
	[24] = 0x00013023, /* sd zero,0(sp) */
};

static void test_htinst_transformed(void **state)
{
	struct insn_access a;

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		bool compressed = forms[i].len == 2;
		u32 t = transform(compressed ? expanded[i] : forms[i].insn, compressed);

		if (insn_decode_htinst(t, &a))
			fail_msg("%s: htinst 0x%08x refused", forms[i].text, t);
		expect_form(&forms[i], &a);
	}
	/* The address-offset field (misaligned accesses) changes nothing. */
	assert_int_equal(insn_decode_htinst(0x00002903 | (3 << 15), &a), 0);
	expect_form(&forms[2], &a);
}

static void test_htinst_no_information_and_pseudoinstructions(void **state)
{
	struct insn_access a;

	assert_int_equal(insn_decode_htinst(0, &a), -ENOENT);
	assert_int_equal(insn_decode_htinst(0x00002000, &a), -EFAULT);
	assert_int_equal(insn_decode_htinst(0x00003000, &a), -EFAULT);
	assert_int_equal(insn_decode_htinst(0x00002020, &a), -EFAULT);
	assert_int_equal(insn_decode_htinst(0x00003020, &a), -EFAULT);
	/* Bit 0 clear but not a pseudoinstruction: reserved. */
	assert_int_equal(insn_decode_htinst(0x00002902, &a), -EINVAL);
	/* Bits above 31 are not part of any instruction. */
	assert_int_equal(insn_decode_htinst(0x100002903ULL, &a), -EINVAL);
	/* A transformed AMO is not an access Keel emulates. */
	assert_int_equal(insn_decode_htinst(0x00b0252f, &a), -EINVAL);
}

static void test_invalid_encodings(void **state)
{
	static const struct {
		const char *text;
		u32 insn;
	} bad[] = {
		{ "all zero (illegal)", 0x00000000 },
		{ "all ones", 0xffffffff },
		{ "LOAD funct3 7", 0x00057503 },
		{ "STORE funct3 4", 0x00a5c023 },
		{ "amoadd.w a0,a1,(a2)", 0x00b6252f },
		{ "lr.d a0,(a1)", 0x1005b52f },
		{ "flw fa0,0(a0)", 0x00052507 },
		{ "c.fsd fa0,8(a0)", 0xa508 },
		{ "c.fld fa0,8(a1)", 0x2588 },
		{ "c.fldsp fa0,8(sp)", 0x2522 },
		{ "c.addi4spn a0,sp,16", 0x0808 },
		{ "c.li a0,1", 0x4505 },
		{ "c.lwsp x0 (reserved)", 0x4002 },
		{ "c.ldsp x0 (reserved)", 0x6002 },
		{ "quadrant 0 funct3 4 (reserved)", 0x8000 },
		{ "48-bit instruction", 0x0000001f },
		{ "addi a0,a0,1", 0x00150513 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct insn_access a;

		if (insn_decode(bad[i].insn, &a) != -EINVAL)
			fail_msg("%s (0x%08x) accepted", bad[i].text, bad[i].insn);
	}
}

/* Every 16-bit encoding: exactly the eight compressed forms decode, each consistently. */
static void test_every_16bit_encoding(void **state)
{
	unsigned int accepted = 0;

	for (u32 insn = 0; insn < 0x10000; insn++) {
		struct insn_access a;
		u32 q = insn & 3, funct3 = insn >> 13;

		if ((insn & 3) == 3)
			continue;
		if (insn_decode(insn, &a))
			continue;
		accepted++;
		assert_true(q == 0 || q == 2);
		assert_true(funct3 == 2 || funct3 == 3 || funct3 == 6 || funct3 == 7);
		assert_int_equal(a.len, 2);
		assert_int_equal(a.size, (funct3 & 1) ? 8 : 4);
		assert_int_equal(a.store, funct3 >= 6);
		assert_int_equal(a.sign, funct3 == 2);
		if (q == 0)
			assert_true(a.reg >= 8 && a.reg <= 15);
		else if (!a.store)
			assert_true(a.reg != 0);
	}
	/* 8 forms of 2^11 encodings each; C.LWSP and C.LDSP lose rd = 0 (2^6 each) */
	assert_int_equal(accepted, 8 * 2048 - 2 * 64);
}

static void test_load_extension(void **state)
{
	static const struct {
		u8 size;
		bool sign;
		u64 raw, want;
	} cases[] = {
		{ 1, true, 0xa5, 0xffffffffffffffa5ULL },
		{ 1, false, 0xa5, 0xa5 },
		{ 1, true, 0x7f, 0x7f },
		{ 1, true, 0x1234567890abcd80ULL, 0xffffffffffffff80ULL }, /* high bytes ignored */
		{ 1, false, 0x1234567890abcd80ULL, 0x80 },
		{ 2, true, 0x8001, 0xffffffffffff8001ULL },
		{ 2, false, 0x8001, 0x8001 },
		{ 4, true, 0x80000000, 0xffffffff80000000ULL },
		{ 4, false, 0x80000000, 0x80000000 },
		{ 4, true, 0xffffffff7fffffffULL, 0x7fffffff },
		{ 8, false, 0x8000000000000001ULL, 0x8000000000000001ULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct insn_access a = {
			.len = 4, .size = cases[i].size, .reg = 5, .sign = cases[i].sign
		};
		u64 x[32] = { 0 };

		x[5] = 0xdeadbeef;
		insn_writeback(&a, x, cases[i].raw);
		assert_int_equal(x[5], cases[i].want);
	}
}

static void test_x0_and_stores_write_no_register(void **state)
{
	struct insn_access a;
	u64 x[32], before[32];

	for (int i = 0; i < 32; i++)
		x[i] = before[i] = i ? 0x1000 + i : 0;
	assert_int_equal(insn_decode(0x00050003, &a), 0); /* lb zero,0(a0) */
	insn_writeback(&a, x, 0xff);
	assert_memory_equal(x, before, sizeof(x));
	assert_int_equal(insn_decode(0x00a58023, &a), 0); /* sb a0,0(a1) */
	insn_writeback(&a, x, 0xff);
	assert_memory_equal(x, before, sizeof(x));
	/* and a load writes only its rd */
	assert_int_equal(insn_decode(0x00758503, &a), 0); /* lb a0,7(a1) */
	insn_writeback(&a, x, 0x01);
	before[10] = 1;
	assert_memory_equal(x, before, sizeof(x));
}

static void test_store_value(void **state)
{
	static const struct {
		u8 size;
		u64 reg, want;
	} cases[] = {
		{ 1, 0xffffffffffffff80ULL, 0x80 },
		{ 2, 0x123456789abcdef0ULL, 0xdef0 },
		{ 4, 0x123456789abcdef0ULL, 0x9abcdef0 },
		{ 8, 0x123456789abcdef0ULL, 0x123456789abcdef0ULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct insn_access a = { .len = 4, .size = cases[i].size, .store = true };

		assert_int_equal(insn_store_value(&a, cases[i].reg), cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_form),
		cmocka_unit_test(test_compressed_ignores_the_high_half),
		cmocka_unit_test(test_htinst_transformed),
		cmocka_unit_test(test_htinst_no_information_and_pseudoinstructions),
		cmocka_unit_test(test_invalid_encodings),
		cmocka_unit_test(test_every_16bit_encoding),
		cmocka_unit_test(test_load_extension),
		cmocka_unit_test(test_x0_and_stores_write_no_register),
		cmocka_unit_test(test_store_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
