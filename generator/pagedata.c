#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "anchors.h"
#include "pagedata.h"
#include "path.h"
#include "indexing.h"
#include "portal.h"
#include "template.h"
#include "xalloc.h"

/* Questions per category that /faq/ lists (as links) on a large site. */
#define FAQ_PREVIEW	5

static const char *const kind_names[] = {
	[KIND_HOME] = "home", [KIND_PAGE] = "page", [KIND_DOCS] = "docs",
	[KIND_FAQ] = "faq", [KIND_FAQ_LIST] = "faq_list",
	[KIND_FAQ_CATEGORY] = "faq_category", [KIND_CHANGELOG] = "changelog",
	[KIND_CHANGELOG_LIST] = "changelog_list", [KIND_ROADMAP] = "roadmap",
	[KIND_ROADMAP_LIST] = "roadmap_list", [KIND_TAGS] = "tags",
	[KIND_TAG] = "tag", [KIND_404] = "404", [KIND_ALIAS] = "alias",
	[KIND_SEARCH] = "search", [KIND_PORTAL] = "portal",
};

static const char *const templates[] = {
	[KIND_HOME] = "home.html", [KIND_PAGE] = "page.html",
	[KIND_DOCS] = "docs.html", [KIND_FAQ] = "faq.html",
	[KIND_FAQ_LIST] = "faq_list.html",
	[KIND_FAQ_CATEGORY] = "faq_list.html",
	[KIND_CHANGELOG] = "changelog.html",
	[KIND_CHANGELOG_LIST] = "changelog_list.html",
	[KIND_ROADMAP] = "roadmap.html",
	[KIND_ROADMAP_LIST] = "roadmap_list.html", [KIND_TAGS] = "tags.html",
	[KIND_TAG] = "tag.html", [KIND_404] = "404.html",
	[KIND_ALIAS] = "alias.html", [KIND_SEARCH] = "search.html",
};

static const char *const section_names[] = {
	[SECTION_PAGE] = "page", [SECTION_DOCS] = "docs",
	[SECTION_FAQ] = "faq", [SECTION_CHANGELOG] = "changelog",
	[SECTION_ROADMAP] = "roadmap",
};

const char *
pagedata_template(const struct page *p)
{
	if (p->kind == KIND_PORTAL)
		return portal_template(p);
	return templates[p->kind];
}

/* Sets key to a string, or leaves it out when s is NULL. */
/*
 * Rendered HTML as a JSON string without jansson's UTF-8 check, which
 * read every byte of every page's content again (15% of an incremental
 * build): the sources are checked to be UTF-8 when they are read
 * (model.c) and cmark-gfm writes UTF-8 from UTF-8.
 */
static json_t *
html_json(const char *html)
{
	return json_string_nocheck(html);
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

static const char *
type_label(enum change_type t)
{
	switch (t) {
	case CHANGE_FEATURE: return "Feature";
	case CHANGE_IMPROVEMENT: return "Improvement";
	case CHANGE_FIX: return "Fix";
	case CHANGE_SECURITY: return "Security";
	default: return "";
	}
}

json_t *
pagedata_front(const struct fm_value *v)
{
	json_t	*j;
	size_t	 i;

	switch (v->kind) {
	case FM_BOOL: return json_boolean(v->b);
	case FM_INT: return json_integer(v->i);
	case FM_FLOAT: return json_real(v->f);
	case FM_STRING: return json_string(v->str);
	case FM_LIST:
		j = json_array();
		for (i = 0; i < v->n; i++)
			json_array_append_new(j, pagedata_front(&v->items[i]));
		return j;
	case FM_MAP:
		j = json_object();
		for (i = 0; i < v->n; i++)
			json_object_set_new(j, v->pairs[i].key,
			    pagedata_front(&v->pairs[i].value));
		return j;
	default:
		return json_null();
	}
}

/* The pagedata_page call in progress on this thread: where it lists the
 * other pages whose fields it shows (NULL: not listed).  A static, not an
 * argument of every helper below, as each of them shows another page's
 * fields only through seen(). */
static _Thread_local struct page_reads *reading;

/* Notes that the data being made shows fields of t. */
static const struct page *
seen(const struct page *t)
{
	struct page_reads *r = reading;

	if (r != NULL) {
		r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v), &r->cap);
		r->v[r->n++] = t->index;
	}
	return t;
}

