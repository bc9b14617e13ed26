/*
 * porchd: the endpoint server behind a Porch help site.  Only this file
 * parses the command line, handles signals and decides exit statuses.
 *
 * Signals: SIGTERM, SIGINT and SIGHUP are blocked in every thread (the
 * mask is set before the first thread starts) and taken by sigwait in the
 * main thread, so no work ever runs in a signal handler.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "catalog.h"
#include "http.h"
#include "metrics.h"
#include "outbox.h"
#include "report.h"
#include "shipped.h"
#include "ratelimit.h"
#include "sandbox.h"
#include "server.h"
#include "settings.h"
#include "store.h"
#include "tickets_cli.h"
#include "users.h"
#include "votes.h"

#define EXIT_USAGE	2
/* Client addresses the rate limiter remembers at once. */
#define RATE_KEYS	65536
#define TICKET_LIMIT_KEYS 100000	/* accounts tracked by the ticket limiter */

extern char **environ;

struct command {
	const char	*name;
	const char	*summary;
	const char	*help;
	int		(*run)(int, char **);
};

static int	cmd_serve(int, char **);
static int	cmd_users(int, char **);
static int	cmd_tickets(int, char **);
static int	cmd_report(int, char **);
static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

static const struct command commands[] = {
	{ "serve", "run the server",
"NAME\n"
"    porchd serve - serve a Porch help site's endpoints (and its pages)\n"
"\n"
"SYNOPSIS\n"
"    porchd serve [--site DIR] [--db FILE] [--listen ADDR:PORT]\n"
"                 [--config FILE] [--SETTING VALUE ...] [--print-config]\n"
"\n"
"DESCRIPTION\n"
"    Answers the JSON endpoints of the help site (login, tickets, votes)\n"
"    under the catalog's site.endpoint (default /api), and /healthz and\n"
"    /metrics.  With --site it also serves the built site (public/): the\n"
"    .gz twin when the client accepts gzip, ETag and Last-Modified, 304,\n"
"    immutable caching of fingerprinted assets, the site's 404 page.\n"
"\n"
"    porchd reads catalog.json (SITE/catalog.json, or --catalog) at start\n"
"    and again on SIGHUP; a catalog that does not parse or check keeps\n"
"    the previous one.  When there is none yet it starts with an empty\n"
"    catalog and says so.  SIGTERM or SIGINT stops it gracefully: no new\n"
"    connections, running requests get --drain seconds to finish, then\n"
"    the database is closed and porchd exits 0.\n"
"\n"
"SETTINGS\n"
"    Each setting comes from, in rising precedence: its default, the\n"
"    config file (--config FILE or $PORCHD_CONFIG; lines `key = value`,\n"
"    # comments), the environment variable PORCHD_<KEY> (PORCHD_MAX_BODY),\n"
"    and the flag --key (with - for _: --max-body 2M).  Sizes take K, M\n"
"    or G; durations take s, m, h or d.\n"
"\n"
"%s"
"\n"
"    --config FILE        the config file to read first\n"
"    --print-config       print the settings in effect and exit\n"
"    --no-seccomp         the same as --seccomp false\n"
"\n"
"EXIT STATUS\n"
"    0 after a graceful stop, 1 when it cannot start (bad settings, port\n"
"    in use, database), 2 for a usage error.\n",
	cmd_serve },
	{ "users", "manage customer and staff accounts",
"NAME\n"
"    porchd users - manage accounts in porchd's database\n"
"\n"
"SYNOPSIS\n"
"    porchd users [--db FILE] [--config FILE] COMMAND [ARGS]\n"
"\n"
"DESCRIPTION\n"
"    Runs an account command (add, import FILE.csv, disable, list,\n"
"    reset-password) against the database the server uses; the settings\n"
"    are read as for `porchd serve`.  `porchd users help` lists the\n"
"    commands and their arguments.\n",
	cmd_users },
	{ "tickets", "staff commands for tickets: list, reply, status, export",
"NAME\n"
"    porchd tickets - work on tickets from the command line\n"
"\n"
"SYNOPSIS\n"
"    porchd tickets [--db FILE] [--config FILE] COMMAND [ARGS]\n"
"\n"
"DESCRIPTION\n"
"    list, show, reply, status, priority, assign, link and export;\n"
"    `porchd tickets help` lists their arguments.  Replies and status\n"
"    changes mail the customer through the outbox, which the running\n"
"    `porchd serve` delivers.  docs/tickets.md has the details.\n",
	cmd_tickets },
	{ "report", "reports for staff: votes, feedback, search gaps",
"NAME\n"
"    porchd report - what customers ask for, vote for and miss\n"
"\n"
"SYNOPSIS\n"
"    porchd report [--db FILE] [--config FILE] KIND [--csv | --json |\n"
"                  --markdown] [--since DAYS|YYYY-MM-DD] [--limit N]\n"
"\n"
"DESCRIPTION\n"
"    KIND is votes (top items, 30-day trend), feedback (least helpful\n"
"    pages with comments), search-gaps (zero-result queries, searches\n"
"    that ended in a ticket), deflection (tickets whose suggestions\n"
"    were shown or opened; the self-service resolution rate) or gaps\n"
"    (a content-gap summary; --markdown for a page a writer commits).\n"
"    `porchd report votes --json` is also what `porch build --votes\n"
"    FILE` reads.  docs/reports.md defines every column.\n",
	cmd_report },
	{ "version", "print the version",
"NAME\n"
"    porchd version - print the version of porchd\n",
	cmd_version },
	{ "help", "show help for a command",
"NAME\n"
"    porchd help - show help\n"
"\n"
"SYNOPSIS\n"
"    porchd help [COMMAND]\n",
	cmd_help },
	{ NULL, NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: porchd COMMAND [ARGS]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "    %-8s %s\n", c->name, c->summary);
	fprintf(f, "\n'porchd help COMMAND' tells more.\n");
}

