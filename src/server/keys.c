/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keys.c - keys as the REST routes see them (see keys.h): resolving names,
 * JSON of keys, creation (derive, unwrap) and its locks.
 *
 * Templates are libferrohsm's (newkey.h), the ones `ferrohsm key generate`
 * uses: token objects; private and secret halves CKA_PRIVATE and
 * CKA_SENSITIVE, with CKA_EXTRACTABLE as asked (default false); every usage
 * flag written explicitly true or false. Public keys in and out (PEM, JWK,
 * SPKI) are pubkey.c's.
 *
 * State: the creation locks (mutexes striped by token label, taken by
 * handlers around "is the label free" and the creation; never held while
 * waiting for another lock of the server) and the resolution cache (see
 * rcache below).
 */
#include "keys.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/ferrohsm.h"
#include "ferrohsm/newkey.h"

#include "codec.h"
#include "json_shapes.h"
#include "pubkey.h"
#include "transport.h"
/*
 * Creation locks, striped by token label: creations in one token are
 * serialised (label check, then creation), creations in different tokens
 * mostly are not. A stripe is never held while taking another.
 */
#define CREATE_STRIPES 16
static pthread_mutex_t create_locks[CREATE_STRIPES] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER,
};

/* FNV-1a of n bytes, continuing from h (start with FNV_START). */
#define FNV_START 2166136261u
static uint32_t
fnv1a(uint32_t h, const void *p, size_t n)
{
    for (const unsigned char *c = p; n > 0; c++, n--) {
        h = (h ^ *c) * 16777619u;
    }
    return h;
}

static pthread_mutex_t *
create_stripe(const char *token)
{
    return &create_locks[fnv1a(FNV_START, token, strlen(token)) % CREATE_STRIPES];
}

void
srv_keys_create_lock(const char *token)
{
    pthread_mutex_lock(create_stripe(token));
}

void
srv_keys_create_unlock(const char *token)
{
    pthread_mutex_unlock(create_stripe(token));
}

void
srv_free_secret(void *p, size_t len)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, len);
        free(p);
    }
}

/* Plain hex (no prefix, no separators) of at least one byte: the REST spelling of a CKA_ID. */
static bool
hex_decode(const char *s, uint8_t **out, size_t *len)
{
    return fh_codec_hex_decode(s, 0, out, len) == FH_OK && *len > 0;
}

/* ---- attributes ---- */

static bool
attr_bool(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
    CK_BBOOL b = CK_FALSE;
    CK_ATTRIBUTE a = {type, &b, sizeof(b)};

    return fh_object_get_attributes(s, h, &a, 1) == FH_OK && a.ulValueLen == sizeof(b) &&
           b != CK_FALSE;
}

static CK_ULONG
attr_ulong(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, CK_ULONG def)
{
    CK_ULONG v = 0;
    CK_ATTRIBUTE a = {type, &v, sizeof(v)};

    if (fh_object_get_attributes(s, h, &a, 1) != FH_OK || a.ulValueLen != sizeof(v)) {
        return def;
    }
    return v;
}

/* ---- resolving a name ---- */

struct found {
    CK_OBJECT_HANDLE h;
    CK_OBJECT_CLASS cls;
    uint8_t *id;
    size_t id_len;
};

static void
found_free(struct found *f, size_t n)
{
    for (size_t i = 0; f != NULL && i < n; i++) {
        free(f[i].id);
    }
    free(f);
}

