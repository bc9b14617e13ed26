/*
 * Unit tests for votes: the search-miss normalisation (searchmiss.c), the
 * count cache under concurrent updates (votecache.c), CSV cells that a
 * spreadsheet would run as formulas (report.c), and the vote, feedback
 * and shipped-item queries against a real SQLite file (store_votes.c).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"
#include "searchmiss.h"
#include "store.h"
#include "store_votes.h"
#include "votecache.h"

/* ---- normalisation ---- */

static void
norm_is(const char *in, int want_rc, const char *want)
{
	char	 out[SEARCHMISS_MAX + 1];
	int	 rc;

	rc = searchmiss_normalize(in, strlen(in), out);
	if (rc != want_rc || strcmp(out, want) != 0)
		fail_msg("'%s': got %d '%s', want %d '%s'", in, rc, out,
		    want_rc, want);
}

static void
test_normalize(void **state)
{
	char	 big[400], out[SEARCHMISS_MAX + 1];
	size_t	 i;

	(void)state;
	norm_is("  Tape   DRIVE\tSupport \n", SEARCHMISS_OK,
	    "tape drive support");
	norm_is("E3002", SEARCHMISS_OK, "e3002");
	norm_is("agent 4.2.0 on Windows 11", SEARCHMISS_OK,
	    "agent 4.2.0 on windows 11");
	norm_is("Überblick Sicherung", SEARCHMISS_OK, "Überblick sicherung");
	norm_is("x", SEARCHMISS_EMPTY, "");
	norm_is("   \t ", SEARCHMISS_EMPTY, "");
	norm_is("", SEARCHMISS_EMPTY, "");
	/* personal data */
	norm_is("reset for ann.lee@example.com", SEARCHMISS_PERSONAL, "");
	norm_is("call +1 (555) 123-4567", SEARCHMISS_PERSONAL, "");
	norm_is("4111 1111 1111 1111", SEARCHMISS_PERSONAL, "");
	norm_is("order 1234567", SEARCHMISS_PERSONAL, "");
	norm_is("order 123456", SEARCHMISS_OK, "order 123456");
	norm_is("invoice INV-2026-0042", SEARCHMISS_PERSONAL, "");
	norm_is("release notes 2026-10", SEARCHMISS_OK, "release notes 2026-10");
	norm_is("@mention support", SEARCHMISS_OK, "@mention support");
	/* invalid UTF-8 and controls become blanks */
	norm_is("tape\xff\xfe drive\x01", SEARCHMISS_OK, "tape drive");
	/* cut at SEARCHMISS_MAX bytes, never inside a character */
	for (i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);		/* é */
	big[i] = '\0';
	assert_int_equal(searchmiss_normalize(big, strlen(big), out),
	    SEARCHMISS_OK);
	assert_true(strlen(out) <= SEARCHMISS_MAX);
	assert_int_equal(strlen(out) % 2, 0);
	memset(big, 'a', 300);
	big[300] = '\0';
	assert_int_equal(searchmiss_normalize(big, 300, out), SEARCHMISS_OK);
	assert_int_equal(strlen(out), SEARCHMISS_MAX);
}

/* ---- the count cache ---- */

#define THREADS	8
#define ROUNDS	20000

static void *
hammer(void *arg)
{
	struct votecache *vc = arg;
	int		 i;

	/* +1 then -1 on "a", +1 on "b": the end is known exactly */
	for (i = 0; i < ROUNDS; i++) {
		votecache_add(vc, "a", 1);
		votecache_add(vc, "b", 1);
		votecache_add(vc, "a", -1);
	}
	return NULL;
}

static void
test_cache(void **state)
{
	struct votecache *vc;
	pthread_t	 t[THREADS];
	char		 id[200];
	int		 i;

	(void)state;
	assert_non_null(vc = votecache_new());
	assert_int_equal(votecache_get(vc, "nobody-voted"), 0);
	assert_true(votecache_set(vc, "loaded", 41));
	assert_int_equal(votecache_add(vc, "loaded", 1), 42);
	assert_int_equal(votecache_add(vc, "loaded", -50), 0);	/* floor */
	assert_int_equal(votecache_add(vc, "loaded", 50), 42);	/* exact */
	/* a vote taken back whose -1 reaches the cache before its +1 */
	assert_int_equal(votecache_add(vc, "reordered", -1), 0);
	assert_int_equal(votecache_get(vc, "reordered"), 0);
	assert_int_equal(votecache_add(vc, "reordered", 1), 0);
	assert_int_equal(votecache_add(vc, "reordered", 1), 1);
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_false(votecache_set(vc, id, 1));		/* too long */
	assert_int_equal(votecache_add(vc, id, 1), -1);
	for (i = 0; i < 2000; i++) {	/* many items: chains and buckets */
		snprintf(id, sizeof(id), "item-%d", i);
		assert_int_equal(votecache_add(vc, id, i), i);
	}
	assert_int_equal(votecache_get(vc, "item-1999"), 1999);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, vc), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(votecache_get(vc, "a"), 0);
	assert_int_equal(votecache_get(vc, "b"), THREADS * ROUNDS);
	assert_int_equal(votecache_size(vc), 2004);
	votecache_free(vc);
}

/* ---- CSV cells ---- */

static void
cell_is(const char *in, const char *want)
{
	char	 out[256];

	report_csv_cell(in, strlen(in), out);
	if (strcmp(out, want) != 0)
		fail_msg("'%s': got %s, want %s", in, out, want);
}

