/* SPDX-License-Identifier: Apache-2.0 */
/*
 * p11bench.c - throughput of a PKCS#11 module, side by side with others.
 *
 *   p11bench MODULE --slot-label LABEL --pin PIN [--threads N] [--seconds S]
 *            [--only NAME,...] [--token-keys]
 *   p11bench MODULE --init --slot-label LABEL --so-pin SOPIN --pin PIN
 *
 * The module is reached through dlopen + C_GetFunctionList only, so the same
 * binary measures a v2.40 module (SoftHSMv2) and a v3.0 one (FerroHSM). Keys
 * are session objects made once per run in a "key session" that stays open
 * (PKCS#11 v3.0 §4.4: session objects are visible to every session of the
 * application), or token objects with --token-keys (destroyed at the end);
 * the find case makes token objects because that is what it measures.
 *
 * Each case runs on N threads, each with its own session: a warm-up of
 * ~0.2 s in which every output is checked (signatures, MACs, digests and
 * ciphertexts against libcrypto, never against the module itself, so a module
 * that returns garbage or says "yes" to every verify cannot post a number),
 * then S seconds of the bare operation. Output on stdout, one line per case:
 *
 *   name threads ops_per_sec          (find-create/destroy: seconds)
 *
 * Lines starting with '#' are notes (skips, failures). Exit status 1 when a
 * case failed, 2 on a usage or set-up error.
 *
 * Threads share only read-only state (struct bench) and write only their own
 * struct worker (cache-line aligned); the phases are separated by a pthread
 * barrier.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <ferrohsm/pkcs11/pkcs11.h>

#define WARMUP_SECONDS 0.2
#define FIND_OBJECTS 10000
#define MSG_LEN 32
#define HMAC_LEN 64
#define BULK_LEN 4096
#define GCM_IV_LEN 12
#define GCM_TAG_LEN 16
#define OUT_MAX (BULK_LEN + 64)
#define MAX_THREADS 256
#define CLOCK_EVERY 8

/* DER of the curve parameters: OID prime256v1, OID id-Ed25519 (RFC 8410) and
 * the PrintableString "edwards25519" that SoftHSMv2 2.6 also accepts. */
static const CK_BYTE oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const CK_BYTE oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
static const CK_BYTE str_ed25519[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd',
                                      's', '2', '5', '5', '1', '9'};

static CK_BBOOL yes = CK_TRUE;
static CK_BBOOL no = CK_FALSE;
/* CKA_TOKEN of the benchmark keys: CK_TRUE with --token-keys. Modules may
 * treat the two kinds differently (FerroHSM caches prepared token keys). */
static CK_BBOOL key_token = CK_FALSE;

/* Everything the workers read; written only by the main thread between cases. */
struct bench {
    CK_FUNCTION_LIST_PTR fl;
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE ks; /* key session: owns the session objects */
    CK_MECHANISM_TYPE *mechs;
    CK_ULONG n_mechs;
    unsigned threads;
    double seconds;
    bool failed;

    CK_OBJECT_HANDLE rsa_pub, rsa_priv, ec_pub, ec_priv, ed_pub, ed_priv, aes, hmac;
    EVP_PKEY *rsa_pkey, *ec_pkey, *ed_pkey; /* public halves, for the checks */
    CK_BYTE aes_value[32], hmac_value[32];
    CK_BYTE rsa_sig[256], ec_sig[64]; /* reference signatures of msg, for the verify cases */
    CK_BYTE msg[MSG_LEN], hmac_msg[HMAC_LEN], bulk[BULK_LEN];
    CK_OBJECT_HANDLE *objs; /* find case: handle of "bench-obj-<i>" */
};

/* One thread's state. fn/rv/why name the first failure. Cache-line aligned:
 * every operation writes it, and false sharing between two threads' states
 * would be charged to the module under test. */
struct worker {
    _Alignas(64) struct bench *b;
    unsigned idx;
    CK_SESSION_HANDLE s;
    uint64_t ops;
    double secs;
    uint64_t rng;
    uint64_t ctr;
    bool neg_done; /* verify cases: the forged signature was rejected once */
    const char *fn;
    CK_RV rv;
    const char *why;
    CK_BYTE out[OUT_MAX];
    CK_ULONG out_len;
    CK_BYTE iv[GCM_IV_LEN];
};

typedef int (*op_fn)(struct worker *w, bool check);
typedef int (*setup_fn)(struct bench *b, const char **fn, CK_RV *rv);

struct bcase {
    const char *name;
    CK_MECHANISM_TYPE need[2]; /* mechanisms the case needs (0: none) */
    setup_fn setup;
    op_fn op;
};

/* ---------------------------------------------------------------- helpers */

static const char *
ckr_str(CK_RV rv)
{
    static const struct {
        CK_RV rv;
        const char *s;
    } t[] = {
#define R(x) {x, #x}
        R(CKR_OK), R(CKR_CANCEL), R(CKR_HOST_MEMORY), R(CKR_SLOT_ID_INVALID),
        R(CKR_GENERAL_ERROR), R(CKR_FUNCTION_FAILED), R(CKR_ARGUMENTS_BAD),
        R(CKR_ATTRIBUTE_READ_ONLY), R(CKR_ATTRIBUTE_SENSITIVE),
        R(CKR_ATTRIBUTE_TYPE_INVALID), R(CKR_ATTRIBUTE_VALUE_INVALID),
        R(CKR_ACTION_PROHIBITED), R(CKR_DATA_INVALID), R(CKR_DATA_LEN_RANGE),
        R(CKR_DEVICE_ERROR), R(CKR_DEVICE_MEMORY), R(CKR_FUNCTION_CANCELED),
        R(CKR_FUNCTION_NOT_SUPPORTED), R(CKR_KEY_HANDLE_INVALID), R(CKR_KEY_SIZE_RANGE),
        R(CKR_KEY_TYPE_INCONSISTENT), R(CKR_KEY_FUNCTION_NOT_PERMITTED),
        R(CKR_MECHANISM_INVALID), R(CKR_MECHANISM_PARAM_INVALID),
        R(CKR_OBJECT_HANDLE_INVALID), R(CKR_OPERATION_ACTIVE),
        R(CKR_OPERATION_NOT_INITIALIZED), R(CKR_PIN_INCORRECT), R(CKR_PIN_INVALID),
        R(CKR_PIN_LEN_RANGE), R(CKR_PIN_LOCKED), R(CKR_SESSION_CLOSED),
        R(CKR_SESSION_COUNT), R(CKR_SESSION_HANDLE_INVALID),
        R(CKR_SESSION_READ_ONLY), R(CKR_SESSION_EXISTS), R(CKR_SIGNATURE_INVALID),
        R(CKR_SIGNATURE_LEN_RANGE), R(CKR_TEMPLATE_INCOMPLETE),
        R(CKR_TEMPLATE_INCONSISTENT), R(CKR_TOKEN_NOT_PRESENT),
        R(CKR_TOKEN_NOT_RECOGNIZED), R(CKR_USER_ALREADY_LOGGED_IN),
        R(CKR_USER_NOT_LOGGED_IN), R(CKR_USER_PIN_NOT_INITIALIZED),
        R(CKR_USER_TYPE_INVALID), R(CKR_DOMAIN_PARAMS_INVALID), R(CKR_CURVE_NOT_SUPPORTED),
        R(CKR_BUFFER_TOO_SMALL), R(CKR_RANDOM_NO_RNG), R(CKR_CRYPTOKI_NOT_INITIALIZED),
        R(CKR_CRYPTOKI_ALREADY_INITIALIZED), R(CKR_OPERATION_CANCEL_FAILED),
#undef R
    };
    static _Thread_local char buf[32];

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (t[i].rv == rv) {
            return t[i].s;
        }
    }
    snprintf(buf, sizeof buf, "CKR_0x%08lx", (unsigned long)rv);
    return buf;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: label picks in the find case (rand() is banned, and shared). */
