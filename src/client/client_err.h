/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_err.h - the server's stable error codes (docs/api.md "Errors")
 * back to fh_rv: the inverse of the server's fh_rv -> code table, so a
 * front using the REST API reports an error with the same fh_rv (hence the
 * same message and CLI exit code) as it would locally.
 */
#ifndef FERROHSM_CLIENT_ERR_H
#define FERROHSM_CLIENT_ERR_H

#include <stddef.h>

#include "ferrohsm/rv.h"

struct fh_client_errcode {
    const char *code; /* "key_not_found" */
    int status;       /* the HTTP status docs/api.md gives it */
    fh_rv rv;
};

/*
 * The fh_rv of an error response: the table entry for code; else, for a
 * code the table does not know (a newer server), the fh_rv whose
 * fh_rv_str() is code; else one chosen by the status class (400 FH_E_ARGS,
 * 401 FH_E_AUTH_FAILED, 403 FH_E_PERMISSION_DENIED, 404 FH_E_NOT_FOUND,
 * 409 FH_E_EXISTS, 413 FH_E_DATA_TOO_LARGE, 5xx FH_E_GENERAL ...).
 * code may be NULL. Never FH_OK.
 */
fh_rv fh_client_rv_from_code(const char *code, long status);

/* The table, for tests and documentation: n entries. */
const struct fh_client_errcode *fh_client_errcodes(size_t *n);

#endif /* FERROHSM_CLIENT_ERR_H */
