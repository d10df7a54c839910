/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_pool.c - a blocking pool of clients (see client_pool.h).
 *
 * Invariant: idle[0..n_free) are the clients not lent out; lock guards
 * idle and n_free, and cond is signalled when a client comes back.
 */
#include "client_pool.h"

#include <pthread.h>
#include <stdlib.h>

#define POOL_MAX 64

struct fh_client_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    fh_client *all[POOL_MAX];
    fh_client *idle[POOL_MAX];
    size_t n;
    size_t n_free;
};

fh_rv
fh_client_pool_new(const struct fh_client_opts *opts, size_t n, fh_client_pool **out, char *why,
                   size_t why_len)
{
    fh_client_pool *p;
    fh_rv rv = FH_OK;

    if (n == 0 || n > POOL_MAX) {
        return FH_E_ARGS;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return FH_E_NOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (; p->n < n; p->n++) {
        rv = fh_client_new(opts, &p->all[p->n], why, why_len);
        if (rv != FH_OK) {
            p->n_free = p->n;
            fh_client_pool_free(p);
            return rv;
        }
        p->idle[p->n] = p->all[p->n];
    }
    p->n_free = p->n;
    *out = p;
    return FH_OK;
}

void
fh_client_pool_free(fh_client_pool *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        fh_client_free(p->all[i]);
    }
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

fh_client *
fh_client_pool_acquire(fh_client_pool *p)
{
    fh_client *c;

    pthread_mutex_lock(&p->lock);
    while (p->n_free == 0) {
        pthread_cond_wait(&p->cond, &p->lock);
    }
    c = p->idle[--p->n_free];
    pthread_mutex_unlock(&p->lock);
    return c;
}

void
fh_client_pool_release(fh_client_pool *p, fh_client *c)
{
    pthread_mutex_lock(&p->lock);
    p->idle[p->n_free++] = c;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}
