/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_ops.c - the operation routes of docs/api.md "Operations": sign,
 * verify, encrypt, decrypt, mac, wrap, unwrap, derive on
 * /v1/tokens/{token}/keys/{key}/OP.
 *
 * Each request is one single-part operation on a fresh session: init, a
 * length query, the call. Every input is at most 1 MiB after base64
 * decoding. The half of the key is picked as the CLI does: sign and
 * decrypt use the private (or a secret) key, verify and encrypt the public
 * (or a secret) key, mac a secret key. ECDSA signatures are DER by default
 * ("format": "raw" gives the PKCS#11 r||s) and verify accepts both. IVs:
 * encrypt draws one from the token when the body has none (12 bytes for
 * GCM, 16 otherwise) and returns it; decrypt without "iv" reads it from the
 * front of the ciphertext, as `ferrohsm decrypt` does.
 *
 * Plaintexts and decrypted data are cleansed before they are freed; the
 * runtime's JSON allocator cleanses the response document.
 */
#include "keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/ferrohsm.h"

#include "params.h"
#include "pubkey.h"
#include "srv.h"

#define ROLES_OPS (SRV_R_ADMIN | SRV_R_APP)

/* What every operation holds. */
struct job {
    fh_session *s;
    struct srv_key k;
    struct srv_mparams p;
    CK_MECHANISM_TYPE mt;
    const char *mname;
};

static void
job_init(struct job *j)
{
    memset(j, 0, sizeof(*j));
}

static void
job_close(struct job *j)
{
    srv_mparams_clear(&j->p);
    srv_key_clear(&j->k);
    fh_session_close(j->s);
}

/*
 * The steps shared by every operation, in order (after the handler's
 * srv_token_check): unknown fields, the mechanism and its parameters (all
 * 400s before anything is opened), the session, the key.
 */
static bool
job_open(struct srv_req *req, struct srv_resp *resp, const char *const *fields, bool params,
         bool rw, struct job *j)
{
    if (!srv_body_only(req, resp, fields) || !srv_mech_from_body(req, resp, &j->mt, &j->mname)) {
        return false;
    }
    if (params && !srv_mparams_build(req, resp, j->mt, &j->p)) {
        return false;
    }
    return srv_token_session(req, resp, req->params[0], rw, &j->s) &&
           srv_key_resolve(req, resp, j->s, req->params[1], &j->k);
}

/* The half for op among classes, or a 400 key_type_inconsistent. */
static bool
pick(struct srv_req *req, struct srv_resp *resp, const struct job *j,
     const CK_OBJECT_CLASS *classes, size_t n, const char *what, CK_OBJECT_HANDLE *out)
{
    *out = srv_key_pick(&j->k, classes, n);
    if (*out == CK_INVALID_HANDLE) {
        srv_error_rv(req, resp, FH_E_KEY_TYPE_INCONSISTENT, SRV_WHAT_KEY, what);
        return false;
    }
    return true;
}

/* The shape of a data operation: its fields, its base64 input, its key half. */
struct shape {
    const char *const *fields;
    const char *input; /* the required base64 field the operation consumes */
    size_t input_max;
    const CK_OBJECT_CLASS *classes;
    size_t n_classes;
    const char *what; /* the 400 detail when the key has none of classes */
};

/*
 * The first step of every operation: the token (out of scope answers as
 * unknown, whatever the body), then unknown fields.
 */
static bool
job_head(struct srv_req *req, struct srv_resp *resp, const char *const *fields)
{
    return srv_token_check(req, resp, req->params[0]) && srv_body_only(req, resp, fields);
}

/*
 * The rest of a data operation's preamble, after job_head and any checks of
 * its own fields: the input (*in, to be freed by the caller, cleansed when
 * it may be plaintext), job_open, the key half (*h).
 */
static bool
job_start(struct srv_req *req, struct srv_resp *resp, const struct shape *sh, struct job *j,
          uint8_t **in, size_t *in_len, CK_OBJECT_HANDLE *h)
{
    return srv_body_b64(req, resp, sh->input, true, sh->input_max, in, in_len) &&
           job_open(req, resp, sh->fields, true, false, j) &&
           pick(req, resp, j, sh->classes, sh->n_classes, sh->what, h);
}

/*
 * One single-part operation with output: init, length query, call. *out is
 * malloc'ed (at least 1 byte); the caller frees it (cleansed for plaintext).
 */
static fh_rv
run(fh_session *s, enum fh_op_kind op, const CK_MECHANISM *m, CK_OBJECT_HANDLE key,
    const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    fh_rv rv;

    rv = fh_op_init(s, op, m, key);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fh_op_oneshot(s, op, in, in_len, NULL, &n);
    if (rv == FH_OK) {
        buf = malloc(n > 0 ? n : 1);
        rv = buf != NULL ? fh_op_oneshot(s, op, in, in_len, buf, &n) : FH_E_NOMEM;
    }
    if (rv != FH_OK) {
        fh_op_cancel(s, op);
        srv_free_secret(buf, n);
        return rv;
    }
    *out = buf;
    *out_len = n;
    return FH_OK;
}

/* Respond 200 {name: base64(data)}. */
static void
respond_b64(struct srv_req *req, struct srv_resp *resp, const char *name, const uint8_t *data,
            size_t len)
{
    json_t *root = json_object(), *v = srv_b64_json(data, len);

    if (root == NULL || v == NULL || json_object_set_new(root, name, v) != 0) {
        json_decref(root);
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        return;
    }
    srv_json(resp, 200, root);
}

/* Bytes of r (and of s) for the EC key h; 0 when the curve is unknown. */
static size_t
ec_order_len(fh_session *s, CK_OBJECT_HANDLE h)
{
    struct fh_key_desc d;
    const struct fh_curve_desc *c;

    if (fh_key_describe(s, h, &d) != FH_OK || d.curve == NULL) {
        return 0;
    }
    c = fh_curve_find(d.curve);
    return c != NULL ? c->order_len : 0;
}

/* ---- sign, verify, mac ---- */

static void
h_sign(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"mechanism", "data", "format", "hash", NULL};
    static const CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_SECRET_KEY};
    static const struct shape sh = {fields,  "data", SRV_KEY_MAX_INPUT,
                                    classes, 2,      "the key has no private or secret half"};
    struct job j;
    const char *fmt = NULL;
    uint8_t *data = NULL, *sig = NULL, *der = NULL;
    size_t data_len = 0, sig_len = 0, der_len = 0;
    CK_OBJECT_HANDLE h;
    fh_rv rv;

    job_init(&j);
    if (!job_head(req, resp, fields) || !srv_body_str(req, resp, "format", false, &fmt)) {
        goto out;
    }
    if (fmt != NULL && strcmp(fmt, "der") != 0 && strcmp(fmt, "raw") != 0) {
        srv_error(req, resp, 400, "bad_request", "field 'format': expected der or raw");
        goto out;
    }
    if (!job_start(req, resp, &sh, &j, &data, &data_len, &h)) {
        goto out;
    }
    rv = run(j.s, FH_OP_SIGN, &j.p.m.mech, h, data, data_len, &sig, &sig_len);
    if (rv == FH_OK && fh_mparams_is_ecdsa(j.mt) && (fmt == NULL || strcmp(fmt, "raw") != 0)) {
        rv = fh_ecdsa_sig_to_der(sig, sig_len, &der, &der_len);
    }
    srv_metric_op(req->srv, "sign", j.mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    respond_b64(req, resp, "signature", der != NULL ? der : sig, der != NULL ? der_len : sig_len);
out:
    free(der);
    free(sig);
    srv_free_secret(data, data_len);
    job_close(&j);
}

