/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c - the hash-chained audit log.
 *
 * Record hash = SHA-256("FHAUDIT1" || seq (u64 BE) || time_ms (u64 BE) ||
 * for each of actor, front, operation, object, result, corr_id:
 * length (u32 BE) || bytes || prev_hash). Appending reads the last record and
 * writes the next inside one write transaction, so concurrent processes
 * extend one chain. Nothing here ever sees a secret: callers pass names.
 *
 * The actor and correlation id of a record come from the calling thread's
 * context when a front set one (fh_audit_set_thread_context), else from the
 * caller and the fh_ctx. They are fixed when the record is made: a queued
 * record is a copy in fixed buffers, so the batch written later by any
 * thread keeps each record's own actor and correlation id.
 *
 * Queue (fhi_audit_batched): records of successful operations are copied
 * into a ring of FHI_AUDIT_RING fixed-size slots under ctx->audit_qlock,
 * which is held for that copy only. A writer thread writes them when a
 * batch is due (FHI_AUDIT_BATCH records, or the oldest FHI_AUDIT_DELAY_MS
 * old); without one (fh_ctx_forbid_threads, or in a forked child) the
 * thread that notices writes them. A thread queueing waits only when the
 * ring is full, which bounds what a crash can lose to FHI_AUDIT_RING
 * records (4096), and none queued more than about FHI_AUDIT_DELAY_MS plus
 * one write earlier unless the store stalls. Each write hands the store one
 * batch (audit_append_batch), which the SQLite store keeps as one row.
 *
 * Locks (core-int.h): ctx->audit_wlock serialises writers and guards the
 * audit connection, the hash context and the records being written; each
 * writer takes all the records queued so far (in order) under audit_qlock,
 * so batches reach the store in sequence and a synchronous record is
 * written after everything queued before it. Full batches go through a
 * second connection to the store (opened on first use), so their
 * transaction and fsync never hold ctx->lock, which operations on token
 * keys and every other store call need. Order: audit_wlock -> ctx->lock
 * (to open the audit connection, and for what goes through the main one);
 * audit_qlock is a leaf.
 */
#include "core-int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Room for "principal(token actor)": 63 + 1 + token actor + 1. */
#define ACTOR_LEN 192
#define OPERATION_LEN 48
#define OBJECT_LEN 176
#define CORR_LEN 64

/* A queued record: fixed buffers, no allocation per record. */
struct qrec {
    int64_t time_ms;
    const char *result; /* fh_rv_str(): static */
    char actor[ACTOR_LEN];
    char operation[OPERATION_LEN];
    char object[OBJECT_LEN];
    char corr_id[CORR_LEN];
};

struct fhi_audit {
    /* under ctx->audit_qlock. Record i (counting from 0 since the context
     * was made) lives in ring[i % FHI_AUDIT_RING]; done <= taken <= tail. */
    struct qrec *ring;
    uint64_t done;         /* records written (or given up): their slots are free */
    uint64_t taken;        /* records handed to the writer in progress */
    uint64_t tail;         /* records queued */
    int64_t first_ms;      /* time of record `taken`, the oldest not handed over */
    bool flush_due;        /* the writer is on its way */
    pthread_cond_t room;   /* done moved: slots are free */
    pthread_cond_t wake;   /* the writer thread: a batch is due, or stop */
    pthread_t thr;
    pid_t thr_pid;         /* process that started it: a forked child writes inline */
    bool thr_started;      /* tried already */
    bool thr_running;
    bool thr_ready;        /* the writer runs its loop (its start-up is over) */
    bool thr_stop;
    /* under ctx->audit_wlock */
    struct fh_store_audit w[FHI_AUDIT_RING]; /* views of the records being written */
    void *store;           /* the audit connection, or NULL: ctx->store under ctx->lock */
    bool store_tried;
    EVP_MD *sha256;        /* fetched once */
    EVP_MD_CTX *md;
};

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hash input gathered in one buffer: one EVP_DigestUpdate per record
 * rather than one per field. */
struct hbuf {
    EVP_MD_CTX *md;
    size_t n;
    uint8_t b[512];
};

