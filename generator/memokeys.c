#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "memokeys.h"
#include "xalloc.h"

#define DEP_KIDS	MEMOKEYS_KIDS
#define DEP_LIST	MEMOKEYS_LIST

/* s hashed on from seed, NULL apart from "" (no streaming state: these
 * run for every page of every build). */
static uint64_t
chain_str(uint64_t seed, const char *s)
{
	return s != NULL ? XXH3_64bits_withSeed(s, strlen(s), seed) :
	    seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
}

/* A page's id: the hash of its output file, which no other page has and
 * which stays when pages are added or removed before it (its index in
 * site->pages does not). */
static uint64_t
page_id(const struct page *p)
{
	uint64_t id = chain_str(0, p->out != NULL ? p->out : p->url) &
		     ~DEP_KIDS;

	/* The smallest numbers are the site lists' deps. */
	return id > DEP_LIST(PAGEDATA_NLISTS) ? id : id + (UINT64_C(1) << 32);
}

static uint64_t
id_of(const struct memo_keys *m, const struct page *p)
{
	return p != NULL ? m->ids[p->index] : UINT64_MAX;
}

/* Which pages p's own data shows by its place among them, which its
 * front matter and the others' decide (titles and weights order a docs
 * section): its neighbours and children in the docs tree, the roadmap
 * items a changelog entry ships, the entry that shipped an item.  Part of
 * every memo's deps digest, as those move without p itself changing. */
static uint64_t
relations_of(const struct memo_keys *m, const struct page *p)
{
	uint64_t	 few[16], *v = few, h;
	size_t		 i, n = 0;

	/* This runs for every page of every build (whole_of): most pages
	 * have no children and no ships. */
	if (p->nchildren + p->nships + 5 > sizeof(few) / sizeof(few[0]))
		v = xcalloc(p->nchildren + p->nships + 5, sizeof(*v));
	v[n++] = id_of(m, p->prev);
	v[n++] = id_of(m, p->next);
	v[n++] = id_of(m, p->shipped_in);
	v[n++] = p->nchildren;
	for (i = 0; i < p->nchildren; i++)
		v[n++] = id_of(m, p->children[i]);
	v[n++] = p->nships;
	for (i = 0; i < p->nships; i++)
		v[n++] = id_of(m, p->ships[i]);
	h = XXH3_64bits(v, n * sizeof(*v));
	if (v != few)
		free(v);
	return h;
}

/*
 * The site's shape: what every page's data may read besides the pages.
 * The model is made of the sources' paths and front matter, the votes and
 * the configuration (in the site data, so in base).  Each page's own
 * place (own_of) is in its own key; the other pages are not in any key:
 * each memo keeps what its page showed of them (deps_digest) and where
 * its links led (links_digest), so a page added or a docs title edited
 * renders only the pages that show it.
 */
static uint64_t
shape_of(const struct site *s, uint64_t base)
{
	uint64_t	 v[2] = { base, (uint64_t)s->drafts };

	return XXH3_64bits(v, sizeof(v));
}

/* Where p is: its source, URL and output (what a link to it reads). */
static uint64_t
path_of(const struct page *p)
{
	return chain_str(chain_str(chain_str(1, p->source), p->url), p->out);
}

/* p's own place in the site, path_of's hash on from seed: its kind,
 * section, votes, tag, portal page, parent (the docs tree follows the
 * folders) and FAQ category (with its count, which a question's page
 * shows).  The pages' other fields are hashed though they follow from
 * those, so that a model change that forgot this list still changes it. */
static uint64_t
own_of(const struct memo_keys *m, const struct page *p, uint64_t seed)
{
	uint64_t	 v[6] = { ((uint64_t)p->kind << 32) |
			    ((uint64_t)p->section << 16) |
			    ((uint64_t)p->is_intro << 8) |
			    (uint64_t)p->has_votes, (uint64_t)p->votes,
			    id_of(m, p->parent), 0, 0, 0 };

	if (p->category != NULL) {
		v[3] = chain_str(0, p->category->name);
		v[4] = chain_str(0, p->category->slug);
		v[5] = p->category->nquestions;
	}
	return chain_str(chain_str(XXH3_64bits_withSeed(v, sizeof(v), seed),
	    p->tag), p->portal);
}

