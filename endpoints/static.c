/*
 * static: see static.h.  The site folder is opened for every request
 * rather than once, because `porch build` publishes by swapping the whole
 * folder (renameat2 RENAME_EXCHANGE): a descriptor kept from start-up
 * would go on serving the previous build.  One request resolves all its
 * files (the page, its .gz twin, index.html, 404.html) below the same
 * descriptor, so it never mixes two builds.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "static.h"

_Atomic int static_no_openat2;

/* Longest decoded path we look up. */
#define PATH_MAXLEN	1024

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "xml", "application/xml; charset=utf-8" },
	{ "atom", "application/atom+xml; charset=utf-8" },
	{ "svg", "image/svg+xml; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/x-icon" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "woff2", "font/woff2" },
	{ "woff", "font/woff" },
	{ "pdf", "application/pdf" },
	{ "gz", "application/gzip" },
	{ "webmanifest", "application/manifest+json" },
	{ NULL, NULL },
};

const char *
static_type(const char *name)
{
	const char	*slash, *dot;
	size_t		 i;

	slash = strrchr(name, '/');
	dot = strrchr(slash ? slash : name, '.');
	if (dot == NULL || dot[1] == '\0')
		return "application/octet-stream";
	for (i = 0; types[i].ext; i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

int
static_path_ok(const char *path)
{
	const char	*seg, *end;
	size_t		 len;

	if (path[0] != '/' || strlen(path) > PATH_MAXLEN)
		return 0;
	for (seg = path + 1; *seg; seg = *end ? end + 1 : end) {
		end = seg + strcspn(seg, "/");
		len = (size_t)(end - seg);
		if (len == 0) {
			/* only the trailing '/' of a folder may be empty */
			if (*end == '\0')
				break;
			return 0;
		}
		if (seg[0] == '.' && !(len == 11 &&
		    strncmp(seg, ".well-known", 11) == 0))
			return 0;
	}
	for (; *path; path++)
		if (*path == '\\' || (unsigned char)*path < 0x20 ||
		    *path == 0x7f)
			return 0;
	return 1;
}

int
static_fingerprinted(const char *path)
{
	const char	*name, *p, *dot;
	size_t		 i;

	if (strncmp(path, "/assets/", 8) != 0)
		return 0;
	name = strrchr(path, '/') + 1;
	/* name.HHHHHHHH.ext: a segment of 8 hex digits between two dots */
	for (p = strchr(name, '.'); p && (dot = strchr(p + 1, '.')) != NULL;
	    p = dot) {
		if (dot - p - 1 != 8)
			continue;
		for (i = 1; i <= 8; i++)
			if (!isxdigit((unsigned char)p[i]))
				break;
		if (i == 9)
			return 1;
	}
	return 0;
}

/* The fallback: one openat per segment, never following a link. */
static int
open_walk(int dirfd, const char *rel)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
		    O_NONBLOCK;
	char	 buf[PATH_MAXLEN + 1], *seg, *next;
	int	 fd = dirfd, nfd, saved;

	if (strcmp(rel, ".") == 0)
		return openat(dirfd, ".", flags);
	if (strlen(rel) > PATH_MAXLEN) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, rel);
	for (seg = buf;; seg = next) {
		if ((next = strchr(seg, '/')) != NULL) {
			*next++ = '\0';
			if (*next == '\0')
				next = NULL;
		}
		if (*seg == '\0' || strcmp(seg, ".") == 0 ||
		    strcmp(seg, "..") == 0) {
			errno = ENOENT;
			nfd = -1;
		} else
			nfd = openat(fd, seg, flags | (next ? O_DIRECTORY : 0));
		saved = errno;
		if (fd != dirfd)
			close(fd);
		errno = saved;
		if (nfd == -1 || next == NULL)
			return nfd;
		fd = nfd;
	}
}

int
static_openat(int dirfd, const char *rel)
{
	struct open_how	 how;
	long		 fd;

	if (!static_no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		/* no openat2 here (old kernel, seccomp): walk instead */
		static_no_openat2 = 1;
	}
	return open_walk(dirfd, rel);
}

int
static_accepts_gzip(const char *ae)
{
	const char	*p, *end, *q;
	size_t		 tl;
	double		 qv;

	if (ae == NULL)
		return 0;
	for (p = ae; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		tl = strcspn(p, ";, \t");
		if (tl > (size_t)(end - p))
			tl = (size_t)(end - p);
		if (!((tl == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (tl == 6 && strncasecmp(p, "x-gzip", 6) == 0)))
			continue;
		/* a q=0 refuses it */
		q = p + tl;
		while (q < end && (*q == ' ' || *q == '\t' || *q == ';'))
			q++;
		if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') &&
		    q[1] == '=') {
			qv = strtod(q + 2, NULL);
			return qv > 0;
		}
		return 1;
	}
	return 0;
}

int
static_etag_match(const char *inm, const char *etag)
{
	const char	*p, *end, *e;
	size_t		 el;

	if (inm == NULL)
		return 0;
	e = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
	el = strlen(e);
	for (p = inm; *p; p = *end ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ",");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - p) == el && strncmp(p, e, el) == 0)
			return 1;
		end = p + strcspn(p, ",");
	}
	return 0;
}

