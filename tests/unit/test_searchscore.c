/* Search scoring: the impacts a thread remembers for body-only postings
 * are the ones it computes, for every body length and count; the ranking
 * signals hold (title over body, shorter sections over longer ones); the
 * cut keeps title postings and the best others in section order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "search.h"
#include "searchscore.h"
#include "xalloc.h"

#define NSECS	3000

/* Sections of every body length up to NSECS - 1 words (many lengths a
 * memo slot covers, and some beyond it), with varied other fields. */
static struct score_norms *
norms_of_many_lengths(void)
{
	struct sec	*secs = xcalloc(NSECS, sizeof(*secs));
	struct score_norms *sn;
	double		 avg[NFIELDS] = { 4.5, 3.0, 2.0, 180.0 };
	size_t		 i;

	for (i = 0; i < NSECS; i++) {
		secs[i].len[F_TITLE] = (uint32_t)(1 + i % 9);
		secs[i].len[F_HEAD] = (uint32_t)(i % 5);
		secs[i].len[F_META] = (uint32_t)(i % 3);
		secs[i].len[F_BODY] = (uint32_t)i;
	}
	sn = score_norms_new(secs, NSECS, avg);
	free(secs);
	return sn;
}

static void
test_memo_gives_computed_impacts(void **state)
{
	struct score_norms *sn = norms_of_many_lengths();
	struct scorer	*warm = scorer_new(sn), *cold = scorer_new(sn);
	struct post	 a, b;
	uint32_t	 sid, tf, pass;

	(void)state;
	/* Twice over: the first pass fills the memo, the second reads it;
	 * each answer is checked against score_compute, which never reads
	 * the memo. */
	for (pass = 0; pass < 2; pass++)
		for (sid = 0; sid < NSECS; sid++)
			for (tf = 0; tf < SCORE_MEMO_TF + 2; tf++) {
				score_compute(cold, sid, 0, tf, &a);
				score_posting(warm, sid, 0, tf, &b);
				assert_int_equal(a.sid, b.sid);
				assert_int_equal(a.q, b.q);
				assert_int_equal(a.rank, b.rank);
			}
	scorer_free(warm);
	scorer_free(cold);
	score_norms_free(sn);
}

static void
test_signals(void **state)
{
	struct score_norms *sn = norms_of_many_lengths();
	struct scorer	*sc = scorer_new(sn);
	struct post	 title, body, short_body, long_body, page_title;

	(void)state;
	score_posting(sc, 100, 1, 0, &title);		/* once in the title */
	score_posting(sc, 100, 0, 7, &body);		/* seven times in the body */
	assert_true(title.q > body.q);
	assert_true(title.rank >= 64);			/* title postings rank above */
	assert_true(body.rank < 64);
	score_posting(sc, 20, 0, 2, &short_body);
	score_posting(sc, 2000, 0, 2, &long_body);
	assert_true(short_body.q > long_body.q);
	score_posting(sc, 100, 1u << 7, 0, &page_title);	/* under the page title */
	assert_true(page_title.q > 0 && page_title.q < title.q);
	scorer_free(sc);
	score_norms_free(sn);
}

static void
test_keep_best(void **state)
{
	uint32_t	 n = SEARCH_MAX_POSTINGS + 100, i, k, titles = 0;
	struct post	*p = xcalloc(n, sizeof(*p));

	(void)state;
	for (i = 0; i < n; i++) {
		p[i].sid = i;
		p[i].q = (uint8_t)(i % 50);
		p[i].rank = p[i].q;
		if (i % 97 == 0) {		/* a few title postings, low q */
			p[i].q = 1;
			p[i].rank = 65;
		}
	}
	k = score_keep_best(p, n, 0);
	assert_true(k < n);
	for (i = 0; i < k; i++) {
		if (i > 0)
			assert_true(p[i].sid > p[i - 1].sid);
		if (p[i].rank >= 64)
			titles++;
	}
	assert_int_equal(titles, (n + 96) / 97);	/* every title kept */
	assert_int_equal(k, SEARCH_MAX_POSTINGS + titles);
	free(p);
}

/* The kept index's rule (search.c): the best m of a list are the best m
 * of any list that holds them, so the entry made from the kept best is
 * the entry made from all; ties go to the first sections. */
static void
test_keep_top(void **state)
{
	uint32_t	 n = 1000, i, k, k2, want;
	struct post	*p = xcalloc(n, sizeof(*p)), *q = xcalloc(n, sizeof(*q));

	(void)state;
	for (i = 0; i < n; i++) {
		p[i].sid = i * 3;
		p[i].q = (uint8_t)((i * 37) % 20);	/* many ties */
		p[i].rank = p[i].q;
	}
	memcpy(q, p, n * sizeof(*p));
	k = score_keep_top(p, n, 500);
	assert_int_equal(k, 500);
	for (i = 1; i < k; i++)
		assert_true(p[i].sid > p[i - 1].sid);
	/* Every posting left out ranks below, or equal and later than, the
	 * last of its rank kept. */
	for (i = 0; i < n; i++) {
		uint32_t j, in = 0, worse = 0;

		for (j = 0; j < k; j++)
			in |= p[j].sid == q[i].sid;
		if (in)
			continue;
		for (j = 0; j < k; j++)
			worse |= p[j].rank < q[i].rank ||
			    (p[j].rank == q[i].rank && p[j].sid > q[i].sid);
		assert_false(worse);
	}
	/* The entry from the best 500 is the entry from all 1000. */
	want = score_want(0);
	k2 = score_keep_best(q, n, 0);
	assert_int_equal(k2, want);
	k = score_keep_top(p, k, want);
	assert_int_equal(k, k2);
	assert_memory_equal(p, q, k * sizeof(*p));
	free(p);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo_gives_computed_impacts),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_keep_best),
		cmocka_unit_test(test_keep_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
