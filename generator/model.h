/*
 * model: the site as the generator sees it after reading the content
 * folder: every page (from markdown or generated), their URLs and the
 * relations between them (docs tree, FAQ categories, changelog, roadmap,
 * tags).  Built once, single-threaded (model_load), then read-only while
 * pages render in parallel, except for the fields marked "render".
 */
#ifndef PORCH_MODEL_H
#define PORCH_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "front.h"
#include "strmap.h"

enum page_kind {
	KIND_HOME,
	KIND_PAGE,
	KIND_DOCS,
	KIND_FAQ,
	KIND_FAQ_LIST,
	KIND_FAQ_CATEGORY,
	KIND_CHANGELOG,
	KIND_CHANGELOG_LIST,
	KIND_ROADMAP,
	KIND_ROADMAP_LIST,
	KIND_TAGS,
	KIND_TAG,
	KIND_404,
	KIND_ALIAS,
	KIND_SEARCH,		/* /search/: results of the search index */
	KIND_PORTAL,		/* /account/..., /tickets/...: pages that talk
				   to porchd (portal.c) */
};

struct faq_category;

struct page {
	enum page_kind	 kind;
	enum section	 section;
	size_t		 index;		/* position in site->pages */
	size_t		 order;		/* position by weight, then title
					   (model.c's rank_pages), from 1;
					   0 for a page made after */
	char		*source;	/* content-relative "docs/a.md"; NULL if generated */
	char		*file;		/* path for reading and messages */
	char		*url;		/* site path "/docs/a/" */
	char		*out;		/* output file "docs/a/index.html" */
	char		*title;		/* meta.title, or the generated page's */
	struct page_meta meta;
	struct fm_value	 fm;		/* all front matter, for page.params:
					   read it with model_front */
	const void	*fm_rec;	/* or, when the front matter memo gave
					   the meta, the tree in the pack */
	size_t		 fm_rec_len;
	char		*text;		/* the whole file, or NULL until
					   page_body reads it (render: by
					   the page's worker; frontcache.h) */
	size_t		 body_off, text_len;
	unsigned	 body_line;
	uint64_t	 body_hash;	/* XXH3_64bits of the body: what the
					   cached results made from it are
					   keyed by */
	uint64_t	 front_hash;	/* ... of the text before the body:
					   with the paths, what the model
					   is made of (pagememo.h) */

	int		 is_intro;	/* faq/, changelog/, roadmap/ index.md:
					   rendered inside its list page */

	/* docs tree */
	int		 is_section;	/* a folder's landing (index.md or made) */
	struct page	*parent;
	struct page	**children;
	size_t		 nchildren, capchildren;
	struct page	*prev, *next;

	struct faq_category *category;	/* faq, faq_category */
	struct page	**ships;	/* changelog: roadmap items */
	size_t		 nships;
	struct page	*shipped_in;	/* roadmap: the changelog entry */
	long		 votes;		/* roadmap: count from --votes FILE */
	int		 has_votes;	/* ... when the file names the item */
	struct page	*target;	/* alias: where it points */
	struct page	*intro;		/* list pages: the section's index.md */
	char		*tag;		/* tag pages: the tag */
	const char	*portal;	/* portal pages: "account_login"...
					   (static, see portal.c) */

	/* paginated lists (changelog, FAQ category): this page shows
	   entries [first, first + count) and is page pageno of npageno;
	   npageno 0 means the list is not paginated (all entries) */
	size_t		 first, count;
	unsigned	 pageno, npageno;
	struct page	*list_head;	/* page 1 of the list */
	struct page	*pager_prev, *pager_next;

	/* render: written by the one worker rendering this page */
	const char	*html;		/* body HTML, kept for list pages:
					   html_buf, or a memo's bytes in
					   the pack (pagememo.h) */
	char		*html_buf;
	char		**anchors;	/* heading ids, sorted (page_set_anchors) */
	size_t		 nanchors;
	const void	*anchors_rec;	/* or, when anchors is NULL, the ids as
					   a memo in the pack has them
					   (page_set_anchors_recorded) */
	size_t		 anchors_rec_len;
	uint64_t	 anchors_hash;	/* of the ids: set with them, on the
					   worker that renders or recalls the
					   page (pagememo_anchors) */
	int		 rendered;
	uint64_t	 render_key;	/* of its output file (cache.h), 0
					   for none */
	int		 skipped;	/* not written: a portal page the
					   theme has no template for */
};

struct faq_category {
	char		*name;
	char		*slug;
	struct page	*page;		/* its list page */
	struct page	**questions;
	size_t		 nquestions, cap;
};

