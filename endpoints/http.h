/*
 * http: one request as handlers see it, and the answer they build.
 *
 * server.c (the only file that includes microhttpd.h) fills a struct req
 * for every request, calls the route's handler, and sends what the handler
 * put in req->resp.  Handlers run on the connection's own thread (thread
 * per connection, capped), so they may block on argon2 or a COMMIT without
 * stalling other connections.
 */
#ifndef PORCHD_HTTP_H
#define PORCHD_HTTP_H

#include <stddef.h>
#include <jansson.h>

struct app;
struct MHD_Connection;

struct resp_header {
	char	*name;
	char	*value;
};

struct resp {
	int		 status;	/* 0 until a handler answers */
	char		*type;		/* Content-Type */
	char		*body;
	size_t		 body_len;
	struct resp_header *headers;	/* extra headers (Set-Cookie, ...) */
	size_t		 nheaders, capheaders;
	/* static files: the server sends this file instead of body */
	int		 file_fd;	/* -1 when none */
	size_t		 file_size;
};

struct req {
	struct app	*app;
	struct MHD_Connection *conn;	/* for server.c only */
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* decoded path, no query; for a route,
					   without the API prefix ("/healthz") */
	char		 ip[64];	/* client address, text */
	int		 https;		/* the request came over TLS (or a
					   trusted proxy said so) */
	char		*body;		/* request body, NUL-terminated; NULL if none */
	size_t		 body_len;
	json_t		*json;		/* body parsed as a JSON object, or NULL */
	long long	 user_id;	/* the logged-in account, 0 if none */
	char		*session_hash;	/* hex sha-256 of the session token */
	char		 session_csrf[65]; /* its CSRF token, "" if none; read
					   with the session, so the CSRF check
					   costs no second lookup */
	struct resp	 resp;
	void		*state;		/* per-request state of the server */
};

/* Request accessors (NULL when absent). */
const char	*req_header(const struct req *, const char *name);
const char	*req_query(const struct req *, const char *name);
/* The value of cookie name, or NULL; a heap copy the caller frees.  It
 * reads the cookie resp_cookie(req, name, ...) sets: __Host-NAME on
 * https, NAME on plain http. */
char		*req_cookie(const struct req *, const char *name);

/* The string member key of the request's JSON body and its length in
 * bytes (len may be NULL), or NULL when missing or not a string. */
const char	*req_json_str(const struct req *, const char *key, size_t *len);

/* Answers with a JSON value (reference stolen). */
void	 resp_json(struct req *, int status, json_t *);
/* Answers {"error": code, "message": message}; code is a stable
 * machine-readable word ("bad_request", "rate_limited", ...). */
void	 resp_error(struct req *, int status, const char *code,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Answers 429 {"error": "rate_limited", "message": ...} with
 * Retry-After: retry_after (seconds), for every limiter of porchd. */
void	 resp_rate_limited(struct req *, int retry_after, const char *fmt,
	     ...) __attribute__((format(printf, 3, 4)));
/* Adds a header to the answer. */
void	 resp_header(struct req *, const char *name, const char *value);
/* Sets a cookie with the house attributes: __Host- prefix and Secure on
 * https, HttpOnly, SameSite=Lax, Path=/; max_age < 0 deletes it. */
void	 resp_cookie(struct req *, const char *name, const char *value,
	     long max_age);
/* Adds Cache-Control: no-store unless the answer has a Cache-Control. */
void	 resp_no_store(struct req *);
/* Answers for a store.h result other than STORE_OK: 503 busy with
 * Retry-After for STORE_BUSY, else 500 internal. */
void	 resp_store_error(struct req *, int rc);
/* Frees what resp holds (the server calls this after sending). */
void	 resp_free(struct resp *);

/* Added by the server core. */

/* An empty answer (status 0, no file). */
void	 resp_init(struct resp *);
/* The value of a header already added to resp (case-insensitive), or
 * NULL. */
const char *resp_header_get(const struct resp *, const char *name);
/* Replaces the body with len bytes of text (copied) of the given
 * Content-Type; returns 1, or 0 when out of memory. */
int	 resp_text(struct req *, int status, const char *type,
	     const char *text, size_t len);
/*
 * Writes one line to stderr: an ISO 8601 UTC time, then the message.
 * Safe from any thread (one write per line).  porchd's only log; never
 * give it cookies, bodies or Authorization headers.
 */
void	 http_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Percent-decodes the path part of a request target (raw, len bytes, up
 * to '?') into out (len + 1 bytes).  Returns 1, or 0 for a malformed
 * escape, an encoded or raw NUL, a control character, or a raw space
 * (the caller answers 400).
 */
int	 http_decode_path(const char *raw, size_t len, char *out);
/*
 * The value of cookie name in a Cookie: header value, or NULL; a heap
 * copy without surrounding quotes.
 */
char	*http_cookie_find(const char *header, const char *name);
/* A copy of s (len bytes) that is valid UTF-8 (bad bytes become '?'),
 * NUL-terminated, on the heap; NULL when out of memory. */
char	*http_utf8_clean(const char *s, size_t len);

#endif
