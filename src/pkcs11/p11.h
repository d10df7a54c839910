/* SPDX-License-Identifier: Apache-2.0 */
/*
 * p11.h - private interfaces of the PKCS#11 module (src/pkcs11 only).
 *
 * Pieces: mutex.c (CK_C_INITIALIZE_ARGS callbacks or pthreads), module.c
 * (lifetime, fork), slots.c (slot table), sessions.c (session handle table),
 * find.c (C_FindObjects state), info.c (CK_*_INFO), gate.c (the declarative
 * steps every C_* function is built from), entry.c (the C_* functions) and
 * interface.c (function lists). rv_map.h translates fh_rv.
 *
 * Lock order (STYLE rule 18): module life lock (read, held for the whole
 * call) -> session call lock -> slot lock -> session table lock / slot table
 * lock (leaves). The core's tok->lock and ctx->lock come after all of them;
 * the core never calls back into the module.
 */
#ifndef FERROHSM_PKCS11_P11_H
#define FERROHSM_PKCS11_P11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ferrohsm/ctx.h"
#include "ferrohsm/mech.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/secret.h"
#include "ferrohsm/session.h"
#include "ferrohsm/token.h"
#include "rv_map.h"

/* ---- mutex.c: the application's callbacks, or OS locking ---- */

/*
 * Choose the lock implementation from C_Initialize's arguments (NULL: OS
 * locking). CKR_ARGUMENTS_BAD when only some callbacks are given or
 * pReserved is set. Callbacks without CKF_OS_LOCKING_OK: the callbacks.
 */
CK_RV p11_mutex_setup(const CK_C_INITIALIZE_ARGS *args);
/* Back to OS locking (C_Finalize, or a child after fork). */
void p11_mutex_reset(void);
CK_RV p11_mutex_new(void **out);
void p11_mutex_free(void *m); /* NULL is a no-op */
void p11_mutex_lock(void *m);
void p11_mutex_unlock(void *m);

/* ---- slots.c ---- */

/*
 * The slot of the uninitialised token at C_Initialize. See slots.c for what
 * happens to slot ids when C_InitToken runs.
 */
#define P11_EMPTY_SLOT_ID ((CK_SLOT_ID)0x7FFF0000UL)

struct p11_slot {
    CK_SLOT_ID id;    /* fixed for the slot's life (see slots.c) */
    int64_t store_id; /* the token's store id; -1 for the empty slot */
    fh_token *tok;    /* NULL for the empty slot; set once, under lock, by C_InitToken */
    void *lock;       /* guards n_sessions, n_rw and the init/login checks */
    CK_ULONG n_sessions;
    CK_ULONG n_rw;
    bool gone; /* token deleted: no longer listed; freed at C_Finalize */
};

/* Slots are never freed before C_Finalize, so a slot pointer stays valid. */
struct p11_slots {
    void *lock; /* guards v, n, cap and every slot's gone flag */
    struct p11_slot **v;
    size_t n, cap;
    struct p11_slot *empty;
    CK_SLOT_ID next_empty; /* id of the next empty slot made by C_InitToken */
    fh_token **retired;    /* tokens replaced by re-initialisation; closed at C_Finalize */
    size_t n_retired, cap_retired;
};

fh_rv p11_slots_init(struct p11_slots *t, fh_ctx *ctx);
void p11_slots_free(struct p11_slots *t);
/* Re-read the token list: add new tokens, mark deleted ones gone. */
fh_rv p11_slots_refresh(struct p11_slots *t, fh_ctx *ctx);
/* C_GetSlotList buffer semantics (§5.5.2): out NULL gives the count. */
CK_RV p11_slots_list(struct p11_slots *t, CK_SLOT_ID *out, CK_ULONG *count);
/* The listed slot with that id, or NULL. */
struct p11_slot *p11_slot_get(struct p11_slots *t, CK_SLOT_ID id);
/* The slot's token (NULL: the empty slot), read under the slot lock. */
fh_token *p11_slot_token(struct p11_slot *slot);
/* C_InitToken on slot (empty or not); label is the 32-byte padded field. */
CK_RV p11_slot_init_token(struct p11_slots *t, fh_ctx *ctx, struct p11_slot *slot,
                          const CK_UTF8CHAR *pin, CK_ULONG pin_len, const CK_UTF8CHAR *label);
