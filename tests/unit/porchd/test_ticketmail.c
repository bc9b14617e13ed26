/*
 * Unit tests for ticketmail.c and what mail_compose makes of its rows:
 * the staff mail (Reply-To, multipart/alternative with an escaped HTML
 * part, every field by its label, attachment links), the customer's
 * rating links, and the webhook body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "mail.h"
#include "store.h"
#include "ticketmail.h"

static struct ticket_info t;
static json_t *fields, *schema, *atts;

static int
setup(void **state)
{
	(void)state;
	fields = json_pack("{s:s, s:s, s:b}", "subject", "Backup <fails>",
	    "platform", "Linux", "urgent", 1);
	schema = json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", "platform",
	    "label", "Operating system", "name", "urgent", "label", "Blocked");
	atts = json_pack("[{s:I, s:s, s:s, s:I, s:s}]", "id", (json_int_t)7,
	    "name", "logs.zip", "type", "application/zip", "size",
	    (json_int_t)42, "url", "http://h.test/api/tickets/SKY-1001/"
	    "attachments/7?key=abc");
	memset(&t, 0, sizeof(t));
	t.ref = "SKY-1001";
	t.type = "bug";
	t.type_label = "Problem";
	t.subject = "Backup <fails>";
	t.status = "new";
	t.priority = "urgent";
	t.email = "ann@example.com";
	t.fields = fields;
	t.schema = schema;
	t.attachments = atts;
	t.created_at = 1700000000;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	json_decref(fields);
	json_decref(schema);
	json_decref(atts);
	return 0;
}

static void
test_staff_mail(void **state)
{
	struct store_message	 m;
	json_t			*h;
	char			*text, *env = NULL;
	const char		*err;

	(void)state;
	assert_true(ticketmail_mail(&m, TICKETMAIL_STAFF_NEW, "staff@x.test",
	    "Skylark", "http://h.test/", &t, NULL, NULL));
	assert_string_equal(m.kind, "mail");
	assert_string_equal(m.recipient, "staff@x.test");
	assert_non_null(strstr(m.subject, "SKY-1001"));
	assert_non_null(strstr(m.body, "Operating system: Linux"));
	assert_non_null(strstr(m.body, "Blocked: yes"));
	assert_non_null(strstr(m.body, "attachments/7?key=abc"));
	assert_non_null(h = json_loads(m.headers, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(h, "Reply-To")),
	    "ann@example.com");
	assert_non_null(strstr(json_string_value(json_object_get(h, "html")),
	    "Backup &lt;fails&gt;"));
	assert_null(strstr(json_string_value(json_object_get(h, "html")),
	    "<fails>"));
	json_decref(h);
	m.created_at = 1700000000;
	assert_non_null(text = mail_compose(&m, "Help <help@x.test>", &env,
	    &err));
	assert_non_null(strstr(text, "\r\nReply-To: ann@example.com\r\n"));
	assert_non_null(strstr(text, "Content-Type: multipart/alternative; "
	    "boundary=\"=_porch_"));
	assert_non_null(strstr(text, "Content-Type: text/html; "
	    "charset=UTF-8"));
	assert_non_null(strstr(text, "X-Porch-Kind: ticket-staff-new"));
	free(text);
	free(env);
	store_message_free(&m);
}

static void
test_customer_mails(void **state)
{
	struct store_message	 m;
	char			 tok[65];

	(void)state;
	memset(tok, 'a', 64);
	tok[64] = '\0';
	t.status = "solved";
	assert_true(ticketmail_mail(&m, TICKETMAIL_STATUS, "ann@example.com",
	    "Skylark", "http://h.test", &t, "Fixed.", tok));
	assert_non_null(strstr(m.body, "http://h.test/tickets/rate/?token="));
	assert_non_null(strstr(m.body, "&rating=good"));
	assert_non_null(strstr(m.body, "&rating=bad"));
	assert_non_null(strstr(m.body, "Fixed."));
	assert_null(strstr(m.headers, "Reply-To"));
	store_message_free(&m);
	assert_true(ticketmail_mail(&m, TICKETMAIL_CONFIRM, "ann@example.com",
	    "Skylark", "http://h.test", &t, NULL, tok));
	assert_non_null(strstr(m.body, "http://h.test/tickets/confirm/?token="
	    "aaaa"));
	store_message_free(&m);
	t.status = "new";
}

static void
test_webhook(void **state)
{
	struct store_message	 m;
	json_t			*b;

	(void)state;
	assert_true(ticketmail_webhook(&m, "http://hook.test/x",
	    "ticket.comment", &t, "hello"));
	assert_string_equal(m.kind, "webhook");
	assert_string_equal(m.recipient, "http://hook.test/x");
	assert_non_null(b = json_loads(m.body, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(b, "event")),
	    "ticket.comment");
	assert_string_equal(json_string_value(json_object_get(b, "comment")),
	    "hello");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    b, "ticket"), "ref")), "SKY-1001");
	json_decref(b);
	store_message_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff_mail),
		cmocka_unit_test(test_customer_mails),
		cmocka_unit_test(test_webhook),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
