#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "dirlist.h"
#include "fileid.h"
#include "pack.h"
#include "record.h"
#include "xalloc.h"

/*
 * An entry: u32 count, then per folder entry a u8 d_type and a str (the
 * name, with its NUL: a listing read back points at the pack's bytes).
 * DIRLIST_FORMAT seeds every key.
 */
static const char DIRLIST_FORMAT[8] = "porchdl1";
/* The fewest bytes a folder entry takes: its type and a one-byte name. */
#define DIRLIST_ENTRY_MIN	(1 + 4 + 1 + 1)

static uint64_t
memo_key(const char *path, const struct stat *st)
{
	return fileid_key(path, st, XXH3_64bits(DIRLIST_FORMAT,
	    sizeof(DIRLIST_FORMAT)));
}

/* The listing kept under key, read in place; 0 when there is none (or it
 * is malformed). */
static int
recall(struct pack *pk, uint64_t key, struct dirlist *out)
{
	const void	*entry;
	struct rec_rd	 r;
	size_t		 len, i, n;

	if ((entry = pack_get(pk, key, &len)) == NULL)
		return 0;
	rec_init(&r, entry, len);
	n = rec_get_count(&r, DIRLIST_ENTRY_MIN);
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	for (i = 0; i < n && r.ok; i++) {
		rec_get(&r, &out->v[i].type, 1);
		out->v[i].name = rec_get_str(&r, 0, NULL);
	}
	if (!r.ok || r.p != r.end) {
		free(out->v);
		out->v = NULL;
		return 0;
	}
	out->n = n;
	return 1;
}

static void
remember(struct pack *pk, uint64_t key, const struct dirlist *l)
{
	struct buf	 b = { 0 };
	size_t		 i;

	rec_put_u32(&b, (uint32_t)l->n);
	for (i = 0; i < l->n; i++) {
		buf_append(&b, &l->v[i].type, 1);
		rec_put_str(&b, l->v[i].name, strlen(l->v[i].name));
	}
	pack_put(pk, key, b.data, b.len);
	buf_free(&b);
}

/* Reads the folder itself: the names into one buffer, then the entries
 * pointing into it (the buffer moves while it grows). */
static int
list_folder(const char *path, struct dirlist *out)
{
	DIR		*d;
	struct dirent	*de;
	struct buf	 names = { 0 };
	unsigned char	*types = NULL;
	size_t		 n = 0, cap = 0, i, off;

	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		types = xreallocarray(types, n + 1, 1, &cap);
		types[n++] = de->d_type;
		buf_append(&names, de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	out->names = names.data;
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	for (i = 0, off = 0; i < n; i++) {
		out->v[i].type = types[i];
		out->v[i].name = out->names + off;
		off += strlen(out->v[i].name) + 1;
	}
	out->n = n;
	free(types);
	return 1;
}

int
dirlist_read(const char *path, struct pack *pk, struct dirlist *out)
{
	struct stat	 st;
	uint64_t	 key = 0;
	int		 keyed;

	memset(out, 0, sizeof(*out));
	/* The identity before the reading: a change made while reading
	 * gives the folder a new one, so the next build reads it again. */
	keyed = pk != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (keyed) {
		key = memo_key(path, &st);
		if (recall(pk, key, out))
			return 1;
	}
	if (!list_folder(path, out))
		return 0;
	if (keyed && !fileid_too_recent(&st))
		remember(pk, key, out);
	return 1;
}

void
dirlist_free(struct dirlist *l)
{
	free(l->v);
	free(l->names);
	memset(l, 0, sizeof(*l));
}
