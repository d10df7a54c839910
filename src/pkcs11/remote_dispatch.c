/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_dispatch.c - the entry points the function lists (interface.c)
 * hand out for every function that takes a slot id or a session handle: a
 * remote slot id or session handle (remote.h) is served here, anything else
 * goes unchanged to the local C_* function of entry.c. Local slots and
 * sessions therefore behave exactly as without remote slots.
 *
 * Each remote function is a gate in entry.c's ladder (STYLE rule 22): init
 * check, pointer arguments, session or slot, R/W gate, the remote call. The
 * module life lock (p11_enter) is held for the call, so C_Finalize never
 * frees a remote slot or session in use; after fork the child sees
 * CKR_CRYPTOKI_NOT_INITIALIZED as for local slots.
 */
#include "remote_dispatch.h"

#include <string.h>

#include "remote.h"

#define OPT(p, n) ((p) != NULL || (n) == 0)

/* ---- gates ---- */

static struct p11_remote *
remote_of(const struct p11_call *call)
{
    return call->mod != NULL ? call->mod->remote : NULL;
}

static CK_RV
r_session(struct p11_call *call, CK_RV rv, CK_SESSION_HANDLE h, bool rw, struct p11r_session **s)
{
    if (rv != CKR_OK) {
        return rv;
    }
    rv = p11r_session_acquire(remote_of(call), h, s);
    if (rv == CKR_OK && rw && !(*s)->rw) {
        return CKR_SESSION_READ_ONLY;
    }
    return rv;
}

static CK_RV
r_leave(struct p11_call *call, struct p11r_session *s, CK_RV rv)
{
    if (s != NULL) {
        p11r_session_release(remote_of(call), s);
    }
    return p11_leave(call, rv);
}

static CK_RV
r_slot(struct p11_call *call, CK_RV rv, CK_SLOT_ID id, struct p11r_slot **out)
{
    if (rv != CKR_OK) {
        return rv;
    }
    *out = p11r_slot_get(remote_of(call), id);
    return *out != NULL ? CKR_OK : CKR_SLOT_ID_INVALID;
}

/* A session function: open the gate, run `body` (an expression), leave. */
#define R_CALL(h, rw, args_ok, body)                                                               \
    do {                                                                                           \
        struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);                                    \
        struct p11r_session *s = NULL;                                                             \
        CK_RV rv = r_session(&call, p11_args(p11_enter(&call), (args_ok)), (h), (rw), &s);         \
        struct p11_remote *r = remote_of(&call);                                                   \
        (void)r;                                                                                   \
        if (rv == CKR_OK) {                                                                        \
            rv = (body);                                                                           \
        }                                                                                          \
        return r_leave(&call, s, rv);                                                              \
    } while (0)

/* ---- slots and tokens ---- */

CK_RV
p11d_C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    CK_RV rv = p11_args(p11_enter(&call), pulCount != NULL);
    struct p11_remote *r = remote_of(&call);
    size_t nr = r != NULL ? r->n_slots : 0;
    CK_ULONG local = 0;

    /* local slots first, as without remote slots; the remote ones after them */
    rv = p11_leave(&call, rv);
    if (rv != CKR_OK || nr == 0) {
        return rv == CKR_OK ? C_GetSlotList(tokenPresent, pSlotList, pulCount) : rv;
    }
    if (pSlotList == NULL) {
        rv = C_GetSlotList(tokenPresent, NULL, &local);
        *pulCount = local + nr;
        return rv;
    }
    local = *pulCount > nr ? *pulCount - nr : 0;
    rv = C_GetSlotList(tokenPresent, local > 0 ? pSlotList : NULL, &local);
    if (rv == CKR_OK && *pulCount < local + nr) {
        rv = CKR_BUFFER_TOO_SMALL;
    }
    if (rv == CKR_OK) {
        /* r lives until C_Finalize; re-enter to read it under the life lock */
        rv = p11_enter(&call);
        r = remote_of(&call);
        for (size_t i = 0; rv == CKR_OK && r != NULL && i < r->n_slots && i < nr; i++) {
            pSlotList[local + i] = r->slots[i].id;
        }
        rv = p11_leave(&call, rv);
    }
    *pulCount = local + nr;
    return rv;
}

