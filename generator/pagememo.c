#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "backlinks.h"
#include "buf.h"
#include "links.h"
#include "memokeys.h"
#include "memosince.h"
#include "pack.h"
#include "pagedata.h"
#include "pagememo.h"
#include "parallel.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry: u64 anchors (the site's), u64 render key, u64 the hash of
 * the page's heading ids (page_set_anchors'), u32 count, then that many
 * strs (the ids, sorted); then the links (pagememo_links_of): u32 count,
 * that many pairs of strs (the source of a page its links name a heading
 * of, and the heading's id), u32 count, that many strs (the paths its
 * links resolved to, sorted); then u64 the hash of the whole site when it
 * was made, u64 the hash of where links could lead (both memokeys.h's),
 * u64 the digest of where its links led (links_digest), u64 the digest of
 * what the page showed of other pages (memokeys_digest); then the deps:
 * u64 the deferred site data's hash when its template did not run (so
 * what it read of it is not known) or 0, u32 count, then that many u64
 * (a page's id, a docs node's list or a site list: memokeys.h's
 * MEMOKEYS_KIDS and MEMOKEYS_LIST).  Numbers and strs are record.h's.
 * The HTML of a page a list shows whole is an entry of its own
 * (html_key), with its NUL: every recalled memo is read whole (its hash
 * checked), and in the memo 24 MB of FAQ and changelog HTML at 10,000
 * pages were read by every build, which needs them only to make a list.
 * A change of meaning changes MEMO_FORMAT, which is part of every key.
 */
static const char MEMO_FORMAT[8] = "porchpm6";

/*
 * The memo table: every page's memo in one entry, under the site's shape,
 * read with one pack_get.  Read one by one, the memos of 10,000 pages lay
 * wherever each page's render had put them in the pack: 360 page faults
 * of its mapping and 10,000 index lookups, 12-15 ms of a build that
 * changed nothing.  A page the table lacks (its body changed since the
 * table was written) or whose row no longer applies (rendered since, as
 * what it showed of others changed) reads its own entry, which
 * pagememo_put still writes; once more than one page in TABLE_STALE is
 * not in it, was rendered again or had its links or deps checked (but
 * against what changed since the table was written: memosince.h, whose
 * saved site is written with the table), the build writes the table
 * again.  Layout: u32 count,
 * count u64 keys (sorted), then count u32 offsets and count u32 lengths
 * into the records that follow, each a memo entry as pagememo_put writes
 * it but for the paths its links resolved to: their count is IN_TABLE,
 * and they are the record of the same key in the targets table, written
 * with it in the same layout.  They are read only when a page or file
 * was added or removed, and they were a third of the memo table's bytes,
 * which every build reads.  With them goes their inverse, the rows by
 * the paths they name (backlinks.h), so a page added finds the rows that
 * link to it without reading every row's paths.
 */
#define TABLE_STALE	64
#define IN_TABLE	REC_NULL

struct memo_table {
	const unsigned char *keys, *offs, *lens, *recs;
	size_t		 n, recs_len;
};


