/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entry.c - the C_* functions of PKCS#11 v3.0, each a declarative gate
 * (STYLE rule 22): trace-free ladder of init check, pointer arguments,
 * session or slot lookup, one session-state gate, the core call, and the
 * context-aware translation of its fh_rv (rv_map.c). Policy (login, object
 * visibility, attribute rules, key usage) lives in the core.
 *
 * None of these symbols is exported: the version script exports only
 * C_GetFunctionList, C_GetInterfaceList and C_GetInterface (interface.c);
 * applications reach these through the function lists.
 *
 * Not supported (CKR_FUNCTION_NOT_SUPPORTED): C_GetOperationState,
 * C_SetOperationState, C_SignRecover*, C_VerifyRecover*, the dual-function
 * calls, the C_*Message* family and C_WaitForSlotEvent.
 */
#include "p11.h"

#define OPT(p, n) ((p) != NULL || (n) == 0) /* a buffer that may be NULL when empty */

/* The init check alone, for functions the module does not implement. */
static CK_RV
unsupported(void)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    CK_RV rv = p11_enter(&call);

    return p11_leave(&call, rv == CKR_OK ? CKR_FUNCTION_NOT_SUPPORTED : rv);
}

CK_RV
C_Initialize(CK_VOID_PTR pInitArgs)
{
    return p11_module_initialize(pInitArgs);
}

CK_RV
C_Finalize(CK_VOID_PTR pReserved)
{
    return p11_module_finalize(pReserved);
}

