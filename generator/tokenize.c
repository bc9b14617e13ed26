#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <xxhash.h>

#include "stemlib.h"
#include "tokenize.h"
#include "xalloc.h"

/* The stem cache holds this many words at most, then starts again: a
 * help site's vocabulary mostly fits, and memory stays bounded. */
#define STEM_CACHE_SLOTS	(1u << 15)
#define STEM_CACHE_MAX		(STEM_CACHE_SLOTS / 4 * 3)

/* 32 bytes: a word is at most TOK_MAX_CHARS code points of 4 bytes. */
struct stem_slot {
	uint64_t	 hash;		/* word_hash of the word; 0: empty */
	uint64_t	 shash;		/* XXH3_64bits of the stem */
	uint32_t	 word, stem;	/* offsets into cache_text */
	uint32_t	 epoch;		/* when last seen */
	uint16_t	 slen;
	uint8_t		 wlen;
	uint8_t		 stop;
};

_Static_assert(TOK_MAX_CHARS * 4 <= UINT8_MAX, "stem_slot.wlen too small");

/* Up to this many words of a segment (the text between two white
 * spaces) wait in tok_text until the segment is known to be ASCII. */
#define SEG_WORDS		16

struct seg_word {
	uint32_t	 start, len;	/* in the lowered copy */
	uint64_t	 hash;		/* word_hash */
	int		 has_num;
};

struct tokenizer {
	struct sb_stemmer *stemmer;	/* NULL: no stemming */
	const struct stem_fns *sb;	/* its library's functions */
	const char *const *stop;	/* sorted */
	size_t		 nstop;
	struct buf	 fold;		/* the folded segment */
	struct buf	 lower;		/* the text lower-cased (ASCII path) */
	uint64_t	 whash, shash;	/* of the word being reported */
	struct stem_slot *cache;
	size_t		 cached;
	struct buf	 cache_text;
	uint32_t	 epoch;
};

/*
 * Stop words, folded (no accents).  Short lists of the words that carry
 * no meaning in a help-center query; sorted once at first use.
 */
static const char *en_stop[] = {
	"about", "above", "after", "again", "against", "all", "am", "an",
	"and", "any", "are", "as", "at", "be", "because", "been", "before",
	"being", "below", "between", "both", "but", "by", "can", "could",
	"did", "do", "does", "doing", "down", "during", "each", "few", "for",
	"from", "further", "had", "has", "have", "having", "he", "her", "here",
	"hers", "herself", "him", "himself", "his", "how", "if", "in", "into",
	"is", "it", "its", "itself", "just", "me", "more", "most", "my",
	"myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only",
	"or", "other", "our", "ours", "ourselves", "out", "over", "own",
	"same", "she", "should", "so", "some", "such", "than", "that", "the",
	"their", "theirs", "them", "themselves", "then", "there", "these",
	"they", "this", "those", "through", "to", "too", "under", "until",
	"up", "very", "was", "we", "were", "what", "when", "where", "which",
	"while", "who", "whom", "why", "will", "with", "would", "you", "your",
	"yours", "yourself", "yourselves", NULL,
};

static const char *de_stop[] = {
	"aber", "alle", "als", "also", "am", "an", "auch", "auf", "aus", "bei",
	"bin", "bis", "da", "damit", "dann", "das", "dass", "dein", "dem",
	"den", "der", "des", "dich", "die", "dies", "diese", "dieser",
	"dieses", "dir", "doch", "du", "durch", "ein", "eine", "einem",
	"einen", "einer", "eines", "er", "es", "fur", "hat", "hatte", "ich",
	"ihr", "ihre", "im", "in", "ist", "ja", "jede", "jeder", "kann",
	"kein", "keine", "man", "mich", "mit", "muss", "nach", "nicht", "noch",
	"nur", "ob", "oder", "ohne", "sein", "sich", "sie", "sind", "so",
	"uber", "um", "und", "uns", "unter", "vom", "von", "vor", "war", "was",
	"weil", "wenn", "wer", "wie", "wir", "wird", "wo", "zu", "zum", "zur",
	NULL,
};

static const char *fr_stop[] = {
	"au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du",
	"elle", "en", "est", "et", "il", "ils", "je", "la", "le", "les",
	"leur", "lui", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nous",
	"on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se",
	"ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un",
	"une", "vos", "votre", "vous", NULL,
};

