/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft_wrap.c - key wrapping, unwrapping and derivation for the soft backend.
 *
 * Wrap: AES key wrap (RFC 3394, CKM_AES_KEY_WRAP), AES key wrap with padding
 * (RFC 5649, CKM_AES_KEY_WRAP_KWP and, as this project defines it,
 * CKM_AES_KEY_WRAP_PAD), RSA-OAEP (secret keys only) and the hybrid
 * CKM_RSA_AES_KEY_WRAP (PKCS#11 v3.0 Current Mechanisms §2.1.21: a fresh
 * AES key under RSA-OAEP, followed by the target under that AES key with
 * RFC 5649; any length, so private keys too). The bytes wrapped are the
 * target's material: a raw secret value or PKCS#8 DER.
 *
 * Unwrap recovers those bytes into an fh_secret and checks that they form a
 * key of the requested class and type (AES length, PKCS#8 of the right
 * algorithm); anything else is FH_E_WRAPPED_KEY_INVALID, as is a failed
 * RFC 3394/5649 integrity check or OAEP decoding.
 *
 * Derive: CKM_ECDH1_DERIVE with CKD_NULL (the raw shared secret) or the
 * ANSI X9.63 KDF with SHA-1/SHA-2 (CKD_SHA*_KDF). A shared secret longer
 * than the requested key is cut from the leading end, as SoftHSMv2 does.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "ferrohsm/backend.h"

#include "soft-int.h"

/* Run one AES key-wrap cipher over in; out has room for in_len + 16. */
static fh_rv
kw_run(const struct fhi_soft_priv *p, enum fhi_soft_aes fam, const fh_secret *key,
       const uint8_t *iv, bool enc, const uint8_t *in, size_t in_len, uint8_t *out,
       size_t *out_len)
{
    EVP_CIPHER_CTX *c = NULL;
    int idx = fhi_soft_aes_index(fh_secret_len(key));
    int outl = 0, finl = 0;
    fh_rv rv = FH_E_CRYPTO;

    if (idx < 0) {
        return enc ? FH_E_WRAPPING_KEY_TYPE_INCONSISTENT : FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT;
    }
    c = EVP_CIPHER_CTX_new();
    if (c == NULL) {
        return FH_E_NOMEM;
    }
    EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_CipherInit_ex2(c, p->aes[fam][idx], fh_secret_cdata(key), iv, enc ? 1 : 0, NULL) !=
        1) {
        goto out;
    }
    if (EVP_CipherUpdate(c, out, &outl, in, (int)in_len) != 1 || outl < 0) {
        /* decrypt: the RFC 3394/5649 integrity check failed */
        rv = enc ? FH_E_CRYPTO : FH_E_WRAPPED_KEY_INVALID;
        goto out;
    }
    if (EVP_CipherFinal_ex(c, out + outl, &finl) != 1) {
        rv = enc ? FH_E_CRYPTO : FH_E_WRAPPED_KEY_INVALID;
        goto out;
    }
    *out_len = (size_t)outl + (size_t)finl;
    rv = FH_OK;
out:
    EVP_CIPHER_CTX_free(c);
    return rv;
}

/* The AES-KW family of mech and its optional IV (8 bytes KW, 4 bytes KWP). */
static fh_rv
kw_mech(const CK_MECHANISM *mech, enum fhi_soft_aes *fam, const uint8_t **iv)
{
    size_t ivlen;

    switch (mech->mechanism) {
    case CKM_AES_KEY_WRAP:
        *fam = FHI_AES_WRAP;
        ivlen = 8;
        break;
    case CKM_AES_KEY_WRAP_PAD:
    case CKM_AES_KEY_WRAP_KWP:
        *fam = FHI_AES_WRAP_PAD;
        ivlen = 4;
        break;
    default:
        return FH_E_MECH_INVALID;
    }
    *iv = NULL;
    if (mech->pParameter == NULL && mech->ulParameterLen == 0) {
        return FH_OK;
    }
    if (!fhi_soft_param_is(mech, ivlen)) {
        return FH_E_MECH_PARAM_INVALID;
    }
    *iv = mech->pParameter;
    return FH_OK;
}

/*
 * RSA-OAEP context for wrap (public key) or unwrap (private key), and the
 * largest message it can carry.
 */
