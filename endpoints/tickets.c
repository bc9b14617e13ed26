/*
 * tickets: the Tickets routes of docs/api.md.
 *
 * A submission is checked against the catalog's form schema
 * (ticketform.c), its files against the allow-list (attach.c) and stored
 * on disk before the transaction; then one store_write adds the ticket,
 * its attachments and every message that announces it (the customer's
 * mail, the staff mail, the webhook row), so that nothing acknowledged
 * is lost and nothing is announced that was not stored.  Files of a
 * transaction that failed, or of a replayed idempotency key, are removed.
 *
 * Anonymous tickets (catalog tickets.anonymous) wait as 'unconfirmed'
 * until the mailed link is used: only then are staff told.  A ticket
 * that is not the caller's answers 404, as one that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "attach.h"
#include "auth.h"
#include "catalog.h"
#include "http.h"
#include "mail.h"
#include "multipart.h"
#include "ratelimit.h"
#include "route.h"
#include "server.h"
#include "store.h"
#include "ticketform.h"
#include "ticketmail.h"
#include "tickets.h"
#include "token.h"

#define COMMENT_MAX	20000	/* characters of a comment */
#define SUBJECT_MAX	200	/* characters kept of a subject */
#define KEY_MAX		200	/* bytes of an idempotency key */
#define URL_MAX		2000	/* bytes of source_url */
#define CONTEXT_ITEMS	50	/* entries of each context list */
#define CONTEXT_ITEM_MAX 500	/* bytes of one entry */
#define FILES_MAX	50	/* files in one request, whatever the setting */
#define RATE_COMMENT_MAX 2000	/* characters of a rating's comment */

/* ---- small helpers ---- */

static const char *const statuses[] = { "unconfirmed", "new", "open",
    "waiting", "solved", "closed", NULL };

int
tickets_status_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s && statuses[i]; i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

static void
answer_not_found(struct req *req)
{
	resp_error(req, 404, "not_found", "No such ticket.");
}

/* 1 if the account may send another ticket now (app->ticket_limits,
 * made at start from ticket_limit and ticket_burst); else answers 429. */
static int
account_limit_ok(struct req *req)
{
	char	 key[40];
	int	 wait;

	if (req->app->ticket_limits == NULL)
		return 1;
	snprintf(key, sizeof(key), "u%lld", req->user_id);
	if (ratelimit_take(req->app->ticket_limits, key, ratelimit_now(),
	    &wait))
		return 1;
	resp_rate_limited(req, wait, "Too many tickets from this account; "
	    "try again in %d s.", wait);
	return 0;
}

/* Everything the mails need from the catalog and settings (heap strings
 * in the struct, freed by env_free). */
struct envbuf {
	struct tickets_env e;
	char	*site, *base, *api;
};

static void
env_load(struct req *req, struct envbuf *b)
{
	json_t		*site;
	const char	*t;

	memset(b, 0, sizeof(*b));
	b->e.cfg = &req->app->cfg;
	b->e.cat = app_catalog(req->app);
	site = json_object_get(b->e.cat, "site");
	t = json_string_value(json_object_get(site, "title"));
	b->site = strdup(t ? t : "");
	b->base = catalog_link_base(req->app->cfg.public_url, b->e.cat);
	b->api = b->base ? catalog_api_url(b->e.cat, b->base) : NULL;
	b->e.site = b->site ? b->site : "";
	b->e.base = b->base ? b->base : "";
	b->e.api = b->api ? b->api : "";
}

static void
env_free(struct req *req, struct envbuf *b)
{
	app_catalog_release(req->app, b->e.cat);
	free(b->site);
	free(b->base);
	free(b->api);
}

/* ---- from a stored ticket to the messages ---- */

struct att_collect {
	json_t		*list;
	const char	*api, *ref;
	long long	 event_id;	/* -1: all */
	int		 with_key;	/* staff links (absolute, with key) */
};

static int
att_add(const struct store_attachment *a, void *arg)
{
	struct att_collect *c = arg;
	char	*url = NULL;

	if (c->event_id >= 0 && a->event_id != c->event_id)
		return 1;
	if (c->with_key) {
		if (asprintf(&url, "%s/tickets/%s/attachments/%lld?key=%s",
		    c->api, c->ref, a->id, a->key) < 0)
			url = NULL;
	} else if (asprintf(&url, "%s/tickets/%s/attachments/%lld", c->api,
	    c->ref, a->id) < 0)
		url = NULL;
	json_array_append_new(c->list, json_pack("{s:I, s:s, s:s, s:I, s:s?}",
	    "id", (json_int_t)a->id, "name", a->name, "type", a->type,
	    "size", (json_int_t)a->size, "url", url));
	free(url);
	return 1;
}

/* Fills info from t (the new references in info are the caller's to
 * drop with info_free). */
