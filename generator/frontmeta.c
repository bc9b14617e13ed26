/*
 * frontmeta: the content model.  Checks a page's front matter (the value
 * tree front.c made) against the keys each section knows, with their
 * types and values, and fills struct page_meta.  Every problem is reported
 * with the key's file:line:col and what was expected.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "front.h"
#include "xalloc.h"

#define WEIGHT_LIMIT	1000000
#define ID_MAX		64

struct checker {
	const char	*path;
	enum section	 section;
	int		 errors;
};

/* Reports a problem with front matter at line:col and counts it. */
static void
problem(struct checker *c, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct checker *c, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_error(c->path, line, col, "%s", msg);
	free(msg);
	c->errors++;
}

/* Reports "'key' must be <want>, found <what v is>" at v. */
static void
wrong(struct checker *c, const char *key, const struct fm_value *v,
    const char *want)
{
	char	*found = front_describe(v);

	problem(c, v->line, v->col, "'%s' must be %s, found %s", key, want,
	    found);
	free(found);
}

/* True for the scalars whose text stands for itself where text is wanted:
 * a title "404" or a version 4.2 is what the writer meant. */
static int
is_scalar(const struct fm_value *v)
{
	return v->kind != FM_LIST && v->kind != FM_MAP && v->str != NULL;
}

/* Returns a heap copy of s without leading and trailing white space. */
static char *
trimdup(const char *s)
{
	const char	*e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

/*
 * Returns v's text trimmed, as a heap string, when v is a non-empty
 * scalar; otherwise reports it and returns NULL.
 */
static char *
text_of(struct checker *c, const char *key, const struct fm_value *v)
{
	char	*s;

	if (!is_scalar(v)) {
		wrong(c, key, v, "a string");
		return NULL;
	}
	s = trimdup(v->str);
	if (*s == '\0') {
		problem(c, v->line, v->col, "'%s' must not be empty", key);
		free(s);
		return NULL;
	}
	return s;
}

/* Sets *dst to v's text (see text_of), keeping *dst when v is wrong. */
static void
set_text(struct checker *c, const char *key, const struct fm_value *v,
    char **dst)
{
	char	*s;

	if ((s = text_of(c, key, v)) != NULL) {
		free(*dst);
		*dst = s;
	}
}

/* Appends s (a heap string, taken) to l unless it is there already. */
static void
list_add(struct str_list *l, char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0) {
			free(s);
			return;
		}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

/*
 * Turns one entry of a string list into what is stored: a heap string, or
 * NULL to drop it (after reporting it when it is wrong).
 */
typedef char *(*entry_fn)(struct checker *, const char *key,
    const struct fm_value *, const char *trimmed);

/*
 * Reads a list of strings, or a single string standing for a list of one,
 * into l through fn.  Entries that are lists or maps are reported.
 */
static void
read_list_of(struct checker *c, const char *key, const struct fm_value *v,
    struct str_list *l, entry_fn fn)
{
	const struct fm_value *e;
	size_t		 i, n;
	char		*t, *s;

	if (v->kind == FM_MAP) {
		wrong(c, key, v, "a list of strings or one string");
		return;
	}
	n = v->kind == FM_LIST ? v->n : 1;
	for (i = 0; i < n; i++) {
		e = v->kind == FM_LIST ? &v->items[i] : v;
		if (!is_scalar(e)) {
			t = front_describe(e);
			problem(c, e->line, e->col, "each entry of '%s' must be "
			    "a string, found %s", key, t);
			free(t);
			continue;
		}
		t = trimdup(e->kind == FM_NULL ? "" : e->str);
		if ((s = fn(c, key, e, t)) != NULL)
			list_add(l, s);
		free(t);
	}
}

/* A tag: lower-cased (ASCII letters; other text is kept as written). */
static char *
tag_entry(struct checker *c, const char *key, const struct fm_value *v,
    const char *t)
{
	char	*s, *p;

	(void)c;
	(void)key;
	(void)v;
	if (*t == '\0')
		return NULL;
	s = xstrdup(t);
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/*
 * True when alias path s is safe to become an output path: no "." or ".."
 * segment (it could write outside the site), no empty segment, no
 * backslash, query, fragment, white space or control character.
 */
static int
clean_path(const char *s)
{
	const char	*seg, *end;
	size_t		 n;

	if (strpbrk(s, "\\?#") != NULL)
		return 0;
	for (end = s; *end != '\0'; end++)
		if ((unsigned char)*end <= ' ' || *end == 0x7f)
			return 0;
	for (seg = s + 1; *seg != '\0'; seg = end + 1) {
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 && end != NULL)
			return 0;
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (end == NULL)
			break;
	}
	return 1;
}

/* True when the last segment of path s has a file extension ("x.html"). */
static int
has_extension(const char *s)
{
	const char	*base = strrchr(s, '/') + 1;
	const char	*dot = strrchr(base, '.');

	return dot != NULL && dot != base && dot[1] != '\0';
}

/* An alias: a site path starting with '/', ending with '/' unless it
 * names a file. */
static char *
alias_entry(struct checker *c, const char *key, const struct fm_value *v,
    const char *t)
{
	char	*found;

	if (*t != '/') {
		found = front_describe(v);
		problem(c, v->line, v->col, "each entry of '%s' must be a "
		    "site path starting with '/', found %s", key, found);
		free(found);
		return NULL;
	}
	if (!clean_path(t)) {
		found = front_describe(v);
		problem(c, v->line, v->col, "each entry of '%s' must be a "
		    "plain site path such as '/docs/old-page/' (no '.', '..' "
		    "or empty segments, no '\\', '?', '#' or spaces), found %s",
		    key, found);
		free(found);
		return NULL;
	}
	if (t[strlen(t) - 1] == '/' || has_extension(t))
		return xstrdup(t);
	return xasprintf("%s/", t);
}

/* True when s is a roadmap id: [a-z0-9][a-z0-9-]*, at most ID_MAX long. */
static int
is_id(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || (s[i] == '-' && i > 0)))
			return 0;
	return i > 0 && i <= ID_MAX;
}

