/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core-int.h - private structures and fhi_* functions shared by the files of
 * src/core. Nothing outside src/core includes this header.
 *
 * Lock order (STYLE rule 18): ctx->lock (store access, registries) is a leaf
 * taken only around store calls; token->lock guards the token's login state,
 * TMK and handle table; a session's operation state is guarded by the caller
 * using the session from one thread at a time. Order: token->lock, then
 * ctx->lock; never the other way round; no Argon2 or backend work under
 * ctx->lock. The operation path (fh_op_init on a cached key) takes no
 * ctx->lock and holds token->lock for no store I/O. The audit log has its own
 * locks (audit.c): ctx->audit_wlock (writers, their own store connection)
 * before ctx->lock, never held by a caller of fhi_audit*; a lane's lock (the
 * queue), then ctx->audit_qlock (the writer thread's flags), are leaves.
 */
#ifndef FERROHSM_CORE_INT_H
#define FERROHSM_CORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/ferrohsm.h"

/* ---- configuration (config.c) ---- */

struct fhi_config {
    char *home;              /* FERROHSM_HOME */
    char *store_driver;      /* [store] driver, default "sqlite" */
    char *store_path;        /* [store] path, default $FERROHSM_HOME/ferrohsm.db */
    char *backend;           /* [token] backend, default "soft" */
    uint32_t max_pin_failures; /* [token] max_pin_failures, default 10 */
    uint32_t min_pin_len;      /* [token] min_pin_len, default 4 */
    uint32_t argon2_t;         /* [token] argon2_t_cost, default 3 */
    uint32_t argon2_m_kib;     /* [token] argon2_m_cost_kib, default 65536 */
    uint32_t argon2_p;         /* [token] argon2_parallelism, default 1 */
};

fh_rv fhi_config_load(const char *conf_path, struct fhi_config *cfg);
void fhi_config_clear(struct fhi_config *cfg);
void fhi_set_open_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- context (ctx.c) ---- */

/* Audit queue (audit.c): records wait in lanes, one per CPU (at most
 * FHI_AUDIT_LANES_MAX). A lane holds FHI_AUDIT_RING / lanes records, at
 * least FHI_AUDIT_LANE_MIN, queued or being written (what a crash can lose),
 * in two buffers of half that: one is written while the other fills. Its
 * batch is due at 3/4 of a buffer or when its first record is
 * FHI_AUDIT_DELAY_MS old. On two CPUs: buffers of 1024 records, due at 768,
 * so two signing threads fill a batch of about 1536; the store writes a batch
 * as one page (one row), so the writer's cost is mostly per record
 * (docs/internals/core.md). */
#define FHI_AUDIT_RING 4096
#define FHI_AUDIT_LANE_MIN 256
#define FHI_AUDIT_LANES_MAX 64
#define FHI_AUDIT_DELAY_MS 1000

struct fh_ctx {
    pthread_mutex_t lock; /* guards every call on store (one connection) */
    struct fhi_config cfg;
    const struct fh_store_ops *store_ops;
    void *store;
    bool store_open;
    const struct fh_backend_ops *be_ops;
    void *be;
    bool be_init;
    char front[16];
    char corr_id[64];
    const struct fh_mech_desc **mechs; /* registry ∩ backend */
    size_t n_mechs;
    pthread_mutex_t audit_qlock; /* the audit writer's flags, corr_id: a leaf, never held for I/O */
    pthread_mutex_t audit_wlock; /* audit writes in order, the audit connection (audit.c) */
    struct fhi_audit *audit;     /* queue and writer state (audit.c) */
    bool no_threads;             /* fh_ctx_forbid_threads (under audit_qlock) */
    struct fhi_akcache *akcache; /* verified API key records (apikey.c), under lock */
    uint64_t tok_epoch;          /* fhi_epoch_next() at every token create, delete, reinit (atomic) */
};

/* Store calls under ctx->lock. */
void fhi_ctx_lock(fh_ctx *ctx);
void fhi_ctx_unlock(fh_ctx *ctx);

/* ---- registry of stores and backends (registry.c) ---- */

const struct fh_store_ops *fhi_store_find(const char *name);
const struct fh_backend_ops *fhi_backend_find(const char *name);

/* ---- mechanisms (mech.c) ---- */

const struct fh_mech_desc *fhi_mech_registry(size_t *n);
const struct fh_mech_desc *fhi_mech_lookup(CK_MECHANISM_TYPE type);
/* CKF_* flag that op requires in a mechanism's flags. */
CK_FLAGS fhi_op_flag(enum fh_op_kind op);
bool fhi_mech_has_key_type(const struct fh_mech_desc *m, CK_KEY_TYPE kt);

/* ---- audit (audit.c) ---- */

/* Append one record. A failed write is dropped (the caller's result stands);
 * fh_audit_verify still verifies the chain that was written. */
void fhi_audit(fh_ctx *ctx, const char *actor, const char *operation, const char *object,
               fh_rv result);

/* Queue a record of a successful operation (written in batches, see
 * audit.c); a failure is written at once like fhi_audit. */
void fhi_audit_batched(fh_ctx *ctx, const char *actor, const char *operation,
                       const char *object, fh_rv result);
/* Write every queued record now. */
void fhi_audit_flush(fh_ctx *ctx);
/* Set ctx->corr_id where queued records read it (fh_ctx_set_corr_id). */
void fhi_audit_set_corr_id(fh_ctx *ctx, const char *id);
/* A session closed: write the queue now unless the writer thread will. */
void fhi_audit_session_closed(fh_ctx *ctx);
/* Audit state of a new context (fh_ctx_new), after its locks exist. */
fh_rv fhi_audit_init(fh_ctx *ctx);
/* Flush, close the audit connection and free the state; NULL state is fine. */
void fhi_audit_fini(fh_ctx *ctx);

/* ---- API keys (apikey.c) ---- */

/* Free the API key cache of ctx (fh_ctx_free). */
void fhi_apikey_cache_free(fh_ctx *ctx);
/* A token was created, deleted or renamed through ctx: labels cached for
 * display in API key records are stale (scope checks use serials). */
void fhi_apikey_tokens_changed(fh_ctx *ctx);
/*
 * At open, after the store: bind the scopes that a store of schema/ABI 2
 * wrote as labels to the serials of the tokens that have those labels now
 * (a label no token has is dropped), in one write transaction. Reads only
 * when there is nothing to do.
 */
fh_rv fhi_apikey_upgrade_scopes(fh_ctx *ctx);

/* ---- small utilities (util.c) ---- */

void fhi_put_be(uint8_t *p, uint64_t v, unsigned bytes);
uint64_t fhi_get_be(const uint8_t *p, unsigned bytes);
fh_rv fhi_random(fh_ctx *ctx, void *out, size_t len);
/* AES-256-GCM with a random 12-byte nonce: out = nonce || ct || tag (16). */
fh_rv fhi_seal(const uint8_t key[32], const uint8_t *aad, size_t aad_len, const uint8_t *in,
               size_t in_len, uint8_t **out, size_t *out_len);
/* Inverse of fhi_seal into a new fh_secret; FH_E_INTEGRITY on any failure. */
fh_rv fhi_open(const uint8_t key[32], const uint8_t *aad, size_t aad_len, const uint8_t *in,
               size_t in_len, fh_secret **out);

/* Open-addressing map int64 (> 0) -> uint32 (> 0), for store id -> handle. */
struct fhi_i64map {
    int64_t *keys;
    uint32_t *vals;
    size_t cap; /* power of two or 0 */
    size_t n;
};
fh_rv fhi_i64map_put(struct fhi_i64map *m, int64_t key, uint32_t val);
uint32_t fhi_i64map_get(const struct fhi_i64map *m, int64_t key); /* 0 when absent */
void fhi_i64map_del(struct fhi_i64map *m, int64_t key);
void fhi_i64map_clear(struct fhi_i64map *m);

/* ---- tokens (token.c) ---- */

struct fhi_obj;

struct fhi_handle {
    int64_t store_id;      /* token object: its store id; 0 for session objects or free */
    struct fhi_obj *sobj;  /* session object (owned), else NULL */
    fh_session *owner;     /* session that owns sobj */
    bool priv;             /* names a private object: invalidated at logout */
    struct fhi_kent *skent; /* session key objects: cached key (keycache.c), or NULL */
    uint32_t sprev, snext; /* session objects: neighbours in tok's list (handles, 0: none) */
};

struct fh_token {
    fh_ctx *ctx;
    pthread_mutex_t lock;   /* guards everything below */
    int64_t id;
    char label[FH_TOKEN_LABEL_MAX + 1];
    /* "token:LABEL/public", ".../user", ".../so": the audit actor of each
     * login state, made once (fhi_token_actor runs at every operation) */
    char actor[3][FH_TOKEN_LABEL_MAX + 16];
    CK_USER_TYPE login;     /* FHI_NOBODY, CKU_USER or CKU_SO */
    fh_secret *tmk;         /* token master key while logged in */
    struct fhi_handle *handles; /* handle h is handles[h - 1] */
    size_t n_handles;           /* handles ever given out: never reused, never shrinks */
    size_t cap_handles;
    uint32_t sobj_first;        /* live session objects, in handle order (object.c) */
    uint32_t sobj_last;
    size_t n_sobj;
    struct fhi_i64map by_store_id;
    fh_session **sessions;
    size_t n_sessions;
    size_t cap_sessions;
    struct fhi_kent **kcache;   /* decrypted keys (keycache.c) */
    int64_t *kcache_ids;        /* store id of kcache[i] */
    size_t kcache_n;
    struct fhi_i64map kcache_idx; /* store id -> index + 1 */
    uint64_t kcache_gen;        /* store generation the cache belongs to */
    bool kcache_gen_valid;
    size_t kcache_sess_n;       /* handles with a cached session key (skent) */
    uint64_t kcache_sess_epoch; /* bumped whenever a session key entry is dropped */
    uint64_t obj_epoch;         /* fh_token_stamp: fhi_epoch_next() at every object change */
};

/* A number no earlier call returned (process-wide): token and object epochs. */
uint64_t fhi_epoch_next(void);
/* An object of tok was created, changed, destroyed, or its visibility
 * changed (tok->lock held): a new stamp (fh_token_stamp). */
void fhi_token_touch_locked(fh_token *tok);

#define FHI_NOBODY ((CK_USER_TYPE)-1)
#define FHI_TMK_LEN 32

/* "token:<label>/<user|so|public>" into buf. */
void fhi_token_actor(const fh_token *tok, char *buf, size_t len);
/* The serial (16 uppercase hex digits) of a token record; FH_E_STORE_CORRUPT. */
fh_rv fhi_token_row_serial(const struct fh_store_token *row, char out[FH_APIKEY_SERIAL_HEX + 1]);

/* ---- objects (object.c, attr_rules.c) ---- */

struct fhi_obj {
    CK_OBJECT_CLASS cls;
    CK_KEY_TYPE kt;          /* CK_UNAVAILABLE_INFORMATION for non-keys */
    struct fh_attrs attrs;   /* every attribute but the secret value */
    fh_secret *value;        /* secret CKA_VALUE (key material), NULL if none or not loaded */
    bool has_secret;         /* the object carries a secret value (may be not loaded) */
    uint8_t *sealed;         /* token objects: sealed secrets as stored */
    size_t sealed_len;
};

/* A new object of class cls and key type kt from a C_CreateObject template:
 * the attribute rules applied (so: as the SO) and the defaults filled. */
fh_rv fhi_obj_from_template(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, const CK_ATTRIBUTE *tmpl,
                            CK_ULONG n, bool so, struct fhi_obj **out);

void fhi_obj_free(struct fhi_obj *o);

/* Which template operation an attribute check is for (PKCS#11 footnotes). */
enum fhi_tmpl_op {
    FHI_TMPL_CREATE,
    FHI_TMPL_GENERATE,
    FHI_TMPL_UNWRAP,
    FHI_TMPL_DERIVE,
    FHI_TMPL_COPY,
    FHI_TMPL_SET,
};

/*
 * Check a user template for class cls / key type kt and operation op, and
 * merge it into attrs (which may already hold values, for copy/set).
 * Applies defaults for creation operations.
 */
fh_rv fhi_rules_apply(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, enum fhi_tmpl_op op,
                      const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool so_logged_in,
                      struct fh_attrs *attrs);
/* Fill defaults and derived attributes of a new object (after apply). */
fh_rv fhi_rules_defaults(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, enum fhi_tmpl_op op,
                         struct fh_attrs *attrs);
/* Whether attribute type may be revealed for this object. */
bool fhi_rules_readable(const struct fhi_obj *o, CK_ATTRIBUTE_TYPE type);
/* Whether type is a valid attribute of the class/key type at all. */
bool fhi_rules_known(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type);
/* Remove every attribute of footnote 7 (secret components) from attrs. */
void fhi_rules_strip_secret(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, struct fh_attrs *attrs);
/* Whether type is a footnote-7 secret component of the class / key type. */
bool fhi_rules_is_secret_component(CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, CK_ATTRIBUTE_TYPE type);
/* Whether the class carries a secret CKA_VALUE (key material or private data). */
bool fhi_rules_value_is_secret(CK_OBJECT_CLASS cls, const struct fh_attrs *attrs);

/* Find a CK_ULONG / CK_BBOOL in a user template; FH_E_ATTR_VALUE_INVALID on bad length. */
fh_rv fhi_tmpl_ulong(const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_ATTRIBUTE_TYPE type, bool *found,
                     CK_ULONG *out);
const CK_ATTRIBUTE *fhi_tmpl_find(const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_ATTRIBUTE_TYPE type);

/*
 * Persist a new object (token objects) or register a session object; takes
 * ownership of *o in both cases and returns its handle.
 */
fh_rv fhi_obj_add(fh_session *s, struct fhi_obj **o, CK_OBJECT_HANDLE *out);
/*
 * Load the object behind h, checking visibility (private objects need a
 * login). want_secret decrypts the secret value (needs the TMK). The caller
 * frees the result with fhi_obj_free.
 */
fh_rv fhi_obj_get(fh_session *s, CK_OBJECT_HANDLE h, bool want_secret, struct fhi_obj **out);
/* The CKA_KEY_TYPE of a template for a key of class cls (public, private,
 * secret): FH_E_TEMPLATE_INCOMPLETE without one, FH_E_ATTR_VALUE_INVALID for
 * a type such a key cannot have here. */
fh_rv fhi_tmpl_key_type(CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_KEY_TYPE *kt);
/* Move material and the backend's public attributes into key object o. */
fh_rv fhi_obj_take_material(struct fhi_obj *o, fh_secret **material, const struct fh_attrs *pub);
/* Whether type is bound into the AAD of the object's sealed value. */
bool fhi_attr_is_bound(CK_ATTRIBUTE_TYPE type);
/* A backend view of a loaded key object. */
void fhi_obj_bkey(const struct fhi_obj *o, struct fh_bkey *bk);
/* "token:<label>/key:<label>" for audit records. */
void fhi_obj_name(const fh_token *tok, const struct fhi_obj *o, char *buf, size_t len);

/* ---- key cache (keycache.c) ---- */

struct fhi_kent;

/*
 * A referenced, decrypted key for handle h (cached for token objects).
 * Visibility and login are checked as by fhi_obj_get. Release with
 * fhi_kent_unref; the object must not be modified.
 */
fh_rv fhi_key_acquire(fh_session *s, CK_OBJECT_HANDLE h, struct fhi_kent **out);
void fhi_kent_unref(struct fhi_kent *e);
const struct fhi_obj *fhi_kent_obj(const struct fhi_kent *e);
/* Backend view, with the prepared key. */
void fhi_kent_bkey(const struct fhi_kent *e, struct fh_bkey *bk);
/* Drop every entry, token and session objects alike (logout, close). */
void fhi_kcache_clear_locked(fh_token *tok);
void fhi_kcache_drop_locked(fh_token *tok, int64_t store_id);
/* Drop the cached key of a session object's handle (object changed or gone). */
void fhi_kcache_drop_handle_locked(fh_token *tok, struct fhi_handle *ent);

/* ---- sessions (session.c) ---- */

struct fhi_op {
    enum fh_op_kind kind;
    const struct fh_mech_desc *mech;
    void *bctx;     /* backend operation context */
    bool multi;     /* update was called: single-part calls now refused */
    bool failed;    /* fail-closed marker (STYLE rule 13) */
    char object[96];
};

struct fh_session {
    fh_token *tok;
    bool rw;
    struct fhi_op ops[FH_OP_KIND_COUNT];
};

/* Mechanism/key checks shared by operations and key management: type,
 * usage attribute (0: none), CKA_ALLOWED_MECHANISMS, key size. */
fh_rv fhi_key_check(const struct fh_mech_desc *m, const struct fhi_obj *o,
                    CK_ATTRIBUTE_TYPE usage);

/* Logout: forget handles of private objects, destroy private session objects. */
void fhi_token_drop_private_locked(fh_token *tok);

/* Called by fh_token_close for each session, and from fh_session_close. */
void fhi_session_drop_objects_locked(fh_token *tok, fh_session *s);

#endif /* FERROHSM_CORE_INT_H */
