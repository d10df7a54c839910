/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_obj.c - objects of a remote slot: C_FindObjects*, attributes, key
 * generation, public-key creation (C_CreateObject, through remote_spki.c;
 * secret and private keys go wrapped, remote_import.c), renaming and
 * destruction over the REST key routes.
 *
 * What the REST API can express decides what a remote slot accepts; the
 * rest is refused, never changed silently (docs/pkcs11.md "Remote slots"):
 *   - Only token objects: a template without CKA_TOKEN = true is
 *     CKR_TEMPLATE_INCOMPLETE (absent: PKCS#11's default is a session
 *     object) or CKR_ATTRIBUTE_VALUE_INVALID (false).
 *   - A new key needs a CKA_LABEL (the server names keys by label); a pair's
 *     two templates may not disagree on label or id.
 *   - Private and secret keys are CKA_PRIVATE and CKA_SENSITIVE: false in a
 *     template is CKR_TEMPLATE_INCONSISTENT. CKA_EXTRACTABLE is carried.
 *   - An attribute the class and key type do not have is
 *     CKR_ATTRIBUTE_TYPE_INVALID (§4.1.1 rule 1, the core's attribute table,
 *     as on a local token); any other attribute outside the ones a REST body
 *     carries is CKR_TEMPLATE_INCONSISTENT, unless it only restates a
 *     default.
 *   - Key values never leave the server: CKA_VALUE and the private RSA
 *     components read as CKR_ATTRIBUTE_SENSITIVE.
 *   - The server deletes and renames a key pair as one key: C_DestroyObject
 *     on one half destroys both (the other half's handle then accepts only
 *     C_DestroyObject, which succeeds); C_SetAttributeValue sets CKA_LABEL
 *     only, on both halves.
 *
 * Attributes come from GET .../keys/{key} (the ATTRS objects, key show
 * --json) and are turned back into their PKCS#11 encoding through the
 * core's display table (describe.h), so the two stay one definition.
 */
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/mech.h"
#include "ferrohsm/tmplwrap.h"

#define PAGE "1000"

const CK_ATTRIBUTE *
p11r_attr_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
    for (CK_ULONG i = 0; i < n; i++) {
        if (t[i].type == type) {
            return &t[i];
        }
    }
    return NULL;
}

/* A CK_BBOOL attribute: 1 true, 0 false, -1 absent, -2 malformed. */
static int
attr_bool(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
    const CK_ATTRIBUTE *a = p11r_attr_find(t, n, type);

    if (a == NULL) {
        return -1;
    }
    if (a->pValue == NULL || a->ulValueLen != sizeof(CK_BBOOL)) {
        return -2;
    }
    return *(const CK_BBOOL *)a->pValue ? 1 : 0;
}

static bool
attr_ulong(const CK_ATTRIBUTE *a, CK_ULONG *v)
{
    if (a == NULL || a->pValue == NULL || a->ulValueLen != sizeof(CK_ULONG)) {
        return false;
    }
    memcpy(v, a->pValue, sizeof(*v));
    return true;
}

/* ---- JSON attribute values back to PKCS#11 bytes ---- */

static bool
hex_decode(const char *s, uint8_t *out, size_t *len)
{
    size_t n = strlen(s);

    if (n % 2 != 0) {
        return false;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;

        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            return false;
        }
        if (out != NULL) {
            out[i] = (uint8_t)v;
        }
    }
    *len = n / 2;
    return true;
}

/* A "CKO_..."/"CKK_..."/mechanism name, or "0x..", to its number. */
static bool
name_ulong(enum fh_attr_kind kind, const char *s, CK_ULONG *v)
{
    if (strncmp(s, "0x", 2) == 0) {
        *v = strtoul(s + 2, NULL, 16);
        return true;
    }
    if (kind == FH_ATTR_KIND_MECH || kind == FH_ATTR_KIND_MECHS) {
        CK_MECHANISM_TYPE m;

        if (fh_mech_from_name(s, &m) != FH_OK) {
            return false;
        }
        *v = m;
        return true;
    }
    for (CK_ULONG i = 0; i < 0x100; i++) {
        const char *n = kind == FH_ATTR_KIND_CLASS ? fh_class_name(i) : fh_key_type_name(i);

        if (n != NULL && strcmp(n, s) == 0) {
            *v = i;
            return true;
        }
    }
    return false;
}

/*
 * The PKCS#11 value of one rendered attribute into buf (NULL: length only).
 * false when the JSON does not have the shape its kind renders.
 */
static bool
attr_value(const struct fh_attr_show *a, json_t *v, uint8_t *buf, size_t *len)
{
    CK_ULONG u = 0;
    size_t i;
    json_t *e;

    switch (a->kind) {
    case FH_ATTR_KIND_BOOL:
        if (!json_is_boolean(v)) {
            return false;
        }
        if (buf != NULL) {
            buf[0] = json_is_true(v) ? CK_TRUE : CK_FALSE;
        }
        *len = 1;
        return true;
    case FH_ATTR_KIND_ULONG:
        if (json_is_string(v)) {
            return hex_decode(json_string_value(v), buf, len);
        }
        if (!json_is_integer(v)) {
            return false;
        }
        u = (CK_ULONG)json_integer_value(v);
        break;
    case FH_ATTR_KIND_CLASS:
    case FH_ATTR_KIND_KEYTYPE:
    case FH_ATTR_KIND_MECH:
        if (!json_is_string(v) || !name_ulong(a->kind, json_string_value(v), &u)) {
            return false;
        }
        break;
    case FH_ATTR_KIND_MECHS:
        if (!json_is_array(v)) {
            return false;
        }
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e) || !name_ulong(a->kind, json_string_value(e), &u)) {
                return false;
            }
            if (buf != NULL) {
                memcpy(buf + i * sizeof(u), &u, sizeof(u));
            }
        }
        *len = json_array_size(v) * sizeof(u);
        return true;
    case FH_ATTR_KIND_TEXT:
        if (!json_is_string(v)) {
            return false;
        }
        *len = json_string_length(v);
        if (buf != NULL) {
            memcpy(buf, json_string_value(v), *len);
        }
        return true;
    case FH_ATTR_KIND_HEX:
        return json_is_string(v) && hex_decode(json_string_value(v), buf, len);
    }
    if (buf != NULL) {
        memcpy(buf, &u, sizeof(u));
    }
    *len = sizeof(u);
    return true;
}

