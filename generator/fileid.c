#include <sys/stat.h>

#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "fileid.h"

/* Seconds within which a file's times are too recent to key it by. */
#define FILEID_RACY_S	2

uint64_t
fileid_key(const char *path, const struct stat *st, uint64_t seed)
{
	uint64_t	 id[7];

	id[0] = (uint64_t)st->st_dev;
	id[1] = (uint64_t)st->st_ino;
	id[2] = (uint64_t)st->st_size;
	id[3] = (uint64_t)st->st_mtim.tv_sec;
	id[4] = (uint64_t)st->st_mtim.tv_nsec;
	id[5] = (uint64_t)st->st_ctim.tv_sec;
	id[6] = (uint64_t)st->st_ctim.tv_nsec;
	return XXH3_64bits_withSeed(path, strlen(path),
	    XXH3_64bits_withSeed(id, sizeof(id), seed));
}

int
fileid_too_recent(const struct stat *st)
{
	struct timespec	 now;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return 1;
	return st->st_mtim.tv_sec >= now.tv_sec - FILEID_RACY_S ||
	    st->st_ctim.tv_sec >= now.tv_sec - FILEID_RACY_S;
}
