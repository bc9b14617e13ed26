/*
 * siteindex: the site's maps by source and by URL (model.h), and the
 * check that no two pages or copied files make the same output file.
 *
 * At 10,000 pages making them took 6 ms, on one core after the docs tree,
 * the lists and the tags, while the other core stood idle.  A markdown
 * page's source, URL and output file are fixed once it is read, so
 * siteindex_begin indexes the pages read so far on a thread of its own
 * while model_load builds the rest; siteindex_end waits for it and goes
 * on with the pages made since and the copied files.  The maps are those
 * one pass in page order makes: the same inserts in the same order
 * (memosince.c walks by_source's slots).
 */
#ifndef PORCH_SITEINDEX_H
#define PORCH_SITEINDEX_H

#include <stddef.h>

#include "parallel.h"
#include "strmap.h"

struct page;
struct site;

struct site_index {
	struct task	 task;
	struct site	*site;
	struct page	**pages;	/* s->pages[0, n) when begun */
	size_t		 n;
	struct strmap	 outs;		/* output file -> page */
};

/* Starts indexing the n pages s has now.  Until siteindex_end, nothing
 * else may touch s->by_source or s->by_url, nor those pages' source, url,
 * out, file or is_intro. */
void	 siteindex_begin(struct site_index *, struct site *s);
/* Indexes the pages made since and the copied files, reporting each
 * output file made twice as an error. */
void	 siteindex_end(struct site_index *);

#endif
