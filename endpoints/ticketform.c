/*
 * ticketform: the validators of a ticket submission (see ticketform.h).
 *
 * Each field type has a row in a table: whether its value is a string or
 * a boolean, and a function for what is particular to it.  Messages are
 * sentences a page may show next to the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mail.h"
#include "ticketform.h"

struct fcheck {
	const json_t	*field;		/* the schema entry */
	const char	*s;		/* the string value, or NULL */
	size_t		 len;		/* its bytes */
	char		 msg[160];	/* what is wrong */
	json_t		*value;		/* the clean value (new reference) */
};

/* One field type: is its value a string, what else is checked. */
struct ftype {
	const char	*name;
	int		 is_string;	/* else a boolean (checkbox) or file */
	int		 multiline;	/* newlines allowed */
	size_t		 defmax;
	int		(*check)(struct fcheck *);
};

static int	check_plain(struct fcheck *);
static int	check_select(struct fcheck *);
static int	check_email(struct fcheck *);

static const struct ftype ftypes[] = {
	{ "text", 1, 0, TICKETFORM_TEXT_MAX, check_plain },
	{ "textarea", 1, 1, TICKETFORM_TEXTAREA_MAX, check_plain },
	{ "select", 1, 0, TICKETFORM_TEXT_MAX, check_select },
	{ "email", 1, 0, MAIL_ADDRESS_MAX, check_email },
	{ "checkbox", 0, 0, 0, NULL },
	{ "file", 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, NULL },
};

size_t
ticketform_chars(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

json_t *
ticketform_type(json_t *cat, const char *id)
{
	json_t	*types, *t;
	size_t	 i;

	if (id == NULL)
		return NULL;
	types = json_object_get(json_object_get(cat, "tickets"), "types");
	json_array_foreach(types, i, t)
		if (json_is_string(json_object_get(t, "id")) &&
		    strcmp(json_string_value(json_object_get(t, "id")), id) == 0)
			return t;
	return NULL;
}

static const struct ftype *
find_ftype(const json_t *field)
{
	const char		*t = json_string_value(json_object_get(field,
				    "type"));
	const struct ftype	*f;

	if (t == NULL)
		t = "text";
	for (f = ftypes; f->name; f++)
		if (strcmp(f->name, t) == 0)
			return f;
	return NULL;
}

/* Text fields: no control characters but (textarea) newline and tab. */
static int
check_plain(struct fcheck *c)
{
	const struct ftype *ft = find_ftype(c->field);
	size_t	 i;
	unsigned char ch;

	for (i = 0; i < c->len; i++) {
		ch = (unsigned char)c->s[i];
		if (ch == 0x7f || (ch < 0x20 && !(ft->multiline &&
		    (ch == '\n' || ch == '\r' || ch == '\t')))) {
			snprintf(c->msg, sizeof(c->msg), "Control characters "
			    "are not allowed here.");
			return 0;
		}
	}
	c->value = json_stringn(c->s, c->len);
	return c->value != NULL;
}

static int
check_select(struct fcheck *c)
{
	json_t	*opts = json_object_get(c->field, "options"), *o;
	size_t	 i;

	json_array_foreach(opts, i, o)
		if (json_is_string(o) && json_string_length(o) == c->len &&
		    memcmp(json_string_value(o), c->s, c->len) == 0) {
			c->value = json_incref(o);
			return 1;
		}
	snprintf(c->msg, sizeof(c->msg), "Choose one of the options.");
	return 0;
}

static int
check_email(struct fcheck *c)
{
	char	 out[MAIL_ADDRESS_MAX + 1];

	if (!mail_address_normalize(c->s, out)) {
		snprintf(c->msg, sizeof(c->msg), "That does not look like an "
		    "e-mail address.");
		return 0;
	}
	c->value = json_string(out);
	return c->value != NULL;
}

/* 1 if v is absent or empty: null, "", false. */
static int
is_empty(const json_t *v)
{
	return v == NULL || json_is_null(v) || json_is_false(v) ||
	    (json_is_string(v) && json_string_length(v) == 0);
}

/* The schema entry of field name in fields, or NULL. */
static const json_t *
schema_field(const json_t *list, const char *name)
{
	const json_t	*f;
	size_t		 i;

	json_array_foreach(list, i, f)
		if (json_is_string(json_object_get(f, "name")) &&
		    strcmp(json_string_value(json_object_get(f, "name")),
		    name) == 0)
			return f;
	return NULL;
}

/*
 * 1 if field f is shown for the values given: it has no show_if, or the
 * field show_if names is itself shown and has the value equals.  depth
 * stops a cycle (the generator refuses them; a hand-made catalog may
 * not).
 */
static int
shown(const json_t *list, const json_t *f, const json_t *fields, int depth)
{
	const json_t	*cond, *ctl, *v, *eq;
	const char	*name;

	if ((cond = json_object_get(f, "show_if")) == NULL)
		return 1;
	if (depth > 16 || (name = json_string_value(json_object_get(cond,
	    "field"))) == NULL || (ctl = schema_field(list, name)) == NULL)
		return 0;
	if (!shown(list, ctl, fields, depth + 1))
		return 0;
	v = json_object_get(fields, name);
	eq = json_object_get(cond, "equals");
	if (v == NULL || eq == NULL)
		return 0;
	if (json_equal((json_t *)v, (json_t *)eq))
		return 1;
	/* a checkbox compared with "true" in a hand-written catalog */
	if (json_is_boolean(v) && json_is_string(eq))
		return strcmp(json_string_value(eq), json_is_true(v) ?
		    "true" : "false") == 0;
	return 0;
}

static void
add_error(json_t *errors, const char *name, const char *msg)
{
	json_object_set_new(errors, name, json_string(msg));
}

/* Checks one shown field; 1 if fine (value in c->value or none). */
static int
check_field(const struct ftype *ft, const json_t *f, const json_t *v,
    const json_t *files, struct fcheck *c)
{
	json_int_t	 min, max;
	size_t		 n;
	int		 required = json_is_true(json_object_get(f, "required"));
	const char	*name = json_string_value(json_object_get(f, "name"));

	memset(c, 0, sizeof(*c));
	c->field = f;
	if (strcmp(ft->name, "file") == 0) {
		if (!is_empty(v)) {
			snprintf(c->msg, sizeof(c->msg), "Send files as "
			    "multipart/form-data.");
			return 0;
		}
		if (required && json_integer_value(json_object_get(files,
		    name)) <= 0) {
			snprintf(c->msg, sizeof(c->msg), "Please attach a "
			    "file.");
			return 0;
		}
		return 1;
	}
	if (!ft->is_string) {	/* checkbox */
		if (v != NULL && !json_is_null(v) && !json_is_boolean(v)) {
			snprintf(c->msg, sizeof(c->msg), "Expected true or "
			    "false.");
			return 0;
		}
		if (required && !json_is_true(v)) {
			snprintf(c->msg, sizeof(c->msg), "Please tick this "
			    "box.");
			return 0;
		}
		if (json_is_true(v))
			c->value = json_true();
		return 1;
	}
	if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		snprintf(c->msg, sizeof(c->msg), "Expected text.");
		return 0;
	}
	if (is_empty(v)) {
		if (required) {
			snprintf(c->msg, sizeof(c->msg), "This field is "
			    "required.");
			return 0;
		}
		return 1;
	}
	c->s = json_string_value(v);
	c->len = json_string_length(v);
	if (strlen(c->s) != c->len) {
		snprintf(c->msg, sizeof(c->msg), "Control characters are not "
		    "allowed here.");
		return 0;
	}
	n = ticketform_chars(c->s, c->len);
	min = json_integer_value(json_object_get(f, "min"));
	max = json_is_integer(json_object_get(f, "max")) ?
	    json_integer_value(json_object_get(f, "max")) :
	    (json_int_t)ft->defmax;
	if (min > 0 && (json_int_t)n < min) {
		snprintf(c->msg, sizeof(c->msg), "Please write at least %lld "
		    "characters.", (long long)min);
		return 0;
	}
	if (max > 0 && (json_int_t)n > max) {
		snprintf(c->msg, sizeof(c->msg), "Please write at most %lld "
		    "characters.", (long long)max);
		return 0;
	}
	return ft->check(c);
}

