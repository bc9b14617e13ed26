/*
 * Unit tests of generator/template.c: the template syntax, layouts and
 * partials, the helpers, the sandbox, and the file:line of every error.
 * Each test writes its templates into a fresh temporary folder.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "template.h"
#include "xalloc.h"

#define SITE_JSON "{\"title\": \"Site & Co\", \"base_path\": \"/help/\", " \
	"\"base_url\": \"https://help.example.com/help/\", " \
	"\"assets\": {\"style.css\": \"/help/assets/style.3f2a9c1b.css\"}, " \
	"\"nav\": [{\"title\": \"Docs\", \"url\": \"/docs/\"}, " \
	"{\"title\": \"FAQ\", \"url\": \"/faq/\"}], \"empty\": []}"
#define PAGE_JSON "{\"title\": \"Install <it>\", \"source\": \"docs/x.md\", " \
	"\"kind\": \"docs\", \"items\": [\"a\", \"b\", \"c\"], " \
	"\"date\": \"2026-03-04\", \"weight\": 3, \"ratio\": 1.5, " \
	"\"draft\": false, \"none\": null}"

/* Makes an empty temporary folder; root gets its path. */
static void
make_root(char *root, size_t size)
{
	snprintf(root, size, "/tmp/porch-tpl-XXXXXX");
	assert_non_null(mkdtemp(root));
}

/* Writes text to root/name, making the folders on the way. */
static void
put(const char *root, const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", root, name), *p;
	FILE	*f;

	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	free(path);
}

