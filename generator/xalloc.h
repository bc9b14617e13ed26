/*
 * xalloc: allocation that cannot fail (it aborts with a message instead).
 * The generator uses these everywhere; the server (endpoints/) does not.
 */
#ifndef PORCH_XALLOC_H
#define PORCH_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Grows an array to hold at least want elements of size sz; *cap is updated. */
void	*xreallocarray(void *, size_t want, size_t sz, size_t *cap);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Returns a heap string made with printf-style formatting. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list (which it consumes). */
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));
/* qsort that takes an empty array (qsort's base must not be NULL even
 * when n is 0). */
void	 xqsort(void *, size_t n, size_t sz, int (*)(const void *, const void *));

#endif
