#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

/* A spare in the folder, named SIZE-SEQ: its bytes when kept and a
 * number no other spare has (bare: named SEQ alone). */
struct spare {
	off_t		 size;
	unsigned long	 seq;
	int		 bare;
};

/* A staged file: the spare it was written over or made as. */
struct staged {
	struct spare	 s;
	unsigned char	 full;		/* 0: nothing staged as this one */
	unsigned char	 made;		/* made for it, not a spare before */
	unsigned char	 placed;	/* moved into the site */
};

struct spares {
	int		 dir;		/* the folder */
	off_t		 block;		/* its file system's block size */
	pthread_mutex_t	 lock;		/* over left and nleft */
	struct spare	*left;		/* not taken yet, by size */
	size_t		 nleft;
	atomic_ulong	 next;		/* the seq of the next one kept */
	atomic_size_t	 added;		/* kept since open */
	atomic_size_t	 reused, made;	/* files spares_stage opened */
	struct staged	*staged;	/* by 2n + twin: the spare each staged
					   file is (under lock) */
	size_t		 cap;
};

static void
spare_name(const struct spare *s, char *name, size_t size)
{
	if (s->bare)
		snprintf(name, size, "%lu", s->seq);
	else
		snprintf(name, size, "%lld-%lu", (long long)s->size, s->seq);
}

static int
parse_number(const char *s, const char **end, unsigned long long *v)
{
	char	*e;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	*v = strtoull(s, &e, 10);
	*end = e;
	return errno == 0;
}

/* A spare's name: SIZE-SEQ (anything else is not ours), or a bare SEQ
 * as session 27's folders named them, whose size is read. */
static int
parse_name(int dir, const char *name, struct spare *s)
{
	unsigned long long a, b;
	const char	*end;
	struct stat	 st;

	if (!parse_number(name, &end, &a))
		return 0;
	if (*end == '\0') {
		if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			return 0;
		s->size = st.st_size;
		s->seq = (unsigned long)a;
		s->bare = 1;
		return 1;
	}
	if (*end != '-' || !parse_number(end + 1, &end, &b) || *end != '\0' ||
	    a > SPARE_BIGGEST)
		return 0;
	s->size = (off_t)a;
	s->seq = (unsigned long)b;
	s->bare = 0;
	return 1;
}

