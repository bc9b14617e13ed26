/*
 * report: the staff reports.  Each report is a list of sections; each
 * section is the rows of one query of store_reports.c, collected as a
 * JSON array of objects (numbers stay numbers), then written in the
 * format asked for.  The database is opened read-mostly the way `porchd
 * users` opens it: a running porchd may have it open too.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "app.h"
#include "report.h"
#include "store.h"
#include "store_votes.h"
#include "termsafe.h"

#define EXIT_USAGE	2
#define DAY		86400LL
#define DEFAULT_DAYS	30
#define TEXT_LIMIT	20	/* rows per section in text and markdown */

enum format { F_TEXT, F_CSV, F_JSON, F_MARKDOWN };

struct section {
	const char		*name;	/* JSON member, CSV "section" */
	const char		*title;	/* text and markdown heading */
	enum store_report	 q;
};

struct kind {
	const char		*name;
	struct section		 s[5];	/* ends with a NULL name */
};

static const struct kind kinds[] = {
	{ "votes", {
	    { "items", "Roadmap items by votes (added, removed, net: in the "
	      "period)", REPORT_VOTES },
	    { "days", "Votes per day", REPORT_VOTE_DAYS },
	    { NULL, NULL, 0 } } },
	{ "feedback", {
	    { "pages", "Least helpful pages", REPORT_FEEDBACK },
	    { NULL, NULL, 0 } } },
	{ "search-gaps", {
	    { "zero_results", "Searches that found nothing",
	      REPORT_MISSES },
	    { "ended_in_ticket", "Searches made before filing a ticket",
	      REPORT_TICKET_SEARCHES },
	    { NULL, NULL, 0 } } },
	{ "deflection", {
	    { "summary", "Tickets and self-service", REPORT_DEFLECTION },
	    { "opened_then_ticket", "Suggested articles opened before a "
	      "ticket was filed anyway", REPORT_OPENED_THEN_TICKET },
	    { NULL, NULL, 0 } } },
	{ "gaps", {
	    { "zero_results", "Searches that found nothing",
	      REPORT_MISSES },
	    { "ended_in_ticket", "Searches that ended in a ticket",
	      REPORT_TICKET_SEARCHES },
	    { "least_helpful", "Least helpful pages", REPORT_FEEDBACK },
	    { "opened_then_ticket", "Suggested articles that did not "
	      "prevent a ticket", REPORT_OPENED_THEN_TICKET },
	    { NULL, NULL, 0 } } },
	{ NULL, { { NULL, NULL, 0 } } },
};

static const char usage_text[] =
"usage: porchd report [--db FILE] KIND [--csv | --json | --markdown]\n"
"                     [--since DAYS|YYYY-MM-DD] [--limit N] [--db FILE]\n"
"\n"
"KIND: votes, feedback, search-gaps, deflection, gaps.  --since: the\n"
"period (default the last 30 days).  --limit: rows per section (default\n"
"20 in text and markdown, all in CSV and JSON).  docs/reports.md\n"
"explains each column.\n";

/* ---- collecting ---- */

struct collect {
	json_t	*rows;
};

static int
add_row(int n, const char *const *names, const char *const *vals,
    const int *num, void *arg)
{
	struct collect	*c = arg;
	json_t		*o = json_object(), *v;
	char		*end;
	double		 d;
	long long	 ll;
	int		 i;

	for (i = 0; i < n; i++) {
		if (vals[i] == NULL)
			v = json_null();
		else if (num[i]) {
			errno = 0;
			ll = strtoll(vals[i], &end, 10);
			if (*end == '\0' && errno == 0)
				v = json_integer(ll);
			else {
				d = strtod(vals[i], NULL);
				v = json_real(d);
			}
		} else
			v = json_string(vals[i]);
		json_object_set_new(o, names[i], v);
	}
	return json_array_append_new(c->rows, o) == 0;
}

/* ---- writing ---- */

char *
report_csv_cell(const char *s, size_t len, char *out)
{
	char	*o = out;
	size_t	 i;
	int	 quote, formula;

	formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	quote = formula || memchr(s, ',', len) || memchr(s, '"', len) ||
	    memchr(s, '\n', len) || memchr(s, '\r', len);
	if (quote)
		*o++ = '"';
	if (formula)
		*o++ = '\'';
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			*o++ = '"';
		*o++ = s[i];
	}
	if (quote)
		*o++ = '"';
	*o = '\0';
	return out;
}

/* The text of a JSON scalar (heap). */
static char *
scalar_text(const json_t *v)
{
	char	*s = NULL;

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
			return NULL;
		return s;
	}
	if (json_is_real(v)) {
		if (asprintf(&s, "%.1f", json_real_value(v)) < 0)
			return NULL;
		return s;
	}
	return strdup("");
}

/* For people (text, markdown): a time member ("last_at") as its UTC
 * date, anything else as scalar_text.  Heap. */
