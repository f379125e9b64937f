/*
 * A guest's virtual serial line: what the guest writes (emulated UART,
 * SBI console) and what it reads.  While no terminal is bound, its output
 * is kept in a ring (vserial dump) and echoed line by line to Keel's console
 * as "[guest] text"; `vserial bind` attaches the console to it: raw output,
 * keystrokes to its input, until the escape sequence.
 */
#ifndef CORE_VSERIAL_H
#define CORE_VSERIAL_H

#include "core/spinlock.h"

#define VSERIAL_TX_SIZE 4096
#define VSERIAL_RX_SIZE 1024
#define VSERIAL_LINE_MAX 160
/* Ctrl-] then 'q' detaches; Ctrl-] Ctrl-] sends one Ctrl-] to the guest. */
#define VSERIAL_ESCAPE 0x1d
#define VSERIAL_ESCAPE_QUIT 'q'
#define VSERIAL_ESCAPE_TEXT "Ctrl-] q"

struct vserial {
	spinlock_t lock;
	const char *name; /* the guest's: its lines on Keel's console start with [name] */
	bool bound;
	u64 tx_total; /* bytes kept so far; tx[] holds the last VSERIAL_TX_SIZE of them */
	u8 tx[VSERIAL_TX_SIZE];
	char line[VSERIAL_LINE_MAX];
	size_t line_len;
	u32 rx_head, rx_tail; /* typed, not yet read by the guest */
	u8 rx[VSERIAL_RX_SIZE];
	u64 rx_dropped; /* typed while rx[] was full */
	/* Called (no lock held) after input arrived: the guest's devices look at it. */
	void (*input)(void *arg);
	void *input_arg;
};

struct vserial_stats {
	bool bound;
	u64 buffered; /* output bytes in the ring */
	u32 input;    /* typed bytes the guest has not read */
};

void vserial_init(struct vserial *vs, const char *name, void (*input)(void *arg), void *arg);
/* Guest output (normal context). */
void vserial_write(struct vserial *vs, const char *s, size_t n);
/* Guest input: up to @n typed bytes into @buf; how many (0: nothing typed). */
size_t vserial_read(struct vserial *vs, u8 *buf, size_t n);
/* Typed bytes wait, without taking them (no lock: a hint, vserial_read decides). */
static inline bool vserial_has_input(struct vserial *vs)
{
	return __atomic_load_n(&vs->rx_head, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&vs->rx_tail, __ATOMIC_ACQUIRE);
}
void vserial_stats(struct vserial *vs, struct vserial_stats *st);
/* Print the output ring to Keel's console. */
void vserial_dump(struct vserial *vs);
/*
 * Attach the console (orphan context: the shell's thread, which reads the
 * console meanwhile): guest output goes to it raw, keystrokes to the guest's
 * input, until the escape sequence.  Returns how many typed bytes were
 * dropped because the guest did not read them.
 */
u64 vserial_attach(struct vserial *vs);

#endif