static fh_rv
rsa_ctx(const struct fhi_soft_priv *p, const CK_MECHANISM *mech, const struct fh_bkey *key,
        bool enc, EVP_PKEY **pkey, EVP_PKEY_CTX **pctx, size_t *max_msg)
{
    const EVP_MD *md = NULL, *mgf = NULL;
    const uint8_t *label = NULL;
    size_t label_len = 0;
    fh_rv rv;

    rv = fhi_soft_oaep_params(p, mech, &md, &mgf, &label, &label_len);
    if (rv != FH_OK) {
        return rv;
    }
    if (key->type != CKK_RSA) {
        return enc ? FH_E_WRAPPING_KEY_TYPE_INCONSISTENT : FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT;
    }
    rv = fhi_soft_load_key(p, key, !enc, pkey);
    if (rv != FH_OK) {
        return enc ? FH_E_WRAPPING_KEY_TYPE_INCONSISTENT : FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT;
    }
    *pctx = EVP_PKEY_CTX_new_from_pkey(p->libctx, *pkey, NULL);
    if (*pctx == NULL) {
        return FH_E_NOMEM;
    }
    if ((enc ? EVP_PKEY_encrypt_init(*pctx) : EVP_PKEY_decrypt_init(*pctx)) != 1) {
        return FH_E_CRYPTO;
    }
    rv = fhi_soft_oaep_apply(*pctx, md, mgf, label, label_len);
    if (rv != FH_OK) {
        return rv;
    }
    /* the largest OAEP message: k - 2 hLen - 2 (RFC 8017 §7.1.1) */
    *max_msg = (size_t)EVP_PKEY_get_size(*pkey);
    *max_msg = *max_msg > 2 * (size_t)EVP_MD_get_size(md) + 2
                   ? *max_msg - 2 * (size_t)EVP_MD_get_size(md) - 2
                   : 0;
    return FH_OK;
}

/*
 * The parameter of CKM_RSA_AES_KEY_WRAP (CK_RSA_AES_KEY_WRAP_PARAMS): the
 * OAEP mechanism that carries the temporary AES key, and that key's length
 * (128, 192 or 256 bits).
 */
