/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rv.c - names and messages of fh_rv codes.
 *
 * The switch has no default so that -Wswitch flags a code added to rv.h but
 * not here; tests/unit/core/test_rv.c walks every value.
 */
#include "ferrohsm/rv.h"

#include <stddef.h>

static void
describe(fh_rv rv, const char **name, const char **msg)
{
    *name = NULL;
    *msg = NULL;
    switch (rv) {
    case FH_OK: *name = "ok"; *msg = "success"; break;
    case FH_E_GENERAL: *name = "internal_error"; *msg = "internal error"; break;
    case FH_E_NOMEM: *name = "out_of_memory"; *msg = "out of memory"; break;
    case FH_E_ARGS: *name = "bad_arguments"; *msg = "invalid arguments"; break;
    case FH_E_NOT_FOUND: *name = "not_found"; *msg = "not found"; break;
    case FH_E_EXISTS: *name = "already_exists"; *msg = "already exists"; break;
    case FH_E_PIN_INCORRECT: *name = "pin_incorrect"; *msg = "wrong PIN"; break;
    case FH_E_PIN_LOCKED: *name = "pin_locked"; *msg = "PIN locked after too many failures"; break;
    case FH_E_PIN_LEN_RANGE: *name = "pin_len_range"; *msg = "PIN length out of range"; break;
    case FH_E_NOT_LOGGED_IN: *name = "not_logged_in"; *msg = "login required"; break;
    case FH_E_ALREADY_LOGGED_IN: *name = "already_logged_in"; *msg = "already logged in"; break;
    case FH_E_OTHER_USER_LOGGED_IN: *name = "other_user_logged_in"; *msg = "another user is logged in"; break;
    case FH_E_USER_TYPE_INVALID: *name = "user_type_invalid"; *msg = "invalid user type"; break;
    case FH_E_STORE_IO: *name = "store_io"; *msg = "store could not be read or written"; break;
    case FH_E_STORE_BUSY: *name = "store_busy"; *msg = "store is busy"; break;
    case FH_E_STORE_CORRUPT: *name = "store_corrupt"; *msg = "store is corrupted"; break;
    case FH_E_STORE_FOREIGN: *name = "store_foreign"; *msg = "file is not a FerroHSM store"; break;
    case FH_E_STORE_VERSION: *name = "store_version"; *msg = "store was written by a newer FerroHSM"; break;
    case FH_E_INTEGRITY: *name = "integrity_failure"; *msg = "stored data failed its integrity check"; break;
    case FH_E_MECH_INVALID: *name = "mechanism_invalid"; *msg = "mechanism not valid for this operation"; break;
    case FH_E_MECH_PARAM_INVALID: *name = "mechanism_param_invalid"; *msg = "invalid mechanism parameter"; break;
    case FH_E_KEY_TYPE_INCONSISTENT: *name = "key_type_inconsistent"; *msg = "key type does not fit the mechanism"; break;
    case FH_E_KEY_FUNCTION_NOT_PERMITTED: *name = "key_function_not_permitted"; *msg = "key usage does not permit this operation"; break;
    case FH_E_KEY_SIZE_RANGE: *name = "key_size_range"; *msg = "key size out of range"; break;
    case FH_E_ATTR_TYPE_INVALID: *name = "attribute_type_invalid"; *msg = "invalid attribute type"; break;
    case FH_E_ATTR_VALUE_INVALID: *name = "attribute_value_invalid"; *msg = "invalid attribute value"; break;
    case FH_E_ATTR_READ_ONLY: *name = "attribute_read_only"; *msg = "attribute is read-only"; break;
    case FH_E_ATTR_SENSITIVE: *name = "attribute_sensitive"; *msg = "attribute is sensitive"; break;
    case FH_E_TEMPLATE_INCOMPLETE: *name = "template_incomplete"; *msg = "template incomplete"; break;
    case FH_E_TEMPLATE_INCONSISTENT: *name = "template_inconsistent"; *msg = "template inconsistent"; break;
    case FH_E_BUFFER_TOO_SMALL: *name = "buffer_too_small"; *msg = "output buffer too small"; break;
    case FH_E_SIGNATURE_INVALID: *name = "signature_invalid"; *msg = "signature invalid"; break;
    case FH_E_SIGNATURE_LEN_RANGE: *name = "signature_len_range"; *msg = "signature length out of range"; break;
    case FH_E_DATA_LEN_RANGE: *name = "data_len_range"; *msg = "data length out of range"; break;
    case FH_E_DATA_INVALID: *name = "data_invalid"; *msg = "invalid data"; break;
    case FH_E_ENCRYPTED_DATA_INVALID: *name = "encrypted_data_invalid"; *msg = "encrypted data invalid"; break;
    case FH_E_ENCRYPTED_DATA_LEN_RANGE: *name = "encrypted_data_len_range"; *msg = "encrypted data length out of range"; break;
    case FH_E_WRAPPED_KEY_INVALID: *name = "wrapped_key_invalid"; *msg = "wrapped key invalid"; break;
    case FH_E_WRAPPED_KEY_LEN_RANGE: *name = "wrapped_key_len_range"; *msg = "wrapped key length out of range"; break;
    case FH_E_KEY_NOT_WRAPPABLE: *name = "key_not_wrappable"; *msg = "key cannot be wrapped"; break;
    case FH_E_KEY_UNEXTRACTABLE: *name = "key_unextractable"; *msg = "key is not extractable"; break;
    case FH_E_OP_ACTIVE: *name = "operation_active"; *msg = "an operation is already active"; break;
    case FH_E_OP_NOT_INITIALIZED: *name = "operation_not_initialized"; *msg = "operation not initialized"; break;
    case FH_E_SESSION_READ_ONLY: *name = "session_read_only"; *msg = "session is read-only"; break;
    case FH_E_ACTION_PROHIBITED: *name = "action_prohibited"; *msg = "action prohibited by the object's attributes"; break;
    case FH_E_NOT_SUPPORTED: *name = "not_supported"; *msg = "not supported"; break;
    case FH_E_CONFIG: *name = "config_invalid"; *msg = "invalid configuration"; break;
    case FH_E_CRYPTO: *name = "crypto_failure"; *msg = "cryptographic library failure"; break;
    case FH_E_AUDIT_BROKEN: *name = "audit_chain_broken"; *msg = "audit log hash chain does not verify"; break;
    case FH_E_IO: *name = "io_error"; *msg = "file could not be read or written"; break;
    case FH_E_TOKEN_NOT_INITIALIZED: *name = "token_not_initialized"; *msg = "token not initialized"; break;
    case FH_E_KEY_HANDLE_INVALID: *name = "key_not_found"; *msg = "no such key"; break;
    case FH_E_OBJECT_HANDLE_INVALID: *name = "object_not_found"; *msg = "no such object"; break;
    case FH_E_SESSION_CLOSED: *name = "session_closed"; *msg = "session closed"; break;
    case FH_E_DATA_TOO_LARGE: *name = "data_too_large"; *msg = "input too large"; break;
    case FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT: *name = "unwrapping_key_type_inconsistent"; *msg = "unwrapping key type does not fit the mechanism"; break;
    case FH_E_WRAPPING_KEY_TYPE_INCONSISTENT: *name = "wrapping_key_type_inconsistent"; *msg = "wrapping key type does not fit the mechanism"; break;
    case FH_E_CURVE_NOT_SUPPORTED: *name = "curve_not_supported"; *msg = "curve not supported"; break;
    case FH_E_OP_MIXED: *name = "operation_mixed"; *msg = "single-part and multi-part calls mixed"; break;
    case FH_E_USER_PIN_NOT_INITIALIZED: *name = "user_pin_not_initialized"; *msg = "user PIN not set"; break;
    case FH_E_AUTH_FAILED: *name = "auth_failed"; *msg = "API key unknown, malformed or revoked"; break;
    case FH_E_PERMISSION_DENIED: *name = "permission_denied"; *msg = "not permitted for this API key"; break;
    }
}

const char *
fh_rv_str(fh_rv rv)
{
    const char *name, *msg;

    describe(rv, &name, &msg);
    return name != NULL ? name : "unknown";
}

const char *
fh_rv_message(fh_rv rv)
{
    const char *name, *msg;

    describe(rv, &name, &msg);
    return msg != NULL ? msg : "unknown error";
}
