/* Tokenising for search: folding, splitting, stop words, stemming and CJK
 * bigrams, as generator/tokenize.h states them (search.js must agree). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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
		cmocka_unit_test(test_stopword_lists_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
