#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "links.h"
#include "markdown.h"
#include "mdcache.h"
#include "model.h"
#include "pack.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry (the pack checks its bytes):
 *	u32 nlinks, then per link: u32 line, u32 col, u32 returned,
 *	  str href, str url written
 *	u32 nheadings, then per heading: u32 level, u32 line, str id, str text
 *	str html
 * The sections (the page's text for search) are left out: search.c keeps
 * its own record of them, so they are needed only when that misses, and
 * they were a third of an entry.
 * Numbers and strs are record.h's.  A change of meaning changes
 * MDC_FORMAT, which is part of every key.
 */
static const char MDC_FORMAT[8] = "porchmd3";

struct md_cache {
	struct pack	*pack;
	uint64_t	 seed;		/* of every key: the format */
	atomic_size_t	 hits, missing, differed, bad;
};

/* One recorded call of the link callback. */
struct mdc_link {
	const char	*href;		/* into the entry's bytes, or owned */
	const char	*url;
	unsigned	 line, col;
	int		 ret;
};

/* The link log of a render being recorded (its strings are owned). */
struct mdc_rec {
	struct link_ctx	*links;
	struct mdc_link	*v;
	size_t		 n, cap;
};

struct md_cache *
mdcache_open(struct pack *pack)
{
	struct md_cache	*m = xcalloc(1, sizeof(*m));

	m->pack = pack;
	m->seed = XXH3_64bits(MDC_FORMAT, sizeof(MDC_FORMAT));
	return m;
}

void
mdcache_free(struct md_cache *m)
{
	free(m);
}

/* The entry key of p's body: its file, first line and hash (for every
 * page, so without an allocation). */
static uint64_t
entry_key(const struct md_cache *m, const struct page *p)
{
	uint64_t	 v[3] = { m->seed, p->body_line, p->body_hash };

	return XXH3_64bits_withSeed(p->file, strlen(p->file),
	    XXH3_64bits(v, sizeof(v)));
}

void
mdcache_keep(struct md_cache *m, const struct page *p)
{
	(void)pack_keep(m->pack, entry_key(m, p));
}

/*
 * Parses a checked entry into *doc (heap strings, as md_render makes
 * them) and *links (pointing into the entry's bytes, so they live as
 * long as it).  Returns 1, or 0 with *doc and *links freed.
 */
static int
parse_entry(const unsigned char *b, size_t len, struct md_doc *doc,
    struct mdc_link **links, size_t *nlinks)
{
	struct rec_rd	 r;
	struct mdc_link	*l;
	size_t		 i, n, hlen = 0;
	const char	*html;

	rec_init(&r, b, len);
	memset(doc, 0, sizeof(*doc));
	n = rec_get_count(&r, 14);
	*links = xcalloc(n ? n : 1, sizeof(**links));
	*nlinks = n;
	for (i = 0; i < n && r.ok; i++) {
		l = &(*links)[i];
		l->line = rec_get_u32(&r);
		l->col = rec_get_u32(&r);
		l->ret = rec_get_u32(&r) != 0;
		l->href = rec_get_str(&r, 0, NULL);
		l->url = rec_get_str(&r, 0, NULL);
	}
	n = rec_get_count(&r, 18);
	doc->headings = xcalloc(n ? n : 1, sizeof(*doc->headings));
	for (i = 0; i < n && r.ok; i++, doc->nheadings++) {
		doc->headings[i].level = (int)rec_get_u32(&r);
		doc->headings[i].line = rec_get_u32(&r);
		doc->headings[i].id = rec_dup_str(&r, 0);
		doc->headings[i].text = rec_dup_str(&r, 0);
	}
	doc->sections_omitted = 1;
	if ((html = rec_get_str(&r, 0, &hlen)) != NULL) {
		doc->html = xstrndup(html, hlen);
		doc->html_len = hlen;
	}
	if (r.ok && r.p == r.end && doc->html != NULL)
		return 1;
	md_doc_free(doc);
	free(*links);
	*links = NULL;
	*nlinks = 0;
	return 0;
}

/*
 * Calls links_resolve for every recorded link, as md_render would, and
 * compares its answers; *ok gets what md_render would return.  Returns 1
 * when every answer is the recorded one: links then holds what a render
 * leaves (anchors to check, messages).  Returns 0 at the first
 * difference, having reported nothing and forgotten what it remembered.
 */
static int
replay(struct link_ctx *lc, const struct mdc_link *v, size_t n, int *ok)
{
	struct buf	 out = { 0 };
	size_t		 i, nrefs = lc->nrefs;
	int		 ret, same = 1;

	/* Quiet first: a broken link is only counted. */
	*ok = 1;
	lc->quiet = 1;
	lc->nquiet = 0;
	for (i = 0; i < n && same; i++) {
		buf_reset(&out);
		ret = links_resolve(lc, v[i].href, v[i].line, v[i].col, &out);
		if (!ret)
			*ok = 0;
		same = ret == v[i].ret && strcmp(out.len ? out.data : "",
		    v[i].url) == 0;
	}
	lc->quiet = 0;
	/* The same answers with messages to say (rare): once more aloud. */
	if (!same || lc->nquiet > 0)
		links_forget(lc, nrefs);
	for (i = 0; same && lc->nquiet > 0 && i < n; i++) {
		buf_reset(&out);
		(void)links_resolve(lc, v[i].href, v[i].line, v[i].col, &out);
	}
	buf_free(&out);
	return same;
}

/* The md_link_fn of a render being recorded: links_resolve, logged. */
static int
record_link(void *ctx, const char *href, unsigned line, unsigned col,
    struct buf *out)
{
	struct mdc_rec	*r = ctx;
	struct mdc_link	*l;
	int		 ret;

	ret = links_resolve(r->links, href, line, col, out);
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v), &r->cap);
	l = &r->v[r->n++];
	l->href = xstrdup(href);
	l->url = xstrdup(out->len ? out->data : "");
	l->line = line;
	l->col = col;
	l->ret = ret;
	return ret;
}

