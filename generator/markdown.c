/*
 * markdown: cmark-gfm parsing plus the passes the site needs over the tree.
 *
 * md_render works the cmark-gfm way: parse, then passes that are each one
 * loop over iterator events (or over nodes a walk collected), then cmark's
 * own HTML renderer.  In order:
 *
 *  1. collect: one walk recording the block quotes, tables, links and
 *     images that later passes change, because cmark's iterator must not
 *     see the tree change under it;
 *  2. callouts: strips the [!NOTE] marker from the block quotes that are
 *     callouts, before any text is read, so that it is not searchable;
 *  3. text: one walk building the heading list (with unique ids) and the
 *     plain text of each section;
 *  4. links: link_fn on every relative destination in document order, once
 *     the headings are known (the caller checks "#anchor" against them);
 *  5. rewrite: headings, callouts and tables are replaced by custom nodes
 *     (and task list items get a label around their checkbox)
 *     whose on_enter/on_exit carry our markup, while what they contain is
 *     still rendered by cmark (so tagfilter, escaping and the extensions
 *     apply to it as to the rest of the page).
 *
 * Every pass is linear in the size of the tree.  The one cmark operation
 * that is not constant time is attaching a node, which walks from the new
 * parent up to the root; the rewrite attaches each replacement once and
 * fills it while it is still detached, so that a heading with many inline
 * children at the bottom of deeply nested quotes stays linear.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "xalloc.h"

/*
 * Raw HTML is kept: the content is the writer's own, and tagfilter still
 * disarms <script> and friends.  VALIDATE_UTF8 turns bad bytes into U+FFFD
 * so that the page, its ids and the search text are always valid UTF-8.
 */
#define MD_PARSE_OPTS	(CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES | \
			 CMARK_OPT_VALIDATE_UTF8)
#define MD_RENDER_OPTS	(CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES)

static const char *const extension_names[] = {
	"table", "strikethrough", "autolink", "tagfilter", "tasklist",
};

/*
 * cmark-gfm is not thread-safe while it parses inlines: for each parse it
 * adds the extensions' special characters (such as '~' for strikethrough)
 * to a table shared by the whole process, and removes them at the end.  A
 * thread finishing a parse would switch strikethrough and autolinks off
 * for another one still parsing, so parses take turns.  The passes and the
 * HTML renderer touch nothing shared and run in parallel.
 */
static pthread_mutex_t	 parse_lock = PTHREAD_MUTEX_INITIALIZER;

struct callout_kind {
	const char	*marker;	/* between "[!" and "]", upper case */
	const char	*open;		/* the markup before the content */
};

static const struct callout_kind callout_kinds[] = {
	{ "NOTE", "<div class=\"callout callout-note\" role=\"note\">"
	    "<p class=\"callout-title\">Note</p>" },
	{ "TIP", "<div class=\"callout callout-tip\" role=\"note\">"
	    "<p class=\"callout-title\">Tip</p>" },
	{ "IMPORTANT", "<div class=\"callout callout-important\" role=\"note\">"
	    "<p class=\"callout-title\">Important</p>" },
	{ "WARNING", "<div class=\"callout callout-warning\" role=\"note\">"
	    "<p class=\"callout-title\">Warning</p>" },
	{ "CAUTION", "<div class=\"callout callout-caution\" role=\"note\">"
	    "<p class=\"callout-title\">Caution</p>" },
};

/* A growable array of nodes, owned by the tree (only the array is ours). */
struct nodes {
	cmark_node	**v;
	size_t		  n, cap;
};

struct callout {
	cmark_node			*quote;
	const struct callout_kind	*kind;
};

/*
 * The ids handed out so far on a page, with GitHub's counter per id: an
 * open-addressing hash table whose keys are the ids in doc->headings
 * (owned there, and heap strings, so they stay put when that array grows).
 */
struct idslot {
	const char	*key;		/* NULL: free */
	unsigned long	 n;		/* last suffix tried for this slug */
};

struct idmap {
	struct idslot	*slot;
	size_t		 cap;		/* a power of two */
	size_t		 used;
};

/* Plain text with runs of whitespace collapsed to one space, trimmed. */
struct text {
	struct buf	 b;
	int		 space;		/* whitespace since the last word */
};

/* The section being read by the text pass. */
struct section {
	char		*id;		/* NULL before the first h2 */
	char		*heading;
	int		 level;
	struct text	 text;
};

/* Everything md_render's passes share. */
struct pass {
	struct md_doc	*doc;
	unsigned	 first_line;
	size_t		 hcap, scap;	/* capacity of doc->headings, sections */
	struct nodes	 hnodes;	/* heading nodes, as doc->headings */
	struct nodes	 quotes;
	struct nodes	 tables;
	struct nodes	 tasks;		/* task list items */
	struct nodes	 links;		/* links and images */
	struct nodes	 dead;		/* replaced nodes, freed after render */
	struct callout	*callouts;
	size_t		 ncallouts, callcap;
	struct idmap	 ids;
	struct section	 sec;
};