/* { title, url } of a page. */
static json_t *
link_of(const struct page *p)
{
	seen(p);
	return json_pack("{s:s, s:s}", "title", p->title, "url", p->url);
}

/* What a docs node says of its page, besides its children: docs_node
 * writes it and docs_hash hashes it, from this one list.
 * has_children lets a theme show a closed section as a section without
 * reading its list (its length is a read of it, template.h): the default
 * sidebar does, so a page added to one section does not make every
 * page whose sidebar shows that section again. */
struct docs_fields {
	const char	*title, *url, *description;
	json_int_t	 weight;
	int		 has_children;
};

static void
docs_fields_of(const struct page *p, struct docs_fields *f)
{
	f->title = p->title;
	f->url = p->url;
	f->description = p->meta.description;
	f->weight = (json_int_t)p->meta.weight;
	f->has_children = p->nchildren > 0;
}

/* The id of the docs tree's root in the site data, which is in every
 * key: not its page's index, which a page added before it moves.  The
 * other nodes are their pages' indexes, their lists of children
 * children_id's; the site lists (list_names) are the ids just
 * below the root's. */
#define DOCS_ROOT_ID	((json_int_t)INT64_MAX)
#define LIST_ID(k)	(DOCS_ROOT_ID - 1 - (json_int_t)(k))

static json_int_t
children_id(size_t index)
{
	return -1 - (json_int_t)index;
}

/*
 * A node of the docs tree, its children deferred (template.h): a page
 * reads the top of the tree and its own branch, and making the whole
 * 7,000-node tree was most of the site data's 10 ms at 10,000 pages.
 * Built with direct calls, not json_pack, whose format parsing was most
 * of making a node.
 */
static json_t *
docs_node(const struct page *p)
{
	struct docs_fields f;
	json_t		*n = json_object();

	docs_fields_of(p, &f);
	json_object_set_new_nocheck(n, "title", json_string(f.title));
	json_object_set_new_nocheck(n, "url", json_string(f.url));
	json_object_set_new_nocheck(n, "weight", json_integer(f.weight));
	json_object_set_new_nocheck(n, "has_children",
	    json_boolean(f.has_children));
	set_str(n, "description", f.description);
	json_object_set_new_nocheck(n, "children",
	    tpl_deferred_tracked(children_id(p->index)));
	return n;
}

/* The children of a docs node, each deferred: a render reads them all
 * (the tracked list) or none. */
static json_t *
docs_children(const struct page *p)
{
	json_t	*kids = json_array();
	size_t	 i;

	for (i = 0; i < p->nchildren; i++)
		json_array_append_new(kids,
		    tpl_deferred((json_int_t)p->children[i]->index));
	return kids;
}

const struct page *
pagedata_docs_read(const struct site *s, json_int_t id, int *children)
{
	*children = id < 0;
	if (id == DOCS_ROOT_ID)
		return s->docs_root;
	if (id < 0)
		id = -1 - id;
	return (size_t)id < s->npages ? s->pages[id] : NULL;
}

int
pagedata_list_read(json_int_t id)
{
	return id < DOCS_ROOT_ID && id >= LIST_ID(PAGEDATA_NLISTS - 1) ?
	    (int)(DOCS_ROOT_ID - 1 - id) : -1;
}


/* v with its length before it (UINT64_MAX for NULL, apart from ""). */
static void
hash_str(XXH3_state_t *st, const char *v)
{
	uint64_t	 n = v != NULL ? strlen(v) : UINT64_MAX;

	XXH3_64bits_update(st, &n, sizeof(n));
	if (v != NULL)
		XXH3_64bits_update(st, v, (size_t)n);
}

