/*
 * Unit tests for metrics.c: the exposition format, labels bounded by
 * method and status class, the histogram, gauges, and counting from many
 * threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static void
test_render(void **state)
{
	struct metrics	*m;
	char		*t;
	size_t		 len;

	(void)state;
	m = metrics_new();
	assert_non_null(m);
	metrics_request(m, "GET", "/healthz", 200, 0.0004);
	metrics_request(m, "GET", "/healthz", 204, 0.02);
	metrics_request(m, "GET", "/healthz", 503, 0.2);
	metrics_request(m, "BREW", "static", 404, 30);
	metrics_request(m, "POST", "/auth/\"x\"", 999, 1);
	metrics_connections(m, 1);
	metrics_connections(m, 1);
	metrics_connections(m, -1);
	metrics_in_flight(m, 2);
	metrics_count(m, METRICS_CATALOG_OK);
	metrics_count(m, METRICS_RATE_LIMITED);
	metrics_count(m, METRICS_RATE_LIMITED);
	t = metrics_render(m, &len);
	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	assert_non_null(strstr(t, "# TYPE porchd_requests_total counter\n"));
	assert_non_null(strstr(t, "porchd_requests_total{method=\"GET\","
	    "route=\"/healthz\",status=\"2xx\"} 2\n"));
	assert_non_null(strstr(t, "porchd_requests_total{method=\"GET\","
	    "route=\"/healthz\",status=\"5xx\"} 1\n"));
	assert_non_null(strstr(t, "porchd_requests_total{method=\"other\","
	    "route=\"static\",status=\"4xx\"} 1\n"));
	/* label values escaped; a status out of range counts as 5xx */
	assert_non_null(strstr(t, "route=\"/auth/\\\"x\\\"\",status=\"5xx\"}"));
	assert_non_null(strstr(t, "porchd_request_duration_seconds_bucket{"
	    "le=\"0.001\"} 1\n"));
	assert_non_null(strstr(t, "porchd_request_duration_seconds_bucket{"
	    "le=\"0.025\"} 2\n"));
	assert_non_null(strstr(t, "porchd_request_duration_seconds_bucket{"
	    "le=\"10\"} 4\n"));
	assert_non_null(strstr(t, "porchd_request_duration_seconds_bucket{"
	    "le=\"+Inf\"} 5\n"));
	assert_non_null(strstr(t, "porchd_request_duration_seconds_count 5\n"));
	assert_non_null(strstr(t, "porchd_connections_open 1\n"));
	assert_non_null(strstr(t, "porchd_requests_in_flight 2\n"));
	assert_non_null(strstr(t, "porchd_catalog_reloads_total{result=\"ok\"} "
	    "1\n"));
	assert_non_null(strstr(t, "porchd_rate_limited_total 2\n"));
	assert_non_null(strstr(t, "porchd_uptime_seconds "));
	assert_int_equal(t[len - 1], '\n');
	assert_int_equal(metrics_in_flight_now(m), 2);
	free(t);
	metrics_free(m);
}

static void *
count_many(void *arg)
{
	struct metrics *m = arg;
	int	 i;

	for (i = 0; i < 5000; i++) {
		metrics_request(m, i % 2 ? "GET" : "POST", "/x", 200, 0.001);
		metrics_connections(m, 1);
		metrics_connections(m, -1);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct metrics	*m = metrics_new();
	pthread_t	 t[8];
	char		*text;
	size_t		 len;
	int		 i;

	(void)state;
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, count_many, m);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	text = metrics_render(m, &len);
	assert_non_null(strstr(text, "porchd_requests_total{method=\"GET\","
	    "route=\"/x\",status=\"2xx\"} 20000\n"));
	assert_non_null(strstr(text, "porchd_requests_total{method=\"POST\","
	    "route=\"/x\",status=\"2xx\"} 20000\n"));
	assert_non_null(strstr(text, "_count 40000\n"));
	assert_non_null(strstr(text, "porchd_connections_open 0\n"));
	free(text);
	metrics_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
