#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "cache.h"
#include "indexing.h"
#include "path.h"
#include "sitemap.h"
#include "xalloc.h"

/* A part's pages, on average at most this many... */
#define PART_PAGES	1024
/* ...and never more than the protocol allows a file. */
#define PART_MAX	50000

#define XML_HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define XMLNS		"xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""

/* The pages of one file, and the hash of what it shows of them. */
struct part {
	const struct page **pages;
	size_t		 n, cap;
	uint64_t	 hash;
};

static char *
absolute(const struct site *s, const char *url)
{
	return path_join(s->cfg.base_url, url + 1);
}

/* A page's last change, as the sitemap shows it, or NULL. */
static const char *
last_change(const struct page *p)
{
	return p->meta.updated ? p->meta.updated : p->meta.date;
}

/* h, chained with s (or with its absence). */
static uint64_t
chain(uint64_t h, const char *s)
{
	return s != NULL ? XXH3_64bits_withSeed(s, strlen(s) + 1, h) :
	    XXH3_64bits_withSeed("", 0, h ^ 1);
}

static uint64_t
url_hash(const struct page *p)
{
	return XXH3_64bits(p->url, strlen(p->url));
}

/* h, chained with what the sitemap shows of p: its URL (url, its
 * url_hash) and last change (the updated and date it is taken from).
 * Chained in the model's order, which a page elsewhere leaves. */
static uint64_t
chain_page(uint64_t h, const struct page *p, uint64_t url)
{
	uint64_t	 v = chain(chain(url, p->meta.updated), p->meta.date);

	return XXH3_64bits_withSeed(&v, sizeof(v), h);
}

static int
cmp_url(const void *a, const void *b)
{
	return strcmp((*(const struct page *const *)a)->url,
	    (*(const struct page *const *)b)->url);
}

/* The key of file name made of inputs, or 0 without a memo. */
static uint64_t
key_of(struct page_memo *memo, const char *name, uint64_t inputs)
{
	return memo != NULL ? pagememo_derived_key(memo, name, &inputs) : 0;
}

/* 1 when the folder holds name made with key (counted as kept). */
static int
kept(const struct out_dir *o, struct page_memo *memo, const char *name,
    uint64_t key)
{
	if (key == 0 || !cache_keep(o->cache, name, key))
		return 0;
	pagememo_kept(memo);
	return 1;
}

/* Appends <tag><loc>the absolute url</loc><lastmod>mod</lastmod></tag>,
 * without the lastmod when mod is NULL. */
static void
put_entry(struct buf *b, const struct site *s, const char *tag,
    const char *url, const char *mod)
{
	char	*loc = absolute(s, url);

	buf_printf(b, "<%s><loc>", tag);
	buf_put_html(b, loc, strlen(loc));
	buf_puts(b, "</loc>");
	if (mod != NULL)
		buf_printf(b, "<lastmod>%s</lastmod>", mod);
	buf_printf(b, "</%s>\n", tag);
	free(loc);
}

/* Writes the <urlset> of pages[0..n-1], which it sorts by URL, as name. */
static int
write_urlset(const struct site *s, const struct out_dir *o,
    const char *name, const struct page **pages, size_t n, uint64_t key)
{
	struct buf	 b = { 0 };
	size_t		 i;
	int		 ok;

	xqsort(pages, n, sizeof(*pages), cmp_url);
	buf_puts(&b, XML_HEAD "<urlset " XMLNS ">\n");
	for (i = 0; i < n; i++)
		put_entry(&b, s, "url", pages[i]->url,
		    last_change(pages[i]));
	buf_puts(&b, "</urlset>\n");
	ok = out_write_keyed(o, name, b.data, b.len, key);
	buf_free(&b);
	return ok;
}

/* Puts pages[0..n-1] into nparts parts by the hash of their URLs; 0 when
 * a part would have more than PART_MAX. */
