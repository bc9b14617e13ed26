/*
 * searchmiss: the normalisation of reported zero-result queries.  The
 * rules are deliberately simple and byte-based (porchd has no Unicode
 * tables): ASCII case folding only, so "Backup" and "backup" count
 * together while "Überblick" stays as typed.
 */
#include <string.h>

#include "searchmiss.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3- and 4-byte forms, surrogates, past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* 1 if q has something@something.tld: an e-mail address. */
static int
has_address(const char *q)
{
	const char	*at, *p;

	for (at = strchr(q, '@'); at; at = strchr(at + 1, '@')) {
		if (at == q || at[-1] == ' ')
			continue;
		for (p = at + 1; *p && *p != ' '; p++)
			if (*p == '.' && p > at + 1 && p[1] && p[1] != ' ')
				return 1;
	}
	return 0;
}

/* 1 if q has SEARCHMISS_DIGITS digits in a row, allowing the separators
 * people type inside numbers. */
static int
has_long_number(const char *q)
{
	int	 run = 0;

	for (; *q; q++) {
		if (*q >= '0' && *q <= '9') {
			if (++run >= SEARCHMISS_DIGITS)
				return 1;
		} else if (run > 0 && strchr(" .-/+()", *q) != NULL &&
		    q[1] >= '0' && q[1] <= '9')
			continue;
		else
			run = 0;
	}
	return 0;
}

int
searchmiss_normalize(const char *in, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t		 i = 0, o = 0, n;
	int		 space = 0;

	out[0] = '\0';
	while (i < len) {
		n = utf8_len(s + i, len - i);
		if (n == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == ' ' ||
		    (n == 2 && s[i] == 0xc2 && s[i + 1] == 0xa0)) {
			space = o > 0;
			i += n ? n : 1;
			continue;
		}
		if (o + (space ? 1 : 0) + n > SEARCHMISS_MAX)
			break;
		if (space) {
			out[o++] = ' ';
			space = 0;
		}
		if (n == 1 && s[i] >= 'A' && s[i] <= 'Z')
			out[o++] = (char)(s[i] + ('a' - 'A'));
		else
			memcpy(out + o, s + i, n), o += n;
		i += n;
	}
	out[o] = '\0';
	if (o < SEARCHMISS_MIN) {
		out[0] = '\0';
		return SEARCHMISS_EMPTY;
	}
	if (has_address(out) || has_long_number(out)) {
		out[0] = '\0';
		return SEARCHMISS_PERSONAL;
	}
	return SEARCHMISS_OK;
}
