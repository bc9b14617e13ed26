/*
 * metrics: see metrics.h.  The labelled request counters live in a small
 * open table of (method, route, class) rows; routes are static strings
 * compared by content, so the table holds at most methods x routes x 5
 * rows.  It grows by doubling; a failed allocation drops the sample
 * rather than the request.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

/* Upper bounds of the duration histogram, seconds. */
static const double bounds[] = {
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define NBOUNDS		(sizeof(bounds) / sizeof(bounds[0]))

struct series {
	unsigned	 method;	/* index into methods */
	const char	*route;
	unsigned	 klass;		/* 1..5 */
	unsigned long long count;
};

struct metrics {
	pthread_mutex_t	 lock;
	struct series	*rows;
	size_t		 nrows, caprows;
	unsigned long long buckets[NBOUNDS + 1];	/* last: +Inf */
	double		 sum;
	unsigned long long count;
	atomic_long	 connections;
	atomic_long	 in_flight;
	atomic_ulong	 counters[METRICS_NCOUNTERS];
	struct timespec	 start;
};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct metrics *
metrics_new(void)
{
	struct metrics *m;
	size_t	 i;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	atomic_init(&m->connections, 0);
	atomic_init(&m->in_flight, 0);
	for (i = 0; i < METRICS_NCOUNTERS; i++)
		atomic_init(&m->counters[i], 0);
	clock_gettime(CLOCK_MONOTONIC, &m->start);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->rows);
	free(m);
}

static unsigned
method_index(const char *method)
{
	unsigned i;

	for (i = 0; i + 1 < NMETHODS; i++)
		if (strcmp(methods[i], method) == 0)
			return i;
	return NMETHODS - 1;
}

void
metrics_request(struct metrics *m, const char *method, const char *route,
    int status, double seconds)
{
	struct series	*s, *grown;
	unsigned	 mi = method_index(method ? method : "");
	unsigned	 klass = status >= 100 && status <= 599 ?
			    (unsigned)status / 100 : 5;
	size_t		 i, ncap;

	if (route == NULL)
		route = "none";
	if (seconds < 0)
		seconds = 0;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < NBOUNDS && seconds > bounds[i]; i++)
		continue;
	m->buckets[i]++;
	m->sum += seconds;
	m->count++;
	for (i = 0; i < m->nrows; i++) {
		s = &m->rows[i];
		if (s->method == mi && s->klass == klass &&
		    (s->route == route || strcmp(s->route, route) == 0))
			break;
	}
	if (i == m->nrows) {
		if (m->nrows == m->caprows) {
			ncap = m->caprows ? m->caprows * 2 : 32;
			grown = realloc(m->rows, ncap * sizeof(*grown));
			if (grown == NULL)
				goto out;
			m->rows = grown;
			m->caprows = ncap;
		}
		s = &m->rows[m->nrows++];
		s->method = mi;
		s->route = route;
		s->klass = klass;
		s->count = 0;
	}
	m->rows[i].count++;
out:
	pthread_mutex_unlock(&m->lock);
}

void
metrics_connections(struct metrics *m, int delta)
{
	atomic_fetch_add(&m->connections, delta);
}

void
metrics_in_flight(struct metrics *m, int delta)
{
	atomic_fetch_add(&m->in_flight, delta);
}

long
metrics_in_flight_now(struct metrics *m)
{
	return atomic_load(&m->in_flight);
}

void
metrics_count(struct metrics *m, enum metrics_counter c)
{
	if (c < METRICS_NCOUNTERS)
		atomic_fetch_add(&m->counters[c], 1);
}

double
metrics_uptime(struct metrics *m)
{
	return now_mono() - ((double)m->start.tv_sec +
	    (double)m->start.tv_nsec / 1e9);
}

struct out {
	char	*buf;
	size_t	 len, cap;
	int	 failed;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*grown;
	size_t	 ncap;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		ncap = (o->cap + (size_t)n + 1) * 2;
		if ((grown = realloc(o->buf, ncap)) == NULL) {
			o->failed = 1;
			return;
		}
		o->buf = grown;
		o->cap = ncap;
	}
}

