#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "buf.h"
#include "config.h"
#include "diag.h"
#include "httpd.h"
#include "path.h"
#include "serve.h"
#include "theme.h"
#include "watch.h"
#include "xalloc.h"

/* Where open pages listen for builds (outside any site's base path). */
#define EVENTS_PATH	"/__porch/events"
/* Quiet time that ends a burst of saves. */
#define DEBOUNCE_MS	50
/* A comment line on idle event streams, so dead tabs are noticed. */
#define PING_SECONDS	15
/* The most of a build's messages one event carries. */
#define MAX_ERROR_TEXT	(32 * 1024)
#define SSE_BLOCK	(MAX_ERROR_TEXT + 4096)
#define MAX_CONNECTIONS	64

struct server {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* signalled after a build and at stop */
	unsigned long	 gen;		/* builds so far */
	char		*error;		/* last build's messages if it failed */
	char		*base_path;	/* site's base path, "/" or "/x/" */
	int		 built;		/* root holds a site */
	int		 stopping;
	char		*root;		/* the built site (fixed) */
};

/* One open event stream. */
struct stream {
	struct server	*sv;
	unsigned long	 gen;		/* the build it told about last */
	int		 hello;		/* sent the first event */
};

/*
 * The script added before </body> of every HTML answer: listens to
 * EVENTS_PATH, reloads after a good build, shows the messages of a
 * failed one in an overlay (text only, never parsed as HTML).  gen is the
 * build this answer came from, error its messages or NULL.  Returns heap
 * memory.
 */
static char *
live_script(unsigned long gen, const char *error)
{
	json_t	*e = error ? json_string(error) : json_null();
	char	*ej, *s;

	if (e == NULL)
		e = json_string("the build failed (its messages are not UTF-8)");
	ej = json_dumps(e, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH);
	json_decref(e);
	s = xasprintf(
"<script id=\"porch-live\">(function(){var gen=%lu,err=%s;"
"function show(t){var o=document.getElementById(\"porch-overlay\");"
"if(!o){o=document.createElement(\"div\");o.id=\"porch-overlay\";"
"o.setAttribute(\"role\",\"alert\");"
"o.style.cssText=\"position:fixed;inset:0;z-index:2147483647;"
"background:rgba(24,24,28,.94);color:#f4f4f5;overflow:auto;padding:32px;"
"font:14px/1.5 ui-monospace,Menlo,Consolas,monospace\";"
"var h=document.createElement(\"h2\");h.textContent=\"The build failed\";"
"h.style.cssText=\"margin:0 0 12px;font:600 20px system-ui,sans-serif;"
"color:#fca5a5\";var p=document.createElement(\"pre\");"
"p.id=\"porch-overlay-text\";p.style.cssText=\"white-space:pre-wrap;"
"margin:0 0 16px\";var n=document.createElement(\"p\");"
"n.textContent=\"Fix the file and save it: this page updates by itself.\";"
"n.style.cssText=\"font:14px system-ui,sans-serif;opacity:.8\";"
"o.appendChild(h);o.appendChild(p);o.appendChild(n);"
"(document.body||document.documentElement).appendChild(o)}"
"document.getElementById(\"porch-overlay-text\").textContent=t}"
"if(err)show(err);if(!window.EventSource)return;"
"var es=new EventSource(\"" EVENTS_PATH "\");"
"es.addEventListener(\"hello\",function(e){var d=JSON.parse(e.data);"
"if(d.gen===gen)return;if(d.error){gen=d.gen;show(d.error)}"
"else location.reload()});"
"es.addEventListener(\"reload\",function(){location.reload()});"
"es.addEventListener(\"build-error\",function(e){var d=JSON.parse(e.data);"
"gen=d.gen;show(d.error)})})();</script>\n", gen, ej);
	free(ej);
	return s;
}

/* The event telling about the current build, into buf (max bytes). */
static size_t
format_event(const struct server *sv, int hello, char *buf, size_t max)
{
	json_t	*d = json_pack("{s:I}", "gen", (json_int_t)sv->gen), *e;
	char	*dj, *cut = NULL;
	int	 n;

	if (sv->error != NULL) {
		cut = strndup(sv->error, MAX_ERROR_TEXT);
		if ((e = json_string(cut)) == NULL)
			e = json_string("the build failed");
		json_object_set_new(d, "error", e);
		free(cut);
	} else if (hello)
		json_object_set_new(d, "error", json_null());
	dj = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	n = snprintf(buf, max, "event: %s\ndata: %s\n\n", hello ? "hello" :
	    sv->error ? "build-error" : "reload", dj ? dj : "{}");
	free(dj);
	return n < 0 ? 0 : (size_t)n >= max ? max - 1 : (size_t)n;
}

