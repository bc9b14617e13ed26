/*
 * dirlist: a folder's entries, read from the folder only when it changed.
 * Listing a folder (open, getdents, close) is a few system calls and, on
 * ext4, a hashed-directory scan: the 200 folders of a 10,000-page site
 * took 10-15 ms of every build, most of a build's walk.  Adding, removing
 * or renaming an entry changes the folder's modification and change times
 * (fileid.h), so the listing is kept in the build's pack (pack.h) under
 * the folder's path and identity, and a folder whose identity is
 * unchanged costs one stat.  Editing a file in place changes neither
 * time, and needs no new listing.
 */
#ifndef PORCH_DIRLIST_H
#define PORCH_DIRLIST_H

#include <stddef.h>

struct pack;

struct dirlist_entry {
	const char	*name;
	unsigned char	 type;		/* readdir's d_type: DT_DIR, DT_REG,
					   DT_LNK, DT_UNKNOWN ... */
};

/* The entries of a folder but "." and "..", in readdir's order. */
struct dirlist {
	struct dirlist_entry *v;
	size_t		 n;
	char		*names;		/* the names' bytes, when read from the
					   folder (else they are the pack's) */
};

/* Lists the folder at path, through pk when not NULL (kept there for the
 * next build unless the folder changed in the last two seconds).
 * Returns 1, or 0 with errno set when the folder cannot be read. */
int	 dirlist_read(const char *path, struct pack *pk, struct dirlist *out);
void	 dirlist_free(struct dirlist *);

#endif
