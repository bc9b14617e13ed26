/*
 * attach: ticket attachments on disk (see attach.h).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "attach.h"
#include "http.h"
#include "token.h"

/* 1 if the len bytes of s are UTF-8 text without NUL or controls other
 * than tab, newline, carriage return and form feed. */
static int
is_text(const unsigned char *s, size_t len)
{
	size_t	 i, k, need;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
			    s[i] != '\r' && s[i] != '\f')
				return 0;
			if (s[i] == 0x7f)
				return 0;
			continue;
		}
		if ((s[i] & 0xE0) == 0xC0 && s[i] >= 0xC2)
			need = 1;
		else if ((s[i] & 0xF0) == 0xE0)
			need = 2;
		else if ((s[i] & 0xF8) == 0xF0 && s[i] <= 0xF4)
			need = 3;
		else
			return 0;
		for (k = 1; k <= need; k++)
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return 0;
		i += need;
	}
	return 1;
}

const char *
attach_sniff(const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	size_t	 i;
	json_t	*j;

	if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "image/jpeg";
	if (len >= 6 && (memcmp(d, "GIF87a", 6) == 0 ||
	    memcmp(d, "GIF89a", 6) == 0))
		return "image/gif";
	if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return "application/pdf";
	if (len >= 4 && (memcmp(d, "PK\x03\x04", 4) == 0 ||
	    memcmp(d, "PK\x05\x06", 4) == 0))
		return "application/zip";
	if (len == 0 || !is_text(d, len))
		return NULL;
	for (i = 0; i < len && (d[i] == ' ' || d[i] == '\t' ||
	    d[i] == '\n' || d[i] == '\r'); i++)
		;
	if (i < len && (d[i] == '{' || d[i] == '[') &&
	    (j = json_loadb(data, len, 0, NULL)) != NULL) {
		json_decref(j);
		return "application/json";
	}
	return "text/plain";
}

/* Makes dir if missing (one level, as var/attachments under var/). */
static int
ensure_dir(const char *dir)
{
	char	 parent[4096], *slash;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 1;
	if (errno == ENOENT && strlen(dir) < sizeof(parent)) {
		snprintf(parent, sizeof(parent), "%s", dir);
		if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
			*slash = '\0';
			if (mkdir(parent, 0700) == -1 && errno != EEXIST)
				return 0;
			return mkdir(dir, 0700) == 0 || errno == EEXIST;
		}
	}
	return 0;
}

int
attach_save(const char *dir, const char *data, size_t len, char *stored,
    char *sha)
{
	struct sha256_ctx ctx;
	unsigned char	 raw[ATTACH_STORED_LEN / 2], dig[SHA256_DIGEST_SIZE];
	char		 tmp[4200], final[4200];
	size_t		 off = 0;
	ssize_t		 w;
	int		 fd = -1, dfd;

	if (!ensure_dir(dir)) {
		http_log("attachments: cannot make %s: %s", dir,
		    strerror(errno));
		return 0;
	}
	if (!token_random(raw, sizeof(raw)))
		return 0;
	token_hex(stored, raw, sizeof(raw));
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)data);
	sha256_digest(&ctx, sizeof(dig), dig);
	token_hex(sha, dig, sizeof(dig));
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, stored);
	snprintf(final, sizeof(final), "%s/%s", dir, stored);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1)
		goto fail;
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* renameat, not rename: the seccomp filter (sandbox.c) allows the
	 * *at calls only */
	if (renameat(AT_FDCWD, tmp, AT_FDCWD, final) == -1)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 1;
fail:
	http_log("attachments: cannot store a file in %s: %s", dir,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return 0;
}

void
attach_remove(const char *dir, const char *stored)
{
	char	 path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, stored);
	unlink(path);
}

int
attach_open(const char *dir, const char *stored, size_t *size)
{
	char		 path[4200];
	struct stat	 st;
	int		 fd;

	if (strchr(stored, '/') || stored[0] == '.')
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, stored);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

char *
attach_clean_name(const char *name)
{
	const char	*p;
	char		*out, *o;
	size_t		 n = 0;

	if (name == NULL)
		name = "";
	if ((p = strrchr(name, '/')) != NULL)
		name = p + 1;
	if ((p = strrchr(name, '\\')) != NULL)
		name = p + 1;
	if ((out = malloc(ATTACH_NAME_MAX + 1)) == NULL)
		return NULL;
	for (o = out, p = name; *p && n < ATTACH_NAME_MAX; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || c == '"' || c == ';')
			continue;
		*o++ = (char)c;
		n++;
	}
	*o = '\0';
	/* a cut may split a UTF-8 sequence: drop the last character */
	if (*p != '\0' && o > out && ((unsigned char)o[-1] & 0x80)) {
		while (o > out && ((unsigned char)o[-1] & 0xC0) == 0x80)
			o--;
		if (o > out)
			o--;
		*o = '\0';
	}
	if (out[0] == '\0' || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		strcpy(out, "attachment");
	return out;
}

void
attach_disposition(const char *clean, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t		 o;
	int		 ascii = 1;

	o = (size_t)snprintf(out, len, "attachment; filename=\"");
	for (p = (const unsigned char *)clean; *p && o + 2 < len; p++) {
		ascii &= *p < 0x80;
		out[o++] = *p < 0x80 ? (char)*p : '_';
	}
	if (o + 2 < len)
		out[o++] = '"';
	out[o < len ? o : len - 1] = '\0';
	if (ascii)
		return;
	o += (size_t)snprintf(out + o, o < len ? len - o : 0,
	    "; filename*=UTF-8''");
	/* attr-char of RFC 8187 stays; everything else is %XX */
	for (p = (const unsigned char *)clean; *p && o + 4 < len; p++) {
		if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p))
			out[o++] = (char)*p;
		else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o < len ? o : len - 1] = '\0';
}
