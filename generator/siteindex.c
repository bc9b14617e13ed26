/*
 * siteindex: see siteindex.h.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "model.h"
#include "siteindex.h"
#include "xalloc.h"

/* Puts p in the maps; reports a page whose output file another made. */
static void
index_page(struct site_index *x, struct page *p)
{
	struct site	*s = x->site;
	struct page	*other;

	if (p->source != NULL)
		strmap_put(&s->by_source, p->source, p);
	/* An introduction's URL is set by the main thread (its list's):
	 * is_intro first, fixed when the page was made. */
	if (p->is_intro || p->url == NULL)
		return;
	other = strmap_put(&x->outs, p->out, p);
	if (other != p) {
		diag_error(p->file ? p->file : other->file, 0, 0,
		    "duplicate URL %s: %s makes it too", p->url,
		    other->file ? other->file : "a generated page");
	} else
		strmap_put(&s->by_url, p->url, p);
}

static void *
index_read(void *arg)
{
	struct site_index *x = arg;
	size_t		 i;

	for (i = 0; i < x->n; i++)
		index_page(x, x->pages[i]);
	return NULL;
}

void
siteindex_begin(struct site_index *x, struct site *s)
{
	memset(x, 0, sizeof(*x));
	x->site = s;
	x->n = s->npages;
	/* A copy: model_load appends to s->pages meanwhile, which may move
	 * the array. */
	x->pages = xcalloc(x->n ? x->n : 1, sizeof(*x->pages));
	memcpy(x->pages, s->pages, x->n * sizeof(*x->pages));
	parallel_begin(&x->task, index_read, x);
}

void
siteindex_end(struct site_index *x)
{
	struct site	*s = x->site;
	size_t		 i;

	parallel_end(&x->task);
	for (i = x->n; i < s->npages; i++)
		index_page(x, s->pages[i]);
	for (i = 0; i < s->ncopies; i++)
		if (strmap_get(&x->outs, s->copies[i].out) != NULL ||
		    strmap_put(&x->outs, s->copies[i].out, s) != s)
			diag_error(s->copies[i].src, 0, 0, "duplicate output "
			    "file %s", s->copies[i].out);
	strmap_free(&x->outs);
	free(x->pages);
}
