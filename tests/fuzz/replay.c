/*
 * Replays a fuzz target's saved corpus as a regression test: linked with
 * one driver of tests/fuzz/ instead of libFuzzer, it calls
 * LLVMFuzzerInitialize (when the driver has one) and then
 * LLVMFuzzerTestOneInput on every regular file of the directories (or the
 * files) named on the command line, in sorted order; with no argument, on
 * FUZZ_CORPUS, the target's folder under tests/fuzz/corpus/.
 *
 * Each file counts as one test, reported in cmocka's format so that
 * tests/run.sh counts them.  Each input is given in a buffer of exactly its
 * size, as libFuzzer does, so that valgrind or AddressSanitizer see a read
 * past its end.  A failing input crashes the program (the drivers abort()
 * on a broken promise); the last "[ RUN      ]" line names it.  A folder
 * that cannot be read or holds no input is a failure: a regression test
 * that tests nothing should not pass.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_CORPUS
#error "build with -DFUZZ_CORPUS='\"tests/fuzz/corpus/TARGET\"'"
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

/* Reads file path into a heap buffer of exactly its size; 0 on error. */
static int
slurp(const char *path, uint8_t **data, size_t *size)
{
	FILE		*f;
	struct stat	 st;
	uint8_t		*p;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	if (fstat(fileno(f), &st) == -1) {
		fclose(f);
		return 0;
	}
	n = (size_t)st.st_size;
	/* malloc(0) may return NULL; libFuzzer never passes NULL */
	p = malloc(n ? n : 1);
	if (p == NULL || fread(p, 1, n, f) != n || ferror(f)) {
		free(p);
		fclose(f);
		return 0;
	}
	fclose(f);
	*data = p;
	*size = n;
	return 1;
}

/* Runs the driver on one file; returns 1 when it could be read. */
static int
run_one(const char *path)
{
	uint8_t	*data;
	size_t	 size;

	printf("[ RUN      ] %s\n", path);
	fflush(stdout);
	if (!slurp(path, &data, &size)) {
		printf("[  ERROR   ] %s: %s\n", path, strerror(errno));
		return 0;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	printf("[       OK ] %s\n", path);
	return 1;
}

/* Keeps the entries that are not "." files (".gitkeep", "..."). */
static int
visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/*
 * Runs every regular file of dir, or dir itself when it is a file.  Adds
 * to *passed and *failed; a folder with nothing to run counts as failed.
 */
static void
run_arg(const char *arg, int *passed, int *failed)
{
	struct dirent	**names;
	struct stat	  st;
	char		 *path;
	int		  i, n, ran = 0;

	if (stat(arg, &st) == -1) {
		printf("[  ERROR   ] %s: %s\n", arg, strerror(errno));
		(*failed)++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		*(run_one(arg) ? passed : failed) += 1;
		return;
	}
	if ((n = scandir(arg, &names, visible, alphasort)) == -1) {
		printf("[  ERROR   ] %s: %s\n", arg, strerror(errno));
		(*failed)++;
		return;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", arg, names[i]->d_name) == -1)
			abort();
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			*(run_one(path) ? passed : failed) += 1;
			ran++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	if (ran == 0) {
		printf("[  ERROR   ] %s: no input to replay\n", arg);
		(*failed)++;
	}
}

int
main(int argc, char *argv[])
{
	char	*deflt[] = { argv[0], (char *)FUZZ_CORPUS, NULL };
	int	 i, passed = 0, failed = 0;

	if (argc < 2) {
		argc = 2;
		argv = deflt;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	printf("[==========] Replaying %d folder(s) or file(s).\n", argc - 1);
	for (i = 1; i < argc; i++)
		run_arg(argv[i], &passed, &failed);
	printf("[==========] %d test(s) run.\n", passed + failed);
	printf("[  PASSED  ] %d test(s).\n", passed);
	if (failed > 0)
		printf("[  FAILED  ] %d test(s).\n", failed);
	return failed > 0;
}
