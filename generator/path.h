/*
 * path: joining and normalising the '/'-separated paths of content files
 * and site URLs.  Every function returns a heap string.
 */
#ifndef PORCH_PATH_H
#define PORCH_PATH_H

/* a + "/" + b, without doubled slashes; a may be "" or ".". */
char	*path_join(const char *a, const char *b);
/* The directory part of a content-relative path ("docs/a/b.md" -> "docs/a",
 * "x.md" -> ""). */
char	*path_dir(const char *);
/* Resolves rel against dir and removes "." and ".." parts; returns NULL when
 * the result would climb above the root. */
char	*path_resolve(const char *dir, const char *rel);
/* The last component without its extension ("docs/a/b.md" -> "b"). */
char	*path_stem(const char *);
/* 1 if s ends with suffix. */
int	 path_has_suffix(const char *s, const char *suffix);
/* A URL slug of a name or tag: lower-case ASCII letters and digits, other
 * runs become one '-', non-ASCII UTF-8 kept; never empty ("-" -> "x"). */
char	*path_slug(const char *);

#endif
