/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_ops.c - the cryptographic functions of a remote slot over the REST
 * operation routes (docs/api.md "Operations").
 *
 * Init checks what PKCS#11 checks at init, locally: an offered mechanism
 * (CKR_MECHANISM_INVALID), a key the session sees (CKR_KEY_HANDLE_INVALID),
 * of a class and type that fit (CKR_KEY_TYPE_INCONSISTENT), with the usage
 * attribute set (CKR_KEY_FUNCTION_NOT_PERMITTED), and parameters the REST
 * body can carry exactly (CKR_MECHANISM_PARAM_INVALID otherwise: a salt
 * length other than the hash's, an MGF hash other than the hash, an OAEP
 * label in a wrap, a truncated CMAC ...). The translated parameters are kept
 * as the JSON fields of the request.
 *
 * The server runs single-part operations, so *Update buffers the input (up
 * to the REST limit of 1 MiB: beyond is CKR_DATA_LEN_RANGE, and the
 * operation ends) and returns no output; *Final sends it. A length query
 * (NULL output, or a buffer too small) makes the real call and keeps its
 * result, which the follow-up call with the buffer returns (for a one-shot
 * call, when its input is the same), so lengths are exact also for
 * signatures and ciphertexts whose length only the call tells. ECDSA asks
 * for PKCS#11's raw r||s ("format": "raw").
 *
 * Any error ends the operation (STYLE rule 13), except CKR_BUFFER_TOO_SMALL
 * and a successful length query (§5.2). A transport failure is
 * CKR_DEVICE_ERROR; the pooled client reconnects on its next request.
 * Plaintext buffers are cleansed before they are freed.
 */
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/mech.h"

#include "client_b64.h"

#define RANDOM_MAX 65536 /* bytes one POST /v1/random gives */

json_t *
p11r_b64(const uint8_t *p, size_t n)
{
    char *s = NULL;
    json_t *j;

    if (fh_client_b64_encode(p, n, &s) != FH_OK) {
        return NULL;
    }
    j = json_string(s);
    OPENSSL_cleanse(s, strlen(s));
    free(s);
    return j;
}

fh_rv
p11r_unb64(json_t *obj, const char *field, size_t max, uint8_t **out, size_t *out_len)
{
    json_t *v = json_object_get(obj, field);

    if (!json_is_string(v)) {
        return FH_E_IO; /* not the documented answer */
    }
    return fh_client_b64_decode(json_string_value(v), json_string_length(v), max, out, out_len) ==
                   FH_OK
               ? FH_OK
               : FH_E_IO;
}

static void
free_secret(uint8_t *p, size_t n)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

void
p11r_op_end(struct p11r_op *op)
{
    json_decref(op->body);
    free_secret(op->in, op->in_len);
    free_secret(op->out, op->out_len);
    memset(op, 0, sizeof(*op));
}

void
p11r_cancel(struct p11r_session *s, CK_FLAGS flags)
{
    static const CK_FLAGS f[P11R_NOPS] = {CKF_ENCRYPT, CKF_DECRYPT, CKF_SIGN, CKF_VERIFY,
                                          CKF_DIGEST};

    for (int k = 0; k < P11R_NOPS; k++) {
        if ((flags & f[k]) != 0) {
            p11r_op_end(&s->ops[k]);
        }
    }
    if ((flags & CKF_FIND_OBJECTS) != 0) {
        p11r_find_clear(&s->find);
    }
}

static enum fh_p11_ctx
ctx_of(enum p11r_opk k)
{
    static const enum fh_p11_ctx c[P11R_NOPS] = {FH_P11_CTX_ENCRYPT, FH_P11_CTX_DECRYPT,
                                                 FH_P11_CTX_SIGN, FH_P11_CTX_VERIFY,
                                                 FH_P11_CTX_DIGEST};
    return c[k];
}

/* ---- mechanism parameters ---- */

static const struct {
    CK_MECHANISM_TYPE hash;
    CK_RSA_PKCS_MGF_TYPE mgf;
    CK_ULONG len;
    const char *name;
} hashes[] = {
    {CKM_SHA_1, CKG_MGF1_SHA1, 20, "sha1"},        {CKM_SHA224, CKG_MGF1_SHA224, 28, "sha224"},
    {CKM_SHA256, CKG_MGF1_SHA256, 32, "sha256"},   {CKM_SHA384, CKG_MGF1_SHA384, 48, "sha384"},
    {CKM_SHA512, CKG_MGF1_SHA512, 64, "sha512"},
};

/* The hash a SHAx_RSA_PKCS_PSS fixes; 0 for RSA_PKCS_PSS; -1 for anything else. */
static long
pss_fixed(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_RSA_PKCS_PSS: return 0;
    case CKM_SHA1_RSA_PKCS_PSS: return CKM_SHA_1;
    case CKM_SHA224_RSA_PKCS_PSS: return CKM_SHA224;
    case CKM_SHA256_RSA_PKCS_PSS: return CKM_SHA256;
    case CKM_SHA384_RSA_PKCS_PSS: return CKM_SHA384;
    case CKM_SHA512_RSA_PKCS_PSS: return CKM_SHA512;
    default: return -1;
    }
}

