/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_tokens.c - tokens (list, show; and, for admin keys, create,
 * delete, PIN change and unlock), mechanisms, digest and random
 * (docs/api.md "Tokens", "Token administration", "Without a key"). Token
 * listings are filtered by the API key's scope (by serial) and a token
 * outside it is answered exactly as an unknown one, before the body is read.
 *
 * PINs (token administration): each PIN field is copied out of the parsed
 * body into an fh_secret and the JSON string is overwritten in place at
 * once (the whole body is cleansed again when freed: jansson's allocator is
 * the cleansing one, body.c). No PIN is ever put in a message, a log line
 * or an audit record: errors name the field. The core audits every PIN
 * check, creation and deletion with its result; refusals by role and scope
 * are audited by the runtime and by srv_token_find.
 *
 * Digest and random involve no key and no token, and the public API runs
 * them only on a token session; as the CLI does, they use libcrypto
 * directly (EVP digests, RAND_bytes), with mechanism names resolved by the
 * core's registry so the spelling rules are the same everywhere.
 */
#include "srv-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "json_shapes.h"
#include "transport.h"

#define DIGEST_MAX (1u << 20)
#define RANDOM_MAX 65536

/* TOKEN (docs/api.md): the CLI's `token list --json` object plus "ready". */
static json_t *
token_json(struct srv *s, const struct fh_token_info *t)
{
    json_t *o = fh_shape_token(t);
    bool ready = srv_tokens_state(s, t->label) == SRV_TOK_READY;

    if (o != NULL && json_object_set_new(o, "ready", json_boolean(ready)) != 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static void
h_tokens_list(struct srv_req *req, struct srv_resp *resp)
{
    struct fh_token_info *list = NULL;
    size_t n = 0;
    json_t *arr, *o;
    fh_rv rv;

    rv = fh_token_list(req->srv->ctx, &list, &n);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, NULL);
        return;
    }
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (req->key == NULL || fh_apikey_in_scope_serial(req->key, list[i].serial)) {
            json_array_append_new(arr, token_json(req->srv, &list[i]));
        }
    }
    free(list);
    o = json_object();
    json_object_set_new(o, "tokens", arr);
    srv_json(resp, 200, o);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys (a pair counts once: same label and id) among the objects of session. */
static fh_rv
count_keys(fh_session *ss, uint64_t *keys)
{
    CK_OBJECT_HANDLE *h = NULL;
    size_t n = 0, nk = 0, distinct = 0;
    char **names = NULL;
    fh_rv rv;

    rv = fh_object_find(ss, NULL, 0, &h, &n);
    if (rv != FH_OK) {
        return rv;
    }
    names = calloc(n + 1, sizeof(*names));
    if (names == NULL) {
        free(h);
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        CK_OBJECT_CLASS cls = 0;
        uint8_t label[256], id[256];
        CK_ATTRIBUTE t[3] = {
            {CKA_CLASS, &cls, sizeof(cls)},
            {CKA_LABEL, label, sizeof(label)},
            {CKA_ID, id, sizeof(id)},
        };
        char *name;
        size_t ll, il;

        if (fh_object_get_attributes(ss, h[i], t, 3) != FH_OK ||
            (cls != CKO_PUBLIC_KEY && cls != CKO_PRIVATE_KEY && cls != CKO_SECRET_KEY) ||
            srv_transport_is(ss, h[i])) {
            continue; /* not a key; or the import transport key, listed nowhere (transport.h) */
        }
        ll = t[1].ulValueLen;
        il = t[2].ulValueLen;
        name = malloc(2 * ll + 2 * il + 2);
        if (name == NULL) {
            continue;
        }
        for (size_t k = 0; k < ll; k++) {
            snprintf(name + 2 * k, 3, "%02x", label[k]);
        }
        name[2 * ll] = '/';
        for (size_t k = 0; k < il; k++) {
            snprintf(name + 2 * ll + 1 + 2 * k, 3, "%02x", id[k]);
        }
        name[2 * ll + 1 + 2 * il] = '\0';
        names[nk++] = name;
    }
    qsort(names, nk, sizeof(*names), cmp_str);
    for (size_t i = 0; i < nk; i++) {
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0) {
            distinct++;
        }
    }
    /* A separate pass: the comparison above reads names[i - 1]. */
    for (size_t i = 0; i < nk; i++) {
        free(names[i]);
    }
    free(names);
    free(h);
    *keys = distinct;
    return FH_OK;
}

