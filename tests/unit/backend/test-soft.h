/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-soft.h - helpers shared by the soft backend unit tests.
 *
 * The tests drive fh_backend_soft_ops only through its ops table, exactly as
 * the core does. One backend instance (T_PRIV) is created by the group setup
 * in test_soft.c and shared by every test.
 */
#ifndef FERROHSM_TESTS_UNIT_BACKEND_TEST_SOFT_H
#define FERROHSM_TESTS_UNIT_BACKEND_TEST_SOFT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "ferrohsm/attr.h"
#include "ferrohsm/backend.h"
#include "ferrohsm/secret.h"

extern const struct fh_backend_ops *const T_OPS;
extern void *T_PRIV;

/* A key pair (or single key) as the core would hold it. */
struct tkey {
    fh_secret *material;
    struct fh_attrs pub;
    struct fh_bkey priv; /* material + spki */
    struct fh_bkey pubk; /* spki only */
};

/* malloc'd bytes of a hex string (never NULL; asserts on bad hex). */
uint8_t *t_unhex(const char *hex, size_t *len);
fh_secret *t_secret_hex(const char *hex);
void t_assert_hex(const uint8_t *got, size_t got_len, const char *hex);
struct fh_bkey t_secret_key(CK_KEY_TYPE type, const fh_secret *m);

/* op_init + op_oneshot + op_free. */
fh_rv t_one(enum fh_op_kind kind, const CK_MECHANISM *mech, const struct fh_bkey *key,
            const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);
/*
 * op_init, one op_update per chunk of in (chunk sizes in cuts[], the rest in
 * a last update), op_final. Cipher output is concatenated into out; for
 * verify out/out_len carry the signature.
 */
fh_rv t_multi(enum fh_op_kind kind, const CK_MECHANISM *mech, const struct fh_bkey *key,
              const uint8_t *in, size_t in_len, const size_t *cuts, size_t ncuts, uint8_t *out,
              size_t *out_len);

/* Generate a key pair through the backend. */
void t_keygen(struct tkey *k, CK_MECHANISM_TYPE mech, CK_KEY_TYPE type, CK_ULONG bits,
              const char *params_hex);
/* Import a private key from PKCS#8 DER through the backend (CKA_VALUE). */
fh_rv t_import_pkcs8(struct tkey *k, CK_KEY_TYPE type, const uint8_t *der, size_t len);
/* Import a public key from its attributes. */
void t_tkey_bind(struct tkey *k, CK_OBJECT_CLASS cls, CK_KEY_TYPE type);
void t_tkey_free(struct tkey *k);

/* Test functions, by file. */
void t_mech_supported(void **state);
void t_random(void **state);
void t_keygen_secret(void **state);
void t_keygen_pairs(void **state);
void t_import_rsa_components(void **state);
void t_import_ec(void **state);
void t_import_secret(void **state);
void t_import_pkcs8_fallback(void **state);
void t_threads(void **state);
void t_prepared_retire(void **state);
void t_multipart_digest_mac(void **state);
void t_multipart_sign(void **state);
void t_multipart_cipher(void **state);
void t_kwp_roundtrip(void **state);
void t_wrap_private_key(void **state);
void t_wrap_rsa_aes(void **state);
void t_ecdh(void **state);

void t_kat_digest(void **state);
void t_kat_hmac(void **state);
void t_kat_cmac(void **state);
void t_kat_aes(void **state);
void t_kat_gcm(void **state);
void t_kat_keywrap(void **state);
void t_kat_eddsa(void **state);

void t_neg_gcm_tag(void **state);
void t_neg_cbc_pad(void **state);
void t_neg_keywrap(void **state);
void t_neg_iv_and_params(void **state);
void t_neg_oaep_pss_params(void **state);
void t_neg_signature(void **state);
void t_neg_buffer_too_small(void **state);
void t_neg_lengths(void **state);
void t_neg_eddsa_params(void **state);

void t_xcheck_ours(void **state);
void t_xcheck_theirs(void **state);

void t_der_generated(void **state);
void t_der_openssl_keys(void **state);
void t_der_small_scalar(void **state);
void t_der_ecdsa_sig(void **state);

#endif /* FERROHSM_TESTS_UNIT_BACKEND_TEST_SOFT_H */
