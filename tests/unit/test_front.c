/*
 * Unit tests for front.c: splitting front matter from the body, the YAML
 * value tree with its file positions, and the content model checks.  The
 * error tests compare the whole "file:line:col: error: ..." text, as that
 * is what a writer sees.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "front.h"
#include "xalloc.h"

#define PATH	"docs/a.md"

/* Returns what diag was told since the last call (heap string).  diag_take
 * is only called when there is something, so a test that expects silence
 * does not depend on diag's handling of an empty list. */
static char *
take(void)
{
	if (diag_count(DIAG_ERROR) == 0 && diag_count(DIAG_WARNING) == 0)
		return xstrdup("");
	return diag_take();
}

/* Checks that diag was told exactly want, and forgets it. */
static void
expect_diag(const char *want)
{
	char	*got = take();

	assert_string_equal(got, want);
	free(got);
}

/* Forgets what an earlier test left in diag (after a failed assertion). */
static int
clear_diag(void **state)
{
	(void)state;
	free(take());
	return 0;
}

/* front_parse on a C string. */
static int
parse(const char *text, struct fm_value *v, size_t *off, unsigned *line)
{
	return front_parse(PATH, text, strlen(text), v, off, line);
}

/* Parses text, which must fail, and checks the messages. */
static void
expect_parse_error(const char *text, const char *want)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	assert_int_equal(parse(text, &v, &off, &line), 0);
	assert_int_equal(v.n, 0);
	assert_null(v.pairs);
	expect_diag(want);
}

/* Parses text (which must be good YAML) and checks it for section. */
static int
meta(enum section section, const char *text, struct page_meta *m)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;
	int		 ok;

	assert_int_equal(parse(text, &v, &off, &line), 1);
	ok = front_meta_read(PATH, section, &v, m);
	front_free(&v);
	return ok;
}

/* Checks text for section, which must be wrong with exactly want. */
static void
expect_meta_error(enum section section, const char *text, const char *want)
{
	struct page_meta m;

	assert_int_equal(meta(section, text, &m), 0);
	front_meta_free(&m);
	expect_diag(want);
}

/*
 * Splitting.
 */

static void
test_no_front_matter(void **state)
{
	struct fm_value	 v;
	size_t		 off = 99;
	unsigned	 line = 99;

	(void)state;
	assert_int_equal(parse("# Hello\n\n---\ntitle: x\n---\n", &v, &off,
	    &line), 1);
	assert_int_equal(v.kind, FM_MAP);
	assert_int_equal(v.n, 0);
	assert_int_equal(off, 0);
	assert_int_equal(line, 1);
	front_free(&v);
	expect_diag("");
}

static void
test_empty_file(void **state)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(front_parse(PATH, "", 0, &v, &off, &line), 1);
	assert_int_equal(v.kind, FM_MAP);
	assert_int_equal(v.n, 0);
	assert_int_equal(off, 0);
	assert_int_equal(line, 1);
	front_free(&v);
	expect_diag("");
}

static void
test_body_offset_and_line(void **state)
{
	const char	*text = "---\ntitle: Hi\nweight: 2\n---\n\nBody.\n";
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	assert_string_equal(text + off, "\nBody.\n");
	assert_int_equal(line, 5);
	assert_int_equal(v.n, 2);
	front_free(&v);
}

/* The text need not be NUL-terminated: only len bytes are read. */
static void
test_text_not_nul_terminated(void **state)
{
	char		*text = xmalloc(20);
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	memcpy(text, "---\na: b\n---", 12);
	assert_int_equal(front_parse(PATH, text, 12, &v, &off, &line), 1);
	assert_int_equal(off, 12);
	assert_int_equal(line, 4);
	assert_string_equal(front_get(&v, "a")->str, "b");
	front_free(&v);
	free(text);
}

static void
test_dots_close_and_trailing_spaces(void **state)
{
	const char	*text = "--- \t\ntitle: Hi\n...   \nBody";
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	assert_string_equal(text + off, "Body");
	assert_int_equal(line, 4);
	assert_string_equal(front_get(&v, "title")->str, "Hi");
	front_free(&v);
}

