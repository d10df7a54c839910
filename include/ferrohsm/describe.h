/* SPDX-License-Identifier: Apache-2.0 */
/*
 * describe.h - how the fronts name keys: the key types a user may generate
 * ("ec-p256", "aes-256"...), the named curves (DER OIDs of CKA_EC_PARAMS),
 * the usage words ("sign", "wrap"...), a key object's short description
 * (type name, curve, size in bits, read from its attributes) and the
 * attributes a display shows, with their names and value kinds.
 *
 * The CLI (`key generate`, `key list --json`, `key show --json`) and the REST
 * server (docs/api.md "Keys") give the same answers because both read these
 * tables. Everything here is constant data or reads attributes through
 * fh_object_get_attributes; nothing allocates except where stated.
 *
 * Thread safety: the tables are immutable; fh_key_describe follows the
 * session rules of session.h.
 */
#ifndef FERROHSM_DESCRIBE_H
#define FERROHSM_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Usage bits: the words of `--usage` and of the REST "usage" arrays. */
#define FH_USAGE_SIGN 0x01u
#define FH_USAGE_VERIFY 0x02u
#define FH_USAGE_ENCRYPT 0x04u
#define FH_USAGE_DECRYPT 0x08u
#define FH_USAGE_WRAP 0x10u
#define FH_USAGE_UNWRAP 0x20u
#define FH_USAGE_DERIVE 0x40u
#define FH_USAGE_ALL 0x7fu
#define FH_USAGE_COUNT 7

/* A named curve. */
struct fh_curve_desc {
    const char *name;     /* "ec-p256", "ed25519": the key type spelling */
    CK_KEY_TYPE key_type; /* CKK_EC or CKK_EC_EDWARDS */
    const uint8_t *der;   /* CKA_EC_PARAMS: DER of the OID (RFC 5480, RFC 8410) */
    size_t der_len;
    unsigned bits;    /* key size as PKCS#11 reports it (255 for Ed25519) */
    size_t order_len; /* bytes of r and of s in a raw ECDSA signature; field bytes for Edwards */
};

/* A key type a user may generate. */
struct fh_keytype_desc {
    const char *name;       /* "rsa-2048", "ec-p256", "aes-256", "generic-secret" ... */
    bool pair;              /* key pair (else secret key) */
    CK_MECHANISM_TYPE mech; /* generation mechanism */
    CK_KEY_TYPE key_type;
    unsigned bits; /* RSA modulus bits / AES key bits / curve bits; 0: generic-secret */
    const struct fh_curve_desc *curve; /* EC and Edwards, else NULL */
    unsigned default_usage;            /* FH_USAGE_*: rsa all but derive; ec sign,verify,derive;
                                          ed sign,verify; aes encrypt,decrypt,wrap,unwrap,sign,verify;
                                          generic-secret sign,verify,derive */
};

/* The key types, in a fixed order (i < fh_keytype_count()); NULL past the end. */
FH_API size_t fh_keytype_count(void);
FH_API const struct fh_keytype_desc *fh_keytype_at(size_t i);
/* The key type named name (exact, lowercase), or NULL. */
FH_API const struct fh_keytype_desc *fh_keytype_find(const char *name);
/* Space-separated list of every key type name, for messages. Static. */
FH_API const char *fh_keytype_names(void);

/* The curve whose CKA_EC_PARAMS is der[0..len), or NULL. */
FH_API const struct fh_curve_desc *fh_curve_by_params(const uint8_t *der, size_t len);
/* The curve named name ("ec-p256", "ed25519"), or NULL. */
FH_API const struct fh_curve_desc *fh_curve_find(const char *name);

/*
 * Usage words. fh_usage_word: the word of one FH_USAGE_* bit, NULL for
 * anything else. fh_usage_from_word: FH_E_ARGS for an unknown word.
 * fh_usage_attr: the attribute of a usage bit (CKA_SIGN ...), 0 if none.
 */
FH_API const char *fh_usage_word(unsigned bit);
FH_API FH_NODISCARD fh_rv fh_usage_from_word(const char *word, unsigned *bit);
FH_API CK_ATTRIBUTE_TYPE fh_usage_attr(unsigned bit);
/*
 * The usage bits that apply to an object of class cls: public keys verify,
 * encrypt, wrap, derive; private keys sign, decrypt, unwrap, derive; secret
 * keys all seven; other classes none.
 */
FH_API unsigned fh_usage_for_class(CK_OBJECT_CLASS cls);

/* Short class name: "public", "private", "secret"; NULL when not a key class. */
FH_API const char *fh_class_short_name(CK_OBJECT_CLASS cls);
/* PKCS#11 names: "CKO_PRIVATE_KEY", "CKK_EC"; NULL when unknown. */
FH_API const char *fh_class_name(CK_OBJECT_CLASS cls);
FH_API const char *fh_key_type_name(CK_KEY_TYPE kt);

