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

static const CK_FUNCTION_LIST_3_0 list_30 = {
    .version = {3, 0},
    .C_Initialize = C_Initialize,
    .C_Finalize = C_Finalize,
    .C_GetInfo = C_GetInfo,
    .C_GetFunctionList = C_GetFunctionList,
    .C_GetSlotList = p11d_C_GetSlotList,
    .C_GetSlotInfo = p11d_C_GetSlotInfo,
    .C_GetTokenInfo = p11d_C_GetTokenInfo,
    .C_GetMechanismList = p11d_C_GetMechanismList,
    .C_GetMechanismInfo = p11d_C_GetMechanismInfo,
    .C_InitToken = p11d_C_InitToken,
    .C_InitPIN = p11d_C_InitPIN,
    .C_SetPIN = p11d_C_SetPIN,
    .C_OpenSession = p11d_C_OpenSession,
    .C_CloseSession = p11d_C_CloseSession,
    .C_CloseAllSessions = p11d_C_CloseAllSessions,
    .C_GetSessionInfo = p11d_C_GetSessionInfo,
    .C_GetOperationState = C_GetOperationState,
    .C_SetOperationState = C_SetOperationState,
    .C_Login = p11d_C_Login,
    .C_Logout = p11d_C_Logout,
    .C_CreateObject = p11d_C_CreateObject,
    .C_CopyObject = p11d_C_CopyObject,
    .C_DestroyObject = p11d_C_DestroyObject,
    .C_GetObjectSize = p11d_C_GetObjectSize,
    .C_GetAttributeValue = p11d_C_GetAttributeValue,
    .C_SetAttributeValue = p11d_C_SetAttributeValue,
    .C_FindObjectsInit = p11d_C_FindObjectsInit,
    .C_FindObjects = p11d_C_FindObjects,
    .C_FindObjectsFinal = p11d_C_FindObjectsFinal,
    .C_EncryptInit = p11d_C_EncryptInit,
    .C_Encrypt = p11d_C_Encrypt,
    .C_EncryptUpdate = p11d_C_EncryptUpdate,
    .C_EncryptFinal = p11d_C_EncryptFinal,
    .C_DecryptInit = p11d_C_DecryptInit,
    .C_Decrypt = p11d_C_Decrypt,
    .C_DecryptUpdate = p11d_C_DecryptUpdate,
    .C_DecryptFinal = p11d_C_DecryptFinal,
    .C_DigestInit = p11d_C_DigestInit,
    .C_Digest = p11d_C_Digest,
    .C_DigestUpdate = p11d_C_DigestUpdate,
    .C_DigestKey = p11d_C_DigestKey,
    .C_DigestFinal = p11d_C_DigestFinal,
    .C_SignInit = p11d_C_SignInit,
    .C_Sign = p11d_C_Sign,
    .C_SignUpdate = p11d_C_SignUpdate,
    .C_SignFinal = p11d_C_SignFinal,
    .C_SignRecoverInit = C_SignRecoverInit,
    .C_SignRecover = C_SignRecover,
    .C_VerifyInit = p11d_C_VerifyInit,
    .C_Verify = p11d_C_Verify,
    .C_VerifyUpdate = p11d_C_VerifyUpdate,
    .C_VerifyFinal = p11d_C_VerifyFinal,
    .C_VerifyRecoverInit = C_VerifyRecoverInit,
    .C_VerifyRecover = C_VerifyRecover,
    .C_DigestEncryptUpdate = C_DigestEncryptUpdate,
    .C_DecryptDigestUpdate = C_DecryptDigestUpdate,
    .C_SignEncryptUpdate = C_SignEncryptUpdate,
    .C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
    .C_GenerateKey = p11d_C_GenerateKey,
    .C_GenerateKeyPair = p11d_C_GenerateKeyPair,
    .C_WrapKey = p11d_C_WrapKey,
    .C_UnwrapKey = p11d_C_UnwrapKey,
    .C_DeriveKey = p11d_C_DeriveKey,
    .C_SeedRandom = p11d_C_SeedRandom,
    .C_GenerateRandom = p11d_C_GenerateRandom,
    .C_GetFunctionStatus = p11d_C_GetFunctionStatus,
    .C_CancelFunction = p11d_C_CancelFunction,
    .C_WaitForSlotEvent = C_WaitForSlotEvent,
    .C_GetInterfaceList = C_GetInterfaceList,
    .C_GetInterface = C_GetInterface,
    .C_LoginUser = p11d_C_LoginUser,
    .C_SessionCancel = p11d_C_SessionCancel,
    .C_MessageEncryptInit = C_MessageEncryptInit,
    .C_EncryptMessage = C_EncryptMessage,
    .C_EncryptMessageBegin = C_EncryptMessageBegin,
    .C_EncryptMessageNext = C_EncryptMessageNext,
    .C_MessageEncryptFinal = C_MessageEncryptFinal,
    .C_MessageDecryptInit = C_MessageDecryptInit,
    .C_DecryptMessage = C_DecryptMessage,
    .C_DecryptMessageBegin = C_DecryptMessageBegin,
    .C_DecryptMessageNext = C_DecryptMessageNext,
    .C_MessageDecryptFinal = C_MessageDecryptFinal,
    .C_MessageSignInit = C_MessageSignInit,
    .C_SignMessage = C_SignMessage,
    .C_SignMessageBegin = C_SignMessageBegin,
    .C_SignMessageNext = C_SignMessageNext,
    .C_MessageSignFinal = C_MessageSignFinal,
    .C_MessageVerifyInit = C_MessageVerifyInit,
    .C_VerifyMessage = C_VerifyMessage,
    .C_VerifyMessageBegin = C_VerifyMessageBegin,
    .C_VerifyMessageNext = C_VerifyMessageNext,
    .C_MessageVerifyFinal = C_MessageVerifyFinal,
};

