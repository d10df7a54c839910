/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fh_ctx: one opened FerroHSM instance: configuration, the store and the
 * backend. Every front creates one and passes it to the token functions.
 *
 * Configuration (INI): FERROHSM_CONF names the file; without it
 * $FERROHSM_HOME/ferrohsm.conf is read if it exists. FERROHSM_HOME defaults to
 * $XDG_DATA_HOME/ferrohsm, then ~/.local/share/ferrohsm. See docs/config.md.
 *
 * Thread safety: an fh_ctx may be shared by threads; every function taking it
 * is safe to call concurrently.
 */
#ifndef FERROHSM_CTX_H
#define FERROHSM_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fh_ctx fh_ctx;

struct fh_ctx_options {
    const char *conf_path; /* NULL: FERROHSM_CONF, then $FERROHSM_HOME/ferrohsm.conf */
    const char *front;     /* "cli", "pkcs11", "server", "tui": recorded in the audit log */
    bool create;           /* create FERROHSM_HOME and the store when missing */
};

/*
 * Read configuration, open the store (creating it when opt->create) and
 * initialise the backend. Errors: FH_E_CONFIG (bad file, with the reason in
 * fh_ctx_last_error-free form on stderr never: see fh_config_error()),
 * FH_E_NOT_FOUND (store missing and !create), FH_E_STORE_*.
 * The caller frees *out with fh_ctx_free.
 */
FH_API FH_NODISCARD fh_rv fh_ctx_new(const struct fh_ctx_options *opt, fh_ctx **out);
FH_API void fh_ctx_free(fh_ctx *ctx);

/*
 * Never start a thread in this context (PKCS#11 CKF_LIBRARY_CANT_CREATE_OS_THREADS):
 * batches of audit records are then written by the thread that completes
 * them instead of a writer thread. Call right after fh_ctx_new.
 */
FH_API void fh_ctx_forbid_threads(fh_ctx *ctx);

/* Path of the store in use (borrowed). */
FH_API const char *fh_ctx_store_location(const fh_ctx *ctx);

/*
 * A one-line description of the last configuration or store-open error of
 * this thread (file name and line, never a secret), or "" when none.
 */
FH_API const char *fh_ctx_open_error(void);

/* The configured minimum PIN length ([token] min_pin_len). */
FH_API uint32_t fh_ctx_min_pin_len(const fh_ctx *ctx);

/* The correlation id recorded in this context's audit records. */
FH_API const char *fh_ctx_corr_id(const fh_ctx *ctx);
/* Set the correlation id for subsequent audit records (copied, max 63 chars). */
FH_API void fh_ctx_set_corr_id(fh_ctx *ctx, const char *id);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_CTX_H */
