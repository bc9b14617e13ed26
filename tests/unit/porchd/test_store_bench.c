/*
 * Group commit against one commit per write: THREADS threads each insert
 * ROWS accounts through store_write, first with the writer taking up to
 * STORE_GROUP_MAX writes per transaction, then with one per transaction
 * (store_set_group_max(st, 1)), on a real file (WAL, synchronous=FULL:
 * every commit waits for an fsync).  Prints rows/s and commits for both.
 *
 * `make test` runs it small (ROWS=50) as a check that both modes store
 * every row; PORCH_BENCH_ROWS=1000 build/tests/test_pd_store_bench gives
 * the figures of docs/PERFORMANCE-porchd.md.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"

#define THREADS	16

static int	 rows = 50;

struct worker {
	struct store	*st;
	int		 t, failures;
};

static void *
insert(void *arg)
{
	struct worker	*w = arg;
	char		 email[64];
	int		 i;

	for (i = 0; i < rows; i++) {
		snprintf(email, sizeof(email), "t%d-%d@example.com", w->t, i);
		if (store_user_create(w->st, email, "bench", NULL, 0, 1,
		    NULL) != STORE_OK)
			w->failures++;
	}
	return NULL;
}

static int
count(const struct store_user *u, void *arg)
{
	(void)u;
	(*(int *)arg)++;
	return 1;
}

/* Runs nthreads inserters against a fresh database with group size
 * group; prints and returns rows per second. */
static double
run(int nthreads, int group, const char *label)
{
	char		 dir[] = "/tmp/porch-bench-XXXXXX", path[64], cmd[96];
	struct store	*st;
	struct worker	 w[THREADS];
	pthread_t	 th[THREADS];
	struct timespec	 a, b;
	unsigned long	 commits, writes;
	char		*err = NULL;
	double		 secs, rate;
	int		 i, n = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/porch.db", dir);
	st = store_open(path, &err);
	assert_non_null(st);
	store_set_group_max(st, group);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < nthreads; i++) {
		w[i].st = st;
		w[i].t = i;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, insert, &w[i]),
		    0);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	store_stats(st, &commits, &writes);
	assert_int_equal(store_user_list(st, count, &n), STORE_OK);
	assert_int_equal(n, nthreads * rows);
	store_close(st);
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	rate = nthreads * rows / secs;
	printf("%-34s %2d threads x %4d rows: %6.2f s, %8.0f rows/s, "
	    "%6lu commits (%.1f rows/commit)\n", label, nthreads, rows, secs,
	    rate, commits, (double)writes / (double)commits);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return rate;
}

static void
test_group_vs_single(void **state)
{
	double	 group, single;

	(void)state;
	group = run(THREADS, STORE_GROUP_MAX, "group commit");
	single = run(THREADS, 1, "one commit per write");
	(void)run(1, STORE_GROUP_MAX, "one thread (nothing to group)");
	printf("group commit / one commit per write: %.1fx\n",
	    group / single);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_vs_single),
	};
	const char	*env = getenv("PORCH_BENCH_ROWS");

	if (env && atoi(env) > 0 && atoi(env) <= 100000)
		rows = atoi(env);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
