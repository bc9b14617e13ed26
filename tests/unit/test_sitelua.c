/*
 * Unit tests of generator/sitelua.c: site.lua's table as JSON, the
 * sandbox, and the file:line or key path of every error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "diag.h"
#include "sitelua.h"
#include "xalloc.h"

/*
 * Writes text to a new temporary file and loads it with sitelua_load.
 * Returns the JSON (or NULL); *msgs gets what diag was told with the
 * file's path replaced by "site.lua" (heap).
 */
static json_t *
load_text(const char *text, char **msgs)
{
	char	 path[] = "/tmp/porch-site-XXXXXX";
	char	*raw, *p, *q;
	json_t	*v;
	size_t	 n = strlen(path);
	int	 fd;

	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	v = sitelua_load(path);
	unlink(path);
	raw = diag_take();
	/* the messages name the file: make them comparable */
	*msgs = xcalloc(1, strlen(raw) + 1);
	for (p = raw, q = *msgs; *p; ) {
		if (strncmp(p, path, n) == 0) {
			q = stpcpy(q, "site.lua");
			p += n;
		} else
			*q++ = *p++;
	}
	free(raw);
	return v;
}

/* Asserts that text loads as the compact JSON want, with no message. */
static void
expect_json(const char *text, const char *want)
{
	json_t	*v;
	char	*msgs, *got;

	v = load_text(text, &msgs);
	assert_string_equal(msgs, "");
	assert_non_null(v);
	got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_string_equal(got, want);
	free(got);
	free(msgs);
	json_decref(v);
}

/* Asserts that text fails with exactly the message want. */
static void
expect_error(const char *text, const char *want)
{
	json_t	*v;
	char	*msgs;

	v = load_text(text, &msgs);
	assert_null(v);
	assert_string_equal(msgs, want);
	free(msgs);
}

static void
test_valid_table(void **state)
{
	(void)state;
	expect_json("-- a comment\nreturn { title = \"My help\", "
	    "base_url = \"https://x.org/\", anonymous = true, max = 150 }",
	    "{\"anonymous\":true,\"base_url\":\"https://x.org/\","
	    "\"max\":150,\"title\":\"My help\"}");
}

static void
test_arrays_objects(void **state)
{
	(void)state;
	expect_json("return { list = { \"a\", \"b\", \"c\" }, empty = {}, "
	    "sparse_fixed = { [1] = 1, [2] = 2 }, obj = { x = 1 } }",
	    "{\"empty\":{},\"list\":[\"a\",\"b\",\"c\"],\"obj\":{\"x\":1},"
	    "\"sparse_fixed\":[1,2]}");
}

static void
test_nested(void **state)
{
	(void)state;
	expect_json("local f = { name = \"subject\", max = 150 }\n"
	    "return { tickets = { types = { { id = \"q\", fields = { f } }, "
	    "{ id = \"b\", fields = { f, { name = \"x\", "
	    "options = { \"A\", \"B\" } } } } } } }",
	    "{\"tickets\":{\"types\":[{\"fields\":[{\"max\":150,\"name\":"
	    "\"subject\"}],\"id\":\"q\"},{\"fields\":[{\"max\":150,\"name\":"
	    "\"subject\"},{\"name\":\"x\",\"options\":[\"A\",\"B\"]}],"
	    "\"id\":\"b\"}]}}");
}

static void
test_numbers(void **state)
{
	(void)state;
	expect_json("return { i = 3, f = 1.5, whole = 2.0, big = 2^53, "
	    "neg = -7, hex = 0x10, utf = \"caf\\u{e9}\" }",
	    "{\"big\":9007199254740992.0,\"f\":1.5,\"hex\":16,\"i\":3,"
	    "\"neg\":-7,\"utf\":\"caf\xc3\xa9\",\"whole\":2.0}");
}

static void
test_function_rejected(void **state)
{
	(void)state;
	expect_error("return { tickets = { types = { { id = \"a\" }, "
	    "{ fields = { { check = function() end } } } } } }",
	    "site.lua: error: tickets.types[2].fields[1].check: functions are "
	    "not allowed\n");
	expect_error("return { f = print or tostring }",
	    "site.lua: error: f: functions are not allowed\n");
	expect_error("return { [\"my key\"] = { coroutine and 1 or "
	    "string.gmatch(\"\", \"\") } }",
	    "site.lua: error: [\"my key\"][1]: functions are not allowed\n");
}

static void
test_bad_keys(void **state)
{
	(void)state;
	expect_error("return { nav = { \"a\", x = 1 } }",
	    "site.lua: error: nav: a table cannot have both list items and "
	    "named keys\n");
	expect_error("return { nav = { [1] = \"a\", [3] = \"c\" } }",
	    "site.lua: error: nav: a list must have keys 1..n without gaps "
	    "(found key 3 among 2)\n");
	expect_error("return { opts = { [true] = 1 } }",
	    "site.lua: error: opts: a boolean key is not allowed (keys must "
	    "be strings, or 1..n for a list)\n");
	expect_error("return { opts = { [1.5] = 1 } }",
	    "site.lua: error: opts: a number key is not allowed (keys must "
	    "be strings, or 1..n for a list)\n");
}

