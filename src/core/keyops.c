/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keyops.c - key management: generate, generate a pair, wrap, unwrap,
 * derive. Each builds the new objects' attributes through the rules table,
 * asks the backend for the material, and stores the result through
 * fhi_obj_add. Every outcome is audited.
 */
#include "core-int.h"

#include <stdlib.h>
#include <string.h>

static fh_rv
new_obj(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, struct fhi_obj **out)
{
    struct fhi_obj *o = calloc(1, sizeof(*o));

    if (o == NULL) {
        return FH_E_NOMEM;
    }
    o->cls = cls;
    o->kt = kt;
    *out = o;
    return FH_OK;
}

/* Check the template, apply defaults, and record the generating mechanism. */
static fh_rv
build_attrs(fh_session *s, struct fhi_obj *o, enum fhi_tmpl_op op, const CK_ATTRIBUTE *tmpl,
            CK_ULONG n, CK_MECHANISM_TYPE genmech)
{
    fh_rv rv = fhi_rules_apply(o->cls, o->kt, op, tmpl, n, fh_token_logged_in(s->tok) == CKU_SO,
                               &o->attrs);

    if (rv == FH_OK && op == FHI_TMPL_GENERATE) {
        rv = fh_attrs_set_ulong(&o->attrs, CKA_KEY_GEN_MECHANISM, genmech);
    }
    if (rv == FH_OK) {
        rv = fhi_rules_defaults(o->cls, o->kt, op, &o->attrs);
    }
    return rv;
}

/* Fail before expensive work when the objects could not be stored anyway. */
static fh_rv
precheck_store(fh_session *s, const struct fhi_obj *o)
{
    bool on_token = fh_attrs_bool(&o->attrs, CKA_TOKEN, false);

    if (on_token && !fh_session_is_rw(s)) {
        return FH_E_SESSION_READ_ONLY;
    }
    if (fh_attrs_bool(&o->attrs, CKA_PRIVATE, true) && fh_token_logged_in(s->tok) != CKU_USER) {
        return FH_E_NOT_LOGGED_IN;
    }
    if (on_token && o->cls != CKO_PUBLIC_KEY && fh_token_logged_in(s->tok) == FHI_NOBODY) {
        return FH_E_NOT_LOGGED_IN; /* sealing needs the TMK */
    }
    return FH_OK;
}

static void
audit_name(fh_session *s, const char *operation, const char *name, fh_rv rv)
{
    char actor[64];

    fhi_token_actor(s->tok, actor, sizeof(actor));
    fhi_audit(s->tok->ctx, actor, operation, name, rv);
}

/*
 * The record of a key made as a session object only (it dies with the
 * process anyway) is queued like a signature's when it succeeded; a token
 * key's, and any failure, are written at once.
 */
static void
audit_made(fh_session *s, const char *operation, const char *name, bool session_obj, fh_rv rv)
{
    char actor[64];

    if (!session_obj) {
        audit_name(s, operation, name, rv);
        return;
    }
    fhi_token_actor(s->tok, actor, sizeof(actor));
    fhi_audit_batched(s->tok->ctx, actor, operation, name, rv);
}

static void
audit_key(fh_session *s, const char *operation, const struct fhi_obj *o, fh_rv rv)
{
    char name[128] = "";

    if (o != NULL) {
        fhi_obj_name(s->tok, o, name, sizeof(name));
    }
    audit_name(s, operation, name, rv);
}

static const struct fh_mech_desc *
mech_for(fh_session *s, const CK_MECHANISM *mech, CK_FLAGS need)
{
    const struct fh_mech_desc *m = fh_mech_get(s->tok->ctx, mech->mechanism);

    return (m != NULL && (m->flags & need) != 0) ? m : NULL;
}

