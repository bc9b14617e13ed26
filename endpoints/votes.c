/*
 * votes: POST /votes, GET /votes/counts, GET /votes/mine, POST /feedback,
 * POST /search/miss and POST /unsubscribe (docs/api.md).
 *
 * A vote is written through the group-committing writer (store.h) and,
 * once its COMMIT returned, its delta goes into the count cache, so the
 * counts GET answers from memory and still equals the database.  Only
 * verified accounts vote, only on roadmap items of the loaded catalog
 * that have not shipped; each account has its own limiter besides the
 * per-address one every write route has.
 *
 * Feedback and search misses are anonymous: they take no CSRF token
 * (the page may be a logged-in one that does not send it) and store
 * nothing about the session; a cross-site page cannot send them either,
 * since they need Content-Type: application/json, which a browser only
 * sends cross-site after a CORS preflight porchd refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "app.h"
#include "catalog.h"
#include "http.h"
#include "ratelimit.h"
#include "route.h"
#include "searchmiss.h"
#include "store.h"
#include "store_votes.h"
#include "token.h"
#include "votecache.h"
#include "votes.h"

#define VOTE_LIMIT_KEYS	65536

/* ---- helpers ---- */

/* 1 if s (len bytes, no NUL inside) is a roadmap id: [a-z0-9-], 1 to
 * VOTES_ITEM_MAX bytes. */
static int
item_syntax_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > VOTES_ITEM_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* The catalog's roadmap entry with that id (borrowed from cat), or NULL. */
static json_t *
roadmap_entry(json_t *cat, const char *id)
{
	json_t		*list, *e;
	const char	*eid;
	size_t		 i;

	list = json_object_get(cat, "roadmap");
	json_array_foreach(list, i, e)
		if ((eid = json_string_value(json_object_get(e, "id"))) !=
		    NULL && strcmp(eid, id) == 0)
			return e;
	return NULL;
}

/* ---- POST /votes ---- */

/*
 * Whether the logged-in account is verified, in *yes; 1, or 0 answered.
 * An address once verified stays verified (nothing unverifies one), so
 * accounts seen verified are remembered and the hot path of a vote skips
 * this read; a disabled account has no session to get here with.
 */
static int
verified_account(struct req *req, int *yes)
{
	char	 key[32];
	int	 rc;

	snprintf(key, sizeof(key), "u:%lld", req->user_id);
	if (req->app->verified && votecache_get(req->app->verified, key) > 0) {
		*yes = 1;
		return 1;
	}
	rc = store_vote_allowed(req->app->store, req->user_id, yes);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		resp_store_error(req, rc);
		return 0;
	}
	if (*yes && req->app->verified)
		votecache_set(req->app->verified, key, 1);
	return 1;
}

struct vote_arg {
	const char	*item;
	long long	 user, now;
	int		 on, delta;
};

static int
vote_tx(struct store_tx *tx, void *arg)
{
	struct vote_arg	*a = arg;

	return stx_vote_set(tx, a->item, a->user, a->on, a->now, &a->delta);
}

/* Takes one token of the account's vote bucket; answers 429 and returns
 * 0 when it is empty. */
static int
account_limit_ok(struct req *req)
{
	char	 key[32];
	int	 retry;

	if (req->app->vote_limits == NULL)
		return 1;
	snprintf(key, sizeof(key), "u:%lld", req->user_id);
	if (ratelimit_take(req->app->vote_limits, key, ratelimit_now(),
	    &retry))
		return 1;
	resp_rate_limited(req, retry, "Too many votes from this account; "
	    "try again in %d s.", retry);
	return 0;
}

