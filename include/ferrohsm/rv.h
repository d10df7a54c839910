/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fh_rv: the one error type of libferrohsm.
 *
 * The enum is append-only: never reorder, remove or reuse a value. The numbers
 * appear in REST error bodies, CLI exit codes and logs. Each front translates
 * fh_rv exactly once, through its own exhaustive table (PKCS#11 CKR_*, HTTP
 * status + code, CLI exit code).
 */
#ifndef FERROHSM_RV_H
#define FERROHSM_RV_H

#include "ferrohsm/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fh_rv {
    FH_OK = 0,
    FH_E_GENERAL = 1,             /* an internal failure with no better code */
    FH_E_NOMEM = 2,               /* allocation failed */
    FH_E_ARGS = 3,                /* API misuse: NULL pointer, bad length */
    FH_E_NOT_FOUND = 4,           /* no such token, object, mechanism or name */
    FH_E_EXISTS = 5,              /* a token with that label already exists */
    FH_E_PIN_INCORRECT = 6,       /* wrong PIN; the failure was counted */
    FH_E_PIN_LOCKED = 7,          /* too many failures; SO must reset */
    FH_E_PIN_LEN_RANGE = 8,       /* PIN shorter or longer than allowed */
    FH_E_NOT_LOGGED_IN = 9,       /* operation needs a login */
    FH_E_ALREADY_LOGGED_IN = 10,  /* the same user is already logged in */
    FH_E_OTHER_USER_LOGGED_IN = 11, /* SO while user is logged in or vice versa */
    FH_E_USER_TYPE_INVALID = 12,
    FH_E_STORE_IO = 13,           /* the store could not be read or written */
    FH_E_STORE_BUSY = 14,         /* the store stayed locked past the timeout */
    FH_E_STORE_CORRUPT = 15,      /* a record or the file itself is damaged */
    FH_E_STORE_FOREIGN = 16,      /* the file is not a FerroHSM store */
    FH_E_STORE_VERSION = 17,      /* the store was written by a newer FerroHSM */
    FH_E_INTEGRITY = 18,          /* an encrypted value failed authentication */
    FH_E_MECH_INVALID = 19,       /* unknown mechanism or not for this operation */
    FH_E_MECH_PARAM_INVALID = 20, /* bad IV, OAEP/PSS/GCM parameter */
    FH_E_KEY_TYPE_INCONSISTENT = 21,
    FH_E_KEY_FUNCTION_NOT_PERMITTED = 22, /* usage flag (CKA_SIGN...) is false */
    FH_E_KEY_SIZE_RANGE = 23,
    FH_E_ATTR_TYPE_INVALID = 24,
    FH_E_ATTR_VALUE_INVALID = 25,
    FH_E_ATTR_READ_ONLY = 26,
    FH_E_ATTR_SENSITIVE = 27,
    FH_E_TEMPLATE_INCOMPLETE = 28,
    FH_E_TEMPLATE_INCONSISTENT = 29,
    FH_E_BUFFER_TOO_SMALL = 30,
    FH_E_SIGNATURE_INVALID = 31,
    FH_E_SIGNATURE_LEN_RANGE = 32,
    FH_E_DATA_LEN_RANGE = 33,
    FH_E_DATA_INVALID = 34,
    FH_E_ENCRYPTED_DATA_INVALID = 35, /* bad padding, bad GCM tag */
    FH_E_ENCRYPTED_DATA_LEN_RANGE = 36,
    FH_E_WRAPPED_KEY_INVALID = 37,
    FH_E_WRAPPED_KEY_LEN_RANGE = 38,
    FH_E_KEY_NOT_WRAPPABLE = 39,
    FH_E_KEY_UNEXTRACTABLE = 40,
    FH_E_OP_ACTIVE = 41,          /* an operation of this kind is already active */
    FH_E_OP_NOT_INITIALIZED = 42,
    FH_E_SESSION_READ_ONLY = 43,
    FH_E_ACTION_PROHIBITED = 44,  /* e.g. CKA_DESTROYABLE false */
    FH_E_NOT_SUPPORTED = 45,
    FH_E_CONFIG = 46,             /* configuration file invalid */
    FH_E_CRYPTO = 47,             /* the crypto library failed unexpectedly */
    FH_E_AUDIT_BROKEN = 48,       /* the audit hash chain does not verify */
    FH_E_IO = 49,                 /* a file outside the store */
    FH_E_TOKEN_NOT_INITIALIZED = 50,
    FH_E_KEY_HANDLE_INVALID = 51, /* handle names no key (context-free form) */
    FH_E_OBJECT_HANDLE_INVALID = 52,
    FH_E_SESSION_CLOSED = 53,
    FH_E_DATA_TOO_LARGE = 54,     /* input exceeds an internal ceiling */
    FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT = 55,
    FH_E_WRAPPING_KEY_TYPE_INCONSISTENT = 56,
    FH_E_CURVE_NOT_SUPPORTED = 57,
    FH_E_OP_MIXED = 58,           /* single-part call after multi-part or vice versa */
    FH_E_USER_PIN_NOT_INITIALIZED = 59, /* the SO has not set a user PIN yet */
    FH_E_AUTH_FAILED = 60,        /* API key unknown, malformed or revoked */
    FH_E_PERMISSION_DENIED = 61,  /* the caller's role or scope does not allow it */
    /* append new codes here; update FH_RV_COUNT */
} fh_rv;

#define FH_RV_COUNT 62

/*
 * fh_rv_str - stable snake_case name of a code ("pin_incorrect"), suitable for
 * REST error codes and logs. Never NULL; unknown values give "unknown".
 */
FH_API const char *fh_rv_str(fh_rv rv);

/*
 * fh_rv_message - one short human sentence for a code ("wrong PIN").
 * Never contains data from the request. Never NULL.
 */
FH_API const char *fh_rv_message(fh_rv rv);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_RV_H */
