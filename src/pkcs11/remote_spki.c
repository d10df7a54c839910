/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_spki.c - the SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of a public
 * key given as PKCS#11 attributes, as the PEM the REST import route takes
 * (POST .../keys/import, "public_key_pem"). Used by C_CreateObject of a
 * public key on a remote slot.
 *
 * The DER is written here, not by OpenSSL: the module changes no
 * process-global OpenSSL state (STYLE rule 20) and needs no provider for
 * three fixed structures. The server parses the result with OpenSSL and
 * refuses a key that is not one (a point off its curve, say), so what is
 * checked here is only what PKCS#11 itself defines: the attributes present,
 * their lengths and encodings.
 *
 *   RSA   (RFC 8017 A.1.1): SEQ { SEQ { rsaEncryption, NULL },
 *                                 BIT STRING { SEQ { INTEGER n, INTEGER e } } }
 *   EC    (RFC 5480):       SEQ { SEQ { id-ecPublicKey, namedCurve },
 *                                 BIT STRING { point } }
 *   Edwards (RFC 8410):     SEQ { SEQ { id-Ed25519 | id-Ed448 }, BIT STRING { key } }
 *
 * Every length is computed before anything is written, so the buffer is
 * exact and no write can pass its end.
 */
#include "remote.h"

#include <stdlib.h>
#include <string.h>

#include "ferrohsm/describe.h"

#include "client_b64.h"

#define DER_SEQ 0x30
#define DER_INT 0x02
#define DER_BITS 0x03
#define DER_OCTETS 0x04
#define MAX_RSA_BYTES 2048 /* 16384-bit modulus: beyond any key the server makes or takes */

static const uint8_t oid_rsa[] = {
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
    0x0d, 0x01, 0x01, 0x01, 0x05, 0x00}; /* rsaEncryption, NULL parameters */
static const uint8_t oid_ec[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};

struct der {
    uint8_t *p;
    size_t len;
};

/* Bytes of a header (tag and definite length) for content of n bytes. */
static size_t
hdr_len(size_t n)
{
    size_t k = 1;

    if (n >= 0x80) {
        for (size_t v = n; v > 0; v >>= 8) {
            k++;
        }
    }
    return 1 + k;
}

static void
put_hdr(struct der *d, uint8_t tag, size_t n)
{
    size_t k = hdr_len(n) - 2;

    d->p[d->len++] = tag;
    if (k == 0) {
        d->p[d->len++] = (uint8_t)n;
        return;
    }
    d->p[d->len++] = (uint8_t)(0x80 | k);
    while (k-- > 0) {
        d->p[d->len++] = (uint8_t)(n >> (8 * k));
    }
}

static void
put(struct der *d, const void *src, size_t n)
{
    if (n > 0) {
        memcpy(d->p + d->len, src, n);
        d->len += n;
    }
}

/* An unsigned big-endian number without its leading zero bytes. */
struct uint_be {
    const uint8_t *p;
    size_t n;
    bool pad; /* a 0x00 goes first: the top bit is set and DER INTEGERs are signed */
};

static bool
uint_of(const CK_ATTRIBUTE *a, struct uint_be *u)
{
    const uint8_t *p = a->pValue;
    size_t n = a->ulValueLen;

    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    if (n == 0 || n > MAX_RSA_BYTES) {
        return false;
    }
    u->p = p;
    u->n = n;
    u->pad = (p[0] & 0x80) != 0;
    return true;
}

static size_t
int_len(const struct uint_be *u)
{
    return hdr_len(u->n + u->pad) + u->n + u->pad;
}

static void
put_int(struct der *d, const struct uint_be *u)
{
    put_hdr(d, DER_INT, u->n + u->pad);
    if (u->pad) {
        d->p[d->len++] = 0;
    }
    put(d, u->p, u->n);
}

/*
 * The key bytes of CKA_EC_POINT: [MECH] 2.3.3 and 2.3.5 define it as the DER
 * OCTET STRING around the point (or the Edwards key); the raw bytes are
 * accepted too, as other modules take them, when their length says which
 * (RAW_OK: an uncompressed or compressed point of the curve, or an Edwards
 * key of its size).
 */
static bool
point_of(const CK_ATTRIBUTE *a, const struct fh_curve_desc *c, const uint8_t **out, size_t *out_len)
{
    const uint8_t *p = a->pValue;
    size_t n = a->ulValueLen, hl, cl = 0;
    bool ed = c->key_type == CKK_EC_EDWARDS;
    size_t f = c->order_len;

#define RAW_OK(q, m)                                                                               \
    (ed ? (m) == f                                                                                 \
        : (((m) == 2 * f + 1 && (q)[0] == 0x04) ||                                                 \
           ((m) == f + 1 && ((q)[0] == 0x02 || (q)[0] == 0x03))))
    if (n >= 2 && p[0] == DER_OCTETS) {
        if (p[1] < 0x80) {
            hl = 2;
            cl = p[1];
        } else if (p[1] == 0x81 && n >= 3) {
            hl = 3;
            cl = p[2];
        } else {
            hl = 0;
        }
        if (hl > 0 && hl + cl == n && RAW_OK(p + hl, cl)) {
            *out = p + hl;
            *out_len = cl;
            return true;
        }
    }
    if (n > 0 && RAW_OK(p, n)) {
        *out = p;
        *out_len = n;
        return true;
    }
#undef RAW_OK
    return false;
}