static void
hash_docs(XXH3_state_t *st, const struct page *p)
{
	struct docs_fields f;
	uint64_t	 v[2];
	size_t		 i;

	docs_fields_of(p, &f);
	hash_str(st, f.title);
	hash_str(st, f.url);
	hash_str(st, f.description);
	v[0] = (uint64_t)f.weight;
	v[1] = p->nchildren;
	XXH3_64bits_update(st, v, sizeof(v));
	for (i = 0; i < p->nchildren; i++)
		hash_docs(st, p->children[i]);
}

static uint64_t
docs_hash(const struct site *s)
{
	XXH3_state_t	*st = XXH3_createState();
	uint64_t	 h;

	XXH3_64bits_reset(st);
	if (s->docs_root != NULL)
		hash_docs(st, s->docs_root);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

static json_t *
changelog_summary(const struct page *p)
{
	json_t	*j = json_pack("{s:s, s:s, s:s, s:s}", "title", p->title,
		    "url", p->url, "type", change_type_name(p->meta.type),
		    "type_label", type_label(p->meta.type));

	set_str(j, "version", p->meta.version);
	set_str(j, "date", p->meta.date);
	return j;
}

/* The site lists, by number (pagedata.h), under these names. */
static const char *const list_names[PAGEDATA_NLISTS] = {
	"faq_categories", "recent_changes", "roadmap_counts"
};

static json_t *
faq_categories(const struct site *s)
{
	json_t	*cats = json_array();
	size_t	 i;

	for (i = 0; i < s->ncats; i++)
		json_array_append_new(cats, json_pack("{s:s, s:s, s:s, s:I}",
		    "name", s->cats[i].name, "slug", s->cats[i].slug, "url",
		    s->cats[i].page->url, "count",
		    (json_int_t)s->cats[i].nquestions));
	return cats;
}

static json_t *
recent_changes(const struct site *s)
{
	json_t	*recent = json_array();
	size_t	 i;

	for (i = 0; i < s->nchangelog && i < 5; i++)
		json_array_append_new(recent, changelog_summary(s->changelog[i]));
	return recent;
}

static json_t *
roadmap_counts(const struct site *s)
{
	size_t	 i, n[STATUS_SHIPPED + 1] = { 0 };

	for (i = 0; i < s->nroadmap; i++)
		n[s->roadmap[i]->meta.status]++;
	return json_pack("{s:I, s:I, s:I, s:I}", "considering",
	    (json_int_t)n[STATUS_CONSIDERING], "planned",
	    (json_int_t)n[STATUS_PLANNED], "in_progress",
	    (json_int_t)n[STATUS_IN_PROGRESS], "shipped",
	    (json_int_t)n[STATUS_SHIPPED]);
}

static json_t *
site_list(const struct site *s, int list)
{
	switch (list) {
	case 0:
		return faq_categories(s);
	case 1:
		return recent_changes(s);
	default:
		return roadmap_counts(s);
	}
}

/* Its JSON text, hashed: the lists are a few dozen values. */
static uint64_t
list_hash(const struct site *s, int list)
{
	json_t	*v = site_list(s, list);
	char	*text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = XXH3_64bits_withSeed(text, strlen(text),
		     (uint64_t)list);

	free(text);
	json_decref(v);
	return h;
}

void
pagedata_deferred(const struct site *s, struct pagedata_deferred *d)
{
	int		 k;

	d->docs = docs_hash(s);
	for (k = 0; k < PAGEDATA_NLISTS; k++)
		d->lists[k] = list_hash(s, k);
	d->all = XXH3_64bits(d, offsetof(struct pagedata_deferred, all));
}

json_t *
pagedata_expand(void *site, json_int_t id)
{
	const struct page *p;
	int		 children, list;

	if ((list = pagedata_list_read(id)) >= 0)
		return site_list(site, list);
	if ((p = pagedata_docs_read(site, id, &children)) == NULL)
		return NULL;
	return children ? docs_children(p) : docs_node(p);
}

json_t *
pagedata_site(const struct site *s, json_t *assets)
{
	json_t	*j = json_deep_copy(s->cfg.json);
	int	 k;

	if (s->docs_root != NULL)
		json_object_set_new(j, "docs",
		    tpl_deferred_tracked(DOCS_ROOT_ID));
	for (k = 0; k < PAGEDATA_NLISTS; k++)
		json_object_set_new(j, list_names[k],
		    tpl_deferred_tracked(LIST_ID(k)));
	if (s->changelog_list != NULL)
		json_object_set_new(j, "feed",
		    json_string("/changelog/feed.xml"));
	json_object_set(j, "assets", assets);
	json_object_set_new(j, "generator", json_string("Porch " PORCH_VERSION));
	return j;
}

/* The HTML of a page a list shows whole (model_shown_whole), its heading
 * ids prefixed with prefix so that they stay unique on the list page. */
static char *
html_prefixed(const struct page *p, const char *prefix)
{
	size_t	 n;
	char	**ids = model_anchor_list(p, &n);
	char	*html = anchors_prefix(p->html ? p->html : "", ids, n, prefix);

	free(ids);
	return html;
}

static json_t *
toc_of(const struct md_doc *doc)
{
	json_t	*toc = json_array();
	size_t	 i;

	for (i = 0; doc != NULL && i < doc->nheadings; i++)
		if (doc->headings[i].level == 2 || doc->headings[i].level == 3)
			json_array_append_new(toc, json_pack("{s:s, s:s, s:i}",
			    "id", doc->headings[i].id, "text",
			    doc->headings[i].text, "level",
			    doc->headings[i].level));
	return toc;
}

static json_t *
tags_of(const struct site *s, const struct page *p)
{
	json_t	*tags = json_array();
	char	*slug, *url;
	size_t	 i;

	(void)s;
	for (i = 0; i < p->meta.tags.n; i++) {
		slug = path_slug(p->meta.tags.v[i]);
		url = xasprintf("/tags/%s/", slug);
		json_array_append_new(tags, json_pack("{s:s, s:s}", "name",
		    p->meta.tags.v[i], "url", url));
		free(url);
		free(slug);
	}
	return tags;
}

static char *
edit_url(const struct site *s, const struct page *p)
{
	json_t		*repo = json_object_get(s->cfg.json, "repository");
	const char	*base, *branch, *dir;
	char		*file, *url;

	if (repo == NULL || p->source == NULL)
		return NULL;
	base = json_string_value(json_object_get(repo, "url"));
	branch = json_string_value(json_object_get(repo, "branch"));
	dir = json_string_value(json_object_get(repo, "path"));
	file = path_join(dir, p->source);
	url = xasprintf("%s%sedit/%s/%s", base,
	    path_has_suffix(base, "/") ? "" : "/", branch, file);
	free(file);
	return url;
}

/* Breadcrumbs: the section's root down to the page's parent. */
static json_t *
breadcrumbs_of(const struct site *s, const struct page *p)
{
	json_t		*crumbs = json_array();
	const struct page *chain[64], *a;
	size_t		 n = 0;

	if (p->kind == KIND_DOCS) {
		for (a = p->parent; a != NULL && n < 64; a = a->parent)
			chain[n++] = a;
		while (n > 0)
			json_array_append_new(crumbs, link_of(chain[--n]));
	} else if ((p->kind == KIND_FAQ || p->kind == KIND_FAQ_CATEGORY) &&
	    s->faq_list) {
		json_array_append_new(crumbs, link_of(s->faq_list));
		if ((p->kind == KIND_FAQ && p->category) ||
		    (p->kind == KIND_FAQ_CATEGORY && p->pageno > 1))
			json_array_append_new(crumbs,
			    link_of(p->category->page));
	} else if ((p->kind == KIND_CHANGELOG ||
	    (p->kind == KIND_CHANGELOG_LIST && p->pageno > 1)) &&
	    s->changelog_list)
		json_array_append_new(crumbs, link_of(s->changelog_list));
	else if (p->kind == KIND_ROADMAP && s->roadmap_list)
		json_array_append_new(crumbs, link_of(s->roadmap_list));
	else if (p->kind == KIND_TAG && s->tags_page) {
		json_array_append_new(crumbs, link_of(s->tags_page));
		if (p->pageno > 1)
			json_array_append_new(crumbs, link_of(p->list_head));
	}
	return crumbs;
}

static void
add_docs_fields(json_t *j, const struct page *p)
{
	json_t		*kids = json_array(), *path = json_array();
	const struct page *a;
	size_t		 i;

	if (p->prev)
		json_object_set_new(j, "prev", link_of(p->prev));
	if (p->next)
		json_object_set_new(j, "next", link_of(p->next));
	for (i = 0; i < p->nchildren; i++) {
		json_t *c = link_of(p->children[i]);

		set_str(c, "description", p->children[i]->meta.description);
		json_array_append_new(kids, c);
	}
	json_object_set_new(j, "children", kids);
	for (a = p; a != NULL; a = a->parent)
		json_array_insert_new(path, 0, json_string(a->url));
	json_object_set_new(j, "nav_path", path);
}

static char *
faq_anchor(const struct page *p)
{
	return path_stem(p->source);
}

/*
 * A FAQ category for templates: name, slug, url, count and, when
 * with_questions, its questions [first, first + n) (clamped), with their
 * answers' HTML unless summary (title and url only: the FAQ list of a
 * large site links to answers instead of holding them all).
 */
static json_t *
category_of(const struct faq_category *c, int with_questions, size_t first,
    size_t n, int summary)
{
	json_t	*j = json_pack("{s:s, s:s, s:s, s:I}", "name", c->name, "slug",
		    c->slug, "url", c->page->url, "count",
		    (json_int_t)c->nquestions);
	json_t	*qs;
	size_t	 i;
	char	*id, *html;

	if (!with_questions)
		return j;
	qs = json_array();
	for (i = first; i < c->nquestions && i - first < n; i++) {
		const struct page *q = c->questions[i];

		if (summary) {
			json_array_append_new(qs, link_of(q));
			continue;
		}
		id = faq_anchor(q);
		html = html_prefixed(q, id);
		json_array_append_new(qs, json_pack("{s:s, s:s, s:s, s:s, s:o}",
		    "title", q->title, "url", q->url, "id", id, "content",
		    html, "tags", tags_of(NULL, q)));
		free(html);
		free(id);
	}
	json_object_set_new(j, "questions", qs);
	return j;
}

static json_t *
ships_of(const struct page *p)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < p->nships; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "id",
		    seen(p->ships[i])->meta.id, "title", p->ships[i]->title,
		    "url", p->ships[i]->url));
	return a;
}

