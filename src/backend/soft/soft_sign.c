/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft_sign.c - FH_OP_SIGN / FH_OP_VERIFY for the soft backend: RSA PKCS#1
 * v1.5 and PSS, ECDSA, EdDSA, HMAC (SHA-1/2/3) and AES-CMAC.
 *
 * Structure: a hash-then-sign mechanism (CKM_SHA256_RSA_PKCS, ...) hashes in
 * the op's EVP_MD_CTX with the digest fetched at init, and signs the hash at
 * final through an EVP_PKEY_CTX prepared in op_init (padding, hash, MGF1,
 * salt). Single-part mechanisms (CKM_RSA_PKCS, CKM_RSA_PKCS_PSS, CKM_ECDSA,
 * CKM_EDDSA) sign their input as given. MACs dup a context from the templates
 * in priv, so no operation fetches an algorithm by name.
 *
 * Signature lengths are exact and known at init, so a too-small buffer is
 * refused before any state changes (backend.h length conventions). ECDSA
 * signatures are r||s, each left-padded to the group order length
 * (PKCS#11 v3.0 §2.3.1), converted from and to OpenSSL's DER form here.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ferrohsm/backend.h"

#include "sigder.h"
#include "soft-int.h"

#define MAX_MAC 64
#define MAX_DER_SIG 160 /* DER ECDSA-P521 is at most 139 bytes */

/* The digest of a hash-then-sign mechanism, FHI_MD_NONE for single-part ones. */
static enum fhi_soft_md
sig_mech_md(CK_MECHANISM_TYPE m, enum fhi_soft_sig *sig)
{
    switch (m) {
    case CKM_RSA_PKCS:
        *sig = FHI_SIG_RSA_PKCS;
        return FHI_MD_NONE;
    case CKM_SHA1_RSA_PKCS:
        *sig = FHI_SIG_RSA_PKCS;
        return FHI_MD_SHA1;
    case CKM_SHA224_RSA_PKCS:
        *sig = FHI_SIG_RSA_PKCS;
        return FHI_MD_SHA224;
    case CKM_SHA256_RSA_PKCS:
        *sig = FHI_SIG_RSA_PKCS;
        return FHI_MD_SHA256;
    case CKM_SHA384_RSA_PKCS:
        *sig = FHI_SIG_RSA_PKCS;
        return FHI_MD_SHA384;
    case CKM_SHA512_RSA_PKCS:
        *sig = FHI_SIG_RSA_PKCS;
        return FHI_MD_SHA512;
    case CKM_RSA_PKCS_PSS:
        *sig = FHI_SIG_RSA_PSS;
        return FHI_MD_NONE;
    case CKM_SHA1_RSA_PKCS_PSS:
        *sig = FHI_SIG_RSA_PSS;
        return FHI_MD_SHA1;
    case CKM_SHA224_RSA_PKCS_PSS:
        *sig = FHI_SIG_RSA_PSS;
        return FHI_MD_SHA224;
    case CKM_SHA256_RSA_PKCS_PSS:
        *sig = FHI_SIG_RSA_PSS;
        return FHI_MD_SHA256;
    case CKM_SHA384_RSA_PKCS_PSS:
        *sig = FHI_SIG_RSA_PSS;
        return FHI_MD_SHA384;
    case CKM_SHA512_RSA_PKCS_PSS:
        *sig = FHI_SIG_RSA_PSS;
        return FHI_MD_SHA512;
    case CKM_ECDSA:
        *sig = FHI_SIG_ECDSA;
        return FHI_MD_NONE;
    case CKM_ECDSA_SHA1:
        *sig = FHI_SIG_ECDSA;
        return FHI_MD_SHA1;
    case CKM_ECDSA_SHA224:
        *sig = FHI_SIG_ECDSA;
        return FHI_MD_SHA224;
    case CKM_ECDSA_SHA256:
        *sig = FHI_SIG_ECDSA;
        return FHI_MD_SHA256;
    case CKM_ECDSA_SHA384:
        *sig = FHI_SIG_ECDSA;
        return FHI_MD_SHA384;
    case CKM_ECDSA_SHA512:
        *sig = FHI_SIG_ECDSA;
        return FHI_MD_SHA512;
    case CKM_EDDSA:
        *sig = FHI_SIG_EDDSA;
        return FHI_MD_NONE;
    default:
        *sig = 0;
        return FHI_MD_NONE;
    }
}

/* The digest of an HMAC mechanism, FHI_MD_NONE for the others. */
static enum fhi_soft_md
hmac_md(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_SHA_1_HMAC:
        return FHI_MD_SHA1;
    case CKM_SHA224_HMAC:
        return FHI_MD_SHA224;
    case CKM_SHA256_HMAC:
        return FHI_MD_SHA256;
    case CKM_SHA384_HMAC:
        return FHI_MD_SHA384;
    case CKM_SHA512_HMAC:
        return FHI_MD_SHA512;
    case CKM_SHA3_224_HMAC:
        return FHI_MD_SHA3_224;
    case CKM_SHA3_256_HMAC:
        return FHI_MD_SHA3_256;
    case CKM_SHA3_384_HMAC:
        return FHI_MD_SHA3_384;
    case CKM_SHA3_512_HMAC:
        return FHI_MD_SHA3_512;
    default:
        return FHI_MD_NONE;
    }
}