/* Count a new session in (CKR_SESSION_READ_WRITE_SO_EXISTS) / out of slot. */
CK_RV p11_slot_session_add(struct p11_slot *slot, bool rw);
void p11_slot_session_remove(struct p11_slot *slot, bool rw);
/* CKR_SESSION_READ_ONLY_EXISTS when who is CKU_SO and a R/O session is open. */
CK_RV p11_slot_login_check(struct p11_slot *slot, CK_USER_TYPE who);

/* ---- find.c ---- */

struct p11_find {
    bool active;
    CK_OBJECT_HANDLE *v; /* snapshot taken at C_FindObjectsInit */
    size_t n, pos;
};

fh_rv p11_find_init(struct p11_find *f, fh_session *fs, const CK_ATTRIBUTE *tmpl, CK_ULONG n);
fh_rv p11_find_next(struct p11_find *f, CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *count);
fh_rv p11_find_final(struct p11_find *f);
void p11_find_clear(struct p11_find *f);

/* ---- sessions.c ---- */

struct p11_session {
    CK_SESSION_HANDLE h;
    struct p11_slot *slot;
    fh_token *tok; /* slot's token; cannot change while a session is open */
    fh_session *fs;
    bool rw;
    void *lock;           /* held for the duration of one call on the session */
    unsigned refs; /* table reference + calls in flight; atomic, raised under its shard's lock */
    bool closed;   /* removed from the table; atomic, set under its shard's lock */
    struct p11_find find; /* call lock */
};

/* The sessions whose handle is i modulo P11_SHARDS, on cache lines of their
 * own: calls on sessions of different shards share no line (sessions.c). */
#define P11_SHARDS 16
struct p11_shard {
    _Alignas(64) void *lock; /* guards v, n, cap */
    struct p11_session **v;  /* sorted by handle */
    size_t n, cap;
};

struct p11_sessions {
    CK_SESSION_HANDLE next;   /* atomic */
    struct p11_shard *shards; /* P11_SHARDS, 64-byte aligned */
};

fh_rv p11_sessions_init(struct p11_sessions *t);
/* Close every session (C_Finalize), then free the table. */
void p11_sessions_free(struct p11_sessions *t);
CK_RV p11_session_open(struct p11_sessions *t, struct p11_slot *slot, bool rw,
                       CK_SESSION_HANDLE *out);
/* Reference and lock the session (CKR_SESSION_HANDLE_INVALID). */
CK_RV p11_session_acquire(struct p11_sessions *t, CK_SESSION_HANDLE h, struct p11_session **out);
/* Unlock and unreference; the last reference closes the core session. */
void p11_session_release(struct p11_sessions *t, struct p11_session *s);
/* Remove an acquired session from the table; it closes on release. */
void p11_session_close_locked(struct p11_sessions *t, struct p11_session *s);
/* C_CloseAllSessions. */
void p11_sessions_close_slot(struct p11_sessions *t, struct p11_slot *slot);
/* CKS_* of the session. */
CK_STATE p11_session_state(const struct p11_session *s);

/* ---- module.c ---- */

struct p11_remote; /* remote.h: the [remote.*] slots, NULL when none */

struct p11_module {
    pid_t pid;
    fh_ctx *ctx;
    struct p11_slots slots;
    struct p11_sessions sessions;
    struct p11_remote *remote;
};

