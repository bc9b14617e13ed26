/*
 * settings: the table of porchd's settings and their validators, in the
 * manner of kcgi's struct kvalid: each row names a field of struct
 * settings, how its text is parsed and the range it must fall in.  The
 * config file, the environment and main.c's flags all go through
 * settings_set, so a value is checked the same way wherever it came from.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "settings.h"

#define KIB	((long long)1024)
#define MIB	(KIB * 1024)
#define GIB	(MIB * 1024)
#define MINUTE	60LL
#define HOUR	(60 * MINUTE)
#define DAY	(24 * HOUR)

/* Longest line of a config file, and longest value anywhere. */
#define LINE_MAX_LEN	4096

enum kind {
	K_PATH,		/* a file or folder name */
	K_TEXT,		/* one line of text (no control characters) */
	K_URL,		/* http:// or https:// */
	K_SMTP,		/* smtp:// or smtps:// */
	K_ORIGINS,	/* comma-separated http(s)://host[:port] */
	K_LISTEN,	/* HOST:PORT */
	K_INT,		/* int in [min, max] */
	K_SIZE,		/* size_t bytes, suffixes K M G (powers of 1024) */
	K_SECS,		/* long seconds, suffixes s m h d */
	K_BOOL		/* true/false, yes/no, on/off, 1/0 */
};

struct row {
	const char	*name;
	enum kind	 kind;
	size_t		 off;		/* offsetof(struct settings, field) */
	long long	 min, max;	/* numbers only */
	const char	*arg;		/* for help */
	const char	*help;
};

#define F(f)	offsetof(struct settings, f)

