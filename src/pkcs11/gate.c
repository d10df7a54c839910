/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate.c - the steps every C_* function is assembled from (STYLE rule 22).
 *
 * The ladder is SoftHSM's: initialised (CKR_CRYPTOKI_NOT_INITIALIZED), then
 * pointer arguments (CKR_ARGUMENTS_BAD), then the session handle
 * (CKR_SESSION_HANDLE_INVALID) or slot id (CKR_SLOT_ID_INVALID), then the
 * session-state gate, then the core, whose fh_rv is translated once with the
 * call's context. Each step passes a non-OK rv through untouched. p11_leave
 * releases the session and the module's life lock whatever happened.
 *
 * The small adapters below convert CK_ULONG lengths to size_t and copy
 * PINs into fh_secret at the boundary; policy stays in the core.
 */
#include "p11.h"

#include <string.h>

CK_RV
p11_enter(struct p11_call *call)
{
    call->mod = p11_module_enter();
    return call->mod != NULL ? CKR_OK : CKR_CRYPTOKI_NOT_INITIALIZED;
}

CK_RV
p11_args(CK_RV rv, bool ok)
{
    return rv != CKR_OK ? rv : ok ? CKR_OK : CKR_ARGUMENTS_BAD;
}

CK_RV
p11_session(struct p11_call *call, CK_RV rv, CK_SESSION_HANDLE h, enum p11_gate g)
{
    if (rv != CKR_OK) {
        return rv;
    }
    rv = p11_session_acquire(&call->mod->sessions, h, &call->s);
    if (rv != CKR_OK) {
        return rv;
    }
    call->fs = call->s->fs;
    if (g == P11_GATE_RW && !call->s->rw) {
        return CKR_SESSION_READ_ONLY;
    }
    return CKR_OK;
}

CK_RV
p11_slot(struct p11_call *call, CK_RV rv, CK_SLOT_ID id, struct p11_slot **out)
{
    struct p11_slot *slot;

    if (rv != CKR_OK) {
        return rv;
    }
    slot = p11_slot_get(&call->mod->slots, id);
    if (slot == NULL) {
        return CKR_SLOT_ID_INVALID;
    }
    *out = slot;
    return CKR_OK;
}

CK_RV
p11_ckr(const struct p11_call *call, CK_RV rv, fh_rv r)
{
    return rv != CKR_OK ? rv : fh_rv_to_ckr(r, call->ctx);
}

CK_RV
p11_leave(struct p11_call *call, CK_RV rv)
{
    if (call->s != NULL) {
        p11_session_release(&call->mod->sessions, call->s);
        call->s = NULL;
    }
    p11_module_leave(call->mod);
    call->mod = NULL;
    return rv;
}

fh_rv
p11_pin(const CK_UTF8CHAR *pin, CK_ULONG len, fh_secret **out)
{
    if (pin == NULL) {
        return FH_E_ARGS; /* no protected authentication path (§5.6.4) */
    }
    if (len > FH_PIN_MAX) {
        return FH_E_PIN_LEN_RANGE;
    }
    return fh_secret_from(pin, len, out);
}

fh_rv
p11_login(struct p11_call *call, CK_USER_TYPE who, const CK_UTF8CHAR *pin, CK_ULONG len)
{
    fh_secret *s = NULL;
    fh_rv rv = p11_pin(pin, len, &s);

    if (rv == FH_OK) {
        rv = fh_token_login(call->s->tok, who, s);
    }
    fh_secret_free(s);
    return rv;
}

fh_rv
p11_set_pin(struct p11_call *call, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
            const CK_UTF8CHAR *new_pin, CK_ULONG new_len)
{
    fh_token *tok = call->s->tok;
    /* §5.6.3: the PIN of the logged-in user, or CKU_USER's when public */
    CK_USER_TYPE who = fh_token_logged_in(tok) == CKU_SO ? CKU_SO : CKU_USER;
    fh_secret *o = NULL, *n = NULL;
    fh_rv rv = p11_pin(old_pin, old_len, &o);

    if (rv == FH_OK) {
        rv = p11_pin(new_pin, new_len, &n);
    }
    if (rv == FH_OK) {
        rv = fh_token_set_pin(tok, who, o, n);
    }
    fh_secret_free(o);
    fh_secret_free(n);
    return rv;
}

fh_rv
p11_init_pin(struct p11_call *call, const CK_UTF8CHAR *pin, CK_ULONG len)
{
    fh_secret *s = NULL;
    fh_rv rv = p11_pin(pin, len, &s);

    if (rv == FH_OK) {
        rv = fh_token_init_pin(call->s->tok, s);
    }
    fh_secret_free(s);
    return rv;
}