static uint64_t
next_rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* Record a module failure in w; returns -1 so callers can `return fail(...)`. */
static int
fail(struct worker *w, const char *fn, CK_RV rv)
{
    w->fn = fn;
    w->rv = rv;
    return -1;
}

static int
bad(struct worker *w, const char *why)
{
    w->why = why;
    return -1;
}

static bool
has_mech(const struct bench *b, CK_MECHANISM_TYPE m)
{
    for (CK_ULONG i = 0; i < b->n_mechs; i++) {
        if (b->mechs[i] == m) {
            return true;
        }
    }
    return false;
}

/* Read one attribute of up to *len bytes into buf. */
static CK_RV
get_attr(struct bench *b, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, CK_BYTE *buf,
         CK_ULONG *len)
{
    CK_ATTRIBUTE a = {type, buf, *len};
    CK_RV rv = b->fl->C_GetAttributeValue(b->ks, h, &a, 1);

    if (rv == CKR_OK) {
        *len = a.ulValueLen;
    }
    return rv;
}

/* CKA_EC_POINT is a DER OCTET STRING (v3.0 §2.3.3); some modules return the
 * raw point. Strip the wrapper when present. */
static const CK_BYTE *
unwrap_point(const CK_BYTE *p, CK_ULONG *len)
{
    if (*len >= 2 && p[0] == 0x04 && p[1] < 0x80 && (CK_ULONG)p[1] + 2 == *len) {
        *len -= 2;
        return p + 2;
    }
    if (*len >= 3 && p[0] == 0x04 && p[1] == 0x81 && (CK_ULONG)p[2] + 3 == *len) {
        *len -= 3;
        return p + 3;
    }
    return p;
}

/* ------------------------------------------------------- libcrypto checks */

static EVP_PKEY *
pkey_rsa(const CK_BYTE *n, CK_ULONG n_len, const CK_BYTE *e, CK_ULONG e_len)
{
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL);
    BIGNUM *bn_e = BN_bin2bn(e, (int)e_len, NULL);
    OSSL_PARAM *params = NULL;

    if (ctx == NULL || bld == NULL || bn_n == NULL || bn_e == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        pk = NULL;
    }
    OSSL_PARAM_free(params);
    BN_free(bn_e);
    BN_free(bn_n);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return pk;
}

static EVP_PKEY *
pkey_p256(const CK_BYTE *pt, CK_ULONG len)
{
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)(uintptr_t)pt, len),
        OSSL_PARAM_END,
    };

    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        pk = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pk;
}

/* RSA PKCS#1 v1.5 or PSS (sLen 32, MGF1-SHA256) over SHA-256 of msg. */
static bool
ossl_rsa_ok(EVP_PKEY *pk, bool pss, const CK_BYTE *msg, size_t len, const CK_BYTE *sig,
            size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool ok = md != NULL && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pk) == 1;

    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
    }
    ok = ok && EVP_DigestVerify(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* Raw ECDSA (r || s, PKCS#11 v3.0 §2.3.1) over a 32-byte hash. */
static bool
ossl_ecdsa_ok(EVP_PKEY *pk, const CK_BYTE *hash, const CK_BYTE *sig, size_t sig_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(sig_len / 2), NULL);
    BIGNUM *s = BN_bin2bn(sig + sig_len / 2, (int)(sig_len / 2), NULL);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    unsigned char *der = NULL;
    int der_len = -1;
    bool ok = false;

    if (es != NULL && r != NULL && s != NULL && sig_len == 64 && ECDSA_SIG_set0(es, r, s) == 1) {
        r = NULL;
        s = NULL;
        der_len = i2d_ECDSA_SIG(es, &der);
    }
    ok = der_len > 0 && ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
         EVP_PKEY_verify(ctx, der, (size_t)der_len, hash, MSG_LEN) == 1;
    OPENSSL_free(der);
    EVP_PKEY_CTX_free(ctx);
    BN_free(s);
    BN_free(r);
    ECDSA_SIG_free(es);
    return ok;
}

static bool
ossl_ed25519_ok(EVP_PKEY *pk, const CK_BYTE *msg, const CK_BYTE *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) == 1 &&
              EVP_DigestVerify(md, sig, sig_len, msg, MSG_LEN) == 1;

    EVP_MD_CTX_free(md);
    return ok;
}

/* Decrypt ct || tag with libcrypto and compare with the plaintext. */
static bool
ossl_gcm_ok(const CK_BYTE *k, const CK_BYTE *iv, const CK_BYTE *ct, size_t ct_len,
            const CK_BYTE *pt, size_t pt_len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    unsigned char *out = malloc(pt_len + 32);
    int n1 = 0;
    int n2 = 0;
    bool ok = c != NULL && out != NULL && ct_len == pt_len + GCM_TAG_LEN &&
              EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, k, iv) == 1 &&
              EVP_DecryptUpdate(c, out, &n1, ct, (int)pt_len) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN,
                                  (void *)(uintptr_t)(ct + pt_len)) == 1 &&
              EVP_DecryptFinal_ex(c, out + n1, &n2) == 1 && (size_t)(n1 + n2) == pt_len &&
              memcmp(out, pt, pt_len) == 0;

    free(out);
    EVP_CIPHER_CTX_free(c);
    return ok;
}

