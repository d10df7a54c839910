/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mutex.c - locks of the module's own tables, through the application's
 * CK_C_INITIALIZE_ARGS callbacks or through pthreads (PKCS#11 v3.0 §5.4,
 * STYLE rule 20).
 *
 * §5.4 C_Initialize cases: no arguments or no callbacks -> OS locking (we may
 * always use it); callbacks and CKF_OS_LOCKING_OK -> either (we use pthreads,
 * which the core needs anyway); callbacks without CKF_OS_LOCKING_OK -> the
 * callbacks. The table is chosen once per C_Initialize, under the module's
 * life lock, and read without a lock afterwards (calls hold the life lock).
 * Known limit: libferrohsm itself always uses pthread mutexes internally.
 */
#include "p11.h"

#include <pthread.h>
#include <stdlib.h>

struct p11_mutex_ops {
    CK_RV (*create)(void **m);
    CK_RV (*destroy)(void *m);
    CK_RV (*lock)(void *m);
    CK_RV (*unlock)(void *m);
};

/*
 * Each OS mutex on cache lines of its own: mutexes made one after the other
 * (two sessions' call locks, say) would otherwise share a line, and two
 * threads working on different sessions would pass it back and forth on
 * every call.
 */
#define MUTEX_ALIGN 64
#define MUTEX_SIZE ((sizeof(pthread_mutex_t) + MUTEX_ALIGN - 1) / MUTEX_ALIGN * MUTEX_ALIGN)

static CK_RV
os_create(void **out)
{
    pthread_mutex_t *m = aligned_alloc(MUTEX_ALIGN, MUTEX_SIZE);

    if (m == NULL) {
        return CKR_HOST_MEMORY;
    }
    if (pthread_mutex_init(m, NULL) != 0) {
        free(m);
        return CKR_CANT_LOCK;
    }
    *out = m;
    return CKR_OK;
}

static CK_RV
os_destroy(void *m)
{
    pthread_mutex_destroy(m);
    free(m);
    return CKR_OK;
}

static CK_RV
os_lock(void *m)
{
    return pthread_mutex_lock(m) == 0 ? CKR_OK : CKR_CANT_LOCK;
}

static CK_RV
os_unlock(void *m)
{
    return pthread_mutex_unlock(m) == 0 ? CKR_OK : CKR_CANT_LOCK;
}

static const struct p11_mutex_ops os_ops = {os_create, os_destroy, os_lock, os_unlock};
static struct p11_mutex_ops app_ops;
static const struct p11_mutex_ops *ops = &os_ops;

CK_RV
p11_mutex_setup(const CK_C_INITIALIZE_ARGS *args)
{
    int given;

    ops = &os_ops;
    if (args == NULL) {
        return CKR_OK;
    }
    if (args->pReserved != NULL) {
        return CKR_ARGUMENTS_BAD;
    }
    given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) + (args->LockMutex != NULL) +
            (args->UnlockMutex != NULL);
    if (given != 0 && given != 4) {
        return CKR_ARGUMENTS_BAD; /* §5.4: all four or none */
    }
    if (given == 4 && (args->flags & CKF_OS_LOCKING_OK) == 0) {
        app_ops.create = args->CreateMutex;
        app_ops.destroy = args->DestroyMutex;
        app_ops.lock = args->LockMutex;
        app_ops.unlock = args->UnlockMutex;
        ops = &app_ops;
    }
    return CKR_OK;
}

void
p11_mutex_reset(void)
{
    ops = &os_ops;
}

CK_RV
p11_mutex_new(void **out)
{
    void *m = NULL;
    CK_RV rv = ops->create(&m);

    if (rv == CKR_OK && m == NULL) {
        rv = CKR_GENERAL_ERROR;
    }
    if (rv == CKR_OK) {
        *out = m;
    }
    return rv;
}

void
p11_mutex_free(void *m)
{
    if (m != NULL) {
        (void)ops->destroy(m);
    }
}

/* A failing lock callback leaves nothing sane to do: the table it guards
 * would be corrupted by going on, so stop (the application broke §5.4). */
void
p11_mutex_lock(void *m)
{
    if (ops->lock(m) != CKR_OK) {
        abort();
    }
}

void
p11_mutex_unlock(void *m)
{
    if (ops->unlock(m) != CKR_OK) {
        abort();
    }
}