/* "----" or "--- x" is not a marker: the file has no front matter. */
static void
test_not_a_marker(void **state)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse("----\ntitle: x\n----\n", &v, &off, &line), 1);
	assert_int_equal(v.n, 0);
	assert_int_equal(off, 0);
	front_free(&v);
	assert_int_equal(parse("--- x\n---\n", &v, &off, &line), 1);
	assert_int_equal(v.n, 0);
	front_free(&v);
	expect_diag("");
}

static void
test_bom(void **state)
{
	const char	*text = "\xef\xbb\xbf---\ntitle: Hi\n---\nBody";
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	assert_string_equal(text + off, "Body");
	assert_int_equal(line, 4);
	assert_string_equal(front_get(&v, "title")->str, "Hi");
	assert_int_equal(v.pairs[0].line, 2);
	assert_int_equal(v.pairs[0].col, 1);
	front_free(&v);
}

static void
test_crlf(void **state)
{
	const char	*text = "---\r\ntitle: Hi\r\nweight: 3\r\n---\r\n\r\n"
	    "Body\r\n";
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	assert_string_equal(text + off, "\r\nBody\r\n");
	assert_int_equal(line, 5);
	assert_string_equal(front_get(&v, "title")->str, "Hi");
	assert_int_equal(front_get(&v, "weight")->kind, FM_INT);
	assert_int_equal(front_get(&v, "weight")->line, 3);
	assert_int_equal(front_get(&v, "weight")->col, 9);
	front_free(&v);
}

static void
test_crlf_error_position(void **state)
{
	(void)state;
	expect_parse_error("---\r\ntitle: x\r\ndate: a: b\r\n---\r\n",
	    PATH ":3:8: error: mapping values are not allowed in this "
	    "context; put a value that contains ': ' in quotes\n");
}

static void
test_unclosed(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: Hi\n\nBody\n",
	    PATH ":1:1: error: front matter is not closed (expected a line "
	    "'---')\n");
	expect_parse_error("---",
	    PATH ":1:1: error: front matter is not closed (expected a line "
	    "'---')\n");
	expect_parse_error("\xef\xbb\xbf---\r\n",
	    PATH ":1:1: error: front matter is not closed (expected a line "
	    "'---')\n");
}

static void
test_empty_block(void **state)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse("---\n# only a comment\n\n---\nBody", &v, &off,
	    &line), 1);
	assert_int_equal(v.kind, FM_MAP);
	assert_int_equal(v.n, 0);
	assert_int_equal(line, 5);
	front_free(&v);
	expect_diag("");
}

/*
 * The value tree.
 */

static void
test_scalar_typing(void **state)
{
	const char	*text = "---\n"
	    "n1: ~\nn2: null\nn3: NULL\nn4:\n"
	    "b1: true\nb2: False\nb3: yes\n"
	    "i1: 10\ni2: -3\ni3: +7\n"
	    "f1: 1.5\nf2: -0.25\nf3: 1e3\nf4: 4.2.1\n"
	    "s1: hello world\ns2: '10'\ns3: \"true\"\ns4: ''\n"
	    "---\n";
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	assert_int_equal(front_get(&v, "n1")->kind, FM_NULL);
	assert_string_equal(front_get(&v, "n1")->str, "~");
	assert_int_equal(front_get(&v, "n2")->kind, FM_NULL);
	assert_int_equal(front_get(&v, "n3")->kind, FM_NULL);
	assert_int_equal(front_get(&v, "n4")->kind, FM_NULL);
	assert_string_equal(front_get(&v, "n4")->str, "");
	assert_int_equal(front_get(&v, "b1")->kind, FM_BOOL);
	assert_int_equal(front_get(&v, "b1")->b, 1);
	assert_int_equal(front_get(&v, "b2")->kind, FM_BOOL);
	assert_int_equal(front_get(&v, "b2")->b, 0);
	assert_int_equal(front_get(&v, "b3")->kind, FM_STRING);
	assert_int_equal(front_get(&v, "i1")->kind, FM_INT);
	assert_int_equal(front_get(&v, "i1")->i, 10);
	assert_int_equal(front_get(&v, "i2")->i, -3);
	assert_int_equal(front_get(&v, "i3")->i, 7);
	assert_string_equal(front_get(&v, "i3")->str, "+7");
	assert_int_equal(front_get(&v, "f1")->kind, FM_FLOAT);
	assert_true(front_get(&v, "f1")->f == 1.5);
	assert_true(front_get(&v, "f2")->f == -0.25);
	assert_true(front_get(&v, "f3")->f == 1000.0);
	assert_int_equal(front_get(&v, "f4")->kind, FM_STRING);
	assert_string_equal(front_get(&v, "s1")->str, "hello world");
	assert_int_equal(front_get(&v, "s2")->kind, FM_STRING);
	assert_string_equal(front_get(&v, "s2")->str, "10");
	assert_int_equal(front_get(&v, "s3")->kind, FM_STRING);
	assert_int_equal(front_get(&v, "s4")->kind, FM_STRING);
	assert_string_equal(front_get(&v, "s4")->str, "");
	front_free(&v);
	expect_diag("");
}