/* Reports a value that is not a roadmap id. */
static void
bad_id(struct checker *c, const char *what, const struct fm_value *v)
{
	char	*found = front_describe(v);

	problem(c, v->line, v->col, "%s must be a roadmap id (lower-case "
	    "letters, digits and '-', starting with a letter or digit, at "
	    "most %d characters), found %s", what, ID_MAX, found);
	free(found);
}

/* An entry of ships: a roadmap id. */
static char *
ship_entry(struct checker *c, const char *key, const struct fm_value *v,
    const char *t)
{
	char	*what;

	if (is_id(t))
		return xstrdup(t);
	what = xasprintf("each entry of '%s'", key);
	bad_id(c, what, v);
	free(what);
	return NULL;
}

/* Reads n digits at s into *val; returns 0 when they are not all digits. */
static int
number_at(const char *s, int n, int *val)
{
	int	 i;

	*val = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*val = *val * 10 + (s[i] - '0');
	}
	return 1;
}

/* True when s is "HH:MM" with both in range; used for time and offset. */
static int
is_hh_mm(const char *s)
{
	int	 h, m;

	return number_at(s, 2, &h) && s[2] == ':' && number_at(s + 3, 2, &m) &&
	    h < 24 && m < 60;
}

/* True when s is the time part of an RFC 3339 timestamp:
 * HH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
static int
is_rfc3339_time(const char *s)
{
	int	 sec;

	if (!is_hh_mm(s) || s[5] != ':' || !number_at(s + 6, 2, &sec) ||
	    sec > 60)
		return 0;
	s += 8;
	if (*s == '.') {
		s++;
		if (strspn(s, "0123456789") == 0)
			return 0;
		s += strspn(s, "0123456789");
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0';
	return (*s == '+' || *s == '-') && is_hh_mm(s + 1) && s[6] == '\0';
}

/* Days in month m (1..12) of year y, Gregorian. */
static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * Checks a date value, YYYY-MM-DD or an RFC 3339 timestamp whose date
 * part is kept, and sets *dst to the date.
 */