static const struct fh_attr_show *
show_of(CK_ATTRIBUTE_TYPE type)
{
    for (size_t i = 0; i < fh_attr_show_count(); i++) {
        if (fh_attr_show_at(i)->type == type) {
            return fh_attr_show_at(i);
        }
    }
    return NULL;
}

/* Key material no REST answer carries: sensitive on private and secret keys. */
static bool
is_secret_part(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE t)
{
    if (cls == CKO_SECRET_KEY) {
        return t == CKA_VALUE;
    }
    if (cls != CKO_PRIVATE_KEY) {
        return false;
    }
    if (kt == CKK_RSA) {
        return t == CKA_PRIVATE_EXPONENT || t == CKA_PRIME_1 || t == CKA_PRIME_2 ||
               t == CKA_EXPONENT_1 || t == CKA_EXPONENT_2 || t == CKA_COEFFICIENT;
    }
    return t == CKA_VALUE; /* EC, EdDSA, Montgomery: the scalar; an RSA key has no CKA_VALUE */
}

/* The ATTRS object of o's class from GET .../keys/{key}; *resp holds it. */
static fh_rv
attrs_fetch(const struct p11r_obj *o, struct fh_client_resp *resp, json_t **out)
{
    char *path = p11r_key_path(o, NULL);
    const char *want = fh_class_name(o->cls);
    json_t *objs, *a;
    size_t i;
    fh_rv rv;

    if (path == NULL) {
        memset(resp, 0, sizeof(*resp));
        return FH_E_NOMEM;
    }
    rv = p11r_request(o->slot, "GET", path, NULL, resp);
    free(path);
    if (rv != FH_OK) {
        return rv;
    }
    objs = json_object_get(json_object_get(resp->json, "key"), "objects");
    json_array_foreach(objs, i, a)
    {
        const char *cls = json_string_value(json_object_get(a, "CKA_CLASS"));

        if (cls != NULL && want != NULL && strcmp(cls, want) == 0) {
            *out = a;
            return FH_OK;
        }
    }
    return FH_E_OBJECT_HANDLE_INVALID; /* that half is gone */
}

/*
 * Fill one template entry from ATTRS (§5.7.5 rules): the CK_RV of this
 * entry, ulValueLen set (CK_UNAVAILABLE_INFORMATION when it has no value).
 */
static CK_RV
attr_fill(const struct p11r_obj *o, json_t *attrs, CK_ATTRIBUTE *t)
{
    const struct fh_attr_show *a = show_of(t->type);
    json_t *v = a != NULL ? json_object_get(attrs, a->name) : NULL;
    size_t len = 0;

    if (v == NULL) {
        t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return is_secret_part(o->cls, o->kt, t->type) ? CKR_ATTRIBUTE_SENSITIVE
                                               : CKR_ATTRIBUTE_TYPE_INVALID;
    }
    if (!attr_value(a, v, NULL, &len)) {
        t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_DEVICE_ERROR; /* the server answered something else than documented */
    }
    if (t->pValue == NULL) {
        t->ulValueLen = len;
        return CKR_OK;
    }
    if (t->ulValueLen < len) {
        t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_BUFFER_TOO_SMALL;
    }
    (void)attr_value(a, v, t->pValue, &len);
    t->ulValueLen = len;
    return CKR_OK;
}

static int
rank(CK_RV rv)
{
    return rv == CKR_DEVICE_ERROR          ? 4
           : rv == CKR_ATTRIBUTE_SENSITIVE ? 3
           : rv == CKR_ATTRIBUTE_TYPE_INVALID ? 2
           : rv == CKR_BUFFER_TOO_SMALL    ? 1
                                           : 0;
}

/* The object h as the session may see it: private and secret keys need a user. */
static CK_RV
visible(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h, struct p11r_obj *o)
{
    fh_rv rv = p11r_obj_get(r, s->slot, h, o);

    if (rv != FH_OK) {
        return CKR_OBJECT_HANDLE_INVALID;
    }
    if (o->cls != CKO_PUBLIC_KEY && !p11r_user(s)) {
        return CKR_OBJECT_HANDLE_INVALID; /* invisible, as a private object is locally */
    }
    return CKR_OK;
}

CK_RV
p11r_get_attrs(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE *t,
               CK_ULONG n)
{
    struct fh_client_resp resp;
    struct p11r_obj o;
    json_t *attrs = NULL;
    CK_RV rv = visible(r, s, h, &o), worst = CKR_OK;
    fh_rv frv;

    if (rv != CKR_OK) {
        return rv;
    }
    frv = attrs_fetch(&o, &resp, &attrs);
    if (frv != FH_OK) {
        fh_client_resp_clear(&resp);
        return fh_rv_to_ckr(frv, FH_P11_CTX_OBJECT);
    }
    for (CK_ULONG i = 0; i < n; i++) {
        CK_RV one = attr_fill(&o, attrs, &t[i]);

        /* §5.7.5: every entry is processed; one error is returned, the gravest */
        if (rank(one) > rank(worst)) {
            worst = one;
        }
    }
    fh_client_resp_clear(&resp);
    return worst;
}

CK_RV
p11r_object_size(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h, CK_ULONG *size)
{
    struct p11r_obj o;
    CK_RV rv = visible(r, s, h, &o);

    if (rv == CKR_OK) {
        *size = CK_UNAVAILABLE_INFORMATION; /* §5.7.4: the size on the server is not known */
    }
    return rv;
}

/* ---- C_FindObjects* ---- */

