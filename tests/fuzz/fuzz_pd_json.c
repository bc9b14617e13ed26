/*
 * Fuzz target for what porchd does with a request body before a
 * ROUTE_JSON handler runs (server.c's parse_json): the Content-Type check
 * (server_is_json), json_loadb with JSON_REJECT_DUPLICATES, the object
 * check; then what handlers do with the object: read string members
 * (cleaned with http_utf8_clean, as for the log and answers), and answer
 * with it (json_dumps).  The input is "CONTENT-TYPE\nBODY"; without a
 * newline, all of it is the body and the type is application/json.  The
 * cross-site check (server_origin_ok) gets the first three lines of the
 * body as Sec-Fetch-Site, Origin and Referer too.
 *
 * Asserts: a body that parses has no duplicate key (dumped and parsed
 * again it is equal); dumping never fails for a parsed value; string
 * members survive http_utf8_clean unchanged (jansson only lets valid
 * UTF-8 through); server_is_json accepts exactly "application/json"
 * after blanks, in any case, ended by ';', blank or the end;
 * server_origin_ok refuses "cross-site" always.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "http.h"
#include "server.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static int
allow_one(void *ctx, const char *origin)
{
	return strcmp(origin, (const char *)ctx) == 0;
}

static void
check_type(const char *ct)
{
	const char	*p = ct;
	int		 want;

	while (*p == ' ' || *p == '\t')
		p++;
	want = strncasecmp(p, "application/json", 16) == 0 &&
	    (p[16] == '\0' || p[16] == ';' || p[16] == ' ' || p[16] == '\t');
	CHECK(server_is_json(ct) == want);
}

static void
check_origin(const char *body)
{
	char	*copy, *line[3] = { NULL, NULL, NULL }, *p, *nl;
	int	 i;

	if ((copy = strdup(body)) == NULL)
		return;
	for (p = copy, i = 0; i < 3 && p != NULL; i++) {
		line[i] = p;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		p = nl;
	}
	(void)server_origin_ok(line[0], line[1], line[2], allow_one,
	    (void *)"https://help.example.com");
	(void)server_origin_ok(NULL, line[1], line[2], allow_one,
	    (void *)"https://help.example.com");
	CHECK(!server_origin_ok("cross-site", line[1], line[2], allow_one,
	    (void *)"https://help.example.com"));
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t	 e;
	json_t		*v, *again, *m;
	const char	*body, *key, *s;
	char		*buf, *nl, *dump, *clean;
	size_t		 blen;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((nl = memchr(buf, '\n', size)) != NULL) {
		*nl = '\0';
		check_type(buf);
		body = nl + 1;
		blen = size - (size_t)(body - buf);
	} else {
		body = buf;
		blen = size;
	}
	check_type("application/json");
	check_origin(body);

	v = json_loadb(body, blen, JSON_REJECT_DUPLICATES, &e);
	if (v == NULL) {
		CHECK(e.text[0] != '\0');
		free(buf);
		return 0;
	}
	dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	CHECK(dump != NULL);
	again = json_loads(dump, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &e);
	CHECK(again != NULL && json_equal(v, again));
	json_decref(again);
	free(dump);
	if (json_is_object(v)) {
		json_object_foreach(v, key, m) {
			if (!json_is_string(m))
				continue;
			s = json_string_value(m);
			clean = http_utf8_clean(s, strlen(s));
			CHECK(clean != NULL);
			CHECK(strcmp(clean, s) == 0);
			free(clean);
		}
	}
	json_decref(v);
	free(buf);
	return 0;
}
