/*
 * backlinks: the rows of the memo table (pagememo.c) by the paths their
 * links resolved to.  When a page or file is added or removed, a few
 * paths lead elsewhere (memosince.h) and every row's links must be
 * checked against them: read row by row, that was each row's paths
 * found in the targets table, read and hashed, 20-30 ms of CPU at
 * 10,000 pages for two or three paths.  The table's writer inverts the
 * rows' paths once (backlinks_put); a build then finds the rows that
 * name a changed path with one lookup per path (backlinks_rows).
 */
#ifndef PORCH_BACKLINKS_H
#define PORCH_BACKLINKS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A row's paths as the targets table holds them: u32 count, strs. */
struct backlinks_row {
	const void	*paths;
	size_t		 len;
};

/* Appends the backlinks of rows[0..n-1] to out, for the table whose keys
 * hash to keys_hash (so a record of another table is never read as this
 * one's).  A row whose paths are malformed is left out. */
void	 backlinks_put(struct buf *out, uint64_t keys_hash,
	     const struct backlinks_row *rows, size_t n);

/*
 * The rows (their numbers in the table, sorted, each once: *n of them,
 * heap) whose paths include any of paths[0..npaths-1] (XXH3 hashes,
 * sorted), from the record data (len bytes) made for a table of nrows
 * rows whose keys hash to keys_hash.  NULL when the record is malformed
 * or of another table.
 */
uint32_t *backlinks_rows(const void *data, size_t len, uint64_t keys_hash,
	     size_t nrows, const uint64_t *paths, size_t npaths, size_t *n);

#endif
