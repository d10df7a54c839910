/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sessions.c - the session handle table (STYLE rule 19).
 *
 * Handles are counters from 1, never reused and never pointers. A lookup
 * takes a reference under the table lock, then takes the session's call lock
 * (one call at a time per session: the core's contract) and re-checks
 * `closed`. Closing removes the session from the table; the last reference
 * closes the core session and uncounts it from its slot, which logs out
 * when it was the slot's last session (§5.6.2).
 *
 * The table is P11_SHARDS shards: handle h lives in shard h % P11_SHARDS,
 * each a sorted array with its own lock on its own cache lines. A call takes
 * its shard's lock once, for the lookup, so calls on sessions of different
 * shards (consecutive handles: sessions opened one after the other) share no
 * lock and no line here. With one table lock, two threads signing on two
 * sessions passed that lock's line back and forth twice a call: 8 % of their
 * time on AES-256-GCM of 4 KiB.
 *
 * Locks: a shard's lock guards its v/n/cap; next is atomic. A session's refs
 * and closed flag are atomic (refs is raised only under its shard's lock,
 * while the table's reference keeps the session alive; closed is set under
 * it). s->lock is held by the thread calling on s. Order: s->lock ->
 * slot->lock -> a shard's lock; one shard's lock at a time.
 */
#include "p11.h"

#include <stdlib.h>
#include <string.h>

static struct p11_shard *
shard_of(const struct p11_sessions *t, CK_SESSION_HANDLE h)
{
    return &t->shards[h % P11_SHARDS];
}

fh_rv
p11_sessions_init(struct p11_sessions *t)
{
    memset(t, 0, sizeof(*t));
    t->next = 1;
    t->shards = aligned_alloc(_Alignof(struct p11_shard), P11_SHARDS * sizeof(*t->shards));
    if (t->shards == NULL) {
        return FH_E_NOMEM;
    }
    memset(t->shards, 0, P11_SHARDS * sizeof(*t->shards));
    for (size_t k = 0; k < P11_SHARDS; k++) {
        if (p11_mutex_new(&t->shards[k].lock) != CKR_OK) {
            p11_sessions_free(t);
            return FH_E_NOMEM;
        }
    }
    return FH_OK;
}

static void
session_destroy(struct p11_session *s)
{
    p11_find_clear(&s->find);
    fh_session_close(s->fs);
    p11_slot_session_remove(s->slot, s->rw);
    p11_mutex_free(s->lock);
    free(s);
}

void
p11_sessions_free(struct p11_sessions *t)
{
    /* C_Finalize holds the life lock for writing: no call is in flight */
    for (size_t k = 0; t->shards != NULL && k < P11_SHARDS; k++) {
        struct p11_shard *sh = &t->shards[k];

        for (size_t i = 0; i < sh->n; i++) {
            session_destroy(sh->v[i]);
        }
        free(sh->v);
        if (sh->lock != NULL) {
            p11_mutex_free(sh->lock);
        }
    }
    free(t->shards);
    memset(t, 0, sizeof(*t));
}

static size_t
index_locked(const struct p11_shard *sh, CK_SESSION_HANDLE h, bool *found)
{
    size_t lo = 0, hi = sh->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (sh->v[mid]->h < h) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < sh->n && sh->v[lo]->h == h;
    return lo;
}

CK_RV
p11_session_open(struct p11_sessions *t, struct p11_slot *slot, bool rw, CK_SESSION_HANDLE *out)
{
    struct p11_session *s;
    struct p11_shard *sh;
    CK_RV rv;
    fh_rv r;

    rv = p11_slot_session_add(slot, rw);
    if (rv != CKR_OK) {
        return rv;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        p11_slot_session_remove(slot, rw);
        return CKR_HOST_MEMORY;
    }
    s->slot = slot;
    s->tok = p11_slot_token(slot); /* fixed now: the slot counts this session */
    s->rw = rw;
    s->refs = 1;
    rv = p11_mutex_new(&s->lock);
    r = rv == CKR_OK ? fh_session_open(s->tok, rw, &s->fs) : FH_E_NOMEM;
    if (r != FH_OK) {
        session_destroy(s);
        return fh_rv_to_ckr(r, FH_P11_CTX_TOKEN);
    }
    /* 2^64 opens before wrapping: never reused in practice */
    s->h = __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);
    sh = shard_of(t, s->h);
    p11_mutex_lock(sh->lock);
    if (sh->n == sh->cap) {
        size_t cap = sh->cap ? sh->cap * 2 : 16;
        struct p11_session **v = realloc(sh->v, cap * sizeof(*v));

        if (v == NULL) {
            rv = CKR_HOST_MEMORY;
        } else {
            sh->v = v;
            sh->cap = cap;
        }
    }
    if (rv == CKR_OK) {
        /* a later handle may have been inserted first: keep the order */
        bool found;
        size_t i = index_locked(sh, s->h, &found);

        memmove(&sh->v[i + 1], &sh->v[i], (sh->n - i) * sizeof(sh->v[0]));
        sh->v[i] = s;
        sh->n++;
        *out = s->h;
    }
    p11_mutex_unlock(sh->lock);
    if (rv != CKR_OK) {
        session_destroy(s);
    }
    return rv;
}