/* ---------------------------------------------------------------- key setup */

static int
gen_rsa(struct bench *b, const char **fn, CK_RV *rv)
{
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ULONG bits = 2048;
    CK_BYTE e[] = {0x01, 0x00, 0x01};
    CK_ATTRIBUTE pub[] = {
        {CKA_TOKEN, &key_token, sizeof key_token},
        {CKA_VERIFY, &yes, sizeof yes},
        {CKA_MODULUS_BITS, &bits, sizeof bits},
        {CKA_PUBLIC_EXPONENT, e, sizeof e},
    };
    CK_ATTRIBUTE priv[] = {
        {CKA_TOKEN, &key_token, sizeof key_token},
        {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_SIGN, &yes, sizeof yes},
    };
    CK_BYTE n[512];
    CK_BYTE ee[16];
    CK_ULONG n_len = sizeof n;
    CK_ULONG e_len = sizeof ee;

    if (b->rsa_pkey != NULL) {
        return 0;
    }
    *fn = "C_GenerateKeyPair(CKM_RSA_PKCS_KEY_PAIR_GEN)";
    *rv = b->fl->C_GenerateKeyPair(b->ks, &m, pub, 4, priv, 4, &b->rsa_pub, &b->rsa_priv);
    if (*rv == CKR_OK) {
        *fn = "C_GetAttributeValue(CKA_MODULUS)";
        *rv = get_attr(b, b->rsa_pub, CKA_MODULUS, n, &n_len);
    }
    if (*rv == CKR_OK) {
        *fn = "C_GetAttributeValue(CKA_PUBLIC_EXPONENT)";
        *rv = get_attr(b, b->rsa_pub, CKA_PUBLIC_EXPONENT, ee, &e_len);
    }
    if (*rv != CKR_OK) {
        return -1;
    }
    b->rsa_pkey = pkey_rsa(n, n_len, ee, e_len);
    if (b->rsa_pkey == NULL) {
        *fn = "libcrypto: RSA public key from CKA_MODULUS/CKA_PUBLIC_EXPONENT";
        return -1;
    }
    return 0;
}

static int
gen_ec_pair(struct bench *b, CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const CK_BYTE *params,
            CK_ULONG params_len, CK_BBOOL *token, CK_OBJECT_HANDLE *pub_h,
            CK_OBJECT_HANDLE *priv_h, CK_RV *rv)
{
    CK_MECHANISM m = {mech, NULL, 0};
    CK_ATTRIBUTE pub[] = {
        {CKA_TOKEN, token, sizeof *token},
        {CKA_VERIFY, &yes, sizeof yes},
        {CKA_EC_PARAMS, (void *)(uintptr_t)params, params_len},
    };
    CK_ATTRIBUTE priv[] = {
        {CKA_TOKEN, token, sizeof *token},
        {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_SIGN, &yes, sizeof yes},
    };

    *rv = b->fl->C_GenerateKeyPair(s, &m, pub, 3, priv, 4, pub_h, priv_h);
    return *rv == CKR_OK ? 0 : -1;
}

static int
gen_ec(struct bench *b, const char **fn, CK_RV *rv)
{
    CK_BYTE pt[128];
    CK_ULONG len = sizeof pt;
    const CK_BYTE *raw;

    if (b->ec_pkey != NULL) {
        return 0;
    }
    *fn = "C_GenerateKeyPair(CKM_EC_KEY_PAIR_GEN, P-256)";
    if (gen_ec_pair(b, b->ks, CKM_EC_KEY_PAIR_GEN, oid_p256, sizeof oid_p256, &key_token, &b->ec_pub,
                    &b->ec_priv, rv) != 0) {
        return -1;
    }
    *fn = "C_GetAttributeValue(CKA_EC_POINT)";
    *rv = get_attr(b, b->ec_pub, CKA_EC_POINT, pt, &len);
    if (*rv != CKR_OK) {
        return -1;
    }
    raw = unwrap_point(pt, &len);
    b->ec_pkey = pkey_p256(raw, len);
    if (b->ec_pkey == NULL) {
        *fn = "libcrypto: P-256 public key from CKA_EC_POINT";
        return -1;
    }
    return 0;
}

static int
gen_ed(struct bench *b, const char **fn, CK_RV *rv)
{
    CK_BYTE pt[64];
    CK_ULONG len = sizeof pt;
    const CK_BYTE *raw;

    if (b->ed_pkey != NULL) {
        return 0;
    }
    *fn = "C_GenerateKeyPair(CKM_EC_EDWARDS_KEY_PAIR_GEN, Ed25519)";
    if (gen_ec_pair(b, b->ks, CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_ed25519, sizeof oid_ed25519,
                    &key_token, &b->ed_pub, &b->ed_priv, rv) != 0 &&
        gen_ec_pair(b, b->ks, CKM_EC_EDWARDS_KEY_PAIR_GEN, str_ed25519, sizeof str_ed25519,
                    &key_token, &b->ed_pub, &b->ed_priv, rv) != 0) {
        return -1;
    }
    *fn = "C_GetAttributeValue(CKA_EC_POINT)";
    *rv = get_attr(b, b->ed_pub, CKA_EC_POINT, pt, &len);
    if (*rv != CKR_OK) {
        return -1;
    }
    raw = unwrap_point(pt, &len);
    b->ed_pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, len);
    if (b->ed_pkey == NULL) {
        *fn = "libcrypto: Ed25519 public key from CKA_EC_POINT";
        return -1;
    }
    return 0;
}

/* Secret keys are imported with a value known to this program, so that the
 * ciphertexts and MACs can be checked by libcrypto. */
static int
import_secret(struct bench *b, CK_KEY_TYPE kt, CK_BYTE *value, CK_ATTRIBUTE_TYPE use1,
              CK_ATTRIBUTE_TYPE use2, CK_OBJECT_HANDLE *out, CK_RV *rv)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls, sizeof cls},   {CKA_KEY_TYPE, &kt, sizeof kt},
        {CKA_TOKEN, &key_token, sizeof key_token}, {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes}, {use1, &yes, sizeof yes},
        {use2, &yes, sizeof yes},        {CKA_VALUE, value, 32},
    };

    if (RAND_bytes(value, 32) != 1) {
        *rv = CKR_GENERAL_ERROR;
        return -1;
    }
    *rv = b->fl->C_CreateObject(b->ks, t, sizeof t / sizeof t[0], out);
    return *rv == CKR_OK ? 0 : -1;
}

