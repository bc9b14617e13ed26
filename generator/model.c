#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <xxhash.h>

#include "diag.h"
#include "frontcache.h"
#include "model.h"
#include "paginate.h"
#include "parallel.h"
#include "path.h"
#include "portal.h"
#include "record.h"
#include "siteindex.h"
#include "utf8.h"
#include "walk.h"
#include "xalloc.h"

/* Larger markdown files are refused: nobody writes one by hand, and a
 * generated one that big would make a page no browser shows well. */
#define MAX_SOURCE_SIZE	(64u * 1024 * 1024)

static struct page *
page_new(struct site *s, enum page_kind kind, enum section section)
{
	struct page	*p = xcalloc(1, sizeof(*p));

	p->kind = kind;
	p->section = section;
	p->index = s->npages;
	s->pages = xreallocarray(s->pages, s->npages + 1, sizeof(*s->pages),
	    &s->cappages);
	s->pages[s->npages++] = p;
	return p;
}

/* Sets url and the output file for a site path ("/a/b/" or "/x.html"),
 * taking url (heap).  By hand, not printf: this runs for every page. */
static void
page_take_url(struct page *p, char *url)
{
	size_t	 len = strlen(url);

	free(p->url);
	free(p->out);
	p->url = url;
	if (len > 0 && url[len - 1] == '/') {
		p->out = xmalloc(len + sizeof("index.html") - 1);
		memcpy(p->out, url + 1, len - 1);
		memcpy(p->out + len - 1, "index.html", sizeof("index.html"));
	} else
		p->out = xstrdup(url + 1);
}

static void
page_set_url(struct page *p, const char *url)
{
	page_take_url(p, xstrdup(url));
}

/* Reads up to len bytes of fd into buf (fewer if the file is shorter
 * now); the count, or -1 on an error (errno set). */
