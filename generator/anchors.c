#include <stdlib.h>
#include <string.h>

#include "anchors.h"
#include "buf.h"
#include "xalloc.h"

static int
cmp_key(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

/* 1 if the id of len bytes at s is one of ids. */
static int
is_heading_id(const char *s, size_t len, char *const *ids, size_t n)
{
	char	*id;
	int	 found;

	if (n == 0)
		return 0;
	id = xstrndup(s, len);
	found = bsearch(id, ids, n, sizeof(*ids), cmp_key) != NULL;

	free(id);
	return found;
}

char *
anchors_prefix(const char *html, char *const *ids, size_t n,
    const char *prefix)
{
	static const char *const attrs[] = { " id=\"", " href=\"#" };
	struct buf	 b = { 0 };
	const char	*p = html, *hit, *next, *value, *end;
	size_t		 i, alen = 0;

	for (;;) {
		next = NULL;
		for (i = 0; i < 2; i++)
			if ((hit = strstr(p, attrs[i])) != NULL &&
			    (next == NULL || hit < next)) {
				next = hit;
				alen = strlen(attrs[i]);
			}
		if (next == NULL)
			break;
		value = next + alen;
		end = strchr(value, '"');
		buf_append(&b, p, (size_t)(value - p));
		if (end != NULL && is_heading_id(value, (size_t)(end - value),
		    ids, n)) {
			buf_puts(&b, prefix);
			buf_putc(&b, '-');
		}
		p = value;
	}
	buf_puts(&b, p);
	return buf_take(&b);
}
