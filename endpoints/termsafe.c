/*
 * termsafe: customer text made harmless for a staff terminal
 * (termsafe.h says why).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"

/*
 * The length of the UTF-8 sequence at s (1-4) and its code point in
 * *cp, or 0 when s does not start a well-formed sequence (overlong,
 * surrogate, past U+10FFFF, cut short).
 */
static size_t
utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t		 n, i;
	uint32_t	 c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/* 1 when a terminal may act on code point c (flags: TERMSAFE_*). */
static int
acts(uint32_t c, int flags)
{
	if (c == '\n' || c == '\t')
		return !(flags & TERMSAFE_LINES);
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/*
 * Appends s made safe to out (when out is not NULL) and returns the
 * number of bytes that takes, without a terminating NUL.
 */
static size_t
render(const char *s, int flags, char *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = 0, n;
	uint32_t		 c;
	char			 esc[12];

	while (*p) {
		if ((n = utf8_seq(p, &c)) == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			n = 1;
		} else if (acts(c, flags)) {
			if (c < 0x80)
				snprintf(esc, sizeof(esc), "\\x%02x", c);
			else
				snprintf(esc, sizeof(esc), "\\u%04x",
				    (unsigned)c);
		} else {
			if (out)
				memcpy(out + len, p, n);
			len += n;
			p += n;
			continue;
		}
		if (out)
			memcpy(out + len, esc, strlen(esc));
		len += strlen(esc);
		p += n;
	}
	return len;
}

char *
termsafe_dup(const char *s, int flags)
{
	size_t	 len;
	char	*out;

	if (s == NULL)
		s = "";
	len = render(s, flags, NULL);
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	render(s, flags, out);
	out[len] = '\0';
	return out;
}

int
termsafe_put(FILE *f, const char *s, int flags)
{
	char	*t;
	int	 ok;

	if (s == NULL)
		return 1;
	if ((t = termsafe_dup(s, flags)) == NULL)
		return 0;
	ok = fputs(t, f) != EOF;
	free(t);
	return ok;
}
