/*
 * The console: printk formats into a per-call buffer and writes it through
 * the registered console (the UART once probed, the SBI console before).
 * Input arrives from the console driver's interrupt into a ring buffer.
 */
#include "core/printk.h"
#include "core/spinlock.h"
#include "core/waitqueue.h"
#include "arch/riscv/sbi.h"
#include <stdio.h>

static void sbi_con_write(void *ctx, const char *s, size_t n)
{
	sbi_console_write(s, n);
}

static const struct console_ops sbi_console = { "sbi", sbi_con_write, NULL, NULL };
static const struct console_ops no_console = { "none", NULL, NULL, NULL };
/* Until a driver registers, messages go to SBI, or nowhere without EARLY_SBI_CONSOLE. */
static const struct console_ops *con =
	IS_ENABLED(CONFIG_EARLY_SBI_CONSOLE) ? &sbi_console : &no_console;
static spinlock_t con_lock = SPINLOCK_INIT;
bool console_panicking;

#define RX_SIZE 1024
static u8 rx_ring[RX_SIZE];
static volatile u32 rx_head, rx_tail;
static bool rx_throttled;
static spinlock_t rx_lock = SPINLOCK_INIT;
static struct waitqueue rx_wq = WAITQUEUE_INIT(rx_wq);

void console_register(const struct console_ops *ops)
{
	unsigned long flags = spin_lock_irqsave(&con_lock);

	con = ops;
	spin_unlock_irqrestore(&con_lock, flags);
}

const char *console_name(void)
{
	return con->name;
}

/* Terminals want CR LF; callers write plain '\n'. */
static void console_put_crlf(const char *s, size_t n)
{
	size_t start = 0;

	if (!con->write)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		if (i > start)
			con->write(con->ctx, s + start, i - start);
		con->write(con->ctx, "\r\n", 2);
		start = i + 1;
	}
	if (n > start)
		con->write(con->ctx, s + start, n - start);
}

static void console_output(const char *s, size_t n, bool crlf)
{
	unsigned long flags = irq_save();

	/* A panic must get its report out even if a hart died holding the lock. */
	if (console_panicking) {
		spin_trylock(&con_lock);
	} else {
		spin_lock(&con_lock);
	}
	if (crlf)
		console_put_crlf(s, n);
	else if (con->write)
		con->write(con->ctx, s, n);
	spin_unlock(&con_lock);
	irq_restore(flags);
}

void console_write(const char *s, size_t n)
{
	console_output(s, n, true);
}

void console_write_raw(const char *s, size_t n)
{
	console_output(s, n, false);
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, n);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

bool console_rx_room(void)
{
	return rx_head - rx_tail < RX_SIZE;
}

/* Interrupt context, after console_rx_room() said yes. */
void console_rx_push(u8 c)
{
	spin_lock(&rx_lock);
	rx_ring[rx_head % RX_SIZE] = c;
	rx_head++;
	spin_unlock(&rx_lock);
	waitqueue_wake_all(&rx_wq);
}

void console_rx_throttle(void)
{
	spin_lock(&rx_lock);
	rx_throttled = true;
	spin_unlock(&rx_lock);
}

static bool rx_pop(int *c)
{
	unsigned long flags = spin_lock_irqsave(&rx_lock);
	bool got = rx_head != rx_tail, resume = false;

	if (got) {
		*c = rx_ring[rx_tail % RX_SIZE];
		rx_tail++;
		resume = rx_throttled;
		rx_throttled = false;
	}
	spin_unlock_irqrestore(&rx_lock, flags);
	if (resume && con->rx_resume)
		con->rx_resume(con->ctx);
	return got;
}

int console_getc(void)
{
	int c = 0;

	wait_event(&rx_wq, rx_pop(&c));
	return c;
}
