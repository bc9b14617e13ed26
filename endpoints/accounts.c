/*
 * accounts: sign-up, verification, login, logout, who-am-i, password
 * reset and magic links (see accounts.h for the table).
 *
 * No answer tells whether an address has an account: sign-up, reset and
 * magic-link requests answer 202 either way and take the same path
 * through the writer (the lookup happens inside the write), and login
 * checks unknown addresses against a dummy hash, so that status, body and
 * time agree.  Only a correct password earns "unverified" or "disabled".
 *
 * Every mail is an outbox row committed in the same transaction as the
 * change it announces (the account, the token); the delivery worker sends
 * it afterwards.  Secrets (passwords, tokens) are wiped once used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "accounts.h"
#include "app.h"
#include "auth.h"
#include "catalog.h"
#include "http.h"
#include "mail.h"
#include "ratelimit.h"
#include "route.h"
#include "store.h"
#include "token.h"

#define NAME_MAX_BYTES	200

/* ---- small helpers ---- */

/* catalog.json's accounts.KEY, false when absent. */
static int
catalog_flag(struct req *req, const char *key)
{
	json_t	*cat;
	int	 on;

	cat = app_catalog(req->app);
	on = json_is_true(json_object_get(json_object_get(cat, "accounts"),
	    key));
	app_catalog_release(req->app, cat);
	return on;
}

/* The site's title from the catalog (heap), or NULL. */
static char *
site_title(struct req *req)
{
	json_t		*cat;
	const char	*t;
	char		*s;

	cat = app_catalog(req->app);
	t = json_string_value(json_object_get(json_object_get(cat, "site"),
	    "title"));
	s = t ? strdup(t) : NULL;
	app_catalog_release(req->app, cat);
	return s;
}

/* Where mail links point (heap): catalog_link_base. */
static char *
link_base(struct req *req)
{
	json_t	*cat;
	char	*s;

	cat = app_catalog(req->app);
	s = catalog_link_base(req->app->cfg.public_url, cat);
	app_catalog_release(req->app, cat);
	return s;
}

static void
answer_accepted(struct req *req)
{
	resp_json(req, 202, json_pack("{s:s}", "status", "accepted"));
}

static void
answer_busy(struct req *req)
{
	resp_header(req, "Retry-After", "1");
	resp_error(req, 503, "busy", "Too many logins at once; try again in "
	    "a moment.");
}

/* For unsafe methods on a logged-in session without the CSRF token:
 * answers 403 and returns 0.  (The server checks ROUTE_CSRF rows too;
 * this keeps the handlers safe on their own.) */
static int
csrf_ok(struct req *req)
{
	if (auth_csrf_token_ok(req))
		return 1;
	resp_error(req, 403, "csrf", "Missing or wrong CSRF token.");
	return 0;
}

/* Checks the password member; answers 400 and returns 0 when bad. */
static int
password_ok(struct req *req, const char *pw, size_t len)
{
	if (pw == NULL) {
		resp_error(req, 400, "bad_request", "A password is needed.");
		return 0;
	}
	switch (auth_password_check(pw, len)) {
	case AUTH_PW_SHORT:
		resp_error(req, 400, "password_too_short", "The password "
		    "needs at least %d characters.", AUTH_PASSWORD_MIN);
		return 0;
	case AUTH_PW_LONG:
		resp_error(req, 400, "password_too_long", "The password may "
		    "have at most %d bytes.", AUTH_PASSWORD_MAX);
		return 0;
	default:
		return 1;
	}
}

/* The normalised address of the email member into out; answers 400 and
 * returns 0 when missing or malformed. */
static int
email_ok(struct req *req, char out[MAIL_ADDRESS_MAX + 1])
{
	const char	*e;
	size_t		 len;

	if ((e = req_json_str(req, "email", &len)) == NULL || strlen(e) != len ||
	    !mail_address_normalize(e, out)) {
		resp_error(req, 400, "invalid_email", "That does not look "
		    "like an e-mail address.");
		return 0;
	}
	return 1;
}

