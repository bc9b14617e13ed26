/*
 * Unit tests for settings.c: defaults, every kind of value with its range
 * checks, the config file (comments, quotes, file:line errors, unknown
 * and repeated keys), the environment, precedence, listen addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "settings.h"

static char	 err[SETTINGS_ERRLEN];

/* Writes text to a new temporary file; returns its path (static). */
static const char *
write_file(const char *text)
{
	static char	 path[64];
	int		 fd;

	snprintf(path, sizeof(path), "/tmp/porchd-settings-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_defaults(void **state)
{
	struct settings s;

	(void)state;
	settings_defaults(&s);
	assert_string_equal(s.db, "var/porch.db");
	assert_string_equal(s.listen, "127.0.0.1:8080");
	assert_null(s.site);
	assert_int_equal(s.max_connections, 256);
	assert_int_equal(s.max_per_ip, 32);
	assert_int_equal(s.timeout, 15);
	assert_int_equal(s.max_body, 1024 * 1024);
	assert_int_equal(s.max_header, 16 * 1024);
	assert_true(s.max_hashes >= 1 && s.max_hashes <= 16);
	assert_int_equal(s.session_idle, 7 * 86400);
	assert_int_equal(s.session_max, 30 * 86400);
	assert_int_equal(s.trust_proxy, 0);
	assert_int_equal(s.drain, 10);
	assert_true(settings_check(&s, err));
	settings_free(&s);
}

static void
test_numbers(void **state)
{
	struct settings s;

	(void)state;
	settings_defaults(&s);
	assert_true(settings_set(&s, "max_body", "2M", err));
	assert_int_equal(s.max_body, 2 * 1024 * 1024);
	assert_true(settings_set(&s, "max_body", "512KiB", err));
	assert_int_equal(s.max_body, 512 * 1024);
	assert_true(settings_set(&s, "max_header", "8k", err));
	assert_int_equal(s.max_header, 8192);
	assert_true(settings_set(&s, "session_idle", "12h", err));
	assert_int_equal(s.session_idle, 12 * 3600);
	assert_true(settings_set(&s, "timeout", "2m", err));
	assert_int_equal(s.timeout, 120);
	assert_true(settings_set(&s, "max_connections", "1000", err));
	assert_int_equal(s.max_connections, 1000);

	/* out of range, with the range in the message */
	assert_false(settings_set(&s, "max_body", "10", err));
	assert_non_null(strstr(err, "out of range"));
	assert_false(settings_set(&s, "max_body", "2G", err));
	assert_false(settings_set(&s, "max_connections", "0", err));
	assert_false(settings_set(&s, "max_connections", "10001", err));
	assert_false(settings_set(&s, "timeout", "0", err));
	assert_false(settings_set(&s, "session_max", "367d", err));
	/* not numbers */
	assert_false(settings_set(&s, "max_per_ip", "-1", err));
	assert_false(settings_set(&s, "max_per_ip", "1x", err));
	assert_false(settings_set(&s, "max_per_ip", "", err));
	assert_false(settings_set(&s, "max_per_ip", "5k", err));
	assert_false(settings_set(&s, "max_body", "99999999999999999999", err));
	assert_false(settings_set(&s, "max_body", "1MX", err));
	/* a failed set leaves the value */
	assert_int_equal(s.max_connections, 1000);
	settings_free(&s);
}

static void
test_strings(void **state)
{
	struct settings s;

	(void)state;
	settings_defaults(&s);
	assert_true(settings_set(&s, "trust_proxy", "yes", err));
	assert_int_equal(s.trust_proxy, 1);
	assert_true(settings_set(&s, "trust_proxy", "off", err));
	assert_int_equal(s.trust_proxy, 0);
	assert_false(settings_set(&s, "trust_proxy", "maybe", err));

	assert_true(settings_set(&s, "public_url", "https://help.example.com/",
	    err));
	assert_false(settings_set(&s, "public_url", "ftp://x", err));
	assert_true(settings_set(&s, "smtp_url", "smtp://127.0.0.1:2525", err));
	assert_false(settings_set(&s, "smtp_url", "http://x", err));
	/* control characters never get into a setting (mail headers) */
	assert_false(settings_set(&s, "mail_from", "a@b.c\r\nBcc: x@y.z", err));
	assert_true(settings_set(&s, "mail_from", "Help <help@example.com>",
	    err));
	assert_string_equal(s.mail_from, "Help <help@example.com>");
	/* empty clears an optional one, not db */
	assert_true(settings_set(&s, "mail_from", "", err));
	assert_null(s.mail_from);
	assert_false(settings_set(&s, "db", "", err));

	/* origins are normalized */
	assert_true(settings_set(&s, "allow_origins",
	    " https://WWW.Example.com/ , http://localhost:3000,"
	    "https://a.example:443", err));
	assert_string_equal(s.allow_origins, "https://www.example.com,"
	    "http://localhost:3000,https://a.example");
	assert_false(settings_set(&s, "allow_origins", "https://a.example/x",
	    err));
	assert_false(settings_set(&s, "allow_origins", "*", err));
	assert_false(settings_set(&s, "allow_origins", "https://u@a.example",
	    err));

	assert_false(settings_set(&s, "max_bodyy", "1", err));
	assert_string_equal(err, "unknown setting 'max_bodyy' (did you mean "
	    "'max_body'?)");
	assert_false(settings_set(&s, "zzzzzzzzzzzz", "1", err));
	assert_string_equal(err, "unknown setting 'zzzzzzzzzzzz'");
	settings_free(&s);
}

static void
test_listen(void **state)
{
	struct sockaddr_storage ss;
	socklen_t	 len;

	(void)state;
	assert_true(settings_parse_listen("127.0.0.1:8080", &ss, &len, err));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	assert_true(settings_parse_listen(":80", &ss, &len, err));
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_addr.s_addr, 0);
	assert_true(settings_parse_listen("[::1]:8443", &ss, &len, err));
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(settings_parse_listen("localhost:0", &ss, &len, err));
	assert_false(settings_parse_listen("127.0.0.1", &ss, &len, err));
	assert_false(settings_parse_listen("127.0.0.1:65536", &ss, &len, err));
	assert_false(settings_parse_listen("127.0.0.1:-1", &ss, &len, err));
	assert_false(settings_parse_listen("example.com:80", &ss, &len, err));
	assert_false(settings_parse_listen("[::1:80", &ss, &len, err));
	assert_false(settings_parse_listen("1.2.3.4:8x", &ss, &len, err));
}

static void
test_file(void **state)
{
	struct settings s;
	const char	*p;

	(void)state;
	settings_defaults(&s);
	p = write_file("# porchd settings\n"
	    "\n"
	    "  site = public   \n"
	    "max_body=2M # two megabytes\n"
	    "mail_from = \"Help # Desk <help@example.com>\"\n"
	    "listen = 0.0.0.0:9000\n");
	assert_true(settings_load_file(&s, p, err));
	assert_string_equal(s.site, "public");
	assert_int_equal(s.max_body, 2 * 1024 * 1024);
	assert_string_equal(s.mail_from, "Help # Desk <help@example.com>");
	assert_string_equal(s.listen, "0.0.0.0:9000");
	assert_string_equal(s.config, p);
	unlink(p);
	settings_free(&s);

	settings_defaults(&s);
	p = write_file("site = x\n\nmax_bodyy = 3\n");
	assert_false(settings_load_file(&s, p, err));
	assert_non_null(strstr(err, ":3: unknown setting 'max_bodyy' (did "
	    "you mean 'max_body'?)"));
	assert_int_equal(strncmp(err, p, strlen(p)), 0);
	unlink(p);

	p = write_file("timeout = 5\ntimeout = 6\n");
	assert_false(settings_load_file(&s, p, err));
	assert_non_null(strstr(err, ":2: 'timeout' already set on line 1"));
	unlink(p);

	p = write_file("max_connections = lots\n");
	assert_false(settings_load_file(&s, p, err));
	assert_non_null(strstr(err, ":1: max_connections: 'lots' is not"));
	unlink(p);

	p = write_file("just words\n");
	assert_false(settings_load_file(&s, p, err));
	assert_non_null(strstr(err, ":1: expected 'key = value'"));
	unlink(p);

	p = write_file("mail_from = \"unterminated\n");
	assert_false(settings_load_file(&s, p, err));
	assert_non_null(strstr(err, "unterminated quote"));
	unlink(p);

	assert_false(settings_load_file(&s, "/nonexistent/porchd.conf", err));
	assert_non_null(strstr(err, "/nonexistent/porchd.conf: "));
	settings_free(&s);
}

static const char *warned;

static void
warn(const char *msg)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", msg);
	warned = buf;
}

