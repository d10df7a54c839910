/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fh_secret: the only place secret bytes (PINs, key material, the token master
 * key) live. Allocated from the OpenSSL secure heap when the process set one up
 * (ferrohsm-server, the CLI), from the ordinary heap otherwise (the PKCS#11
 * module must not change process-global OpenSSL state); always cleansed with
 * OPENSSL_cleanse before it is freed. There is deliberately no printf
 * conversion and no accessor that returns a C string.
 */
#ifndef FERROHSM_SECRET_H
#define FERROHSM_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fh_secret fh_secret;

/* A zero-filled secret of len bytes (len may be 0). Caller frees. */
FH_API FH_NODISCARD fh_rv fh_secret_new(size_t len, fh_secret **out);

/* A copy of len bytes at data. The caller still owns and should cleanse data. */
FH_API FH_NODISCARD fh_rv fh_secret_from(const void *data, size_t len, fh_secret **out);

/* Cleanses and frees; NULL is a no-op. */
FH_API void fh_secret_free(fh_secret *s);

/* Borrowed views; valid until fh_secret_free. Never NULL for a non-NULL s. */
FH_API uint8_t *fh_secret_data(fh_secret *s);
FH_API const uint8_t *fh_secret_cdata(const fh_secret *s);
FH_API size_t fh_secret_len(const fh_secret *s);

/* Constant-time equality of contents (lengths are not secret). */
FH_API bool fh_secret_equal(const fh_secret *a, const fh_secret *b);

/*
 * Shrink the visible length to new_len <= current length; the cut bytes are
 * cleansed. Used after an operation that writes fewer bytes than reserved.
 */
FH_API void fh_secret_truncate(fh_secret *s, size_t new_len);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_SECRET_H */
