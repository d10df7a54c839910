/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uri.h - a small RFC 7512 PKCS#11 URI parser for the ferrohsm CLI.
 *
 * Accepted: "pkcs11:" (scheme case-insensitive) followed by path attributes
 * separated by ';'. Known path attributes are the ones RFC 7512 §2.3 defines;
 * vendor attributes ("x-...") are ignored as the RFC allows; any other name
 * is an error. Values are percent-decoded (%XX). Query attributes (after '?')
 * are all rejected: a PIN is never taken from a URI. A fragment is an error.
 *
 * Built as a static library of its own (no dependency on libferrohsm) so the
 * unit tests and the fuzzer link it alone.
 */
#ifndef FERROHSM_CLI_URI_H
#define FERROHSM_CLI_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"

/* Longest URI the parser accepts, in bytes. */
#define CLI_URI_MAX 4096

/* RFC 7512 "type" values. */
enum cli_uri_type {
    CLI_URI_TYPE_NONE = 0, /* no type attribute */
    CLI_URI_TYPE_PUBLIC,
    CLI_URI_TYPE_PRIVATE,
    CLI_URI_TYPE_SECRET, /* "secret-key" (also "secret") */
    CLI_URI_TYPE_CERT,
    CLI_URI_TYPE_DATA,
};

/*
 * One decoded attribute value. data is NUL-terminated (for convenience; the
 * value itself may hold NUL bytes in the case of id) and len excludes the
 * terminator. present is false and data NULL when the attribute is absent.
 */
struct cli_uri_attr {
    bool present;
    char *data;
    size_t len;
};

struct cli_uri {
    struct cli_uri_attr token;        /* token label */
    struct cli_uri_attr manufacturer; /* token manufacturer */
    struct cli_uri_attr serial;       /* token serial */
    struct cli_uri_attr model;        /* token model */
    struct cli_uri_attr object;       /* CKA_LABEL */
    struct cli_uri_attr id;           /* CKA_ID, binary */
    struct cli_uri_attr lib_manufacturer;
    struct cli_uri_attr lib_description;
    struct cli_uri_attr slot_description;
    struct cli_uri_attr slot_manufacturer;
    bool has_lib_version;
    unsigned lib_version_major;
    unsigned lib_version_minor;
    bool has_slot_id;
    unsigned long slot_id;
    enum cli_uri_type type;
};

/*
 * Parse s[0..len) (not necessarily NUL-terminated; NUL bytes are invalid).
 * On success fills *out (which the caller releases with cli_uri_clear) and
 * returns FH_OK. On a malformed URI returns FH_E_ARGS with a one-line reason
 * (never containing a query value) in err; FH_E_NOMEM on allocation failure.
 * *out is left cleared on failure.
 */
fh_rv cli_uri_parse(const char *s, size_t len, struct cli_uri *out, char *err, size_t err_len);

/* Free the values of u and zero it. NULL is a no-op. */
void cli_uri_clear(struct cli_uri *u);

/* Whether s starts with the "pkcs11:" scheme (case-insensitive). */
bool cli_uri_is_uri(const char *s);

/* "public", "private", "secret-key", "cert", "data", or "" for NONE. */
const char *cli_uri_type_name(enum cli_uri_type t);

#endif /* FERROHSM_CLI_URI_H */
