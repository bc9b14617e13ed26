/*
 * memosince: what changed in the site since the memo table was written
 * (pagememo.c).  A row of the table holds the digest of what its page
 * showed of the others (memokeys_digest) as the site was then.  When the
 * site is no longer that site (any title edited: memokeys.h's whole),
 * checking a row meant hashing again every field it showed: at 10,000
 * pages, a million lookups and hashes in every build after a title edit,
 * and the table written again to spare the next build the same.  So the
 * table is written with the site as its rows saw it (memosince_save):
 * each page's id with the hash of its fields, of its children's and of
 * its relations, each site list's, and where each path a link may name
 * led.  A later build compares the site as it is against that once, and
 * a row then holds when none of what it showed is among what changed
 * (memosince_holds) and none of its links leads elsewhere
 * (memosince_links_hold): the same answers as the digests, for a scan of
 * the row's deps and links (a page added or removed checked 10,000 rows'
 * links).
 */
#ifndef PORCH_MEMOSINCE_H
#define PORCH_MEMOSINCE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "memokeys.h"

struct memo_since;

/* Appends the site as the keys see it now to out. */
void	 memosince_save(struct memo_keys *, struct buf *out);

/* The saved site in data (len bytes, which outlive it: the pack's), or
 * NULL when it is malformed. */
struct memo_since *memosince_open(const void *data, size_t len);
void	 memosince_free(struct memo_since *);

/* The whole site's hash when it was saved (memokeys.h's whole), and
 * where links could lead (its paths). */
uint64_t memosince_whole(const struct memo_since *);
uint64_t memosince_paths(const struct memo_since *);

/*
 * 1 when what page p showed of the others with the site as it was saved
 * (its n deps, memokeys.h's, and its relations) is as it was: then a
 * memo made with that site still holds.  0 when any of it changed or is
 * gone.  Compares the saved site with keys on the first call; thread-safe.
 */
int	 memosince_holds(struct memo_since *, struct memo_keys *,
	     const struct page *p, const uint64_t *deps, size_t n);

/*
 * 1 when the paths a memo's links resolved to with the site as it was
 * saved (targets, len bytes: u32 count, strs, pagememo.c's) all lead
 * where they led: what the memo's links digest would say, for a lookup
 * of each path among those whose destination changed since (a page or
 * file added, removed or moved).  Thread-safe.
 */
int	 memosince_links_hold(struct memo_since *, struct memo_keys *,
	     const void *targets, size_t len);

#endif
