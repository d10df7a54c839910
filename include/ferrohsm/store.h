/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage plugin ABI: struct fh_store_ops.
 *
 * A store persists five kinds of record and nothing else: tokens, objects, the
 * audit log, API keys (hashes only) and its own schema metadata. It never sees plaintext key material:
 * the core hands it blobs it has already encoded (token meta, public attribute
 * TLV) or encrypted (secret attribute ciphertext). A store must:
 *   - make every write atomic; outside begin/commit each call is its own
 *     transaction; inside, nothing is visible to others until commit;
 *   - let several processes use one store at once (waiting, bounded, for locks;
 *     FH_E_STORE_BUSY after the wait);
 *   - report a damaged file as FH_E_STORE_CORRUPT, a file that is not a store
 *     as FH_E_STORE_FOREIGN, a schema newer than it understands as
 *     FH_E_STORE_VERSION, and never crash on any file content.
 *
 * Memory: every char * / uint8_t * field of a record filled by a store is
 * allocated with malloc() and released by the matching fh_store_*_clear().
 * Records passed in (const) are borrowed for the duration of the call.
 *
 * Thread safety: one opened store (one priv) is used by one thread at a time;
 * the core serialises calls on it. Different processes or different priv
 * instances on one file may run concurrently.
 */
#ifndef FERROHSM_STORE_H
#define FERROHSM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 2: API keys (apikey_* ops); 3: scopes by token serial;
 * 4: audit_append_batch replaces audit_append */
#define FH_STORE_ABI_VERSION 4u

/* open() flags */
#define FH_STORE_CREATE 0x1u /* create the store when it does not exist */

struct fh_store_token {
    int64_t id;     /* > 0, assigned by the store on insert, never reused */
    char *label;    /* unique among tokens, 1..32 bytes of UTF-8 */
    uint8_t *meta;  /* core-encoded token record (PIN verifiers, wrapped TMKs, counters) */
    size_t meta_len;
};

struct fh_store_object {
    int64_t id;        /* > 0, assigned by the store on insert, never reused */
    int64_t token_id;
    CK_OBJECT_CLASS cls;
    CK_KEY_TYPE key_type; /* CK_UNAVAILABLE_INFORMATION when the object is not a key */
    uint8_t *label;    /* CKA_LABEL bytes (not NUL-terminated), may be NULL if label_len 0 */
    size_t label_len;
    uint8_t *ckid;     /* CKA_ID bytes, may be NULL if ckid_len 0 */
    size_t ckid_len;
    uint8_t *attrs;    /* core-encoded public attributes (fh_attrs_encode) */
    size_t attrs_len;
    uint8_t *secret;   /* core-encrypted secret attributes; may be empty */
    size_t secret_len;
};

/* Filter for object_find; every has_* false means "all objects of the token". */
struct fh_store_query {
    int64_t token_id;
    bool has_cls;
    CK_OBJECT_CLASS cls;
    bool has_key_type;
    CK_KEY_TYPE key_type;
    bool has_label;
    const uint8_t *label;
    size_t label_len;
    bool has_ckid;
    const uint8_t *ckid;
    size_t ckid_len;
};

#define FH_AUDIT_HASH_LEN 32

struct fh_store_audit {
    int64_t seq;        /* 1, 2, 3 ... assigned by the core, unique */
    int64_t time_ms;    /* Unix time in milliseconds */
    char *actor;        /* "token:demo/user", "token:demo/so", "anonymous" */
    char *front;        /* "cli", "pkcs11", "server", "tui" */
    char *operation;    /* "login", "key.generate", "sign", ... */
    char *object;       /* "token:demo/key:k1" or "" */
    char *result;       /* fh_rv_str() of the outcome */
    char *corr_id;      /* correlation id of the request/process */
    uint8_t prev_hash[FH_AUDIT_HASH_LEN];
    uint8_t hash[FH_AUDIT_HASH_LEN];
};