static ssize_t
read_all(int fd, char *buf, size_t len)
{
	size_t	 done = 0;
	ssize_t	 n;

	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/*
 * Reads a whole file into *text (NUL-terminated, heap), and its identity
 * into *stp when not NULL.  Refuses files over MAX_SOURCE_SIZE and text
 * that is not UTF-8, naming the line and column of the first bad byte.
 */
static int
read_source(const char *path, char **text, size_t *len, struct stat *stp)
{
	struct stat	 st;
	size_t		 bad, i, line = 1, col = 1;
	ssize_t		 n = 0;
	int		 fd;

	*text = NULL;
	/* read(2), not stdio: a FILE's buffer, allocated and faulted in for
	 * every file, was a third of reading 10,000 sources. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		diag_error(path, 0, 0, "cannot read: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return 0;
	}
	if ((unsigned long long)st.st_size > MAX_SOURCE_SIZE) {
		diag_error(path, 0, 0, "file is %lld bytes, over the limit of "
		    "%u MiB for one page: split it into several pages",
		    (long long)st.st_size, MAX_SOURCE_SIZE >> 20);
		close(fd);
		return 0;
	}
	if (stp != NULL)
		*stp = st;
	*text = xmalloc((size_t)st.st_size + 1);
	n = read_all(fd, *text, (size_t)st.st_size);
	close(fd);
	if (n == -1) {
		diag_error(path, 0, 0, "cannot read: %s", strerror(errno));
		free(*text);
		*text = NULL;
		return 0;
	}
	*len = (size_t)n;
	(*text)[*len] = '\0';
	if ((bad = utf8_invalid_at(*text, *len)) < *len) {
		for (i = 0; i < bad; i++) {
			if ((*text)[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)(*text)[i] & 0xc0) != 0x80)
				col++;
		}
		diag_error(path, (unsigned)line, (unsigned)col, "not valid UTF-8 "
		    "(byte 0x%02x): save the file as UTF-8",
		    (unsigned char)(*text)[bad]);
		free(*text);
		*text = NULL;
		return 0;
	}
	if (memchr(*text, '\0', *len) != NULL) {
		diag_error(path, 0, 0, "contains a NUL byte: not a text file");
		free(*text);
		*text = NULL;
		return 0;
	}
	return 1;
}

static enum section
section_of(const char *rel)
{
	if (strncmp(rel, "docs/", 5) == 0)
		return SECTION_DOCS;
	if (strncmp(rel, "faq/", 4) == 0)
		return SECTION_FAQ;
	if (strncmp(rel, "changelog/", 10) == 0)
		return SECTION_CHANGELOG;
	if (strncmp(rel, "roadmap/", 8) == 0)
		return SECTION_ROADMAP;
	return SECTION_PAGE;
}

/* The site path of a markdown file: "docs/a/b.md" -> "/docs/a/b/",
 * "docs/a/index.md" -> "/docs/a/", "index.md" -> "/". */
static char *
url_of_source(const char *rel)
{
	char	*stem = path_stem(rel), *url;
	size_t	 len = strlen(rel), dlen, slen;
	const char *slash = strrchr(rel, '/');

	dlen = slash != NULL ? (size_t)(slash - rel) : 0;
	slen = strcmp(stem, "index") == 0 ? 0 : strlen(stem);
	/* "/" dir "/" stem "/": at most len + 3 bytes and the NUL */
	url = xmalloc(len + 4);
	url[0] = '/';
	len = 1;
	if (dlen > 0) {
		memcpy(url + len, rel, dlen);
		len += dlen;
		url[len++] = '/';
	}
	if (slen > 0) {
		memcpy(url + len, stem, slen);
		len += slen;
		url[len++] = '/';
	}
	url[len] = '\0';
	free(stem);
	return url;
}

static enum page_kind
kind_of(enum section section, const char *rel)
{
	switch (section) {
	case SECTION_DOCS: return KIND_DOCS;
	case SECTION_FAQ: return KIND_FAQ;
	case SECTION_CHANGELOG: return KIND_CHANGELOG;
	case SECTION_ROADMAP: return KIND_ROADMAP;
	default: return strcmp(rel, "index.md") == 0 ? KIND_HOME : KIND_PAGE;
	}
}

/* faq/index.md, changelog/index.md and roadmap/index.md are not entries:
 * they are the introduction of their section's list page. */
static int
is_intro(const char *rel)
{
	return strcmp(rel, "faq/index.md") == 0 ||
	    strcmp(rel, "changelog/index.md") == 0 ||
	    strcmp(rel, "roadmap/index.md") == 0;
}

static void
page_free(struct page *p)
{
	free(p->source);
	free(p->file);
	free(p->url);
	free(p->out);
	free(p->title);
	front_meta_free(&p->meta);
	if (p->source)
		front_free(&p->fm);
	free(p->text);
	free(p->children);
	free(p->ships);
	free(p->tag);
	free(p->html_buf);
	page_set_anchors(p, NULL, 0);
	free(p);
}

void
page_set_anchors(struct page *p, char **v, size_t n)
{
	uint64_t	 h = n;
	size_t		 i;

	for (i = 0; p->anchors != NULL && i < p->nanchors; i++)
		free(p->anchors[i]);
	free(p->anchors);
	p->anchors = v;
	p->nanchors = n;
	p->anchors_rec = NULL;
	p->anchors_rec_len = 0;
	/* Each id chained into the next one's seed: ("ab", "c") and ("a",
	 * "bc") differ. */
	for (i = 0; i < n; i++)
		h = XXH3_64bits_withSeed(v[i], strlen(v[i]), h);
	p->anchors_hash = h;
}

void
page_set_anchors_recorded(struct page *p, const void *rec, size_t len,
    size_t n, uint64_t hash)
{
	page_set_anchors(p, NULL, 0);
	p->anchors_rec = rec;
	p->anchors_rec_len = len;
	p->nanchors = n;
	p->anchors_hash = hash;
}

/* One markdown file, read and parsed before its page is made. */
struct source {
	const char	*rel;		/* the walk's path */
	enum section	 section;	/* its content model (an intro's is
					   SECTION_PAGE) */
	char		*file;		/* dir/rel */
	char		*text;		/* NULL: not read (see parsed) */
	int		 parsed;	/* 0: unreadable or bad front matter
					   (reported) */
	struct source_reading r;	/* what reading it gave */
	struct page_meta meta;
	int		 ok;		/* front_meta_read found no problem */
};

struct source_job {
	const char	*dir;
	struct source	*items;
	struct pack	*pack;		/* earlier builds' readings, or NULL */
};

/* Reads and parses src: its text, front matter and body; 1 if both were
 * sound (else reported). */
static int
read_and_parse(struct source *src, struct stat *st)
{
	struct source_reading *r = &src->r;

	if (!read_source(src->file, &src->text, &r->len, st))
		return 0;
	if (!front_parse(src->file, src->text, r->len, &r->fm, &r->body_off,
	    &r->body_line)) {
		free(src->text);
		src->text = NULL;
		return 0;
	}
	r->body_hash = XXH3_64bits(src->text + r->body_off,
	    r->len - r->body_off);
	r->front_hash = XXH3_64bits(src->text, r->body_off);
	return 1;
}

/* The page of a parsed source, taking what it needs from src. */
static struct page *
page_of(struct site *s, struct source *src)
{
	const char	*rel = src->rel;
	struct page	*p;

	p = page_new(s, is_intro(rel) ? KIND_PAGE : kind_of(src->section, rel),
	    section_of(rel));
	p->source = xstrdup(rel);
	p->file = src->file;
	p->meta = src->meta;
	p->fm = src->r.fm;
	p->fm_rec = src->r.fm_rec;
	p->fm_rec_len = src->r.fm_rec_len;
	p->text = src->text;
	p->text_len = src->r.len;
	p->body_off = src->r.body_off;
	p->body_line = src->r.body_line;
	p->body_hash = src->r.body_hash;
	p->front_hash = src->r.front_hash;
	p->title = xstrdup(src->meta.title ? src->meta.title : "");
	p->is_intro = is_intro(rel);
	if (!p->is_intro)
		page_take_url(p, url_of_source(rel));
	return p;
}

/*
 * Reads and parses source i of the job, or takes what that gave from the
 * pack when the file is unchanged (frontcache.h), then its page meta.
 * Depends on that file alone, so model_load runs it for every file on all
 * cores (on a 10,000-page site this was most of the time before rendering
 * starts); diag is thread-safe and sorts its messages.
 */
static void
parse_source(void *ctx, size_t i)
{
	struct source_job *job = ctx;
	struct source	*src = &job->items[i];
	struct stat	 st;
	int		 fresh = 0, meta_read = 0;

	src->file = path_join(job->dir, src->rel);
	if (job->pack != NULL && stat(src->file, &st) == 0 &&
	    front_memo_get(job->pack, src->file, &st, &src->r, &src->meta,
	    &meta_read))
		src->parsed = 1;
	else if (read_and_parse(src, &st))
		src->parsed = fresh = 1;
	else
		return;
	src->ok = meta_read || front_meta_read(src->file, src->section,
	    &src->r.fm, &src->meta);
	if (fresh && job->pack != NULL)
		front_memo_put(job->pack, src->file, &st, &src->r,
		    src->ok ? &src->meta : NULL);
}

const char *
page_body(struct page *p, size_t *len)
{
	char	*text;
	size_t	 n;

	if (p->text == NULL) {
		if (!read_source(p->file, &text, &n, NULL))
			return NULL;
		if (n != p->text_len || XXH3_64bits(text + p->body_off,
		    n - p->body_off) != p->body_hash) {
			diag_error(p->file, 0, 0, "changed while the site was "
			    "being built: build again");
			free(text);
			return NULL;
		}
		p->text = text;
	}
	*len = p->text_len - p->body_off;
	return p->text + p->body_off;
}

/* Makes the page of a parsed source (or skips it as a draft), in the
 * walk's order: made on the parsing threads, the pages were faster to
 * make and slower to read in every later pass over them (their fields
 * scattered among the front matter's); returns 0 when the source had a
 * problem. */
static int
load_markdown(struct site *s, struct source *src, struct page **intros)
{
	struct page	*p;

	if (!src->parsed) {
		free(src->file);
		return 0;
	}
	if (src->meta.draft && !s->drafts) {
		strmap_put(&s->drafts_seen, src->rel, (void *)1);
		front_meta_free(&src->meta);
		front_free(&src->r.fm);
		free(src->text);
		free(src->file);
		return src->ok;
	}
	p = page_of(s, src);
	if (p->is_intro)
		intros[section_of(p->source)] = p;
	else if (p->kind == KIND_HOME)
		s->home = p;
	return src->ok;
}

static void	 add_copy(struct site *, const char *);

/* Reads and parses the markdown files among paths on threads threads,
 * then makes their pages in the walk's order (so the model is the same
 * whatever the thread count) and registers the other files to copy.
 * Returns how many markdown files there were. */
static size_t
load_sources(struct site *s, char **paths, size_t n, int threads,
    struct pack *pack, struct page **intros)
{
	struct source_job job;
	size_t		 i, nmd = 0;

	job.dir = s->dir;
	job.pack = pack;
	job.items = xcalloc(n ? n : 1, sizeof(*job.items));
	for (i = 0; i < n; i++)
		if (path_has_suffix(paths[i], ".md")) {
			job.items[nmd].rel = paths[i];
			job.items[nmd++].section = is_intro(paths[i]) ?
			    SECTION_PAGE : section_of(paths[i]);
		}
	parallel_for(nmd, threads, parse_source, &job);
	for (i = 0; i < nmd; i++)
		load_markdown(s, &job.items[i], intros);
	for (i = 0; i < n; i++)
		if (!path_has_suffix(paths[i], ".md"))
			add_copy(s, paths[i]);
	free(job.items);
	return nmd;
}

/* Registers a file to copy: static/x goes to x, anything else in place. */
static void
add_copy(struct site *s, const char *rel)
{
	struct copy_file *c;

	s->copies = xreallocarray(s->copies, s->ncopies + 1,
	    sizeof(*s->copies), &s->capcopies);
	c = &s->copies[s->ncopies++];
	c->src = path_join(s->dir, rel);
	c->out = xstrdup(strncmp(rel, "static/", 7) == 0 ? rel + 7 : rel);
	strmap_put(&s->files, rel, (void *)(s->ncopies));
}

/* Capitalised folder name with '-' and '_' as spaces, for a section that
 * has no index.md. */
static char *
humanize(const char *name)
{
	char	*t = xstrdup(name), *c;

	for (c = t; *c; c++)
		if (*c == '-' || *c == '_')
			*c = ' ';
	if (t[0] >= 'a' && t[0] <= 'z')
		t[0] = (char)(t[0] - 'a' + 'A');
	return t;
}

static void
add_child(struct page *parent, struct page *child)
{
	parent->children = xreallocarray(parent->children,
	    parent->nchildren + 1, sizeof(*parent->children),
	    &parent->capchildren);
	parent->children[parent->nchildren++] = child;
	child->parent = parent;
}

/* Weight (pages without one after those with one), then title
 * (case-insensitively), then URL. */
static int
cmp_weight_title(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	int	 c;

	if (x->meta.has_weight != y->meta.has_weight)
		return x->meta.has_weight ? -1 : 1;
	if (x->meta.weight != y->meta.weight)
		return x->meta.weight < y->meta.weight ? -1 : 1;
	if ((c = strcasecmp(x->title, y->title)) != 0)
		return c;
	if ((c = strcmp(x->title, y->title)) != 0)
		return c;
	return strcmp(x->url, y->url);
}

/* A page's place in the weight-then-title order, with the first eight
 * bytes of its title folded as strcasecmp folds them, so that most
 * comparisons are of two integers. */
struct ranked {
	int		 has_weight;
	long		 weight;
	uint64_t	 prefix;
	struct page	*p;
};

static uint64_t
folded_prefix(const char *title)
{
	uint64_t	 v = 0;
	size_t		 i, len = strnlen(title, 8);

	/* Short titles end in zero bytes: "ab" sorts before "ab-". */
	for (i = 0; i < 8; i++)
		v = v << 8 | (i < len ?
		    (unsigned char)tolower((unsigned char)title[i]) : 0);
	return v;
}

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->has_weight != y->has_weight)
		return x->has_weight ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return cmp_weight_title(&x->p, &y->p);
}

