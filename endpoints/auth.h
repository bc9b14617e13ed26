/*
 * auth: sessions and the checks the server runs before a handler; also
 * passwords (argon2id), login throttling and the session cookie, which the
 * account handlers (accounts.c) and `porchd users` share.
 */
#ifndef PORCHD_AUTH_H
#define PORCHD_AUTH_H

#include <stddef.h>
#include <time.h>

#include "http.h"
#include "token.h"

struct settings;
struct store_session;

/*
 * Reads the session cookie of req, if any, and when it names a live
 * session sets req->user_id and req->session_hash and refreshes its idle
 * expiry.  An unknown or expired cookie leaves the request anonymous.
 * Called by the server for every request that reaches a route.
 */
void	 auth_load_session(struct req *);
/*
 * For unsafe methods on a logged-in session: 1 if the request carries the
 * session's CSRF token (header X-CSRF-Token, or form field csrf), else 0.
 * Anonymous requests pass (they have nothing to forge).
 */
int	 auth_csrf_token_ok(const struct req *);

/* OWASP's argon2id parameters (2023): 19 MiB, two passes, one lane. */
#define AUTH_ARGON2_M_KIB	19456
#define AUTH_ARGON2_T		2
#define AUTH_ARGON2_P		1
/* Password length: at least 8 characters (UTF-8 code points), at most
 * 1024 bytes (longer is refused: hashing cost must stay bounded). */
#define AUTH_PASSWORD_MIN	8
#define AUTH_PASSWORD_MAX	1024
/* Token lifetimes, seconds. */
#define AUTH_VERIFY_TTL		(24 * 3600)
#define AUTH_RESET_TTL		3600
#define AUTH_MAGIC_TTL		(15 * 60)
/* Session defaults when settings say 0; last_seen is written at most
 * this often. */
#define AUTH_SESSION_IDLE	(7L * 24 * 3600)
#define AUTH_SESSION_MAX	(30L * 24 * 3600)
#define AUTH_TOUCH_EVERY	60
/* The cookie, without the __Host- prefix resp_cookie adds on https. */
#define AUTH_COOKIE		"porch_session"

enum auth_rc {
	AUTH_OK = 0,
	AUTH_MISMATCH,		/* wrong password */
	AUTH_BUSY,		/* too many hashes waiting: answer 503 */
	AUTH_ERROR
};

/* Takes max_hashes, session_idle and session_max from cfg (0: defaults).
 * Optional; call before serving, it also computes the dummy hash. */
void	 auth_configure(const struct settings *cfg);

enum auth_pw {
	AUTH_PW_OK = 0,
	AUTH_PW_SHORT,
	AUTH_PW_LONG
};
/* Whether the len bytes of pw make an acceptable password. */
int	 auth_password_check(const char *pw, size_t len);
/* Hashes pw (argon2id, random 16-byte salt) into *encoded, a heap string
 * the caller frees; waits for a free hashing slot.  Returns AUTH_OK,
 * AUTH_BUSY or AUTH_ERROR. */
int	 auth_password_hash(const char *pw, size_t len, char **encoded);
/* Checks pw against encoded, or against a dummy hash when encoded is NULL
 * (unknown accounts take the same time); AUTH_OK, AUTH_MISMATCH (always
 * for a NULL encoded), AUTH_BUSY or AUTH_ERROR. */
int	 auth_password_verify(const char *encoded, const char *pw,
	     size_t len);

/* The clock everything in accounts uses; tests replace it.  auth_now_ms
 * is the same clock in milliseconds (the replaced clock times 1000). */
time_t	 auth_now(void);
long long auth_now_ms(void);
void	 auth_set_clock(time_t (*)(void));
long	 auth_session_idle(void);
long	 auth_session_max(void);

enum auth_session_state {
	AUTH_SESSION_LIVE,
	AUTH_SESSION_TOUCH,	/* live, and last_seen is worth writing */
	AUTH_SESSION_EXPIRED
};
/* The state of session s at now with the given idle and absolute limits. */
int	 auth_session_state(const struct store_session *s, long long now,
	     long idle, long max);

/* A session about to be created: the cookie's token, its hash for the
 * store and the CSRF token.  Wipe with explicit_bzero after use. */
struct auth_fresh {
	char	 token[TOKEN_HEX + 1];
	char	 hash[TOKEN_HEX + 1];
	char	 csrf[TOKEN_HEX + 1];
};
int	 auth_fresh_session(struct auth_fresh *);
/* Sets the session cookie to token (absolute lifetime), or deletes it. */
void	 auth_set_cookie(struct req *, const char *token);
void	 auth_clear_cookie(struct req *);

/*
 * Login throttling, per account (the address as typed, whether or not it
 * exists, so the answer cannot tell) and per client address.  Each key has
 * some free failures (AUTH_THROTTLE_ACCOUNT_FREE, _IP_FREE); every failure
 * after those blocks the key for 1, 2, 4 ... seconds, capped at
 * AUTH_THROTTLE_CAP; a key with no failure for AUTH_THROTTLE_FORGET
 * seconds starts afresh; a successful login clears its account key.
 * Times are milliseconds (auth_now_ms); auth_throttle_wait gives the
 * whole seconds to wait, rounded up (0: go ahead).
 */
#define AUTH_THROTTLE_ACCOUNT_FREE	5
#define AUTH_THROTTLE_IP_FREE		30
#define AUTH_THROTTLE_CAP		900
#define AUTH_THROTTLE_FORGET		3600
long	 auth_throttle_wait(const char *email, const char *ip,
	     long long now_ms);
void	 auth_throttle_failed(const char *email, const char *ip,
	     long long now_ms);
void	 auth_throttle_succeeded(const char *email);
void	 auth_throttle_clear(void);

#endif
