/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rv_map.h - the one translation of fh_rv into CK_RV (STYLE rule 11).
 *
 * The same core code means different things in different PKCS#11 calls: a
 * handle that names no object is CKR_KEY_HANDLE_INVALID in C_SignInit but
 * CKR_OBJECT_HANDLE_INVALID in C_GetAttributeValue. Every C_* function names
 * its context; fh_rv_to_ckr() is an exhaustive switch without default.
 * Depends on nothing but the enum and the PKCS#11 header, so the unit test
 * links rv_map.c alone.
 */
#ifndef FERROHSM_PKCS11_RV_MAP_H
#define FERROHSM_PKCS11_RV_MAP_H

#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"

enum fh_p11_ctx {
    FH_P11_CTX_GENERAL = 0, /* C_Initialize, C_GetInfo, slot and mechanism calls */
    FH_P11_CTX_TOKEN,       /* C_GetTokenInfo, C_OpenSession, session calls */
    FH_P11_CTX_INIT_TOKEN,  /* C_InitToken */
    FH_P11_CTX_LOGIN,       /* C_Login, C_LoginUser, C_Logout */
    FH_P11_CTX_PIN,         /* C_InitPIN, C_SetPIN */
    FH_P11_CTX_OBJECT,      /* C_CreateObject ... C_SetAttributeValue, C_GetObjectSize */
    FH_P11_CTX_FIND,        /* C_FindObjects* */
    FH_P11_CTX_KEY_INIT, /* C_EncryptInit, C_DecryptInit, C_SignInit, C_VerifyInit, C_DigestKey */
    FH_P11_CTX_ENCRYPT,  /* C_Encrypt, C_EncryptUpdate, C_EncryptFinal */
    FH_P11_CTX_DECRYPT,  /* C_Decrypt, C_DecryptUpdate, C_DecryptFinal */
    FH_P11_CTX_SIGN,     /* C_Sign, C_SignUpdate, C_SignFinal */
    FH_P11_CTX_VERIFY,   /* C_Verify, C_VerifyUpdate, C_VerifyFinal */
    FH_P11_CTX_DIGEST,   /* C_DigestInit, C_Digest, C_DigestUpdate, C_DigestFinal */
    FH_P11_CTX_KEYGEN,   /* C_GenerateKey, C_GenerateKeyPair, C_DeriveKey */
    FH_P11_CTX_WRAP,     /* C_WrapKey */
    FH_P11_CTX_UNWRAP,   /* C_UnwrapKey */
    FH_P11_CTX_RANDOM,   /* C_GenerateRandom */
};
#define FH_P11_CTX_COUNT 17

/*
 * Translate rv as seen by a function of context c. FH_OK is CKR_OK and only
 * FH_OK is; a value outside the enum is CKR_GENERAL_ERROR. Pure, thread safe.
 */
CK_RV fh_rv_to_ckr(fh_rv rv, enum fh_p11_ctx c);

#endif /* FERROHSM_PKCS11_RV_MAP_H */