CK_RV
C_GetInfo(CK_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    CK_RV rv = p11_args(p11_enter(&call), pInfo != NULL);

    if (rv == CKR_OK) {
        p11_info(pInfo);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    CK_RV rv = p11_args(p11_enter(&call), pulCount != NULL);

    (void)tokenPresent; /* every slot holds a token, the empty slot an uninitialised one */
    if (rv == CKR_OK && pSlotList == NULL) {
        rv = p11_ckr(&call, rv, p11_slots_refresh(&call.mod->slots, call.mod->ctx));
    }
    if (rv == CKR_OK) {
        rv = p11_slots_list(&call.mod->slots, pSlotList, pulCount);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_slot(&call, p11_args(p11_enter(&call), pInfo != NULL), slotID, &slot);

    if (rv == CKR_OK) {
        p11_slot_info(slot, pInfo);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_slot(&call, p11_args(p11_enter(&call), pInfo != NULL), slotID, &slot);

    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_token_info(call.mod->ctx, slot, pInfo));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_slot(&call, p11_args(p11_enter(&call), pulCount != NULL), slotID, &slot);

    if (rv == CKR_OK) {
        rv = p11_mech_list(call.mod->ctx, pMechanismList, pulCount);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_slot(&call, p11_args(p11_enter(&call), pInfo != NULL), slotID, &slot);

    if (rv == CKR_OK) {
        rv = p11_mech_info(call.mod->ctx, type, pInfo);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_INIT_TOKEN);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_args(p11_enter(&call), pPin != NULL && pLabel != NULL);

    rv = p11_slot(&call, rv, slotID, &slot);
    if (rv == CKR_OK) {
        rv = p11_slot_init_token(&call.mod->slots, call.mod->ctx, slot, pPin, ulPinLen, pLabel);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_PIN);
    CK_RV rv = p11_args(p11_enter(&call), pPin != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_RW);
    if (rv == CKR_SESSION_READ_ONLY) {
        rv = CKR_USER_NOT_LOGGED_IN; /* §5.6.1: only the "R/W SO Functions" state */
    }
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_init_pin(&call, pPin, ulPinLen));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
         CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_PIN);
    CK_RV rv = p11_args(p11_enter(&call), pOldPin != NULL && pNewPin != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_RW);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_set_pin(&call, pOldPin, ulOldLen, pNewPin, ulNewLen));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
              CK_SESSION_HANDLE_PTR phSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_slot(&call, p11_args(p11_enter(&call), phSession != NULL), slotID, &slot);

    (void)pApplication; /* no notifications are ever sent (Notify unused, §5.6.1) */
    (void)Notify;
    if (rv == CKR_OK && (flags & CKF_SERIAL_SESSION) == 0) {
        rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED; /* §5.6.1: must always be set */
    } else if (rv == CKR_OK && p11_slot_token(slot) == NULL) {
        rv = CKR_TOKEN_NOT_RECOGNIZED; /* the empty slot: C_InitToken first */
    } else if (rv == CKR_OK) {
        rv = p11_session_open(&call.mod->sessions, slot, (flags & CKF_RW_SESSION) != 0, phSession);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_CloseSession(CK_SESSION_HANDLE hSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    if (rv == CKR_OK) {
        p11_session_close_locked(&call.mod->sessions, call.s); /* closes at p11_leave */
    }
    return p11_leave(&call, rv);
}

CK_RV
C_CloseAllSessions(CK_SLOT_ID slotID)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    struct p11_slot *slot = NULL;
    CK_RV rv = p11_slot(&call, p11_enter(&call), slotID, &slot);

    if (rv == CKR_OK) {
        p11_sessions_close_slot(&call.mod->sessions, slot);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    CK_RV rv = p11_args(p11_enter(&call), pInfo != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        p11_session_info(&call, pInfo);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                    CK_ULONG_PTR pulOperationStateLen)
{
    (void)hSession, (void)pOperationState, (void)pulOperationStateLen;
    return unsupported();
}

CK_RV
C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                    CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
                    CK_OBJECT_HANDLE hAuthenticationKey)
{
    (void)hSession, (void)pOperationState, (void)ulOperationStateLen;
    (void)hEncryptionKey, (void)hAuthenticationKey;
    return unsupported();
}

/*
 * Checks of C_Login the core cannot make: the user type, and §5.6.4 "if the
 * application has a R/O session open with the token, C_Login(CKU_SO) returns
 * CKR_SESSION_READ_ONLY_EXISTS". CKU_CONTEXT_SPECIFIC: no operation ever
 * needs it (the core does not enforce CKA_ALWAYS_AUTHENTICATE), so there is
 * none to authenticate: CKR_OPERATION_NOT_INITIALIZED.
 */
static CK_RV
login_gate(const struct p11_call *call, CK_RV rv, CK_USER_TYPE who)
{
    if (rv != CKR_OK) {
        return rv;
    }
    if (who == CKU_CONTEXT_SPECIFIC) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    if (who != CKU_SO && who != CKU_USER) {
        return CKR_USER_TYPE_INVALID;
    }
    return p11_slot_login_check(call->s->slot, who);
}

CK_RV
C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_LOGIN);
    CK_RV rv = p11_args(p11_enter(&call), pPin != NULL);

    rv = login_gate(&call, p11_session(&call, rv, hSession, P11_GATE_ANY), userType);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_login(&call, userType, pPin, ulPinLen));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_Logout(CK_SESSION_HANDLE hSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_LOGIN);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_token_logout(call.s->tok));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
               CK_OBJECT_HANDLE_PTR phObject)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_OBJECT);
    CK_RV rv = p11_args(p11_enter(&call), OPT(pTemplate, ulCount) && phObject != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_object_create(call.fs, pTemplate, ulCount, phObject));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
             CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_OBJECT);
    CK_RV rv = p11_args(p11_enter(&call), OPT(pTemplate, ulCount) && phNewObject != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_object_copy(call.fs, hObject, pTemplate, ulCount, phNewObject));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_OBJECT);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_object_destroy(call.fs, hObject));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_OBJECT);
    CK_RV rv = p11_args(p11_enter(&call), pulSize != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_object_size(call.fs, hObject, pulSize));
    }
    return p11_leave(&call, rv);
}

/* The core fills every entry (§5.7.5) and returns the summary code; passed through. */
CK_RV
C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_OBJECT);
    CK_RV rv = p11_args(p11_enter(&call), OPT(pTemplate, ulCount));

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_object_get_attributes(call.fs, hObject, pTemplate, ulCount));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_OBJECT);
    CK_RV rv = p11_args(p11_enter(&call), OPT(pTemplate, ulCount));

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_object_set_attributes(call.fs, hObject, pTemplate, ulCount));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_FIND);
    CK_RV rv = p11_args(p11_enter(&call), OPT(pTemplate, ulCount));

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_find_init(&call.s->find, call.fs, pTemplate, ulCount));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
              CK_ULONG_PTR pulObjectCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_FIND);
    CK_RV rv =
        p11_args(p11_enter(&call), OPT(phObject, ulMaxObjectCount) && pulObjectCount != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv,
                     p11_find_next(&call.s->find, phObject, ulMaxObjectCount, pulObjectCount));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_FIND);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_find_final(&call.s->find));
    }
    return p11_leave(&call, rv);
}

