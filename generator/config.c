#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "path.h"
#include "sitelua.h"
#include "xalloc.h"

/*
 * The schema is a table of validators in the manner of kcgi's struct kvalid:
 * each known key, the JSON type it needs, its default, and an optional check
 * of the value.  Nested tables have their own schema.
 */
enum opt_type {
	OPT_STRING,
	OPT_BOOL,
	OPT_INT,
	OPT_TABLE,	/* an object with its own schema */
	OPT_MAP,	/* an object of string values, any keys */
	OPT_LIST,	/* an array of objects with the item schema */
	OPT_STRLIST,	/* an array of strings */
};

struct opt;
typedef int (*opt_check)(const char *file, const char *key, json_t *value);

struct opt {
	const char	*name;
	enum opt_type	 type;
	const char	*def;		/* default: string, "true"/"false", number;
					   "{}" makes a table with its defaults */
	opt_check	 check;
	const struct opt *sub;		/* OPT_TABLE, OPT_LIST: item schema */
	int		 required;
};

static int check_base_url(const char *, const char *, json_t *);
static int check_language(const char *, const char *, json_t *);
static int check_css_value(const char *, const char *, json_t *);
static int check_sla(const char *, const char *, json_t *);
static int check_name(const char *, const char *, json_t *);
static int check_field_type(const char *, const char *, json_t *);
static int check_prefix(const char *, const char *, json_t *);
static int check_positive(const char *, const char *, json_t *);

