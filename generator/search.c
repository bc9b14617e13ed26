#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "buf.h"
#include "cache.h"
#include "diag.h"
#include "pack.h"
#include "parallel.h"
#include "path.h"
#include "postcode.h"
#include "record.h"
#include "search.h"
#include "searchscore.h"
#include "tokenize.h"
#include "xalloc.h"

/* The root's format; the client refuses another version.  3: postings,
 * titles, tags, runs and chunks name a page by its place among the
 * indexed pages and a section by its place in its page (struct pagenum),
 * where 2 numbered sections across the site. */
#define FORMAT_VERSION		3

/* Below these sizes a site gets fewer, larger files: a small site loads
 * its whole dictionary in one or two requests. */
#define SHARD_MIN_BYTES		(4 * 1024)
#define CHUNK_MIN_BYTES		(8 * 1024)

/* A section's term record beside its key: varint key length, the hash,
 * the counts byte, varint body count (struct sdoc). */
#define TERM_REC_MAX		(5 + 8 + 1 + 5)

/* Pages merge in groups (groups of pages, below): a group ends after a
 * page whose URL's hash is 0 modulo GROUP_PAGES, or at 4 * GROUP_PAGES
 * pages.  PORCH_SEARCH_GROUP=N sets another size, for the test that the
 * index does not depend on it. */
#define GROUP_PAGES		64
static const char GROUP_FORMAT[8] = "porchgp2";

/* Merged page records kept for reuse, their buffers' memory with them:
 * growing a page's buffers from nothing cost more than filling them
 * (large allocations while the renderer's small blocks are freed). */
#define SDOC_POOL		16

/* Kinds, indexed by enum section (the root lists them in this order). */
static const char *const kind_names[] = { "page", "docs", "faq", "changelog",
    "roadmap" };

/* ---------------------------------------------------------------- helpers */

/* Writes v as a varint at p, which has room for five bytes; returns the
 * byte after it.  For loops that grow their buffer once. */
static unsigned char *
raw_varint(unsigned char *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static uint32_t
get_varint(const unsigned char **p)
{
	uint32_t	 v = 0;
	int		 shift = 0;

	while (**p & 0x80) {
		v |= (uint32_t)(**p & 0x7f) << shift;
		shift += 7;
		(*p)++;
	}
	v |= (uint32_t)**p << shift;
	(*p)++;
	return v;
}

/*
 * Pages and sections as the files name them.  In memory a section is a
 * number across the site (sid, the pages' sections in page order), which
 * the scores and merges index by; the files name it by its page's place
 * among the pages with sections and its place in that page.  So a
 * heading added to a page moves no section of another page: the entries,
 * titles and tags of the words the page does not have keep their bytes,
 * and their files their names (a site-wide number moved every section
 * after it, and every shard was written again).
 */
struct pagenum {
	uint32_t	*place;		/* by sid: its page's place */
	uint32_t	*first;		/* by place: its page's first sid */
	uint32_t	 npages;
	uint32_t	 nsecs;
};

static void
pagenum_free(struct pagenum *pn)
{
	free(pn->place);
	free(pn->first);
	memset(pn, 0, sizeof(*pn));
}

/* pn for n pages of nsecs[i] sections each, in page order (0: a page not
 * in the index, which has no place). */
static void
pagenum_make(struct pagenum *pn, const uint32_t *nsecs, size_t n)
{
	size_t		 i, total = 0, places = 0;
	uint32_t	 k, sid = 0, at = 0;

	pagenum_free(pn);
	for (i = 0; i < n; i++) {
		total += nsecs[i];
		places += nsecs[i] > 0;
	}
	pn->place = xcalloc(total + 1, sizeof(*pn->place));
	pn->first = xcalloc(places + 1, sizeof(*pn->first));
	for (i = 0; i < n; i++) {
		if (nsecs[i] == 0)
			continue;
		pn->first[at] = sid;
		for (k = 0; k < nsecs[i]; k++)
			pn->place[sid++] = at;
		at++;
	}
	pn->first[at] = sid;
	pn->npages = at;
	pn->nsecs = sid;
}

/* The place of section sid's page, and sid's place in it (*sec). */
static uint32_t
pagenum_of(const struct pagenum *pn, uint32_t sid, uint32_t *sec)
{
	uint32_t	 place;

	if (sid >= pn->nsecs) {		/* the end, as a chunk's bound */
		*sec = 0;
		return pn->npages;
	}
	place = pn->place[sid];
	*sec = sid - pn->first[place];
	return place;
}

/*
 * The numbers that name section sid in a list of postings, after the
 * posting at *page, *sec (page place and place in the page; both moved
 * on to sid's).  Returned: the gap from *page (the first posting's from
 * -1: *page starts at UINT32_MAX), doubled, plus 1 when a number s > 0
 * follows, in *next as s - 1; s is the section's place in its page, less
 * *sec when the page is the same (so s > 0 there).  A page's start,
 * which most postings are, costs no digit more than a site-wide number
 * did: the page gaps are smaller than the section gaps by as much.  The
 * entries (put_postings) and the kept records (put_term) both name
 * postings so.
 */
static uint32_t
posting_code(const struct pagenum *pn, uint32_t sid, uint32_t *page,
    uint32_t *sec, uint32_t *next)
{
	uint32_t	 place, in, gap, s;

	place = pagenum_of(pn, sid, &in);
	gap = place - *page;
	s = gap != 0 ? in : in - *sec;
	*page = place;
	*sec = in;
	*next = s - 1;
	return 2 * gap + (s > 0);
}

/* Postings p[0, n) (by sid) as the client reads them: posting_code's
 * numbers as base64url varints, then the impact digit. */
static void
put_postings(struct buf *b, const struct pagenum *pn, const struct post *p,
    uint32_t n)
{
	uint32_t	 i, v, next, page = UINT32_MAX, sec = 0;

	for (i = 0; i < n; i++) {
		v = posting_code(pn, p[i].sid, &page, &sec, &next);
		postcode_put_b64(b, v);
		if (v & 1)
			postcode_put_b64(b, next);
		buf_putc(b, postcode_b64[p[i].q]);
	}
}

/* Appends v in decimal (buf_printf's "%u" was most of making the tag
 * file, which every patched build makes again). */
static void
put_uint(struct buf *b, uint32_t v)
{
	char	 d[10];
	size_t	 n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		buf_putc(b, d[--n]);
}

/* Appends s (n bytes of UTF-8) as a JSON string. */
static void
put_json(struct buf *b, const char *s, size_t n)
{
	size_t	 i, run = 0;

	buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else
			buf_printf(b, "\\u%04x", c);
	}
	buf_append(b, s + run, n - run);
	buf_putc(b, '"');
}

static void
put_jsons(struct buf *b, const char *s)
{
	put_json(b, s ? s : "", s ? strlen(s) : 0);
}

/* The code point at s (valid UTF-8), or 0 at the end. */
static uint32_t
decode(const unsigned char *s)
{
	if (s[0] < 0x80)
		return s[0];
	if (s[0] < 0xe0)
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (s[0] < 0xf0)
		return (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* A code point as its UTF-16 code units, high unit first. */
static uint64_t
utf16_key(uint32_t cp)
{
	if (cp < 0x10000)
		return (uint64_t)cp << 16;
	cp -= 0x10000;
	return (uint64_t)(0xd800 + (cp >> 10)) << 16 | (0xdc00 + (cp & 0x3ff));
}

int
search_strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;
	uint64_t	 kx, ky;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	if (*x == *y)
		return 0;
	/* Back to the start of the code points that differ. */
	while (x > (const unsigned char *)a && (*x & 0xc0) == 0x80) {
		x--;
		y--;
	}
	kx = *x ? utf16_key(decode(x)) : 0;
	ky = *y ? utf16_key(decode(y)) : 0;
	return kx < ky ? -1 : kx > ky ? 1 : 0;
}

/* ------------------------------------------------------- counting tables */

/*
 * A small hash table of words, reset for every section (or page): the
 * counts of each term in each field, or a surface form and its stem.
 * Entries keep the order they were first seen in, so that emitting them is
 * deterministic without sorting.
 */
struct wentry {
	uint64_t	 hash;
	uint32_t	 key, klen;	/* in keys */
	uint32_t	 aux, alen;	/* the stem, for surface forms */
	uint64_t	 auxhash;	/* XXH3_64bits of the stem */
	uint16_t	 tf[NFIELDS];
	uint8_t		 pt;		/* in the page title */
};

struct wtab {
	uint32_t	*slot;		/* entry index + 1, 0: empty */
	size_t		 cap;		/* a power of two */
	struct wentry	*e;
	size_t		 n, cape;
	struct buf	 keys;
};

static void
wtab_reset(struct wtab *t)
{
	size_t	 i, j;

	/* Newest first: an entry's probe chain only crosses older entries,
	 * which are still in place when it is looked for. */
	for (i = t->n; i-- > 0; ) {
		j = (size_t)t->e[i].hash & (t->cap - 1);
		while (t->slot[j] != i + 1)
			j = (j + 1) & (t->cap - 1);
		t->slot[j] = 0;
	}
	t->n = 0;
	buf_reset(&t->keys);
}

static void
wtab_free(struct wtab *t)
{
	free(t->slot);
	free(t->e);
	buf_free(&t->keys);
}

static void
wtab_grow(struct wtab *t)
{
	size_t	 i, j;

	free(t->slot);
	t->cap = t->cap ? t->cap * 2 : 256;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < t->n; i++) {
		j = (size_t)t->e[i].hash & (t->cap - 1);
		while (t->slot[j] != 0)
			j = (j + 1) & (t->cap - 1);
		t->slot[j] = (uint32_t)i + 1;
	}
}

/* The slot of key (klen bytes, hash h: the same function for every key of
 * the table): its entry's, or the empty one where it would go.  The table
 * has room (cap > 0). */
static size_t
wtab_slot(const struct wtab *t, const char *key, size_t klen, uint64_t h)
{
	size_t		 j;
	const struct wentry *e;

	for (j = (size_t)h & (t->cap - 1); t->slot[j] != 0;
	    j = (j + 1) & (t->cap - 1)) {
		e = &t->e[t->slot[j] - 1];
		if (e->hash == h && e->klen == klen &&
		    memcmp(t->keys.data + e->key, key, klen) == 0)
			break;
	}
	return j;
}

/* The entry for key, or NULL. */
static struct wentry *
wtab_find(const struct wtab *t, const char *key, size_t klen, uint64_t h)
{
	size_t	 j;

	if (t->cap == 0)
		return NULL;
	j = wtab_slot(t, key, klen, h);
	return t->slot[j] != 0 ? &t->e[t->slot[j] - 1] : NULL;
}

/* The entry for key, added with zero counts if new. */
static struct wentry *
wtab_get(struct wtab *t, const char *key, size_t klen, uint64_t h,
    int *added)
{
	size_t		 j;
	struct wentry	*e;

	if ((t->n + 1) * 2 > t->cap)
		wtab_grow(t);
	j = wtab_slot(t, key, klen, h);
	if (added)
		*added = t->slot[j] == 0;
	if (t->slot[j] != 0)
		return &t->e[t->slot[j] - 1];
	t->e = xreallocarray(t->e, t->n + 1, sizeof(*t->e), &t->cape);
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->key = (uint32_t)t->keys.len;
	e->klen = (uint32_t)klen;
	buf_grow(&t->keys, klen + 1);
	memcpy(t->keys.data + t->keys.len, key, klen);
	t->keys.len += klen;
	t->keys.data[t->keys.len++] = '\0';	/* the key's end */
	t->keys.data[t->keys.len] = '\0';	/* the buffer's */
	t->slot[j] = (uint32_t)++t->n;
	return e;
}

/* ------------------------------------------------------ per-page records */

/*
 * What a worker makes of one page, for the merge:
 *   terms: per section, varint count, then per term: varint length, the
 *          stem, its hash (8 bytes, XXH3: the merge needs it too), a byte
 *          of small counts (title 2 bits, heading 2 bits, tags and
 *          description 3 bits, page title 1 bit), varint body count
 *   lens:  per section, varint token counts: body, heading, title, meta
 *   disp:  per section, its chunk record ["anchor","heading","excerpt"]
 *   surf:  "word\0stem\0" and the stem's hash (8 bytes) for every folded
 *          word that differs from its stem
 */
struct sdoc {
	char		*header;	/* ["url","title","label",kind,[ */
	size_t		 nsecs;
	struct buf	 terms, lens, disp, surf;
	size_t		*doff;		/* nsecs + 1 offsets into disp */
	char		*title_key;	/* folded title words, or NULL */
};

static struct sdoc skipped;		/* a page left out of the index */

static void
sdoc_free(struct sdoc *d)
{
	if (d == NULL || d == &skipped)
		return;
	free(d->header);
	buf_free(&d->terms);
	buf_free(&d->lens);
	buf_free(&d->disp);
	buf_free(&d->surf);
	free(d->doff);
	free(d->title_key);
	free(d);
}

/* ------------------------------------------------------------ the index */

/*
 * A run of a term's postings, from one group's partial, read where it
 * lies (in the pack's mapping, or in the partial just built): the first
 * posting's section, then the rest of the run as the partial has them
 * (varint section delta, counts byte, varint body count).
 */
struct pseg {
	struct pseg	*next;
	const unsigned char *p;		/* the first posting's counts byte */
	uint32_t	 len;		/* bytes at p */
	uint32_t	 first;		/* the first posting's section id + 1 */
};

#define PSEG_BLOCK	4096		/* psegs allocated at a time */

struct term {
	uint64_t	 hash;		/* of the key */
	uint32_t	 key, klen;	/* in idx->keys */
	uint32_t	 df;
	uint32_t	 surf;		/* first of its surface forms, 0: none */
	uint32_t	 nsurf;
	struct pseg	*post, *tail;	/* its postings, in section order */
};

struct surf {
	uint32_t	 key, klen;	/* in idx->keys */
	uint32_t	 next;
	uint32_t	 pages;		/* that show it (all of them when the
					   list is not full) */
};

struct title {
	char		*key;
	uint32_t	 sid;
};

struct tagacc {
	char		*name;
	uint32_t	*v;		/* first section, count, ... */
	size_t		 n, cap;
	size_t		 pages;
};

/*
 * A group of consecutive pages, merged on its own first (groups of
 * pages, below).
 */
struct group {
	size_t		 first, end;	/* its pages: [first, end) */
	uint64_t	 key;		/* its partial's in the pack, or 0 */
	const unsigned char *kept;	/* that partial, found sound, or NULL */
	size_t		 keptlen;
	size_t		 scan;		/* its pages before this one are ready */
};

/* A term of the group being merged: its postings, numbered from the
 * group's first section, and its first surface forms. */
struct gterm {
	uint32_t	 df;
	uint32_t	 last;		/* last section in the group + 1 */
	struct buf	 post;
	uint32_t	 nsurf;
	uint32_t	 surf[SEARCH_MAX_SURFACES];	/* in surfkeys */
	uint32_t	 surflen[SEARCH_MAX_SURFACES];
	uint32_t	 surfpages[SEARCH_MAX_SURFACES];	/* showing it */
};

struct group_builder {
	struct wtab	 tab;		/* stem -> the gterm of its index */
	struct gterm	*t;
	size_t		 ninit, cap;	/* gterms made (with buffers), room */
	struct buf	 surfkeys;
	struct buf	 out;		/* the partial */
	size_t		*doff;		/* a kept page's offsets, widened */
	size_t		 capdoff;
};

/* The last build's index, as the kept index (below) holds it. */
struct kept_page {
	uint64_t	 rkey, pkey;
	uint64_t	 ident;		/* page_ident: which page it is */
	uint64_t	 tags;		/* tags_hash */
	uint32_t	 nsecs, text_len, hlen;
};

struct kept {
	struct kept_page *pages;
	size_t		 npages, nsecs;
	uint32_t	*dlen;
	double		 lensum[NFIELDS];
	uint64_t	 lencount[NFIELDS];
	uint32_t	*chunk_secs, *chunk_names;
	uint64_t	*chunk_keys;
	size_t		 nchunks;
	uint32_t	 tags_name;
	uint64_t	 tags_key;
	struct tagacc	*tags;		/* names in the pack's mapping */
	size_t		 ntags;
	int		 tags_kept;	/* the tag file stands (kept_use) */
	struct title	*titles;	/* keys in the pack's mapping */
	size_t		 ntitles;
	const char	*recs;
	size_t		 recslen;
	/* The pages now against the kept ones (kept_open) */
	size_t		*oldof;		/* by page now: its kept page, or
					   SIZE_MAX (new) */
	size_t		*nowof;		/* by kept page: its page now, or
					   SIZE_MAX (gone) */
	unsigned char	*changed;	/* by page now: its record is made
					   (changed or new) */
	size_t		 nchanged, ngone;	/* indexed pages */
	size_t		 nedits;	/* indexed pages changed, added or
					   removed, then or now */
	/* Sections, then and now (kept_patch) */
	uint32_t	*obase;		/* by kept page: its first section */
	uint32_t	*nbase;		/* by page now: its first section */
	uint32_t	*nsecs_now;	/* by page now: its sections */
	uint32_t	*sidmap;	/* by kept section: the section it is
					   now, or UINT32_MAX when its page
					   changed or is gone */
	size_t		 nsecs_now_total;
	struct pagenum	 opn;		/* the kept sections' pages' places */
	uint32_t	*place_now;	/* by kept place: its page's first
					   section now, or UINT32_MAX when
					   the page changed or is gone */
	uint32_t	*moved;		/* by kept place: its page's place
					   now, or UINT32_MAX as above */
	uint32_t	 settled;	/* the first kept place from which on
					   every page moves as much as it */
	int		 shifted;	/* some kept page has another place
					   (the kept postings name others) */
};

struct search_index {
	const struct site *site;
	const struct out_dir *out;
	struct pack	*pack;		/* cached records, or NULL */
	const char	*language;
	_Atomic(struct sdoc *) *slots;	/* one per page of the site */
	pthread_mutex_t	 pool_lock;	/* the merged records, for reuse */
	struct sdoc	*pool[SDOC_POOL];
	size_t		 npool;
	pthread_mutex_t	 lock;		/* the merge: everything below */

	struct term	*terms;
	size_t		 nterms, capterms;
	uint32_t	*tslot;		/* term index + 1 */
	size_t		 tcap;
	struct buf	 keys;
	struct surf	*surfs;
	size_t		 nsurfs, capsurfs;

	struct sec	*secs;
	size_t		 nsecs, capsecs;
	double		 lensum[NFIELDS];
	size_t		 lencount[NFIELDS];
	uint32_t	*runs;		/* first section, kind, ... */
	size_t		 nruns, capruns;
	struct title	*titles;
	size_t		 ntitles, captitles;
	struct strmap	 tagmap;	/* name -> struct tagacc */
	struct pagenum	 pn;		/* the sections as the files name
					   them (pagenum_make) */

	struct buf	 chunk;		/* the chunk being filled */
	uint32_t	 chunk_secs;
	const struct page *chunk_page;	/* whose group is open in it */
	size_t		 chunk_target;
	size_t		 text_total;	/* markdown bytes of all pages */
	size_t		 text_done;	/* of the pages merged */
	uint32_t	*chunks;	/* sections in each chunk written */
	uint32_t	*chunk_names;	/* each chunk's name hash */
	size_t		 nchunks, capchunks, capnames;
	size_t		 chunk_bytes;

	/* The whole index reused (reusing an earlier build's index, below) */
	uint64_t	 inputs;	/* what it is made of, or 0: no reuse */
	uint64_t	*rkeys;		/* by page: its record key, or 0 */
	int		 reused;	/* this build keeps the earlier files */
	struct buf	 names;		/* the files written, NUL-separated */
	size_t		 nfiles;
	atomic_size_t	 loaded, made;	/* records from the pack, made now */

	/* Groups of pages (below) */
	struct group	*groups;
	size_t		 ngroups, capgroups;
	uint32_t	*pgroup;	/* by page: its group */
	size_t		 gnext;		/* the next group to merge */
	struct group_builder gb;
	size_t		 groups_kept, groups_made;
	char		**built;	/* the partials made, which psegs read */
	size_t		 nbuilt, capbuilt;
	struct pseg	**pblocks;	/* psegs, PSEG_BLOCK a block */
	size_t		 npblocks, cappblocks, pfree;

	/* The kept index (below) */
	struct kept	*kept;		/* the last build's, to patch, or NULL */
	uint64_t	*pkeys;		/* by page: what the index reads of it
					 * besides its record */
	uint32_t	*psecs, *phlen;	/* by page, as merged: its sections,
					 * its header's length */
	uint32_t	*dlen;		/* by section: its excerpt's length */
	size_t		 capdlen;
	uint64_t	*chunk_keys;	/* each chunk's file key */
	size_t		 capckeys;
	uint32_t	 tags_name;
	uint64_t	 tags_key;
	size_t		 nterms_out;	/* terms written */
	size_t		 tags_bytes;
	size_t		 patched_terms;
	const char	*why;		/* the kept index was not patched */

	int		 ok;
	int		 threads;	/* for finishing */
	int		 stats;		/* PORCH_SEARCH_STATS is set */
	double		 collect_ms, merge_ms;	/* CPU time, all threads */
	size_t		 shard_bytes, nshards, root_bytes;
};

struct search_worker {
	struct search_index *idx;
	struct tokenizer *tok;		/* NULL until worker_tok */
	struct wtab	 acc;		/* the section's terms */
	struct wtab	 surf;		/* the page's surface forms */
	struct wtab	 title;		/* the page title's terms */
	int		 field;
	uint32_t	 len[NFIELDS];
	struct buf	 key;		/* the title key being built */
	struct buf	 tmp;
	struct buf	 keybuf;	/* a record's cache key's bytes */
	struct buf	 rec;		/* a record being stored */
	double		 ms;
};

