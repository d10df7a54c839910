/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_codec.c - src/common's codecs: hex out, hex in strict and with the
 * CLI's options ("0x" prefix, ':' separators), strict base64 (RFC 4648 §10
 * vectors, padding, alphabet, non-zero bits under the padding, the size
 * bound), and the "hex:" rule for labels that are not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "json_shapes.h"

/* ---- hex ---- */

static void
test_hex_encode(void **state)
{
    char *s;

    (void)state;
    s = fh_codec_hex_encode((const uint8_t *)"\x00\x7f\xff\xa5", 4);
    assert_non_null(s);
    assert_string_equal(s, "007fffa5");
    free(s);
    s = fh_codec_hex_encode(NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(fh_codec_hex_digit('0'), 0);
    assert_int_equal(fh_codec_hex_digit('f'), 15);
    assert_int_equal(fh_codec_hex_digit('F'), 15);
    assert_int_equal(fh_codec_hex_digit('g'), -1);
    assert_int_equal(fh_codec_hex_digit(':'), -1);
}

/* s decodes with flags to the n bytes of want. */
static void
hex_ok(const char *s, unsigned flags, const char *want, size_t n)
{
    uint8_t *b = NULL;
    size_t len = 99;

    assert_int_equal(fh_codec_hex_decode(s, flags, &b, &len), FH_OK);
    assert_int_equal(len, n);
    if (n == 0) {
        assert_null(b);
    } else {
        assert_memory_equal(b, want, n);
    }
    free(b);
}

/* s is refused with flags, and the outputs are left alone. */
static void
hex_bad(const char *s, unsigned flags)
{
    uint8_t *b = (uint8_t *)"untouched";
    size_t len = 99;

    assert_int_equal(fh_codec_hex_decode(s, flags, &b, &len), FH_E_DATA_INVALID);
    assert_string_equal((const char *)b, "untouched");
    assert_int_equal(len, 99);
}

static void
test_hex_strict(void **state)
{
    (void)state;
    hex_ok("", 0, "", 0);
    hex_ok("0a0B", 0, "\x0a\x0b", 2);
    hex_ok("00ff", 0, "\x00\xff", 2);
    hex_bad("0", 0);
    hex_bad("abc", 0);
    hex_bad("zz", 0);
    hex_bad("0x0102", 0); /* no prefix without the option */
    hex_bad("01:02", 0);  /* no separators without the option */
    hex_bad(" 01", 0);
    hex_bad("01 ", 0);
}

static void
test_hex_options(void **state)
{
    const unsigned cli = FH_HEX_PREFIX | FH_HEX_COLONS;
    uint8_t *b = NULL;
    size_t len = 0;

    (void)state;
    hex_ok("0x0102", FH_HEX_PREFIX, "\x01\x02", 2);
    hex_ok("0X0102", FH_HEX_PREFIX, "\x01\x02", 2);
    hex_ok("0x", FH_HEX_PREFIX, "", 0);
    hex_ok("0102", FH_HEX_PREFIX, "\x01\x02", 2);
    hex_bad("01:02", FH_HEX_PREFIX);
    hex_ok("01:02:ff", FH_HEX_COLONS, "\x01\x02\xff", 3);
    hex_ok("0102ff", FH_HEX_COLONS, "\x01\x02\xff", 3);
    hex_bad("0x01:02", FH_HEX_COLONS);
    hex_ok("0x01:02", cli, "\x01\x02", 2);
    hex_bad("01:", cli);
    hex_bad(":01", cli);
    hex_bad("01::02", cli);
    hex_bad("0:1", cli);
    hex_bad("0x0", cli);
    hex_bad("nothex", cli);
    assert_int_equal(fh_codec_hex_decode(NULL, cli, &b, &len), FH_E_ARGS);
}

/* ---- base64 ---- */

static void
b64_roundtrip(const char *plain, const char *enc)
{
    char *s = NULL;
    uint8_t *d = NULL;
    size_t n = 0;

    assert_int_equal(fh_codec_b64_len(strlen(plain)), strlen(enc));
    assert_int_equal(fh_codec_b64_encode((const uint8_t *)plain, strlen(plain), &s), FH_OK);
    assert_string_equal(s, enc);
    free(s);
    assert_int_equal(fh_codec_b64_decode(enc, strlen(enc), 64, &d, &n), FH_OK);
    assert_non_null(d);
    assert_int_equal(n, strlen(plain));
    assert_memory_equal(d, plain, n);
    assert_int_equal(d[n], 0); /* the spare NUL */
    free(d);
}

static void
test_b64_rfc4648(void **state)
{
    (void)state;
    /* RFC 4648 §10 */
    b64_roundtrip("", "");
    b64_roundtrip("f", "Zg==");
    b64_roundtrip("fo", "Zm8=");
    b64_roundtrip("foo", "Zm9v");
    b64_roundtrip("foob", "Zm9vYg==");
    b64_roundtrip("fooba", "Zm9vYmE=");
    b64_roundtrip("foobar", "Zm9vYmFy");
}

static void
test_b64_all_bytes(void **state)
{
    uint8_t in[256], *d = NULL;
    char *s = NULL;
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)i;
    }
    for (size_t len = 0; len <= sizeof(in); len += 37) {
        assert_int_equal(fh_codec_b64_encode(in, len, &s), FH_OK);
        assert_int_equal(strlen(s), fh_codec_b64_len(len));
        assert_int_equal(fh_codec_b64_decode(s, strlen(s), len, &d, &n), FH_OK);
        assert_int_equal(n, len);
        assert_memory_equal(d, in, len);
        free(d);
        free(s);
    }
    /* "+" and "/" both appear: the standard alphabet, not base64url */
    assert_int_equal(fh_codec_b64_encode((const uint8_t *)"\xfb\xff", 2, &s), FH_OK);
    assert_string_equal(s, "+/8=");
    free(s);
}

