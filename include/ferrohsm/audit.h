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

/* FH_OK when the chain verifies, FH_E_AUDIT_BROKEN otherwise (details in *out),
 * also when the store cannot read the log past some record (a damaged row or
 * page: first_bad_seq is the first record it could not hand out). */
FH_API FH_NODISCARD fh_rv fh_audit_verify(fh_ctx *ctx, struct fh_audit_verify_result *out);

/*
 * Who is acting on the calling thread, for a front that serves several
 * principals from one context (the REST server). Until cleared, audit
 * records written by this thread carry corr_id (the request id; max 63
 * chars, copied) instead of the context's correlation id, and an actor of
 * principal (e.g. "apikey:0123456789abcdef"; max 63 chars, copied) followed
 * by the token actor in parentheses when a token is involved:
 * "apikey:0123456789abcdef(token:demo/user)". NULL leaves that field to the
 * context. fh_audit_clear_thread_context() restores both.
 */
FH_API void fh_audit_set_thread_context(const char *corr_id, const char *principal);
FH_API void fh_audit_clear_thread_context(void);

/*
 * Append one record for an event the front decided itself: an
 * authentication failure or a denial by role or scope ("auth", "deny").
 * The actor and correlation id come from the thread context (else
 * "anonymous" and the context's id); object may be "" (never NULL);
 * result is the outcome. Written at once, not batched.
 */
FH_API FH_NODISCARD fh_rv fh_audit_event(fh_ctx *ctx, const char *operation, const char *object,
                                         fh_rv result);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_AUDIT_H */
