/*
 * paginate: long lists split over several pages.  The changelog list and
 * each FAQ category page show at most options.changelog_per_page and
 * options.faq_per_page entries, and each tag's page
 * options.tags_per_page pages; the rest go to /changelog/page/2/,
 * /faq/CATEGORY/page/2/, /tags/TAG/page/2/ and so on, linked both ways.
 * Without it a list page of a large site (100,000 pages) would hold
 * every entry's HTML, and a tag's page a link to each of thousands of
 * pages (220 KB at 10,000 pages, made again whenever one of them is
 * retitled).
 */
#ifndef PORCH_PAGINATE_H
#define PORCH_PAGINATE_H

struct site;

/* Adds the extra list pages to s and sets every list page's slice
 * (first, count, pageno, npageno, pager links).  Called by model_load
 * once the changelog and the FAQ categories are built. */
void	 paginate_site(struct site *s);
/* The same for every tag's page, once the tags are built. */
void	 paginate_tags(struct site *s);

#endif
