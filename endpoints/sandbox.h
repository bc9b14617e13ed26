/*
 * sandbox: least privilege for `porchd serve`.  Once the listening socket,
 * the database and the outbox are open, porchd started as root gives the
 * state it writes (the database folder and files, the attachments folder)
 * to the user it runs as, drops to that user for good (setgroups, setgid,
 * setuid, then checks that root cannot be regained), and installs a
 * seccomp filter (libseccomp) that allows only the system calls porchd
 * makes; any other kills the process.  docs/SECURITY.md lists the calls
 * and why each is there.
 */
#ifndef PORCHD_SANDBOX_H
#define PORCHD_SANDBOX_H

#include <stddef.h>

#include "app.h"

/* The user a root porchd runs as when --user is not given. */
#define SANDBOX_DEFAULT_USER	"porch"

/*
 * Checks, before anything is opened, that porchd may run with these
 * settings: as root it needs --user (or an existing SANDBOX_DEFAULT_USER);
 * --user without root must name the current user.  Returns 1, or 0 with a
 * message in err (errlen bytes).
 */
int	 sandbox_check(const struct settings *cfg, char *err, size_t errlen);

/*
 * Drops privileges (when root) and installs the system call filter (when
 * cfg->seccomp, unless --sendmail is set or this is a sanitizer build:
 * then it logs why not).  Threads already running are covered too.
 * Logs what it did.  Returns 1, or 0 with a message in err: porchd must
 * then exit.
 */
int	 sandbox_enter(const struct settings *cfg, char *err, size_t errlen);

#endif
