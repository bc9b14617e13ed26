/*
 * parallel: see parallel.h.  Items are handed out through an atomic
 * counter in small blocks, so a slow item holds back only its own
 * thread's block.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "parallel.h"
#include "xalloc.h"

/* At most this many items a block, and at least this many blocks a
 * thread. */
#define BLOCK_MAX	32
#define BLOCKS_MIN	16

struct job {
	void		(*fn)(void *, size_t);
	void		*ctx;
	size_t		 n, block;
	atomic_size_t	 next;
};

size_t
parallel_block(size_t n, int threads)
{
	size_t	 b = n / ((size_t)(threads < 1 ? 1 : threads) * BLOCKS_MIN);

	return b < 1 ? 1 : b > BLOCK_MAX ? BLOCK_MAX : b;
}

int
parallel_take(atomic_size_t *next, size_t n, size_t block, size_t *first,
    size_t *end)
{
	size_t	 i = atomic_fetch_add(next, block);

	if (i >= n)
		return 0;
	*first = i;
	*end = n - i > block ? i + block : n;
	return 1;
}

static void *
run(void *arg)
{
	struct job	*j = arg;
	size_t		 i, end;

	while (parallel_take(&j->next, j->n, j->block, &i, &end))
		for (; i < end; i++)
			j->fn(j->ctx, i);
	return NULL;
}

int
parallel_run(int threads, void *(*fn)(void *), void *args, size_t size)
{
	pthread_t	*tids;
	int		 k, started = 1;

	if (threads < 1)
		threads = 1;
	tids = xcalloc((size_t)threads, sizeof(*tids));
	for (k = 1; k < threads; k++, started++)
		if (pthread_create(&tids[k], NULL, fn,
		    (char *)args + (size_t)k * size) != 0)
			break;
	fn(args);
	for (k = 1; k < started; k++)
		pthread_join(tids[k], NULL);
	free(tids);
	return started;
}

void
parallel_begin(struct task *t, void *(*fn)(void *), void *arg)
{
	t->started = pthread_create(&t->tid, NULL, fn, arg) == 0;
	if (!t->started)
		fn(arg);
}

void
parallel_end(struct task *t)
{
	if (t->started)
		pthread_join(t->tid, NULL);
	t->started = 0;
}

void
parallel_for(size_t n, int threads, void (*fn)(void *, size_t), void *ctx)
{
	struct job	 j = { fn, ctx, n, parallel_block(n, threads), 0 };

	if ((size_t)threads > n)
		threads = (int)n;
	(void)parallel_run(threads, run, &j, 0);
}
