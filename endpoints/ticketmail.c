/*
 * ticketmail: the mails and webhook rows of tickets (see ticketmail.h).
 *
 * Bodies are written with open_memstream.  Customer text only ever goes
 * into bodies (never into headers but the subject, which mail_compose
 * cleans), and into the HTML part escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "mail.h"
#include "store.h"
#include "ticketmail.h"

/* The label of field name in the type's schema, else the name. */
static const char *
field_label(const struct ticket_info *t, const char *name)
{
	json_t		*f;
	size_t		 i;
	const char	*l;

	json_array_foreach(t->schema, i, f)
		if (json_is_string(json_object_get(f, "name")) &&
		    strcmp(json_string_value(json_object_get(f, "name")),
		    name) == 0 && (l = json_string_value(json_object_get(f,
		    "label"))) != NULL)
			return l;
	return name;
}

/* A field's value as text ("yes" for a ticked checkbox). */
static const char *
value_text(json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "yes";
	return "no";
}

static void
html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\n': fputs("<br>\n", f); break;
		default: fputc(*s, f); break;
		}
}

/* The base URL without trailing slashes: its length. */
static int
base_len(const char *base)
{
	size_t	 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return (int)n;
}

/* The plain-text list of fields and attachments of t. */
static void
text_fields(FILE *f, const struct ticket_info *t)
{
	const char	*name;
	json_t		*v, *a;
	size_t		 i;

	json_object_foreach(t->fields, name, v) {
		if (strchr(value_text(v), '\n'))
			fprintf(f, "%s:\n%s\n\n", field_label(t, name),
			    value_text(v));
		else
			fprintf(f, "%s: %s\n", field_label(t, name),
			    value_text(v));
	}
	if (json_array_size(t->attachments) > 0) {
		fputs("\nAttachments:\n", f);
		json_array_foreach(t->attachments, i, a)
			fprintf(f, "- %s (%s, %lld bytes): %s\n",
			    json_string_value(json_object_get(a, "name")),
			    json_string_value(json_object_get(a, "type")),
			    (long long)json_integer_value(json_object_get(a,
			    "size")), json_string_value(json_object_get(a,
			    "url")));
	}
}

