/*
 * Unit tests of generator/frontcache.c: a source's front matter kept in
 * the pack comes back, in the next build, as the tree the parser made
 * (kinds, values, positions, order, nesting, empty and null values), its
 * items and pairs in one block and its strings in the pack's bytes; with
 * the page meta when it was read without a problem, and then the tree is
 * left in the pack until asked for; a file whose identity changed finds
 * nothing.  Each test works in a fresh
 * temporary folder.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "front.h"
#include "frontcache.h"
#include "output.h"
#include "pack.h"

#define SEED	42

static const char TEXT[] =
    "---\n"
    "title: \"Caf\xc3\xa9 hours\"\n"
    "weight: -3\n"
    "ratio: 1.5\n"
    "draft: false\n"
    "empty:\n"
    "tags: [billing, '', \"two words\"]\n"
    "nested:\n"
    "  list:\n"
    "    - a: 1\n"
    "      b: [x, [y, z]]\n"
    "    - {}\n"
    "    - []\n"
    "  after: last\n"
    "---\n"
    "Body.\n";

struct fix {
	char	 root[64];	/* the temporary folder */
	char	 dir[96];	/* root/site.porch-cache */
	char	 file[96];	/* root/page.md, the source */
};

/* Once for both tests: a memo is kept only for a file whose times are
 * more than two seconds old (its change time cannot be set back). */
static int
setup(void **state)
{
	struct fix	*f = calloc(1, sizeof(*f));
	FILE		*fp;

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/porch-fmc-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/site.porch-cache", f->root);
	snprintf(f->file, sizeof(f->file), "%s/page.md", f->root);
	if ((fp = fopen(f->file, "w")) == NULL)
		return -1;
	fputs(TEXT, fp);
	fclose(fp);
	sleep(3);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*f = *state;

	out_remove_tree(f->root);
	free(f);
	return 0;
}

/* Asserts that a and b are the same tree, positions included. */
static void
same_tree(const struct fm_value *a, const struct fm_value *b)
{
	size_t	 i;

	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->col, b->col);
	if (a->str == NULL || b->str == NULL)
		assert_ptr_equal(a->str, b->str);
	else
		assert_string_equal(a->str, b->str);
	assert_int_equal(a->i, b->i);
	assert_true(a->f == b->f);
	assert_int_equal(a->b, b->b);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		if (a->kind == FM_LIST) {
			same_tree(&a->items[i], &b->items[i]);
			continue;
		}
		assert_string_equal(a->pairs[i].key, b->pairs[i].key);
		assert_int_equal(a->pairs[i].line, b->pairs[i].line);
		assert_int_equal(a->pairs[i].col, b->pairs[i].col);
		same_tree(&a->pairs[i].value, &b->pairs[i].value);
	}
}

/* The reading of the fixture's file, as the parser makes it. */
static void
parse(struct source_reading *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(front_parse("page.md", TEXT, strlen(TEXT), &r->fm,
	    &r->body_off, &r->body_line), 1);
	r->len = strlen(TEXT);
	r->body_hash = 7;
	r->front_hash = 9;
}

/* Keeps r (and meta, when not NULL) for the file in a committed pack. */
static void
keep(const struct fix *f, const struct source_reading *r,
    const struct page_meta *meta)
{
	struct pack	*pk = pack_open(f->dir, SEED, 1);
	struct stat	 st;

	assert_non_null(pk);
	assert_int_equal(stat(f->file, &st), 0);
	front_memo_put(pk, f->file, &st, r, meta);
	assert_int_equal(pack_commit(pk), 1);
	pack_close(pk);
}

/* Opens the committed pack and looks the file's reading up in it; *found
 * is front_memo_get's answer.  The caller closes the pack (the reading's
 * strings are its bytes). */
static struct pack *
recall(const struct fix *f, struct source_reading *got,
    struct page_meta *meta, int *meta_read, int *found)
{
	struct pack	*pk = pack_open(f->dir, SEED, 1);
	struct stat	 st;

	assert_non_null(pk);
	assert_int_equal(stat(f->file, &st), 0);
	*found = front_memo_get(pk, f->file, &st, got, meta, meta_read);
	return pk;
}