static void
test_lists_and_maps(void **state)
{
	const char	*text = "---\n"
	    "tags: [a, 'b']\n"
	    "links:\n"
	    "  - text: Home\n"
	    "    url: /\n"
	    "---\n";
	const struct fm_value *tags, *links;
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	tags = front_get(&v, "tags");
	assert_int_equal(tags->kind, FM_LIST);
	assert_int_equal(tags->n, 2);
	assert_string_equal(tags->items[1].str, "b");
	assert_int_equal(tags->items[1].line, 2);
	assert_int_equal(tags->items[1].col, 11);
	links = front_get(&v, "links");
	assert_int_equal(links->kind, FM_LIST);
	assert_int_equal(links->items[0].kind, FM_MAP);
	assert_string_equal(front_get(&links->items[0], "url")->str, "/");
	assert_int_equal(links->items[0].pairs[1].line, 5);
	assert_int_equal(links->items[0].pairs[1].col, 5);
	front_free(&v);
}

/* Keys and values carry their real file line (after the "---" line) and
 * 1-based column. */
static void
test_positions(void **state)
{
	const char	*text = "---\ntitle: Hi\n  # comment\nweight:   12\n"
	    "---\n";
	const struct fm_pair *p;
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse(text, &v, &off, &line), 1);
	p = &v.pairs[1];
	assert_string_equal(p->key, "weight");
	assert_int_equal(p->line, 4);
	assert_int_equal(p->col, 1);
	assert_int_equal(p->value.line, 4);
	assert_int_equal(p->value.col, 11);
	front_free(&v);
}

/* Columns count characters, not bytes, and U+2028 (a line break to
 * libyaml) does not shift the lines after it. */
static void
test_positions_utf8(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: \xc3\xa9t\xc3\xa9: x\n---\n",
	    PATH ":2:11: error: mapping values are not allowed in this "
	    "context; put a value that contains ': ' in quotes\n");
	expect_parse_error("---\na: \"x\xe2\x80\xa8y\"\nb: c: d\n---\n",
	    PATH ":3:5: error: mapping values are not allowed in this "
	    "context; put a value that contains ': ' in quotes\n");
}

static void
test_front_get(void **state)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(parse("---\na: 1\nb: [x]\n---\n", &v, &off, &line),
	    1);
	assert_int_equal(front_get(&v, "a")->i, 1);
	assert_null(front_get(&v, "c"));
	assert_null(front_get(front_get(&v, "b"), "x"));
	assert_null(front_get(NULL, "a"));
	front_free(&v);
}

/*
 * Parse errors.
 */

static void
test_syntax_error_missing_colon(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: x\nfoo bar\nweight: 1\n---\n",
	    PATH ":3:1: error: could not find expected ':' (while scanning a "
	    "simple key); write each entry as 'key: value'\n");
}

static void
test_syntax_error_unclosed_quote(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: \"Hi\nweight: 1\n---\n",
	    PATH ":4:1: error: found the end of the front matter (while "
	    "scanning a quoted scalar at line 2, column 8); a quote is opened "
	    "but not closed\n");
}

static void
test_syntax_error_tab(void **state)
{
	(void)state;
	expect_parse_error("---\ntags:\n\t- a\n---\n",
	    PATH ":3:1: error: found a tab character that cannot start any "
	    "token (while scanning for the next token); indent with spaces, "
	    "not tabs\n");
}

