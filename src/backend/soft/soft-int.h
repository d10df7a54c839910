/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft-int.h - private state and cross-file helpers of the soft backend.
 *
 * struct fhi_soft_priv is the backend's priv: created by init, read-only
 * afterwards, shared by all threads. It owns one OSSL_LIB_CTX (default
 * provider only) and every algorithm object fetched from it, so no operation
 * fetches by name on its hot path.
 *
 * struct fhi_soft_op is an operation context (opctx): used by one thread at a
 * time, freed by fhi_soft_op_free.
 */
#ifndef FERROHSM_BACKEND_SOFT_SOFT_INT_H
#define FERROHSM_BACKEND_SOFT_SOFT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ferrohsm/backend.h"

/* Digest slots, in the order of fhi_soft_md_names. */
enum fhi_soft_md {
    FHI_MD_SHA1 = 0,
    FHI_MD_SHA224,
    FHI_MD_SHA256,
    FHI_MD_SHA384,
    FHI_MD_SHA512,
    FHI_MD_SHA3_224,
    FHI_MD_SHA3_256,
    FHI_MD_SHA3_384,
    FHI_MD_SHA3_512,
    FHI_MD_COUNT,
    FHI_MD_NONE = -1
};

/* AES cipher families; each has one object per key size (128/192/256). */
enum fhi_soft_aes {
    FHI_AES_ECB = 0,
    FHI_AES_CBC,
    FHI_AES_CTR,
    FHI_AES_GCM,
    FHI_AES_WRAP,
    FHI_AES_WRAP_PAD,
    FHI_AES_COUNT
};

struct fhi_soft_priv {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *prov;
    EVP_MD *md[FHI_MD_COUNT];
    EVP_CIPHER *aes[FHI_AES_COUNT][3];
    EVP_MAC *hmac;
    EVP_MAC *cmac;
    EVP_KDF *x963;
    /* MAC contexts with the digest / cipher already set: dup'ed per op */
    EVP_MAC_CTX *hmac_tmpl[FHI_MD_COUNT];
    EVP_MAC_CTX *cmac_tmpl[3];
    bool ready;
};

/* Operation families (what the opctx dispatches on). */
enum fhi_soft_family {
    FHI_FAM_DIGEST = 1,
    FHI_FAM_MAC,
    FHI_FAM_SIG,
    FHI_FAM_AES,
    FHI_FAM_RSA_ENC,
};

enum fhi_soft_state {
    FHI_ST_FRESH = 0, /* initialised, nothing fed yet */
    FHI_ST_MULTI,     /* update seen: only update/final allowed */
    FHI_ST_DONE,      /* finished or failed: nothing allowed */
};

/* Signature schemes (FHI_FAM_SIG). */
enum fhi_soft_sig {
    FHI_SIG_RSA_PKCS = 1,
    FHI_SIG_RSA_PSS,
    FHI_SIG_ECDSA,
    FHI_SIG_EDDSA,
};

/* AES modes (FHI_FAM_AES). */
enum fhi_soft_mode {
    FHI_MODE_ECB = 1,
    FHI_MODE_CBC,
    FHI_MODE_CBC_PAD,
    FHI_MODE_CTR,
    FHI_MODE_GCM,
};

/* Mechanism parameters remembered to match a pooled op (see soft.c). */
#define FHI_SOFT_PARAM_MAX 32

struct fhi_soft_op {
    const struct fhi_soft_priv *p;
    enum fh_op_kind kind;
    enum fhi_soft_family fam;
    enum fhi_soft_state st;
    CK_MECHANISM_TYPE mech;
    bool multipart_ok;

    /* reuse (soft.c): the prepared key this op was made for (referenced
     * while the op is live), whether the family can re-arm it for another
     * operation (fhi_soft_*_rearm), and the parameters it was made with */
    struct fhi_soft_prepared *pp;
    bool reusable;
    uint8_t param[FHI_SOFT_PARAM_MAX];
    size_t param_len;
    EVP_MD_CTX *ed_tmpl;   /* EdDSA: the signing context as set up, copied per use */

    /* digest (FHI_FAM_DIGEST) and the hash-then-sign part of FHI_FAM_SIG */
    EVP_MD_CTX *mdctx;
    const EVP_MD *md; /* NULL: the mechanism signs its input as is */

    /* FHI_FAM_MAC */
    EVP_MAC_CTX *mac;
    size_t mac_len;

    /* FHI_FAM_SIG and FHI_FAM_RSA_ENC */
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *pctx;    /* sign/verify/encrypt/decrypt context, set up at init */
    enum fhi_soft_sig sig;
    const EVP_MD *pss_md;  /* PSS / OAEP hash */
    const EVP_MD *mgf_md;  /* PSS / OAEP MGF1 hash */
    int salt_len;
    size_t sig_len;        /* exact signature length */
    size_t order_len;      /* ECDSA: bytes of r and of s */
    bool oaep;
    uint8_t *label;        /* OAEP label copy */
    size_t label_len;