/* nftw callback removing one entry. */
static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Removes root and everything in it. */
static void
remove_root(const char *root)
{
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Loads the templates under the folders dirs and renders name with the
 * test page and site (or page_json when not NULL).  Returns the output,
 * or NULL; *msgs gets what diag was told (heap).
 */
static char *
render_dirs(const char *const *dirs, size_t ndirs, const char *name,
    const char *page_json, char **msgs)
{
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	json_t			*site, *page;
	char			*res = NULL;

	site = json_loads(SITE_JSON, 0, NULL);
	page = json_loads(page_json ? page_json : PAGE_JSON, 0, NULL);
	assert_non_null(site);
	assert_non_null(page);
	if ((set = tpl_set_load(dirs, ndirs)) != NULL) {
		assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
		if (tpl_render(w, name, page, &out))
			res = buf_take(&out);
		tpl_worker_free(w);
		tpl_set_free(set);
	}
	buf_free(&out);
	json_decref(site);
	json_decref(page);
	*msgs = diag_take();
	return res;
}

/*
 * Writes text as page.html, with a layouts/base.html that only writes the
 * content, into a new folder, and renders page.html.  Returns the output
 * or NULL; *msgs as render_dirs; root gets the folder (removed).
 */
static char *
render_text(const char *text, char **msgs, char *root, size_t size)
{
	const char	*dirs[1];
	char		*res;

	make_root(root, size);
	put(root, "page.html", text);
	put(root, "layouts/base.html", "{{{ content }}}");
	dirs[0] = root;
	res = render_dirs(dirs, 1, "page.html", NULL, msgs);
	remove_root(root);
	return res;
}

/* Asserts that page.html made of text renders as want, with no message. */
static void
expect_output(const char *text, const char *want)
{
	char	 root[64], *msgs, *out;

	out = render_text(text, &msgs, root, sizeof(root));
	assert_string_equal(msgs, "");
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	free(msgs);
}

/*
 * Asserts that page.html made of text fails with exactly the message
 * "<root>/page.html" + want (want holds ":LINE:COL: error: ...\n").
 */
static void
expect_error(const char *text, const char *want)
{
	char	 root[64], *msgs, *out, *full;

	out = render_text(text, &msgs, root, sizeof(root));
	assert_null(out);
	full = xasprintf("%s/page.html%s", root, want);
	assert_string_equal(msgs, full);
	free(full);
	free(msgs);
}

static void
test_escape(void **state)
{
	(void)state;
	expect_output("{{ \"& < > \\\" '\" }}", "&amp; &lt; &gt; &quot; &#39;");
	expect_output("{{ page.title }}|{{{ escape(\"a<b\") }}}|{{ escape(1) }}",
	    "Install &lt;it&gt;|a&lt;b|1");
}

static void
test_raw(void **state)
{
	(void)state;
	expect_output("{{{ page.title }}}{{{ \"<b>&amp;</b>\" }}}",
	    "Install <it><b>&amp;</b>");
}

static void
test_nil_numbers_booleans(void **state)
{
	(void)state;
	expect_output("[{{ page.none }}][{{ page.missing }}][{{{ nil }}}]",
	    "[][][]");
	expect_output("{{ page.weight }} {{ page.ratio }} {{ 2^1 }} "
	    "{{ page.draft }} {{ true }}", "3 1.5 2.0 false true");
}

static void
test_print_table_is_error(void **state)
{
	(void)state;
	expect_error("line 1\n{{ page.items }}",
	    ":2: error: cannot print a table (rendering docs/x.md)\n");
	expect_error("\n\n{{{ { 1 } }}}",
	    ":3: error: cannot print a table (rendering docs/x.md)\n");
}

static void
test_print_function_is_error(void **state)
{
	(void)state;
	expect_error("{{ url }}",
	    ":1: error: cannot print a function value (rendering docs/x.md)\n");
}

static void
test_loops_conditionals(void **state)
{
	(void)state;
	expect_output("{% for i, x in ipairs(page.items) do %}"
	    "{% if i > 1 then %},{% end %}{{ i }}={{ x }}{% end %}",
	    "1=a,2=b,3=c");
	expect_output("{% if page.draft then %}draft{% elseif page.weight == 3 "
	    "then %}three{% else %}other{% end %}", "three");
	expect_output("{% local n = 0 while n < 3 do n = n + 1 %}{{ n }}"
	    "{% end %}", "123");
	expect_output("{% local function f(x) %}<{{ x }}>{% end %}"
	    "{% f(1) f(2) %}", "<1><2>");
}

static void
test_whitespace_control(void **state)
{
	(void)state;
	expect_output("a  \n\t{{- \"b\" -}}  \n  c", "abc");
	expect_output("a \n{%- if true then -%}\n b \n{%- end -%}\n c",
	    "abc");
	expect_output("a \n {#- note -#} \n b", "ab");
	expect_output("a \n {{{- \"<b>\" -}}} \n b", "a<b>b");
	/* without '-' the white space stays */
	expect_output("a \n{% if true then %}\nb\n{% end %}\n",
	    "a \n\nb\n\n");
	/* a '-' in the expression is not a trim */
	expect_output("{{ 5 - 3 }} {{ -1 }}", "2 -1");
}

static void
test_comments(void **state)
{
	(void)state;
	expect_output("a{# a comment {{ x }} {% y %} #}b", "ab");
	expect_output("a{# two\nlines #}b\n{{ 1 }}", "ab\n1");
	expect_output("{% local x = 1 -- a Lua comment %}{{ x }}", "1");
	expect_output("{{ 1 --[[ a long comment ]] }}", "1");
}

static void
test_delimiters_in_strings(void **state)
{
	(void)state;
	expect_output("{{ \"}}\" }}{{ '%}' }}{% local s = \"%}\" %}{{ s }}"
	    "{{ [[}}]] }}", "}}%}%}}}");
	expect_output("{{{ \"}}}\" }}}", "}}}");
	expect_output("{{ \"a\\\"b\" }}", "a&quot;b");
}

static void
test_text_escapes(void **state)
{
	(void)state;
	expect_output("quote \" backslash \\ tab \t cr \r end",
	    "quote \" backslash \\ tab \t cr \r end");
	expect_output("]] [==[ \\n %}", "]] [==[ \\n %}");
}

/* Renders page.html from root with the test data; checks the output. */
static void
expect_dir_output(const char *root, const char *want)
{
	const char	*dirs[1] = { root };
	char		*msgs, *out;

	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_string_equal(msgs, "");
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	free(msgs);
}

static void
test_layout_default(void **state)
{
	char	 root[64];

	(void)state;
	make_root(root, sizeof(root));
	put(root, "layouts/base.html", "<main>{{{ content }}}</main>"
	    "{{ page.title }}");
	put(root, "page.html", "body");
	expect_dir_output(root, "<main>body</main>Install &lt;it&gt;");
	remove_root(root);
}

static void
test_layout_custom(void **state)
{
	char	 root[64];

	(void)state;
	make_root(root, sizeof(root));
	put(root, "layouts/base.html", "base[{{{ content }}}]");
	put(root, "layouts/wide.html", "wide[{{{ content }}}]{{ note }}");
	put(root, "page.html", "{% layout = \"layouts/wide.html\" "
	    "note = \"!\" %}body");
	expect_dir_output(root, "wide[body]!");
	remove_root(root);
}

static void
test_layout_false(void **state)
{
	char	 root[64];

	(void)state;
	make_root(root, sizeof(root));
	put(root, "layouts/base.html", "base[{{{ content }}}]");
	put(root, "page.html", "{% layout = false %}body");
	expect_dir_output(root, "body");
	put(root, "page.html", "{% layout = \"x\" layout = nil %}body");
	expect_dir_output(root, "body");
	remove_root(root);
}

static void
test_layout_nested(void **state)
{
	char	 root[64];

	(void)state;
	make_root(root, sizeof(root));
	put(root, "layouts/base.html", "base[{{{ content }}}]");
	put(root, "layouts/docs.html", "{% layout = \"layouts/base.html\" %}"
	    "docs[{{{ content }}}]");
	put(root, "page.html", "{% layout = \"layouts/docs.html\" %}body");
	expect_dir_output(root, "base[docs[body]]");
	remove_root(root);
}

static void
test_layout_errors(void **state)
{
	const char	*dirs[1];
	char		 root[64], *msgs, *out, *want;

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "layouts/loop.html", "{% layout = \"layouts/loop.html\" %}"
	    "[{{{ content }}}]");
	put(root, "page.html", "\n{% layout = \"layouts/loop.html\" %}body");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/layouts/loop.html:1: error: layouts nested more "
	    "than 8 deep (does 'layouts/loop.html' set itself as its "
	    "layout?) (rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);

	put(root, "page.html", "a\nb\n{% layout = \"layouts/nope.html\" %}");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/page.html:3: error: unknown layout "
	    "'layouts/nope.html' (rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);

	/* no layouts/base.html at all */
	remove_root(root);
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "page.html", "body");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/page.html: error: unknown layout "
	    "'layouts/base.html' (the default layout; set {%% layout = "
	    "false %%} for none) (rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);

	put(root, "page.html", "{% layout = 3 %}body");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/page.html:1: error: layout must be a template "
	    "name or false, not a number (rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);
	remove_root(root);
}

