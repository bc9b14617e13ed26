/*
 * spare: the files an incremental build replaced or removed, kept in
 * DEST.porch-cache/spare/ to be written over by the next build instead of
 * being freed and made again.
 *
 * An incremental build writes each changed file new in its staging folder
 * and renames it over the old one (cache.h).  On ext4, making a file
 * allocates an inode, and without a journal the allocator steps over
 * every inode freed in the last minutes; the rename frees the old file's
 * inode and blocks.  A build that churns a few hundred files a time made
 * each file cost about 220 us this way; taking a kept file, writing over
 * its blocks and truncating it to its new length costs about 70
 * (docs/PERFORMANCE.md).  A spare is taken by size, so that writing
 * over it frees no block (freeing one costs as much as a new file).
 *
 * A spare is only ever written while no other name links to it: one still
 * linked from the site (the build stopped between keeping it and the
 * rename) is dropped, not written.  The folder holds at most SPARE_MAX
 * files, none bigger than SPARE_BIGGEST bytes.
 */
#ifndef PORCH_SPARE_H
#define PORCH_SPARE_H

#include <sys/types.h>

struct spares;

/* Lists the spares in dir (made if missing).  Never fails: without the
 * folder there are no spares and nothing is kept. */
struct spares *spares_open(const char *dir);
void	 spares_close(struct spares *);

/*
 * Opens path, a new file for len bytes, for writing: the spare that best
 * holds them renamed there when one is left, else (or when sp is NULL) a
 * file made empty.  *held is the bytes the file holds already: the
 * caller writes over them and truncates the file to len when that is
 * shorter.  Thread-safe.  The open descriptor, or -1 with errno set.
 */
int	 spares_create(struct spares *, const char *path, off_t len,
	     off_t *held);

/* Keeps the file at path, about to be replaced by a rename, as a spare
 * (a second link to it).  Nothing happens when it is not a regular file,
 * is too big or the folder is full. */
void	 spares_keep(struct spares *, const char *path);
/* Moves the file at path, which the site no longer has, to the spares;
 * 0 when it did not (the caller removes it). */
int	 spares_retire(struct spares *, const char *path);

/* Since open: the files written over a spare, the files made new (none
 * was left), the files kept as spares. */
void	 spares_counts(const struct spares *, size_t *reused, size_t *made,
	     size_t *kept);

#endif