/* Attributes a listing entry answers without fetching the key. */
static int
match_cheap(const struct p11r_obj *o, const CK_ATTRIBUTE *a)
{
    CK_ULONG u;
    unsigned bit;

    switch (a->type) {
    case CKA_CLASS: return attr_ulong(a, &u) && u == o->cls;
    case CKA_KEY_TYPE: return attr_ulong(a, &u) && u == o->kt;
    case CKA_TOKEN: return a->ulValueLen == 1 && a->pValue != NULL && *(CK_BBOOL *)a->pValue;
    case CKA_LABEL:
        return a->ulValueLen == strlen(o->label) &&
               (a->ulValueLen == 0 || memcmp(a->pValue, o->label, a->ulValueLen) == 0);
    case CKA_ID:
        return a->ulValueLen == o->id_len &&
               (o->id_len == 0 || memcmp(a->pValue, o->id, o->id_len) == 0);
    default: break;
    }
    for (bit = 1; bit <= FH_USAGE_DERIVE; bit <<= 1) {
        if (fh_usage_attr(bit) == a->type && (fh_usage_for_class(o->cls) & bit) != 0) {
            bool want = a->ulValueLen == 1 && a->pValue != NULL && *(CK_BBOOL *)a->pValue;

            return want == ((o->usage & bit) != 0);
        }
    }
    return -1; /* needs the key's attributes */
}

static bool
match_full(const struct p11r_obj *o, json_t *attrs, const CK_ATTRIBUTE *a)
{
    CK_ATTRIBUTE t = {a->type, NULL, 0};
    uint8_t *buf;
    bool ok;

    if (attr_fill(o, attrs, &t) != CKR_OK || t.ulValueLen != a->ulValueLen) {
        return false;
    }
    buf = malloc(t.ulValueLen + 1);
    if (buf == NULL) {
        return false;
    }
    t.pValue = buf;
    ok = attr_fill(o, attrs, &t) == CKR_OK &&
         (t.ulValueLen == 0 || memcmp(buf, a->pValue, t.ulValueLen) == 0);
    free(buf);
    return ok;
}

/* Whether o matches the template; fetches its attributes only when needed. */
static fh_rv
matches(const struct p11r_obj *o, const CK_ATTRIBUTE *t, CK_ULONG n, bool *out)
{
    struct fh_client_resp resp;
    json_t *attrs = NULL;
    bool fetched = false;
    fh_rv rv = FH_OK;

    memset(&resp, 0, sizeof(resp));
    *out = true;
    for (CK_ULONG i = 0; i < n && *out; i++) {
        int m = match_cheap(o, &t[i]);

        if (m >= 0) {
            *out = m == 1;
            continue;
        }
        if (!fetched) {
            rv = attrs_fetch(o, &resp, &attrs);
            fetched = true;
            if (rv != FH_OK) {
                *out = false;
                rv = rv == FH_E_OBJECT_HANDLE_INVALID || rv == FH_E_KEY_HANDLE_INVALID ? FH_OK : rv;
                break; /* deleted meanwhile: not a match */
            }
        }
        *out = match_full(o, attrs, &t[i]);
    }
    fh_client_resp_clear(&resp);
    return rv;
}

