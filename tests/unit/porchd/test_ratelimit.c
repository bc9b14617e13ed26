/*
 * Unit tests for ratelimit.c: bursts, refill, Retry-After, independent
 * keys, the bound on memory (LRU eviction), IPv6 /64 keys, and many
 * threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ratelimit.h"

static void
test_burst_and_refill(void **state)
{
	struct ratelimit *rl;
	int	 retry = 0, i;

	(void)state;
	rl = ratelimit_new(1.0, 3, 16);	/* 1 a second, 3 at once */
	assert_non_null(rl);
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "1.2.3.4", 100.0, &retry));
	assert_false(ratelimit_take(rl, "1.2.3.4", 100.0, &retry));
	assert_int_equal(retry, 1);
	/* half a token later: still no, one second to wait */
	assert_false(ratelimit_take(rl, "1.2.3.4", 100.5, &retry));
	assert_int_equal(retry, 1);
	assert_true(ratelimit_take(rl, "1.2.3.4", 101.01, &retry));
	/* a long pause refills to the burst, not beyond */
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "1.2.3.4", 1000.0, &retry));
	assert_false(ratelimit_take(rl, "1.2.3.4", 1000.0, &retry));
	/* a clock going backwards gives nothing */
	assert_false(ratelimit_take(rl, "1.2.3.4", 10.0, &retry));
	ratelimit_free(rl);
}

static void
test_retry_after(void **state)
{
	struct ratelimit *rl;
	int	 retry = 0;

	(void)state;
	rl = ratelimit_new(1.0 / 60, 1, 4);	/* one a minute */
	assert_true(ratelimit_take(rl, "k", 0, &retry));
	assert_false(ratelimit_take(rl, "k", 0, &retry));
	assert_int_equal(retry, 60);
	assert_false(ratelimit_take(rl, "k", 30, &retry));
	assert_int_equal(retry, 30);
	ratelimit_free(rl);
	assert_null(ratelimit_new(0, 1, 1));
	assert_null(ratelimit_new(1, 0.5, 1));
	assert_null(ratelimit_new(1, 1, 0));
}

static void
test_keys_and_eviction(void **state)
{
	struct ratelimit *rl;
	char	 key[32];
	int	 retry, i;

	(void)state;
	rl = ratelimit_new(0.001, 1, 8);
	assert_true(ratelimit_take(rl, "a", 0, &retry));
	assert_false(ratelimit_take(rl, "a", 0, &retry));
	assert_true(ratelimit_take(rl, "b", 0, &retry));	/* its own */
	/* 100 more keys: the table never holds more than 8 */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "10.0.0.%d", i);
		assert_true(ratelimit_take(rl, key, 1, &retry));
		assert_true(ratelimit_size(rl) <= 8);
	}
	/* the most recent keys are still remembered */
	assert_false(ratelimit_take(rl, "10.0.0.99", 1, &retry));
	assert_false(ratelimit_take(rl, "10.0.0.95", 1, &retry));
	/* "a" was the least recently used and is gone: a fresh bucket */
	assert_true(ratelimit_take(rl, "a", 1, &retry));
	ratelimit_free(rl);
}

static void
test_key_of_address(void **state)
{
	char	 k[64];

	(void)state;
	ratelimit_key("192.0.2.7", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	ratelimit_key("2001:db8:1:2:3:4:5:6", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	ratelimit_key("2001:db8:1:2:ffff::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	ratelimit_key("::ffff:192.0.2.1", k, sizeof(k));
	assert_string_equal(k, "::ffff:192.0.2.1");
	ratelimit_key("not an address", k, sizeof(k));
	assert_string_equal(k, "not an address");
}

struct worker {
	struct ratelimit *rl;
	int	 allowed;
};

static void *
hammer(void *arg)
{
	struct worker *w = arg;
	int	 i, retry;

	for (i = 0; i < 10000; i++)
		if (ratelimit_take(w->rl, i % 2 ? "shared" : "x", 5.0, &retry))
			w->allowed++;
	return NULL;
}

static void
test_threads(void **state)
{
	struct worker	 w[8];
	pthread_t	 t[8];
	int		 i, total = 0;
	struct ratelimit *rl;

	(void)state;
	rl = ratelimit_new(1.0, 100, 64);
	for (i = 0; i < 8; i++) {
		w[i].rl = rl;
		w[i].allowed = 0;
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		total += w[i].allowed;
	}
	/* at a fixed time: exactly the burst of each of the two keys */
	assert_int_equal(total, 200);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_and_refill),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_keys_and_eviction),
		cmocka_unit_test(test_key_of_address),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
