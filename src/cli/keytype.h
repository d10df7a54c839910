/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keytype.h - the key types of `ferrohsm key generate --type` and the named
 * curves the CLI knows (DER OIDs of CKA_EC_PARAMS), shared by key generation,
 * listing and the ECDSA signature format conversion.
 */
#ifndef FERROHSM_CLI_KEYTYPE_H
#define FERROHSM_CLI_KEYTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/pkcs11/pkcs11.h"

struct cli_curve {
    const char *name;     /* "ec-p256", "ed25519": the --type spelling */
    CK_KEY_TYPE key_type; /* CKK_EC or CKK_EC_EDWARDS */
    const uint8_t *der;   /* CKA_EC_PARAMS: DER of the OID */
    size_t der_len;
    unsigned bits;    /* key size as PKCS#11 reports it */
    size_t order_len; /* bytes of r and of s in a raw ECDSA signature */
};

struct cli_keytype {
    const char *name;       /* --type value */
    bool pair;              /* key pair (else secret key) */
    CK_MECHANISM_TYPE mech; /* generation mechanism */
    CK_KEY_TYPE key_type;
    unsigned bits;                 /* RSA modulus bits / AES key bits; 0 for generic-secret */
    const struct cli_curve *curve; /* EC and Edwards, else NULL */
    unsigned default_usage;        /* CLI_USE_* of docs/cli.md */
};

/* The --type entry named name, or NULL. */
const struct cli_keytype *cli_keytype_find(const char *name);
/* Space-separated list of every --type name, for messages. */
const char *cli_keytype_names(void);

/* The curve whose CKA_EC_PARAMS is der[0..len), or NULL. */
const struct cli_curve *cli_curve_by_params(const uint8_t *der, size_t len);

#endif /* FERROHSM_CLI_KEYTYPE_H */
