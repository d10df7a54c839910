/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft_cipher.c - FH_OP_ENCRYPT / FH_OP_DECRYPT for the soft backend:
 * AES-ECB, AES-CBC, AES-CBC-PAD, AES-CTR, AES-GCM (multi-part) and RSA
 * PKCS#1 v1.5 / OAEP (single-part).
 *
 * Block handling: OpenSSL's own padding is off; the op keeps partial blocks
 * in op->part itself, so the exact output length of every update is known
 * before any byte is processed and a too-small buffer never changes state
 * (backend.h). CBC-PAD decryption holds back the last block until final,
 * where the PKCS#7 padding (RFC 5652 §6.3) is checked.
 *
 * GCM decryption buffers ciphertext||tag and releases plaintext only at final
 * once the tag has verified (PKCS#11 v3.0 §2.10.6 leaves it to the token; we
 * never hand out unauthenticated plaintext). The buffer is bounded by
 * FHI_SOFT_MAX_BUFFER.
 *
 * CTR: the counter occupies the low ulCounterBits of the counter block; an
 * input that would make it wrap is refused with FH_E_DATA_LEN_RANGE rather
 * than carried into the nonce bits.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ferrohsm/backend.h"

#include "soft-int.h"

#define AES_BLOCK 16

/* ---- OAEP (shared with soft_wrap.c) ---- */

/*
 * Validates CK_RSA_PKCS_OAEP_PARAMS (hash SHA-1..SHA-512, any MGF1 SHA,
 * CKZ_DATA_SPECIFIED with an optional label) and returns the digests and a
 * borrowed label pointer. FH_E_MECH_PARAM_INVALID on any defect.
 */
