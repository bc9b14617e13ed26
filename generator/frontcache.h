/*
 * frontcache: a source file read once.  What model.c gets from reading a
 * file (its parsed front matter tree, where the body starts, the body's
 * hash) is kept in the build's pack (pack.h) under the file's path and
 * identity (device, inode, size, modification and change times), so an
 * unchanged file is neither read nor parsed again: reading and parsing
 * were a third of a build in which nothing changed.  A reading whose
 * page meta had no problem keeps the meta too, and then its tree is read
 * only when a template asks for it.  The body itself is
 * read only when a cache of the results made from it misses
 * (model.h's page_body).  Only files that read and parse cleanly are
 * stored, so every problem is reported by the reader and the parser
 * themselves, on every build.
 */
#ifndef PORCH_FRONTCACHE_H
#define PORCH_FRONTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "front.h"

struct pack;
struct stat;

/* What reading a source gives model.c. */
struct source_reading {
	struct fm_value	 fm;		/* the caller's (front_free); not read
					   when fm_rec is set */
	const void	*fm_rec;	/* or: the tree as the pack holds it
					   (front_memo_tree) */
	size_t		 fm_rec_len;
	size_t		 len;		/* of the whole file */
	size_t		 body_off;
	unsigned	 body_line;
	uint64_t	 body_hash;	/* XXH3_64bits of the body */
	uint64_t	 front_hash;	/* ... of the text before it */
};

/* 1 when pk holds the reading of file as st describes it: *out filled.
 * When the memo has the page meta too, *meta is filled (front_meta_free),
 * *meta_read is 1 and out->fm is left in the pack (out->fm_rec); else
 * out->fm is read and *meta zeroed.  Thread-safe. */
int	 front_memo_get(struct pack *pk, const char *file,
	     const struct stat *st, struct source_reading *out,
	     struct page_meta *meta, int *meta_read);
/* The tree fm_rec holds into *out (front_free); 0 when it is malformed.
 * The pack's bytes must outlive *out.  Thread-safe. */
int	 front_memo_tree(const void *fm_rec, size_t len, struct fm_value *out);
/* Keeps in for the next build, with meta (what front_meta_read made of
 * in's tree) when it had no problem, else NULL so that every build
 * reports them; unless file was changed in the last two seconds (its
 * times may not tell a write in the same tick apart).  Thread-safe. */
void	 front_memo_put(struct pack *pk, const char *file,
	     const struct stat *st, const struct source_reading *in,
	     const struct page_meta *meta);

#endif
