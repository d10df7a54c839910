/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_keys.c - the key routes of docs/api.md "Keys": list, generate,
 * import, show, update, delete.
 *
 * Each handler is a straight sequence: check the token (srv_token_check:
 * scope, existence, readiness; first, so that a token outside the key's
 * scope answers 404 like an unknown one whatever the body), read and check
 * the body (nothing is touched on a 400), open a token session through
 * srv_token_session, resolve the key, call libferrohsm, and answer. Keys made here are token objects with the CLI's templates
 * (keys.c). Creations hold their token's creation lock from "is the label free" to
 * the creation, so two requests cannot both create one label.
 *
 * The token's import transport key (transport.h) is on none of these
 * routes: listings skip it, names never resolve to it; GET .../import-key
 * hands out its public key and an import names it by its reference.
 *
 * Listing is paged by an opaque cursor: base64url of (class, CKA_ID, label,
 * handle) of the last key object returned, the list being sorted by CKA_ID,
 * then class (public, private, secret), then label. The order depends on
 * the objects only, so a cursor stays valid while keys are added or
 * removed: a page continues after the cursor's place in that order.
 */
#include "keys.h"

#include <stdlib.h>
#include <string.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/ferrohsm.h"

#include "params.h"
#include "pubkey.h"
#include "srv.h"
#include "transport.h"

#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX 1000
#define CURSOR_VERSION 1

#define ROLES_READ (SRV_R_ADMIN | SRV_R_OPERATOR | SRV_R_APP)
#define ROLES_LIFECYCLE (SRV_R_ADMIN | SRV_R_OPERATOR)

/* ---- list ---- */

struct entry {
    CK_OBJECT_HANDLE h;
    struct fh_key_desc d;
    uint8_t *id;
    size_t id_len;
    uint8_t *label;
    size_t label_len;
};

static void
entries_free(struct entry *e, size_t n)
{
    for (size_t i = 0; e != NULL && i < n; i++) {
        free(e[i].id);
        free(e[i].label);
    }
    free(e);
}

static int
bytes_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n > 0 ? memcmp(a, b, n) : 0;

    if (c != 0) {
        return c;
    }
    return al < bl ? -1 : (al > bl ? 1 : 0);
}

static int
entry_cmp(const struct entry *a, const struct entry *b)
{
    int c = bytes_cmp(a->id, a->id_len, b->id, b->id_len);

    if (c == 0 && a->d.cls != b->d.cls) {
        c = a->d.cls < b->d.cls ? -1 : 1;
    }
    if (c == 0) {
        c = bytes_cmp(a->label, a->label_len, b->label, b->label_len);
    }
    if (c == 0 && a->h != b->h) {
        c = a->h < b->h ? -1 : 1;
    }
    return c;
}

static int
entry_qsort_cmp(const void *a, const void *b)
{
    return entry_cmp(a, b);
}

static void
put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static size_t
get16(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The cursor of e: base64url (no padding) of version, class, id, label, handle. */
static json_t *
cursor_json(const struct entry *e)
{
    size_t n = 1 + 1 + 2 + e->id_len + 2 + e->label_len + 4, o = 0;
    uint8_t *b = malloc(n);
    char *s = malloc(n / 3 * 4 + 5);
    json_t *j = NULL;
    size_t i = 0;

    if (b == NULL || s == NULL || e->id_len > 0xffff || e->label_len > 0xffff) {
        goto out;
    }
    b[0] = CURSOR_VERSION;
    b[1] = (uint8_t)e->d.cls;
    put16(b + 2, e->id_len);
    memcpy(b + 4, e->id, e->id_len);
    put16(b + 4 + e->id_len, e->label_len);
    memcpy(b + 6 + e->id_len, e->label, e->label_len);
    for (int k = 0; k < 4; k++) {
        b[n - 4 + (size_t)k] = (uint8_t)(e->h >> (24 - 8 * k));
    }
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];

        s[o++] = b64url[w >> 18 & 63];
        s[o++] = b64url[w >> 12 & 63];
        s[o++] = b64url[w >> 6 & 63];
        s[o++] = b64url[w & 63];
    }
    if (n - i > 0) {
        uint32_t w = (uint32_t)b[i] << 16 | (n - i == 2 ? (uint32_t)b[i + 1] << 8 : 0);

        s[o++] = b64url[w >> 18 & 63];
        s[o++] = b64url[w >> 12 & 63];
        if (n - i == 2) {
            s[o++] = b64url[w >> 6 & 63];
        }
    }
    s[o] = '\0';
    j = json_string(s);
