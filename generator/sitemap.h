/*
 * sitemap: sitemap.xml, the URL and last change of every page search
 * engines should index (generator/indexing.c), for crawlers
 * (sitemaps.org).
 *
 * Up to SITEMAP_ONE pages it is one <urlset>, sorted by URL.  A larger
 * site gets a <sitemapindex> there instead, of parts sitemap-1.xml,
 * sitemap-2.xml...: the protocol allows 50,000 URLs a file, and one file
 * of 10,000 URLs (1.2 MB, and its .gz twin) was made again whenever a
 * page came or went, 20-30 ms of CPU.  A page's part is the hash of its
 * URL modulo the number of parts, a power of two the page count decides
 * (about a thousand URLs a part), so a page added or removed changes its
 * own part and the index, and the other parts are kept as they are.
 * Each part is sorted by URL; the index gives each part's latest change.
 */
#ifndef PORCH_SITEMAP_H
#define PORCH_SITEMAP_H

#include "model.h"
#include "output.h"
#include "pagememo.h"

#define SITEMAP_NAME	"sitemap.xml"
/* The most pages sitemap.xml lists itself. */
#define SITEMAP_ONE	1000

/* Writes sitemap.xml (and its parts), or keeps each file the folder holds
 * made from the same URLs and dates (memo: its keys; NULL: all written).
 * 1, or 0 after reporting. */
int	 sitemap_write(const struct site *, const struct out_dir *,
	     struct page_memo *memo);

#endif
