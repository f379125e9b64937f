/* Shell command-line parsing. */
#include "libs/args.h"

static bool is_sep(char c)
{
	return c == ' ' || c == '\t';
}

int args_split(char *line, char **argv, int max)
{
	/* Unquoting only ever shrinks a word, so w never overtakes r. */
	char *r = line, *w = line;
	int argc = 0;

	if (!line)
		return -EINVAL;
	for (;;) {
		bool quoted = false;

		while (is_sep(*r))
			r++;
		if (!*r)
			return argc;
		if (argc >= max)
			return -E2BIG;
		argv[argc++] = w;
		while (*r && (quoted || !is_sep(*r))) {
			if (*r == '"') {
				quoted = !quoted;
				r++;
			} else if (quoted && *r == '\\' && (r[1] == '"' || r[1] == '\\')) {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (quoted)
			return -EINVAL;
		/* Read r before the NUL lands on it: w may equal r. */
		if (*r)
			r++;
		*w++ = '\0';
	}
}

static int digit_value(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < (int)base ? v : -1;
}

int args_u64(const char *s, u64 *out)
{
	unsigned int base = 10, shift = 0;
	u64 v = 0;
	int d;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (digit_value(*s, base) < 0)
		return -EINVAL;
	for (; (d = digit_value(*s, base)) >= 0; s++) {
		if (v > (UINT64_MAX - (u64)d) / base)
			return -ERANGE;
		v = v * base + (u64)d;
	}
	switch (*s) {
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
		s++;
	if (*s)
		return -EINVAL;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}
