/*
 * Unit tests for store.c: opening and migrations, group commit (every
 * write exactly once, a failing write rolls back only itself), durability
 * across reopen, and the domain functions (accounts, sessions, tokens,
 * outbox).  Each test works in its own temporary folder.
 */
#include <sys/stat.h>

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

#include "store.h"

struct fixture {
	char	 dir[64];
	char	 path[128];
};

static int
setup(void **state)
{
	struct fixture	*fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/porch-store-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	/* a folder that does not exist yet: store_open makes it */
	snprintf(fx->path, sizeof(fx->path), "%s/var/porch.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fx->dir);
	free(fx);
	return 0;
}

static struct store *
open_ok(const char *path)
{
	struct store	*st;
	char		*err = NULL;

	st = store_open(path, &err);
	if (st == NULL)
		fprintf(stderr, "store_open: %s\n", err);
	assert_non_null(st);
	assert_null(err);
	return st;
}

static void
test_open_creates_private_files(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct stat	 sb;
	char		 dir[160];

	st = open_ok(fx->path);
	assert_int_equal(store_version(st), STORE_SCHEMA_VERSION);
	assert_true(store_ping(st));
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s/var", fx->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	store_close(st);
}

static void
test_open_garbage_refused(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	char		*err = NULL, path[160];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/garbage.db", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("this is not an SQLite database, not even close to one.......",
	    f);
	fclose(f);
	st = store_open(path, &err);
	assert_null(st);
	assert_non_null(err);
	free(err);
}

static void
test_migrate_old_version(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_user u;
	char		*err = NULL;
	long long	 id;

	/* An older porchd (schema 1) makes the database and an account. */
	st = store_open_version(fx->path, 1, &err);
	assert_non_null(st);
	assert_int_equal(store_version(st), 1);
	assert_int_equal(store_user_create(st, "old@example.com", "Old",
	    "hash", 0, 100, &id), STORE_OK);
	store_close(st);

	/* This porchd migrates it and keeps the data. */
	st = open_ok(fx->path);
	assert_int_equal(store_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_user_by_email(st, "old@example.com", &u),
	    STORE_OK);
	assert_int_equal(u.id, id);
	assert_string_equal(u.name, "Old");
	store_user_free(&u);
	store_close(st);
}

static void
test_newer_version_refused(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	char		*err = NULL;

	st = open_ok(fx->path);
	store_close(st);
	/* An older binary that knows only version 1 must refuse. */
	st = store_open_version(fx->path, 1, &err);
	assert_null(st);
	assert_non_null(err);
	assert_non_null(strstr(err, "newer"));
	free(err);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_user u;
	int		 i;
	char		 email[64];

	st = open_ok(fx->path);
	for (i = 0; i < 20; i++) {
		snprintf(email, sizeof(email), "u%d@example.com", i);
		assert_int_equal(store_user_create(st, email, "n", NULL, 0, 1,
		    NULL), STORE_OK);
	}
	store_close(st);
	st = open_ok(fx->path);
	for (i = 0; i < 20; i++) {
		snprintf(email, sizeof(email), "u%d@example.com", i);
		assert_int_equal(store_user_by_email(st, email, &u), STORE_OK);
		assert_null(u.password_hash);
		store_user_free(&u);
	}
	store_close(st);
}

static void
test_user_unique(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_user u;
	long long	 id = 0;

	st = open_ok(fx->path);
	assert_int_equal(store_user_create(st, "ann@example.com",
	    "Ann <script>' OR 1=1 --\r\nX: y", "h", 5, 1, &id), STORE_OK);
	assert_true(id > 0);
	assert_int_equal(store_user_create(st, "ann@example.com", "again",
	    "h", 0, 2, NULL), STORE_EXISTS);
	assert_int_equal(store_user_by_email(st, "ann@example.com", &u),
	    STORE_OK);
	/* stored verbatim */
	assert_string_equal(u.name, "Ann <script>' OR 1=1 --\r\nX: y");
	assert_int_equal(u.verified_at, 5);
	store_user_free(&u);
	assert_int_equal(store_user_by_id(st, id + 100, &u), STORE_NOTFOUND);
	assert_int_equal(store_user_by_email(st, "nobody@example.com", &u),
	    STORE_NOTFOUND);
	/* upper case is refused by the schema: callers normalise */
	assert_int_equal(store_user_create(st, "Bob@Example.com", "", NULL, 0,
	    1, NULL), STORE_ERROR);
	store_close(st);
}

/* ---- group commit ---- */

#define THREADS	16
#define WRITES	200

struct worker {
	struct store	*st;
	int		 t;
	int		 failures;
};

