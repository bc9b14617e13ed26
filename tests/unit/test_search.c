/* The search index: ranking signals as stored (field weights, FAQ
 * questions, exact titles), stemming and CJK terms, sharding (bounded,
 * ordered, prefixes findable), chunks, tags and determinism.  Each test
 * builds a small site with `porch build` and reads search/ back. */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "build.h"
#include "buf.h"
#include "output.h"
#include "search.h"
#include "xalloc.h"

static char	 tmpdir[] = "/tmp/porch-test-search.XXXXXX";

static void
put(const char *site, const char *rel, const char *text)
{
	char	*path = xasprintf("%s/%s/%s", tmpdir, site, rel), *p;
	FILE	*f;

	for (p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* Builds tmpdir/site into tmpdir/out with threads workers. */
static void
build(const char *site, const char *out, int threads)
{
	struct build_opts o;
	char	*in = xasprintf("%s/%s", tmpdir, site);
	char	*to = xasprintf("%s/%s", tmpdir, out);

	memset(&o, 0, sizeof(o));
	o.content = in;
	o.out = to;
	o.threads = threads;
	o.quiet = 1;
	assert_int_equal(build_run(&o), 1);
	free(in);
	free(to);
}

static json_t *
load(const char *out, const char *name)
{
	char		*path = xasprintf("%s/%s/search/%s", tmpdir, out, name);
	json_error_t	 err;
	json_t		*j = json_load_file(path, 0, &err);

	if (j == NULL)
		fail_msg("%s: %s", path, err.text);
	free(path);
	return j;
}

/* The index read back: every term's postings, the sections' URLs. */
struct index {
	json_t		*root;
	json_t		*shards;	/* array of shard objects */
	json_t		*recs;		/* array, by section in site order:
					   [url, anchor, label, page place,
					   place in the page] */
	json_t		*files;		/* the root's file name hashes */
};

/* Index file KIND (s, c: number i; t: i -1), by the name the root gives. */
static json_t *
load_file(const char *out, const struct index *ix, const char *kind,
    long i)
{
	json_t	*h = json_object_get(ix->files, kind);
	char	*name;
	json_t	*j;

	if (i >= 0)
		h = json_array_get(h, (size_t)i);
	assert_non_null(json_string_value(h));
	name = i >= 0 ? xasprintf("%s%ld.%s.json", kind, i,
	    json_string_value(h)) : xasprintf("%s.%s.json", kind,
	    json_string_value(h));
	j = load(out, name);
	free(name);
	return j;
}

static void
read_index(const char *out, struct index *ix)
{
	size_t	 i, k;
	json_t	*g, *s, *chunks;
	json_int_t start = 0, page, last_page = 0, last_sec = 0;

	ix->root = load(out, "index.json");
	ix->files = json_object_get(ix->root, "files");
	assert_non_null(ix->files);
	ix->shards = json_array();
	for (i = 0; i < json_array_size(json_object_get(ix->root, "shards"));
	    i++) {
		json_array_append_new(ix->shards, load_file(out, ix, "s",
		    (long)i));
	}
	ix->recs = json_array();
	chunks = json_object_get(ix->root, "chunks");
	for (i = 0; 2 * i < json_array_size(chunks); i++) {
		json_t *c;
		json_int_t sec;

		/* The chunk's first section: page gap, place in the page;
		 * the sections so far end right before it. */
		start += json_integer_value(json_array_get(chunks, 2 * i));
		page = start;
		sec = json_integer_value(json_array_get(chunks, 2 * i + 1));
		if (i > 0)
			assert_true(last_page == page - (sec == 0) &&
			    (sec == 0 || last_sec + 1 == sec));
		c = load_file(out, ix, "c", (long)i);
		json_array_foreach(c, k, g) {
			size_t j;

			if (k > 0) {
				page++;
				sec = 0;
			}
			json_array_foreach(json_array_get(g, 4), j, s) {
				last_page = page;
				last_sec = sec;
				json_array_append_new(ix->recs, json_pack(
				    "[s, s, s, I, I]", json_string_value(
				    json_array_get(g, 0)), json_string_value(
				    json_array_get(s, 0)), json_string_value(
				    json_array_get(g, 2)), page, sec++));
			}
		}
		json_decref(c);
	}
	assert_int_equal(json_array_size(ix->recs), (size_t)json_integer_value(
	    json_object_get(ix->root, "sections")));
}

static void
free_index(struct index *ix)
{
	json_decref(ix->root);
	json_decref(ix->shards);
	json_decref(ix->recs);
}

/* The dictionary entry of term, or NULL. */
static json_t *
entry(const struct index *ix, const char *term)
{
	size_t	 i, j;
	json_t	*sh, *e;

	json_array_foreach(ix->shards, i, sh)
		json_array_foreach(json_object_get(sh, "t"), j, e)
			if (strcmp(json_string_value(json_array_get(e, 0)),
			    term) == 0)
				return e;
	return NULL;
}

static int
b64(char c)
{
	const char *a =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	return (int)(strchr(a, c) - a);
}

/* A number of a posting: base64url digits of 5 bits, low first, 32 set
 * when another follows. */
static int
b64num(const char **p)
{
	int	 v = 0, m = 1, c;

	do {
		c = b64(*(*p)++);
		v += (c & 31) * m;
		m *= 32;
	} while (c & 32);
	return v;
}

/* Section sid's page place, and its place in the page (*sec). */
static int
place_of(const struct index *ix, int sid, int *sec)
{
	json_t	*r = json_array_get(ix->recs, (size_t)sid);

	assert_non_null(r);
	*sec = (int)json_integer_value(json_array_get(r, 4));
	return (int)json_integer_value(json_array_get(r, 3));
}

/* The stored impact (0..63) of term in section sid, or -1. */
static int
impact(const struct index *ix, const char *term, int sid)
{
	json_t		*e = entry(ix, term);
	const char	*p;
	int		 page = -1, sec = 0, v, c, want_page, want_sec;

	if (e == NULL)
		return -1;
	want_page = place_of(ix, sid, &want_sec);
	p = json_string_value(json_array_get(e, 2));
	while (*p) {
		v = b64num(&p);
		if (v >= 2) {
			page += v / 2;
			sec = 0;
		}
		if (v & 1)
			sec += b64num(&p) + 1;
		c = b64(*p++);
		if (page == want_page && sec == want_sec)
			return c;
	}
	return -1;
}

/* The section id of url with anchor ("" for the page itself), or -1. */
static int
sid_of(const struct index *ix, const char *url, const char *anchor)
{
	size_t	 i;
	json_t	*r;

	json_array_foreach(ix->recs, i, r)
		if (strcmp(json_string_value(json_array_get(r, 0)), url) == 0 &&
		    strcmp(json_string_value(json_array_get(r, 1)), anchor) == 0)
			return (int)i;
	return -1;
}

static void
make_ranking_site(const char *site)
{
	put(site, "site.lua", "return { title = \"T\", language = \"en-GB\" }\n");
	put(site, "docs/index.md", "---\ntitle: Docs\n---\n\nAll the docs.\n");
	put(site, "docs/alpha.md", "---\ntitle: Zebra crossing\n---\n\n"
	    "Roads and lines.\n");
	put(site, "docs/beta.md", "---\ntitle: Beta guide\n---\n\nIntro.\n\n"
	    "## Zebra herds\n\nSome text about herds.\n");
	put(site, "docs/gamma.md", "---\ntitle: Gamma guide\ntags: [zebra]\n"
	    "description: About animals.\n---\n\nPlain words here.\n");
	put(site, "docs/delta.md", "---\ntitle: Delta guide\n---\n\nA zebra in "
	    "the body text with a good many other words around it.\n");
	put(site, "docs/rotate.md", "---\ntitle: Key handling\n---\n\nIntro.\n\n"
	    "## Rotate keys\n\nHow keys are rotated.\n");
	put(site, "docs/restore.md", "---\ntitle: Restoring data\n---\n\nYou "
	    "can restore files. Restores are quick.\n");
	put(site, "docs/japanese.md", "---\ntitle: \xe8\xa8\xad\xe5\xae\x9a\n---"
	    "\n\n\xe3\x83\x90\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xa2\xe3\x83\x83"
	    "\xe3\x83\x97\xe3\x81\xae\xe8\xa8\xad\xe5\xae\x9a\n");
	put(site, "docs/hidden.md", "---\ntitle: Secret zebra\nsearch: false\n"
	    "---\n\nSecret stuff.\n");
	put(site, "faq/rotate.md", "---\ntitle: How do I rotate the zebra keys?\n"
	    "category: Security\n---\n\nFrom the console.\n");
	put(site, "changelog/1.0.0.md", "---\ntitle: First release\nversion: "
	    "\"1.0.0\"\ndate: 2026-01-10\ntype: feature\n---\n\nHello.\n");
	put(site, "roadmap/teleport.md", "---\ntitle: Teleport\nid: teleport\n"
	    "status: planned\n---\n\nSoon.\n");
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	make_ranking_site("rank");
	build("rank", "rank-out", 2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	out_remove_tree(tmpdir);
	return 0;
}

static void
test_field_weights(void **state)
{
	struct index	 ix;
	int		 title, head, meta, body;

	(void)state;
	read_index("rank-out", &ix);
	title = impact(&ix, "zebra", sid_of(&ix, "/docs/alpha/", ""));
	head = impact(&ix, "zebra", sid_of(&ix, "/docs/beta/", "zebra-herds"));
	meta = impact(&ix, "zebra", sid_of(&ix, "/docs/gamma/", ""));
	body = impact(&ix, "zebra", sid_of(&ix, "/docs/delta/", ""));
	assert_true(body > 0);
	assert_true(title > head);
	assert_true(head > meta);
	assert_true(meta > body);
	free_index(&ix);
}

static void
test_faq_question_weighs_like_a_title(void **state)
{
	struct index	 ix;
	int		 faq, docs_title, docs_head;

	(void)state;
	read_index("rank-out", &ix);
	faq = impact(&ix, "rotat", sid_of(&ix, "/faq/rotate/", ""));
	docs_head = impact(&ix, "rotat", sid_of(&ix, "/docs/rotate/",
	    "rotate-keys"));
	assert_true(faq > docs_head);
	/* The same word in a docs title and in a question of similar
	 * length score alike. */
	faq = impact(&ix, "zebra", sid_of(&ix, "/faq/rotate/", ""));
	docs_title = impact(&ix, "zebra", sid_of(&ix, "/docs/alpha/", ""));
	assert_true(abs(faq - docs_title) <= 3);
	free_index(&ix);
}

static void
test_exact_titles_and_labels(void **state)
{
	struct index	 ix;
	json_t		*sh, *x;
	size_t		 i, j;
	int		 found = 0, faq = -1, sec;

	(void)state;
	read_index("rank-out", &ix);
	faq = sid_of(&ix, "/faq/rotate/", "");
	json_array_foreach(ix.shards, i, sh)
		json_array_foreach(json_object_get(sh, "x"), j, x)
			if (strcmp(json_string_value(json_array_get(x, 0)),
			    "rotate zebra keys") == 0) {
				assert_int_equal(json_integer_value(
				    json_array_get(x, 1)), place_of(&ix, faq,
				    &sec));
				found = 1;
			}
	assert_true(found);
	assert_string_equal(json_string_value(json_array_get(json_array_get(
	    ix.recs, (size_t)faq), 2)), "FAQ \xc2\xb7 Security");
	assert_string_equal(json_string_value(json_array_get(json_array_get(
	    ix.recs, (size_t)sid_of(&ix, "/roadmap/teleport/", "")), 2)),
	    "Planned");
	assert_string_equal(json_string_value(json_array_get(json_array_get(
	    ix.recs, (size_t)sid_of(&ix, "/changelog/1.0.0/", "")), 2)),
	    "Changelog 1.0.0");
	free_index(&ix);
}

static void
test_stems_surfaces_and_cjk(void **state)
{
	struct index	 ix;
	json_t		*e, *s;
	size_t		 i;
	int		 restore = 0, restores = 0, restoring = 0;

	(void)state;
	read_index("rank-out", &ix);
	e = entry(&ix, "restor");
	assert_non_null(e);
	json_array_foreach(json_array_get(e, 3), i, s) {
		restore |= strcmp(json_string_value(s), "restore") == 0;
		restores |= strcmp(json_string_value(s), "restores") == 0;
		restoring |= strcmp(json_string_value(s), "restoring") == 0;
	}
	assert_true(restore && restores && restoring);
	/* Stop words are not indexed. */
	assert_null(entry(&ix, "the"));
	/* CJK: bigrams (folding drops the voiced mark of バ). */
	assert_non_null(entry(&ix, "\xe8\xa8\xad\xe5\xae\x9a"));
	assert_non_null(entry(&ix, "\xe3\x83\x8f\xe3\x83\x83"));
	free_index(&ix);
}

static void
test_search_false_and_kinds(void **state)
{
	struct index	 ix;
	json_t		*runs;
	int		 sid, kind = -1, page, sec;
	size_t		 i;

	(void)state;
	read_index("rank-out", &ix);
	assert_int_equal(sid_of(&ix, "/docs/hidden/", ""), -1);
	assert_null(entry(&ix, "secret"));
	sid = sid_of(&ix, "/roadmap/teleport/", "");
	page = place_of(&ix, sid, &sec);
	runs = json_object_get(ix.root, "runs");
	for (i = 0; i < json_array_size(runs); i += 2)
		if (json_integer_value(json_array_get(runs, i)) <= page)
			kind = (int)json_integer_value(json_array_get(runs,
			    i + 1));
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    ix.root, "kinds"), (size_t)kind)), "roadmap");
	free_index(&ix);
}