static const struct command *
find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The serve page, with the settings table filled in. */
static void
print_serve_help(FILE *f)
{
	const struct setting_info *s;
	char	 flag[64], *p, *list = NULL;
	size_t	 len = 0;
	FILE	*m;

	if ((m = open_memstream(&list, &len)) == NULL)
		return;
	for (s = settings_table(); s->name; s++) {
		snprintf(flag, sizeof(flag), "--%s %s", s->name, s->arg);
		for (p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		fprintf(m, "    %-24s %s\n", flag, s->help);
	}
	fclose(m);
	fprintf(f, find_command("serve")->help, list ? list : "");
	free(list);
}

static void
warn_line(const char *msg)
{
	fprintf(stderr, "porchd: %s\n", msg);
}

/* What load_settings found. */
#define LS_OK		1	/* settings in place */
#define LS_USAGE	0	/* a bad flag: usage error */
#define LS_HELP		(-1)	/* --help */
#define LS_BAD		(-2)	/* a bad value (printed): cannot start */

/*
 * Reads the settings for serve and users: defaults, the config file,
 * the environment, then the flags in argv (options up to the first
 * non-option when stop_at_arg).  Returns LS_OK and *next (index of the
 * first argument left), or one of the others above.
 */
static int
load_settings(struct settings *cfg, int argc, char **argv, int stop_at_arg,
    int *next, int *print)
{
	const struct setting_info *s;
	struct option	*longs;
	char		 err[SETTINGS_ERRLEN], *p, **keys, **vals;
	const char	*config;
	size_t		 n, i, nflags = 0;
	int		 ch, rc = LS_USAGE, idx;

	for (n = 0, s = settings_table(); s->name; s++)
		n++;
	longs = calloc(n + 5, sizeof(*longs));
	keys = calloc((size_t)argc + 1, sizeof(*keys));
	vals = calloc((size_t)argc + 1, sizeof(*vals));
	if (longs == NULL || keys == NULL || vals == NULL) {
		fprintf(stderr, "porchd: out of memory\n");
		goto out;
	}
	for (i = 0, s = settings_table(); s->name; s++, i++) {
		if ((p = strdup(s->name)) == NULL)
			goto out;
		for (longs[i].name = p; *p; p++)
			if (*p == '_')
				*p = '-';
		longs[i].has_arg = required_argument;
		longs[i].val = 1000 + (int)i;
	}
	longs[n].name = "config";
	longs[n].has_arg = required_argument;
	longs[n].val = 'c';
	longs[n + 1].name = "print-config";
	longs[n + 1].val = 'P';
	longs[n + 2].name = "help";
	longs[n + 2].val = 'h';
	longs[n + 3].name = "no-seccomp";	/* --seccomp false */
	longs[n + 3].val = 'S';

	settings_defaults(cfg);
	config = getenv("PORCHD_CONFIG");
	argv[0] = (char *)"porchd";	/* getopt's messages */
	optind = 1;
	while ((ch = getopt_long(argc, argv, stop_at_arg ? "+h" : "h", longs,
	    &idx)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'P':
			if (print)
				*print = 1;
			else {
				fprintf(stderr, "porchd: --print-config is "
				    "for serve\n");
				goto out;
			}
			break;
		case 'h':
			rc = LS_HELP;
			goto out;
		case 'S':
			keys[nflags] = (char *)"seccomp";
			vals[nflags++] = (char *)"false";
			break;
		default:
			if (ch < 1000 || (size_t)(ch - 1000) >= n)
				goto out;	/* getopt printed why */
			keys[nflags] = (char *)settings_table()[ch - 1000].name;
			vals[nflags++] = optarg;
			break;
		}
	}
	rc = LS_BAD;
	if (config && *config && !settings_load_file(cfg, config, err)) {
		fprintf(stderr, "porchd: %s\n", err);
		goto out;
	}
	if (!settings_load_env(cfg, environ, err, warn_line)) {
		fprintf(stderr, "porchd: %s\n", err);
		goto out;
	}
	for (i = 0; i < nflags; i++)
		if (!settings_set(cfg, keys[i], vals[i], err)) {
			fprintf(stderr, "porchd: %s (from the flag)\n", err);
			goto out;
		}
	if (!settings_check(cfg, err)) {
		fprintf(stderr, "porchd: %s\n", err);
		goto out;
	}
	*next = optind;
	rc = LS_OK;
out:
	if (longs)
		for (i = 0; i < n; i++)
			free((char *)longs[i].name);
	free(longs);
	free(keys);
	free(vals);
	return rc;
}

/* Makes the folder the database lives in (var/ by default) if missing. */
static void
make_db_dir(const char *db)
{
	char	*dir, *slash;

	if ((dir = strdup(db)) == NULL)
		return;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			fprintf(stderr, "porchd: %s: %s\n", dir,
			    strerror(errno));
	}
	free(dir);
}