CK_RV
p11_session_acquire(struct p11_sessions *t, CK_SESSION_HANDLE h, struct p11_session **out)
{
    struct p11_shard *sh = shard_of(t, h);
    struct p11_session *s = NULL;
    bool found;
    size_t i;

    p11_mutex_lock(sh->lock);
    i = index_locked(sh, h, &found);
    if (found) {
        s = sh->v[i];
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED); /* the table's keeps it alive */
    }
    p11_mutex_unlock(sh->lock);
    if (s == NULL) {
        return CKR_SESSION_HANDLE_INVALID;
    }
    p11_mutex_lock(s->lock);
    if (__atomic_load_n(&s->closed, __ATOMIC_ACQUIRE)) {
        p11_session_release(t, s); /* closed while we waited for the call lock */
        return CKR_SESSION_HANDLE_INVALID;
    }
    *out = s;
    return CKR_OK;
}

static void
unref(struct p11_sessions *t, struct p11_session *s)
{
    (void)t;
    /* the last reference: the table's is gone, so no lookup can find s */
    if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        session_destroy(s);
    }
}

void
p11_session_release(struct p11_sessions *t, struct p11_session *s)
{
    if (s != NULL) {
        p11_mutex_unlock(s->lock);
        unref(t, s);
    }
}

/* Drop the table's reference (s's shard locked); the caller still holds its own. */
static void
remove_locked(struct p11_shard *sh, struct p11_session *s)
{
    bool found;
    size_t i = index_locked(sh, s->h, &found);

    if (found && !s->closed) {
        memmove(&sh->v[i], &sh->v[i + 1], (sh->n - i - 1) * sizeof(sh->v[0]));
        sh->n--;
        __atomic_store_n(&s->closed, true, __ATOMIC_RELEASE);
        /* never the last: the caller holds one */
        __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
    }
}

void
p11_session_close_locked(struct p11_sessions *t, struct p11_session *s)
{
    struct p11_shard *sh = shard_of(t, s->h);

    p11_mutex_lock(sh->lock);
    remove_locked(sh, s);
    p11_mutex_unlock(sh->lock);
}

void
p11_sessions_close_slot(struct p11_sessions *t, struct p11_slot *slot)
{
    for (size_t k = 0; k < P11_SHARDS; k++) {
        struct p11_shard *sh = &t->shards[k];
        struct p11_session **mine = NULL;
        size_t n = 0;

        p11_mutex_lock(sh->lock);
        mine = calloc(sh->n + 1, sizeof(*mine));
        for (size_t i = 0; mine != NULL && i < sh->n;) {
            struct p11_session *s = sh->v[i];

            if (s->slot == slot) {
                /* ours, so remove_locked never drops the last */
                __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
                remove_locked(sh, s);
                mine[n++] = s;
            } else {
                i++;
            }
        }
        p11_mutex_unlock(sh->lock);
        for (size_t i = 0; i < n; i++) {
            unref(t, mine[i]); /* a call in flight closes it when it returns */
        }
        free(mine);
    }
}

CK_STATE
p11_session_state(const struct p11_session *s)
{
    CK_USER_TYPE who = fh_token_logged_in(s->tok);

    if (who == CKU_SO) {
        return CKS_RW_SO_FUNCTIONS;
    }
    if (who == CKU_USER) {
        return s->rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    }
    return s->rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}
