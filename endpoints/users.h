/*
 * users: `porchd users add|import|disable|list|reset-password`, the staff
 * commands for accounts.
 */
#ifndef PORCHD_USERS_H
#define PORCHD_USERS_H

#include "app.h"

/* Runs `porchd users ARGS...` (argv[0] is "users") against the database of
 * cfg; returns the exit status. */
int	 users_main(const struct settings *cfg, int argc, char **argv);

#endif