out:
    free(b);
    free(s);
    return j;
}

/* Parse a cursor into *e (id and label malloc'ed); false when malformed. */
static bool
cursor_parse(const char *s, struct entry *e)
{
    size_t sl = strlen(s), n = 0, idl, ll;
    uint8_t *b = malloc(sl / 4 * 3 + 3);
    uint32_t acc = 0;
    int bits = 0;
    bool ok = false;

    memset(e, 0, sizeof(*e));
    if (b == NULL || sl == 0 || sl % 4 == 1) {
        goto out;
    }
    for (size_t i = 0; i < sl; i++) {
        const char *p = strchr(b64url, s[i]);

        if (s[i] == '\0' || p == NULL) {
            goto out;
        }
        acc = acc << 6 | (uint32_t)(p - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b[n++] = (uint8_t)(acc >> bits);
        }
    }
    if (n < 10 || b[0] != CURSOR_VERSION) {
        goto out;
    }
    idl = get16(b + 2);
    if (idl > n - 10) {
        goto out;
    }
    ll = get16(b + 4 + idl);
    if (ll != n - 10 - idl) {
        goto out;
    }
    e->d.cls = b[1];
    e->id = malloc(idl + 1);
    e->label = malloc(ll + 1);
    if (e->id == NULL || e->label == NULL) {
        goto out;
    }
    memcpy(e->id, b + 4, idl);
    e->id_len = idl;
    memcpy(e->label, b + 6 + idl, ll);
    e->label_len = ll;
    e->h = (CK_OBJECT_HANDLE)b[n - 4] << 24 | (CK_OBJECT_HANDLE)b[n - 3] << 16 |
           (CK_OBJECT_HANDLE)b[n - 2] << 8 | b[n - 1];
    ok = true;
out:
    if (!ok) {
        free(e->id);
        free(e->label);
        memset(e, 0, sizeof(*e));
    }
    free(b);
    return ok;
}

static bool
parse_limit(const char *s, size_t *out)
{
    size_t v = 0;

    if (s[0] == '\0' || strlen(s) > 4) {
        return false;
    }
    for (const char *c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        v = v * 10 + (size_t)(*c - '0');
    }
    if (v < 1 || v > LIST_LIMIT_MAX) {
        return false;
    }
    *out = v;
    return true;
}

static bool
parse_class(const char *s, CK_OBJECT_CLASS *out)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PUBLIC_KEY, CKO_PRIVATE_KEY, CKO_SECRET_KEY};

    for (size_t i = 0; i < 3; i++) {
        if (strcmp(fh_class_short_name(classes[i]), s) == 0) {
            *out = classes[i];
            return true;
        }
    }
    return false;
}

