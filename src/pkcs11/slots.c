/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slots.c - the slot table: one slot per token plus one empty slot.
 *
 * Slot ids and restarts. At C_Initialize every token's slot id is its store
 * id (fh_token_info.id), so ids are stable across restarts, and the slot of
 * the uninitialised token is P11_EMPTY_SLOT_ID (0x7FFF0000). That fixed id is
 * NOT stable across C_InitToken: a slot keeps its id for the life of the
 * C_Initialize, so after C_InitToken on slot 0x7FFF0000 the new token stays
 * in slot 0x7FFF0000 until C_Finalize (the application that initialised it
 * opens its session there, as PKCS#11 §5.5.7 and SoftHSM behave) and a fresh
 * empty slot appears as 0x7FFF0001, 0x7FFF0002, ...; after the next
 * C_Initialize the token is listed under its own store id and 0x7FFF0000 is
 * the empty slot again. Re-initialising an existing token is delete + create
 * in the core, so that token, too, is listed under a new store id after the
 * next C_Initialize. Applications that remember a slot across restarts
 * should find the token again by label or serial.
 *
 * The table is read at C_Initialize and refreshed at C_GetSlotList with a
 * NULL list (§5.5.2: the count call is where the list may change). A token
 * deleted behind our back is marked gone: unlisted, but its slot lives until
 * C_Finalize, so a slot pointer taken by any call stays valid.
 *
 * Locks: t->lock guards the arrays, t->empty, next_empty and the gone flags;
 * slot->lock guards the session counts and slot->tok, and makes "no session
 * open" checks atomic with what depends on them (C_InitToken, logout when
 * the last session closes). Order: slot->lock -> t->lock.
 */
#include "p11.h"

#include <stdlib.h>
#include <string.h>

static void
slot_free(struct p11_slot *s)
{
    if (s == NULL) {
        return;
    }
    fh_token_close(s->tok);
    p11_mutex_free(s->lock);
    free(s);
}

/* A slot for the token `label` with store id store_id, or an empty slot (label NULL). */
static fh_rv
slot_new(fh_ctx *ctx, CK_SLOT_ID id, int64_t store_id, const char *label, struct p11_slot **out)
{
    struct p11_slot *s = calloc(1, sizeof(*s));
    fh_rv rv = FH_OK;

    if (s == NULL) {
        return FH_E_NOMEM;
    }
    s->id = id;
    s->store_id = store_id;
    if (p11_mutex_new(&s->lock) != CKR_OK) {
        rv = FH_E_NOMEM;
    }
    if (rv == FH_OK && label != NULL) {
        rv = fh_token_open(ctx, label, &s->tok);
    }
    if (rv != FH_OK) {
        slot_free(s);
        return rv;
    }
    *out = s;
    return FH_OK;
}

static fh_rv
slots_push_locked(struct p11_slots *t, struct p11_slot *s)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct p11_slot **v = realloc(t->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = s;
    return FH_OK;
}

static fh_rv
retire_locked(struct p11_slots *t, fh_token *tok)
{
    if (t->n_retired == t->cap_retired) {
        size_t cap = t->cap_retired ? t->cap_retired * 2 : 4;
        fh_token **v = realloc(t->retired, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        t->retired = v;
        t->cap_retired = cap;
    }
    t->retired[t->n_retired++] = tok;
    return FH_OK;
}

fh_rv
p11_slots_init(struct p11_slots *t, fh_ctx *ctx)
{
    fh_rv rv;

    memset(t, 0, sizeof(*t));
    t->next_empty = P11_EMPTY_SLOT_ID + 1;
    if (p11_mutex_new(&t->lock) != CKR_OK) {
        return FH_E_NOMEM;
    }
    rv = slot_new(ctx, P11_EMPTY_SLOT_ID, -1, NULL, &t->empty);
    return rv == FH_OK ? p11_slots_refresh(t, ctx) : rv;
}

void
p11_slots_free(struct p11_slots *t)
{
    for (size_t i = 0; i < t->n; i++) {
        slot_free(t->v[i]);
    }
    for (size_t i = 0; i < t->n_retired; i++) {
        fh_token_close(t->retired[i]);
    }
    free(t->retired);
    free(t->v);
    slot_free(t->empty);
    p11_mutex_free(t->lock);
    memset(t, 0, sizeof(*t));
}

static bool
listed_locked(const struct p11_slots *t, int64_t store_id)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i]->store_id == store_id && !t->v[i]->gone) {
            return true;
        }
    }
    return false;
}