static void
h_verify(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"mechanism", "data", "signature", "hash", NULL};
    static const CK_OBJECT_CLASS classes[] = {CKO_PUBLIC_KEY, CKO_SECRET_KEY};
    static const struct shape sh = {fields,  "signature", SRV_KEY_MAX_INPUT,
                                    classes, 2,           "the key has no public or secret half"};
    struct job j;
    uint8_t *data = NULL, *sig = NULL, *raw = NULL;
    size_t data_len = 0, sig_len = 0;
    CK_OBJECT_HANDLE h;
    json_t *root;
    fh_rv rv;

    job_init(&j);
    if (!job_head(req, resp, fields) ||
        !srv_body_b64(req, resp, "data", true, SRV_KEY_MAX_INPUT, &data, &data_len) ||
        !job_start(req, resp, &sh, &j, &sig, &sig_len, &h)) {
        goto out;
    }
    if (fh_mparams_is_ecdsa(j.mt)) {
        size_t order = ec_order_len(j.s, h);

        /* DER or raw r||s: a strict DER parse tells them apart */
        raw = order > 0 ? malloc(2 * order) : NULL;
        if (raw != NULL && fh_ecdsa_sig_from_der(sig, sig_len, order, raw)) {
            free(sig);
            sig = raw;
            sig_len = 2 * order;
            raw = NULL;
        }
    }
    rv = fh_op_init(j.s, FH_OP_VERIFY, &j.p.m.mech, h);
    if (rv == FH_OK) {
        rv = fh_op_oneshot(j.s, FH_OP_VERIFY, data, data_len, sig, &sig_len);
        if (rv != FH_OK) {
            fh_op_cancel(j.s, FH_OP_VERIFY);
        }
    }
    srv_metric_op(req->srv, "verify", j.mname, rv);
    if (rv != FH_OK && rv != FH_E_SIGNATURE_INVALID) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    root = json_pack("{s:b}", "valid", rv == FH_OK);
    if (root == NULL) {
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        goto out;
    }
    srv_json(resp, 200, root);