/* The key objects matching tmpl, with class and CKA_ID. */
static fh_rv
find_key_objects(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n, struct found **out,
                 size_t *count)
{
    CK_OBJECT_HANDLE *h = NULL;
    struct found *f = NULL;
    size_t nh = 0, m = 0;
    fh_rv rv;

    rv = fh_object_find(s, tmpl, n, &h, &nh);
    if (rv != FH_OK) {
        goto out;
    }
    f = calloc(nh > 0 ? nh : 1, sizeof(*f));
    if (f == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        CK_OBJECT_CLASS cls = attr_ulong(s, h[i], CKA_CLASS, CK_UNAVAILABLE_INFORMATION);

        if (fh_class_short_name(cls) == NULL || srv_transport_is(s, h[i])) {
            continue; /* not a key; or the import transport key, on no key route */
        }
        f[m].h = h[i];
        f[m].cls = cls;
        rv = fh_attr_read(s, h[i], CKA_ID, &f[m].id, &f[m].id_len);
        if (rv == FH_E_ATTR_TYPE_INVALID) {
            /* no CKA_ID: an empty one, as PKCS#11 defaults it */
            f[m].id = calloc(1, 1);
            f[m].id_len = 0;
            rv = f[m].id != NULL ? FH_OK : FH_E_NOMEM;
        }
        m++;
        if (rv != FH_OK) {
            goto out;
        }
    }
    *out = f;
    *count = m;
    f = NULL;
out:
    found_free(f, m);
    free(h);
    return rv;
}

/* Fill k from the objects' handles and CKA_ID (group() and the resolution cache). */
static bool
key_fill(struct srv_key *k, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE sec,
         const uint8_t *id, size_t id_len)
{
    k->pub = pub;
    k->priv = priv;
    k->sec = sec;
    k->n = 0;
    if (pub != CK_INVALID_HANDLE) {
        k->obj[k->n++] = pub;
    }
    if (priv != CK_INVALID_HANDLE) {
        k->obj[k->n++] = priv;
    }
    if (sec != CK_INVALID_HANDLE) {
        k->obj[k->n++] = sec;
    }
    k->id = malloc(id_len + 1);
    if (k->id == NULL) {
        return false;
    }
    if (id_len > 0) {
        memcpy(k->id, id, id_len);
    }
    k->id_len = id_len;
    return true;
}

static bool
same_id(const struct found *a, const struct found *b)
{
    return a->id_len == b->id_len && (a->id_len == 0 || memcmp(a->id, b->id, a->id_len) == 0);
}

/*
 * Group the objects into one key: 1 when they form one key (filled into k),
 * 0 when there are none, -1 when they are ambiguous (*n_keys: how many
 * distinct CKA_IDs).
 */
static int
group(const struct found *f, size_t n, struct srv_key *k, size_t *n_keys)
{
    size_t ids = 0;

    *n_keys = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;

        for (size_t j = 0; j < i && !seen; j++) {
            seen = same_id(&f[i], &f[j]);
        }
        ids += seen ? 0 : 1;
    }
    *n_keys = ids;
    if (n == 0) {
        return 0;
    }
    if (ids > 1) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        CK_OBJECT_HANDLE *slot = f[i].cls == CKO_PUBLIC_KEY    ? &k->pub
                                 : f[i].cls == CKO_PRIVATE_KEY ? &k->priv
                                                               : &k->sec;

        if (*slot != CK_INVALID_HANDLE) {
            return -1; /* two objects of one class under one id */
        }
        *slot = f[i].h;
    }
    if (k->sec != CK_INVALID_HANDLE &&
        (k->pub != CK_INVALID_HANDLE || k->priv != CK_INVALID_HANDLE)) {
        return -1; /* a secret key and a pair half share the name and the id */
    }
    return key_fill(k, k->pub, k->priv, k->sec, f[0].id, f[0].id_len) ? 1 : -2;
}

static void
key_init(struct srv_key *k)
{
    memset(k, 0, sizeof(*k));
    k->pub = k->priv = k->sec = CK_INVALID_HANDLE;
}

void
srv_key_clear(struct srv_key *k)
{
    if (k != NULL) {
        free(k->id);
        key_init(k);
    }
}

/*
 * Resolved names. Resolving a name costs a find and a read of every object
 * found; an operation route resolves one on every request. A resolution is
 * kept with the stamp of its token taken before it was made (fh_token_stamp)
 * and used while the token's stamp stays the same: any change to an object
 * of the token, by this server or by another process on the store, moves the
 * stamp. Only successes are kept. Direct-mapped by (token, name); an entry
 * belongs to the opened token's address, which a token opened later at the
 * same address cannot reuse, as its stamp differs. Each slot has its lock.
 */