static void
set_date(struct checker *c, const char *key, const struct fm_value *v,
    char **dst)
{
	static const char *const months[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	const char	*s = v->str;
	char		*found;
	int		 y, m, d;

	if (!is_scalar(v) || !number_at(s, 4, &y) || s[4] != '-' ||
	    !number_at(s + 5, 2, &m) || s[7] != '-' ||
	    !number_at(s + 8, 2, &d) || (s[10] != '\0' &&
	    !((s[10] == 'T' || s[10] == 't' || s[10] == ' ') &&
	    is_rfc3339_time(s + 11)))) {
		wrong(c, key, v, "a date written YYYY-MM-DD (or a timestamp "
		    "such as 2026-03-01T10:00:00Z)");
		return;
	}
	found = front_describe(v);
	if (m < 1 || m > 12)
		problem(c, v->line, v->col, "'%s' must be a real date, found "
		    "%s (there is no month %d)", key, found, m);
	else if (d < 1 || d > month_days(y, m))
		problem(c, v->line, v->col, "'%s' must be a real date, found "
		    "%s (%s %04d has %d days)", key, found, months[m - 1], y,
		    month_days(y, m));
	else {
		free(*dst);
		*dst = xstrndup(s, 10);
	}
	free(found);
}

/*
 * Reads the value of one known key.  v is never FM_NULL: an empty value
 * counts as absent and is handled by the caller.
 */
typedef void (*key_fn)(struct checker *, const char *key,
    const struct fm_value *, struct page_meta *);

static void
read_title(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	set_text(c, key, v, &m->title);
}

static void
read_description(struct checker *c, const char *key,
    const struct fm_value *v, struct page_meta *m)
{
	set_text(c, key, v, &m->description);
}

/* weight: an integer in -WEIGHT_LIMIT..WEIGHT_LIMIT; a quoted number gets
 * a hint, as it is the likely slip. */
static void
read_weight(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	if (v->kind == FM_STRING && front_is_int_text(v->str)) {
		problem(c, v->line, v->col, "'%s' must be an integer, found "
		    "the text '%s' (remove the quotes)", key, v->str);
		return;
	}
	if (v->kind != FM_INT) {
		wrong(c, key, v, "an integer");
		return;
	}
	if (v->i < -WEIGHT_LIMIT || v->i > WEIGHT_LIMIT) {
		problem(c, v->line, v->col, "'%s' must be between %d and %d, "
		    "found %lld", key, -WEIGHT_LIMIT, WEIGHT_LIMIT, v->i);
		return;
	}
	m->weight = (long)v->i;
	m->has_weight = 1;
}

static void
read_tags(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	read_list_of(c, key, v, &m->tags, tag_entry);
}

static void
read_aliases(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	read_list_of(c, key, v, &m->aliases, alias_entry);
}

static void
read_draft(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	if (v->kind != FM_BOOL) {
		wrong(c, key, v, "true or false");
		return;
	}
	m->draft = v->b;
}

static void
read_date(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	set_date(c, key, v, &m->date);
}

static void
read_updated(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	set_date(c, key, v, &m->updated);
}

static void
read_category(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	set_text(c, key, v, &m->category);
}

static void
read_version(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	set_text(c, key, v, &m->version);
}

/*
 * Finds v's text in names (n entries, index 0 unused) and returns its
 * index; reports the value with the list of allowed ones and returns 0
 * when it is not there.
 */
static int
pick(struct checker *c, const char *key, const struct fm_value *v,
    const char *const *names, int n)
{
	struct buf	 want = { 0 };
	int		 i;

	for (i = 1; i < n; i++)
		if (is_scalar(v) && strcmp(v->str, names[i]) == 0)
			return i;
	buf_puts(&want, "one of ");
	for (i = 1; i < n; i++)
		buf_printf(&want, "%s%s", i == 1 ? "" : i == n - 1 ? " or " :
		    ", ", names[i]);
	wrong(c, key, v, want.data);
	buf_free(&want);
	return 0;
}

static void
read_type(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	static const char *const names[] = { "", "feature", "improvement",
	    "fix", "security" };

	m->type = (enum change_type)pick(c, key, v, names, 5);
}

static void
read_ships(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	read_list_of(c, key, v, &m->ships, ship_entry);
}

static void
read_id(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	char	*what;

	if (!is_scalar(v) || !is_id(v->str)) {
		what = xasprintf("'%s'", key);
		bad_id(c, what, v);
		free(what);
		return;
	}
	free(m->id);
	m->id = xstrdup(v->str);
}

static void
read_status(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	static const char *const names[] = { "", "considering", "planned",
	    "in-progress", "shipped" };

	m->status = (enum roadmap_status)pick(c, key, v, names, 5);
}

/* quarter: YYYY-Qn or "YYYY Qn" (n 1..4), stored as YYYY-Qn. */
static void
read_quarter(struct checker *c, const char *key, const struct fm_value *v,
    struct page_meta *m)
{
	const char	*s = v->str;
	int		 y, q;

	if (!is_scalar(v) || !number_at(s, 4, &y) ||
	    (s[4] != '-' && s[4] != ' ') || (s[5] != 'Q' && s[5] != 'q') ||
	    !number_at(s + 6, 1, &q) || q < 1 || q > 4 || s[7] != '\0') {
		wrong(c, key, v, "a quarter written YYYY-Qn, such as 2026-Q3");
		return;
	}
	free(m->quarter);
	m->quarter = xasprintf("%04d-Q%d", y, q);
}

#define IN(s)		(1u << (s))
#define EVERYWHERE	(IN(SECTION_PAGE) | IN(SECTION_DOCS) | IN(SECTION_FAQ) | \
			    IN(SECTION_CHANGELOG) | IN(SECTION_ROADMAP))

