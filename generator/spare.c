#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spare.h"
#include "xalloc.h"

/* A title edit in a docs folder replaces about 1,200 files (its pages,
 * the pages that link to the page, their .gz twins). */
#define SPARE_MAX	2048
/* Pages and search shards are tens of kilobytes; a bigger file is rare
 * and would hold its blocks for nothing. */
#define SPARE_BIGGEST	(256 * 1024)

struct spares {
	int		 dir;		/* the folder, -1: none */
	unsigned long	*names;		/* the spares it held at open */
	size_t		 n;
	atomic_size_t	 taken;		/* of names, from the front */
	atomic_ulong	 next;		/* the name of the next one kept */
	atomic_size_t	 added;		/* kept since open */
	atomic_size_t	 reused, made;	/* files spares_create opened */
};

/* A spare's name: decimal digits only (anything else is not ours). */
static int
parse_name(const char *s, unsigned long *v)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && errno == 0;
}

static void
list_names(struct spares *sp)
{
	DIR		*d;
	struct dirent	*de;
	unsigned long	 v, top = 0;
	size_t		 cap = 0;
	int		 fd;

	if ((fd = dup(sp->dir)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!parse_name(de->d_name, &v))
			continue;
		sp->names = xreallocarray(sp->names, sp->n + 1,
		    sizeof(*sp->names), &cap);
		sp->names[sp->n++] = v;
		if (v >= top)
			top = v + 1;
	}
	closedir(d);
	atomic_init(&sp->next, top);
}

struct spares *
spares_open(const char *dir)
{
	struct spares	*sp = xcalloc(1, sizeof(*sp));

	atomic_init(&sp->taken, 0);
	atomic_init(&sp->added, 0);
	atomic_init(&sp->next, 0);
	atomic_init(&sp->reused, 0);
	atomic_init(&sp->made, 0);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		sp->dir = -1;
	else
		sp->dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dir != -1)
		list_names(sp);
	return sp;
}

void
spares_close(struct spares *sp)
{
	if (sp == NULL)
		return;
	if (sp->dir != -1)
		close(sp->dir);
	free(sp->names);
	free(sp);
}

/* Opens the spare just renamed to path when it is a plain file nothing
 * else links to; -1 after removing it otherwise.  O_NOFOLLOW and
 * O_NONBLOCK: a link or a pipe someone left there is neither followed
 * nor waited on. */
static int
open_taken(const char *path, off_t *held)
{
	struct stat	 st;
	int		 fd;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd != -1 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1) {
		*held = st.st_size;
		return fd;
	}
	if (fd != -1)
		close(fd);
	unlink(path);	/* our name only: another link keeps its bytes */
	return -1;
}

int
spares_create(struct spares *sp, const char *path, off_t *held)
{
	char	 name[24];
	size_t	 i;
	int	 fd;

	while (sp != NULL && sp->dir != -1 &&
	    (i = atomic_fetch_add(&sp->taken, 1)) < sp->n) {
		snprintf(name, sizeof(name), "%lu", sp->names[i]);
		if (renameat(sp->dir, name, AT_FDCWD, path) == 0 &&
		    (fd = open_taken(path, held)) != -1) {
			atomic_fetch_add(&sp->reused, 1);
			return fd;
		}
	}
	*held = 0;
	if (sp != NULL)
		atomic_fetch_add(&sp->made, 1);
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* A name for the file at path in the folder, if it may become a spare. */
static int
room_for(struct spares *sp, const char *path, char *name, size_t size)
{
	struct stat	 st;
	size_t		 taken, left;

	if (sp == NULL || sp->dir == -1)
		return 0;
	taken = atomic_load(&sp->taken);
	left = taken < sp->n ? sp->n - taken : 0;
	if (left + atomic_load(&sp->added) >= SPARE_MAX ||
	    fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_size > SPARE_BIGGEST)
		return 0;
	snprintf(name, size, "%lu", atomic_fetch_add(&sp->next, 1));
	return 1;
}

void
spares_keep(struct spares *sp, const char *path)
{
	char	 name[24];

	if (room_for(sp, path, name, sizeof(name)) &&
	    linkat(AT_FDCWD, path, sp->dir, name, 0) == 0)
		atomic_fetch_add(&sp->added, 1);
}

int
spares_retire(struct spares *sp, const char *path)
{
	char	 name[24];

	if (!room_for(sp, path, name, sizeof(name)) ||
	    renameat(AT_FDCWD, path, sp->dir, name) == -1)
		return 0;
	atomic_fetch_add(&sp->added, 1);
	return 1;
}

void
spares_counts(const struct spares *sp, size_t *reused, size_t *made,
    size_t *kept)
{
	*reused = sp != NULL ? atomic_load(&sp->reused) : 0;
	*made = sp != NULL ? atomic_load(&sp->made) : 0;
	*kept = sp != NULL ? atomic_load(&sp->added) : 0;
}
