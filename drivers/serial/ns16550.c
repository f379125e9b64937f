/*
 * ns16550-compatible UART for the console (the DT stdout-path node).  The
 * firmware already set the line parameters; Keel only enables the FIFOs and
 * the receive interrupt.  Output is polled, 16 bytes per FIFO-empty wait.
 */
#include "core/driver.h"
#include "core/irq.h"
#include "core/mm.h"
#include "core/printk.h"
#include "arch/riscv/mmu.h"
#include "libs/fdtinfo.h"
#include <libfdt.h>

#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define FIFO_DEPTH 16

struct ns16550 {
	volatile u8 *base;
	u32 shift, width;
	u32 irq;
};

static struct ns16550 uart;

static u8 uart_in(struct ns16550 *u, int reg)
{
	if (u->width == 4)
		return *(volatile u32 *)(u->base + (reg << u->shift));
	return u->base[reg << u->shift];
}

static void uart_out(struct ns16550 *u, int reg, u8 v)
{
	if (u->width == 4)
		*(volatile u32 *)(u->base + (reg << u->shift)) = v;
	else
		u->base[reg << u->shift] = v;
}

static void ns16550_write(void *ctx, const char *s, size_t n)
{
	struct ns16550 *u = ctx;

	while (n) {
		while (!(uart_in(u, UART_LSR) & LSR_THRE))
			;
		for (int i = 0; i < FIFO_DEPTH && n; i++, n--)
			uart_out(u, UART_THR, (u8)*s++);
	}
}

static void ns16550_irq(u32 irq, void *arg)
{
	struct ns16550 *u = arg;

	while (uart_in(u, UART_LSR) & LSR_DR) {
		if (!console_rx_room()) {
			/* Leave the rest in the FIFO: the sender is held back, nothing is lost. */
			uart_out(u, UART_IER, 0);
			console_rx_throttle();
			return;
		}
		console_rx_push(uart_in(u, UART_RBR));
	}
}

static void ns16550_rx_resume(void *ctx)
{
	struct ns16550 *u = ctx;

	uart_out(u, UART_IER, 0x01);
}

static const struct console_ops ns16550_console = { "ns16550", ns16550_write, ns16550_rx_resume,
						    &uart };

static u32 prop_u32(const void *fdt, int node, const char *name, u32 def)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	return p && len == 4 ? fdt32_to_cpu(*p) : def;
}

static int ns16550_probe(const void *fdt, int node)
{
	u64 base, size;
	int err;

	if (uart.base || fdt_stdout_node(fdt) != node)
		return -ENODEV;
	err = fdt_node_reg(fdt, node, 0, &base, &size);
	if (err)
		return err;
	uart.shift = prop_u32(fdt, node, "reg-shift", 0);
	uart.width = prop_u32(fdt, node, "reg-io-width", 1);
	if (uart.shift > 3 || (uart.width != 1 && uart.width != 4))
		return -EINVAL;
	err = mmu_map_io(base, size ? size : PAGE_SIZE);
	if (err)
		return err;
	uart.base = (volatile u8 *)base;
	uart_out(&uart, UART_IER, 0);
	/* FIFOs on, receive FIFO cleared; the transmit FIFO may still hold SBI output. */
	uart_out(&uart, UART_FCR, 0x03);
	uart_out(&uart, UART_MCR, 0x0b);
	console_register(&ns16550_console);
	if (fdt_irq_number(fdt, node, 0, &uart.irq) == 0 &&
	    irq_register(uart.irq, 0, "ns16550 console", ns16550_irq, &uart) == 0) {
		uart_out(&uart, UART_IER, 0x01);
		/* Drain what arrived before the interrupt was enabled. */
		ns16550_irq(uart.irq, &uart);
	} else {
		printk("ns16550: no usable interrupt: console input unavailable\n");
	}
	return 0;
}

static const char *const ns16550_compat[] = { "ns16550a", "ns16550", "snps,dw-apb-uart", NULL };
DRIVER_DECLARE(ns16550, .name = "ns16550", .compatible = ns16550_compat, .level = DRIVER_CONSOLE,
	       .probe = ns16550_probe);
