/*
 * Unit tests for token.c: randomness, hex, SHA-256, the token form check
 * and the constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"

static void
test_random_differs(void **state)
{
	char	 a[TOKEN_HEX + 1], b[TOKEN_HEX + 1];
	unsigned char zero[TOKEN_BYTES] = { 0 }, raw[TOKEN_BYTES];

	(void)state;
	assert_true(token_new(a));
	assert_true(token_new(b));
	assert_int_equal(strlen(a), TOKEN_HEX);
	assert_string_not_equal(a, b);
	assert_true(token_valid(a));
	assert_true(token_random(raw, sizeof(raw)));
	assert_memory_not_equal(raw, zero, sizeof(raw));
	assert_true(token_random(raw, 0));
}

static void
test_hex(void **state)
{
	const unsigned char in[] = { 0x00, 0x0f, 0xa5, 0xff };
	char	 out[9];

	(void)state;
	token_hex(out, in, sizeof(in));
	assert_string_equal(out, "000fa5ff");
}

static void
test_sha256(void **state)
{
	char	 h[TOKEN_HEX + 1];

	(void)state;
	token_hash(h, "abc", 3);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	token_hash(h, "", 0);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
test_valid(void **state)
{
	char	 t[TOKEN_HEX + 2];

	(void)state;
	memset(t, 'a', TOKEN_HEX);
	t[TOKEN_HEX] = '\0';
	assert_true(token_valid(t));
	t[3] = 'A';		/* only the lower-case form we issue */
	assert_false(token_valid(t));
	t[3] = 'g';
	assert_false(token_valid(t));
	t[3] = '0';
	t[TOKEN_HEX] = '0';	/* one too many */
	t[TOKEN_HEX + 1] = '\0';
	assert_false(token_valid(t));
	t[TOKEN_HEX - 1] = '\0';	/* one too few */
	assert_false(token_valid(t));
	assert_false(token_valid(""));
	assert_false(token_valid(NULL));
	assert_false(token_valid("' OR 1=1 --"));
}

static void
test_equal(void **state)
{
	(void)state;
	assert_true(token_equal("abc", "abc"));
	assert_false(token_equal("abc", "abd"));
	assert_false(token_equal("abc", "abcd"));
	assert_false(token_equal("", "a"));
	assert_true(token_equal("", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_differs),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
