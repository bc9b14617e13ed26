/*
 * Unit tests for generator/markdown.c: heading ids and anchors, the
 * heading and section lists, the link callback, callouts, table wrapping,
 * the GFM extensions, md_inline and slug_heading.  Expected HTML is
 * spelled out in full where the shape matters, since the theme's CSS and
 * JS depend on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "markdown.h"
#include "xalloc.h"

#define ANCHOR(id) "<a class=\"anchor\" href=\"#" id \
	"\" aria-label=\"Permalink to this section\">#</a>"

/* One call of the link callback, as recorded by record_link. */
struct seen_link {
	char		*href;
	unsigned	 line, col;
	size_t		 nheadings;	/* doc->nheadings at the time */
};

/*
 * The test's link callback state: what was seen, and how to answer.
 * Hrefs containing "broken" are rejected; hrefs ending in ".md" are
 * rewritten to ".html"; "#anchor" is checked against doc's heading ids.
 */
struct links {
	struct md_doc	*doc;
	struct seen_link v[32];
	size_t		 n;
};

/* Returns whether doc has a heading whose id is id. */
static int
has_id(const struct md_doc *doc, const char *id)
{
	size_t	 i;

	for (i = 0; i < doc->nheadings; i++)
		if (strcmp(doc->headings[i].id, id) == 0)
			return 1;
	return 0;
}

/* The md_link_fn of these tests; ctx is a struct links. */
static int
record_link(void *ctx, const char *href, unsigned line, unsigned col,
    struct buf *out)
{
	struct links	*l = ctx;
	size_t		 n = strlen(href);

	if (l->n < sizeof(l->v) / sizeof(*l->v)) {
		l->v[l->n].href = xstrdup(href);
		l->v[l->n].line = line;
		l->v[l->n].col = col;
		l->v[l->n].nheadings = l->doc->nheadings;
		l->n++;
	}
	if (strstr(href, "broken"))
		return 0;
	if (href[0] == '#')
		return has_id(l->doc, href + 1);
	if (n > 3 && strcmp(href + n - 3, ".md") == 0) {
		buf_append(out, href, n - 3);
		buf_puts(out, ".html");
	}
	return 1;
}

/* Frees what record_link kept. */
static void
links_free(struct links *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].href);
	l->n = 0;
}

/*
 * Renders src (starting at line 1, no link callback) and checks the HTML
 * is exactly want.
 */
static void
assert_html(const char *src, const char *want)
{
	struct md_doc	 doc;

	assert_int_equal(md_render("t.md", src, strlen(src), 1, NULL, NULL,
	    &doc), 1);
	assert_string_equal(doc.html, want);
	assert_int_equal(doc.html_len, strlen(want));
	md_doc_free(&doc);
}

/* Renders src and checks that its HTML contains want. */
static void
assert_html_has(const char *src, const char *want)
{
	struct md_doc	 doc;

	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	if (strstr(doc.html, want) == NULL)
		fail_msg("HTML\n%s\nlacks\n%s", doc.html, want);
	md_doc_free(&doc);
}

/* Checks slug_heading(text) is want. */
static void
assert_slug(const char *text, const char *want)
{
	char	*s = slug_heading(text);

	assert_string_equal(s, want);
	free(s);
}

/* cmocka group setup: md_init once, as the generator does. */
static int
setup(void **state)
{
	(void)state;
	md_init();
	return 0;
}

static void
heading_anchor_markup(void **state)
{
	(void)state;
	assert_html("## Restore a folder\n",
	    "<h2 id=\"restore-a-folder\">Restore a folder"
	    ANCHOR("restore-a-folder") "</h2>\n");
}

static void
heading_levels(void **state)
{
	(void)state;
	assert_html("# One\n\n###### Six\n",
	    "<h1 id=\"one\">One" ANCHOR("one") "</h1>\n"
	    "<h6 id=\"six\">Six" ANCHOR("six") "</h6>\n");
}