/* The fields of p other pages may show: title, front matter, and
 * whether it has children (a docs node's has_children, pagedata.c). */
static uint64_t
fields_of(const struct page *p)
{
	const char	*t = p->title ? p->title : "";

	return XXH3_64bits_withSeed(t, strlen(t), p->front_hash ^
	    (p->nchildren > 0));
}

/* Where links may lead, from every page's path (paths[i]) and the copied
 * files: a memo made with the same has its links' destinations. */
static uint64_t
paths_of(const struct site *s, const uint64_t *paths)
{
	uint64_t	 h = XXH3_64bits(paths, s->npages * sizeof(*paths));
	size_t		 i;

	for (i = 0; i < s->ncopies; i++)
		h = chain_str(chain_str(h, s->copies[i].src),
		    s->copies[i].out);
	return h;
}

/* The whole site: its shape, the deferred site data and every page's place,
 * fields and relations; a memo made with the same needs no check.  Sets
 * m->ids, m->own, m->fields and m->paths on the way. */
static uint64_t
whole_of(struct memo_keys *m)
{
	const struct site *s = m->site;
	size_t		 i, n = s->npages;
	uint64_t	*v = xcalloc(2 * n + 2, sizeof(*v)), *path, h;

	m->ids = xcalloc(n + 1, sizeof(*m->ids));
	m->own = xcalloc(n + 1, sizeof(*m->own));
	m->fields = xcalloc(n + 1, sizeof(*m->fields));
	m->rels = xcalloc(n + 1, sizeof(*m->rels));
	path = xcalloc(n + 1, sizeof(*path));
	for (i = 0; i < n; i++)
		m->ids[i] = page_id(s->pages[i]);
	for (i = 0; i < n; i++) {
		path[i] = path_of(s->pages[i]);
		m->own[i] = own_of(m, s->pages[i], path[i]);
		m->fields[i] = fields_of(s->pages[i]);
		v[2 + 2 * i] = m->own[i];
		v[3 + 2 * i] = m->rels[i] = relations_of(m, s->pages[i]);
	}
	m->paths = paths_of(s, path);
	v[0] = m->shape;
	v[1] = m->docs;
	h = XXH3_64bits_withSeed(v, (2 * n + 2) * sizeof(*v),
	    XXH3_64bits(m->fields, n * sizeof(*m->fields)));
	free(path);
	free(v);
	return h;
}

/* m->map, made once (the first check that needs it). */
static void
id_map_ready(struct memo_keys *m)
{
	struct id_map	*t = &m->map;
	size_t		 i, k, size = 16;

	if (atomic_load(&m->map_made))
		return;
	pthread_mutex_lock(&m->lock);
	if (!atomic_load(&m->map_made)) {
		while (size < 2 * m->site->npages)
			size *= 2;
		t->ids = xcalloc(size, sizeof(*t->ids));
		t->index = xcalloc(size, sizeof(*t->index));
		t->mask = size - 1;
		for (i = 0; i < m->site->npages; i++) {
			for (k = m->ids[i] & t->mask; t->ids[k] != 0;
			    k = (k + 1) & t->mask)
				;
			t->ids[k] = m->ids[i] | DEP_KIDS;	/* never 0 */
			t->index[k] = (uint32_t)i;
		}
		atomic_store(&m->map_made, 1);
	}
	pthread_mutex_unlock(&m->lock);
}

/* The index of the page with id, or SIZE_MAX. */
static size_t
index_of_id(const struct memo_keys *m, uint64_t id)
{
	const struct id_map *t = &m->map;
	size_t		 k;

	for (k = id & t->mask; t->ids[k] != 0; k = (k + 1) & t->mask)
		if (t->ids[k] == (id | DEP_KIDS))
			return t->index[k];
	return SIZE_MAX;
}

/* m->kids (the children's ids and fields, in their order), made once
 * (the first recall that needs them, or the first memo kept). */
