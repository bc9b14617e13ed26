/*
 * Fuzz target for porchd's cookie parsing (http_cookie_find, http.c):
 * the input is "NAME\nHEADER": a cookie name and a Cookie: header value
 * as a browser (or an attacker) sends it.  Looks the name up, and the
 * session cookie names porchd uses too.
 *
 * Asserts: a value found is a heap string no longer than the header, with
 * no ';', that appears in the header (after its name and '=', give or
 * take the quotes that are removed); a name that does not occur in the
 * header is never found.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
look(const char *header, const char *name)
{
	char	*v;

	if ((v = http_cookie_find(header, name)) == NULL)
		return;
	CHECK(*name == '\0' || strstr(header, name) != NULL);
	CHECK(strlen(v) <= strlen(header));
	CHECK(strchr(v, ';') == NULL);
	CHECK(strstr(header, v) != NULL);
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *nl, *name, *header;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		name = s;
		header = nl + 1;
	} else {
		name = (char *)"porch_session";
		header = s;
	}
	look(header, name);
	look(header, "porch_session");
	look(header, "__Host-porch_session");
	look(header, "porch_csrf");
	look(header, "");
	CHECK(http_cookie_find(NULL, name) == NULL);
	free(s);
	return 0;
}
