/*
 * multipart: multipart/form-data bodies (see multipart.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"

#define HEADER_MAX	1024	/* bytes of one part header line */

int
multipart_is(const char *ct)
{
	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return strncasecmp(ct, "multipart/form-data", 19) == 0 &&
	    (ct[19] == '\0' || ct[19] == ';' || ct[19] == ' ');
}

/* The boundary parameter of ct into out (MULTIPART_BOUNDARY_MAX + 1). */
static int
boundary_of(const char *ct, char *out)
{
	const char	*p;
	size_t		 n;

	if ((p = strcasestr(ct, "boundary=")) == NULL)
		return 0;
	p += 9;
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
		if (p[n] != '"')
			return 0;
	} else
		n = strcspn(p, "; \t");
	if (n == 0 || n > MULTIPART_BOUNDARY_MAX)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* memmem that says where. */
static const char *
find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	return memmem(hay, hlen, needle, nlen);
}

/*
 * The value of parameter key (name, filename) in a Content-Disposition
 * value, unquoted, as a heap copy; NULL if absent.  Backslash escapes in
 * quoted strings are taken literally, as browsers send %22 for quotes.
 */
static char *
param(const char *v, const char *key, int *bad)
{
	const char	*p = v, *q;
	size_t		 kl = strlen(key), n;
	char		*out;

	while ((p = strcasestr(p, key)) != NULL) {
		if ((p == v || p[-1] == ';' || p[-1] == ' ') && p[kl] == '=')
			break;
		p += kl;
	}
	if (p == NULL)
		return NULL;
	p += kl + 1;
	if (*p == '"') {
		p++;
		if ((q = strchr(p, '"')) == NULL) {
			*bad = 1;
			return NULL;
		}
		n = (size_t)(q - p);
	} else
		n = strcspn(p, "; \t");
	if ((out = malloc(n + 1)) == NULL) {
		*bad = 1;
		return NULL;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* Reads the headers of one part (from *p, up to end) into mp; 1/0. */
static int
part_headers(const char **pp, const char *end, struct mpart *mp)
{
	const char	*p = *pp, *eol;
	char		 line[HEADER_MAX + 1];
	size_t		 n;
	int		 bad = 0, seen = 0;

	for (;;) {
		if ((eol = find(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			return 0;
		n = (size_t)(eol - p);
		if (n == 0)
			break;
		if (n > HEADER_MAX)
			return 0;
		memcpy(line, p, n);
		line[n] = '\0';
		if (memchr(line, '\0', n))
			return 0;
		if (strncasecmp(line, "Content-Disposition:", 20) == 0) {
			if (seen++ || strcasestr(line + 20, "form-data") ==
			    NULL)
				return 0;
			mp->name = param(line + 20, "name", &bad);
			mp->filename = param(line + 20, "filename", &bad);
			if (bad || mp->name == NULL)
				return 0;
		} else if (strncasecmp(line, "Content-Type:", 13) == 0) {
			const char *t = line + 13;

			while (*t == ' ')
				t++;
			free(mp->type);
			if ((mp->type = strdup(t)) == NULL)
				return 0;
		}
		/* other headers (Content-Transfer-Encoding...) ignored */
		p = eol + 2;
	}
	*pp = eol + 2;
	return seen == 1;
}

void
multipart_free(struct mpart *parts, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(parts[i].name);
		free(parts[i].filename);
		free(parts[i].type);
	}
	free(parts);
}

int
multipart_parse(const char *ct, const char *body, size_t len,
    struct mpart **parts, size_t *n)
{
	char		 b[MULTIPART_BOUNDARY_MAX + 1];
	char		 delim[MULTIPART_BOUNDARY_MAX + 5];
	const char	*p, *end = body + len, *next;
	size_t		 dl, cap = 0;
	struct mpart	*v = NULL, *grown;

	*parts = NULL;
	*n = 0;
	if (body == NULL || !boundary_of(ct, b))
		return 0;
	/* the first delimiter may start the body without a CRLF */
	dl = (size_t)snprintf(delim, sizeof(delim), "--%s", b);
	if (len < dl || memcmp(body, delim, dl) != 0) {
		if ((p = find(body, len, delim + 0, dl)) == NULL)
			return 0;
	} else
		p = body;
	/* from here, every delimiter is CRLF--boundary */
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	p += dl - 2;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;		/* the close delimiter */
		/* transport padding, then CRLF */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto fail;
		p += 2;
		if (*n == MULTIPART_MAX_PARTS)
			goto fail;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = grown;
		}
		memset(&v[*n], 0, sizeof(v[*n]));
		(*n)++;
		if (!part_headers(&p, end, &v[*n - 1]))
			goto fail;
		if ((next = find(p, (size_t)(end - p), delim, dl)) == NULL)
			goto fail;
		v[*n - 1].data = p;
		v[*n - 1].len = (size_t)(next - p);
		p = next + dl;
	}
	*parts = v;
	return 1;
fail:
	multipart_free(v, *n);
	*n = 0;
	return 0;
}
