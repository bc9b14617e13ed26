/*
 * catalog: loading, checking and swapping catalog.json; the API prefix and
 * the origin allow-list that come from it.  The check is a table of
 * expected members per object, so a catalog from an older or newer
 * generator is refused with the name of the first member that is wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "http.h"
#include "metrics.h"

enum ftype { T_STRING, T_INT, T_BOOL, T_OBJECT, T_ARRAY, T_STR_OR_NULL };

struct field {
	const char		*name;
	enum ftype		 type;
	const struct field	*members;	/* T_OBJECT, or items of T_ARRAY */
	enum ftype		 items;		/* T_ARRAY: type of each item */
};

static const struct field site_f[] = {
	{ "title", T_STRING, NULL, 0 },
	{ "base_url", T_STRING, NULL, 0 },
	{ "endpoint", T_STRING, NULL, 0 },
	{ "cors_origins", T_ARRAY, NULL, T_STRING },
	{ NULL, 0, NULL, 0 },
};
static const struct field article_f[] = {
	{ "id", T_STRING, NULL, 0 },
	{ "url", T_STRING, NULL, 0 },
	{ "title", T_STRING, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};
static const struct field roadmap_f[] = {
	{ "id", T_STRING, NULL, 0 },
	{ "url", T_STRING, NULL, 0 },
	{ "title", T_STRING, NULL, 0 },
	{ "status", T_STRING, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};
static const struct field change_f[] = {
	{ "version", T_STRING, NULL, 0 },
	{ "url", T_STRING, NULL, 0 },
	{ "title", T_STRING, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};
static const struct field tickets_f[] = {
	{ "types", T_ARRAY, NULL, T_OBJECT },
	{ NULL, 0, NULL, 0 },
};
static const struct field accounts_f[] = {
	{ "signup", T_BOOL, NULL, 0 },
	{ "magic_link", T_BOOL, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};
static const struct field root_f[] = {
	{ "format", T_STRING, NULL, 0 },
	{ "version", T_INT, NULL, 0 },
	{ "site", T_OBJECT, site_f, 0 },
	{ "articles", T_ARRAY, article_f, T_OBJECT },
	{ "roadmap", T_ARRAY, roadmap_f, T_OBJECT },
	{ "changelog", T_ARRAY, change_f, T_OBJECT },
	{ "tickets", T_OBJECT, tickets_f, 0 },
	{ "accounts", T_OBJECT, accounts_f, 0 },
	{ NULL, 0, NULL, 0 },
};

static const char *
type_name(enum ftype t)
{
	switch (t) {
	case T_STRING: return "a string";
	case T_INT: return "a whole number";
	case T_BOOL: return "true or false";
	case T_OBJECT: return "an object";
	case T_ARRAY: return "an array";
	default: return "a string or null";
	}
}

static int
type_ok(const json_t *v, enum ftype t)
{
	switch (t) {
	case T_STRING: return json_is_string(v);
	case T_INT: return json_is_integer(v);
	case T_BOOL: return json_is_boolean(v);
	case T_OBJECT: return json_is_object(v);
	case T_ARRAY: return json_is_array(v);
	default: return json_is_string(v) || json_is_null(v);
	}
}

/* Checks object o against fields; path names o in messages. */
static int
check_object(const json_t *o, const struct field *fields, const char *path,
    char *err, size_t errlen)
{
	const struct field *f;
	const json_t	*v, *item;
	char		 sub[256];
	size_t		 i;

	for (f = fields; f->name; f++) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
		    f->name);
		if ((v = json_object_get(o, f->name)) == NULL) {
			snprintf(err, errlen, "%s: missing", sub);
			return 0;
		}
		if (!type_ok(v, f->type)) {
			snprintf(err, errlen, "%s: expected %s", sub,
			    type_name(f->type));
			return 0;
		}
		if (f->type == T_OBJECT && f->members &&
		    !check_object(v, f->members, sub, err, errlen))
			return 0;
		if (f->type != T_ARRAY)
			continue;
		json_array_foreach(v, i, item) {
			if (!type_ok(item, f->items)) {
				snprintf(err, errlen, "%s[%zu]: expected %s",
				    sub, i, type_name(f->items));
				return 0;
			}
			if (f->items == T_OBJECT && f->members) {
				char at[300];

				if ((size_t)snprintf(at, sizeof(at),
				    "%s[%zu]", sub, i) >= sizeof(at))
					at[sizeof(at) - 1] = '\0';
				if (!check_object(item, f->members, at, err,
				    errlen))
					return 0;
			}
		}
	}
	return 1;
}

int
catalog_validate(const json_t *cat, char *err, size_t errlen)
{
	const json_t	*v;

	if (!json_is_object(cat)) {
		snprintf(err, errlen, "expected an object at the top");
		return 0;
	}
	v = json_object_get(cat, "format");
	if (!json_is_string(v) ||
	    strcmp(json_string_value(v), "porch-catalog") != 0) {
		snprintf(err, errlen, "format: expected \"porch-catalog\"");
		return 0;
	}
	v = json_object_get(cat, "version");
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "version: expected a whole number");
		return 0;
	}
	if (json_integer_value(v) != CATALOG_VERSION) {
		snprintf(err, errlen, "version %lld is not understood by this "
		    "porchd (it reads version %d)",
		    (long long)json_integer_value(v), CATALOG_VERSION);
		return 0;
	}
	return check_object(cat, root_f, "", err, errlen);
}

