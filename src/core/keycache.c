/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keycache.c - decrypted keys kept for repeated use.
 *
 * Starting an operation would otherwise read the object from the store, open
 * its seal and parse the key every time. The cache of an opened token maps a
 * store id to an entry holding the decrypted object and the backend's
 * prepared key. Entries are reference counted: the cache holds one
 * reference, each operation being started holds one while it runs
 * fh_backend_ops.op_init, so dropping an entry never frees a key in use.
 *
 * Validity: the whole cache is dropped when the store's generation changes
 * (another connection or process committed: the key may have been destroyed
 * or changed), at logout, when the token is closed, and at FHI_KCACHE_MAX
 * entries; one entry is dropped when this process destroys or changes its
 * object.
 *
 * Session objects live only in this process, so their entry hangs on the
 * handle (fhi_handle.skent) instead, unaffected by the store's generation:
 * it is dropped when the object is changed or destroyed (its handle
 * cleared), at logout and when the token is closed. tok->kcache_sess_epoch
 * counts those drops, so an entry built from a copy taken before a change is
 * never installed after it. tok->lock guards the cache; reference counts are
 * atomic.
 */
#include "core-int.h"

#include <stdlib.h>
#include <string.h>

#define FHI_KCACHE_MAX 4096

struct fhi_kent {
    int refs;          /* extra references: 0 means one owner */
    fh_ctx *ctx;
    struct fhi_obj *o; /* with its secret value */
    void *prepared;    /* backend key_prepare result, may be NULL */
};

void
fhi_kent_unref(struct fhi_kent *e)
{
    if (e == NULL || __atomic_fetch_sub(&e->refs, 1, __ATOMIC_ACQ_REL) > 0) {
        return;
    }
    if (e->prepared != NULL && e->ctx->be_ops->key_release != NULL) {
        e->ctx->be_ops->key_release(e->ctx->be, e->prepared);
    }
    fhi_obj_free(e->o);
    free(e);
}

const struct fhi_obj *
fhi_kent_obj(const struct fhi_kent *e)
{
    return e->o;
}

void
fhi_kent_bkey(const struct fhi_kent *e, struct fh_bkey *bk)
{
    fhi_obj_bkey(e->o, bk);
    bk->prepared = e->prepared;
}

/* Token objects only: the store generation changed. */
static void
clear_token_locked(fh_token *tok)
{
    for (size_t i = 0; i < tok->kcache_n; i++) {
        fhi_kent_unref(tok->kcache[i]);
    }
    tok->kcache_n = 0;
    fhi_i64map_clear(&tok->kcache_idx);
}

void
fhi_kcache_drop_handle_locked(fh_token *tok, struct fhi_handle *ent)
{
    tok->kcache_sess_epoch++;
    if (ent->skent != NULL) {
        fhi_kent_unref(ent->skent);
        ent->skent = NULL;
        tok->kcache_sess_n--;
    }
}

void
fhi_kcache_clear_locked(fh_token *tok)
{
    clear_token_locked(tok);
    tok->kcache_sess_epoch++;
    /* only session objects carry an entry: their list, not every handle */
    for (uint32_t h = tok->sobj_first; tok->kcache_sess_n > 0 && h != 0;
         h = tok->handles[h - 1].snext) {
        fhi_kcache_drop_handle_locked(tok, &tok->handles[h - 1]);
    }
}

void
fhi_kcache_drop_locked(fh_token *tok, int64_t store_id)
{
    uint32_t i = fhi_i64map_get(&tok->kcache_idx, store_id);
    struct fhi_kent *last;

    if (i == 0) {
        return;
    }
    fhi_i64map_del(&tok->kcache_idx, store_id);
    fhi_kent_unref(tok->kcache[i - 1]);
    /* keep the array dense: move the last entry into the hole */
    last = tok->kcache[--tok->kcache_n];
    if (i - 1 < tok->kcache_n) {
        tok->kcache[i - 1] = last;
        tok->kcache_ids[i - 1] = tok->kcache_ids[tok->kcache_n];
        (void)fhi_i64map_put(&tok->kcache_idx, tok->kcache_ids[i - 1], i);
    }
}

static fh_rv
make_entry(fh_token *tok, struct fhi_obj *o, struct fhi_kent **out)
{
    fh_ctx *ctx = tok->ctx;
    struct fhi_kent *e = calloc(1, sizeof(*e));
    struct fh_bkey bk;
    fh_rv rv = FH_OK;

    if (e == NULL) {
        return FH_E_NOMEM;
    }
    e->ctx = ctx;
    e->o = o;
    if (ctx->be_ops->key_prepare != NULL &&
        (o->cls == CKO_PRIVATE_KEY || o->cls == CKO_PUBLIC_KEY || o->cls == CKO_SECRET_KEY)) {
        fhi_obj_bkey(o, &bk);
        rv = ctx->be_ops->key_prepare(ctx->be, &bk, &e->prepared);
        if (rv != FH_OK) {
            /* an unparsable key is reported when an operation uses it */
            e->prepared = NULL;
            rv = FH_OK;
        }
    }
    *out = e;
    return rv;
}

