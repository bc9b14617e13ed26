#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "buf.h"
#include "cache.h"
#include "diag.h"
#include "output.h"
#include "parallel.h"
#include "path.h"
#include "spare.h"
#include "stemlib.h"
#include "strmap.h"
#include "xalloc.h"

/* Bumped when the manifest's meaning changes: older manifests are then
 * ignored (one full build). */
#define CACHE_FORMAT	1
/* Folders below a template folder that are hashed (template.c's limit is
 * lower; deeper ones are hashed too, harmlessly). */
#define CACHE_DIR_DEPTH	32

struct centry {
	uint64_t	 hash;		/* of the file's bytes */
	uint64_t	 key;		/* render key, 0 for other files */
	size_t		 stage;		/* this build's: its staged file's
					   number (cache_record), 0: none */
	atomic_bool	 kept;		/* old entries: cache_keep'd this build */
	unsigned char	 fate;		/* old entries, once settled */
};

/* An entry of the last manifest, as it was written there. */
struct old_line {
	struct centry	 e;
	const char	*rel;
	const char	*line;		/* "HASH KEY REL", no newline */
	size_t		 len;
};

/* What becomes of an old entry when the build is done (settle). */
enum fate {
	FATE_GONE,	/* neither kept nor recorded: its file goes */
	FATE_KEPT,	/* kept, not recorded again: the new manifest takes it */
	FATE_REPLACED	/* recorded again: the recorded entry wins, as its
			   file is the one moved into place */
};

struct out_cache {
	char		*dir;		/* DEST.porch-cache */
	char		*manifest;	/* dir/manifest */
	int		 incremental;	/* old describes DEST */
	int		 usable;	/* a manifest may be written */
	uint64_t	 code;		/* cache_code_identity's */
	uint64_t	 global;	/* code, format, gzip */
	uint64_t	 old_global;	/* the last manifest's */
	uint64_t	 base;		/* global, templates, site data */
	uint64_t	 base_site;	/* the same but its deferred parts */
	struct strmap	 old;		/* rel -> struct centry *, last build */
	struct old_line	*lines;		/* the last manifest's entries, in its
					   (name) order; the centries of old */
	size_t		 nlines;
	char		*old_text;	/* that manifest, lines point in it */
	struct strmap	 cur;		/* rel -> struct centry *, this build:
					   what was recorded; with the old
					   entries kept, the new manifest */
	pthread_mutex_t	 lock;		/* guards cur and the counts */
	size_t		 written, same;	/* recorded: new bytes, the old ones */
	size_t		 staged;	/* files staged under numbers */
	size_t		 kept;		/* old entries whose fate is FATE_KEPT */
	int		 settled;	/* the old entries' fates are set */
	struct spares	*spares;	/* dir/spare, incremental builds */
};

/* Feeds the whole file at path to st; 1, or 0 if it cannot be read. */
static int
hash_file(XXH3_state_t *st, const char *path)
{
	char	 b[65536];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	while ((n = read(fd, b, sizeof(b))) > 0)
		XXH3_64bits_update(st, b, (size_t)n);
	close(fd);
	return n == 0;
}

/*
 * What every output depends on besides the site: the code (the porch
 * binary and its libraries, cache_code_identity: a new porch may render
 * differently), the manifest format and whether .gz twins are written.
 * 0 when the code is unknown: never incremental.
 */
static uint64_t
global_key(uint64_t code, int gzip)
{
	uint64_t	 v[3] = { CACHE_FORMAT, (uint64_t)gzip, code }, h;

	if (code == 0)
		return 0;
	h = XXH3_64bits(v, sizeof(v));
	return h ? h : 1;
}

static void
map_free(struct strmap *m)
{
	size_t	 i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			free(m->slots[i].value);
	strmap_free(m);
}

/* Reads the whole file at path into a heap string; NULL if it cannot. */
static char *
slurp(const char *path)
{
	struct stat	 st;
	char		*s;
	ssize_t		 n;
	size_t		 done = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return NULL;
	}
	s = xmalloc((size_t)st.st_size + 1);
	while (done < (size_t)st.st_size &&
	    (n = read(fd, s + done, (size_t)st.st_size - done)) > 0)
		done += (size_t)n;
	close(fd);
	s[done] = '\0';
	return s;
}