static void
heading_duplicate_ids(void **state)
{
	struct md_doc	 doc;
	const char	*src = "# Foo\n## Foo\n### Foo\n## Bar\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nheadings, 4);
	assert_string_equal(doc.headings[0].id, "foo");
	assert_string_equal(doc.headings[1].id, "foo-1");
	assert_string_equal(doc.headings[2].id, "foo-2");
	assert_string_equal(doc.headings[3].id, "bar");
	assert_non_null(strstr(doc.html, "<h3 id=\"foo-2\">Foo"
	    ANCHOR("foo-2") "</h3>"));
	md_doc_free(&doc);
}

/* GitHub skips a suffix another heading already took ("Foo 1"). */
static void
heading_duplicate_skips_taken(void **state)
{
	struct md_doc	 doc;
	const char	*src = "## Foo\n## Foo 1\n## Foo\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nheadings, 3);
	assert_string_equal(doc.headings[0].id, "foo");
	assert_string_equal(doc.headings[1].id, "foo-1");
	assert_string_equal(doc.headings[2].id, "foo-2");
	md_doc_free(&doc);
}

static void
heading_empty_slug(void **state)
{
	struct md_doc	 doc;
	const char	*src = "## ???\n\n##\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nheadings, 2);
	assert_string_equal(doc.headings[0].id, "section");
	assert_string_equal(doc.headings[1].id, "section-1");
	assert_string_equal(doc.headings[1].text, "");
	assert_string_equal(doc.html,
	    "<h2 id=\"section\">???" ANCHOR("section") "</h2>\n"
	    "<h2 id=\"section-1\">" ANCHOR("section-1") "</h2>\n");
	md_doc_free(&doc);
}

/* Inline children stay cmark's; the id comes from their plain text. */
static void
heading_inline_markup(void **state)
{
	(void)state;
	assert_html("## Use `make` *now* & <b>then</b>\n",
	    "<h2 id=\"use-make-now--then\">Use <code>make</code> <em>now</em>"
	    " &amp; <b>then</b>" ANCHOR("use-make-now--then") "</h2>\n");
}

static void
heading_text_plain(void **state)
{
	(void)state;
	struct md_doc	 doc;
	const char	*src = "## ![Logo](l.png) *Brand* `v2`\n\n"
	    "Setext\nheading\n---\n";

	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nheadings, 2);
	assert_string_equal(doc.headings[0].text, "Logo Brand v2");
	assert_string_equal(doc.headings[0].id, "logo-brand-v2");
	assert_string_equal(doc.headings[1].text, "Setext heading");
	assert_string_equal(doc.headings[1].id, "setext-heading");
	md_doc_free(&doc);
}

/* Headings inside containers get ids and anchors too. */
static void
heading_in_container(void **state)
{
	(void)state;
	assert_html("> ## Quoted\n",
	    "<blockquote>\n<h2 id=\"quoted\">Quoted" ANCHOR("quoted")
	    "</h2>\n</blockquote>\n");
}

static void
headings_lines(void **state)
{
	struct md_doc	 doc;
	const char	*src = "intro\n\n## A\n\ntext\n\nB\n---\n\n> #### C\n";

	(void)state;
	md_render("t.md", src, strlen(src), 4, NULL, NULL, &doc);
	assert_int_equal(doc.nheadings, 3);
	assert_int_equal(doc.headings[0].level, 2);
	assert_int_equal(doc.headings[0].line, 6);
	assert_int_equal(doc.headings[1].level, 2);
	assert_int_equal(doc.headings[1].line, 10);
	assert_int_equal(doc.headings[2].level, 4);
	assert_int_equal(doc.headings[2].line, 13);
	md_doc_free(&doc);
}

