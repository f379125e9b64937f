/*
 * The ns16550A model (emulators/ns16550.c, included): reset values, the
 * divisor latch, LSR and IIR after a transmit, the receive FIFO and overrun,
 * IIR's priorities, refused accesses, and that an access said to keep the
 * interrupt line (EMU_LINE_KEPT) never moved it: every read and write of
 * these tests checks that.  The guest's virtual serial line is
 * a stub: what the guest sent, and what was typed.  Expected register values
 * are the datasheet's numbers, not the model's names for them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emulators/ns16550.c"

/* ------------------------------------------------ the virtual serial line */

static char sent[256];
static size_t nr_sent;
static const char *typed = "";
static struct guest guest;

/* Type @s on the guest's line (what vserial_has_input sees: the ring's indices). */
static void type(const char *s)
{
	typed = s;
	guest.vserial.rx_tail = 0;
	guest.vserial.rx_head = (u32)strlen(s);
}

void vserial_write(struct vserial *vs, const char *s, size_t n)
{
	assert_true(nr_sent + n <= sizeof(sent));
	memcpy(sent + nr_sent, s, n);
	nr_sent += n;
}

size_t vserial_read(struct vserial *vs, u8 *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && *typed; i++)
		buf[i] = (u8)*typed++;
	vs->rx_tail += (u32)i;
	return i;
}

/* ------------------------------------------------------------ helpers */