#define RCACHE_SLOTS 1024
#define RCACHE_NAME_MAX 80 /* longer names are not kept */
struct rcache_ent {
    pthread_mutex_t lock;
    const fh_token *tok; /* NULL: empty */
    struct fh_token_stamp stamp;
    char name[RCACHE_NAME_MAX + 1];
    CK_OBJECT_HANDLE pub, priv, sec;
    uint8_t id[SRV_KEY_ID_MAX];
    size_t id_len;
};
static struct rcache_ent rcache[RCACHE_SLOTS];
static pthread_once_t rcache_once = PTHREAD_ONCE_INIT;

static void
rcache_init(void)
{
    for (size_t i = 0; i < RCACHE_SLOTS; i++) {
        pthread_mutex_init(&rcache[i].lock, NULL);
    }
}

static struct rcache_ent *
rcache_slot(const fh_token *tok, const char *name, size_t name_len)
{
    uint32_t h = fnv1a(FNV_START, &tok, sizeof(tok));

    (void)pthread_once(&rcache_once, rcache_init);
    return &rcache[fnv1a(h, name, name_len) % RCACHE_SLOTS];
}

/* A kept resolution of name in tok at stamp into out: whether there was one. */
static bool
rcache_get(const fh_token *tok, const struct fh_token_stamp *stamp, const char *name,
           struct srv_key *out)
{
    size_t len = strlen(name);
    struct rcache_ent *e;
    bool hit;

    if (len > RCACHE_NAME_MAX) {
        return false;
    }
    e = rcache_slot(tok, name, len);
    pthread_mutex_lock(&e->lock);
    hit = e->tok == tok && fh_token_stamp_equal(&e->stamp, stamp) &&
          strcmp(e->name, name) == 0 &&
          key_fill(out, e->pub, e->priv, e->sec, e->id, e->id_len);
    pthread_mutex_unlock(&e->lock);
    return hit;
}

static void
rcache_put(const fh_token *tok, const struct fh_token_stamp *stamp, const char *name,
           const struct srv_key *k)
{
    size_t len = strlen(name);
    struct rcache_ent *e;

    if (len > RCACHE_NAME_MAX || k->id_len > sizeof(e->id)) {
        return;
    }
    e = rcache_slot(tok, name, len);
    pthread_mutex_lock(&e->lock);
    e->tok = tok;
    e->stamp = *stamp;
    memcpy(e->name, name, len + 1);
    e->pub = k->pub;
    e->priv = k->priv;
    e->sec = k->sec;
    if (k->id_len > 0) {
        memcpy(e->id, k->id, k->id_len);
    }
    e->id_len = k->id_len;
    pthread_mutex_unlock(&e->lock);
}

bool
srv_key_resolve(struct srv_req *req, struct srv_resp *resp, fh_session *s, const char *name,
                struct srv_key *out)
{
    fh_token *tok = fh_session_token(s);
    struct fh_token_stamp stamp;
    bool stamped;
    CK_ATTRIBUTE t;
    uint8_t *id = NULL;
    size_t id_len = 0, n = 0, n_keys = 0;
    struct found *f = NULL;
    bool ok = false;
    int g;
    fh_rv rv;

    key_init(out);
    stamped = tok != NULL && fh_token_stamp(tok, &stamp) == FH_OK;
    if (stamped && rcache_get(tok, &stamp, name, out)) {
        return true;
    }
    if (strncmp(name, "id:", 3) == 0) {
        if (!hex_decode(name + 3, &id, &id_len)) {
            srv_error(req, resp, 400, "bad_request",
                      "bad key name '%s': expected a label or id:HEX", name);
            return false;
        }
        t = (CK_ATTRIBUTE){CKA_ID, id, id_len};
    } else {
        t = (CK_ATTRIBUTE){CKA_LABEL, (void *)name, strlen(name)};
    }
    if (name[0] == '\0') {
        srv_error_rv(req, resp, FH_E_NOT_FOUND, SRV_WHAT_KEY, name);
        goto out;
    }
    rv = find_key_objects(s, &t, 1, &f, &n);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, name);
        goto out;
    }
    g = group(f, n, out, &n_keys);
    if (g == 0) {
        srv_error_rv(req, resp, FH_E_NOT_FOUND, SRV_WHAT_KEY, name);
    } else if (g == -1) {
        srv_error(req, resp, 409, "key_ambiguous",
                  "key %s is ambiguous (%zu objects in %zu keys match); use id:HEX", name, n,
                  n_keys);
    } else if (g < 0) {
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_KEY, NULL);
    } else {
        ok = true;
        if (stamped) {
            rcache_put(tok, &stamp, name, out);
        }
    }
