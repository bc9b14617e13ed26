/*
 * Unit tests for mail.c (addresses, header cleaning, composition with
 * Message-ID, quoted-printable and RFC 2047, the account mails, redaction)
 * and outbox_backoff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail.h"
#include "outbox.h"
#include "store.h"
#include "token.h"

static void
test_addresses(void **state)
{
	static const char *const good[] = { "a@b.co", "first.last@example.com",
	    "o'brien+tag@mail.example.org", "x@localhost", "a_b-c@d-e.f",
	    NULL };
	static const char *const bad[] = { "", "a", "@b.c", "a@", "a@@b.c",
	    "a@b@c.d", ".a@b.c", "a.@b.c", "a..b@c.d", "a@-b.c", "a@b-.c",
	    "a@b..c", "a b@c.d", "a@b c.d", "a\r\n@b.c", "a@b.c\r\nBcc: x@y.z",
	    "\"q\"@b.c", "a@[127.0.0.1]", "<a@b.c>", "a@b.c>", "ä@b.c",
	    "a@bä.c", "a(comment)@b.c", NULL };
	char	 out[MAIL_ADDRESS_MAX + 1], longer[300];
	int	 i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_true(mail_address_ok(good[i]));
	for (i = 0; bad[i]; i++) {
		if (mail_address_ok(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
	memset(longer, 'a', sizeof(longer));
	memcpy(longer + 250, "@b.co", 6);
	assert_false(mail_address_ok(longer));	/* 255 bytes */
	assert_true(mail_address_normalize("  Ann.Lee@Example.COM \t", out));
	assert_string_equal(out, "ann.lee@example.com");
	assert_false(mail_address_normalize("nope", out));
	assert_false(mail_address_normalize(NULL, out));
}

static void
test_header_clean(void **state)
{
	char	*s;

	(void)state;
	s = mail_header_clean("Hi\r\nBcc: victim@example.com\ttab\x7f", 100);
	assert_string_equal(s, "Hi  Bcc: victim@example.com tab ");
	free(s);
	/* invalid UTF-8 becomes '?', valid stays */
	s = mail_header_clean("caf\xc3\xa9 \xff\xfe ok", 100);
	assert_string_equal(s, "caf\xc3\xa9 ?? ok");
	free(s);
	/* cut at a character boundary */
	s = mail_header_clean("ab\xc3\xa9", 3);
	assert_string_equal(s, "ab");
	free(s);
	s = mail_header_clean(NULL, 10);
	assert_string_equal(s, "");
	free(s);
}

static struct store_message
msg(const char *subject, const char *body, const char *headers)
{
	struct store_message m;

	memset(&m, 0, sizeof(m));
	m.message_id = "0123456789abcdef0123456789abcdef";
	m.kind = "mail";
	m.recipient = "ann@example.com";
	m.subject = (char *)subject;
	m.body = (char *)body;
	m.headers = (char *)headers;
	m.created_at = 1700000000;	/* Tue, 14 Nov 2023 22:13:20 UTC */
	return m;
}

/* The header block of text (up to the blank line), as a new string. */
static char *
headers_of(const char *text)
{
	const char	*end = strstr(text, "\r\n\r\n");

	assert_non_null(end);
	return strndup(text, (size_t)(end - text + 2));
}