static void
hput(struct hbuf *h, const void *p, size_t len)
{
    if (h->n + len > sizeof(h->b)) {
        if (h->n > 0) {
            EVP_DigestUpdate(h->md, h->b, h->n);
            h->n = 0;
        }
        if (len > sizeof(h->b)) {
            EVP_DigestUpdate(h->md, p, len);
            return;
        }
    }
    memcpy(h->b + h->n, p, len);
    h->n += len;
}

static void
hput_str(struct hbuf *h, const char *s)
{
    uint8_t len[4];
    size_t n = s != NULL ? strlen(s) : 0;

    fhi_put_be(len, n, 4);
    hput(h, len, sizeof(len));
    if (n > 0) {
        hput(h, s, n);
    }
}

/* md: a context to reuse; sha256: the fetched algorithm. */
static fh_rv
record_hash(EVP_MD_CTX *md, const EVP_MD *sha256, const struct fh_store_audit *r,
            uint8_t out[FH_AUDIT_HASH_LEN])
{
    struct hbuf h;
    uint8_t num[16];
    unsigned int len = 0;

    if (EVP_DigestInit_ex2(md, sha256, NULL) != 1) {
        return FH_E_CRYPTO;
    }
    h.md = md;
    h.n = 0;
    fhi_put_be(num, (uint64_t)r->seq, 8);
    fhi_put_be(num + 8, (uint64_t)r->time_ms, 8);
    hput(&h, "FHAUDIT1", 8);
    hput(&h, num, sizeof(num));
    hput_str(&h, r->actor);
    hput_str(&h, r->front);
    hput_str(&h, r->operation);
    hput_str(&h, r->object);
    hput_str(&h, r->result);
    hput_str(&h, r->corr_id);
    hput(&h, r->prev_hash, FH_AUDIT_HASH_LEN);
    if (h.n > 0) {
        EVP_DigestUpdate(md, h.b, h.n);
    }
    if (EVP_DigestFinal_ex(md, out, &len) != 1 || len != FH_AUDIT_HASH_LEN) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

fh_rv
fhi_audit_init(fh_ctx *ctx)
{
    struct fhi_audit *a = calloc(1, sizeof(*a));

    if (a == NULL) {
        return FH_E_NOMEM;
    }
    a->ring = calloc(FHI_AUDIT_RING, sizeof(struct qrec));
    a->sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    a->md = EVP_MD_CTX_new();
    if (a->ring == NULL || a->sha256 == NULL || a->md == NULL ||
        pthread_cond_init(&a->room, NULL) != 0) {
        EVP_MD_CTX_free(a->md);
        EVP_MD_free(a->sha256);
        free(a->ring);
        free(a);
        return FH_E_NOMEM;
    }
    if (pthread_cond_init(&a->wake, NULL) != 0) {
        pthread_cond_destroy(&a->room);
        EVP_MD_CTX_free(a->md);
        EVP_MD_free(a->sha256);
        free(a->ring);
        free(a);
        return FH_E_NOMEM;
    }
    ctx->audit = a;
    return FH_OK;
}

/*
 * The connection audit records are written on (audit_wlock held): our own,
 * opened on first use under ctx->lock (opening checks the file with open(2)
 * and close(2), which must not run while a transaction of ctx->store holds
 * file locks); NULL when it cannot be opened, and then ctx->store is used
 * under ctx->lock as before.
 */
static void *
audit_store_w(fh_ctx *ctx)
{
    struct fhi_audit *a = ctx->audit;
    const struct fh_store_ops *ops = ctx->store_ops;
    void *st;

    if (a->store_tried) {
        return a->store;
    }
    a->store_tried = true;
    st = calloc(1, ops->priv_size ? ops->priv_size : 1);
    if (st == NULL) {
        return NULL;
    }
    fhi_ctx_lock(ctx);
    if (!ctx->store_open || ops->open(st, ctx->cfg.store_path, 0) != FH_OK) {
        ops->close(st);
        free(st);
        st = NULL;
    }
    fhi_ctx_unlock(ctx);
    a->store = st;
    return st;
}

/*
 * Append recs[0..n) after the current head of the chain, in one transaction
 * (audit_wlock held). A full batch, written while other threads operate, goes
 * through the audit connection; anything else (a synchronous record, the
 * tail flushed at a session close or before a read) through ctx->store as
 * before, so a process that never fills a batch never opens a second
 * connection (opening one runs quick_check over the whole file). Either way
 * the transaction reads the head of the chain it extends, so mixing the two
 * connections keeps one chain.
 */
static fh_rv
append_w(fh_ctx *ctx, struct fh_store_audit *recs, size_t n, bool batch)
{
    struct fhi_audit *a = ctx->audit;
    const struct fh_store_ops *ops = ctx->store_ops;
    struct fh_store_audit last = {0};
    int64_t seq = 0;
    uint8_t prev[FH_AUDIT_HASH_LEN] = {0};
    void *st;
    fh_rv rv;

    if (n == 0) {
        return FH_OK;
    }
    st = batch ? audit_store_w(ctx) : NULL;
    if (st == NULL) {
        fhi_ctx_lock(ctx);
        if (!ctx->store_open) {
            fhi_ctx_unlock(ctx);
            return FH_E_ARGS;
        }
        st = ctx->store;
    }
    rv = ops->begin(st, true);
    if (rv != FH_OK) {
        goto out;
    }
    rv = ops->audit_last(st, &last);
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
        rv = record_hash(a->md, a->sha256, &recs[i], recs[i].hash);
        memcpy(prev, recs[i].hash, FH_AUDIT_HASH_LEN);
    }
    /* one call for the batch: the store keeps it as one row (a page) */
    if (rv == FH_OK) {
        rv = ops->audit_append_batch(st, recs, n);
    }
    if (rv == FH_OK) {
        rv = ops->commit(st);
    }
    if (rv != FH_OK) {
        ops->rollback(st);
    }
out:
    if (st == ctx->store) {
        fhi_ctx_unlock(ctx);
    }
    return rv;
}

