/*
 * links: internal links as writers write them, relative paths to .md files
 * with an optional #anchor, turned into the target's URL; a link to a page,
 * file or heading that does not exist is reported with file:line:col.
 * Anchors on other pages can only be checked once every page has rendered,
 * so they are remembered (links_check_anchors).
 */
#ifndef PORCH_LINKS_H
#define PORCH_LINKS_H

#include <stddef.h>

#include "buf.h"
#include "markdown.h"
#include "model.h"

struct anchor_ref {
	struct page	*target;
	char		*anchor;
	const char	*file;		/* the linking page's file (not owned) */
	unsigned	 line, col;
};

/* One per render worker: the page being rendered and what it left to check. */
struct link_ctx {
	const struct site *site;
	const struct page *page;
	const struct md_doc *doc;	/* headings of the page, for #anchor */
	int		 warn_only;	/* --warn-links: warnings, link kept */
	int		 quiet;		/* mdcache.c checking a cached render's
					 * answers: count reports in nquiet
					 * instead of making them */
	size_t		 nquiet;
	struct anchor_ref *refs;
	size_t		 nrefs, cap;
	/* Every path a link resolved to ("a/b.md", "img/x.png"), in order,
	 * repeats kept: what the page's links depend on besides headings
	 * (pagememo.h). */
	char		**targets;
	size_t		 ntargets, tcap;
};

/* The md_link_fn for md_render (ctx is a struct link_ctx). */
int	 links_resolve(void *ctx, const char *href, unsigned line,
	     unsigned col, struct buf *out);
/* Checks the remembered anchors (after every page rendered); 1 if all
 * exist.  Frees what the context remembered (links_free). */
int	 links_check_anchors(struct link_ctx *);
/* Frees what the context remembered (anchors, targets), unchecked. */
void	 links_free(struct link_ctx *);
/* Forgets the anchors remembered after the first n (a replay that
 * mdcache.c abandons). */
void	 links_forget(struct link_ctx *, size_t n);
/* Forgets the targets after the first n. */
void	 links_forget_targets(struct link_ctx *, size_t n);

/* Where a link to the resolved path leads on site s as it is now: the
 * page's URL ("/docs/a/"), the copied file's output ("img/x.png"), or
 * NULL for nothing (a draft, a missing file).  links_resolve writes the
 * link from it. */
const char *links_destination(const struct site *s, const char *resolved);

#endif