/* The token member if it has the form of a token; else answers 400. */
static const char *
token_ok(struct req *req)
{
	const char	*t = req_json_str(req, "token", NULL);

	if (t == NULL || !token_valid(t)) {
		resp_error(req, 400, "invalid_token", "This link is invalid, "
		    "used or expired.");
		return NULL;
	}
	return t;
}

/*
 * Wipes the password from the request once it is hashed or checked: the
 * JSON string jansson holds (its buffer is ours to scribble on: nothing
 * reads it after the handler) and the raw body it was parsed from.
 */
static void
wipe_password(struct req *req, const char *pw, size_t len)
{
	if (pw)
		explicit_bzero((char *)pw, len);
	if (req->body && req->body_len)
		explicit_bzero(req->body, req->body_len);
}

/* The throttling key of the client's address: IPv6 by its /64, as the
 * rate limiter counts it (one host usually holds a whole /64). */
static void
ip_key(const struct req *req, char *out, size_t len)
{
	ratelimit_key(req->ip, out, len);
}

static json_t *
user_json(const struct store_user *u)
{
	return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)u->id,
	    "email", u->email, "name", u->name ? u->name : "",
	    "verified", u->verified_at != 0);
}

/* Answers 200 {"user", "csrf"} and sets the cookie of fresh session f. */
static void
answer_logged_in(struct req *req, const struct store_user *u,
    const struct auth_fresh *f)
{
	auth_set_cookie(req, f->token);
	resp_no_store(req);
	resp_json(req, 200, json_pack("{s:o, s:s}", "user", user_json(u),
	    "csrf", f->csrf));
}

/* ---- sign-up ---- */

struct signup {
	const char		*email, *name, *hash, *token_hash;
	struct store_message	 verify, exists;
	long long		 now, id;
	int			 existed;
};

static int
signup_tx(struct store_tx *tx, void *arg)
{
	struct signup	*a = arg;
	int		 r;

	a->existed = 0;
	r = stx_user_create(tx, a->email, a->name, a->hash, 0, a->now,
	    &a->id);
	if (r == STORE_EXISTS) {
		a->existed = 1;
		return stx_outbox_add(tx, &a->exists, a->now);
	}
	if (r != STORE_OK)
		return r;
	if ((r = stx_token_add(tx, a->token_hash, STORE_VERIFY, a->id, a->now,
	    a->now + AUTH_VERIFY_TTL)) != STORE_OK)
		return r;
	return stx_outbox_add(tx, &a->verify, a->now);
}

static void
signup(struct req *req)
{
	struct signup	 a;
	char		 email[MAIL_ADDRESS_MAX + 1], tok[TOKEN_HEX + 1];
	char		 th[TOKEN_HEX + 1], *title, *base;
	const char	*name;
	size_t		 namelen = 0;
	int		 rc;

	memset(&a, 0, sizeof(a));
	if (!catalog_flag(req, "signup")) {
		resp_error(req, 403, "signup_disabled", "This site does not "
		    "take sign-ups.");
		return;
	}
	if (!csrf_ok(req) || !email_ok(req, email))
		return;
	if ((name = req_json_str(req, "name", &namelen)) == NULL)
		name = "";
	if (strlen(name) != namelen || namelen > NAME_MAX_BYTES) {
		resp_error(req, 400, "invalid_name", "The name may have at "
		    "most %d bytes and no NUL character.", NAME_MAX_BYTES);
		return;
	}
	title = site_title(req);
	base = link_base(req);
	if (!token_new(tok) ||
	    !mail_account(&a.verify, MAIL_VERIFY, email, name, title, base,
	    tok) ||
	    !mail_account(&a.exists, MAIL_SIGNUP_EXISTS, email, NULL, title,
	    base, NULL)) {
		rc = STORE_ERROR;
		goto out;
	}
	token_hash(th, tok, TOKEN_HEX);
	a.email = email;
	a.name = name;
	a.hash = NULL;	/* chosen at the verification link: see verify() */
	a.token_hash = th;
	a.now = auth_now();
	if ((rc = store_write(req->app->store, signup_tx, &a)) == STORE_OK)
		answer_accepted(req);
out:
	if (rc != STORE_OK)
		resp_store_error(req, rc);
	explicit_bzero(tok, sizeof(tok));
	if (a.verify.body)
		explicit_bzero(a.verify.body, strlen(a.verify.body));
	store_message_free(&a.verify);
	store_message_free(&a.exists);
	free(title);
	free(base);
}

