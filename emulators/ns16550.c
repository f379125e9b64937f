/*
 * An emulated ns16550A UART, register-compatible with QEMU's (hw/char/serial.c)
 * at reg-shift 0: byte accesses to its eight registers, anything else is
 * refused.  Transmitted bytes go to the guest's virtual serial line at once
 * (THR is always empty); received bytes come from it into a 16-byte FIFO (one
 * byte with the FIFOs off).  Loopback (MCR bit 4) loops THR into the FIFO and
 * MCR into MSR.  The receive trigger level is not modelled: data available is
 * reported from the first byte.  Its interrupt line (irq_pending: received
 * data, THR empty, line status, as IIR reports them) goes to the guest's
 * virtual PLIC; typed bytes raise it before they enter the FIFO (the
 * framework asks again when the serial line gets some).  The generated DTB's stdout-path names it.
 */
#include "core/emulator.h"
#include "core/guest.h"
#include <libfdt.h>

#define REG_RBR 0 /* read, DLAB 0; THR on write; DLL with DLAB 1 */
#define REG_IER 1 /* DLM with DLAB 1 */
#define REG_IIR 2 /* read; FCR on write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define NR_REGS 8

#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_FIFO 0xc0
#define FCR_FE 0x01  /* FIFOs enabled */
#define FCR_RFR 0x02 /* clear the receive FIFO */
#define FCR_XFR 0x04 /* clear the transmit FIFO */
#define FCR_KEPT 0xc9
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define MCR_KEPT 0x1f
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
/* Modem lines at reset, as QEMU reports them when its back end has none: DCD, DSR, CTS. */
#define MSR_RESET 0xb0

#define FIFO_SIZE 16
/* QEMU virt's UART clock: what Linux's of_serial needs to compute divisors. */
#define CLOCK_HZ 3686400

struct ns16550 {
	u8 ier, fcr, lcr, mcr, scr;
	u16 divisor;
	bool thr_ipending; /* THR empty, not yet acknowledged by reading IIR */
	bool overrun;
	u8 rx[FIFO_SIZE];
	unsigned int rx_head, rx_count;
};

static struct ns16550 *state(struct emu_dev *d)
{
	return (struct ns16550 *)d->state;
}

static unsigned int rx_depth(const struct ns16550 *u)
{
	return (u->fcr & FCR_FE) ? FIFO_SIZE : 1;
}

