/*
 * store: the SQLite implementation of store.h, and the only file that
 * includes sqlite3.h.
 *
 * Connections.  One writer connection, owned by the writer thread, and a
 * pool of reader connections: a reading function takes an idle one (or
 * opens a new one), runs its statement and gives it back, so each reader
 * is used by one thread at a time (SQLITE_OPEN_NOMUTEX) and a thread-per-
 * connection server never shares one.  Every statement is prepared once
 * per connection, on first use (SQLITE_PREPARE_PERSISTENT), and reset
 * after each use.
 *
 * Group commit.  store_write queues a struct write (on the caller's stack)
 * and sleeps on its own condition until the writer marks it done (one
 * wake-up per finished write, not one for every waiting thread at every
 * commit: with 64 writers waiting, a shared condition cost a tenth of the
 * vote benchmark's CPU in futex wake-ups).  The writer takes
 * everything queued (up to group_max) into one BEGIN IMMEDIATE ... COMMIT,
 * each write inside its own SAVEPOINT so that a write that fails rolls back
 * only itself, and marks the writes done only after COMMIT returned: with
 * WAL and synchronous=FULL that is after the fsync of the WAL, so an
 * answered request survives a crash or a power cut.  N waiting requests
 * cost one fsync instead of N.
 *
 * Invariant: a struct write is touched by the writer only between taking
 * it from the queue and setting done (under st->lock); after that its
 * owner may return and the memory is gone.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "http.h"
#include "store.h"
#include "store_impl.h"

#define BUSY_TIMEOUT_MS	5000	/* readers and writer wait this long for a
				   lock another process holds */
/* Idle reader connections kept open.  Every request thread may hold one
 * at once, and a connection closed only to be opened again costs its
 * file, WAL index and schema parse (with 8 kept, 64 connections voting
 * spent more time in SQLite's parser than in their statements); a kept
 * one costs its page cache, a few hundred KB for our database. */
#define POOL_IDLE_MAX	64
/* While the storage is read-only, the writer tries to open it this
 * often (one failing open(2) each time). */
#define DEGRADED_RETRY_S	2

/*
 * The schema, one migration per version: migrations[i] takes a database
 * from user_version i to i + 1, in its own transaction.  Never edit a
 * migration that shipped; append a new one.
 */
static const char *const migrations[] = {
	/* 1: accounts, sessions, single-use tokens, outbox. */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL COLLATE NOCASE UNIQUE"
	"    CHECK (email COLLATE BINARY = lower(email)"
	"      AND length(email) <= 254),"
	"  name TEXT NOT NULL DEFAULT '',"
	"  password_hash TEXT,"
	"  verified_at INTEGER,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE sessions ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE tokens ("
	"  token_hash TEXT PRIMARY KEY,"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'magic')),"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER"
	") WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('mail', 'webhook')),"
	"  recipient TEXT NOT NULL,"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL,"
	"  headers TEXT NOT NULL DEFAULT '{}',"
	"  created_at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  delivered_at INTEGER,"
	"  last_error TEXT"
	");",
	/* 2: the indexes the hot queries need. */
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX tokens_user ON tokens(user_id, purpose);"
	"CREATE INDEX outbox_due ON outbox(next_attempt_at)"
	"  WHERE delivered_at IS NULL;",
	/* 3: tickets (store_tickets.c). */
	store_migration_tickets,
	/* 4: votes, feedback, search misses, shipped notices
	 * (store_votes.c). */
	store_migration_votes,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

#define USER_COLS "id, email, name, password_hash, verified_at, disabled, " \
	"created_at"
#define MSG_COLS "id, message_id, kind, recipient, subject, body, headers, " \
	"created_at, attempts, next_attempt_at, delivered_at, last_error"

enum q {
	Q_PING,
	Q_VERSION,
	Q_USER_BY_EMAIL,
	Q_USER_BY_ID,
	Q_USER_LIST,
	Q_USER_INSERT,
	Q_USER_SET_PASSWORD,
	Q_USER_VERIFY,
	Q_USER_SET_DISABLED,
	Q_SESSION_GET,
	Q_SESSION_INSERT,
	Q_SESSION_TOUCH,
	Q_SESSION_DELETE,
	Q_SESSION_DELETE_USER,
	Q_SESSION_PRUNE_USER,
	Q_SESSION_PRUNE,
	Q_TOKEN_PRUNE,
	Q_TOKEN_INSERT,
	Q_TOKEN_CHECK,
	Q_TOKEN_USE,
	Q_TOKEN_USE_OTHERS,
	Q_OUTBOX_INSERT,
	Q_OUTBOX_DELIVERED,
	Q_OUTBOX_RETRY,
	Q_OUTBOX_DUE,
	Q_OUTBOX_NEXT,
	Q_OUTBOX_LIST,
	Q__MAX
};

_Static_assert(Q__MAX <= STORE_OWN_MAX, "store_impl.h: raise STORE_OWN_MAX");

