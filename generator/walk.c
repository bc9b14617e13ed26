#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dirlist.h"
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

/* A folder's entry, while the folder is sorted. */
struct entry {
	char		*rel;		/* content-relative path (heap); a
					   folder's ends in '/' until sorted */
	size_t		 name;		/* where its name starts in rel */
	int		 dir;		/* readdir calls it a folder */
	int		 regular;	/* readdir calls it a regular file */
};

/*
 * Orders a folder's entries as their paths, and the paths below them,
 * compare with strcmp: a folder by its name and a '/' ("a/x" sorts after
 * "a-b", as '-' < '/').  So the walk lists the files already in the
 * order the list needs, and sorting the whole list (a second pass over
 * 10,000 paths sharing long prefixes) is only needed when readdir could
 * not say which entries are folders.
 */
static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return strcmp(x->rel + x->name, y->rel + y->name);
}

/* What every folder of one walk needs. */
struct walk {
	const char	*root;
	struct pack	*pack;		/* folder listings, or NULL */
	struct walk_list *list;
};

static int	walk_dir(const struct walk *, const char *,
		    const struct ancestry *);

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
walk_other(const struct walk *w, const char *rel, const struct ancestry *up)
{
	char		*full;
	struct stat	 st;
	const struct ancestry *a;
	struct ancestry	 here;
	int		 ok = 1;

	full = path_join(w->root, rel);
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
		ok = walk_dir(w, rel, &here);
	} else if (S_ISREG(st.st_mode))
		add_file(w->list, xstrdup(rel));
	free(full);
	return ok;
}

/* Handles one entry of a folder (its rel the list's, or freed).  A
 * regular file (readdir says so) is listed as it is: the model stats it
 * anyway, so this is one stat fewer per page. */
static int
walk_entry(const struct walk *w, struct entry *e, const struct ancestry *up)
{
	int	 ok;

	if (e->regular) {
		add_file(w->list, e->rel);
		return 1;
	}
	ok = walk_other(w, e->rel, up);
	free(e->rel);
	return ok;
}

/* The entry d of the folder rel: its path made once, as this runs for
 * every file of the site. */
static struct entry
entry_of(const char *rel, const struct dirlist_entry *d)
{
	size_t		 lr = strlen(rel), ln = strlen(d->name);
	struct entry	 e;

	e.name = lr > 0 ? lr + 1 : 0;
	e.dir = d->type == DT_DIR;
	e.regular = d->type == DT_REG;
	e.rel = xmalloc(e.name + ln + 2);
	if (lr > 0) {
		memcpy(e.rel, rel, lr);
		e.rel[lr] = '/';
	}
	memcpy(e.rel + e.name, d->name, ln);
	e.rel[e.name + ln] = '/';
	e.rel[e.name + ln + e.dir] = '\0';
	return e;
}

/* Drops the '/' entry_of put at the end of a folder's path. */
static void
unmark(struct entry *e)
{
	if (e->dir)
		e->rel[strlen(e->rel) - 1] = '\0';
}

/* 1 when the walk leaves out the entry name of the folder rel: hidden
 * files, and the configuration and themes beside the content. */
static int
left_out(const char *rel, const char *name)
{
	return name[0] == '.' || (rel[0] == '\0' &&
	    (strcmp(name, "site.lua") == 0 || strcmp(name, "themes") == 0));
}

/* Walks the folder rel ("" for the root). */
static int
walk_dir(const struct walk *w, const char *rel, const struct ancestry *up)
{
	char		*full = rel[0] ? path_join(w->root, rel) :
			    xstrdup(w->root);
	struct dirlist	 l;
	struct entry	*es;
	size_t		 n = 0, i;
	int		 ok = 1;

	if (!dirlist_read(full, w->pack, &l)) {
		diag_error(full, 0, 0, "cannot open folder: %s", strerror(errno));
		free(full);
		return 0;
	}
	es = xcalloc(l.n ? l.n : 1, sizeof(*es));
	for (i = 0; i < l.n; i++)
		if (!left_out(rel, l.v[i].name))
			es[n++] = entry_of(rel, &l.v[i]);
	dirlist_free(&l);
	xqsort(es, n, sizeof(*es), cmp_entry);
	for (i = 0; i < n; i++) {
		unmark(&es[i]);
		if (!walk_entry(w, &es[i], up))
			ok = 0;
	}
	free(es);
	free(full);
	return ok;
}

/* 1 when the list is in strcmp order (as walk_dir makes it unless
 * readdir left some entry's kind unknown). */
static int
sorted(const struct walk_list *list)
{
	size_t	 i;

	for (i = 1; i < list->n; i++)
		if (strcmp(list->paths[i - 1], list->paths[i]) > 0)
			return 0;
	return 1;
}

int
walk_content(const char *root, struct pack *pk, struct walk_list *list)
{
	struct stat	 st;
	struct ancestry	 top;
	struct walk	 w = { root, pk, list };
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
	ok = walk_dir(&w, "", &top);
	if (!sorted(list))
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