static int
info_load(struct store_tx *tx, const struct tickets_env *e,
    const struct store_ticket *t, struct ticket_info *info)
{
	json_t			*type;
	struct att_collect	 c;

	memset(info, 0, sizeof(*info));
	info->ref = t->ref;
	info->type = t->type;
	type = ticketform_type(e->cat, t->type);
	info->type_label = json_string_value(json_object_get(type, "label"));
	info->schema = json_object_get(type, "fields");
	info->subject = t->subject;
	info->status = t->status;
	info->priority = t->priority;
	info->email = t->email;
	info->source_url = t->source_url;
	info->created_at = t->created_at;
	info->fields = json_loads(t->fields ? t->fields : "{}", 0, NULL);
	info->context = json_loads(t->context ? t->context : "{}", 0, NULL);
	info->attachments = json_array();
	memset(&c, 0, sizeof(c));
	c.list = info->attachments;
	c.api = e->api;
	c.ref = t->ref;
	c.event_id = -1;
	c.with_key = 1;
	if (info->attachments == NULL ||
	    stx_attachments(tx, t->id, att_add, &c) != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

static void
info_free(struct ticket_info *info)
{
	json_decref(info->fields);
	json_decref(info->context);
	json_decref(info->attachments);
}

static int
add_message(struct store_tx *tx, struct store_message *m, long long now)
{
	int	 r = stx_outbox_add(tx, m, now);

	store_message_free(m);
	return r;
}

/* Queues the webhook of event for the ticket info describes, when a
 * webhook URL is set. */
static int
add_webhook(struct store_tx *tx, const struct tickets_env *e,
    const struct ticket_info *info, const char *event, const char *text,
    long long now)
{
	struct store_message	 m;

	if (e->cfg->webhook_url == NULL)
		return STORE_OK;
	if (!ticketmail_webhook(&m, e->cfg->webhook_url, event, info, text))
		return STORE_ERROR;
	return add_message(tx, &m, now);
}

int
tickets_tell_staff(struct store_tx *tx, const struct tickets_env *e,
    const struct store_ticket *t, enum ticketmail_kind kind,
    const char *event, const char *text)
{
	struct ticket_info	 info;
	struct store_message	 m;
	long long		 now = auth_now();
	int			 r;

	if ((r = info_load(tx, e, t, &info)) != STORE_OK)
		goto out;
	if (e->cfg->support_email && mail_address_ok(e->cfg->support_email)) {
		if (!ticketmail_mail(&m, kind, e->cfg->support_email, e->site,
		    e->base, &info, text, NULL)) {
			r = STORE_ERROR;
			goto out;
		}
		if ((r = add_message(tx, &m, now)) != STORE_OK)
			goto out;
	}
	r = add_webhook(tx, e, &info, event, text, now);
out:
	info_free(&info);
	return r;
}

int
tickets_webhook(struct store_tx *tx, const struct tickets_env *e,
    const struct store_ticket *t, const char *event, const char *text)
{
	struct ticket_info	 info;
	int			 r;

	if (e->cfg->webhook_url == NULL)
		return STORE_OK;
	if ((r = info_load(tx, e, t, &info)) == STORE_OK)
		r = add_webhook(tx, e, &info, event, text, auth_now());
	info_free(&info);
	return r;
}

int
tickets_tell_customer(struct store_tx *tx, const struct tickets_env *e,
    const struct store_ticket *t, enum ticketmail_kind kind,
    const char *text, const char *token)
{
	struct ticket_info	 info;
	struct store_message	 m;
	int			 r;

	if ((r = info_load(tx, e, t, &info)) == STORE_OK) {
		/* the customer's own copy links nothing with staff keys */
		json_array_clear(info.attachments);
		if (!ticketmail_mail(&m, kind, t->email, e->site, e->base,
		    &info, text, token))
			r = STORE_ERROR;
		else {
			r = stx_outbox_add(tx, &m, auth_now());
			if (token && m.body)
				explicit_bzero(m.body, strlen(m.body));
			store_message_free(&m);
		}
	}
	info_free(&info);
	return r;
}

/* ---- the request's input: JSON or multipart ---- */

struct upload {
	const char	*field;
	const char	*name;
	const char	*data;
	size_t		 len;
};

struct input {
	json_t		*obj;		/* the members (owned) */
	struct mpart	*parts;
	size_t		 nparts;
	struct upload	 files[FILES_MAX];
	size_t		 nfiles;
	json_t		*filecount;	/* field -> number of files */
	int		 multipart;
};

static void
input_free(struct input *in)
{
	json_decref(in->obj);
	json_decref(in->filecount);
	multipart_free(in->parts, in->nparts);
	memset(in, 0, sizeof(*in));
}

/*
 * Reads the body into in: a JSON object, or multipart/form-data whose
 * plain parts become members ("fields.NAME" into "fields", "context"
 * parsed as JSON) and whose file parts become in->files.  Answers and
 * returns 0 when the body is neither.
 */
static int
input_read(struct req *req, struct input *in)
{
	const char	*ct = req_header(req, "Content-Type");
	json_error_t	 e;
	json_t		*fields, *v;
	struct mpart	*p;
	size_t		 i;

	memset(in, 0, sizeof(*in));
	in->filecount = json_object();
	if (server_is_json(ct)) {
		if (req->body == NULL || req->body_len == 0 ||
		    (in->obj = json_loadb(req->body, req->body_len,
		    JSON_REJECT_DUPLICATES, &e)) == NULL) {
			resp_error(req, 400, "bad_json", "A JSON object is "
			    "required.");
			return 0;
		}
		if (!json_is_object(in->obj)) {
			resp_error(req, 400, "bad_json", "Expected a JSON "
			    "object.");
			return 0;
		}
		return 1;
	}
	if (!multipart_is(ct)) {
		resp_error(req, 415, "unsupported_media_type", "Send "
		    "application/json or multipart/form-data.");
		return 0;
	}
	in->multipart = 1;
	if (!multipart_parse(ct, req->body, req->body_len, &in->parts,
	    &in->nparts)) {
		resp_error(req, 400, "bad_multipart", "The multipart body is "
		    "malformed.");
		return 0;
	}
	in->obj = json_object();
	fields = json_object();
	json_object_set_new(in->obj, "fields", fields);
	for (i = 0; i < in->nparts; i++) {
		p = &in->parts[i];
		if (p->filename != NULL) {
			if (p->filename[0] == '\0' && p->len == 0)
				continue;	/* an empty file input */
			if (in->nfiles == FILES_MAX) {
				resp_error(req, 413, "too_many_files", "Too "
				    "many files.");
				return 0;
			}
			in->files[in->nfiles].field = p->name;
			in->files[in->nfiles].name = p->filename;
			in->files[in->nfiles].data = p->data;
			in->files[in->nfiles].len = p->len;
			in->nfiles++;
			json_object_set_new(in->filecount, p->name,
			    json_integer(json_integer_value(json_object_get(
			    in->filecount, p->name)) + 1));
			continue;
		}
		if (memchr(p->data, '\0', p->len) != NULL ||
		    (v = json_stringn(p->data, p->len)) == NULL) {
			resp_error(req, 400, "bad_multipart", "The field %s is "
			    "not UTF-8 text.", p->name);
			return 0;
		}
		if (strncmp(p->name, "fields.", 7) == 0)
			json_object_set_new(fields, p->name + 7, v);
		else if (strcmp(p->name, "context") == 0) {
			json_object_set_new(in->obj, "context",
			    json_loadb(p->data, p->len, 0, NULL));
			json_decref(v);
		} else
			json_object_set_new(in->obj, p->name, v);
	}
	return 1;
}

/* Multipart sends text: the checkboxes of type become booleans. */
static void
input_checkboxes(json_t *fields, const json_t *type)
{
	json_t		*f, *v;
	const char	*name, *s;
	size_t		 i;

	json_array_foreach(json_object_get(type, "fields"), i, f) {
		if (!json_is_string(json_object_get(f, "type")) ||
		    strcmp(json_string_value(json_object_get(f, "type")),
		    "checkbox") != 0 ||
		    (name = json_string_value(json_object_get(f, "name"))) ==
		    NULL || (v = json_object_get(fields, name)) == NULL ||
		    (s = json_string_value(v)) == NULL)
			continue;
		if (strcmp(s, "on") == 0 || strcmp(s, "true") == 0 ||
		    strcmp(s, "1") == 0 || strcmp(s, "yes") == 0)
			json_object_set_new(fields, name, json_true());
		else if (s[0] == '\0' || strcmp(s, "false") == 0 ||
		    strcmp(s, "0") == 0 || strcmp(s, "off") == 0)
			json_object_set_new(fields, name, json_false());
	}
}

static const char *
member(const struct input *in, const char *key)
{
	return json_string_value(json_object_get(in->obj, key));
}

/* A file checked and stored. */
struct saved {
	char		 stored[ATTACH_STORED_LEN + 1];
	char		 sha[TOKEN_HEX + 1];
	char		 key[TOKEN_HEX + 1];
	const char	*type;
	char		*name;
	size_t		 size;
	long long	 id;		/* its row, once recorded */
};

static void
saved_drop(struct req *req, struct saved *s, size_t n, int unlink_too)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (unlink_too)
			attach_remove(req->app->cfg.attachments_dir,
			    s[i].stored);
		free(s[i].name);
	}
}