static bool
known_type_name(const char *s)
{
    static const char *const names[] = {"rsa", "ec", "ec-edwards", "aes", "generic-secret"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* Every key object matching the filters, described, sorted. */
static fh_rv
collect(fh_session *s, const char *label, bool has_cls, CK_OBJECT_CLASS cls, const char *type,
        struct entry **out, size_t *count)
{
    CK_ATTRIBUTE t[2];
    CK_ULONG nt = 0;
    CK_OBJECT_HANDLE *h = NULL;
    struct entry *e = NULL;
    size_t nh = 0, m = 0;
    fh_rv rv;

    if (label != NULL) {
        t[nt++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, strlen(label)};
    }
    if (has_cls) {
        t[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
    }
    rv = fh_object_find(s, t, nt, &h, &nh);
    if (rv != FH_OK) {
        goto out;
    }
    e = calloc(nh > 0 ? nh : 1, sizeof(*e));
    if (e == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        struct entry *x = &e[m];

        rv = fh_key_describe(s, h[i], &x->d);
        if (rv != FH_OK) {
            goto out;
        }
        if (fh_class_short_name(x->d.cls) == NULL ||
            (type != NULL && strcmp(type, x->d.type_name) != 0) || srv_transport_is(s, h[i])) {
            continue;
        }
        x->h = h[i];
        m++;
        rv = fh_attr_read(s, h[i], CKA_ID, &x->id, &x->id_len);
        if (rv == FH_E_ATTR_TYPE_INVALID) {
            rv = FH_OK;
        }
        if (rv == FH_OK) {
            rv = fh_attr_read(s, h[i], CKA_LABEL, &x->label, &x->label_len);
            rv = rv == FH_E_ATTR_TYPE_INVALID ? FH_OK : rv;
        }
        if (rv != FH_OK) {
            goto out;
        }
    }
    qsort(e, m, sizeof(*e), entry_qsort_cmp);
    *out = e;
    *count = m;
    e = NULL;
out:
    entries_free(e, m);
    free(h);
    return rv;
}

static void
h_list(struct srv_req *req, struct srv_resp *resp)
{
    const char *token = req->params[0];
    const char *q_class = srv_query(req, "class"), *q_type = srv_query(req, "type");
    const char *q_label = srv_query(req, "label"), *q_limit = srv_query(req, "limit");
    const char *q_after = srv_query(req, "after");
    CK_OBJECT_CLASS cls = 0;
    size_t limit = LIST_LIMIT_DEFAULT, n = 0, start = 0, i;
    struct entry after, *e = NULL;
    bool has_after = false;
    fh_session *s = NULL;
    json_t *keys = NULL, *root = NULL, *next = NULL;
    fh_rv rv;

    memset(&after, 0, sizeof(after));
    if (q_class != NULL && !parse_class(q_class, &cls)) {
        srv_error(req, resp, 400, "bad_request",
                  "query 'class': expected public, private or secret, not '%s'", q_class);
        return;
    }
    if (q_type != NULL && !known_type_name(q_type)) {
        srv_error(req, resp, 400, "bad_request",
                  "query 'type': expected rsa, ec, ec-edwards, aes or generic-secret, not '%s'",
                  q_type);
        return;
    }
    if (q_limit != NULL && !parse_limit(q_limit, &limit)) {
        srv_error(req, resp, 400, "bad_request", "query 'limit': expected an integer in 1..%d",
                  LIST_LIMIT_MAX);
        return;
    }
    if (q_after != NULL) {
        if (!cursor_parse(q_after, &after)) {
            srv_error(req, resp, 400, "bad_request",
                      "query 'after': not a cursor this server returned");
            return;
        }
        has_after = true;
    }
    if (!srv_token_session(req, resp, token, false, &s)) {
        goto out;
    }
    rv = collect(s, q_label, q_class != NULL, cls, q_type, &e, &n);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, token);
        goto out;
    }
    while (has_after && start < n && entry_cmp(&e[start], &after) <= 0) {
        start++;
    }
    keys = json_array();
    root = json_object();
    if (keys == NULL || root == NULL) {
        rv = FH_E_NOMEM;
    }
    for (i = start; rv == FH_OK && i < n && i - start < limit; i++) {
        json_t *o = NULL;

        rv = srv_keyobj_json(s, e[i].h, &e[i].d, &o);
        if (rv == FH_OK && json_array_append_new(keys, o) != 0) {
            rv = FH_E_NOMEM;
        }
    }
    if (rv == FH_OK) {
        next = i < n && i > start ? cursor_json(&e[i - 1]) : json_null();
        if (next == NULL || json_object_set_new(root, "keys", keys) != 0) {
            rv = FH_E_NOMEM;
        }
        keys = NULL;
        if (rv == FH_OK && json_object_set_new(root, "next", next) != 0) {
            rv = FH_E_NOMEM;
        }
        next = NULL;
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, NULL);
        goto out;
    }
    srv_json(resp, 200, root);
    root = NULL;
out:
    json_decref(next);
    json_decref(keys);
    json_decref(root);
    entries_free(e, n);
    free(after.id);
    free(after.label);
    fh_session_close(s);
}

/* ---- generate ---- */

