/*
 * diag: the build's errors and warnings.
 *
 * Every stage reports problems here instead of printing them, so that the
 * report is complete (one line per problem, not only the first), sorted by
 * file and line whatever order the worker threads found them in, and so
 * that tests can read what was said.  Thread-safe.
 *
 * A line reads "file:line:col: error: message" (":col" is left out when 0,
 * and ":line:col" when line is 0).
 */
#ifndef PORCH_DIAG_H
#define PORCH_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

void	 diag_report(enum diag_level, const char *file, unsigned line,
	     unsigned col, const char *fmt, ...)
	     __attribute__((format(printf, 5, 6)));
#define	 diag_error(f, l, c, ...) diag_report(DIAG_ERROR, f, l, c, __VA_ARGS__)
#define	 diag_warn(f, l, c, ...) diag_report(DIAG_WARNING, f, l, c, __VA_ARGS__)

size_t	 diag_count(enum diag_level);
/* Prints every message, sorted and without duplicates, then forgets them. */
void	 diag_flush(FILE *);
/* Returns all messages so far as one heap string (one per line) and forgets them. */
char	*diag_take(void);

#endif
