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
 * its relations, and each site list's.  A later build compares the site
 * as it is against that once, and a row then holds when none of what it
 * showed is among what changed (memosince_holds): the same answer as
 * the digest, for a scan of the row's deps.
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

/* The whole site's hash when it was saved (memokeys.h's whole). */
uint64_t memosince_whole(const struct memo_since *);

/*
 * 1 when what page p showed of the others with the site as it was saved
 * (its n deps, memokeys.h's, and its relations) is as it was: then a
 * memo made with that site still holds.  0 when any of it changed or is
 * gone.  Compares the saved site with keys on the first call; thread-safe.
 */
int	 memosince_holds(struct memo_since *, struct memo_keys *,
	     const struct page *p, const uint64_t *deps, size_t n);

#endif