out:
    if (!ok) {
        srv_key_clear(out);
    }
    found_free(f, n);
    free(id);
    return ok;
}

CK_OBJECT_HANDLE
srv_key_pick(const struct srv_key *k, const CK_OBJECT_CLASS *classes, size_t n_classes)
{
    for (size_t i = 0; i < n_classes; i++) {
        CK_OBJECT_HANDLE h = classes[i] == CKO_PUBLIC_KEY    ? k->pub
                             : classes[i] == CKO_PRIVATE_KEY ? k->priv
                             : classes[i] == CKO_SECRET_KEY  ? k->sec
                                                             : CK_INVALID_HANDLE;

        if (h != CK_INVALID_HANDLE) {
            return h;
        }
    }
    return CK_INVALID_HANDLE;
}

/* ---- JSON of keys ---- */

fh_rv
srv_keyobj_json(fh_session *s, CK_OBJECT_HANDLE h, const struct fh_key_desc *d, json_t **out)
{
    json_t *o = json_object(), *usage = json_array();
    uint8_t *label = NULL, *id = NULL;
    size_t label_len = 0, id_len = 0;
    bool ok = o != NULL && usage != NULL;
    fh_rv rv;

    rv = fh_attr_read(s, h, CKA_LABEL, &label, &label_len);
    if (rv == FH_E_ATTR_TYPE_INVALID) {
        rv = FH_OK; /* no label: shown as "" */
    }
    if (rv == FH_OK) {
        rv = fh_attr_read(s, h, CKA_ID, &id, &id_len);
        rv = rv == FH_E_ATTR_TYPE_INVALID ? FH_OK : rv;
    }
    if (rv != FH_OK) {
        goto out;
    }
    for (unsigned bit = 1; ok && bit <= FH_USAGE_DERIVE; bit <<= 1) {
        if ((d->usage & bit) != 0 &&
            json_array_append_new(usage, json_string(fh_usage_word(bit))) != 0) {
            ok = false;
        }
    }
    if (ok) {
        fh_shape_set(o, "label", fh_shape_text(label, label_len), &ok);
        fh_shape_set(o, "class", json_string(fh_class_short_name(d->cls)), &ok);
        fh_shape_set(o, "type", json_string(d->type_name), &ok);
        fh_shape_set(o, "curve", d->curve != NULL ? json_string(d->curve) : json_null(), &ok);
        fh_shape_set(o, "bits", json_integer(d->bits), &ok);
        fh_shape_set(o, "id", fh_shape_hex(id, id_len), &ok);
        fh_shape_set(o, "usage", usage, &ok);
        usage = NULL;
        fh_shape_set(o, "extractable", json_boolean(attr_bool(s, h, CKA_EXTRACTABLE)), &ok);
        fh_shape_set(o, "sensitive", json_boolean(attr_bool(s, h, CKA_SENSITIVE)), &ok);
    }
    if (!ok) {
        rv = FH_E_NOMEM;
        goto out;
    }
    *out = o;
    o = NULL;
out:
    json_decref(usage);
    json_decref(o);
    free(label);
    free(id);
    return rv;
}

