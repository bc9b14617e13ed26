#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "diag.h"
#include "links.h"
#include "markdown.h"
#include "pagedata.h"
#include "parallel.h"
#include "render.h"
#include "xalloc.h"

struct worker {
	const struct render_env *env;
	struct tpl_worker *tpl;
	struct link_ctx	 links;
	struct page	**pages;	/* the phase's pages */
	size_t		 npages;
	atomic_size_t	*next;		/* shared: the next page to take */
	int		 ok;
	struct buf	 out;
	struct search_worker *search;	/* this thread's part of the index */
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remembers the page's heading ids, sorted, for anchor checks. */
static void
keep_anchors(struct page *p, const struct md_doc *doc)
{
	size_t	 i;

	p->anchors = xcalloc(doc->nheadings ? doc->nheadings : 1,
	    sizeof(*p->anchors));
	for (i = 0; i < doc->nheadings; i++)
		p->anchors[i] = xstrdup(doc->headings[i].id);
	p->nanchors = doc->nheadings;
	xqsort(p->anchors, p->nanchors, sizeof(*p->anchors), cmp_str);
}

/* List pages show the whole answer or entry, so their HTML is kept. */
static int
keeps_html(const struct page *p)
{
	return p->is_intro || p->kind == KIND_FAQ || p->kind == KIND_CHANGELOG;
}

/* md_render of p's body with its links checked; 0 when a link was broken
 * or the body could not be read (reported). */
static int
render_body(struct worker *w, struct page *p, struct md_doc *doc)
{
	const char	*body;
	size_t		 len;

	if ((body = page_body(p, &len)) == NULL) {
		doc->html = xstrdup("");
		return 0;
	}
	return md_render(p->file, body, len, p->body_line, links_resolve,
	    &w->links, doc);
}

static int
render_page(struct worker *w, struct page *p)
{
	const struct render_env *env = w->env;
	struct md_doc	 doc;
	json_t		*data;
	uint64_t	 key;
	int		 ok = 1, have_doc = 0;

	memset(&doc, 0, sizeof(doc));
	if (p->source != NULL) {
		w->links.page = p;
		w->links.doc = &doc;
		if (env->mdcache != NULL)	/* the same doc (mdcache.h) */
			ok = mdcache_render(env->mdcache, p, &w->links, &doc);
		else
			ok = render_body(w, p, &doc);
		have_doc = 1;
		keep_anchors(p, &doc);
		if (w->search != NULL)
			search_add(w->search, p, &doc);
		if (keeps_html(p))
			p->html = xstrdup(doc.html);
	}
	/* A theme without a portal page's template has no such page
	 * (themes written before the portal keep building). */
	if (p->kind == KIND_PORTAL &&
	    !tpl_set_has(env->templates, pagedata_template(p))) {
		p->skipped = 1;
		p->rendered = 1;
		return 1;
	}
	if (!p->is_intro) {
		data = pagedata_page(env->site, p, have_doc ? &doc : NULL);
		key = env->out->cache == NULL ? 0 : cache_page_key(
		    env->out->cache, pagedata_template(p), data);
		buf_reset(&w->out);
		if (key != 0 && cache_keep(env->out->cache, p->out, key))
			;	/* the same inputs as last time (cache.h) */
		else if (!tpl_render(w->tpl, pagedata_template(p), data,
		    &w->out))
			ok = 0;
		else if (!out_write_keyed(env->out, p->out, w->out.data,
		    w->out.len, key))
			ok = 0;
		json_decref(data);
	}
	if (have_doc)
		md_doc_free(&doc);
	p->rendered = 1;
	return ok;
}

static void *
work(void *arg)
{
	struct worker	*w = arg;
	size_t		 i;

	while ((i = atomic_fetch_add(w->next, 1)) < w->npages)
		if (!render_page(w, w->pages[i]))
			w->ok = 0;
	return NULL;
}

/* Runs one phase: pages[0..n-1] over all workers. */
static int
run_phase(struct worker *ws, int nw, struct page **pages, size_t n)
{
	atomic_size_t	 next = 0;
	int		 i, ok = 1, want = nw;

	for (i = 0; i < nw; i++) {
		ws[i].pages = pages;
		ws[i].npages = n;
		ws[i].next = &next;
	}
	if ((nw = parallel_run(nw, work, ws, sizeof(*ws))) < want)
		diag_error(NULL, 0, 0, "cannot start a worker thread");
	for (i = 0; i < nw; i++)
		if (!ws[i].ok)
			ok = 0;
	return ok;
}

int
render_site(const struct render_env *env)
{
	struct site	*s = env->site;
	struct worker	*ws;
	struct page	**first, **second;
	size_t		 i, n1 = 0, n2 = 0;
	int		 nw = env->threads < 1 ? 1 : env->threads, k, ok = 1;
	int		 nalloc = nw;

	first = xcalloc(s->npages, sizeof(*first));
	second = xcalloc(s->npages, sizeof(*second));
	for (i = 0; i < s->npages; i++) {
		if (s->pages[i]->source != NULL)
			first[n1++] = s->pages[i];
		else
			second[n2++] = s->pages[i];
	}
	/* Workers are made here, one at a time: converting the site data to
	 * Lua reads shared JSON, and that is only safe without writers. */
	ws = xcalloc((size_t)nw, sizeof(*ws));
	for (k = 0; k < nw; k++) {
		ws[k].env = env;
		ws[k].ok = 1;
		ws[k].links.site = s;
		ws[k].links.warn_only = env->warn_links;
		if (env->search != NULL)
			ws[k].search = search_worker_new(env->search);
		if ((ws[k].tpl = tpl_worker_new(env->templates,
		    env->site_json)) == NULL) {
			ok = 0;
			nw = k;
			break;
		}
	}
	if (nw > 0 && !run_phase(ws, nw, first, n1))
		ok = 0;
	if (nw > 0 && !run_phase(ws, nw, second, n2))
		ok = 0;
	for (k = 0; k < nw; k++) {
		if (!links_check_anchors(&ws[k].links))
			ok = 0;
		tpl_worker_free(ws[k].tpl);
		buf_free(&ws[k].out);
	}
	for (k = 0; k < nalloc; k++)
		search_worker_free(ws[k].search);
	free(ws);
	free(first);
	free(second);
	return ok;
}
