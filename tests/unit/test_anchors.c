/* List pages show many entries: their heading ids must stay unique. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "anchors.h"

static void
test_heading_ids_and_their_links_get_the_prefix(void **state)
{
	char	*ids[] = { "fixes", "highlights" };
	char	*out;

	(void)state;
	out = anchors_prefix("<h2 id=\"highlights\">H<a class=\"anchor\" "
	    "href=\"#highlights\">#</a></h2><p><a href=\"#fixes\">f</a> "
	    "<a href=\"#elsewhere\">e</a> <span id=\"mine\"></span> "
	    "<a href=\"/x/#fixes\">x</a></p>", ids, 2, "4.2.0");
	assert_string_equal(out, "<h2 id=\"4.2.0-highlights\">H<a class=\""
	    "anchor\" href=\"#4.2.0-highlights\">#</a></h2><p><a href=\""
	    "#4.2.0-fixes\">f</a> <a href=\"#elsewhere\">e</a> <span id=\""
	    "mine\"></span> <a href=\"/x/#fixes\">x</a></p>");
	free(out);
}

static void
test_unterminated_attribute_is_copied(void **state)
{
	char	*ids[] = { "a" };
	char	*out;

	(void)state;
	out = anchors_prefix("<p id=\"a", ids, 1, "p");
	assert_string_equal(out, "<p id=\"a");
	free(out);
	out = anchors_prefix("", ids, 0, "p");
	assert_string_equal(out, "");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heading_ids_and_their_links_get_the_prefix),
		cmocka_unit_test(test_unterminated_attribute_is_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
