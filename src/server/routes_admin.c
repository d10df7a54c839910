/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_admin.c - API keys (admin) and the audit log (auditor, admin):
 * docs/api.md "API keys" and "Audit".
 *
 * No escalation through a scoped admin key: it sees and revokes only keys
 * whose whole scope lies inside its own, may create keys only for tokens in
 * its scope (others answer 404 token_not_found, as for an unknown token),
 * and only an every-token admin may create an every-token key. The new key
 * string passes through this file once, into the response, and its buffer
 * is cleansed. A scoped auditor sees the audit records that name one of
 * its tokens in the object or the actor.
 */
#include "srv-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json_shapes.h"

#define AUDIT_LIMIT_MAX 1000
#define AUDIT_LIMIT_DEFAULT 100

/* Whether the caller's scope covers the whole scope of k (by serial: apikey.h). */
static bool
covers(const struct fh_apikey_info *caller, const struct fh_apikey_info *k)
{
    if (caller->all_tokens) {
        return true;
    }
    if (k->all_tokens) {
        return false;
    }
    for (size_t i = 0; i < k->n_tokens; i++) {
        if (!fh_apikey_in_scope_serial(caller, k->serials[i])) {
            return false;
        }
    }
    return true;
}

static void
h_apikeys_list(struct srv_req *req, struct srv_resp *resp)
{
    struct fh_apikey_info *list = NULL;
    size_t n = 0;
    json_t *arr, *o;
    fh_rv rv;

    rv = fh_apikey_list(req->srv->ctx, &list, &n);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_APIKEY, NULL);
        return;
    }
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (covers(req->key, &list[i])) {
            json_array_append_new(arr, fh_shape_apikey(&list[i]));
        }
    }
    free(list);
    o = json_object();
    json_object_set_new(o, "apikeys", arr);
    srv_json(resp, 200, o);
}

static void
h_apikeys_create(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"name", "role", "tokens", NULL};
    static _Thread_local char location[64]; /* sent before this thread's next request */
    const char *name = NULL, *role_s = NULL;
    const char *labels[FH_APIKEY_MAX_TOKENS];
    size_t n_labels = 0;
    bool all = false;
    enum fh_role role;
    json_t *toks, *o;
    char key[FH_APIKEY_STRING_LEN];
    struct fh_apikey_info info;
    fh_rv rv;

    if (!srv_body_only(req, resp, fields) || !srv_body_str(req, resp, "name", true, &name) ||
        !srv_body_str(req, resp, "role", true, &role_s)) {
        return;
    }
    if (fh_role_from_name(role_s, &role) != FH_OK) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'role': expected admin, operator, app or auditor");
        return;
    }
    toks = req->body != NULL ? json_object_get(req->body, "tokens") : NULL;
    if (json_is_string(toks) && strcmp(json_string_value(toks), "*") == 0) {
        all = true;
    } else if (json_is_array(toks) && json_array_size(toks) >= 1 &&
               json_array_size(toks) <= FH_APIKEY_MAX_TOKENS) {
        size_t i;
        json_t *v;

        json_array_foreach(toks, i, v)
        {
            if (!json_is_string(v)) {
                srv_error(req, resp, 400, "bad_json", "field 'tokens': expected token labels");
                return;
            }
            labels[n_labels++] = json_string_value(v);
        }
    } else {
        srv_error(req, resp, 400, "bad_json",
                  "field 'tokens': expected \"*\" or a list of 1..%d token labels",
                  FH_APIKEY_MAX_TOKENS);
        return;
    }
    /* no escalation: a scoped admin grants only what it has */
    if (all && !req->key->all_tokens) {
        srv_audit_event(req->srv, "deny", "apikey:*", FH_E_PERMISSION_DENIED);
        srv_error(req, resp, 403, "forbidden",
                  "only an API key for every token may create one for every token");
        return;
    }
    for (size_t i = 0; i < n_labels; i++) {
        struct fh_token_info t;

        /* a token outside the caller's scope reads as unknown (audited) */
        if (!req->key->all_tokens && !srv_token_find(req, resp, labels[i], &t)) {
            return;
        }
    }
    rv = fh_apikey_create(req->srv->ctx, name, role, all, labels, n_labels, key, &info);
    if (rv != FH_OK) {
        OPENSSL_cleanse(key, sizeof(key)); /* whatever a failed creation left there */
    }
    if (rv == FH_OK && !covers(req->key, &info)) {
        /* a label passed to another token between the check and the creation:
         * the new key must not reach beyond the caller's scope */
        OPENSSL_cleanse(key, sizeof(key));
        if (fh_apikey_revoke(req->srv->ctx, info.id) != FH_OK) {
            srv_error_rv(req, resp, FH_E_GENERAL, SRV_WHAT_NONE, NULL);
            return;
        }
        rv = FH_E_NOT_FOUND;
    }
    if (rv == FH_E_NOT_FOUND) {
        srv_error(req, resp, 404, "token_not_found", "a token of the scope does not exist");
        return;
    }
    if (rv == FH_E_ARGS) {
        srv_error(req, resp, 400, "bad_request",
                  "name: 1..%d printable bytes; tokens: no duplicates", FH_APIKEY_NAME_MAX);
        return;
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_APIKEY, name);
        return;
    }
    o = json_object();
    if (o == NULL || json_object_set_new(o, "apikey", fh_shape_apikey(&info)) != 0 ||
        json_object_set_new(o, "key", json_string(key)) != 0) {
        /* a 201 without "key" would hand out a key nobody can ever use */
        OPENSSL_cleanse(key, sizeof(key));
        json_decref(o);
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        return;
    }
    OPENSSL_cleanse(key, sizeof(key));
    snprintf(location, sizeof(location), "/v1/apikeys/%s", info.id);
    srv_json(resp, 201, o);
    resp->location = location;
}