CK_RV
p11d_C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_GetSlotInfo(slotID, pInfo);
    }
    rv = r_slot(&call, p11_args(p11_enter(&call), pInfo != NULL), slotID, &slot);
    rv = rv == CKR_OK ? p11r_slot_info(slot, pInfo) : rv;
    return p11_leave(&call, rv);
}

CK_RV
p11d_C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_GetTokenInfo(slotID, pInfo);
    }
    rv = r_slot(&call, p11_args(p11_enter(&call), pInfo != NULL), slotID, &slot);
    rv = rv == CKR_OK ? p11r_token_info(slot, pInfo) : rv;
    return p11_leave(&call, rv);
}

CK_RV
p11d_C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
                        CK_ULONG_PTR pulCount)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_GetMechanismList(slotID, pMechanismList, pulCount);
    }
    rv = r_slot(&call, p11_args(p11_enter(&call), pulCount != NULL), slotID, &slot);
    rv = rv == CKR_OK ? p11r_mech_list(slot, pMechanismList, pulCount) : rv;
    return p11_leave(&call, rv);
}

CK_RV
p11d_C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_GENERAL);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_GetMechanismInfo(slotID, type, pInfo);
    }
    rv = r_slot(&call, p11_args(p11_enter(&call), pInfo != NULL), slotID, &slot);
    rv = rv == CKR_OK ? p11r_mech_info(slot, type, pInfo) : rv;
    return p11_leave(&call, rv);
}

CK_RV
p11d_C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_INIT_TOKEN);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_InitToken(slotID, pPin, ulPinLen, pLabel);
    }
    rv = r_slot(&call, p11_args(p11_enter(&call), pLabel != NULL), slotID, &slot);
    /* the server's token is initialised by its administrator, not through a client */
    return p11_leave(&call, rv == CKR_OK ? CKR_FUNCTION_NOT_SUPPORTED : rv);
}

CK_RV
p11d_C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
                   CK_SESSION_HANDLE_PTR phSession)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_OpenSession(slotID, flags, pApplication, Notify, phSession);
    }
    rv = r_slot(&call, p11_args(p11_enter(&call), phSession != NULL), slotID, &slot);
    if (rv == CKR_OK && (flags & CKF_SERIAL_SESSION) == 0) {
        rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    } else if (rv == CKR_OK) {
        rv = p11r_session_open(remote_of(&call), slot, (flags & CKF_RW_SESSION) != 0, phSession);
    }
    return p11_leave(&call, rv);
}

CK_RV
p11d_C_CloseAllSessions(CK_SLOT_ID slotID)
{
    struct p11_call call = P11_CALL_INIT(FH_P11_CTX_TOKEN);
    struct p11r_slot *slot = NULL;
    CK_RV rv;

    if (!P11R_IS_SLOT(slotID)) {
        return C_CloseAllSessions(slotID);
    }
    rv = r_slot(&call, p11_enter(&call), slotID, &slot);
    if (rv == CKR_OK) {
        p11r_sessions_close_slot(remote_of(&call), slot);
    }
    return p11_leave(&call, rv);
}

/* ---- sessions and login ---- */

CK_RV
p11d_C_CloseSession(CK_SESSION_HANDLE h)
{
    if (!P11R_IS_SESSION(h)) {
        return C_CloseSession(h);
    }
    R_CALL(h, false, true, (p11r_session_close(r, s), CKR_OK));
}

static CK_RV
session_info(const struct p11r_session *s, CK_SESSION_INFO *info)
{
    memset(info, 0, sizeof(*info));
    info->slotID = s->slot->id;
    info->state = p11r_session_state(s);
    info->flags = CKF_SERIAL_SESSION | (s->rw ? CKF_RW_SESSION : 0);
    return CKR_OK;
}

CK_RV
p11d_C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR pInfo)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GetSessionInfo(h, pInfo);
    }
    R_CALL(h, false, pInfo != NULL, session_info(s, pInfo));
}

/* The user types of §5.6.4; the PIN, when given, is not checked (remote_slot.c). */
static CK_RV
login(struct p11r_session *s, CK_USER_TYPE who)
{
    if (who == CKU_CONTEXT_SPECIFIC) {
        return CKR_OPERATION_NOT_INITIALIZED; /* no operation needs it (as entry.c) */
    }
    if (who != CKU_SO && who != CKU_USER) {
        return CKR_USER_TYPE_INVALID;
    }
    return p11r_login(s, who);
}

