/*
 * output: the build writes into a fresh folder beside the destination and
 * swaps it into place only when everything succeeded, so a failed build
 * leaves the previous site untouched and a reader never sees half a site.
 * Text files (HTML, CSS, JS, XML, JSON, SVG, TXT) get a .gz twin made with
 * libdeflate (mtime 0 in the header, so the same input gives the same
 * bytes).
 */
#ifndef PORCH_OUTPUT_H
#define PORCH_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct out_cache;

struct out_dir {
	char	*final;		/* the destination, e.g. "public" */
	char	*tmp;		/* where this build writes */
	int	 gzip;		/* write .gz twins */
	int	 dry;		/* porch check: write nothing, succeed */
	struct out_cache *cache; /* incremental builds (cache.h), or NULL */
};

/*
 * Prepares a build into final.  Refuses a destination that holds the
 * content folder, lies inside it, or exists with files but no catalog.json
 * (it does not look like a site Porch made, and the swap would delete it).
 * Returns 1, or 0 after reporting through diag.
 */
int	 out_begin(struct out_dir *, const char *final, const char *content_dir,
	     int gzip);
/* The file every site Porch builds has (feeds.c writes it), and porchd
 * reads from disk: it gets no .gz twin. */
#define OUT_CATALOG	"catalog.json"
/* Writes rel (output-relative path) with its .gz twin when it is text.
 * Thread-safe.  Returns 1, or 0 after reporting through diag. */
int	 out_write(const struct out_dir *, const char *rel, const void *,
	     size_t);
/* The same for a page made with render key key (cache.h); a file whose
 * bytes the site folder already holds is not written again. */
int	 out_write_keyed(const struct out_dir *, const char *rel, const void *,
	     size_t, uint64_t key);
/* Copies the file src to rel, with a .gz twin when it is text. */
int	 out_copy(const struct out_dir *, const char *src, const char *rel);
/* Swaps the new site into place and removes the old one. */
int	 out_commit(struct out_dir *);
/* Removes the unfinished build. */
void	 out_abort(struct out_dir *);
/* Gzip of data into a heap buffer (*outlen bytes); the header has mtime 0. */
unsigned char *out_gzip(const void *data, size_t len, size_t *outlen);
/* Removes a folder and everything in it; 1 on success. */
int	 out_remove_tree(const char *path);

#endif
