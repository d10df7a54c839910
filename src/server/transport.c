/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transport.c - the import transport key of a token (see transport.h for
 * the design): finding a usable one, making one, GET .../import-key, and
 * the import that names it.
 *
 * The wrapped form clients send (PKCS#11 v3.0 Current Mechanisms §2.1.21,
 * CKM_RSA_AES_KEY_WRAP): RSA-OAEP (SHA-256, MGF1 SHA-256, no label) of a
 * fresh AES-256 key, as long as the modulus, followed by the RFC 5649 wrap
 * (AES key wrap with padding) of the payload under that AES key. The
 * payload is the secret key's value or the private key's PKCS#8. The core
 * unwraps it inside the token; nothing here touches key bytes.
 *
 * No state and no lock of its own: creation holds the token's creation
 * lock (keys.h).
 */
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/ferrohsm.h"
#include "ferrohsm/vendor.h"

#include "codec.h"
#include "json_shapes.h"
#include "keys.h"
#include "pubkey.h"
#include "srv.h"

#define TRANSPORT_ID_LEN 16 /* random CKA_ID bytes of a new transport key */

bool
srv_transport_is(fh_session *s, CK_OBJECT_HANDLE h)
{
    CK_BBOOL b = CK_FALSE;
    CK_ATTRIBUTE a = {FH_CKA_IMPORT_TRANSPORT, &b, sizeof(b)};

    return fh_object_get_attributes(s, h, &a, 1) == FH_OK && a.ulValueLen == sizeof(b) &&
           b != CK_FALSE;
}

/*
 * Whether the marked private key h has the transport profile: an RSA key of
 * at least SRV_TRANSPORT_BITS made in the token and never extractable,
 * whose one use is unwrapping with CKM_RSA_AES_KEY_WRAP, and which can be
 * neither changed nor destroyed.
 */
static bool
usable(fh_session *s, CK_OBJECT_HANDLE h)
{
    enum {
        SENS,
        EXT,
        NEVER_EXT,
        LOCAL,
        SIGN,
        SIGN_REC,
        DECRYPT,
        DERIVE,
        UNWRAP,
        DESTROY,
        MODIFY,
        NB
    };
    static const CK_ATTRIBUTE_TYPE types[NB] = {
        CKA_SENSITIVE, CKA_EXTRACTABLE,  CKA_NEVER_EXTRACTABLE, CKA_LOCAL,
        CKA_SIGN,      CKA_SIGN_RECOVER, CKA_DECRYPT,           CKA_DERIVE,
        CKA_UNWRAP,    CKA_DESTROYABLE,  CKA_MODIFIABLE,
    };
    static const bool want[NB] = {true,  false, true, true,  false, false,
                                  false, false, true, false, false};
    CK_BBOOL b[NB];
    CK_KEY_TYPE kt = 0;
    CK_MECHANISM_TYPE mechs[2] = {0, 0};
    CK_ATTRIBUTE t[NB + 2];
    uint8_t *modulus = NULL;
    size_t mlen = 0, skip = 0;
    bool ok;

    for (size_t i = 0; i < NB; i++) {
        b[i] = CK_FALSE;
        t[i] = (CK_ATTRIBUTE){types[i], &b[i], sizeof(b[i])};
    }
    t[NB] = (CK_ATTRIBUTE){CKA_KEY_TYPE, &kt, sizeof(kt)};
    t[NB + 1] = (CK_ATTRIBUTE){CKA_ALLOWED_MECHANISMS, mechs, sizeof(mechs)};
    ok = fh_object_get_attributes(s, h, t, NB + 2) == FH_OK && kt == CKK_RSA &&
         t[NB + 1].ulValueLen == sizeof(mechs[0]) && mechs[0] == CKM_RSA_AES_KEY_WRAP;
    for (size_t i = 0; ok && i < NB; i++) {
        ok = t[i].ulValueLen == sizeof(b[i]) && (b[i] != CK_FALSE) == want[i];
    }
    if (ok && fh_attr_read(s, h, CKA_MODULUS, &modulus, &mlen) == FH_OK) {
        while (skip < mlen && modulus[skip] == 0) {
            skip++; /* a leading zero byte does not count */
        }
        ok = (mlen - skip) * 8 >= SRV_TRANSPORT_BITS;
    } else {
        ok = false;
    }
    free(modulus);
    return ok;
}

