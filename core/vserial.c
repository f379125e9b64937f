/*
 * Virtual serial lines, one per guest.  The output side is fed by the
 * emulated UART and the SBI console on the guest's VCPU threads; the input
 * side by the shell thread while the console is bound to the guest.  One
 * spinlock per line, held for bounded work only (a console line at most).
 */
#include "core/vserial.h"
#include "core/printk.h"

void vserial_init(struct vserial *vs, const char *name, void (*input)(void *arg), void *arg)
{
	vs->lock = (spinlock_t)SPINLOCK_INIT;
	vs->name = name;
	vs->input = input;
	vs->input_arg = arg;
}

static void flush_line(struct vserial *vs)
{
	vs->line[vs->line_len] = '\0';
	printk("[%s] %s\n", vs->name, vs->line);
	vs->line_len = 0;
}

/* Unbound output: into the ring, and line by line to Keel's console. */
static void keep_byte(struct vserial *vs, char c)
{
	vs->tx[vs->tx_total++ % VSERIAL_TX_SIZE] = (u8)c;
	if (c != '\n' && c != '\r' && vs->line_len < VSERIAL_LINE_MAX - 1)
		vs->line[vs->line_len++] = c;
	if (c == '\n' || vs->line_len == VSERIAL_LINE_MAX - 1)
		flush_line(vs);
}

void vserial_write(struct vserial *vs, const char *s, size_t n)
{
	unsigned long flags = spin_lock_irqsave(&vs->lock);

	if (vs->bound)
		console_write_raw(s, n);
	else
		for (size_t i = 0; i < n; i++)
			keep_byte(vs, s[i]);
	spin_unlock_irqrestore(&vs->lock, flags);
}

size_t vserial_read(struct vserial *vs, u8 *buf, size_t n)
{
	unsigned long flags;
	size_t got = 0;

	/* Nothing typed: no lock. */
	if (!vserial_has_input(vs))
		return 0;
	flags = spin_lock_irqsave(&vs->lock);
	while (got < n && vs->rx_tail != vs->rx_head)
		buf[got++] = vs->rx[vs->rx_tail++ % VSERIAL_RX_SIZE];
	spin_unlock_irqrestore(&vs->lock, flags);
	return got;
}

static void rx_push(struct vserial *vs, u8 c)
{
	unsigned long flags = spin_lock_irqsave(&vs->lock);

	/* Like a UART without flow control: a guest that does not read loses input. */
	if (vs->rx_head - vs->rx_tail < VSERIAL_RX_SIZE)
		vs->rx[vs->rx_head++ % VSERIAL_RX_SIZE] = c;
	else
		vs->rx_dropped++;
	spin_unlock_irqrestore(&vs->lock, flags);
	/* A UART's receive interrupt may rise now, not only when the guest looks at it. */
	vs->input(vs->input_arg);
}

void vserial_stats(struct vserial *vs, struct vserial_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&vs->lock);

	st->bound = vs->bound;
	st->buffered = MIN(vs->tx_total, (u64)VSERIAL_TX_SIZE);
	st->input = vs->rx_head - vs->rx_tail;
	spin_unlock_irqrestore(&vs->lock, flags);
}

void vserial_dump(struct vserial *vs)
{
	char buf[128];
	unsigned long flags = spin_lock_irqsave(&vs->lock);
	u64 end = vs->tx_total;
	u64 pos = end > VSERIAL_TX_SIZE ? end - VSERIAL_TX_SIZE : 0;
	char last = '\n';

	spin_unlock_irqrestore(&vs->lock, flags);
	/* In pieces, so the guest is not held up while the console prints. */
	while (pos < end) {
		size_t n = 0;

		flags = spin_lock_irqsave(&vs->lock);
		/* What the guest wrote meanwhile may have overwritten the oldest bytes. */
		if (vs->tx_total - pos > VSERIAL_TX_SIZE)
			pos = vs->tx_total - VSERIAL_TX_SIZE;
		while (pos + n < end && n < sizeof(buf)) {
			buf[n] = (char)vs->tx[(pos + n) % VSERIAL_TX_SIZE];
			n++;
		}
		spin_unlock_irqrestore(&vs->lock, flags);
		/* ... all of what was there when the dump began, even. */
		if (!n)
			break;
		console_write(buf, n);
		pos += n;
		last = buf[n - 1];
	}
	if (last != '\n')
		console_write("\n", 1);
}

u64 vserial_attach(struct vserial *vs)
{
	unsigned long flags = spin_lock_irqsave(&vs->lock);
	u64 dropped = vs->rx_dropped;
	bool escape = false;

	/* A partial line goes out now: from here on the output is raw. */
	if (vs->line_len)
		flush_line(vs);
	vs->bound = true;
	spin_unlock_irqrestore(&vs->lock, flags);
	for (;;) {
		u8 c = (u8)console_getc();

		if (escape) {
			escape = false;
			if (c == VSERIAL_ESCAPE_QUIT)
				break;
			rx_push(vs, VSERIAL_ESCAPE);
			if (c == VSERIAL_ESCAPE)
				continue;
		} else if (c == VSERIAL_ESCAPE) {
			escape = true;
			continue;
		}
		rx_push(vs, c);
	}
	flags = spin_lock_irqsave(&vs->lock);
	vs->bound = false;
	dropped = vs->rx_dropped - dropped;
	spin_unlock_irqrestore(&vs->lock, flags);
	return dropped;
}
