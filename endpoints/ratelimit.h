/*
 * ratelimit: token buckets keyed by a short string (a client address),
 * shared by all connection threads.  Each key's bucket holds up to burst
 * tokens and refills at rate tokens per second; a request takes one.
 * Memory is bounded: at most max_keys buckets live at once, and when the
 * table is full the least recently used bucket is dropped (a full bucket
 * and a forgotten one behave the same, so only a key idle long enough to
 * be evicted while still owing tokens gains anything, and the key space
 * needed to do that is max_keys addresses).
 */
#ifndef PORCHD_RATELIMIT_H
#define PORCHD_RATELIMIT_H

#include <stddef.h>

struct ratelimit;

/* A new limiter, or NULL when out of memory; rate > 0, burst >= 1,
 * max_keys >= 1. */
struct ratelimit *ratelimit_new(double rate, double burst, size_t max_keys);
void	 ratelimit_free(struct ratelimit *);
/*
 * Takes one token from key's bucket at time now (seconds, monotonic).
 * Returns 1 when allowed; 0 when the bucket is empty, with *retry_after
 * set to the whole seconds (at least 1) until a token is back.
 * Thread-safe.
 */
int	 ratelimit_take(struct ratelimit *, const char *key, double now,
	     int *retry_after);
/* Buckets alive now (tests, metrics). */
size_t	 ratelimit_size(struct ratelimit *);
/*
 * Writes the key a client address is limited by to out (outlen bytes):
 * an IPv4 address as is, an IPv6 address as its /64 network ("2001:db8::/64"),
 * since one host usually holds a whole /64.  Text that is not an address
 * is copied as is (truncated).
 */
void	 ratelimit_key(const char *ip, char *out, size_t outlen);
/* The monotonic clock in seconds, for callers of ratelimit_take. */
double	 ratelimit_now(void);

#endif