/* ---- MACs ---- */

/*
 * HMAC or CMAC context: dup the keyless template of priv and key it. HMAC
 * takes a generic-secret or AES key; CMAC an AES key. CKM_AES_CMAC_GENERAL
 * takes the MAC length (1..16) as CK_MAC_GENERAL_PARAMS.
 */
static fh_rv
mac_init(struct fhi_soft_op *op, const CK_MECHANISM *mech, const struct fh_bkey *key)
{
    const EVP_MAC_CTX *tmpl;
    enum fhi_soft_md m = hmac_md(mech->mechanism);
    size_t klen;
    int idx;

    if (key->cls != CKO_SECRET_KEY || key->material == NULL) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    klen = fh_secret_len(key->material);
    if (m != FHI_MD_NONE) {
        if (key->type != CKK_GENERIC_SECRET && key->type != CKK_AES) {
            return FH_E_KEY_TYPE_INCONSISTENT;
        }
        if (mech->ulParameterLen != 0) {
            return FH_E_MECH_PARAM_INVALID;
        }
        tmpl = op->p->hmac_tmpl[m];
        op->mac_len = (size_t)EVP_MD_get_size(fhi_soft_md(op->p, m));
    } else {
        idx = fhi_soft_aes_index(klen);
        if (key->type != CKK_AES || idx < 0) {
            return FH_E_KEY_TYPE_INCONSISTENT;
        }
        tmpl = op->p->cmac_tmpl[idx];
        op->mac_len = 16;
        if (mech->mechanism == CKM_AES_CMAC_GENERAL) {
            CK_ULONG want;

            if (!fhi_soft_param_is(mech, sizeof(CK_MAC_GENERAL_PARAMS))) {
                return FH_E_MECH_PARAM_INVALID;
            }
            memcpy(&want, mech->pParameter, sizeof(want));
            if (want < 1 || want > 16) {
                return FH_E_MECH_PARAM_INVALID;
            }
            op->mac_len = want;
        } else if (mech->ulParameterLen != 0) {
            return FH_E_MECH_PARAM_INVALID;
        }
    }
    op->fam = FHI_FAM_MAC;
    op->multipart_ok = true;
    op->mac = EVP_MAC_CTX_dup(tmpl);
    if (op->mac == NULL) {
        return FH_E_NOMEM;
    }
    if (EVP_MAC_init(op->mac, fh_secret_cdata(key->material), klen, NULL) != 1) {
        return FH_E_CRYPTO;
    }
    op->reusable = true; /* EVP_MAC_init without a key restarts with this one */
    return FH_OK;
}

/*
 * Sign: writes the (possibly truncated) MAC. Verify: the candidate must
 * have exactly the MAC length (FH_E_SIGNATURE_LEN_RANGE) and is compared in
 * constant time.
 */
static fh_rv
mac_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len)
{
    uint8_t mac[MAX_MAC];
    size_t got = 0;
    fh_rv rv = FH_OK;

    if (op->kind == FH_OP_SIGN) {
        if (out == NULL) {
            *out_len = op->mac_len;
            return FH_OK;
        }
        if (*out_len < op->mac_len) {
            *out_len = op->mac_len;
            return FH_E_BUFFER_TOO_SMALL;
        }
    } else if (*out_len != op->mac_len) {
        return FH_E_SIGNATURE_LEN_RANGE;
    }
    if (EVP_MAC_final(op->mac, mac, &got, sizeof(mac)) != 1 || got < op->mac_len) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    if (op->kind == FH_OP_SIGN) {
        memcpy(out, mac, op->mac_len);
        *out_len = op->mac_len;
    } else if (CRYPTO_memcmp(mac, out, op->mac_len) != 0) {
        rv = FH_E_SIGNATURE_INVALID;
    }
out:
    OPENSSL_cleanse(mac, sizeof(mac));
    return rv;
}

