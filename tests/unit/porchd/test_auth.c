/*
 * Unit tests for auth.c: password rules, argon2id hashing and checking,
 * the cap on concurrent hashes, session expiry with an injected clock,
 * and login throttling.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "auth.h"
#include "store.h"

static void
test_password_lengths(void **state)
{
	char	 buf[AUTH_PASSWORD_MAX + 2];

	(void)state;
	assert_int_equal(auth_password_check("1234567", 7), AUTH_PW_SHORT);
	assert_int_equal(auth_password_check("12345678", 8), AUTH_PW_OK);
	/* characters, not bytes: 7 two-byte letters are too few */
	assert_int_equal(auth_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9", 14), AUTH_PW_SHORT);
	assert_int_equal(auth_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 16), AUTH_PW_OK);
	/* any character, NUL included */
	assert_int_equal(auth_password_check("a\0b\0c\0d\0", 8), AUTH_PW_OK);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(auth_password_check(buf, AUTH_PASSWORD_MAX),
	    AUTH_PW_OK);
	assert_int_equal(auth_password_check(buf, AUTH_PASSWORD_MAX + 1),
	    AUTH_PW_LONG);
}

static void
test_hash_verify(void **state)
{
	char	*h1 = NULL, *h2 = NULL;

	(void)state;
	assert_int_equal(auth_password_hash("correct horse", 13, &h1), AUTH_OK);
	assert_non_null(h1);
	assert_non_null(strstr(h1, "$argon2id$v=19$m=19456,t=2,p=1$"));
	assert_int_equal(auth_password_hash("correct horse", 13, &h2), AUTH_OK);
	assert_string_not_equal(h1, h2);	/* salted */
	assert_int_equal(auth_password_verify(h1, "correct horse", 13),
	    AUTH_OK);
	assert_int_equal(auth_password_verify(h2, "correct horse", 13),
	    AUTH_OK);
	assert_int_equal(auth_password_verify(h1, "correct horsE", 13),
	    AUTH_MISMATCH);
	assert_int_equal(auth_password_verify(h1, "correct hors", 12),
	    AUTH_MISMATCH);
	/* unknown account: the dummy hash, never a match */
	assert_int_equal(auth_password_verify(NULL, "correct horse", 13),
	    AUTH_MISMATCH);
	assert_int_equal(auth_password_verify(NULL, "", 0), AUTH_MISMATCH);
	/* too long: refused without hashing */
	free(h2);
	assert_int_equal(auth_password_hash("x", AUTH_PASSWORD_MAX + 1, &h2),
	    AUTH_ERROR);
	assert_null(h2);
	assert_int_equal(auth_password_verify(h1, "x",
	    AUTH_PASSWORD_MAX + 1), AUTH_MISMATCH);
	/* a damaged hash is an error, not a match */
	assert_int_equal(auth_password_verify("$argon2id$garbage", "x", 1),
	    AUTH_ERROR);
	free(h1);
}

/* ---- the cap on concurrent hashes ---- */

#define HASHERS	24

static void *
hasher(void *arg)
{
	char	*h = NULL;
	int	 rc;

	(void)arg;
	rc = auth_password_hash("password!", 9, &h);
	free(h);
	return (void *)(intptr_t)rc;
}

static void
test_hash_cap(void **state)
{
	struct settings	 cfg;
	pthread_t	 th[HASHERS];
	void		*rc;
	int		 i, ok = 0, busy = 0;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_hashes = 1;	/* one at a time, 8 may wait */
	auth_configure(&cfg);
	for (i = 0; i < HASHERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hasher, NULL), 0);
	for (i = 0; i < HASHERS; i++) {
		pthread_join(th[i], &rc);
		if ((intptr_t)rc == AUTH_OK)
			ok++;
		else if ((intptr_t)rc == AUTH_BUSY)
			busy++;
	}
	assert_int_equal(ok + busy, HASHERS);
	assert_true(ok >= 1);
	assert_true(busy >= 1);		/* 24 at once: the line overflows */
	cfg.max_hashes = 2;
	auth_configure(&cfg);
}

/* ---- sessions ---- */

static time_t fake_now;

static time_t
fake_clock(void)
{
	return fake_now;
}

static void
test_session_expiry(void **state)
{
	struct store_session s;
	long	 idle = 7 * 86400, max = 30 * 86400;

	(void)state;
	auth_set_clock(fake_clock);
	fake_now = 1000000;
	assert_int_equal(auth_now(), 1000000);
	memset(&s, 0, sizeof(s));
	s.created_at = s.last_seen = fake_now;
	s.expires_at = fake_now + max;

	assert_int_equal(auth_session_state(&s, fake_now, idle, max),
	    AUTH_SESSION_LIVE);
	/* not written again within a minute */
	assert_int_equal(auth_session_state(&s, fake_now + 59, idle, max),
	    AUTH_SESSION_LIVE);
	assert_int_equal(auth_session_state(&s, fake_now + 60, idle, max),
	    AUTH_SESSION_TOUCH);
	/* a short idle limit is refreshed sooner: every quarter of it, so a
	 * session in use never reaches it */
	assert_int_equal(auth_session_state(&s, fake_now + 1, 8, max),
	    AUTH_SESSION_LIVE);
	assert_int_equal(auth_session_state(&s, fake_now + 2, 8, max),
	    AUTH_SESSION_TOUCH);
	/* idle limit */
	assert_int_equal(auth_session_state(&s, fake_now + idle - 1, idle,
	    max), AUTH_SESSION_TOUCH);
	assert_int_equal(auth_session_state(&s, fake_now + idle, idle, max),
	    AUTH_SESSION_EXPIRED);
	/* used every day: still ends at the absolute limit */
	s.last_seen = fake_now + max - 3600;
	assert_int_equal(auth_session_state(&s, fake_now + max - 1, idle,
	    max), AUTH_SESSION_TOUCH);
	assert_int_equal(auth_session_state(&s, fake_now + max, idle, max),
	    AUTH_SESSION_EXPIRED);
	/* a shorter session_max set later applies to old sessions too */
	assert_int_equal(auth_session_state(&s, fake_now + 86400, idle,
	    86400), AUTH_SESSION_EXPIRED);
	auth_set_clock(NULL);
}

