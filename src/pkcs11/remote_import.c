/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_import.c - C_CreateObject of secret and private keys on a remote
 * slot, without their values ever leaving the module in plaintext.
 *
 * The REST API imports such keys only wrapped (docs/api.md "Import
 * transport key"). For a template of a secret key (CKA_VALUE) or of a
 * private key (its components), the module:
 *   1. checks the template exactly as a local token does: the core's
 *      attribute rules and the backend's import (fh_tmpl_check), so
 *      CKR_TEMPLATE_INCOMPLETE, CKR_ATTRIBUTE_TYPE_INVALID,
 *      CKR_ATTRIBUTE_VALUE_INVALID (an AES value of 17 bytes, RSA
 *      components that are no key) come as they would locally; then the
 *      remote slot's own rules (a token object with a label, private and
 *      sensitive: p11r_template_body);
 *   2. gets the token's import transport key (GET .../import-key, once per
 *      slot and C_Initialize: its public key and reference);
 *   3. wraps the key in the module with CKM_RSA_AES_KEY_WRAP (RSA-OAEP
 *      SHA-256 of a fresh AES-256 key, then RFC 5649 of the secret value or
 *      of the private key's PKCS#8, built by the core's backend from the
 *      components: fh_tmpl_wrap), every plaintext copy cleansed there;
 *   4. imports it (POST .../keys/import with the reference as
 *      "wrapping_key") and interns the new key's handles.
 * A reference the server no longer knows (the token was re-initialised)
 * makes the module fetch the transport key again and retry once.
 *
 * Locks: the slot lock guards the cached transport key (imp_ref, imp_spki);
 * it is never held across a request.
 */
#include "remote.h"

#include <stdlib.h>
#include <string.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/tmplwrap.h"

#define IMPORT_MECH_NAME "RSA_AES_KEY_WRAP"
#define SPKI_MAX ((size_t)16 << 10)

void
p11r_import_forget(struct p11r_slot *slot)
{
    free(slot->imp_ref);
    free(slot->imp_spki);
    slot->imp_ref = NULL;
    slot->imp_spki = NULL;
    slot->imp_spki_len = 0;
}

/* GET .../import-key: the reference and the public key (DER), malloc'ed. */
static fh_rv
transport_fetch(struct p11r_slot *slot, char **ref, uint8_t **spki, size_t *spki_len)
{
    struct fh_client_resp resp;
    char *path = p11r_token_path(slot, "/import-key");
    json_t *k, *mechs, *m;
    const char *r;
    bool offered = false;
    size_t i;
    fh_rv rv;

    if (path == NULL) {
        return FH_E_NOMEM;
    }
    rv = p11r_request(slot, "GET", path, NULL, &resp);
    free(path);
    k = json_object_get(resp.json, "import_key");
    mechs = json_object_get(k, "mechanisms");
    json_array_foreach(mechs, i, m)
    {
        offered =
            offered || (json_is_string(m) && strcmp(json_string_value(m), IMPORT_MECH_NAME) == 0);
    }
    r = json_string_value(json_object_get(k, "key_ref"));
    if (rv == FH_OK && (r == NULL || !offered)) {
        rv = FH_E_IO; /* not the documented answer */
    }
    if (rv == FH_OK) {
        rv = p11r_unb64(k, "public_key_der", SPKI_MAX, spki, spki_len);
    }
    if (rv == FH_OK) {
        *ref = strdup(r);
        if (*ref == NULL) {
            free(*spki);
            *spki = NULL;
            rv = FH_E_NOMEM;
        }
    }
    fh_client_resp_clear(&resp);
    return rv;
}