/* ---- public-key signatures ---- */

/*
 * Validates CK_RSA_PKCS_PSS_PARAMS: a SHA-1/SHA-2 hash (equal to the
 * mechanism's own hash for the CKM_SHA*_RSA_PKCS_PSS forms), an MGF1 hash and
 * a salt that fits the modulus.
 */
static fh_rv
pss_params(struct fhi_soft_op *op, const CK_MECHANISM *mech, enum fhi_soft_md mech_md)
{
    CK_RSA_PKCS_PSS_PARAMS pp;
    enum fhi_soft_md h, g;
    int bits, hlen;

    if (!fhi_soft_param_is(mech, sizeof(pp))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    memcpy(&pp, mech->pParameter, sizeof(pp));
    h = fhi_soft_md_from_ckm(pp.hashAlg);
    g = fhi_soft_md_from_mgf(pp.mgf);
    /* PSS is defined here for SHA-1 and SHA-2 (PKCS#11 v3.0 §2.1.14) */
    if (h == FHI_MD_NONE || h > FHI_MD_SHA512 || g == FHI_MD_NONE) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (mech_md != FHI_MD_NONE && h != mech_md) {
        return FH_E_MECH_PARAM_INVALID;
    }
    op->pss_md = fhi_soft_md(op->p, h);
    op->mgf_md = fhi_soft_md(op->p, g);
    /* RFC 8017 §9.1.1: emLen >= hLen + sLen + 2, emLen = ceil((modBits - 1) / 8) */
    bits = EVP_PKEY_get_bits(op->pkey);
    hlen = EVP_MD_get_size(op->pss_md);
    if (bits <= 0 || pp.sLen > (CK_ULONG)((bits - 1 + 7) / 8) ||
        (size_t)((bits - 1 + 7) / 8) < (size_t)hlen + pp.sLen + 2) {
        return FH_E_MECH_PARAM_INVALID;
    }
    op->salt_len = (int)pp.sLen;
    return FH_OK;
}

/*
 * Validates the optional CK_EDDSA_PARAMS: no prehash, context only for
 * Ed448 (kept in op->label for eddsa_setup).
 */
static fh_rv
eddsa_params(struct fhi_soft_op *op, const CK_MECHANISM *mech, bool *context)
{
    CK_EDDSA_PARAMS ep;

    *context = false;
    if (mech->pParameter == NULL && mech->ulParameterLen == 0) {
        return FH_OK; /* pure Ed25519 / Ed448 */
    }
    if (!fhi_soft_param_is(mech, sizeof(ep))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    memcpy(&ep, mech->pParameter, sizeof(ep));
    /* prehash variants (Ed25519ph, Ed448ph) are not offered */
    if (ep.phFlag != CK_FALSE) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (ep.ulContextDataLen == 0) {
        return FH_OK;
    }
    /* RFC 8032 §5.2: a context is defined for Ed448; Ed25519ctx is not offered */
    if (ep.pContextData == NULL || ep.ulContextDataLen > 255 ||
        !EVP_PKEY_is_a(op->pkey, "ED448")) {
        return FH_E_MECH_PARAM_INVALID;
    }
    *context = true;
    op->label = OPENSSL_memdup(ep.pContextData, ep.ulContextDataLen);
    if (op->label == NULL) {
        return FH_E_NOMEM;
    }
    op->label_len = ep.ulContextDataLen;
    return FH_OK;
}

/* EdDSA: DigestSign/Verify context, with the Ed448 context string if any. */
static fh_rv
eddsa_setup(struct fhi_soft_op *op, bool context)
{
    EVP_PKEY_CTX *pctx = NULL;
    const OSSL_PARAM *settable;
    OSSL_PARAM params[2];
    int ok;

    op->mdctx = EVP_MD_CTX_new();
    if (op->mdctx == NULL) {
        return FH_E_NOMEM;
    }
    if (op->kind == FH_OP_SIGN) {
        ok = EVP_DigestSignInit_ex(op->mdctx, &pctx, NULL, op->p->libctx, NULL, op->pkey, NULL);
    } else {
        ok = EVP_DigestVerifyInit_ex(op->mdctx, &pctx, NULL, op->p->libctx, NULL, op->pkey,
                                     NULL);
    }
    if (ok != 1) {
        return FH_E_CRYPTO;
    }
    if (!context) {
        /* kept untouched: each reuse signs on a copy (fhi_soft_sign_rearm) */
        op->ed_tmpl = EVP_MD_CTX_new();
        op->reusable = op->ed_tmpl != NULL && EVP_MD_CTX_copy_ex(op->ed_tmpl, op->mdctx) == 1;
        return FH_OK;
    }
    /*
     * OpenSSL 3.0 and 3.1 cannot sign with an Ed448 context; refuse the
     * parameter rather than silently sign without it.
     */
    settable = EVP_PKEY_CTX_settable_params(pctx);
    if (settable == NULL || OSSL_PARAM_locate_const(settable, "context-string") == NULL) {
        return FH_E_MECH_PARAM_INVALID;
    }
    params[0] = OSSL_PARAM_construct_octet_string("context-string", op->label, op->label_len);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_CTX_set_params(pctx, params) != 1) {
        return FH_E_MECH_PARAM_INVALID;
    }
    return FH_OK;
}

/* The EVP_PKEY_CTX that signs or verifies a hash (or raw input). */
static fh_rv
pkey_setup(struct fhi_soft_op *op)
{
    EVP_PKEY_CTX *c;

    c = EVP_PKEY_CTX_new_from_pkey(op->p->libctx, op->pkey, NULL);
    if (c == NULL) {
        return FH_E_NOMEM;
    }
    op->pctx = c;
    if ((op->kind == FH_OP_SIGN ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) != 1) {
        return FH_E_CRYPTO;
    }
    if (op->sig == FHI_SIG_RSA_PKCS) {
        if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1) {
            return FH_E_CRYPTO;
        }
        /* with a digest set, OpenSSL builds the DigestInfo (RFC 8017 §9.2) */
        if (op->md != NULL && EVP_PKEY_CTX_set_signature_md(c, op->md) != 1) {
            return FH_E_CRYPTO;
        }
    } else if (op->sig == FHI_SIG_RSA_PSS) {
        if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(c, op->pss_md) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(c, op->mgf_md) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(c, op->salt_len) != 1) {
            return FH_E_MECH_PARAM_INVALID;
        }
    }
    /* ECDSA: no digest set, so OpenSSL signs the given hash as is */
    return FH_OK;
}