static void
sections_text(void **state)
{
	(void)state;
	struct md_doc	 doc;
	const char	*src =
	    "Intro   *text*\nover two lines.\n\n"
	    "## First\n\n- item one\n- item `two`\n\n"
	    "```\ncode  block\n```\n\n"
	    "#### Minor\n\nstill first\n\n"
	    "### Second\n\n| a | b |\n|---|---|\n| c | d |\n\n"
	    "## Empty\n";

	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nsections, 4);
	assert_null(doc.sections[0].id);
	assert_null(doc.sections[0].heading);
	assert_int_equal(doc.sections[0].level, 0);
	assert_string_equal(doc.sections[0].text,
	    "Intro text over two lines.");
	assert_string_equal(doc.sections[1].id, "first");
	assert_string_equal(doc.sections[1].heading, "First");
	assert_int_equal(doc.sections[1].level, 2);
	assert_string_equal(doc.sections[1].text,
	    "item one item two code block Minor still first");
	assert_string_equal(doc.sections[2].id, "second");
	assert_int_equal(doc.sections[2].level, 3);
	assert_string_equal(doc.sections[2].text, "a b c d");
	assert_string_equal(doc.sections[3].id, "empty");
	assert_string_equal(doc.sections[3].text, "");
	md_doc_free(&doc);
}

/* No intro section when nothing comes before the first h2. */
static void
sections_no_empty_intro(void **state)
{
	struct md_doc	 doc;
	const char	*src = "\n\n<!-- comment -->\n\n## Only\n\nbody\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nsections, 1);
	assert_string_equal(doc.sections[0].id, "only");
	assert_string_equal(doc.sections[0].text, "body");
	md_doc_free(&doc);
}

/* h1 does not start a section: it is part of the intro's text. */
static void
sections_h1_in_intro(void **state)
{
	struct md_doc	 doc;
	const char	*src = "# Title\n\nWelcome.\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_int_equal(doc.nsections, 1);
	assert_null(doc.sections[0].id);
	assert_string_equal(doc.sections[0].text, "Title Welcome.");
	md_doc_free(&doc);
}

static void
links_positions(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "Some [link](a.md) text\n"
	    "second [l2](b.md#x) and ![img](i.png)\n\n"
	    "> - item\n>   more [z](z.txt)\n";

	(void)state;
	assert_int_equal(md_render("t.md", src, strlen(src), 10,
	    record_link, &l, &doc), 1);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].href, "a.md");
	assert_int_equal(l.v[0].line, 10);
	assert_int_equal(l.v[0].col, 6);
	assert_string_equal(l.v[1].href, "b.md#x");
	assert_int_equal(l.v[1].line, 11);
	assert_int_equal(l.v[1].col, 8);
	assert_string_equal(l.v[2].href, "i.png");
	assert_int_equal(l.v[2].line, 11);
	assert_int_equal(l.v[2].col, 25);
	assert_string_equal(l.v[3].href, "z.txt");
	assert_int_equal(l.v[3].line, 14);
	assert_int_equal(l.v[3].col, 10);
	links_free(&l);
	md_doc_free(&doc);
}

static void
links_rewritten(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "[Guide](guide.md) and ![Shot](shot.md)\n";

	(void)state;
	assert_int_equal(md_render("t.md", src, strlen(src), 1,
	    record_link, &l, &doc), 1);
	assert_string_equal(doc.html,
	    "<p><a href=\"guide.html\">Guide</a> and "
	    "<img src=\"shot.html\" alt=\"Shot\" /></p>\n");
	links_free(&l);
	md_doc_free(&doc);
}

/* A rewritten URL is escaped by cmark like any other. */
static void
links_rewrite_escaped(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "[q](a\"b.md)\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, record_link, &l, &doc);
	assert_string_equal(doc.html,
	    "<p><a href=\"a%22b.html\">q</a></p>\n");
	links_free(&l);
	md_doc_free(&doc);
}

/* "#anchor" goes through link_fn, with every heading id already known. */
static void
links_anchor(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "See [below](#later) and [gone](#nowhere).\n\n"
	    "## Later\n\n## Later\n";

	(void)state;
	assert_int_equal(md_render("t.md", src, strlen(src), 1,
	    record_link, &l, &doc), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].href, "#later");
	assert_int_equal(l.v[0].nheadings, 2);
	assert_string_equal(l.v[1].href, "#nowhere");
	assert_non_null(strstr(doc.html, "<a href=\"#later\">below</a>"));
	links_free(&l);
	md_doc_free(&doc);
}