static int
setup_aes(struct bench *b, const char **fn, CK_RV *rv)
{
    if (b->aes != CK_INVALID_HANDLE) {
        return 0;
    }
    *fn = "C_CreateObject(CKK_AES, 32-byte CKA_VALUE)";
    return import_secret(b, CKK_AES, b->aes_value, CKA_ENCRYPT, CKA_DECRYPT, &b->aes, rv);
}

static int
setup_hmac(struct bench *b, const char **fn, CK_RV *rv)
{
    if (b->hmac != CK_INVALID_HANDLE) {
        return 0;
    }
    *fn = "C_CreateObject(CKK_GENERIC_SECRET, 32-byte CKA_VALUE)";
    return import_secret(b, CKK_GENERIC_SECRET, b->hmac_value, CKA_SIGN, CKA_VERIFY, &b->hmac,
                         rv);
}

/* The verify cases check a reference signature made here and by libcrypto. */
static int
setup_rsa_verify(struct bench *b, const char **fn, CK_RV *rv)
{
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_ULONG len = sizeof b->rsa_sig;

    if (gen_rsa(b, fn, rv) != 0) {
        return -1;
    }
    *fn = "C_SignInit/C_Sign(CKM_SHA256_RSA_PKCS) for the reference signature";
    *rv = b->fl->C_SignInit(b->ks, &m, b->rsa_priv);
    if (*rv == CKR_OK) {
        *rv = b->fl->C_Sign(b->ks, b->msg, MSG_LEN, b->rsa_sig, &len);
    }
    if (*rv != CKR_OK) {
        return -1;
    }
    if (len != 256 || !ossl_rsa_ok(b->rsa_pkey, false, b->msg, MSG_LEN, b->rsa_sig, len)) {
        *fn = "reference RSA signature rejected by libcrypto";
        return -1;
    }
    return 0;
}

static int
setup_ec_verify(struct bench *b, const char **fn, CK_RV *rv)
{
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    CK_ULONG len = sizeof b->ec_sig;

    if (gen_ec(b, fn, rv) != 0) {
        return -1;
    }
    *fn = "C_SignInit/C_Sign(CKM_ECDSA) for the reference signature";
    *rv = b->fl->C_SignInit(b->ks, &m, b->ec_priv);
    if (*rv == CKR_OK) {
        *rv = b->fl->C_Sign(b->ks, b->msg, MSG_LEN, b->ec_sig, &len);
    }
    if (*rv != CKR_OK) {
        return -1;
    }
    if (len != 64 || !ossl_ecdsa_ok(b->ec_pkey, b->msg, b->ec_sig, len)) {
        *fn = "reference ECDSA signature rejected by libcrypto";
        return -1;
    }
    return 0;
}

/* --------------------------------------------------------------- operations */

static int
sign_once(struct worker *w, CK_MECHANISM *m, CK_OBJECT_HANDLE k, const CK_BYTE *data,
          CK_ULONG len)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_RV rv = fl->C_SignInit(w->s, m, k);

    if (rv != CKR_OK) {
        return fail(w, "C_SignInit", rv);
    }
    w->out_len = sizeof w->out;
    rv = fl->C_Sign(w->s, (CK_BYTE_PTR)(uintptr_t)data, len, w->out, &w->out_len);
    return rv == CKR_OK ? 0 : fail(w, "C_Sign", rv);
}

static int
op_rsa_pkcs1(struct worker *w, bool check)
{
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

    if (sign_once(w, &m, w->b->rsa_priv, w->b->msg, MSG_LEN) != 0) {
        return -1;
    }
    if (check && !ossl_rsa_ok(w->b->rsa_pkey, false, w->b->msg, MSG_LEN, w->out, w->out_len)) {
        return bad(w, "RSA PKCS#1 v1.5 signature rejected by libcrypto");
    }
    return 0;
}

static int
op_rsa_pss(struct worker *w, bool check)
{
    CK_RSA_PKCS_PSS_PARAMS p = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS_PSS, &p, sizeof p};

    if (sign_once(w, &m, w->b->rsa_priv, w->b->msg, MSG_LEN) != 0) {
        return -1;
    }
    if (check && !ossl_rsa_ok(w->b->rsa_pkey, true, w->b->msg, MSG_LEN, w->out, w->out_len)) {
        return bad(w, "RSA-PSS signature rejected by libcrypto");
    }
    return 0;
}

static int
op_ecdsa(struct worker *w, bool check)
{
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};

    if (sign_once(w, &m, w->b->ec_priv, w->b->msg, MSG_LEN) != 0) {
        return -1;
    }
    if (check && !ossl_ecdsa_ok(w->b->ec_pkey, w->b->msg, w->out, w->out_len)) {
        return bad(w, "ECDSA signature rejected by libcrypto");
    }
    return 0;
}

static int
op_ed25519(struct worker *w, bool check)
{
    CK_MECHANISM m = {CKM_EDDSA, NULL, 0};

    if (sign_once(w, &m, w->b->ed_priv, w->b->msg, MSG_LEN) != 0) {
        return -1;
    }
    if (check && !ossl_ed25519_ok(w->b->ed_pkey, w->b->msg, w->out, w->out_len)) {
        return bad(w, "Ed25519 signature rejected by libcrypto");
    }
    return 0;
}

static int
verify_once(struct worker *w, CK_MECHANISM *m, CK_OBJECT_HANDLE k, const CK_BYTE *sig,
            CK_ULONG sig_len, CK_RV *verdict)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_RV rv = fl->C_VerifyInit(w->s, m, k);

    if (rv != CKR_OK) {
        return fail(w, "C_VerifyInit", rv);
    }
    *verdict = fl->C_Verify(w->s, w->b->msg, MSG_LEN, (CK_BYTE_PTR)(uintptr_t)sig, sig_len);
    return 0;
}

/* Good signature: CKR_OK every time. Once per thread, during warm-up, a
 * signature with one bit flipped must come back CKR_SIGNATURE_INVALID. */
