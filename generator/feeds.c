#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <xxhash.h>

#include "buf.h"
#include "diag.h"
#include "feeds.h"
#include "pagedata.h"
#include "path.h"
#include "sitemap.h"
#include "xalloc.h"

/* The catalog format; porchd refuses a catalog with a version it does not
 * know, so bump it on any incompatible change (docs/catalog.md). */
#define CATALOG_VERSION	1

#define FEED_ROBOTS	"robots.txt"
#define FEED_ATOM	"changelog/feed.xml"
#define FEED_CATALOG	OUT_CATALOG

static char *
absolute(const struct site *s, const char *url)
{
	return path_join(s->cfg.base_url, url + 1);
}

static int
write_buf(const struct out_dir *o, const char *rel, struct buf *b,
    uint64_t key)
{
	int	 ok = out_write_keyed(o, rel, b->data ? b->data : "", b->len,
		     key);

	buf_free(b);
	return ok;
}

static int
write_robots(const struct site *s, const struct out_dir *o,
    uint64_t key)
{
	struct buf	 b = { 0 };
	char		*map = absolute(s, "/" SITEMAP_NAME);

	buf_printf(&b, "User-agent: *\nAllow: /\n\nSitemap: %s\n", map);
	free(map);
	return write_buf(o, FEED_ROBOTS, &b, key);
}

static uint64_t
robots_inputs(const struct site *s)
{
	return XXH3_64bits(s->cfg.base_url, strlen(s->cfg.base_url));
}

static void
xml_element(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	buf_put_html(b, text, strlen(text));
	buf_printf(b, "</%s>\n", name);
}

