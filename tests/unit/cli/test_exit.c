/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_exit.c - the fh_rv -> exit code table of the CLI (STYLE rule 11):
 * every value has a code in 0..9, only FH_OK gives 0, and the codes the
 * contract names (docs/cli.md) are the ones it names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exit.h"

static void
test_every_value(void **state)
{
    (void)state;
    for (int v = 0; v < FH_RV_COUNT; v++) {
        int code = cli_exit_code((fh_rv)v);

        assert_in_range(code, 0, 9);
        if (v == FH_OK) {
            assert_int_equal(code, 0);
        } else {
            assert_int_not_equal(code, 0);
        }
    }
    /* a value from a newer library is "other", never success */
    assert_int_equal(cli_exit_code((fh_rv)FH_RV_COUNT), CLI_EXIT_OTHER);
}

static void
test_contract_codes(void **state)
{
    (void)state;
    assert_int_equal(cli_exit_code(FH_E_GENERAL), 1);
    assert_int_equal(cli_exit_code(FH_E_ARGS), 2);
    assert_int_equal(cli_exit_code(FH_E_NOT_FOUND), 3);
    assert_int_equal(cli_exit_code(FH_E_KEY_HANDLE_INVALID), 3);
    assert_int_equal(cli_exit_code(FH_E_PIN_INCORRECT), 4);
    assert_int_equal(cli_exit_code(FH_E_PIN_LOCKED), 4);
    assert_int_equal(cli_exit_code(FH_E_NOT_LOGGED_IN), 4);
    assert_int_equal(cli_exit_code(FH_E_SIGNATURE_INVALID), 5);
    assert_int_equal(cli_exit_code(FH_E_STORE_CORRUPT), 6);
    assert_int_equal(cli_exit_code(FH_E_STORE_FOREIGN), 6);
    assert_int_equal(cli_exit_code(FH_E_STORE_VERSION), 6);
    assert_int_equal(cli_exit_code(FH_E_STORE_BUSY), 6);
    assert_int_equal(cli_exit_code(FH_E_STORE_IO), 6);
    assert_int_equal(cli_exit_code(FH_E_INTEGRITY), 6);
    assert_int_equal(cli_exit_code(FH_E_ENCRYPTED_DATA_INVALID), 7);
    assert_int_equal(cli_exit_code(FH_E_DATA_LEN_RANGE), 7);
    assert_int_equal(cli_exit_code(FH_E_SIGNATURE_LEN_RANGE), 7);
    assert_int_equal(cli_exit_code(FH_E_KEY_TYPE_INCONSISTENT), 7);
    assert_int_equal(cli_exit_code(FH_E_MECH_INVALID), 7);
    assert_int_equal(cli_exit_code(FH_E_CONFIG), 8);
    assert_int_equal(cli_exit_code(FH_E_AUDIT_BROKEN), 9);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_value),
        cmocka_unit_test(test_contract_codes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
