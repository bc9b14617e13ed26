#include <math.h>
#include <string.h>

#include "search.h"
#include "searchscore.h"
#include "xalloc.h"

#define K1		1.2
#define W_PAGE_TITLE	1.5
static const double field_weight[NFIELDS] = { 8.0, 5.0, 2.5, 1.0 };
static const double field_b[NFIELDS] = { 0.5, 0.5, 0.5, 0.75 };

int
search_quantize(double impact)
{
	double	 q;

	if (impact <= SEARCH_Q0)
		return 0;
	q = floor(log(impact / SEARCH_Q0) / log(SEARCH_QR) + 0.5);
	return q > 63 ? 63 : (int)q;
}

int
score_avg_step(double sum, size_t count)
{
	double	 avg = count ? sum / (double)count : 1;

	if (!(avg > 0))
		avg = 1;
	return (int)lround(log2(avg) * SCORE_AVG_STEPS);
}

double
score_avg_of_step(int step)
{
	return exp2((double)step / SCORE_AVG_STEPS);
}

/* BM25's saturation of a count tf in a field whose length norm is norm. */
static double
sat(double tf, double norm)
{
	if (tf <= 0)
		return 0;
	return tf * (K1 + 1) / (tf + norm);
}

/*
 * Each section's length norm in each field, K1 * (1 - b + b * len / avg):
 * computed once per section rather than once per posting (five million at
 * 10,000 pages), by the same operations, so the scores are the same to the
 * bit.
 */
struct score_norms *
score_norms_new(const struct sec *secs, size_t nsecs,
    const double avg[NFIELDS])
{
	struct score_norms *sn = xcalloc(1, sizeof(*sn));
	double		 a;
	size_t		 i, f;

	sn->norm = xcalloc(nsecs * NFIELDS + 1, sizeof(*sn->norm));
	sn->body_len = xcalloc(nsecs + 1, sizeof(*sn->body_len));
	for (i = 0; i < nsecs; i++) {
		for (f = 0; f < NFIELDS; f++) {
			a = avg[f] <= 0 ? 1 : avg[f];
			sn->norm[i * NFIELDS + f] = K1 * (1 - field_b[f] +
			    field_b[f] * (double)secs[i].len[f] / a);
		}
		sn->body_len[i] = secs[i].len[F_BODY] > UINT16_MAX ?
		    UINT16_MAX : (uint16_t)secs[i].len[F_BODY];
	}
	return sn;
}

void
score_norms_free(struct score_norms *sn)
{
	if (sn == NULL)
		return;
	free(sn->norm);
	free(sn->body_len);
	free(sn);
}

struct scorer *
scorer_new(const struct score_norms *sn)
{
	struct scorer	*sc = xmalloc(sizeof(*sc));

	sc->norms = sn;
	memset(sc->memo, SCORE_UNKNOWN, sizeof(sc->memo));
	return sc;
}

void
scorer_free(struct scorer *sc)
{
	free(sc);
}

void
score_compute(struct scorer *sc, uint32_t sid, uint32_t a, uint32_t body,
    struct post *p)
{
	const double	*n = &sc->norms->norm[(size_t)sid * NFIELDS];
	double		 imp;
	uint8_t		*slot;

	imp = field_weight[F_TITLE] * sat(a & 3, n[F_TITLE]) +
	    W_PAGE_TITLE * sat(a >> 7, n[F_TITLE]) +
	    field_weight[F_HEAD] * sat((a >> 2) & 3, n[F_HEAD]) +
	    field_weight[F_META] * sat((a >> 4) & 7, n[F_META]) +
	    field_weight[F_BODY] * sat(body, n[F_BODY]);
	p->sid = sid;
	p->q = (uint8_t)search_quantize(imp);
	p->rank = (uint8_t)(p->q + ((a & 3) ? 64 : 0));
	/* Body-only: the norm is the same for every section of this body
	 * length, so the impact is too (score_posting). */
	if ((slot = score_memo_slot(sc, sid, a, body)) != NULL)
		*slot = p->q;
}

uint32_t
score_want(uint32_t ntitle)
{
	return (ntitle > SEARCH_MAX_TITLE_POSTINGS ?
	    SEARCH_MAX_TITLE_POSTINGS : ntitle) + SEARCH_MAX_POSTINGS;
}

/* Ranks are 0..127 (title ones above), so counting them finds the cut
 * without sorting. */
uint32_t
score_keep_top(struct post *p, uint32_t n, uint32_t want)
{
	uint32_t	 count[128] = { 0 }, above = 0, i, k = 0, cut, room;

	if (n <= want)
		return n;
	for (i = 0; i < n; i++)
		count[p[i].rank]++;
	for (cut = 127; cut > 0 && above + count[cut] < want; cut--)
		above += count[cut];
	room = want - above;	/* of rank cut, the first */
	for (i = 0; i < n; i++)
		if (p[i].rank > cut || (p[i].rank == cut && room > 0 && room--))
			p[k++] = p[i];
	return k;
}

uint32_t
score_titles(const struct post *p, uint32_t n)
{
	uint32_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += p[i].rank >= 64;
	return k;
}

uint32_t
score_keep_best(struct post *p, uint32_t n, uint32_t extra)
{
	return score_keep_top(p, n, score_want(score_titles(p, n)) + extra);
}
