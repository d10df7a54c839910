/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attr_rules.c - the attribute rules of PKCS#11 v3.0 as one table.
 *
 * Each row names an attribute, the object classes (and key types) it belongs
 * to, the kind of its value and the specification's footnotes that apply
 * (PKCS#11 v3.0 §4.2, Table 11): 1/2 must / must not be given at
 * C_CreateObject, 3/4 at generation, 6 at unwrap, 7 never revealed when
 * sensitive or unextractable, 8 modifiable, 10 only the SO may set it to
 * true, 11/12 once true / false it stays so. RO marks attributes the token
 * computes (CKA_LOCAL, CKA_ALWAYS_SENSITIVE...), never set by a caller.
 */
#include "core-int.h"

#include <string.h>

enum {
    C_DATA = 1 << 0,
    C_CERT = 1 << 1,
    C_PUB = 1 << 2,
    C_PRIV = 1 << 3,
    C_SEC = 1 << 4,
    C_KEY = C_PUB | C_PRIV | C_SEC,
    C_ALL = C_DATA | C_CERT | C_KEY,
};

enum { KT_ANY = 0, KT_RSA, KT_EC, KT_SECRET };

enum { V_BYTES, V_BOOL, V_ULONG, V_DATE, V_MECHS };

#define R_CREATE (1u << 0) /* footnote 1 */
#define N_CREATE (1u << 1) /* footnote 2 */
#define R_GEN (1u << 2)    /* footnote 3 */
#define N_GEN (1u << 3)    /* footnote 4 */
#define N_UNWRAP (1u << 4) /* footnote 6 */
#define SENS (1u << 5)     /* footnote 7 */
#define MOD (1u << 6)      /* footnote 8 */
#define SO_TRUE (1u << 7)  /* footnote 10 */
#define STICKY_T (1u << 8) /* footnote 11 */
#define STICKY_F (1u << 9) /* footnote 12 */
#define RO (1u << 10)      /* computed by the token */
#define COPYMOD (1u << 11) /* may change during C_CopyObject */

struct rule {
    CK_ATTRIBUTE_TYPE type;
    unsigned classes;
    unsigned kt;
    unsigned kind;
    unsigned flags;
};

static const struct rule rules[] = {
    /* every object */
    {CKA_CLASS, C_ALL, KT_ANY, V_ULONG, 0},
    {CKA_TOKEN, C_ALL, KT_ANY, V_BOOL, COPYMOD},
    {CKA_PRIVATE, C_ALL, KT_ANY, V_BOOL, COPYMOD},
    {CKA_MODIFIABLE, C_ALL, KT_ANY, V_BOOL, COPYMOD | STICKY_F},
    {CKA_COPYABLE, C_ALL, KT_ANY, V_BOOL, COPYMOD | STICKY_F},
    {CKA_DESTROYABLE, C_ALL, KT_ANY, V_BOOL, COPYMOD},
    {CKA_LABEL, C_ALL, KT_ANY, V_BYTES, MOD},
    {CKA_UNIQUE_ID, C_ALL, KT_ANY, V_BYTES, RO},
    /* data */
    {CKA_APPLICATION, C_DATA, KT_ANY, V_BYTES, MOD},
    {CKA_OBJECT_ID, C_DATA, KT_ANY, V_BYTES, MOD},
    {CKA_VALUE, C_DATA, KT_ANY, V_BYTES, MOD},
    /* certificates (X.509 public key certificates) */
    {CKA_CERTIFICATE_TYPE, C_CERT, KT_ANY, V_ULONG, R_CREATE},
    {CKA_TRUSTED, C_CERT | C_PUB | C_SEC, KT_ANY, V_BOOL, SO_TRUE},
    {CKA_CERTIFICATE_CATEGORY, C_CERT, KT_ANY, V_ULONG, 0},
    {CKA_CHECK_VALUE, C_CERT | C_SEC, KT_ANY, V_BYTES, 0},
    {CKA_START_DATE, C_CERT | C_KEY, KT_ANY, V_DATE, MOD},
    {CKA_END_DATE, C_CERT | C_KEY, KT_ANY, V_DATE, MOD},
    {CKA_SUBJECT, C_CERT, KT_ANY, V_BYTES, R_CREATE},
    {CKA_SUBJECT, C_PUB | C_PRIV, KT_ANY, V_BYTES, MOD},
    {CKA_ID, C_CERT | C_KEY, KT_ANY, V_BYTES, MOD},
    {CKA_ISSUER, C_CERT, KT_ANY, V_BYTES, MOD},
    {CKA_SERIAL_NUMBER, C_CERT, KT_ANY, V_BYTES, MOD},
    {CKA_VALUE, C_CERT, KT_ANY, V_BYTES, R_CREATE},
    {CKA_URL, C_CERT, KT_ANY, V_BYTES, 0},
    {CKA_HASH_OF_SUBJECT_PUBLIC_KEY, C_CERT, KT_ANY, V_BYTES, 0},
    {CKA_HASH_OF_ISSUER_PUBLIC_KEY, C_CERT, KT_ANY, V_BYTES, 0},
    {CKA_NAME_HASH_ALGORITHM, C_CERT, KT_ANY, V_ULONG, 0},
    {CKA_JAVA_MIDP_SECURITY_DOMAIN, C_CERT, KT_ANY, V_ULONG, 0},
    {CKA_PUBLIC_KEY_INFO, C_CERT, KT_ANY, V_BYTES, 0},
    /* every key */
    {CKA_KEY_TYPE, C_KEY, KT_ANY, V_ULONG, R_CREATE},
    {CKA_DERIVE, C_KEY, KT_ANY, V_BOOL, MOD},
    {CKA_LOCAL, C_KEY, KT_ANY, V_BOOL, RO},
    {CKA_KEY_GEN_MECHANISM, C_KEY, KT_ANY, V_ULONG, RO},
    {CKA_ALLOWED_MECHANISMS, C_KEY, KT_ANY, V_MECHS, 0},
    {CKA_PUBLIC_KEY_INFO, C_PUB | C_PRIV, KT_ANY, V_BYTES, RO},
    /* public keys */
    {CKA_ENCRYPT, C_PUB | C_SEC, KT_ANY, V_BOOL, MOD},
    {CKA_VERIFY, C_PUB | C_SEC, KT_ANY, V_BOOL, MOD},
    {CKA_VERIFY_RECOVER, C_PUB, KT_ANY, V_BOOL, MOD},
    {CKA_WRAP, C_PUB | C_SEC, KT_ANY, V_BOOL, MOD},
    /* private and secret keys */
    {CKA_SENSITIVE, C_PRIV | C_SEC, KT_ANY, V_BOOL, MOD | STICKY_T},
    {CKA_DECRYPT, C_PRIV | C_SEC, KT_ANY, V_BOOL, MOD},
    {CKA_SIGN, C_PRIV | C_SEC, KT_ANY, V_BOOL, MOD},
    {CKA_SIGN_RECOVER, C_PRIV, KT_ANY, V_BOOL, MOD},
    {CKA_UNWRAP, C_PRIV | C_SEC, KT_ANY, V_BOOL, MOD},
    {CKA_EXTRACTABLE, C_PRIV | C_SEC, KT_ANY, V_BOOL, MOD | STICKY_F},
    {CKA_ALWAYS_SENSITIVE, C_PRIV | C_SEC, KT_ANY, V_BOOL, RO},
    {CKA_NEVER_EXTRACTABLE, C_PRIV | C_SEC, KT_ANY, V_BOOL, RO},
    {CKA_WRAP_WITH_TRUSTED, C_PRIV | C_SEC, KT_ANY, V_BOOL, MOD | STICKY_T},
    {CKA_ALWAYS_AUTHENTICATE, C_PRIV, KT_ANY, V_BOOL, 0},
    /* RSA */
    {CKA_MODULUS, C_PUB | C_PRIV, KT_RSA, V_BYTES, R_CREATE | N_GEN | N_UNWRAP},
    {CKA_MODULUS_BITS, C_PUB, KT_RSA, V_ULONG, N_CREATE | R_GEN},
    {CKA_PUBLIC_EXPONENT, C_PUB, KT_RSA, V_BYTES, R_CREATE},
    {CKA_PUBLIC_EXPONENT, C_PRIV, KT_RSA, V_BYTES, N_GEN | N_UNWRAP},
    {CKA_PRIVATE_EXPONENT, C_PRIV, KT_RSA, V_BYTES, R_CREATE | N_GEN | N_UNWRAP | SENS},
    {CKA_PRIME_1, C_PRIV, KT_RSA, V_BYTES, N_GEN | N_UNWRAP | SENS},
    {CKA_PRIME_2, C_PRIV, KT_RSA, V_BYTES, N_GEN | N_UNWRAP | SENS},
    {CKA_EXPONENT_1, C_PRIV, KT_RSA, V_BYTES, N_GEN | N_UNWRAP | SENS},
    {CKA_EXPONENT_2, C_PRIV, KT_RSA, V_BYTES, N_GEN | N_UNWRAP | SENS},
    {CKA_COEFFICIENT, C_PRIV, KT_RSA, V_BYTES, N_GEN | N_UNWRAP | SENS},
    /* EC and Edwards */
    {CKA_EC_PARAMS, C_PUB, KT_EC, V_BYTES, R_CREATE | R_GEN},
    {CKA_EC_POINT, C_PUB, KT_EC, V_BYTES, R_CREATE | N_GEN},
    {CKA_EC_PARAMS, C_PRIV, KT_EC, V_BYTES, R_CREATE | N_GEN | N_UNWRAP},
    {CKA_VALUE, C_PRIV, KT_EC, V_BYTES, R_CREATE | N_GEN | N_UNWRAP | SENS},
    /* secret keys */
    {CKA_VALUE, C_SEC, KT_SECRET, V_BYTES, R_CREATE | N_GEN | N_UNWRAP | SENS},
    {CKA_VALUE_LEN, C_SEC, KT_SECRET, V_ULONG, N_CREATE},
    /* vendor-defined (vendor.h): a server's import transport key, marked at generation */
    {FH_CKA_IMPORT_TRANSPORT, C_PUB | C_PRIV, KT_RSA, V_BOOL, N_CREATE | N_UNWRAP},
};

static unsigned
class_bit(CK_OBJECT_CLASS cls)
{
    switch (cls) {
    case CKO_DATA: return C_DATA;
    case CKO_CERTIFICATE: return C_CERT;
    case CKO_PUBLIC_KEY: return C_PUB;
    case CKO_PRIVATE_KEY: return C_PRIV;
    case CKO_SECRET_KEY: return C_SEC;
    default: return 0;
    }
}

static unsigned
kt_group(CK_KEY_TYPE kt)
{
    switch (kt) {
    case CKK_RSA: return KT_RSA;
    case CKK_EC:
    case CKK_EC_EDWARDS: return KT_EC;
    case CKK_AES:
    case CKK_GENERIC_SECRET: return KT_SECRET;
    default: return KT_ANY;
    }
}

static const struct rule *
find_rule(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type)
{
    unsigned cb = class_bit(cls), g = kt_group(kt);

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (rules[i].type == type && (rules[i].classes & cb) != 0 &&
            (rules[i].kt == KT_ANY || rules[i].kt == g)) {
            return &rules[i];
        }
    }
    return NULL;
}

