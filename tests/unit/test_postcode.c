/* Posting codes (postcode.c): lists of postings moved to their pages'
 * places now by writing again only the gaps that change.  A list moved
 * wrong is a search result that opens the wrong page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "postcode.h"

/* A posting: its page's place, its place in the page, its impact. */
struct post {
	uint32_t	 page, sec, q;
};

/* Writes n postings as search.c does (posting_code), in form. */
static void
encode(struct buf *b, const struct post *p, size_t n,
    enum postcode_form form)
{
	uint32_t	 page = UINT32_MAX, sec = 0, gap, s;
	size_t		 i;

	for (i = 0; i < n; i++) {
		gap = p[i].page - page;
		s = gap != 0 ? p[i].sec : p[i].sec - sec;
		page = p[i].page;
		sec = p[i].sec;
		if (form == POSTCODE_B64) {
			postcode_put_b64(b, 2 * gap + (s > 0));
			if (s > 0)
				postcode_put_b64(b, s - 1);
			buf_putc(b, postcode_b64[p[i].q]);
		} else {
			postcode_put_varint(b, 2 * gap + (s > 0));
			if (s > 0)
				postcode_put_varint(b, s - 1);
			buf_putc(b, (char)p[i].q);
		}
	}
}

/* Places 0..99 with one page added at place 40: 40 on move one up. */
static void
added_at_40(uint32_t *moved)
{
	uint32_t	 i;

	for (i = 0; i < 100; i++)
		moved[i] = i < 40 ? i : i + 1;
}

/* postcode_regap of in's base64url postings (100 places), into out. */
static int
regap_b64(const uint32_t *moved, uint32_t settled, const struct buf *in,
    struct buf *out)
{
	int	 same;

	return postcode_regap(moved, 100, settled,
	    (const unsigned char *)in->data, in->len, POSTCODE_B64, out, &same);
}

/* Regaps p (n postings) by moved and checks the bytes are those of the
 * postings written at their places now; returns *same. */
static int
check_moved(const struct post *p, size_t n, const uint32_t *moved,
    uint32_t settled, enum postcode_form form)
{
	struct post	 now[16];
	struct buf	 in = { 0 }, out = { 0 }, want = { 0 };
	size_t		 i;
	int		 same = -1;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		now[i] = p[i];
		now[i].page = moved[p[i].page];
	}
	encode(&in, p, n, form);
	encode(&want, now, n, form);
	assert_int_equal(postcode_regap(moved, 100, settled,
	    (const unsigned char *)in.data, in.len, form, &out, &same), 1);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	assert_int_equal(same, in.len == want.len &&
	    memcmp(in.data, want.data, in.len) == 0);
	buf_free(&in);
	buf_free(&out);
	buf_free(&want);
	return same;
}

static const struct post across[] = {
	{ 0, 0, 5 }, { 2, 1, 63 }, { 2, 3, 7 }, { 39, 0, 1 }, { 40, 2, 9 },
	{ 40, 4, 9 }, { 41, 0, 31 }, { 98, 0, 32 }, { 99, 7, 0 },
};

/* Postings on both sides of the page added: the gap that spans it grows,
 * in both forms, with a large gap and sections in the same page. */
static void
test_across(void **state)
{
	uint32_t	 moved[100];

	(void)state;
	added_at_40(moved);
	assert_int_equal(check_moved(across, 9, moved, 40, POSTCODE_B64), 0);
	assert_int_equal(check_moved(across, 9, moved, 40, POSTCODE_VARINT),
	    0);
	/* Told nothing settles, the same bytes. */
	assert_int_equal(check_moved(across, 9, moved, 100, POSTCODE_B64), 0);
}

/* A list wholly before the page added, or wholly after it, keeps its
 * bytes but for the first gap (after) or all of them (before). */
static void
test_one_side(void **state)
{
	static const struct post before[] = { { 3, 0, 1 }, { 39, 2, 2 } };
	static const struct post after[] = { { 50, 0, 1 }, { 60, 0, 2 } };
	uint32_t	 moved[100];

	(void)state;
	added_at_40(moved);
	assert_int_equal(check_moved(before, 2, moved, 40, POSTCODE_B64), 1);
	assert_int_equal(check_moved(after, 2, moved, 40, POSTCODE_VARINT), 0);
}

/* A page removed at place 10: those after move one down; 10 has none. */
static void
test_removed(void **state)
{
	static const struct post p[] = { { 9, 0, 4 }, { 11, 0, 4 },
	    { 12, 1, 4 } };
	static const struct post gone[] = { { 9, 0, 4 }, { 10, 0, 4 } };
	struct buf	 in = { 0 }, out = { 0 };
	uint32_t	 moved[100], i;

	(void)state;
	for (i = 0; i < 100; i++)
		moved[i] = i < 10 ? i : i == 10 ? UINT32_MAX : i - 1;
	check_moved(p, 3, moved, 11, POSTCODE_B64);
	/* A posting in the page removed cannot be moved. */
	encode(&in, gone, 2, POSTCODE_B64);
	assert_int_equal(regap_b64(moved, 11, &in, &out), 0);
	buf_free(&in);
	buf_free(&out);
}

/* Past the settled place the rest is copied unread; before it, bytes that
 * do not decode are refused. */
static void
test_settled(void **state)
{
	static const struct post p[] = { { 50, 0, 1 } };
	struct buf	 in = { 0 }, out = { 0 };
	uint32_t	 moved[100];

	(void)state;
	added_at_40(moved);
	encode(&in, p, 1, POSTCODE_B64);
	buf_puts(&in, "!!");
	assert_int_equal(regap_b64(moved, 40, &in, &out), 1);
	assert_int_equal(out.data[out.len - 1], '!');
	buf_reset(&out);
	assert_int_equal(regap_b64(moved, 100, &in, &out), 0);
	/* A place beyond the pages there were. */
	buf_reset(&in);
	postcode_put_b64(&in, 2 * 200);
	buf_putc(&in, 'A');
	assert_int_equal(regap_b64(moved, 100, &in, &out), 0);
	buf_free(&in);
	buf_free(&out);
}

/* The postings string of a dictionary entry, past an escaped quote. */
static void
test_entry_postings(void **state)
{
	static const char entry[] = "[\"a\\\"b\",12,\"gAB\",[\"x\"]],";
	size_t		 from = 0, to = 0;

	(void)state;
	assert_int_equal(postcode_entry_postings(entry, strlen(entry), &from,
	    &to), 1);
	assert_int_equal(to - from, 3);
	assert_memory_equal(entry + from, "gAB", 3);
	assert_int_equal(postcode_entry_postings("[\"a\",12,\"gAB", 12, &from,
	    &to), 0);
	assert_int_equal(postcode_entry_postings("[\"a\",x,\"\"]", 10, &from,
	    &to), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_across),
		cmocka_unit_test(test_one_side),
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_settled),
		cmocka_unit_test(test_entry_postings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
