/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_pool.h - a fixed set of fh_client for several threads: a thread
 * takes one (waiting while all are in use), makes its requests, gives it
 * back. Each client keeps its connection, so the pool is also a connection
 * pool. The pool's mutex guards only the free list.
 */
#ifndef FERROHSM_CLIENT_POOL_H
#define FERROHSM_CLIENT_POOL_H

#include <stddef.h>

#include "client.h"

typedef struct fh_client_pool fh_client_pool;

/*
 * n clients (1..64) made with the same options (validated once; why as for
 * fh_client_new). Free with fh_client_pool_free after every client is back.
 */
fh_rv fh_client_pool_new(const struct fh_client_opts *opts, size_t n, fh_client_pool **out,
                         char *why, size_t why_len);
void fh_client_pool_free(fh_client_pool *p);

/* Take a client, blocking while none is free. Never NULL. */
fh_client *fh_client_pool_acquire(fh_client_pool *p);
/* Give c back (it must come from this pool). */
void fh_client_pool_release(fh_client_pool *p, fh_client *c);

#endif /* FERROHSM_CLIENT_POOL_H */