static fh_rv
rsa_aes_params(const CK_MECHANISM *mech, CK_MECHANISM *oaep, size_t *aes_len)
{
    CK_RSA_AES_KEY_WRAP_PARAMS ra;

    if (!fhi_soft_param_is(mech, sizeof(ra))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    memcpy(&ra, mech->pParameter, sizeof(ra));
    if ((ra.ulAESKeyBits != 128 && ra.ulAESKeyBits != 192 && ra.ulAESKeyBits != 256) ||
        ra.pOAEPParams == NULL) {
        return FH_E_MECH_PARAM_INVALID;
    }
    oaep->mechanism = CKM_RSA_PKCS_OAEP;
    oaep->pParameter = ra.pOAEPParams;
    oaep->ulParameterLen = sizeof(CK_RSA_PKCS_OAEP_PARAMS);
    *aes_len = ra.ulAESKeyBits / 8;
    return FH_OK;
}

/* Bytes of the RFC 5649 wrap of an mlen-byte payload (§4.1: padded to 8, plus 8). */
static size_t
kwp_len(size_t mlen)
{
    return (mlen + 7) / 8 * 8 + 8;
}

/*
 * CKM_RSA_AES_KEY_WRAP, wrapping side (§2.1.21): draw a temporary AES key,
 * write OAEP(wrapping, AES key) (as long as the modulus), then the RFC 5649
 * wrap of m[0..mlen) under the AES key; the AES key is cleansed.
 */
static fh_rv
rsa_aes_wrap(const struct fhi_soft_priv *p, const CK_MECHANISM *mech,
             const struct fh_bkey *wrapping, const uint8_t *m, size_t mlen, uint8_t *out,
             size_t *out_len)
{
    CK_MECHANISM oaep;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    fh_secret *kek = NULL;
    size_t aes_len = 0, max_msg = 0, k, need, n;
    fh_rv rv;

    rv = rsa_aes_params(mech, &oaep, &aes_len);
    if (rv != FH_OK) {
        return rv;
    }
    rv = rsa_ctx(p, &oaep, wrapping, true, &pkey, &pctx, &max_msg);
    if (rv != FH_OK) {
        goto out;
    }
    if (max_msg < aes_len) {
        rv = FH_E_KEY_SIZE_RANGE; /* a modulus too small for OAEP of the AES key */
        goto out;
    }
    if (mlen < 1 || mlen > FHI_SOFT_MAX_BUFFER) {
        rv = FH_E_KEY_NOT_WRAPPABLE;
        goto out;
    }
    k = (size_t)EVP_PKEY_get_size(pkey);
    need = k + kwp_len(mlen);
    if (out == NULL) {
        *out_len = need;
        goto out;
    }
    if (*out_len < need) {
        *out_len = need;
        rv = FH_E_BUFFER_TOO_SMALL;
        goto out;
    }
    rv = fh_secret_new(aes_len, &kek);
    if (rv != FH_OK) {
        goto out;
    }
    if (RAND_bytes_ex(p->libctx, fh_secret_data(kek), aes_len, 0) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    n = k;
    if (EVP_PKEY_encrypt(pctx, out, &n, fh_secret_cdata(kek), aes_len) != 1 || n != k) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    rv = kw_run(p, FHI_AES_WRAP_PAD, kek, NULL, true, m, mlen, out + k, &n);
    if (rv == FH_OK) {
        *out_len = k + n;
    }
out:
    fh_secret_free(kek);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pkey);
    return rv;
}

/*
 * CKM_RSA_AES_KEY_WRAP, unwrapping side (§2.1.21): split the input after
 * the modulus length, recover the AES key with OAEP (it must have the
 * parameter's length), then the payload with RFC 5649 into *raw (n bytes
 * used). Every integrity failure is FH_E_WRAPPED_KEY_INVALID, whichever
 * half it is in.
 */
static fh_rv
rsa_aes_unwrap(const struct fhi_soft_priv *p, const CK_MECHANISM *mech,
               const struct fh_bkey *unwrapping, const uint8_t *in, size_t in_len,
               fh_secret **raw, size_t *n)
{
    CK_MECHANISM oaep;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    fh_secret *kek = NULL, *r = NULL;
    size_t aes_len = 0, max_msg = 0, k, kl;
    fh_rv rv;

    rv = rsa_aes_params(mech, &oaep, &aes_len);
    if (rv != FH_OK) {
        return rv;
    }
    rv = rsa_ctx(p, &oaep, unwrapping, false, &pkey, &pctx, &max_msg);
    if (rv != FH_OK) {
        goto out;
    }
    k = (size_t)EVP_PKEY_get_size(pkey);
    /* the wrapped AES key, then at least two semiblocks of RFC 5649 */
    if (in_len < k + 16 || (in_len - k) % 8 != 0 || in_len - k > FHI_SOFT_MAX_BUFFER) {
        rv = FH_E_WRAPPED_KEY_LEN_RANGE;
        goto out;
    }
    rv = fh_secret_new(k, &kek);
    if (rv != FH_OK) {
        goto out;
    }
    kl = k;
    if (EVP_PKEY_decrypt(pctx, fh_secret_data(kek), &kl, in, k) != 1 || kl != aes_len) {
        rv = FH_E_WRAPPED_KEY_INVALID;
        goto out;
    }
    fh_secret_truncate(kek, kl);
    rv = fh_secret_new(in_len - k + 16, &r);
    if (rv != FH_OK) {
        goto out;
    }
    rv = kw_run(p, FHI_AES_WRAP_PAD, kek, NULL, false, in + k, in_len - k, fh_secret_data(r), n);
    if (rv != FH_OK) {
        goto out;
    }
    *raw = r;
    r = NULL;
out:
    fh_secret_free(r);
    fh_secret_free(kek);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pkey);
    return rv;
}

/*
 * backend.h wrap: the target's material under an AES key (RFC 3394 /
 * RFC 5649) or an RSA public key (OAEP, secret keys only; RSA-AES, any key).
 * Length queries and short buffers follow backend.h.
 */
