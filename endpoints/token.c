/*
 * token: random secrets from getrandom(2), hex, SHA-256 (nettle; the
 * library libmicrohttpd's GnuTLS already loads, with an API that neither
 * allocates nor fails), constant-time comparison.
 */
#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "token.h"

int
token_random(void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		/* Blocks only until the pool is initialised at boot. */
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

void
token_hex(char *out, const void *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t		 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

int
token_new(char out[TOKEN_HEX + 1])
{
	unsigned char	 raw[TOKEN_BYTES];

	if (!token_random(raw, sizeof(raw)))
		return 0;
	token_hex(out, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	return 1;
}

void
token_hash(char out[TOKEN_HEX + 1], const char *s, size_t len)
{
	struct sha256_ctx ctx;
	unsigned char	 digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const unsigned char *)s);
	sha256_digest(&ctx, sizeof(digest), digest);
	token_hex(out, digest, sizeof(digest));
	explicit_bzero(&ctx, sizeof(ctx));
}

int
token_valid(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < TOKEN_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[TOKEN_HEX] == '\0';
}

int
token_equal(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return memeql_sec(a, b, la) != 0;
}
