/*
 * users: `porchd users ...`, the staff commands for accounts.  Each opens
 * the database itself (a running porchd may have it open too: SQLite's
 * locks and the busy timeout let both write), does one thing, and exits
 * 0 on success, 1 on failure, 2 on a usage error.  Accounts made here are
 * verified: staff vouch for the address.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "app.h"
#include "auth.h"
#include "mail.h"
#include "report.h"
#include "store.h"
#include "termsafe.h"
#include "token.h"
#include "users.h"

#define EXIT_USAGE		2
#define NAME_MAX_BYTES		200
#define PRINT_RESET_TTL		(24 * 3600)	/* a link staff hand over */
#define CSV_FIELD_MAX		4096

static const char usage_text[] =
"usage: porchd users add EMAIL [--name NAME] [--password-stdin]\n"
"       porchd users import FILE.csv\n"
"       porchd users disable EMAIL\n"
"       porchd users list [--json]\n"
"       porchd users reset-password EMAIL [--print]\n"
"\n"
"add            creates a verified account; without --password-stdin a\n"
"               random password is generated and printed on stdout\n"
"import         creates the accounts of a CSV file with the header row\n"
"               email,name[,password]; all of them or, after any error\n"
"               (printed as FILE:LINE: message), none\n"
"disable        disables an account and ends its sessions\n"
"list           prints the accounts (--json: as a JSON array)\n"
"reset-password queues a password-reset mail (delivered by porchd serve),\n"
"               or with --print prints a reset link valid for 24 hours\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 for a usage error.\n";

static int
usage(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("porchd users: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *
rc_text(int rc)
{
	switch (rc) {
	case STORE_NOTFOUND:
		return "no such account";
	case STORE_EXISTS:
		return "an account with that address exists";
	case STORE_BUSY:
		return "the database is busy (locked by another process)";
	default:
		return "database error (see the message above)";
	}
}

static struct store *
open_store(const struct settings *cfg)
{
	struct store	*st;
	char		*err = NULL;

	if ((st = store_open(cfg->db ? cfg->db : "var/porch.db", &err)) ==
	    NULL) {
		say("%s", err ? err : "cannot open the database");
		free(err);
	}
	return st;
}

/* A random password of 24 URL-safe characters (144 bits). */
static int
gen_password(char out[25])
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char	 raw[24];
	size_t		 i;

	if (!token_random(raw, sizeof(raw)))
		return 0;
	for (i = 0; i < sizeof(raw); i++)
		out[i] = alphabet[raw[i] & 63];
	out[24] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 1;
}

/* Reads one line of stdin (without its line end) into buf (len bytes);
 * 0 when the line is longer than AUTH_PASSWORD_MAX or stdin fails. */
static int
read_password(char *buf, size_t len, size_t *outlen)
{
	size_t	 n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin))
		return 0;	/* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	*outlen = n;
	return 1;
}

static int
hash_or_say(const char *pw, size_t len, char **hash)
{
	switch (auth_password_check(pw, len)) {
	case AUTH_PW_SHORT:
		say("the password needs at least %d characters",
		    AUTH_PASSWORD_MIN);
		return 0;
	case AUTH_PW_LONG:
		say("the password may have at most %d bytes",
		    AUTH_PASSWORD_MAX);
		return 0;
	}
	if (auth_password_hash(pw, len, hash) != AUTH_OK) {
		say("cannot hash the password");
		return 0;
	}
	return 1;
}

static int
cmd_add(const struct settings *cfg, int argc, char **argv)
{
	char		 email[MAIL_ADDRESS_MAX + 1];
	char		 pw[AUTH_PASSWORD_MAX + 2];
	char		*hash = NULL;
	const char	*name = "";
	struct store	*st;
	size_t		 pwlen;
	long long	 id, now;
	int		 i, from_stdin = 0, rc, status = 1;

	if (argc < 2)
		return usage();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = 1;
		else
			return usage();
	}
	if (!mail_address_normalize(argv[1], email)) {
		say("%s: not a valid e-mail address", argv[1]);
		return 1;
	}
	if (strlen(name) > NAME_MAX_BYTES) {
		say("the name may have at most %d bytes", NAME_MAX_BYTES);
		return 1;
	}
	if (from_stdin) {
		if (!read_password(pw, sizeof(pw), &pwlen)) {
			say("cannot read the password from stdin (at most "
			    "%d bytes, one line)", AUTH_PASSWORD_MAX);
			goto out;
		}
	} else if (gen_password(pw))
		pwlen = strlen(pw);
	else {
		say("no randomness for a password");
		goto out;
	}
	if (!hash_or_say(pw, pwlen, &hash))
		goto out;
	if ((st = open_store(cfg)) == NULL)
		goto out;
	now = auth_now();
	rc = store_user_create(st, email, name, hash, now, now, &id);
	store_close(st);
	if (rc != STORE_OK) {
		say("%s: %s", email, rc_text(rc));
		goto out;
	}
	if (!from_stdin)
		printf("%s\n", pw);
	fprintf(stderr, "porchd users: created %s (id %lld)%s\n", email, id,
	    from_stdin ? "" : "; its password is on stdout");
	status = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	free(hash);
	return status;
}

/* ---- import ---- */

