/*
 * parallel: runs fn(ctx, i) for every i in [0, n) on up to threads
 * threads (the caller's among them), each index exactly once, in no
 * particular order.  For work whose items do not depend on each other;
 * fn must be thread-safe.
 */
#ifndef PORCH_PARALLEL_H
#define PORCH_PARALLEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

void	 parallel_for(size_t n, int threads, void (*fn)(void *, size_t),
	     void *ctx);

/*
 * Runs fn(arg) on up to threads threads, arg being args + k * size for
 * thread k (the caller's thread is thread 0; size 0 gives every thread
 * args itself), and returns once all have returned.  Returns how many
 * ran: fewer than threads when a thread could not start, never 0.  For
 * workers that share their items through a counter, so any that ran
 * cover for those that did not.
 */
int	 parallel_run(int threads, void *(*fn)(void *), void *args,
	     size_t size);

/*
 * A task beside the caller: parallel_begin runs fn(arg) on a thread of
 * its own (or at once on the caller's, when no thread can start), and
 * parallel_end waits for it.  For independent steps of a build that
 * would otherwise run one after the other on one core.
 */
struct task {
	pthread_t	 tid;
	int		 started;
};
void	 parallel_begin(struct task *, void *(*fn)(void *), void *arg);
void	 parallel_end(struct task *);

/*
 * Workers sharing n items through a counter take them in blocks of
 * consecutive items: taken one at a time, two threads alternate pages,
 * and the arrays indexed by page (and the counter itself) bounce between
 * the cores at every item.  That doubled the cost of each page a build
 * reuses.  parallel_block is the block size for n items on threads
 * threads (small enough to leave each thread many blocks);
 * parallel_take claims the next block [*first, *end), or returns 0 when
 * none is left.
 */
size_t	 parallel_block(size_t n, int threads);
int	 parallel_take(atomic_size_t *next, size_t n, size_t block,
	     size_t *first, size_t *end);

#endif
