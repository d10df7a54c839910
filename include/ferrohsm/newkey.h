/* SPDX-License-Identifier: Apache-2.0 */
/*
 * newkey.h - the templates of the keys the fronts create: `ferrohsm key
 * generate` and the REST key routes (generate, import of a public key,
 * unwrap, derive; docs/api.md "Keys") make the same objects because both
 * build them here.
 *
 * Every key is a token object with the label and CKA_ID asked for. Private
 * and secret keys are CKA_PRIVATE and CKA_SENSITIVE, with CKA_EXTRACTABLE as
 * asked. Each usage attribute a class carries is written explicitly true or
 * false from the FH_USAGE_* bits, so no core default can grant a usage that
 * was not asked for; CKA_SIGN_RECOVER and CKA_VERIFY_RECOVER, which no usage
 * word names, are false. Every rule beyond that (what a class may carry,
 * CKA_ALWAYS_SENSITIVE ...) is the core's.
 *
 * Thread safety: a template is the caller's; fh_newkey_generate follows
 * the session rules of session.h.
 */
#ifndef FERROHSM_NEWKEY_H
#define FERROHSM_NEWKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a front asks of a key it creates (both halves of a pair). Borrowed. */
struct fh_newkey {
    const char *label; /* CKA_LABEL, NUL-terminated */
    const uint8_t *id; /* CKA_ID (may be empty) */
    size_t id_len;
    unsigned usage;   /* FH_USAGE_* */
    bool extractable; /* CKA_EXTRACTABLE of private and secret keys */
};

#define FH_NEWKEY_TMPL_MAX 24 /* attributes of one template */

/*
 * One object's template. attrs point into the structure itself (class, key
 * type, lengths) and into the fh_newkey given: neither may move or be freed
 * while the template is in use.
 */
struct fh_newkey_tmpl {
    CK_ATTRIBUTE attrs[FH_NEWKEY_TMPL_MAX];
    CK_ULONG n;
    CK_OBJECT_CLASS cls;
    CK_KEY_TYPE key_type;
    CK_ULONG value_len;    /* CKA_VALUE_LEN, when added by fh_newkey_tmpl_value_len */
    CK_ULONG modulus_bits; /* CKA_MODULUS_BITS of an RSA public half */
};

/*
 * Start the template of a cls (CKO_PUBLIC_KEY, CKO_PRIVATE_KEY or
 * CKO_SECRET_KEY) object of type kt with the common attributes above.
 */
FH_API void fh_newkey_tmpl_init(struct fh_newkey_tmpl *t, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt,
                                const struct fh_newkey *nk);
/* Append one attribute (value borrowed). FH_E_ARGS when the template is full. */
FH_API FH_NODISCARD fh_rv fh_newkey_tmpl_add(struct fh_newkey_tmpl *t, CK_ATTRIBUTE_TYPE type,
                                             const void *value, CK_ULONG len);
/* Append CKA_VALUE_LEN (bytes). FH_E_ARGS when the template is full. */
FH_API FH_NODISCARD fh_rv fh_newkey_tmpl_value_len(struct fh_newkey_tmpl *t, CK_ULONG len);

/*
 * Generate a key of type kt as token objects: a pair (RSA with public
 * exponent 65537, EC and Edwards on kt's curve) or a secret key (AES of
 * kt's size; generic-secret of value_len bytes). *pub (pairs) and *priv get
 * the handles on success; either may be NULL. Errors: those of
 * fh_key_generate(_pair).
 */
FH_API FH_NODISCARD fh_rv fh_newkey_generate(fh_session *s, const struct fh_keytype_desc *kt,
                                             CK_ULONG value_len, const struct fh_newkey *nk,
                                             CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_NEWKEY_H */
