#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

void
buf_grow(struct buf *b, size_t extra)
{
	size_t	 want = b->len + extra + 1;

	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
	b->data[b->len] = '\0';	/* a grown empty buffer is "" too */
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_take(struct buf *b)
{
	char	*s = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_put_html(struct buf *b, const char *s, size_t len)
{
	size_t	 i, run = 0;
	const char *ent;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s + run, i - run);
		buf_puts(b, ent);
		run = i + 1;
	}
	buf_append(b, s + run, len - run);
}

void
buf_put_json(struct buf *b, const char *s)
{
	size_t	 i, run = 0;
	const char *esc;
	unsigned char c;

	/* Most strings need no escape: one copy, quotes and all (the
	 * catalog writes five for each of 10,000 pages on every edit that
	 * changes a title). */
	for (i = 0; (c = (unsigned char)s[i]) >= 0x20 && c != '"' &&
	    c != '\\'; i++)
		;
	if (c == '\0') {
		buf_grow(b, i + 2);
		b->data[b->len] = '"';
		memcpy(b->data + b->len + 1, s, i);
		b->data[b->len + 1 + i] = '"';
		b->len += i + 2;
		b->data[b->len] = '\0';
		return;
	}
	/* The bytes before i need none: the loop copies them with the
	 * first run. */
	buf_putc(b, '"');
	for (; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			buf_printf(b, "\\u%04X", c);
			continue;
		}
		buf_puts(b, esc);
	}
	buf_append(b, s + run, i - run);
	buf_putc(b, '"');
}