fh_rv
p11_slots_refresh(struct p11_slots *t, fh_ctx *ctx)
{
    struct fh_token_info *info = NULL;
    size_t count = 0;
    fh_rv rv = fh_token_list(ctx, &info, &count);

    if (rv != FH_OK) {
        return rv;
    }
    p11_mutex_lock(t->lock);
    for (size_t i = 0; i < t->n; i++) {
        struct p11_slot *s = t->v[i];
        bool found = false;

        /* label too: a store id reused by a new token is a different token */
        for (size_t j = 0; j < count && !found; j++) {
            found = info[j].id == s->store_id && strcmp(info[j].label, fh_token_label(s->tok)) == 0;
        }
        s->gone = s->gone || !found;
    }
    for (size_t j = 0; rv == FH_OK && j < count; j++) {
        struct p11_slot *s = NULL;

        if (info[j].id < 0 || listed_locked(t, info[j].id)) {
            continue;
        }
        rv = slot_new(ctx, (CK_SLOT_ID)info[j].id, info[j].id, info[j].label, &s);
        if (rv == FH_E_NOT_FOUND) {
            rv = FH_OK; /* deleted meanwhile */
            continue;
        }
        if (rv == FH_OK) {
            rv = slots_push_locked(t, s);
        }
        if (rv != FH_OK) {
            slot_free(s);
        }
    }
    p11_mutex_unlock(t->lock);
    free(info);
    return rv;
}

CK_RV
p11_slots_list(struct p11_slots *t, CK_SLOT_ID *out, CK_ULONG *count)
{
    CK_ULONG n = 1; /* the empty slot, listed last */
    CK_RV rv = CKR_OK;

    p11_mutex_lock(t->lock);
    for (size_t i = 0; i < t->n; i++) {
        n += t->v[i]->gone ? 0 : 1;
    }
    if (out != NULL && *count < n) {
        rv = CKR_BUFFER_TOO_SMALL;
    } else if (out != NULL) {
        CK_ULONG k = 0;

        for (size_t i = 0; i < t->n; i++) {
            if (!t->v[i]->gone) {
                out[k++] = t->v[i]->id;
            }
        }
        out[k] = t->empty->id;
    }
    *count = n;
    p11_mutex_unlock(t->lock);
    return rv;
}

struct p11_slot *
p11_slot_get(struct p11_slots *t, CK_SLOT_ID id)
{
    struct p11_slot *s = NULL;

    p11_mutex_lock(t->lock);
    for (size_t i = 0; i < t->n && s == NULL; i++) {
        if (t->v[i]->id == id && !t->v[i]->gone) {
            s = t->v[i];
        }
    }
    if (s == NULL && t->empty->id == id) {
        s = t->empty;
    }
    p11_mutex_unlock(t->lock);
    return s;
}

fh_token *
p11_slot_token(struct p11_slot *slot)
{
    fh_token *tok;

    p11_mutex_lock(slot->lock);
    tok = slot->tok;
    p11_mutex_unlock(slot->lock);
    return tok;
}

/* The 32-byte blank-padded label field as a C string, trailing blanks cut. */
static void
label_trim(const CK_UTF8CHAR *field, char out[FH_TOKEN_LABEL_MAX + 1])
{
    size_t n = FH_TOKEN_LABEL_MAX;

    memcpy(out, field, n);
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0')) {
        n--;
    }
    out[n] = '\0';
}

static bool
label_taken(struct p11_slots *t, const char *label, const struct p11_slot *except)
{
    bool taken = false;

    p11_mutex_lock(t->lock);
    for (size_t i = 0; i < t->n && !taken; i++) {
        taken =
            t->v[i] != except && !t->v[i]->gone && strcmp(fh_token_label(t->v[i]->tok), label) == 0;
    }
    p11_mutex_unlock(t->lock);
    return taken;
}

/*
 * Put the new token in slot (slot->lock held). The empty slot becomes a
 * token slot under its id and a new empty slot takes its place; a
 * re-initialised slot retires its old fh_token (a concurrent reader may
 * still hold the pointer; it is closed at C_Finalize).
 */
