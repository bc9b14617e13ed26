/*
 * Unit tests of generator/pack.c, the build cache's one file: what a
 * build puts is found by the next one, byte for byte, and replaces what
 * an earlier one left; what a build stops using goes; a failed or killed
 * build, another seed, a damaged, cut or foreign file never yield a wrong
 * entry; one build at a time; the file stays bounded; threads may get and
 * put at once.  Each test works in a fresh temporary folder (the pack's
 * folder inside it is made by pack_open).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "output.h"
#include "pack.h"

#define KB	1024
#define NONE	((size_t)-1)	/* expect(): the key is not found */

struct fix {
	char	 root[64];	/* the temporary folder */
	char	 dir[96];	/* root/site.porch-cache */
	char	 file[112];	/* dir/pack */
	char	 spare[128];	/* dir/pack.spare */
};

static int
setup(void **state)
{
	struct fix	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/porch-pack-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/site.porch-cache", f->root);
	snprintf(f->file, sizeof(f->file), "%s/pack", f->dir);
	snprintf(f->spare, sizeof(f->spare), "%s/pack.spare", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix	*f = *state;

	out_remove_tree(f->root);
	free(f);
	return 0;
}

/* Fills buf with the len bytes of key's entry (splitmix64 of the key). */
static void
fill(uint64_t key, unsigned char *buf, size_t len)
{
	uint64_t	 x = key * 0x9e3779b97f4a7c15ULL, z = 0;
	size_t		 i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (x += 0x9e3779b97f4a7c15ULL);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
		}
		buf[i] = (unsigned char)(z >> (8 * (i % 8)));
	}
}

/* The length of key's entry in the bulk tests: 0 to 1998 bytes. */
#define SIZE_OF(key)	((size_t)(((key) * 2654435761ULL) % 1999))

/* Puts key's entry of len bytes into p. */
static void
put(struct pack *p, uint64_t key, size_t len)
{
	unsigned char	*buf = malloc(len + 1);

	assert_non_null(buf);
	fill(key, buf, len);
	pack_put(p, key, buf, len);
	free(buf);
}

/* 1 when got (glen bytes) is key's entry of len bytes, else 0. */
static int
same(const void *got, size_t glen, uint64_t key, size_t len)
{
	unsigned char	*want;
	int		 ok;

	if (got == NULL || glen != len || (want = malloc(len + 1)) == NULL)
		return 0;
	fill(key, want, len);
	ok = memcmp(got, want, len) == 0;
	free(want);
	return ok;
}

/* Asserts p has key's entry of len bytes, or (len NONE) no entry. */
static void
expect(struct pack *p, uint64_t key, size_t len)
{
	size_t		 glen = 0;
	const void	*got = pack_get(p, key, &glen);

	if (len == NONE && got != NULL)
		fail_msg("key %llu found, should be gone",
		    (unsigned long long)key);
	if (len != NONE && !same(got, glen, key, len))
		fail_msg("key %llu: %s", (unsigned long long)key,
		    got == NULL ? "not found" : "wrong length or bytes");
}

static struct pack *
open_ok(struct fix *f, uint64_t seed, int reuse)
{
	struct pack	*p = pack_open(f->dir, seed, reuse);

	assert_non_null(p);
	return p;
}

/* Ends a build that succeeded. */
static void
commit_close(struct pack *p)
{
	assert_int_equal(pack_commit(p), 1);
	pack_close(p);
}

/* One whole build with seed: puts key's entry of len bytes. */
static void
build_with(struct fix *f, uint64_t seed, uint64_t key, size_t len)
{
	struct pack	*p = open_ok(f, seed, 1);

	put(p, key, len);
	commit_close(p);
}