/* ---- verification ---- */

static void	consume_login(struct req *, enum store_purpose, const char *,
		    const char *, size_t);

struct consume {
	const char		*token_hash;
	enum store_purpose	 purpose;
	long long		 now, user_id;
	const char		*password_hash;	/* reset: the new one */
	const struct auth_fresh	*session;	/* log in: the new one */
	struct store_user	 user;		/* out, when session */
	int			 disabled;
};

/*
 * Uses the token, marks the account verified (having the mail proves
 * owning the address), and for reset sets the password and ends every
 * session, and for reset and magic opens the new session.  A disabled
 * account's token changes nothing.
 */
static int
consume_tx(struct store_tx *tx, void *arg)
{
	struct consume	*a = arg;
	int		 r;

	a->disabled = 0;
	store_user_free(&a->user);
	if ((r = stx_token_consume(tx, a->token_hash, a->purpose, a->now,
	    &a->user_id)) != STORE_OK)
		return r;
	if ((r = stx_user_by_id(tx, a->user_id, &a->user)) != STORE_OK)
		return r;
	if (a->user.disabled) {
		a->disabled = 1;
		return STORE_NOTFOUND;
	}
	if ((r = stx_user_verify(tx, a->user_id, a->now)) != STORE_OK)
		return r;
	if (a->user.verified_at == 0)
		a->user.verified_at = a->now;
	if (a->password_hash) {
		if ((r = stx_user_set_password(tx, a->user_id,
		    a->password_hash)) != STORE_OK ||
		    (r = stx_session_delete_user(tx, a->user_id)) != STORE_OK)
			return r;
	}
	if (a->session)
		return stx_session_create(tx, a->session->hash, a->user_id,
		    a->session->csrf, a->now, a->now + auth_session_max());
	return STORE_OK;
}

/* Answers a failed consume_tx. */
static void
answer_consume(struct req *req, const struct consume *a, int rc)
{
	if (a->disabled)
		resp_error(req, 403, "account_disabled", "This account is "
		    "disabled.");
	else if (rc == STORE_NOTFOUND)
		resp_error(req, 400, "invalid_token", "This link is invalid, "
		    "used or expired.");
	else
		resp_store_error(req, rc);
}

/*
 * POST {token, password} for a link that sets the password: verification
 * (STORE_VERIFY) and reset (STORE_RESET).  Both verify the account, set the
 * password and log in.  For verification this is why the password is
 * chosen here and not at sign-up: only the owner of the address reaches
 * this point, so a stranger who signed up with someone else's address (to
 * have them verify an account whose password the stranger knows:
 * pre-account hijacking) gains nothing.
 */
static void
choose_password(struct req *req, enum store_purpose purpose)
{
	const char	*tok, *pw;
	size_t		 pwlen = 0;

	if (!csrf_ok(req) || (tok = token_ok(req)) == NULL)
		return;
	pw = req_json_str(req, "password", &pwlen);
	if (!password_ok(req, pw, pwlen))
		return;
	consume_login(req, purpose, tok, pw, pwlen);
}

static void
verify(struct req *req)
{
	choose_password(req, STORE_VERIFY);
}

/* ---- login and logout ---- */

struct login {
	const char		*old_hash;	/* the request's session */
	const struct auth_fresh	*fresh;
	long long		 user_id, now;
};