#define FH_STORE_APIKEY_ID_LEN 16   /* lowercase hex digits of an API key id */
#define FH_STORE_APIKEY_HASH_LEN 32 /* SHA-256 */

/*
 * An API key of the REST server (apikey.h). The store keeps the hash of the
 * key's secret, never the key: nothing in a record lets anyone authenticate.
 *
 * ABI 3: the scope names tokens by serial (16 hex digits, as
 * fh_token_info.serial). Records written by a store of ABI 2 named them by
 * label; a store keeps such records as they were, with tokens_are_labels
 * set, and the core rewrites them with apikey_set_tokens when it opens the
 * store (binding each label to the serial of the token that has it then).
 */
struct fh_store_apikey {
    char id[FH_STORE_APIKEY_ID_LEN + 1]; /* public id, chosen by the core, unique */
    char *name;        /* unique among keys, revoked ones included; 1..64 bytes of UTF-8 */
    uint32_t role;     /* enum fh_role; the store does not interpret it */
    bool all_tokens;   /* scope: every token */
    char *tokens;      /* otherwise the token serials, each ended by '\n'; "" when all_tokens */
    uint8_t hash[FH_STORE_APIKEY_HASH_LEN]; /* SHA-256 of the secret bytes */
    int64_t created_ms; /* Unix time in milliseconds */
    int64_t revoked_ms; /* 0 while the key is valid */
    bool tokens_are_labels; /* ABI 3: tokens still holds labels (a record of ABI 2) */
};

typedef fh_rv (*fh_store_token_cb)(void *arg, const struct fh_store_token *t);
typedef fh_rv (*fh_store_object_cb)(void *arg, const struct fh_store_object *o);
typedef fh_rv (*fh_store_audit_cb)(void *arg, const struct fh_store_audit *r);
typedef fh_rv (*fh_store_apikey_cb)(void *arg, const struct fh_store_apikey *k);

/*
 * Iteration callbacks: the record is borrowed for the call only; returning
 * anything but FH_OK stops the iteration and that value is returned.
 */
struct fh_store_ops {
    uint32_t abi_version; /* FH_STORE_ABI_VERSION; the core refuses a mismatch */
    const char *name;     /* "sqlite", "postgres", ... selected by configuration */
    size_t priv_size;     /* the core allocates and zeroes this much private state */

    /* location: for sqlite a file path. FH_E_NOT_FOUND when it does not exist
     * and FH_STORE_CREATE is not set. */
    fh_rv (*open)(void *priv, const char *location, unsigned flags);
    void (*close)(void *priv); /* also after a failed open */
    fh_rv (*health)(void *priv);

    /* write=true takes the write lock at once (no upgrade deadlocks). No nesting. */
    fh_rv (*begin)(void *priv, bool write);
    fh_rv (*commit)(void *priv);
    void (*rollback)(void *priv);

    fh_rv (*token_insert)(void *priv, const struct fh_store_token *t, int64_t *id_out);
    fh_rv (*token_get)(void *priv, const char *label, struct fh_store_token *out);
    fh_rv (*token_get_by_id)(void *priv, int64_t id, struct fh_store_token *out);
    fh_rv (*token_update_meta)(void *priv, int64_t id, const uint8_t *meta, size_t len);
    /* FH_E_EXISTS when another token has the label. */
    fh_rv (*token_set_label)(void *priv, int64_t id, const char *label);
    fh_rv (*token_delete)(void *priv, int64_t id); /* and all its objects */
    fh_rv (*token_list)(void *priv, fh_store_token_cb cb, void *arg); /* by id */

    /* object_insert ignores o->id and returns the new id. object_update replaces
     * every field of the row with that id (and token_id). */
    fh_rv (*object_insert)(void *priv, const struct fh_store_object *o, int64_t *id_out);
    fh_rv (*object_update)(void *priv, const struct fh_store_object *o);
    fh_rv (*object_get)(void *priv, int64_t token_id, int64_t id, struct fh_store_object *out);
    fh_rv (*object_delete)(void *priv, int64_t token_id, int64_t id);
    fh_rv (*object_find)(void *priv, const struct fh_store_query *q, fh_store_object_cb cb,
                         void *arg); /* ascending id; uses indexes, no full scan */
    fh_rv (*object_count)(void *priv, int64_t token_id, uint64_t *out);

