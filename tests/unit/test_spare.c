/* Spare files (spare.c): which spare a new file is written over.  Freeing
 * a block is what costs, so a file takes the biggest spare that has no
 * more blocks than it needs, else the smallest bigger one; a spare that
 * is not a plain file of its own is never written over. */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "output.h"
#include "spare.h"

static char	 root[] = "/tmp/porch-test-spare-XXXXXX";
static char	 dir[600];	/* root/spare */

static void
make_file(const char *path, size_t size)
{
	char	*bytes = calloc(1, size + 1);
	FILE	*f;

	assert_non_null(bytes);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(bytes, 1, size, f), size);
	fclose(f);
	free(bytes);
}

/* A spare of size bytes, named as the folder names them. */
static void
spare(size_t size, unsigned seq)
{
	char	 path[700];

	snprintf(path, sizeof(path), "%s/%zu-%u", dir, size, seq);
	make_file(path, size);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/spare", root);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return out_remove_tree(root) ? 0 : -1;
}

/* Opens the new file root/name for len bytes; the bytes it held. */
static off_t
create(struct spares *sp, const char *name, off_t len)
{
	char	 path[700];
	off_t	 held = -1;
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = spares_create(sp, path, len, &held);
	assert_true(fd != -1);
	close(fd);
	return held;
}

static void
test_best_fit(void **state)
{
	struct spares	*sp;
	size_t		 reused, made, kept;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	spare(100, 1);
	spare(5000, 2);
	spare(9000, 3);
	spare(20000, 4);
	spare(40000, 5);
	sp = spares_open(dir);
	/* 9,000 bytes need three 4 KiB blocks: the 9,000 spare, not the
	 * 20,000 one, whose two more blocks would be freed. */
	assert_int_equal(create(sp, "a", 9000), 9000);
	/* 8,000 need two: 5,000 is the biggest that frees none. */
	assert_int_equal(create(sp, "b", 8000), 5000);
	/* 4,100 need two as well; 100 is all that is left under. */
	assert_int_equal(create(sp, "c", 4100), 100);
	/* Nothing small is left: the smallest bigger one. */
	assert_int_equal(create(sp, "d", 10), 20000);
	assert_int_equal(create(sp, "e", 50000), 40000);
	/* None left: a new, empty file. */
	assert_int_equal(create(sp, "f", 10), 0);
	spares_counts(sp, &reused, &made, &kept);
	assert_int_equal(reused, 5);
	assert_int_equal(made, 1);
	spares_close(sp);
}

/* A spare another name links to, or a symbolic link, is dropped; a
 * folder of session 27 (bare numbers) is still used. */
static void
test_unsafe_dropped(void **state)
{
	char		 path[700], other[700];
	struct spares	*sp;
	struct stat	 st;

	(void)state;
	snprintf(other, sizeof(other), "%s/site-page", root);
	make_file(other, 3000);
	snprintf(path, sizeof(path), "%s/3000-10", dir);
	assert_int_equal(link(other, path), 0);
	snprintf(path, sizeof(path), "%s/2900-11", dir);
	assert_int_equal(symlink(other, path), 0);
	snprintf(path, sizeof(path), "%s/12", dir);
	make_file(path, 1000);
	sp = spares_open(dir);
	assert_int_equal(create(sp, "g", 3000), 1000);
	assert_int_equal(create(sp, "h", 3000), 0);
	spares_close(sp);
	/* The site's file is as it was, with one name. */
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_size, 3000);
	assert_int_equal(st.st_nlink, 1);
}

/* A file kept is named by its size, and the next build takes it by it. */
static void
test_kept_by_size(void **state)
{
	char		 path[700];
	struct spares	*sp;

	(void)state;
	snprintf(path, sizeof(path), "%s/old-page", root);
	make_file(path, 6000);
	sp = spares_open(dir);
	spares_keep(sp, path);
	spares_close(sp);
	/* The build's rename over it leaves the spare's name alone. */
	assert_int_equal(unlink(path), 0);
	sp = spares_open(dir);
	assert_int_equal(create(sp, "i", 7000), 6000);
	spares_close(sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_fit),
		cmocka_unit_test(test_unsafe_dropped),
		cmocka_unit_test(test_kept_by_size),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