static void
h_apikeys_revoke(struct srv_req *req, struct srv_resp *resp)
{
    const char *which = req->params[0];
    struct fh_apikey_info info;
    fh_rv rv;

    rv = fh_apikey_get(req->srv->ctx, which, &info);
    if (rv == FH_OK && !covers(req->key, &info)) {
        rv = FH_E_NOT_FOUND; /* outside a scoped admin's reach: as if absent */
    }
    if (rv == FH_OK) {
        rv = fh_apikey_revoke(req->srv->ctx, info.id);
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_APIKEY, which);
        return;
    }
    srv_no_content(resp);
}

struct audit_walk {
    const struct fh_apikey_info *key;
    const char *operation, *actor, *result;
    size_t limit;
    json_t *arr;
    int64_t next;
};

#define WALK_STOP FH_E_BUFFER_TOO_SMALL /* private sentinel: enough records */

static const char *
nz(const char *s)
{
    return s != NULL ? s : "";
}

/* Whether text names token label ("token:L" followed by '/', ')' or the end). */
static bool
names_token(const char *text, const char *label)
{
    size_t ll = strlen(label);

    for (const char *p = strstr(text, "token:"); p != NULL; p = strstr(p + 1, "token:")) {
        const char *q = p + 6;

        if (strncmp(q, label, ll) == 0 && (q[ll] == '\0' || q[ll] == '/' || q[ll] == ')')) {
            return true;
        }
    }
    return false;
}

static bool
visible(const struct fh_apikey_info *key, const struct fh_store_audit *r)
{
    if (key == NULL || key->all_tokens) {
        return true;
    }
    for (size_t i = 0; i < key->n_tokens; i++) {
        /* by the label its token has now; "" for a deleted token names nothing */
        if (key->tokens[i][0] != '\0' && (names_token(nz(r->object), key->tokens[i]) ||
                                          names_token(nz(r->actor), key->tokens[i]))) {
            return true;
        }
    }
    return false;
}

