/*
 * feeds: the machine-readable files beside the pages: sitemap.xml,
 * robots.txt, the changelog's Atom feed (changelog/feed.xml) and
 * catalog.json, the one file porchd reads (format in docs/catalog.md).
 */
#ifndef PORCH_FEEDS_H
#define PORCH_FEEDS_H

#include "model.h"
#include "output.h"

int	 feeds_write_sitemap(const struct site *, const struct out_dir *);
int	 feeds_write_robots(const struct site *, const struct out_dir *);
int	 feeds_write_atom(const struct site *, const struct out_dir *);
int	 feeds_write_catalog(const struct site *, const struct out_dir *);

#endif