static const char *const queries[Q__MAX] = {
	[Q_PING] = "SELECT count(*) FROM sqlite_schema",
	[Q_VERSION] = "PRAGMA user_version",
	[Q_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE email = ?1",
	[Q_USER_BY_ID] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
	[Q_USER_LIST] = "SELECT " USER_COLS " FROM users ORDER BY id",
	[Q_USER_INSERT] = "INSERT INTO users (email, name, password_hash,"
	    " verified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_USER_SET_PASSWORD] =
	    "UPDATE users SET password_hash = ?2 WHERE id = ?1",
	[Q_USER_VERIFY] = "UPDATE users SET verified_at ="
	    " coalesce(verified_at, ?2) WHERE id = ?1",
	[Q_USER_SET_DISABLED] = "UPDATE users SET disabled = ?2 WHERE id = ?1",
	[Q_SESSION_GET] = "SELECT s.user_id, s.csrf, s.created_at,"
	    " s.last_seen, s.expires_at, u.disabled FROM sessions s"
	    " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
	[Q_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, csrf,"
	    " created_at, last_seen, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
	[Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen ="
	    " max(last_seen, ?2) WHERE token_hash = ?1",
	[Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[Q_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1",
	[Q_SESSION_PRUNE_USER] = "DELETE FROM sessions WHERE user_id = ?1"
	    " AND expires_at <= ?2",
	[Q_SESSION_PRUNE] = "DELETE FROM sessions WHERE expires_at <= ?1"
	    " OR last_seen < ?2",
	[Q_TOKEN_PRUNE] = "DELETE FROM tokens WHERE expires_at < ?1",
	[Q_TOKEN_INSERT] = "INSERT INTO tokens (token_hash, purpose, user_id,"
	    " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_TOKEN_CHECK] = "SELECT user_id FROM tokens WHERE token_hash = ?1"
	    " AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3",
	[Q_TOKEN_USE] = "UPDATE tokens SET used_at = ?3 WHERE token_hash = ?1"
	    " AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3"
	    " RETURNING user_id",
	/* A used token retires the account's other tokens of its kind: an
	 * older reset mail must not work after a reset. */
	[Q_TOKEN_USE_OTHERS] = "UPDATE tokens SET used_at = ?3"
	    " WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL",
	[Q_OUTBOX_INSERT] = "INSERT INTO outbox (message_id, kind, recipient,"
	    " subject, body, headers, created_at, next_attempt_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
	[Q_OUTBOX_DELIVERED] = "UPDATE outbox SET delivered_at = ?2,"
	    " attempts = attempts + 1, last_error = NULL,"
	    " body = coalesce(?3, body) WHERE id = ?1 AND delivered_at IS NULL",
	[Q_OUTBOX_RETRY] = "UPDATE outbox SET attempts = attempts + 1,"
	    " next_attempt_at = ?2, last_error = ?3"
	    " WHERE id = ?1 AND delivered_at IS NULL",
	[Q_OUTBOX_DUE] = "SELECT " MSG_COLS " FROM outbox"
	    " WHERE delivered_at IS NULL AND next_attempt_at <= ?1"
	    " ORDER BY next_attempt_at, id LIMIT ?2",
	[Q_OUTBOX_NEXT] = "SELECT min(next_attempt_at) FROM outbox"
	    " WHERE delivered_at IS NULL",
	[Q_OUTBOX_LIST] = "SELECT " MSG_COLS " FROM outbox ORDER BY id",
};

static const char *const purposes[] = {
	[STORE_VERIFY] = "verify",
	[STORE_RESET] = "reset",
	[STORE_MAGIC] = "magic",
};

/* How a connection opens the file.  Readers are CONN_READER; while the
 * storage is read-only (store_open_degradable) they are CONN_READONLY,
 * or CONN_IMMUTABLE when SQLite cannot open the file read-only because
 * the WAL index (-shm) is missing and cannot be created: with no -wal
 * file either, the main file holds every commit and nothing can change
 * it, which is exactly what immutable=1 tells SQLite. */
enum conn_kind {
	CONN_WRITER,
	CONN_READER,
	CONN_READONLY,
	CONN_IMMUTABLE
};

struct write {
	int		(*fn)(struct store_tx *, void *);
	void		*arg;
	int		 rc;
	int		 done;
	pthread_cond_t	 wake;		/* signalled once done is set */
	struct write	*next;
};

struct store {
	char		*path;
	struct conn	*writer;
	pthread_t	 thread;
	int		 started;
	int		 ready;		/* the writer thread set itself up
					   (under lock) */

	pthread_mutex_t	 lock;		/* the fields below */
	pthread_cond_t	 work;		/* queue not empty, or stopping */
	struct write	*head, *tail;
	int		 stopping;
	int		 group_max;
	unsigned long	 commits, writes;
	void		(*on_outbox)(void *);
	void		*on_outbox_arg;

	/* Read-only storage (store_open_degradable): the writer thread
	 * runs without a connection, answers every write STORE_BUSY and
	 * tries to open one every DEGRADED_RETRY_S seconds. */
	int		 max_version;
	int		 degraded;	/* under lock */
	char		*degraded_why;	/* under lock */
	int		 checkpoint_held; /* writer thread only: no
					   checkpoint while immutable readers
					   from before recovery read */

	pthread_mutex_t	 pool_lock;	/* the fields below */
	struct conn	*pool;
	int		 pool_idle;
	enum conn_kind	 reader_kind;	/* how new readers open */
	unsigned	 reader_gen;	/* bumped when reader_kind changes:
					   older readers are closed when
					   given back */
	int		 readers_out;	/* checked out now */
	int		 immutable_out;	/* of those, CONN_IMMUTABLE ones
					   from before the writer came back */
};


static char *
xprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	return s;
}

/* STORE_BUSY for lock timeouts, and for storage that cannot take a write
 * now (disk full, a file over RLIMIT_FSIZE, read-only, I/O error):
 * nothing was written and a retry may succeed once the fault clears, so
 * the client gets 503 with Retry-After.  Else STORE_ERROR.  Logged with
 * what. */
int
sql_fail(struct conn *c, int rc, const char *what)
{
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		logmsg("%s: database busy", what);
		return STORE_BUSY;
	}
	if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR ||
	    (rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) {
		logmsg("%s: storage unavailable: %s", what, sqlite3_errstr(rc));
		return STORE_BUSY;
	}
	logmsg("%s: %s", what, c ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
	return STORE_ERROR;
}

int
sql_exec(struct conn *c, const char *sql)
{
	char	*msg = NULL;
	int	 rc;

	if ((rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		logmsg("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

static void
conn_close(struct conn *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < Q__MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	for (i = 0; i < c->nextra; i++)
		sqlite3_finalize(c->extra[i].stmt);
	if (sqlite3_close(c->db) != SQLITE_OK)
		logmsg("close: %s", sqlite3_errmsg(c->db));
	free(c);
}

/*
 * "file:PATH?immutable=1" for sqlite3_open_v2 with SQLITE_OPEN_URI: the
 * path percent-encoded where a URI needs it.  NULL when out of memory.
 */
static char *
immutable_uri(const char *path)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*uri, *o;

	if ((uri = malloc(strlen(path) * 3 + sizeof("file:?immutable=1")))
	    == NULL)
		return NULL;
	o = stpcpy(uri, "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' ||
		    *p >= 0x7f) {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else
			*o++ = (char)*p;
	}
	strcpy(o, "?immutable=1");
	return uri;
}

/*
 * Opens a connection of the given kind to path with the settings every
 * connection needs: the writer gets WAL and synchronous=FULL, readers
 * query_only.  Returns NULL and sets *err (heap) on failure.
 */
static struct conn *
conn_open(const char *path, enum conn_kind kind, char **err)
{
	struct conn	*c;
	char		*uri = NULL;
	int		 rc, writer = kind == CONN_WRITER, flags;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		*err = xprintf("out of memory");
		return NULL;
	}
	flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	if (kind == CONN_WRITER)
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else if (kind == CONN_READER)
		flags |= SQLITE_OPEN_READWRITE;
	else
		flags |= SQLITE_OPEN_READONLY;
	if (kind == CONN_IMMUTABLE) {
		if ((uri = immutable_uri(path)) == NULL) {
			*err = xprintf("out of memory");
			free(c);
			return NULL;
		}
		flags |= SQLITE_OPEN_URI;
	}
	c->kind = kind;
	rc = sqlite3_open_v2(uri ? uri : path, &c->db, flags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		*err = xprintf("%s: %s", path, c->db ?
		    sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	if (sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
	    sql_exec(c, "PRAGMA foreign_keys = ON") != SQLITE_OK ||
	    sql_exec(c, "PRAGMA trusted_schema = OFF") != SQLITE_OK) {
		*err = xprintf("%s: %s", path, sqlite3_errmsg(c->db));
		goto fail;
	}
	if (writer) {
		sqlite3_stmt	*s = NULL;
		int		 wal = 0;

		/* journal_mode answers the mode it ended in: a database on a
		 * file system without shared memory stays in another mode,
		 * and then we refuse rather than run without WAL. */
		if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1,
		    &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			wal = sqlite3_stricmp((const char *)
			    sqlite3_column_text(s, 0), "wal") == 0;
		sqlite3_finalize(s);
		if (!wal) {
			*err = xprintf("%s: cannot use WAL mode: %s", path,
			    sqlite3_errmsg(c->db));
			goto fail;
		}
		if (sql_exec(c, "PRAGMA synchronous = FULL") != SQLITE_OK) {
			*err = xprintf("%s: %s", path, sqlite3_errmsg(c->db));
			goto fail;
		}
	} else if (sql_exec(c, "PRAGMA query_only = ON") != SQLITE_OK) {
		*err = xprintf("%s: %s", path, sqlite3_errmsg(c->db));
		goto fail;
	}
	return c;
fail:
	conn_close(c);
	return NULL;
}

/* The prepared statement q of connection c, prepared on first use; NULL
 * (logged) if it cannot be. */
static sqlite3_stmt *
stmt(struct conn *c, enum q q)
{
	int	 rc;

	if (c->stmt[q] == NULL) {
		rc = sqlite3_prepare_v3(c->db, queries[q], -1,
		    SQLITE_PREPARE_PERSISTENT, &c->stmt[q], NULL);
		if (rc != SQLITE_OK) {
			logmsg("prepare %s: %s", queries[q],
			    sqlite3_errmsg(c->db));
			return NULL;
		}
	}
	return c->stmt[q];
}

sqlite3_stmt *
sql_stmt(struct conn *c, const char *sql)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < c->nextra; i++)
		if (c->extra[i].sql == sql)
			return c->extra[i].stmt;
	if (c->nextra == STORE_EXTRA_MAX) {
		logmsg("prepare %s: more than %d statements", sql,
		    STORE_EXTRA_MAX);
		return NULL;
	}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &c->extra[c->nextra].stmt, NULL);
	if (rc != SQLITE_OK) {
		logmsg("prepare %s: %s", sql, sqlite3_errmsg(c->db));
		return NULL;
	}
	c->extra[c->nextra].sql = sql;
	return c->extra[c->nextra++].stmt;
}

/* Resets s for its next use; bindings cleared so no secret lingers. */
void
sql_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int
sql_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i) == SQLITE_OK;
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) == SQLITE_OK;
}

int
sql_bind_int(sqlite3_stmt *s, int i, long long v)
{
	return sqlite3_bind_int64(s, i, v) == SQLITE_OK;
}

/* Binds 0 as NULL (times that have not happened). */
int
sql_bind_time(sqlite3_stmt *s, int i, long long v)
{
	if (v == 0)
		return sqlite3_bind_null(s, i) == SQLITE_OK;
	return sqlite3_bind_int64(s, i, v) == SQLITE_OK;
}

/* A heap copy of text column i, NULL for SQL NULL; *oom set on failure. */
char *
sql_col_text(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *t;
	char		*p;
	int		 n;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(s, i);
	n = sqlite3_column_bytes(s, i);
	if (t == NULL || (p = malloc((size_t)n + 1)) == NULL) {
		*oom = 1;
		return NULL;
	}
	memcpy(p, t, (size_t)n);
	p[n] = '\0';
	return p;
}

/* ---- the reader pool ---- */

struct conn *
store_reader_get(struct store *st)
{
	struct conn	*c;
	enum conn_kind	 kind;
	unsigned	 gen;
	char		*err = NULL;

	pthread_mutex_lock(&st->pool_lock);
	if ((c = st->pool) != NULL) {
		st->pool = c->next;
		st->pool_idle--;
	}
	st->readers_out++;
	kind = st->reader_kind;
	gen = st->reader_gen;
	pthread_mutex_unlock(&st->pool_lock);
	if (c == NULL) {
		if ((c = conn_open(st->path, kind, &err)) == NULL) {
			logmsg("reader: %s", err ? err : "out of memory");
			free(err);
			pthread_mutex_lock(&st->pool_lock);
			st->readers_out--;
			pthread_mutex_unlock(&st->pool_lock);
			return NULL;
		}
		c->gen = gen;
	}
	return c;
}

void
store_reader_put(struct store *st, struct conn *c)
{
	pthread_mutex_lock(&st->pool_lock);
	st->readers_out--;
	if (c->gen != st->reader_gen) {
		/* opened before the storage became writable again */
		if (c->kind == CONN_IMMUTABLE)
			st->immutable_out--;
	} else if (st->pool_idle < POOL_IDLE_MAX) {
		c->next = st->pool;
		st->pool = c;
		st->pool_idle++;
		c = NULL;
	}
	pthread_mutex_unlock(&st->pool_lock);
	conn_close(c);
}

/* ---- migrations ---- */

static int
user_version(struct conn *c, int *v)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt(c, Q_VERSION)) == NULL)
		return 0;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sql_done(s);
	return rc == SQLITE_ROW;
}

