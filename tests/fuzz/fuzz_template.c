/*
 * Fuzz target for template.c: the input is the text of a template.
 * template.h compiles templates from folders only, so each input is
 * written to a folder of this process (made once, under $TMPDIR, removed
 * at exit) as page.html and as partials/p.html; a second folder holds a
 * fixed layouts/base.html ({{{ content }}} in a frame),
 * partials/fixed.html, and a page.html that does not compile but is
 * shadowed by the input's (the first folder wins on a name).  The set is loaded with tpl_set_load, and when it
 * compiles, page.html is rendered by a fresh worker with a small site
 * and page (arrays, objects, null, booleans, numbers, HTML in text);
 * everything is freed and diag's messages are taken each time.
 *
 * Asserts what template.h promises: tpl_set_load fails exactly when it
 * reported an error, and every compile error names the input's file
 * (the dir as given joined with the name) with a line inside the input,
 * never a file of the second folder;
 * a loaded set has all four templates; tpl_render returns 1 exactly when
 * it reported nothing, and on failure leaves out unchanged and names a
 * template file first, with " (rendering fuzz.md)".
 *
 * The instruction budget (50 million Lua instructions) and the memory
 * cap (512 MB) make a runaway loop or string an error, but reaching
 * them takes from half a second to several (string.rep of a short string
 * under AddressSanitizer), which would starve the fuzzer: inputs that
 * mention "while", "rep" (repeat, string.rep) or "goto" are skipped, as
 * are inputs over 64 KB.  tests/unit/test_template.c tests both limits.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <sys/stat.h>

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "diag.h"
#include "template.h"

#define MAX_INPUT	((size_t)64 << 10)
#define MARK		"<!-- before -->"

#define SITE_JSON "{\"title\": \"Site & Co\", \"base_path\": \"/help/\", " \
	"\"base_url\": \"https://help.example.com/help/\", " \
	"\"assets\": {\"style.css\": \"/help/assets/style.3f2a9c1b.css\"}, " \
	"\"nav\": [{\"title\": \"Docs\", \"url\": \"/docs/\"}, " \
	"{\"title\": \"FAQ\", \"url\": \"https://x.example/faq/\"}], " \
	"\"empty\": [], \"obj\": {}, \"n\": 3}"
#define PAGE_JSON "{\"title\": \"Install <it> & \\\"go\\\"\", " \
	"\"source\": \"fuzz.md\", \"kind\": \"docs\", " \
	"\"content\": \"<p>Hi</p>\", \"description\": \"*em* `c`\", " \
	"\"items\": [\"a\", 2, 2.5, true, null, [], {}], " \
	"\"pages\": [{\"title\": \"A\", \"url\": \"/a/\", \"weight\": 1}, " \
	"{\"title\": \"B\", \"url\": \"/b/\", \"tags\": [\"x\", \"y\"]}], " \
	"\"date\": \"2026-03-04\", \"bad_date\": \"2026-02-30\", " \
	"\"weight\": -3, \"big\": 9007199254740993, \"ratio\": 1.5, " \
	"\"draft\": false, \"none\": null, \"o\": {\"k\": {\"k\": []}}}"

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

static char	 root[4096];		/* this process's folder */
static char	 in_dir[4200];		/* root/in: the input's templates */
static char	 fixed_dir[4200];	/* root/fixed: the fixed ones */
static json_t	*site, *page;

/* Writes size bytes of data to dir/name; aborts on error. */
static void
put(const char *dir, const char *name, const void *data, size_t size)
{
	char	 path[4400];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((f = fopen(path, "wb")) != NULL);
	CHECK(fwrite(data, 1, size, f) == size);
	CHECK(fclose(f) == 0);
}

