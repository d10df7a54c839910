/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit log: one hash-chained record per security-relevant operation.
 * hash = SHA-256 over a canonical encoding of every field of the record
 * (seq, time, actor, front, operation, object, result, corr_id) and prev_hash;
 * the first record's prev_hash is 32 zero bytes. fh_audit_verify walks the
 * chain and detects an edited, deleted, inserted or reordered record.
 * No secret ever appears in a record.
 */
#ifndef FERROHSM_AUDIT_H
#define FERROHSM_AUDIT_H

#include <stdint.h>

#include "ferrohsm/ctx.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Records with seq >= from_seq, ascending, at most limit (0 = all). */
FH_API FH_NODISCARD fh_rv fh_audit_list(fh_ctx *ctx, int64_t from_seq, size_t limit,
                                        fh_store_audit_cb cb, void *arg);

struct fh_audit_verify_result {
    uint64_t records;      /* records checked */
    int64_t first_bad_seq; /* 0 when the chain verifies */
    const char *reason;    /* static text: "hash mismatch", "sequence gap", ... or "" */
};

/* FH_OK when the chain verifies, FH_E_AUDIT_BROKEN otherwise (details in *out). */
FH_API FH_NODISCARD fh_rv fh_audit_verify(fh_ctx *ctx, struct fh_audit_verify_result *out);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_AUDIT_H */
