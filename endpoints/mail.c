/*
 * mail: composing messages (see mail.h).  Everything here is pure text
 * work, so unit tests can check it without a network.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "mail.h"
#include "store.h"
#include "token.h"

/* A growable string that remembers a failed allocation, so a composer
 * can append without checking each step and check once at the end. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
sb_add(struct sbuf *b, const void *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	sb_add(b, s, (size_t)n);
	free(s);
}

/* The string, or NULL (and nothing to free) if an append failed. */
static char *
sb_take(struct sbuf *b)
{
	if (b->oom || b->p == NULL) {
		free(b->p);
		return b->oom ? NULL : strdup("");
	}
	return b->p;
}

/* ---- addresses ---- */

static int
is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

int
mail_address_ok(const char *addr)
{
	const char	*at, *p, *label;
	size_t		 len;

	if (addr == NULL || (len = strlen(addr)) < 3 ||
	    len > MAIL_ADDRESS_MAX || (at = strchr(addr, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	if (at == addr || at - addr > 64 || addr[0] == '.' || at[-1] == '.')
		return 0;
	for (p = addr; p < at; p++)
		if (!(is_atext((unsigned char)*p) ||
		    (*p == '.' && p[1] != '.')))
			return 0;
	/* Domain: dot-separated labels of 1 to 63 letters, digits and
	 * hyphens, no hyphen at either end. */
	for (label = p = at + 1; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' ||
			    p[-1] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			label = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	}
}

int
mail_address_normalize(const char *in, char *out)
{
	size_t	 start = 0, end, i;

	if (in == NULL) {
		out[0] = '\0';
		return 0;
	}
	end = strlen(in);
	while (start < end && (in[start] == ' ' || in[start] == '\t'))
		start++;
	while (end > start && (in[end - 1] == ' ' || in[end - 1] == '\t'))
		end--;
	if (end - start > MAIL_ADDRESS_MAX) {
		out[0] = '\0';
		return 0;
	}
	for (i = start; i < end; i++)
		out[i - start] = (in[i] >= 'A' && in[i] <= 'Z') ?
		    (char)(in[i] - 'A' + 'a') : in[i];
	out[end - start] = '\0';
	return mail_address_ok(out);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	 len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

char *
mail_header_clean(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t		 n = strlen((const char *)p), i = 0, k;
	struct sbuf	 b = { 0 };

	while (i < n) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			k = 1;
			if (b.len + 1 > max)
				break;
			sb_add(&b, " ", 1);
		} else if ((k = utf8_len(p + i, n - i)) == 0) {
			k = 1;
			if (b.len + 1 > max)
				break;
			sb_add(&b, "?", 1);
		} else {
			if (b.len + k > max)
				break;
			sb_add(&b, p + i, k);
		}
		i += k;
	}
	return sb_take(&b);
}

int
mail_message_id(char out[33])
{
	unsigned char	 raw[16];

	if (!token_random(raw, sizeof(raw)))
		return 0;
	token_hex(out, raw, sizeof(raw));
	return 1;
}

/* ---- composing ---- */

static int
is_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static void
base64(struct sbuf *b, const unsigned char *s, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char		 q[4];
	unsigned	 v;
	size_t		 i;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = t[v >> 18 & 63];
		q[1] = t[v >> 12 & 63];
		q[2] = i + 1 < n ? t[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? t[v & 63] : '=';
		sb_add(b, q, 4);
	}
}

/*
 * Appends an already cleaned header value: as is when plain ASCII, else
 * as RFC 2047 encoded words (base64, at most 45 bytes of text each, cut
 * between characters, folded onto continuation lines).
 */
static void
header_text(struct sbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		 n = strlen(s), i = 0, j, k;

	if (is_plain(s)) {
		sb_puts(b, s);
		return;
	}
	while (i < n) {
		for (j = i; j < n; j += k) {
			if ((k = utf8_len(p + j, n - j)) == 0)
				k = 1;
			if (j + k - i > 45)
				break;
		}
		if (i > 0)
			sb_puts(b, "\r\n ");
		sb_puts(b, "=?UTF-8?B?");
		base64(b, p + i, j - i);
		sb_puts(b, "?=");
		i = j;
	}
}

/*
 * Appends text as quoted-printable (RFC 2045): lines of at most 76
 * characters with soft breaks, CRLF line ends, '=' and bytes outside
 * printable ASCII as =XX, a space or tab before a line end encoded, and a
 * '.' at the start of a line encoded too (no SMTP dot-stuffing question).
 */
static void
quoted_printable(struct sbuf *b, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	char		 enc[4];
	size_t		 col = 0, w;
	int		 c, literal;

	for (; *p; p++) {
		c = *p;
		if (c == '\r')
			continue;
		if (c == '\n') {
			sb_puts(b, "\r\n");
			col = 0;
			continue;
		}
		literal = (c >= 33 && c <= 126 && c != '=' &&
		    !(c == '.' && col == 0)) ||
		    ((c == ' ' || c == '\t') && p[1] != '\n' && p[1] != '\r' &&
		    p[1] != '\0');
		w = literal ? 1 : 3;
		if (col + w > 75) {
			sb_puts(b, "=\r\n");
			col = 0;
			if (c == '.')
				literal = 0, w = 3;
		}
		if (literal) {
			enc[0] = (char)c;
			sb_add(b, enc, 1);
		} else {
			snprintf(enc, sizeof(enc), "=%02X", c);
			sb_add(b, enc, 3);
		}
		col += w;
	}
	if (col > 0)
		sb_puts(b, "\r\n");
}

static void
rfc5322_date(struct sbuf *b, long long t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	sb_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Splits "Name <addr>" or "addr" into a cleaned display name (heap, may
 * be empty) and the address (heap); 0 when the address is invalid. */
static int
split_from(const char *from, char **name, char **addr)
{
	const char	*lt, *gt;
	char		*n, *a;
	size_t		 nl;

	*name = *addr = NULL;
	if ((lt = strchr(from, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0')
			return 0;
		a = strndup(lt + 1, (size_t)(gt - lt - 1));
		nl = (size_t)(lt - from);
		while (nl > 0 && (from[nl - 1] == ' ' || from[nl - 1] == '"'))
			nl--;
		while (nl > 0 && (*from == ' ' || *from == '"'))
			from++, nl--;
		n = strndup(from, nl);
	} else {
		a = strdup(from);
		n = strdup("");
	}
	if (a == NULL || n == NULL || !mail_address_ok(a)) {
		free(a);
		free(n);
		return 0;
	}
	*addr = a;
	*name = mail_header_clean(n, 100);
	free(n);
	if (*name == NULL) {
		free(a);
		*addr = NULL;
		return 0;
	}
	return 1;
}

/* 1 if name may be an extra header: X-Porch- and letters, digits, '-';
 * or the two RFC 8058 one-click unsubscribe headers (shipped.c). */
static int
extra_header_ok(const char *name)
{
	const char	*p;

	if (strcmp(name, "List-Unsubscribe") == 0 ||
	    strcmp(name, "List-Unsubscribe-Post") == 0)
		return 1;
	if (strncasecmp(name, "X-Porch-", 8) != 0 || name[8] == '\0' ||
	    strlen(name) > 64)
		return 0;
	for (p = name + 8; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

char *
mail_compose(const struct store_message *m, const char *from,
    char **env_from, const char **err)
{
	struct sbuf	 b = { 0 };
	char		*fname = NULL, *faddr = NULL, *subject = NULL, *v;
	const char	*key, *p;
	json_t		*headers, *val;
	const char	*rto, *html;
	char		*out;

	*env_from = NULL;
	*err = NULL;
	if (!mail_address_ok(m->recipient)) {
		*err = "invalid recipient address";
		return NULL;
	}
	for (p = m->message_id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    *p == '-'))
			break;
	if (*p != '\0' || p == m->message_id) {
		*err = "invalid message id";
		return NULL;
	}
	if (!split_from(from ? from : "porchd@localhost", &fname, &faddr)) {
		*err = "invalid mail_from address";
		return NULL;
	}
	if ((subject = mail_header_clean(m->subject, MAIL_SUBJECT_MAX)) == NULL)
		goto oom;

	sb_printf(&b, "Message-ID: <%s@porch>\r\n", m->message_id);
	sb_puts(&b, "Date: ");
	rfc5322_date(&b, m->created_at);
	sb_puts(&b, "\r\nFrom: ");
	if (fname[0]) {
		if (is_plain(fname) && strpbrk(fname, "()<>[]:;@\\,.\"") == NULL)
			sb_puts(&b, fname);
		else if (is_plain(fname)) {
			/* A quoted string: escape backslash and quote. */
			sb_puts(&b, "\"");
			for (p = fname; *p; p++) {
				if (*p == '"' || *p == '\\')
					sb_puts(&b, "\\");
				sb_add(&b, p, 1);
			}
			sb_puts(&b, "\"");
		} else
			header_text(&b, fname);
		sb_printf(&b, " <%s>", faddr);
	} else
		sb_puts(&b, faddr);
	sb_printf(&b, "\r\nTo: %s\r\nSubject: ", m->recipient);
	header_text(&b, subject);
	headers = m->headers ? json_loads(m->headers, 0, NULL) : NULL;
	/* "Reply-To" and "html" (a text/html alternative of the body) are
	 * the two members of headers that are not X-Porch- headers. */
	rto = json_string_value(json_object_get(headers, "Reply-To"));
	html = json_string_value(json_object_get(headers, "html"));
	if (rto && mail_address_ok(rto))
		sb_printf(&b, "\r\nReply-To: %s", rto);
	sb_puts(&b, "\r\nMIME-Version: 1.0\r\n");
	if (html)
		sb_printf(&b, "Content-Type: multipart/alternative; "
		    "boundary=\"=_porch_%s\"\r\n", m->message_id);
	else
		sb_puts(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n");
	sb_puts(&b, "Auto-Submitted: auto-generated\r\n");
	if (headers != NULL) {
		if (json_is_object(headers)) {
			json_object_foreach(headers, key, val) {
				if (!extra_header_ok(key) ||
				    !json_is_string(val))
					continue;
				if ((v = mail_header_clean(
				    json_string_value(val), 200)) == NULL) {
					b.oom = 1;
					break;
				}
				sb_printf(&b, "%s: ", key);
				header_text(&b, v);
				sb_puts(&b, "\r\n");
				free(v);
			}
		}
	}
	sb_puts(&b, "\r\n");
	if (html) {
		/* quoted-printable never writes "=_", so the boundary cannot
		 * occur in either part */
		sb_printf(&b, "--=_porch_%s\r\nContent-Type: text/plain; "
		    "charset=UTF-8\r\nContent-Transfer-Encoding: "
		    "quoted-printable\r\n\r\n", m->message_id);
		quoted_printable(&b, m->body);
		sb_printf(&b, "\r\n--=_porch_%s\r\nContent-Type: text/html; "
		    "charset=UTF-8\r\nContent-Transfer-Encoding: "
		    "quoted-printable\r\n\r\n", m->message_id);
		quoted_printable(&b, html);
		sb_printf(&b, "\r\n--=_porch_%s--\r\n", m->message_id);
	} else
		quoted_printable(&b, m->body);
	json_decref(headers);
	if ((out = sb_take(&b)) == NULL)
		goto oom;
	free(fname);
	free(subject);
	*env_from = faddr;
	return out;
oom:
	free(fname);
	free(faddr);
	free(subject);
	*err = "out of memory";
	return NULL;
}

char *
mail_redact(const char *body)
{
	struct sbuf	 b = { 0 };
	const char	*p = body, *t;
	size_t		 i;

	while ((t = strstr(p, "token=")) != NULL) {
		t += 6;
		for (i = 0; i < TOKEN_HEX; i++)
			if (!((t[i] >= '0' && t[i] <= '9') ||
			    (t[i] >= 'a' && t[i] <= 'f')))
				break;
		sb_add(&b, p, (size_t)(t - p));
		if (i == TOKEN_HEX) {
			sb_puts(&b, "(removed after delivery)");
			t += TOKEN_HEX;
		}
		p = t;
	}
	sb_puts(&b, p);
	return sb_take(&b);
}

/* ---- the account mails ---- */

/* Body text for a name: controls out, so a name cannot fake lines. */
static void
greet(struct sbuf *b, const char *name)
{
	char	*clean;

	if (name == NULL || name[0] == '\0' ||
	    (clean = mail_header_clean(name, 100)) == NULL) {
		sb_puts(b, "Hello,\n\n");
		return;
	}
	sb_printf(b, "Hello %s,\n\n", clean);
	free(clean);
}

int
mail_account(struct store_message *m, enum mail_kind kind, const char *to,
    const char *name, const char *site, const char *base, const char *token)
{
	struct sbuf	 body = { 0 };
	char		 id[33], *title;
	const char	*subject = NULL, *tag = NULL;
	size_t		 blen;

	memset(m, 0, sizeof(*m));
	if (!mail_message_id(id))
		return 0;
	if ((title = mail_header_clean(site && site[0] ? site :
	    "the help site", 100)) == NULL)
		return 0;
	if (base == NULL)
		base = "";
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	greet(&body, name);
	switch (kind) {
	case MAIL_VERIFY:
		subject = "Confirm your e-mail address";
		tag = "verify";
		sb_printf(&body, "Please confirm your e-mail address for %s "
		    "by opening this link:\n\n%.*s/account/verify/?token=%s\n\n"
		    "The link works once and expires in 24 hours.  If you did "
		    "not sign up, ignore this message: no account is made "
		    "without this confirmation.\n", title, (int)blen, base,
		    token);
		break;
	case MAIL_SIGNUP_EXISTS:
		subject = "Sign-up attempt with your e-mail address";
		tag = "signup-exists";
		sb_printf(&body, "Someone, perhaps you, tried to create an "
		    "account on %s with this e-mail address, but you already "
		    "have one.\n\nTo log in: %.*s/account/login/\n"
		    "Forgot your password? %.*s/account/reset/\n\n"
		    "If it was not you, ignore this message: nothing was "
		    "changed.\n", title, (int)blen, base, (int)blen, base);
		break;
	case MAIL_RESET:
		subject = "Reset your password";
		tag = "reset";
		sb_printf(&body, "To choose a new password for %s, open this "
		    "link:\n\n%.*s/account/reset/?token=%s\n\n"
		    "The link works once and expires in one hour.  If you did "
		    "not ask for it, ignore this message: your password stays "
		    "as it is.\n", title, (int)blen, base, token);
		break;
	case MAIL_MAGIC:
		subject = "Your login link";
		tag = "magic";
		sb_printf(&body, "To log in to %s, open this link:\n\n"
		    "%.*s/account/magic/?token=%s\n\n"
		    "The link works once and expires in 15 minutes.  If you did "
		    "not ask for it, ignore this message.\n", title, (int)blen,
		    base, token);
		break;
	}
	sb_puts(&body, "\n-- \nThis message was sent automatically; replies "
	    "are not read.\n");
	free(title);
	m->message_id = strdup(id);
	m->kind = strdup("mail");
	m->recipient = strdup(to);
	m->subject = strdup(subject);
	m->body = sb_take(&body);
	m->headers = NULL;
	if (tag && asprintf(&m->headers, "{\"X-Porch-Kind\": \"%s\"}",
	    tag) < 0)
		m->headers = NULL;
	if (!m->message_id || !m->kind || !m->recipient || !m->subject ||
	    !m->body || !m->headers) {
		store_message_free(m);
		return 0;
	}
	return 1;
}