static void *
insert_many(void *arg)
{
	struct worker	*w = arg;
	char		 email[64];
	int		 i;

	for (i = 0; i < WRITES; i++) {
		snprintf(email, sizeof(email), "t%d-%d@example.com", w->t, i);
		if (store_user_create(w->st, email, "", NULL, 0, 1, NULL) !=
		    STORE_OK)
			w->failures++;
	}
	return NULL;
}

static int
count_user(const struct store_user *u, void *arg)
{
	(void)u;
	(*(int *)arg)++;
	return 1;
}

static void
test_group_commit_all_once(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct worker	 w[THREADS];
	pthread_t	 th[THREADS];
	struct store_user u;
	unsigned long	 commits, writes;
	char		 email[64];
	int		 i, j, n = 0;

	st = open_ok(fx->path);
	for (i = 0; i < THREADS; i++) {
		w[i].st = st;
		w[i].t = i;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, insert_many,
		    &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	store_stats(st, &commits, &writes);
	assert_int_equal(writes, THREADS * WRITES);
	/* with 16 writers waiting, groups form */
	assert_true(commits < writes);
	store_close(st);

	/* after reopening: every row there, exactly once (email is unique,
	 * and the count matches) */
	st = open_ok(fx->path);
	assert_int_equal(store_user_list(st, count_user, &n), STORE_OK);
	assert_int_equal(n, THREADS * WRITES);
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < WRITES; j += 37) {
			snprintf(email, sizeof(email), "t%d-%d@example.com", i,
			    j);
			assert_int_equal(store_user_by_email(st, email, &u),
			    STORE_OK);
			store_user_free(&u);
		}
	store_close(st);
}

/* A write that blocks the writer until released, so that the writes
 * queued meanwhile all land in the next group. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static int
gate_tx(struct store_tx *tx, void *arg)
{
	(void)tx;
	(void)arg;
	pthread_mutex_lock(&gate_lock);
	gate_entered = 1;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	return STORE_OK;
}

static void *
gate_thread(void *arg)
{
	return (void *)(intptr_t)store_write(arg, gate_tx, NULL);
}

struct job {
	struct store	*st;
	const char	*email;
	int		 fail;		/* insert, then report failure */
	int		 rc;
};

static int
job_tx(struct store_tx *tx, void *arg)
{
	struct job	*j = arg;
	int		 r;

	r = stx_user_create(tx, j->email, "", NULL, 0, 1, NULL);
	if (r != STORE_OK)
		return r;
	return j->fail ? STORE_ERROR : STORE_OK;
}

static void *
job_thread(void *arg)
{
	struct job	*j = arg;

	j->rc = store_write(j->st, job_tx, j);
	return NULL;
}

static void
test_failing_write_alone(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_user u;
	struct job	 jobs[5] = {
		{ NULL, "a@example.com", 0, -1 },
		{ NULL, "b@example.com", 1, -1 },	/* fails after insert */
		{ NULL, "c@example.com", 0, -1 },
		{ NULL, "a@example.com", 0, -1 },	/* duplicate of a */
		{ NULL, "e@example.com", 0, -1 },
	};
	pthread_t	 gate, th[5];
	unsigned long	 c0, w0, c1, w1;
	void		*grc;
	int		 i;

	st = open_ok(fx->path);
	gate_open = gate_entered = 0;
	assert_int_equal(pthread_create(&gate, NULL, gate_thread, st), 0);
	pthread_mutex_lock(&gate_lock);
	while (!gate_entered)	/* the writer is inside gate_tx */
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	store_stats(st, &c0, &w0);
	for (i = 0; i < 5; i++) {
		jobs[i].st = st;
		assert_int_equal(pthread_create(&th[i], NULL, job_thread,
		    &jobs[i]), 0);
		/* in order, so the duplicate comes after the original */
		while (store_pending(st) != i + 1)
			usleep(500);
	}
	pthread_mutex_lock(&gate_lock);
	gate_open = 1;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	pthread_join(gate, &grc);
	assert_int_equal((intptr_t)grc, STORE_OK);
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	store_stats(st, &c1, &w1);
	/* the gate's group, then one group with all five */
	assert_int_equal(c1 - c0, 2);
	assert_int_equal(w1 - w0, 6);
	assert_int_equal(jobs[0].rc, STORE_OK);
	assert_int_equal(jobs[1].rc, STORE_ERROR);
	assert_int_equal(jobs[2].rc, STORE_OK);
	assert_int_equal(jobs[3].rc, STORE_EXISTS);
	assert_int_equal(jobs[4].rc, STORE_OK);
	store_close(st);

	st = open_ok(fx->path);
	assert_int_equal(store_user_by_email(st, "a@example.com", &u),
	    STORE_OK);
	store_user_free(&u);
	assert_int_equal(store_user_by_email(st, "b@example.com", &u),
	    STORE_NOTFOUND);
	assert_int_equal(store_user_by_email(st, "c@example.com", &u),
	    STORE_OK);
	store_user_free(&u);
	assert_int_equal(store_user_by_email(st, "e@example.com", &u),
	    STORE_OK);
	store_user_free(&u);
	store_close(st);
}