/*
 * Registers cmark-gfm's extensions; must run once before any thread calls
 * md_render or md_inline, as cmark's registry is not locked.  A missing
 * extension (a broken install) is reported and then left out of parses.
 */
void
md_init(void)
{
	size_t	 i;

	cmark_gfm_core_extensions_ensure_registered();
	for (i = 0; i < sizeof(extension_names) / sizeof(*extension_names);
	    i++)
		if (cmark_find_syntax_extension(extension_names[i]) == NULL)
			diag_error(NULL, 0, 0,
			    "cmark-gfm has no %s extension",
			    extension_names[i]);
}

/*
 * Parses len bytes of src (which may be NULL when len is 0) with the
 * site's extensions.  Returns the document, which the caller frees with
 * cmark_node_free, and stores the parser in *parserp: the caller frees it
 * with cmark_parser_free after rendering, since the HTML renderer needs
 * the parser's list of extensions.
 */
static cmark_node *
parse(const char *src, size_t len, cmark_parser **parserp)
{
	cmark_parser		*parser;
	cmark_syntax_extension	*ext;
	cmark_node		*root;
	size_t			 i;

	if (src == NULL) {
		src = "";
		len = 0;
	}
	pthread_mutex_lock(&parse_lock);
	parser = cmark_parser_new(MD_PARSE_OPTS);
	for (i = 0; i < sizeof(extension_names) / sizeof(*extension_names);
	    i++)
		if ((ext = cmark_find_syntax_extension(extension_names[i])))
			cmark_parser_attach_syntax_extension(parser, ext);
	cmark_parser_feed(parser, src, len);
	root = cmark_parser_finish(parser);
	pthread_mutex_unlock(&parse_lock);
	*parserp = parser;
	return root;
}

/* Appends node to ns; the node stays owned by its tree. */
static void
nodes_push(struct nodes *ns, cmark_node *node)
{
	ns->v = xreallocarray(ns->v, ns->n + 1, sizeof(*ns->v), &ns->cap);
	ns->v[ns->n++] = node;
}

/* Returns whether c is ASCII whitespace (locale-independent on purpose). */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* Returns whether c is an ASCII letter. */
static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Returns whether c is an ASCII digit. */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Returns the ASCII upper case of c, leaving other bytes alone. */
static char
to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/*
 * Appends n bytes of s to t, collapsing whitespace: a run of whitespace
 * becomes one space, written only once a word follows, so the text never
 * starts or ends with one.
 */
static void
text_put(struct text *t, const char *s, size_t n)
{
	size_t	 i = 0, start;

	while (i < n) {
		if (is_space(s[i])) {
			t->space = 1;
			i++;
			continue;
		}
		start = i;
		while (i < n && !is_space(s[i]))
			i++;
		if (t->space && t->b.len)
			buf_putc(&t->b, ' ');
		t->space = 0;
		buf_append(&t->b, s + start, i - start);
	}
}

/* FNV-1a of the string s. */
static uint64_t
hash_str(const char *s)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Returns the slot of m that holds key, or the free slot where key would
 * go.  m has at least one free slot (idmap_add keeps it at most half full).
 */
static struct idslot *
idmap_find(struct idmap *m, const char *key)
{
	size_t	 mask = m->cap - 1, i = (size_t)hash_str(key) & mask;

	while (m->slot[i].key && strcmp(m->slot[i].key, key) != 0)
		i = (i + 1) & mask;
	return &m->slot[i];
}

/*
 * Doubles the table of m (or makes its first one) and puts the keys back.
 * Slot pointers from idmap_find are invalid afterwards.
 */
static void
idmap_grow(struct idmap *m)
{
	struct idslot	*old = m->slot;
	size_t		 oldcap = m->cap, i;

	m->cap = m->cap ? m->cap * 2 : 64;
	m->slot = xcalloc(m->cap, sizeof(*m->slot));
	for (i = 0; i < oldcap; i++)
		if (old[i].key)
			*idmap_find(m, old[i].key) = old[i];
	free(old);
}

/*
 * Adds key (not yet in m) to m with a counter of 0.  key is borrowed: it
 * must outlive m.  Slot pointers from idmap_find are invalid afterwards.
 */
static void
idmap_add(struct idmap *m, const char *key)
{
	struct idslot	*s;

	if ((m->used + 1) * 2 > m->cap)
		idmap_grow(m);
	s = idmap_find(m, key);
	s->key = key;
	s->n = 0;
	m->used++;
}

