/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tokens: named, isolated key spaces with an SO PIN and a user PIN.
 *
 * Each PIN is stretched with Argon2id (parameters stored per token) into a key
 * that unwraps the token master key (TMK); the TMK encrypts every secret
 * attribute of the token's objects. Failed logins are counted in the store;
 * after max_pin_failures (configuration, default 10) the PIN is locked: a
 * locked user PIN is reset by the SO (fh_token_init_pin); a locked SO PIN
 * cannot be recovered.
 *
 * Login state belongs to the opened token (fh_token) and is shared by all its
 * sessions, as PKCS#11 shares it across an application's sessions.
 */
#ifndef FERROHSM_TOKEN_H
#define FERROHSM_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ctx.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/secret.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fh_token fh_token;

#define FH_TOKEN_LABEL_MAX 32
#define FH_PIN_MIN_DEFAULT 4
#define FH_PIN_MAX 256

struct fh_token_info {
    int64_t id;
    char label[FH_TOKEN_LABEL_MAX + 1];
    char serial[17];              /* 16 hex digits, stable for the token's life */
    bool user_pin_initialized;
    bool user_pin_locked;
    bool so_pin_locked;
    uint32_t user_failures;       /* consecutive failed user logins */
    uint32_t so_failures;
    uint32_t max_failures;
    uint64_t object_count;        /* token objects, public and private */
    bool user_logged_in;          /* this fh_token's state; false from fh_token_list */
    bool so_logged_in;
};

/*
 * Create a token. label: 1..32 bytes, unique. so_pin required; user_pin may
 * be NULL (then the SO sets it later with fh_token_init_pin). PIN lengths
 * outside [min_pin_len, FH_PIN_MAX] give FH_E_PIN_LEN_RANGE. FH_E_EXISTS when
 * the label is taken. Audited.
 */
FH_API FH_NODISCARD fh_rv fh_token_create(fh_ctx *ctx, const char *label, const fh_secret *so_pin,
                                          const fh_secret *user_pin);

/* All tokens, ordered by id. *out is an array of *count entries; free() it. */
FH_API FH_NODISCARD fh_rv fh_token_list(fh_ctx *ctx, struct fh_token_info **out, size_t *count);

/* Delete a token and all its objects; needs the SO PIN (counted as a login). */
FH_API FH_NODISCARD fh_rv fh_token_delete(fh_ctx *ctx, const char *label, const fh_secret *so_pin);

/*
 * C_InitToken on an initialised token: with the SO PIN (counted as a login),
 * destroy every object, clear the user PIN and set the label, in one
 * transaction; the token keeps its id (and so its PKCS#11 slot id).
 * FH_E_EXISTS when another token has new_label. Nothing changes on error.
 * The caller makes sure no fh_token of this token is open in this process.
 */
FH_API FH_NODISCARD fh_rv fh_token_reinit(fh_ctx *ctx, int64_t id, const char *new_label,
                                          const fh_secret *so_pin);

/* Open a token by label (FH_E_NOT_FOUND). Close with fh_token_close. */
FH_API FH_NODISCARD fh_rv fh_token_open(fh_ctx *ctx, const char *label, fh_token **out);
/* Logs out, closes all sessions of this token handle, wipes cached keys. */
FH_API void fh_token_close(fh_token *tok);

FH_API FH_NODISCARD fh_rv fh_token_get_info(fh_token *tok, struct fh_token_info *out);

/*
 * Log in as CKU_USER or CKU_SO. Errors: FH_E_PIN_INCORRECT (counted),
 * FH_E_PIN_LOCKED, FH_E_ALREADY_LOGGED_IN, FH_E_OTHER_USER_LOGGED_IN,
 * FH_E_USER_TYPE_INVALID, FH_E_TOKEN_NOT_INITIALIZED (user PIN never set).
 * Audited (success and failure).
 */
FH_API FH_NODISCARD fh_rv fh_token_login(fh_token *tok, CK_USER_TYPE who, const fh_secret *pin);
/* FH_E_NOT_LOGGED_IN when nobody is logged in. Wipes cached key material. */
FH_API FH_NODISCARD fh_rv fh_token_logout(fh_token *tok);
/* CKU_USER / CKU_SO or (CK_USER_TYPE)-1 when nobody is logged in. */
FH_API CK_USER_TYPE fh_token_logged_in(const fh_token *tok);

/*
 * Change the PIN of `who`, proving the old one (a wrong old PIN is counted
 * like a failed login). Does not need a login.
 */
FH_API FH_NODISCARD fh_rv fh_token_set_pin(fh_token *tok, CK_USER_TYPE who,
                                           const fh_secret *old_pin, const fh_secret *new_pin);

/* The logged-in SO sets (or resets and unlocks) the user PIN. */
FH_API FH_NODISCARD fh_rv fh_token_init_pin(fh_token *tok, const fh_secret *new_user_pin);

FH_API const char *fh_token_label(const fh_token *tok);

/*
 * Sessions open on this opened token right now (a snapshot). A front that
 * shares one fh_token between threads and must close it while other
 * threads may still hold sessions (ferrohsm-server after a token is
 * deleted) closes it once this is 0 and no new session can be opened.
 * Thread-safe.
 */
FH_API size_t fh_token_session_count(fh_token *tok);

/*
 * What a front derives from a token's objects (the server's key names, say)
 * stays valid while the token's stamp stays the same. The stamp changes
 * whenever an object of the token may have been created, changed, destroyed
 * or become visible or invisible (login, logout): by any session of this
 * process, or by another connection or process (the store's generation,
 * store.h, which also moves more often than that). Two opened tokens never
 * share a stamp. Take the stamp before reading the objects and keep what was
 * read with it: a change in between makes the next stamp differ. Cheap.
 */
struct fh_token_stamp {
    uint64_t store;  /* the store's generation */
    uint64_t local;  /* this process: objects of this token */
    uint64_t tokens; /* this process: tokens created, deleted, re-initialised in the context */
};
/* Whether two stamps are the same (false when either is NULL). */
FH_API bool fh_token_stamp_equal(const struct fh_token_stamp *a, const struct fh_token_stamp *b);
FH_API FH_NODISCARD fh_rv fh_token_stamp(fh_token *tok, struct fh_token_stamp *out);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_TOKEN_H */
