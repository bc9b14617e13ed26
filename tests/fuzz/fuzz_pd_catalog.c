/*
 * Fuzz target for porchd's catalog.json loader (endpoints/catalog.c): the
 * input is a catalog.json as `porch build` (or a hand edit, or a broken
 * disk) leaves it.  It is parsed as catalog_load does (json_loadb with
 * JSON_REJECT_DUPLICATES) and checked with catalog_validate; a catalog
 * that passes is then used the way requests use it: the API prefix
 * (catalog_api_prefix), the origin of site.base_url (catalog_origin_of)
 * and the CORS decision (catalog_origin_allowed) for a few origins.
 *
 * Asserts what catalog.h promises: a refused catalog comes with a
 * message; a valid one has format "porch-catalog" and version
 * CATALOG_VERSION; the API prefix is "" or starts with '/', does not end
 * with '/', holds no "..", "//", '?', '#', '\' or space; an origin is
 * "http://" or "https://" and a lower-case host with no path, and it is
 * allowed when it is the site's own; "null" and "" never are.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
check_origin(const char *o)
{
	const char	*h;

	if (strncmp(o, "https://", 8) == 0)
		h = o + 8;
	else {
		CHECK(strncmp(o, "http://", 7) == 0);
		h = o + 7;
	}
	CHECK(*h != '\0');
	CHECK(strpbrk(h, "/?#@") == NULL);
	for (; *h; h++)
		CHECK(!isupper((unsigned char)*h));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t	 e;
	json_t		*cat, *v;
	char		 err[512], prefix[256], origin[512];
	const char	*p, *base;
	size_t		 i, n;

	cat = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &e);
	if (cat == NULL)
		return 0;
	err[0] = '\0';
	if (!catalog_validate(cat, err, sizeof(err))) {
		CHECK(err[0] != '\0');
		json_decref(cat);
		return 0;
	}
	CHECK(strcmp(json_string_value(json_object_get(cat, "format")),
	    "porch-catalog") == 0);
	CHECK(json_integer_value(json_object_get(cat, "version")) ==
	    CATALOG_VERSION);

	p = catalog_api_prefix(cat, prefix, sizeof(prefix));
	CHECK(p == prefix);
	n = strlen(p);
	if (n > 0) {
		CHECK(p[0] == '/' && p[n - 1] != '/');
		CHECK(strstr(p, "..") == NULL && strstr(p, "//") == NULL);
		CHECK(strpbrk(p, "?#\\ ") == NULL);
	}

	base = json_string_value(json_object_get(json_object_get(cat, "site"),
	    "base_url"));
	if (catalog_origin_of(base, origin, sizeof(origin))) {
		check_origin(origin);
		CHECK(catalog_origin_allowed(cat, NULL, NULL, NULL, origin));
	}
	json_array_foreach(json_object_get(json_object_get(cat, "site"),
	    "cors_origins"), i, v)
		if (catalog_origin_of(json_string_value(v), origin,
		    sizeof(origin)))
			check_origin(origin);
	CHECK(!catalog_origin_allowed(cat, "", NULL, NULL, "null"));
	CHECK(!catalog_origin_allowed(cat, "", NULL, NULL, ""));
	(void)catalog_origin_allowed(cat, "https://a.example,http://b",
	    "https://help.example.com", "http://127.0.0.1:8080",
	    "https://evil.example");
	json_decref(cat);
	return 0;
}