/*
 * Brings the database of c to version max, one transaction per step (a
 * crash leaves it at the last complete version).  Another process may be
 * migrating at the same time: the version is read again after BEGIN
 * IMMEDIATE, which waits for it.  Returns 1, or 0 with *err set.
 */
static int
migrate(struct conn *c, const char *path, int max, char **err)
{
	char	 sql[64];
	int	 v;

	if (!user_version(c, &v)) {
		*err = xprintf("%s: not a database Porch can read: %s", path,
		    sqlite3_errmsg(c->db));
		return 0;
	}
	while (v < max) {
		if (sql_exec(c, "BEGIN IMMEDIATE") != SQLITE_OK) {
			*err = xprintf("%s: cannot lock for migration: %s",
			    path, sqlite3_errmsg(c->db));
			return 0;
		}
		if (!user_version(c, &v))
			goto fail;
		if (v >= max) {
			sql_exec(c, "ROLLBACK");
			break;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (sql_exec(c, migrations[v]) != SQLITE_OK ||
		    sql_exec(c, sql) != SQLITE_OK ||
		    sql_exec(c, "COMMIT") != SQLITE_OK)
			goto fail;
		v++;
	}
	if (v > max) {
		*err = xprintf("%s: the database has schema version %d, newer "
		    "than this porchd knows (%d); refusing to start (run the "
		    "porchd that wrote it, or restore a backup)", path, v, max);
		return 0;
	}
	return 1;
fail:
	*err = xprintf("%s: migration to schema version %d failed: %s", path,
	    v + 1, sqlite3_errmsg(c->db));
	if (!sqlite3_get_autocommit(c->db))
		sql_exec(c, "ROLLBACK");
	return 0;
}

/* Creates the folder that will hold path (mode 0700) and the file itself
 * (mode 0600) when missing, so the -wal and -shm files SQLite derives from
 * the file's mode are private too. */
static int
prepare_path(const char *path, char **err)
{
	char	*dir, *slash, *p;
	int	 fd;

	if ((dir = strdup(path)) == NULL) {
		*err = xprintf("out of memory");
		return 0;
	}
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		for (p = dir + 1; ; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
				*err = xprintf("%s: cannot create folder: %s",
				    dir, strerror(errno));
				free(dir);
				return 0;
			}
			if ((*p = c) == '\0')
				break;
		}
	}
	free(dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		/* read-only (EROFS, EACCES): refused here, before anything */
		*err = xprintf("%s: cannot open for writing: %s", path,
		    strerror(errno));
		return 0;
	}
	close(fd);
	return 1;
}

