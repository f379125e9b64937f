/*
 * libFuzzer harness for the shell input layer: bytes from the "UART" go
 * through linedit, entered lines through args_split and args_u64.
 *
 * Besides memory safety it checks that the terminal output is coherent: a
 * minimal VT100 model replays the output and must always show the prompt
 * followed by the line, with the cursor where the editor thinks it is.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "libs/args.h"
#include "libs/linedit.h"

#define CAP 32
#define HIST 4
#define MAXARGS 4
#define PROMPT "> "
#define COLS 512

static const char *const names[] = { "guest",	 "help", "history", "host",
				     "hostname", "vcpu", "vserial" };

struct term {
	char row[COLS];
	size_t col;
	/* Escape sequence being parsed: 0 none, 1 after ESC, 2 in CSI. */
	int esc;
	size_t param;
};

static void term_clear(struct term *t, size_t from)
{
	if (from < COLS)
		memset(t->row + from, ' ', COLS - from);
}

static void term_out(void *ctx, const char *s, size_t n)
{
	struct term *t = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Only text the editor stored, and the controls it means to send. */
		assert((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\b' ||
		       c == '\a' || c == 0x1b);
		if (t->esc == 1) {
			assert(c == '[');
			t->esc = 2;
			t->param = 0;
			continue;
		}
		if (t->esc == 2) {
			if (c >= '0' && c <= '9') {
				t->param = t->param * 10 + (c - '0');
				assert(t->param < COLS);
				continue;
			}
			t->esc = 0;
			if (!t->param)
				t->param = 1;
			if (c == 'K') {
				term_clear(t, t->col);
			} else if (c == 'D') {
				assert(t->param <= t->col);
				t->col -= t->param;
			} else {
				assert(c == 'C');
				t->col += t->param;
				assert(t->col < COLS);
			}
			continue;
		}
		switch (c) {
		case 0x1b:
			t->esc = 1;
			break;
		case '\r':
			t->col = 0;
			break;
		case '\n':
			/* The old row scrolls away; only the current one is checked. */
			term_clear(t, 0);
			break;
		case '\b':
			assert(t->col > 0);
			t->col--;
			break;
		case '\a':
			break;
		default:
			assert(t->col < COLS);
			t->row[t->col++] = (char)c;
		}
	}
}

static size_t complete(void *ctx, const char *prefix, size_t len, const char **cands, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < max; i++)
		if (!strncmp(names[i], prefix, len))
			cands[n++] = names[i];
	return n;
}

static void check_editor(const struct linedit *le, const struct term *t)
{
	const size_t plen = strlen(PROMPT);
	size_t i, k;

	assert(le->len < CAP && le->pos <= le->len);
	assert(le->cfg.buf[le->len] == '\0' && strlen(le->cfg.buf) == le->len);
	for (i = 0; i < le->len; i++)
		assert(le->cfg.buf[i] >= 0x20 && le->cfg.buf[i] < 0x7f);
	assert(le->hist_count < HIST && le->hist_pos <= le->hist_count);
	for (k = 0; k < le->hist_count; k++) {
		const char *e =
			le->cfg.hist + ((le->hist_head + HIST - 1 - 1 - k) % (HIST - 1)) * CAP;

		assert(memchr(e, '\0', CAP) && *e);
	}
	/* What the user sees is exactly the prompt and the line. */
	assert(!t->esc);
	assert(!memcmp(t->row, PROMPT, plen));
	assert(!memcmp(t->row + plen, le->cfg.buf, le->len));
	for (i = plen + le->len; i < COLS; i++)
		assert(t->row[i] == ' ');
	assert(t->col == plen + le->pos);
}

static void check_u64(const char *word)
{
	u64 v;
	int ret = args_u64(word, &v);
	size_t n = strlen(word);
	unsigned int shift = 0;
	unsigned long long ref;
	char digits[CAP + 1], *end;
	int hex;

	assert(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (ret || n >= sizeof(digits))
		return;
	/* Cross-check against strtoull on the part without the suffix. */
	memcpy(digits, word, n + 1);
	switch (digits[n - 1]) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		digits[n - 1] = '\0';
	hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
	/* args_u64 succeeded, so strtoull cannot overflow here. */
	ref = strtoull(digits, &end, hex ? 16 : 10);
	assert(!*end);
	assert(v == (u64)ref << shift && v >> shift == ref);
}

static void check_split(char *line, size_t size, int max)
{
	char *argv[16];
	int argc, i;

	argc = args_split(line, argv, max);
	assert(argc == -EINVAL || argc == -E2BIG || (argc >= 0 && argc <= max));
	for (i = 0; i < argc; i++) {
		assert(argv[i] >= line && argv[i] < line + size);
		assert(strlen(argv[i]) < size - (size_t)(argv[i] - line));
		check_u64(argv[i]);
	}
}

static void entered(const char *line)
{
	char copy[CAP];
	size_t n = strlen(line);

	assert(n < CAP);
	memcpy(copy, line, n + 1);
	check_split(copy, n + 1, MAXARGS);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	/* Separate heap blocks of the exact size, so ASan flags any overrun. */
	char *buf = malloc(CAP), *hist = malloc(HIST * CAP), *whole;
	struct term *t = malloc(sizeof(*t));
	struct linedit le;
	struct linedit_config cfg = {
		.buf = buf,
		.cap = CAP,
		.hist = hist,
		.hist_entries = HIST,
		.prompt = PROMPT,
		.out = term_out,
		.complete = complete,
		.ctx = t,
	};
	size_t i;

	term_clear(t, 0);
	t->col = 0;
	t->esc = 0;
	linedit_init(&le, &cfg);
	linedit_start(&le);
	check_editor(&le, t);
	for (i = 0; i < size; i++) {
		switch (linedit_feed(&le, data[i])) {
		case LINEDIT_LINE:
			entered(linedit_line(&le));
			linedit_start(&le);
			break;
		case LINEDIT_TOO_LONG:
		case LINEDIT_INTERRUPT:
			assert(!*linedit_line(&le));
			linedit_start(&le);
			break;
		case LINEDIT_NONE:
			break;
		}
		check_editor(&le, t);
	}

	/* The parser also sees raw bytes, longer than any editor line. */
	whole = malloc(size + 1);
	memcpy(whole, data, size);
	whole[size] = '\0';
	check_split(whole, size + 1, 16);

	free(whole);
	free(t);
	free(hist);
	free(buf);
	return 0;
}