static fh_rv
find_push(struct p11r_find *f, size_t *cap, CK_OBJECT_HANDLE h)
{
    if (f->n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        CK_OBJECT_HANDLE *v = realloc(f->v, c * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        f->v = v;
        *cap = c;
    }
    f->v[f->n++] = h;
    return FH_OK;
}

/* The listing's query: the server filters by class and label where the template fixes them. */
static char *
list_query(const CK_ATTRIBUTE *t, CK_ULONG n, const char *after, bool *none)
{
    const CK_ATTRIBUTE *c = p11r_attr_find(t, n, CKA_CLASS);
    const CK_ATTRIBUTE *l = p11r_attr_find(t, n, CKA_LABEL);
    char *label = NULL, *lab_enc = NULL, *after_enc = NULL, *q;
    const char *cls = NULL;
    CK_ULONG u;
    size_t len;

    *none = false;
    if (c != NULL) {
        cls = attr_ulong(c, &u) ? fh_class_short_name(u) : NULL;
        if (cls == NULL) {
            *none = true; /* no other class lives on a remote slot */
            return NULL;
        }
    }
    if (l != NULL && l->pValue != NULL && l->ulValueLen > 0 && l->ulValueLen <= P11R_LABEL_MAX &&
        memchr(l->pValue, 0, l->ulValueLen) == NULL) {
        label = calloc(1, l->ulValueLen + 1);
        if (label != NULL) {
            memcpy(label, l->pValue, l->ulValueLen);
            lab_enc = fh_client_url_encode(label);
        }
    }
    after_enc = after != NULL ? fh_client_url_encode(after) : NULL;
    len = 64 + (lab_enc ? strlen(lab_enc) : 0) + (after_enc ? strlen(after_enc) : 0);
    q = malloc(len);
    if (q != NULL) {
        snprintf(q, len, "/keys?limit=" PAGE "%s%s%s%s%s%s", cls ? "&class=" : "", cls ? cls : "",
                 lab_enc ? "&label=" : "", lab_enc ? lab_enc : "", after_enc ? "&after=" : "",
                 after_enc ? after_enc : "");
    }
    free(label);
    free(lab_enc);
    free(after_enc);
    return q;
}

CK_RV
p11r_find_init(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t, CK_ULONG n)
{
    struct p11r_find f = {false, NULL, 0, 0};
    char *after = NULL;
    size_t cap = 0;
    bool user = p11r_user(s), none = false;
    fh_rv rv = FH_OK;

    if (s->find.active) {
        return CKR_OPERATION_ACTIVE; /* §5.7.7 */
    }
    for (;;) {
        struct fh_client_resp resp;
        char *q = list_query(t, n, after, &none), *path;
        json_t *keys, *ko, *next;
        size_t i;

        if (none) {
            break;
        }
        path = q != NULL ? p11r_token_path(s->slot, q) : NULL;
        free(q);
        if (path == NULL) {
            rv = FH_E_NOMEM;
            break;
        }
        rv = p11r_request(s->slot, "GET", path, NULL, &resp);
        free(path);
        keys = json_object_get(resp.json, "keys");
        json_array_foreach(keys, i, ko)
        {
            struct p11r_obj o;
            bool m = false;
            CK_OBJECT_HANDLE h;

            if (rv != FH_OK) {
                break;
            }
            rv = p11r_obj_from_json(s->slot, ko, &o);
            if (rv != FH_OK || (o.cls != CKO_PUBLIC_KEY && !user)) {
                continue; /* private and secret keys: only in a user session */
            }
            rv = matches(&o, t, n, &m);
            if (rv == FH_OK && m) {
                rv = p11r_obj_intern(r, &o, &h);
                rv = rv == FH_OK ? find_push(&f, &cap, h) : rv;
            }
        }
        next = json_object_get(resp.json, "next");
        free(after);
        after = rv == FH_OK && json_is_string(next) ? strdup(json_string_value(next)) : NULL;
        fh_client_resp_clear(&resp);
        if (rv != FH_OK || after == NULL) {
            break;
        }
    }
    free(after);
    if (rv != FH_OK) {
        free(f.v);
        return fh_rv_to_ckr(rv, FH_P11_CTX_FIND);
    }
    f.active = true;
    s->find = f;
    return CKR_OK;
}

CK_RV
p11r_find_next(struct p11r_session *s, CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *count)
{
    CK_ULONG k = 0;

    if (!s->find.active) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    while (k < max && s->find.pos < s->find.n) {
        out[k++] = s->find.v[s->find.pos++];
    }
    *count = k;
    return CKR_OK;
}

CK_RV
p11r_find_final(struct p11r_session *s)
{
    if (!s->find.active) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    p11r_find_clear(&s->find);
    return CKR_OK;
}

void
p11r_find_clear(struct p11r_find *f)
{
    free(f->v);
    memset(f, 0, sizeof(*f));
}

/* ---- C_DestroyObject, C_SetAttributeValue ---- */

CK_RV
p11r_destroy(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h)
{
    struct fh_client_resp resp;
    struct p11r_obj o;
    char *path;
    fh_rv rv = p11r_obj_get(r, s->slot, h, &o);

    if (rv != FH_OK && o.gone && o.h == h) {
        p11r_obj_forget(r, &o); /* destroyed with its pair already */
        return CKR_OK;
    }
    if (rv != FH_OK || (o.cls != CKO_PUBLIC_KEY && !p11r_user(s))) {
        return CKR_OBJECT_HANDLE_INVALID;
    }
    path = p11r_key_path(&o, NULL);
    if (path == NULL) {
        return CKR_HOST_MEMORY;
    }
    rv = p11r_request(s->slot, "DELETE", path, NULL, &resp);
    free(path);
    fh_client_resp_clear(&resp);
    if (rv == FH_OK || rv == FH_E_KEY_HANDLE_INVALID) {
        p11r_obj_forget(r, &o);
    }
    return fh_rv_to_ckr(rv, FH_P11_CTX_OBJECT);
}

CK_RV
p11r_set_attrs(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h,
               const CK_ATTRIBUTE *t, CK_ULONG n)
{
    struct fh_client_resp resp;
    struct p11r_obj o;
    const CK_ATTRIBUTE *l = p11r_attr_find(t, n, CKA_LABEL);
    json_t *body;
    char *path;
    CK_RV rv = visible(r, s, h, &o);
    fh_rv frv;

    if (rv != CKR_OK) {
        return rv;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        if (t[i].type != CKA_LABEL) {
            return CKR_ATTRIBUTE_READ_ONLY; /* the REST API changes labels (and usage) only */
        }
    }
    if (l == NULL) {
        return CKR_OK;
    }
    if (l->pValue == NULL || l->ulValueLen == 0 || l->ulValueLen > P11R_LABEL_MAX) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    body = json_object();
    if (body == NULL ||
        json_object_set_new(body, "label", json_stringn(l->pValue, l->ulValueLen)) != 0) {
        json_decref(body);
        return CKR_ATTRIBUTE_VALUE_INVALID; /* not UTF-8 */
    }
    path = p11r_key_path(&o, NULL);
    frv = path != NULL ? p11r_request(s->slot, "PATCH", path, body, &resp) : FH_E_NOMEM;
    if (path == NULL) {
        memset(&resp, 0, sizeof(resp));
    }
    free(path);
    json_decref(body);
    fh_client_resp_clear(&resp);
    if (frv == FH_OK) {
        struct p11r_obj renamed = o;
        CK_OBJECT_HANDLE same;

        memcpy(renamed.label, l->pValue, l->ulValueLen);
        renamed.label[l->ulValueLen] = '\0';
        frv = p11r_obj_intern(r, &renamed, &same);
    }
    return fh_rv_to_ckr(frv == FH_E_EXISTS ? FH_E_ATTR_VALUE_INVALID : frv, FH_P11_CTX_OBJECT);
}

/* ---- templates of new keys ---- */

/* The CK_BBOOL attributes restates_default knows. */
static bool
bool_attr(CK_ATTRIBUTE_TYPE type)
{
    switch (type) {
    case CKA_MODIFIABLE:
    case CKA_COPYABLE:
    case CKA_DESTROYABLE:
    case CKA_PRIVATE:
    case CKA_SENSITIVE:
    case CKA_DERIVE:
    case CKA_TRUSTED:
    case CKA_WRAP_WITH_TRUSTED:
    case CKA_ALWAYS_AUTHENTICATE:
    case CKA_SIGN_RECOVER:
    case CKA_VERIFY_RECOVER:
    case CKA_EXTRACTABLE: return true;
    default: return false;
    }
}

/* Attributes a template may hold beyond the ones read below, when they restate a default. */
static bool
restates_default(const CK_ATTRIBUTE *a, CK_OBJECT_CLASS cls)
{
    CK_BBOOL b;

    if (a->pValue == NULL || a->ulValueLen != 1) {
        return false;
    }
    b = *(const CK_BBOOL *)a->pValue;
    switch (a->type) {
    case CKA_MODIFIABLE:
    case CKA_COPYABLE:
    case CKA_DESTROYABLE: return b == CK_TRUE;
    case CKA_PRIVATE: return (b == CK_TRUE) == (cls != CKO_PUBLIC_KEY);
    case CKA_SENSITIVE: return cls == CKO_PUBLIC_KEY ? false : b == CK_TRUE;
    case CKA_DERIVE:
    case CKA_TRUSTED:
    case CKA_WRAP_WITH_TRUSTED:
    case CKA_ALWAYS_AUTHENTICATE:
    case CKA_SIGN_RECOVER:
    case CKA_VERIFY_RECOVER: return b == CK_FALSE;
    default: return false;
    }
}

CK_RV
p11r_template_body(const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt,
                   json_t *body, unsigned *usage_out, bool *usage_given)
{
    unsigned on = 0, off = 0, applies = fh_usage_for_class(cls);
    int tok = attr_bool(t, n, CKA_TOKEN);

    if (tok == -1) {
        return CKR_TEMPLATE_INCOMPLETE; /* a session object: not on a remote slot */
    }
    if (tok != 1) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        const CK_ATTRIBUTE *a = &t[i];
        unsigned bit = 0;

        if (!fh_attr_type_valid(cls, kt, a->type)) {
            return CKR_ATTRIBUTE_TYPE_INVALID; /* §4.1.1 rule 1, as a local token answers */
        }
        for (unsigned b = 1; b <= FH_USAGE_DERIVE; b <<= 1) {
            bit = fh_usage_attr(b) == a->type ? b : bit;
        }
        if (bit != 0 && (applies & bit) != 0) {
            int v = attr_bool(t, n, a->type);

            if (v < 0) {
                return CKR_ATTRIBUTE_VALUE_INVALID;
            }
            on |= v ? bit : 0;
            off |= v ? 0 : bit;
            continue;
        }
        switch (a->type) {
        case CKA_TOKEN:
        case CKA_CLASS:
        case CKA_KEY_TYPE:
        case CKA_VALUE_LEN:
        case CKA_MODULUS_BITS:
        case CKA_PUBLIC_EXPONENT:
        case CKA_EC_PARAMS: continue; /* read by the caller */
        case CKA_LABEL:
            if (a->pValue == NULL || a->ulValueLen == 0 || a->ulValueLen > P11R_LABEL_MAX ||
                json_object_set_new(body, "label", json_stringn(a->pValue, a->ulValueLen)) != 0) {
                return CKR_ATTRIBUTE_VALUE_INVALID;
            }
            continue;
        case CKA_ID: {
            static const char hex[] = "0123456789abcdef";
            char buf[2 * P11R_ID_MAX + 1];

            if (a->pValue == NULL || a->ulValueLen == 0 || a->ulValueLen > P11R_ID_MAX) {
                return CKR_ATTRIBUTE_VALUE_INVALID;
            }
            for (CK_ULONG k = 0; k < a->ulValueLen; k++) {
                buf[2 * k] = hex[((const uint8_t *)a->pValue)[k] >> 4];
                buf[2 * k + 1] = hex[((const uint8_t *)a->pValue)[k] & 15];
            }
            buf[2 * a->ulValueLen] = '\0';
            if (json_object_set_new(body, "id", json_string(buf)) != 0) {
                return CKR_HOST_MEMORY;
            }
            continue;
        }
        case CKA_EXTRACTABLE:
            if (cls != CKO_PUBLIC_KEY) {
                int v = attr_bool(t, n, CKA_EXTRACTABLE);

                if (v < 0 || json_object_set_new(body, "extractable", json_boolean(v)) != 0) {
                    return CKR_ATTRIBUTE_VALUE_INVALID;
                }
                continue;
            }
            break;
        default: break;
        }
        if (bool_attr(a->type) && (a->pValue == NULL || a->ulValueLen != sizeof(CK_BBOOL))) {
            return CKR_ATTRIBUTE_VALUE_INVALID; /* §4.1.1 rule 2: not a CK_BBOOL */
        }
        if (!restates_default(a, cls)) {
            return CKR_TEMPLATE_INCONSISTENT; /* the REST API cannot carry it */
        }
    }
    if ((on & off) != 0) {
        return CKR_TEMPLATE_INCONSISTENT; /* one usage attribute given both ways */
    }
    /* explicit on | off << 8: unspecified ones keep the type's defaults (usage_set) */
    *usage_out = on | (off << 8);
    *usage_given = (on | off) != 0;
    return CKR_OK;
}