static void
test_syntax_error_flow_list(void **state)
{
	(void)state;
	expect_parse_error("---\ntags: [a, b\nweight: 1\n---\n",
	    PATH ":3:7: error: did not find expected ',' or ']' (while "
	    "parsing a flow sequence at line 2, column 7)\n");
	expect_parse_error("---\ntitle: @home\n---\n",
	    PATH ":2:8: error: found character '@' that cannot start any token "
	    "(while scanning for the next token); put a value that starts "
	    "with this character in quotes\n");
}

static void
test_not_a_mapping(void **state)
{
	(void)state;
	expect_parse_error("---\n- a\n- b\n---\n",
	    PATH ":2:1: error: front matter must be a mapping of keys to values "
	    "(one 'key: value' per line), found a list\n");
	expect_parse_error("---\njust some text\n---\n",
	    PATH ":2:1: error: front matter must be a mapping of keys to values "
	    "(one 'key: value' per line), found 'just some text'\n");
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: A\nweight: 1\ntitle: B\n---\n",
	    PATH ":4:1: error: duplicate key 'title' (first given at line 2)\n");
	/* nested maps are checked too */
	expect_parse_error("---\nx:\n  a: 1\n  a: 2\n---\n",
	    PATH ":4:3: error: duplicate key 'a' (first given at line 3)\n");
}

/* A key or tag with an escaped line break still gives a one-line message
 * (the report is one problem per line). */
static void
test_messages_stay_on_one_line(void **state)
{
	(void)state;
	expect_parse_error("---\n\"a\\nb\": 1\n\"a\\nb\": 2\n---\n",
	    PATH ":3:1: error: duplicate key 'a\\nb' (first given at line "
	    "2)\n");
	expect_parse_error("---\na: !<x%0Ay> 1\n---\n",
	    PATH ":2:4: error: tags such as 'x\\ny' are not supported in front "
	    "matter; put the value in quotes to make it text\n");
}

/* Every anchor, alias and tag is reported, not only the first. */
static void
test_anchors_aliases_tags(void **state)
{
	(void)state;
	expect_parse_error("---\na: &x 1\nb: *x\nc: !!str 1\n---\n",
	    PATH ":2:4: error: anchors ('&x') are not supported in front "
	    "matter; write the value out\n"
	    PATH ":3:4: error: aliases ('*x') are not supported in front "
	    "matter; write the value out\n"
	    PATH ":4:4: error: tags such as '!!str' are not supported in front "
	    "matter; put the value in quotes to make it text\n");
}

static void
test_bad_keys(void **state)
{
	(void)state;
	expect_parse_error("---\n[a, b]: 1\ntitle: x\n---\n",
	    PATH ":2:1: error: keys must be plain text, found a list\n");
	expect_parse_error("---\n? {a: 1}\n: 1\n---\n",
	    PATH ":2:3: error: keys must be plain text, found a map\n");
	expect_parse_error("---\n\"\": 1\n---\n",
	    PATH ":2:1: error: found an empty key\n");
}

static void
test_nul_bytes(void **state)
{
	static const char text[] = "---\ntitle: a\0b\n---\n";
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;

	(void)state;
	assert_int_equal(front_parse(PATH, text, sizeof(text) - 1, &v, &off,
	    &line), 0);
	expect_diag(PATH ":2:9: error: front matter contains a NUL byte\n");
	expect_parse_error("---\ntitle: \"a\\0b\"\n---\n",
	    PATH ":2:8: error: text must not contain a NUL character "
	    "('\\0')\n");
}

static void
test_integer_overflow(void **state)
{
	(void)state;
	expect_parse_error("---\nweight: 99999999999999999999\n---\n",
	    PATH ":2:9: error: number '99999999999999999999' is too large: "
	    "integers must be between -9223372036854775808 and "
	    "9223372036854775807 (put it in quotes to use it as text)\n");
	expect_parse_error("---\nx: 1e999\n---\n",
	    PATH ":2:4: error: number '1e999' is too large (put it in quotes "
	    "to use it as text)\n");
}

