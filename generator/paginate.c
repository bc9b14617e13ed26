#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "paginate.h"
#include "xalloc.h"

/*
 * Splits the list whose page 1 is head (n entries, per a page) into
 * pages: head keeps entries [0, per), each further page k is a new page of
 * the same kind at HEAD_URL/page/k/ titled "TITLE, page k".  A list that
 * fits on one page is left alone (npageno 0: all entries).
 */
static void
split_list(struct site *s, struct page *head, size_t n, long per_page)
{
	struct page	*p, *prev = head;
	size_t		 per = per_page > 0 ? (size_t)per_page : n, k, npg;
	char		*url;

	if (per == 0 || n <= per)
		return;
	npg = (n + per - 1) / per;
	head->first = 0;
	head->count = per;
	head->pageno = 1;
	head->npageno = (unsigned)npg;
	head->list_head = head;
	for (k = 2; k <= npg; k++) {
		p = model_page_new(s, head->kind, head->section);
		p->title = xasprintf("%s, page %zu", head->title, k);
		p->category = head->category;
		p->tag = head->tag != NULL ? xstrdup(head->tag) : NULL;
		p->first = (k - 1) * per;
		p->count = k == npg ? n - p->first : per;
		p->pageno = (unsigned)k;
		p->npageno = (unsigned)npg;
		p->list_head = head;
		url = xasprintf("%spage/%zu/", head->url, k);
		model_page_set_url(p, url);
		free(url);
		p->pager_prev = prev;
		prev->pager_next = p;
		prev = p;
	}
}

void
paginate_site(struct site *s)
{
	size_t	 i;

	if (s->changelog_list != NULL)
		split_list(s, s->changelog_list, s->nchangelog,
		    s->cfg.changelog_per_page);
	for (i = 0; i < s->ncats; i++)
		split_list(s, s->cats[i].page, s->cats[i].nquestions,
		    s->cfg.faq_per_page);
}

void
paginate_tags(struct site *s)
{
	size_t	 i;

	for (i = 0; i < s->ntags; i++)
		split_list(s, s->tags[i].page, s->tags[i].npages,
		    s->cfg.tags_per_page);
}