static char *
human_text(const char *key, const json_t *v)
{
	size_t		 n = strlen(key);
	struct tm	 tm;
	time_t		 t;
	char		 buf[16];

	if (n > 3 && strcmp(key + n - 3, "_at") == 0 && json_is_integer(v)) {
		t = (time_t)json_integer_value(v);
		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		return strdup(buf);
	}
	return scalar_text(v);
}

void
report_csv_put(FILE *f, const char *s)
{
	size_t	 len;
	char	*buf;

	if (s == NULL)
		s = "";
	len = strlen(s);

	if ((buf = malloc(2 * len + 4)) == NULL)
		return;
	fputs(report_csv_cell(s, len, buf), f);
	free(buf);
}

void
report_time(char *buf, size_t len, long long t)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One CSV table for all sections: "section" first, then the union of the
 * columns in order of appearance. */
static void
write_csv(FILE *f, const struct kind *k, json_t *out)
{
	json_t		*cols = json_array(), *rows, *row, *v;
	const char	*key;
	size_t		 i, j, c;
	int		 s, seen;

	for (s = 0; k->s[s].name; s++) {
		rows = json_object_get(out, k->s[s].name);
		json_array_foreach(rows, i, row)
			json_object_foreach(row, key, v) {
				seen = 0;
				json_array_foreach(cols, c, v)
					if (strcmp(json_string_value(v), key)
					    == 0)
						seen = 1;
				if (!seen)
					json_array_append_new(cols,
					    json_string(key));
			}
	}
	fputs("section", f);
	json_array_foreach(cols, c, v) {
		fputc(',', f);
		report_csv_put(f, json_string_value(v));
	}
	fputs("\r\n", f);
	for (s = 0; k->s[s].name; s++) {
		rows = json_object_get(out, k->s[s].name);
		json_array_foreach(rows, i, row) {
			fputs(k->s[s].name, f);
			for (j = 0; j < json_array_size(cols); j++) {
				char *t = scalar_text(json_object_get(row,
				    json_string_value(json_array_get(cols,
				    j))));

				fputc(',', f);
				if (t)
					report_csv_put(f, t);
				free(t);
			}
			fputs("\r\n", f);
		}
	}
	json_decref(cols);
}

/* Plain text: each section as columns of left-aligned cells; long cells
 * (comments) cut, newlines shown as " / ". */
static void
write_text(FILE *f, const struct kind *k, json_t *out, const char *since)
{
	json_t		*rows, *row, *v;
	const char	*key;
	size_t		 i;
	int		 s, first;
	char		*t, *p;

	fprintf(f, "porchd report %s (since %s)\n", k->name, since);
	for (s = 0; k->s[s].name; s++) {
		rows = json_object_get(out, k->s[s].name);
		fprintf(f, "\n%s\n", k->s[s].title);
		if (json_array_size(rows) == 0) {
			fputs("  (nothing yet)\n", f);
			continue;
		}
		json_array_foreach(rows, i, row) {
			first = 1;
			fputs("  ", f);
			json_object_foreach(row, key, v) {
				if ((t = human_text(key, v)) == NULL)
					continue;
				for (p = t; *p; p++)
					if (*p == '\n' || *p == '\r' ||
					    *p == '\t')
						*p = '/';
				/* customer text: no escape reaches a tty */
				p = termsafe_dup(t, 0);
				free(t);
				if (p == NULL)
					continue;
				fprintf(f, "%s%s=%.*s", first ? "" : "  ", key,
				    240, p);
				first = 0;
				free(p);
			}
			fputc('\n', f);
		}
	}
}

/* s for a markdown table cell or list item: no line breaks, the
 * characters markdown acts on escaped, so customer text stays text. */
static void
md_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', f);
		else if (strchr("\\`*_{}[]<>()#+-.!|~&", *s) != NULL) {
			fputc('\\', f);
			fputc(*s, f);
		} else
			fputc(*s, f);
	}
}

static void
write_markdown(FILE *f, const struct kind *k, json_t *out,
    const char *since)
{
	json_t		*rows, *row, *v;
	const char	*key, *c, *e;
	size_t		 i;
	int		 s;
	char		*t;

	fprintf(f, "---\ntitle: Content gaps since %s\ndraft: true\n---\n\n"
	    "What customers looked for and did not find, made by `porchd "
	    "report %s --markdown` (see docs/reports.md in Porch).  Each "
	    "line is a to-do for a writer.\n", since, k->name);
	for (s = 0; k->s[s].name; s++) {
		rows = json_object_get(out, k->s[s].name);
		fprintf(f, "\n## %s\n\n", k->s[s].title);
		if (json_array_size(rows) == 0) {
			fputs("Nothing in this period.\n", f);
			continue;
		}
		json_array_foreach(rows, i, row) {
			fputs("- [ ] ", f);
			json_object_foreach(row, key, v) {
				if (strcmp(key, "comments") == 0)
					continue;
				if ((t = human_text(key, v)) == NULL)
					continue;
				if (strcmp(key, "query") == 0 ||
				    strcmp(key, "page") == 0 ||
				    strcmp(key, "url") == 0) {
					fputs("**", f);
					md_put(f, t);
					fputs("**", f);
				} else {
					fprintf(f, " %s: ", key);
					md_put(f, t);
				}
				free(t);
			}
			fputc('\n', f);
			c = json_string_value(json_object_get(row,
			    "comments"));
			for (; c && *c; c = *e ? e + 1 : e) {
				e = c + strcspn(c, "\n");
				if (e == c)
					continue;
				fputs("  > ", f);
				t = strndup(c, (size_t)(e - c));
				if (t)
					md_put(f, t);
				free(t);
				fputc('\n', f);
			}
		}
	}
}