static int
bytes_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n > 0 ? memcmp(a, b, n) : 0;

    return c != 0 ? c : (al < bl ? -1 : (al > bl ? 1 : 0));
}

/*
 * The usable transport key of the token (its private half and CKA_ID,
 * malloc'ed), the one with the smallest CKA_ID; only the one with CKA_ID
 * want[0..want_len) when want is given. FH_E_NOT_FOUND when there is none.
 */
static fh_rv
transport_find(fh_session *s, const uint8_t *want, size_t want_len, CK_OBJECT_HANDLE *out,
               uint8_t **id, size_t *id_len)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE t[3] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {FH_CKA_IMPORT_TRANSPORT, &yes, sizeof(yes)},
        {CKA_ID, (void *)want, want_len},
    };
    CK_OBJECT_HANDLE *h = NULL, best = CK_INVALID_HANDLE;
    uint8_t *best_id = NULL;
    size_t nh = 0, best_len = 0;
    fh_rv rv;

    rv = fh_object_find(s, t, want != NULL ? 3 : 2, &h, &nh);
    for (size_t i = 0; rv == FH_OK && i < nh; i++) {
        uint8_t *hid = NULL;
        size_t hl = 0;

        if (!usable(s, h[i])) {
            continue;
        }
        rv = fh_attr_read(s, h[i], CKA_ID, &hid, &hl);
        if (rv == FH_E_ATTR_TYPE_INVALID) {
            rv = FH_OK; /* without a CKA_ID it cannot be named: not one */
            continue;
        }
        if (rv == FH_OK && hl > 0 &&
            (best == CK_INVALID_HANDLE || bytes_cmp(hid, hl, best_id, best_len) < 0)) {
            free(best_id);
            best = h[i];
            best_id = hid;
            best_len = hl;
            hid = NULL;
        }
        free(hid);
    }
    if (rv == FH_OK && best == CK_INVALID_HANDLE) {
        rv = FH_E_NOT_FOUND;
    }
    if (rv == FH_OK) {
        *out = best;
        *id = best_id;
        *id_len = best_len;
        best_id = NULL;
    }
    free(best_id);
    free(h);
    return rv;
}

/* The attributes both halves of a new transport key share; returns how many were written. */
static CK_ULONG
common_attrs(CK_ATTRIBUTE *t, uint8_t *id)
{
    static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    static const CK_MECHANISM_TYPE allowed[] = {CKM_RSA_AES_KEY_WRAP};
    static const char label[] = SRV_TRANSPORT_LABEL;
    CK_ULONG n = 0;

    t[n++] = (CK_ATTRIBUTE){CKA_TOKEN, (void *)&yes, sizeof(yes)};
    t[n++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, sizeof(label) - 1};
    t[n++] = (CK_ATTRIBUTE){CKA_ID, id, TRANSPORT_ID_LEN};
    t[n++] = (CK_ATTRIBUTE){CKA_MODIFIABLE, (void *)&no, sizeof(no)};
    t[n++] = (CK_ATTRIBUTE){CKA_COPYABLE, (void *)&no, sizeof(no)};
    t[n++] = (CK_ATTRIBUTE){CKA_DESTROYABLE, (void *)&no, sizeof(no)};
    t[n++] = (CK_ATTRIBUTE){CKA_DERIVE, (void *)&no, sizeof(no)};
    t[n++] = (CK_ATTRIBUTE){CKA_ALLOWED_MECHANISMS, (void *)allowed, sizeof(allowed)};
    t[n++] = (CK_ATTRIBUTE){FH_CKA_IMPORT_TRANSPORT, (void *)&yes, sizeof(yes)};
    return n;
}

