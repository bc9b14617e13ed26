/*
 * portal: the built-in pages of the customer portal (log in, sign up,
 * My tickets, the ticket form...), which talk to porchd from the browser.
 * The generator makes them when site.lua's endpoint is not empty; each
 * has its own template, which a site may override like any other.
 */
#ifndef PORCH_PORTAL_H
#define PORCH_PORTAL_H

#include "model.h"

/* Adds the portal pages to s (after the content pages, so a content page
 * at the same URL is reported as a duplicate). */
void	 portal_add_pages(struct site *);
/* 1 when portal page p may be indexed by search engines (the ticket
 * form), else 0. */
int	 portal_indexed(const struct page *);
/* The template of portal page p ("account_login.html"), static. */
const char *portal_template(const struct page *);

#endif
