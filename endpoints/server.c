/*
 * server: libmicrohttpd set-up, limits and dispatch (see server.h).
 *
 * The life of a request, as MHD calls us:
 *
 *   uri_logged   the request line arrived: a struct rstate is made (the
 *                per-request memory, freed in one place, completed) with
 *                the raw request target, which we decode ourselves (MHD's
 *                decoded URL cannot tell "/a%00b" from "/a").
 *   on_request   first call, headers complete: size and framing checks;
 *                a refusal is queued at once, and MHD then closes the
 *                connection without reading the body.
 *                later calls: the body, copied and counted (413 past
 *                max_body), and the last call: dispatch, then the answer.
 *   completed    the answer went out (or the connection died): access log,
 *                metrics, free.
 *
 * Beside MHD's own idle timeout, a reaper thread cuts connections whose
 * request headers take longer than the timeout to arrive (slowloris: one
 * byte every few seconds resets an idle timer forever) and bodies that
 * take longer than BODY_TIMEOUTS times the timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "auth.h"
#include "catalog.h"
#include "http.h"
#include "metrics.h"
#include "multipart.h"
#include "ratelimit.h"
#include "route.h"
#include "server.h"
#include "settings.h"
#include "static.h"

/* A body may take this many timeouts to arrive in all. */
#define BODY_TIMEOUTS	4
/* Past max_body, a chunked body is read and dropped (so the client can
 * read the 413) up to this many times max_body; then the connection is
 * closed. */
#define DISCARD_FACTOR	8
/* Threads get an explicit stack rather than whatever ulimit -s says. */
#define THREAD_STACK	(2 * 1024 * 1024)
/* MHD log lines per second, at most (a flood of refused connections
 * must not become a flood of log lines). */
#define MHD_LOG_RATE	20

static const char CSP_API[] = "default-src 'none'; frame-ancestors 'none'";
static const char CSP_HTML[] = "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'";

enum phase {
	PH_HEADERS,	/* waiting for (the rest of) a request's headers */
	PH_BODY,	/* reading a body */
	PH_WORK		/* in a handler, or sending: no deadline of ours */
};

/* One TCP connection (MHD's socket context). */
struct conninfo {
	struct conninfo	*prev, *next;
	int		 fd;
	enum phase	 phase;
	double		 since;		/* when the phase began (monotonic) */
	int		 cut;		/* shut down by the reaper */
	char		 ip[64];
};

/* One request (MHD's con_cls). */
struct rstate {
	struct req	 req;
	struct server	*srv;
	struct conninfo	*conn;
	char		*raw;		/* request target as sent */
	char		*raw_query;	/* into raw, after '?', or NULL */
	char		*path;		/* decoded path, or NULL when bad */
	double		 start;
	int		 started;	/* on_request's first call happened */
	int		 answered;	/* a response was queued */
	int		 too_big;	/* body past max_body */
	size_t		 limit;		/* this request's body limit: max_body,
					   or max_upload for a multipart body
					   to a ticket route (body_limit) */
	int		 is_static;	/* answered from the site folder */
	size_t		 body_cap;
	unsigned long long discarded;
	const char	*route;		/* metrics label */
	int		 status;
	size_t		 bytes;
};

struct server {
	struct app	*app;
	struct MHD_Daemon *daemon;
	unsigned	 port;
	atomic_int	 stopping;
	pthread_mutex_t	 lock;		/* conns, and each conninfo's phase */
	struct conninfo	*conns;
	pthread_t	 reaper;
	pthread_cond_t	 wake;
	int		 reaper_stop;
	/* MHD log rate */
	pthread_mutex_t	 loglock;
	time_t		 logsec;
	int		 logcount;
	unsigned long	 logdropped;
};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Request accessors of http.h. */