static void
test_write_after_close_queue_drained(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;

	st = open_ok(fx->path);
	store_set_group_max(st, 1);
	assert_int_equal(store_user_create(st, "x@example.com", "", NULL, 0,
	    1, NULL), STORE_OK);
	store_set_group_max(st, 0);	/* clamped to 1 */
	store_close(st);
}

/* ---- sessions and tokens ---- */

static void
test_sessions(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_session s;
	long long	 id;

	st = open_ok(fx->path);
	assert_int_equal(store_user_create(st, "s@example.com", "", "h", 1,
	    1, &id), STORE_OK);
	assert_int_equal(store_session_create(st, "h1", id, "csrf1", 1000,
	    5000), STORE_OK);
	assert_int_equal(store_session_create(st, "h2", id, "csrf2", 1000,
	    5000), STORE_OK);
	assert_int_equal(store_session_get(st, "h1", &s), STORE_OK);
	assert_int_equal(s.user_id, id);
	assert_string_equal(s.csrf, "csrf1");
	assert_int_equal(s.created_at, 1000);
	assert_int_equal(s.last_seen, 1000);
	assert_int_equal(s.expires_at, 5000);
	assert_int_equal(store_session_touch(st, "h1", 1100), STORE_OK);
	assert_int_equal(store_session_get(st, "h1", &s), STORE_OK);
	assert_int_equal(s.last_seen, 1100);
	/* last_seen never goes back */
	assert_int_equal(store_session_touch(st, "h1", 1050), STORE_OK);
	assert_int_equal(store_session_get(st, "h1", &s), STORE_OK);
	assert_int_equal(s.last_seen, 1100);
	assert_int_equal(store_session_delete(st, "h1"), STORE_OK);
	assert_int_equal(store_session_get(st, "h1", &s), STORE_NOTFOUND);
	assert_int_equal(store_session_get(st, "h2", &s), STORE_OK);
	assert_int_equal(store_session_delete_user(st, id), STORE_OK);
	assert_int_equal(store_session_get(st, "h2", &s), STORE_NOTFOUND);
	/* a session needs an account */
	assert_int_equal(store_session_create(st, "h3", id + 1, "c", 1, 2),
	    STORE_ERROR);
	store_close(st);
}

static void
test_prune(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_session s;
	long long	 id, ns, nt;

	st = open_ok(fx->path);
	assert_int_equal(store_user_create(st, "p@example.com", "", "h", 1,
	    1, &id), STORE_OK);
	/* live; past its end; idle too long */
	assert_int_equal(store_session_create(st, "live", id, "c", 9000,
	    20000), STORE_OK);
	assert_int_equal(store_session_create(st, "ended", id, "c", 1000,
	    9500), STORE_OK);
	assert_int_equal(store_session_create(st, "idle", id, "c", 1000,
	    20000), STORE_OK);
	assert_int_equal(store_prune(st, 10000, 5000, &ns, &nt), STORE_OK);
	assert_int_equal(ns, 2);
	assert_int_equal(nt, 0);
	assert_int_equal(store_session_get(st, "live", &s), STORE_OK);
	assert_int_equal(store_session_get(st, "ended", &s), STORE_NOTFOUND);
	assert_int_equal(store_session_get(st, "idle", &s), STORE_NOTFOUND);
	store_close(st);
}

struct tok {
	const char		*hash;
	enum store_purpose	 purpose;
	long long		 user, now, exp, got;
	int			 add;
};

static int
tok_tx(struct store_tx *tx, void *arg)
{
	struct tok	*t = arg;

	if (t->add)
		return stx_token_add(tx, t->hash, t->purpose, t->user, t->now,
		    t->exp);
	return stx_token_consume(tx, t->hash, t->purpose, t->now, &t->got);
}

