/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rv_map.c - fh_rv -> CK_RV, once, for every C_* function (STYLE rule 11).
 *
 * One switch over fh_rv without a default: -Wswitch-enum flags a new code.
 * Where a code's meaning depends on the calling function, the case asks the
 * context. The choices follow the return values listed for each function in
 * PKCS#11 v3.0 Base §5; codes a function may not return (for example
 * CKR_PIN_LEN_RANGE from C_Login, which lists only CKR_PIN_INCORRECT) are
 * folded into the nearest listed one. tests/pkcs11/test_rv_map.c walks every
 * value through every context.
 */
#include "rv_map.h"

/* A handle that names nothing: which handle the function was given. */
static CK_RV
handle_invalid(enum fh_p11_ctx c)
{
    switch (c) {
    case FH_P11_CTX_KEY_INIT:
    case FH_P11_CTX_KEYGEN:
    case FH_P11_CTX_WRAP: return CKR_KEY_HANDLE_INVALID;
    case FH_P11_CTX_UNWRAP: return CKR_UNWRAPPING_KEY_HANDLE_INVALID;
    case FH_P11_CTX_GENERAL:
    case FH_P11_CTX_TOKEN:
    case FH_P11_CTX_INIT_TOKEN:
    case FH_P11_CTX_LOGIN:
    case FH_P11_CTX_PIN:
    case FH_P11_CTX_OBJECT:
    case FH_P11_CTX_FIND:
    case FH_P11_CTX_ENCRYPT:
    case FH_P11_CTX_DECRYPT:
    case FH_P11_CTX_SIGN:
    case FH_P11_CTX_VERIFY:
    case FH_P11_CTX_DIGEST:
    case FH_P11_CTX_RANDOM: return CKR_OBJECT_HANDLE_INVALID;
    }
    return CKR_OBJECT_HANDLE_INVALID;
}

/* FH_E_NOT_FOUND: no such object in object calls, no such token elsewhere. */
static CK_RV
not_found(enum fh_p11_ctx c)
{
    switch (c) {
    case FH_P11_CTX_OBJECT:
    case FH_P11_CTX_FIND: return CKR_OBJECT_HANDLE_INVALID;
    case FH_P11_CTX_KEY_INIT:
    case FH_P11_CTX_KEYGEN:
    case FH_P11_CTX_WRAP:
    case FH_P11_CTX_UNWRAP: return handle_invalid(c);
    case FH_P11_CTX_GENERAL:
    case FH_P11_CTX_TOKEN:
    case FH_P11_CTX_INIT_TOKEN:
    case FH_P11_CTX_LOGIN:
    case FH_P11_CTX_PIN:
    case FH_P11_CTX_ENCRYPT:
    case FH_P11_CTX_DECRYPT:
    case FH_P11_CTX_SIGN:
    case FH_P11_CTX_VERIFY:
    case FH_P11_CTX_DIGEST:
    case FH_P11_CTX_RANDOM: return CKR_TOKEN_NOT_PRESENT; /* deleted by another process */
    }
    return CKR_TOKEN_NOT_PRESENT;
}