/*
 * Public-key signature context: mechanism to scheme and hash, key type
 * check, key load (private to sign, SPKI to verify), parameters, and the
 * exact signature length.
 */
static fh_rv
sig_init(struct fhi_soft_op *op, const CK_MECHANISM *mech, const struct fh_bkey *key)
{
    enum fhi_soft_sig sig;
    enum fhi_soft_md m = sig_mech_md(mech->mechanism, &sig);
    CK_KEY_TYPE want;
    bool context = false;
    fh_rv rv;

    if (sig == 0) {
        return FH_E_MECH_INVALID;
    }
    want = (sig == FHI_SIG_ECDSA) ? CKK_EC : (sig == FHI_SIG_EDDSA) ? CKK_EC_EDWARDS : CKK_RSA;
    if (key->type != want) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    op->fam = FHI_FAM_SIG;
    op->sig = sig;
    op->md = (m == FHI_MD_NONE) ? NULL : fhi_soft_md(op->p, m);
    op->multipart_ok = op->md != NULL;
    rv = fhi_soft_load_key(op->p, key, op->kind == FH_OP_SIGN, &op->pkey);
    if (rv != FH_OK) {
        return rv;
    }
    switch (sig) {
    case FHI_SIG_RSA_PKCS:
    case FHI_SIG_ECDSA:
        if (mech->ulParameterLen != 0) {
            return FH_E_MECH_PARAM_INVALID;
        }
        break;
    case FHI_SIG_RSA_PSS:
        rv = pss_params(op, mech, m);
        break;
    case FHI_SIG_EDDSA:
        rv = eddsa_params(op, mech, &context);
        break;
    default:
        rv = FH_E_MECH_INVALID;
        break;
    }
    if (rv != FH_OK) {
        return rv;
    }
    if (sig == FHI_SIG_ECDSA) {
        int bits = EVP_PKEY_get_bits(op->pkey);

        if (bits <= 0) {
            return FH_E_CRYPTO;
        }
        op->order_len = ((size_t)bits + 7) / 8;
        op->sig_len = 2 * op->order_len;
    } else {
        op->sig_len = (size_t)EVP_PKEY_get_size(op->pkey);
    }
    if (sig == FHI_SIG_EDDSA) {
        return eddsa_setup(op, context);
    }
    rv = pkey_setup(op);
    if (rv != FH_OK) {
        return rv;
    }
    if (op->md != NULL) {
        op->mdctx = EVP_MD_CTX_new();
        if (op->mdctx == NULL) {
            return FH_E_NOMEM;
        }
        if (EVP_DigestInit_ex2(op->mdctx, op->md, NULL) != 1) {
            return FH_E_CRYPTO;
        }
    }
    /* EVP_PKEY_sign/verify may run again on pctx as set up (openssl speed does) */
    op->reusable = true;
    return FH_OK;
}

