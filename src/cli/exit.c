/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exit.c - fh_rv -> exit code of the CLI, and the one-line error printers.
 *
 * STYLE rule 11: one exhaustive switch without default, so -Wswitch-enum
 * flags a code appended to rv.h; tests/unit/cli/test_exit.c walks every
 * value. The categories are those of docs/cli.md:
 *   0 ok, 1 internal/other, 2 usage, 3 not found, 4 authentication,
 *   5 signature invalid, 6 store, 7 crypto/data, 8 configuration, 9 audit.
 * Codes that only a CLI bug can produce (buffer sizes, operation state,
 * template shape) are "internal" (1).
 */
#include "exit.h"

#include "args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
cli_exit_code(fh_rv rv)
{
    switch (rv) {
    case FH_OK: return CLI_EXIT_OK;

    case FH_E_GENERAL:
    case FH_E_NOMEM:
    case FH_E_EXISTS: /* "token demo already exists": a conflict, not a usage error */
    case FH_E_USER_TYPE_INVALID:
    case FH_E_ATTR_TYPE_INVALID:
    case FH_E_ATTR_READ_ONLY:
    case FH_E_TEMPLATE_INCOMPLETE:
    case FH_E_BUFFER_TOO_SMALL:
    case FH_E_OP_ACTIVE:
    case FH_E_OP_NOT_INITIALIZED:
    case FH_E_SESSION_READ_ONLY:
    case FH_E_SESSION_CLOSED:
    case FH_E_OP_MIXED:
    case FH_E_ACTION_PROHIBITED:
    case FH_E_NOT_SUPPORTED:
    case FH_E_IO: return CLI_EXIT_OTHER;

    case FH_E_ARGS:
    case FH_E_PIN_LEN_RANGE:
    case FH_E_ATTR_VALUE_INVALID:
    case FH_E_TEMPLATE_INCONSISTENT: return CLI_EXIT_USAGE;

    case FH_E_NOT_FOUND:
    case FH_E_KEY_HANDLE_INVALID:
    case FH_E_OBJECT_HANDLE_INVALID: return CLI_EXIT_NOT_FOUND;

    case FH_E_PIN_INCORRECT:
    case FH_E_PIN_LOCKED:
    case FH_E_NOT_LOGGED_IN:
    case FH_E_ALREADY_LOGGED_IN:
    case FH_E_OTHER_USER_LOGGED_IN:
    case FH_E_TOKEN_NOT_INITIALIZED:
    case FH_E_USER_PIN_NOT_INITIALIZED: /* the SO has not set it: no user login possible */
    case FH_E_AUTH_FAILED:
    case FH_E_PERMISSION_DENIED:
        return CLI_EXIT_AUTH;

    case FH_E_SIGNATURE_INVALID: return CLI_EXIT_SIGNATURE;

    case FH_E_STORE_IO:
    case FH_E_STORE_BUSY:
    case FH_E_STORE_CORRUPT:
    case FH_E_STORE_FOREIGN:
    case FH_E_STORE_VERSION:
    case FH_E_INTEGRITY: return CLI_EXIT_STORE;

    case FH_E_MECH_INVALID:
    case FH_E_MECH_PARAM_INVALID:
    case FH_E_KEY_TYPE_INCONSISTENT:
    case FH_E_KEY_FUNCTION_NOT_PERMITTED:
    case FH_E_KEY_SIZE_RANGE:
    case FH_E_ATTR_SENSITIVE:
    case FH_E_SIGNATURE_LEN_RANGE: /* docs/cli.md: wrong lengths are data errors (7) */
    case FH_E_DATA_LEN_RANGE:
    case FH_E_DATA_INVALID:
    case FH_E_ENCRYPTED_DATA_INVALID:
    case FH_E_ENCRYPTED_DATA_LEN_RANGE:
    case FH_E_WRAPPED_KEY_INVALID:
    case FH_E_WRAPPED_KEY_LEN_RANGE:
    case FH_E_KEY_NOT_WRAPPABLE:
    case FH_E_KEY_UNEXTRACTABLE:
    case FH_E_CRYPTO:
    case FH_E_DATA_TOO_LARGE:
    case FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT:
    case FH_E_WRAPPING_KEY_TYPE_INCONSISTENT:
    case FH_E_CURVE_NOT_SUPPORTED: return CLI_EXIT_CRYPTO;

    case FH_E_CONFIG: return CLI_EXIT_CONFIG;

    case FH_E_AUDIT_BROKEN: return CLI_EXIT_AUDIT;
    }
    /* A value outside the enum (corrupted or newer library): "other". */
    return CLI_EXIT_OTHER;
}

int
cli_fail(const char *cmd, fh_rv rv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cli_error_linev(cmd, fh_rv_message(rv), fmt, ap, NULL);
    va_end(ap);
    return cli_exit_code(rv);
}

int
cli_fail_as(const char *cmd, fh_rv rv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cli_error_linev(cmd, NULL, fmt, ap, NULL);
    va_end(ap);
    return cli_exit_code(rv);
}

int
cli_fail_file(const char *cmd, fh_rv rv, const char *path, int errnum, bool writing, size_t limit)
{
    const char *name = path != NULL ? path : (writing ? "standard output" : "standard input");

    /* An if-chain, not a switch: only three codes are special (-Wswitch-enum). */
    if (rv == FH_E_NOT_FOUND) {
        return writing ? cli_fail_as(cmd, rv, "cannot write %s: no such directory", name)
                       : cli_fail_as(cmd, rv, "no such file: %s", name);
    }
    if (rv == FH_E_DATA_TOO_LARGE) {
        return writing ? cli_fail_as(cmd, rv,
                                     "output too large for %s (limit %zu bytes): use "
                                     "--out FILE",
                                     name, limit)
                       : cli_fail_as(cmd, rv, "input too large: %s (limit %zu bytes)", name, limit);
    }
    if (rv == FH_E_NOMEM) {
        return cli_fail(cmd, rv, NULL);
    }
    /* Every other file failure is an I/O error and errno tells why. */
    return cli_fail_as(cmd, FH_E_IO, "cannot %s %s: %s", writing ? "write" : "read", name,
                       errnum != 0 ? strerror(errnum) : "I/O error");
}
