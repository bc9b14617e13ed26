/*
 * store_votes: the SQLite side of votes, "was this helpful", search misses
 * and shipped-item notices (store_votes.h): the schema of migration 4 and
 * its queries.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_impl.h"
#include "store_votes.h"

/*
 * Migration 4.  votes holds the current votes (one row per account and
 * item); vote_events every toggle, for the 30-day trend.  feedback is
 * "was this helpful?" (one row per page and client id, replaced by a
 * later answer); search_misses counts normalised zero-result queries;
 * shipped remembers the items whose voters were told (mails: how many
 * were queued; 0 for items recorded on the first catalog load, which
 * sends nothing), so a reload never tells them twice; unsubscribes the
 * addresses that asked for no more such mail, reached through the hashed
 * tokens of unsubscribe_tokens; flags small facts about this database
 * ("catalog_seen": a catalog was loaded once).
 */
const char store_migration_votes[] =
	"CREATE TABLE votes ("
	"  item TEXT NOT NULL,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (item, user_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX votes_user ON votes(user_id);"
	"CREATE TABLE vote_events ("
	"  id INTEGER PRIMARY KEY,"
	"  item TEXT NOT NULL,"
	"  delta INTEGER NOT NULL CHECK (delta IN (-1, 1)),"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX vote_events_time ON vote_events(created_at);"
	"CREATE TABLE feedback ("
	"  id INTEGER PRIMARY KEY,"
	"  page TEXT NOT NULL,"
	"  helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  client TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (page, client)"
	");"
	"CREATE INDEX feedback_page ON feedback(page);"
	"CREATE TABLE search_misses ("
	"  query TEXT PRIMARY KEY,"
	"  count INTEGER NOT NULL,"
	"  first_at INTEGER NOT NULL,"
	"  last_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE shipped ("
	"  item TEXT PRIMARY KEY,"
	"  version TEXT NOT NULL DEFAULT '',"
	"  mails INTEGER NOT NULL DEFAULT 0,"
	"  notified_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE unsubscribes ("
	"  email TEXT PRIMARY KEY,"
	"  created_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE unsubscribe_tokens ("
	"  hash TEXT PRIMARY KEY,"
	"  email TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE flags ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	") WITHOUT ROWID;";

/* ---- votes ---- */

static const char q_vote_add[] =
	"INSERT OR IGNORE INTO votes (item, user_id, created_at) "
	"VALUES (?1, ?2, ?3)";
static const char q_vote_del[] =
	"DELETE FROM votes WHERE item = ?1 AND user_id = ?2";
static const char q_vote_event[] =
	"INSERT INTO vote_events (item, delta, created_at) VALUES (?1, ?2, ?3)";
static const char q_vote_counts[] =
	"SELECT item, COUNT(*) FROM votes GROUP BY item";
static const char q_votes_of[] =
	"SELECT item FROM votes WHERE user_id = ?1 ORDER BY item";
static const char q_vote_allowed[] =
	"SELECT verified_at IS NOT NULL AND verified_at > 0 AND NOT disabled "
	"FROM users WHERE id = ?1";

int
stx_vote_set(struct store_tx *tx, const char *item, long long user_id,
    int on, long long now, int *delta)
{
	sqlite3_stmt	*s;
	int		 r;

	*delta = 0;
	if ((s = sql_stmt(tx->c, on ? q_vote_add : q_vote_del)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, item);
	sql_bind_int(s, 2, user_id);
	if (on)
		sql_bind_int(s, 3, now);
	r = sql_step_change(tx->c, s, 1, "vote");
	if (r == STORE_NOTFOUND)
		return STORE_OK;	/* already so: nothing to record */
	if (r != STORE_OK)
		return r;
	if ((s = sql_stmt(tx->c, q_vote_event)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, item);
	sql_bind_int(s, 2, on ? 1 : -1);
	sql_bind_int(s, 3, now);
	if ((r = sql_step_change(tx->c, s, 0, "vote event")) == STORE_OK)
		*delta = on ? 1 : -1;
	return r;
}

int
store_vote_counts(struct store *st,
    int (*fn)(const char *, long long, void *), void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc, r = STORE_OK;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_vote_counts)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!fn((const char *)sqlite3_column_text(s, 0),
		    sqlite3_column_int64(s, 1), arg))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "vote counts");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

