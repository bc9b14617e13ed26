#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "fileid.h"
#include "front.h"
#include "frontcache.h"
#include "pack.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry: u64 file length, u64 body offset, u64 body hash, u64 front
 * hash, u32 body line, u8 1 when the page meta follows (front_meta_read
 * found no problem in the tree), the meta (put_meta), then u32 the bytes
 * of the tree's items and pairs, then the tree.  A value is
 * u8 kind, u32 line, u32 col, nstr str, i64 i, f64 f, u8 b, u32 n, then
 * its n items (a list) or n pairs (a map: nstr key, u32 line, u32 col,
 * value).  Strs and nstrs are record.h's, with their NUL: a tree read
 * back points at them where the pack has them, and its items and pairs
 * are one block (struct fm_value's block), so reading 10,000 sources'
 * front matter allocates 10,000 times, not 350,000.  Host byte order (the
 * pack's seed names the binary).  FMC_FORMAT is part of every key.
 */
static const char FMC_FORMAT[8] = "porchfm6";
/* Deeper trees are parsed, not stored (front.c refuses nesting far
 * shallower than this). */
#define FMC_DEPTH	64
/* The fewest bytes a value takes (a NULL str); a pair takes more. */
#define FMC_VALUE_MIN	(1 + 4 + 4 + 4 + 8 + 8 + 1 + 4)

static void
put_nstr(struct buf *b, const char *s)
{
	rec_put_str(b, s, s != NULL ? strlen(s) : 0);
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

/* The block a tree's items and pairs are cut from. */
struct block {
	char	*data;
	size_t	 used, cap;
};

/* Room for n things of size each in b, or NULL (r->ok 0) when the entry
 * claims more than its bytes could hold. */
static void *
block_take(struct block *b, struct rec_rd *r, size_t n, size_t size)
{
	void	*p;

	if (n > (b->cap - b->used) / size) {
		r->ok = 0;
		return NULL;
	}
	p = b->data + b->used;
	b->used += n * size;
	return p;
}

/* Reads a value into *v, its items and pairs into b. */
static void
get_value(struct rec_rd *r, struct block *b, struct fm_value *v, int depth)
{
	unsigned char	 kind = 0, flag = 0;
	uint32_t	 n;
	size_t		 i;

	memset(v, 0, sizeof(*v));	/* the block is not zeroed */
	rec_get(r, &kind, 1);
	v->kind = (enum fm_kind)kind;
	v->line = rec_get_u32(r);
	v->col = rec_get_u32(r);
	v->str = rec_get_str(r, 1, NULL);
	rec_get(r, &v->i, sizeof(v->i));
	rec_get(r, &v->f, sizeof(v->f));
	rec_get(r, &flag, 1);
	v->b = flag;
	n = rec_get_u32(r);
	if (!r->ok || depth > FMC_DEPTH || kind > FM_MAP ||
	    (n > 0 && kind != FM_LIST && kind != FM_MAP)) {
		r->ok = 0;
		return;
	}
	if (kind == FM_LIST && n > 0)
		v->items = block_take(b, r, n, sizeof(*v->items));
	if (kind == FM_MAP && n > 0)
		v->pairs = block_take(b, r, n, sizeof(*v->pairs));
	for (i = 0; i < n && r->ok; i++) {
		v->n = i + 1;
		if (kind == FM_LIST)
			get_value(r, b, &v->items[i], depth + 1);
		else {
			v->pairs[i].key = rec_get_str(r, 1, NULL);
			v->pairs[i].line = rec_get_u32(r);
			v->pairs[i].col = rec_get_u32(r);
			get_value(r, b, &v->pairs[i].value, depth + 1);
		}
	}
}

/* The bytes of v's items and pairs, and of theirs. */
static size_t
block_size(const struct fm_value *v)
{
	size_t	 i, n = 0;

	if (v->kind == FM_LIST)
		for (i = 0; i < v->n; i++)
			n += sizeof(*v->items) + block_size(&v->items[i]);
	if (v->kind == FM_MAP)
		for (i = 0; i < v->n; i++)
			n += sizeof(*v->pairs) +
			    block_size(&v->pairs[i].value);
	return n;
}

/* The tree at r into *root, its items and pairs in one block of the
 * size the entry gives: at most what the rest of the entry could hold
 * (a value or pair takes at least FMC_VALUE_MIN of its bytes), so a
 * damaged size cannot ask for much. */
static void
get_tree(struct rec_rd *r, struct fm_value *root)
{
	struct block	 b;

	b.cap = rec_get_u32(r);
	if (!r->ok || b.cap / sizeof(struct fm_pair) >
	    (size_t)(r->end - r->p) / FMC_VALUE_MIN) {
		r->ok = 0;
		return;
	}
	b.used = 0;
	b.data = xmalloc(b.cap ? b.cap : 1);
	get_value(r, &b, root, 0);
	root->block = b.data;
	if (b.used != b.cap)
		r->ok = 0;
}

/* Reads a whole tree at r into *out: 1 when it is sound, a map, and the
 * last thing in the entry. */
static int
get_whole_tree(struct rec_rd *r, struct fm_value *out)
{
	get_tree(r, out);
	return r->ok && r->p == r->end && out->kind == FM_MAP;
}

/* Appends the strings of l: u32 count, then strs. */
static void
put_list(struct buf *b, const struct str_list *l)
{
	size_t	 i;

	rec_put_u32(b, (uint32_t)l->n);
	for (i = 0; i < l->n; i++)
		rec_put_str(b, l->v[i], strlen(l->v[i]));
}

/* Appends m, every field of struct page_meta (front.h) in its order. */
static void
put_meta(struct buf *b, const struct page_meta *m)
{
	int64_t		 weight = m->weight;
	unsigned char	 flags[3] = { m->has_weight != 0, m->draft != 0,
			    m->unsearched != 0 };

	put_nstr(b, m->title);
	put_nstr(b, m->description);
	buf_append(b, &weight, sizeof(weight));
	buf_append(b, flags, sizeof(flags));
	put_list(b, &m->tags);
	put_list(b, &m->aliases);
	put_nstr(b, m->date);
	put_nstr(b, m->updated);
	put_nstr(b, m->category);
	put_nstr(b, m->version);
	rec_put_u32(b, (uint32_t)m->type);
	put_list(b, &m->ships);
	put_nstr(b, m->id);
	rec_put_u32(b, (uint32_t)m->status);
	put_nstr(b, m->quarter);
}

static void
get_list(struct rec_rd *r, struct str_list *l)
{
	size_t	 i, n = rec_get_count(r, sizeof(uint32_t) + 1);

	l->v = n > 0 ? xcalloc(n, sizeof(*l->v)) : NULL;
	for (i = 0; i < n && r->ok; i++, l->n++)
		l->v[i] = rec_dup_str(r, 0);
}

/* Reads put_meta's bytes into *m (heap strings: front_meta_free). */
static void
get_meta(struct rec_rd *r, struct page_meta *m)
{
	int64_t		 weight;
	unsigned char	 flags[3];

	m->title = rec_dup_str(r, 1);
	m->description = rec_dup_str(r, 1);
	rec_get(r, &weight, sizeof(weight));
	rec_get(r, flags, sizeof(flags));
	m->weight = (long)weight;
	m->has_weight = flags[0];
	m->draft = flags[1];
	m->unsearched = flags[2];
	get_list(r, &m->tags);
	get_list(r, &m->aliases);
	m->date = rec_dup_str(r, 1);
	m->updated = rec_dup_str(r, 1);
	m->category = rec_dup_str(r, 1);
	m->version = rec_dup_str(r, 1);
	m->type = (enum change_type)rec_get_u32(r);
	get_list(r, &m->ships);
	m->id = rec_dup_str(r, 1);
	m->status = (enum roadmap_status)rec_get_u32(r);
	m->quarter = rec_dup_str(r, 1);
}

/* The key of a file's reading: its path and identity (fileid.h). */
static uint64_t
memo_key(const char *file, const struct stat *st)
{
	return fileid_key(file, st, XXH3_64bits(FMC_FORMAT,
	    sizeof(FMC_FORMAT)));
}

int
front_memo_get(struct pack *pk, const char *file, const struct stat *st,
    struct source_reading *out, struct page_meta *meta, int *meta_read)
{
	struct rec_rd	 r;
	const void	*entry;
	uint64_t	 v[4];
	unsigned char	 has_meta = 0;
	size_t		 len;

	memset(out, 0, sizeof(*out));
	memset(meta, 0, sizeof(*meta));
	*meta_read = 0;
	if ((entry = pack_get(pk, memo_key(file, st), &len)) == NULL)
		return 0;
	rec_init(&r, entry, len);
	rec_get(&r, v, sizeof(v));
	out->body_line = rec_get_u32(&r);
	rec_get(&r, &has_meta, 1);
	if (has_meta) {
		/* The tree stays in the pack until a template asks for it
		 * (page.params: front_memo_tree); reading it and the meta
		 * from it again were half of reading 10,000 memos. */
		get_meta(&r, meta);
		out->fm_rec = r.p;
		out->fm_rec_len = (size_t)(r.end - r.p);
	}
	if ((has_meta ? r.ok : get_whole_tree(&r, &out->fm)) &&
	    v[1] <= v[0] && v[0] == (uint64_t)st->st_size) {
		out->len = (size_t)v[0];
		out->body_off = (size_t)v[1];
		out->body_hash = v[2];
		out->front_hash = v[3];
		*meta_read = has_meta;
		return 1;
	}
	front_free(&out->fm);
	front_meta_free(meta);
	memset(out, 0, sizeof(*out));
	return 0;
}

int
front_memo_tree(const void *rec, size_t len, struct fm_value *out)
{
	struct rec_rd	 r;

	memset(out, 0, sizeof(*out));
	rec_init(&r, rec, len);
	if (get_whole_tree(&r, out))
		return 1;
	front_free(out);
	return 0;
}

void
front_memo_put(struct pack *pk, const char *file, const struct stat *st,
    const struct source_reading *in, const struct page_meta *meta)
{
	struct buf	 b = { 0 };
	uint64_t	 v[4] = { in->len, in->body_off, in->body_hash,
			     in->front_hash };
	unsigned char	 has_meta = meta != NULL;

	if (fileid_too_recent(st))
		return;
	buf_append(&b, v, sizeof(v));
	rec_put_u32(&b, in->body_line);
	buf_append(&b, &has_meta, 1);
	if (meta != NULL)
		put_meta(&b, meta);
	rec_put_u32(&b, (uint32_t)block_size(&in->fm));
	if (put_value(&b, &in->fm, 0))
		pack_put(pk, memo_key(file, st), b.data, b.len);
	buf_free(&b);
}