static void
app_free(struct app *app)
{
	json_decref(app->catalog);
	free(app->catalog_path);
	ratelimit_free(app->limits);
	ratelimit_free(app->ticket_limits);
	metrics_free(app->metrics);
	pthread_mutex_destroy(&app->catalog_lock);
	settings_free(&app->cfg);
}

static int
cmd_serve(int argc, char **argv)
{
	struct app	 app;
	struct server	*srv;
	struct outbox	*ob;
	struct stat	 st;
	sigset_t	 set;
	char		 err[512], *dberr = NULL;
	int		 next, print = 0, sig, rc, loaded = 0;
	size_t		 n;

	memset(&app, 0, sizeof(app));
	if ((rc = load_settings(&app.cfg, argc, argv, 0, &next, &print)) !=
	    LS_OK) {
		settings_free(&app.cfg);
		if (rc == LS_HELP) {
			print_serve_help(stdout);
			return 0;
		}
		if (rc == LS_BAD)
			return 1;
		fprintf(stderr, "usage: porchd serve [--site DIR] [--db FILE] "
		    "[--listen ADDR:PORT] [--config FILE] [...]\n");
		return EXIT_USAGE;
	}
	if (next != argc) {
		fprintf(stderr, "porchd: serve takes no argument '%s'\n",
		    argv[next]);
		settings_free(&app.cfg);
		return EXIT_USAGE;
	}
	if (print) {
		settings_print(&app.cfg, stdout);
		settings_free(&app.cfg);
		return 0;
	}
	if (app.cfg.site && (stat(app.cfg.site, &st) == -1 ||
	    !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "porchd: --site %s: not a folder\n",
		    app.cfg.site);
		settings_free(&app.cfg);
		return 1;
	}

	pthread_mutex_init(&app.catalog_lock, NULL);
	app.catalog = catalog_empty();
	app.metrics = metrics_new();
	app.limits = ratelimit_new(app.cfg.rate_limit / 60.0,
	    app.cfg.rate_burst, RATE_KEYS);
	app.ticket_limits = ratelimit_new(app.cfg.ticket_limit / 3600.0,
	    app.cfg.ticket_burst, TICKET_LIMIT_KEYS);
	if (app.catalog == NULL || app.metrics == NULL || app.limits == NULL ||
	    app.ticket_limits == NULL) {
		fprintf(stderr, "porchd: out of memory\n");
		app_free(&app);
		return 1;
	}
	if (app.cfg.catalog)
		app.catalog_path = strdup(app.cfg.catalog);
	else if (app.cfg.site) {
		n = strlen(app.cfg.site) + sizeof("/catalog.json");
		if ((app.catalog_path = malloc(n)) != NULL)
			snprintf(app.catalog_path, n, "%s/catalog.json",
			    app.cfg.site);
	}
	if (app.catalog_path)
		loaded = catalog_load(&app, app.catalog_path, 1);
	else
		http_log("warning: no --site or --catalog: serving with an "
		    "empty catalog");

	/* before any thread starts, so they all inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a file over RLIMIT_FSIZE: write fails with EFBIG (SQLite answers
	 * an error, the request 503) instead of killing porchd */
	signal(SIGXFSZ, SIG_IGN);

	if (!sandbox_check(&app.cfg, err, sizeof(err))) {
		fprintf(stderr, "porchd: %s\n", err);
		app_free(&app);
		return 1;
	}
	make_db_dir(app.cfg.db);
	if ((app.store = store_open_degradable(app.cfg.db, &dberr)) == NULL) {
		fprintf(stderr, "porchd: %s: %s\n", app.cfg.db,
		    dberr ? dberr : "cannot open the database");
		free(dberr);
		app_free(&app);
		return 1;
	}
	if (!store_writable(app.store, err, sizeof(err)))
		http_log("warning: the database cannot be written (%s): "
		    "serving pages and reads; sign-ups, logins, tickets and "
		    "votes answer 503 until it can, which porchd checks every "
		    "few seconds", err);
	/* the delivery worker first: it initializes libcurl */
	if ((ob = outbox_start(app.store, &app.cfg, &dberr)) == NULL) {
		fprintf(stderr, "porchd: outbox: %s\n",
		    dberr ? dberr : "cannot start");
		free(dberr);
		store_close(app.store);
		app_free(&app);
		return 1;
	}
	auth_configure(&app.cfg);
	if (!votes_start(&app)) {
		fprintf(stderr, "porchd: cannot load the vote counts\n");
		outbox_stop(ob);
		store_close(app.store);
		app_free(&app);
		return 1;
	}
	shipped_sync(&app, loaded);
	if ((srv = server_start(&app, err, sizeof(err))) == NULL) {
		fprintf(stderr, "porchd: %s\n", err);
		votes_stop(&app);
		outbox_stop(ob);
		store_close(app.store);
		app_free(&app);
		return 1;
	}
	/* everything root was needed for is open: drop it, then seccomp */
	if (!sandbox_enter(&app.cfg, err, sizeof(err))) {
		fprintf(stderr, "porchd: %s\n", err);
		return 1;	/* threads are running: no tidy stop */
	}
	http_log("porchd %s listening on %s (port %u)%s%s, database %s",
	    PORCH_VERSION, app.cfg.listen, server_port(srv),
	    app.cfg.site ? ", site " : "", app.cfg.site ? app.cfg.site : "",
	    app.cfg.db);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			if (app.catalog_path) {
				if (catalog_load(&app, app.catalog_path, 0))
					shipped_sync(&app, 1);
			} else
				http_log("SIGHUP: no catalog file to reload");
			continue;
		}
		http_log("%s: stopping (up to %d s for running requests)",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT", app.cfg.drain);
		break;
	}
	server_stop(srv, app.cfg.drain);
	votes_stop(&app);
	outbox_stop(ob);
	store_close(app.store);
	http_log("stopped");
	app_free(&app);
	return 0;
}

