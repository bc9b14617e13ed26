/*
 * termsafe: customer text printed on a staff terminal (`porchd tickets
 * list/show`, `porchd report`).  A ticket title is written by anyone on
 * the internet; printed raw, an ESC byte in it is a terminal escape
 * sequence (retitle the window, rewrite the screen, on some terminals
 * answer back into the shell), a CR rewrites the line before it and an
 * RTL override turns "SKY-1001 evil" around.  These functions show every
 * such character as a visible escape instead, so staff read what the
 * customer sent and the terminal never acts on it.
 */
#ifndef PORCHD_TERMSAFE_H
#define PORCHD_TERMSAFE_H

#include <stdio.h>

/* Keep newlines (and tabs) as they are: for multi-line bodies. */
#define TERMSAFE_LINES	0x1

/*
 * Writes s to f with the characters a terminal acts on made visible:
 * C0 controls and DEL as \xHH (\n and \t kept with TERMSAFE_LINES),
 * C1 controls (U+0080-U+009F) and the bidirectional controls (U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069) as \uHHHH, and bytes that are
 * not UTF-8 as \xHH.  Everything else (printable UTF-8) passes.  A NULL
 * s writes nothing.  Returns 1, or 0 when a write failed.
 */
int	 termsafe_put(FILE *f, const char *s, int flags);

/*
 * The same text as a heap string (the caller frees it), or NULL when out
 * of memory.  A NULL s gives "".
 */
char	*termsafe_dup(const char *s, int flags);

#endif