static void
test_bad_bytes(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: caf\xe9\n---\n",
	    PATH ":2:11: error: found bytes that are not valid UTF-8 (incomplete "
	    "UTF-8 octet sequence); save the file as UTF-8\n");
	expect_parse_error("---\ntitle: a\x01\n---\n",
	    PATH ":2:9: error: found character U+0001 (control characters are "
	    "not allowed)\n");
}

static void
test_second_document(void **state)
{
	(void)state;
	expect_parse_error("---\ntitle: x\n--- # more\nweight: 1\n---\n",
	    PATH ":3:1: error: front matter must be a single YAML document; a "
	    "line starting with '---' or '...' inside it starts another one\n");
}

static void
test_deep_nesting(void **state)
{
	struct fm_value	 v;
	size_t		 off;
	unsigned	 line;
	char		*text, *got;
	size_t		 i, n = 100000;

	(void)state;
	text = xmalloc(n + 32);
	memcpy(text, "---\na: ", 7);
	for (i = 0; i < n; i++)
		text[7 + i] = '[';
	memcpy(text + 7 + n, "\n---\n", 6);
	assert_int_equal(parse(text, &v, &off, &line), 0);
	got = take();
	assert_non_null(strstr(got, PATH ":2:"));
	assert_non_null(strstr(got, "nested more than 64 levels deep"));
	free(got);
	free(text);
}

/*
 * The content model.
 */

static void
test_meta_page(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_DOCS, "---\n"
	    "title: Install the agent\n"
	    "description: How to install.\n"
	    "weight: -20\n"
	    "draft: true\n"
	    "updated: 2026-09-14\n"
	    "audience: admins\n"
	    "---\n", &m), 1);
	assert_string_equal(m.title, "Install the agent");
	assert_string_equal(m.description, "How to install.");
	assert_int_equal(m.has_weight, 1);
	assert_int_equal(m.weight, -20);
	assert_int_equal(m.draft, 1);
	assert_string_equal(m.updated, "2026-09-14");
	assert_null(m.date);
	assert_null(m.category);
	assert_int_equal(m.tags.n, 0);
	front_meta_free(&m);
	expect_diag("");
}

static void
test_meta_no_front_matter(void **state)
{
	(void)state;
	expect_meta_error(SECTION_PAGE, "# Hi\n",
	    PATH ":1:1: error: missing 'title' in front matter\n");
}

static void
test_meta_title(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_PAGE, "---\ntitle: 404\n---\n", &m), 1);
	assert_string_equal(m.title, "404");
	front_meta_free(&m);
	expect_meta_error(SECTION_PAGE, "---\ntitle: [a, b]\n---\n",
	    PATH ":2:8: error: 'title' must be a string, found a list\n");
	expect_meta_error(SECTION_PAGE, "---\ntitle:\n---\n",
	    PATH ":2:7: error: 'title' must not be empty\n");
	expect_meta_error(SECTION_PAGE, "---\ntitle: '  '\n---\n",
	    PATH ":2:8: error: 'title' must not be empty\n");
}

static void
test_meta_weight(void **state)
{
	struct page_meta m;

	(void)state;
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nweight: ten\n---\n",
	    PATH ":3:9: error: 'weight' must be an integer, found 'ten'\n");
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nweight: 1.5\n---\n",
	    PATH ":3:9: error: 'weight' must be an integer, found '1.5'\n");
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nweight: \"10\"\n---\n",
	    PATH ":3:9: error: 'weight' must be an integer, found the text "
	    "'10' (remove the quotes)\n");
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nweight: 1000001\n---\n",
	    PATH ":3:9: error: 'weight' must be between -1000000 and 1000000, "
	    "found 1000001\n");
	assert_int_equal(meta(SECTION_DOCS,
	    "---\ntitle: x\nweight: -1000000\n---\n", &m), 1);
	assert_int_equal(m.weight, -1000000);
	front_meta_free(&m);
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\nweight:\n---\n",
	    &m), 1);
	assert_int_equal(m.has_weight, 0);
	front_meta_free(&m);
}

