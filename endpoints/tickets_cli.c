/*
 * tickets_cli: the staff commands of `porchd tickets` (see tickets_cli.h).
 *
 * Output is text for people (tab-separated), --csv for spreadsheets
 * (formula cells neutralised) or --json for scripts.  Messages go to
 * stderr prefixed "porchd tickets: "; the exit status is 0, 1 on failure,
 * 2 for a usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "app.h"
#include "auth.h"
#include "catalog.h"
#include "report.h"
#include "store.h"
#include "termsafe.h"
#include "tickets.h"
#include "tickets_cli.h"
#include "token.h"

#define BODY_MAX	(64 * 1024)	/* bytes of a reply from stdin */

static const char usage_text[] =
"usage: porchd tickets list [--status S] [--type T] [--since DAYS|DATE]\n"
"                           [--csv | --json]\n"
"       porchd tickets show REF [--json]\n"
"       porchd tickets reply REF (--body TEXT | --body-stdin) [--name NAME]\n"
"                           [--status STATUS]\n"
"       porchd tickets status REF STATUS [--note TEXT]\n"
"       porchd tickets priority REF low|normal|high|urgent\n"
"       porchd tickets assign REF NAME|-\n"
"       porchd tickets link REF ROADMAP_ID|-\n"
"       porchd tickets export [--status S] [--type T] [--since DAYS|DATE]\n"
"                           [--csv | --json]\n"
"\n"
"list     tickets, newest first; OVERDUE marks a new or open ticket past\n"
"         its first-response target (site.lua tickets.sla)\n"
"show     one ticket with its fields, conversation and attachments\n"
"reply    answers the customer (mail) and sets the status (default\n"
"         waiting)\n"
"status   sets the status and mails the customer; solved asks for a\n"
"         rating\n"
"assign   names who works on the ticket ('-' clears)\n"
"link     ties the ticket to a roadmap item (shipped-item mails)\n"
"export   every column of every matching ticket\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 for a usage error.\n";

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("porchd tickets: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int
usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

long
tickets_duration(const char *s)
{
	char	*end;
	long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	n = strtol(s, &end, 10);
	if (n < 0 || n > 10L * 365 * 24 * 3600)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return n;
	if (strcmp(end, "m") == 0)
		return n * 60;
	if (strcmp(end, "h") == 0)
		return n * 3600;
	if (strcmp(end, "d") == 0)
		return n * 86400;
	if (strcmp(end, "w") == 0)
		return n * 7 * 86400;
	return -1;
}

/* --since: a number of days back, or YYYY-MM-DD (UTC). */
static int
parse_since(const char *s, long long *out)
{
	struct tm	 tm;
	char		*end;
	long		 days;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0') {
		*out = (long long)timegm(&tm);
		return 1;
	}
	days = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || days > 100000)
		return 0;
	*out = (long long)auth_now() - days * 86400LL;
	return 1;
}

/* ---- the environment of the mails ---- */

struct cli {
	const struct settings	*cfg;
	struct store		*st;
	json_t			*cat;
	struct tickets_env	 env;
	char			*base, *api;
	json_t			*sla;	/* tickets.sla, or NULL */
};

/* The catalog: settings.catalog, else SITE/catalog.json; an empty one
 * when neither loads (mails then say less). */
static json_t *
load_catalog(const struct settings *cfg)
{
	char	 path[4200];
	json_t	*c = NULL;

	if (cfg->catalog)
		c = json_load_file(cfg->catalog, 0, NULL);
	else if (cfg->site) {
		snprintf(path, sizeof(path), "%s/catalog.json", cfg->site);
		c = json_load_file(path, 0, NULL);
	}
	return c ? c : json_object();
}

static int
cli_open(struct cli *c, const struct settings *cfg)
{
	char		*err = NULL;
	json_t		*site;

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	if ((c->st = store_open(cfg->db ? cfg->db : "var/porch.db", &err)) ==
	    NULL) {
		say("%s", err ? err : "cannot open the database");
		free(err);
		return 0;
	}
	c->cat = load_catalog(cfg);
	site = json_object_get(c->cat, "site");
	c->base = catalog_link_base(cfg->public_url, c->cat);
	c->api = catalog_api_url(c->cat, c->base ? c->base : "");
	c->env.cfg = cfg;
	c->env.cat = c->cat;
	c->env.site = json_string_value(json_object_get(site, "title"));
	if (c->env.site == NULL)
		c->env.site = "";
	c->env.base = c->base ? c->base : "";
	c->env.api = c->api ? c->api : "";
	c->sla = json_object_get(json_object_get(c->cat, "tickets"), "sla");
	return 1;
}

