/*
 * front: YAML front matter (libyaml), split from the markdown body, turned
 * into a value tree with source positions, then checked against the
 * content model (front_meta_read) so that a wrong type or value is reported
 * as file:line:col with what was expected.
 *
 * The only file that includes yaml.h.
 */
#ifndef PORCH_FRONT_H
#define PORCH_FRONT_H

#include <stddef.h>

enum fm_kind {
	FM_NULL,	/* ~, null, or an empty value */
	FM_BOOL,	/* plain true/false (also yes/no is NOT a bool: YAML 1.2) */
	FM_INT,		/* plain decimal integer, e.g. 10, -3 */
	FM_FLOAT,	/* plain decimal number with a point, e.g. 1.5 */
	FM_STRING,	/* anything else, and every quoted scalar */
	FM_LIST,
	FM_MAP,
};

struct fm_pair;

struct fm_value {
	enum fm_kind	 kind;
	unsigned	 line, col;	/* 1-based position in the file */
	const char	*str;		/* scalars: the text as written */
	long long	 i;		/* FM_INT */
	double		 f;		/* FM_FLOAT */
	int		 b;		/* FM_BOOL */
	struct fm_value	*items;		/* FM_LIST */
	struct fm_pair	*pairs;		/* FM_MAP, in file order */
	size_t		 n;		/* number of items or pairs */
	/* A tree's root only: when not NULL, every item and pair of the
	 * tree lives in this one block, and every string elsewhere (a
	 * memo's, frontcache.h): front_free frees the block alone.  NULL:
	 * each part is its own allocation. */
	void		*block;
};

struct fm_pair {
	const char	*key;
	unsigned	 line, col;	/* position of the key */
	struct fm_value	 value;
};

/*
 * Splits text (the whole file, len bytes, need not be NUL-terminated) into
 * front matter and body.  Front matter is a YAML mapping between a first
 * line "---" and the next line "---" (or "..."); a file without it has an
 * empty map.  On success returns 1, fills *out (an FM_MAP the caller frees
 * with front_free), *body_off (byte offset of the markdown body) and
 * *body_line (1-based line number of the body's first line).  On error
 * reports path:line:col through diag and returns 0 (nothing to free).
 * Errors: YAML syntax, a top level that is not a mapping, duplicate keys,
 * anchors/aliases and tags (not supported: they make front matter hard to
 * read), an unterminated block, a non-string key.
 */
int	 front_parse(const char *path, const char *text, size_t len,
	     struct fm_value *out, size_t *body_off, unsigned *body_line);
void	 front_free(struct fm_value *);
/* The value under key in an FM_MAP, or NULL. */
const struct fm_value *front_get(const struct fm_value *map, const char *key);

enum section {
	SECTION_PAGE,		/* standalone pages: index.md (home), contact.md, ... */
	SECTION_DOCS,
	SECTION_FAQ,
	SECTION_CHANGELOG,
	SECTION_ROADMAP,
};

enum change_type {
	CHANGE_NONE,
	CHANGE_FEATURE,
	CHANGE_IMPROVEMENT,
	CHANGE_FIX,
	CHANGE_SECURITY,
};

enum roadmap_status {
	STATUS_NONE,
	STATUS_CONSIDERING,	/* an idea customers vote on (votes.c) */
	STATUS_PLANNED,
	STATUS_IN_PROGRESS,
	STATUS_SHIPPED,
};

struct str_list {
	char		**v;
	size_t		  n;
};

/*
 * The known front matter keys, typed.  Strings are heap copies (NULL when
 * absent); free with front_meta_free.  frontcache.c keeps it, field by
 * field (put_meta): a field added here is added there.
 */
struct page_meta {
	char		*title;		/* required, non-empty */
	char		*description;
	long		 weight;	/* 0 when absent */
	int		 has_weight;
	struct str_list	 tags;		/* lower-cased, trimmed, deduplicated */
	struct str_list	 aliases;	/* site paths, each starting with '/' */
	int		 draft;
	char		*date;		/* YYYY-MM-DD (a time part is cut off) */
	char		*updated;	/* YYYY-MM-DD */
	char		*category;	/* faq (required there), roadmap */
	char		*version;	/* changelog: required */
	enum change_type type;		/* changelog: required */
	struct str_list	 ships;		/* changelog: roadmap ids */
	char		*id;		/* roadmap: required, [a-z0-9-]+ */
	enum roadmap_status status;	/* roadmap: required */
	char		*quarter;	/* roadmap: e.g. 2026-Q3 */
	int		 unsearched;	/* search: false (a key for search.c,
					   any other value indexes the page) */
};

/*
 * Checks the map against the content model of section and fills *meta.
 * Known keys must have the right type and value; keys of another section
 * are errors ("'ships' is only allowed in changelog entries"); unknown keys
 * are allowed and left for templates.  Every problem is reported through
 * diag as path:line:col with what was expected; returns 1 when there was
 * none.  A changelog entry must have date too.  *meta is filled as far as
 * possible either way and must be freed with front_meta_free.
 */
int	 front_meta_read(const char *path, enum section,
	     const struct fm_value *map, struct page_meta *meta);
void	 front_meta_free(struct page_meta *);

const char *change_type_name(enum change_type);		/* "feature", ... */

/* For messages that say what was found: the quoted text of a scalar (cut
 * and escaped to stay on one line), or "a list", "a map", "an empty
 * value".  Returns a heap string. */
char	*front_describe(const struct fm_value *);
/* 1 if s is a plain decimal integer: [-+]?[0-9]+. */
int	 front_is_int_text(const char *s);
const char *roadmap_status_name(enum roadmap_status);	/* "in-progress", ... */
const char *roadmap_status_label(enum roadmap_status);	/* "In progress", or NULL */

#endif