static void
test_meta_tags(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\n"
	    "tags: [Agent, ' windows ', agent, '', WINDOWS, Install, ~, 2026]\n"
	    "---\n", &m), 1);
	assert_int_equal(m.tags.n, 4);
	assert_string_equal(m.tags.v[0], "agent");
	assert_string_equal(m.tags.v[1], "windows");
	assert_string_equal(m.tags.v[2], "install");
	assert_string_equal(m.tags.v[3], "2026");
	front_meta_free(&m);
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\ntags: Backup\n---\n",
	    &m), 1);
	assert_int_equal(m.tags.n, 1);
	assert_string_equal(m.tags.v[0], "backup");
	front_meta_free(&m);
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\ntags: [a, [b]]\n---\n",
	    PATH ":3:11: error: each entry of 'tags' must be a string, found a "
	    "list\n");
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\ntags: {a: 1}\n---\n",
	    PATH ":3:7: error: 'tags' must be a list of strings or one string, "
	    "found a map\n");
}

static void
test_meta_aliases(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\n"
	    "aliases: [/docs/old, ' /kb/a/ ', /old.html, /docs/old/]\n"
	    "---\n", &m), 1);
	assert_int_equal(m.aliases.n, 3);
	assert_string_equal(m.aliases.v[0], "/docs/old/");
	assert_string_equal(m.aliases.v[1], "/kb/a/");
	assert_string_equal(m.aliases.v[2], "/old.html");
	front_meta_free(&m);
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\naliases: /a\n---\n",
	    &m), 1);
	assert_int_equal(m.aliases.n, 1);
	assert_string_equal(m.aliases.v[0], "/a/");
	front_meta_free(&m);
	expect_meta_error(SECTION_DOCS,
	    "---\ntitle: x\naliases:\n  - docs/old\n  - /../../etc\n---\n",
	    PATH ":4:5: error: each entry of 'aliases' must be a site path "
	    "starting with '/', found 'docs/old'\n"
	    PATH ":5:5: error: each entry of 'aliases' must be a plain site "
	    "path such as '/docs/old-page/' (no '.', '..' or empty segments, no "
	    "'\\', '?', '#' or spaces), found '/../../etc'\n");
}

static void
test_meta_draft(void **state)
{
	(void)state;
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\ndraft: yes\n---\n",
	    PATH ":3:8: error: 'draft' must be true or false, found 'yes'\n");
}

static void
test_meta_dates(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\n"
	    "date: 2024-02-29\nupdated: 2026-03-01T10:00:00Z\n---\n", &m), 1);
	assert_string_equal(m.date, "2024-02-29");
	assert_string_equal(m.updated, "2026-03-01");
	front_meta_free(&m);
	assert_int_equal(meta(SECTION_DOCS, "---\ntitle: x\n"
	    "date: '2026-03-01 23:59:60.5+05:30'\n---\n", &m), 1);
	assert_string_equal(m.date, "2026-03-01");
	front_meta_free(&m);
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\ndate: 2026-02-30\n---\n",
	    PATH ":3:7: error: 'date' must be a real date, found '2026-02-30' "
	    "(February 2026 has 28 days)\n");
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nupdated: 2026-13-01\n"
	    "---\n",
	    PATH ":3:10: error: 'updated' must be a real date, found "
	    "'2026-13-01' (there is no month 13)\n");
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\ndate: March 1\n---\n",
	    PATH ":3:7: error: 'date' must be a date written YYYY-MM-DD (or a "
	    "timestamp such as 2026-03-01T10:00:00Z), found 'March 1'\n");
	expect_meta_error(SECTION_DOCS,
	    "---\ntitle: x\ndate: 2026-03-01T25:00:00Z\n---\n",
	    PATH ":3:7: error: 'date' must be a date written YYYY-MM-DD (or a "
	    "timestamp such as 2026-03-01T10:00:00Z), found "
	    "'2026-03-01T25:00:00Z'\n");
}

static void
test_meta_key_of_other_section(void **state)
{
	(void)state;
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nships: [a]\n"
	    "category: Billing\n---\n",
	    PATH ":3:1: error: 'ships' is only allowed in changelog entries\n"
	    PATH ":4:1: error: 'category' is only allowed in faq and roadmap "
	    "entries\n");
	expect_meta_error(SECTION_FAQ, "---\ntitle: x\ncategory: B\n"
	    "status: planned\n---\n",
	    PATH ":4:1: error: 'status' is only allowed in roadmap entries\n");
}