static long long
file_size(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* What one build put, the next finds byte for byte; the stats count it. */
static void
round_trip(void **state)
{
	struct fix		*f = *state;
	struct pack		*p;
	struct pack_stats	 st;

	p = open_ok(f, 1, 1);
	expect(p, 1, NONE);
	put(p, 1, 0);
	put(p, 2, 777);
	put(p, 3, 1024 * KB);
	assert_int_equal(pack_commit(p), 1);
	pack_get_stats(p, &st);
	assert_int_equal(st.stored, 3);
	assert_int_equal(st.file_bytes, file_size(f->file));
	pack_close(p);

	p = open_ok(f, 1, 1);
	expect(p, 1, 0);
	expect(p, 2, 777);
	expect(p, 3, 1024 * KB);
	expect(p, 4, NONE);
	pack_get_stats(p, &st);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.damaged, 0);
	pack_close(p);
}

/* The i-th key of keys_found: the extremes, a cluster sharing its top
 * bits, then keys spread evenly (splitmix64). */
static uint64_t
spread_key(uint64_t i)
{
	uint64_t	 z = (i + 1) * 0x9e3779b97f4a7c15ULL;

	if (i < 4)
		return (uint64_t[]){ 0, 1, UINT64_MAX, 1ULL << 63 }[i];
	if (i < 600)
		return (0xabcdULL << 48) + i * 2;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) | 1;	/* odd: z - 1 is never a key */
}

/* Whatever the keys, each is found and its neighbours are not: the lookup
 * by top bits copes with a cluster, the ends of the range and keys in no
 * bucket of their own. */
static void
keys_found(void **state)
{
	struct fix	*f = *state;
	struct pack	*p = open_ok(f, 1, 1);
	uint64_t	 i, k, n = 5000;

	for (i = 0; i < n; i++)
		put(p, spread_key(i), SIZE_OF(i) % 64);
	commit_close(p);
	p = open_ok(f, 1, 1);
	for (i = 0; i < n; i++)
		expect(p, spread_key(i), SIZE_OF(i) % 64);
	expect(p, 2, NONE);
	expect(p, UINT64_MAX - 1, NONE);
	expect(p, (1ULL << 63) + 1, NONE);
	expect(p, (0xabcdULL << 48) + 1, NONE);
	for (i = 600; i < n; i += 97) {
		k = spread_key(i);
		expect(p, k - 1, NONE);
	}
	pack_close(p);
}

/* Entries the last build neither got nor put are gone: no stale growth. */
static void
only_used_survive(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;

	p = open_ok(f, 1, 1);
	put(p, 'A', 100);
	put(p, 'B', 200);
	put(p, 'C', 300);
	commit_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'A', 100);
	put(p, 'D', 400);
	commit_close(p);

	p = open_ok(f, 1, 1);
	expect(p, 'A', 100);
	expect(p, 'D', 400);
	expect(p, 'B', NONE);
	expect(p, 'C', NONE);
	commit_close(p);	/* a build that changed nothing */
	p = open_ok(f, 1, 1);
	expect(p, 'A', 100);	/* one that only dropped D */
	commit_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'A', 100);
	expect(p, 'D', NONE);
	pack_close(p);
}

/*
 * A failed build (closed without commit) or a killed one loses nothing of
 * the last good build and leaves no bytes behind.
 */
