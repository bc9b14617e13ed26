#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "strmap.h"
#include "xalloc.h"

static size_t
find(const struct strmap *m, const char *key)
{
	size_t	 i = (size_t)XXH3_64bits(key, strlen(key)) & (m->cap - 1);

	while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	return m->slots[find(m, key)].value;
}

/* Doubles the table; keeps the load factor under one half. */
static void
grow(struct strmap *m)
{
	struct strmap	 old = *m;
	size_t		 i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key != NULL)
			m->slots[find(m, old.slots[i].key)] = old.slots[i];
	free(old.slots);
}

void *
strmap_put(struct strmap *m, const char *key, void *value)
{
	size_t	 i;

	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	i = find(m, key);
	if (m->slots[i].key != NULL)
		return m->slots[i].value;
	m->slots[i].key = xstrdup(key);
	m->slots[i].value = value;
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
