/*
 * template: the theme's templates, compiled to Lua functions once per build
 * and run in a sandbox (no io, no os, no require, no load; an instruction
 * budget per render so a runaway loop is an error, not a hang).
 *
 * Syntax:
 *   {{ expr }}     the value of a Lua expression, HTML-escaped (nil prints
 *                  nothing)
 *   {{{ expr }}}   the same, raw: for HTML the generator made (page.content)
 *   {% stmts %}    Lua statements: {% for _, p in ipairs(page.pages) do %}
 *                  ... {% end %}, {% if page.date then %} ... {% end %}
 *   {# text #}     a comment
 *   A '-' inside a tag ({{- x -}}, {%- s -%}) trims the white space
 *   (newlines included) on that side.
 *   A tag ends at the first closing delimiter outside a Lua string or
 *   comment ("{{ '}}' }}" works; write a table constructor ending in "}}"
 *   with a space: { {} }).  A "--" comment inside a tag ends at the end of
 *   its line or at the tag's end.  {{ x }}} is an error, not {{ x }} + "}".
 *   Names starting with "__" (__o, __n, __e, __r, __c) and _ENV are used
 *   by the compiled template: do not declare locals with them.
 *
 * Names: templates are found by their path under a templates/ folder,
 * e.g. "docs.html", "partials/sidebar.html", "layouts/base.html".  Several
 * folders may be given; the first one holding a name wins, so a site's own
 * themes/NAME/templates/ overrides the theme file by file.
 *
 * Inside a template:
 *   page, site          the data given to tpl_render (JSON values become
 *                       Lua tables: objects keyed by name, arrays 1-based)
 *   layout              the layout this template's output goes into,
 *                       default "layouts/base.html"; set it with
 *                       {% layout = "layouts/other.html" %} or false for none.
 *                       The layout sees the same globals plus `content`,
 *                       the inner output (write it with {{{ content }}})
 *   partial(name [, vars])  renders another template and returns its output
 *                       (raw: write it with {{{ }}}); vars are extra globals
 *   escape(s)           HTML-escaped string
 *   url(path)           site path ("/docs/x/") with the site's base path in
 *                       front (site.base_path, e.g. "/help/")
 *   abs_url(path)       the same, absolute: site.base_url joined with path
 *   asset(name)         URL of a theme asset by its plain name ("style.css"
 *                       -> "/assets/style.3f2a9c1b.css"), from site.assets;
 *                       an unknown name is an error
 *   date(s [, fmt])     formats a "YYYY-MM-DD" string; fmt is strftime-like
 *                       (%Y %m %d %B %b %e %j %%), default "%B %e, %Y" with the
 *                       double space squeezed -> "March 4, 2026" (%e is the
 *                       day without padding); anything else is an error
 *   markdown(s)         inline HTML of a short markdown string (raw)
 *   json(v)             v as compact JSON text (raw; "</" escaped for <script>);
 *                       keys 1..n make an array, string keys an object
 *                       with sorted keys; an empty table is {} unless it
 *                       came from a JSON []
 *   string, table, math (no random), utf8, pairs, ipairs, next, select,
 *   type, tostring, tonumber, error, assert, pcall
 *
 * url() and abs_url() leave a full URL ("https:...", "mailto:...", "//...")
 * as it is.  site and the libraries are read-only (writing is an error;
 * #, ipairs and pairs work on site's tables, next() does not); a page's
 * own globals and its page table are fresh for every render.
 *
 * Output must be the same on every build: pairs() has no fixed order and
 * tostring() of a table prints an address, so templates iterate arrays
 * with ipairs and sort keys (json() sorts them itself).
 *
 * Limits per render: 50 million Lua instructions ("template took too
 * long") and 512 MB per worker.  Time spent inside one C library call
 * (e.g. a pathological string.find pattern) is not counted.
 *
 * Errors name the template file and line: "themes/default/templates/x.html:
 * 12:5: unclosed '{{'" when compiling, "themes/default/templates/x.html:12:
 * attempt to index a nil value (field 'page')" when running.
 *
 * The only file, with sitelua.c, that includes Lua.
 */
#ifndef PORCH_TEMPLATE_H
#define PORCH_TEMPLATE_H

#include <jansson.h>

#include "buf.h"

struct tpl_set;		/* compiled templates; read-only once made, shared by threads */
struct tpl_worker;	/* one Lua state; one per thread */

/*
 * Compiles every *.html file under each of the dirs[0..ndirs-1] (each a
 * templates/ folder; missing folders are skipped), first folder winning on
 * a name.  Reports every compile error through diag and returns NULL if
 * there was any.  Paths in messages are the dirs as given joined with the
 * name.
 */
struct tpl_set	*tpl_set_load(const char *const *dirs, size_t ndirs);
void		 tpl_set_free(struct tpl_set *);
/* 1 if the set has a template of that name. */
int		 tpl_set_has(const struct tpl_set *, const char *name);

/*
 * Deferred site data: a part of site made only if a template reads it (a
 * page reads the top of the docs tree and its own branch).  Its place in
 * site holds tpl_deferred(id); the first time a worker's templates read
 * into it, the worker's expand(ctx, id) makes the value (an object or an
 * array, a new reference; NULL or another type reads as an empty table),
 * whose own places may be deferred in turn.  expand may run on several
 * workers' threads at once.
 */
typedef json_t	*tpl_expand_fn(void *ctx, json_int_t id);
json_t		*tpl_deferred(json_int_t id);
/*
 * The same, and each render that reads it (its fields, its pairs, a
 * helper given it) lists id among its reads (tpl_reads), once: what the
 * render showed of the site can then be known.  Its length (#) is a read
 * too (how many pages a list has is something a page shows of them).  A
 * tracked value's own
 * places may be deferred, tracked or not: the reads of a value reached
 * only through a tracked one need no tracking of their own.
 */
json_t		*tpl_deferred_tracked(json_int_t id);

/*
 * A worker with its own Lua state, the set's templates loaded, and site
 * (global `site`, read-only, each of its tables converted to Lua the first
 * time a template reads it) for every render, its deferred parts made by
 * expand (NULL: none).  site must outlive the worker and not change while
 * it lives; workers on several threads may read it at once.  Returns NULL
 * after reporting through diag if the state cannot be made.
 */
struct tpl_worker *tpl_worker_new(const struct tpl_set *, json_t *site,
		     tpl_expand_fn *expand, void *ctx);
void		 tpl_worker_free(struct tpl_worker *);

/* The ids of the tracked values (tpl_deferred_tracked) the worker's last
 * tpl_render read, each once, in the order first read (*n of them; valid
 * until its next render). */
const json_int_t *tpl_reads(const struct tpl_worker *, size_t *n);

/*
 * Renders template name with global `page` (page converted to a Lua table)
 * and appends the output (through its layout) to out.  Returns 1, or 0 after
 * reporting the error through diag (file:line of the template, with
 * " (rendering SOURCE)" when page has a string "source"); out is then
 * unchanged.  page may be NULL (an empty table).
 */
int		 tpl_render(struct tpl_worker *, const char *name, json_t *page,
		     struct buf *out);

#endif