static const struct key_rule {
	const char	*name;
	unsigned	 allowed;	/* IN(section) bits */
	unsigned	 required;	/* IN(section) bits */
	const char	*where;		/* the sections that allow it, in words */
	key_fn		 read;
} rules[] = {
	{ "title", EVERYWHERE, EVERYWHERE, NULL, read_title },
	{ "description", EVERYWHERE, 0, NULL, read_description },
	{ "weight", EVERYWHERE, 0, NULL, read_weight },
	{ "tags", EVERYWHERE, 0, NULL, read_tags },
	{ "aliases", EVERYWHERE, 0, NULL, read_aliases },
	{ "draft", EVERYWHERE, 0, NULL, read_draft },
	{ "date", EVERYWHERE, IN(SECTION_CHANGELOG), NULL, read_date },
	{ "updated", EVERYWHERE, 0, NULL, read_updated },
	{ "category", IN(SECTION_FAQ) | IN(SECTION_ROADMAP), IN(SECTION_FAQ),
	    "faq and roadmap entries", read_category },
	{ "version", IN(SECTION_CHANGELOG), IN(SECTION_CHANGELOG),
	    "changelog entries", read_version },
	{ "type", IN(SECTION_CHANGELOG), IN(SECTION_CHANGELOG),
	    "changelog entries", read_type },
	{ "ships", IN(SECTION_CHANGELOG), 0, "changelog entries", read_ships },
	{ "id", IN(SECTION_ROADMAP), IN(SECTION_ROADMAP), "roadmap entries",
	    read_id },
	{ "status", IN(SECTION_ROADMAP), IN(SECTION_ROADMAP),
	    "roadmap entries", read_status },
	{ "quarter", IN(SECTION_ROADMAP), 0, "roadmap entries", read_quarter },
};
#define NRULES	(sizeof(rules) / sizeof(rules[0]))

