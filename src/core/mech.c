/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mech.c - the mechanism registry: one table, read by every front.
 *
 * Key sizes follow PKCS#11 C_GetMechanismInfo units: bits for RSA, EC and
 * Edwards keys, bytes for AES and generic secrets. The registry lists what
 * FerroHSM understands; fh_ctx keeps the subset its backend supports.
 */
#include "core-int.h"

#include <string.h>
#include <strings.h>

#define MP FH_MECH_MULTIPART
#define ECF (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)
#define SV (CKF_SIGN | CKF_VERIFY)
#define ED (CKF_ENCRYPT | CKF_DECRYPT)
#define WU (CKF_WRAP | CKF_UNWRAP)

#define K1(a) {a}, 1

static const struct fh_mech_desc registry[] = {
    /* key generation */
    {CKM_RSA_PKCS_KEY_PAIR_GEN, "RSA_PKCS_KEY_PAIR_GEN", CKF_GENERATE_KEY_PAIR, 2048, 4096, 0, K1(CKK_RSA)},
    {CKM_EC_KEY_PAIR_GEN, "EC_KEY_PAIR_GEN", CKF_GENERATE_KEY_PAIR | ECF, 256, 521, 0, K1(CKK_EC)},
    {CKM_EC_EDWARDS_KEY_PAIR_GEN, "EC_EDWARDS_KEY_PAIR_GEN", CKF_GENERATE_KEY_PAIR | ECF, 255, 448, 0, K1(CKK_EC_EDWARDS)},
    {CKM_AES_KEY_GEN, "AES_KEY_GEN", CKF_GENERATE, 16, 32, 0, K1(CKK_AES)},
    {CKM_GENERIC_SECRET_KEY_GEN, "GENERIC_SECRET_KEY_GEN", CKF_GENERATE, 1, 512, 0, K1(CKK_GENERIC_SECRET)},
    /* RSA */
    {CKM_RSA_PKCS, "RSA_PKCS", SV | ED, 2048, 4096, 0, K1(CKK_RSA)},
    {CKM_SHA1_RSA_PKCS, "SHA1_RSA_PKCS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA224_RSA_PKCS, "SHA224_RSA_PKCS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA256_RSA_PKCS, "SHA256_RSA_PKCS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA384_RSA_PKCS, "SHA384_RSA_PKCS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA512_RSA_PKCS, "SHA512_RSA_PKCS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_RSA_PKCS_PSS, "RSA_PKCS_PSS", SV, 2048, 4096, 0, K1(CKK_RSA)},
    {CKM_SHA1_RSA_PKCS_PSS, "SHA1_RSA_PKCS_PSS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA224_RSA_PKCS_PSS, "SHA224_RSA_PKCS_PSS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA256_RSA_PKCS_PSS, "SHA256_RSA_PKCS_PSS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA384_RSA_PKCS_PSS, "SHA384_RSA_PKCS_PSS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_SHA512_RSA_PKCS_PSS, "SHA512_RSA_PKCS_PSS", SV, 2048, 4096, MP, K1(CKK_RSA)},
    {CKM_RSA_PKCS_OAEP, "RSA_PKCS_OAEP", ED | WU, 2048, 4096, 0, K1(CKK_RSA)},
    {CKM_RSA_AES_KEY_WRAP, "RSA_AES_KEY_WRAP", WU, 2048, 4096, 0, K1(CKK_RSA)},
    /* EC */
    {CKM_ECDSA, "ECDSA", SV | ECF, 256, 521, 0, K1(CKK_EC)},
    {CKM_ECDSA_SHA1, "ECDSA_SHA1", SV | ECF, 256, 521, MP, K1(CKK_EC)},
    {CKM_ECDSA_SHA224, "ECDSA_SHA224", SV | ECF, 256, 521, MP, K1(CKK_EC)},
    {CKM_ECDSA_SHA256, "ECDSA_SHA256", SV | ECF, 256, 521, MP, K1(CKK_EC)},
    {CKM_ECDSA_SHA384, "ECDSA_SHA384", SV | ECF, 256, 521, MP, K1(CKK_EC)},
    {CKM_ECDSA_SHA512, "ECDSA_SHA512", SV | ECF, 256, 521, MP, K1(CKK_EC)},
    {CKM_EDDSA, "EDDSA", SV | ECF, 255, 448, 0, K1(CKK_EC_EDWARDS)},
    {CKM_ECDH1_DERIVE, "ECDH1_DERIVE", CKF_DERIVE | ECF, 256, 521, 0, K1(CKK_EC)},
    /* AES */
    {CKM_AES_ECB, "AES_ECB", ED, 16, 32, MP, K1(CKK_AES)},
    {CKM_AES_CBC, "AES_CBC", ED, 16, 32, MP, K1(CKK_AES)},
    {CKM_AES_CBC_PAD, "AES_CBC_PAD", ED, 16, 32, MP, K1(CKK_AES)},
    {CKM_AES_CTR, "AES_CTR", ED, 16, 32, MP, K1(CKK_AES)},
    {CKM_AES_GCM, "AES_GCM", ED, 16, 32, MP, K1(CKK_AES)},
    {CKM_AES_KEY_WRAP, "AES_KEY_WRAP", WU, 16, 32, 0, K1(CKK_AES)},
    {CKM_AES_KEY_WRAP_PAD, "AES_KEY_WRAP_PAD", WU, 16, 32, 0, K1(CKK_AES)},
    {CKM_AES_KEY_WRAP_KWP, "AES_KEY_WRAP_KWP", WU, 16, 32, 0, K1(CKK_AES)},
    {CKM_AES_CMAC, "AES_CMAC", SV, 16, 32, MP, K1(CKK_AES)},
    {CKM_AES_CMAC_GENERAL, "AES_CMAC_GENERAL", SV, 16, 32, MP, K1(CKK_AES)},
    /* HMAC */
    {CKM_SHA_1_HMAC, "SHA_1_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA224_HMAC, "SHA224_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA256_HMAC, "SHA256_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA384_HMAC, "SHA384_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA512_HMAC, "SHA512_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA3_224_HMAC, "SHA3_224_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA3_256_HMAC, "SHA3_256_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA3_384_HMAC, "SHA3_384_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    {CKM_SHA3_512_HMAC, "SHA3_512_HMAC", SV, 1, 512, MP, K1(CKK_GENERIC_SECRET)},
    /* digests */
    {CKM_SHA_1, "SHA_1", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA224, "SHA224", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA256, "SHA256", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA384, "SHA384", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA512, "SHA512", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA3_224, "SHA3_224", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA3_256, "SHA3_256", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA3_384, "SHA3_384", CKF_DIGEST, 0, 0, MP, {0}, 0},
    {CKM_SHA3_512, "SHA3_512", CKF_DIGEST, 0, 0, MP, {0}, 0},
};

/* Names users type that differ from the PKCS#11 spelling. */
static const struct {
    const char *alias;
    CK_MECHANISM_TYPE type;
} aliases[] = {
    {"SHA1", CKM_SHA_1},
    {"SHA1_HMAC", CKM_SHA_1_HMAC},
    {"AES_KWP", CKM_AES_KEY_WRAP_KWP},
};

const struct fh_mech_desc *
fhi_mech_registry(size_t *n)
{
    *n = sizeof(registry) / sizeof(registry[0]);
    return registry;
}

const struct fh_mech_desc *
fhi_mech_lookup(CK_MECHANISM_TYPE type)
{
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
        if (registry[i].type == type) {
            return &registry[i];
        }
    }
    return NULL;
}

CK_FLAGS
fhi_op_flag(enum fh_op_kind op)
{
    switch (op) {
    case FH_OP_ENCRYPT: return CKF_ENCRYPT;
    case FH_OP_DECRYPT: return CKF_DECRYPT;
    case FH_OP_SIGN: return CKF_SIGN;
    case FH_OP_VERIFY: return CKF_VERIFY;
    case FH_OP_DIGEST: return CKF_DIGEST;
    case FH_OP_NONE: return 0;
    }
    return 0;
}

bool
fhi_mech_has_key_type(const struct fh_mech_desc *m, CK_KEY_TYPE kt)
{
    for (size_t i = 0; i < m->n_key_types; i++) {
        if (m->key_types[i] == kt) {
            return true;
        }
    }
    return false;
}

fh_rv
fh_mech_from_name(const char *name, CK_MECHANISM_TYPE *out)
{
    if (name == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    if (strncasecmp(name, "CKM_", 4) == 0) {
        name += 4;
    }
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
        if (strcasecmp(registry[i].name, name) == 0) {
            *out = registry[i].type;
            return FH_OK;
        }
    }
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcasecmp(aliases[i].alias, name) == 0) {
            *out = aliases[i].type;
            return FH_OK;
        }
    }
    return FH_E_NOT_FOUND;
}

const char *
fh_mech_name(CK_MECHANISM_TYPE type)
{
    const struct fh_mech_desc *m = fhi_mech_lookup(type);

    return m != NULL ? m->name : NULL;
}

size_t
fh_mech_count(const fh_ctx *ctx)
{
    return ctx != NULL ? ctx->n_mechs : 0;
}

const struct fh_mech_desc *
fh_mech_at(const fh_ctx *ctx, size_t i)
{
    return (ctx != NULL && i < ctx->n_mechs) ? ctx->mechs[i] : NULL;
}

const struct fh_mech_desc *
fh_mech_get(const fh_ctx *ctx, CK_MECHANISM_TYPE type)
{
    if (ctx == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < ctx->n_mechs; i++) {
        if (ctx->mechs[i]->type == type) {
            return ctx->mechs[i];
        }
    }
    return NULL;
}
