/*
 * votes: reading the vote counts exported by porchd into the roadmap
 * pages (votes.h).  The counts only decorate pages; the file is checked
 * strictly all the same, since a typo in it should fail the build rather
 * than show wrong numbers.
 */
#include <jansson.h>

#include "diag.h"
#include "model.h"
#include "strmap.h"
#include "votes.h"

#define VOTES_MAX	100000000LL	/* a count above this is a mistake */

int
votes_load(struct site *s, const char *path)
{
	json_error_t	 e;
	json_t		*root, *counts, *v;
	const char	*id;
	struct page	*p;
	int		 ok = 1;

	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &e)) ==
	    NULL) {
		diag_error(path, e.line > 0 ? e.line : 0, e.column > 0 ?
		    e.column : 0, "%s", e.text);
		return 0;
	}
	counts = json_object_get(root, "counts");
	if (counts == NULL)
		counts = root;
	if (!json_is_object(counts)) {
		diag_error(path, 1, 1, "expected an object of roadmap ids "
		    "and vote counts");
		json_decref(root);
		return 0;
	}
	json_object_foreach(counts, id, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > VOTES_MAX) {
			diag_error(path, 1, 1, "'%s': expected a vote count "
			    "(a whole number from 0)", id);
			ok = 0;
			continue;
		}
		if ((p = strmap_get(&s->roadmap_ids, id)) == NULL)
			continue;
		p->votes = (long)json_integer_value(v);
		p->has_votes = 1;
	}
	json_decref(root);
	return ok;
}
