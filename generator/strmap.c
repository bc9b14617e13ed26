#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "strmap.h"
#include "xalloc.h"

/* The slot of key (hash h): where it is, or the empty one it would go in. */
static size_t
find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t	 i = (size_t)h & (m->cap - 1);

	while (m->slots[i].key != NULL && (m->slots[i].hash != h ||
	    strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static uint64_t
hash(const char *key)
{
	return XXH3_64bits(key, strlen(key));
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	return m->slots[find(m, key, hash(key))].value;
}

/* Doubles the table; keeps the load factor under one half.  Slots move
 * by their stored hash: the keys are not read again. */
static void
grow(struct strmap *m)
{
	struct strmap	 old = *m;
	size_t		 i, j;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++) {
		if (old.slots[i].key == NULL)
			continue;
		j = (size_t)old.slots[i].hash & (m->cap - 1);
		while (m->slots[j].key != NULL)
			j = (j + 1) & (m->cap - 1);
		m->slots[j] = old.slots[i];
	}
	free(old.slots);
}

void *
strmap_put(struct strmap *m, const char *key, void *value)
{
	uint64_t	 h = hash(key);
	size_t		 i;

	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	i = find(m, key, h);
	if (m->slots[i].key != NULL)
		return m->slots[i].value;
	m->slots[i].key = xstrdup(key);
	m->slots[i].value = value;
	m->slots[i].hash = h;
	m->len++;
	return value;
}

void
strmap_free(struct strmap *m)
{
	size_t	 i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
