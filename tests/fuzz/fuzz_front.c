/*
 * Fuzz target for front.c: the input is a whole content file.  It goes
 * through front_parse and, when that succeeds, front_meta_read for every
 * section; everything is freed and diag's messages are taken each time.
 *
 * Asserts what front.h promises: a failure is reported through diag; a
 * success gives an FM_MAP with a body offset inside the input and a body
 * line from 1; every value and key has a 1-based position, maps have no
 * duplicate keys and front_get finds each key; front_meta_read returns 1
 * exactly when it reported no error, and then title is set and non-empty;
 * tags are trimmed, ASCII lower-case and unique; aliases are plain site
 * paths (start with '/', no '.', '..' or empty segment, no '\', '?', '#',
 * space or control character: they become output paths); dates are
 * YYYY-MM-DD; roadmap ids and ships are [a-z0-9][a-z0-9-]*.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "front.h"

#define PATH	"content/docs/fuzz.md"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* abort()s unless cond: libFuzzer and replay both see a crash. */
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

/* Checks positions, keys and children of v and its descendants. */
static void
check_value(const struct fm_value *v, unsigned depth)
{
	size_t	 i, j;

	CHECK(depth < 10000);
	CHECK(v->line >= 1 && v->col >= 1);
	switch (v->kind) {
	case FM_BOOL:
		CHECK(v->b == 0 || v->b == 1);
		/* FALLTHROUGH */
	case FM_INT:
	case FM_FLOAT:
	case FM_STRING:
		CHECK(v->str != NULL);
		break;
	case FM_NULL:
		break;
	case FM_LIST:
		CHECK(v->n == 0 || v->items != NULL);
		for (i = 0; i < v->n; i++)
			check_value(&v->items[i], depth + 1);
		break;
	case FM_MAP:
		CHECK(v->n == 0 || v->pairs != NULL);
		for (i = 0; i < v->n; i++) {
			CHECK(v->pairs[i].key != NULL);
			CHECK(v->pairs[i].line >= 1 && v->pairs[i].col >= 1);
			CHECK(front_get(v, v->pairs[i].key) ==
			    &v->pairs[i].value);
			check_value(&v->pairs[i].value, depth + 1);
		}
		if (v->n < 512)
			for (i = 0; i < v->n; i++)
				for (j = i + 1; j < v->n; j++)
					CHECK(strcmp(v->pairs[i].key,
					    v->pairs[j].key) != 0);
		break;
	default:
		abort();
	}
}

/* 1 when s is a non-empty string of [a-z0-9-] not starting with '-'. */
static int
is_id(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || (s[i] == '-' && i > 0)))
			return 0;
	return i > 0;
}

/* 1 when s is YYYY-MM-DD (digits in place; ranges are front.c's job). */
static int
is_date(const char *s)
{
	static const char	 shape[] = "dddd-dd-dd";
	size_t			 i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
	return s[i] == '\0';
}

/* 1 when alias s could not write outside the site or name an odd file. */
static int
is_site_path(const char *s)
{
	const char	*p;

	if (s[0] != '/' || strpbrk(s, "\\?#") != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	if (strstr(s, "//") != NULL || strstr(s, "/./") != NULL ||
	    strstr(s, "/../") != NULL)
		return 0;
	p = strrchr(s, '/');
	return strcmp(p, "/.") != 0 && strcmp(p, "/..") != 0;
}

static void
check_meta(enum section sec, const struct page_meta *m, int ok)
{
	size_t	 i, j;
	char	 c;

	if (m->date != NULL)
		CHECK(is_date(m->date));
	if (m->updated != NULL)
		CHECK(is_date(m->updated));
	for (i = 0; i < m->tags.n; i++) {
		c = m->tags.v[i][0];
		CHECK(c != '\0' && c != ' ' && c != '\t' && c != '\n' &&
		    c != '\r');
		c = m->tags.v[i][strlen(m->tags.v[i]) - 1];
		CHECK(c != ' ' && c != '\t' && c != '\n' && c != '\r');
		CHECK(strpbrk(m->tags.v[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
		    NULL);
		if (m->tags.n < 512)
			for (j = i + 1; j < m->tags.n; j++)
				CHECK(strcmp(m->tags.v[i], m->tags.v[j]) != 0);
	}
	for (i = 0; i < m->aliases.n; i++)
		CHECK(is_site_path(m->aliases.v[i]));
	for (i = 0; i < m->ships.n; i++)
		CHECK(is_id(m->ships.v[i]));
	if (m->id != NULL)
		CHECK(is_id(m->id));
	if (!ok)
		return;
	CHECK(m->title != NULL && m->title[0] != '\0');
	if (sec == SECTION_FAQ)
		CHECK(m->category != NULL);
	if (sec == SECTION_CHANGELOG)
		CHECK(m->version != NULL && m->type != CHANGE_NONE &&
		    m->date != NULL);
	if (sec == SECTION_ROADMAP)
		CHECK(m->id != NULL && m->status != STATUS_NONE);
	if (sec != SECTION_CHANGELOG)
		CHECK(m->ships.n == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fm_value	 v;
	struct page_meta m;
	size_t		 off = (size_t)-1;
	unsigned	 line = 0;
	int		 s, ok;

	free(diag_take());
	if (!front_parse(PATH, (const char *)data, size, &v, &off, &line)) {
		CHECK(diag_count(DIAG_ERROR) > 0);
		free(diag_take());
		return 0;
	}
	CHECK(v.kind == FM_MAP);
	CHECK(off <= size && line >= 1);
	check_value(&v, 0);
	free(diag_take());

	for (s = SECTION_PAGE; s <= SECTION_ROADMAP; s++) {
		memset(&m, 0xa5, sizeof(m));
		ok = front_meta_read(PATH, (enum section)s, &v, &m);
		CHECK(ok == (diag_count(DIAG_ERROR) == 0));
		check_meta((enum section)s, &m, ok);
		front_meta_free(&m);
		free(diag_take());
	}
	front_free(&v);
	return 0;
}
