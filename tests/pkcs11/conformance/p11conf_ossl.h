/* SPDX-License-Identifier: Apache-2.0 */
/* Independent cross-checks with OpenSSL's EVP API. */
#ifndef P11CONF_OSSL_H
#define P11CONF_OSSL_H

#include <openssl/evp.h>

#include "p11conf.h"

/* Public keys read from the module, rebuilt with OSSL_PARAM_BLD. */
EVP_PKEY *ossl_rsa_from_module(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub);
EVP_PKEY *ossl_ec_from_module(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub);
EVP_PKEY *ossl_ed25519_from_module(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub);

/* pad: RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING (salt = digest length). */
int ossl_verify_rsa(EVP_PKEY *k, int pad, const CK_BYTE *msg, size_t n, const CK_BYTE *sig,
                    size_t sn);
/* sig is the PKCS#11 r||s form ([MECH] ECDSA: "r and s ... each of length
 * ceil(n/8)"). */
int ossl_verify_ecdsa(EVP_PKEY *k, const CK_BYTE *msg, size_t n, const CK_BYTE *sig, size_t sn);
int ossl_verify_ed25519(EVP_PKEY *k, const CK_BYTE *msg, size_t n, const CK_BYTE *sig, size_t sn);

#endif
