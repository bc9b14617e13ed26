/* Tokenising for search: folding, splitting, stop words, stemming and CJK
 * bigrams, as generator/tokenize.h states them (search.js must agree). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xxhash.h>

#include "buf.h"
#include "tokenize.h"

/* Collects "word/stem/flags" lines; stop words are marked with '!'. */
static void
collect(void *ctx, const char *w, size_t wlen, const char *stem, size_t slen,
    int flags)
{
	struct buf	*b = ctx;

	if (b->len)
		buf_putc(b, ' ');
	if (flags & TOK_STOP)
		buf_putc(b, '!');
	buf_append(b, w, wlen);
	if (slen != wlen || memcmp(w, stem, wlen) != 0) {
		buf_putc(b, '/');
		buf_append(b, stem, slen);
	}
}

static char *
tokens(const char *lang, const char *text)
{
	struct tokenizer *t = tok_new(lang);
	struct buf	 b = { 0 };

	tok_text(t, text, strlen(text), collect, &b);
	tok_free(t);
	return buf_take(&b);
}

static void
check(const char *lang, const char *text, const char *want)
{
	char	*got = tokens(lang, text);

	assert_string_equal(got, want);
	free(got);
}

static void
check_fold(const char *text, const char *want)
{
	struct buf	 b = { 0 };

	tok_fold(text, strlen(text), &b);
	assert_string_equal(b.data ? b.data : "", want);
	buf_free(&b);
}

static void
test_fold_case_and_accents(void **state)
{
	(void)state;
	check_fold("Ünïcödé ÉCOLE", "unicode ecole");
	check_fold("Straße STRASSE ẞ", "strasse strasse ss");
	check_fold("ΣΟΦΟΣ σοφος", "σοφοσ σοφοσ");
	check_fold("ﬁle ＡＢＣ ①", "file abc 1");
	check_fold("İstanbul Ωmega", "istanbul ωmega");
	check_fold("plain ascii 123", "plain ascii 123");
	/* Hangul stays composed (NFKC), Japanese voiced marks go. */
	check_fold("백업 が", "백업 か");
}