static void
view(fh_ctx *ctx, struct qrec *q, struct fh_store_audit *r)
{
    memset(r, 0, sizeof(*r));
    r->time_ms = q->time_ms;
    r->actor = q->actor;
    r->front = ctx->front;
    r->operation = q->operation;
    r->object = q->object;
    r->result = (char *)(uintptr_t)q->result;
    r->corr_id = q->corr_id;
}

/*
 * Write everything queued so far (audit_wlock held) in one transaction. The
 * records are handed over under audit_qlock and read from their slots
 * without it: threads queueing meanwhile only write slots past `tail`, and
 * wait only when all FHI_AUDIT_RING slots are taken, never for the store
 * otherwise. The slots are freed when the transaction has ended. An audit
 * write that fails is not retried: the callers' results stand, and
 * `ferrohsm audit verify` still verifies the chain that was written.
 */
static void
write_queue_w(fh_ctx *ctx, bool batch)
{
    struct fhi_audit *a = ctx->audit;
    uint64_t from, to;

    pthread_mutex_lock(&ctx->audit_qlock);
    from = a->taken;
    to = a->tail;
    a->taken = to;
    a->flush_due = false;
    pthread_mutex_unlock(&ctx->audit_qlock);
    for (uint64_t i = from; i < to; i++) {
        view(ctx, &a->ring[i % FHI_AUDIT_RING], &a->w[i - from]);
    }
    (void)append_w(ctx, a->w, (size_t)(to - from), batch);
    pthread_mutex_lock(&ctx->audit_qlock);
    a->done = to;
    pthread_cond_broadcast(&a->room);
    pthread_mutex_unlock(&ctx->audit_qlock);
}

void
fhi_audit_flush(fh_ctx *ctx)
{
    pthread_mutex_lock(&ctx->audit_wlock);
    write_queue_w(ctx, false);
    pthread_mutex_unlock(&ctx->audit_wlock);
}

/*
 * This process's pid without a system call per use (getpid is one, and a
 * server asks at every request's session close): kept by an atfork child
 * handler, so a forked child sees its own.
 */
static pid_t cached_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void
pid_refresh(void)
{
    __atomic_store_n(&cached_pid, getpid(), __ATOMIC_RELAXED);
}

