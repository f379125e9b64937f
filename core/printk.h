/* Console output and input, panic. */
#ifndef CORE_PRINTK_H
#define CORE_PRINTK_H

#include "libs/types.h"
#include <stdarg.h>

struct console_ops {
	const char *name;
	void (*write)(void *ctx, const char *s, size_t n);
	/* Input was throttled (ring full): take interrupts again. */
	void (*rx_resume)(void *ctx);
	void *ctx;
};

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
/* Bytes exactly as given (a guest's terminal output), without the '\n' -> CR LF of console_write.
 */
void console_write_raw(const char *s, size_t n);
void console_register(const struct console_ops *ops);
const char *console_name(void);
/*
 * Input: the console driver's interrupt handler pushes bytes while there is
 * room; when there is none it stops taking interrupts and calls
 * console_rx_throttle(), so the UART (and QEMU behind it) holds the rest.
 */
bool console_rx_room(void);
void console_rx_push(u8 c);
void console_rx_throttle(void);
int console_getc(void);

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Stop the other harts and power off (or halt); prints nothing itself. */
void panic_halt(void) __attribute__((noreturn));
void print_backtrace(u64 pc, u64 fp, u64 ra);

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (__builtin_expect(!!(cond), 0))                            \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
