/* SPDX-License-Identifier: Apache-2.0 */
/*
 * info.c - CK_INFO, CK_SLOT_INFO, CK_TOKEN_INFO and mechanism information.
 *
 * Character fields are blank-padded and never NUL-terminated (§3.2). The
 * token's flags come from the core's fh_token_info; session counts from the
 * slot (this process's sessions, as §3.2 CK_TOKEN_INFO defines them).
 */
#include "p11.h"

#include <stdio.h>
#include <string.h>

#define P11_MANUFACTURER "FerroHSM"
#define P11_MODEL "FerroHSM soft"

void
p11_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
    size_t len = strlen(src);

    memset(dst, ' ', n);
    memcpy(dst, src, len < n ? len : n);
}

void
p11_info(CK_INFO *info)
{
    memset(info, 0, sizeof(*info));
    info->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
    info->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
    p11_pad(info->manufacturerID, sizeof(info->manufacturerID), P11_MANUFACTURER);
    info->flags = 0;
    p11_pad(info->libraryDescription, sizeof(info->libraryDescription), "FerroHSM PKCS#11 module");
    info->libraryVersion.major = 0;
    info->libraryVersion.minor = 1;
}

void
p11_slot_info(struct p11_slot *slot, CK_SLOT_INFO *info)
{
    fh_token *tok = p11_slot_token(slot);
    char desc[65];

    memset(info, 0, sizeof(*info));
    if (tok == NULL) {
        snprintf(desc, sizeof(desc), "FerroHSM slot for a new token");
    } else {
        snprintf(desc, sizeof(desc), "FerroHSM token %.32s", fh_token_label(tok));
    }
    p11_pad(info->slotDescription, sizeof(info->slotDescription), desc);
    p11_pad(info->manufacturerID, sizeof(info->manufacturerID), P11_MANUFACTURER);
    info->flags = CKF_TOKEN_PRESENT;
    info->hardwareVersion.major = 0;
    info->hardwareVersion.minor = 1;
    info->firmwareVersion.major = 0;
    info->firmwareVersion.minor = 1;
}

static CK_FLAGS
pin_flags(uint32_t failures, uint32_t max, bool locked, CK_FLAGS low, CK_FLAGS final, CK_FLAGS lock)
{
    CK_FLAGS f = 0;

    if (locked) {
        return lock;
    }
    if (failures > 0) {
        f |= low;
    }
    if (max > 0 && failures == max - 1) {
        f |= final;
    }
    return f;
}

fh_rv
p11_token_info(fh_ctx *ctx, struct p11_slot *slot, CK_TOKEN_INFO *info)
{
    fh_token *tok = p11_slot_token(slot);
    struct fh_token_info ti;
    fh_rv rv = FH_OK;

    memset(info, 0, sizeof(*info));
    memset(&ti, 0, sizeof(ti));
    if (tok != NULL) {
        rv = fh_token_get_info(tok, &ti);
        if (rv != FH_OK) {
            return rv;
        }
    }
    p11_pad(info->label, sizeof(info->label), ti.label);
    p11_pad(info->manufacturerID, sizeof(info->manufacturerID), P11_MANUFACTURER);
    p11_pad(info->model, sizeof(info->model), P11_MODEL);
    p11_pad(info->serialNumber, sizeof(info->serialNumber), ti.serial);
    info->flags = CKF_RNG | CKF_LOGIN_REQUIRED;
    if (tok != NULL) {
        info->flags |= CKF_TOKEN_INITIALIZED;
        info->flags |= ti.user_pin_initialized ? CKF_USER_PIN_INITIALIZED : 0;
        info->flags |=
            pin_flags(ti.user_failures, ti.max_failures, ti.user_pin_locked, CKF_USER_PIN_COUNT_LOW,
                      CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED);
        info->flags |= pin_flags(ti.so_failures, ti.max_failures, ti.so_pin_locked,
                                 CKF_SO_PIN_COUNT_LOW, CKF_SO_PIN_FINAL_TRY, CKF_SO_PIN_LOCKED);
    }
    info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
    p11_mutex_lock(slot->lock);
    info->ulSessionCount = slot->n_sessions;
    info->ulRwSessionCount = slot->n_rw;
    p11_mutex_unlock(slot->lock);
    info->ulMaxPinLen = FH_PIN_MAX;
    info->ulMinPinLen = fh_ctx_min_pin_len(ctx);
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion.major = 0;
    info->hardwareVersion.minor = 1;
    info->firmwareVersion.major = 0;
    info->firmwareVersion.minor = 1;
    p11_pad(info->utcTime, sizeof(info->utcTime), ""); /* no CKF_CLOCK_ON_TOKEN */
    return FH_OK;
}

CK_RV
p11_mech_list(fh_ctx *ctx, CK_MECHANISM_TYPE *out, CK_ULONG *count)
{
    size_t n = fh_mech_count(ctx);

    if (out != NULL && *count < n) {
        *count = n;
        return CKR_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; out != NULL && i < n; i++) {
        out[i] = fh_mech_at(ctx, i)->type;
    }
    *count = n;
    return CKR_OK;
}

CK_RV
p11_mech_info(fh_ctx *ctx, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
    const struct fh_mech_desc *m = fh_mech_get(ctx, type);

    if (m == NULL) {
        return CKR_MECHANISM_INVALID;
    }
    info->ulMinKeySize = m->min_key;
    info->ulMaxKeySize = m->max_key;
    info->flags = m->flags;
    return CKR_OK;
}
