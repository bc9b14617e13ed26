/*
 * votecache: a chained hash table of item -> count under one mutex.  The
 * critical sections are a hash and a short chain walk, so one lock is
 * cheaper than anything finer for the few hundred items a roadmap has.
 * Entries are never removed: an item whose count falls to 0 keeps its
 * entry (it answers 0 either way).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "votecache.h"

#define BUCKETS	512	/* power of two */

struct entry {
	struct entry	*next;
	long long	 n;
	char		 item[];
};

struct votecache {
	pthread_mutex_t	 lock;
	struct entry	*b[BUCKETS];
	unsigned long	 size;
};

/* FNV-1a of s. */
static unsigned
hash(const char *s)
{
	unsigned	 h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & (BUCKETS - 1);
}

struct votecache *
votecache_new(void)
{
	struct votecache *vc;

	if ((vc = calloc(1, sizeof(*vc))) == NULL)
		return NULL;
	pthread_mutex_init(&vc->lock, NULL);
	return vc;
}

void
votecache_free(struct votecache *vc)
{
	struct entry	*e, *next;
	size_t		 i;

	if (vc == NULL)
		return;
	for (i = 0; i < BUCKETS; i++)
		for (e = vc->b[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	pthread_mutex_destroy(&vc->lock);
	free(vc);
}

/* The entry of item, made (count 0) when create is set; lock held.  NULL
 * when absent (or out of memory). */
static struct entry *
find(struct votecache *vc, const char *item, int create)
{
	struct entry	*e;
	unsigned	 h = hash(item);
	size_t		 len;

	for (e = vc->b[h]; e; e = e->next)
		if (strcmp(e->item, item) == 0)
			return e;
	if (!create)
		return NULL;
	len = strlen(item);
	if ((e = malloc(sizeof(*e) + len + 1)) == NULL)
		return NULL;
	memcpy(e->item, item, len + 1);
	e->n = 0;
	e->next = vc->b[h];
	vc->b[h] = e;
	vc->size++;
	return e;
}

int
votecache_set(struct votecache *vc, const char *item, long long n)
{
	struct entry	*e;

	if (strlen(item) > VOTECACHE_ITEM_MAX)
		return 0;
	pthread_mutex_lock(&vc->lock);
	if ((e = find(vc, item, 1)) != NULL)
		e->n = n < 0 ? 0 : n;
	pthread_mutex_unlock(&vc->lock);
	return e != NULL;
}

long long
votecache_add(struct votecache *vc, const char *item, long long delta)
{
	struct entry	*e;
	long long	 n = -1;

	if (strlen(item) > VOTECACHE_ITEM_MAX)
		return -1;
	pthread_mutex_lock(&vc->lock);
	/* The stored sum is never clamped: two toggles of one vote commit in
	 * one order and may reach the cache in the other (-1 before +1), and
	 * only exact sums commute.  Readers see a negative transient as 0. */
	if ((e = find(vc, item, 1)) != NULL) {
		e->n += delta;
		n = e->n < 0 ? 0 : e->n;
	}
	pthread_mutex_unlock(&vc->lock);
	return n;
}

long long
votecache_get(struct votecache *vc, const char *item)
{
	struct entry	*e;
	long long	 n;

	pthread_mutex_lock(&vc->lock);
	e = find(vc, item, 0);
	n = e && e->n > 0 ? e->n : 0;
	pthread_mutex_unlock(&vc->lock);
	return n;
}

unsigned long
votecache_size(struct votecache *vc)
{
	unsigned long	 n;

	pthread_mutex_lock(&vc->lock);
	n = vc->size;
	pthread_mutex_unlock(&vc->lock);
	return n;
}