static void
h_generate(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"type",        "label", "id", "bits",
                                         "extractable", "usage", NULL};
    const char *token = req->params[0];
    const struct fh_keytype_desc *kt = NULL;
    struct fh_newkey nk = {NULL, NULL, 0, 0, false};
    uint8_t *id = NULL;
    size_t id_len = 0;
    int64_t bits = 0;
    CK_ULONG value_len = 0;
    fh_session *s = NULL;
    bool locked = false;
    fh_rv rv;

    /* the token first: out of scope answers as unknown, whatever the body */
    if (!srv_token_check(req, resp, token)) {
        goto out;
    }
    if (!srv_body_only(req, resp, fields) || !srv_key_body_type(req, resp, "type", &kt) ||
        !srv_key_body_label(req, resp, "label", true, &nk.label) ||
        !srv_key_body_id(req, resp, &id, &id_len) ||
        !srv_body_int(req, resp, "bits", false, 8, 4096, &bits) ||
        !srv_body_bool(req, resp, "extractable", false, &nk.extractable)) {
        goto out;
    }
    if (kt->key_type == CKK_GENERIC_SECRET) {
        if (bits == 0 || bits % 8 != 0) {
            srv_error(req, resp, 400, "bad_request",
                      "field 'bits': generic-secret needs a multiple of 8 in 8..4096");
            goto out;
        }
        value_len = (CK_ULONG)(bits / 8);
    } else if (bits != 0) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'bits' applies to generic-secret only (%s has a fixed size)", kt->name);
        goto out;
    }
    nk.usage = kt->default_usage;
    if (!srv_key_body_usage(req, resp, FH_USAGE_ALL, &nk.usage)) {
        goto out;
    }
    if (!srv_token_session(req, resp, token, true, &s)) {
        goto out;
    }
    if (!srv_key_claim(req, resp, s, &nk, &id, &id_len, &locked)) {
        goto out;
    }
    rv = fh_newkey_generate(s, kt, value_len, &nk, NULL, NULL);
    srv_metric_op(req->srv, "generate", fh_mech_name(kt->mech), rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, nk.label);
        goto out;
    }
    srv_keys_create_unlock(req->params[0]);
    locked = false;
    srv_key_respond_created(req, resp, s, nk.label, id, id_len);
out:
    if (locked) {
        srv_keys_create_unlock(req->params[0]);
    }
    free(id);
    fh_session_close(s);
}

/* ---- import ---- */

/* The half of the unwrapping key a mechanism uses. */
static CK_OBJECT_HANDLE
unwrapping_half(const struct srv_key *k, CK_MECHANISM_TYPE m)
{
    static const CK_OBJECT_CLASS rsa[] = {CKO_PRIVATE_KEY, CKO_SECRET_KEY};
    static const CK_OBJECT_CLASS other[] = {CKO_SECRET_KEY, CKO_PRIVATE_KEY};

    return srv_key_pick(k, m == CKM_RSA_PKCS_OAEP || m == CKM_RSA_AES_KEY_WRAP ? rsa : other, 2);
}

/*
 * The key type of an unwrap: a generation type ("aes-256", "ec-p384"), or a
 * family ("aes", "rsa", "ec", "ec-edwards") that takes any size or curve of
 * it: a client that knows the key only from a template (PKCS#11
 * C_UnwrapKey, where CKA_EC_PARAMS and CKA_MODULUS may not be given) cannot
 * name more. A family takes the default usage of its first generation type.
 */
static bool
unwrap_type(struct srv_req *req, struct srv_resp *resp, struct fh_keytype_desc *family,
            const struct fh_keytype_desc **out)
{
    static const struct {
        const char *family, *like;
    } families[] = {
        {"aes", "aes-128"}, {"rsa", "rsa-2048"}, {"ec", "ec-p256"}, {"ec-edwards", "ed25519"}};
    json_t *v = req->body != NULL ? json_object_get(req->body, "type") : NULL;
    const char *name = json_string_value(v);

    for (size_t i = 0; name != NULL && i < sizeof(families) / sizeof(families[0]); i++) {
        const struct fh_keytype_desc *like = fh_keytype_find(families[i].like);

        if (like != NULL && strcmp(name, families[i].family) == 0) {
            *family = *like;
            family->name = families[i].family;
            family->bits = 0;
            family->curve = NULL;
            *out = family;
            return true;
        }
    }
    return srv_key_body_type(req, resp, "type", out);
}