fh_rv
fhi_soft_wrap(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *wrapping,
              const struct fh_bkey *target, uint8_t *out, size_t *out_len)
{
    const struct fhi_soft_priv *p = priv;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    enum fhi_soft_aes fam;
    const uint8_t *iv = NULL;
    const uint8_t *m;
    size_t mlen, need, n;
    fh_rv rv;

    if (p == NULL || mech == NULL || wrapping == NULL || target == NULL || out_len == NULL) {
        return FH_E_ARGS;
    }
    if (target->material == NULL ||
        (target->cls != CKO_SECRET_KEY && target->cls != CKO_PRIVATE_KEY)) {
        return FH_E_KEY_NOT_WRAPPABLE;
    }
    m = fh_secret_cdata(target->material);
    mlen = fh_secret_len(target->material);
    if (mech->mechanism == CKM_RSA_AES_KEY_WRAP) {
        return rsa_aes_wrap(p, mech, wrapping, m, mlen, out, out_len);
    }
    if (mech->mechanism == CKM_RSA_PKCS_OAEP) {
        if (target->cls != CKO_SECRET_KEY) {
            return FH_E_KEY_NOT_WRAPPABLE;
        }
        rv = rsa_ctx(p, mech, wrapping, true, &pkey, &pctx, &n);
        if (rv != FH_OK) {
            goto out;
        }
        need = (size_t)EVP_PKEY_get_size(pkey);
        if (mlen == 0 || mlen > n) {
            rv = FH_E_KEY_SIZE_RANGE;
            goto out;
        }
        if (out == NULL) {
            *out_len = need;
            goto out;
        }
        if (*out_len < need) {
            *out_len = need;
            rv = FH_E_BUFFER_TOO_SMALL;
            goto out;
        }
        n = *out_len;
        if (EVP_PKEY_encrypt(pctx, out, &n, m, mlen) != 1) {
            rv = FH_E_CRYPTO;
            goto out;
        }
        *out_len = n;
        goto out;
    }
    rv = kw_mech(mech, &fam, &iv);
    if (rv != FH_OK) {
        return rv;
    }
    if (wrapping->cls != CKO_SECRET_KEY || wrapping->type != CKK_AES ||
        wrapping->material == NULL || fhi_soft_aes_index(fh_secret_len(wrapping->material)) < 0) {
        return FH_E_WRAPPING_KEY_TYPE_INCONSISTENT;
    }
    if (fam == FHI_AES_WRAP) {
        /* RFC 3394 §2: n >= 2 blocks of 64 bits */
        if (mlen < 16 || mlen % 8 != 0) {
            return FH_E_KEY_NOT_WRAPPABLE;
        }
        need = mlen + 8;
    } else {
        /* RFC 5649 §4.1: any length 1 .. 2^32-1, padded to a multiple of 8 */
        if (mlen < 1 || mlen > FHI_SOFT_MAX_BUFFER) {
            return FH_E_KEY_NOT_WRAPPABLE;
        }
        need = (mlen + 7) / 8 * 8 + 8;
    }
    if (out == NULL) {
        *out_len = need;
        return FH_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return FH_E_BUFFER_TOO_SMALL;
    }
    rv = kw_run(p, fam, wrapping->material, iv, true, m, mlen, out, &n);
    if (rv == FH_OK) {
        *out_len = n;
    }
out:
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pkey);
    return rv;
}

/* Check unwrapped bytes against the requested class/type; produce material. */
static fh_rv
accept_unwrapped(const struct fhi_soft_priv *p, fh_secret *raw, CK_OBJECT_CLASS cls,
                 CK_KEY_TYPE type, CK_ULONG value_len, fh_secret **material,
                 struct fh_attrs *pub)
{
    EVP_PKEY *pkey = NULL;
    size_t len = fh_secret_len(raw);
    fh_rv rv;

    if (cls == CKO_SECRET_KEY) {
        if (type == CKK_AES) {
            if (fhi_soft_aes_index(len) < 0) {
                return FH_E_WRAPPED_KEY_INVALID;
            }
        } else if (type != CKK_GENERIC_SECRET) {
            return FH_E_TEMPLATE_INCONSISTENT;
        } else if (len == 0) {
            return FH_E_WRAPPED_KEY_INVALID;
        }
        if (value_len != 0 && value_len != len) {
            return FH_E_TEMPLATE_INCONSISTENT;
        }
        *material = raw;
        return FH_OK;
    }
    if (cls != CKO_PRIVATE_KEY || (type != CKK_RSA && type != CKK_EC && type != CKK_EC_EDWARDS)) {
        return FH_E_TEMPLATE_INCONSISTENT;
    }
    if (pub == NULL) {
        return FH_E_ARGS;
    }
    rv = fhi_soft_parse_pkcs8(p, fh_secret_cdata(raw), len, type, &pkey);
    if (rv != FH_OK) {
        return rv == FH_E_CURVE_NOT_SUPPORTED ? rv : FH_E_WRAPPED_KEY_INVALID;
    }
    rv = fhi_soft_finish_private(p, pkey, type, material, pub);
    EVP_PKEY_free(pkey);
    if (rv == FH_E_ATTR_VALUE_INVALID) {
        return FH_E_WRAPPED_KEY_INVALID; /* parses, but is not a consistent key */
    }
    if (rv == FH_OK) {
        fh_secret_free(raw);
    }
    return rv;
}