/* ---- C_*Init of the five operation kinds ---- */

static CK_RV
op_init(CK_SESSION_HANDLE hs, enum fh_op_kind op, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    struct p11_call call =
        P11_CALL_INIT(op == FH_OP_DIGEST ? FH_P11_CTX_DIGEST : FH_P11_CTX_KEY_INIT);
    CK_RV rv = p11_args(p11_enter(&call), mech != NULL);

    rv = p11_session(&call, rv, hs, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_op_init(call.fs, op, mech, key));
    }
    return p11_leave(&call, rv);
}

/* C_Encrypt, C_Decrypt, C_Sign, C_Digest: in -> out, NULL out is a length query. */
static CK_RV
op_oneshot(CK_SESSION_HANDLE hs, enum fh_op_kind op, enum fh_p11_ctx c, CK_BYTE_PTR in,
           CK_ULONG in_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    struct p11_call call = P11_CALL_INIT(c);
    CK_RV rv = p11_args(p11_enter(&call), OPT(in, in_len) && out_len != NULL);

    rv = p11_session(&call, rv, hs, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_oneshot(call.fs, op, in, in_len, out, out_len));
    }
    return p11_leave(&call, rv);
}

/* *Update: out_len NULL for sign, verify and digest, which produce nothing. */
static CK_RV
op_update(CK_SESSION_HANDLE hs, enum fh_op_kind op, enum fh_p11_ctx c, CK_BYTE_PTR in,
          CK_ULONG in_len, CK_BYTE_PTR out, CK_ULONG_PTR out_len, bool has_out)
{
    struct p11_call call = P11_CALL_INIT(c);
    CK_RV rv = p11_args(p11_enter(&call), OPT(in, in_len) && (!has_out || out_len != NULL));

    rv = p11_session(&call, rv, hs, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_update(call.fs, op, in, in_len, out, out_len));
    }
    return p11_leave(&call, rv);
}

static CK_RV
op_final(CK_SESSION_HANDLE hs, enum fh_op_kind op, enum fh_p11_ctx c, CK_BYTE_PTR out,
         CK_ULONG_PTR out_len)
{
    struct p11_call call = P11_CALL_INIT(c);
    CK_RV rv = p11_args(p11_enter(&call), out_len != NULL);

    rv = p11_session(&call, rv, hs, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_final(call.fs, op, out, out_len));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return op_init(hSession, FH_OP_ENCRYPT, pMechanism, hKey);
}

CK_RV
C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
          CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
    return op_oneshot(hSession, FH_OP_ENCRYPT, FH_P11_CTX_ENCRYPT, pData, ulDataLen, pEncryptedData,
                      pulEncryptedDataLen);
}

CK_RV
C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
    return op_update(hSession, FH_OP_ENCRYPT, FH_P11_CTX_ENCRYPT, pPart, ulPartLen, pEncryptedPart,
                     pulEncryptedPartLen, true);
}

CK_RV
C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
               CK_ULONG_PTR pulLastEncryptedPartLen)
{
    return op_final(hSession, FH_OP_ENCRYPT, FH_P11_CTX_ENCRYPT, pLastEncryptedPart,
                    pulLastEncryptedPartLen);
}

CK_RV
C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return op_init(hSession, FH_OP_DECRYPT, pMechanism, hKey);
}

CK_RV
C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG ulEncryptedDataLen,
          CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
    return op_oneshot(hSession, FH_OP_DECRYPT, FH_P11_CTX_DECRYPT, pEncryptedData,
                      ulEncryptedDataLen, pData, pulDataLen);
}

CK_RV
C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen,
                CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
    return op_update(hSession, FH_OP_DECRYPT, FH_P11_CTX_DECRYPT, pEncryptedPart,
                     ulEncryptedPartLen, pPart, pulPartLen, true);
}

