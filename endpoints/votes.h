/*
 * votes: the routes of votes, "was this helpful?", search misses and
 * unsubscribing (docs/api.md, "Votes, feedback, search misses"), and the
 * in-memory vote counts they keep (votecache.h).
 */
#ifndef PORCHD_VOTES_H
#define PORCHD_VOTES_H

#include "route.h"

struct app;

/* Longest item id, feedback comment (bytes) and client id. */
#define VOTES_ITEM_MAX		100
#define VOTES_COUNTS_MAX	200	/* items one GET /votes/counts asks */
#define FEEDBACK_COMMENT_MAX	1000
#define FEEDBACK_CLIENT_MIN	8
#define FEEDBACK_CLIENT_MAX	64
#define MISS_QUERY_MAX		1000	/* bytes accepted before normalising */

/*
 * Loads the vote counts from app->store into a new app->votes and makes
 * the per-account vote limiter from the settings.  Call after the store
 * opens and before the server starts; returns 1, or 0 (logged).
 */
int	 votes_start(struct app *);
/* Frees what votes_start made (after the server stopped). */
void	 votes_stop(struct app *);

#endif
