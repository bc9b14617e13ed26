/*
 * auth: sessions and the checks the server runs before a handler.
 */
#ifndef PORCHD_AUTH_H
#define PORCHD_AUTH_H

#include "http.h"

/*
 * Reads the session cookie of req, if any, and when it names a live
 * session sets req->user_id and req->session_hash and refreshes its idle
 * expiry.  An unknown or expired cookie leaves the request anonymous.
 * Called by the server for every request that reaches a route.
 */
void	 auth_load_session(struct req *);
/*
 * For unsafe methods on a logged-in session: 1 if the request carries the
 * session's CSRF token (header X-CSRF-Token, or form field csrf), else 0.
 * Anonymous requests pass (they have nothing to forge).
 */
int	 auth_csrf_token_ok(const struct req *);

#endif