bool
fhi_rules_known(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type)
{
    return find_rule(cls, kt, type) != NULL;
}

bool
fhi_rules_value_is_secret(CK_OBJECT_CLASS cls, const struct fh_attrs *attrs)
{
    if (cls == CKO_SECRET_KEY || cls == CKO_PRIVATE_KEY) {
        return true;
    }
    return cls == CKO_DATA && fh_attrs_bool(attrs, CKA_PRIVATE, false);
}

bool
fhi_rules_readable(const struct fhi_obj *o, CK_ATTRIBUTE_TYPE type)
{
    const struct rule *r = find_rule(o->cls, o->kt, type);

    if (r == NULL || (r->flags & SENS) == 0) {
        return true;
    }
    return !fh_attrs_bool(&o->attrs, CKA_SENSITIVE, true) &&
           fh_attrs_bool(&o->attrs, CKA_EXTRACTABLE, false);
}

static fh_rv
check_value(const struct rule *r, const CK_ATTRIBUTE *a)
{
    if (a->pValue == NULL && a->ulValueLen > 0) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    if (a->ulValueLen > FH_ATTR_MAX_VALUE) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    switch (r->kind) {
    case V_BOOL:
        if (a->ulValueLen != sizeof(CK_BBOOL) ||
            (*(const CK_BBOOL *)a->pValue != CK_TRUE && *(const CK_BBOOL *)a->pValue != CK_FALSE)) {
            return FH_E_ATTR_VALUE_INVALID;
        }
        break;
    case V_ULONG:
        if (a->ulValueLen != sizeof(CK_ULONG)) {
            return FH_E_ATTR_VALUE_INVALID;
        }
        break;
    case V_DATE:
        if (a->ulValueLen != 0 && a->ulValueLen != sizeof(CK_DATE)) {
            return FH_E_ATTR_VALUE_INVALID;
        }
        break;
    case V_MECHS:
        if (a->ulValueLen % sizeof(CK_MECHANISM_TYPE) != 0) {
            return FH_E_ATTR_VALUE_INVALID;
        }
        break;
    case V_BYTES:
        break;
    }
    return FH_OK;
}

