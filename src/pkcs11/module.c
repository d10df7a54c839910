/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module.c - the module's lifetime: C_Initialize, C_Finalize and fork.
 *
 * One struct p11_module per process, reached through `mod`. Every C_* call
 * holds `life` for reading for its whole duration, C_Initialize and
 * C_Finalize hold it for writing, so C_Finalize never frees what a call in
 * flight uses (§5.4 leaves that case undefined; we make it safe).
 *
 * Fork (STYLE rule 20): C_Initialize records getpid(). A child sees a pid
 * that differs and behaves as not initialised; it never touches the
 * parent's state, which is abandoned (not freed: its locks and store
 * handles belong to the parent) until the child calls C_Initialize. The
 * pthread_atfork child handler re-creates `life`, which another parent
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

static pthread_rwlock_t life = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct p11_module *mod;
/* getpid() of this process, kept by the atfork child handler: every call
 * checks it (mine), and getpid() is a system call. 0 until C_Initialize. */
static pid_t self_pid;

static void
atfork_child(void)
{
    pthread_rwlock_init(&life, NULL);
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
    pthread_rwlock_wrlock(&life);
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
    pthread_rwlock_unlock(&life);
    return rv;
}

CK_RV
p11_module_finalize(CK_VOID_PTR reserved)
{
    CK_RV rv = CKR_OK;

    pthread_rwlock_wrlock(&life);
    if (!mine(mod)) {
        rv = CKR_CRYPTOKI_NOT_INITIALIZED;
    } else if (reserved != NULL) {
        rv = CKR_ARGUMENTS_BAD; /* §5.4.2: pReserved must be NULL_PTR */
    } else {
        module_free(mod);
        mod = NULL;
        p11_mutex_reset();
    }
    pthread_rwlock_unlock(&life);
    return rv;
}

struct p11_module *
p11_module_enter(void)
{
    pthread_rwlock_rdlock(&life);
    if (!mine(mod)) {
        pthread_rwlock_unlock(&life);
        return NULL;
    }
    return mod;
}

void
p11_module_leave(struct p11_module *m)
{
    if (m != NULL) {
        pthread_rwlock_unlock(&life);
    }
}
