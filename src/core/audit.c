/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c - the hash-chained audit log.
 *
 * Record hash = SHA-256("FHAUDIT1" || seq (u64 BE) || time_ms (u64 BE) ||
 * for each of actor, front, operation, object, result, corr_id:
 * length (u32 BE) || bytes || prev_hash). Appending reads the last record and
 * writes the next inside one write transaction, so concurrent processes
 * extend one chain. Nothing here ever sees a secret: callers pass names.
 */
#include "core-int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
hash_str(EVP_MD_CTX *md, const char *s)
{
    uint8_t len[4];
    size_t n = s != NULL ? strlen(s) : 0;

    fhi_put_be(len, n, 4);
    EVP_DigestUpdate(md, len, sizeof(len));
    if (n > 0) {
        EVP_DigestUpdate(md, s, n);
    }
}

static fh_rv
record_hash(const struct fh_store_audit *r, uint8_t out[FH_AUDIT_HASH_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t num[16];
    unsigned int len = 0;
    fh_rv rv = FH_E_CRYPTO;

    if (md == NULL) {
        return FH_E_NOMEM;
    }
    fhi_put_be(num, (uint64_t)r->seq, 8);
    fhi_put_be(num + 8, (uint64_t)r->time_ms, 8);
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
        EVP_DigestUpdate(md, "FHAUDIT1", 8);
        EVP_DigestUpdate(md, num, sizeof(num));
        hash_str(md, r->actor);
        hash_str(md, r->front);
        hash_str(md, r->operation);
        hash_str(md, r->object);
        hash_str(md, r->result);
        hash_str(md, r->corr_id);
        EVP_DigestUpdate(md, r->prev_hash, FH_AUDIT_HASH_LEN);
        if (EVP_DigestFinal_ex(md, out, &len) == 1 && len == FH_AUDIT_HASH_LEN) {
            rv = FH_OK;
        }
    }
    EVP_MD_CTX_free(md);
    return rv;
}

/* Append recs[0..n) after the current head of the chain, in one transaction. */
static fh_rv
append_locked(fh_ctx *ctx, struct fh_store_audit *recs, size_t n)
{
    const struct fh_store_ops *ops = ctx->store_ops;
    struct fh_store_audit last = {0};
    int64_t seq = 0;
    uint8_t prev[FH_AUDIT_HASH_LEN] = {0};
    fh_rv rv;

    if (n == 0) {
        return FH_OK;
    }
    rv = ops->begin(ctx->store, true);
    if (rv != FH_OK) {
        return rv;
    }
    rv = ops->audit_last(ctx->store, &last);
    if (rv == FH_OK) {
        seq = last.seq;
        memcpy(prev, last.hash, FH_AUDIT_HASH_LEN);
    } else if (rv == FH_E_NOT_FOUND) {
        rv = FH_OK;
    }
    fh_store_audit_clear(&last);
    for (size_t i = 0; i < n && rv == FH_OK; i++) {
        recs[i].seq = ++seq;
        memcpy(recs[i].prev_hash, prev, FH_AUDIT_HASH_LEN);
        rv = record_hash(&recs[i], recs[i].hash);
        if (rv == FH_OK) {
            rv = ops->audit_append(ctx->store, &recs[i]);
        }
        memcpy(prev, recs[i].hash, FH_AUDIT_HASH_LEN);
    }
    if (rv == FH_OK) {
        rv = ops->commit(ctx->store);
    }
    if (rv != FH_OK) {
        ops->rollback(ctx->store);
    }
    return rv;
}

static void
queue_clear_locked(fh_ctx *ctx)
{
    for (size_t i = 0; i < ctx->audit_n; i++) {
        fh_store_audit_clear(&ctx->audit_q[i]);
    }
    ctx->audit_n = 0;
}

/*
 * Write the queue. An audit write that fails is not retried: the callers'
 * results stand, and `ferrohsm audit verify` still verifies the chain that
 * was written.
 */
static void
flush_locked(fh_ctx *ctx)
{
    if (ctx->audit_n > 0 && ctx->store_open) {
        (void)append_locked(ctx, ctx->audit_q, ctx->audit_n);
    }
    queue_clear_locked(ctx);
}

void
fhi_audit_flush(fh_ctx *ctx)
{
    fhi_ctx_lock(ctx);
    flush_locked(ctx);
    fhi_ctx_unlock(ctx);
}

