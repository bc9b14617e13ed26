#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "links.h"
#include "memosince.h"
#include "path.h"
#include "record.h"
#include "xalloc.h"

/*
 * The saved site: u64 whole, PAGEDATA_NLISTS u64 (each site list's hash),
 * u32 count, then that many pages sorted by id, each four u64: id,
 * fields, children's, relations (memokeys.h's, as the site was).  A list
 * page and its section's introduction have one id, and a memo's dep
 * names the first of them in the site's order (as memokeys_digest looks
 * ids up): so does the saved site.  Then where links could lead: u64 the
 * paths' hash (memokeys.h's), u32 count, that many struct dest sorted by
 * path.  Then the headings: u64 the site's (pagememo_anchors), u32 count,
 * that many struct heads sorted by source.
 */
#define SAVED_PAGE	(4 * sizeof(uint64_t))

/* A path a link may resolve to (a page's source, an index.md's folder, a
 * copied file) and where it leads (links_destination), both hashed; to
 * 0: nowhere. */
struct dest {
	uint64_t	 path, to;
};

/* The heading ids of the page from a source, both hashed. */
struct heads {
	uint64_t	 source, ids;
};

/* What a comparison of the saved site with the site now is of: the
 * pages, where links lead, the headings. */
enum since_part { SINCE_PAGES, SINCE_DESTS, SINCE_HEADS, SINCE_PARTS };

struct memo_since {
	uint64_t	 whole;
	uint64_t	 lists[PAGEDATA_NLISTS];
	const unsigned char *pages;	/* count SAVED_PAGE-byte pages */
	size_t		 count;
	uint64_t	 paths;
	const unsigned char *dests;	/* ndests struct dests */
	size_t		 ndests;
	/* Made on the first memosince_holds, sorted: what memos name that
	 * changed or is gone (a page's id for its fields, id | MEMOKEYS_KIDS
	 * for its children, MEMOKEYS_LIST(k)), and the pages whose
	 * relations changed. */
	uint64_t	*changed, *moved;
	size_t		 nchanged, nmoved;
	uint64_t	*led;		/* sorted, made on the first
					   memosince_links_hold: the paths
					   that lead elsewhere now */
	size_t		 nled;
	size_t		*now;		/* by saved page: the page of its id
					   now, SIZE_MAX when gone */
	size_t		*then;		/* by page now: the saved page whose
					   page it is, SIZE_MAX when none */
	uint64_t	 anchors;
	const unsigned char *heads;	/* nheads struct heads */
	size_t		 nheads;
	uint64_t	*headed;	/* sorted, made on the first
					   memosince_refs_hold: the sources
					   whose pages' headings changed, or
					   that came or went */
	size_t		 nheaded;
	pthread_mutex_t	 lock;
	atomic_int	 made[SINCE_PARTS];	/* by enum since_part */
};

struct saved_page {
	uint64_t	 id, fields, kids, rels;
};

/* A page being saved, with its place for ties. */
struct saving {
	struct saved_page p;
	size_t		 index;
};

