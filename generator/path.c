#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "path.h"
#include "xalloc.h"

char *
path_join(const char *a, const char *b)
{
	size_t	 la, lb;
	char	*out;

	if (a[0] == '\0' || strcmp(a, ".") == 0)
		return xstrdup(b);
	while (b[0] == '/')
		b++;
	la = strlen(a);
	if (la > 0 && a[la - 1] == '/')
		la--;
	/* By hand: a printf per join was most of a link lookup's time. */
	lb = strlen(b);
	out = xmalloc(la + lb + 2);
	memcpy(out, a, la);
	out[la] = '/';
	memcpy(out + la + 1, b, lb + 1);
	return out;
}

char *
path_dir(const char *p)
{
	const char	*slash = strrchr(p, '/');

	return slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup("");
}

char *
path_resolve(const char *dir, const char *rel)
{
	char	*joined = rel[0] == '/' ? xstrdup(rel + 1) : path_join(dir, rel);
	char	*out = xmalloc(strlen(joined) + 1);
	char	*part, *save = NULL;
	size_t	 len = 0;

	for (part = strtok_r(joined, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			if (len == 0) {
				free(joined);
				free(out);
				return NULL;
			}
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, part, strlen(part));
		len += strlen(part);
	}
	out[len] = '\0';
	free(joined);
	return out;
}

char *
path_stem(const char *p)
{
	const char	*base = strrchr(p, '/');
	const char	*dot;

	base = base ? base + 1 : p;
	dot = strrchr(base, '.');
	return dot && dot != base ? xstrndup(base, (size_t)(dot - base)) :
	    xstrdup(base);
}

int
path_has_suffix(const char *s, const char *suffix)
{
	size_t	 ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

char *
path_slug(const char *s)
{
	struct buf	 b = { 0 };
	int		 dash = 0;
	unsigned char	 c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80) {
			if (dash && b.len > 0)
				buf_putc(&b, '-');
			dash = 0;
			buf_putc(&b, (char)c);
		} else if (c >= 'A' && c <= 'Z') {
			if (dash && b.len > 0)
				buf_putc(&b, '-');
			dash = 0;
			buf_putc(&b, (char)(c - 'A' + 'a'));
		} else if (c == '.' && b.len > 0 && s[1] >= '0' && s[1] <= '9' &&
		    b.data[b.len - 1] >= '0' && b.data[b.len - 1] <= '9') {
			/* keep version numbers readable: 4.2.0 stays 4.2.0 */
			buf_putc(&b, '.');
		} else
			dash = 1;
	}
	if (b.len == 0)
		buf_putc(&b, 'x');
	return buf_take(&b);
}