static bool
is_ecdsa(CK_MECHANISM_TYPE m)
{
    return m == CKM_ECDSA || m == CKM_ECDSA_SHA1 || m == CKM_ECDSA_SHA224 ||
           m == CKM_ECDSA_SHA256 || m == CKM_ECDSA_SHA384 || m == CKM_ECDSA_SHA512;
}

static bool
set_b64(json_t *body, const char *field, const void *p, size_t n)
{
    return json_object_set_new(body, field, p11r_b64(p, n)) == 0;
}

/* An RSA hash + MGF pair: the index in hashes[], or -1 (the REST API has one hash for both). */
static int
hash_index(CK_MECHANISM_TYPE hash, CK_RSA_PKCS_MGF_TYPE mgf)
{
    for (int i = 0; i < (int)(sizeof(hashes) / sizeof(hashes[0])); i++) {
        if (hashes[i].hash == hash) {
            return hashes[i].mgf == mgf ? i : -1;
        }
    }
    return -1;
}

#define PARAM_IS(m, T) ((m)->pParameter != NULL && (m)->ulParameterLen == sizeof(T))
#define NO_PARAM(m) ((m)->pParameter == NULL && (m)->ulParameterLen == 0)

/*
 * The request fields of mechanism m (its name and parameters) into body.
 * CKR_MECHANISM_PARAM_INVALID for parameters the body cannot carry exactly.
 * *ctr_left: bytes an AES_CTR counter of fewer than 56 bits allows (0: no limit).
 */
static CK_RV
params_body(const CK_MECHANISM *m, bool for_wrap, json_t *body, uint64_t *ctr_left)
{
    const char *name = fh_mech_name(m->mechanism);
    long pss = pss_fixed(m->mechanism);

    *ctr_left = 0;
    if (name == NULL || json_object_set_new(body, "mechanism", json_string(name)) != 0) {
        return CKR_MECHANISM_INVALID;
    }
    if (pss >= 0) {
        CK_RSA_PKCS_PSS_PARAMS p;
        int h;

        if (!PARAM_IS(m, p)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&p, m->pParameter, sizeof(p));
        h = hash_index(p.hashAlg, p.mgf);
        /* the server salts with the hash's length; a SHAx_ mechanism fixes the hash */
        if (h < 0 || p.sLen != hashes[h].len || (pss > 0 && (CK_MECHANISM_TYPE)pss != p.hashAlg)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        if (pss == 0 && json_object_set_new(body, "hash", json_string(hashes[h].name)) != 0) {
            return CKR_HOST_MEMORY;
        }
        return CKR_OK;
    }
    switch (m->mechanism) {
    case CKM_RSA_PKCS_OAEP: {
        CK_RSA_PKCS_OAEP_PARAMS p;
        int h;

        if (!PARAM_IS(m, p)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&p, m->pParameter, sizeof(p));
        h = hash_index(p.hashAlg, p.mgf);
        if (h < 0 || (p.source != CKZ_DATA_SPECIFIED && p.source != 0) ||
            (p.pSourceData == NULL && p.ulSourceDataLen != 0) ||
            (for_wrap && p.ulSourceDataLen != 0) || p.ulSourceDataLen > 1024) {
            return CKR_MECHANISM_PARAM_INVALID; /* wrap has no label field */
        }
        if (json_object_set_new(body, "hash", json_string(hashes[h].name)) != 0 ||
            (p.ulSourceDataLen > 0 &&
             !set_b64(body, "oaep_label", p.pSourceData, p.ulSourceDataLen))) {
            return CKR_HOST_MEMORY;
        }
        return CKR_OK;
    }
    case CKM_RSA_AES_KEY_WRAP: {
        CK_RSA_AES_KEY_WRAP_PARAMS ra;
        CK_RSA_PKCS_OAEP_PARAMS p;
        int h;

        if (!PARAM_IS(m, ra)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&ra, m->pParameter, sizeof(ra));
        if (ra.pOAEPParams == NULL) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&p, ra.pOAEPParams, sizeof(p));
        h = hash_index(p.hashAlg, p.mgf);
        /* the server's temporary key is AES-256, its OAEP has one hash and no label */
        if (ra.ulAESKeyBits != 256 || h < 0 || (p.source != CKZ_DATA_SPECIFIED && p.source != 0) ||
            p.ulSourceDataLen != 0) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        return json_object_set_new(body, "hash", json_string(hashes[h].name)) == 0
                   ? CKR_OK
                   : CKR_HOST_MEMORY;
    }
    case CKM_AES_GCM: {
        CK_GCM_PARAMS p;

        if (!PARAM_IS(m, p)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&p, m->pParameter, sizeof(p));
        if (p.pIv == NULL || p.ulIvLen == 0 || p.ulIvLen > 256 || p.ulTagBits < 8 ||
            p.ulTagBits > 128 || p.ulTagBits % 8 != 0 || (p.pAAD == NULL && p.ulAADLen != 0) ||
            p.ulAADLen > P11R_MAX_INPUT) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        if (!set_b64(body, "iv", p.pIv, p.ulIvLen) ||
            json_object_set_new(body, "tag_bits", json_integer((json_int_t)p.ulTagBits)) != 0 ||
            (p.ulAADLen > 0 && !set_b64(body, "aad", p.pAAD, p.ulAADLen))) {
            return CKR_HOST_MEMORY;
        }
        return CKR_OK;
    }
    case CKM_AES_CBC:
    case CKM_AES_CBC_PAD:
        if (m->pParameter == NULL || m->ulParameterLen != 16) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        return set_b64(body, "iv", m->pParameter, 16) ? CKR_OK : CKR_HOST_MEMORY;
    case CKM_AES_CTR: {
        CK_AES_CTR_PARAMS p;

        if (!PARAM_IS(m, p)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&p, m->pParameter, sizeof(p));
        if (p.ulCounterBits < 1 || p.ulCounterBits > 128) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        if (p.ulCounterBits < 56) {
            /* the server counts with all 128 bits: refuse what would wrap (as the core does) */
            uint64_t c0 = 0;

            for (size_t i = 8; i < 16; i++) {
                c0 = (c0 << 8) | p.cb[i];
            }
            c0 &= ((uint64_t)1 << p.ulCounterBits) - 1;
            *ctr_left = (((uint64_t)1 << p.ulCounterBits) - c0) * 16;
        }
        return set_b64(body, "iv", p.cb, sizeof(p.cb)) ? CKR_OK : CKR_HOST_MEMORY;
    }
    case CKM_AES_CMAC_GENERAL: {
        CK_MAC_GENERAL_PARAMS len;

        if (!PARAM_IS(m, len)) {
            return CKR_MECHANISM_PARAM_INVALID;
        }
        memcpy(&len, m->pParameter, sizeof(len));
        return len == 16 ? CKR_OK : CKR_MECHANISM_PARAM_INVALID; /* the server gives 16 bytes */
    }
    default:
        /* every other mechanism the REST API carries takes no parameter */
        return NO_PARAM(m) ? CKR_OK : CKR_MECHANISM_PARAM_INVALID;
    }
}