/*
 * Returns a heap copy of slug made unique on the page the way GitHub does
 * it: a slug already taken gets "-1", "-2", ... (the counter is kept per
 * slug, and a candidate that is itself taken, say by a heading written
 * "Foo 1", is skipped).  An empty slug becomes "section".  The id is added
 * to m, which borrows it: the caller stores it in doc->headings.
 *
 * Linear overall: the counter of a slug only grows, and a candidate
 * "slug-k" can be skipped only once for that slug.
 */
static char *
unique_id(struct idmap *m, const char *slug)
{
	struct idslot	*s;
	char		*id;

	if (*slug == '\0')
		slug = "section";
	if (m->cap == 0)
		idmap_grow(m);
	s = idmap_find(m, slug);
	if (s->key == NULL)
		id = xstrdup(slug);
	else
		for (;;) {
			s->n++;
			id = xasprintf("%s-%lu", slug, s->n);
			if (idmap_find(m, id)->key == NULL)
				break;
			free(id);
		}
	idmap_add(m, id);
	return id;
}

/* Returns the line in the file of a node's line in the body, or 0 if cmark
 * did not record one. */
static unsigned
file_line(const struct pass *p, cmark_node *node)
{
	int	 line = cmark_node_get_start_line(node);

	return line > 0 ? (unsigned)line + p->first_line - 1 : 0;
}

/*
 * Walks the tree once and records in p the nodes that later passes
 * change: block quotes (callout candidates), tables, task list items,
 * links and images.
 * The tree is not changed.
 */
static void
collect(struct pass *p, cmark_node *root)
{
	cmark_iter		*it = cmark_iter_new(root);
	cmark_event_type	 ev;
	cmark_node		*node;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_BLOCK_QUOTE:
			nodes_push(&p->quotes, node);
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			nodes_push(&p->links, node);
			break;
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_TEXT:
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_CODE:
			break;	/* the common case: no string compare */
		default:
			/* The table node type is not exported by the library. */
			if (strcmp(cmark_node_get_type_string(node), "table")
			    == 0)
				nodes_push(&p->tables, node);
			else if (strcmp(cmark_node_get_type_string(node),
			    "tasklist") == 0)
				nodes_push(&p->tasks, node);
			break;
		}
	}
	cmark_iter_free(it);
}

/*
 * Returns the callout kind of a block quote, or NULL when it is an
 * ordinary quote.  GitHub's rule: the first paragraph starts with the
 * marker ("[!NOTE]", any case), alone on its line: followed by a line
 * break or the end of the paragraph, not by more text.  Text nodes are
 * consolidated first, so the marker is in one node.
 */
