/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rv.c - fh_rv_str / fh_rv_message cover every code (STYLE rules 10, 11).
 */
#include "helpers.h"

#include <string.h>

static bool
is_snake_case(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '_') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_';

        if (!ok || (s[i] == '_' && s[i + 1] == '_')) {
            return false;
        }
    }
    return true;
}

static void
every_code_has_a_distinct_name(void **state)
{
    (void)state;
    for (int i = 0; i < FH_RV_COUNT; i++) {
        const char *name = fh_rv_str((fh_rv)i);

        assert_non_null(name);
        if (strcmp(name, "unknown") == 0) {
            fail_msg("fh_rv %d has no name", i);
        }
        if (!is_snake_case(name)) {
            fail_msg("fh_rv %d name '%s' is not snake_case", i, name);
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(name, fh_rv_str((fh_rv)j)) == 0) {
                fail_msg("fh_rv %d and %d share the name '%s'", j, i, name);
            }
        }
    }
}

static void
every_code_has_a_message(void **state)
{
    (void)state;
    for (int i = 0; i < FH_RV_COUNT; i++) {
        const char *msg = fh_rv_message((fh_rv)i);

        assert_non_null(msg);
        if (msg[0] == '\0' || strcmp(msg, "unknown error") == 0) {
            fail_msg("fh_rv %d has no message", i);
        }
    }
}

static void
out_of_range_is_unknown(void **state)
{
    (void)state;
    assert_string_equal(fh_rv_str((fh_rv)FH_RV_COUNT), "unknown");
    assert_string_equal(fh_rv_str((fh_rv)(FH_RV_COUNT + 100)), "unknown");
    assert_string_equal(fh_rv_str((fh_rv)-1), "unknown");
    assert_non_null(fh_rv_message((fh_rv)FH_RV_COUNT));
    assert_true(fh_rv_message((fh_rv)FH_RV_COUNT)[0] != '\0');
}

/* The numbers are ABI (REST bodies, exit codes): pin a few of them. */
static void
codes_are_stable(void **state)
{
    (void)state;
    assert_int_equal(FH_OK, 0);
    assert_int_equal(FH_E_PIN_INCORRECT, 6);
    assert_int_equal(FH_E_STORE_VERSION, 17);
    assert_int_equal(FH_E_AUDIT_BROKEN, 48);
    assert_int_equal(FH_E_USER_PIN_NOT_INITIALIZED, 59);
    assert_int_equal(FH_E_AUTH_FAILED, 60);
    assert_int_equal(FH_E_PERMISSION_DENIED, 61);
    assert_int_equal(FH_RV_COUNT, FH_E_PERMISSION_DENIED + 1);
    assert_string_equal(fh_rv_str(FH_OK), "ok");
    assert_string_equal(fh_rv_str(FH_E_PIN_INCORRECT), "pin_incorrect");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_distinct_name),
        cmocka_unit_test(every_code_has_a_message),
        cmocka_unit_test(out_of_range_is_unknown),
        cmocka_unit_test(codes_are_stable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
