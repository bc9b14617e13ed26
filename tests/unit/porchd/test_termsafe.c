/*
 * Unit tests for termsafe.c: what a staff terminal may receive of
 * customer text.  Printable ASCII and UTF-8 pass unchanged; C0 and C1
 * controls, DEL, bidirectional controls and bytes that are not UTF-8
 * become visible escapes; newline and tab only with TERMSAFE_LINES.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "termsafe.h"

static void
expect(const char *in, int flags, const char *want)
{
	char	*got = termsafe_dup(in, flags);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_plain_passes(void **state)
{
	(void)state;
	expect("", 0, "");
	expect("Backup fails <script> & 'quotes' \\ done", 0,
	    "Backup fails <script> & 'quotes' \\ done");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0,
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect(NULL, 0, "");
}

static void
test_controls_escaped(void **state)
{
	(void)state;
	expect("a\x1b[2Jb", 0, "a\\x1b[2Jb");
	expect("\x1b]0;owned\x07", 0, "\\x1b]0;owned\\x07");
	expect("x\ry\x7f\x08", 0, "x\\x0dy\\x7f\\x08");
	expect("l1\nl2\tt", 0, "l1\\x0al2\\x09t");
	expect("l1\nl2\tt\r", TERMSAFE_LINES, "l1\nl2\tt\\x0d");
	/* C1: U+009B is CSI on 8-bit terminals */
	expect("\xc2\x9b" "31m", 0, "\\u009b31m");
	expect("\xc2\xa0", 0, "\xc2\xa0");	/* NBSP is text */
}

static void
test_bidi_escaped(void **state)
{
	(void)state;
	expect("invoice\xe2\x80\xaegpj.exe", 0, "invoice\\u202egpj.exe");
	expect("\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u2066x\\u2069");
	expect("\xe2\x80\x8f", 0, "\\u200f");
}

static void
test_bad_utf8_escaped(void **state)
{
	(void)state;
	expect("\x9b" "31m", 0, "\\x9b31m");		/* raw C1 byte */
	expect("\xc0\xaf", 0, "\\xc0\\xaf");		/* overlong */
	expect("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");	/* surrogate */
	expect("\xe2\x82", 0, "\\xe2\\x82");		/* cut short */
	expect("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"); /* > 10FFFF */
}

static void
test_put(void **state)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_true(termsafe_put(f, "t\x1b", 0));
	assert_true(termsafe_put(f, NULL, 0));
	fclose(f);
	assert_string_equal(buf, "t\\x1b");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_passes),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_bidi_escaped),
		cmocka_unit_test(test_bad_utf8_escaped),
		cmocka_unit_test(test_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