/* The HTML alternative of a staff mail. */
static void
html_staff(FILE *f, const struct ticket_info *t, const char *text,
    const char *view)
{
	const char	*name;
	json_t		*v, *a;
	size_t		 i;

	fputs("<!DOCTYPE html>\n<html><body>\n<h1>", f);
	html_esc(f, t->ref);
	fputs(": ", f);
	html_esc(f, t->subject);
	fputs("</h1>\n<p>", f);
	html_esc(f, t->type_label);
	fputs(" from <a href=\"mailto:", f);
	html_esc(f, t->email);
	fputs("\">", f);
	html_esc(f, t->email);
	fputs("</a>; priority ", f);
	html_esc(f, t->priority);
	fputs("</p>\n", f);
	if (text) {
		fputs("<h2>Comment</h2>\n<p>", f);
		html_esc(f, text);
		fputs("</p>\n", f);
	}
	fputs("<table>\n", f);
	json_object_foreach(t->fields, name, v) {
		fputs("<tr><th align=\"left\" valign=\"top\">", f);
		html_esc(f, field_label(t, name));
		fputs("</th><td>", f);
		html_esc(f, value_text(v));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (json_array_size(t->attachments) > 0) {
		fputs("<h2>Attachments</h2>\n<ul>\n", f);
		json_array_foreach(t->attachments, i, a) {
			fputs("<li><a href=\"", f);
			html_esc(f, json_string_value(json_object_get(a,
			    "url")));
			fputs("\">", f);
			html_esc(f, json_string_value(json_object_get(a,
			    "name")));
			fprintf(f, "</a> (%lld bytes)</li>\n",
			    (long long)json_integer_value(json_object_get(a,
			    "size")));
		}
		fputs("</ul>\n", f);
	}
	if (t->source_url) {
		fputs("<p>Sent from ", f);
		html_esc(f, t->source_url);
		fputs("</p>\n", f);
	}
	fputs("<p><a href=\"", f);
	html_esc(f, view);
	fputs("\">The ticket on the site</a></p>\n</body></html>\n", f);
}

/* Moves the finished pieces into m; 1, or 0 (m freed) on failure. */
static int
finish(struct store_message *m, const char *kind, const char *to,
    const char *subject, char *body, json_t *headers)
{
	char	 id[33];

	if (!mail_message_id(id)) {
		free(body);
		json_decref(headers);
		return 0;
	}
	m->message_id = strdup(id);
	m->kind = strdup(kind);
	m->recipient = strdup(to);
	m->subject = strdup(subject);
	m->body = body;
	m->headers = headers ? json_dumps(headers, JSON_COMPACT) :
	    strdup("{}");
	json_decref(headers);
	if (!m->message_id || !m->kind || !m->recipient || !m->subject ||
	    !m->body || !m->headers) {
		store_message_free(m);
		return 0;
	}
	return 1;
}

int
ticketmail_mail(struct store_message *m, enum ticketmail_kind kind,
    const char *to, const char *site, const char *base,
    const struct ticket_info *t, const char *text, const char *token)
{
	FILE		*f, *h = NULL;
	char		*body = NULL, *html = NULL, subject[400], view[1024];
	size_t		 blen, hlen;
	json_t		*headers;
	const char	*tag = "ticket";
	int		 bl;

	memset(m, 0, sizeof(*m));
	if (site == NULL || site[0] == '\0')
		site = "the help site";
	if (base == NULL)
		base = "";
	bl = base_len(base);
	snprintf(view, sizeof(view), "%.*s/tickets/view/?ref=%s", bl, base,
	    t->ref);
	if ((f = open_memstream(&body, &blen)) == NULL)
		return 0;
	if ((headers = json_object()) == NULL) {
		fclose(f);
		free(body);
		return 0;
	}
	json_object_set_new(headers, "X-Porch-Ticket", json_string(t->ref));
	switch (kind) {
	case TICKETMAIL_RECEIVED:
		tag = "ticket-received";
		snprintf(subject, sizeof(subject), "[%s] We received your "
		    "request: %s", t->ref, t->subject);
		fprintf(f, "Hello,\n\nThank you for writing to %s.  We have "
		    "your request %s (\"%s\") and will answer by e-mail.\n\n"
		    "You can follow it here: %s\n\nWhat you sent:\n\n", site,
		    t->ref, t->subject, view);
		text_fields(f, t);
		break;
	case TICKETMAIL_CONFIRM:
		tag = "ticket-confirm";
		snprintf(subject, sizeof(subject), "[%s] Please confirm your "
		    "request", t->ref);
		fprintf(f, "Hello,\n\nSomeone, probably you, sent a request to "
		    "%s with this e-mail address: \"%s\".\n\nTo send it to our "
		    "team, confirm your address by opening this link:\n\n"
		    "%.*s/tickets/confirm/?token=%s\n\nThe link works once and "
		    "expires in 7 days.  If it was not you, ignore this "
		    "message: nothing is sent without this confirmation.\n",
		    site, t->subject, bl, base, token ? token : "");
		break;
	case TICKETMAIL_REPLY:
		tag = "ticket-reply";
		snprintf(subject, sizeof(subject), "[%s] Re: %s", t->ref,
		    t->subject);
		fprintf(f, "Hello,\n\nThere is an answer to your request %s "
		    "(\"%s\"):\n\n%s\n\nTo reply, open %s\n", t->ref,
		    t->subject, text ? text : "", view);
		break;
	case TICKETMAIL_STATUS:
		tag = "ticket-status";
		snprintf(subject, sizeof(subject), "[%s] Your request is now "
		    "%s", t->ref, t->status);
		fprintf(f, "Hello,\n\nYour request %s (\"%s\") is now %s.\n",
		    t->ref, t->subject, t->status);
		if (text && text[0])
			fprintf(f, "\n%s\n", text);
		if (token)
			fprintf(f, "\nHow did we do?  One click is enough:\n\n"
			    "Good: %.*s/tickets/rate/?token=%s&rating=good\n"
			    "Bad:  %.*s/tickets/rate/?token=%s&rating=bad\n",
			    bl, base, token, bl, base, token);
		fprintf(f, "\nThe ticket: %s\n", view);
		break;
	case TICKETMAIL_STAFF_NEW:
	case TICKETMAIL_STAFF_COMMENT:
		tag = kind == TICKETMAIL_STAFF_NEW ? "ticket-staff-new" :
		    "ticket-staff-comment";
		snprintf(subject, sizeof(subject), "[%s] %s%s (%s)", t->ref,
		    kind == TICKETMAIL_STAFF_NEW ? "" : "New comment: ",
		    t->subject, t->type_label ? t->type_label : t->type);
		if (t->email && mail_address_ok(t->email))
			json_object_set_new(headers, "Reply-To",
			    json_string(t->email));
		fprintf(f, "%s %s from %s\nType: %s\nPriority: %s\n",
		    kind == TICKETMAIL_STAFF_NEW ? "New ticket" : "Comment on",
		    t->ref, t->email ? t->email : "",
		    t->type_label ? t->type_label : t->type, t->priority);
		if (t->source_url)
			fprintf(f, "Sent from: %s\n", t->source_url);
		if (text)
			fprintf(f, "\nComment:\n%s\n", text);
		fputs("\n", f);
		text_fields(f, t);
		if (t->context && json_object_size(t->context) > 0) {
			char *c = json_dumps(t->context, JSON_COMPACT);

			if (c)
				fprintf(f, "\nContext: %s\n", c);
			free(c);
		}
		fprintf(f, "\nThe ticket on the site: %s\nStaff: porchd "
		    "tickets show %s\n", view, t->ref);
		if ((h = open_memstream(&html, &hlen)) != NULL) {
			html_staff(h, t, text, view);
			if (fclose(h) == 0 && html)
				json_object_set_new(headers, "html",
				    json_string(html));
			free(html);
		}
		break;
	}
	if (kind < TICKETMAIL_STAFF_NEW)
		fprintf(f, "\n-- \n%s\n", site);
	json_object_set_new(headers, "X-Porch-Kind", json_string(tag));
	if (fclose(f) != 0) {
		free(body);
		json_decref(headers);
		return 0;
	}
	return finish(m, "mail", to, subject, body, headers);
}

json_t *
ticketmail_json(const struct ticket_info *t)
{
	return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:O?, "
	    "s:O?, s:O?, s:I}",
	    "ref", t->ref, "type", t->type, "type_label", t->type_label,
	    "subject", t->subject, "status", t->status,
	    "priority", t->priority, "email", t->email,
	    "source_url", t->source_url, "fields", t->fields,
	    "context", t->context, "attachments", t->attachments,
	    "created_at", (json_int_t)t->created_at);
}

int
ticketmail_webhook(struct store_message *m, const char *url,
    const char *event, const struct ticket_info *t, const char *text)
{
	json_t	*o;
	char	*body;

	memset(m, 0, sizeof(*m));
	if ((o = json_pack("{s:s, s:o, s:s}", "event", event, "ticket",
	    ticketmail_json(t), "sent_by", "porchd")) == NULL)
		return 0;
	if (text)
		json_object_set_new(o, "comment", json_string(text));
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (body == NULL)
		return 0;
	return finish(m, "webhook", url, event, body, json_pack("{s:s}",
	    "X-Porch-Event", event));
}