static bool
tmpl_bool(const CK_ATTRIBUTE *a)
{
    return *(const CK_BBOOL *)a->pValue != CK_FALSE;
}

fh_rv
fhi_rules_apply(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, enum fhi_tmpl_op op,
                const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool so_logged_in, struct fh_attrs *attrs)
{
    fh_rv rv;

    if (n > 0 && tmpl == NULL) {
        return FH_E_ARGS;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        const CK_ATTRIBUTE *a = &tmpl[i];
        const struct rule *r = find_rule(cls, kt, a->type);
        bool creating = op != FHI_TMPL_SET && op != FHI_TMPL_COPY;

        if (r == NULL) {
            return FH_E_ATTR_TYPE_INVALID;
        }
        rv = check_value(r, a);
        if (rv != FH_OK) {
            return rv;
        }
        if (a->type == CKA_CLASS || a->type == CKA_KEY_TYPE) {
            CK_ULONG v;

            memcpy(&v, a->pValue, sizeof(v)); /* the caller's buffer may be unaligned */

            if (!creating) {
                return FH_E_ATTR_READ_ONLY;
            }
            if (v != (a->type == CKA_CLASS ? cls : kt)) {
                return FH_E_TEMPLATE_INCONSISTENT;
            }
        }
        if ((r->flags & RO) != 0) {
            return FH_E_ATTR_READ_ONLY;
        }
        switch (op) {
        case FHI_TMPL_CREATE:
            if ((r->flags & N_CREATE) != 0) {
                return FH_E_TEMPLATE_INCONSISTENT;
            }
            break;
        case FHI_TMPL_GENERATE:
            if ((r->flags & N_GEN) != 0) {
                return FH_E_TEMPLATE_INCONSISTENT;
            }
            break;
        case FHI_TMPL_UNWRAP:
        case FHI_TMPL_DERIVE:
            if ((r->flags & N_UNWRAP) != 0) {
                return FH_E_TEMPLATE_INCONSISTENT;
            }
            break;
        case FHI_TMPL_SET:
            if ((r->flags & MOD) == 0) {
                return FH_E_ATTR_READ_ONLY;
            }
            break;
        case FHI_TMPL_COPY:
            if ((r->flags & (MOD | COPYMOD)) == 0) {
                return FH_E_ATTR_READ_ONLY;
            }
            break;
        }
        if (r->kind == V_BOOL) {
            bool nv = tmpl_bool(a);
            const struct fh_attr *cur = fh_attrs_get(attrs, a->type);
            bool has_cur = !creating && cur != NULL;
            bool cv = has_cur && fh_attrs_bool(attrs, a->type, false);

            if ((r->flags & SO_TRUE) != 0 && nv && !so_logged_in) {
                return FH_E_ATTR_READ_ONLY;
            }
            if (has_cur && (r->flags & STICKY_T) != 0 && cv && !nv) {
                return FH_E_ATTR_READ_ONLY;
            }
            if (has_cur && (r->flags & STICKY_F) != 0 && !cv && nv) {
                return FH_E_ATTR_READ_ONLY;
            }
        }
        rv = fh_attrs_set(attrs, a->type, a->pValue, a->ulValueLen);
        if (rv != FH_OK) {
            return rv;
        }
    }
    if (op == FHI_TMPL_CREATE || op == FHI_TMPL_GENERATE) {
        unsigned need = op == FHI_TMPL_CREATE ? R_CREATE : R_GEN;
        unsigned cb = class_bit(cls), g = kt_group(kt);

        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
            const struct rule *r = &rules[i];

            if ((r->flags & need) != 0 && (r->classes & cb) != 0 &&
                (r->kt == KT_ANY || r->kt == g) && r->type != CKA_CLASS &&
                r->type != CKA_KEY_TYPE && fh_attrs_get(attrs, r->type) == NULL) {
                return FH_E_TEMPLATE_INCOMPLETE;
            }
        }
    }
    return FH_OK;
}

