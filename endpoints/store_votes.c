/*
 * store_votes: the SQLite side of votes, "was this helpful", search misses
 * and shipped-item notices (store.h, "Votes"): the schema of migration 4
 * and its queries.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_impl.h"

/*
 * Migration 4.  votes holds the current votes (one row per account and
 * item); vote_events every toggle, for the 30-day trend.  feedback is
 * "was this helpful?"; search_misses counts normalised zero-result
 * queries; shipped remembers the items whose voters were told, so a
 * reload never tells them twice; unsubscribes the addresses that asked
 * for no more such mail.
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
	"CREATE INDEX vote_events_item ON vote_events(item, created_at);"
	"CREATE TABLE feedback ("
	"  id INTEGER PRIMARY KEY,"
	"  page TEXT NOT NULL,"
	"  helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  client TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
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
	"  notified_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE unsubscribes ("
	"  email TEXT PRIMARY KEY,"
	"  created_at INTEGER NOT NULL"
	") WITHOUT ROWID;";