/*
 * Re-arms a finished op for another operation with the same key, mechanism
 * and parameters (soft.c matches those): the hash restarts, the MAC restarts
 * with its key, EdDSA signs on a fresh copy of its set-up context; the
 * EVP_PKEY_CTX of RSA and ECDSA is reused as is.
 */
fh_rv
fhi_soft_sign_rearm(struct fhi_soft_op *op, const CK_MECHANISM *mech)
{
    (void)mech;
    if (op->fam == FHI_FAM_MAC) {
        return EVP_MAC_init(op->mac, NULL, 0, NULL) == 1 ? FH_OK : FH_E_CRYPTO;
    }
    if (op->fam != FHI_FAM_SIG) {
        return FH_E_GENERAL;
    }
    if (op->sig == FHI_SIG_EDDSA) {
        return EVP_MD_CTX_copy_ex(op->mdctx, op->ed_tmpl) == 1 ? FH_OK : FH_E_CRYPTO;
    }
    if (op->md != NULL) {
        return EVP_DigestInit_ex2(op->mdctx, op->md, NULL) == 1 ? FH_OK : FH_E_CRYPTO;
    }
    return FH_OK;
}

/*
 * Sign or verify tbs (hash or raw input) with the prepared context. Sign:
 * sig has room for op->sig_len bytes. Verify: sig/sig_len is the signature,
 * already length-checked.
 */
static fh_rv
pk_do(struct fhi_soft_op *op, const uint8_t *tbs, size_t tbs_len, uint8_t *sig, size_t *sig_len)
{
    uint8_t der[MAX_DER_SIG];
    size_t der_len = sizeof(der);
    size_t n = op->sig_len;
    int ok;

    if (op->sig == FHI_SIG_EDDSA) {
        if (op->kind == FH_OP_SIGN) {
            if (EVP_DigestSign(op->mdctx, sig, &n, tbs, tbs_len) != 1) {
                return FH_E_CRYPTO;
            }
            *sig_len = n;
            return FH_OK;
        }
        ok = EVP_DigestVerify(op->mdctx, sig, *sig_len, tbs, tbs_len);
        return ok == 1 ? FH_OK : FH_E_SIGNATURE_INVALID;
    }
    if (op->sig == FHI_SIG_ECDSA) {
        if (op->kind == FH_OP_SIGN) {
            if (EVP_PKEY_sign(op->pctx, der, &der_len, tbs, tbs_len) != 1) {
                return FH_E_CRYPTO;
            }
            /* r||s by hand (sigder.c): no ECDSA_SIG, no BIGNUMs */
            if (!fhi_ecdsa_der_to_raw(der, der_len, op->order_len, sig)) {
                return FH_E_CRYPTO;
            }
            *sig_len = op->sig_len;
            return FH_OK;
        }
        if (!fhi_ecdsa_raw_to_der(sig, op->order_len, der, &der_len)) {
            return FH_E_CRYPTO;
        }
        ok = EVP_PKEY_verify(op->pctx, der, der_len, tbs, tbs_len);
        return ok == 1 ? FH_OK : FH_E_SIGNATURE_INVALID;
    }
    if (op->kind == FH_OP_SIGN) {
        if (EVP_PKEY_sign(op->pctx, sig, &n, tbs, tbs_len) != 1) {
            return FH_E_CRYPTO;
        }
        *sig_len = n;
        return FH_OK;
    }
    ok = EVP_PKEY_verify(op->pctx, sig, *sig_len, tbs, tbs_len);
    return ok == 1 ? FH_OK : FH_E_SIGNATURE_INVALID;
}