/*
 * Checks the files of in (count against max_files less already, size,
 * type by content) and stores them; answers and returns 0 on the first
 * problem, with nothing left on disk.
 */
static int
files_store(struct req *req, const struct input *in, size_t already,
    struct saved *out)
{
	const struct settings *cfg = &req->app->cfg;
	size_t		 i;

	if (in->nfiles == 0)
		return 1;
	if (already + in->nfiles > (size_t)cfg->max_files) {
		resp_error(req, 413, "too_many_files", "A ticket may have at "
		    "most %d attachments.", cfg->max_files);
		return 0;
	}
	for (i = 0; i < in->nfiles; i++) {
		if (in->files[i].len > cfg->max_file) {
			resp_error(req, 413, "file_too_large", "%s is larger "
			    "than %zu bytes.", "A file", cfg->max_file);
			return 0;
		}
		if (attach_sniff(in->files[i].data, in->files[i].len) ==
		    NULL) {
			resp_error(req, 415, "unsupported_file_type", "Only "
			    "PNG, JPEG, GIF, PDF, ZIP, JSON and text files "
			    "can be attached.");
			return 0;
		}
	}
	for (i = 0; i < in->nfiles; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].type = attach_sniff(in->files[i].data, in->files[i].len);
		out[i].size = in->files[i].len;
		if ((out[i].name = attach_clean_name(in->files[i].name)) ==
		    NULL || !token_new(out[i].key) ||
		    !attach_save(cfg->attachments_dir, in->files[i].data,
		    in->files[i].len, out[i].stored, out[i].sha)) {
			free(out[i].name);
			saved_drop(req, out, i, 1);
			resp_error(req, 500, "internal", "The file could not "
			    "be stored.");
			return 0;
		}
	}
	return 1;
}

/* Adds the attachment rows of files to ticket id (event or 0). */
static int
files_record(struct store_tx *tx, long long ticket_id, long long event_id,
    struct saved *files, size_t n, long long now)
{
	struct store_attachment a;
	size_t		 i;
	int		 r;

	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.ticket_id = ticket_id;
		a.event_id = event_id;
		a.name = files[i].name;
		a.stored = (char *)files[i].stored;
		a.type = (char *)files[i].type;
		a.size = (long long)files[i].size;
		a.sha256 = (char *)files[i].sha;
		a.key = (char *)files[i].key;
		if ((r = stx_attachment_add(tx, &a, now, &files[i].id)) !=
		    STORE_OK)
			return r;
	}
	return STORE_OK;
}

/* ---- the ticket as the API shows it ---- */

struct ev_collect {
	json_t		*list;
	struct req	*req;
	const char	*ref, *api;
	long long	 ticket_id;
	json_t		*atts;		/* all attachments, with event_id */
};

/* The attachments of event id from all (new array). */
static json_t *
atts_of(json_t *all, long long id)
{
	json_t	*out = json_array(), *a;
	size_t	 i;

	json_array_foreach(all, i, a)
		if (json_integer_value(json_object_get(a, "event_id")) == id) {
			json_t *c = json_deep_copy(a);

			json_object_del(c, "event_id");
			json_array_append_new(out, c);
		}
	return out;
}

static int
ev_add(const struct store_ticket_event *e, void *arg)
{
	struct ev_collect *c = arg;

	json_array_append_new(c->list, json_pack("{s:I, s:s, s:s, s:s, s:s, "
	    "s:I, s:o}", "id", (json_int_t)e->id, "author", e->author,
	    "author_name", e->author_name, "kind", e->kind, "body", e->body,
	    "created_at", (json_int_t)e->created_at, "attachments",
	    atts_of(c->atts, e->id)));
	return 1;
}

static int
att_api(const struct store_attachment *a, void *arg)
{
	struct ev_collect *c = arg;
	char	*url = NULL;

	if (asprintf(&url, "%s/tickets/%s/attachments/%lld", c->api, c->ref,
	    a->id) < 0)
		url = NULL;
	json_array_append_new(c->atts, json_pack("{s:I, s:s, s:s, s:I, s:s?, "
	    "s:I}", "id", (json_int_t)a->id, "name", a->name, "type", a->type,
	    "size", (json_int_t)a->size, "url", url, "event_id",
	    (json_int_t)a->event_id));
	free(url);
	return 1;
}

