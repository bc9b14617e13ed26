/*
 * shipped: the "what you asked for shipped" mails (shipped.h).  Everything
 * happens in one store_write: the function reads which shipped items are
 * new, finds their recipients, adds one outbox row and one unsubscribe
 * token per address, and notes the item; the delivery worker sends the
 * mails after the COMMIT.  The transaction function is safe to run again
 * (it recomputes everything from the database).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "app.h"
#include "catalog.h"
#include "http.h"
#include "mail.h"
#include "shipped.h"
#include "store.h"
#include "store_votes.h"
#include "token.h"

#define FLAG_SEEN	"catalog_seen"

struct item {
	const char	*id, *title, *version, *url;
};

struct sync {
	struct item	*items;
	size_t		 n;
	int		 loaded;
	const char	*site;		/* the site's title */
	char		*base;		/* links: public_url or base_url */
	char		*api;		/* the API's absolute URL prefix */
	long long	 now;
	long		 mails;		/* queued by the last run */
	/* per item, while its recipients are walked */
	const struct item *cur;
	long		 item_mails;
	struct store_tx	*tx;
};

/* "4.2" for "4.2.0": the version as people say it. */
static void
short_version(const char *v, char *out, size_t len)
{
	size_t	 n;

	snprintf(out, len, "%s", v ? v : "");
	n = strlen(out);
	if (n > 2 && strcmp(out + n - 2, ".0") == 0 && strchr(out, '.') !=
	    out + n - 2)
		out[n - 2] = '\0';
}

/* Fills m with the mail of s->cur to address (heap strings, freed by the
 * caller with store_message_free); token is the unsubscribe token. */
static int
compose(struct sync *s, struct store_message *m, const char *address,
    const char *name, const char *token)
{
	const struct item *it = s->cur;
	char		 id[33], ver[64], *title = NULL, *who = NULL;
	char		*body = NULL, *subject = NULL, *headers = NULL;
	json_t		*h;
	int		 ok = 0;

	memset(m, 0, sizeof(*m));
	short_version(it->version, ver, sizeof(ver));
	if (!mail_message_id(id) ||
	    (title = mail_header_clean(it->title ? it->title : it->id, 150))
	    == NULL ||
	    (who = mail_header_clean(name && *name ? name : "", 100)) == NULL)
		goto out;
	if (asprintf(&subject, "What you asked for shipped in %s", ver) < 0)
		subject = NULL;
	if (asprintf(&body,
	    "Hello%s%s,\n\n"
	    "\"%s\", which you voted for or asked us about, shipped in "
	    "%s %s.\n\n"
	    "What changed: %s%s\n\n"
	    "Thank you for telling us what you need.\n\n"
	    "-- \n"
	    "You get this message because you voted for this item on the "
	    "roadmap of %s or a ticket of yours asked for it.  To get no "
	    "more of these messages, open this link:\n"
	    "%s/account/unsubscribe/?token=%s\n",
	    *who ? " " : "", who, title, s->site, ver, s->base,
	    it->url ? it->url : "/changelog/", s->site, s->base, token) < 0)
		body = NULL;
	h = json_object();
	if (h != NULL) {
		char	*lu = NULL;

		if (asprintf(&lu, "<%s/unsubscribe?token=%s>", s->api,
		    token) >= 0) {
			json_object_set_new(h, "X-Porch-Kind",
			    json_string("shipped"));
			json_object_set_new(h, "List-Unsubscribe",
			    json_string(lu));
			json_object_set_new(h, "List-Unsubscribe-Post",
			    json_string("List-Unsubscribe=One-Click"));
			headers = json_dumps(h, JSON_COMPACT);
			free(lu);
		}
		json_decref(h);
	}
	m->message_id = strdup(id);
	m->kind = strdup("mail");
	m->recipient = strdup(address);
	m->subject = subject;
	m->body = body;
	m->headers = headers;
	subject = body = headers = NULL;
	ok = m->message_id && m->kind && m->recipient && m->subject &&
	    m->body && m->headers;
out:
	free(title);
	free(who);
	free(subject);
	free(body);
	free(headers);
	return ok;
}