/* A new session at every login, and the one the browser had is ended:
 * a token planted before login is worth nothing after. */
static int
login_tx(struct store_tx *tx, void *arg)
{
	struct login	*a = arg;
	int		 r;

	if (a->old_hash && (r = stx_session_delete(tx, a->old_hash)) !=
	    STORE_OK)
		return r;
	return stx_session_create(tx, a->fresh->hash, a->user_id,
	    a->fresh->csrf, a->now, a->now + auth_session_max());
}

static void
login(struct req *req)
{
	struct store_user u;
	struct auth_fresh f;
	struct login	 a;
	char		 email[MAIL_ADDRESS_MAX + 1], ip[64];
	const char	*raw, *pw;
	size_t		 rawlen = 0, pwlen = 0;
	long		 wait;
	int		 rc, found, v;

	memset(&u, 0, sizeof(u));
	if (!csrf_ok(req))
		return;
	if ((raw = req_json_str(req, "email", &rawlen)) == NULL ||
	    (pw = req_json_str(req, "password", &pwlen)) == NULL) {
		resp_error(req, 400, "bad_request", "Give an e-mail address "
		    "and a password.");
		return;
	}
	/* A malformed address is an unknown account like any other; its
	 * throttling key is what was typed, in lower case. */
	if (!mail_address_normalize(raw, email)) {
		snprintf(email, sizeof(email), "%.*s", MAIL_ADDRESS_MAX, raw);
		for (char *p = email; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	ip_key(req, ip, sizeof(ip));
	if ((wait = auth_throttle_wait(email, ip, auth_now_ms())) > 0) {
		wipe_password(req, pw, pwlen);
		resp_rate_limited(req, (int)wait, "Too many failed logins; "
		    "try again in %ld seconds.", wait);
		return;
	}
	rc = store_user_by_email(req->app->store, email, &u);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		resp_store_error(req, rc);
		return;
	}
	found = rc == STORE_OK;
	v = auth_password_verify(found ? u.password_hash : NULL, pw, pwlen);
	wipe_password(req, pw, pwlen);
	if (v == AUTH_BUSY || v == AUTH_ERROR) {
		if (v == AUTH_BUSY)
			answer_busy(req);
		else
			resp_store_error(req, STORE_ERROR);
		goto out;
	}
	if (v != AUTH_OK) {
		/* the time after the hash: the block starts when the answer
		 * leaves, not when the request came */
		auth_throttle_failed(email, ip, auth_now_ms());
		resp_error(req, 401, "invalid_credentials", "Wrong e-mail "
		    "address or password.");
		goto out;
	}
	if (u.disabled) {
		resp_error(req, 403, "account_disabled", "This account is "
		    "disabled.");
		goto out;
	}
	if (u.verified_at == 0) {
		resp_error(req, 403, "unverified", "Confirm your e-mail "
		    "address first: open the link we sent you.");
		goto out;
	}
	auth_throttle_succeeded(email);
	if (!auth_fresh_session(&f)) {
		resp_store_error(req, STORE_ERROR);
		goto out;
	}
	a.old_hash = req->session_hash;
	a.fresh = &f;
	a.user_id = u.id;
	a.now = auth_now();
	if ((rc = store_write(req->app->store, login_tx, &a)) == STORE_OK)
		answer_logged_in(req, &u, &f);
	else
		resp_store_error(req, rc);
	explicit_bzero(&f, sizeof(f));
out:
	store_user_free(&u);
}

static void
logout(struct req *req)
{
	int	 rc;

	if (!csrf_ok(req))
		return;
	if (req->session_hash && (rc = store_session_delete(req->app->store,
	    req->session_hash)) != STORE_OK) {
		resp_store_error(req, rc);
		return;
	}
	auth_clear_cookie(req);
	resp_json(req, 200, json_pack("{s:s}", "status", "logged_out"));
}

static void
logout_everywhere(struct req *req)
{
	int	 rc;

	if (req->user_id == 0) {
		resp_error(req, 401, "unauthenticated", "Log in first.");
		return;
	}
	if (!csrf_ok(req))
		return;
	if ((rc = store_session_delete_user(req->app->store, req->user_id)) !=
	    STORE_OK) {
		resp_store_error(req, rc);
		return;
	}
	auth_clear_cookie(req);
	resp_json(req, 200, json_pack("{s:s}", "status", "logged_out"));
}

/*
 * GET /auth/me: who is logged in.  "Nobody" is an answer, not an error:
 * without a (live) session it is 200 {"user": null}, so a page that asks
 * on behalf of a visitor gets no 4xx (which browsers log as a console
 * error).  Routes that need a session still answer 401.  A database that
 * cannot be read is a 5xx, never "nobody": the page must not forget a
 * session that still exists.
 */
static void
me(struct req *req)
{
	struct store_user u;
	struct store_session s;
	int		 rc;

	resp_no_store(req);
	rc = req->user_id == 0 || req->session_hash == NULL ? STORE_NOTFOUND :
	    store_session_get(req->app->store, req->session_hash, &s);
	if (rc != STORE_OK) {
		if (rc == STORE_NOTFOUND)
			resp_json(req, 200, json_pack("{s:n}", "user"));
		else
			resp_store_error(req, rc);
		return;
	}
	if ((rc = store_user_by_id(req->app->store, req->user_id, &u)) !=
	    STORE_OK) {
		explicit_bzero(s.csrf, sizeof(s.csrf));
		if (rc == STORE_NOTFOUND)
			resp_json(req, 200, json_pack("{s:n}", "user"));
		else
			resp_store_error(req, rc);
		return;
	}
	resp_json(req, 200, json_pack("{s:o, s:s}", "user", user_json(&u),
	    "csrf", s.csrf));
	explicit_bzero(s.csrf, sizeof(s.csrf));
	store_user_free(&u);
}

/* ---- reset and magic links ---- */

struct mailed {
	const char		*email, *token_hash;
	enum store_purpose	 purpose;
	long long		 now, ttl;
	struct store_message	 mail;
};

/* Looks the address up inside the write, so known and unknown addresses
 * cost the same commit; only a live account gets the token and mail. */
static int
mailed_tx(struct store_tx *tx, void *arg)
{
	struct mailed	*a = arg;
	struct store_user u;
	int		 r;

	r = stx_user_by_email(tx, a->email, &u);
	if (r == STORE_NOTFOUND)
		return STORE_OK;
	if (r != STORE_OK)
		return r;
	if (u.disabled) {
		store_user_free(&u);
		return STORE_OK;
	}
	r = stx_token_add(tx, a->token_hash, a->purpose, u.id, a->now,
	    a->now + a->ttl);
	store_user_free(&u);
	if (r != STORE_OK)
		return r;
	return stx_outbox_add(tx, &a->mail, a->now);
}

static void
send_link(struct req *req, enum store_purpose purpose, enum mail_kind kind,
    long long ttl)
{
	struct mailed	 a;
	char		 email[MAIL_ADDRESS_MAX + 1], tok[TOKEN_HEX + 1];
	char		 th[TOKEN_HEX + 1], *title, *base;
	int		 rc = STORE_ERROR;

	memset(&a, 0, sizeof(a));
	if (!csrf_ok(req) || !email_ok(req, email))
		return;
	title = site_title(req);
	base = link_base(req);
	if (token_new(tok) && mail_account(&a.mail, kind, email, NULL, title,
	    base, tok)) {
		token_hash(th, tok, TOKEN_HEX);
		a.email = email;
		a.token_hash = th;
		a.purpose = purpose;
		a.now = auth_now();
		a.ttl = ttl;
		rc = store_write(req->app->store, mailed_tx, &a);
	}
	if (rc == STORE_OK)
		answer_accepted(req);
	else
		resp_store_error(req, rc);
	explicit_bzero(tok, sizeof(tok));
	if (a.mail.body)
		explicit_bzero(a.mail.body, strlen(a.mail.body));
	store_message_free(&a.mail);
	free(title);
	free(base);
}

static void
reset(struct req *req)
{
	send_link(req, STORE_RESET, MAIL_RESET, AUTH_RESET_TTL);
}

static void
magic(struct req *req)
{
	if (!catalog_flag(req, "magic_link")) {
		resp_error(req, 403, "magic_link_disabled", "This site does "
		    "not offer login by e-mail link.");
		return;
	}
	send_link(req, STORE_MAGIC, MAIL_MAGIC, AUTH_MAGIC_TTL);
}

/* Uses a verify, reset or magic token and logs in with a new session; for
 * verify and reset, pw (pwlen bytes) is the new password. */
static void
consume_login(struct req *req, enum store_purpose purpose, const char *tok,
    const char *pw, size_t pwlen)
{
	struct consume	 a;
	struct auth_fresh f;
	char		 th[TOKEN_HEX + 1], *hash = NULL;
	long long	 uid;
	int		 rc;

	memset(&a, 0, sizeof(a));
	token_hash(th, tok, TOKEN_HEX);
	if (pw) {
		/* Check the token with a read before paying for a hash. */
		rc = store_token_check(req->app->store, th, purpose,
		    auth_now(), &uid);
		if (rc != STORE_OK) {
			answer_consume(req, &a, rc);
			return;
		}
		rc = auth_password_hash(pw, pwlen, &hash);
		wipe_password(req, pw, pwlen);
		switch (rc) {
		case AUTH_OK:
			break;
		case AUTH_BUSY:
			answer_busy(req);
			return;
		default:
			resp_store_error(req, STORE_ERROR);
			return;
		}
	}
	if (!auth_fresh_session(&f)) {
		free(hash);
		resp_store_error(req, STORE_ERROR);
		return;
	}
	a.token_hash = th;
	a.purpose = purpose;
	a.now = auth_now();
	a.password_hash = hash;
	a.session = &f;
	if ((rc = store_write(req->app->store, consume_tx, &a)) == STORE_OK) {
		auth_throttle_succeeded(a.user.email);
		answer_logged_in(req, &a.user, &f);
	} else
		answer_consume(req, &a, rc);
	explicit_bzero(&f, sizeof(f));
	store_user_free(&a.user);
	free(hash);
}

static void
reset_confirm(struct req *req)
{
	choose_password(req, STORE_RESET);
}

static void
magic_consume(struct req *req)
{
	const char	*tok;

	if (!catalog_flag(req, "magic_link")) {
		resp_error(req, 403, "magic_link_disabled", "This site does "
		    "not offer login by e-mail link.");
		return;
	}
	if (!csrf_ok(req) || (tok = token_ok(req)) == NULL)
		return;
	consume_login(req, STORE_MAGIC, tok, NULL, 0);
}

#define W	(ROUTE_JSON | ROUTE_CSRF | ROUTE_LIMITED)

const struct route account_routes[] = {
	{ "POST", "/auth/signup", signup, W },
	{ "POST", "/auth/verify", verify, W },
	{ "POST", "/auth/login", login, W },
	{ "POST", "/auth/logout", logout, ROUTE_CSRF | ROUTE_LIMITED },
	{ "POST", "/auth/logout-everywhere", logout_everywhere,
	    ROUTE_AUTH | ROUTE_CSRF | ROUTE_LIMITED },
	{ "GET", "/auth/me", me, 0 },
	{ "POST", "/auth/reset", reset, W },
	{ "POST", "/auth/reset/confirm", reset_confirm, W },
	{ "POST", "/auth/magic", magic, W },
	{ "POST", "/auth/magic/consume", magic_consume, W },
	{ NULL, NULL, NULL, 0 },
};
