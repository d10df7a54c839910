/* SPDX-License-Identifier: Apache-2.0 */
/*
 * object.c - objects: creation, persistence, handles, attribute access,
 * search and destruction.
 *
 * A token object lives in the store as its public attributes (TLV) plus, when
 * it carries a secret value, that value sealed with AES-256-GCM under the
 * token master key, with "FHOBJ1" || token id || object id || attribute type
 * as associated data: a sealed blob copied onto another object, another
 * token or another attribute fails to open (FH_E_INTEGRITY).
 *
 * Handles (STYLE rule 19) are counters per opened token: handles[h - 1]
 * holds the store id of a token object or the in-memory session object.
 * Handles are never reused while the token is open. tok->lock guards the
 * table; store calls take ctx->lock inside it (order token -> ctx).
 */
#include "core-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define OBJ_AAD_LEN 62

void
fhi_obj_free(struct fhi_obj *o)
{
    if (o == NULL) {
        return;
    }
    fh_attrs_clear(&o->attrs);
    fh_secret_free(o->value);
    free(o->sealed);
    free(o);
}

static fh_rv
obj_clone(const struct fhi_obj *src, struct fhi_obj **out)
{
    struct fhi_obj *o = calloc(1, sizeof(*o));
    fh_rv rv;

    if (o == NULL) {
        return FH_E_NOMEM;
    }
    o->cls = src->cls;
    o->kt = src->kt;
    o->has_secret = src->has_secret;
    rv = fh_attrs_copy(&o->attrs, &src->attrs);
    if (rv == FH_OK && src->value != NULL) {
        rv = fh_secret_from(fh_secret_cdata(src->value), fh_secret_len(src->value), &o->value);
    }
    if (rv != FH_OK) {
        fhi_obj_free(o);
        return rv;
    }
    *out = o;
    return FH_OK;
}

/*
 * Attributes that decide what a key may do. Their values are hashed into the
 * AAD of the sealed secret, so editing one in the store (say CKA_EXTRACTABLE
 * to true) makes the key fail to open instead of changing its policy. Labels,
 * ids, dates and subjects stay free to change without the TMK.
 */
static const CK_ATTRIBUTE_TYPE bound_attrs[] = {
    CKA_CLASS, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_COPYABLE,
    CKA_DESTROYABLE, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ALWAYS_SENSITIVE,
    CKA_NEVER_EXTRACTABLE, CKA_LOCAL, CKA_KEY_GEN_MECHANISM, CKA_ENCRYPT, CKA_DECRYPT,
    CKA_SIGN, CKA_SIGN_RECOVER, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_WRAP, CKA_UNWRAP,
    CKA_DERIVE, CKA_WRAP_WITH_TRUSTED, CKA_TRUSTED, CKA_ALWAYS_AUTHENTICATE,
    CKA_ALLOWED_MECHANISMS, CKA_VALUE_LEN, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_EC_PARAMS,
    CKA_PUBLIC_KEY_INFO,
};

bool
fhi_attr_is_bound(CK_ATTRIBUTE_TYPE type)
{
    for (size_t i = 0; i < sizeof(bound_attrs) / sizeof(bound_attrs[0]); i++) {
        if (bound_attrs[i] == type) {
            return true;
        }
    }
    return false;
}

/* "FHOBJ1" || token id || object id || attribute type || SHA-256(bound attrs) */
static fh_rv
obj_aad(int64_t token_id, int64_t obj_id, CK_ATTRIBUTE_TYPE type, const struct fh_attrs *attrs,
        uint8_t aad[OBJ_AAD_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 0;
    fh_rv rv = FH_E_CRYPTO;

    memcpy(aad, "FHOBJ1", 6);
    fhi_put_be(aad + 6, (uint64_t)token_id, 8);
    fhi_put_be(aad + 14, (uint64_t)obj_id, 8);
    fhi_put_be(aad + 22, type, 8);
    if (md == NULL) {
        return FH_E_NOMEM;
    }
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
        for (size_t i = 0; i < sizeof(bound_attrs) / sizeof(bound_attrs[0]); i++) {
            const struct fh_attr *a = fh_attrs_get(attrs, bound_attrs[i]);
            uint8_t hdr[13];

            /* presence byte, type, length: absent and empty differ */
            hdr[0] = a != NULL;
            fhi_put_be(hdr + 1, bound_attrs[i], 8);
            fhi_put_be(hdr + 9, a != NULL ? a->len : 0, 4);
            EVP_DigestUpdate(md, hdr, sizeof(hdr));
            if (a != NULL && a->len > 0) {
                EVP_DigestUpdate(md, a->value, a->len);
            }
        }
        if (EVP_DigestFinal_ex(md, aad + 30, &len) == 1 && len == 32) {
            rv = FH_OK;
        }
    }
    EVP_MD_CTX_free(md);
    return rv;
}

void
fhi_obj_bkey(const struct fhi_obj *o, struct fh_bkey *bk)
{
    const struct fh_attr *spki = fh_attrs_get(&o->attrs, CKA_PUBLIC_KEY_INFO);

    memset(bk, 0, sizeof(*bk));
    bk->cls = o->cls;
    bk->type = o->kt;
    bk->material = o->value;
    bk->spki = spki != NULL ? spki->value : NULL;
    bk->spki_len = spki != NULL ? spki->len : 0;
}

