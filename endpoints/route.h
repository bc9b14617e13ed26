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
 * exists with another method (405 rather than 404).  HEAD finds the GET
 * route of a path that has no HEAD row of its own. */
const struct route *route_find(const char *method, const char *path,
	     int *allowed);

/* Added by the server core. */

/* The feature tables routes.c joins; each ends with a row whose method is
 * NULL.  server_routes (routes.c): /healthz and /metrics. */
extern const struct route server_routes[];
extern const struct route account_routes[];	/* accounts.c */
extern const struct route ticket_routes[];	/* tickets.c */
extern const struct route vote_routes[];	/* votes.c */

/* route_find over the given NULL-terminated list of tables (tests). */
const struct route *route_find_in(const struct route *const *tables,
	     const char *method, const char *path, int *allowed);
/*
 * Writes the methods path answers to, as an Allow header value ("GET,
 * HEAD, OPTIONS"), to buf (len bytes); returns the number of rows that
 * match the path (0: no such path, buf empty).
 */
size_t	 route_allow(const char *path, char *buf, size_t len);
size_t	 route_allow_in(const struct route *const *tables, const char *path,
	     char *buf, size_t len);

#endif