static void
b64_bad(const char *s, fh_rv want)
{
    uint8_t *d = (uint8_t *)"untouched";
    size_t n = 99;

    assert_int_equal(fh_codec_b64_decode(s, strlen(s), 64, &d, &n), want);
    assert_string_equal((const char *)d, "untouched");
    assert_int_equal(n, 99);
}

static void
test_b64_strict(void **state)
{
    uint8_t *d = NULL;
    size_t n = 0;

    (void)state;
    b64_bad("Zg", FH_E_DATA_INVALID); /* padding is required */
    b64_bad("Zg=", FH_E_DATA_INVALID);
    b64_bad("Zm9v\n", FH_E_DATA_INVALID); /* no whitespace */
    b64_bad("Zm 9", FH_E_DATA_INVALID);
    b64_bad("Zm9-", FH_E_DATA_INVALID); /* base64url alphabet refused */
    b64_bad("Zm9_", FH_E_DATA_INVALID);
    b64_bad("Zh==", FH_E_DATA_INVALID); /* bits under the padding: one encoding per value */
    b64_bad("Zm9=", FH_E_DATA_INVALID);
    b64_bad("Z=g=", FH_E_DATA_INVALID); /* '=' only at the end */
    b64_bad("Zg==Zg==", FH_E_DATA_INVALID);
    b64_bad("====", FH_E_DATA_INVALID);
    b64_bad("A===", FH_E_DATA_INVALID);
    /* the bound is on decoded bytes and checked before the characters */
    assert_int_equal(fh_codec_b64_decode("Zm9v", 4, 2, &d, &n), FH_E_DATA_TOO_LARGE);
    assert_int_equal(fh_codec_b64_decode("!!!!", 4, 2, &d, &n), FH_E_DATA_TOO_LARGE);
    assert_int_equal(fh_codec_b64_decode("Zm8=", 4, 2, &d, &n), FH_OK);
    assert_int_equal(n, 2);
    free(d);
}

/* ---- the label rule of the shapes (docs/cli.md "JSON output") ---- */

static void
test_shape_text(void **state)
{
    json_t *j;

    (void)state;
    j = fh_shape_text((const uint8_t *)"caf\xc3\xa9", 5);
    assert_string_equal(json_string_value(j), "caf\xc3\xa9");
    json_decref(j);
    j = fh_shape_text((const uint8_t *)"a\xff", 2);
    assert_string_equal(json_string_value(j), "hex:61ff");
    json_decref(j);
    j = fh_shape_text(NULL, 0);
    assert_string_equal(json_string_value(j), "");
    json_decref(j);
    j = fh_shape_str(NULL);
    assert_string_equal(json_string_value(j), "");
    json_decref(j);
    j = fh_shape_hex((const uint8_t *)"\x01\xab", 2);
    assert_string_equal(json_string_value(j), "01ab");
    json_decref(j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_encode),    cmocka_unit_test(test_hex_strict),
        cmocka_unit_test(test_hex_options),   cmocka_unit_test(test_b64_rfc4648),
        cmocka_unit_test(test_b64_all_bytes), cmocka_unit_test(test_b64_strict),
        cmocka_unit_test(test_shape_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