/*
 * Numbers every page in the order of cmp_weight_title (p->order).  Docs
 * folders, FAQ categories, tags and the roadmap each list pages in that
 * order; sorting each list with titles compared was a tenth of a build's
 * model at 10,000 pages, and the lists are sorted by these numbers now.
 */
static void
rank_pages(struct site *s)
{
	struct ranked	*r = xcalloc(s->npages + 1, sizeof(*r));
	size_t		 i;

	for (i = 0; i < s->npages; i++) {
		r[i].has_weight = s->pages[i]->meta.has_weight;
		r[i].weight = s->pages[i]->meta.weight;
		r[i].prefix = folded_prefix(s->pages[i]->title ?
		    s->pages[i]->title : "");
		r[i].p = s->pages[i];
	}
	xqsort(r, s->npages, sizeof(*r), cmp_ranked);
	for (i = 0; i < s->npages; i++)
		r[i].p->order = i + 1;
	free(r);
}

/* By p->order: cmp_weight_title's order for the pages rank_pages saw. */
static int
cmp_order(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* The landing page of docs folder dir ("docs/a/b"), made if missing. */
static struct page *
docs_landing(struct site *s, struct strmap *landings, const char *dir)
{
	struct page	*p = strmap_get(landings, dir);
	char		*parent_dir, *slash;

	if (p != NULL)
		return p;
	p = page_new(s, KIND_DOCS, SECTION_DOCS);
	p->is_section = 1;
	slash = strrchr(dir, '/');
	p->title = strcmp(dir, "docs") == 0 ? xstrdup("Documentation") :
	    humanize(slash ? slash + 1 : dir);
	p->meta.title = xstrdup(p->title);
	{
		char *url = xasprintf("/%s/", dir);
		page_set_url(p, url);
		free(url);
	}
	strmap_put(landings, dir, p);
	if (strcmp(dir, "docs") != 0) {
		parent_dir = path_dir(dir);
		add_child(docs_landing(s, landings, parent_dir), p);
		free(parent_dir);
	}
	return p;
}

/* Numbers pages in reading order: a landing, then its children in turn. */
static void
link_reading_order(struct page *p, struct page **last)
{
	size_t	 i;

	xqsort(p->children, p->nchildren, sizeof(*p->children), cmp_order);
	if (*last != NULL) {
		(*last)->next = p;
		p->prev = *last;
	}
	*last = p;
	for (i = 0; i < p->nchildren; i++)
		link_reading_order(p->children[i], last);
}

/* Builds the docs tree from the folders: every folder is a section. */
static void
build_docs_tree(struct site *s)
{
	struct strmap	 landings = { 0 };
	struct page	*p;
	char		*dir, *stem;
	size_t		 i, n = s->npages;

	for (i = 0; i < n; i++) {
		p = s->pages[i];
		if (p->kind != KIND_DOCS || p->source == NULL)
			continue;
		stem = path_stem(p->source);
		if (strcmp(stem, "index") == 0) {
			dir = path_dir(p->source);
			p->is_section = 1;
			strmap_put(&landings, dir, p);
			free(dir);
		}
		free(stem);
	}
	for (i = 0; i < n; i++) {
		p = s->pages[i];
		if (p->kind != KIND_DOCS || p->source == NULL)
			continue;
		dir = path_dir(p->source);
		if (p->is_section) {
			if (strcmp(dir, "docs") != 0) {
				char *up = path_dir(dir);
				add_child(docs_landing(s, &landings, up), p);
				free(up);
			}
		} else
			add_child(docs_landing(s, &landings, dir), p);
		free(dir);
	}
	s->docs_root = strmap_get(&landings, "docs");
	strmap_free(&landings);
}

/* A generated list page for a section, with its index.md as introduction. */
static struct page *
list_page(struct site *s, enum page_kind kind, enum section section,
    const char *title, const char *url, struct page *intro)
{
	struct page	*p = page_new(s, kind, section);

	p->title = xstrdup(intro && intro->title[0] ? intro->title : title);
	p->intro = intro;
	if (intro != NULL) {
		p->meta.description = intro->meta.description ?
		    xstrdup(intro->meta.description) : NULL;
		intro->target = p;	/* links to faq/index.md land here */
		page_set_url(intro, url);
	}
	page_set_url(p, url);
	return p;
}

static int
cmp_category(const void *a, const void *b)
{
	const struct faq_category *x = a, *y = b;
	int	 c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->name, y->name);
}