const char *
req_header(const struct req *req, const char *name)
{
	if (req->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
req_query(const struct req *req, const char *name)
{
	const char	*v;
	size_t		 len;

	if (req->conn == NULL ||
	    MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND,
	    name, strlen(name), &v, &len) != MHD_YES || v == NULL)
		return NULL;
	/* "%00" decodes to a NUL inside the value: refuse rather than cut */
	if (memchr(v, '\0', len) != NULL)
		return NULL;
	return v;
}

/* Pure policy helpers (server.h). */

int
server_origin_ok(const char *sfs, const char *origin, const char *referer,
    int (*allowed)(void *, const char *), void *ctx)
{
	char	 o[512];

	if (sfs != NULL) {
		if (strcasecmp(sfs, "cross-site") == 0)
			return 0;
		if (strcasecmp(sfs, "same-origin") == 0 ||
		    strcasecmp(sfs, "none") == 0)
			return 1;
		/* "same-site" or unknown: the origin decides */
	}
	if (origin != NULL)
		return allowed(ctx, origin);
	if (referer != NULL)
		return catalog_origin_of(referer, o, sizeof(o)) &&
		    allowed(ctx, o);
	return 1;
}

int
server_is_json(const char *ct)
{
	size_t	 n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

/* MHD's messages go to our log, at most MHD_LOG_RATE a second. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server	*srv = cls;
	char		 buf[512];
	size_t		 n;
	time_t		 t = time(NULL);
	unsigned long	 dropped = 0;

	pthread_mutex_lock(&srv->loglock);
	if (t != srv->logsec) {
		dropped = srv->logdropped;
		srv->logsec = t;
		srv->logcount = 0;
		srv->logdropped = 0;
	}
	if (srv->logcount >= MHD_LOG_RATE) {
		srv->logdropped++;
		pthread_mutex_unlock(&srv->loglock);
		return;
	}
	srv->logcount++;
	pthread_mutex_unlock(&srv->loglock);
	if (dropped)
		http_log("microhttpd: (%lu messages dropped)", dropped);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	http_log("microhttpd: %s", buf);
}

/* The client's address as text; IPv4-mapped IPv6 as plain IPv4. */
static void
peer_ip(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const struct sockaddr_in6 *s6;

	snprintf(out, len, "-");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)len);
	else if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, out,
			    (socklen_t)len);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, out,
			    (socklen_t)len);
	}
}

static int
is_loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

/*
 * Behind a trusted proxy on loopback: the client is the last address of
 * X-Forwarded-For (the one our proxy added), https from
 * X-Forwarded-Proto.
 */
static void
apply_proxy(struct req *req)
{
	const char	*xff, *proto, *last;
	char		 ip[64];
	unsigned char	 bin[16];
	size_t		 n;

	if (!req->app->cfg.trust_proxy || !is_loopback(req->ip))
		return;
	if ((proto = req_header(req, "X-Forwarded-Proto")) != NULL)
		req->https = strcasecmp(proto, "https") == 0;
	if ((xff = req_header(req, "X-Forwarded-For")) == NULL)
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof(ip))
		return;
	memcpy(ip, last, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, bin) == 1 ||
	    inet_pton(AF_INET6, ip, bin) == 1)
		snprintf(req->ip, sizeof(req->ip), "%s", ip);
}

/* Moves the connection of rs to phase p (under the lock the reaper
 * reads with). */