/* ---- the writer ---- */

/* The writer's transaction statements, prepared once on its connection
 * (sql_stmt keys them by these addresses): four of them run for every
 * write, and parsing each anew was a measurable part of the one thread
 * that every write goes through. */
static const char q_begin[] = "BEGIN IMMEDIATE";
static const char q_commit[] = "COMMIT";
static const char q_savepoint[] = "SAVEPOINT w";
static const char q_rollback_to[] = "ROLLBACK TO w";
static const char q_release[] = "RELEASE w";

/* Runs one of the statements above; an SQLite result code, logged when
 * it is not SQLITE_OK. */
static int
tx_exec(struct conn *c, const char *sql)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = sql_stmt(c, sql)) == NULL)
		return sql_exec(c, sql);	/* logged; exec says why */
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	else
		logmsg("%s: %s", sql, sqlite3_errmsg(c->db));
	sqlite3_reset(s);
	return rc;
}

/*
 * Runs the n writes of list in one transaction; sets each one's rc.
 * Returns 1 when some committed write added an outbox row.
 */
static int
run_group(struct store *st, struct write *list)
{
	struct conn	*c = st->writer;
	struct store_tx	 tx = { st, c, 0 };
	struct write	*w;
	int		 rc, outbox = 0, aborted = 0;

	if ((rc = tx_exec(c, q_begin)) != SQLITE_OK) {
		rc = sql_fail(c, rc, "begin");
		for (w = list; w; w = w->next)
			w->rc = rc;
		return 0;
	}
	for (w = list; w; w = w->next) {
		if (aborted) {
			w->rc = STORE_ERROR;
			continue;
		}
		if (tx_exec(c, q_savepoint) != SQLITE_OK) {
			w->rc = STORE_ERROR;
			aborted = 1;
			continue;
		}
		tx.outbox = 0;
		w->rc = w->fn(&tx, w->arg);
		if (sqlite3_get_autocommit(c->db)) {
			/* SQLite rolled the whole transaction back (I/O
			 * error, disk full): no write of this group stays. */
			logmsg("transaction rolled back: %s",
			    sqlite3_errmsg(c->db));
			aborted = 1;
			continue;
		}
		if (w->rc != STORE_OK &&
		    tx_exec(c, q_rollback_to) != SQLITE_OK)
			aborted = 1;
		if (tx_exec(c, q_release) != SQLITE_OK)
			aborted = 1;
		if (w->rc == STORE_OK && tx.outbox)
			outbox = 1;
	}
	if (!aborted && (rc = tx_exec(c, q_commit)) == SQLITE_OK)
		return outbox;
	rc = aborted ? (c != NULL && sql_fail(c, sqlite3_extended_errcode(
	    c->db), "write") == STORE_BUSY ? STORE_BUSY : STORE_ERROR) :
	    sql_fail(c, rc, "commit");
	if (!sqlite3_get_autocommit(c->db))
		sql_exec(c, "ROLLBACK");
	for (w = list; w; w = w->next)
		w->rc = rc;
	return 0;
}

/* ---- read-only storage ---- */

/* Opens the writer's connection to st->path, creating the file when
 * missing and bringing its schema to st->max_version.  Returns 1, or 0
 * with *err set. */
static int
writer_open(struct store *st, char **err)
{
	struct conn	*c;

	if (!prepare_path(st->path, err) ||
	    (c = conn_open(st->path, CONN_WRITER, err)) == NULL)
		return 0;
	if (!migrate(c, st->path, st->max_version, err)) {
		conn_close(c);
		return 0;
	}
	st->writer = c;
	return 1;
}

/* 1 when path's -wal file holds frames, so that a reader ignoring it
 * (immutable=1) would miss commits. */
static int
wal_has_frames(const char *path)
{
	struct stat	 sb;
	char		*wal;
	int		 has;

	if ((wal = xprintf("%s-wal", path)) == NULL)
		return 1;
	has = stat(wal, &sb) == 0 && sb.st_size > 0;
	free(wal);
	return has;
}

/*
 * Whether the database at st->path can serve reads while it cannot be
 * written: it opens read-only, or immutable when it has no -wal frames
 * (the WAL index cannot be made on read-only storage), answers, and has
 * the schema this binary expects (an older one cannot be migrated now).
 * Sets st->reader_kind to the kind that works.
 */
static int
readers_can_serve(struct store *st)
{
	static const enum conn_kind kinds[] = { CONN_READONLY,
					      CONN_IMMUTABLE };
	struct conn	*c;
	char		*err;
	size_t		 i;
	int		 v, ok;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kinds[i] == CONN_IMMUTABLE && wal_has_frames(st->path))
			break;
		err = NULL;
		if ((c = conn_open(st->path, kinds[i], &err)) == NULL) {
			free(err);
			continue;
		}
		ok = user_version(c, &v) && v == st->max_version;
		conn_close(c);
		if (ok) {
			st->reader_kind = kinds[i];
			return 1;
		}
	}
	return 0;
}

/*
 * The writer thread, degraded: tries to open the database for writing.
 * On success new readers open as usual and the degraded ones are closed
 * as they come back; immutable readers still reading the main file are
 * safe because the writer does not checkpoint into it (which would
 * change pages under them) until the last of them is back
 * (writer_release_checkpoint).  Returns 1 when writes can resume.
 */
static int
writer_recover(struct store *st)
{
	struct conn	*idle, *c;
	char		*err = NULL;
	int		 immutable;

	if (!writer_open(st, &err)) {
		/* a new reason (the mount is writable again, but the file
		 * is not ours) is worth a line; the same one every 2 s not */
		pthread_mutex_lock(&st->lock);
		if (err != NULL && (st->degraded_why == NULL ||
		    strcmp(err, st->degraded_why) != 0)) {
			logmsg("still cannot write: %s", err);
			free(st->degraded_why);
			st->degraded_why = err;
			err = NULL;
		}
		pthread_mutex_unlock(&st->lock);
		free(err);
		return 0;
	}
	pthread_mutex_lock(&st->pool_lock);
	immutable = st->reader_kind == CONN_IMMUTABLE;
	st->reader_kind = CONN_READER;
	st->reader_gen++;
	st->immutable_out = immutable ? st->readers_out : 0;
	idle = st->pool;
	st->pool = NULL;
	st->pool_idle = 0;
	pthread_mutex_unlock(&st->pool_lock);
	while ((c = idle) != NULL) {
		idle = c->next;
		conn_close(c);
	}
	if (immutable) {
		(void)sql_exec(st->writer, "PRAGMA wal_autocheckpoint = 0");
		st->checkpoint_held = 1;
	}
	pthread_mutex_lock(&st->lock);
	st->degraded = 0;
	free(st->degraded_why);
	st->degraded_why = NULL;
	pthread_mutex_unlock(&st->lock);
	logmsg("%s: writable again: writes resume", st->path);
	return 1;
}

