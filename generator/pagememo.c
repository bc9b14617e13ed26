#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "pack.h"
#include "pagememo.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry: u64 anchors (the site's), u64 render key, u64 the hash of
 * the page's heading ids (page_set_anchors'), u32 count, then that many
 * strs (the ids, sorted).  Numbers and strs are record.h's.  The HTML of
 * a page a list shows whole is an entry of its own (html_key), with its
 * NUL: every recalled memo is read whole (its hash checked), and in the
 * memo 24 MB of FAQ and changelog HTML at 10,000 pages were read by every
 * build, which needs them only to make a list.  A change of meaning
 * changes MEMO_FORMAT, which is part of every key.
 */
static const char MEMO_FORMAT[8] = "porchpm3";

struct page_memo {
	struct pack	*pack;
	uint64_t	 shape;		/* of every key: format, base, site */
	uint64_t	 derived;	/* pagememo_begin_derived's */
	atomic_size_t	 found, reused, stored, kept;
};

static void
put_str(XXH3_state_t *st, const char *s)
{
	if (s == NULL)
		s = "";
	XXH3_64bits_update(st, s, strlen(s) + 1);
}

static void
put_u64(XXH3_state_t *st, uint64_t v)
{
	XXH3_64bits_update(st, &v, sizeof(v));
}

/*
 * What every page's data may read of the other pages: the model, which
 * is made of the sources' paths and front matter, the votes and the
 * configuration (the configuration is in the site data, so in base).
 * The pages' other fields are hashed too, though they follow from those,
 * so that a model change that forgot this list still changes the hash.
 */
static uint64_t
shape_of(const struct site *s, uint64_t base)
{
	XXH3_state_t	*st = XXH3_createState();
	const struct page *p;
	uint64_t	 h;
	size_t		 i;

	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, MEMO_FORMAT, sizeof(MEMO_FORMAT));
	put_u64(st, base);
	put_u64(st, (uint64_t)s->drafts);
	put_u64(st, s->npages);
	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		put_u64(st, ((uint64_t)p->kind << 32) | ((uint64_t)p->section
		    << 16) | ((uint64_t)p->is_intro << 8) |
		    (uint64_t)p->has_votes);
		put_u64(st, p->front_hash);
		put_u64(st, (uint64_t)p->votes);
		put_str(st, p->source);
		put_str(st, p->url);
		put_str(st, p->out);
		put_str(st, p->title);
		put_str(st, p->tag);
		put_str(st, p->portal);
	}
	put_u64(st, s->ncopies);
	for (i = 0; i < s->ncopies; i++)
		put_str(st, s->copies[i].out);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

struct page_memo *
pagememo_open(struct pack *pk, const struct site *s, uint64_t base)
{
	struct page_memo *m = xcalloc(1, sizeof(*m));

	m->pack = pk;
	m->shape = shape_of(s, base);
	return m;
}

void
pagememo_free(struct page_memo *m)
{
	free(m);
}

/* The entry key of p: the site's shape, its file, first line and body.
 * No streaming state: this runs for every page, and a state is a 576-byte
 * allocation. */
static uint64_t
entry_key(const struct page_memo *m, const struct page *p)
{
	uint64_t	 v[3] = { m->shape, p->body_hash, p->body_line };

	return XXH3_64bits_withSeed(p->file, strlen(p->file),
	    XXH3_64bits(v, sizeof(v)));
}

/* The key of the HTML beside the memo under key. */
static uint64_t
html_key(uint64_t key)
{
	return XXH3_64bits_withSeed("html", 4, key);
}

int
pagememo_get(struct page_memo *m, struct page *p, struct memo_hit *hit)
{
	struct rec_rd	 r;
	const void	*entry;
	const unsigned char *ids;
	uint64_t	 ids_hash, key = entry_key(m, p);
	size_t		 len, n, i, ids_len;

	if ((entry = pack_get(m->pack, key, &len)) == NULL)
		return 0;
	rec_init(&r, entry, len);
	rec_get(&r, &hit->anchors, sizeof(hit->anchors));
	rec_get(&r, &hit->render_key, sizeof(hit->render_key));
	rec_get(&r, &ids_hash, sizeof(ids_hash));
	n = rec_get_count(&r, 5);
	ids = r.p;
	for (i = 0; i < n && r.ok; i++)
		(void)rec_get_str(&r, 0, NULL);
	ids_len = (size_t)(r.p - ids);
	if (!r.ok || r.p != r.end)
		return 0;
	/* The ids stay in the pack's bytes, read only if a link asks. */
	page_set_anchors_recorded(p, ids, ids_len, n, ids_hash);
	if (model_shown_whole(p))	/* unread unless a list is made */
		(void)pack_keep(m->pack, html_key(key));
	m->found++;
	return 1;
}