static void
atom_entry(struct buf *b, const struct site *s, const struct page *p)
{
	char	*link = absolute(s, p->url);

	buf_puts(b, "<entry>\n");
	xml_element(b, "title", p->title);
	xml_element(b, "id", link);
	buf_puts(b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
	buf_put_html(b, link, strlen(link));
	buf_puts(b, "\"/>\n");
	buf_printf(b, "<updated>%sT00:00:00Z</updated>\n",
	    p->meta.updated ? p->meta.updated : p->meta.date);
	buf_printf(b, "<category term=\"%s\"/>\n",
	    change_type_name(p->meta.type));
	if (p->meta.description)
		xml_element(b, "summary", p->meta.description);
	buf_puts(b, "<content type=\"html\">");
	if (p->html)
		buf_put_html(b, p->html, strlen(p->html));
	buf_puts(b, "</content>\n</entry>\n");
	free(link);
}

static int
write_atom(const struct site *s, const struct out_dir *o,
    uint64_t key)
{
	struct buf	 b = { 0 };
	char		*self, *list;
	size_t		 i;

	if (s->changelog_list == NULL)
		return 1;
	self = absolute(s, "/changelog/feed.xml");
	list = absolute(s, s->changelog_list->url);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"");
	buf_put_html(&b, s->cfg.base_url, strlen(s->cfg.base_url));
	buf_puts(&b, "\">\n");
	xml_element(&b, "title", s->cfg.title);
	buf_puts(&b, "<subtitle>Changelog</subtitle>\n");
	xml_element(&b, "id", list);
	buf_puts(&b, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	buf_put_html(&b, self, strlen(self));
	buf_puts(&b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	buf_put_html(&b, list, strlen(list));
	buf_puts(&b, "\"/>\n");
	buf_printf(&b, "<updated>%sT00:00:00Z</updated>\n",
	    s->nchangelog ? s->changelog[0]->meta.date : "1970-01-01");
	buf_puts(&b, "<author><name>");
	buf_put_html(&b, s->cfg.title, strlen(s->cfg.title));
	buf_puts(&b, "</name></author>\n<generator>Porch</generator>\n");
	for (i = 0; i < s->nchangelog && (long)i < s->cfg.feed_limit; i++)
		atom_entry(&b, s, s->changelog[i]);
	buf_puts(&b, "</feed>\n");
	free(self);
	free(list);
	return write_buf(o, FEED_ATOM, &b, key);
}

/* Appends ,\n and a key INDENT spaces deep, as jansson's JSON_INDENT(1)
 * writes a member of an object (first: no comma). */
static void
put_key(struct buf *b, size_t indent, const char *key, int first)
{
	char	 line[64];
	size_t	 klen = strlen(key), n = 0;

	/* One append (the catalog has five for each page): the keys are
	 * the catalog's own, short names, and the indent at most 4. */
	if (klen + indent + 8 > sizeof(line) || indent > 4)
		abort();
	if (!first)
		line[n++] = ',';
	line[n++] = '\n';
	memset(line + n, ' ', indent);
	n += indent;
	line[n++] = '"';
	memcpy(line + n, key, klen);
	n += klen;
	memcpy(line + n, "\": ", 3);
	buf_append(b, line, n + 3);
}

/* A string member, null when s is NULL. */
static void
put_member(struct buf *b, size_t indent, const char *key, const char *s,
    int first)
{
	put_key(b, indent, key, first);
	if (s != NULL)
		buf_put_json(b, s);
	else
		buf_puts(b, "null");
}

/* The articles, as json_dumps with JSON_INDENT(1) writes the array one
 * level deep in the catalog. */
static void
catalog_articles(const struct site *s, struct buf *b)
{
	static const char *const sections[] = { "page", "docs", "faq",
	    "changelog", "roadmap" };
	const struct page *p;
	size_t		 i, n = 0;

	buf_putc(b, '[');
	for (i = 0; i < s->npages; i++) {
		p = s->pages[i];
		if (p->source == NULL || p->is_intro)
			continue;
		buf_puts(b, n++ ? ",\n  {" : "\n  {");
		put_member(b, 3, "id", p->url, 1);
		put_member(b, 3, "url", p->url, 0);
		put_member(b, 3, "title", p->title, 0);
		put_member(b, 3, "section", sections[p->section], 0);
		if (p->meta.description)
			put_member(b, 3, "description", p->meta.description,
			    0);
		buf_puts(b, "\n  }");
	}
	buf_puts(b, n ? "\n ]" : "]");
}

/* The roadmap array, as json_dumps with JSON_INDENT(1) writes it one
 * level deep in the catalog. */
static void
catalog_roadmap(const struct site *s, struct buf *b)
{
	const struct page *p, *in;
	size_t		 i;

	buf_putc(b, '[');
	for (i = 0; i < s->nroadmap; i++) {
		p = s->roadmap[i];
		in = p->shipped_in;
		buf_puts(b, i ? ",\n  {" : "\n  {");
		put_member(b, 3, "id", p->meta.id, 1);
		put_member(b, 3, "title", p->title, 0);
		put_member(b, 3, "url", p->url, 0);
		put_member(b, 3, "status",
		    roadmap_status_name(p->meta.status), 0);
		put_member(b, 3, "quarter", p->meta.quarter, 0);
		put_member(b, 3, "category", p->meta.category, 0);
		if (p->meta.date || (in && in->meta.date))
			put_member(b, 3, "date", p->meta.date ? p->meta.date :
			    in->meta.date, 0);
		put_key(b, 3, "shipped_in", 0);
		if (in != NULL) {
			buf_putc(b, '{');
			put_member(b, 4, "version", in->meta.version, 1);
			put_member(b, 4, "url", in->url, 0);
			put_member(b, 4, "date", in->meta.date, 0);
			buf_puts(b, "\n   }");
		} else
			buf_puts(b, "null");
		buf_puts(b, "\n  }");
	}
	buf_puts(b, s->nroadmap ? "\n ]" : "]");
}

/* The changelog array, likewise. */
static void
catalog_changelog(const struct site *s, struct buf *b)
{
	const struct page *p;
	size_t		 i, j;

	buf_putc(b, '[');
	for (i = 0; i < s->nchangelog; i++) {
		p = s->changelog[i];
		buf_puts(b, i ? ",\n  {" : "\n  {");
		put_member(b, 3, "version", p->meta.version, 1);
		put_member(b, 3, "title", p->title, 0);
		put_member(b, 3, "url", p->url, 0);
		put_member(b, 3, "date", p->meta.date, 0);
		put_member(b, 3, "type", change_type_name(p->meta.type), 0);
		put_key(b, 3, "ships", 0);
		buf_putc(b, '[');
		for (j = 0; j < p->nships; j++) {
			buf_puts(b, j ? ",\n    " : "\n    ");
			buf_put_json(b, p->ships[j]->meta.id);
		}
		buf_puts(b, p->nships ? "\n   ]" : "]");
		buf_puts(b, "\n  }");
	}
	buf_puts(b, s->nchangelog ? "\n ]" : "]");
}

/*
 * The lists jansson leaves empty in the catalog's text, one space deep
 * (no other key is), in the order it writes them, and what fills each.
 * The articles, the roadmap and the changelog are thousands of values at
 * 10,000 pages: made, dumped and freed by jansson they took 30 ms of
 * every build that changed a title, for text written here in a few.
 */
static const struct {
	const char	*place;
	void		(*put)(const struct site *, struct buf *);
} lists[] = {
	{ "\n \"articles\": []", catalog_articles },
	{ "\n \"roadmap\": []", catalog_roadmap },
	{ "\n \"changelog\": []", catalog_changelog },
};

static int
write_catalog(const struct site *s, const struct out_dir *o,
    uint64_t key)
{
	json_t	*c, *cfg = s->cfg.json;
	struct buf b = { 0 };
	char	*text;
	const char *at, *place;
	size_t	 i;
	int	 ok = 1;

	c = json_pack("{s:s, s:i, s:{s:O, s:O, s:O, s:O, s:O, s:o}, s:[], "
	    "s:[], s:[], s:O, s:O}",
	    "format", "porch-catalog", "version", CATALOG_VERSION,
	    "site", "title", json_object_get(cfg, "title"),
	    "base_url", json_object_get(cfg, "base_url"),
	    "language", json_object_get(cfg, "language"),
	    "endpoint", json_object_get(cfg, "endpoint"),
	    "ticket_prefix", json_object_get(json_object_get(cfg, "tickets"),
	    "prefix"),
	    "cors_origins", json_object_get(cfg, "cors_origins") ?
	    json_incref(json_object_get(cfg, "cors_origins")) : json_array(),
	    "articles", "roadmap", "changelog",
	    "tickets", json_object_get(cfg, "tickets"),
	    "accounts", json_object_get(cfg, "accounts"));
	if (c == NULL)
		return 0;
	/* porchd accepts zero-result queries only when the site asks. */
	json_object_set(json_object_get(c, "site"), "search",
	    json_object_get(cfg, "search"));
	text = json_dumps(c, JSON_INDENT(1));
	json_decref(c);
	/* About what the last one took: no copies as it grows. */
	buf_grow(&b, s->npages * 320 + strlen(text));
	for (at = text, i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if ((place = strstr(at, lists[i].place)) == NULL) {
			diag_error(FEED_CATALOG, 0, 0, "cannot place the "
			    "lists (a bug)");
			ok = 0;
			break;
		}
		place += strlen(lists[i].place) - 2;	/* at the [] */
		buf_append(&b, at, (size_t)(place - at));
		lists[i].put(s, &b);
		at = place + 2;
	}
	if (ok) {
		buf_puts(&b, at);
		ok = out_write_keyed(o, FEED_CATALOG, b.data, b.len, key);
	}
	free(text);
	buf_free(&b);
	return ok;
}

const struct feed feeds[] = {
	{ FEED_ROBOTS, write_robots, robots_inputs },
	{ FEED_ATOM, write_atom, NULL },
	{ FEED_CATALOG, write_catalog, NULL },
};
const size_t nfeeds = sizeof(feeds) / sizeof(feeds[0]);