/* 1 if some roadmap item of s has status st. */
static int
has_status(const struct site *s, enum roadmap_status st)
{
	size_t	 i;

	for (i = 0; i < s->nroadmap; i++)
		if (s->roadmap[i]->meta.status == st)
			return 1;
	return 0;
}

static json_t *
roadmap_item(const struct page *p)
{
	json_t	*j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", p->meta.id,
		    "title", p->title, "url", p->url, "status",
		    roadmap_status_name(p->meta.status), "status_label",
		    roadmap_status_label(p->meta.status) ?
		    roadmap_status_label(p->meta.status) : "");

	set_str(j, "description", p->meta.description);
	set_str(j, "quarter", p->meta.quarter);
	set_str(j, "category", p->meta.category);
	/* for sorting by date (shipped items also have shipped_in.date) */
	set_str(j, "date", p->meta.date);
	if (p->has_votes)
		json_object_set_new(j, "votes", json_integer(p->votes));
	if (p->shipped_in) {
		json_t *in = json_pack("{s:s, s:s}", "version",
		    seen(p->shipped_in)->meta.version, "url",
		    p->shipped_in->url);

		set_str(in, "date", p->shipped_in->meta.date);
		json_object_set_new(j, "shipped_in", in);
	}
	return j;
}

/* A tag's page: the tag, this page's slice of the pages that have it and,
 * on the list's first page only, how many those are: so a page tagged
 * anew makes again the pages of the list from its place on, not those
 * before it. */