/* ---- init ---- */

static const struct {
    CK_FLAGS flag;
    unsigned usage;
    CK_OBJECT_CLASS cls_a, cls_b;
} op_rules[P11R_NOPS] = {
    [P11R_ENC] = {CKF_ENCRYPT, FH_USAGE_ENCRYPT, CKO_PUBLIC_KEY, CKO_SECRET_KEY},
    [P11R_DEC] = {CKF_DECRYPT, FH_USAGE_DECRYPT, CKO_PRIVATE_KEY, CKO_SECRET_KEY},
    [P11R_SIGN] = {CKF_SIGN, FH_USAGE_SIGN, CKO_PRIVATE_KEY, CKO_SECRET_KEY},
    [P11R_VERIFY] = {CKF_VERIFY, FH_USAGE_VERIFY, CKO_PUBLIC_KEY, CKO_SECRET_KEY},
    [P11R_DIGEST] = {CKF_DIGEST, 0, 0, 0},
};

/* Whether the mechanism's key types (the core's registry) admit key type kt. */
static bool
type_fits(CK_MECHANISM_TYPE m, CK_KEY_TYPE kt, fh_ctx *ctx)
{
    const struct fh_mech_desc *d = ctx != NULL ? fh_mech_get(ctx, m) : NULL;

    if (d == NULL || d->n_key_types == 0 || kt == CK_UNAVAILABLE_INFORMATION) {
        return true; /* unknown here: the server judges */
    }
    for (size_t i = 0; i < d->n_key_types; i++) {
        if (d->key_types[i] == kt) {
            return true;
        }
    }
    return false;
}

/* The key of an operation as the session sees it, checked against the operation's rules. */
static CK_RV
op_key(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h, CK_FLAGS flag,
       unsigned usage, CK_OBJECT_CLASS a, CK_OBJECT_CLASS b, CK_MECHANISM_TYPE m,
       struct p11r_obj *out)
{
    if (p11r_obj_get(r, s->slot, h, out) != FH_OK ||
        (out->cls != CKO_PUBLIC_KEY && !p11r_user(s))) {
        return CKR_KEY_HANDLE_INVALID;
    }
    if (!p11r_has_mech(s->slot, m, flag)) {
        return CKR_MECHANISM_INVALID;
    }
    if ((out->cls != a && out->cls != b) || !type_fits(m, out->kt, r->ctx)) {
        return CKR_KEY_TYPE_INCONSISTENT;
    }
    if ((out->usage & usage) == 0) {
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    }
    return CKR_OK;
}

CK_RV
p11r_op_init(struct p11_remote *r, struct p11r_session *s, enum p11r_opk k, const CK_MECHANISM *m,
             CK_OBJECT_HANDLE key)
{
    struct p11r_op *op = &s->ops[k];
    uint64_t ctr_left = 0;
    CK_RV rv = CKR_OK;

    if (op->active) {
        return CKR_OPERATION_ACTIVE;
    }
    p11r_op_end(op);
    if (k == P11R_DIGEST) {
        if (!p11r_has_mech(s->slot, m->mechanism, CKF_DIGEST)) {
            return CKR_MECHANISM_INVALID;
        }
    } else {
        rv = op_key(r, s, key, op_rules[k].flag, op_rules[k].usage, op_rules[k].cls_a,
                    op_rules[k].cls_b, m->mechanism, &op->key);
    }
    op->body = rv == CKR_OK ? json_object() : NULL;
    if (rv == CKR_OK && op->body == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    rv = rv == CKR_OK ? params_body(m, false, op->body, &ctr_left) : rv;
    if (rv == CKR_OK && k == P11R_SIGN && is_ecdsa(m->mechanism) &&
        json_object_set_new(op->body, "format", json_string("raw")) != 0) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv != CKR_OK) {
        p11r_op_end(op);
        return rv;
    }
    op->mech = m->mechanism;
    op->active = true;
    op->ctr_left = ctr_left;
    return CKR_OK;
}