static void
insert_locked(fh_token *tok, int64_t store_id, struct fhi_kent *e)
{
    if (tok->kcache_n == FHI_KCACHE_MAX) {
        clear_token_locked(tok);
    }
    if (tok->kcache == NULL) {
        tok->kcache = calloc(FHI_KCACHE_MAX, sizeof(*tok->kcache));
        tok->kcache_ids = calloc(FHI_KCACHE_MAX, sizeof(*tok->kcache_ids));
        if (tok->kcache == NULL || tok->kcache_ids == NULL) {
            free(tok->kcache);
            free(tok->kcache_ids);
            tok->kcache = NULL;
            tok->kcache_ids = NULL;
            return; /* no cache, no harm */
        }
    }
    if (fhi_i64map_put(&tok->kcache_idx, store_id, (uint32_t)(tok->kcache_n + 1)) != FH_OK) {
        return;
    }
    __atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL); /* the cache's reference */
    tok->kcache[tok->kcache_n] = e;
    tok->kcache_ids[tok->kcache_n] = store_id;
    tok->kcache_n++;
}

/* A cached entry found under tok->lock: referenced for the caller if visible. */
static fh_rv
hit_locked(fh_token *tok, struct fhi_kent *e, struct fhi_kent **out)
{
    if (fh_attrs_bool(&e->o->attrs, CKA_PRIVATE, true) && tok->login != CKU_USER) {
        return FH_E_OBJECT_HANDLE_INVALID;
    }
    __atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL);
    *out = e;
    return FH_OK;
}

fh_rv
fhi_key_acquire(fh_session *s, CK_OBJECT_HANDLE h, struct fhi_kent **out)
{
    fh_token *tok = s->tok;
    fh_ctx *ctx = tok->ctx;
    struct fhi_obj *o = NULL;
    struct fhi_kent *e = NULL;
    struct fhi_handle *ent = NULL;
    int64_t store_id = 0;
    uint64_t gen = 0, epoch = 0;
    bool is_sobj = false;
    uint32_t i;
    fh_rv rv;

    pthread_mutex_lock(&tok->lock);
    if (h != CK_INVALID_HANDLE && h <= tok->n_handles) {
        ent = &tok->handles[h - 1];
        store_id = ent->store_id;
        is_sobj = ent->sobj != NULL;
    }
    if (is_sobj) {
        epoch = tok->kcache_sess_epoch;
        if (ent->skent != NULL) {
            rv = hit_locked(tok, ent->skent, out);
            pthread_mutex_unlock(&tok->lock);
            return rv;
        }
    }
    if (store_id > 0 && ctx->store_ops->generation != NULL) {
        /* the store is asked without tok->lock: no thread waits for the
         * token while this one waits for the store; the generation read
         * before the entry is looked up orders this operation before any
         * commit it did not see */
        pthread_mutex_unlock(&tok->lock);
        fhi_ctx_lock(ctx);
        rv = ctx->store_ops->generation(ctx->store, &gen);
        fhi_ctx_unlock(ctx);
        pthread_mutex_lock(&tok->lock);
        if (rv != FH_OK || !tok->kcache_gen_valid || gen != tok->kcache_gen) {
            clear_token_locked(tok);
            tok->kcache_gen = gen;
            tok->kcache_gen_valid = rv == FH_OK;
        }
        i = fhi_i64map_get(&tok->kcache_idx, store_id);
        if (i != 0) {
            rv = hit_locked(tok, tok->kcache[i - 1], out);
            pthread_mutex_unlock(&tok->lock);
            return rv;
        }
    }
    pthread_mutex_unlock(&tok->lock);

    /* miss: load and decrypt as usual (fhi_obj_get checks visibility) */
    rv = fhi_obj_get(s, h, true, &o);
    if (rv != FH_OK) {
        return rv;
    }
    rv = make_entry(tok, o, &e);
    if (rv != FH_OK) {
        fhi_obj_free(o);
        return rv;
    }
    if (store_id > 0) {
        pthread_mutex_lock(&tok->lock);
        /* another thread may have filled it meanwhile: keep one */
        if (fhi_i64map_get(&tok->kcache_idx, store_id) == 0 && tok->kcache_gen_valid &&
            tok->kcache_gen == gen) {
            insert_locked(tok, store_id, e);
        }
        pthread_mutex_unlock(&tok->lock);
    } else if (is_sobj) {
        pthread_mutex_lock(&tok->lock);
        /* the same object as the copy above: no change or drop in between */
        if (tok->kcache_sess_epoch == epoch && h <= tok->n_handles &&
            tok->handles[h - 1].sobj != NULL && tok->handles[h - 1].skent == NULL) {
            __atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL); /* the handle's reference */
            tok->handles[h - 1].skent = e;
            tok->kcache_sess_n++;
        }
        pthread_mutex_unlock(&tok->lock);
    }
    *out = e;
    return FH_OK;
}