static void
kids_ready(struct memo_keys *m)
{
	const struct site *s = m->site;
	const struct page *p;
	size_t		 i, k;
	uint64_t	*v;

	if (atomic_load(&m->kids_made))
		return;
	pthread_mutex_lock(&m->lock);
	if (!atomic_load(&m->kids_made)) {
		m->kids = xcalloc(s->npages + 1, sizeof(*m->kids));
		for (i = 0; i < s->npages; i++) {
			p = s->pages[i];
			v = xcalloc(2 * p->nchildren + 1, sizeof(*v));
			for (k = 0; k < p->nchildren; k++) {
				v[2 * k] = id_of(m, p->children[k]);
				v[2 * k + 1] = m->fields[p->children[k]->index];
			}
			m->kids[i] = XXH3_64bits(v, 2 * p->nchildren *
			    sizeof(*v));
			free(v);
		}
		atomic_store(&m->kids_made, 1);
	}
	pthread_mutex_unlock(&m->lock);
}

/* The digest of p's relations and of its n deps v (each a page's id,
 * DEP_KIDS for its children's) as the site is now; 0 when one names no
 * page. */
uint64_t
memokeys_digest(struct memo_keys *m, const struct page *p, const uint64_t *v,
    size_t n)
{
	uint64_t	*h = xcalloc(n + 1, sizeof(*h)), d;
	size_t		 i, idx;
	int		 ok = 1;

	kids_ready(m);
	id_map_ready(m);
	h[n] = m->rels[p->index];
	for (i = 0; i < n && ok; i++) {
		if (v[i] >= DEP_LIST(0) &&
		    v[i] <= DEP_LIST(PAGEDATA_NLISTS - 1))
			h[i] = m->lists[v[i] - DEP_LIST(0)];
		else if ((idx = index_of_id(m, v[i] & ~DEP_KIDS)) == SIZE_MAX)
			ok = 0;
		else
			h[i] = v[i] & DEP_KIDS ? m->kids[idx] : m->fields[idx];
	}
	d = ok ? XXH3_64bits(h, (n + 1) * sizeof(*h)) | 1 : 0;
	free(h);
	return d;
}

/* A member of a list a generated page shows, into the list's hash h:
 * its id and, when the list shows it whole (an answer, an entry, an
 * item), its render key, which its HTML and every field of it are in. */
static uint64_t
member(const struct memo_keys *m, uint64_t h, const struct page *q,
    int whole)
{
	uint64_t	 v[2] = { id_of(m, q), whole ? q->render_key : 0 };

	return XXH3_64bits_withSeed(v, sizeof(v), h);
}

/* The members of list[from, from + n) (clamped; n 0: all) into h, not
 * how long the list is. */
static uint64_t
slice_members(const struct memo_keys *m, uint64_t h,
    struct page *const *list, size_t len, size_t from, size_t n, int whole)
{
	size_t	 i;

	for (i = from; i < len && (n == 0 || i - from < n); i++)
		h = member(m, h, list[i], whole);
	return h;
}

/* The same, and the list's length (which the page shows). */
static uint64_t
members(const struct memo_keys *m, uint64_t h, struct page *const *list,
    size_t len, size_t from, size_t n, int whole)
{
	h = slice_members(m, h, list, len, from, n, whole);
	return XXH3_64bits_withSeed(&len, sizeof(len), h);
}

/* A tag's page: its slice of the tag's pages; their number on the first
 * page only, as pagedata.c's add_tag_fields shows it. */
static uint64_t
tag_members(const struct memo_keys *m, uint64_t h, const struct page *p)
{
	const struct tag *t = model_tag_of(m->site, p);

	if (t == NULL)
		return h;
	if (p->pageno > 1)
		return slice_members(m, h, t->pages, t->npages, p->first,
		    p->count, 0);
	return members(m, h, t->pages, t->npages, 0, p->npageno ? p->count :
	    0, 0);
}