static void
test_fresh_session(void **state)
{
	struct auth_fresh a, b;
	char	 h[TOKEN_HEX + 1];

	(void)state;
	assert_true(auth_fresh_session(&a));
	assert_true(auth_fresh_session(&b));
	assert_string_not_equal(a.token, b.token);
	assert_string_not_equal(a.token, a.csrf);
	token_hash(h, a.token, TOKEN_HEX);
	assert_string_equal(h, a.hash);
	assert_string_not_equal(a.hash, a.token);
}

/* ---- throttling ---- */

static void
test_throttle_account(void **state)
{
	long long	 t = 5000000;	/* ms */
	int		 i;

	(void)state;
	auth_throttle_clear();
	for (i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE - 1; i++) {
		assert_int_equal(auth_throttle_wait("a@x.org", "10.0.0.1", t),
		    0);
		auth_throttle_failed("a@x.org", "10.0.0.1", t);
	}
	assert_int_equal(auth_throttle_wait("a@x.org", "10.0.0.1", t), 0);
	auth_throttle_failed("a@x.org", "10.0.0.1", t);	/* the 5th */
	assert_int_equal(auth_throttle_wait("a@x.org", "10.0.0.2", t), 1);
	/* a full second, rounded up, not cut by a clock tick */
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 999), 1);
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 1000), 0);
	/* another account from the same address is not held back */
	assert_int_equal(auth_throttle_wait("b@x.org", "10.0.0.1", t), 0);
	/* doubling */
	auth_throttle_failed("a@x.org", "10.0.0.1", t + 1000);
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 1000), 2);
	auth_throttle_failed("a@x.org", "10.0.0.1", t + 3000);
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 3000), 4);
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 7000), 0);
	/* the cap */
	for (i = 0; i < 30; i++)
		auth_throttle_failed("a@x.org", NULL, t + 10000);
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 10000),
	    AUTH_THROTTLE_CAP);
	/* a success clears the account */
	auth_throttle_succeeded("a@x.org");
	assert_int_equal(auth_throttle_wait("a@x.org", NULL, t + 11000), 0);
	/* an hour without failures forgets */
	for (i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++)
		auth_throttle_failed("c@x.org", NULL, t);
	assert_true(auth_throttle_wait("c@x.org", NULL, t) > 0);
	t += AUTH_THROTTLE_FORGET * 1000LL + 1;
	auth_throttle_failed("c@x.org", NULL, t);
	assert_int_equal(auth_throttle_wait("c@x.org", NULL, t), 0);
}

static void
test_throttle_ip(void **state)
{
	char		 email[64];
	long long	 t = 9000000;
	int		 i;

	(void)state;
	auth_throttle_clear();
	/* many accounts from one address: the address is held back */
	for (i = 0; i < AUTH_THROTTLE_IP_FREE; i++) {
		snprintf(email, sizeof(email), "u%d@x.org", i);
		assert_int_equal(auth_throttle_wait(email, "192.0.2.7", t), 0);
		auth_throttle_failed(email, "192.0.2.7", t);
	}
	assert_int_equal(auth_throttle_wait("new@x.org", "192.0.2.7", t), 1);
	assert_int_equal(auth_throttle_wait("new@x.org", "192.0.2.8", t), 0);
	/* a success for one account does not clear the address */
	auth_throttle_succeeded("u1@x.org");
	assert_int_equal(auth_throttle_wait("new@x.org", "192.0.2.7", t), 1);
}

static void
test_throttle_many_keys(void **state)
{
	char		 email[64];
	long long	 t = 20000000;
	int		 i;

	(void)state;
	auth_throttle_clear();
	/* a victim's record */
	for (i = 0; i < 8; i++)
		auth_throttle_failed("victim@x.org", NULL, t);
	assert_true(auth_throttle_wait("victim@x.org", NULL, t) > 0);
	/* 20,000 other keys with one failure each: the table is bounded,
	 * and records with few failures are evicted first */
	for (i = 0; i < 20000; i++) {
		snprintf(email, sizeof(email), "flood%d@x.org", i);
		auth_throttle_failed(email, NULL, t);
	}
	assert_true(auth_throttle_wait("victim@x.org", NULL, t) > 0);
	auth_throttle_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_lengths),
		cmocka_unit_test(test_hash_verify),
		cmocka_unit_test(test_hash_cap),
		cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_fresh_session),
		cmocka_unit_test(test_throttle_account),
		cmocka_unit_test(test_throttle_ip),
		cmocka_unit_test(test_throttle_many_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
