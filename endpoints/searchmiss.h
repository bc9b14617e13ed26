/*
 * searchmiss: turning a zero-result query the search client reports into
 * the text porchd counts, without personal data.
 */
#ifndef PORCHD_SEARCHMISS_H
#define PORCHD_SEARCHMISS_H

#include <stddef.h>

/* Longest normalised query kept, bytes (cut at a character boundary). */
#define SEARCHMISS_MAX		100
/* Shortest query worth counting, bytes after normalising. */
#define SEARCHMISS_MIN		2
/* A run of this many digits (spaces, dots, dashes, slashes and plus
 * signs between them allowed) is personal data: a phone, card, account
 * or order number. */
#define SEARCHMISS_DIGITS	7

enum searchmiss_rc {
	SEARCHMISS_OK = 0,
	SEARCHMISS_EMPTY,	/* nothing left, or too short */
	SEARCHMISS_PERSONAL	/* looks like an address or a long number */
};

/*
 * Normalises the len bytes of in into out (SEARCHMISS_MAX + 1 bytes):
 * invalid UTF-8 and control characters become spaces, leading and
 * trailing blanks go, inner runs of blanks become one space, ASCII
 * letters become lower case, and the result is cut to SEARCHMISS_MAX
 * bytes at a character boundary.  Returns SEARCHMISS_OK when out is worth
 * counting; otherwise out is empty and the result says why.
 */
int	 searchmiss_normalize(const char *in, size_t len, char *out);

#endif
