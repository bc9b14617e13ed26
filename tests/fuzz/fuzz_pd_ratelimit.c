/*
 * Fuzz target for porchd's rate-limit key (ratelimit_key, ratelimit.c):
 * the input is a client address as text (from the socket, or from
 * X-Forwarded-For behind a trusted proxy, where it is whatever the proxy
 * passed on).  The key is computed into buffers of several sizes and a
 * token taken from a small limiter under it.
 *
 * Asserts: the key is NUL-terminated inside its buffer, even a one-byte
 * one; an IPv6 address gives "NETWORK::/64" (the same key for every
 * address of a /64), anything else is copied (truncated); two addresses
 * of one /64 share a bucket.  The limiter never holds more buckets than
 * its cap.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static struct ratelimit *rl;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 2, 8, 64, 256 };
	struct in6_addr	 a6;
	char		*ip, key[256], key2[256], other[INET6_ADDRSTRLEN];
	size_t		 i, n;
	int		 retry, is6;

	if (rl == NULL && (rl = ratelimit_new(1.0, 2.0, 8)) == NULL)
		abort();
	if ((ip = malloc(size + 1)) == NULL)
		return 0;
	memcpy(ip, data, size);
	ip[size] = '\0';
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(key, 'Z', sizeof(key));
		ratelimit_key(ip, key, sizes[i]);
		n = strnlen(key, sizes[i]);
		CHECK(n < sizes[i]);
	}
	ratelimit_key(ip, key, sizeof(key));
	is6 = strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, &a6) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&a6);
	if (is6) {
		n = strlen(key);
		CHECK(n > 3 && strcmp(key + n - 3, "/64") == 0);
		/* another host of the same /64 */
		a6.s6_addr[15] ^= 0x5a;
		a6.s6_addr[9] ^= 0x01;
		CHECK(inet_ntop(AF_INET6, &a6, other, sizeof(other)) != NULL);
		ratelimit_key(other, key2, sizeof(key2));
		/* unless the change made it an IPv4-mapped address (an IPv4
		 * client, keyed alone): corpus/pd_ratelimit/v4mapped-neighbour */
		if (!IN6_IS_ADDR_V4MAPPED(&a6))
			CHECK(strcmp(key, key2) == 0);
	} else
		CHECK(strncmp(key, ip, sizeof(key) - 1) == 0);
	(void)ratelimit_take(rl, key, 1000.0, &retry);
	CHECK(ratelimit_size(rl) <= 8);
	free(ip);
	return 0;
}
