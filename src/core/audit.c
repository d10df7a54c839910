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
 * record is a copy, so the batch written later by any thread keeps each
 * record's own actor and correlation id.
 *
 * Queue (fhi_audit_batched): records of successful operations are copied,
 * packed (a header and the strings they have, about 80 bytes), into a lane:
 * one per CPU (sched_getcpu, at most FHI_AUDIT_LANES_MAX), each with its own
 * lock, so threads signing on different CPUs share no lock and no cache
 * line to queue a record. A record gets a CLOCK_MONOTONIC stamp under its
 * lane's lock; a lane's records are in stamp order, and a write takes, from
 * every lane, the records stamped up to a cutoff read before it looks at
 * any lane, and merges them by stamp (ties: lower lane first). A record
 * that misses a cutoff was stamped after it (its lane was locked after the
 * cutoff was read), so every record of a later write has a later stamp and
 * the chain keeps the order records were made in, one thread's in its own
 * order whatever CPUs it ran on.
 *
 * A lane holds at most FHI_AUDIT_RING / lanes records, at least
 * FHI_AUDIT_LANE_MIN (what a crash can lose: max(FHI_AUDIT_RING,
 * FHI_AUDIT_LANE_MIN per lane) in all), in two buffers of half that: while
 * one is written, the other takes records. A thread queueing waits only when
 * the buffer it fills is full; the write of the other (its fsync) holds no
 * one up unless a whole buffer fills meanwhile. A lane's batch is due at 3/4
 * of a buffer, or when its first record is FHI_AUDIT_DELAY_MS old: the
 * writer thread is woken (without one, fh_ctx_forbid_threads or in a forked
 * child, the thread that notices writes). Each write hands the store one
 * batch (audit_append_batch), which the SQLite store keeps as one row.
 *
 * Locks (core-int.h): ctx->audit_wlock serialises writers and guards the
 * audit connection, the hash context and the records being written. A lane's
 * lock guards its buffers; the writer takes a lane's buffer whole by swapping
 * in the spare one (no copy), and gives it back as the spare when the
 * transaction has ended. ctx->audit_qlock guards the writer thread's flags.
 * Full batches go through a second connection to the store (opened on first
 * use), so their transaction and fsync never hold ctx->lock, which
 * operations on token keys and every other store call need. Order:
 * audit_wlock -> a lane's lock -> audit_qlock; audit_wlock -> ctx->lock (to
 * open the audit connection, and for what goes through the main one).
 */
#include "core-int.h"

#include <sched.h>
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

/* A record written at once (audit_now): fixed buffers on the stack. */
struct qrec {
    int64_t time_ms;
    const char *result; /* fh_rv_str(): static */
    char actor[ACTOR_LEN];
    char operation[OPERATION_LEN];
    char object[OBJECT_LEN];
    char corr_id[CORR_LEN];
};

/* A queued record in a lane: this header, then actor, operation, object and
 * correlation id, each NUL-terminated; records follow one another 8-aligned. */
struct lrec {
    uint64_t mono_ns;   /* CLOCK_MONOTONIC, read under the lane's lock: the order */
    int64_t time_ms;    /* CLOCK_REALTIME: the record's time */
    const char *result; /* fh_rv_str(): static */
    uint16_t size;      /* bytes of the record, header included, a multiple of 8 */
    uint16_t op_off;    /* offsets in s[]; the actor starts at 0 */
    uint16_t obj_off;
    uint16_t corr_off;
    char s[];
};

#define LREC_MAX (sizeof(struct lrec) + ACTOR_LEN + OPERATION_LEN + OBJECT_LEN + CORR_LEN)
_Static_assert(LREC_MAX <= UINT16_MAX, "a lane record's size is a uint16_t");

/* One CPU's queue. Aligned so that two lanes never share a cache line. */
struct lane {
    pthread_mutex_t lock;
    pthread_cond_t room; /* the writer took the full buffer: a waiting thread goes on */
    uint8_t *buf;        /* records [0, used), in stamp order; NULL until first use */
    uint8_t *spare;      /* empty; NULL while the writer holds the other buffer */
    size_t used;
    size_t last;       /* offset of the last record (n > 0) */
    uint32_t n;        /* records in buf */
    int64_t first_ms;  /* time_ms of buf's first record */
    pid_t pid;         /* process whose records buf holds: a forked child drops them */
    bool due_sent;     /* the writer was told this lane's batch is due */
    bool waiting;      /* a thread waits for room */
} __attribute__((aligned(64)));

