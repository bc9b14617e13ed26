#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "pack.h"
#include "path.h"
#include "xalloc.h"

/*
 * The header: magic, seed, index offset, entry count, XXH3 of the index,
 * committed file length, a reserved word, XXH3 of the 56 bytes before it.
 * Numbers are in the host's byte order: the seed includes the porch
 * binary's hash, so a pack from another machine is never read.
 */
static const char PACK_MAGIC[8] = "porchpk1";
#define PACK_HEAD	64
#define PACK_REC	32	/* an index record: key, offset, length, hash */
/* Compact when the committed bytes pass one and a half times the live
 * ones and this much. */
#define PACK_SLACK	(256 * 1024)

/* SLOT_KEPT: kept by pack_keep without its bytes being read or checked
 * (a later pack_get checks them). */
enum { SLOT_UNSEEN, SLOT_GOOD, SLOT_DAMAGED, SLOT_KEPT };

/* An entry of the committed pack (index order: by key). */
struct slot {
	uint64_t	 key, off, len, hash;
	atomic_uchar	 state;
};

/* An entry this build appended. */
struct added {
	uint64_t	 key, off, len, hash;
	int		 written;
};

struct pack {
	char		*path;		/* dir/pack */
	char		*fresh_path;	/* dir/pack.new */
	char		*spare_path;	/* dir/pack.spare: the pack before the
					   last compaction, which the next
					   one writes over */
	int		 lockfd, fd;
	int		 fresh;		/* writing fresh_path, not appending */
	uint64_t	 seed;
	const unsigned char *map;	/* the committed file, or NULL */
	size_t		 maplen;
	struct slot	*old;
	size_t		 nold;
	/* The keys are hashes, so evenly spread: bucket b holds the slots
	 * old[first[b]] to old[first[b + 1]] whose keys' top bits are b,
	 * about one each.  A lookup was a 16-step binary search, a cache
	 * miss per step, done about 40,000 times by a build at 10,000
	 * pages. */
	uint32_t	*first;
	unsigned	 bucket_bits;
	uint64_t	 old_end;	/* appends start here */
	pthread_mutex_t	 lock;		/* guards end and added */
	uint64_t	 end;
	struct added	*added;
	size_t		 nadded, capadded;
	int		 failed;	/* the file could not be written */
	atomic_size_t	 hits, misses, damaged, stored, kept;
	uint64_t	 live_bytes, file_bytes;
	int		 compacted;
};

/* The bytes of a committed index record, for sorting and writing. */
struct rec {
	uint64_t	 key, off, len, hash;
	int		 order;		/* 0: put by this build, 1: old */
};