static const struct row rows[] = {
	{ "site", K_PATH, F(site), 0, 0, "DIR",
	  "also serve this built site (public/); default: none" },
	{ "catalog", K_PATH, F(catalog), 0, 0, "FILE",
	  "catalog.json to load; default: SITE/catalog.json" },
	{ "db", K_PATH, F(db), 0, 0, "FILE",
	  "SQLite database; default: var/porch.db" },
	{ "listen", K_LISTEN, F(listen), 0, 0, "ADDR:PORT",
	  "where to listen; default: 127.0.0.1:8080" },
	{ "smtp_url", K_SMTP, F(smtp_url), 0, 0, "URL",
	  "mail relay, smtp://host:port or smtps://; default: none" },
	{ "sendmail", K_PATH, F(sendmail), 0, 0, "PROGRAM",
	  "a sendmail program instead of SMTP; default: none" },
	{ "mail_from", K_TEXT, F(mail_from), 0, 0, "ADDRESS",
	  "From: of the mails porchd sends; default: none" },
	{ "public_url", K_URL, F(public_url), 0, 0, "URL",
	  "where customers reach the site, for links in mails" },
	{ "allow_origins", K_ORIGINS, F(allow_origins), 0, 0, "ORIGINS",
	  "extra origins allowed to call the API, comma-separated" },
	{ "max_connections", K_INT, F(max_connections), 1, 10000, "N",
	  "connections at once, in all; default: 256" },
	{ "max_per_ip", K_INT, F(max_per_ip), 1, 10000, "N",
	  "connections at once from one address; default: 32" },
	{ "timeout", K_SECS, F(timeout), 1, HOUR, "SECONDS",
	  "idle time, and time to send the headers; default: 15" },
	{ "max_body", K_SIZE, F(max_body), KIB, GIB, "BYTES",
	  "largest request body (413 above); default: 1M" },
	{ "max_header", K_SIZE, F(max_header), KIB, MIB, "BYTES",
	  "largest request line and headers (431 above); default: 16K" },
	{ "max_hashes", K_INT, F(max_hashes), 1, 256, "N",
	  "password hashes computed at once; default: the number of CPUs" },
	{ "session_idle", K_SECS, F(session_idle), 1, 366 * DAY, "SECONDS",
	  "a session ends after this long unused; default: 7d" },
	{ "session_max", K_SECS, F(session_max), 1, 366 * DAY, "SECONDS",
	  "a session ends this long after login; default: 30d" },
	{ "trust_proxy", K_BOOL, F(trust_proxy), 0, 1, "BOOL",
	  "believe X-Forwarded-For/-Proto from loopback; default: false" },
	{ "rate_limit", K_INT, F(rate_limit), 1, 1000000, "N",
	  "writes per minute from one address; default: 60" },
	{ "rate_burst", K_INT, F(rate_burst), 1, 1000000, "N",
	  "writes from one address at once before limiting; default: 20" },
	{ "vote_limit", K_INT, F(vote_limit), 1, 1000000, "N",
	  "votes per minute from one account; default: 30" },
	{ "vote_burst", K_INT, F(vote_burst), 1, 1000000, "N",
	  "votes from one account at once before limiting; default: 20" },
	{ "drain", K_SECS, F(drain), 0, 10 * MINUTE, "SECONDS",
	  "on SIGTERM, time left to running requests; default: 10" },
	{ "user", K_TEXT, F(user), 0, 0, "NAME",
	  "started as root: the user to run as; default: porch" },
	{ "seccomp", K_BOOL, F(seccomp), 0, 1, "BOOL",
	  "allow only the system calls porchd needs; default: true" },
	{ "support_email", K_TEXT, F(support_email), 0, 0, "ADDRESS",
	  "staff get every new ticket and comment here; default: none" },
	{ "webhook_url", K_URL, F(webhook_url), 0, 0, "URL",
	  "staff get every ticket event as a signed JSON POST here" },
	{ "webhook_secret", K_TEXT, F(webhook_secret), 0, 0, "SECRET",
	  "HMAC-SHA256 key of X-Porch-Signature; default: none" },
	{ "attachments_dir", K_PATH, F(attachments_dir), 0, 0, "DIR",
	  "where ticket attachments are kept; default: var/attachments" },
	{ "max_upload", K_SIZE, F(max_upload), KIB, 4 * GIB, "BYTES",
	  "largest multipart body of a ticket or comment; default: 30M" },
	{ "max_file", K_SIZE, F(max_file), 1, 4 * GIB, "BYTES",
	  "largest attachment (413 above); default: 25M" },
	{ "max_files", K_INT, F(max_files), 0, 1000, "N",
	  "attachments per ticket; default: 10" },
	{ "ticket_limit", K_INT, F(ticket_limit), 1, 1000000, "N",
	  "tickets per hour from one account; default: 30" },
	{ "ticket_burst", K_INT, F(ticket_burst), 1, 1000000, "N",
	  "tickets from one account at once before limiting; default: 10" },
	{ NULL, K_TEXT, 0, 0, 0, NULL, NULL },
};

/* The rows as main.c sees them. */
static struct setting_info infos[sizeof(rows) / sizeof(rows[0])];

const struct setting_info *
settings_table(void)
{
	size_t	 i;

	if (infos[0].name == NULL)
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			infos[i].name = rows[i].name;
			infos[i].arg = rows[i].arg;
			infos[i].help = rows[i].help;
		}
	return infos;
}

static void
seterr(char *err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, SETTINGS_ERRLEN, fmt, ap);
	va_end(ap);
}

