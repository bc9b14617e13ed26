/*
 * parallel: see parallel.h.  Items are handed out one at a time through
 * an atomic counter, so a slow item holds back only its own thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "parallel.h"
#include "xalloc.h"

struct job {
	void		(*fn)(void *, size_t);
	void		*ctx;
	size_t		 n;
	atomic_size_t	 next;
};

static void *
run(void *arg)
{
	struct job	*j = arg;
	size_t		 i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
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
parallel_for(size_t n, int threads, void (*fn)(void *, size_t), void *ctx)
{
	struct job	 j = { fn, ctx, n, 0 };

	if ((size_t)threads > n)
		threads = (int)n;
	(void)parallel_run(threads, run, &j, 0);
}