static int
cmp_saving(const void *a, const void *b)
{
	const struct saving *x = a, *y = b;

	if (x->p.id != y->p.id)
		return x->p.id < y->p.id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_dest(const void *a, const void *b)
{
	return cmp_u64(&((const struct dest *)a)->path,
	    &((const struct dest *)b)->path);
}

static int
cmp_heads(const void *a, const void *b)
{
	return cmp_u64(&((const struct heads *)a)->source,
	    &((const struct heads *)b)->source);
}

/* The heading ids of every page from a source in site s, sorted by
 * source (*n of them).  The ids' hash was made with them
 * (page_set_anchors), after the pages were rendered or recalled. */
static struct heads *
heads_of(const struct site *s, size_t *n)
{
	struct heads	*v = xcalloc(s->npages + 1, sizeof(*v));
	const struct page *p;
	uint64_t	 ids[2];
	size_t		 i;

	*n = 0;
	for (i = 0; i < s->npages; i++) {
		if ((p = s->pages[i])->source == NULL)
			continue;
		ids[0] = p->nanchors;
		ids[1] = p->anchors_hash;
		v[(*n)++] = (struct heads){ XXH3_64bits(p->source,
		    strlen(p->source)), XXH3_64bits(ids, sizeof(ids)) };
	}
	xqsort(v, *n, sizeof(*v), cmp_heads);
	return v;
}

static void
add_dest(struct dest **v, size_t *n, size_t *cap, const struct site *s,
    const char *path)
{
	const char	*to = links_destination(s, path);

	*v = xreallocarray(*v, *n + 1, sizeof(**v), cap);
	(*v)[(*n)++] = (struct dest){ XXH3_64bits(path, strlen(path)),
	    to != NULL ? XXH3_64bits(to, strlen(to)) | 1 : 0 };
}

/* Where links may lead in site s, sorted by path (*n of them). */
static struct dest *
dests_of(const struct site *s, size_t *n)
{
	struct dest	*v = NULL;
	const char	*key;
	char		*dir;
	size_t		 i, cap = 0, k = 0;

	*n = 0;
	for (i = 0; i < s->by_source.cap; i++) {
		if ((key = s->by_source.slots[i].key) == NULL)
			continue;
		add_dest(&v, n, &cap, s, key);
		if (strcmp(key, "index.md") == 0 ||
		    path_has_suffix(key, "/index.md")) {
			dir = xstrndup(key, strlen(key) - strlen("index.md") -
			    (strcmp(key, "index.md") != 0));
			add_dest(&v, n, &cap, s, dir);
			free(dir);
		}
	}
	for (i = 0; i < s->files.cap; i++)
		if ((key = s->files.slots[i].key) != NULL)
			add_dest(&v, n, &cap, s, key);
	xqsort(v, *n, sizeof(*v), cmp_dest);
	for (i = 0; i < *n; i++)		/* one of each */
		if (k == 0 || v[k - 1].path != v[i].path)
			v[k++] = v[i];
	*n = k;
	return v;
}

void
memosince_save(struct memo_keys *k, uint64_t anchors, struct buf *out)
{
	const struct site *s = k->site;
	struct saving	*v = xcalloc(s->npages + 1, sizeof(*v));
	struct dest	*dests;
	struct heads	*heads;
	size_t		 i, n = 0;

	memokeys_kids(k);
	for (i = 0; i < s->npages; i++) {
		v[i].p = (struct saved_page){ k->ids[i], k->fields[i],
		    k->kids[i], k->rels[i] };
		v[i].index = i;
	}
	xqsort(v, s->npages, sizeof(*v), cmp_saving);
	for (i = 0; i < s->npages; i++)		/* the first of an id */
		if (n == 0 || v[n - 1].p.id != v[i].p.id)
			v[n++] = v[i];
	buf_append(out, &k->whole, sizeof(k->whole));
	buf_append(out, k->lists, sizeof(k->lists));
	rec_put_u32(out, (uint32_t)n);
	for (i = 0; i < n; i++)
		buf_append(out, &v[i].p, sizeof(v[i].p));
	free(v);
	dests = dests_of(s, &n);
	buf_append(out, &k->paths, sizeof(k->paths));
	rec_put_u32(out, (uint32_t)n);
	buf_append(out, dests, n * sizeof(*dests));
	free(dests);
	heads = heads_of(s, &n);
	buf_append(out, &anchors, sizeof(anchors));
	rec_put_u32(out, (uint32_t)n);
	buf_append(out, heads, n * sizeof(*heads));
	free(heads);
}

struct memo_since *
memosince_open(const void *data, size_t len)
{
	struct memo_since *ms = xcalloc(1, sizeof(*ms));
	struct rec_rd	 r;

	rec_init(&r, data, len);
	rec_get(&r, &ms->whole, sizeof(ms->whole));
	rec_get(&r, ms->lists, sizeof(ms->lists));
	ms->count = rec_get_count(&r, SAVED_PAGE);
	ms->pages = rec_take(&r, ms->count * SAVED_PAGE);
	rec_get(&r, &ms->paths, sizeof(ms->paths));
	ms->ndests = rec_get_count(&r, sizeof(struct dest));
	ms->dests = rec_take(&r, ms->ndests * sizeof(struct dest));
	rec_get(&r, &ms->anchors, sizeof(ms->anchors));
	ms->nheads = rec_get_count(&r, sizeof(struct heads));
	ms->heads = rec_take(&r, ms->nheads * sizeof(struct heads));
	if (!r.ok || r.p != r.end || ms->whole == 0) {
		free(ms);
		return NULL;
	}
	pthread_mutex_init(&ms->lock, NULL);
	return ms;
}

void
memosince_free(struct memo_since *ms)
{
	if (ms == NULL)
		return;
	pthread_mutex_destroy(&ms->lock);
	free(ms->changed);
	free(ms->moved);
	free(ms->now);
	free(ms->then);
	free(ms->led);
	free(ms->headed);
	free(ms);
}

uint64_t
memosince_whole(const struct memo_since *ms)
{
	return ms->whole;
}

uint64_t
memosince_paths(const struct memo_since *ms)
{
	return ms->paths;
}

uint64_t
memosince_anchors(const struct memo_since *ms)
{
	return ms->anchors;
}

static void	 push(uint64_t **, size_t *, size_t *, uint64_t);

/* Saved dest i. */
static struct dest
saved_dest(const struct memo_since *ms, size_t i)
{
	struct dest	 d;

	memcpy(&d, ms->dests + i * sizeof(d), sizeof(d));
	return d;
}

/*
 * The paths whose destination is not what it was (ms->led): that led
 * somewhere then and lead elsewhere or nowhere now, or that lead
 * somewhere now and led nowhere then.  Every path that leads somewhere
 * is among the dests (dests_of: a link's resolved path names a source,
 * the folder of an index.md or a copied file), so a path in neither
 * list led nowhere and still does.
 */
static void
compare_dests(struct memo_since *ms, const struct site *s)
{
	struct dest	*now, then;
	size_t		 n, i = 0, j = 0, cap = 0;

	now = dests_of(s, &n);
	while (i < ms->ndests || j < n) {
		if (i == ms->ndests) {
			push(&ms->led, &ms->nled, &cap, now[j++].path);
			continue;
		}
		then = saved_dest(ms, i);
		if (j == n || then.path < now[j].path) {
			push(&ms->led, &ms->nled, &cap, then.path);
			i++;
		} else if (now[j].path < then.path)
			push(&ms->led, &ms->nled, &cap, now[j++].path);
		else {
			if (now[j].to != then.to)
				push(&ms->led, &ms->nled, &cap, then.path);
			i++;
			j++;
		}
	}
	free(now);
}

/* Saved page i. */
static struct saved_page
saved(const struct memo_since *ms, size_t i)
{
	struct saved_page p;

	memcpy(&p, ms->pages + i * SAVED_PAGE, sizeof(p));
	return p;
}

/* The index of the saved page with id, or SIZE_MAX. */
static size_t
find_saved(const struct memo_since *ms, uint64_t id)
{
	size_t		 lo = 0, hi = ms->count, mid;
	uint64_t	 x;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((x = saved(ms, mid).id) == id)
			return mid;
		if (x < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static void
push(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v), cap);
	(*v)[(*n)++] = x;
}

/* Compares the saved site with k's: ms->changed and ms->moved. */
static void
compare(struct memo_since *ms, struct memo_keys *k)
{
	const struct site *s = k->site;
	struct saved_page sp;
	size_t		 i, j, capc = 0, capm = 0;

	memokeys_kids(k);
	ms->now = xcalloc(ms->count + 1, sizeof(*ms->now));
	ms->then = xcalloc(s->npages + 1, sizeof(*ms->then));
	for (j = 0; j < ms->count; j++)
		ms->now[j] = SIZE_MAX;
	for (i = 0; i < s->npages; i++) {
		/* New (no memo of then names it), or not the first of its
		 * id. */
		ms->then[i] = SIZE_MAX;
		if ((j = find_saved(ms, k->ids[i])) == SIZE_MAX ||
		    ms->now[j] != SIZE_MAX)
			continue;
		ms->now[j] = i;
		ms->then[i] = j;
		sp = saved(ms, j);
		if (sp.fields != k->fields[i]) {
			push(&ms->changed, &ms->nchanged, &capc, sp.id);
		}
		if (sp.kids != k->kids[i])
			push(&ms->changed, &ms->nchanged, &capc,
			    sp.id | MEMOKEYS_KIDS);
		if (sp.rels != k->rels[i])
			push(&ms->moved, &ms->nmoved, &capm, sp.id);
	}
	for (j = 0; j < ms->count; j++)
		if (ms->now[j] == SIZE_MAX) {	/* gone */
			sp = saved(ms, j);
			push(&ms->changed, &ms->nchanged, &capc, sp.id);
			push(&ms->changed, &ms->nchanged, &capc,
			    sp.id | MEMOKEYS_KIDS);
		}
	for (i = 0; i < PAGEDATA_NLISTS; i++)
		if (ms->lists[i] != k->lists[i])
			push(&ms->changed, &ms->nchanged, &capc,
			    MEMOKEYS_LIST(i));
	xqsort(ms->changed, ms->nchanged, sizeof(uint64_t), cmp_u64);
	xqsort(ms->moved, ms->nmoved, sizeof(uint64_t), cmp_u64);
}

static int
among(const uint64_t *v, size_t n, uint64_t x)
{
	return n > 0 && bsearch(&x, v, n, sizeof(*v), cmp_u64) != NULL;
}

/* Saved heads i. */
static struct heads
saved_heads(const struct memo_since *ms, size_t i)
{
	struct heads	 h;

	memcpy(&h, ms->heads + i * sizeof(h), sizeof(h));
	return h;
}

/* The sources whose pages' headings are not as saved (ms->headed): gone,
 * new, or with other ids. */
static void
compare_heads(struct memo_since *ms, const struct site *s)
{
	struct heads	*now, then;
	size_t		 n, i = 0, j = 0, cap = 0;
	int		 c;

	now = heads_of(s, &n);
	while (i < ms->nheads || j < n) {
		if (i == ms->nheads)
			c = 1;
		else {
			then = saved_heads(ms, i);
			c = j == n ? -1 : cmp_heads(&then, &now[j]);
		}
		if (c < 0)		/* gone */
			push(&ms->headed, &ms->nheaded, &cap, then.source);
		else if (c > 0)		/* new */
			push(&ms->headed, &ms->nheaded, &cap, now[j].source);
		else if (then.ids != now[j].ids)
			push(&ms->headed, &ms->nheaded, &cap, then.source);
		i += c <= 0;
		j += c >= 0;
	}
	free(now);
}

/* Compares the saved site with k's, once for each part: the pages, where
 * links lead, the headings (a title edit needs the pages alone). */
static void
made(struct memo_since *ms, struct memo_keys *k, enum since_part part)
{
	atomic_int	*done = &ms->made[part];

	if (atomic_load(done))
		return;
	pthread_mutex_lock(&ms->lock);
	if (!atomic_load(done)) {
		if (part == SINCE_PAGES)
			compare(ms, k);
		else if (part == SINCE_DESTS)
			compare_dests(ms, k->site);
		else
			compare_heads(ms, k->site);
		atomic_store(done, 1);
	}
	pthread_mutex_unlock(&ms->lock);
}

int
memosince_holds(struct memo_since *ms, struct memo_keys *k,
    const struct page *p, const uint64_t *deps, size_t n)
{
	size_t	 i, j;

	made(ms, k, SINCE_PAGES);
	/* A page new since has no memo of then; one that is not the first
	 * of its id was not saved (compare found both). */
	if ((j = ms->then[p->index]) == SIZE_MAX ||
	    among(ms->moved, ms->nmoved, k->ids[p->index]))
		return 0;
	for (i = 0; i < n && ms->nchanged > 0; i++)
		if (among(ms->changed, ms->nchanged, deps[i]))
			return 0;
	return 1;
}

const uint64_t *
memosince_led(struct memo_since *ms, struct memo_keys *k, size_t *n)
{
	made(ms, k, SINCE_DESTS);
	*n = ms->nled;
	return ms->led;
}

int
memosince_links_hold(struct memo_since *ms, struct memo_keys *k,
    const void *targets, size_t len)
{
	struct rec_rd	 r;
	const char	*path;
	uint64_t	 h;
	size_t		 n, i, plen;

	made(ms, k, SINCE_DESTS);
	rec_init(&r, targets, len);
	n = rec_get_count(&r, 5);
	for (i = 0; i < n && r.ok; i++) {
		if ((path = rec_get_str(&r, 0, &plen)) == NULL)
			return 0;
		h = XXH3_64bits(path, plen);
		if (among(ms->led, ms->nled, h))
			return 0;
	}
	return r.ok && r.p == r.end;
}

int
memosince_refs_hold(struct memo_since *ms, struct memo_keys *k,
    const void *refs, size_t len)
{
	struct rec_rd	 r;
	const char	*source;
	size_t		 n, i, slen;

	made(ms, k, SINCE_HEADS);
	rec_init(&r, refs, len);
	n = rec_get_count(&r, 10);
	for (i = 0; i < n && r.ok; i++) {
		if ((source = rec_get_str(&r, 0, &slen)) == NULL ||
		    rec_get_str(&r, 0, NULL) == NULL)
			return 0;
		if (among(ms->headed, ms->nheaded,
		    XXH3_64bits(source, slen)))
			return 0;
	}
	return r.ok;
}
