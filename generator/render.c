#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "diag.h"
#include "links.h"
#include "markdown.h"
#include "pagedata.h"
#include "parallel.h"
#include "phases.h"
#include "render.h"
#include "xalloc.h"

struct worker;
/* What a phase does with one page; 0 when it failed (reported). */
typedef int	 step_fn(struct worker *, struct page *);

/* The pages' memos (pagememo.h), shared by the workers. */
struct memo_round {
	struct memo_hit	*hits;		/* by page index */
	unsigned char	*known;		/* by page index: hits[i] is set */
	uint64_t	 anchors;	/* pagememo_anchors, between rounds */
	struct memo_blob *links;	/* by page index: what its links
					   name, from its memo or made */
	struct memo_blob *deps;		/* by page index: what it showed of
					   other pages, from its memo or made */
	struct buf	*links_made;	/* by page index: links a render
					   made */
	struct buf	*deps_made;	/* by page index: deps a render made */
	size_t		 npages;
	atomic_int	 refs;		/* render_site's, and the memo table's
					   while it is written (pagememo_end) */
};

static void	 memo_round_release(void *);

/* The workers' template states are made when first needed, one at a
 * time: converting the site data to Lua reads shared JSON. */
struct lua_making {
	pthread_mutex_t	 lock;
	int		 failed;	/* reported once; no more tries */
};

/* The list entries' HTML, made by the first worker that needs it while
 * the others wait (render_entries_html). */
struct entries_making {
	pthread_mutex_t	 lock;
	int		 done, ok;
};

struct worker {
	const struct render_env *env;
	step_fn		*step;
	struct memo_round *memo;
	struct lua_making *making;
	struct entries_making *entries;
	struct tpl_worker *tpl;		/* NULL until a page needs it */
	struct link_ctx	 links;
	struct page	**pages;	/* the phase's pages */
	size_t		 npages;
	atomic_size_t	*next;		/* shared: the next page to take */
	size_t		 block;		/* taken at a time (parallel.h) */
	int		 ok;
	struct buf	 out;
	struct page_reads reads;	/* the pages its data showed */
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
	char	**v;
	size_t	 i;

	v = xcalloc(doc->nheadings ? doc->nheadings : 1, sizeof(*v));
	for (i = 0; i < doc->nheadings; i++)
		v[i] = xstrdup(doc->headings[i].id);
	xqsort(v, doc->nheadings, sizeof(*v), cmp_str);
	page_set_anchors(p, v, doc->nheadings);
}

/* What p's links named (the render left it in links after the first
 * refs_from links to headings and targets_from targets), for p's memo. */
static void
keep_links(struct memo_round *r, const struct page *p,
    const struct link_ctx *links, size_t refs_from, size_t targets_from)
{
	struct buf	*b = &r->links_made[p->index];

	buf_reset(b);
	pagememo_links_of(links, refs_from, targets_from, b);
	r->links[p->index] = (struct memo_blob){ b->data, b->len, 0 };
}

/* What p's render showed of the other pages, for its memo: what its data
 * showed (w->reads) and what its template read of the docs tree, if it
 * ran (known: what it read is known, as it ran or there is none). */
static void
keep_deps(struct worker *w, const struct page *p, int tpl_ran, int known)
{
	struct memo_round *r = w->memo;
	struct buf	*b = &r->deps_made[p->index];
	const json_int_t *ids = NULL;
	size_t		 n = 0;

	if (tpl_ran)
		ids = tpl_reads(w->tpl, &n);
	buf_reset(b);
	pagememo_deps_of(w->env->memo, &w->reads, ids, n, known, b);
	r->deps[p->index] = (struct memo_blob){ b->data, b->len, 0 };
}

/* md_render of p's body with its links checked; 0 when a link was broken
 * or the body could not be read (reported). */
static int
render_body(struct link_ctx *links, struct page *p, struct md_doc *doc)
{
	const char	*body;
	size_t		 len;

	if ((body = page_body(p, &len)) == NULL) {
		doc->html = xstrdup("");
		return 0;
	}
	return md_render(p->file, body, len, p->body_line, links_resolve,
	    links, doc);
}

/* p's markdown as a doc, its links resolved in links: the markdown
 * cache's (the same doc, mdcache.h) when there is one. */
static int
render_markdown(const struct render_env *env, struct link_ctx *links,
    struct page *p, struct md_doc *doc)
{
	links->page = p;
	links->doc = doc;
	if (env->mdcache != NULL)
		return mdcache_render(env->mdcache, p, links, doc);
	return render_body(links, p, doc);
}

