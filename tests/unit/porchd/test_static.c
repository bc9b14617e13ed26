/*
 * Unit tests for static.c: path safety, content types, fingerprints,
 * Accept-Encoding and If-None-Match parsing, HTTP dates, and resolving
 * below a folder with and without openat2 (links inside the site are
 * followed by openat2, links out of it never).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "static.h"

static void
test_path_ok(void **state)
{
	static const char *const good[] = { "/", "/index.html", "/docs/",
	    "/docs/x/", "/assets/main.c5012858.js", "/a b/c", "/caf\xc3\xa9/",
	    "/.well-known/security.txt", "/x..y", "/a.", NULL };
	static const char *const bad[] = { "", "index.html", "/..", "/../x",
	    "/a/../b", "/a/..", "/./x", "/a/./b", "//x", "/a//b", "/a\\b",
	    "/.git/config", "/.env", "/a/.hidden", "/a\x01", "/a\x7f",
	    "/.well-knownx/", NULL };
	size_t	 i;

	(void)state;
	for (i = 0; good[i]; i++)
		if (!static_path_ok(good[i]))
			fail_msg("refused good path %s", good[i]);
	for (i = 0; bad[i]; i++)
		if (static_path_ok(bad[i]))
			fail_msg("accepted bad path %s", bad[i]);
}

static void
test_types(void **state)
{
	(void)state;
	assert_string_equal(static_type("index.html"),
	    "text/html; charset=utf-8");
	assert_string_equal(static_type("/a/b/STYLE.CSS"),
	    "text/css; charset=utf-8");
	assert_string_equal(static_type("main.c5012858.js"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(static_type("catalog.json"), "application/json");
	assert_string_equal(static_type("sitemap.xml"),
	    "application/xml; charset=utf-8");
	assert_string_equal(static_type("logo.svg"),
	    "image/svg+xml; charset=utf-8");
	assert_string_equal(static_type("a.png"), "image/png");
	assert_string_equal(static_type("a.jpg"), "image/jpeg");
	assert_string_equal(static_type("a.jpeg"), "image/jpeg");
	assert_string_equal(static_type("a.gif"), "image/gif");
	assert_string_equal(static_type("a.webp"), "image/webp");
	assert_string_equal(static_type("favicon.ico"), "image/x-icon");
	assert_string_equal(static_type("robots.txt"),
	    "text/plain; charset=utf-8");
	assert_string_equal(static_type("f.woff2"), "font/woff2");
	assert_string_equal(static_type("manual.pdf"), "application/pdf");
	assert_string_equal(static_type("x.html.gz"), "application/gzip");
	assert_string_equal(static_type("Makefile"),
	    "application/octet-stream");
	assert_string_equal(static_type("a.exe"), "application/octet-stream");
	assert_string_equal(static_type("dir.d/file"),
	    "application/octet-stream");
	assert_string_equal(static_type("trailing."),
	    "application/octet-stream");
}

static void
test_fingerprint(void **state)
{
	(void)state;
	assert_true(static_fingerprinted("/assets/main.c5012858.js"));
	assert_true(static_fingerprinted("/assets/style.faceb27d.css"));
	assert_true(static_fingerprinted("/assets/sub/x.0123ABCD.min.js"));
	assert_false(static_fingerprinted("/assets/main.js"));
	assert_false(static_fingerprinted("/assets/main.c501285.js"));
	assert_false(static_fingerprinted("/assets/main.c5012858"));
	assert_false(static_fingerprinted("/assets/main.g5012858.js"));
	assert_false(static_fingerprinted("/images/main.c5012858.js"));
	assert_false(static_fingerprinted("/assets/"));
}

static void
test_accept_encoding(void **state)
{
	(void)state;
	assert_true(static_accepts_gzip("gzip"));
	assert_true(static_accepts_gzip("gzip, deflate, br"));
	assert_true(static_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
	assert_true(static_accepts_gzip("x-gzip"));
	assert_false(static_accepts_gzip(NULL));
	assert_false(static_accepts_gzip(""));
	assert_false(static_accepts_gzip("identity"));
	assert_false(static_accepts_gzip("gzip;q=0"));
	assert_false(static_accepts_gzip("gzip; q=0.000"));
	assert_false(static_accepts_gzip("gzipped"));
	assert_false(static_accepts_gzip("br, deflate"));
}

static void
test_etag(void **state)
{
	(void)state;
	assert_true(static_etag_match("\"a-1\"", "\"a-1\""));
	assert_true(static_etag_match("W/\"a-1\"", "\"a-1\""));
	assert_true(static_etag_match("\"x\", \"a-1\" ", "\"a-1\""));
	assert_true(static_etag_match("*", "\"a-1\""));
	assert_false(static_etag_match("\"a-2\"", "\"a-1\""));
	assert_false(static_etag_match("\"a-1", "\"a-1\""));
	assert_false(static_etag_match("", "\"a-1\""));
	assert_false(static_etag_match(NULL, "\"a-1\""));
}

static void
test_dates(void **state)
{
	char	 buf[40];
	time_t	 t;

	(void)state;
	static_http_date(784111777, buf, sizeof(buf));
	assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_true(static_parse_date("Sun, 06 Nov 1994 08:49:37 GMT", &t));
	assert_int_equal(t, 784111777);
	assert_false(static_parse_date("Sunday, 06-Nov-94 08:49:37 GMT", &t));
	assert_false(static_parse_date("Sun, 06 Nox 1994 08:49:37 GMT", &t));
	assert_false(static_parse_date("Sun, 06 Nov 1994 08:49:37 GMT x", &t));
	assert_false(static_parse_date("Sun, 32 Nov 1994 08:49:37 GMT", &t));
	assert_false(static_parse_date("", &t));
}

/* A site in a temporary folder, with links in and out of it. */
static char	 root[64];

