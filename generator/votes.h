/*
 * votes: build-time vote counts for the roadmap (`porch build --votes
 * FILE`), so that a page without JavaScript still shows how many people
 * want each item.  FILE is what `porchd report votes --json` writes.
 */
#ifndef PORCH_VOTES_H
#define PORCH_VOTES_H

struct site;

/*
 * Reads path, a JSON object {"item": count, ...} or an object whose
 * "counts" member is one (porchd's report), and sets votes/has_votes on
 * the roadmap pages of s it names; ids the site does not have are
 * ignored (an item removed since the export).  Problems are reported
 * through diag as path:line:col; returns 1 when there was none.
 */
int	 votes_load(struct site *s, const char *path);

#endif