fh_rv
fh_key_generate(fh_session *s, const CK_MECHANISM *mech, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                CK_OBJECT_HANDLE *out)
{
    const struct fh_mech_desc *m;
    struct fh_keygen_params p = {0};
    struct fhi_obj *o = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;
    fh_secret *material = NULL;
    char name[128] = "";
    fh_ctx *ctx;
    bool found;
    fh_rv rv;

    if (s == NULL || mech == NULL || out == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    ctx = s->tok->ctx;
    m = mech_for(s, mech, CKF_GENERATE);
    if (m == NULL) {
        return FH_E_MECH_INVALID;
    }
    rv = new_obj(CKO_SECRET_KEY, m->key_types[0], &o);
    if (rv == FH_OK) {
        rv = build_attrs(s, o, FHI_TMPL_GENERATE, tmpl, n, m->type);
    }
    if (rv == FH_OK) {
        rv = fhi_tmpl_ulong(tmpl, n, CKA_VALUE_LEN, &found, &p.value_len);
        if (rv == FH_OK && !found) {
            rv = FH_E_TEMPLATE_INCOMPLETE;
        }
    }
    if (rv == FH_OK && (p.value_len < m->min_key || p.value_len > m->max_key ||
                        (o->kt == CKK_AES && p.value_len != 16 && p.value_len != 24 &&
                         p.value_len != 32))) {
        rv = FH_E_KEY_SIZE_RANGE;
    }
    if (rv == FH_OK) {
        rv = precheck_store(s, o);
    }
    if (rv == FH_OK) {
        p.type = o->kt;
        rv = ctx->be_ops->generate(ctx->be, mech, &p, &material, &pub);
    }
    if (rv == FH_OK) {
        fh_attrs_del(&o->attrs, CKA_VALUE_LEN); /* set again from the material */
        rv = fhi_obj_take_material(o, &material, &pub);
    }
    if (o != NULL) {
        fhi_obj_name(s->tok, o, name, sizeof(name));
    }
    if (rv == FH_OK) {
        rv = fhi_obj_add(s, &o, out);
    }
    audit_name(s, "key.generate", name, rv);
    fhi_obj_free(o);
    fh_secret_free(material);
    fh_attrs_clear(&pub);
    return rv;
}

static fh_rv
pair_params(const struct fh_mech_desc *m, const struct fhi_obj *pubo, struct fh_keygen_params *p)
{
    const struct fh_attr *a;

    p->type = pubo->kt;
    if (pubo->kt == CKK_RSA) {
        p->modulus_bits = fh_attrs_ulong(&pubo->attrs, CKA_MODULUS_BITS, 0);
        if (p->modulus_bits < m->min_key || p->modulus_bits > m->max_key ||
            p->modulus_bits % 8 != 0) {
            return FH_E_KEY_SIZE_RANGE;
        }
        a = fh_attrs_get(&pubo->attrs, CKA_PUBLIC_EXPONENT);
        if (a != NULL) {
            p->public_exponent = a->value;
            p->public_exponent_len = a->len;
        }
        return FH_OK;
    }
    a = fh_attrs_get(&pubo->attrs, CKA_EC_PARAMS);
    if (a == NULL) {
        return FH_E_TEMPLATE_INCOMPLETE;
    }
    p->ec_params = a->value;
    p->ec_params_len = a->len;
    return FH_OK;
}

fh_rv
fh_key_generate_pair(fh_session *s, const CK_MECHANISM *mech, const CK_ATTRIBUTE *pub_tmpl,
                     CK_ULONG pub_n, const CK_ATTRIBUTE *priv_tmpl, CK_ULONG priv_n,
                     CK_OBJECT_HANDLE *pub_out, CK_OBJECT_HANDLE *priv_out)
{
    const struct fh_mech_desc *m;
    struct fh_keygen_params p = {0};
    struct fhi_obj *pubo = NULL, *privo = NULL;
    char name[128] = "";
    struct fh_attrs pub = FH_ATTRS_INIT;
    fh_secret *material = NULL;
    CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE;
    bool session_pair = false;
    fh_ctx *ctx;
    fh_rv rv;

    if (s == NULL || mech == NULL || pub_out == NULL || priv_out == NULL ||
        (pub_tmpl == NULL && pub_n > 0) || (priv_tmpl == NULL && priv_n > 0)) {
        return FH_E_ARGS;
    }
    ctx = s->tok->ctx;
    m = mech_for(s, mech, CKF_GENERATE_KEY_PAIR);
    if (m == NULL) {
        return FH_E_MECH_INVALID;
    }
    rv = new_obj(CKO_PUBLIC_KEY, m->key_types[0], &pubo);
    if (rv == FH_OK) {
        rv = new_obj(CKO_PRIVATE_KEY, m->key_types[0], &privo);
    }
    if (rv == FH_OK) {
        rv = build_attrs(s, pubo, FHI_TMPL_GENERATE, pub_tmpl, pub_n, m->type);
    }
    if (rv == FH_OK) {
        rv = build_attrs(s, privo, FHI_TMPL_GENERATE, priv_tmpl, priv_n, m->type);
    }
    if (rv == FH_OK) {
        rv = pair_params(m, pubo, &p);
    }
    if (rv == FH_OK) {
        rv = precheck_store(s, pubo);
    }
    if (rv == FH_OK) {
        rv = precheck_store(s, privo);
    }
    if (rv == FH_OK) {
        rv = ctx->be_ops->generate(ctx->be, mech, &p, &material, &pub);
    }
    if (rv == FH_OK) {
        rv = fhi_obj_take_material(pubo, NULL, &pub);
    }
    if (rv == FH_OK) {
        rv = fhi_obj_take_material(privo, &material, &pub);
    }
    if (privo != NULL) {
        fhi_obj_name(s->tok, privo, name, sizeof(name));
        session_pair = !fh_attrs_bool(&privo->attrs, CKA_TOKEN, false) && pubo != NULL &&
                       !fh_attrs_bool(&pubo->attrs, CKA_TOKEN, false);
    }
    if (rv == FH_OK) {
        rv = fhi_obj_add(s, &pubo, &hpub);
    }
    if (rv == FH_OK) {
        rv = fhi_obj_add(s, &privo, priv_out);
        if (rv != FH_OK) {
            fh_rv undo = fh_object_destroy(s, hpub); /* no half pairs; best effort */

            (void)undo;
        }
    }
    if (rv == FH_OK) {
        *pub_out = hpub;
    }
    audit_made(s, "key.generate", name, session_pair, rv);
    fhi_obj_free(pubo);
    fhi_obj_free(privo);
    fh_secret_free(material);
    fh_attrs_clear(&pub);
    return rv;
}

/* Load a key for wrap/unwrap/derive and check it against m. */
static fh_rv
load_key(fh_session *s, const struct fh_mech_desc *m, CK_OBJECT_HANDLE h, CK_OBJECT_CLASS cls1,
         CK_OBJECT_CLASS cls2, CK_ATTRIBUTE_TYPE usage, fh_rv type_err, struct fhi_obj **out)
{
    struct fhi_obj *o = NULL;
    fh_rv rv = fhi_obj_get(s, h, true, &o);

    if (rv == FH_E_OBJECT_HANDLE_INVALID) {
        rv = FH_E_KEY_HANDLE_INVALID;
    }
    if (rv != FH_OK) {
        return rv;
    }
    if (o->cls != cls1 && o->cls != cls2) {
        rv = type_err;
    } else {
        rv = fhi_key_check(m, o, usage);
        if (rv == FH_E_KEY_TYPE_INCONSISTENT) {
            rv = type_err;
        }
    }
    if (rv != FH_OK) {
        fhi_obj_free(o);
        return rv;
    }
    *out = o;
    return FH_OK;
}

fh_rv
fh_key_wrap(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE wrapping,
            CK_OBJECT_HANDLE key, uint8_t *out, size_t *out_len)
{
    const struct fh_mech_desc *m;
    struct fhi_obj *wk = NULL, *target = NULL;
    struct fh_bkey bw, bt;
    fh_ctx *ctx;
    fh_rv rv;

    if (s == NULL || mech == NULL || out_len == NULL) {
        return FH_E_ARGS;
    }
    ctx = s->tok->ctx;
    m = mech_for(s, mech, CKF_WRAP);
    if (m == NULL) {
        return FH_E_MECH_INVALID;
    }
    rv = load_key(s, m, wrapping, CKO_SECRET_KEY, CKO_PUBLIC_KEY, CKA_WRAP,
                  FH_E_WRAPPING_KEY_TYPE_INCONSISTENT, &wk);
    if (rv != FH_OK) {
        goto out;
    }
    rv = fhi_obj_get(s, key, true, &target);
    if (rv == FH_E_OBJECT_HANDLE_INVALID) {
        rv = FH_E_KEY_HANDLE_INVALID;
    }
    if (rv != FH_OK) {
        goto out;
    }
    if ((target->cls != CKO_SECRET_KEY && target->cls != CKO_PRIVATE_KEY) ||
        target->value == NULL) {
        rv = FH_E_KEY_NOT_WRAPPABLE;
    } else if (!fh_attrs_bool(&target->attrs, CKA_EXTRACTABLE, false)) {
        rv = FH_E_KEY_UNEXTRACTABLE;
    } else if (fh_attrs_bool(&target->attrs, CKA_WRAP_WITH_TRUSTED, false) &&
               !fh_attrs_bool(&wk->attrs, CKA_TRUSTED, false)) {
        rv = FH_E_KEY_NOT_WRAPPABLE;
    }
    if (rv != FH_OK) {
        goto out;
    }
    fhi_obj_bkey(wk, &bw);
    fhi_obj_bkey(target, &bt);
    rv = ctx->be_ops->wrap(ctx->be, mech, &bw, &bt, out, out_len);
out:
    if (out != NULL || rv != FH_OK) {
        audit_key(s, "key.wrap", target, rv);
    }
    fhi_obj_free(wk);
    fhi_obj_free(target);
    return rv;
}

fh_rv
fh_key_unwrap(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE unwrapping,
              const uint8_t *in, size_t in_len, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
              CK_OBJECT_HANDLE *out)
{
    const struct fh_mech_desc *m;
    struct fhi_obj *uk = NULL, *o = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;
    char name[128] = "";
    fh_secret *material = NULL;
    struct fh_bkey bu;
    CK_ULONG cls = 0, kt = 0, vlen = 0;
    bool has_cls, has_kt, has_len;
    fh_ctx *ctx;
    fh_rv rv;

    if (s == NULL || mech == NULL || out == NULL || (in == NULL && in_len > 0) ||
        (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    ctx = s->tok->ctx;
    m = mech_for(s, mech, CKF_UNWRAP);
    if (m == NULL) {
        return FH_E_MECH_INVALID;
    }
    rv = load_key(s, m, unwrapping, CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKA_UNWRAP,
                  FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT, &uk);
    if (rv != FH_OK) {
        goto out;
    }
    if ((rv = fhi_tmpl_ulong(tmpl, n, CKA_CLASS, &has_cls, &cls)) != FH_OK ||
        (rv = fhi_tmpl_ulong(tmpl, n, CKA_KEY_TYPE, &has_kt, &kt)) != FH_OK ||
        (rv = fhi_tmpl_ulong(tmpl, n, CKA_VALUE_LEN, &has_len, &vlen)) != FH_OK) {
        goto out;
    }
    if (!has_cls || !has_kt) {
        rv = FH_E_TEMPLATE_INCOMPLETE;
        goto out;
    }
    if ((cls != CKO_SECRET_KEY && cls != CKO_PRIVATE_KEY) ||
        (cls == CKO_SECRET_KEY && kt != CKK_AES && kt != CKK_GENERIC_SECRET) ||
        (cls == CKO_PRIVATE_KEY && kt != CKK_RSA && kt != CKK_EC && kt != CKK_EC_EDWARDS)) {
        rv = FH_E_TEMPLATE_INCONSISTENT;
        goto out;
    }
    rv = new_obj(cls, kt, &o);
    if (rv == FH_OK) {
        rv = build_attrs(s, o, FHI_TMPL_UNWRAP, tmpl, n, 0);
    }
    if (rv == FH_OK) {
        rv = precheck_store(s, o);
    }
    if (rv != FH_OK) {
        goto out;
    }
    fhi_obj_bkey(uk, &bu);
    rv = ctx->be_ops->unwrap(ctx->be, mech, &bu, in, in_len, cls, kt, has_len ? vlen : 0,
                             &material, &pub);
    if (rv == FH_OK) {
        fh_attrs_del(&o->attrs, CKA_VALUE_LEN);
        rv = fhi_obj_take_material(o, &material, &pub);
    }
    if (rv == FH_OK) {
        fhi_obj_name(s->tok, o, name, sizeof(name));
        rv = fhi_obj_add(s, &o, out);
    }
out:
    if (name[0] == '\0' && o != NULL) {
        fhi_obj_name(s->tok, o, name, sizeof(name));
    }
    audit_name(s, "key.unwrap", name, rv);
    fhi_obj_free(uk);
    fhi_obj_free(o);
    fh_secret_free(material);
    fh_attrs_clear(&pub);
    return rv;
}

fh_rv
fh_key_derive(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE base,
              const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
    const struct fh_mech_desc *m;
    struct fhi_obj *bk = NULL, *o = NULL;
    fh_secret *material = NULL;
    char name[128] = "";
    struct fh_bkey bb;
    CK_ULONG cls = CKO_SECRET_KEY, kt = 0, vlen = 0;
    bool has_cls, has_kt, has_len;
    fh_ctx *ctx;
    fh_rv rv;

    if (s == NULL || mech == NULL || out == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    ctx = s->tok->ctx;
    m = mech_for(s, mech, CKF_DERIVE);
    if (m == NULL) {
        return FH_E_MECH_INVALID;
    }
    rv = load_key(s, m, base, CKO_PRIVATE_KEY, CKO_PRIVATE_KEY, CKA_DERIVE,
                  FH_E_KEY_TYPE_INCONSISTENT, &bk);
    if (rv != FH_OK) {
        goto out;
    }
    if ((rv = fhi_tmpl_ulong(tmpl, n, CKA_CLASS, &has_cls, &cls)) != FH_OK ||
        (rv = fhi_tmpl_ulong(tmpl, n, CKA_KEY_TYPE, &has_kt, &kt)) != FH_OK ||
        (rv = fhi_tmpl_ulong(tmpl, n, CKA_VALUE_LEN, &has_len, &vlen)) != FH_OK) {
        goto out;
    }
    if (!has_kt) {
        rv = FH_E_TEMPLATE_INCOMPLETE;
        goto out;
    }
    if (cls != CKO_SECRET_KEY || (kt != CKK_AES && kt != CKK_GENERIC_SECRET)) {
        rv = FH_E_TEMPLATE_INCONSISTENT;
        goto out;
    }
    if (kt == CKK_AES && has_len && vlen != 16 && vlen != 24 && vlen != 32) {
        rv = FH_E_ATTR_VALUE_INVALID;
        goto out;
    }
    if (kt == CKK_AES && !has_len) {
        rv = FH_E_TEMPLATE_INCOMPLETE;
        goto out;
    }
    rv = new_obj(cls, kt, &o);
    if (rv == FH_OK) {
        rv = build_attrs(s, o, FHI_TMPL_DERIVE, tmpl, n, 0);
    }
    if (rv == FH_OK) {
        rv = precheck_store(s, o);
    }
    if (rv != FH_OK) {
        goto out;
    }
    fhi_obj_bkey(bk, &bb);
    rv = ctx->be_ops->derive(ctx->be, mech, &bb, kt, has_len ? vlen : 0, &material);
    if (rv == FH_OK) {
        fh_attrs_del(&o->attrs, CKA_VALUE_LEN);
        rv = fhi_obj_take_material(o, &material, NULL);
    }
    if (rv == FH_OK) {
        fhi_obj_name(s->tok, o, name, sizeof(name));
        rv = fhi_obj_add(s, &o, out);
    }
out:
    if (name[0] == '\0' && o != NULL) {
        fhi_obj_name(s->tok, o, name, sizeof(name));
    }
    audit_name(s, "key.derive", name, rv);
    fhi_obj_free(bk);
    fhi_obj_free(o);
    fh_secret_free(material);
    return rv;
}
