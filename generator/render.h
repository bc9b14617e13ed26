/*
 * render: turns pages into HTML files, in parallel on every core.  Each
 * worker thread has its own Lua state (struct tpl_worker) and its own
 * link context; pages are handed out through one atomic counter, and each
 * page is written by exactly one worker, so the model needs no locks.
 */
#ifndef PORCH_RENDER_H
#define PORCH_RENDER_H

#include <jansson.h>

#include "mdcache.h"
#include "model.h"
#include "output.h"
#include "pagememo.h"
#include "search.h"
#include "template.h"

struct render_env {
	struct site	*site;
	const struct tpl_set *templates;
	json_t		*site_json;
	const struct out_dir *out;
	int		 threads;
	int		 warn_links;
	struct search_index *search;	/* NULL: no search index */
	struct md_cache	*mdcache;	/* NULL: render all markdown */
	struct page_memo *memo;		/* NULL: render every page */
};

/*
 * Renders every page of the site: first the markdown pages (whose HTML the
 * list pages include), then the generated ones; then checks the anchors
 * links pointed at.  With a memo, the markdown pages go in two rounds:
 * those the memo does not know are rendered while the others get their
 * anchors from it; then, the site's anchors known, the others are reused
 * whole when the anchors are as they were, and rendered otherwise.  Returns 1, or 0 when anything failed (all reported
 * through diag).
 */
int	 render_site(const struct render_env *);

/*
 * Gives each page a list shows whole (FAQ answers, changelog entries,
 * section intros) its HTML where a memo reused it without: the memo's,
 * or (should that be missing or damaged) its body rendered again.  Only a list page or feed being
 * made reads it, so render_site calls this before the first generated
 * page renders, and the feeds before one is written; a one-page edit
 * calls it not at all.  Each page's is made once.  1, or 0 when a body
 * could not be rendered (reported).
 */
int	 render_entries_html(const struct render_env *);

#endif
