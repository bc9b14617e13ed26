/*
 * multipart: a parser of multipart/form-data bodies (RFC 7578) already
 * read into memory by the server (whose route limit capped their size).
 *
 * Parts point into the body (no copies of the data); names, file names
 * and types are heap copies.  Only what browsers send is understood:
 * Content-Disposition: form-data; name="..."; filename="...", and an
 * optional Content-Type.  Anything else is refused, never guessed.
 */
#ifndef PORCHD_MULTIPART_H
#define PORCHD_MULTIPART_H

#include <stddef.h>

#define MULTIPART_MAX_PARTS	200
#define MULTIPART_BOUNDARY_MAX	70	/* RFC 2046 */

struct mpart {
	char		*name;		/* the form field */
	char		*filename;	/* NULL for a plain field */
	char		*type;		/* the sender's Content-Type, or NULL */
	const char	*data;		/* into the body */
	size_t		 len;
};

/* 1 if the Content-Type value ct is multipart/form-data. */
int	 multipart_is(const char *ct);
/*
 * Splits body (len bytes) by the boundary of Content-Type ct into *parts
 * (heap, *n of them); returns 1, or 0 for a malformed body (nothing to
 * free then).
 */
int	 multipart_parse(const char *ct, const char *body, size_t len,
	     struct mpart **parts, size_t *n);
void	 multipart_free(struct mpart *parts, size_t n);

#endif
