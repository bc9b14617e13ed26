/*
 * server: the HTTP side of porchd on libmicrohttpd (the only file that
 * includes microhttpd.h).  One thread per connection (capped), so a
 * handler may block on argon2 or a COMMIT without stalling others; every
 * limit set explicitly from the settings; framing checks (duplicate
 * Content-Length, Content-Length with Transfer-Encoding, header and body
 * sizes) before any body is read; then static files or the route table,
 * with the checks of the route's flags, security headers on every
 * answer, the access log, /metrics counts, and a graceful stop.
 */
#ifndef PORCHD_SERVER_H
#define PORCHD_SERVER_H

#include <stddef.h>

#include "app.h"

struct server;

/*
 * Starts listening on app->cfg.listen and serving; returns the server, or
 * NULL with a message in err (errlen bytes).  Sets app->server.
 */
struct server	*server_start(struct app *app, char *err, size_t errlen);
/* The port the server listens on (the kernel's choice for port 0). */
unsigned	 server_port(const struct server *);
/*
 * Stops gracefully: no new connections (MHD_quiesce_daemon, and the
 * listening socket shut so connects are refused at once), then waits up
 * to drain seconds for requests in flight, then closes every connection
 * and frees the server.  Answers given meanwhile carry Connection: close.
 */
void		 server_stop(struct server *, int drain);

/*
 * The cross-site check of an unsafe method on a ROUTE_CSRF route, from the
 * request's Sec-Fetch-Site, Origin and Referer (each may be NULL).
 * "cross-site" is refused; "same-origin" and "none" pass; "same-site"
 * (a sibling subdomain) and a missing Sec-Fetch-Site need the Origin (or
 * else the Referer's origin) to be allowed by allowed(ctx, origin); a
 * request with none of the three headers is not from a browser and
 * passes (it carries no ambient credentials to forge).  Returns 1 to go
 * on, 0 for 403.
 */
int	 server_origin_ok(const char *sec_fetch_site, const char *origin,
	     const char *referer, int (*allowed)(void *ctx, const char *),
	     void *ctx);
/* 1 if a Content-Type value is application/json (any parameters). */
int	 server_is_json(const char *content_type);

#endif