/* Generate the token's transport key pair (see transport.h for its attributes). */
static fh_rv
transport_make(fh_session *s, CK_OBJECT_HANDLE *out, uint8_t **id, size_t *id_len)
{
    static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    static const uint8_t f4[] = {0x01, 0x00, 0x01};
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ULONG bits = SRV_TRANSPORT_BITS, np, nk;
    CK_ATTRIBUTE pt[16], kt[16];
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE;
    uint8_t *newid = malloc(TRANSPORT_ID_LEN);
    fh_rv rv;

    if (newid == NULL) {
        return FH_E_NOMEM;
    }
    rv = fh_random(s, newid, TRANSPORT_ID_LEN);
    if (rv != FH_OK) {
        free(newid);
        return rv;
    }
    np = common_attrs(pt, newid);
    pt[np++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof(bits)};
    pt[np++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, (void *)f4, sizeof(f4)};
    pt[np++] = (CK_ATTRIBUTE){CKA_VERIFY, (void *)&no, sizeof(no)};
    pt[np++] = (CK_ATTRIBUTE){CKA_VERIFY_RECOVER, (void *)&no, sizeof(no)};
    pt[np++] = (CK_ATTRIBUTE){CKA_ENCRYPT, (void *)&no, sizeof(no)};
    pt[np++] = (CK_ATTRIBUTE){CKA_WRAP, (void *)&no, sizeof(no)};
    nk = common_attrs(kt, newid);
    kt[nk++] = (CK_ATTRIBUTE){CKA_PRIVATE, (void *)&yes, sizeof(yes)};
    kt[nk++] = (CK_ATTRIBUTE){CKA_SENSITIVE, (void *)&yes, sizeof(yes)};
    kt[nk++] = (CK_ATTRIBUTE){CKA_EXTRACTABLE, (void *)&no, sizeof(no)};
    kt[nk++] = (CK_ATTRIBUTE){CKA_SIGN, (void *)&no, sizeof(no)};
    kt[nk++] = (CK_ATTRIBUTE){CKA_SIGN_RECOVER, (void *)&no, sizeof(no)};
    kt[nk++] = (CK_ATTRIBUTE){CKA_DECRYPT, (void *)&no, sizeof(no)};
    kt[nk++] = (CK_ATTRIBUTE){CKA_UNWRAP, (void *)&yes, sizeof(yes)};
    rv = fh_key_generate_pair(s, &m, pt, np, kt, nk, &pub, &priv);
    if (rv != FH_OK) {
        free(newid);
        return rv;
    }
    *out = priv;
    *id = newid;
    *id_len = TRANSPORT_ID_LEN;
    return FH_OK;
}

/* "import:" + lowercase hex of id, as a new JSON string. */
static json_t *
ref_json(const uint8_t *id, size_t id_len)
{
    char *hex = fh_codec_hex_encode(id, id_len);
    size_t n = hex != NULL ? strlen(SRV_TRANSPORT_REF_PREFIX) + strlen(hex) + 1 : 0;
    char *s = n > 0 ? malloc(n) : NULL;
    json_t *j = NULL;

    if (s != NULL) {
        snprintf(s, n, "%s%s", SRV_TRANSPORT_REF_PREFIX, hex);
        j = json_string(s);
    }
    free(s);
    free(hex);
    return j;
}

