/* Unit tests for libs/linedit.c: exact terminal output and entered lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libs/linedit.h"

#define CAP 32
#define HIST 4 /* remembers HIST - 1 lines */
#define LEFT "\x1b[D"
#define RIGHT "\x1b[C"
#define UP "\x1b[A"
#define DOWN "\x1b[B"

struct fx {
	struct linedit le;
	/* Exactly cap bytes from malloc, so ASan sees any write past them. */
	char *buf;
	char *hist;
	char out[8192];
	size_t n;
	const char *const *names;
	size_t nnames;
	bool raw;     /* completion callback returns names unfiltered */
	size_t extra; /* and then claims this many more than it stored */
};

static const char *const cmd_names[] = { "guest", "help", "host", "hostname", "vcpu" };

static void term_out(void *ctx, const char *s, size_t n)
{
	struct fx *f = ctx;

	assert_true(f->n + n < sizeof(f->out));
	memcpy(f->out + f->n, s, n);
	f->n += n;
	f->out[f->n] = '\0';
}

static size_t complete_names(void *ctx, const char *prefix, size_t len, const char **cands,
			     size_t max)
{
	struct fx *f = ctx;
	size_t i, n = 0;

	if (f->raw) {
		for (i = 0; i < f->nnames && i < max; i++)
			cands[i] = f->names[i];
		return i + f->extra;
	}
	for (i = 0; i < f->nnames && n < max; i++)
		if (!strncmp(f->names[i], prefix, len))
			cands[n++] = f->names[i];
	return n;
}

static struct fx *fx_new(size_t cap, size_t hist_entries, bool completion)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct linedit_config cfg = {
		.cap = cap,
		.hist_entries = hist_entries,
		.prompt = "> ",
		.out = term_out,
		.complete = completion ? complete_names : NULL,
	};

	assert_non_null(f);
	f->buf = malloc(cap);
	f->hist = hist_entries ? malloc(hist_entries * cap) : NULL;
	f->names = cmd_names;
	f->nnames = ARRAY_SIZE(cmd_names);
	cfg.buf = f->buf;
	cfg.hist = f->hist;
	cfg.ctx = f;
	linedit_init(&f->le, &cfg);
	assert_int_equal(f->n, 0);
	linedit_start(&f->le);
	return f;
}

static int setup(void **state)
{
	*state = fx_new(CAP, HIST, true);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->buf);
	free(f->hist);
	free(f);
	return 0;
}

/* Feeds s; at most one byte may produce an event, which is returned. */
static enum linedit_event feedn(struct fx *f, const char *s, size_t n)
{
	enum linedit_event ev = LINEDIT_NONE, e;
	size_t i;

	for (i = 0; i < n; i++) {
		e = linedit_feed(&f->le, (u8)s[i]);
		if (e != LINEDIT_NONE) {
			assert_int_equal(ev, LINEDIT_NONE);
			ev = e;
		}
	}
	return ev;
}

static enum linedit_event feed(struct fx *f, const char *s)
{
	return feedn(f, s, strlen(s));
}

static void clear_out(struct fx *f)
{
	f->n = 0;
	f->out[0] = '\0';
}

/* Checks everything printed since the last check. */
static void expect_out(struct fx *f, const char *want)
{
	assert_string_equal(f->out, want);
	clear_out(f);
}

static void expect_line(struct fx *f, const char *want)
{
	assert_string_equal(linedit_line(&f->le), want);
}

/* Enters a line and starts the next one. */
static void enter(struct fx *f, const char *s)
{
	assert_int_equal(feed(f, s), LINEDIT_NONE);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, s);
	linedit_start(&f->le);
	clear_out(f);
}

static void test_prompt(void **state)
{
	struct fx *f = *state;

	expect_out(f, "> ");
	expect_line(f, "");
}

static void test_type_enter(void **state)
{
	struct fx *f = *state;

	expect_out(f, "> ");
	assert_int_equal(feed(f, "guest list"), LINEDIT_NONE);
	expect_out(f, "guest list");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_out(f, "\r\n");
	expect_line(f, "guest list");
}

static void test_insert_middle(void **state)
{
	struct fx *f = *state;

	feed(f, "ac");
	expect_out(f, "> ac");
	feed(f, LEFT);
	expect_out(f, LEFT);
	feed(f, "b");
	expect_out(f, "bc" LEFT);
	feed(f, "X");
	expect_out(f, "Xc" LEFT);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_out(f, "\r\n");
	expect_line(f, "abXc");
}

