/*
 * Fuzz target for porchd's request target handling (endpoints/http.c):
 * the input is a raw request target as a client sends it.  It goes
 * through http_decode_path, as server.c does before any route or static
 * file is looked up, and the input also through http_utf8_clean, which
 * makes header and form text safe for JSON and the log.
 *
 * Asserts what http.h promises: a decoded path is never longer than the
 * raw target, stops at the first raw '?', and holds no control
 * character, NUL or raw space; a raw target with a control character or
 * space, or a '%' not followed by two hex digits before the '?', is
 * refused.  http_utf8_clean gives valid UTF-8 of the same length or
 * shorter, NUL-terminated, with no NUL inside.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

/* 1 when s (n bytes) is valid UTF-8 without NUL, surrogates or
 * overlong forms. */
static int
valid_utf8(const unsigned char *s, size_t n)
{
	size_t		 i = 0, k, len;
	unsigned	 cp;

	while (i < n) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/* What http_decode_path must accept: the raw target up to '?' has no
 * control or space, and every '%' has two hex digits. */
static int
well_formed(const unsigned char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && s[i] != '?'; i++) {
		if (s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] == '%') {
			if (i + 2 >= n || strchr("0123456789abcdefABCDEF",
			    s[i + 1]) == NULL || strchr(
			    "0123456789abcdefABCDEF", s[i + 2]) == NULL ||
			    s[i + 1] == 0 || s[i + 2] == 0)
				return 0;
			i += 2;
		}
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*out, *clean;
	size_t		 n, i, q;
	int		 ok;

	if ((out = malloc(size + 1)) == NULL)
		return 0;
	memset(out, 'Z', size + 1);
	ok = http_decode_path((const char *)data, size, out);
	if (!well_formed(data, size))
		CHECK(!ok);
	if (ok) {
		n = strlen(out);
		for (q = 0; q < size && data[q] != '?'; q++)
			;
		CHECK(n <= q);
		for (i = 0; i < n; i++)
			CHECK((unsigned char)out[i] >= 0x20 &&
			    (unsigned char)out[i] != 0x7f);
		/* no '%' escape decoded to a control: already checked */
	}
	free(out);

	clean = http_utf8_clean((const char *)data, size);
	CHECK(clean != NULL);
	n = strlen(clean);
	CHECK(n == size);	/* one byte out for each bad byte in */
	CHECK(valid_utf8((const unsigned char *)clean, n));
	free(clean);
	return 0;
}
