/* Work shared between threads: every item handed out exactly once, in
 * blocks that leave each thread many of them; a task beside the caller
 * has run when parallel_end returns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <cmocka.h>

#include "parallel.h"
#include "xalloc.h"

struct visits {
	atomic_int	*seen;
};

static void
visit(void *ctx, size_t i)
{
	struct visits	*v = ctx;

	atomic_fetch_add(&v->seen[i], 1);
}

static void
test_every_item_once(void **state)
{
	static const size_t sizes[] = { 0, 1, 5, 31, 32, 33, 1000, 10007 };
	static const int threads[] = { 1, 2, 4 };
	struct visits	 v;
	size_t		 s, t, i;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(*sizes); s++)
		for (t = 0; t < sizeof(threads) / sizeof(*threads); t++) {
			v.seen = xcalloc(sizes[s] + 1, sizeof(*v.seen));
			parallel_for(sizes[s], threads[t], visit, &v);
			for (i = 0; i < sizes[s]; i++)
				assert_int_equal(atomic_load(&v.seen[i]), 1);
			free(v.seen);
		}
}

static void
test_blocks(void **state)
{
	atomic_size_t	 next = 0;
	size_t		 first, end, covered = 0, blocks = 0;

	(void)state;
	/* Large enough to share, small enough to balance. */
	assert_int_equal(parallel_block(10000, 2), 32);
	assert_int_equal(parallel_block(100, 2), 3);
	assert_int_equal(parallel_block(0, 2), 1);
	assert_int_equal(parallel_block(5, 0), 1);
	/* Consecutive blocks, the last one short, then nothing. */
	while (parallel_take(&next, 100, 32, &first, &end)) {
		assert_int_equal(first, covered);
		assert_true(end > first && end - first <= 32);
		covered = end;
		blocks++;
	}
	assert_int_equal(covered, 100);
	assert_int_equal(blocks, 4);
	assert_false(parallel_take(&next, 100, 32, &first, &end));
}

static void *
set_flag(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

static void
test_task_beside(void **state)
{
	struct task	 t;
	int		 flag = 0;

	(void)state;
	parallel_begin(&t, set_flag, &flag);
	parallel_end(&t);
	assert_int_equal(flag, 42);
	parallel_end(&t);	/* a second wait is harmless */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_item_once),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_task_beside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