CK_RV
p11d_C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
    if (!P11R_IS_SESSION(h)) {
        return C_Login(h, userType, pPin, ulPinLen);
    }
    /* CKF_PROTECTED_AUTHENTICATION_PATH: pPin may be NULL (§5.6.4), with ulPinLen 0 */
    R_CALL(h, false, OPT(pPin, ulPinLen), login(s, userType));
}

CK_RV
p11d_C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
                 CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
    if (!P11R_IS_SESSION(h)) {
        return C_LoginUser(h, userType, pPin, ulPinLen, pUsername, ulUsernameLen);
    }
    R_CALL(h, false, OPT(pPin, ulPinLen) && OPT(pUsername, ulUsernameLen),
           ulUsernameLen > 0 ? CKR_USER_TYPE_INVALID : login(s, userType));
}

CK_RV
p11d_C_Logout(CK_SESSION_HANDLE h)
{
    if (!P11R_IS_SESSION(h)) {
        return C_Logout(h);
    }
    R_CALL(h, false, true, p11r_logout(s));
}

CK_RV
p11d_C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
    if (!P11R_IS_SESSION(h)) {
        return C_InitPIN(h, pPin, ulPinLen);
    }
    /* the module holds no PIN of a remote token: its credential is the API key */
    R_CALL(h, false, true, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
p11d_C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
              CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
    if (!P11R_IS_SESSION(h)) {
        return C_SetPIN(h, pOldPin, ulOldLen, pNewPin, ulNewLen);
    }
    R_CALL(h, false, true, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
p11d_C_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
    if (!P11R_IS_SESSION(h)) {
        return C_SessionCancel(h, flags);
    }
    R_CALL(h, false, true, (p11r_cancel(s, flags), CKR_OK));
}

CK_RV
p11d_C_GetFunctionStatus(CK_SESSION_HANDLE h)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GetFunctionStatus(h);
    }
    R_CALL(h, false, true, CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV
p11d_C_CancelFunction(CK_SESSION_HANDLE h)
{
    if (!P11R_IS_SESSION(h)) {
        return C_CancelFunction(h);
    }
    R_CALL(h, false, true, CKR_FUNCTION_NOT_PARALLEL);
}

/* ---- objects ---- */

CK_RV
p11d_C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                    CK_OBJECT_HANDLE_PTR phObject)
{
    if (!P11R_IS_SESSION(h)) {
        return C_CreateObject(h, pTemplate, ulCount, phObject);
    }
    R_CALL(h, true, OPT(pTemplate, ulCount) && phObject != NULL,
           p11r_create(r, s, pTemplate, ulCount, phObject));
}

CK_RV
p11d_C_CopyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                  CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
    if (!P11R_IS_SESSION(h)) {
        return C_CopyObject(h, hObject, pTemplate, ulCount, phNewObject);
    }
    /* the REST API has no copy: a key's material never leaves the server */
    R_CALL(h, false, OPT(pTemplate, ulCount) && phNewObject != NULL, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV
p11d_C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE hObject)
{
    if (!P11R_IS_SESSION(h)) {
        return C_DestroyObject(h, hObject);
    }
    R_CALL(h, true, true, p11r_destroy(r, s, hObject));
}

CK_RV
p11d_C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GetObjectSize(h, hObject, pulSize);
    }
    R_CALL(h, false, pulSize != NULL, p11r_object_size(r, s, hObject, pulSize));
}

CK_RV
p11d_C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                         CK_ULONG ulCount)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GetAttributeValue(h, hObject, pTemplate, ulCount);
    }
    R_CALL(h, false, OPT(pTemplate, ulCount), p11r_get_attrs(r, s, hObject, pTemplate, ulCount));
}

CK_RV
p11d_C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                         CK_ULONG ulCount)
{
    if (!P11R_IS_SESSION(h)) {
        return C_SetAttributeValue(h, hObject, pTemplate, ulCount);
    }
    R_CALL(h, true, OPT(pTemplate, ulCount), p11r_set_attrs(r, s, hObject, pTemplate, ulCount));
}

CK_RV
p11d_C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    if (!P11R_IS_SESSION(h)) {
        return C_FindObjectsInit(h, pTemplate, ulCount);
    }
    R_CALL(h, false, OPT(pTemplate, ulCount), p11r_find_init(r, s, pTemplate, ulCount));
}