/*
 * Read one attribute of object h into a malloc'ed buffer (the caller
 * free()s it), NUL-terminated after its *len bytes, allocated also when the
 * value is empty. *out and *len are written on success only. Errors:
 * FH_E_ATTR_SENSITIVE / FH_E_ATTR_TYPE_INVALID when the attribute cannot be
 * revealed or does not exist, FH_E_DATA_TOO_LARGE past FH_ATTR_MAX_VALUE,
 * FH_E_NOMEM, and those of fh_object_get_attributes.
 */
FH_API FH_NODISCARD fh_rv fh_attr_read(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
                                       uint8_t **out, size_t *len);

/* What a display says about one key object. */
struct fh_key_desc {
    CK_OBJECT_CLASS cls;   /* CK_UNAVAILABLE_INFORMATION when unreadable */
    CK_KEY_TYPE key_type;  /* CK_UNAVAILABLE_INFORMATION when unreadable */
    const char *type_name; /* "rsa", "ec", "ec-edwards", "aes", "generic-secret", "unknown" */
    const char *curve;     /* EC and Edwards: "ec-p256" ...; else NULL */
    unsigned bits;         /* RSA modulus, curve size, secret length x 8; 0 when unknown */
    unsigned usage;        /* FH_USAGE_* bits whose attribute is true */
};

/*
 * Describe the object h (any class; a non-key gets type_name "unknown").
 * RSA size comes from CKA_MODULUS_BITS, else the modulus length; EC and
 * Edwards from the curve of CKA_EC_PARAMS; secret keys from CKA_VALUE_LEN.
 * Attributes that cannot be read leave the defaults. Errors: only those of
 * fh_object_get_attributes that are not about one attribute
 * (FH_E_OBJECT_HANDLE_INVALID, FH_E_SESSION_CLOSED, FH_E_NOMEM ...).
 */
FH_API FH_NODISCARD fh_rv fh_key_describe(fh_session *s, CK_OBJECT_HANDLE h,
                                          struct fh_key_desc *out);

/*
 * The generation-type spelling of a described key: "rsa-2048", "ec-p256",
 * "ed25519", "aes-256", "generic-secret"; the bare type name ("rsa", "aes",
 * "unknown") when the size matches no generation type. Static string.
 */
FH_API const char *fh_key_desc_type(const struct fh_key_desc *d);

/* How a display renders an attribute's value (docs/cli.md "key show --json"). */
enum fh_attr_kind {
    FH_ATTR_KIND_BOOL = 1,    /* CK_BBOOL → boolean */
    FH_ATTR_KIND_ULONG = 2,   /* CK_ULONG → integer */
    FH_ATTR_KIND_CLASS = 3,   /* CK_OBJECT_CLASS → "CKO_..." */
    FH_ATTR_KIND_KEYTYPE = 4, /* CK_KEY_TYPE → "CKK_..." */
    FH_ATTR_KIND_TEXT = 5,    /* UTF-8 text (labels) */
    FH_ATTR_KIND_HEX = 6,     /* bytes → lowercase hex */
    FH_ATTR_KIND_MECH = 7,    /* CK_MECHANISM_TYPE → mechanism name */
    FH_ATTR_KIND_MECHS = 8,   /* CK_MECHANISM_TYPE[] → array of names */
};

struct fh_attr_show {
    CK_ATTRIBUTE_TYPE type;
    const char *name; /* "CKA_LABEL" */
    enum fh_attr_kind kind;
};

/*
 * The attributes a key display shows, in display order (i <
 * fh_attr_show_count()). Key material (CKA_VALUE, the RSA private
 * components) is deliberately absent: no display shows it, even for a
 * non-sensitive key.
 */
FH_API size_t fh_attr_show_count(void);
FH_API const struct fh_attr_show *fh_attr_show_at(size_t i);

/*
 * ECDSA signature encodings (PKCS#11 v3.0 §2.3.1 signs r||s; X.509 and
 * `openssl dgst` use the X9.62 ECDSA-Sig-Value DER).
 * fh_ecdsa_sig_to_der: raw r||s (even length) into DER, *out malloc'ed
 * (free()); FH_E_DATA_INVALID for a malformed input.
 * fh_ecdsa_sig_from_der: when der[0..len) is a strict DER ECDSA-Sig-Value
 * (its re-encoding equals the input) whose r and s fit in order_len bytes,
 * write r||s (2 * order_len bytes) to raw and return true.
 */
FH_API FH_NODISCARD fh_rv fh_ecdsa_sig_to_der(const uint8_t *raw, size_t len, uint8_t **out,
                                              size_t *out_len);
FH_API bool fh_ecdsa_sig_from_der(const uint8_t *der, size_t len, size_t order_len, uint8_t *raw);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_DESCRIBE_H */
