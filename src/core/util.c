/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c - small helpers of the core: big-endian integers, the AES-256-GCM
 * seal/open used for everything the core encrypts at rest (wrapped TMKs,
 * secret attributes), and an int64 -> uint32 map for handle tables.
 *
 * Sealed format: nonce (12 random bytes) || ciphertext || tag (16 bytes).
 * A random nonce is safe here: each TMK seals far fewer than 2^32 values.
 */
#include "core-int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define NONCE_LEN 12
#define TAG_LEN 16

void
fhi_put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
}

uint64_t
fhi_get_be(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

fh_rv
fhi_random(fh_ctx *ctx, void *out, size_t len)
{
    if (ctx != NULL && ctx->be_ops != NULL && ctx->be_ops->random != NULL) {
        return ctx->be_ops->random(ctx->be, out, len);
    }
    return RAND_bytes(out, (int)len) == 1 ? FH_OK : FH_E_CRYPTO;
}

fh_rv
fhi_seal(const uint8_t key[32], const uint8_t *aad, size_t aad_len, const uint8_t *in,
         size_t in_len, uint8_t **out, size_t *out_len)
{
    EVP_CIPHER_CTX *c = NULL;
    uint8_t *buf = NULL;
    int len = 0;
    fh_rv rv = FH_E_CRYPTO;

    if (in_len > INT32_MAX - NONCE_LEN - TAG_LEN || aad_len > INT32_MAX) {
        return FH_E_DATA_TOO_LARGE;
    }
    buf = malloc(NONCE_LEN + in_len + TAG_LEN);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    if (RAND_bytes(buf, NONCE_LEN) != 1 || (c = EVP_CIPHER_CTX_new()) == NULL) {
        goto out;
    }
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) != 1 ||
        (aad_len > 0 && EVP_EncryptUpdate(c, NULL, &len, aad, (int)aad_len) != 1) ||
        EVP_EncryptUpdate(c, buf + NONCE_LEN, &len, in, (int)in_len) != 1 ||
        EVP_EncryptFinal_ex(c, buf + NONCE_LEN + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + in_len) != 1) {
        goto out;
    }
    *out = buf;
    *out_len = NONCE_LEN + in_len + TAG_LEN;
    buf = NULL;
    rv = FH_OK;
out:
    EVP_CIPHER_CTX_free(c);
    free(buf);
    return rv;
}

fh_rv
fhi_open(const uint8_t key[32], const uint8_t *aad, size_t aad_len, const uint8_t *in,
         size_t in_len, fh_secret **out)
{
    EVP_CIPHER_CTX *c = NULL;
    fh_secret *pt = NULL;
    size_t ct_len;
    int len = 0;
    fh_rv rv = FH_E_INTEGRITY;

    if (in == NULL || in_len < NONCE_LEN + TAG_LEN || in_len > INT32_MAX) {
        return FH_E_INTEGRITY;
    }
    ct_len = in_len - NONCE_LEN - TAG_LEN;
    rv = fh_secret_new(ct_len, &pt);
    if (rv != FH_OK) {
        return rv;
    }
    rv = FH_E_INTEGRITY;
    if ((c = EVP_CIPHER_CTX_new()) == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, in) != 1 ||
        (aad_len > 0 && EVP_DecryptUpdate(c, NULL, &len, aad, (int)aad_len) != 1) ||
        EVP_DecryptUpdate(c, fh_secret_data(pt), &len, in + NONCE_LEN, (int)ct_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                            (void *)(uintptr_t)(in + NONCE_LEN + ct_len)) != 1 ||
        EVP_DecryptFinal_ex(c, fh_secret_data(pt) + len, &len) != 1) {
        goto out;
    }
    *out = pt;
    pt = NULL;
    rv = FH_OK;
out:
    EVP_CIPHER_CTX_free(c);
    fh_secret_free(pt);
    return rv;
}

static size_t
slot_of(int64_t key, size_t cap)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;

    return (size_t)(h >> 17) & (cap - 1);
}

static fh_rv
grow(struct fhi_i64map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    int64_t *keys = calloc(cap, sizeof(*keys));
    uint32_t *vals = calloc(cap, sizeof(*vals));

    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] > 0) {
            size_t j = slot_of(m->keys[i], cap);

            while (keys[j] != 0) {
                j = (j + 1) & (cap - 1);
            }
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return FH_OK;
}

/* Deleted slots hold key -1 (a tombstone) so probe chains stay intact. */
fh_rv
fhi_i64map_put(struct fhi_i64map *m, int64_t key, uint32_t val)
{
    size_t i;

    if (key <= 0) {
        return FH_E_ARGS;
    }
    if ((m->n + 1) * 2 > m->cap) {
        fh_rv rv = grow(m);

        if (rv != FH_OK) {
            return rv;
        }
    }
    i = slot_of(key, m->cap);
    while (m->keys[i] != 0 && m->keys[i] != key) {
        i = (i + 1) & (m->cap - 1);
    }
    if (m->keys[i] == 0) {
        m->n++;
    }
    m->keys[i] = key;
    m->vals[i] = val;
    return FH_OK;
}

uint32_t
fhi_i64map_get(const struct fhi_i64map *m, int64_t key)
{
    size_t i;

    if (m->cap == 0 || key <= 0) {
        return 0;
    }
    i = slot_of(key, m->cap);
    while (m->keys[i] != 0) {
        if (m->keys[i] == key) {
            return m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

void
fhi_i64map_del(struct fhi_i64map *m, int64_t key)
{
    size_t i;

    if (m->cap == 0 || key <= 0) {
        return;
    }
    i = slot_of(key, m->cap);
    while (m->keys[i] != 0) {
        if (m->keys[i] == key) {
            m->keys[i] = -1;
            m->vals[i] = 0;
            return;
        }
        i = (i + 1) & (m->cap - 1);
    }
}

void
fhi_i64map_clear(struct fhi_i64map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}
