/*
 * pagememo: a page's whole render reused.  The markdown cache (mdcache.h)
 * saves cmark-gfm, but an incremental build still made every page's data
 * and render key, replayed every page's links and read every markdown
 * entry: with 10,000 unchanged pages, a third of the build.  A memo says,
 * for a page with a source, what rendering it gave last time: its
 * output's render key (cache.h), its heading ids and, for the pages list
 * pages show whole, its HTML (kept apart, read only when a list is made:
 * pagememo_html).  It is used, and the page is not rendered at all, when
 * all of these are as they were:
 *
 *   - the page's own file, first line and body (its key);
 *   - its own place: kind, path, URL, output, parent, FAQ category,
 *     votes (its key), and whether drafts are built;
 *   - its own title and front matter (its key), and those of the pages it
 *     showed: its data's (breadcrumbs, neighbours, children...), the
 *     docs tree's parts and the site lists its template read (tracked,
 *     template.h), or all of them when its template did not run
 *     (checked: a docs title edit renders the pages that show that
 *     title, not every page);
 *   - where its links lead: the URL of each page and the output of each
 *     copied file its links name, by path (checked when a page or file
 *     was added, removed or moved: a page added renders the pages that
 *     show it, not every page);
 *   - the templates and the site data but its parts made of pages (base,
 *     in its key);
 *   - the headings its links to other pages' #anchors name: known only
 *     once the changed pages have rendered, so checked, not keyed.  While
 *     no page's heading ids changed (pagememo_anchors, compared) there is
 *     nothing to check; otherwise the memo's links are looked up
 *     (pagememo_refs_hold), so a heading added to one page does not
 *     render every page that links to another page's heading.
 *
 * With --warn-links a broken link is a warning that every build must
 * repeat, so render.c uses no memo then.  docs/incremental.md has the
 * details.
 */
#ifndef PORCH_PAGEMEMO_H
#define PORCH_PAGEMEMO_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "buf.h"
#include "model.h"

struct link_ctx;
struct pack;
struct page_memo;

/* Part of a memo as it keeps it: what a page's links name (other pages'
 * headings and the paths they resolved to: pagememo_links_of) or what it
 * showed of other pages (pagememo_deps_of), made by a render or a memo's
 * bytes in the pack. */
struct memo_blob {
	const void	*data;
	size_t		 len;
	uint64_t	 digest;	/* of what it names as the site is
					   now, when a memo found says (else
					   0: made when needed) */
};

/* What an earlier build's render of a page left. */
struct memo_hit {
	uint64_t	 anchors;	/* pagememo_anchors of that build */
	uint64_t	 render_key;	/* of its output file, 0 for none */
	struct memo_blob links, deps;	/* in the pack */
};

/* The memo of site s's pages in pack pk (both outlive it); base is
 * cache_base_site of this build, deferred what the site data's deferred
 * parts hold (pagedata.h). */
struct pagedata_deferred;
struct page_memo *pagememo_open(struct pack *pk, const struct site *s,
	     uint64_t base, const struct pagedata_deferred *deferred);
void	 pagememo_free(struct page_memo *);

/* 1 when an earlier build left p's memo: *hit filled and p's anchors set
 * (model.h).  Thread-safe. */
int	 pagememo_get(struct page_memo *, struct page *p, struct memo_hit *hit);

/* The HTML p's memo kept, for a page a list shows whole (its memo found
 * by pagememo_get), or NULL; it lives as long as the pack.
 * Thread-safe. */
const char *pagememo_html(struct page_memo *, const struct page *p);

/* The hash of every page's heading ids, once all are set. */
uint64_t pagememo_anchors(const struct site *);

/* Appends to out what a page's render left in links after its first
 * refs_from links to headings and targets_from targets: the headings
 * its links name and the paths they resolved to. */
void	 pagememo_links_of(const struct link_ctx *links, size_t refs_from,
	     size_t targets_from, struct buf *out);
/* 1 when every heading a hit's links name is on its page now (every
 * page's anchors set); counted, as the memo table's rows then hold the
 * old anchors.  Thread-safe. */
int	 pagememo_refs_hold(struct page_memo *, const struct memo_hit *);

/* Appends to out what a render showed of the other pages: data, the
 * pages its data showed fields of; tpl[0..ntpl-1], what its template read
 * of the docs tree (tpl_reads), if known, else the whole tree (the
 * template did not run: the render key matched). */
struct page_reads;
void	 pagememo_deps_of(const struct page_memo *,
	     const struct page_reads *data, const json_int_t *tpl,
	     size_t ntpl, int known, struct buf *out);

/* Keeps what p's render gave (its anchors, render_key, what its links
 * name, what it showed of others and html) for the next build.
 * Thread-safe. */
void	 pagememo_put(struct page_memo *, const struct page *p,
	     uint64_t anchors, const struct memo_blob *links,
	     const struct memo_blob *deps);

/* After the pages[0..n-1] with a source are rendered or reused, with
 * their anchors, what their links name and what they showed of others
 * (links and deps, by page index): writes the memo table again
 * (pagememo.c) when there was none for this shape or it lacked too many
 * of them, on a thread of its own that pagememo_free waits for.  Calls
 * release(arg) once links and deps are no longer read: at once, or on
 * that thread.  The pages must not change until then. */
void	 pagememo_end(struct page_memo *, struct page *const *pages,
	     size_t n, uint64_t anchors, const struct memo_blob *links,
	     const struct memo_blob *deps, void (*release)(void *),
	     void *arg);

/*
 * The sitemap, the feed and catalog.json are made of the model and of
 * the list entries' HTML and heading ids (FAQ answers, changelog
 * entries), which the entries' bodies, the whole site and every page's
 * heading ids decide.  Once every markdown page has rendered or been
 * reused, pagememo_begin_derived hashes those (anchors: pagememo_anchors's
 * hash); pagememo_derived_key is then a key of output file name (never
 * 0) under which the same inputs always give the same bytes: the render
 * key of the feeds.  A feed that hashes what it reads itself (inputs, not
 * NULL: feeds.h) gets a key of that hash and its name instead, which a
 * change elsewhere in the model leaves as it was.
 */
void	 pagememo_begin_derived(struct page_memo *, const struct site *,
	     uint64_t anchors);
uint64_t pagememo_derived_key(const struct page_memo *, const char *name,
	     const uint64_t *inputs);

/*
 * A generated page's memo (lists, tags, search, the portal's, made
 * section landings): as a markdown page's, with what it lists in its key
 * instead of a body (the pages on it, in order, and the render keys of
 * those it shows whole: FAQ answers, changelog entries, roadmap items),
 * and what it showed of other pages' fields and of the docs tree in its
 * deps.  Not in the memo table: pagememo_get_generated reads its entry.
 * Thread-safe.
 */
int	 pagememo_get_generated(struct page_memo *, struct page *p,
	     struct memo_hit *hit);
void	 pagememo_put_generated(struct page_memo *, const struct page *p,
	     const struct memo_blob *links, const struct memo_blob *deps);

/* Count a page reused whole, a generated file kept, for pagememo_report. */
void	 pagememo_reused(struct page_memo *);
void	 pagememo_kept(struct page_memo *);
/* One line of counts for PORCH_CACHE_STATS=1. */
void	 pagememo_report(const struct page_memo *, FILE *);

#endif