/* Records taken from one lane for the write in progress (audit_wlock). */
struct taken {
    uint8_t *buf;
    size_t used;
    uint32_t n;
};

struct fhi_audit {
    struct lane *lanes;
    unsigned n_lanes;
    uint32_t buf_cap;  /* records a lane buffer holds: half the lane's */
    uint32_t lane_due; /* a lane's batch is due at this many */
    size_t buf_size;   /* bytes of a lane buffer: buf_cap records of any size */
    /* under ctx->audit_qlock */
    bool due;             /* a batch is due: the writer thread writes */
    bool pending;         /* a lane got its first record: the writer sets its timer */
    pthread_cond_t wake;  /* the writer thread: a batch is due, a first record, or stop */
    pthread_cond_t ready; /* the writer thread runs its loop */
    pthread_t thr;
    pid_t thr_pid;         /* process that started it: a forked child writes inline */
    bool thr_started;      /* tried already (read without the lock on the fast path) */
    bool thr_running;
    bool thr_ready;
    bool thr_stop;
    /* under ctx->audit_wlock */
    struct taken *taken;      /* per lane */
    struct fh_store_audit *w; /* views of the records being written: n_lanes * buf_cap */
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

static uint64_t
mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

static void
audit_free(struct fhi_audit *a)
{
    if (a->lanes != NULL) {
        for (unsigned i = 0; i < a->n_lanes; i++) {
            struct lane *l = &a->lanes[i];

            pthread_cond_destroy(&l->room);
            pthread_mutex_destroy(&l->lock);
            free(l->buf);
            free(l->spare);
        }
        free(a->lanes);
    }
    free(a->taken);
    free(a->w);
    EVP_MD_CTX_free(a->md);
    EVP_MD_free(a->sha256);
    free(a);
}

/* One lane per CPU the system may have (cpu ids run below that count). */
static unsigned
lane_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);

    return n < 1 ? 1 : n > FHI_AUDIT_LANES_MAX ? FHI_AUDIT_LANES_MAX : (unsigned)n;
}

