#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>
#include <pthread.h>

#include "cache.h"
#include "diag.h"
#include "output.h"
#include "path.h"
#include "spare.h"
#include "xalloc.h"

/* libdeflate's level 6: about zlib -6's size, in less time. */
#define GZIP_LEVEL	6

static int
is_text(const char *rel)
{
	static const char *const exts[] = { ".html", ".css", ".js", ".xml",
	    ".json", ".svg", ".txt", NULL };
	size_t	 i;

	for (i = 0; exts[i]; i++)
		if (path_has_suffix(rel, exts[i]))
			return 1;
	return 0;
}

/* Whether rel gets a .gz twin: text that browsers fetch.  The catalog
 * is porchd's (at 10,000 pages its 3 MB took 25 ms to compress in every
 * build that changed a title). */
static int
wants_twin(const char *rel)
{
	return is_text(rel) && strcmp(rel, OUT_CATALOG) != 0;
}

/*
 * Creates the folder dir (modified in place, restored) and any missing
 * ancestors, from the deepest up: a page's folder is usually new but its
 * parent exists, so that is one mkdir instead of one per ancestor.
 */
static int
make_dir(char *dir)
{
	char	*slash;
	int	 ok;

	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 1;
	if (errno != ENOENT || (slash = strrchr(dir, '/')) == NULL ||
	    slash == dir)
		goto fail;
	*slash = '\0';
	ok = make_dir(dir);
	*slash = '/';
	if (ok && (mkdir(dir, 0755) == 0 || errno == EEXIST))
		return 1;
	if (!ok)
		return 0;
fail:
	diag_error(dir, 0, 0, "cannot create folder: %s", strerror(errno));
	return 0;
}

/* Creates every missing folder on the way to the file at path. */
static int
make_parents(const char *path)
{
	char	*p = xstrdup(path), *slash = strrchr(p, '/');
	int	 ok = 1;

	if (slash != NULL && slash != p) {
		*slash = '\0';
		ok = make_dir(p);
	}
	free(p);
	return ok;
}

/* Writes len bytes to fd, open on a file that holds held bytes, and
 * closes it; what names the file in errors.  Checks every step: a full
 * disk shows up at write or close. */
static int
write_fd(int fd, off_t held, const char *what, const void *data,
    size_t len)
{
	ssize_t	 n;
	size_t	 done = 0;

	if (fd == -1) {
		diag_error(what, 0, 0, "cannot write: %s", strerror(errno));
		return 0;
	}
	while (done < len) {
		n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_error(what, 0, 0, "cannot write: %s",
			    n < 0 ? strerror(errno) : "short write");
			close(fd);
			return 0;
		}
		done += (size_t)n;
	}
	/* A spare longer than the new bytes loses its tail. */
	if (held > (off_t)len && ftruncate(fd, (off_t)len) == -1) {
		diag_error(what, 0, 0, "cannot write: %s", strerror(errno));
		close(fd);
		return 0;
	}
	if (close(fd) == -1) {
		diag_error(what, 0, 0, "cannot write: %s", strerror(errno));
		return 0;
	}
	return 1;
}

/* Writes the new file path. */
static int
write_file(const char *path, const void *data, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return write_fd(fd, 0, path, data, len);
}

/* Writes staged file n (twin: its .gz) over a spare (spare.h); rel, the
 * file it becomes, names it in errors. */
static int
write_staged(const struct out_dir *o, size_t n, int twin, const char *rel,
    const void *data, size_t len)
{
	struct spares	*sp = cache_spares(o->cache);
	char		*what = path_join(o->final, rel);
	off_t		 held = 0;
	int		 fd, ok;

	fd = spares_stage(sp, n, twin, (off_t)len, &held);
	ok = write_fd(fd, held, what, data, len);
	free(what);
	return ok;
}

/* Each thread's libdeflate compressor, made on first use. */
static pthread_key_t	 gz_key;
static pthread_once_t	 gz_once = PTHREAD_ONCE_INIT;

static void
gz_free(void *c)
{
	libdeflate_free_compressor(c);
}

static void
gz_init(void)
{
	pthread_key_create(&gz_key, gz_free);
}

/*
 * libdeflate rather than zlib: the same DEFLATE format at level 6, made
 * two to three times faster (whole buffers, no streaming state), and as
 * deterministic: its gzip header has mtime 0 and a fixed OS byte.
 */