static void
add_tag_fields(const struct site *s, json_t *j, const struct page *p)
{
	const struct tag *tag = model_tag_of(s, p);
	json_t		*a = json_array();
	size_t		 k, first = 0, end = 0;

	set_str(j, "tag", p->tag);
	if (tag != NULL) {
		first = p->npageno ? p->first : 0;
		end = p->npageno ? p->first + p->count : tag->npages;
		if (end > tag->npages)
			end = tag->npages;
	}
	for (k = first; k < end; k++) {
		const struct page *t = tag->pages[k];
		json_t *e = link_of(t);

		set_str(e, "description", t->meta.description);
		json_object_set_new(e, "section", json_string(
		    section_names[t->section]));
		json_array_append_new(a, e);
	}
	json_object_set_new(j, "pages", a);
	if (tag != NULL && p->pageno <= 1)
		json_object_set_new(j, "count",
		    json_integer((json_int_t)tag->npages));
}

/* page.pagination of a list split over pages (see paginate.c). */
static json_t *
pagination_of(const struct page *p)
{
	json_t	*j = json_pack("{s:I, s:I, s:s}", "page", (json_int_t)p->pageno,
		    "pages", (json_int_t)p->npageno, "first", p->list_head->url);

	if (p->pager_prev)
		json_object_set_new(j, "prev", json_string(p->pager_prev->url));
	if (p->pager_next)
		json_object_set_new(j, "next", json_string(p->pager_next->url));
	return j;
}