static void
cli_close(struct cli *c)
{
	if (c->st)
		store_close(c->st);
	json_decref(c->cat);
	free(c->base);
	free(c->api);
}

static const char *
rc_text(int rc)
{
	switch (rc) {
	case STORE_NOTFOUND:
		return "no such ticket";
	case STORE_BUSY:
		return "the database is busy (locked by another process)";
	default:
		return "database error (see the message above)";
	}
}

/* 1 if t is past its first-response target. */
static int
overdue(const struct cli *c, const struct store_ticket *t, long long now)
{
	long	 d;

	if (c->sla == NULL || t->first_response_at != 0 ||
	    (strcmp(t->status, "new") != 0 && strcmp(t->status, "open") != 0))
		return 0;
	d = tickets_duration(json_string_value(json_object_get(c->sla,
	    t->priority)));
	return d > 0 && now > t->created_at + d;
}

/* ---- list, export ---- */

enum fmt { F_TEXT, F_CSV, F_JSON };

struct listing {
	struct cli	*c;
	enum fmt	 fmt;
	int		 all;		/* export: every column */
	json_t		*json;
	long long	 now;
};

static json_t *
ticket_obj(const struct cli *c, const struct store_ticket *t, long long now)
{
	json_t	*o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, "
	    "s:b, s:s?}",
	    "ref", t->ref, "status", t->status, "priority", t->priority,
	    "type", t->type, "email", t->email, "subject", t->subject,
	    "assignee", t->assignee, "roadmap_id", t->roadmap_id,
	    "created_at", (json_int_t)t->created_at,
	    "updated_at", (json_int_t)t->updated_at,
	    "overdue", overdue(c, t, now), "csat", t->csat);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "fields", json_loads(t->fields, 0, NULL));
	json_object_set_new(o, "context", json_loads(t->context, 0, NULL));
	json_object_set_new(o, "source_url", t->source_url ?
	    json_string(t->source_url) : json_null());
	json_object_set_new(o, "csat_comment", t->csat_comment ?
	    json_string(t->csat_comment) : json_null());
	json_object_set_new(o, "first_response_at",
	    json_integer(t->first_response_at));
	json_object_set_new(o, "solved_at", json_integer(t->solved_at));
	return o;
}

static int
list_one(const struct store_ticket *t, void *arg)
{
	struct listing	*l = arg;
	char		 created[32], updated[32];
	int		 od = overdue(l->c, t, l->now);

	report_time(created, sizeof(created), t->created_at);
	report_time(updated, sizeof(updated), t->updated_at);
	switch (l->fmt) {
	case F_JSON:
		json_array_append_new(l->json, ticket_obj(l->c, t, l->now));
		break;
	case F_CSV: {
		const char *cells[] = { t->ref, created, t->status,
		    t->priority, t->type, t->email, t->subject,
		    t->assignee ? t->assignee : "", od ? "overdue" : "",
		    updated, t->roadmap_id ? t->roadmap_id : "",
		    t->csat ? t->csat : "", t->csat_comment ?
		    t->csat_comment : "", t->source_url ? t->source_url : "",
		    t->fields, t->context };
		size_t i, n = l->all ? sizeof(cells) / sizeof(cells[0]) : 9;

		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', stdout);
			report_csv_put(stdout, cells[i]);
		}
		fputs("\r\n", stdout);
		break;
	}
	default:
		printf("%s\t%s\t%s\t%s\t", t->ref, created, t->status,
		    t->priority);
		termsafe_put(stdout, t->type, 0);
		putchar('\t');
		termsafe_put(stdout, t->email, 0);
		putchar('\t');
		termsafe_put(stdout, t->subject, 0);
		puts(od ? "\tOVERDUE" : "");
		break;
	}
	return 1;
}

