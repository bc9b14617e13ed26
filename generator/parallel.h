/*
 * parallel: runs fn(ctx, i) for every i in [0, n) on up to threads
 * threads (the caller's among them), each index exactly once, in no
 * particular order.  For work whose items do not depend on each other;
 * fn must be thread-safe.
 */
#ifndef PORCH_PARALLEL_H
#define PORCH_PARALLEL_H

#include <stddef.h>

void	 parallel_for(size_t n, int threads, void (*fn)(void *, size_t),
	     void *ctx);

#endif