/* The worker's template state, made now if it is the first page this
 * worker runs templates for (a build that reuses every page runs none:
 * making the Lua states was 6% of such a build at 10,000 pages); NULL
 * when it cannot be made (reported once). */
static struct tpl_worker *
templates(struct worker *w)
{
	if (w->tpl != NULL)
		return w->tpl;
	pthread_mutex_lock(&w->making->lock);
	if (!w->making->failed &&
	    (w->tpl = tpl_worker_new(w->env->templates,
	    w->env->site_json, pagedata_expand, w->env->site)) == NULL)
		w->making->failed = 1;
	pthread_mutex_unlock(&w->making->lock);
	return w->tpl;
}

static int
render_page(struct worker *w, struct page *p)
{
	const struct render_env *env = w->env;
	struct md_doc	 doc;
	json_t		*data;
	uint64_t	 key;
	int		 ok = 1, have_doc = 0, tpl_ran = 0;
	int		 memo = w->memo != NULL;
	size_t		 refs = w->links.nrefs, targets = w->links.ntargets;

	memset(&doc, 0, sizeof(doc));
	w->reads.n = 0;
	if (p->source != NULL) {
		ok = render_markdown(env, &w->links, p, &doc);
		have_doc = 1;
		keep_anchors(p, &doc);
		if (w->search != NULL)
			search_add(w->search, p, &doc);
		if (model_shown_whole(p))
			p->html = p->html_buf = xstrdup(doc.html);
	}
	/* A theme without a portal page's template has no such page
	 * (themes written before the portal keep building). */
	if (p->kind == KIND_PORTAL &&
	    !tpl_set_has(env->templates, pagedata_template(p))) {
		p->skipped = 1;
		p->rendered = 1;
		return 1;
	}
	if (memo)	/* a generated page's are none */
		keep_links(w->memo, p, &w->links, refs, targets);
	links_forget_targets(&w->links, targets);
	if (!p->is_intro) {
		data = pagedata_page(env->site, p, have_doc ? &doc : NULL,
		    memo ? &w->reads : NULL);
		key = env->out->cache == NULL ? 0 : cache_page_key(
		    env->out->cache, pagedata_template(p), data);
		buf_reset(&w->out);
		p->render_key = key;
		/* Not when the same inputs gave the folder's file (cache.h). */
		if (key == 0 || !cache_keep(env->out->cache, p->out, key)) {
			tpl_ran = templates(w) != NULL;
			ok = tpl_ran && tpl_render(w->tpl, pagedata_template(p),
			    data, &w->out) && out_write_keyed(env->out, p->out,
			    w->out.data, w->out.len, key);
		}
		json_decref(data);
	}
	if (memo)	/* an intro runs no template: it reads nothing */
		keep_deps(w, p, tpl_ran, tpl_ran || p->is_intro);
	if (have_doc)
		md_doc_free(&doc);
	p->rendered = 1;
	return ok;
}

static void *
work(void *arg)
{
	struct worker	*w = arg;
	size_t		 i, end;

	while (parallel_take(w->next, w->npages, w->block, &i, &end))
		for (; i < end; i++)
			if (!w->step(w, w->pages[i]))
				w->ok = 0;
	return NULL;
}

/* The first memo round: p's anchors from its memo, or p rendered. */
static int
recall_or_render(struct worker *w, struct page *p)
{
	struct memo_round *r = w->memo;

	if (pagememo_get(w->env->memo, p, &r->hits[p->index])) {
		r->known[p->index] = 1;
		r->links[p->index] = r->hits[p->index].links;
		r->deps[p->index] = r->hits[p->index].deps;
		return 1;
	}
	return render_page(w, p);
}

/* What rendering p would do, taken from its memo; 0 when that cannot be
 * (a heading its links name is gone, the output file is not the one
 * recorded).
 * A page a list shows whole gets its HTML only if a list is made
 * (render_entries_html). */
static int
reuse(struct worker *w, struct page *p, const struct memo_hit *hit)
{
	const struct render_env *env = w->env;

	if (hit->anchors != w->memo->anchors &&
	    !pagememo_refs_hold(env->memo, hit))
		return 0;
	if (!p->is_intro && !cache_keep(env->out->cache, p->out,
	    hit->render_key))
		return 0;
	if (w->search != NULL)
		search_add(w->search, p, NULL);
	if (env->mdcache != NULL)
		mdcache_keep(env->mdcache, p);
	p->render_key = hit->render_key;
	p->rendered = 1;
	return 1;
}