static int
op_verify(struct worker *w, bool check, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE k,
          const CK_BYTE *sig, CK_ULONG sig_len)
{
    CK_MECHANISM m = {mech, NULL, 0};
    CK_RV verdict = CKR_OK;

    if (verify_once(w, &m, k, sig, sig_len, &verdict) != 0) {
        return -1;
    }
    if (verdict != CKR_OK) {
        return fail(w, "C_Verify (valid signature)", verdict);
    }
    if (check && !w->neg_done) {
        CK_BYTE forged[256];

        memcpy(forged, sig, sig_len);
        forged[sig_len / 2] ^= 0x01;
        if (verify_once(w, &m, k, forged, sig_len, &verdict) != 0) {
            return -1;
        }
        if (verdict != CKR_SIGNATURE_INVALID) {
            return fail(w, "C_Verify (forged signature, expected CKR_SIGNATURE_INVALID)",
                        verdict);
        }
        w->neg_done = true;
    }
    return 0;
}

static int
op_rsa_verify(struct worker *w, bool check)
{
    return op_verify(w, check, CKM_SHA256_RSA_PKCS, w->b->rsa_pub, w->b->rsa_sig, 256);
}

static int
op_ec_verify(struct worker *w, bool check)
{
    return op_verify(w, check, CKM_ECDSA, w->b->ec_pub, w->b->ec_sig, 64);
}

static int
op_gcm(struct worker *w, bool check)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_GCM_PARAMS p = {w->iv, GCM_IV_LEN, GCM_IV_LEN * 8, NULL, 0, GCM_TAG_LEN * 8};
    CK_MECHANISM m = {CKM_AES_GCM, &p, sizeof p};
    uint64_t c = ++w->ctr;
    CK_RV rv;

    /* A fresh IV per operation: thread index || counter, never repeated. */
    w->iv[0] = (CK_BYTE)w->idx;
    for (int i = 0; i < 8; i++) {
        w->iv[GCM_IV_LEN - 1 - i] = (CK_BYTE)(c >> (8 * i));
    }
    rv = fl->C_EncryptInit(w->s, &m, w->b->aes);
    if (rv != CKR_OK) {
        return fail(w, "C_EncryptInit(CKM_AES_GCM)", rv);
    }
    w->out_len = sizeof w->out;
    rv = fl->C_Encrypt(w->s, w->b->bulk, BULK_LEN, w->out, &w->out_len);
    if (rv != CKR_OK) {
        return fail(w, "C_Encrypt(CKM_AES_GCM)", rv);
    }
    if (check && !ossl_gcm_ok(w->b->aes_value, w->iv, w->out, w->out_len, w->b->bulk, BULK_LEN)) {
        return bad(w, "AES-GCM ciphertext does not decrypt with libcrypto");
    }
    return 0;
}

static int
op_hmac(struct worker *w, bool check)
{
    CK_MECHANISM m = {CKM_SHA256_HMAC, NULL, 0};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (sign_once(w, &m, w->b->hmac, w->b->hmac_msg, HMAC_LEN) != 0) {
        return -1;
    }
    if (check && (HMAC(EVP_sha256(), w->b->hmac_value, 32, w->b->hmac_msg, HMAC_LEN, md,
                       &md_len) == NULL ||
                  md_len != w->out_len || memcmp(md, w->out, md_len) != 0)) {
        return bad(w, "HMAC-SHA256 differs from libcrypto's");
    }
    return 0;
}

static int
op_sha256(struct worker *w, bool check)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_MECHANISM m = {CKM_SHA256, NULL, 0};
    unsigned char md[SHA256_DIGEST_LENGTH];
    CK_RV rv = fl->C_DigestInit(w->s, &m);

    if (rv != CKR_OK) {
        return fail(w, "C_DigestInit(CKM_SHA256)", rv);
    }
    w->out_len = sizeof w->out;
    rv = fl->C_Digest(w->s, w->b->bulk, BULK_LEN, w->out, &w->out_len);
    if (rv != CKR_OK) {
        return fail(w, "C_Digest", rv);
    }
    if (check && (SHA256(w->b->bulk, BULK_LEN, md) == NULL || w->out_len != sizeof md ||
                  memcmp(md, w->out, sizeof md) != 0)) {
        return bad(w, "SHA-256 differs from libcrypto's");
    }
    return 0;
}

/* Generate a P-256 pair as session objects, (check the point), destroy both. */
static int
op_keygen(struct worker *w, bool check)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
    CK_RV rv;
    int ret = 0;

    if (gen_ec_pair(w->b, w->s, CKM_EC_KEY_PAIR_GEN, oid_p256, sizeof oid_p256, &no, &pub, &priv,
                    &rv) != 0) {
        return fail(w, "C_GenerateKeyPair(CKM_EC_KEY_PAIR_GEN)", rv);
    }
    if (check) {
        CK_ATTRIBUTE a = {CKA_EC_POINT, w->out, sizeof w->out};
        CK_ULONG len;
        EVP_PKEY *pk = NULL;

        rv = fl->C_GetAttributeValue(w->s, pub, &a, 1);
        if (rv != CKR_OK) {
            ret = fail(w, "C_GetAttributeValue(CKA_EC_POINT)", rv);
        } else {
            const CK_BYTE *raw;

            len = a.ulValueLen;
            raw = unwrap_point(w->out, &len); /* updates len: not in the same call */
            pk = pkey_p256(raw, len);
            if (pk == NULL) {
                ret = bad(w, "generated CKA_EC_POINT is not a P-256 point");
            }
            EVP_PKEY_free(pk);
        }
    }
    rv = fl->C_DestroyObject(w->s, priv);
    if (rv != CKR_OK && ret == 0) {
        ret = fail(w, "C_DestroyObject(private key)", rv);
    }
    rv = fl->C_DestroyObject(w->s, pub);
    if (rv != CKR_OK && ret == 0) {
        ret = fail(w, "C_DestroyObject(public key)", rv);
    }
    return ret;
}

static int
op_find(struct worker *w, bool check)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_ULONG pick = (CK_ULONG)(next_rng(&w->rng) % FIND_OBJECTS);
    char label[32];
    int n = snprintf(label, sizeof label, "bench-obj-%lu", (unsigned long)pick);
    CK_ATTRIBUTE t = {CKA_LABEL, label, (CK_ULONG)n};
    CK_OBJECT_HANDLE found[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
    CK_ULONG count = 0;
    CK_RV rv = fl->C_FindObjectsInit(w->s, &t, 1);

    if (rv != CKR_OK) {
        return fail(w, "C_FindObjectsInit", rv);
    }
    rv = fl->C_FindObjects(w->s, found, 2, &count);
    if (rv != CKR_OK) {
        (void)fl->C_FindObjectsFinal(w->s);
        return fail(w, "C_FindObjects", rv);
    }
    rv = fl->C_FindObjectsFinal(w->s);
    if (rv != CKR_OK) {
        return fail(w, "C_FindObjectsFinal", rv);
    }
    if (check && (count != 1 || found[0] != w->b->objs[pick])) {
        return bad(w, "find by label did not return exactly the object created with it");
    }
    return 0;
}