static void test_backspace(void **state)
{
	struct fx *f = *state;

	expect_out(f, "> ");
	feed(f, "\x7f\b");
	expect_out(f, "");
	feed(f, "abcd\x7f");
	expect_out(f, "abcd\b\x1b[K");
	feed(f, LEFT "\b");
	expect_out(f, LEFT "\bc\x1b[K" LEFT);
	feed(f, "\x01\x7f");
	expect_out(f, LEFT);
	assert_int_equal(feed(f, "\n"), LINEDIT_LINE);
	expect_line(f, "ac");
}

static void test_left_right_bounds(void **state)
{
	struct fx *f = *state;

	expect_out(f, "> ");
	feed(f, LEFT RIGHT "\x1bOD\x1bOC");
	expect_out(f, "");
	feed(f, "ab" RIGHT);
	expect_out(f, "ab");
	feed(f, LEFT LEFT LEFT "\x1bOD");
	expect_out(f, LEFT LEFT);
	feed(f, "\x1bOC" RIGHT RIGHT);
	expect_out(f, RIGHT RIGHT);
	feed(f, "c");
	expect_out(f, "c");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "abc");
}

static void test_home_end(void **state)
{
	struct fx *f = *state;

	feed(f, "abcd");
	expect_out(f, "> abcd");
	feed(f, "\x01");
	expect_out(f, "\x1b[4D");
	feed(f, "\x01");
	expect_out(f, "");
	feed(f, "\x05");
	expect_out(f, "\x1b[4C");
	feed(f, "\x1b[H\x1b[F\x1b[1~\x1b[4~\x1bOH\x1bOF\x1b[7~\x1b[8~");
	expect_out(f, "\x1b[4D\x1b[4C\x1b[4D\x1b[4C\x1b[4D\x1b[4C\x1b[4D\x1b[4C");
	feed(f, "\x01x");
	expect_out(f, "\x1b[4Dxabcd\x1b[4D");
	feed(f, "\x05y");
	expect_out(f, "\x1b[4Cy");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "xabcdy");
}

static void test_delete_under_cursor(void **state)
{
	struct fx *f = *state;

	feed(f, "abc");
	expect_out(f, "> abc");
	feed(f, "\x1b[3~");
	expect_out(f, "");
	feed(f, "\x01\x1b[3~");
	expect_out(f, "\x1b[3Dbc\x1b[K\x1b[2D");
	feed(f, RIGHT "\x1b[3~");
	expect_out(f, RIGHT "\x1b[K");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "b");
}

static void test_history_browse(void **state)
{
	struct fx *f = *state;

	enter(f, "one");
	enter(f, "two");
	feed(f, "tw");
	expect_out(f, "tw");
	feed(f, UP);
	expect_out(f, "\r> two\x1b[K");
	feed(f, UP);
	expect_out(f, "\r> one\x1b[K");
	feed(f, UP);
	expect_out(f, "");
	feed(f, DOWN);
	expect_out(f, "\r> two\x1b[K");
	feed(f, DOWN);
	expect_out(f, "\r> tw\x1b[K");
	feed(f, DOWN);
	expect_out(f, "");
	feed(f, "o");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "two");
	/* Same as the newest entry: not added again. */
	linedit_start(&f->le);
	clear_out(f);
	feed(f, UP UP);
	expect_out(f, "\r> two\x1b[K\r> one\x1b[K");
	feed(f, UP);
	expect_out(f, "");
}

static void test_history_edit_recalled(void **state)
{
	struct fx *f = *state;

	enter(f, "host");
	feed(f, "x" UP "\x7f"
		"t");
	expect_out(f, "x\r> host\x1b[K\b\x1b[Kt");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "host");
	linedit_start(&f->le);
	feed(f, UP "name");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "hostname");
	linedit_start(&f->le);
	clear_out(f);
	/* Edits of a recalled entry do not change the entry itself. */
	feed(f, UP UP "zz" DOWN UP);
	expect_out(f, "\r> hostname\x1b[K\r> host\x1b[Kzz\r> hostname\x1b[K\r> host\x1b[K");
	/* The cursor lands at the end of a recalled line. */
	feed(f, LEFT "X");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "hosXt");
}