static void
add_kind_fields(const struct site *s, json_t *j, const struct page *p)
{
	json_t	*a, *items;
	size_t	 i, k;
	char	*id;
	int	 summary;

	if (p->npageno > 0)
		json_object_set_new(j, "pagination", pagination_of(p));

	switch (p->kind) {
	case KIND_DOCS:
		add_docs_fields(j, p);
		break;
	case KIND_FAQ:
		if (p->category)
			json_object_set_new(j, "category",
			    category_of(p->category, 0, 0, 0, 0));
		id = faq_anchor(p);
		json_object_set_new(j, "id", json_string(id));
		free(id);
		break;
	case KIND_FAQ_LIST:
		/* Beyond faq_per_page questions, /faq/ shows each category's
		 * first questions as links; the answers are on the (paginated)
		 * category pages. */
		for (i = 0, k = 0; i < s->ncats; i++)
			k += s->cats[i].nquestions;
		summary = (long)k > s->cfg.faq_per_page;
		if (summary)
			json_object_set_new(j, "summary", json_true());
		a = json_array();
		for (i = 0; i < s->ncats; i++)
			json_array_append_new(a, category_of(&s->cats[i], 1, 0,
			    summary ? FAQ_PREVIEW : (size_t)-1, summary));
		json_object_set_new(j, "categories", a);
		break;
	case KIND_FAQ_CATEGORY:
		a = json_array();
		json_array_append_new(a, category_of(p->category, 1, p->first,
		    p->npageno ? p->count : (size_t)-1, 0));
		json_object_set_new(j, "categories", a);
		break;
	case KIND_CHANGELOG:
		set_str(j, "version", p->meta.version);
		json_object_set_new(j, "type",
		    json_string(change_type_name(p->meta.type)));
		json_object_set_new(j, "type_label",
		    json_string(type_label(p->meta.type)));
		json_object_set_new(j, "ships", ships_of(p));
		break;
	case KIND_CHANGELOG_LIST:
		a = json_array();
		for (i = p->first; i < s->nchangelog &&
		    (p->npageno == 0 || i - p->first < p->count); i++) {
			const struct page *c = s->changelog[i];
			json_t *e = changelog_summary(c);
			char *stem = path_stem(c->source);
			char *html = html_prefixed(c, stem);

			json_object_set_new(e, "content", html_json(html));
			json_object_set_new(e, "id", json_string(stem));
			free(html);
			free(stem);
			json_object_set_new(e, "ships", ships_of(s->changelog[i]));
			json_array_append_new(a, e);
		}
		json_object_set_new(j, "entries", a);
		json_object_set_new(j, "feed", json_string("/changelog/feed.xml"));
		break;
	case KIND_ROADMAP:
		items = roadmap_item(p);
		json_object_update(j, items);
		json_decref(items);
		break;
	case KIND_ROADMAP_LIST:
		a = json_array();
		for (k = STATUS_CONSIDERING; k <= STATUS_SHIPPED; k++) {
			/* the ideas column only on roadmaps that have ideas */
			if (k == STATUS_CONSIDERING && !has_status(s, k))
				continue;
			items = json_array();
			for (i = 0; i < s->nroadmap; i++)
				if (s->roadmap[i]->meta.status == k)
					json_array_append_new(items,
					    roadmap_item(s->roadmap[i]));
			json_array_append_new(a, json_pack("{s:s, s:s, s:o}",
			    "status", roadmap_status_name(k), "label",
			    roadmap_status_label(k), "items", items));
		}
		json_object_set_new(j, "columns", a);
		break;
	case KIND_TAGS:
		a = json_array();
		for (i = 0; i < s->ntags; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:I}",
			    "name", s->tags[i].name, "url", s->tags[i].page->url,
			    "count", (json_int_t)s->tags[i].npages));
		json_object_set_new(j, "tags", a);
		break;
	case KIND_TAG:
		add_tag_fields(s, j, p);
		break;
	case KIND_ALIAS:
		json_object_set_new(j, "target", json_string(p->target->url));
		break;
	case KIND_PORTAL:
		json_object_set_new(j, "portal", json_string(p->portal));
		break;
	default:
		break;
	}
}

