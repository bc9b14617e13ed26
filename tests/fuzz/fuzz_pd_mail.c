/*
 * Fuzz target for porchd's mail guard (endpoints/mail.c): the address
 * normaliser every form goes through, and the composer that turns an
 * outbox row into RFC 5322 text.  The input is up to five lines: an
 * address as typed, a subject, a From setting, an extra-headers JSON
 * object, and the rest is the body.
 *
 * Asserts what mail.h promises: mail_address_normalize accepts exactly
 * what mail_address_ok accepts after trimming and lower-casing, and its
 * result is ASCII without blanks, controls, '<', '>', ',' or a second
 * '@'; mail_header_clean leaves no control character and at most max
 * bytes; a composed message has only CRLF line ends, every header line
 * is "Name: value" or a continuation starting with a space, no header
 * line is over 998 bytes, the only header names are the ones porchd
 * writes (Message-ID, Date, From, To, Subject, MIME-Version,
 * Content-Type, Content-Transfer-Encoding, Auto-Submitted, X-Porch-*),
 * each once; the body's lines are at most 76 characters and none is a
 * lone '.'.  So nothing typed can add a header or a recipient.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail.h"
#include "store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static const char *const known[] = {
	"Message-ID", "Date", "From", "To", "Subject", "MIME-Version",
	"Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", NULL
};

/* Splits s in place at the first '\n'; returns the rest or "". */
static char *
cut(char *s)
{
	char	*nl;

	if ((nl = strchr(s, '\n')) == NULL)
		return s + strlen(s);
	*nl = '\0';
	return nl + 1;
}

static void
check_address(const char *in)
{
	char		 out[MAIL_ADDRESS_MAX + 1];
	const char	*p;
	int		 ok;

	ok = mail_address_normalize(in, out);
	if (!ok)
		return;
	CHECK(mail_address_ok(out));
	CHECK(strchr(out, '@') == strrchr(out, '@'));
	for (p = out; *p; p++) {
		CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
		CHECK(strchr("<>,;\"()[]\\", *p) == NULL);
		CHECK(!(*p >= 'A' && *p <= 'Z'));
	}
}

static void
check_clean(const char *s, size_t max)
{
	char		*c = mail_header_clean(s, max);
	const char	*p;

	CHECK(c != NULL);
	CHECK(strlen(c) <= max);
	for (p = c; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
	free(c);
}

/* Checks the header block and body of a composed message. */
static void
check_message(const char *msg)
{
	const char	*p, *eol;
	const char	*colon;
	int		 seen[16] = { 0 }, i, in_body = 0;
	size_t		 len, n = strlen(msg);

	/* CRLF only: no bare CR, no bare LF */
	for (p = msg; *p; p++) {
		if (*p == '\r')
			CHECK(p[1] == '\n');
		if (*p == '\n')
			CHECK(p > msg && p[-1] == '\r');
	}
	for (p = msg; p < msg + n; p = eol + 2) {
		if ((eol = strstr(p, "\r\n")) == NULL)
			eol = msg + n;
		len = (size_t)(eol - p);
		if (in_body) {
			CHECK(len <= 76);
			CHECK(!(len == 1 && p[0] == '.'));
		} else if (len == 0)
			in_body = 1;
		else if (p[0] == ' ')
			CHECK(len <= 998);
		else {
			CHECK(len <= 998);
			colon = memchr(p, ':', len);
			CHECK(colon != NULL && colon[1] == ' ');
			for (i = 0; known[i]; i++)
				if ((size_t)(colon - p) == strlen(known[i]) &&
				    strncmp(p, known[i], strlen(known[i])) ==
				    0)
					break;
			if (known[i] != NULL) {
				CHECK(seen[i] == 0);
				seen[i] = 1;
			} else
				CHECK(strncasecmp(p, "X-Porch-", 8) == 0);
		}
		if (eol == msg + n)
			break;
	}
	CHECK(in_body);
	for (i = 0; known[i]; i++)
		CHECK(seen[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_message m;
	char		*s, *addr, *subject, *from, *headers, *body, *msg;
	char		*env = NULL, id[] = "0123456789abcdef-fuzz";
	char		 norm[MAIL_ADDRESS_MAX + 1];
	const char	*err = NULL;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	addr = s;
	subject = cut(addr);
	from = cut(subject);
	headers = cut(from);
	body = cut(headers);

	check_address(addr);
	check_clean(subject, MAIL_SUBJECT_MAX);
	check_clean(body, 100);

	memset(&m, 0, sizeof(m));
	m.message_id = id;
	m.kind = (char *)"mail";
	m.recipient = mail_address_normalize(addr, norm) ? norm :
	    (char *)"customer@example.com";
	m.subject = subject;
	m.body = body;
	m.headers = headers;
	m.created_at = 1700000000;
	msg = mail_compose(&m, *from ? from : NULL, &env, &err);
	if (msg == NULL) {
		CHECK(err != NULL && env == NULL);
	} else {
		CHECK(env != NULL && mail_address_ok(env));
		check_message(msg);
	}
	free(msg);
	free(env);
	free(s);
	return 0;
}
