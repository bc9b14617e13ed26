/*
 * store_tickets: the SQLite side of tickets (store.h, "Tickets"): the
 * schema of migration 3 and the ticket queries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_impl.h"

/*
 * Migration 3: tickets, their conversation, their attachments.  Other
 * features read these columns by name (the reports of report.c, the
 * shipped-item mails of shipped.c): tickets.roadmap_id, user_id, email,
 * context (JSON: "searches", "suggestions_shown", "suggestions_opened").
 * ticket_tokens are the mailed secrets of tickets (hex SHA-256 of the
 * token): 'confirm' for an anonymous ticket's address, 'rate' for the
 * satisfaction links of a solved ticket (reusable until it reopens).
 * first_response_at is the first staff comment (the SLA's clock).
 * attachments.key is the secret of the link staff mails carry (the owner
 * needs none: the session is enough).
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
	"  solved_at INTEGER,"
	"  first_response_at INTEGER"
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
	"  key TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE INDEX attachments_ticket ON attachments(ticket_id);"
	"CREATE TABLE ticket_tokens ("
	"  hash TEXT PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'rate')),"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER"
	") WITHOUT ROWID;"
	"CREATE INDEX ticket_tokens_ticket ON ticket_tokens(ticket_id);";

/* ---- tickets ---- */

#define TICKET_COLS \
	"id, ref, user_id, email, type, subject, fields, status, priority," \
	" assignee, roadmap_id, source_url, context, csat, csat_comment," \
	" created_at, updated_at, solved_at, first_response_at"

static const char q_ticket_next[] =
	"SELECT COALESCE(MAX(id), 0) + 1 FROM tickets";
static const char q_ticket_insert[] =
	"INSERT INTO tickets (id, ref, user_id, email, type, subject, fields,"
	" status, priority, source_url, context, idempotency_key, created_at,"
	" updated_at, confirmed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	" ?10, ?11, ?12, ?13, ?13, CASE WHEN ?8 = 'unconfirmed' THEN NULL"
	" ELSE ?13 END)";
static const char q_ticket_by_key[] =
	"SELECT id, ref FROM tickets WHERE email = ?1 AND idempotency_key = ?2";
static const char q_ticket_by_ref[] =
	"SELECT " TICKET_COLS " FROM tickets WHERE ref = ?1";
static const char q_ticket_by_id[] =
	"SELECT " TICKET_COLS " FROM tickets WHERE id = ?1";
static const char q_ticket_status[] =
	"UPDATE tickets SET status = ?2, updated_at = ?3,"
	" solved_at = CASE WHEN ?2 = 'solved' THEN ?3 ELSE solved_at END,"
	" confirmed_at = CASE WHEN status = 'unconfirmed' AND ?2 <> 'unconfirmed'"
	"   THEN ?3 ELSE confirmed_at END"
	" WHERE id = ?1";
static const char q_ticket_assignee[] =
	"UPDATE tickets SET assignee = ?2, updated_at = ?3 WHERE id = ?1";
static const char q_ticket_roadmap[] =
	"UPDATE tickets SET roadmap_id = ?2, updated_at = ?3 WHERE id = ?1";
static const char q_ticket_priority[] =
	"UPDATE tickets SET priority = ?2, updated_at = ?3 WHERE id = ?1";
static const char q_ticket_rate[] =
	"UPDATE tickets SET csat = ?2, csat_comment = COALESCE(?3, csat_comment),"
	" updated_at = ?4 WHERE id = ?1";
static const char q_ticket_list[] =
	"SELECT " TICKET_COLS " FROM tickets"
	" WHERE (?1 = 0 OR user_id = ?1) AND (?2 IS NULL OR status = ?2)"
	" AND (?3 IS NULL OR type = ?3) AND created_at >= ?4"
	" ORDER BY CASE WHEN ?5 THEN updated_at ELSE 0 END DESC, id DESC";
