/* The content walk: every file once, in strcmp order of its path (the
 * model is built in that order, so it decides which of two pages with
 * the same URL is reported, and the order of equal-weight lists). */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "walk.h"
#include "xalloc.h"

static char	 root[] = "/tmp/porch-test-walk-XXXXXX";

static void
touch(const char *rel)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
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
	return 0;
}

static int
remove_tree(void **state)
{
	char	 cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
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

static void
unlink_docs(const char *name)
{
	char	 link[512];

	snprintf(link, sizeof(link), "%s/%s", root, name);
	assert_int_equal(unlink(link), 0);
}

static void
expect_list(const char *const *want, size_t n)
{
	struct walk_list list;
	size_t		 i;

	assert_int_equal(walk_content(root, &list), 1);
	for (i = 0; i < n && i < list.n; i++)
		assert_string_equal(list.paths[i], want[i]);
	assert_int_equal(list.n, n);
	walk_free(&list);
}

static void
test_strcmp_order(void **state)
{
	static const char *const want[] = {
		"a-b/y.md", "a.md", "a/x.md", "a/z.md", "a/z/deep.md",
		"a0.md", "ab/w.md", "docs-old.md", "docs.old/index.md",
		"docs/index.md",
	};

	(void)state;
	expect_list(want, sizeof(want) / sizeof(*want));
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
	unlink_docs("docs0");
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
	unlink_docs("a0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strcmp_order),
		cmocka_unit_test(test_linked_folder),
		cmocka_unit_test(test_linked_folder_sorted),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
