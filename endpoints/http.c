/*
 * http: the answer a handler builds (struct resp) and the small text
 * helpers around requests: path decoding, cookies, UTF-8 cleaning, the
 * log.  Nothing here includes microhttpd.h; req_header and req_query live
 * in server.c, which owns the connection.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "store.h"

void
resp_init(struct resp *r)
{
	memset(r, 0, sizeof(*r));
	r->file_fd = -1;
}

void
resp_free(struct resp *r)
{
	size_t	 i;

	free(r->type);
	free(r->body);
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	if (r->file_fd >= 0)
		close(r->file_fd);
	resp_init(r);
}

/* Drops body, type and file of the answer, keeping its headers. */
static void
resp_clear_body(struct resp *r)
{
	free(r->type);
	free(r->body);
	r->type = NULL;
	r->body = NULL;
	r->body_len = 0;
	if (r->file_fd >= 0)
		close(r->file_fd);
	r->file_fd = -1;
	r->file_size = 0;
}

int
resp_text(struct req *req, int status, const char *type, const char *text,
    size_t len)
{
	struct resp *r = &req->resp;
	char	*body, *t;

	body = malloc(len + 1);
	t = strdup(type);
	if (body == NULL || t == NULL) {
		free(body);
		free(t);
		return 0;
	}
	memcpy(body, text, len);
	body[len] = '\0';
	resp_clear_body(r);
	r->status = status;
	r->type = t;
	r->body = body;
	r->body_len = len;
	return 1;
}

/* The last resort when even an error cannot be built: a fixed body. */
static void
resp_oom(struct req *req)
{
	static const char msg[] = "{\"error\":\"internal\",\"message\":"
	    "\"out of memory\"}";

	resp_clear_body(&req->resp);
	req->resp.status = 500;
	/* both may fail; the server then sends an empty 500 */
	req->resp.type = strdup("application/json");
	if ((req->resp.body = strdup(msg)) != NULL)
		req->resp.body_len = sizeof(msg) - 1;
}

void
resp_json(struct req *req, int status, json_t *v)
{
	char	*text;

	if (v == NULL) {
		resp_oom(req);
		return;
	}
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (text == NULL) {
		resp_oom(req);
		return;
	}
	resp_clear_body(&req->resp);
	req->resp.status = status;
	if ((req->resp.type = strdup("application/json")) == NULL) {
		free(text);
		resp_oom(req);
		return;
	}
	req->resp.body = text;
	req->resp.body_len = strlen(text);
}

static void
vresp_error(struct req *req, int status, const char *code, const char *fmt,
    va_list ap)
{
	char	 buf[1024], *clean;
	int	 n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	/* messages may quote input: jansson escapes it, but wants UTF-8 */
	if ((clean = http_utf8_clean(buf, strlen(buf))) == NULL) {
		resp_oom(req);
		return;
	}
	resp_json(req, status, json_pack("{s:s, s:s}", "error", code,
	    "message", clean));
	free(clean);
}

void
resp_error(struct req *req, int status, const char *code, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vresp_error(req, status, code, fmt, ap);
	va_end(ap);
}

void
resp_rate_limited(struct req *req, int retry_after, const char *fmt, ...)
{
	va_list	 ap;
	char	 ra[24];

	snprintf(ra, sizeof(ra), "%d", retry_after);
	resp_header(req, "Retry-After", ra);
	va_start(ap, fmt);
	vresp_error(req, 429, "rate_limited", fmt, ap);
	va_end(ap);
}

void
resp_header(struct req *req, const char *name, const char *value)
{
	struct resp	*r = &req->resp;
	struct resp_header *grown;
	size_t		 ncap;
	char		*n, *v;

	/* no header splitting, whatever a handler passes */
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL) {
		http_log("refused a header with a line break or colon: %s",
		    name);
		return;
	}
	if (r->nheaders == r->capheaders) {
		ncap = r->capheaders ? r->capheaders * 2 : 8;
		if ((grown = realloc(r->headers, ncap * sizeof(*grown))) ==
		    NULL)
			return;
		r->headers = grown;
		r->capheaders = ncap;
	}
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return;
	}
	r->headers[r->nheaders].name = n;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
}

