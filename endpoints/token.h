/*
 * token: random secrets and their hashes.
 *
 * Every secret porchd hands out (session cookies, CSRF tokens, e-mailed
 * verify/reset/magic tokens) is TOKEN_BYTES (256 bits) from getrandom(2),
 * written as TOKEN_HEX lower-case hex characters.  The database keeps only
 * the SHA-256 of a credential token (nettle), also as lower-case hex, so a
 * stolen database file does not log anyone in.
 */
#ifndef PORCHD_TOKEN_H
#define PORCHD_TOKEN_H

#include <stddef.h>

#define TOKEN_BYTES	32
#define TOKEN_HEX	(TOKEN_BYTES * 2)	/* characters, without the NUL */

/* Fills buf with len bytes from the kernel's random source; returns 1, or
 * 0 when the kernel refused (never a short or predictable fill). */
int	 token_random(void *buf, size_t len);
/* Writes len bytes of in as 2*len lower-case hex characters plus a NUL. */
void	 token_hex(char *out, const void *in, size_t len);
/* A new random token: TOKEN_HEX hex characters plus a NUL; returns 1/0. */
int	 token_new(char out[TOKEN_HEX + 1]);
/* The SHA-256 of the len bytes of s, as 64 hex characters plus a NUL. */
void	 token_hash(char out[TOKEN_HEX + 1], const char *s, size_t len);
/* 1 if s is exactly TOKEN_HEX lower-case hex characters (the only form
 * porchd hands out). */
int	 token_valid(const char *s);
/* 1 if the NUL-terminated strings a and b are equal; the time taken
 * depends on their lengths only, never on where they differ. */
int	 token_equal(const char *a, const char *b);

#endif
