/*
 * record: the byte layout shared by the entries the build caches keep in
 * the pack (frontcache.c, mdcache.c, pagememo.c, search.c): numbers in
 * the host's byte order (the pack's seed names the binary, so an entry is
 * never read by another machine), and a reader that checks every length
 * against the end of the entry, so a malformed entry is a miss, never a
 * read past it.  A str is a u32 length, the bytes and a NUL (so a loaded
 * string can be handed on as it lies); an nstr is a str that may be NULL:
 * length REC_NULL and no bytes.
 */
#ifndef PORCH_RECORD_H
#define PORCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Reading an entry: the next byte, the end, and whether all was there. */
struct rec_rd {
	const unsigned char *p, *end;
	int		 ok;
};

void	 rec_put_u32(struct buf *, uint32_t);
/* Starts reading the len bytes at data. */
void	 rec_init(struct rec_rd *, const void *data, size_t len);
/* The next n bytes into dst (zeros, and r->ok 0, when they are not all
 * there). */
void	 rec_get(struct rec_rd *, void *dst, size_t n);
uint32_t rec_get_u32(struct rec_rd *);
/* The next n bytes in place, or NULL (r->ok 0) when they are not all
 * there. */
const unsigned char *rec_take(struct rec_rd *, size_t n);

#define REC_NULL	UINT32_MAX

/* Appends s (len bytes) as a str, or as a NULL nstr when s is NULL. */
void	 rec_put_str(struct buf *, const char *s, size_t len);
/* The next str (nullable: an nstr) as a pointer into the entry, *lenp
 * (if not NULL) its length.  NULL for a NULL nstr, and for a malformed
 * one (r->ok 0). */
const char *rec_get_str(struct rec_rd *, int nullable, size_t *lenp);
/* A heap copy of the next str or nstr (NULL stays NULL). */
char	*rec_dup_str(struct rec_rd *, int nullable);
/* Element i of an array of u64 or u32 as it lies in an entry (where it
 * may not be aligned). */
uint64_t rec_u64_at(const void *v, size_t i);
uint32_t rec_u32_at(const void *v, size_t i);
/* A count of records each at least min bytes long, checked against what
 * is left, so a bad count cannot ask for a huge allocation. */
size_t	 rec_get_count(struct rec_rd *, size_t min);

#endif