static void
test_meta_faq(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_FAQ, "---\ntitle: Can I?\n"
	    "category: Billing\n---\n", &m), 1);
	assert_string_equal(m.category, "Billing");
	front_meta_free(&m);
	expect_meta_error(SECTION_FAQ, "---\ntitle: Can I?\n---\n",
	    PATH ":1:1: error: missing 'category' in front matter\n");
}

static void
test_meta_changelog(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_CHANGELOG, "---\ntitle: Agent 4.2\n"
	    "version: 4.2\ndate: 2026-03-01\ntype: security\n"
	    "ships: [bandwidth-limits, sso]\n---\n", &m), 1);
	assert_string_equal(m.version, "4.2");
	assert_string_equal(m.date, "2026-03-01");
	assert_int_equal(m.type, CHANGE_SECURITY);
	assert_int_equal(m.ships.n, 2);
	assert_string_equal(m.ships.v[1], "sso");
	front_meta_free(&m);
	assert_int_equal(meta(SECTION_CHANGELOG, "---\ntitle: x\n"
	    "version: 4.10\ndate: 2026-03-01\ntype: fix\nships: sso\n---\n",
	    &m), 1);
	assert_string_equal(m.version, "4.10");
	assert_int_equal(m.ships.n, 1);
	front_meta_free(&m);
}

static void
test_meta_changelog_missing(void **state)
{
	(void)state;
	expect_meta_error(SECTION_CHANGELOG, "---\ntitle: x\n---\n",
	    PATH ":1:1: error: missing 'date' in front matter\n"
	    PATH ":1:1: error: missing 'type' in front matter\n"
	    PATH ":1:1: error: missing 'version' in front matter\n");
}

static void
test_meta_changelog_bad(void **state)
{
	(void)state;
	expect_meta_error(SECTION_CHANGELOG, "---\ntitle: x\nversion: '4.2'\n"
	    "date: 2026-03-01\ntype: bugfix\nships: [sso, Big Feature]\n---\n",
	    PATH ":5:7: error: 'type' must be one of feature, improvement, fix "
	    "or security, found 'bugfix'\n"
	    PATH ":6:14: error: each entry of 'ships' must be a roadmap id "
	    "(lower-case letters, digits and '-', starting with a letter or "
	    "digit, at most 64 characters), found 'Big Feature'\n");
}

static void
test_meta_roadmap(void **state)
{
	struct page_meta m;

	(void)state;
	assert_int_equal(meta(SECTION_ROADMAP, "---\ntitle: SSO\nid: sso-2\n"
	    "status: in-progress\nquarter: 2026 Q3\ncategory: Security\n---\n",
	    &m), 1);
	assert_string_equal(m.id, "sso-2");
	assert_int_equal(m.status, STATUS_IN_PROGRESS);
	assert_string_equal(m.quarter, "2026-Q3");
	assert_string_equal(m.category, "Security");
	front_meta_free(&m);
	assert_int_equal(meta(SECTION_ROADMAP, "---\ntitle: SSO\nid: 42\n"
	    "status: shipped\nquarter: 2027-Q1\n---\n", &m), 1);
	assert_string_equal(m.id, "42");
	assert_string_equal(m.quarter, "2027-Q1");
	front_meta_free(&m);
}

static void
test_meta_roadmap_bad(void **state)
{
	(void)state;
	expect_meta_error(SECTION_ROADMAP, "---\ntitle: x\nid: -sso\n"
	    "status: in progress\nquarter: 2026-Q5\n---\n",
	    PATH ":3:5: error: 'id' must be a roadmap id (lower-case letters, "
	    "digits and '-', starting with a letter or digit, at most 64 "
	    "characters), found '-sso'\n"
	    PATH ":4:9: error: 'status' must be one of considering, planned, "
	    "in-progress or "
	    "shipped, found 'in progress'\n"
	    PATH ":5:10: error: 'quarter' must be a quarter written YYYY-Qn, "
	    "such as 2026-Q3, found '2026-Q5'\n");
	expect_meta_error(SECTION_ROADMAP, "---\ntitle: x\nid: "
	    "a1234567890123456789012345678901234567890123456789012345678901234\n"
	    "status: planned\n---\n",
	    PATH ":3:5: error: 'id' must be a roadmap id (lower-case letters, "
	    "digits and '-', starting with a letter or digit, at most 64 "
	    "characters), found 'a123456789012345678901234567890123456789...'\n");
	expect_meta_error(SECTION_ROADMAP, "---\ntitle: x\n---\n",
	    PATH ":1:1: error: missing 'id' in front matter\n"
	    PATH ":1:1: error: missing 'status' in front matter\n");
}