struct page_memo {
	struct pack	*pack;
	const struct site *site;
	struct memo_keys *keys;
	uint64_t	 derived;	/* pagememo_begin_derived's */
	struct memo_table table;	/* n 0: none */
	struct memo_table targets;	/* opened on first need */
	atomic_int	 targets_open;
	struct memo_since *since;	/* the table's site, opened on first
					   need (NULL: none) */
	atomic_int	 since_open;
	uint64_t	*relinked;	/* sorted keys of the table's rows
					   whose links name a path that
					   leads elsewhere since, made on
					   first need (backlinks.h) */
	size_t		 nrelinked;
	int		 relinked_ok;	/* 0: no backlinks to be had */
	atomic_int	 relinked_open;
	pthread_mutex_t	 lock;		/* of targets, since, relinked */
	atomic_size_t	 found, reused, stored, kept, untabled;
	atomic_size_t	 rechecked;	/* reused after pagememo_refs_hold */
	atomic_size_t	 refs_looked;	/* of those, whose links named a
					   heading: looked up again in every
					   build until the table is written */
	atomic_size_t	 refs_since;	/* of rechecked, against the headings
					   changed since the table was
					   written */
	atomic_size_t	 depchecked;	/* found after deps_hold */
	atomic_size_t	 sincechecked;	/* of those, after deps_since */
	atomic_size_t	 sincelinked;	/* of linkchecked, after
					   links_since */
	atomic_size_t	 backlinked;	/* of those, by the backlinks */
	atomic_size_t	 linkchecked;	/* found after links_hold */
	struct task	 table_task;	/* writing the memo table, beside the
					   build (pagememo_end) */
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


/* Reads past the links to headings at r: a count and that many pairs of
 * strs. */
static void
skip_refs(struct rec_rd *r)
{
	size_t		 n, i;

	n = rec_get_count(r, 10);
	for (i = 0; i < 2 * n && r->ok; i++)
		(void)rec_get_str(r, 0, NULL);
}

/* The digest of where the paths in a targets blob (u32 count, strs)
 * lead now (links_destination); 0 when the blob does not fit. */
static uint64_t
links_digest(const struct page_memo *m, const struct memo_blob *targets)
{
	struct rec_rd	 r;
	const char	*path;
	uint64_t	 d = 2;
	size_t		 n, i;

	rec_init(&r, targets->data, targets->len);
	n = rec_get_count(&r, 5);
	for (i = 0; i < n && r.ok; i++)
		if ((path = rec_get_str(&r, 0, NULL)) != NULL)
			d = memokeys_chain(d, links_destination(m->site,
			    path));
	return r.ok && r.p == r.end ? d | 1 : 0;
}

/* The key of the memo table ("table") or of its targets ("targets") of
 * a site of this shape. */
static uint64_t
table_key(uint64_t shape, const char *name)
{
	return XXH3_64bits_withSeed(name, strlen(name), shape);
}

/* Reads the table kept under key into *t, if there is one and its header
 * fits the entry. */
static void
open_table(struct page_memo *m, uint64_t key, struct memo_table *t)
{
	const unsigned char *e;
	struct rec_rd	 r;
	size_t		 len, n;

	if ((e = pack_get(m->pack, key, &len)) == NULL)
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

/* m->targets, opened once (the first memo from the table whose links
 * are checked, or the table written). */
static void
targets_ready(struct page_memo *m)
{
	if (atomic_load(&m->targets_open))
		return;
	pthread_mutex_lock(&m->lock);
	if (!atomic_load(&m->targets_open)) {
		open_table(m, table_key(m->keys->shape, "targets"),
		    &m->targets);
		atomic_store(&m->targets_open, 1);
	}
	pthread_mutex_unlock(&m->lock);
}

/* m->since, opened once (the first memo whose deps are checked). */
static struct memo_since *
since_ready(struct page_memo *m)
{
	const void	*data;
	size_t		 len;

	if (atomic_load(&m->since_open))
		return m->since;
	pthread_mutex_lock(&m->lock);
	if (!atomic_load(&m->since_open)) {
		if (m->table.n > 0 && (data = pack_get(m->pack,
		    table_key(m->keys->shape, "since"), &len)) != NULL)
			m->since = memosince_open(data, len);
		atomic_store(&m->since_open, 1);
	}
	pthread_mutex_unlock(&m->lock);
	return m->since;
}

struct page_memo *
pagememo_open(struct pack *pk, const struct site *s, uint64_t base,
    const struct pagedata_deferred *deferred)
{
	struct page_memo *m = xcalloc(1, sizeof(*m));

	m->pack = pk;
	m->site = s;
	m->keys = memokeys_new(s, XXH3_64bits_withSeed(MEMO_FORMAT,
	    sizeof(MEMO_FORMAT), base), deferred);
	pthread_mutex_init(&m->lock, NULL);
	open_table(m, table_key(m->keys->shape, "table"), &m->table);
	/* Unread unless a page or file was added or removed, or the site
	 * changed since the table was written. */
	if (m->table.n > 0) {
		(void)pack_keep(m->pack, table_key(m->keys->shape, "targets"));
		(void)pack_keep(m->pack, table_key(m->keys->shape, "since"));
		(void)pack_keep(m->pack, table_key(m->keys->shape,
		    "backlinks"));
	}
	return m;
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
		if ((k = rec_u64_at(t->keys, mid)) == key) {
			off = rec_u32_at(t->offs, mid);
			n = rec_u32_at(t->lens, mid);
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

/* Reads past the targets at r: a count and that many strs, or IN_TABLE;
 * 1 when they are in the blob. */
static int
skip_targets(struct rec_rd *r)
{
	const unsigned char *at = r->p;
	size_t		 n, i;

	if (rec_get_u32(r) == IN_TABLE && r->ok)
		return 0;
	r->p = at;
	n = rec_get_count(r, 5);
	for (i = 0; i < n && r->ok; i++)
		(void)rec_get_str(r, 0, NULL);
	return 1;
}

/* The paths the links blob of the memo under key resolved to (u32 count,
 * strs) into *t: in the blob, or the targets table's record of key when
 * the blob is a table row's; 0 when there are none to be had. */
static int
targets_of(struct page_memo *m, const struct memo_blob *links, uint64_t key,
    struct memo_blob *t)
{
	struct rec_rd	 r;
	struct memo_blob found;
	const unsigned char *at;

	rec_init(&r, links->data, links->len);
	skip_refs(&r);
	at = r.p;
	if (skip_targets(&r)) {
		found.data = at;
		found.len = (size_t)(r.p - at);
	} else {
		targets_ready(m);
		found.data = table_find(&m->targets, key, &found.len);
	}
	if (!r.ok || r.p != r.end || found.data == NULL)
		return 0;
	*t = found;
	return 1;
}

/* The hash of the table's keys, as put_table writes them. */
static uint64_t
keys_hash(const unsigned char *keys, size_t n)
{
	return XXH3_64bits(keys, n * sizeof(uint64_t));
}

/* m->relinked, made once from the table's backlinks and the paths that
 * lead elsewhere since ms was saved; 0 when there are no backlinks (then
 * each row's paths are looked up). */
static int
relinked_ready(struct page_memo *m, struct memo_since *ms)
{
	const uint64_t	*led;
	const void	*data;
	uint32_t	*rows = NULL;
	size_t		 nled, len, n = 0, i;

	if (atomic_load(&m->relinked_open))
		return m->relinked_ok;
	led = memosince_led(ms, m->keys, &nled);
	pthread_mutex_lock(&m->lock);
	if (!atomic_load(&m->relinked_open)) {
		if ((data = pack_get(m->pack, table_key(m->keys->shape,
		    "backlinks"), &len)) != NULL)
			rows = backlinks_rows(data, len, keys_hash(
			    m->table.keys, m->table.n), m->table.n, led,
			    nled, &n);
		if (rows != NULL) {
			/* The rows are in the order of their keys. */
			m->relinked = xcalloc(n + 1, sizeof(*m->relinked));
			for (i = 0; i < n; i++)
				m->relinked[i] = rec_u64_at(m->table.keys,
				    rows[i]);
			m->nrelinked = n;
			m->relinked_ok = 1;
		}
		free(rows);
		atomic_store(&m->relinked_open, 1);
	}
	pthread_mutex_unlock(&m->lock);
	return m->relinked_ok;
}

/* 1 when the links of the memo under key lead where they led (digest). */
static int
links_hold(struct page_memo *m, const struct memo_blob *links, uint64_t key,
    uint64_t digest)
{
	struct memo_blob t;

	return digest != 0 && targets_of(m, links, key, &t) &&
	    links_digest(m, &t) == digest;
}

void
pagememo_free(struct page_memo *m)
{
	if (m == NULL)
		return;
	parallel_end(&m->table_task);
	pthread_mutex_destroy(&m->lock);
	memosince_free(m->since);
	free(m->relinked);
	memokeys_free(m->keys);
	free(m);
}

/* The deps at r (u64 docs hash or 0, u32 count, that many u64) into
 * *docs and *v (heap, *n of them); 0 when they do not fit. */
static int
read_deps(struct rec_rd *r, uint64_t *docs, uint64_t **v, size_t *n)
{
	const unsigned char *p;

	rec_get(r, docs, sizeof(*docs));
	*n = rec_get_count(r, sizeof(uint64_t));
	if ((p = rec_take(r, *n * sizeof(uint64_t))) == NULL || !r->ok)
		return 0;
	*v = xcalloc(*n + 1, sizeof(**v));
	memcpy(*v, p, *n * sizeof(**v));
	return 1;
}

/* The digest of p's deps blob d (deps_digest) as the site is now, and
 * *docs its docs hash; 0 when the blob does not fit. */
static uint64_t
deps_now(struct page_memo *m, const struct page *p,
    const struct memo_blob *d, uint64_t *docs)
{
	struct rec_rd	 r;
	uint64_t	*v = NULL, digest = 0;
	size_t		 n;

	rec_init(&r, d->data, d->len);
	if (read_deps(&r, docs, &v, &n) && r.p == r.end)
		digest = memokeys_digest(m->keys, p, v, n);
	free(v);
	return digest;
}

/* 1 when p's deps blob d still gives digest: what the page showed of the
 * others is as it was. */
static int
deps_hold(struct page_memo *m, const struct page *p,
    const struct memo_blob *d, uint64_t digest)
{
	uint64_t	 docs;

	return deps_now(m, p, d, &docs) == digest && digest != 0 &&
	    (docs == 0 || docs == m->keys->docs);
}

/* 1 when p's deps blob d, made with the site the memo table was written
 * with (whole) and digest then, names nothing that changed since
 * (memosince.h): what deps_hold would say, for a scan of the deps. */
static int
deps_since(struct page_memo *m, const struct page *p,
    const struct memo_blob *d, uint64_t whole, uint64_t digest)
{
	struct memo_since *ms = since_ready(m);
	struct rec_rd	 r;
	uint64_t	 docs, *v = NULL;
	size_t		 n;
	int		 ok;

	if (ms == NULL || memosince_whole(ms) != whole || digest == 0)
		return 0;
	rec_init(&r, d->data, d->len);
	ok = read_deps(&r, &docs, &v, &n) && r.p == r.end &&
	    (docs == 0 || docs == m->keys->docs) &&
	    memosince_holds(ms, m->keys, p, v, n);
	free(v);
	return ok;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * 1 when the links of the memo under key, made with the paths the memo
 * table was written with (paths) and digest then, lead where they led
 * (memosince.h): what links_hold would say.  A table row (tabled: its
 * paths are in the targets table) holds unless the backlinks name it
 * among the rows that link to a path that leads elsewhere; any other
 * memo's paths are looked up.
 */
static int
links_since(struct page_memo *m, const struct memo_blob *links,
    uint64_t key, int tabled, uint64_t paths, uint64_t digest)
{
	struct memo_since *ms = since_ready(m);
	struct memo_blob t;

	if (ms == NULL || memosince_paths(ms) != paths || digest == 0)
		return 0;
	if (tabled && relinked_ready(m, ms)) {
		if (m->nrelinked > 0 && bsearch(&key, m->relinked,
		    m->nrelinked, sizeof(key), cmp_u64) != NULL)
			return 0;
		m->backlinked++;
		return 1;
	}
	return targets_of(m, links, key, &t) &&
	    memosince_links_hold(ms, m->keys, t.data, t.len);
}

void
pagememo_deps_of(const struct page_memo *m, const struct page_reads *data,
    const json_int_t *tpl, size_t ntpl, int known, struct buf *out)
{
	uint64_t	*v = xcalloc(data->n + ntpl + 1, sizeof(*v));
	uint64_t	 docs = known ? 0 : m->keys->docs;
	const struct page *p;
	size_t		 i, n = 0, k = 0;
	int		 children, list;

	for (i = 0; i < data->n; i++)
		v[n++] = m->keys->ids[data->v[i]];
	for (i = 0; i < ntpl; i++)
		if ((list = pagedata_list_read(tpl[i])) >= 0)
			v[n++] = MEMOKEYS_LIST(list);
		else if ((p = pagedata_docs_read(m->site, tpl[i],
		    &children)) != NULL)
			v[n++] = memokeys_id(m->keys, p) |
			    (children ? MEMOKEYS_KIDS : 0);
	xqsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	buf_append(out, &docs, sizeof(docs));
	rec_put_u32(out, (uint32_t)k);
	buf_append(out, v, k * sizeof(*v));
	free(v);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
pagememo_links_of(const struct link_ctx *links, size_t refs_from,
    size_t targets_from, struct buf *out)
{
	const struct anchor_ref *a;
	char		**v;
	size_t		 i, n = links->ntargets - targets_from, k = 0;

	rec_put_u32(out, (uint32_t)(links->nrefs - refs_from));
	for (i = refs_from; i < links->nrefs; i++) {
		a = &links->refs[i];
		rec_put_str(out, a->target->source, strlen(a->target->source));
		rec_put_str(out, a->anchor, strlen(a->anchor));
	}
	v = xcalloc(n + 1, sizeof(*v));
	if (n > 0)	/* targets is NULL before the first link */
		memcpy(v, links->targets + targets_from, n * sizeof(*v));
	xqsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	rec_put_u32(out, (uint32_t)k);
	for (i = 0; i < k; i++)
		rec_put_str(out, v[i], strlen(v[i]));
	free(v);
}

/* 1 when the links to headings of the memo in hit, made with the
 * headings the memo table was written with, name none of the pages whose
 * headings changed since (memosince.h): what looking each one up would
 * say, for a lookup of the pages they name. */
static int
refs_since(struct page_memo *m, const struct memo_hit *hit)
{
	struct memo_since *ms = since_ready(m);

	return ms != NULL && memosince_anchors(ms) == hit->anchors &&
	    memosince_refs_hold(ms, m->keys, hit->links.data, hit->links.len);
}

int
pagememo_refs_hold(struct page_memo *m, const struct memo_hit *hit)
{
	struct rec_rd	 r;
	const char	*source, *anchor;
	const struct page *target;
	size_t		 n, i;

	if (refs_since(m, hit)) {
		m->rechecked++;
		m->refs_since++;
		return 1;
	}
	rec_init(&r, hit->links.data, hit->links.len);
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
	if (n > 0)
		m->refs_looked++;
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
 * the other pages is as it was then and its links lead where they led.
 * 1 when it does. */
static int
use_entry(struct page_memo *m, struct page *p, uint64_t key,
    const void *entry, size_t len, struct memo_hit *hit)
{
	struct rec_rd	 r;
	const unsigned char *ids;
	uint64_t	 ids_hash, whole, paths, links, digest;
	size_t		 nids, i, ids_len;
	int		 tabled;

	rec_init(&r, entry, len);
	rec_get(&r, &hit->anchors, sizeof(hit->anchors));
	rec_get(&r, &hit->render_key, sizeof(hit->render_key));
	rec_get(&r, &ids_hash, sizeof(ids_hash));
	nids = rec_get_count(&r, 5);
	ids = r.p;
	for (i = 0; i < nids && r.ok; i++)
		(void)rec_get_str(&r, 0, NULL);
	ids_len = (size_t)(r.p - ids);
	hit->links.data = r.p;
	skip_refs(&r);
	tabled = !skip_targets(&r);	/* a table row's paths */
	hit->links.len = (size_t)(r.p - (const unsigned char *)hit->links.data);
	rec_get(&r, &whole, sizeof(whole));
	rec_get(&r, &paths, sizeof(paths));
	rec_get(&r, &links, sizeof(links));
	rec_get(&r, &digest, sizeof(digest));
	hit->deps.data = r.p;
	hit->deps.len = (size_t)(r.end - r.p);
	/* Made with the site as it is, or checked below: still true. */
	hit->links.digest = links;
	hit->deps.digest = digest;
	if (!r.ok)
		return 0;
	if (whole != m->keys->whole) {
		if (deps_since(m, p, &hit->deps, whole, digest)) {
			if (p->source != NULL)
				m->sincechecked++;
		} else if (!deps_hold(m, p, &hit->deps, digest))
			return 0;
		if (p->source != NULL)	/* not in the table */
			m->depchecked++;
	}
	if (paths != m->keys->paths) {
		if (links_since(m, &hit->links, key, tabled, paths,
		    links)) {
			if (p->source != NULL)
				m->sincelinked++;
		} else if (!links_hold(m, &hit->links, key, links))
			return 0;
		if (p->source != NULL)
			m->linkchecked++;
	}
	/* The ids stay in the pack's bytes, read only if a link asks. */
	page_set_anchors_recorded(p, ids, ids_len, nids, ids_hash);
	return 1;
}

int
pagememo_get(struct page_memo *m, struct page *p, struct memo_hit *hit)
{
	const void	*entry;
	uint64_t	 key = memokeys_entry(m->keys, p);
	size_t		 len;
	int		 ok;

	/* A row of the table is what its page's render gave when the table
	 * was written; a page rendered since (what it showed of others
	 * changed: the same key) has a newer entry of its own. */
	ok = (entry = table_find(&m->table, key, &len)) != NULL &&
	    use_entry(m, p, key, entry, len, hit);
	if (!ok) {
		m->untabled++;
		ok = (entry = pack_get(m->pack, key, &len)) != NULL &&
		    use_entry(m, p, key, entry, len, hit);
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

	html = pack_get(m->pack, html_key(memokeys_entry(m->keys, p)), &len);
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
	    "headings were checked, %zu against the headings changed since "
	    "the memo table was written\n", (size_t)m->rechecked,
	    (size_t)m->refs_since);
	fprintf(f, "pages changed: %zu memos found after what their pages "
	    "show of others was checked, %zu after where their links lead "
	    "was\n", (size_t)m->depchecked, (size_t)m->linkchecked);
	fprintf(f, "memo table: %zu rows, %zu pages not in it\n",
	    m->table.n, (size_t)m->untabled);
	fprintf(f, "memo table's site: %zu memos checked against what "
	    "changed since it was written, %zu against where links lead "
	    "since (%zu by the backlinks)\n", (size_t)m->sincechecked,
	    (size_t)m->sincelinked, (size_t)m->backlinked);
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
	put_u64(st, m->keys->whole);
	put_u64(st, anchors);
	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		if (p->source == NULL || !model_shown_whole(p))
			continue;
		put_u64(st, m->keys->ids[p->index]);
		put_u64(st, p->body_hash);
		put_u64(st, p->body_line);
		put_str(st, p->file);
	}
	m->derived = XXH3_64bits_digest(st);
	XXH3_freeState(st);
}

uint64_t
pagememo_derived_key(const struct page_memo *m, const char *name,
    const uint64_t *inputs)
{
	XXH3_state_t	*st = XXH3_createState();
	uint64_t	 h;

	XXH3_64bits_reset(st);
	put_u64(st, inputs != NULL ? *inputs : m->derived);
	put_u64(st, inputs != NULL);
	put_str(st, name);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h ? h : 1;
}

/* Appends p's memo entry (under key) to b: links and deps as
 * pagememo_links_of and pagememo_deps_of made them (or a memo held them),
 * the paths its links resolved to in b, or, for a table row, IN_TABLE in
 * b and the paths in table. */
static void
put_record(struct page_memo *m, struct buf *b, const struct page *p,
    uint64_t key, uint64_t anchors, const struct memo_blob *links,
    const struct memo_blob *deps, struct buf *table)
{
	struct memo_blob t = { "\0\0\0", sizeof(uint32_t), 0 }; /* none */
	uint64_t	 v[4] = { m->keys->whole, m->keys->paths, 0, 0 }, docs;
	struct rec_rd	 r;
	char		**ids;
	size_t		 i, n;

	/* A memo found has them (writing the table, 10,000 pages' links
	 * were looked up again). */
	if (targets_of(m, links, key, &t))
		v[2] = links->digest ? links->digest : links_digest(m, &t);
	v[3] = deps->digest ? deps->digest : deps_now(m, p, deps, &docs);
	buf_append(b, &anchors, sizeof(anchors));
	buf_append(b, &p->render_key, sizeof(p->render_key));
	buf_append(b, &p->anchors_hash, sizeof(p->anchors_hash));
	ids = model_anchor_list(p, &n);
	rec_put_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		rec_put_str(b, ids[i], strlen(ids[i]));
	free(ids);
	rec_init(&r, links->data, links->len);
	skip_refs(&r);
	buf_append(b, links->data, r.ok ? (size_t)(r.p -
	    (const unsigned char *)links->data) : 0);
	if (!r.ok)
		rec_put_u32(b, 0);
	if (table != NULL) {
		rec_put_u32(b, IN_TABLE);
		buf_append(table, t.data, t.len);
	} else
		buf_append(b, t.data, t.len);
	buf_append(b, v, sizeof(v));
	buf_append(b, deps->data, deps->len);
}

void
pagememo_put(struct page_memo *m, const struct page *p, uint64_t anchors,
    const struct memo_blob *links, const struct memo_blob *deps)
{
	struct buf	 b = { 0 };
	uint64_t	 key;

	key = memokeys_entry(m->keys, p);
	put_record(m, &b, p, key, anchors, links, deps, NULL);
	pack_put(m->pack, key, b.data, b.len);
	buf_free(&b);
	if (model_shown_whole(p) && p->html != NULL)
		pack_put(m->pack, html_key(key), p->html, strlen(p->html) + 1);
	m->stored++;
}

int
pagememo_get_generated(struct page_memo *m, struct page *p,
    struct memo_hit *hit)
{
	const void	*entry;
	uint64_t	 key = memokeys_entry(m->keys, p);
	size_t		 len;

	return (entry = pack_get(m->pack, key, &len)) != NULL &&
	    use_entry(m, p, key, entry, len, hit);
}

void
pagememo_put_generated(struct page_memo *m, const struct page *p,
    const struct memo_blob *links, const struct memo_blob *deps)
{
	struct buf	 b = { 0 };
	uint64_t	 key = memokeys_entry(m->keys, p);

	put_record(m, &b, p, key, 0, links, deps, NULL);
	pack_put(m->pack, key, b.data, b.len);
	buf_free(&b);
}

/* A page's place in the tables being written: its key, its record and
 * the paths its links resolved to. */
struct table_row {
	uint64_t	 key;
	uint32_t	 off, len, toff, tlen;
};

static int
cmp_row(const void *a, const void *b)
{
	const struct table_row *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Writes the table of rows[0..n-1] (sorted, one per key) under name: of
 * their records in recs (targets 0) or of their paths in recs (1). */
static void
put_table(struct page_memo *m, const char *name,
    const struct table_row *rows, size_t n, const struct buf *recs,
    int targets)
{
	struct buf	 b = { 0 };
	size_t		 i;

	rec_put_u32(&b, (uint32_t)n);
	for (i = 0; i < n; i++)
		buf_append(&b, &rows[i].key, sizeof(rows[i].key));
	for (i = 0; i < n; i++)
		rec_put_u32(&b, targets ? rows[i].toff : rows[i].off);
	for (i = 0; i < n; i++)
		rec_put_u32(&b, targets ? rows[i].tlen : rows[i].len);
	buf_append(&b, recs->data, recs->len);
	pack_put(m->pack, table_key(m->keys->shape, name), b.data, b.len);
	buf_free(&b);
}

/* Writes the backlinks of rows[0..n-1] (sorted, one per key), whose
 * paths are in trecs. */
static void
put_backlinks(struct page_memo *m, const struct table_row *rows, size_t n,
    const struct buf *trecs)
{
	struct backlinks_row *v = xcalloc(n + 1, sizeof(*v));
	uint64_t	*keys = xcalloc(n + 1, sizeof(*keys));
	struct buf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < n; i++) {
		keys[i] = rows[i].key;
		v[i].paths = trecs->data + rows[i].toff;
		v[i].len = rows[i].tlen;
	}
	backlinks_put(&b, keys_hash((const unsigned char *)keys, n), v, n);
	if (b.len > 0)
		pack_put(m->pack, table_key(m->keys->shape, "backlinks"),
		    b.data, b.len);
	buf_free(&b);
	free(keys);
	free(v);
}

/* Writes the tables of pages[0..n-1] (one row per key). */
static void
write_table(struct page_memo *m, struct page *const *pages, size_t n,
    uint64_t anchors, const struct memo_blob *links,
    const struct memo_blob *deps)
{
	struct table_row *rows = xcalloc(n ? n : 1, sizeof(*rows)), *w;
	struct buf	 recs = { 0 }, trecs = { 0 };
	size_t		 i, k = 0;

	for (i = 0; i < n; i++) {
		w = &rows[i];
		w->key = memokeys_entry(m->keys, pages[i]);
		w->off = (uint32_t)recs.len;
		w->toff = (uint32_t)trecs.len;
		put_record(m, &recs, pages[i], w->key, anchors,
		    &links[pages[i]->index], &deps[pages[i]->index], &trecs);
		w->len = (uint32_t)(recs.len - w->off);
		w->tlen = (uint32_t)(trecs.len - w->toff);
	}
	/* Offsets that would not fit: no table. */
	if (recs.len <= UINT32_MAX && trecs.len <= UINT32_MAX) {
		xqsort(rows, n, sizeof(*rows), cmp_row);
		for (i = 0; i < n; i++)
			if (k == 0 || rows[k - 1].key != rows[i].key)
				rows[k++] = rows[i];
		put_table(m, "targets", rows, k, &trecs, 1);
		put_backlinks(m, rows, k, &trecs);
		put_table(m, "table", rows, k, &recs, 0);
		buf_reset(&recs);
		memosince_save(m->keys, anchors, &recs);
		pack_put(m->pack, table_key(m->keys->shape, "since"),
		    recs.data, recs.len);
	}
	buf_free(&recs);
	buf_free(&trecs);
	free(rows);
}

/* What writing the memo table needs, on its own thread. */
struct table_job {
	struct page_memo *m;
	struct page	**pages;	/* a copy of the caller's list */
	size_t		 n;
	uint64_t	 anchors;
	const struct memo_blob *links, *deps;
	void		(*release)(void *);
	void		*arg;
};

static void *
table_run(void *arg)
{
	struct table_job *j = arg;

	write_table(j->m, j->pages, j->n, j->anchors, j->links, j->deps);
	j->release(j->arg);
	free(j->pages);
	free(j);
	return NULL;
}

void
pagememo_end(struct page_memo *m, struct page *const *pages, size_t n,
    uint64_t anchors, const struct memo_blob *links,
    const struct memo_blob *deps, void (*release)(void *), void *arg)
{
	size_t	 stale = (size_t)m->untabled + (size_t)m->stored +
		     (size_t)m->refs_looked + (size_t)m->depchecked -
		     (size_t)m->sincechecked + (size_t)m->linkchecked -
		     (size_t)m->sincelinked;
	struct table_job *j;

	/* A table found and nearly right is kept as it is (pack_get): few
	 * pages were not in it, few rendered again and few had links to
	 * headings looked up (their rows are what their last render gave;
	 * the render key and anchors in a row are checked before it is
	 * used, so an old row costs a render or a check, never a wrong
	 * page).  A row whose page names no heading is checked by counting
	 * its links: once headings changed, every row was counted stale, and
	 * a page added wrote the 10,000-row table again (35 ms). */
	if ((m->table.n > 0 && stale * TABLE_STALE <= n) || n == 0 ||
	    n > UINT32_MAX) {
		release(arg);
		return;
	}
	/* Written beside the generated pages and the search index: 35 ms
	 * of one core, 13 MB at 10,000 pages, which the build waited for
	 * with the other core idle. */
	j = xcalloc(1, sizeof(*j));
	j->m = m;
	j->pages = xcalloc(n, sizeof(*j->pages));
	memcpy(j->pages, pages, n * sizeof(*pages));
	j->n = n;
	j->anchors = anchors;
	j->links = links;
	j->deps = deps;
	j->release = release;
	j->arg = arg;
	parallel_begin(&m->table_task, table_run, j);
}