/*
 * The body of GET /v1/tokens/{token} for the token t (in the key's scope):
 * NULL after writing an error.
 */
static json_t *
token_body(struct srv_req *req, struct srv_resp *resp, const struct fh_token_info *t)
{
    struct srv *s = req->srv;
    json_t *o, *mechs, *counts;
    fh_session *ss = NULL;
    fh_rv rv;

    counts = json_object();
    json_object_set_new(counts, "objects", json_integer((json_int_t)t->object_count));
    if (srv_tokens_state(s, t->label) == SRV_TOK_READY) {
        uint64_t keys = 0;

        if (!srv_token_session(req, resp, t->label, false, &ss)) {
            json_decref(counts);
            return NULL;
        }
        rv = count_keys(ss, &keys);
        fh_session_close(ss);
        if (rv != FH_OK) {
            json_decref(counts);
            srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, t->label);
            return NULL;
        }
        json_object_set_new(counts, "keys", json_integer((json_int_t)keys));
    } else {
        json_object_set_new(counts, "keys", json_null()); /* private objects: not readable */
    }
    mechs = json_array();
    for (size_t i = 0; i < fh_mech_count(s->ctx); i++) {
        json_array_append_new(mechs, json_string(fh_mech_at(s->ctx, i)->name));
    }
    o = json_object();
    json_object_set_new(o, "token", token_json(s, t));
    json_object_set_new(o, "mechanisms", mechs);
    json_object_set_new(o, "counts", counts);
    return o;
}

static void
h_token_show(struct srv_req *req, struct srv_resp *resp)
{
    struct fh_token_info t;
    json_t *o;

    /* unknown, or outside the key's scope: one answer (audited for scope) */
    if (!srv_token_find(req, resp, req->params[0], &t)) {
        return;
    }
    o = token_body(req, resp, &t);
    if (o != NULL) {
        srv_json(resp, 200, o);
    }
}

static void
h_mechanisms(struct srv_req *req, struct srv_resp *resp)
{
    json_t *o = json_object(), *arr = fh_shape_mechs(req->srv->ctx);

    if (o == NULL || arr == NULL || json_object_set_new(o, "mechanisms", arr) != 0) {
        json_decref(o);
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        return;
    }
    srv_json(resp, 200, o);
}

static const struct {
    CK_MECHANISM_TYPE mech;
    const char *evp;
} digests[] = {
    {CKM_SHA_1, "SHA1"},        {CKM_SHA224, "SHA224"},     {CKM_SHA256, "SHA256"},
    {CKM_SHA384, "SHA384"},     {CKM_SHA512, "SHA512"},     {CKM_SHA3_224, "SHA3-224"},
    {CKM_SHA3_256, "SHA3-256"}, {CKM_SHA3_384, "SHA3-384"}, {CKM_SHA3_512, "SHA3-512"},
};

static void
h_digest(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"mechanism", "data", NULL};
    const char *mname = NULL, *evp = NULL;
    CK_MECHANISM_TYPE type = 0;
    uint8_t *data = NULL, md[EVP_MAX_MD_SIZE];
    size_t len = 0;
    unsigned mdlen = 0;
    EVP_MD *alg = NULL;
    json_t *o;

    if (!srv_body_only(req, resp, fields) ||
        !srv_body_str(req, resp, "mechanism", true, &mname) ||
        !srv_body_b64(req, resp, "data", true, DIGEST_MAX, &data, &len)) {
        return;
    }
    if (fh_mech_from_name(mname, &type) == FH_OK) {
        for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
            if (digests[i].mech == type) {
                evp = digests[i].evp;
            }
        }
    }
    if (evp == NULL) {
        srv_metric_op(req->srv, "digest", mname, FH_E_MECH_INVALID);
        srv_error(req, resp, 400, "mechanism_invalid", "not a digest mechanism: %s", mname);
        goto out;
    }
    alg = EVP_MD_fetch(NULL, evp, NULL);
    if (alg == NULL || EVP_Digest(data, len, md, &mdlen, alg, NULL) != 1) {
        srv_metric_op(req->srv, "digest", mname, FH_E_CRYPTO);
        srv_error_rv(req, resp, FH_E_CRYPTO, SRV_WHAT_NONE, NULL);
        goto out;
    }
    srv_metric_op(req->srv, "digest", mname, FH_OK);
    o = json_object();
    if (o == NULL || json_object_set_new(o, "digest", srv_b64_json(md, mdlen)) != 0) {
        json_decref(o); /* not a 200 {} */
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        goto out;
    }
    srv_json(resp, 200, o);
