/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c - stores and backends by name. Built-in entries only for now;
 * every entry is checked against the ABI version it was built for, so a
 * future loadable plugin of another version is refused, not misread.
 */
#include "core-int.h"

#include <string.h>

static const struct fh_store_ops *const stores[] = {
    &fh_store_sqlite_ops,
};

static const struct fh_backend_ops *const backends[] = {
    &fh_backend_soft_ops,
};

const struct fh_store_ops *
fhi_store_find(const char *name)
{
    for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        if (strcmp(stores[i]->name, name) == 0 &&
            stores[i]->abi_version == FH_STORE_ABI_VERSION) {
            return stores[i];
        }
    }
    return NULL;
}

const struct fh_backend_ops *
fhi_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (strcmp(backends[i]->name, name) == 0 &&
            backends[i]->abi_version == FH_BACKEND_ABI_VERSION) {
            return backends[i];
        }
    }
    return NULL;
}
