/* Shell command-line parsing: word splitting and number arguments. */
#ifndef LIBS_ARGS_H
#define LIBS_ARGS_H

#include "libs/types.h"

/*
 * Splits line in place into at most max words separated by spaces or tabs.
 * "Double quotes" group words and may be empty; inside them \" and \\
 * stand for " and \, any other backslash is literal.  Quotes may join
 * text within a word (a"b c"d is one word).  argv is not NULL-terminated.
 * Returns argc (0 for a blank line), -EINVAL for an unterminated quote,
 * -E2BIG for more than max words; line is clobbered on error too.
 */
int args_split(char *line, char **argv, int max);

/*
 * Parses decimal or 0x-prefixed hex, with an optional K, M or G suffix
 * (any case) multiplying by 2^10, 2^20 or 2^30.  No sign, no blanks, no
 * octal.  Returns -EINVAL for anything else, -ERANGE when the value does
 * not fit; *out is written only on success.
 */
int args_u64(const char *s, u64 *out);

#endif
