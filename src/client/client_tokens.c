/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_tokens.c - token administration requests (see client_tokens.h).
 *
 * A body is built as a JSON object whose PIN members are made straight
 * from the fh_secret bytes (json_stringn copies them once, into jansson's
 * memory); fh_client_request serialises it into a buffer of its own
 * (json_dumpb: no intermediate copies) and cleanses that, and after the
 * request every string of the body is overwritten (fh_client_json_cleanse)
 * before json_decref frees it. Nothing here keeps a PIN beyond the call.
 * No state: thread-safe as far as the client is.
 */
#include "client_tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_url.h"

/*
 * A request that was not sent: body (may be NULL) is cleansed and freed,
 * resp says why (no status, fail FH_CLIENT_FAIL_OTHER) and rv is returned.
 */
static fh_rv
not_sent(struct fh_client_resp *resp, json_t *body, fh_rv rv)
{
    fh_client_json_cleanse(body);
    json_decref(body);
    memset(resp, 0, sizeof(*resp));
    resp->rv = rv;
    resp->fail = FH_CLIENT_FAIL_OTHER;
    snprintf(resp->message, sizeof(resp->message), "%s",
             rv == FH_E_ARGS ? "a PIN sent to a server must be UTF-8 text" : "out of memory");
    return rv;
}

/* Send body (ownership taken: cleansed and freed) to path (freed; NULL: no memory). */
static fh_rv
submit(fh_client *c, const char *method, char *path, json_t *body, struct fh_client_resp *resp)
{
    fh_rv rv;

    if (path == NULL) {
        return not_sent(resp, body, FH_E_NOMEM);
    }
    rv = fh_client_request(c, method, path, body, resp);
    fh_client_json_cleanse(body);
    json_decref(body);
    free(path);
    return rv;
}

/*
 * A new body with one member per PIN (names[i] = pins[i]); NULL with the
 * failure in resp and *rv: FH_E_ARGS for a missing PIN or one that is not
 * UTF-8 (json_stringn refuses it), FH_E_NOMEM.
 */
static json_t *
pin_body(const char *const *names, const fh_secret *const *pins, size_t n,
         struct fh_client_resp *resp, fh_rv *rv)
{
    json_t *body = json_object();

    if (body == NULL) {
        *rv = not_sent(resp, NULL, FH_E_NOMEM);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = pins[i] != NULL ? json_stringn((const char *)fh_secret_cdata(pins[i]),
                                                   fh_secret_len(pins[i]))
                                    : NULL;

        if (v == NULL || json_object_set_new(body, names[i], v) != 0) {
            *rv = not_sent(resp, body, FH_E_ARGS);
            return NULL;
        }
    }
    return body;
}

fh_rv
fh_client_token_create(fh_client *c, const char *label, const fh_secret *so_pin,
                       const fh_secret *user_pin, struct fh_client_resp *resp)
{
    static const char *const names[] = {"so_pin", "user_pin"};
    const fh_secret *pins[] = {so_pin, user_pin};
    fh_rv rv = FH_OK;
    json_t *body = pin_body(names, pins, 2, resp, &rv);

    if (body == NULL) {
        return rv;
    }
    if (label == NULL || json_object_set_new(body, "label", json_string(label)) != 0) {
        return not_sent(resp, body, label == NULL ? FH_E_ARGS : FH_E_NOMEM);
    }
    return submit(c, "POST", strdup("/v1/tokens"), body, resp);
}

fh_rv
fh_client_token_delete(fh_client *c, const char *label, const fh_secret *so_pin,
                       struct fh_client_resp *resp)
{
    static const char *const names[] = {"so_pin"};
    const fh_secret *pins[] = {so_pin};
    fh_rv rv = FH_OK;
    json_t *body = pin_body(names, pins, 1, resp, &rv);

    if (body == NULL) {
        return rv;
    }
    return submit(c, "DELETE", fh_client_pathf("/v1/tokens/{}", label), body, resp);
}

fh_rv
fh_client_token_set_pin(fh_client *c, const char *label, bool so, const fh_secret *old_pin,
                        const fh_secret *new_pin, struct fh_client_resp *resp)
{
    static const char *const names[] = {"old_pin", "new_pin"};
    const fh_secret *pins[] = {old_pin, new_pin};
    fh_rv rv = FH_OK;
    json_t *body = pin_body(names, pins, 2, resp, &rv);

    if (body == NULL) {
        return rv;
    }
    if (json_object_set_new(body, "so", json_boolean(so)) != 0) {
        return not_sent(resp, body, FH_E_NOMEM);
    }
    return submit(c, "POST", fh_client_pathf("/v1/tokens/{}/pin", label), body, resp);
}

fh_rv
fh_client_token_unlock(fh_client *c, const char *label, const fh_secret *so_pin,
                       const fh_secret *new_pin, struct fh_client_resp *resp)
{
    static const char *const names[] = {"so_pin", "new_pin"};
    const fh_secret *pins[] = {so_pin, new_pin};
    fh_rv rv = FH_OK;
    json_t *body = pin_body(names, pins, 2, resp, &rv);

    if (body == NULL) {
        return rv;
    }
    return submit(c, "POST", fh_client_pathf("/v1/tokens/{}/unlock", label), body, resp);
}