static void rx_put(struct ns16550 *u, u8 c)
{
	if (u->rx_count == rx_depth(u)) {
		u->overrun = true;
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = c;
}

/* Take what was typed into the free part of the FIFO (the line is cut in loopback). */
static void rx_fill(struct emu_dev *d)
{
	struct ns16550 *u = state(d);
	u8 buf[FIFO_SIZE];
	size_t n;

	if (u->mcr & MCR_LOOP || u->rx_count == rx_depth(u) ||
	    !vserial_has_input(&d->guest->vserial))
		return;
	n = vserial_read(&d->guest->vserial, buf, rx_depth(u) - u->rx_count);
	for (size_t i = 0; i < n; i++)
		rx_put(u, buf[i]);
}

static u8 iir(const struct ns16550 *u)
{
	u8 id = IIR_NO_INT;

	if ((u->ier & IER_RLSI) && u->overrun)
		id = IIR_RLSI;
	else if ((u->ier & IER_RDI) && u->rx_count)
		id = IIR_RDI;
	else if ((u->ier & IER_THRI) && u->thr_ipending)
		id = IIR_THRI;
	return id | ((u->fcr & FCR_FE) ? IIR_FIFO : 0);
}

static u8 msr(const struct ns16550 *u)
{
	/* Loopback: DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD. */
	if (u->mcr & MCR_LOOP)
		return (u8)((u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3 | (u->mcr & 0x0c) << 4);
	return MSR_RESET;
}

static void ns16550_init(struct emu_dev *d)
{
	struct ns16550 *u = state(d);

	/* QEMU's reset values: 9600 baud, OUT2 set. */
	u->divisor = 0x0c;
	u->mcr = 0x08;
}

/*
 * Only taking a received byte, acknowledging THR empty or clearing an
 * overrun can move the line (typed bytes entering the FIFO leave it high).
 */
static int ns16550_read(struct emu_dev *d, u64 off, unsigned int size, u64 *val)
{
	struct ns16550 *u = state(d);
	int r = EMU_LINE_KEPT;
	u8 v = 0;

	if (size != 1 || off >= NR_REGS)
		return -EINVAL;
	/* Typed bytes enter the FIFO as the guest looks at the UART. */
	rx_fill(d);
	switch (off) {
	case REG_RBR:
		if (u->lcr & LCR_DLAB) {
			v = (u8)u->divisor;
		} else if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
			u->rx_count--;
			r = 0;
		}
		break;
	case REG_IER:
		v = (u->lcr & LCR_DLAB) ? (u8)(u->divisor >> 8) : u->ier;
		break;
	case REG_IIR:
		v = iir(u);
		/* Reading IIR acknowledges a THR-empty interrupt it reports. */
		if ((v & 0x0f) == IIR_THRI) {
			u->thr_ipending = false;
			r = 0;
		}
		break;
	case REG_LCR:
		v = u->lcr;
		break;
	case REG_MCR:
		v = u->mcr;
		break;
	case REG_LSR:
		v = (u->rx_count ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
		if (u->overrun) {
			v |= LSR_OE;
			u->overrun = false;
			r = 0;
		}
		break;
	case REG_MSR:
		v = msr(u);
		break;
	case REG_SCR:
		v = u->scr;
		break;
	}
	*val = v;
	return r;
}

static int ns16550_write(struct emu_dev *d, u64 off, unsigned int size, u64 val)
{
	struct ns16550 *u = state(d);
	u8 v = (u8)val, changed;

	if (size != 1 || off >= NR_REGS)
		return -EINVAL;
	switch (off) {
	case REG_RBR:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (u16)((u->divisor & 0xff00) | v);
			break;
		}
		if (u->mcr & MCR_LOOP)
			rx_put(u, v);
		else
			vserial_write(&d->guest->vserial, (const char *)&v, 1);
		/* Sent at once: THR is empty again. */
		u->thr_ipending = true;
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (u16)((u->divisor & 0x00ff) | v << 8);
			break;
		}
		changed = (u->ier ^ v) & 0x0f;
		u->ier = v & 0x0f;
		/* Enabling the THR-empty interrupt raises it, THR being empty (as QEMU does). */
		if (changed & IER_THRI)
			u->thr_ipending = (u->ier & IER_THRI) != 0;
		break;
	case REG_IIR: /* FCR */
		/* Switching the FIFOs on or off clears them. */
		if ((v ^ u->fcr) & FCR_FE)
			v |= FCR_RFR | FCR_XFR;
		if (v & FCR_RFR)
			u->rx_count = u->rx_head = 0;
		if (v & FCR_XFR)
			u->thr_ipending = true;
		u->fcr = v & FCR_KEPT;
		break;
	case REG_LCR:
		u->lcr = v;
		return EMU_LINE_KEPT;
	case REG_MCR:
		u->mcr = v & MCR_KEPT;
		break;
	case REG_SCR:
		u->scr = v;
		return EMU_LINE_KEPT;
	default: /* LSR and MSR: writes are ignored */
		return EMU_LINE_KEPT;
	}
	return 0;
}

static bool ns16550_irq_pending(struct emu_dev *d)
{
	struct ns16550 *u = state(d);
	/*
	 * Typed bytes count as received data before they are in the FIFO (the
	 * guest's next read takes them in): taking them now would leave
	 * nothing for a guest that reads its console through SBI.
	 */
	return (iir(u) & IIR_NO_INT) == 0 || ((u->ier & IER_RDI) && !(u->mcr & MCR_LOOP) &&
					      vserial_has_input(&d->guest->vserial));
}

static int ns16550_fdt_props(const struct emu_dev *d, void *fdt)
{
	return fdt_property_u32(fdt, "clock-frequency", CLOCK_HZ);
}

EMULATOR_DECLARE(ns16550, "ns16550a", .state_size = sizeof(struct ns16550), .min_size = NR_REGS,
		 .init = ns16550_init, .read = ns16550_read, .write = ns16550_write,
		 .irq_pending = ns16550_irq_pending, .console = true,
		 .fdt_props = ns16550_fdt_props);
