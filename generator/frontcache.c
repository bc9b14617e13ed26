#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "buf.h"
#include "front.h"
#include "frontcache.h"
#include "pack.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry: u64 file length, u64 body offset, u64 body hash, u64 front
 * hash, u32 body line, then the tree.  A value is
 * u8 kind, u32 line, u32 col, nstr str, i64 i, f64 f, u8 b, u32 n, then
 * its n items (a list) or n pairs (a map: nstr key, u32 line, u32 col,
 * value).  An nstr is a u32 length (UINT32_MAX: NULL) and the bytes.
 * Host byte order (the pack's seed names the binary).  FMC_FORMAT is part
 * of every key.
 */
static const char FMC_FORMAT[8] = "porchfm3";
#define FMC_NULL	UINT32_MAX
/* Seconds within which a file's times are too recent to key it by. */
#define FMC_RACY_S	2
/* Deeper trees are parsed, not stored (front.c refuses nesting far
 * shallower than this). */
#define FMC_DEPTH	64

static void
put_nstr(struct buf *b, const char *s)
{
	if (s == NULL) {
		rec_put_u32(b, FMC_NULL);
		return;
	}
	rec_put_u32(b, (uint32_t)strlen(s));
	buf_append(b, s, strlen(s));
}

/* Appends v to b; 0 when it is too deep to store. */
static int
put_value(struct buf *b, const struct fm_value *v, int depth)
{
	unsigned char	 kind = (unsigned char)v->kind, flag = v->b != 0;
	size_t		 i;

	if (depth > FMC_DEPTH)
		return 0;
	buf_append(b, &kind, 1);
	rec_put_u32(b, v->line);
	rec_put_u32(b, v->col);
	put_nstr(b, v->str);
	buf_append(b, &v->i, sizeof(v->i));
	buf_append(b, &v->f, sizeof(v->f));
	buf_append(b, &flag, 1);
	rec_put_u32(b, (uint32_t)v->n);
	for (i = 0; i < v->n; i++) {
		if (v->kind == FM_LIST && !put_value(b, &v->items[i],
		    depth + 1))
			return 0;
		if (v->kind == FM_MAP) {
			put_nstr(b, v->pairs[i].key);
			rec_put_u32(b, v->pairs[i].line);
			rec_put_u32(b, v->pairs[i].col);
			if (!put_value(b, &v->pairs[i].value, depth + 1))
				return 0;
		}
	}
	return 1;
}

/* A heap copy of the next nstr (NULL stays NULL, and on a short entry). */
static char *
get_nstr(struct rec_rd *r)
{
	uint32_t n = rec_get_u32(r);
	char	*s;

	if (!r->ok || n == FMC_NULL)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->ok = 0;
		return NULL;
	}
	s = xstrndup((const char *)r->p, n);
	r->p += n;
	return s;
}

/* Reads a value into *v (which front_free can free however far it got). */
static void
get_value(struct rec_rd *r, struct fm_value *v, int depth)
{
	unsigned char	 kind = 0, flag = 0;
	uint32_t	 n;
	size_t		 i;

	rec_get(r, &kind, 1);
	v->kind = (enum fm_kind)kind;
	v->line = rec_get_u32(r);
	v->col = rec_get_u32(r);
	v->str = get_nstr(r);
	rec_get(r, &v->i, sizeof(v->i));
	rec_get(r, &v->f, sizeof(v->f));
	rec_get(r, &flag, 1);
	v->b = flag;
	n = rec_get_u32(r);
	/* Every item takes at least 30 bytes: a bad count allocates
	 * nothing large. */
	if (!r->ok || depth > FMC_DEPTH || kind > FM_MAP ||
	    (n > 0 && kind != FM_LIST && kind != FM_MAP) ||
	    n > (size_t)(r->end - r->p) / 30) {
		r->ok = 0;
		return;
	}
	if (kind == FM_LIST && n > 0)
		v->items = xcalloc(n, sizeof(*v->items));
	if (kind == FM_MAP && n > 0)
		v->pairs = xcalloc(n, sizeof(*v->pairs));
	for (i = 0; i < n && r->ok; i++) {
		v->n = i + 1;
		if (kind == FM_LIST)
			get_value(r, &v->items[i], depth + 1);
		else {
			v->pairs[i].key = get_nstr(r);
			v->pairs[i].line = rec_get_u32(r);
			v->pairs[i].col = rec_get_u32(r);
			get_value(r, &v->pairs[i].value, depth + 1);
		}
	}
}

/* The key of a file's reading: its path and identity.  The change time
 * moves with every write (and cannot be set back by utimes), so a file
 * whose key is unchanged has the bytes it had. */
static uint64_t
memo_key(const char *file, const struct stat *st)
{
	uint64_t	 id[7];

	id[0] = (uint64_t)st->st_dev;
	id[1] = (uint64_t)st->st_ino;
	id[2] = (uint64_t)st->st_size;
	id[3] = (uint64_t)st->st_mtim.tv_sec;
	id[4] = (uint64_t)st->st_mtim.tv_nsec;
	id[5] = (uint64_t)st->st_ctim.tv_sec;
	id[6] = (uint64_t)st->st_ctim.tv_nsec;
	return XXH3_64bits_withSeed(file, strlen(file),
	    XXH3_64bits_withSeed(id, sizeof(id),
	    XXH3_64bits(FMC_FORMAT, sizeof(FMC_FORMAT))));
}

int
front_memo_get(struct pack *pk, const char *file, const struct stat *st,
    struct source_reading *out)
{
	struct rec_rd	 r;
	const void	*entry;
	uint64_t	 v[4];
	size_t		 len;

	memset(out, 0, sizeof(*out));
	if ((entry = pack_get(pk, memo_key(file, st), &len)) == NULL)
		return 0;
	rec_init(&r, entry, len);
	rec_get(&r, v, sizeof(v));
	out->body_line = rec_get_u32(&r);
	get_value(&r, &out->fm, 0);
	if (r.ok && r.p == r.end && out->fm.kind == FM_MAP &&
	    v[1] <= v[0] && v[0] == (uint64_t)st->st_size) {
		out->len = (size_t)v[0];
		out->body_off = (size_t)v[1];
		out->body_hash = v[2];
		out->front_hash = v[3];
		return 1;
	}
	front_free(&out->fm);
	memset(out, 0, sizeof(*out));
	return 0;
}

/*
 * 1 when st's times are too close to now to tell a later write apart:
 * on a file system that keeps whole seconds (or a coarse clock), a file
 * written again within the same tick with the same size would keep its
 * key.  Such a reading is not stored (git calls these "racily clean");
 * the file is simply read again next time.
 */
static int
too_recent(const struct stat *st)
{
	struct timespec	 now;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return 1;
	return st->st_mtim.tv_sec >= now.tv_sec - FMC_RACY_S ||
	    st->st_ctim.tv_sec >= now.tv_sec - FMC_RACY_S;
}

void
front_memo_put(struct pack *pk, const char *file, const struct stat *st,
    const struct source_reading *in)
{
	struct buf	 b = { 0 };
	uint64_t	 v[4] = { in->len, in->body_off, in->body_hash,
			     in->front_hash };

	if (too_recent(st))
		return;
	buf_append(&b, v, sizeof(v));
	rec_put_u32(&b, in->body_line);
	if (put_value(&b, &in->fm, 0))
		pack_put(pk, memo_key(file, st), b.data, b.len);
	buf_free(&b);
}