static int
setup_site(void **state)
{
	char	 p[128];
	FILE	*f;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/porchd-static-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/docs", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/docs/index.html", root);
	assert_non_null(f = fopen(p, "w"));
	fputs("<p>docs</p>", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/inside.html", root);
	assert_int_equal(symlink("docs/index.html", p), 0);
	snprintf(p, sizeof(p), "%s/outside", root);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/up", root);
	assert_int_equal(symlink("../../../../etc", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	return 0;
}

static int
teardown_site(void **state)
{
	char	 cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
resolve(int no_openat2)
{
	struct stat	 st;
	int		 dfd, fd;

	static_no_openat2 = no_openat2;
	assert_true((dfd = open(root, O_RDONLY | O_DIRECTORY)) >= 0);
	assert_true((fd = static_openat(dfd, "docs/index.html")) >= 0);
	close(fd);
	assert_true((fd = static_openat(dfd, "docs/")) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	assert_true((fd = static_openat(dfd, ".")) >= 0);
	close(fd);
	/* never out of the folder, whatever the spelling */
	assert_int_equal(static_openat(dfd, "outside"), -1);
	assert_int_equal(static_openat(dfd, "up/passwd"), -1);
	assert_int_equal(static_openat(dfd, "../etc/passwd"), -1);
	assert_int_equal(static_openat(dfd, "docs/../../etc/passwd"), -1);
	assert_int_equal(static_openat(dfd, "/etc/passwd"), -1);
	assert_int_equal(static_openat(dfd, "missing.html"), -1);
	assert_int_equal(errno, ENOENT);
	/* a FIFO opens without blocking (O_NONBLOCK); the server then
	 * refuses it for not being a regular file */
	assert_true((fd = static_openat(dfd, "fifo")) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_false(S_ISREG(st.st_mode));
	close(fd);
	/* a link inside the site: followed by openat2 only (which the
	 * kernel, or valgrind, may lack: then static_openat walks) */
	fd = static_openat(dfd, "inside.html");
	if (static_no_openat2)
		assert_int_equal(fd, -1);
	else {
		assert_true(fd >= 0);
		close(fd);
	}
	close(dfd);
	static_no_openat2 = 0;
}

static void
test_resolve_openat2(void **state)
{
	(void)state;
	resolve(0);
}

static void
test_resolve_walk(void **state)
{
	(void)state;
	resolve(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_ok),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_accept_encoding),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_dates),
		cmocka_unit_test_setup_teardown(test_resolve_openat2,
		    setup_site, teardown_site),
		cmocka_unit_test_setup_teardown(test_resolve_walk,
		    setup_site, teardown_site),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