/* Drops what load_manifest loaded: the last build's entries. */
static void
forget_manifest(struct out_cache *c)
{
	strmap_free(&c->old);
	free(c->lines);
	free(c->old_text);
	c->lines = NULL;
	c->nlines = 0;
	c->old_text = NULL;
}

/*
 * Loads the manifest into c->old.  It reads
 *	porch-cache FORMAT GLOBAL DEV INO
 *	HASH KEY REL		(one line per output file, hex)
 *	end COUNT
 * and is taken only when the header matches this format and the site
 * folder is the very folder it was written for (same device and inode: a
 * folder replaced by someone else, or by a full build that was killed
 * before writing its manifest, does not match); cache_set_gzip checks
 * GLOBAL.  Returns 1 if loaded.
 */
static int
load_manifest(struct out_cache *c, const char *final)
{
	struct stat	 st;
	char		*text, *line, *nl, *rel, *end;
	unsigned	 format;
	uint64_t	 global, dev, ino, n;
	struct old_line	*l;
	int		 ok = 0;

	if (stat(final, &st) == -1 || !S_ISDIR(st.st_mode))
		return 0;
	if ((text = slurp(c->manifest)) == NULL)
		return 0;
	line = text;
	if ((nl = strchr(line, '\n')) == NULL)
		goto out;
	*nl = '\0';
	if (sscanf(line, "porch-cache %u %" SCNx64 " %" SCNx64 " %" SCNx64,
	    &format, &global, &dev, &ino) != 4 || format != CACHE_FORMAT ||
	    dev != (uint64_t)st.st_dev ||
	    ino != (uint64_t)st.st_ino)
		goto out;
	/* Every entry in one array, sized by the lines to come, as old
	 * points into it and it cannot move: ten thousand allocations
	 * fewer. */
	for (n = 0, end = nl + 1; (end = strchr(end, '\n')) != NULL; end++)
		n++;
	c->lines = xcalloc(n + 1, sizeof(*c->lines));
	for (line = nl + 1; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (strncmp(line, "end ", 4) == 0) {
			n = strtoull(line + 4, &end, 10);
			ok = *end == '\0' && n == c->nlines && nl[1] == '\0';
			break;
		}
		l = &c->lines[c->nlines];
		l->e.hash = strtoull(line, &end, 16);
		if (*end != ' ')
			break;
		l->e.key = strtoull(end + 1, &rel, 16);
		/* In name order, as cache_save writes them, which it relies
		 * on to write the kept ones back without sorting. */
		if (*rel != ' ' || rel[1] == '\0' || (c->nlines > 0 &&
		    strcmp(c->lines[c->nlines - 1].rel, rel + 1) >= 0) ||
		    strmap_put(&c->old, rel + 1, &l->e) != &l->e)
			break;
		l->rel = rel + 1;
		l->line = line;
		l->len = (size_t)(nl - line);
		c->nlines++;
	}
out:
	if (ok) {
		c->old_text = text;
		c->old_global = global;
	} else {
		forget_manifest(c);
		free(text);
	}
	return ok;
}

struct out_cache *
cache_open(const char *final, int clean, uint64_t code)
{
	struct out_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	c->dir = cache_dir(final);
	c->manifest = path_join(c->dir, "manifest");
	c->code = code;
	if (code != 0 && !clean)
		c->incremental = load_manifest(c, final);
	if (c->incremental) {
		char *spare = path_join(c->dir, "spare");

		/* An incremental build stages its files among the spares:
		 * without their folder, a full build. */
		if ((c->spares = spares_open(spare)) == NULL) {
			forget_manifest(c);
			c->incremental = 0;
		}
		free(spare);
	}
	return c;
}

void
cache_set_gzip(struct out_cache *c, int gzip)
{
	c->global = global_key(c->code, gzip);
	c->usable = c->global != 0;
	if (c->incremental && c->old_global != c->global) {
		forget_manifest(c);
		c->incremental = 0;
	}
}