void
srv_keys_unwrap_into(struct srv_req *req, struct srv_resp *resp, fh_session *s,
                     const struct srv_key *unwrapping)
{
    const struct fh_keytype_desc *kt = NULL;
    struct fh_keytype_desc family;
    struct fh_newkey nk = {NULL, NULL, 0, 0, false};
    struct srv_mparams p;
    CK_MECHANISM_TYPE mt = 0;
    const char *mname = NULL;
    uint8_t *id = NULL, *wrapped = NULL;
    size_t id_len = 0, wrapped_len = 0;
    CK_OBJECT_HANDLE hu;
    bool locked = false;
    fh_rv rv;

    memset(&p, 0, sizeof(p));
    if (!unwrap_type(req, resp, &family, &kt) ||
        !srv_key_body_label(req, resp, "label", true, &nk.label) ||
        !srv_key_body_id(req, resp, &id, &id_len) ||
        !srv_body_bool(req, resp, "extractable", false, &nk.extractable) ||
        !srv_body_b64(req, resp, "wrapped", true, SRV_KEY_MAX_INPUT, &wrapped, &wrapped_len) ||
        !srv_mech_from_body(req, resp, &mt, &mname)) {
        goto out;
    }
    if (mt != CKM_AES_KEY_WRAP && mt != CKM_AES_KEY_WRAP_PAD && mt != CKM_AES_KEY_WRAP_KWP &&
        mt != CKM_RSA_PKCS_OAEP && mt != CKM_RSA_AES_KEY_WRAP) {
        srv_error_rv(req, resp, FH_E_MECH_INVALID, SRV_WHAT_MECHANISM, mname);
        goto out;
    }
    if (!srv_mparams_build(req, resp, mt, &p)) {
        goto out;
    }
    nk.usage = kt->default_usage;
    if (!srv_key_body_usage(req, resp, FH_USAGE_ALL, &nk.usage)) {
        goto out;
    }
    hu = unwrapping_half(unwrapping, mt);
    if (hu == CK_INVALID_HANDLE) {
        srv_error_rv(req, resp, FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT, SRV_WHAT_KEY,
                     "the unwrapping key has no private or secret half");
        goto out;
    }
    if (!srv_key_claim(req, resp, s, &nk, &id, &id_len, &locked)) {
        goto out;
    }
    rv = srv_key_unwrap(s, &p.m.mech, hu, wrapped, wrapped_len, kt, &nk);
    srv_metric_op(req->srv, "unwrap", mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, rv == FH_E_EXISTS ? nk.label : NULL);
        goto out;
    }
    srv_keys_create_unlock(req->params[0]);
    locked = false;
    srv_key_respond_created(req, resp, s, nk.label, id, id_len);
out:
    if (locked) {
        srv_keys_create_unlock(req->params[0]);
    }
    srv_mparams_clear(&p);
    free(wrapped);
    free(id);
}

static void
import_public(struct srv_req *req, struct srv_resp *resp, const char *token)
{
    static const char *const not_with_pem[] = {
        "type", "wrapped", "wrapping_key", "mechanism", "hash", "extractable", NULL};
    const char *pem = NULL;
    struct fh_newkey nk = {NULL, NULL, 0, 0, false};
    uint8_t *id = NULL, *spki = NULL;
    size_t id_len = 0, spki_len = 0;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    fh_session *s = NULL;
    bool locked = false;
    fh_rv rv;

    for (size_t i = 0; not_with_pem[i] != NULL; i++) {
        if (json_object_get(req->body, not_with_pem[i]) != NULL) {
            srv_error(req, resp, 400, "bad_request",
                      "field '%s' cannot be combined with 'public_key_pem'", not_with_pem[i]);
            return;
        }
    }
    if (!srv_body_str(req, resp, "public_key_pem", true, &pem) ||
        !srv_key_body_label(req, resp, "label", true, &nk.label) ||
        !srv_key_body_id(req, resp, &id, &id_len)) {
        goto out;
    }
    rv = srv_pem_to_spki(pem, &spki, &spki_len);
    if (rv == FH_E_NOMEM) {
        srv_error_rv(req, resp, rv, SRV_WHAT_NONE, NULL);
        goto out;
    }
    if (rv != FH_OK) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'public_key_pem': expected a PEM public key (BEGIN PUBLIC KEY)");
        goto out;
    }
    /* default: the public usages of the key family (what generate gives the public half) */
    nk.usage = FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_WRAP;
    if (!srv_key_body_usage(req, resp, FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_WRAP,
                            &nk.usage)) {
        goto out;
    }
    if (!srv_token_session(req, resp, token, true, &s)) {
        goto out;
    }
    if (!srv_key_claim(req, resp, s, &nk, &id, &id_len, &locked)) {
        goto out;
    }
    rv = srv_key_create_public(s, spki, spki_len, &nk, &h);
    srv_metric_op(req->srv, "import", "none", rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, NULL);
        goto out;
    }
    srv_keys_create_unlock(req->params[0]);
    locked = false;
    srv_key_respond_created(req, resp, s, nk.label, id, id_len);
