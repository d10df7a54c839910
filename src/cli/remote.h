/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote.h - the CLI's remote mode: the same commands, with the same
 * syntax, output and exit codes, carried out by ferrohsm-server over its
 * REST API (docs/api.md, docs/cli.md "Remote mode").
 *
 * A command keeps one straight sequence: it parses its options, then gets
 * its data either from the local library or from one cli_remote_* function
 * here, then prints with the code it always had. Every cli_remote_*
 * function produces the same intermediate data the local path prints
 * (struct fh_token_info, struct cli_key_row, a JSON array in the --json
 * shape, raw bytes), prints its own one-line error and returns the exit
 * code (0 on success), like target.c.
 *
 * No PIN is read in remote mode (the server holds its tokens unlocked),
 * except by the token administration commands (token init, delete,
 * set-pin, unlock), which read their PINs from the same sources as locally
 * and send them in the request body (client_tokens.h).
 */
#ifndef FERROHSM_CLI_REMOTE_H
#define FERROHSM_CLI_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "target.h"

/* The REST input ceiling (docs/api.md: at most 1 MiB after base64 decoding). */
#define CLI_REMOTE_INPUT_MAX ((size_t)1 << 20)
/* POST /v1/random takes 1..65536 bytes per request. */
#define CLI_REMOTE_RANDOM_CHUNK 65536u

/*
 * Parse the global options that come before the command word:
 *   --server URL  --api-key-file FILE  --cacert FILE  --server-pin sha256//BASE64
 * (each also as --opt=VALUE). They are removed from *argc and *argv, so the
 * dispatcher sees "ferrohsm <command> ...". Returns 0, or 2 after a usage
 * error line. Environment: FERROHSM_SERVER, FERROHSM_API_KEY,
 * FERROHSM_CACERT, FERROHSM_SERVER_PIN (an option beats its variable).
 */
int cli_remote_global_options(int *argc, char ***argv);

/* Whether a server is configured (--server or a non-empty FERROHSM_SERVER). */
bool cli_remote_on(void);

/* One row of `key list` (text and --json), local or remote. */
struct cli_key_row {
    const char *cls;   /* "public", "private", "secret" */
    const char *type;  /* "rsa", "ec", ... "unknown" (static strings) */
    const char *curve; /* "ec-p256", ... or NULL */
    unsigned bits;
    uint8_t *label; /* malloc'ed, NUL-terminated after label_len */
    size_t label_len;
    char *id_hex; /* malloc'ed */
};
void cli_key_rows_free(struct cli_key_row *r, size_t n);

/* ---- per-command data ---- */

/* GET /v1/tokens: *out malloc'ed, in the server's (creation) order. */
int cli_remote_token_list(const char *cmd, struct fh_token_info **out, size_t *n);

/* Whether the key's token list has label (asked before prompting for PINs). */
int cli_remote_token_exists(const char *cmd, const char *label, bool *exists);

/*
 * Token administration (docs/api.md "Token administration"). PINs are
 * borrowed. Errors print as the local command's ("token L already exists",
 * "no such token: L", "<message> (token L)", for unlock's SO login "(token
 * L, SO)"). token_init fills *info with the new token.
 */
int cli_remote_token_init(const char *cmd, const char *label, const fh_secret *so,
                          const fh_secret *user, struct fh_token_info *info);
int cli_remote_token_delete(const char *cmd, const char *label, const fh_secret *so);
int cli_remote_token_set_pin(const char *cmd, const char *label, bool so, const fh_secret *old,
                             const fh_secret *pin);
int cli_remote_token_unlock(const char *cmd, const char *label, const fh_secret *so,
                            const fh_secret *pin);

/* GET /v1/tokens/{T}/keys, every page. */
int cli_remote_key_list(const char *cmd, const struct cli_target *t, struct cli_key_row **out,
                        size_t *n);

