/*
 * auth: passwords, sessions, CSRF tokens and login throttling.
 *
 * Passwords are hashed with argon2id (libargon2) at OWASP's parameters.
 * A hash takes ~19 MiB and tens of milliseconds of one core, so at most
 * max_hashes run at once (a counting semaphore); a few requests per slot
 * may wait for one, and beyond that, or after HASH_WAIT_SECONDS, the
 * caller gets AUTH_BUSY and answers 503 with Retry-After instead of
 * piling up threads and memory.
 *
 * Sessions: the cookie holds 256 random bits in hex; the store keeps only
 * their SHA-256, with the account, a CSRF token, the creation time (for
 * the absolute limit), last_seen (for the idle limit) and the absolute
 * end.  last_seen is written at most once a minute (or every quarter of
 * the idle limit when that is shorter), so reads do not
 * become writes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <argon2.h>
#include <nettle/sha2.h>

#include "app.h"
#include "auth.h"
#include "store.h"
#include "token.h"

#define SALT_BYTES		16
#define HASH_BYTES		32
#define HASH_WAITERS_PER_SLOT	8	/* queued hashes per running one */
#define HASH_WAIT_SECONDS	10

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 running, waiting;
	int		 max;		/* 0 until configured: 2 */
	long		 idle, absolute;
	int		 configured;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0,
    0, 0, 0 };

static time_t	(*clock_fn)(void);

static pthread_once_t	 dummy_once = PTHREAD_ONCE_INIT;
static char		*dummy_hash;

time_t
auth_now(void)
{
	return clock_fn ? clock_fn() : time(NULL);
}

