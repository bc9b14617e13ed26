#include <string.h>

#include "record.h"
#include "xalloc.h"

void
rec_put_u32(struct buf *b, uint32_t v)
{
	buf_append(b, &v, sizeof(v));
}

void
rec_init(struct rec_rd *r, const void *data, size_t len)
{
	r->p = data;
	r->end = r->p + len;
	r->ok = 1;
}

const unsigned char *
rec_take(struct rec_rd *r, size_t n)
{
	const unsigned char *p = r->p;

	if (!r->ok || (size_t)(r->end - r->p) < n) {
		r->ok = 0;
		return NULL;
	}
	r->p += n;
	return p;
}

void
rec_get(struct rec_rd *r, void *dst, size_t n)
{
	const unsigned char *p = rec_take(r, n);

	if (p != NULL)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

uint32_t
rec_get_u32(struct rec_rd *r)
{
	uint32_t v;

	rec_get(r, &v, sizeof(v));
	return v;
}

void
rec_put_str(struct buf *b, const char *s, size_t len)
{
	if (s == NULL) {
		rec_put_u32(b, REC_NULL);
		return;
	}
	rec_put_u32(b, (uint32_t)len);
	buf_append(b, s, len);
	buf_putc(b, '\0');
}

const char *
rec_get_str(struct rec_rd *r, int nullable, size_t *lenp)
{
	uint32_t	 len = rec_get_u32(r);
	const char	*s;

	if (!r->ok || (len == REC_NULL && nullable))
		return NULL;
	if ((size_t)(r->end - r->p) < (size_t)len + 1 || r->p[len] != '\0') {
		r->ok = 0;
		return NULL;
	}
	s = (const char *)r->p;
	r->p += (size_t)len + 1;
	if (lenp != NULL)
		*lenp = len;
	return s;
}

char *
rec_dup_str(struct rec_rd *r, int nullable)
{
	size_t		 len = 0;
	const char	*s = rec_get_str(r, nullable, &len);

	return s == NULL ? NULL : xstrndup(s, len);
}

size_t
rec_get_count(struct rec_rd *r, size_t min)
{
	uint32_t n = rec_get_u32(r);

	if (r->ok && (size_t)n > (size_t)(r->end - r->p) / min)
		r->ok = 0;
	return r->ok ? n : 0;
}

uint64_t
rec_u64_at(const void *v, size_t i)
{
	uint64_t	 x;

	memcpy(&x, (const unsigned char *)v + i * sizeof(x), sizeof(x));
	return x;
}

uint32_t
rec_u32_at(const void *v, size_t i)
{
	uint32_t	 x;

	memcpy(&x, (const unsigned char *)v + i * sizeof(x), sizeof(x));
	return x;
}