static fh_rv
def_bool(struct fh_attrs *a, CK_ATTRIBUTE_TYPE t, bool v)
{
    return fh_attrs_get(a, t) != NULL ? FH_OK : fh_attrs_set_bool(a, t, v);
}

static fh_rv
def_bytes(struct fh_attrs *a, CK_ATTRIBUTE_TYPE t)
{
    return fh_attrs_get(a, t) != NULL ? FH_OK : fh_attrs_set(a, t, NULL, 0);
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        fh_rv try_rv_ = (x);                                                                       \
        if (try_rv_ != FH_OK) {                                                                    \
            return try_rv_;                                                                        \
        }                                                                                          \
    } while (0)

fh_rv
fhi_rules_defaults(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, enum fhi_tmpl_op op,
                   struct fh_attrs *a)
{
    bool secretish = cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY;
    bool generated = op == FHI_TMPL_GENERATE;

    TRY(fh_attrs_set_ulong(a, CKA_CLASS, cls));
    TRY(def_bool(a, CKA_TOKEN, false));
    TRY(def_bool(a, CKA_PRIVATE, secretish));
    TRY(def_bool(a, CKA_MODIFIABLE, true));
    TRY(def_bool(a, CKA_COPYABLE, true));
    TRY(def_bool(a, CKA_DESTROYABLE, true));
    TRY(def_bytes(a, CKA_LABEL));
    switch (cls) {
    case CKO_DATA:
        TRY(def_bytes(a, CKA_APPLICATION));
        TRY(def_bytes(a, CKA_OBJECT_ID));
        return FH_OK;
    case CKO_CERTIFICATE:
        TRY(def_bool(a, CKA_TRUSTED, false));
        if (fh_attrs_get(a, CKA_CERTIFICATE_CATEGORY) == NULL) {
            TRY(fh_attrs_set_ulong(a, CKA_CERTIFICATE_CATEGORY, 0));
        }
        TRY(def_bytes(a, CKA_ID));
        TRY(def_bytes(a, CKA_ISSUER));
        TRY(def_bytes(a, CKA_SERIAL_NUMBER));
        TRY(def_bytes(a, CKA_START_DATE));
        TRY(def_bytes(a, CKA_END_DATE));
        return FH_OK;
    default:
        break;
    }
    /* keys */
    TRY(fh_attrs_set_ulong(a, CKA_KEY_TYPE, kt));
    TRY(def_bytes(a, CKA_ID));
    TRY(def_bytes(a, CKA_START_DATE));
    TRY(def_bytes(a, CKA_END_DATE));
    TRY(def_bool(a, CKA_DERIVE, false));
    TRY(fh_attrs_set_bool(a, CKA_LOCAL, generated));
    if (fh_attrs_get(a, CKA_KEY_GEN_MECHANISM) == NULL) {
        TRY(fh_attrs_set_ulong(a, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION));
    }
    TRY(def_bytes(a, CKA_ALLOWED_MECHANISMS));
    if (cls == CKO_PUBLIC_KEY) {
        TRY(def_bytes(a, CKA_SUBJECT));
        TRY(def_bool(a, CKA_ENCRYPT, true));
        TRY(def_bool(a, CKA_VERIFY, true));
        TRY(def_bool(a, CKA_VERIFY_RECOVER, false));
        TRY(def_bool(a, CKA_WRAP, true));
        TRY(def_bool(a, CKA_TRUSTED, false));
        return FH_OK;
    }
    /* private and secret keys: sensitive and unextractable unless asked */
    TRY(def_bool(a, CKA_SENSITIVE, true));
    TRY(def_bool(a, CKA_EXTRACTABLE, false));
    TRY(def_bool(a, CKA_DECRYPT, true));
    TRY(def_bool(a, CKA_SIGN, true));
    TRY(def_bool(a, CKA_UNWRAP, true));
    TRY(def_bool(a, CKA_WRAP_WITH_TRUSTED, false));
    TRY(fh_attrs_set_bool(a, CKA_ALWAYS_SENSITIVE,
                          generated && fh_attrs_bool(a, CKA_SENSITIVE, true)));
    TRY(fh_attrs_set_bool(a, CKA_NEVER_EXTRACTABLE,
                          generated && !fh_attrs_bool(a, CKA_EXTRACTABLE, false)));
    if (cls == CKO_PRIVATE_KEY) {
        TRY(def_bytes(a, CKA_SUBJECT));
        TRY(def_bool(a, CKA_SIGN_RECOVER, false)); /* no recover mechanism exists */
        TRY(def_bool(a, CKA_ALWAYS_AUTHENTICATE, false));
    } else {
        TRY(def_bool(a, CKA_ENCRYPT, true));
        TRY(def_bool(a, CKA_VERIFY, true));
        TRY(def_bool(a, CKA_WRAP, true));
        TRY(def_bool(a, CKA_TRUSTED, false));
    }
    return FH_OK;
}

