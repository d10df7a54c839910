/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_tokens.c - tokens (list, show), mechanisms, digest and random
 * (docs/api.md "Tokens", "Without a key"). Every role may use them; token
 * listings are filtered by the API key's scope and a token outside it is
 * answered exactly as an unknown one.
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
        if (req->key == NULL || fh_apikey_in_scope(req->key, list[i].label)) {
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
            (cls != CKO_PUBLIC_KEY && cls != CKO_PRIVATE_KEY && cls != CKO_SECRET_KEY)) {
            continue;
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

static void
h_token_show(struct srv_req *req, struct srv_resp *resp)
{
    struct srv *s = req->srv;
    const char *label = req->params[0];
    struct fh_token_info *list = NULL, *t = NULL;
    size_t n = 0;
    json_t *o, *mechs, *counts;
    fh_session *ss = NULL;
    fh_rv rv;

    if (req->key != NULL && !fh_apikey_in_scope(req->key, label)) {
        /* srv_token_session refuses (and audits) exactly as for an unknown token */
        if (srv_token_session(req, resp, label, false, &ss)) {
            fh_session_close(ss); /* unreachable: out of scope */
        }
        return;
    }
    rv = fh_token_list(s->ctx, &list, &n);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].label, label) == 0) {
            t = &list[i];
        }
    }
    if (t == NULL) {
        free(list);
        srv_error_rv(req, resp, FH_E_NOT_FOUND, SRV_WHAT_TOKEN, label);
        return;
    }
    counts = json_object();
    json_object_set_new(counts, "objects", json_integer((json_int_t)t->object_count));
    if (srv_tokens_state(s, label) == SRV_TOK_READY) {
        uint64_t keys = 0;

        if (!srv_token_session(req, resp, label, false, &ss)) {
            free(list);
            json_decref(counts);
            return;
        }
        rv = count_keys(ss, &keys);
        fh_session_close(ss);
        if (rv != FH_OK) {
            free(list);
            json_decref(counts);
            srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, label);
            return;
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
    free(list);
    srv_json(resp, 200, o);
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

const struct srv_route srv_routes_tokens[] = {
    {"GET", "/v1/tokens", SRV_R_ANY, h_tokens_list, "List the tokens in the key's scope"},
    {"GET", "/v1/tokens/{token}", SRV_R_ANY, h_token_show,
     "Show a token: state, mechanisms, counts"},
    {"GET", "/v1/mechanisms", SRV_R_ANY, h_mechanisms, "List the mechanisms available"},
    {"POST", "/v1/digest", SRV_R_ANY, h_digest, "Hash data"},
    {"POST", "/v1/random", SRV_R_ANY, h_random, "Random bytes"},
    {NULL, NULL, 0, NULL, NULL},
};
