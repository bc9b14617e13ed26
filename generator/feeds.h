/*
 * feeds: the machine-readable files beside the pages: robots.txt, the
 * changelog's Atom feed (changelog/feed.xml) and catalog.json, the one
 * file porchd reads (format in docs/catalog.md).  sitemap.xml, which
 * may be several files, is sitemap.h's.
 */
#ifndef PORCH_FEEDS_H
#define PORCH_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "output.h"

/* One of those files: its name in the site folder and its writer, which
 * writes it with render key key (cache.h; 0 for none) and returns 1, or
 * 0 after reporting.  The changelog's feed is not written for a site
 * without changelog.  inputs, when not NULL, hashes all that the writer
 * reads of the site (the render key is made of it then, else of the
 * whole model: pagememo.h). */
struct feed {
	const char	*name;
	int		(*write)(const struct site *, const struct out_dir *,
			    uint64_t key);
	uint64_t	(*inputs)(const struct site *);
};

extern const struct feed feeds[];
extern const size_t nfeeds;

#endif
