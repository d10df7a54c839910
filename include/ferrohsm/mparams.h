/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mparams.h - mechanism parameters as the fronts build them from options
 * (`ferrohsm sign --hash ...`) and request bodies (docs/api.md
 * "Operations"): the hashes PSS and OAEP may name, the PSS mechanisms that
 * fix their hash, the IV-taking mechanisms, and the CK_MECHANISM with its
 * parameter structure (PKCS#11 v3.0 Current Mechanisms §2.1.8 PSS, §2.1.9
 * OAEP, §2.14 AES CTR/GCM/CBC, CMAC_GENERAL).
 *
 * The fronts keep their own validation and messages (which option or field
 * is wrong, and how to say so); the parameter values they then produce are
 * decided here once: PSS salt as long as the hash, MGF1 with the same hash,
 * sha256 by default, the whole AES-CTR block as the counter, a full 16-byte
 * CMAC, GCM tag 128 bits by default, and for CKM_RSA_AES_KEY_WRAP (§2.1.21)
 * an AES-256 temporary key under OAEP with the hash (and label) as for
 * RSA_PKCS_OAEP.
 *
 * Constant tables and plain structures: no allocation, no lock.
 */
#ifndef FERROHSM_MPARAMS_H
#define FERROHSM_MPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FH_MPARAMS_IV_MAX 128 /* bytes of an IV a front accepts */

/* A hash PSS or OAEP may use. */
struct fh_hash_desc {
    const char *name;         /* "sha1", "sha224", "sha256", "sha384", "sha512" */
    CK_MECHANISM_TYPE mech;   /* CKM_SHA256 ... */
    CK_RSA_PKCS_MGF_TYPE mgf; /* CKG_MGF1_SHA256 ... */
    CK_ULONG len;             /* digest bytes: the PSS salt length */
};

/* The hash named name (exact, lowercase), or NULL. */
FH_API const struct fh_hash_desc *fh_mparams_hash_find(const char *name);
/* The hash a CKM_SHAx_RSA_PKCS_PSS mechanism fixes; NULL for any other. */
FH_API const struct fh_hash_desc *fh_mparams_pss_hash(CK_MECHANISM_TYPE m);
/* CKM_RSA_PKCS_PSS or one of the CKM_SHAx_RSA_PKCS_PSS. */
FH_API bool fh_mparams_is_pss(CK_MECHANISM_TYPE m);
/* CKM_ECDSA and CKM_ECDSA_SHAx: the signatures that are r||s on the token. */
FH_API bool fh_mparams_is_ecdsa(CK_MECHANISM_TYPE m);
/* The IV length drawn by default: 12 for AES_GCM, 16 for AES_CBC(_PAD) and AES_CTR, else 0. */
FH_API size_t fh_mparams_iv_default_len(CK_MECHANISM_TYPE m);

/*
 * A mechanism with its parameters. mech.pParameter points into the same
 * structure, so it must not be copied once set.
 */
struct fh_mparams {
    CK_MECHANISM mech;
    union {
        CK_RSA_PKCS_PSS_PARAMS pss;
        CK_RSA_PKCS_OAEP_PARAMS oaep;
        struct {
            CK_RSA_AES_KEY_WRAP_PARAMS p; /* p.pOAEPParams points at oaep below */
            CK_RSA_PKCS_OAEP_PARAMS oaep;
        } rsa_aes;
        CK_GCM_PARAMS gcm;
        CK_AES_CTR_PARAMS ctr;
        CK_MAC_GENERAL_PARAMS mac_len;
    } u;
    uint8_t iv[FH_MPARAMS_IV_MAX];
    size_t iv_len; /* 0: the mechanism takes no IV */
};

/* What a front read from its options or body, already validated. Borrowed. */
struct fh_mparams_in {
    const struct fh_hash_desc *hash; /* PSS, OAEP, RSA-AES; NULL: sha256 (a PSS fixed hash wins) */
    const uint8_t *oaep_label;       /* OAEP, RSA-AES; NULL or empty: no label */
    size_t oaep_label_len;
    const uint8_t *aad; /* GCM; NULL or empty: no AAD */
    size_t aad_len;
    CK_ULONG tag_bits; /* GCM; 0: 128 */
};

/*
 * Set p->mech to type with its parameters from in (NULL: all defaults).
 * p->iv_len must already hold the IV length (fh_mparams_iv_default_len or
 * the length given); the IV itself is wired in by fh_mparams_wire_iv once
 * p->iv holds it. The label and AAD stay borrowed: they must outlive p's
 * use. Mechanisms without parameters get none.
 */
FH_API void fh_mparams_set(struct fh_mparams *p, CK_MECHANISM_TYPE type,
                           const struct fh_mparams_in *in);
/* Point the parameters at p->iv[0..p->iv_len) (GCM, CBC; CTR copies the counter block). */
FH_API void fh_mparams_wire_iv(struct fh_mparams *p);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_MPARAMS_H */