struct tag {
	char		*name;
	char		*slug;
	struct page	*page;
	struct page	**pages;
	size_t		 npages, cap;
};

/* A file copied as it is: content/static/x -> x, other files in place. */
struct copy_file {
	char		*src;		/* path to read */
	char		*out;		/* output-relative path */
};

struct site {
	struct site_config cfg;
	char		*dir;		/* the content folder */
	struct page	**pages;	/* all pages, in a fixed order */
	size_t		 npages, cappages;
	struct strmap	 by_source;	/* content-relative path -> page */
	struct strmap	 by_url;	/* site path -> page */
	struct strmap	 roadmap_ids;	/* roadmap id -> page */
	struct strmap	 files;		/* content-relative path of a copied
					   file -> its index in copies + 1 */
	struct strmap	 drafts_seen;	/* sources of skipped drafts */
	struct copy_file *copies;
	size_t		 ncopies, capcopies;
	struct page	*home;
	struct page	*docs_root;
	struct page	*faq_list, *changelog_list, *roadmap_list, *tags_page;
	struct page	*search;	/* /search/ */
	struct faq_category *cats;
	size_t		 ncats;
	struct page	**changelog;	/* newest first */
	size_t		 nchangelog;
	struct page	**roadmap;	/* by status, then quarter, then title */
	size_t		 nroadmap;
	struct tag	*tags;		/* alphabetical */
	size_t		 ntags;
	int		 drafts;	/* build drafts too */
};

/*
 * Reads the content folder dir in two steps.  model_begin: site.lua and
 * the list of its files (into *files, which model_load frees; walk.h).
 * model_load: every markdown file and the files to copy; parses front
 * matter; assigns URLs; builds the relations.  The steps are apart so
 * that a build can time them.  Both report
 * every problem through diag and return 0 when the site cannot be built
 * at all (bad site.lua, unreadable folder, no pages); problems of single
 * pages (bad front matter, duplicate URLs) leave those pages out and
 * return 1, so rendering can go on and report the rest: the caller checks
 * diag_count.  The site must be freed with model_free either way (after
 * a failed model_begin, files holds nothing).  threads: how many threads
 * read and parse the sources (the model does not depend on it).  pack
 * (pack.h, may be NULL): folder listings and front matter read by earlier
 * builds.
 */
struct pack;
struct walk_list;
int	 model_begin(struct site *, const char *dir, int drafts,
	     struct pack *pack, struct walk_list *files);
int	 model_load(struct site *, struct walk_list *files, int threads,
	     struct pack *pack);
/*
 * The markdown body of p (*len bytes), read now when loading took what it
 * needed from the cache (frontcache.h).  Only the worker rendering p may
 * call it.  NULL after reporting when the file cannot be read or is not
 * what it was when the build began.
 */
const char *page_body(struct page *p, size_t *len);
/* p's front matter: &p->fm, or the tree the pack holds read into
 * *scratch, which the caller front_frees either way (when that copy is
 * damaged, an error is reported and the tree is empty).  Thread-safe. */
const struct fm_value *model_front(const struct page *p,
	     struct fm_value *scratch);
void	 model_free(struct site *);
/* A new generated page appended to the site (model.c's constructor). */
struct page *model_page_new(struct site *, enum page_kind, enum section);
/* Sets a page's site path ("/a/b/") and output file. */
void	 model_page_set_url(struct page *, const char *url);
/* The page at a content-relative markdown path, or NULL. */
struct page *model_page_by_source(const struct site *, const char *);
/* 1 if list pages show p's whole HTML (FAQ answers, changelog entries,
 * sections' introductions): render.c keeps it in p->html. */
int	 model_shown_whole(const struct page *p);
/* The tag a tag's page (any page of its list) lists, or NULL. */
const struct tag *model_tag_of(const struct site *, const struct page *);
/* Sets p's heading ids to v[0..n-1] (sorted; v and its strings are p's
 * now), dropping those it had. */
void	 page_set_anchors(struct page *p, char **v, size_t n);
/* Sets p's heading ids to the n record.h strings (sorted) at rec (len
 * bytes, in the pack), whose hash (as page_set_anchors makes it) is hash:
 * nothing is copied or hashed for the 10,000 pages a build recalls. */
void	 page_set_anchors_recorded(struct page *p, const void *rec,
	     size_t len, size_t n, uint64_t hash);
/* p's heading ids, sorted, in a heap array of n (the strings are p's or
 * the pack's: free the array alone). */
char	**model_anchor_list(const struct page *p, size_t *n);
/* 1 if page has a heading with id anchor (after it rendered). */
int	 model_has_anchor(const struct page *, const char *anchor);

#endif
