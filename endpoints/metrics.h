/*
 * metrics: counters for GET /metrics in the Prometheus text format
 * (version 0.0.4).  Thread-safe: gauges and simple counters are C11
 * atomics, the labelled request counters and the duration histogram sit
 * under one mutex (one short critical section per request).
 *
 * Label values are bounded so the series cannot grow without end: the
 * method is one of the known methods or "other", the route is the
 * pattern of a route table row (a static string) or one of "static",
 * "unmatched", "none", and the status is its class ("2xx").
 */
#ifndef PORCHD_METRICS_H
#define PORCHD_METRICS_H

#include <stddef.h>

struct metrics;

/* Counters anyone may bump with metrics_count. */
enum metrics_counter {
	METRICS_CATALOG_OK,		/* catalog loads that worked */
	METRICS_CATALOG_FAILED,		/* ... that kept the old catalog */
	METRICS_RATE_LIMITED,		/* 429 answers */
	METRICS_HEADER_TIMEOUTS,	/* connections cut: headers too slow */
	METRICS_BODY_TIMEOUTS,		/* connections cut: body too slow */
	METRICS_NCOUNTERS
};

/* A new set, with the start time taken now; NULL when out of memory. */
struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *);
/*
 * Counts one answered request: method as sent, route a static string
 * (see above), HTTP status, seconds from the first byte to the answer.
 */
void	 metrics_request(struct metrics *, const char *method,
	     const char *route, int status, double seconds);
/* Open connections and requests in flight go up (+1) and down (-1). */
void	 metrics_connections(struct metrics *, int delta);
void	 metrics_in_flight(struct metrics *, int delta);
long	 metrics_in_flight_now(struct metrics *);
void	 metrics_count(struct metrics *, enum metrics_counter);
/* Seconds since metrics_new. */
double	 metrics_uptime(struct metrics *);
/* The exposition text, NUL-terminated, on the heap (caller frees), and
 * its length in *len; NULL when out of memory. */
char	*metrics_render(struct metrics *, size_t *len);

#endif