/* ------------------------------------------------------------- the runner */

static pthread_barrier_t barrier;
static const struct bcase *current;

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct bench *b = w->b;
    CK_RV rv = b->fl->C_OpenSession(b->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                    &w->s);
    bool ok = rv == CKR_OK;
    double t0;
    double t;

    if (!ok) {
        fail(w, "C_OpenSession", rv);
    }
    /* Warm-up: at least one operation, every output checked. */
    t0 = now();
    while (ok) {
        ok = current->op(w, true) == 0;
        if (now() - t0 >= WARMUP_SECONDS) {
            break;
        }
    }
    pthread_barrier_wait(&barrier);
    t0 = now();
    t = t0;
    /* The clock is read every CLOCK_EVERY operations, as openssl speed reads
     * none: its cost is the harness's, not the module's. secs is measured. */
    while (ok && t - t0 < b->seconds) {
        for (unsigned i = 0; ok && i < CLOCK_EVERY; i++) {
            ok = current->op(w, false) == 0;
            w->ops += ok ? 1 : 0;
        }
        t = now();
    }
    w->secs = t - t0;
    if (w->s != CK_INVALID_HANDLE) {
        (void)b->fl->C_CloseSession(w->s);
    }
    return NULL;
}

static void
report_failure(const char *name, const struct worker *w)
{
    if (w->fn != NULL) {
        printf("# FAIL %s (thread %u): %s -> %s\n", name, w->idx, w->fn, ckr_str(w->rv));
    } else {
        printf("# FAIL %s (thread %u): %s\n", name, w->idx, w->why);
    }
}

/* Run one case on b->threads threads; prints its line or a FAIL note. */
static void
run_case(struct bench *b, const struct bcase *c)
{
    struct worker *ws = aligned_alloc(_Alignof(struct worker), b->threads * sizeof *ws);
    pthread_t *tids = calloc(b->threads, sizeof *tids);
    unsigned started = 0;
    double rate = 0.0;
    bool ok = ws != NULL && tids != NULL;

    current = c;
    if (ws != NULL) {
        memset(ws, 0, b->threads * sizeof *ws);
    }
    if (ok && pthread_barrier_init(&barrier, NULL, b->threads) != 0) {
        ok = false;
    }
    for (unsigned i = 0; ok && i < b->threads; i++) {
        ws[i].b = b;
        ws[i].idx = i;
        ws[i].s = CK_INVALID_HANDLE;
        ws[i].rng = 0x9E3779B97F4A7C15ULL * (i + 1) ^ (uint64_t)time(NULL);
        if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) != 0) {
            fprintf(stderr, "p11bench: pthread_create failed\n");
            exit(2); /* the barrier would never open */
        }
        started++;
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
    }
    for (unsigned i = 0; ok && i < started; i++) {
        if (ws[i].fn != NULL || ws[i].why != NULL) {
            report_failure(c->name, &ws[i]);
            ok = false;
        } else if (ws[i].secs > 0) {
            rate += (double)ws[i].ops / ws[i].secs;
        }
    }
    if (started > 0) {
        pthread_barrier_destroy(&barrier);
    }
    if (ok) {
        printf("%s %u %.1f\n", c->name, b->threads, rate);
    } else {
        b->failed = true;
    }
    fflush(stdout);
    free(tids);
    free(ws);
}

/* Remove "bench-obj-*" token objects left by an interrupted run. */
static void
purge_find_objects(struct bench *b)
{
    CK_OBJECT_CLASS cls = CKO_DATA;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_TOKEN, &yes, sizeof yes}};
    CK_OBJECT_HANDLE h[64];
    CK_ULONG n = 0;
    CK_OBJECT_HANDLE *stale = NULL;
    size_t n_stale = 0;

    if (b->fl->C_FindObjectsInit(b->ks, t, 2) != CKR_OK) {
        return;
    }
    while (b->fl->C_FindObjects(b->ks, h, 64, &n) == CKR_OK && n > 0) {
        for (CK_ULONG i = 0; i < n; i++) {
            char label[64];
            CK_ATTRIBUTE a = {CKA_LABEL, label, sizeof label - 1};

            if (b->fl->C_GetAttributeValue(b->ks, h[i], &a, 1) == CKR_OK &&
                a.ulValueLen >= 10 && strncmp(label, "bench-obj-", 10) == 0) {
                CK_OBJECT_HANDLE *p = realloc(stale, (n_stale + 1) * sizeof *stale);

                if (p == NULL) {
                    break;
                }
                stale = p;
                stale[n_stale++] = h[i];
            }
        }
    }
    (void)b->fl->C_FindObjectsFinal(b->ks);
    if (n_stale > 0) {
        printf("# removing %zu bench-obj-* objects left by an earlier run\n", n_stale);
    }
    for (size_t i = 0; i < n_stale; i++) {
        (void)b->fl->C_DestroyObject(b->ks, stale[i]);
    }
    free(stale);
}

/* find-1-of-10000: create, find (threaded, as every case), destroy. */
static void
run_find(struct bench *b, const struct bcase *c)
{
    CK_OBJECT_CLASS cls = CKO_DATA;
    char label[32];
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls, sizeof cls},
        {CKA_TOKEN, &yes, sizeof yes},
        {CKA_LABEL, label, 0},
    };
    size_t made = 0;
    double t0;
    CK_RV rv = CKR_OK;
    bool ok = true;

    purge_find_objects(b);
    b->objs = calloc(FIND_OBJECTS, sizeof *b->objs);
    if (b->objs == NULL) {
        fprintf(stderr, "p11bench: out of memory\n");
        exit(2);
    }
    t0 = now();
    for (; made < FIND_OBJECTS; made++) {
        t[2].ulValueLen = (CK_ULONG)snprintf(label, sizeof label, "bench-obj-%zu", made);
        rv = b->fl->C_CreateObject(b->ks, t, 3, &b->objs[made]);
        if (rv != CKR_OK) {
            printf("# FAIL %s: C_CreateObject(CKO_DATA, CKA_TOKEN, #%zu) -> %s\n", c->name, made,
                   ckr_str(rv));
            ok = false;
            break;
        }
    }
    if (ok) {
        printf("find-create-%d 1 %.3f\n", FIND_OBJECTS, now() - t0);
        fflush(stdout);
        run_case(b, c);
    } else {
        b->failed = true;
    }
    t0 = now();
    for (size_t i = 0; i < made; i++) {
        rv = b->fl->C_DestroyObject(b->ks, b->objs[i]);
        if (rv != CKR_OK && ok) {
            printf("# FAIL %s: C_DestroyObject(#%zu) -> %s\n", c->name, i, ckr_str(rv));
            ok = false;
            b->failed = true;
        }
    }
    if (ok) {
        printf("find-destroy-%d 1 %.3f\n", FIND_OBJECTS, now() - t0);
    }
    free(b->objs);
    b->objs = NULL;
}