static void
failed_build_keeps_previous(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;
	long long	 size1;
	pid_t		 pid;
	int		 st;

	build_with(f, 1, 'A', 5000);
	size1 = file_size(f->file);
	assert_true(size1 > 5000);
	p = open_ok(f, 1, 1);
	expect(p, 'A', 5000);
	put(p, 'B', 64 * KB);
	pack_close(p);
	/* Its bytes stay past the committed end, for the next build to
	 * write over (cutting them would free blocks). */
	assert_int_equal(file_size(f->file), size1 + 64 * KB);

	if ((pid = fork()) == 0) {	/* a build killed after a put */
		p = pack_open(f->dir, 1, 1);
		if (p != NULL)
			put(p, 'C', 64 * KB);
		_exit(p == NULL);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	p = open_ok(f, 1, 1);
	expect(p, 'A', 5000);
	expect(p, 'B', NONE);
	expect(p, 'C', NONE);
	pack_close(p);
	assert_int_equal(file_size(f->file), size1 + 64 * KB);
	/* A build that commits writes over them: the file grows by the
	 * index record alone. */
	p = open_ok(f, 1, 1);
	expect(p, 'A', 5000);
	put(p, 'D', 64 * KB);
	commit_close(p);
	assert_true(file_size(f->file) <= size1 + 64 * KB + 64);
	p = open_ok(f, 1, 1);
	expect(p, 'A', 5000);
	expect(p, 'D', 64 * KB);
	pack_close(p);
}

/* A pack made by another porch (another seed) is never read. */
static void
other_seed_ignored(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;

	build_with(f, 1, 'A', 300);
	p = open_ok(f, 2, 1);
	expect(p, 'A', NONE);
	put(p, 'B', 300);
	commit_close(p);

	p = open_ok(f, 2, 1);
	expect(p, 'B', 300);
	expect(p, 'A', NONE);
	pack_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'B', NONE);
	pack_close(p);
}

/* porch build --clean reads nothing and leaves only its own entries. */
static void
clean_build(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;

	build_with(f, 1, 'A', 300);
	p = open_ok(f, 1, 0);
	expect(p, 'A', NONE);
	put(p, 'B', 300);
	commit_close(p);

	p = open_ok(f, 1, 1);
	expect(p, 'B', 300);
	expect(p, 'A', NONE);
	pack_close(p);
}

/* Changes byte at of key's entry (len bytes) in the pack file. */
static void
damage(struct fix *f, uint64_t key, size_t len, size_t at)
{
	unsigned char	*want, *data, *p;
	long long	 size = file_size(f->file);
	FILE		*fp;

	assert_non_null(want = malloc(len));
	fill(key, want, len);
	assert_non_null(data = malloc(size));
	assert_non_null(fp = fopen(f->file, "r+b"));
	assert_int_equal(fread(data, 1, size, fp), size);
	assert_non_null(p = memmem(data, size, want, 64));
	assert_int_equal(fseek(fp, p + at - data, SEEK_SET), 0);
	assert_int_equal(fputc(p[at] ^ 0x20, fp), p[at] ^ 0x20);
	assert_int_equal(fclose(fp), 0);
	free(data);
	free(want);
}

/* A changed byte in an entry makes that entry a miss, not wrong output. */
static void
damaged_entry(void **state)
{
	struct fix		*f = *state;
	struct pack		*p;
	struct pack_stats	 st;

	p = open_ok(f, 1, 1);
	put(p, 'A', 4096);
	put(p, 'B', 3000);
	commit_close(p);

	damage(f, 'A', 4096, 2048);

	p = open_ok(f, 1, 1);
	expect(p, 'A', NONE);
	expect(p, 'B', 3000);
	pack_get_stats(p, &st);
	assert_int_equal(st.damaged, 1);
	pack_close(p);
}

/*
 * pack_keep: an entry kept without being read survives the commit (and
 * compaction), is found byte for byte by a later build, and a key never
 * stored is not kept; a kept entry whose bytes were damaged is still a
 * miss when a build finally gets it.
 */
