/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_uri.c - the CLI's RFC 7512 parser: accepted forms, percent-decoding,
 * every rejection path, and that a query value (a PIN) never reaches an
 * error message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uri.h"

static char err[256];

static fh_rv
parse(const char *s, struct cli_uri *u)
{
    return cli_uri_parse(s, strlen(s), u, err, sizeof(err));
}

static void
expect_bad(const char *s, const char *needle)
{
    struct cli_uri u;

    memset(&u, 0x5a, sizeof(u));
    assert_int_equal(parse(s, &u), FH_E_ARGS);
    assert_non_null(strstr(err, needle));
    /* cleared on failure: nothing to free, nothing half-filled */
    assert_false(u.token.present);
    assert_null(u.token.data);
    assert_false(u.object.present);
    assert_int_equal(u.type, CLI_URI_TYPE_NONE);
}

static void
test_empty_path(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("pkcs11:", &u), FH_OK);
    assert_false(u.token.present);
    assert_false(u.object.present);
    assert_false(u.id.present);
    assert_int_equal(u.type, CLI_URI_TYPE_NONE);
    cli_uri_clear(&u);
}

static void
test_contract_example(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("pkcs11:token=demo;object=k1;type=private", &u), FH_OK);
    assert_true(u.token.present);
    assert_string_equal(u.token.data, "demo");
    assert_int_equal(u.token.len, 4);
    assert_string_equal(u.object.data, "k1");
    assert_int_equal(u.type, CLI_URI_TYPE_PRIVATE);
    assert_false(u.id.present);
    cli_uri_clear(&u);
    assert_null(u.token.data);
}

static void
test_id_binary(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("pkcs11:id=%01%02%00%ff%FE", &u), FH_OK);
    assert_true(u.id.present);
    assert_int_equal(u.id.len, 5);
    assert_memory_equal(u.id.data, "\x01\x02\x00\xff\xfe", 5);
    cli_uri_clear(&u);
}

static void
test_percent_decoding(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("pkcs11:object=my%20key%2Fv1;token=a%3bb", &u), FH_OK);
    assert_string_equal(u.object.data, "my key/v1");
    assert_string_equal(u.token.data, "a;b");
    cli_uri_clear(&u);
    /* '=' and '&' are allowed unescaped in a path value */
    assert_int_equal(parse("pkcs11:object=a=b&c", &u), FH_OK);
    assert_string_equal(u.object.data, "a=b&c");
    cli_uri_clear(&u);
    /* an empty value is a value */
    assert_int_equal(parse("pkcs11:object=", &u), FH_OK);
    assert_true(u.object.present);
    assert_int_equal(u.object.len, 0);
    cli_uri_clear(&u);
}

static void
test_scheme(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("PKCS11:object=a", &u), FH_OK);
    cli_uri_clear(&u);
    assert_true(cli_uri_is_uri("pkcs11:"));
    assert_true(cli_uri_is_uri("Pkcs11:x"));
    assert_false(cli_uri_is_uri("pkcs11"));
    assert_false(cli_uri_is_uri("k1"));
    assert_false(cli_uri_is_uri(NULL));
    expect_bad("pkcs1:object=a", "pkcs11:");
    expect_bad("http://x", "pkcs11:");
    expect_bad("", "pkcs11:");
}

static void
test_all_attributes(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("pkcs11:token=t;manufacturer=m;serial=0123456789abcdef;model=mo;"
                           "object=o;id=%aa;library-manufacturer=lm;library-description=ld;"
                           "library-version=3.1;slot-description=sd;slot-manufacturer=sm;"
                           "slot-id=42;type=secret-key",
                           &u),
                     FH_OK);
    assert_string_equal(u.manufacturer.data, "m");
    assert_string_equal(u.serial.data, "0123456789abcdef");
    assert_string_equal(u.model.data, "mo");
    assert_string_equal(u.lib_manufacturer.data, "lm");
    assert_string_equal(u.lib_description.data, "ld");
    assert_string_equal(u.slot_description.data, "sd");
    assert_string_equal(u.slot_manufacturer.data, "sm");
    assert_true(u.has_lib_version);
    assert_int_equal(u.lib_version_major, 3);
    assert_int_equal(u.lib_version_minor, 1);
    assert_true(u.has_slot_id);
    assert_int_equal(u.slot_id, 42);
    assert_int_equal(u.type, CLI_URI_TYPE_SECRET);
    cli_uri_clear(&u);
}

static void
test_types(void **state)
{
    static const struct {
        const char *uri;
        enum cli_uri_type t;
    } cases[] = {
        {"pkcs11:type=public", CLI_URI_TYPE_PUBLIC},
        {"pkcs11:type=private", CLI_URI_TYPE_PRIVATE},
        {"pkcs11:type=secret-key", CLI_URI_TYPE_SECRET},
        {"pkcs11:type=secret", CLI_URI_TYPE_SECRET},
        {"pkcs11:type=cert", CLI_URI_TYPE_CERT},
        {"pkcs11:type=data", CLI_URI_TYPE_DATA},
    };
    struct cli_uri u;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(cases[i].uri, &u), FH_OK);
        assert_int_equal(u.type, cases[i].t);
        cli_uri_clear(&u);
    }
    assert_string_equal(cli_uri_type_name(CLI_URI_TYPE_SECRET), "secret-key");
    assert_string_equal(cli_uri_type_name(CLI_URI_TYPE_NONE), "");
    expect_bad("pkcs11:type=Private", "type");
    expect_bad("pkcs11:type=key", "type");
    expect_bad("pkcs11:type=public;type=public", "twice");
}