static const struct bcase cases[] = {
    {"rsa2048-pkcs1-sign", {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_SHA256_RSA_PKCS}, gen_rsa,
     op_rsa_pkcs1},
    {"rsa2048-pss-sign", {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_SHA256_RSA_PKCS_PSS}, gen_rsa,
     op_rsa_pss},
    {"ecdsa-p256-sign", {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA}, gen_ec, op_ecdsa},
    {"ed25519-sign", {CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA}, gen_ed, op_ed25519},
    {"rsa2048-verify", {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_SHA256_RSA_PKCS}, setup_rsa_verify,
     op_rsa_verify},
    {"ecdsa-p256-verify", {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA}, setup_ec_verify, op_ec_verify},
    {"aes256-gcm-4k", {CKM_AES_GCM, 0}, setup_aes, op_gcm},
    {"hmac-sha256-64", {CKM_SHA256_HMAC, 0}, setup_hmac, op_hmac},
    {"sha256-4k", {CKM_SHA256, 0}, NULL, op_sha256},
    {"ec-p256-keygen", {CKM_EC_KEY_PAIR_GEN, 0}, NULL, op_keygen},
    {"find-1-of-10000", {0, 0}, NULL, op_find},
};

static const char *
mech_name(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_RSA_PKCS_KEY_PAIR_GEN: return "CKM_RSA_PKCS_KEY_PAIR_GEN";
    case CKM_SHA256_RSA_PKCS: return "CKM_SHA256_RSA_PKCS";
    case CKM_SHA256_RSA_PKCS_PSS: return "CKM_SHA256_RSA_PKCS_PSS";
    case CKM_EC_KEY_PAIR_GEN: return "CKM_EC_KEY_PAIR_GEN";
    case CKM_ECDSA: return "CKM_ECDSA";
    case CKM_EC_EDWARDS_KEY_PAIR_GEN: return "CKM_EC_EDWARDS_KEY_PAIR_GEN";
    case CKM_EDDSA: return "CKM_EDDSA";
    case CKM_AES_GCM: return "CKM_AES_GCM";
    case CKM_SHA256_HMAC: return "CKM_SHA256_HMAC";
    case CKM_SHA256: return "CKM_SHA256";
    default: return "(mechanism)";
    }
}

static bool
selected(const char *only, const char *name)
{
    size_t len = strlen(name);
    const char *p = only;

    if (only == NULL) {
        return true;
    }
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        if (n == len && strncmp(p, name, n) == 0) {
            return true;
        }
        p += n + (end != NULL ? 1 : 0);
    }
    return false;
}

/* ------------------------------------------------------------ module setup */

static void
pad32(CK_UTF8CHAR out[32], const char *s)
{
    size_t n = strlen(s);

    memset(out, ' ', 32);
    memcpy(out, s, n < 32 ? n : 32);
}

/* Slot whose token label is `label` (or, when want_uninit, the first slot
 * whose token is not initialised). Returns 0 and sets *slot on success. */
static int
find_slot(CK_FUNCTION_LIST_PTR fl, const char *label, bool want_uninit, CK_SLOT_ID *slot)
{
    CK_SLOT_ID ids[64];
    CK_ULONG n = 64;
    CK_UTF8CHAR want[32];
    CK_RV rv = fl->C_GetSlotList(CK_TRUE, ids, &n);

    if (rv != CKR_OK) {
        fprintf(stderr, "p11bench: C_GetSlotList -> %s\n", ckr_str(rv));
        return -1;
    }
    pad32(want, label);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;

        if (fl->C_GetTokenInfo(ids[i], &ti) != CKR_OK) {
            continue;
        }
        if (want_uninit ? (ti.flags & CKF_TOKEN_INITIALIZED) == 0
                        : memcmp(ti.label, want, 32) == 0) {
            *slot = ids[i];
            return 0;
        }
    }
    fprintf(stderr, "p11bench: no slot with %s%s%s\n", want_uninit ? "an uninitialised token" : "token label '",
            want_uninit ? "" : label, want_uninit ? "" : "'");
    return -1;
}

/* --init: C_InitToken on the first uninitialised token, then C_InitPIN. */
static int
init_token(CK_FUNCTION_LIST_PTR fl, const char *label, const char *so_pin, const char *pin)
{
    CK_SLOT_ID slot;
    CK_UTF8CHAR lab[32];
    CK_SESSION_HANDLE s;
    CK_RV rv;

    if (find_slot(fl, label, true, &slot) != 0) {
        return -1;
    }
    pad32(lab, label);
    rv = fl->C_InitToken(slot, (CK_UTF8CHAR_PTR)(uintptr_t)so_pin, strlen(so_pin), lab);
    if (rv != CKR_OK) {
        fprintf(stderr, "p11bench: C_InitToken(slot %lu) -> %s\n", (unsigned long)slot,
                ckr_str(rv));
        return -1;
    }
    /* The slot list may change after C_InitToken (a fresh empty slot). */
    if (find_slot(fl, label, false, &slot) != 0) {
        return -1;
    }
    rv = fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
    if (rv == CKR_OK) {
        rv = fl->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)(uintptr_t)so_pin, strlen(so_pin));
        if (rv == CKR_OK) {
            rv = fl->C_InitPIN(s, (CK_UTF8CHAR_PTR)(uintptr_t)pin, strlen(pin));
            (void)fl->C_Logout(s);
        }
        (void)fl->C_CloseSession(s);
    }
    if (rv != CKR_OK) {
        fprintf(stderr, "p11bench: SO login / C_InitPIN -> %s\n", ckr_str(rv));
        return -1;
    }
    printf("# token '%s' initialised in slot %lu\n", label, (unsigned long)slot);
    return 0;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: p11bench MODULE --slot-label LABEL --pin PIN [--threads N] [--seconds S]\n"
            "                [--only NAME,...] [--token-keys]\n"
            "       p11bench MODULE --init --slot-label LABEL --so-pin SOPIN --pin PIN\n");
    exit(2);
}

