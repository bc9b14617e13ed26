#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "links.h"
#include "path.h"
#include "xalloc.h"

/* Reports a broken link as an error, or a warning under --warn-links
 * (while quiet, only counts it); returns what links_resolve returns. */
static int
broken(struct link_ctx *c, unsigned line, unsigned col, const char *fmt,
    const char *a, const char *b)
{
	if (c->quiet)
		c->nquiet++;
	else
		diag_report(c->warn_only ? DIAG_WARNING : DIAG_ERROR,
		    c->page->file, line, col, fmt, a, b);
	return c->warn_only;
}

static int
has_heading(const struct md_doc *doc, const char *id)
{
	size_t	 i;

	for (i = 0; doc != NULL && i < doc->nheadings; i++)
		if (strcmp(doc->headings[i].id, id) == 0)
			return 1;
	return 0;
}

/* Decodes %XX escapes so "my%20page.md" finds "my page.md". */
static char *
percent_decode(const char *s, size_t len)
{
	char	*out = xmalloc(len + 1), *o = out;
	size_t	 i;
	unsigned v;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    sscanf(s + i + 1, "%2x", &v) == 1 && v != 0) {
			*o++ = (char)v;
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* The page a resolved path names: "a/b.md", or a folder's index.md. */
static struct page *
find_page(const struct site *s, const char *resolved)
{
	struct page	*p;
	char		*index;

	if (path_has_suffix(resolved, ".md"))
		return model_page_by_source(s, resolved);
	index = path_join(resolved, "index.md");
	p = model_page_by_source(s, index);
	free(index);
	return p;
}

/* The copied file a resolved path names, or NULL. */
static const struct copy_file *
find_copy(const struct site *s, const char *resolved)
{
	size_t	 copy = (size_t)strmap_get(&s->files, resolved);

	return copy != 0 ? &s->copies[copy - 1] : NULL;
}

const char *
links_destination(const struct site *s, const char *resolved)
{
	const struct page *p;
	const struct copy_file *f;

	if ((p = find_page(s, resolved)) != NULL)
		return p->url;
	return (f = find_copy(s, resolved)) != NULL ? f->out : NULL;
}

static void
remember_target(struct link_ctx *c, const char *resolved)
{
	c->targets = xreallocarray(c->targets, c->ntargets + 1,
	    sizeof(*c->targets), &c->tcap);
	c->targets[c->ntargets++] = xstrdup(resolved);
}

static void
remember_anchor(struct link_ctx *c, struct page *target, const char *anchor,
    unsigned line, unsigned col)
{
	struct anchor_ref *r;

	c->refs = xreallocarray(c->refs, c->nrefs + 1, sizeof(*c->refs),
	    &c->cap);
	r = &c->refs[c->nrefs++];
	r->target = target;
	r->anchor = xstrdup(anchor);
	r->file = c->page->file;
	r->line = line;
	r->col = col;
}

int
links_resolve(void *ctx, const char *href, unsigned line, unsigned col,
    struct buf *out)
{
	struct link_ctx	*c = ctx;
	const struct site *s = c->site;
	const char	*hash = strchr(href, '#');
	size_t		 plen = hash ? (size_t)(hash - href) : strlen(href);
	const char	*anchor = hash ? hash + 1 : NULL;
	char		*path, *dir, *resolved;
	struct page	*target;
	const struct copy_file *copy;
	int		 ok = 1;

	if (strchr(href, '?') != NULL && (hash == NULL ||
	    strchr(href, '?') < hash))
		return 1;	/* a query: not a file link, leave it */
	if (plen == 0) {
		if (anchor != NULL && anchor[0] != '\0' &&
		    !has_heading(c->doc, anchor))
			return broken(c, line, col, "broken anchor '#%s': no "
			    "heading on this page has that id%s", anchor, "");
		return 1;
	}
	path = percent_decode(href, plen);
	dir = path_dir(c->page->source);
	resolved = path_resolve(dir, path);
	free(dir);
	if (resolved == NULL) {
		ok = broken(c, line, col, "broken link '%s': it leads out of "
		    "the content folder%s", href, "");
		goto out;
	}
	remember_target(c, resolved);
	if ((target = find_page(s, resolved)) != NULL) {
		buf_puts(out, s->cfg.base_path);
		buf_puts(out, target->url + 1);
		if (anchor != NULL) {
			buf_printf(out, "#%s", anchor);
			if (anchor[0] != '\0')
				remember_anchor(c, target, anchor, line, col);
		}
	} else if ((copy = find_copy(s, resolved)) != NULL) {
		buf_puts(out, s->cfg.base_path);
		buf_puts(out, copy->out);
		if (anchor != NULL)
			buf_printf(out, "#%s", anchor);
	} else if (strmap_get(&s->drafts_seen, resolved) != NULL)
		ok = broken(c, line, col, "link to a draft page '%s' (%s is "
		    "not published; build with --drafts to preview it)", href,
		    resolved);
	else
		ok = broken(c, line, col, "broken link '%s': there is no page "
		    "or file %s in the content folder", href, resolved);
out:
	free(resolved);
	free(path);
	return ok;
}

void
links_forget(struct link_ctx *c, size_t n)
{
	while (c->nrefs > n)
		free(c->refs[--c->nrefs].anchor);
}

void
links_forget_targets(struct link_ctx *c, size_t n)
{
	while (c->ntargets > n)
		free(c->targets[--c->ntargets]);
}

int
links_check_anchors(struct link_ctx *c)
{
	size_t	 i;
	int	 ok = 1;

	for (i = 0; i < c->nrefs; i++) {
		struct anchor_ref *r = &c->refs[i];

		if (!model_has_anchor(r->target, r->anchor)) {
			diag_report(c->warn_only ? DIAG_WARNING : DIAG_ERROR,
			    r->file, r->line, r->col, "broken anchor '#%s': %s "
			    "has no heading with that id", r->anchor,
			    r->target->source ? r->target->source :
			    r->target->url);
			ok = c->warn_only;
		}
	}
	links_free(c);
	return ok;
}

void
links_free(struct link_ctx *c)
{
	links_forget(c, 0);
	free(c->refs);
	c->refs = NULL;
	c->nrefs = c->cap = 0;
	links_forget_targets(c, 0);
	free(c->targets);
	c->targets = NULL;
	c->tcap = 0;
}
