/*
 * pack: one file of cached build results, DEST.porch-cache/pack, read
 * and extended by every build.  An entry is an opaque blob under a 64-bit
 * key that its producer derives from everything the blob depends on
 * (mdcache.c: a page's markdown; search.c: a page's index record, a
 * group's partial index), so an entry never goes stale; it only stops
 * being used.
 *
 * Layout: a 64-byte header (magic, seed, where the index is, its length
 * and hash, the committed file length, the header's own hash), the
 * entries' bytes, and an index of (key, offset, length, XXH3 of the
 * bytes) sorted by key.  A build maps the committed file, reads entries
 * in place (checked against their hash: a torn or changed entry is a
 * miss, never an error), appends the entries it makes at the end with
 * pwrite, and at pack_commit writes a new index of exactly the entries
 * this build used and then the header.  So a file is only ever extended
 * before its header changes, and a build that fails or is killed leaves
 * the previous header, which describes the previous build's entries.
 * When the dead bytes (entries no build uses any more, old indexes) pass
 * half the live ones, pack_commit writes the live entries over
 * DEST.porch-cache/pack.spare instead (a spare that is a link is
 * replaced, never written through) and swaps the two files' names, so
 * that the next compaction writes over the old pack's blocks: neither
 * file is cut or removed, as freeing blocks cost more here than writing
 * them.  A file may be longer than its committed end; later builds write
 * over the rest.
 *
 * One build at a time: pack_open takes an exclusive flock(2) on
 * DEST.porch-cache/lock, held by that open (so also against a second
 * pack_open in the same process), and returns NULL while another holds it
 * (that build then runs without the cache, which is always correct).
 */
#ifndef PORCH_PACK_H
#define PORCH_PACK_H

#include <stddef.h>
#include <stdint.h>

struct pack;

/*
 * Opens the pack in folder dir (created when missing).  seed: the hash of
 * what every entry's meaning depends on beyond its key (the porch binary,
 * the libraries' versions); a pack written with another seed is ignored
 * and replaced.  reuse 0 (porch build --clean): no entry is read, and the
 * build writes a fresh pack.  Returns NULL when there can be no pack this
 * build (the folder cannot be made, another build holds the lock); the
 * caller then computes everything.
 */
struct pack *pack_open(const char *dir, uint64_t seed, int reuse);

/*
 * The entry an earlier build left under key (*len bytes, read-only, valid
 * until pack_close, even across pack_commit), or NULL when there is none
 * or it is damaged.  Entries this build put are not seen.  A found entry
 * is kept by pack_commit.  Thread-safe.
 */
const void *pack_get(struct pack *, uint64_t key, size_t *len);

/*
 * Keeps the entry an earlier build left under key for the next build
 * without reading it (its bytes are checked when a build gets it): for a
 * producer that knows it will want the entry again but not now.  1 when
 * there is such an entry not known to be damaged.  Thread-safe.
 */
int	 pack_keep(struct pack *, uint64_t key);

/*
 * Stores data (len bytes) as the entry of key for later builds, in place
 * of an entry an earlier build left under key (found by pack_get or not).
 * A key already stored by this build keeps its first entry.  A write
 * error is silent (that entry is computed again next time).  Thread-safe.
 */
void	 pack_put(struct pack *, uint64_t key, const void *data, size_t len);

/*
 * After a successful build: makes the entries this build got or put the
 * pack's contents.  Returns 1, or 0 when the pack could not be written
 * (the next build then finds the previous pack, or none).
 */
int	 pack_commit(struct pack *);

/* Closes the pack and releases the lock; without pack_commit, forgets
 * what this build put (the bytes it appended are cut off again). */
void	 pack_close(struct pack *);

/* Counts of this build, for PORCH_CACHE_STATS=1 and the tests. */
struct pack_stats {
	size_t	 hits;		/* pack_get found a good entry */
	size_t	 misses;	/* no entry of that key */
	size_t	 kept;		/* pack_keep found an entry */
	size_t	 damaged;	/* lookups of an entry whose bytes fail
				 * its hash */
	size_t	 stored;	/* pack_put calls that wrote their bytes */
	uint64_t live_bytes;	/* of the entries kept at commit */
	uint64_t file_bytes;	/* the pack's size after commit */
	int	 compacted;	/* commit wrote a fresh file */
};
void	 pack_get_stats(const struct pack *, struct pack_stats *);

#endif
