/*
 * postcode: the numbers a list of search postings is written in, and
 * those lists moved to other page places without decoding them whole.
 *
 * The search index (search.c, docs/search.md) names a posting by the gap
 * from the previous posting's page place, doubled, plus a flag when the
 * section's place in its page follows; then that place less one; then
 * the posting's impact.  It writes them in two forms: the dictionary
 * entries the client reads as base64url digits of five bits (32: more
 * follow) and an impact digit, and the kept records (for the next build)
 * as base-128 varints and a rank byte.
 *
 * When pages are added or removed, the pages after them move place, but
 * in a list of postings only the gaps that span the move change: the
 * rest of the list keeps its bytes.  postcode_regap copies those and
 * writes the others again, where decoding and encoding every posting of
 * every word took most of a page added at 10,000 pages.
 */
#ifndef PORCH_POSTCODE_H
#define PORCH_POSTCODE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* The base64url digits, by value (0..63). */
extern const char postcode_b64[];

enum postcode_form {
	POSTCODE_VARINT,	/* base-128 varints, then a rank byte */
	POSTCODE_B64		/* base64url varints, then an impact digit */
};

/* Appends v as a little-endian base-128 varint. */
void	 postcode_put_varint(struct buf *, uint32_t v);
/* Appends v as base64url digits, five bits each, low bits first. */
void	 postcode_put_b64(struct buf *, uint32_t v);

/*
 * Appends the postings in (len bytes, written in form) to out with each
 * page place p as moved[p] (nplaces of them, increasing where defined):
 * a posting whose gap stays is copied, the first number of one whose gap
 * changes is written again.  From place settled on, every place moves by
 * the same as settled does, so once a posting there is written the rest
 * is copied as it lies, unread.  *same: 1 when out got exactly in's
 * bytes.  0 when the postings read do not decode, or one's place is
 * beyond nplaces or moved to UINT32_MAX (no place now).
 */
int	 postcode_regap(const uint32_t *moved, uint32_t nplaces,
	     uint32_t settled, const unsigned char *in, size_t len,
	     enum postcode_form form, struct buf *out, int *same);

/*
 * Where the postings string of a dictionary entry ["term",df,"postings"
 * ...] lies in entry (len bytes): [*from, *to).  0 when entry is not of
 * that shape.
 */
int	 postcode_entry_postings(const char *entry, size_t len, size_t *from,
	     size_t *to);

#endif
