/*
 * Line editor for a VT100/ANSI serial terminal.
 *
 * Redraws are incremental (only the tail right of the cursor is rewritten)
 * because the UART is slow and the terminal width is unknown; only history
 * recall and the completion list repaint the whole line.
 */
#include <string.h>

#include "libs/linedit.h"

enum { ESC_NONE, ESC_ESC, ESC_CSI, ESC_SS3 };

/* Longer CSI sequences are not keys we know; they are swallowed whole. */
#define CSI_MAX_LEN 16
#define CSI_MAX_PARAM 9999

#define CTRL(c) ((c)&0x1f)
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

static void put(struct linedit *le, const char *s, size_t n)
{
	if (n && le->cfg.out)
		le->cfg.out(le->cfg.ctx, s, n);
}

static void put_str(struct linedit *le, const char *s)
{
	put(le, s, strlen(s));
}

static void bell(struct linedit *le)
{
	put_str(le, "\a");
}

/* ESC [ n D / C: moves the cursor by n columns, without printf. */
static void put_move(struct linedit *le, size_t n, char dir)
{
	char seq[8 + 3 * sizeof(size_t)];
	size_t i = sizeof(seq);

	if (!n)
		return;
	seq[--i] = dir;
	if (n > 1) {
		do {
			seq[--i] = (char)('0' + n % 10);
			n /= 10;
		} while (n);
	}
	seq[--i] = '[';
	seq[--i] = KEY_ESC;
	put(le, seq + i, sizeof(seq) - i);
}

static size_t line_max(const struct linedit *le)
{
	return le->cfg.cap ? le->cfg.cap - 1 : 0;
}

static void set_len(struct linedit *le, size_t len)
{
	le->len = len;
	if (le->cfg.cap)
		le->cfg.buf[len] = '\0';
}

static void clear_line(struct linedit *le)
{
	set_len(le, 0);
	le->pos = 0;
	le->overflow = false;
	le->hist_pos = 0;
}

/* Rewrites everything right of the cursor after the line got shorter. */
static void refresh_tail(struct linedit *le)
{
	put(le, le->cfg.buf + le->pos, le->len - le->pos);
	put_str(le, "\x1b[K");
	put_move(le, le->len - le->pos, 'D');
}

static void redraw(struct linedit *le)
{
	put_str(le, "\r");
	if (le->cfg.prompt)
		put_str(le, le->cfg.prompt);
	put(le, le->cfg.buf, le->len);
	put_str(le, "\x1b[K");
	put_move(le, le->len - le->pos, 'D');
}

/* All or nothing, so a completion is never cut in half. */
static bool insert(struct linedit *le, const char *s, size_t n)
{
	char *buf = le->cfg.buf;
	size_t at = le->pos;

	if (n > line_max(le) - le->len)
		return false;
	memmove(buf + at + n, buf + at, le->len - at);
	memcpy(buf + at, s, n);
	set_len(le, le->len + n);
	le->pos += n;
	put(le, buf + at, le->len - at);
	put_move(le, le->len - le->pos, 'D');
	return true;
}

static void type_char(struct linedit *le, u8 c)
{
	char ch = (char)c;

	if (insert(le, &ch, 1) || le->overflow)
		return;
	/* The bell once per line: a paste must not turn into a bell storm. */
	le->overflow = true;
	bell(le);
}

static void backspace(struct linedit *le)
{
	char *buf = le->cfg.buf;

	if (!le->pos)
		return;
	memmove(buf + le->pos - 1, buf + le->pos, le->len - le->pos);
	le->pos--;
	set_len(le, le->len - 1);
	put_str(le, "\b");
	refresh_tail(le);
}

static void delete_char(struct linedit *le)
{
	char *buf = le->cfg.buf;

	if (le->pos == le->len)
		return;
	memmove(buf + le->pos, buf + le->pos + 1, le->len - le->pos - 1);
	set_len(le, le->len - 1);
	refresh_tail(le);
}

static void move_left(struct linedit *le)
{
	if (!le->pos)
		return;
	le->pos--;
	put_move(le, 1, 'D');
}

static void move_right(struct linedit *le)
{
	if (le->pos == le->len)
		return;
	le->pos++;
	put_move(le, 1, 'C');
}

static void move_home(struct linedit *le)
{
	put_move(le, le->pos, 'D');
	le->pos = 0;
}

static void move_end(struct linedit *le)
{
	put_move(le, le->len - le->pos, 'C');
	le->pos = le->len;
}

/* The last slot is the scratch copy of the edited line, not part of the ring. */
static size_t hist_ring(const struct linedit *le)
{
	return le->cfg.hist_entries >= 2 ? le->cfg.hist_entries - 1 : 0;
}

