/*
 * settings: porchd's configuration, from four sources in rising order of
 * precedence: built-in defaults < the config file (`key = value` lines,
 * # comments) < environment variables PORCHD_<KEY> < command-line flags
 * (--key value, with '-' for '_').  Every setting of struct settings
 * (app.h) is described once in a table of validators in settings.c, which
 * parses each value with range checks; nothing else parses settings.
 */
#ifndef PORCHD_SETTINGS_H
#define PORCHD_SETTINGS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "app.h"

/* Room for an error message from the functions below. */
#define SETTINGS_ERRLEN	512

/* One row of the settings table, for main.c's help and flags. */
struct setting_info {
	const char	*name;		/* "max_body" */
	const char	*arg;		/* "BYTES", "SECONDS", ... */
	const char	*help;		/* one line */
};

/* Fills s with the defaults (strings on the heap). */
void	 settings_defaults(struct settings *s);
/* Frees the strings s holds and zeroes it. */
void	 settings_free(struct settings *s);
/*
 * Sets key (as in the config file: "max_body") from the text value after
 * checking it; returns 1, or 0 with a message in err (SETTINGS_ERRLEN
 * bytes) that names the key but not where it came from.
 */
int	 settings_set(struct settings *s, const char *key, const char *value,
	     char *err);
/*
 * Reads the config file at path: `key = value` lines; blank lines and
 * lines whose first non-blank character is '#' are skipped, and so is a
 * '#' after blanks on a value line.  A value may be in double quotes.
 * Returns 1, or 0 with "path:line: message" in err (unknown or repeated
 * key, bad value, unreadable file).  s->config is set to path.
 */
int	 settings_load_file(struct settings *s, const char *path, char *err);
/*
 * Applies the environment variables PORCHD_<KEY> (PORCHD_MAX_BODY, ...)
 * found in envp (NULL-terminated "NAME=value" strings, e.g. environ);
 * returns 1, or 0 with "PORCHD_KEY: message" in err.  PORCHD_CONFIG is
 * skipped (main.c reads it first to find the file).  An unknown PORCHD_*
 * variable is reported through warn (may be NULL) and otherwise ignored.
 */
int	 settings_load_env(struct settings *s, char *const *envp, char *err,
	     void (*warn)(const char *msg));
/* Cross-field checks after all sources (session_max >= session_idle);
 * returns 1, or 0 with a message in err. */
int	 settings_check(const struct settings *s, char *err);
/*
 * Parses a listen address "HOST:PORT", "[IPv6]:PORT" or ":PORT" (all
 * IPv4 addresses) into sa (big enough for IPv6) and *len; numeric hosts
 * only, and "localhost".  Port 0 asks the kernel for a free port (tests
 * read the port from the "listening on" log line).  Returns 1, or 0 with a message in err.
 */
int	 settings_parse_listen(const char *text, struct sockaddr_storage *sa,
	     socklen_t *len, char *err);
/* The table rows, ending with a NULL name. */
const struct setting_info *settings_table(void);
/* Writes every setting as `key = value` lines to f (porchd serve
 * --print-config); webhook_secret is never shown. */
void	 settings_print(const struct settings *s, FILE *f);

#endif
