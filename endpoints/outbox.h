/*
 * outbox: the delivery worker.  Every mail or webhook porchd sends is
 * first an outbox row written in the same transaction as the change that
 * caused it (stx_outbox_add); this thread then delivers it: mail through
 * the SMTP relay of settings.smtp_url (libcurl) or the settings.sendmail
 * program, webhooks by HTTP POST.  A delivered row is marked delivered; a
 * failed one is tried again after 1 s, 2 s, 4 s ... (at most an hour,
 * with jitter) and keeps its last error.  Rows are never deleted.
 *
 * Delivery is at least once: a crash between sending and marking sends
 * again, with the same Message-ID (<message_id@porch>), so receivers can
 * drop the duplicate.
 *
 * The worker wakes when a commit adds a row (store_on_outbox), at the
 * next due time, and every OUTBOX_POLL seconds (rows other processes
 * added, such as `porchd users reset-password`).
 */
#ifndef PORCHD_OUTBOX_H
#define PORCHD_OUTBOX_H

struct outbox;
struct settings;
struct store;

#define OUTBOX_POLL		5	/* seconds between looks when idle */
#define OUTBOX_BACKOFF_MAX	3600	/* seconds */
#define OUTBOX_BATCH		16	/* rows taken per look */

/* Starts the worker for store st with the transport of cfg (which must
 * outlive it); NULL with *err (heap) on failure.  Call from the main
 * thread before other threads use libcurl (it runs curl_global_init). */
struct outbox	*outbox_start(struct store *st, const struct settings *cfg,
		     char **err);
/* Stops the worker after the delivery in progress; call before
 * store_close.  NULL is ignored. */
void		 outbox_stop(struct outbox *);
/* Wakes the worker (a row was added). */
void		 outbox_kick(struct outbox *);

/* Seconds to wait before the next try of a message that failed attempts
 * times (attempts >= 1): 2^(attempts-1), at most OUTBOX_BACKOFF_MAX, plus
 * up to a quarter more taken from rnd. */
long		 outbox_backoff(long long attempts, unsigned rnd);

#endif
