#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "path.h"
#include "xalloc.h"

/* The starter site: every kind of content once, each file explaining
 * itself, so a writer learns the model by reading it. */
static const struct {
	const char	*path;
	const char	*text;
} files[] = {
	{ "site.lua",
"-- The site's configuration: every option is in docs/site-config.md of\n"
"-- Porch.  Anything you leave out has a default.\n"
"return {\n"
"  title = \"Example Help Center\",\n"
"  description = \"Guides and answers for Example.\",\n"
"  base_url = \"https://help.example.com/\",\n"
"  language = \"en\",\n"
"  colors = { primary = \"#2563eb\", accent = \"#0f766e\" },\n"
"  nav = {\n"
"    { title = \"Docs\", url = \"/docs/\" },\n"
"    { title = \"FAQ\", url = \"/faq/\" },\n"
"    { title = \"Changelog\", url = \"/changelog/\" },\n"
"    { title = \"Roadmap\", url = \"/roadmap/\" },\n"
"    { title = \"Contact\", url = \"/contact/\" },\n"
"  },\n"
"  tickets = {\n"
"    prefix = \"HELP\",\n"
"    types = {\n"
"      { id = \"question\", label = \"Question\", fields = {\n"
"        { name = \"subject\", type = \"text\", label = \"Subject\", required = true, max = 150 },\n"
"        { name = \"description\", type = \"textarea\", label = \"How can we help?\", required = true, min = 20, max = 5000 },\n"
"      } },\n"
"    },\n"
"  },\n"
"}\n" },
	{ "index.md",
"---\n"
"title: Example Help Center\n"
"description: Find answers, read the guides, or ask us.\n"
"---\n"
"\n"
"Welcome! Start with the [getting started guide](docs/getting-started.md)\n"
"or browse the [questions people ask most](faq/reset-password.md).\n" },
	{ "contact.md",
"---\n"
"title: Contact us\n"
"description: How to reach the support team.\n"
"---\n"
"\n"
"Could not find your answer? Open a ticket and we answer within one\n"
"business day.\n" },
	{ "docs/index.md",
"---\n"
"title: Documentation\n"
"description: Everything about Example, step by step.\n"
"---\n"
"\n"
"Each folder under docs/ is a section of the navigation; `weight` in the\n"
"front matter orders the pages, lower first.\n" },
	{ "docs/getting-started.md",
"---\n"
"title: Getting started\n"
"description: Set up Example in five minutes.\n"
"weight: 10\n"
"tags: [basics]\n"
"---\n"
"\n"
"## Create an account\n"
"\n"
"Sign up at the home page, then confirm your e-mail address.\n"
"\n"
"## Next steps\n"
"\n"
"Link to other pages with their file path: see the\n"
"[FAQ about passwords](../faq/reset-password.md), or jump to a heading\n"
"of this page: [create an account](#create-an-account).\n"
"\n"
"> [!TIP]\n"
"> Broken links fail the build, so readers never meet one.\n" },
	{ "faq/reset-password.md",
"---\n"
"title: How do I reset my password?\n"
"description: Get a reset link by e-mail.\n"
"category: Account\n"
"tags: [basics]\n"
"---\n"
"\n"
"Choose **Forgot password** on the login page; the link we send you works\n"
"for one hour.\n" },
	{ "changelog/1.0.0.md",
"---\n"
"title: Example 1.0\n"
"version: \"1.0.0\"\n"
"date: 2026-01-15\n"
"type: feature\n"
"ships: [first-release]\n"
"---\n"
"\n"
"The first release. `ships` names the roadmap items it delivers: they move\n"
"to Shipped on the roadmap by themselves.\n" },
	{ "roadmap/first-release.md",
"---\n"
"title: A first release\n"
"description: Everything needed to get started.\n"
"id: first-release\n"
"status: planned\n"
"quarter: \"2026-Q1\"\n"
"category: Product\n"
"---\n"
"\n"
"Roadmap items have an `id`, a `status` (planned, in-progress, shipped)\n"
"and a `quarter`. Customers vote on them.\n" },
};

static int
write_text(const char *path, const char *text)
{
	FILE	*f = fopen(path, "wx");
	size_t	 n = strlen(text);

	if (f == NULL || fwrite(text, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "porch: %s: %s\n", path, strerror(errno));
		return 0;
	}
	return 1;
}

static int
empty_or_missing(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 empty = 1;

	if (d == NULL)
		return errno == ENOENT;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

int
init_site(const char *dir)
{
	size_t	 i;
	char	*path, *sub;
	int	 ok = 1;

	if (!empty_or_missing(dir)) {
		fprintf(stderr, "porch: %s exists and is not empty; choose a "
		    "new folder\n", dir);
		return 0;
	}
	mkdir(dir, 0755);
	for (i = 0; ok && i < sizeof(files) / sizeof(files[0]); i++) {
		path = path_join(dir, files[i].path);
		sub = path_dir(path);
		mkdir(sub, 0755);
		ok = write_text(path, files[i].text);
		free(sub);
		free(path);
	}
	return ok;
}