static void
vote(struct req *req)
{
	struct vote_arg	 a;
	json_t		*cat, *e, *v;
	const char	*item, *status;
	size_t		 len;
	long long	 count;
	int		 rc, verified, shipped;

	if (req->app->votes == NULL) {
		resp_store_error(req, STORE_ERROR);
		return;
	}
	item = req_json_str(req, "item", &len);
	v = json_object_get(req->json, "vote");
	if (item == NULL || strlen(item) != len || !json_is_boolean(v)) {
		resp_error(req, 400, "bad_request", "Send {\"item\": ID, "
		    "\"vote\": true or false}.");
		return;
	}
	cat = app_catalog(req->app);
	e = item_syntax_ok(item, len) ? roadmap_entry(cat, item) : NULL;
	status = e ? json_string_value(json_object_get(e, "status")) : NULL;
	shipped = status != NULL && strcmp(status, "shipped") == 0;
	app_catalog_release(req->app, cat);
	if (e == NULL) {
		resp_error(req, 400, "unknown_item", "There is no roadmap item "
		    "with that id.");
		return;
	}
	if (shipped) {
		resp_error(req, 409, "shipped", "This item has shipped; votes "
		    "are closed.");
		return;
	}
	if (!verified_account(req, &verified))
		return;
	if (!verified) {
		resp_error(req, 403, "unverified", "Confirm your e-mail "
		    "address before voting.");
		return;
	}
	if (!account_limit_ok(req))
		return;
	memset(&a, 0, sizeof(a));
	a.item = item;
	a.user = req->user_id;
	a.on = json_is_true(v);
	a.now = (long long)time(NULL);
	if ((rc = store_write(req->app->store, vote_tx, &a)) != STORE_OK) {
		resp_store_error(req, rc);
		return;
	}
	/* committed: the cache follows the database */
	count = a.delta ? votecache_add(req->app->votes, item, a.delta) :
	    votecache_get(req->app->votes, item);
	resp_no_store(req);
	resp_json(req, 200, json_pack("{s:s, s:I, s:b}", "item", item,
	    "count", (json_int_t)(count < 0 ? 0 : count), "voted", a.on));
}

/* ---- GET /votes/counts ---- */

static void
counts(struct req *req)
{
	const char	*list = req_query(req, "items"), *p, *q;
	json_t		*o;
	char		 id[VOTES_ITEM_MAX + 1];
	size_t		 n, asked = 0;

	if (req->app->votes == NULL) {
		resp_store_error(req, STORE_ERROR);
		return;
	}
	if (list == NULL) {
		resp_error(req, 400, "bad_request", "Ask with "
		    "?items=ID,ID,...");
		return;
	}
	o = json_object();
	for (p = list; *p; p = *q ? q + 1 : q) {
		q = p + strcspn(p, ",");
		n = (size_t)(q - p);
		if (n == 0)
			continue;
		if (!item_syntax_ok(p, n) || ++asked > VOTES_COUNTS_MAX) {
			json_decref(o);
			resp_error(req, 400, "bad_request", "items: up to %d "
			    "roadmap ids (a-z, 0-9, -), comma-separated.",
			    VOTES_COUNTS_MAX);
			return;
		}
		memcpy(id, p, n);
		id[n] = '\0';
		json_object_set_new(o, id, json_integer(
		    votecache_get(req->app->votes, id)));
	}
	resp_header(req, "Cache-Control", "public, max-age=5");
	resp_json(req, 200, json_pack("{s:o}", "counts", o));
}

/* ---- GET /votes/mine ---- */

static int
mine_add(const char *item, void *arg)
{
	return json_array_append_new(arg, json_string(item)) == 0;
}

static void
mine(struct req *req)
{
	json_t	*a = json_array();
	int	 rc;

	resp_no_store(req);
	if ((rc = store_votes_of(req->app->store, req->user_id, mine_add, a))
	    != STORE_OK) {
		json_decref(a);
		resp_store_error(req, rc);
		return;
	}
	resp_json(req, 200, json_pack("{s:o}", "items", a));
}

/* ---- POST /feedback ---- */

struct feedback_arg {
	const char	*page, *comment, *client;
	int		 helpful;
	long long	 now;
};

static int
feedback_tx(struct store_tx *tx, void *arg)
{
	struct feedback_arg *a = arg;

	return stx_feedback_put(tx, a->page, a->helpful, a->comment,
	    a->client, a->now);
}

/* 1 if page is the id of one of the catalog's articles. */
static int
known_page(struct req *req, const char *page)
{
	json_t		*cat, *e;
	const char	*id;
	size_t		 i;
	int		 found = 0;

	cat = app_catalog(req->app);
	json_array_foreach(json_object_get(cat, "articles"), i, e)
		if ((id = json_string_value(json_object_get(e, "id"))) &&
		    strcmp(id, page) == 0) {
			found = 1;
			break;
		}
	app_catalog_release(req->app, cat);
	return found;
}