fh_rv
fhi_audit_init(fh_ctx *ctx)
{
    struct fhi_audit *a = calloc(1, sizeof(*a));
    unsigned made = 0;
    bool ok;

    if (a == NULL) {
        return FH_E_NOMEM;
    }
    a->n_lanes = lane_count();
    a->buf_cap = FHI_AUDIT_RING / a->n_lanes / 2;
    if (a->buf_cap < FHI_AUDIT_LANE_MIN / 2) {
        a->buf_cap = FHI_AUDIT_LANE_MIN / 2;
    }
    a->lane_due = a->buf_cap / 4 * 3;
    a->buf_size = (size_t)a->buf_cap * LREC_MAX;
    a->lanes = aligned_alloc(64, sizeof(struct lane) * a->n_lanes);
    a->taken = calloc(a->n_lanes, sizeof(*a->taken));
    a->w = calloc((size_t)a->n_lanes * a->buf_cap, sizeof(*a->w));
    a->sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    a->md = EVP_MD_CTX_new();
    ok = a->lanes != NULL && a->taken != NULL && a->w != NULL && a->sha256 != NULL && a->md != NULL;
    if (a->lanes != NULL) {
        memset(a->lanes, 0, sizeof(struct lane) * a->n_lanes);
        for (; ok && made < a->n_lanes; made++) {
            struct lane *l = &a->lanes[made];

            if (pthread_mutex_init(&l->lock, NULL) != 0) {
                break;
            }
            if (pthread_cond_init(&l->room, NULL) != 0) {
                pthread_mutex_destroy(&l->lock);
                break;
            }
        }
    }
    ok = ok && made == a->n_lanes;
    if (ok && pthread_cond_init(&a->wake, NULL) != 0) {
        ok = false;
    }
    if (ok && pthread_cond_init(&a->ready, NULL) != 0) {
        pthread_cond_destroy(&a->wake);
        ok = false;
    }
    if (!ok) {
        a->n_lanes = made; /* only these have a lock and a condition to destroy */
        audit_free(a);
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
 * The lane is this process's (its lock held): a forked child drops the
 * records it inherited, which its parent writes. If it forked while its
 * parent wrote this lane's other buffer, that one is not coming back: the
 * child makes a new spare (without memory, the lane starts over at
 * lane_alloc).
 */
static void
lane_adopt(const struct fhi_audit *a, struct lane *l, pid_t me)
{
    if (l->pid == me) {
        return;
    }
    l->used = 0;
    l->n = 0;
    l->due_sent = false;
    l->waiting = false;
    l->pid = me;
    if (l->buf != NULL && l->spare == NULL) {
        l->spare = malloc(a->buf_size);
        if (l->spare == NULL) {
            free(l->buf);
            l->buf = NULL;
        }
    }
}

/* The lane's two buffers, made on its first record (its lock held); pages
 * are touched only as records fill them. While the writer holds one, the
 * spare is NULL. False without memory: the caller's record is then written
 * at once. */
static bool
lane_alloc(const struct fhi_audit *a, struct lane *l)
{
    if (l->buf == NULL) {
        l->buf = malloc(a->buf_size);
        l->spare = l->buf != NULL ? malloc(a->buf_size) : NULL;
        if (l->spare == NULL) {
            free(l->buf);
            l->buf = NULL;
        }
    }
    return l->buf != NULL;
}

/*
 * Take lane l's records stamped up to cutoff (audit_wlock held) into t: the
 * whole buffer when its last record is (the usual case: the cutoff was read
 * just before), else the buffer with the later records moved to the spare.
 * The lane goes on with the spare, and a thread waiting for room in the
 * full buffer goes on.
 */
static void
lane_take(const struct fhi_audit *a, struct lane *l, uint64_t cutoff, pid_t me, struct taken *t)
{
    size_t split = 0;
    uint32_t k = 0;

    t->n = 0;
    pthread_mutex_lock(&l->lock);
    lane_adopt(a, l, me);
    if (l->n == 0 || l->spare == NULL) {
        pthread_mutex_unlock(&l->lock);
        return;
    }
    if (((const struct lrec *)(l->buf + l->last))->mono_ns <= cutoff) {
        split = l->used;
        k = l->n;
    } else {
        while (split < l->used && ((const struct lrec *)(l->buf + split))->mono_ns <= cutoff) {
            split += ((const struct lrec *)(l->buf + split))->size;
            k++;
        }
    }
    if (k > 0) {
        size_t rest = l->used - split;

        memcpy(l->spare, l->buf + split, rest);
        t->buf = l->buf;
        t->used = split;
        t->n = k;
        l->buf = l->spare;
        l->spare = NULL;
        l->used = rest;
        l->n -= k;
        l->last = rest > 0 ? l->last - split : 0;
        if (l->n > 0) {
            l->first_ms = ((const struct lrec *)l->buf)->time_ms;
        }
        l->due_sent = false;
        if (l->waiting) {
            l->waiting = false;
            pthread_cond_broadcast(&l->room);
        }
    }
    pthread_mutex_unlock(&l->lock);
}

/* The write of t has ended: its buffer is the lane's spare again. */
static void
lane_give_back(struct lane *l, struct taken *t)
{
    pthread_mutex_lock(&l->lock);
    l->spare = t->buf;
    pthread_mutex_unlock(&l->lock);
    t->buf = NULL;
    t->n = 0;
}

static void
view(fh_ctx *ctx, const struct lrec *q, struct fh_store_audit *r)
{
    memset(r, 0, sizeof(*r));
    r->time_ms = q->time_ms;
    r->actor = (char *)(uintptr_t)q->s;
    r->front = ctx->front;
    r->operation = (char *)(uintptr_t)(q->s + q->op_off);
    r->object = (char *)(uintptr_t)(q->s + q->obj_off);
    r->result = (char *)(uintptr_t)q->result;
    r->corr_id = (char *)(uintptr_t)(q->s + q->corr_off);
}

/*
 * Write everything queued up to now (audit_wlock held) in one transaction:
 * the records of every lane stamped up to a cutoff read first, merged by
 * stamp. Threads queueing meanwhile write their lanes' other buffers and
 * wait only when a lane is full, never for the store otherwise. The buffers
 * go back to their lanes when the transaction has ended. An audit write that
 * fails is not retried: the callers' results stand, and `ferrohsm audit
 * verify` still verifies the chain that was written.
 */
static void
write_queue_w(fh_ctx *ctx, bool batch)
{
    struct fhi_audit *a = ctx->audit;
    uint64_t cutoff = mono_ns();
    pid_t me = self_pid();
    size_t total = 0, pos[FHI_AUDIT_LANES_MAX];
    unsigned live[FHI_AUDIT_LANES_MAX], n_live = 0;

    for (unsigned i = 0; i < a->n_lanes; i++) {
        lane_take(a, &a->lanes[i], cutoff, me, &a->taken[i]);
        if (a->taken[i].n > 0) {
            total += a->taken[i].n;
            pos[n_live] = 0;
            live[n_live++] = i;
        }
    }
    if (total == 0) {
        return;
    }
    /* merge: each lane's records are in stamp order; ties go to the lower lane */
    for (size_t k = 0; k < total; k++) {
        unsigned best = 0;
        const struct lrec *br = NULL;

        for (unsigned j = 0; j < n_live; j++) {
            const struct taken *t = &a->taken[live[j]];
            const struct lrec *r;

            if (pos[j] >= t->used) {
                continue;
            }
            r = (const struct lrec *)(t->buf + pos[j]);
            if (br == NULL || r->mono_ns < br->mono_ns) {
                best = j;
                br = r;
            }
        }
        view(ctx, br, &a->w[k]);
        pos[best] += br->size;
    }
    (void)append_w(ctx, a->w, total, batch);
    for (unsigned j = 0; j < n_live; j++) {
        lane_give_back(&a->lanes[live[j]], &a->taken[live[j]]);
    }
}

void
fhi_audit_flush(fh_ctx *ctx)
{
    pthread_mutex_lock(&ctx->audit_wlock);
    write_queue_w(ctx, false);
    pthread_mutex_unlock(&ctx->audit_wlock);
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

/* A batch due, written by the thread that found it due (no writer thread). */
static void
flush_batch(fh_ctx *ctx)
{
    pthread_mutex_lock(&ctx->audit_wlock);
    write_queue_w(ctx, true);
    pthread_mutex_unlock(&ctx->audit_wlock);
}

/* Tell the writer thread that a batch is due, or that a lane has its first
 * record (it then sets its timer); no lane lock held, or the one of a full
 * lane (audit_qlock comes after a lane's lock). */
static void
writer_tell(struct fhi_audit *a, fh_ctx *ctx, bool due)
{
    pthread_mutex_lock(&ctx->audit_qlock);
    if (due) {
        a->due = true;
    } else {
        a->pending = true;
    }
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&ctx->audit_qlock);
}

/* When the oldest queued record makes a batch due (its first_ms plus
 * FHI_AUDIT_DELAY_MS), or -1 when every lane is empty. */
static int64_t
next_due(struct fhi_audit *a)
{
    int64_t due = -1;

    for (unsigned i = 0; i < a->n_lanes; i++) {
        struct lane *l = &a->lanes[i];

        pthread_mutex_lock(&l->lock);
        if (l->n > 0 && (due < 0 || l->first_ms + FHI_AUDIT_DELAY_MS < due)) {
            due = l->first_ms + FHI_AUDIT_DELAY_MS;
        }
        pthread_mutex_unlock(&l->lock);
    }
    return due;
}

/*
 * The writer thread: writes a batch when one is due (a lane half full, or a
 * record FHI_AUDIT_DELAY_MS old), so that no signer waits for the store's
 * fsync; with two signing threads on two CPUs its I/O wait costs no CPU.
 * Between batches it sleeps until the oldest queued record is due; a lane
 * that gets a first record tells it (pending), so it never sleeps past one.
 */
static void *
writer_main(void *arg)
{
    fh_ctx *ctx = arg;
    struct fhi_audit *a = ctx->audit;
    int64_t due_at = -1;

    pthread_mutex_lock(&ctx->audit_qlock);
    a->thr_ready = true;
    pthread_cond_broadcast(&a->ready); /* writer_start waits for this */
    while (!a->thr_stop) {
        if (a->due || a->pending) {
            bool write = a->due;

            a->due = false;
            a->pending = false;
            pthread_mutex_unlock(&ctx->audit_qlock);
            if (write) {
                flush_batch(ctx);
            }
            due_at = next_due(a);
            pthread_mutex_lock(&ctx->audit_qlock);
        } else if (due_at < 0) {
            pthread_cond_wait(&a->wake, &ctx->audit_qlock);
        } else if (now_ms() >= due_at) {
            a->due = true;
        } else {
            struct timespec ts = {.tv_sec = due_at / 1000, .tv_nsec = (due_at % 1000) * 1000000};

            (void)pthread_cond_timedwait(&a->wake, &ctx->audit_qlock, &ts);
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
 * then its lanes' locks (a child that goes on using the context must not
 * find one held by a thread it does not have), and the parent and child
 * handlers let go of them. Contexts are listed here from the start of their
 * writer to fh_ctx_free.
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
        struct fhi_audit *a = writers[i]->audit;

        pthread_mutex_lock(&writers[i]->audit_wlock);
        for (unsigned k = 0; k < a->n_lanes; k++) {
            pthread_mutex_lock(&a->lanes[k].lock);
        }
    }
}

static void
fork_release(void)
{
    for (size_t i = n_writers; i-- > 0;) {
        struct fhi_audit *a = writers[i]->audit;

        for (unsigned k = a->n_lanes; k-- > 0;) {
            pthread_mutex_unlock(&a->lanes[k].lock);
        }
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
            pthread_cond_wait(&a->ready, &ctx->audit_qlock);
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
    bool join, listed;

    if (a == NULL) {
        return;
    }
    pthread_mutex_lock(&ctx->audit_qlock);
    a->thr_stop = true;
    pthread_cond_broadcast(&a->wake);
    /* a forked child has no writer thread, only the parent's record of it */
    listed = a->thr_running;
    join = listed && a->thr_pid == getpid();
    pthread_mutex_unlock(&ctx->audit_qlock);
    if (join) {
        pthread_join(a->thr, NULL);
    }
    if (listed) {
        writers_del(ctx); /* in a child too: its copy of the list names ctx */
    }
    fhi_audit_flush(ctx);
    if (a->store != NULL) {
        ctx->store_ops->close(a->store);
        free(a->store);
    }
    pthread_cond_destroy(&a->wake);
    pthread_cond_destroy(&a->ready);
    audit_free(a);
    ctx->audit = NULL;
}

/*
 * The thread context (audit.h): who acts on this thread, for a front that
 * serves several principals from one fh_ctx. Thread-local, so it needs no
 * lock; it is read when a record is made (fill, lane_put), never at flush, so a queued
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

static void
view_q(fh_ctx *ctx, const struct qrec *q, struct fh_store_audit *r)
{
    memset(r, 0, sizeof(*r));
    r->time_ms = q->time_ms;
    r->actor = (char *)(uintptr_t)q->actor;
    r->front = ctx->front;
    r->operation = (char *)(uintptr_t)q->operation;
    r->object = (char *)(uintptr_t)q->object;
    r->result = (char *)(uintptr_t)q->result;
    r->corr_id = (char *)(uintptr_t)q->corr_id;
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

/* Write one record now, after the records queued before it (the chain keeps
 * the order things happened). */
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
        view_q(ctx, &rec, &r);
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

/* The strings of a queued record, measured before a lane is locked. The
 * actor is "principal(token actor)", the principal, the token actor or
 * "anonymous" (as fill). */
struct lsrc {
    const char *actor[4];
    size_t actor_len[4];
    unsigned n_actor;
    const char *op;
    size_t op_len;
    const char *obj;
    size_t obj_len;
};

/* False when a string is too long for a queued record (it is then written
 * at once from the caller's own strings, as fill does). */
static bool
lsrc_make(struct lsrc *s, const char *actor, const char *operation, const char *object)
{
    size_t total = 0;

    s->n_actor = 0;
    if (tctx.has_principal) {
        s->actor[s->n_actor++] = tctx.principal;
        if (actor != NULL) {
            s->actor[s->n_actor++] = "(";
            s->actor[s->n_actor++] = actor;
            s->actor[s->n_actor++] = ")";
        }
    } else {
        s->actor[s->n_actor++] = actor != NULL ? actor : "anonymous";
    }
    for (unsigned i = 0; i < s->n_actor; i++) {
        s->actor_len[i] = strlen(s->actor[i]);
        total += s->actor_len[i];
    }
    s->op = operation;
    s->op_len = strlen(operation);
    s->obj = object != NULL ? object : "";
    s->obj_len = strlen(s->obj);
    return total < ACTOR_LEN && s->op_len < OPERATION_LEN && s->obj_len < OBJECT_LEN;
}

static char *
put_str(char *p, const char *s, size_t len)
{
    memcpy(p, s, len);
    p[len] = '\0';
    return p + len + 1;
}

/* Write the record's strings after its header; the correlation id is read
 * here, under the lane's lock (fhi_audit_set_corr_id takes them all). */
static void
lrec_fill(struct lrec *r, const struct lsrc *src, const char *corr)
{
    char *p = r->s;
    size_t size;

    for (unsigned i = 0; i < src->n_actor; i++) {
        memcpy(p, src->actor[i], src->actor_len[i]);
        p += src->actor_len[i];
    }
    *p++ = '\0';
    r->op_off = (uint16_t)(p - r->s);
    p = put_str(p, src->op, src->op_len);
    r->obj_off = (uint16_t)(p - r->s);
    p = put_str(p, src->obj, src->obj_len);
    r->corr_off = (uint16_t)(p - r->s);
    p = put_str(p, corr, strnlen(corr, CORR_LEN - 1));
    size = sizeof(*r) + (size_t)(p - r->s);
    r->size = (uint16_t)((size + 7) & ~(size_t)7);
}

/*
 * Queue a record in the lane of the CPU this thread runs on. A thread waits
 * only when its lane is full (the store is slower than the operations, and
 * the bound on what a crash can lose holds); without a writer thread it
 * writes the queue itself then. False when the lane has no memory.
 */
static bool
lane_put(fh_ctx *ctx, const struct lsrc *src, fh_rv result)
{
    struct fhi_audit *a = ctx->audit;
    int cpu = sched_getcpu();
    struct lane *l = &a->lanes[cpu > 0 ? (unsigned)cpu % a->n_lanes : 0];
    bool writer = writer_here(a), first, due;
    pid_t me = self_pid();
    struct lrec *r;

    pthread_mutex_lock(&l->lock);
    lane_adopt(a, l, me);
    for (;;) {
        if (!lane_alloc(a, l)) {
            pthread_mutex_unlock(&l->lock);
            return false;
        }
        if (l->n < a->buf_cap) {
            break;
        }
        if (!writer) {
            pthread_mutex_unlock(&l->lock);
            flush_batch(ctx);
            pthread_mutex_lock(&l->lock);
            continue;
        }
        l->waiting = true;
        if (!l->due_sent) {
            l->due_sent = true;
            writer_tell(a, ctx, true);
        }
        pthread_cond_wait(&l->room, &l->lock);
    }
    r = (struct lrec *)(l->buf + l->used);
    r->mono_ns = mono_ns();
    r->time_ms = now_ms();
    r->result = fh_rv_str(result);
    lrec_fill(r, src, tctx.has_corr ? tctx.corr_id : ctx->corr_id);
    l->last = l->used;
    l->used += r->size;
    first = ++l->n == 1;
    if (first) {
        l->first_ms = r->time_ms;
    }
    due = !l->due_sent && (l->n >= a->lane_due || r->time_ms - l->first_ms >= FHI_AUDIT_DELAY_MS);
    if (due) {
        l->due_sent = true;
    }
    pthread_mutex_unlock(&l->lock);
    if (writer && (due || first)) {
        writer_tell(a, ctx, due);
    } else if (due) {
        flush_batch(ctx);
    }
    return true;
}

/*
 * Queue the record of a successful operation (a failure is written at
 * once). The first queued record of a context starts its writer thread,
 * unless threads are forbidden.
 */
void
fhi_audit_batched(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
                  fh_rv result)
{
    struct fhi_audit *a = ctx->audit;
    struct lsrc src;
    bool start = false;

    if (result != FH_OK || !lsrc_make(&src, actor, operation, object)) {
        fhi_audit(ctx, actor, operation, object, result);
        return;
    }
    if (!__atomic_load_n(&a->thr_started, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&ctx->audit_qlock);
        if (!a->thr_started) {
            start = !ctx->no_threads;
            __atomic_store_n(&a->thr_started, true, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&ctx->audit_qlock);
        if (start) {
            writer_start(ctx);
        }
    }
    if (!lane_put(ctx, &src, result)) {
        fhi_audit(ctx, actor, operation, object, result);
    }
}

void
fhi_audit_set_corr_id(fh_ctx *ctx, const char *id)
{
    struct fhi_audit *a = ctx->audit;

    /* queued records read it under their lane's lock, audit_now under audit_qlock */
    for (unsigned i = 0; a != NULL && i < a->n_lanes; i++) {
        pthread_mutex_lock(&a->lanes[i].lock);
    }
    pthread_mutex_lock(&ctx->audit_qlock);
    snprintf(ctx->corr_id, sizeof(ctx->corr_id), "%s", id);
    pthread_mutex_unlock(&ctx->audit_qlock);
    for (unsigned i = a != NULL ? a->n_lanes : 0; i-- > 0;) {
        pthread_mutex_unlock(&a->lanes[i].lock);
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