/* Copies of the slot's transport key; fetched when not known yet, or always when refresh. */
static fh_rv
transport_get(struct p11r_slot *slot, bool refresh, char **ref, uint8_t **spki, size_t *spki_len)
{
    char *nref = NULL;
    uint8_t *nspki = NULL;
    size_t nlen = 0;
    fh_rv rv = FH_OK;

    p11_mutex_lock(slot->lock);
    if (!refresh && slot->imp_ref != NULL) {
        *ref = strdup(slot->imp_ref);
        *spki = malloc(slot->imp_spki_len);
        *spki_len = slot->imp_spki_len;
        if (*ref == NULL || *spki == NULL) {
            rv = FH_E_NOMEM;
        } else {
            memcpy(*spki, slot->imp_spki, slot->imp_spki_len);
        }
        p11_mutex_unlock(slot->lock);
        if (rv != FH_OK) {
            free(*ref);
            free(*spki);
            *ref = NULL;
            *spki = NULL;
        }
        return rv;
    }
    p11_mutex_unlock(slot->lock);
    rv = transport_fetch(slot, ref, spki, spki_len);
    if (rv != FH_OK) {
        return rv;
    }
    /* keep a copy for the next key; failing to keep one only costs a fetch */
    nref = strdup(*ref);
    nspki = malloc(*spki_len);
    nlen = *spki_len;
    p11_mutex_lock(slot->lock);
    if (nref != NULL && nspki != NULL) {
        memcpy(nspki, *spki, nlen);
        p11r_import_forget(slot);
        slot->imp_ref = nref;
        slot->imp_spki = nspki;
        slot->imp_spki_len = nlen;
        nref = NULL;
        nspki = NULL;
    }
    p11_mutex_unlock(slot->lock);
    free(nref);
    free(nspki);
    return FH_OK;
}

/* The REST key type whose default usage a new key of type kt gets. */
static const struct fh_keytype_desc *
defaults_of(CK_KEY_TYPE kt)
{
    switch (kt) {
    case CKK_AES: return fh_keytype_find("aes-128");
    case CKK_GENERIC_SECRET: return fh_keytype_find("generic-secret");
    case CKK_RSA: return fh_keytype_find("rsa-2048");
    case CKK_EC: return fh_keytype_find("ec-p256");
    case CKK_EC_EDWARDS: return fh_keytype_find("ed25519");
    default: return NULL;
    }
}

CK_RV
p11r_new_key_usage(json_t *body, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, unsigned packed, bool given)
{
    const struct fh_keytype_desc *d = defaults_of(kt);
    unsigned mine = fh_usage_for_class(cls), other;

    if (!given) {
        return CKR_OK;
    }
    if (d == NULL) {
        return CKR_TEMPLATE_INCONSISTENT;
    }
    if (cls == CKO_SECRET_KEY) {
        return p11r_usage_set(body, packed, d->default_usage, FH_USAGE_ALL);
    }
    /* the public half's words that are not the private half's: verify, encrypt, wrap */
    other = d->default_usage & fh_usage_for_class(CKO_PUBLIC_KEY) & ~mine;
    return p11r_usage_set(body, packed | other, d->default_usage & mine, mine | other);
}

/* The key's own values: what the wrap carries, not the REST body. */
static bool
is_material(CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type)
{
    if (cls == CKO_SECRET_KEY) {
        return type == CKA_VALUE;
    }
    switch (type) {
    case CKA_VALUE:
    case CKA_EC_PARAMS:
    case CKA_MODULUS:
    case CKA_PUBLIC_EXPONENT:
    case CKA_PRIVATE_EXPONENT:
    case CKA_PRIME_1:
    case CKA_PRIME_2:
    case CKA_EXPONENT_1:
    case CKA_EXPONENT_2:
    case CKA_COEFFICIENT: return true;
    default: return false;
    }
}