static const struct callout_kind *
callout_of(cmark_node *quote)
{
	cmark_node	*para, *text, *next;
	const char	*lit, *m, *rest;
	size_t		 k;

	para = cmark_node_first_child(quote);
	if (para == NULL || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
		return NULL;
	text = cmark_node_first_child(para);
	if (text == NULL || cmark_node_get_type(text) != CMARK_NODE_TEXT)
		return NULL;
	lit = cmark_node_get_literal(text);
	if (lit == NULL || lit[0] != '[' || lit[1] != '!')
		return NULL;
	next = cmark_node_next(text);
	if (next && cmark_node_get_type(next) != CMARK_NODE_SOFTBREAK &&
	    cmark_node_get_type(next) != CMARK_NODE_LINEBREAK)
		return NULL;
	for (k = 0; k < sizeof(callout_kinds) / sizeof(*callout_kinds); k++) {
		rest = lit + 2;
		for (m = callout_kinds[k].marker; *m; m++, rest++)
			if (to_upper(*rest) != *m)
				break;
		if (*m != '\0' || *rest != ']')
			continue;
		/* cmark trims spaces before a line end; be lenient anyway. */
		for (rest++; *rest == ' ' || *rest == '\t'; rest++)
			continue;
		return *rest == '\0' ? &callout_kinds[k] : NULL;
	}
	return NULL;
}

/*
 * Finds the callouts among the collected block quotes and removes their
 * marker: the marker's text node, the line break after it, and the first
 * paragraph when nothing else was in it.  Only leaf nodes and a paragraph
 * holding nothing else go, so no collected link is freed.
 */
static void
find_callouts(struct pass *p)
{
	const struct callout_kind *kind;
	cmark_node	*quote, *para, *text, *next;
	size_t		 i;

	for (i = 0; i < p->quotes.n; i++) {
		quote = p->quotes.v[i];
		if ((kind = callout_of(quote)) == NULL)
			continue;
		para = cmark_node_first_child(quote);
		text = cmark_node_first_child(para);
		next = cmark_node_next(text);
		cmark_node_free(text);
		if (next)
			cmark_node_free(next);
		if (cmark_node_first_child(para) == NULL)
			cmark_node_free(para);
		p->callouts = xreallocarray(p->callouts, p->ncallouts + 1,
		    sizeof(*p->callouts), &p->callcap);
		p->callouts[p->ncallouts].quote = quote;
		p->callouts[p->ncallouts].kind = kind;
		p->ncallouts++;
	}
}

/*
 * Ends the section being read: adds it to doc->sections, which takes its
 * strings, unless it is the text before the first h2 and that is empty.
 * Leaves p->sec empty.
 */
static void
end_section(struct pass *p)
{
	struct md_doc	*doc = p->doc;
	struct md_section *s;

	if (p->sec.id == NULL && p->sec.text.b.len == 0) {
		buf_free(&p->sec.text.b);
	} else {
		doc->sections = xreallocarray(doc->sections,
		    doc->nsections + 1, sizeof(*doc->sections), &p->scap);
		s = &doc->sections[doc->nsections++];
		s->id = p->sec.id;
		s->heading = p->sec.heading;
		s->level = p->sec.level;
		s->text = buf_take(&p->sec.text.b);
	}
	memset(&p->sec, 0, sizeof(p->sec));
}

/*
 * Adds the heading node (level, plain text text) to doc->headings with a
 * unique id, and remembers the node for the rewrite.  Returns the entry.
 */
static struct md_heading *
add_heading(struct pass *p, cmark_node *node, int level, const char *text)
{
	struct md_doc	*doc = p->doc;
	struct md_heading *h;
	char		*slug;

	doc->headings = xreallocarray(doc->headings, doc->nheadings + 1,
	    sizeof(*doc->headings), &p->hcap);
	h = &doc->headings[doc->nheadings++];
	h->level = level;
	h->text = xstrdup(text);
	h->line = file_line(p, node);
	slug = slug_heading(text);
	h->id = unique_id(&p->ids, slug);
	free(slug);
	nodes_push(&p->hnodes, node);
	return h;
}

/*
 * Walks the tree once, filling doc->headings and doc->sections.
 *
 * The plain text of a heading is its text and code spans, line breaks as
 * spaces, and images' alt text (an image's children); raw HTML and
 * footnote references are left out, since neither is text a reader sees
 * in the heading.  Sections take the same kinds of text from every block
 * (code blocks and table cells too), a block boundary counting as a
 * space; h2 and h3 start a section and their text is the section's
 * heading, other headings are part of the section's text.
 */
static void
text_pass(struct pass *p, cmark_node *root)
{
	cmark_iter		*it = cmark_iter_new(root);
	cmark_event_type	 ev;
	cmark_node		*node, *heading = NULL;
	cmark_node_type		 type;
	struct md_heading	*h;
	struct buf		 htext = { 0 };
	const char		*lit;
	int			 level = 0, starts = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);
		if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK)
			p->sec.text.space = 1;
		if (type == CMARK_NODE_HEADING) {
			if (ev == CMARK_EVENT_ENTER) {
				heading = node;
				level = cmark_node_get_heading_level(node);
				starts = level == 2 || level == 3;
				buf_reset(&htext);
				if (starts)
					end_section(p);
				continue;
			}
			h = add_heading(p, node, level,
			    htext.data ? htext.data : "");
			if (starts) {
				p->sec.id = xstrdup(h->id);
				p->sec.heading = xstrdup(h->text);
				p->sec.level = level;
			}
			heading = NULL;
			starts = 0;
			continue;
		}
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (type) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
			if ((lit = cmark_node_get_literal(node)) == NULL)
				break;
			if (heading)
				buf_puts(&htext, lit);
			if (!starts)
				text_put(&p->sec.text, lit, strlen(lit));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			if (heading)
				buf_putc(&htext, ' ');
			p->sec.text.space = 1;
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	end_section(p);
	buf_free(&htext);
}

/*
 * Returns whether url is absolute, so not the site's business: it has a
 * scheme ([a-zA-Z][a-zA-Z0-9+.-]*:) or starts with '/' (which covers
 * "//host").
 */
static int
is_absolute(const char *url)
{
	const char	*s;

	if (url[0] == '/')
		return 1;
	if (!is_alpha(url[0]))
		return 0;
	for (s = url + 1; is_alpha(*s) || is_digit(*s) || *s == '+' ||
	    *s == '.' || *s == '-'; s++)
		continue;
	return *s == ':';
}

/*
 * Hands every relative link and image destination to fn, in document
 * order, and stores the URL it writes.  An empty destination ("[x]()")
 * means this very page: there is nothing to check or rewrite, and
 * callers need not handle "".  Returns 0 when fn said that a
 * link is broken, 1 otherwise; all links are seen either way so that the
 * writer learns about every broken link at once.
 */
