/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_b64.c - the client's names for the shared strict base64 codec
 * (src/common/codec.c, see client_b64.h): the server decodes with the same
 * code, so what the client sends is exactly what the server accepts.
 * Decoded buffers may hold plaintext; callers cleanse them.
 */
#include "client_b64.h"

#include "codec.h"

size_t
fh_client_b64_len(size_t n)
{
    return fh_codec_b64_len(n);
}

fh_rv
fh_client_b64_encode(const uint8_t *p, size_t n, char **out)
{
    return fh_codec_b64_encode(p, n, out);
}

fh_rv
fh_client_b64_decode(const char *s, size_t len, size_t max, uint8_t **out, size_t *out_len)
{
    return fh_codec_b64_decode(s, len, max, out, out_len);
}