static void test_history_skips_blank(void **state)
{
	struct fx *f = *state;

	enter(f, "a");
	enter(f, "");
	enter(f, "   ");
	enter(f, "a");
	feed(f, UP);
	expect_out(f, "\r> a\x1b[K");
	feed(f, UP);
	expect_out(f, "");
}

static void test_history_ring(void **state)
{
	struct fx *f = *state;

	enter(f, "l1");
	enter(f, "l2");
	enter(f, "l3");
	enter(f, "l4");
	enter(f, "l5");
	feed(f, UP UP UP);
	expect_out(f, "\r> l5\x1b[K\r> l4\x1b[K\r> l3\x1b[K");
	feed(f, UP);
	expect_out(f, "");
	feed(f, DOWN DOWN DOWN);
	expect_out(f, "\r> l4\x1b[K\r> l5\x1b[K\r> \x1b[K");
}

static void test_history_full_length_lines(void **state)
{
	struct fx *f = *state;
	char line[CAP];

	memset(line, 'q', CAP - 1);
	line[CAP - 1] = '\0';
	enter(f, line);
	line[0] = 'r';
	feed(f, line);
	feed(f, UP);
	line[0] = 'q';
	assert_string_equal(linedit_line(&f->le), line);
	feed(f, DOWN);
	line[0] = 'r';
	assert_string_equal(linedit_line(&f->le), line);
}

static void test_no_history(void **state)
{
	struct fx *f = fx_new(CAP, 0, false);

	*state = f;
	enter(f, "abc");
	feed(f, UP DOWN);
	expect_out(f, "");
}

static void test_one_history_entry_is_none(void **state)
{
	struct fx *f = fx_new(CAP, 1, false);

	*state = f;
	enter(f, "abc");
	feed(f, UP);
	expect_out(f, "");
}

static void test_overflow(void **state)
{
	struct fx *f = fx_new(8, HIST, true);

	*state = f;
	expect_out(f, "> ");
	feed(f, "abcdefghijkl");
	expect_out(f, "abcdefg\a");
	feed(f, LEFT "Z\x1b[3~");
	expect_out(f, LEFT "\x1b[K");
	feed(f, "XY");
	expect_out(f, "X");
	assert_int_equal(feed(f, "\r"), LINEDIT_TOO_LONG);
	expect_out(f, "\r\n");
	expect_line(f, "");
	linedit_start(&f->le);
	/* A refused line is not remembered. */
	feed(f, UP);
	expect_out(f, "> ");
	/* The line after an overflow is a normal one again. */
	enter(f, "1234567");
	feed(f, "abcdefgh");
	expect_out(f, "abcdefg\a");
	feed(f, "\x7f" UP);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "1234567");
}

static void test_overflow_survives_browsing(void **state)
{
	struct fx *f = fx_new(4, HIST, true);

	*state = f;
	enter(f, "ok");
	feed(f, "wxyz");
	expect_out(f, "wxy\a");
	feed(f, UP DOWN);
	expect_out(f, "\r> ok\x1b[K\r> wxy\x1b[K");
	assert_int_equal(feed(f, "\r"), LINEDIT_TOO_LONG);
	linedit_start(&f->le);
	feed(f, "wxyz" UP);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "ok");
}

static void test_tiny_buffer(void **state)
{
	struct fx *f = fx_new(1, HIST, false);

	*state = f;
	feed(f, "ab\t" UP);
	expect_out(f, "> \a\a");
	assert_int_equal(feed(f, "\r"), LINEDIT_TOO_LONG);
	expect_line(f, "");
}