void
cache_free(struct out_cache *c)
{
	if (c == NULL)
		return;
	forget_manifest(c);
	map_free(&c->cur);
	spares_close(c->spares);
	pthread_mutex_destroy(&c->lock);
	free(c->dir);
	free(c->manifest);
	free(c);
}

int
cache_incremental(const struct out_cache *c)
{
	return c->incremental;
}

struct spares *
cache_spares(const struct out_cache *c)
{
	return c->spares;
}

/* Hashes a shared object's path and file identity into st. */
static void
hash_object(XXH3_state_t *st, const char *path)
{
	struct stat	 sb;
	uint64_t	 id[5] = { 0 };

	if (stat(path, &sb) == 0) {
		id[0] = (uint64_t)sb.st_dev;
		id[1] = (uint64_t)sb.st_ino;
		id[2] = (uint64_t)sb.st_size;
		id[3] = (uint64_t)sb.st_mtim.tv_sec;
		id[4] = (uint64_t)sb.st_mtim.tv_nsec;
	}
	XXH3_64bits_update(st, path, strlen(path) + 1);
	XXH3_64bits_update(st, id, sizeof(id));
}

/* dl_iterate_phdr's callback: a loaded shared object into the XXH3 state
 * arg. */
static int
hash_library(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0')
		return 0;	/* the binary itself, hashed whole already */
	hash_object(arg, info->dlpi_name);
	return 0;
}

uint64_t
cache_code_identity(void)
{
	XXH3_state_t	*st = XXH3_createState();
	uint64_t	 h = 0;

	XXH3_64bits_reset(st);
	if (hash_file(st, "/proc/self/exe")) {
		dl_iterate_phdr(hash_library, st);
		/* Loaded only when a page is tokenised (stemlib.h), so not
		 * among those yet: the stems depend on it all the same. */
		hash_object(st, stemlib_file());
		h = XXH3_64bits_digest(st);
		h = h ? h : 1;
	}
	XXH3_freeState(st);
	return h;
}

char *
cache_dir(const char *final)
{
	return xasprintf("%s.porch-cache", final);
}

static int
cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Feeds every file under path (names and bytes, in name order, hidden
 * ones left out as template.c does) to st. */
static void
hash_tree(XXH3_state_t *st, const char *path, int depth)
{
	struct dirent	**ents;
	struct stat	 sb;
	char		*full;
	int		 i, n;

	if ((n = scandir(path, &ents, NULL, cmp_name)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		full = path_join(path, ents[i]->d_name);
		XXH3_64bits_update(st, full, strlen(full) + 1);
		if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (depth < CACHE_DIR_DEPTH)
				hash_tree(st, full, depth + 1);
		} else if (!hash_file(st, full))
			XXH3_64bits_update(st, "?", 1);
		free(full);
		free(ents[i]);
	}
	free(ents);
}

/* Feeds a length (of a string, or a count of members) to st. */
static void
hash_size(XXH3_state_t *st, size_t n)
{
	uint64_t	 v = n;

	XXH3_64bits_update(st, &v, sizeof(v));
}

/*
 * Feeds the JSON tree v to st: each value's type, then strings and keys
 * with their lengths, containers with their sizes, so that two different
 * trees never feed the same bytes.  It walks the tree instead of hashing
 * its JSON text: escaping every page's HTML into text only to hash it was
 * most of what an incremental build spent on render keys (a third of the
 * whole build at 10,000 pages).  Objects in their insertion order, as the
 * text had them.
 */