/* ---- the call ---- */

/* The request of operation k with input in; the result (malloc'ed) in *out. */
static fh_rv
op_call(struct p11r_session *s, enum p11r_opk k, struct p11r_op *op, const uint8_t *in,
        size_t in_len, const uint8_t *sig, size_t sig_len, uint8_t **out, size_t *out_len)
{
    static const char *const in_field[P11R_NOPS] = {"plaintext", "ciphertext", "data", "data",
                                                    "data"};
    static const char *const out_field[P11R_NOPS] = {"ciphertext", "plaintext", "signature", NULL,
                                                     "digest"};
    static const char *const route[P11R_NOPS] = {"/encrypt", "/decrypt", "/sign", "/verify", NULL};
    struct fh_client_resp resp;
    json_t *body = json_deep_copy(op->body);
    char *path;
    fh_rv rv = FH_OK;

    memset(&resp, 0, sizeof(resp));
    if (body == NULL || !set_b64(body, in_field[k], in, in_len) ||
        (k == P11R_VERIFY && !set_b64(body, "signature", sig, sig_len))) {
        fh_client_json_cleanse(body); /* the input may already be in it */
        json_decref(body);
        return FH_E_NOMEM;
    }
    path = k == P11R_DIGEST ? strdup("/v1/digest") : p11r_key_path(&op->key, route[k]);
    rv = path != NULL ? p11r_request(s->slot, "POST", path, body, &resp) : FH_E_NOMEM;
    free(path);
    fh_client_json_cleanse(body); /* it held the plaintext */
    json_decref(body);
    if (rv == FH_OK && k == P11R_VERIFY) {
        json_t *v = json_object_get(resp.json, "valid");

        rv = !json_is_boolean(v) ? FH_E_IO : json_is_true(v) ? FH_OK : FH_E_SIGNATURE_INVALID;
        *out = NULL;
        *out_len = 0;
    } else if (rv == FH_OK) {
        rv = p11r_unb64(resp.json, out_field[k], FH_CLIENT_RESP_MAX, out, out_len);
    }
    fh_client_resp_clear(&resp);
    return rv;
}

/* Copy the kept result out under §5.2's buffer rules; ends the operation when delivered. */
static CK_RV
deliver(struct p11r_op *op, CK_BYTE *out, CK_ULONG *out_len)
{
    if (out == NULL) {
        *out_len = op->out_len;
        return CKR_OK;
    }
    if (*out_len < op->out_len) {
        *out_len = op->out_len;
        return CKR_BUFFER_TOO_SMALL;
    }
    memcpy(out, op->out, op->out_len);
    *out_len = op->out_len;
    p11r_op_end(op);
    return CKR_OK;
}

/* Run the operation on in (once; a kept result is reused), then deliver. */
static CK_RV
run(struct p11r_session *s, enum p11r_opk k, const uint8_t *in, size_t in_len, CK_BYTE *out,
    CK_ULONG *out_len)
{
    struct p11r_op *op = &s->ops[k];
    uint8_t *res = NULL;
    size_t res_len = 0;
    fh_rv rv;

    if (op->have_out) {
        return deliver(op, out, out_len);
    }
    if (in_len > P11R_MAX_INPUT || (op->ctr_left > 0 && in_len > op->ctr_left)) {
        p11r_op_end(op);
        return fh_rv_to_ckr(FH_E_DATA_LEN_RANGE, ctx_of(k));
    }
    rv = op_call(s, k, op, in, in_len, NULL, 0, &res, &res_len);
    if (rv != FH_OK) {
        p11r_op_end(op);
        return fh_rv_to_ckr(rv, ctx_of(k));
    }
    op->out = res;
    op->out_len = res_len;
    op->have_out = true;
    return deliver(op, out, out_len);
}

static bool
same_input(const struct p11r_op *op, const CK_BYTE *in, CK_ULONG in_len)
{
    return op->in_len == in_len && (in_len == 0 || CRYPTO_memcmp(op->in, in, in_len) == 0);
}

CK_RV
p11r_op_oneshot(struct p11r_session *s, enum p11r_opk k, const CK_BYTE *in, CK_ULONG in_len,
                CK_BYTE *out, CK_ULONG *out_len)
{
    struct p11r_op *op = &s->ops[k];

    if (!op->active) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    if (op->multi) {
        p11r_op_end(op); /* §5.13.2: no single-part call after an update (rv_map FH_E_OP_MIXED) */
        return fh_rv_to_ckr(FH_E_OP_MIXED, ctx_of(k));
    }
    if (op->have_out && !same_input(op, in, in_len)) {
        /* a different input than the length query's: its result does not apply */
        free_secret(op->out, op->out_len);
        op->out = NULL;
        op->out_len = 0;
        op->have_out = false;
    }
    if (!op->have_out) {
        free_secret(op->in, op->in_len);
        op->in = NULL;
        op->in_len = 0;
        if (in_len > 0 && out == NULL) {
            /* keep the input of a length query, to know the follow-up call by it */
            op->in = malloc(in_len);
            if (op->in == NULL) {
                p11r_op_end(op);
                return CKR_HOST_MEMORY;
            }
            memcpy(op->in, in, in_len);
            op->in_len = in_len;
        }
    }
    return run(s, k, in, in_len, out, out_len);
}