/* The second memo round, for the pages the first one recalled. */
static int
reuse_or_render(struct worker *w, struct page *p)
{
	if (reuse(w, p, &w->memo->hits[p->index]))
		return 1;
	w->memo->known[p->index] = 0;	/* rendered: a new memo */
	return render_page(w, p);
}

/* The list entries' HTML before the first generated page renders: any of
 * them may show entries, and each reads the HTML to make its data. */
static int
entries_ready(struct worker *w)
{
	struct entries_making *e = w->entries;
	int		 ok;

	pthread_mutex_lock(&e->lock);
	if (!e->done) {
		e->ok = render_entries_html(w->env);
		e->done = 1;
	}
	ok = e->ok;
	pthread_mutex_unlock(&e->lock);
	return ok;
}

/* 1 when generated page p's data holds list entries' HTML (pagedata.c:
 * the FAQ's answers, the changelog's entries); rendering any other waits
 * for none (a title edit renders a tag page or two: making every
 * entry's HTML first was most of that). */
static int
shows_entries(const struct page *p)
{
	return p->kind == KIND_FAQ_LIST || p->kind == KIND_FAQ_CATEGORY ||
	    p->kind == KIND_CHANGELOG_LIST;
}

/* A generated page: kept when its memo applies and the folder holds the
 * file it recorded, else rendered (its new memo kept by
 * render_generated). */
static int
keep_or_render(struct worker *w, struct page *p)
{
	struct memo_round *r = w->memo;
	struct memo_hit	*hit;

	if (r != NULL) {
		hit = &r->hits[p->index];
		if (pagememo_get_generated(w->env->memo, p, hit) &&
		    cache_keep(w->env->out->cache, p->out, hit->render_key)) {
			pagememo_kept(w->env->memo);
			r->known[p->index] = 1;
			p->render_key = hit->render_key;
			p->rendered = 1;
			return 1;
		}
	}
	return (!shows_entries(p) || entries_ready(w)) && render_page(w, p);
}

/* Runs one phase: pages[0..n-1] over all workers, step for each. */
static int
run_phase(struct worker *ws, int nw, step_fn *step, struct page **pages,
    size_t n)
{
	atomic_size_t	 next = 0;
	int		 i, ok = 1, want = nw;

	for (i = 0; i < nw; i++) {
		ws[i].step = step;
		ws[i].pages = pages;
		ws[i].npages = n;
		ws[i].next = &next;
		ws[i].block = parallel_block(n, nw);
	}
	if ((nw = parallel_run(nw, work, ws, sizeof(*ws))) < want)
		diag_error(NULL, 0, 0, "cannot start a worker thread");
	for (i = 0; i < nw; i++)
		if (!ws[i].ok)
			ok = 0;
	return ok;
}

/* The markdown pages: with a memo (in r) in two rounds (render.h), then
 * the memos of the pages rendered kept for the next build, and the
 * derived key of the feeds begun (pagememo.h). */
static int
render_sources(const struct render_env *env, struct worker *ws, int nw,
    struct page **pages, size_t n, struct memo_round *r)
{
	struct page	**known;
	size_t		 i, nknown = 0;
	int		 ok;

	if (r == NULL)
		return run_phase(ws, nw, render_page, pages, n);
	ok = run_phase(ws, nw, recall_or_render, pages, n);
	known = xcalloc(n ? n : 1, sizeof(*known));
	for (i = 0; i < n; i++)
		if (r->known[pages[i]->index])
			known[nknown++] = pages[i];
	r->anchors = pagememo_anchors(env->site);
	if (!run_phase(ws, nw, reuse_or_render, known, nknown))
		ok = 0;
	for (i = 0; ok && i < n; i++)
		if (r->known[pages[i]->index])
			pagememo_reused(env->memo);
		else
			pagememo_put(env->memo, pages[i], r->anchors,
			    &r->links[pages[i]->index],
			    &r->deps[pages[i]->index]);
	if (ok) {
		r->refs++;
		pagememo_end(env->memo, pages, n, r->anchors, r->links,
		    r->deps, memo_round_release, r);
	}
	/* Rendering changes no page's ids (they come from its body). */
	pagememo_begin_derived(env->memo, env->site, r->anchors);
	free(known);
	return ok;
}

/* The generated pages, with their memos (in r) when there are. */
static int
render_generated(const struct render_env *env, struct worker *ws, int nw,
    struct page **pages, size_t n, struct memo_round *r)
{
	struct page	*p;
	size_t		 i;