static void
links_absolute_untouched(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "[a](https://x.org/p.md) [b](mailto:me@x.org) "
	    "[c](/root.md) [d](//cdn.x.org/y.md) [e](tel:+1-555) "
	    "[f](git+ssh://h/r.md) www.example.com <https://auto.md> "
	    "![g](data:image/png;base64,AA==)\n";

	(void)state;
	assert_int_equal(md_render("t.md", src, strlen(src), 1,
	    record_link, &l, &doc), 1);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(doc.html, "href=\"https://x.org/p.md\""));
	assert_non_null(strstr(doc.html, "href=\"/root.md\""));
	assert_non_null(strstr(doc.html, "href=\"//cdn.x.org/y.md\""));
	links_free(&l);
	md_doc_free(&doc);
}

/* Relative forms that are not absolute despite looking close; an empty
 * destination is not handed to link_fn at all. */
static void
links_relative_forms(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "[a](../up.md) [b](./x.md?q=1) [c](1x:y) "
	    "[d](?only) [e]()\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, record_link, &l, &doc);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].href, "../up.md");
	assert_string_equal(l.v[1].href, "./x.md?q=1");
	assert_string_equal(l.v[2].href, "1x:y");
	assert_string_equal(l.v[3].href, "?only");
	/* "[e]()" is this page: not handed over, left empty. */
	assert_non_null(strstr(doc.html, "<a href=\"\">e</a>"));
	links_free(&l);
	md_doc_free(&doc);
}

