/*
 * store_tickets: the SQLite side of tickets (store.h, "Tickets"): the
 * schema of migration 3 and the ticket queries.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_impl.h"

/*
 * Migration 3: tickets, their conversation, their attachments.  Other
 * features read these columns by name (the reports of report.c, the
 * shipped-item mails of shipped.c): tickets.roadmap_id, user_id, email,
 * context (JSON: "searches", "suggestions_shown", "suggestions_opened").
 */
const char store_migration_tickets[] =
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  email TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  fields TEXT NOT NULL DEFAULT '{}',"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('unconfirmed', 'new', 'open', 'waiting', 'solved', 'closed')),"
	"  priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN"
	"    ('low', 'normal', 'high', 'urgent')),"
	"  assignee TEXT,"
	"  roadmap_id TEXT,"
	"  source_url TEXT,"
	"  context TEXT NOT NULL DEFAULT '{}',"
	"  idempotency_key TEXT,"
	"  csat TEXT CHECK (csat IN ('good', 'bad')),"
	"  csat_comment TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  confirmed_at INTEGER,"
	"  solved_at INTEGER"
	");"
	"CREATE UNIQUE INDEX tickets_idempotency ON tickets(email,"
	"  idempotency_key) WHERE idempotency_key IS NOT NULL;"
	"CREATE INDEX tickets_user ON tickets(user_id, updated_at);"
	"CREATE INDEX tickets_status ON tickets(status, created_at);"
	"CREATE INDEX tickets_roadmap ON tickets(roadmap_id)"
	"  WHERE roadmap_id IS NOT NULL;"
	"CREATE TABLE ticket_events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  author TEXT NOT NULL CHECK (author IN ('customer', 'staff', 'system')),"
	"  author_name TEXT NOT NULL DEFAULT '',"
	"  kind TEXT NOT NULL CHECK (kind IN"
	"    ('comment', 'status', 'priority', 'assign', 'link', 'csat')),"
	"  body TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  event_id INTEGER REFERENCES ticket_events(id) ON DELETE SET NULL,"
	"  name TEXT NOT NULL,"
	"  stored TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX attachments_ticket ON attachments(ticket_id);";