int
store_votes_of(struct store *st, long long user_id,
    int (*fn)(const char *, void *), void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc, r = STORE_OK;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_votes_of)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, user_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!fn((const char *)sqlite3_column_text(s, 0), arg))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "votes of");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

int
store_vote_allowed(struct store *st, long long user_id, int *verified)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc, r = STORE_OK;

	*verified = 0;
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_vote_allowed)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, user_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*verified = sqlite3_column_int(s, 0) != 0;
	else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "vote allowed");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

/* ---- feedback and search misses ---- */

static const char q_feedback[] =
	"INSERT INTO feedback (page, helpful, comment, client, created_at,"
	"  updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
	"ON CONFLICT (page, client) DO UPDATE SET helpful = excluded.helpful,"
	"  comment = excluded.comment, updated_at = excluded.updated_at";
static const char q_miss[] =
	"INSERT INTO search_misses (query, count, first_at, last_at) "
	"VALUES (?1, 1, ?2, ?2) "
	"ON CONFLICT (query) DO UPDATE SET count = count + 1,"
	"  last_at = excluded.last_at";

int
stx_feedback_put(struct store_tx *tx, const char *page, int helpful,
    const char *comment, const char *client, long long now)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_feedback)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, page);
	sql_bind_int(s, 2, helpful ? 1 : 0);
	sql_bind_text(s, 3, comment);
	sql_bind_text(s, 4, client);
	sql_bind_int(s, 5, now);
	return sql_step_change(tx->c, s, 0, "feedback");
}

int
stx_search_miss(struct store_tx *tx, const char *query, long long now)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_miss)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, query);
	sql_bind_int(s, 2, now);
	return sql_step_change(tx->c, s, 0, "search miss");
}

/* ---- shipped items ---- */

static const char q_shipped_known[] =
	"SELECT 1 FROM shipped WHERE item = ?1";
static const char q_shipped_add[] =
	"INSERT INTO shipped (item, version, mails, notified_at) "
	"VALUES (?1, ?2, ?3, ?4)";
/* Voters (verified, enabled) and linked tickets' addresses, once each;
 * the name is the account's when there is one. */
static const char q_shipped_recipients[] =
	"SELECT r.email, MAX(r.name) FROM ("
	"  SELECT lower(u.email) AS email, u.name AS name FROM votes v"
	"  JOIN users u ON u.id = v.user_id"
	"  WHERE v.item = ?1 AND u.verified_at > 0 AND NOT u.disabled"
	"  UNION ALL"
	"  SELECT lower(COALESCE(u.email, t.email)), u.name FROM tickets t"
	"  LEFT JOIN users u ON u.id = t.user_id"
	"  WHERE t.roadmap_id = ?1 AND t.status <> 'unconfirmed'"
	") r WHERE r.email NOT IN (SELECT email FROM unsubscribes) "
	"GROUP BY r.email ORDER BY r.email";
static const char q_flag_get[] =
	"SELECT value FROM flags WHERE key = ?1";
static const char q_flag_set[] =
	"INSERT INTO flags (key, value) VALUES (?1, ?2) "
	"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char q_unsub_token[] =
	"INSERT OR IGNORE INTO unsubscribe_tokens (hash, email, created_at) "
	"VALUES (?1, ?2, ?3)";
static const char q_unsubscribe[] =
	"INSERT OR IGNORE INTO unsubscribes (email, created_at) "
	"SELECT email, ?2 FROM unsubscribe_tokens WHERE hash = ?1";
static const char q_unsub_known[] =
	"SELECT 1 FROM unsubscribe_tokens WHERE hash = ?1";