/* The full ticket object of docs/api.md (new), or NULL. */
static json_t *
ticket_json(struct req *req, const struct store_ticket *t)
{
	struct ev_collect c;
	json_t		*cat, *type, *o, *fields;
	char		 prefix[256];
	int		 r;

	memset(&c, 0, sizeof(c));
	cat = app_catalog(req->app);
	type = ticketform_type(cat, t->type);
	catalog_api_prefix(cat, prefix, sizeof(prefix));
	c.req = req;
	c.ref = t->ref;
	c.api = prefix;
	c.ticket_id = t->id;
	c.list = json_array();
	c.atts = json_array();
	fields = json_loads(t->fields ? t->fields : "{}", 0, NULL);
	r = store_attachments(req->app->store, t->id, att_api, &c);
	if (r == STORE_OK)
		r = store_ticket_events(req->app->store, t->id, ev_add, &c);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:s?, "
	    "s:o, s:o}",
	    "ref", t->ref, "type", t->type,
	    "type_label", json_is_string(json_object_get(type, "label")) ?
	    json_string_value(json_object_get(type, "label")) : t->type,
	    "subject", t->subject, "status", t->status,
	    "priority", t->priority,
	    "fields", fields ? fields : json_object(),
	    "created_at", (json_int_t)t->created_at,
	    "updated_at", (json_int_t)t->updated_at,
	    "csat", t->csat,
	    "attachments", atts_of(c.atts, 0),
	    "events", c.list);
	json_decref(c.atts);
	app_catalog_release(req->app, cat);
	if (r != STORE_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Answers status {"ticket": t as the API shows it}; frees t. */
static void
answer_loaded(struct req *req, int status, struct store_ticket *t)
{
	json_t		*o;

	o = ticket_json(req, t);
	store_ticket_free(t);
	if (o == NULL) {
		resp_store_error(req, STORE_ERROR);
		return;
	}
	resp_no_store(req);
	resp_json(req, status, json_pack("{s:o}", "ticket", o));
}

/* Answers status {"ticket": the ticket ref}. */
static void
answer_ticket(struct req *req, int status, const char *ref)
{
	struct store_ticket t;
	int		 r;

	if ((r = store_ticket_by_ref(req->app->store, ref, &t)) != STORE_OK) {
		resp_store_error(req, r);
		return;
	}
	answer_loaded(req, status, &t);
}

/* ---- POST /tickets ---- */

struct submit {
	struct store_ticket_new	 n;
	const struct tickets_env *env;
	struct saved		*files;
	size_t			 nfiles;
	int			 anonymous;
	char			 token[TOKEN_HEX + 1];	/* confirm link */
	char			 token_hash[TOKEN_HEX + 1];
	long long		 now;
	/* out */
	long long		 id;
	char			 ref[64];
	int			 replayed;
};

static int
submit_tx(struct store_tx *tx, void *arg)
{
	struct submit		*a = arg;
	struct store_ticket	 t;
	int			 r;

	if ((r = stx_ticket_create(tx, &a->n, a->now, &a->id, a->ref,
	    &a->replayed)) != STORE_OK || a->replayed)
		return r;
	if ((r = files_record(tx, a->id, 0, a->files, a->nfiles, a->now)) !=
	    STORE_OK)
		return r;
	if ((r = stx_ticket_by_id(tx, a->id, &t)) != STORE_OK)
		return r;
	if (a->anonymous) {
		if ((r = stx_ticket_token_add(tx, a->token_hash, "confirm",
		    a->id, a->now, a->now + TICKETS_CONFIRM_TTL)) == STORE_OK)
			r = tickets_tell_customer(tx, a->env, &t,
			    TICKETMAIL_CONFIRM, NULL, a->token);
	} else {
		if ((r = tickets_tell_customer(tx, a->env, &t,
		    TICKETMAIL_RECEIVED, NULL, NULL)) == STORE_OK)
			r = tickets_tell_staff(tx, a->env, &t,
			    TICKETMAIL_STAFF_NEW, "ticket.created", NULL);
	}
	store_ticket_free(&t);
	return r;
}

/* The context member, kept to its three known lists of short strings
 * (new object). */
static json_t *
clean_context(json_t *ctx)
{
	static const char *const keys[] = { "searches", "suggestions_shown",
	    "suggestions_opened", NULL };
	json_t	*out = json_object(), *list, *v, *l;
	size_t	 i, k;

	for (k = 0; keys[k]; k++) {
		if ((list = json_object_get(ctx, keys[k])) == NULL ||
		    !json_is_array(list))
			continue;
		l = json_array();
		json_array_foreach(list, i, v)
			if (json_is_string(v) && json_string_length(v) <=
			    CONTEXT_ITEM_MAX && json_array_size(l) <
			    CONTEXT_ITEMS)
				json_array_append(l, v);
		json_object_set_new(out, keys[k], l);
	}
	return out;
}

/* The subject: the field named subject, else the type's label; cut to
 * SUBJECT_MAX characters (heap). */
static char *
make_subject(const json_t *clean, const json_t *type)
{
	const char	*s = json_string_value(json_object_get(clean,
			    "subject"));
	size_t		 i, n = 0;
	char		*out;

	if (s == NULL || s[0] == '\0')
		s = json_string_value(json_object_get(type, "label"));
	if (s == NULL)
		s = "Ticket";
	if ((out = strdup(s)) == NULL)
		return NULL;
	for (i = 0; out[i]; i++)
		if (((unsigned char)out[i] & 0xC0) != 0x80 && ++n > SUBJECT_MAX) {
			out[i] = '\0';
			break;
		}
	return out;
}

/* The priority a form implies: a ticked "urgent" box, or a "priority"
 * field that names one. */
static const char *
make_priority(const json_t *clean)
{
	const char	*p = json_string_value(json_object_get(clean,
			    "priority"));

	if (json_is_true(json_object_get(clean, "urgent")))
		return "urgent";
	if (p && (strcmp(p, "low") == 0 || strcmp(p, "normal") == 0 ||
	    strcmp(p, "high") == 0 || strcmp(p, "urgent") == 0))
		return p;
	return "normal";
}

/*
 * Answers 201 with the ticket a just stored, from what the request
 * already knows (a new ticket has no events yet): no reads after the
 * commit.
 */
static void
answer_new(struct req *req, const struct submit *a, const json_t *type,
    json_t *clean)
{
	json_t	*atts = json_array(), *cat, *o;
	char	 prefix[256], *url;
	size_t	 i;

	cat = app_catalog(req->app);
	catalog_api_prefix(cat, prefix, sizeof(prefix));
	app_catalog_release(req->app, cat);
	for (i = 0; i < a->nfiles; i++) {
		if (asprintf(&url, "%s/tickets/%s/attachments/%lld", prefix,
		    a->ref, a->files[i].id) < 0)
			url = NULL;
		json_array_append_new(atts, json_pack("{s:I, s:s, s:s, s:I, "
		    "s:s?}", "id", (json_int_t)a->files[i].id, "name",
		    a->files[i].name, "type", a->files[i].type, "size",
		    (json_int_t)a->files[i].size, "url", url));
		free(url);
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:I, s:I, s:n, "
	    "s:o, s:[]}",
	    "ref", a->ref, "type", a->n.type,
	    "type_label", json_is_string(json_object_get(type, "label")) ?
	    json_string_value(json_object_get(type, "label")) : a->n.type,
	    "subject", a->n.subject, "status", a->n.status,
	    "priority", a->n.priority, "fields", clean,
	    "created_at", (json_int_t)a->now,
	    "updated_at", (json_int_t)a->now,
	    "csat", "attachments", atts, "events");
	if (o == NULL) {
		resp_store_error(req, STORE_ERROR);
		return;
	}
	resp_no_store(req);
	resp_json(req, 201, json_pack("{s:o}", "ticket", o));
}

static void
submit(struct req *req)
{
	struct input	 in;
	struct submit	 a;
	struct envbuf	 env;
	struct store_user u;
	struct saved	 files[FILES_MAX];
	json_t		*type, *tickets, *clean = NULL, *errors = NULL, *ctx = NULL;
	const char	*tid, *key, *src, *em, *hp, *prefix;
	char		 email[MAIL_ADDRESS_MAX + 1], *fields_s = NULL;
	char		*ctx_s = NULL, *subject = NULL;
	int		 r, anonymous_ok, stored_files = 0;

	memset(&a, 0, sizeof(a));
	memset(&u, 0, sizeof(u));
	if (!input_read(req, &in)) {
		input_free(&in);
		return;
	}
	env_load(req, &env);
	/* the honeypot: a field people do not see, that bots fill in */
	if ((hp = member(&in, "website")) != NULL && hp[0] != '\0') {
		http_log("tickets: honeypot filled from %s; nothing stored",
		    req->ip);
		resp_json(req, 202, json_pack("{s:s}", "status", "accepted"));
		goto out;
	}
	tickets = json_object_get(env.e.cat, "tickets");
	anonymous_ok = json_is_true(json_object_get(tickets, "anonymous"));
	if (req->user_id == 0 && !anonymous_ok) {
		resp_error(req, 401, "unauthenticated", "Log in to send a "
		    "ticket.");
		goto out;
	}
	tid = member(&in, "type");
	if ((type = ticketform_type(env.e.cat, tid)) == NULL) {
		resp_json(req, 400, json_pack("{s:s, s:s, s:{s:s}}", "error",
		    "invalid_fields", "message", "Choose the kind of request.",
		    "fields", "type", "There is no such kind of request."));
		goto out;
	}
	if (in.multipart)
		input_checkboxes(json_object_get(in.obj, "fields"), type);
	if (!ticketform_check(type, json_object_get(in.obj, "fields"),
	    in.filecount, &clean, &errors)) {
		resp_json(req, 400, json_pack("{s:s, s:s, s:o}", "error",
		    "invalid_fields", "message", "Some fields need your "
		    "attention.", "fields", errors));
		errors = NULL;
		goto out;
	}
	/* whose ticket */
	if (req->user_id != 0) {
		if ((r = store_user_by_id(req->app->store, req->user_id, &u)) !=
		    STORE_OK) {
			resp_store_error(req, r);
			goto out;
		}
		snprintf(email, sizeof(email), "%s", u.email);
	} else {
		em = member(&in, "email");
		if (em == NULL)
			em = json_string_value(json_object_get(clean, "email"));
		if (em == NULL || !mail_address_normalize(em, email)) {
			resp_json(req, 400, json_pack("{s:s, s:s, s:{s:s}}",
			    "error", "invalid_fields", "message", "We need "
			    "your e-mail address to answer.", "fields",
			    "email", "That does not look like an e-mail "
			    "address."));
			goto out;
		}
	}
	if ((key = req_header(req, "Idempotency-Key")) == NULL)
		key = member(&in, "idempotency_key");
	if (key != NULL && (strlen(key) == 0 || strlen(key) > KEY_MAX)) {
		resp_error(req, 400, "bad_request", "The idempotency key must "
		    "have 1 to %d bytes.", KEY_MAX);
		goto out;
	}
	if ((src = member(&in, "source_url")) != NULL &&
	    (strlen(src) > URL_MAX || strpbrk(src, "\r\n\t") != NULL))
		src = NULL;
	if (req->user_id != 0 && !account_limit_ok(req))
		goto out;
	if (!files_store(req, &in, 0, files))
		goto out;
	stored_files = 1;
	ctx = clean_context(json_object_get(in.obj, "context"));
	fields_s = json_dumps(clean, JSON_COMPACT);
	ctx_s = json_dumps(ctx, JSON_COMPACT);
	subject = make_subject(clean, type);
	prefix = json_string_value(json_object_get(tickets, "prefix"));
	if (prefix == NULL)
		prefix = json_string_value(json_object_get(json_object_get(
		    env.e.cat, "site"), "ticket_prefix"));
	if (fields_s == NULL || ctx_s == NULL || subject == NULL) {
		resp_store_error(req, STORE_ERROR);
		goto out;
	}
	a.n.prefix = prefix ? prefix : "HELP";
	a.n.user_id = req->user_id;
	a.n.email = email;
	a.n.type = tid;
	a.n.subject = subject;
	a.n.fields = fields_s;
	a.n.status = req->user_id ? "new" : "unconfirmed";
	a.n.priority = make_priority(clean);
	a.n.source_url = src;
	a.n.context = ctx_s;
	a.n.idempotency_key = key;
	a.env = &env.e;
	a.files = files;
	a.nfiles = in.nfiles;
	a.anonymous = req->user_id == 0;
	a.now = auth_now();
	if (a.anonymous) {
		if (!token_new(a.token)) {
			resp_store_error(req, STORE_ERROR);
			goto out;
		}
		token_hash(a.token_hash, a.token, TOKEN_HEX);
	}
	r = store_write(req->app->store, submit_tx, &a);
	explicit_bzero(a.token, sizeof(a.token));
	if (r != STORE_OK || a.replayed) {
		saved_drop(req, files, in.nfiles, 1);
		stored_files = 0;
	}
	if (r != STORE_OK) {
		resp_store_error(req, r);
		goto out;
	}
	if (a.anonymous)
		resp_json(req, a.replayed ? 200 : 202, json_pack("{s:s, s:s}",
		    "status", "confirm_email", "ref", a.ref));
	else if (a.replayed)
		answer_ticket(req, 200, a.ref);
	else
		answer_new(req, &a, type, clean);
out:
	if (stored_files)
		saved_drop(req, files, in.nfiles, 0);
	store_user_free(&u);
	json_decref(clean);
	json_decref(errors);
	json_decref(ctx);
	free(fields_s);
	free(ctx_s);
	free(subject);
	env_free(req, &env);
	input_free(&in);
}

/* ---- POST /tickets/confirm ---- */

struct confirm {
	const struct tickets_env *env;
	const char	*hash;
	long long	 now;
	char		 ref[64];
	char		 status[16];
};

static int
confirm_tx(struct store_tx *tx, void *arg)
{
	struct confirm		*a = arg;
	struct store_ticket	 t;
	long long		 id;
	int			 r;

	if ((r = stx_ticket_token_get(tx, a->hash, "confirm", a->now, 1,
	    &id)) != STORE_OK)
		return r;
	if ((r = stx_ticket_by_id(tx, id, &t)) != STORE_OK)
		return r;
	if (strcmp(t.status, "unconfirmed") == 0) {
		if ((r = stx_ticket_set_status(tx, id, "new", a->now)) !=
		    STORE_OK)
			goto out;
		store_ticket_free(&t);
		if ((r = stx_ticket_by_id(tx, id, &t)) != STORE_OK)
			return r;
		if ((r = tickets_tell_customer(tx, a->env, &t,
		    TICKETMAIL_RECEIVED, NULL, NULL)) != STORE_OK ||
		    (r = tickets_tell_staff(tx, a->env, &t,
		    TICKETMAIL_STAFF_NEW, "ticket.created", NULL)) != STORE_OK)
			goto out;
	}
	snprintf(a->ref, sizeof(a->ref), "%s", t.ref);
	snprintf(a->status, sizeof(a->status), "%s", t.status);
out:
	store_ticket_free(&t);
	return r;
}

static void
confirm(struct req *req)
{
	struct confirm	 a;
	struct envbuf	 env;
	const char	*tok;
	char		 th[TOKEN_HEX + 1];
	int		 r;

	tok = json_string_value(json_object_get(req->json, "token"));
	if (tok == NULL || !token_valid(tok)) {
		resp_error(req, 400, "invalid_token", "This link is invalid, "
		    "used or expired.");
		return;
	}
	token_hash(th, tok, TOKEN_HEX);
	memset(&a, 0, sizeof(a));
	env_load(req, &env);
	a.env = &env.e;
	a.hash = th;
	a.now = auth_now();
	r = store_write(req->app->store, confirm_tx, &a);
	env_free(req, &env);
	if (r == STORE_NOTFOUND)
		resp_error(req, 400, "invalid_token", "This link is invalid, "
		    "used or expired.");
	else if (r != STORE_OK)
		resp_store_error(req, r);
	else
		resp_json(req, 200, json_pack("{s:{s:s, s:s}}", "ticket",
		    "ref", a.ref, "status", a.status));
}

/* ---- GET /tickets ---- */

static int
list_add(const struct store_ticket *t, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, "
	    "s:I}", "ref", t->ref, "type", t->type, "subject", t->subject,
	    "status", t->status, "priority", t->priority, "created_at",
	    (json_int_t)t->created_at, "updated_at",
	    (json_int_t)t->updated_at));
	return 1;
}

