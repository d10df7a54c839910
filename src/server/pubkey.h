/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pubkey.h - public keys as the REST server exchanges them: SPKI to PEM
 * and to JWK for `GET .../keys/{key}`, PEM to SPKI and SPKI to a public key
 * object for `POST .../keys/import`, and the EC point of an SPKI for ECDH
 * (docs/api.md "Keys", "Operations").
 *
 * Supported: RSA, EC P-256/384/521, Ed25519, Ed448. Functions returning
 * json_t * give NULL on allocation failure or an unsupported key; the
 * others return an fh_rv for srv_error_rv. No state.
 */
#ifndef FERROHSM_SERVER_PUBKEY_H
#define FERROHSM_SERVER_PUBKEY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/ferrohsm.h"
#include "ferrohsm/newkey.h"

/* PEM "PUBLIC KEY" text of a DER SubjectPublicKeyInfo, as a JSON string. */
json_t *srv_spki_pem_json(const uint8_t *der, size_t len);
/* The JWK of a DER SubjectPublicKeyInfo; "kid" is the hex of id when id_len > 0. */
json_t *srv_spki_jwk_json(const uint8_t *der, size_t len, const uint8_t *id, size_t id_len);

/* PEM "PUBLIC KEY" text to DER SPKI (malloc'ed); FH_E_DATA_INVALID when not one. */
fh_rv srv_pem_to_spki(const char *pem, uint8_t **der, size_t *der_len);
/* The uncompressed EC point of an EC SPKI (for ECDH), malloc'ed. */
fh_rv srv_spki_ec_point(const uint8_t *spki, size_t spki_len, uint8_t **pt, size_t *pt_len);

/*
 * Create a public key object from a DER SubjectPublicKeyInfo.
 * FH_E_CURVE_NOT_SUPPORTED, FH_E_KEY_TYPE_INCONSISTENT (another algorithm),
 * FH_E_DATA_INVALID (not a public key). Only the public usages of nk->usage
 * are applied.
 */
fh_rv srv_key_create_public(fh_session *s, const uint8_t *spki, size_t spki_len,
                            const struct fh_newkey *nk, CK_OBJECT_HANDLE *out);

#endif /* FERROHSM_SERVER_PUBKEY_H */