const char *
pagememo_html(struct page_memo *m, const struct page *p)
{
	const char	*html;
	size_t		 len;

	html = pack_get(m->pack, html_key(entry_key(m, p)), &len);
	return html != NULL && len > 0 && html[len - 1] == '\0' ? html : NULL;
}

void
pagememo_reused(struct page_memo *m)
{
	m->reused++;
}

void
pagememo_kept(struct page_memo *m)
{
	m->kept++;
}

void
pagememo_report(const struct page_memo *m, FILE *f)
{
	fprintf(f, "pages: %zu reused whole, %zu memos found, %zu stored; "
	    "%zu generated files kept\n", (size_t)m->reused,
	    (size_t)m->found, (size_t)m->stored, (size_t)m->kept);
}

/* Every page's ids, through the hash page_set_anchors made of them on the
 * page's worker: hashing 100,000 ids here, on one thread, was 2% of a
 * build that changed nothing (10,000 pages). */
uint64_t
pagememo_anchors(const struct site *s)
{
	uint64_t	*v = xcalloc(s->npages * 2 + 1, sizeof(*v)), h;
	size_t		 i;

	for (i = 0; i < s->npages; i++) {
		v[2 * i] = s->pages[i]->nanchors;
		v[2 * i + 1] = s->pages[i]->anchors_hash;
	}
	h = XXH3_64bits(v, s->npages * 2 * sizeof(*v));
	free(v);
	return h;
}

void
pagememo_begin_derived(struct page_memo *m, const struct site *s,
    uint64_t anchors)
{
	XXH3_state_t	*st = XXH3_createState();
	const struct page *p;
	size_t		 i;

	XXH3_64bits_reset(st);
	put_u64(st, m->shape);
	put_u64(st, anchors);
	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		if (p->source == NULL || !model_shown_whole(p))
			continue;
		put_u64(st, p->index);
		put_u64(st, p->body_hash);
		put_u64(st, p->body_line);
		put_str(st, p->file);
	}
	m->derived = XXH3_64bits_digest(st);
	XXH3_freeState(st);
}

uint64_t
pagememo_derived_key(const struct page_memo *m, const char *name)
{
	XXH3_state_t	*st = XXH3_createState();
	uint64_t	 h;

	XXH3_64bits_reset(st);
	put_u64(st, m->derived);
	put_str(st, name);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h ? h : 1;
}

int
pagememo_get_generated(struct page_memo *m, const struct page *p,
    uint64_t *render_key)
{
	const void	*entry;
	size_t		 len;

	entry = pack_get(m->pack, pagememo_derived_key(m, p->out), &len);
	if (entry == NULL || len != sizeof(*render_key))
		return 0;
	memcpy(render_key, entry, sizeof(*render_key));
	return 1;
}

void
pagememo_put_generated(struct page_memo *m, const struct page *p)
{
	pack_put(m->pack, pagememo_derived_key(m, p->out), &p->render_key,
	    sizeof(p->render_key));
}

void
pagememo_put(struct page_memo *m, const struct page *p, uint64_t anchors)
{
	struct buf	 b = { 0 };
	char		**ids;
	uint64_t	 key;
	size_t		 i, n;

	buf_append(&b, &anchors, sizeof(anchors));
	buf_append(&b, &p->render_key, sizeof(p->render_key));
	buf_append(&b, &p->anchors_hash, sizeof(p->anchors_hash));
	ids = model_anchor_list(p, &n);
	rec_put_u32(&b, (uint32_t)n);
	for (i = 0; i < n; i++)
		rec_put_str(&b, ids[i], strlen(ids[i]));
	free(ids);
	key = entry_key(m, p);
	pack_put(m->pack, key, b.data, b.len);
	buf_free(&b);
	if (model_shown_whole(p) && p->html != NULL)
		pack_put(m->pack, html_key(key), p->html, strlen(p->html) + 1);
	m->stored++;
}
