/*
 * static: serving the built site (public/) with --site, for `make run` and
 * small set-ups; in production a CDN serves public/.  Safe by
 * construction: the decoded path is checked segment by segment (no "..",
 * ".", empty segments, dot files other than /.well-known, backslashes or
 * control characters), then resolved below a directory fd with
 * openat2(RESOLVE_BENEATH) (symbolic links may point inside the site,
 * never out of it), or, where the kernel lacks openat2, one openat per
 * segment with O_NOFOLLOW (no symbolic links at all).
 */
#ifndef PORCHD_STATIC_H
#define PORCHD_STATIC_H

#include <stddef.h>
#include <sys/types.h>

#include "http.h"

/* 1 if the decoded path may be looked up (see above), else 0. */
int	 static_path_ok(const char *path);
/* The Content-Type for a file name, by extension (with charset for text);
 * application/octet-stream when unknown. */
const char *static_type(const char *name);
/* 1 if path names a fingerprinted asset ("/assets/main.c5012858.js"):
 * cached for a year as immutable. */
int	 static_fingerprinted(const char *path);
/*
 * Opens rel (no leading '/'; "." for the root) below dirfd read-only and
 * non-blocking, refusing escapes as above.  Returns the fd or -1 with
 * errno set.
 */
int	 static_openat(int dirfd, const char *rel);
/* 1 if an Accept-Encoding value accepts gzip (q > 0). */
int	 static_accepts_gzip(const char *accept_encoding);
/* 1 if an If-None-Match value matches etag (weak comparison, or "*"). */
int	 static_etag_match(const char *if_none_match, const char *etag);
/* Formats t as an HTTP date into buf (at least 32 bytes). */
void	 static_http_date(time_t t, char *buf, size_t len);
/* Parses an HTTP date (IMF-fixdate); returns 1 and *t, or 0. */
int	 static_parse_date(const char *s, time_t *t);
/*
 * Answers a GET or HEAD for the site at root: fills req->resp with the
 * file (its fd, type, ETag, Last-Modified, Cache-Control, Vary,
 * Content-Encoding), a 304, a 301 to the folder's URL with a '/', or the
 * site's 404.html with status 404.  path is the decoded path; raw_path
 * and raw_query are as the client sent them (for the redirect).
 */
void	 static_serve(struct req *req, const char *root, const char *path,
	     const char *raw_path, const char *raw_query);
/* Forces the per-segment fallback of static_openat (tests). */
extern _Atomic int static_no_openat2;

#endif
