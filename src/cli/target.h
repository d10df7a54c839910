/* SPDX-License-Identifier: Apache-2.0 */
/*
 * target.h - what a command works on: the opened context, a token, a
 * session (logged in when needed) and the key named by --key.
 *
 * Every function here prints its own one-line error and returns the exit
 * code (0 on success), so commands stay a straight sequence of steps.
 */
#ifndef FERROHSM_CLI_TARGET_H
#define FERROHSM_CLI_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "uri.h"

/* cli_target_open flags */
#define CLI_T_LOGIN 0x1u /* log in as CKU_USER with the PIN of --pin-file/env/prompt */
#define CLI_T_RW 0x2u    /* read-write session */
#define CLI_T_KEY 0x4u   /* --key is required (parsed into the selector) */
/*
 * Log in only if the key turns out not to be a public key object: verify,
 * encrypt and export-public with a public key need no PIN, and a login that
 * is not needed could only count a failure against the PIN.
 */
#define CLI_T_LOGIN_LAZY 0x8u

struct cli_target {
    const char *cmd;
    fh_ctx *ctx;
    fh_token *tok;
    fh_session *s;
    const char *token_label;     /* borrowed: --token or the URI's token */
    const struct cli_args *args; /* for a lazy login */
    bool lazy_login;             /* CLI_T_LOGIN_LAZY and not logged in yet */
    const char *key_spec;        /* --key as typed, for messages */
    /* key selector */
    bool has_label;
    const char *label;
    size_t label_len;
    uint8_t *id; /* malloc'ed */
    size_t id_len;
    bool has_id;
    bool has_class;
    CK_OBJECT_CLASS cls;
    struct cli_uri uri;
};

/*
 * Open the context. create: make FERROHSM_HOME and the store (token init
 * only). A missing store gives "no store yet at PATH: run 'ferrohsm token
 * init --label NAME' first" (exit 3); other errors carry fh_ctx_open_error().
 */
int cli_ctx_open(const char *cmd, bool create, fh_ctx **out);

/*
 * A context for reading the mechanism registry (`mechanisms`), which works
 * before `token init`: when no store exists yet one is created, because the
 * public API offers fh_mech_* only on an opened context.
 */
int cli_ctx_open_registry(const char *cmd, fh_ctx **out);

/*
 * Resolve --token / --key (a label, "id:HEX" or a pkcs11: URI whose token
 * replaces --token), open the context, the token and a session, and log in
 * when flags has CLI_T_LOGIN. a must define "token", "key" (with CLI_T_KEY)
 * and "pin-file" (with CLI_T_LOGIN). On failure everything opened is closed.
 */
int cli_target_open(struct cli_target *t, const char *cmd, const struct cli_args *a,
                    unsigned flags);
/*
 * Only the first step of cli_target_open: resolve --token and --key (flags
 * CLI_T_KEY) into t without opening anything; remote mode (remote.h) names
 * the token and key to the server from it. Close with cli_target_close.
 */
int cli_target_select(struct cli_target *t, const char *cmd, const struct cli_args *a,
                      unsigned flags);
void cli_target_close(struct cli_target *t);

/*
 * The one key the selector names among the classes given, tried in order;
 * the first class with a match wins. A selector that names a class (URI
 * type=) replaces the list. With CLI_T_LOGIN_LAZY, a public key found first
 * needs no login; any other class logs in before the search. Zero matches:
 * "no such key: K" (exit 3); two or more of one class: "key K is ambiguous
 * (N matches); use id: or a URI" (exit 2).
 */
int cli_key_find(struct cli_target *t, const CK_OBJECT_CLASS *classes, size_t n_classes,
                 CK_OBJECT_HANDLE *out);

/* Every object the selector matches (any class); *out malloc'ed; zero is an error. */
int cli_key_find_all(struct cli_target *t, CK_OBJECT_HANDLE **out, size_t *count);

#endif /* FERROHSM_CLI_TARGET_H */
