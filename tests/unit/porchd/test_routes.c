/*
 * Unit tests for routes.c (route_find over tables: exact and prefix
 * paths, HEAD for GET, 405 detection, Allow lists; the real joined table)
 * and for the request-side helpers of http.c and server.c: path
 * decoding, cookies, UTF-8 cleaning, answers, the cross-site policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "http.h"
#include "route.h"
#include "server.h"

static void h1(struct req *r) { (void)r; }
static void h2(struct req *r) { (void)r; }
static void h3(struct req *r) { (void)r; }

static const struct route ta[] = {
	{ "GET", "/things", h1, 0 },
	{ "POST", "/things", h2, ROUTE_CSRF | ROUTE_JSON },
	{ NULL, NULL, NULL, 0 },
};
static const struct route tb[] = {
	{ "GET", "/files/*", h3, 0 },
	{ "DELETE", "/things", h3, ROUTE_AUTH },
	{ NULL, NULL, NULL, 0 },
};
static const struct route *const tabs[] = { ta, tb, NULL };

static void
test_find(void **state)
{
	const struct route *r;
	int	 allowed = -1;

	(void)state;
	r = route_find_in(tabs, "GET", "/things", &allowed);
	assert_non_null(r);
	assert_ptr_equal(r->handler, h1);
	assert_int_equal(allowed, 0);
	r = route_find_in(tabs, "POST", "/things", &allowed);
	assert_ptr_equal(r->handler, h2);
	r = route_find_in(tabs, "DELETE", "/things", &allowed);
	assert_ptr_equal(r->handler, h3);	/* from the second table */
	r = route_find_in(tabs, "HEAD", "/things", &allowed);
	assert_ptr_equal(r->handler, h1);	/* HEAD finds GET */
	r = route_find_in(tabs, "PUT", "/things", &allowed);
	assert_null(r);
	assert_int_equal(allowed, 1);		/* 405 */
	r = route_find_in(tabs, "GET", "/nothing", &allowed);
	assert_null(r);
	assert_int_equal(allowed, 0);		/* 404 */
	r = route_find_in(tabs, "GET", "/things/", &allowed);
	assert_null(r);				/* exact */
	r = route_find_in(tabs, "GET", "/files/a/b.txt", &allowed);
	assert_ptr_equal(r->handler, h3);	/* prefix */
	r = route_find_in(tabs, "GET", "/files", &allowed);
	assert_null(r);
	r = route_find_in(tabs, "get", "/things", &allowed);
	assert_null(r);				/* methods are exact */
}