static int setup(void **state)
{
	struct emu_dev *d = calloc(1, sizeof(*d) + sizeof(struct ns16550));

	d->emu = &emulator_ns16550;
	d->guest = &guest;
	d->state_size = sizeof(struct ns16550);
	d->emu->init(d);
	nr_sent = 0;
	type("");
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* A served access: 0, or EMU_LINE_KEPT only when the line's level did not move. */
static void served(struct emu_dev *d, int r, bool level_before)
{
	if (r == EMU_LINE_KEPT)
		assert_int_equal(d->emu->irq_pending(d), level_before);
	else
		assert_int_equal(r, 0);
}

static u8 rd(struct emu_dev *d, u64 off)
{
	bool level = d->emu->irq_pending(d);
	u64 v = 0xdead;

	served(d, d->emu->read(d, off, 1, &v), level);
	assert_true(v <= 0xff);
	return (u8)v;
}

static void wr(struct emu_dev *d, u64 off, u8 v)
{
	bool level = d->emu->irq_pending(d);

	served(d, d->emu->write(d, off, 1, v), level);
}

/* ------------------------------------------------------------ tests */

static void test_reset_values(void **state)
{
	struct emu_dev *d = *state;

	assert_int_equal(rd(d, REG_IER), 0);
	assert_int_equal(rd(d, REG_IIR), 0x01);
	assert_int_equal(rd(d, REG_LCR), 0);
	assert_int_equal(rd(d, REG_MCR), 0x08);
	assert_int_equal(rd(d, REG_LSR), 0x60);
	assert_int_equal(rd(d, REG_MSR), 0xb0);
	assert_int_equal(rd(d, REG_SCR), 0);
	assert_int_equal(rd(d, REG_RBR), 0); /* nothing received */
	assert_false(d->emu->irq_pending(d));
	/* 9600 baud: divisor 12. */
	wr(d, REG_LCR, LCR_DLAB);
	assert_int_equal(rd(d, REG_RBR), 0x0c);
	assert_int_equal(rd(d, REG_IER), 0x00);
}

static void test_divisor_latch(void **state)
{
	struct emu_dev *d = *state;

	wr(d, REG_IER, IER_RDI);
	wr(d, REG_LCR, LCR_DLAB | 0x03);
	wr(d, REG_RBR, 0x01);
	wr(d, REG_IER, 0x02);
	assert_int_equal(rd(d, REG_RBR), 0x01);
	assert_int_equal(rd(d, REG_IER), 0x02);
	assert_int_equal(rd(d, REG_LCR), LCR_DLAB | 0x03);
	/* Nothing was sent, IER kept its value. */
	assert_int_equal(nr_sent, 0);
	wr(d, REG_LCR, 0x03);
	assert_int_equal(rd(d, REG_IER), IER_RDI);
	wr(d, REG_LCR, LCR_DLAB);
	assert_int_equal(rd(d, REG_RBR), 0x01);
	assert_int_equal(rd(d, REG_IER), 0x02);
}

static void test_transmit(void **state)
{
	struct emu_dev *d = *state;

	wr(d, REG_RBR, 'h');
	wr(d, REG_RBR, 'i');
	assert_int_equal(nr_sent, 2);
	assert_memory_equal(sent, "hi", 2);
	/* Sent at once: THR and the shift register are empty. */
	assert_int_equal(rd(d, REG_LSR), 0x60);
	/* THR empty is pending, but not enabled. */
	assert_int_equal(rd(d, REG_IIR), 0x01);
	assert_false(d->emu->irq_pending(d));
	wr(d, REG_IER, IER_THRI);
	assert_true(d->emu->irq_pending(d));
	assert_int_equal(rd(d, REG_IIR), 0x02);
	/* That read acknowledged it. */
	assert_int_equal(rd(d, REG_IIR), 0x01);
	assert_false(d->emu->irq_pending(d));
	wr(d, REG_RBR, '!');
	assert_true(d->emu->irq_pending(d));
	assert_int_equal(rd(d, REG_IIR), 0x02);
	/* Enabling THRI again (it is on) raises nothing; off and on raises it. */
	wr(d, REG_IER, IER_THRI);
	assert_int_equal(rd(d, REG_IIR), 0x01);
	wr(d, REG_IER, 0);
	wr(d, REG_IER, IER_THRI);
	assert_int_equal(rd(d, REG_IIR), 0x02);
	assert_int_equal(nr_sent, 3);
}

static void test_receive_fifo(void **state)
{
	struct emu_dev *d = *state;
	char got[32];

	wr(d, REG_IIR, FCR_FE); /* FCR */
	assert_int_equal(rd(d, REG_IIR), 0xc0 | 0x01);
	type("0123456789abcdefXYZ");
	/* Typed bytes raise the line before they are in the FIFO. */
	assert_false(d->emu->irq_pending(d));
	wr(d, REG_IER, IER_RDI);
	assert_true(d->emu->irq_pending(d));
	assert_int_equal(rd(d, REG_LSR), 0x61);
	assert_int_equal(rd(d, REG_IIR), 0xc0 | 0x04);
	/* 16 entered the FIFO, the rest waits on the line: no overrun. */
	assert_string_equal(typed, "XYZ");
	for (int i = 0; i < 16; i++)
		got[i] = (char)rd(d, REG_RBR);
	assert_memory_equal(got, "0123456789abcdef", 16);
	/* Reading RBR let the rest in. */
	for (int i = 0; i < 3; i++)
		got[i] = (char)rd(d, REG_RBR);
	assert_memory_equal(got, "XYZ", 3);
	assert_int_equal(rd(d, REG_LSR), 0x60);
	assert_int_equal(rd(d, REG_IIR), 0xc0 | 0x01);
	assert_false(d->emu->irq_pending(d));
}

static void test_no_fifo_holds_one_byte(void **state)
{
	struct emu_dev *d = *state;

	type("ab");
	assert_int_equal(rd(d, REG_LSR), 0x61);
	assert_string_equal(typed, "b");
	assert_int_equal(rd(d, REG_RBR), 'a');
	assert_int_equal(rd(d, REG_RBR), 'b');
	assert_int_equal(rd(d, REG_LSR), 0x60);
}

static void test_overrun(void **state)
{
	struct emu_dev *d = *state;

	/* Loopback: THR into the receiver, which can overrun. */
	wr(d, REG_MCR, MCR_LOOP);
	wr(d, REG_RBR, 'a');
	wr(d, REG_RBR, 'b'); /* FIFOs off: one byte */
	assert_int_equal(nr_sent, 0);
	assert_int_equal(rd(d, REG_LSR), 0x63);
	/* Reading LSR clears OE. */
	assert_int_equal(rd(d, REG_LSR), 0x61);
	assert_int_equal(rd(d, REG_RBR), 'a');
	assert_int_equal(rd(d, REG_LSR), 0x60);
	/* With the FIFOs, the 17th byte overruns; the first 16 are kept. */
	wr(d, REG_IIR, FCR_FE);
	for (int i = 0; i < 17; i++)
		wr(d, REG_RBR, (u8)('A' + i));
	assert_int_equal(rd(d, REG_LSR), 0x63);
	for (int i = 0; i < 16; i++)
		assert_int_equal(rd(d, REG_RBR), 'A' + i);
	assert_int_equal(rd(d, REG_LSR), 0x60);
	/* Typed input is cut in loopback. */
	type("x");
	assert_int_equal(rd(d, REG_LSR), 0x60);
	wr(d, REG_IER, IER_RDI);
	assert_false(d->emu->irq_pending(d));
}

/* The model says when an access cannot have moved its line: the framework then does not ask. */
static void test_line_kept_only_when_it_is(void **state)
{
	struct emu_dev *d = *state;
	u64 v;

	/* An overrun, reported as a receiver line status interrupt. */
	wr(d, REG_MCR, MCR_LOOP);
	wr(d, REG_RBR, 'a');
	wr(d, REG_RBR, 'b');
	wr(d, REG_IER, IER_RLSI);
	assert_true(d->emu->irq_pending(d));
	/* Reading LSR clears it: the line falls, and the read does not claim otherwise. */
	assert_int_equal(d->emu->read(d, REG_LSR, 1, &v), 0);
	assert_int_equal(v, 0x63);
	assert_false(d->emu->irq_pending(d));
	/* Nothing left to clear: LSR, LCR and SCR keep the line. */
	assert_int_equal(d->emu->read(d, REG_LSR, 1, &v), EMU_LINE_KEPT);
	assert_int_equal(d->emu->read(d, REG_LCR, 1, &v), EMU_LINE_KEPT);
	assert_int_equal(d->emu->write(d, REG_SCR, 1, 0x5a), EMU_LINE_KEPT);
}

static void test_iir_priorities(void **state)
{
	struct emu_dev *d = *state;

	wr(d, REG_MCR, MCR_LOOP);
	wr(d, REG_RBR, '1');
	wr(d, REG_RBR, '2'); /* overrun */
	wr(d, REG_IER, IER_RDI | IER_THRI | IER_RLSI);
	/* Line status first, then received data, then THR empty. */
	assert_int_equal(rd(d, REG_IIR), 0x06);
	assert_int_equal(rd(d, REG_IIR), 0x06); /* reading IIR clears nothing else */
	rd(d, REG_LSR);
	assert_int_equal(rd(d, REG_IIR), 0x04);
	assert_int_equal(rd(d, REG_RBR), '1');
	assert_true(d->emu->irq_pending(d));
	assert_int_equal(rd(d, REG_IIR), 0x02);
	assert_int_equal(rd(d, REG_IIR), 0x01);
	assert_false(d->emu->irq_pending(d));
	/* Disabled sources are not reported. */
	wr(d, REG_RBR, '3');
	wr(d, REG_RBR, '4');
	wr(d, REG_IER, IER_THRI);
	assert_int_equal(rd(d, REG_IIR), 0x02);
	assert_int_equal(rd(d, REG_IIR), 0x01);
	assert_int_equal(rd(d, REG_LSR), 0x63);
}

static void test_fcr_and_loopback_modem_lines(void **state)
{
	struct emu_dev *d = *state;

	wr(d, REG_MCR, MCR_LOOP);
	wr(d, REG_IIR, FCR_FE);
	wr(d, REG_RBR, 'a');
	wr(d, REG_RBR, 'b');
	/* Clearing the receive FIFO. */
	wr(d, REG_IIR, FCR_FE | FCR_RFR);
	assert_int_equal(rd(d, REG_LSR), 0x60);
	/* Switching the FIFOs off clears them too. */
	wr(d, REG_RBR, 'c');
	wr(d, REG_IIR, 0);
	assert_int_equal(rd(d, REG_LSR), 0x60);
	assert_int_equal(rd(d, REG_IIR), 0x01);
	/* DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD. */
	wr(d, REG_MCR, MCR_LOOP | 0x01);
	assert_int_equal(rd(d, REG_MSR), 0x20);
	wr(d, REG_MCR, MCR_LOOP | 0x02);
	assert_int_equal(rd(d, REG_MSR), 0x10);
	wr(d, REG_MCR, MCR_LOOP | 0x04);
	assert_int_equal(rd(d, REG_MSR), 0x40);
	wr(d, REG_MCR, MCR_LOOP | 0x08);
	assert_int_equal(rd(d, REG_MSR), 0x80);
	/* MCR keeps its low five bits; LSR and MSR ignore writes; SCR keeps anything. */
	wr(d, REG_MCR, 0xff);
	assert_int_equal(rd(d, REG_MCR), 0x1f);
	wr(d, REG_MCR, 0x08);
	wr(d, REG_LSR, 0);
	wr(d, REG_MSR, 0);
	assert_int_equal(rd(d, REG_LSR), 0x60);
	assert_int_equal(rd(d, REG_MSR), 0xb0);
	wr(d, REG_SCR, 0xa5);
	assert_int_equal(rd(d, REG_SCR), 0xa5);
}

static void test_refused_accesses(void **state)
{
	struct emu_dev *d = *state;
	static const unsigned int sizes[] = { 2, 4, 8 };
	u64 v;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(d->emu->read(d, 0, sizes[i], &v), -EINVAL);
		assert_int_equal(d->emu->write(d, 0, sizes[i], 'x'), -EINVAL);
		assert_int_equal(d->emu->read(d, 4, sizes[i], &v), -EINVAL);
	}
	assert_int_equal(d->emu->read(d, NR_REGS, 1, &v), -EINVAL);
	assert_int_equal(d->emu->write(d, NR_REGS, 1, 'x'), -EINVAL);
	assert_int_equal(d->emu->read(d, 0x100, 1, &v), -EINVAL);
	assert_int_equal(nr_sent, 0);
	assert_int_equal(d->emu->min_size, NR_REGS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_values),
		T(test_divisor_latch),
		T(test_transmit),
		T(test_receive_fifo),
		T(test_no_fifo_holds_one_byte),
		T(test_overrun),
		T(test_line_kept_only_when_it_is),
		T(test_iir_priorities),
		T(test_fcr_and_loopback_modem_lines),
		T(test_refused_accesses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
