/*
 * strmap: a hash map from strings to pointers (open addressing, xxHash).
 * Keys are copied; values are the caller's.  Not thread-safe for writes;
 * concurrent lookups on a map nobody writes are fine.
 */
#ifndef PORCH_STRMAP_H
#define PORCH_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char	*key;
	void	*value;
	uint64_t hash;	/* of key: compared before the strings, kept on growing */
};

struct strmap {
	struct strmap_slot *slots;
	size_t	 cap;	/* a power of two, or 0 */
	size_t	 len;
};

/* Returns the value under key, or NULL. */
void	*strmap_get(const struct strmap *, const char *key);
/* Sets key to value unless key is present; returns the value now under key
 * (so a caller can tell a duplicate: the result differs from value). */
void	*strmap_put(struct strmap *, const char *key, void *value);
void	 strmap_free(struct strmap *);

#endif