static void
test_tags(void **state)
{
	struct index	 ix;
	json_t		*t, *v;
	int		 gamma, sec;

	(void)state;
	read_index("rank-out", &ix);
	t = load_file("rank-out", &ix, "t", -1);
	v = json_object_get(t, "zebra");
	gamma = place_of(&ix, sid_of(&ix, "/docs/gamma/", ""), &sec);
	assert_int_equal(json_array_size(v), 1);
	assert_int_equal(json_integer_value(json_array_get(v, 0)), gamma);
	json_decref(t);
	free_index(&ix);
}

/* Same input, one thread or several: the same bytes. */
static void
test_deterministic(void **state)
{
	char	*cmd;

	(void)state;
	build("rank", "det-1", 1);
	build("rank", "det-4", 4);
	cmd = xasprintf("diff -r %s/det-1/search %s/det-4/search >/dev/null && "
	    "diff -r %s/det-1/search %s/rank-out/search >/dev/null", tmpdir,
	    tmpdir, tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
test_utf16_order(void **state)
{
	(void)state;
	/* U+1F600 is D83D DE00 in UTF-16: before U+FF61, unlike in UTF-8. */
	assert_true(search_strcmp("\xf0\x9f\x98\x80", "\xef\xbd\xa1") < 0);
	assert_true(strcmp("\xf0\x9f\x98\x80", "\xef\xbd\xa1") > 0);
	assert_true(search_strcmp("ab", "abc") < 0);
	assert_true(search_strcmp("abc", "abc") == 0);
	assert_true(search_strcmp("b", "abc") > 0);
	assert_true(search_quantize(0.01) == 0);
	assert_true(search_quantize(1.0) < search_quantize(1.2));
	assert_true(search_quantize(1e9) == 63);
}

/* A site whose dictionary needs many shards. */
static void
test_shards_bounded_and_prefixes(void **state)
{
	struct index	 ix;
	struct buf	 b = { 0 };
	json_t		*keys, *sh, *e;
	const char	*prev = NULL, *t, *lo, *hi;
	size_t		 i, j, k, n, nterms = 0;
	unsigned	 x = 12345;
	char		 name[64], word[16];

	(void)state;
	put("many", "site.lua", "return { title = \"M\" }\n");
	for (i = 0; i < 300; i++) {
		buf_reset(&b);
		buf_printf(&b, "---\ntitle: Page %zu\n---\n\n", i);
		for (j = 0; j < 60; j++) {
			x = x * 1103515245u + 12345u;
			for (k = 0; k < 7; k++)
				word[k] = (char)('a' + (x >> (k * 4 + 3)) % 26);
			word[k] = '\0';
			buf_printf(&b, "%s%s", word, j % 12 == 11 ? ".\n\n## "
			    "Part\n\n" : " ");
		}
		snprintf(name, sizeof(name), "docs/p%03zu.md", i);
		put("many", name, b.data);
	}
	buf_free(&b);
	build("many", "many-out", 2);
	read_index("many-out", &ix);
	keys = json_object_get(ix.root, "shards");
	n = json_array_size(keys);
	assert_true(n > 4);
	assert_true(n <= SEARCH_MAX_SHARDS);
	assert_true(json_array_size(json_object_get(ix.root, "chunks")) <=
	    2 * SEARCH_MAX_CHUNKS);
	/* Every term lies in the range its shard's key starts, in order. */
	json_array_foreach(ix.shards, i, sh) {
		lo = json_string_value(json_array_get(keys, i));
		hi = i + 1 < n ? json_string_value(json_array_get(keys, i + 1)) :
		    NULL;
		if (i > 0)
			assert_true(search_strcmp(json_string_value(
			    json_array_get(keys, i - 1)), lo) < 0);
		json_array_foreach(json_object_get(sh, "t"), j, e) {
			t = json_string_value(json_array_get(e, 0));
			assert_true(search_strcmp(lo, t) <= 0);
			if (hi != NULL)
				assert_true(search_strcmp(t, hi) < 0);
			if (prev != NULL)
				assert_true(search_strcmp(prev, t) < 0);
			prev = t;
			nterms++;
		}
	}
	assert_true(nterms > 10000);
	/* A prefix's terms are in the shards from the prefix's own to that of
	 * the prefix followed by U+FFFF, which is where the client looks. */
	json_array_foreach(ix.shards, i, sh)
		json_array_foreach(json_object_get(sh, "t"), j, e) {
			char p[4], pmax[8];
			size_t a = 0, z = 0;

			t = json_string_value(json_array_get(e, 0));
			snprintf(p, sizeof(p), "%.2s", t);
			snprintf(pmax, sizeof(pmax), "%s\xef\xbf\xbf", p);
			for (k = 0; k < n; k++) {
				if (search_strcmp(json_string_value(
				    json_array_get(keys, k)), p) <= 0)
					a = k;
				if (search_strcmp(json_string_value(
				    json_array_get(keys, k)), pmax) <= 0)
					z = k;
			}
			assert_true(a <= i && i <= z);
		}
	free_index(&ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_weights),
		cmocka_unit_test(test_faq_question_weighs_like_a_title),
		cmocka_unit_test(test_exact_titles_and_labels),
		cmocka_unit_test(test_stems_surfaces_and_cjk),
		cmocka_unit_test(test_search_false_and_kinds),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_utf16_order),
		cmocka_unit_test(test_shards_bounded_and_prefixes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
