#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "cache.h"
#include "diag.h"
#include "feeds.h"
#include "markdown.h"
#include "mdcache.h"
#include "model.h"
#include "output.h"
#include "pack.h"
#include "pagememo.h"
#include "pagedata.h"
#include "parallel.h"
#include "phases.h"
#include "render.h"
#include "search.h"
#include "sitemap.h"
#include "spare.h"
#include "template.h"
#include "theme.h"
#include "votes.h"
#include "walk.h"
#include "xalloc.h"

static int
cores(void)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The threads a build runs on: --threads, else one per core. */
static int
build_threads(const struct build_opts *opt)
{
	return opt->threads > 0 ? opt->threads : cores();
}

/* Copies the content's static and other non-markdown files. */
static int
copy_files(const struct site *s, const struct out_dir *o)
{
	size_t	 i;
	int	 ok = 1;

	for (i = 0; i < s->ncopies; i++)
		if (!out_copy(o, s->copies[i].src, s->copies[i].out))
			ok = 0;
	return ok;
}

/* The sitemap, robots.txt, the feed and the catalog; with a memo, each
 * is kept when the folder holds the one made from the same model and
 * list entries (pagememo.h), and made with the entries' HTML otherwise. */
static int
write_feeds(const struct render_env *env)
{
	const struct out_dir *o = env->out;
	uint64_t	 key, in;
	size_t		 i;
	int		 ok, entries = 0;

	ok = sitemap_write(env->site, o, env->memo);
	for (i = 0; i < nfeeds; i++) {
		key = 0;
		if (env->memo != NULL) {
			in = feeds[i].inputs != NULL ?
			    feeds[i].inputs(env->site) : 0;
			key = pagememo_derived_key(env->memo, feeds[i].name,
			    feeds[i].inputs != NULL ? &in : NULL);
		}
		if (key != 0 && cache_keep(o->cache, feeds[i].name, key)) {
			pagememo_kept(env->memo);
			continue;
		}
		if (!entries && !(entries = render_entries_html(env)))
			return 0;
		ok &= feeds[i].write(env->site, o, key);
	}
	return ok;
}

/* The copied files and the feeds, made beside the search index's finish
 * (files_begin). */
struct files_job {
	const struct render_env *env;
	int		 with_feeds;	/* the render went well */
	int		 ok;
	struct task	 task;
};

static void *
files_run(void *arg)
{
	struct files_job *j = arg;

	j->ok = copy_files(j->env->site, j->env->out);
	if (j->with_feeds)
		j->ok &= write_feeds(j->env);
	return NULL;
}

/*
 * Starts the copied files and the feeds on a thread of their own while
 * the search index finishes on the caller's (one thread: its merge and
 * files): they read the model, the pages' HTML and the pack, which the
 * finish does not change, and write other files.  The catalog alone took
 * 80 ms of a title edit at 10,000 pages, one after the other.
 */
static void
files_begin(struct files_job *j, const struct render_env *env,
    int with_feeds)
{
	memset(j, 0, sizeof(*j));
	j->env = env;
	j->with_feeds = with_feeds;
	parallel_begin(&j->task, files_run, j);
}

static int
files_end(struct files_job *j)
{
	parallel_end(&j->task);
	return j->ok;
}

/* The search index's start (search_new), made beside the templates. */
struct search_start {
	struct site	*site;
	const struct out_dir *out;
	struct pack	*pack;
	int		 threads;
	struct search_index *idx;
	struct task	 task;
};

static void *
search_start_run(void *arg)
{
	struct search_start *st = arg;

	st->idx = search_new(st->site, st->out, st->pack, st->threads);
	return NULL;
}

/*
 * Starts the search index on a thread of its own: reading the kept
 * index, or finding and checking the last build's partials (20 ms at
 * 10,000 pages), reads the model and the pack only, as do the templates,
 * the site data and the memos made meanwhile.  porch check writes
 * nothing, so it skips the index.
 */
static void
search_begin(struct search_start *st, struct site *s, const struct out_dir *o,
    struct pack *pk, int threads)
{
	memset(st, 0, sizeof(*st));
	st->site = s;
	st->out = o;
	st->pack = pk;
	st->threads = threads;
	if (!o->dry)
		parallel_begin(&st->task, search_start_run, st);
}

static struct search_index *
search_wait(struct search_start *st)
{
	parallel_end(&st->task);
	return st->idx;
}

/*
 * What a build that ends the process leaves allocated: the system takes
 * it back at exit at once, where free() goes block by block (the model of
 * 10,000 pages takes 17 ms to free, a tenth of a build that changed
 * nothing).  Pointed to from here, it stays reachable for leak checkers
 * (not static: the compiler could drop the stores to a static that is
 * never read).
 */
struct left_at_exit {
	struct site	 site;
	struct theme	 theme;
	struct md_cache	*mdc;
	struct out_cache *cache;
	json_t		*site_json;	/* 3 ms of frees at 10,000 pages */
};
extern struct left_at_exit build_left_at_exit;
struct left_at_exit build_left_at_exit;