CK_RV
p11r_usage_set(json_t *body, unsigned packed, unsigned defaults, unsigned mask)
{
    unsigned on = packed & 0xff, off = (packed >> 8) & 0xff;
    unsigned usage = ((defaults & ~off) | on) & mask;
    json_t *arr = json_array();

    if (arr == NULL) {
        return CKR_HOST_MEMORY;
    }
    for (unsigned b = 1; b <= FH_USAGE_DERIVE; b <<= 1) {
        if ((usage & b) != 0) {
            json_array_append_new(arr, json_string(fh_usage_word(b)));
        }
    }
    if (json_array_size(arr) == 0) {
        json_decref(arr);
        return CKR_TEMPLATE_INCONSISTENT; /* a key without any use: the REST API needs one */
    }
    return json_object_set_new(body, "usage", arr) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}

CK_RV
p11r_created(struct p11_remote *r, struct p11r_slot *slot, json_t *answer, CK_OBJECT_CLASS cls,
             CK_OBJECT_HANDLE *out, CK_OBJECT_HANDLE *other, enum fh_p11_ctx c)
{
    json_t *objs = json_object_get(json_object_get(answer, "key"), "objects"), *ko;
    bool found = false;
    size_t i;

    json_array_foreach(objs, i, ko)
    {
        struct p11r_obj o;
        CK_OBJECT_HANDLE h;
        fh_rv rv = p11r_obj_from_json(slot, ko, &o);

        rv = rv == FH_OK ? p11r_obj_intern(r, &o, &h) : rv;
        if (rv != FH_OK) {
            return fh_rv_to_ckr(rv, c);
        }
        if (o.cls == cls) {
            *out = h;
            found = true;
        } else if (other != NULL) {
            *other = h;
        }
    }
    return found ? CKR_OK : CKR_DEVICE_ERROR;
}