    /* FHI_FAM_AES */
    enum fhi_soft_mode mode;
    EVP_CIPHER_CTX *cctx;
    const EVP_CIPHER *cipher;
    const EVP_CIPHER *ecb;  /* CBC_PAD: to peek at the last block */
    bool enc;
    fh_secret *key;         /* copy of the AES key */
    uint8_t iv[16];
    uint8_t part[16];       /* ECB/CBC: bytes not yet forming a block */
    size_t part_len;
    uint8_t last[16];       /* CBC_PAD decrypt: final plaintext, once known */
    size_t last_len;
    bool last_ready;
    bool started;           /* cctx keyed */
    uint64_t ctr_bytes_left; /* CTR: bytes before the counter bits wrap */
    bool ctr_limited;
    /* GCM (IV and AAD are absorbed into cctx at init) */
    size_t tag_len;
    size_t gcm_ivlen;       /* IV length cctx is set for; 0 before the first */
    uint8_t *buf;           /* GCM decrypt: buffered ciphertext||tag */
    size_t buf_len;
    size_t buf_cap;
};

/* Ceiling for data the backend buffers (GCM decrypt). */
#define FHI_SOFT_MAX_BUFFER ((size_t)1 << 28)

/* ---- soft.c ---- */
const EVP_MD *fhi_soft_md(const struct fhi_soft_priv *p, enum fhi_soft_md m);
/* The digest slot of a CKM_SHA* / CKG_MGF1_* value, FHI_MD_NONE otherwise. */
enum fhi_soft_md fhi_soft_md_from_ckm(CK_MECHANISM_TYPE m);
enum fhi_soft_md fhi_soft_md_from_mgf(CK_ULONG mgf);
const char *fhi_soft_md_name(enum fhi_soft_md m);
/* Key-size index (0, 1, 2) of an AES key length, or -1. */
int fhi_soft_aes_index(size_t key_len);

/* ---- soft_parse.c ---- */
/*
 * Fast paths for the encodings the backend writes. false: not handled here
 * (the caller falls back to OpenSSL's decoders); *out is then NULL.
 */
bool fhi_soft_fast_pkcs8(const struct fhi_soft_priv *p, const uint8_t *der, size_t len,
                         EVP_PKEY **out);
bool fhi_soft_fast_spki(const struct fhi_soft_priv *p, const uint8_t *der, size_t len,
                        EVP_PKEY **out);

/* ---- soft_keys.c ---- */
/* OpenSSL group name of an EC curve OID (DER, with tag), or NULL. */
const char *fhi_soft_ec_group(const uint8_t *der, size_t len);
/* Parse the key of an operation: material (PKCS#8) when present, else SPKI. */
fh_rv fhi_soft_load_key(const struct fhi_soft_priv *p, const struct fh_bkey *key, bool want_private,
                        EVP_PKEY **out);
/* Parse PKCS#8 DER and check it holds a key of type. FH_E_ATTR_VALUE_INVALID on failure. */
fh_rv fhi_soft_parse_pkcs8(const struct fhi_soft_priv *p, const uint8_t *der, size_t len,
                           CK_KEY_TYPE type, EVP_PKEY **out);
/* PKCS#8 DER of pkey as material, plus the public attributes in pub. */
fh_rv fhi_soft_finish_private(const struct fhi_soft_priv *p, EVP_PKEY *pkey, CK_KEY_TYPE type,
                              fh_secret **material, struct fh_attrs *pub);
/* Whether pkey is of PKCS#11 key type. */
bool fhi_soft_pkey_is(const EVP_PKEY *pkey, CK_KEY_TYPE type);
/* An EC public key on the curve of base from a raw or DER-wrapped point. */
fh_rv fhi_soft_ec_peer(const struct fhi_soft_priv *p, const EVP_PKEY *base, const uint8_t *pt,
                       size_t pt_len, EVP_PKEY **out);
fh_rv fhi_soft_generate(void *priv, const CK_MECHANISM *mech, const struct fh_keygen_params *kp,
                        fh_secret **material, struct fh_attrs *pub);
/*
 * A key parsed once (fh_bkey.prepared), shared by operations: pkey (NULL for
 * secret keys) is read-only. It also keeps up to FHI_SOFT_POOL finished
 * operation contexts made with it, so that the next operation re-arms one
 * instead of building EVP contexts afresh. They are kept in stripes, one
 * cache line and lock each, and a thread uses the stripe of its own
 * (fhi_soft_stripe_of): two threads signing with one key do not pass one
 * lock's cache line back and forth on every operation. refs (on a line of
 * its own) counts the core's reference plus one per op made with the key,
 * idle or live, so that taking an op from the pool and giving it back
 * touches no line another thread uses. The core's release retires the key
 * (retired, set once, read under a stripe's lock): the idle ops are freed
 * and ops still live are freed when they end, not pooled; the last
 * reference frees the key and the struct (aligned_alloc).
 */