static void
test_vendor_ignored(void **state)
{
    struct cli_uri u;

    (void)state;
    assert_int_equal(parse("pkcs11:x-vendor=anything%20at%00all;object=a;X-Other=1", &u), FH_OK);
    assert_string_equal(u.object.data, "a");
    cli_uri_clear(&u);
    /* a vendor value still follows the syntax */
    expect_bad("pkcs11:x-vendor=a b", "encoded");
    expect_bad("pkcs11:x-=a", "unknown");
}

static void
test_rejections(void **state)
{
    (void)state;
    expect_bad("pkcs11:foo=bar", "unknown URI attribute 'foo'");
    expect_bad("pkcs11:object=a;object=b", "twice");
    expect_bad("pkcs11:id=%01;id=%02", "twice");
    expect_bad("pkcs11:object", "no '=value'");
    expect_bad("pkcs11:=a", "empty name");
    expect_bad("pkcs11:ob ject=a", "invalid URI attribute name");
    expect_bad("pkcs11:object=a;", "stray");
    expect_bad("pkcs11:;object=a", "stray");
    expect_bad("pkcs11:object=a;;token=b", "stray");
    expect_bad("pkcs11:object=a b", "' '");
    expect_bad("pkcs11:object=a/b", "'/'");
    expect_bad("pkcs11:object=a\x01", "0x01");
    expect_bad("pkcs11:object=a\xc3\xa9", "0xc3");
    expect_bad("pkcs11:object=%zz", "bad %-escape");
    expect_bad("pkcs11:object=%4", "truncated");
    expect_bad("pkcs11:object=%", "truncated");
    expect_bad("pkcs11:object=a%00b", "NUL");
    expect_bad("pkcs11:object=a#frag", "fragment");
    expect_bad("pkcs11:library-version=1.", "library-version");
    expect_bad("pkcs11:library-version=256", "library-version");
    expect_bad("pkcs11:library-version=x", "library-version");
    expect_bad("pkcs11:library-version=", "library-version");
    expect_bad("pkcs11:slot-id=-1", "slot-id");
    expect_bad("pkcs11:slot-id=", "slot-id");
    expect_bad("pkcs11:slot-id=99999999999999999999999999", "slot-id");
}

static void
test_query_rejected_without_leaking(void **state)
{
    struct cli_uri u;

    (void)state;
    expect_bad("pkcs11:token=demo;object=k1?pin-value=s3cr3t-1234", "PIN");
    assert_null(strstr(err, "s3cr3t"));
    assert_non_null(strstr(err, "pin-value"));
    expect_bad("pkcs11:object=k1?pin-source=file:/etc/pin", "PIN");
    assert_null(strstr(err, "/etc/pin"));
    expect_bad("pkcs11:object=k1?module-path=/usr/lib/x.so", "query");
    assert_null(strstr(err, "/usr/lib"));
    expect_bad("pkcs11:?x=1", "query");
    /* an empty query carries nothing and is accepted */
    assert_int_equal(parse("pkcs11:object=k1?", &u), FH_OK);
    assert_string_equal(u.object.data, "k1");
    cli_uri_clear(&u);
}

static void
test_limits(void **state)
{
    struct cli_uri u;
    char *big = malloc(CLI_URI_MAX + 2);
    size_t n;

    (void)state;
    assert_non_null(big);
    memcpy(big, "pkcs11:object=", 14);
    memset(big + 14, 'a', CLI_URI_MAX - 14);
    big[CLI_URI_MAX] = '\0';
    assert_int_equal(cli_uri_parse(big, CLI_URI_MAX, &u, err, sizeof(err)), FH_OK);
    assert_int_equal(u.object.len, CLI_URI_MAX - 14);
    cli_uri_clear(&u);
    big[CLI_URI_MAX] = 'a';
    big[CLI_URI_MAX + 1] = '\0';
    n = strlen(big);
    assert_int_equal(cli_uri_parse(big, n, &u, err, sizeof(err)), FH_E_ARGS);
    assert_non_null(strstr(err, "longer"));
    free(big);
    /* an embedded NUL is refused, not silently cut */
    assert_int_equal(cli_uri_parse("pkcs11:object=a\0b", 17, &u, err, sizeof(err)), FH_E_ARGS);
    /* no terminator needed: only len bytes are read */
    assert_int_equal(cli_uri_parse("pkcs11:object=abcXYZ", 17, &u, err, sizeof(err)), FH_OK);
    assert_string_equal(u.object.data, "abc");
    cli_uri_clear(&u);
    /* a NULL or tiny error buffer is fine */
    assert_int_equal(cli_uri_parse("pkcs11:foo=1", 12, &u, NULL, 0), FH_E_ARGS);
    assert_int_equal(cli_uri_parse("pkcs11:foo=1", 12, &u, err, 1), FH_E_ARGS);
    assert_int_equal(err[0], '\0');
    assert_int_equal(cli_uri_parse(NULL, 0, &u, err, sizeof(err)), FH_E_ARGS);
    cli_uri_clear(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_path), cmocka_unit_test(test_contract_example),
        cmocka_unit_test(test_id_binary),  cmocka_unit_test(test_percent_decoding),
        cmocka_unit_test(test_scheme),     cmocka_unit_test(test_all_attributes),
        cmocka_unit_test(test_types),      cmocka_unit_test(test_vendor_ignored),
        cmocka_unit_test(test_rejections), cmocka_unit_test(test_query_rejected_without_leaking),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
