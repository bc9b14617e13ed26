/*
 * cache: incremental builds.  Beside the site folder DEST lives
 * DEST.porch-cache/manifest, the list of every file the last successful
 * build left in DEST with two hashes: the hash of its bytes, and for
 * pages the render key, a hash of everything the page's bytes depend on
 * (the porch binary, the template files, the `site` data given to every
 * template, the template's name and the page's own `page` data, content
 * HTML included).  The next build then
 *   - skips running the template of a page whose render key is unchanged,
 *   - skips compressing and writing any file whose bytes are unchanged,
 *   - writes what changed over spare files in DEST.porch-cache/spare/
 *     (spare.h) and, when the whole build succeeded, removes the files the
 *     new build no longer makes, moves the new files into DEST one by one
 *     (a rename or exchange, atomic per file), and writes the new manifest
 *     last.
 * The manifest is removed before DEST is touched, so a build killed
 * half-way leaves no manifest and the next build is a full one that
 * repairs DEST.  A failed build never touches DEST.  Without a usable
 * manifest (first build, --clean, another porch binary, gzip switched,
 * DEST replaced) the build is a full one with the atomic folder swap, and
 * writes a manifest for the next.  docs/incremental.md has the details.
 */
#ifndef PORCH_CACHE_H
#define PORCH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct out_cache;
struct spares;

/*
 * Opens the cache of the site folder final (without trailing '/').
 * clean: ignore what is there (a full build).  code: cache_code_identity's
 * (0: nothing is reused, no manifest is written).  Never fails: an
 * unreadable or stale manifest means a full build.  Needs site.lua's word
 * on gzip (cache_set_gzip) before any other call, so it can run while
 * site.lua is read.  Free with cache_free.
 */
struct out_cache *cache_open(const char *final, int clean, uint64_t code);
/* gzip: whether this build writes .gz twins; a manifest written for the
 * other setting, or by other code, is not used. */
void	 cache_set_gzip(struct out_cache *, int gzip);
void	 cache_free(struct out_cache *);

/* 1 when DEST is what the manifest describes, so this build can update it
 * in place; 0 for a full build. */
int	 cache_incremental(const struct out_cache *);
/* The files earlier builds replaced, for staged files to be written over
 * (spare.h); NULL for a full build. */
struct spares *cache_spares(const struct out_cache *);

/* The cache folder of the site folder final: a heap string,
 * FINAL.porch-cache (which may not exist yet). */
char	*cache_dir(const char *final);
/* The hash of the code that makes every cached result: the porch binary
 * and every shared library it loaded (cmark-gfm, the stemmer, Lua...: an
 * upgrade may change their output under the same binary), identified by
 * path, inode, size and modification time; 0 when the binary could not
 * be read and nothing may be reused.  The seed of pack.h's pack. */
uint64_t cache_code_identity(void);

/*
 * Sets the part of every render key shared by all pages: the files under
 * the template folders (dirs[0..n-1], the first wins, as in template.c)
 * and the `site` data: site_json, and deferred, the hash of what its
 * deferred parts hold (template.h; pagedata_deferred).  Call once,
 * before rendering.
 */
void	 cache_set_base(struct out_cache *, char *const *dirs, size_t n,
	     json_t *site_json, uint64_t deferred);

/* What cache_set_base made of the templates and the site data. */
uint64_t cache_base(const struct out_cache *);
/* The same but the deferred parts of the site data (what a page read of
 * those is kept with its memo, pagememo.h). */
uint64_t cache_base_site(const struct out_cache *);

/* The render key of a page rendered by template name from data (never
 * 0).  Thread-safe. */
uint64_t cache_page_key(const struct out_cache *, const char *name,
	     json_t *data);

/*
 * 1 when DEST already holds rel made with render key key: the file is
 * recorded as kept and the caller renders nothing.  Thread-safe.
 */
int	 cache_keep(struct out_cache *, const char *rel, uint64_t key);

/*
 * Records that this build makes rel with these bytes (key: its render key
 * or 0).  Returns 1 when DEST already holds exactly these bytes, so the
 * caller need not write them.  Otherwise, in an incremental build, *stage
 * is the number the caller stages the file under (the staging folder's
 * file "N", its .gz twin "N.gz"), else 0 (the file goes to its own path
 * there).  Thread-safe.
 */
int	 cache_record(struct out_cache *, const char *rel, const void *data,
	     size_t len, uint64_t key, size_t *stage);

/*
 * Forgets the manifest on disk: call before DEST is changed in any way,
 * so a crash half-way cannot leave a manifest that lies.
 */
void	 cache_invalidate(struct out_cache *);

/*
 * The in-place commit of an incremental build, on threads: removes from
 * final what this build did not make, moves every staged file into final
 * under its name, then removes tmp, the staging folder (an incremental
 * build leaves it empty).  Returns 1, or 0 after
 * reporting (final is then partly updated and has no manifest: the next
 * build is full).
 */
int	 cache_commit(struct out_cache *, const char *tmp, const char *final,
	     int threads);

/* Writes the manifest for final after a successful commit.  Returns 1, or
 * 0 after a warning (the next build is then a full one). */
int	 cache_save(struct out_cache *, const char *final);

/* How many outputs were written and kept, for the summary line. */
void	 cache_counts(struct out_cache *, size_t *written,
	     size_t *kept);

#endif