static const char *es_stop[] = {
	"al", "como", "con", "de", "del", "el", "en", "es", "esta", "este",
	"la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "no", "nos",
	"para", "pero", "por", "que", "se", "si", "sin", "su", "sus", "te",
	"tu", "un", "una", "uno", "ya", "yo", NULL,
};

static const char *it_stop[] = {
	"al", "alla", "alle", "anche", "che", "chi", "ci", "come", "con",
	"da", "dal", "dalla", "dei", "del", "della", "delle", "di", "gli",
	"ha", "il", "in", "la", "le", "lo", "ma", "mi", "ne", "nel", "nella",
	"non", "per", "piu", "quando", "se", "si", "sono", "su", "sul", "tra",
	"un", "una", "uno", NULL,
};

static const char *pt_stop[] = {
	"ao", "aos", "as", "com", "como", "da", "das", "de", "do", "dos",
	"ela", "ele", "em", "entre", "era", "essa", "esse", "esta", "este",
	"eu", "foi", "ha", "isso", "isto", "ja", "mais", "mas", "me", "na",
	"nao", "nas", "no", "nos", "os", "ou", "para", "pela", "pelo", "por",
	"qual", "que", "se", "sem", "seu", "sua", "um", "uma", "voce", NULL,
};

static const char *nl_stop[] = {
	"aan", "al", "als", "bij", "dan", "dat", "de", "der", "deze", "die",
	"dit", "door", "een", "en", "er", "had", "heb", "heeft", "het", "hij",
	"hoe", "ik", "in", "is", "je", "kan", "maar", "me", "met", "mij", "na",
	"naar", "niet", "nog", "of", "om", "omdat", "ook", "op", "over", "te",
	"tot", "uit", "van", "voor", "was", "wat", "we", "wel", "wie", "wij",
	"zal", "ze", "zij", "zijn", "zo", NULL,
};

static const char *no_stop[] = { NULL };

/* Language subtag -> Snowball algorithm and stop words. */
static const struct lang {
	const char	*tag;
	const char	*stemmer;
	const char	**stop;
} langs[] = {
	{ "ar", "arabic", no_stop }, { "ca", "catalan", no_stop },
	{ "da", "danish", no_stop }, { "de", "german", de_stop },
	{ "el", "greek", no_stop }, { "en", "english", en_stop },
	{ "es", "spanish", es_stop }, { "eu", "basque", no_stop },
	{ "fi", "finnish", no_stop }, { "fr", "french", fr_stop },
	{ "ga", "irish", no_stop }, { "hi", "hindi", no_stop },
	{ "hu", "hungarian", no_stop }, { "hy", "armenian", no_stop },
	{ "id", "indonesian", no_stop }, { "it", "italian", it_stop },
	{ "lt", "lithuanian", no_stop }, { "nb", "norwegian", no_stop },
	{ "ne", "nepali", no_stop }, { "nl", "dutch", nl_stop },
	{ "nn", "norwegian", no_stop }, { "no", "norwegian", no_stop },
	{ "pt", "portuguese", pt_stop }, { "ro", "romanian", no_stop },
	{ "ru", "russian", no_stop }, { "sr", "serbian", no_stop },
	{ "sv", "swedish", no_stop }, { "ta", "tamil", no_stop },
	{ "tr", "turkish", no_stop }, { "yi", "yiddish", no_stop },
	{ NULL, NULL, NULL },
};

static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

/* Byte classes for tok_text's ASCII path (0: a separator), and each
 * byte lower-cased. */
enum { B_ALNUM = 1, B_DIGIT = 2, B_SPACE = 4, B_HIGH = 8 };

static unsigned char bclass[256], blower[256];
static pthread_once_t bclass_once = PTHREAD_ONCE_INIT;