out:
    free(raw);
    free(sig);
    srv_free_secret(data, data_len);
    job_close(&j);
}

static void
h_mac(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"mechanism", "data", NULL};
    static const CK_OBJECT_CLASS classes[] = {CKO_SECRET_KEY};
    static const struct shape sh = {fields,  "data", SRV_KEY_MAX_INPUT,
                                    classes, 1,      "a MAC needs a secret key"};
    struct job j;
    uint8_t *data = NULL, *mac = NULL;
    size_t data_len = 0, mac_len = 0;
    CK_OBJECT_HANDLE h;
    fh_rv rv;

    job_init(&j);
    if (!job_head(req, resp, fields) || !job_start(req, resp, &sh, &j, &data, &data_len, &h)) {
        goto out;
    }
    rv = run(j.s, FH_OP_SIGN, &j.p.m.mech, h, data, data_len, &mac, &mac_len);
    srv_metric_op(req->srv, "mac", j.mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    respond_b64(req, resp, "mac", mac, mac_len);
out:
    free(mac);
    srv_free_secret(data, data_len);
    job_close(&j);
}

/* ---- encrypt, decrypt ---- */

static const char *const cipher_fields_enc[] = {"mechanism", "plaintext", "iv",         "aad",
                                                "tag_bits",  "hash",      "oaep_label", NULL};
static const char *const cipher_fields_dec[] = {"mechanism", "ciphertext", "iv",         "aad",
                                                "tag_bits",  "hash",       "oaep_label", NULL};

static void
h_encrypt(struct srv_req *req, struct srv_resp *resp)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PUBLIC_KEY, CKO_SECRET_KEY};
    static const struct shape sh = {
        cipher_fields_enc, "plaintext", SRV_KEY_MAX_INPUT,
        classes,           2,           "the key has no public or secret half"};
    struct job j;
    uint8_t *pt = NULL, *ct = NULL;
    size_t pt_len = 0, ct_len = 0;
    CK_OBJECT_HANDLE h;
    json_t *root = NULL, *v_ct, *v_iv;
    fh_rv rv;

    job_init(&j);
    if (!job_head(req, resp, sh.fields) || !job_start(req, resp, &sh, &j, &pt, &pt_len, &h)) {
        goto out;
    }
    rv = FH_OK;
    if (j.p.m.iv_len > 0 && !j.p.iv_given) {
        rv = fh_random(j.s, j.p.m.iv, j.p.m.iv_len);
    }
    fh_mparams_wire_iv(&j.p.m);
    if (rv == FH_OK) {
        rv = run(j.s, FH_OP_ENCRYPT, &j.p.m.mech, h, pt, pt_len, &ct, &ct_len);
    }
    srv_metric_op(req->srv, "encrypt", j.mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    root = json_object();
    v_ct = srv_b64_json(ct, ct_len);
    v_iv = j.p.m.iv_len > 0 ? srv_b64_json(j.p.m.iv, j.p.m.iv_len) : json_null();
    if (root == NULL || v_ct == NULL || v_iv == NULL ||
        json_object_set_new(root, "ciphertext", v_ct) != 0 ||
        json_object_set_new(root, "iv", v_iv) != 0) {
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        goto out;
    }
    srv_json(resp, 200, root);
    root = NULL;
out:
    json_decref(root);
    free(ct);
    srv_free_secret(pt, pt_len);
    job_close(&j);
}