static void
build_faq(struct site *s, struct page *intro)
{
	struct page	*p;
	struct faq_category *c;
	size_t		 i, j, cap = 0, n = s->npages;
	char		*url;

	for (i = 0; i < n; i++) {
		p = s->pages[i];
		if (p->kind != KIND_FAQ || p->meta.category == NULL)
			continue;
		for (j = 0; j < s->ncats; j++)
			if (strcmp(s->cats[j].name, p->meta.category) == 0)
				break;
		if (j == s->ncats) {
			s->cats = xreallocarray(s->cats, s->ncats + 1,
			    sizeof(*s->cats), &cap);
			memset(&s->cats[j], 0, sizeof(s->cats[j]));
			s->cats[j].name = xstrdup(p->meta.category);
			s->cats[j].slug = path_slug(p->meta.category);
			s->ncats++;
		}
		c = &s->cats[j];
		c->questions = xreallocarray(c->questions, c->nquestions + 1,
		    sizeof(*c->questions), &c->cap);
		c->questions[c->nquestions++] = p;
	}
	if (s->ncats == 0 && intro == NULL)
		return;
	xqsort(s->cats, s->ncats, sizeof(*s->cats), cmp_category);
	s->faq_list = list_page(s, KIND_FAQ_LIST, SECTION_FAQ,
	    "Frequently asked questions", "/faq/", intro);
	for (i = 0; i < s->ncats; i++) {
		c = &s->cats[i];
		xqsort(c->questions, c->nquestions, sizeof(*c->questions),
		    cmp_order);
		c->page = page_new(s, KIND_FAQ_CATEGORY, SECTION_FAQ);
		c->page->title = xstrdup(c->name);
		c->page->category = c;
		url = xasprintf("/faq/%s/", c->slug);
		page_set_url(c->page, url);
		free(url);
		for (j = 0; j < c->nquestions; j++)
			c->questions[j]->category = c;
	}
}

