/*
 * votecache: the vote count of every item in memory, so GET /votes/counts
 * never touches SQLite.  Loaded once from the database at start; after
 * each committed toggle the handler adds the toggle's delta (+1 or -1, as
 * the transaction saw it), so the cache equals the stored counts whatever
 * order concurrent commits are applied in.  Thread-safe.
 */
#ifndef PORCHD_VOTECACHE_H
#define PORCHD_VOTECACHE_H

/* Longest item id kept (longer ids are refused before they get here). */
#define VOTECACHE_ITEM_MAX	128

struct votecache;

/* A new, empty cache, or NULL when out of memory. */
struct votecache *votecache_new(void);
void		 votecache_free(struct votecache *);
/* Sets item's count (loading); 1, or 0 when out of memory or item is
 * too long. */
int		 votecache_set(struct votecache *, const char *item,
		     long long n);
/* Adds delta to item's count (kept exact, so deltas arriving out of
 * commit order still sum right) and returns it, shown as 0 when below 0;
 * -1 when out of memory. */
long long	 votecache_add(struct votecache *, const char *item,
		     long long delta);
/* item's count; 0 for an item nobody voted for. */
long long	 votecache_get(struct votecache *, const char *item);
/* Items with a count (tests). */
unsigned long	 votecache_size(struct votecache *);

#endif