static fh_rv
walk_cb(void *arg, const struct fh_store_audit *r)
{
    struct audit_walk *w = arg;
    json_t *o;

    if ((w->operation != NULL && strcmp(nz(r->operation), w->operation) != 0) ||
        (w->actor != NULL && strcmp(nz(r->actor), w->actor) != 0) ||
        (w->result != NULL && strcmp(nz(r->result), w->result) != 0) || !visible(w->key, r)) {
        return FH_OK;
    }
    if (json_array_size(w->arr) >= w->limit) {
        w->next = r->seq;
        return WALK_STOP;
    }
    o = fh_shape_audit(r); /* REC: as `ferrohsm audit list --json` */
    return json_array_append_new(w->arr, o) == 0 ? FH_OK : FH_E_NOMEM;
}

static bool
query_int(struct srv_req *req, struct srv_resp *resp, const char *name, long long lo,
          long long hi, long long *out)
{
    const char *v = srv_query(req, name);
    char *end = NULL;
    long long x;

    if (v == NULL) {
        return true;
    }
    x = strtoll(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || x < lo || x > hi) {
        srv_error(req, resp, 400, "bad_request", "query '%s': expected an integer in %lld..%lld",
                  name, lo, hi);
        return false;
    }
    *out = x;
    return true;
}

static void
h_audit_list(struct srv_req *req, struct srv_resp *resp)
{
    struct audit_walk w;
    long long from = 1, limit = AUDIT_LIMIT_DEFAULT;
    json_t *o;
    fh_rv rv;

    if (!query_int(req, resp, "from", 1, INT64_MAX, &from) ||
        !query_int(req, resp, "limit", 1, AUDIT_LIMIT_MAX, &limit)) {
        return;
    }
    memset(&w, 0, sizeof(w));
    w.key = req->key;
    w.operation = srv_query(req, "operation");
    w.actor = srv_query(req, "actor");
    w.result = srv_query(req, "result");
    w.limit = (size_t)limit;
    w.arr = json_array();
    rv = fh_audit_list(req->srv->ctx, from, 0, walk_cb, &w);
    if (rv != FH_OK && rv != WALK_STOP) {
        json_decref(w.arr);
        srv_error_rv(req, resp, rv, SRV_WHAT_NONE, NULL);
        return;
    }
    o = json_object();
    json_object_set_new(o, "records", w.arr);
    json_object_set_new(o, "next", w.next > 0 ? json_integer(w.next) : json_null());
    srv_json(resp, 200, o);
}

static void
h_audit_verify(struct srv_req *req, struct srv_resp *resp)
{
    struct fh_audit_verify_result res;
    json_t *o;
    fh_rv rv;

    memset(&res, 0, sizeof(res));
    rv = fh_audit_verify(req->srv->ctx, &res);
    if (rv != FH_OK && rv != FH_E_AUDIT_BROKEN) {
        srv_error_rv(req, resp, rv, SRV_WHAT_NONE, NULL);
        return;
    }
    o = json_object();
    json_object_set_new(o, "verified", json_boolean(rv == FH_OK));
    json_object_set_new(o, "records", json_integer((json_int_t)res.records));
    json_object_set_new(o, "first_bad_seq",
                        rv == FH_OK ? json_null() : json_integer(res.first_bad_seq));
    json_object_set_new(o, "reason", json_string(res.reason != NULL ? res.reason : ""));
    srv_json(resp, 200, o);
}

const struct srv_route srv_routes_admin[] = {
    {"GET", "/v1/apikeys", SRV_R_ADMIN, h_apikeys_list, "List API keys"},
    {"POST", "/v1/apikeys", SRV_R_ADMIN, h_apikeys_create,
     "Create an API key (the key is shown once)"},
    {"DELETE", "/v1/apikeys/{apikey}", SRV_R_ADMIN, h_apikeys_revoke,
     "Revoke an API key by id or name"},
    {"GET", "/v1/audit", SRV_R_AUDITOR | SRV_R_ADMIN, h_audit_list,
     "List audit records, filtered and paged"},
    {"GET", "/v1/audit/verify", SRV_R_AUDITOR | SRV_R_ADMIN, h_audit_verify,
     "Verify the audit hash chain"},
    {NULL, NULL, 0, NULL, NULL},
};
