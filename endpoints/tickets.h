/*
 * tickets: the ticket routes of docs/api.md (ticket_routes, route.h) and
 * what the staff CLI (tickets_cli.c) shares with them: turning a stored
 * ticket into the mails and webhook rows that announce a change, inside
 * the transaction that makes the change.
 */
#ifndef PORCHD_TICKETS_H
#define PORCHD_TICKETS_H

#include <jansson.h>

#include "ticketmail.h"

struct settings;
struct store_tx;
struct store_ticket;

/* Seconds a mailed link stays good. */
#define TICKETS_CONFIRM_TTL	(7L * 24 * 3600)
#define TICKETS_RATE_TTL	(60L * 24 * 3600)

/* Where mails link to and what they say; all borrowed. */
struct tickets_env {
	const struct settings *cfg;	/* support_email, webhook_url */
	json_t		*cat;		/* the catalog (labels, schema) */
	const char	*site;		/* the site's title */
	const char	*base;		/* public URL of the site */
	const char	*api;		/* absolute URL of the API prefix */
};

/*
 * Adds to the outbox, in transaction tx, what tells staff about ticket t:
 * a mail to cfg->support_email (kind TICKETMAIL_STAFF_NEW or _COMMENT)
 * and a webhook row to cfg->webhook_url with event (either may be
 * unset).  text is the comment, or NULL.  Returns a STORE_ code.
 */
int	 tickets_tell_staff(struct store_tx *tx, const struct tickets_env *e,
	     const struct store_ticket *t, enum ticketmail_kind kind,
	     const char *event, const char *text);
/* Adds the customer's mail of kind about t (text, token as for
 * ticketmail_mail).  Returns a STORE_ code. */
int	 tickets_tell_customer(struct store_tx *tx,
	     const struct tickets_env *e, const struct store_ticket *t,
	     enum ticketmail_kind kind, const char *text, const char *token);
/* Adds only the webhook row of event (staff actions from the CLI). */
int	 tickets_webhook(struct store_tx *tx, const struct tickets_env *e,
	     const struct store_ticket *t, const char *event,
	     const char *text);
/* 1 if s is a ticket status. */
int	 tickets_status_ok(const char *s);

#endif
