/*
 * spare: the files an incremental build replaced or removed, kept in
 * DEST.porch-cache/spare/ to be written over by the next build instead of
 * being freed and made again; and the files the build stages there.
 *
 * On ext4, making a file allocates an inode, and without a journal the
 * allocator steps over every inode freed in the last minutes; replacing
 * a file frees the old one's inode and blocks.  A build that churns a
 * few hundred files a time made each file cost about 220 us this way;
 * taking a kept file, writing over its blocks and truncating it to its
 * new length costs about 70 (docs/PERFORMANCE.md).  A spare is taken by
 * size, so that writing over it frees no block (freeing one costs as
 * much as a new file).
 *
 * An incremental build writes each changed file over a spare where the
 * spare lies (spares_stage), and its commit swaps the two names in one
 * step (spares_place): the site has the new bytes, and the spare's name
 * the replaced file.  No other rename or link is needed, where staging
 * in a folder of its own took a rename in, a link to keep the old file
 * and a rename out.
 *
 * A spare is only ever written while no other name links to it (a
 * build of an older version, stopped between keeping a file and a rename,
 * left one linked from the site); it is dropped, not written.  The
 * folder keeps at most SPARE_MAX spares, none bigger than SPARE_BIGGEST
 * bytes.
 */
#ifndef PORCH_SPARE_H
#define PORCH_SPARE_H

#include <sys/types.h>

struct spares;

/* Lists the spares in dir (made if missing); NULL when the folder cannot
 * be made or opened. */
struct spares *spares_open(const char *dir);
/* Closes the folder, first removing the files made for staged files that
 * were not placed (a failed build's). */
void	 spares_close(struct spares *);

/*
 * Opens staged file n (twin 0: the file, 1: its .gz twin), a new file
 * for len bytes, for writing: the spare that best holds them when one is
 * left, else a file made empty in the folder.  *held is the bytes the
 * file holds already: the caller writes over them and truncates the file
 * to len when that is shorter.  Thread-safe.  The open descriptor, or -1
 * with errno set.
 */
int	 spares_stage(struct spares *, size_t n, int twin, off_t len,
	     off_t *held);
/*
 * Moves staged file n (twin) to path.  A plain file there becomes a spare
 * when the folder has room (one renameat2 RENAME_EXCHANGE), else is
 * replaced.  1 when moved or when nothing was staged as n (twin); 0 with
 * errno set (ENOENT: path's folder may be missing).  Thread-safe once
 * staging is done.
 */
int	 spares_place(struct spares *, size_t n, int twin, const char *path);
/* Moves the file at path, which the site no longer has, to the spares;
 * 0 when it did not (the caller removes it). */
int	 spares_retire(struct spares *, const char *path);

/* Since open: the files written over a spare, the files made new (none
 * was left), the files kept as spares. */
void	 spares_counts(const struct spares *, size_t *reused, size_t *made,
	     size_t *kept);

#endif