/* The body of the import but the wrapped key: label, id, usage, extractable, type. */
static CK_RV
import_body(const CK_ATTRIBUTE *t, CK_ULONG n, const struct fh_key_desc *d, json_t *body)
{
    CK_ATTRIBUTE *rest = calloc(n > 0 ? n : 1, sizeof(*rest));
    CK_ULONG nr = 0;
    unsigned usage = 0;
    bool given = false;
    CK_RV rv;

    if (rest == NULL) {
        return CKR_HOST_MEMORY;
    }
    for (CK_ULONG i = 0; i < n; i++) {
        if (!is_material(d->cls, t[i].type)) {
            rest[nr++] = t[i]; /* the attribute, not a copy of its value */
        }
    }
    rv = p11r_template_body(rest, nr, d->cls, d->key_type, body, &usage, &given);
    free(rest);
    if (rv == CKR_OK && json_object_get(body, "label") == NULL) {
        rv = CKR_TEMPLATE_INCOMPLETE; /* the server names keys by label */
    }
    rv = rv == CKR_OK ? p11r_new_key_usage(body, d->cls, d->key_type, usage, given) : rv;
    /* the generation type ("aes-256", "ec-p384"), or the family for other sizes */
    if (rv == CKR_OK && json_object_set_new(body, "type", json_string(fh_key_desc_type(d))) != 0) {
        rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK &&
        (json_object_set_new(body, "mechanism", json_string(IMPORT_MECH_NAME)) != 0 ||
         json_object_set_new(body, "hash", json_string("sha256")) != 0)) {
        rv = CKR_HOST_MEMORY;
    }
    return rv;
}

/* Wrap the template's key for the transport key and POST the import; fh_rv of the request. */
static fh_rv
import_once(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
            json_t *body, bool refresh, struct fh_client_resp *resp)
{
    CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_RSA_AES_KEY_WRAP_PARAMS ra = {256, &oaep};
    CK_MECHANISM m = {CKM_RSA_AES_KEY_WRAP, &ra, sizeof(ra)};
    char *ref = NULL, *path = NULL;
    uint8_t *spki = NULL, *w = NULL;
    size_t spki_len = 0, w_len = 0;
    fh_rv rv;

    memset(resp, 0, sizeof(*resp));
    rv = transport_get(s->slot, refresh, &ref, &spki, &spki_len);
    if (rv == FH_OK) {
        rv = fh_tmpl_wrap(r->ctx, t, n, &m, spki, spki_len, &w, &w_len);
    }
    if (rv == FH_OK && (json_object_set_new(body, "wrapped", p11r_b64(w, w_len)) != 0 ||
                        json_object_set_new(body, "wrapping_key", json_string(ref)) != 0)) {
        rv = FH_E_NOMEM;
    }
    path = rv == FH_OK ? p11r_token_path(s->slot, "/keys/import") : NULL;
    if (rv == FH_OK && path == NULL) {
        rv = FH_E_NOMEM;
    }
    if (rv == FH_OK) {
        rv = p11r_request(s->slot, "POST", path, body, resp);
    }
    free(path);
    free(w);
    free(spki);
    free(ref);
    return rv;
}

CK_RV
p11r_create_wrapped(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
                    CK_OBJECT_HANDLE *out)
{
    struct fh_client_resp resp;
    struct fh_key_desc d;
    json_t *body = NULL;
    CK_RV rv;
    fh_rv frv;

    if (!p11r_user(s)) {
        return CKR_USER_NOT_LOGGED_IN; /* a key with secret material, as on a local token */
    }
    /* the local token's rules first, so a bad template answers as it would there */
    frv = fh_tmpl_check(r->ctx, t, n, &d);
    if (frv != FH_OK) {
        return fh_rv_to_ckr(frv, FH_P11_CTX_OBJECT);
    }
    body = json_object();
    rv = body != NULL ? import_body(t, n, &d, body) : CKR_HOST_MEMORY;
    if (rv != CKR_OK) {
        json_decref(body);
        return rv;
    }
    frv = import_once(r, s, t, n, body, false, &resp);
    if (frv == FH_E_KEY_HANDLE_INVALID) {
        /* key_not_found: the reference is stale (a re-initialised token); fetch it again */
        fh_client_resp_clear(&resp);
        frv = import_once(r, s, t, n, body, true, &resp);
    }
    if (frv == FH_E_EXISTS) {
        frv = FH_E_ATTR_VALUE_INVALID; /* label or id taken in the token */
    }
    rv = frv == FH_OK ? p11r_created(r, s->slot, resp.json, d.cls, out, NULL, FH_P11_CTX_OBJECT)
                      : fh_rv_to_ckr(frv, FH_P11_CTX_OBJECT);
    fh_client_resp_clear(&resp);
    json_decref(body);
    return rv;
}