/*
 * backend.h unwrap: recovers the bytes into a secure buffer, then
 * accept_unwrapped checks them against the requested class and type.
 */
fh_rv
fhi_soft_unwrap(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *unwrapping,
                const uint8_t *in, size_t in_len, CK_OBJECT_CLASS cls, CK_KEY_TYPE type,
                CK_ULONG value_len, fh_secret **material, struct fh_attrs *pub)
{
    const struct fhi_soft_priv *p = priv;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    fh_secret *raw = NULL;
    enum fhi_soft_aes fam;
    const uint8_t *iv = NULL;
    size_t n = 0;
    fh_rv rv;

    if (p == NULL || mech == NULL || unwrapping == NULL || material == NULL ||
        (in == NULL && in_len > 0)) {
        return FH_E_ARGS;
    }
    if (mech->mechanism == CKM_RSA_PKCS_OAEP) {
        rv = rsa_ctx(p, mech, unwrapping, false, &pkey, &pctx, &n);
        if (rv != FH_OK) {
            goto out;
        }
        n = (size_t)EVP_PKEY_get_size(pkey);
        if (in_len != n) {
            rv = FH_E_WRAPPED_KEY_LEN_RANGE;
            goto out;
        }
        rv = fh_secret_new(n, &raw);
        if (rv != FH_OK) {
            goto out;
        }
        if (EVP_PKEY_decrypt(pctx, fh_secret_data(raw), &n, in, in_len) != 1) {
            rv = FH_E_WRAPPED_KEY_INVALID;
            goto out;
        }
    } else if (mech->mechanism == CKM_RSA_AES_KEY_WRAP) {
        rv = rsa_aes_unwrap(p, mech, unwrapping, in, in_len, &raw, &n);
        if (rv != FH_OK) {
            goto out;
        }
    } else {
        rv = kw_mech(mech, &fam, &iv);
        if (rv != FH_OK) {
            return rv;
        }
        if (unwrapping->cls != CKO_SECRET_KEY || unwrapping->type != CKK_AES ||
            unwrapping->material == NULL) {
            return FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT;
        }
        /* RFC 3394: at least 3 semiblocks; RFC 5649: at least 2 */
        if (in_len % 8 != 0 || in_len < (fam == FHI_AES_WRAP ? 24u : 16u) ||
            in_len > FHI_SOFT_MAX_BUFFER) {
            return FH_E_WRAPPED_KEY_LEN_RANGE;
        }
        rv = fh_secret_new(in_len + 16, &raw);
        if (rv != FH_OK) {
            return rv;
        }
        rv = kw_run(p, fam, unwrapping->material, iv, false, in, in_len, fh_secret_data(raw),
                    &n);
        if (rv != FH_OK) {
            goto out;
        }
    }
    fh_secret_truncate(raw, n);
    rv = accept_unwrapped(p, raw, cls, type, value_len, material, pub);
    if (rv == FH_OK) {
        raw = NULL; /* owned by *material or freed */
    }
out:
    fh_secret_free(raw);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pkey);
    return rv;
}

/* The digest of an X9.63 KDF selector, FHI_MD_NONE for CKD_NULL / unknown. */
static enum fhi_soft_md
kdf_md(CK_ULONG kdf)
{
    switch (kdf) {
    case CKD_SHA1_KDF:
        return FHI_MD_SHA1;
    case CKD_SHA224_KDF:
        return FHI_MD_SHA224;
    case CKD_SHA256_KDF:
        return FHI_MD_SHA256;
    case CKD_SHA384_KDF:
        return FHI_MD_SHA384;
    case CKD_SHA512_KDF:
        return FHI_MD_SHA512;
    default:
        return FHI_MD_NONE;
    }
}