/*
 * Checks one pair of the map; marks its rule in seen[] when the key is a
 * known one given in a section that allows it.
 */
static void
check_pair(struct checker *c, const struct fm_pair *p, struct page_meta *m,
    int *seen)
{
	const struct key_rule *r;
	size_t		 i;

	for (i = 0; i < NRULES; i++)
		if (p->key != NULL && strcmp(p->key, rules[i].name) == 0)
			break;
	if (i == NRULES)
		return;		/* unknown keys are for templates */
	r = &rules[i];
	if (!(r->allowed & IN(c->section))) {
		problem(c, p->line, p->col, "'%s' is only allowed in %s",
		    r->name, r->where);
		return;
	}
	seen[i] = 1;
	if (p->value.kind != FM_NULL)
		r->read(c, r->name, &p->value, m);
	else if (r->required & IN(c->section))
		problem(c, p->value.line, p->value.col,
		    "'%s' must not be empty", r->name);
}

/*
 * Checks map against the content model of section; see front.h.  meta is
 * zeroed first.
 */
int
front_meta_read(const char *path, enum section section,
    const struct fm_value *map, struct page_meta *meta)
{
	struct checker	 c = { path, section, 0 };
	const struct fm_value *search;
	int		 seen[NRULES] = { 0 };
	size_t		 i;

	memset(meta, 0, sizeof(*meta));
	if (map != NULL && map->kind == FM_MAP)
		for (i = 0; i < map->n; i++)
			check_pair(&c, &map->pairs[i], meta, seen);
	/* Read here, on the parsing threads, where the tree is at hand:
	 * the index looked it up in every page's tree on one thread. */
	search = map != NULL ? front_get(map, "search") : NULL;
	meta->unsearched = search != NULL && search->kind == FM_BOOL &&
	    !search->b;
	for (i = 0; i < NRULES; i++)
		if ((rules[i].required & IN(section)) && !seen[i])
			problem(&c, 1, 1, "missing '%s' in front matter",
			    rules[i].name);
	return c.errors == 0;
}

/* Frees the strings of l and zeroes it. */
static void
list_free(struct str_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Frees what meta holds (not meta itself) and zeroes it. */
void
front_meta_free(struct page_meta *meta)
{
	if (meta == NULL)
		return;
	free(meta->title);
	free(meta->description);
	list_free(&meta->tags);
	list_free(&meta->aliases);
	free(meta->date);
	free(meta->updated);
	free(meta->category);
	free(meta->version);
	list_free(&meta->ships);
	free(meta->id);
	free(meta->quarter);
	memset(meta, 0, sizeof(*meta));
}

/* The front matter word for t ("feature", ...); "" for CHANGE_NONE. */
const char *
change_type_name(enum change_type t)
{
	switch (t) {
	case CHANGE_FEATURE:
		return "feature";
	case CHANGE_IMPROVEMENT:
		return "improvement";
	case CHANGE_FIX:
		return "fix";
	case CHANGE_SECURITY:
		return "security";
	default:
		return "";
	}
}

/* The front matter word for s ("in-progress", ...); "" for STATUS_NONE. */
const char *
roadmap_status_name(enum roadmap_status s)
{
	switch (s) {
	case STATUS_CONSIDERING:
		return "considering";
	case STATUS_PLANNED:
		return "planned";
	case STATUS_IN_PROGRESS:
		return "in-progress";
	case STATUS_SHIPPED:
		return "shipped";
	default:
		return "";
	}
}

/* What readers see for s ("In progress", ...); NULL for STATUS_NONE. */
const char *
roadmap_status_label(enum roadmap_status s)
{
	switch (s) {
	case STATUS_CONSIDERING:
		return "Under consideration";
	case STATUS_PLANNED:
		return "Planned";
	case STATUS_IN_PROGRESS:
		return "In progress";
	case STATUS_SHIPPED:
		return "Shipped";
	default:
		return NULL;
	}
}