json_t *
pagedata_page(const struct site *s, const struct page *p,
    const struct md_doc *doc, struct page_reads *reads)
{
	json_t		*j = json_object();
	const char	*html = doc ? doc->html :
			    p->intro && p->intro->html ? p->intro->html : "";
	char		*permalink, *edit;
	struct fm_value	 fm = { 0 };

	reading = reads;
	json_object_set_new(j, "kind", json_string(kind_names[p->kind]));
	json_object_set_new(j, "section", json_string(p->kind == KIND_HOME ?
	    "home" : p->kind == KIND_TAG || p->kind == KIND_TAGS ? "tags" :
	    p->kind == KIND_PORTAL ? "portal" :
	    section_names[p->section]));
	json_object_set_new(j, "title", json_string(p->title));
	set_str(j, "description", p->meta.description);
	json_object_set_new(j, "url", json_string(p->url));
	permalink = path_join(s->cfg.base_url, p->url + 1);
	json_object_set_new(j, "permalink", json_string(permalink));
	free(permalink);
	set_str(j, "source", p->source ? p->source :
	    p->intro ? p->intro->source : NULL);
	json_object_set_new(j, "content", html_json(html));
	json_object_set_new(j, "toc", toc_of(doc));
	json_object_set_new(j, "tags", tags_of(s, p));
	set_str(j, "date", p->meta.date);
	set_str(j, "updated", p->meta.updated);
	if (p->meta.has_weight)
		json_object_set_new(j, "weight", json_integer(p->meta.weight));
	json_object_set_new(j, "params", p->source ?
	    pagedata_front(model_front(p, &fm)) : json_object());
	front_free(&fm);
	if ((edit = edit_url(s, p->intro ? p->intro : p)) != NULL) {
		json_object_set_new(j, "edit_url", json_string(edit));
		free(edit);
	}
	json_object_set_new(j, "breadcrumbs", breadcrumbs_of(s, p));
	json_object_set_new(j, "indexed", json_boolean(indexing_indexed(p)));
	add_kind_fields(s, j, p);
	reading = NULL;
	return j;
}
