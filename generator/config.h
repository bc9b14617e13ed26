/*
 * config: the site configuration from site.lua, checked and completed with
 * defaults.  Every option has a default; an unknown option, a wrong type or
 * a bad value is an error that names the option (and suggests the nearest
 * known name for a typo).  See docs/site-config.md.
 */
#ifndef PORCH_CONFIG_H
#define PORCH_CONFIG_H

#include <jansson.h>

struct site_config {
	json_t		*json;		/* the whole checked config, defaults filled in */
	const char	*title;		/* these point into json */
	const char	*base_url;	/* ends with '/'; "/" when not absolute */
	char		*base_path;	/* path part of base_url, ends with '/' */
	const char	*language;
	const char	*theme;
	int		 warn_links;	/* options.warn_links */
	long		 feed_limit;	/* options.feed_limit */
	int		 gzip;		/* options.gzip */
	long		 changelog_per_page; /* options.changelog_per_page */
	long		 faq_per_page;	/* options.faq_per_page */
	long		 tags_per_page;	/* options.tags_per_page */
};

/*
 * Loads dir/site.lua (a missing file means all defaults) into *cfg.
 * Returns 1, or 0 after reporting every problem through diag.  Free with
 * config_free either way.
 */
int	 config_load(const char *dir, struct site_config *cfg);
void	 config_free(struct site_config *);

#endif
