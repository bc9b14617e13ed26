/*
 * store: everything porchd keeps, behind one interface so that a PostgreSQL
 * backend can come later without touching the handlers.  The SQLite
 * implementation (store.c, the only file that includes sqlite3.h) runs in
 * WAL mode with synchronous=FULL, one writer thread that commits queued
 * writes in groups, readers with a busy timeout, prepared statements only,
 * and schema migrations by PRAGMA user_version.  A write function returns
 * only after its COMMIT did: nothing acknowledged is ever lost.
 *
 * The domain functions (accounts, sessions, tokens, outbox, ...) are
 * declared below by the features that need them.
 *
 * Writes.  A feature that changes several things at once (a new account,
 * its verification token and the mail that carries it) writes a function
 * that takes a struct store_tx and calls the stx_* functions, and hands it
 * to store_write.  The function runs on the writer thread inside a
 * savepoint of the group's transaction: it must not block (hash passwords
 * before), must not call store_write or the reading store_* functions, and
 * must be safe to run again.  When it returns anything but STORE_OK, its
 * changes are rolled back and the other writes of the group are kept.
 * Times are Unix seconds the caller passes in, so tests can move the clock.
 */
#ifndef PORCHD_STORE_H
#define PORCHD_STORE_H

#include <stddef.h>

struct store;
struct store_tx;

/* The schema version this binary creates and understands. */
#define STORE_SCHEMA_VERSION	4
/* Most writes one transaction commits together. */
#define STORE_GROUP_MAX		256

/* Results of the domain functions; compare by name, never by truth. */
enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND,		/* no such row (or token expired or used) */
	STORE_EXISTS,		/* a unique value is taken (e-mail) */
	STORE_BUSY,		/* another process held the lock too long */
	STORE_ERROR		/* anything else; logged by store.c */
};

/* Opens (creating, migrating) the database at path; on failure returns
 * NULL and sets *err to a heap message. */
struct store	*store_open(const char *path, char **err);
/* As store_open, but migrates no further than version max (tests: an
 * older binary); a database newer than max is refused the same way. */
struct store	*store_open_version(const char *path, int max, char **err);
/* Waits for queued writes, then closes. */
void		 store_close(struct store *);
/* 1 if a read works now (for /healthz). */
int		 store_ping(struct store *);
/* The database's PRAGMA user_version, or -1. */
int		 store_version(struct store *);

/*
 * Runs fn(tx, arg) on the writer thread in the next group transaction and
 * returns its result once that transaction committed (or STORE_ERROR /
 * STORE_BUSY when the commit failed: then nothing of fn stayed).
 */
int	 store_write(struct store *, int (*fn)(struct store_tx *, void *),
	     void *arg);
/* Caps the writes per transaction (1 = one commit per write, for the
 * benchmark); n is clamped to 1..STORE_GROUP_MAX. */
void	 store_set_group_max(struct store *, int n);
/* Counters since open: transactions committed and writes in them. */
void	 store_stats(struct store *, unsigned long *commits,
	     unsigned long *writes);
/* Writes queued and not yet taken by the writer (tests, metrics). */
int	 store_pending(struct store *);
/* fn(arg) runs on the writer thread after every commit that added an
 * outbox row (the delivery worker's wake-up), with the store's lock held:
 * it must only signal, never call the store.  NULL removes it; once
 * store_on_outbox returns, the old fn is not running. */
void	 store_on_outbox(struct store *, void (*fn)(void *), void *arg);

/* Accounts.  Addresses are stored lower-case; lookups lower-case too. */
struct store_user {
	long long	 id;
	char		*email;
	char		*name;
	char		*password_hash;	/* argon2 encoded, or NULL: none set */
	long long	 verified_at;	/* 0: not verified */
	int		 disabled;
	long long	 created_at;
};
/* Frees what u holds (not u itself) and zeroes it. */
void	 store_user_free(struct store_user *u);

int	 store_user_by_email(struct store *, const char *email,
	     struct store_user *out);
int	 store_user_by_id(struct store *, long long id,
	     struct store_user *out);
/* Calls fn for every account in id order until it returns 0. */
int	 store_user_list(struct store *,
	     int (*fn)(const struct store_user *, void *), void *arg);

int	 stx_user_create(struct store_tx *, const char *email,
	     const char *name, const char *password_hash,
	     long long verified_at, long long now, long long *id);
int	 stx_user_by_email(struct store_tx *, const char *email,
	     struct store_user *out);
int	 stx_user_by_id(struct store_tx *, long long id,
	     struct store_user *out);
