#include "indexing.h"
#include "portal.h"

/*
 * Pages carry content of their own unless they are an alias (a redirect),
 * the 404 page, or a portal page that is only an empty shell filled in
 * for a signed-in customer (portal.c says which; the ticket form, with
 * its request types, is content).  The search page is indexed as one
 * URL: its canonical link is /search/ without the query, so every ?q=
 * variant folds into it.  Intros render inside their list page and have
 * no page of their own.
 */
int
indexing_indexed(const struct page *p)
{
	switch (p->kind) {
	case KIND_ALIAS:
	case KIND_404:
		return 0;
	case KIND_PORTAL:
		return portal_indexed(p);
	default:
		return !p->is_intro;
	}
}

/* The sitemap lists indexed pages that were written: a portal page the
 * theme has no template for is not (render.c sets skipped). */
int
indexing_listed(const struct page *p)
{
	return indexing_indexed(p) && !p->skipped;
}