static const char q_event_insert[] =
	"INSERT INTO ticket_events (ticket_id, author, author_name, kind, body,"
	" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_event_touch[] =
	"UPDATE tickets SET updated_at = ?2, first_response_at ="
	" CASE WHEN ?3 AND first_response_at IS NULL THEN ?2"
	" ELSE first_response_at END WHERE id = ?1";
static const char q_event_list[] =
	"SELECT id, ticket_id, author, author_name, kind, body, created_at"
	" FROM ticket_events WHERE ticket_id = ?1 ORDER BY id";
static const char q_att_insert[] =
	"INSERT INTO attachments (ticket_id, event_id, name, stored, type, size,"
	" sha256, key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
#define ATT_COLS "id, ticket_id, event_id, name, stored, type, size, sha256," \
	" created_at, key"
static const char q_att_list[] =
	"SELECT " ATT_COLS " FROM attachments WHERE ticket_id = ?1 ORDER BY id";
static const char q_att_get[] =
	"SELECT " ATT_COLS " FROM attachments WHERE ticket_id = ?1 AND id = ?2";
static const char q_tok_insert[] =
	"INSERT INTO ticket_tokens (hash, ticket_id, purpose, created_at,"
	" expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char q_tok_get[] =
	"SELECT ticket_id, used_at FROM ticket_tokens WHERE hash = ?1 AND"
	" purpose = ?2 AND expires_at > ?3";
static const char q_tok_use[] =
	"UPDATE ticket_tokens SET used_at = ?2 WHERE hash = ?1";
static const char q_tok_drop[] =
	"DELETE FROM ticket_tokens WHERE ticket_id = ?1 AND purpose = ?2";

void
store_ticket_free(struct store_ticket *t)
{
	free(t->ref);
	free(t->email);
	free(t->type);
	free(t->subject);
	free(t->fields);
	free(t->status);
	free(t->priority);
	free(t->assignee);
	free(t->roadmap_id);
	free(t->source_url);
	free(t->context);
	free(t->csat);
	free(t->csat_comment);
	memset(t, 0, sizeof(*t));
}

void
store_ticket_event_free(struct store_ticket_event *e)
{
	free(e->author);
	free(e->author_name);
	free(e->kind);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

void
store_attachment_free(struct store_attachment *a)
{
	free(a->name);
	free(a->stored);
	free(a->type);
	free(a->sha256);
	free(a->key);
	memset(a, 0, sizeof(*a));
}

/* Fills t from a row of TICKET_COLS; 0 when out of memory. */
static int
row_ticket(sqlite3_stmt *s, struct store_ticket *t)
{
	int	 oom = 0;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(s, 0);
	t->ref = sql_col_text(s, 1, &oom);
	t->user_id = sqlite3_column_int64(s, 2);
	t->email = sql_col_text(s, 3, &oom);
	t->type = sql_col_text(s, 4, &oom);
	t->subject = sql_col_text(s, 5, &oom);
	t->fields = sql_col_text(s, 6, &oom);
	t->status = sql_col_text(s, 7, &oom);
	t->priority = sql_col_text(s, 8, &oom);
	t->assignee = sql_col_text(s, 9, &oom);
	t->roadmap_id = sql_col_text(s, 10, &oom);
	t->source_url = sql_col_text(s, 11, &oom);
	t->context = sql_col_text(s, 12, &oom);
	t->csat = sql_col_text(s, 13, &oom);
	t->csat_comment = sql_col_text(s, 14, &oom);
	t->created_at = sqlite3_column_int64(s, 15);
	t->updated_at = sqlite3_column_int64(s, 16);
	t->solved_at = sqlite3_column_int64(s, 17);
	t->first_response_at = sqlite3_column_int64(s, 18);
	if (oom)
		store_ticket_free(t);
	return !oom;
}

/* Runs a one-row ticket query (bound by the caller) into out. */
static int
one_ticket(struct conn *c, sqlite3_stmt *s, struct store_ticket *out)
{
	int	 rc, r;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = row_ticket(s, out) ? STORE_OK : STORE_ERROR;
	else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "ticket get");
	sql_done(s);
	return r;
}

