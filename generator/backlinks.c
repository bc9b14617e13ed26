#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "backlinks.h"
#include "record.h"
#include "xalloc.h"

/*
 * The record: u64 the table's keys' hash, u32 its rows, u32 paths, that
 * many u64 path hashes (sorted), paths + 1 u32 starts into the row
 * numbers that follow (u32 each, sorted for each path): the rows of path
 * i are from starts[i] to starts[i + 1].
 */

/* A row that names a path. */
struct link {
	uint64_t	 path;
	uint32_t	 row;
};

static int
same_link(const struct link *x, const struct link *y)
{
	return x->path == y->path && x->row == y->row;
}

/*
 * Sorts v[0..n-1] by path, rows in the order they come (add_links makes
 * them in row order): a least significant digit radix sort, 16 bits a
 * pass, stable.  qsort took 20 ms of the memo table's writing at 10,000
 * pages (150,000 links), beside a build that had two cores' work.
 */
static void
sort_links(struct link *v, size_t n)
{
	struct link	*tmp = xcalloc(n + 1, sizeof(*tmp));
	struct link	*from = v, *to = tmp, *swap;
	size_t		*count = xcalloc(65536, sizeof(*count));
	size_t		 i, sum, c;
	int		 shift;

	for (shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(from[i].path >> shift) & 0xffff]++;
		for (i = 0, sum = 0; i < 65536; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i].path >> shift) & 0xffff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	/* Four passes: the sorted links are back in v. */
	free(count);
	free(tmp);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Appends row's paths to *v as links; 0 when they are malformed. */
static int
add_links(struct link **v, size_t *n, size_t *cap,
    const struct backlinks_row *row, uint32_t number)
{
	struct rec_rd	 r;
	const char	*path;
	size_t		 count, i, len;

	rec_init(&r, row->paths, row->len);
	count = rec_get_count(&r, 5);
	for (i = 0; i < count && r.ok; i++) {
		if ((path = rec_get_str(&r, 0, &len)) == NULL)
			return 0;
		*v = xreallocarray(*v, *n + 1, sizeof(**v), cap);
		(*v)[(*n)++] = (struct link){ XXH3_64bits(path, len), number };
	}
	return r.ok && r.p == r.end;
}

void
backlinks_put(struct buf *out, uint64_t keys_hash,
    const struct backlinks_row *rows, size_t n)
{
	struct link	*v = NULL;
	size_t		 nv = 0, cap = 0, i, k = 0, npaths = 0;
	uint32_t	 start = 0;

	for (i = 0; i < n; i++)
		if (n > UINT32_MAX || !add_links(&v, &nv, &cap, &rows[i],
		    (uint32_t)i)) {
			free(v);	/* nothing: every row is checked */
			return;
		}
	sort_links(v, nv);
	for (i = 0; i < nv; i++)		/* one of each */
		if (k == 0 || !same_link(&v[k - 1], &v[i]))
			v[k++] = v[i];
	nv = k;
	for (i = 0; i < nv; i++)
		npaths += i == 0 || v[i - 1].path != v[i].path;
	buf_append(out, &keys_hash, sizeof(keys_hash));
	rec_put_u32(out, (uint32_t)n);
	rec_put_u32(out, (uint32_t)npaths);
	for (i = 0; i < nv; i++)
		if (i == 0 || v[i - 1].path != v[i].path)
			buf_append(out, &v[i].path, sizeof(v[i].path));
	for (i = 0; i < nv; i++, start++)
		if (i == 0 || v[i - 1].path != v[i].path)
			rec_put_u32(out, start);
	rec_put_u32(out, (uint32_t)nv);
	for (i = 0; i < nv; i++)
		rec_put_u32(out, v[i].row);
	free(v);
}

/* The place of path among the npaths hashes at v, or SIZE_MAX. */
static size_t
find_path(const unsigned char *v, size_t npaths, uint64_t path)
{
	size_t		 lo = 0, hi = npaths, mid;
	uint64_t	 x;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((x = rec_u64_at(v, mid)) == path)
			return mid;
		if (x < path)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

uint32_t *
backlinks_rows(const void *data, size_t len, uint64_t keys_hash,
    size_t nrows, const uint64_t *paths, size_t npaths, size_t *n)
{
	const unsigned char *hashes, *starts, *rows;
	struct rec_rd	 r;
	uint64_t	 h;
	uint32_t	*out = NULL, from, to, row;
	size_t		 cap = 0, count, nlinks, i, at, k = 0;

	*n = 0;
	rec_init(&r, data, len);
	rec_get(&r, &h, sizeof(h));
	if (h != keys_hash || rec_get_u32(&r) != nrows)
		return NULL;
	count = rec_get_count(&r, sizeof(uint64_t) + sizeof(uint32_t));
	hashes = rec_take(&r, count * sizeof(uint64_t));
	starts = rec_take(&r, (count + 1) * sizeof(uint32_t));
	if (!r.ok || (nlinks = rec_u32_at(starts, count)) >
	    (size_t)(r.end - r.p) / sizeof(uint32_t))
		return NULL;
	rows = r.p;
	out = xcalloc(1, sizeof(*out));
	for (i = 0; i < npaths; i++) {
		if ((at = find_path(hashes, count, paths[i])) == SIZE_MAX)
			continue;
		from = rec_u32_at(starts, at);
		to = rec_u32_at(starts, at + 1);
		if (from > to || to > nlinks)
			goto bad;
		for (; from < to; from++) {
			if ((row = rec_u32_at(rows, from)) >= nrows)
				goto bad;
			out = xreallocarray(out, *n + 1, sizeof(*out), &cap);
			out[(*n)++] = row;
		}
	}
	xqsort(out, *n, sizeof(*out), cmp_u32);
	for (i = 0; i < *n; i++)		/* one of each */
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	*n = k;
	return out;
bad:
	free(out);
	*n = 0;
	return NULL;
}