/* Newest first: by date, then by version number, then by file. */
static int
cmp_changelog(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	int	 c;

	if ((c = strcmp(y->meta.date ? y->meta.date : "",
	    x->meta.date ? x->meta.date : "")) != 0)
		return c;
	if ((c = strverscmp(y->meta.version ? y->meta.version : "",
	    x->meta.version ? x->meta.version : "")) != 0)
		return c;
	return strcmp(x->source, y->source);
}

static int
cmp_roadmap(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	int	 c;

	if (x->meta.status != y->meta.status)
		return x->meta.status < y->meta.status ? -1 : 1;
	if ((c = strcmp(x->meta.quarter ? x->meta.quarter : "~",
	    y->meta.quarter ? y->meta.quarter : "~")) != 0)
		return c;
	return cmp_order(a, b);
}

/* Position of a front matter key, for messages about its value. */
static void
key_pos(const struct page *p, const char *key, unsigned *line, unsigned *col)
{
	struct fm_value	 scratch;
	const struct fm_value *v = front_get(model_front(p, &scratch), key);

	*line = v ? v->line : 1;
	*col = v ? v->col : 1;
	front_free(&scratch);
}

static int
build_roadmap(struct site *s, struct page *intro)
{
	struct page	*p, *item, *prev;
	size_t		 i, j, cap = 0, n = s->npages;
	unsigned	 line, col;
	int		 ok = 1;

	for (i = 0; i < n; i++) {
		p = s->pages[i];
		if (p->kind != KIND_ROADMAP || p->meta.id == NULL)
			continue;
		if ((prev = strmap_put(&s->roadmap_ids, p->meta.id, p)) != p) {
			key_pos(p, "id", &line, &col);
			diag_error(p->file, line, col, "roadmap id '%s' is "
			    "already used by %s", p->meta.id, prev->file);
			ok = 0;
		}
		s->roadmap = xreallocarray(s->roadmap, s->nroadmap + 1,
		    sizeof(*s->roadmap), &cap);
		s->roadmap[s->nroadmap++] = p;
	}
	for (i = 0; i < s->nchangelog; i++) {
		p = s->changelog[i];
		for (j = 0; j < p->meta.ships.n; j++) {
			key_pos(p, "ships", &line, &col);
			item = strmap_get(&s->roadmap_ids, p->meta.ships.v[j]);
			if (item == NULL) {
				diag_error(p->file, line, col, "ships names "
				    "'%s', but no roadmap item has that id",
				    p->meta.ships.v[j]);
				ok = 0;
				continue;
			}
			if (item->shipped_in != NULL) {
				diag_error(p->file, line, col, "roadmap item "
				    "'%s' is already shipped by %s",
				    item->meta.id, item->shipped_in->file);
				ok = 0;
				continue;
			}
			/* Shipping closes the loop: the entry wins over the
			 * item's own status. */
			item->shipped_in = p;
			item->meta.status = STATUS_SHIPPED;
			p->ships = xrealloc(p->ships, (p->nships + 1) *
			    sizeof(*p->ships));
			p->ships[p->nships++] = item;
		}
	}
	xqsort(s->roadmap, s->nroadmap, sizeof(*s->roadmap), cmp_roadmap);
	if (s->nroadmap > 0 || intro != NULL)
		s->roadmap_list = list_page(s, KIND_ROADMAP_LIST,
		    SECTION_ROADMAP, "Roadmap", "/roadmap/", intro);
	return ok;
}

