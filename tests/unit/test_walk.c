/* The content walk: every file once, in strcmp order of its path (the
 * model is built in that order, so it decides which of two pages with
 * the same URL is reported, and the order of equal-weight lists); with a
 * pack, the listings of unchanged folders come from the pack and a
 * changed folder is read again (dirlist.c). */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pack.h"
#include "walk.h"
#include "xalloc.h"

static char	 root[] = "/tmp/porch-test-walk-XXXXXX";
/* The pack's folder: outside root, so the walk does not list it. */
static char	 packdir[] = "/tmp/porch-test-walk-pack-XXXXXX";

/* The folders of the tree make_tree makes, root included. */
#define NFOLDERS	7

/* What a walk of that tree lists. */
static const char *const TREE[] = {
	"a-b/y.md", "a.md", "a/x.md", "a/z.md", "a/z/deep.md", "a0.md",
	"ab/w.md", "docs-old.md", "docs.old/index.md", "docs/index.md",
};
#define NTREE	(sizeof(TREE) / sizeof(*TREE))

static void
touch(const char *rel)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
}

/* Removes root/rel, a file or a symbolic link. */
static void
remove_file(const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

static void
folder(const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int
make_tree(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL)
		return -1;
	/* Folder names that are prefixes of file and folder names, with
	 * bytes below and above '/' after the prefix. */
	folder("a");
	folder("a-b");
	folder("a/z");
	folder("ab");
	folder("docs");
	folder("docs.old");
	touch("a.md");
	touch("a/x.md");
	touch("a/z/deep.md");
	touch("a/z.md");
	touch("a-b/y.md");
	touch("ab/w.md");
	touch("a0.md");
	touch("docs/index.md");
	touch("docs.old/index.md");
	touch("docs-old.md");
	touch("site.lua");		/* the configuration: not content */
	touch(".hidden.md");		/* hidden: not content */
	if (mkdtemp(packdir) == NULL)
		return -1;
	/* A listing is kept only for a folder whose times are more than
	 * two seconds old (a change time cannot be set back). */
	sleep(3);
	return 0;
}

static int
remove_tree(void **state)
{
	char	 cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, packdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* root/name, a symbolic link to root/docs. */
static void
link_docs(const char *name)
{
	char	 target[512], link[512];

	snprintf(target, sizeof(target), "%s/docs", root);
	snprintf(link, sizeof(link), "%s/%s", root, name);
	assert_int_equal(symlink(target, link), 0);
}

/* Walks root through pk (may be NULL) and checks the list is want. */
static void
expect_walk(struct pack *pk, const char *const *want, size_t n)
{
	struct walk_list list;
	size_t		 i;

	assert_int_equal(walk_content(root, pk, &list), 1);
	for (i = 0; i < n && i < list.n; i++)
		assert_string_equal(list.paths[i], want[i]);
	assert_int_equal(list.n, n);
	walk_free(&list);
}

static void
expect_list(const char *const *want, size_t n)
{
	expect_walk(NULL, want, n);
}

/* One walk through the pack as a build makes it: opened, walked,
 * committed; the pack's counts of that walk into *st. */
static void
walk_build(const char *const *want, size_t n, struct pack_stats *st)
{
	struct pack	*pk;

	assert_non_null(pk = pack_open(packdir, 42, 1));
	expect_walk(pk, want, n);
	pack_get_stats(pk, st);
	assert_int_equal(pack_commit(pk), 1);
	pack_close(pk);
}

/* A second walk takes every folder's listing from the pack, and lists
 * what the first one did. */
static void
test_listings_remembered(void **state)
{
	struct pack_stats st;

	(void)state;
	walk_build(TREE, NTREE, &st);
	walk_build(TREE, NTREE, &st);
	assert_int_equal(st.hits, NFOLDERS);
	assert_int_equal(st.stored, 0);
}

/* A file added to a folder changes the folder's times: its listing is
 * read from the folder again (and not kept, the change being too recent
 * to key by), and the walk lists the new file; the other folders still
 * come from the pack. */
static void
test_changed_folder_read_again(void **state)
{
	static const char *const added[] = {
		"a-b/y.md", "a.md", "a/new.md", "a/x.md", "a/z.md",
		"a/z/deep.md", "a0.md", "ab/w.md", "docs-old.md",
		"docs.old/index.md", "docs/index.md",
	};
	struct pack_stats st;

	(void)state;
	walk_build(TREE, NTREE, &st);
	touch("a/new.md");
	walk_build(added, sizeof(added) / sizeof(*added), &st);
	assert_int_equal(st.hits, NFOLDERS - 1);
	assert_int_equal(st.stored, 0);
	remove_file("a/new.md");
	walk_build(TREE, NTREE, &st);
}

static void
test_strcmp_order(void **state)
{
	(void)state;
	expect_list(TREE, NTREE);
}

/* A folder reached through a symbolic link (readdir cannot say it is a
 * folder) is walked, and lands where its path sorts. */
static void
test_linked_folder(void **state)
{
	static const char *const want[] = {
		"a-b/y.md", "a.md", "a/x.md", "a/z.md", "a/z/deep.md",
		"a0.md", "ab/w.md", "docs-old.md", "docs.old/index.md",
		"docs/index.md", "docs0/index.md",
	};

	(void)state;
	link_docs("docs0");
	expect_list(want, sizeof(want) / sizeof(*want));
	remove_file("docs0");
}

/* Taken for a file, a linked folder "a0" would sort before "a0.md": the
 * whole list is sorted again. */
static void
test_linked_folder_sorted(void **state)
{
	static const char *const want[] = {
		"a-b/y.md", "a.md", "a/x.md", "a/z.md", "a/z/deep.md",
		"a0.md", "a0/index.md", "ab/w.md", "docs-old.md",
		"docs.old/index.md", "docs/index.md",
	};

	(void)state;
	link_docs("a0");
	expect_list(want, sizeof(want) / sizeof(*want));
	remove_file("a0");
}

int
main(void)
{
	/* The pack's tests first, while the folders are older than two
	 * seconds (the links of the others change root). */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listings_remembered),
		cmocka_unit_test(test_changed_folder_read_again),
		cmocka_unit_test(test_strcmp_order),
		cmocka_unit_test(test_linked_folder),
		cmocka_unit_test(test_linked_folder_sorted),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