/* The calling thread's CPU time, for PORCH_SEARCH_STATS; 0 when the
 * figures are not wanted.  The thread clock is a system call, not a read
 * of the vDSO, and the index asked for it four times a page: 4% of a
 * build that reuses every page. */
static double
cpu_ms(const struct search_index *idx)
{
	struct timespec	 ts;

	if (!idx->stats)
		return 0;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A zeroed page record, recycled when one is free.  The caller owns it
 * (sdoc_recycle or sdoc_free). */
static struct sdoc *
sdoc_new(struct search_index *idx)
{
	struct sdoc	*d = NULL;

	pthread_mutex_lock(&idx->pool_lock);
	if (idx->npool > 0)
		d = idx->pool[--idx->npool];
	pthread_mutex_unlock(&idx->pool_lock);
	return d != NULL ? d : xcalloc(1, sizeof(*d));
}

/* Takes back d (merged, or NULL, or &skipped): empties it and keeps it
 * for sdoc_new, or frees it when the pool is full. */
static void
sdoc_recycle(struct search_index *idx, struct sdoc *d)
{
	if (d == NULL || d == &skipped)
		return;
	free(d->header);
	free(d->doff);
	free(d->title_key);
	d->header = NULL;
	d->doff = NULL;
	d->title_key = NULL;
	d->nsecs = 0;
	buf_reset(&d->terms);
	buf_reset(&d->lens);
	buf_reset(&d->disp);
	buf_reset(&d->surf);
	pthread_mutex_lock(&idx->pool_lock);
	if (idx->npool < SDOC_POOL) {
		idx->pool[idx->npool++] = d;
		d = NULL;
	}
	pthread_mutex_unlock(&idx->pool_lock);
	sdoc_free(d);
}

static void reuse_earlier(struct search_index *);
static int keep_file(struct search_index *, const char *, uint64_t);
static int kept_open(struct search_index *);
static void kept_free(struct kept *);
static void make_groups(struct search_index *);
static void find_kept_groups(struct search_index *);

struct search_index *
search_new(const struct site *s, const struct out_dir *o, struct pack *pack,
    int threads)
{
	struct search_index *idx = xcalloc(1, sizeof(*idx));
	size_t		 i;

	idx->site = s;
	idx->out = o;
	idx->pack = pack;
	idx->threads = threads > 0 ? threads : 1;
	idx->language = s->cfg.language;
	idx->slots = xcalloc(s->npages ? s->npages : 1, sizeof(*idx->slots));
	idx->psecs = xcalloc(s->npages ? s->npages : 1, sizeof(*idx->psecs));
	idx->phlen = xcalloc(s->npages ? s->npages : 1, sizeof(*idx->phlen));
	pthread_mutex_init(&idx->lock, NULL);
	pthread_mutex_init(&idx->pool_lock, NULL);
	idx->ok = 1;
	idx->stats = getenv("PORCH_SEARCH_STATS") != NULL;
	for (i = 0; i < s->npages; i++)
		if (s->pages[i]->source != NULL)
			idx->text_total += s->pages[i]->text_len;
	idx->chunk_target = CHUNK_MIN_BYTES;
	make_groups(idx);
	reuse_earlier(idx);
	return idx;
}

struct search_worker *
search_worker_new(struct search_index *idx)
{
	struct search_worker *w = xcalloc(1, sizeof(*w));

	w->idx = idx;
	return w;
}

void
search_worker_free(struct search_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->idx->lock);
	w->idx->collect_ms += w->ms;
	pthread_mutex_unlock(&w->idx->lock);
	tok_free(w->tok);
	wtab_free(&w->acc);
	wtab_free(&w->surf);
	wtab_free(&w->title);
	buf_free(&w->key);
	buf_free(&w->tmp);
	buf_free(&w->rec);
	buf_free(&w->keybuf);
	free(w);
}

/* ------------------------------------------------------------ collecting */

/* The worker's tokenizer, made when it first has a page to read: a build
 * whose pages all come from the pack makes none, and loads no stemmer
 * (stemlib.h). */
static struct tokenizer *
worker_tok(struct search_worker *w)
{
	if (w->tok == NULL)
		w->tok = tok_new(w->idx->language);
	return w->tok;
}

/* Counts a word in the current field of the current section. */
static void
count_word(void *ctx, const char *word, size_t wlen, const char *stem,
    size_t slen, int flags)
{
	struct search_worker *w = ctx;
	struct wentry	*e;
	int		 added;

	if (flags & TOK_STOP)
		return;
	e = wtab_get(&w->acc, stem, slen, tok_stem_hash(w->tok), NULL);
	if (e->tf[w->field] < UINT16_MAX)
		e->tf[w->field]++;
	w->len[w->field]++;
	if (!(flags & TOK_SEEN) &&
	    (wlen != slen || memcmp(word, stem, wlen) != 0)) {
		e = wtab_get(&w->surf, word, wlen, tok_word_hash(w->tok),
		    &added);
		if (added) {
			e->aux = (uint32_t)w->surf.keys.len;
			e->alen = (uint32_t)slen;
			e->auxhash = tok_stem_hash(w->tok);
			buf_append(&w->surf.keys, stem, slen);
			buf_putc(&w->surf.keys, '\0');
		}
	}
}

/* The page title: its terms, and its folded words for exact matches. */
static void
title_word(void *ctx, const char *word, size_t wlen, const char *stem,
    size_t slen, int flags)
{
	struct search_worker *w = ctx;
	struct wentry	*e;

	if (flags & TOK_STOP)
		return;
	if (w->key.len)
		buf_putc(&w->key, ' ');
	buf_append(&w->key, word, wlen);
	e = wtab_get(&w->title, stem, slen, tok_stem_hash(w->tok), NULL);
	if (e->tf[F_TITLE] < UINT16_MAX)
		e->tf[F_TITLE]++;
	count_word(ctx, word, wlen, stem, slen, flags);
}

static void
count_text(struct search_worker *w, int field, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	w->field = field;
	tok_text(worker_tok(w), s, strlen(s), count_word, w);
}

/* The first SEARCH_EXCERPT_CHARS code points of text, cut at a space. */
static void
put_excerpt(struct buf *b, const char *text)
{
	size_t	 i = 0, n = 0, cut = 0, len;

	if (text == NULL) {
		buf_puts(b, "\"\"");
		return;
	}
	len = strlen(text);
	while (i < len && n < SEARCH_EXCERPT_CHARS) {
		if (text[i] == ' ')
			cut = i;
		i++;
		while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	if (i >= len) {
		put_json(b, text, len);
		return;
	}
	if (cut < i / 2)
		cut = i;
	while (cut > 0 && strchr(" ,.;:", text[cut - 1]) != NULL)
		cut--;
	{
		struct buf t = { 0 };

		buf_append(&t, text, cut);
		buf_puts(&t, "\xe2\x80\xa6");	/* … */
		put_json(b, t.data, t.len);
		buf_free(&t);
	}
}

/* Moves the counted section into d: terms, lengths, its chunk record. */
static void
end_section(struct search_worker *w, struct sdoc *d, const char *anchor,
    const char *heading, const char *excerpt)
{
	struct wentry	*e;
	unsigned char	*p;
	size_t		 i;
	unsigned	 a;

	/* One grow for the section: each record is at most its key and
	 * TERM_REC_MAX bytes (three varints, the hash, the counts byte). */
	buf_grow(&d->terms, 5 + (size_t)w->acc.keys.len +
	    w->acc.n * TERM_REC_MAX);
	p = (unsigned char *)d->terms.data + d->terms.len;
	p = raw_varint(p, (uint32_t)w->acc.n);
	for (i = 0; i < w->acc.n; i++) {
		e = &w->acc.e[i];
		p = raw_varint(p, e->klen);
		memcpy(p, w->acc.keys.data + e->key, e->klen);
		p += e->klen;
		memcpy(p, &e->hash, sizeof(e->hash));
		p += sizeof(e->hash);
		a = (e->tf[F_TITLE] > 3 ? 3 : e->tf[F_TITLE]) |
		    (e->tf[F_HEAD] > 3 ? 3 : e->tf[F_HEAD]) << 2 |
		    (e->tf[F_META] > 7 ? 7 : e->tf[F_META]) << 4 |
		    (e->pt ? 1 : 0) << 7;
		*p++ = (unsigned char)a;
		p = raw_varint(p, e->tf[F_BODY]);
	}
	d->terms.len = (size_t)(p - (unsigned char *)d->terms.data);
	d->terms.data[d->terms.len] = '\0';
	for (i = 0; i < NFIELDS; i++)
		postcode_put_varint(&d->lens, w->len[i]);
	d->doff[d->nsecs] = d->disp.len;
	buf_putc(&d->disp, '[');
	put_jsons(&d->disp, anchor);
	buf_putc(&d->disp, ',');
	put_jsons(&d->disp, heading);
	buf_putc(&d->disp, ',');
	put_excerpt(&d->disp, excerpt);
	buf_putc(&d->disp, ']');
	d->nsecs++;
	d->doff[d->nsecs] = d->disp.len;
	wtab_reset(&w->acc);
	memset(w->len, 0, sizeof(w->len));
}

static const char *
type_label(enum change_type t)
{
	switch (t) {
	case CHANGE_FEATURE: return "Feature";
	case CHANGE_IMPROVEMENT: return "Improvement";
	case CHANGE_FIX: return "Fix";
	case CHANGE_SECURITY: return "Security";
	default: return NULL;
	}
}

/* The label a result shows: the docs section, "FAQ · Category",
 * "Changelog 4.1.0", the roadmap status ("Shipped in 4.1.0"). */
static char *
label_of(const struct site *s, const struct page *p)
{
	const struct page *a;

	if (p->is_intro)
		return xstrdup(p->section == SECTION_FAQ ? "FAQ" :
		    p->section == SECTION_CHANGELOG ? "Changelog" : "Roadmap");
	switch (p->section) {
	case SECTION_DOCS:
		for (a = p; a->parent != NULL && a->parent != s->docs_root;
		    a = a->parent)
			;
		return xstrdup(a != p || p->is_section ? (a == s->docs_root ?
		    "Docs" : a->title) : "Docs");
	case SECTION_FAQ:
		return p->meta.category ? xasprintf("FAQ \xc2\xb7 %s",
		    p->meta.category) : xstrdup("FAQ");
	case SECTION_CHANGELOG:
		return xasprintf("Changelog %s", p->meta.version ?
		    p->meta.version : "");
	case SECTION_ROADMAP:
		if (p->shipped_in && p->shipped_in->meta.version)
			return xasprintf("Shipped in %s",
			    p->shipped_in->meta.version);
		return xstrdup(roadmap_status_label(p->meta.status) ?
		    roadmap_status_label(p->meta.status) : "Roadmap");
	default:
		return xstrdup("");
	}
}

static int
indexable(const struct page *p)
{
	return p->source != NULL && p->kind != KIND_ALIAS && p->url != NULL &&
	    !p->meta.unsearched;
}

static void merge_ready(struct search_index *, int);

/* ------------------------------------------------------- cached records */

/*
 * A page's record (all of struct sdoc but its header) is kept in the
 * build's pack under the hash of everything collect reads, so an
 * unchanged page is not tokenised again.  The entry: u32 nsecs, nsecs + 1
 * u32 offsets into disp, then terms, lens, disp, surf and the title key
 * (empty: none), each a u32 length and its bytes; terms and surf without
 * the stems' hashes, which were a third of the bytes and are computed
 * again on loading (XXH3_64bits of the stem, as tokenize.c computes
 * them).  Host byte order (the pack's seed names the binary).
 * SREC_FORMAT is part of every key.
 */
static const char SREC_FORMAT[8] = "porchsr2";

/* Feeds s into the key, NULL distinct from "". */
static void
key_str(XXH3_state_t *st, const char *s)
{
	uint32_t n = s == NULL ? UINT32_MAX : (uint32_t)strlen(s);

	XXH3_64bits_update(st, &n, sizeof(n));
	if (s != NULL)
		XXH3_64bits_update(st, s, n);
}

/* The meta strings a page's record counts (NULL: none), in meta[0..5]. */
#define NMETA	6
static void
meta_of(const struct page *p, const char **meta)
{
	meta[0] = p->meta.description;
	meta[1] = p->meta.category;
	meta[2] = p->meta.version;
	meta[3] = p->section == SECTION_CHANGELOG ? type_label(p->meta.type) :
	    NULL;
	meta[4] = p->section == SECTION_ROADMAP ?
	    roadmap_status_label(p->meta.status) : NULL;
	meta[5] = p->shipped_in ? p->shipped_in->meta.version : NULL;
}

/*
 * The keys of a page's record and results are written out into a buffer,
 * each string with its length (NULL distinct from ""), and hashed at
 * once.  What they read of the page's front matter (its title, tags and
 * meta strings) is decided by the front matter's text and the page's
 * section (frontmeta.c), but the version of the release a roadmap item
 * shipped in, another page's: so they hash those, not the strings.
 * index_inputs makes the keys of every page on each build, and reading
 * 10,000 pages' strings, scattered over the heap, was most of its 12-16
 * ms at 10,000 pages.
 */
static void
put_key_str(struct buf *b, const char *s)
{
	uint32_t n = s == NULL ? UINT32_MAX : (uint32_t)strlen(s);

	buf_append(b, &n, sizeof(n));
	if (s != NULL)
		buf_append(b, s, n);
}

static void
put_key_front(struct buf *b, const struct page *p)
{
	uint64_t	 v[2] = { p->front_hash, (uint64_t)p->section };

	buf_append(b, v, sizeof(v));
	put_key_str(b, p->shipped_in ? p->shipped_in->meta.version : NULL);
}

/* The key of p's record: its title, tags, meta strings (its front matter)
 * and markdown body (which decides its sections).  b: a buffer to
 * reuse. */
static uint64_t
srec_key(struct buf *b, const char *language, const struct page *p)
{
	buf_reset(b);
	buf_append(b, SREC_FORMAT, sizeof(SREC_FORMAT));
	put_key_str(b, language);
	put_key_front(b, p);
	buf_append(b, &p->body_hash, sizeof(p->body_hash));
	return XXH3_64bits(b->data, b->len);
}

static void
put_part(struct buf *b, const void *data, size_t len)
{
	rec_put_u32(b, (uint32_t)len);
	buf_append(b, data, len);
}

/* d's term lists (one per section) into out without the stems' hashes. */
static void
terms_unhashed(const struct sdoc *d, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)d->terms.data;
	uint32_t	 n, k, klen;
	size_t		 i;

	for (i = 0; i < d->nsecs; i++) {
		n = get_varint(&p);
		postcode_put_varint(out, n);
		for (k = 0; k < n; k++) {
			klen = get_varint(&p);
			postcode_put_varint(out, klen);
			buf_append(out, p, klen);
			p += klen + sizeof(uint64_t);
			buf_putc(out, (char)*p++);
			postcode_put_varint(out, get_varint(&p));
		}
	}
}

/* d's surface forms into out without the stems' hashes. */
static void
surf_unhashed(const struct sdoc *d, struct buf *out)
{
	const char	*sp = d->surf.data, *end = sp + d->surf.len;
	size_t		 wlen, slen;

	while (sp != NULL && sp < end) {
		wlen = strlen(sp);
		slen = strlen(sp + wlen + 1);
		buf_append(out, sp, wlen + slen + 2);
		sp += wlen + slen + 2 + sizeof(uint64_t);
	}
}

/* Stores d's record under key for later builds. */
static void
srec_store(struct search_worker *w, uint64_t key, const struct sdoc *d)
{
	struct buf	*b = &w->rec, *t = &w->tmp;
	size_t		 i;

	buf_reset(b);
	rec_put_u32(b, (uint32_t)d->nsecs);
	for (i = 0; i <= d->nsecs; i++)
		rec_put_u32(b, (uint32_t)d->doff[i]);
	buf_reset(t);
	terms_unhashed(d, t);
	put_part(b, t->data, t->len);
	put_part(b, d->lens.data, d->lens.len);
	put_part(b, d->disp.data, d->disp.len);
	buf_reset(t);
	surf_unhashed(d, t);
	put_part(b, t->data, t->len);
	put_part(b, d->title_key, d->title_key ? strlen(d->title_key) : 0);
	pack_put(w->idx->pack, key, b->data, b->len);
}

/* Appends the next part to b (which may stay without a buffer when the
 * part is empty, as collect leaves it). */
static void
get_part(struct rec_rd *r, struct buf *b)
{
	uint32_t	 n = rec_get_u32(r);
	const unsigned char *p = rec_take(r, n);

	if (p != NULL && n > 0)
		buf_append(b, p, n);
}

/* The next varint before end, or 0 with r->ok cleared. */
static uint32_t
get_varint_in(struct rec_rd *r, const unsigned char *end)
{
	uint32_t	 v = 0;
	int		 shift;

	for (shift = 0; r->ok && r->p < end && shift <= 28; shift += 7) {
		v |= (uint32_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	r->ok = 0;
	return 0;
}

/* The next part, nsecs term lists without hashes, into d->terms with
 * them (terms_unhashed undone). */
static void
get_terms(struct rec_rd *r, size_t nsecs, struct sdoc *d)
{
	const unsigned char *end;
	unsigned char	*out;
	uint32_t	 len = rec_get_u32(r), n, k, klen;
	uint64_t	 h;
	size_t		 i;

	if (!r->ok || (size_t)(r->end - r->p) < len) {
		r->ok = 0;
		return;
	}
	end = r->p + len;
	/* One grow: a stored term takes at least 3 bytes (the key may be
	 * empty) and gains its 8-byte hash. */
	buf_grow(&d->terms, (size_t)len / 3 * (3 + sizeof(h)) + 8);
	out = (unsigned char *)d->terms.data + d->terms.len;
	for (i = 0; i < nsecs && r->ok; i++) {
		n = get_varint_in(r, end);
		out = raw_varint(out, n);
		for (k = 0; k < n && r->ok; k++) {
			klen = get_varint_in(r, end);
			if (!r->ok || (size_t)(end - r->p) < (size_t)klen + 1) {
				r->ok = 0;
				break;
			}
			h = XXH3_64bits(r->p, klen);
			out = raw_varint(out, klen);
			memcpy(out, r->p, klen);
			memcpy(out + klen, &h, sizeof(h));
			out += klen + sizeof(h);
			r->p += klen;
			*out++ = *r->p++;
			out = raw_varint(out, get_varint_in(r, end));
		}
	}
	d->terms.len = (size_t)(out - (unsigned char *)d->terms.data);
	d->terms.data[d->terms.len] = '\0';
	if (r->p != end)
		r->ok = 0;
}

/* The next part, surface forms without hashes, into d->surf with them. */
static void
get_surf(struct rec_rd *r, struct sdoc *d)
{
	const char	*sp, *end, *w, *stem;
	uint32_t	 len = rec_get_u32(r);
	uint64_t	 h;

	if (!r->ok || (size_t)(r->end - r->p) < len) {
		r->ok = 0;
		return;
	}
	sp = (const char *)r->p;
	end = sp + len;
	r->p += len;
	while (sp < end) {
		w = sp;
		if ((stem = memchr(w, '\0', (size_t)(end - w))) == NULL ||
		    (sp = memchr(stem + 1, '\0', (size_t)(end - stem - 1))) ==
		    NULL) {
			r->ok = 0;
			return;
		}
		stem++;
		h = XXH3_64bits(stem, (size_t)(sp - stem));
		sp++;
		buf_append(&d->surf, w, (size_t)(sp - w));
		buf_append(&d->surf, &h, sizeof(h));
	}
}

/* Fills d from the entry of key; 1 when there was a sound one (else d is
 * left empty for collect). */
static int
srec_load(struct search_index *idx, uint64_t key, struct sdoc *d)
{
	struct rec_rd	 r;
	struct buf	 title = { 0 };
	const void	*entry;
	size_t		 len, i, n;

	if ((entry = pack_get(idx->pack, key, &len)) == NULL)
		return 0;
	rec_init(&r, entry, len);
	n = rec_get_u32(&r);
	if (!r.ok || n >= (len - 4) / 4)
		return 0;
	d->doff = xcalloc(n + 2, sizeof(*d->doff));
	for (i = 0; i <= n; i++)
		d->doff[i] = rec_get_u32(&r);
	get_terms(&r, n, d);
	get_part(&r, &d->lens);
	get_part(&r, &d->disp);
	get_surf(&r, d);
	get_part(&r, &title);
	if (r.ok && r.p == r.end && d->doff[n] == d->disp.len) {
		d->nsecs = n;
		d->title_key = title.len > 0 ? buf_take(&title) : NULL;
		buf_free(&title);
		return 1;
	}
	buf_free(&title);
	free(d->doff);
	d->doff = NULL;
	buf_reset(&d->terms);
	buf_reset(&d->lens);
	buf_reset(&d->disp);
	buf_reset(&d->surf);
	return 0;
}

/* --------------------------------------- reusing an earlier build's index */

/*
 * The index is made of every page's record and, beside it, what the merge
 * reads of the page itself: whether it is indexed, its URL, title, label
 * and section (its results' header), its file's length (the excerpt
 * chunks' size target); and of the site: the base path and the language.
 * When all of that is an earlier build's, so is every byte of the index.
 * So each search file is written under a render key (cache.h) made of
 * those inputs and its name, and the pack keeps the list of the names
 * under the inputs: a build with the same inputs keeps every file, reads
 * no record and merges nothing (a build where nothing changed, or only a
 * template, an asset or a static file).  INDEX_FORMAT is in the inputs.
 */
static const char INDEX_FORMAT[8] = "porchix2";

/* Adds page i to the key of its group g: what a group's partial is made
 * of besides the records (its header: hdr, header_key's, 0 when it is not
 * indexed), and where in the group it is. */
static void
group_key_add(XXH3_state_t *gst, const struct group *g, size_t i,
    const struct page *p, uint64_t rkey, uint64_t hdr)
{
	uint64_t	 v[5] = { i - g->first, rkey != 0, (uint64_t)p->section,
			     rkey, hdr };

	XXH3_64bits_update(gst, v, sizeof(v));
}

/* The hash of what a result shows of p: its URL, title (its front
 * matter) and label. */
static uint64_t
header_key(struct buf *b, const struct page *p, const char *label)
{
	buf_reset(b);
	put_key_str(b, p->url);
	put_key_str(b, label);
	put_key_front(b, p);
	return XXH3_64bits(b->data, b->len);
}

/* What the index reads of page p but its body and its place (v: its
 * place, length, whether indexed, section; hdr: header_key's): its
 * record and results' header, but the words of its sections.  A page
 * whose key and record key are the kept index's is taken from it as it
 * is, wherever it now is (below). */
static uint64_t
page_key(struct buf *b, const struct page *p, const uint64_t v[4],
    uint64_t hdr)
{
	uint64_t	 w[3] = { v[2], v[3], hdr };

	if (!v[2])
		return XXH3_64bits(w, 2 * sizeof(*w));
	buf_reset(b);
	buf_append(b, w, sizeof(w));
	put_key_front(b, p);
	return XXH3_64bits(b->data, b->len);
}

/* The inputs' hash; fills idx->rkeys and idx->pkeys, and each group's
 * key. */
static uint64_t
index_inputs(struct search_index *idx)
{
	const struct site *s = idx->site;
	XXH3_state_t	*st = XXH3_createState(), *gst = XXH3_createState();
	struct buf	 kb = { 0 };
	const struct page *p;
	struct group	*g;
	char		*label;
	uint64_t	 h, hdr, v[6];
	size_t		 i;

	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, INDEX_FORMAT, sizeof(INDEX_FORMAT));
	v[0] = FORMAT_VERSION;
	XXH3_64bits_update(st, v, sizeof(v[0]));
	key_str(st, idx->language);
	key_str(st, s->cfg.base_path);
	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		g = &idx->groups[idx->pgroup[i]];
		if (i == g->first) {
			XXH3_64bits_reset(gst);
			XXH3_64bits_update(gst, GROUP_FORMAT,
			    sizeof(GROUP_FORMAT));
		}
		label = NULL;
		hdr = 0;
		if (p->source == NULL)
			goto next;
		v[0] = i;
		v[1] = p->text_len;
		v[2] = (uint64_t)indexable(p);
		v[3] = (uint64_t)p->section;
		if (v[2]) {
			idx->rkeys[i] = srec_key(&kb, idx->language, p);
			label = label_of(s, p);
			hdr = header_key(&kb, p, label);
		}
		v[4] = idx->rkeys[i];
		v[5] = hdr;
		XXH3_64bits_update(st, v, (v[2] ? 6 : 4) * sizeof(*v));
		idx->pkeys[i] = page_key(&kb, p, v, hdr);
		group_key_add(gst, g, i, p, idx->rkeys[i], hdr);
		free(label);
next:
		if (i + 1 == g->end) {
			g->key = XXH3_64bits_digest(gst);
			g->key += g->key == 0;
		}
	}
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	XXH3_freeState(gst);
	buf_free(&kb);
	return h ? h : 1;
}