/* POST the body to path; the new key's handles on 201. */
static CK_RV
post_key(struct p11_remote *r, struct p11r_session *s, const char *suffix, json_t *body,
         CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, CK_OBJECT_HANDLE *other)
{
    struct fh_client_resp resp;
    char *path = p11r_token_path(s->slot, suffix);
    CK_RV rv;
    fh_rv frv;

    if (path == NULL) {
        return CKR_HOST_MEMORY;
    }
    frv = p11r_request(s->slot, "POST", path, body, &resp);
    free(path);
    if (frv == FH_E_EXISTS) {
        frv = FH_E_ATTR_VALUE_INVALID; /* label or id taken in the token */
    }
    rv = frv == FH_OK ? p11r_created(r, s->slot, resp.json, cls, out, other, FH_P11_CTX_KEYGEN)
                      : fh_rv_to_ckr(frv, FH_P11_CTX_KEYGEN);
    fh_client_resp_clear(&resp);
    return rv;
}

/* Common checks of a new private or secret key: a user session, R/W checked by the gate. */
static CK_RV
need_label(json_t *body)
{
    return json_object_get(body, "label") != NULL ? CKR_OK : CKR_TEMPLATE_INCOMPLETE;
}

CK_RV
p11r_generate(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
              const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
    const struct fh_keytype_desc *kt;
    CK_ULONG u = 0, len = 0;
    unsigned usage = 0;
    bool given = false;
    char type[32];
    json_t *body;
    CK_RV rv;

    if (!p11r_user(s)) {
        return CKR_USER_NOT_LOGGED_IN;
    }
    if (m->mechanism != CKM_AES_KEY_GEN && m->mechanism != CKM_GENERIC_SECRET_KEY_GEN) {
        return CKR_MECHANISM_INVALID;
    }
    if (!p11r_has_mech(s->slot, m->mechanism, CKF_GENERATE)) {
        return CKR_MECHANISM_INVALID;
    }
    if (m->pParameter != NULL || m->ulParameterLen != 0) {
        return CKR_MECHANISM_PARAM_INVALID;
    }
    if ((p11r_attr_find(t, n, CKA_CLASS) != NULL &&
         (!attr_ulong(p11r_attr_find(t, n, CKA_CLASS), &u) || u != CKO_SECRET_KEY)) ||
        (p11r_attr_find(t, n, CKA_KEY_TYPE) != NULL &&
         (!attr_ulong(p11r_attr_find(t, n, CKA_KEY_TYPE), &u) ||
          u != (m->mechanism == CKM_AES_KEY_GEN ? CKK_AES : CKK_GENERIC_SECRET)))) {
        return CKR_TEMPLATE_INCONSISTENT;
    }
    if (!attr_ulong(p11r_attr_find(t, n, CKA_VALUE_LEN), &len)) {
        return p11r_attr_find(t, n, CKA_VALUE_LEN) == NULL ? CKR_TEMPLATE_INCOMPLETE
                                                           : CKR_ATTRIBUTE_VALUE_INVALID;
    }
    body = json_object();
    if (body == NULL) {
        return CKR_HOST_MEMORY;
    }
    rv = p11r_template_body(t, n, CKO_SECRET_KEY,
                            m->mechanism == CKM_AES_KEY_GEN ? CKK_AES : CKK_GENERIC_SECRET, body,
                            &usage, &given);
    rv = rv == CKR_OK ? need_label(body) : rv;
    if (rv == CKR_OK && m->mechanism == CKM_AES_KEY_GEN) {
        snprintf(type, sizeof(type), "aes-%lu", (unsigned long)len * 8);
        if (len != 16 && len != 24 && len != 32) {
            rv = CKR_ATTRIBUTE_VALUE_INVALID; /* §2.14.2: 16, 24 or 32 bytes */
        }
    } else if (rv == CKR_OK) {
        snprintf(type, sizeof(type), "generic-secret");
        if (len < 1 || len > 512 ||
            json_object_set_new(body, "bits", json_integer((json_int_t)len * 8)) != 0) {
            rv = CKR_ATTRIBUTE_VALUE_INVALID;
        }
    }
    kt = rv == CKR_OK ? fh_keytype_find(type) : NULL;
    if (rv == CKR_OK && kt == NULL) {
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    }
    if (rv == CKR_OK && given) {
        rv = p11r_usage_set(body, usage, kt->default_usage, FH_USAGE_ALL);
    }
    if (rv == CKR_OK && json_object_set_new(body, "type", json_string(type)) != 0) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        rv = post_key(r, s, "/keys", body, CKO_SECRET_KEY, out, NULL);
    }
    json_decref(body);
    return rv;
}

