#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "postcode.h"

const char postcode_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
postcode_put_varint(struct buf *b, uint32_t v)
{
	unsigned char	 c[5];
	size_t		 n = 0;

	while (v >= 0x80) {
		c[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	c[n++] = (unsigned char)v;
	buf_append(b, c, n);
}

void
postcode_put_b64(struct buf *b, uint32_t v)
{
	while (v >= 32) {
		buf_putc(b, postcode_b64[32 | (v & 31)]);
		v >>= 5;
	}
	buf_putc(b, postcode_b64[v]);
}

/* A base64url digit's value, -1 for another byte. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* The number at *p before end, in form; *p moves past it.  0 when it
 * does not decode. */
static int
get_number(const unsigned char **p, const unsigned char *end,
    enum postcode_form form, uint32_t *v)
{
	int	 shift, d, bits = form == POSTCODE_B64 ? 5 : 7;

	*v = 0;
	for (shift = 0; *p < end && shift < 32; shift += bits) {
		if (form == POSTCODE_B64) {
			if ((d = b64_value(**p)) == -1)
				return 0;
		} else
			d = **p;
		(*p)++;
		*v |= (uint32_t)(d & ((1 << bits) - 1)) << shift;
		if (!(d >> bits))
			return 1;
	}
	return 0;
}

/* Skips the impact digit or rank byte at *p; 0 when there is none. */
static int
skip_impact(const unsigned char **p, const unsigned char *end,
    enum postcode_form form)
{
	if (*p >= end || (form == POSTCODE_B64 && b64_value(**p) == -1))
		return 0;
	(*p)++;
	return 1;
}

int
postcode_regap(const uint32_t *moved, uint32_t nplaces, uint32_t settled,
    const unsigned char *in, size_t len, enum postcode_form form,
    struct buf *out, int *same)
{
	const unsigned char *p = in, *end = in + len, *run = in, *code;
	uint32_t	 v, s, gap, old = UINT32_MAX, now = UINT32_MAX, to;

	*same = 1;
	while (p < end) {
		code = p;
		if (!get_number(&p, end, form, &v))
			return 0;
		if ((gap = v >> 1) != 0) {
			old += gap;	/* the first from -1 */
			if (old >= nplaces || (to = moved[old]) == UINT32_MAX ||
			    (now != UINT32_MAX && to <= now))
				return 0;
			if (to - now != gap) {
				/* The bytes so far as they lie, then this
				 * posting's first number again. */
				buf_append(out, run, (size_t)(code - run));
				v = 2 * (to - now) + (v & 1);
				if (form == POSTCODE_B64)
					postcode_put_b64(out, v);
				else
					postcode_put_varint(out, v);
				run = p;
				*same = 0;
			}
			now = to;
		}
		if (((v & 1) && !get_number(&p, end, form, &s)) ||
		    !skip_impact(&p, end, form))
			return 0;
		if (old != UINT32_MAX && old >= settled)
			break;	/* every gap after it stays */
	}
	buf_append(out, run, (size_t)(end - run));
	return 1;
}

int
postcode_entry_postings(const char *entry, size_t len, size_t *from,
    size_t *to)
{
	size_t	 i;

	if (len < 2 || entry[0] != '[' || entry[1] != '"')
		return 0;
	for (i = 2; i < len && entry[i] != '"'; i++)
		if (entry[i] == '\\')
			i++;		/* an escaped byte, maybe a quote */
	if (++i >= len || entry[i++] != ',')
		return 0;
	while (i < len && entry[i] >= '0' && entry[i] <= '9')
		i++;
	if (i + 1 >= len || entry[i] != ',' || entry[i + 1] != '"')
		return 0;
	*from = i += 2;
	while (i < len && entry[i] != '"')
		i++;
	if (i >= len)
		return 0;
	*to = i;
	return 1;
}