static const char q_unsubscribed[] =
	"SELECT 1 FROM unsubscribes WHERE email = lower(?1)";

/* Runs s (bound) and gives STORE_OK when it returned a row, STORE_NOTFOUND
 * when none; sql_done()s it. */
static int
exists(struct conn *c, sqlite3_stmt *s, const char *what)
{
	int	 rc, r;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = STORE_OK;
	else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, what);
	sql_done(s);
	return r;
}

int
stx_shipped_known(struct store_tx *tx, const char *item)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_shipped_known)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, item);
	return exists(tx->c, s, "shipped known");
}

int
stx_shipped_add(struct store_tx *tx, const char *item, const char *version,
    long long mails, long long now)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_shipped_add)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, item);
	sql_bind_text(s, 2, version ? version : "");
	sql_bind_int(s, 3, mails);
	sql_bind_int(s, 4, now);
	return sql_step_change(tx->c, s, 0, "shipped add");
}

/* Copies are taken before fn runs: fn may use the connection (outbox
 * rows) while this statement is still stepping otherwise. */
int
stx_shipped_recipients(struct store_tx *tx, const char *item,
    int (*fn)(const char *, const char *, void *), void *arg)
{
	sqlite3_stmt	*s;
	char		**emails = NULL, **names = NULL, **p;
	size_t		 n = 0, cap = 0, i;
	int		 rc, r = STORE_OK, oom = 0;

	if ((s = sql_stmt(tx->c, q_shipped_recipients)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, item);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(emails, cap * sizeof(*p))) == NULL) {
				oom = 1;
				break;
			}
			emails = p;
			if ((p = realloc(names, cap * sizeof(*p))) == NULL) {
				oom = 1;
				break;
			}
			names = p;
		}
		emails[n] = sql_col_text(s, 0, &oom);
		names[n] = sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL :
		    sql_col_text(s, 1, &oom);
		n++;
		if (oom)
			break;
	}
	if (oom)
		r = STORE_ERROR;
	else if (rc != SQLITE_DONE)
		r = sql_fail(tx->c, rc, "shipped recipients");
	sql_done(s);
	for (i = 0; i < n && r == STORE_OK; i++)
		if (emails[i] != NULL)
			r = fn(emails[i], names[i], arg);
	for (i = 0; i < n; i++) {
		free(emails[i]);
		free(names[i]);
	}
	free(emails);
	free(names);
	return r;
}

int
stx_flag_get(struct store_tx *tx, const char *key, long long *value)
{
	sqlite3_stmt	*s;
	int		 rc, r = STORE_OK;

	*value = 0;
	if ((s = sql_stmt(tx->c, q_flag_get)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		r = sql_fail(tx->c, rc, "flag get");
	sql_done(s);
	return r;
}

int
stx_flag_set(struct store_tx *tx, const char *key, long long value)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_flag_set)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, key);
	sql_bind_int(s, 2, value);
	return sql_step_change(tx->c, s, 0, "flag set");
}

int
stx_unsub_token_add(struct store_tx *tx, const char *hash, const char *email,
    long long now)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_unsub_token)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_text(s, 2, email);
	sql_bind_int(s, 3, now);
	return sql_step_change(tx->c, s, 0, "unsubscribe token");
}

int
stx_unsubscribe(struct store_tx *tx, const char *hash, long long now)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = sql_stmt(tx->c, q_unsub_known)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	if ((r = exists(tx->c, s, "unsubscribe token")) != STORE_OK)
		return r;
	if ((s = sql_stmt(tx->c, q_unsubscribe)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_int(s, 2, now);
	return sql_step_change(tx->c, s, 0, "unsubscribe");
}

int
store_unsubscribed(struct store *st, const char *email, int *yes)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 r;

	*yes = 0;
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_unsubscribed)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_text(s, 1, email);
	r = exists(c, s, "unsubscribed");
	store_reader_put(st, c);
	if (r == STORE_OK)
		*yes = 1;
	return r == STORE_NOTFOUND ? STORE_OK : r;
}
