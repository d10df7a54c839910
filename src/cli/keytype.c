/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keytype.c - tables of key types and curves (see keytype.h).
 *
 * Default usages follow docs/cli.md: rsa all but derive; ec sign,verify,
 * derive; ed sign,verify; aes encrypt,decrypt,wrap,unwrap,sign,verify;
 * generic-secret sign,verify,derive. The OIDs are those of RFC 5480 (P-256
 * 1.2.840.10045.3.1.7, P-384 1.3.132.0.34, P-521 1.3.132.0.35) and RFC 8410
 * (Ed25519 1.3.101.112, Ed448 1.3.101.113), DER-encoded as PKCS#11 v3.0
 * §2.3.3 expects in CKA_EC_PARAMS.
 */
#include "keytype.h"

#include <string.h>

#include "args.h"

static const uint8_t oid_p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_p521[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23};
static const uint8_t oid_ed25519[] = {0x06, 0x03, 0x2B, 0x65, 0x70};
static const uint8_t oid_ed448[] = {0x06, 0x03, 0x2B, 0x65, 0x71};

static const struct cli_curve curves[] = {
    {"ec-p256", CKK_EC, oid_p256, sizeof(oid_p256), 256, 32},
    {"ec-p384", CKK_EC, oid_p384, sizeof(oid_p384), 384, 48},
    {"ec-p521", CKK_EC, oid_p521, sizeof(oid_p521), 521, 66},
    {"ed25519", CKK_EC_EDWARDS, oid_ed25519, sizeof(oid_ed25519), 255, 32},
    {"ed448", CKK_EC_EDWARDS, oid_ed448, sizeof(oid_ed448), 448, 57},
};

#define USE_RSA                                                                                    \
    (CLI_USE_SIGN | CLI_USE_VERIFY | CLI_USE_ENCRYPT | CLI_USE_DECRYPT | CLI_USE_WRAP |            \
     CLI_USE_UNWRAP)
#define USE_EC (CLI_USE_SIGN | CLI_USE_VERIFY | CLI_USE_DERIVE)
#define USE_ED (CLI_USE_SIGN | CLI_USE_VERIFY)
#define USE_AES USE_RSA
#define USE_GENERIC (CLI_USE_SIGN | CLI_USE_VERIFY | CLI_USE_DERIVE)

static const struct cli_keytype types[] = {
    {"rsa-2048", true, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL, USE_RSA},
    {"rsa-3072", true, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 3072, NULL, USE_RSA},
    {"rsa-4096", true, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 4096, NULL, USE_RSA},
    {"ec-p256", true, CKM_EC_KEY_PAIR_GEN, CKK_EC, 256, &curves[0], USE_EC},
    {"ec-p384", true, CKM_EC_KEY_PAIR_GEN, CKK_EC, 384, &curves[1], USE_EC},
    {"ec-p521", true, CKM_EC_KEY_PAIR_GEN, CKK_EC, 521, &curves[2], USE_EC},
    {"ed25519", true, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 255, &curves[3], USE_ED},
    {"ed448", true, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 448, &curves[4], USE_ED},
    {"aes-128", false, CKM_AES_KEY_GEN, CKK_AES, 128, NULL, USE_AES},
    {"aes-192", false, CKM_AES_KEY_GEN, CKK_AES, 192, NULL, USE_AES},
    {"aes-256", false, CKM_AES_KEY_GEN, CKK_AES, 256, NULL, USE_AES},
    {"generic-secret", false, CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, 0, NULL, USE_GENERIC},
};

const struct cli_keytype *
cli_keytype_find(const char *name)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(types[i].name, name) == 0) {
            return &types[i];
        }
    }
    return NULL;
}

const char *
cli_keytype_names(void)
{
    return "rsa-2048 rsa-3072 rsa-4096 ec-p256 ec-p384 ec-p521 ed25519 ed448 aes-128 aes-192 "
           "aes-256 generic-secret";
}

const struct cli_curve *
cli_curve_by_params(const uint8_t *der, size_t len)
{
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        if (curves[i].der_len == len && memcmp(curves[i].der, der, len) == 0) {
            return &curves[i];
        }
    }
    return NULL;
}