int
stx_ticket_create(struct store_tx *tx, const struct store_ticket_new *n,
    long long now, long long *id, char ref[64], int *replayed)
{
	sqlite3_stmt	*s;
	long long	 next;
	int		 rc, oom = 0;
	char		*r;

	*replayed = 0;
	if (n->idempotency_key != NULL) {
		if ((s = sql_stmt(tx->c, q_ticket_by_key)) == NULL)
			return STORE_ERROR;
		sql_bind_text(s, 1, n->email);
		sql_bind_text(s, 2, n->idempotency_key);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			*id = sqlite3_column_int64(s, 0);
			r = sql_col_text(s, 1, &oom);
			snprintf(ref, 64, "%s", r ? r : "");
			free(r);
			sql_done(s);
			*replayed = 1;
			return oom ? STORE_ERROR : STORE_OK;
		}
		sql_done(s);
		if (rc != SQLITE_DONE)
			return sql_fail(tx->c, rc, "ticket by key");
	}
	if ((s = sql_stmt(tx->c, q_ticket_next)) == NULL)
		return STORE_ERROR;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sql_done(s);
		return sql_fail(tx->c, rc, "ticket next");
	}
	next = sqlite3_column_int64(s, 0);
	sql_done(s);
	snprintf(ref, 64, "%s-%lld", n->prefix, 1000 + next);
	if ((s = sql_stmt(tx->c, q_ticket_insert)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, next);
	sql_bind_text(s, 2, ref);
	sql_bind_time(s, 3, n->user_id);
	sql_bind_text(s, 4, n->email);
	sql_bind_text(s, 5, n->type);
	sql_bind_text(s, 6, n->subject);
	sql_bind_text(s, 7, n->fields ? n->fields : "{}");
	sql_bind_text(s, 8, n->status ? n->status : "new");
	sql_bind_text(s, 9, n->priority ? n->priority : "normal");
	sql_bind_text(s, 10, n->source_url);
	sql_bind_text(s, 11, n->context ? n->context : "{}");
	sql_bind_text(s, 12, n->idempotency_key);
	sql_bind_int(s, 13, now);
	if ((rc = sql_step_change(tx->c, s, 0, "ticket insert")) != STORE_OK)
		return rc;
	*id = next;
	return STORE_OK;
}

int
stx_ticket_by_ref(struct store_tx *tx, const char *ref,
    struct store_ticket *out)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_ticket_by_ref)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, ref);
	return one_ticket(tx->c, s, out);
}

int
stx_ticket_by_id(struct store_tx *tx, long long id, struct store_ticket *out)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_ticket_by_id)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	return one_ticket(tx->c, s, out);
}

int
store_ticket_by_ref(struct store *st, const char *ref,
    struct store_ticket *out)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 r;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_ticket_by_ref)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_text(s, 1, ref);
	r = one_ticket(c, s, out);
	store_reader_put(st, c);
	return r;
}

int
stx_ticket_set_status(struct store_tx *tx, long long id, const char *status,
    long long now)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_ticket_status)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	sql_bind_text(s, 2, status);
	sql_bind_int(s, 3, now);
	return sql_step_change(tx->c, s, 1, "ticket status");
}

int
stx_ticket_set(struct store_tx *tx, long long id, const char *column,
    const char *value, long long now)
{
	sqlite3_stmt	*s;
	const char	*q;

	if (strcmp(column, "assignee") == 0)
		q = q_ticket_assignee;
	else if (strcmp(column, "roadmap_id") == 0)
		q = q_ticket_roadmap;
	else if (strcmp(column, "priority") == 0)
		q = q_ticket_priority;
	else
		return STORE_ERROR;
	if ((s = sql_stmt(tx->c, q)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	sql_bind_text(s, 2, value);
	sql_bind_int(s, 3, now);
	return sql_step_change(tx->c, s, 1, "ticket set");
}

int
stx_ticket_rate(struct store_tx *tx, long long id, const char *rating,
    const char *comment, long long now)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_ticket_rate)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, id);
	sql_bind_text(s, 2, rating);
	sql_bind_text(s, 3, comment);
	sql_bind_int(s, 4, now);
	return sql_step_change(tx->c, s, 1, "ticket rate");
}

