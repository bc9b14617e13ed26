/* Spare files (spare.c): which spare a new file is written over.  Freeing
 * a block is what costs, so a file takes the biggest spare that has no
 * more blocks than it needs, else the smallest bigger one; a spare that
 * is not a plain file of its own is never written over. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>

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

/* Each test starts with the folder empty: staged files stay in it. */
static void
empty_folder(void)
{
	assert_true(access(dir, F_OK) == -1 || out_remove_tree(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
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

/* Stages file n for len bytes; the bytes it held. */
static off_t
stage(struct spares *sp, size_t n, off_t len)
{
	off_t	 held = -1;
	int	 fd;

	fd = spares_stage(sp, n, 0, len, &held);
	assert_true(fd != -1);
	close(fd);
	return held;
}

static size_t
count_files(const char *path)
{
	DIR		*d = opendir(path);
	struct dirent	*de;
	size_t		 n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_best_fit(void **state)
{
	struct spares	*sp;
	size_t		 reused, made, kept;

	(void)state;
	empty_folder();
	spare(100, 1);
	spare(5000, 2);
	spare(9000, 3);
	spare(20000, 4);
	spare(40000, 5);
	sp = spares_open(dir);
	/* 9,000 bytes need three 4 KiB blocks: the 9,000 spare, not the
	 * 20,000 one, whose two more blocks would be freed. */
	assert_int_equal(stage(sp, 1, 9000), 9000);
	/* 8,000 need two: 5,000 is the biggest that frees none. */
	assert_int_equal(stage(sp, 2, 8000), 5000);
	/* 4,100 need two as well; 100 is all that is left under. */
	assert_int_equal(stage(sp, 3, 4100), 100);
	/* Nothing small is left: the smallest bigger one. */
	assert_int_equal(stage(sp, 4, 10), 20000);
	assert_int_equal(stage(sp, 5, 50000), 40000);
	/* None left: a new, empty file, made in the folder. */
	assert_int_equal(stage(sp, 6, 10), 0);
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
	empty_folder();
	snprintf(other, sizeof(other), "%s/site-page", root);
	make_file(other, 3000);
	snprintf(path, sizeof(path), "%s/3000-10", dir);
	assert_int_equal(link(other, path), 0);
	snprintf(path, sizeof(path), "%s/2900-11", dir);
	assert_int_equal(symlink(other, path), 0);
	snprintf(path, sizeof(path), "%s/12", dir);
	make_file(path, 1000);
	sp = spares_open(dir);
	assert_int_equal(stage(sp, 1, 3000), 1000);
	assert_int_equal(stage(sp, 2, 3000), 0);
	spares_close(sp);
	/* The site's file is as it was, with one name. */
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_size, 3000);
	assert_int_equal(st.st_nlink, 1);
}

/* A file retired is named by its size, and the next build takes it by
 * it. */
static void
test_kept_by_size(void **state)
{
	char		 path[700];
	struct spares	*sp;

	(void)state;
	empty_folder();
	snprintf(path, sizeof(path), "%s/old-page", root);
	make_file(path, 6000);
	sp = spares_open(dir);
	assert_int_equal(spares_retire(sp, path), 1);
	spares_close(sp);
	assert_int_equal(access(path, F_OK), -1);
	sp = spares_open(dir);
	assert_int_equal(stage(sp, 1, 7000), 6000);
	spares_close(sp);
}

/* The name of a file in the folder, into buf; 0 when it is empty. */
static int
first_name(char *buf, size_t size)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 found = 0;

	assert_non_null(d);
	while (!found && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			snprintf(buf, size, "%s", de->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

/* Reads the file at path into buf (at most size - 1 bytes). */
static void
read_text(const char *path, char *buf, size_t size)
{
	FILE	*f = fopen(path, "r");
	size_t	 n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Staged files reach the site in one step each: one that replaces a file
 * swaps names with it, so the replaced bytes stay as a spare, labelled
 * with their blocks; a new one leaves the folder.  Nothing staged under a
 * number is nothing to move. */
static void
test_placed(void **state)
{
	char		 page[700], fresh[700], buf[300];
	struct spares	*sp;
	size_t		 reused, made, kept;
	off_t		 held;
	int		 fd;

	(void)state;
	empty_folder();
	snprintf(page, sizeof(page), "%s/page", root);
	snprintf(fresh, sizeof(fresh), "%s/fresh", root);
	make_file(page, 20000);
	sp = spares_open(dir);
	assert_non_null(sp);
	fd = spares_stage(sp, 1, 0, 4, &held);
	assert_int_equal(write(fd, "new\n", 4), 4);
	close(fd);
	fd = spares_stage(sp, 2, 1, 6, &held);
	assert_int_equal(write(fd, "twin\n", 5), 5);
	close(fd);
	assert_int_equal(count_files(dir), 2);
	assert_int_equal(spares_place(sp, 1, 0, page), 1);
	assert_int_equal(spares_place(sp, 2, 1, fresh), 1);
	assert_int_equal(spares_place(sp, 2, 0, "/nonexistent/x"), 1);
	read_text(page, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	read_text(fresh, buf, sizeof(buf));
	assert_string_equal(buf, "twin\n");
	spares_counts(sp, &reused, &made, &kept);
	assert_int_equal(made, 2);
	assert_int_equal(kept, 1);
	spares_close(sp);
	/* The replaced page is the one spare, named by its size now, not
	 * by the 4 bytes it was made for (five blocks, not one). */
	assert_int_equal(count_files(dir), 1);
	assert_true(first_name(buf, sizeof(buf)));
	assert_int_equal(strncmp(buf, "20000-", 6), 0);
}

/* A failed build places none of its staged files: those made for it go,
 * the spares written over stay spares. */
static void
test_unplaced_dropped(void **state)
{
	struct spares	*sp;

	(void)state;
	empty_folder();
	spare(5000, 1);
	sp = spares_open(dir);
	assert_int_equal(stage(sp, 1, 5000), 5000);
	assert_int_equal(stage(sp, 2, 5000), 0);
	assert_int_equal(stage(sp, 3, 5000), 0);
	assert_int_equal(count_files(dir), 3);
	spares_close(sp);
	assert_int_equal(count_files(dir), 1);
}

/* A staged file's folder may not exist yet: ENOENT, and nothing lost. */
static void
test_place_missing_folder(void **state)
{
	char		 path[700];
	struct spares	*sp;
	off_t		 held;
	int		 fd;

	(void)state;
	empty_folder();
	snprintf(path, sizeof(path), "%s/no/such/page", root);
	sp = spares_open(dir);
	fd = spares_stage(sp, 1, 0, 10, &held);
	close(fd);
	assert_int_equal(spares_place(sp, 1, 0, path), 0);
	assert_int_equal(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/no", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/no/page", root);
	assert_int_equal(spares_place(sp, 1, 0, path), 1);
	assert_int_equal(access(path, F_OK), 0);
	spares_close(sp);
}

/* Without its folder there is no spares object: the build is full. */
static void
test_no_folder(void **state)
{
	(void)state;
	assert_null(spares_open("/nonexistent/porch/spare"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_fit),
		cmocka_unit_test(test_unsafe_dropped),
		cmocka_unit_test(test_kept_by_size),
		cmocka_unit_test(test_placed),
		cmocka_unit_test(test_unplaced_dropped),
		cmocka_unit_test(test_place_missing_folder),
		cmocka_unit_test(test_no_folder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