/* MHD's reader of an event stream: blocks until there is news. */
static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream	*st = cls;
	struct server	*sv = st->sv;
	struct timespec	 until;
	ssize_t		 n;

	(void)pos;
	pthread_mutex_lock(&sv->lock);
	if (!st->hello) {
		st->hello = 1;
		st->gen = sv->gen;
		n = (ssize_t)format_event(sv, 1, buf, max);
		pthread_mutex_unlock(&sv->lock);
		return n;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PING_SECONDS;
	while (!sv->stopping && st->gen == sv->gen)
		if (pthread_cond_timedwait(&sv->cond, &sv->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (sv->stopping) {
		pthread_mutex_unlock(&sv->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (st->gen == sv->gen) {
		pthread_mutex_unlock(&sv->lock);
		n = snprintf(buf, max, ": ping\n\n");
		return n;
	}
	st->gen = sv->gen;
	n = (ssize_t)format_event(sv, 0, buf, max);
	pthread_mutex_unlock(&sv->lock);
	return n;
}

static enum MHD_Result
queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result	 ret;

	if (r == NULL)
		return MHD_NO;
	mhd.add_response_header(r, "Cache-Control", "no-store");
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(strlen(text),
	    (void *)text, MHD_RESPMEM_MUST_COPY);

	if (r != NULL)
		mhd.add_response_header(r, "Content-Type",
		    "text/plain; charset=utf-8");
	return queue(c, status, r);
}

/* An empty answer that sends the browser to location (copied). */
static enum MHD_Result
answer_redirect(struct MHD_Connection *c, unsigned status,
    const char *location)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(0, "",
	    MHD_RESPMEM_PERSISTENT);

	if (r != NULL)
		mhd.add_response_header(r, "Location", location);
	return queue(c, status, r);
}

static enum MHD_Result
answer_events(struct server *sv, struct MHD_Connection *c)
{
	struct stream	*st = xcalloc(1, sizeof(*st));
	struct MHD_Response *r;

	st->sv = sv;
	r = mhd.create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK,
	    stream_read, st, free);
	if (r == NULL) {
		free(st);
		return MHD_NO;
	}
	mhd.add_response_header(r, "Content-Type", "text/event-stream");
	return queue(c, MHD_HTTP_OK, r);
}

static const char *
content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".xml", "application/xml" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".webp", "image/webp" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".pdf", "application/pdf" },
		{ ".gz", "application/gzip" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (path_has_suffix(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/*
 * Sends the HTML file at fd (size bytes) with the live script before its
 * last </body> (or at the end).  Closes fd.
 */
static enum MHD_Result
answer_html(struct server *sv, struct MHD_Connection *c, unsigned status,
    int fd, size_t size)
{
	struct buf	 b = { 0 };
	struct MHD_Response *r;
	char		*html = xmalloc(size + 1), *script, *at = NULL, *p;
	size_t		 got = 0, cut;
	ssize_t		 n;

	while (got < size && (n = read(fd, html + got, size - got)) > 0)
		got += (size_t)n;
	close(fd);
	html[got] = '\0';
	for (p = html; (p = strstr(p, "</body>")) != NULL; p++)
		at = p;
	cut = at ? (size_t)(at - html) : got;
	pthread_mutex_lock(&sv->lock);
	script = live_script(sv->gen, sv->error);
	pthread_mutex_unlock(&sv->lock);
	buf_append(&b, html, cut);
	buf_puts(&b, script);
	buf_append(&b, html + cut, got - cut);
	free(script);
	free(html);
	r = mhd.create_response_from_buffer(b.len, b.data,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		buf_free(&b);
		return MHD_NO;
	}
	mhd.add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	return queue(c, status, r);
}

/* The page shown when no build has succeeded yet: only the overlay. */
static enum MHD_Result
answer_no_site(struct server *sv, struct MHD_Connection *c)
{
	char	*script, *page;
	struct MHD_Response *r;

	pthread_mutex_lock(&sv->lock);
	script = live_script(sv->gen, sv->error);
	pthread_mutex_unlock(&sv->lock);
	page = xasprintf("<!doctype html>\n<html lang=\"en\"><meta charset="
	    "\"utf-8\"><title>Build failed</title><body>\n%s</body></html>\n",
	    script);
	free(script);
	r = mhd.create_response_from_buffer(strlen(page), page,
	    MHD_RESPMEM_MUST_FREE);
	if (r != NULL)
		mhd.add_response_header(r, "Content-Type",
		    "text/html; charset=utf-8");
	return queue(c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
}

/* 1 if the request path has no "..", "." or empty-name trickery. */
static int
safe_path(const char *url)
{
	const char	*s = url, *e;
	size_t		 n;

	if (url[0] != '/' || strchr(url, '\\') != NULL)
		return 0;
	while (*s == '/') {
		s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' &&
		    s[1] == '.'))
			return 0;
		s += n;
	}
	return 1;
}

/* Opens root + rel; *st filled.  Returns the descriptor or -1. */
static int
open_under(const char *root, const char *rel, struct stat *st)
{
	char	*full = xasprintf("%s%s", root, rel);
	int	 fd = open(full, O_RDONLY | O_CLOEXEC);

	free(full);
	if (fd != -1 && fstat(fd, st) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static enum MHD_Result
answer_file(struct server *sv, struct MHD_Connection *c, const char *url)
{
	struct MHD_Response *r;
	struct stat	 st;
	const char	*rel = url;
	char		*loc, *idx, *base;
	enum MHD_Result	 ret;
	unsigned	 status = MHD_HTTP_OK;
	size_t		 blen;
	int		 fd, built;

	pthread_mutex_lock(&sv->lock);
	base = xstrdup(sv->base_path);
	built = sv->built;
	pthread_mutex_unlock(&sv->lock);
	if (!built) {
		free(base);
		return answer_no_site(sv, c);
	}
	blen = strlen(base);
	if (blen > 1 && strncmp(url, base, blen) == 0)
		rel = url + blen - 1;
	else if (blen > 1 && strcmp(url, "/") == 0) {
		ret = answer_redirect(c, MHD_HTTP_FOUND, base);
		free(base);
		return ret;
	}
	free(base);
	fd = open_under(sv->root, rel, &st);
	if (fd != -1 && S_ISDIR(st.st_mode)) {
		close(fd);
		if (!path_has_suffix(url, "/")) {
			loc = xasprintf("%s/", url);
			ret = answer_redirect(c, MHD_HTTP_MOVED_PERMANENTLY,
			    loc);
			free(loc);
			return ret;
		}
		idx = xasprintf("%sindex.html", rel);
		fd = open_under(sv->root, idx, &st);
		free(idx);
		rel = "/index.html";
	}
	if (fd == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		status = MHD_HTTP_NOT_FOUND;
		rel = "/404.html";
		if ((fd = open_under(sv->root, rel, &st)) == -1)
			return answer_text(c, status, "not found\n");
	}
	if (path_has_suffix(rel, ".html"))
		return answer_html(sv, c, status, fd, (size_t)st.st_size);
	r = mhd.create_response_from_fd((uint64_t)st.st_size, fd);
	if (r == NULL) {
		close(fd);
		return MHD_NO;
	}
	mhd.add_response_header(r, "Content-Type", content_type(rel));
	return queue(c, status, r);
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	static int	 seen;
	struct server	*sv = cls;

	(void)version;
	(void)upload;
	if (*req == NULL) {
		*req = &seen;	/* answer once the headers are all in */
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;	/* bodies are ignored */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "porch serve answers GET and HEAD only\n");
	if (strcmp(url, EVENTS_PATH) == 0)
		return answer_events(sv, c);
	if (!safe_path(url))
		return answer_text(c, MHD_HTTP_BAD_REQUEST, "bad path\n");
	return answer_file(sv, c, url);
}

/* Watches the content folder and the theme's folders (again: cheap, and
 * site.lua may have named another theme). */
static void
watch_sources(struct watch *w, const char *content)
{
	struct site_config cfg;
	struct theme	 t;
	size_t		 i;

	watch_add_tree(w, content);
	memset(&cfg, 0, sizeof(cfg));
	if (config_load(content, &cfg) && theme_find(&t, content, cfg.theme)) {
		for (i = 0; i < 2; i++)
			if (t.dirs[i] != NULL)
				watch_add_tree(w, t.dirs[i]);
		theme_free(&t);
	}
	config_free(&cfg);
	free(diag_take());	/* the build reports these */
}

/* The site's base path from site.lua, "/" when it cannot be read. */
static char *
read_base_path(const char *content)
{
	struct site_config cfg;
	char		*base;

	memset(&cfg, 0, sizeof(cfg));
	base = xstrdup(config_load(content, &cfg) && cfg.base_path ?
	    cfg.base_path : "/");
	config_free(&cfg);
	free(diag_take());
	return base;
}

/* One build into sv->root; then every open page hears of it. */
static void
rebuild(struct server *sv, const struct build_opts *base)
{
	struct build_opts o = *base;
	FILE		*f;
	char		*msgs = NULL, *bp;
	size_t		 mlen = 0;
	int		 ok;

	o.out = sv->root;
	o.check_only = 0;
	if ((f = open_memstream(&msgs, &mlen)) == NULL) {
		o.messages = NULL;
		ok = build_run(&o);
	} else {
		o.messages = f;
		ok = build_run(&o);
		fclose(f);
	}
	if (mlen > 0)
		fputs(msgs, stderr);
	bp = read_base_path(base->content);
	pthread_mutex_lock(&sv->lock);
	sv->gen++;
	free(sv->error);
	sv->error = NULL;
	if (ok)
		sv->built = 1;
	else
		sv->error = xstrdup(mlen > 0 ? msgs : "the build failed\n");
	free(sv->base_path);
	sv->base_path = bp;
	pthread_cond_broadcast(&sv->cond);
	pthread_mutex_unlock(&sv->lock);
	free(msgs);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int
serve_run(const struct build_opts *opt, unsigned port)
{
	struct server	 sv;
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;
	struct watch	*w = NULL;
	struct pollfd	 pfd[2];
	sigset_t	 sigs;
	const char	*tmp = getenv("TMPDIR");
	char		*priv;
	int		 sfd = -1, ok = 0;

	memset(&sv, 0, sizeof(sv));
	pthread_mutex_init(&sv.lock, NULL);
	pthread_cond_init(&sv.cond, NULL);
	sv.base_path = xstrdup("/");
	priv = xasprintf("%s/porch-serve-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(priv) == NULL) {
		fprintf(stderr, "porch: cannot make a private folder in %s: "
		    "%s\n", tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
		free(priv);
		priv = NULL;
		goto out;
	}
	sv.root = xasprintf("%s/site", priv);

	/* Signals are taken by the main loop; blocked before any thread
	 * (the build's workers, MHD's) starts, so all inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) == -1 ||
	    (w = watch_new()) == NULL) {
		fprintf(stderr, "porch: cannot watch files: %s\n",
		    strerror(errno));
		goto out;
	}
	watch_sources(w, opt->content);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!httpd_load())
		goto out;
	d = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ERROR_LOG,
	    (uint16_t)port, NULL, NULL, answer, &sv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "porch: cannot listen on 127.0.0.1:%u (in "
		    "use? try --port)\n", port);
		goto out;
	}
	if ((info = mhd.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		port = info->port;

	rebuild(&sv, opt);
	fprintf(stderr, "porch: serving http://127.0.0.1:%u%s (Ctrl-C to "
	    "stop)\n", port, sv.base_path);
	ok = 1;
	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = watch_fd(w);
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN)
			break;
		if ((pfd[1].revents & POLLIN) &&
		    watch_settle(w, DEBOUNCE_MS)) {
			fprintf(stderr, "porch: change seen, rebuilding\n");
			rebuild(&sv, opt);
			watch_sources(w, opt->content);
		}
	}
	fprintf(stderr, "porch: stopping\n");
out:
	pthread_mutex_lock(&sv.lock);
	sv.stopping = 1;
	pthread_cond_broadcast(&sv.cond);
	pthread_mutex_unlock(&sv.lock);
	if (d != NULL)
		mhd.stop_daemon(d);
	watch_free(w);
	if (sfd != -1)
		close(sfd);
	if (priv != NULL) {
		nftw(priv, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(priv);
	}
	free(sv.root);
	free(sv.error);
	free(sv.base_path);
	pthread_cond_destroy(&sv.cond);
	pthread_mutex_destroy(&sv.lock);
	return ok;
}