void
fhi_obj_name(const fh_token *tok, const struct fhi_obj *o, char *buf, size_t len)
{
    const struct fh_attr *label = fh_attrs_get(&o->attrs, CKA_LABEL);
    const char *kind = o->cls == CKO_DATA ? "data" : o->cls == CKO_CERTIFICATE ? "cert" : "key";
    const char *parts[] = {"token:", tok->label, "/", kind, ":"};
    size_t n = 0;

    /* "token:<label>/<kind>:<object label, printable ASCII, at most 64>",
     * cut to len: built by hand, as every operation names its key */
    if (len == 0) {
        return;
    }
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
        for (const char *c = parts[p]; *c != '\0' && n < len - 1; c++) {
            buf[n++] = *c;
        }
    }
    for (size_t i = 0; label != NULL && i < label->len && i < 64 && n < len - 1; i++) {
        unsigned char c = label->value[i];

        buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    buf[n] = '\0';
}

/* ---- handle table (tok->lock held) ---- */

/*
 * Handles are never reused while the token is open, so the table only grows:
 * every session object ever made (a C_GenerateKeyPair loop makes two per
 * call) leaves an entry. What must visit the session objects (a find, a
 * session's close) walks the list of the live ones instead of the table, so
 * its cost follows the objects that exist, not the handles given out so far.
 * The list is in handle order (a new handle is the largest), which is the
 * order a find returns them in.
 */
static void
sobj_link_locked(fh_token *tok, uint32_t h)
{
    struct fhi_handle *ent = &tok->handles[h - 1];

    ent->sprev = tok->sobj_last;
    ent->snext = 0;
    if (tok->sobj_last != 0) {
        tok->handles[tok->sobj_last - 1].snext = h;
    } else {
        tok->sobj_first = h;
    }
    tok->sobj_last = h;
    tok->n_sobj++;
}

static void
sobj_unlink_locked(fh_token *tok, struct fhi_handle *ent)
{
    if (ent->sprev != 0) {
        tok->handles[ent->sprev - 1].snext = ent->snext;
    } else {
        tok->sobj_first = ent->snext;
    }
    if (ent->snext != 0) {
        tok->handles[ent->snext - 1].sprev = ent->sprev;
    } else {
        tok->sobj_last = ent->sprev;
    }
    ent->sprev = 0;
    ent->snext = 0;
    tok->n_sobj--;
}