/* ANSI X9.63 KDF (SEC 1 §3.6.1) over the shared secret z. */
static fh_rv
x963(const struct fhi_soft_priv *p, enum fhi_soft_md m, const fh_secret *z, const uint8_t *info,
     size_t info_len, uint8_t *out, size_t len)
{
    EVP_KDF_CTX *k = EVP_KDF_CTX_new(p->x963);
    OSSL_PARAM params[4];
    size_t i = 0;
    fh_rv rv = FH_E_CRYPTO;

    if (k == NULL) {
        return FH_E_NOMEM;
    }
    params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                   (char *)fhi_soft_md_name(m), 0);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    (void *)fh_secret_cdata(z), fh_secret_len(z));
    if (info_len > 0) {
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
                                                        info_len);
    }
    params[i] = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(k, out, len, params) == 1) {
        rv = FH_OK;
    }
    EVP_KDF_CTX_free(k);
    return rv;
}

/*
 * backend.h derive: CKM_ECDH1_DERIVE (PKCS#11 v3.0 §2.3.15). value_len 0
 * means the natural length: the shared secret (CKD_NULL) or one digest
 * (X9.63 KDF).
 */
fh_rv
fhi_soft_derive(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *base,
                CK_KEY_TYPE type, CK_ULONG value_len, fh_secret **material)
{
    const struct fhi_soft_priv *p = priv;
    CK_ECDH1_DERIVE_PARAMS dp;
    EVP_PKEY *pkey = NULL, *peer = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    fh_secret *z = NULL, *key = NULL;
    enum fhi_soft_md m;
    size_t zlen = 0, len;
    fh_rv rv;

    if (p == NULL || mech == NULL || base == NULL || material == NULL) {
        return FH_E_ARGS;
    }
    if (mech->mechanism != CKM_ECDH1_DERIVE) {
        return FH_E_MECH_INVALID;
    }
    if (!fhi_soft_param_is(mech, sizeof(dp))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    memcpy(&dp, mech->pParameter, sizeof(dp));
    m = kdf_md(dp.kdf);
    if ((dp.kdf != CKD_NULL && m == FHI_MD_NONE) || dp.pPublicData == NULL ||
        dp.ulPublicDataLen == 0 || (dp.ulSharedDataLen > 0 && dp.pSharedData == NULL)) {
        return FH_E_MECH_PARAM_INVALID;
    }
    /* PKCS#11 v3.0 §2.3.15: with CKD_NULL there is no shared data */
    if (dp.kdf == CKD_NULL && dp.ulSharedDataLen != 0) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (type != CKK_AES && type != CKK_GENERIC_SECRET) {
        return FH_E_TEMPLATE_INCONSISTENT;
    }
    if (base->cls != CKO_PRIVATE_KEY || base->type != CKK_EC) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    rv = fhi_soft_load_key(p, base, true, &pkey);
    if (rv != FH_OK) {
        goto out;
    }
    rv = fhi_soft_ec_peer(p, pkey, dp.pPublicData, dp.ulPublicDataLen, &peer);
    if (rv != FH_OK) {
        rv = FH_E_MECH_PARAM_INVALID;
        goto out;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(p->libctx, pkey, NULL);
    if (ctx == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1) {
        rv = FH_E_MECH_PARAM_INVALID;
        goto out;
    }
    if (EVP_PKEY_derive(ctx, NULL, &zlen) != 1 || zlen == 0) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    rv = fh_secret_new(zlen, &z);
    if (rv != FH_OK) {
        goto out;
    }
    if (EVP_PKEY_derive(ctx, fh_secret_data(z), &zlen) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    fh_secret_truncate(z, zlen);
    if (m == FHI_MD_NONE) {
        len = value_len != 0 ? value_len : zlen;
        if (len > zlen) {
            rv = FH_E_KEY_SIZE_RANGE;
            goto out;
        }
    } else {
        len = value_len != 0 ? value_len : (size_t)EVP_MD_get_size(fhi_soft_md(p, m));
        if (len > 1024) {
            rv = FH_E_KEY_SIZE_RANGE;
            goto out;
        }
    }
    if (type == CKK_AES && fhi_soft_aes_index(len) < 0) {
        rv = FH_E_KEY_SIZE_RANGE;
        goto out;
    }
    if (m == FHI_MD_NONE) {
        rv = fh_secret_from(fh_secret_cdata(z) + (zlen - len), len, &key);
    } else {
        rv = fh_secret_new(len, &key);
        if (rv == FH_OK) {
            rv = x963(p, m, z, dp.pSharedData, dp.ulSharedDataLen, fh_secret_data(key), len);
        }
    }
    if (rv != FH_OK) {
        goto out;
    }
    *material = key;
    key = NULL;
out:
    fh_secret_free(key);
    fh_secret_free(z);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(pkey);
    return rv;
}
