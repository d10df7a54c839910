/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op.h - driving an fh_op_* operation over CLI input and output: mechanism
 * names, the multi-part stream (64 KiB chunks, no size ceiling) and the
 * single-part call (whole input, 1 MiB ceiling). Shared by sign, verify,
 * encrypt, decrypt and digest.
 *
 * Every function prints its one-line error and returns the exit code.
 * `what` is the context appended to core messages, e.g. "key k1, mechanism
 * AES_GCM"; it never holds data.
 */
#ifndef FERROHSM_CLI_OP_H
#define FERROHSM_CLI_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ferrohsm.h"

#include "io.h"

/* The mechanism named name (docs/cli.md spelling); unknown: usage error (2). */
int cli_mech_lookup(const char *cmd, const char *name, CK_MECHANISM_TYPE *out);

/* The descriptor of type in ctx; a mechanism the backend lacks: exit 7. */
int cli_mech_available(const char *cmd, const fh_ctx *ctx, CK_MECHANISM_TYPE type,
                       const struct fh_mech_desc **out);

/* Whether the mechanism may be used with update/final. */
bool cli_mech_multipart(const struct fh_mech_desc *d);

/*
 * Multi-part: read in (after an optional prefix already read) chunk by chunk
 * into fh_op_update; output produced by encrypt/decrypt goes to o (NULL for
 * sign, verify, digest). The operation stays active for cli_op_final.
 */
int cli_op_stream(const char *cmd, const char *what, fh_session *s, enum fh_op_kind op,
                  struct cli_in *in, const char *in_path, struct cli_out *o);

/*
 * fh_op_final with a length query first; the result is malloc'ed in *out
 * (free with cli_free_cleanse). Not for FH_OP_VERIFY.
 */
int cli_op_final(const char *cmd, const char *what, fh_session *s, enum fh_op_kind op,
                 uint8_t **out, size_t *out_len);

/* fh_op_oneshot with a length query first (not for FH_OP_VERIFY). */
int cli_op_oneshot(const char *cmd, const char *what, fh_session *s, enum fh_op_kind op,
                   const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len);

/*
 * Read the whole input for a single-part mechanism: more than
 * CLI_SINGLE_PART_MAX bytes gives "input too large for single-part mechanism
 * M" (exit 7).
 */
int cli_read_single(const char *cmd, const char *mech_name, const char *in_path, uint8_t **out,
                    size_t *len);

#endif /* FERROHSM_CLI_OP_H */
