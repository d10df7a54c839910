/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codec.c - hex and base64 (see codec.h): the one implementation the CLI,
 * the server and the REST client share, so that what one side writes the
 * other reads back with the same rules.
 *
 * Strictness is deliberate: the server decodes base64 strictly
 * (docs/api.md), so a client that accepted a sloppy form would only move the
 * error to the server. Hex options exist because the CLI's users paste IDs
 * as "0x0102" or "01:02" (docs/cli.md); the REST API takes plain hex only.
 */
#include "codec.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
fh_codec_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

char *
fh_codec_hex_encode(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s;

    if (n > (SIZE_MAX - 1) / 2) {
        return NULL;
    }
    s = malloc(2 * n + 1);
    if (s == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 0x0f];
    }
    s[2 * n] = '\0';
    return s;
}

fh_rv
fh_codec_hex_decode(const char *s, unsigned flags, uint8_t **out, size_t *len)
{
    uint8_t *buf;
    size_t n = 0, slen;

    if (s == NULL || out == NULL || len == NULL) {
        return FH_E_ARGS;
    }
    if ((flags & FH_HEX_PREFIX) != 0 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    slen = strlen(s);
    if (slen == 0) {
        *out = NULL;
        *len = 0;
        return FH_OK;
    }
    buf = malloc(slen / 2 + 1);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < slen;) {
        int hi, lo;

        /* a separator only between two bytes: never first, last or doubled */
        if ((flags & FH_HEX_COLONS) != 0 && s[i] == ':' && n > 0 && i + 1 < slen &&
            s[i + 1] != ':') {
            i++;
            continue;
        }
        hi = fh_codec_hex_digit(s[i]);
        lo = i + 1 < slen ? fh_codec_hex_digit(s[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            free(buf);
            return FH_E_DATA_INVALID;
        }
        buf[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    *out = buf;
    *len = n;
    return FH_OK;
}

size_t
fh_codec_b64_len(size_t n)
{
    size_t groups = n / 3 + (n % 3 != 0);

    if (groups > SIZE_MAX / 4) {
        return SIZE_MAX;
    }
    return groups * 4;
}

fh_rv
fh_codec_b64_encode(const uint8_t *p, size_t n, char **out)
{
    size_t len = fh_codec_b64_len(n), o = 0;
    char *s;

    if (len == SIZE_MAX) {
        return FH_E_DATA_TOO_LARGE;
    }
    s = malloc(len + 1);
    if (s == NULL) {
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < n; i += 3) {
        size_t rest = n - i;
        uint32_t v = (uint32_t)p[i] << 16;

        if (rest > 1) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (rest > 2) {
            v |= p[i + 2];
        }
        s[o++] = b64_alphabet[v >> 18];
        s[o++] = b64_alphabet[(v >> 12) & 63];
        s[o++] = rest > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
        s[o++] = rest > 2 ? b64_alphabet[v & 63] : '=';
    }
    s[o] = '\0';
    *out = s;
    return FH_OK;
}

/* Value of a base64 digit, or -1. */
static int
b64_digit(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

fh_rv
fh_codec_b64_decode(const char *s, size_t len, size_t max, uint8_t **out, size_t *out_len)
{
    size_t pad = 0, n, o = 0;
    uint8_t *buf;

    if (len % 4 != 0) {
        return FH_E_DATA_INVALID;
    }
    if (len > 0 && s[len - 1] == '=') {
        pad = (len > 1 && s[len - 2] == '=') ? 2 : 1;
    }
    n = len / 4 * 3 - pad;
    if (n > max) {
        return FH_E_DATA_TOO_LARGE;
    }
    buf = malloc(n + 1);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        uint32_t v = 0;

        for (size_t k = 0; k < 4; k++) {
            int d = b64_digit(s[i + k]);

            /* '=' only as the final one or two characters */
            if (d < 0 && !(last && s[i + k] == '=' && k >= 4 - pad)) {
                goto bad;
            }
            v = v << 6 | (uint32_t)(d < 0 ? 0 : d);
        }
        /* the bits under the padding must be zero (one encoding per value) */
        if (last && ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))) {
            goto bad;
        }
        buf[o++] = (uint8_t)(v >> 16);
        if (!last || pad < 2) {
            buf[o++] = (uint8_t)(v >> 8);
        }
        if (!last || pad < 1) {
            buf[o++] = (uint8_t)v;
        }
    }
    buf[o] = 0;
    *out = buf;
    *out_len = o;
    return FH_OK;
bad:
    OPENSSL_cleanse(buf, n + 1);
    free(buf);
    return FH_E_DATA_INVALID;
}