static void
set_phase(struct server *srv, struct conninfo *ci, enum phase p)
{
	if (ci == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	ci->phase = p;
	ci->since = now_mono();
	pthread_mutex_unlock(&srv->lock);
}

/* Adds the headers every answer carries, then hands resp to MHD. */
static enum MHD_Result
respond(struct rstate *rs)
{
	struct req		*req = &rs->req;
	struct resp		*r = &req->resp;
	struct MHD_Response	*mr;
	enum MHD_Result		 ret;
	const char		*type;
	size_t			 i;
	int			 html;

	if (r->status == 0)
		resp_error(req, 500, "internal", "no answer");
	type = r->type ? r->type : "application/json";
	html = strncasecmp(type, "text/html", 9) == 0;
	if (r->file_fd >= 0) {
		mr = MHD_create_response_from_fd((uint64_t)r->file_size,
		    r->file_fd);
		if (mr != NULL)
			r->file_fd = -1;	/* MHD closes it */
		rs->bytes = r->file_size;
	} else {
		mr = MHD_create_response_from_buffer(r->body_len,
		    r->body ? r->body : (char *)"", r->body ?
		    MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (mr != NULL)
			r->body = NULL;		/* MHD frees it */
		rs->bytes = r->body_len;
	}
	if (mr == NULL) {
		http_log("out of memory building an answer");
		return MHD_NO;
	}
	if (r->status == 304 || r->status == 204 ||
	    strcmp(req->method, "HEAD") == 0)
		rs->bytes = 0;
	if (r->status != 304 && r->status != 204)
		MHD_add_response_header(mr, "Content-Type", type);
	for (i = 0; i < r->nheaders; i++)
		MHD_add_response_header(mr, r->headers[i].name,
		    r->headers[i].value);
	if (resp_header_get(r, "Content-Security-Policy") == NULL)
		MHD_add_response_header(mr, "Content-Security-Policy",
		    html ? CSP_HTML : CSP_API);
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "Referrer-Policy",
	    "strict-origin-when-cross-origin");
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	if (req->https)
		MHD_add_response_header(mr, "Strict-Transport-Security",
		    "max-age=31536000");
	if (!rs->is_static && resp_header_get(r, "Cache-Control") == NULL)
		MHD_add_response_header(mr, "Cache-Control", "no-store");
	if (atomic_load(&rs->srv->stopping))
		MHD_add_response_header(mr, "Connection", "close");
	rs->status = r->status;
	rs->answered = 1;
	set_phase(rs->srv, rs->conn, PH_WORK);
	ret = MHD_queue_response(req->conn, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Answers at once with an error (before the body is read). */
static enum MHD_Result
refuse(struct rstate *rs, int status, const char *code, const char *msg)
{
	resp_error(&rs->req, status, code, "%s", msg);
	return respond(rs);
}

/* Counts Content-Length and Transfer-Encoding headers, and header
 * names that are not tokens ("Content-Length :" must not slip past). */
struct framing {
	int		 ncl, nte, badname;
	const char	*cl, *te;
};

static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (*key == '\0' || key[strspn(key, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")] != '\0')
		f->badname++;
	if (strcasecmp(key, "Content-Length") == 0) {
		f->ncl++;
		f->cl = value;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->nte++;
		f->te = value;
	}
	return MHD_YES;
}

/*
 * The body limit of a request: settings.max_upload for multipart bodies
 * to a ticket route (attachments, tickets.c), else settings.max_body.
 */
static size_t
body_limit(struct rstate *rs)
{
	struct req	*req = &rs->req;
	struct settings	*cfg = &req->app->cfg;

	if (cfg->max_upload > cfg->max_body && rs->raw != NULL &&
	    strstr(rs->raw, "/tickets") != NULL &&
	    multipart_is(req_header(req, "Content-Type")))
		return cfg->max_upload;
	return cfg->max_body;
}

/*
 * The first call: everything that can be judged from the headers alone.
 * Returns 1 to go on reading, 0 when a refusal was queued (*ret set).
 */
static int
check_headers(struct rstate *rs, const char *version, enum MHD_Result *ret)
{
	struct req	*req = &rs->req;
	struct settings	*cfg = &req->app->cfg;
	const union MHD_ConnectionInfo *ci;
	struct framing	 f;
	unsigned long long cl;
	char		*end;
	size_t		 rawlen;

	ci = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (ci != NULL && ci->header_size > cfg->max_header) {
		*ret = refuse(rs, 431, "header_too_large", "the request "
		    "headers are too large");
		return 0;
	}
	memset(&f, 0, sizeof(f));
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_framing,
	    &f);
	if (f.badname) {
		*ret = refuse(rs, 400, "bad_request", "a malformed header "
		    "name");
		return 0;
	}
	if (strcmp(version, "HTTP/1.0") != 0 && req_header(req, "Host") ==
	    NULL) {
		*ret = refuse(rs, 400, "bad_request", "HTTP/1.1 requests need "
		    "a Host header");
		return 0;
	}
	if (f.ncl > 1) {
		*ret = refuse(rs, 400, "bad_request", "more than one "
		    "Content-Length header");
		return 0;
	}
	if (f.ncl && f.nte) {
		*ret = refuse(rs, 400, "bad_request", "both Content-Length "
		    "and Transfer-Encoding");
		return 0;
	}
	if (f.nte > 1 || (f.nte && strcasecmp(f.te, "chunked") != 0)) {
		*ret = refuse(rs, 501, "not_implemented", "only the chunked "
		    "transfer coding is understood");
		return 0;
	}
	if (f.ncl) {
		errno = 0;
		cl = strtoull(f.cl, &end, 10);
		if (f.cl[0] < '0' || f.cl[0] > '9' || *end != '\0' ||
		    errno == ERANGE) {
			*ret = refuse(rs, 400, "bad_request", "a bad "
			    "Content-Length");
			return 0;
		}
		if (cl > rs->limit) {
			*ret = refuse(rs, 413, "body_too_large", "the request "
			    "body is too large");
			return 0;
		}
	}
	if (rs->raw == NULL || rs->raw[0] != '/') {
		*ret = refuse(rs, 400, "bad_request", "the request target "
		    "must be a path");
		return 0;
	}
	rawlen = strlen(rs->raw);
	if ((rs->path = malloc(rawlen + 1)) == NULL) {
		*ret = refuse(rs, 500, "internal", "out of memory");
		return 0;
	}
	if (!http_decode_path(rs->raw, rawlen, rs->path)) {
		free(rs->path);
		rs->path = NULL;
		*ret = refuse(rs, 400, "bad_request", "a malformed path");
		return 0;
	}
	req->path = rs->path;
	return 1;
}

/* For server_origin_ok: the allow-list of this request. */
struct origin_ctx {
	struct req	*req;
	json_t		*cat;
	char		 self[300];
};

static int
origin_allowed(void *cls, const char *origin)
{
	struct origin_ctx *oc = cls;
	struct settings	*cfg = &oc->req->app->cfg;

	return catalog_origin_allowed(oc->cat, cfg->allow_origins,
	    cfg->public_url, oc->self[0] ? oc->self : NULL, origin);
}

/* The server's own origin, from Host: and the scheme. */
static void
self_origin(struct req *req, char *out, size_t len)
{
	const char	*host = req_header(req, "Host");
	char		 url[300];

	out[0] = '\0';
	if (host == NULL || strlen(host) > 255 ||
	    strpbrk(host, "/?#@\\ \t") != NULL)
		return;
	snprintf(url, sizeof(url), "%s://%s", req->https ? "https" : "http",
	    host);
	if (!catalog_origin_of(url, out, len))
		out[0] = '\0';
}

/* ROUTE_JSON: the body as a JSON object in req->json; 1, or 0 answered. */
static int
parse_json(struct req *req)
{
	json_error_t	 e;

	if (!server_is_json(req_header(req, "Content-Type"))) {
		resp_error(req, 415, "unsupported_media_type", "send "
		    "Content-Type: application/json");
		return 0;
	}
	if (req->body == NULL || req->body_len == 0) {
		resp_error(req, 400, "bad_json", "a JSON object is required");
		return 0;
	}
	req->json = json_loadb(req->body, req->body_len,
	    JSON_REJECT_DUPLICATES, &e);
	if (req->json == NULL) {
		resp_error(req, 400, "bad_json", "line %d column %d: %s",
		    e.line, e.column, e.text);
		return 0;
	}
	if (!json_is_object(req->json)) {
		resp_error(req, 400, "bad_json", "expected a JSON object");
		return 0;
	}
	return 1;
}

static int
unsafe_method(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0;
}

/* 1 if method is one of the ", "-separated methods in list. */
static int
in_list(const char *list, const char *method)
{
	const char	*p, *q;
	size_t		 ml = strlen(method), tl;

	for (p = list; *p; p = q ? q + 2 : p + tl) {
		q = strchr(p, ',');
		tl = q ? (size_t)(q - p) : strlen(p);
		if (tl == ml && strncmp(p, method, ml) == 0)
			return 1;
	}
	return 0;
}

/* A routed request: path is the route path (prefix removed). */
static void
dispatch_route(struct rstate *rs, const char *path, json_t *cat)
{
	struct req		*req = &rs->req;
	struct app		*app = req->app;
	const struct route	*rt;
	struct origin_ctx	 oc;
	const char		*origin, *acrm;
	char			 allow[128], key[64];
	int			 allowed, ok_origin, retry;

	req->path = path;
	memset(&oc, 0, sizeof(oc));
	oc.req = req;
	oc.cat = cat;
	self_origin(req, oc.self, sizeof(oc.self));
	origin = req_header(req, "Origin");
	ok_origin = origin != NULL && origin_allowed(&oc, origin);
	resp_header(req, "Vary", "Origin");
	if (ok_origin) {
		resp_header(req, "Access-Control-Allow-Origin", origin);
		resp_header(req, "Access-Control-Allow-Credentials", "true");
	}

	if (strcmp(req->method, "OPTIONS") == 0) {
		rs->route = "preflight";
		if (route_allow(path, allow, sizeof(allow)) == 0) {
			resp_error(req, 404, "not_found", "no such endpoint");
			return;
		}
		acrm = req_header(req, "Access-Control-Request-Method");
		if (origin != NULL && acrm != NULL) {
			if (!ok_origin) {
				resp_error(req, 403, "cors", "this origin may "
				    "not call the API");
				return;
			}
			if (!in_list(allow, acrm)) {
				resp_error(req, 403, "cors", "method not "
				    "allowed here");
				return;
			}
			resp_header(req, "Access-Control-Allow-Methods",
			    allow);
			resp_header(req, "Access-Control-Allow-Headers",
			    "Content-Type, X-CSRF-Token");
			resp_header(req, "Access-Control-Max-Age", "600");
		}
		resp_header(req, "Allow", allow);
		req->resp.status = 204;
		return;
	}

	if ((rt = route_find(req->method, path, &allowed)) == NULL) {
		if (allowed) {
			rs->route = "unmatched";
			route_allow(path, allow, sizeof(allow));
			resp_error(req, 405, "method_not_allowed", "this "
			    "endpoint does not take %s", req->method);
			resp_header(req, "Allow", allow);
		} else {
			rs->route = "unmatched";
			resp_error(req, 404, "not_found", "no such endpoint");
		}
		return;
	}
	rs->route = rt->path;
	auth_load_session(req);

	/* the cheap cross-site check first: a forged request must not
	 * use up the victim's write tokens */
	if ((rt->flags & ROUTE_CSRF) && unsafe_method(req->method) &&
	    !server_origin_ok(req_header(req, "Sec-Fetch-Site"), origin,
	    req_header(req, "Referer"), origin_allowed, &oc)) {
		resp_error(req, 403, "csrf", "cross-site request refused");
		return;
	}
	if ((rt->flags & ROUTE_LIMITED) && app->limits != NULL) {
		ratelimit_key(req->ip, key, sizeof(key));
		if (!ratelimit_take(app->limits, key, ratelimit_now(),
		    &retry)) {
			if (app->metrics)
				metrics_count(app->metrics,
				    METRICS_RATE_LIMITED);
			resp_rate_limited(req, retry, "too many requests; "
			    "try again in %d s", retry);
			return;
		}
	}
	if ((rt->flags & ROUTE_AUTH) && req->user_id == 0) {
		resp_error(req, 401, "unauthenticated", "log in first");
		return;
	}
	if ((rt->flags & ROUTE_CSRF) && unsafe_method(req->method) &&
	    !auth_csrf_token_ok(req)) {
		resp_error(req, 403, "csrf", "missing or wrong CSRF token");
		return;
	}
	if ((rt->flags & ROUTE_JSON) && !parse_json(req))
		return;
	rt->handler(req);
	if (req->resp.status == 0) {
		http_log("handler for %s %s gave no answer", req->method,
		    rt->path);
		resp_error(req, 500, "internal", "no answer");
	}
}

/*
 * A page the site's scripts call the API from: when site.endpoint is
 * another origin (the subdomain set-up), the page's CSP must let them
 * connect there.
 */
static void
page_csp(struct req *req, json_t *cat)
{
	const char	*ep;
	char		 origin[300], csp[sizeof(CSP_HTML) + 320];

	if (req->resp.type == NULL ||
	    strncmp(req->resp.type, "text/html", 9) != 0)
		return;
	ep = json_string_value(json_object_get(json_object_get(cat, "site"),
	    "endpoint"));
	if (!catalog_origin_of(ep, origin, sizeof(origin)))
		return;
	snprintf(csp, sizeof(csp), "%s; connect-src 'self' %s", CSP_HTML,
	    origin);
	resp_header(req, "Content-Security-Policy", csp);
}

/* The last call: static file or route. */
static void
dispatch(struct rstate *rs)
{
	struct req	*req = &rs->req;
	struct app	*app = req->app;
	const char	*path = rs->path, *rpath = NULL;
	char		 prefix[256];
	size_t		 pl;
	int		 allowed;
	json_t		*cat;

	cat = app_catalog(app);
	if (cat == NULL) {
		resp_error(req, 500, "internal", "out of memory");
		return;
	}
	catalog_api_prefix(cat, prefix, sizeof(prefix));
	pl = strlen(prefix);
	if (pl > 0 && strncmp(path, prefix, pl) == 0 &&
	    (path[pl] == '\0' || path[pl] == '/'))
		rpath = path[pl] ? path + pl : "/";
	else if (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0)
		rpath = path;
	else if (app->cfg.site == NULL)
		rpath = path;
	else if (pl == 0 && (route_find(req->method, path, &allowed) != NULL ||
	    allowed))
		rpath = path;

	if (rpath != NULL) {
		dispatch_route(rs, rpath, cat);
		app_catalog_release(app, cat);
		return;
	}
	rs->route = "static";
	rs->is_static = 1;
	if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0) {
		static_serve(req, app->cfg.site, path, rs->raw, rs->raw_query);
		page_csp(req, cat);
	} else {
		resp_header(req, "Allow", "GET, HEAD, OPTIONS");
		if (strcmp(req->method, "OPTIONS") == 0)
			req->resp.status = 204;
		else
			resp_error(req, 405, "method_not_allowed", "pages take "
			    "GET and HEAD");
	}
	app_catalog_release(app, cat);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct server	*srv = cls;
	struct rstate	*rs = *con_cls;
	struct req	*req;
	enum MHD_Result	 ret;
	size_t		 n, ncap;
	char		*grown;

	(void)url;
	if (rs == NULL)		/* uri_logged ran out of memory */
		return MHD_NO;
	req = &rs->req;
	if (rs->answered) {
		/* refused early: MHD drops what follows */
		*upload_size = 0;
		return MHD_YES;
	}
	if (!rs->started) {
		rs->started = 1;
		req->conn = conn;
		req->method = method;
		peer_ip(conn, req->ip, sizeof(req->ip));
		apply_proxy(req);
		set_phase(srv, rs->conn, PH_BODY);
		rs->limit = body_limit(rs);
		if (!check_headers(rs, version, &ret))
			return ret;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		n = *upload_size;
		*upload_size = 0;
		if (rs->too_big) {
			rs->discarded += n;
			return rs->discarded > (unsigned long long)
			    rs->limit * DISCARD_FACTOR ? MHD_NO : MHD_YES;
		}
		if (req->body_len + n > rs->limit) {
			rs->too_big = 1;
			rs->discarded = req->body_len + n;
			free(req->body);
			req->body = NULL;
			req->body_len = 0;
			return MHD_YES;
		}
		if (req->body_len + n + 1 > rs->body_cap) {
			ncap = rs->body_cap ? rs->body_cap : 4096;
			while (ncap < req->body_len + n + 1)
				ncap *= 2;
			if (ncap > rs->limit + 1)
				ncap = rs->limit + 1;
			if ((grown = realloc(req->body, ncap)) == NULL)
				return MHD_NO;
			req->body = grown;
			rs->body_cap = ncap;
		}
		memcpy(req->body + req->body_len, upload, n);
		req->body_len += n;
		req->body[req->body_len] = '\0';
		return MHD_YES;
	}
	set_phase(srv, rs->conn, PH_WORK);
	if (rs->too_big)
		resp_error(req, 413, "body_too_large", "the request body is "
		    "too large");
	else
		dispatch(rs);
	return respond(rs);
}

/* Escapes s (up to n bytes) for a log line: no spaces, quotes or
 * control characters survive. */
static void
log_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	 o = 0;
	unsigned char c;

	for (; *s && o + 4 < len; s++) {
		c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* MHD's uri log callback: a request line arrived. */
static void *
uri_logged(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct server	*srv = cls;
	struct rstate	*rs;
	const union MHD_ConnectionInfo *ci;
	char		*q;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	if ((rs->raw = strdup(uri ? uri : "")) == NULL) {
		free(rs);
		return NULL;
	}
	if ((q = strchr(rs->raw, '?')) != NULL) {
		*q = '\0';
		rs->raw_query = q + 1;
	}
	rs->srv = srv;
	rs->start = now_mono();
	rs->req.app = srv->app;
	rs->req.conn = conn;
	rs->req.method = "";
	resp_init(&rs->req.resp);
	rs->req.state = rs;
	ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	rs->conn = ci ? ci->socket_context : NULL;
	if (srv->app->metrics)
		metrics_in_flight(srv->app->metrics, 1);
	return rs;
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server	*srv = cls;
	struct rstate	*rs = *con_cls;
	struct app	*app = srv->app;
	const union MHD_ConnectionInfo *ci;
	char		 path[600], method[40], ip[64];
	const char	*m;
	double		 secs;

	if (rs == NULL)
		return;
	*con_cls = NULL;
	if (!rs->answered) {
		/* MHD answered by itself (431, 400...) or the client left */
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_HTTP_STATUS);
		rs->status = ci ? (int)ci->http_status : 0;
		rs->route = "none";
	}
	secs = now_mono() - rs->start;
	m = rs->req.method && rs->req.method[0] ? rs->req.method : "-";
	log_escape(m, method, sizeof(method));
	log_escape(rs->raw ? rs->raw : "-", path, sizeof(path));
	if (rs->req.ip[0])
		snprintf(ip, sizeof(ip), "%s", rs->req.ip);
	else
		peer_ip(conn, ip, sizeof(ip));
	if (rs->status)
		http_log("%s %s %s %d %zu %.1fms", ip, method, path,
		    rs->status, rs->bytes, secs * 1000);
	else
		http_log("%s %s %s - 0 %.1fms (%s)", ip, method, path,
		    secs * 1000, toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ?
		    "timed out" : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ?
		    "client left" : "closed");
	if (app->metrics) {
		if (rs->status)
			metrics_request(app->metrics, rs->req.method,
			    rs->route ? rs->route : "none", rs->status, secs);
		metrics_in_flight(app->metrics, -1);
	}
	if (rs->conn)
		set_phase(srv, rs->conn, PH_HEADERS);
	json_decref(rs->req.json);
	free(rs->req.body);
	free(rs->req.session_hash);
	explicit_bzero(rs->req.session_csrf, sizeof(rs->req.session_csrf));
	resp_free(&rs->req.resp);
	free(rs->path);
	free(rs->raw);
	free(rs);
}

/* MHD's connection notifications: the list the reaper watches. */
static void
connection_event(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct server	*srv = cls;
	struct conninfo	*ci;
	const union MHD_ConnectionInfo *info;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((ci = calloc(1, sizeof(*ci))) == NULL) {
			*socket_ctx = NULL;
			return;
		}
		info = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		ci->fd = info ? info->connect_fd : -1;
		peer_ip(conn, ci->ip, sizeof(ci->ip));
		ci->phase = PH_HEADERS;
		ci->since = now_mono();
		pthread_mutex_lock(&srv->lock);
		ci->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = ci;
		srv->conns = ci;
		pthread_mutex_unlock(&srv->lock);
		*socket_ctx = ci;
		if (srv->app->metrics)
			metrics_connections(srv->app->metrics, 1);
		return;
	}
	if ((ci = *socket_ctx) == NULL)
		return;
	/* MHD closes the socket after this returns, so the reaper never
	 * shuts down an fd number that was reused */
	pthread_mutex_lock(&srv->lock);
	if (ci->prev)
		ci->prev->next = ci->next;
	else
		srv->conns = ci->next;
	if (ci->next)
		ci->next->prev = ci->prev;
	pthread_mutex_unlock(&srv->lock);
	free(ci);
	*socket_ctx = NULL;
	if (srv->app->metrics)
		metrics_connections(srv->app->metrics, -1);
}

/*
 * The reaper: once a second, shuts down connections whose headers (or
 * body) are overdue.  A connection idle since its last answer is MHD's
 * (its inactivity timeout fires first: ours is a second later), so this
 * catches only clients that trickle bytes.
 */
static void *
reaper(void *arg)
{
	struct server	*srv = arg;
	struct conninfo	*ci;
	struct timespec	 ts;
	double		 now, limit;
	int		 timeout = srv->app->cfg.timeout;

	pthread_mutex_lock(&srv->lock);
	while (!srv->reaper_stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&srv->wake, &srv->lock, &ts);
		if (srv->reaper_stop)
			break;
		now = now_mono();
		for (ci = srv->conns; ci; ci = ci->next) {
			if (ci->cut || ci->fd < 0 || ci->phase == PH_WORK)
				continue;
			limit = ci->phase == PH_HEADERS ? timeout + 1 :
			    (double)timeout * BODY_TIMEOUTS;
			if (now - ci->since <= limit)
				continue;
			ci->cut = 1;
			shutdown(ci->fd, SHUT_RDWR);
			http_log("%s: cut off: the request %s took over %.0f s",
			    ci->ip, ci->phase == PH_HEADERS ? "headers" :
			    "body", limit);
			if (srv->app->metrics)
				metrics_count(srv->app->metrics,
				    ci->phase == PH_HEADERS ?
				    METRICS_HEADER_TIMEOUTS :
				    METRICS_BODY_TIMEOUTS);
		}
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

struct server *
server_start(struct app *app, char *err, size_t errlen)
{
	struct settings	*cfg = &app->cfg;
	struct server	*srv;
	struct sockaddr_storage ss;
	socklen_t	 sl;
	char		 msg[SETTINGS_ERRLEN];
	const union MHD_DaemonInfo *di;
	unsigned	 flags;
	size_t		 pool;

	if (!settings_parse_listen(cfg->listen, &ss, &sl, msg)) {
		snprintf(err, errlen, "%s", msg);
		return NULL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->app = app;
	atomic_init(&srv->stopping, 0);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->loglock, NULL);
	pthread_cond_init(&srv->wake, NULL);

	/*
	 * The connection's memory pool holds the request line and headers
	 * (MHD answers 431 by itself when they do not fit), the header
	 * index, and the answer's header block.  Twice max_header plus room
	 * for the answer lets a request somewhat over max_header reach
	 * on_request, which answers 431 in JSON; only a much larger one gets
	 * MHD's own 431.
	 */
	pool = cfg->max_header * 2 + 16 * 1024;
	flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL,
	    on_request, srv,
	    /* first, so that every message of MHD goes through it */
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
	    /* not 1: MHD 0.9.75's own 400 for a missing Host repeats the
	     * header block as its body; check_headers answers in JSON */
	    MHD_OPTION_STRICT_FOR_CLIENT, 0,
	    MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_logged, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_event, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not "
		    "allowed?)", cfg->listen);
		goto fail;
	}
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	if (pthread_create(&srv->reaper, NULL, reaper, srv) != 0) {
		snprintf(err, errlen, "cannot start a thread");
		MHD_stop_daemon(srv->daemon);
		goto fail;
	}
	app->server = srv;
	return srv;
fail:
	pthread_cond_destroy(&srv->wake);
	pthread_mutex_destroy(&srv->loglock);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
	return NULL;
}

unsigned
server_port(const struct server *srv)
{
	return srv->port;
}

void
server_stop(struct server *srv, int drain)
{
	struct app	*app = srv->app;
	MHD_socket	 lfd;
	double		 until;
	long		 left = 0;

	atomic_store(&srv->stopping, 1);
	lfd = MHD_quiesce_daemon(srv->daemon);
	/* new connections are refused now rather than left in the backlog */
	if (lfd != MHD_INVALID_SOCKET)
		shutdown(lfd, SHUT_RDWR);
	until = now_mono() + drain;
	while (app->metrics && (left = metrics_in_flight_now(app->metrics)) >
	    0 && now_mono() < until)
		usleep(20 * 1000);
	if (left > 0)
		http_log("%ld requests still running after %d s; closing them",
		    left, drain);
	MHD_stop_daemon(srv->daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	pthread_mutex_lock(&srv->lock);
	srv->reaper_stop = 1;
	pthread_cond_signal(&srv->wake);
	pthread_mutex_unlock(&srv->lock);
	pthread_join(srv->reaper, NULL);
	pthread_cond_destroy(&srv->wake);
	pthread_mutex_destroy(&srv->loglock);
	pthread_mutex_destroy(&srv->lock);
	app->server = NULL;
	free(srv);
}