static int
cmd_list(struct cli *c, int argc, char **argv, int all)
{
	struct store_ticket_filter f;
	struct listing	 l;
	int		 i, r;

	memset(&f, 0, sizeof(f));
	memset(&l, 0, sizeof(l));
	l.c = c;
	l.all = all;
	l.now = auth_now();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0)
			l.fmt = F_CSV;
		else if (strcmp(argv[i], "--json") == 0)
			l.fmt = F_JSON;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
			f.status = argv[++i];
			if (!tickets_status_ok(f.status)) {
				say("no status '%s'", f.status);
				return 2;
			}
		} else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc)
			f.type = argv[++i];
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			if (!parse_since(argv[++i], &f.since)) {
				say("--since takes a number of days or "
				    "YYYY-MM-DD");
				return 2;
			}
		} else
			return usage();
	}
	if (l.fmt == F_JSON && (l.json = json_array()) == NULL)
		return 1;
	if (l.fmt == F_CSV) {
		fputs("ref,created,status,priority,type,email,subject,assignee,"
		    "sla", stdout);
		if (all)
			fputs(",updated,roadmap_id,csat,csat_comment,"
			    "source_url,fields,context", stdout);
		fputs("\r\n", stdout);
	}
	r = store_ticket_list(c->st, &f, list_one, &l);
	if (l.fmt == F_JSON) {
		if (r == STORE_OK)
			json_dumpf(l.json, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(l.json);
	}
	if (r != STORE_OK) {
		say("%s", rc_text(r));
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- show ---- */

static int
show_event(const struct store_ticket_event *e, void *arg)
{
	char	 when[32];

	if (arg != NULL) {
		json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:I}", "id", (json_int_t)e->id, "author", e->author,
		    "author_name", e->author_name, "kind", e->kind, "body",
		    e->body, "created_at", (json_int_t)e->created_at));
		return 1;
	}
	report_time(when, sizeof(when), e->created_at);
	printf("\n--- %s ", when);
	termsafe_put(stdout, e->author, 0);
	if (e->author_name[0])
		putchar(' ');
	termsafe_put(stdout, e->author_name, 0);
	printf(" (%s)\n", e->kind);
	termsafe_put(stdout, e->body, TERMSAFE_LINES);
	putchar('\n');
	return 1;
}

struct show_att {
	const struct cli *c;
	json_t		*json;
	const char	*ref;
};

static int
show_att(const struct store_attachment *a, void *arg)
{
	struct show_att	*s = arg;

	if (s->json) {
		json_array_append_new(s->json, json_pack("{s:I, s:s, s:s, s:I, "
		    "s:s, s:s}", "id", (json_int_t)a->id, "name", a->name,
		    "type", a->type, "size", (json_int_t)a->size, "sha256",
		    a->sha256, "file", a->stored));
		return 1;
	}
	printf("attachment %lld: ", a->id);
	termsafe_put(stdout, a->name, 0);
	printf(" (%s, %lld bytes) %s/%s\n  %s/tickets/%s/"
	    "attachments/%lld?key=%s\n", a->type, a->size,
	    s->c->cfg->attachments_dir, a->stored, s->c->env.api, s->ref,
	    a->id, a->key);
	return 1;
}