void
p11_session_info(const struct p11_call *call, CK_SESSION_INFO *info)
{
    memset(info, 0, sizeof(*info));
    info->slotID = call->s->slot->id;
    info->state = p11_session_state(call->s);
    info->flags = CKF_SERIAL_SESSION | (call->s->rw ? CKF_RW_SESSION : 0);
    info->ulDeviceError = 0;
}

fh_rv
p11_oneshot(fh_session *fs, enum fh_op_kind op, const CK_BYTE *in, CK_ULONG in_len, CK_BYTE *out,
            CK_ULONG *out_len)
{
    size_t len = *out_len;
    fh_rv rv = fh_op_oneshot(fs, op, in, in_len, out, &len);

    if (rv == FH_OK || rv == FH_E_BUFFER_TOO_SMALL) {
        *out_len = len;
    }
    return rv;
}

fh_rv
p11_update(fh_session *fs, enum fh_op_kind op, const CK_BYTE *in, CK_ULONG in_len, CK_BYTE *out,
           CK_ULONG *out_len)
{
    size_t len = out_len != NULL ? *out_len : 0;
    fh_rv rv = fh_op_update(fs, op, in, in_len, out, out_len != NULL ? &len : NULL);

    if (out_len != NULL && (rv == FH_OK || rv == FH_E_BUFFER_TOO_SMALL)) {
        *out_len = len;
    }
    return rv;
}

fh_rv
p11_final(fh_session *fs, enum fh_op_kind op, CK_BYTE *out, CK_ULONG *out_len)
{
    size_t len = *out_len;
    fh_rv rv = fh_op_final(fs, op, out, &len);

    if (rv == FH_OK || rv == FH_E_BUFFER_TOO_SMALL) {
        *out_len = len;
    }
    return rv;
}

fh_rv
p11_verify(fh_session *fs, bool oneshot, const CK_BYTE *in, CK_ULONG in_len, const CK_BYTE *sig,
           CK_ULONG sig_len)
{
    size_t len = sig_len;
    /* the core reads the signature through its out parameter (session.h) */
    uint8_t *s = (uint8_t *)(uintptr_t)sig;

    return oneshot ? fh_op_oneshot(fs, FH_OP_VERIFY, in, in_len, s, &len)
                   : fh_op_final(fs, FH_OP_VERIFY, s, &len);
}

/*
 * C_WrapKey names two keys; the core reports either as FH_E_KEY_HANDLE_INVALID.
 * §5.14.1 separates them (CKR_WRAPPING_KEY_HANDLE_INVALID), so the wrapping
 * handle is probed first, as SoftHSM's ladder checks it first.
 * TODO(core): fh_key_wrap returning a distinct code for the wrapping key.
 */
CK_RV
p11_wrap(const struct p11_call *call, const CK_MECHANISM *mech, CK_OBJECT_HANDLE wrapping,
         CK_OBJECT_HANDLE key, CK_BYTE *out, CK_ULONG *out_len)
{
    CK_OBJECT_CLASS cls;
    CK_ATTRIBUTE probe = {CKA_CLASS, &cls, sizeof(cls)};
    size_t len = *out_len;
    fh_rv rv = fh_object_get_attributes(call->fs, wrapping, &probe, 1);

    if (rv == FH_E_OBJECT_HANDLE_INVALID || rv == FH_E_KEY_HANDLE_INVALID) {
        return CKR_WRAPPING_KEY_HANDLE_INVALID;
    }
    rv = fh_key_wrap(call->fs, mech, wrapping, key, out, &len);
    if (rv == FH_OK || rv == FH_E_BUFFER_TOO_SMALL) {
        *out_len = len;
    }
    return fh_rv_to_ckr(rv, call->ctx);
}

void
p11_cancel(struct p11_call *call, CK_FLAGS flags)
{
    static const struct {
        CK_FLAGS flag;
        enum fh_op_kind op;
    } map[] = {
        {CKF_ENCRYPT, FH_OP_ENCRYPT}, {CKF_DECRYPT, FH_OP_DECRYPT}, {CKF_SIGN, FH_OP_SIGN},
        {CKF_VERIFY, FH_OP_VERIFY},   {CKF_DIGEST, FH_OP_DIGEST},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if ((flags & map[i].flag) != 0) {
            fh_op_cancel(call->fs, map[i].op);
        }
    }
    if ((flags & CKF_FIND_OBJECTS) != 0) {
        p11_find_clear(&call->s->find);
    }
}