static void
test_round_trip(void **state)
{
	struct fix	*f = *state;
	struct source_reading parsed, got;
	struct page_meta meta;
	struct pack	*pk;
	const struct fm_value *tags;
	int		 meta_read = -1, found;

	parse(&parsed);
	keep(f, &parsed, NULL);
	pk = recall(f, &got, &meta, &meta_read, &found);
	assert_int_equal(found, 1);
	/* Kept without the meta (it had a problem): the tree is read. */
	assert_int_equal(meta_read, 0);
	assert_null(meta.title);
	assert_null(got.fm_rec);
	assert_int_equal(got.len, parsed.len);
	assert_int_equal(got.body_off, parsed.body_off);
	assert_int_equal(got.body_line, parsed.body_line);
	assert_int_equal(got.body_hash, 7);
	assert_int_equal(got.front_hash, 9);
	same_tree(&parsed.fm, &got.fm);
	/* One block for the items and pairs; front_free frees it. */
	assert_non_null(got.fm.block);
	assert_null(parsed.fm.block);
	tags = front_get(&got.fm, "tags");
	assert_non_null(tags);
	assert_string_equal(tags->items[1].str, "");
	assert_int_equal(front_get(&got.fm, "empty")->kind, FM_NULL);
	front_free(&got.fm);
	assert_null(got.fm.block);
	front_free(&parsed.fm);
	pack_close(pk);
}

/* A reading kept with its meta gives the meta back, field by field, and
 * leaves the tree in the pack: front_memo_tree reads the same tree. */
static void
test_meta_round_trip(void **state)
{
	struct fix	*f = *state;
	struct source_reading parsed, got;
	struct page_meta meta, read;
	struct fm_value	 tree;
	struct pack	*pk;
	int		 meta_read = 0, found;

	parse(&parsed);
	assert_int_equal(front_meta_read("page.md", SECTION_DOCS, &parsed.fm,
	    &meta), 1);
	keep(f, &parsed, &meta);
	pk = recall(f, &got, &read, &meta_read, &found);
	assert_int_equal(found, 1);
	assert_int_equal(meta_read, 1);
	assert_int_equal(got.body_off, parsed.body_off);
	assert_int_equal(got.body_hash, 7);
	assert_string_equal(read.title, "Caf\xc3\xa9 hours");
	assert_null(read.description);
	assert_int_equal(read.weight, -3);
	assert_int_equal(read.has_weight, 1);
	assert_int_equal(read.draft, 0);
	assert_int_equal(read.tags.n, 2);
	assert_string_equal(read.tags.v[0], "billing");
	assert_string_equal(read.tags.v[1], "two words");
	assert_int_equal(read.aliases.n, 0);
	assert_int_equal(read.unsearched, 0);
	/* The tree is not read until asked for. */
	assert_int_equal(got.fm.n, 0);
	assert_null(got.fm.block);
	assert_non_null(got.fm_rec);
	assert_int_equal(front_memo_tree(got.fm_rec, got.fm_rec_len, &tree),
	    1);
	same_tree(&parsed.fm, &tree);
	front_free(&tree);
	/* A cut tree is refused, not read past its end. */
	assert_int_equal(front_memo_tree(got.fm_rec, got.fm_rec_len - 1,
	    &tree), 0);
	assert_null(tree.block);
	front_meta_free(&read);
	front_meta_free(&meta);
	front_free(&parsed.fm);
	pack_close(pk);
}

/* A file written again (its times and size move) is a miss.  Last: it
 * changes the file. */
static void
test_changed_file_misses(void **state)
{
	struct fix	*f = *state;
	struct source_reading parsed, got;
	struct page_meta meta;
	struct pack	*pk;
	FILE		*fp;
	int		 meta_read, found;

	parse(&parsed);
	keep(f, &parsed, NULL);
	front_free(&parsed.fm);
	fp = fopen(f->file, "a");
	assert_non_null(fp);
	fputs("More body.\n", fp);
	fclose(fp);
	pk = recall(f, &got, &meta, &meta_read, &found);
	assert_int_equal(found, 0);
	assert_null(meta.title);
	assert_null(got.fm.block);
	assert_int_equal(got.fm.n, 0);
	pack_close(pk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_meta_round_trip),
		cmocka_unit_test(test_changed_file_misses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
