/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_der.c - the soft backend's key decoders, through its public ABI:
 * the bytes are offered as a private key's PKCS#8 material (import of
 * CKA_VALUE, which runs the backend's own bounded DER reader and OpenSSL's
 * decoder behind it) for every key type, and as a public key's
 * SubjectPublicKeyInfo (a verify operation on it). Any input must give a
 * clean error or a usable key, never a crash or a leak.
 *
 * The same bytes are also read as a DER ECDSA-Sig-Value by sigder.c, for
 * r and s of 32, 48 and 66 bytes, and held to OpenSSL: accepted exactly
 * when d2i_ECDSA_SIG reads all of it, its re-encoding is the input (DER,
 * not BER) and both integers fit; then r||s is OpenSSL's, and encoding it
 * again gives the input back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "ferrohsm/backend.h"
#include "sigder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *
backend(void)
{
    static void *priv;

    if (priv == NULL) {
        priv = calloc(1, fh_backend_soft_ops.priv_size);
        if (priv == NULL || fh_backend_soft_ops.init(priv, NULL) != FH_OK) {
            abort();
        }
    }
    return priv;
}

/* OpenSSL's reading of der as a strict ECDSA-Sig-Value with halves of n bytes. */
static bool
ossl_sig(const uint8_t *der, size_t len, size_t n, uint8_t *raw)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = len <= 0x7fffffff ? d2i_ECDSA_SIG(NULL, &p, (long)len) : NULL;
    unsigned char *re = NULL;
    int rn;
    bool ok = false;

    if (sig != NULL && p == der + len && (rn = i2d_ECDSA_SIG(sig, &re)) > 0 && (size_t)rn == len &&
        memcmp(re, der, len) == 0 && BN_num_bytes(ECDSA_SIG_get0_r(sig)) <= (int)n &&
        BN_num_bytes(ECDSA_SIG_get0_s(sig)) <= (int)n) {
        ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, (int)n) == (int)n &&
             BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + n, (int)n) == (int)n;
    }
    OPENSSL_free(re);
    ECDSA_SIG_free(sig);
    return ok;
}

static void
sig_der(const uint8_t *data, size_t size)
{
    static const size_t halves[] = {32, 48, 66};

    for (size_t i = 0; i < sizeof(halves) / sizeof(halves[0]); i++) {
        size_t n = halves[i], len;
        uint8_t ours[2 * 66], theirs[2 * 66], again[2 * 66 + 16];
        bool a = fhi_ecdsa_der_to_raw(data, size, n, ours);

        if (a != ossl_sig(data, size, n, theirs) || (a && memcmp(ours, theirs, 2 * n) != 0)) {
            abort(); /* the two readers disagree */
        }
        len = sizeof(again);
        if (a && (!fhi_ecdsa_raw_to_der(ours, n, again, &len) || len != size ||
                  memcmp(again, data, size) != 0)) {
            abort(); /* DER -> r||s -> DER is not the identity */
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const CK_KEY_TYPE types[] = {CKK_RSA, CKK_EC, CKK_EC_EDWARDS};
    const struct fh_backend_ops *ops = &fh_backend_soft_ops;
    void *priv = backend();

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct fh_attrs in = FH_ATTRS_INIT, pub = FH_ATTRS_INIT;
        fh_secret *material = NULL;
        struct fh_bkey key = {CKO_PUBLIC_KEY, types[i], NULL, data, size, NULL};
        CK_MECHANISM mech = {types[i] == CKK_RSA   ? CKM_SHA256_RSA_PKCS
                             : types[i] == CKK_EC ? CKM_ECDSA_SHA256
                                                  : CKM_EDDSA,
                             NULL, 0};
        void *op = NULL;

        if (fh_attrs_set(&in, CKA_VALUE, data, size) == FH_OK &&
            ops->import(priv, CKO_PRIVATE_KEY, types[i], &in, &material, &pub) == FH_OK &&
            material == NULL) {
            abort(); /* success must produce material */
        }
        fh_secret_free(material);
        fh_attrs_clear(&in);
        fh_attrs_clear(&pub);
        if (ops->op_init(priv, FH_OP_VERIFY, &mech, &key, &op) == FH_OK) {
            ops->op_free(op);
        }
    }
    sig_der(data, size);
    return 0;
}
