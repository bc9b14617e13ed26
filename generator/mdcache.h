/*
 * mdcache: the markdown cache of builds.  md_render's result (struct
 * md_doc: HTML, headings, sections) is kept per page as an entry of the
 * build's pack (pack.h), under the XXH3 of the entry format, the file's
 * path, its body's first line and the body bytes (the pack's seed covers
 * the porch binary and the cmark-gfm library's version).  Besides the
 * md_doc an entry holds every call md_render made to the link callback
 * (href, line, column, the URL it wrote, what it returned): the rest of
 * the site decides those answers (a renamed page, a removed heading), so
 * an entry is used only when replaying the calls through links_resolve,
 * for this page in this build, gives the same answers; the replay also
 * reports broken links and remembers anchors to check exactly as a
 * render does.  Otherwise the page is rendered and a new entry stored.
 * docs/incremental.md has the details.
 */
#ifndef PORCH_MDCACHE_H
#define PORCH_MDCACHE_H

#include <stddef.h>
#include <stdio.h>

#include "links.h"
#include "markdown.h"

struct md_cache;
struct pack;

/* The markdown cache in pack (which must outlive it).  Free with
 * mdcache_free. */
struct md_cache *mdcache_open(struct pack *);
void	 mdcache_free(struct md_cache *);

/*
 * md_render of p's body (page_body) with links_resolve through the cache:
 * the same *doc, the same return value, the same reports and remembered
 * anchors in links.  links->doc must already point at doc (as for
 * md_render).  The body is read only when the cache misses.  Called by
 * the worker rendering p; thread-safe otherwise (one link context per
 * thread).
 */
struct page;
int	 mdcache_render(struct md_cache *, struct page *p,
	     struct link_ctx *links, struct md_doc *doc);

/* Keeps p's entry for later builds without reading it: for a page whose
 * whole result was reused (pagememo.h), whose markdown a later build may
 * want again. */
void	 mdcache_keep(struct md_cache *, const struct page *p);

/* One line of counts (reused, rendered and why) for PORCH_CACHE_STATS=1. */
void	 mdcache_report(const struct md_cache *, FILE *);

#endif
