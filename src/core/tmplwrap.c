/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmplwrap.c - a C_CreateObject template of a secret or private key checked,
 * described and wrapped under an RSA public key without making an object
 * (see tmplwrap.h), and the attribute-type question of PKCS#11 v3.0 §4.1.1
 * rule 1 for the fronts.
 *
 * The steps are fh_object_create's for a key (class and key type, the
 * attribute rules of attr_rules.c and their defaults, the backend's import)
 * on an object that never reaches a token; then the backend's wrap with the
 * public key as the wrapping key. The material lives in an fh_secret of the
 * object and in the template's copy in its attribute list, both cleansed
 * when the object is freed. No state, no lock of the core is taken.
 */
#include "ferrohsm/tmplwrap.h"

#include <stdlib.h>
#include <string.h>

#include "core-int.h"

/* fh_object_create's checks and import for a key template: *out holds the material. */
static fh_rv
tmpl_key(fh_ctx *ctx, const CK_ATTRIBUTE *tmpl, CK_ULONG n, struct fhi_obj **out, unsigned *bits)
{
    struct fhi_obj *o = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;
    fh_secret *material = NULL;
    CK_ULONG cls = 0, kt = 0;
    bool found = false;
    fh_rv rv;

    if (ctx == NULL || (tmpl == NULL && n > 0)) {
        return FH_E_ARGS;
    }
    rv = fhi_tmpl_ulong(tmpl, n, CKA_CLASS, &found, &cls);
    if (rv == FH_OK && !found) {
        rv = FH_E_TEMPLATE_INCOMPLETE;
    }
    if (rv == FH_OK && cls != CKO_SECRET_KEY && cls != CKO_PRIVATE_KEY) {
        rv = FH_E_TEMPLATE_INCONSISTENT; /* nothing else carries material to wrap */
    }
    if (rv == FH_OK) {
        rv = fhi_tmpl_key_type(cls, tmpl, n, &kt);
    }
    if (rv != FH_OK) {
        return rv;
    }
    /* no SO here: a CKA_TRUSTED true is refused, as for a user session (footnote 10) */
    rv = fhi_obj_from_template(cls, kt, tmpl, n, false, &o);
    if (rv == FH_OK) {
        rv = ctx->be_ops->import(ctx->be, cls, kt, &o->attrs, &material, &pub);
    }
    if (rv == FH_OK && material == NULL) {
        rv = FH_E_GENERAL; /* a backend that keeps no material cannot wrap it here */
    }
    if (rv == FH_OK) {
        *bits = (unsigned)fh_attrs_ulong(&pub, CKA_MODULUS_BITS, 0);
        rv = fhi_obj_take_material(o, &material, &pub);
    }
    if (rv == FH_OK) {
        *out = o;
        o = NULL;
    }
    fh_secret_free(material);
    fh_attrs_clear(&pub);
    fhi_obj_free(o);
    return rv;
}

/* What fh_key_describe says of a stored key, from the object's attributes. */
static void
describe(const struct fhi_obj *o, unsigned rsa_bits, struct fh_key_desc *d)
{
    const struct fh_attr *params = fh_attrs_get(&o->attrs, CKA_EC_PARAMS);
    const struct fh_curve_desc *c = NULL;

    memset(d, 0, sizeof(*d));
    d->cls = o->cls;
    d->key_type = o->kt;
    switch (o->kt) {
    case CKK_RSA:
        d->type_name = "rsa";
        d->bits = rsa_bits;
        break;
    case CKK_EC:
    case CKK_EC_EDWARDS:
        d->type_name = o->kt == CKK_EC ? "ec" : "ec-edwards";
        c = params != NULL ? fh_curve_by_params(params->value, params->len) : NULL;
        if (c != NULL) {
            d->curve = c->name;
            d->bits = c->bits;
        }
        break;
    case CKK_AES:
    case CKK_GENERIC_SECRET:
        d->type_name = o->kt == CKK_AES ? "aes" : "generic-secret";
        d->bits = (unsigned)(fh_attrs_ulong(&o->attrs, CKA_VALUE_LEN, 0) * 8);
        break;
    default: d->type_name = "unknown"; break;
    }
    for (unsigned bit = 1; bit <= FH_USAGE_DERIVE; bit <<= 1) {
        if ((fh_usage_for_class(o->cls) & bit) != 0 &&
            fh_attrs_bool(&o->attrs, fh_usage_attr(bit), false)) {
            d->usage |= bit;
        }
    }
}

fh_rv
fh_tmpl_check(fh_ctx *ctx, const CK_ATTRIBUTE *tmpl, CK_ULONG n, struct fh_key_desc *out)
{
    struct fhi_obj *o = NULL;
    unsigned bits = 0;
    fh_rv rv;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    rv = tmpl_key(ctx, tmpl, n, &o, &bits);
    if (rv == FH_OK) {
        describe(o, bits, out);
    }
    fhi_obj_free(o);
    return rv;
}

fh_rv
fh_tmpl_wrap(fh_ctx *ctx, const CK_ATTRIBUTE *tmpl, CK_ULONG n, const CK_MECHANISM *mech,
             const uint8_t *spki, size_t spki_len, uint8_t **out, size_t *out_len)
{
    const struct fh_mech_desc *m;
    struct fhi_obj *o = NULL;
    struct fh_bkey wk, tk;
    uint8_t *buf = NULL;
    size_t len = 0;
    unsigned bits = 0;
    fh_rv rv;

    if (ctx == NULL || mech == NULL || spki == NULL || spki_len == 0 || out == NULL ||
        out_len == NULL) {
        return FH_E_ARGS;
    }
    rv = tmpl_key(ctx, tmpl, n, &o, &bits);
    if (rv != FH_OK) {
        return rv;
    }
    /* a public-key wrapping mechanism of this context: the wrapping key is an SPKI */
    m = fh_mech_get(ctx, mech->mechanism);
    if (m == NULL || (m->flags & CKF_WRAP) == 0 || !fhi_mech_has_key_type(m, CKK_RSA)) {
        rv = FH_E_MECH_INVALID;
        goto out;
    }
    wk = (struct fh_bkey){CKO_PUBLIC_KEY, CKK_RSA, NULL, spki, spki_len, NULL};
    fhi_obj_bkey(o, &tk);
    rv = ctx->be_ops->wrap(ctx->be, mech, &wk, &tk, NULL, &len);
    if (rv == FH_OK) {
        buf = malloc(len > 0 ? len : 1);
        rv = buf != NULL ? ctx->be_ops->wrap(ctx->be, mech, &wk, &tk, buf, &len) : FH_E_NOMEM;
    }
    if (rv == FH_OK) {
        *out = buf;
        *out_len = len;
        buf = NULL;
    }
out:
    free(buf);
    fhi_obj_free(o);
    return rv;
}

bool
fh_attr_type_valid(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type)
{
    return fhi_rules_known(cls, kt, type);
}