static fh_rv
install_locked(struct p11_slots *t, fh_ctx *ctx, struct p11_slot *slot, const char *label)
{
    struct fh_token_info ti;
    struct p11_slot *empty = NULL;
    fh_token *tok = NULL;
    fh_rv rv = fh_token_open(ctx, label, &tok);

    if (rv == FH_OK) {
        rv = fh_token_get_info(tok, &ti);
    }
    p11_mutex_lock(t->lock);
    if (rv == FH_OK && slot->tok == NULL) {
        rv = slot_new(ctx, t->next_empty, -1, NULL, &empty);
        rv = rv == FH_OK ? slots_push_locked(t, slot) : rv;
        if (rv == FH_OK) {
            t->next_empty++;
            t->empty = empty;
            empty = NULL;
        }
    } else if (rv == FH_OK) {
        rv = retire_locked(t, slot->tok);
    }
    if (rv == FH_OK) {
        slot->tok = tok;
        slot->store_id = ti.id;
        tok = NULL;
    }
    p11_mutex_unlock(t->lock);
    slot_free(empty);
    fh_token_close(tok);
    return rv;
}

CK_RV
p11_slot_init_token(struct p11_slots *t, fh_ctx *ctx, struct p11_slot *slot, const CK_UTF8CHAR *pin,
                    CK_ULONG pin_len, const CK_UTF8CHAR *label_field)
{
    char label[FH_TOKEN_LABEL_MAX + 1];
    fh_secret *so_pin = NULL;
    fh_rv rv;

    label_trim(label_field, label);
    rv = p11_slots_refresh(t, ctx);
    if (rv == FH_OK) {
        rv = p11_pin(pin, pin_len, &so_pin);
    }
    if (rv != FH_OK) {
        return fh_rv_to_ckr(rv, FH_P11_CTX_INIT_TOKEN);
    }
    p11_mutex_lock(slot->lock);
    if (slot->n_sessions > 0) {
        p11_mutex_unlock(slot->lock);
        fh_secret_free(so_pin);
        return CKR_SESSION_EXISTS; /* §5.5.7 */
    }
    if (label_taken(t, label, slot)) {
        rv = FH_E_EXISTS; /* refuse before deleting anything */
    } else if (slot->tok != NULL) {
        /*
         * Re-initialisation (§5.5.7: all objects are destroyed): one core
         * transaction checks the SO PIN, destroys the objects, unsets the
         * user PIN and relabels, keeping the store id (so the slot id
         * survives restarts). install_locked then swaps in a fresh fh_token,
         * so no handle or cached key of the old contents survives.
         */
        rv = fh_token_reinit(ctx, slot->store_id, label, so_pin);
    } else {
        rv = fh_token_create(ctx, label, so_pin, NULL);
    }
    if (rv == FH_OK) {
        rv = install_locked(t, ctx, slot, label);
    }
    p11_mutex_unlock(slot->lock);
    fh_secret_free(so_pin);
    return fh_rv_to_ckr(rv, FH_P11_CTX_INIT_TOKEN);
}

CK_RV
p11_slot_session_add(struct p11_slot *slot, bool rw)
{
    CK_RV rv = CKR_OK;

    p11_mutex_lock(slot->lock);
    if (!rw && fh_token_logged_in(slot->tok) == CKU_SO) {
        rv = CKR_SESSION_READ_WRITE_SO_EXISTS; /* §5.6.1 */
    } else {
        slot->n_sessions++;
        slot->n_rw += rw ? 1 : 0;
    }
    p11_mutex_unlock(slot->lock);
    return rv;
}

void
p11_slot_session_remove(struct p11_slot *slot, bool rw)
{
    p11_mutex_lock(slot->lock);
    slot->n_sessions--;
    slot->n_rw -= rw ? 1 : 0;
    if (slot->n_sessions == 0 && fh_token_logged_in(slot->tok) != (CK_USER_TYPE)-1) {
        /* §5.6.2 C_CloseSession: closing the last session logs the user out */
        fh_rv rv = fh_token_logout(slot->tok);

        (void)rv;
    }
    p11_mutex_unlock(slot->lock);
}

CK_RV
p11_slot_login_check(struct p11_slot *slot, CK_USER_TYPE who)
{
    CK_RV rv = CKR_OK;

    p11_mutex_lock(slot->lock);
    if (who == CKU_SO && slot->n_sessions > slot->n_rw) {
        rv = CKR_SESSION_READ_ONLY_EXISTS; /* §5.6.4 C_Login */
    }
    p11_mutex_unlock(slot->lock);
    return rv;
}