static char *hist_slot(const struct linedit *le, size_t i)
{
	return le->cfg.hist + i * le->cfg.cap;
}

/* k = 1 is the newest entry. */
static char *hist_entry(const struct linedit *le, size_t k)
{
	size_t ring = hist_ring(le);

	return hist_slot(le, (le->hist_head + ring - k) % ring);
}

static bool is_blank(const char *s)
{
	while (*s == ' ')
		s++;
	return !*s;
}

static void hist_add(struct linedit *le)
{
	size_t ring = hist_ring(le);
	const char *line = le->cfg.buf;

	if (!ring || is_blank(line))
		return;
	if (le->hist_count && !strcmp(hist_entry(le, 1), line))
		return;
	memcpy(hist_slot(le, le->hist_head), line, le->len + 1);
	le->hist_head = (le->hist_head + 1) % ring;
	if (le->hist_count < ring)
		le->hist_count++;
}

static void hist_load(struct linedit *le, const char *src)
{
	size_t n = strnlen(src, line_max(le));

	memcpy(le->cfg.buf, src, n);
	set_len(le, n);
	le->pos = n;
	redraw(le);
}

static void hist_up(struct linedit *le)
{
	if (le->hist_pos >= le->hist_count)
		return;
	if (!le->hist_pos) {
		memcpy(hist_slot(le, hist_ring(le)), le->cfg.buf, le->len + 1);
		le->saved_overflow = le->overflow;
	}
	le->hist_pos++;
	le->overflow = false;
	hist_load(le, hist_entry(le, le->hist_pos));
}

static void hist_down(struct linedit *le)
{
	if (!le->hist_pos)
		return;
	le->hist_pos--;
	if (le->hist_pos) {
		le->overflow = false;
		hist_load(le, hist_entry(le, le->hist_pos));
	} else {
		le->overflow = le->saved_overflow;
		hist_load(le, hist_slot(le, hist_ring(le)));
	}
}

static void list_candidates(struct linedit *le, const char **cands, size_t n)
{
	size_t i;

	put_str(le, "\r\n");
	for (i = 0; i < n; i++) {
		if (i)
			put_str(le, "  ");
		put_str(le, cands[i]);
	}
	put_str(le, "\r\n");
	redraw(le);
}

static void complete(struct linedit *le)
{
	const char *cands[LINEDIT_MAX_CANDIDATES];
	const char *buf = le->cfg.buf;
	size_t start = 0, plen, n, i, k, lcp;

	if (!le->cfg.complete)
		goto fail;
	while (start < le->len && buf[start] == ' ')
		start++;
	/* Only the command name is completed, and only from its end. */
	if (le->pos < start || memchr(buf + start, ' ', le->pos - start))
		goto fail;
	if (le->pos < le->len && buf[le->pos] != ' ')
		goto fail;
	plen = le->pos - start;

	n = le->cfg.complete(le->cfg.ctx, buf + start, plen, cands, ARRAY_SIZE(cands));
	n = MIN(n, ARRAY_SIZE(cands));
	/* A sloppy callback must not make us insert text that does not match. */
	for (i = k = 0; i < n; i++)
		if (cands[i] && !strncmp(cands[i], buf + start, plen))
			cands[k++] = cands[i];
	n = k;
	if (!n)
		goto fail;

	if (n == 1) {
		const char *rest = cands[0] + plen;
		size_t rlen = strlen(rest);
		bool at_end = le->pos == le->len;

		if (rlen + at_end > line_max(le) - le->len)
			goto fail;
		insert(le, rest, rlen);
		if (at_end)
			insert(le, " ", 1);
		else
			move_right(le);
		return;
	}

	lcp = strlen(cands[0]);
	for (i = 1; i < n; i++) {
		k = plen;
		while (k < lcp && cands[i][k] == cands[0][k])
			k++;
		lcp = k;
	}
	if (lcp > plen) {
		if (!insert(le, cands[0] + plen, lcp - plen))
			goto fail;
		return;
	}
	list_candidates(le, cands, n);
	return;
fail:
	bell(le);
}

static enum linedit_event end_line(struct linedit *le, u8 c)
{
	put_str(le, "\r\n");
	le->last_eol = c;
	le->done = true;
	le->hist_pos = 0;
	if (le->overflow) {
		clear_line(le);
		return LINEDIT_TOO_LONG;
	}
	hist_add(le);
	return LINEDIT_LINE;
}

static enum linedit_event interrupt(struct linedit *le)
{
	put_str(le, "^C\r\n");
	clear_line(le);
	le->done = true;
	return LINEDIT_INTERRUPT;
}