/* The entry of doc and the link log rec into b. */
static void
serialize(const struct md_doc *doc, const struct mdc_rec *rec, struct buf *b)
{
	size_t		 i;

	rec_put_u32(b, (uint32_t)rec->n);
	for (i = 0; i < rec->n; i++) {
		rec_put_u32(b, rec->v[i].line);
		rec_put_u32(b, rec->v[i].col);
		rec_put_u32(b, (uint32_t)rec->v[i].ret);
		rec_put_str(b, rec->v[i].href, strlen(rec->v[i].href));
		rec_put_str(b, rec->v[i].url, strlen(rec->v[i].url));
	}
	rec_put_u32(b, (uint32_t)doc->nheadings);
	for (i = 0; i < doc->nheadings; i++) {
		rec_put_u32(b, (uint32_t)doc->headings[i].level);
		rec_put_u32(b, doc->headings[i].line);
		rec_put_str(b, doc->headings[i].id, strlen(doc->headings[i].id));
		rec_put_str(b, doc->headings[i].text,
		    strlen(doc->headings[i].text));
	}
	rec_put_str(b, doc->html, doc->html_len);
}

/* Renders p's body for real, recording the link calls, and stores the
 * entry. */
static int
render_store(struct md_cache *m, uint64_t key, struct page *p,
    struct link_ctx *lc, struct md_doc *doc)
{
	struct mdc_rec	 rec;
	struct buf	 b = { 0 };
	const char	*src;
	size_t		 i, len;
	int		 ok;

	if ((src = page_body(p, &len)) == NULL) {
		memset(doc, 0, sizeof(*doc));
		doc->html = xstrdup("");
		return 0;
	}
	memset(&rec, 0, sizeof(rec));
	rec.links = lc;
	ok = md_render(p->file, src, len, p->body_line, record_link, &rec,
	    doc);
	serialize(doc, &rec, &b);
	pack_put(m->pack, key, b.data, b.len);
	buf_free(&b);
	for (i = 0; i < rec.n; i++) {
		free((char *)rec.v[i].href);
		free((char *)rec.v[i].url);
	}
	free(rec.v);
	return ok;
}

int
mdcache_render(struct md_cache *m, struct page *p, struct link_ctx *lc,
    struct md_doc *doc)
{
	uint64_t	 key = entry_key(m, p);
	const unsigned char *b;
	struct mdc_link	*links = NULL;
	size_t		 blen = 0, nlinks = 0;
	int		 ok;

	if ((b = pack_get(m->pack, key, &blen)) == NULL)
		m->missing++;
	else if (!parse_entry(b, blen, doc, &links, &nlinks))
		m->bad++;
	else if (replay(lc, links, nlinks, &ok)) {
		m->hits++;
		free(links);
		return ok;
	} else {
		m->differed++;
		md_doc_free(doc);
		free(links);
	}
	return render_store(m, key, p, lc, doc);
}

void
mdcache_report(const struct md_cache *m, FILE *f)
{
	size_t	 hits = m->hits, missing = m->missing, differed = m->differed;
	size_t	 bad = m->bad;

	fprintf(f, "mdcache: %zu reused, %zu rendered (%zu new, %zu whose "
	    "links changed, %zu unreadable)\n", hits, missing + differed + bad,
	    missing, differed, bad);
}