/* The pack key of the kept index (below): one per site folder, as the
 * pack is. */
static uint64_t
kept_index_key(void)
{
	static const char name[] = "porch kept search index";

	return XXH3_64bits(name, sizeof(name) - 1);
}

/* 1 when an earlier build made the index of the same inputs and the site
 * folder still holds all its files: they are kept, and so are the page
 * records in the pack (the next edit reads all but one of them). */
static int
keep_earlier(struct search_index *idx)
{
	const struct site *s = idx->site;
	const char	*entry, *name;
	struct rec_rd	 r;
	uint64_t	 key;
	size_t		 len, i;

	if ((entry = pack_get(idx->pack, idx->inputs, &len)) == NULL ||
	    len == 0)
		return 0;
	rec_init(&r, entry, len);
	while (r.ok && r.p < r.end) {
		name = rec_get_str(&r, 0, NULL);
		rec_get(&r, &key, sizeof(key));
		if (!r.ok || !keep_file(idx, name, key))
			return 0;
	}
	for (i = 0; i < s->npages; i++)
		if (idx->rkeys[i] != 0)
			(void)pack_keep(idx->pack, idx->rkeys[i]);
	for (i = 0; i < idx->ngroups; i++)
		if (idx->groups[i].key != 0)
			(void)pack_keep(idx->pack, idx->groups[i].key);
	(void)pack_keep(idx->pack, kept_index_key());
	return 1;
}

static void
reuse_earlier(struct search_index *idx)
{
	const char	*env;

	if (idx->pack == NULL || idx->out->cache == NULL)
		return;
	idx->rkeys = xcalloc(idx->site->npages ? idx->site->npages : 1,
	    sizeof(*idx->rkeys));
	idx->pkeys = xcalloc(idx->site->npages ? idx->site->npages : 1,
	    sizeof(*idx->pkeys));
	idx->inputs = index_inputs(idx);
	idx->reused = keep_earlier(idx);
	if (idx->reused)
		return;
	buf_reset(&idx->names);
	idx->nfiles = 0;
	/* PORCH_SEARCH_PATCH=0: never patch (the groups' test merges). */
	if ((env = getenv("PORCH_SEARCH_PATCH")) != NULL &&
	    strcmp(env, "0") == 0)
		find_kept_groups(idx);
	else if (!kept_open(idx))
		find_kept_groups(idx);
}

/*
 * Tokenises and counts p (its title, tags and meta strings meta[0..nmeta),
 * its sections in doc) into d: everything of the record but its header.
 */
static void
collect(struct search_worker *w, const struct page *p,
    const char *const *meta, size_t nmeta, const struct md_doc *doc,
    struct sdoc *d)
{
	const char	*intro = NULL;
	size_t		 i, first = 0, title_len;

	d->doff = xcalloc(doc->nsections + 2, sizeof(*d->doff));
	/* The page itself: title, tags and description, the text before
	 * the first h2. */
	tok_new_epoch(worker_tok(w));
	buf_reset(&w->key);
	w->field = F_TITLE;
	tok_text(w->tok, p->title, strlen(p->title), title_word, w);
	title_len = w->len[F_TITLE];
	if (w->key.len)
		d->title_key = xstrdup(w->key.data);
	for (i = 0; i < p->meta.tags.n; i++)
		count_text(w, F_META, p->meta.tags.v[i]);
	for (i = 0; i < nmeta; i++)
		count_text(w, F_META, meta[i]);
	if (doc->nsections > 0 && doc->sections[0].id == NULL) {
		intro = doc->sections[0].text;
		count_text(w, F_BODY, intro);
		first = 1;
	}
	end_section(w, d, "", "", intro && *intro ? intro :
	    p->meta.description);

	for (i = first; i < doc->nsections; i++) {
		const struct md_section *sec = &doc->sections[i];
		size_t k;

		count_text(w, F_HEAD, sec->heading);
		count_text(w, F_BODY, sec->text);
		for (k = 0; k < w->title.n; k++) {
			struct wentry *t = &w->title.e[k];

			wtab_get(&w->acc, w->title.keys.data + t->key, t->klen,
			    t->hash, NULL)->pt = 1;
		}
		w->len[F_TITLE] = (uint32_t)title_len;
		end_section(w, d, sec->id, sec->heading, sec->text);
	}
	for (i = 0; i < w->surf.n; i++) {
		struct wentry *e = &w->surf.e[i];

		buf_append(&d->surf, w->surf.keys.data + e->key, e->klen + 1);
		buf_append(&d->surf, w->surf.keys.data + e->aux, e->alen + 1);
		buf_append(&d->surf, &e->auxhash, sizeof(e->auxhash));
	}
	wtab_reset(&w->surf);
	wtab_reset(&w->title);
}

/* The header of p's results in the excerpt chunks: its URL, title,
 * label and kind, and the opening of its sections' list. */
static char *
record_header(const struct site *s, const struct page *p)
{
	struct buf	 h = { 0 };
	char		*label = label_of(s, p);

	buf_putc(&h, '[');
	put_jsons(&h, p->url);
	buf_putc(&h, ',');
	put_jsons(&h, p->title);
	buf_putc(&h, ',');
	put_jsons(&h, label);
	buf_printf(&h, ",%d,[", (int)p->section);
	free(label);
	return buf_take(&h);
}

/* p's record (its header too): from the pack, or made from doc (NULL:
 * from its body); &skipped when p is not indexed or its body cannot be
 * read (reported). */
static struct sdoc *
page_record(struct search_worker *w, struct page *p,
    const struct md_doc *doc)
{
	struct search_index *idx = w->idx;
	struct sdoc	*d;
	const char	*meta[NMETA];
	uint64_t	 key = 0;

	if (!indexable(p))
		return &skipped;
	d = sdoc_new(idx);
	d->header = record_header(idx->site, p);
	meta_of(p, meta);
	if (idx->pack != NULL) {
		key = idx->rkeys != NULL ? idx->rkeys[p->index] :
		    srec_key(&w->keybuf, idx->language, p);
		if (srec_load(idx, key, d)) {
			idx->loaded++;
			return d;
		}
	}
	idx->made++;
	if (doc == NULL || doc->sections_omitted) {
		/* No render (pagememo.h), or a cached one without its
		 * sections: they depend on the body alone, so a render
		 * without links gives them. */
		struct md_doc again;
		const char *body;
		size_t len;

		if ((body = page_body(p, &len)) == NULL) {
			sdoc_recycle(idx, d);	/* reported; the build fails */
			return &skipped;
		}
		md_render(p->file, body, len, p->body_line, NULL, NULL,
		    &again);
		collect(w, p, meta, NMETA, &again, d);
		md_doc_free(&again);
	} else
		collect(w, p, meta, NMETA, doc, d);
	if (idx->pack != NULL)
		srec_store(w, key, d);
	return d;
}

void
search_add(struct search_worker *w, struct page *p,
    const struct md_doc *doc)
{
	struct search_index *idx = w->idx;
	double		 start = cpu_ms(idx);

	if (idx->reused)
		return;		/* its record is in the files kept */
	if (idx->groups[idx->pgroup[p->index]].kept != NULL ||
	    (idx->kept != NULL && !idx->kept->changed[p->index])) {
		/* Its group's partial is merged instead, or the kept index
		 * patched; the record stays for the next edit. */
		if (idx->rkeys != NULL && idx->rkeys[p->index] != 0)
			(void)pack_keep(idx->pack, idx->rkeys[p->index]);
	} else
		atomic_store_explicit(&idx->slots[p->index],
		    page_record(w, p, doc), memory_order_release);
	w->ms += cpu_ms(idx) - start;
	if (idx->kept != NULL)
		return;		/* patched at the end, nothing merged */
	if (pthread_mutex_trylock(&idx->lock) == 0) {
		merge_ready(idx, 0);
		pthread_mutex_unlock(&idx->lock);
	}
}

/* --------------------------------------------------------------- merging */

static void
terms_grow(struct search_index *idx)
{
	size_t	 i, j;

	free(idx->tslot);
	idx->tcap = idx->tcap ? idx->tcap * 2 : 1 << 14;
	idx->tslot = xcalloc(idx->tcap, sizeof(*idx->tslot));
	for (i = 0; i < idx->nterms; i++) {
		struct term *t = &idx->terms[i];

		j = (size_t)t->hash & (idx->tcap - 1);
		while (idx->tslot[j] != 0)
			j = (j + 1) & (idx->tcap - 1);
		idx->tslot[j] = (uint32_t)i + 1;
	}
}

/* The term for key (hash: XXH3_64bits of it), added when create is set
 * and it is new. */
static struct term *
term_get(struct search_index *idx, const char *key, size_t klen,
    uint64_t hash, int create)
{
	size_t		 j;
	struct term	*t;

	if ((idx->nterms + 1) * 2 > idx->tcap)
		terms_grow(idx);
	for (j = (size_t)hash & (idx->tcap - 1);
	    idx->tslot[j] != 0; j = (j + 1) & (idx->tcap - 1)) {
		t = &idx->terms[idx->tslot[j] - 1];
		if (t->hash == hash && t->klen == klen &&
		    memcmp(idx->keys.data + t->key, key, klen) == 0)
			return t;
	}
	if (!create)
		return NULL;
	idx->terms = xreallocarray(idx->terms, idx->nterms + 1,
	    sizeof(*idx->terms), &idx->capterms);
	t = &idx->terms[idx->nterms];
	memset(t, 0, sizeof(*t));
	t->hash = hash;
	t->key = (uint32_t)idx->keys.len;
	t->klen = (uint32_t)klen;
	buf_append(&idx->keys, key, klen);
	buf_putc(&idx->keys, '\0');
	idx->tslot[j] = (uint32_t)++idx->nterms;
	return t;
}

/* Adds surface form w of t, shown by pages pages, to t's first forms:
 * counted when listed, listed when there is room. */
static void
add_surface(struct search_index *idx, struct term *t, const char *w,
    size_t n, uint32_t pages)
{
	uint32_t	 i;
	struct surf	*s;

	for (i = t->surf; i != 0; i = idx->surfs[i].next)
		if (idx->surfs[i].klen == n &&
		    memcmp(idx->keys.data + idx->surfs[i].key, w, n) == 0) {
			idx->surfs[i].pages += pages;
			return;
		}
	if (t->nsurf >= SEARCH_MAX_SURFACES)
		return;
	if (idx->nsurfs == 0)
		idx->nsurfs = 1;	/* index 0 means none */
	idx->surfs = xreallocarray(idx->surfs, idx->nsurfs + 1,
	    sizeof(*idx->surfs), &idx->capsurfs);
	s = &idx->surfs[idx->nsurfs];
	s->key = (uint32_t)idx->keys.len;
	s->klen = (uint32_t)n;
	s->pages = pages;
	buf_append(&idx->keys, w, n);
	buf_putc(&idx->keys, '\0');
	s->next = t->surf;
	t->surf = (uint32_t)idx->nsurfs++;
	t->nsurf++;
}

static void
add_tag(struct search_index *idx, const char *name, uint32_t sid,
    uint32_t n)
{
	struct tagacc	*t = strmap_get(&idx->tagmap, name);

	if (t == NULL) {
		t = xcalloc(1, sizeof(*t));
		t->name = xstrdup(name);
		strmap_put(&idx->tagmap, name, t);
	}
	t->v = xreallocarray(t->v, t->n + 2, sizeof(*t->v), &t->cap);
	t->v[t->n++] = sid;
	t->v[t->n++] = n;
	t->pages++;
}

/* Adds search/NAME (its key: write_out) to the list of the files the
 * index is made of: per file a str (record.h) and the key's 8 bytes. */
static void
names_add(struct search_index *idx, const char *name, uint64_t key)
{
	rec_put_str(&idx->names, name, strlen(name));
	buf_append(&idx->names, &key, sizeof(key));
	idx->nfiles++;
}

/* Keeps search/NAME as an earlier build wrote it with key; 0 when the
 * site folder does not hold it so. */
static int
keep_file(struct search_index *idx, const char *name, uint64_t key)
{
	char	*rel = xasprintf("search/%s", name);
	int	 ok = cache_keep(idx->out->cache, rel, key);

	free(rel);
	if (ok)
		names_add(idx, name, key);
	return ok;
}

/* The names of chunk i and of the tag file, with their name hashes. */
static char *
chunk_file(size_t i, uint32_t hash)
{
	return xasprintf("c%zu.%08" PRIx32 ".json", i, hash);
}

static char *
tags_file(uint32_t hash)
{
	return xasprintf("t.%08" PRIx32 ".json", hash);
}

/*
 * The hash in a search file's name: 32 bits of the XXH3 of its bytes.
 * Each file is named by its own bytes (the root lists the names), so an
 * edit renames, rewrites and compresses only the files it changed, and
 * every other file keeps its name and stays cached in browsers and CDNs.
 */
static uint32_t
name_hash(const struct buf *b)
{
	return (uint32_t)XXH3_64bits(b->data ? b->data : "", b->len);
}

/* The key of a file of b's bytes: a hash of them, never 0. */
static uint64_t
file_key(const struct buf *b)
{
	uint64_t	 key = XXH3_64bits(b->data ? b->data : "", b->len);

	return key + (key == 0);
}

/* Writes b as search/NAME under key; 0 when that failed.  Thread-safe. */
static int
write_keyed(struct search_index *idx, const char *name, const struct buf *b,
    uint64_t key)
{
	char		*rel = xasprintf("search/%s", name);
	int		 ok = out_write_keyed(idx->out, rel,
			    b->data ? b->data : "", b->len, key);

	free(rel);
	return ok;
}

/* Writes search/NAME and remembers its name and key (a hash of its
 * bytes: a later build keeps the file by it, keep_earlier and the kept
 * index).  Returns the key. */
static uint64_t
write_out(struct search_index *idx, const char *name, const struct buf *b)
{
	uint64_t	 key = file_key(b);

	if (!write_keyed(idx, name, b, key))
		idx->ok = 0;
	names_add(idx, name, key);
	return key;
}

static void
chunk_close_group(struct search_index *idx)
{
	if (idx->chunk_page != NULL)
		buf_puts(&idx->chunk, "]]");
	idx->chunk_page = NULL;
}

static void
chunk_flush(struct search_index *idx)
{
	char		*name;

	if (idx->chunk_secs == 0)
		return;
	chunk_close_group(idx);
	buf_putc(&idx->chunk, ']');
	idx->chunks = xreallocarray(idx->chunks, idx->nchunks + 1,
	    sizeof(*idx->chunks), &idx->capchunks);
	idx->chunks[idx->nchunks] = idx->chunk_secs;
	idx->chunk_names = xreallocarray(idx->chunk_names, idx->nchunks + 1,
	    sizeof(*idx->chunk_names), &idx->capnames);
	idx->chunk_names[idx->nchunks] = name_hash(&idx->chunk);
	name = chunk_file(idx->nchunks, idx->chunk_names[idx->nchunks]);
	idx->chunk_keys = xreallocarray(idx->chunk_keys, idx->nchunks + 1,
	    sizeof(*idx->chunk_keys), &idx->capckeys);
	idx->chunk_keys[idx->nchunks] = write_out(idx, name, &idx->chunk);
	idx->nchunks++;
	free(name);
	idx->chunk_bytes += idx->chunk.len;
	buf_reset(&idx->chunk);
	idx->chunk_secs = 0;
}

/* Adds section i of d (page p) to the chunk being filled. */
static void
chunk_add(struct search_index *idx, const struct page *p,
    const struct sdoc *d, size_t i)
{
	if (idx->chunk_page != p) {
		chunk_close_group(idx);
		buf_putc(&idx->chunk, idx->chunk.len ? ',' : '[');
		buf_puts(&idx->chunk, d->header);
		idx->chunk_page = p;
	} else
		buf_putc(&idx->chunk, ',');
	buf_append(&idx->chunk, d->disp.data + d->doff[i],
	    d->doff[i + 1] - d->doff[i]);
	idx->chunk_secs++;
	/* A long page may fill a chunk on its own; otherwise chunks end
	 * between pages, which keeps a page's sections together. */
	if (idx->nchunks + 1 < SEARCH_MAX_CHUNKS &&
	    (idx->chunk.len >= 2 * idx->chunk_target ||
	    (i + 1 == d->nsecs && idx->chunk.len >= idx->chunk_target)))
		chunk_flush(idx);
}

/*
 * Chunks are written while pages merge, before the total is known: the
 * target size projects the excerpt bytes so far over the markdown still to
 * come, so the chunks fill SEARCH_MAX_CHUNKS (less a margin) and no more.
 */
static void
set_chunk_target(struct search_index *idx, const struct page *p)
{
	double	 done, total;

	idx->text_done += p->text_len;
	if (idx->text_done == 0)
		return;
	done = (double)(idx->chunk_bytes + idx->chunk.len);
	total = done / (double)idx->text_done * (double)idx->text_total;
	idx->chunk_target = (size_t)(total / (SEARCH_MAX_CHUNKS - 16));
	if (idx->chunk_target < CHUNK_MIN_BYTES)
		idx->chunk_target = CHUNK_MIN_BYTES;
}

/* Merges what is p's own of d (its sections' lengths and excerpts, its
 * title and tags); its terms come with its group's (group_merge). */
static void
merge_page(struct search_index *idx, const struct page *p, struct sdoc *d)
{
	const unsigned char *lp = (const unsigned char *)d->lens.data;
	uint32_t	 first = (uint32_t)idx->nsecs;
	struct sec	*sec;
	size_t		 i, f;

	if (idx->nruns == 0 || idx->runs[idx->nruns - 1] != (uint32_t)p->section) {
		idx->runs = xreallocarray(idx->runs, idx->nruns + 2,
		    sizeof(*idx->runs), &idx->capruns);
		idx->runs[idx->nruns++] = first;
		idx->runs[idx->nruns++] = (uint32_t)p->section;
	}
	idx->psecs[p->index] = (uint32_t)d->nsecs;
	idx->phlen[p->index] = (uint32_t)strlen(d->header);
	for (i = 0; i < d->nsecs; i++) {
		idx->dlen = xreallocarray(idx->dlen, idx->nsecs + 1,
		    sizeof(*idx->dlen), &idx->capdlen);
		idx->dlen[idx->nsecs] = (uint32_t)(d->doff[i + 1] - d->doff[i]);
		idx->secs = xreallocarray(idx->secs, idx->nsecs + 1,
		    sizeof(*idx->secs), &idx->capsecs);
		sec = &idx->secs[idx->nsecs++];
		for (f = 0; f < NFIELDS; f++) {
			sec->len[f] = get_varint(&lp);
			if (sec->len[f]) {
				idx->lensum[f] += sec->len[f];
				idx->lencount[f]++;
			}
		}
		chunk_add(idx, p, d, i);
	}
	if (d->title_key != NULL) {
		idx->titles = xreallocarray(idx->titles, idx->ntitles + 1,
		    sizeof(*idx->titles), &idx->captitles);
		idx->titles[idx->ntitles].key = d->title_key;
		idx->titles[idx->ntitles++].sid = first;
		d->title_key = NULL;
	}
	for (i = 0; i < p->meta.tags.n; i++)
		add_tag(idx, p->meta.tags.v[i], first, (uint32_t)d->nsecs);
	set_chunk_target(idx, p);
}