    /* FH_E_NOT_FOUND when the log is empty. */
    fh_rv (*audit_last)(void *priv, struct fh_store_audit *out);
    /*
     * ABI 4: append recs[0..n), n >= 1, all or none (inside the caller's
     * write transaction, else in one of its own). The records are consecutive
     * (recs[i].seq == recs[0].seq + i, recs[0].seq >= 1) and each links to
     * the one before (recs[i].prev_hash == recs[i - 1].hash), as the core
     * makes them; the store may rely on that to keep a batch compactly.
     * FH_E_ARGS for a batch that breaks those rules or has a NULL string;
     * FH_E_DATA_TOO_LARGE for a string over the store's ceiling (at least
     * 4096 bytes); FH_E_EXISTS when one of the seqs is taken.
     */
    fh_rv (*audit_append_batch)(void *priv, const struct fh_store_audit *recs, size_t n);
    /* Records with seq >= from_seq in ascending seq order, at most limit (0 = all). */
    fh_rv (*audit_list)(void *priv, int64_t from_seq, size_t limit, fh_store_audit_cb cb,
                        void *arg);

    /*
     * A number that changes whenever another connection or process commits
     * to the store (and may change more often). The core keeps decrypted keys
     * cached while it stays the same. Cheap: called before every operation.
     */
    fh_rv (*generation)(void *priv, uint64_t *out);

    /* ---- ABI 2: API keys ---- */

    /* Insert a key (k->revoked_ms and k->tokens_are_labels are stored as
     * given; the core always writes serials). FH_E_EXISTS when the
     * id or the name is taken; FH_E_ARGS for an id that is not 16 lowercase
     * hex digits or a name outside 1..64 bytes. */
    fh_rv (*apikey_insert)(void *priv, const struct fh_store_apikey *k);
    /* One key by id; FH_E_NOT_FOUND. Called on every REST request whose key
     * is not cached: an indexed lookup. */
    fh_rv (*apikey_get)(void *priv, const char *id, struct fh_store_apikey *out);
    /* One key by name; FH_E_NOT_FOUND. */
    fh_rv (*apikey_get_by_name)(void *priv, const char *name, struct fh_store_apikey *out);
    /* Mark the key with that id revoked at revoked_ms (> 0). A key already
     * revoked keeps its first time and gives FH_OK. FH_E_NOT_FOUND. */
    fh_rv (*apikey_revoke)(void *priv, const char *id, int64_t revoked_ms);
    /* Every key, revoked ones included, in creation (insertion) order. */
    fh_rv (*apikey_list)(void *priv, fh_store_apikey_cb cb, void *arg);

    /* ---- ABI 3: scopes by token serial ---- */

    /* Replace the scope of the key with that id by tokens (serials, each
     * ended by '\n'; "" for none) and clear its tokens_are_labels. The other
     * fields stay. FH_E_NOT_FOUND; FH_E_ARGS for a bad id. */
    fh_rv (*apikey_set_tokens)(void *priv, const char *id, const char *tokens);
};

/* Release the malloc'ed fields of a record filled by a store; zero the record. */
FH_API void fh_store_token_clear(struct fh_store_token *t);
FH_API void fh_store_object_clear(struct fh_store_object *o);
FH_API void fh_store_audit_clear(struct fh_store_audit *r);
FH_API void fh_store_apikey_clear(struct fh_store_apikey *k);

/* Built-in stores. */
extern const struct fh_store_ops fh_store_sqlite_ops;

#ifdef __cplusplus
}
#endif

#endif /* FERROHSM_STORE_H */