CK_RV
fh_rv_to_ckr(fh_rv rv, enum fh_p11_ctx c)
{
    switch (rv) {
    case FH_OK: return CKR_OK;
    case FH_E_GENERAL: return CKR_GENERAL_ERROR;
    case FH_E_NOMEM: return CKR_HOST_MEMORY;
    case FH_E_ARGS:
        /* a label the core refuses in C_InitToken is still a bad argument */
        return CKR_ARGUMENTS_BAD;
    case FH_E_NOT_FOUND: return not_found(c);
    case FH_E_EXISTS:
        /* §5.6 C_InitToken lists no "label in use": the label argument is bad */
        return c == FH_P11_CTX_INIT_TOKEN ? CKR_ARGUMENTS_BAD : CKR_FUNCTION_FAILED;
    case FH_E_PIN_INCORRECT: return CKR_PIN_INCORRECT;
    case FH_E_PIN_LOCKED: return CKR_PIN_LOCKED;
    case FH_E_PIN_LEN_RANGE:
        /* C_Login lists CKR_PIN_INCORRECT, not CKR_PIN_LEN_RANGE (§5.6.x) */
        return c == FH_P11_CTX_LOGIN ? CKR_PIN_INCORRECT : CKR_PIN_LEN_RANGE;
    case FH_E_NOT_LOGGED_IN: return CKR_USER_NOT_LOGGED_IN;
    case FH_E_ALREADY_LOGGED_IN: return CKR_USER_ALREADY_LOGGED_IN;
    case FH_E_OTHER_USER_LOGGED_IN: return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
    case FH_E_USER_TYPE_INVALID: return CKR_USER_TYPE_INVALID;
    case FH_E_STORE_IO:
    case FH_E_STORE_CORRUPT:
    case FH_E_STORE_FOREIGN:
    case FH_E_STORE_VERSION:
    case FH_E_AUDIT_BROKEN:
    case FH_E_IO: return CKR_DEVICE_ERROR;
    case FH_E_STORE_BUSY: return CKR_FUNCTION_FAILED; /* transient: the caller may retry */
    case FH_E_INTEGRITY:
        /* a sealed value failed authentication: the device is damaged */
        return CKR_DEVICE_ERROR;
    case FH_E_MECH_INVALID: return CKR_MECHANISM_INVALID;
    case FH_E_MECH_PARAM_INVALID: return CKR_MECHANISM_PARAM_INVALID;
    case FH_E_KEY_TYPE_INCONSISTENT:
        /* the core names the (un)wrapping key's own codes separately */
        return CKR_KEY_TYPE_INCONSISTENT;
    case FH_E_KEY_FUNCTION_NOT_PERMITTED: return CKR_KEY_FUNCTION_NOT_PERMITTED;
    case FH_E_KEY_SIZE_RANGE: return CKR_KEY_SIZE_RANGE;
    case FH_E_ATTR_TYPE_INVALID: return CKR_ATTRIBUTE_TYPE_INVALID;
    case FH_E_ATTR_VALUE_INVALID: return CKR_ATTRIBUTE_VALUE_INVALID;
    case FH_E_ATTR_READ_ONLY: return CKR_ATTRIBUTE_READ_ONLY;
    case FH_E_ATTR_SENSITIVE: return CKR_ATTRIBUTE_SENSITIVE;
    case FH_E_TEMPLATE_INCOMPLETE: return CKR_TEMPLATE_INCOMPLETE;
    case FH_E_TEMPLATE_INCONSISTENT: return CKR_TEMPLATE_INCONSISTENT;
    case FH_E_BUFFER_TOO_SMALL: return CKR_BUFFER_TOO_SMALL;
    case FH_E_SIGNATURE_INVALID: return CKR_SIGNATURE_INVALID;
    case FH_E_SIGNATURE_LEN_RANGE: return CKR_SIGNATURE_LEN_RANGE;
    case FH_E_DATA_LEN_RANGE:
    case FH_E_DATA_TOO_LARGE:
        return c == FH_P11_CTX_DECRYPT  ? CKR_ENCRYPTED_DATA_LEN_RANGE
               : c == FH_P11_CTX_UNWRAP ? CKR_WRAPPED_KEY_LEN_RANGE
                                        : CKR_DATA_LEN_RANGE;
    case FH_E_DATA_INVALID:
        return c == FH_P11_CTX_DECRYPT  ? CKR_ENCRYPTED_DATA_INVALID
               : c == FH_P11_CTX_UNWRAP ? CKR_WRAPPED_KEY_INVALID
                                        : CKR_DATA_INVALID;
    case FH_E_ENCRYPTED_DATA_INVALID:
        return c == FH_P11_CTX_UNWRAP ? CKR_WRAPPED_KEY_INVALID : CKR_ENCRYPTED_DATA_INVALID;
    case FH_E_ENCRYPTED_DATA_LEN_RANGE:
        return c == FH_P11_CTX_UNWRAP ? CKR_WRAPPED_KEY_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
    case FH_E_WRAPPED_KEY_INVALID: return CKR_WRAPPED_KEY_INVALID;
    case FH_E_WRAPPED_KEY_LEN_RANGE: return CKR_WRAPPED_KEY_LEN_RANGE;
    case FH_E_KEY_NOT_WRAPPABLE: return CKR_KEY_NOT_WRAPPABLE;
    case FH_E_KEY_UNEXTRACTABLE: return CKR_KEY_UNEXTRACTABLE;
    case FH_E_OP_ACTIVE: return CKR_OPERATION_ACTIVE;
    case FH_E_OP_NOT_INITIALIZED: return CKR_OPERATION_NOT_INITIALIZED;
    case FH_E_SESSION_READ_ONLY: return CKR_SESSION_READ_ONLY;
    case FH_E_ACTION_PROHIBITED: return CKR_ACTION_PROHIBITED;
    case FH_E_NOT_SUPPORTED:
        /* in an *Init the mechanism is what is not supported (§5.1.6) */
        return c == FH_P11_CTX_KEY_INIT || c == FH_P11_CTX_KEYGEN || c == FH_P11_CTX_DIGEST ||
                       c == FH_P11_CTX_WRAP || c == FH_P11_CTX_UNWRAP
                   ? CKR_MECHANISM_INVALID
                   : CKR_FUNCTION_NOT_SUPPORTED;
    case FH_E_CONFIG: return CKR_GENERAL_ERROR; /* only at C_Initialize */
    case FH_E_CRYPTO: return CKR_FUNCTION_FAILED;
    case FH_E_TOKEN_NOT_INITIALIZED:
        /* token.h: from login this means "user PIN never set" */
        return c == FH_P11_CTX_LOGIN ? CKR_USER_PIN_NOT_INITIALIZED : CKR_TOKEN_NOT_RECOGNIZED;
    case FH_E_KEY_HANDLE_INVALID:
    case FH_E_OBJECT_HANDLE_INVALID: return handle_invalid(c);
    case FH_E_SESSION_CLOSED: return CKR_SESSION_CLOSED;
    case FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT: return CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT;
    case FH_E_WRAPPING_KEY_TYPE_INCONSISTENT: return CKR_WRAPPING_KEY_TYPE_INCONSISTENT;
    case FH_E_CURVE_NOT_SUPPORTED: return CKR_CURVE_NOT_SUPPORTED;
    case FH_E_OP_MIXED:
        /*
         * §5.13.2 (C_Sign): "C_Sign cannot be used to terminate a multi-part
         * operation, and must be called after C_SignInit without intervening
         * C_SignUpdate calls" (likewise §5.8.2 C_Encrypt, §5.9.2 C_Decrypt,
         * §5.12.2 C_Digest, §5.15.2 C_Verify). No code is named for it; the
         * active multi-part operation is what prevents the single-part call:
         * §5.1.6 CKR_OPERATION_ACTIVE, "there is already an active operation
         * ... which prevents Cryptoki from activating the specified
         * operation". The core has ended the operation (rule 13), so the next
         * call sees CKR_OPERATION_NOT_INITIALIZED, as after any error.
         */
        return CKR_OPERATION_ACTIVE;
    case FH_E_USER_PIN_NOT_INITIALIZED: return CKR_USER_PIN_NOT_INITIALIZED;
    case FH_E_AUTH_FAILED: return CKR_DEVICE_ERROR; /* a remote slot's API key refused */
    case FH_E_PERMISSION_DENIED: return CKR_FUNCTION_REJECTED;
    }
    return CKR_GENERAL_ERROR;
}