static void
test_partials(void **state)
{
	char	 root[64];

	(void)state;
	make_root(root, sizeof(root));
	put(root, "layouts/base.html", "{{{ content }}}");
	put(root, "partials/card.html", "{% leak = 1 layout = \"x\" %}"
	    "<{{ item }}|{{ page.kind }}|{{ site.title }}>");
	put(root, "partials/none.html", "{{ item }}");
	put(root, "page.html", "{% for _, x in ipairs(page.items) do %}"
	    "{{{ partial(\"partials/card.html\", { item = x }) }}}{% end %}"
	    "[{{{ partial(\"partials/none.html\") }}}][{{ leak }}]");
	expect_dir_output(root,
	    "<a|docs|Site &amp; Co><b|docs|Site &amp; Co><c|docs|Site &amp; Co>"
	    "[][]");
	remove_root(root);
}

static void
test_partial_recursive_and_env(void **state)
{
	char	 root[64];

	(void)state;
	make_root(root, sizeof(root));
	put(root, "layouts/base.html", "{{{ content }}}");
	/* a partial including itself, each level with its own n */
	put(root, "partials/tree.html", "({{ n }}{% if n > 0 then %}"
	    "{{{ partial(\"partials/tree.html\", { n = n - 1 }) }}}"
	    "{% end %}{{ n }})");
	/* partial called from a function the template defined */
	put(root, "page.html", "{% local function show(k) "
	    "return partial(\"partials/tree.html\", { n = k }) end %}"
	    "{{{ show(2) }}} {% local v = \"page\" %}{{{ pcall(partial, "
	    "\"partials/tree.html\", { n = 0 }) and \"ok\" }}}");
	expect_dir_output(root, "(2(1(00)1)2) ok");
	remove_root(root);
}

static void
test_partial_errors(void **state)
{
	const char	*dirs[1];
	char		 root[64], *msgs, *out, *want;

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "layouts/base.html", "{{{ content }}}");
	put(root, "partials/bad.html", "one\ntwo\n{{ page.nope.x }}\n");
	put(root, "page.html", "a\n{{{ partial(\"partials/bad.html\") }}}\n");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/partials/bad.html:3: error: attempt to index a "
	    "nil value (field 'nope') (rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);

	put(root, "page.html", "a\n\n{{{ partial(\"partials/missing.html\") }}}");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/page.html:3: error: partial: unknown template "
	    "'partials/missing.html' (rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);

	put(root, "partials/self.html", "{{{ partial(\"partials/self.html\") }}}");
	put(root, "page.html", "{{{ partial(\"partials/self.html\") }}}");
	out = render_dirs(dirs, 1, "page.html", NULL, &msgs);
	assert_null(out);
	want = xasprintf("%s/partials/self.html:1: error: partials nested "
	    "more than 50 deep (does 'partials/self.html' include itself?) "
	    "(rendering docs/x.md)\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);
	remove_root(root);
}

static void
test_override_order(void **state)
{
	const char	*dirs[3];
	char		 site[64], theme[64], *msgs, *out;

	(void)state;
	make_root(site, sizeof(site));
	make_root(theme, sizeof(theme));
	put(theme, "layouts/base.html", "theme-base[{{{ content }}}]");
	put(theme, "partials/footer.html", "theme-footer");
	put(theme, "page.html", "theme-page");
	put(site, "partials/footer.html", "site-footer");
	put(site, "page.html", "site-page {{{ partial(\"partials/footer.html\") }}}");
	/* a broken theme file that the site overrides is never compiled */
	put(theme, "broken.html", "{{");
	put(site, "broken.html", "fixed");
	dirs[0] = site;
	dirs[1] = "/nonexistent/porch/templates";
	dirs[2] = theme;
	out = render_dirs(dirs, 3, "page.html", NULL, &msgs);
	assert_string_equal(msgs, "");
	assert_non_null(out);
	assert_string_equal(out, "theme-base[site-page site-footer]");
	free(out);
	free(msgs);
	remove_root(site);
	remove_root(theme);
}

