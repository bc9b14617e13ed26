/*
 * store_votes: what porchd keeps for votes, "was this helpful?", search
 * misses, shipped-item notices and unsubscribes (store_votes.c), and the
 * read-only queries of `porchd report` (store_reports.c).  The conventions
 * of store.h hold: stx_* run inside store_write on the writer thread,
 * store_* are reads on a pooled connection; results are enum store_rc.
 */
#ifndef PORCHD_STORE_VOTES_H
#define PORCHD_STORE_VOTES_H

#include "store.h"

/*
 * Sets the vote of user on item: on != 0 adds it, 0 takes it back.  A
 * vote already in that state changes nothing; otherwise one vote_events
 * row records the toggle.  *delta gets +1, -1 or 0 (nothing changed).
 */
int	 stx_vote_set(struct store_tx *, const char *item, long long user_id,
	     int on, long long now, int *delta);
/* Calls fn(item, count, arg) for every item with at least one vote; stops
 * when fn returns 0. */
int	 store_vote_counts(struct store *,
	     int (*fn)(const char *, long long, void *), void *arg);
/* Calls fn(item, arg) for every item user votes for, in item order. */
int	 store_votes_of(struct store *, long long user_id,
	     int (*fn)(const char *, void *), void *arg);
/* 1 in *verified when user exists, is enabled and verified (a read). */
int	 store_vote_allowed(struct store *, long long user_id, int *verified);

/* "Was this helpful?": one answer per page and client, replaced by a
 * later one (comment may be "" but not NULL). */
int	 stx_feedback_put(struct store_tx *, const char *page, int helpful,
	     const char *comment, const char *client, long long now);
/* Counts one zero-result search for an already normalised query. */
int	 stx_search_miss(struct store_tx *, const char *query, long long now);

/*
 * Shipped items.  stx_shipped_known gives STORE_OK when item has a row
 * (its voters were told, or it was recorded without mail), else
 * STORE_NOTFOUND.  stx_shipped_add records it with the number of mails
 * queued.
 */
int	 stx_shipped_known(struct store_tx *, const char *item);
int	 stx_shipped_add(struct store_tx *, const char *item,
	     const char *version, long long mails, long long now);
/*
 * Calls fn(address, name, arg) once per distinct address (lower case) to
 * tell that item shipped: the verified, enabled accounts that vote for
 * it and the addresses of tickets linked to it (tickets.roadmap_id),
 * without the unsubscribed ones.  name may be NULL.  fn returns a store
 * result; anything but STORE_OK stops the walk and is returned.
 */
int	 stx_shipped_recipients(struct store_tx *, const char *item,
	     int (*fn)(const char *, const char *, void *), void *arg);
/* A flag of this database (key "catalog_seen", ...): *value 0 when
 * unset; and setting it. */
int	 stx_flag_get(struct store_tx *, const char *key, long long *value);
int	 stx_flag_set(struct store_tx *, const char *key, long long value);

/* Unsubscribe tokens, by the hex SHA-256 of the mailed token. */
int	 stx_unsub_token_add(struct store_tx *, const char *hash,
	     const char *email, long long now);
/* Unsubscribes the address of token hash: STORE_NOTFOUND when unknown.
 * Doing it twice is fine (STORE_OK). */
int	 stx_unsubscribe(struct store_tx *, const char *hash, long long now);
/* 1 in *yes when email is unsubscribed (tests, reports). */
int	 store_unsubscribed(struct store *, const char *email, int *yes);

/*
 * The reports (store_reports.c).  Each calls row(ncols, names, values,
 * numeric, arg) per result row: values are text (NULL for SQL NULL),
 * numeric[i] says whether column i holds a number.  since is a Unix time
 * (rows older are left out), limit caps the rows (0: no cap).  row
 * returns 0 to stop.
 */
enum store_report {
	REPORT_VOTES,		/* item, votes, added, removed, net (since) */
	REPORT_VOTE_DAYS,	/* day, added, removed: one row per day */
	REPORT_FEEDBACK,	/* page, yes, no, helpful_pct, comments */
	REPORT_MISSES,		/* query, count, first_at, last_at */
	REPORT_TICKET_SEARCHES,	/* query, tickets */
	REPORT_DEFLECTION,	/* tickets, with_suggestions, opened, ... */
	REPORT_OPENED_THEN_TICKET /* url, tickets */
};
typedef int (*store_row_fn)(int, const char *const *, const char *const *,
	     const int *, void *);
int	 store_report_run(struct store *, enum store_report, long long since,
	     int limit, store_row_fn row, void *arg);

#endif