CK_RV
C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart, CK_ULONG_PTR pulLastPartLen)
{
    return op_final(hSession, FH_OP_DECRYPT, FH_P11_CTX_DECRYPT, pLastPart, pulLastPartLen);
}

CK_RV
C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
    return op_init(hSession, FH_OP_DIGEST, pMechanism, CK_INVALID_HANDLE);
}

CK_RV
C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pDigest,
         CK_ULONG_PTR pulDigestLen)
{
    return op_oneshot(hSession, FH_OP_DIGEST, FH_P11_CTX_DIGEST, pData, ulDataLen, pDigest,
                      pulDigestLen);
}

CK_RV
C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    return op_update(hSession, FH_OP_DIGEST, FH_P11_CTX_DIGEST, pPart, ulPartLen, NULL, NULL,
                     false);
}

CK_RV
C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_KEY_INIT);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_op_digest_key(call.fs, hKey));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
    return op_final(hSession, FH_OP_DIGEST, FH_P11_CTX_DIGEST, pDigest, pulDigestLen);
}

CK_RV
C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return op_init(hSession, FH_OP_SIGN, pMechanism, hKey);
}

CK_RV
C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
       CK_ULONG_PTR pulSignatureLen)
{
    return op_oneshot(hSession, FH_OP_SIGN, FH_P11_CTX_SIGN, pData, ulDataLen, pSignature,
                      pulSignatureLen);
}

CK_RV
C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    return op_update(hSession, FH_OP_SIGN, FH_P11_CTX_SIGN, pPart, ulPartLen, NULL, NULL, false);
}

CK_RV
C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    return op_final(hSession, FH_OP_SIGN, FH_P11_CTX_SIGN, pSignature, pulSignatureLen);
}

CK_RV
C_SignRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    (void)hSession, (void)pMechanism, (void)hKey;
    return unsupported();
}

CK_RV
C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
              CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    (void)hSession, (void)pData, (void)ulDataLen, (void)pSignature, (void)pulSignatureLen;
    return unsupported();
}

CK_RV
C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return op_init(hSession, FH_OP_VERIFY, pMechanism, hKey);
}

static CK_RV
op_verify(CK_SESSION_HANDLE hs, bool oneshot, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR sig,
          CK_ULONG sig_len)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_VERIFY);
    CK_RV rv = p11_args(p11_enter(&call), OPT(in, in_len) && OPT(sig, sig_len));

    rv = p11_session(&call, rv, hs, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, p11_verify(call.fs, oneshot, in, in_len, sig, sig_len));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
         CK_ULONG ulSignatureLen)
{
    return op_verify(hSession, true, pData, ulDataLen, pSignature, ulSignatureLen);
}

CK_RV
C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    return op_update(hSession, FH_OP_VERIFY, FH_P11_CTX_VERIFY, pPart, ulPartLen, NULL, NULL,
                     false);
}

CK_RV
C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
    return op_verify(hSession, false, NULL, 0, pSignature, ulSignatureLen);
}

CK_RV
C_VerifyRecoverInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    (void)hSession, (void)pMechanism, (void)hKey;
    return unsupported();
}

CK_RV
C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen,
                CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
    (void)hSession, (void)pSignature, (void)ulSignatureLen, (void)pData, (void)pulDataLen;
    return unsupported();
}

CK_RV
C_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                      CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
    (void)hSession, (void)pPart, (void)ulPartLen, (void)pEncryptedPart, (void)pulEncryptedPartLen;
    return unsupported();
}

CK_RV
C_DecryptDigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                      CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
    (void)hSession, (void)pEncryptedPart, (void)ulEncryptedPartLen, (void)pPart, (void)pulPartLen;
    return unsupported();
}

CK_RV
C_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                    CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
    (void)hSession, (void)pPart, (void)ulPartLen, (void)pEncryptedPart, (void)pulEncryptedPartLen;
    return unsupported();
}

CK_RV
C_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                      CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
    (void)hSession, (void)pEncryptedPart, (void)ulEncryptedPartLen, (void)pPart, (void)pulPartLen;
    return unsupported();
}

