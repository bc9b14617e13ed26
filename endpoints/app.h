/*
 * app: the state porchd shares between connections: settings, storage,
 * the current catalog, limits.  One per process, made by `porchd serve`.
 */
#ifndef PORCHD_APP_H
#define PORCHD_APP_H

#include <pthread.h>
#include <stddef.h>
#include <jansson.h>

struct store;
struct ratelimit;
struct metrics;
struct server;
struct votecache;

struct settings {
	char	*site;		/* public/ to serve, or NULL */
	char	*db;		/* SQLite file, default var/porch.db */
	char	*listen;	/* "127.0.0.1:8080" */
	char	*config;	/* config file read, or NULL */
	char	*smtp_url;	/* smtp://host:port, or NULL */
	char	*sendmail;	/* a sendmail program instead of SMTP */
	char	*mail_from;	/* From: of mails porchd sends */
	char	*public_url;	/* where customers reach the site: links in mails */
	char	*allow_origins;	/* extra CORS origins, comma-separated */
	int	 max_connections;	/* total */
	int	 max_per_ip;		/* connections per IP */
	int	 timeout;		/* seconds of idle before a connection closes */
	size_t	 max_body;		/* bytes; larger bodies get 413 */
	size_t	 max_header;		/* bytes; larger headers get 431 */
	int	 max_hashes;		/* argon2 hashes running at once */
	long	 session_idle;		/* seconds */
	long	 session_max;		/* seconds */
	int	 trust_proxy;		/* X-Forwarded-For / -Proto from loopback */
	/* Added by the server core (settings.c documents each). */
	char	*catalog;	/* catalog.json, default SITE/catalog.json */
	int	 rate_limit;		/* writes per minute per IP (ROUTE_LIMITED) */
	int	 rate_burst;		/* writes allowed at once before limiting */
	int	 drain;			/* seconds SIGTERM waits for requests */
	/* Added by hardening (sandbox.c). */
	char	*user;		/* started as root: run as this user */
	int	 seccomp;		/* install the system call filter */
	/* Added by votes (votes.c). */
	int	 vote_limit;		/* votes per minute per account */
	int	 vote_burst;		/* votes at once before limiting */
	/* Added by tickets (tickets.c, docs/tickets.md). */
	char	*support_email;		/* staff get every ticket here */
	char	*webhook_url;		/* and/or as a signed JSON POST here */
	char	*webhook_secret;	/* HMAC-SHA256 key of the webhook */
	char	*attachments_dir;	/* default var/attachments */
	size_t	 max_upload;		/* multipart body of a ticket route */
	size_t	 max_file;		/* one attachment */
	int	 max_files;		/* attachments per ticket */
	int	 ticket_limit;		/* tickets per hour per account */
	int	 ticket_burst;		/* tickets at once before limiting */
};

struct app {
	struct settings	 cfg;
	struct store	*store;
	/* The catalog is swapped on SIGHUP; readers take a reference under
	 * the lock and drop it when done (app_catalog / app_catalog_release). */
	pthread_mutex_t	 catalog_lock;
	json_t		*catalog;
	char		*catalog_path;
	struct ratelimit *limits;	/* per address, ROUTE_LIMITED */
	struct ratelimit *ticket_limits; /* per account, POST /tickets */
	struct metrics	*metrics;
	struct server	*server;	/* the running HTTP server, or NULL */
	/* Votes (votes.c): the count of every item, kept equal to the
	 * database by updating it after each commit; and the per-account
	 * vote limiter.  NULL until votes_start. */
	struct votecache *votes;
	struct votecache *verified;	/* accounts seen verified: "u:ID" */
	struct ratelimit *vote_limits;
};

/* A new reference to the current catalog (never NULL: an empty one until a
 * catalog loads); the caller drops it with app_catalog_release. */
json_t	*app_catalog(struct app *);
/* Drops a reference app_catalog gave (under the lock: see catalog.c). */
void	 app_catalog_release(struct app *, json_t *);

#endif
