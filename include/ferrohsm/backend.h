/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key-backend plugin ABI: struct fh_backend_ops.
 *
 * A backend performs cryptography on keys it describes with an opaque
 * "material" blob: for the soft backend the raw value of a secret key or the
 * PKCS#8 DER of a private key; for a hardware backend a handle or a blob
 * wrapped by the device. The core stores material only encrypted under the
 * token master key and hands it back, decrypted, in struct fh_bkey.
 *
 * The core has already checked, before any call here: that the mechanism is
 * in the registry and allowed for the operation, that the key class and type
 * fit the mechanism, the key's usage flags and size range. The backend checks
 * mechanism parameters (FH_E_MECH_PARAM_INVALID) and data (lengths, padding).
 *
 * Length conventions for every function with (out, out_len):
 *   - out == NULL: set *out_len to the (upper bound of the) output length,
 *     change no state, return FH_OK;
 *   - *out_len too small: set *out_len to the length needed, change no state,
 *     return FH_E_BUFFER_TOO_SMALL;
 *   - otherwise write the output, set *out_len to the bytes written.
 *
 * Thread safety: priv is shared by all threads after init; functions taking
 * priv must be safe to call concurrently. An opctx is used by one thread at a
 * time.
 */
#ifndef FERROHSM_BACKEND_H
#define FERROHSM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/attr.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/secret.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FH_BACKEND_ABI_VERSION 1u

/* caps */
#define FH_BACKEND_CAP_EXPORT_MATERIAL 0x1u /* material is the key itself (soft) */

enum fh_op_kind {
    FH_OP_NONE = 0,
    FH_OP_ENCRYPT = 1,
    FH_OP_DECRYPT = 2,
    FH_OP_SIGN = 3,   /* signatures and MACs */
    FH_OP_VERIFY = 4, /* signatures and MACs */
    FH_OP_DIGEST = 5,
};
#define FH_OP_KIND_COUNT 6

/* A key as the backend sees it. Everything is borrowed for the call. */
struct fh_bkey {
    CK_OBJECT_CLASS cls;        /* CKO_SECRET_KEY, CKO_PRIVATE_KEY or CKO_PUBLIC_KEY */
    CK_KEY_TYPE type;           /* CKK_AES, CKK_GENERIC_SECRET, CKK_RSA, CKK_EC, CKK_EC_EDWARDS */
    const fh_secret *material;  /* NULL for public keys */
    const uint8_t *spki;        /* SubjectPublicKeyInfo DER; public and private keys */
    size_t spki_len;
    const void *prepared;       /* from key_prepare for this key, or NULL */
};

/* What to generate. Fields that do not apply to type are zero. */
struct fh_keygen_params {
    CK_KEY_TYPE type;
    CK_ULONG value_len;             /* secret keys: bytes */
    CK_ULONG modulus_bits;          /* RSA */
    const uint8_t *public_exponent; /* RSA, big-endian; NULL means 65537 */
    size_t public_exponent_len;
    const uint8_t *ec_params;       /* EC and Edwards: DER of the curve OID (or printable name) */
    size_t ec_params_len;
};

/* Backend configuration: look a key up in the backend's config section. */
struct fh_backend_config {
    const char *(*get)(void *arg, const char *key); /* NULL when unset */
    void *arg;
};

struct fh_backend_ops {
    uint32_t abi_version; /* FH_BACKEND_ABI_VERSION; the core refuses a mismatch */
    const char *name;     /* "soft", "tpm2", ... selected by configuration */
    const char *config_help;
    uint64_t caps;        /* FH_BACKEND_CAP_* */
    size_t priv_size;     /* the core allocates and zeroes this much private state */

    fh_rv (*init)(void *priv, const struct fh_backend_config *cfg);
    void (*fini)(void *priv);
    fh_rv (*health)(void *priv);
    /* Whether the backend implements the mechanism (capability negotiation). */
    bool (*mech_supported)(void *priv, CK_MECHANISM_TYPE mech);

    /*
     * Generate a secret key (material only) or a key pair (material of the
     * private key). pub receives the public attributes the core will store on
     * the public key object, and on the private key object too:
     *   RSA: CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_MODULUS_BITS (CK_ULONG),
     *        CKA_PUBLIC_KEY_INFO;
     *   EC/Edwards: CKA_EC_PARAMS (as given), CKA_EC_POINT (DER OCTET STRING),
     *        CKA_PUBLIC_KEY_INFO.
     *   secret keys: nothing.
     */
    fh_rv (*generate)(void *priv, const CK_MECHANISM *mech, const struct fh_keygen_params *p,
                      fh_secret **material, struct fh_attrs *pub);