static int
link_pass(struct pass *p, md_link_fn fn, void *ctx)
{
	struct buf	 out = { 0 };
	cmark_node	*node;
	const char	*url;
	size_t		 i;
	int		 ok = 1, col;

	for (i = 0; i < p->links.n; i++) {
		node = p->links.v[i];
		url = cmark_node_get_url(node);
		if (url == NULL || url[0] == '\0' || is_absolute(url))
			continue;
		col = cmark_node_get_start_column(node);
		buf_reset(&out);
		if (!fn(ctx, url, file_line(p, node), col > 0 ? (unsigned)col : 0,
		    &out))
			ok = 0;
		if (out.len)
			cmark_node_set_url(node, out.data);
	}
	buf_free(&out);
	return ok;
}

/*
 * Moves every child of from, in order, to the end of to.  to should not
 * be in the tree yet: cmark checks on each append that the child is not
 * an ancestor of the new parent by walking up from it, one step for a
 * detached node but the whole nesting depth for one in the tree.
 */
static void
move_children(cmark_node *to, cmark_node *from)
{
	cmark_node	*child;

	while ((child = cmark_node_first_child(from)))
		if (!cmark_node_append_child(to, child))
			break;
}

/*
 * Returns a new detached custom node of type with the given markup
 * before and after its children (NULL: none; an unset string renders as
 * nothing and saves an allocation per heading).  cmark owns the node once
 * it is in the tree.
 */
static cmark_node *
custom_node(cmark_node_type type, const char *enter, const char *exit)
{
	cmark_node	*node = cmark_node_new(type);

	if (enter)
		cmark_node_set_on_enter(node, enter);
	if (exit)
		cmark_node_set_on_exit(node, exit);
	return node;
}

/*
 * Puts repl (detached, already holding node's children in its descendant
 * holder) in node's place.  node is unlinked but not freed until after
 * rendering: the literals of inline nodes may point into their block's
 * content buffer, which dies with the block.  cmark cannot refuse the
 * insertion for the nodes replaced here (block containers may hold custom
 * blocks), but if it did, the children go back to node and the page
 * renders unchanged.
 */
static void
replace(struct pass *p, cmark_node *node, cmark_node *repl,
    cmark_node *holder)
{
	if (cmark_node_insert_before(node, repl)) {
		cmark_node_unlink(node);
		nodes_push(&p->dead, node);
		return;
	}
	move_children(node, holder);
	cmark_node_free(repl);
}

/*
 * Replaces a heading node by a custom block (for the line breaks around
 * it) holding a custom inline that writes the heading's tags, with the
 * id and the anchor link, around the heading's own inline children.
 * The shape is
 *   <h2 id="ID">text<a class="anchor" href="#ID"
 *   aria-label="Permalink to this section">#</a></h2>
 */
static void
rewrite_heading(struct pass *p, cmark_node *node, const struct md_heading *h)
{
	struct buf	 open = { 0 }, close = { 0 };
	cmark_node	*block, *in;
	size_t		 idlen = strlen(h->id);

	buf_printf(&open, "<h%d id=\"", h->level);
	buf_put_html(&open, h->id, idlen);
	buf_puts(&open, "\">");
	buf_puts(&close, "<a class=\"anchor\" href=\"#");
	buf_put_html(&close, h->id, idlen);
	buf_printf(&close, "\" aria-label=\"Permalink to this section\">"
	    "#</a></h%d>", h->level);

	block = custom_node(CMARK_NODE_CUSTOM_BLOCK, NULL, NULL);
	in = custom_node(CMARK_NODE_CUSTOM_INLINE, open.data, close.data);
	move_children(in, node);
	cmark_node_append_child(block, in);
	replace(p, node, block, in);
	buf_free(&open);
	buf_free(&close);
}

/*
 * Replaces a callout's block quote by a custom block that writes the
 * callout's box and title around the quote's remaining blocks:
 *   <div class="callout callout-note" role="note">
 *   <p class="callout-title">Note</p> ...blocks... </div>
 */
static void
rewrite_callout(struct pass *p, const struct callout *c)
{
	cmark_node	*block;

	block = custom_node(CMARK_NODE_CUSTOM_BLOCK, c->kind->open, "</div>");
	move_children(block, c->quote);
	replace(p, c->quote, block, block);
}

/*
 * Wraps a table in <div class="table-wrap">...</div> so that a wide
 * table scrolls on its own on a phone instead of the whole page.  Two
 * attachments, each a walk up the nesting depth, once per table.
 */
static void
wrap_table(cmark_node *table)
{
	cmark_node	*wrap;

	wrap = custom_node(CMARK_NODE_CUSTOM_BLOCK,
	    "<div class=\"table-wrap\">", "</div>");
	if (!cmark_node_insert_before(table, wrap)) {
		cmark_node_free(wrap);
		return;
	}
	if (!cmark_node_append_child(wrap, table))
		cmark_node_free(wrap);
}