out:
    if (locked) {
        srv_keys_create_unlock(req->params[0]);
    }
    free(spki);
    free(id);
    fh_session_close(s);
}

static void
h_import(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {
        "label",        "public_key_pem", "id",   "usage",       "type", "wrapped",
        "wrapping_key", "mechanism",      "hash", "extractable", NULL,
    };
    const char *token = req->params[0], *wk = NULL;
    fh_session *s = NULL;
    struct srv_key k;

    memset(&k, 0, sizeof(k));
    /* the token first: out of scope answers as unknown, whatever the body */
    if (!srv_token_check(req, resp, token)) {
        return;
    }
    if (!srv_body_only(req, resp, fields)) {
        return;
    }
    if (req->body != NULL && json_object_get(req->body, "public_key_pem") != NULL) {
        import_public(req, resp, token);
        return;
    }
    if (!srv_body_str(req, resp, "wrapping_key", true, &wk)) {
        return;
    }
    if (!srv_token_session(req, resp, token, true, &s)) {
        return;
    }
    /* "import:HEX": the token's transport key (transport.h), named by no key route */
    if (!srv_transport_import(req, resp, s, wk) && srv_key_resolve(req, resp, s, wk, &k)) {
        srv_keys_unwrap_into(req, resp, s, &k);
    }
    srv_key_clear(&k);
    fh_session_close(s);
}

/* ---- show, update, delete ---- */

static void
respond_key(struct srv_req *req, struct srv_resp *resp, fh_session *s, const struct srv_key *k,
            int status)
{
    json_t *key = NULL, *root;
    fh_rv rv = srv_key_json(s, k, true, &key);

    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, NULL);
        return;
    }
    root = json_object();
    if (root == NULL || json_object_set_new(root, "key", key) != 0) {
        json_decref(root);
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        return;
    }
    srv_json(resp, status, root);
}

static void
h_show(struct srv_req *req, struct srv_resp *resp)
{
    fh_session *s = NULL;
    struct srv_key k;

    memset(&k, 0, sizeof(k));
    if (!srv_token_session(req, resp, req->params[0], false, &s)) {
        return;
    }
    if (srv_key_resolve(req, resp, s, req->params[1], &k)) {
        respond_key(req, resp, s, &k, 200);
    }
    srv_key_clear(&k);
    fh_session_close(s);
}

/* The usage bits REST writes on a half of class cls (as generate does). */
static unsigned
writable_usage(CK_OBJECT_CLASS cls)
{
    switch (cls) {
    case CKO_PUBLIC_KEY: return FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_WRAP;
    case CKO_PRIVATE_KEY:
        return FH_USAGE_SIGN | FH_USAGE_DECRYPT | FH_USAGE_UNWRAP | FH_USAGE_DERIVE;
    case CKO_SECRET_KEY: return FH_USAGE_ALL;
    default: return 0;
    }
}

