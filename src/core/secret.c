/* SPDX-License-Identifier: Apache-2.0 */
/*
 * secret.c - fh_secret, the container for secret bytes.
 *
 * Layout: one allocation holding the header and the bytes, from
 * OPENSSL_secure_zalloc (which falls back to the ordinary heap when the
 * process has no secure heap). Freed with OPENSSL_secure_clear_free, which
 * cleanses the whole allocation. `cap` is the allocated size of data[] and
 * never shrinks, so truncate can cleanse the cut bytes.
 */
#include "ferrohsm/secret.h"

#include <string.h>

#include <openssl/crypto.h>

struct fh_secret {
    size_t len;
    size_t cap;
    uint8_t data[];
};

fh_rv
fh_secret_new(size_t len, fh_secret **out)
{
    fh_secret *s;

    if (out == NULL || len > (1u << 24)) {
        return FH_E_ARGS;
    }
    /* +1 so a zero-length secret still has a valid, distinct data pointer */
    s = OPENSSL_secure_zalloc(sizeof(*s) + len + 1);
    if (s == NULL) {
        return FH_E_NOMEM;
    }
    s->len = len;
    s->cap = len;
    *out = s;
    return FH_OK;
}

fh_rv
fh_secret_from(const void *data, size_t len, fh_secret **out)
{
    fh_secret *s = NULL;
    fh_rv rv;

    if (data == NULL && len > 0) {
        return FH_E_ARGS;
    }
    rv = fh_secret_new(len, &s);
    if (rv != FH_OK) {
        return rv;
    }
    if (len > 0) {
        memcpy(s->data, data, len);
    }
    *out = s;
    return FH_OK;
}

void
fh_secret_free(fh_secret *s)
{
    if (s == NULL) {
        return;
    }
    OPENSSL_secure_clear_free(s, sizeof(*s) + s->cap + 1);
}

uint8_t *
fh_secret_data(fh_secret *s)
{
    return s->data;
}

const uint8_t *
fh_secret_cdata(const fh_secret *s)
{
    return s->data;
}

size_t
fh_secret_len(const fh_secret *s)
{
    return s->len;
}

bool
fh_secret_equal(const fh_secret *a, const fh_secret *b)
{
    if (a == NULL || b == NULL || a->len != b->len) {
        return false;
    }
    return CRYPTO_memcmp(a->data, b->data, a->len) == 0;
}

void
fh_secret_truncate(fh_secret *s, size_t new_len)
{
    if (s == NULL || new_len >= s->len) {
        return;
    }
    OPENSSL_cleanse(s->data + new_len, s->len - new_len);
    s->len = new_len;
}
