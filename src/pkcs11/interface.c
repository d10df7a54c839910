/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interface.c - the three exported symbols: C_GetFunctionList,
 * C_GetInterfaceList and C_GetInterface (PKCS#11 v3.0 §5.4), and the two
 * function lists they hand out: "PKCS 11" 3.0 (CK_FUNCTION_LIST_3_0) and
 * "PKCS 11" 2.40 (CK_FUNCTION_LIST, what C_GetFunctionList returns, so a
 * v2.40 application that reads the version field is never handed a list
 * longer than it knows). All are callable before C_Initialize.
 *
 * The lists are constant; CK_INTERFACE wants non-const pointers, which the
 * caller must not write through (§3.6). Functions that take a slot id or a
 * session handle are reached through remote_dispatch.c (p11d_*), which
 * serves remote slots and passes everything else to entry.c.
 */
#include "p11.h"
#include "remote_dispatch.h"

#include <string.h>

#define FH_EXPORT __attribute__((visibility("default")))

/*
 * The entry points, in CK_FUNCTION_LIST order: X(member, function). The 2.40
 * list is the first part of the 3.0 one; the 3.0 list adds the v3.0 entries.
 */
#define FH_P11_FUNCS_240(X)                                                                        \
    X(C_Initialize, C_Initialize)                                                                  \
    X(C_Finalize, C_Finalize)                                                                      \
    X(C_GetInfo, C_GetInfo)                                                                        \
    X(C_GetFunctionList, C_GetFunctionList)                                                        \
    X(C_GetSlotList, p11d_C_GetSlotList)                                                           \
    X(C_GetSlotInfo, p11d_C_GetSlotInfo)                                                           \
    X(C_GetTokenInfo, p11d_C_GetTokenInfo)                                                         \
    X(C_GetMechanismList, p11d_C_GetMechanismList)                                                 \
    X(C_GetMechanismInfo, p11d_C_GetMechanismInfo)                                                 \
    X(C_InitToken, p11d_C_InitToken)                                                               \
    X(C_InitPIN, p11d_C_InitPIN)                                                                   \
    X(C_SetPIN, p11d_C_SetPIN)                                                                     \
    X(C_OpenSession, p11d_C_OpenSession)                                                           \
    X(C_CloseSession, p11d_C_CloseSession)                                                         \
    X(C_CloseAllSessions, p11d_C_CloseAllSessions)                                                 \
    X(C_GetSessionInfo, p11d_C_GetSessionInfo)                                                     \
    X(C_GetOperationState, C_GetOperationState)                                                    \
    X(C_SetOperationState, C_SetOperationState)                                                    \
    X(C_Login, p11d_C_Login)                                                                       \
    X(C_Logout, p11d_C_Logout)                                                                     \
    X(C_CreateObject, p11d_C_CreateObject)                                                         \
    X(C_CopyObject, p11d_C_CopyObject)                                                             \
    X(C_DestroyObject, p11d_C_DestroyObject)                                                       \
    X(C_GetObjectSize, p11d_C_GetObjectSize)                                                       \
    X(C_GetAttributeValue, p11d_C_GetAttributeValue)                                               \
    X(C_SetAttributeValue, p11d_C_SetAttributeValue)                                               \
    X(C_FindObjectsInit, p11d_C_FindObjectsInit)                                                   \
    X(C_FindObjects, p11d_C_FindObjects)                                                           \
    X(C_FindObjectsFinal, p11d_C_FindObjectsFinal)                                                 \
    X(C_EncryptInit, p11d_C_EncryptInit)                                                           \
    X(C_Encrypt, p11d_C_Encrypt)                                                                   \
    X(C_EncryptUpdate, p11d_C_EncryptUpdate)                                                       \
    X(C_EncryptFinal, p11d_C_EncryptFinal)                                                         \
    X(C_DecryptInit, p11d_C_DecryptInit)                                                           \
    X(C_Decrypt, p11d_C_Decrypt)                                                                   \
    X(C_DecryptUpdate, p11d_C_DecryptUpdate)                                                       \
    X(C_DecryptFinal, p11d_C_DecryptFinal)                                                         \
    X(C_DigestInit, p11d_C_DigestInit)                                                             \
    X(C_Digest, p11d_C_Digest)                                                                     \
    X(C_DigestUpdate, p11d_C_DigestUpdate)                                                         \
    X(C_DigestKey, p11d_C_DigestKey)                                                               \
    X(C_DigestFinal, p11d_C_DigestFinal)                                                           \
    X(C_SignInit, p11d_C_SignInit)                                                                 \
    X(C_Sign, p11d_C_Sign)                                                                         \
    X(C_SignUpdate, p11d_C_SignUpdate)                                                             \
    X(C_SignFinal, p11d_C_SignFinal)                                                               \
    X(C_SignRecoverInit, C_SignRecoverInit)                                                        \
    X(C_SignRecover, C_SignRecover)                                                                \
    X(C_VerifyInit, p11d_C_VerifyInit)                                                             \
    X(C_Verify, p11d_C_Verify)                                                                     \
    X(C_VerifyUpdate, p11d_C_VerifyUpdate)                                                         \
    X(C_VerifyFinal, p11d_C_VerifyFinal)                                                           \
    X(C_VerifyRecoverInit, C_VerifyRecoverInit)                                                    \
    X(C_VerifyRecover, C_VerifyRecover)                                                            \
    X(C_DigestEncryptUpdate, C_DigestEncryptUpdate)                                                \
    X(C_DecryptDigestUpdate, C_DecryptDigestUpdate)                                                \
    X(C_SignEncryptUpdate, C_SignEncryptUpdate)                                                    \
    X(C_DecryptVerifyUpdate, C_DecryptVerifyUpdate)                                                \
    X(C_GenerateKey, p11d_C_GenerateKey)                                                           \
    X(C_GenerateKeyPair, p11d_C_GenerateKeyPair)                                                   \
    X(C_WrapKey, p11d_C_WrapKey)                                                                   \
    X(C_UnwrapKey, p11d_C_UnwrapKey)                                                               \
    X(C_DeriveKey, p11d_C_DeriveKey)                                                               \
    X(C_SeedRandom, p11d_C_SeedRandom)                                                             \
    X(C_GenerateRandom, p11d_C_GenerateRandom)                                                     \
    X(C_GetFunctionStatus, p11d_C_GetFunctionStatus)                                               \
    X(C_CancelFunction, p11d_C_CancelFunction)                                                     \
    X(C_WaitForSlotEvent, C_WaitForSlotEvent)

#define FH_P11_FUNCS_30(X)                                                                         \
    X(C_GetInterfaceList, C_GetInterfaceList)                                                      \
    X(C_GetInterface, C_GetInterface)                                                              \
    X(C_LoginUser, p11d_C_LoginUser)                                                               \
    X(C_SessionCancel, p11d_C_SessionCancel)                                                       \
    X(C_MessageEncryptInit, C_MessageEncryptInit)                                                  \
    X(C_EncryptMessage, C_EncryptMessage)                                                          \
    X(C_EncryptMessageBegin, C_EncryptMessageBegin)                                                \
    X(C_EncryptMessageNext, C_EncryptMessageNext)                                                  \
    X(C_MessageEncryptFinal, C_MessageEncryptFinal)                                                \
    X(C_MessageDecryptInit, C_MessageDecryptInit)                                                  \
    X(C_DecryptMessage, C_DecryptMessage)                                                          \
    X(C_DecryptMessageBegin, C_DecryptMessageBegin)                                                \
    X(C_DecryptMessageNext, C_DecryptMessageNext)                                                  \
    X(C_MessageDecryptFinal, C_MessageDecryptFinal)                                                \
    X(C_MessageSignInit, C_MessageSignInit)                                                        \
    X(C_SignMessage, C_SignMessage)                                                                \
    X(C_SignMessageBegin, C_SignMessageBegin)                                                      \
    X(C_SignMessageNext, C_SignMessageNext)                                                        \
    X(C_MessageSignFinal, C_MessageSignFinal)                                                      \
    X(C_MessageVerifyInit, C_MessageVerifyInit)                                                    \
    X(C_VerifyMessage, C_VerifyMessage)                                                            \
    X(C_VerifyMessageBegin, C_VerifyMessageBegin)                                                  \
    X(C_VerifyMessageNext, C_VerifyMessageNext)                                                    \
    X(C_MessageVerifyFinal, C_MessageVerifyFinal)

#define FH_P11_ENTRY(member, fn) .member = fn,

static const CK_FUNCTION_LIST_3_0 list_30 = {
    .version = {3, 0},
    FH_P11_FUNCS_240(FH_P11_ENTRY) FH_P11_FUNCS_30(FH_P11_ENTRY)
};

static const CK_FUNCTION_LIST list_240 = {
    .version = {2, 40},
    FH_P11_FUNCS_240(FH_P11_ENTRY)
};

static CK_INTERFACE interfaces[] = {
    {(CK_CHAR_PTR) "PKCS 11", (CK_VOID_PTR)(uintptr_t)&list_30, 0},
    {(CK_CHAR_PTR) "PKCS 11", (CK_VOID_PTR)(uintptr_t)&list_240, 0},
};
#define N_INTERFACES (sizeof(interfaces) / sizeof(interfaces[0]))

FH_EXPORT CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
    if (ppFunctionList == NULL) {
        return CKR_ARGUMENTS_BAD;
    }
    *ppFunctionList = (CK_FUNCTION_LIST_PTR)(uintptr_t)&list_240;
    return CKR_OK;
}

