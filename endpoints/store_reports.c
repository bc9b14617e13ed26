/*
 * store_reports: the read-only queries behind `porchd report` (report.c),
 * over the tables of store_votes.c and store_tickets.c.  Each query is a
 * static string; store_report_run hands every row to the caller as text
 * with a flag per column saying whether it is a number, so the report
 * writer can print text, CSV or JSON without knowing SQLite.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_impl.h"
#include "store_votes.h"

#define REPORT_COLS_MAX	12

/* ?1 is since, ?2 the row cap (-1: none). */
static const char q_votes[] =
	"SELECT i.item AS item,"
	"  (SELECT COUNT(*) FROM votes v WHERE v.item = i.item) AS votes,"
	"  COALESCE(SUM(e.delta > 0), 0) AS added,"
	"  COALESCE(SUM(e.delta < 0), 0) AS removed,"
	"  COALESCE(SUM(e.delta), 0) AS net "
	"FROM (SELECT item FROM votes UNION SELECT item FROM vote_events) i "
	"LEFT JOIN vote_events e ON e.item = i.item AND e.created_at >= ?1 "
	"GROUP BY i.item ORDER BY votes DESC, net DESC, i.item LIMIT ?2";
static const char q_vote_days[] =
	"SELECT date(created_at, 'unixepoch') AS day,"
	"  SUM(delta > 0) AS added, SUM(delta < 0) AS removed,"
	"  SUM(delta) AS net "
	"FROM vote_events WHERE created_at >= ?1 "
	"GROUP BY day ORDER BY day LIMIT ?2";
/* Least helpful first: the share of "yes", then the most "no". */
static const char q_feedback[] =
	"SELECT page, SUM(helpful) AS yes, SUM(NOT helpful) AS no,"
	"  CAST(ROUND(100.0 * SUM(helpful) / COUNT(*)) AS INTEGER)"
	"    AS helpful_pct,"
	"  (SELECT group_concat(c, char(10)) FROM (SELECT comment AS c"
	"    FROM feedback g WHERE g.page = f.page AND g.comment <> ''"
	"    AND g.updated_at >= ?1 ORDER BY g.helpful, g.updated_at DESC"
	"    LIMIT 20)) AS comments "
	"FROM feedback f WHERE updated_at >= ?1 "
	"GROUP BY page ORDER BY helpful_pct, no DESC, page LIMIT ?2";
static const char q_misses[] =
	"SELECT query, count, first_at, last_at FROM search_misses "
	"WHERE last_at >= ?1 ORDER BY count DESC, query LIMIT ?2";
/* The searches a customer made before filing a ticket (the ticket
 * form's context), normalised the way porchd stores misses as far as
 * SQL can: trimmed and lower case. */
static const char q_ticket_searches[] =
	"SELECT lower(trim(j.value)) AS query, COUNT(DISTINCT t.id) AS tickets "
	"FROM tickets t, json_each(t.context, '$.searches') j "
	"WHERE t.created_at >= ?1 AND json_valid(t.context)"
	"  AND j.type = 'text' AND trim(j.value) <> '' "
	"GROUP BY 1 ORDER BY tickets DESC, query LIMIT ?2";
/* See docs/reports.md for the definitions. */
static const char q_deflection[] =
	"WITH t AS (SELECT"
	"  COALESCE(json_array_length(context, '$.suggestions_shown'), 0)"
	"    AS shown,"
	"  COALESCE(json_array_length(context, '$.suggestions_opened'), 0)"
	"    AS opened "
	"  FROM tickets WHERE created_at >= ?1 AND json_valid(context)"
	"  AND status <> 'unconfirmed'),"
	" f AS (SELECT COALESCE(SUM(helpful), 0) AS yes FROM feedback"
	"  WHERE updated_at >= ?1) "
	"SELECT COUNT(*) AS tickets,"
	"  COALESCE(SUM(shown > 0), 0) AS with_suggestions,"
	"  COALESCE(SUM(opened > 0), 0) AS opened_suggestion,"
	"  (SELECT yes FROM f) AS helpful_yes,"
	"  CASE WHEN (SELECT yes FROM f) + COUNT(*) = 0 THEN NULL ELSE"
	"    ROUND(100.0 * (SELECT yes FROM f) / ((SELECT yes FROM f) +"
	"    COUNT(*)), 1) END AS self_service_pct,"
	"  CASE WHEN COALESCE(SUM(shown > 0), 0) = 0 THEN NULL ELSE"
	"    ROUND(100.0 * SUM(opened > 0) / SUM(shown > 0), 1) END"
	"    AS open_pct "
	"FROM t LIMIT ?2";
static const char q_opened_then_ticket[] =
	"SELECT j.value AS url, COUNT(DISTINCT t.id) AS tickets "
	"FROM tickets t, json_each(t.context, '$.suggestions_opened') j "
	"WHERE t.created_at >= ?1 AND json_valid(t.context)"
	"  AND j.type = 'text' "
	"GROUP BY 1 ORDER BY tickets DESC, url LIMIT ?2";

static const char *const queries[] = {
	[REPORT_VOTES] = q_votes,
	[REPORT_VOTE_DAYS] = q_vote_days,
	[REPORT_FEEDBACK] = q_feedback,
	[REPORT_MISSES] = q_misses,
	[REPORT_TICKET_SEARCHES] = q_ticket_searches,
	[REPORT_DEFLECTION] = q_deflection,
	[REPORT_OPENED_THEN_TICKET] = q_opened_then_ticket,
};

int
store_report_run(struct store *st, enum store_report which, long long since,
    int limit, store_row_fn row, void *arg)
{
	struct conn	*c;
	sqlite3_stmt	*s;
	const char	*names[REPORT_COLS_MAX], *vals[REPORT_COLS_MAX];
	int		 num[REPORT_COLS_MAX], n, i, rc, r = STORE_OK, t;

	if ((unsigned)which >= sizeof(queries) / sizeof(queries[0]))
		return STORE_ERROR;
	if ((c = store_reader_get(st)) == NULL)
		return STORE_ERROR;
	if ((s = sql_stmt(c, queries[which])) == NULL) {
		store_reader_put(st, c);
		return STORE_ERROR;
	}
	sql_bind_int(s, 1, since);
	sql_bind_int(s, 2, limit > 0 ? limit : -1);
	n = sqlite3_column_count(s);
	if (n > REPORT_COLS_MAX)
		n = REPORT_COLS_MAX;
	for (i = 0; i < n; i++)
		names[i] = sqlite3_column_name(s, i);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			t = sqlite3_column_type(s, i);
			num[i] = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
			vals[i] = (const char *)sqlite3_column_text(s, i);
		}
		if (!row(n, names, vals, num, arg))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = sql_fail(c, rc, "report");
	sql_done(s);
	store_reader_put(st, c);
	return r;
}
