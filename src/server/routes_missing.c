/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_missing.c - empty route tables for the routes_*.c files this build
 * does not have yet (meson defines SRV_HAVE_KEYS / SRV_HAVE_OPS when
 * routes_keys.c / routes_ops.c exist), and the list of tables present,
 * which the served OpenAPI document is filtered by (x-table).
 */
#include "srv-int.h"

#ifndef SRV_HAVE_KEYS
const struct srv_route srv_routes_keys[] = {{NULL, NULL, 0, NULL, NULL}};
#endif
#ifndef SRV_HAVE_OPS
const struct srv_route srv_routes_ops[] = {{NULL, NULL, 0, NULL, NULL}};
#endif

const char *const srv_tables_present[] = {
    "tokens", "admin", "health",
#ifdef SRV_HAVE_KEYS
    "keys",
#endif
#ifdef SRV_HAVE_OPS
    "ops",
#endif
    NULL,
};