/* ------------------------------------------------------- groups of pages */

/*
 * The merge goes by groups of consecutive pages.  A group's pages are
 * merged on their own into a partial index (group_build): each page's own
 * part (header, title key, its sections' lengths and excerpts), then per
 * term its postings within the group, numbered from the group's first
 * section, and its first SEARCH_MAX_SURFACES surface forms with the
 * pages of the group that show each.  The partial is then merged into
 * the index (group_merge).  The index is the one a merge page by page
 * gives: postings are delta-coded, so only a term's
 * first posting in a group is numbered again, and the surface forms a
 * term keeps are the first distinct ones in page order either way.
 *
 * A partial is kept in the pack under a key made of its pages' record
 * keys, headers and places in the group (index_inputs), so an edit to one
 * page merges one group again from its pages' records and takes every
 * other group's partial as it lies in the pack: a few hundred partials
 * merge in a fraction of the time ten thousand pages take.  A group ends
 * after a page whose URL's hash is 0 modulo GROUP_PAGES (or at four times
 * that), so a page added or removed moves no other group's boundaries.
 *
 * A partial: u32 page count; per page: u32 place in the group, u32
 * section count, str header, nstr title key, u32 offsets into its
 * excerpts (sections + 1), part lengths, part excerpts; then u32 term
 * count; per term: str stem, its 8-byte hash, u32 df, u32 last section
 * + 1, part postings (the first numbered from the group's start), u32
 * surface count and a str each.
 */

static void
add_group(struct search_index *idx, size_t first, size_t end)
{
	struct group	*g;

	idx->groups = xreallocarray(idx->groups, idx->ngroups + 1,
	    sizeof(*idx->groups), &idx->capgroups);
	g = &idx->groups[idx->ngroups++];
	memset(g, 0, sizeof(*g));
	g->first = g->scan = first;
	g->end = end;
}

static void
make_groups(struct search_index *idx)
{
	const struct site *s = idx->site;
	const struct page *p;
	const char	*env = getenv("PORCH_SEARCH_GROUP");
	size_t		 i, first = 0, n = 0, per = GROUP_PAGES;

	if (env != NULL && atoi(env) > 0)
		per = (size_t)atoi(env);
	idx->pgroup = xcalloc(s->npages ? s->npages : 1,
	    sizeof(*idx->pgroup));
	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		idx->pgroup[i] = (uint32_t)idx->ngroups;
		if (p->source == NULL)
			continue;
		if (++n < 4 * per && (p->url == NULL ||
		    XXH3_64bits(p->url, strlen(p->url)) % per != 0))
			continue;
		add_group(idx, first, i + 1);
		first = i + 1;
		n = 0;
	}
	if (first < s->npages)
		add_group(idx, first, s->npages);
}

/* 1 when n postings of a part end at section last (sound numbers, all
 * inside it). */
static int
group_check_postings(struct rec_rd *r, uint32_t n, uint32_t last,
    uint32_t nsecs)
{
	const unsigned char *end;
	uint32_t	 len = rec_get_u32(r), sid = 0, delta, i;

	if (!r->ok || (size_t)(r->end - r->p) < len || n == 0)
		return 0;
	end = r->p + len;
	for (i = 0; i < n && r->ok; i++) {
		delta = get_varint_in(r, end);
		if (delta == 0 || delta > nsecs - sid || r->p >= end)
			return 0;
		sid += delta;
		r->p++;		/* the counts byte */
		(void)get_varint_in(r, end);
	}
	return r->ok && r->p == end && sid == last;
}

/* 1 when a page's part of a partial is sound; adds its sections to
 * *nsecs. */
static int
group_check_page(struct rec_rd *r, uint32_t *nsecs)
{
	const unsigned char *end;
	uint32_t	 n = rec_get_u32(r), off = 0, prev = 0, len, i;

	if (rec_get_str(r, 0, NULL) == NULL)
		return 0;
	(void)rec_get_str(r, 1, NULL);
	if (n == 0 || n > (size_t)(r->end - r->p) / 4)
		return 0;
	for (i = 0; i <= n && r->ok; i++) {
		off = rec_get_u32(r);
		if (off < prev)
			return 0;
		prev = off;
	}
	len = rec_get_u32(r);
	if (!r->ok || (size_t)(r->end - r->p) < len)
		return 0;
	end = r->p + len;
	for (i = 0; i < n * NFIELDS && r->ok; i++)
		(void)get_varint_in(r, end);
	if (!r->ok || r->p != end || rec_get_u32(r) != off ||
	    rec_take(r, off) == NULL)
		return 0;
	*nsecs += n;
	return *nsecs >= n;	/* no wrap */
}

/* 1 when the partial of g (len bytes at data) is sound: every count and
 * length inside it, every page one of g's, every posting a section of
 * the group.  The pack's checksum catches damage; this, a wrong entry. */
static int
group_check(const struct search_index *idx, const struct group *g,
    const unsigned char *data, size_t len)
{
	const struct site *s = idx->site;
	struct rec_rd	 r;
	uint32_t	 n, i, k, place, prev = 0, nsecs = 0, df, last, nsurf;

	rec_init(&r, data, len);
	n = (uint32_t)rec_get_count(&r, 16);
	for (i = 0; i < n && r.ok; i++, prev = place) {
		place = rec_get_u32(&r);
		if (place >= g->end - g->first || (i > 0 && place <= prev) ||
		    s->pages[g->first + place]->source == NULL ||
		    !group_check_page(&r, &nsecs))
			return 0;
	}
	n = (uint32_t)rec_get_count(&r, 25);
	for (i = 0; i < n && r.ok; i++) {
		if (rec_get_str(&r, 0, NULL) == NULL ||
		    rec_take(&r, sizeof(uint64_t)) == NULL)
			return 0;
		df = rec_get_u32(&r);
		last = rec_get_u32(&r);
		if (last > nsecs || !group_check_postings(&r, df, last, nsecs))
			return 0;
		nsurf = rec_get_u32(&r);
		if (nsurf > SEARCH_MAX_SURFACES)
			return 0;
		for (k = 0; k < nsurf && r.ok; k++)
			if (rec_get_str(&r, 0, NULL) == NULL ||
			    rec_get_u32(&r) == 0)
				return 0;
	}
	return r.ok && r.p == r.end;
}

/* Group i's partial from the pack, if it is sound (find_kept_groups). */
static void
find_kept_group(void *ctx, size_t i)
{
	struct search_index *idx = ctx;
	struct group	*g = &idx->groups[i];
	const void	*data;
	size_t		 len;

	if (g->key == 0 ||
	    (data = pack_get(idx->pack, g->key, &len)) == NULL ||
	    !group_check(idx, g, data, len))
		return;
	g->kept = data;
	g->keptlen = len;
}

/* Looks up each group's partial in the pack; a sound one spares its
 * pages' records.  On all threads: the pack's checksum and the check read
 * every byte (47 MB at 10,000 pages, a tenth of a body edit). */
static void
find_kept_groups(struct search_index *idx)
{
	parallel_for(idx->ngroups, idx->threads, find_kept_group, idx);
}

/* The gterm of entry i of the builder's table, emptied when just added. */
static struct gterm *
gterm_at(struct group_builder *gb, size_t i, int added)
{
	struct gterm	*t;

	if (i >= gb->ninit) {
		gb->t = xreallocarray(gb->t, i + 1, sizeof(*gb->t), &gb->cap);
		memset(&gb->t[i], 0, sizeof(*gb->t));
		gb->ninit = i + 1;
	}
	t = &gb->t[i];
	if (added) {
		t->df = t->last = t->nsurf = 0;
		buf_reset(&t->post);
	}
	return t;
}

/* Adds d's postings to the builder, its sections numbered from base. */
static void
group_count_terms(struct group_builder *gb, const struct sdoc *d,
    uint32_t base)
{
	const unsigned char *tp = (const unsigned char *)d->terms.data;
	unsigned char	*out;
	uint32_t	 sid, n, k, klen, a, b;
	struct gterm	*t;
	struct wentry	*e;
	uint64_t	 h;
	size_t		 i;
	int		 added;

	for (i = 0; i < d->nsecs; i++) {
		sid = base + (uint32_t)i + 1;
		n = get_varint(&tp);
		for (k = 0; k < n; k++) {
			klen = get_varint(&tp);
			memcpy(&h, tp + klen, sizeof(h));
			e = wtab_get(&gb->tab, (const char *)tp, klen, h,
			    &added);
			tp += klen + sizeof(h);
			a = *tp++;
			b = get_varint(&tp);
			t = gterm_at(gb, (size_t)(e - gb->tab.e), added);
			buf_grow(&t->post, 11);
			out = (unsigned char *)t->post.data + t->post.len;
			out = raw_varint(out, sid - t->last);
			*out++ = (unsigned char)a;
			out = raw_varint(out, b);
			t->post.len = (size_t)(out - (unsigned char *)t->post.data);
			t->last = sid;
			t->df++;
		}
	}
}

/* Adds d's surface forms to their stems' first ones, counting the pages
 * that show each. */
static void
group_count_surfaces(struct group_builder *gb, const struct sdoc *d)
{
	const char	*sp = d->surf.data, *end = sp + d->surf.len, *stem;
	size_t		 wlen, slen, k;
	struct wentry	*e;
	struct gterm	*t;
	uint64_t	 h;

	while (sp != NULL && sp < end) {
		wlen = strlen(sp);
		stem = sp + wlen + 1;
		slen = strlen(stem);
		memcpy(&h, stem + slen + 1, sizeof(h));
		/* A page's forms are of its own stems (each once); the
		 * check mirrors add_surface's. */
		if ((e = wtab_find(&gb->tab, stem, slen, h)) != NULL) {
			t = &gb->t[e - gb->tab.e];
			for (k = 0; k < t->nsurf; k++)
				if (t->surflen[k] == wlen && memcmp(sp,
				    gb->surfkeys.data + t->surf[k], wlen) == 0)
					break;
			if (k < t->nsurf)
				t->surfpages[k]++;
			else if (k < SEARCH_MAX_SURFACES) {
				t->surf[k] = (uint32_t)gb->surfkeys.len;
				t->surflen[k] = (uint32_t)wlen;
				t->surfpages[k] = 1;
				buf_append(&gb->surfkeys, sp, wlen);
				t->nsurf++;
			}
		}
		sp = stem + slen + 1 + sizeof(h);
	}
}

/* Page d's own part of the partial: its place in the group, its header,
 * title key, excerpt offsets, lengths and excerpts. */
static void
group_put_page(struct buf *out, uint32_t place, const struct sdoc *d)
{
	size_t	 i;

	rec_put_u32(out, place);
	rec_put_u32(out, (uint32_t)d->nsecs);
	rec_put_str(out, d->header, strlen(d->header));
	rec_put_str(out, d->title_key, d->title_key != NULL ?
	    strlen(d->title_key) : 0);
	for (i = 0; i <= d->nsecs; i++)
		rec_put_u32(out, (uint32_t)d->doff[i]);
	put_part(out, d->lens.data, d->lens.len);
	put_part(out, d->disp.data, d->disp.len);
}

/* Merges g's pages, whose records are in their slots (NULL: left out),
 * into its partial: idx->gb.out. */
static void
group_build(struct search_index *idx, const struct group *g)
{
	struct group_builder *gb = &idx->gb;
	const struct site *s = idx->site;
	struct buf	*out = &gb->out;
	const struct sdoc *d;
	uint32_t	 npages = 0, base = 0;
	size_t		 i, k;

	buf_reset(out);
	wtab_reset(&gb->tab);
	buf_reset(&gb->surfkeys);
	rec_put_u32(out, 0);		/* the page count, set below */
	for (i = g->first; i < g->end; i++) {
		if (s->pages[i]->source == NULL)
			continue;
		d = atomic_load_explicit(&idx->slots[i], memory_order_acquire);
		if (d == NULL || d == &skipped)
			continue;
		group_put_page(out, (uint32_t)(i - g->first), d);
		group_count_terms(gb, d, base);
		group_count_surfaces(gb, d);
		base += (uint32_t)d->nsecs;
		npages++;
	}
	memcpy(out->data, &npages, sizeof(npages));
	rec_put_u32(out, (uint32_t)gb->tab.n);
	for (i = 0; i < gb->tab.n; i++) {
		const struct wentry *e = &gb->tab.e[i];
		const struct gterm *t = &gb->t[i];

		rec_put_str(out, gb->tab.keys.data + e->key, e->klen);
		buf_append(out, &e->hash, sizeof(e->hash));
		rec_put_u32(out, t->df);
		rec_put_u32(out, t->last);
		put_part(out, t->post.data, t->post.len);
		rec_put_u32(out, t->nsurf);
		for (k = 0; k < t->nsurf; k++) {
			rec_put_str(out, gb->surfkeys.data + t->surf[k],
			    t->surflen[k]);
			rec_put_u32(out, t->surfpages[k]);
		}
	}
}

/* Reads a page's part of a partial (group_check found it sound) into d,
 * which points into the partial but for its title key and offsets. */
static void
group_get_page(struct group_builder *gb, struct rec_rd *r, struct sdoc *d)
{
	const char	*title;
	size_t		 i, len;

	d->nsecs = rec_get_u32(r);
	d->header = (char *)rec_get_str(r, 0, NULL);
	title = rec_get_str(r, 1, NULL);
	d->title_key = title != NULL ? xstrdup(title) : NULL;
	gb->doff = xreallocarray(gb->doff, d->nsecs + 1, sizeof(*gb->doff),
	    &gb->capdoff);
	for (i = 0; i <= d->nsecs; i++)
		gb->doff[i] = rec_get_u32(r);
	d->doff = gb->doff;
	len = rec_get_u32(r);
	d->lens.data = (char *)rec_take(r, len);
	d->lens.len = len;
	len = rec_get_u32(r);
	d->disp.data = (char *)rec_take(r, len);
	d->disp.len = len;
}

/* A new run, from the blocks of idx (freed with it). */
static struct pseg *
pseg_new(struct search_index *idx)
{
	if (idx->pfree == 0) {
		idx->pblocks = xreallocarray(idx->pblocks, idx->npblocks + 1,
		    sizeof(*idx->pblocks), &idx->cappblocks);
		idx->pblocks[idx->npblocks++] = xcalloc(PSEG_BLOCK,
		    sizeof(struct pseg));
		idx->pfree = PSEG_BLOCK;
	}
	return &idx->pblocks[idx->npblocks - 1][PSEG_BLOCK - idx->pfree--];
}

/* Appends a term's postings from a partial (n of them in len bytes) to
 * t; the group starts after section base. */
static void
merge_postings(struct search_index *idx, struct term *t, uint32_t base,
    const unsigned char *post, size_t len, uint32_t n)
{
	struct pseg	*sg = pseg_new(idx);
	const unsigned char *p = post;

	sg->first = base + get_varint(&p);
	sg->p = p;
	sg->len = (uint32_t)(len - (size_t)(p - post));
	sg->next = NULL;
	if (t->tail != NULL)
		t->tail->next = sg;
	else
		t->post = sg;
	t->tail = sg;
	t->df += n;
}

/* Merges g's partial (len sound bytes at data) into the index. */
static void
group_merge(struct search_index *idx, const struct group *g,
    const unsigned char *data, size_t len)
{
	const struct site *s = idx->site;
	struct rec_rd	 r;
	struct sdoc	 d;
	struct term	*t;
	const char	*key;
	const unsigned char *post;
	uint32_t	 base = (uint32_t)idx->nsecs, n, i, k, df, nsurf;
	uint64_t	 h;
	size_t		 klen, plen;

	rec_init(&r, data, len);
	n = rec_get_u32(&r);
	for (i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		k = rec_get_u32(&r);
		group_get_page(&idx->gb, &r, &d);
		merge_page(idx, s->pages[g->first + k], &d);
		free(d.title_key);	/* NULL unless merge_page left it */
	}
	n = rec_get_u32(&r);
	for (i = 0; i < n; i++) {
		key = rec_get_str(&r, 0, &klen);
		rec_get(&r, &h, sizeof(h));
		df = rec_get_u32(&r);
		(void)rec_get_u32(&r);	/* the last section: for the check */
		plen = rec_get_u32(&r);
		post = rec_take(&r, plen);
		t = term_get(idx, key, klen, h, 1);
		merge_postings(idx, t, base, post, plen, df);
		nsurf = rec_get_u32(&r);
		for (k = 0; k < nsurf; k++) {
			key = rec_get_str(&r, 0, &klen);
			add_surface(idx, t, key, klen, rec_get_u32(&r));
		}
	}
}

/* 1 when every page of g is in its slot (the scan resumes where the last
 * one stopped). */
static int
group_ready(struct search_index *idx, struct group *g)
{
	const struct site *s = idx->site;

	for (; g->scan < g->end; g->scan++)
		if (s->pages[g->scan]->source != NULL &&
		    atomic_load_explicit(&idx->slots[g->scan],
		    memory_order_acquire) == NULL)
			return 0;
	return 1;
}

/* Merges the groups that are ready, in site order; with all set, every
 * group left (a page never added counts as left out).  Holds idx->lock. */
static void
merge_ready(struct search_index *idx, int all)
{
	struct group	*g;
	size_t		 i, len;
	double		 start = cpu_ms(idx);

	for (; idx->gnext < idx->ngroups; idx->gnext++) {
		g = &idx->groups[idx->gnext];
		if (g->kept != NULL) {
			group_merge(idx, g, g->kept, g->keptlen);
			idx->groups_kept++;
			continue;
		}
		if (!all && !group_ready(idx, g))
			break;
		group_build(idx, g);
		len = idx->gb.out.len;
		if (g->key != 0)
			pack_put(idx->pack, g->key, idx->gb.out.data, len);
		/* The terms' runs point into it until the end. */
		idx->built = xreallocarray(idx->built, idx->nbuilt + 1,
		    sizeof(*idx->built), &idx->capbuilt);
		idx->built[idx->nbuilt] = buf_take(&idx->gb.out);
		group_merge(idx, g,
		    (const unsigned char *)idx->built[idx->nbuilt++], len);
		idx->groups_made++;
		for (i = g->first; i < g->end; i++) {
			sdoc_recycle(idx, atomic_load_explicit(&idx->slots[i],
			    memory_order_relaxed));
			atomic_store_explicit(&idx->slots[i], NULL,
			    memory_order_relaxed);
		}
	}
	idx->merge_ms += cpu_ms(idx) - start;
}

/* ------------------------------------------------------------- finishing */

/* Decodes t's postings into p (t->df entries) with their impacts. */
static void
score_postings(const struct term *t, struct scorer *sc, struct post *p)
{
	const struct pseg *sg;
	const unsigned char *s, *end;
	uint32_t	 sid, a, i = 0;

	for (sg = t->post; sg != NULL; sg = sg->next) {
		s = sg->p;
		end = s + sg->len;
		for (sid = sg->first; ; sid += get_varint(&s)) {
			a = *s++;
			score_posting(sc, sid - 1, a, get_varint(&s), &p[i++]);
			if (s >= end)
				break;
		}
	}
}

static int
cmp_term_key(const void *a, const void *b, void *arg)
{
	const struct search_index *idx = arg;
	const struct term *x = &idx->terms[*(const uint32_t *)a];
	const struct term *y = &idx->terms[*(const uint32_t *)b];

	return search_strcmp(idx->keys.data + x->key, idx->keys.data + y->key);
}

/*
 * A term as the index keeps it for the next build (the kept index,
 * below), one record per term in key order: str key, u32 df, u32 kept
 * postings n, part of them (varint section delta from 0, rank byte: the
 * best n of the term's by rank, then section, in section order; all of
 * them when n == df), u32 surface count and for each (in key order) a
 * str and u32 the pages that show it, part its dictionary entry as the
 * shard holds it (with a comma).  The pages are all of them unless the
 * list is full (the first forms in section order; a group's partial
 * counts only its first forms).
 */
struct term_rec {
	const char	*key;
	size_t		 klen;
	uint32_t	 df, n;
	const unsigned char *list;
	size_t		 listlen;
	uint32_t	 nsurf;
	const char	*surf[SEARCH_MAX_SURFACES];
	uint32_t	 surfpages[SEARCH_MAX_SURFACES];
	const char	*ent;
	size_t		 entlen;
};

/* Sorts t's surface forms (with their pages) into key order. */
static void
sort_surfaces(struct term_rec *t)
{
	const char	*w;
	uint32_t	 i, j, n;

	for (i = 1; i < t->nsurf; i++) {
		w = t->surf[i];
		n = t->surfpages[i];
		for (j = i; j > 0 && search_strcmp(t->surf[j - 1], w) > 0;
		    j--) {
			t->surf[j] = t->surf[j - 1];
			t->surfpages[j] = t->surfpages[j - 1];
		}
		t->surf[j] = w;
		t->surfpages[j] = n;
	}
}

/* Postings kept beyond those of the entry, so an edit that drops some of
 * a common word's can still tell the best of the rest. */
#define KEEP_EXTRA	SEARCH_MAX_POSTINGS

