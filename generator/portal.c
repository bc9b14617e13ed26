#include <string.h>

#include <jansson.h>

#include "portal.h"
#include "xalloc.h"

/*
 * The portal pages: name (page.portal), template, site path, title, and
 * whether search engines may index it (indexing.c): only the ticket form
 * is content (the request types and what each is for); the others are
 * empty shells filled in for one customer, or a link's landing page.
 * The paths are the ones porchd's mails link to (docs/api.md, "Pages the
 * mails link to"): change both together.
 */
static const struct portal_page {
	const char	*name;
	const char	*tpl;
	const char	*url;
	const char	*title;
	int		 indexed;
} pages[] = {
	{ "account_login", "account_login.html",
	    "/account/login/", "Log in", 0 },
	{ "account_signup", "account_signup.html",
	    "/account/signup/", "Sign up", 0 },
	{ "account_verify", "account_verify.html",
	    "/account/verify/", "Choose your password", 0 },
	{ "account_reset", "account_reset.html",
	    "/account/reset/", "Reset your password", 0 },
	{ "account_magic", "account_magic.html",
	    "/account/magic/", "Logging you in", 0 },
	{ "account", "account.html",
	    "/account/", "Your account", 0 },
	{ "account_unsubscribe", "account_unsubscribe.html",
	    "/account/unsubscribe/", "Unsubscribe", 0 },
	{ "tickets", "tickets.html",
	    "/tickets/", "My tickets", 0 },
	{ "tickets_new", "tickets_new.html",
	    "/tickets/new/", "Contact support", 1 },
	{ "tickets_view", "tickets_view.html",
	    "/tickets/view/", "Ticket", 0 },
	{ "tickets_confirm", "tickets_confirm.html",
	    "/tickets/confirm/", "Confirm your ticket", 0 },
	{ "tickets_rate", "tickets_rate.html",
	    "/tickets/rate/", "Rate our answer", 0 },
};

/* The portal is on unless site.lua sets endpoint to "" (a site without
 * porchd: documentation only). */
static int
portal_enabled(const struct site *s)
{
	const char	*e = json_string_value(json_object_get(s->cfg.json,
			    "endpoint"));

	return e != NULL && e[0] != '\0';
}

/* Appends one generated page per row of pages[]; titles are heap copies
 * (freed with the page), names and templates static. */
void
portal_add_pages(struct site *s)
{
	struct page	*p;
	size_t		 i;

	if (!portal_enabled(s))
		return;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		p = model_page_new(s, KIND_PORTAL, SECTION_PAGE);
		p->title = xstrdup(pages[i].title);
		p->portal = pages[i].name;
		model_page_set_url(p, pages[i].url);
	}
}

/* The row of p, or NULL for a name not in the table. */
static const struct portal_page *
row_of(const struct page *p)
{
	size_t		 i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].name, p->portal) == 0)
			return &pages[i];
	return NULL;
}

/* 1 when portal page p is content a search engine may index. */
int
portal_indexed(const struct page *p)
{
	const struct portal_page *r = row_of(p);

	return r != NULL && r->indexed;
}

/* The row's template, or page.html for a name not in the table. */
const char *
portal_template(const struct page *p)
{
	const struct portal_page *r = row_of(p);

	return r != NULL ? r->tpl : "page.html";
}
