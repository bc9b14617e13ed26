#include <string.h>

#include <jansson.h>

#include "portal.h"
#include "xalloc.h"

/*
 * The portal pages: name (page.portal), template, site path and title.
 * The paths are the ones porchd's mails link to (docs/api.md, "Pages the
 * mails link to"): change both together.
 */
static const struct portal_page {
	const char	*name;
	const char	*tpl;
	const char	*url;
	const char	*title;
} pages[] = {
	{ "account_login", "account_login.html",
	    "/account/login/", "Log in" },
	{ "account_signup", "account_signup.html",
	    "/account/signup/", "Sign up" },
	{ "account_verify", "account_verify.html",
	    "/account/verify/", "Choose your password" },
	{ "account_reset", "account_reset.html",
	    "/account/reset/", "Reset your password" },
	{ "account_magic", "account_magic.html",
	    "/account/magic/", "Logging you in" },
	{ "account", "account.html",
	    "/account/", "Your account" },
	{ "account_unsubscribe", "account_unsubscribe.html",
	    "/account/unsubscribe/", "Unsubscribe" },
	{ "tickets", "tickets.html",
	    "/tickets/", "My tickets" },
	{ "tickets_new", "tickets_new.html",
	    "/tickets/new/", "Contact support" },
	{ "tickets_view", "tickets_view.html",
	    "/tickets/view/", "Ticket" },
	{ "tickets_confirm", "tickets_confirm.html",
	    "/tickets/confirm/", "Confirm your ticket" },
	{ "tickets_rate", "tickets_rate.html",
	    "/tickets/rate/", "Rate our answer" },
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

/* The row's template, or page.html for a name not in the table. */
const char *
portal_template(const struct page *p)
{
	size_t		 i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].name, p->portal) == 0)
			return pages[i].tpl;
	return "page.html";
}
