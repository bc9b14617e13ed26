/*
 * ticketform: checks a ticket submission against its type in the
 * catalog's tickets.types (site.lua's form schema), in the manner of
 * kcgi's struct kvalid: one validator per field type, one table.
 *
 * Field types: text, textarea, select, checkbox, email, file; a field may
 * be required, have min and max (characters, that is UTF-8 code points),
 * options (select) and show_if {field, equals}: a field whose condition
 * does not hold is hidden, and a hidden field must be absent or empty.
 * Fields the type does not name are refused.
 */
#ifndef PORCHD_TICKETFORM_H
#define PORCHD_TICKETFORM_H

#include <jansson.h>

/* Default longest values, in characters, when a field gives no max. */
#define TICKETFORM_TEXT_MAX	500
#define TICKETFORM_TEXTAREA_MAX	20000

/* The entry of tickets.types with this id in catalog cat (borrowed), or
 * NULL. */
json_t	*ticketform_type(json_t *cat, const char *id);

/*
 * Checks fields (a JSON object NAME -> value) against type.  files names
 * the file fields that came with files (an object NAME -> count, or
 * NULL).  Returns 1 with *clean a new object of the fields that apply and
 * are not empty (addresses normalised), or 0 with *errors a new object
 * NAME -> message for every field that is wrong.  The caller decrefs.
 */
int	 ticketform_check(const json_t *type, const json_t *fields,
	     const json_t *files, json_t **clean, json_t **errors);

/* The number of UTF-8 code points in s (len bytes). */
size_t	 ticketform_chars(const char *s, size_t len);

#endif
