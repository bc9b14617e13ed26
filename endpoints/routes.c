/*
 * routes: joins the feature tables into the one lookup the server uses,
 * and holds the server's own rows: GET /healthz and GET /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "metrics.h"
#include "route.h"
#include "store.h"

static void	 healthz(struct req *);
static void	 metrics(struct req *);

const struct route server_routes[] = {
	{ "GET", "/healthz", healthz, 0 },
	{ "GET", "/metrics", metrics, 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct route *const tables[] = {
	server_routes,
	account_routes,
	ticket_routes,
	vote_routes,
	NULL,
};

/* 1 if pattern (exact, or a prefix when it ends in '*') matches path. */
static int
path_matches(const char *pattern, const char *path)
{
	size_t	 n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

const struct route *
route_find_in(const struct route *const *tabs, const char *method,
    const char *path, int *allowed)
{
	const struct route *const *t;
	const struct route *r, *get = NULL;
	int	 any = 0;

	for (t = tabs; *t; t++)
		for (r = *t; r->method; r++) {
			if (!path_matches(r->path, path))
				continue;
			any = 1;
			if (strcmp(r->method, method) == 0) {
				if (allowed)
					*allowed = 0;
				return r;
			}
			if (get == NULL && strcmp(r->method, "GET") == 0)
				get = r;
		}
	if (get && strcmp(method, "HEAD") == 0) {
		if (allowed)
			*allowed = 0;
		return get;
	}
	if (allowed)
		*allowed = any;
	return NULL;
}

const struct route *
route_find(const char *method, const char *path, int *allowed)
{
	return route_find_in(tables, method, path, allowed);
}

/* Appends method to the ", "-separated list in buf unless there. */
static void
add_method(char *buf, size_t len, const char *method)
{
	const char	*p, *q;
	size_t		 ml = strlen(method), tl, used;

	for (p = buf; *p; p = q ? q + 2 : p + tl) {
		q = strchr(p, ',');
		tl = q ? (size_t)(q - p) : strlen(p);
		if (tl == ml && strncmp(p, method, ml) == 0)
			return;
	}
	used = strlen(buf);
	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", method);
}

size_t
route_allow_in(const struct route *const *tabs, const char *path, char *buf,
    size_t len)
{
	const struct route *const *t;
	const struct route *r;
	size_t	 n = 0;
	int	 get = 0, head = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (t = tabs; *t; t++)
		for (r = *t; r->method; r++)
			if (path_matches(r->path, path)) {
				add_method(buf, len, r->method);
				get |= strcmp(r->method, "GET") == 0;
				head |= strcmp(r->method, "HEAD") == 0;
				n++;
			}
	if (n == 0)
		return 0;
	if (get && !head)
		add_method(buf, len, "HEAD");
	add_method(buf, len, "OPTIONS");
	return n;
}

size_t
route_allow(const char *path, char *buf, size_t len)
{
	return route_allow_in(tables, path, buf, len);
}

/*
 * GET /healthz: 200 when the database answers a read, 503 otherwise;
 * either way the body says what porchd knows about itself.  A database
 * that reads but cannot be written (read-only storage) is "degraded",
 * still 200: the pages and every read work, and a load balancer has
 * nowhere better to send them; "writes" says why the rest answers 503.
 */
static void
healthz(struct req *req)
{
	struct app	*app = req->app;
	json_t		*cat, *site, *v;
	char		 why[256] = "";
	int		 db, writable;

	db = app->store != NULL && store_ping(app->store);
	writable = app->store != NULL && store_writable(app->store, why,
	    sizeof(why));
	cat = app_catalog(app);
	site = json_object_get(cat, "site");
	v = json_pack("{s:s, s:s, s:s, s:I, s:{s:s?, s:I, s:I, s:I}, s:s, "
	    "s:I}",
	    "status", !db ? "error" : writable ? "ok" : "degraded",
	    "db", db ? "ok" : "down",
	    "writes", writable ? "ok" : why,
	    "catalog_version", json_integer_value(json_object_get(cat,
	    "version")),
	    "catalog",
	    "title", json_string_value(json_object_get(site, "title")),
	    "articles", (json_int_t)json_array_size(json_object_get(cat,
	    "articles")),
	    "roadmap", (json_int_t)json_array_size(json_object_get(cat,
	    "roadmap")),
	    "changelog", (json_int_t)json_array_size(json_object_get(cat,
	    "changelog")),
	    "version", PORCH_VERSION,
	    "uptime_seconds", app->metrics ?
	    (json_int_t)metrics_uptime(app->metrics) : (json_int_t)0);
	app_catalog_release(app, cat);
	resp_json(req, db ? 200 : 503, v);
}

/* GET /metrics: the Prometheus text format. */
static void
metrics(struct req *req)
{
	char	*text;
	size_t	 len;

	if (req->app->metrics == NULL ||
	    (text = metrics_render(req->app->metrics, &len)) == NULL) {
		resp_error(req, 500, "internal", "metrics unavailable");
		return;
	}
	if (!resp_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    text, len))
		resp_error(req, 500, "internal", "out of memory");
	free(text);
}