    /*
     * Import a key from PKCS#11 attributes in `in` (C_CreateObject):
     *   secret: CKA_VALUE;  RSA private: CKA_MODULUS, CKA_PUBLIC_EXPONENT,
     *   CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT;
     *   EC/Edwards private: CKA_EC_PARAMS, CKA_VALUE;  RSA public: modulus and
     *   exponent;  EC/Edwards public: CKA_EC_PARAMS, CKA_EC_POINT.
     * A private key may also be given as CKA_VALUE holding PKCS#8 DER (how
     * unwrap and the CLI import it). *material is NULL for public keys. pub as
     * for generate. Invalid values: FH_E_ATTR_VALUE_INVALID; missing ones:
     * FH_E_TEMPLATE_INCOMPLETE.
     */
    fh_rv (*import)(void *priv, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, const struct fh_attrs *in,
                    fh_secret **material, struct fh_attrs *pub);

    /*
     * Operations. key is NULL for FH_OP_DIGEST. op_update: encrypt/decrypt
     * produce output; sign/verify/digest only absorb (out may be NULL,
     * out_len may be NULL). op_final: writes the last output; for FH_OP_VERIFY
     * `out` is the signature to check (input) and the result is FH_OK or
     * FH_E_SIGNATURE_INVALID / FH_E_SIGNATURE_LEN_RANGE. op_oneshot: the whole
     * single-part operation (C_Encrypt, C_Sign...), same conventions; for
     * verify `out`/`*out_len` carry the signature. Mechanisms without
     * multi-part support return FH_E_MECH_INVALID from op_update.
     */
    fh_rv (*op_init)(void *priv, enum fh_op_kind op, const CK_MECHANISM *mech,
                     const struct fh_bkey *key, void **opctx);
    fh_rv (*op_update)(void *opctx, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t *out_len);
    fh_rv (*op_final)(void *opctx, uint8_t *out, size_t *out_len);
    fh_rv (*op_oneshot)(void *opctx, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len);
    void (*op_free)(void *opctx); /* NULL is a no-op */

    /* Wrap target (secret or private key) under wrapping key. */
    fh_rv (*wrap)(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *wrapping,
                  const struct fh_bkey *target, uint8_t *out, size_t *out_len);
    /* Unwrap into material of a key of class cls and type type; pub as for
     * generate. Corrupt input: FH_E_WRAPPED_KEY_INVALID; bad length:
     * FH_E_WRAPPED_KEY_LEN_RANGE. value_len: expected secret length or 0. */
    fh_rv (*unwrap)(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *unwrapping,
                    const uint8_t *in, size_t in_len, CK_OBJECT_CLASS cls, CK_KEY_TYPE type,
                    CK_ULONG value_len, fh_secret **material, struct fh_attrs *pub);
    /* Derive a secret key of value_len bytes (0: the natural length). */
    fh_rv (*derive)(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *base,
                    CK_KEY_TYPE type, CK_ULONG value_len, fh_secret **material);
    fh_rv (*random)(void *priv, uint8_t *out, size_t len);
    /*
     * The PKCS#11 attributes of a private key's secret part, for a key the
     * core has found readable (CKA_SENSITIVE false, CKA_EXTRACTABLE true):
     * RSA: CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
     * CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT; EC: CKA_VALUE (the
     * scalar, padded to the field size); Edwards: CKA_VALUE (raw private key).
     */
    fh_rv (*export_private)(void *priv, const struct fh_bkey *key, struct fh_attrs *out);
    /*
     * Parse a key once for many operations (the core caches the result with
     * the decrypted key and passes it back in fh_bkey.prepared). *out may be
     * NULL when there is nothing worth preparing. A prepared key is used by
     * many threads at once and must be immutable; key_release frees it.
     */
    fh_rv (*key_prepare)(void *priv, const struct fh_bkey *key, void **out);
    void (*key_release)(void *priv, void *prepared);
};

/* Built-in backends. */
extern const struct fh_backend_ops fh_backend_soft_ops;

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_BACKEND_H */
