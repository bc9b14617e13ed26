/*
 * Fuzz target for porchd's ticket form validator (ticketform.c): the
 * input is "TYPE\nFIELDS": a ticket type of the catalog's tickets.types
 * (site.lua's form schema, or a hand-edited catalog) and the fields a
 * customer submits, both JSON.  A TYPE that is not a JSON object is
 * replaced by a fixed schema with every field type, a select, a
 * required e-mail and a show_if, so the FIELDS are fuzzed against a
 * realistic form too.
 *
 * Asserts what ticketform.h promises: success gives a clean object and
 * no errors, failure an errors object with at least one message and no
 * clean object; every clean field was submitted under the same name;
 * clean strings are valid UTF-8 no longer than submitted (in code
 * points, ticketform_chars, never more than their bytes), and clean
 * e-mail addresses pass mail_address_ok.
 *
 * Runs under libFuzzer (make fuzz) or tests/fuzz/replay.c (make test).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mail.h"
#include "ticketform.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static const char schema[] =
    "{\"id\":\"bug\",\"fields\":["
    "{\"name\":\"summary\",\"type\":\"text\",\"required\":true,"
    "\"min\":3,\"max\":80},"
    "{\"name\":\"details\",\"type\":\"textarea\",\"max\":2000},"
    "{\"name\":\"area\",\"type\":\"select\",\"options\":[\"billing\","
    "\"login\",\"other\"],\"required\":true},"
    "{\"name\":\"other_area\",\"type\":\"text\",\"show_if\":"
    "{\"field\":\"area\",\"equals\":\"other\"}},"
    "{\"name\":\"urgent\",\"type\":\"checkbox\"},"
    "{\"name\":\"why_urgent\",\"type\":\"textarea\",\"show_if\":"
    "{\"field\":\"urgent\",\"equals\":true}},"
    "{\"name\":\"contact\",\"type\":\"email\"},"
    "{\"name\":\"screenshot\",\"type\":\"file\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*type = NULL, *fields, *files, *clean = NULL;
	json_t		*errors = NULL, *v, *in;
	const uint8_t	*nl;
	const char	*key, *s;
	size_t		 tlen;
	int		 ok;

	if ((nl = memchr(data, '\n', size)) != NULL) {
		tlen = (size_t)(nl - data);
		type = json_loadb((const char *)data, tlen, 0, NULL);
		data = nl + 1;
		size -= tlen + 1;
	}
	if (!json_is_object(type)) {
		json_decref(type);
		type = json_loads(schema, 0, NULL);
	}
	fields = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (fields == NULL) {
		json_decref(type);
		return 0;
	}
	files = json_pack("{s:i}", "screenshot", (int)(size % 3));
	ok = ticketform_check(type, fields, size % 2 ? files : NULL, &clean,
	    &errors);
	if (ok) {
		CHECK(json_is_object(clean));
		json_object_foreach(clean, key, v) {
			in = json_object_get(fields, key);
			CHECK(in != NULL);
			if (!json_is_string(v))
				continue;
			s = json_string_value(v);
			CHECK(ticketform_chars(s, strlen(s)) <= strlen(s));
			if (json_is_string(in))
				CHECK(ticketform_chars(s, strlen(s)) <=
				    ticketform_chars(json_string_value(in),
				    strlen(json_string_value(in))));
			if (strchr(s, '@') != NULL && strcmp(key,
			    "contact") == 0)
				CHECK(mail_address_ok(s));
		}
	} else {
		CHECK(json_is_object(errors) && json_object_size(errors) > 0);
		CHECK(clean == NULL);
	}
	json_decref(clean);
	json_decref(errors);
	json_decref(files);
	json_decref(fields);
	json_decref(type);
	return 0;
}