static void
test_csv(void **state)
{
	(void)state;
	cell_is("plain", "plain");
	cell_is("=SUM(A1:A9)", "\"'=SUM(A1:A9)\"");
	cell_is("+1", "\"'+1\"");
	cell_is("-2+3", "\"'-2+3\"");
	cell_is("@cmd", "\"'@cmd\"");
	cell_is("a,b", "\"a,b\"");
	cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	cell_is("two\nlines", "\"two\nlines\"");
	cell_is("", "");
}

/* ---- the store ---- */

struct fixture {
	char		 dir[64];
	char		 path[128];
	struct store	*st;
};

static int
setup(void **state)
{
	struct fixture	*fx = calloc(1, sizeof(*fx));
	char		*err = NULL;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/porch-votes-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/porch.db", fx->dir);
	fx->st = store_open(fx->path, &err);
	if (fx->st == NULL)
		fail_msg("store_open: %s", err ? err : "?");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 cmd[200];

	store_close(fx->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fx->dir);
	free(fx);
	return 0;
}

struct vote_arg {
	const char	*item;
	long long	 user;
	int		 on, delta;
};

static int
vote_tx(struct store_tx *tx, void *arg)
{
	struct vote_arg	*a = arg;

	return stx_vote_set(tx, a->item, a->user, a->on, 1000, &a->delta);
}

static int
vote(struct store *st, const char *item, long long user, int on)
{
	struct vote_arg	 a = { item, user, on, 0 };

	assert_int_equal(store_write(st, vote_tx, &a), STORE_OK);
	return a.delta;
}

static int
sum_counts(const char *item, long long n, void *arg)
{
	(void)item;
	*(long long *)arg += n;
	return 1;
}

static long long
user(struct store *st, const char *email, long long verified)
{
	long long	 id;

	assert_int_equal(store_user_create(st, email, "N", NULL, verified,
	    1, &id), STORE_OK);
	return id;
}

static void
test_store_votes(void **state)
{
	struct fixture	*fx = *state;
	long long	 a, b, total = 0;
	int		 i, yes;

	a = user(fx->st, "a@example.com", 5);
	b = user(fx->st, "b@example.com", 0);
	assert_int_equal(vote(fx->st, "passkeys", a, 1), 1);
	for (i = 0; i < 50; i++)	/* identical votes change nothing */
		assert_int_equal(vote(fx->st, "passkeys", a, 1), 0);
	assert_int_equal(vote(fx->st, "passkeys", b, 1), 1);
	assert_int_equal(vote(fx->st, "passkeys", b, 0), -1);
	assert_int_equal(vote(fx->st, "passkeys", b, 0), 0);
	assert_int_equal(store_vote_counts(fx->st, sum_counts, &total),
	    STORE_OK);
	assert_int_equal(total, 1);
	assert_int_equal(store_vote_allowed(fx->st, a, &yes), STORE_OK);
	assert_true(yes);
	assert_int_equal(store_vote_allowed(fx->st, b, &yes), STORE_OK);
	assert_false(yes);
	assert_int_equal(store_vote_allowed(fx->st, 999, &yes),
	    STORE_NOTFOUND);
}

struct ship_arg {
	char		 got[8][64];
	int		 n, known_before, known_after;
};

static int
collect(const char *email, const char *name, void *arg)
{
	struct ship_arg	*s = arg;

	(void)name;
	if (s->n < 8)
		snprintf(s->got[s->n++], sizeof(s->got[0]), "%s", email);
	return STORE_OK;
}

static int
ship_tx(struct store_tx *tx, void *arg)
{
	struct ship_arg	*s = arg;
	int		 r;

	s->n = 0;
	s->known_before = stx_shipped_known(tx, "passkeys");
	if ((r = stx_shipped_recipients(tx, "passkeys", collect, s)) !=
	    STORE_OK)
		return r;
	if ((r = stx_shipped_add(tx, "passkeys", "4.3.0", s->n, 7)) !=
	    STORE_OK)
		return r;
	s->known_after = stx_shipped_known(tx, "passkeys");
	return STORE_OK;
}

static int
unsub_tx(struct store_tx *tx, void *arg)
{
	int	 r;

	(void)arg;
	if ((r = stx_unsub_token_add(tx, "hash-c", "c@example.com", 1)) !=
	    STORE_OK)
		return r;
	return stx_unsubscribe(tx, "hash-c", 2);
}

static int
unknown_unsub_tx(struct store_tx *tx, void *arg)
{
	(void)arg;
	return stx_unsubscribe(tx, "no-such-hash", 2);
}

static void
test_store_shipped(void **state)
{
	struct fixture	*fx = *state;
	struct ship_arg	 s;
	long long	 a, c, u;
	int		 yes;

	a = user(fx->st, "a@example.com", 5);
	c = user(fx->st, "c@example.com", 5);
	u = user(fx->st, "unverified@example.com", 0);
	vote(fx->st, "passkeys", a, 1);
	vote(fx->st, "passkeys", c, 1);
	vote(fx->st, "passkeys", u, 1);
	vote(fx->st, "custom-roles", a, 1);
	assert_int_equal(store_write(fx->st, unsub_tx, NULL), STORE_OK);
	assert_int_equal(store_unsubscribed(fx->st, "C@example.com", &yes),
	    STORE_OK);
	assert_true(yes);
	assert_int_equal(store_write(fx->st, unknown_unsub_tx, NULL),
	    STORE_NOTFOUND);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_write(fx->st, ship_tx, &s), STORE_OK);
	/* verified voters only, lower case, once, unsubscribed left out */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.got[0], "a@example.com");
	assert_int_equal(s.known_before, STORE_NOTFOUND);
	assert_int_equal(s.known_after, STORE_OK);
	/* a second note of the same item is refused: no double mail */
	assert_int_equal(store_write(fx->st, ship_tx, &s), STORE_EXISTS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_csv),
		cmocka_unit_test_setup_teardown(test_store_votes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_shipped, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
