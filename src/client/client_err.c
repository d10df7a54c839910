/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_err.c - server error code -> fh_rv (see client_err.h).
 *
 * One table, in the order of docs/api.md's error table; a unit test checks
 * that it names every code of that table and nothing else, and that the
 * status of each entry is the documented one. The fh_rv chosen for a code
 * is the one the local CLI reports for the same condition:
 *   key_not_found -> FH_E_KEY_HANDLE_INVALID ("no such key", exit 3),
 *   key_ambiguous -> FH_E_ARGS (the CLI's "key K is ambiguous", exit 2),
 *   token_locked  -> FH_E_NOT_LOGGED_IN (the server holds no login, exit 4),
 *   pin_incorrect, pin_locked, pin_len_range -> the PIN codes themselves
 *   (token administration: the CLI prints what `token ...` prints locally).
 * Codes that only describe the HTTP exchange (method, media type) mean
 * client and server disagree on the API: FH_E_NOT_SUPPORTED. "not_found" is
 * both an unknown route and the server's FH_E_NOT_FOUND about nothing in
 * particular; FH_E_NOT_FOUND (exit 3) reads right for both.
 *
 * The last entries are codes the server sends beyond docs/api.md's table
 * (src/server/http_err.c); tests/unit/client checks both directions.
 */
#include "client_err.h"

#include <string.h>

static const struct fh_client_errcode table[] = {
    {"bad_json", 400, FH_E_ARGS},
    {"bad_request", 400, FH_E_ARGS},
    {"mechanism_invalid", 400, FH_E_MECH_INVALID},
    {"mechanism_param_invalid", 400, FH_E_MECH_PARAM_INVALID},
    {"key_type_inconsistent", 400, FH_E_KEY_TYPE_INCONSISTENT},
    {"key_function_not_permitted", 400, FH_E_KEY_FUNCTION_NOT_PERMITTED},
    {"data_len_range", 400, FH_E_DATA_LEN_RANGE},
    {"data_invalid", 400, FH_E_DATA_INVALID},
    {"encrypted_data_invalid", 400, FH_E_ENCRYPTED_DATA_INVALID},
    {"wrapped_key_invalid", 400, FH_E_WRAPPED_KEY_INVALID},
    {"attribute_value_invalid", 400, FH_E_ATTR_VALUE_INVALID},
    {"template_inconsistent", 400, FH_E_TEMPLATE_INCONSISTENT},
    {"key_size_range", 400, FH_E_KEY_SIZE_RANGE},
    {"curve_not_supported", 400, FH_E_CURVE_NOT_SUPPORTED},
    {"pin_len_range", 400, FH_E_PIN_LEN_RANGE},
    {"unauthenticated", 401, FH_E_AUTH_FAILED},
    {"forbidden", 403, FH_E_PERMISSION_DENIED},
    {"key_unextractable", 403, FH_E_KEY_UNEXTRACTABLE},
    {"pin_incorrect", 403, FH_E_PIN_INCORRECT},
    {"not_found", 404, FH_E_NOT_FOUND},
    {"token_not_found", 404, FH_E_NOT_FOUND},
    {"key_not_found", 404, FH_E_KEY_HANDLE_INVALID},
    {"apikey_not_found", 404, FH_E_NOT_FOUND},
    {"method_not_allowed", 405, FH_E_NOT_SUPPORTED},
    {"key_exists", 409, FH_E_EXISTS},
    {"key_ambiguous", 409, FH_E_ARGS},
    {"apikey_exists", 409, FH_E_EXISTS},
    {"token_exists", 409, FH_E_EXISTS},
    {"body_too_large", 413, FH_E_DATA_TOO_LARGE},
    {"unsupported_media_type", 415, FH_E_NOT_SUPPORTED},
    {"token_locked", 423, FH_E_NOT_LOGGED_IN},
    {"pin_locked", 423, FH_E_PIN_LOCKED},
    {"rate_limited", 429, FH_E_AUTH_FAILED},
    {"internal", 500, FH_E_GENERAL},
    {"store_unavailable", 503, FH_E_STORE_IO},
    {"draining", 503, FH_E_STORE_BUSY},
    /* beyond docs/api.md */
    {"conflict", 409, FH_E_EXISTS},
    {"attribute_read_only", 400, FH_E_ATTR_READ_ONLY},
};

const struct fh_client_errcode *
fh_client_errcodes(size_t *n)
{
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}

static fh_rv
by_status(long status)
{
    if (status == 401 || status == 429) {
        return FH_E_AUTH_FAILED;
    }
    if (status == 403) {
        return FH_E_PERMISSION_DENIED;
    }
    if (status == 404) {
        return FH_E_NOT_FOUND;
    }
    if (status == 409) {
        return FH_E_EXISTS;
    }
    if (status == 413) {
        return FH_E_DATA_TOO_LARGE;
    }
    if (status == 423) {
        return FH_E_NOT_LOGGED_IN;
    }
    if (status == 503) {
        return FH_E_STORE_IO;
    }
    if (status >= 400 && status < 500) {
        return FH_E_ARGS;
    }
    return FH_E_GENERAL;
}

fh_rv
fh_client_rv_from_code(const char *code, long status)
{
    if (code != NULL && code[0] != '\0') {
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
            if (strcmp(table[i].code, code) == 0) {
                return table[i].rv;
            }
        }
        /* a code outside the table: the server may have used fh_rv_str() */
        for (int v = 1; v < FH_RV_COUNT; v++) {
            if (strcmp(fh_rv_str((fh_rv)v), code) == 0) {
                return (fh_rv)v;
            }
        }
    }
    return by_status(status);
}
