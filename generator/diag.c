#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "xalloc.h"

struct diag_msg {
	char		*file;
	unsigned	 line, col;
	enum diag_level	 level;
	char		*text;	/* the whole formatted line */
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct diag_msg	*msgs;
static size_t		 nmsgs, capmsgs;
static size_t		 counts[2];

void
diag_report(enum diag_level level, const char *file, unsigned line,
    unsigned col, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);

	buf_puts(&b, file ? file : "porch");
	if (line)
		buf_printf(&b, ":%u", line);
	if (line && col)
		buf_printf(&b, ":%u", col);
	buf_printf(&b, ": %s: %s", level == DIAG_ERROR ? "error" : "warning",
	    msg);
	free(msg);

	pthread_mutex_lock(&lock);
	msgs = xreallocarray(msgs, nmsgs + 1, sizeof(*msgs), &capmsgs);
	msgs[nmsgs].file = xstrdup(file ? file : "");
	msgs[nmsgs].line = line;
	msgs[nmsgs].col = col;
	msgs[nmsgs].level = level;
	msgs[nmsgs].text = buf_take(&b);
	nmsgs++;
	counts[level]++;
	pthread_mutex_unlock(&lock);
}

size_t
diag_count(enum diag_level level)
{
	size_t	 n;

	pthread_mutex_lock(&lock);
	n = counts[level];
	pthread_mutex_unlock(&lock);
	return n;
}

static int
cmp_msg(const void *a, const void *b)
{
	const struct diag_msg *x = a, *y = b;
	int	 c;

	if ((c = strcmp(x->file, y->file)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* Sorts and joins the messages into b, then frees them; lock held. */
static void
drain(struct buf *b)
{
	size_t	 i;

	if (nmsgs > 0)
		xqsort(msgs, nmsgs, sizeof(*msgs), cmp_msg);
	for (i = 0; i < nmsgs; i++) {
		if (i == 0 || strcmp(msgs[i].text, msgs[i - 1].text) != 0) {
			buf_puts(b, msgs[i].text);
			buf_putc(b, '\n');
		}
	}
	for (i = 0; i < nmsgs; i++) {
		free(msgs[i].file);
		free(msgs[i].text);
	}
	free(msgs);
	msgs = NULL;
	nmsgs = capmsgs = 0;
	counts[0] = counts[1] = 0;
}

void
diag_flush(FILE *f)
{
	struct buf	 b = { 0 };

	pthread_mutex_lock(&lock);
	drain(&b);
	pthread_mutex_unlock(&lock);
	if (b.len)
		fputs(b.data, f);
	buf_free(&b);
}

char *
diag_take(void)
{
	struct buf	 b = { 0 };

	pthread_mutex_lock(&lock);
	drain(&b);
	pthread_mutex_unlock(&lock);
	return buf_take(&b);
}