const CK_ATTRIBUTE *
fhi_tmpl_find(const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
    const CK_ATTRIBUTE *found = NULL;

    for (CK_ULONG i = 0; tmpl != NULL && i < n; i++) {
        if (tmpl[i].type == type) {
            found = &tmpl[i]; /* the last one wins, as in fhi_rules_apply */
        }
    }
    return found;
}

fh_rv
fhi_tmpl_ulong(const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_ATTRIBUTE_TYPE type, bool *found,
               CK_ULONG *out)
{
    const CK_ATTRIBUTE *a = fhi_tmpl_find(tmpl, n, type);

    *found = false;
    if (a == NULL) {
        return FH_OK;
    }
    if (a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG)) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    memcpy(out, a->pValue, sizeof(*out));
    *found = true;
    return FH_OK;
}

void
fhi_rules_strip_secret(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, struct fh_attrs *attrs)
{
    unsigned cb = class_bit(cls), g = kt_group(kt);

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        const struct rule *r = &rules[i];

        if ((r->flags & SENS) != 0 && (r->classes & cb) != 0 &&
            (r->kt == KT_ANY || r->kt == g)) {
            fh_attrs_del(attrs, r->type);
        }
    }
}

bool
fhi_rules_is_secret_component(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type)
{
    const struct rule *r = find_rule(cls, kt, type);

    return r != NULL && (r->flags & SENS) != 0;
}