static void
keep_without_reading(void **state)
{
	struct fix		*f = *state;
	struct pack		*p;
	struct pack_stats	 st;
	int			 i, compacted;

	p = open_ok(f, 1, 1);
	put(p, 'A', 2048);
	put(p, 'B', 500);
	commit_close(p);
	/* Several builds that only keep A: it outlives them all, B goes,
	 * and the file rewritten fresh keeps it too. */
	for (i = 0, compacted = 0; i < 4; i++) {
		p = open_ok(f, 1, 1);
		assert_int_equal(pack_keep(p, 'A'), 1);
		assert_int_equal(pack_keep(p, 'Z'), 0);
		put(p, 100 + i, 400 * KB);
		assert_int_equal(pack_commit(p), 1);
		pack_get_stats(p, &st);
		compacted |= st.compacted;
		pack_close(p);
	}
	assert_true(compacted);
	p = open_ok(f, 1, 1);
	expect(p, 'B', NONE);
	assert_int_equal(pack_keep(p, 'A'), 1);
	expect(p, 'A', 2048);	/* kept, then read: checked */
	commit_close(p);

	damage(f, 'A', 2048, 100);

	p = open_ok(f, 1, 1);
	assert_int_equal(pack_keep(p, 'A'), 1);	/* not read: not known */
	commit_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'A', NONE);
	assert_int_equal(pack_keep(p, 'A'), 0);	/* known damaged now */
	pack_get_stats(p, &st);
	assert_int_equal(st.damaged, 1);
	pack_close(p);
}

/*
 * A pack cut short (disk full, copy cut), or a file named pack that porch
 * never wrote (noise, empty): nothing is found, and the next build makes
 * a good pack there.
 */
static void
damaged_file(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;
	unsigned char	 noise[8192];
	size_t		 sizes[] = { 0, sizeof(noise), 64, 0 }, i;
	FILE		*fp;

	fill(12345, noise, sizeof(noise));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = open_ok(f, 1, 1);
		put(p, 'A', 20 * KB);
		put(p, 'B', 20 * KB);
		commit_close(p);
		if (i == 0)
			assert_int_equal(truncate(f->file,
			    file_size(f->file) / 2), 0);
		else {
			assert_non_null(fp = fopen(f->file, "wb"));
			assert_int_equal(fwrite(noise, 1, sizes[i], fp),
			    sizes[i]);
			assert_int_equal(fclose(fp), 0);
		}
		p = open_ok(f, 1, 1);
		expect(p, 'A', NONE);
		expect(p, 'B', NONE);
		put(p, 'C', 500);
		commit_close(p);
		p = open_ok(f, 1, 1);
		expect(p, 'C', 500);
		pack_close(p);
	}
}

/* Tries pack_open in a child process: 1 when it got the pack. */
static int
open_in_child(const char *dir)
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == 0)
		_exit(pack_open(dir, 1, 1) != NULL);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Two builds of one site at once: the second runs without the cache. */
static void
one_build_at_a_time(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;

	p = open_ok(f, 1, 1);
	assert_int_equal(open_in_child(f->dir), 0);
	assert_null(pack_open(f->dir, 1, 1));
	assert_int_equal(open_in_child(f->dir), 0);
	pack_close(p);
	assert_int_equal(open_in_child(f->dir), 1);
	pack_close(open_ok(f, 1, 1));
}

/* Opens build b of the compaction tests: gets the first 10 of build
 * b - 1's entries, puts its own 100 of 10 KB (keys b * 1000 + 0..99) and
 * returns the pack before its commit. */
static struct pack *
rebuild(struct fix *f, uint64_t b)
{
	struct pack	*p = open_ok(f, 1, 1);
	uint64_t	 i;

	for (i = 0; b > 0 && i < 10; i++)
		expect(p, (b - 1) * 1000 + i, 10 * KB);
	for (i = 0; i < 100; i++)
		put(p, b * 1000 + i, 10 * KB);
	return p;
}

/* What a build after rebuild(f, b) finds: build b's entries and the 10
 * it kept of build b - 1, not the rest. */
static void
expect_rebuilt(struct pack *p, uint64_t b)
{
	uint64_t	 i;

	for (i = 0; i < 100; i++)
		expect(p, b * 1000 + i, 10 * KB);
	for (i = 0; i < 10; i++)
		expect(p, (b - 1) * 1000 + i, 10 * KB);
	expect(p, (b - 1) * 1000 + 10, NONE);
}

