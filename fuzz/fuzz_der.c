/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_der.c - the soft backend's key decoders, through its public ABI:
 * the bytes are offered as a private key's PKCS#8 material (import of
 * CKA_VALUE, which runs the backend's own bounded DER reader and OpenSSL's
 * decoder behind it) for every key type, and as a public key's
 * SubjectPublicKeyInfo (a verify operation on it). Any input must give a
 * clean error or a usable key, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ferrohsm/backend.h"

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
    return 0;
}