static uint64_t
category_hash(const struct memo_keys *m, uint64_t h,
    const struct faq_category *c, size_t from, size_t n)
{
	h = chain_str(chain_str(h, c->name), c->slug);
	return members(m, h, c->questions, c->nquestions, from, n, 1);
}

/*
 * What a generated page lists, which is not in its deps: which pages are
 * on it, in what order (a page tagged anew is not among what the tag's
 * page showed), and the whole of those it shows whole; the fields of
 * those it links to (a tag's pages) are deps (pagedata.c's seen).  The
 * kinds follow pagedata.c's add_kind_fields.  A list page's section
 * introduction is its file and body, and where its links lead.  0 for a
 * page with a source.
 */
static uint64_t
list_of(const struct memo_keys *m, const struct page *p)
{
	const struct site *s = m->site;
	uint64_t	 v[6] = { p->pageno, p->npageno, p->first, p->count,
			    id_of(m, p->pager_prev), id_of(m, p->pager_next) };
	uint64_t	 h;
	size_t		 i;

	if (p->source != NULL)
		return 0;
	h = XXH3_64bits_withSeed(v, sizeof(v), id_of(m, p->list_head));
	h = XXH3_64bits_withSeed(&h, sizeof(h), id_of(m, p->target));
	if (p->intro != NULL) {
		v[0] = m->paths;
		v[1] = p->intro->body_hash;
		v[2] = p->intro->body_line;
		h = chain_str(XXH3_64bits_withSeed(v, 3 * sizeof(*v), h),
		    p->intro->file);
	}
	switch (p->kind) {
	case KIND_TAG:
		h = tag_members(m, h, p);
		break;
	case KIND_TAGS:
		for (i = 0; i < s->ntags; i++)
			h = chain_str(chain_str(h, s->tags[i].name),
			    s->tags[i].slug) + s->tags[i].npages;
		break;
	case KIND_FAQ_LIST:
		for (i = 0; i < s->ncats; i++)
			h = category_hash(m, h, &s->cats[i], 0, 0);
		break;
	case KIND_FAQ_CATEGORY:
		h = category_hash(m, h, p->category, p->first,
		    p->npageno ? p->count : 0);
		break;
	case KIND_CHANGELOG_LIST:
		h = members(m, h, s->changelog, s->nchangelog, p->first,
		    p->npageno ? p->count : 0, 1);
		break;
	case KIND_ROADMAP_LIST:
		h = members(m, h, s->roadmap, s->nroadmap, 0, 0, 1);
		break;
	default:
		break;
	}
	return h;
}

/* The entry key of p: the site's shape, p's file, first line, body, own
 * place, the fields others show of it and, for a generated page, what it
 * lists.  No streaming state: this runs for every page, and a state is
 * a 576-byte allocation. */
uint64_t
memokeys_entry(const struct memo_keys *m, const struct page *p)
{
	const char	*f = p->file != NULL ? p->file : p->out;
	uint64_t	 v[6] = { m->shape, p->body_hash, p->body_line,
			    m->own[p->index], m->fields[p->index],
			    list_of(m, p) };

	return XXH3_64bits_withSeed(f, strlen(f), XXH3_64bits(v, sizeof(v)));
}

struct memo_keys *
memokeys_new(const struct site *s, uint64_t base,
    const struct pagedata_deferred *deferred)
{
	struct memo_keys *m = xcalloc(1, sizeof(*m));

	m->site = s;
	memcpy(m->lists, deferred->lists, sizeof(m->lists));
	m->docs = deferred->all;
	m->shape = shape_of(s, base);
	m->whole = whole_of(m);
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
memokeys_free(struct memo_keys *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->ids);
	free(m->own);
	free(m->fields);
	free(m->rels);
	free(m->kids);
	free(m->map.ids);
	free(m->map.index);
	free(m);
}

uint64_t
memokeys_id(const struct memo_keys *m, const struct page *p)
{
	return id_of(m, p);
}

void
memokeys_kids(struct memo_keys *m)
{
	kids_ready(m);
}

uint64_t
memokeys_chain(uint64_t seed, const char *s)
{
	return chain_str(seed, s);
}