/* PEM of der[0..n): 64 characters a line (RFC 7468). */
static CK_RV
to_pem(const uint8_t *der, size_t n, char **out)
{
    static const char head[] = "-----BEGIN PUBLIC KEY-----\n";
    static const char tail[] = "-----END PUBLIC KEY-----\n";
    char *b64 = NULL, *pem;
    size_t bl, lines, off = 0;

    if (fh_client_b64_encode(der, n, &b64) != FH_OK) {
        return CKR_HOST_MEMORY;
    }
    bl = strlen(b64);
    lines = (bl + 63) / 64;
    pem = malloc(sizeof(head) + bl + lines + sizeof(tail));
    if (pem == NULL) {
        free(b64);
        return CKR_HOST_MEMORY;
    }
    memcpy(pem, head, sizeof(head) - 1);
    off = sizeof(head) - 1;
    for (size_t i = 0; i < bl; i += 64) {
        size_t k = bl - i < 64 ? bl - i : 64;

        memcpy(pem + off, b64 + i, k);
        off += k;
        pem[off++] = '\n';
    }
    memcpy(pem + off, tail, sizeof(tail)); /* with its terminator */
    free(b64);
    *out = pem;
    return CKR_OK;
}

/*
 * Outer SEQ { alg, BIT STRING { 0 unused bits, key } } around an algorithm
 * identifier alg[0..alg_len) (already DER, without its SEQ header) and a key
 * written by put_key into key_len bytes.
 */
static CK_RV
spki(const uint8_t *alg, size_t alg_len, const uint8_t *alg2, size_t alg2_len, size_t key_len,
     void (*put_key)(struct der *, const void *), const void *arg, char **pem)
{
    size_t a = alg_len + alg2_len;
    size_t inner = hdr_len(a) + a + hdr_len(key_len + 1) + key_len + 1;
    struct der d = {malloc(hdr_len(inner) + inner), 0};
    CK_RV rv;

    if (d.p == NULL) {
        return CKR_HOST_MEMORY;
    }
    put_hdr(&d, DER_SEQ, inner);
    put_hdr(&d, DER_SEQ, a);
    put(&d, alg, alg_len);
    put(&d, alg2, alg2_len);
    put_hdr(&d, DER_BITS, key_len + 1);
    d.p[d.len++] = 0;
    put_key(&d, arg);
    rv = to_pem(d.p, d.len, pem);
    free(d.p);
    return rv;
}

struct rsa_pub {
    struct uint_be n, e;
};

static void
put_rsa(struct der *d, const void *arg)
{
    const struct rsa_pub *k = arg;

    put_hdr(d, DER_SEQ, int_len(&k->n) + int_len(&k->e));
    put_int(d, &k->n);
    put_int(d, &k->e);
}

struct raw_key {
    const uint8_t *p;
    size_t n;
};

static void
put_raw(struct der *d, const void *arg)
{
    const struct raw_key *k = arg;

    put(d, k->p, k->n);
}

CK_RV
p11r_spki_pem(const CK_ATTRIBUTE *t, CK_ULONG n, CK_KEY_TYPE kt, char **pem,
              const struct fh_curve_desc **curve)
{
    const CK_ATTRIBUTE *a, *b;

    *curve = NULL;
    if (kt == CKK_RSA) {
        struct rsa_pub k;
        size_t seq;

        a = p11r_attr_find(t, n, CKA_MODULUS);
        b = p11r_attr_find(t, n, CKA_PUBLIC_EXPONENT);
        if (a == NULL || b == NULL) {
            return CKR_TEMPLATE_INCOMPLETE; /* [MECH] 2.1.2: both required */
        }
        if (a->pValue == NULL || b->pValue == NULL || !uint_of(a, &k.n) || !uint_of(b, &k.e) ||
            k.e.n > k.n.n) {
            return CKR_ATTRIBUTE_VALUE_INVALID;
        }
        seq = int_len(&k.n) + int_len(&k.e);
        return spki(oid_rsa, sizeof(oid_rsa), NULL, 0, hdr_len(seq) + seq, put_rsa, &k, pem);
    }
    if (kt == CKK_EC || kt == CKK_EC_EDWARDS) {
        const struct fh_curve_desc *c;
        struct raw_key k;

        a = p11r_attr_find(t, n, CKA_EC_PARAMS);
        b = p11r_attr_find(t, n, CKA_EC_POINT);
        if (a == NULL || b == NULL) {
            return CKR_TEMPLATE_INCOMPLETE; /* [MECH] 2.3.3, 2.3.5: both required */
        }
        c = a->pValue != NULL ? fh_curve_by_params(a->pValue, a->ulValueLen) : NULL;
        if (c == NULL) {
            return CKR_CURVE_NOT_SUPPORTED;
        }
        if (c->key_type != kt) {
            return CKR_TEMPLATE_INCONSISTENT; /* an Edwards curve for CKK_EC, or the reverse */
        }
        if (b->pValue == NULL || !point_of(b, c, &k.p, &k.n)) {
            return CKR_ATTRIBUTE_VALUE_INVALID;
        }
        *curve = c;
        if (kt == CKK_EC) {
            return spki(oid_ec, sizeof(oid_ec), c->der, c->der_len, k.n, put_raw, &k, pem);
        }
        /* RFC 8410 §3: the curve OID is the algorithm, with no parameters */
        return spki(c->der, c->der_len, NULL, 0, k.n, put_raw, &k, pem);
    }
    return CKR_TEMPLATE_INCONSISTENT; /* a key type the REST import does not take */
}
