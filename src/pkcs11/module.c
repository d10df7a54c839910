/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module.c - the module's lifetime: C_Initialize, C_Finalize and fork.
 *
 * One struct p11_module per process, reached through `mod`. Every C_* call
 * holds `life` for reading for its whole duration, C_Initialize and
 * C_Finalize hold it for writing, so C_Finalize never frees what a call in
 * flight uses (§5.4 leaves that case undefined; we make it safe).
 *
 * `life` is a reader-writer lock whose readers share no cache line: each
 * thread counts itself in one of LIFE_SLOTS counters (picked round-robin at
 * its first call, each on its own line), and a writer raises `writer`, then
 * waits for every counter to reach zero. A reader raises its counter, then
 * looks at `writer`; both sides use sequentially consistent atomics, so one
 * of them always sees the other. A call that finds a writer steps back and
 * waits. A thread already inside a call (depth > 0) enters again without
 * looking, as with glibc's reader-preferring rwlock: a nested reader never
 * waits for a writer that waits for it. With a pthread rwlock, every call
 * passed the lock's line between CPUs twice, which cost two threads doing
 * AES-256-GCM of 4 KiB about 3 % of their operations.
 *
 * Fork (STYLE rule 20): C_Initialize records getpid(). A child sees a pid
 * that differs and behaves as not initialised; it never touches the
 * parent's state, which is abandoned (not freed: its locks and store
 * handles belong to the parent) until the child calls C_Initialize. The
 * pthread_atfork child handler resets `life`, which another parent
 * thread may have held at the moment of fork, and stores the child's pid in
 * self_pid, which every call compares with instead of calling getpid() (a
 * system call per call; a raw clone(2) without fork handlers is not
 * supported, as with any library that keeps per-process state).
 *
 * Configuration is the core's: fh_ctx_new reads FERROHSM_CONF /
 * FERROHSM_HOME. No process-global OpenSSL state is changed here.
 */
#include "p11.h"
#include "remote.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define LIFE_SLOTS 64
static struct {
    _Alignas(64) unsigned long readers; /* atomic */
} life_slot[LIFE_SLOTS];
static int life_writer; /* atomic: a writer wants or holds life */
static pthread_mutex_t life_wmu = PTHREAD_MUTEX_INITIALIZER; /* one writer at a time */
static pthread_mutex_t life_mu = PTHREAD_MUTEX_INITIALIZER;  /* guards the waits below */
static pthread_cond_t life_cv = PTHREAD_COND_INITIALIZER;    /* readers left / writer left */
static unsigned life_next;                                   /* atomic: round-robin slot */
static __thread unsigned life_depth;                         /* this thread's nested calls */
static __thread unsigned life_mine;                          /* this thread's slot + 1 */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct p11_module *mod;
/* getpid() of this process, kept by the atfork child handler: every call
 * checks it (mine), and getpid() is a system call. 0 until C_Initialize. */
static pid_t self_pid;

static void
life_rdlock(void)
{
    unsigned k;

    if (life_depth++ > 0) {
        return;
    }
    if (life_mine == 0) {
        life_mine = __atomic_fetch_add(&life_next, 1, __ATOMIC_RELAXED) % LIFE_SLOTS + 1;
    }
    k = life_mine - 1;
    for (;;) {
        __atomic_add_fetch(&life_slot[k].readers, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&life_writer, __ATOMIC_SEQ_CST)) {
            return;
        }
        __atomic_sub_fetch(&life_slot[k].readers, 1, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&life_mu);
        pthread_cond_broadcast(&life_cv); /* the writer may wait for this counter */
        while (__atomic_load_n(&life_writer, __ATOMIC_SEQ_CST)) {
            pthread_cond_wait(&life_cv, &life_mu);
        }
        pthread_mutex_unlock(&life_mu);
    }
}

static void
life_rdunlock(void)
{
    if (--life_depth > 0) {
        return;
    }
    __atomic_sub_fetch(&life_slot[life_mine - 1].readers, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&life_writer, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&life_mu);
        pthread_cond_broadcast(&life_cv);
        pthread_mutex_unlock(&life_mu);
    }
}

static bool
life_readers(void)
{
    for (size_t k = 0; k < LIFE_SLOTS; k++) {
        if (__atomic_load_n(&life_slot[k].readers, __ATOMIC_SEQ_CST) != 0) {
            return true;
        }
    }
    return false;
}