static void
build_changelog(struct site *s, struct page *intro)
{
	size_t	 i, cap = 0, n = s->npages;

	for (i = 0; i < n; i++) {
		if (s->pages[i]->kind != KIND_CHANGELOG)
			continue;
		s->changelog = xreallocarray(s->changelog, s->nchangelog + 1,
		    sizeof(*s->changelog), &cap);
		s->changelog[s->nchangelog++] = s->pages[i];
	}
	xqsort(s->changelog, s->nchangelog, sizeof(*s->changelog),
	    cmp_changelog);
	if (s->nchangelog > 0 || intro != NULL)
		s->changelog_list = list_page(s, KIND_CHANGELOG_LIST,
		    SECTION_CHANGELOG, "Changelog", "/changelog/", intro);
}

static int
cmp_tag(const void *a, const void *b)
{
	return strcmp(((const struct tag *)a)->slug,
	    ((const struct tag *)b)->slug);
}

/* Adds a tag named name (slug) to the site; its slot, from 1. */
static size_t
new_tag(struct site *s, const char *name, const char *slug, size_t *cap)
{
	s->tags = xreallocarray(s->tags, s->ntags + 1, sizeof(*s->tags), cap);
	memset(&s->tags[s->ntags], 0, sizeof(*s->tags));
	s->tags[s->ntags].name = xstrdup(name);
	s->tags[s->ntags].slug = xstrdup(slug);
	return ++s->ntags;
}