static void
h_decrypt(struct srv_req *req, struct srv_resp *resp)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_SECRET_KEY};
    static const struct shape sh = {cipher_fields_dec,
                                    "ciphertext",
                                    SRV_KEY_MAX_INPUT + SRV_IV_MAX,
                                    classes,
                                    2,
                                    "the key has no private or secret half"};
    struct job j;
    uint8_t *ct = NULL, *pt = NULL;
    size_t ct_len = 0, pt_len = 0, off = 0;
    CK_OBJECT_HANDLE h;
    fh_rv rv;

    job_init(&j);
    if (!job_head(req, resp, sh.fields) || !job_start(req, resp, &sh, &j, &ct, &ct_len, &h)) {
        goto out;
    }
    if (j.p.m.iv_len > 0 && !j.p.iv_given) {
        /* no "iv": the ciphertext starts with it (IV || ciphertext, as the CLI writes) */
        if (ct_len < j.p.m.iv_len) {
            srv_error_rv(req, resp, FH_E_ENCRYPTED_DATA_LEN_RANGE, SRV_WHAT_KEY,
                         "the ciphertext is shorter than the IV it must start with");
            goto out;
        }
        memcpy(j.p.m.iv, ct, j.p.m.iv_len);
        off = j.p.m.iv_len;
    }
    fh_mparams_wire_iv(&j.p.m);
    rv = run(j.s, FH_OP_DECRYPT, &j.p.m.mech, h, ct + off, ct_len - off, &pt, &pt_len);
    srv_metric_op(req->srv, "decrypt", j.mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    respond_b64(req, resp, "plaintext", pt, pt_len);
out:
    srv_free_secret(pt, pt_len);
    free(ct);
    job_close(&j);
}

/* ---- wrap, unwrap ---- */

static bool
is_wrap_mech(CK_MECHANISM_TYPE m)
{
    return m == CKM_AES_KEY_WRAP || m == CKM_AES_KEY_WRAP_PAD || m == CKM_AES_KEY_WRAP_KWP ||
           m == CKM_RSA_PKCS_OAEP || m == CKM_RSA_AES_KEY_WRAP;
}

static void
h_wrap(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"mechanism", "key", "hash", NULL};
    static const CK_OBJECT_CLASS rsa[] = {CKO_PUBLIC_KEY};
    static const CK_OBJECT_CLASS aes[] = {CKO_SECRET_KEY};
    static const CK_OBJECT_CLASS target_classes[] = {CKO_SECRET_KEY, CKO_PRIVATE_KEY};
    struct job j;
    struct srv_key target;
    const char *target_name = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0;
    CK_OBJECT_HANDLE hw, ht;
    bool rsa_mech;
    fh_rv rv;

    job_init(&j);
    memset(&target, 0, sizeof(target));
    if (!job_head(req, resp, fields) || !srv_body_str(req, resp, "key", true, &target_name) ||
        !job_open(req, resp, fields, true, false, &j)) {
        goto out;
    }
    if (!is_wrap_mech(j.mt)) {
        srv_error_rv(req, resp, FH_E_MECH_INVALID, SRV_WHAT_MECHANISM, j.mname);
        goto out;
    }
    rsa_mech = j.mt == CKM_RSA_PKCS_OAEP || j.mt == CKM_RSA_AES_KEY_WRAP;
    if (!pick(req, resp, &j, rsa_mech ? rsa : aes, 1,
              rsa_mech ? "RSA wrapping needs a public key" : "AES key wrap needs a secret key",
              &hw) ||
        !srv_key_resolve(req, resp, j.s, target_name, &target)) {
        goto out;
    }
    ht = srv_key_pick(&target, target_classes, 2);
    if (ht == CK_INVALID_HANDLE) {
        srv_error_rv(req, resp, FH_E_KEY_NOT_WRAPPABLE, SRV_WHAT_KEY, target_name);
        goto out;
    }
    rv = fh_key_wrap(j.s, &j.p.m.mech, hw, ht, NULL, &out_len);
    if (rv == FH_OK) {
        out = malloc(out_len > 0 ? out_len : 1);
        rv = out != NULL ? fh_key_wrap(j.s, &j.p.m.mech, hw, ht, out, &out_len) : FH_E_NOMEM;
    }
    srv_metric_op(req->srv, "wrap", j.mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, target_name);
        goto out;
    }
    respond_b64(req, resp, "wrapped", out, out_len);