static int
cmd_show(struct cli *c, int argc, char **argv)
{
	struct store_ticket t;
	struct show_att	 sa;
	json_t		*o = NULL, *ev = NULL, *fields, *v;
	const char	*k;
	char		 when[32];
	int		 r, json = argc == 3 && strcmp(argv[2], "--json") == 0;

	if (argc != 2 && !json)
		return usage();
	if ((r = store_ticket_by_ref(c->st, argv[1], &t)) != STORE_OK) {
		say("%s: %s", argv[1], rc_text(r));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.c = c;
	sa.ref = t.ref;
	if (json) {
		o = ticket_obj(c, &t, auth_now());
		ev = json_array();
		sa.json = json_array();
		store_ticket_events(c->st, t.id, show_event, ev);
		store_attachments(c->st, t.id, show_att, &sa);
		json_object_set_new(o, "events", ev);
		json_object_set_new(o, "attachments", sa.json);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
		store_ticket_free(&t);
		return 0;
	}
	report_time(when, sizeof(when), t.created_at);
	/* customer text through termsafe_put: no escape reaches the tty */
	printf("%s  ", t.ref);
	termsafe_put(stdout, t.subject, 0);
	printf("\nstatus: %s  priority: %s  type: ", t.status, t.priority);
	termsafe_put(stdout, t.type, 0);
	printf("%s\nfrom: ", overdue(c, &t, auth_now()) ? "  OVERDUE" : "");
	termsafe_put(stdout, t.email, 0);
	printf("\ncreated: %s\n", when);
	if (t.assignee) {
		fputs("assignee: ", stdout);
		termsafe_put(stdout, t.assignee, 0);
		putchar('\n');
	}
	if (t.roadmap_id)
		printf("roadmap: %s\n", t.roadmap_id);
	if (t.source_url) {
		fputs("sent from: ", stdout);
		termsafe_put(stdout, t.source_url, 0);
		putchar('\n');
	}
	if (t.csat) {
		printf("rating: %s%s", t.csat, t.csat_comment ? " - " : "");
		termsafe_put(stdout, t.csat_comment, 0);
		putchar('\n');
	}
	fields = json_loads(t.fields, 0, NULL);
	putchar('\n');
	json_object_foreach(fields, k, v) {
		termsafe_put(stdout, k, 0);
		fputs(": ", stdout);
		termsafe_put(stdout, json_is_string(v) ? json_string_value(v) :
		    json_is_true(v) ? "yes" : "no", TERMSAFE_LINES);
		putchar('\n');
	}
	json_decref(fields);
	store_attachments(c->st, t.id, show_att, &sa);
	store_ticket_events(c->st, t.id, show_event, NULL);
	store_ticket_free(&t);
	return 0;
}

/* ---- changes ---- */

struct change {
	struct cli	*c;
	const char	*ref;
	const char	*what;		/* reply, status, priority, assign, link */
	const char	*value;		/* the status, name, roadmap id */
	const char	*body;		/* the reply or note */
	const char	*name;		/* the staff member */
	char		 token[TOKEN_HEX + 1];	/* rating link */
	char		 token_hash[TOKEN_HEX + 1];
	long long	 now;
};

static int
change_tx(struct store_tx *tx, void *arg)
{
	struct change		*a = arg;
	struct store_ticket	 t;
	const char		*col;
	char			 note[300];
	int			 r, solved;

	if ((r = stx_ticket_by_ref(tx, a->ref, &t)) != STORE_OK)
		return r;
	if (strcmp(a->what, "reply") == 0) {
		if ((r = stx_ticket_event_add(tx, t.id, "staff", a->name,
		    "comment", a->body, a->now, NULL)) != STORE_OK)
			goto out;
		if (a->value && strcmp(a->value, t.status) != 0 &&
		    (r = stx_ticket_set_status(tx, t.id, a->value, a->now)) !=
		    STORE_OK)
			goto out;
		store_ticket_free(&t);
		if ((r = stx_ticket_by_ref(tx, a->ref, &t)) != STORE_OK)
			return r;
		if ((r = tickets_tell_customer(tx, &a->c->env, &t,
		    TICKETMAIL_REPLY, a->body, NULL)) == STORE_OK)
			r = tickets_webhook(tx, &a->c->env, &t, "ticket.reply",
			    a->body);
		goto out;
	}
	if (strcmp(a->what, "status") == 0) {
		solved = strcmp(a->value, "solved") == 0;
		if ((r = stx_ticket_set_status(tx, t.id, a->value, a->now)) !=
		    STORE_OK || (r = stx_ticket_event_add(tx, t.id, "staff",
		    a->name, "status", a->value, a->now, NULL)) != STORE_OK)
			goto out;
		if (solved && (r = stx_ticket_token_add(tx, a->token_hash,
		    "rate", t.id, a->now, a->now + TICKETS_RATE_TTL)) !=
		    STORE_OK)
			goto out;
		if (!solved && (r = stx_ticket_tokens_drop(tx, t.id, "rate")) !=
		    STORE_OK)
			goto out;
		store_ticket_free(&t);
		if ((r = stx_ticket_by_ref(tx, a->ref, &t)) != STORE_OK)
			return r;
		if (strcmp(t.status, "unconfirmed") != 0 &&
		    (r = tickets_tell_customer(tx, &a->c->env, &t,
		    TICKETMAIL_STATUS, a->body, solved ? a->token : NULL)) !=
		    STORE_OK)
			goto out;
		r = tickets_webhook(tx, &a->c->env, &t, "ticket.status", NULL);
		goto out;
	}
	col = strcmp(a->what, "assign") == 0 ? "assignee" :
	    strcmp(a->what, "link") == 0 ? "roadmap_id" : "priority";
	if ((r = stx_ticket_set(tx, t.id, col, a->value, a->now)) != STORE_OK)
		goto out;
	snprintf(note, sizeof(note), "%s", a->value ? a->value : "-");
	r = stx_ticket_event_add(tx, t.id, "staff", a->name,
	    strcmp(a->what, "link") == 0 ? "link" : strcmp(a->what,
	    "assign") == 0 ? "assign" : "priority", note, a->now, NULL);
out:
	store_ticket_free(&t);
	return r;
}

/* A reply from stdin (heap), at most BODY_MAX bytes. */
static char *
read_stdin(void)
{
	char	*buf;
	size_t	 n = 0, r;

	if ((buf = malloc(BODY_MAX + 1)) == NULL)
		return NULL;
	while (n < BODY_MAX && (r = fread(buf + n, 1, BODY_MAX - n, stdin)) >
	    0)
		n += r;
	if (n == BODY_MAX && !feof(stdin)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}

static int
cmd_change(struct cli *c, int argc, char **argv)
{
	struct change	 a;
	char		*body = NULL;
	int		 i, r, pos = 0;
	const char	*args[2] = { NULL, NULL };

	memset(&a, 0, sizeof(a));
	a.c = c;
	a.what = argv[0];
	a.name = "Support";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--body") == 0 && i + 1 < argc)
			a.body = argv[++i];
		else if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
			a.body = argv[++i];
		else if (strcmp(argv[i], "--body-stdin") == 0) {
			if ((body = read_stdin()) == NULL) {
				say("the reply must be text of at most %d "
				    "bytes", BODY_MAX);
				return 1;
			}
			a.body = body;
		} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			a.name = argv[++i];
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			a.value = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return usage();
		else if (pos < 2)
			args[pos++] = argv[i];
		else
			return usage();
	}
	a.ref = args[0];
	if (a.ref == NULL)
		return usage();
	if (strcmp(a.what, "reply") == 0) {
		if (pos != 1 || a.body == NULL || a.body[0] == '\0') {
			free(body);
			return usage();
		}
		if (a.value == NULL)
			a.value = "waiting";
	} else {
		if (pos != 2) {
			free(body);
			return usage();
		}
		a.value = strcmp(args[1], "-") == 0 &&
		    strcmp(a.what, "status") != 0 &&
		    strcmp(a.what, "priority") != 0 ? NULL : args[1];
	}
	if ((strcmp(a.what, "status") == 0 || strcmp(a.what, "reply") == 0) &&
	    !tickets_status_ok(a.value)) {
		say("no status '%s' (unconfirmed, new, open, waiting, solved, "
		    "closed)", a.value);
		free(body);
		return 2;
	}
	if (strcmp(a.what, "priority") == 0 && strcmp(a.value, "low") != 0 &&
	    strcmp(a.value, "normal") != 0 && strcmp(a.value, "high") != 0 &&
	    strcmp(a.value, "urgent") != 0) {
		say("no priority '%s' (low, normal, high, urgent)", a.value);
		return 2;
	}
	if (!token_new(a.token)) {
		free(body);
		return 1;
	}
	token_hash(a.token_hash, a.token, TOKEN_HEX);
	a.now = auth_now();
	r = store_write(c->st, change_tx, &a);
	explicit_bzero(a.token, sizeof(a.token));
	free(body);
	if (r != STORE_OK) {
		say("%s: %s", a.ref, rc_text(r));
		return 1;
	}
	say("%s: %s done%s", a.ref, a.what, strcmp(a.what, "reply") == 0 ||
	    strcmp(a.what, "status") == 0 ? "; the customer's mail is in the "
	    "outbox" : "");
	return 0;
}

int
tickets_main(const struct settings *cfg, int argc, char **argv)
{
	struct cli	 c;
	int		 rc;
	const char	*cmd;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "list") != 0 && strcmp(cmd, "export") != 0 &&
	    strcmp(cmd, "show") != 0 && strcmp(cmd, "reply") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "priority") != 0 &&
	    strcmp(cmd, "assign") != 0 && strcmp(cmd, "link") != 0) {
		say("no command '%s'", cmd);
		return usage();
	}
	if (!cli_open(&c, cfg)) {
		cli_close(&c);
		return 1;
	}
	if (strcmp(cmd, "list") == 0)
		rc = cmd_list(&c, argc - 1, argv + 1, 0);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_list(&c, argc - 1, argv + 1, 1);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(&c, argc - 1, argv + 1);
	else
		rc = cmd_change(&c, argc - 1, argv + 1);
	cli_close(&c);
	return rc;
}