/*
 * The tasklist extension renders "- [ ] text" as <li><input
 * type="checkbox" disabled="" /> text, a checkbox without an accessible
 * name.  An item whose first child is a paragraph is rendered as a plain
 * item instead, its checkbox inside a label around the paragraph's text:
 *   <li><label class="task"><input type="checkbox" disabled="" /> text</label>
 * Items without text keep the extension's markup.
 */
static void
label_task(cmark_node *item)
{
	cmark_node	*para = cmark_node_first_child(item), *label;
	int		 checked;

	if (para == NULL || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
	    cmark_node_first_child(para) == NULL)
		return;
	checked = cmark_gfm_extensions_get_tasklist_item_checked(item);
	label = custom_node(CMARK_NODE_CUSTOM_INLINE, checked ?
	    "<label class=\"task\"><input type=\"checkbox\" checked=\"\" "
	    "disabled=\"\" /> " :
	    "<label class=\"task\"><input type=\"checkbox\" disabled=\"\" /> ",
	    "</label>");
	move_children(label, para);
	if (!cmark_node_append_child(para, label)) {
		move_children(para, label);
		cmark_node_free(label);
		return;
	}
	cmark_node_set_syntax_extension(item, NULL);
}

/* Frees the pass's own arrays (not the tree, not the doc). */
static void
pass_free(struct pass *p)
{
	free(p->hnodes.v);
	free(p->quotes.v);
	free(p->tables.v);
	free(p->tasks.v);
	free(p->links.v);
	free(p->dead.v);
	free(p->callouts);
	free(p->ids.slot);
	free(p->sec.id);
	free(p->sec.heading);
	buf_free(&p->sec.text.b);
}

/*
 * See markdown.h.  path is only for the caller's benefit (link_fn gets
 * positions and reports itself); first_line 0 is taken as 1.  doc is filled in the order headings,
 * sections, then (after link_fn has seen every link) html, so that
 * link_fn may read doc->headings.  doc->html comes from cmark's allocator,
 * plain malloc, and is freed by md_doc_free.
 */
int
md_render(const char *path, const char *src, size_t len,
    unsigned first_line, md_link_fn link_fn, void *ctx, struct md_doc *doc)
{
	struct pass	 p;
	cmark_parser	*parser;
	cmark_node	*root;
	char		*html;
	size_t		 i;
	int		 ok = 1;

	(void)path;
	memset(doc, 0, sizeof(*doc));
	memset(&p, 0, sizeof(p));
	p.doc = doc;
	p.first_line = first_line ? first_line : 1;

	root = parse(src, len, &parser);
	if (root == NULL) {
		cmark_parser_free(parser);
		doc->html = xstrdup("");
		return 1;
	}
	/* One text node per run of text, so the callout marker is whole. */
	cmark_consolidate_text_nodes(root);
	collect(&p, root);
	find_callouts(&p);
	text_pass(&p, root);
	if (link_fn)
		ok = link_pass(&p, link_fn, ctx);

	for (i = 0; i < p.hnodes.n; i++)
		rewrite_heading(&p, p.hnodes.v[i], &doc->headings[i]);
	for (i = 0; i < p.ncallouts; i++)
		rewrite_callout(&p, &p.callouts[i]);
	for (i = 0; i < p.tables.n; i++)
		wrap_table(p.tables.v[i]);
	for (i = 0; i < p.tasks.n; i++)
		label_task(p.tasks.v[i]);

	html = cmark_render_html(root, MD_RENDER_OPTS,
	    cmark_parser_get_syntax_extensions(parser));
	doc->html = html ? html : xstrdup("");
	doc->html_len = strlen(doc->html);

	cmark_node_free(root);
	for (i = 0; i < p.dead.n; i++)
		cmark_node_free(p.dead.v[i]);
	cmark_parser_free(parser);
	pass_free(&p);
	return ok;
}

/* Frees everything in doc and leaves it empty; doc itself is the caller's. */
void
md_doc_free(struct md_doc *doc)
{
	size_t	 i;

	if (doc == NULL)
		return;
	free(doc->html);
	for (i = 0; i < doc->nheadings; i++) {
		free(doc->headings[i].id);
		free(doc->headings[i].text);
	}
	free(doc->headings);
	for (i = 0; i < doc->nsections; i++) {
		free(doc->sections[i].id);
		free(doc->sections[i].heading);
		free(doc->sections[i].text);
	}
	free(doc->sections);
	memset(doc, 0, sizeof(*doc));
}

/*
 * See markdown.h.  Only a lone paragraph loses its <p> and </p>: cutting
 * them off anything else ("a\n\nb", a list) would leave unbalanced tags,
 * so other input comes back as block HTML, without the final newline.
 * No callouts, heading ids or link checks here.  src NULL is "".
 */