static void test_garbage_ignored(void **state)
{
	struct fx *f = *state;
	char junk[256];
	size_t i, n = 0;

	feed(f, "ab");
	expect_out(f, "> ab");
	for (i = 0x80; i <= 0xff; i++)
		junk[n++] = (char)i;
	for (i = 0; i < 0x20; i++)
		if (i != '\r' && i != '\n' && i != 0x03 && i != 0x01 && i != 0x05 && i != '\b' &&
		    i != '\t' && i != 0x1b)
			junk[n++] = (char)i;
	assert_int_equal(feedn(f, junk, n), LINEDIT_NONE);
	expect_out(f, "");
	/* Unknown keys, terminal reports, counts, private modes, alt-chords. */
	feed(f, "\x1b[5~\x1b[2J\x1b[?25h\x1b[2D\x1b[0;1;2;3;4;5;6;7;8;9;10X\x1bx\x1bOZ\x1b[99~"
		"\x1b[12345678901234567890D\x1b[1 D\x1b[\x7f\x7f"
		"D");
	expect_out(f, LEFT);
	/* An unterminated CSI eats parameters until its final byte. */
	feed(f, "\x1b[");
	for (i = 0; i < 300; i++)
		feed(f, "1");
	feed(f, "~");
	/* A high byte aborts a sequence; ESC ESC restarts one. */
	feed(f, "\x1b[\xff"
		"c"
		"\x1b\x1b[C");
	expect_out(f, "cb" LEFT RIGHT);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "acb");
}

static void test_controls_abort_escape(void **state)
{
	struct fx *f = *state;

	assert_int_equal(feed(f, "ab\x1b[1\r"), LINEDIT_LINE);
	expect_line(f, "ab");
	linedit_start(&f->le);
	assert_int_equal(feed(f, "cd\x1b\x03"), LINEDIT_INTERRUPT);
	linedit_start(&f->le);
	assert_int_equal(feed(f, "ef\x1bO\r"), LINEDIT_LINE);
	expect_line(f, "ef");
	linedit_start(&f->le);
	clear_out(f);
	/* DEL inside a CSI is ignored; 'h' is then its final byte. */
	feed(f, "g\x1b[\x7fh");
	expect_out(f, "g");
	feed(f, "\x1b[1;5D");
	expect_out(f, LEFT);
}

static void test_ctrl_c(void **state)
{
	struct fx *f = *state;

	feed(f, "abc" LEFT);
	expect_out(f, "> abc" LEFT);
	assert_int_equal(feed(f, "\x03"), LINEDIT_INTERRUPT);
	expect_out(f, "^C\r\n");
	expect_line(f, "");
	linedit_start(&f->le);
	expect_out(f, "> ");
	feed(f, UP);
	expect_out(f, "");
	assert_int_equal(feed(f, "\x03"), LINEDIT_INTERRUPT);
	expect_out(f, "^C\r\n");
}

static void test_crlf(void **state)
{
	struct fx *f = *state;

	assert_int_equal(feed(f, "a\r"), LINEDIT_LINE);
	expect_line(f, "a");
	linedit_start(&f->le);
	assert_int_equal(feed(f, "\n"), LINEDIT_NONE);
	assert_int_equal(feed(f, "b\n"), LINEDIT_LINE);
	expect_line(f, "b");
	assert_int_equal(feed(f, "\r"), LINEDIT_NONE);
	assert_int_equal(feed(f, "c\r"), LINEDIT_LINE);
	expect_line(f, "c");
	assert_int_equal(feed(f, "\n"), LINEDIT_NONE);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	assert_int_equal(feed(f, "\n"), LINEDIT_NONE);
	assert_int_equal(feed(f, "\n"), LINEDIT_LINE);
	assert_int_equal(feed(f, "\n"), LINEDIT_LINE);
	/* Only the byte right after the line end pairs with it. */
	assert_int_equal(feed(f, "d"), LINEDIT_NONE);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "d");
	expect_out(f, "> a\r\n> b\r\nc\r\n\r\n\r\n\r\n\r\nd\r\n");
}

static void test_tab_single(void **state)
{
	struct fx *f = *state;

	feed(f, "gu\t");
	expect_out(f, "> guest ");
	feed(f, "\t");
	expect_out(f, "\a");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "guest ");
	linedit_start(&f->le);
	clear_out(f);
	feed(f, "  v\t");
	expect_out(f, "  vcpu ");
	feed(f, "\x01\t");
	expect_out(f, "\x1b[7D\a");
}

static void test_tab_middle_of_line(void **state)
{
	struct fx *f = *state;

	feed(f, "gu list"
		"\x01" RIGHT RIGHT);
	expect_out(f, "> gu list\x1b[7D" RIGHT RIGHT);
	feed(f, "\t");
	expect_out(f, "est list\x1b[5D" RIGHT);
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "guest list");
	linedit_start(&f->le);
	clear_out(f);
	/* Inside the word, or past it: nothing to complete. */
	feed(f, "gues list" LEFT LEFT LEFT LEFT LEFT LEFT "\t");
	expect_out(f, "gues list" LEFT LEFT LEFT LEFT LEFT LEFT "\a");
	feed(f, "\x05\t");
	expect_out(f, "\x1b[6C\a");
}

