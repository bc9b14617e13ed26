/*
 * frontcache: front matter parsed once.  front_parse's result (the value
 * tree, the body's offset and first line) for a file's exact text is kept
 * in the build's pack (pack.h), so an unchanged file's YAML is not parsed
 * again: libyaml's parser setup and scanning were a sixth of a build in
 * which nothing changed.  Only successful parses are stored (front_parse
 * reports nothing then), so what a build reports does not depend on the
 * cache.
 */
#ifndef PORCH_FRONTCACHE_H
#define PORCH_FRONTCACHE_H

#include <stddef.h>

struct fm_value;
struct pack;

/* front_parse (front.h), through pk when it is not NULL.  Thread-safe. */
int	 front_parse_cached(struct pack *pk, const char *path,
	     const char *text, size_t len, struct fm_value *out,
	     size_t *body_off, unsigned *body_line);

#endif
