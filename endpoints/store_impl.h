/*
 * store_impl: what the SQLite files of the store share, and nothing else
 * includes.  store.c holds the connections, the writer thread, the
 * migrations and the account, session, token and outbox queries; each
 * later domain (store_tickets.c, store_votes.c, ...) keeps its own SQL in
 * its own file and uses these helpers.
 *
 * A domain's statements are static const strings: sql_stmt(c, sql) finds
 * the statement prepared for that very string (by address) on connection
 * c, preparing it on first use.  Reading functions take a connection with
 * store_reader_get and give it back with store_reader_put; writing ones
 * are stx_* functions run by store_write on the writer's connection
 * (tx->c).  After sqlite3_step, every statement goes back through
 * sql_done.
 */
#ifndef PORCHD_STORE_IMPL_H
#define PORCHD_STORE_IMPL_H

#include <stddef.h>

#include <sqlite3.h>

#include "http.h"

/* Statements of store.c's own query table, and of all the domain files,
 * one connection keeps prepared. */
#define STORE_OWN_MAX	48
#define STORE_EXTRA_MAX	160

struct conn {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STORE_OWN_MAX];
	struct {
		const char	*sql;
		sqlite3_stmt	*stmt;
	}		 extra[STORE_EXTRA_MAX];
	size_t		 nextra;
	struct conn	*next;		/* in the idle pool */
	int		 kind;		/* store.c's enum conn_kind */
	unsigned	 gen;		/* the pool's reader_gen at open */
};

struct store_tx {
	struct store	*st;
	struct conn	*c;
	int		 outbox;	/* this write added an outbox row: set
					   it when you insert into outbox */
};

/* The migrations the domain files own (store.c lists them in order). */
extern const char store_migration_tickets[];	/* 3 */
extern const char store_migration_votes[];	/* 4 */

/* A log line of the store: http_log with "store: " in front. */
#define logmsg(...) http_log("store: " __VA_ARGS__)

/* The statement for sql (a static string) on c; NULL, logged, on error. */
sqlite3_stmt	*sql_stmt(struct conn *c, const char *sql);
/* Resets s for its next use; bindings cleared so no secret lingers. */
void		 sql_done(sqlite3_stmt *s);
/* Bind helpers: 1 on success.  NULL text binds NULL; sql_bind_time binds
 * 0 as NULL (a time that has not happened). */
int		 sql_bind_text(sqlite3_stmt *s, int i, const char *v);
int		 sql_bind_int(sqlite3_stmt *s, int i, long long v);
int		 sql_bind_time(sqlite3_stmt *s, int i, long long v);
/* A heap copy of text column i, NULL for SQL NULL; *oom set on failure. */
char		*sql_col_text(sqlite3_stmt *s, int i, int *oom);
/* Steps a statement that returns no row and sql_done()s it: STORE_OK,
 * STORE_EXISTS for a UNIQUE or PRIMARY KEY conflict, STORE_NOTFOUND when
 * it changed nothing and want_change is set, else sql_fail. */
int		 sql_step_change(struct conn *c, sqlite3_stmt *s,
		     int want_change, const char *what);
/* Maps a SQLite result code: STORE_BUSY for lock timeouts, else
 * STORE_ERROR (logged with what). */
int		 sql_fail(struct conn *c, int rc, const char *what);
/* sqlite3_exec, logging failures; returns the SQLite code. */
int		 sql_exec(struct conn *c, const char *sql);

/* A reader connection of the pool (NULL, logged, if none can be opened),
 * and giving it back. */
struct conn	*store_reader_get(struct store *st);
void		 store_reader_put(struct store *st, struct conn *c);

#endif
