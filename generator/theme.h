/*
 * theme: finds the theme's folders and publishes its assets.
 *
 * A theme named N is looked for, in order, in the site's own themes/N, in
 * $PORCH_THEMES/N, beside the installed binary (../share/porch/themes/N)
 * and in the source tree Porch was built from.  The site's folder may hold
 * only the few files it overrides; the first folder that has a file wins.
 */
#ifndef PORCH_THEME_H
#define PORCH_THEME_H

#include <jansson.h>

#include "output.h"

struct theme {
	char	*dirs[2];	/* the site's override folder (or NULL), the theme */
	char	*template_dirs[2];
	size_t	 ntemplate_dirs;
};

/* Finds theme name for the site in content_dir; 1, or 0 after reporting
 * that it is nowhere. */
int	 theme_find(struct theme *, const char *content_dir, const char *name);
void	 theme_free(struct theme *);

/*
 * Copies every file under the theme's assets/ folders to assets/ in the
 * output with a content hash in its name (style.css -> style.3f2a9c1b.css),
 * so a CDN can cache them for ever.  Returns the map from plain name to
 * URL (base_path in front), or NULL after reporting a problem.  With o NULL
 * nothing is written (porch check).
 */
json_t	*theme_publish_assets(const struct theme *, const struct out_dir *o,
	     const char *base_path);

#endif