static void
fill_bclass(void)
{
	int	 c;

	for (c = 0; c < 256; c++) {
		bclass[c] = c >= 0x80 ? B_HIGH :
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? B_ALNUM :
		    c >= '0' && c <= '9' ? B_ALNUM | B_DIGIT :
		    c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v' ? B_SPACE : 0;
		blower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t
list_len(const char **l)
{
	size_t	 n = 0;

	while (l[n] != NULL)
		n++;
	return n;
}

static void
sort_lists(void)
{
	const char	**lists[] = { en_stop, de_stop, fr_stop, es_stop,
			    it_stop, pt_stop, nl_stop };
	size_t		 i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		qsort(lists[i], list_len(lists[i]), sizeof(char *), cmp_str);
}

/* The entry for a language tag: its primary subtag, case-insensitively. */
static const struct lang *
find_lang(const char *language)
{
	char		 sub[4];
	size_t		 i;

	if (language == NULL)
		language = "en";
	for (i = 0; i < 3 && language[i] && language[i] != '-' &&
	    language[i] != '_'; i++)
		sub[i] = (char)(language[i] | 0x20);
	sub[i] = '\0';
	for (i = 0; langs[i].tag; i++)
		if (strcmp(langs[i].tag, sub) == 0)
			return &langs[i];
	return NULL;
}

const char *
tok_stemmer_name(const char *language)
{
	const struct lang *l = find_lang(language);

	return l ? l->stemmer : NULL;
}

const char *const *
tok_stopwords(const char *language)
{
	const struct lang *l = find_lang(language);

	pthread_once(&sorted_once, sort_lists);
	return l ? l->stop : no_stop;
}

struct tokenizer *
tok_new(const char *language)
{
	struct tokenizer *t = xcalloc(1, sizeof(*t));
	const char	*name = tok_stemmer_name(language);

	if (name != NULL) {
		t->sb = stemlib();
		t->stemmer = t->sb->sb_stemmer_new(name, NULL);
	}
	t->stop = tok_stopwords(language);
	t->nstop = list_len((const char **)t->stop);
	t->cache = xcalloc(STEM_CACHE_SLOTS, sizeof(*t->cache));
	pthread_once(&bclass_once, fill_bclass);
	return t;
}

void
tok_free(struct tokenizer *t)
{
	if (t == NULL)
		return;
	if (t->stemmer)
		t->sb->sb_stemmer_delete(t->stemmer);
	buf_free(&t->fold);
	buf_free(&t->lower);
	buf_free(&t->cache_text);
	free(t->cache);
	free(t);
}

/* Appends code point cp as UTF-8. */
static void
put_cp(struct buf *b, int32_t cp)
{
	unsigned char	 u[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, u);

	buf_append(b, u, (size_t)n);
}

/* Decodes the code point at s[*i] (valid UTF-8) and advances *i. */
static int32_t
next_cp(const unsigned char *s, size_t len, size_t *i)
{
	int32_t		 cp;
	utf8proc_ssize_t n;

	if (s[*i] < 0x80)
		return s[(*i)++];
	n = utf8proc_iterate(s + *i, (utf8proc_ssize_t)(len - *i), &cp);
	if (n <= 0) {
		(*i)++;
		return 0xfffd;
	}
	*i += (size_t)n;
	return cp;
}

/* Folds one segment (no ASCII white space in it). */
static void
fold_segment(const char *s, size_t len, struct buf *out)
{
	utf8proc_uint8_t *m;
	utf8proc_ssize_t n;
	size_t		 i;
	int32_t		 cp;
	int		 ascii = 1;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80) {
			ascii = 0;
			break;
		}
	if (ascii) {
		buf_grow(out, len);
		for (i = 0; i < len; i++) {
			char c = s[i];
			out->data[out->len++] = c >= 'A' && c <= 'Z' ?
			    (char)(c + 32) : c;
		}
		out->data[out->len] = '\0';
		return;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
	    &m, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
	    UTF8PROC_STRIPMARK);
	if (n < 0)
		return;		/* not UTF-8: cannot happen for our input */
	for (i = 0; i < (size_t)n; ) {
		cp = utf8proc_tolower(next_cp(m, (size_t)n, &i));
		if (cp == 0xdf)
			buf_append(out, "ss", 2);
		else
			put_cp(out, cp == 0x3c2 ? 0x3c3 : cp);
	}
	free(m);
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

void
tok_fold(const char *text, size_t len, struct buf *out)
{
	size_t	 i = 0, start;

	while (i < len) {
		start = i;
		while (i < len && !is_space((unsigned char)text[i]))
			i++;
		if (i > start)
			fold_segment(text + start, i - start, out);
		while (i < len && is_space((unsigned char)text[i]))
			buf_putc(out, text[i++]);
	}
}

/* Chinese, Japanese and Korean characters, indexed as bigrams. */
static int
is_cjk(int32_t c)
{
	return (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3005 && c <= 0x3007) ||
	    (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3130 && c <= 0x318f) ||
	    (c >= 0x31f0 && c <= 0x31ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa960 && c <= 0xa97f) ||
	    (c >= 0xac00 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0x20000 && c <= 0x3134f);
}

enum { C_SEP, C_LETTER, C_NUMBER };

static int
class_of(int32_t c)
{
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return C_LETTER;
		return c >= '0' && c <= '9' ? C_NUMBER : C_SEP;
	}
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return C_LETTER;
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return C_NUMBER;
	default:
		return C_SEP;
	}
}