static const struct opt nav_item[] = {
	{ "title", OPT_STRING, NULL, NULL, NULL, 1 },
	{ "url", OPT_STRING, NULL, NULL, NULL, 1 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt repository[] = {
	{ "url", OPT_STRING, NULL, NULL, NULL, 1 },
	{ "branch", OPT_STRING, "main", NULL, NULL, 0 },
	{ "path", OPT_STRING, "", NULL, NULL, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt show_if[] = {
	{ "field", OPT_STRING, NULL, check_name, NULL, 1 },
	{ "equals", OPT_STRING, NULL, NULL, NULL, 1 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt field[] = {
	{ "name", OPT_STRING, NULL, check_name, NULL, 1 },
	{ "type", OPT_STRING, NULL, check_field_type, NULL, 1 },
	{ "label", OPT_STRING, NULL, NULL, NULL, 1 },
	{ "help", OPT_STRING, NULL, NULL, NULL, 0 },
	{ "placeholder", OPT_STRING, NULL, NULL, NULL, 0 },
	{ "required", OPT_BOOL, "false", NULL, NULL, 0 },
	{ "min", OPT_INT, NULL, NULL, NULL, 0 },
	{ "max", OPT_INT, NULL, check_positive, NULL, 0 },
	{ "options", OPT_STRLIST, NULL, NULL, NULL, 0 },
	{ "show_if", OPT_TABLE, NULL, NULL, show_if, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt ticket_type[] = {
	{ "id", OPT_STRING, NULL, check_name, NULL, 1 },
	{ "label", OPT_STRING, NULL, NULL, NULL, 1 },
	{ "description", OPT_STRING, NULL, NULL, NULL, 0 },
	{ "fields", OPT_LIST, NULL, NULL, field, 1 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt tickets[] = {
	{ "prefix", OPT_STRING, "HELP", check_prefix, NULL, 0 },
	{ "anonymous", OPT_BOOL, "false", NULL, NULL, 0 },
	{ "sla", OPT_MAP, NULL, check_sla, NULL, 0 },
	{ "types", OPT_LIST, NULL, NULL, ticket_type, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt accounts[] = {
	{ "signup", OPT_BOOL, "false", NULL, NULL, 0 },
	{ "magic_link", OPT_BOOL, "false", NULL, NULL, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt search[] = {
	{ "report_misses", OPT_BOOL, "false", NULL, NULL, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt options[] = {
	{ "warn_links", OPT_BOOL, "false", NULL, NULL, 0 },
	{ "feed_limit", OPT_INT, "20", check_positive, NULL, 0 },
	{ "gzip", OPT_BOOL, "true", NULL, NULL, 0 },
	{ "changelog_per_page", OPT_INT, "20", check_positive, NULL, 0 },
	{ "faq_per_page", OPT_INT, "50", check_positive, NULL, 0 },
	{ "tags_per_page", OPT_INT, "50", check_positive, NULL, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static const struct opt top[] = {
	{ "title", OPT_STRING, "Help Center", NULL, NULL, 0 },
	{ "description", OPT_STRING, "", NULL, NULL, 0 },
	{ "base_url", OPT_STRING, "/", check_base_url, NULL, 0 },
	{ "language", OPT_STRING, "en", check_language, NULL, 0 },
	{ "logo", OPT_STRING, NULL, NULL, NULL, 0 },
	{ "colors", OPT_MAP, NULL, check_css_value, NULL, 0 },
	{ "endpoint", OPT_STRING, "/api", NULL, NULL, 0 },
	{ "repository", OPT_TABLE, NULL, NULL, repository, 0 },
	{ "nav", OPT_LIST, NULL, NULL, nav_item, 0 },
	{ "theme", OPT_STRING, "default", check_name, NULL, 0 },
	{ "tickets", OPT_TABLE, "{}", NULL, tickets, 0 },
	{ "accounts", OPT_TABLE, "{}", NULL, accounts, 0 },
	{ "cors_origins", OPT_STRLIST, NULL, NULL, NULL, 0 },
	{ "search", OPT_TABLE, "{}", NULL, search, 0 },
	{ "options", OPT_TABLE, "{}", NULL, options, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0 },
};

static int
check_base_url(const char *file, const char *key, json_t *v)
{
	const char	*s = json_string_value(v);

	if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0 ||
	    s[0] == '/')
		return 1;
	diag_error(file, 0, 0, "'%s' must be an absolute URL "
	    "(https://help.example.com/) or a path (/help/), found '%s'",
	    key, s);
	return 0;
}

static int
check_language(const char *file, const char *key, json_t *v)
{
	const char	*s = json_string_value(v);
	size_t		 i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			break;
	if (n >= 2 && n <= 35 && i == n && isalpha((unsigned char)s[0]))
		return 1;
	diag_error(file, 0, 0, "'%s' must be a language tag such as 'en' or "
	    "'pt-BR', found '%s'", key, s);
	return 0;
}

/* Colours go into a <style> element: refuse what could end the rule. */
static int
check_css_value(const char *file, const char *key, json_t *v)
{
	const char	*s = json_string_value(v);

	if (s != NULL && strpbrk(s, ";{}<>\"'\\") == NULL && s[0] != '\0')
		return 1;
	diag_error(file, 0, 0, "'%s' must be a CSS colour such as '#1d4ed8'",
	    key);
	return 0;
}

/*
 * tickets.sla.PRIORITY: a first-response target such as "4h", "1d",
 * "30m" or "2w", for a priority porchd knows (porchd tickets list flags
 * the tickets past it).
 */
static int
check_sla(const char *file, const char *key, json_t *v)
{
	static const char *const prios[] = { "low", "normal", "high",
	    "urgent", NULL };
	const char	*s = json_string_value(v), *last;
	size_t		 i, n;

	last = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
	for (i = 0; prios[i]; i++)
		if (strcmp(last, prios[i]) == 0)
			break;
	if (prios[i] == NULL) {
		diag_error(file, 0, 0, "'%s': the priorities are low, normal, "
		    "high and urgent", key);
		return 0;
	}
	n = s ? strspn(s, "0123456789") : 0;
	if (n > 0 && n <= 6 && s[n] != '\0' && strchr("mhdw", s[n]) &&
	    s[n + 1] == '\0')
		return 1;
	diag_error(file, 0, 0, "'%s' must be a duration such as \"4h\", "
	    "\"1d\", \"30m\" or \"2w\"", key);
	return 0;
}

static int
check_name(const char *file, const char *key, json_t *v)
{
	const char	*s = json_string_value(v);
	size_t		 i;

	for (i = 0; s[i]; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			break;
	if (i > 0 && s[i] == '\0' && i <= 64)
		return 1;
	diag_error(file, 0, 0, "'%s' must be a name of lower-case letters, "
	    "digits, '_' or '-', found '%s'", key, s);
	return 0;
}

static int
check_field_type(const char *file, const char *key, json_t *v)
{
	static const char *const types[] = { "text", "textarea", "select",
	    "checkbox", "email", "file", NULL };
	const char	*s = json_string_value(v);
	size_t		 i;

	for (i = 0; types[i]; i++)
		if (strcmp(s, types[i]) == 0)
			return 1;
	diag_error(file, 0, 0, "'%s' must be one of text, textarea, select, "
	    "checkbox, email, file; found '%s'", key, s);
	return 0;
}

static int
check_prefix(const char *file, const char *key, json_t *v)
{
	const char	*s = json_string_value(v);
	size_t		 i;

	for (i = 0; s[i]; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
			break;
	if (i > 0 && i <= 12 && s[i] == '\0')
		return 1;
	diag_error(file, 0, 0, "'%s' must be 1 to 12 upper-case letters or "
	    "digits, e.g. 'ACME', found '%s'", key, s);
	return 0;
}

static int
check_positive(const char *file, const char *key, json_t *v)
{
	if (json_integer_value(v) > 0)
		return 1;
	diag_error(file, 0, 0, "'%s' must be a positive number", key);
	return 0;
}

/* Levenshtein distance of two short names, for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t	 row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			tmp = row[j];
			row[j] = cur;
			prev = tmp;
		}
	}
	return row[lb];
}

static void
report_unknown(const char *file, const char *where, const char *key,
    const struct opt *schema)
{
	const struct opt *o, *best = NULL;
	size_t		 d, bestd = 3;

	for (o = schema; o->name; o++)
		if ((d = distance(key, o->name)) < bestd) {
			bestd = d;
			best = o;
		}
	if (best)
		diag_error(file, 0, 0, "unknown option '%s%s' (did you mean "
		    "'%s'?)", where, key, best->name);
	else
		diag_error(file, 0, 0, "unknown option '%s%s'", where, key);
}

static const char *
type_name(enum opt_type t)
{
	switch (t) {
	case OPT_STRING: return "a string";
	case OPT_BOOL: return "true or false";
	case OPT_INT: return "a whole number";
	case OPT_LIST: return "a list { ... }";
	case OPT_STRLIST: return "a list of strings { \"a\", \"b\" }";
	default: return "a table { key = value }";
	}
}

static int check_table(const char *, const char *, json_t *,
    const struct opt *);

/* Checks one value against its option; returns 1 if it is good. */
static int
check_value(const char *file, const char *key, json_t *v, const struct opt *o)
{
	int	 ok = 1;
	size_t	 i;
	char	*sub;
	json_t	*item;

	switch (o->type) {
	case OPT_STRING: ok = json_is_string(v); break;
	case OPT_BOOL: ok = json_is_boolean(v); break;
	case OPT_INT: ok = json_is_integer(v); break;
	case OPT_TABLE:
	case OPT_MAP: ok = json_is_object(v); break;
	case OPT_STRLIST:
		json_array_foreach(v, i, item)
			if (!json_is_string(item))
				ok = 0;
		/* FALLTHROUGH */
	case OPT_LIST:
		ok = ok && (json_is_array(v) ||
		    (json_is_object(v) && json_object_size(v) == 0));
		break;
	}
	if (!ok) {
		diag_error(file, 0, 0, "'%s' must be %s", key,
		    type_name(o->type));
		return 0;
	}
	if (o->type == OPT_TABLE)
		return check_table(file, key, v, o->sub);
	if (o->type == OPT_LIST) {
		json_array_foreach(v, i, item) {
			sub = xasprintf("%s[%zu]", key, i + 1);
			if (!json_is_object(item)) {
				diag_error(file, 0, 0, "'%s' must be a table", sub);
				ok = 0;
			} else if (!check_table(file, sub, item, o->sub))
				ok = 0;
			free(sub);
		}
		return ok;
	}
	if (o->type == OPT_MAP && o->check != NULL) {
		const char *k;

		json_object_foreach(v, k, item) {
			sub = xasprintf("%s.%s", key, k);
			if (!o->check(file, sub, item))
				ok = 0;
			free(sub);
		}
		return ok;
	}
	return o->check == NULL || o->check(file, key, v);
}

/* Sets the default of o in obj when the option has one. */
static void
set_default(json_t *obj, const struct opt *o)
{
	json_t	*v;

	if (o->type == OPT_TABLE) {
		if (o->def == NULL)
			return;	/* optional table: absent means "none" */
		v = json_object();
		json_object_set_new(obj, o->name, v);
		check_table("", "", v, o->sub);	/* fills nested defaults */
		return;
	}
	if (o->def == NULL)
		return;
	switch (o->type) {
	case OPT_STRING: v = json_string(o->def); break;
	case OPT_BOOL: v = json_boolean(strcmp(o->def, "true") == 0); break;
	case OPT_INT: v = json_integer(strtol(o->def, NULL, 10)); break;
	default: return;
	}
	json_object_set_new(obj, o->name, v);
}

/*
 * Checks obj (the table at path where, "" for the top) against schema,
 * reports what is unknown, missing or wrong, and fills defaults.
 */
static int
check_table(const char *file, const char *where, json_t *obj,
    const struct opt *schema)
{
	const struct opt *o;
	const char	*key;
	json_t		*v;
	char		*full, *prefix;
	int		 ok = 1, known;

	prefix = where[0] ? xasprintf("%s.", where) : xstrdup("");
	json_object_foreach(obj, key, v) {
		known = 0;
		for (o = schema; o->name; o++)
			if (strcmp(o->name, key) == 0)
				known = 1;
		if (!known) {
			report_unknown(file, prefix, key, schema);
			ok = 0;
		}
	}
	for (o = schema; o->name; o++) {
		full = xasprintf("%s%s", prefix, o->name);
		if ((v = json_object_get(obj, o->name)) != NULL) {
			if (!check_value(file, full, v, o))
				ok = 0;
			else if ((o->type == OPT_LIST || o->type == OPT_STRLIST)
			    && json_is_object(v))	/* Lua's {} */
				json_object_set_new(obj, o->name, json_array());
		} else if (o->required) {
			diag_error(file, 0, 0, "missing option '%s'", full);
			ok = 0;
		} else
			set_default(obj, o);
		free(full);
	}
	free(prefix);
	return ok;
}

/*
 * What the schema cannot say: field names unique within a type, select
 * fields with options, show_if naming an earlier field, min <= max.
 */
static int
check_ticket_types(const char *file, json_t *types)
{
	size_t	 i, j, k;
	json_t	*type, *fields, *f, *g, *opts, *cond;
	int	 ok = 1, found;

	json_array_foreach(types, i, type) {
		fields = json_object_get(type, "fields");
		for (k = 0; k < i; k++)
			if (json_equal(json_object_get(type, "id"),
			    json_object_get(json_array_get(types, k), "id"))) {
				diag_error(file, 0, 0, "tickets.types[%zu]: "
				    "duplicate id '%s'", i + 1, json_string_value(
				    json_object_get(type, "id")));
				ok = 0;
			}
		json_array_foreach(fields, j, f) {
			const char *name = json_string_value(json_object_get(f, "name"));
			const char *ftype = json_string_value(json_object_get(f, "type"));
			json_t *min = json_object_get(f, "min"), *max = json_object_get(f, "max");

			found = 0;
			for (k = 0; k < j; k++)
				if (strcmp(name, json_string_value(json_object_get(
				    json_array_get(fields, k), "name"))) == 0)
					found = 1;
			if (found) {
				diag_error(file, 0, 0, "tickets.types[%zu].fields"
				    "[%zu]: duplicate field name '%s'", i + 1,
				    j + 1, name);
				ok = 0;
			}
			opts = json_object_get(f, "options");
			if (strcmp(ftype, "select") == 0 &&
			    (!json_is_array(opts) || json_array_size(opts) == 0)) {
				diag_error(file, 0, 0, "tickets.types[%zu].fields"
				    "[%zu]: a select field needs options = "
				    "{ \"A\", \"B\" }", i + 1, j + 1);
				ok = 0;
			}
			if (min && max && json_integer_value(min) >
			    json_integer_value(max)) {
				diag_error(file, 0, 0, "tickets.types[%zu].fields"
				    "[%zu]: min is larger than max", i + 1, j + 1);
				ok = 0;
			}
			if ((cond = json_object_get(f, "show_if")) == NULL)
				continue;
			found = 0;
			for (k = 0; k < j; k++) {
				g = json_array_get(fields, k);
				if (json_equal(json_object_get(g, "name"),
				    json_object_get(cond, "field")))
					found = 1;
			}
			if (!found) {
				diag_error(file, 0, 0, "tickets.types[%zu].fields"
				    "[%zu]: show_if names '%s', which is not a "
				    "field before this one", i + 1, j + 1,
				    json_string_value(json_object_get(cond,
				    "field")));
				ok = 0;
			}
		}
	}
	return ok;
}

/* The ticket form when site.lua gives none: a subject and a description. */
static json_t *
default_ticket_types(void)
{
	return json_pack("[{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:i}, "
	    "{s:s, s:s, s:s, s:b, s:i, s:i}]}]",
	    "id", "question", "label", "Question", "fields",
	    "name", "subject", "type", "text", "label", "Subject",
	    "required", 1, "max", 150,
	    "name", "description", "type", "textarea", "label",
	    "How can we help?", "required", 1, "min", 10, "max", 10000);
}

/* Derives base_path ("/help/") from base_url and makes both end with '/'. */
static void
set_base(struct site_config *cfg)
{
	const char	*u = json_string_value(json_object_get(cfg->json,
			    "base_url"));
	const char	*p = u;
	char		*fixed;

	if (!path_has_suffix(u, "/")) {
		fixed = xasprintf("%s/", u);
		json_object_set_new(cfg->json, "base_url", json_string(fixed));
		free(fixed);
		u = json_string_value(json_object_get(cfg->json, "base_url"));
	}
	if ((p = strstr(u, "://")) != NULL) {
		p = strchr(p + 3, '/');
		if (p == NULL)
			p = "/";
	} else
		p = u;
	cfg->base_url = u;
	cfg->base_path = xstrdup(p);
	json_object_set_new(cfg->json, "base_path", json_string(p));
}

int
config_load(const char *dir, struct site_config *cfg)
{
	char	*file = path_join(dir, "site.lua");
	json_t	*opts, *tk;
	int	 ok = 1;

	memset(cfg, 0, sizeof(*cfg));
	if (access(file, F_OK) == 0)
		cfg->json = sitelua_load(file);
	else
		cfg->json = json_object();
	if (cfg->json == NULL) {
		free(file);
		return 0;
	}
	if (!check_table(file, "", cfg->json, top))
		ok = 0;
	tk = json_object_get(cfg->json, "tickets");
	if (json_object_get(tk, "types") == NULL ||
	    json_array_size(json_object_get(tk, "types")) == 0)
		json_object_set_new(tk, "types", default_ticket_types());
	else if (ok && !check_ticket_types(file, json_object_get(tk, "types")))
		ok = 0;
	if (json_object_get(cfg->json, "colors") == NULL)
		json_object_set_new(cfg->json, "colors", json_pack("{s:s,s:s}",
		    "primary", "#2563eb", "accent", "#0f766e"));
	free(file);
	if (!ok)
		return 0;
	set_base(cfg);
	cfg->title = json_string_value(json_object_get(cfg->json, "title"));
	cfg->language = json_string_value(json_object_get(cfg->json, "language"));
	cfg->theme = json_string_value(json_object_get(cfg->json, "theme"));
	opts = json_object_get(cfg->json, "options");
	cfg->warn_links = json_is_true(json_object_get(opts, "warn_links"));
	cfg->gzip = json_is_true(json_object_get(opts, "gzip"));
	cfg->feed_limit = (long)json_integer_value(json_object_get(opts,
	    "feed_limit"));
	cfg->changelog_per_page = (long)json_integer_value(
	    json_object_get(opts, "changelog_per_page"));
	cfg->faq_per_page = (long)json_integer_value(json_object_get(opts,
	    "faq_per_page"));
	cfg->tags_per_page = (long)json_integer_value(json_object_get(opts,
	    "tags_per_page"));
	return 1;
}

void
config_free(struct site_config *cfg)
{
	json_decref(cfg->json);
	free(cfg->base_path);
	memset(cfg, 0, sizeof(*cfg));
}
