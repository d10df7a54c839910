/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigder.c - ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (X9.62,
 * RFC 3279) to and from PKCS#11's r||s, by hand.
 *
 * The soft backend converts every ECDSA signature it makes or checks, and
 * the server and the CLI every one they hand out as DER. Through OpenSSL
 * that is an ECDSA_SIG and two BIGNUMs, six allocations, a few percent of a
 * P-256 sign. Here it is a few byte copies into the caller's buffer.
 *
 * Reading is strict DER: minimal lengths, minimal non-negative integers,
 * nothing after the sequence, so that exactly one encoding of a signature
 * is accepted (what re-encoding and comparing would check).
 */
#include "sigder.h"

#include <string.h>

/* Bytes of a DER length field for len. */
static size_t
len_size(size_t len)
{
    size_t n = 1;

    if (len >= 0x80) {
        for (size_t v = len; v > 0; v >>= 8) {
            n++;
        }
    }
    return n;
}

static uint8_t *
put_len(uint8_t *w, size_t len)
{
    size_t n = len_size(len);

    if (n == 1) {
        *w++ = (uint8_t)len;
        return w;
    }
    *w++ = (uint8_t)(0x80 | (n - 1));
    for (size_t i = n - 1; i-- > 0;) {
        *w++ = (uint8_t)(len >> (8 * i));
    }
    return w;
}

/* A big-endian magnitude without its leading zero bytes (at least one byte). */
static const uint8_t *
trim(const uint8_t *v, size_t *len)
{
    while (*len > 1 && v[0] == 0) {
        v++;
        (*len)--;
    }
    return v;
}

/* Content bytes of the INTEGER for v[0..len): a 0x00 first when the top bit is set. */
static size_t
int_content(const uint8_t *v, size_t len)
{
    return len + ((v[0] & 0x80) != 0 ? 1 : 0);
}

static uint8_t *
put_int(uint8_t *w, const uint8_t *v, size_t len)
{
    size_t c = int_content(v, len);

    *w++ = 0x02;
    w = put_len(w, c);
    if (c > len) {
        *w++ = 0x00;
    }
    memcpy(w, v, len);
    return w + len;
}

/* Bytes of the INTEGER (tag, length, content) for v[0..len), trimmed. */
static size_t
int_size(const uint8_t *v, size_t len)
{
    size_t c = int_content(v, len);

    return 1 + len_size(c) + c;
}

size_t
fhi_ecdsa_der_size(const uint8_t *raw, size_t half)
{
    size_t rl = half, sl = half, body;
    const uint8_t *r, *s;

    if (raw == NULL || half == 0 || half > FHI_ECDSA_HALF_MAX) {
        return 0;
    }
    r = trim(raw, &rl);
    s = trim(raw + half, &sl);
    body = int_size(r, rl) + int_size(s, sl);
    return 1 + len_size(body) + body;
}

bool
fhi_ecdsa_raw_to_der(const uint8_t *raw, size_t half, uint8_t *der, size_t *der_len)
{
    size_t need = fhi_ecdsa_der_size(raw, half);
    size_t rl = half, sl = half;
    const uint8_t *r, *s;
    uint8_t *w;

    if (need == 0 || der == NULL || der_len == NULL || *der_len < need) {
        return false;
    }
    r = trim(raw, &rl);
    s = trim(raw + half, &sl);
    w = der;
    *w++ = 0x30;
    w = put_len(w, int_size(r, rl) + int_size(s, sl));
    w = put_int(w, r, rl);
    w = put_int(w, s, sl);
    *der_len = (size_t)(w - der);
    return true;
}

/* A minimal DER length at *p (before end): short form, or 0x8N with N
 * bytes, no leading zero, and a value of 0x80 or more. */
static bool
get_len(const uint8_t **p, const uint8_t *end, size_t *len)
{
    size_t n, v = 0;

    if (*p >= end) {
        return false;
    }
    if (**p < 0x80) {
        *len = *(*p)++;
        return *len <= (size_t)(end - *p);
    }
    n = *(*p)++ & 0x7f;
    if (n == 0 || n > sizeof(size_t) || n > (size_t)(end - *p) || **p == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | *(*p)++;
    }
    if (v < 0x80) {
        return false;
    }
    *len = v;
    return v <= (size_t)(end - *p);
}

/* A minimal non-negative INTEGER at *p, left-padded into out[half]. */
static bool
get_int(const uint8_t **p, const uint8_t *end, size_t half, uint8_t *out)
{
    const uint8_t *v;
    size_t len;

    if (*p >= end || *(*p)++ != 0x02 || !get_len(p, end, &len) || len == 0) {
        return false;
    }
    v = *p;
    *p += len;
    if ((v[0] & 0x80) != 0) {
        return false; /* negative */
    }
    if (len > 1 && v[0] == 0) {
        if ((v[1] & 0x80) == 0) {
            return false; /* a zero byte that is not needed */
        }
        v++;
        len--;
    }
    if (len > half) {
        return false;
    }
    memset(out, 0, half - len);
    memcpy(out + half - len, v, len);
    return true;
}

bool
fhi_ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t half, uint8_t *raw)
{
    const uint8_t *p = der, *end;
    size_t len;

    if (der == NULL || raw == NULL || half == 0 || half > FHI_ECDSA_HALF_MAX || der_len < 2) {
        return false;
    }
    end = der + der_len;
    if (*p++ != 0x30 || !get_len(&p, end, &len) || len != (size_t)(end - p)) {
        return false;
    }
    return get_int(&p, end, half, raw) && get_int(&p, end, half, raw + half) && p == end;
}
