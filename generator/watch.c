#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "path.h"
#include "watch.h"
#include "xalloc.h"

#define WATCH_MASK	(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE | \
			 IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* Longest wait for a burst of events to end: a build every second at
 * worst while something keeps writing. */
#define SETTLE_MAX_MS	1000

struct watch {
	int		 fd;
	char		**dirs;		/* by watch descriptor; NULL if none */
	size_t		 ndirs, capdirs;
};

struct watch *
watch_new(void)
{
	struct watch	*w;
	int		 fd;

	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	return w;
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

/* Remembers which folder watch descriptor wd is (copies dir). */
static void
remember(struct watch *w, int wd, const char *dir)
{
	size_t	 i = (size_t)wd;

	if (i >= w->ndirs) {
		w->dirs = xreallocarray(w->dirs, i + 1, sizeof(*w->dirs),
		    &w->capdirs);
		memset(w->dirs + w->ndirs, 0,
		    (i + 1 - w->ndirs) * sizeof(*w->dirs));
		w->ndirs = i + 1;
	}
	free(w->dirs[i]);
	w->dirs[i] = xstrdup(dir);
}

int
watch_add_tree(struct watch *w, const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		*sub;
	int		 wd, ok = 1;

	if ((wd = inotify_add_watch(w->fd, dir, WATCH_MASK)) == -1)
		return errno == ENOTDIR || errno == ENOENT;
	remember(w, wd, dir);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		sub = path_join(dir, e->d_name);
		if (!watch_add_tree(w, sub))
			ok = 0;
		free(sub);
	}
	closedir(d);
	return ok;
}

/* Editors' temporary files: vim's .swp and 4913, backup files~, dot files. */
static int
ignored(const char *name)
{
	size_t	 n = strlen(name);

	if (n == 0)
		return 0;
	return name[0] == '.' || name[n - 1] == '~' ||
	    strcmp(name, "4913") == 0 || path_has_suffix(name, ".swp") ||
	    path_has_suffix(name, ".swx");
}

/* Reads what is queued; returns 1 if something that matters changed. */
static int
drain(struct watch *w)
{
	char		 buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
			    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t		 n;
	size_t		 off;
	char		*sub;
	int		 changed = 0;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < (size_t)n;
		    off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = 1;
				continue;
			}
			if (ev->len > 0 && ignored(ev->name))
				continue;
			if (ev->mask & IN_IGNORED)
				continue;
			changed = 1;
			if ((ev->mask & IN_ISDIR) && (ev->mask &
			    (IN_CREATE | IN_MOVED_TO)) && ev->wd >= 0 &&
			    (size_t)ev->wd < w->ndirs && w->dirs[ev->wd]) {
				sub = path_join(w->dirs[ev->wd], ev->name);
				watch_add_tree(w, sub);
				free(sub);
			}
		}
	}
	return changed;
}

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
watch_settle(struct watch *w, int quiet_ms)
{
	struct pollfd	 pfd = { .fd = w->fd, .events = POLLIN };
	long		 start = now_ms();
	int		 changed = drain(w);

	while (now_ms() - start < SETTLE_MAX_MS &&
	    poll(&pfd, 1, quiet_ms) > 0)
		changed |= drain(w);
	return changed;
}

void
watch_free(struct watch *w)
{
	size_t	 i;

	if (w == NULL)
		return;
	close(w->fd);
	for (i = 0; i < w->ndirs; i++)
		free(w->dirs[i]);
	free(w->dirs);
	free(w);
}
