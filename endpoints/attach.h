/*
 * attach: ticket attachments on disk.  The type of a file is decided by
 * its first bytes against an allow-list (PNG, JPEG, GIF, PDF, ZIP, JSON,
 * plain text), never by its name or the sender's Content-Type.  Files
 * are stored under settings.attachments_dir with random names the server
 * makes: written to a temporary file, fsync'ed, renamed, and the folder
 * fsync'ed, before the transaction that records them commits; the
 * caller removes them again when that transaction fails.
 */
#ifndef PORCHD_ATTACH_H
#define PORCHD_ATTACH_H

#include <stddef.h>

#define ATTACH_NAME_MAX		200	/* bytes of a customer's file name */
#define ATTACH_STORED_LEN	32	/* hex characters of a stored name */

/* The MIME type of data (len bytes) if it is an allowed kind, or NULL. */
const char *attach_sniff(const char *data, size_t len);
/*
 * Writes data under dir (created if missing) with a new random name,
 * stored (ATTACH_STORED_LEN + 1 bytes), and its SHA-256 in hex, sha (65
 * bytes).  Returns 1, or 0 (logged, nothing left behind).
 */
int	 attach_save(const char *dir, const char *data, size_t len,
	     char *stored, char *sha);
/* Removes a stored file (a failed transaction). */
void	 attach_remove(const char *dir, const char *stored);
/* Opens a stored file for reading; its size in *size; -1 on failure. */
int	 attach_open(const char *dir, const char *stored, size_t *size);
/* A copy of name fit for a Content-Disposition filename and for mail:
 * no path, no quotes, backslashes or controls, at most ATTACH_NAME_MAX
 * bytes, never empty (heap). */
char	*attach_clean_name(const char *name);
/* The Content-Disposition value for a cleaned name (RFC 6266): an ASCII
 * filename with '_' for other bytes, and filename* with the UTF-8 name
 * percent-encoded (RFC 8187), so browsers save it under its own name. */
#define ATTACH_DISPOSITION_MAX	(ATTACH_NAME_MAX * 4 + 64)
void	 attach_disposition(const char *clean, char *out, size_t len);

#endif