/* After a recovery from immutable readers: checkpoints resume (SQLite's
 * default, every 1000 WAL pages) once none of them is reading. */
static void
writer_release_checkpoint(struct store *st)
{
	int	 reading;

	pthread_mutex_lock(&st->pool_lock);
	reading = st->immutable_out;
	pthread_mutex_unlock(&st->pool_lock);
	if (reading == 0 && sql_exec(st->writer,
	    "PRAGMA wal_autocheckpoint = 1000") == SQLITE_OK)
		st->checkpoint_held = 0;
}

/* ---- the writer thread ---- */

/* Waits (under st->lock) until a write is queued or the store stops;
 * while degraded, wakes every DEGRADED_RETRY_S seconds to try the
 * storage again. */
static void
writer_wait(struct store *st)
{
	struct timespec	 at;

	while (st->head == NULL && !st->stopping) {
		if (!st->degraded) {
			pthread_cond_wait(&st->work, &st->lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += DEGRADED_RETRY_S;
		if (pthread_cond_timedwait(&st->work, &st->lock, &at) !=
		    ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&st->lock);
		(void)writer_recover(st);
		pthread_mutex_lock(&st->lock);
	}
}

/* Runs the group list, or refuses it with STORE_BUSY (nothing written,
 * the client retries) while the storage is read-only.  Returns 1 when
 * some committed write added an outbox row. */
static int
writer_run(struct store *st, struct write *list)
{
	struct write	*w;
	int		 degraded, outbox;

	pthread_mutex_lock(&st->lock);
	degraded = st->degraded;
	pthread_mutex_unlock(&st->lock);
	if (degraded && !writer_recover(st)) {
		for (w = list; w; w = w->next)
			w->rc = STORE_BUSY;
		return 0;
	}
	outbox = run_group(st, list);
	if (st->checkpoint_held)
		writer_release_checkpoint(st);
	return outbox;
}

static void *
writer_main(void *arg)
{
	struct store	*st = arg;
	struct write	*list, *w, **tail;
	void		(*hook)(void *);
	void		*hook_arg;
	int		 n, outbox;

	/* Every write waits for this one thread: ahead of the request
	 * threads, it keeps the tail of write latency short when they
	 * outnumber the cores.  Allowed only while porchd is still root (or
	 * has CAP_SYS_NICE); otherwise it stays at the default, harmlessly.
	 * store_open waits for ready, so this runs before the seccomp
	 * filter (which does not allow setpriority) is installed. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), -10);
	pthread_mutex_lock(&st->lock);
	st->ready = 1;
	pthread_cond_broadcast(&st->work);
	for (;;) {
		writer_wait(st);
		if (st->head == NULL)
			break;		/* stopping, and the queue is empty */
		list = st->head;
		for (n = 1, tail = &list->next; *tail && n < st->group_max;
		    n++)
			tail = &(*tail)->next;
		st->head = *tail;
		if (st->head == NULL)
			st->tail = NULL;
		*tail = NULL;
		pthread_mutex_unlock(&st->lock);

		outbox = writer_run(st, list);

		pthread_mutex_lock(&st->lock);
		st->commits++;
		st->writes += (unsigned long)n;
		while ((w = list) != NULL) {
			list = w->next;
			w->done = 1;
			/* Under the lock: the owner returns (and w
			 * vanishes) only after the writer unlocks. */
			pthread_cond_signal(&w->wake);
		}
		/* Called under the lock, so that once store_on_outbox
		 * returned no call of the old hook is still running. */
		hook = st->on_outbox;
		hook_arg = st->on_outbox_arg;
		if (outbox && hook)
			hook(hook_arg);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

int
store_write(struct store *st, int (*fn)(struct store_tx *, void *),
    void *arg)
{
	struct write	 w = { fn, arg, STORE_ERROR, 0,
			    PTHREAD_COND_INITIALIZER, NULL };

	if (st->started && pthread_equal(pthread_self(), st->thread)) {
		logmsg("store_write called from the writer thread");
		return STORE_ERROR;
	}
	pthread_mutex_lock(&st->lock);
	if (st->stopping || !st->started) {
		pthread_mutex_unlock(&st->lock);
		logmsg("write after close");
		return STORE_ERROR;
	}
	if (st->tail)
		st->tail->next = &w;
	else
		st->head = &w;
	st->tail = &w;
	pthread_cond_signal(&st->work);
	while (!w.done)
		pthread_cond_wait(&w.wake, &st->lock);
	pthread_mutex_unlock(&st->lock);
	pthread_cond_destroy(&w.wake);
	return w.rc;
}

void
store_set_group_max(struct store *st, int n)
{
	pthread_mutex_lock(&st->lock);
	st->group_max = n < 1 ? 1 : n > STORE_GROUP_MAX ? STORE_GROUP_MAX : n;
	pthread_mutex_unlock(&st->lock);
}

void
store_stats(struct store *st, unsigned long *commits, unsigned long *writes)
{
	pthread_mutex_lock(&st->lock);
	*commits = st->commits;
	*writes = st->writes;
	pthread_mutex_unlock(&st->lock);
}

int
store_pending(struct store *st)
{
	struct write	*w;
	int		 n = 0;

	pthread_mutex_lock(&st->lock);
	for (w = st->head; w; w = w->next)
		n++;
	pthread_mutex_unlock(&st->lock);
	return n;
}

void
store_on_outbox(struct store *st, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&st->lock);
	st->on_outbox = fn;
	st->on_outbox_arg = arg;
	pthread_mutex_unlock(&st->lock);
}

/* ---- opening and closing ---- */

/* A store for path with its locks, no connection yet and no thread;
 * NULL with *err set. */
static struct store *
store_new(const char *path, int max, char **err)
{
	struct store	*st;

	*err = NULL;
	if (sqlite3_threadsafe() == 0) {
		*err = xprintf("SQLite was built without thread support");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		*err = xprintf("out of memory");
		return NULL;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->work, NULL);
	pthread_mutex_init(&st->pool_lock, NULL);
	st->group_max = STORE_GROUP_MAX;
	st->max_version = max < 1 || max > STORE_SCHEMA_VERSION ?
	    STORE_SCHEMA_VERSION : max;
	st->reader_kind = CONN_READER;
	return st;
}

/* Starts the writer thread and waits until it is ready.  1, or 0 with
 * *err set. */
static int
writer_start(struct store *st, char **err)
{
	if ((errno = pthread_create(&st->thread, NULL, writer_main, st))) {
		*err = xprintf("cannot start the writer thread: %s",
		    strerror(errno));
		return 0;
	}
	st->started = 1;
	pthread_mutex_lock(&st->lock);
	while (!st->ready)
		pthread_cond_wait(&st->work, &st->lock);
	pthread_mutex_unlock(&st->lock);
	return 1;
}

struct store *
store_open_version(const char *path, int max, char **err)
{
	struct store	*st;

	if ((st = store_new(path, max, err)) == NULL)
		return NULL;
	if (!writer_open(st, err) || !writer_start(st, err)) {
		if (*err == NULL)
			*err = xprintf("%s: cannot open", path);
		store_close(st);
		return NULL;
	}
	return st;
}

struct store *
store_open(const char *path, char **err)
{
	return store_open_version(path, STORE_SCHEMA_VERSION, err);
}

struct store *
store_open_degradable(const char *path, char **err)
{
	struct store	*st;

	if ((st = store_new(path, STORE_SCHEMA_VERSION, err)) == NULL)
		return NULL;
	if (!writer_open(st, err)) {
		if (*err == NULL)
			*err = xprintf("%s: cannot open", path);
		if (!readers_can_serve(st)) {
			store_close(st);
			return NULL;
		}
		st->degraded = 1;
		st->degraded_why = *err;
		*err = NULL;
	}
	if (!writer_start(st, err)) {
		store_close(st);
		return NULL;
	}
	return st;
}

int
store_writable(struct store *st, char *why, size_t len)
{
	int	 ok;

	pthread_mutex_lock(&st->lock);
	ok = !st->degraded;
	if (!ok && why != NULL && len > 0)
		snprintf(why, len, "%s", st->degraded_why ?
		    st->degraded_why : "cannot write");
	pthread_mutex_unlock(&st->lock);
	return ok;
}

void
store_close(struct store *st)
{
	struct conn	*c;

	if (st == NULL)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_signal(&st->work);
	pthread_mutex_unlock(&st->lock);
	if (st->started)
		pthread_join(st->thread, NULL);
	while ((c = st->pool) != NULL) {
		st->pool = c->next;
		conn_close(c);
	}
	/* The last connection to close checkpoints the WAL into the main
	 * file and removes it. */
	conn_close(st->writer);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->work);
	pthread_mutex_destroy(&st->pool_lock);
	free(st->degraded_why);
	free(st->path);
	free(st);
}

int
store_ping(struct store *st)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 ok = 0;

	if ((c = store_reader_get(st)) == NULL)
		return 0;
	if ((s = stmt(c, Q_PING)) != NULL) {
		ok = sqlite3_step(s) == SQLITE_ROW;
		sql_done(s);
	}
	store_reader_put(st, c);
	return ok;
}

