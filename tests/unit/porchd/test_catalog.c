/*
 * Unit tests for catalog.c: validation messages, loading and the atomic
 * swap (a bad file keeps the old catalog), the API prefix, origins and
 * the allow-list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app.h"
#include "catalog.h"
#include "metrics.h"

static const char good[] =
    "{\"format\": \"porch-catalog\", \"version\": 1,"
    " \"site\": {\"title\": \"T\", \"base_url\": \"https://help.example.com/\","
    "   \"endpoint\": \"/api\", \"cors_origins\": [\"https://www.example.com/\"]},"
    " \"articles\": [{\"id\": \"/a/\", \"url\": \"/a/\", \"title\": \"A\"}],"
    " \"roadmap\": [], \"changelog\": [],"
    " \"tickets\": {\"types\": []},"
    " \"accounts\": {\"signup\": true, \"magic_link\": false}}";

/* Parses good, applies edit (a JSON path and a new value) and returns the
 * validation message, or "" when valid. */
static const char *
validate_edit(const char *member, const char *sub, json_t *value)
{
	static char	 err[256];
	json_t		*c = json_loads(good, 0, NULL);

	assert_non_null(c);
	if (member && sub)
		json_object_set_new(json_object_get(c, member), sub, value);
	else if (member && value)
		json_object_set_new(c, member, value);
	else if (member)
		json_object_del(c, member);
	err[0] = '\0';
	if (catalog_validate(c, err, sizeof(err)))
		err[0] = '\0';
	json_decref(c);
	return err;
}

static void
test_validate(void **state)
{
	json_t	*empty;
	char	 err[256];

	(void)state;
	assert_string_equal(validate_edit(NULL, NULL, NULL), "");
	assert_string_equal(validate_edit("format", NULL,
	    json_string("other")), "format: expected \"porch-catalog\"");
	assert_string_equal(validate_edit("version", NULL, json_integer(2)),
	    "version 2 is not understood by this porchd (it reads version 1)");
	assert_string_equal(validate_edit("version", NULL, json_string("1")),
	    "version: expected a whole number");
	assert_string_equal(validate_edit("articles", NULL, NULL),
	    "articles: missing");
	assert_string_equal(validate_edit("articles", NULL, json_object()),
	    "articles: expected an array");
	assert_string_equal(validate_edit("articles", NULL,
	    json_pack("[{s:s, s:s, s:i}]", "id", "x", "url", "x", "title", 3)),
	    "articles[0].title: expected a string");
	assert_string_equal(validate_edit("site", "cors_origins",
	    json_pack("[s, i]", "https://a", 2)),
	    "site.cors_origins[1]: expected a string");
	assert_string_equal(validate_edit("site", "endpoint", json_null()),
	    "site.endpoint: expected a string");
	assert_string_equal(validate_edit("accounts", "signup",
	    json_string("yes")), "accounts.signup: expected true or false");
	assert_string_equal(validate_edit("tickets", "types", json_integer(1)),
	    "tickets.types: expected an array");
	empty = json_array();
	assert_false(catalog_validate(empty, err, sizeof(err)));
	json_decref(empty);

	empty = catalog_empty();
	assert_non_null(empty);
	assert_true(catalog_validate(empty, err, sizeof(err)));
	json_decref(empty);
}

static void
test_prefix(void **state)
{
	char	 buf[64];
	json_t	*c;
	size_t	 i;
	static const char *const cases[][2] = {
		{ "/api", "/api" }, { "/api/", "/api" }, { "/v1/porch", "/v1/porch" },
		{ "https://api.example.com/v1/", "/v1" },
		{ "https://api.example.com", "" }, { "https://api.example.com/", "" },
		{ "api", "/api" }, { "/a?b", "/api" }, { "/a/../b", "/api" },
		{ "//x", "/api" },
	};

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = json_pack("{s:{s:s}}", "site", "endpoint", cases[i][0]);
		assert_string_equal(catalog_api_prefix(c, buf, sizeof(buf)),
		    cases[i][1]);
		json_decref(c);
	}
	c = json_object();
	assert_string_equal(catalog_api_prefix(c, buf, sizeof(buf)), "/api");
	json_decref(c);
}

