/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codec.h - the byte-string spellings shared by the CLI, the REST server and
 * the REST client: lowercase hex out, hex in (strict, or with the CLI's
 * optional "0x" prefix and ':' separators), and strict standard base64 with
 * padding (RFC 4648 §4), the encoding of every binary value in the REST API
 * (docs/api.md). Project-internal (src/common), not installed. Pure
 * functions on caller memory: thread-safe.
 */
#ifndef FERROHSM_COMMON_CODEC_H
#define FERROHSM_COMMON_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"

/* Options of fh_codec_hex_decode (bits; 0 is strict hex). */
#define FH_HEX_PREFIX 0x1u /* a leading "0x" or "0X" is skipped */
#define FH_HEX_COLONS 0x2u /* single ':' between bytes ("01:02:ff"), not first or last */

/* The value of one hex digit (either case), or -1. */
int fh_codec_hex_digit(char c);

/* Lowercase hex of p[0..n) as a malloc'ed string (caller frees); NULL on ENOMEM. */
char *fh_codec_hex_encode(const uint8_t *p, size_t n);

/*
 * Hex (either case, two digits per byte) of s, with the FH_HEX_* options in
 * flags, into a malloc'ed *out of *len bytes (caller frees). Empty input
 * (after a prefix) gives FH_OK with *out NULL and *len 0; a caller that needs
 * at least one byte checks *len. FH_E_DATA_INVALID when malformed, FH_E_ARGS
 * for NULL arguments, FH_E_NOMEM. Outputs are written only on success.
 */
fh_rv fh_codec_hex_decode(const char *s, unsigned flags, uint8_t **out, size_t *len);

/* Characters base64 of n bytes takes, without the terminator (SIZE_MAX on overflow). */
size_t fh_codec_b64_len(size_t n);

/*
 * Base64 of p[0..n) as a malloc'ed NUL-terminated string in *out (caller
 * frees). FH_E_NOMEM, FH_E_DATA_TOO_LARGE (n so large the length overflows).
 */
fh_rv fh_codec_b64_encode(const uint8_t *p, size_t n, char **out);

/*
 * Strict decode of s[0..len): standard alphabet, '=' padding required to a
 * multiple of 4, no whitespace, zero bits under the padding (one encoding per
 * value). At most max decoded bytes (FH_E_DATA_TOO_LARGE beyond, checked
 * before any character is read). The result is malloc'ed with one spare NUL
 * byte after *out_len; *out is never NULL on success, even for "". Decoded
 * bytes may be plaintext: callers cleanse them; a failure cleanses what it
 * wrote. FH_E_DATA_INVALID for any malformed input, FH_E_NOMEM.
 */
fh_rv fh_codec_b64_decode(const char *s, size_t len, size_t max, uint8_t **out, size_t *out_len);

#endif /* FERROHSM_COMMON_CODEC_H */