/* The next term record of r into t; 0 at the end or when malformed. */
static int
term_rec_get(struct rec_rd *r, struct term_rec *t)
{
	uint32_t	 i;

	if (r->p >= r->end || (t->key = rec_get_str(r, 0, &t->klen)) == NULL)
		return 0;
	t->df = rec_get_u32(r);
	t->n = rec_get_u32(r);
	t->listlen = rec_get_u32(r);
	t->list = rec_take(r, t->listlen);
	t->nsurf = rec_get_u32(r);
	if (t->nsurf > SEARCH_MAX_SURFACES)
		return 0;
	for (i = 0; i < t->nsurf; i++) {
		if ((t->surf[i] = rec_get_str(r, 0, NULL)) == NULL)
			return 0;
		t->surfpages[i] = rec_get_u32(r);
	}
	t->entlen = rec_get_u32(r);
	t->ent = (const char *)rec_take(r, t->entlen);
	return r->ok && t->n <= t->df && t->n <= t->listlen / 2 + 1 &&
	    t->entlen > 0;
}

/* Decodes the kept postings of t into p (t->n of them), each at its
 * section now (put_term's encoding, by the kept places), UINT32_MAX for
 * one in a page changed or gone; 0 when they do not decode. */
static int
term_rec_posts(const struct kept *k, const struct term_rec *t,
    struct post *p)
{
	struct rec_rd	 r;
	uint32_t	 i, v, place = UINT32_MAX, sec = 0, base;

	rec_init(&r, t->list, t->listlen);
	for (i = 0; i < t->n; i++) {
		v = get_varint_in(&r, r.end);
		if (v / 2 != 0) {
			place += v / 2;
			sec = 0;
		} else if (!(v & 1))	/* the same section again */
			return 0;
		if (v & 1)
			sec += get_varint_in(&r, r.end) + 1;
		rec_get(&r, &p[i].rank, 1);
		p[i].q = p[i].rank & 63;
		if (!r.ok || place >= k->opn.npages ||
		    sec >= k->opn.first[place + 1] - k->opn.first[place])
			return 0;
		base = k->place_now[place];
		p[i].sid = base == UINT32_MAX ? UINT32_MAX : base + sec;
	}
	return r.ok && r.p == r.end;
}

/* Appends t's surface forms, with the pages of each, to its record. */
static void
put_surfaces(struct buf *rec, const struct term_rec *t)
{
	uint32_t	 i;

	rec_put_u32(rec, t->nsurf);
	for (i = 0; i < t->nsurf; i++) {
		rec_put_str(rec, t->surf[i], strlen(t->surf[i]));
		rec_put_u32(rec, t->surfpages[i]);
	}
}

/*
 * Appends t's record (its key, df and surfaces; n kept postings p, in
 * section order) to rec, with its dictionary entry,
 * ["key",df,"postings"(,["surface",...])], the best of p.  scratch: room
 * for n postings.
 */
static void
put_term(struct buf *rec, const struct term_rec *t, const struct post *p,
    uint32_t n, struct post *scratch, const struct pagenum *pn)
{
	size_t		 at, start;
	uint32_t	 i, k, v, next, page = UINT32_MAX, sec = 0;
	unsigned char	*w;

	rec_put_str(rec, t->key, t->klen);
	rec_put_u32(rec, t->df);
	rec_put_u32(rec, n);
	at = rec->len;
	rec_put_u32(rec, 0);
	buf_grow(rec, (size_t)n * 11);
	w = (unsigned char *)rec->data + rec->len;
	for (i = 0; i < n; i++) {
		/* As the entry's, so a record whose pages kept their places
		 * stands when sections move elsewhere. */
		v = posting_code(pn, p[i].sid, &page, &sec, &next);
		w = raw_varint(w, v);
		if (v & 1)
			w = raw_varint(w, next);
		*w++ = p[i].rank;
	}
	k = (uint32_t)(w - (unsigned char *)rec->data - rec->len);
	rec->len += k;
	memcpy(rec->data + at, &k, sizeof(k));
	put_surfaces(rec, t);
	at = rec->len;
	rec_put_u32(rec, 0);
	start = rec->len;

	memcpy(scratch, p, (size_t)n * sizeof(*p));
	k = score_keep_best(scratch, n, 0);
	buf_putc(rec, '[');
	put_json(rec, t->key, t->klen);
	buf_printf(rec, ",%u,\"", t->df);
	put_postings(rec, pn, scratch, k);
	buf_putc(rec, '"');
	if (t->nsurf > 0) {
		buf_puts(rec, ",[");
		for (i = 0; i < t->nsurf; i++) {
			if (i)
				buf_putc(rec, ',');
			put_jsons(rec, t->surf[i]);
		}
		buf_putc(rec, ']');
	}
	buf_puts(rec, "],");
	k = (uint32_t)(rec->len - start);
	memcpy(rec->data + at, &k, sizeof(k));
}

/* The record of merged term t, scoring its postings: all of them into
 * scratch, the best kept (with KEEP_EXTRA more). */
static void
put_entry(struct search_index *idx, struct term *t, struct scorer *sc,
    struct post *scratch, struct post *scratch2, struct buf *b)
{
	struct term_rec	 tr;
	uint32_t	 n = t->df, i, k;

	memset(&tr, 0, sizeof(tr));
	tr.key = idx->keys.data + t->key;
	tr.klen = t->klen;
	tr.df = t->df;
	for (k = 0, i = t->surf; i != 0; i = idx->surfs[i].next, k++) {
		tr.surf[k] = idx->keys.data + idx->surfs[i].key;
		tr.surfpages[k] = idx->surfs[i].pages;
	}
	tr.nsurf = k;
	sort_surfaces(&tr);
	score_postings(t, sc, scratch);
	if (n > SEARCH_MAX_POSTINGS)
		n = score_keep_best(scratch, n, KEEP_EXTRA);
	put_term(b, &tr, scratch, n, scratch2, &idx->pn);
}

struct shard {
	char		*key;		/* the smallest term it may hold */
	size_t		 first, n;	/* entries (sorted term order) */
	struct buf	 alias;		/* ["surface","stem"], ... */
	struct buf	 titles;	/* ["title key",sid,...], ... */
	struct buf	 text;		/* the file */
};