void
static_http_date(time_t t, char *buf, size_t len)
{
	struct tm	 tm;
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	gmtime_r(&t, &tm);
	/* not strftime: %a and %b follow the locale */
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
static_parse_date(const char *s, time_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm	 tm;
	char		 wd[4], mon[4];
	const char	*m;
	int		 n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT%n", wd, &tm.tm_mday, mon,
	    &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 7 ||
	    n == 0 || s[n] != '\0')
		return 0;
	if ((m = strstr(months, mon)) == NULL || strlen(mon) != 3 ||
	    (m - months) % 3 != 0)
		return 0;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 70)
		return 0;
	*t = timegm(&tm);
	return *t != (time_t)-1;
}

/* Answers 404 with the site's 404.html, or JSON when there is none. */
static void
not_found(struct req *req, int root)
{
	struct stat	 st;
	int		 fd;

	if ((fd = static_openat(root, "404.html")) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		resp_error(req, 404, "not_found", "no such page");
		return;
	}
	resp_free(&req->resp);
	req->resp.status = 404;
	req->resp.type = strdup("text/html; charset=utf-8");
	req->resp.file_fd = fd;
	req->resp.file_size = (size_t)st.st_size;
	resp_header(req, "Cache-Control", "no-cache");
}

/* Opens rel below root as a regular file; -1 when it is not one. */
static int
open_file(int root, const char *rel, struct stat *st)
{
	int	 fd;

	if ((fd = static_openat(root, rel)) == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

void
static_serve(struct req *req, const char *site, const char *path,
    const char *raw_path, const char *raw_query)
{
	struct stat	 st, gst;
	char		 rel[PATH_MAXLEN + 16], gz[PATH_MAXLEN + 20];
	char		 etag[64], date[40], *loc;
	const char	*ims, *inm;
	int		 root, fd, gfd, twin = 0;
	time_t		 since;
	size_t		 n;

	if ((root = open(site, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		http_log("site %s: %s", site, strerror(errno));
		resp_error(req, 503, "unavailable", "the site is not there");
		return;
	}
	if (!static_path_ok(path)) {
		not_found(req, root);
		goto out;
	}
	snprintf(rel, sizeof(rel), "%s", path[1] ? path + 1 : ".");
	if ((fd = static_openat(root, rel)) == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		not_found(req, root);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		n = strlen(path);
		if (path[n - 1] != '/') {
			/* pretty URLs: /docs/x is the folder /docs/x/ */
			n = strlen(raw_path) + 2 + (raw_query ?
			    strlen(raw_query) + 1 : 0);
			if ((loc = malloc(n)) == NULL) {
				resp_error(req, 500, "internal",
				    "out of memory");
				goto out;
			}
			snprintf(loc, n, "%s/%s%s", raw_path, raw_query ? "?" :
			    "", raw_query ? raw_query : "");
			resp_error(req, 301, "moved", "this page is at its "
			    "folder's address");
			resp_header(req, "Location", loc);
			resp_header(req, "Cache-Control",
			    "public, max-age=60");
			free(loc);
			goto out;
		}
		snprintf(rel, sizeof(rel), "%sindex.html",
		    strcmp(path, "/") == 0 ? "" : path + 1);
		if ((fd = open_file(root, rel, &st)) == -1) {
			not_found(req, root);
			goto out;
		}
	} else if (!S_ISREG(st.st_mode)) {
		close(fd);
		not_found(req, root);
		goto out;
	}

	/* the .gz twin, when there is one and the client takes it */
	snprintf(gz, sizeof(gz), "%s.gz", rel);
	if ((gfd = open_file(root, gz, &gst)) != -1) {
		twin = 1;
		if (static_accepts_gzip(req_header(req, "Accept-Encoding"))) {
			close(fd);
			fd = gfd;
			st = gst;
			resp_header(req, "Content-Encoding", "gzip");
		} else
			close(gfd);
	}
	if (twin)
		resp_header(req, "Vary", "Accept-Encoding");

	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st.st_mtim.tv_nsec);
	static_http_date(st.st_mtim.tv_sec, date, sizeof(date));
	resp_header(req, "ETag", etag);
	resp_header(req, "Last-Modified", date);
	resp_header(req, "Cache-Control", static_fingerprinted(path) ?
	    "public, max-age=31536000, immutable" :
	    "public, max-age=60, must-revalidate");

	inm = req_header(req, "If-None-Match");
	ims = req_header(req, "If-Modified-Since");
	if ((inm && static_etag_match(inm, etag)) || (inm == NULL && ims &&
	    static_parse_date(ims, &since) && st.st_mtim.tv_sec <= since)) {
		close(fd);
		req->resp.status = 304;
		free(req->resp.type);
		req->resp.type = strdup(static_type(rel));
		goto out;
	}
	req->resp.status = 200;
	free(req->resp.type);
	req->resp.type = strdup(static_type(rel));
	req->resp.file_fd = fd;
	req->resp.file_size = (size_t)st.st_size;
out:
	close(root);
}