/* Renders and writes everything into o, with earlier builds' results
 * from pk when not NULL (markdown through mdc); 1 if nothing failed. */
static int
produce(struct site *s, const struct theme *t, const struct build_opts *opt,
    struct out_dir *o, struct pack *pk, struct md_cache *mdc)
{
	struct tpl_set	*templates;
	struct render_env env;
	struct search_start search;
	struct files_job files;
	json_t		*assets, *site_json;
	struct pagedata_deferred deferred;
	int		 ok, threads = build_threads(opt);

	search_begin(&search, s, o, pk, threads);
	templates = tpl_set_load((const char *const *)t->template_dirs,
	    t->ntemplate_dirs);
	assets = templates == NULL ? NULL :
	    theme_publish_assets(t, o, s->cfg.base_path);
	if (assets == NULL) {
		search_free(search_wait(&search));
		tpl_set_free(templates);
		return 0;
	}
	site_json = pagedata_site(s, assets);
	phase_end("templates");
	pagedata_deferred(s, &deferred);
	if (o->cache != NULL)
		cache_set_base(o->cache, t->template_dirs, t->ntemplate_dirs,
		    site_json, deferred.all);
	memset(&env, 0, sizeof(env));
	env.site = s;
	env.templates = templates;
	env.site_json = site_json;
	env.out = o;
	env.threads = threads;
	env.warn_links = opt->warn_links || s->cfg.warn_links;
	env.mdcache = mdc;
	/* Broken links only warned about must be warned about again. */
	if (pk != NULL && o->cache != NULL && !env.warn_links)
		env.memo = pagememo_open(pk, s, cache_base_site(o->cache),
		    &deferred);
	phase_end("memos");
	env.search = search_wait(&search);
	phase_end("search_new");
	ok = render_site(&env);	/* phase "render": the markdown pages */
	phase_end("generated");
	if (env.memo != NULL && getenv("PORCH_CACHE_STATS") != NULL)
		pagememo_report(env.memo, stderr);
	files_begin(&files, &env, ok);
	if (env.search != NULL) {
		if (ok)
			ok &= search_finish(env.search);
		search_free(env.search);
		phase_end("search_finish");
	}
	ok &= files_end(&files);
	phase_end("files");	/* what was left of them */
	pagememo_free(env.memo);
	if (opt->exiting)
		build_left_at_exit.site_json = site_json;
	else
		json_decref(site_json);
	json_decref(assets);
	tpl_set_free(templates);
	return ok && diag_count(DIAG_ERROR) == 0;
}

/*
 * Puts the new site in place: file by file when the cache says the site
 * folder is the last build's (cache_commit), else by swapping folders.
 * The manifest goes first and comes back last, so a build killed in
 * between is followed by a full one.
 */
static int
commit(struct out_dir *o, struct out_cache *cache, int threads)
{
	char	*final = xstrdup(o->final);
	int	 ok;

	cache_invalidate(cache);
	if (cache_incremental(cache)) {
		ok = cache_commit(cache, o->tmp, o->final, threads);
		free(o->tmp);
		o->tmp = NULL;
		out_abort(o);
	} else
		ok = out_commit(o);
	if (ok)
		cache_save(cache, final);
	free(final);
	return ok;
}

/*
 * The pack of results cached by earlier builds (pack.h), beside the site
 * folder final, or NULL (the code could not be identified, the folder
 * cannot be made, another build holds it): then everything is computed.
 * --clean reads nothing from it but leaves a fresh one for the next build.
 */
static struct pack *
open_pack(const char *final, uint64_t code, int clean)
{
	char		*dir;
	struct pack	*pk;

	if (code == 0)
		return NULL;
	dir = cache_dir(final);
	pk = pack_open(dir, code, !clean);
	free(dir);
	return pk;
}

/* The output manifest (cache.h), loaded on a thread of its own while the
 * main one lists the content folder and reads the sources: neither needs
 * it, and it took 4-8 ms of a one-page edit at 10,000 pages.  The pack is
 * opened before, as the walk and the reading use it. */
struct manifest_opening {
	struct task	 task;
	const char	*final;
	int		 clean;
	uint64_t	 code;
	struct out_cache *cache;
};

static void *
open_manifest(void *arg)
{
	struct manifest_opening *mo = arg;

	mo->cache = cache_open(mo->final, mo->clean, mo->code);
	return NULL;
}

/* The counts of the pack and what used it, for PORCH_CACHE_STATS=1. */
static void
report_pack(const struct pack *pk, const struct md_cache *mdc, FILE *f)
{
	struct pack_stats st;

	pack_get_stats(pk, &st);
	mdcache_report(mdc, f);
	fprintf(f, "pack: %zu found, %zu missing, %zu damaged, %zu stored; "
	    "%.1f of %.1f MB live%s\n", st.hits, st.misses, st.damaged,
	    st.stored, (double)st.live_bytes / 1e6,
	    (double)st.file_bytes / 1e6, st.compacted ? ", compacted" : "");
}