static void
test_tokens_single_use(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	long long	 id, uid, n;
	struct tok	 t;

	st = open_ok(fx->path);
	assert_int_equal(store_user_create(st, "t@example.com", "", "h", 0, 1,
	    &id), STORE_OK);
	t = (struct tok){ "r1", STORE_RESET, id, 100, 200, 0, 1 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_OK);
	t = (struct tok){ "r2", STORE_RESET, id, 100, 200, 0, 1 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_OK);
	t = (struct tok){ "v1", STORE_VERIFY, id, 100, 200, 0, 1 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_OK);

	/* wrong purpose */
	assert_int_equal(store_token_check(st, "r1", STORE_VERIFY, 150, &uid),
	    STORE_NOTFOUND);
	assert_int_equal(store_token_check(st, "r1", STORE_RESET, 150, &uid),
	    STORE_OK);
	assert_int_equal(uid, id);
	/* expired */
	t = (struct tok){ "v1", STORE_VERIFY, 0, 200, 0, 0, 0 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_NOTFOUND);
	/* used once */
	t = (struct tok){ "r1", STORE_RESET, 0, 150, 0, 0, 0 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_OK);
	assert_int_equal(t.got, id);
	t = (struct tok){ "r1", STORE_RESET, 0, 151, 0, 0, 0 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_NOTFOUND);
	/* using r1 retired r2 */
	t = (struct tok){ "r2", STORE_RESET, 0, 152, 0, 0, 0 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_NOTFOUND);
	/* unknown */
	t = (struct tok){ "zz", STORE_RESET, 0, 152, 0, 0, 0 };
	assert_int_equal(store_write(st, tok_tx, &t), STORE_NOTFOUND);
	/* swept a day after expiry, not before */
	assert_int_equal(store_prune(st, 200 + 86400, 0, NULL, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_prune(st, 201 + 86400, 0, NULL, &n), STORE_OK);
	assert_int_equal(n, 3);
	store_close(st);
}

/* ---- outbox ---- */

static int hook_calls;

static void
hook(void *arg)
{
	(void)arg;
	hook_calls++;
}

static int
count_msg(const struct store_message *m, void *arg)
{
	(void)m;
	(*(int *)arg)++;
	return 1;
}

static void
test_outbox(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st;
	struct store_message m = { 0 }, due[4];
	long long	 when;
	int		 n, all = 0;

	st = open_ok(fx->path);
	store_on_outbox(st, hook, NULL);
	hook_calls = 0;
	assert_int_equal(store_outbox_next(st, &when), STORE_NOTFOUND);
	m.message_id = "id1";
	m.kind = "mail";
	m.recipient = "a@example.com";
	m.subject = "s";
	m.body = "b token=1";
	m.headers = "{}";
	assert_int_equal(store_outbox_add(st, &m, 1000), STORE_OK);
	assert_int_equal(hook_calls, 1);
	m.message_id = "id2";
	assert_int_equal(store_outbox_add(st, &m, 1001), STORE_OK);
	/* the id is unique: a second row with it is refused */
	assert_int_equal(store_outbox_add(st, &m, 1001), STORE_EXISTS);
	assert_int_equal(hook_calls, 2);
	m.kind = "pigeon";
	m.message_id = "id3";
	assert_int_equal(store_outbox_add(st, &m, 1001), STORE_ERROR);

	assert_int_equal(store_outbox_next(st, &when), STORE_OK);
	assert_int_equal(when, 1000);
	assert_int_equal(store_outbox_due(st, 999, 4, due, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_outbox_due(st, 1001, 4, due, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(due[0].message_id, "id1");
	assert_string_equal(due[1].message_id, "id2");
	assert_int_equal(due[0].attempts, 0);

	assert_int_equal(store_outbox_retry(st, due[0].id, 1010, "refused"),
	    STORE_OK);
	assert_int_equal(store_outbox_delivered(st, due[1].id, 1002,
	    "b token=(removed)"), STORE_OK);
	/* delivered once: a second mark changes nothing */
	assert_int_equal(store_outbox_delivered(st, due[1].id, 1003, NULL),
	    STORE_NOTFOUND);
	store_message_free(&due[0]);
	store_message_free(&due[1]);

	assert_int_equal(store_outbox_next(st, &when), STORE_OK);
	assert_int_equal(when, 1010);
	assert_int_equal(store_outbox_due(st, 1005, 4, due, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_outbox_due(st, 1010, 4, due, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0].attempts, 1);
	assert_string_equal(due[0].last_error, "refused");
	store_message_free(&due[0]);
	assert_int_equal(store_outbox_list(st, count_msg, &all), STORE_OK);
	assert_int_equal(all, 2);
	store_on_outbox(st, NULL, NULL);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_private_files,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_garbage_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_old_version,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_unique,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_all_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_write_alone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_after_close_queue_drained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens_single_use,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
