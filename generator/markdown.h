/*
 * markdown: markdown to HTML with cmark-gfm, plus the AST passes the site
 * needs: heading ids, the table of contents, internal link rewriting and
 * checking, callouts, and the plain text of each section for search.
 *
 * The only file that includes cmark-gfm.  md_init must run once, before
 * any thread calls md_render.
 */
#ifndef PORCH_MARKDOWN_H
#define PORCH_MARKDOWN_H

#include <stddef.h>

#include "buf.h"

struct md_heading {
	int		 level;		/* 1..6 */
	char		*id;		/* unique within the page */
	char		*text;		/* plain text of the heading */
	unsigned	 line;		/* in the source file */
};

/*
 * A searchable section: the text before the first h2 (id NULL, heading
 * NULL), then one per h2 or h3 with the plain text up to the next h2/h3.
 */
struct md_section {
	char		*id;
	char		*heading;
	int		 level;
	char		*text;		/* plain text, whitespace collapsed */
};

struct md_doc {
	char			*html;
	size_t			 html_len;
	struct md_heading	*headings;	/* every heading, in order */
	size_t			 nheadings;
	struct md_section	*sections;
	size_t			 nsections;
	int			 sections_omitted; /* mdcache.c does not keep
					 * them: md_render the body again
					 * (without links) when needed */
};

/*
 * Called for every link and image destination that is not absolute (no
 * scheme such as https: or mailto:, does not start with '/'), including
 * "#anchor" on its own; never with an empty href ("[text]()" is left as
 * is).  href is the destination as written; line and col its position in
 * the source file.  The callback writes the URL to use into out (leave it
 * empty to keep href unchanged) and returns 1; it returns 0 when the link
 * is broken (it reports that itself).  Called from the thread that called
 * md_render.
 *
 * doc->headings (and doc->sections) is complete when link_fn is first
 * called: during md_render the callback may read the struct md_doc * that
 * was passed to md_render (reach it through ctx), e.g. to check "#anchor"
 * against the page's heading ids.  doc->html is not there yet.  Links are
 * seen in document order, except that footnote definitions come last.
 */
typedef int (*md_link_fn)(void *ctx, const char *href, unsigned line,
    unsigned col, struct buf *out);

void	 md_init(void);

/*
 * Renders src (len bytes; the file's body, which starts at line first_line
 * of path) to HTML into *doc.  Heading ids are GitHub-style slugs
 * (slug_heading), made unique with -1, -2, ...; each heading gets an
 * anchor link.  Blockquotes starting with [!NOTE], [!TIP], [!IMPORTANT],
 * [!WARNING] or [!CAUTION] become callouts.  Raw HTML is kept except what
 * tagfilter removes.  Links go through link_fn when it is not NULL.
 * Returns 1, or 0 when a link was broken (the HTML is still produced).
 * Free *doc with md_doc_free.
 */
int	 md_render(const char *path, const char *src, size_t len,
	     unsigned first_line, md_link_fn link_fn, void *ctx,
	     struct md_doc *doc);
void	 md_doc_free(struct md_doc *);

/* Renders a short markdown string (e.g. a description) as inline HTML,
 * without the surrounding <p>.  Returns a heap string. */
char	*md_inline(const char *src);

/*
 * The GitHub heading slug of text: lower-cased (Unicode-aware for Latin,
 * Greek and Cyrillic letters through towlower is enough), every character
 * that is not a letter, digit, space, '-' or '_' removed, spaces turned
 * into '-'.  Returns a heap string (possibly empty).
 */
char	*slug_heading(const char *text);

#endif