static void
fill(fh_ctx *ctx, struct fh_store_audit *rec, const char *actor, const char *operation,
     const char *object, fh_rv result)
{
    memset(rec, 0, sizeof(*rec));
    rec->time_ms = now_ms();
    rec->actor = (char *)(uintptr_t)(actor != NULL ? actor : "anonymous");
    rec->front = ctx->front;
    rec->operation = (char *)(uintptr_t)operation;
    rec->object = (char *)(uintptr_t)(object != NULL ? object : "");
    rec->result = (char *)(uintptr_t)fh_rv_str(result);
    rec->corr_id = ctx->corr_id;
}

void
fhi_audit(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
          fh_rv result)
{
    struct fh_store_audit rec;

    fill(ctx, &rec, actor, operation, object, result);
    fhi_ctx_lock(ctx);
    flush_locked(ctx); /* keep the chain in the order things happened */
    (void)append_locked(ctx, &rec, 1);
    fhi_ctx_unlock(ctx);
}

void
fhi_audit_batched(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
                  fh_rv result)
{
    struct fh_store_audit rec, *q;
    int64_t now;

    if (result != FH_OK) {
        fhi_audit(ctx, actor, operation, object, result);
        return;
    }
    fill(ctx, &rec, actor, operation, object, result);
    now = rec.time_ms;
    fhi_ctx_lock(ctx);
    q = &ctx->audit_q[ctx->audit_n];
    memset(q, 0, sizeof(*q));
    q->time_ms = rec.time_ms;
    q->actor = strdup(rec.actor);
    q->front = strdup(rec.front);
    q->operation = strdup(rec.operation);
    q->object = strdup(rec.object);
    q->result = strdup(rec.result);
    q->corr_id = strdup(rec.corr_id);
    if (q->actor == NULL || q->front == NULL || q->operation == NULL || q->object == NULL ||
        q->result == NULL || q->corr_id == NULL) {
        fh_store_audit_clear(q);
        flush_locked(ctx);
        (void)append_locked(ctx, &rec, 1); /* no memory: write it now */
    } else {
        if (ctx->audit_n == 0) {
            ctx->audit_first_ms = now;
        }
        ctx->audit_n++;
        if (ctx->audit_n == FHI_AUDIT_BATCH || now - ctx->audit_first_ms >= FHI_AUDIT_DELAY_MS) {
            flush_locked(ctx);
        }
    }
    fhi_ctx_unlock(ctx);
}

fh_rv
fh_audit_list(fh_ctx *ctx, int64_t from_seq, size_t limit, fh_store_audit_cb cb, void *arg)
{
    fh_rv rv;

    if (ctx == NULL || cb == NULL) {
        return FH_E_ARGS;
    }
    fhi_ctx_lock(ctx);
    flush_locked(ctx);
    rv = ctx->store_ops->audit_list(ctx->store, from_seq, limit, cb, arg);
    fhi_ctx_unlock(ctx);
    return rv;
}

struct verify_state {
    struct fh_audit_verify_result *res;
    int64_t expect_seq;
    uint8_t prev[FH_AUDIT_HASH_LEN];
};

static fh_rv
verify_one(void *arg, const struct fh_store_audit *r)
{
    struct verify_state *st = arg;
    uint8_t h[FH_AUDIT_HASH_LEN];
    fh_rv rv;

    if (r->seq != st->expect_seq) {
        st->res->first_bad_seq = st->expect_seq;
        st->res->reason = "record missing or out of sequence";
        return FH_E_AUDIT_BROKEN;
    }
    if (CRYPTO_memcmp(r->prev_hash, st->prev, FH_AUDIT_HASH_LEN) != 0) {
        st->res->first_bad_seq = r->seq;
        st->res->reason = "link to previous record broken";
        return FH_E_AUDIT_BROKEN;
    }
    rv = record_hash(r, h);
    if (rv != FH_OK) {
        return rv;
    }
    if (CRYPTO_memcmp(h, r->hash, FH_AUDIT_HASH_LEN) != 0) {
        st->res->first_bad_seq = r->seq;
        st->res->reason = "record content does not match its hash";
        return FH_E_AUDIT_BROKEN;
    }
    memcpy(st->prev, r->hash, FH_AUDIT_HASH_LEN);
    st->expect_seq++;
    st->res->records++;
    return FH_OK;
}

fh_rv
fh_audit_verify(fh_ctx *ctx, struct fh_audit_verify_result *out)
{
    struct verify_state st;
    fh_rv rv;

    if (ctx == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof(*out));
    out->reason = "";
    memset(&st, 0, sizeof(st));
    st.res = out;
    st.expect_seq = 1;
    fhi_ctx_lock(ctx);
    flush_locked(ctx);
    rv = ctx->store_ops->audit_list(ctx->store, 1, 0, verify_one, &st);
    fhi_ctx_unlock(ctx);
    return rv;
}