/* ---- options ---- */

/* --since: N days back, or a YYYY-MM-DD date (UTC); 1/0. */
static int
parse_since(const char *s, long long now, long long *out)
{
	struct tm	 tm;
	char		*end;
	long		 days;

	errno = 0;
	days = strtol(s, &end, 10);
	if (*end == '\0' && errno == 0 && days >= 0 && days <= 100000) {
		*out = now - days * DAY;
		return 1;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return 0;
	*out = (long long)timegm(&tm);
	return 1;
}

/* For JSON of comments: the newline-joined list as an array. */
static void
split_comments(json_t *rows)
{
	json_t		*row, *a;
	const char	*c, *e;
	size_t		 i;

	json_array_foreach(rows, i, row) {
		if ((c = json_string_value(json_object_get(row, "comments")))
		    == NULL)
			continue;
		a = json_array();
		for (; *c; c = *e ? e + 1 : e) {
			e = c + strcspn(c, "\n");
			if (e > c)
				json_array_append_new(a,
				    json_stringn(c, (size_t)(e - c)));
		}
		json_object_set_new(row, "comments", a);
	}
}

int
report_main(const struct settings *cfg, int argc, char **argv)
{
	const struct kind *k;
	enum format	 fmt = F_TEXT;
	struct store	*st;
	struct collect	 c;
	json_t		*out, *counts;
	const char	*db = cfg->db;
	char		*err = NULL, since_s[32];
	long long	 now = (long long)time(NULL), since;
	long		 limit = -1;
	struct tm	 tm;
	time_t		 tt;
	int		 i, s, rc, status = 1;

	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (k = kinds; k->name; k++)
		if (strcmp(k->name, argv[1]) == 0)
			break;
	if (k->name == NULL) {
		fprintf(stderr, "porchd report: no report '%s'\n", argv[1]);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	since = now - DEFAULT_DAYS * DAY;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0)
			fmt = F_CSV;
		else if (strcmp(argv[i], "--json") == 0)
			fmt = F_JSON;
		else if (strcmp(argv[i], "--markdown") == 0)
			fmt = F_MARKDOWN;
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			if (!parse_since(argv[++i], now, &since)) {
				fprintf(stderr, "porchd report: --since: "
				    "expected a number of days or "
				    "YYYY-MM-DD\n");
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			char *end;

			limit = strtol(argv[++i], &end, 10);
			if (*end != '\0' || limit < 0 || limit > INT_MAX) {
				fprintf(stderr, "porchd report: --limit: "
				    "expected a whole number\n");
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "porchd report: unknown option "
			    "'%s'\n", argv[i]);
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (limit < 0)
		limit = (fmt == F_TEXT || fmt == F_MARKDOWN) ? TEXT_LIMIT : 0;
	if ((st = store_open(db, &err)) == NULL) {
		fprintf(stderr, "porchd report: %s: %s\n", db,
		    err ? err : "cannot open the database");
		free(err);
		return 1;
	}
	tt = (time_t)since;
	gmtime_r(&tt, &tm);
	strftime(since_s, sizeof(since_s), "%Y-%m-%d", &tm);
	out = json_pack("{s:s, s:s, s:I}", "report", k->name, "since",
	    since_s, "generated_at", (json_int_t)now);
	for (s = 0; k->s[s].name; s++) {
		c.rows = json_array();
		rc = store_report_run(st, k->s[s].q, since, (int)limit,
		    add_row, &c);
		if (rc != STORE_OK) {
			fprintf(stderr, "porchd report: the database could "
			    "not be read (%d)\n", rc);
			json_decref(c.rows);
			goto out;
		}
		json_object_set_new(out, k->s[s].name, c.rows);
	}
	switch (fmt) {
	case F_CSV:
		write_csv(stdout, k, out);
		break;
	case F_JSON:
		for (s = 0; k->s[s].name; s++)
			split_comments(json_object_get(out, k->s[s].name));
		if (strcmp(k->name, "votes") == 0) {
			/* what `porch build --votes FILE` reads */
			json_t	*row;
			size_t	 j;

			counts = json_object();
			json_array_foreach(json_object_get(out, "items"), j,
			    row)
				json_object_set(counts, json_string_value(
				    json_object_get(row, "item")),
				    json_object_get(row, "votes"));
			json_object_set_new(out, "counts", counts);
		}
		json_dumpf(out, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		break;
	case F_MARKDOWN:
		write_markdown(stdout, k, out, since_s);
		break;
	default:
		write_text(stdout, k, out, since_s);
		break;
	}
	status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
out:
	json_decref(out);
	store_close(st);
	return status;
}