const char *
resp_header_get(const struct resp *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* 1 if c may appear in a cookie value (RFC 6265 cookie-octet). */
static int
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

/* 1 if c may appear in a cookie name (an RFC 7230 token). */
static int
token_char(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

void
resp_cookie(struct req *req, const char *name, const char *value,
    long max_age)
{
	char		 buf[1024];
	const char	*p;
	int		 n;

	for (p = name; *p; p++)
		if (!token_char((unsigned char)*p))
			break;
	if (*name == '\0' || *p != '\0') {
		http_log("refused a cookie with a bad name");
		return;
	}
	if (max_age < 0)
		value = "";
	for (p = value; *p; p++)
		if (!cookie_octet((unsigned char)*p)) {
			http_log("refused cookie %s: bad character in its "
			    "value", name);
			return;
		}
	n = snprintf(buf, sizeof(buf), "%s%s=%s; Path=/", req->https ?
	    "__Host-" : "", name, value);
	if (n > 0 && (size_t)n < sizeof(buf) && max_age != 0)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
		    "; Max-Age=%ld", max_age < 0 ? 0 : max_age);
	if (n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
		    "; HttpOnly; SameSite=Lax%s", req->https ? "; Secure" : "");
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		http_log("refused cookie %s: too long", name);
		return;
	}
	resp_header(req, "Set-Cookie", buf);
}

char *
http_cookie_find(const char *header, const char *name)
{
	const char	*p, *end, *eq, *v, *ve;
	size_t		 nl = strlen(name), vl;
	char		*out;

	if (header == NULL)
		return NULL;
	for (p = header; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ";");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			continue;
		ve = eq;
		while (ve > p && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if ((size_t)(ve - p) != nl || strncmp(p, name, nl) != 0)
			continue;
		v = eq + 1;
		ve = end;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		vl = (size_t)(ve - v);
		if ((out = malloc(vl + 1)) == NULL)
			return NULL;
		memcpy(out, v, vl);
		out[vl] = '\0';
		return out;
	}
	return NULL;
}

char *
req_cookie(const struct req *req, const char *name)
{
	char	 full[256];

	if ((size_t)snprintf(full, sizeof(full), "%s%s", req->https ?
	    "__Host-" : "", name) >= sizeof(full))
		return NULL;
	return http_cookie_find(req_header(req, "Cookie"), full);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
http_decode_path(const char *raw, size_t len, char *out)
{
	size_t		 i, o = 0;
	int		 hi, lo;
	unsigned char	 c;

	for (i = 0; i < len && raw[i] != '?'; i++) {
		c = (unsigned char)raw[i];
		if (c <= 0x20 || c == 0x7f)
			return 0;	/* never raw in a request target */
		if (c == '%') {
			if (i + 2 >= len)
				return 0;
			if ((hi = hexval(raw[i + 1])) < 0 ||
			    (lo = hexval(raw[i + 2])) < 0)
				return 0;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return 0;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 1;
}

char *
http_utf8_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char	*out;
	size_t	 i = 0, o = 0, n, k;
	unsigned cp;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		if (p[i] < 0x80) {
			out[o++] = p[i] ? (char)p[i] : '?';
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			goto bad;
		if (i + n >= len)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* overlong, surrogate or beyond Unicode */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			goto bad;
		memcpy(out + o, p + i, n + 1);
		o += n + 1;
		i += n + 1;
		continue;
bad:
		out[o++] = '?';
		i++;
	}
	out[o] = '\0';
	return out;
}

void
http_log(const char *fmt, ...)
{
	char		 line[2048];
	struct timespec	 ts;
	struct tm	 tm;
	va_list		 ap;
	size_t		 n;
	int		 m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ ",
	    ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += (size_t)m;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* one write, so lines from threads never interleave */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

const char *
req_json_str(const struct req *req, const char *key, size_t *len)
{
	json_t	*v;

	if (req->json == NULL || (v = json_object_get(req->json, key)) ==
	    NULL || !json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

void
resp_no_store(struct req *req)
{
	if (resp_header_get(&req->resp, "Cache-Control") == NULL)
		resp_header(req, "Cache-Control", "no-store");
}

void
resp_store_error(struct req *req, int rc)
{
	if (rc == STORE_BUSY) {
		resp_header(req, "Retry-After", "1");
		resp_error(req, 503, "busy", "The database is busy; try "
		    "again in a moment.");
	} else
		resp_error(req, 500, "internal", "Something went wrong on "
		    "our side.");
}
