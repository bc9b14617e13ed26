/*
 * walk: lists the files of a content folder, sorted, so that every later
 * stage sees them in the same order on every machine.  Skips hidden files,
 * site.lua and the site's themes/ folder; follows symbolic links but
 * reports a link that loops.
 */
#ifndef PORCH_WALK_H
#define PORCH_WALK_H

#include <stddef.h>

struct pack;

struct walk_list {
	char	**paths;	/* content-relative, '/'-separated */
	size_t	  n, cap;
};

/* Fills list with every regular file under root, reading the listings of
 * unchanged folders from pk when not NULL (dirlist.h).  Returns 1, or 0
 * after reporting a problem (unreadable folder, symlink loop) through
 * diag. */
int	 walk_content(const char *root, struct pack *pk,
	     struct walk_list *list);
void	 walk_free(struct walk_list *);

#endif
