/*
 * accounts: the JSON endpoints for customer accounts, as the table
 * account_routes (route.h declares it; routes.c joins it):
 *
 *   POST /auth/signup            {email, name}            202 (signup on)
 *   POST /auth/verify            {token, password}        200 + cookie
 *   POST /auth/login             {email, password}        200 + cookie
 *   POST /auth/logout                                     200
 *   POST /auth/logout-everywhere                          200 (logged in)
 *   GET  /auth/me                                         200 (user or null)
 *   POST /auth/reset             {email}                  202
 *   POST /auth/reset/confirm     {token, password}        200 + cookie
 *   POST /auth/magic             {email}                  202 (magic on)
 *   POST /auth/magic/consume     {token}                  200 + cookie
 *
 * The password is chosen when following the verification link, not at
 * sign-up: only the owner of the address gets there, so nobody can sign
 * up with another's address and a password of their own and wait for the
 * owner to verify it (pre-account hijacking).
 *
 * A logged-in answer is {"user": {"id", "email", "name", "verified"},
 * "csrf": token}; errors are {"error": code, "message": text}.  Mails
 * link to pages of the site: PUBLIC_URL/account/verify/?token=...,
 * /account/reset/?token=..., /account/magic/?token=....
 */
#ifndef PORCHD_ACCOUNTS_H
#define PORCHD_ACCOUNTS_H

#include "route.h"

extern const struct route account_routes[];

#endif