CK_RV
p11r_op_update(struct p11r_session *s, enum p11r_opk k, const CK_BYTE *in, CK_ULONG in_len,
               CK_BYTE *out, CK_ULONG *out_len)
{
    struct p11r_op *op = &s->ops[k];
    uint8_t *v;

    (void)out;
    if (!op->active) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    if (op->have_out && !op->multi) {
        /* after a one-shot length query: a multi-part call is mixing (§5.13.2) */
        p11r_op_end(op);
        return fh_rv_to_ckr(FH_E_OP_MIXED, ctx_of(k));
    }
    if (in_len > P11R_MAX_INPUT - op->in_len) {
        p11r_op_end(op);
        return fh_rv_to_ckr(FH_E_DATA_LEN_RANGE, ctx_of(k));
    }
    op->multi = true;
    if (in_len > 0) {
        v = malloc(op->in_len + in_len);
        if (v == NULL) {
            p11r_op_end(op);
            return CKR_HOST_MEMORY;
        }
        if (op->in_len > 0) {
            memcpy(v, op->in, op->in_len);
        }
        memcpy(v + op->in_len, in, in_len);
        free_secret(op->in, op->in_len);
        op->in = v;
        op->in_len += in_len;
    }
    if (out_len != NULL) {
        *out_len = 0; /* buffered: everything comes out of *Final */
    }
    return CKR_OK;
}

CK_RV
p11r_op_final(struct p11r_session *s, enum p11r_opk k, CK_BYTE *out, CK_ULONG *out_len)
{
    struct p11r_op *op = &s->ops[k];

    if (!op->active) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    op->multi = true;
    return run(s, k, op->in, op->in_len, out, out_len);
}

/* The signature length the key implies (0: not known here). */
static size_t
sig_len_of(const struct p11r_op *op)
{
    const struct fh_curve_desc *c = op->key.curve[0] ? fh_curve_find(op->key.curve) : NULL;

    if (op->key.kt == CKK_RSA && op->key.bits > 0) {
        return (op->key.bits + 7) / 8;
    }
    if (is_ecdsa(op->mech) && c != NULL) {
        return 2 * c->order_len;
    }
    if (op->mech == CKM_EDDSA && c != NULL) {
        return 2 * c->order_len;
    }
    return 0;
}

CK_RV
p11r_verify(struct p11r_session *s, bool oneshot, const CK_BYTE *in, CK_ULONG in_len,
            const CK_BYTE *sig, CK_ULONG sig_len)
{
    struct p11r_op *op = &s->ops[P11R_VERIFY];
    size_t want;
    uint8_t *none = NULL;
    size_t none_len = 0;
    fh_rv rv;

    if (!op->active) {
        return CKR_OPERATION_NOT_INITIALIZED;
    }
    if (oneshot && op->multi) {
        p11r_op_end(op);
        return fh_rv_to_ckr(FH_E_OP_MIXED, FH_P11_CTX_VERIFY);
    }
    if (!oneshot) {
        in = op->in;
        in_len = op->in_len;
    }
    want = sig_len_of(op);
    if (in_len > P11R_MAX_INPUT) {
        rv = FH_E_DATA_LEN_RANGE;
    } else if (want > 0 && sig_len != want) {
        rv = FH_E_SIGNATURE_LEN_RANGE; /* §5.15: checked before the signature is */
    } else {
        rv = op_call(s, P11R_VERIFY, op, in, in_len, sig, sig_len, &none, &none_len);
    }
    free(none);
    p11r_op_end(op);
    return fh_rv_to_ckr(rv, FH_P11_CTX_VERIFY);
}

/* ---- wrap, unwrap, derive, random ---- */

static bool
is_wrap_mech(CK_MECHANISM_TYPE m)
{
    return m == CKM_AES_KEY_WRAP || m == CKM_AES_KEY_WRAP_PAD || m == CKM_AES_KEY_WRAP_KWP ||
           m == CKM_RSA_PKCS_OAEP || m == CKM_RSA_AES_KEY_WRAP;
}

/* Whether m wraps with an RSA key pair (public half wraps, private half unwraps). */
static bool
is_rsa_wrap(CK_MECHANISM_TYPE m)
{
    return m == CKM_RSA_PKCS_OAEP || m == CKM_RSA_AES_KEY_WRAP;
}

/*
 * Whether len can be a key wrapped with m by the key uk, checked here as the
 * core checks it (the REST API answers both length and integrity failures
 * as wrapped_key_invalid): RFC 3394 at least 3 semiblocks, RFC 5649 at least
 * 2, OAEP the modulus length, RSA-AES the modulus and 2 semiblocks or more.
 */