long long
auth_now_ms(void)
{
	struct timespec	 ts;

	if (clock_fn)
		return (long long)clock_fn() * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
auth_set_clock(time_t (*fn)(void))
{
	clock_fn = fn;
}

long
auth_session_idle(void)
{
	long	 v;

	pthread_mutex_lock(&gate.lock);
	v = gate.idle > 0 ? gate.idle : AUTH_SESSION_IDLE;
	pthread_mutex_unlock(&gate.lock);
	return v;
}

long
auth_session_max(void)
{
	long	 v;

	pthread_mutex_lock(&gate.lock);
	v = gate.absolute > 0 ? gate.absolute : AUTH_SESSION_MAX;
	pthread_mutex_unlock(&gate.lock);
	return v;
}

/* Hashes len bytes of pw with a fresh salt; no slot taken. */
static int
hash_now(const char *pw, size_t len, char **encoded)
{
	unsigned char	 salt[SALT_BYTES];
	size_t		 elen;
	char		*out;
	int		 rc;

	*encoded = NULL;
	if (!token_random(salt, sizeof(salt)))
		return AUTH_ERROR;
	elen = argon2_encodedlen(AUTH_ARGON2_T, AUTH_ARGON2_M_KIB,
	    AUTH_ARGON2_P, SALT_BYTES, HASH_BYTES, Argon2_id);
	if ((out = malloc(elen)) == NULL)
		return AUTH_ERROR;
	rc = argon2id_hash_encoded(AUTH_ARGON2_T, AUTH_ARGON2_M_KIB,
	    AUTH_ARGON2_P, pw, len, salt, sizeof(salt), HASH_BYTES, out, elen);
	if (rc != ARGON2_OK) {
		http_log("argon2: %s", argon2_error_message(rc));
		free(out);
		return AUTH_ERROR;
	}
	*encoded = out;
	return AUTH_OK;
}

/* The hash unknown accounts are checked against: of a random password, so
 * that nothing matches it, with the same parameters as real ones. */
static void
dummy_make(void)
{
	char	 pw[TOKEN_HEX + 1];

	if (!token_new(pw) || hash_now(pw, strlen(pw), &dummy_hash) != AUTH_OK)
		dummy_hash = NULL;
	explicit_bzero(pw, sizeof(pw));
}

void
auth_configure(const struct settings *cfg)
{
	pthread_mutex_lock(&gate.lock);
	gate.max = cfg->max_hashes > 0 ? cfg->max_hashes : 0;
	gate.idle = cfg->session_idle;
	gate.absolute = cfg->session_max;
	gate.configured = 1;
	pthread_mutex_unlock(&gate.lock);
	pthread_once(&dummy_once, dummy_make);
}

/* auth_configure from the first request's settings, when main.c did not
 * call it. */
static void
configure_once(const struct settings *cfg)
{
	int	 done;

	pthread_mutex_lock(&gate.lock);
	done = gate.configured;
	pthread_mutex_unlock(&gate.lock);
	if (!done)
		auth_configure(cfg);
}

/* Takes a hashing slot, waiting in line when all are busy; 0 when the
 * line is too long or the wait too long. */
static int
gate_enter(void)
{
	struct timespec	 deadline;
	int		 max, ok = 1;

	pthread_mutex_lock(&gate.lock);
	max = gate.max > 0 ? gate.max : 2;
	if (gate.running < max && gate.waiting == 0) {
		gate.running++;
		pthread_mutex_unlock(&gate.lock);
		return 1;
	}
	if (gate.waiting >= max * HASH_WAITERS_PER_SLOT) {
		pthread_mutex_unlock(&gate.lock);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += HASH_WAIT_SECONDS;
	gate.waiting++;
	while (gate.running >= max) {
		if (pthread_cond_timedwait(&gate.cond, &gate.lock,
		    &deadline) == ETIMEDOUT && gate.running >= max) {
			ok = 0;
			break;
		}
	}
	gate.waiting--;
	if (ok)
		gate.running++;
	pthread_mutex_unlock(&gate.lock);
	return ok;
}

static void
gate_leave(void)
{
	pthread_mutex_lock(&gate.lock);
	gate.running--;
	pthread_cond_signal(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
}

int
auth_password_check(const char *pw, size_t len)
{
	size_t	 i, chars = 0;

	if (len > AUTH_PASSWORD_MAX)
		return AUTH_PW_LONG;
	/* Count code points: continuation bytes are 10xxxxxx. */
	for (i = 0; i < len; i++)
		if (((unsigned char)pw[i] & 0xc0) != 0x80)
			chars++;
	return chars < AUTH_PASSWORD_MIN ? AUTH_PW_SHORT : AUTH_PW_OK;
}

int
auth_password_hash(const char *pw, size_t len, char **encoded)
{
	int	 rc;

	*encoded = NULL;
	if (len > AUTH_PASSWORD_MAX)
		return AUTH_ERROR;
	if (!gate_enter())
		return AUTH_BUSY;
	rc = hash_now(pw, len, encoded);
	gate_leave();
	return rc;
}

int
auth_password_verify(const char *encoded, const char *pw, size_t len)
{
	int	 rc;

	pthread_once(&dummy_once, dummy_make);
	if (len > AUTH_PASSWORD_MAX)
		return AUTH_MISMATCH;
	if (encoded == NULL && (encoded = dummy_hash) == NULL)
		return AUTH_ERROR;
	if (!gate_enter())
		return AUTH_BUSY;
	/* argon2's own comparison of the results is constant-time. */
	rc = argon2id_verify(encoded, pw, len);
	gate_leave();
	if (encoded == dummy_hash)
		return rc == ARGON2_OK || rc == ARGON2_VERIFY_MISMATCH ?
		    AUTH_MISMATCH : AUTH_ERROR;
	if (rc == ARGON2_OK)
		return AUTH_OK;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return AUTH_MISMATCH;
	http_log("argon2 verify: %s", argon2_error_message(rc));
	return AUTH_ERROR;
}

/* ---- sessions ---- */

int
auth_session_state(const struct store_session *s, long long now, long idle,
    long max)
{
	if (now >= s->expires_at || now >= s->created_at + max ||
	    now >= s->last_seen + idle)
		return AUTH_SESSION_EXPIRED;
	/* Refresh once a minute, or sooner when the idle limit is short, so
	 * that a session in use never reaches it. */
	if (now - s->last_seen >= (idle / 4 < AUTH_TOUCH_EVERY ?
	    idle / 4 : AUTH_TOUCH_EVERY))
		return AUTH_SESSION_TOUCH;
	return AUTH_SESSION_LIVE;
}

int
auth_fresh_session(struct auth_fresh *f)
{
	if (!token_new(f->token) || !token_new(f->csrf)) {
		explicit_bzero(f, sizeof(*f));
		return 0;
	}
	token_hash(f->hash, f->token, TOKEN_HEX);
	return 1;
}

void
auth_set_cookie(struct req *req, const char *token)
{
	resp_cookie(req, AUTH_COOKIE, token, auth_session_max());
}

void
auth_clear_cookie(struct req *req)
{
	resp_cookie(req, AUTH_COOKIE, "", -1);
}

/* The session cookie's value (heap), or NULL.  req_cookie reads the name
 * resp_cookie set: __Host-porch_session on https, where a plain-named
 * cookie planted by a sibling host does not count. */
static char *
session_cookie(const struct req *req)
{
	return req_cookie(req, AUTH_COOKIE);
}

void
auth_load_session(struct req *req)
{
	struct store_session s;
	char		*tok, hash[TOKEN_HEX + 1];
	long long	 now;
	int		 state;

	if (req->app == NULL || req->app->store == NULL)
		return;
	configure_once(&req->app->cfg);
	if ((tok = session_cookie(req)) == NULL)
		return;
	if (!token_valid(tok)) {
		explicit_bzero(tok, strlen(tok));
		free(tok);
		return;
	}
	token_hash(hash, tok, TOKEN_HEX);
	explicit_bzero(tok, TOKEN_HEX);
	free(tok);
	if (store_session_get(req->app->store, hash, &s) != STORE_OK ||
	    s.user_disabled)
		return;
	now = auth_now();
	state = auth_session_state(&s, now, auth_session_idle(),
	    auth_session_max());
	if (state == AUTH_SESSION_EXPIRED ||
	    (req->session_hash = strdup(hash)) == NULL) {
		explicit_bzero(s.csrf, sizeof(s.csrf));
		return;
	}
	if (state == AUTH_SESSION_TOUCH)
		(void)store_session_touch(req->app->store, hash, now);
	memcpy(req->session_csrf, s.csrf, sizeof(req->session_csrf));
	explicit_bzero(s.csrf, sizeof(s.csrf));
	req->user_id = s.user_id;
}

int
auth_csrf_token_ok(const struct req *req)
{
	const char	*given;
	json_t		*v;

	if (req->user_id == 0 || req->session_hash == NULL)
		return 1;
	if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0 ||
	    strcmp(req->method, "OPTIONS") == 0)
		return 1;
	given = req_header(req, "X-CSRF-Token");
	if (given == NULL && req->json &&
	    (v = json_object_get(req->json, "csrf")) && json_is_string(v))
		given = json_string_value(v);
	return given != NULL && token_valid(given) &&
	    token_equal(req->session_csrf, given);
}

/* ---- login throttling ---- */

#define THROTTLE_SLOTS	4096	/* keys remembered; a power of two */
#define THROTTLE_PROBE	8	/* slots a key may live in */

struct slot {
	uint64_t	 key;		/* 0: free */
	long long	 last;		/* last failure, ms */
	long long	 until;		/* blocked before this, ms */
	unsigned	 fails;
};

#define FORGET_MS	((long long)AUTH_THROTTLE_FORGET * 1000)

static struct {
	pthread_mutex_t	 lock;
	struct slot	 slots[THROTTLE_SLOTS];
	unsigned char	 secret[32];
	int		 keyed;
} thr = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * A key's 64-bit name: SHA-256 of a per-process secret, the kind and the
 * text.  The secret keeps anyone from choosing addresses that crowd one
 * neighbourhood of the table to push a victim's record out.  Called with
 * thr.lock held.
 */
static uint64_t
key_of(char kind, const char *text)
{
	struct sha256_ctx ctx;
	unsigned char	 d[SHA256_DIGEST_SIZE];
	uint64_t	 k = 0;
	size_t		 i;

	if (!thr.keyed) {
		if (!token_random(thr.secret, sizeof(thr.secret)))
			memset(thr.secret, 0x5a, sizeof(thr.secret));
		thr.keyed = 1;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, sizeof(thr.secret), thr.secret);
	sha256_update(&ctx, 1, (const unsigned char *)&kind);
	sha256_update(&ctx, strlen(text), (const unsigned char *)text);
	sha256_digest(&ctx, sizeof(d), d);
	for (i = 0; i < 8; i++)
		k = k << 8 | d[i];
	return k ? k : 1;
}

/* How good a victim slot s is for eviction: free slots first, then
 * forgotten ones, then the fewest failures, then the oldest. */
static int
better_victim(const struct slot *s, const struct slot *than, long long now)
{
	int	 rs, rt;

	rs = s->key == 0 ? 0 : (now - s->last > FORGET_MS &&
	    now >= s->until) ? 1 : 2;
	rt = than->key == 0 ? 0 : (now - than->last > FORGET_MS &&
	    now >= than->until) ? 1 : 2;
	if (rs != rt)
		return rs < rt;
	if (s->fails != than->fails)
		return s->fails < than->fails;
	return s->last < than->last;
}

/* The slot of key, or with create a new one in place of the least
 * valuable record nearby. */
static struct slot *
slot_find(uint64_t key, int create, long long now)
{
	struct slot	*s, *victim = NULL;
	size_t		 i, at = (size_t)(key & (THROTTLE_SLOTS - 1));

	for (i = 0; i < THROTTLE_PROBE; i++) {
		s = &thr.slots[(at + i) & (THROTTLE_SLOTS - 1)];
		if (s->key == key)
			return s;
		if (victim == NULL || better_victim(s, victim, now))
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}

static long
wait_of(uint64_t key, long long now)
{
	struct slot	*s;

	if ((s = slot_find(key, 0, now)) == NULL || now >= s->until)
		return 0;
	/* whole seconds, rounded up */
	return (long)((s->until - now + 999) / 1000);
}

long
auth_throttle_wait(const char *email, const char *ip, long long now)
{
	long	 a, b;

	pthread_mutex_lock(&thr.lock);
	a = wait_of(key_of('a', email), now);
	b = ip ? wait_of(key_of('i', ip), now) : 0;
	pthread_mutex_unlock(&thr.lock);
	return a > b ? a : b;
}

static void
fail_key(uint64_t key, unsigned free_fails, long long now)
{
	struct slot	*s = slot_find(key, 1, now);
	unsigned	 over;

	long long	 secs;

	if (now - s->last > FORGET_MS)
		s->fails = 0;
	s->fails++;
	s->last = now;
	if (s->fails >= free_fails) {
		over = s->fails - free_fails;
		secs = over >= 10 ? AUTH_THROTTLE_CAP : 1LL << over;
		if (secs > AUTH_THROTTLE_CAP)
			secs = AUTH_THROTTLE_CAP;
		s->until = now + secs * 1000;
	}
}

void
auth_throttle_failed(const char *email, const char *ip, long long now)
{
	pthread_mutex_lock(&thr.lock);
	fail_key(key_of('a', email), AUTH_THROTTLE_ACCOUNT_FREE, now);
	if (ip)
		fail_key(key_of('i', ip), AUTH_THROTTLE_IP_FREE, now);
	pthread_mutex_unlock(&thr.lock);
}

void
auth_throttle_succeeded(const char *email)
{
	struct slot	*s;

	pthread_mutex_lock(&thr.lock);
	if ((s = slot_find(key_of('a', email), 0, 0)) != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&thr.lock);
}

void
auth_throttle_clear(void)
{
	pthread_mutex_lock(&thr.lock);
	memset(thr.slots, 0, sizeof(thr.slots));
	pthread_mutex_unlock(&thr.lock);
}
