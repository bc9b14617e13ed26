/*
 * indexing: which pages a search engine may index.  One answer for the
 * page's <meta name="robots"> (page.indexed, pagedata.c) and for
 * sitemap.xml (feeds.c), so the two never disagree.
 */
#ifndef PORCH_INDEXING_H
#define PORCH_INDEXING_H

#include "model.h"

/* 1 when p may be indexed (no noindex), else 0. */
int	 indexing_indexed(const struct page *);
/* 1 when p belongs in sitemap.xml: indexed and written. */
int	 indexing_listed(const struct page *);

#endif