	if (!run_phase(ws, nw, keep_or_render, pages, n))
		return 0;
	for (i = 0; r != NULL && i < n; i++) {
		p = pages[i];
		if (!r->known[p->index] && p->render_key != 0 && !p->skipped)
			pagememo_put_generated(env->memo, p,
			    &r->links[p->index], &r->deps[p->index]);
	}
	return 1;
}

static struct memo_round *
memo_round_new(size_t npages)
{
	struct memo_round *r = xcalloc(1, sizeof(*r));

	r->npages = npages;
	r->refs = 1;
	r->hits = xcalloc(npages, sizeof(*r->hits));
	r->known = xcalloc(npages, 1);
	r->links = xcalloc(npages, sizeof(*r->links));
	r->links_made = xcalloc(npages, sizeof(*r->links_made));
	r->deps = xcalloc(npages, sizeof(*r->deps));
	r->deps_made = xcalloc(npages, sizeof(*r->deps_made));
	return r;
}

/* Drops a reference to r (void * for pagememo_end), freeing it with the
 * last. */
static void
memo_round_release(void *arg)
{
	struct memo_round *r = arg;
	size_t	 i;

	if (r == NULL || --r->refs > 0)
		return;
	for (i = 0; i < r->npages; i++) {
		buf_free(&r->links_made[i]);
		buf_free(&r->deps_made[i]);
	}
	free(r->links_made);
	free(r->deps_made);
	free(r->deps);
	free(r->links);
	free(r->known);
	free(r->hits);
	free(r);
}

int
render_entries_html(const struct render_env *env)
{
	struct link_ctx	 links;
	struct md_doc	 doc;
	struct page	*p;
	size_t		 i;
	int		 ok = 1;

	memset(&links, 0, sizeof(links));
	links.site = env->site;
	links.warn_only = env->warn_links;
	for (i = 0; i < env->site->npages; i++) {
		p = env->site->pages[i];
		if (p->source == NULL || p->html != NULL ||
		    !model_shown_whole(p))
			continue;
		/* The pack outlives the site. */
		if (env->memo != NULL &&
		    (p->html = pagememo_html(env->memo, p)) != NULL)
			continue;
		memset(&doc, 0, sizeof(doc));
		if (render_markdown(env, &links, p, &doc))
			p->html = p->html_buf = xstrdup(doc.html);
		else
			ok = 0;
		md_doc_free(&doc);
	}
	return links_check_anchors(&links) && ok;
}

int
render_site(const struct render_env *env)
{
	struct site	*s = env->site;
	struct worker	*ws;
	struct page	**first, **second;
	size_t		 i, n1 = 0, n2 = 0;
	struct lua_making making;
	struct entries_making entries;
	struct memo_round *round = NULL;
	int		 nw = env->threads < 1 ? 1 : env->threads, k, ok = 1;

	first = xcalloc(s->npages, sizeof(*first));
	second = xcalloc(s->npages, sizeof(*second));
	for (i = 0; i < s->npages; i++) {
		if (s->pages[i]->source != NULL)
			first[n1++] = s->pages[i];
		else
			second[n2++] = s->pages[i];
	}
	pthread_mutex_init(&making.lock, NULL);
	making.failed = 0;
	pthread_mutex_init(&entries.lock, NULL);
	entries.done = 0;
	ws = xcalloc((size_t)nw, sizeof(*ws));
	for (k = 0; k < nw; k++) {
		ws[k].env = env;
		ws[k].ok = 1;
		ws[k].making = &making;
		ws[k].entries = &entries;
		ws[k].links.site = s;
		ws[k].links.warn_only = env->warn_links;
		if (env->search != NULL)
			ws[k].search = search_worker_new(env->search);
	}
	if (env->memo != NULL)
		round = memo_round_new(s->npages);
	for (k = 0; k < nw; k++)
		ws[k].memo = round;
	if (!render_sources(env, ws, nw, first, n1, round))
		ok = 0;
	phase_end("render");
	if (!render_generated(env, ws, nw, second, n2, round))
		ok = 0;
	memo_round_release(round);
	for (k = 0; k < nw; k++) {
		if (!links_check_anchors(&ws[k].links))
			ok = 0;
		tpl_worker_free(ws[k].tpl);
		buf_free(&ws[k].out);
		free(ws[k].reads.v);
	}
	for (k = 0; k < nw; k++)
		search_worker_free(ws[k].search);
	pthread_mutex_destroy(&making.lock);
	pthread_mutex_destroy(&entries.lock);
	free(ws);
	free(first);
	free(second);
	return ok;
}
