/*
 * Unit tests for ticketform.c: the ticket form validator against the
 * "bug" and "billing" types of the example site.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "ticketform.h"

static const char catalog[] =
"{\"tickets\": {\"prefix\": \"SKY\", \"types\": ["
" {\"id\": \"bug\", \"label\": \"Bug\", \"fields\": ["
"  {\"name\": \"subject\", \"type\": \"text\", \"required\": true, \"max\": 10},"
"  {\"name\": \"email\", \"type\": \"email\", \"required\": true},"
"  {\"name\": \"platform\", \"type\": \"select\", \"required\": true,"
"   \"options\": [\"Windows\", \"Linux\"]},"
"  {\"name\": \"distribution\", \"type\": \"select\","
"   \"options\": [\"Debian\", \"Other\"],"
"   \"show_if\": {\"field\": \"platform\", \"equals\": \"Linux\"}},"
"  {\"name\": \"description\", \"type\": \"textarea\", \"required\": true,"
"   \"min\": 5, \"max\": 20},"
"  {\"name\": \"log\", \"type\": \"file\"},"
"  {\"name\": \"urgent\", \"type\": \"checkbox\"}"
" ]},"
" {\"id\": \"terms\", \"label\": \"T\", \"fields\": ["
"  {\"name\": \"agree\", \"type\": \"checkbox\", \"required\": true},"
"  {\"name\": \"proof\", \"type\": \"file\", \"required\": true}"
" ]}"
"]}}";

static json_t *cat;

static int
setup(void **state)
{
	(void)state;
	cat = json_loads(catalog, 0, NULL);
	return cat == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(cat);
	return 0;
}

/* Runs the check of type id over fields (JSON text); returns the result
 * and leaves clean/errors for the caller to decref. */
static int
run(const char *id, const char *text, const char *files, json_t **clean,
    json_t **errors)
{
	json_t	*f = json_loads(text, JSON_ALLOW_NUL, NULL), *fl = NULL;
	int	 r;

	assert_non_null(f);
	if (files)
		assert_non_null(fl = json_loads(files, 0, NULL));
	r = ticketform_check(ticketform_type(cat, id), f, fl, clean, errors);
	json_decref(f);
	json_decref(fl);
	return r;
}

static const char *
err_of(json_t *errors, const char *name)
{
	return json_string_value(json_object_get(errors, name));
}

static void
test_good(void **state)
{
	json_t	*c, *e;

	(void)state;
	assert_true(run("bug", "{\"subject\": \"Fails\", \"email\": "
	    "\" Ann@Example.COM \", \"platform\": \"Linux\", \"distribution\": "
	    "\"Debian\", \"description\": \"line one\\nline 2\", \"urgent\": "
	    "true}", NULL, &c, &e));
	assert_null(e);
	assert_string_equal(json_string_value(json_object_get(c, "email")),
	    "ann@example.com");
	assert_true(json_is_true(json_object_get(c, "urgent")));
	assert_string_equal(json_string_value(json_object_get(c,
	    "distribution")), "Debian");
	json_decref(c);
}

static void
test_required_and_unknown(void **state)
{
	json_t	*c, *e;

	(void)state;
	assert_false(run("bug", "{\"subject\": \"\", \"platform\": "
	    "\"Windows\", \"description\": \"hello there\", \"nope\": 1}",
	    NULL, &c, &e));
	assert_null(c);
	assert_non_null(err_of(e, "subject"));
	assert_non_null(err_of(e, "email"));
	assert_non_null(err_of(e, "nope"));
	assert_null(err_of(e, "platform"));
	assert_null(err_of(e, "description"));
	json_decref(e);
}

static void
test_hidden_field(void **state)
{
	json_t	*c, *e;

	(void)state;
	/* distribution is hidden unless platform is Linux */
	assert_false(run("bug", "{\"subject\": \"a\", \"email\": \"a@b.co\", "
	    "\"platform\": \"Windows\", \"distribution\": \"Debian\", "
	    "\"description\": \"hello there\"}", NULL, &c, &e));
	assert_non_null(err_of(e, "distribution"));
	assert_int_equal(json_object_size(e), 1);
	json_decref(e);
	/* empty is fine, and dropped */
	assert_true(run("bug", "{\"subject\": \"a\", \"email\": \"a@b.co\", "
	    "\"platform\": \"Windows\", \"distribution\": \"\", "
	    "\"description\": \"hello there\"}", NULL, &c, &e));
	assert_null(json_object_get(c, "distribution"));
	json_decref(c);
}

static void
test_lengths_in_characters(void **state)
{
	json_t	*c, *e;

	(void)state;
	/* ten characters, twenty bytes: fits max 10 */
	assert_true(run("bug", "{\"subject\": \"\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\", \"email\": \"a@b.co\", "
	    "\"platform\": \"Linux\", \"description\": \"hello\"}", NULL, &c,
	    &e));
	json_decref(c);
	assert_false(run("bug", "{\"subject\": \"12345678901\", \"email\": "
	    "\"a@b.co\", \"platform\": \"Linux\", \"description\": \"hi\"}",
	    NULL, &c, &e));
	assert_non_null(strstr(err_of(e, "subject"), "at most 10"));
	assert_non_null(strstr(err_of(e, "description"), "at least 5"));
	json_decref(e);
	assert_int_equal(ticketform_chars("\xc3\xa9x", 3), 2);
}

static void
test_types(void **state)
{
	json_t	*c, *e;

	(void)state;
	assert_false(run("bug", "{\"subject\": \"a\\u0007b\", \"email\": "
	    "\"not-an-address\", \"platform\": \"BeOS\", \"description\": "
	    "42, \"urgent\": \"yes\", \"log\": \"x\"}", NULL, &c, &e));
	assert_non_null(err_of(e, "subject"));
	assert_non_null(err_of(e, "email"));
	assert_non_null(strstr(err_of(e, "platform"), "options"));
	assert_non_null(err_of(e, "description"));
	assert_non_null(err_of(e, "urgent"));
	assert_non_null(err_of(e, "log"));
	json_decref(e);
	/* a NUL inside a string */
	assert_false(run("bug", "{\"subject\": \"a\\u0000b\", \"email\": "
	    "\"a@b.co\", \"platform\": \"Linux\", \"description\": "
	    "\"hello\"}", NULL, &c, &e));
	assert_non_null(err_of(e, "subject"));
	json_decref(e);
}

static void
test_checkbox_and_files(void **state)
{
	json_t	*c, *e;

	(void)state;
	assert_false(run("terms", "{\"agree\": false}", NULL, &c, &e));
	assert_non_null(err_of(e, "agree"));
	assert_non_null(err_of(e, "proof"));
	json_decref(e);
	assert_true(run("terms", "{\"agree\": true}", "{\"proof\": 1}", &c,
	    &e));
	json_decref(c);
	/* files for a field that is not a file field */
	assert_false(run("terms", "{\"agree\": true}", "{\"proof\": 1, "
	    "\"agree\": 1}", &c, &e));
	assert_non_null(err_of(e, "agree"));
	json_decref(e);
	assert_null(ticketform_type(cat, "nope"));
	assert_null(ticketform_type(cat, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_required_and_unknown),
		cmocka_unit_test(test_hidden_field),
		cmocka_unit_test(test_lengths_in_characters),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_checkbox_and_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
