/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rv_map.c - every fh_rv through every context of fh_rv_to_ckr
 * (STYLE rule 11), linked against src/pkcs11/rv_map.c alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "rv_map.h"

/* Only FH_OK is CKR_OK; nothing known falls through to the catch-all. */
static void
test_every_value(void **state)
{
    (void)state;
    for (int c = 0; c < FH_P11_CTX_COUNT; c++) {
        for (int r = 0; r < FH_RV_COUNT; r++) {
            CK_RV ck = fh_rv_to_ckr((fh_rv)r, (enum fh_p11_ctx)c);

            if (r == FH_OK) {
                assert_int_equal(ck, CKR_OK);
            } else {
                assert_int_not_equal(ck, CKR_OK);
            }
            if (r != FH_E_GENERAL && r != FH_E_CONFIG) {
                assert_int_not_equal(ck, CKR_GENERAL_ERROR);
            }
        }
        assert_int_equal(fh_rv_to_ckr((fh_rv)FH_RV_COUNT, (enum fh_p11_ctx)c), CKR_GENERAL_ERROR);
        assert_int_equal(fh_rv_to_ckr((fh_rv)-1, (enum fh_p11_ctx)c), CKR_GENERAL_ERROR);
    }
}

static void
test_context(void **state)
{
    (void)state;
    /* a handle naming nothing: key handle in *Init, object handle in object calls */
    assert_int_equal(fh_rv_to_ckr(FH_E_OBJECT_HANDLE_INVALID, FH_P11_CTX_KEY_INIT),
                     CKR_KEY_HANDLE_INVALID);
    assert_int_equal(fh_rv_to_ckr(FH_E_KEY_HANDLE_INVALID, FH_P11_CTX_OBJECT),
                     CKR_OBJECT_HANDLE_INVALID);
    assert_int_equal(fh_rv_to_ckr(FH_E_NOT_FOUND, FH_P11_CTX_KEY_INIT), CKR_KEY_HANDLE_INVALID);
    assert_int_equal(fh_rv_to_ckr(FH_E_NOT_FOUND, FH_P11_CTX_OBJECT), CKR_OBJECT_HANDLE_INVALID);
    assert_int_equal(fh_rv_to_ckr(FH_E_KEY_HANDLE_INVALID, FH_P11_CTX_UNWRAP),
                     CKR_UNWRAPPING_KEY_HANDLE_INVALID);
    /* login */
    assert_int_equal(fh_rv_to_ckr(FH_E_PIN_LEN_RANGE, FH_P11_CTX_LOGIN), CKR_PIN_INCORRECT);
    assert_int_equal(fh_rv_to_ckr(FH_E_PIN_LEN_RANGE, FH_P11_CTX_PIN), CKR_PIN_LEN_RANGE);
    assert_int_equal(fh_rv_to_ckr(FH_E_TOKEN_NOT_INITIALIZED, FH_P11_CTX_LOGIN),
                     CKR_USER_PIN_NOT_INITIALIZED);
    assert_int_equal(fh_rv_to_ckr(FH_E_OTHER_USER_LOGGED_IN, FH_P11_CTX_LOGIN),
                     CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
    /* data errors of decryption name the ciphertext */
    assert_int_equal(fh_rv_to_ckr(FH_E_DATA_LEN_RANGE, FH_P11_CTX_DECRYPT),
                     CKR_ENCRYPTED_DATA_LEN_RANGE);
    assert_int_equal(fh_rv_to_ckr(FH_E_DATA_LEN_RANGE, FH_P11_CTX_ENCRYPT), CKR_DATA_LEN_RANGE);
    assert_int_equal(fh_rv_to_ckr(FH_E_ENCRYPTED_DATA_INVALID, FH_P11_CTX_UNWRAP),
                     CKR_WRAPPED_KEY_INVALID);
    /* single-part after multi-part */
    assert_int_equal(fh_rv_to_ckr(FH_E_OP_MIXED, FH_P11_CTX_SIGN), CKR_OPERATION_ACTIVE);
    /* C_GetAttributeValue summary codes pass through */
    assert_int_equal(fh_rv_to_ckr(FH_E_ATTR_SENSITIVE, FH_P11_CTX_OBJECT), CKR_ATTRIBUTE_SENSITIVE);
    assert_int_equal(fh_rv_to_ckr(FH_E_ATTR_TYPE_INVALID, FH_P11_CTX_OBJECT),
                     CKR_ATTRIBUTE_TYPE_INVALID);
    assert_int_equal(fh_rv_to_ckr(FH_E_BUFFER_TOO_SMALL, FH_P11_CTX_OBJECT), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(fh_rv_to_ckr(FH_E_NOT_SUPPORTED, FH_P11_CTX_KEY_INIT), CKR_MECHANISM_INVALID);
    assert_int_equal(fh_rv_to_ckr(FH_E_NOT_SUPPORTED, FH_P11_CTX_OBJECT),
                     CKR_FUNCTION_NOT_SUPPORTED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_value),
        cmocka_unit_test(test_context),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