static void
pid_init(void)
{
    pid_refresh();
    (void)pthread_atfork(NULL, NULL, pid_refresh);
}

static pid_t
self_pid(void)
{
    (void)pthread_once(&pid_once, pid_init);
    return __atomic_load_n(&cached_pid, __ATOMIC_RELAXED);
}

/* A writer thread of this process runs (none in a forked child). thr_pid is
 * set before thr_running is published, so no lock is needed to read them. */
static bool
writer_here(const struct fhi_audit *a)
{
    return __atomic_load_n(&a->thr_running, __ATOMIC_ACQUIRE) && a->thr_pid == self_pid();
}

/*
 * A session ended. Without a writer thread, its records are written now.
 * With one, they are left to it: it writes them within FHI_AUDIT_DELAY_MS
 * (or as soon as a batch fills), and fh_ctx_free and every read of the log
 * write them at once; so a server that opens a session per request does
 * not wait for the store's fsync on every request.
 */
void
fhi_audit_session_closed(fh_ctx *ctx)
{
    struct fhi_audit *a = ctx->audit;

    if (a != NULL && !writer_here(a)) {
        fhi_audit_flush(ctx);
    }
}

/* A full (or FHI_AUDIT_DELAY_MS old) batch, by the thread that completed it. */
static void
flush_batch(fh_ctx *ctx)
{
    pthread_mutex_lock(&ctx->audit_wlock);
    write_queue_w(ctx, true);
    pthread_mutex_unlock(&ctx->audit_wlock);
}

/*
 * The writer thread: writes a batch when one is due (full, or its first
 * record FHI_AUDIT_DELAY_MS old), so that no signer waits for the store's
 * fsync; with two signing threads on two CPUs its I/O wait costs no CPU.
 */
static void *
writer_main(void *arg)
{
    fh_ctx *ctx = arg;
    struct fhi_audit *a = ctx->audit;

    pthread_mutex_lock(&ctx->audit_qlock);
    a->thr_ready = true;
    pthread_cond_broadcast(&a->room); /* writer_start waits for this */
    while (!a->thr_stop) {
        if (a->flush_due) {
            pthread_mutex_unlock(&ctx->audit_qlock);
            flush_batch(ctx);
            pthread_mutex_lock(&ctx->audit_qlock);
        } else if (a->tail > a->taken) {
            int64_t due = a->first_ms + FHI_AUDIT_DELAY_MS;
            struct timespec ts = {.tv_sec = due / 1000, .tv_nsec = (due % 1000) * 1000000};

            (void)pthread_cond_timedwait(&a->wake, &ctx->audit_qlock, &ts);
            if (a->tail > a->taken && now_ms() - a->first_ms >= FHI_AUDIT_DELAY_MS) {
                a->flush_due = true;
            }
        } else {
            pthread_cond_wait(&a->wake, &ctx->audit_qlock);
        }
    }
    pthread_mutex_unlock(&ctx->audit_qlock);
    return NULL;
}

/*
 * Fork: a writer thread may be inside SQLite or OpenSSL at the moment
 * another thread forks, and a child would then find their internal locks
 * held forever (the PKCS#11 module's child calls C_Initialize and opens the
 * store afresh). The writer does all such work under audit_wlock, so the
 * prepare handler takes audit_wlock of every context with a writer thread,
 * and the parent and child handlers let go of them. Contexts are listed
 * here from the start of their writer to fh_ctx_free.
 */
static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t writers_once = PTHREAD_ONCE_INIT;
static fh_ctx **writers;
static size_t n_writers, cap_writers;

static void
fork_prepare(void)
{
    pthread_mutex_lock(&writers_lock);
    for (size_t i = 0; i < n_writers; i++) {
        pthread_mutex_lock(&writers[i]->audit_wlock);
    }
}

static void
fork_release(void)
{
    for (size_t i = n_writers; i-- > 0;) {
        pthread_mutex_unlock(&writers[i]->audit_wlock);
    }
    pthread_mutex_unlock(&writers_lock);
}

static void
fork_register(void)
{
    pthread_atfork(fork_prepare, fork_release, fork_release);
}

