/*
 * watch: tells `porch serve` when the site's sources changed.  inotify
 * watches on folders and everything below them (folders made later are
 * watched as they appear); a burst of events, such as an editor's save
 * (temp file, rename, chmod), is waited out and reported as one change.
 */
#ifndef PORCH_WATCH_H
#define PORCH_WATCH_H

struct watch;

/* A watcher without folders, or NULL (with errno) if inotify failed. */
struct watch *watch_new(void);
/* Watches dir and every folder below it, except hidden ones.  1 or 0. */
int	 watch_add_tree(struct watch *, const char *dir);
/* The descriptor to poll for POLLIN. */
int	 watch_fd(const struct watch *);
/*
 * Reads the pending events, then waits until quiet_ms pass without more
 * (at most a second in all), adding watches for new folders.  Returns 1
 * if a file that matters changed (editor swap and backup files do not),
 * else 0.  Call when watch_fd is readable.
 */
int	 watch_settle(struct watch *, int quiet_ms);
void	 watch_free(struct watch *);

#endif