static void
build_tags(struct site *s)
{
	struct strmap	 index = { 0 }, by_name = { 0 };
	struct page	*p;
	struct tag	*t;
	size_t		 i, j, cap = 0, n = s->npages, slot;
	const char	*name;
	char		*slug, *url;

	for (i = 0; i < n; i++) {
		p = s->pages[i];
		if (p->source == NULL || p->kind == KIND_PAGE)
			continue;
		for (j = 0; j < p->meta.tags.n; j++) {
			/* A site has few tag names, each on many pages: the
			 * slug is made once per name, not per use. */
			name = p->meta.tags.v[j];
			if ((slot = (size_t)strmap_get(&by_name, name)) == 0) {
				slug = path_slug(name);
				slot = (size_t)strmap_get(&index, slug);
				if (slot == 0) {
					slot = new_tag(s, name, slug, &cap);
					strmap_put(&index, slug, (void *)slot);
				}
				strmap_put(&by_name, name, (void *)slot);
				free(slug);
			}
			t = &s->tags[slot - 1];
			t->pages = xreallocarray(t->pages, t->npages + 1,
			    sizeof(*t->pages), &t->cap);
			t->pages[t->npages++] = p;
		}
	}
	strmap_free(&index);
	strmap_free(&by_name);
	if (s->ntags == 0)
		return;
	xqsort(s->tags, s->ntags, sizeof(*s->tags), cmp_tag);
	s->tags_page = page_new(s, KIND_TAGS, SECTION_PAGE);
	s->tags_page->title = xstrdup("Tags");
	page_set_url(s->tags_page, "/tags/");
	for (i = 0; i < s->ntags; i++) {
		t = &s->tags[i];
		xqsort(t->pages, t->npages, sizeof(*t->pages), cmp_order);
		t->page = page_new(s, KIND_TAG, SECTION_PAGE);
		t->page->title = xasprintf("Tagged \xe2\x80\x9c%s\xe2\x80\x9d",
		    t->name);
		t->page->tag = xstrdup(t->name);
		url = xasprintf("/tags/%s/", t->slug);
		page_set_url(t->page, url);
		free(url);
	}
}

static void
build_aliases(struct site *s)
{
	struct page	*p, *a;
	size_t		 i, j, n = s->npages;

	for (i = 0; i < n; i++) {
		p = s->pages[i];
		for (j = 0; p->source && j < p->meta.aliases.n; j++) {
			a = page_new(s, KIND_ALIAS, p->section);
			a->title = xstrdup(p->title);
			a->target = p;
			page_set_url(a, p->meta.aliases.v[j]);
		}
	}
}

/* The header navigation when site.lua gives none: the sections the site
 * has, so no default link leads nowhere. */
static void
default_nav(struct site *s)
{
	json_t	*nav;

	if (json_object_get(s->cfg.json, "nav") != NULL)
		return;
	nav = json_array();
	if (s->docs_root)
		json_array_append_new(nav, json_pack("{s:s,s:s}", "title",
		    "Docs", "url", s->docs_root->url));
	if (s->faq_list)
		json_array_append_new(nav, json_pack("{s:s,s:s}", "title",
		    "FAQ", "url", s->faq_list->url));
	if (s->changelog_list)
		json_array_append_new(nav, json_pack("{s:s,s:s}", "title",
		    "Changelog", "url", s->changelog_list->url));
	if (s->roadmap_list)
		json_array_append_new(nav, json_pack("{s:s,s:s}", "title",
		    "Roadmap", "url", s->roadmap_list->url));
	json_object_set_new(s->cfg.json, "nav", nav);
}

/* The home page always exists, even without index.md. */
static void
ensure_home(struct site *s)
{
	if (s->home != NULL)
		return;
	s->home = page_new(s, KIND_HOME, SECTION_PAGE);
	s->home->title = xstrdup(s->cfg.title);
	page_set_url(s->home, "/");
}

int
model_begin(struct site *s, const char *dir, int drafts, struct pack *pack,
    struct walk_list *files)
{
	int	 ok = 1;

	memset(s, 0, sizeof(*s));
	s->dir = xstrdup(dir);
	s->drafts = drafts;
	if (!config_load(dir, &s->cfg))
		ok = 0;
	if (!walk_content(dir, pack, files))
		ok = 0;
	if (!ok)
		walk_free(files);
	return ok;
}

int
model_load(struct site *s, struct walk_list *files, int threads,
    struct pack *pack)
{
	struct page	*intros[SECTION_ROADMAP + 1] = { 0 };
	struct page	*p, *last = NULL;
	struct site_index index;
	size_t		 nmd;
	int		 ok = 1;

