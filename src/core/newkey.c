/* SPDX-License-Identifier: Apache-2.0 */
/*
 * newkey.c - templates of the keys the fronts create (see newkey.h).
 *
 * The attribute values a template points to are constants here, fields of
 * the template, or the caller's fh_newkey: nothing is allocated. The order
 * of the attributes is fixed (common, then usages, then type-specific) so
 * that a front's error for a bad template is the same on every front.
 */
#include "ferrohsm/newkey.h"

#include <string.h>

static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static const uint8_t f4[] = {0x01, 0x00, 0x01}; /* public exponent 65537 */

static void
add(struct fh_newkey_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
    /* only called by init, whose attributes always fit (FH_NEWKEY_TMPL_MAX) */
    t->attrs[t->n++] = (CK_ATTRIBUTE){type, (void *)value, len};
}

static const CK_BBOOL *
use(const struct fh_newkey *nk, unsigned bit)
{
    return (nk->usage & bit) != 0 ? &yes : &no;
}

void
fh_newkey_tmpl_init(struct fh_newkey_tmpl *t, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt,
                    const struct fh_newkey *nk)
{
    const char *label = nk->label != NULL ? nk->label : "";

    memset(t, 0, sizeof(*t));
    t->cls = cls;
    t->key_type = kt;
    add(t, CKA_CLASS, &t->cls, sizeof(t->cls));
    add(t, CKA_KEY_TYPE, &t->key_type, sizeof(t->key_type));
    add(t, CKA_TOKEN, &yes, sizeof(CK_BBOOL));
    if (cls == CKO_PUBLIC_KEY) {
        add(t, CKA_LABEL, label, strlen(label));
        add(t, CKA_ID, nk->id, nk->id_len);
        add(t, CKA_VERIFY, use(nk, FH_USAGE_VERIFY), sizeof(CK_BBOOL));
        add(t, CKA_ENCRYPT, use(nk, FH_USAGE_ENCRYPT), sizeof(CK_BBOOL));
        add(t, CKA_WRAP, use(nk, FH_USAGE_WRAP), sizeof(CK_BBOOL));
        add(t, CKA_VERIFY_RECOVER, &no, sizeof(CK_BBOOL)); /* no usage word grants it */
        return;
    }
    add(t, CKA_PRIVATE, &yes, sizeof(CK_BBOOL));
    add(t, CKA_SENSITIVE, &yes, sizeof(CK_BBOOL));
    add(t, CKA_EXTRACTABLE, nk->extractable ? &yes : &no, sizeof(CK_BBOOL));
    add(t, CKA_LABEL, label, strlen(label));
    add(t, CKA_ID, nk->id, nk->id_len);
    add(t, CKA_SIGN, use(nk, FH_USAGE_SIGN), sizeof(CK_BBOOL));
    add(t, CKA_DECRYPT, use(nk, FH_USAGE_DECRYPT), sizeof(CK_BBOOL));
    add(t, CKA_UNWRAP, use(nk, FH_USAGE_UNWRAP), sizeof(CK_BBOOL));
    add(t, CKA_DERIVE, use(nk, FH_USAGE_DERIVE), sizeof(CK_BBOOL));
    if (cls == CKO_SECRET_KEY) {
        /* a secret key carries both directions (PKCS#11 v3.0 §4.10) */
        add(t, CKA_ENCRYPT, use(nk, FH_USAGE_ENCRYPT), sizeof(CK_BBOOL));
        add(t, CKA_VERIFY, use(nk, FH_USAGE_VERIFY), sizeof(CK_BBOOL));
        add(t, CKA_WRAP, use(nk, FH_USAGE_WRAP), sizeof(CK_BBOOL));
    } else {
        add(t, CKA_SIGN_RECOVER, &no, sizeof(CK_BBOOL));
    }
}

fh_rv
fh_newkey_tmpl_add(struct fh_newkey_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *value,
                   CK_ULONG len)
{
    if (t == NULL || t->n >= FH_NEWKEY_TMPL_MAX) {
        return FH_E_ARGS;
    }
    t->attrs[t->n++] = (CK_ATTRIBUTE){type, (void *)value, len};
    return FH_OK;
}

fh_rv
fh_newkey_tmpl_value_len(struct fh_newkey_tmpl *t, CK_ULONG len)
{
    if (t == NULL) {
        return FH_E_ARGS;
    }
    t->value_len = len;
    return fh_newkey_tmpl_add(t, CKA_VALUE_LEN, &t->value_len, sizeof(t->value_len));
}

fh_rv
fh_newkey_generate(fh_session *s, const struct fh_keytype_desc *kt, CK_ULONG value_len,
                   const struct fh_newkey *nk, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    struct fh_newkey_tmpl tp, tq;
    CK_MECHANISM mech;
    CK_OBJECT_HANDLE hp = CK_INVALID_HANDLE, hq = CK_INVALID_HANDLE;
    fh_rv rv;

    if (s == NULL || kt == NULL || nk == NULL) {
        return FH_E_ARGS;
    }
    mech = (CK_MECHANISM){kt->mech, NULL, 0};
    if (!kt->pair) {
        fh_newkey_tmpl_init(&tq, CKO_SECRET_KEY, kt->key_type, nk);
        rv = fh_newkey_tmpl_value_len(&tq, kt->key_type == CKK_AES ? kt->bits / 8 : value_len);
        if (rv == FH_OK) {
            rv = fh_key_generate(s, &mech, tq.attrs, tq.n, &hq);
        }
    } else {
        fh_newkey_tmpl_init(&tp, CKO_PUBLIC_KEY, kt->key_type, nk);
        if (kt->key_type == CKK_RSA) {
            tp.modulus_bits = kt->bits;
            rv = fh_newkey_tmpl_add(&tp, CKA_MODULUS_BITS, &tp.modulus_bits,
                                    sizeof(tp.modulus_bits));
            if (rv == FH_OK) {
                rv = fh_newkey_tmpl_add(&tp, CKA_PUBLIC_EXPONENT, f4, sizeof(f4));
            }
        } else if (kt->curve != NULL) {
            rv = fh_newkey_tmpl_add(&tp, CKA_EC_PARAMS, kt->curve->der, kt->curve->der_len);
        } else {
            rv = FH_E_ARGS; /* a pair type is RSA or has a curve */
        }
        fh_newkey_tmpl_init(&tq, CKO_PRIVATE_KEY, kt->key_type, nk);
        if (rv == FH_OK) {
            rv = fh_key_generate_pair(s, &mech, tp.attrs, tp.n, tq.attrs, tq.n, &hp, &hq);
        }
    }
    if (rv != FH_OK) {
        return rv;
    }
    if (pub != NULL) {
        *pub = hp;
    }
    if (priv != NULL) {
        *priv = hq;
    }
    return FH_OK;
}