char *
md_inline(const char *src)
{
	cmark_parser	*parser;
	cmark_node	*root, *first;
	char		*html, *out;
	size_t		 n;
	int		 lone;

	if (src == NULL)
		src = "";
	root = parse(src, strlen(src), &parser);
	if (root == NULL) {
		cmark_parser_free(parser);
		return xstrdup("");
	}
	html = cmark_render_html(root, MD_RENDER_OPTS,
	    cmark_parser_get_syntax_extensions(parser));
	first = cmark_node_first_child(root);
	lone = first && first == cmark_node_last_child(root) &&
	    cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH;
	n = html ? strlen(html) : 0;
	if (lone && n >= 8 && strncmp(html, "<p>", 3) == 0 &&
	    strcmp(html + n - 5, "</p>\n") == 0)
		out = xstrndup(html + 3, n - 8);
	else {
		while (n && html[n - 1] == '\n')
			n--;
		out = xstrndup(html ? html : "", n);
	}
	free(html);
	cmark_node_free(root);
	cmark_parser_free(parser);
	return out;
}

/*
 * Decodes the UTF-8 sequence at s (n > 0 bytes left) into *cp.  Returns
 * its length, or 0 for an invalid, overlong, truncated or surrogate
 * sequence (the caller drops one byte and tries again from the next).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	 c;
	size_t		 len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Appends code point c (valid, not a surrogate) to b as UTF-8. */
static void
utf8_put(struct buf *b, uint32_t c)
{
	char	 s[4];
	size_t	 n;

	if (c < 0x80) {
		s[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		s[0] = (char)(0xc0 | c >> 6);
		s[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		s[0] = (char)(0xe0 | c >> 12);
		s[1] = (char)(0x80 | (c >> 6 & 0x3f));
		s[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | c >> 18);
		s[1] = (char)(0x80 | (c >> 12 & 0x3f));
		s[2] = (char)(0x80 | (c >> 6 & 0x3f));
		s[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	buf_append(b, s, n);
}

/*
 * Non-ASCII code points that a slug drops: punctuation, symbols, spaces,
 * controls, emoji and private use, by block (sorted, disjoint).  This is
 * an approximation of "not a letter, mark or digit" that needs neither
 * the Unicode tables nor the process locale; what is not listed is kept.
 */
static const struct {
	uint32_t	 lo, hi;
} slug_drop[] = {
	{ 0x0080, 0x00a9 },	/* C1 controls, nbsp, ¡ ¢ £ ¤ ¥ ¦ § ¨ © */
	{ 0x00ab, 0x00b4 },	/* « ¬ shy ® ¯ ° ± ² ³ ´ (ª is a letter) */
	{ 0x00b6, 0x00b9 },	/* ¶ · ¸ ¹ (µ is a letter) */
	{ 0x00bb, 0x00bf },	/* » ¼ ½ ¾ ¿ (º is a letter) */
	{ 0x00d7, 0x00d7 },	/* × */
	{ 0x00f7, 0x00f7 },	/* ÷ */
	{ 0x037e, 0x037e },	/* Greek question mark */
	{ 0x0384, 0x0385 },	/* Greek tonos */
	{ 0x0387, 0x0387 },	/* Greek ano teleia */
	{ 0x055a, 0x055f },	/* Armenian punctuation */
	{ 0x0589, 0x058a },
	{ 0x05be, 0x05be },	/* Hebrew maqaf, punctuation */
	{ 0x05c0, 0x05c0 },
	{ 0x05c3, 0x05c3 },
	{ 0x05c6, 0x05c6 },
	{ 0x05f3, 0x05f4 },
	{ 0x0600, 0x060f },	/* Arabic signs, comma */
	{ 0x061b, 0x061b },	/* Arabic semicolon */
	{ 0x061d, 0x061f },	/* Arabic question mark */
	{ 0x066a, 0x066d },
	{ 0x06d4, 0x06d4 },	/* Arabic full stop */
	{ 0x0964, 0x0965 },	/* Devanagari danda */
	{ 0x0970, 0x0970 },
	{ 0x0e3f, 0x0e3f },	/* Thai baht */
	{ 0x0e4f, 0x0e4f },
	{ 0x0e5a, 0x0e5b },
	{ 0x2000, 0x206f },	/* spaces, dashes, quotes, bullets, ZW* */
	{ 0x20a0, 0x20cf },	/* currency */
	{ 0x2100, 0x214f },	/* letterlike symbols: ™ № ℃ */
	{ 0x2190, 0x2bff },	/* arrows, maths, box drawing, shapes,
				   dingbats, braille, misc symbols */
	{ 0x2e00, 0x2e7f },	/* supplemental punctuation */
	{ 0x3000, 0x3004 },	/* CJK space and punctuation (not 々〆〇) */
	{ 0x3008, 0x3020 },
	{ 0x3030, 0x3030 },
	{ 0x303d, 0x303f },
	{ 0xe000, 0xf8ff },	/* private use */
	{ 0xfe00, 0xfe1f },	/* variation selectors, vertical forms */
	{ 0xfe30, 0xfe6f },	/* CJK compatibility and small forms */
	{ 0xfeff, 0xfeff },	/* byte order mark */
	{ 0xff01, 0xff0f },	/* fullwidth punctuation (not the digits, */
	{ 0xff1a, 0xff20 },	/* letters, or the low line) */
	{ 0xff3b, 0xff3e },
	{ 0xff40, 0xff40 },
	{ 0xff5b, 0xff65 },
	{ 0xffe0, 0xffee },	/* fullwidth signs */
	{ 0xfff0, 0xffff },	/* specials, U+FFFD */
	{ 0x1f000, 0x1fbff },	/* emoji, pictographs, game symbols */
	{ 0xe0000, 0xe007f },	/* tags (flag emoji) */
	{ 0xf0000, 0x10ffff },	/* supplementary private use */
};

/* Returns whether a slug drops the non-ASCII code point c. */
static int
slug_drops(uint32_t c)
{
	size_t	 lo = 0, hi = sizeof(slug_drop) / sizeof(*slug_drop), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c < slug_drop[mid].lo)
			hi = mid;
		else if (c > slug_drop[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/*
 * Returns the lower case of c for ASCII, Latin-1, Latin Extended-A, Greek
 * and Cyrillic, by the offsets of those blocks, and c itself otherwise
 * (already lower case, or a script without case).  towlower would do it
 * but depends on the process locale, and ids must not change with it.
 */
static uint32_t
lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c < 0x80)
		return c;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)	/* À..Þ */
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17f) {			/* Latin Ext-A */
		if (c == 0x130)				/* İ */
			return 'i';
		if (c == 0x178)				/* Ÿ */
			return 0xff;
		if ((c <= 0x137 || (c >= 0x14a && c <= 0x177)) && c % 2 == 0)
			return c + 1;
		if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		    && c % 2 == 1)
			return c + 1;
		return c;
	}
	if (c == 0x386)					/* Ά */
		return 0x3ac;
	if (c >= 0x388 && c <= 0x38a)			/* Έ Ή Ί */
		return c + 0x25;
	if (c == 0x38c)					/* Ό */
		return 0x3cc;
	if (c == 0x38e || c == 0x38f)			/* Ύ Ώ */
		return c + 0x3f;
	if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)	/* Α..Ϋ */
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)			/* Ѐ..Џ */
		return c + 0x50;
	if (c >= 0x410 && c <= 0x42f)			/* А..Я */
		return c + 0x20;
	if (((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) ||
	    (c >= 0x4d0 && c <= 0x52f)) && c % 2 == 0)
		return c + 1;
	if (c == 0x4c0)					/* Ӏ */
		return 0x4cf;
	if (c >= 0x4c1 && c <= 0x4ce && c % 2 == 1)
		return c + 1;
	return c;
}

