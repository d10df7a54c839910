/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions, objects, keys and cryptographic operations, with PKCS#11
 * semantics. A session belongs to an opened token; it may be read-only or
 * read-write; the login state is the token's. Object handles are per opened
 * token (fh_token), small counters, never pointers; a handle stays valid
 * until the object is destroyed or the token handle is closed. Session objects
 * (CKA_TOKEN false) live only in memory and vanish with their session.
 *
 * Each session holds at most one active operation of each fh_op_kind. Any
 * error in fh_op_update/final/oneshot ends that operation (except
 * FH_E_BUFFER_TOO_SMALL and a NULL-output length query, which change nothing).
 *
 * Thread safety: different sessions may be used from different threads at
 * once; one session must not be used by two threads at the same time.
 */
#ifndef FERROHSM_SESSION_H
#define FERROHSM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/backend.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/token.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fh_session fh_session;

/* Open a session on tok. rw: read-write. Close with fh_session_close. */
FH_API FH_NODISCARD fh_rv fh_session_open(fh_token *tok, bool rw, fh_session **out);
/* Ends active operations and destroys the session's objects. NULL is a no-op. */
FH_API void fh_session_close(fh_session *s);
FH_API bool fh_session_is_rw(const fh_session *s);
/* The opened token the session belongs to (NULL for NULL). */
FH_API fh_token *fh_session_token(const fh_session *s);

/*
 * Objects. Templates are PKCS#11 templates (borrowed). Errors follow the
 * PKCS#11 v3.0 rules for C_CreateObject / C_GetAttributeValue / ...:
 * FH_E_TEMPLATE_INCOMPLETE, FH_E_TEMPLATE_INCONSISTENT, FH_E_ATTR_READ_ONLY,
 * FH_E_ATTR_VALUE_INVALID, FH_E_ATTR_TYPE_INVALID, FH_E_SESSION_READ_ONLY
 * (token object in a R/O session), FH_E_NOT_LOGGED_IN (private object without
 * login), FH_E_OBJECT_HANDLE_INVALID.
 */
FH_API FH_NODISCARD fh_rv fh_object_create(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                           CK_OBJECT_HANDLE *out);
FH_API FH_NODISCARD fh_rv fh_object_copy(fh_session *s, CK_OBJECT_HANDLE h,
                                         const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                         CK_OBJECT_HANDLE *out);
FH_API FH_NODISCARD fh_rv fh_object_destroy(fh_session *s, CK_OBJECT_HANDLE h);
/*
 * C_GetAttributeValue semantics (PKCS#11 v3.0 §5.7): every entry of tmpl is
 * processed; pValue NULL gives the length; sensitive or unknown attributes get
 * ulValueLen CK_UNAVAILABLE_INFORMATION; the return value is FH_E_ATTR_SENSITIVE,
 * FH_E_ATTR_TYPE_INVALID or FH_E_BUFFER_TOO_SMALL when any entry had that
 * problem, FH_OK otherwise.
 */
FH_API FH_NODISCARD fh_rv fh_object_get_attributes(fh_session *s, CK_OBJECT_HANDLE h,
                                                   CK_ATTRIBUTE *tmpl, CK_ULONG n);
FH_API FH_NODISCARD fh_rv fh_object_set_attributes(fh_session *s, CK_OBJECT_HANDLE h,
                                                   const CK_ATTRIBUTE *tmpl, CK_ULONG n);
/*
 * All objects visible to the session whose attributes equal every entry of
 * tmpl (n == 0: all). *out is malloc'ed (free()); may be NULL when *count 0.
 */
FH_API FH_NODISCARD fh_rv fh_object_find(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                         CK_OBJECT_HANDLE **out, size_t *count);
/* Size estimate of the object in bytes (C_GetObjectSize). */
FH_API FH_NODISCARD fh_rv fh_object_size(fh_session *s, CK_OBJECT_HANDLE h, CK_ULONG *out);

/* Keys. */
FH_API FH_NODISCARD fh_rv fh_key_generate(fh_session *s, const CK_MECHANISM *mech,
                                          const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                          CK_OBJECT_HANDLE *out);
FH_API FH_NODISCARD fh_rv fh_key_generate_pair(fh_session *s, const CK_MECHANISM *mech,
                                               const CK_ATTRIBUTE *pub_tmpl, CK_ULONG pub_n,
                                               const CK_ATTRIBUTE *priv_tmpl, CK_ULONG priv_n,
                                               CK_OBJECT_HANDLE *pub_out,
                                               CK_OBJECT_HANDLE *priv_out);
/* out NULL: length query. */
FH_API FH_NODISCARD fh_rv fh_key_wrap(fh_session *s, const CK_MECHANISM *mech,
                                      CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key,
                                      uint8_t *out, size_t *out_len);
FH_API FH_NODISCARD fh_rv fh_key_unwrap(fh_session *s, const CK_MECHANISM *mech,
                                        CK_OBJECT_HANDLE unwrapping, const uint8_t *in,
                                        size_t in_len, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                        CK_OBJECT_HANDLE *out);
FH_API FH_NODISCARD fh_rv fh_key_derive(fh_session *s, const CK_MECHANISM *mech,
                                        CK_OBJECT_HANDLE base, const CK_ATTRIBUTE *tmpl,
                                        CK_ULONG n, CK_OBJECT_HANDLE *out);

/*
 * Operations: encrypt, decrypt, sign (and MAC), verify, digest. key is
 * ignored for FH_OP_DIGEST. Init checks, in order: mechanism known and
 * allowed for op (FH_E_MECH_INVALID), key handle (FH_E_KEY_HANDLE_INVALID),
 * login for private keys (FH_E_NOT_LOGGED_IN), key class/type
 * (FH_E_KEY_TYPE_INCONSISTENT), usage flag (FH_E_KEY_FUNCTION_NOT_PERMITTED),
 * CKA_ALLOWED_MECHANISMS, key size, then mechanism parameters.
 * Output conventions as in backend.h (NULL out = length query). For
 * FH_OP_VERIFY, final/oneshot take the signature in out/out_len.
 */
FH_API FH_NODISCARD fh_rv fh_op_init(fh_session *s, enum fh_op_kind op, const CK_MECHANISM *mech,
                                     CK_OBJECT_HANDLE key);
FH_API FH_NODISCARD fh_rv fh_op_update(fh_session *s, enum fh_op_kind op, const uint8_t *in,
                                       size_t in_len, uint8_t *out, size_t *out_len);
FH_API FH_NODISCARD fh_rv fh_op_final(fh_session *s, enum fh_op_kind op, uint8_t *out,
                                      size_t *out_len);
FH_API FH_NODISCARD fh_rv fh_op_oneshot(fh_session *s, enum fh_op_kind op, const uint8_t *in,
                                        size_t in_len, uint8_t *out, size_t *out_len);
/*
 * C_DigestKey: feed the value of secret key h into the active multi-part
 * digest. Errors: FH_E_KEY_HANDLE_INVALID, FH_E_KEY_TYPE_INCONSISTENT (not a
 * secret key), FH_E_NOT_LOGGED_IN. Ends the digest on error.
 */
FH_API FH_NODISCARD fh_rv fh_op_digest_key(fh_session *s, CK_OBJECT_HANDLE h);

/* Abandon the active operation of kind op, if any. */
FH_API void fh_op_cancel(fh_session *s, enum fh_op_kind op);
FH_API bool fh_op_is_active(const fh_session *s, enum fh_op_kind op);

FH_API FH_NODISCARD fh_rv fh_random(fh_session *s, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_SESSION_H */