static void
test_set_has_and_unknown(void **state)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	json_t			*site, *page;
	char			 root[64], *msgs;

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "a.html", "A");
	put(root, "sub/dir/b.html", "B");
	put(root, "notes.txt", "not a template {{");
	put(root, ".hidden.html", "{{");
	assert_non_null(set = tpl_set_load(dirs, 1));
	assert_true(tpl_set_has(set, "a.html"));
	assert_true(tpl_set_has(set, "sub/dir/b.html"));
	assert_false(tpl_set_has(set, "notes.txt"));
	assert_false(tpl_set_has(set, ".hidden.html"));
	assert_false(tpl_set_has(set, "c.html"));
	site = json_object();
	page = json_loads(PAGE_JSON, 0, NULL);
	assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
	assert_int_equal(tpl_render(w, "c.html", page, &out), 0);
	msgs = diag_take();
	assert_string_equal(msgs, "docs/x.md: error: unknown template "
	    "'c.html'\n");
	free(msgs);
	/* site with nothing: url() still works, abs_url() says why not */
	json_object_set_new(page, "source", json_null());
	assert_int_equal(tpl_render(w, "a.html", page, &out), 0);
	free(diag_take());
	tpl_worker_free(w);
	tpl_set_free(set);
	json_decref(site);
	json_decref(page);
	buf_free(&out);
	remove_root(root);
}

static void
test_empty_set(void **state)
{
	const char	*dirs[1] = { "/nonexistent/porch" };
	struct tpl_set	*set;

	(void)state;
	assert_non_null(set = tpl_set_load(dirs, 1));
	assert_false(tpl_set_has(set, "page.html"));
	tpl_set_free(set);
	assert_non_null(set = tpl_set_load(NULL, 0));
	tpl_set_free(set);
}

static void
test_url(void **state)
{
	(void)state;
	expect_output("{{ url(\"/docs/x/\") }} {{ url(\"docs/x/\") }} "
	    "{{ url(\"/\") }} {{ url(\"\") }} {{ url(\"https://x.org/a\") }} "
	    "{{ url(\"mailto:a@b.c\") }} {{ url(\"//cdn.x/a\") }}",
	    "/help/docs/x/ /help/docs/x/ /help/ /help/ https://x.org/a "
	    "mailto:a@b.c //cdn.x/a");
	expect_output("{{ abs_url(\"/docs/x/\") }} {{ abs_url(\"\") }} "
	    "{{ abs_url(\"http://o.rg/\") }}",
	    "https://help.example.com/help/docs/x/ "
	    "https://help.example.com/help/ http://o.rg/");
}

/* Renders text with site given as JSON; checks the output. */
static void
expect_site_output(const char *site_json, const char *text, const char *want)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	json_t			*site, *page;
	char			 root[64], *msgs;

	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "page.html", text);
	assert_non_null(set = tpl_set_load(dirs, 1));
	assert_non_null(site = json_loads(site_json, 0, NULL));
	page = json_object();
	assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
	json_decref(site);
	assert_int_equal(tpl_render(w, "page.html", page, &out), 1);
	msgs = diag_take();
	assert_string_equal(msgs, "");
	assert_string_equal(out.data, want);
	free(msgs);
	tpl_worker_free(w);
	tpl_set_free(set);
	json_decref(page);
	buf_free(&out);
	remove_root(root);
}

static void
test_url_root_base(void **state)
{
	(void)state;
	expect_site_output("{\"base_path\": \"/\", \"base_url\": "
	    "\"https://help.example.com/\"}",
	    "{% layout = false %}{{ url(\"/docs/x/\") }} {{ url(\"docs\") }} "
	    "{{ url(\"/\") }} {{ abs_url(\"/docs/\") }}",
	    "/docs/x/ /docs / https://help.example.com/docs/");
	/* no base_path at all is "/" */
	expect_site_output("{}", "{% layout = false %}{{ url(\"/a/\") }}",
	    "/a/");
	expect_site_output("{\"base_path\": \"/help\"}",
	    "{% layout = false %}{{ url(\"/a/\") }}", "/help/a/");
}

static void
test_abs_url_without_base_url(void **state)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	json_t			*site;
	char			 root[64], *msgs, *want;

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "page.html", "{% layout = false %}\n{{ abs_url(\"/\") }}");
	assert_non_null(set = tpl_set_load(dirs, 1));
	site = json_object();
	assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
	assert_int_equal(tpl_render(w, "page.html", NULL, &out), 0);
	msgs = diag_take();
	want = xasprintf("%s/page.html:2: error: abs_url: site.base_url is "
	    "not set\n", root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);
	tpl_worker_free(w);
	tpl_set_free(set);
	json_decref(site);
	buf_free(&out);
	remove_root(root);
}

static void
test_asset(void **state)
{
	(void)state;
	expect_output("{{ asset(\"style.css\") }}",
	    "/help/assets/style.3f2a9c1b.css");
	expect_error("\n{{ asset(\"nope.js\") }}",
	    ":2: error: unknown asset 'nope.js' (rendering docs/x.md)\n");
}