/* One recipient of s->cur: a token, the mail, both stored. */
static int
recipient(const char *address, const char *name, void *arg)
{
	struct sync		*s = arg;
	struct store_message	 m;
	char			 tok[TOKEN_HEX + 1], hash[TOKEN_HEX + 1];
	int			 r;

	if (!mail_address_ok(address))
		return STORE_OK;	/* nothing porchd can send to */
	if (!token_new(tok))
		return STORE_ERROR;
	token_hash(hash, tok, strlen(tok));
	if ((r = stx_unsub_token_add(s->tx, hash, address, s->now)) !=
	    STORE_OK)
		goto out;
	if (!compose(s, &m, address, name, tok)) {
		r = STORE_ERROR;
		goto out;
	}
	r = stx_outbox_add(s->tx, &m, s->now);
	store_message_free(&m);
	if (r == STORE_OK)
		s->item_mails++;	/* stx_outbox_add woke the worker */
out:
	explicit_bzero(tok, sizeof(tok));
	return r;
}

static int
sync_tx(struct store_tx *tx, void *arg)
{
	struct sync	*s = arg;
	long long	 seen;
	size_t		 i;
	int		 r;

	s->mails = 0;
	s->tx = tx;
	if ((r = stx_flag_get(tx, FLAG_SEEN, &seen)) != STORE_OK)
		return r;
	if (!s->loaded && !seen)
		return STORE_OK;	/* the empty start-up catalog */
	for (i = 0; i < s->n; i++) {
		s->cur = &s->items[i];
		s->item_mails = 0;
		if ((r = stx_shipped_known(tx, s->cur->id)) == STORE_OK)
			continue;
		if (r != STORE_NOTFOUND)
			return r;
		if (seen && (r = stx_shipped_recipients(tx, s->cur->id,
		    recipient, s)) != STORE_OK)
			return r;
		if ((r = stx_shipped_add(tx, s->cur->id, s->cur->version,
		    s->item_mails, s->now)) != STORE_OK)
			return r;
		s->mails += s->item_mails;
	}
	if (!seen && s->loaded)
		return stx_flag_set(tx, FLAG_SEEN, s->now);
	return STORE_OK;
}

long
shipped_sync(struct app *app, int loaded)
{
	struct sync	 s;
	json_t		*cat, *list, *e, *in;
	const char	*st;
	size_t		 i;
	int		 r;
	long		 result = -1;

	if (app->store == NULL)
		return 0;
	memset(&s, 0, sizeof(s));
	cat = app_catalog(app);
	list = json_object_get(cat, "roadmap");
	if ((s.items = calloc(json_array_size(list) + 1, sizeof(*s.items))) ==
	    NULL)
		goto out;
	json_array_foreach(list, i, e) {
		st = json_string_value(json_object_get(e, "status"));
		if (st == NULL || strcmp(st, "shipped") != 0 ||
		    json_string_value(json_object_get(e, "id")) == NULL)
			continue;
		in = json_object_get(e, "shipped_in");
		s.items[s.n].id = json_string_value(json_object_get(e, "id"));
		s.items[s.n].title = json_string_value(json_object_get(e,
		    "title"));
		s.items[s.n].version = json_string_value(json_object_get(in,
		    "version"));
		s.items[s.n].url = json_string_value(json_object_get(in,
		    "url"));
		s.n++;
	}
	s.loaded = loaded;
	s.site = json_string_value(json_object_get(json_object_get(cat,
	    "site"), "title"));
	if (s.site == NULL || *s.site == '\0')
		s.site = "the help site";
	s.now = (long long)time(NULL);
	if ((s.base = catalog_link_base(app->cfg.public_url, cat)) == NULL ||
	    (s.api = catalog_api_url(cat, s.base)) == NULL)
		goto out;
	if ((r = store_write(app->store, sync_tx, &s)) != STORE_OK) {
		http_log("shipped: could not note shipped items (store "
		    "error %d); the next catalog load tries again", r);
		goto out;
	}
	if (s.mails > 0)
		http_log("shipped: %ld mail%s queued for shipped roadmap "
		    "items", s.mails, s.mails == 1 ? "" : "s");
	result = s.mails;
out:
	free(s.items);
	free(s.base);
	free(s.api);
	app_catalog_release(app, cat);
	return result;
}