/* nftw callback removing one entry. */
static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
cleanup(void)
{
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	json_decref(site);
	json_decref(page);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	 layout[] = "<main>{{{ content }}}</main>\n";
	static const char	 fixed[] = "{{ page.title }}|{{ site.n }}";
	const char		*tmp = getenv("TMPDIR");
	char			 sub[4400];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "%s/porch-fuzz-tpl-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(root) != NULL);
	snprintf(in_dir, sizeof(in_dir), "%s/in", root);
	snprintf(fixed_dir, sizeof(fixed_dir), "%s/fixed", root);
	CHECK(mkdir(in_dir, 0700) == 0 && mkdir(fixed_dir, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/partials", in_dir);
	CHECK(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/partials", fixed_dir);
	CHECK(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof(sub), "%s/layouts", fixed_dir);
	CHECK(mkdir(sub, 0700) == 0);
	put(fixed_dir, "layouts/base.html", layout, sizeof(layout) - 1);
	put(fixed_dir, "partials/fixed.html", fixed, sizeof(fixed) - 1);
	/* shadowed by the input's page.html: the first folder wins */
	put(fixed_dir, "page.html", "{{ nope(", 8);
	CHECK((site = json_loads(SITE_JSON, 0, NULL)) != NULL);
	CHECK((page = json_loads(PAGE_JSON, 0, NULL)) != NULL);
	atexit(cleanup);
	return 0;
}

/*
 * Checks that msgs starts with one of our folders, that with rendering
 * it names the page, and that every line of it starting with the
 * input's folder names one of the input's files with a line inside it
 * (lines: the input's number of lines).  Compile errors (not rendering)
 * must not name a file of the fixed folder.
 */
static void
check_messages(const char *msgs, size_t lines, int rendering)
{
	const char	*p, *name, *end;
	size_t		 rl = strlen(root);
	unsigned long	 line;

	CHECK(strncmp(msgs, root, rl) == 0);
	if (rendering)
		CHECK(strstr(msgs, " (rendering fuzz.md)") != NULL);
	for (p = msgs; *p != '\0'; p = end + 1) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p) - 1;
		CHECK(strncmp(p, fixed_dir, strlen(fixed_dir)) != 0 ||
		    rendering);
		if (strncmp(p, in_dir, strlen(in_dir)) != 0)
			continue;
		name = p + strlen(in_dir);
		if (strncmp(name, "/page.html:", 11) == 0)
			name += 11;
		else if (strncmp(name, "/partials/p.html:", 17) == 0)
			name += 17;
		else
			abort();
		line = strtoul(name, NULL, 10);
		CHECK(line <= lines);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*dirs[2] = { in_dir, fixed_dir };
	struct tpl_set	*set;
	struct tpl_worker *w;
	struct buf	 out = { 0 };
	char		*msgs;
	size_t		 i, lines = 1;
	int		 ok;

	if (skip(data, size))
		return 0;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	free(diag_take());
	put(in_dir, "page.html", data, size);
	put(in_dir, "partials/p.html", data, size);

	set = tpl_set_load(dirs, 2);
	msgs = diag_take();
	if (set == NULL) {
		CHECK(msgs[0] != '\0');
		check_messages(msgs, lines, 0);
		free(msgs);
		return 0;
	}
	CHECK(msgs[0] == '\0');
	free(msgs);
	CHECK(tpl_set_has(set, "page.html"));
	CHECK(tpl_set_has(set, "partials/p.html"));
	CHECK(tpl_set_has(set, "partials/fixed.html"));
	CHECK(tpl_set_has(set, "layouts/base.html"));
	CHECK(!tpl_set_has(set, "nope.html"));

	CHECK((w = tpl_worker_new(set, site, NULL, NULL)) != NULL);
	buf_puts(&out, MARK);
	ok = tpl_render(w, "page.html", page, &out);
	msgs = diag_take();
	if (ok) {
		CHECK(msgs[0] == '\0');
	} else {
		CHECK(msgs[0] != '\0');
		CHECK(out.len == strlen(MARK) && strcmp(out.data, MARK) == 0);
		check_messages(msgs, lines, 1);
	}
	free(msgs);
	buf_free(&out);
	tpl_worker_free(w);
	tpl_set_free(set);
	return 0;
}
