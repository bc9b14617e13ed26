/*
 * Fuzz target for sitelua.c: the input is the text of a site.lua.  It is
 * written to a file of this process (in a folder made once under
 * $TMPDIR, removed at exit) and run with sitelua_load; the JSON it gives
 * is freed and diag's messages are taken each time.
 *
 * Asserts what sitelua.h promises: it returns NULL exactly when it
 * reported an error, and every message names the file; a result is an
 * object or an array (site.lua must return a table) that dumps to JSON
 * text which is valid UTF-8 and loads back equal (no NaN or infinity, no
 * invalid string or NUL byte slipped through: catalog.json is made from
 * it, and porchd loads it without JSON_ALLOW_NUL).
 *
 * The instruction budget (50 million Lua instructions) and the memory
 * cap (512 MB) make a runaway loop or string an error, but reaching
 * them takes from half a second to several (string.rep of a short string
 * under AddressSanitizer), which would starve the fuzzer: inputs that
 * mention "while", "rep" (repeat, string.rep) or "goto" are skipped, as
 * are inputs over 64 KB.  tests/unit/test_sitelua.c tests both limits.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "diag.h"
#include "sitelua.h"
#include "utf8.h"

#define MAX_INPUT	((size_t)64 << 10)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* abort()s unless cond: libFuzzer and replay both see a crash. */
#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

/* 1 when the input is too large or mentions a way to loop or allocate
 * until a limit stops it (see above). */
static int
skip(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "while", "rep", "goto" };
	size_t			 i;

	if (size > MAX_INPUT)
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (memmem(data, size, words[i], strlen(words[i])) != NULL)
			return 1;
	return 0;
}

static char	 dir[4096];	/* this process's folder */
static char	 path[4200];	/* dir/site.lua */

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/porch-fuzz-site-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/site.lua", dir);
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE	*f;
	json_t	*v, *back;
	char	*msgs, *text;

	if (skip(data, size))
		return 0;
	free(diag_take());
	CHECK((f = fopen(path, "wb")) != NULL);
	CHECK(fwrite(data, 1, size, f) == size);
	CHECK(fclose(f) == 0);

	v = sitelua_load(path);
	msgs = diag_take();
	if (v == NULL) {
		CHECK(strncmp(msgs, path, strlen(path)) == 0);
		free(msgs);
		return 0;
	}
	CHECK(msgs[0] == '\0');
	free(msgs);
	CHECK(json_is_object(v) || json_is_array(v));
	CHECK((text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) != NULL);
	CHECK(utf8_invalid_at(text, strlen(text)) == strlen(text));
	CHECK((back = json_loads(text, 0, NULL)) != NULL);
	CHECK(json_equal(v, back));
	json_decref(back);
	free(text);
	json_decref(v);
	return 0;
}