static void
test_date(void **state)
{
	(void)state;
	expect_output("{{ date(page.date) }}|{{ date(\"2026-12-25\") }}",
	    "March 4, 2026|December 25, 2026");
	expect_output("{{ date(\"2024-02-29\", \"%Y-%m-%d %e %b %B %j %%\") }}",
	    "2024-02-29 29 Feb February 060 %");
	expect_output("{{ date(\"2026-03-04\", \"%e %B\") }}|"
	    "{{ date(\"2026-01-05T10:00:00Z\", \"%d.%m.%Y\") }}|"
	    "{{ date(\"2025-12-31\", \"%j\") }}",
	    "4 March|05.01.2026|365");
	expect_error("{{ date(\"yesterday\") }}",
	    ":1: error: date: \"yesterday\" is not a date (expected "
	    "YYYY-MM-DD) (rendering docs/x.md)\n");
	expect_error("{{ date(\"2025-02-29\") }}",
	    ":1: error: date: \"2025-02-29\" is not a date (expected "
	    "YYYY-MM-DD) (rendering docs/x.md)\n");
	expect_error("{{ date(nil) }}",
	    ":1: error: date: expected a \"YYYY-MM-DD\" string, got nil "
	    "(rendering docs/x.md)\n");
	expect_error("{{ date(page.date, \"%H\") }}",
	    ":1: error: date: unknown conversion '%H' (use %Y %m %d %e %B %b "
	    "%j %%) (rendering docs/x.md)\n");
}

static void
test_json(void **state)
{
	(void)state;
	expect_output("{{{ json({ b = 1, a = { 1, 2.5, \"x\" }, c = true, "
	    "d = { z = 1, y = { } } }) }}}",
	    "{\"a\":[1,2.5,\"x\"],\"b\":1,\"c\":true,\"d\":{\"y\":{},\"z\":1}}");
	expect_output("{{{ json(\"</script><b>\\n\\\"q\\\"\\\\\") }}}",
	    "\"<\\/script><b>\\n\\\"q\\\"\\\\\"");
	expect_output("{{{ json(nil) }}} {{{ json(0.1) }}} {{{ json(1e300) }}} "
	    "{{{ json(-3) }}}", "null 0.1 1e+300 -3");
	/* data from JSON: site is a read-only proxy; [] stays [] */
	expect_output("{{{ json(site.nav) }}} {{{ json(site.empty) }}} "
	    "{{{ json(page.items) }}}",
	    "[{\"title\":\"Docs\",\"url\":\"/docs/\"},"
	    "{\"title\":\"FAQ\",\"url\":\"/faq/\"}] [] [\"a\",\"b\",\"c\"]");
	expect_output("{{{ json(\"\\u{2028}\\1\") }}}", "\"\\u2028\\u0001\"");
	expect_error("{% local t = {} t.t = t %}{{{ json(t) }}}",
	    ":1: error: json: value nested more than 200 deep (a cycle?) "
	    "(rendering docs/x.md)\n");
	expect_error("{{{ json({ 1, x = 2 }) }}}",
	    ":1: error: json: cannot write a table with a number key (keys "
	    "must be 1..n for an array, strings for an object) (rendering "
	    "docs/x.md)\n");
	expect_error("{{{ json({ f = url }) }}}",
	    ":1: error: json: cannot write a function value (rendering "
	    "docs/x.md)\n");
}

static void
test_markdown(void **state)
{
	(void)state;
	md_init();
	expect_output("{{{ markdown(\"some *emphasis*\") }}}|{{{ markdown(nil) }}}",
	    "some <em>emphasis</em>|");
}

static void
test_sandbox_names(void **state)
{
	(void)state;
	expect_output("{{ type(io) }} {{ type(os) }} {{ type(require) }} "
	    "{{ type(load) }} {{ type(loadstring) }} {{ type(dofile) }} "
	    "{{ type(loadfile) }} {{ type(debug) }} {{ type(getmetatable) }} "
	    "{{ type(setmetatable) }} {{ type(rawset) }} {{ type(rawget) }} "
	    "{{ type(collectgarbage) }} {{ type(print) }} {{ type(package) }} "
	    "{{ type(_G) }} {{ type(math.random) }} {{ type(math.randomseed) }} "
	    "{{ type(string.dump) }} {{ type((\"\").dump) }}",
	    "nil nil nil nil nil nil nil nil nil nil nil nil nil nil nil nil "
	    "nil nil nil nil");
	expect_output("{{ type(string.format) }} {{ type(table.concat) }} "
	    "{{ math.floor(2.5) }} {{ utf8.char(233) }} {{ select(\"#\", 1, 2) }} "
	    "{{ tostring(1) }}{{ tonumber(\"2\") }} {{ type(next) }} "
	    "{{ type(pairs) }} {{ pcall(error, \"x\") }} {{ #site.nav }} "
	    "{{ (\"abc\"):upper() }}",
	    "function function 2 \xc3\xa9 2 12 function function false 2 ABC");
}

static void
test_sandbox_readonly(void **state)
{
	(void)state;
	expect_error("\n{% site.title = \"x\" %}",
	    ":2: error: cannot modify a read-only table (site and the "
	    "libraries are shared by every page) (rendering docs/x.md)\n");
	expect_error("{% site.nav[1].title = \"x\" %}",
	    ":1: error: cannot modify a read-only table (site and the "
	    "libraries are shared by every page) (rendering docs/x.md)\n");
	expect_error("{% string.upper = nil %}",
	    ":1: error: cannot modify a read-only table (site and the "
	    "libraries are shared by every page) (rendering docs/x.md)\n");
	expect_error("{% table.insert(site.nav, 1) %}",
	    ":1: error: cannot modify a read-only table (site and the "
	    "libraries are shared by every page) (rendering docs/x.md)\n");
	/* reading works through the proxies */
	expect_output("{% local n = 0 for k in pairs(site.nav[1]) do n = n + 1 "
	    "end %}{{ n }} {{ table.concat({ site.nav[1].title, "
	    "site.nav[2].title }, \",\") }} {{ next(site) }}",
	    "2 Docs,FAQ ");
}