out:
    EVP_MD_free(alg);
    if (data != NULL) {
        OPENSSL_cleanse(data, len);
    }
    free(data);
}

static void
h_random(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"bytes", NULL};
    int64_t n = 0;
    uint8_t *buf;
    json_t *o;

    if (!srv_body_only(req, resp, fields) ||
        !srv_body_int(req, resp, "bytes", true, 1, RANDOM_MAX, &n)) {
        return;
    }
    buf = malloc((size_t)n);
    if (buf == NULL) {
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        return;
    }
    if (RAND_bytes(buf, (int)n) != 1) {
        OPENSSL_cleanse(buf, (size_t)n);
        free(buf);
        srv_error_rv(req, resp, FH_E_CRYPTO, SRV_WHAT_NONE, NULL);
        return;
    }
    o = json_object();
    if (o != NULL && json_object_set_new(o, "random", srv_b64_json(buf, (size_t)n)) != 0) {
        json_decref(o);
        o = NULL;
    }
    OPENSSL_cleanse(buf, (size_t)n);
    free(buf);
    if (o == NULL) {
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL); /* not a 200 {} */
        return;
    }
    srv_json(resp, 200, o);
}

/* ---- token administration (admin) ---------------------------------------- */

/*
 * A PIN field: a JSON string of 1..FH_PIN_MAX bytes, copied into *out
 * (free with fh_secret_free); the string in the body is overwritten at once.
 * Otherwise 400 bad_json naming the field. How long a new PIN must be is
 * the core's rule (400 pin_len_range).
 */
static bool
body_pin(struct srv_req *req, struct srv_resp *resp, const char *field, fh_secret **out)
{
    json_t *v = req->body != NULL ? json_object_get(req->body, field) : NULL;
    size_t n;
    fh_rv rv;

    if (v == NULL || json_is_null(v)) {
        srv_error(req, resp, 400, "bad_json", "field '%s' is required", field);
        return false;
    }
    if (!json_is_string(v)) {
        srv_error(req, resp, 400, "bad_json", "field '%s': expected a string", field);
        return false;
    }
    n = json_string_length(v);
    if (n == 0 || n > FH_PIN_MAX) {
        OPENSSL_cleanse((void *)json_string_value(v), n);
        srv_error(req, resp, 400, "bad_json", "field '%s': expected a PIN of 1..%d bytes", field,
                  FH_PIN_MAX);
        return false;
    }
    rv = fh_secret_from(json_string_value(v), n, out);
    /* jansson's storage, writable: the const is only the API's promise */
    OPENSSL_cleanse((void *)json_string_value(v), n);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_NONE, NULL);
        return false;
    }
    return true;
}

/* 400 pin_len_range naming the field whose new PIN the core refused. */
static void
pin_len_error(struct srv_req *req, struct srv_resp *resp, const char *field)
{
    srv_error(req, resp, 400, "pin_len_range", "field '%s': a PIN of %u..%d bytes", field,
              (unsigned)fh_ctx_min_pin_len(srv_ctx(req->srv)), FH_PIN_MAX);
}

/* The answer to a PIN change of token label: 204, or the error (a refused new PIN names new_pin). */
static void
pin_change_answer(struct srv_req *req, struct srv_resp *resp, fh_rv rv, const char *label)
{
    if (rv == FH_E_PIN_LEN_RANGE) {
        pin_len_error(req, resp, "new_pin");
    } else if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, label);
    } else {
        srv_no_content(resp);
    }
}

/* A label the core accepts: 1..FH_TOKEN_LABEL_MAX bytes, no control characters. */
static bool
label_ok(const char *label)
{
    size_t n = strlen(label);

    if (n == 0 || n > FH_TOKEN_LABEL_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f) {
            return false;
        }
    }
    return true;
}

