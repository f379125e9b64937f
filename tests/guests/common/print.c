/* A small printf: %c %s %d %i %u %x %p with 0/width and l/ll/z modifiers. */
#include <stdarg.h>
#include "guest.h"

struct out {
	char *buf;
	size_t size, len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, unsigned long long v, unsigned int base, bool neg,
		    unsigned int width, char pad)
{
	char tmp[24];
	unsigned int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width > n) {
		out_char(o, pad);
		width--;
	}
	while (n)
		out_char(o, tmp[--n]);
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };

	for (; *fmt; fmt++) {
		unsigned int width = 0, lng = 0;
		char pad = ' ';
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			size_t n = 0;

			if (!str)
				str = "(null)";
			while (str[n])
				n++;
			while (width > n) {
				out_char(&o, ' ');
				width--;
			}
			while (*str)
				out_char(&o, *str++);
			break;
		}
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
			out_num(&o, u, 10, s < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			out_num(&o, u, *fmt == 'x' ? 16 : 10, false, width, pad);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_num(&o, (unsigned long)va_arg(ap, void *), 16, false, width, pad);
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			if (!*fmt)
				goto done;
			out_char(&o, *fmt);
		}
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Owner hartid + 1; re-entry from the same hart (a fatal trap) does not wait. */
static unsigned long print_owner;

void printk(const char *fmt, ...)
{
	unsigned long me = this_hartid() + 1, prev = 0;
	bool nested = READ_ONCE(print_owner) == me;
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;

	while (!nested && !__atomic_compare_exchange_n(&print_owner, &prev, me, false,
						       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		prev = 0;
		cpu_relax();
	}
	sbi_console_write(buf, n);
	if (!nested)
		__atomic_store_n(&print_owner, 0, __ATOMIC_RELEASE);
}
