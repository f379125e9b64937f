/*
 * Line editor for the management shell on a VT100/ANSI serial terminal.
 *
 * Pure state machine: the caller feeds received bytes one at a time and
 * gets terminal output through a callback, so the same code runs on the
 * UART in Keel and in host unit tests.  All storage belongs to the caller.
 */
#ifndef LIBS_LINEDIT_H
#define LIBS_LINEDIT_H

#include "libs/types.h"

/* Tab completion never looks at more candidates than this. */
#define LINEDIT_MAX_CANDIDATES 32

struct linedit_config {
	/* Line buffer: a line holds at most cap - 1 characters (cap >= 2). */
	char *buf;
	size_t cap;
	/*
	 * History storage of hist_entries * cap bytes.  One slot keeps the
	 * line being edited while the user browses history, so up to
	 * hist_entries - 1 lines are remembered (0 or 1 = no history).
	 */
	char *hist;
	size_t hist_entries;
	const char *prompt;
	void (*out)(void *ctx, const char *s, size_t n);
	/*
	 * Tab completion of the first word: store up to max NUL-terminated
	 * candidates that start with prefix[0..len) (prefix is not
	 * NUL-terminated) and return how many.  May be NULL.
	 */
	size_t (*complete)(void *ctx, const char *prefix, size_t len, const char **cands,
			   size_t max);
	void *ctx;
};

enum linedit_event {
	LINEDIT_NONE,
	LINEDIT_LINE,	  /* a line was entered: linedit_line() */
	LINEDIT_TOO_LONG, /* the line overflowed the buffer and was discarded */
	LINEDIT_INTERRUPT /* ctrl-C discarded the line */
};

/* Everything below is private to linedit.c; it is here only for sizeof. */
struct linedit {
	struct linedit_config cfg;
	size_t len;	  /* characters in cfg.buf, which is always NUL-terminated */
	size_t pos;	  /* cursor, 0..len */
	bool overflow;	  /* characters were dropped from this line */
	bool done;	  /* an event ended the line; the next byte starts a new one */
	u8 esc;		  /* escape-sequence parser state */
	u8 esc_len;	  /* bytes of the current CSI after "ESC [" */
	bool esc_bad;	  /* the current CSI is one we do not handle */
	bool esc_sep;	  /* past the first CSI parameter */
	u16 esc_param;	  /* first numeric CSI parameter */
	u8 last_eol;	  /* CR or LF that ended the previous line, or 0 */
	size_t hist_head; /* ring slot the next entry goes to */
	size_t hist_count;
	size_t hist_pos;     /* 0 = the edited line, k = k-th newest entry */
	bool saved_overflow; /* overflow flag of the edited line while browsing */
};

/* Sets up an empty editor with empty history; prints nothing. */
void linedit_init(struct linedit *le, const struct linedit_config *cfg);

/* Starts a new line: empties it and prints the prompt. */
void linedit_start(struct linedit *le);

/* Processes one received byte. */
enum linedit_event linedit_feed(struct linedit *le, u8 c);

/*
 * The entered line, NUL-terminated; valid after LINEDIT_LINE until the next
 * linedit_feed() or linedit_start().
 */
const char *linedit_line(const struct linedit *le);

#endif