int
ticketform_check(const json_t *type, const json_t *fields,
    const json_t *files, json_t **clean, json_t **errors)
{
	const json_t		*list = json_object_get(type, "fields"), *f, *v;
	const struct ftype	*ft;
	struct fcheck		 c;
	const char		*name;
	size_t			 i;
	json_t			*ok, *bad;

	*clean = NULL;
	*errors = NULL;
	if ((ok = json_object()) == NULL || (bad = json_object()) == NULL) {
		json_decref(ok);
		return 0;
	}
	if (fields != NULL && !json_is_object(fields))
		add_error(bad, "fields", "Expected an object of fields.");
	else if (fields != NULL)
		json_object_foreach((json_t *)fields, name, v)
			if (schema_field(list, name) == NULL)
				add_error(bad, name, "This form has no such "
				    "field.");
	if (files != NULL)
		json_object_foreach((json_t *)files, name, v)
			if ((f = schema_field(list, name)) == NULL ||
			    (ft = find_ftype(f)) == NULL ||
			    strcmp(ft->name, "file") != 0)
				add_error(bad, name, "This field takes no "
				    "files.");
	json_array_foreach(list, i, f) {
		if ((name = json_string_value(json_object_get(f, "name"))) ==
		    NULL || json_object_get(bad, name) != NULL)
			continue;
		v = json_is_object(fields) ? json_object_get(fields, name) :
		    NULL;
		if ((ft = find_ftype(f)) == NULL) {
			add_error(bad, name, "This field has an unknown type.");
			continue;
		}
		if (!shown(list, f, fields, 0)) {
			if (!is_empty(v) || json_integer_value(
			    json_object_get(files, name)) > 0)
				add_error(bad, name, "This field does not apply "
				    "to the answers above; leave it empty.");
			continue;
		}
		if (!check_field(ft, f, v, files, &c)) {
			add_error(bad, name, c.msg);
			continue;
		}
		if (c.value != NULL)
			json_object_set_new(ok, name, c.value);
	}
	if (json_object_size(bad) > 0) {
		json_decref(ok);
		*errors = bad;
		return 0;
	}
	json_decref(bad);
	*clean = ok;
	return 1;
}