/*
 * Rebuilding many times keeps the pack near the size of what is used,
 * and an entry got before a commit (that may rewrite the file) stays
 * readable until pack_close.
 */
static void
compaction_bounds_file(void **state)
{
	struct fix		*f = *state;
	struct pack		*p;
	struct pack_stats	 st;
	const void		*held = NULL;
	size_t			 hlen = 0;
	uint64_t		 b, live;
	int			 compacted = 0;

	for (b = 0; b <= 5; b++) {
		p = rebuild(f, b);
		if (b > 0)
			held = pack_get(p, (b - 1) * 1000, &hlen);
		assert_int_equal(pack_commit(p), 1);
		assert_true(b == 0 ||
		    same(held, hlen, (b - 1) * 1000, 10 * KB));
		pack_get_stats(p, &st);
		live = (b > 0 ? 110 : 100) * 10 * KB;
		assert_true(st.live_bytes >= live);
		assert_true(st.live_bytes <= live + 64 * KB);
		assert_true(st.file_bytes < 2 * st.live_bytes + 64 * KB);
		assert_true(file_size(f->file) >= (long long)st.file_bytes);
		assert_true(file_size(f->file) + file_size(f->spare) <
		    4 * (long long)st.live_bytes + 64 * KB);
		compacted |= st.compacted;
		pack_close(p);
	}
	assert_true(compacted);

	p = open_ok(f, 1, 1);
	expect_rebuilt(p, 5);
	expect(p, 0, NONE);
	pack_close(p);
}