static int
by_size(const void *a, const void *b)
{
	const struct spare *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
list_spares(struct spares *sp)
{
	DIR		*d;
	struct dirent	*de;
	struct spare	 s;
	unsigned long	 top = 0;
	size_t		 cap = 0;
	int		 fd;

	if ((fd = dup(sp->dir)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!parse_name(sp->dir, de->d_name, &s))
			continue;
		sp->left = xreallocarray(sp->left, sp->nleft + 1,
		    sizeof(*sp->left), &cap);
		sp->left[sp->nleft++] = s;
		if (s.seq >= top)
			top = s.seq + 1;
	}
	closedir(d);
	xqsort(sp->left, sp->nleft, sizeof(*sp->left), by_size);
	atomic_init(&sp->next, top);
}

struct spares *
spares_open(const char *dir)
{
	struct spares	*sp;
	struct statvfs	 vfs;
	int		 fd;

	if ((mkdir(dir, 0755) == -1 && errno != EEXIST) ||
	    (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return NULL;
	sp = xcalloc(1, sizeof(*sp));
	sp->dir = fd;
	pthread_mutex_init(&sp->lock, NULL);
	atomic_init(&sp->added, 0);
	atomic_init(&sp->next, 0);
	atomic_init(&sp->reused, 0);
	atomic_init(&sp->made, 0);
	sp->block = fstatvfs(sp->dir, &vfs) == 0 && vfs.f_bsize > 0 ?
	    (off_t)vfs.f_bsize : 4096;
	list_spares(sp);
	return sp;
}

/*
 * Removes the files made for a build's staged files that never reached
 * the site (the build failed): a build that changed every page and then
 * failed would otherwise leave them all in the folder.  The spares that
 * were written over stay, as they were there before.
 */
static void
drop_unplaced(struct spares *sp)
{
	char	 name[48];
	size_t	 i;

	for (i = 0; i < sp->cap; i++)
		if (sp->staged[i].full && sp->staged[i].made &&
		    !sp->staged[i].placed) {
			spare_name(&sp->staged[i].s, name, sizeof(name));
			unlinkat(sp->dir, name, 0);
		}
}

void
spares_close(struct spares *sp)
{
	if (sp == NULL)
		return;
	drop_unplaced(sp);
	close(sp->dir);
	pthread_mutex_destroy(&sp->lock);
	free(sp->left);
	free(sp->staged);
	free(sp);
}

/* The blocks of the file system a file of size bytes takes. */
static off_t
blocks(const struct spares *sp, off_t size)
{
	return (size + sp->block - 1) / sp->block;
}

/*
 * Takes the spare that best holds len bytes: the biggest that has no
 * more blocks than len needs, so that writing over it frees no block.
 * Freeing blocks is what costs (on a file system mounted with discard,
 * ftruncate to fewer blocks took 200 us, to as many 35); growing into
 * new blocks is cheap.  When every spare is bigger, the smallest, so
 * that the folder's spares keep being used.  0 when none is left.
 */
static int
take_spare(struct spares *sp, off_t len, struct spare *out)
{
	off_t	 room = blocks(sp, len) * sp->block;
	size_t	 lo = 0, hi, mid;

	pthread_mutex_lock(&sp->lock);
	if (sp->nleft == 0) {
		pthread_mutex_unlock(&sp->lock);
		return 0;
	}
	/* lo: the first spare bigger than room. */
	hi = sp->nleft;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sp->left[mid].size <= room)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0)		/* the biggest that fits, else the smallest */
		lo--;
	*out = sp->left[lo];
	memmove(&sp->left[lo], &sp->left[lo + 1],
	    (sp->nleft - lo - 1) * sizeof(*sp->left));
	sp->nleft--;
	pthread_mutex_unlock(&sp->lock);
	return 1;
}

/* Opens the spare s in the folder when it is a plain file nothing else
 * links to; -1 after removing it otherwise.  O_NOFOLLOW and O_NONBLOCK:
 * a link or a pipe someone left there is neither followed nor waited
 * on. */
static int
open_taken(struct spares *sp, const struct spare *s, off_t *held)
{
	struct stat	 st;
	char		 name[48];
	int		 fd;

	spare_name(s, name, sizeof(name));
	fd = openat(sp->dir, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd != -1 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1) {
		*held = st.st_size;
		return fd;
	}
	if (fd != -1)
		close(fd);
	unlinkat(sp->dir, name, 0);	/* our name only: another link
					   keeps its bytes */
	return -1;
}

/* Makes a new file in the folder for len bytes, named by them; the spare
 * it is in *s. */
static int
make_new(struct spares *sp, off_t len, struct spare *s)
{
	char	 name[48];
	int	 fd, tries;

	s->size = len;
	s->bare = 0;
	for (tries = 0; tries < 8; tries++) {
		s->seq = atomic_fetch_add(&sp->next, 1);
		spare_name(s, name, sizeof(name));
		fd = openat(sp->dir, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0644);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Notes that staged file i (2n + twin) is the spare s, made for it or
 * not. */
static void
note_staged(struct spares *sp, size_t i, const struct spare *s, int made)
{
	size_t	 had;

	pthread_mutex_lock(&sp->lock);
	had = sp->cap;
	if (i >= sp->cap) {
		sp->staged = xreallocarray(sp->staged, i + 1,
		    sizeof(*sp->staged), &sp->cap);
		memset(sp->staged + had, 0,
		    (sp->cap - had) * sizeof(*sp->staged));
	}
	sp->staged[i].s = *s;
	sp->staged[i].full = 1;
	sp->staged[i].made = made != 0;
	sp->staged[i].placed = 0;
	pthread_mutex_unlock(&sp->lock);
}

int
spares_stage(struct spares *sp, size_t n, int twin, off_t len, off_t *held)
{
	struct spare	 s;
	int		 fd = -1, made = 0;

	*held = 0;
	while (take_spare(sp, len, &s))
		if ((fd = open_taken(sp, &s, held)) != -1) {
			atomic_fetch_add(&sp->reused, 1);
			break;
		}
	if (fd == -1) {
		if ((fd = make_new(sp, len, &s)) == -1)
			return -1;
		atomic_fetch_add(&sp->made, 1);
		made = 1;
	}
	note_staged(sp, 2 * n + (twin != 0), &s, made);
	return fd;
}

/* Whether the file st describes may become a spare. */
static int
room_for(struct spares *sp, const struct stat *st)
{
	size_t	 left;

	pthread_mutex_lock(&sp->lock);
	left = sp->nleft;
	pthread_mutex_unlock(&sp->lock);
	return left + atomic_load(&sp->added) < SPARE_MAX &&
	    S_ISREG(st->st_mode) && st->st_nlink == 1 &&
	    st->st_size <= SPARE_BIGGEST;
}

/*
 * After an exchange the spare's name holds the replaced file.  Its size
 * matters only in whole blocks (take_spare compares it with whole blocks
 * of room), and a page replaced by its next version mostly has as many:
 * the name changes only when they differ.
 */
static void
relabel(struct spares *sp, const struct spare *s, off_t size)
{
	struct spare	 now = *s;
	char		 from[48], to[48];

	if (s->bare || blocks(sp, size) == blocks(sp, s->size))
		return;
	now.size = size;
	spare_name(s, from, sizeof(from));
	spare_name(&now, to, sizeof(to));
	renameat(sp->dir, from, sp->dir, to);	/* else a wrong size */
}

int
spares_place(struct spares *sp, size_t n, int twin, const char *path)
{
	struct spare	 s;
	struct stat	 st;
	char		 name[48];
	size_t		 i = 2 * n + (twin != 0);
	int		 full;

	pthread_mutex_lock(&sp->lock);
	full = i < sp->cap && sp->staged[i].full;
	if (full)
		s = sp->staged[i].s;
	pthread_mutex_unlock(&sp->lock);
	if (!full)
		return 1;
	spare_name(&s, name, sizeof(name));
	/* One step where it replaces a file that may be a spare: the two
	 * swap names, and the staged file's is the replaced file's now. */
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    room_for(sp, &st) && renameat2(sp->dir, name, AT_FDCWD, path,
	    RENAME_EXCHANGE) == 0) {
		atomic_fetch_add(&sp->added, 1);
		relabel(sp, &s, st.st_size);
	} else if (renameat(sp->dir, name, AT_FDCWD, path) == -1)
		return 0;
	pthread_mutex_lock(&sp->lock);
	sp->staged[i].placed = 1;
	pthread_mutex_unlock(&sp->lock);
	return 1;
}

int
spares_retire(struct spares *sp, const char *path)
{
	struct stat	 st;
	struct spare	 s;
	char		 name[48];

	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !room_for(sp, &st))
		return 0;
	s.size = st.st_size;
	s.seq = atomic_fetch_add(&sp->next, 1);
	s.bare = 0;
	spare_name(&s, name, sizeof(name));
	if (renameat(AT_FDCWD, path, sp->dir, name) == -1)
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