/* The generation type of a pair: from the mechanism and the public template. */
static CK_RV
pair_type(const CK_MECHANISM *m, const CK_ATTRIBUTE *pt, CK_ULONG pn, char *type, size_t len)
{
    static const uint8_t f4[] = {0x01, 0x00, 0x01};
    const CK_ATTRIBUTE *a;
    CK_ULONG bits = 0;

    if (m->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN) {
        a = p11r_attr_find(pt, pn, CKA_PUBLIC_EXPONENT);
        if (a != NULL) {
            const uint8_t *e = a->pValue;
            CK_ULONG k = 0;

            while (e != NULL && k < a->ulValueLen && e[k] == 0) {
                k++; /* leading zero bytes do not change the number */
            }
            if (e == NULL || a->ulValueLen - k != sizeof(f4) || memcmp(e + k, f4, sizeof(f4)) != 0) {
                return CKR_ATTRIBUTE_VALUE_INVALID; /* the server makes e = 65537 only */
            }
        }
        a = p11r_attr_find(pt, pn, CKA_MODULUS_BITS);
        if (a == NULL) {
            return CKR_TEMPLATE_INCOMPLETE;
        }
        if (!attr_ulong(a, &bits)) {
            return CKR_ATTRIBUTE_VALUE_INVALID;
        }
        if (bits != 2048 && bits != 3072 && bits != 4096) {
            return CKR_KEY_SIZE_RANGE;
        }
        snprintf(type, len, "rsa-%lu", (unsigned long)bits);
        return CKR_OK;
    }
    if (m->mechanism == CKM_EC_KEY_PAIR_GEN || m->mechanism == CKM_EC_EDWARDS_KEY_PAIR_GEN) {
        const struct fh_curve_desc *c;

        a = p11r_attr_find(pt, pn, CKA_EC_PARAMS);
        if (a == NULL) {
            return CKR_TEMPLATE_INCOMPLETE;
        }
        c = a->pValue != NULL ? fh_curve_by_params(a->pValue, a->ulValueLen) : NULL;
        if (c == NULL) {
            return CKR_CURVE_NOT_SUPPORTED;
        }
        if ((c->key_type == CKK_EC) != (m->mechanism == CKM_EC_KEY_PAIR_GEN)) {
            return CKR_TEMPLATE_INCONSISTENT;
        }
        snprintf(type, len, "%s", c->name);
        return CKR_OK;
    }
    return CKR_MECHANISM_INVALID;
}

/* The key type a pair generation mechanism makes. */
static CK_KEY_TYPE
pair_kt(const CK_MECHANISM *m)
{
    return m->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN ? CKK_RSA
           : m->mechanism == CKM_EC_KEY_PAIR_GEN     ? CKK_EC
                                                     : CKK_EC_EDWARDS;
}

/* The two templates' label and id must agree: the server's pair has one of each. */
static CK_RV
merge_half(json_t *into, json_t *from, const char *field)
{
    json_t *a = json_object_get(into, field), *b = json_object_get(from, field);

    if (b == NULL) {
        return CKR_OK;
    }
    if (a != NULL) {
        return json_equal(a, b) ? CKR_OK : CKR_TEMPLATE_INCONSISTENT;
    }
    return json_object_set(into, field, b) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}

CK_RV
p11r_generate_pair(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
                   const CK_ATTRIBUTE *pt, CK_ULONG pn, const CK_ATTRIBUTE *kt, CK_ULONG kn,
                   CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    const struct fh_keytype_desc *desc;
    unsigned pu = 0, ku = 0;
    bool pg = false, kg = false;
    char type[32];
    json_t *body = json_object(), *pbody = json_object();
    CK_RV rv = CKR_OK;

    if (body == NULL || pbody == NULL) {
        rv = CKR_HOST_MEMORY;
    } else if (!p11r_user(s)) {
        rv = CKR_USER_NOT_LOGGED_IN;
    } else if (!p11r_has_mech(s->slot, m->mechanism, CKF_GENERATE_KEY_PAIR)) {
        rv = CKR_MECHANISM_INVALID;
    } else if (m->pParameter != NULL || m->ulParameterLen != 0) {
        rv = CKR_MECHANISM_PARAM_INVALID;
    }
    rv = rv == CKR_OK ? pair_type(m, pt, pn, type, sizeof(type)) : rv;
    rv =
        rv == CKR_OK ? p11r_template_body(pt, pn, CKO_PUBLIC_KEY, pair_kt(m), pbody, &pu, &pg) : rv;
    rv =
        rv == CKR_OK ? p11r_template_body(kt, kn, CKO_PRIVATE_KEY, pair_kt(m), body, &ku, &kg) : rv;
    rv = rv == CKR_OK ? merge_half(body, pbody, "label") : rv;
    rv = rv == CKR_OK ? merge_half(body, pbody, "id") : rv;
    rv = rv == CKR_OK ? need_label(body) : rv;
    desc = rv == CKR_OK ? fh_keytype_find(type) : NULL;
    if (rv == CKR_OK && desc == NULL) {
        rv = CKR_KEY_SIZE_RANGE;
    }
    if (rv == CKR_OK && (pg || kg)) {
        unsigned pmask = fh_usage_for_class(CKO_PUBLIC_KEY);
        unsigned kmask = fh_usage_for_class(CKO_PRIVATE_KEY);
        unsigned pon = pu & 0xff, poff = pu >> 8, kon = ku & 0xff, koff = ku >> 8;
        unsigned pusage = ((desc->default_usage & ~poff) | pon) & pmask;
        unsigned kusage = ((desc->default_usage & ~koff) | kon) & kmask;

        /* a word the server applies to both halves (derive) must mean the same for both */
        if (((pusage ^ kusage) & pmask & kmask) != 0) {
            rv = CKR_TEMPLATE_INCONSISTENT;
        } else {
            rv = p11r_usage_set(body, pusage | kusage, 0, FH_USAGE_ALL);
        }
    }
    if (rv == CKR_OK && json_object_set_new(body, "type", json_string(type)) != 0) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        rv = post_key(r, s, "/keys", body, CKO_PRIVATE_KEY, priv, pub);
    }
    json_decref(body);
    json_decref(pbody);
    return rv;
}

CK_OBJECT_CLASS
p11r_create_class(const CK_ATTRIBUTE *t, CK_ULONG n)
{
    CK_ULONG cls = CK_UNAVAILABLE_INFORMATION;

    return attr_ulong(p11r_attr_find(t, n, CKA_CLASS), &cls) ? cls : CK_UNAVAILABLE_INFORMATION;
}

/*
 * The class and key type of a C_CreateObject template, and a copy of it
 * without the key value (read by p11r_spki_pem) for p11r_template_body.
 */