#define FHI_SOFT_POOL 8
#define FHI_SOFT_STRIPES 4
#define FHI_SOFT_LINE 64
struct fhi_soft_stripe {
    pthread_mutex_t lock;
    struct fhi_soft_op *idle[FHI_SOFT_POOL / FHI_SOFT_STRIPES];
    size_t n_idle;
} __attribute__((aligned(FHI_SOFT_LINE)));
struct fhi_soft_prepared {
    EVP_PKEY *pkey;
    bool is_private;
    bool retired;
    int refs __attribute__((aligned(FHI_SOFT_LINE)));
    struct fhi_soft_stripe stripe[FHI_SOFT_STRIPES];
};
/* The stripe the calling thread uses. */
struct fhi_soft_stripe *fhi_soft_stripe_of(struct fhi_soft_prepared *pp);
void fhi_soft_prepared_unref(struct fhi_soft_prepared *pp);
/* The core's release: frees the idle ops, then drops the core's reference. */
void fhi_soft_prepared_retire(struct fhi_soft_prepared *pp);
fh_rv fhi_soft_key_prepare(void *priv, const struct fh_bkey *key, void **out);
void fhi_soft_key_release(void *priv, void *prepared);
fh_rv fhi_soft_export_private(void *priv, const struct fh_bkey *key, struct fh_attrs *out);
fh_rv fhi_soft_import(void *priv, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, const struct fh_attrs *in,
                      fh_secret **material, struct fh_attrs *pub);

/* ---- soft_digest.c ---- */
fh_rv fhi_soft_digest_init(struct fhi_soft_op *op, const CK_MECHANISM *mech);
fh_rv fhi_soft_digest_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len);
fh_rv fhi_soft_digest_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len);
fh_rv fhi_soft_digest_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len,
                              uint8_t *out, size_t *out_len);

/* ---- soft_sign.c (signatures and MACs) ---- */
fh_rv fhi_soft_sign_init(struct fhi_soft_op *op, const CK_MECHANISM *mech,
                         const struct fh_bkey *key);
fh_rv fhi_soft_sign_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len);
fh_rv fhi_soft_sign_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len);
fh_rv fhi_soft_sign_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len,
                            uint8_t *out, size_t *out_len);
/* Make a finished, reusable op fresh again for the same key and mechanism. */
fh_rv fhi_soft_sign_rearm(struct fhi_soft_op *op, const CK_MECHANISM *mech);

/* ---- soft_cipher.c (AES modes, RSA encryption) ---- */
fh_rv fhi_soft_cipher_init(struct fhi_soft_op *op, const CK_MECHANISM *mech,
                           const struct fh_bkey *key);
fh_rv fhi_soft_cipher_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len,
                             uint8_t *out, size_t *out_len);
fh_rv fhi_soft_cipher_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len);
fh_rv fhi_soft_cipher_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len,
                              uint8_t *out, size_t *out_len);
/* GCM: re-arm a finished, reusable op with a new IV and AAD (same key). */
fh_rv fhi_soft_cipher_rearm(struct fhi_soft_op *op, const CK_MECHANISM *mech);
/* OAEP parameters into a pkey ctx (shared with wrap). */
fh_rv fhi_soft_oaep_params(const struct fhi_soft_priv *p, const CK_MECHANISM *mech,
                           const EVP_MD **md, const EVP_MD **mgf, const uint8_t **label,
                           size_t *label_len);
fh_rv fhi_soft_oaep_apply(EVP_PKEY_CTX *pctx, const EVP_MD *md, const EVP_MD *mgf,
                          const uint8_t *label, size_t label_len);

/* ---- soft_wrap.c ---- */
fh_rv fhi_soft_wrap(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *wrapping,
                    const struct fh_bkey *target, uint8_t *out, size_t *out_len);
fh_rv fhi_soft_unwrap(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *unwrapping,
                      const uint8_t *in, size_t in_len, CK_OBJECT_CLASS cls, CK_KEY_TYPE type,
                      CK_ULONG value_len, fh_secret **material, struct fh_attrs *pub);
fh_rv fhi_soft_derive(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *base,
                      CK_KEY_TYPE type, CK_ULONG value_len, fh_secret **material);

/* Whether a mechanism carries a parameter block of exactly size bytes. */
static inline bool
fhi_soft_param_is(const CK_MECHANISM *mech, size_t size)
{
    return mech->pParameter != NULL && mech->ulParameterLen == size;
}

#endif /* FERROHSM_BACKEND_SOFT_SOFT_INT_H */