static void
test_bad_values(void **state)
{
	(void)state;
	expect_error("local t = { a = {} }\nt.a.back = t\nreturn t",
	    "site.lua: error: a.back: the table contains itself (a cycle)\n");
	expect_error("return { title = \"\\xff\" }",
	    "site.lua: error: title: the text is not valid UTF-8\n");
	/* found by fuzzing: a NUL made a catalog porchd could not read */
	expect_error("return { title = \"Help\\0Center\" }",
	    "site.lua: error: title: the text contains a NUL byte (\\0)\n");
	expect_error("return { opts = { [\"a\\0b\"] = 1 } }",
	    "site.lua: error: opts[\"a\\0b\"]: the key contains a NUL byte\n");
	expect_error("return { x = { 0/0 } }",
	    "site.lua: error: x[1]: nan is not allowed (JSON has no such "
	    "number)\n");
	expect_error("return { x = 1/0 }",
	    "site.lua: error: x: infinity is not allowed (JSON has no such "
	    "number)\n");
}

static void
test_missing_return(void **state)
{
	(void)state;
	expect_error("title = \"x\"\n",
	    "site.lua: error: site.lua must return a table, e.g. return { "
	    "title = \"My help\" }\n");
	expect_error("return \"x\"",
	    "site.lua: error: site.lua must return a table, e.g. return { "
	    "title = \"My help\" }\n");
}

static void
test_syntax_error(void **state)
{
	(void)state;
	expect_error("return {\n  title = \"x\"\n  nav = {}\n}\n",
	    "site.lua:3: error: '}' expected (to close '{' at line 1) near "
	    "'nav'\n");
	expect_error("\x1bLua", "site.lua: error: attempt to load a binary "
	    "chunk (mode is 't')\n");
}

static void
test_runtime_error(void **state)
{
	(void)state;
	expect_error("local t = {}\n\nreturn { x = t.a.b }",
	    "site.lua:3: error: attempt to index a nil value (field 'a')\n");
	expect_error("\nerror(\"no\", 0)", "site.lua:2: error: no\n");
	expect_error("error(\"stop\")", "site.lua:1: error: stop\n");
	expect_error("\n\nerror({})",
	    "site.lua:3: error: (error object is a table value)\n");
}

static void
test_sandbox(void **state)
{
	(void)state;
	expect_json("return { type(io), type(os), type(require), type(load), "
	    "type(dofile), type(loadfile), type(print), type(debug), "
	    "type(package), type(collectgarbage), type(math.random), "
	    "type(string.dump), type(string.format), type(table.concat), "
	    "type(utf8.char), type(pairs), type(setmetatable) }",
	    "[\"nil\",\"nil\",\"nil\",\"nil\",\"nil\",\"nil\",\"nil\",\"nil\","
	    "\"nil\",\"nil\",\"nil\",\"nil\",\"function\",\"function\","
	    "\"function\",\"function\",\"function\"]");
}

static void
test_budget(void **state)
{
	(void)state;
	expect_error("local n = 0\nwhile true do n = n + 1 end",
	    "site.lua:2: error: site.lua took too long (instruction budget "
	    "exceeded)\n");
	expect_error("local function spin() while true do end end\n"
	    "while true do pcall(spin) end",
	    "site.lua:2: error: site.lua took too long (instruction budget "
	    "exceeded)\n");
}

static void
test_memory(void **state)
{
	(void)state;
	expect_error("return { x = string.rep(\"x\", 600 * 1024 * 1024) }",
	    "site.lua: error: site.lua used more than 512 MB of memory\n");
}

static void
test_missing_file(void **state)
{
	json_t	*v;
	char	*msgs;

	(void)state;
	v = sitelua_load("/nonexistent/porch/site.lua");
	assert_null(v);
	msgs = diag_take();
	assert_string_equal(msgs, "/nonexistent/porch/site.lua: error: cannot "
	    "read site.lua: No such file or directory\n");
	free(msgs);
}

static void
test_example_site(void **state)
{
	json_t	*v;
	char	*msgs;

	(void)state;
	/* the repository's example, when the tests run from its root */
	if (access("content/site.lua", R_OK) != 0)
		skip();
	v = sitelua_load("content/site.lua");
	msgs = diag_take();
	assert_string_equal(msgs, "");
	assert_non_null(v);
	assert_true(json_is_array(json_object_get(json_object_get(v,
	    "tickets"), "types")));
	free(msgs);
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_table),
		cmocka_unit_test(test_arrays_objects),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_function_rejected),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_missing_return),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_runtime_error),
		cmocka_unit_test(test_sandbox),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_example_site),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