static int
is_stop(const struct tokenizer *t, const char *w, size_t n)
{
	size_t	 lo = 0, hi = t->nstop, mid;
	int	 c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strncmp(t->stop[mid], w, n);
		if (c == 0 && t->stop[mid][n] != '\0')
			c = 1;
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * The stem cache's hash of a folded word: FNV-1a, one step per byte so
 * that tok_text's ASCII path computes it while it scans, then mixed so
 * that the low bits (the slot) depend on every byte.  Never 0.
 */
#define WH_INIT		0xcbf29ce484222325ULL
#define WH_STEP(h, c)	(((h) ^ (unsigned char)(c)) * 0x100000001b3ULL)

static uint64_t
word_hash_end(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 29;
	return h | 1;
}

static uint64_t
word_hash(const char *w, size_t n)
{
	uint64_t	 h = WH_INIT;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = WH_STEP(h, w[i]);
	return word_hash_end(h);
}

/*
 * The stem of the folded word w (n bytes, word_hash h) and whether it is
 * a stop word, through the cache: each distinct word is stemmed, hashed
 * and looked up once.  Sets t->shash.  Returns the word's TOK_ flags.
 */
static int
lookup(struct tokenizer *t, const char *w, size_t n, uint64_t h,
    const char **stem, size_t *slen)
{
	size_t		 i = (size_t)h & (STEM_CACHE_SLOTS - 1);
	struct stem_slot *s;
	const sb_symbol	*r = NULL;
	int		 flags;

	for (;; i = (i + 1) & (STEM_CACHE_SLOTS - 1)) {
		s = &t->cache[i];
		if (s->hash == 0)
			break;
		if (s->hash == h && s->wlen == n &&
		    memcmp(t->cache_text.data + s->word, w, n) == 0) {
			*stem = t->cache_text.data + s->stem;
			*slen = s->slen;
			t->shash = s->shash;
			flags = (s->stop ? TOK_STOP : 0) |
			    (s->epoch == t->epoch ? TOK_SEEN : 0);
			s->epoch = t->epoch;
			return flags;
		}
	}
	if (t->cached >= STEM_CACHE_MAX) {
		memset(t->cache, 0, STEM_CACHE_SLOTS * sizeof(*t->cache));
		buf_reset(&t->cache_text);
		t->cached = 0;
		i = (size_t)h & (STEM_CACHE_SLOTS - 1);
		s = &t->cache[i];
	}
	if (t->stemmer != NULL)
		r = t->sb->sb_stemmer_stem(t->stemmer, (const sb_symbol *)w,
		    (int)n);
	s->hash = h;
	s->word = (uint32_t)t->cache_text.len;
	s->wlen = (uint8_t)n;
	s->stop = is_stop(t, w, n);
	s->epoch = t->epoch;
	buf_append(&t->cache_text, w, n);
	if (r == NULL) {	/* no stemmer, or out of memory in Snowball */
		s->stem = s->word;
		s->slen = (uint16_t)n;
	} else {
		s->stem = (uint32_t)t->cache_text.len;
		s->slen = (uint16_t)t->sb->sb_stemmer_length(t->stemmer);
		buf_append(&t->cache_text, r, s->slen);
	}
	t->cached++;
	*stem = t->cache_text.data + s->stem;
	*slen = s->slen;
	s->shash = t->shash = XXH3_64bits(*stem, *slen);
	return s->stop ? TOK_STOP : 0;
}

/* Reports the word w (n bytes, nchars code points, word_hash h or 0 when
 * not known yet) unless it is too short or too long. */
static void
emit_word(struct tokenizer *t, const char *w, size_t n, size_t nchars,
    int has_num, uint64_t h, tok_fn fn, void *ctx)
{
	const char	*stem = w;
	size_t		 slen = n;
	int		 flags;

	if (nchars < 2 || nchars > TOK_MAX_CHARS)
		return;
	t->whash = h ? h : word_hash(w, n);
	if (has_num) {
		flags = TOK_NUM;
		t->shash = XXH3_64bits(w, n);
	} else
		flags = lookup(t, w, n, t->whash, &stem, &slen);
	fn(ctx, w, n, stem, slen, flags);
}

/* Reports a CJK bigram or single character (its own stem). */
static void
emit_cjk(struct tokenizer *t, const char *w, size_t n, tok_fn fn, void *ctx)
{
	t->whash = word_hash(w, n);
	t->shash = XXH3_64bits(w, n);
	fn(ctx, w, n, w, n, TOK_CJK);
}

/* Splits a folded segment into words (rules 2 to 4). */
static void
split(struct tokenizer *t, const char *s, size_t len, tok_fn fn, void *ctx)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, at, start = 0, nchars = 0;
	size_t		 kstart = 0, kend = 0, ncjk = 0;
	int32_t		 c, prev = 0;
	int		 cls, in_word = 0, has_num = 0;

	while (i < len) {
		at = i;
		c = next_cp(u, len, &i);
		cls = class_of(c);
		if (cls != C_SEP && is_cjk(c)) {
			if (in_word)
				emit_word(t, s + start, at - start, nchars,
				    has_num, 0, fn, ctx);
			in_word = 0;
			if (ncjk > 0)	/* the previous character and this */
				emit_cjk(t, s + kstart, i - kstart, fn, ctx);
			kstart = at;
			kend = i;
			ncjk++;
			prev = c;
			continue;
		}
		if (ncjk == 1)		/* a run of one character */
			emit_cjk(t, s + kstart, kend - kstart, fn, ctx);
		ncjk = 0;
		if (cls == C_SEP) {
			/* '.' between two ASCII digits stays in the word. */
			if (c == '.' && in_word && prev >= '0' && prev <= '9' &&
			    i < len && u[i] >= '0' && u[i] <= '9') {
				nchars++;
				prev = c;
				continue;
			}
			if (in_word)
				emit_word(t, s + start, at - start, nchars,
				    has_num, 0, fn, ctx);
			in_word = 0;
			prev = c;
			continue;
		}
		if (!in_word) {
			in_word = 1;
			start = at;
			nchars = 0;
			has_num = 0;
		}
		nchars++;
		if (cls == C_NUMBER)
			has_num = 1;
		prev = c;
	}
	if (in_word)
		emit_word(t, s + start, len - start, nchars, has_num, 0, fn,
		    ctx);
	if (ncjk == 1)
		emit_cjk(t, s + kstart, kend - kstart, fn, ctx);
}