static const struct row *
find_row(const char *name)
{
	const struct row *r;

	for (r = rows; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

/* Levenshtein distance of two short names, for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t	 row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			tmp = row[j];
			row[j] = cur;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest known name to key, or NULL when none is close. */
static const char *
closest(const char *key)
{
	const struct row *r, *best = NULL;
	size_t	 d, bestd = 4;

	for (r = rows; r->name; r++)
		if ((d = distance(key, r->name)) < bestd) {
			bestd = d;
			best = r;
		}
	return best ? best->name : NULL;
}

static void
unknown_key(char *err, const char *key)
{
	const char *near = closest(key);

	if (near)
		seterr(err, "unknown setting '%s' (did you mean '%s'?)",
		    key, near);
	else
		seterr(err, "unknown setting '%s'", key);
}

void
settings_defaults(struct settings *s)
{
	long	 ncpu;

	memset(s, 0, sizeof(*s));
	s->db = strdup("var/porch.db");
	s->listen = strdup("127.0.0.1:8080");
	s->max_connections = 256;
	s->max_per_ip = 32;
	s->timeout = 15;
	s->max_body = 1024 * 1024;
	s->max_header = 16 * 1024;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	s->max_hashes = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (int)ncpu;
	s->session_idle = 7 * DAY;
	s->session_max = 30 * DAY;
	s->trust_proxy = 0;
	s->rate_limit = 60;
	s->rate_burst = 20;
	s->vote_limit = 30;
	s->vote_burst = 20;
	s->drain = 10;
	s->seccomp = 1;
	s->attachments_dir = strdup("var/attachments");
	s->max_upload = 30 * 1024 * 1024;
	s->max_file = 25 * 1024 * 1024;
	s->max_files = 10;
	s->ticket_limit = 30;
	s->ticket_burst = 10;
}

void
settings_free(struct settings *s)
{
	const struct row *r;

	for (r = rows; r->name; r++)
		switch (r->kind) {
		case K_INT: case K_SIZE: case K_SECS: case K_BOOL:
			break;
		default:
			free(*(char **)((char *)s + r->off));
			break;
		}
	free(s->config);
	memset(s, 0, sizeof(*s));
}

/* 1 if text has no control characters (so no header injection through a
 * setting that ends up in a mail header or a log line). */
static int
plain_text(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/*
 * Parses a whole number with an optional unit suffix; units is a string
 * of pairs "s\1m\x3c..." given as letters and their factors in parallel
 * arrays.  Returns 1 and *out, or 0.
 */
static int
parse_number(const char *text, const char *letters, const long long *factors,
    long long *out)
{
	const char	*p;
	char		*end;
	long long	 n, f = 1;

	if (!isdigit((unsigned char)text[0]))
		return 0;
	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno == ERANGE)
		return 0;
	if (*end != '\0') {
		if ((p = strchr(letters, tolower((unsigned char)*end))) == NULL)
			return 0;
		f = factors[p - letters];
		end++;
		/* "16KiB", "16KB", "16K" and "30s" all read the same */
		if (*end == 'i' && f >= KIB)
			end++;
		if ((*end == 'b' || *end == 'B') && f >= KIB)
			end++;
		if (*end != '\0')
			return 0;
	}
	if (n > LLONG_MAX / f)
		return 0;
	*out = n * f;
	return 1;
}

/* Checks one origin "scheme://host[:port]" without path; writes the
 * normalized form (lower case, no default port, no trailing '/') to out. */
static int
check_origin(const char *o, size_t len, char *out, size_t outlen)
{
	char	 buf[512];
	char	*host, *colon, *end;
	long	 port;
	size_t	 i;
	int	 https;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, o, len);
	buf[len] = '\0';
	if (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (strncmp(buf, "https://", 8) == 0) {
		https = 1;
		host = buf + 8;
	} else if (strncmp(buf, "http://", 7) == 0) {
		https = 0;
		host = buf + 7;
	} else
		return 0;
	if (*host == '\0' || strpbrk(host, "/?#@ \t\\") != NULL)
		return 0;
	for (i = 0; host[i]; i++)
		if (!isalnum((unsigned char)host[i]) &&
		    strchr(".-:[]_", host[i]) == NULL)
			return 0;
	colon = strrchr(host, ':');
	if (colon && strchr(colon, ']') == NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port < 1 ||
		    port > 65535)
			return 0;
		if ((https && port == 443) || (!https && port == 80))
			*colon = '\0';
	}
	if ((size_t)snprintf(out, outlen, "%s://%s", https ? "https" : "http",
	    host) >= outlen)
		return 0;
	return 1;
}

int
settings_parse_listen(const char *text, struct sockaddr_storage *sa,
    socklen_t *len, char *err)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)sa;
	char			 host[128];
	const char		*colon, *close;
	char			*end;
	long			 port;
	size_t			 hl;

	memset(sa, 0, sizeof(*sa));
	if (text[0] == '[') {
		if ((close = strchr(text, ']')) == NULL || close[1] != ':')
			goto bad;
		hl = (size_t)(close - text - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
	} else {
		if ((colon = strrchr(text, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - text);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, text, hl);
		host[hl] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || port < 0 ||
	    port > 65535) {
		seterr(err, "'%s': the port must be a number from 0 to 65535 "
		    "(0: any free port)", text);
		return 0;
	}
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		strcpy(host, "0.0.0.0");
	else if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 1;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 1;
	}
bad:
	seterr(err, "'%s' is not an address to listen on (want HOST:PORT, "
	    "[IPv6]:PORT or :PORT, numeric addresses)", text);
	return 0;
}