fh_rv
srv_key_json(fh_session *s, const struct srv_key *k, bool full, json_t **out)
{
    static const CK_OBJECT_CLASS spki_classes[] = {CKO_PUBLIC_KEY, CKO_PRIVATE_KEY};
    json_t *o = json_object(), *objs = json_array();
    struct fh_key_desc d;
    uint8_t *label = NULL, *spki = NULL;
    size_t label_len = 0, spki_len = 0;
    CK_OBJECT_HANDLE hs;
    bool ok = o != NULL && objs != NULL;
    fh_rv rv = ok ? FH_OK : FH_E_NOMEM;

    for (size_t i = 0; rv == FH_OK && i < k->n; i++) {
        json_t *j = NULL;

        rv = fh_key_describe(s, k->obj[i], &d);
        if (rv == FH_OK) {
            rv = full ? fh_shape_attrs(s, k->obj[i], &j) : srv_keyobj_json(s, k->obj[i], &d, &j);
        }
        if (rv == FH_OK && json_array_append_new(objs, j) != 0) {
            rv = FH_E_NOMEM;
        }
    }
    if (rv == FH_OK && k->n > 0) {
        rv = fh_key_describe(s, k->obj[0], &d);
    }
    if (rv == FH_OK && k->n > 0) {
        rv = fh_attr_read(s, k->obj[0], CKA_LABEL, &label, &label_len);
        rv = rv == FH_E_ATTR_TYPE_INVALID ? FH_OK : rv;
    }
    if (rv != FH_OK) {
        goto out;
    }
    fh_shape_set(o, "label", fh_shape_text(label, label_len), &ok);
    fh_shape_set(o, "id", fh_shape_hex(k->id, k->id_len), &ok);
    fh_shape_set(o, "type", json_string(k->n > 0 ? fh_key_desc_type(&d) : "unknown"), &ok);
    fh_shape_set(o, "objects", objs, &ok);
    objs = NULL;
    if (full) {
        json_t *pem = NULL, *jwk = NULL;

        hs = srv_key_pick(k, spki_classes, 2);
        if (hs != CK_INVALID_HANDLE &&
            fh_attr_read(s, hs, CKA_PUBLIC_KEY_INFO, &spki, &spki_len) == FH_OK && spki_len > 0) {
            pem = srv_spki_pem_json(spki, spki_len);
            jwk = srv_spki_jwk_json(spki, spki_len, k->id, k->id_len);
        }
        fh_shape_set(o, "public_key_pem", pem != NULL ? pem : json_null(), &ok);
        fh_shape_set(o, "jwk", jwk != NULL ? jwk : json_null(), &ok);
    }
    if (!ok) {
        rv = FH_E_NOMEM;
        goto out;
    }
    *out = o;
    o = NULL;
out:
    json_decref(objs);
    json_decref(o);
    free(label);
    free(spki);
    return rv;
}

/* ---- body fields ---- */

bool
srv_key_body_label(struct srv_req *req, struct srv_resp *resp, const char *field, bool required,
                   const char **out)
{
    const char *label = NULL;
    size_t len;

    if (!srv_body_str(req, resp, field, required, &label)) {
        return false;
    }
    if (label == NULL) {
        return true;
    }
    len = strlen(label);
    if (len == 0 || len > SRV_KEY_LABEL_MAX) {
        srv_error(req, resp, 400, "bad_request", "field '%s': 1..%d bytes", field,
                  SRV_KEY_LABEL_MAX);
        return false;
    }
    if (len != json_string_length(json_object_get(req->body, field))) {
        srv_error(req, resp, 400, "bad_request", "field '%s': must not contain NUL", field);
        return false;
    }
    for (const char *c = label; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            srv_error(req, resp, 400, "bad_request",
                      "field '%s': must not contain control characters", field);
            return false;
        }
    }
    if (strncmp(label, "id:", 3) == 0) {
        srv_error(req, resp, 400, "bad_request",
                  "field '%s': must not start with 'id:' (that names a key by CKA_ID)", field);
        return false;
    }
    *out = label;
    return true;
}

bool
srv_key_body_id(struct srv_req *req, struct srv_resp *resp, uint8_t **out, size_t *len)
{
    const char *hex = NULL;

    if (!srv_body_str(req, resp, "id", false, &hex)) {
        return false;
    }
    if (hex == NULL) {
        return true;
    }
    if (!hex_decode(hex, out, len) || *len > SRV_KEY_ID_MAX) {
        free(*out);
        *out = NULL;
        srv_error(req, resp, 400, "bad_request", "field 'id': expected 1..%d bytes of hex",
                  SRV_KEY_ID_MAX);
        return false;
    }
    return true;
}

