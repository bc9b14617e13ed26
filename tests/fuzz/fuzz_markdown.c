/*
 * Fuzz target for markdown.c: the input is a page body.  It goes through
 * md_render with a link callback that behaves like links.c (checks
 * "#anchor" against the page's headings, rewrites some links, reports and
 * rejects others; no callback at all when the first byte is 0xf8 or
 * more), then md_doc_free; the input as a C string (up to its
 * first NUL) also goes through md_inline and slug_heading.  The first
 * byte of the input picks the body's first line, so that line numbers
 * are tried with an offset.
 *
 * Asserts what markdown.h promises: the callback never sees an empty or
 * absolute href (scheme or leading '/'), and md_render returns 0 exactly
 * when the callback rejected a link; html_len is the length of the HTML;
 * headings have a level 1..6 and a non-empty id that is unique in the
 * page and is the id of an <hN> in the HTML; a section has an id exactly
 * when it has a heading; a slug is valid UTF-8 with no ASCII other than
 * [a-z0-9_-].  Section and heading text is never much longer than the
 * input (a guard against text counted twice).
 *
 * When the input is what model.c lets through to md_render, valid UTF-8
 * without NUL bytes, the HTML, heading and section texts and md_inline's
 * HTML must be valid UTF-8 too (templates get them as JSON strings).  Not
 * otherwise: cmark-gfm 0.29.0.gfm.6 replaces a bad byte or a NUL with
 * U+FFFD, and then for some inputs cuts that character short ("[^\n\0a]"
 * gives "[^\n\xef]", see corpus/markdown/regress-footnote-utf8).
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "utf8.h"

#define PATH	"content/docs/fuzz.md"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* abort()s unless cond: libFuzzer and replay both see a crash. */
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

struct ctx {
	struct md_doc	*doc;
	int		 rejected;	/* the callback returned 0 */
	size_t		 calls;
};

/* 1 when s is valid UTF-8 (and has no NUL before its end). */
static int
valid_utf8(const char *s)
{
	size_t	 n = strlen(s);

	return utf8_invalid_at(s, n) == n;
}

/* 1 when href starts with a URL scheme: [a-zA-Z][a-zA-Z0-9+.-]*: */
static int
has_scheme(const char *href)
{
	const char	*s = href;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (s++; (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    (*s >= '0' && *s <= '9') || *s == '+' || *s == '.' || *s == '-';
	    s++)
		continue;
	return *s == ':';
}

/*
 * The link callback.  "#id" must name a heading of the page (the headings
 * are complete by now); otherwise the length of href decides: reject
 * (with a message, as links.c does), rewrite to a URL with characters the
 * HTML must escape, or keep.
 */
static int
link_cb(void *arg, const char *href, unsigned line, unsigned col,
    struct buf *out)
{
	struct ctx	*c = arg;
	size_t		 i, n = strlen(href);

	CHECK(n > 0 && href[0] != '/' && !has_scheme(href));
	CHECK(out->len == 0);
	c->calls++;
	if (href[0] == '#') {
		for (i = 0; i < c->doc->nheadings; i++)
			if (strcmp(c->doc->headings[i].id, href + 1) == 0)
				return 1;
	} else if (n % 3 == 1) {
		buf_puts(out, "../rewritten/");
		buf_append(out, href, n);
		buf_puts(out, "?a=1&b=\"<x>'");
		return 1;
	} else if (n % 3 == 2)
		return 1;
	diag_error(PATH, line, col, "broken link '%s'", href);
	c->rejected = 1;
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	md_init();
	CHECK(diag_count(DIAG_ERROR) == 0);
	return 0;
}

/* 1 when html has the opening tag of h: <hN id="ID" */
static int
has_heading_tag(const char *html, const struct md_heading *h)
{
	char		 tag[16];
	const char	*p = html;
	size_t		 tl, il = strlen(h->id);

	snprintf(tag, sizeof(tag), "<h%d id=\"", h->level);
	tl = strlen(tag);
	while ((p = strstr(p, tag)) != NULL) {
		p += tl;
		if (strncmp(p, h->id, il) == 0 && p[il] == '"')
			return 1;
	}
	return 0;
}

/* 1 when the n bytes at s are valid UTF-8 with no NUL byte. */
static int
clean_text(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && utf8_invalid_at(s, n) == n;
}

/*
 * Checks headings and sections of doc rendered from size bytes; the text
 * must be valid UTF-8 when clean (the input was).
 */
static void
check_doc(const struct md_doc *doc, size_t size, int clean)
{
	const struct md_heading	*h;
	const struct md_section	*s;
	size_t			 i, j, bound = size * 4 + 16;

	CHECK(doc->html != NULL && strlen(doc->html) == doc->html_len);
	CHECK(!clean || valid_utf8(doc->html));
	for (i = 0; i < doc->nheadings; i++) {
		h = &doc->headings[i];
		CHECK(h->level >= 1 && h->level <= 6);
		CHECK(h->id != NULL && h->id[0] != '\0' && valid_utf8(h->id));
		CHECK(h->text != NULL && (!clean || valid_utf8(h->text)));
		CHECK(strlen(h->text) <= bound);
		CHECK(has_heading_tag(doc->html, h));
		if (doc->nheadings < 512)
			for (j = i + 1; j < doc->nheadings; j++)
				CHECK(strcmp(h->id, doc->headings[j].id) != 0);
	}
	for (i = 0; i < doc->nsections; i++) {
		s = &doc->sections[i];
		CHECK((s->id == NULL) == (s->heading == NULL));
		CHECK(s->text != NULL && (!clean || valid_utf8(s->text)));
		CHECK(strlen(s->text) <= bound);
		if (s->heading != NULL && clean)
			CHECK(valid_utf8(s->heading) && valid_utf8(s->id));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_doc	 doc;
	struct ctx	 c;
	char		*s, *t;
	const char	*p;
	unsigned	 first = size ? data[0] % 7 + 1 : 1;
	int		 ok;

	free(diag_take());
	memset(&c, 0, sizeof(c));
	c.doc = &doc;
	if (size > 0 && data[0] >= 0xf8) {
		/* without a callback links are kept and all is well */
		CHECK(md_render(PATH, (const char *)data, size, first, NULL,
		    NULL, &doc));
	} else {
		ok = md_render(PATH, (const char *)data, size, first, link_cb,
		    &c, &doc);
		CHECK(ok == !c.rejected);
	}
	check_doc(&doc, size, clean_text((const char *)data, size));
	md_doc_free(&doc);
	free(diag_take());

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	t = md_inline(s);
	CHECK(t != NULL && (!clean_text(s, strlen(s)) || valid_utf8(t)));
	free(t);
	t = slug_heading(s);
	CHECK(t != NULL && valid_utf8(t));
	for (p = t; *p != '\0'; p++)
		CHECK((unsigned char)*p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
	free(t);
	free(s);
	free(diag_take());
	return 0;
}
