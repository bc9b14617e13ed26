#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "diag.h"
#include "path.h"
#include "theme.h"
#include "walk.h"
#include "xalloc.h"

#ifndef PORCH_THEMES_DIR
#define PORCH_THEMES_DIR "/usr/local/share/porch/themes"
#endif

static int
is_dir(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ../share/porch/themes beside the running binary, or NULL. */
static char *
installed_themes(void)
{
	char	 exe[PATH_MAX];
	ssize_t	 n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char	*bindir, *dir;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	bindir = path_dir(exe);
	dir = xasprintf("%s/../share/porch/themes", bindir);
	free(bindir);
	return dir;
}

int
theme_find(struct theme *t, const char *content_dir, const char *name)
{
	char		*site_dir = xasprintf("%s/themes/%s", content_dir, name);
	char		*candidates[3], *dir;
	const char	*env = getenv("PORCH_THEMES");
	size_t		 i;

	memset(t, 0, sizeof(*t));
	candidates[0] = env && env[0] ? path_join(env, name) : NULL;
	dir = installed_themes();
	candidates[1] = dir ? path_join(dir, name) : NULL;
	free(dir);
	candidates[2] = path_join(PORCH_THEMES_DIR, name);
	for (i = 0; i < 3; i++) {
		if (t->dirs[1] == NULL && candidates[i] && is_dir(candidates[i]))
			t->dirs[1] = candidates[i];
		else
			free(candidates[i]);
	}
	if (is_dir(site_dir))
		t->dirs[0] = site_dir;
	else
		free(site_dir);
	if (t->dirs[1] == NULL && t->dirs[0] == NULL) {
		diag_error(NULL, 0, 0, "theme '%s' not found: looked in "
		    "%s/themes/%s, $PORCH_THEMES and %s", name, content_dir,
		    name, PORCH_THEMES_DIR);
		return 0;
	}
	for (i = 0; i < 2; i++)
		if (t->dirs[i] != NULL)
			t->template_dirs[t->ntemplate_dirs++] =
			    path_join(t->dirs[i], "templates");
	return 1;
}

void
theme_free(struct theme *t)
{
	size_t	 i;

	for (i = 0; i < 2; i++) {
		free(t->dirs[i]);
		free(t->template_dirs[i]);
	}
	memset(t, 0, sizeof(*t));
}

/* "css/style.css" + hash -> "css/style.3f2a9c1b.css". */
static char *
fingerprinted(const char *name, unsigned long long hash)
{
	const char	*slash = strrchr(name, '/');
	const char	*dot = strrchr(slash ? slash + 1 : name, '.');

	if (dot == NULL || dot == (slash ? slash + 1 : name))
		return xasprintf("%s.%08llx", name, hash & 0xffffffffULL);
	return xasprintf("%.*s.%08llx%s", (int)(dot - name), name,
	    hash & 0xffffffffULL, dot);
}

static int
read_all(const char *path, char **data, size_t *len)
{
	FILE		*f = fopen(path, "rb");
	struct stat	 st;

	if (f == NULL || fstat(fileno(f), &st) == -1) {
		diag_error(path, 0, 0, "cannot read: %s", strerror(errno));
		if (f)
			fclose(f);
		return 0;
	}
	*data = xmalloc((size_t)st.st_size + 1);
	*len = fread(*data, 1, (size_t)st.st_size, f);
	fclose(f);
	return 1;
}

/* Publishes one asset; adds name -> URL to map. */
static int
publish(const char *path, const char *name, const struct out_dir *o,
    const char *base_path, json_t *map)
{
	char		*data, *fp, *rel, *url;
	size_t		 len;
	int		 ok = 1;

	if (!read_all(path, &data, &len))
		return 0;
	fp = fingerprinted(name, XXH3_64bits(data, len));
	rel = xasprintf("assets/%s", fp);
	url = xasprintf("%s%s", base_path, rel);
	if (o != NULL)
		ok = out_write(o, rel, data, len);
	json_object_set_new(map, name, json_string(url));
	free(url);
	free(rel);
	free(fp);
	free(data);
	return ok;
}

json_t *
theme_publish_assets(const struct theme *t, const struct out_dir *o,
    const char *base_path)
{
	json_t		*map = json_object();
	struct walk_list list;
	char		*dir, *path;
	size_t		 i, j;
	int		 ok = 1;

	for (i = 0; i < 2; i++) {
		if (t->dirs[i] == NULL)
			continue;
		dir = path_join(t->dirs[i], "assets");
		if (!is_dir(dir)) {
			free(dir);
			continue;
		}
		if (!walk_content(dir, NULL, &list))
			ok = 0;
		for (j = 0; j < list.n; j++) {
			if (json_object_get(map, list.paths[j]) != NULL)
				continue;	/* the site's own file won */
			path = path_join(dir, list.paths[j]);
			if (!publish(path, list.paths[j], o, base_path, map))
				ok = 0;
			free(path);
		}
		walk_free(&list);
		free(dir);
	}
	if (!ok) {
		json_decref(map);
		return NULL;
	}
	return map;
}
