/*
 * memokeys: what page memos (pagememo.h) are compared against, made once
 * per build from the model: each page's id (the hash of its output file,
 * which pages added or removed elsewhere do not move), its own place, the
 * fields other pages show of it, its relations (neighbours, children,
 * ships), what a generated page lists; the site's shape (its settings),
 * where links may lead (every page's paths and the copied files), and the
 * hash of the whole, which says when nothing changed at all.
 */
#ifndef PORCH_MEMOKEYS_H
#define PORCH_MEMOKEYS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "pagedata.h"

/* What a memo's deps name (memokeys_digest): a page's fields (its id), a
 * docs node's list of children (its id | MEMOKEYS_KIDS) or a site list
 * (MEMOKEYS_LIST(k), pagedata.h).  No page's id is either of the last
 * two. */
#define MEMOKEYS_KIDS	(UINT64_C(1) << 63)
#define MEMOKEYS_LIST(k)	((uint64_t)(k) + 1)

/* Page ids to pages: open addressing, made on first need. */
struct id_map {
	uint64_t	*ids;		/* 0: an empty slot */
	uint32_t	*index;
	size_t		 mask;
};

struct memo_keys {
	const struct site *site;
	uint64_t	 shape;		/* in every key: base, whether drafts
					   are built */
	uint64_t	 whole;		/* the shape with every page's place,
					   fields and relations and the
					   deferred site data: what the feeds
					   are made of */
	uint64_t	 paths;		/* where links may lead */
	uint64_t	 docs;		/* all the deferred site data */
	uint64_t	 lists[PAGEDATA_NLISTS];	/* each site list */
	/* By page index: its id, its own place in the site, the hash of
	 * the fields other pages may show of it and of its relations (all
	 * made with whole) and of its children's (memokeys_kids). */
	uint64_t	*ids, *own, *fields, *rels, *kids;
	struct id_map	 map;
	pthread_mutex_t	 lock;		/* of kids and map */
	atomic_int	 kids_made, map_made;
};

/* The keys of site s (which outlives them); base is what every key holds
 * besides the site (the templates, the site data but its deferred parts,
 * the memo format), deferred what those parts hold. */
struct memo_keys *memokeys_new(const struct site *s, uint64_t base,
	     const struct pagedata_deferred *deferred);
void	 memokeys_free(struct memo_keys *);

/* p's id; UINT64_MAX for no page. */
uint64_t memokeys_id(const struct memo_keys *, const struct page *p);
/* The key of p's memo: the shape, its file, first line, body, own place,
 * the fields others show of it and, for a generated page, what it lists
 * (which pages, in order, and the render keys of those it shows whole:
 * set once the markdown pages have rendered). */
uint64_t memokeys_entry(const struct memo_keys *, const struct page *p);
/* The digest of p's relations and of its n deps as the site is now; 0
 * when one names no page.  Thread-safe. */
uint64_t memokeys_digest(struct memo_keys *, const struct page *p,
	     const uint64_t *deps, size_t n);
/* Makes kids, once; thread-safe. */
void	 memokeys_kids(struct memo_keys *);
/* s hashed on from seed, NULL apart from "". */
uint64_t memokeys_chain(uint64_t seed, const char *s);

#endif