/* pwrite (writing) or pread all of len bytes at off; 1 if all moved. */
static int
move_at(int fd, char *p, size_t len, uint64_t off, int writing)
{
	ssize_t	 n;

	while (len > 0) {
		n = writing ? pwrite(fd, p, len, (off_t)off) :
		    pread(fd, p, len, (off_t)off);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return 0;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 1;
}

/* pwrite only reads from the buffer, so the cast loses nothing. */
static int
write_at(int fd, const void *data, size_t len, uint64_t off)
{
	return move_at(fd, (char *)(uintptr_t)data, len, off, 1);
}

static int
read_at(int fd, void *data, size_t len, uint64_t off)
{
	return move_at(fd, data, len, off, 0);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Fills p->first for the p->nold sorted slots: as many buckets as slots,
 * in powers of two, at least two. */
static void
index_buckets(struct pack *p)
{
	size_t		 nb, b, i = 0;

	for (p->bucket_bits = 1; ((size_t)1 << p->bucket_bits) < p->nold &&
	    p->bucket_bits < 31; p->bucket_bits++)
		;
	nb = (size_t)1 << p->bucket_bits;
	p->first = xmalloc((nb + 1) * sizeof(*p->first));
	for (b = 0; b <= nb; b++) {
		while (i < p->nold &&
		    (p->old[i].key >> (64 - p->bucket_bits)) < b)
			i++;
		p->first[b] = (uint32_t)i;
	}
}

/*
 * Checks the header and index of the mapped file and loads the index into
 * p->old.  Returns 0 (p->old empty) when anything is off: the pack is
 * then treated as absent.
 */
static int
load_index(struct pack *p)
{
	const unsigned char *h = p->map;
	uint64_t	 ioff, count, end, i;

	if (p->maplen < PACK_HEAD || memcmp(h, PACK_MAGIC, 8) != 0 ||
	    get64(h + 56) != XXH3_64bits(h, 56) || get64(h + 8) != p->seed)
		return 0;
	ioff = get64(h + 16);
	count = get64(h + 24);
	end = get64(h + 40);
	if (end > p->maplen || ioff < PACK_HEAD || ioff > end ||
	    count > (end - ioff) / PACK_REC ||
	    ioff + count * PACK_REC != end ||
	    get64(h + 32) != XXH3_64bits(h + ioff, count * PACK_REC))
		return 0;
	/* Every field is set below: clearing 1.6 MB first (40,000 entries at
	 * 10,000 pages) was 1% of a build that changed nothing. */
	if (count > UINT32_MAX - 1 || count > SIZE_MAX / sizeof(*p->old) - 1)
		return 0;
	p->old = xmalloc((count + 1) * sizeof(*p->old));
	for (i = 0; i < count; i++) {
		const unsigned char *r = h + ioff + i * PACK_REC;
		struct slot *s = &p->old[i];

		s->key = get64(r);
		s->off = get64(r + 8);
		s->len = get64(r + 16);
		s->hash = get64(r + 24);
		atomic_init(&s->state, SLOT_UNSEEN);
		if ((i > 0 && s->key <= p->old[i - 1].key) ||
		    s->off < PACK_HEAD || s->off > ioff ||
		    s->len > ioff - s->off) {
			free(p->old);
			p->old = NULL;
			return 0;
		}
	}
	p->nold = count;
	p->old_end = end;
	index_buckets(p);
	return 1;
}

/* Maps dir/pack when it is this seed's and sound; 1 if so, with p->fd
 * open on it for appending. */
static int
open_existing(struct pack *p)
{
	struct stat	 st;
	void		*m;

	if ((p->fd = open(p->path, O_RDWR | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(p->fd, &st) == -1 || st.st_size < PACK_HEAD ||
	    (uint64_t)st.st_size > SIZE_MAX)
		goto fail;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, p->fd, 0);
	if (m == MAP_FAILED)
		goto fail;
	p->map = m;
	p->maplen = (size_t)st.st_size;
	if (!load_index(p))
		goto fail;
	/* Bytes past the committed end are a killed or failed build's, or
	 * the rest of a longer file that compact wrote over: appending
	 * writes over them. */
	p->end = p->old_end;
	return 1;
fail:
	if (p->map != NULL)
		munmap((void *)p->map, p->maplen);
	p->map = NULL;
	p->maplen = 0;
	close(p->fd);
	p->fd = -1;
	return 0;
}

static int
open_fresh(struct pack *p)
{
	p->fresh = 1;
	p->fd = open(p->fresh_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	p->end = PACK_HEAD;
	return p->fd != -1;
}

struct pack *
pack_open(const char *dir, uint64_t seed, int reuse)
{
	struct pack	*p;
	char		*lock;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return NULL;
	lock = path_join(dir, "lock");
	p = xcalloc(1, sizeof(*p));
	p->fd = -1;
	p->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock);
	if (p->lockfd == -1 || flock(p->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (p->lockfd != -1)
			close(p->lockfd);
		free(p);
		return NULL;
	}
	p->seed = seed;
	p->path = path_join(dir, "pack");
	p->fresh_path = path_join(dir, "pack.new");
	p->spare_path = path_join(dir, "pack.spare");
	pthread_mutex_init(&p->lock, NULL);
	if ((reuse && open_existing(p)) || open_fresh(p))
		return p;
	pack_close(p);
	return NULL;
}

/* The committed entry of key, or NULL. */
static struct slot *
find_old(const struct pack *p, uint64_t key)
{
	size_t	 b, i, end;

	if (p->nold == 0)
		return NULL;
	b = (size_t)(key >> (64 - p->bucket_bits));
	for (i = p->first[b], end = p->first[b + 1]; i < end; i++)
		if (p->old[i].key == key)
			return &p->old[i];
	return NULL;
}

const void *
pack_get(struct pack *p, uint64_t key, size_t *len)
{
	struct slot	*s = find_old(p, key);
	const unsigned char *data;
	unsigned char	 state;

	if (s == NULL) {
		p->misses++;
		return NULL;
	}
	data = p->map + s->off;
	state = atomic_load(&s->state);
	if (state == SLOT_UNSEEN || state == SLOT_KEPT) {
		state = XXH3_64bits(data, s->len) == s->hash ? SLOT_GOOD :
		    SLOT_DAMAGED;
		atomic_store(&s->state, state);
	}
	if (state == SLOT_DAMAGED) {
		p->damaged++;
		return NULL;
	}
	p->hits++;
	*len = s->len;
	return data;
}

int
pack_keep(struct pack *p, uint64_t key)
{
	struct slot	*s = find_old(p, key);
	unsigned char	 unseen = SLOT_UNSEEN;

	if (s == NULL)
		return 0;
	p->kept++;
	/* Only an entry nobody looked at: a damaged one stays damaged. */
	atomic_compare_exchange_strong(&s->state, &unseen, SLOT_KEPT);
	return atomic_load(&s->state) != SLOT_DAMAGED;
}

void
pack_put(struct pack *p, uint64_t key, const void *data, size_t len)
{
	uint64_t	 hash = XXH3_64bits(data, len), off;
	size_t		 i;
	int		 ok;

	pthread_mutex_lock(&p->lock);
	if (p->failed) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	off = p->end;
	p->end += len;
	p->added = xreallocarray(p->added, p->nadded + 1, sizeof(*p->added),
	    &p->capadded);
	i = p->nadded++;
	p->added[i].key = key;
	p->added[i].off = off;
	p->added[i].len = len;
	p->added[i].hash = hash;
	p->added[i].written = 0;
	pthread_mutex_unlock(&p->lock);

	ok = write_at(p->fd, data, len, off);
	pthread_mutex_lock(&p->lock);
	p->added[i].written = ok;
	if (!ok)
		p->failed = 1;	/* a full disk: stop adding to it */
	pthread_mutex_unlock(&p->lock);
	if (ok)
		p->stored++;
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * The entries the next pack holds, sorted by key, one per key: what this
 * build put (the first of two puts) over what it read (a producer puts a
 * key it got when the entry turned out not to apply, as mdcache.c does
 * when a page's links now resolve differently).  Sets p->live_bytes.
 */
static struct rec *
live_records(struct pack *p, size_t *np)
{
	struct rec	*v;
	size_t		 i, n = 0, k;

	v = xcalloc(p->nold + p->nadded + 1, sizeof(*v));
	for (i = 0; i < p->nold; i++)
		if (atomic_load(&p->old[i].state) == SLOT_GOOD ||
		    atomic_load(&p->old[i].state) == SLOT_KEPT)
			v[n++] = (struct rec){ p->old[i].key, p->old[i].off,
			    p->old[i].len, p->old[i].hash, 1 };
	for (i = 0; i < p->nadded; i++)
		if (p->added[i].written)
			v[n++] = (struct rec){ p->added[i].key,
			    p->added[i].off, p->added[i].len,
			    p->added[i].hash, 0 };
	xqsort(v, n, sizeof(*v), cmp_rec);
	p->live_bytes = PACK_HEAD;
	for (i = k = 0; i < n; i++) {
		if (k > 0 && v[k - 1].key == v[i].key)
			continue;
		v[k++] = v[i];
		p->live_bytes += v[i].len + PACK_REC;
	}
	*np = k;
	return v;
}

/* Writes the index of v[0..n-1] at off and then the header. */
static int
write_index(struct pack *p, int fd, const struct rec *v, size_t n,
    uint64_t off)
{
	unsigned char	*idx = xcalloc(n ? n : 1, PACK_REC);
	unsigned char	 head[PACK_HEAD];
	uint64_t	 w[7], end = off + (uint64_t)n * PACK_REC;
	size_t		 i;
	int		 ok;

	for (i = 0; i < n; i++) {
		uint64_t r[4] = { v[i].key, v[i].off, v[i].len, v[i].hash };

		memcpy(idx + i * PACK_REC, r, sizeof(r));
	}
	memset(head, 0, sizeof(head));
	memcpy(head, PACK_MAGIC, 8);
	w[0] = p->seed;
	w[1] = off;
	w[2] = n;
	w[3] = XXH3_64bits(idx, n * PACK_REC);
	w[4] = end;
	w[5] = 0;
	memcpy(head + 8, w, 6 * sizeof(uint64_t));
	w[6] = XXH3_64bits(head, 56);
	memcpy(head + 56, &w[6], sizeof(uint64_t));
	/* The index before the header: a header describes written bytes.
	 * Bytes past end are left: cutting them freed blocks, which cost
	 * more than the next build writing over them. */
	ok = write_at(fd, idx, n * PACK_REC, off) &&
	    write_at(fd, head, sizeof(head), 0);
	free(idx);
	p->file_bytes = end;
	return ok;
}

static int
cmp_rec_off(const void *a, const void *b)
{
	const struct rec *x = *(const struct rec *const *)a;
	const struct rec *y = *(const struct rec *const *)b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Copies len bytes at off in p->fd to at in to: in the kernel, else
 * through a buffer (a file system without copy_file_range). */
static int
copy_range(struct pack *p, int to, uint64_t off, uint64_t len, uint64_t at)
{
	unsigned char	*buf;
	loff_t		 in = (loff_t)off, out = (loff_t)at;
	ssize_t		 n;
	size_t		 chunk;
	int		 ok = 1;

	while (len > 0) {
		n = copy_file_range(p->fd, &in, to, &out, (size_t)len, 0);
		if (n <= 0)
			break;
		len -= (uint64_t)n;
	}
	if (len == 0)
		return 1;
	buf = xmalloc(1 << 20);
	for (off = (uint64_t)in, at = (uint64_t)out; ok && len > 0;
	    off += chunk, at += chunk, len -= chunk) {
		chunk = len < (1 << 20) ? (size_t)len : 1 << 20;
		ok = read_at(p->fd, buf, chunk, off) &&
		    write_at(to, buf, chunk, at);
	}
	free(buf);
	return ok;
}

/*
 * Copies the records' bytes into the file to, from PACK_HEAD on, in the
 * order they lie in p->fd, so that neighbours move as one range (v's
 * offsets are updated).  Copied one by one, the 43,000 entries of a
 * 10,000-page site were as many system calls.
 */
static int
copy_records(struct pack *p, int to, struct rec *v, size_t n)
{
	struct rec	**by_off = xcalloc(n ? n : 1, sizeof(*by_off));
	uint64_t	 at = PACK_HEAD, from, len;
	size_t		 i, j;
	int		 ok = 1;

	for (i = 0; i < n; i++)
		by_off[i] = &v[i];
	xqsort(by_off, n, sizeof(*by_off), cmp_rec_off);
	for (i = 0; i < n && ok; i = j) {
		from = by_off[i]->off;
		len = 0;
		for (j = i; j < n && by_off[j]->off == from + len; j++) {
			by_off[j]->off = at + len;
			len += by_off[j]->len;
		}
		ok = copy_range(p, to, from, len, at);
		at += len;
	}
	free(by_off);
	return ok;
}

/* Opens the spare file to write over, when it is a plain file nothing
 * else links to (else it is removed: writing through a link would change
 * another file), or a new one. */
static int
open_spare(const char *path)
{
	struct stat	 st;
	int		 fd;

	fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd != -1 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1)
		return fd;
	if (fd != -1)
		close(fd);
	unlink(path);
	return open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
}

/*
 * Writes the live entries over the spare file and swaps it with the pack
 * (renameat2's RENAME_EXCHANGE), so the old pack is the next spare.  At
 * 10,000 pages a compaction wrote 290 MB into a new file and freed the
 * old file's 560 MB: 530 ms to write, as every block was allocated anew,
 * and 360 ms more when the build closed the old file (this disk frees
 * blocks with discard).  Written over blocks the file has, the same
 * bytes took 60 ms.  The two files take up to three times the live
 * bytes; a spare more than twice what it is to hold is cut down.
 */
static int
compact(struct pack *p, struct rec *v, size_t n)
{
	struct stat	 st;
	uint64_t	 end = PACK_HEAD;
	size_t		 i;
	int		 fd, ok;

	if ((fd = open_spare(p->spare_path)) == -1)
		return 0;
	ok = copy_records(p, fd, v, n);
	for (i = 0; i < n; i++)
		end += v[i].len;
	ok = ok && write_index(p, fd, v, n, end);
	if (ok && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_size > 2 * p->file_bytes + PACK_SLACK)
		ok = ftruncate(fd, (off_t)p->file_bytes) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && (renameat2(AT_FDCWD, p->spare_path, AT_FDCWD, p->path,
	    RENAME_EXCHANGE) == 0 || rename(p->spare_path, p->path) == 0)) {
		p->compacted = 1;
		return 1;
	}
	return 0;
}

int
pack_commit(struct pack *p)
{
	struct rec	*v;
	size_t		 n;
	int		 ok;

	if (p->failed)
		return 0;
	v = live_records(p, &n);
	if (!p->fresh && p->nadded == 0 && n == p->nold) {
		/* Every entry read, none added: the index on disk is this
		 * one (a build where nothing changed writes nothing). */
		p->file_bytes = p->old_end;
		ok = 1;
	} else if (p->fresh) {
		ok = write_index(p, p->fd, v, n, p->end) &&
		    rename(p->fresh_path, p->path) == 0;
		if (ok)
			p->fresh = 0;	/* nothing for pack_close to remove */
	} else if (p->end + n * PACK_REC > p->live_bytes + p->live_bytes / 2 +
	    PACK_SLACK)
		ok = compact(p, v, n);
	else
		ok = write_index(p, p->fd, v, n, p->end);
	free(v);
	if (ok)
		p->old_end = p->file_bytes;
	return ok;
}

void
pack_close(struct pack *p)
{
	if (p == NULL)
		return;
	if (p->fd != -1) {
		/* Without a commit the appended bytes are nobody's: the next
		 * build writes over them. */
		if (p->fresh)
			unlink(p->fresh_path);
		close(p->fd);
	}
	if (p->map != NULL)
		munmap((void *)p->map, p->maplen);
	pthread_mutex_destroy(&p->lock);
	close(p->lockfd);	/* and with it the lock */
	free(p->old);
	free(p->first);
	free(p->added);
	free(p->path);
	free(p->fresh_path);
	free(p->spare_path);
	free(p);
}

void
pack_get_stats(const struct pack *p, struct pack_stats *st)
{
	st->hits = p->hits;
	st->misses = p->misses;
	st->kept = p->kept;
	st->damaged = p->damaged;
	st->stored = p->stored;
	st->live_bytes = p->live_bytes;
	st->file_bytes = p->file_bytes;
	st->compacted = p->compacted;
}