int	 stx_user_set_password(struct store_tx *, long long id,
	     const char *password_hash);
/* Sets verified_at to now unless already set. */
int	 stx_user_verify(struct store_tx *, long long id, long long now);
int	 stx_user_set_disabled(struct store_tx *, long long id, int disabled);

/* One-call writes for the simple cases. */
int	 store_user_create(struct store *, const char *email,
	     const char *name, const char *password_hash,
	     long long verified_at, long long now, long long *id);

/* Sessions, keyed by the hex SHA-256 of the cookie's token. */
struct store_session {
	long long	 user_id;
	char		 csrf[65];
	long long	 created_at;
	long long	 last_seen;
	long long	 expires_at;	/* absolute end */
	int		 user_disabled;
};

int	 store_session_get(struct store *, const char *hash,
	     struct store_session *out);
int	 stx_session_create(struct store_tx *, const char *hash,
	     long long user_id, const char *csrf, long long now,
	     long long expires_at);
int	 stx_session_delete(struct store_tx *, const char *hash);
/* Deletes every session of the account (logout everywhere, password
 * change, disable); also drops the account's expired sessions. */
int	 stx_session_delete_user(struct store_tx *, long long user_id);
/* Drops sessions whose absolute end passed or idle since before
 * idle_before. */
int	 stx_session_prune(struct store_tx *, long long now,
	     long long idle_before);
int	 store_session_create(struct store *, const char *hash,
	     long long user_id, const char *csrf, long long now,
	     long long expires_at);
int	 store_session_touch(struct store *, const char *hash, long long now);
int	 store_session_delete(struct store *, const char *hash);
int	 store_session_delete_user(struct store *, long long user_id);

/* Deletes dead sessions (past their end, or unused since idle_before)
 * and tokens expired for a day; the counts in *sessions and *tokens (may
 * be NULL).  The outbox worker calls it hourly. */
int	 store_prune(struct store *, long long now, long long idle_before,
	     long long *sessions, long long *tokens);

/* Single-use tokens mailed to customers, keyed by hex SHA-256. */
enum store_purpose {
	STORE_VERIFY,
	STORE_RESET,
	STORE_MAGIC
};

int	 stx_token_add(struct store_tx *, const char *hash,
	     enum store_purpose, long long user_id, long long now,
	     long long expires_at);
/* Marks an unused, unexpired token of that purpose used and gives its
 * account; STORE_NOTFOUND for unknown, used or expired tokens. */
int	 stx_token_consume(struct store_tx *, const char *hash,
	     enum store_purpose, long long now, long long *user_id);
/* The same test without using the token (a read). */
int	 store_token_check(struct store *, const char *hash,
	     enum store_purpose, long long now, long long *user_id);

/* The outbox: mails and webhooks waiting for delivery. */
struct store_message {
	long long	 id;
	char		*message_id;	/* stable: the Message-ID's left part */
	char		*kind;		/* "mail" or "webhook" */
	char		*recipient;	/* address or URL */
	char		*subject;
	char		*body;
	char		*headers;	/* JSON object */
	long long	 created_at;
	long long	 attempts;
	long long	 next_attempt_at;
	long long	 delivered_at;	/* 0: not yet */
	char		*last_error;	/* or NULL */
};
void	 store_message_free(struct store_message *);

/* Adds a message due now; the fields of m other than the strings are
 * ignored.  message_id must be unique. */
int	 stx_outbox_add(struct store_tx *, const struct store_message *m,
	     long long now);
int	 store_outbox_add(struct store *, const struct store_message *m,
	     long long now);
/* Marks a message delivered; body, when not NULL, replaces the stored
 * body (the secret links cut out, mail_redact). */
int	 store_outbox_delivered(struct store *, long long id, long long now,
	     const char *body);
/* Counts a failed attempt: next try at next, error remembered. */
int	 store_outbox_retry(struct store *, long long id, long long next,
	     const char *error);
/* Fills out[0..limit) with undelivered messages due at now, oldest due
 * first, and sets *n to how many; the caller frees each with
 * store_message_free. */
int	 store_outbox_due(struct store *, long long now, int limit,
	     struct store_message *out, int *n);
/* The earliest next_attempt_at of an undelivered message in *when, or
 * STORE_NOTFOUND when all are delivered. */
int	 store_outbox_next(struct store *, long long *when);
/* Calls fn for every message in id order (tests, operators). */
int	 store_outbox_list(struct store *,
	     int (*fn)(const struct store_message *, void *), void *arg);

#endif