/* Checks text for row r and stores it; 1 or 0 with err set. */
static int
set_row(struct settings *s, const struct row *r, const char *text, char *err)
{
	static const long long size_f[] = { 1, KIB, MIB, GIB };
	static const long long secs_f[] = { 1, MINUTE, HOUR, DAY };
	struct sockaddr_storage ss;
	socklen_t	 sl;
	char		*copy, *field = (char *)s + r->off;
	char		 norm[512], *list = NULL;
	const char	*p, *q;
	long long	 n;
	size_t		 used = 0, cap = 0, nl;

	if (strlen(text) >= LINE_MAX_LEN) {
		seterr(err, "%s: the value is too long", r->name);
		return 0;
	}
	if (!plain_text(text)) {
		seterr(err, "%s: control characters are not allowed", r->name);
		return 0;
	}
	switch (r->kind) {
	case K_INT:
	case K_SIZE:
	case K_SECS:
		if (!parse_number(text, r->kind == K_SIZE ? "bkmg" :
		    r->kind == K_SECS ? "smhd" : "",
		    r->kind == K_SIZE ? size_f : secs_f, &n)) {
			seterr(err, "%s: '%s' is not %s", r->name, text,
			    r->kind == K_SIZE ? "a size (like 512K or 1M)" :
			    r->kind == K_SECS ? "a duration (like 30, 15m, "
			    "12h or 7d)" : "a whole number");
			return 0;
		}
		if (n < r->min || n > r->max) {
			seterr(err, "%s: %s is out of range (%lld to %lld%s)",
			    r->name, text, r->min, r->max,
			    r->kind == K_SIZE ? " bytes" :
			    r->kind == K_SECS ? " seconds" : "");
			return 0;
		}
		if (r->kind == K_SIZE)
			*(size_t *)field = (size_t)n;
		else if (r->off == F(session_idle) || r->off == F(session_max))
			*(long *)field = (long)n;
		else
			*(int *)field = (int)n;
		return 1;
	case K_BOOL:
		if (strcasecmp(text, "true") == 0 ||
		    strcasecmp(text, "yes") == 0 ||
		    strcasecmp(text, "on") == 0 || strcmp(text, "1") == 0)
			*(int *)field = 1;
		else if (strcasecmp(text, "false") == 0 ||
		    strcasecmp(text, "no") == 0 ||
		    strcasecmp(text, "off") == 0 || strcmp(text, "0") == 0)
			*(int *)field = 0;
		else {
			seterr(err, "%s: '%s' is not true or false", r->name,
			    text);
			return 0;
		}
		return 1;
	case K_PATH:
	case K_TEXT:
		if (text[0] == '\0') {
			/* an empty value clears an optional setting */
			if (r->off == F(db) || r->off == F(listen)) {
				seterr(err, "%s: must not be empty", r->name);
				return 0;
			}
			free(*(char **)field);
			*(char **)field = NULL;
			return 1;
		}
		break;
	case K_URL:
		if (text[0] != '\0' && strncmp(text, "https://", 8) != 0 &&
		    strncmp(text, "http://", 7) != 0) {
			seterr(err, "%s: '%s' is not an http:// or https:// URL",
			    r->name, text);
			return 0;
		}
		break;
	case K_SMTP:
		if (text[0] != '\0' && strncmp(text, "smtp://", 7) != 0 &&
		    strncmp(text, "smtps://", 8) != 0) {
			seterr(err, "%s: '%s' is not an smtp:// or smtps:// URL",
			    r->name, text);
			return 0;
		}
		break;
	case K_LISTEN:
		if (!settings_parse_listen(text, &ss, &sl, err))
			return 0;
		break;
	case K_ORIGINS:
		/* normalized: "https://a.example,http://localhost:3000" */
		for (p = text; *p; p = *q ? q + 1 : q) {
			q = p + strcspn(p, ",");
			while (p < q && isspace((unsigned char)*p))
				p++;
			nl = (size_t)(q - p);
			while (nl > 0 && isspace((unsigned char)p[nl - 1]))
				nl--;
			if (nl == 0)
				continue;
			if (!check_origin(p, nl, norm, sizeof(norm))) {
				seterr(err, "%s: '%.*s' is not an origin (want "
				    "https://host or http://host:port, no "
				    "path)", r->name, (int)nl, p);
				free(list);
				return 0;
			}
			nl = strlen(norm);
			if (used + nl + 2 > cap) {
				cap = (used + nl + 2) * 2;
				if ((copy = realloc(list, cap)) == NULL) {
					free(list);
					seterr(err, "out of memory");
					return 0;
				}
				list = copy;
			}
			if (used)
				list[used++] = ',';
			memcpy(list + used, norm, nl + 1);
			used += nl;
		}
		free(*(char **)field);
		*(char **)field = list;
		return 1;
	}
	if (text[0] == '\0') {
		free(*(char **)field);
		*(char **)field = NULL;
		return 1;
	}
	if ((copy = strdup(text)) == NULL) {
		seterr(err, "out of memory");
		return 0;
	}
	free(*(char **)field);
	*(char **)field = copy;
	return 1;
}

