/*
 * build: the whole pipeline of `porch build` and `porch check`: read the
 * content, find the theme, render every page in parallel, write the
 * assets, feeds and catalog, and swap the new site into place only when
 * nothing failed.
 */
#ifndef PORCH_BUILD_H
#define PORCH_BUILD_H

#include <stdio.h>

struct build_opts {
	const char	*content;	/* the content folder (site.lua's) */
	const char	*out;		/* destination folder */
	int		 drafts;	/* publish draft pages too */
	int		 warn_links;	/* broken links are warnings */
	int		 threads;	/* 0: one per core */
	int		 check_only;	/* validate, write nothing */
	int		 quiet;		/* no summary line */
	FILE		*messages;	/* where problems go; NULL: stderr */
	int		 clean;		/* ignore the build cache (cache.h) */
	const char	*votes;		/* vote counts to show (votes.h), or NULL */
	int		 exiting;	/* the process ends after: its memory is
					 * left to the system (build.c) */
};

/* Runs the build; prints every problem to stderr.  Returns 1 on success. */
int	 build_run(const struct build_opts *);

#endif
