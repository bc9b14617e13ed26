/*
 * search: the precomputed, sharded search index under /search/, built
 * from the markdown sections while the pages render.  docs/search.md
 * describes the files, the ranking and the client.
 *
 * The unit of results is a section: the text before a page's first h2
 * (the page itself), then one per h2 or h3.  Each render worker turns
 * its pages into a compact record (search_add: tokenising, stemming and
 * counting happen there, in parallel); the records are merged into one
 * dictionary in page order, so the output does not depend on the number
 * of threads.  The merge goes by groups of consecutive pages, each merged
 * on its own into a partial index first, which the pack keeps: after an
 * edit, the other groups' partials are merged as they lie in the pack;
 * when only a few pages' bodies changed, the last build's index (kept in
 * the pack whole) is patched with their words instead.
 * Merging is done by whichever worker finds the merge lock free
 * (pthread_mutex_trylock: no worker ever waits for it), and at the end by
 * search_finish, which scores the postings on all threads.  Excerpt
 * chunks are written as soon as they fill up, and postings stay
 * varint-encoded where the partials hold them, so memory stays a fraction
 * of the site's markdown.
 *
 * Files (HASH: of all the files but the root, so names change with the
 * content):
 *   search/index.json      the root: shard keys, chunk sizes, the hash
 *   search/sN.HASH.json    dictionary shards: contiguous ranges of terms
 *   search/cN.HASH.json    excerpt chunks: contiguous ranges of sections
 *   search/t.HASH.json     which sections carry each tag (for filters)
 */
#ifndef PORCH_SEARCH_H
#define PORCH_SEARCH_H

#include <stddef.h>

#include "markdown.h"
#include "model.h"
#include "output.h"

/* Bounds on the number of files, whatever the size of the site. */
#define SEARCH_MAX_SHARDS	256
#define SEARCH_MAX_CHUNKS	512
/* A term keeps the postings a query is likely to need: the pages it is
 * in the title of, and the other sections it scores highest in.  Its
 * document frequency stays exact. */
#define SEARCH_MAX_POSTINGS	400
#define SEARCH_MAX_TITLE_POSTINGS 4000
/* Code points of section text kept for the excerpt. */
#define SEARCH_EXCERPT_CHARS	120
/* Surface forms listed per stem (the client cannot stem). */
#define SEARCH_MAX_SURFACES	8

struct search_index;
struct search_worker;

struct pack;

/*
 * Starts the index of site, written into out when search_finish runs.
 * The site must stay unchanged until search_free.  pack (pack.h, may be
 * NULL) keeps each page's record and each group's partial index for
 * later builds: a page whose title, tags, meta strings and sections are
 * unchanged is not tokenised again, a group of such pages not merged.
 * threads: how many search_finish may use (the render workers' number).
 */
struct search_index *search_new(const struct site *, const struct out_dir *,
	     struct pack *pack, int threads);

/* Per render thread: its own tokenizer and counting tables. */
struct search_worker *search_worker_new(struct search_index *);
void	 search_worker_free(struct search_worker *);

/*
 * Adds page p, whose markdown rendered into doc (NULL: p was not
 * rendered; its record is then read, or made, from its body).  Called
 * once for every
 * page with a source file, by the thread that rendered it; pages with
 * "search: false" in their front matter are left out.  May merge the
 * pages that are ready and write excerpt chunks.
 */
void	 search_add(struct search_worker *, struct page *p,
	     const struct md_doc *doc);

/*
 * Merges what is left and writes the shards, the tag file and the root.
 * Call after every page was added and every worker freed.  Returns 1, or
 * 0 after reporting through diag.
 */
int	 search_finish(struct search_index *);
void	 search_free(struct search_index *);

/*
 * For tests and the documentation: the impact of a term in a section as
 * stored (0..63, a log scale: SEARCH_Q0 * SEARCH_QR^q), from its counts in
 * the title, page title (a section under it), heading, tags and
 * description, and body, with the section's body length over the average.
 */
#define SEARCH_Q0	0.05
#define SEARCH_QR	1.12
int	 search_quantize(double impact);

/* Compares two UTF-8 strings in UTF-16 code unit order, the order of
 * JavaScript's < on strings, which the client uses to find shards. */
int	 search_strcmp(const char *, const char *);

#endif