static void
h_update(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"label", "usage", NULL};
    static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    const char *label = NULL;
    unsigned usage = 0;
    bool has_usage;
    fh_session *s = NULL;
    struct srv_key k;
    struct fh_key_desc d[3];
    bool locked = false;
    fh_rv rv = FH_OK;

    memset(&k, 0, sizeof(k));
    /* the token first: out of scope answers as unknown, whatever the body */
    if (!srv_token_check(req, resp, req->params[0])) {
        return;
    }
    if (!srv_body_only(req, resp, fields) ||
        !srv_key_body_label(req, resp, "label", false, &label) ||
        !srv_key_body_usage(req, resp, FH_USAGE_ALL, &usage)) {
        return;
    }
    has_usage = usage != 0;
    if (!srv_token_session(req, resp, req->params[0], true, &s)) {
        return;
    }
    if (!srv_key_resolve(req, resp, s, req->params[1], &k)) {
        goto out;
    }
    /*
     * Check everything before changing anything. Usage may only be narrowed
     * on private and secret halves: a client that can rename keys must not
     * be able to grant a secret key a use it was not made for.
     */
    for (size_t i = 0; i < k.n && rv == FH_OK; i++) {
        rv = fh_key_describe(s, k.obj[i], &d[i]);
        if (rv == FH_OK && has_usage && d[i].cls != CKO_PUBLIC_KEY) {
            unsigned added = usage & writable_usage(d[i].cls) & ~d[i].usage;

            if (added != 0) {
                char why[96];
                unsigned bit = added & (~added + 1);

                snprintf(why, sizeof(why), "usage '%s' can be removed from a %s key, not added",
                         fh_usage_word(bit), fh_class_short_name(d[i].cls));
                srv_error_rv(req, resp, FH_E_ATTR_READ_ONLY, SRV_WHAT_KEY, why);
                goto out;
            }
        }
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, NULL);
        goto out;
    }
    if (label != NULL) {
        srv_keys_create_lock(req->params[0]);
        locked = true;
        rv = srv_key_check_free(s, label, NULL, 0, &k);
        if (rv != FH_OK) {
            srv_error_rv(req, resp, rv, SRV_WHAT_KEY, label);
            goto out;
        }
    }
    for (size_t i = 0; i < k.n && rv == FH_OK; i++) {
        CK_ATTRIBUTE t[1 + FH_USAGE_COUNT];
        CK_ULONG nt = 0;
        unsigned w = has_usage ? writable_usage(d[i].cls) : 0;

        if (label != NULL) {
            t[nt++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, strlen(label)};
        }
        for (unsigned bit = 1; bit <= FH_USAGE_DERIVE; bit <<= 1) {
            if ((w & bit) != 0) {
                t[nt++] = (CK_ATTRIBUTE){fh_usage_attr(bit), (void *)((usage & bit) ? &yes : &no),
                                         sizeof(CK_BBOOL)};
            }
        }
        if (nt > 0) {
            rv = fh_object_set_attributes(s, k.obj[i], t, nt);
        }
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    respond_key(req, resp, s, &k, 200);
out:
    if (locked) {
        srv_keys_create_unlock(req->params[0]);
    }
    srv_key_clear(&k);
    fh_session_close(s);
}

static void
h_delete(struct srv_req *req, struct srv_resp *resp)
{
    fh_session *s = NULL;
    struct srv_key k;
    fh_rv rv;

    memset(&k, 0, sizeof(k));
    if (!srv_token_session(req, resp, req->params[0], true, &s)) {
        return;
    }
    if (srv_key_resolve(req, resp, s, req->params[1], &k)) {
        rv = srv_key_destroy(s, &k);
        if (rv != FH_OK) {
            srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        } else {
            srv_no_content(resp);
        }
    }
    srv_key_clear(&k);
    fh_session_close(s);
}

const struct srv_route srv_routes_keys[] = {
    {"GET", "/v1/tokens/{token}/keys", ROLES_READ, h_list,
     "List the key objects of a token (filters class, type, label; paged by limit and after)"},
    {"POST", "/v1/tokens/{token}/keys", ROLES_LIFECYCLE, h_generate,
     "Generate a key pair or a secret key"},
    {"POST", "/v1/tokens/{token}/keys/import", ROLES_LIFECYCLE, h_import,
     "Import a public key (PEM) or a wrapped secret or private key"},
    {"GET", "/v1/tokens/{token}/import-key", ROLES_LIFECYCLE, srv_transport_h_get,
     "The token's import transport key (made on first use): public key, reference, mechanisms"},
    {"GET", "/v1/tokens/{token}/keys/{key}", ROLES_READ, h_show,
     "Show every object of a key, its public key as PEM and JWK"},
    {"PATCH", "/v1/tokens/{token}/keys/{key}", ROLES_LIFECYCLE, h_update,
     "Rename a key or narrow its usage"},
    {"DELETE", "/v1/tokens/{token}/keys/{key}", ROLES_LIFECYCLE, h_delete,
     "Delete every object of a key"},
    {NULL, NULL, 0, NULL, NULL},
};