CK_RV
C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pTemplate,
              CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_KEYGEN);
    CK_RV rv =
        p11_args(p11_enter(&call), pMechanism != NULL && OPT(pTemplate, ulCount) && phKey != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_key_generate(call.fs, pMechanism, pTemplate, ulCount, phKey));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                  CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                  CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                  CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_KEYGEN);
    CK_RV rv = p11_args(p11_enter(&call),
                        pMechanism != NULL && OPT(pPublicKeyTemplate, ulPublicKeyAttributeCount) &&
                            OPT(pPrivateKeyTemplate, ulPrivateKeyAttributeCount) &&
                            phPublicKey != NULL && phPrivateKey != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv,
                     fh_key_generate_pair(call.fs, pMechanism, pPublicKeyTemplate,
                                          ulPublicKeyAttributeCount, pPrivateKeyTemplate,
                                          ulPrivateKeyAttributeCount, phPublicKey, phPrivateKey));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey,
          CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_WRAP);
    CK_RV rv = p11_args(p11_enter(&call), pMechanism != NULL && pulWrappedKeyLen != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_wrap(&call, pMechanism, hWrappingKey, hKey, pWrappedKey, pulWrappedKeyLen);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
            CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen,
            CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_UNWRAP);
    CK_RV rv = p11_args(p11_enter(&call), pMechanism != NULL && pWrappedKey != NULL &&
                                              OPT(pTemplate, ulAttributeCount) && phKey != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv,
                     fh_key_unwrap(call.fs, pMechanism, hUnwrappingKey, pWrappedKey,
                                   ulWrappedKeyLen, pTemplate, ulAttributeCount, phKey));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hBaseKey,
            CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_KEYGEN);
    CK_RV rv = p11_args(p11_enter(&call),
                        pMechanism != NULL && OPT(pTemplate, ulAttributeCount) && phKey != NULL);

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(
            &call, rv,
            fh_key_derive(call.fs, pMechanism, hBaseKey, pTemplate, ulAttributeCount, phKey));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_RANDOM);
    CK_RV rv = p11_args(p11_enter(&call), OPT(pSeed, ulSeedLen));

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    /* §5.15.1: the generator cannot be seeded by the application */
    return p11_leave(&call, rv == CKR_OK ? CKR_RANDOM_SEED_NOT_SUPPORTED : rv);
}

CK_RV
C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_RANDOM);
    CK_RV rv = p11_args(p11_enter(&call), OPT(RandomData, ulRandomLen));

    rv = p11_session(&call, rv, hSession, P11_GATE_ANY);
    if (rv == CKR_OK) {
        rv = p11_ckr(&call, rv, fh_random(call.fs, RandomData, ulRandomLen));
    }
    return p11_leave(&call, rv);
}

/* §5.16: legacy functions; a serial-only library answers CKR_FUNCTION_NOT_PARALLEL. */
CK_RV
C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    return p11_leave(&call, rv == CKR_OK ? CKR_FUNCTION_NOT_PARALLEL : rv);
}

CK_RV
C_CancelFunction(CK_SESSION_HANDLE hSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    return p11_leave(&call, rv == CKR_OK ? CKR_FUNCTION_NOT_PARALLEL : rv);
}

CK_RV
C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
    (void)flags, (void)pSlot, (void)pReserved;
    return unsupported();
}

/* ---- PKCS#11 3.0 ---- */

/*
 * C_LoginUser (§5.6.5): this token has no named users. A NULL or empty user
 * name is C_Login; a NULL name with a length is a bad argument; a real name
 * names a user this token cannot have: CKR_USER_TYPE_INVALID.
 */
CK_RV
C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
            CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_LOGIN);
    CK_RV rv = p11_args(p11_enter(&call), pPin != NULL && OPT(pUsername, ulUsernameLen));

    rv = login_gate(&call, p11_session(&call, rv, hSession, P11_GATE_ANY), userType);
    if (rv == CKR_OK) {
        rv = ulUsernameLen > 0 ? CKR_USER_TYPE_INVALID
                               : p11_ckr(&call, rv, p11_login(&call, userType, pPin, ulPinLen));
    }
    return p11_leave(&call, rv);
}

