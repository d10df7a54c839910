/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_b64.h - standard base64 with padding (RFC 4648 §4), the encoding of
 * every binary value in the REST API (docs/api.md). Internal to the project:
 * used by src/client and its consumers, not installed. The names of the
 * client's users (CLI, PKCS#11 remote slots, bench) for src/common/codec.h,
 * the one implementation the server decodes with too.
 */
#ifndef FERROHSM_CLIENT_B64_H
#define FERROHSM_CLIENT_B64_H

#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"

/* Characters base64 of n bytes takes, without the terminator (SIZE_MAX on overflow). */
size_t fh_client_b64_len(size_t n);

/*
 * Base64 of p[0..n) as a malloc'ed NUL-terminated string in *out.
 * FH_E_NOMEM, FH_E_DATA_TOO_LARGE (n so large the length overflows).
 */
fh_rv fh_client_b64_encode(const uint8_t *p, size_t n, char **out);

/*
 * Strict decode of s[0..len): standard alphabet, '=' padding required to a
 * multiple of 4, no whitespace, zero trailing bits. At most max decoded
 * bytes (FH_E_DATA_TOO_LARGE beyond). The result is malloc'ed (one spare
 * NUL byte after *out_len; *out is never NULL on success, even for "").
 * FH_E_DATA_INVALID for any malformed input, FH_E_NOMEM.
 */
fh_rv fh_client_b64_decode(const char *s, size_t len, size_t max, uint8_t **out, size_t *out_len);

#endif /* FERROHSM_CLIENT_B64_H */