static unsigned long
parse_ulong(const char *s, unsigned long max)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max) {
        usage();
    }
    return v;
}

int
main(int argc, char **argv)
{
    struct bench b;
    const char *module = NULL;
    const char *label = NULL;
    const char *pin = NULL;
    const char *so_pin = NULL;
    const char *only = NULL;
    bool init = false;
    void *dl;
    void *sym;
    CK_C_GetFunctionList get_fl;
    CK_C_INITIALIZE_ARGS ia = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
    CK_RV rv;
    int status = 0;

    memset(&b, 0, sizeof b);
    b.threads = 1;
    b.seconds = 2.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--init") == 0) {
            init = true;
            continue;
        }
        if (strcmp(a, "--token-keys") == 0) {
            key_token = CK_TRUE;
            continue;
        }
        if (a[0] != '-') {
            if (module != NULL) {
                usage();
            }
            module = a;
            continue;
        }
        if (v == NULL) {
            usage();
        }
        i++;
        if (strcmp(a, "--slot-label") == 0) {
            label = v;
        } else if (strcmp(a, "--pin") == 0) {
            pin = v;
        } else if (strcmp(a, "--so-pin") == 0) {
            so_pin = v;
        } else if (strcmp(a, "--threads") == 0) {
            b.threads = (unsigned)parse_ulong(v, MAX_THREADS);
        } else if (strcmp(a, "--seconds") == 0) {
            char *end = NULL;

            b.seconds = strtod(v, &end);
            if (end == v || *end != '\0' || !(b.seconds > 0.0 && b.seconds < 3600.0)) {
                usage();
            }
        } else if (strcmp(a, "--only") == 0) {
            only = v;
        } else {
            usage();
        }
    }
    if (module == NULL || label == NULL || pin == NULL || (init && so_pin == NULL)) {
        usage();
    }
    if (strlen(label) > 32) {
        fprintf(stderr, "p11bench: a token label has at most 32 bytes\n");
        return 2;
    }

    dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        fprintf(stderr, "p11bench: dlopen %s: %s\n", module, dlerror());
        return 2;
    }
    sym = dlsym(dl, "C_GetFunctionList");
    if (sym == NULL) {
        fprintf(stderr, "p11bench: %s has no C_GetFunctionList\n", module);
        return 2;
    }
    /* ISO C has no object-to-function pointer cast; POSIX guarantees the copy. */
    _Static_assert(sizeof sym == sizeof get_fl, "function and object pointers differ in size");
    memcpy(&get_fl, &sym, sizeof get_fl);
    rv = get_fl(&b.fl);
    if (rv == CKR_OK) {
        rv = b.fl->C_Initialize(&ia);
    }
    if (rv != CKR_OK) {
        fprintf(stderr, "p11bench: C_GetFunctionList/C_Initialize -> %s\n", ckr_str(rv));
        return 2;
    }
    if (init) {
        status = init_token(b.fl, label, so_pin, pin) == 0 ? 0 : 2;
        (void)b.fl->C_Finalize(NULL);
        return status;
    }

    if (find_slot(b.fl, label, false, &b.slot) != 0) {
        return 2;
    }
    rv = b.fl->C_OpenSession(b.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &b.ks);
    if (rv == CKR_OK) {
        rv = b.fl->C_Login(b.ks, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)pin, strlen(pin));
    }
    if (rv == CKR_OK) {
        rv = b.fl->C_GetMechanismList(b.slot, NULL, &b.n_mechs);
    }
    if (rv == CKR_OK) {
        b.mechs = calloc(b.n_mechs + 1, sizeof *b.mechs);
        rv = b.mechs == NULL ? CKR_HOST_MEMORY
                             : b.fl->C_GetMechanismList(b.slot, b.mechs, &b.n_mechs);
    }
    if (rv != CKR_OK) {
        fprintf(stderr, "p11bench: C_OpenSession/C_Login/C_GetMechanismList -> %s\n",
                ckr_str(rv));
        return 2;
    }
    if (RAND_bytes(b.msg, sizeof b.msg) != 1 || RAND_bytes(b.hmac_msg, sizeof b.hmac_msg) != 1 ||
        RAND_bytes(b.bulk, sizeof b.bulk) != 1) {
        fprintf(stderr, "p11bench: RAND_bytes failed\n");
        return 2;
    }

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bcase *c = &cases[i];
        const char *fn = NULL;
        bool missing = false;

        if (!selected(only, c->name)) {
            continue;
        }
        for (size_t j = 0; j < 2 && !missing; j++) {
            if (c->need[j] != 0 && !has_mech(&b, c->need[j])) {
                printf("# skip %s: the module lacks %s\n", c->name, mech_name(c->need[j]));
                missing = true;
            }
        }
        if (missing) {
            continue;
        }
        rv = CKR_OK;
        if (c->setup != NULL && c->setup(&b, &fn, &rv) != 0) {
            printf("# FAIL %s: set-up %s -> %s\n", c->name, fn, ckr_str(rv));
            b.failed = true;
            continue;
        }
        if (c->op == op_find) {
            run_find(&b, c);
        } else {
            run_case(&b, c);
        }
    }

    if (key_token) {
        const CK_OBJECT_HANDLE keys[] = {b.rsa_pub, b.rsa_priv, b.ec_pub, b.ec_priv,
                                         b.ed_pub,  b.ed_priv,  b.aes,    b.hmac};

        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            if (keys[i] != CK_INVALID_HANDLE) {
                (void)b.fl->C_DestroyObject(b.ks, keys[i]);
            }
        }
    }
    EVP_PKEY_free(b.ed_pkey);
    EVP_PKEY_free(b.ec_pkey);
    EVP_PKEY_free(b.rsa_pkey);
    OPENSSL_cleanse(b.aes_value, sizeof b.aes_value);
    OPENSSL_cleanse(b.hmac_value, sizeof b.hmac_value);
    free(b.mechs);
    (void)b.fl->C_Logout(b.ks);
    (void)b.fl->C_CloseSession(b.ks);
    (void)b.fl->C_Finalize(NULL);
    /* dl stays loaded: some modules leave threads or atexit handlers behind. */
    return b.failed ? 1 : 0;
}
