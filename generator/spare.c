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

struct spares {
	int		 dir;		/* the folder, -1: none */
	off_t		 block;		/* its file system's block size */
	pthread_mutex_t	 lock;		/* over left and nleft */
	struct spare	*left;		/* not taken yet, by size */
	size_t		 nleft;
	atomic_ulong	 next;		/* the seq of the next one kept */
	atomic_size_t	 added;		/* kept since open */
	atomic_size_t	 reused, made;	/* files spares_create opened */
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
	struct spares	*sp = xcalloc(1, sizeof(*sp));
	struct statvfs	 vfs;

	pthread_mutex_init(&sp->lock, NULL);
	atomic_init(&sp->added, 0);
	atomic_init(&sp->next, 0);
	atomic_init(&sp->reused, 0);
	atomic_init(&sp->made, 0);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		sp->dir = -1;
	else
		sp->dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	sp->block = sp->dir != -1 && fstatvfs(sp->dir, &vfs) == 0 &&
	    vfs.f_bsize > 0 ? (off_t)vfs.f_bsize : 4096;
	if (sp->dir != -1)
		list_spares(sp);
	return sp;
}

void
spares_close(struct spares *sp)
{
	if (sp == NULL)
		return;
	if (sp->dir != -1)
		close(sp->dir);
	pthread_mutex_destroy(&sp->lock);
	free(sp->left);
	free(sp);
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
	off_t	 room = (len + sp->block - 1) / sp->block * sp->block;
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
spares_create(struct spares *sp, const char *path, off_t len, off_t *held)
{
	struct spare	 s;
	char		 name[48];
	int		 fd;

	while (sp != NULL && sp->dir != -1 && take_spare(sp, len, &s)) {
		spare_name(&s, name, sizeof(name));
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
	struct spare	 s;
	size_t		 left;

	if (sp == NULL || sp->dir == -1)
		return 0;
	pthread_mutex_lock(&sp->lock);
	left = sp->nleft;
	pthread_mutex_unlock(&sp->lock);
	if (left + atomic_load(&sp->added) >= SPARE_MAX ||
	    fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_size > SPARE_BIGGEST)
		return 0;
	s.size = st.st_size;
	s.seq = atomic_fetch_add(&sp->next, 1);
	s.bare = 0;
	spare_name(&s, name, size);
	return 1;
}

void
spares_keep(struct spares *sp, const char *path)
{
	char	 name[48];

	if (room_for(sp, path, name, sizeof(name)) &&
	    linkat(AT_FDCWD, path, sp->dir, name, 0) == 0)
		atomic_fetch_add(&sp->added, 1);
}

int
spares_retire(struct spares *sp, const char *path)
{
	char	 name[48];

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