/* One run reports every problem, each at its own place. */
static void
test_meta_reports_all(void **state)
{
	(void)state;
	expect_meta_error(SECTION_DOCS, "---\ndescription: [x]\nweight: ten\n"
	    "draft: 1\nid: x\n---\n",
	    PATH ":1:1: error: missing 'title' in front matter\n"
	    PATH ":2:14: error: 'description' must be a string, found a list\n"
	    PATH ":3:9: error: 'weight' must be an integer, found 'ten'\n"
	    PATH ":4:8: error: 'draft' must be true or false, found '1'\n"
	    PATH ":5:1: error: 'id' is only allowed in roadmap entries\n");
}

/* Long or multi-line values are shown shortened on one line. */
static void
test_meta_value_shown_on_one_line(void **state)
{
	(void)state;
	expect_meta_error(SECTION_DOCS, "---\ntitle: x\nweight: |\n  a\n  b\n"
	    "---\n",
	    PATH ":3:9: error: 'weight' must be an integer, found 'a\\nb\\n'\n");
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(change_type_name(CHANGE_FEATURE), "feature");
	assert_string_equal(change_type_name(CHANGE_IMPROVEMENT),
	    "improvement");
	assert_string_equal(change_type_name(CHANGE_FIX), "fix");
	assert_string_equal(change_type_name(CHANGE_SECURITY), "security");
	assert_string_equal(change_type_name(CHANGE_NONE), "");
	assert_string_equal(roadmap_status_name(STATUS_CONSIDERING),
	    "considering");
	assert_string_equal(roadmap_status_name(STATUS_PLANNED), "planned");
	assert_string_equal(roadmap_status_name(STATUS_IN_PROGRESS),
	    "in-progress");
	assert_string_equal(roadmap_status_name(STATUS_SHIPPED), "shipped");
	assert_string_equal(roadmap_status_name(STATUS_NONE), "");
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup(f, clear_diag)
	const struct CMUnitTest tests[] = {
		T(test_no_front_matter),
		T(test_empty_file),
		T(test_body_offset_and_line),
		T(test_text_not_nul_terminated),
		T(test_dots_close_and_trailing_spaces),
		T(test_not_a_marker),
		T(test_bom),
		T(test_crlf),
		T(test_crlf_error_position),
		T(test_unclosed),
		T(test_empty_block),
		T(test_scalar_typing),
		T(test_lists_and_maps),
		T(test_positions),
		T(test_positions_utf8),
		T(test_front_get),
		T(test_syntax_error_missing_colon),
		T(test_syntax_error_unclosed_quote),
		T(test_syntax_error_tab),
		T(test_syntax_error_flow_list),
		T(test_not_a_mapping),
		T(test_duplicate_key),
		T(test_messages_stay_on_one_line),
		T(test_anchors_aliases_tags),
		T(test_bad_keys),
		T(test_nul_bytes),
		T(test_integer_overflow),
		T(test_bad_bytes),
		T(test_second_document),
		T(test_deep_nesting),
		T(test_meta_page),
		T(test_meta_no_front_matter),
		T(test_meta_title),
		T(test_meta_weight),
		T(test_meta_tags),
		T(test_meta_aliases),
		T(test_meta_draft),
		T(test_meta_dates),
		T(test_meta_key_of_other_section),
		T(test_meta_faq),
		T(test_meta_changelog),
		T(test_meta_changelog_missing),
		T(test_meta_changelog_bad),
		T(test_meta_roadmap),
		T(test_meta_roadmap_bad),
		T(test_meta_reports_all),
		T(test_meta_value_shown_on_one_line),
		T(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