	/* A page with bad front matter is left out, and the rest goes on,
	 * so one run reports every problem of the site. */
	nmd = load_sources(s, files->paths, files->n, threads, pack, intros);
	walk_free(files);
	if (nmd == 0) {
		diag_error(s->dir, 0, 0, "no pages: the content folder has no "
		    "markdown files (run 'porch init' for a starter site)");
		return 0;
	}
	siteindex_begin(&index, s);
	ensure_home(s);
	build_docs_tree(s);
	/* Every list below, and the docs' reading order, sorts by rank: so
	 * after the docs landings are made, before any list is. */
	rank_pages(s);
	if (s->docs_root != NULL)
		link_reading_order(s->docs_root, &last);
	build_faq(s, intros[SECTION_FAQ]);
	build_changelog(s, intros[SECTION_CHANGELOG]);
	build_roadmap(s, intros[SECTION_ROADMAP]);
	paginate_site(s);
	build_tags(s);
	paginate_tags(s);
	build_aliases(s);
	default_nav(s);
	s->search = page_new(s, KIND_SEARCH, SECTION_PAGE);
	s->search->title = xstrdup("Search");
	page_set_url(s->search, "/search/");
	portal_add_pages(s);
	p = page_new(s, KIND_404, SECTION_PAGE);
	p->title = xstrdup("Page not found");
	page_set_url(p, "/404.html");
	siteindex_end(&index);	/* a collision is an error reported */
	return ok;
}

const struct fm_value *
model_front(const struct page *p, struct fm_value *scratch)
{
	memset(scratch, 0, sizeof(*scratch));
	if (p->fm_rec == NULL)
		return &p->fm;
	if (!front_memo_tree(p->fm_rec, p->fm_rec_len, scratch))
		diag_error(p->file, 0, 0, "the build cache's copy of its front "
		    "matter is damaged: build again with --clean");
	return scratch;
}

struct page *
model_page_new(struct site *s, enum page_kind kind, enum section section)
{
	return page_new(s, kind, section);
}

void
model_page_set_url(struct page *p, const char *url)
{
	page_set_url(p, url);
}

struct page *
model_page_by_source(const struct site *s, const char *rel)
{
	struct page	*p = strmap_get(&s->by_source, rel);

	return p && p->is_intro ? p->target : p;
}

int
model_shown_whole(const struct page *p)
{
	return p->is_intro || p->kind == KIND_FAQ || p->kind == KIND_CHANGELOG;
}

const struct tag *
model_tag_of(const struct site *s, const struct page *p)
{
	const struct page *head = p->list_head != NULL ? p->list_head : p;
	size_t		 i;

	for (i = 0; i < s->ntags; i++)
		if (s->tags[i].page == head)
			return &s->tags[i];
	return NULL;
}

static int
cmp_anchor(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

char **
model_anchor_list(const struct page *p, size_t *n)
{
	char		**v = xcalloc(p->nanchors + 1, sizeof(*v));
	struct rec_rd	 r;
	size_t		 i;

	if (p->anchors != NULL)
		memcpy(v, p->anchors, p->nanchors * sizeof(*v));
	else {
		rec_init(&r, p->anchors_rec, p->anchors_rec_len);
		for (i = 0; i < p->nanchors; i++)
			v[i] = (char *)rec_get_str(&r, 0, NULL);
	}
	*n = p->nanchors;
	return v;
}

int
model_has_anchor(const struct page *p, const char *anchor)
{
	struct rec_rd	 r;
	const char	*id;
	size_t		 i;

	if (p->nanchors == 0)
		return 0;
	if (p->anchors != NULL)
		return bsearch(anchor, p->anchors, p->nanchors,
		    sizeof(*p->anchors), cmp_anchor) != NULL;
	/* A recalled page's ids: a scan, for the few pages linked to
	 * with a #fragment. */
	rec_init(&r, p->anchors_rec, p->anchors_rec_len);
	for (i = 0; i < p->nanchors; i++)
		if ((id = rec_get_str(&r, 0, NULL)) != NULL &&
		    strcmp(id, anchor) == 0)
			return 1;
	return 0;
}

void
model_free(struct site *s)
{
	size_t	 i;

	for (i = 0; i < s->npages; i++)
		page_free(s->pages[i]);
	free(s->pages);
	for (i = 0; i < s->ncats; i++) {
		free(s->cats[i].name);
		free(s->cats[i].slug);
		free(s->cats[i].questions);
	}
	free(s->cats);
	for (i = 0; i < s->ntags; i++) {
		free(s->tags[i].name);
		free(s->tags[i].slug);
		free(s->tags[i].pages);
	}
	free(s->tags);
	for (i = 0; i < s->ncopies; i++) {
		free(s->copies[i].src);
		free(s->copies[i].out);
	}
	free(s->copies);
	free(s->changelog);
	free(s->roadmap);
	strmap_free(&s->by_source);
	strmap_free(&s->by_url);
	strmap_free(&s->roadmap_ids);
	strmap_free(&s->files);
	strmap_free(&s->drafts_seen);
	config_free(&s->cfg);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}
