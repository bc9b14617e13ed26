/*
 * ticketmail: the messages tickets send, built as outbox rows (struct
 * store_message) that the caller writes with stx_outbox_add in the same
 * transaction as the change they announce.
 *
 * To the customer: "we received it", "confirm your address" (anonymous
 * tickets), a staff reply, a status change (with the one-click rating
 * links when solved).  To staff: a mail to settings.support_email with
 * Reply-To the customer, plain text and an HTML alternative, every field
 * and links to the attachments; and/or a webhook row (JSON, signed by the
 * outbox at delivery: see outbox.c and docs/tickets.md).
 */
#ifndef PORCHD_TICKETMAIL_H
#define PORCHD_TICKETMAIL_H

#include <jansson.h>

struct store_message;

/* What the messages say about a ticket (all borrowed). */
struct ticket_info {
	const char	*ref, *type, *type_label, *subject, *status;
	const char	*priority, *email, *source_url;
	json_t		*fields;	/* NAME -> value, or NULL */
	json_t		*schema;	/* the type's field list (labels), or NULL */
	json_t		*context;	/* or NULL */
	json_t		*attachments;	/* [{id, name, type, size, url}], or NULL */
	long long	 created_at;
};

enum ticketmail_kind {
	TICKETMAIL_RECEIVED,	/* customer: we have your ticket */
	TICKETMAIL_CONFIRM,	/* customer: confirm the address (token) */
	TICKETMAIL_REPLY,	/* customer: staff wrote (text) */
	TICKETMAIL_STATUS,	/* customer: new status (token: rating) */
	TICKETMAIL_STAFF_NEW,	/* staff: a new ticket */
	TICKETMAIL_STAFF_COMMENT /* staff: the customer wrote (text) */
};

/*
 * Fills m (zeroed first; the caller frees it with store_message_free)
 * with the mail of kind to address to.  site is the site's title, base
 * the public URL that links start with, text the comment or reply (or
 * NULL), token the secret of a confirm or rating link (or NULL).
 * Returns 1, or 0 when out of memory.
 */
int	 ticketmail_mail(struct store_message *m, enum ticketmail_kind kind,
	     const char *to, const char *site, const char *base,
	     const struct ticket_info *t, const char *text,
	     const char *token);

/*
 * Fills m with a webhook row for url: the JSON body {"event", "ticket",
 * "comment"?, "sent_by": "porchd"}; event is "ticket.created",
 * "ticket.comment", ...  Returns 1, or 0 when out of memory.
 */
int	 ticketmail_webhook(struct store_message *m, const char *url,
	     const char *event, const struct ticket_info *t,
	     const char *text);

/* The ticket as the webhook and the CLI's --json show it (new). */
json_t	*ticketmail_json(const struct ticket_info *t);

#endif