struct row {
	unsigned long	 line;
	char		 email[MAIL_ADDRESS_MAX + 1];
	char		*name;
	char		*hash;		/* or NULL: no password */
};

struct import {
	const char	*file;
	struct row	*rows;
	size_t		 n;
	long long	 now;
	int		 errors;
};

/*
 * Reads one CSV record (RFC 4180: commas, double quotes with "" inside,
 * CRLF or LF) from f into fields (at most max, each CSV_FIELD_MAX bytes,
 * heap strings); *nf gets the count, *line counts lines.  Returns 1 for a
 * record, 0 at the end, -1 for a malformed one (message in err).
 */
static int
csv_record(FILE *f, char **fields, int max, int *nf, unsigned long *line,
    const char **err)
{
	char	 buf[CSV_FIELD_MAX + 1];
	size_t	 len = 0;
	int	 c, quoted = 0, after_quote = 0, any = 0;

	*nf = 0;
	for (;;) {
		c = getc(f);
		if (c == EOF && !any)
			return 0;
		any = 1;
		if (quoted) {
			if (c == EOF) {
				*err = "unterminated quoted field";
				return -1;
			}
			if (c == '"') {
				if ((c = getc(f)) == '"')
					goto add;
				ungetc(c, f);
				quoted = 0;
				after_quote = 1;
				continue;
			}
			if (c == '\n')
				(*line)++;
			goto add;
		}
		if (c == '"' && len == 0 && !after_quote) {
			quoted = 1;
			continue;
		}
		if (c == ',' || c == '\n' || c == EOF) {
			if (len > 0 && buf[len - 1] == '\r' && c != ',')
				len--;
			if (*nf >= max) {
				*err = "too many fields";
				return -1;
			}
			buf[len] = '\0';
			if ((fields[(*nf)++] = strdup(buf)) == NULL) {
				*err = "out of memory";
				return -1;
			}
			len = 0;
			after_quote = 0;
			if (c == ',')
				continue;
			if (c == '\n')
				(*line)++;
			return 1;
		}
		if (after_quote) {
			*err = "text after a closing quote";
			return -1;
		}
add:
		if (len >= CSV_FIELD_MAX) {
			*err = "field too long";
			return -1;
		}
		buf[len++] = (char)c;
	}
}

static void
free_fields(char **fields, int n)
{
	while (n > 0) {
		n--;
		explicit_bzero(fields[n], strlen(fields[n]));
		free(fields[n]);
	}
}

/* All rows in one write: any row that fails makes the whole write fail,
 * and its savepoint takes every row back. */
static int
import_tx(struct store_tx *tx, void *arg)
{
	struct import	*im = arg;
	size_t		 i;
	int		 r, bad = 0;

	for (i = 0; i < im->n; i++) {
		r = stx_user_create(tx, im->rows[i].email, im->rows[i].name,
		    im->rows[i].hash, im->now, im->now, NULL);
		if (r == STORE_EXISTS) {
			fprintf(stderr, "%s:%lu: %s already has an account\n",
			    im->file, im->rows[i].line, im->rows[i].email);
			bad = 1;
		} else if (r != STORE_OK)
			return r;
	}
	return bad ? STORE_EXISTS : STORE_OK;
}