out:
    free(out);
    srv_key_clear(&target);
    job_close(&j);
}

static void
h_unwrap(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {"label", "type",  "wrapped",     "mechanism", "hash",
                                         "id",    "usage", "extractable", NULL};
    fh_session *s = NULL;
    struct srv_key k;

    memset(&k, 0, sizeof(k));
    if (!job_head(req, resp, fields) || !srv_token_session(req, resp, req->params[0], true, &s)) {
        return;
    }
    if (srv_key_resolve(req, resp, s, req->params[1], &k)) {
        srv_keys_unwrap_into(req, resp, s, &k);
    }
    srv_key_clear(&k);
    fh_session_close(s);
}

/* ---- derive ---- */

static void
h_derive(struct srv_req *req, struct srv_resp *resp)
{
    static const char *const fields[] = {
        "mechanism", "public_key_pem", "public_point", "label", "type", "bits",
        "id",        "usage",          "extractable",  NULL};
    static const CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY};
    struct job j;
    const struct fh_keytype_desc *kt = NULL;
    struct fh_newkey nk = {NULL, NULL, 0, 0, false};
    const char *pem = NULL;
    uint8_t *point = NULL, *spki = NULL, *id = NULL;
    size_t point_len = 0, spki_len = 0, id_len = 0;
    int64_t bits = 0;
    CK_ULONG value_len = 0;
    CK_ECDH1_DERIVE_PARAMS dp;
    CK_MECHANISM mech;
    CK_OBJECT_HANDLE h;
    bool locked = false;
    fh_rv rv;

    job_init(&j);
    if (!job_head(req, resp, fields) || !srv_mech_from_body(req, resp, &j.mt, &j.mname)) {
        goto out;
    }
    if (j.mt != CKM_ECDH1_DERIVE) {
        srv_error_rv(req, resp, FH_E_MECH_INVALID, SRV_WHAT_MECHANISM, j.mname);
        goto out;
    }
    if (!srv_key_body_type(req, resp, "type", &kt) ||
        !srv_key_body_label(req, resp, "label", true, &nk.label) ||
        !srv_key_body_id(req, resp, &id, &id_len) ||
        !srv_body_bool(req, resp, "extractable", false, &nk.extractable) ||
        !srv_body_int(req, resp, "bits", false, 8, 4096, &bits) ||
        !srv_body_str(req, resp, "public_key_pem", false, &pem) ||
        !srv_body_b64(req, resp, "public_point", false, 1024, &point, &point_len)) {
        goto out;
    }
    if (kt->key_type != CKK_AES && kt->key_type != CKK_GENERIC_SECRET) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'type': derive makes aes-128, aes-192, aes-256 or generic-secret keys");
        goto out;
    }
    if (kt->key_type == CKK_AES && bits != 0) {
        srv_error(req, resp, 400, "bad_request",
                  "field 'bits' applies to generic-secret only (%s has a fixed size)", kt->name);
        goto out;
    }
    if (bits % 8 != 0) {
        srv_error(req, resp, 400, "bad_request", "field 'bits': a multiple of 8 in 8..4096");
        goto out;
    }
    value_len = kt->key_type == CKK_AES ? kt->bits / 8 : (CK_ULONG)(bits / 8);
    if ((pem == NULL) == (point == NULL)) {
        srv_error(req, resp, 400, "bad_request",
                  "give exactly one of field 'public_key_pem' and field 'public_point'");
        goto out;
    }
    if (pem != NULL) {
        rv = srv_pem_to_spki(pem, &spki, &spki_len);
        if (rv == FH_OK) {
            rv = srv_spki_ec_point(spki, spki_len, &point, &point_len);
        }
        if (rv == FH_E_NOMEM) {
            srv_error_rv(req, resp, rv, SRV_WHAT_NONE, NULL);
            goto out;
        }
        if (rv == FH_E_CURVE_NOT_SUPPORTED) {
            srv_error_rv(req, resp, rv, SRV_WHAT_NONE, "public_key_pem");
            goto out;
        }
        if (rv != FH_OK) {
            srv_error(req, resp, 400, "bad_request",
                      "field 'public_key_pem': expected a PEM EC public key (BEGIN PUBLIC KEY)");
            goto out;
        }
    }
    nk.usage = kt->default_usage;
    if (!srv_key_body_usage(req, resp, FH_USAGE_ALL, &nk.usage)) {
        goto out;
    }
    if (!srv_token_session(req, resp, req->params[0], true, &j.s) ||
        !srv_key_resolve(req, resp, j.s, req->params[1], &j.k) ||
        !pick(req, resp, &j, classes, 1, "ECDH needs the private half of an EC key", &h)) {
        goto out;
    }
    memset(&dp, 0, sizeof(dp));
    dp.kdf = CKD_NULL; /* the raw shared secret (PKCS#11 v3.0 §2.3.15) */
    dp.pPublicData = point;
    dp.ulPublicDataLen = point_len;
    mech = (CK_MECHANISM){CKM_ECDH1_DERIVE, &dp, sizeof(dp)};
    if (!srv_key_claim(req, resp, j.s, &nk, &id, &id_len, &locked)) {
        goto out;
    }
    rv = srv_key_derive(j.s, &mech, h, kt, value_len, &nk);
    srv_metric_op(req->srv, "derive", j.mname, rv);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_KEY, req->params[1]);
        goto out;
    }
    srv_keys_create_unlock(req->params[0]);
    locked = false;
    srv_key_respond_created(req, resp, j.s, nk.label, id, id_len);
