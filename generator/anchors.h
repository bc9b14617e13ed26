/*
 * anchors: heading ids of a page made unique when its HTML is shown inside
 * another page.  The changelog and FAQ list pages include every entry;
 * without this, each entry's "highlights" or "fixes" heading would repeat
 * the same id, and a link to it would jump to the first one.
 */
#ifndef PORCH_ANCHORS_H
#define PORCH_ANCHORS_H

#include <stddef.h>

/*
 * Returns a heap copy of html in which every id="X" and href="#X" whose X
 * is one of the page's heading ids (ids, sorted, n of them) reads
 * id="PREFIX-X" and href="#PREFIX-X".  Other ids and links are unchanged.
 */
char	*anchors_prefix(const char *html, char *const *ids, size_t n,
	     const char *prefix);

#endif