/* "/v1/tokens/<label, percent-encoded>" into buf: the Location of a 201. */
static void
token_location(const char *label, char *buf, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = (size_t)snprintf(buf, len, "/v1/tokens/");

    for (const unsigned char *p = (const unsigned char *)label; *p != '\0' && o + 4 < len; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';

        if (plain) {
            buf[o++] = (char)*p;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 0xf];
        }
    }
    buf[o] = '\0';
}

/*
 * POST /v1/tokens: create a token and serve it at once, logged in with the
 * user PIN given (only the login state is kept). Only an API key for every
 * token may create one: a scoped key could not reach the new token anyway,
 * and its scope says which tokens it administers.
 */
static void
h_token_create(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"label", "so_pin", "user_pin", NULL};
    static _Thread_local char location[16 + 3 * FH_TOKEN_LABEL_MAX + 1];
    struct srv *s = req->srv;
    const char *label = NULL;
    fh_secret *so = NULL, *user = NULL;
    struct fh_token_info t;
    size_t so_len = 0;
    json_t *o;
    fh_rv rv;

    if (req->key != NULL && !req->key->all_tokens) {
        srv_audit_event(s, "deny", "token:*", FH_E_PERMISSION_DENIED);
        srv_error(req, resp, 403, "forbidden", "only an API key for every token may create tokens");
        return;
    }
    if (!srv_body_only(req, resp, fields) || !srv_body_str(req, resp, "label", true, &label)) {
        return;
    }
    if (!label_ok(label)) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'label': 1..%d bytes without control characters", FH_TOKEN_LABEL_MAX);
        return;
    }
    if (!body_pin(req, resp, "so_pin", &so) || !body_pin(req, resp, "user_pin", &user)) {
        goto out;
    }
    so_len = fh_secret_len(so);
    srv_tokens_admin_lock();
    if (!srv_tokens_room(s)) {
        srv_tokens_admin_unlock();
        srv_error(req, resp, 409, "conflict", "this server serves at most %d tokens",
                  SRV_MAX_SERVED);
        goto out;
    }
    rv = fh_token_create(s->ctx, label, so, user); /* audited: token.create */
    fh_secret_free(so);
    so = NULL;
    if (rv == FH_OK) {
        /* should this fail, the token exists not ready: the answer says so */
        srv_tokens_serve(s, label, user);
    }
    srv_tokens_admin_unlock();
    if (rv == FH_E_PIN_LEN_RANGE) {
        uint32_t min = fh_ctx_min_pin_len(s->ctx);

        pin_len_error(req, resp, so_len < min || so_len > FH_PIN_MAX ? "so_pin" : "user_pin");
        goto out;
    }
    if (rv == FH_E_ARGS) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'label': 1..%d bytes without control characters", FH_TOKEN_LABEL_MAX);
        goto out;
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, label); /* 409 token_exists ... */
        goto out;
    }
    if (!srv_token_find(req, resp, label, &t)) {
        goto out; /* deleted meanwhile by another process */
    }
    o = token_body(req, resp, &t);
    if (o != NULL) {
        token_location(label, location, sizeof(location));
        srv_json(resp, 201, o);
        resp->location = location;
    }
out:
    fh_secret_free(user);
    fh_secret_free(so);
}

/*
 * DELETE /v1/tokens/{token} {"so_pin"}: the core checks the SO PIN (counted
 * like a login) and deletes the token with its objects; the server stops
 * serving it at once (srv_tokens_forget).
 */
static void
h_token_delete(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"so_pin", NULL};
    struct srv *s = req->srv;
    const char *label = req->params[0];
    struct fh_token_info t;
    fh_secret *so = NULL;
    fh_rv rv;

    if (!srv_token_find(req, resp, label, &t) || !srv_body_only(req, resp, fields) ||
        !body_pin(req, resp, "so_pin", &so)) {
        return;
    }
    srv_tokens_admin_lock();
    rv = fh_token_delete(s->ctx, label, so); /* audited: token.delete */
    fh_secret_free(so);
    if (rv == FH_OK) {
        srv_tokens_forget(s, label);
    }
    srv_tokens_admin_unlock();
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, label);
        return;
    }
    srv_no_content(resp);
}

