#include <string.h>

#include "record.h"

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