CK_RV p11_module_initialize(CK_VOID_PTR args);
CK_RV p11_module_finalize(CK_VOID_PTR reserved);
/* The module of this process, with the life lock held for reading; NULL when
 * not initialised (or in a child after fork). Pair with p11_module_leave. */
struct p11_module *p11_module_enter(void);
void p11_module_leave(struct p11_module *m);

/* ---- info.c ---- */

void p11_pad(CK_UTF8CHAR *dst, size_t n, const char *src);
void p11_info(CK_INFO *info);
void p11_slot_info(struct p11_slot *slot, CK_SLOT_INFO *info);
fh_rv p11_token_info(fh_ctx *ctx, struct p11_slot *slot, CK_TOKEN_INFO *info);
CK_RV p11_mech_list(fh_ctx *ctx, CK_MECHANISM_TYPE *out, CK_ULONG *count);
CK_RV p11_mech_info(fh_ctx *ctx, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

/* ---- gate.c: the steps of a C_* function ---- */

enum p11_gate {
    P11_GATE_ANY = 0, /* any session state */
    P11_GATE_RW,      /* a R/W session: CKR_SESSION_READ_ONLY otherwise */
};

struct p11_call {
    enum fh_p11_ctx ctx;
    struct p11_module *mod;
    struct p11_session *s;
    fh_session *fs;
};
#define P11_CALL_INIT(c)                                                                           \
    {                                                                                              \
        (c), NULL, NULL, NULL                                                                      \
    }

/* Each step does nothing when rv is not CKR_OK, so a C_* body reads as the ladder. */
CK_RV p11_enter(struct p11_call *call);
CK_RV p11_args(CK_RV rv, bool ok);
CK_RV p11_session(struct p11_call *call, CK_RV rv, CK_SESSION_HANDLE h, enum p11_gate g);
CK_RV p11_slot(struct p11_call *call, CK_RV rv, CK_SLOT_ID id, struct p11_slot **out);
CK_RV p11_ckr(const struct p11_call *call, CK_RV rv, fh_rv r);
CK_RV p11_leave(struct p11_call *call, CK_RV rv);

/* PIN copied into an fh_secret at the boundary (STYLE rule 15). */
fh_rv p11_pin(const CK_UTF8CHAR *pin, CK_ULONG len, fh_secret **out);
fh_rv p11_login(struct p11_call *call, CK_USER_TYPE who, const CK_UTF8CHAR *pin, CK_ULONG len);
fh_rv p11_set_pin(struct p11_call *call, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
                  const CK_UTF8CHAR *new_pin, CK_ULONG new_len);
fh_rv p11_init_pin(struct p11_call *call, const CK_UTF8CHAR *pin, CK_ULONG len);
void p11_session_info(const struct p11_call *call, CK_SESSION_INFO *info);
/* CK_ULONG <-> size_t adapters of fh_op_*; *out_len is written on OK and BUFFER_TOO_SMALL. */
fh_rv p11_oneshot(fh_session *fs, enum fh_op_kind op, const CK_BYTE *in, CK_ULONG in_len,
                  CK_BYTE *out, CK_ULONG *out_len);
fh_rv p11_update(fh_session *fs, enum fh_op_kind op, const CK_BYTE *in, CK_ULONG in_len,
                 CK_BYTE *out, CK_ULONG *out_len);
fh_rv p11_final(fh_session *fs, enum fh_op_kind op, CK_BYTE *out, CK_ULONG *out_len);
fh_rv p11_verify(fh_session *fs, bool oneshot, const CK_BYTE *in, CK_ULONG in_len,
                 const CK_BYTE *sig, CK_ULONG sig_len);
CK_RV p11_wrap(const struct p11_call *call, const CK_MECHANISM *mech, CK_OBJECT_HANDLE wrapping,
               CK_OBJECT_HANDLE key, CK_BYTE *out, CK_ULONG *out_len);
void p11_cancel(struct p11_call *call, CK_FLAGS flags);

#endif /* FERROHSM_PKCS11_P11_H */
