/* Paths and slugs: what decides every URL a reader sees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "path.h"
#include "strmap.h"
#include "utf8.h"

static void
expect(char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void
test_resolve(void **state)
{
	(void)state;
	expect(path_resolve("docs/a", "../b/c.md"), "docs/b/c.md");
	expect(path_resolve("docs/a", "./c.md"), "docs/a/c.md");
	expect(path_resolve("", "x.md"), "x.md");
	expect(path_resolve("docs", "../../x.md"), NULL);
	expect(path_resolve("docs/a", "/faq/x.md"), "faq/x.md");
	expect(path_resolve("docs/a", "b//c/../d.md"), "docs/a/b/d.md");
}

static void
test_dir_stem_join(void **state)
{
	(void)state;
	expect(path_dir("docs/a/b.md"), "docs/a");
	expect(path_dir("x.md"), "");
	expect(path_stem("docs/a/b.md"), "b");
	expect(path_stem("docs/4.2.0.md"), "4.2.0");
	expect(path_join("a/", "/b"), "a/b");
	expect(path_join("", "b"), "b");
	assert_true(path_has_suffix("a.md", ".md"));
	assert_false(path_has_suffix("md", ".md"));
}

static void
test_slug(void **state)
{
	(void)state;
	expect(path_slug("Billing & Plans"), "billing-plans");
	expect(path_slug("  Account  "), "account");
	expect(path_slug("4.2.0"), "4.2.0");
	expect(path_slug("Über"), "\xc3\x9c" "ber");
	expect(path_slug("!!!"), "x");
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_int_equal(utf8_invalid_at("caf\xc3\xa9", 5), 5);
	assert_int_equal(utf8_invalid_at("caf\xe9!", 5), 3);
	assert_int_equal(utf8_invalid_at("\xc0\xaf", 2), 0);	/* overlong */
	assert_int_equal(utf8_invalid_at("\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(utf8_invalid_at("ok\xe2\x82", 4), 2);	/* cut short */
}

static void
test_strmap(void **state)
{
	struct strmap	 m = { 0 };
	char		 key[16];
	int		 vals[1000];
	int		 i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_ptr_equal(strmap_put(&m, key, &vals[i]), &vals[i]);
	}
	assert_ptr_equal(strmap_put(&m, "k7", &vals[0]), &vals[7]);
	assert_ptr_equal(strmap_get(&m, "k999"), &vals[999]);
	assert_null(strmap_get(&m, "k1000"));
	assert_int_equal(m.len, 1000);
	strmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_dir_stem_join),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_strmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
