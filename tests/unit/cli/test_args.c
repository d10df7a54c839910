/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_args.c - the CLI option parser and value parsers: numbers without
 * sign/space/overflow tricks, hex, usage lists, and every usage error of
 * cli_args_parse (exit code 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ferrohsm/describe.h"

#include "args.h"

static void
test_u64(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(cli_parse_u64("0", 0, 10, &v), FH_OK);
    assert_int_equal(v, 0);
    assert_int_equal(cli_parse_u64("1048576", 1, 1048576, &v), FH_OK);
    assert_int_equal(v, 1048576);
    assert_int_equal(cli_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), FH_OK);
    assert_true(v == UINT64_MAX);
    v = 7;
    assert_int_equal(cli_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("1048577", 1, 1048576, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("0", 1, 10, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("-1", 0, 10, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("+1", 0, 10, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64(" 1", 0, 10, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("1 ", 0, 10, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("", 0, 10, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("12abc", 0, 100, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64("0x10", 0, 100, &v), FH_E_ARGS);
    assert_int_equal(cli_parse_u64(NULL, 0, 100, &v), FH_E_ARGS);
    assert_int_equal(v, 7); /* untouched on failure */
}

static void
test_hex(void **state)
{
    uint8_t *b = NULL;
    size_t n = 99;
    char *s;

    (void)state;
    assert_int_equal(cli_hex_decode("", &b, &n), FH_OK);
    assert_null(b);
    assert_int_equal(n, 0);
    assert_int_equal(cli_hex_decode("0a0B", &b, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(b, "\x0a\x0b", 2);
    free(b);
    assert_int_equal(cli_hex_decode("0x0102", &b, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(b, "\x01\x02", 2);
    free(b);
    assert_int_equal(cli_hex_decode("01:02:ff", &b, &n), FH_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(b, "\x01\x02\xff", 3);
    free(b);
    assert_int_equal(cli_hex_decode("0", &b, &n), FH_E_ARGS);
    assert_int_equal(cli_hex_decode("zz", &b, &n), FH_E_ARGS);
    assert_int_equal(cli_hex_decode("01:", &b, &n), FH_E_ARGS);
    assert_int_equal(cli_hex_decode(":01", &b, &n), FH_E_ARGS);
    assert_int_equal(cli_hex_decode("01::02", &b, &n), FH_E_ARGS);
    assert_int_equal(cli_hex_decode("0:1", &b, &n), FH_E_ARGS);
    assert_int_equal(cli_hex_decode("nothex", &b, &n), FH_E_ARGS);
    s = cli_hex_encode((const uint8_t *)"\x00\x7f\xff", 3);
    assert_string_equal(s, "007fff");
    free(s);
    s = cli_hex_encode(NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

static void
test_usage(void **state)
{
    unsigned m = 0;
    const char *bad = NULL;
    size_t bad_len = 0;

    (void)state;
    assert_int_equal(cli_parse_usage("sign", &m, &bad, &bad_len), FH_OK);
    assert_int_equal(m, FH_USAGE_SIGN);
    assert_int_equal(
        cli_parse_usage("sign,verify,encrypt,decrypt,wrap,unwrap,derive", &m, NULL, NULL), FH_OK);
    assert_int_equal(m, 0x7f);
    assert_int_equal(cli_parse_usage("sign,fly", &m, &bad, &bad_len), FH_E_ARGS);
    assert_int_equal(bad_len, 3);
    assert_memory_equal(bad, "fly", 3);
    assert_int_equal(cli_parse_usage("sign,,verify", &m, &bad, &bad_len), FH_E_ARGS);
    assert_int_equal(bad_len, 0);
    assert_int_equal(cli_parse_usage("sign,sign", &m, &bad, &bad_len), FH_E_ARGS);
    assert_int_equal(cli_parse_usage("", &m, &bad, &bad_len), FH_E_ARGS);
    assert_int_equal(cli_parse_usage("sign,", &m, &bad, &bad_len), FH_E_ARGS);
    assert_int_equal(cli_parse_usage("Sign", &m, &bad, &bad_len), FH_E_ARGS);
}

static const struct cli_optdef opts[] = {
    {"token", "T", "token label"},
    {"in", "FILE", "input"},
    {"json", NULL, "JSON output"},
    {NULL, NULL, NULL},
};
static const struct cli_spec spec = {"test cmd", "--token T [--in FILE] [--json]", "A test.", NULL,
                                     opts};

static int
run(struct cli_args *a, int argc, ...)
{
    char *argv[16];
    va_list ap;

    va_start(ap, argc);
    for (int i = 0; i < argc && i < 16; i++) {
        argv[i] = va_arg(ap, char *);
    }
    va_end(ap);
    return cli_args_parse(&spec, argc, argv, a);
}

static void
test_parse_ok(void **state)
{
    struct cli_args a;

    (void)state;
    assert_int_equal(run(&a, 4, "--token", "demo", "--in=x.bin", "--json"), 0);
    assert_string_equal(cli_arg(&a, "token"), "demo");
    assert_string_equal(cli_arg(&a, "in"), "x.bin");
    assert_true(cli_flag(&a, "json"));
    assert_null(cli_arg(&a, "nosuch"));
    assert_int_equal(run(&a, 0), 0);
    assert_null(cli_arg(&a, "token"));
    assert_false(cli_flag(&a, "json"));
    /* a value may start with '-' and may be empty */
    assert_int_equal(run(&a, 4, "--token", "-x", "--in", ""), 0);
    assert_string_equal(cli_arg(&a, "token"), "-x");
    assert_string_equal(cli_arg(&a, "in"), "");
    assert_int_equal(run(&a, 1, "--"), 0);
}

static void
test_parse_errors(void **state)
{
    struct cli_args a;

    (void)state;
    assert_int_equal(run(&a, 1, "--frobnicate"), 2);
    assert_int_equal(run(&a, 1, "-x"), 2);
    assert_int_equal(run(&a, 1, "--token"), 2);
    assert_int_equal(run(&a, 1, "--json=yes"), 2);
    assert_int_equal(run(&a, 4, "--token", "a", "--token", "b"), 2);
    assert_int_equal(run(&a, 1, "extra"), 2);
    assert_int_equal(run(&a, 1, "-"), 2);
    assert_int_equal(run(&a, 2, "--", "--json"), 2);
    assert_int_equal(run(&a, 1, "--tok"), 2); /* no abbreviations */
    assert_int_equal(run(&a, 1, "--help"), CLI_ARGS_HELP);
    assert_int_equal(run(&a, 2, "--token", "--help"), 0); /* a value, not a request */
    assert_int_equal(run(&a, 1, "-h"), CLI_ARGS_HELP);
    assert_int_equal(cli_usage_error("test cmd", false, "%s", "message"), 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u64),          cmocka_unit_test(test_hex),
        cmocka_unit_test(test_usage),        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
