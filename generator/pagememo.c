#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "links.h"
#include "pack.h"
#include "pagedata.h"
#include "pagememo.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry: u64 anchors (the site's), u64 render key, u64 the hash of
 * the page's heading ids (page_set_anchors'), u32 count, then that many
 * strs (the ids, sorted); then the refs: u32 count, then that many pairs
 * of strs (the source of a page its links name a heading of, and the
 * heading's id); then the deps: u64 the hash of the whole site when it
 * was made (shape_of with every page's fields), u64 the digest of what
 * the page showed of other pages (deps_digest), u64 the docs tree's hash
 * when its template did not run (so what it read of the tree is not
 * known) or 0, u32 count, then that many u32 (a page's index, with
 * DEP_KIDS set for the list of its children).  Numbers and strs are
 * record.h's.  The HTML of
 * a page a list shows whole is an entry of its own (html_key), with its
 * NUL: every recalled memo is read whole (its hash checked), and in the
 * memo 24 MB of FAQ and changelog HTML at 10,000 pages were read by every
 * build, which needs them only to make a list.  A change of meaning
 * changes MEMO_FORMAT, which is part of every key.
 */
static const char MEMO_FORMAT[8] = "porchpm5";

/*
 * The memo table: every page's memo in one entry, under the site's shape,
 * read with one pack_get.  Read one by one, the memos of 10,000 pages lay
 * wherever each page's render had put them in the pack: 360 page faults
 * of its mapping and 10,000 index lookups, 12-15 ms of a build that
 * changed nothing.  A page the table lacks (its body changed since the
 * table was written) or whose row no longer applies (rendered since, as
 * what it showed of others changed) reads its own entry, which
 * pagememo_put still writes; once more than one page in TABLE_STALE is
 * not in it, was rendered again or had its links or deps checked, the
 * build writes the table again.  Layout: u32 count,
 * count u64 keys (sorted), then count u32 offsets and count u32 lengths
 * into the records that follow, each a memo entry as pagememo_put writes
 * it.
 */
#define TABLE_STALE	64

struct memo_table {
	const unsigned char *keys, *offs, *lens, *recs;
	size_t		 n, recs_len;
};

/* A dep on a docs node's list of children, not on the page's fields. */
#define DEP_KIDS	0x80000000u

struct page_memo {
	struct pack	*pack;
	const struct site *site;
	uint64_t	 shape;		/* of every key: format, the site's
					   structure (shape_of) */
	uint64_t	 whole;		/* the same with every page's fields:
					   what list pages are made of */
	uint64_t	 docs;		/* pagedata_docs_hash */
	/* By page index: the hash of the fields other pages may show of it
	 * (made with whole), and of those of its children (made on first
	 * need, kids_ready). */
	uint64_t	*fields, *kids;
	pthread_mutex_t	 kids_lock;
	atomic_int	 kids_made;
	uint64_t	 derived;	/* pagememo_begin_derived's */
	struct memo_table table;	/* n 0: none */
	atomic_size_t	 found, reused, stored, kept, untabled;
	atomic_size_t	 rechecked;	/* reused after pagememo_refs_hold */
	atomic_size_t	 depchecked;	/* found after deps_hold */
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

static uint64_t
index_of(const struct page *p)
{
	return p != NULL ? (uint64_t)p->index : UINT64_MAX;
}

/* Which pages p's own data shows by its place among them, which its
 * front matter and the others' decide (titles and weights order a docs
 * section): its neighbours and children in the docs tree, the roadmap
 * items a changelog entry ships, the entry that shipped an item.  Part of
 * every memo's deps digest, as those move without the site's structure
 * changing. */
static uint64_t
relations_of(const struct page *p)
{
	uint64_t	 few[16], *v = few, h;
	size_t		 i, n = 0;

	/* This runs for every page of every build (whole_of): most pages
	 * have no children and no ships. */
	if (p->nchildren + p->nships + 5 > sizeof(few) / sizeof(few[0]))
		v = xcalloc(p->nchildren + p->nships + 5, sizeof(*v));
	v[n++] = index_of(p->prev);
	v[n++] = index_of(p->next);
	v[n++] = index_of(p->shipped_in);
	v[n++] = p->nchildren;
	for (i = 0; i < p->nchildren; i++)
		v[n++] = p->children[i]->index;
	v[n++] = p->nships;
	for (i = 0; i < p->nships; i++)
		v[n++] = p->ships[i]->index;
	h = XXH3_64bits(v, n * sizeof(*v));
	if (v != few)
		free(v);
	return h;
}

/*
 * The site's shape: what a page's data may read of the other pages.  The
 * model is made of the sources' paths and front matter, the votes and the
 * configuration (in the site data, so in base).  Its structure (every
 * page's kind, path, URL, output, parent and FAQ category, the FAQ
 * categories, the copied files) is hashed into every memo's key.  The
 * fields a page shows of others (title and front matter) and the order
 * they give are not (whole_of adds them): each memo keeps what its page
 * showed (deps_digest), so a docs title edit renders only the pages that
 * show that title.  The pages' other fields are hashed though they follow
 * from those, so that a model change that forgot this list still changes
 * it.
 */
static uint64_t
shape_of(const struct site *s, uint64_t base)
{
	XXH3_state_t	*st = XXH3_createState();
	const struct page *p;
	uint64_t	 h;
	size_t		 i, k;

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
		put_u64(st, (uint64_t)p->votes);
		put_str(st, p->source);
		put_str(st, p->url);
		put_str(st, p->out);
		put_str(st, p->tag);
		put_str(st, p->portal);
		/* The docs tree follows the folders, a FAQ question names
		 * its category: the rest of how pages relate is in the deps
		 * (relations_of, m->kids). */
		put_u64(st, index_of(p->parent));
		put_u64(st, p->category ? (uint64_t)(p->category - s->cats) :
		    UINT64_MAX);
	}
	put_u64(st, s->ncats);
	for (i = 0; i < s->ncats; i++) {
		put_str(st, s->cats[i].name);
		put_str(st, s->cats[i].slug);
		put_u64(st, index_of(s->cats[i].page));
		put_u64(st, s->cats[i].nquestions);
		for (k = 0; k < s->cats[i].nquestions; k++)
			put_u64(st, s->cats[i].questions[k]->index);
	}
	put_u64(st, s->ncopies);
	for (i = 0; i < s->ncopies; i++)
		put_str(st, s->copies[i].out);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/* The fields of p other pages may show (title, front matter). */
static uint64_t
fields_of(const struct page *p)
{
	const char	*t = p->title ? p->title : "";

	return XXH3_64bits_withSeed(t, strlen(t), p->front_hash);
}

/* The whole site: its shape, the docs tree's hash and every page's fields
 * and relations; a memo made with the same needs no check.  Sets
 * m->fields on the way. */
static uint64_t
whole_of(struct page_memo *m, uint64_t docs)
{
	const struct site *s = m->site;
	uint64_t	*v = xcalloc(s->npages + 2, sizeof(*v)), h;
	size_t		 i;

	m->fields = xcalloc(s->npages + 1, sizeof(*m->fields));
	v[0] = m->shape;
	v[1] = docs;
	for (i = 0; i < s->npages; i++) {
		m->fields[i] = fields_of(s->pages[i]);
		v[2 + i] = relations_of(s->pages[i]);
	}
	h = XXH3_64bits_withSeed(v, (s->npages + 2) * sizeof(*v),
	    XXH3_64bits(m->fields, s->npages * sizeof(*m->fields)));
	free(v);
	return h;
}

/* m->kids (the children's fields, in their order), made once (the first
 * recall that needs them, or the first memo kept). */
static void
kids_ready(struct page_memo *m)
{
	const struct site *s = m->site;
	const struct page *p;
	size_t		 i, k;
	uint64_t	*v;

	if (atomic_load(&m->kids_made))
		return;
	pthread_mutex_lock(&m->kids_lock);
	if (!atomic_load(&m->kids_made)) {
		m->kids = xcalloc(s->npages + 1, sizeof(*m->kids));
		for (i = 0; i < s->npages; i++) {
			p = s->pages[i];
			v = xcalloc(2 * p->nchildren + 1, sizeof(*v));
			for (k = 0; k < p->nchildren; k++) {
				v[2 * k] = p->children[k]->index;
				v[2 * k + 1] = m->fields[p->children[k]->index];
			}
			m->kids[i] = XXH3_64bits(v, 2 * p->nchildren *
			    sizeof(*v));
			free(v);
		}
		atomic_store(&m->kids_made, 1);
	}
	pthread_mutex_unlock(&m->kids_lock);
}

/* The digest of p's relations and of its n deps v (each a page index,
 * DEP_KIDS for its children's) as the site is now; 0 when one names no
 * page. */
static uint64_t
deps_digest(struct page_memo *m, const struct page *p, const uint32_t *v,
    size_t n)
{
	uint64_t	*h = xcalloc(n + 1, sizeof(*h)), d;
	size_t		 i, idx;
	int		 ok = 1;

	kids_ready(m);
	h[n] = relations_of(p);
	for (i = 0; i < n && ok; i++) {
		idx = v[i] & ~DEP_KIDS;
		if (idx >= m->site->npages)
			ok = 0;
		else
			h[i] = v[i] & DEP_KIDS ? m->kids[idx] : m->fields[idx];
	}
	d = ok ? XXH3_64bits(h, (n + 1) * sizeof(*h)) | 1 : 0;
	free(h);
	return d;
}

/* The key of the memo table of a site of this shape. */
static uint64_t
table_key(uint64_t shape)
{
	return XXH3_64bits_withSeed("table", 5, shape);
}

/* Reads the table kept under the shape into m->table, if there is one
 * and its header fits the entry. */
static void
open_table(struct page_memo *m)
{
	struct memo_table *t = &m->table;
	const unsigned char *e;
	struct rec_rd	 r;
	size_t		 len, n;

	if ((e = pack_get(m->pack, table_key(m->shape), &len)) == NULL)
		return;
	rec_init(&r, e, len);
	n = rec_get_count(&r, sizeof(uint64_t) + 2 * sizeof(uint32_t));
	if (!r.ok || n == 0)
		return;
	t->keys = rec_take(&r, n * sizeof(uint64_t));
	t->offs = rec_take(&r, n * sizeof(uint32_t));
	t->lens = rec_take(&r, n * sizeof(uint32_t));
	if (!r.ok)
		return;
	t->recs = r.p;
	t->recs_len = (size_t)(r.end - r.p);
	t->n = n;
}

struct page_memo *
pagememo_open(struct pack *pk, const struct site *s, uint64_t base,
    uint64_t docs)
{
	struct page_memo *m = xcalloc(1, sizeof(*m));

	m->pack = pk;
	m->site = s;
	m->shape = shape_of(s, base);
	m->whole = whole_of(m, docs);
	m->docs = docs;
	pthread_mutex_init(&m->kids_lock, NULL);
	open_table(m);
	return m;
}

static uint64_t
table_u64(const unsigned char *v, size_t i)
{
	uint64_t	 x;

	memcpy(&x, v + i * sizeof(x), sizeof(x));
	return x;
}

static uint32_t
table_u32(const unsigned char *v, size_t i)
{
	uint32_t	 x;

	memcpy(&x, v + i * sizeof(x), sizeof(x));
	return x;
}

/* The record of key in the table (*len bytes), or NULL. */
static const void *
table_find(const struct memo_table *t, uint64_t key, size_t *len)
{
	size_t		 lo = 0, hi = t->n, mid;
	uint64_t	 k;
	uint32_t	 off, n;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((k = table_u64(t->keys, mid)) == key) {
			off = table_u32(t->offs, mid);
			n = table_u32(t->lens, mid);
			if (off > t->recs_len || n > t->recs_len - off)
				return NULL;
			*len = n;
			return t->recs + off;
		}
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
pagememo_free(struct page_memo *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->kids_lock);
	free(m->fields);
	free(m->kids);
	free(m);
}

/* The entry key of p: the site's shape, its file, first line, body and
 * the fields others show of it.  No streaming state: this runs for every
 * page, and a state is a 576-byte allocation. */
static uint64_t
entry_key(const struct page_memo *m, const struct page *p)
{
	uint64_t	 v[4] = { m->shape, p->body_hash, p->body_line,
			    fields_of(p) };

	return XXH3_64bits_withSeed(p->file, strlen(p->file),
	    XXH3_64bits(v, sizeof(v)));
}

/* Reads past the refs at r: a count and that many pairs of strs. */
static void
skip_refs(struct rec_rd *r)
{
	size_t		 n, i;

	n = rec_get_count(r, 10);
	for (i = 0; i < 2 * n && r->ok; i++)
		(void)rec_get_str(r, 0, NULL);
}

/* The deps at r (u64 docs hash or 0, u32 count, that many u32) into
 * *docs and *v (heap, *n of them); 0 when they do not fit. */
static int
read_deps(struct rec_rd *r, uint64_t *docs, uint32_t **v, size_t *n)
{
	const unsigned char *p;

	rec_get(r, docs, sizeof(*docs));
	*n = rec_get_count(r, sizeof(uint32_t));
	if ((p = rec_take(r, *n * sizeof(uint32_t))) == NULL || !r->ok)
		return 0;
	*v = xcalloc(*n + 1, sizeof(**v));
	memcpy(*v, p, *n * sizeof(**v));
	return 1;
}

/* 1 when p's deps blob d still gives digest: what the page showed of the
 * others is as it was. */
static int
deps_hold(struct page_memo *m, const struct page *p,
    const struct memo_blob *d, uint64_t digest)
{
	struct rec_rd	 r;
	uint64_t	 docs;
	uint32_t	*v = NULL;
	size_t		 n;
	int		 ok;

	rec_init(&r, d->data, d->len);
	ok = read_deps(&r, &docs, &v, &n) && r.p == r.end &&
	    (docs == 0 || docs == m->docs) &&
	    deps_digest(m, p, v, n) == digest;
	free(v);
	return ok;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
pagememo_deps_of(const struct page_memo *m, const struct page_reads *data,
    const json_int_t *tpl, size_t ntpl, int known, struct buf *out)
{
	uint32_t	*v = xcalloc(data->n + ntpl + 1, sizeof(*v));
	uint64_t	 docs = known ? 0 : m->docs;
	size_t		 i, n = 0, k = 0;

	for (i = 0; i < data->n; i++)
		v[n++] = (uint32_t)data->v[i];
	for (i = 0; i < ntpl; i++)
		v[n++] = tpl[i] >= 0 ? (uint32_t)tpl[i] :
		    (uint32_t)(-1 - tpl[i]) | DEP_KIDS;
	xqsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	buf_append(out, &docs, sizeof(docs));
	rec_put_u32(out, (uint32_t)k);
	buf_append(out, v, k * sizeof(*v));
	free(v);
}

void
pagememo_refs_of(const struct link_ctx *links, size_t from,
    struct buf *out)
{
	const struct anchor_ref *a;
	size_t		 i;

	rec_put_u32(out, (uint32_t)(links->nrefs - from));
	for (i = from; i < links->nrefs; i++) {
		a = &links->refs[i];
		rec_put_str(out, a->target->source, strlen(a->target->source));
		rec_put_str(out, a->anchor, strlen(a->anchor));
	}
}

int
pagememo_refs_hold(struct page_memo *m, const struct memo_hit *hit)
{
	struct rec_rd	 r;
	const char	*source, *anchor;
	const struct page *target;
	size_t		 n, i;

	rec_init(&r, hit->refs.data, hit->refs.len);
	n = rec_get_count(&r, 10);
	for (i = 0; i < n && r.ok; i++) {
		source = rec_get_str(&r, 0, NULL);
		anchor = rec_get_str(&r, 0, NULL);
		if (!r.ok || (target = model_page_by_source(m->site, source)) ==
		    NULL || !model_has_anchor(target, anchor))
			return 0;
	}
	if (!r.ok)
		return 0;
	m->rechecked++;
	return 1;
}

/* The key of the HTML beside the memo under key. */
static uint64_t
html_key(uint64_t key)
{
	return XXH3_64bits_withSeed("html", 4, key);
}

/* The memo entry (len bytes) of p into *hit, if it applies to the site
 * as it is now: made with the site as it is, or what the page showed of
 * the other pages is as it was then.  1 when it does. */
static int
use_entry(struct page_memo *m, struct page *p, const void *entry,
    size_t len, struct memo_hit *hit)
{
	struct rec_rd	 r;
	const unsigned char *ids;
	uint64_t	 ids_hash, whole, digest;
	size_t		 n, i, ids_len;

	rec_init(&r, entry, len);
	rec_get(&r, &hit->anchors, sizeof(hit->anchors));
	rec_get(&r, &hit->render_key, sizeof(hit->render_key));
	rec_get(&r, &ids_hash, sizeof(ids_hash));
	n = rec_get_count(&r, 5);
	ids = r.p;
	for (i = 0; i < n && r.ok; i++)
		(void)rec_get_str(&r, 0, NULL);
	ids_len = (size_t)(r.p - ids);
	hit->refs.data = r.p;
	skip_refs(&r);
	hit->refs.len = (size_t)(r.p - (const unsigned char *)hit->refs.data);
	rec_get(&r, &whole, sizeof(whole));
	rec_get(&r, &digest, sizeof(digest));
	hit->deps.data = r.p;
	hit->deps.len = (size_t)(r.end - r.p);
	if (!r.ok)
		return 0;
	if (whole != m->whole) {
		if (!deps_hold(m, p, &hit->deps, digest))
			return 0;
		m->depchecked++;
	}
	/* The ids stay in the pack's bytes, read only if a link asks. */
	page_set_anchors_recorded(p, ids, ids_len, n, ids_hash);
	return 1;
}

int
pagememo_get(struct page_memo *m, struct page *p, struct memo_hit *hit)
{
	const void	*entry;
	uint64_t	 key = entry_key(m, p);
	size_t		 len;
	int		 ok;

	/* A row of the table is what its page's render gave when the table
	 * was written; a page rendered since (what it showed of others
	 * changed: the same key) has a newer entry of its own. */
	ok = (entry = table_find(&m->table, key, &len)) != NULL &&
	    use_entry(m, p, entry, len, hit);
	if (!ok) {
		m->untabled++;
		ok = (entry = pack_get(m->pack, key, &len)) != NULL &&
		    use_entry(m, p, entry, len, hit);
	}
	if (!ok)
		return 0;
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
	fprintf(f, "headings changed: %zu pages reused after their links to "
	    "headings were checked\n", (size_t)m->rechecked);
	fprintf(f, "pages changed: %zu memos found after what their pages "
	    "show of others was checked\n", (size_t)m->depchecked);
	fprintf(f, "memo table: %zu rows, %zu pages not in it\n",
	    m->table.n, (size_t)m->untabled);
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
	put_u64(st, m->whole);
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

/* Appends p's memo entry to b: refs and deps as pagememo_refs_of and
 * pagememo_deps_of made them (or a memo held them). */
static void
put_record(struct page_memo *m, struct buf *b, const struct page *p,
    uint64_t anchors, const struct memo_blob *refs,
    const struct memo_blob *deps)
{
	struct rec_rd	 r;
	uint64_t	 docs, digest = 0;
	uint32_t	*v = NULL;
	char		**ids;
	size_t		 i, n, nv;

	buf_append(b, &anchors, sizeof(anchors));
	buf_append(b, &p->render_key, sizeof(p->render_key));
	buf_append(b, &p->anchors_hash, sizeof(p->anchors_hash));
	ids = model_anchor_list(p, &n);
	rec_put_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		rec_put_str(b, ids[i], strlen(ids[i]));
	free(ids);
	buf_append(b, refs->data, refs->len);
	rec_init(&r, deps->data, deps->len);
	if (read_deps(&r, &docs, &v, &nv))
		digest = deps_digest(m, p, v, nv);
	free(v);
	buf_append(b, &m->whole, sizeof(m->whole));
	buf_append(b, &digest, sizeof(digest));
	buf_append(b, deps->data, deps->len);
}

void
pagememo_put(struct page_memo *m, const struct page *p, uint64_t anchors,
    const struct memo_blob *refs, const struct memo_blob *deps)
{
	struct buf	 b = { 0 };
	uint64_t	 key;

	put_record(m, &b, p, anchors, refs, deps);
	key = entry_key(m, p);
	pack_put(m->pack, key, b.data, b.len);
	buf_free(&b);
	if (model_shown_whole(p) && p->html != NULL)
		pack_put(m->pack, html_key(key), p->html, strlen(p->html) + 1);
	m->stored++;
}

/* A page's place in the table being written: its key and record. */
struct table_row {
	uint64_t	 key;
	uint32_t	 off, len;
};

static int
cmp_row(const void *a, const void *b)
{
	const struct table_row *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Writes the table of pages[0..n-1] (one row per key). */
static void
write_table(struct page_memo *m, struct page *const *pages, size_t n,
    uint64_t anchors, const struct memo_blob *refs,
    const struct memo_blob *deps)
{
	struct table_row *rows = xcalloc(n ? n : 1, sizeof(*rows));
	struct buf	 recs = { 0 }, b = { 0 };
	size_t		 i, k = 0, start;

	for (i = 0; i < n; i++) {
		start = recs.len;
		put_record(m, &recs, pages[i], anchors,
		    &refs[pages[i]->index], &deps[pages[i]->index]);
		rows[i] = (struct table_row){ entry_key(m, pages[i]),
		    (uint32_t)start, (uint32_t)(recs.len - start) };
	}
	if (recs.len > UINT32_MAX) {	/* offsets would not fit: no table */
		buf_free(&recs);
		free(rows);
		return;
	}
	xqsort(rows, n, sizeof(*rows), cmp_row);
	for (i = 0; i < n; i++)
		if (k == 0 || rows[k - 1].key != rows[i].key)
			rows[k++] = rows[i];
	rec_put_u32(&b, (uint32_t)k);
	for (i = 0; i < k; i++)
		buf_append(&b, &rows[i].key, sizeof(rows[i].key));
	for (i = 0; i < k; i++)
		rec_put_u32(&b, rows[i].off);
	for (i = 0; i < k; i++)
		rec_put_u32(&b, rows[i].len);
	buf_append(&b, recs.data, recs.len);
	pack_put(m->pack, table_key(m->shape), b.data, b.len);
	buf_free(&b);
	buf_free(&recs);
	free(rows);
}

void
pagememo_end(struct page_memo *m, struct page *const *pages, size_t n,
    uint64_t anchors, const struct memo_blob *refs,
    const struct memo_blob *deps)
{
	/* A table found and nearly right is kept as it is (pack_get): few
	 * pages were not in it, few rendered again and few had their links
	 * checked against new headings (their rows are what their last
	 * render gave; the render key and anchors in a row are checked
	 * before it is used, so an old row costs a render or a check, never
	 * a wrong page). */
	if (m->table.n > 0 && ((size_t)m->untabled + (size_t)m->stored +
	    (size_t)m->rechecked + (size_t)m->depchecked) * TABLE_STALE <= n)
		return;
	if (n > 0 && n <= UINT32_MAX)
		write_table(m, pages, n, anchors, refs, deps);
}
