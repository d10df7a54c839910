/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_err.c - the one table from fh_rv to an HTTP status and a stable
 * error code (docs/api.md "Errors"). The switch has no default: -Wswitch-enum
 * flags a code added to rv.h and not placed here, and the tests walk the
 * documented codes. What the error is about (enum srv_what) picks between
 * token_not_found, key_not_found, apikey_not_found and mechanism_invalid.
 */
#include "srv-int.h"

#include <stddef.h>

struct rv_http {
    int status;
    const char *code;
};

static struct rv_http
map(fh_rv rv, enum srv_what what)
{
    switch (rv) {
    case FH_E_NOT_FOUND:
        switch (what) {
        case SRV_WHAT_TOKEN:
            return (struct rv_http){404, "token_not_found"};
        case SRV_WHAT_KEY:
            return (struct rv_http){404, "key_not_found"};
        case SRV_WHAT_APIKEY:
            return (struct rv_http){404, "apikey_not_found"};
        case SRV_WHAT_MECHANISM:
            return (struct rv_http){400, "mechanism_invalid"};
        case SRV_WHAT_NONE:
            return (struct rv_http){404, "not_found"};
        }
        return (struct rv_http){404, "not_found"};
    case FH_E_EXISTS:
        switch (what) {
        case SRV_WHAT_KEY:
            return (struct rv_http){409, "key_exists"};
        case SRV_WHAT_APIKEY:
            return (struct rv_http){409, "apikey_exists"};
        case SRV_WHAT_TOKEN:
            return (struct rv_http){409, "token_exists"};
        case SRV_WHAT_MECHANISM:
        case SRV_WHAT_NONE:
            return (struct rv_http){409, "conflict"};
        }
        return (struct rv_http){409, "conflict"};
    case FH_E_ARGS:
    case FH_E_NOT_SUPPORTED:
        return (struct rv_http){400, "bad_request"};
    case FH_E_MECH_INVALID:
        return (struct rv_http){400, "mechanism_invalid"};
    case FH_E_MECH_PARAM_INVALID:
        return (struct rv_http){400, "mechanism_param_invalid"};
    case FH_E_KEY_TYPE_INCONSISTENT:
    case FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT:
    case FH_E_WRAPPING_KEY_TYPE_INCONSISTENT:
        return (struct rv_http){400, "key_type_inconsistent"};
    case FH_E_KEY_FUNCTION_NOT_PERMITTED:
        return (struct rv_http){400, "key_function_not_permitted"};
    case FH_E_KEY_SIZE_RANGE:
        return (struct rv_http){400, "key_size_range"};
    case FH_E_ATTR_TYPE_INVALID:
    case FH_E_ATTR_VALUE_INVALID:
        return (struct rv_http){400, "attribute_value_invalid"};
    case FH_E_ATTR_READ_ONLY:
        return (struct rv_http){400, "attribute_read_only"};
    case FH_E_TEMPLATE_INCOMPLETE:
    case FH_E_TEMPLATE_INCONSISTENT:
        return (struct rv_http){400, "template_inconsistent"};
    case FH_E_SIGNATURE_LEN_RANGE:
    case FH_E_DATA_LEN_RANGE:
    case FH_E_ENCRYPTED_DATA_LEN_RANGE:
        return (struct rv_http){400, "data_len_range"};
    case FH_E_SIGNATURE_INVALID: /* verify answers {"valid": false}; elsewhere bad input */
    case FH_E_DATA_INVALID:
        return (struct rv_http){400, "data_invalid"};
    case FH_E_ENCRYPTED_DATA_INVALID:
        return (struct rv_http){400, "encrypted_data_invalid"};
    case FH_E_WRAPPED_KEY_INVALID:
    case FH_E_WRAPPED_KEY_LEN_RANGE:
        return (struct rv_http){400, "wrapped_key_invalid"};
    case FH_E_CURVE_NOT_SUPPORTED:
        return (struct rv_http){400, "curve_not_supported"};
    case FH_E_AUTH_FAILED:
        return (struct rv_http){401, "unauthenticated"};
    case FH_E_PERMISSION_DENIED:
    case FH_E_ACTION_PROHIBITED:
        return (struct rv_http){403, "forbidden"};
    case FH_E_ATTR_SENSITIVE:
    case FH_E_KEY_NOT_WRAPPABLE:
    case FH_E_KEY_UNEXTRACTABLE:
        return (struct rv_http){403, "key_unextractable"};
    case FH_E_KEY_HANDLE_INVALID:
    case FH_E_OBJECT_HANDLE_INVALID:
        return (struct rv_http){404, "key_not_found"};
    case FH_E_DATA_TOO_LARGE:
        return (struct rv_http){413, "body_too_large"};
    /* Only the token administration routes check PINs (docs/api.md "Token
     * administration"); a wrong or locked PIN is the caller's, not the API
     * key's: 403 and 423, never 401 (which is about the API key alone). */
    case FH_E_PIN_INCORRECT:
        return (struct rv_http){403, "pin_incorrect"};
    case FH_E_PIN_LOCKED:
        return (struct rv_http){423, "pin_locked"};
    case FH_E_PIN_LEN_RANGE:
        return (struct rv_http){400, "pin_len_range"};
    /* The server's tokens are logged in at start; these mean "not unlocked here". */
    case FH_E_NOT_LOGGED_IN:
    case FH_E_TOKEN_NOT_INITIALIZED:
    case FH_E_USER_PIN_NOT_INITIALIZED:
        return (struct rv_http){423, "token_locked"};
    case FH_E_STORE_IO:
    case FH_E_STORE_BUSY:
    case FH_E_STORE_CORRUPT:
    case FH_E_STORE_FOREIGN:
    case FH_E_STORE_VERSION:
        return (struct rv_http){503, "store_unavailable"};
    case FH_OK:
    case FH_E_GENERAL:
    case FH_E_NOMEM:
    case FH_E_ALREADY_LOGGED_IN:
    case FH_E_OTHER_USER_LOGGED_IN:
    case FH_E_USER_TYPE_INVALID:
    case FH_E_INTEGRITY:
    case FH_E_BUFFER_TOO_SMALL:
    case FH_E_OP_ACTIVE:
    case FH_E_OP_NOT_INITIALIZED:
    case FH_E_SESSION_READ_ONLY:
    case FH_E_CONFIG:
    case FH_E_CRYPTO:
    case FH_E_AUDIT_BROKEN:
    case FH_E_IO:
    case FH_E_SESSION_CLOSED:
    case FH_E_OP_MIXED:
        return (struct rv_http){500, "internal"};
    }
    return (struct rv_http){500, "internal"};
}

static const char *
what_name(enum srv_what what)
{
    switch (what) {
    case SRV_WHAT_TOKEN:
        return "token";
    case SRV_WHAT_KEY:
        return "key";
    case SRV_WHAT_APIKEY:
        return "API key";
    case SRV_WHAT_MECHANISM:
        return "mechanism";
    case SRV_WHAT_NONE:
        return "object";
    }
    return "object";
}

void
srv_error_rv(struct srv_req *req, struct srv_resp *resp, fh_rv rv, enum srv_what what,
             const char *name)
{
    struct rv_http h = map(rv, what);

    if (rv == FH_E_NOT_FOUND && name != NULL) {
        srv_error(req, resp, h.status, h.code, "no such %s: %s", what_name(what), name);
    } else if (rv == FH_E_EXISTS && name != NULL) {
        srv_error(req, resp, h.status, h.code, "%s exists already: %s", what_name(what), name);
    } else if (name != NULL && h.status != 500) {
        srv_error(req, resp, h.status, h.code, "%s: %s", fh_rv_message(rv), name);
    } else {
        /* 500s name nothing from the request: the code is enough for the log */
        srv_error(req, resp, h.status, h.code, "%s", fh_rv_message(rv));
    }
}