/* The answer of GET .../import-key for the transport key priv. */
static fh_rv
describe_json(fh_session *s, CK_OBJECT_HANDLE priv, const uint8_t *id, size_t id_len, json_t **out)
{
    uint8_t *spki = NULL;
    size_t spki_len = 0;
    json_t *root = json_object(), *k = json_object(), *mechs = json_array();
    struct fh_key_desc d;
    bool ok = root != NULL && k != NULL && mechs != NULL;
    fh_rv rv = ok ? FH_OK : FH_E_NOMEM;

    if (rv == FH_OK) {
        rv = fh_attr_read(s, priv, CKA_PUBLIC_KEY_INFO, &spki, &spki_len);
    }
    if (rv == FH_OK) {
        rv = fh_key_describe(s, priv, &d);
    }
    if (rv != FH_OK) {
        goto out;
    }
    ok = json_array_append_new(mechs, json_string("RSA_AES_KEY_WRAP")) == 0;
    fh_shape_set(k, "key_ref", ref_json(id, id_len), &ok);
    fh_shape_set(k, "id", fh_shape_hex(id, id_len), &ok);
    fh_shape_set(k, "type", json_string(fh_key_desc_type(&d)), &ok);
    fh_shape_set(k, "public_key_pem", srv_spki_pem_json(spki, spki_len), &ok);
    fh_shape_set(k, "public_key_der", srv_b64_json(spki, spki_len), &ok);
    fh_shape_set(k, "mechanisms", mechs, &ok);
    mechs = NULL;
    fh_shape_set(k, "hash", json_string("sha256"), &ok);
    fh_shape_set(k, "aes_bits", json_integer(256), &ok);
    fh_shape_set(root, "import_key", k, &ok);
    k = NULL;
    if (!ok) {
        rv = FH_E_NOMEM;
        goto out;
    }
    *out = root;
    root = NULL;
out:
    json_decref(mechs);
    json_decref(k);
    json_decref(root);
    free(spki);
    return rv;
}

void
srv_transport_h_get(struct srv_req *req, struct srv_resp *resp)
{
    const char *token = req->params[0];
    fh_session *s = NULL;
    CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
    uint8_t *id = NULL;
    size_t id_len = 0;
    json_t *body = NULL;
    fh_rv rv;

    if (!srv_token_session(req, resp, token, true, &s)) {
        return;
    }
    srv_keys_create_lock(token);
    rv = transport_find(s, NULL, 0, &priv, &id, &id_len);
    if (rv == FH_E_NOT_FOUND) {
        rv = transport_make(s, &priv, &id, &id_len);
        srv_metric_op(req->srv, "generate", "RSA_PKCS_KEY_PAIR_GEN", rv);
    }
    srv_keys_create_unlock(token);
    if (rv == FH_OK) {
        rv = describe_json(s, priv, id, id_len, &body);
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, token);
    } else {
        srv_json(resp, 200, body);
    }
    free(id);
    fh_session_close(s);
}

bool
srv_transport_import(struct srv_req *req, struct srv_resp *resp, fh_session *s, const char *name)
{
    const size_t plen = strlen(SRV_TRANSPORT_REF_PREFIX);
    CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
    uint8_t *want = NULL, *id = NULL;
    size_t want_len = 0, id_len = 0;
    struct srv_key k;
    fh_rv rv;

    if (strncmp(name, SRV_TRANSPORT_REF_PREFIX, plen) != 0 ||
        fh_codec_hex_decode(name + plen, 0, &want, &want_len) != FH_OK) {
        return false;
    }
    rv = want_len > 0 ? transport_find(s, want, want_len, &priv, &id, &id_len) : FH_E_NOT_FOUND;
    free(want);
    free(id);
    if (rv == FH_E_NOT_FOUND) {
        return false; /* no such transport key: resolved as a key name (404 when none) */
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, NULL);
        return true;
    }
    memset(&k, 0, sizeof(k));
    k.pub = CK_INVALID_HANDLE;
    k.sec = CK_INVALID_HANDLE;
    k.priv = priv;
    k.obj[0] = priv;
    k.n = 1;
    srv_keys_unwrap_into(req, resp, s, &k);
    return true;
}