static void
test_compose_basic(void **state)
{
	struct store_message m = msg("Confirm your address", "Hello\nbye\n",
	    "{\"X-Porch-Kind\": \"verify\"}");
	const char	*err;
	char		*text, *from, *h;

	(void)state;
	text = mail_compose(&m, "Skylark Help <help@skylark.example>", &from,
	    &err);
	assert_non_null(text);
	assert_string_equal(from, "help@skylark.example");
	h = headers_of(text);
	assert_non_null(strstr(h, "Message-ID: <0123456789abcdef0123456789abcdef"
	    "@porch>\r\n"));
	assert_non_null(strstr(h, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
	assert_non_null(strstr(h, "From: Skylark Help <help@skylark.example>"
	    "\r\n"));
	assert_non_null(strstr(h, "To: ann@example.com\r\n"));
	assert_non_null(strstr(h, "Subject: Confirm your address\r\n"));
	assert_non_null(strstr(h, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(h, "Content-Type: text/plain; charset=UTF-8"));
	assert_non_null(strstr(h, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	assert_non_null(strstr(h, "X-Porch-Kind: verify\r\n"));
	assert_non_null(strstr(text, "\r\n\r\nHello\r\nbye\r\n"));
	/* no bare LF anywhere */
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			assert_true(p > text && p[-1] == '\r');
	free(h);
	free(text);
	free(from);
}

static void
test_compose_injection(void **state)
{
	struct store_message m = msg("Hi\r\nBcc: victim@example.com\r\n\r\nfake",
	    "body", "{\"Bcc\": \"victim@example.com\", "
	    "\"X-Porch-Evil\": \"a\\r\\nBcc: v@example.com\"}");
	const char	*err;
	char		*text, *from, *h;

	(void)state;
	text = mail_compose(&m, "Evil\r\nBcc: x@y.z <help@skylark.example>",
	    &from, &err);
	assert_non_null(text);
	h = headers_of(text);
	/* every header line starts with a known name or is a fold */
	assert_null(strstr(h, "\r\nBcc:"));
	assert_null(strstr(h, "\nBcc:"));
	assert_non_null(strstr(h, "Subject: Hi  Bcc: victim@example.com    "
	    "fake\r\n"));
	assert_non_null(strstr(h, "X-Porch-Evil: a  Bcc: v@example.com\r\n"));
	free(h);
	free(text);
	free(from);

	/* a recipient that is not a plain address is refused */
	m.recipient = "ann@example.com\r\nBcc: v@example.com";
	assert_null(mail_compose(&m, "help@skylark.example", &from, &err));
	assert_non_null(err);
	m.recipient = "ann@example.com";
	assert_null(mail_compose(&m, "not an address", &from, &err));
	m.message_id = "x>\r\nBcc: v@example.com";
	assert_null(mail_compose(&m, "help@skylark.example", &from, &err));
}

static void
test_compose_encodings(void **state)
{
	char		 body[400];
	struct store_message m;
	const char	*err, *p;
	char		*text, *from, *h;
	size_t		 col;

	(void)state;
	memset(body, 'a', 200);
	strcpy(body + 200, "\n.dot\ncaf\xc3\xa9 = x \ntrailing \n");
	m = msg("Caf\xc3\xa9 \xe2\x80\x94 r\xc3\xa9sum\xc3\xa9 of a rather long "
	    "subject line that needs more than one encoded word", body, "{}");
	text = mail_compose(&m, "\"Porch, Help\" <help@skylark.example>", &from,
	    &err);
	assert_non_null(text);
	h = headers_of(text);
	assert_non_null(strstr(h, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(h, "?=\r\n =?UTF-8?B?"));	/* folded */
	assert_non_null(strstr(h, "From: \"Porch, Help\" <help@skylark"));
	free(h);
	/* quoted-printable: lines at most 76, soft breaks, escapes */
	p = strstr(text, "\r\n\r\n") + 4;
	for (col = 0; *p; p++) {
		if (*p == '\r') {
			assert_true(col <= 76);
			col = 0;
			p++;
			continue;
		}
		col++;
	}
	assert_non_null(strstr(text, "=\r\n"));
	assert_non_null(strstr(text, "\r\n=2Edot\r\n"));
	assert_non_null(strstr(text, "caf=C3=A9 =3D x=20\r\n"));
	assert_non_null(strstr(text, "trailing=20\r\n"));
	free(text);
	free(from);
}

static void
test_account_mails(void **state)
{
	struct store_message m;
	char	 tok[TOKEN_HEX + 1], *red;

	(void)state;
	assert_true(token_new(tok));
	assert_true(mail_account(&m, MAIL_VERIFY, "ann@example.com",
	    "Ann\r\nBcc: x", "Skylark", "http://127.0.0.1:8080/", tok));
	assert_string_equal(m.kind, "mail");
	assert_string_equal(m.recipient, "ann@example.com");
	assert_int_equal(strlen(m.message_id), 32);
	assert_non_null(strstr(m.body, "http://127.0.0.1:8080/account/verify/"
	    "?token="));
	assert_non_null(strstr(m.body, tok));
	assert_non_null(strstr(m.body, "Hello Ann  Bcc: x,"));
	assert_non_null(strstr(m.headers, "verify"));
	red = mail_redact(m.body);
	assert_null(strstr(red, tok));
	assert_non_null(strstr(red, "?token=(removed after delivery)"));
	free(red);
	store_message_free(&m);

	assert_true(mail_account(&m, MAIL_SIGNUP_EXISTS, "ann@example.com",
	    NULL, NULL, "https://help.example.com", NULL));
	assert_non_null(strstr(m.body, "already"));
	assert_non_null(strstr(m.body, "https://help.example.com/account/"
	    "reset/"));
	assert_null(strstr(m.body, "token="));
	store_message_free(&m);

	assert_true(mail_account(&m, MAIL_RESET, "ann@example.com", NULL,
	    "S", "http://h", tok));
	assert_non_null(strstr(m.body, "http://h/account/reset/?token="));
	store_message_free(&m);
	assert_true(mail_account(&m, MAIL_MAGIC, "ann@example.com", NULL,
	    "S", "http://h", tok));
	assert_non_null(strstr(m.body, "http://h/account/magic/?token="));
	store_message_free(&m);
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(outbox_backoff(1, 0), 1);
	assert_int_equal(outbox_backoff(2, 0), 2);
	assert_int_equal(outbox_backoff(3, 0), 4);
	assert_int_equal(outbox_backoff(12, 0), 2048);
	assert_int_equal(outbox_backoff(13, 0), OUTBOX_BACKOFF_MAX);
	assert_int_equal(outbox_backoff(1000, 0), OUTBOX_BACKOFF_MAX);
	/* jitter: up to a quarter more */
	assert_int_equal(outbox_backoff(3, 1), 5);
	assert_true(outbox_backoff(13, 0xffffffffu) <=
	    OUTBOX_BACKOFF_MAX + OUTBOX_BACKOFF_MAX / 4);
	assert_true(outbox_backoff(1, 12345) <= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_header_clean),
		cmocka_unit_test(test_compose_basic),
		cmocka_unit_test(test_compose_injection),
		cmocka_unit_test(test_compose_encodings),
		cmocka_unit_test(test_account_mails),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