bool
srv_key_body_usage(struct srv_req *req, struct srv_resp *resp, unsigned allowed, unsigned *mask)
{
    json_t *arr = req->body != NULL ? json_object_get(req->body, "usage") : NULL, *v;
    unsigned m = 0;
    size_t i;

    if (arr == NULL || json_is_null(arr)) {
        return true;
    }
    if (!json_is_array(arr)) {
        srv_error(req, resp, 400, "bad_json", "field 'usage': expected an array of strings");
        return false;
    }
    if (json_array_size(arr) == 0) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'usage': empty (name at least one of "
                  "sign, verify, encrypt, decrypt, wrap, unwrap, "
                  "derive)");
        return false;
    }
    json_array_foreach(arr, i, v)
    {
        unsigned bit = 0;

        if (!json_is_string(v)) {
            srv_error(req, resp, 400, "bad_json", "field 'usage': expected an array of strings");
            return false;
        }
        if (fh_usage_from_word(json_string_value(v), &bit) != FH_OK || (m & bit) != 0) {
            srv_error(req, resp, 400, "bad_request",
                      "field 'usage': bad item '%s' (sign, verify, encrypt, decrypt, wrap, "
                      "unwrap, derive; each once)",
                      json_string_value(v));
            return false;
        }
        if ((allowed & bit) == 0) {
            srv_error(req, resp, 400, "bad_request",
                      "field 'usage': '%s' does not apply to this key", json_string_value(v));
            return false;
        }
        m |= bit;
    }
    *mask = m;
    return true;
}

bool
srv_key_body_type(struct srv_req *req, struct srv_resp *resp, const char *field,
                  const struct fh_keytype_desc **out)
{
    const char *name = NULL;
    const struct fh_keytype_desc *kt;

    if (!srv_body_str(req, resp, field, true, &name)) {
        return false;
    }
    kt = fh_keytype_find(name);
    if (kt == NULL) {
        srv_error(req, resp, 400, "bad_request", "field '%s': unknown key type '%s' (one of: %s)",
                  field, name, fh_keytype_names());
        return false;
    }
    *out = kt;
    return true;
}

/* ---- creation ---- */

static bool
in_key(const struct srv_key *k, CK_OBJECT_HANDLE h)
{
    for (size_t i = 0; k != NULL && i < k->n; i++) {
        if (k->obj[i] == h) {
            return true;
        }
    }
    return false;
}

static fh_rv
taken(fh_session *s, const CK_ATTRIBUTE *t, const struct srv_key *except)
{
    struct found *f = NULL;
    size_t n = 0;
    fh_rv rv = find_key_objects(s, t, 1, &f, &n);

    for (size_t i = 0; rv == FH_OK && i < n; i++) {
        if (!in_key(except, f[i].h)) {
            rv = FH_E_EXISTS;
        }
    }
    found_free(f, n);
    return rv;
}

fh_rv
srv_key_check_free(fh_session *s, const char *label, const uint8_t *id, size_t id_len,
                   const struct srv_key *except)
{
    CK_ATTRIBUTE t = {CKA_LABEL, (void *)label, label != NULL ? strlen(label) : 0};
    fh_rv rv = label != NULL ? taken(s, &t, except) : FH_OK;

    if (rv == FH_OK && id != NULL && id_len > 0) {
        t = (CK_ATTRIBUTE){CKA_ID, (void *)id, id_len};
        rv = taken(s, &t, except);
    }
    return rv;
}

fh_rv
srv_key_default_id(fh_session *s, uint8_t **id, size_t *id_len)
{
    uint8_t *b;
    fh_rv rv;

    if (*id != NULL) {
        return FH_OK;
    }
    b = malloc(8);
    if (b == NULL) {
        return FH_E_NOMEM;
    }
    rv = fh_random(s, b, 8);
    if (rv != FH_OK) {
        free(b);
        return rv;
    }
    *id = b;
    *id_len = 8;
    return FH_OK;
}

