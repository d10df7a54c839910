/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transport.h - a token's import transport key (docs/api.md "Import
 * transport key"): the RSA-3072 key pair with which clients wrap secret and
 * private keys for POST .../keys/import (CKM_RSA_AES_KEY_WRAP), so that no
 * key value ever crosses the API in plaintext, like a cloud KMS import job.
 *
 * Design. The server makes the pair in the token on the first
 * GET .../import-key and keeps it for the life of the token. Both halves
 * carry the vendor attribute FH_CKA_IMPORT_TRANSPORT (vendor.h); the
 * private half is the one use the pair has: CKA_UNWRAP with
 * CKA_ALLOWED_MECHANISMS = {CKM_RSA_AES_KEY_WRAP}, no sign, decrypt,
 * derive, never extractable, neither modifiable nor destroyable (the core
 * enforces all of this, through PKCS#11 as through REST). A marked object
 * is on no key route: listings skip it and no `{key}` name resolves to it
 * (so sign, decrypt, wrap, unwrap, update and delete answer 404
 * key_not_found), and its label and CKA_ID reserve nothing. It is named
 * only by its reference "import:HEX" (HEX: its CKA_ID) in the
 * "wrapping_key" of an import. A marked key is used only when its other
 * attributes are exactly that profile (generated in the token, never
 * extractable), so a key someone else marked cannot stand in for it.
 *
 * State: none; the token holds the key. Creation runs under the token's
 * creation lock (srv_keys_create_lock), so one server makes one key; two
 * servers on one store may each make one, and both serve: every answer
 * names the key it used, the smallest CKA_ID among the usable ones.
 */
#ifndef FERROHSM_SERVER_TRANSPORT_H
#define FERROHSM_SERVER_TRANSPORT_H

#include <stdbool.h>

#include "ferrohsm/ferrohsm.h"

#include "srv.h"

#define SRV_TRANSPORT_REF_PREFIX "import:" /* + hex CKA_ID: the key_ref of the key */
#define SRV_TRANSPORT_BITS 3072
#define SRV_TRANSPORT_LABEL "ferrohsm-import-transport"

/* Whether object h is (either half of) an import transport key. */
bool srv_transport_is(fh_session *s, CK_OBJECT_HANDLE h);

/*
 * GET /v1/tokens/{token}/import-key: the token's transport key, made when
 * there is none: {"import_key": {"key_ref", "id", "type", "public_key_pem",
 * "public_key_der", "mechanisms", "hash", "aes_bits"}}.
 */
void srv_transport_h_get(struct srv_req *req, struct srv_resp *resp);

/*
 * The import of a wrapped key whose "wrapping_key" is name, when name is
 * the reference of one of the token's transport keys: the import is made
 * (srv_keys_unwrap_into) and answered, and true returned. false, with
 * nothing answered, when name is no such reference (the caller resolves it
 * as a key name). s must be read-write.
 */
bool srv_transport_import(struct srv_req *req, struct srv_resp *resp, fh_session *s,
                          const char *name);

#endif /* FERROHSM_SERVER_TRANSPORT_H */