/* A broken link makes md_render return 0, after seeing every link. */
static void
links_broken(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "[x](broken1.md) [y](ok.md) [z](broken2.md)\n";

	(void)state;
	assert_int_equal(md_render("t.md", src, strlen(src), 1,
	    record_link, &l, &doc), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(doc.html,
	    "<p><a href=\"broken1.md\">x</a> <a href=\"ok.html\">y</a> "
	    "<a href=\"broken2.md\">z</a></p>\n");
	links_free(&l);
	md_doc_free(&doc);
}

/* Reference links are reported where they are used. */
static void
links_reference(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "First [a][r].\n\nThen [b][r].\n\n[r]: ref.md\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, record_link, &l, &doc);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].line, 1);
	assert_int_equal(l.v[1].line, 3);
	assert_string_equal(doc.html,
	    "<p>First <a href=\"ref.html\">a</a>.</p>\n"
	    "<p>Then <a href=\"ref.html\">b</a>.</p>\n");
	links_free(&l);
	md_doc_free(&doc);
}

/* Footnote references are cmark's own, never links for link_fn. */
static void
links_footnotes(void **state)
{
	struct md_doc	 doc;
	struct links	 l = { .doc = &doc };
	const char	*src = "Text[^1].\n\n[^1]: The note.\n";

	(void)state;
	assert_int_equal(md_render("t.md", src, strlen(src), 1,
	    record_link, &l, &doc), 1);
	assert_int_equal(l.n, 0);
	assert_string_equal(doc.html,
	    "<p>Text<sup class=\"footnote-ref\"><a href=\"#fn-1\" "
	    "id=\"fnref-1\" data-footnote-ref>1</a></sup>.</p>\n"
	    "<section class=\"footnotes\" data-footnotes>\n<ol>\n"
	    "<li id=\"fn-1\">\n<p>The note. <a href=\"#fnref-1\" "
	    "class=\"footnote-backref\" data-footnote-backref "
	    "aria-label=\"Back to content\">\xe2\x86\xa9</a></p>\n</li>\n"
	    "</ol>\n</section>\n");
	links_free(&l);
	md_doc_free(&doc);
}

static void
callout_note_shape(void **state)
{
	(void)state;
	assert_html("> [!NOTE]\n> Back up first.\n>\n> Really.\n",
	    "<div class=\"callout callout-note\" role=\"note\">"
	    "<p class=\"callout-title\">Note</p>\n"
	    "<p>Back up first.</p>\n<p>Really.</p>\n</div>\n");
}

/* Checks "> [!marker]\n> body" renders as a callout of class cls. */
static void
assert_callout(const char *marker, const char *cls, const char *title)
{
	char	*src, *want;

	src = xasprintf("> [!%s]\n> body\n", marker);
	want = xasprintf("<div class=\"callout callout-%s\" role=\"note\">"
	    "<p class=\"callout-title\">%s</p>\n<p>body</p>\n</div>\n",
	    cls, title);
	assert_html(src, want);
	free(src);
	free(want);
}

static void
callout_tip(void **state)
{
	(void)state;
	assert_callout("TIP", "tip", "Tip");
}

static void
callout_important(void **state)
{
	(void)state;
	assert_callout("IMPORTANT", "important", "Important");
}

static void
callout_warning(void **state)
{
	(void)state;
	assert_callout("WARNING", "warning", "Warning");
}

static void
callout_caution(void **state)
{
	(void)state;
	assert_callout("CAUTION", "caution", "Caution");
}

static void
callout_case_insensitive(void **state)
{
	(void)state;
	assert_callout("note", "note", "Note");
	assert_callout("Warning", "warning", "Warning");
}

/* A hard break after the marker counts as a line break too. */
static void
callout_hard_break(void **state)
{
	(void)state;
	assert_html("> [!TIP]  \n> Use *tabs*.\n",
	    "<div class=\"callout callout-tip\" role=\"note\">"
	    "<p class=\"callout-title\">Tip</p>\n"
	    "<p>Use <em>tabs</em>.</p>\n</div>\n");
}

/* The marker's own paragraph goes; later blocks stay as they are. */
static void
callout_marker_paragraph_dropped(void **state)
{
	(void)state;
	assert_html("> [!IMPORTANT]\n>\n> - one\n> - two\n",
	    "<div class=\"callout callout-important\" role=\"note\">"
	    "<p class=\"callout-title\">Important</p>\n"
	    "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n</div>\n");
	assert_html("> [!CAUTION]\n",
	    "<div class=\"callout callout-caution\" role=\"note\">"
	    "<p class=\"callout-title\">Caution</p>\n</div>\n");
}

/* GitHub's rule: text after the marker on its line is not a callout. */
static void
callout_not_same_line(void **state)
{
	(void)state;
	assert_html("> [!NOTE] text on the same line\n",
	    "<blockquote>\n<p>[!NOTE] text on the same line</p>\n"
	    "</blockquote>\n");
}

static void
callout_not_unknown_or_late(void **state)
{
	(void)state;
	assert_html("> [!FOO]\n> x\n",
	    "<blockquote>\n<p>[!FOO]\nx</p>\n</blockquote>\n");
	assert_html("> first\n>\n> [!NOTE]\n",
	    "<blockquote>\n<p>first</p>\n<p>[!NOTE]</p>\n</blockquote>\n");
	assert_html("> *[!NOTE]*\n> x\n",
	    "<blockquote>\n<p><em>[!NOTE]</em>\nx</p>\n</blockquote>\n");
}

/* Callouts nest, sit in lists, and keep their marker out of search. */
static void
callout_nested(void **state)
{
	struct md_doc	 doc;
	const char	*src = "- > [!NOTE]\n  > > [!TIP]\n  > > inner\n";

	(void)state;
	md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
	assert_string_equal(doc.html,
	    "<ul>\n<li>\n<div class=\"callout callout-note\" role=\"note\">"
	    "<p class=\"callout-title\">Note</p>\n"
	    "<div class=\"callout callout-tip\" role=\"note\">"
	    "<p class=\"callout-title\">Tip</p>\n<p>inner</p>\n"
	    "</div>\n</div>\n</li>\n</ul>\n");
	assert_int_equal(doc.nsections, 1);
	assert_string_equal(doc.sections[0].text, "inner");
	md_doc_free(&doc);
}

static void
table_wrapped(void **state)
{
	(void)state;
	assert_html("| a | b |\n|---|:-:|\n| 1 | 2 |\n",
	    "<div class=\"table-wrap\">\n<table>\n<thead>\n<tr>\n"
	    "<th>a</th>\n<th align=\"center\">b</th>\n</tr>\n</thead>\n"
	    "<tbody>\n<tr>\n<td>1</td>\n<td align=\"center\">2</td>\n"
	    "</tr>\n</tbody>\n</table>\n</div>\n");
}

static void
table_in_callout(void **state)
{
	(void)state;
	assert_html("> [!NOTE]\n> | a |\n> |---|\n> | 1 |\n",
	    "<div class=\"callout callout-note\" role=\"note\">"
	    "<p class=\"callout-title\">Note</p>\n"
	    "<div class=\"table-wrap\">\n<table>\n<thead>\n<tr>\n"
	    "<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
	    "</tr>\n</tbody>\n</table>\n</div>\n</div>\n");
}

static void
ext_tasklist(void **state)
{
	(void)state;
	/* The checkbox sits in a label with the item's text (its name). */
	assert_html("- [ ] todo\n- [x] done *now*\n",
	    "<ul>\n<li><label class=\"task\"><input type=\"checkbox\" "
	    "disabled=\"\" /> todo</label></li>\n"
	    "<li><label class=\"task\"><input type=\"checkbox\" checked=\"\" "
	    "disabled=\"\" /> done <em>now</em></label></li>\n</ul>\n");
	/* A loose list: the label is inside the paragraph. */
	assert_html("- [ ] one\n\n- [ ] two\n",
	    "<ul>\n<li>\n<p><label class=\"task\"><input type=\"checkbox\" "
	    "disabled=\"\" /> one</label></p>\n</li>\n<li>\n<p><label "
	    "class=\"task\"><input type=\"checkbox\" disabled=\"\" /> "
	    "two</label></p>\n</li>\n</ul>\n");
}

static void
ext_strikethrough(void **state)
{
	(void)state;
	assert_html("~~old~~ and ~one~\n",
	    "<p><del>old</del> and <del>one</del></p>\n");
}

static void
ext_autolink(void **state)
{
	(void)state;
	assert_html("Visit www.example.com or https://x.org/a.\n",
	    "<p>Visit <a href=\"http://www.example.com\">www.example.com</a>"
	    " or <a href=\"https://x.org/a\">https://x.org/a</a>.</p>\n");
}

static void
ext_tagfilter(void **state)
{
	(void)state;
	assert_html("<script>alert(1)</script>\n",
	    "&lt;script>alert(1)&lt;/script>\n");
	assert_html("a <iframe src=x> b\n",
	    "<p>a &lt;iframe src=x> b</p>\n");
}

/* Other raw HTML is the writer's and is kept. */
static void
raw_html_kept(void **state)
{
	(void)state;
	assert_html("Press <kbd>Ctrl</kbd>.\n\n<details><summary>More"
	    "</summary>\n\nHidden\n\n</details>\n",
	    "<p>Press <kbd>Ctrl</kbd>.</p>\n<details><summary>More"
	    "</summary>\n<p>Hidden</p>\n</details>\n");
}

static void
code_block_language(void **state)
{
	(void)state;
	assert_html("```sh\nmake  run\n```\n",
	    "<pre><code class=\"language-sh\">make  run\n</code></pre>\n");
	assert_html_has("    indented\n", "<pre><code>indented\n");
}

static void
inline_strips_paragraph(void **state)
{
	char	*s;

	(void)state;
	s = md_inline("Back up *everything* with `tar`.");
	assert_string_equal(s, "Back up <em>everything</em> with "
	    "<code>tar</code>.");
	free(s);
	s = md_inline("");
	assert_string_equal(s, "");
	free(s);
	s = md_inline(NULL);
	assert_string_equal(s, "");
	free(s);
	s = md_inline("a [link](x.md) ~~gone~~");
	assert_string_equal(s, "a <a href=\"x.md\">link</a> <del>gone</del>");
	free(s);
}

/* Anything but a lone paragraph keeps its tags, so they stay balanced. */
static void
inline_blocks_kept(void **state)
{
	char	*s;

	(void)state;
	s = md_inline("one\n\ntwo\n");
	assert_string_equal(s, "<p>one</p>\n<p>two</p>");
	free(s);
	s = md_inline("- item");
	assert_string_equal(s, "<ul>\n<li>item</li>\n</ul>");
	free(s);
}

static void
slug_examples(void **state)
{
	(void)state;
	assert_slug("Restore a folder", "restore-a-folder");
	assert_slug("What's new in 4.0?", "whats-new-in-40");
	assert_slug("C++ & Rust", "c--rust");
	assert_slug("\xc3\x9c" "ber uns", "\xc3\xbc" "ber-uns");
	assert_slug("  Trim  ", "trim");
	assert_slug("snake_case", "snake_case");
	assert_slug("Already-hyphened", "already-hyphened");
	assert_slug("", "");
	assert_slug(NULL, "");
}

static void
slug_unicode(void **state)
{
	(void)state;
	/* Greek and Cyrillic lower-cased, accents kept. */
	assert_slug("\xce\x86\xce\xbb\xcf\x86\xce\xb1 \xce\xa9",
	    "\xce\xac\xce\xbb\xcf\x86\xce\xb1-\xcf\x89");
	assert_slug("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
	    "\xd0\x81", "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82-"
	    "\xd1\x91");
	/* Latin Extended-A: Łódź. */
	assert_slug("\xc5\x81\xc3\xb3\x64\xc5\xba", "\xc5\x82\xc3\xb3\x64\xc5\xba");
	/* CJK kept as is, its punctuation dropped. */
	assert_slug("\xe6\x97\xa5\xe6\x9c\xac\xe3\x80\x81\xe8\xaa\x9e",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	/* Emoji, typographic quotes, dashes and nbsp dropped. */
	assert_slug("\xf0\x9f\x8e\x89 Party \xe2\x80\x9cnow\xe2\x80\x9d "
	    "\xe2\x80\x94 ok\xc2\xa0!", "-party-now--ok");
}

static void
slug_invalid_bytes(void **state)
{
	(void)state;
	assert_slug("a\xff" "b\xc3", "ab");
	assert_slug("\xc0\xaf" "x", "x");		/* overlong '/' */
	assert_slug("\xed\xa0\x80y", "y");		/* surrogate */
	assert_slug("tab\there", "tabhere");
}

/* Many equal headings: ids stay unique, and quickly (hashed). */
static void
many_duplicate_headings(void **state)
{
	struct buf	 b = { 0 };
	struct md_doc	 doc;
	int		 i;

	(void)state;
	for (i = 0; i < 20000; i++)
		buf_puts(&b, "## a\n");
	md_render("t.md", b.data, b.len, 1, NULL, NULL, &doc);
	assert_int_equal(doc.nheadings, 20000);
	assert_string_equal(doc.headings[0].id, "a");
	assert_string_equal(doc.headings[19999].id, "a-19999");
	assert_int_equal(doc.nsections, 20000);
	md_doc_free(&doc);
	buf_free(&b);
}

/* Bytes that are not UTF-8, and NULs, come out as U+FFFD. */
static void
invalid_utf8_input(void **state)
{
	struct md_doc	 doc;
	const char	 src[] = "## a\xff\n\nb\0c\n";

	(void)state;
	md_render("t.md", src, sizeof(src) - 1, 1, NULL, NULL, &doc);
	assert_string_equal(doc.html,
	    "<h2 id=\"a\">a\xef\xbf\xbd" ANCHOR("a") "</h2>\n"
	    "<p>b\xef\xbf\xbd" "c</p>\n");
	md_doc_free(&doc);
}

static void
empty_input(void **state)
{
	struct md_doc	 doc;

	(void)state;
	assert_int_equal(md_render("t.md", NULL, 0, 1, NULL, NULL, &doc), 1);
	assert_string_equal(doc.html, "");
	assert_int_equal(doc.nheadings, 0);
	assert_int_equal(doc.nsections, 0);
	md_doc_free(&doc);
	md_doc_free(&doc);	/* a freed doc is empty and may be freed again */
}

/*
 * Renders strikethrough and an autolink in a loop; run from several
 * threads at once it checks that parses do not switch the extensions'
 * special characters off for each other (see parse_lock).
 */
static void *
render_loop(void *arg)
{
	struct md_doc	 doc;
	const char	*src = "~~a~~ www.x.org *b*\n";
	int		 i, *bad = arg;

	for (i = 0; i < 300; i++) {
		md_render("t.md", src, strlen(src), 1, NULL, NULL, &doc);
		if (strcmp(doc.html, "<p><del>a</del> <a href=\"http://www.x.org"
		    "\">www.x.org</a> <em>b</em></p>\n") != 0)
			(*bad)++;
		md_doc_free(&doc);
	}
	return NULL;
}

static void
threads_render_alike(void **state)
{
	pthread_t	 t[4];
	int		 bad[4] = { 0 }, i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_loop,
		    &bad[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(bad[i], 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(heading_anchor_markup),
		cmocka_unit_test(heading_levels),
		cmocka_unit_test(heading_duplicate_ids),
		cmocka_unit_test(heading_duplicate_skips_taken),
		cmocka_unit_test(heading_empty_slug),
		cmocka_unit_test(heading_inline_markup),
		cmocka_unit_test(heading_text_plain),
		cmocka_unit_test(heading_in_container),
		cmocka_unit_test(headings_lines),
		cmocka_unit_test(sections_text),
		cmocka_unit_test(sections_no_empty_intro),
		cmocka_unit_test(sections_h1_in_intro),
		cmocka_unit_test(links_positions),
		cmocka_unit_test(links_rewritten),
		cmocka_unit_test(links_rewrite_escaped),
		cmocka_unit_test(links_anchor),
		cmocka_unit_test(links_absolute_untouched),
		cmocka_unit_test(links_relative_forms),
		cmocka_unit_test(links_broken),
		cmocka_unit_test(links_reference),
		cmocka_unit_test(links_footnotes),
		cmocka_unit_test(callout_note_shape),
		cmocka_unit_test(callout_tip),
		cmocka_unit_test(callout_important),
		cmocka_unit_test(callout_warning),
		cmocka_unit_test(callout_caution),
		cmocka_unit_test(callout_case_insensitive),
		cmocka_unit_test(callout_hard_break),
		cmocka_unit_test(callout_marker_paragraph_dropped),
		cmocka_unit_test(callout_not_same_line),
		cmocka_unit_test(callout_not_unknown_or_late),
		cmocka_unit_test(callout_nested),
		cmocka_unit_test(table_wrapped),
		cmocka_unit_test(table_in_callout),
		cmocka_unit_test(ext_tasklist),
		cmocka_unit_test(ext_strikethrough),
		cmocka_unit_test(ext_autolink),
		cmocka_unit_test(ext_tagfilter),
		cmocka_unit_test(raw_html_kept),
		cmocka_unit_test(code_block_language),
		cmocka_unit_test(inline_strips_paragraph),
		cmocka_unit_test(inline_blocks_kept),
		cmocka_unit_test(slug_examples),
		cmocka_unit_test(slug_unicode),
		cmocka_unit_test(slug_invalid_bytes),
		cmocka_unit_test(many_duplicate_headings),
		cmocka_unit_test(invalid_utf8_input),
		cmocka_unit_test(empty_input),
		cmocka_unit_test(threads_render_alike),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
