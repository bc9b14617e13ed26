/*
 * mail: the e-mails porchd sends, from the outbox row to the RFC 5322
 * text handed to the SMTP relay or sendmail.
 *
 * Nothing a customer typed goes into a header unchecked: addresses are
 * validated (a plain local@domain in ASCII, no quoting, no comments), and
 * every other header value (subject, display names, extra headers) has
 * its CR, LF and other control characters replaced by spaces and is
 * RFC 2047-encoded when not plain ASCII.  Bodies are UTF-8 text sent as
 * quoted-printable with CRLF line ends.
 */
#ifndef PORCHD_MAIL_H
#define PORCHD_MAIL_H

#include <stddef.h>

struct store_message;

#define MAIL_ADDRESS_MAX	254
#define MAIL_SUBJECT_MAX	200	/* bytes kept of a subject */

/* 1 if addr is an address porchd will send to: local@domain, ASCII,
 * local part of atext and dots, domain of letters, digits and hyphens. */
int	 mail_address_ok(const char *addr);
/* Copies in to out (MAIL_ADDRESS_MAX + 1 bytes) without surrounding
 * blanks and in lower case; returns 1 if the result is a valid address. */
int	 mail_address_normalize(const char *in, char *out);
/* A heap copy of s for a header: controls (CR, LF, tab, DEL, ...) become
 * spaces, invalid UTF-8 becomes '?', at most max bytes (cut at a
 * character boundary).  NULL when out of memory. */
char	*mail_header_clean(const char *s, size_t max);
/* A new message id: 32 random hex characters plus a NUL; 1/0. */
int	 mail_message_id(char out[33]);

/*
 * The whole message for outbox row m (kind "mail"), From: from (an
 * address, or "Name <address>"): headers with Message-ID <id@porch>,
 * Date of the row's creation, MIME headers, then the body as
 * quoted-printable.  The row's headers JSON may add X-Porch-* headers,
 * "Reply-To" (an address) and "html": a text/html alternative of the body
 * (the message is then multipart/alternative; tickets' staff mails).
 * Returns a heap string the caller frees, or NULL with
 * *err pointing to a static reason (invalid address, out of memory).
 * *env_from gets the bare sender address for the SMTP envelope (heap).
 */
char	*mail_compose(const struct store_message *m, const char *from,
	     char **env_from, const char **err);

/* A heap copy of body with the secret of every "token=HEX" link cut out:
 * the outbox keeps delivered mails, and a copy of the database must not
 * hold live links.  NULL when out of memory. */
char	*mail_redact(const char *body);

/* What the account mails say. */
enum mail_kind {
	MAIL_VERIFY,		/* confirm the address of a new account */
	MAIL_SIGNUP_EXISTS,	/* someone signed up with a known address */
	MAIL_RESET,		/* choose a new password */
	MAIL_MAGIC		/* log in by link */
};

/*
 * Fills m (heap strings; free with store_message_free) with an account
 * mail of kind to address to: name greets the customer (may be NULL or
 * empty), site names the help site (NULL: "the help site"), base is
 * settings.public_url and token the secret for the link (NULL for
 * MAIL_SIGNUP_EXISTS).  Returns 1, or 0 when out of memory.
 */
int	 mail_account(struct store_message *m, enum mail_kind kind,
	     const char *to, const char *name, const char *site,
	     const char *base, const char *token);

#endif