/*
 * POST /v1/tokens/{token}/pin {"so": false, "old_pin", "new_pin"}:
 * C_SetPIN on a handle of its own, so the served login is not disturbed
 * (the token master key stays; only its wrapping changes).
 */
static void
h_token_set_pin(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"so", "old_pin", "new_pin", NULL};
    struct srv *s = req->srv;
    const char *label = req->params[0];
    struct fh_token_info t;
    fh_secret *old = NULL, *pin = NULL;
    fh_token *tok = NULL;
    bool so = false;
    fh_rv rv;

    if (!srv_token_find(req, resp, label, &t) || !srv_body_only(req, resp, fields) ||
        !srv_body_bool(req, resp, "so", false, &so) || !body_pin(req, resp, "old_pin", &old) ||
        !body_pin(req, resp, "new_pin", &pin)) {
        goto out;
    }
    srv_tokens_admin_lock();
    rv = fh_token_open(s->ctx, label, &tok);
    if (rv == FH_OK) {
        rv = fh_token_set_pin(tok, so ? CKU_SO : CKU_USER, old, pin); /* audited: pin.change */
    }
    fh_token_close(tok);
    srv_tokens_admin_unlock();
    pin_change_answer(req, resp, rv, label);
out:
    fh_secret_free(pin);
    fh_secret_free(old);
}

/*
 * POST /v1/tokens/{token}/unlock {"so_pin", "new_pin"}: what `ferrohsm
 * token unlock` does (log in as the SO, set a new user PIN, which clears
 * the user PIN's failure count), on a handle of its own; then, unless the
 * server already serves the token logged in, it logs in with the new PIN.
 */
static void
h_token_unlock(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"so_pin", "new_pin", NULL};
    struct srv *s = req->srv;
    const char *label = req->params[0];
    struct fh_token_info t;
    fh_secret *so = NULL, *pin = NULL;
    fh_token *tok = NULL;
    fh_rv rv;

    if (!srv_token_find(req, resp, label, &t) || !srv_body_only(req, resp, fields) ||
        !body_pin(req, resp, "so_pin", &so) || !body_pin(req, resp, "new_pin", &pin)) {
        goto out;
    }
    srv_tokens_admin_lock();
    rv = fh_token_open(s->ctx, label, &tok);
    if (rv == FH_OK) {
        rv = fh_token_login(tok, CKU_SO, so); /* audited: login */
    }
    fh_secret_free(so);
    so = NULL;
    if (rv == FH_OK) {
        rv = fh_token_init_pin(tok, pin); /* audited: pin.init */
    }
    fh_token_close(tok); /* the SO login ends with the handle */
    if (rv == FH_OK) {
        srv_tokens_serve(s, label, pin); /* the PIN is set whatever this gives */
    }
    srv_tokens_admin_unlock();
    pin_change_answer(req, resp, rv, label);
out:
    fh_secret_free(pin);
    fh_secret_free(so);
}

const struct srv_route srv_routes_tokens[] = {
    {"GET", "/v1/tokens", SRV_R_ANY, h_tokens_list, "List the tokens in the key's scope"},
    {"GET", "/v1/tokens/{token}", SRV_R_ANY, h_token_show,
     "Show a token: state, mechanisms, counts"},
    {"POST", "/v1/tokens", SRV_R_ADMIN, h_token_create, "Create a token and serve it"},
    {"DELETE", "/v1/tokens/{token}", SRV_R_ADMIN, h_token_delete,
     "Delete a token and its objects (SO PIN)"},
    {"POST", "/v1/tokens/{token}/pin", SRV_R_ADMIN, h_token_set_pin,
     "Change the user or SO PIN (old PIN)"},
    {"POST", "/v1/tokens/{token}/unlock", SRV_R_ADMIN, h_token_unlock,
     "Set a new user PIN and clear its lock (SO PIN)"},
    {"GET", "/v1/mechanisms", SRV_R_ANY, h_mechanisms, "List the mechanisms available"},
    {"POST", "/v1/digest", SRV_R_ANY, h_digest, "Hash data"},
    {"POST", "/v1/random", SRV_R_ANY, h_random, "Random bytes"},
    {NULL, NULL, 0, NULL, NULL},
};