static fh_rv
handle_new_locked(fh_token *tok, int64_t store_id, struct fhi_obj *sobj, fh_session *owner,
                  bool priv, CK_OBJECT_HANDLE *out)
{
    struct fhi_handle *ent;
    fh_rv rv;

    if (tok->n_handles >= UINT32_MAX - 1) {
        return FH_E_NOMEM;
    }
    if (tok->n_handles == tok->cap_handles) {
        size_t cap = tok->cap_handles ? tok->cap_handles * 2 : 64;
        struct fhi_handle *v = realloc(tok->handles, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        tok->handles = v;
        tok->cap_handles = cap;
    }
    if (store_id > 0) {
        rv = fhi_i64map_put(&tok->by_store_id, store_id, (uint32_t)(tok->n_handles + 1));
        if (rv != FH_OK) {
            return rv;
        }
    }
    ent = &tok->handles[tok->n_handles++];
    ent->store_id = store_id;
    ent->sobj = sobj;
    ent->owner = owner;
    ent->priv = priv;
    ent->skent = NULL;
    ent->sprev = 0;
    ent->snext = 0;
    if (sobj != NULL) {
        sobj_link_locked(tok, (uint32_t)tok->n_handles);
    }
    fhi_token_touch_locked(tok); /* a new object, or one newly seen by this process */
    *out = tok->n_handles;
    return FH_OK;
}

static fh_rv
handle_for_store_locked(fh_token *tok, int64_t store_id, bool priv, CK_OBJECT_HANDLE *out)
{
    uint32_t h = fhi_i64map_get(&tok->by_store_id, store_id);

    if (h != 0) {
        tok->handles[h - 1].priv = tok->handles[h - 1].priv || priv;
        *out = h;
        return FH_OK;
    }
    return handle_new_locked(tok, store_id, NULL, NULL, priv, out);
}

static struct fhi_handle *
handle_get_locked(fh_token *tok, CK_OBJECT_HANDLE h)
{
    struct fhi_handle *ent;

    if (h == CK_INVALID_HANDLE || h > tok->n_handles) {
        return NULL;
    }
    ent = &tok->handles[h - 1];
    return (ent->store_id > 0 || ent->sobj != NULL) ? ent : NULL;
}

static void
handle_clear_locked(fh_token *tok, struct fhi_handle *ent)
{
    fhi_kcache_drop_handle_locked(tok, ent);
    if (ent->store_id > 0) {
        fhi_i64map_del(&tok->by_store_id, ent->store_id);
    }
    if (ent->sobj != NULL) {
        sobj_unlink_locked(tok, ent);
    }
    fhi_obj_free(ent->sobj);
    memset(ent, 0, sizeof(*ent));
    fhi_token_touch_locked(tok);
}

/*
 * PKCS#11 v3.0 §5.6 C_Logout: handles to private objects become invalid (also
 * after a later login) and private session objects are destroyed.
 */
void
fhi_token_drop_private_locked(fh_token *tok)
{
    for (size_t i = 0; i < tok->n_handles; i++) {
        if (tok->handles[i].priv) {
            handle_clear_locked(tok, &tok->handles[i]);
        }
    }
}

void
fhi_session_drop_objects_locked(fh_token *tok, fh_session *s)
{
    uint32_t h = tok->sobj_first;

    while (h != 0) {
        struct fhi_handle *ent = &tok->handles[h - 1];

        h = ent->snext; /* before the clear unlinks it */
        if (ent->owner == s) {
            handle_clear_locked(tok, ent);
        }
    }
}

/* ---- store rows ---- */

static fh_rv
row_to_obj(const struct fh_store_object *row, struct fhi_obj **out)
{
    struct fhi_obj *o = calloc(1, sizeof(*o));
    fh_rv rv;

    if (o == NULL) {
        return FH_E_NOMEM;
    }
    rv = fh_attrs_decode(row->attrs, row->attrs_len, &o->attrs);
    if (rv != FH_OK) {
        goto out;
    }
    o->cls = fh_attrs_ulong(&o->attrs, CKA_CLASS, CK_UNAVAILABLE_INFORMATION);
    o->kt = fh_attrs_ulong(&o->attrs, CKA_KEY_TYPE, CK_UNAVAILABLE_INFORMATION);
    /* the indexed columns must agree with the attributes they index */
    if (o->cls != row->cls || o->kt != row->key_type) {
        rv = FH_E_STORE_CORRUPT;
        goto out;
    }
    o->has_secret = row->secret_len > 0;
    if (o->has_secret) {
        o->sealed = malloc(row->secret_len);
        if (o->sealed == NULL) {
            rv = FH_E_NOMEM;
            goto out;
        }
        memcpy(o->sealed, row->secret, row->secret_len);
        o->sealed_len = row->secret_len;
    }
    *out = o;
    o = NULL;
out:
    fhi_obj_free(o);
    return rv;
}

static fh_rv
obj_unseal_locked(fh_token *tok, int64_t store_id, struct fhi_obj *o)
{
    struct fh_attrs sealed = FH_ATTRS_INIT;
    const struct fh_attr *v;
    uint8_t aad[OBJ_AAD_LEN];
    fh_rv rv;

    if (tok->tmk == NULL) {
        return FH_E_NOT_LOGGED_IN;
    }
    rv = fh_attrs_decode(o->sealed, o->sealed_len, &sealed);
    if (rv != FH_OK) {
        return FH_E_INTEGRITY;
    }
    v = fh_attrs_get(&sealed, CKA_VALUE);
    if (v == NULL) {
        rv = FH_E_INTEGRITY;
    } else {
        rv = obj_aad(tok->id, store_id, CKA_VALUE, &o->attrs, aad);
        if (rv == FH_OK) {
            rv = fhi_open(fh_secret_cdata(tok->tmk), aad, sizeof(aad), v->value, v->len,
                          &o->value);
        }
    }
    fh_attrs_clear(&sealed);
    return rv;
}

/* Seal o->value for object store_id into a TLV blob. */
static fh_rv
obj_seal_locked(fh_token *tok, int64_t store_id, const struct fhi_obj *o, uint8_t **out,
                size_t *out_len)
{
    struct fh_attrs sealed = FH_ATTRS_INIT;
    uint8_t aad[OBJ_AAD_LEN];
    uint8_t *ct = NULL;
    size_t ct_len = 0;
    fh_rv rv;

    if (tok->tmk == NULL) {
        return FH_E_NOT_LOGGED_IN;
    }
    rv = obj_aad(tok->id, store_id, CKA_VALUE, &o->attrs, aad);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_seal(fh_secret_cdata(tok->tmk), aad, sizeof(aad), fh_secret_cdata(o->value),
                  fh_secret_len(o->value), &ct, &ct_len);
    if (rv == FH_OK) {
        rv = fh_attrs_set(&sealed, CKA_VALUE, ct, ct_len);
    }
    if (rv == FH_OK) {
        rv = fh_attrs_encode(&sealed, out, out_len);
    }
    free(ct);
    fh_attrs_clear(&sealed);
    return rv;
}

static void
row_from_obj(const struct fhi_obj *o, struct fh_store_object *row)
{
    const struct fh_attr *label = fh_attrs_get(&o->attrs, CKA_LABEL);
    const struct fh_attr *id = fh_attrs_get(&o->attrs, CKA_ID);

    row->cls = o->cls;
    row->key_type = o->kt;
    row->label = label != NULL ? label->value : NULL;
    row->label_len = label != NULL ? label->len : 0;
    row->ckid = id != NULL ? id->value : NULL;
    row->ckid_len = id != NULL ? id->len : 0;
}

static bool
visible_locked(const fh_token *tok, const struct fhi_obj *o)
{
    return !fh_attrs_bool(&o->attrs, CKA_PRIVATE, true) || tok->login == CKU_USER;
}

fh_rv
fhi_obj_get(fh_session *s, CK_OBJECT_HANDLE h, bool want_secret, struct fhi_obj **out)
{
    fh_token *tok = s->tok;
    fh_ctx *ctx = tok->ctx;
    struct fh_store_object row = {0};
    struct fhi_handle *ent;
    struct fhi_obj *o = NULL;
    int64_t store_id;
    fh_rv rv;

    pthread_mutex_lock(&tok->lock);
    ent = handle_get_locked(tok, h);
    if (ent == NULL) {
        rv = FH_E_OBJECT_HANDLE_INVALID;
        goto out;
    }
    store_id = ent->store_id;
    if (ent->sobj != NULL) {
        rv = obj_clone(ent->sobj, &o);
    } else {
        fhi_ctx_lock(ctx);
        rv = ctx->store_ops->object_get(ctx->store, tok->id, store_id, &row);
        fhi_ctx_unlock(ctx);
        if (rv == FH_E_NOT_FOUND) {
            /* destroyed by another process */
            handle_clear_locked(tok, ent);
            rv = FH_E_OBJECT_HANDLE_INVALID;
        }
        if (rv == FH_OK) {
            rv = row_to_obj(&row, &o);
        }
    }
    if (rv != FH_OK) {
        goto out;
    }
    if (!visible_locked(tok, o)) {
        rv = FH_E_OBJECT_HANDLE_INVALID;
        goto out;
    }
    if (want_secret && o->has_secret && o->value == NULL) {
        rv = obj_unseal_locked(tok, store_id, o);
        if (rv != FH_OK) {
            goto out;
        }
    }
    *out = o;
    o = NULL;
out:
    pthread_mutex_unlock(&tok->lock);
    fh_store_object_clear(&row);
    fhi_obj_free(o);
    return rv;
}

fh_rv
fhi_obj_add(fh_session *s, struct fhi_obj **op, CK_OBJECT_HANDLE *out)
{
    fh_token *tok = s->tok;
    fh_ctx *ctx = tok->ctx;
    const struct fh_store_ops *ops = ctx->store_ops;
    struct fhi_obj *o = *op;
    struct fh_store_object row = {0};
    uint8_t *attrs = NULL, *sealed = NULL;
    size_t attrs_len = 0, sealed_len = 0;
    bool on_token = fh_attrs_bool(&o->attrs, CKA_TOKEN, false);
    bool priv = fh_attrs_bool(&o->attrs, CKA_PRIVATE, true);
    int64_t id = 0;
    fh_rv rv = FH_OK;

    pthread_mutex_lock(&tok->lock);
    if (on_token && !s->rw) {
        rv = FH_E_SESSION_READ_ONLY;
    } else if (priv && tok->login != CKU_USER) {
        rv = FH_E_NOT_LOGGED_IN;
    } else if (on_token && o->value != NULL && tok->tmk == NULL) {
        rv = FH_E_NOT_LOGGED_IN;
    }
    if (rv != FH_OK) {
        goto out;
    }
    if (!on_token) {
        rv = handle_new_locked(tok, 0, o, s, priv, out);
        if (rv == FH_OK) {
            *op = NULL;
        }
        goto out;
    }
    rv = fh_attrs_encode(&o->attrs, &attrs, &attrs_len);
    if (rv != FH_OK) {
        goto out;
    }
    row_from_obj(o, &row);
    row.token_id = tok->id;
    row.attrs = attrs;
    row.attrs_len = attrs_len;
    fhi_ctx_lock(ctx);
    rv = ops->begin(ctx->store, true);
    if (rv == FH_OK) {
        rv = ops->object_insert(ctx->store, &row, &id);
        if (rv == FH_OK && o->value != NULL) {
            rv = obj_seal_locked(tok, id, o, &sealed, &sealed_len);
            if (rv == FH_OK) {
                row.id = id;
                row.secret = sealed;
                row.secret_len = sealed_len;
                rv = ops->object_update(ctx->store, &row);
            }
        }
        rv = rv == FH_OK ? ops->commit(ctx->store) : rv;
        if (rv != FH_OK) {
            ops->rollback(ctx->store);
        }
    }
    fhi_ctx_unlock(ctx);
    if (rv == FH_OK) {
        rv = handle_for_store_locked(tok, id, priv, out);
    }
    if (rv == FH_OK) {
        fhi_obj_free(o);
        *op = NULL;
    }
out:
    pthread_mutex_unlock(&tok->lock);
    free(attrs);
    free(sealed);
    return rv;
}

/* Write o (attributes, and the value when reseal) back to its store row. */
static fh_rv
obj_update_locked(fh_token *tok, int64_t store_id, const struct fhi_obj *o, bool reseal)
{
    fh_ctx *ctx = tok->ctx;
    struct fh_store_object row = {0}, cur = {0};
    uint8_t *attrs = NULL, *sealed = NULL;
    size_t attrs_len = 0, sealed_len = 0;
    fh_rv rv;

    rv = fh_attrs_encode(&o->attrs, &attrs, &attrs_len);
    if (rv == FH_OK && reseal) {
        rv = obj_seal_locked(tok, store_id, o, &sealed, &sealed_len);
    }
    if (rv != FH_OK) {
        goto out;
    }
    row_from_obj(o, &row);
    row.id = store_id;
    row.token_id = tok->id;
    row.attrs = attrs;
    row.attrs_len = attrs_len;
    fhi_ctx_lock(ctx);
    rv = ctx->store_ops->begin(ctx->store, true);
    if (rv == FH_OK) {
        rv = ctx->store_ops->object_get(ctx->store, tok->id, store_id, &cur);
        if (rv == FH_OK) {
            row.secret = reseal ? sealed : cur.secret;
            row.secret_len = reseal ? sealed_len : cur.secret_len;
            rv = ctx->store_ops->object_update(ctx->store, &row);
        }
        rv = rv == FH_OK ? ctx->store_ops->commit(ctx->store) : rv;
        if (rv != FH_OK) {
            ctx->store_ops->rollback(ctx->store);
        }
    }
    fhi_ctx_unlock(ctx);
    if (rv == FH_E_NOT_FOUND) {
        rv = FH_E_OBJECT_HANDLE_INVALID;
    }
out:
    fh_store_object_clear(&cur);
    free(attrs);
    free(sealed);
    return rv;
}

/* ---- public API ---- */

fh_rv
fhi_tmpl_key_type(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_KEY_TYPE *kt)
{
    bool found = false;
    fh_rv rv = fhi_tmpl_ulong(tmpl, n, CKA_KEY_TYPE, &found, kt);

    if (rv != FH_OK) {
        return rv;
    }
    if (!found) {
        return FH_E_TEMPLATE_INCOMPLETE;
    }
    if (cls == CKO_SECRET_KEY) {
        return *kt == CKK_AES || *kt == CKK_GENERIC_SECRET ? FH_OK : FH_E_ATTR_VALUE_INVALID;
    }
    return *kt == CKK_RSA || *kt == CKK_EC || *kt == CKK_EC_EDWARDS ? FH_OK
                                                                    : FH_E_ATTR_VALUE_INVALID;
}

/*
 * Key objects built from material: merge the backend's public attributes
 * (never overriding what the caller gave, except the derived SPKI) and drop
 * every secret component from the stored attribute list.
 */
fh_rv
fhi_obj_take_material(struct fhi_obj *o, fh_secret **material, const struct fh_attrs *pub)
{
    fh_rv rv = FH_OK;

    for (size_t i = 0; pub != NULL && i < pub->n && rv == FH_OK; i++) {
        const struct fh_attr *a = &pub->v[i];

        if (a->type == CKA_MODULUS_BITS && o->cls != CKO_PUBLIC_KEY) {
            continue;
        }
        if (a->type == CKA_EC_POINT && o->cls != CKO_PUBLIC_KEY) {
            continue;
        }
        if (a->type == CKA_PUBLIC_EXPONENT && o->cls == CKO_SECRET_KEY) {
            continue;
        }
        if (a->type == CKA_PUBLIC_KEY_INFO || fh_attrs_get(&o->attrs, a->type) == NULL) {
            rv = fh_attrs_set(&o->attrs, a->type, a->value, a->len);
        }
    }
    if (rv != FH_OK) {
        return rv;
    }
    fhi_rules_strip_secret(o->cls, o->kt, &o->attrs);
    if (material != NULL && *material != NULL) {
        if (o->cls == CKO_SECRET_KEY) {
            rv = fh_attrs_set_ulong(&o->attrs, CKA_VALUE_LEN, fh_secret_len(*material));
        }
        fh_secret_free(o->value);
        o->value = *material;
        *material = NULL;
        o->has_secret = true;
    }
    return rv;
}

/*
 * Data objects keep CKA_VALUE sealed exactly when they are private: after a
 * create, copy or set, move the value between the plain attributes and the
 * sealed secret to match CKA_PRIVATE.
 */
static fh_rv
data_value_settle(struct fhi_obj *o)
{
    const struct fh_attr *v = fh_attrs_get(&o->attrs, CKA_VALUE);
    fh_rv rv = FH_OK;

    if (o->cls != CKO_DATA) {
        return FH_OK;
    }
    if (fhi_rules_value_is_secret(o->cls, &o->attrs)) {
        if (v != NULL) {
            fh_secret_free(o->value);
            o->value = NULL;
            rv = fh_secret_from(v->value, v->len, &o->value);
            fh_attrs_del(&o->attrs, CKA_VALUE);
        } else if (o->value == NULL) {
            rv = fh_secret_new(0, &o->value);
        }
        o->has_secret = true;
    } else if (o->value != NULL) {
        if (v == NULL) {
            rv = fh_attrs_set(&o->attrs, CKA_VALUE, fh_secret_cdata(o->value),
                              fh_secret_len(o->value));
        }
        fh_secret_free(o->value);
        o->value = NULL;
        o->has_secret = false;
    }
    return rv;
}

fh_rv
fhi_obj_from_template(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                      bool so, struct fhi_obj **out)
{
    struct fhi_obj *o = calloc(1, sizeof(*o));
    fh_rv rv;

    *out = NULL;
    if (o == NULL) {
        return FH_E_NOMEM;
    }
    o->cls = cls;
    o->kt = kt;
    rv = fhi_rules_apply(cls, kt, FHI_TMPL_CREATE, tmpl, n, so, &o->attrs);
    if (rv == FH_OK) {
        rv = fhi_rules_defaults(cls, kt, FHI_TMPL_CREATE, &o->attrs);
    }
    if (rv != FH_OK) {
        fhi_obj_free(o);
        return rv;
    }
    *out = o;
    return FH_OK;
}

fh_rv
fh_object_create(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
    struct fhi_obj *o = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;
    fh_secret *material = NULL;
    CK_ULONG cls = 0, kt = CK_UNAVAILABLE_INFORMATION;
    bool found = false;
    char name[128], actor[64];
    fh_rv rv;

    if (s == NULL || out == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    rv = fhi_tmpl_ulong(tmpl, n, CKA_CLASS, &found, &cls);
    if (rv == FH_OK && !found) {
        rv = FH_E_TEMPLATE_INCOMPLETE;
    }
    if (rv != FH_OK) {
        return rv;
    }
    if (cls != CKO_DATA && cls != CKO_CERTIFICATE && cls != CKO_PUBLIC_KEY &&
        cls != CKO_PRIVATE_KEY && cls != CKO_SECRET_KEY) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    if (cls != CKO_DATA && cls != CKO_CERTIFICATE) {
        rv = fhi_tmpl_key_type(cls, tmpl, n, &kt);
        if (rv != FH_OK) {
            return rv;
        }
    }
    rv = fhi_obj_from_template(cls, kt, tmpl, n, fh_token_logged_in(s->tok) == CKU_SO, &o);
    if (rv != FH_OK) {
        goto out;
    }
    if (cls == CKO_CERTIFICATE) {
        const struct fh_attr *v = fh_attrs_get(&o->attrs, CKA_VALUE);
        const unsigned char *p = v->value;
        X509 *x;

        if (fh_attrs_ulong(&o->attrs, CKA_CERTIFICATE_TYPE, 0) != CKC_X_509) {
            rv = FH_E_ATTR_VALUE_INVALID;
            goto out;
        }
        x = d2i_X509(NULL, &p, (long)v->len);
        if (x == NULL || p != v->value + v->len) {
            rv = FH_E_ATTR_VALUE_INVALID;
        }
        X509_free(x);
    } else if (cls == CKO_DATA) {
        rv = data_value_settle(o);
    } else {
        fh_ctx *ctx = s->tok->ctx;

        rv = ctx->be_ops->import(ctx->be, cls, kt, &o->attrs, &material, &pub);
        if (rv == FH_OK) {
            rv = fhi_obj_take_material(o, &material, &pub);
        }
    }
    if (rv != FH_OK) {
        goto out;
    }
    fhi_obj_name(s->tok, o, name, sizeof(name));
    rv = fhi_obj_add(s, &o, out);
    fhi_token_actor(s->tok, actor, sizeof(actor));
    fhi_audit(s->tok->ctx, actor, cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY ? "key.import"
                                                                                   : "object.create",
              name, rv);
out:
    fh_secret_free(material);
    fh_attrs_clear(&pub);
    fhi_obj_free(o);
    return rv;
}

fh_rv
fh_object_copy(fh_session *s, CK_OBJECT_HANDLE h, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
               CK_OBJECT_HANDLE *out)
{
    struct fhi_obj *o = NULL;
    fh_rv rv;

    if (s == NULL || out == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    rv = fhi_obj_get(s, h, true, &o);
    if (rv != FH_OK) {
        return rv;
    }
    if (!fh_attrs_bool(&o->attrs, CKA_COPYABLE, true)) {
        rv = FH_E_ACTION_PROHIBITED;
    } else {
        rv = fhi_rules_apply(o->cls, o->kt, FHI_TMPL_COPY, tmpl, n,
                             fh_token_logged_in(s->tok) == CKU_SO, &o->attrs);
    }
    if (rv == FH_OK) {
        rv = data_value_settle(o);
    }
    if (rv == FH_OK) {
        rv = fhi_obj_add(s, &o, out);
    }
    fhi_obj_free(o);
    return rv;
}

fh_rv
fh_object_destroy(fh_session *s, CK_OBJECT_HANDLE h)
{
    struct fhi_obj *o = NULL;
    struct fhi_handle *ent;
    bool on_token;
    fh_token *tok;
    char name[128], actor[64];
    fh_rv rv;

    if (s == NULL) {
        return FH_E_ARGS;
    }
    tok = s->tok;
    rv = fhi_obj_get(s, h, false, &o);
    if (rv != FH_OK) {
        return rv;
    }
    fhi_obj_name(tok, o, name, sizeof(name));
    on_token = fh_attrs_bool(&o->attrs, CKA_TOKEN, false);
    if (on_token && !s->rw) {
        rv = FH_E_SESSION_READ_ONLY;
    } else if (!fh_attrs_bool(&o->attrs, CKA_DESTROYABLE, true)) {
        rv = FH_E_ACTION_PROHIBITED;
    }
    fhi_obj_free(o);
    if (rv != FH_OK) {
        goto out;
    }
    pthread_mutex_lock(&tok->lock);
    ent = handle_get_locked(tok, h);
    if (ent == NULL) {
        rv = FH_E_OBJECT_HANDLE_INVALID;
    } else if (ent->store_id > 0) {
        fhi_kcache_drop_locked(tok, ent->store_id);
        fhi_ctx_lock(tok->ctx);
        rv = tok->ctx->store_ops->object_delete(tok->ctx->store, tok->id, ent->store_id);
        fhi_ctx_unlock(tok->ctx);
        if (rv == FH_E_NOT_FOUND) {
            rv = FH_E_OBJECT_HANDLE_INVALID;
        }
        if (rv == FH_OK || rv == FH_E_OBJECT_HANDLE_INVALID) {
            handle_clear_locked(tok, ent);
        }
    } else {
        handle_clear_locked(tok, ent);
    }
    pthread_mutex_unlock(&tok->lock);
out:
    fhi_token_actor(tok, actor, sizeof(actor));
    if (on_token) {
        fhi_audit(tok->ctx, actor, "object.destroy", name, rv);
    } else {
        /* a session object: queued when it succeeded, like its creation */
        fhi_audit_batched(tok->ctx, actor, "object.destroy", name, rv);
    }
    return rv;
}

/* Whether reading type of o needs its secret value (decrypted material). */
static bool
needs_secret(const struct fhi_obj *o, CK_ATTRIBUTE_TYPE type)
{
    if (!o->has_secret || !fhi_rules_readable(o, type)) {
        return false;
    }
    if (o->cls == CKO_PRIVATE_KEY) {
        return fhi_rules_is_secret_component(o->cls, o->kt, type);
    }
    return type == CKA_VALUE;
}

fh_rv
fh_object_get_attributes(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
    struct fhi_obj *o = NULL, *full = NULL;
    struct fh_attrs exported = FH_ATTRS_INIT;
    bool sensitive = false, invalid = false, small = false, want = false;
    fh_rv rv;

    if (s == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    rv = fhi_obj_get(s, h, false, &o);
    if (rv != FH_OK) {
        return rv;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        want = want || needs_secret(o, tmpl[i].type);
    }
    if (want) {
        rv = fhi_obj_get(s, h, true, &full);
        if (rv == FH_OK && full->cls == CKO_PRIVATE_KEY) {
            /* a readable private key: its PKCS#11 components, never the
             * backend's material itself */
            fh_ctx *ctx = s->tok->ctx;
            struct fh_bkey bk;

            fhi_obj_bkey(full, &bk);
            rv = ctx->be_ops->export_private(ctx->be, &bk, &exported);
        }
        if (rv != FH_OK) {
            goto out;
        }
        fhi_obj_free(o);
        o = full;
        full = NULL;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        CK_ATTRIBUTE *t = &tmpl[i];
        const struct fh_attr *a = fh_attrs_get(&o->attrs, t->type);
        const uint8_t *val = a != NULL ? a->value : NULL;
        size_t len = a != NULL ? a->len : 0;

        if (!fhi_rules_readable(o, t->type)) {
            t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            sensitive = true;
            continue;
        }
        if (a == NULL && o->cls != CKO_PRIVATE_KEY && t->type == CKA_VALUE && o->value != NULL) {
            val = fh_secret_cdata(o->value);
            len = fh_secret_len(o->value);
        } else if (a == NULL && (a = fh_attrs_get(&exported, t->type)) != NULL) {
            val = a->value;
            len = a->len;
        } else if (a == NULL) {
            t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            invalid = true;
            continue;
        }
        if (t->pValue == NULL) {
            t->ulValueLen = len;
        } else if (t->ulValueLen < len) {
            t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
            small = true;
        } else {
            if (len > 0) {
                memcpy(t->pValue, val, len);
            }
            t->ulValueLen = len;
        }
    }
    rv = sensitive ? FH_E_ATTR_SENSITIVE
         : invalid ? FH_E_ATTR_TYPE_INVALID
         : small   ? FH_E_BUFFER_TOO_SMALL
                   : FH_OK;
out:
    fh_attrs_clear(&exported);
    fhi_obj_free(full);
    fhi_obj_free(o);
    return rv;
}

fh_rv
fh_object_set_attributes(fh_session *s, CK_OBJECT_HANDLE h, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
    struct fhi_obj *o = NULL;
    struct fhi_handle *ent;
    fh_token *tok;
    bool reseal = false;
    fh_rv rv;

    if (s == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    tok = s->tok;
    /* the sealed value is only opened when the template replaces it or a
     * policy attribute bound into its AAD, so a public key's label can change
     * without a login */
    for (CK_ULONG i = 0; i < n; i++) {
        reseal = reseal || tmpl[i].type == CKA_VALUE || fhi_attr_is_bound(tmpl[i].type);
    }
    rv = fhi_obj_get(s, h, reseal, &o);
    if (rv != FH_OK) {
        return rv;
    }
    if (fh_attrs_bool(&o->attrs, CKA_TOKEN, false) && !s->rw) {
        rv = FH_E_SESSION_READ_ONLY;
    } else if (!fh_attrs_bool(&o->attrs, CKA_MODIFIABLE, true)) {
        rv = FH_E_ACTION_PROHIBITED;
    } else {
        rv = fhi_rules_apply(o->cls, o->kt, FHI_TMPL_SET, tmpl, n,
                             fh_token_logged_in(tok) == CKU_SO, &o->attrs);
    }
    if (rv == FH_OK && reseal) {
        rv = data_value_settle(o);
    }
    reseal = reseal && o->value != NULL;
    if (rv != FH_OK) {
        goto out;
    }
    pthread_mutex_lock(&tok->lock);
    ent = handle_get_locked(tok, h);
    if (ent == NULL) {
        rv = FH_E_OBJECT_HANDLE_INVALID;
    } else if (ent->sobj != NULL) {
        fhi_kcache_drop_handle_locked(tok, ent);
        fhi_obj_free(ent->sobj);
        ent->sobj = o;
        o = NULL;
    } else {
        fhi_kcache_drop_locked(tok, ent->store_id);
        rv = obj_update_locked(tok, ent->store_id, o, reseal);
    }
    if (ent != NULL) {
        fhi_token_touch_locked(tok); /* also after a failed update: it may have committed */
    }
    pthread_mutex_unlock(&tok->lock);
out:
    fhi_obj_free(o);
    return rv;
}

static bool
obj_matches(const struct fhi_obj *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
    for (CK_ULONG i = 0; i < n; i++) {
        const struct fh_attr *a = fh_attrs_get(&o->attrs, tmpl[i].type);

        /* secret values are never compared: a search must not be an oracle */
        if (a == NULL || a->len != tmpl[i].ulValueLen ||
            (a->len > 0 && (tmpl[i].pValue == NULL || memcmp(a->value, tmpl[i].pValue, a->len) != 0))) {
            return false;
        }
    }
    return true;
}

struct find_state {
    fh_token *tok;
    const CK_ATTRIBUTE *tmpl;
    CK_ULONG n;
    CK_OBJECT_HANDLE *v;
    size_t count, cap;
};

static fh_rv
find_push(struct find_state *st, CK_OBJECT_HANDLE h)
{
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        CK_OBJECT_HANDLE *v = realloc(st->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        st->v = v;
        st->cap = cap;
    }
    st->v[st->count++] = h;
    return FH_OK;
}

static fh_rv
find_one(void *arg, const struct fh_store_object *row)
{
    struct find_state *st = arg;
    struct fhi_obj *o = NULL;
    CK_OBJECT_HANDLE h;
    fh_rv rv = row_to_obj(row, &o);

    if (rv != FH_OK) {
        return rv;
    }
    if (visible_locked(st->tok, o) && obj_matches(o, st->tmpl, st->n)) {
        rv = handle_for_store_locked(st->tok, row->id,
                                     fh_attrs_bool(&o->attrs, CKA_PRIVATE, true), &h);
        if (rv == FH_OK) {
            rv = find_push(st, h);
        }
    }
    fhi_obj_free(o);
    return rv;
}

static fh_rv
query_from_tmpl(const CK_ATTRIBUTE *tmpl, CK_ULONG n, struct fh_store_query *q)
{
    const CK_ATTRIBUTE *a;
    bool found;
    fh_rv rv;

    rv = fhi_tmpl_ulong(tmpl, n, CKA_CLASS, &found, &q->cls);
    q->has_cls = found;
    if (rv == FH_OK) {
        rv = fhi_tmpl_ulong(tmpl, n, CKA_KEY_TYPE, &found, &q->key_type);
        q->has_key_type = found;
    }
    if (rv != FH_OK) {
        /* a malformed class or type simply matches nothing */
        return FH_E_NOT_FOUND;
    }
    if ((a = fhi_tmpl_find(tmpl, n, CKA_LABEL)) != NULL) {
        q->has_label = true;
        q->label = a->pValue;
        q->label_len = a->ulValueLen;
    }
    if ((a = fhi_tmpl_find(tmpl, n, CKA_ID)) != NULL) {
        q->has_ckid = true;
        q->ckid = a->pValue;
        q->ckid_len = a->ulValueLen;
    }
    return FH_OK;
}

fh_rv
fh_object_find(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE **out,
               size_t *count)
{
    struct fh_store_query q = {0};
    struct find_state st = {0};
    fh_token *tok;
    fh_ctx *ctx;
    fh_rv rv;

    if (s == NULL || out == NULL || count == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        if (tmpl[i].pValue == NULL && tmpl[i].ulValueLen > 0) {
            return FH_E_ATTR_VALUE_INVALID;
        }
    }
    tok = s->tok;
    ctx = tok->ctx;
    st.tok = tok;
    st.tmpl = tmpl;
    st.n = n;
    q.token_id = tok->id;
    rv = query_from_tmpl(tmpl, n, &q);
    pthread_mutex_lock(&tok->lock);
    if (rv == FH_OK) {
        fhi_ctx_lock(ctx);
        rv = ctx->store_ops->object_find(ctx->store, &q, find_one, &st);
        fhi_ctx_unlock(ctx);
    }
    if (rv == FH_E_NOT_FOUND) {
        rv = FH_OK;
    }
    /* the live session objects only, not every handle given out */
    for (uint32_t h = tok->sobj_first; rv == FH_OK && h != 0; h = tok->handles[h - 1].snext) {
        const struct fhi_obj *so = tok->handles[h - 1].sobj;

        if (visible_locked(tok, so) && obj_matches(so, tmpl, n)) {
            rv = find_push(&st, h);
        }
    }
    pthread_mutex_unlock(&tok->lock);
    if (rv != FH_OK) {
        free(st.v);
        return rv;
    }
    *out = st.v;
    *count = st.count;
    return FH_OK;
}

fh_rv
fh_object_size(fh_session *s, CK_OBJECT_HANDLE h, CK_ULONG *out)
{
    struct fhi_obj *o = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;
    fh_rv rv;

    if (s == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    rv = fhi_obj_get(s, h, false, &o);
    if (rv == FH_OK) {
        rv = fh_attrs_encode(&o->attrs, &enc, &len);
    }
    if (rv == FH_OK) {
        *out = len + o->sealed_len;
    }
    free(enc);
    fhi_obj_free(o);
    return rv;
}