json_t *
catalog_empty(void)
{
	return json_pack("{s:s, s:i, s:{s:s, s:s, s:s, s:[]}, s:[], s:[], "
	    "s:[], s:{s:[]}, s:{s:b, s:b}}",
	    "format", "porch-catalog", "version", CATALOG_VERSION,
	    "site", "title", "", "base_url", "/", "endpoint", "/api",
	    "cors_origins",
	    "articles", "roadmap", "changelog",
	    "tickets", "types",
	    "accounts", "signup", 0, "magic_link", 0);
}

json_t *
app_catalog(struct app *app)
{
	json_t	*c;

	pthread_mutex_lock(&app->catalog_lock);
	c = json_incref(app->catalog);
	pthread_mutex_unlock(&app->catalog_lock);
	if (c == NULL)
		c = catalog_empty();
	return c;
}

/*
 * Drops a reference app_catalog gave.  The decrement happens under the
 * lock: jansson decrements with release ordering only, so the thread that
 * frees a catalog swapped out by SIGHUP must get its acquire from the
 * mutex, or it could free memory another thread's writes have not reached.
 */
void
app_catalog_release(struct app *app, json_t *c)
{
	pthread_mutex_lock(&app->catalog_lock);
	json_decref(c);
	pthread_mutex_unlock(&app->catalog_lock);
}

/* Counts a load for /metrics, when there are metrics. */
static void
count(struct app *app, int ok)
{
	if (app->metrics)
		metrics_count(app->metrics, ok ? METRICS_CATALOG_OK :
		    METRICS_CATALOG_FAILED);
}

int
catalog_load(struct app *app, const char *path, int initial)
{
	json_error_t	 e;
	json_t		*cat, *old;
	struct stat	 st;
	char		 msg[512];

	if (stat(path, &st) == -1 && errno == ENOENT) {
		if (initial) {
			http_log("warning: %s: no catalog yet; serving with an "
			    "empty one until `porch build` writes it and "
			    "porchd gets SIGHUP", path);
			return 0;
		}
		http_log("%s: %s; keeping the current catalog", path,
		    strerror(ENOENT));
		count(app, 0);
		return 0;
	}
	if ((cat = json_load_file(path, JSON_REJECT_DUPLICATES, &e)) == NULL) {
		if (e.line > 0)
			http_log("%s:%d:%d: %s; keeping the current catalog",
			    path, e.line, e.column, e.text);
		else
			http_log("%s: %s; keeping the current catalog", path,
			    e.text);
		count(app, 0);
		return 0;
	}
	if (!catalog_validate(cat, msg, sizeof(msg))) {
		http_log("%s: %s; keeping the current catalog", path, msg);
		json_decref(cat);
		count(app, 0);
		return 0;
	}
	pthread_mutex_lock(&app->catalog_lock);
	old = app->catalog;
	app->catalog = cat;
	json_decref(old);
	pthread_mutex_unlock(&app->catalog_lock);
	count(app, 1);
	http_log("catalog %s loaded: %zu articles, %zu roadmap items, "
	    "%zu changelog entries", path,
	    json_array_size(json_object_get(cat, "articles")),
	    json_array_size(json_object_get(cat, "roadmap")),
	    json_array_size(json_object_get(cat, "changelog")));
	return 1;
}

/* 1 if s is an absolute http(s) URL. */
static int
is_http_url(const char *s)
{
	return s && (strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "http://", 7) == 0);
}