static void
hash_json(XXH3_state_t *st, json_t *v)
{
	const char	*k;
	json_t		*e;
	json_int_t	 i;
	double		 d;
	size_t		 n;
	unsigned char	 type = (unsigned char)json_typeof(v);

	XXH3_64bits_update(st, &type, 1);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		hash_size(st, json_object_size(v));
		json_object_foreach(v, k, e) {
			n = strlen(k);
			hash_size(st, n);
			XXH3_64bits_update(st, k, n);
			hash_json(st, e);
		}
		break;
	case JSON_ARRAY:
		hash_size(st, json_array_size(v));
		json_array_foreach(v, n, e)
			hash_json(st, e);
		break;
	case JSON_STRING:
		n = json_string_length(v);
		hash_size(st, n);
		XXH3_64bits_update(st, json_string_value(v), n);
		break;
	case JSON_INTEGER:
		i = json_integer_value(v);
		XXH3_64bits_update(st, &i, sizeof(i));
		break;
	case JSON_REAL:
		d = json_real_value(v);
		XXH3_64bits_update(st, &d, sizeof(d));
		break;
	default:	/* true, false, null: the type says it all */
		break;
	}
}

void
cache_set_base(struct out_cache *c, char *const *dirs, size_t n,
    json_t *site_json, uint64_t deferred)
{
	XXH3_state_t	*st = XXH3_createState();
	size_t		 i;

	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, &c->global, sizeof(c->global));
	for (i = 0; i < n; i++) {
		XXH3_64bits_update(st, &i, sizeof(i));
		if (dirs[i] != NULL)
			hash_tree(st, dirs[i], 0);
	}
	hash_json(st, site_json);
	c->base_site = XXH3_64bits_digest(st);
	c->base = XXH3_64bits_withSeed(&deferred, sizeof(deferred),
	    c->base_site);
	XXH3_freeState(st);
}

uint64_t
cache_base(const struct out_cache *c)
{
	return c->base;
}

uint64_t
cache_base_site(const struct out_cache *c)
{
	return c->base_site;
}

uint64_t
cache_page_key(const struct out_cache *c, const char *name, json_t *data)
{
	XXH3_state_t	*st = XXH3_createState();
	uint64_t	 h;

	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, &c->base, sizeof(c->base));
	XXH3_64bits_update(st, name, strlen(name) + 1);
	hash_json(st, data);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h ? h : 1;
}

/* Puts rel's entry for this build (under c->lock). */
static void
put_cur(struct out_cache *c, const char *rel, uint64_t hash, uint64_t key,
    size_t stage)
{
	struct centry	*e = xmalloc(sizeof(*e)), *had;

	e->hash = hash;
	e->key = key;
	e->stage = stage;
	if ((had = strmap_put(&c->cur, rel, e)) != e) {
		*had = *e;	/* written twice: the last one counts */
		free(e);
	}
}

int
cache_keep(struct out_cache *c, const char *rel, uint64_t key)
{
	struct centry	*e;

	if (!c->incremental || key == 0 ||
	    (e = strmap_get(&c->old, rel)) == NULL || e->key != key)
		return 0;
	/* Flagged in place, without the lock: taking it for every page was
	 * what kept a build that reuses 10,000 pages from running faster on
	 * two threads than on one. */
	atomic_store_explicit(&e->kept, 1, memory_order_relaxed);
	return 1;
}

int
cache_record(struct out_cache *c, const char *rel, const void *data,
    size_t len, uint64_t key, size_t *stage)
{
	const struct centry *e;
	uint64_t	 h = XXH3_64bits(data, len);
	int		 same;

	same = c->incremental && (e = strmap_get(&c->old, rel)) != NULL &&
	    e->hash == h;
	*stage = 0;
	pthread_mutex_lock(&c->lock);
	if (same)
		c->same++;
	else {
		c->written++;
		if (c->incremental)
			*stage = ++c->staged;
	}
	put_cur(c, rel, h, key, *stage);
	pthread_mutex_unlock(&c->lock);
	return same;
}

void
cache_invalidate(struct out_cache *c)
{
	if (unlink(c->manifest) == -1 && errno != ENOENT)
		c->usable = 0;	/* a manifest we cannot remove stays stale */
}

