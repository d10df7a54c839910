/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apikey.h - API keys of the REST server, kept in the store.
 *
 * A key is shown once, at creation, as
 *     fhk_<ID>_<SECRET>
 * where ID is 16 lowercase hex digits (64 random bits, public: it names the
 * key in listings, logs and audit records) and SECRET is 43 base64url
 * characters without padding (256 random bits). The store keeps only
 * SHA-256(SECRET): the secret has full entropy, so a fast hash suffices and
 * nothing in the store lets anyone call the server. Verification looks the
 * record up by ID and compares hashes in constant time.
 *
 * Each key has one role and a token scope: either every token (all_tokens)
 * or a list of tokens, named by label at creation and bound to their serials
 * (token.h: fixed for a token's life). A token deleted and created again
 * under the same label is another token: a key scoped to the first never
 * reaches the second. A tenant's key sees nothing of other tokens.
 */
#ifndef FERROHSM_APIKEY_H
#define FERROHSM_APIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ctx.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/token.h"

#ifdef __cplusplus
extern "C" {
#endif

enum fh_role {
    FH_ROLE_ADMIN = 1,    /* tokens, API keys, and everything the others may do */
    FH_ROLE_OPERATOR = 2, /* key lifecycle: generate, import, update, destroy, list, show */
    FH_ROLE_APP = 3,      /* operations (sign, encrypt, ...) on keys in scope; list, show */
    FH_ROLE_AUDITOR = 4,  /* audit read and verify; token list and show */
};

#define FH_APIKEY_ID_HEX 16      /* hex digits of the public id */
#define FH_APIKEY_NAME_MAX 64    /* bytes of a key's name (printable UTF-8, no control chars) */
#define FH_APIKEY_MAX_TOKENS 16  /* labels in a token scope */
#define FH_APIKEY_STRING_LEN 65  /* strlen("fhk_") + 16 + 1 + 43 + 1 for NUL */
#define FH_APIKEY_SERIAL_HEX 16  /* hex digits of a token serial (fh_token_info.serial) */

struct fh_apikey_info {
    char id[FH_APIKEY_ID_HEX + 1];
    char name[FH_APIKEY_NAME_MAX + 1]; /* unique among keys, revoked ones included */
    enum fh_role role;
    bool all_tokens;                   /* scope: every token, present and future */
    size_t n_tokens;                   /* otherwise: these tokens (may be 0: none) */
    /* the scope: serial of each token; "" for an entry that names no token */
    char serials[FH_APIKEY_MAX_TOKENS][FH_APIKEY_SERIAL_HEX + 1];
    /* for display only: the label each serial had when this info was read,
     * "" when that token no longer exists (fh_apikey_token_name) */
    char tokens[FH_APIKEY_MAX_TOKENS][FH_TOKEN_LABEL_MAX + 1];
    int64_t created_ms;                /* Unix time in milliseconds */
    bool revoked;
    int64_t revoked_ms;                /* 0 unless revoked */
};

/* "admin", "operator", "app", "auditor"; NULL for an unknown value. */
FH_API const char *fh_role_name(enum fh_role role);
/* Case-sensitive inverse of fh_role_name; FH_E_ARGS for an unknown name. */
FH_API FH_NODISCARD fh_rv fh_role_from_name(const char *name, enum fh_role *out);

/*
 * Create a key. name: 1..FH_APIKEY_NAME_MAX bytes of UTF-8, no control
 * characters, not 16 lowercase hex digits (it would read as an id in
 * fh_apikey_get/revoke), unique (FH_E_EXISTS); otherwise FH_E_ARGS. Scope:
 * all_tokens, or 1..FH_APIKEY_MAX_TOKENS labels (each must name an existing
 * token: FH_E_NOT_FOUND; no duplicates); the key is bound to the serials
 * those tokens have, in the transaction that stores it. The
 * key string is written to key_out (FH_APIKEY_STRING_LEN bytes, NUL
 * terminated): the only time it exists; the caller shows it and cleanses the
 * buffer. info_out may be NULL. Audited as "apikey.create".
 */
FH_API FH_NODISCARD fh_rv fh_apikey_create(fh_ctx *ctx, const char *name, enum fh_role role,
                                           bool all_tokens, const char *const *tokens,
                                           size_t n_tokens, char key_out[FH_APIKEY_STRING_LEN],
                                           struct fh_apikey_info *info_out);

/* Every key, revoked ones included, by creation. *out: free() it. */
FH_API FH_NODISCARD fh_rv fh_apikey_list(fh_ctx *ctx, struct fh_apikey_info **out,
                                         size_t *count);

/* One key by id or by name (FH_E_NOT_FOUND). */
FH_API FH_NODISCARD fh_rv fh_apikey_get(fh_ctx *ctx, const char *id_or_name,
                                        struct fh_apikey_info *out);

/*
 * Revoke by id or name (FH_E_NOT_FOUND). Revoking a revoked key is FH_OK and
 * changes nothing. Takes effect for every process using the
 * store on its next fh_apikey_verify. Audited as "apikey.revoke".
 */
FH_API FH_NODISCARD fh_rv fh_apikey_revoke(fh_ctx *ctx, const char *id_or_name);

/*
 * Check a presented key string (not NUL terminated; len bytes). FH_OK fills
 * *out; a malformed, unknown or revoked key is FH_E_AUTH_FAILED, whatever
 * the reason (the caller must not tell them apart to the client). The hash
 * comparison is constant time. Cheap enough for every request: records are
 * cached in memory and the cache is dropped when the store generation moves,
 * so a revocation by another process is seen at once. Thread-safe.
 * A store failure is returned as such (FH_E_STORE_*), never as FH_OK.
 */
FH_API FH_NODISCARD fh_rv fh_apikey_verify(fh_ctx *ctx, const char *presented, size_t len,
                                           struct fh_apikey_info *out);

/*
 * Whether info's scope includes the token with this serial (16 hex digits,
 * fh_token_info.serial). Scope is decided by serial only, never by label:
 * a label may pass to another token once its token is deleted.
 */
FH_API bool fh_apikey_in_scope_serial(const struct fh_apikey_info *info, const char *serial);

/*
 * The name under which entry i of info's scope is shown: its label, or
 * "deleted:<serial>" for a token that no longer exists (written into buf,
 * len bytes, at least FH_TOKEN_LABEL_MAX + 1). Returns buf.
 */
FH_API const char *fh_apikey_token_name(const struct fh_apikey_info *info, size_t i, char *buf,
                                        size_t len);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_APIKEY_H */
