/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attr.c - struct fh_attrs, an owned list of PKCS#11 attributes, and its TLV
 * encoding for the store.
 *
 * Invariants: each type appears at most once; v[i].value is NULL exactly when
 * v[i].len is 0; values are cleansed before they are freed (a list may hold
 * CKA_VALUE of a secret key while an object is created).
 */
#include "ferrohsm/attr.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define ENC_MAGIC 0x01u
#define ENC_HDR 5u   /* magic + count */
#define ENC_ITEM 12u /* type + length */

static struct fh_attr *
find(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].type == type) {
            return &a->v[i];
        }
    }
    return NULL;
}

static void
free_value(struct fh_attr *at)
{
    if (at->value != NULL) {
        OPENSSL_cleanse(at->value, at->len);
        free(at->value);
    }
    at->value = NULL;
    at->len = 0;
}

fh_rv
fh_attrs_set(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, const void *value, size_t len)
{
    struct fh_attr *at;
    uint8_t *copy = NULL;

    if (a == NULL || (value == NULL && len > 0) || len > FH_ATTR_MAX_VALUE) {
        return FH_E_ARGS;
    }
    if (len > 0) {
        copy = malloc(len);
        if (copy == NULL) {
            return FH_E_NOMEM;
        }
        memcpy(copy, value, len);
    }
    at = find(a, type);
    if (at == NULL) {
        if (a->n >= FH_ATTRS_MAX_COUNT) {
            free(copy);
            return FH_E_DATA_TOO_LARGE;
        }
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 16;
            struct fh_attr *v = realloc(a->v, cap * sizeof(*v));

            if (v == NULL) {
                if (copy != NULL) {
                    OPENSSL_cleanse(copy, len);
                }
                free(copy);
                return FH_E_NOMEM;
            }
            a->v = v;
            a->cap = cap;
        }
        at = &a->v[a->n++];
        at->type = type;
        at->value = NULL;
        at->len = 0;
    } else {
        free_value(at);
    }
    at->value = copy;
    at->len = len;
    return FH_OK;
}

fh_rv
fh_attrs_set_bool(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, bool v)
{
    CK_BBOOL b = v ? CK_TRUE : CK_FALSE;

    return fh_attrs_set(a, type, &b, sizeof(b));
}

fh_rv
fh_attrs_set_ulong(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
    return fh_attrs_set(a, type, &v, sizeof(v));
}

void
fh_attrs_del(struct fh_attrs *a, CK_ATTRIBUTE_TYPE type)
{
    struct fh_attr *at;

    if (a == NULL || (at = find(a, type)) == NULL) {
        return;
    }
    free_value(at);
    /* keep order: later code and tests rely on insertion order being stable */
    memmove(at, at + 1, (size_t)(&a->v[a->n] - (at + 1)) * sizeof(*at));
    a->n--;
}

const struct fh_attr *
fh_attrs_get(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type)
{
    return a == NULL ? NULL : find(a, type);
}

bool
fh_attrs_bool(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, bool def)
{
    const struct fh_attr *at = fh_attrs_get(a, type);

    if (at == NULL || at->len != sizeof(CK_BBOOL)) {
        return def;
    }
    return at->value[0] != CK_FALSE;
}

CK_ULONG
fh_attrs_ulong(const struct fh_attrs *a, CK_ATTRIBUTE_TYPE type, CK_ULONG def)
{
    const struct fh_attr *at = fh_attrs_get(a, type);
    CK_ULONG v;

    if (at == NULL || at->len != sizeof(CK_ULONG)) {
        return def;
    }
    memcpy(&v, at->value, sizeof(v));
    return v;
}

fh_rv
fh_attrs_copy(struct fh_attrs *dst, const struct fh_attrs *src)
{
    fh_rv rv = FH_OK;

    if (dst == NULL || src == NULL) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < src->n && rv == FH_OK; i++) {
        rv = fh_attrs_set(dst, src->v[i].type, src->v[i].value, src->v[i].len);
    }
    return rv;
}

void
fh_attrs_clear(struct fh_attrs *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < a->n; i++) {
        free_value(&a->v[i]);
    }
    free(a->v);
    a->v = NULL;
    a->n = 0;
    a->cap = 0;
}

static void
put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
}

static uint64_t
get_be(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

fh_rv
fh_attrs_encode(const struct fh_attrs *a, uint8_t **out, size_t *out_len)
{
    size_t len = ENC_HDR, off;
    uint8_t *buf;

    if (a == NULL || out == NULL || out_len == NULL) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < a->n; i++) {
        len += ENC_ITEM + a->v[i].len;
    }
    buf = malloc(len);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    buf[0] = ENC_MAGIC;
    put_be(buf + 1, a->n, 4);
    off = ENC_HDR;
    for (size_t i = 0; i < a->n; i++) {
        put_be(buf + off, a->v[i].type, 8);
        put_be(buf + off + 8, a->v[i].len, 4);
        off += ENC_ITEM;
        if (a->v[i].len > 0) {
            memcpy(buf + off, a->v[i].value, a->v[i].len);
        }
        off += a->v[i].len;
    }
    *out = buf;
    *out_len = len;
    return FH_OK;
}

fh_rv
fh_attrs_decode(const uint8_t *in, size_t len, struct fh_attrs *a)
{
    struct fh_attrs tmp = FH_ATTRS_INIT;
    uint64_t count;
    size_t off = ENC_HDR;
    fh_rv rv = FH_OK;

    if (a == NULL) {
        return FH_E_ARGS;
    }
    fh_attrs_clear(a); /* empty on every failure, as attr.h promises */
    if (in == NULL && len > 0) {
        return FH_E_ARGS;
    }
    if (len < ENC_HDR || in[0] != ENC_MAGIC) {
        return FH_E_STORE_CORRUPT;
    }
    count = get_be(in + 1, 4);
    if (count > FH_ATTRS_MAX_COUNT) {
        return FH_E_STORE_CORRUPT;
    }
    for (uint64_t i = 0; i < count; i++) {
        CK_ATTRIBUTE_TYPE type;
        size_t vlen;

        if (off > len || len - off < ENC_ITEM) {
            rv = FH_E_STORE_CORRUPT;
            goto out;
        }
        type = (CK_ATTRIBUTE_TYPE)get_be(in + off, 8);
        vlen = (size_t)get_be(in + off + 8, 4);
        off += ENC_ITEM;
        if (vlen > FH_ATTR_MAX_VALUE || vlen > len - off || fh_attrs_get(&tmp, type) != NULL) {
            rv = FH_E_STORE_CORRUPT;
            goto out;
        }
        rv = fh_attrs_set(&tmp, type, in + off, vlen);
        if (rv != FH_OK) {
            goto out;
        }
        off += vlen;
    }
    if (off != len) {
        rv = FH_E_STORE_CORRUPT;
        goto out;
    }
    *a = tmp;
    tmp = (struct fh_attrs)FH_ATTRS_INIT;
out:
    fh_attrs_clear(&tmp);
    return rv;
}