/*
 * Length rules shared by final and oneshot. Sign: NULL out is a size query,
 * a short buffer FH_E_BUFFER_TOO_SMALL. Verify: the signature must be exactly
 * sig_len bytes (PKCS#11: CKR_SIGNATURE_LEN_RANGE).
 * Returns FH_OK to proceed, or *done = true with the value to return.
 */
static fh_rv
check_out(struct fhi_soft_op *op, size_t need, uint8_t *out, size_t *out_len, bool *done)
{
    *done = true;
    if (op->kind == FH_OP_SIGN) {
        if (out == NULL) {
            *out_len = need;
            return FH_OK;
        }
        if (*out_len < need) {
            *out_len = need;
            return FH_E_BUFFER_TOO_SMALL;
        }
    } else if (*out_len != need) {
        return FH_E_SIGNATURE_LEN_RANGE;
    }
    *done = false;
    return FH_OK;
}

/* Finishes the hash and signs or verifies it. */
static fh_rv
sig_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len)
{
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    bool done;
    fh_rv rv = check_out(op, op->sig_len, out, out_len, &done);

    if (done) {
        return rv;
    }
    if (EVP_DigestFinal_ex(op->mdctx, h, &hl) != 1) {
        return FH_E_CRYPTO;
    }
    return pk_do(op, h, hl, out, out_len);
}

/* FH_OP_SIGN / FH_OP_VERIFY init for signatures and MACs. */
fh_rv
fhi_soft_sign_init(struct fhi_soft_op *op, const CK_MECHANISM *mech, const struct fh_bkey *key)
{
    switch (mech->mechanism) {
    case CKM_SHA_1_HMAC:
    case CKM_SHA224_HMAC:
    case CKM_SHA256_HMAC:
    case CKM_SHA384_HMAC:
    case CKM_SHA512_HMAC:
    case CKM_SHA3_224_HMAC:
    case CKM_SHA3_256_HMAC:
    case CKM_SHA3_384_HMAC:
    case CKM_SHA3_512_HMAC:
    case CKM_AES_CMAC:
    case CKM_AES_CMAC_GENERAL:
        return mac_init(op, mech, key);
    default:
        return sig_init(op, mech, key);
    }
}

/* Absorbs input into the MAC or the hash of a hash-then-sign mechanism. */
fh_rv
fhi_soft_sign_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len)
{
    if (in_len == 0) {
        return FH_OK;
    }
    if (op->fam == FHI_FAM_MAC) {
        return EVP_MAC_update(op->mac, in, in_len) == 1 ? FH_OK : FH_E_CRYPTO;
    }
    return EVP_DigestUpdate(op->mdctx, in, in_len) == 1 ? FH_OK : FH_E_CRYPTO;
}

/* Multi-part final; for verify out/out_len is the signature. */
fh_rv
fhi_soft_sign_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len)
{
    if (op->fam == FHI_FAM_MAC) {
        return mac_final(op, out, out_len);
    }
    return sig_final(op, out, out_len);
}

/*
 * Single-part sign/verify. Hash-then-sign and MAC mechanisms reuse the
 * multi-part path; the others sign their input, whose length is checked
 * first (PKCS#1 v1.5 k - 11, PSS hash length).
 */
fh_rv
fhi_soft_sign_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
                      size_t *out_len)
{
    size_t need = op->fam == FHI_FAM_MAC ? op->mac_len : op->sig_len;
    bool done;
    fh_rv rv = check_out(op, need, out, out_len, &done);

    if (done) {
        return rv;
    }
    if (op->fam == FHI_FAM_MAC || op->md != NULL) {
        rv = fhi_soft_sign_update(op, in, in_len);
        if (rv != FH_OK) {
            return rv;
        }
        return fhi_soft_sign_final(op, out, out_len);
    }
    /* single-part mechanisms sign their input as is; check its length first */
    if (op->sig == FHI_SIG_RSA_PKCS && in_len + 11 > op->sig_len) {
        return FH_E_DATA_LEN_RANGE; /* RFC 8017 §8.2.1: mLen <= k - 11 */
    }
    if (op->sig == FHI_SIG_RSA_PSS && in_len != (size_t)EVP_MD_get_size(op->pss_md)) {
        return FH_E_DATA_LEN_RANGE;
    }
    if (op->sig == FHI_SIG_ECDSA && in_len == 0) {
        return FH_E_DATA_LEN_RANGE;
    }
    return pk_do(op, in, in_len, out, out_len);
}