unsigned char *
out_gzip(const void *data, size_t len, size_t *outlen)
{
	struct libdeflate_compressor *c;
	unsigned char	*out;
	size_t		 cap, n;

	pthread_once(&gz_once, gz_init);
	if ((c = pthread_getspecific(gz_key)) == NULL) {
		if ((c = libdeflate_alloc_compressor(GZIP_LEVEL)) == NULL)
			return NULL;
		pthread_setspecific(gz_key, c);
	}
	cap = libdeflate_gzip_compress_bound(c, len);
	out = xmalloc(cap);
	if ((n = libdeflate_gzip_compress(c, data, len, out, cap)) == 0) {
		free(out);
		return NULL;
	}
	*outlen = n;
	return out;
}

int
out_write(const struct out_dir *o, const char *rel, const void *data,
    size_t len)
{
	return out_write_keyed(o, rel, data, len, 0);
}

/* Writes rel's .gz twin of data: to staged file stage's twin, or next
 * to path in the staging folder. */
static int
write_twin(const struct out_dir *o, const char *rel, const char *path,
    size_t stage, const void *data, size_t len)
{
	unsigned char	*gz;
	char		*gzpath;
	size_t		 gzlen;
	int		 ok;

	if ((gz = out_gzip(data, len, &gzlen)) == NULL) {
		diag_error(rel, 0, 0, "cannot compress");
		return 0;
	}
	if (stage != 0)
		ok = write_staged(o, stage, 1, rel, gz, gzlen);
	else {
		gzpath = xasprintf("%s.gz", path);
		ok = write_file(gzpath, gz, gzlen);
		free(gzpath);
	}
	free(gz);
	return ok;
}

int
out_write_keyed(const struct out_dir *o, const char *rel, const void *data,
    size_t len, uint64_t key)
{
	char		*path = NULL;
	size_t		 stage = 0;
	int		 ok;

	if (o->dry)
		return 1;
	if (o->cache != NULL && cache_record(o->cache, rel, data, len, key,
	    &stage))
		return 1;	/* the site folder has these bytes already */
	/* A file an incremental build moves into place is written over a
	 * spare, in the spares' folder (spare.h); a full build writes the
	 * new site's tree in the staging folder. */
	if (stage != 0)
		ok = write_staged(o, stage, 0, rel, data, len);
	else {
		path = path_join(o->tmp, rel);
		ok = make_parents(path) && write_file(path, data, len);
	}
	if (ok && o->gzip && wants_twin(rel))
		ok = write_twin(o, rel, path, stage, data, len);
	free(path);
	return ok;
}

