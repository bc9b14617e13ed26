/*
 * catalog: catalog.json, the file through which `porch build` tells
 * porchd about the site (docs/catalog.md).  Loaded at start and on SIGHUP;
 * a new catalog is parsed and checked completely before it replaces the
 * old one under app->catalog_lock, so readers (app_catalog, app.h) see the
 * old catalog or the new one, never a half.  A bad catalog keeps the old
 * one and logs why.
 */
#ifndef PORCHD_CATALOG_H
#define PORCHD_CATALOG_H

#include <stddef.h>
#include <jansson.h>

#include "app.h"

/* The catalog format version this porchd understands. */
#define CATALOG_VERSION	1

/* A new empty catalog (format, version, empty site and lists), used until
 * a real one loads; NULL when out of memory. */
json_t	*catalog_empty(void);
/*
 * Checks that cat is a catalog porchd can use: format "porch-catalog",
 * version CATALOG_VERSION, and every member porchd reads present with the
 * right type.  Returns 1, or 0 with a message naming the member
 * ("site.cors_origins[2]: expected a string") in err (errlen bytes).
 */
int	 catalog_validate(const json_t *cat, char *err, size_t errlen);
/*
 * Loads path and, when it parses and validates, makes it app's catalog
 * (counting the load in app->metrics).  Otherwise keeps the current one
 * and logs "path:line:col: message" (or the failed check).  A missing
 * file at start (initial != 0) is only a warning: porchd keeps the empty
 * catalog, so it can start before the first build.  Returns 1 if the
 * new catalog is in place.
 */
int	 catalog_load(struct app *app, const char *path, int initial);
/*
 * The path prefix porchd's routes live under, from site.endpoint: "/api"
 * for "/api" or "/api/", "/v1" for "https://api.example.com/v1", "" for
 * "https://api.example.com/" (routes at the top).  Default "/api".
 * Writes it to buf (len bytes) and returns buf.
 */
const char *catalog_api_prefix(const json_t *cat, char *buf, size_t len);
/*
 * Where links in mails point: public_url (the --public-url setting) when
 * given, else the catalog's site.base_url; http://localhost when neither
 * is an http(s) URL.  Never the request's Host header, which a client
 * chooses.  Heap, without trailing slashes; NULL when out of memory.
 */
char	*catalog_link_base(const char *public_url, const json_t *cat);
/*
 * The absolute URL of the API's root: site.endpoint when it is absolute,
 * else base (from catalog_link_base; it may carry a path, a site under
 * /help/) joined with the endpoint's path.  Heap, without trailing
 * slashes; NULL when out of memory.
 */
char	*catalog_api_url(const json_t *cat, const char *base);
/*
 * The origin ("https://host[:port]", lower case, no default port) of an
 * absolute http(s) URL, in out (len bytes); returns 0 when url is not
 * one.
 */
int	 catalog_origin_of(const char *url, char *out, size_t len);
/*
 * 1 if origin (as a browser sends it in Origin:) may call porchd with
 * credentials: it is exactly the origin of the catalog's site.base_url,
 * one of site.cors_origins, one of the comma-separated extra origins
 * (settings allow_origins, already normalized), the origin of public_url,
 * or self (the server's own origin, from Host:).  Any may be NULL.
 */
int	 catalog_origin_allowed(const json_t *cat, const char *extra,
	     const char *public_url, const char *self, const char *origin);

#endif