static bool
writers_add(fh_ctx *ctx)
{
    bool ok = true;

    pthread_once(&writers_once, fork_register);
    pthread_mutex_lock(&writers_lock);
    if (n_writers == cap_writers) {
        size_t cap = cap_writers ? cap_writers * 2 : 4;
        fh_ctx **v = realloc(writers, cap * sizeof(*v));

        if (v == NULL) {
            ok = false;
        } else {
            writers = v;
            cap_writers = cap;
        }
    }
    if (ok) {
        writers[n_writers++] = ctx;
    }
    pthread_mutex_unlock(&writers_lock);
    return ok;
}

static void
writers_del(fh_ctx *ctx)
{
    pthread_mutex_lock(&writers_lock);
    for (size_t i = 0; i < n_writers; i++) {
        if (writers[i] == ctx) {
            writers[i] = writers[--n_writers];
            break;
        }
    }
    if (n_writers == 0) {
        free(writers);
        writers = NULL;
        cap_writers = 0;
    }
    pthread_mutex_unlock(&writers_lock);
}

/* Start the writer thread, with every signal blocked (the application's
 * handlers run on its own threads). Without it batches are written inline. */
static void
writer_start(fh_ctx *ctx)
{
    struct fhi_audit *a = ctx->audit;
    sigset_t all, old;
    int err;

    if (!writers_add(ctx)) {
        return; /* no fork safety, no thread */
    }
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&a->thr, NULL, writer_main, ctx);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        writers_del(ctx);
    } else {
        /* return only when the thread's start-up (allocations of the C
         * library or a sanitizer included) is over: a fork right after
         * must not find it half done */
        pthread_mutex_lock(&ctx->audit_qlock);
        a->thr_pid = self_pid();
        __atomic_store_n(&a->thr_running, true, __ATOMIC_RELEASE);
        while (!a->thr_ready) {
            pthread_cond_wait(&a->room, &ctx->audit_qlock);
        }
        pthread_mutex_unlock(&ctx->audit_qlock);
    }
}

void
fh_ctx_forbid_threads(fh_ctx *ctx)
{
    if (ctx != NULL) {
        pthread_mutex_lock(&ctx->audit_qlock);
        ctx->no_threads = true;
        pthread_mutex_unlock(&ctx->audit_qlock);
    }
}

void
fhi_audit_fini(fh_ctx *ctx)
{
    struct fhi_audit *a = ctx->audit;
    bool join;

    if (a == NULL) {
        return;
    }
    pthread_mutex_lock(&ctx->audit_qlock);
    a->thr_stop = true;
    pthread_cond_broadcast(&a->wake);
    /* a forked child has no writer thread, only the parent's record of it */
    join = a->thr_running && a->thr_pid == getpid();
    pthread_mutex_unlock(&ctx->audit_qlock);
    if (join) {
        pthread_join(a->thr, NULL);
        writers_del(ctx);
    }
    fhi_audit_flush(ctx);
    if (a->store != NULL) {
        ctx->store_ops->close(a->store);
        free(a->store);
    }
    EVP_MD_CTX_free(a->md);
    EVP_MD_free(a->sha256);
    pthread_cond_destroy(&a->room);
    pthread_cond_destroy(&a->wake);
    free(a->ring);
    free(a);
    ctx->audit = NULL;
}

/*
 * The thread context (audit.h): who acts on this thread, for a front that
 * serves several principals from one fh_ctx. Thread-local, so it needs no
 * lock; it is read when a record is made (fill), never at flush, so a queued
 * record keeps the actor and correlation id of the request that made it.
 */
#define TCTX_LEN 64

struct thread_ctx {
    bool has_corr;
    bool has_principal;
    char corr_id[TCTX_LEN];
    char principal[TCTX_LEN];
};

static _Thread_local struct thread_ctx tctx;

