/*
 * buf: a growable byte buffer, always NUL-terminated.
 *
 * A zeroed struct buf is a valid empty buffer.  Allocation failure aborts
 * the program (xalloc.h): the generator is a batch tool and has nothing
 * useful to do without memory.
 */
#ifndef PORCH_BUF_H
#define PORCH_BUF_H

#include <stddef.h>

struct buf {
	char	*data;	/* NULL until the first append */
	size_t	 len;	/* bytes used, not counting the NUL */
	size_t	 cap;	/* bytes allocated */
};

void	 buf_grow(struct buf *, size_t extra);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
/* Hands the heap string to the caller (never NULL) and empties the buffer. */
char	*buf_take(struct buf *);
/* Appends s with & < > " ' replaced by their HTML entities. */
void	 buf_put_html(struct buf *, const char *s, size_t len);
/* Appends the UTF-8 string s as a JSON string, escaped as jansson's
 * json_dumps escapes it (its bytes as they are but for " \\ and the
 * control characters), so text made with it can stand among jansson's. */
void	 buf_put_json(struct buf *, const char *s);

#endif
