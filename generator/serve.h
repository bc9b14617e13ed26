/*
 * serve: `porch serve`, the writer's live preview.  Builds the site with
 * build_run (the same entry point as `porch build`, so it is incremental
 * when the build is) into a private folder, serves that folder on
 * 127.0.0.1 with libmicrohttpd, watches the content folder and the theme
 * (watch.c), rebuilds after a change and tells open pages over
 * server-sent events to reload, or to show the build's errors in an
 * overlay.  The reload script is added to HTML answers on the way out,
 * never to the built files.
 */
#ifndef PORCH_SERVE_H
#define PORCH_SERVE_H

struct build_opts;

/*
 * Serves until SIGINT or SIGTERM.  opt->content is the site, opt->out is
 * ignored (a private folder is used and removed at the end); port 0 picks
 * a free one.  The address is printed to stderr as
 * "porch: serving http://127.0.0.1:PORT/".  Returns 1 after a clean stop,
 * 0 if the server could not start.
 */
int	 serve_run(const struct build_opts *opt, unsigned port);

#endif