static void
test_env_and_precedence(void **state)
{
	struct settings s;
	const char	*p;
	char		*env[] = { "PATH=/bin", "PORCHD_MAX_BODY=3M",
			    "PORCHD_TIMEOUT=9", "PORCHD_CONFIG=/ignored",
			    "PORCHD_MAXBODY=1", "PORCHD=/usr/bin/porchd", NULL };
	char		*bad[] = { "PORCHD_MAX_PER_IP=none", NULL };

	(void)state;
	settings_defaults(&s);
	p = write_file("max_body = 2M\ntimeout = 30\nmax_per_ip = 8\n");
	assert_true(settings_load_file(&s, p, err));
	unlink(p);
	warned = NULL;
	assert_true(settings_load_env(&s, env, err, warn));
	assert_non_null(warned);
	assert_non_null(strstr(warned, "PORCHD_MAXBODY"));
	/* flags last */
	assert_true(settings_set(&s, "timeout", "7", err));
	assert_int_equal(s.max_body, 3 * 1024 * 1024);	/* env over file */
	assert_int_equal(s.timeout, 7);			/* flag over env */
	assert_int_equal(s.max_per_ip, 8);		/* file over default */
	assert_false(settings_load_env(&s, bad, err, NULL));
	assert_non_null(strstr(err, "PORCHD_MAX_PER_IP: "));
	settings_free(&s);
}

static void
test_check(void **state)
{
	struct settings s;

	(void)state;
	settings_defaults(&s);
	s.session_idle = 100;
	s.session_max = 50;
	assert_false(settings_check(&s, err));
	s.session_max = 100;
	assert_true(settings_check(&s, err));
	s.max_per_ip = 300;
	assert_false(settings_check(&s, err));
	settings_free(&s);
}

static void
test_table(void **state)
{
	const struct setting_info *t;
	size_t	 n = 0;

	(void)state;
	for (t = settings_table(); t->name; t++, n++) {
		assert_non_null(t->arg);
		assert_non_null(t->help);
	}
	/* every field of struct settings but config (21 of the core, the
	 * votes, sandbox and tickets settings) */
	assert_int_equal(n, 34);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_env_and_precedence),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