static const CK_FUNCTION_LIST list_240 = {
    .version = {2, 40},
    .C_Initialize = C_Initialize,
    .C_Finalize = C_Finalize,
    .C_GetInfo = C_GetInfo,
    .C_GetFunctionList = C_GetFunctionList,
    .C_GetSlotList = p11d_C_GetSlotList,
    .C_GetSlotInfo = p11d_C_GetSlotInfo,
    .C_GetTokenInfo = p11d_C_GetTokenInfo,
    .C_GetMechanismList = p11d_C_GetMechanismList,
    .C_GetMechanismInfo = p11d_C_GetMechanismInfo,
    .C_InitToken = p11d_C_InitToken,
    .C_InitPIN = p11d_C_InitPIN,
    .C_SetPIN = p11d_C_SetPIN,
    .C_OpenSession = p11d_C_OpenSession,
    .C_CloseSession = p11d_C_CloseSession,
    .C_CloseAllSessions = p11d_C_CloseAllSessions,
    .C_GetSessionInfo = p11d_C_GetSessionInfo,
    .C_GetOperationState = C_GetOperationState,
    .C_SetOperationState = C_SetOperationState,
    .C_Login = p11d_C_Login,
    .C_Logout = p11d_C_Logout,
    .C_CreateObject = p11d_C_CreateObject,
    .C_CopyObject = p11d_C_CopyObject,
    .C_DestroyObject = p11d_C_DestroyObject,
    .C_GetObjectSize = p11d_C_GetObjectSize,
    .C_GetAttributeValue = p11d_C_GetAttributeValue,
    .C_SetAttributeValue = p11d_C_SetAttributeValue,
    .C_FindObjectsInit = p11d_C_FindObjectsInit,
    .C_FindObjects = p11d_C_FindObjects,
    .C_FindObjectsFinal = p11d_C_FindObjectsFinal,
    .C_EncryptInit = p11d_C_EncryptInit,
    .C_Encrypt = p11d_C_Encrypt,
    .C_EncryptUpdate = p11d_C_EncryptUpdate,
    .C_EncryptFinal = p11d_C_EncryptFinal,
    .C_DecryptInit = p11d_C_DecryptInit,
    .C_Decrypt = p11d_C_Decrypt,
    .C_DecryptUpdate = p11d_C_DecryptUpdate,
    .C_DecryptFinal = p11d_C_DecryptFinal,
    .C_DigestInit = p11d_C_DigestInit,
    .C_Digest = p11d_C_Digest,
    .C_DigestUpdate = p11d_C_DigestUpdate,
    .C_DigestKey = p11d_C_DigestKey,
    .C_DigestFinal = p11d_C_DigestFinal,
    .C_SignInit = p11d_C_SignInit,
    .C_Sign = p11d_C_Sign,
    .C_SignUpdate = p11d_C_SignUpdate,
    .C_SignFinal = p11d_C_SignFinal,
    .C_SignRecoverInit = C_SignRecoverInit,
    .C_SignRecover = C_SignRecover,
    .C_VerifyInit = p11d_C_VerifyInit,
    .C_Verify = p11d_C_Verify,
    .C_VerifyUpdate = p11d_C_VerifyUpdate,
    .C_VerifyFinal = p11d_C_VerifyFinal,
    .C_VerifyRecoverInit = C_VerifyRecoverInit,
    .C_VerifyRecover = C_VerifyRecover,
    .C_DigestEncryptUpdate = C_DigestEncryptUpdate,
    .C_DecryptDigestUpdate = C_DecryptDigestUpdate,
    .C_SignEncryptUpdate = C_SignEncryptUpdate,
    .C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
    .C_GenerateKey = p11d_C_GenerateKey,
    .C_GenerateKeyPair = p11d_C_GenerateKeyPair,
    .C_WrapKey = p11d_C_WrapKey,
    .C_UnwrapKey = p11d_C_UnwrapKey,
    .C_DeriveKey = p11d_C_DeriveKey,
    .C_SeedRandom = p11d_C_SeedRandom,
    .C_GenerateRandom = p11d_C_GenerateRandom,
    .C_GetFunctionStatus = p11d_C_GetFunctionStatus,
    .C_CancelFunction = p11d_C_CancelFunction,
    .C_WaitForSlotEvent = C_WaitForSlotEvent,
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
