/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keys.h - what the key routes (routes_keys.c) and the operation routes
 * (routes_ops.c) share: resolving a `{key}` name to the objects of one key,
 * the JSON of keys (KEYOBJ, ATTRS), key creation from a type, a usage list
 * and a label (templates: libferrohsm's newkey.h, as the CLI's). The
 * public-key conversions (PEM, JWK, SPKI) are pubkey.h's.
 *
 * A key (docs/api.md "Routes") is a secret key object or the public and
 * private halves of a pair, found by label or by `id:HEX`. Objects that
 * match the name and share one CKA_ID form one key; matches spread over
 * several CKA_IDs, or two objects of the same class, are an ambiguous name
 * (409 key_ambiguous).
 *
 * Functions taking (req, resp) write the error response themselves and
 * return false; the others return an fh_rv for srv_error_rv. State: the
 * creation locks (see srv_keys_create_lock) and the resolution cache (a
 * name's objects, kept while the token's fh_token_stamp stays the same).
 */
#ifndef FERROHSM_SERVER_KEYS_H
#define FERROHSM_SERVER_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/ferrohsm.h"
#include "ferrohsm/newkey.h"

#include "json_shapes.h"
#include "srv.h"

#define SRV_KEY_MAX_INPUT ((size_t)1 << 20) /* operation inputs: 1 MiB after base64 */
#define SRV_KEY_ID_MAX 64                   /* bytes of a CKA_ID given by a client */
#define SRV_KEY_LABEL_MAX 255               /* bytes of a label given by a client */
#define SRV_KEY_PEM_MAX ((size_t)16 << 10)  /* a public key PEM */

/* The objects of one key. Handles are CK_INVALID_HANDLE when absent. */
struct srv_key {
    CK_OBJECT_HANDLE pub;
    CK_OBJECT_HANDLE priv;
    CK_OBJECT_HANDLE sec;
    CK_OBJECT_HANDLE obj[3]; /* the present ones: public, private, secret order */
    size_t n;
    uint8_t *id; /* CKA_ID (malloc'ed; may be empty) */
    size_t id_len;
};

/*
 * Resolve name (a label, or "id:HEX") among the key objects of the session.
 * Errors written: 400 bad_request (malformed id:), 404 key_not_found,
 * 409 key_ambiguous, and srv_error_rv for store failures. Clear *out with
 * srv_key_clear, also after a failure.
 */
bool srv_key_resolve(struct srv_req *req, struct srv_resp *resp, fh_session *s, const char *name,
                     struct srv_key *out);
void srv_key_clear(struct srv_key *k);
/*
 * The first half of k whose class is in classes (in that order), or
 * CK_INVALID_HANDLE. Operations pick private for sign, public for verify...
 */
CK_OBJECT_HANDLE srv_key_pick(const struct srv_key *k, const CK_OBJECT_CLASS *classes,
                              size_t n_classes);

/*
 * {"label", "id", "type", "objects": [...]} of k. full: objects are ATTRS
 * (every attribute a display shows) and "public_key_pem" and "jwk" are
 * added (null for secret keys); else objects are KEYOBJ.
 */
fh_rv srv_key_json(fh_session *s, const struct srv_key *k, bool full, json_t **out);
/* The KEYOBJ of one object (docs/api.md): label, class, type, curve, bits, id, usage... */
fh_rv srv_keyobj_json(fh_session *s, CK_OBJECT_HANDLE h, const struct fh_key_desc *d, json_t **out);
/*
 * Labels, hex and ATTRS are built by src/common (json_shapes.h: fh_shape_text,
 * fh_shape_hex, fh_shape_attrs), the builders the CLI's --json uses.
 */

/* ---- body fields shared by generate, import, unwrap and derive ---- */

/*
 * A label from the body field "label": 1..SRV_KEY_LABEL_MAX bytes, no
 * control characters, not starting with "id:" (that would name an id).
 */
bool srv_key_body_label(struct srv_req *req, struct srv_resp *resp, const char *field,
                        bool required, const char **out);