int
store_version(struct store *st)
{
	struct conn	*c;
	int		 v = -1;

	if ((c = store_reader_get(st)) == NULL)
		return -1;
	if (!user_version(c, &v))
		v = -1;
	store_reader_put(st, c);
	return v;
}

/* ---- accounts ---- */

void
store_user_free(struct store_user *u)
{
	free(u->email);
	free(u->name);
	if (u->password_hash)
		explicit_bzero(u->password_hash, strlen(u->password_hash));
	free(u->password_hash);
	memset(u, 0, sizeof(*u));
}

static int
row_user(sqlite3_stmt *s, struct store_user *u)
{
	int	 oom = 0;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(s, 0);
	u->email = sql_col_text(s, 1, &oom);
	u->name = sql_col_text(s, 2, &oom);
	u->password_hash = sql_col_text(s, 3, &oom);
	u->verified_at = sqlite3_column_int64(s, 4);
	u->disabled = sqlite3_column_int(s, 5);
	u->created_at = sqlite3_column_int64(s, 6);
	if (oom || u->email == NULL) {
		store_user_free(u);
		return 0;
	}
	if (u->name == NULL && (u->name = strdup("")) == NULL) {
		store_user_free(u);
		return 0;
	}
	return 1;
}

/* Runs the one-row user query q on c with key bound as text or integer. */
static int
user_query(struct conn *c, enum q q, const char *key, long long id,
    struct store_user *out)
{
	sqlite3_stmt	*s;
	int		 rc, r;

	memset(out, 0, sizeof(*out));
	if ((s = stmt(c, q)) == NULL)
		return STORE_ERROR;
	if (!(key ? sql_bind_text(s, 1, key) : sql_bind_int(s, 1, id))) {
		sql_done(s);
		return sql_fail(c, SQLITE_ERROR, "bind");
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = row_user(s, out) ? STORE_OK : STORE_ERROR;
	else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "user");
	sql_done(s);
	return r;
}

int
store_user_by_email(struct store *st, const char *email,
    struct store_user *out)
{
	struct conn	*c;
	int		 r;

	memset(out, 0, sizeof(*out));
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	r = user_query(c, Q_USER_BY_EMAIL, email, 0, out);
	store_reader_put(st, c);
	return r;
}

int
store_user_by_id(struct store *st, long long id, struct store_user *out)
{
	struct conn	*c;
	int		 r;

	memset(out, 0, sizeof(*out));
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	r = user_query(c, Q_USER_BY_ID, NULL, id, out);
	store_reader_put(st, c);
	return r;
}

int
store_user_list(struct store *st,
    int (*fn)(const struct store_user *, void *), void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	struct store_user u;
	int		 rc, r = STORE_OK, more;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = stmt(c, Q_USER_LIST)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!row_user(s, &u)) {
			r = STORE_ERROR;
			break;
		}
		more = fn(&u, arg);
		store_user_free(&u);
		if (!more)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "user list");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

/* Steps a statement that returns no row; STORE_NOTFOUND when it changed
 * nothing and want_change is set. */
int
sql_step_change(struct conn *c, sqlite3_stmt *s, int want_change,
    const char *what)
{
	int	 rc, r;

	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		r = (want_change && sqlite3_changes(c->db) == 0) ?
		    STORE_NOTFOUND : STORE_OK;
	else if (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		r = STORE_EXISTS;
	else
		r = sql_fail(c, rc, what);
	sql_done(s);
	return r;
}

int
stx_user_create(struct store_tx *tx, const char *email, const char *name,
    const char *password_hash, long long verified_at, long long now,
    long long *id)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = stmt(tx->c, Q_USER_INSERT)) == NULL)
		return STORE_ERROR;
	if (!sql_bind_text(s, 1, email) || !sql_bind_text(s, 2, name ? name : "") ||
	    !sql_bind_text(s, 3, password_hash) || !sql_bind_time(s, 4, verified_at) ||
	    !sql_bind_int(s, 5, now)) {
		sql_done(s);
		return sql_fail(tx->c, SQLITE_ERROR, "bind");
	}
	r = sql_step_change(tx->c, s, 0, "user create");
	if (r == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return r;
}