int
store_ticket_list(struct store *st, const struct store_ticket_filter *f,
    int (*fn)(const struct store_ticket *, void *), void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	struct store_ticket t;
	int		 rc, r = STORE_OK;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_ticket_list)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, f->user_id);
	sql_bind_text(s, 2, f->status);
	sql_bind_text(s, 3, f->type);
	sql_bind_int(s, 4, f->since);
	sql_bind_int(s, 5, f->newest_update);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!row_ticket(s, &t)) {
			r = STORE_ERROR;
			break;
		}
		rc = fn(&t, arg);
		store_ticket_free(&t);
		if (!rc) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "ticket list");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

/* ---- events ---- */

int
stx_ticket_event_add(struct store_tx *tx, long long ticket_id,
    const char *author, const char *author_name, const char *kind,
    const char *body, long long now, long long *id)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = sql_stmt(tx->c, q_event_insert)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, ticket_id);
	sql_bind_text(s, 2, author);
	sql_bind_text(s, 3, author_name ? author_name : "");
	sql_bind_text(s, 4, kind);
	sql_bind_text(s, 5, body ? body : "");
	sql_bind_int(s, 6, now);
	if ((r = sql_step_change(tx->c, s, 0, "event insert")) != STORE_OK)
		return r;
	if (id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	if ((s = sql_stmt(tx->c, q_event_touch)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, ticket_id);
	sql_bind_int(s, 2, now);
	sql_bind_int(s, 3, strcmp(author, "staff") == 0 &&
	    strcmp(kind, "comment") == 0);
	return sql_step_change(tx->c, s, 1, "event touch");
}

int
store_ticket_events(struct store *st, long long ticket_id,
    int (*fn)(const struct store_ticket_event *, void *), void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	struct store_ticket_event e;
	int		 rc, r = STORE_OK, oom = 0;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_event_list)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, ticket_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(s, 0);
		e.ticket_id = sqlite3_column_int64(s, 1);
		e.author = sql_col_text(s, 2, &oom);
		e.author_name = sql_col_text(s, 3, &oom);
		e.kind = sql_col_text(s, 4, &oom);
		e.body = sql_col_text(s, 5, &oom);
		e.created_at = sqlite3_column_int64(s, 6);
		if (oom) {
			store_ticket_event_free(&e);
			r = STORE_ERROR;
			break;
		}
		rc = fn(&e, arg);
		store_ticket_event_free(&e);
		if (!rc) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "event list");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

/* ---- attachments ---- */

int
stx_attachment_add(struct store_tx *tx, const struct store_attachment *a,
    long long now, long long *id)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = sql_stmt(tx->c, q_att_insert)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, a->ticket_id);
	sql_bind_time(s, 2, a->event_id);
	sql_bind_text(s, 3, a->name);
	sql_bind_text(s, 4, a->stored);
	sql_bind_text(s, 5, a->type);
	sql_bind_int(s, 6, a->size);
	sql_bind_text(s, 7, a->sha256);
	sql_bind_text(s, 8, a->key);
	sql_bind_int(s, 9, now);
	if ((r = sql_step_change(tx->c, s, 0, "attachment insert")) ==
	    STORE_OK && id)
		*id = sqlite3_last_insert_rowid(tx->c->db);
	return r;
}