static void
list_mine(struct req *req)
{
	struct store_ticket_filter f;
	json_t	*list = json_array();
	int	 r;

	memset(&f, 0, sizeof(f));
	f.user_id = req->user_id;
	f.newest_update = 1;
	if ((r = store_ticket_list(req->app->store, &f, list_add, list)) !=
	    STORE_OK) {
		json_decref(list);
		resp_store_error(req, r);
		return;
	}
	resp_no_store(req);
	resp_json(req, 200, json_pack("{s:o}", "tickets", list));
}

/* ---- /tickets/REF... ---- */

/*
 * Splits a path /tickets/REF[/rest] into ref (64 bytes) and *rest (""
 * or "/comments", ...); 0 when it has no ref of the right form.
 */
static int
split_ref(const char *path, char ref[64], const char **rest)
{
	const char	*p = path + strlen("/tickets/"), *q;
	size_t		 n;

	q = strchr(p, '/');
	n = q ? (size_t)(q - p) : strlen(p);
	if (n == 0 || n >= 64)
		return 0;
	memcpy(ref, p, n);
	ref[n] = '\0';
	for (q = ref; *q; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9') || *q == '-' || *q == '_'))
			return 0;
	*rest = p + n;
	return 1;
}

/* The caller's ticket ref into t; answers 404 (and returns 0) for one
 * that does not exist or is someone else's. */
static int
own_ticket(struct req *req, const char *ref, struct store_ticket *t)
{
	int	 r;

	if ((r = store_ticket_by_ref(req->app->store, ref, t)) ==
	    STORE_NOTFOUND || (r == STORE_OK && (req->user_id == 0 ||
	    t->user_id != req->user_id))) {
		if (r == STORE_OK)
			store_ticket_free(t);
		answer_not_found(req);
		return 0;
	}
	if (r != STORE_OK) {
		resp_store_error(req, r);
		return 0;
	}
	return 1;
}

/* GET /tickets/REF/attachments/ID: to the owner, or with the key of the
 * staff mail's link. */
static void
attachment(struct req *req, const char *ref, const char *rest)
{
	struct store_ticket	 t;
	struct store_attachment	 a;
	const char		*key = req_query(req, "key");
	char			*end, disp[ATTACH_DISPOSITION_MAX];
	long long		 id;
	size_t			 size;
	int			 fd, r;

	id = strtoll(rest, &end, 10);
	if (*end != '\0' || id <= 0 || rest[0] < '0' || rest[0] > '9') {
		answer_not_found(req);
		return;
	}
	if ((r = store_ticket_by_ref(req->app->store, ref, &t)) != STORE_OK) {
		if (r == STORE_NOTFOUND)
			answer_not_found(req);
		else
			resp_store_error(req, r);
		return;
	}
	r = store_attachment_get(req->app->store, t.id, id, &a);
	if (r == STORE_OK && !(req->user_id != 0 && t.user_id ==
	    req->user_id) && !(key && token_valid(key) &&
	    token_equal(key, a.key))) {
		store_attachment_free(&a);
		r = STORE_NOTFOUND;
	}
	store_ticket_free(&t);
	if (r != STORE_OK) {
		if (r == STORE_NOTFOUND)
			answer_not_found(req);
		else
			resp_store_error(req, r);
		return;
	}
	if ((fd = attach_open(req->app->cfg.attachments_dir, a.stored,
	    &size)) == -1) {
		http_log("tickets: attachment %lld of %s is missing on disk",
		    id, ref);
		store_attachment_free(&a);
		resp_store_error(req, STORE_ERROR);
		return;
	}
	resp_free(&req->resp);
	resp_init(&req->resp);
	req->resp.status = 200;
	req->resp.type = strdup(a.type);
	req->resp.file_fd = fd;
	req->resp.file_size = size;
	attach_disposition(a.name, disp, sizeof(disp));
	resp_header(req, "Content-Disposition", disp);
	resp_header(req, "X-Content-Type-Options", "nosniff");
	resp_header(req, "Content-Security-Policy", "default-src 'none'; "
	    "sandbox");
	resp_header(req, "Cache-Control", "private, no-store");
	store_attachment_free(&a);
}

static void
get_one(struct req *req)
{
	struct store_ticket	 t;
	char			 ref[64];
	const char		*rest;

	if (!split_ref(req->path, ref, &rest)) {
		answer_not_found(req);
		return;
	}
	if (strncmp(rest, "/attachments/", 13) == 0) {
		attachment(req, ref, rest + 13);
		return;
	}
	if (rest[0] != '\0') {
		resp_error(req, 404, "not_found", "no such endpoint");
		return;
	}
	if (req->user_id == 0) {
		resp_error(req, 401, "unauthenticated", "log in first");
		return;
	}
	if (!own_ticket(req, ref, &t))
		return;
	answer_loaded(req, 200, &t);
}

/* ---- comments, close, reopen ---- */

struct change {
	const struct tickets_env *env;
	long long	 id;
	const char	*action;	/* "comment", "close", "reopen" */
	const char	*body;
	const char	*author_name;
	struct saved	*files;
	size_t		 nfiles;
	long long	 now;
	long long	 event_id;
	int		 conflict;	/* the status does not allow it */
};

static int
change_tx(struct store_tx *tx, void *arg)
{
	struct change		*a = arg;
	struct store_ticket	 t;
	int			 r;

	a->conflict = 0;
	if ((r = stx_ticket_by_id(tx, a->id, &t)) != STORE_OK)
		return r;
	if (strcmp(a->action, "comment") == 0) {
		if (strcmp(t.status, "closed") == 0) {
			a->conflict = 1;
			r = STORE_OK;
			goto out;
		}
		if ((r = stx_ticket_event_add(tx, a->id, "customer",
		    a->author_name, "comment", a->body, a->now,
		    &a->event_id)) != STORE_OK ||
		    (r = files_record(tx, a->id, a->event_id, a->files,
		    a->nfiles, a->now)) != STORE_OK)
			goto out;
		/* a customer's answer puts the ticket back on staff's desk */
		if (strcmp(t.status, "waiting") == 0 ||
		    strcmp(t.status, "solved") == 0) {
			if ((r = stx_ticket_set_status(tx, a->id, "open",
			    a->now)) != STORE_OK ||
			    (r = stx_ticket_tokens_drop(tx, a->id, "rate")) !=
			    STORE_OK)
				goto out;
		}
		store_ticket_free(&t);
		if ((r = stx_ticket_by_id(tx, a->id, &t)) != STORE_OK)
			return r;
		r = tickets_tell_staff(tx, a->env, &t,
		    TICKETMAIL_STAFF_COMMENT, "ticket.comment", a->body);
		goto out;
	}
	if (strcmp(a->action, "close") == 0) {
		if (strcmp(t.status, "closed") == 0 ||
		    strcmp(t.status, "unconfirmed") == 0) {
			a->conflict = strcmp(t.status, "unconfirmed") == 0;
			r = STORE_OK;
			goto out;
		}
		if ((r = stx_ticket_set_status(tx, a->id, "closed", a->now)) !=
		    STORE_OK || (r = stx_ticket_event_add(tx, a->id,
		    "customer", a->author_name, "status", "closed", a->now,
		    NULL)) != STORE_OK)
			goto out;
		r = tickets_webhook(tx, a->env, &t, "ticket.closed", NULL);
		goto out;
	}
	/* reopen */
	if (strcmp(t.status, "solved") != 0 && strcmp(t.status, "closed") !=
	    0) {
		a->conflict = strcmp(t.status, "unconfirmed") == 0;
		r = STORE_OK;
		goto out;
	}
	if ((r = stx_ticket_set_status(tx, a->id, "open", a->now)) !=
	    STORE_OK || (r = stx_ticket_tokens_drop(tx, a->id, "rate")) !=
	    STORE_OK || (r = stx_ticket_event_add(tx, a->id, "customer",
	    a->author_name, "status", "open", a->now, NULL)) != STORE_OK)
		goto out;
	store_ticket_free(&t);
	if ((r = stx_ticket_by_id(tx, a->id, &t)) != STORE_OK)
		return r;
	r = tickets_tell_staff(tx, a->env, &t, TICKETMAIL_STAFF_COMMENT,
	    "ticket.reopened", "The customer reopened the ticket.");
out:
	store_ticket_free(&t);
	return r;
}

static int
count_att(const struct store_attachment *a, void *arg)
{
	(void)a;
	(*(size_t *)arg)++;
	return 1;
}

static void
post_one(struct req *req)
{
	struct store_ticket	 t;
	struct change		 a;
	struct envbuf		 env;
	struct input		 in;
	struct store_user	 u;
	struct saved		 files[FILES_MAX];
	char			 ref[64];
	const char		*rest, *body = NULL;
	size_t			 already = 0;
	int			 r, have_env = 0, stored = 0;

	memset(&in, 0, sizeof(in));
	memset(&u, 0, sizeof(u));
	memset(&a, 0, sizeof(a));
	if (!split_ref(req->path, ref, &rest) || (strcmp(rest, "/comments")
	    != 0 && strcmp(rest, "/close") != 0 && strcmp(rest, "/reopen") !=
	    0)) {
		resp_error(req, 404, "not_found", "no such endpoint");
		return;
	}
	if (!own_ticket(req, ref, &t))
		return;
	a.id = t.id;
	a.action = rest[1] == 'c' && rest[2] == 'o' ? "comment" : rest + 1;
	if (strcmp(a.action, "comment") == 0) {
		if (!input_read(req, &in))
			goto out;
		body = member(&in, "body");
		if (body == NULL)
			body = "";
		if (ticketform_chars(body, strlen(body)) > COMMENT_MAX ||
		    strlen(body) != json_string_length(json_object_get(in.obj,
		    "body")) || (body[0] == '\0' && in.nfiles == 0)) {
			resp_json(req, 400, json_pack("{s:s, s:s, s:{s:s}}",
			    "error", "invalid_fields", "message", "The comment "
			    "needs some text (at most 20000 characters).",
			    "fields", "body", body[0] == '\0' ? "Write a "
			    "comment or attach a file." : "The comment is too "
			    "long."));
			goto out;
		}
		if (in.nfiles > 0 && (r = store_attachments(req->app->store,
		    t.id, count_att, &already)) != STORE_OK) {
			resp_store_error(req, r);
			goto out;
		}
		if (!files_store(req, &in, already, files))
			goto out;
		stored = 1;
	}
	if (store_user_by_id(req->app->store, req->user_id, &u) != STORE_OK)
		memset(&u, 0, sizeof(u));
	env_load(req, &env);
	have_env = 1;
	a.env = &env.e;
	a.body = body;
	a.author_name = u.name ? u.name : "";
	a.files = files;
	a.nfiles = in.nfiles;
	a.now = auth_now();
	r = store_write(req->app->store, change_tx, &a);
	if (stored && (r != STORE_OK || a.conflict))
		saved_drop(req, files, in.nfiles, 1);
	else if (stored)
		saved_drop(req, files, in.nfiles, 0);
	stored = 0;
	if (r != STORE_OK) {
		resp_store_error(req, r);
		goto out;
	}
	if (a.conflict) {
		resp_error(req, 409, "conflict", strcmp(a.action, "comment") ==
		    0 ? "This ticket is closed; reopen it first." :
		    "This ticket cannot do that in its present state.");
		goto out;
	}
	if (strcmp(a.action, "comment") == 0) {
		struct ev_collect c;
		char prefix[256];
		json_t *cat = app_catalog(req->app);

		memset(&c, 0, sizeof(c));
		catalog_api_prefix(cat, prefix, sizeof(prefix));
		app_catalog_release(req->app, cat);
		c.ref = ref;
		c.api = prefix;
		c.atts = json_array();
		store_attachments(req->app->store, t.id, att_api, &c);
		resp_no_store(req);
		resp_json(req, 201, json_pack("{s:{s:I, s:s, s:s, s:s, s:s, "
		    "s:I, s:o}}", "event", "id", (json_int_t)a.event_id,
		    "author", "customer", "author_name", a.author_name,
		    "kind", "comment", "body", body, "created_at",
		    (json_int_t)a.now, "attachments", atts_of(c.atts,
		    a.event_id)));
		json_decref(c.atts);
	} else
		answer_ticket(req, 200, ref);
out:
	if (stored)
		saved_drop(req, files, in.nfiles, 1);
	if (have_env)
		env_free(req, &env);
	store_user_free(&u);
	store_ticket_free(&t);
	input_free(&in);
}

/* ---- POST /tickets/rate ---- */

struct rate {
	const char	*hash, *rating, *comment;
	long long	 now;
	int		 wrong_state;
};

static int
rate_tx(struct store_tx *tx, void *arg)
{
	struct rate		*a = arg;
	struct store_ticket	 t;
	long long		 id;
	int			 r;
	char			 body[64];

	a->wrong_state = 0;
	if ((r = stx_ticket_token_get(tx, a->hash, "rate", a->now, 0, &id)) !=
	    STORE_OK)
		return r;
	if ((r = stx_ticket_by_id(tx, id, &t)) != STORE_OK)
		return r;
	if (strcmp(t.status, "solved") != 0 && strcmp(t.status, "closed") !=
	    0) {
		a->wrong_state = 1;
		store_ticket_free(&t);
		return STORE_OK;
	}
	snprintf(body, sizeof(body), "%s", a->rating);
	if ((r = stx_ticket_rate(tx, id, a->rating, a->comment, a->now)) ==
	    STORE_OK && (t.csat == NULL || strcmp(t.csat, a->rating) != 0 ||
	    a->comment))
		r = stx_ticket_event_add(tx, id, "customer", "", "csat",
		    a->comment ? a->comment : body, a->now, NULL);
	store_ticket_free(&t);
	return r;
}

static void
rate(struct req *req)
{
	struct rate	 a;
	const char	*tok, *comment;
	char		 th[TOKEN_HEX + 1];
	int		 r;

	memset(&a, 0, sizeof(a));
	tok = json_string_value(json_object_get(req->json, "token"));
	a.rating = json_string_value(json_object_get(req->json, "rating"));
	comment = json_string_value(json_object_get(req->json, "comment"));
	if (tok == NULL || !token_valid(tok)) {
		resp_error(req, 400, "invalid_token", "This link is invalid "
		    "or expired.");
		return;
	}
	if (a.rating == NULL || (strcmp(a.rating, "good") != 0 &&
	    strcmp(a.rating, "bad") != 0)) {
		resp_json(req, 400, json_pack("{s:s, s:s, s:{s:s}}", "error",
		    "invalid_fields", "message", "Choose good or bad.",
		    "fields", "rating", "Choose good or bad."));
		return;
	}
	if (comment && (strlen(comment) != json_string_length(json_object_get(
	    req->json, "comment")) || ticketform_chars(comment,
	    strlen(comment)) > RATE_COMMENT_MAX)) {
		resp_json(req, 400, json_pack("{s:s, s:s, s:{s:s}}", "error",
		    "invalid_fields", "message", "The comment is too long.",
		    "fields", "comment", "At most 2000 characters."));
		return;
	}
	a.comment = comment && comment[0] ? comment : NULL;
	token_hash(th, tok, TOKEN_HEX);
	a.hash = th;
	a.now = auth_now();
	r = store_write(req->app->store, rate_tx, &a);
	if (r == STORE_NOTFOUND)
		resp_error(req, 400, "invalid_token", "This link is invalid "
		    "or expired.");
	else if (r != STORE_OK)
		resp_store_error(req, r);
	else if (a.wrong_state)
		resp_error(req, 409, "conflict", "This ticket was reopened; "
		    "it can be rated once it is solved again.");
	else
		resp_json(req, 200, json_pack("{s:s}", "status", "rated"));
}

#define W	(ROUTE_CSRF | ROUTE_LIMITED)

const struct route ticket_routes[] = {
	{ "POST", "/tickets", submit, W },
	{ "GET", "/tickets", list_mine, ROUTE_AUTH },
	{ "POST", "/tickets/confirm", confirm, W | ROUTE_JSON },
	{ "POST", "/tickets/rate", rate, W | ROUTE_JSON },
	{ "GET", "/tickets/*", get_one, 0 },
	{ "POST", "/tickets/*", post_one, W | ROUTE_AUTH },
	{ NULL, NULL, NULL, 0 },
};