CK_RV
p11d_C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
                   CK_ULONG_PTR pulObjectCount)
{
    if (!P11R_IS_SESSION(h)) {
        return C_FindObjects(h, phObject, ulMaxObjectCount, pulObjectCount);
    }
    R_CALL(h, false, OPT(phObject, ulMaxObjectCount) && pulObjectCount != NULL,
           p11r_find_next(s, phObject, ulMaxObjectCount, pulObjectCount));
}

CK_RV
p11d_C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
    if (!P11R_IS_SESSION(h)) {
        return C_FindObjectsFinal(h);
    }
    R_CALL(h, false, true, p11r_find_final(s));
}

/* ---- operations ---- */

#define OP_INIT(k, local)                                                                          \
    if (!P11R_IS_SESSION(h)) {                                                                     \
        return local;                                                                              \
    }                                                                                              \
    R_CALL(h, false, m != NULL, p11r_op_init(r, s, (k), m, key))

#define OP_ONESHOT(k, local)                                                                       \
    if (!P11R_IS_SESSION(h)) {                                                                     \
        return local;                                                                              \
    }                                                                                              \
    R_CALL(h, false, OPT(in, in_len) && out_len != NULL,                                           \
           p11r_op_oneshot(s, (k), in, in_len, out, out_len))

#define OP_FINAL(k, local)                                                                         \
    if (!P11R_IS_SESSION(h)) {                                                                     \
        return local;                                                                              \
    }                                                                                              \
    R_CALL(h, false, out_len != NULL, p11r_op_final(s, (k), out, out_len))

#define OP_UPDATE(k, local)                                                                        \
    if (!P11R_IS_SESSION(h)) {                                                                     \
        return local;                                                                              \
    }                                                                                              \
    R_CALL(h, false, OPT(in, in_len) && out_len != NULL,                                           \
           p11r_op_update(s, (k), in, in_len, out, out_len))

/* the update of an operation without output (digest, sign, verify) */
#define OP_UPDATE_IN(k, local)                                                                     \
    if (!P11R_IS_SESSION(h)) {                                                                     \
        return local;                                                                              \
    }                                                                                              \
    R_CALL(h, false, OPT(in, in_len), p11r_op_update(s, (k), in, in_len, NULL, NULL))

CK_RV
p11d_C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key)
{
    OP_INIT(P11R_ENC, C_EncryptInit(h, m, key));
}

CK_RV
p11d_C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
               CK_ULONG_PTR out_len)
{
    OP_ONESHOT(P11R_ENC, C_Encrypt(h, in, in_len, out, out_len));
}

CK_RV
p11d_C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                     CK_ULONG_PTR out_len)
{
    OP_UPDATE(P11R_ENC, C_EncryptUpdate(h, in, in_len, out, out_len));
}

CK_RV
p11d_C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    OP_FINAL(P11R_ENC, C_EncryptFinal(h, out, out_len));
}

CK_RV
p11d_C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key)
{
    OP_INIT(P11R_DEC, C_DecryptInit(h, m, key));
}

CK_RV
p11d_C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
               CK_ULONG_PTR out_len)
{
    OP_ONESHOT(P11R_DEC, C_Decrypt(h, in, in_len, out, out_len));
}

CK_RV
p11d_C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                     CK_ULONG_PTR out_len)
{
    OP_UPDATE(P11R_DEC, C_DecryptUpdate(h, in, in_len, out, out_len));
}

CK_RV
p11d_C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    OP_FINAL(P11R_DEC, C_DecryptFinal(h, out, out_len));
}

CK_RV
p11d_C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m)
{
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;

    OP_INIT(P11R_DIGEST, C_DigestInit(h, m));
}

CK_RV
p11d_C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
              CK_ULONG_PTR out_len)
{
    OP_ONESHOT(P11R_DIGEST, C_Digest(h, in, in_len, out, out_len));
}

CK_RV
p11d_C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len)
{
    OP_UPDATE_IN(P11R_DIGEST, C_DigestUpdate(h, in, in_len));
}

CK_RV
p11d_C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
    if (!P11R_IS_SESSION(h)) {
        return C_DigestKey(h, key);
    }
    /* a key's value never leaves the server, and the REST digest takes data only */
    R_CALL(h, false, true,
           s->ops[P11R_DIGEST].active ? (p11r_op_end(&s->ops[P11R_DIGEST]), CKR_KEY_INDIGESTIBLE)
                                      : CKR_OPERATION_NOT_INITIALIZED);
}

