/* Backlinks (backlinks.c): the memo table's rows by the paths their
 * links resolved to.  A build takes a row whose paths include none that
 * leads elsewhere as holding, so a row missed here is a stale page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xxhash.h>

#include "backlinks.h"
#include "buf.h"
#include "record.h"

#define KEYS	0x1234abcdULL

/* A row's paths as the targets table holds them. */
static void
paths_of(struct buf *b, const char *const *paths, size_t n)
{
	size_t	 i;

	rec_put_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		rec_put_str(b, paths[i], strlen(paths[i]));
}

static uint64_t
hash(const char *path)
{
	return XXH3_64bits(path, strlen(path));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The record of three rows: 0 links to a and b, 1 to nothing, 2 to b
 * and c. */
static void
three_rows(struct buf *out)
{
	static const char *const r0[] = { "docs/a.md", "docs/b.md" };
	static const char *const r2[] = { "docs/b.md", "files/c.pdf" };
	struct buf	 p[3] = { { 0 }, { 0 }, { 0 } };
	struct backlinks_row rows[3];
	size_t		 i;

	paths_of(&p[0], r0, 2);
	paths_of(&p[1], NULL, 0);
	paths_of(&p[2], r2, 2);
	for (i = 0; i < 3; i++)
		rows[i] = (struct backlinks_row){ p[i].data, p[i].len };
	backlinks_put(out, KEYS, rows, 3);
	for (i = 0; i < 3; i++)
		buf_free(&p[i]);
}

/* The rows that link to the given paths, as one string: "0,2". */
static char *
rows_for(const struct buf *rec, const char *const *paths, size_t n)
{
	uint64_t	 h[8];
	uint32_t	*rows;
	size_t		 nrows, i;
	static char	 s[64];

	for (i = 0; i < n; i++)
		h[i] = hash(paths[i]);
	qsort(h, n, sizeof(*h), cmp_u64);
	rows = backlinks_rows(rec->data, rec->len, KEYS, 3, h, n, &nrows);
	if (rows == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < nrows; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%u",
		    i ? "," : "", rows[i]);
	free(rows);
	return s;
}

static void
test_rows_by_path(void **state)
{
	static const char *const a[] = { "docs/a.md" };
	static const char *const b[] = { "docs/b.md" };
	static const char *const ac[] = { "docs/a.md", "files/c.pdf" };
	static const char *const none[] = { "docs/new.md" };
	struct buf	 rec = { 0 };

	(void)state;
	three_rows(&rec);
	assert_string_equal(rows_for(&rec, a, 1), "0");
	/* Two rows link to b: both, in order. */
	assert_string_equal(rows_for(&rec, b, 1), "0,2");
	/* A row that links to two of the paths is named once. */
	assert_string_equal(rows_for(&rec, ac, 2), "0,2");
	/* A path no row links to: no row, but an answer. */
	assert_string_equal(rows_for(&rec, none, 1), "");
	assert_string_equal(rows_for(&rec, NULL, 0), "");
	buf_free(&rec);
}

/* The record of another table (its keys hash otherwise, or it has
 * another number of rows) is no answer: every row is then checked. */
static void
test_other_table(void **state)
{
	struct buf	 rec = { 0 };
	uint64_t	 h = hash("docs/a.md");
	uint32_t	*rows;
	size_t		 n;

	(void)state;
	three_rows(&rec);
	assert_null(backlinks_rows(rec.data, rec.len, KEYS + 1, 3, &h, 1,
	    &n));
	assert_null(backlinks_rows(rec.data, rec.len, KEYS, 4, &h, 1, &n));
	assert_non_null(rows = backlinks_rows(rec.data, rec.len, KEYS, 3, &h,
	    1, &n));
	assert_int_equal(n, 1);
	free(rows);
	buf_free(&rec);
}

/* A record cut short anywhere, or a row that names a row past the table,
 * is no answer, never a read past the end. */
static void
test_malformed(void **state)
{
	struct buf	 rec = { 0 };
	uint64_t	 h = hash("docs/b.md");
	uint64_t	 all[3];
	uint32_t	*rows, bad = 7;
	size_t		 n, cut;

	(void)state;
	three_rows(&rec);
	for (cut = 0; cut < rec.len; cut++) {
		rows = backlinks_rows(rec.data, cut, KEYS, 3, &h, 1, &n);
		assert_null(rows);
	}
	/* The last row number, past the three rows: read when a path it is
	 * listed under is asked for (any of the three). */
	memcpy(rec.data + rec.len - sizeof(bad), &bad, sizeof(bad));
	all[0] = hash("docs/a.md");
	all[1] = hash("docs/b.md");
	all[2] = hash("files/c.pdf");
	qsort(all, 3, sizeof(*all), cmp_u64);
	assert_null(backlinks_rows(rec.data, rec.len, KEYS, 3, all, 3, &n));
	buf_free(&rec);
}

/* A row whose paths are malformed: no record at all, as a record
 * without that row would call it holding. */
static void
test_malformed_row_writes_nothing(void **state)
{
	struct buf	 rec = { 0 }, p = { 0 };
	struct backlinks_row row;

	(void)state;
	rec_put_u32(&p, 2);
	rec_put_str(&p, "docs/a.md", 9);	/* one path of two */
	row = (struct backlinks_row){ p.data, p.len };
	backlinks_put(&rec, KEYS, &row, 1);
	assert_int_equal(rec.len, 0);
	buf_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_by_path),
		cmocka_unit_test(test_other_table),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_row_writes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