int
settings_set(struct settings *s, const char *key, const char *value,
    char *err)
{
	const struct row *r;

	if ((r = find_row(key)) == NULL) {
		unknown_key(err, key);
		return 0;
	}
	return set_row(s, r, value, err);
}

/* Strips blanks at both ends of [*p, end) in place; returns the length. */
static size_t
trim(char **p, char *end)
{
	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
	while (end > *p && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return (size_t)(end - *p);
}

int
settings_load_file(struct settings *s, const char *path, char *err)
{
	FILE		*f;
	char		*line = NULL, *key, *val, *eq, *hash, *copy;
	char		 msg[SETTINGS_ERRLEN];
	size_t		 cap = 0, vl, i;
	ssize_t		 n;
	unsigned	 lineno = 0, seen[sizeof(rows) / sizeof(rows[0])];
	const struct row *r;
	int		 rc = 0;

	memset(seen, 0, sizeof(seen));
	if ((f = fopen(path, "r")) == NULL) {
		seterr(err, "%s: %s", path, strerror(errno));
		return 0;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if ((size_t)n >= LINE_MAX_LEN) {
			seterr(err, "%s:%u: line too long", path, lineno);
			goto out;
		}
		if (memchr(line, '\0', (size_t)n) != NULL) {
			seterr(err, "%s:%u: NUL byte in the file", path,
			    lineno);
			goto out;
		}
		key = line;
		if (trim(&key, line + n) == 0 || key[0] == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			seterr(err, "%s:%u: expected 'key = value'", path,
			    lineno);
			goto out;
		}
		val = eq + 1;
		trim(&key, eq);
		vl = trim(&val, val + strlen(val));
		if (val[0] == '"') {
			if (vl < 2 || val[vl - 1] != '"') {
				seterr(err, "%s:%u: unterminated quote", path,
				    lineno);
				goto out;
			}
			val[vl - 1] = '\0';
			val++;
		} else {
			/* a '#' after blanks starts a comment */
			for (hash = val; (hash = strchr(hash, '#')) != NULL;
			    hash++)
				if (hash > val && isspace((unsigned char)
				    hash[-1])) {
					*hash = '\0';
					trim(&val, hash);
					break;
				}
		}
		if ((r = find_row(key)) == NULL) {
			unknown_key(msg, key);
			seterr(err, "%s:%u: %s", path, lineno, msg);
			goto out;
		}
		i = (size_t)(r - rows);
		if (seen[i]) {
			seterr(err, "%s:%u: '%s' already set on line %u", path,
			    lineno, key, seen[i]);
			goto out;
		}
		seen[i] = lineno;
		if (!set_row(s, r, val, msg)) {
			seterr(err, "%s:%u: %s", path, lineno, msg);
			goto out;
		}
	}
	if (ferror(f)) {
		seterr(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((copy = strdup(path)) == NULL) {
		seterr(err, "out of memory");
		goto out;
	}
	free(s->config);
	s->config = copy;
	rc = 1;
out:
	free(line);
	fclose(f);
	return rc;
}

int
settings_load_env(struct settings *s, char *const *envp, char *err,
    void (*warn)(const char *))
{
	char		 key[64], msg[SETTINGS_ERRLEN];
	const char	*e, *eq;
	const struct row *r;
	size_t		 i, kl;

	for (; envp && *envp; envp++) {
		e = *envp;
		if (strncmp(e, "PORCHD_", 7) != 0 ||
		    (eq = strchr(e, '=')) == NULL)
			continue;
		kl = (size_t)(eq - e - 7);
		if (kl == 0 || kl >= sizeof(key))
			continue;
		for (i = 0; i < kl; i++)
			key[i] = (char)tolower((unsigned char)e[7 + i]);
		key[kl] = '\0';
		if (strcmp(key, "config") == 0)
			continue;
		if ((r = find_row(key)) == NULL) {
			if (warn) {
				snprintf(msg, sizeof(msg), "PORCHD_%.*s: not a "
				    "setting, ignored", (int)kl, e + 7);
				warn(msg);
			}
			continue;
		}
		if (!set_row(s, r, eq + 1, msg)) {
			seterr(err, "PORCHD_%.*s: %s", (int)kl, e + 7, msg);
			return 0;
		}
	}
	return 1;
}

int
settings_check(const struct settings *s, char *err)
{
	if (s->session_max < s->session_idle) {
		seterr(err, "session_max (%ld s) must not be shorter than "
		    "session_idle (%ld s)", s->session_max, s->session_idle);
		return 0;
	}
	if (s->max_per_ip > s->max_connections) {
		seterr(err, "max_per_ip (%d) must not exceed max_connections "
		    "(%d)", s->max_per_ip, s->max_connections);
		return 0;
	}
	if (s->smtp_url && s->sendmail) {
		seterr(err, "set smtp_url or sendmail, not both");
		return 0;
	}
	return 1;
}

void
settings_print(const struct settings *s, FILE *f)
{
	const struct row *r;
	const char	*field;

	for (r = rows; r->name; r++) {
		field = (const char *)s + r->off;
		switch (r->kind) {
		case K_INT:
			fprintf(f, "%s = %d\n", r->name, *(const int *)field);
			break;
		case K_BOOL:
			fprintf(f, "%s = %s\n", r->name,
			    *(const int *)field ? "true" : "false");
			break;
		case K_SIZE:
			fprintf(f, "%s = %zu\n", r->name,
			    *(const size_t *)field);
			break;
		case K_SECS:
			if (r->off == F(session_idle) ||
			    r->off == F(session_max))
				fprintf(f, "%s = %ld\n", r->name,
				    *(const long *)field);
			else
				fprintf(f, "%s = %d\n", r->name,
				    *(const int *)field);
			break;
		default:
			if (*(char *const *)field && r->off ==
			    F(webhook_secret))	/* never shown */
				fprintf(f, "%s = \"(set, not shown)\"\n",
				    r->name);
			else if (*(char *const *)field)
				fprintf(f, "%s = \"%s\"\n", r->name,
				    *(char *const *)field);
			else
				fprintf(f, "# %s is not set\n", r->name);
			break;
		}
	}
}