static void
test_split_words(void **state)
{
	(void)state;
	check(NULL, "don't stop-me now", "don stop !me !now");
	check("xx", "config.yaml v4.1.0 4.1.0. 1..2 E3002",
	    "config yaml v4.1.0 4.1.0 e3002");
	check("xx", "a x yz", "yz");
	check("xx", "snake_case_name", "snake case name");
	check("xx", "naïve café", "naive cafe");
	check("xx", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ok",
	    "ok");	/* 41 letters */
	check("xx", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");	/* 40 */
	check("xx", "non\xc2\xa0" "breaking", "non breaking");
}

static void
test_stop_words(void **state)
{
	(void)state;
	check("en", "How do I restore the files?",
	    "!how !do restore/restor !the files/file");
	check("de", "Wie stelle ich die Dateien wieder her",
	    "!wie stelle/stell !ich !die dateien/datei wieder/wied her");
	check("xx", "the files", "the files");
}

static void
test_stemming(void **state)
{
	(void)state;
	check("en-GB", "Restoring restored restores restoration",
	    "restoring/restor restored/restor restores/restor "
	    "restoration/restor");
	check("EN", "backups agents", "backups/backup agents/agent");
	/* Words with digits are never stemmed. */
	check("en", "agents2 s3", "agents2 s3");
	check("fr", "Sauvegardes", "sauvegardes/sauvegard");
	check("pt-BR", "restaurações", "restauracoes/restauraco");
	assert_string_equal(tok_stemmer_name("en-US"), "english");
	assert_string_equal(tok_stemmer_name("pt-BR"), "portuguese");
	assert_string_equal(tok_stemmer_name("de"), "german");
	assert_string_equal(tok_stemmer_name("nb-NO"), "norwegian");
	assert_null(tok_stemmer_name("ja"));
	assert_null(tok_stemmer_name("zz"));
}

static void
test_cjk_bigrams(void **state)
{
	(void)state;
	check("zh", "備份設定", "備份 份設 設定");
	check("zh", "漢", "漢");
	check("en", "abc漢字def", "abc 漢字 def");
	/* Folding drops the voiced-sound marks, on both sides. */
	check("ja", "バックアップの設定", "ハッ ック クア アッ ッフ フの の設 設定");
	check("ko", "백업 설정", "백업 설정");
	check("ja", "漢・字", "漢 字");
	check("ja", "２０２６年", "2026 年");
}

/*
 * tok_text reads an ASCII segment (text between white space) in one pass
 * and holds its words until the segment's end; a segment with a byte
 * above 0x7f, or with more words than it holds, is read again the slow
 * way.  Every path must give the same words.
 */
static void
test_one_pass_and_fallbacks(void **state)
{
	(void)state;
	/* 20 words in one segment: more than the one pass holds. */
	check("xx", "a1/b2/c3/d4/e5/f6/g7/h8/i9/j10/k11/l12/m13/n14/o15/p16/"
	    "q17/r18/s19/t20", "a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12 m13 "
	    "n14 o15 p16 q17 r18 s19 t20");
	check("xx", "aa.bb.cc.dd.ee.ff.gg.hh.ii.jj.kk.ll.mm.nn.oo.pp.qq 1.2.3",
	    "aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq 1.2.3");
	/* ASCII words, then a combining accent in the same segment. */
	check("xx", "Ab-Cafe\xcc\x81s x", "ab cafes");
	check("en", "Backups-naïve-Agents", "backups/backup naive/naiv "
	    "agents/agent");
	check("xx", "v4.1.0-beta 4.1.0.xy 9.", "v4.1.0 beta 4.1.0 xy");
	check("xx", "\t\n  \r\f\v", "");
	check("xx", "..:;", "");
}

/* Checks the hashes tok_text reports with each word. */
static void
hashes(void *ctx, const char *w, size_t wlen, const char *stem, size_t slen,
    int flags)
{
	struct tokenizer *t = ctx;

	(void)w;
	(void)wlen;
	(void)flags;
	assert_true(tok_stem_hash(t) == XXH3_64bits(stem, slen));
	assert_true(tok_word_hash(t) != 0);
}

/* Records the word hash of the only word of a text. */
static void
word_hash_of(void *ctx, const char *w, size_t wlen, const char *stem,
    size_t slen, int flags)
{
	(void)w;
	(void)wlen;
	(void)stem;
	(void)slen;
	(void)flags;
	*(uint64_t *)((void **)ctx)[1] =
	    tok_word_hash(((struct tokenizer **)ctx)[0]);
}

static void
test_word_and_stem_hashes(void **state)
{
	const char	*text = "Restoring backups2 café 漢字 the-files x";
	struct tokenizer *t = tok_new("en");
	uint64_t	 fast = 0, slow = 0;
	void		*ctx[2] = { t, NULL };

	(void)state;
	tok_text(t, text, strlen(text), hashes, t);
	/* The same word read by the one pass and by the slow path. */
	ctx[1] = &fast;
	tok_text(t, "cafe", 4, word_hash_of, ctx);
	ctx[1] = &slow;
	tok_text(t, "caf\xc3\xa9", 5, word_hash_of, ctx);
	assert_true(fast != 0 && fast == slow);
	tok_free(t);
}

static void
test_stopword_lists_sorted(void **state)
{
	const char	*langs[] = { "en", "de", "fr", "es", "it", "pt", "nl",
			    "ru", "zz" };
	const char *const *l;
	size_t		 i, j;

	(void)state;
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		l = tok_stopwords(langs[i]);
		assert_non_null(l);
		for (j = 0; l[j] && l[j + 1]; j++)
			assert_true(strcmp(l[j], l[j + 1]) < 0);
	}
	assert_null(tok_stopwords("zz")[0]);
	assert_non_null(tok_stopwords("en")[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_case_and_accents),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_stop_words),
		cmocka_unit_test(test_stemming),
		cmocka_unit_test(test_cjk_bigrams),
		cmocka_unit_test(test_one_pass_and_fallbacks),
		cmocka_unit_test(test_word_and_stem_hashes),
		cmocka_unit_test(test_stopword_lists_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
