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
 * links).  Each page's heading ids are saved too: a heading added
 * anywhere changes the site's, and each row's links to headings were
 * looked up again (a tenth of a second's CPU at 10,000 pages, and the
 * table written again); a row holds when none of the pages they name
 * has other headings since (memosince_refs_hold).
 */
#ifndef PORCH_MEMOSINCE_H
#define PORCH_MEMOSINCE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "memokeys.h"

struct memo_since;

/* Appends the site as the keys see it now to out, with anchors, the
 * hash of its heading ids (pagememo_anchors), once every page's are
 * known. */
void	 memosince_save(struct memo_keys *, uint64_t anchors, struct buf *out);

/* The saved site in data (len bytes, which outlive it: the pack's), or
 * NULL when it is malformed. */
struct memo_since *memosince_open(const void *data, size_t len);
void	 memosince_free(struct memo_since *);

/* The whole site's hash when it was saved (memokeys.h's whole), and
 * where links could lead (its paths). */
uint64_t memosince_whole(const struct memo_since *);
uint64_t memosince_paths(const struct memo_since *);
/* The site's heading ids' hash when it was saved. */
uint64_t memosince_anchors(const struct memo_since *);

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

/* The paths whose destination changed since the site was saved (XXH3
 * hashes of a link's resolved path, sorted: *n of them), which
 * memosince_links_hold looks a memo's paths up among.  Thread-safe. */
const uint64_t *memosince_led(struct memo_since *, struct memo_keys *,
	     size_t *n);

/*
 * 1 when the pages a memo's links to headings name (refs, len bytes: u32
 * count, pairs of strs, source and id: pagememo.c's) have the headings
 * they had when the site was saved: then the links, which were looked up
 * with the site's headings as saved, still find theirs.  Compares every
 * page's headings once, after all pages' are known.  Thread-safe.
 */
int	 memosince_refs_hold(struct memo_since *, struct memo_keys *,
	     const void *refs, size_t len);

#endif