static int
cmd_users(int argc, char **argv)
{
	struct settings	 cfg;
	int		 next, rc;

	if ((rc = load_settings(&cfg, argc, argv, 1, &next, NULL)) != LS_OK) {
		settings_free(&cfg);
		if (rc == LS_HELP) {
			fputs(find_command("users")->help, stdout);
			return 0;
		}
		if (rc == LS_BAD)
			return 1;
		fprintf(stderr, "usage: porchd users [--db FILE] "
		    "[--config FILE] COMMAND [ARGS]\n");
		return EXIT_USAGE;
	}
	/* users_main sees "users COMMAND ARGS..." */
	argv[next - 1] = (char *)"users";
	rc = users_main(&cfg, argc - next + 1, argv + next - 1);
	settings_free(&cfg);
	return rc;
}

static int
cmd_tickets(int argc, char **argv)
{
	struct settings	 cfg;
	int		 next, rc;

	if ((rc = load_settings(&cfg, argc, argv, 1, &next, NULL)) != LS_OK) {
		settings_free(&cfg);
		if (rc == LS_HELP) {
			fputs(find_command("tickets")->help, stdout);
			return 0;
		}
		if (rc == LS_BAD)
			return 1;
		fprintf(stderr, "usage: porchd tickets [--db FILE] "
		    "[--config FILE] COMMAND [ARGS]\n");
		return EXIT_USAGE;
	}
	argv[next - 1] = (char *)"tickets";
	rc = tickets_main(&cfg, argc - next + 1, argv + next - 1);
	settings_free(&cfg);
	return rc;
}

static int
cmd_report(int argc, char **argv)
{
	struct settings	 cfg;
	int		 next, rc;

	if ((rc = load_settings(&cfg, argc, argv, 1, &next, NULL)) != LS_OK) {
		settings_free(&cfg);
		if (rc == LS_HELP) {
			fputs(find_command("report")->help, stdout);
			return 0;
		}
		if (rc == LS_BAD)
			return 1;
		fprintf(stderr, "usage: porchd report [--db FILE] "
		    "[--config FILE] KIND [OPTIONS]\n");
		return EXIT_USAGE;
	}
	argv[next - 1] = (char *)"report";
	rc = report_main(&cfg, argc - next + 1, argv + next - 1);
	settings_free(&cfg);
	return rc;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("porchd %s\n", PORCH_VERSION);
	return 0;
}

static int
cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if ((c = find_command(argv[1])) == NULL) {
		fprintf(stderr, "porchd: no command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c->run == cmd_serve)
		print_serve_help(stdout);
	else
		fputs(c->help, stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	if ((c = find_command(argv[1])) == NULL) {
		fprintf(stderr, "porchd: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