static int
cmd_import(const struct settings *cfg, int argc, char **argv)
{
	struct import	 im;
	struct store	*st;
	FILE		*f;
	char		*fields[4];
	const char	*err;
	unsigned long	 line = 1, start;
	size_t		 i, cap = 0;
	int		 nf, r, has_pw = 0, status = 1, rc;

	if (argc != 2)
		return usage();
	memset(&im, 0, sizeof(im));
	im.file = argv[1];
	if ((f = fopen(argv[1], "r")) == NULL) {
		say("%s: %s", argv[1], strerror(errno));
		return 1;
	}
	start = line;
	r = csv_record(f, fields, 4, &nf, &line, &err);
	if (r <= 0 || nf < 2 || strcasecmp(fields[0], "email") != 0 ||
	    strcasecmp(fields[1], "name") != 0 || (nf == 3 &&
	    strcasecmp(fields[2], "password") != 0) || nf > 3) {
		fprintf(stderr, "%s:%lu: the first line must be "
		    "email,name or email,name,password\n", argv[1], start);
		if (r > 0)
			free_fields(fields, nf);
		fclose(f);
		return 1;
	}
	has_pw = nf == 3;
	free_fields(fields, nf);
	for (;;) {
		start = line;
		if ((r = csv_record(f, fields, 4, &nf, &line, &err)) == 0)
			break;
		if (r < 0) {
			fprintf(stderr, "%s:%lu: %s\n", argv[1], start, err);
			im.errors++;
			break;	/* the rest cannot be trusted to line up */
		}
		if (nf == 1 && fields[0][0] == '\0') {
			free_fields(fields, nf);
			continue;	/* blank line */
		}
		if (nf != (has_pw ? 3 : 2)) {
			fprintf(stderr, "%s:%lu: %d fields, expected %d\n",
			    argv[1], start, nf, has_pw ? 3 : 2);
			im.errors++;
			free_fields(fields, nf);
			continue;
		}
		if (im.n == cap) {
			struct row *nr;

			cap = cap ? cap * 2 : 64;
			if ((nr = realloc(im.rows, cap * sizeof(*nr))) ==
			    NULL) {
				say("out of memory");
				free_fields(fields, nf);
				goto out;
			}
			im.rows = nr;
		}
		memset(&im.rows[im.n], 0, sizeof(im.rows[im.n]));
		im.rows[im.n].line = start;
		if (!mail_address_normalize(fields[0], im.rows[im.n].email)) {
			fprintf(stderr, "%s:%lu: not a valid e-mail address\n",
			    argv[1], start);
			im.errors++;
		} else if (strlen(fields[1]) > NAME_MAX_BYTES) {
			fprintf(stderr, "%s:%lu: name longer than %d bytes\n",
			    argv[1], start, NAME_MAX_BYTES);
			im.errors++;
		} else {
			for (i = 0; i < im.n; i++)
				if (strcmp(im.rows[i].email,
				    im.rows[im.n].email) == 0)
					break;
			if (i < im.n) {
				fprintf(stderr, "%s:%lu: %s repeats line %lu\n",
				    argv[1], start, im.rows[im.n].email,
				    im.rows[i].line);
				im.errors++;
			} else if (has_pw && fields[2][0] != '\0' &&
			    auth_password_check(fields[2],
			    strlen(fields[2])) != AUTH_PW_OK) {
				fprintf(stderr, "%s:%lu: the password needs "
				    "%d characters to %d bytes\n", argv[1],
				    start, AUTH_PASSWORD_MIN,
				    AUTH_PASSWORD_MAX);
				im.errors++;
			} else if ((im.rows[im.n].name = strdup(fields[1])) ==
			    NULL || (has_pw && fields[2][0] != '\0' &&
			    auth_password_hash(fields[2], strlen(fields[2]),
			    &im.rows[im.n].hash) != AUTH_OK)) {
				free(im.rows[im.n].name);
				say("out of memory or hashing failed");
				free_fields(fields, nf);
				goto out;
			} else
				im.n++;
		}
		free_fields(fields, nf);
	}
	if (ferror(f)) {
		say("%s: read error", argv[1]);
		goto out;
	}
	if (im.errors) {
		say("%s: %d error%s, nothing imported", argv[1], im.errors,
		    im.errors == 1 ? "" : "s");
		goto out;
	}
	if ((st = open_store(cfg)) == NULL)
		goto out;
	im.now = auth_now();
	rc = store_write(st, import_tx, &im);
	store_close(st);
	if (rc == STORE_EXISTS)
		say("%s: nothing imported", argv[1]);
	else if (rc != STORE_OK)
		say("%s: %s; nothing imported", argv[1], rc_text(rc));
	else {
		printf("imported %zu account%s\n", im.n, im.n == 1 ? "" : "s");
		status = 0;
	}
out:
	fclose(f);
	for (i = 0; i < im.n; i++) {
		free(im.rows[i].name);
		free(im.rows[i].hash);
	}
	free(im.rows);
	return status;
}