/* What the spare files did, for PORCH_CACHE_STATS=1. */
static void
report_spares(const struct spares *sp, FILE *f)
{
	size_t	 reused, made, kept;

	if (sp == NULL)
		return;
	spares_counts(sp, &reused, &made, &kept);
	fprintf(f, "spare files: %zu written over, %zu made new; %zu kept "
	    "for the next build\n", reused, made, kept);
}

static size_t
count_written(const struct site *s)
{
	size_t	 i, n = 0;

	for (i = 0; i < s->npages; i++)
		if (!s->pages[i]->is_intro)
			n++;
	return n;
}

static void
free_all(struct site *site, struct theme *theme, struct md_cache *mdc,
    struct out_cache *cache, int exiting)
{
	if (exiting) {
		build_left_at_exit.site = *site;
		build_left_at_exit.theme = *theme;
		build_left_at_exit.mdc = mdc;
		build_left_at_exit.cache = cache;
		return;
	}
	theme_free(theme);
	model_free(site);
	mdcache_free(mdc);
	cache_free(cache);
}

int
build_run(const struct build_opts *opt)
{
	struct site	 site;
	struct theme	 theme;
	struct out_dir	 o;
	struct out_cache *cache = NULL;
	struct pack	*pk = NULL;
	struct md_cache	*mdc = NULL;
	struct manifest_opening mo;
	struct walk_list files;
	double		 start = phase_clock_ms();
	size_t		 nwritten, nkept;
	int		 ok = 0, listed, loaded;

	memset(&mo, 0, sizeof(mo));
	memset(&site, 0, sizeof(site));	/* freed even if never loaded */
	memset(&o, 0, sizeof(o));
	memset(&theme, 0, sizeof(theme));
	phase_start();
	md_init();
	/* The output folder first: the pack beside it serves the folder
	 * listings and the sources' front matter too.  Its gzip setting
	 * comes from site.lua. */
	if (opt->check_only)
		o.dry = 1;
	else if (!out_begin(&o, opt->out, opt->content, 0))
		goto out;
	else {
		mo.final = o.final;
		mo.clean = opt->clean;
		mo.code = cache_code_identity();
		if ((pk = open_pack(o.final, mo.code, opt->clean)) != NULL)
			mdc = mdcache_open(pk);
		parallel_begin(&mo.task, open_manifest, &mo);
	}
	phase_end("open");
	listed = model_begin(&site, opt->content, opt->drafts, pk, &files);
	phase_end("walk");
	loaded = listed && model_load(&site, &files, build_threads(opt), pk);
	parallel_end(&mo.task);	/* a no-op when none started (check) */
	cache = mo.cache;
	if (!loaded)
		goto out;
	phase_end("model");
	if (opt->votes != NULL && !votes_load(&site, opt->votes))
		goto out;
	if (!theme_find(&theme, opt->content, site.cfg.theme))
		goto out;
	if (!opt->check_only) {
		o.gzip = site.cfg.gzip;
		cache_set_gzip(cache, site.cfg.gzip);
		o.cache = cache;
	}
	ok = produce(&site, &theme, opt, &o, pk, mdc);
	if (!opt->check_only) {
		if (ok)
			ok = commit(&o, cache, build_threads(opt));
		else
			out_abort(&o);
		phase_end("commit");
		/* A pack that cannot be written costs the next build time,
		 * nothing else. */
		if (ok && pk != NULL)
			(void)pack_commit(pk);
		phase_end("pack_commit");
	}
out:
	diag_flush(opt->messages != NULL ? opt->messages : stderr);
	if (pk != NULL && getenv("PORCH_CACHE_STATS") != NULL)
		report_pack(pk, mdc, stderr);
	if (cache != NULL && getenv("PORCH_CACHE_STATS") != NULL)
		report_spares(cache_spares(cache), stderr);
	if (ok && !opt->quiet && cache != NULL && cache_incremental(cache)) {
		cache_counts(cache, &nwritten, &nkept);
		fprintf(stderr, "porch: built %zu pages in %.0f ms into %s "
		    "(incremental: %zu files written, %zu unchanged)\n",
		    count_written(&site), phase_clock_ms() - start, opt->out,
		    nwritten, nkept);
	} else if (ok && !opt->quiet)
		fprintf(stderr, "porch: %s %zu pages in %.0f ms%s%s\n",
		    opt->check_only ? "checked" : "built", count_written(&site),
		    phase_clock_ms() - start, opt->check_only ? "" : " into ",
		    opt->check_only ? "" : opt->out);
	else if (!ok)
		fprintf(stderr, "porch: %s failed; %s\n", opt->check_only ?
		    "check" : "build", opt->check_only ? "see the errors above" :
		    "the previous site is unchanged");
	if (o.tmp != NULL)
		out_abort(&o);
	pack_close(pk);
	free_all(&site, &theme, mdc, cache, opt->exiting);
	phase_end("close");
	phase_report(stderr);
	return ok;
}