static bool
wrapped_len_ok(const CK_MECHANISM *m, const struct p11r_obj *uk, CK_ULONG len)
{
    CK_ULONG k = (uk->bits + 7) / 8;

    switch (m->mechanism) {
    case CKM_AES_KEY_WRAP: return len % 8 == 0 && len >= 24;
    case CKM_AES_KEY_WRAP_PAD:
    case CKM_AES_KEY_WRAP_KWP: return len % 8 == 0 && len >= 16;
    case CKM_RSA_PKCS_OAEP: return k == 0 || len == k;
    case CKM_RSA_AES_KEY_WRAP: return k == 0 || (len >= k + 16 && (len - k) % 8 == 0);
    default: return true;
    }
}

/* The CKA_KEY_TYPE of a template, CK_UNAVAILABLE_INFORMATION when absent or malformed. */
static CK_KEY_TYPE
tmpl_key_type(const CK_ATTRIBUTE *t, CK_ULONG n)
{
    const CK_ATTRIBUTE *a = p11r_attr_find(t, n, CKA_KEY_TYPE);
    CK_KEY_TYPE kt = CK_UNAVAILABLE_INFORMATION;

    if (a != NULL && a->pValue != NULL && a->ulValueLen == sizeof(kt)) {
        memcpy(&kt, a->pValue, sizeof(kt));
    }
    return kt;
}

CK_RV
p11r_wrap(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
          CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key, CK_BYTE *out, CK_ULONG *out_len)
{
    struct fh_client_resp resp;
    struct p11r_obj wk, tk;
    uint64_t unused;
    json_t *body = NULL;
    char *path = NULL, *ref = NULL;
    uint8_t *w = NULL;
    size_t w_len = 0;
    CK_RV rv;
    fh_rv frv;

    rv = op_key(r, s, wrapping, CKF_WRAP, FH_USAGE_WRAP,
                is_rsa_wrap(m->mechanism) ? CKO_PUBLIC_KEY : CKO_SECRET_KEY,
                is_rsa_wrap(m->mechanism) ? CKO_PUBLIC_KEY : CKO_SECRET_KEY, m->mechanism, &wk);
    if (rv == CKR_KEY_HANDLE_INVALID) {
        return CKR_WRAPPING_KEY_HANDLE_INVALID;
    }
    if (rv == CKR_KEY_TYPE_INCONSISTENT) {
        return CKR_WRAPPING_KEY_TYPE_INCONSISTENT;
    }
    if (rv == CKR_OK && !is_wrap_mech(m->mechanism)) {
        rv = CKR_MECHANISM_INVALID;
    }
    if (rv != CKR_OK) {
        return rv;
    }
    if (p11r_obj_get(r, s->slot, key, &tk) != FH_OK || tk.cls == CKO_PUBLIC_KEY ||
        !p11r_user(s)) {
        return CKR_KEY_HANDLE_INVALID;
    }
    body = json_object();
    rv = body != NULL ? params_body(m, true, body, &unused) : CKR_HOST_MEMORY;
    ref = rv == CKR_OK ? p11r_key_ref(&tk) : NULL;
    if (rv == CKR_OK && (ref == NULL || json_object_set_new(body, "key", json_string(ref)) != 0)) {
        rv = CKR_HOST_MEMORY;
    }
    path = rv == CKR_OK ? p11r_key_path(&wk, "/wrap") : NULL;
    if (rv == CKR_OK && path == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        frv = p11r_request(s->slot, "POST", path, body, &resp);
        if (frv == FH_OK) {
            frv = p11r_unb64(resp.json, "wrapped", FH_CLIENT_RESP_MAX, &w, &w_len);
        }
        fh_client_resp_clear(&resp);
        rv = fh_rv_to_ckr(frv, FH_P11_CTX_WRAP);
    }
    if (rv == CKR_OK) {
        if (out != NULL && *out_len < w_len) {
            rv = CKR_BUFFER_TOO_SMALL;
        } else if (out != NULL) {
            memcpy(out, w, w_len);
        }
        *out_len = w_len;
    }
    free(w);
    free(ref);
    free(path);
    json_decref(body);
    return rv;
}