static void
life_wrlock(void)
{
    pthread_mutex_lock(&life_wmu);
    __atomic_store_n(&life_writer, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&life_mu);
    while (life_readers()) {
        pthread_cond_wait(&life_cv, &life_mu);
    }
    pthread_mutex_unlock(&life_mu);
}

static void
life_wrunlock(void)
{
    pthread_mutex_lock(&life_mu);
    __atomic_store_n(&life_writer, 0, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&life_cv);
    pthread_mutex_unlock(&life_mu);
    pthread_mutex_unlock(&life_wmu);
}

/* The child has one thread, the one that forked: whatever other threads
 * held is void, and so is its own hold on life if it forked inside a call. */
static void
atfork_child(void)
{
    for (size_t k = 0; k < LIFE_SLOTS; k++) {
        __atomic_store_n(&life_slot[k].readers, 0, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&life_writer, 0, __ATOMIC_RELAXED);
    pthread_mutex_init(&life_wmu, NULL);
    pthread_mutex_init(&life_mu, NULL);
    pthread_cond_init(&life_cv, NULL);
    life_depth = 0;
    __atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
}

static void
atfork_register(void)
{
    pthread_atfork(NULL, NULL, atfork_child);
}

static bool
mine(const struct p11_module *m)
{
    return m != NULL && m->pid == __atomic_load_n(&self_pid, __ATOMIC_RELAXED);
}

static void
module_free(struct p11_module *m)
{
    if (m == NULL) {
        return;
    }
    p11_sessions_free(&m->sessions); /* closes core sessions before their tokens */
    p11_slots_free(&m->slots);
    p11r_free(m->remote);
    fh_ctx_free(m->ctx);
    free(m);
}

/* §5.4: the application forbids the library to create threads. */
static bool
no_threads(CK_VOID_PTR args)
{
    const CK_C_INITIALIZE_ARGS *a = args;

    return a != NULL && (a->flags & CKF_LIBRARY_CANT_CREATE_OS_THREADS) != 0;
}

CK_RV
p11_module_initialize(CK_VOID_PTR args)
{
    struct p11_module *m = NULL;
    CK_RV rv;
    fh_rv r;

    pthread_once(&atfork_once, atfork_register);
    life_wrlock();
    __atomic_store_n(&self_pid, getpid(), __ATOMIC_RELAXED);
    if (mine(mod)) {
        rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
        goto out;
    }
    mod = NULL; /* a parent's state after fork: abandoned, never freed */
    rv = p11_mutex_setup(args);
    if (rv != CKR_OK) {
        goto out;
    }
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        rv = CKR_HOST_MEMORY;
        goto out;
    }
    m->pid = getpid();
    r = fh_ctx_new(&(struct fh_ctx_options){.front = "pkcs11", .create = true}, &m->ctx);
    if (r == FH_OK && no_threads(args)) {
        fh_ctx_forbid_threads(m->ctx);
    }
    if (r == FH_OK) {
        r = p11_sessions_init(&m->sessions);
    }
    if (r == FH_OK) {
        r = p11_slots_init(&m->slots, m->ctx);
    }
    if (r == FH_OK) {
        r = p11r_init(m->ctx, &m->remote); /* [remote.*] sections: remote.h */
    }
    rv = fh_rv_to_ckr(r, FH_P11_CTX_GENERAL);
    if (rv == CKR_OK) {
        mod = m;
        m = NULL;
    }
out:
    module_free(m);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        p11_mutex_reset();
    }
    life_wrunlock();
    return rv;
}

CK_RV
p11_module_finalize(CK_VOID_PTR reserved)
{
    CK_RV rv = CKR_OK;

    life_wrlock();
    if (!mine(mod)) {
        rv = CKR_CRYPTOKI_NOT_INITIALIZED;
    } else if (reserved != NULL) {
        rv = CKR_ARGUMENTS_BAD; /* §5.4.2: pReserved must be NULL_PTR */
    } else {
        module_free(mod);
        mod = NULL;
        p11_mutex_reset();
    }
    life_wrunlock();
    return rv;
}

struct p11_module *
p11_module_enter(void)
{
    life_rdlock();
    if (!mine(mod)) {
        life_rdunlock();
        return NULL;
    }
    return mod;
}

void
p11_module_leave(struct p11_module *m)
{
    if (m != NULL) {
        life_rdunlock();
    }
}