static int
split(const struct page **pages, size_t n, struct part *parts,
    size_t nparts, uint64_t base)
{
	struct part	*pt;
	uint64_t	 url;
	size_t		 i;

	for (i = 0; i < nparts; i++)
		parts[i] = (struct part){ NULL, 0, 0, base };
	for (i = 0; i < n; i++) {
		url = url_hash(pages[i]);
		pt = &parts[url & (nparts - 1)];
		if (pt->n == PART_MAX)
			return 0;
		pt->pages = xreallocarray(pt->pages, pt->n + 1,
		    sizeof(*pt->pages), &pt->cap);
		pt->pages[pt->n++] = pages[i];
		pt->hash = chain_page(pt->hash, pages[i], url);
	}
	return 1;
}

static void
free_parts(struct part *parts, size_t nparts)
{
	size_t	 i;

	for (i = 0; i < nparts; i++)
		free(parts[i].pages);
}

/* The latest last change of a part's pages, or NULL. */
static const char *
latest(const struct part *pt)
{
	const char	*best = NULL, *mod;
	size_t		 i;

	for (i = 0; i < pt->n; i++)
		if ((mod = last_change(pt->pages[i])) != NULL &&
		    (best == NULL || strcmp(mod, best) > 0))
			best = mod;
	return best;
}

/* Writes the <sitemapindex> of the parts that have pages. */
static int
write_index(const struct site *s, const struct out_dir *o,
    const struct part *parts, size_t nparts, uint64_t key)
{
	struct buf	 b = { 0 };
	char		 name[48];
	size_t		 i;
	int		 ok;

	buf_puts(&b, XML_HEAD "<sitemapindex " XMLNS ">\n");
	for (i = 0; i < nparts; i++) {
		if (parts[i].n == 0)
			continue;
		snprintf(name, sizeof(name), "/sitemap-%zu.xml", i + 1);
		put_entry(&b, s, "sitemap", name, latest(&parts[i]));
	}
	buf_puts(&b, "</sitemapindex>\n");
	ok = out_write_keyed(o, SITEMAP_NAME, b.data, b.len, key);
	buf_free(&b);
	return ok;
}

/* The index and its parts for pages[0..n-1]: each part kept or written,
 * then the index. */
static int
write_parts(const struct site *s, const struct out_dir *o,
    struct page_memo *memo, const struct page **pages, size_t n,
    uint64_t base)
{
	struct part	*parts;
	char		 name[48];
	size_t		 nparts = 2, i;
	uint64_t	 key, index = base;
	int		 ok = 1;

	while (n > nparts * PART_PAGES)
		nparts *= 2;
	parts = xcalloc(nparts, sizeof(*parts));
	while (!split(pages, n, parts, nparts, base)) {
		free_parts(parts, nparts);
		free(parts);
		nparts *= 2;
		parts = xcalloc(nparts, sizeof(*parts));
	}
	for (i = 0; i < nparts; i++) {
		index = XXH3_64bits_withSeed(&parts[i].hash,
		    sizeof(parts[i].hash), index);
		if (parts[i].n == 0)
			continue;
		snprintf(name, sizeof(name), "sitemap-%zu.xml", i + 1);
		key = key_of(memo, name, parts[i].hash);
		if (!kept(o, memo, name, key))
			ok &= write_urlset(s, o, name, parts[i].pages,
			    parts[i].n, key);
	}
	key = key_of(memo, SITEMAP_NAME, index);
	if (!kept(o, memo, SITEMAP_NAME, key))
		ok &= write_index(s, o, parts, nparts, key);
	free_parts(parts, nparts);
	free(parts);
	return ok;
}

int
sitemap_write(const struct site *s, const struct out_dir *o,
    struct page_memo *memo)
{
	const struct page **pages = xcalloc(s->npages + 1, sizeof(*pages));
	uint64_t	 base = chain(0, s->cfg.base_url), whole = base, key;
	size_t		 i, n = 0;
	int		 ok = 1;

	for (i = 0; i < s->npages; i++)
		if (indexing_listed(s->pages[i]))
			pages[n++] = s->pages[i];
	if (n > SITEMAP_ONE)
		ok = write_parts(s, o, memo, pages, n, base);
	else {
		for (i = 0; i < n; i++)
			whole = chain_page(whole, pages[i],
			    url_hash(pages[i]));
		key = key_of(memo, SITEMAP_NAME, whole);
		if (!kept(o, memo, SITEMAP_NAME, key))
			ok = write_urlset(s, o, SITEMAP_NAME, pages, n, key);
	}
	free(pages);
	return ok;
}
