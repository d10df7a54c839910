/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmplwrap.h - a key that exists only as a C_CreateObject template, checked
 * and wrapped under a public key without becoming an object: how a client
 * of a server that takes secret and private keys only wrapped (the PKCS#11
 * module's remote slots, docs/pkcs11.md) brings such a key there without
 * sending its value in plaintext.
 *
 * The template is held to exactly the rules of fh_object_create (PKCS#11
 * v3.0 §4.1.1 and the attribute table; then the backend's import, which
 * checks the values), so a template gets the same error here as on a local
 * token: FH_E_TEMPLATE_INCOMPLETE (no CKA_CLASS, CKA_KEY_TYPE or CKA_VALUE),
 * FH_E_ATTR_TYPE_INVALID (an attribute the class or key type does not
 * have), FH_E_ATTR_VALUE_INVALID (an AES value of another length, a private
 * key that is not one), FH_E_ATTR_READ_ONLY, FH_E_TEMPLATE_INCONSISTENT.
 * Only secret keys (CKK_AES, CKK_GENERIC_SECRET) and private keys (CKK_RSA,
 * CKK_EC, CKK_EC_EDWARDS) are taken; another class is
 * FH_E_TEMPLATE_INCONSISTENT. What is wrapped is the key's material as the
 * backend holds it: the secret value, or the private key as PKCS#8. Every
 * copy of the plaintext is cleansed before the call returns.
 *
 * Nothing is stored, no token is involved and no audit record is written
 * (the server that unwraps the key audits the import). Thread safety: as
 * the context's backend (any thread).
 */
#ifndef FERROHSM_TMPLWRAP_H
#define FERROHSM_TMPLWRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ctx.h"
#include "ferrohsm/describe.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Check tmpl[0..n) as fh_object_create would and describe the key it makes
 * (out: class, key type, curve, size; usage from the usage attributes and
 * their defaults). out is written on success only.
 */
FH_API FH_NODISCARD fh_rv fh_tmpl_check(fh_ctx *ctx, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                        struct fh_key_desc *out);

/*
 * Check tmpl[0..n) as fh_tmpl_check does, then wrap the key's material
 * with mech under the RSA public key spki[0..spki_len) (a DER
 * SubjectPublicKeyInfo): CKM_RSA_AES_KEY_WRAP for any key,
 * CKM_RSA_PKCS_OAEP for secret keys that fit. *out is malloc'ed (the
 * caller frees it; it holds no plaintext) and written with *out_len on
 * success only. Errors beyond the template's: FH_E_MECH_INVALID (not an
 * RSA wrapping mechanism of the context), FH_E_MECH_PARAM_INVALID,
 * FH_E_WRAPPING_KEY_TYPE_INCONSISTENT (spki is not an RSA public key),
 * FH_E_KEY_SIZE_RANGE / FH_E_KEY_NOT_WRAPPABLE (the mechanism cannot carry
 * this key), FH_E_NOMEM, FH_E_CRYPTO.
 */
FH_API FH_NODISCARD fh_rv fh_tmpl_wrap(fh_ctx *ctx, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
                                       const CK_MECHANISM *mech, const uint8_t *spki,
                                       size_t spki_len, uint8_t **out, size_t *out_len);

/*
 * Whether PKCS#11 (or vendor.h) defines attribute type for objects of
 * class cls and key type kt, by the core's attribute table; kt
 * CK_UNAVAILABLE_INFORMATION asks about the attributes every key of the
 * class has. A template naming any other type is CKR_ATTRIBUTE_TYPE_INVALID
 * (PKCS#11 v3.0 §4.1.1 rule 1), as fh_object_create answers it.
 */
FH_API bool fh_attr_type_valid(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_TMPLWRAP_H */