static ino_t
inode_of(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/*
 * A compaction writes the live entries over the spare file and swaps the
 * two names: the old pack is the next spare, and no file is made or
 * removed once both exist (freeing a file's blocks cost more than
 * writing over them).
 */
static void
compaction_writes_over_spare(void **state)
{
	struct fix		*f = *state;
	struct pack		*p;
	struct pack_stats	 st;
	ino_t			 pack_was, spare_was;
	uint64_t		 b;
	int			 swaps = 0;

	for (b = 0; b <= 4; b++) {
		p = rebuild(f, b);
		pack_was = inode_of(f->file);
		spare_was = inode_of(f->spare);
		assert_int_equal(pack_commit(p), 1);
		pack_get_stats(p, &st);
		if (st.compacted) {
			assert_int_equal(inode_of(f->spare), pack_was);
			if (spare_was != 0) {
				assert_int_equal(inode_of(f->file), spare_was);
				swaps++;
			}
		}
		pack_close(p);
	}
	assert_true(swaps >= 2);
	p = open_ok(f, 1, 1);
	expect_rebuilt(p, 4);
	pack_close(p);
}

/* A spare file that is a symbolic link or has a second name is replaced,
 * never written through: the other file keeps its bytes. */
static void
spare_link_not_written_through(void **state)
{
	struct fix		*f = *state;
	struct pack		*p;
	struct pack_stats	 st;
	char			 hard[160], soft[160], buf[16];
	uint64_t		 b, i;
	int			 round, compacted;
	FILE			*fp;

	snprintf(hard, sizeof(hard), "%s/hard", f->root);
	snprintf(soft, sizeof(soft), "%s/soft", f->root);
	for (round = 0; round < 2; round++) {
		assert_non_null(fp = fopen(round ? soft : hard, "w"));
		fputs("keep me", fp);
		assert_int_equal(fclose(fp), 0);
		pack_close(open_ok(f, 1, 1));	/* makes the folder */
		unlink(f->spare);
		if (round == 0)
			assert_int_equal(link(hard, f->spare), 0);
		else
			assert_int_equal(symlink(soft, f->spare), 0);
		compacted = 0;
		for (b = 0; b <= 2; b++) {
			p = open_ok(f, 1, 1);
			for (i = 0; i < 100; i++)
				put(p, (round * 10 + b) * 1000 + i, 10 * KB);
			assert_int_equal(pack_commit(p), 1);
			pack_get_stats(p, &st);
			compacted |= st.compacted;
			pack_close(p);
		}
		assert_true(compacted);
		assert_non_null(fp = fopen(round ? soft : hard, "r"));
		assert_non_null(fgets(buf, sizeof(buf), fp));
		fclose(fp);
		assert_string_equal(buf, "keep me");
	}
}

#define NTHREAD	4
#define OLD	100000	/* keys of the previous build: OLD + 0..999 */

struct worker {
	struct pack	*p;
	int		 t;
	int		 bad;	/* gets that missed or were wrong */
};

/* Puts 500 entries of its own and gets 250 of the previous build's. */
static void *
worker(void *arg)
{
	struct worker	*w = arg;
	unsigned char	 buf[2000];
	const void	*got;
	uint64_t	 i, key;
	size_t		 len = 0;

	for (i = 0; i < 500; i++) {
		key = (uint64_t)w->t * 10000 + i;
		fill(key, buf, SIZE_OF(key));
		pack_put(w->p, key, buf, SIZE_OF(key));
		key = OLD + (uint64_t)w->t * 250 + i / 2;
		if (i % 2 == 1)
			continue;
		got = pack_get(w->p, key, &len);
		w->bad += !same(got, len, key, SIZE_OF(key));
	}
	return NULL;
}

/* A build with several workers keeps every entry each of them made. */
static void
threads_put_and_get(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;
	pthread_t	 th[NTHREAD];
	struct worker	 w[NTHREAD];
	uint64_t	 i;
	int		 t;

	p = open_ok(f, 1, 1);
	for (i = 0; i < 1000; i++)
		put(p, OLD + i, SIZE_OF(OLD + i));
	commit_close(p);

	p = open_ok(f, 1, 1);
	for (t = 0; t < NTHREAD; t++) {
		w[t] = (struct worker){ p, t, 0 };
		assert_int_equal(pthread_create(&th[t], NULL, worker, &w[t]),
		    0);
	}
	for (t = 0; t < NTHREAD; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(w[t].bad, 0);
	}
	commit_close(p);

	p = open_ok(f, 1, 1);
	for (t = 0; t < NTHREAD; t++)
		for (i = t * 10000ULL; i < t * 10000ULL + 500; i++)
			expect(p, i, SIZE_OF(i));
	for (i = 0; i < 1000; i++)
		expect(p, OLD + i, SIZE_OF(OLD + i));
	pack_close(p);
}

/* Two puts of one key in a build: the first one is what is kept. */
static void
duplicate_put_keeps_first(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;

	p = open_ok(f, 1, 1);
	put(p, 'K', 100);
	put(p, 'K', 200);	/* same first 100 bytes, but longer */
	commit_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'K', 100);
	pack_close(p);
}

/*
 * A put replaces what an earlier build left under its key, read this build
 * or not (an entry that turned out not to apply).
 */
static void
put_replaces_earlier_build(void **state)
{
	struct fix	*f = *state;
	struct pack	*p;

	p = open_ok(f, 1, 1);
	put(p, 'K', 100);
	put(p, 'L', 100);
	commit_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'K', 100);
	put(p, 'K', 300);
	put(p, 'L', 250);
	commit_close(p);
	p = open_ok(f, 1, 1);
	expect(p, 'K', 300);
	expect(p, 'L', 250);
	pack_close(p);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(round_trip),
		T(keys_found),
		T(only_used_survive),
		T(failed_build_keeps_previous),
		T(other_seed_ignored),
		T(clean_build),
		T(damaged_entry),
		T(keep_without_reading),
		T(damaged_file),
		T(one_build_at_a_time),
		T(compaction_bounds_file),
		T(compaction_writes_over_spare),
		T(spare_link_not_written_through),
		T(threads_put_and_get),
		T(duplicate_put_keeps_first),
		T(put_replaces_earlier_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