/* The shard whose range holds key: the last whose first key <= key. */
static size_t
shard_of(const struct shard *sh, size_t n, const char *key)
{
	size_t	 lo = 0, hi = n, mid;

	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (search_strcmp(sh[mid].key, key) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The shortest prefix of next (whole code points) that sorts after prev. */
static char *
short_key(const char *prev, const char *next)
{
	size_t	 n = 0, len = strlen(next);
	char	*k;

	while (n < len) {
		n++;
		while (n < len && ((unsigned char)next[n] & 0xc0) == 0x80)
			n++;
		k = xstrndup(next, n);
		if (search_strcmp(k, prev) > 0)
			return k;
		free(k);
	}
	return xstrdup(next);
}

struct alias {
	const char	*surface, *stem;
	size_t		 shard;
};

static int
cmp_alias(const void *a, const void *b)
{
	const struct alias *x = a, *y = b;

	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return search_strcmp(x->surface, y->surface);
}

static int
cmp_title(const void *a, const void *b)
{
	const struct title *x = a, *y = b;
	int	 c = search_strcmp(x->key, y->key);

	if (c)
		return c;
	return x->sid < y->sid ? -1 : x->sid > y->sid;
}

static int
cmp_tagacc(const void *a, const void *b)
{
	return strcmp((*(struct tagacc *const *)a)->name,
	    (*(struct tagacc *const *)b)->name);
}

/*
 * The dictionary entries, scoring every posting, are most of the work of
 * finishing; terms are independent, so ENTRY_SLICES slices of them are
 * written on all cores, each into its own buffer, and joined in order.
 * Slices hold about as many postings each: a site's few hundred common
 * words carry most of them, and sort together.  Each thread scores into
 * one scratch array of its own (one per slice would be fresh pages for
 * the kernel to zero, every slice).
 */
#define ENTRY_SLICES	32

struct entry_job {
	struct search_index *idx;
	const uint32_t	*order;		/* the terms in key order */
	const struct score_norms *norms;
	size_t		 maxdf;
	size_t		 bound[ENTRY_SLICES + 1];	/* into order */
	atomic_size_t	 next;		/* the next slice to write */
	struct buf	 ent[ENTRY_SLICES];
	size_t		*off;		/* each entry's, in its slice */
};

static void *
put_slices(void *arg)
{
	struct entry_job *job = arg;
	struct search_index *idx = job->idx;
	struct post	*scratch = xcalloc(job->maxdf, sizeof(*scratch));
	struct post	*scratch2 = xcalloc(job->maxdf, sizeof(*scratch2));
	struct scorer	*sc = scorer_new(job->norms);
	struct buf	 b;
	size_t		 i, k;

	/* Each slice is written into a buffer of this thread's stack and
	 * handed over when done: the job's buffers lie side by side, and
	 * two threads growing neighbours bounced their lengths between the
	 * cores at every byte. */
	while ((k = atomic_fetch_add(&job->next, 1)) < ENTRY_SLICES) {
		memset(&b, 0, sizeof(b));
		for (i = job->bound[k]; i < job->bound[k + 1]; i++) {
			job->off[i] = b.len;
			put_entry(idx, &idx->terms[job->order[i]], sc,
			    scratch, scratch2, &b);
		}
		job->ent[k] = b;
	}
	scorer_free(sc);
	free(scratch);
	free(scratch2);
	return NULL;
}

/* Cuts the terms in order into slices of about equal postings. */
static void
cut_slices(struct entry_job *job)
{
	const struct search_index *idx = job->idx;
	size_t		 total = 0, sum = 0, i, k = 1;

	for (i = 0; i < idx->nterms; i++)
		total += idx->terms[i].df + 1;
	for (i = 0; i < idx->nterms && k < ENTRY_SLICES; i++) {
		sum += idx->terms[job->order[i]].df + 1;
		while (k < ENTRY_SLICES && sum * ENTRY_SLICES >= total * k)
			job->bound[k++] = i + 1;
	}
	while (k <= ENTRY_SLICES)
		job->bound[k++] = idx->nterms;
}

/* Writes the entries of the terms in order into ent, entry i at off[i]
 * (off[nterms]: the end). */
static void
put_entries(struct search_index *idx, const uint32_t *order,
    const struct score_norms *norms, size_t maxdf, struct buf *ent,
    size_t *off)
{
	struct entry_job *job = xcalloc(1, sizeof(*job));
	size_t		 i, k, base;

	job->idx = idx;
	job->order = order;
	job->norms = norms;
	job->maxdf = maxdf;
	job->off = off;
	cut_slices(job);
	(void)parallel_run(idx->threads, put_slices, job, 0);
	for (k = 0; k < ENTRY_SLICES; k++) {
		base = ent->len;
		for (i = job->bound[k]; i < job->bound[k + 1]; i++)
			off[i] += base;
		buf_append(ent, job->ent[k].data, job->ent[k].len);
		buf_free(&job->ent[k]);
	}
	off[idx->nterms] = ent->len;
	free(job);
}

/* The records of the merged terms, scored, in key order, into recs. */
static void
make_records(struct search_index *idx, struct buf *recs)
{
	uint32_t	*order = xcalloc(idx->nterms + 1, sizeof(*order));
	size_t		*off = xcalloc(idx->nterms + 1, sizeof(*off));
	struct score_norms *norms;
	double		 avg[NFIELDS];
	size_t		 i, maxdf = 1;

	for (i = 0; i < NFIELDS; i++)
		avg[i] = score_avg_of_step(score_avg_step(idx->lensum[i],
		    idx->lencount[i]));
	for (i = 0; i < idx->nterms; i++) {
		order[i] = (uint32_t)i;
		if (idx->terms[i].df > maxdf)
			maxdf = idx->terms[i].df;
	}
	qsort_r(order, idx->nterms, sizeof(*order), cmp_term_key, idx);
	norms = score_norms_new(idx->secs, idx->nsecs, avg);
	put_entries(idx, order, norms, maxdf, recs, off);
	score_norms_free(norms);
	free(off);
	free(order);
}

/* Makes the dictionary shards (written by search_finish) from the term
 * records in recs (key order), and the titles; fills *shards.  0 when a
 * record is malformed. */
static int
make_shards(struct search_index *idx, const struct buf *recs,
    struct shard **shards, size_t *nsh)
{
	struct term_rec	*tr = NULL;
	struct rec_rd	 r;
	size_t		*off;
	struct buf	 ent = { 0 };
	struct shard	*sh = NULL;
	struct alias	*al = NULL;
	size_t		 i, j, n = 0, cap = 0, nal = 0, capal = 0, target;
	size_t		 nt = 0, capt = 0, start;
	uint32_t	 sec;

	rec_init(&r, recs->data, recs->len);
	for (;;) {
		tr = xreallocarray(tr, nt + 1, sizeof(*tr), &capt);
		if (!term_rec_get(&r, &tr[nt]))
			break;
		nt++;
	}
	if (!r.ok || r.p != r.end) {
		free(tr);
		return 0;
	}
	off = xcalloc(nt + 1, sizeof(*off));
	for (i = 0; i < nt; i++) {
		off[i] = ent.len;
		buf_append(&ent, tr[i].ent, tr[i].entlen);
	}
	off[nt] = ent.len;
	idx->nterms_out = nt;

	/* Cut the sorted entries into ranges of about target bytes. */
	target = ent.len / (SEARCH_MAX_SHARDS - 1) + 1;
	if (target < SHARD_MIN_BYTES)
		target = SHARD_MIN_BYTES;
	for (i = 0; i < nt; i = j) {
		start = off[i];
		for (j = i + 1; j < nt && (off[j] - start < target ||
		    n + 1 >= SEARCH_MAX_SHARDS); j++)
			;
		sh = xreallocarray(sh, n + 1, sizeof(*sh), &cap);
		memset(&sh[n], 0, sizeof(*sh));
		sh[n].first = i;
		sh[n].n = j - i;
		sh[n].key = n == 0 ? xstrdup("") : short_key(tr[i - 1].key,
		    tr[i].key);
		n++;
	}

	/* A surface form that sorts into another shard than its stem gets
	 * an alias there, so the client finds it where it looks. */
	for (i = 0; i < n; i++)
		for (j = sh[i].first; j < sh[i].first + sh[i].n; j++) {
			uint32_t k;

			for (k = 0; k < tr[j].nsurf; k++) {
				const char *w = tr[j].surf[k];
				size_t at = shard_of(sh, n, w);

				if (at == i)
					continue;
				al = xreallocarray(al, nal + 1, sizeof(*al),
				    &capal);
				al[nal].surface = w;
				al[nal].stem = tr[j].key;
				al[nal++].shard = at;
			}
		}
	xqsort(al, nal, sizeof(*al), cmp_alias);
	for (i = 0; i < nal; i++) {
		struct buf *ab = &sh[al[i].shard].alias;

		buf_putc(ab, ab->len ? ',' : '[');
		buf_putc(ab, '[');
		put_jsons(ab, al[i].surface);
		buf_putc(ab, ',');
		put_jsons(ab, al[i].stem);
		buf_putc(ab, ']');
	}

	/* Exact titles, under the shard of their first word. */
	for (i = 0; i < idx->ntitles && n > 0; i = j) {
		const char *key = idx->titles[i].key;
		char *word = xstrndup(key, strcspn(key, " "));
		struct buf *tb = &sh[shard_of(sh, n, word)].titles;

		free(word);
		buf_putc(tb, tb->len ? ',' : '[');
		buf_putc(tb, '[');
		put_jsons(tb, key);
		for (j = i; j < idx->ntitles &&
		    strcmp(idx->titles[j].key, key) == 0; j++)
			if (j - i < 16)
				buf_printf(tb, ",%u", pagenum_of(&idx->pn,
				    idx->titles[j].sid, &sec));
		buf_putc(tb, ']');
	}

	for (i = 0; i < n; i++) {
		struct buf *f = &sh[i].text;

		buf_puts(f, "{\"t\":[");
		/* Each entry ends with a comma: not the last one here. */
		buf_append(f, ent.data + off[sh[i].first],
		    off[sh[i].first + sh[i].n] - off[sh[i].first] - 1);
		buf_puts(f, "]");
		if (sh[i].alias.len) {
			buf_puts(f, ",\"a\":");
			buf_append(f, sh[i].alias.data, sh[i].alias.len);
			buf_putc(f, ']');
		}
		if (sh[i].titles.len) {
			buf_puts(f, ",\"x\":");
			buf_append(f, sh[i].titles.data, sh[i].titles.len);
			buf_putc(f, ']');
		}
		buf_puts(f, "}");
		idx->shard_bytes += f->len;
	}
	idx->nshards = n;
	buf_free(&ent);
	free(al);
	free(off);
	free(tr);
	*shards = sh;
	*nsh = n;
	return 1;
}

/* The tag file: for each tag, the places of the pages it tags, each less
 * the one before (struct pagenum). */
static void
make_tags(struct search_index *idx, struct tagacc ***sorted, size_t *ntags,
    struct buf *b)
{
	struct tagacc	**v;
	size_t		 i, j, n = 0;
	uint32_t	 place, prev, sec;

	v = xcalloc(idx->tagmap.len + 1, sizeof(*v));
	for (i = 0; i < idx->tagmap.cap; i++)
		if (idx->tagmap.slots[i].key != NULL)
			v[n++] = idx->tagmap.slots[i].value;
	xqsort(v, n, sizeof(*v), cmp_tagacc);
	buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		put_jsons(b, v[i]->name);
		buf_puts(b, ":[");
		for (prev = 0, j = 0; j < v[i]->n; j += 2) {
			if (j)
				buf_putc(b, ',');
			place = pagenum_of(&idx->pn, v[i]->v[j], &sec);
			put_uint(b, place - prev);
			prev = place;
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
	*sorted = v;
	*ntags = n;
}

static void
write_root(struct search_index *idx, const uint32_t *shard_names,
    uint32_t tags_name, const struct shard *sh, size_t nsh,
    struct tagacc **tags, size_t ntags)
{
	const struct site *s = idx->site;
	const char *const *stop = tok_stopwords(idx->language);
	struct buf	 b = { 0 };
	size_t		 i;
	uint32_t	 sid, place, prev, sec;

	buf_printf(&b, "{\"format\":\"porch-search\",\"version\":%d,"
	    "\"files\":{\"s\":[", FORMAT_VERSION);
	for (i = 0; i < nsh; i++)
		buf_printf(&b, i ? ",\"%08" PRIx32 "\"" : "\"%08" PRIx32 "\"",
		    shard_names[i]);
	buf_puts(&b, "],\"c\":[");
	for (i = 0; i < idx->nchunks; i++)
		buf_printf(&b, i ? ",\"%08" PRIx32 "\"" : "\"%08" PRIx32 "\"",
		    idx->chunk_names[i]);
	buf_printf(&b, "],\"t\":\"%08" PRIx32 "\"},\"base\":", tags_name);
	put_jsons(&b, s->cfg.base_path);
	buf_puts(&b, ",\"language\":");
	put_jsons(&b, idx->language);
	buf_printf(&b, ",\"sections\":%zu,\"stop\":[", idx->nsecs);
	for (i = 0; stop[i]; i++) {
		if (i)
			buf_putc(&b, ',');
		put_jsons(&b, stop[i]);
	}
	buf_puts(&b, "],\"kinds\":[");
	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		buf_printf(&b, i ? ",\"%s\"" : "\"%s\"", kind_names[i]);
	buf_puts(&b, "],\"runs\":[");
	for (i = 0; i + 1 < idx->nruns; i += 2)
		buf_printf(&b, i ? ",%u,%u" : "%u,%u", pagenum_of(&idx->pn,
		    idx->runs[i], &sec), idx->runs[i + 1]);
	buf_puts(&b, "],\"shards\":[");
	for (i = 0; i < nsh; i++) {
		if (i)
			buf_putc(&b, ',');
		put_jsons(&b, sh[i].key);
	}
	/* Each chunk's first section: its page's place less the previous
	 * chunk's, and its place in the page (a long page may span
	 * chunks). */
	buf_puts(&b, "],\"chunks\":[");
	for (i = 0, sid = 0, prev = 0; i < idx->nchunks; i++) {
		place = pagenum_of(&idx->pn, sid, &sec);
		buf_printf(&b, i ? ",%u,%u" : "%u,%u", place - prev, sec);
		prev = place;
		sid += idx->chunks[i];
	}
	buf_puts(&b, "],\"tags\":[");
	for (i = 0; i < ntags; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_putc(&b, '[');
		put_jsons(&b, tags[i]->name);
		buf_printf(&b, ",%zu]", tags[i]->pages);
	}
	buf_puts(&b, "]}\n");
	write_out(idx, "index.json", &b);
	idx->root_bytes = b.len;
	buf_free(&b);
}

/* ------------------------------------------------------- the kept index */

/*
 * An edit to a page changes few of the index's entries: those of the
 * words the page had or has.  Everything else (every other term's entry,
 * most excerpt chunks, the titles) is the last build's, with its sections
 * numbered as they are now, as long as the fields' average lengths stay
 * on the same step (score_avg_step).  So every build keeps what it made
 * in the pack under one key (kept_index_key): per page its record key,
 * page key (page_key), identity (page_ident), tags' hash, section count,
 * markdown length and header length; per section its excerpt's length;
 * the length sums, the chunks (sections, names, keys), the tag file (name,
 * key, each tag's name and page count), the sorted titles, and every
 * term's record (struct term_rec: its entry, and the best of its postings
 * with KEEP_EXTRA more, so dropping the edited pages' postings still
 * leaves the best of the others known).
 *
 * A build whose pages are the kept index's, in its order, but for at most
 * KEPT_MAX_PAGES changed (record or page key), added or removed, makes
 * just those pages' records, and at the end patches the kept index
 * (kept_patch): the words of the pages changed and removed taken out,
 * those of the pages changed and added put in, every kept posting
 * renumbered to its section now (a page added or removed, or a section,
 * moves every later one), each edited word's entry written again and
 * every other record copied (or renumbered) as it lies.  The chunks are
 * cut again from the pages' lengths, and each that holds the same kept
 * sections under the same number is kept, the others written from the
 * records; the runs of kinds are made again from the pages, and so is
 * the tag file unless it stands (tags_stand).
 * A word's surface forms are counted: each kept record has the pages
 * that show each form, so a form the edited pages took with them leaves
 * the list exactly when no other page shows it.
 * When anything it cannot patch turns up (a form of a term's full list
 * touched, a form gained with no room in it, the kept postings run
 * short, an average moved a step), the build merges the index as before
 * (kept_fallback): patching is only ever a shortcut to the same bytes.
 */
static const char KEPT_FORMAT[8] = "porchki9";
#define KEPT_MAX_PAGES	16

static void
kept_free(struct kept *k)
{
	if (k == NULL)
		return;
	free(k->pages);
	free(k->dlen);
	free(k->chunk_secs);
	free(k->chunk_names);
	free(k->chunk_keys);
	free(k->tags);
	free(k->titles);
	free(k->oldof);
	free(k->nowof);
	free(k->changed);
	free(k->obase);
	free(k->nbase);
	free(k->nsecs_now);
	free(k->sidmap);
	pagenum_free(&k->opn);
	free(k->moved);
	free(k->place_now);
	free(k);
}

/* What the kept index depends on besides the pages. */
static uint64_t
kept_env(const struct search_index *idx)
{
	XXH3_state_t	*st = XXH3_createState();
	uint64_t	 h, v = FORMAT_VERSION;

	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, KEPT_FORMAT, sizeof(KEPT_FORMAT));
	XXH3_64bits_update(st, INDEX_FORMAT, sizeof(INDEX_FORMAT));
	XXH3_64bits_update(st, &v, sizeof(v));
	key_str(st, idx->language);
	key_str(st, idx->site->cfg.base_path);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/* n u32s (or u64s, size) read into a new array. */
static void *
get_array(struct rec_rd *r, size_t n, size_t size)
{
	void	*v = xcalloc(n + 1, size);

	if ((size_t)(r->end - r->p) / size < n)
		r->ok = 0;
	else
		rec_get(r, v, n * size);
	return v;
}

/* The kept index in data (len bytes), or NULL when it is malformed or
 * was made for another site. */
static struct kept *
kept_read(const struct search_index *idx, const void *data, size_t len)
{
	struct kept	*k = xcalloc(1, sizeof(*k));
	struct rec_rd	 r;
	char		 format[8];
	uint64_t	 env;
	size_t		 i;

	rec_init(&r, data, len);
	rec_get(&r, format, sizeof(format));
	rec_get(&r, &env, sizeof(env));
	if (!r.ok || memcmp(format, KEPT_FORMAT, sizeof(format)) != 0 ||
	    env != kept_env(idx))
		goto bad;
	k->npages = rec_get_count(&r, 44);
	k->pages = xcalloc(k->npages + 1, sizeof(*k->pages));
	for (i = 0; i < k->npages; i++) {
		rec_get(&r, &k->pages[i].rkey, sizeof(uint64_t));
		rec_get(&r, &k->pages[i].pkey, sizeof(uint64_t));
		rec_get(&r, &k->pages[i].ident, sizeof(uint64_t));
		rec_get(&r, &k->pages[i].tags, sizeof(uint64_t));
		k->pages[i].nsecs = rec_get_u32(&r);
		k->pages[i].text_len = rec_get_u32(&r);
		k->pages[i].hlen = rec_get_u32(&r);
	}
	k->nsecs = rec_get_count(&r, 4);
	k->dlen = get_array(&r, k->nsecs, sizeof(uint32_t));
	rec_get(&r, k->lensum, sizeof(k->lensum));
	rec_get(&r, k->lencount, sizeof(k->lencount));
	k->nchunks = rec_get_count(&r, 16);
	k->chunk_secs = get_array(&r, k->nchunks, sizeof(uint32_t));
	k->chunk_names = get_array(&r, k->nchunks, sizeof(uint32_t));
	k->chunk_keys = get_array(&r, k->nchunks, sizeof(uint64_t));
	k->tags_name = rec_get_u32(&r);
	rec_get(&r, &k->tags_key, sizeof(k->tags_key));
	k->ntags = rec_get_count(&r, 9);
	k->tags = xcalloc(k->ntags + 1, sizeof(*k->tags));
	for (i = 0; i < k->ntags && r.ok; i++) {
		k->tags[i].name = (char *)rec_get_str(&r, 0, NULL);
		k->tags[i].pages = rec_get_u32(&r);
	}
	k->ntitles = rec_get_count(&r, 9);
	k->titles = xcalloc(k->ntitles + 1, sizeof(*k->titles));
	for (i = 0; i < k->ntitles && r.ok; i++) {
		k->titles[i].key = (char *)rec_get_str(&r, 0, NULL);
		k->titles[i].sid = rec_get_u32(&r);
	}
	k->recslen = rec_get_u32(&r);
	k->recs = (const char *)rec_take(&r, k->recslen);
	if (r.ok && r.p == r.end)
		return k;
bad:
	kept_free(k);
	return NULL;
}

/*
 * The sections of each excerpt chunk, as chunk_add and set_chunk_target
 * cut them, for pages of these sizes (pages with no sections are not
 * merged) and excerpts of dlen bytes: into secs (room for
 * SEARCH_MAX_CHUNKS); returns the count.  The kept index's chunks stand
 * when the edited pages' lengths give the same cut.
 */
static size_t
chunk_plan(const struct kept_page *pg, size_t npages, const uint32_t *dlen,
    size_t text_total, uint32_t *secs)
{
	size_t		 len = 0, bytes = 0, target = CHUNK_MIN_BYTES, done = 0;
	size_t		 n = 0, i, k, sid = 0, open = SIZE_MAX;
	uint32_t	 in = 0;
	double		 total;

	for (i = 0; i < npages; i++) {
		if (pg[i].nsecs == 0)
			continue;
		for (k = 0; k < pg[i].nsecs; k++) {
			if (open != i) {
				len += (open != SIZE_MAX ? 2 : 0) + 1 +
				    pg[i].hlen;
				open = i;
			} else
				len++;
			len += dlen[sid++];
			in++;
			if (n + 1 < SEARCH_MAX_CHUNKS && (len >= 2 * target ||
			    (k + 1 == pg[i].nsecs && len >= target))) {
				len += (open != SIZE_MAX ? 2 : 0) + 1;
				open = SIZE_MAX;
				secs[n++] = in;
				bytes += len;
				len = 0;
				in = 0;
			}
		}
		done += pg[i].text_len;
		if (done == 0)
			continue;
		total = (double)(bytes + len) / (double)done *
		    (double)text_total;
		target = (size_t)(total / (SEARCH_MAX_CHUNKS - 16));
		if (target < CHUNK_MIN_BYTES)
			target = CHUNK_MIN_BYTES;
	}
	if (in > 0)
		secs[n++] = in;
	return n;
}

/* Page i's markdown length, as set_chunk_target counts it. */
static uint32_t
text_len_now(const struct site *s, size_t i)
{
	return s->pages[i]->source != NULL ?
	    (uint32_t)s->pages[i]->text_len : 0;
}

/* Which page p is, whatever its place: its source, or the URL of a page
 * without one. */
static uint64_t
page_ident(const struct page *p)
{
	const char	*s = p->source != NULL ? p->source :
			    p->url != NULL ? p->url : "";

	return XXH3_64bits_withSeed(s, strlen(s), p->source != NULL);
}

/* A hash of p's tags (none: 0). */
static uint64_t
tags_hash(const struct page *p)
{
	uint64_t	 h = 0;
	size_t		 t;

	for (t = 0; t < p->meta.tags.n; t++)
		h = XXH3_64bits_withSeed(p->meta.tags.v[t],
		    strlen(p->meta.tags.v[t]) + 1, h + 1);
	return h;
}

/* The pages as this build has them, for the kept index. */
static struct kept_page *
pages_now(const struct search_index *idx)
{
	const struct site *s = idx->site;
	struct kept_page *pg = xcalloc(s->npages + 1, sizeof(*pg));
	size_t		 i;

	for (i = 0; i < s->npages; i++) {
		pg[i].rkey = idx->rkeys[i];
		pg[i].pkey = idx->pkeys[i];
		pg[i].nsecs = idx->psecs[i];
		pg[i].hlen = idx->phlen[i];
		pg[i].text_len = text_len_now(s, i);
		pg[i].ident = page_ident(s->pages[i]);
		/* A page the kept index has as it was: its tags too. */
		pg[i].tags = idx->kept != NULL && !idx->kept->changed[i] ?
		    idx->kept->pages[idx->kept->oldof[i]].tags :
		    tags_hash(s->pages[i]);
	}
	return pg;
}

/* 1 when chunk_plan cuts pages pg as the chunks of the index are cut. */
static int
same_chunks(const struct search_index *idx, const struct kept_page *pg,
    const uint32_t *dlen, const uint32_t *secs, size_t nchunks)
{
	uint32_t	*plan = xcalloc(SEARCH_MAX_CHUNKS, sizeof(*plan));
	size_t		 n = chunk_plan(pg, idx->site->npages, dlen,
			     idx->text_total, plan);
	int		 same = n == nchunks &&
			     memcmp(plan, secs, n * sizeof(*plan)) == 0;

	free(plan);
	return same;
}

/* Keeps the index this build wrote (term records recs, sorted tags) for
 * the next build; nothing when its chunks could not be planned again. */
static void
kept_save(struct search_index *idx, const struct buf *recs,
    struct tagacc *const *tags, size_t ntags)
{
	const struct site *s = idx->site;
	struct kept_page *pg;
	struct buf	 b = { 0 };
	uint64_t	 env = kept_env(idx);
	size_t		 i;

	if (idx->pack == NULL || idx->rkeys == NULL || !idx->ok)
		return;
	pg = pages_now(idx);
	if (!same_chunks(idx, pg, idx->dlen, idx->chunks, idx->nchunks)) {
		free(pg);
		if (idx->stats)
			fprintf(stderr, "search: chunks planned otherwise; "
			    "the index is not kept\n");
		return;		/* chunk_plan is wrong: never patch */
	}
	buf_append(&b, KEPT_FORMAT, sizeof(KEPT_FORMAT));
	buf_append(&b, &env, sizeof(env));
	rec_put_u32(&b, (uint32_t)s->npages);
	for (i = 0; i < s->npages; i++) {
		buf_append(&b, &pg[i].rkey, sizeof(uint64_t));
		buf_append(&b, &pg[i].pkey, sizeof(uint64_t));
		buf_append(&b, &pg[i].ident, sizeof(uint64_t));
		buf_append(&b, &pg[i].tags, sizeof(uint64_t));
		rec_put_u32(&b, pg[i].nsecs);
		rec_put_u32(&b, pg[i].text_len);
		rec_put_u32(&b, pg[i].hlen);
	}
	free(pg);
	rec_put_u32(&b, (uint32_t)idx->nsecs);
	buf_append(&b, idx->dlen, idx->nsecs * sizeof(uint32_t));
	buf_append(&b, idx->lensum, sizeof(idx->lensum));
	for (i = 0; i < NFIELDS; i++) {
		uint64_t c = idx->lencount[i];

		buf_append(&b, &c, sizeof(c));
	}
	rec_put_u32(&b, (uint32_t)idx->nchunks);
	buf_append(&b, idx->chunks, idx->nchunks * sizeof(uint32_t));
	buf_append(&b, idx->chunk_names, idx->nchunks * sizeof(uint32_t));
	buf_append(&b, idx->chunk_keys, idx->nchunks * sizeof(uint64_t));
	rec_put_u32(&b, idx->tags_name);
	buf_append(&b, &idx->tags_key, sizeof(idx->tags_key));
	rec_put_u32(&b, (uint32_t)ntags);
	for (i = 0; i < ntags; i++) {
		rec_put_str(&b, tags[i]->name, strlen(tags[i]->name));
		rec_put_u32(&b, (uint32_t)tags[i]->pages);
	}
	rec_put_u32(&b, (uint32_t)idx->ntitles);
	for (i = 0; i < idx->ntitles; i++) {
		rec_put_str(&b, idx->titles[i].key,
		    strlen(idx->titles[i].key));
		rec_put_u32(&b, idx->titles[i].sid);
	}
	rec_put_u32(&b, (uint32_t)recs->len);
	buf_append(&b, recs->data, recs->len);
	pack_put(idx->pack, kept_index_key(), b.data, b.len);
	buf_free(&b);
}

/* A kept page's identity and place, for lookups by identity. */
struct ident_at {
	uint64_t	 ident;
	size_t		 at;
};

static int
cmp_ident_at(const void *a, const void *b)
{
	const struct ident_at *x = a, *y = b;

	return x->ident < y->ident ? -1 : x->ident > y->ident;
}

/* The kept page of identity ident among v (n, sorted), or SIZE_MAX. */
static size_t
kept_page_of(const struct ident_at *v, size_t n, uint64_t ident)
{
	struct ident_at	 key = { ident, 0 };
	const struct ident_at *f;

	f = n > 0 ? bsearch(&key, v, n, sizeof(*v), cmp_ident_at) : NULL;
	return f != NULL ? f->at : SIZE_MAX;
}

/* Lines the pages now up against the kept ones (k->oldof, k->nowof,
 * k->changed); 0 when they are not the kept pages in the kept order with
 * at most KEPT_MAX_PAGES indexed ones changed, added or removed. */
static int
kept_align(struct search_index *idx, struct kept *k)
{
	const struct site *s = idx->site;
	struct ident_at	*v = xcalloc(k->npages + 1, sizeof(*v));
	size_t		 i, j, last = SIZE_MAX, edits = 0;
	int		 ok = 1;

	for (j = 0; j < k->npages; j++)
		v[j] = (struct ident_at){ k->pages[j].ident, j };
	xqsort(v, k->npages, sizeof(*v), cmp_ident_at);
	k->oldof = xcalloc(s->npages + 1, sizeof(*k->oldof));
	k->nowof = xcalloc(k->npages + 1, sizeof(*k->nowof));
	k->changed = xcalloc(s->npages + 1, 1);
	for (j = 0; j < k->npages; j++)
		k->nowof[j] = SIZE_MAX;
	for (i = 0; ok && i < s->npages; i++) {
		j = k->oldof[i] = kept_page_of(v, k->npages,
		    page_ident(s->pages[i]));
		if (j == SIZE_MAX) {			/* new */
			k->changed[i] = 1;
			edits += idx->rkeys[i] != 0;
			continue;
		}
		if (last != SIZE_MAX && j <= last)	/* moved */
			ok = 0;
		last = j;
		k->nowof[j] = i;
		if (k->pages[j].pkey != idx->pkeys[i] ||
		    k->pages[j].rkey != idx->rkeys[i]) {
			k->changed[i] = 1;
			edits += idx->rkeys[i] != 0 || k->pages[j].nsecs > 0;
		}
	}
	for (j = 0; ok && j < k->npages; j++)
		if (k->nowof[j] == SIZE_MAX && k->pages[j].nsecs > 0) {
			k->ngone++;			/* removed */
			edits++;
		}
	for (i = 0; i < s->npages; i++)
		k->nchanged += k->changed[i] && idx->rkeys[i] != 0;
	k->nedits = edits;
	free(v);
	return ok && edits <= KEPT_MAX_PAGES;
}

/* At search_new: the kept index, when this build's pages are its pages in
 * its order, but for at most KEPT_MAX_PAGES of them changed (in their
 * words, sections, title, URL, label or tags), added or removed.  Then
 * only those pages' records are made, and search_finish patches it. */
static int
kept_open(struct search_index *idx)
{
	const void	*data;
	struct kept	*k;
	size_t		 len, i;

	if ((data = pack_get(idx->pack, kept_index_key(), &len)) == NULL ||
	    (k = kept_read(idx, data, len)) == NULL)
		return 0;
	if (!kept_align(idx, k)) {
		kept_free(k);
		return 0;
	}
	/* The partials stay for a build that merges again. */
	for (i = 0; i < idx->ngroups; i++)
		if (idx->groups[i].key != 0)
			(void)pack_keep(idx->pack, idx->groups[i].key);
	idx->kept = k;
	return 1;
}

/* A word of the edited pages: its postings there before and after (both
 * scored, in section order), and its surface forms there. */
struct tchange {
	struct post	*old;
	uint32_t	 nold;
	size_t		 capold;
	struct post	*add;
	uint32_t	 nadd;
	size_t		 capadd;
	/* Its surface forms that the edited pages show on more or fewer
	 * pages than before (in pt->surfs), and by how many */
	uint32_t	 nforms;
	uint32_t	 forms[SEARCH_MAX_SURFACES];
	int32_t		 delta[SEARCH_MAX_SURFACES];
	/* Every form the edited pages show or showed, whatever became of
	 * it; more than fit: ntouched is UINT32_MAX. */
	uint32_t	 ntouched;
	uint32_t	 touched[SEARCH_MAX_SURFACES];
};

/* A surface form of the edited pages (in pt->surfs): how many of them
 * showed it before (tf[SURF_BEFORE]) and show it now. */
enum { SURF_BEFORE = 1, SURF_NOW = 2 };

struct patch {
	struct search_index *idx;
	struct kept	*k;
	struct wtab	 words;		/* stem -> its tchange (same index) */
	struct tchange	*tc;
	size_t		 ntc, captc;
	struct wtab	 surfs;		/* "surface\0stem" -> in old / new */
	double		 avg[NFIELDS];
	const char	*why;		/* it cannot be patched */
};

static struct tchange *
patch_word(struct patch *pt, const char *key, size_t klen, uint64_t h)
{
	int	 added;
	struct wentry *e = wtab_get(&pt->words, key, klen, h, &added);
	size_t	 i = (size_t)(e - pt->words.e);

	if (added) {
		pt->tc = xreallocarray(pt->tc, pt->ntc + 1, sizeof(*pt->tc),
		    &pt->captc);
		memset(&pt->tc[pt->ntc++], 0, sizeof(*pt->tc));
	}
	return &pt->tc[i];
}

/* Appends post to the n postings of list (cap its room). */
static void
post_append(struct post **list, uint32_t *n, size_t *cap,
    const struct post *post)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list), cap);
	(*list)[(*n)++] = *post;
}

/* Reads the terms of record d of a page whose first section is base,
 * scored with sc into the words' postings there (after: the new ones,
 * sections now; before: the old, the kept sections), and its surface
 * forms. */
static void
patch_read(struct patch *pt, const struct sdoc *d, uint32_t base, int after,
    struct scorer *sc)
{
	const unsigned char *p = (const unsigned char *)d->terms.data;
	const char	*sp = d->surf.data, *end = sp + d->surf.len;
	struct tchange	*t;
	struct post	 post;
	uint32_t	 n, k, klen, a, body;
	uint64_t	 h;
	size_t		 i, wlen, slen;

	for (i = 0; i < d->nsecs; i++) {
		n = get_varint(&p);
		for (k = 0; k < n; k++) {
			klen = get_varint(&p);
			memcpy(&h, p + klen, sizeof(h));
			t = patch_word(pt, (const char *)p, klen, h);
			p += klen + sizeof(h);
			a = *p++;
			body = get_varint(&p);
			score_compute(sc, (uint32_t)i, a, body, &post);
			post.sid = base + (uint32_t)i;
			if (after)
				post_append(&t->add, &t->nadd, &t->capadd,
				    &post);
			else
				post_append(&t->old, &t->nold, &t->capold,
				    &post);
		}
	}
	while (sp != NULL && sp < end) {
		struct wentry *e;
		int added;

		wlen = strlen(sp);
		slen = strlen(sp + wlen + 1);
		memcpy(&h, sp + wlen + slen + 2, sizeof(h));
		e = wtab_get(&pt->surfs, sp, wlen + slen + 1,
		    XXH3_64bits(sp, wlen + slen + 1), &added);
		e->tf[after ? SURF_NOW : SURF_BEFORE]++;
		e->auxhash = h;
		e->aux = (uint32_t)(wlen + 1);	/* the stem, in the key */
		sp += wlen + slen + 2 + sizeof(h);
	}
}

/* Moves record d's lengths in or out (sign 1 or -1) of the kept sums,
 * its sections' lengths into secs. */
static void
patch_lengths(struct kept *k, const struct sdoc *d, int sign,
    struct sec *secs)
{
	const unsigned char *lp = (const unsigned char *)d->lens.data;
	size_t		 i, f;

	for (i = 0; i < d->nsecs; i++)
		for (f = 0; f < NFIELDS; f++) {
			secs[i].len[f] = get_varint(&lp);
			if (sign > 0) {
				k->lensum[f] += secs[i].len[f];
				k->lencount[f] += secs[i].len[f] != 0;
			} else {
				k->lensum[f] -= secs[i].len[f];
				k->lencount[f] -= secs[i].len[f] != 0;
			}
		}
}

/* Record d of a page whose first section is base: its lengths moved in
 * (after) or out of the sums, and patch_read.  The old record is scored
 * too (the averages are the kept ones, the same step as now, kept_patch
 * checks), so a word whose postings there did not move is told apart
 * (unchanged). */
static void
patch_scored(struct patch *pt, const struct sdoc *d, uint32_t base,
    int after)
{
	struct sec	*secs = xcalloc(d->nsecs + 1, sizeof(*secs));
	struct score_norms *norms;
	struct scorer	*sc;

	patch_lengths(pt->k, d, after ? 1 : -1, secs);
	norms = score_norms_new(secs, d->nsecs, pt->avg);
	sc = scorer_new(norms);
	patch_read(pt, d, base, after, sc);
	scorer_free(sc);
	score_norms_free(norms);
	free(secs);
}