/*
 * The common case, a segment of ASCII only, in one pass: folding is
 * lower-casing and the classes are letters, digits and the rest, so the
 * words are split while the segment is folded, without decoding code
 * points.  Gives exactly the words fold_segment and split would.
 */
static void
split_ascii(struct tokenizer *t, const char *s, size_t len, tok_fn fn,
    void *ctx)
{
	char		*f;
	size_t		 i, start = 0;
	int		 in_word = 0, has_num = 0, cls;
	char		 c, prev = 0;

	buf_reset(&t->fold);
	buf_grow(&t->fold, len);
	f = t->fold.data;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		f[i] = c;
		cls = (c >= 'a' && c <= 'z') ? C_LETTER :
		    (c >= '0' && c <= '9') ? C_NUMBER : C_SEP;
		if (cls == C_SEP) {
			/* '.' between two digits stays in the word. */
			if (c == '.' && in_word && prev >= '0' &&
			    prev <= '9' && i + 1 < len && s[i + 1] >= '0' &&
			    s[i + 1] <= '9') {
				prev = c;
				continue;
			}
			if (in_word)
				emit_word(t, f + start, i - start, i - start,
				    has_num, 0, fn, ctx);
			in_word = 0;
		} else {
			if (!in_word) {
				in_word = 1;
				start = i;
				has_num = 0;
			}
			if (cls == C_NUMBER)
				has_num = 1;
		}
		prev = c;
	}
	t->fold.len = len;
	f[len] = '\0';
	if (in_word)
		emit_word(t, f + start, len - start, len - start, has_num, 0,
		    fn, ctx);
}