/* "id": 1..SRV_KEY_ID_MAX bytes of hex, malloc'ed; absent leaves *out NULL. */
bool srv_key_body_id(struct srv_req *req, struct srv_resp *resp, uint8_t **out, size_t *len);
/*
 * "usage": an array of distinct usage words; absent leaves *mask untouched.
 * allowed: the bits that may be named (else 400 naming the word).
 */
bool srv_key_body_usage(struct srv_req *req, struct srv_resp *resp, unsigned allowed,
                        unsigned *mask);
/* A key type from the field (fh_keytype_find names); 400 naming it otherwise. */
bool srv_key_body_type(struct srv_req *req, struct srv_resp *resp, const char *field,
                       const struct fh_keytype_desc **out);

/*
 * Key creation over REST is serialised per token in this process (a lock
 * striped by token label) so that "label taken" (409 key_exists) and the
 * creation that follows cannot interleave with another request's. Hold it
 * around check + create. Other processes sharing the store are not
 * covered: the check there is best effort.
 */
void srv_keys_create_lock(const char *token);
void srv_keys_create_unlock(const char *token);
/*
 * Whether a key object other than those of except (may be NULL) has this
 * label (or, when id is given, this CKA_ID): FH_E_EXISTS, else FH_OK.
 */
fh_rv srv_key_check_free(fh_session *s, const char *label, const uint8_t *id, size_t id_len,
                         const struct srv_key *except);
/* 8 random bytes from the token when *id is NULL (the CLI's default CKA_ID). */
fh_rv srv_key_default_id(fh_session *s, uint8_t **id, size_t *id_len);
/*
 * The claim step of every key creation: take the creation lock of the
 * request's token (*locked becomes true; the caller unlocks), check that
 * nk->label (and *id when given) is free, draw the default CKA_ID when *id
 * is NULL and point nk->id at it. On failure the error is answered (409
 * key_exists naming the label, or the token's error) and false returned.
 */
bool srv_key_claim(struct srv_req *req, struct srv_resp *resp, fh_session *s, struct fh_newkey *nk,
                   uint8_t **id, size_t *id_len, bool *locked);

/*
 * The common attributes of a key REST creates are a struct fh_newkey
 * (newkey.h); generation is fh_newkey_generate.
 */

/*
 * Unwrap wrapped[0..len) with the key unwrapping into a new key of type kt
 * (a pair's private half, whose public half is then created from its
 * CKA_PUBLIC_KEY_INFO). The result must be of type kt, or of its family
 * when kt is one ("rsa", "aes"...; else the objects are destroyed and
 * FH_E_WRAPPED_KEY_INVALID returned).
 */
fh_rv srv_key_unwrap(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE unwrapping,
                     const uint8_t *wrapped, size_t len, const struct fh_keytype_desc *kt,
                     const struct fh_newkey *nk);

/*
 * Derive a secret key of type kt (aes-* or generic-secret; value_len bytes,
 * 0: the natural length) from the private key base with mech (ECDH1).
 */
fh_rv srv_key_derive(fh_session *s, const CK_MECHANISM *mech, CK_OBJECT_HANDLE base,
                     const struct fh_keytype_desc *kt, CK_ULONG value_len,
                     const struct fh_newkey *nk);

/*
 * The body of a wrapped-key import (label, type, wrapped, mechanism, hash,
 * id, usage, extractable) unwrapped with the key unwrapping; answers 201
 * {"key": ...} or the error. routes_keys.c; used by import and by the
 * unwrap operation. s must be read-write.
 */
void srv_keys_unwrap_into(struct srv_req *req, struct srv_resp *resp, fh_session *s,
                          const struct srv_key *unwrapping);

/* Destroy every object of k; the first failure is returned. */
fh_rv srv_key_destroy(fh_session *s, const struct srv_key *k);

/* Respond 201 {"key": KEY} for the key named by label in s (after a creation). */
void srv_key_respond_created(struct srv_req *req, struct srv_resp *resp, fh_session *s,
                             const char *label, const uint8_t *id, size_t id_len);

/* Free a buffer that held secret bytes (cleansed first); NULL is a no-op. */
void srv_free_secret(void *p, size_t len);

#endif /* FERROHSM_SERVER_KEYS_H */