/* Copy at most TCTX_LEN - 1 bytes, replacing control characters. */
static void
tctx_copy(char dst[TCTX_LEN], const char *src)
{
    size_t i = 0;

    for (; src[i] != '\0' && i < TCTX_LEN - 1; i++) {
        unsigned char c = (unsigned char)src[i];

        dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    dst[i] = '\0';
}

void
fh_audit_set_thread_context(const char *corr_id, const char *principal)
{
    memset(&tctx, 0, sizeof(tctx));
    if (corr_id != NULL) {
        tctx_copy(tctx.corr_id, corr_id);
        tctx.has_corr = true;
    }
    if (principal != NULL) {
        tctx_copy(tctx.principal, principal);
        tctx.has_principal = true;
    }
}

void
fh_audit_clear_thread_context(void)
{
    memset(&tctx, 0, sizeof(tctx));
}

/* Copy src into dst[cap]; false when it does not fit. */
static bool
copy_fits(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap) {
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

/*
 * Fill rec for now, but for the correlation id (set_corr_q). The actor is
 * the thread's principal, with the token actor in parentheses when there is
 * one; without a principal, the token actor or "anonymous". False when a
 * string does not fit its buffer (the caller then writes the record at once
 * from the caller's own strings).
 */
static bool
fill(fh_ctx *ctx, struct qrec *rec, const char *actor, const char *operation,
     const char *object, fh_rv result)
{
    int n;

    rec->time_ms = now_ms();
    if (tctx.has_principal && actor != NULL) {
        n = snprintf(rec->actor, ACTOR_LEN, "%s(%s)", tctx.principal, actor);
    } else if (tctx.has_principal) {
        n = snprintf(rec->actor, ACTOR_LEN, "%s", tctx.principal);
    } else {
        n = copy_fits(rec->actor, ACTOR_LEN, actor != NULL ? actor : "anonymous") ? 0 : -1;
    }
    rec->result = fh_rv_str(result);
    return n >= 0 && n < ACTOR_LEN && copy_fits(rec->operation, OPERATION_LEN, operation) &&
           copy_fits(rec->object, OBJECT_LEN, object != NULL ? object : "");
}

/* The thread's correlation id, else the context's (audit_qlock held: that
 * is where fh_ctx_set_corr_id writes it). */
static void
set_corr_q(const fh_ctx *ctx, struct qrec *rec)
{
    memcpy(rec->corr_id, tctx.has_corr ? tctx.corr_id : ctx->corr_id, CORR_LEN);
    rec->corr_id[CORR_LEN - 1] = '\0';
}

/* A record whose strings are too long for a struct qrec: the caller's own. */
static void
view_long(fh_ctx *ctx, const struct qrec *rec, const char *actor, const char *operation,
          const char *object, struct fh_store_audit *r)
{
    memset(r, 0, sizeof(*r));
    r->time_ms = rec->time_ms;
    r->actor = (char *)(uintptr_t)(actor != NULL && !tctx.has_principal ? actor : rec->actor);
    r->front = ctx->front;
    r->operation = (char *)(uintptr_t)operation;
    r->object = (char *)(uintptr_t)(object != NULL ? object : "");
    r->result = (char *)(uintptr_t)rec->result;
    r->corr_id = (char *)(uintptr_t)rec->corr_id;
}

/* Write one record now, after the queue (the chain keeps the order things happened). */
static fh_rv
audit_now(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
          fh_rv result)
{
    struct qrec rec;
    struct fh_store_audit r;
    fh_rv rv;

    bool fits = fill(ctx, &rec, actor, operation, object, result);

    pthread_mutex_lock(&ctx->audit_qlock);
    set_corr_q(ctx, &rec);
    pthread_mutex_unlock(&ctx->audit_qlock);
    if (fits) {
        view(ctx, &rec, &r);
    } else {
        view_long(ctx, &rec, actor, operation, object, &r);
    }
    pthread_mutex_lock(&ctx->audit_wlock);
    write_queue_w(ctx, false);
    rv = append_w(ctx, &r, 1, false);
    pthread_mutex_unlock(&ctx->audit_wlock);
    return rv;
}

void
fhi_audit(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
          fh_rv result)
{
    (void)audit_now(ctx, actor, operation, object, result);
}

fh_rv
fh_audit_event(fh_ctx *ctx, const char *operation, const char *object, fh_rv result)
{
    if (ctx == NULL || operation == NULL || operation[0] == '\0' || object == NULL) {
        return FH_E_ARGS;
    }
    return audit_now(ctx, NULL, operation, object, result);
}

/*
 * Queue a record: a copy into the ring under audit_qlock. When
 * FHI_AUDIT_BATCH records wait, or the oldest is FHI_AUDIT_DELAY_MS old,
 * the writer thread is woken (without one, the thread that noticed writes
 * them). A thread waits only when FHI_AUDIT_RING records are queued or
 * being written: the store is slower than the operations, and the bound on
 * what a crash can lose holds.
 */
void
fhi_audit_batched(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
                  fh_rv result)
{
    struct fhi_audit *a = ctx->audit;
    struct qrec rec, *slot;
    bool write = false, start = false;

    if (result != FH_OK) {
        fhi_audit(ctx, actor, operation, object, result);
        return;
    }
    /* captured now, on the calling thread: the write may run on another */
    if (!fill(ctx, &rec, actor, operation, object, result)) {
        fhi_audit(ctx, actor, operation, object, result);
        return;
    }
    pthread_mutex_lock(&ctx->audit_qlock);
    while (a->tail - a->done == FHI_AUDIT_RING) {
        pthread_cond_wait(&a->room, &ctx->audit_qlock);
    }
    if (a->tail == a->taken) {
        a->first_ms = rec.time_ms;
    }
    slot = &a->ring[a->tail % FHI_AUDIT_RING];
    *slot = rec;
    set_corr_q(ctx, slot);
    a->tail++;
    if (!a->flush_due && (a->tail - a->taken >= FHI_AUDIT_BATCH ||
                          rec.time_ms - a->first_ms >= FHI_AUDIT_DELAY_MS)) {
        a->flush_due = true;
        if (writer_here(a)) {
            pthread_cond_signal(&a->wake);
        } else {
            write = true;
        }
    }
    if (!a->thr_started && !ctx->no_threads) {
        a->thr_started = true;
        start = true;
    }
    pthread_mutex_unlock(&ctx->audit_qlock);
    if (start) {
        writer_start(ctx);
    }
    if (write) {
        flush_batch(ctx);
    }
}

/* Read the log (audit_wlock held), after a flush. */
static fh_rv
read_w(fh_ctx *ctx, int64_t from_seq, size_t limit, fh_store_audit_cb cb, void *arg)
{
    fh_rv rv;

    write_queue_w(ctx, false);
    fhi_ctx_lock(ctx);
    rv = ctx->store_open ? ctx->store_ops->audit_list(ctx->store, from_seq, limit, cb, arg)
                         : FH_E_ARGS;
    fhi_ctx_unlock(ctx);
    return rv;
}

fh_rv
fh_audit_list(fh_ctx *ctx, int64_t from_seq, size_t limit, fh_store_audit_cb cb, void *arg)
{
    fh_rv rv;

    if (ctx == NULL || cb == NULL) {
        return FH_E_ARGS;
    }
    pthread_mutex_lock(&ctx->audit_wlock);
    rv = read_w(ctx, from_seq, limit, cb, arg);
    pthread_mutex_unlock(&ctx->audit_wlock);
    return rv;
}

struct verify_state {
    struct fh_audit_verify_result *res;
    struct fhi_audit *a;
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
    rv = record_hash(st->a->md, st->a->sha256, r, h);
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
    st.a = ctx->audit;
    st.expect_seq = 1;
    /* audit_wlock: the hash context is the writers' */
    pthread_mutex_lock(&ctx->audit_wlock);
    rv = read_w(ctx, 1, 0, verify_one, &st);
    pthread_mutex_unlock(&ctx->audit_wlock);
    if (rv == FH_E_STORE_CORRUPT) {
        /* The store could not read the log past the records verified so
         * far (a damaged row or page: it hands out nothing of a page it
         * cannot decode whole). For verify that is a break of the chain at
         * the next record, like any other edit, not a failure to verify. */
        out->first_bad_seq = st.expect_seq;
        out->reason = "record unreadable: the stored log is damaged";
        rv = FH_E_AUDIT_BROKEN;
    }
    return rv;
}