CK_RV
C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    CK_RV rv = p11_session(&call, p11_enter(&call), hSession, P11_GATE_ANY);

    if (rv == CKR_OK) {
        p11_cancel(&call, flags);
    }
    return p11_leave(&call, rv);
}

CK_RV
C_MessageEncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    (void)hSession, (void)pMechanism, (void)hKey;
    return unsupported();
}

CK_RV
C_EncryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                 CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext,
                 CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext, CK_ULONG_PTR pulCiphertextLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pAssociatedData;
    (void)ulAssociatedDataLen, (void)pPlaintext, (void)ulPlaintextLen, (void)pCiphertext;
    (void)pulCiphertextLen;
    return unsupported();
}

CK_RV
C_EncryptMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                      CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pAssociatedData;
    (void)ulAssociatedDataLen;
    return unsupported();
}

CK_RV
C_EncryptMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                     CK_BYTE_PTR pPlaintextPart, CK_ULONG ulPlaintextPartLen,
                     CK_BYTE_PTR pCiphertextPart, CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pPlaintextPart;
    (void)ulPlaintextPartLen, (void)pCiphertextPart, (void)pulCiphertextPartLen, (void)flags;
    return unsupported();
}

CK_RV
C_MessageEncryptFinal(CK_SESSION_HANDLE hSession)
{
    (void)hSession;
    return unsupported();
}

CK_RV
C_MessageDecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    (void)hSession, (void)pMechanism, (void)hKey;
    return unsupported();
}

CK_RV
C_DecryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                 CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext,
                 CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext, CK_ULONG_PTR pulPlaintextLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pAssociatedData;
    (void)ulAssociatedDataLen, (void)pCiphertext, (void)ulCiphertextLen, (void)pPlaintext;
    (void)pulPlaintextLen;
    return unsupported();
}

CK_RV
C_DecryptMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                      CK_BYTE_PTR pAssociatedData, CK_ULONG ulAssociatedDataLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pAssociatedData;
    (void)ulAssociatedDataLen;
    return unsupported();
}

CK_RV
C_DecryptMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                     CK_BYTE_PTR pCiphertextPart, CK_ULONG ulCiphertextPartLen,
                     CK_BYTE_PTR pPlaintextPart, CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pCiphertextPart;
    (void)ulCiphertextPartLen, (void)pPlaintextPart, (void)pulPlaintextPartLen, (void)flags;
    return unsupported();
}

CK_RV
C_MessageDecryptFinal(CK_SESSION_HANDLE hSession)
{
    (void)hSession;
    return unsupported();
}

CK_RV
C_MessageSignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    (void)hSession, (void)pMechanism, (void)hKey;
    return unsupported();
}

CK_RV
C_SignMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
              CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
              CK_ULONG_PTR pulSignatureLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pData, (void)ulDataLen;
    (void)pSignature, (void)pulSignatureLen;
    return unsupported();
}

CK_RV
C_SignMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen;
    return unsupported();
}

CK_RV
C_SignMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                  CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
                  CK_ULONG_PTR pulSignatureLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pData, (void)ulDataLen;
    (void)pSignature, (void)pulSignatureLen;
    return unsupported();
}

CK_RV
C_MessageSignFinal(CK_SESSION_HANDLE hSession)
{
    (void)hSession;
    return unsupported();
}

CK_RV
C_MessageVerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    (void)hSession, (void)pMechanism, (void)hKey;
    return unsupported();
}

CK_RV
C_VerifyMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
                CK_ULONG ulSignatureLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pData, (void)ulDataLen;
    (void)pSignature, (void)ulSignatureLen;
    return unsupported();
}

CK_RV
C_VerifyMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen;
    return unsupported();
}

CK_RV
C_VerifyMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, CK_ULONG ulParameterLen,
                    CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
                    CK_ULONG ulSignatureLen)
{
    (void)hSession, (void)pParameter, (void)ulParameterLen, (void)pData, (void)ulDataLen;
    (void)pSignature, (void)ulSignatureLen;
    return unsupported();
}

CK_RV
C_MessageVerifyFinal(CK_SESSION_HANDLE hSession)
{
    (void)hSession;
    return unsupported();
}