static int
row_attachment(sqlite3_stmt *s, struct store_attachment *a)
{
	int	 oom = 0;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->ticket_id = sqlite3_column_int64(s, 1);
	a->event_id = sqlite3_column_int64(s, 2);
	a->name = sql_col_text(s, 3, &oom);
	a->stored = sql_col_text(s, 4, &oom);
	a->type = sql_col_text(s, 5, &oom);
	a->size = sqlite3_column_int64(s, 6);
	a->sha256 = sql_col_text(s, 7, &oom);
	a->created_at = sqlite3_column_int64(s, 8);
	a->key = sql_col_text(s, 9, &oom);
	if (oom)
		store_attachment_free(a);
	return !oom;
}

/* The attachment list on connection c. */
static int
attachments_on(struct conn *c, long long ticket_id,
    int (*fn)(const struct store_attachment *, void *), void *arg)
{
	sqlite3_stmt	*s;
	struct store_attachment a;
	int		 rc, r = STORE_OK;

	if ((s = sql_stmt(c, q_att_list)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, ticket_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!row_attachment(s, &a)) {
			r = STORE_ERROR;
			break;
		}
		rc = fn(&a, arg);
		store_attachment_free(&a);
		if (!rc) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "attachment list");
	sql_done(s);
	return r;
}

int
store_attachments(struct store *st, long long ticket_id,
    int (*fn)(const struct store_attachment *, void *), void *arg)
{
	struct conn	*c;
	int		 r;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	r = attachments_on(c, ticket_id, fn, arg);
	store_reader_put(st, c);
	return r;
}

int
stx_attachments(struct store_tx *tx, long long ticket_id,
    int (*fn)(const struct store_attachment *, void *), void *arg)
{
	return attachments_on(tx->c, ticket_id, fn, arg);
}

int
store_attachment_get(struct store *st, long long ticket_id, long long id,
    struct store_attachment *out)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	int		 rc, r;

	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, q_att_get)) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, ticket_id);
	sql_bind_int(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = row_attachment(s, out) ? STORE_OK : STORE_ERROR;
	else if (rc == SQLITE_DONE)
		r = STORE_NOTFOUND;
	else
		r = sql_fail(c, rc, "attachment get");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}

/* ---- tokens ---- */

int
stx_ticket_token_add(struct store_tx *tx, const char *hash,
    const char *purpose, long long ticket_id, long long now,
    long long expires_at)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_tok_insert)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_int(s, 2, ticket_id);
	sql_bind_text(s, 3, purpose);
	sql_bind_int(s, 4, now);
	sql_bind_int(s, 5, expires_at);
	return sql_step_change(tx->c, s, 0, "ticket token add");
}

int
stx_ticket_token_get(struct store_tx *tx, const char *hash,
    const char *purpose, long long now, int consume, long long *ticket_id)
{
	sqlite3_stmt	*s;
	int		 rc, used;

	if ((s = sql_stmt(tx->c, q_tok_get)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_text(s, 2, purpose);
	sql_bind_int(s, 3, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sql_done(s);
		return rc == SQLITE_DONE ? STORE_NOTFOUND :
		    sql_fail(tx->c, rc, "ticket token get");
	}
	*ticket_id = sqlite3_column_int64(s, 0);
	used = sqlite3_column_type(s, 1) != SQLITE_NULL;
	sql_done(s);
	if (!consume)
		return STORE_OK;
	if (used)
		return STORE_NOTFOUND;
	if ((s = sql_stmt(tx->c, q_tok_use)) == NULL)
		return STORE_ERROR;
	sql_bind_text(s, 1, hash);
	sql_bind_int(s, 2, now);
	return sql_step_change(tx->c, s, 1, "ticket token use");
}

int
stx_ticket_tokens_drop(struct store_tx *tx, long long ticket_id,
    const char *purpose)
{
	sqlite3_stmt	*s;

	if ((s = sql_stmt(tx->c, q_tok_drop)) == NULL)
		return STORE_ERROR;
	sql_bind_int(s, 1, ticket_id);
	sql_bind_text(s, 2, purpose);
	return sql_step_change(tx->c, s, 0, "ticket tokens drop");
}