/* Writes a label value with \ " and newline escaped. */
static void
put_label(struct out *o, const char *v)
{
	for (; *v; v++)
		if (*v == '\\' || *v == '"')
			put(o, "\\%c", *v);
		else if (*v == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *v);
}

char *
metrics_render(struct metrics *m, size_t *len)
{
	struct out	 o;
	struct series	*copy = NULL;
	unsigned long long buckets[NBOUNDS + 1], count, cum;
	double		 sum;
	size_t		 i, n;

	memset(&o, 0, sizeof(o));
	if ((o.buf = malloc(4096)) == NULL)
		return NULL;
	o.cap = 4096;
	o.buf[0] = '\0';

	/* copy under the lock, format outside it */
	pthread_mutex_lock(&m->lock);
	n = m->nrows;
	if (n && (copy = malloc(n * sizeof(*copy))) != NULL)
		memcpy(copy, m->rows, n * sizeof(*copy));
	memcpy(buckets, m->buckets, sizeof(buckets));
	sum = m->sum;
	count = m->count;
	pthread_mutex_unlock(&m->lock);
	if (n && copy == NULL) {
		free(o.buf);
		return NULL;
	}

	put(&o, "# HELP porchd_requests_total Requests answered, by method, "
	    "route and status class.\n"
	    "# TYPE porchd_requests_total counter\n");
	for (i = 0; i < n; i++) {
		put(&o, "porchd_requests_total{method=\"%s\",route=\"",
		    methods[copy[i].method]);
		put_label(&o, copy[i].route);
		put(&o, "\",status=\"%uxx\"} %llu\n", copy[i].klass,
		    copy[i].count);
	}
	put(&o, "# HELP porchd_request_duration_seconds Time from the "
	    "request's first call to its answer.\n"
	    "# TYPE porchd_request_duration_seconds histogram\n");
	for (cum = 0, i = 0; i < NBOUNDS; i++) {
		cum += buckets[i];
		put(&o, "porchd_request_duration_seconds_bucket{le=\"%g\"} "
		    "%llu\n", bounds[i], cum);
	}
	cum += buckets[NBOUNDS];
	put(&o, "porchd_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "porchd_request_duration_seconds_sum %.6f\n"
	    "porchd_request_duration_seconds_count %llu\n", cum, sum, count);
	put(&o, "# HELP porchd_connections_open Client connections open now.\n"
	    "# TYPE porchd_connections_open gauge\n"
	    "porchd_connections_open %ld\n",
	    atomic_load(&m->connections));
	put(&o, "# HELP porchd_requests_in_flight Requests started and not "
	    "yet answered.\n"
	    "# TYPE porchd_requests_in_flight gauge\n"
	    "porchd_requests_in_flight %ld\n", atomic_load(&m->in_flight));
	put(&o, "# HELP porchd_catalog_reloads_total Catalog loads, by "
	    "result.\n"
	    "# TYPE porchd_catalog_reloads_total counter\n"
	    "porchd_catalog_reloads_total{result=\"ok\"} %lu\n"
	    "porchd_catalog_reloads_total{result=\"failed\"} %lu\n",
	    atomic_load(&m->counters[METRICS_CATALOG_OK]),
	    atomic_load(&m->counters[METRICS_CATALOG_FAILED]));
	put(&o, "# HELP porchd_rate_limited_total Requests refused with 429.\n"
	    "# TYPE porchd_rate_limited_total counter\n"
	    "porchd_rate_limited_total %lu\n",
	    atomic_load(&m->counters[METRICS_RATE_LIMITED]));
	put(&o, "# HELP porchd_connections_cut_total Connections closed for "
	    "sending too slowly.\n"
	    "# TYPE porchd_connections_cut_total counter\n"
	    "porchd_connections_cut_total{reason=\"headers\"} %lu\n"
	    "porchd_connections_cut_total{reason=\"body\"} %lu\n",
	    atomic_load(&m->counters[METRICS_HEADER_TIMEOUTS]),
	    atomic_load(&m->counters[METRICS_BODY_TIMEOUTS]));
	put(&o, "# HELP porchd_uptime_seconds Seconds since porchd started.\n"
	    "# TYPE porchd_uptime_seconds gauge\n"
	    "porchd_uptime_seconds %.3f\n", metrics_uptime(m));
	free(copy);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	*len = o.len;
	return o.buf;
}