/* The record page i has now, or NULL when it has none (not indexed). */
static struct sdoc *
record_now(const struct search_index *idx, size_t i)
{
	struct sdoc	*d = atomic_load(&idx->slots[i]);

	return d == &skipped ? NULL : d;
}

/* Kept page j's words out of the index (its record then); 0 when the
 * record is not in the pack. */
static int
patch_out(struct patch *pt, size_t j)
{
	struct search_index *idx = pt->idx;
	struct kept	*k = pt->k;
	struct sdoc	*old;
	int		 ok;

	if (k->pages[j].nsecs == 0)
		return 1;
	old = sdoc_new(idx);
	ok = srec_load(idx, k->pages[j].rkey, old) &&
	    old->nsecs == k->pages[j].nsecs;
	if (ok)
		patch_scored(pt, old, k->obase[j], 0);
	else
		pt->why = "a page's last record is not in the pack";
	sdoc_recycle(idx, old);
	return ok;
}

/* Reads the records of the pages changed, added and removed, before and
 * after; 0 when one is not to be had. */
static int
patch_pages(struct patch *pt)
{
	struct search_index *idx = pt->idx;
	struct kept	*k = pt->k;
	struct sdoc	*now;
	size_t		 i, j;

	for (i = 0; i < idx->site->npages; i++) {
		if (!k->changed[i])
			continue;
		if (k->oldof[i] != SIZE_MAX && !patch_out(pt, k->oldof[i]))
			return 0;
		if ((now = record_now(idx, i)) != NULL)
			patch_scored(pt, now, k->nbase[i], 1);
	}
	for (j = 0; j < k->npages; j++)
		if (k->nowof[j] == SIZE_MAX && !patch_out(pt, j))
			return 0;
	return 1;
}

/*
 * The kept pages' places (k->opn), where each kept place's page starts
 * now (k->place_now), and whether a page still in the index has another
 * place than it had (k->shifted): pages added or removed before it.  A
 * kept record names its postings by page place and place in the page
 * (put_term), so it stands as long as no page moved, however many
 * sections an edited page gained or lost.
 */
static void
kept_places(struct search_index *idx)
{
	struct kept	*k = idx->kept;
	uint32_t	*n = xcalloc(k->npages + 1, sizeof(*n));
	uint32_t	 place = 0, sec, now;
	size_t		 i, j;

	for (j = 0; j < k->npages; j++)
		n[j] = k->pages[j].nsecs;
	pagenum_make(&k->opn, n, k->npages);
	free(n);
	k->place_now = xcalloc(k->opn.npages + 1, sizeof(*k->place_now));
	k->moved = xcalloc(k->opn.npages + 1, sizeof(*k->moved));
	for (j = 0; j < k->npages; j++) {
		if (k->pages[j].nsecs == 0)
			continue;
		i = k->nowof[j];
		now = i != SIZE_MAX && k->nsecs_now[i] > 0 ?
		    pagenum_of(&idx->pn, k->nbase[i], &sec) : UINT32_MAX;
		k->place_now[place] = i == SIZE_MAX || k->changed[i] ?
		    UINT32_MAX : k->nbase[i];
		k->moved[place] = k->place_now[place] == UINT32_MAX ?
		    UINT32_MAX : now;
		if (now != UINT32_MAX && now != place)
			k->shifted = 1;
		place++;
	}
	for (k->settled = place; place > 0; place--) {
		if (k->moved[place - 1] == UINT32_MAX ||
		    (place < k->opn.npages && k->moved[place - 1] -
		    (place - 1) != k->moved[place] - place))
			break;
		k->settled = place - 1;
	}
}

/*
 * The sections then and now: each kept page's first (k->obase), each
 * page's count and first now (k->nsecs_now, k->nbase), and where each
 * kept section is now (k->sidmap: UINT32_MAX for those of a page changed
 * or removed, whose words patch_pages moves); the pages' places now
 * (idx->pn) and then (kept_places).  0 when a changed page has no record
 * now where it should (its render failed).
 */
static int
kept_sections(struct search_index *idx)
{
	const struct site *s = idx->site;
	struct kept	*k = idx->kept;
	const struct sdoc *d;
	size_t		 i, j, o;
	uint32_t	 sid = 0;

	k->obase = xcalloc(k->npages + 1, sizeof(*k->obase));
	for (j = 0; j < k->npages; j++) {
		k->obase[j] = sid;
		sid += k->pages[j].nsecs;
	}
	if (sid != k->nsecs)
		return 0;
	k->nsecs_now = xcalloc(s->npages + 1, sizeof(*k->nsecs_now));
	k->nbase = xcalloc(s->npages + 1, sizeof(*k->nbase));
	for (sid = 0, i = 0; i < s->npages; i++) {
		if (!k->changed[i])
			k->nsecs_now[i] = k->pages[k->oldof[i]].nsecs;
		else if ((d = record_now(idx, i)) != NULL)
			k->nsecs_now[i] = (uint32_t)d->nsecs;
		else if (idx->rkeys[i] != 0)
			return 0;
		k->nbase[i] = sid;
		sid += k->nsecs_now[i];
	}
	k->nsecs_now_total = sid;
	k->sidmap = xcalloc(k->nsecs + 1, sizeof(*k->sidmap));
	for (j = 0; j < k->npages; j++) {
		i = k->nowof[j];
		for (o = 0; o < k->pages[j].nsecs; o++)
			k->sidmap[k->obase[j] + o] = i == SIZE_MAX ||
			    k->changed[i] ? UINT32_MAX :
			    k->nbase[i] + (uint32_t)o;
	}
	pagenum_make(&idx->pn, k->nsecs_now, s->npages);
	kept_places(idx);
	return 1;
}

/*
 * Whether the edited pages touched a form of tr's full list (or more
 * forms than can be told).  A full list is the first forms in section
 * order, and the kept index does not know where each first shows: a page
 * that showed one first may no longer, or show two in another order.
 */
static int
full_list_touched(const struct patch *pt, const struct term_rec *tr,
    const struct tchange *c)
{
	uint32_t	 i, j;

	if (tr == NULL || tr->nsurf < SEARCH_MAX_SURFACES || c->ntouched == 0)
		return 0;
	if (c->ntouched == UINT32_MAX)
		return 1;
	for (i = 0; i < c->ntouched; i++)
		for (j = 0; j < tr->nsurf; j++)
			if (strcmp(tr->surf[j], pt->surfs.keys.data +
			    c->touched[i]) == 0)
				return 1;
	return 0;
}

/* 1 when word c's postings in the edited pages are as they were (same
 * sections, same impacts) and so are its surface forms: then every
 * posting of it in the site is, and its kept record is what a patch
 * would write, margin and all. */
static int
unchanged(const struct patch *pt, const struct tchange *c)
{
	uint32_t	 i, osec, nsec;

	if (c->nold != c->nadd || c->nforms > 0)
		return 0;
	/* The same page places and places in the page: what the record
	 * names (sections numbered across the site may differ). */
	for (i = 0; i < c->nold; i++)
		if (pagenum_of(&pt->k->opn, c->old[i].sid, &osec) !=
		    pagenum_of(&pt->idx->pn, c->add[i].sid, &nsec) ||
		    osec != nsec ||
		    c->old[i].q != c->add[i].q ||
		    c->old[i].rank != c->add[i].rank)
			return 0;
	return 1;
}

/* Kept section sid as it is now, or UINT32_MAX when its page changed or
 * is gone (or sid is out of range: a malformed record). */
static uint32_t
sid_now(const struct kept *k, uint32_t sid)
{
	return sid < k->nsecs ? k->sidmap[sid] : UINT32_MAX;
}

/* Merges the sid-ordered postings b (nb) into the sid-ordered p (np, with
 * room for np + nb), from the back, so nothing is overwritten unread. */
static void
merge_by_sid(struct post *p, uint32_t np, const struct post *b, uint32_t nb)
{
	uint32_t	 k = np + nb;

	while (nb > 0)
		p[--k] = np > 0 && p[np - 1].sid > b[nb - 1].sid ?
		    p[--np] : b[--nb];
}

/* Moves surface form w of t to delta pages more or fewer; 0 when that
 * cannot be told here.  A list not full holds every form the site
 * shows. */
static int
recount_surface(struct patch *pt, struct term_rec *t, const char *w,
    int32_t delta)
{
	int64_t		 pages;
	uint32_t	 j;
	int		 full = t->nsurf == SEARCH_MAX_SURFACES;

	for (j = 0; j < t->nsurf && strcmp(t->surf[j], w) != 0; j++)
		;
	if (j == t->nsurf) {
		if (delta < 0 && full)
			return 1;	/* not among the first: they stand */
		if (delta < 0) {
			pt->why = "a kept record is malformed";
			return 0;
		}
		if (full) {
			/* Whether it is among the first depends on where. */
			pt->why = "a word gained a surface form, with no room";
			return 0;
		}
		t->surf[t->nsurf] = w;
		t->surfpages[t->nsurf++] = (uint32_t)delta;
		return 1;
	}
	if ((pages = (int64_t)t->surfpages[j] + delta) < 0) {
		pt->why = "a kept record is malformed";
		return 0;
	}
	if (pages > 0) {
		t->surfpages[j] = (uint32_t)pages;
		return 1;
	}
	memmove(&t->surf[j], &t->surf[j + 1],
	    (t->nsurf - j - 1) * sizeof(*t->surf));
	memmove(&t->surfpages[j], &t->surfpages[j + 1],
	    (t->nsurf - j - 1) * sizeof(*t->surfpages));
	t->nsurf--;
	return 1;
}

/*
 * Term key (its record tr, NULL for a word new to the site) with change
 * c: its record written again into out.  0 when it cannot be patched.
 *
 * The record keeps the term's n best postings (by rank, then the first
 * sections), or all of them (n == df).  Those of them outside the edited
 * pages (n - removed) are the best n - removed of all its postings
 * outside them, whose scores did not move: anything better would have
 * been among the n.  So with the edited pages' new postings added, the
 * best n - removed of the list are the best of all the term's postings
 * now, and when that is at least what an entry keeps (score_want), the
 * entry made from them is the one a merge makes from all.  The margin
 * (KEEP_EXTRA) shrinks with each patch that removes kept postings; a
 * merge restores it.
 */
static int
patch_term(struct patch *pt, const char *key, size_t klen,
    const struct term_rec *tr, struct tchange *c, struct buf *out)
{
	struct term_rec	 nt;
	struct post	*p, *scratch;
	uint32_t	 n = 0, i, k = 0, kept, removed = 0, want;
	int		 complete = tr == NULL || tr->n == tr->df, ok = 1;

	memset(&nt, 0, sizeof(nt));
	if (tr != NULL)
		nt = *tr;
	nt.key = key;
	nt.klen = klen;
	p = xcalloc((tr ? tr->n : 0) + c->nadd + 1, sizeof(*p));
	if (tr != NULL && !term_rec_posts(pt->k, tr, p)) {
		pt->why = "a kept record is malformed";
		free(p);
		return 0;
	}
	for (i = 0, n = tr ? tr->n : 0; i < n; i++)
		if (p[i].sid == UINT32_MAX)	/* in an edited page */
			removed++;
		else
			p[k++] = p[i];
	if (nt.df < c->nold) {
		pt->why = "a kept record is malformed";
		free(p);
		return 0;
	}
	nt.df = nt.df - c->nold + c->nadd;
	if (nt.df == 0) {
		free(p);
		return 1;	/* gone from the site, surface forms too */
	}
	/* Both in section order: the kept list is, and an edited page's
	 * postings were added section by section, page by page. */
	merge_by_sid(p, k, c->add, c->nadd);
	k += c->nadd;
	kept = complete ? k : score_keep_top(p, k, n - removed);
	want = score_want(score_titles(p, kept));
	if (!complete && kept < want) {
		pt->why = "a word's kept postings ran short";
		ok = 0;
	}
	if (ok && full_list_touched(pt, tr, c)) {
		pt->why = "a word with a full list of surface forms changed "
		    "one";
		ok = 0;
	}
	/* The list is not full, or untouched: it holds every form the
	 * site shows, each with the pages that do. */
	for (i = 0; ok && i < c->nforms; i++)
		ok = recount_surface(pt, &nt, pt->surfs.keys.data +
		    c->forms[i], c->delta[i]);
	if (ok) {
		sort_surfaces(&nt);
		scratch = xcalloc(kept + 1, sizeof(*scratch));
		put_term(out, &nt, p, kept, scratch, &pt->idx->pn);
		free(scratch);
	}
	free(p);
	return ok;
}

/*
 * Record tr (its bytes from rec to end), whose kept postings are all in
 * pages neither changed nor removed, with them at their pages' places
 * now, into out: only the gaps that span a page added or removed change
 * (postcode.h), and a record none of whose gaps do is copied as it lies.
 * scratch: two buffers for the new postings.  0 when the record is not
 * of the shape put_term writes, or names a page changed or gone.
 */
static int
shift_record(const struct kept *k, const struct term_rec *tr,
    const unsigned char *rec, const unsigned char *end, struct buf *scratch,
    struct buf *out)
{
	struct buf	*list = &scratch[0], *post = &scratch[1];
	const unsigned char *ent = (const unsigned char *)tr->ent;
	size_t		 from, to;
	int		 same_list, same_post;

	buf_reset(list);
	buf_reset(post);
	if (!postcode_entry_postings(tr->ent, tr->entlen, &from, &to) ||
	    !postcode_regap(k->moved, k->opn.npages, k->settled, tr->list,
	    tr->listlen, POSTCODE_VARINT, list, &same_list) ||
	    !postcode_regap(k->moved, k->opn.npages, k->settled, ent + from,
	    to - from, POSTCODE_B64, post, &same_post))
		return 0;
	if (same_list && same_post) {
		buf_append(out, rec, (size_t)(end - rec));
		return 1;
	}
	rec_put_str(out, tr->key, tr->klen);
	rec_put_u32(out, tr->df);
	rec_put_u32(out, tr->n);
	rec_put_u32(out, (uint32_t)list->len);
	buf_append(out, list->data, list->len);
	put_surfaces(out, tr);
	rec_put_u32(out, (uint32_t)(tr->entlen - (to - from) + post->len));
	buf_append(out, ent, from);
	buf_append(out, post->data, post->len);
	buf_append(out, ent + to, tr->entlen - to);
	return 1;
}

/*
 * The surface forms the edited pages show on more or fewer pages than
 * before, each on its stem's change; every form they show or showed is
 * touched.  The kept records count the pages that show each form, so a
 * form no page shows any more is known without reading the others
 * (which took 60-90 ms at 10,000 pages).
 */
static int
patch_surfaces(struct patch *pt)
{
	struct wentry	*e;
	struct tchange	*c;
	size_t		 i;
	int32_t		 delta;

	for (i = 0; i < pt->surfs.n; i++) {
		e = &pt->surfs.e[i];
		c = patch_word(pt, pt->surfs.keys.data + e->key + e->aux,
		    e->klen - e->aux, e->auxhash);
		if (c->ntouched < SEARCH_MAX_SURFACES)
			c->touched[c->ntouched++] = e->key;
		else
			c->ntouched = UINT32_MAX;
		delta = (int32_t)e->tf[SURF_NOW] - (int32_t)e->tf[SURF_BEFORE];
		if (delta == 0)
			continue;
		if (c->nforms == SEARCH_MAX_SURFACES) {
			pt->why = "a word gained or lost too many surface "
			    "forms";
			return 0;
		}
		c->forms[c->nforms] = e->key;
		c->delta[c->nforms++] = delta;
	}
	return 1;
}

static int
cmp_word(const void *a, const void *b, void *arg)
{
	const struct wtab *t = arg;

	return search_strcmp(t->keys.data + t->e[*(const uint32_t *)a].key,
	    t->keys.data + t->e[*(const uint32_t *)b].key);
}

/* The kept records from recs to end and the edited words among them
 * (order[0..n-1], by key), patched into out by a thread of their own.
 * pt is a copy of the patch (read only, but for why). */
struct term_range {
	struct patch	 pt;
	const unsigned char *recs, *end;
	const uint32_t	*order;
	size_t		 n;
	struct buf	 out;
	struct buf	 scratch[2];	/* shift_record's */
	size_t		 patched;
	int		 ok;
};

static void *
patch_range(void *arg)
{
	struct term_range *rg = arg;
	struct patch	*pt = &rg->pt;
	struct term_rec	 tr;
	struct rec_rd	 r;
	const unsigned char *at;
	const char	*key;
	const uint32_t	*order = rg->order;
	size_t		 i, n = rg->n;
	int		 ok = 1, more, c;

	rec_init(&r, rg->recs, (size_t)(rg->end - rg->recs));
	at = r.p;
	more = term_rec_get(&r, &tr);
	for (i = 0; ok && (more || i < n); ) {
		key = i < n ? pt->words.keys.data + pt->words.e[order[i]].key :
		    NULL;
		c = !more ? 1 : key == NULL ? -1 : search_strcmp(tr.key, key);
		/* Its record stands, unless pages moved place (then its
		 * postings in the edited pages are taken out and put back
		 * where they are now). */
		if (c == 0 && !pt->k->shifted &&
		    unchanged(pt, &pt->tc[order[i]]) &&
		    !full_list_touched(pt, &tr, &pt->tc[order[i]])) {
			c = -1;
			i++;
		}
		if (c < 0 && pt->k->shifted) {	/* its pages moved */
			if (!(ok = shift_record(pt->k, &tr, at, r.p,
			    rg->scratch, &rg->out)))
				pt->why = "a kept record is malformed";
		} else if (c < 0)		/* a record not edited: as it lies */
			buf_append(&rg->out, at, (size_t)(r.p - at));
		else {
			ok = patch_term(pt, key, pt->words.e[order[i]].klen,
			    c == 0 ? &tr : NULL, &pt->tc[order[i]],
			    &rg->out);
			rg->patched++;
			i++;
			if (c > 0)
				continue;
		}
		at = r.p;
		more = term_rec_get(&r, &tr);
	}
	if (ok && (!r.ok || r.p != r.end)) {
		pt->why = "a kept record is malformed";
		ok = 0;
	}
	rg->ok = ok;
	return NULL;
}

/* Where the second half of the kept records starts (the start of the
 * record that passes the middle), with its key; 0 when there is none. */
static int
records_middle(const struct kept *k, const unsigned char **mid,
    const char **key)
{
	struct term_rec	 tr;
	struct rec_rd	 r;

	rec_init(&r, k->recs, k->recslen);
	while ((size_t)(r.p - (const unsigned char *)k->recs) <
	    k->recslen / 2 && term_rec_get(&r, &tr))
		;
	*mid = r.p;
	return r.ok && term_rec_get(&r, &tr) && (*key = tr.key) != NULL;
}

/*
 * The kept index's term records with the edited words' written again,
 * into recs (key order); 0 when a word cannot be patched.  When pages
 * moved place (a page added or removed before others), every record is
 * written again with its postings renumbered: 20-25 ms at 10,000 pages,
 * so the records are cut in two halves, each patched on a core.
 */
static int
patch_terms(struct patch *pt, struct buf *recs)
{
	struct term_range rg[2];
	uint32_t	*order = xcalloc(pt->words.n + 1, sizeof(*order));
	const unsigned char *mid;
	const char	*key;
	size_t		 i, n = pt->words.n, split = n;
	int		 nr = 1, started, ok = 1;

	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), cmp_word, &pt->words);
	memset(rg, 0, sizeof(rg));
	rg[0].recs = (const unsigned char *)pt->k->recs;
	rg[0].end = rg[0].recs + pt->k->recslen;
	if (pt->k->shifted && pt->idx->threads > 1 &&
	    records_middle(pt->k, &mid, &key)) {
		/* The words before the second half's first key are the
		 * first half's, the rest the second's. */
		for (split = 0; split < n && search_strcmp(pt->words.keys.data +
		    pt->words.e[order[split]].key, key) < 0; split++)
			;
		rg[1].recs = mid;
		rg[1].end = rg[0].end;
		rg[0].end = mid;
		rg[1].order = order + split;
		rg[1].n = n - split;
		nr = 2;
	}
	rg[0].order = order;
	rg[0].n = split;
	for (i = 0; i < (size_t)nr; i++)
		rg[i].pt = *pt;
	started = parallel_run(nr, patch_range, rg, sizeof(rg[0]));
	for (i = (size_t)started; i < (size_t)nr; i++)
		(void)patch_range(&rg[i]);
	for (i = 0; i < (size_t)nr; i++) {
		if (ok && !rg[i].ok) {
			pt->why = rg[i].pt.why;
			ok = 0;
		}
		buf_append(recs, rg[i].out.data, rg[i].out.len);
		pt->idx->patched_terms += rg[i].patched;
		buf_free(&rg[i].out);
		buf_free(&rg[i].scratch[0]);
		buf_free(&rg[i].scratch[1]);
	}
	free(order);
	return ok;
}

/* The kept index patched with the edited pages, into recs and the index's
 * fields; 0 when it cannot be (the build then merges as before). */
static int
kept_patch(struct search_index *idx, struct buf *recs)
{
	struct kept	*k = idx->kept;
	struct patch	 pt;
	size_t		 i;
	int		 ok = 0, steps[NFIELDS];

	memset(&pt, 0, sizeof(pt));
	pt.idx = idx;
	pt.k = k;
	for (i = 0; i < NFIELDS; i++) {
		steps[i] = score_avg_step(k->lensum[i], k->lencount[i]);
		pt.avg[i] = score_avg_of_step(steps[i]);
	}
	if (!kept_sections(idx)) {
		pt.why = "a kept record is malformed, or a page has none";
		goto done;
	}
	if (!patch_pages(&pt))
		goto done;
	for (i = 0; i < NFIELDS; i++)
		if (score_avg_step(k->lensum[i], k->lencount[i]) != steps[i]) {
			pt.why = "an average length moved a step";
			goto done;	/* every score may move */
		}
	ok = patch_surfaces(&pt) && patch_terms(&pt, recs);
done:
	for (i = 0; i < pt.ntc; i++) {
		free(pt.tc[i].old);
		free(pt.tc[i].add);
	}
	free(pt.tc);
	wtab_free(&pt.words);
	wtab_free(&pt.surfs);
	idx->why = ok ? NULL : pt.why;
	return ok;
}

