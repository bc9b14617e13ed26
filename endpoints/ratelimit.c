/*
 * ratelimit: a hash table of token buckets with an LRU list through it,
 * under one mutex.  Each operation is O(1): find or insert the key, move
 * it to the front of the list, refill, take.  When max_keys buckets exist
 * a new key reuses the bucket at the tail of the list (the least recently
 * used one), so memory never grows past max_keys.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"

#define KEY_MAX	48	/* "xxxx:xxxx:xxxx:xxxx::/64" and IPv4 fit */

struct bucket {
	char		 key[KEY_MAX];
	double		 tokens;
	double		 stamp;		/* when tokens was computed */
	struct bucket	*hnext;		/* hash chain */
	struct bucket	*prev, *next;	/* LRU list, most recent first */
};

struct ratelimit {
	pthread_mutex_t	 lock;
	double		 rate, burst;
	size_t		 max, n, nslots;
	struct bucket	**slots;
	struct bucket	*pool;		/* max buckets, allocated once */
	struct bucket	*head, *tail;
};

/* FNV-1a: keys are short, and the table is sized well beyond them. */
static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

struct ratelimit *
ratelimit_new(double rate, double burst, size_t max_keys)
{
	struct ratelimit *rl;

	if (rate <= 0 || burst < 1 || max_keys < 1 ||
	    max_keys > SIZE_MAX / sizeof(struct bucket) / 2)
		return NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->rate = rate;
	rl->burst = burst;
	rl->max = max_keys;
	for (rl->nslots = 16; rl->nslots < max_keys * 2; rl->nslots *= 2)
		continue;
	rl->slots = calloc(rl->nslots, sizeof(*rl->slots));
	rl->pool = calloc(max_keys, sizeof(*rl->pool));
	if (rl->slots == NULL || rl->pool == NULL ||
	    pthread_mutex_init(&rl->lock, NULL) != 0) {
		free(rl->slots);
		free(rl->pool);
		free(rl);
		return NULL;
	}
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slots);
	free(rl->pool);
	free(rl);
}

static void
lru_unlink(struct ratelimit *rl, struct bucket *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		rl->head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		rl->tail = b->prev;
	b->prev = b->next = NULL;
}

static void
lru_front(struct ratelimit *rl, struct bucket *b)
{
	b->prev = NULL;
	b->next = rl->head;
	if (rl->head)
		rl->head->prev = b;
	rl->head = b;
	if (rl->tail == NULL)
		rl->tail = b;
}

/* Removes b from its hash chain. */
static void
chain_remove(struct ratelimit *rl, struct bucket *b)
{
	struct bucket **pp;

	for (pp = &rl->slots[hash(b->key) & (rl->nslots - 1)]; *pp;
	    pp = &(*pp)->hnext)
		if (*pp == b) {
			*pp = b->hnext;
			break;
		}
	b->hnext = NULL;
}

int
ratelimit_take(struct ratelimit *rl, const char *key, double now,
    int *retry_after)
{
	struct bucket	*b;
	char		 k[KEY_MAX];
	size_t		 slot;
	double		 wait;
	int		 ok;

	snprintf(k, sizeof(k), "%s", key);
	slot = hash(k) & (rl->nslots - 1);
	pthread_mutex_lock(&rl->lock);
	for (b = rl->slots[slot]; b; b = b->hnext)
		if (strcmp(b->key, k) == 0)
			break;
	if (b == NULL) {
		if (rl->n < rl->max)
			b = &rl->pool[rl->n++];
		else {
			/* full: reuse the least recently used bucket */
			b = rl->tail;
			lru_unlink(rl, b);
			chain_remove(rl, b);
		}
		memcpy(b->key, k, sizeof(k));
		b->tokens = rl->burst;
		b->stamp = now;
		b->hnext = rl->slots[slot];
		rl->slots[slot] = b;
	} else
		lru_unlink(rl, b);
	lru_front(rl, b);

	if (now > b->stamp) {
		b->tokens += (now - b->stamp) * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
		b->stamp = now;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		ok = 1;
	} else {
		ok = 0;
		if (retry_after) {
			wait = (1.0 - b->tokens) / rl->rate;
			*retry_after = wait < 1.0 ? 1 :
			    wait > 86400.0 ? 86400 : (int)(wait + 0.999);
		}
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

size_t
ratelimit_size(struct ratelimit *rl)
{
	size_t	 n;

	pthread_mutex_lock(&rl->lock);
	n = rl->n;
	pthread_mutex_unlock(&rl->lock);
	return n;
}

void
ratelimit_key(const char *ip, char *out, size_t outlen)
{
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN];

	if (strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, &a6) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&a6)) {
		memset(a6.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) != NULL) {
			snprintf(out, outlen, "%s/64", buf);
			return;
		}
	}
	snprintf(out, outlen, "%s", ip);
}

double
ratelimit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