/* 1 if s is a client id: FEEDBACK_CLIENT_MIN..MAX of [A-Za-z0-9_-]. */
static int
client_ok(const char *s, size_t len)
{
	size_t	 i;

	if (s == NULL || len < FEEDBACK_CLIENT_MIN || len >
	    FEEDBACK_CLIENT_MAX || strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* A heap copy of the comment: valid UTF-8, controls other than newline
 * turned into spaces, blanks trimmed.  NULL when out of memory. */
static char *
clean_comment(const char *c, size_t len)
{
	char	*s, *p, *end;

	if ((s = http_utf8_clean(c, len)) == NULL)
		return NULL;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			*p = ' ';
		else if (*p == 0x7f)
			*p = ' ';
	for (p = s; *p == ' ' || *p == '\n'; p++)
		;
	memmove(s, p, strlen(p) + 1);
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static void
feedback(struct req *req)
{
	struct feedback_arg a;
	json_t		*fields, *h, *cv;
	const char	*page, *client, *comment = "";
	char		*clean = NULL;
	size_t		 plen = 0, clen = 0, len = 0;
	int		 rc;

	fields = json_object();
	page = req_json_str(req, "page", &plen);
	client = req_json_str(req, "client", &clen);
	h = json_object_get(req->json, "helpful");
	cv = json_object_get(req->json, "comment");
	if (page == NULL || strlen(page) != plen || plen > 500 ||
	    !known_page(req, page))
		json_object_set_new(fields, "page", json_string("not a page "
		    "of this site"));
	if (!json_is_boolean(h))
		json_object_set_new(fields, "helpful",
		    json_string("true or false"));
	if (!client_ok(client, clen))
		json_object_set_new(fields, "client", json_string("a random "
		    "id of 8 to 64 letters, digits, - or _"));
	if (cv != NULL && !json_is_null(cv)) {
		if (!json_is_string(cv))
			json_object_set_new(fields, "comment",
			    json_string("text"));
		else if ((len = json_string_length(cv)) >
		    FEEDBACK_COMMENT_MAX)
			json_object_set_new(fields, "comment",
			    json_string("at most 1000 bytes"));
		else
			comment = json_string_value(cv);
	}
	if (json_object_size(fields) > 0) {
		resp_json(req, 400, json_pack("{s:s, s:s, s:o}", "error",
		    "invalid_fields", "message", "Some fields need another "
		    "look.", "fields", fields));
		return;
	}
	json_decref(fields);
	if ((clean = clean_comment(comment, len ? len : strlen(comment))) ==
	    NULL) {
		resp_store_error(req, STORE_ERROR);
		return;
	}
	a.page = page;
	a.client = client;
	a.comment = clean;
	a.helpful = json_is_true(h);
	a.now = (long long)time(NULL);
	rc = store_write(req->app->store, feedback_tx, &a);
	free(clean);
	if (rc != STORE_OK) {
		resp_store_error(req, rc);
		return;
	}
	resp_json(req, 200, json_pack("{s:s}", "status", "recorded"));
}

/* ---- POST /search/miss ---- */

struct miss_arg {
	const char	*query;
	long long	 now;
};

static int
miss_tx(struct store_tx *tx, void *arg)
{
	struct miss_arg	*a = arg;

	return stx_search_miss(tx, a->query, a->now);
}

static void
search_miss(struct req *req)
{
	struct miss_arg	 a;
	json_t		*cat;
	const char	*q;
	char		 norm[SEARCHMISS_MAX + 1];
	size_t		 len;
	int		 on, rc;

	cat = app_catalog(req->app);
	on = json_is_true(json_object_get(json_object_get(json_object_get(
	    cat, "site"), "search"), "report_misses"));
	app_catalog_release(req->app, cat);
	if (!on) {
		resp_error(req, 403, "disabled", "This site does not collect "
		    "search misses (site.lua: search.report_misses).");
		return;
	}
	if ((q = req_json_str(req, "query", &len)) == NULL || len > MISS_QUERY_MAX) {
		resp_error(req, 400, "bad_request", "Send {\"query\": TEXT} "
		    "of at most %d bytes.", MISS_QUERY_MAX);
		return;
	}
	/* empty and personal queries are dropped without a word: the
	 * answer must not tell a script what porchd thinks is personal */
	if (searchmiss_normalize(q, len, norm) == SEARCHMISS_OK) {
		a.query = norm;
		a.now = (long long)time(NULL);
		if ((rc = store_write(req->app->store, miss_tx, &a)) !=
		    STORE_OK) {
			resp_store_error(req, rc);
			return;
		}
	}
	req->resp.status = 204;
}

/* ---- POST /unsubscribe ---- */

struct unsub_arg {
	char		 hash[TOKEN_HEX + 1];
	long long	 now;
};

static int
unsub_tx(struct store_tx *tx, void *arg)
{
	struct unsub_arg *a = arg;

	return stx_unsubscribe(tx, a->hash, a->now);
}

/*
 * The token comes as ?token=T (the List-Unsubscribe URL, which mail
 * programs POST "List-Unsubscribe=One-Click" to, RFC 8058) or as the
 * token member of a JSON body (the unsubscribe page).
 */
static void
unsubscribe(struct req *req)
{
	struct unsub_arg a;
	json_t		*body = NULL;
	const char	*t, *ct;
	int		 rc;

	t = req_query(req, "token");
	ct = req_header(req, "Content-Type");
	if (t == NULL && req->body && ct && strncasecmp(ct,
	    "application/json", 16) == 0 && (body = json_loadb(req->body,
	    req->body_len, 0, NULL)) != NULL)
		t = json_string_value(json_object_get(body, "token"));
	if (t == NULL || !token_valid(t)) {
		json_decref(body);
		resp_error(req, 400, "invalid_token", "This unsubscribe link "
		    "is invalid.");
		return;
	}
	token_hash(a.hash, t, strlen(t));
	json_decref(body);
	a.now = (long long)time(NULL);
	rc = store_write(req->app->store, unsub_tx, &a);
	if (rc == STORE_NOTFOUND) {
		resp_error(req, 400, "invalid_token", "This unsubscribe link "
		    "is invalid.");
		return;
	}
	if (rc != STORE_OK) {
		resp_store_error(req, rc);
		return;
	}
	resp_no_store(req);
	resp_json(req, 200, json_pack("{s:s}", "status", "unsubscribed"));
}

/* ---- start and stop ---- */

static int
load_count(const char *item, long long n, void *arg)
{
	return votecache_set(arg, item, n);
}

int
votes_start(struct app *app)
{
	int	 rc;

	if ((app->votes = votecache_new()) == NULL ||
	    (app->verified = votecache_new()) == NULL ||
	    (app->vote_limits = ratelimit_new((app->cfg.vote_limit > 0 ?
	    app->cfg.vote_limit : 30) / 60.0, app->cfg.vote_burst > 0 ?
	    app->cfg.vote_burst : 20, VOTE_LIMIT_KEYS)) == NULL) {
		http_log("votes: out of memory");
		votes_stop(app);
		return 0;
	}
	if ((rc = store_vote_counts(app->store, load_count, app->votes)) !=
	    STORE_OK) {
		http_log("votes: cannot load the vote counts");
		votes_stop(app);
		return 0;
	}
	return 1;
}

void
votes_stop(struct app *app)
{
	votecache_free(app->votes);
	app->votes = NULL;
	votecache_free(app->verified);
	app->verified = NULL;
	ratelimit_free(app->vote_limits);
	app->vote_limits = NULL;
}

#define W	(ROUTE_JSON | ROUTE_LIMITED)

const struct route vote_routes[] = {
	{ "POST", "/votes", vote, ROUTE_AUTH | ROUTE_CSRF | W },
	{ "GET", "/votes/counts", counts, 0 },
	{ "GET", "/votes/mine", mine, ROUTE_AUTH },
	{ "POST", "/feedback", feedback, W },
	{ "POST", "/search/miss", search_miss, W },
	{ "POST", "/unsubscribe", unsubscribe, ROUTE_LIMITED },
	{ NULL, NULL, NULL, 0 },
};