/* Appends sections [from, to) of record d to chunk b, as chunk_add does:
 * the page's header, its sections, the end of its group. */
static void
chunk_put_page(struct buf *b, const struct sdoc *d, size_t from, size_t to)
{
	size_t	 i;

	buf_putc(b, b->len ? ',' : '[');
	buf_puts(b, d->header);
	for (i = from; i < to; i++) {
		if (i > from)
			buf_putc(b, ',');
		buf_append(b, d->disp.data + d->doff[i],
		    d->doff[i + 1] - d->doff[i]);
	}
	buf_puts(b, "]]");
}

/* Page i's record for a chunk written again: a changed or new page's new
 * one, any other's from the pack with its header; NULL when it is not
 * there (d is then taken back). */
static struct sdoc *
chunk_record(struct search_index *idx, size_t i)
{
	struct sdoc	*d;

	if (idx->kept->changed[i])
		return record_now(idx, i);
	d = sdoc_new(idx);
	if (!srec_load(idx, idx->rkeys[i], d)) {
		sdoc_recycle(idx, d);
		return NULL;
	}
	d->header = record_header(idx->site, idx->site->pages[i]);
	return d;
}

/* Writes chunk c, sections [first, end) now, from the pages' records;
 * 0 when a record is not in the pack. */
static int
chunk_rewrite(struct search_index *idx, size_t c, uint32_t first,
    uint32_t end)
{
	struct kept	*k = idx->kept;
	struct buf	 b = { 0 };
	struct sdoc	*d;
	char		*name;
	size_t		 i;
	uint32_t	 from, to, *base = k->nbase, *n = k->nsecs_now;

	for (i = 0; i < idx->site->npages; i++) {
		if (n[i] == 0 || base[i] >= end || base[i] + n[i] <= first)
			continue;
		if ((d = chunk_record(idx, i)) == NULL) {
			buf_free(&b);
			return 0;
		}
		from = base[i] < first ? first - base[i] : 0;
		to = base[i] + n[i] > end ? end - base[i] : n[i];
		chunk_put_page(&b, d, from, to);
		if (!k->changed[i])
			sdoc_recycle(idx, d);
	}
	buf_putc(&b, ']');
	idx->chunk_names[c] = name_hash(&b);
	name = chunk_file(c, idx->chunk_names[c]);
	idx->chunk_keys[c] = write_out(idx, name, &b);
	idx->chunk_bytes += b.len;
	free(name);
	buf_free(&b);
	return 1;
}

/* Each section's excerpt length now (idx->dlen): the kept ones, a
 * changed or new page's from its record. */
static void
kept_dlen(struct search_index *idx)
{
	struct kept	*k = idx->kept;
	const struct sdoc *d;
	size_t		 i, o;
	uint32_t	*dlen;

	dlen = xcalloc(k->nsecs_now_total + 1, sizeof(*dlen));
	for (i = 0; i < idx->site->npages; i++) {
		if (k->nsecs_now[i] == 0)
			continue;
		if (!k->changed[i])
			memcpy(dlen + k->nbase[i], k->dlen +
			    k->obase[k->oldof[i]], k->nsecs_now[i] *
			    sizeof(*dlen));
		else
			for (d = record_now(idx, i), o = 0; o < d->nsecs; o++)
				dlen[k->nbase[i] + o] = (uint32_t)
				    (d->doff[o + 1] - d->doff[o]);
	}
	free(idx->dlen);
	idx->dlen = dlen;
}

/* 1 when chunk c, sections [first, end) now, is the kept chunk c: the
 * same kept sections, in the same place (back: each section's kept one,
 * or UINT32_MAX; kfirst: the kept chunk's first). */
static int
chunk_same(const struct kept *k, size_t c, uint32_t first, uint32_t end,
    const uint32_t *back, uint32_t kfirst)
{
	uint32_t	 t;

	if (c >= k->nchunks || end - first != k->chunk_secs[c])
		return 0;
	for (t = first; t < end; t++)
		if (back[t] != kfirst + (t - first))
			return 0;
	return 1;
}

/* The excerpt chunks as chunk_add cuts the pages now: each that holds the
 * kept chunk of its number's sections is kept, the others written again
 * from the records; 0 when a kept one is no longer in the site folder or
 * a record is not in the pack. */
static int
kept_chunks(struct search_index *idx)
{
	struct kept	*k = idx->kept;
	struct kept_page *pg;
	uint32_t	*back, *plan, first = 0, kfirst = 0;
	size_t		 i, n;
	char		*name;
	int		 ok = 1;

	pg = xcalloc(idx->site->npages + 1, sizeof(*pg));
	for (i = 0; i < idx->site->npages; i++) {
		pg[i].nsecs = k->nsecs_now[i];
		pg[i].hlen = idx->phlen[i];
		pg[i].text_len = text_len_now(idx->site, i);
	}
	plan = xcalloc(SEARCH_MAX_CHUNKS, sizeof(*plan));
	n = chunk_plan(pg, idx->site->npages, idx->dlen, idx->text_total,
	    plan);
	free(pg);
	back = xcalloc(k->nsecs_now_total + 1, sizeof(*back));
	memset(back, 0xff, k->nsecs_now_total * sizeof(*back));
	for (i = 0; i < k->nsecs; i++)
		if (k->sidmap[i] != UINT32_MAX)
			back[k->sidmap[i]] = (uint32_t)i;
	idx->chunks = plan;
	idx->nchunks = n;
	idx->chunk_names = xcalloc(n + 1, sizeof(*idx->chunk_names));
	idx->chunk_keys = xcalloc(n + 1, sizeof(*idx->chunk_keys));
	for (i = 0; ok && i < n; i++) {
		if (chunk_same(k, i, first, first + plan[i], back, kfirst)) {
			idx->chunk_names[i] = k->chunk_names[i];
			idx->chunk_keys[i] = k->chunk_keys[i];
			name = chunk_file(i, idx->chunk_names[i]);
			if (!(ok = keep_file(idx, name, idx->chunk_keys[i])))
				idx->why = "a file it kept is no longer in "
				    "the site folder";
			free(name);
		} else if (!(ok = chunk_rewrite(idx, i, first,
		    first + plan[i])))
			idx->why = "a page's last record is not in the pack";
		first += plan[i];
		kfirst += i < k->nchunks ? k->chunk_secs[i] : 0;
	}
	free(back);
	return ok;
}

/* Merges the sorted runs a[0, na) and b[0, nb) into out. */
static void
merge_titles(const struct title *a, size_t na, const struct title *b,
    size_t nb, struct title *out)
{
	size_t	 i = 0, j = 0, n = 0;

	while (i < na || j < nb)
		out[n++] = j == nb || (i < na && cmp_title(&a[i], &b[j]) < 0) ?
		    a[i++] : b[j++];
}

/*
 * The kept titles at their sections now, and the changed and new pages'
 * from their records, sorted as finish_merged sorts them.  The kept ones
 * are in that order already when the renumbering kept their sections'
 * order (it does: pages are lined up in order), so only the changed
 * pages' are sorted, then merged in: sorting all 10,000 again was 2 ms
 * of a body edit.  The order is checked, and all are sorted when it
 * does not hold.
 */
static void
kept_titles(struct search_index *idx)
{
	struct kept	*k = idx->kept;
	struct title	*t, *merged;
	const struct sdoc *d;
	size_t		 i, nkept;
	uint32_t	 sid;
	int		 sorted = 1;

	t = xcalloc(k->ntitles + k->nchanged + 1, sizeof(*t));
	idx->titles = t;
	for (i = 0; i < k->ntitles; i++) {
		/* A changed or removed page's title is not kept. */
		if ((sid = sid_now(k, k->titles[i].sid)) == UINT32_MAX)
			continue;
		t[idx->ntitles].key = xstrdup(k->titles[i].key);
		t[idx->ntitles].sid = sid;
		if (idx->ntitles > 0 &&
		    cmp_title(&t[idx->ntitles - 1], &t[idx->ntitles]) > 0)
			sorted = 0;
		idx->ntitles++;
	}
	nkept = idx->ntitles;
	for (i = 0; i < idx->site->npages; i++) {
		if (!k->changed[i] || (d = record_now(idx, i)) == NULL ||
		    d->title_key == NULL)
			continue;
		t[idx->ntitles].key = xstrdup(d->title_key);
		t[idx->ntitles++].sid = k->nbase[i];
	}
	if (!sorted) {
		xqsort(t, idx->ntitles, sizeof(*t), cmp_title);
		return;
	}
	xqsort(t + nkept, idx->ntitles - nkept, sizeof(*t), cmp_title);
	merged = xcalloc(idx->ntitles + 1, sizeof(*merged));
	merge_titles(t, nkept, t + nkept, idx->ntitles - nkept, merged);
	free(t);
	idx->titles = merged;
}

/* 1 when the tag file is the kept one: every page's sections where they
 * were, and the changed pages' tags and section counts as they were. */
static int
tags_stand(const struct search_index *idx)
{
	const struct kept *k = idx->kept;
	size_t		 i, j;

	if (k->shifted || k->ngone > 0)
		return 0;
	for (i = 0; i < idx->site->npages; i++) {
		if (!k->changed[i])
			continue;
		if ((j = k->oldof[i]) == SIZE_MAX) {
			if (k->nsecs_now[i] > 0)
				return 0;
		} else if (k->pages[j].nsecs != k->nsecs_now[i] ||
		    (k->nsecs_now[i] > 0 &&
		    k->pages[j].tags != tags_hash(idx->site->pages[i])))
			return 0;
	}
	return 1;
}

/* The runs of kinds and the tags, made again from the pages now: as
 * merge_page makes them, for the pages with sections.  The tags are the
 * kept index's when what they are made of is as it was (tags_stand) and
 * the site folder still holds their file: making them again from
 * 10,000 pages' tags was a third of a body edit's search finish. */
static void
kept_runs_and_tags(struct search_index *idx)
{
	const struct site *s = idx->site;
	const struct page *p;
	struct kept	*k = idx->kept;
	size_t		 i, t;
	char		*name;

	if (tags_stand(idx)) {
		name = tags_file(k->tags_name);
		k->tags_kept = keep_file(idx, name, k->tags_key);
		free(name);
	}
	if (k->tags_kept) {
		idx->tags_name = k->tags_name;
		idx->tags_key = k->tags_key;
	}

	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		if (k->nsecs_now[i] == 0)
			continue;
		if (idx->nruns == 0 ||
		    idx->runs[idx->nruns - 1] != (uint32_t)p->section) {
			idx->runs = xreallocarray(idx->runs, idx->nruns + 2,
			    sizeof(*idx->runs), &idx->capruns);
			idx->runs[idx->nruns++] = k->nbase[i];
			idx->runs[idx->nruns++] = (uint32_t)p->section;
		}
		for (t = 0; !k->tags_kept && t < p->meta.tags.n; t++)
			add_tag(idx, p->meta.tags.v[t], k->nbase[i],
			    k->nsecs_now[i]);
	}
}

/* The index's fields from the patched kept index; 0 when the files it
 * keeps are no longer in the site folder. */
static int
kept_use(struct search_index *idx)
{
	struct kept	*k = idx->kept;
	size_t		 i;

	for (i = 0; i < idx->site->npages; i++) {
		idx->psecs[i] = k->nsecs_now[i];
		idx->phlen[i] = !k->changed[i] ? k->pages[k->oldof[i]].hlen :
		    k->nsecs_now[i] > 0 ?
		    (uint32_t)strlen(record_now(idx, i)->header) : 0;
	}
	kept_dlen(idx);
	if (!kept_chunks(idx))
		return 0;
	idx->nsecs = k->nsecs_now_total;
	memcpy(idx->lensum, k->lensum, sizeof(idx->lensum));
	for (i = 0; i < NFIELDS; i++)
		idx->lencount[i] = (size_t)k->lencount[i];
	kept_runs_and_tags(idx);
	kept_titles(idx);
	return 1;
}

/* When the kept index cannot be patched: the merge as in any build, with
 * the records of every page a merged group needs. */
static void
kept_fallback(struct search_index *idx)
{
	const struct site *s = idx->site;
	struct search_worker *w = NULL;
	struct group	*g;
	size_t		 i, j;

	kept_free(idx->kept);
	idx->kept = NULL;
	buf_reset(&idx->names);
	idx->nfiles = 0;
	idx->patched_terms = 0;
	/* What kept_use made before it gave way: the merge makes it. */
	free(idx->chunks);
	free(idx->chunk_names);
	free(idx->chunk_keys);
	free(idx->dlen);
	idx->chunks = idx->chunk_names = idx->dlen = NULL;
	idx->chunk_keys = NULL;
	idx->nchunks = idx->capchunks = idx->capnames = idx->capckeys = 0;
	idx->capdlen = 0;
	idx->chunk_bytes = 0;
	find_kept_groups(idx);
	for (i = 0; i < idx->ngroups; i++) {
		g = &idx->groups[i];
		if (g->kept != NULL)
			continue;
		for (j = g->first; j < g->end; j++) {
			if (s->pages[j]->source == NULL ||
			    atomic_load(&idx->slots[j]) != NULL)
				continue;
			if (w == NULL)
				w = search_worker_new(idx);
			atomic_store(&idx->slots[j],
			    page_record(w, s->pages[j], NULL));
		}
	}
	search_worker_free(w);
}

/* The index merged from the groups (every build that does not patch). */
static void
finish_merged(struct search_index *idx, struct buf *recs)
{
	pthread_mutex_lock(&idx->lock);
	merge_ready(idx, 1);
	pthread_mutex_unlock(&idx->lock);
	chunk_flush(idx);
	xqsort(idx->titles, idx->ntitles, sizeof(*idx->titles), cmp_title);
	pagenum_make(&idx->pn, idx->psecs, idx->site->npages);
	make_records(idx, recs);
}

/* The tag file's name and key, written when this build made the tags. */
static void
write_tags(struct search_index *idx, struct tagacc ***tags, size_t *ntags)
{
	struct buf	 tb = { 0 };
	char		*name;
	size_t		 i;

	if (idx->kept != NULL && idx->kept->tags_kept) {
		*tags = xcalloc(idx->kept->ntags + 1, sizeof(**tags));
		for (i = 0; i < idx->kept->ntags; i++)
			(*tags)[i] = &idx->kept->tags[i];
		*ntags = idx->kept->ntags;
		return;
	}
	make_tags(idx, tags, ntags, &tb);
	idx->tags_name = name_hash(&tb);
	name = tags_file(idx->tags_name);
	idx->tags_key = write_out(idx, name, &tb);
	idx->tags_bytes = tb.len;
	free(name);
	buf_free(&tb);
}

/* The shards being written on all cores. */
struct shard_job {
	struct search_index *idx;
	const struct shard *sh;
	uint32_t	*names;		/* each one's name hash */
	uint64_t	*keys;
	atomic_int	 failed;
};

static char *
shard_file(size_t i, uint32_t hash)
{
	return xasprintf("s%zu.%08" PRIx32 ".json", i, hash);
}

static void
write_shard(void *ctx, size_t i)
{
	struct shard_job *j = ctx;
	const struct buf *b = &j->sh[i].text;
	char		*name;

	/* name_hash and file_key of the same bytes, hashed once. */
	j->keys[i] = XXH3_64bits(b->data ? b->data : "", b->len);
	j->names[i] = (uint32_t)j->keys[i];
	j->keys[i] += j->keys[i] == 0;
	name = shard_file(i, j->names[i]);
	if (!write_keyed(j->idx, name, b, j->keys[i]))
		atomic_store(&j->failed, 1);
	free(name);
}

/*
 * Writes the nsh shards sh, on all cores: a page added moves the places
 * of the pages after it, and most shards and their .gz twins are written
 * again (about 460 files at 10,000 pages), which took 25 ms of the one
 * core the build waited on.  Returns their name hashes.
 */
static uint32_t *
write_shards(struct search_index *idx, const struct shard *sh, size_t nsh)
{
	struct shard_job j = { idx, sh, xcalloc(nsh + 1, sizeof(uint32_t)),
			    xcalloc(nsh + 1, sizeof(uint64_t)), 0 };
	char		*name;
	size_t		 i;

	parallel_for(nsh, idx->threads, write_shard, &j);
	if (atomic_load(&j.failed))
		idx->ok = 0;
	for (i = 0; i < nsh; i++) {	/* in order: the names' record */
		name = shard_file(i, j.names[i]);
		names_add(idx, name, j.keys[i]);
		free(name);
	}
	free(j.keys);
	return j.names;
}

int
search_finish(struct search_index *idx)
{
	struct shard	*sh = NULL;
	struct tagacc	**tags;
	struct buf	 recs = { 0 };
	uint32_t	*shard_names;
	size_t		 i, nsh = 0, ntags;
	double		 start = cpu_ms(idx);	/* one thread: its CPU time */

	if (idx->reused) {
		if (idx->stats)
			fprintf(stderr, "search: the last build's index kept "
			    "(%zu files)\n", idx->nfiles);
		return 1;
	}
	if (idx->kept != NULL && (!kept_patch(idx, &recs) ||
	    !kept_use(idx))) {
		if (idx->stats)
			fprintf(stderr, "search: the last build's index not "
			    "patched: %s\n", idx->why);
		buf_reset(&recs);
		kept_fallback(idx);
	}
	if (idx->kept == NULL)
		finish_merged(idx, &recs);
	if (!make_shards(idx, &recs, &sh, &nsh)) {
		diag_error(NULL, 0, 0, "search: the index's terms are "
		    "malformed (a bug)");
		buf_free(&recs);
		return 0;
	}
	write_tags(idx, &tags, &ntags);
	shard_names = write_shards(idx, sh, nsh);
	write_root(idx, shard_names, idx->tags_name, sh, nsh, tags, ntags);
	free(shard_names);
	if (idx->ok && idx->inputs != 0)
		pack_put(idx->pack, idx->inputs, idx->names.data,
		    idx->names.len);
	kept_save(idx, &recs, tags, ntags);
	if (idx->stats && idx->kept != NULL)
		fprintf(stderr, "search: the last build's index patched "
		    "(%zu pages, %zu terms written again, %zu terms); finish "
		    "%.0f ms CPU\n", idx->kept->nedits, idx->patched_terms,
		    idx->nterms_out, cpu_ms(idx) - start);
	else if (idx->stats)
		fprintf(stderr, "search: %zu sections, %zu terms; %zu shards "
		    "(%zu bytes), %zu chunks (%zu bytes), tags %zu bytes, root "
		    "%zu bytes; collect %.0f ms CPU, merge %.0f ms CPU, finish "
		    "%.0f ms CPU; groups: %zu from the pack, %zu made; "
		    "records: %zu from the pack, %zu made\n",
		    idx->nsecs, idx->nterms, nsh, idx->shard_bytes,
		    idx->nchunks, idx->chunk_bytes, idx->tags_bytes,
		    idx->root_bytes, idx->collect_ms, idx->merge_ms,
		    cpu_ms(idx) - start, idx->groups_kept, idx->groups_made,
		    (size_t)idx->loaded, (size_t)idx->made);
	for (i = 0; i < nsh; i++) {
		free(sh[i].key);
		buf_free(&sh[i].alias);
		buf_free(&sh[i].titles);
		buf_free(&sh[i].text);
	}
	free(sh);
	free(tags);
	buf_free(&recs);
	return idx->ok;
}

static void
group_builder_free(struct group_builder *gb)
{
	size_t	 i;

	wtab_free(&gb->tab);
	for (i = 0; i < gb->ninit; i++)
		buf_free(&gb->t[i].post);
	free(gb->t);
	buf_free(&gb->surfkeys);
	buf_free(&gb->out);
	free(gb->doff);
}

void
search_free(struct search_index *idx)
{
	size_t	 i;

	if (idx == NULL)
		return;
	for (i = 0; i < idx->site->npages; i++) {
		struct sdoc *d = atomic_load(&idx->slots[i]);

		sdoc_free(d);
	}
	free(idx->slots);
	for (i = 0; i < idx->npool; i++)
		sdoc_free(idx->pool[i]);
	pthread_mutex_destroy(&idx->pool_lock);
	free(idx->terms);
	for (i = 0; i < idx->npblocks; i++)
		free(idx->pblocks[i]);
	free(idx->pblocks);
	for (i = 0; i < idx->nbuilt; i++)
		free(idx->built[i]);
	free(idx->built);
	free(idx->tslot);
	buf_free(&idx->keys);
	free(idx->surfs);
	free(idx->secs);
	free(idx->runs);
	pagenum_free(&idx->pn);
	for (i = 0; i < idx->ntitles; i++)
		free(idx->titles[i].key);
	free(idx->titles);
	for (i = 0; i < idx->tagmap.cap; i++)
		if (idx->tagmap.slots[i].key != NULL) {
			struct tagacc *t = idx->tagmap.slots[i].value;

			free(t->name);
			free(t->v);
			free(t);
		}
	strmap_free(&idx->tagmap);
	buf_free(&idx->chunk);
	free(idx->chunks);
	free(idx->chunk_names);
	free(idx->rkeys);
	free(idx->pkeys);
	free(idx->psecs);
	free(idx->phlen);
	free(idx->dlen);
	free(idx->chunk_keys);
	kept_free(idx->kept);
	buf_free(&idx->names);
	free(idx->groups);
	free(idx->pgroup);
	group_builder_free(&idx->gb);
	pthread_mutex_destroy(&idx->lock);
	free(idx);
}