int
stx_user_by_email(struct store_tx *tx, const char *email,
    struct store_user *out)
{
	return user_query(tx->c, Q_USER_BY_EMAIL, email, 0, out);
}

int
stx_user_by_id(struct store_tx *tx, long long id, struct store_user *out)
{
	return user_query(tx->c, Q_USER_BY_ID, NULL, id, out);
}

int
stx_user_set_password(struct store_tx *tx, long long id,
    const char *password_hash)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_USER_SET_PASSWORD)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	sql_bind_text(s, 2, password_hash);
	return sql_step_change(tx->c, s, 1, "set password");
}

int
stx_user_verify(struct store_tx *tx, long long id, long long now)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_USER_VERIFY)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	sql_bind_int(s, 2, now);
	return sql_step_change(tx->c, s, 1, "verify");
}

int
stx_user_set_disabled(struct store_tx *tx, long long id, int disabled)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_USER_SET_DISABLED)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	sql_bind_int(s, 2, disabled != 0);
	return sql_step_change(tx->c, s, 1, "disable");
}

struct user_create_arg {
	const char	*email, *name, *hash;
	long long	 verified_at, now, id;
};

static int
user_create_tx(struct store_tx *tx, void *arg)
{
	struct user_create_arg *a = arg;

	return stx_user_create(tx, a->email, a->name, a->hash,
	    a->verified_at, a->now, &a->id);
}

int
store_user_create(struct store *st, const char *email, const char *name,
    const char *password_hash, long long verified_at, long long now,
    long long *id)
{
	struct user_create_arg a = { email, name, password_hash,
	    verified_at, now, 0 };
	int	 r;

	r = store_write(st, user_create_tx, &a);
	if (r == STORE_OK && id)
		*id = a.id;
	return r;
}

/* ---- sessions ---- */

int
store_session_get(struct store *st, const char *hash,
    struct store_session *out)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	const unsigned char *csrf;
	int		 rc, r;

	memset(out, 0, sizeof(*out));
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = stmt(c, Q_SESSION_GET)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_text(s, 1, hash);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(s, 0);
		if ((csrf = sqlite3_column_text(s, 1)) != NULL)
			snprintf(out->csrf, sizeof(out->csrf), "%s",
			    (const char *)csrf);
		out->created_at = sqlite3_column_int64(s, 2);
		out->last_seen = sqlite3_column_int64(s, 3);
		out->expires_at = sqlite3_column_int64(s, 4);
		out->user_disabled = sqlite3_column_int(s, 5);
		r = STORE_OK;
	} else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "session");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

int
stx_session_create(struct store_tx *tx, const char *hash, long long user_id,
    const char *csrf, long long now, long long expires_at)
{
	sqlite3_stmt	*s;
	int		 r;

	/* Each login drops the account's dead sessions: the table stays as
	 * small as the live sessions without a sweeper. */
	if ((s = stmt(tx->c, Q_SESSION_PRUNE_USER)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, user_id);
	sql_bind_int(s, 2, now);
	if ((r = sql_step_change(tx->c, s, 0, "session prune")) != STORE_OK)
		return r;
	if ((s = stmt(tx->c, Q_SESSION_INSERT)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_int(s, 2, user_id);
	sql_bind_text(s, 3, csrf);
	sql_bind_int(s, 4, now);
	sql_bind_int(s, 5, expires_at);
	return sql_step_change(tx->c, s, 0, "session create");
}

int
stx_session_delete(struct store_tx *tx, const char *hash)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_SESSION_DELETE)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	return sql_step_change(tx->c, s, 0, "session delete");
}

int
stx_session_delete_user(struct store_tx *tx, long long user_id)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_SESSION_DELETE_USER)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, user_id);
	return sql_step_change(tx->c, s, 0, "sessions delete");
}

int
stx_session_prune(struct store_tx *tx, long long now, long long idle_before)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_SESSION_PRUNE)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, now);
	sql_bind_int(s, 2, idle_before);
	return sql_step_change(tx->c, s, 0, "session prune");
}

struct prune_arg {
	long long	 now, idle_before, sessions, tokens;
};

static int
prune_tx(struct store_tx *tx, void *arg)
{
	struct prune_arg *a = arg;
	sqlite3_stmt	*s;
	int		 r;

	if ((r = stx_session_prune(tx, a->now, a->idle_before)) != STORE_OK)
		return r;
	a->sessions = sqlite3_changes(tx->c->db);
	if ((s = stmt(tx->c, Q_TOKEN_PRUNE)) == NULL)
		return STORE_ERROR;
	/* a day after expiry: long enough to tell "expired" from "unknown"
	 * in a support case, short enough to keep the table small */
	sql_bind_int(s, 1, a->now - 86400);
	if ((r = sql_step_change(tx->c, s, 0, "token prune")) != STORE_OK)
		return r;
	a->tokens = sqlite3_changes(tx->c->db);
	return STORE_OK;
}

int
store_prune(struct store *st, long long now, long long idle_before,
    long long *sessions, long long *tokens)
{
	struct prune_arg a = { now, idle_before, 0, 0 };
	int		 r;

	r = store_write(st, prune_tx, &a);
	if (sessions)
		*sessions = a.sessions;
	if (tokens)
		*tokens = a.tokens;
	return r;
}

struct session_arg {
	const char	*hash, *csrf;
	long long	 user_id, now, expires_at;
	enum q		 q;
};

static int
session_tx(struct store_tx *tx, void *arg)
{
	struct session_arg *a = arg;
	sqlite3_stmt	*s;

	switch (a->q) {
	case Q_SESSION_INSERT:
		return stx_session_create(tx, a->hash, a->user_id, a->csrf,
		    a->now, a->expires_at);
	case Q_SESSION_DELETE:
		return stx_session_delete(tx, a->hash);
	case Q_SESSION_DELETE_USER:
		return stx_session_delete_user(tx, a->user_id);
	case Q_SESSION_TOUCH:
		if ((s = stmt(tx->c, Q_SESSION_TOUCH)) == NULL)
			return STORE_ERROR;
		sql_bind_text(s, 1, a->hash);
		sql_bind_int(s, 2, a->now);
		return sql_step_change(tx->c, s, 0, "session touch");
	default:
		return STORE_ERROR;
	}
}

int
store_session_create(struct store *st, const char *hash, long long user_id,
    const char *csrf, long long now, long long expires_at)
{
	struct session_arg a = { hash, csrf, user_id, now, expires_at,
	    Q_SESSION_INSERT };

	return store_write(st, session_tx, &a);
}

int
store_session_touch(struct store *st, const char *hash, long long now)
{
	struct session_arg a = { hash, NULL, 0, now, 0, Q_SESSION_TOUCH };

	return store_write(st, session_tx, &a);
}

