/* The byte buffer (buf.c): JSON strings as the catalog and the pages'
 * data write them.  A string escaped wrong is a catalog porchd and the
 * client cannot read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"

static void
check_json(const char *in, const char *want)
{
	struct buf	 b = { 0 };

	buf_puts(&b, "x");
	buf_put_json(&b, in);
	assert_string_equal(b.data + 1, want);
	buf_free(&b);
}

static void
test_json_plain(void **state)
{
	(void)state;
	check_json("", "\"\"");
	check_json("Rotate keys", "\"Rotate keys\"");
	/* UTF-8 as it is. */
	check_json("Cl\xc3\xa9s \xe2\x80\x94 API",
	    "\"Cl\xc3\xa9s \xe2\x80\x94 API\"");
}

static void
test_json_escaped(void **state)
{
	(void)state;
	check_json("say \"hi\"", "\"say \\\"hi\\\"\"");
	check_json("C:\\temp", "\"C:\\\\temp\"");
	check_json("a\nb\tc", "\"a\\nb\\tc\"");
	check_json("bell\x01", "\"bell\\u0001\"");
	/* An escape after a long plain run, and at the very start. */
	check_json("\"", "\"\\\"\"");
	check_json("abcdefghijklmnopqrstuvwxyz\x1f",
	    "\"abcdefghijklmnopqrstuvwxyz\\u001F\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_plain),
		cmocka_unit_test(test_json_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