CK_RV
p11d_C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    OP_FINAL(P11R_DIGEST, C_DigestFinal(h, out, out_len));
}

CK_RV
p11d_C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key)
{
    OP_INIT(P11R_SIGN, C_SignInit(h, m, key));
}

CK_RV
p11d_C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
            CK_ULONG_PTR out_len)
{
    OP_ONESHOT(P11R_SIGN, C_Sign(h, in, in_len, out, out_len));
}

CK_RV
p11d_C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len)
{
    OP_UPDATE_IN(P11R_SIGN, C_SignUpdate(h, in, in_len));
}

CK_RV
p11d_C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    OP_FINAL(P11R_SIGN, C_SignFinal(h, out, out_len));
}

CK_RV
p11d_C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key)
{
    OP_INIT(P11R_VERIFY, C_VerifyInit(h, m, key));
}

CK_RV
p11d_C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR sig,
              CK_ULONG sig_len)
{
    if (!P11R_IS_SESSION(h)) {
        return C_Verify(h, in, in_len, sig, sig_len);
    }
    R_CALL(h, false, OPT(in, in_len) && OPT(sig, sig_len),
           p11r_verify(s, true, in, in_len, sig, sig_len));
}

CK_RV
p11d_C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len)
{
    OP_UPDATE_IN(P11R_VERIFY, C_VerifyUpdate(h, in, in_len));
}

CK_RV
p11d_C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
    if (!P11R_IS_SESSION(h)) {
        return C_VerifyFinal(h, sig, sig_len);
    }
    R_CALL(h, false, OPT(sig, sig_len), p11r_verify(s, false, NULL, 0, sig, sig_len));
}

/* ---- keys ---- */

CK_RV
p11d_C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                   CK_OBJECT_HANDLE_PTR phKey)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GenerateKey(h, m, t, n, phKey);
    }
    R_CALL(h, true, m != NULL && OPT(t, n) && phKey != NULL, p11r_generate(r, s, m, t, n, phKey));
}

CK_RV
p11d_C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
                       CK_ATTRIBUTE_PTR kt, CK_ULONG kn, CK_OBJECT_HANDLE_PTR pub,
                       CK_OBJECT_HANDLE_PTR priv)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GenerateKeyPair(h, m, pt, pn, kt, kn, pub, priv);
    }
    R_CALL(h, true, m != NULL && OPT(pt, pn) && OPT(kt, kn) && pub != NULL && priv != NULL,
           p11r_generate_pair(r, s, m, pt, pn, kt, kn, pub, priv));
}

CK_RV
p11d_C_WrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE wrapping,
               CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    if (!P11R_IS_SESSION(h)) {
        return C_WrapKey(h, m, wrapping, key, out, out_len);
    }
    R_CALL(h, false, m != NULL && out_len != NULL, p11r_wrap(r, s, m, wrapping, key, out, out_len));
}

CK_RV
p11d_C_UnwrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE unwrapping,
                 CK_BYTE_PTR wrapped, CK_ULONG wrapped_len, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                 CK_OBJECT_HANDLE_PTR phKey)
{
    if (!P11R_IS_SESSION(h)) {
        return C_UnwrapKey(h, m, unwrapping, wrapped, wrapped_len, t, n, phKey);
    }
    R_CALL(h, true, m != NULL && wrapped != NULL && OPT(t, n) && phKey != NULL,
           p11r_unwrap(r, s, m, unwrapping, wrapped, wrapped_len, t, n, phKey));
}

CK_RV
p11d_C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE base,
                 CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR phKey)
{
    if (!P11R_IS_SESSION(h)) {
        return C_DeriveKey(h, m, base, t, n, phKey);
    }
    R_CALL(h, true, m != NULL && OPT(t, n) && phKey != NULL,
           p11r_derive(r, s, m, base, t, n, phKey));
}

CK_RV
p11d_C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
    if (!P11R_IS_SESSION(h)) {
        return C_SeedRandom(h, pSeed, ulSeedLen);
    }
    R_CALL(h, false, OPT(pSeed, ulSeedLen), CKR_RANDOM_SEED_NOT_SUPPORTED);
}

CK_RV
p11d_C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
    if (!P11R_IS_SESSION(h)) {
        return C_GenerateRandom(h, out, len);
    }
    R_CALL(h, false, OPT(out, len), p11r_random(s, out, len));
}
