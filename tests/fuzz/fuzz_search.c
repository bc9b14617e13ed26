/*
 * Fuzz target for the generator's search index (search.c) and its
 * tokenizer (tokenize.c): the input is a small site as text.  The first
 * byte picks the site language (en, de, fr, ru, ja, pt-BR, zh, none) and
 * the pages' section; the rest is up to four pages separated by a line
 * "\f"; each page's first line is its title, the rest its markdown body.
 * Each page is rendered with md_render, added with search_add, and
 * search_finish writes the index into a temporary folder, which is read
 * back and removed.  The text also goes through tok_text and tok_fold
 * directly.  Inputs that are not valid UTF-8 or hold a NUL are skipped:
 * the content model (front.c, model.c) refuses those before search.
 *
 * Asserts: search_finish succeeds; search/index.json is a JSON object
 * whose "sections" is the number of sections added (the page itself,
 * then one per heading with an id after the intro); every shard named
 * by the root parses as JSON; tok_text only reports non-empty words of at
 * most TOK_MAX_CHARS code points (4 bytes each at most) whose stem is
 * non-empty; tok_fold never yields invalid UTF-8.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "buf.h"
#include "diag.h"
#include "markdown.h"
#include "model.h"
#include "output.h"
#include "search.h"
#include "tokenize.h"
#include "utf8.h"
#include "xalloc.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define MAX_PAGES	4

static char	 tmpdir[] = "/tmp/porch-fuzz-search.XXXXXX";

static const char *const langs[] = {
	"en", "de", "fr", "ru", "ja", "pt-BR", "zh", NULL
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	md_init();
	if (mkdtemp(tmpdir) == NULL)
		abort();
	return 0;
}

static void
word(void *ctx, const char *w, size_t wlen, const char *stem, size_t slen,
    int flags)
{
	(void)ctx;
	(void)flags;
	CHECK(wlen > 0 && wlen <= TOK_MAX_CHARS * 4);
	CHECK(slen > 0);
	CHECK(utf8_invalid_at(w, wlen) == wlen);
	CHECK(utf8_invalid_at(stem, slen) == slen);
}

/* Parses tmpdir/search/name as JSON; the value or abort(). */
static json_t *
load(const char *name)
{
	char		*path = xasprintf("%s/search/%s", tmpdir, name);
	json_error_t	 e;
	json_t		*j = json_load_file(path, 0, &e);

	CHECK(j != NULL);
	free(path);
	return j;
}

static void
check_output(size_t nsections)
{
	json_t		*root, *shard, *names;
	const char	*hash;
	char		 name[64];
	size_t		 i, n;

	root = load("index.json");
	CHECK(json_is_object(root));
	CHECK((size_t)json_integer_value(json_object_get(root, "sections")) ==
	    nsections);
	names = json_object_get(json_object_get(root, "files"), "s");
	n = json_array_size(json_object_get(root, "shards"));
	CHECK(json_array_size(names) == n);
	for (i = 0; i < n; i++) {
		hash = json_string_value(json_array_get(names, i));
		CHECK(hash != NULL);
		snprintf(name, sizeof(name), "s%zu.%s.json", i, hash);
		shard = load(name);
		json_decref(shard);
	}
	json_decref(root);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct site	 site;
	struct page	 pages[MAX_PAGES], *ptrs[MAX_PAGES];
	struct md_doc	 docs[MAX_PAGES];
	struct out_dir	 out;
	struct search_index *idx;
	struct search_worker *w;
	struct tokenizer *tok;
	struct buf	 fold = { 0 };
	char		*text, *p, *sep, *nl, url[32];
	size_t		 n = 0, i, nsections = 0, first;
	const char	*lang;

	if (size < 1)
		return 0;
	text = xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (memchr(text, '\0', size - 1) != NULL ||
	    utf8_invalid_at(text, size - 1) != size - 1) {
		free(text);
		return 0;
	}
	lang = langs[data[0] % 8];

	tok = tok_new(lang);
	tok_text(tok, text, size - 1, word, NULL);
	tok_free(tok);
	tok_fold(text, size - 1, &fold);
	CHECK(utf8_invalid_at(fold.data ? fold.data : "", fold.len) ==
	    fold.len);
	buf_free(&fold);

	memset(&site, 0, sizeof(site));
	site.cfg.language = lang;
	site.cfg.base_path = (char *)"/";
	memset(pages, 0, sizeof(pages));
	for (p = text; p != NULL && n < MAX_PAGES; n++) {
		if ((sep = strstr(p, "\n\f\n")) != NULL)
			*sep = '\0';
		pages[n].kind = KIND_PAGE;
		pages[n].section = (enum section)((data[0] >> 3) % 4 ==
		    0 ? SECTION_PAGE : (data[0] >> 3) % 4 == 1 ? SECTION_FAQ :
		    (data[0] >> 3) % 4 == 2 ? SECTION_CHANGELOG :
		    SECTION_ROADMAP);
		pages[n].index = n;
		pages[n].source = (char *)"docs/fuzz.md";
		snprintf(url, sizeof(url), "/p%zu/", n);
		pages[n].url = xstrdup(url);
		nl = strchr(p, '\n');
		pages[n].title = nl ? xstrndup(p, (size_t)(nl - p)) :
		    xstrdup(p);
		pages[n].text = nl ? nl + 1 : p + strlen(p);
		pages[n].text_len = strlen(pages[n].text);
		pages[n].body_line = 2;
		ptrs[n] = &pages[n];
		p = sep ? sep + 3 : NULL;
	}
	site.pages = ptrs;
	site.npages = n;

	CHECK(out_remove_tree(tmpdir));
	CHECK(mkdir(tmpdir, 0700) == 0);
	memset(&out, 0, sizeof(out));
	out.final = tmpdir;
	out.tmp = tmpdir;
	idx = search_new(&site, &out, NULL, 1);
	w = search_worker_new(idx);
	for (i = 0; i < n; i++) {
		memset(&docs[i], 0, sizeof(docs[i]));
		md_render("docs/fuzz.md", pages[i].text, pages[i].text_len, 2,
		    NULL, NULL, &docs[i]);
		search_add(w, &pages[i], &docs[i]);
		first = docs[i].nsections > 0 &&
		    docs[i].sections[0].id == NULL;
		nsections += 1 + docs[i].nsections - first;
	}
	search_worker_free(w);
	CHECK(search_finish(idx));
	search_free(idx);
	check_output(nsections);
	for (i = 0; i < n; i++) {
		md_doc_free(&docs[i]);
		free(pages[i].url);
		free(pages[i].title);
	}
	free(diag_take());
	free(text);
	return 0;
}