fh_rv
fhi_soft_oaep_params(const struct fhi_soft_priv *p, const CK_MECHANISM *mech, const EVP_MD **md,
                     const EVP_MD **mgf, const uint8_t **label, size_t *label_len)
{
    CK_RSA_PKCS_OAEP_PARAMS op;
    enum fhi_soft_md h, g;

    if (!fhi_soft_param_is(mech, sizeof(op))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    memcpy(&op, mech->pParameter, sizeof(op));
    h = fhi_soft_md_from_ckm(op.hashAlg);
    g = fhi_soft_md_from_mgf(op.mgf);
    if (h == FHI_MD_NONE || h > FHI_MD_SHA512 || g == FHI_MD_NONE) {
        return FH_E_MECH_PARAM_INVALID;
    }
    /* PKCS#11 v3.0 §2.1.8: the only source is CKZ_DATA_SPECIFIED; 0 is tolerated without data */
    if (op.source != CKZ_DATA_SPECIFIED && !(op.source == 0 && op.ulSourceDataLen == 0)) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (op.ulSourceDataLen > 0 && op.pSourceData == NULL) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (op.ulSourceDataLen > (1u << 16)) {
        return FH_E_MECH_PARAM_INVALID;
    }
    *md = fhi_soft_md(p, h);
    *mgf = fhi_soft_md(p, g);
    *label = op.pSourceData;
    *label_len = op.ulSourceDataLen;
    return FH_OK;
}

/*
 * Sets OAEP padding, hash, MGF1 hash and label on an encrypt/decrypt
 * context; the label is copied because the context takes ownership.
 */
fh_rv
fhi_soft_oaep_apply(EVP_PKEY_CTX *pctx, const EVP_MD *md, const EVP_MD *mgf,
                    const uint8_t *label, size_t label_len)
{
    uint8_t *copy = NULL;

    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(pctx, md) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf) != 1) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (label_len == 0) {
        return FH_OK;
    }
    copy = OPENSSL_memdup(label, label_len);
    if (copy == NULL) {
        return FH_E_NOMEM;
    }
    /* set0: the context takes ownership of copy on success */
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(pctx, copy, (int)label_len) != 1) {
        OPENSSL_free(copy);
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/* ---- RSA ---- */

/*
 * RSA encryption context: public key (SPKI) to encrypt, private key
 * (PKCS#8 material) to decrypt; padding and OAEP parameters fixed here.
 */
static fh_rv
rsa_init(struct fhi_soft_op *op, const CK_MECHANISM *mech, const struct fh_bkey *key)
{
    const EVP_MD *md = NULL, *mgf = NULL;
    const uint8_t *label = NULL;
    size_t label_len = 0;
    fh_rv rv;

    if (key->type != CKK_RSA) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    op->fam = FHI_FAM_RSA_ENC;
    op->multipart_ok = false;
    if (mech->mechanism == CKM_RSA_PKCS_OAEP) {
        rv = fhi_soft_oaep_params(op->p, mech, &md, &mgf, &label, &label_len);
        if (rv != FH_OK) {
            return rv;
        }
        op->oaep = true;
        op->pss_md = md;
    } else if (mech->ulParameterLen != 0) {
        return FH_E_MECH_PARAM_INVALID;
    }
    rv = fhi_soft_load_key(op->p, key, op->kind == FH_OP_DECRYPT, &op->pkey);
    if (rv != FH_OK) {
        return rv;
    }
    op->sig_len = (size_t)EVP_PKEY_get_size(op->pkey);
    op->pctx = EVP_PKEY_CTX_new_from_pkey(op->p->libctx, op->pkey, NULL);
    if (op->pctx == NULL) {
        return FH_E_NOMEM;
    }
    if ((op->kind == FH_OP_ENCRYPT ? EVP_PKEY_encrypt_init(op->pctx)
                                   : EVP_PKEY_decrypt_init(op->pctx)) != 1) {
        return FH_E_CRYPTO;
    }
    if (op->oaep) {
        return fhi_soft_oaep_apply(op->pctx, md, mgf, label, label_len);
    }
    if (EVP_PKEY_CTX_set_rsa_padding(op->pctx, RSA_PKCS1_PADDING) != 1) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/* Largest plaintext for the key and padding (RFC 8017 §7.1.1, §7.2.1). */
static size_t
rsa_max_plain(const struct fhi_soft_op *op)
{
    size_t k = op->sig_len;
    size_t over = op->oaep ? 2 * (size_t)EVP_MD_get_size(op->pss_md) + 2 : 11;

    return k > over ? k - over : 0;
}

/*
 * Single-part RSA encrypt/decrypt. Decryption goes through a secure
 * scratch buffer because the plaintext length is known only afterwards, and a
 * too-small caller buffer must not lose the result's secrecy or the state.
 */
static fh_rv
rsa_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
            size_t *out_len)
{
    size_t k = op->sig_len;
    size_t n = k;
    fh_secret *tmp = NULL;
    fh_rv rv;

    if (op->kind == FH_OP_ENCRYPT) {
        if (in_len > rsa_max_plain(op)) {
            return FH_E_DATA_LEN_RANGE;
        }
        if (out == NULL) {
            *out_len = k;
            return FH_OK;
        }
        if (*out_len < k) {
            *out_len = k;
            return FH_E_BUFFER_TOO_SMALL;
        }
        if (EVP_PKEY_encrypt(op->pctx, out, &n, in, in_len) != 1) {
            return FH_E_CRYPTO;
        }
        *out_len = n;
        return FH_OK;
    }
    if (in_len != k) {
        return FH_E_ENCRYPTED_DATA_LEN_RANGE;
    }
    if (out == NULL) {
        *out_len = rsa_max_plain(op);
        return FH_OK;
    }
    /* the plaintext length is known only after decryption: decrypt aside */
    rv = fh_secret_new(k, &tmp);
    if (rv != FH_OK) {
        return rv;
    }
    if (EVP_PKEY_decrypt(op->pctx, fh_secret_data(tmp), &n, in, in_len) != 1) {
        rv = FH_E_ENCRYPTED_DATA_INVALID;
        goto out;
    }
    if (*out_len < n) {
        *out_len = n;
        rv = FH_E_BUFFER_TOO_SMALL;
        goto out;
    }
    memcpy(out, fh_secret_cdata(tmp), n);
    *out_len = n;
out:
    fh_secret_free(tmp);
    return rv;
}

/* ---- AES ---- */

/*
 * Validates CK_GCM_PARAMS and keys the GCM context: IV length first (it
 * must precede the IV), then key and IV, then the AAD. A pooled context
 * re-armed with an IV of the length it is set for skips the first step:
 * each EVP_CipherInit_ex2 is a round of OSSL_PARAM lookups by name.
 */
static fh_rv
gcm_params(struct fhi_soft_op *op, const CK_MECHANISM *mech, const uint8_t *key)
{
    CK_GCM_PARAMS gp;
    OSSL_PARAM params[2];
    size_t ivlen;
    int outl = 0;

    if (!fhi_soft_param_is(mech, sizeof(gp))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    memcpy(&gp, mech->pParameter, sizeof(gp));
    /*
     * PKCS#11 v3.0 §2.10.6: IV 1..256 bytes (OpenSSL's GCM accepts up to 128),
     * ulIvBits = 8 * ulIvLen (0 tolerated, as written by v2.40 callers), tag
     * 0..128 bits in bytes; we accept the SP 800-38D lengths 32, 64, 96..128.
     */
    ivlen = gp.ulIvLen;
    if (ivlen < 1 || ivlen > 128 || gp.pIv == NULL) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (gp.ulIvBits != 0 && gp.ulIvBits != 8 * gp.ulIvLen) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (gp.ulTagBits % 8 != 0 ||
        !(gp.ulTagBits == 32 || gp.ulTagBits == 64 ||
          (gp.ulTagBits >= 96 && gp.ulTagBits <= 128))) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (gp.ulAADLen > 0 && gp.pAAD == NULL) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (gp.ulAADLen > FHI_SOFT_MAX_BUFFER) {
        return FH_E_MECH_PARAM_INVALID;
    }
    op->tag_len = gp.ulTagBits / 8;
    params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen);
    params[1] = OSSL_PARAM_construct_end();
    /* key == NULL: re-arm a keyed context (the key schedule stays) */
    if ((key != NULL || ivlen != op->gcm_ivlen) &&
        EVP_CipherInit_ex2(op->cctx, key != NULL ? op->cipher : NULL, NULL, NULL, op->enc,
                           params) != 1) {
        op->gcm_ivlen = 0;
        return FH_E_CRYPTO;
    }
    op->gcm_ivlen = ivlen;
    if (EVP_CipherInit_ex2(op->cctx, NULL, key, gp.pIv, op->enc, NULL) != 1) {
        return FH_E_CRYPTO;
    }
    if (gp.ulAADLen > 0 &&
        EVP_CipherUpdate(op->cctx, NULL, &outl, gp.pAAD, (int)gp.ulAADLen) != 1) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/*
 * AES encryption context for ECB, CBC, CBC-PAD, CTR and GCM. The key must
 * be an AES secret of 16, 24 or 32 bytes; parameters are checked before any
 * cipher object is created.
 */
static fh_rv
aes_init(struct fhi_soft_op *op, const CK_MECHANISM *mech, const struct fh_bkey *key)
{
    enum fhi_soft_aes fam;
    CK_AES_CTR_PARAMS cp;
    const uint8_t *k;
    size_t klen;
    int idx;
    fh_rv rv;

    if (key->cls != CKO_SECRET_KEY || key->type != CKK_AES || key->material == NULL) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    klen = fh_secret_len(key->material);
    idx = fhi_soft_aes_index(klen);
    if (idx < 0) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    k = fh_secret_cdata(key->material);
    op->fam = FHI_FAM_AES;
    op->multipart_ok = true;
    op->enc = op->kind == FH_OP_ENCRYPT;
    switch (mech->mechanism) {
    case CKM_AES_ECB:
        op->mode = FHI_MODE_ECB;
        fam = FHI_AES_ECB;
        if (mech->ulParameterLen != 0) {
            return FH_E_MECH_PARAM_INVALID;
        }
        break;
    case CKM_AES_CBC:
    case CKM_AES_CBC_PAD:
        op->mode = mech->mechanism == CKM_AES_CBC ? FHI_MODE_CBC : FHI_MODE_CBC_PAD;
        fam = FHI_AES_CBC;
        if (!fhi_soft_param_is(mech, AES_BLOCK)) {
            return FH_E_MECH_PARAM_INVALID;
        }
        memcpy(op->iv, mech->pParameter, AES_BLOCK);
        break;
    case CKM_AES_CTR:
        op->mode = FHI_MODE_CTR;
        fam = FHI_AES_CTR;
        if (!fhi_soft_param_is(mech, sizeof(cp))) {
            return FH_E_MECH_PARAM_INVALID;
        }
        memcpy(&cp, mech->pParameter, sizeof(cp));
        if (cp.ulCounterBits < 1 || cp.ulCounterBits > 128) {
            return FH_E_MECH_PARAM_INVALID;
        }
        memcpy(op->iv, cp.cb, AES_BLOCK);
        if (cp.ulCounterBits < 56) {
            uint64_t c0 = 0;

            for (size_t i = 8; i < 16; i++) {
                c0 = (c0 << 8) | cp.cb[i];
            }
            c0 &= ((uint64_t)1 << cp.ulCounterBits) - 1;
            op->ctr_limited = true;
            op->ctr_bytes_left = (((uint64_t)1 << cp.ulCounterBits) - c0) * AES_BLOCK;
        }
        break;
    case CKM_AES_GCM:
        op->mode = FHI_MODE_GCM;
        fam = FHI_AES_GCM;
        break;
    default:
        return FH_E_MECH_INVALID;
    }
    op->cipher = op->p->aes[fam][idx];
    op->cctx = EVP_CIPHER_CTX_new();
    if (op->cctx == NULL) {
        return FH_E_NOMEM;
    }
    if (op->mode == FHI_MODE_GCM) {
        rv = gcm_params(op, mech, k);
        op->reusable = rv == FH_OK; /* fhi_soft_cipher_rearm: new IV, same key */
        return rv;
    }
    if (op->mode == FHI_MODE_CBC_PAD && !op->enc) {
        /* kept to peek at the padding of a single-part decryption */
        op->ecb = op->p->aes[FHI_AES_ECB][idx];
        rv = fh_secret_from(k, klen, &op->key);
        if (rv != FH_OK) {
            return rv;
        }
    }
    if (EVP_CipherInit_ex2(op->cctx, op->cipher, k, op->mode == FHI_MODE_ECB ? NULL : op->iv,
                           op->enc, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(op->cctx, 0) != 1) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/* Feed exactly n bytes (a multiple of the block for ECB/CBC) to the cipher. */
static fh_rv
feed(struct fhi_soft_op *op, const uint8_t *in, size_t n, uint8_t *out)
{
    int outl = 0;

    while (n > 0) {
        /* EVP lengths are int: feed in chunks below INT_MAX */
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;

        if (EVP_CipherUpdate(op->cctx, out, &outl, in, (int)chunk) != 1 ||
            (size_t)outl != chunk) {
            return FH_E_CRYPTO;
        }
        in += chunk;
        out += chunk;
        n -= chunk;
    }
    return FH_OK;
}

/* Exact output of an update of in_len bytes. */
static size_t
update_len(const struct fhi_soft_op *op, size_t in_len)
{
    size_t total = op->part_len + in_len;

    switch (op->mode) {
    case FHI_MODE_CTR:
        return in_len;
    case FHI_MODE_GCM:
        return op->enc ? in_len : 0;
    case FHI_MODE_CBC_PAD:
        if (!op->enc) {
            /* hold back 1..16 bytes: the last block carries the padding */
            return total > AES_BLOCK ? ((total - 1) / AES_BLOCK) * AES_BLOCK : 0;
        }
        return (total / AES_BLOCK) * AES_BLOCK;
    case FHI_MODE_ECB:
    case FHI_MODE_CBC:
    default:
        return (total / AES_BLOCK) * AES_BLOCK;
    }
}

/*
 * Appends GCM ciphertext to the op's buffer, doubling up to
 * FHI_SOFT_MAX_BUFFER (FH_E_DATA_TOO_LARGE beyond). Old blocks are cleansed by
 * OPENSSL_clear_realloc.
 */
static fh_rv
gcm_buffer(struct fhi_soft_op *op, const uint8_t *in, size_t in_len)
{
    size_t cap;
    uint8_t *nb;

    if (in_len == 0) {
        return FH_OK;
    }
    if (in_len > FHI_SOFT_MAX_BUFFER - op->buf_len) {
        return FH_E_DATA_TOO_LARGE;
    }
    if (op->buf_len + in_len > op->buf_cap) {
        cap = op->buf_cap < 256 ? 256 : op->buf_cap;
        while (cap < op->buf_len + in_len) {
            cap = cap > FHI_SOFT_MAX_BUFFER / 2 ? FHI_SOFT_MAX_BUFFER : cap * 2;
        }
        nb = OPENSSL_clear_realloc(op->buf, op->buf_cap, cap);
        if (nb == NULL) {
            return FH_E_NOMEM;
        }
        op->buf = nb;
        op->buf_cap = cap;
    }
    memcpy(op->buf + op->buf_len, in, in_len);
    op->buf_len += in_len;
    return FH_OK;
}

/*
 * One multi-part update with exact output accounting: the length of the
 * output is computed first (update_len) so that a short buffer is reported
 * before any byte is processed.
 */
static fh_rv
aes_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
           size_t *out_len)
{
    size_t outn = update_len(op, in_len);
    size_t w = 0, take, direct;
    fh_rv rv;

    if (op->mode == FHI_MODE_CTR && op->ctr_limited && in_len > op->ctr_bytes_left) {
        return FH_E_DATA_LEN_RANGE;
    }
    if (out == NULL) {
        *out_len = outn;
        return FH_OK;
    }
    if (*out_len < outn) {
        *out_len = outn;
        return FH_E_BUFFER_TOO_SMALL;
    }
    if (op->mode == FHI_MODE_GCM && !op->enc) {
        rv = gcm_buffer(op, in, in_len);
        if (rv == FH_OK) {
            *out_len = 0;
        }
        return rv;
    }
    if (op->mode == FHI_MODE_CTR || op->mode == FHI_MODE_GCM) {
        rv = feed(op, in, in_len, out);
        if (rv == FH_OK) {
            op->ctr_bytes_left -= op->ctr_limited ? in_len : 0;
            *out_len = in_len;
        }
        return rv;
    }
    if (op->part_len > 0 && outn > 0) {
        take = AES_BLOCK - op->part_len;
        memcpy(op->part + op->part_len, in, take);
        rv = feed(op, op->part, AES_BLOCK, out);
        if (rv != FH_OK) {
            return rv;
        }
        op->part_len = 0;
        in += take;
        in_len -= take;
        w = AES_BLOCK;
    }
    direct = outn - w;
    if (direct > 0) {
        rv = feed(op, in, direct, out + w);
        if (rv != FH_OK) {
            return rv;
        }
        in += direct;
        in_len -= direct;
    }
    if (in_len > 0) {
        memcpy(op->part + op->part_len, in, in_len);
        op->part_len += in_len;
    }
    *out_len = outn;
    return FH_OK;
}

/* PKCS#7 padding check in constant time over the block; the pad length, or 0. */
static size_t
pad_len(const uint8_t blk[AES_BLOCK])
{
    unsigned int p = blk[AES_BLOCK - 1];
    unsigned int bad = (p == 0) | (p > AES_BLOCK);

    for (unsigned int i = 0; i < AES_BLOCK; i++) {
        /* bytes at positions >= 16 - p must equal p */
        unsigned int in_pad = (i >= AES_BLOCK - p);

        bad |= in_pad & (blk[i] != p);
    }
    return bad ? 0 : p;
}

/* CBC-PAD decrypt: decrypt and check the held-back block once. */
static fh_rv
cbcpad_last(struct fhi_soft_op *op)
{
    size_t p;
    fh_rv rv;

    if (op->last_ready) {
        return FH_OK;
    }
    if (op->part_len != AES_BLOCK) {
        return FH_E_ENCRYPTED_DATA_LEN_RANGE;
    }
    rv = feed(op, op->part, AES_BLOCK, op->last);
    if (rv != FH_OK) {
        return rv;
    }
    p = pad_len(op->last);
    if (p == 0) {
        return FH_E_ENCRYPTED_DATA_INVALID;
    }
    op->last_len = AES_BLOCK - p;
    op->last_ready = true;
    op->part_len = 0;
    return FH_OK;
}

/*
 * Multi-part final: checks the residue (ECB/CBC), pads (CBC-PAD encrypt),
 * checks padding (CBC-PAD decrypt), or produces/verifies the GCM tag.
 */
static fh_rv
aes_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len)
{
    uint8_t tmp[AES_BLOCK];
    size_t need;
    int outl = 0;
    fh_rv rv = FH_OK;

    switch (op->mode) {
    case FHI_MODE_ECB:
    case FHI_MODE_CBC:
        if (op->part_len != 0) {
            return op->enc ? FH_E_DATA_LEN_RANGE : FH_E_ENCRYPTED_DATA_LEN_RANGE;
        }
        *out_len = 0;
        return FH_OK;
    case FHI_MODE_CTR:
        *out_len = 0;
        return FH_OK;
    case FHI_MODE_CBC_PAD:
        if (!op->enc) {
            rv = cbcpad_last(op);
            if (rv != FH_OK) {
                return rv;
            }
        }
        need = op->enc ? AES_BLOCK : op->last_len;
        break;
    case FHI_MODE_GCM:
        if (op->enc) {
            need = op->tag_len;
        } else if (op->buf_len < op->tag_len) {
            return FH_E_ENCRYPTED_DATA_LEN_RANGE;
        } else {
            need = op->buf_len - op->tag_len;
        }
        break;
    default:
        return FH_E_GENERAL;
    }
    if (out == NULL) {
        *out_len = need;
        return FH_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return FH_E_BUFFER_TOO_SMALL;
    }
    if (op->mode == FHI_MODE_CBC_PAD) {
        if (op->enc) {
            /* RFC 5652 §6.3: append 16 - (len mod 16) bytes of that value */
            uint8_t p = (uint8_t)(AES_BLOCK - op->part_len);

            memset(op->part + op->part_len, p, p);
            rv = feed(op, op->part, AES_BLOCK, out);
        } else {
            memcpy(out, op->last, op->last_len);
        }
        if (rv == FH_OK) {
            *out_len = need;
        }
        return rv;
    }
    if (op->enc) {
        if (EVP_CipherFinal_ex(op->cctx, tmp, &outl) != 1 || outl != 0 ||
            EVP_CIPHER_CTX_ctrl(op->cctx, EVP_CTRL_AEAD_GET_TAG, (int)op->tag_len, out) != 1) {
            return FH_E_CRYPTO;
        }
        *out_len = op->tag_len;
        return FH_OK;
    }
    /* GCM decrypt: in place in the buffer, released only if the tag verifies */
    if (need > 0) {
        rv = feed(op, op->buf, need, op->buf);
        if (rv != FH_OK) {
            goto out;
        }
    }
    if (EVP_CIPHER_CTX_ctrl(op->cctx, EVP_CTRL_AEAD_SET_TAG, (int)op->tag_len,
                            op->buf + need) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    if (EVP_CipherFinal_ex(op->cctx, tmp, &outl) != 1) {
        rv = FH_E_ENCRYPTED_DATA_INVALID;
        goto out;
    }
    memcpy(out, op->buf, need);
    *out_len = need;
out:
    OPENSSL_cleanse(op->buf, op->buf_len);
    op->buf_len = 0;
    return rv;
}

/* Plaintext length of a single-part CBC-PAD decryption, from the last block alone. */
static fh_rv
cbcpad_peek(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, size_t *plain_len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    const uint8_t *prev = in_len > AES_BLOCK ? in + (in_len - 2 * (size_t)AES_BLOCK) : op->iv;
    uint8_t blk[AES_BLOCK];
    int outl = 0;
    size_t p;
    fh_rv rv = FH_E_CRYPTO;

    if (c == NULL) {
        return FH_E_NOMEM;
    }
    if (EVP_CipherInit_ex2(c, op->ecb, fh_secret_cdata(op->key), NULL, 0, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
        EVP_CipherUpdate(c, blk, &outl, in + in_len - AES_BLOCK, AES_BLOCK) != 1 ||
        outl != AES_BLOCK) {
        goto out;
    }
    for (size_t i = 0; i < AES_BLOCK; i++) {
        blk[i] ^= prev[i];
    }
    p = pad_len(blk);
    if (p == 0) {
        rv = FH_E_ENCRYPTED_DATA_INVALID;
        goto out;
    }
    *plain_len = in_len - p;
    rv = FH_OK;
out:
    OPENSSL_cleanse(blk, sizeof(blk));
    EVP_CIPHER_CTX_free(c);
    return rv;
}

/*
 * Single-part AES: the exact output length is known up front for every
 * mode (CBC-PAD decrypt peeks at the last block when the caller's buffer is
 * below the upper bound), then update + final run on the op's context.
 */
static fh_rv
aes_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
            size_t *out_len)
{
    size_t need, w, rest;
    fh_rv rv;

    switch (op->mode) {
    case FHI_MODE_ECB:
    case FHI_MODE_CBC:
        if (in_len % AES_BLOCK != 0) {
            return op->enc ? FH_E_DATA_LEN_RANGE : FH_E_ENCRYPTED_DATA_LEN_RANGE;
        }
        need = in_len;
        break;
    case FHI_MODE_CBC_PAD:
        if (op->enc) {
            need = (in_len / AES_BLOCK + 1) * AES_BLOCK;
        } else if (in_len == 0 || in_len % AES_BLOCK != 0) {
            return FH_E_ENCRYPTED_DATA_LEN_RANGE;
        } else {
            need = in_len - 1; /* at least one byte of padding */
            if (out != NULL && *out_len < need) {
                rv = cbcpad_peek(op, in, in_len, &need);
                if (rv != FH_OK) {
                    return rv;
                }
            }
        }
        break;
    case FHI_MODE_CTR:
        if (op->ctr_limited && in_len > op->ctr_bytes_left) {
            return FH_E_DATA_LEN_RANGE;
        }
        need = in_len;
        break;
    case FHI_MODE_GCM:
        if (op->enc) {
            need = in_len + op->tag_len;
        } else if (in_len < op->tag_len) {
            return FH_E_ENCRYPTED_DATA_LEN_RANGE;
        } else {
            need = in_len - op->tag_len;
        }
        break;
    default:
        return FH_E_GENERAL;
    }
    if (out == NULL) {
        *out_len = need;
        return FH_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return FH_E_BUFFER_TOO_SMALL;
    }
    w = *out_len;
    rv = aes_update(op, in, in_len, out, &w);
    if (rv != FH_OK) {
        return rv;
    }
    rest = *out_len - w;
    rv = aes_final(op, out + w, &rest);
    if (rv != FH_OK) {
        return rv;
    }
    *out_len = w + rest;
    return FH_OK;
}

/*
 * GCM only (the one mode aes_init marks reusable): a finished op gets the
 * new IV, tag length and AAD of mech on its keyed context. Nothing of the
 * previous message survives: the decrypt buffer is cleansed at final.
 */
fh_rv
fhi_soft_cipher_rearm(struct fhi_soft_op *op, const CK_MECHANISM *mech)
{
    if (op->fam != FHI_FAM_AES || op->mode != FHI_MODE_GCM) {
        return FH_E_GENERAL;
    }
    if (op->buf_len > 0) {
        OPENSSL_cleanse(op->buf, op->buf_len);
        op->buf_len = 0;
    }
    return gcm_params(op, mech, NULL);
}

/* ---- dispatch ---- */

/* FH_OP_ENCRYPT / FH_OP_DECRYPT init: dispatches by mechanism. */
fh_rv
fhi_soft_cipher_init(struct fhi_soft_op *op, const CK_MECHANISM *mech, const struct fh_bkey *key)
{
    switch (mech->mechanism) {
    case CKM_RSA_PKCS:
    case CKM_RSA_PKCS_OAEP:
        return rsa_init(op, mech, key);
    case CKM_AES_ECB:
    case CKM_AES_CBC:
    case CKM_AES_CBC_PAD:
    case CKM_AES_CTR:
    case CKM_AES_GCM:
        return aes_init(op, mech, key);
    default:
        return FH_E_MECH_INVALID;
    }
}

/* Only AES modes reach here: soft.c refuses updates of single-part RSA. */
fh_rv
fhi_soft_cipher_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t *out_len)
{
    return aes_update(op, in, in_len, out, out_len);
}

/* AES modes only (see fhi_soft_cipher_update). */
fh_rv
fhi_soft_cipher_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len)
{
    return aes_final(op, out, out_len);
}

/* Single-part encryption or decryption, RSA or AES. */
fh_rv
fhi_soft_cipher_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len)
{
    if (op->fam == FHI_FAM_RSA_ENC) {
        return rsa_oneshot(op, in, in_len, out, out_len);
    }
    return aes_oneshot(op, in, in_len, out, out_len);
}