/* ---- disable ---- */

struct by_email {
	const char		*email;
	long long		 id;
	/* reset-password: */
	const char		*token_hash;
	long long		 now, ttl;
	struct store_message	*mail;
};

static int
disable_tx(struct store_tx *tx, void *arg)
{
	struct by_email	*a = arg;
	struct store_user u;
	int		 r;

	if ((r = stx_user_by_email(tx, a->email, &u)) != STORE_OK)
		return r;
	a->id = u.id;
	store_user_free(&u);
	if ((r = stx_user_set_disabled(tx, a->id, 1)) != STORE_OK)
		return r;
	return stx_session_delete_user(tx, a->id);
}

static int
cmd_disable(const struct settings *cfg, int argc, char **argv)
{
	struct by_email	 a;
	struct store	*st;
	char		 email[MAIL_ADDRESS_MAX + 1];
	int		 rc;

	if (argc != 2)
		return usage();
	if (!mail_address_normalize(argv[1], email)) {
		say("%s: not a valid e-mail address", argv[1]);
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.email = email;
	if ((st = open_store(cfg)) == NULL)
		return 1;
	rc = store_write(st, disable_tx, &a);
	store_close(st);
	if (rc != STORE_OK) {
		say("%s: %s", email, rc_text(rc));
		return 1;
	}
	printf("disabled %s; its sessions ended\n", email);
	return 0;
}

/* ---- list ---- */

static int
list_text(const struct store_user *u, void *arg)
{
	char	 created[32];

	(void)arg;
	report_time(created, sizeof(created), u->created_at);
	printf("%lld\t%s\t%s\t%s\t%s\t", u->id, u->email,
	    u->verified_at ? "verified" : "unverified",
	    u->disabled ? "disabled" : "active", created);
	/* The name is customer input: controls, C1 and bidi controls shown
	 * as visible escapes so it cannot drive the terminal or fake lines. */
	termsafe_put(stdout, u->name, 0);
	putchar('\n');
	return 1;
}

static int
list_json(const struct store_user *u, void *arg)
{
	char	 created[32], verified[32];
	json_t	*o;

	report_time(created, sizeof(created), u->created_at);
	report_time(verified, sizeof(verified), u->verified_at);
	o = json_pack("{s:I, s:s, s:s, s:b, s:s?, s:b, s:s}", "id",
	    (json_int_t)u->id, "email", u->email, "name", u->name,
	    "verified", u->verified_at != 0, "verified_at",
	    u->verified_at ? verified : NULL, "disabled", u->disabled != 0,
	    "created_at", created);
	if (o == NULL || json_array_append_new(arg, o) != 0)
		return 0;
	return 1;
}

static int
cmd_list(const struct settings *cfg, int argc, char **argv)
{
	struct store	*st;
	json_t		*arr = NULL;
	char		*text;
	int		 rc, as_json = 0;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		as_json = 1;
	else if (argc != 1)
		return usage();
	if ((st = open_store(cfg)) == NULL)
		return 1;
	if (as_json) {
		if ((arr = json_array()) == NULL) {
			store_close(st);
			return 1;
		}
		rc = store_user_list(st, list_json, arr);
	} else {
		printf("id\temail\tverified\tstate\tcreated\tname\n");
		rc = store_user_list(st, list_text, NULL);
	}
	store_close(st);
	if (rc != STORE_OK) {
		say("%s", rc_text(rc));
		json_decref(arr);
		return 1;
	}
	if (as_json) {
		text = json_dumps(arr, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		json_decref(arr);
		if (text == NULL)
			return 1;
		printf("%s\n", text);
		free(text);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- reset-password ---- */

static int
reset_tx(struct store_tx *tx, void *arg)
{
	struct by_email	*a = arg;
	struct store_user u;
	int		 r;

	if ((r = stx_user_by_email(tx, a->email, &u)) != STORE_OK)
		return r;
	a->id = u.id;
	store_user_free(&u);
	if ((r = stx_token_add(tx, a->token_hash, STORE_RESET, a->id, a->now,
	    a->now + a->ttl)) != STORE_OK)
		return r;
	return a->mail ? stx_outbox_add(tx, a->mail, a->now) : STORE_OK;
}

/* The site's title from the catalog the server would read, or NULL. */
static char *
catalog_title(const struct settings *cfg)
{
	json_t		*cat;
	char		*path = NULL, *t = NULL;
	const char	*s;

	if (cfg->catalog)
		path = strdup(cfg->catalog);
	else if (cfg->site && asprintf(&path, "%s/catalog.json",
	    cfg->site) < 0)
		path = NULL;
	if (path == NULL)
		return NULL;
	if ((cat = json_load_file(path, 0, NULL)) != NULL) {
		s = json_string_value(json_object_get(json_object_get(cat,
		    "site"), "title"));
		t = s ? strdup(s) : NULL;
		json_decref(cat);
	}
	free(path);
	return t;
}

static int
cmd_reset(const struct settings *cfg, int argc, char **argv)
{
	struct by_email	 a;
	struct store_message m;
	struct store	*st;
	char		 email[MAIL_ADDRESS_MAX + 1], tok[TOKEN_HEX + 1];
	char		 th[TOKEN_HEX + 1], *title = NULL;
	const char	*base;
	int		 print = 0, rc, status = 1;

	if (argc == 3 && strcmp(argv[2], "--print") == 0)
		print = 1;
	else if (argc != 2)
		return usage();
	if (!mail_address_normalize(argv[1], email)) {
		say("%s: not a valid e-mail address", argv[1]);
		return 1;
	}
	if ((base = cfg->public_url) == NULL) {
		base = "http://127.0.0.1:8080";
		say("public_url is not set; the link uses %s", base);
	}
	memset(&a, 0, sizeof(a));
	memset(&m, 0, sizeof(m));
	if (!token_new(tok)) {
		say("no randomness for a token");
		return 1;
	}
	token_hash(th, tok, TOKEN_HEX);
	if (!print) {
		title = catalog_title(cfg);
		if (!mail_account(&m, MAIL_RESET, email, NULL, title, base,
		    tok)) {
			say("out of memory");
			goto out;
		}
		a.mail = &m;
	}
	a.email = email;
	a.token_hash = th;
	a.now = auth_now();
	a.ttl = print ? PRINT_RESET_TTL : AUTH_RESET_TTL;
	if ((st = open_store(cfg)) == NULL)
		goto out;
	rc = store_write(st, reset_tx, &a);
	store_close(st);
	if (rc != STORE_OK) {
		say("%s: %s", email, rc_text(rc));
		goto out;
	}
	if (print) {
		size_t bl = strlen(base);

		while (bl > 0 && base[bl - 1] == '/')
			bl--;
		printf("%.*s/account/reset/?token=%s\n", (int)bl, base, tok);
	} else
		printf("queued a password-reset mail to %s (porchd serve "
		    "delivers it)\n", email);
	status = 0;
out:
	explicit_bzero(tok, sizeof(tok));
	if (m.body)
		explicit_bzero(m.body, strlen(m.body));
	store_message_free(&m);
	free(title);
	return status;
}

int
users_main(const struct settings *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage();
	argc--;
	argv++;
	if (strcmp(argv[0], "add") == 0)
		return cmd_add(cfg, argc, argv);
	if (strcmp(argv[0], "import") == 0)
		return cmd_import(cfg, argc, argv);
	if (strcmp(argv[0], "disable") == 0)
		return cmd_disable(cfg, argc, argv);
	if (strcmp(argv[0], "list") == 0)
		return cmd_list(cfg, argc, argv);
	if (strcmp(argv[0], "reset-password") == 0)
		return cmd_reset(cfg, argc, argv);
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	say("unknown command: %s", argv[0]);
	return usage();
}
