/*
 * Unit tests for the pieces of tickets that parse untrusted input:
 * multipart.c (form bodies), attach.c (type by content, file names,
 * storage) and the CSV cells and durations of tickets_cli.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attach.h"
#include "multipart.h"
#include "report.h"
#include "tickets_cli.h"

static void
test_multipart(void **state)
{
	static const char ct[] = "multipart/form-data; boundary=XyZ";
	static const char body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"type\"\r\n\r\n"
	    "bug\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"log\"; "
	    "filename=\"a b.zip\"\r\n"
	    "Content-Type: application/zip\r\n\r\n"
	    "PK\x03\x04\r\n--X not the end\r\n"
	    "--XyZ--\r\n";
	struct mpart	*p;
	size_t		 n;

	(void)state;
	assert_true(multipart_is(ct));
	assert_true(multipart_is("Multipart/Form-Data;boundary=a"));
	assert_false(multipart_is("multipart/form-datax"));
	assert_false(multipart_is(NULL));
	assert_true(multipart_parse(ct, body, sizeof(body) - 1, &p, &n));
	assert_int_equal(n, 2);
	assert_string_equal(p[0].name, "type");
	assert_null(p[0].filename);
	assert_int_equal(p[0].len, 3);
	assert_memory_equal(p[0].data, "bug", 3);
	assert_string_equal(p[1].name, "log");
	assert_string_equal(p[1].filename, "a b.zip");
	assert_string_equal(p[1].type, "application/zip");
	assert_int_equal(p[1].len, 21);
	multipart_free(p, n);
}

static void
test_multipart_bad(void **state)
{
	static const char *const bad[] = {
	    "",				/* nothing */
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
	    "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--\r\n",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n"
	    "--XyZ--\r\n",
	    "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx"
	    "\r\n--XyZ--\r\n",
	    NULL };
	struct mpart	*p;
	size_t		 n, i;

	(void)state;
	for (i = 0; bad[i]; i++)
		if (multipart_parse("multipart/form-data; boundary=XyZ", bad[i],
		    strlen(bad[i]), &p, &n))
			fail_msg("accepted bad body %zu", i);
	assert_false(multipart_parse("multipart/form-data", "--a\r\n", 5, &p,
	    &n));
}

static void
test_sniff(void **state)
{
	(void)state;
	assert_string_equal(attach_sniff("\x89PNG\r\n\x1a\n....", 12),
	    "image/png");
	assert_string_equal(attach_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
	assert_string_equal(attach_sniff("GIF89a..", 8), "image/gif");
	assert_string_equal(attach_sniff("%PDF-1.7", 8), "application/pdf");
	assert_string_equal(attach_sniff("PK\x03\x04....", 8),
	    "application/zip");
	assert_string_equal(attach_sniff(" {\"a\": [1]}\n", 12),
	    "application/json");
	assert_string_equal(attach_sniff("{not json", 9), "text/plain");
	assert_string_equal(attach_sniff("2026-01-01 error E3002\n\xc3\xa9\n",
	    26), "text/plain");
	assert_null(attach_sniff("MZ\x90\x00\x03", 5));		/* an .exe */
	assert_null(attach_sniff("\x7f" "ELF\x02\x01", 6));
	assert_null(attach_sniff("<html>\x00", 7));
	assert_null(attach_sniff("bad \xc3 utf-8", 11));
	assert_null(attach_sniff("", 0));
}

static void
test_names(void **state)
{
	char	*s;
	char	 longer[400];

	(void)state;
	s = attach_clean_name("C:\\Users\\ann\\logs.zip");
	assert_string_equal(s, "logs.zip");
	free(s);
	s = attach_clean_name("../../etc/passwd");
	assert_string_equal(s, "passwd");
	free(s);
	s = attach_clean_name("a\"b;c\r\n.txt");
	assert_string_equal(s, "abc.txt");
	free(s);
	s = attach_clean_name("..");
	assert_string_equal(s, "attachment");
	free(s);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer + 199, "\xc3\xa9", 2);	/* cut in the middle */
	s = attach_clean_name(longer);
	assert_int_equal(strlen(s), 199);
	free(s);
}

/* A browser saves a download under filename*, so a customer's "Übersicht
 * März.pdf" comes back under its own name; old clients get the ASCII one. */
static void
test_disposition(void **state)
{
	char	 d[ATTACH_DISPOSITION_MAX];

	(void)state;
	attach_disposition("report.zip", d, sizeof(d));
	assert_string_equal(d, "attachment; filename=\"report.zip\"");
	attach_disposition("\xc3\x9c bersicht M\xc3\xa4rz.pdf", d, sizeof(d));
	assert_string_equal(d, "attachment; filename=\"__ bersicht M__rz.pdf\"; "
	    "filename*=UTF-8''%C3%9C%20bersicht%20M%C3%A4rz.pdf");
}

static void
test_save(void **state)
{
	char	 dir[] = "/tmp/porch-attach-XXXXXX", sub[64];
	char	 stored[ATTACH_STORED_LEN + 1], sha[65];
	size_t	 size;
	int	 fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/att", dir);
	assert_true(attach_save(sub, "abc", 3, stored, sha));
	assert_int_equal(strlen(stored), ATTACH_STORED_LEN);
	assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
	assert_true((fd = attach_open(sub, stored, &size)) >= 0);
	assert_int_equal(size, 3);
	close(fd);
	assert_int_equal(attach_open(sub, "../x", &size), -1);
	attach_remove(sub, stored);
	assert_int_equal(attach_open(sub, stored, &size), -1);
	rmdir(sub);
	rmdir(dir);
}

static void
test_csv_and_durations(void **state)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	(void)state;
	assert_non_null(f = open_memstream(&buf, &len));
	report_csv_put(f, "plain");
	fputc('|', f);
	report_csv_put(f, "=SUM(A1)");
	fputc('|', f);
	report_csv_put(f, "+1");
	fputc('|', f);
	report_csv_put(f, "-2");
	fputc('|', f);
	report_csv_put(f, "@x");
	fputc('|', f);
	report_csv_put(f, "\tx");
	fputc('|', f);
	report_csv_put(f, "a,\"b\"");
	fputc('|', f);
	report_csv_put(f, NULL);
	fclose(f);
	assert_string_equal(buf, "plain|\"'=SUM(A1)\"|\"'+1\"|\"'-2\"|"
	    "\"'@x\"|\"'\tx\"|\"a,\"\"b\"\"\"|");
	free(buf);
	assert_int_equal(tickets_duration("4h"), 4 * 3600);
	assert_int_equal(tickets_duration("1d"), 86400);
	assert_int_equal(tickets_duration("30m"), 1800);
	assert_int_equal(tickets_duration("90"), 90);
	assert_int_equal(tickets_duration("2w"), 14 * 86400);
	assert_int_equal(tickets_duration("h"), -1);
	assert_int_equal(tickets_duration("4x"), -1);
	assert_int_equal(tickets_duration("-4h"), -1);
	assert_int_equal(tickets_duration(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_multipart_bad),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_disposition),
		cmocka_unit_test(test_csv_and_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