/*
 * Renders page.html from root twice with one worker; checks the outputs
 * (a page's globals and its changes must not reach the next page).
 */
static void
test_sandbox_no_leak(void **state)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 a = { 0 }, b = { 0 };
	json_t			*site, *page;
	char			 root[64], *msgs;

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "page.html", "{% layout = false %}{{ counter or 0 }}"
	    "{% counter = (counter or 0) + 1 string = nil "
	    "page.title = \"changed\" %}");
	assert_non_null(set = tpl_set_load(dirs, 1));
	site = json_loads(SITE_JSON, 0, NULL);
	page = json_loads(PAGE_JSON, 0, NULL);
	assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
	assert_int_equal(tpl_render(w, "page.html", page, &a), 1);
	assert_int_equal(tpl_render(w, "page.html", page, &b), 1);
	msgs = diag_take();
	assert_string_equal(msgs, "");
	assert_string_equal(a.data, "0");
	assert_string_equal(b.data, "0");
	assert_string_equal(json_string_value(json_object_get(page, "title")),
	    "Install <it>");
	free(msgs);
	tpl_worker_free(w);
	tpl_set_free(set);
	json_decref(site);
	json_decref(page);
	buf_free(&a);
	buf_free(&b);
	remove_root(root);
}

/*
 * Runs text (as page.html) expecting the error want, then renders a good
 * template with the same worker to show the state survived.
 */
static void
expect_error_then_ok(const char *text, const char *want)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	json_t			*site, *page;
	char			 root[64], *msgs, *full;

	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "page.html", text);
	put(root, "ok.html", "{% layout = false %}ok {{ site.title }}");
	assert_non_null(set = tpl_set_load(dirs, 1));
	site = json_loads(SITE_JSON, 0, NULL);
	page = json_loads(PAGE_JSON, 0, NULL);
	assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
	assert_int_equal(tpl_render(w, "page.html", page, &out), 0);
	msgs = diag_take();
	full = xasprintf("%s/page.html%s", root, want);
	assert_string_equal(msgs, full);
	free(full);
	free(msgs);
	assert_int_equal(tpl_render(w, "ok.html", page, &out), 1);
	assert_string_equal(out.data, "ok Site &amp; Co");
	tpl_worker_free(w);
	tpl_set_free(set);
	json_decref(site);
	json_decref(page);
	buf_free(&out);
	remove_root(root);
}

/* Asserts that diag was told only that root/name wrote to site on its
 * first line, and forgets it. */
static void
expect_read_only(const char *root, const char *name)
{
	char	*msgs = diag_take(), *want;

	want = xasprintf("%s/%s:1: error: cannot modify a read-only table "
	    "(site and the libraries are shared by every page)\n", root, name);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);
}

/* A tree of deferred nodes for test_deferred: node id has the title
 * "n<id>" and, below 4, the children 2id+1 and 2id+2; id 9 is nothing
 * (an empty table).  Counts the expansions. */
static int	 expansions;

static json_t *
expand_tree(void *ctx, json_int_t id)
{
	json_t	*n, *kids;

	assert_ptr_equal(ctx, &expansions);
	expansions++;
	if (id == 9)
		return NULL;
	n = json_object();
	json_object_set_new(n, "title", json_sprintf("n%d", (int)id));
	kids = json_array();
	if (id < 4) {
		json_array_append_new(kids, tpl_deferred(2 * id + 1));
		json_array_append_new(kids, tpl_deferred(2 * id + 2));
	}
	json_object_set_new(n, "children", kids);
	return n;
}

/* Deferred site data is made when a template first reads into it, once
 * per worker, and reads like the rest of site (#, ipairs, pairs, nested
 * deferred parts, read-only); what no template reads is never made. */
static void
test_deferred(void **state)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	json_t			*site;
	char			 root[64];

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "title.html", "{% layout = false %}{{ site.title }}");
	put(root, "tree.html", "{% layout = false %}{{ site.tree.title }} "
	    "{{ #site.tree.children }}:{% for _, c in ipairs(site.tree."
	    "children) do %} {{ c.title }}{% end %}"
	    "|{{ site.tree.children[1].children[2].title }}"
	    "|{% local n = 0 for k in pairs(site.tree.children[2]) do "
	    "n = n + 1 end %}{{ n }}"
	    "|{{ #site.none }}");
	put(root, "write.html", "{% layout = false "
	    "site.tree.children[1].title = 1 %}");
	put(root, "empty.html", "{% layout = false %}[{{ site.tree.title }}]"
	    "{{ #site.tree }}");
	site = json_pack("{s:s, s:o, s:o}", "title", "T", "tree",
	    tpl_deferred(0), "none", tpl_deferred(9));
	assert_non_null(set = tpl_set_load(dirs, 1));
	expansions = 0;
	assert_non_null(w = tpl_worker_new(set, site, expand_tree,
	    &expansions));
	assert_int_equal(tpl_render(w, "title.html", NULL, &out), 1);
	assert_string_equal(out.data, "T");
	assert_int_equal(expansions, 0);
	buf_reset(&out);
	assert_int_equal(tpl_render(w, "tree.html", NULL, &out), 1);
	assert_string_equal(out.data, "n0 2: n1 n2|n4|2|0");
	/* 0, 1, 2 and 4 read, 9 empty; 3 never read. */
	assert_int_equal(expansions, 5);
	buf_reset(&out);
	assert_int_equal(tpl_render(w, "tree.html", NULL, &out), 1);
	assert_int_equal(expansions, 5);
	assert_int_equal(tpl_render(w, "write.html", NULL, &out), 0);
	expect_read_only(root, "write.html");
	tpl_worker_free(w);
	/* Without an expand function, a deferred part is an empty table. */
	assert_non_null(w = tpl_worker_new(set, site, NULL, NULL));
	buf_reset(&out);
	assert_int_equal(tpl_render(w, "empty.html", NULL, &out), 1);
	assert_string_equal(out.data, "[]0");
	tpl_worker_free(w);
	tpl_set_free(set);
	json_decref(site);
	buf_free(&out);
	remove_root(root);
}