/*
 * See markdown.h.  The rule, GitHub's for the common cases:
 *  - leading and trailing ASCII whitespace is trimmed;
 *  - ASCII letters are lower-cased, digits, '-' and '_' kept, each space
 *    becomes '-' (so "a  b" gives "a--b"), all other ASCII is dropped
 *    (tabs and control characters too);
 *  - a non-ASCII code point is dropped when it lies in slug_drop
 *    (punctuation, symbols, odd spaces, emoji), otherwise kept, lower-cased
 *    by lower();
 *  - bytes that are not valid UTF-8 are dropped.
 * Returns a heap string, possibly empty; text NULL is "".
 */
char *
slug_heading(const char *text)
{
	struct buf		 b = { 0 };
	const unsigned char	*s, *end;
	uint32_t		 c;
	size_t			 n;

	if (text == NULL)
		text = "";
	s = (const unsigned char *)text;
	end = s + strlen(text);
	while (s < end && is_space((char)*s))
		s++;
	while (end > s && is_space((char)end[-1]))
		end--;
	while (s < end) {
		if ((n = utf8_decode(s, (size_t)(end - s), &c)) == 0) {
			s++;
			continue;
		}
		s += n;
		if (c == ' ')
			buf_putc(&b, '-');
		else if (c < 0x80) {
			if (is_alpha((char)c) || is_digit((char)c) ||
			    c == '-' || c == '_')
				buf_putc(&b, (char)lower(c));
		} else if (!slug_drops(c))
			utf8_put(&b, lower(c));
	}
	return buf_take(&b);
}
