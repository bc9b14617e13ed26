#ifndef PORCH_SEARCHSCORE_H
#define PORCH_SEARCHSCORE_H

/*
 * The impact of a term in a section, as the search index stores it: BM25
 * per field, the fields' scores weighted and summed, so a title hit always
 * outweighs any number of body hits (the body's score saturates at
 * K1 + 1).  Sections below a page's start get the page title's words with
 * a small weight, so "Page › Section" matches a query that names both.
 * The sum is quantized to 0..63 (search_quantize, search.h).
 */

#include <stddef.h>
#include <stdint.h>

enum field { F_TITLE, F_HEAD, F_META, F_BODY, NFIELDS };

/* A section's length in words, per field. */
struct sec {
	uint32_t	 len[NFIELDS];
};

/* A posting as the dictionary writes it. */
struct post {
	uint32_t	 sid;
	uint8_t		 q;		/* impact, 0..63 */
	uint8_t		 rank;		/* q, plus 64 in the title */
};

/*
 * Most postings are a few words in a section's body and nowhere else; the
 * impact of such a posting depends only on the count and the section's
 * body length, so each thread remembers it by those two (up to these
 * bounds).  A five-million-posting index then computes a few thousand
 * impacts, and reads a byte per posting where it read a section's norms
 * (the scoring was bound by those reads: 3.4 MB of norms at 10,000 pages).
 */
#define SCORE_MEMO_LEN	2048		/* body lengths below this */
#define SCORE_MEMO_TF	8		/* counts below this */
#define SCORE_UNKNOWN	0xff

/* Every section's length norms, shared by the threads that score. */
struct score_norms {
	double		*norm;		/* NFIELDS per section */
	uint16_t	*body_len;	/* per section, saturating */
};

/* One thread's scorer (not to be shared). */
struct scorer {
	const struct score_norms *norms;
	uint8_t		 memo[SCORE_MEMO_LEN * SCORE_MEMO_TF];
};

/*
 * A field's average length as the scores use it: sum / count rounded to
 * a step of 1/SCORE_AVG_STEPS of a doubling (count 0: 1).  An edit moves
 * the exact average by a few millionths at most, so the rounded one, and
 * with it every score the edit did not touch, almost never moves: the
 * index can then be patched where the edit changed it (searchstate.h).
 * score_avg_step is the step's number, what two builds compare.
 */
#define SCORE_AVG_STEPS	32
int	 score_avg_step(double sum, size_t count);
double	 score_avg_of_step(int step);

/* The norms of nsecs sections with the fields' average lengths avg. */
struct score_norms *score_norms_new(const struct sec *, size_t nsecs,
	    const double avg[NFIELDS]);
void	 score_norms_free(struct score_norms *);

struct scorer *scorer_new(const struct score_norms *);
void	 scorer_free(struct scorer *);

/* The posting in section sid (0-based) with counts byte a (title 0..3,
 * heading <<2, meta <<4, page title <<7) and body count body, computed. */
void	 score_compute(struct scorer *, uint32_t sid, uint32_t a,
	    uint32_t body, struct post *);

/* The memo's byte for the posting, or NULL when it is not body-only or
 * lies beyond the memo's bounds. */
static inline uint8_t *
score_memo_slot(struct scorer *sc, uint32_t sid, uint32_t a, uint32_t body)
{
	uint32_t	 len;

	if (a != 0 || body >= SCORE_MEMO_TF ||
	    (len = sc->norms->body_len[sid]) >= SCORE_MEMO_LEN)
		return NULL;
	return &sc->memo[len * SCORE_MEMO_TF + body];
}

/* The same, from the thread's memo when the posting is body-only. */
static inline void
score_posting(struct scorer *sc, uint32_t sid, uint32_t a, uint32_t body,
    struct post *p)
{
	const uint8_t	*q = score_memo_slot(sc, sid, a, body);

	if (q != NULL && *q != SCORE_UNKNOWN) {
		p->sid = sid;
		p->q = p->rank = *q;
		return;
	}
	score_compute(sc, sid, a, body, p);
}

/*
 * Keeps the postings of p (n, in section order) a query is likely to need:
 * every section with the term in its page title (up to
 * SEARCH_MAX_TITLE_POSTINGS), and the SEARCH_MAX_POSTINGS others with the
 * highest impact, the first sections among equals; with extra, that many
 * more of the others (what the index kept between builds holds, so an
 * edit can drop postings and still know the best ones).  Returns how
 * many, still in section order.
 */
uint32_t score_keep_best(struct post *, uint32_t n, uint32_t extra);
/* How many score_keep_best keeps of a term in ntitle page titles. */
uint32_t score_want(uint32_t ntitle);
/* How many of p (n) are in their section's title (rank 64 and up). */
uint32_t score_titles(const struct post *, uint32_t n);
/* Keeps the want best of p (n, in section order): by rank, then the first
 * sections; returns how many, in section order. */
uint32_t score_keep_top(struct post *, uint32_t n, uint32_t want);

#endif