/* A heap copy of s without trailing slashes, or NULL. */
static char *
strdup_trimmed(const char *s)
{
	char	*d;
	size_t	 n;

	if ((d = strdup(s)) == NULL)
		return NULL;
	n = strlen(d);
	while (n > 0 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

char *
catalog_link_base(const char *public_url, const json_t *cat)
{
	const char	*u = public_url;

	if (u == NULL)
		u = json_string_value(json_object_get(json_object_get(cat,
		    "site"), "base_url"));
	return strdup_trimmed(is_http_url(u) ? u : "http://localhost");
}

char *
catalog_api_url(const json_t *cat, const char *base)
{
	const char	*ep;
	char		 prefix[256], *s;

	ep = json_string_value(json_object_get(json_object_get(cat, "site"),
	    "endpoint"));
	if (is_http_url(ep))
		return strdup_trimmed(ep);
	if (asprintf(&s, "%s%s", base, catalog_api_prefix(cat, prefix,
	    sizeof(prefix))) < 0)
		return NULL;
	return s;
}

const char *
catalog_api_prefix(const json_t *cat, char *buf, size_t len)
{
	const char	*ep, *p;
	size_t		 n;

	ep = json_string_value(json_object_get(json_object_get(cat, "site"),
	    "endpoint"));
	if (ep == NULL)
		goto dflt;
	if (strncmp(ep, "https://", 8) == 0 || strncmp(ep, "http://", 7) == 0) {
		p = strstr(ep, "://") + 3;
		p += strcspn(p, "/");
	} else
		p = ep;
	if (*p == '\0') {
		buf[0] = '\0';
		return buf;
	}
	if (*p != '/' || strpbrk(p, "?#\\ ") != NULL || strstr(p, "..") ||
	    strstr(p, "//"))
		goto dflt;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n >= len)
		goto dflt;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
dflt:
	snprintf(buf, len, "/api");
	return buf;
}

int
catalog_origin_of(const char *url, char *out, size_t len)
{
	const char	*host, *end, *colon, *scheme;
	size_t		 hl, i, sl;
	int		 https;

	if (url == NULL)
		return 0;
	if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		host = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		host = url + 7;
	} else
		return 0;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL || end == host)
		return 0;
	hl = (size_t)(end - host);
	/* drop the default port */
	colon = NULL;
	for (i = hl; i > 0; i--)
		if (host[i - 1] == ':') {
			colon = host + i - 1;
			break;
		} else if (host[i - 1] == ']')
			break;
	if (colon && ((https && (size_t)(end - colon) == 4 &&
	    strncmp(colon, ":443", 4) == 0) || (!https &&
	    (size_t)(end - colon) == 3 && strncmp(colon, ":80", 3) == 0)))
		hl = (size_t)(colon - host);
	scheme = https ? "https://" : "http://";
	sl = strlen(scheme);
	if (sl + hl + 1 > len)
		return 0;
	memcpy(out, scheme, sl);
	for (i = 0; i < hl; i++)
		out[sl + i] = (char)tolower((unsigned char)host[i]);
	out[sl + hl] = '\0';
	return 1;
}

/* 1 if origin equals the origin of url. */
static int
same(const char *url, const char *origin)
{
	char	 o[512];

	return catalog_origin_of(url, o, sizeof(o)) && strcmp(o, origin) == 0;
}

int
catalog_origin_allowed(const json_t *cat, const char *extra,
    const char *public_url, const char *self, const char *origin)
{
	const json_t	*site, *list, *v;
	const char	*p, *q;
	size_t		 i, ol;

	if (origin == NULL || *origin == '\0' || strcmp(origin, "null") == 0)
		return 0;
	ol = strlen(origin);
	if (self && strcmp(self, origin) == 0)
		return 1;
	if (public_url && same(public_url, origin))
		return 1;
	for (p = extra; p && *p; p = *q ? q + 1 : q) {
		q = p + strcspn(p, ",");
		if ((size_t)(q - p) == ol && strncmp(p, origin, ol) == 0)
			return 1;
	}
	site = json_object_get(cat, "site");
	if (same(json_string_value(json_object_get(site, "base_url")), origin))
		return 1;
	list = json_object_get(site, "cors_origins");
	json_array_foreach(list, i, v)
		if (same(json_string_value(v), origin))
			return 1;
	return 0;
}
