#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "path.h"
#include "walk.h"
#include "xalloc.h"

/* The directories on the way down, to see a symbolic link loop. */
struct ancestry {
	dev_t		 dev;
	ino_t		 ino;
	const struct ancestry *up;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Orders walk_dir's entries by name (after their kind byte). */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int	walk_dir(const char *, const char *, const struct ancestry *,
		    struct walk_list *);

/* Lists rel, which the list now owns. */
static void
add_file(struct walk_list *list, char *rel)
{
	list->paths = xreallocarray(list->paths, list->n + 1,
	    sizeof(*list->paths), &list->cap);
	list->paths[list->n++] = rel;
}

/* An entry readdir did not call a regular file, looked at through stat
 * (which follows symbolic links): a folder is walked, a file listed. */
static int
walk_other(const char *root, const char *rel, const struct ancestry *up,
    struct walk_list *list)
{
	char		*full;
	struct stat	 st;
	const struct ancestry *a;
	struct ancestry	 here;
	int		 ok = 1;

	full = path_join(root, rel);
	if (stat(full, &st) == -1) {
		if (errno == ELOOP)
			diag_error(full, 0, 0, "symbolic link loop");
		else
			diag_error(full, 0, 0, "cannot read: %s", strerror(errno));
		ok = 0;
	} else if (S_ISDIR(st.st_mode)) {
		for (a = up; a != NULL; a = a->up)
			if (a->dev == st.st_dev && a->ino == st.st_ino) {
				diag_error(full, 0, 0, "symbolic link loop: "
				    "this folder contains itself");
				free(full);
				return 0;
			}
		here.dev = st.st_dev;
		here.ino = st.st_ino;
		here.up = up;
		ok = walk_dir(root, rel, &here, list);
	} else if (S_ISREG(st.st_mode))
		add_file(list, xstrdup(rel));
	free(full);
	return ok;
}

/* Handles one entry rel (content-relative; listed, or freed) of a folder.
 * A regular file (readdir says so) is listed as it is: the model stats it
 * anyway, so this is one stat fewer per page. */
static int
walk_entry(const char *root, char *rel, int regular,
    const struct ancestry *up, struct walk_list *list)
{
	int	 ok;

	if (regular) {
		add_file(list, rel);
		return 1;
	}
	ok = walk_other(root, rel, up, list);
	free(rel);
	return ok;
}

/* "f" (a regular file) or "?", then e's name: one allocation, as this
 * runs for every file of the site. */
static char *
kind_and_name(const struct dirent *e)
{
	size_t	 len = strlen(e->d_name);
	char	*s = xmalloc(len + 2);

	s[0] = e->d_type == DT_REG ? 'f' : '?';
	memcpy(s + 1, e->d_name, len + 1);
	return s;
}

/* Walks the folder rel ("" for the root). */
static int
walk_dir(const char *root, const char *rel, const struct ancestry *up,
    struct walk_list *list)
{
	char		*full = rel[0] ? path_join(root, rel) : xstrdup(root);
	DIR		*d;
	struct dirent	*e;
	char		*child;
	char		**names = NULL;	/* each: 'f' (a regular file) or '?',
					   then the name */
	size_t		 n = 0, cap = 0, i;
	int		 ok = 1;

	if ((d = opendir(full)) == NULL) {
		diag_error(full, 0, 0, "cannot open folder: %s", strerror(errno));
		free(full);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (rel[0] == '\0' && (strcmp(e->d_name, "site.lua") == 0 ||
		    strcmp(e->d_name, "themes") == 0))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names), &cap);
		names[n++] = kind_and_name(e);
	}
	closedir(d);
	xqsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		child = rel[0] ? path_join(rel, names[i] + 1) :
		    xstrdup(names[i] + 1);
		if (!walk_entry(root, child, names[i][0] == 'f', up, list))
			ok = 0;
		free(names[i]);
	}
	free(names);
	free(full);
	return ok;
}

int
walk_content(const char *root, struct walk_list *list)
{
	struct stat	 st;
	struct ancestry	 top;
	int		 ok;

	memset(list, 0, sizeof(*list));
	if (stat(root, &st) == -1 || !S_ISDIR(st.st_mode)) {
		diag_error(root, 0, 0, "not a folder: %s",
		    errno ? strerror(errno) : "not a directory");
		return 0;
	}
	top.dev = st.st_dev;
	top.ino = st.st_ino;
	top.up = NULL;
	ok = walk_dir(root, "", &top, list);
	xqsort(list->paths, list->n, sizeof(*list->paths), cmp_str);
	return ok;
}

void
walk_free(struct walk_list *list)
{
	size_t	 i;

	for (i = 0; i < list->n; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}