static void
test_allow(void **state)
{
	char	 buf[64];

	(void)state;
	assert_int_equal(route_allow_in(tabs, "/things", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "GET, POST, DELETE, HEAD, OPTIONS");
	assert_int_equal(route_allow_in(tabs, "/files/x", buf, sizeof(buf)),
	    1);
	assert_string_equal(buf, "GET, HEAD, OPTIONS");
	assert_int_equal(route_allow_in(tabs, "/none", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void
test_real_table(void **state)
{
	const struct route *r;
	int	 allowed;
	char	 buf[64];

	(void)state;
	r = route_find("GET", "/healthz", &allowed);
	assert_non_null(r);
	assert_int_equal(r->flags, 0);
	assert_non_null(route_find("GET", "/metrics", &allowed));
	assert_null(route_find("POST", "/healthz", &allowed));
	assert_int_equal(allowed, 1);
	assert_null(route_find("GET", "/api/healthz", &allowed));
	assert_int_equal(allowed, 0);
	assert_true(route_allow("/healthz", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "GET, HEAD, OPTIONS");
	/* every row of every table: a method, a path from '/', a handler */
	for (r = account_routes; r->method; r++) {
		assert_true(r->path[0] == '/');
		assert_non_null(r->handler);
	}
}

static void
test_decode_path(void **state)
{
	char	 out[64];

	(void)state;
	assert_true(http_decode_path("/a%20b/c", 8, out));
	assert_string_equal(out, "/a b/c");
	assert_true(http_decode_path("/x?y=%00", 8, out));
	assert_string_equal(out, "/x");		/* the query is not ours */
	assert_true(http_decode_path("/%2e%2E/", 8, out));
	assert_string_equal(out, "/../");	/* static_path_ok refuses it */
	assert_true(http_decode_path("/caf%C3%A9", 10, out));
	assert_string_equal(out, "/caf\xc3\xa9");
	assert_false(http_decode_path("/a%00b", 6, out));
	assert_false(http_decode_path("/a%0d%0a", 8, out));
	assert_false(http_decode_path("/a%", 3, out));
	assert_false(http_decode_path("/a%2", 4, out));
	assert_false(http_decode_path("/a%zz", 5, out));
	assert_false(http_decode_path("/a b", 4, out));
	assert_false(http_decode_path("/a\x7f", 3, out));
}

static void
test_cookies(void **state)
{
	char	*v;

	(void)state;
	v = http_cookie_find("a=1; porch_session=abc; b=2", "porch_session");
	assert_string_equal(v, "abc");
	free(v);
	v = http_cookie_find("xporch_session=no;porch_session = \"q\" ",
	    "porch_session");
	assert_string_equal(v, "q");
	free(v);
	v = http_cookie_find("__Host-s=1; s=2", "s");
	assert_string_equal(v, "2");
	free(v);
	v = http_cookie_find("__Host-s=1; s=2", "__Host-s");
	assert_string_equal(v, "1");
	free(v);
	assert_null(http_cookie_find("a=1; b", "b"));
	assert_null(http_cookie_find(NULL, "a"));
	assert_null(http_cookie_find("", "a"));
}

static void
test_utf8(void **state)
{
	char	*s;

	(void)state;
	s = http_utf8_clean("ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82", 14);
	assert_string_equal(s, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82");
	free(s);
	s = http_utf8_clean("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82", 12);
	assert_string_equal(s, "a?b??c???d??");
	free(s);
	s = http_utf8_clean("a\0b", 3);
	assert_string_equal(s, "a?b");
	free(s);
}

static void
test_answers(void **state)
{
	struct req	 req;
	json_t		*j;

	(void)state;
	memset(&req, 0, sizeof(req));
	resp_init(&req.resp);
	resp_error(&req, 400, "bad_json", "near '%s'", "\"<x>\xff");
	assert_int_equal(req.resp.status, 400);
	assert_string_equal(req.resp.type, "application/json");
	j = json_loadb(req.resp.body, req.resp.body_len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    "bad_json");
	assert_string_equal(json_string_value(json_object_get(j, "message")),
	    "near '\"<x>?'");
	json_decref(j);

	resp_header(&req, "X-A", "1");
	resp_header(&req, "X-Bad", "1\r\nSet-Cookie: x=1");	/* refused */
	resp_header(&req, "X:Bad", "1");			/* refused */
	assert_string_equal(resp_header_get(&req.resp, "x-a"), "1");
	assert_null(resp_header_get(&req.resp, "X-Bad"));
	assert_int_equal(req.resp.nheaders, 1);

	req.https = 0;
	resp_cookie(&req, "porch_session", "abc", 3600);
	assert_string_equal(req.resp.headers[1].value, "porch_session=abc; "
	    "Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
	req.https = 1;
	resp_cookie(&req, "porch_session", "abc", 0);
	assert_string_equal(req.resp.headers[2].value, "__Host-porch_session="
	    "abc; Path=/; HttpOnly; SameSite=Lax; Secure");
	resp_cookie(&req, "porch_session", "abc", -1);
	assert_string_equal(req.resp.headers[3].value, "__Host-porch_session=; "
	    "Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
	resp_cookie(&req, "s", "a;b", 1);		/* refused */
	resp_cookie(&req, "s=x", "a", 1);		/* refused */
	assert_int_equal(req.resp.nheaders, 4);

	resp_json(&req, 200, json_pack("{s:i}", "n", 1));
	assert_string_equal(req.resp.body, "{\"n\":1}");
	assert_int_equal(req.resp.nheaders, 4);		/* headers stay */
	resp_json(&req, 200, NULL);
	assert_int_equal(req.resp.status, 500);
	resp_free(&req.resp);
	assert_int_equal(req.resp.file_fd, -1);
	assert_null(req.resp.body);
}

static int
allow_site(void *ctx, const char *origin)
{
	(void)ctx;
	return strcmp(origin, "https://help.example.com") == 0;
}

static void
test_origin_policy(void **state)
{
	const char	*site = "https://help.example.com";
	const char	*evil = "https://evil.example";

	(void)state;
	assert_false(server_origin_ok("cross-site", site, NULL, allow_site,
	    NULL));
	assert_false(server_origin_ok("Cross-Site", NULL, NULL, allow_site,
	    NULL));
	assert_true(server_origin_ok("same-origin", evil, NULL, allow_site,
	    NULL));
	assert_true(server_origin_ok("none", NULL, NULL, allow_site, NULL));
	assert_true(server_origin_ok("same-site", site, NULL, allow_site,
	    NULL));
	assert_false(server_origin_ok("same-site", evil, NULL, allow_site,
	    NULL));
	assert_true(server_origin_ok(NULL, site, NULL, allow_site, NULL));
	assert_false(server_origin_ok(NULL, evil, NULL, allow_site, NULL));
	assert_false(server_origin_ok(NULL, "null", NULL, allow_site, NULL));
	assert_true(server_origin_ok(NULL, NULL, "https://help.example.com/x/",
	    allow_site, NULL));
	assert_false(server_origin_ok(NULL, NULL, "https://evil.example/",
	    allow_site, NULL));
	assert_false(server_origin_ok(NULL, NULL, "garbage", allow_site,
	    NULL));
	/* no browser headers at all: not a browser, nothing to forge */
	assert_true(server_origin_ok(NULL, NULL, NULL, allow_site, NULL));

	assert_true(server_is_json("application/json"));
	assert_true(server_is_json("Application/JSON; charset=utf-8"));
	assert_true(server_is_json(" application/json;"));
	assert_false(server_is_json("application/jsonx"));
	assert_false(server_is_json("text/plain"));
	assert_false(server_is_json("application/x-www-form-urlencoded"));
	assert_false(server_is_json(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_real_table),
		cmocka_unit_test(test_decode_path),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_origin_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