out:
    if (locked) {
        srv_keys_create_unlock(req->params[0]);
    }
    free(point);
    free(spki);
    free(id);
    job_close(&j);
}

const struct srv_route srv_routes_ops[] = {
    {"POST", "/v1/tokens/{token}/keys/{key}/sign", ROLES_OPS, h_sign,
     "Sign data (ECDSA signatures DER unless format raw)"},
    {"POST", "/v1/tokens/{token}/keys/{key}/verify", ROLES_OPS, h_verify,
     "Verify a signature or MAC: {\"valid\": bool}"},
    {"POST", "/v1/tokens/{token}/keys/{key}/encrypt", ROLES_OPS, h_encrypt,
     "Encrypt (an IV is drawn when none is given and returned)"},
    {"POST", "/v1/tokens/{token}/keys/{key}/decrypt", ROLES_OPS, h_decrypt, "Decrypt"},
    {"POST", "/v1/tokens/{token}/keys/{key}/mac", ROLES_OPS, h_mac, "Compute a MAC"},
    {"POST", "/v1/tokens/{token}/keys/{key}/wrap", ROLES_OPS, h_wrap,
     "Wrap another key of the token with this key"},
    {"POST", "/v1/tokens/{token}/keys/{key}/unwrap", ROLES_OPS, h_unwrap,
     "Unwrap a key with this key into a new token key"},
    {"POST", "/v1/tokens/{token}/keys/{key}/derive", ROLES_OPS, h_derive,
     "Derive a secret key by ECDH with this key's private half"},
    {NULL, NULL, 0, NULL, NULL},
};