static void test_tab_multiple(void **state)
{
	struct fx *f = *state;

	feed(f, "ho\t");
	expect_out(f, "> host");
	feed(f, "\t");
	expect_out(f, "\r\nhost  hostname\r\n\r> host\x1b[K");
	feed(f, "\t");
	expect_out(f, "\r\nhost  hostname\r\n\r> host\x1b[K");
	feed(f, "n\t");
	expect_out(f, "name ");
	linedit_start(&f->le);
	clear_out(f);
	feed(f, "h\t");
	expect_out(f, "h\r\nhelp  host  hostname\r\n\r> h\x1b[K");
	feed(f, " x" LEFT LEFT "\t");
	expect_out(f, " x" LEFT LEFT "\r\nhelp  host  hostname\r\n\r> h x\x1b[K\x1b[2D");
	linedit_start(&f->le);
	clear_out(f);
	feed(f, "\t");
	expect_out(f, "\r\nguest  help  host  hostname  vcpu\r\n\r> \x1b[K");
}

static void test_tab_none(void **state)
{
	struct fx *f = *state;

	feed(f, "xyz\t");
	expect_out(f, "> xyz\a");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "xyz");
}

static void test_tab_no_callback(void **state)
{
	struct fx *f = fx_new(CAP, HIST, false);

	*state = f;
	feed(f, "gu\t");
	expect_out(f, "> gu\a");
}

static void test_tab_no_room(void **state)
{
	static const char *const longer[] = { "abcdefgh1", "abcdefgh2" };
	struct fx *f = fx_new(7, HIST, true);

	*state = f;
	/* "st" would need two more characters; the line holds only one. */
	feed(f, "gue x" LEFT LEFT "\t");
	expect_out(f, "> gue x" LEFT LEFT "\a");
	/* "st " fills the line exactly. */
	feed(f, "\x05\x7f\x7f\t");
	expect_out(f, "\x1b[2C\b\x1b[K\b\x1b[Kst ");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "guest ");
	linedit_start(&f->le);
	clear_out(f);
	f->names = longer;
	f->nnames = ARRAY_SIZE(longer);
	feed(f, "a\t");
	expect_out(f, "a\a");
	assert_int_equal(feed(f, "\r"), LINEDIT_LINE);
	expect_line(f, "a");
}

static void test_tab_sloppy_callback(void **state)
{
	static const char *const sloppy[] = { "zeta", "guest", NULL, "gx" };
	const char *many[LINEDIT_MAX_CANDIDATES + 8];
	struct fx *f = *state;
	size_t i;

	/* Entries that do not match the prefix are dropped, as are NULLs. */
	f->raw = true;
	f->names = sloppy;
	f->nnames = ARRAY_SIZE(sloppy) - 1;
	feed(f, "g\t");
	expect_out(f, "> guest ");
	/* A count above max is clamped to what the array can hold. */
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "vcpu";
	f->names = many;
	f->nnames = ARRAY_SIZE(many);
	f->extra = 1000;
	linedit_start(&f->le);
	clear_out(f);
	feed(f, "v\t");
	expect_out(f, "vcpu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_enter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backspace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left_right_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_under_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_browse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_edit_recalled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_skips_blank, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_full_length_lines, setup, teardown),
		cmocka_unit_test_teardown(test_no_history, teardown),
		cmocka_unit_test_teardown(test_one_history_entry_is_none, teardown),
		cmocka_unit_test_teardown(test_overflow, teardown),
		cmocka_unit_test_teardown(test_overflow_survives_browsing, teardown),
		cmocka_unit_test_teardown(test_tiny_buffer, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_controls_abort_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_c, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tab_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tab_middle_of_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tab_multiple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tab_none, setup, teardown),
		cmocka_unit_test_teardown(test_tab_no_callback, teardown),
		cmocka_unit_test_teardown(test_tab_no_room, teardown),
		cmocka_unit_test_setup_teardown(test_tab_sloppy_callback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
