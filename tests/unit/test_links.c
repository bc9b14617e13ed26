/* Link rewriting: relative .md paths and files to URLs, and the errors a
 * writer sees for broken links and anchors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "links.h"
#include "xalloc.h"

static struct site site;
static struct page pages[3];

static void
add_page(struct page *p, const char *source, const char *url)
{
	memset(p, 0, sizeof(*p));
	p->source = xstrdup(source);
	p->file = xasprintf("content/%s", source);
	p->url = xstrdup(url);
	strmap_put(&site.by_source, source, p);
}

static int
setup(void **state)
{
	(void)state;
	memset(&site, 0, sizeof(site));
	site.cfg.base_path = xstrdup("/help/");
	add_page(&pages[0], "docs/guide/install.md", "/docs/guide/install/");
	add_page(&pages[1], "docs/guide/index.md", "/docs/guide/");
	add_page(&pages[2], "faq/refunds.md", "/faq/refunds/");
	pages[0].anchors = xcalloc(1, sizeof(char *));
	pages[0].anchors[0] = xstrdup("requirements");
	pages[0].nanchors = 1;
	site.copies = xcalloc(1, sizeof(*site.copies));
	site.copies[0].src = xstrdup("content/static/img/a.png");
	site.copies[0].out = xstrdup("img/a.png");
	site.ncopies = 1;
	strmap_put(&site.files, "static/img/a.png", (void *)1);
	strmap_put(&site.drafts_seen, "docs/guide/draft.md", (void *)1);
	return 0;
}

static int
teardown(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		free(pages[i].source);
		free(pages[i].file);
		free(pages[i].url);
	}
	free(pages[0].anchors[0]);
	free(pages[0].anchors);
	free(site.copies[0].src);
	free(site.copies[0].out);
	free(site.copies);
	free(site.cfg.base_path);
	strmap_free(&site.by_source);
	strmap_free(&site.files);
	strmap_free(&site.drafts_seen);
	free(diag_take());
	return 0;
}

/* Resolves href as written in faq/refunds.md; returns the URL (heap) or
 * NULL when the link is broken. */
static char *
resolve(struct link_ctx *c, const char *href)
{
	struct buf	 out = { 0 };

	if (!links_resolve(c, href, 7, 3, &out)) {
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out);
}

static void
init_ctx(struct link_ctx *c, int warn)
{
	memset(c, 0, sizeof(*c));
	c->site = &site;
	c->page = &pages[2];
	c->warn_only = warn;
}

static void
test_relative_md_becomes_url_with_base_path(void **state)
{
	struct link_ctx	 c;
	char		*u;

	(void)state;
	init_ctx(&c, 0);
	u = resolve(&c, "../docs/guide/install.md");
	assert_string_equal(u, "/help/docs/guide/install/");
	free(u);
	u = resolve(&c, "./../docs/guide/index.md");
	assert_string_equal(u, "/help/docs/guide/");
	free(u);
	links_check_anchors(&c);
}

static void
test_folder_link_means_its_index(void **state)
{
	struct link_ctx	 c;
	char		*u;

	(void)state;
	init_ctx(&c, 0);
	u = resolve(&c, "../docs/guide/");
	assert_string_equal(u, "/help/docs/guide/");
	free(u);
	links_free(&c);
}

static void
test_anchor_kept_and_checked_later(void **state)
{
	struct link_ctx	 c;
	char		*u, *msgs;

	(void)state;
	init_ctx(&c, 0);
	u = resolve(&c, "../docs/guide/install.md#requirements");
	assert_string_equal(u, "/help/docs/guide/install/#requirements");
	free(u);
	u = resolve(&c, "../docs/guide/install.md#nope");
	assert_non_null(u);	/* known only after every page rendered */
	free(u);
	assert_int_equal(c.nrefs, 2);
	assert_int_equal(links_check_anchors(&c), 0);
	msgs = diag_take();
	assert_string_equal(msgs, "content/faq/refunds.md:7:3: error: broken "
	    "anchor '#nope': docs/guide/install.md has no heading with that "
	    "id\n");
	free(msgs);
}

static void
test_missing_page_is_reported_with_position(void **state)
{
	struct link_ctx	 c;
	char		*msgs;

	(void)state;
	init_ctx(&c, 0);
	assert_null(resolve(&c, "../docs/nothing.md"));
	msgs = diag_take();
	assert_string_equal(msgs, "content/faq/refunds.md:7:3: error: broken "
	    "link '../docs/nothing.md': there is no page or file "
	    "docs/nothing.md in the content folder\n");
	free(msgs);
	links_free(&c);
}

static void
test_warn_links_downgrades(void **state)
{
	struct link_ctx	 c;
	char		*u, *msgs;

	(void)state;
	init_ctx(&c, 1);
	u = resolve(&c, "gone.md");
	assert_non_null(u);
	assert_string_equal(u, "");	/* empty: the link stays as written */
	free(u);
	msgs = diag_take();
	assert_non_null(strstr(msgs, ": warning: broken link 'gone.md'"));
	free(msgs);
	links_free(&c);
}

static void
test_link_out_of_content_folder(void **state)
{
	struct link_ctx	 c;
	char		*msgs;

	(void)state;
	init_ctx(&c, 0);
	assert_null(resolve(&c, "../../etc/passwd"));
	msgs = diag_take();
	assert_non_null(strstr(msgs, "leads out of the content folder"));
	free(msgs);
	links_free(&c);
}

static void
test_static_file_link(void **state)
{
	struct link_ctx	 c;
	char		*u;

	(void)state;
	init_ctx(&c, 0);
	u = resolve(&c, "../static/img/a.png");
	assert_string_equal(u, "/help/img/a.png");
	free(u);
	links_free(&c);
}

static void
test_draft_link_is_an_error_naming_drafts(void **state)
{
	struct link_ctx	 c;
	char		*msgs;

	(void)state;
	init_ctx(&c, 0);
	assert_null(resolve(&c, "../docs/guide/draft.md"));
	msgs = diag_take();
	assert_non_null(strstr(msgs, "link to a draft page"));
	assert_non_null(strstr(msgs, "--drafts"));
	free(msgs);
	links_free(&c);
}

static void
test_percent_escapes_decoded(void **state)
{
	struct link_ctx	 c;
	char		*u;

	(void)state;
	init_ctx(&c, 0);
	u = resolve(&c, "../docs/guide/%69nstall.md");
	assert_string_equal(u, "/help/docs/guide/install/");
	free(u);
	links_free(&c);
}

static void
test_query_links_left_alone(void **state)
{
	struct link_ctx	 c;
	char		*u;

	(void)state;
	init_ctx(&c, 0);
	u = resolve(&c, "search?q=x");
	assert_string_equal(u, "");
	free(u);
	links_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_md_becomes_url_with_base_path),
		cmocka_unit_test(test_folder_link_means_its_index),
		cmocka_unit_test(test_anchor_kept_and_checked_later),
		cmocka_unit_test(test_missing_page_is_reported_with_position),
		cmocka_unit_test(test_warn_links_downgrades),
		cmocka_unit_test(test_link_out_of_content_folder),
		cmocka_unit_test(test_static_file_link),
		cmocka_unit_test(test_draft_link_is_an_error_naming_drafts),
		cmocka_unit_test(test_percent_escapes_decoded),
		cmocka_unit_test(test_query_links_left_alone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