FH_EXPORT CK_RV
C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
    if (pulCount == NULL) {
        return CKR_ARGUMENTS_BAD;
    }
    if (pInterfacesList == NULL) {
        *pulCount = N_INTERFACES;
        return CKR_OK;
    }
    if (*pulCount < N_INTERFACES) {
        *pulCount = N_INTERFACES;
        return CKR_BUFFER_TOO_SMALL;
    }
    memcpy(pInterfacesList, interfaces, sizeof(interfaces));
    *pulCount = N_INTERFACES;
    return CKR_OK;
}

/*
 * §5.4 C_GetInterface: NULL name is the default (the first, 3.0); NULL
 * version is any; flags must all be offered by the interface. No match is
 * CKR_ARGUMENTS_BAD.
 */
FH_EXPORT CK_RV
C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
               CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
    if (ppInterface == NULL) {
        return CKR_ARGUMENTS_BAD;
    }
    for (size_t i = 0; i < N_INTERFACES; i++) {
        const CK_VERSION *v = (const CK_VERSION *)interfaces[i].pFunctionList;

        if (pInterfaceName != NULL &&
            strcmp((const char *)pInterfaceName, (const char *)interfaces[i].pInterfaceName) != 0) {
            continue;
        }
        if (pVersion != NULL && (pVersion->major != v->major || pVersion->minor != v->minor)) {
            continue;
        }
        if ((flags & interfaces[i].flags) != flags) {
            continue;
        }
        *ppInterface = &interfaces[i];
        return CKR_OK;
    }
    return CKR_ARGUMENTS_BAD;
}