/* Creates the folders on the way to path; 1 on success. */
static int
mkparents(const char *path)
{
	char	*p = xstrdup(path), *s;
	int	 ok = 1;

	for (s = p + 1; ok && (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			ok = 0;
		*s = '/';
	}
	free(p);
	return ok;
}

/* Removes final/rel (and its .gz twin) to the spares, then the folders it
 * leaves empty. */
static void
remove_output(struct spares *sp, const char *final, const char *rel)
{
	char	*path = path_join(final, rel), *gz = xasprintf("%s.gz", path);
	char	*slash;

	if (!spares_retire(sp, path))
		unlink(path);
	if (!spares_retire(sp, gz))
		unlink(gz);
	while ((slash = strrchr(path, '/')) != NULL &&
	    (size_t)(slash - path) > strlen(final)) {
		*slash = '\0';
		if (rmdir(path) == -1)
			break;
	}
	free(gz);
	free(path);
}

/* Sets every old entry's fate, once, after the build wrote and kept all
 * it will: committing, saving and counting each read them. */
static void
settle(struct out_cache *c)
{
	struct centry	*e;
	size_t		 i;

	if (c->settled)
		return;
	/* The old entries in their array, then the few recorded ones looked
	 * up: not ten thousand lookups in the recorded map. */
	for (i = 0; i < c->nlines; i++) {
		e = &c->lines[i].e;
		e->fate = atomic_load_explicit(&e->kept,
		    memory_order_relaxed) ? FATE_KEPT : FATE_GONE;
		c->kept += e->fate == FATE_KEPT;
	}
	for (i = 0; i < c->cur.cap; i++) {
		if (c->cur.slots[i].key == NULL ||
		    (e = strmap_get(&c->old, c->cur.slots[i].key)) == NULL)
			continue;
		c->kept -= e->fate == FATE_KEPT;
		e->fate = FATE_REPLACED;
	}
	c->settled = 1;
}

/* Moves staged file n (twin) to path; 1, or 0 after reporting. */
static int
place(struct spares *sp, size_t n, int twin, const char *path)
{
	if (spares_place(sp, n, twin, path) || (errno == ENOENT &&
	    mkparents(path) && spares_place(sp, n, twin, path)))
		return 1;
	diag_error(path, 0, 0, "cannot move into place: %s", strerror(errno));
	return 0;
}

/* Moves the file staged as number n (and its .gz twin, if it has one) to
 * final/rel, keeping the files it replaces as spares; 1, or 0 after
 * reporting. */
static int
move_staged(struct spares *sp, size_t n, const char *final, const char *rel)
{
	char	*to = path_join(final, rel);
	char	*gzto = xasprintf("%s.gz", to);
	int	 ok;

	ok = place(sp, n, 0, to) && place(sp, n, 1, gzto);
	free(gzto);
	free(to);
	return ok;
}

/* A commit on all cores: the files it removes, then those it moves. */
struct commit_job {
	struct out_cache *c;
	const char	*final;
	size_t		*at;		/* indices into c->lines or the slots
					   of c->cur */
	atomic_int	 failed;
};

static void
remove_one(void *ctx, size_t i)
{
	struct commit_job *j = ctx;

	remove_output(j->c->spares, j->final, j->c->lines[j->at[i]].rel);
}

static void
move_one(void *ctx, size_t i)
{
	struct commit_job *j = ctx;
	const struct strmap_slot *slot = &j->c->cur.slots[j->at[i]];
	const struct centry *e = slot->value;

	if (!move_staged(j->c->spares, e->stage, j->final, slot->key))
		atomic_store(&j->failed, 1);
}

/*
 * Each file is a rename, 25-50 us each here: a page added at 10,000
 * pages moves the search index's pages after it, and most of its shards'
 * 460 files go away and come in one at a time.  Two threads renaming
 * still overlap most of the work.
 */
int
cache_commit(struct out_cache *c, const char *tmp, const char *final,
    int threads)
{
	struct commit_job j = { c, final, NULL, 0 };
	const struct centry *e;
	size_t	 i, n = 0;
	int	 ok;

	/* Removals first, so a file that becomes a folder (or the other
	 * way round) has room. */
	settle(c);
	j.at = xcalloc(c->nlines + c->cur.cap + 1, sizeof(*j.at));
	for (i = 0; i < c->nlines; i++)
		if (c->lines[i].e.fate == FATE_GONE)
			j.at[n++] = i;
	parallel_for(n, threads, remove_one, &j);
	n = 0;
	for (i = 0; i < c->cur.cap; i++)
		if (c->cur.slots[i].key != NULL &&
		    (e = c->cur.slots[i].value)->stage != 0)
			j.at[n++] = i;
	parallel_for(n, threads, move_one, &j);
	free(j.at);
	ok = !atomic_load(&j.failed);
	if (!out_remove_tree(tmp))
		diag_warn(tmp, 0, 0, "could not remove the staging folder");
	if (!ok)
		diag_error(final, 0, 0, "the site was only partly updated; the "
		    "next build rebuilds it completely");
	return ok;
}

static int
cmp_slot(const void *a, const void *b)
{
	return strcmp(((const struct strmap_slot *)a)->key,
	    ((const struct strmap_slot *)b)->key);
}

static void
put_entry_line(struct buf *b, const char *rel, const struct centry *e)
{
	buf_printf(b, "%016" PRIx64 " %016" PRIx64 " %s\n", e->hash, e->key,
	    rel);
}

/*
 * The manifest's lines into b, in name order: this build's entries
 * (sorted, few after an edit) merged into the old ones kept, which are
 * in order already and copied as they were written.  Returns the count,
 * or -1 when a name cannot be listed.
 */
static long
manifest_lines(struct out_cache *c, struct buf *b)
{
	struct strmap_slot *v = xcalloc(c->cur.len + 1, sizeof(*v));
	const struct old_line *l;
	size_t		 i, j = 0, n = 0;
	long		 count = 0;

	for (i = 0; i < c->cur.cap; i++)
		if (c->cur.slots[i].key != NULL)
			v[n++] = c->cur.slots[i];
	xqsort(v, n, sizeof(*v), cmp_slot);
	settle(c);
	for (i = 0; i < c->nlines || j < n; ) {
		if (j < n && (i == c->nlines ||
		    strcmp(v[j].key, c->lines[i].rel) < 0)) {
			if (strchr(v[j].key, '\n') != NULL) {
				count = -1;
				break;
			}
			put_entry_line(b, v[j].key, v[j].value);
			j++;
			count++;
		} else if ((l = &c->lines[i++])->e.fate == FATE_KEPT) {
			buf_append(b, l->line, l->len);
			buf_putc(b, '\n');
			count++;
		}
	}
	free(v);
	return count;
}

int
cache_save(struct out_cache *c, const char *final)
{
	struct stat	 st;
	struct buf	 b = { 0 };
	FILE		*f = NULL;
	char		*tmpname;
	long		 count;
	int		 ok = 0;

	if (!c->usable || stat(final, &st) == -1)
		return 0;
	if (mkdir(c->dir, 0755) == -1 && errno != EEXIST) {
		diag_warn(c->dir, 0, 0, "cannot create the build cache: %s; "
		    "the next build is a full one", strerror(errno));
		return 0;
	}
	tmpname = xasprintf("%s.tmp-%ld", c->manifest, (long)getpid());
	buf_printf(&b, "porch-cache %u %" PRIx64 " %" PRIx64 " %" PRIx64 "\n",
	    CACHE_FORMAT, c->global, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	if ((count = manifest_lines(c, &b)) < 0)
		goto out;	/* cannot be listed: no manifest */
	buf_printf(&b, "end %ld\n", count);
	if ((f = fopen(tmpname, "w")) == NULL)
		goto out;
	ok = fwrite(b.data, 1, b.len, f) == b.len;
	ok = fflush(f) == 0 && !ferror(f) && ok;
	ok = fclose(f) == 0 && ok;
	f = NULL;
	ok = ok && rename(tmpname, c->manifest) == 0;
out:
	if (f != NULL)
		fclose(f);
	if (!ok) {
		unlink(tmpname);
		diag_warn(c->manifest, 0, 0, "cannot write the build cache; "
		    "the next build is a full one");
	}
	free(tmpname);
	buf_free(&b);
	return ok;
}

void
cache_counts(struct out_cache *c, size_t *written, size_t *kept)
{
	settle(c);
	*written = c->written;
	*kept = c->same + c->kept;
}
