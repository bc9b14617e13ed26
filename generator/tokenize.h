/*
 * tokenize: the words of a text as search sees them.  The browser
 * (themes/default/assets/search.js) splits a query by the same rules, so
 * the two must change together; docs/search.md states them.
 *
 *  1. Fold: NFKC with combining marks removed, then lower case, then
 *     U+00DF (sharp s) -> "ss" and U+03C2 (final sigma) -> U+03C3.
 *     In JavaScript: s.normalize("NFKD"), drop \p{M}, normalize("NFC"),
 *     toLowerCase(), the two replacements (equal for every code point).
 *  2. Split the folded text into words: runs of letters and numbers
 *     (\p{L}, \p{N}); anything else separates them, except a '.' between
 *     two ASCII digits, which is kept ("4.1.0").  Chinese, Japanese and
 *     Korean characters (Han, Hiragana, Katakana, Hangul, and U+3005-3007)
 *     form runs of their own.
 *  3. A word of 1 or more than TOK_MAX_CHARS code points is dropped.  A
 *     CJK run becomes its overlapping bigrams ("ABC" -> "AB", "BC"), or
 *     the one character of a run of one.
 *  4. Stop words of the site's language are flagged TOK_STOP; words made
 *     only of letters are stemmed with Snowball for that language (after
 *     folding), others are their own stem.
 *
 * A tokenizer is not thread-safe (the Snowball stemmer is not): one per
 * thread.  It caches stems, which makes stemming nearly free on real text.
 */
#ifndef PORCH_TOKENIZE_H
#define PORCH_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TOK_MAX_CHARS	40	/* longer words are not indexed */

enum {
	TOK_STOP = 1,		/* a stop word (not indexed) */
	TOK_CJK = 2,		/* a CJK bigram or single character */
	TOK_NUM = 4,		/* has a digit (never stemmed) */
	TOK_SEEN = 8,		/* the word was seen since tok_new_epoch */
};

/*
 * Called once per word in text order.  word is the folded surface form,
 * stem its stem (equal to word when not stemmed); neither is
 * NUL-terminated and both are valid only during the call.
 */
typedef void (*tok_fn)(void *ctx, const char *word, size_t wlen,
    const char *stem, size_t slen, int flags);

struct tokenizer;

/* A tokenizer for a site language tag ("en", "pt-BR"; NULL means "en"). */
struct tokenizer *tok_new(const char *language);
void	 tok_free(struct tokenizer *);

/* Starts a new epoch: TOK_SEEN then flags a word (without digits) the
 * tokenizer has seen since.  Lets a caller skip work it did for a word
 * already, e.g. once per page; a word may lack the flag even when seen. */
void	 tok_new_epoch(struct tokenizer *);

/* During a tok_fn call: XXH3_64bits of the stem, and a hash of the word
 * (the tokenizer's own function, stable within a run).  Lets the caller
 * keep tables of stems and words without hashing them again. */
uint64_t tok_stem_hash(const struct tokenizer *);
uint64_t tok_word_hash(const struct tokenizer *);

/* Splits len bytes of UTF-8 text into words and calls fn for each. */
void	 tok_text(struct tokenizer *, const char *text, size_t len, tok_fn fn,
	     void *ctx);

/* Appends the folded form (rule 1) of len bytes of text to out. */
void	 tok_fold(const char *text, size_t len, struct buf *out);

/* The Snowball algorithm for a language tag ("english" for "en-GB"), or
 * NULL when there is none (no stemming then). */
const char *tok_stemmer_name(const char *language);

/* The folded stop words of a language tag, sorted, NULL-terminated; an
 * empty list for languages without one. */
const char *const *tok_stopwords(const char *language);

#endif
