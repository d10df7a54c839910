/* SPDX-License-Identifier: Apache-2.0 */
/*
 * params.c - mechanism parameters from request bodies (see params.h).
 *
 * PKCS#11 v3.0 Current Mechanisms §2.1.8 (PSS), §2.1.9 (OAEP), §2.1.21 (RSA
 * AES key wrap: OAEP's hash, an AES-256 temporary key), §2.14 (AES CTR and
 * GCM). The checks and messages are the server's; the parameter
 * values come from libferrohsm (fh_mparams_set), as the CLI's do. No state.
 */
#include "params.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

bool
srv_mech_from_body(struct srv_req *req, struct srv_resp *resp, CK_MECHANISM_TYPE *out,
                   const char **name)
{
    const char *s = NULL;
    CK_MECHANISM_TYPE t = 0;
    fh_rv rv;

    if (!srv_body_str(req, resp, "mechanism", true, &s)) {
        return false;
    }
    rv = fh_mech_from_name(s, &t);
    if (rv == FH_OK && fh_mech_get(srv_ctx(req->srv), t) == NULL) {
        rv = FH_E_NOT_FOUND; /* known to the registry, not offered by this backend */
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv == FH_E_NOMEM ? rv : FH_E_NOT_FOUND, SRV_WHAT_MECHANISM, s);
        return false;
    }
    *out = t;
    *name = fh_mech_name(t);
    return true;
}

/* 400 naming field when the body has it although type does not use it. */
static bool
refuse(struct srv_req *req, struct srv_resp *resp, const char *field, const char *only)
{
    json_t *v = req->body != NULL ? json_object_get(req->body, field) : NULL;

    if (v != NULL && !json_is_null(v)) {
        srv_error(req, resp, 400, "bad_request", "field '%s' applies to %s only", field, only);
        return false;
    }
    return true;
}

bool
srv_mparams_build(struct srv_req *req, struct srv_resp *resp, CK_MECHANISM_TYPE type,
                  struct srv_mparams *p)
{
    const char *hash_name = NULL;
    struct fh_mparams_in in = {NULL, NULL, 0, NULL, 0, 0};
    const struct fh_hash_desc *fixed = fh_mparams_pss_hash(type);
    uint8_t *iv = NULL;
    size_t iv_len = 0;
    bool is_pss = fh_mparams_is_pss(type);

    p->m.mech.mechanism = type;
    p->m.mech.pParameter = NULL;
    p->m.mech.ulParameterLen = 0;
    p->name = fh_mech_name(type) != NULL ? fh_mech_name(type) : "?";
    if (!srv_body_str(req, resp, "hash", false, &hash_name)) {
        return false;
    }
    if (hash_name != NULL) {
        if (!is_pss && type != CKM_RSA_PKCS_OAEP && type != CKM_RSA_AES_KEY_WRAP) {
            return refuse(req, resp, "hash", "RSA_PKCS_OAEP, RSA_AES_KEY_WRAP and RSA_PKCS_PSS");
        }
        in.hash = fh_mparams_hash_find(hash_name);
        if (in.hash == NULL) {
            srv_error(req, resp, 400, "bad_request",
                      "field 'hash': unknown hash '%s' (sha1, sha224, sha256, sha384, sha512)",
                      hash_name);
            return false;
        }
    }
    if (type != CKM_AES_GCM &&
        (!refuse(req, resp, "aad", "AES_GCM") || !refuse(req, resp, "tag_bits", "AES_GCM"))) {
        return false;
    }
    if (type != CKM_RSA_PKCS_OAEP && !refuse(req, resp, "oaep_label", "RSA_PKCS_OAEP")) {
        return false;
    }
    p->m.iv_len = fh_mparams_iv_default_len(type);
    if (p->m.iv_len == 0 && !refuse(req, resp, "iv", "AES_CBC, AES_CBC_PAD, AES_CTR and AES_GCM")) {
        return false;
    }
    if (!srv_body_b64(req, resp, "iv", false, SRV_IV_MAX, &iv, &iv_len)) {
        return false;
    }
    if (iv != NULL) {
        if (iv_len == 0) {
            free(iv);
            srv_error(req, resp, 400, "bad_request", "field 'iv': 1..%d bytes", SRV_IV_MAX);
            return false;
        }
        if (type == CKM_AES_CTR && iv_len != sizeof(p->m.u.ctr.cb)) {
            /* the counter block has a fixed size; other lengths are for the core to judge */
            free(iv);
            srv_error_rv(req, resp, FH_E_MECH_PARAM_INVALID, SRV_WHAT_NONE,
                         "AES_CTR needs a 16-byte iv");
            return false;
        }
        memcpy(p->m.iv, iv, iv_len);
        p->m.iv_len = iv_len;
        p->iv_given = true;
        free(iv);
    }
    if (fixed != NULL && in.hash != NULL && in.hash != fixed) {
        srv_error(req, resp, 400, "bad_request", "field 'hash': %s fixes the hash to %s", p->name,
                  fixed->name);
        return false;
    }
    if (type == CKM_RSA_PKCS_OAEP) {
        if (!srv_body_b64(req, resp, "oaep_label", false, SRV_OAEP_LABEL_MAX, &p->label,
                          &p->label_len)) {
            return false;
        }
        in.oaep_label = p->label;
        in.oaep_label_len = p->label_len;
    } else if (type == CKM_AES_GCM) {
        int64_t tag_bits = 128;

        if (!srv_body_int(req, resp, "tag_bits", false, 8, 128, &tag_bits) ||
            !srv_body_b64(req, resp, "aad", false, (size_t)1 << 20, &p->aad, &p->aad_len)) {
            return false;
        }
        in.aad = p->aad;
        in.aad_len = p->aad_len;
        in.tag_bits = (CK_ULONG)tag_bits;
    }
    fh_mparams_set(&p->m, type, &in);
    return true;
}

void
srv_mparams_clear(struct srv_mparams *p)
{
    free(p->aad);
    free(p->label);
    p->aad = p->label = NULL;
    p->aad_len = p->label_len = 0;
    OPENSSL_cleanse(p->m.iv, sizeof(p->m.iv));
}