static void csi_key(struct linedit *le, u8 final)
{
	u16 p = le->esc_param;

	if (final == '~') {
		if (p == 1 || p == 7)
			move_home(le);
		else if (p == 4 || p == 8)
			move_end(le);
		else if (p == 3)
			delete_char(le);
		return;
	}
	/* A parameter other than 1 is a count or a different key: ignore. */
	if (p > 1)
		return;
	switch (final) {
	case 'A':
		hist_up(le);
		break;
	case 'B':
		hist_down(le);
		break;
	case 'C':
		move_right(le);
		break;
	case 'D':
		move_left(le);
		break;
	case 'H':
		move_home(le);
		break;
	case 'F':
		move_end(le);
		break;
	}
}

/*
 * Returns true when c was consumed by the escape parser.  C0 controls abort
 * a sequence and are then executed, as ECMA-48 terminals do, so ctrl-C and
 * Enter always work even after a stray ESC.
 */
static bool escape(struct linedit *le, u8 c)
{
	switch (le->esc) {
	case ESC_ESC:
		le->esc = ESC_NONE;
		if (c == '[') {
			le->esc = ESC_CSI;
			le->esc_len = 0;
			le->esc_param = 0;
			le->esc_sep = false;
			le->esc_bad = false;
			return true;
		}
		if (c == 'O') {
			le->esc = ESC_SS3;
			return true;
		}
		if (c == KEY_ESC)
			le->esc = ESC_ESC;
		/* Anything else is an alt-key chord: dropped. */
		return c >= 0x20 || c == KEY_ESC;
	case ESC_SS3:
		le->esc = ESC_NONE;
		if (c == 'A' || c == 'B' || c == 'C' || c == 'D' || c == 'H' || c == 'F') {
			le->esc_param = 0;
			csi_key(le, c);
			return true;
		}
		if (c == KEY_ESC)
			le->esc = ESC_ESC;
		return c >= 0x20 || c == KEY_ESC;
	case ESC_CSI:
		if (c < 0x20) {
			le->esc = ESC_NONE;
			if (c == KEY_ESC)
				le->esc = ESC_ESC;
			return c == KEY_ESC;
		}
		if (c >= 0x80) {
			le->esc = ESC_NONE;
			return true;
		}
		if (c == KEY_DEL)
			return true;
		if (le->esc_len < CSI_MAX_LEN)
			le->esc_len++;
		else
			le->esc_bad = true;
		if (c >= '0' && c <= '9') {
			if (le->esc_sep)
				return true;
			if (le->esc_param > CSI_MAX_PARAM / 10)
				le->esc_bad = true;
			else
				le->esc_param = (u16)(le->esc_param * 10 + (c - '0'));
		} else if (c == ';') {
			le->esc_sep = true; /* modifiers (ctrl/shift) are ignored */
		} else if (c < 0x40) {
			le->esc_bad = true; /* private markers, sub-params, intermediates */
		} else {
			le->esc = ESC_NONE;
			if (!le->esc_bad)
				csi_key(le, c);
		}
		return true;
	}
	return false;
}

void linedit_init(struct linedit *le, const struct linedit_config *cfg)
{
	memset(le, 0, sizeof(*le));
	le->cfg = *cfg;
	if (!le->cfg.buf)
		le->cfg.cap = 0;
	if (!le->cfg.hist || !le->cfg.cap)
		le->cfg.hist_entries = 0;
	clear_line(le);
}

void linedit_start(struct linedit *le)
{
	clear_line(le);
	le->done = false;
	le->esc = ESC_NONE;
	if (le->cfg.prompt)
		put_str(le, le->cfg.prompt);
}

enum linedit_event linedit_feed(struct linedit *le, u8 c)
{
	u8 eol = le->last_eol;

	if (le->done) {
		clear_line(le);
		le->done = false;
	}
	le->last_eol = 0;
	if ((c == '\n' && eol == '\r') || (c == '\r' && eol == '\n'))
		return LINEDIT_NONE;
	if (le->esc != ESC_NONE && escape(le, c))
		return LINEDIT_NONE;

	if (c >= 0x20 && c < KEY_DEL) {
		type_char(le, c);
		return LINEDIT_NONE;
	}
	switch (c) {
	case '\r':
	case '\n':
		return end_line(le, c);
	case CTRL('C'):
		return interrupt(le);
	case KEY_DEL:
	case '\b':
		backspace(le);
		break;
	case KEY_ESC:
		le->esc = ESC_ESC;
		break;
	case CTRL('A'):
		move_home(le);
		break;
	case CTRL('E'):
		move_end(le);
		break;
	case '\t':
		complete(le);
		break;
	}
	return LINEDIT_NONE;
}

const char *linedit_line(const struct linedit *le)
{
	return le->cfg.cap ? le->cfg.buf : "";
}