static void
test_null_site_and_page(void **state)
{
	const char		*dirs[1];
	struct tpl_set		*set;
	struct tpl_worker	*w;
	struct buf		 out = { 0 };
	char			 root[64];

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "page.html", "{% layout = false %}[{{ page.title }}]"
	    "[{{ site.title }}][{{ url(\"/a/\") }}]");
	put(root, "write.html", "{% layout = false site.title = 1 %}");
	assert_non_null(set = tpl_set_load(dirs, 1));
	assert_non_null(w = tpl_worker_new(set, NULL, NULL, NULL));
	assert_int_equal(tpl_render(w, "page.html", NULL, &out), 1);
	assert_string_equal(out.data, "[][][/a/]");
	assert_int_equal(tpl_render(w, "write.html", NULL, &out), 0);
	expect_read_only(root, "write.html");
	assert_string_equal(out.data, "[][][/a/]");
	tpl_worker_free(w);
	tpl_set_free(set);
	buf_free(&out);
	remove_root(root);
}

static void
test_budget(void **state)
{
	(void)state;
	expect_error_then_ok("a\n{% while true do end %}",
	    ":2: error: template took too long (instruction budget exceeded) "
	    "(rendering docs/x.md)\n");
	/* pcall cannot swallow the budget error */
	expect_error_then_ok("{% local function spin() while true do end end\n"
	    "while true do pcall(spin) end %}",
	    ":2: error: template took too long (instruction budget exceeded) "
	    "(rendering docs/x.md)\n");
}

static void
test_memory_cap(void **state)
{
	(void)state;
	expect_error_then_ok("{{ string.rep(\"x\", 600 * 1024 * 1024) }}",
	    ": error: template used more than 512 MB of memory (rendering "
	    "docs/x.md)\n");
	expect_error_then_ok("{% local s = \"xxxxxxxxxxxxxxxx\" "
	    "while true do s = s .. s end %}",
	    ": error: template used more than 512 MB of memory (rendering "
	    "docs/x.md)\n");
}

static void
test_compile_errors(void **state)
{
	(void)state;
	expect_error("a\nbc {{ page.title\n\n",
	    ":2:4: error: unclosed '{{' (expected '}}')\n");
	expect_error("a {{{ page.title }}\n",
	    ":1:3: error: unclosed '{{{' (expected '}}}')\n");
	expect_error("\n\n  {% if x then\n",
	    ":3:3: error: unclosed '{%' (expected '%}')\n");
	expect_error("{# note\n",
	    ":1:1: error: unclosed '{#' (expected '#}')\n");
	expect_error("x\n {{ page.title }}}",
	    ":2:2: error: '{{' closed with '}}}' (write '{{ x }}', or "
	    "'{{{ x }}}' for raw output)\n");
	expect_error("\n{{ }}", ":2:1: error: empty '{{ }}'\n");
	expect_error("{{{ -- nothing\n }}}", ":1:1: error: empty '{{{ }}}'\n");
	expect_error("{{- -}}", ":1:1: error: empty '{{ }}'\n");
	expect_error("\n{{ \"abc }}\n", ":2:4: error: unfinished string in a "
	    "tag\n");
	expect_error("{% x = [[ %}", ":1:8: error: unfinished long string\n");
}

static void
test_lua_syntax_errors(void **state)
{
	(void)state;
	expect_error("line 1\nline 2\n{% if x then %}\nbody\n{% end end %}\n",
	    ":5: error: <eof> expected near 'end'\n");
	expect_error("a\n\n{{ page.title + }}",
	    ":3: error: unexpected symbol near ')'\n");
	expect_error("{% for i = 1, 3 do %}\n\nx\n",
	    ":4: error: 'end' expected (to close 'for' at line 1) near "
	    "<eof>\n");
}

