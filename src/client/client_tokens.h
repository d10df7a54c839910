/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_tokens.h - token administration on ferrohsm-server (docs/api.md
 * "Token administration"): create, delete, change a PIN, unlock. These are
 * the requests that carry PINs, so they are built here, in one place, with
 * the PINs handled as secrets:
 *   - a PIN is taken from an fh_secret (borrowed) and goes only into the
 *     request body; the body's JSON strings are overwritten before they are
 *     freed, and fh_client_request serialises the body into a buffer of its
 *     own, without intermediate copies, and cleanses it after sending;
 *   - a PIN that is not UTF-8 text cannot be a JSON string: FH_E_ARGS with
 *     status 0 and fail FH_CLIENT_FAIL_OTHER, nothing is sent.
 *
 * Each function is one request on c; *resp is always initialised (release
 * it with fh_client_resp_clear) and the return value is resp->rv, as for
 * fh_client_request.
 */
#ifndef FERROHSM_CLIENT_TOKENS_H
#define FERROHSM_CLIENT_TOKENS_H

#include <stdbool.h>

#include "ferrohsm/secret.h"

#include "client.h"

/* POST /v1/tokens {"label", "so_pin", "user_pin"}: 201 with the token (resp->json). */
fh_rv fh_client_token_create(fh_client *c, const char *label, const fh_secret *so_pin,
                             const fh_secret *user_pin, struct fh_client_resp *resp);

/* DELETE /v1/tokens/{label} {"so_pin"}: 204. */
fh_rv fh_client_token_delete(fh_client *c, const char *label, const fh_secret *so_pin,
                             struct fh_client_resp *resp);

/* POST /v1/tokens/{label}/pin {"so", "old_pin", "new_pin"}: 204. */
fh_rv fh_client_token_set_pin(fh_client *c, const char *label, bool so, const fh_secret *old_pin,
                              const fh_secret *new_pin, struct fh_client_resp *resp);

/* POST /v1/tokens/{label}/unlock {"so_pin", "new_pin"}: 204. */
fh_rv fh_client_token_unlock(fh_client *c, const char *label, const fh_secret *so_pin,
                             const fh_secret *new_pin, struct fh_client_resp *resp);

#endif /* FERROHSM_CLIENT_TOKENS_H */