int
store_session_delete(struct store *st, const char *hash)
{
	struct session_arg a = { hash, NULL, 0, 0, 0, Q_SESSION_DELETE };

	return store_write(st, session_tx, &a);
}

int
store_session_delete_user(struct store *st, long long user_id)
{
	struct session_arg a = { NULL, NULL, user_id, 0, 0,
	    Q_SESSION_DELETE_USER };

	return store_write(st, session_tx, &a);
}

/* ---- single-use tokens ---- */

int
stx_token_add(struct store_tx *tx, const char *hash,
    enum store_purpose purpose, long long user_id, long long now,
    long long expires_at)
{
	sqlite3_stmt	*s;

	if ((s = stmt(tx->c, Q_TOKEN_INSERT)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_text(s, 2, purposes[purpose]);
	sql_bind_int(s, 3, user_id);
	sql_bind_int(s, 4, now);
	sql_bind_int(s, 5, expires_at);
	return sql_step_change(tx->c, s, 0, "token add");
}

int
stx_token_consume(struct store_tx *tx, const char *hash,
    enum store_purpose purpose, long long now, long long *user_id)
{
	sqlite3_stmt	*s;
	int		 rc, r;

	if ((s = stmt(tx->c, Q_TOKEN_USE)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_text(s, 2, purposes[purpose]);
	sql_bind_int(s, 3, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);	/* runs the UPDATE to its end */
	} else if (rc == SQLITE_DONE)
		*user_id = 0;
	r = rc == SQLITE_DONE ? STORE_OK : sql_fail(tx->c, rc, "token use");
	sql_done(s);
	if (r != STORE_OK)
		return r;
	if (*user_id == 0)
		return STORE_NOTFOUND;
	if ((s = stmt(tx->c, Q_TOKEN_USE_OTHERS)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, *user_id);
	sql_bind_text(s, 2, purposes[purpose]);
	sql_bind_int(s, 3, now);
	return sql_step_change(tx->c, s, 0, "token retire");
}

int
store_token_check(struct store *st, const char *hash,
    enum store_purpose purpose, long long now, long long *user_id)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc, r;

	*user_id = 0;
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = stmt(c, Q_TOKEN_CHECK)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_text(s, 1, hash);
	sql_bind_text(s, 2, purposes[purpose]);
	sql_bind_int(s, 3, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(s, 0);
		r = STORE_OK;
	} else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "token check");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

/* ---- the outbox ---- */

void
store_message_free(struct store_message *m)
{
	free(m->message_id);
	free(m->kind);
	free(m->recipient);
	free(m->subject);
	free(m->body);
	free(m->headers);
	free(m->last_error);
	memset(m, 0, sizeof(*m));
}

static int
row_message(sqlite3_stmt *s, struct store_message *m)
{
	int	 oom = 0;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->message_id = sql_col_text(s, 1, &oom);
	m->kind = sql_col_text(s, 2, &oom);
	m->recipient = sql_col_text(s, 3, &oom);
	m->subject = sql_col_text(s, 4, &oom);
	m->body = sql_col_text(s, 5, &oom);
	m->headers = sql_col_text(s, 6, &oom);
	m->created_at = sqlite3_column_int64(s, 7);
	m->attempts = sqlite3_column_int64(s, 8);
	m->next_attempt_at = sqlite3_column_int64(s, 9);
	m->delivered_at = sqlite3_column_int64(s, 10);
	m->last_error = sql_col_text(s, 11, &oom);
	if (oom || !m->message_id || !m->kind || !m->recipient ||
	    !m->subject || !m->body || !m->headers) {
		store_message_free(m);
		return 0;
	}
	return 1;
}

int
stx_outbox_add(struct store_tx *tx, const struct store_message *m,
    long long now)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = stmt(tx->c, Q_OUTBOX_INSERT)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, m->message_id);
	sql_bind_text(s, 2, m->kind ? m->kind : "mail");
	sql_bind_text(s, 3, m->recipient);
	sql_bind_text(s, 4, m->subject ? m->subject : "");
	sql_bind_text(s, 5, m->body);
	sql_bind_text(s, 6, m->headers ? m->headers : "{}");
	sql_bind_int(s, 7, now);
	if ((r = sql_step_change(tx->c, s, 0, "outbox add")) == STORE_OK)
		tx->outbox = 1;
	return r;
}

struct outbox_arg {
	const struct store_message *m;
	long long	 id, when;
	const char	*error;
	enum q		 q;
};

static int
outbox_tx(struct store_tx *tx, void *arg)
{
	struct outbox_arg *a = arg;
	sqlite3_stmt	*s;

	if (a->q == Q_OUTBOX_INSERT)
		return stx_outbox_add(tx, a->m, a->when);
	if ((s = stmt(tx->c, a->q)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, a->id);
	sql_bind_int(s, 2, a->when);
	sql_bind_text(s, 3, a->error);	/* the error, or the new body */
	return sql_step_change(tx->c, s, 1, "outbox update");
}

int
store_outbox_add(struct store *st, const struct store_message *m,
    long long now)
{
	struct outbox_arg a = { m, 0, now, NULL, Q_OUTBOX_INSERT };

	return store_write(st, outbox_tx, &a);
}

int
store_outbox_delivered(struct store *st, long long id, long long now,
    const char *body)
{
	struct outbox_arg a = { NULL, id, now, body, Q_OUTBOX_DELIVERED };

	return store_write(st, outbox_tx, &a);
}

int
store_outbox_retry(struct store *st, long long id, long long next,
    const char *error)
{
	struct outbox_arg a = { NULL, id, next, error, Q_OUTBOX_RETRY };

	return store_write(st, outbox_tx, &a);
}

int
store_outbox_due(struct store *st, long long now, int limit,
    struct store_message *out, int *n)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc = SQLITE_DONE, r = STORE_OK;

	*n = 0;
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = stmt(c, Q_OUTBOX_DUE)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, now);
	sql_bind_int(s, 2, limit);
	while (*n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!row_message(s, &out[*n])) {
			r = STORE_ERROR;
			break;
		}
		(*n)++;
	}
	if (r == STORE_OK && *n < limit && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "outbox due");
	sql_done(s);
	store_reader_put(st, c);
	if (r != STORE_OK) {
		while (*n > 0)
			store_message_free(&out[--*n]);
	}
	return r;
}

int
store_outbox_next(struct store *st, long long *when)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc, r;

	*when = 0;
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = stmt(c, Q_OUTBOX_NEXT)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*when = sqlite3_column_int64(s, 0);
		r = STORE_OK;
	} else if (rc == SQLITE_ROW)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "outbox next");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

int
store_outbox_list(struct store *st,
    int (*fn)(const struct store_message *, void *), void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	struct store_message m;
	int		 rc, r = STORE_OK, more;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = stmt(c, Q_OUTBOX_LIST)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!row_message(s, &m)) {
			r = STORE_ERROR;
			break;
		}
		more = fn(&m, arg);
		store_message_free(&m);
		if (!more)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "outbox list");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}
