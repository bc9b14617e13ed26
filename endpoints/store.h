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
/*
 * As store_open, for the server: when the database cannot be opened for
 * writing (read-only storage, no permission) but it exists, reads, and
 * has this binary's schema, returns a store that serves reads, answers
 * every write STORE_BUSY, and opens the database for writing as soon as
 * it can (it tries every few seconds and at each write).
 * store_writable says which state it is in.
 */
struct store	*store_open_degradable(const char *path, char **err);
/* 1 when writes can be tried; else 0, with why the database cannot be
 * written in why (when given). */
int		 store_writable(struct store *, char *why, size_t len);
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

/* Tickets (store_tickets.c).  Strings are heap copies the free functions
 * release; times are Unix seconds, 0 for "not yet". */
struct store_ticket {
	long long	 id;
	char		*ref;		/* "SKY-1001" */
	long long	 user_id;	/* 0: anonymous */
	char		*email;
	char		*type;
	char		*subject;
	char		*fields;	/* JSON object */
	char		*status;
	char		*priority;
	char		*assignee;	/* or NULL */
	char		*roadmap_id;	/* or NULL */
	char		*source_url;	/* or NULL */
	char		*context;	/* JSON object */
	char		*csat;		/* "good", "bad" or NULL */
	char		*csat_comment;	/* or NULL */
	long long	 created_at, updated_at, solved_at;
	long long	 first_response_at;
};
void	 store_ticket_free(struct store_ticket *);

/* What a new ticket is made of (borrowed strings). */
struct store_ticket_new {
	const char	*prefix;	/* tickets.prefix: refs PREFIX-1001... */
	long long	 user_id;	/* 0: anonymous */
	const char	*email, *type, *subject, *fields, *status;
	const char	*priority, *source_url, *context;
	const char	*idempotency_key;	/* or NULL */
};
/*
 * Adds a ticket numbered after the highest so far (PREFIX-1001 first);
 * *id and ref (64 bytes) get its id and ref.  With an idempotency key
 * already used by the same address, nothing is added: *replayed is set
 * and *id and ref are those of the first ticket.
 */
int	 stx_ticket_create(struct store_tx *, const struct store_ticket_new *,
	     long long now, long long *id, char ref[64], int *replayed);
int	 stx_ticket_by_ref(struct store_tx *, const char *ref,
	     struct store_ticket *out);
int	 stx_ticket_by_id(struct store_tx *, long long id,
	     struct store_ticket *out);
int	 store_ticket_by_ref(struct store *, const char *ref,
	     struct store_ticket *out);
/* Sets status (and solved_at when "solved", confirmed_at when leaving
 * "unconfirmed") and updated_at. */
int	 stx_ticket_set_status(struct store_tx *, long long id,
	     const char *status, long long now);
/* Sets one of the columns "assignee", "roadmap_id", "priority" (NULL
 * value: none) and updated_at. */
int	 stx_ticket_set(struct store_tx *, long long id, const char *column,
	     const char *value, long long now);
/* Stores a rating (and comment, NULL keeps the one stored). */
int	 stx_ticket_rate(struct store_tx *, long long id, const char *rating,
	     const char *comment, long long now);

/* Filters of store_ticket_list; zero/NULL members match anything. */
struct store_ticket_filter {
	long long	 user_id;	/* only this account's tickets */
	const char	*status;
	const char	*type;
	long long	 since;		/* created at or after */
	int		 newest_update;	/* order: updated_at desc, else id */
};
/* Calls fn for every matching ticket until it returns 0. */
int	 store_ticket_list(struct store *, const struct store_ticket_filter *,
	     int (*fn)(const struct store_ticket *, void *), void *arg);

struct store_ticket_event {
	long long	 id, ticket_id;
	char		*author;	/* customer, staff, system */
	char		*author_name;
	char		*kind;		/* comment, status, ... */
	char		*body;
	long long	 created_at;
};
void	 store_ticket_event_free(struct store_ticket_event *);
/* Adds an event and touches the ticket's updated_at (and, for a staff
 * comment, first_response_at). */
int	 stx_ticket_event_add(struct store_tx *, long long ticket_id,
	     const char *author, const char *author_name, const char *kind,
	     const char *body, long long now, long long *id);
int	 store_ticket_events(struct store *, long long ticket_id,
	     int (*fn)(const struct store_ticket_event *, void *), void *arg);

struct store_attachment {
	long long	 id, ticket_id, event_id;	/* event 0: the ticket */
	char		*name;		/* the customer's file name */
	char		*stored;	/* the server's file name */
	char		*type;		/* MIME type */
	long long	 size;
	char		*sha256;
	char		*key;		/* hex secret of the staff link */
	long long	 created_at;
};
void	 store_attachment_free(struct store_attachment *);
int	 stx_attachment_add(struct store_tx *, const struct store_attachment *,
	     long long now, long long *id);
int	 store_attachments(struct store *, long long ticket_id,
	     int (*fn)(const struct store_attachment *, void *), void *arg);
int	 stx_attachments(struct store_tx *, long long ticket_id,
	     int (*fn)(const struct store_attachment *, void *), void *arg);
int	 store_attachment_get(struct store *, long long ticket_id,
	     long long id, struct store_attachment *out);

/* Ticket tokens ("confirm", "rate"), keyed by hex SHA-256. */
int	 stx_ticket_token_add(struct store_tx *, const char *hash,
	     const char *purpose, long long ticket_id, long long now,
	     long long expires_at);
/* The ticket of an unexpired token of that purpose; consume marks it
 * used (and refuses a used one). */
int	 stx_ticket_token_get(struct store_tx *, const char *hash,
	     const char *purpose, long long now, int consume,
	     long long *ticket_id);
/* Drops the ticket's tokens of that purpose (a reopened ticket's rating
 * links). */
int	 stx_ticket_tokens_drop(struct store_tx *, long long ticket_id,
	     const char *purpose);

#endif
