/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mechanism registry: one table of every mechanism FerroHSM knows, with
 * its key types, key size range (bits for RSA/EC, bytes for secret keys, as
 * PKCS#11 C_GetMechanismInfo reports), operations and whether it supports
 * multi-part calls. PKCS#11 C_GetMechanismList, the REST API and
 * `ferrohsm mechanisms` all read this table, filtered by what the backend in
 * use reports it supports.
 */
#ifndef FERROHSM_MECH_H
#define FERROHSM_MECH_H

#include <stdbool.h>
#include <stddef.h>

#include "ferrohsm/ctx.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FH_MECH_MULTIPART 0x1u /* update/final allowed */
#define FH_MECH_MAX_KEY_TYPES 3

struct fh_mech_desc {
    CK_MECHANISM_TYPE type;
    const char *name;    /* PKCS#11 name without "CKM_", e.g. "ECDSA_SHA256" */
    CK_FLAGS flags;      /* CKF_ENCRYPT, CKF_SIGN, CKF_GENERATE_KEY_PAIR ... as in CK_MECHANISM_INFO */
    CK_ULONG min_key;
    CK_ULONG max_key;
    unsigned fh_flags;   /* FH_MECH_* */
    CK_KEY_TYPE key_types[FH_MECH_MAX_KEY_TYPES]; /* the first n_key_types are valid */
    size_t n_key_types;
};

/* Mechanisms available in ctx (registry ∩ backend), in registry order. */
FH_API size_t fh_mech_count(const fh_ctx *ctx);
FH_API const struct fh_mech_desc *fh_mech_at(const fh_ctx *ctx, size_t i);
/* NULL when unknown or unavailable in ctx. */
FH_API const struct fh_mech_desc *fh_mech_get(const fh_ctx *ctx, CK_MECHANISM_TYPE type);

/* Name ↔ type over the whole registry: case-insensitive, optional "CKM_" prefix. */
FH_API FH_NODISCARD fh_rv fh_mech_from_name(const char *name, CK_MECHANISM_TYPE *out);
/* "ECDSA_SHA256", or NULL when unknown. */
FH_API const char *fh_mech_name(CK_MECHANISM_TYPE type);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_MECH_H */