bool
srv_key_claim(struct srv_req *req, struct srv_resp *resp, fh_session *s, struct fh_newkey *nk,
              uint8_t **id, size_t *id_len, bool *locked)
{
    fh_rv rv;

    srv_keys_create_lock(req->params[0]);
    *locked = true;
    rv = srv_key_check_free(s, nk->label, *id, *id_len, NULL);
    if (rv == FH_OK) {
        rv = srv_key_default_id(s, id, id_len);
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, nk->label);
        return false;
    }
    nk->id = *id;
    nk->id_len = *id_len;
    return true;
}

fh_rv
srv_key_derive(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE base,
               const struct fh_keytype_desc *kt, CK_ULONG value_len, const struct fh_newkey *nk)
{
    struct fh_newkey_tmpl t;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    fh_rv rv = FH_OK;

    fh_newkey_tmpl_init(&t, CKO_SECRET_KEY, kt->key_type, nk);
    if (value_len != 0) {
        rv = fh_newkey_tmpl_value_len(&t, value_len);
    }
    return rv == FH_OK ? fh_key_derive(s, mech, base, t.attrs, t.n, &h) : rv;
}

fh_rv
srv_key_destroy(fh_session *s, const struct srv_key *k)
{
    fh_rv rv = FH_OK;

    for (size_t i = 0; i < k->n; i++) {
        fh_rv r = fh_object_destroy(s, k->obj[i]);

        if (rv == FH_OK) {
            rv = r;
        }
    }
    return rv;
}

fh_rv
srv_key_unwrap(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE unwrapping,
               const uint8_t *wrapped, size_t len, const struct fh_keytype_desc *kt,
               const struct fh_newkey *nk)
{
    struct fh_newkey_tmpl t;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE, hp = CK_INVALID_HANDLE;
    struct fh_key_desc d;
    uint8_t *spki = NULL;
    size_t spki_len = 0;
    fh_rv rv;

    fh_newkey_tmpl_init(&t, kt->pair ? CKO_PRIVATE_KEY : CKO_SECRET_KEY, kt->key_type, nk);
    rv = fh_key_unwrap(s, mech, unwrapping, wrapped, len, t.attrs, t.n, &h);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fh_key_describe(s, h, &d);
    if (rv == FH_OK && strcmp(fh_key_desc_type(&d), kt->name) != 0 &&
        strcmp(d.type_name, kt->name) != 0) {
        rv = FH_E_WRAPPED_KEY_INVALID; /* e.g. an aes-128 key where aes-256 (not aes) was named */
    }
    if (rv == FH_OK && kt->pair) {
        /* the pair's public half, from what the private half knows of it */
        rv = fh_attr_read(s, h, CKA_PUBLIC_KEY_INFO, &spki, &spki_len);
        if (rv == FH_OK) {
            rv = srv_key_create_public(s, spki, spki_len, nk, &hp);
        }
    }
    free(spki);
    if (rv != FH_OK) {
        if (fh_object_destroy(s, h) != FH_OK) {
            rv = FH_E_GENERAL; /* an object we could not take back: say so loudly */
        }
    }
    return rv;
}

void
srv_key_respond_created(struct srv_req *req, struct srv_resp *resp, fh_session *s,
                        const char *label, const uint8_t *id, size_t id_len)
{
    CK_ATTRIBUTE t[2] = {
        {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_len},
    };
    struct found *f = NULL;
    struct srv_key k;
    size_t n = 0, n_keys = 0;
    json_t *key = NULL, *root;
    fh_rv rv;

    key_init(&k);
    rv = find_key_objects(s, t, 2, &f, &n);
    if (rv == FH_OK && group(f, n, &k, &n_keys) != 1) {
        rv = FH_E_GENERAL; /* what we just created is not one key: should not happen */
    }
    if (rv == FH_OK) {
        rv = srv_key_json(s, &k, false, &key);
    }
    found_free(f, n);
    srv_key_clear(&k);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, NULL);
        return;
    }
    root = json_object();
    if (root == NULL || json_object_set_new(root, "key", key) != 0) {
        json_decref(root);
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_KEY, NULL);
        return;
    }
    srv_json(resp, 201, root);
}
