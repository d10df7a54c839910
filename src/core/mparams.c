/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mparams.c - mechanism parameters shared by the fronts (see mparams.h).
 *
 * PKCS#11 v3.0 Current Mechanisms §2.1.8 (PSS: hashAlg, mgf, sLen), §2.1.9
 * (OAEP: hashAlg, mgf, source CKZ_DATA_SPECIFIED), §2.1.21 (RSA AES key
 * wrap: ulAESKeyBits, pOAEPParams), §2.14 (AES CTR and GCM).
 * The salt length follows RFC 8017 §9.1's recommendation (as long as the
 * hash). Constant tables only: no state, no lock.
 */
#include "ferrohsm/mparams.h"

#include <string.h>

static const struct fh_hash_desc hashes[] = {
    {"sha1", CKM_SHA_1, CKG_MGF1_SHA1, 20},      {"sha224", CKM_SHA224, CKG_MGF1_SHA224, 28},
    {"sha256", CKM_SHA256, CKG_MGF1_SHA256, 32}, {"sha384", CKM_SHA384, CKG_MGF1_SHA384, 48},
    {"sha512", CKM_SHA512, CKG_MGF1_SHA512, 64},
};

#define HASH_SHA256 (&hashes[2])

const struct fh_hash_desc *
fh_mparams_hash_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        if (strcmp(hashes[i].name, name) == 0) {
            return &hashes[i];
        }
    }
    return NULL;
}

const struct fh_hash_desc *
fh_mparams_pss_hash(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_SHA1_RSA_PKCS_PSS: return &hashes[0];
    case CKM_SHA224_RSA_PKCS_PSS: return &hashes[1];
    case CKM_SHA256_RSA_PKCS_PSS: return &hashes[2];
    case CKM_SHA384_RSA_PKCS_PSS: return &hashes[3];
    case CKM_SHA512_RSA_PKCS_PSS: return &hashes[4];
    default: return NULL; /* CK_MECHANISM_TYPE is an integer, not an enum */
    }
}

bool
fh_mparams_is_pss(CK_MECHANISM_TYPE m)
{
    return m == CKM_RSA_PKCS_PSS || fh_mparams_pss_hash(m) != NULL;
}

bool
fh_mparams_is_ecdsa(CK_MECHANISM_TYPE m)
{
    return m == CKM_ECDSA || m == CKM_ECDSA_SHA1 || m == CKM_ECDSA_SHA224 ||
           m == CKM_ECDSA_SHA256 || m == CKM_ECDSA_SHA384 || m == CKM_ECDSA_SHA512;
}

size_t
fh_mparams_iv_default_len(CK_MECHANISM_TYPE m)
{
    if (m == CKM_AES_GCM) {
        return 12;
    }
    if (m == CKM_AES_CBC || m == CKM_AES_CBC_PAD || m == CKM_AES_CTR) {
        return 16;
    }
    return 0;
}

void
fh_mparams_set(struct fh_mparams *p, CK_MECHANISM_TYPE type, const struct fh_mparams_in *in)
{
    static const struct fh_mparams_in none = {NULL, NULL, 0, NULL, 0, 0};
    const struct fh_hash_desc *h;

    if (in == NULL) {
        in = &none;
    }
    p->mech.mechanism = type;
    p->mech.pParameter = NULL;
    p->mech.ulParameterLen = 0;
    if (fh_mparams_is_pss(type)) {
        h = fh_mparams_pss_hash(type);
        h = h != NULL ? h : (in->hash != NULL ? in->hash : HASH_SHA256);
        p->u.pss.hashAlg = h->mech;
        p->u.pss.mgf = h->mgf;
        p->u.pss.sLen = h->len;
        p->mech.pParameter = &p->u.pss;
        p->mech.ulParameterLen = sizeof(p->u.pss);
    } else if (type == CKM_RSA_PKCS_OAEP) {
        h = in->hash != NULL ? in->hash : HASH_SHA256;
        p->u.oaep.hashAlg = h->mech;
        p->u.oaep.mgf = h->mgf; /* MGF1 with the same hash */
        p->u.oaep.source = CKZ_DATA_SPECIFIED;
        p->u.oaep.pSourceData = in->oaep_label_len > 0 ? (void *)in->oaep_label : NULL;
        p->u.oaep.ulSourceDataLen = in->oaep_label_len;
        p->mech.pParameter = &p->u.oaep;
        p->mech.ulParameterLen = sizeof(p->u.oaep);
    } else if (type == CKM_RSA_AES_KEY_WRAP) {
        h = in->hash != NULL ? in->hash : HASH_SHA256;
        p->u.rsa_aes.oaep.hashAlg = h->mech;
        p->u.rsa_aes.oaep.mgf = h->mgf;
        p->u.rsa_aes.oaep.source = CKZ_DATA_SPECIFIED;
        p->u.rsa_aes.oaep.pSourceData = in->oaep_label_len > 0 ? (void *)in->oaep_label : NULL;
        p->u.rsa_aes.oaep.ulSourceDataLen = in->oaep_label_len;
        p->u.rsa_aes.p.ulAESKeyBits = 256;
        p->u.rsa_aes.p.pOAEPParams = &p->u.rsa_aes.oaep;
        p->mech.pParameter = &p->u.rsa_aes.p;
        p->mech.ulParameterLen = sizeof(p->u.rsa_aes.p);
    } else if (type == CKM_AES_GCM) {
        p->u.gcm.pAAD = in->aad_len > 0 ? (CK_BYTE_PTR)in->aad : NULL;
        p->u.gcm.ulAADLen = in->aad_len;
        p->u.gcm.ulTagBits = in->tag_bits != 0 ? in->tag_bits : 128;
        p->mech.pParameter = &p->u.gcm;
        p->mech.ulParameterLen = sizeof(p->u.gcm);
    } else if (type == CKM_AES_CTR) {
        p->u.ctr.ulCounterBits = 128; /* the whole block is the counter, as OpenSSL counts */
        p->mech.pParameter = &p->u.ctr;
        p->mech.ulParameterLen = sizeof(p->u.ctr);
    } else if (type == CKM_AES_CBC || type == CKM_AES_CBC_PAD) {
        p->mech.pParameter = p->iv;
        p->mech.ulParameterLen = p->iv_len;
    } else if (type == CKM_AES_CMAC_GENERAL) {
        p->u.mac_len = 16; /* full-length MAC */
        p->mech.pParameter = &p->u.mac_len;
        p->mech.ulParameterLen = sizeof(p->u.mac_len);
    }
}

void
fh_mparams_wire_iv(struct fh_mparams *p)
{
    if (p->mech.mechanism == CKM_AES_GCM) {
        p->u.gcm.pIv = p->iv;
        p->u.gcm.ulIvLen = p->iv_len;
        p->u.gcm.ulIvBits = p->iv_len * 8;
    } else if (p->mech.mechanism == CKM_AES_CTR) {
        memcpy(p->u.ctr.cb, p->iv, sizeof(p->u.ctr.cb));
    } else if (p->iv_len > 0) {
        p->mech.ulParameterLen = p->iv_len;
    }
}
