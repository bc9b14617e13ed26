/*
 * pagedata: the data templates see, as JSON (template.c turns it into Lua
 * tables).  The shape is the theme API documented in docs/templates.md;
 * change both together.
 */
#ifndef PORCH_PAGEDATA_H
#define PORCH_PAGEDATA_H

#include <stdint.h>

#include <jansson.h>

#include "markdown.h"
#include "model.h"

/* `site`: the checked configuration plus the site-wide lists.  assets is
 * the map from plain asset names to URLs (a reference is taken).  The
 * parts made of pages are deferred (template.h) and tracked: the docs
 * tree and the lists (FAQ categories, recent changes, roadmap counts).
 * pagedata_expand makes them, with the site as ctx; pagedata_deferred
 * hashes what they hold.  So a FAQ question added makes again the pages
 * that read the FAQ categories, not every page. */
json_t	*pagedata_site(const struct site *, json_t *assets);
json_t	*pagedata_expand(void *site, json_int_t id);

/* The site lists, by number. */
#define PAGEDATA_NLISTS	3

/* What the deferred parts hold, made once per build: the docs tree's
 * hash, each list's (what a read of it showed), and all of them (the
 * site data's hash with the rest of it, cache_set_base). */
struct pagedata_deferred {
	uint64_t	 docs;
	uint64_t	 lists[PAGEDATA_NLISTS];
	uint64_t	 all;
};
void	 pagedata_deferred(const struct site *, struct pagedata_deferred *);

/* The list a render's read of id (tpl_reads) was, or -1 (docs tree). */
int	 pagedata_list_read(json_int_t id);
/* The docs tree's values are tracked (template.h): what a render's read
 * of id (tpl_reads) showed, the page whose own fields it read or, with
 * *children set, whose list of children it read (and so, maybe, their
 * own fields: a node is reached only through its parent's list); NULL
 * for an id the tree never gave. */
const struct page *pagedata_docs_read(const struct site *, json_int_t id,
	     int *children);

/* The other pages whose fields a page's data shows, by index, in the
 * order shown (repeats kept). */
struct page_reads {
	size_t	*v;
	size_t	 n, cap;
};

/* `page` for p; doc is its rendered markdown or NULL for generated pages.
 * reads, unless NULL, gets the other pages whose fields it shows
 * appended. */
json_t	*pagedata_page(const struct site *, const struct page *,
	     const struct md_doc *doc, struct page_reads *reads);
/* The template that renders a page ("docs.html"; portal pages have one
 * each, "account_login.html"); static storage. */
const char *pagedata_template(const struct page *);
/* Front matter as JSON, for page.params and catalog.json. */
json_t	*pagedata_front(const struct fm_value *);

#endif
