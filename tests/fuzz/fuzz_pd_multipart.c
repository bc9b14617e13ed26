/*
 * Fuzz target for the ticket routes' untrusted-input parsers: a
 * multipart/form-data body (multipart.c), the type of each part's bytes
 * (attach.c's attach_sniff) and the file name porchd keeps
 * (attach_clean_name).  The input is "CONTENT-TYPE\nBODY"; without a
 * newline the type is "multipart/form-data; boundary=XyZ".
 *
 * Asserts: every part lies inside the body and has a name; a sniffed type
 * is one of the allow-list; a cleaned name is non-empty, at most
 * ATTACH_NAME_MAX bytes, and has no '/', '\\', '"', ';' or control byte.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "multipart.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static void
check_name(const char *name)
{
	char		*s = attach_clean_name(name);
	const char	*p;

	CHECK(s != NULL && s[0] != '\0' && strlen(s) <= ATTACH_NAME_MAX);
	for (p = s; *p; p++)
		CHECK(*p != '/' && *p != '\\' && *p != '"' && *p != ';' &&
		    (unsigned char)*p >= 0x20 && *p != 0x7f);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "image/png", "image/jpeg",
	    "image/gif", "application/pdf", "application/zip",
	    "application/json", "text/plain", NULL };
	char		*buf, *ct, *body, *nl;
	struct mpart	*parts;
	size_t		 n, i, k, blen;
	const char	*t;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((nl = memchr(buf, '\n', size)) != NULL) {
		*nl = '\0';
		ct = buf;
		body = nl + 1;
	} else {
		ct = "multipart/form-data; boundary=XyZ";
		body = buf;
	}
	blen = size - (size_t)(body - buf);
	if (multipart_parse(ct, body, blen, &parts, &n)) {
		for (i = 0; i < n; i++) {
			CHECK(parts[i].name != NULL);
			CHECK(parts[i].data >= body && parts[i].data +
			    parts[i].len <= body + blen);
			if ((t = attach_sniff(parts[i].data, parts[i].len)) !=
			    NULL) {
				for (k = 0; types[k] && strcmp(types[k], t); k++)
					;
				CHECK(types[k] != NULL);
			}
			if (parts[i].filename)
				check_name(parts[i].filename);
		}
		multipart_free(parts, n);
	}
	check_name(body);
	free(buf);
	return 0;
}
