/*
 * fileid: what a file's (or folder's) stat says about its contents, for
 * the memos that key a reading by it (frontcache.c: a source's front
 * matter; dirlist.c: a folder's entries).  Device, inode, size and the
 * modification and change times: the change time moves with every write,
 * rename and chmod and cannot be set back by utimes, so an unchanged
 * identity means unchanged contents, unless the times are too recent to
 * tell two writes in the same clock tick apart (git's "racily clean").
 */
#ifndef PORCH_FILEID_H
#define PORCH_FILEID_H

#include <stdint.h>

struct stat;

/* The hash of path and the identity st gives it, seeded with seed (the
 * memo's format). */
uint64_t fileid_key(const char *path, const struct stat *st, uint64_t seed);

/* 1 when st's modification or change time is within the last two
 * seconds: on a file system that keeps whole seconds (or a coarse clock),
 * a write in the same tick could keep the identity, so a reading made now
 * must not be stored under it (it is simply made again next time). */
int	 fileid_too_recent(const struct stat *st);

#endif