int
out_copy(const struct out_dir *o, const char *src, const char *rel)
{
	FILE		*f;
	struct stat	 st;
	char		*data;
	size_t		 n;
	int		 ok;

	if (o->dry)
		return 1;
	if ((f = fopen(src, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		diag_error(src, 0, 0, "cannot read: %s", strerror(errno));
		if (f)
			fclose(f);
		return 0;
	}
	data = xmalloc((size_t)st.st_size + 1);
	n = fread(data, 1, (size_t)st.st_size, f);
	fclose(f);
	ok = out_write(o, rel, data, n);
	free(data);
	return ok;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int
out_remove_tree(const char *path)
{
	return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS) == 0;
}

/* Entries in the folder at path other than . and .., or -1 if unreadable. */
static long
count_entries(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	long		 n = 0;

	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* 1 if folder a contains b or is b (both canonical paths). */
static int
contains(const char *a, const char *b)
{
	size_t	 la = strlen(a);

	if (strcmp(a, "/") == 0)
		return 1;
	return strncmp(a, b, la) == 0 && (b[la] == '/' || b[la] == '\0');
}

/*
 * Removes the unfinished builds that killed runs left beside final
 * (final.tmp-PID whose process is gone), so a crash costs nothing later.
 */
static void
remove_stale(const char *final)
{
	char	*pattern = xasprintf("%s.tmp-*", final);
	glob_t	 g;
	size_t	 i;
	long	 pid;
	char	*end;

	if (glob(pattern, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			pid = strtol(strrchr(g.gl_pathv[i], '-') + 1, &end, 10);
			if (*end == '\0' && pid > 0 && kill((pid_t)pid, 0) == -1 &&
			    errno == ESRCH)
				out_remove_tree(g.gl_pathv[i]);
		}
		globfree(&g);
	}
	free(pattern);
}

/* Checks that replacing final cannot destroy anything but an old site. */
static int
safe_destination(const char *final, const char *content_dir)
{
	char		 rfinal[PATH_MAX], rcontent[PATH_MAX];
	char		*probe;
	int		 has_catalog;
	long		 n;

	if (realpath(content_dir, rcontent) == NULL)
		return 1;	/* the walk reports a missing content folder */
	if (realpath(final, rfinal) == NULL) {
		/* Not there yet: nothing to lose, but it must not be made
		 * inside the content folder (the next walk would read it). */
		char *parent = path_dir(final), *base = strrchr(final, '/');
		char rparent[PATH_MAX];
		int ok = 1;

		if (realpath(parent[0] ? parent : ".", rparent) == NULL) {
			diag_error(final, 0, 0, "cannot write here: the folder "
			    "%s does not exist", parent);
			ok = 0;
		} else {
			char *want = xasprintf("%s/%s", rparent,
			    base ? base + 1 : final);

			if (contains(rcontent, want)) {
				diag_error(final, 0, 0, "refusing to write the "
				    "site inside the content folder %s",
				    content_dir);
				ok = 0;
			}
			free(want);
		}
		free(parent);
		return ok;
	}
	if (contains(rfinal, rcontent) || contains(rcontent, rfinal)) {
		diag_error(final, 0, 0, "refusing to write the site here: it "
		    "would hold or be inside the content folder %s", content_dir);
		return 0;
	}
	probe = path_join(final, OUT_CATALOG);
	has_catalog = access(probe, F_OK) == 0;
	free(probe);
	n = count_entries(final);
	if (n < 0) {
		diag_error(final, 0, 0, "not a folder Porch can replace");
		return 0;
	}
	if (n > 0 && !has_catalog) {
		diag_error(final, 0, 0, "refusing to replace this folder: it "
		    "has files but no catalog.json, so it is not a site Porch "
		    "built; remove it or choose another -o");
		return 0;
	}
	return 1;
}

int
out_begin(struct out_dir *o, const char *final, const char *content_dir,
    int gzip)
{
	size_t	 len = strlen(final);

	memset(o, 0, sizeof(*o));
	while (len > 1 && final[len - 1] == '/')
		len--;
	o->final = xstrndup(final, len);
	o->gzip = gzip;
	if (!safe_destination(o->final, content_dir))
		return 0;
	remove_stale(o->final);
	o->tmp = xasprintf("%s.tmp-%ld", o->final, (long)getpid());
	if (mkdir(o->tmp, 0755) == -1) {
		diag_error(o->tmp, 0, 0, "cannot create folder: %s",
		    strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return 0;
	}
	return 1;
}

int
out_commit(struct out_dir *o)
{
	char	*old;
	int	 ok = 1;

	if (access(o->final, F_OK) == -1) {
		if (rename(o->tmp, o->final) == -1) {
			diag_error(o->final, 0, 0, "cannot move the new site "
			    "into place: %s", strerror(errno));
			return 0;
		}
		goto done;
	}
	/* One atomic step: readers see the old site or the new one. */
	if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final,
	    RENAME_EXCHANGE) == 0) {
		ok = out_remove_tree(o->tmp);
		goto done;
	}
	/* File systems without RENAME_EXCHANGE: two renames. */
	old = xasprintf("%s.old-%ld", o->final, (long)getpid());
	if (rename(o->final, old) == -1 || rename(o->tmp, o->final) == -1) {
		diag_error(o->final, 0, 0, "cannot move the new site into "
		    "place: %s", strerror(errno));
		free(old);
		return 0;
	}
	ok = out_remove_tree(old);
	free(old);
done:
	if (!ok)
		diag_warn(o->final, 0, 0, "the new site is in place, but the "
		    "old one could not be removed completely");
	free(o->tmp);
	o->tmp = NULL;
	free(o->final);
	o->final = NULL;
	return 1;
}

void
out_abort(struct out_dir *o)
{
	if (o->tmp != NULL)
		out_remove_tree(o->tmp);
	free(o->tmp);
	free(o->final);
	memset(o, 0, sizeof(*o));
}