static void
test_every_compile_error_reported(void **state)
{
	const char	*dirs[1];
	struct tpl_set	*set;
	char		 root[64], *msgs, *want;

	(void)state;
	make_root(root, sizeof(root));
	dirs[0] = root;
	put(root, "a.html", "{{");
	put(root, "b/c.html", "\n{% end %}");
	put(root, "ok.html", "fine");
	assert_null(set = tpl_set_load(dirs, 1));
	msgs = diag_take();
	want = xasprintf("%s/a.html:1:1: error: unclosed '{{' (expected '}}')\n"
	    "%s/b/c.html:2: error: <eof> expected near 'end'\n", root, root);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);
	remove_root(root);
}

static void
test_runtime_error_lines(void **state)
{
	(void)state;
	/* multi-line text, a multi-line comment, trimmed newlines */
	expect_error("one\ntwo\n{# a\nb #}\n  {{- page.title -}}  \n\n"
	    "{%- local x = 1 -%}\n\n{{ page.nope.x }}",
	    ":9: error: attempt to index a nil value (field 'nope') "
	    "(rendering docs/x.md)\n");
	/* a multi-line tag */
	expect_error("{%\nlocal t = {\n}\n%}\n{{\nt.a.b\n}}",
	    ":6: error: attempt to index a nil value (field 'a') (rendering "
	    "docs/x.md)\n");
	expect_error("a\n{% error(\"boom\") %}",
	    ":2: error: boom (rendering docs/x.md)\n");
	expect_error("a\n{% error(\"boom\", 0) %}",
	    ":2: error: boom (rendering docs/x.md)\n");
	expect_error("a\n\n{% error({}) %}",
	    ":3: error: (error object is a table value) (rendering "
	    "docs/x.md)\n");
	/* CRLF line ends, and a lone CR inside a tag (Lua would count it) */
	expect_error("a\r\n{% local x = 1 %}\r\n{{ nope.x }}",
	    ":3: error: attempt to index a nil value (global 'nope') "
	    "(rendering docs/x.md)\n");
	expect_error("{% local x = 1\r %}\n{{ nope.x }}",
	    ":2: error: attempt to index a nil value (global 'nope') "
	    "(rendering docs/x.md)\n");
	expect_error("{{ (\"x\"):rep() }}",
	    ":1: error: bad argument #1 to 'rep' (number expected, got no "
	    "value) (rendering docs/x.md)\n");
}

static void
test_runtime_error_long_path(void **state)
{
	const char	*dirs[1];
	char		 root[64], *msgs, *out, *want, *dir;

	(void)state;
	make_root(root, sizeof(root));
	/* longer than Lua's 60-byte chunk names */
	dir = xasprintf("%s/themes/a-theme-with-a-long-name/templates", root);
	dirs[0] = dir;
	put(root, "themes/a-theme-with-a-long-name/templates/layouts/base.html",
	    "{{{ content }}}");
	put(root, "themes/a-theme-with-a-long-name/templates/partials/"
	    "sidebar-navigation.html", "\n\n{{ nope.x }}");
	put(root, "themes/a-theme-with-a-long-name/templates/page.html",
	    "{{{ partial(\"partials/sidebar-navigation.html\") }}}");
	out = render_dirs(dirs, 1, "page.html", "{}", &msgs);
	assert_null(out);
	want = xasprintf("%s/partials/sidebar-navigation.html:3: error: "
	    "attempt to index a nil value (global 'nope')\n", dir);
	assert_string_equal(msgs, want);
	free(want);
	free(msgs);
	free(dir);
	remove_root(root);
}

static void
test_early_return(void **state)
{
	(void)state;
	expect_output("a{% do return end %}b", "");
	expect_output("a{% do return \"x\" end %}b", "x");
	expect_error("{% do return {} end %}",
	    ": error: the template returned a table value instead of its "
	    "output (rendering docs/x.md)\n");
}

static void
test_page_data(void **state)
{
	(void)state;
	expect_output("{{ #page.items }} {{ math.type(page.weight) }} "
	    "{{ math.type(page.ratio) }} {{ page.none == nil }}",
	    "3 integer float true");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_nil_numbers_booleans),
		cmocka_unit_test(test_print_table_is_error),
		cmocka_unit_test(test_print_function_is_error),
		cmocka_unit_test(test_loops_conditionals),
		cmocka_unit_test(test_whitespace_control),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_delimiters_in_strings),
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_layout_default),
		cmocka_unit_test(test_layout_custom),
		cmocka_unit_test(test_layout_false),
		cmocka_unit_test(test_layout_nested),
		cmocka_unit_test(test_layout_errors),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_partial_recursive_and_env),
		cmocka_unit_test(test_partial_errors),
		cmocka_unit_test(test_override_order),
		cmocka_unit_test(test_set_has_and_unknown),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_url_root_base),
		cmocka_unit_test(test_abs_url_without_base_url),
		cmocka_unit_test(test_asset),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_sandbox_names),
		cmocka_unit_test(test_sandbox_readonly),
		cmocka_unit_test(test_sandbox_no_leak),
		cmocka_unit_test(test_null_site_and_page),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_lua_syntax_errors),
		cmocka_unit_test(test_every_compile_error_reported),
		cmocka_unit_test(test_runtime_error_lines),
		cmocka_unit_test(test_runtime_error_long_path),
		cmocka_unit_test(test_early_return),
		cmocka_unit_test(test_page_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