/* 1 if the len bytes at s are all ASCII. */
static int
is_ascii(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

void
tok_new_epoch(struct tokenizer *t)
{
	t->epoch++;
}

uint64_t
tok_word_hash(const struct tokenizer *t)
{
	return t->whash;
}

uint64_t
tok_stem_hash(const struct tokenizer *t)
{
	return t->shash;
}

/*
 * The common case in one pass: scans the segment that starts at u[*ip]
 * (not white space) up to the white space or end that ends it (*ip is
 * left there), lower-cases it into t->lower at the same offsets (which
 * has room for all of u) and records its words in w with their
 * word_hash, exactly as split_ascii would find them.  Returns how many
 * words, or -1 when the segment has a byte above 0x7f or more than
 * SEG_WORDS words: nothing is reported before the segment is known to be
 * ASCII, so the caller then takes the two-pass path with nothing lost.
 */
static int
scan_segment(struct tokenizer *t, const unsigned char *u, size_t len,
    size_t *ip, struct seg_word *w)
{
	unsigned char	*f = (unsigned char *)t->lower.data;
	size_t		 i = *ip, start;
	uint64_t	 h;
	unsigned	 c, k, num;
	int		 n = 0;

	while (i < len) {
		k = bclass[u[i]];
		if (!(k & B_ALNUM)) {
			if (k != 0)	/* white space, or not ASCII */
				break;
			f[i] = u[i];	/* a separator */
			i++;
			continue;
		}
		start = i;
		h = WH_INIT;
		num = 0;
		for (;;) {
			for (; i < len && ((k = bclass[u[i]]) & B_ALNUM); i++) {
				c = blower[u[i]];
				f[i] = (unsigned char)c;
				h = WH_STEP(h, c);
				num |= k;
			}
			/* '.' between two digits stays in the word. */
			if (i + 1 < len && u[i] == '.' &&
			    (bclass[u[i - 1]] & B_DIGIT) &&
			    (bclass[u[i + 1]] & B_DIGIT)) {
				f[i] = '.';
				h = WH_STEP(h, '.');
				i++;
				continue;
			}
			break;
		}
		if (n == SEG_WORDS)
			goto slow;
		w[n].start = (uint32_t)start;
		w[n].len = (uint32_t)(i - start);
		w[n].hash = word_hash_end(h);
		w[n++].has_num = (num & B_DIGIT) != 0;
	}
	if (i < len && (bclass[u[i]] & B_HIGH))
		goto slow;
	*ip = i;
	return n;
slow:
	while (i < len && bclass[u[i]] != B_SPACE)
		i++;
	*ip = i;
	return -1;
}

void
tok_text(struct tokenizer *t, const char *text, size_t len, tok_fn fn,
    void *ctx)
{
	const unsigned char *u = (const unsigned char *)text;
	struct seg_word	 w[SEG_WORDS];
	size_t		 i = 0, start;
	int		 k, n;

	buf_reset(&t->lower);
	buf_grow(&t->lower, len);
	while (i < len) {
		while (i < len && bclass[u[i]] == B_SPACE)
			i++;
		if (i == len)
			break;
		start = i;
		if ((n = scan_segment(t, u, len, &i, w)) >= 0) {
			for (k = 0; k < n; k++)
				emit_word(t, t->lower.data + w[k].start,
				    w[k].len, w[k].len, w[k].has_num,
				    w[k].hash, fn, ctx);
			continue;
		}
		if (is_ascii(text + start, i - start)) {
			split_ascii(t, text + start, i - start, fn, ctx);
			continue;
		}
		buf_reset(&t->fold);
		fold_segment(text + start, i - start, &t->fold);
		if (t->fold.len > 0)
			split(t, t->fold.data, t->fold.len, fn, ctx);
	}
}
