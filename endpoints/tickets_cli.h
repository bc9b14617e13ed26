/*
 * tickets_cli: `porchd tickets list|show|reply|status|priority|assign|
 * link|export`, the staff side of tickets (docs/tickets.md).  Changes
 * that customers hear of (a reply, a status) are written with their mail
 * and webhook rows in one transaction; the running server's outbox
 * worker delivers them (it looks for rows of other processes every
 * OUTBOX_POLL seconds).
 */
#ifndef PORCHD_TICKETS_CLI_H
#define PORCHD_TICKETS_CLI_H

#include <stdio.h>

#include "app.h"

/* Runs `porchd tickets ARGS...` (argv[0] is "tickets") against the
 * database of cfg; returns the exit status (0, 1 failure, 2 usage). */
int	 tickets_main(const struct settings *cfg, int argc, char **argv);

/* Seconds of a duration such as "4h", "1d", "30m", "90s" or "3600";
 * -1 when malformed. */
long	 tickets_duration(const char *s);

#endif
