/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft_digest.c - FH_OP_DIGEST for the soft backend: SHA-1, SHA-2 and SHA-3
 * (CKM_SHA_1 ... CKM_SHA3_512), single- and multi-part.
 *
 * The EVP_MD objects are the ones fetched at init (struct fhi_soft_priv); an
 * operation only owns its EVP_MD_CTX. Output lengths are exact, so the length
 * conventions of backend.h need no look-ahead: a too-small buffer is refused
 * before the context is finalised.
 */
#include <openssl/evp.h>

#include "ferrohsm/backend.h"

#include "soft-int.h"

/* Digest context from the pre-fetched EVP_MD; digests take no parameter. */
fh_rv
fhi_soft_digest_init(struct fhi_soft_op *op, const CK_MECHANISM *mech)
{
    enum fhi_soft_md m = fhi_soft_md_from_ckm(mech->mechanism);

    if (m == FHI_MD_NONE) {
        return FH_E_MECH_INVALID;
    }
    /* digest mechanisms take no parameter (PKCS#11 v3.0 §2.x "Digest") */
    if (mech->pParameter != NULL || mech->ulParameterLen != 0) {
        return FH_E_MECH_PARAM_INVALID;
    }
    op->fam = FHI_FAM_DIGEST;
    op->multipart_ok = true;
    op->md = fhi_soft_md(op->p, m);
    op->mdctx = EVP_MD_CTX_new();
    if (op->mdctx == NULL) {
        return FH_E_NOMEM;
    }
    if (EVP_DigestInit_ex2(op->mdctx, op->md, NULL) != 1) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/* Absorbs input; zero-length updates are valid no-ops. */
fh_rv
fhi_soft_digest_update(struct fhi_soft_op *op, const uint8_t *in, size_t in_len)
{
    if (in_len == 0) {
        return FH_OK;
    }
    if (EVP_DigestUpdate(op->mdctx, in, in_len) != 1) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/* Writes the digest; length checks first so a short buffer keeps the state. */
fh_rv
fhi_soft_digest_final(struct fhi_soft_op *op, uint8_t *out, size_t *out_len)
{
    size_t need = (size_t)EVP_MD_get_size(op->md);
    unsigned int got = 0;

    if (out == NULL) {
        *out_len = need;
        return FH_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return FH_E_BUFFER_TOO_SMALL;
    }
    if (EVP_DigestFinal_ex(op->mdctx, out, &got) != 1) {
        return FH_E_CRYPTO;
    }
    *out_len = got;
    return FH_OK;
}

/* Single-part digest (C_Digest). */
fh_rv
fhi_soft_digest_oneshot(struct fhi_soft_op *op, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len)
{
    size_t need = (size_t)EVP_MD_get_size(op->md);
    fh_rv rv;

    if (out == NULL) {
        *out_len = need;
        return FH_OK;
    }
    if (*out_len < need) {
        *out_len = need;
        return FH_E_BUFFER_TOO_SMALL;
    }
    rv = fhi_soft_digest_update(op, in, in_len);
    if (rv != FH_OK) {
        return rv;
    }
    return fhi_soft_digest_final(op, out, out_len);
}