/* The REST "type" of a new secret key from its template (AES by CKA_VALUE_LEN). */
static CK_RV
secret_type(const CK_ATTRIBUTE *t, CK_ULONG n, bool bits_allowed, json_t *body)
{
    const CK_ATTRIBUTE *kt = p11r_attr_find(t, n, CKA_KEY_TYPE);
    const CK_ATTRIBUTE *vl = p11r_attr_find(t, n, CKA_VALUE_LEN);
    const CK_ATTRIBUTE *cls = p11r_attr_find(t, n, CKA_CLASS);
    CK_ULONG k = 0, len = 0, c = CKO_SECRET_KEY;
    char type[32];

    if (cls != NULL && (cls->ulValueLen != sizeof(c) || cls->pValue == NULL)) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    if (cls != NULL) {
        memcpy(&c, cls->pValue, sizeof(c));
    }
    if (kt == NULL || kt->pValue == NULL || kt->ulValueLen != sizeof(k)) {
        return CKR_TEMPLATE_INCOMPLETE;
    }
    memcpy(&k, kt->pValue, sizeof(k));
    if (vl != NULL && (vl->pValue == NULL || vl->ulValueLen != sizeof(len))) {
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    if (vl != NULL) {
        memcpy(&len, vl->pValue, sizeof(len));
    }
    if (c != CKO_SECRET_KEY) {
        return CKR_TEMPLATE_INCONSISTENT;
    }
    if (k == CKK_AES) {
        if (vl == NULL && !bits_allowed) {
            snprintf(type, sizeof(type), "aes"); /* unwrap: the length the wrapped key has */
        } else if (len != 16 && len != 24 && len != 32) {
            return vl == NULL ? CKR_TEMPLATE_INCOMPLETE : CKR_ATTRIBUTE_VALUE_INVALID;
        } else {
            snprintf(type, sizeof(type), "aes-%lu", (unsigned long)len * 8);
        }
    } else if (k == CKK_GENERIC_SECRET) {
        snprintf(type, sizeof(type), "generic-secret");
        if (vl != NULL && (!bits_allowed || len == 0 || len > 512 ||
                           json_object_set_new(body, "bits", json_integer((json_int_t)len * 8)))) {
            return CKR_TEMPLATE_INCONSISTENT;
        }
    } else {
        return CKR_TEMPLATE_INCONSISTENT;
    }
    return json_object_set_new(body, "type", json_string(type)) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}

/* The REST family type of a private key to unwrap, from its template's CKA_KEY_TYPE. */
static CK_RV
private_type(const CK_ATTRIBUTE *t, CK_ULONG n, json_t *body)
{
    const char *family;

    if (p11r_attr_find(t, n, CKA_KEY_TYPE) == NULL) {
        return CKR_TEMPLATE_INCOMPLETE;
    }
    switch (tmpl_key_type(t, n)) {
    case CKK_RSA: family = "rsa"; break;
    case CKK_EC: family = "ec"; break;
    case CKK_EC_EDWARDS: family = "ec-edwards"; break;
    default: return CKR_TEMPLATE_INCONSISTENT;
    }
    return json_object_set_new(body, "type", json_string(family)) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}

/* The usage words of a new secret key (explicit ones over the type's defaults). */
static CK_RV
secret_usage(json_t *body, unsigned packed, bool given)
{
    const struct fh_keytype_desc *d = fh_keytype_find(json_string_value(json_object_get(body, "type")));
    unsigned on = packed & 0xff, off = packed >> 8, usage;
    json_t *arr;

    if (!given || d == NULL) {
        return CKR_OK;
    }
    usage = (d->default_usage & ~off) | on;
    arr = json_array();
    for (unsigned b = 1; arr != NULL && b <= FH_USAGE_DERIVE; b <<= 1) {
        if ((usage & b) != 0) {
            json_array_append_new(arr, json_string(fh_usage_word(b)));
        }
    }
    if (arr == NULL || json_array_size(arr) == 0) {
        json_decref(arr);
        return CKR_TEMPLATE_INCONSISTENT;
    }
    return json_object_set_new(body, "usage", arr) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}

CK_RV
p11r_unwrap(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
            CK_OBJECT_HANDLE unwrapping, const CK_BYTE *wrapped, CK_ULONG wrapped_len,
            const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
    struct fh_client_resp resp;
    struct p11r_obj uk;
    uint64_t unused;
    unsigned usage = 0;
    bool given = false;
    json_t *body = NULL;
    char *path = NULL;
    /* a private key when the template says so; else a secret key (secret_type checks) */
    CK_OBJECT_CLASS cls =
        p11r_create_class(t, n) == CKO_PRIVATE_KEY ? CKO_PRIVATE_KEY : CKO_SECRET_KEY;
    CK_RV rv;
    fh_rv frv;

    rv = op_key(r, s, unwrapping, CKF_UNWRAP, FH_USAGE_UNWRAP,
                is_rsa_wrap(m->mechanism) ? CKO_PRIVATE_KEY : CKO_SECRET_KEY,
                is_rsa_wrap(m->mechanism) ? CKO_PRIVATE_KEY : CKO_SECRET_KEY, m->mechanism, &uk);
    if (rv == CKR_KEY_HANDLE_INVALID) {
        return CKR_UNWRAPPING_KEY_HANDLE_INVALID;
    }
    if (rv == CKR_KEY_TYPE_INCONSISTENT) {
        return CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT;
    }
    if (rv == CKR_OK && !is_wrap_mech(m->mechanism)) {
        rv = CKR_MECHANISM_INVALID;
    }
    if (rv == CKR_OK && (wrapped_len > P11R_MAX_INPUT || !wrapped_len_ok(m, &uk, wrapped_len))) {
        rv = CKR_WRAPPED_KEY_LEN_RANGE;
    }
    body = rv == CKR_OK ? json_object() : NULL;
    if (rv == CKR_OK && body == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    /*
     * A template cannot name a private key's curve or size (CKA_EC_PARAMS and
     * CKA_MODULUS are not given to C_UnwrapKey), nor always an AES key's
     * length: those go as a family type ("rsa", "ec", "aes"...), which the
     * server fills from the key it unwraps.
     */
    rv = rv == CKR_OK ? params_body(m, true, body, &unused) : rv;
    rv = rv == CKR_OK
             ? (cls == CKO_PRIVATE_KEY ? private_type(t, n, body) : secret_type(t, n, false, body))
             : rv;
    rv = rv == CKR_OK ? p11r_template_body(t, n, cls, tmpl_key_type(t, n), body, &usage, &given)
                      : rv;
    if (rv == CKR_OK && json_object_get(body, "label") == NULL) {
        rv = CKR_TEMPLATE_INCOMPLETE;
    }
    rv = rv == CKR_OK ? p11r_new_key_usage(body, cls, tmpl_key_type(t, n), usage, given) : rv;
    if (rv == CKR_OK && !set_b64(body, "wrapped", wrapped, wrapped_len)) {
        rv = CKR_HOST_MEMORY;
    }
    path = rv == CKR_OK ? p11r_key_path(&uk, "/unwrap") : NULL;
    if (rv == CKR_OK && path == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        frv = p11r_request(s->slot, "POST", path, body, &resp);
        frv = frv == FH_E_EXISTS ? FH_E_ATTR_VALUE_INVALID : frv;
        rv = frv == FH_OK ? p11r_created(r, s->slot, resp.json, cls, out, NULL, FH_P11_CTX_UNWRAP)
                          : fh_rv_to_ckr(frv, FH_P11_CTX_UNWRAP);
        fh_client_resp_clear(&resp);
    }
    free(path);
    json_decref(body);
    return rv;
}

CK_RV
p11r_derive(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
            CK_OBJECT_HANDLE base, const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
    struct fh_client_resp resp;
    CK_ECDH1_DERIVE_PARAMS p;
    struct p11r_obj bk;
    unsigned usage = 0;
    bool given = false;
    json_t *body = NULL;
    char *path = NULL;
    CK_RV rv;
    fh_rv frv;

    rv = op_key(r, s, base, CKF_DERIVE, FH_USAGE_DERIVE, CKO_PRIVATE_KEY, CKO_PRIVATE_KEY,
                m->mechanism, &bk);
    if (rv == CKR_OK && m->mechanism != CKM_ECDH1_DERIVE) {
        rv = CKR_MECHANISM_INVALID;
    }
    if (rv == CKR_OK) {
        if (!PARAM_IS(m, p)) {
            rv = CKR_MECHANISM_PARAM_INVALID;
        } else {
            memcpy(&p, m->pParameter, sizeof(p));
            /* the REST derive is the raw shared secret: CKD_NULL without shared data */
            if (p.kdf != CKD_NULL || p.ulSharedDataLen != 0 || p.pPublicData == NULL ||
                p.ulPublicDataLen == 0 || p.ulPublicDataLen > 1024) {
                rv = CKR_MECHANISM_PARAM_INVALID;
            }
        }
    }
    body = rv == CKR_OK ? json_object() : NULL;
    if (rv == CKR_OK && (body == NULL ||
                         json_object_set_new(body, "mechanism", json_string("ECDH1_DERIVE")) != 0 ||
                         !set_b64(body, "public_point", p.pPublicData, p.ulPublicDataLen))) {
        rv = CKR_HOST_MEMORY;
    }
    rv = rv == CKR_OK ? secret_type(t, n, true, body) : rv;
    rv = rv == CKR_OK ? p11r_template_body(t, n, CKO_SECRET_KEY, tmpl_key_type(t, n), body, &usage,
                                           &given)
                      : rv;
    if (rv == CKR_OK && json_object_get(body, "label") == NULL) {
        rv = CKR_TEMPLATE_INCOMPLETE;
    }
    rv = rv == CKR_OK ? secret_usage(body, usage, given) : rv;
    path = rv == CKR_OK ? p11r_key_path(&bk, "/derive") : NULL;
    if (rv == CKR_OK && path == NULL) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        frv = p11r_request(s->slot, "POST", path, body, &resp);
        frv = frv == FH_E_EXISTS ? FH_E_ATTR_VALUE_INVALID : frv;
        rv = frv == FH_OK
                 ? p11r_created(r, s->slot, resp.json, CKO_SECRET_KEY, out, NULL, FH_P11_CTX_KEYGEN)
                 : fh_rv_to_ckr(frv, FH_P11_CTX_KEYGEN);
        fh_client_resp_clear(&resp);
    }
    free(path);
    json_decref(body);
    return rv;
}

CK_RV
p11r_random(struct p11r_session *s, CK_BYTE *out, CK_ULONG len)
{
    while (len > 0) {
        struct fh_client_resp resp;
        CK_ULONG n = len > RANDOM_MAX ? RANDOM_MAX : len;
        json_t *body = json_pack("{s:I}", "bytes", (json_int_t)n);
        uint8_t *b = NULL;
        size_t b_len = 0;
        fh_rv rv;

        if (body == NULL) {
            return CKR_HOST_MEMORY;
        }
        rv = p11r_request(s->slot, "POST", "/v1/random", body, &resp);
        json_decref(body);
        if (rv == FH_OK) {
            rv = p11r_unb64(resp.json, "random", RANDOM_MAX, &b, &b_len);
            rv = rv == FH_OK && b_len != n ? FH_E_IO : rv;
        }
        fh_client_resp_clear(&resp);
        if (rv != FH_OK) {
            free_secret(b, b_len);
            return fh_rv_to_ckr(rv, FH_P11_CTX_RANDOM);
        }
        memcpy(out, b, n);
        free_secret(b, b_len);
        out += n;
        len -= n;
    }
    return CKR_OK;
}
