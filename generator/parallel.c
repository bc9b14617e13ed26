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

void
parallel_for(size_t n, int threads, void (*fn)(void *, size_t), void *ctx)
{
	struct job	 j = { fn, ctx, n, 0 };
	pthread_t	*tids;
	int		 i, started = 0;

	if (threads > 1 && (size_t)threads > n)
		threads = (int)n;
	if (threads <= 1) {
		run(&j);
		return;
	}
	tids = xcalloc((size_t)threads, sizeof(*tids));
	for (i = 1; i < threads; i++)
		if (pthread_create(&tids[i], NULL, run, &j) == 0)
			tids[started++] = tids[i];
	run(&j);		/* this thread too; any failed start is
				   covered by the others */
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}