static void
test_origins(void **state)
{
	char	 o[128];
	json_t	*c;

	(void)state;
	assert_true(catalog_origin_of("https://Help.Example.com/docs/", o,
	    sizeof(o)));
	assert_string_equal(o, "https://help.example.com");
	assert_true(catalog_origin_of("http://localhost:8080", o, sizeof(o)));
	assert_string_equal(o, "http://localhost:8080");
	assert_true(catalog_origin_of("https://a.example:443/x", o, sizeof(o)));
	assert_string_equal(o, "https://a.example");
	assert_true(catalog_origin_of("http://[::1]:80/", o, sizeof(o)));
	assert_string_equal(o, "http://[::1]");
	assert_false(catalog_origin_of("/help/", o, sizeof(o)));
	assert_false(catalog_origin_of("https://user@evil.example/", o,
	    sizeof(o)));
	assert_false(catalog_origin_of("https:///x", o, sizeof(o)));

	c = json_loads(good, 0, NULL);
	assert_true(catalog_origin_allowed(c, NULL, NULL, NULL,
	    "https://help.example.com"));
	assert_true(catalog_origin_allowed(c, NULL, NULL, NULL,
	    "https://www.example.com"));
	assert_true(catalog_origin_allowed(c, "https://a.example,"
	    "http://localhost:3000", NULL, NULL, "http://localhost:3000"));
	assert_true(catalog_origin_allowed(c, NULL, "https://pub.example/help/",
	    NULL, "https://pub.example"));
	assert_true(catalog_origin_allowed(c, NULL, NULL,
	    "http://127.0.0.1:8080", "http://127.0.0.1:8080"));
	/* exact only */
	assert_false(catalog_origin_allowed(c, NULL, NULL, NULL,
	    "https://help.example.com.evil.example"));
	assert_false(catalog_origin_allowed(c, NULL, NULL, NULL,
	    "http://help.example.com"));
	assert_false(catalog_origin_allowed(c, NULL, NULL, NULL,
	    "https://evil.example"));
	assert_false(catalog_origin_allowed(c, "https://a.example", NULL, NULL,
	    "https://a.exampl"));
	assert_false(catalog_origin_allowed(c, NULL, NULL, NULL, "null"));
	assert_false(catalog_origin_allowed(c, NULL, NULL, NULL, ""));
	assert_false(catalog_origin_allowed(c, NULL, NULL, NULL, NULL));
	json_decref(c);
}

static const char *
write_file(const char *text)
{
	static char	 path[64];
	int		 fd;

	snprintf(path, sizeof(path), "/tmp/porchd-catalog-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_load_swap(void **state)
{
	struct app	 app;
	json_t		*c1, *c2;
	const char	*p;
	size_t		 len;
	char		*m;

	(void)state;
	memset(&app, 0, sizeof(app));
	pthread_mutex_init(&app.catalog_lock, NULL);
	app.metrics = metrics_new();

	/* nothing loaded yet: an empty catalog, never NULL */
	c1 = app_catalog(&app);
	assert_non_null(c1);
	json_decref(c1);
	assert_false(catalog_load(&app, "/nonexistent/catalog.json", 1));

	p = write_file(good);
	assert_true(catalog_load(&app, p, 0));
	c1 = app_catalog(&app);
	assert_int_equal(json_array_size(json_object_get(c1, "articles")), 1);

	/* bad JSON and a bad version keep the old catalog */
	unlink(p);
	p = write_file("{\"format\": \"porch-catalog\",\n \"version\": 1,\n x}");
	assert_false(catalog_load(&app, p, 0));
	unlink(p);
	p = write_file("{\"format\": \"porch-catalog\", \"version\": 9}");
	assert_false(catalog_load(&app, p, 0));
	unlink(p);
	assert_false(catalog_load(&app, p, 0));		/* gone */
	c2 = app_catalog(&app);
	assert_ptr_equal(c1, c2);	/* the same object */
	json_decref(c2);

	/* a reader's reference outlives a swap */
	p = write_file(good);
	assert_true(catalog_load(&app, p, 0));
	unlink(p);
	assert_int_equal(json_array_size(json_object_get(c1, "articles")), 1);
	json_decref(c1);

	m = metrics_render(app.metrics, &len);
	assert_non_null(strstr(m, "porchd_catalog_reloads_total{result=\"ok\"} "
	    "2\n"));
	assert_non_null(strstr(m, "porchd_catalog_reloads_total{result="
	    "\"failed\"} 3\n"));
	free(m);
	json_decref(app.catalog);
	metrics_free(app.metrics);
	pthread_mutex_destroy(&app.catalog_lock);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_load_swap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