static CK_RV
create_template(const CK_ATTRIBUTE *t, CK_ULONG n, CK_KEY_TYPE *kt, CK_ATTRIBUTE **rest,
                CK_ULONG *nr)
{
    const CK_ATTRIBUTE *ca = p11r_attr_find(t, n, CKA_CLASS);
    const CK_ATTRIBUTE *ka = p11r_attr_find(t, n, CKA_KEY_TYPE);
    CK_ULONG cls = 0;
    CK_ATTRIBUTE *r;

    if (ca == NULL) {
        return CKR_TEMPLATE_INCOMPLETE; /* §4.1.1 rule 4 */
    }
    if (!attr_ulong(ca, &cls)) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    if (cls != CKO_PUBLIC_KEY) {
        /* data objects and certificates: not carried by the REST API (secret and private
         * keys do not come here: p11r_create sends them wrapped, remote_import.c) */
        return CKR_TEMPLATE_INCONSISTENT;
    }
    if (ka == NULL) {
        return CKR_TEMPLATE_INCOMPLETE;
    }
    if (!attr_ulong(ka, kt)) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    r = calloc(n > 0 ? n : 1, sizeof(*r));
    if (r == NULL) {
        return CKR_HOST_MEMORY;
    }
    *nr = 0;
    for (CK_ULONG i = 0; i < n; i++) {
        switch (t[i].type) {
        case CKA_LOCAL:
        case CKA_KEY_GEN_MECHANISM:
        case CKA_MODULUS_BITS:
        case CKA_UNIQUE_ID:
            /* §4.1.1 rule 3; [BASE] 4.7 and [MECH] 2.1.2 footnote 2: not given at creation */
            free(r);
            return CKR_ATTRIBUTE_READ_ONLY;
        case CKA_VALUE_LEN: free(r); return CKR_TEMPLATE_INCONSISTENT;
        case CKA_MODULUS:
        case CKA_PUBLIC_EXPONENT:
        case CKA_EC_PARAMS:
        case CKA_EC_POINT:
            if ((*kt == CKK_RSA) !=
                (t[i].type == CKA_MODULUS || t[i].type == CKA_PUBLIC_EXPONENT)) {
                free(r);
                return CKR_ATTRIBUTE_TYPE_INVALID; /* §4.1.1 rule 1: not of this key type */
            }
            if (t[i].type == CKA_MODULUS || t[i].type == CKA_EC_POINT) {
                continue; /* the key value: p11r_spki_pem reads it */
            }
            r[(*nr)++] = t[i];
            break;
        default: r[(*nr)++] = t[i];
        }
    }
    *rest = r;
    return CKR_OK;
}

CK_RV
p11r_create(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
            CK_OBJECT_HANDLE *out)
{
    const unsigned mask = FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_WRAP;
    const struct fh_curve_desc *curve = NULL;
    const struct fh_keytype_desc *desc;
    struct fh_client_resp resp;
    CK_ATTRIBUTE *rest = NULL;
    CK_ULONG nr = 0;
    CK_KEY_TYPE kt = 0;
    unsigned usage = 0;
    bool given = false;
    char *pem = NULL, *path = NULL;
    json_t *body = NULL;
    CK_RV rv;
    fh_rv frv;

    /*
     * A secret or private key goes to the server wrapped for the token's
     * import transport key (remote_import.c), never in plaintext.
     */
    if (p11r_create_class(t, n) == CKO_SECRET_KEY || p11r_create_class(t, n) == CKO_PRIVATE_KEY) {
        return p11r_create_wrapped(r, s, t, n, out);
    }
    /*
     * A public key goes as a SubjectPublicKeyInfo PEM. A public token object
     * needs no login (§5.7.1; the gate checked the R/W session). Its usage is
     * the public half's of a generated key of that type unless the template
     * says otherwise; the import route carries verify, encrypt and wrap only.
     */
    rv = create_template(t, n, &kt, &rest, &nr);
    body = rv == CKR_OK ? json_object() : NULL;
    if (rv == CKR_OK && body == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    rv = rv == CKR_OK ? p11r_template_body(rest, nr, CKO_PUBLIC_KEY, kt, body, &usage, &given)
                      : rv;
    rv = rv == CKR_OK ? need_label(body) : rv;
    rv = rv == CKR_OK ? p11r_spki_pem(t, n, kt, &pem, &curve) : rv;
    if (rv == CKR_OK && (usage & 0xff & ~mask) != 0) {
        rv = CKR_TEMPLATE_INCONSISTENT; /* CKA_DERIVE true: the import route cannot carry it */
    }
    desc = rv == CKR_OK ? fh_keytype_find(curve != NULL ? curve->name : "rsa-2048") : NULL;
    if (rv == CKR_OK && desc == NULL) {
        rv = CKR_CURVE_NOT_SUPPORTED;
    }
    rv = rv == CKR_OK ? p11r_usage_set(body, given ? usage : 0, desc->default_usage & mask, mask) : rv;
    if (rv == CKR_OK && json_object_set_new(body, "public_key_pem", json_string(pem)) != 0) {
        rv = CKR_HOST_MEMORY;
    }
    path = rv == CKR_OK ? p11r_token_path(s->slot, "/keys/import") : NULL;
    if (rv == CKR_OK && path == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        frv = p11r_request(s->slot, "POST", path, body, &resp);
        if (frv == FH_E_EXISTS || frv == FH_E_ARGS) {
            /* label or id taken; or 400: the server's OpenSSL refused the key (a point off
             * its curve): the template's value is invalid */
            frv = FH_E_ATTR_VALUE_INVALID;
        }
        rv = frv == FH_OK
                 ? p11r_created(r, s->slot, resp.json, CKO_PUBLIC_KEY, out, NULL, FH_P11_CTX_OBJECT)
                 : fh_rv_to_ckr(frv, FH_P11_CTX_OBJECT);
        fh_client_resp_clear(&resp);
    }
    free(path);
    free(pem);
    free(rest);
    json_decref(body);
    return rv;
}
