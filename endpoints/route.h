/*
 * route: the table of what porchd answers, in the manner of kcgi's page
 * tables: method, path, handler, and what the server checks before the
 * handler runs.  Each feature file exports its own table (accounts.c:
 * account_routes); routes.c joins them.
 */
#ifndef PORCHD_ROUTE_H
#define PORCHD_ROUTE_H

#include "http.h"

enum route_flags {
	ROUTE_AUTH	= 1 << 0,	/* needs a logged-in account: else 401 */
	ROUTE_CSRF	= 1 << 1,	/* unsafe method: Sec-Fetch-Site /
					   Origin checks, else 403 */
	ROUTE_JSON	= 1 << 2,	/* body must be a JSON object: else 400
					   (415 for another Content-Type) */
	ROUTE_LIMITED	= 1 << 3,	/* per-IP write rate limit: else 429 */
};

struct route {
	const char	*method;
	const char	*path;		/* exact match; a trailing '*' matches a prefix */
	void		(*handler)(struct req *);
	unsigned	 flags;
};

/* The route for method and path, or NULL; *allowed gets 1 when the path
 * exists with another method (405 rather than 404). */
const struct route *route_find(const char *method, const char *path,
	     int *allowed);

#endif
