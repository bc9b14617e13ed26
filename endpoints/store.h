/*
 * store: everything porchd keeps, behind one interface so that a PostgreSQL
 * backend can come later without touching the handlers.  The SQLite
 * implementation (store.c, the only file that includes sqlite3.h) runs in
 * WAL mode with synchronous=FULL, one writer thread that commits queued
 * writes in groups, readers with a busy timeout, prepared statements only,
 * and schema migrations by PRAGMA user_version.  A write function returns
 * only after its COMMIT did: nothing acknowledged is ever lost.
 *
 * The domain functions (accounts, sessions, tokens, outbox, ...) are
 * declared below by the features that need them.
 */
#ifndef PORCHD_STORE_H
#define PORCHD_STORE_H

struct store;

/* Opens (creating, migrating) the database at path; on failure returns
 * NULL and sets *err to a heap message. */
struct store	*store_open(const char *path, char **err);
/* Waits for queued writes, then closes. */
void		 store_close(struct store *);
/* 1 if a read works now (for /healthz). */
int		 store_ping(struct store *);

#endif
