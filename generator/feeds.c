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

/*
 * The articles, as json_dumps with JSON_INDENT(1) writes the array one
 * level deep in the catalog.  Written here rather than by jansson: at
 * 10,000 pages, making, dumping and freeing their 50,000 values took
 * 55 ms of every build that changed a title, for text this writes in a
 * few.
 */
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
		buf_puts(b, n++ ? ",\n  {\n   \"id\": " : "\n  {\n   \"id\": ");
		buf_put_json(b, p->url);
		buf_puts(b, ",\n   \"url\": ");
		buf_put_json(b, p->url);
		buf_puts(b, ",\n   \"title\": ");
		buf_put_json(b, p->title);
		buf_puts(b, ",\n   \"section\": ");
		buf_put_json(b, sections[p->section]);
		if (p->meta.description) {
			buf_puts(b, ",\n   \"description\": ");
			buf_put_json(b, p->meta.description);
		}
		buf_puts(b, "\n  }");
	}
	buf_puts(b, n ? "\n ]" : "]");
}

static json_t *
catalog_roadmap(const struct site *s)
{
	json_t	*a = json_array(), *e;
	size_t	 i;
	const struct page *p;

	for (i = 0; i < s->nroadmap; i++) {
		p = s->roadmap[i];
		e = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "id",
		    p->meta.id, "title", p->title, "url", p->url, "status",
		    roadmap_status_name(p->meta.status), "quarter",
		    p->meta.quarter, "category", p->meta.category);
		if (p->meta.date || (p->shipped_in &&
		    p->shipped_in->meta.date))
			json_object_set_new(e, "date", json_string(
			    p->meta.date ? p->meta.date :
			    p->shipped_in->meta.date));
		if (p->shipped_in)
			json_object_set_new(e, "shipped_in", json_pack(
			    "{s:s, s:s, s:s?}", "version",
			    p->shipped_in->meta.version, "url",
			    p->shipped_in->url, "date",
			    p->shipped_in->meta.date));
		else
			json_object_set_new(e, "shipped_in", json_null());
		json_array_append_new(a, e);
	}
	return a;
}

static json_t *
catalog_changelog(const struct site *s)
{
	json_t	*a = json_array(), *ships;
	size_t	 i, j;
	const struct page *p;

	for (i = 0; i < s->nchangelog; i++) {
		p = s->changelog[i];
		ships = json_array();
		for (j = 0; j < p->nships; j++)
			json_array_append_new(ships,
			    json_string(p->ships[j]->meta.id));
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, "
		    "s:o}", "version", p->meta.version, "title", p->title,
		    "url", p->url, "date", p->meta.date, "type",
		    change_type_name(p->meta.type), "ships", ships));
	}
	return a;
}

/* Where the catalog's text (jansson's) has the articles' place. */
#define ARTICLES_PLACE	"\n \"articles\": []"

static int
write_catalog(const struct site *s, const struct out_dir *o,
    uint64_t key)
{
	json_t	*c, *cfg = s->cfg.json;
	struct buf b = { 0 };
	char	*text, *place;
	int	 ok;

	c = json_pack("{s:s, s:i, s:{s:O, s:O, s:O, s:O, s:O, s:o}, s:[], "
	    "s:o, s:o, s:O, s:O}",
	    "format", "porch-catalog", "version", CATALOG_VERSION,
	    "site", "title", json_object_get(cfg, "title"),
	    "base_url", json_object_get(cfg, "base_url"),
	    "language", json_object_get(cfg, "language"),
	    "endpoint", json_object_get(cfg, "endpoint"),
	    "ticket_prefix", json_object_get(json_object_get(cfg, "tickets"),
	    "prefix"),
	    "cors_origins", json_object_get(cfg, "cors_origins") ?
	    json_incref(json_object_get(cfg, "cors_origins")) : json_array(),
	    "articles",
	    "roadmap", catalog_roadmap(s),
	    "changelog", catalog_changelog(s),
	    "tickets", json_object_get(cfg, "tickets"),
	    "accounts", json_object_get(cfg, "accounts"));
	if (c == NULL)
		return 0;
	/* porchd accepts zero-result queries only when the site asks. */
	json_object_set(json_object_get(c, "site"), "search",
	    json_object_get(cfg, "search"));
	text = json_dumps(c, JSON_INDENT(1));
	json_decref(c);
	/* The only key one space deep of that name: the articles go in. */
	if ((place = strstr(text, ARTICLES_PLACE)) == NULL) {
		diag_error(FEED_CATALOG, 0, 0, "cannot place the articles "
		    "(a bug)");
		free(text);
		return 0;
	}
	place += strlen(ARTICLES_PLACE) - 2;
	buf_append(&b, text, (size_t)(place - text));
	catalog_articles(s, &b);
	buf_puts(&b, place + 2);
	free(text);
	ok = out_write_keyed(o, FEED_CATALOG, b.data, b.len, key);
	buf_free(&b);
	return ok;
}

const struct feed feeds[] = {
	{ FEED_ROBOTS, write_robots, robots_inputs },
	{ FEED_ATOM, write_atom, NULL },
	{ FEED_CATALOG, write_catalog, NULL },
};
const size_t nfeeds = sizeof(feeds) / sizeof(feeds[0]);