/*
 * GET /v1/tokens/{T}/keys/{K}: the objects (key show --json objects, as
 * the server orders their members), filtered by the URI's type= when the
 * selector has one. Zero objects is "no such key: K" (exit 3).
 */
int cli_remote_key_objects(const char *cmd, const struct cli_target *t, json_t **objects);

/* DELETE /v1/tokens/{T}/keys/{K}; *count: the objects it had (for the message). */
int cli_remote_key_delete(const char *cmd, const struct cli_target *t, size_t *count);

/*
 * POST /v1/tokens/{T}/keys. usage: FH_USAGE_* mask; id NULL lets the server
 * choose. *id_hex (malloc'ed) is the CKA_ID the key got. what: the local
 * error context ("ec-p256 key k1").
 */
int cli_remote_key_generate(const char *cmd, const char *token, const char *type,
                            const char *label, const uint8_t *id, size_t id_len, unsigned bits,
                            bool extractable, unsigned usage, const char *what, char **id_hex);

/*
 * POST /v1/tokens/{T}/keys/{K}/OP with body (ownership taken): the base64
 * field out_field of the answer decoded into *out (malloc'ed, cleanse it),
 * and, when iv_out is not NULL, the "iv" field (if any, at most iv_cap
 * bytes) into iv_out and *iv_len. what: the local error context ("key K,
 * mechanism M"). For "verify", out_field is NULL and *valid receives the
 * answer.
 */
int cli_remote_key_op(const char *cmd, const struct cli_target *t, const char *op, json_t *body,
                      const char *what, const char *out_field, uint8_t **out, size_t *out_len,
                      uint8_t *iv_out, size_t iv_cap, size_t *iv_len, bool *valid);

/* POST /v1/digest. */
int cli_remote_digest(const char *cmd, const char *mech, const uint8_t *data, size_t len,
                      uint8_t **out, size_t *out_len);

/* POST /v1/random as many times as n needs; buf receives n bytes. */
int cli_remote_random(const char *cmd, uint8_t *buf, size_t n);

/* GET /v1/audit, every page from `from`, at most limit records (0: all): audit list --json records. */
int cli_remote_audit_list(const char *cmd, int64_t from, uint64_t limit, json_t **records);

/*
 * GET /v1/audit/verify: FH_OK or FH_E_AUDIT_BROKEN in *result with res
 * filled (res->reason points into static storage valid until the next call).
 */
int cli_remote_audit_verify(const char *cmd, fh_rv *result, struct fh_audit_verify_result *res);

/* GET /v1/mechanisms: `mechanisms --json` objects, members in the CLI's order. */
int cli_remote_mechanisms(const char *cmd, json_t **mechs);

/* GET /v1/apikeys: every key, in the server's (creation) order. */
int cli_remote_apikey_list(const char *cmd, struct fh_apikey_info **out, size_t *n);

/* POST /v1/apikeys: the new key string into key[0..key_cap) (cleanse it) and its info. */
int cli_remote_apikey_create(const char *cmd, const char *name, enum fh_role role, bool all,
                             const char *const *tokens, size_t n_tokens, char *key,
                             size_t key_cap, struct fh_apikey_info *info);

/*
 * Revoke by id or name: *info is the key as it was; *was_revoked when it
 * already was (nothing is sent then).
 */
int cli_remote_apikey_revoke(const char *cmd, const char *which, struct fh_apikey_info *info,
                             bool *was_revoked);

/* ---- helpers shared with the commands ---- */

/* A JSON string of the base64 of p[0..n) (NULL on allocation failure). */
json_t *cli_remote_b64(const uint8_t *p, size_t n);

/*
 * A copy of obj with only the members named in keys (NULL-terminated), in
 * that order; members obj lacks are skipped. NULL on allocation failure.
 */
json_t *cli_json_pick(json_t *obj, const char *const *keys);

#endif /* FERROHSM_CLI_REMOTE_H */
