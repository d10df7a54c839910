/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote.h - remote slots: the PKCS#11 module as a thin client of
 * ferrohsm-server for the tokens named by [remote.NAME] sections
 * (docs/pkcs11.md "Remote slots", docs/config.md).
 *
 * Pieces: remote_conf.c (the sections, the API key, the slot table and its
 * client pools), remote_slot.c (slot and token information, mechanisms,
 * sessions, login state, object handles), remote_obj.c (find, attributes,
 * key generation and lifecycle), remote_spki.c (public keys of
 * C_CreateObject as PEM), remote_ops.c (the cryptographic
 * operations, mechanism parameters to the REST bodies and back) and
 * remote_dispatch.c (the function lists' entry points: a remote slot id or
 * session handle goes here, everything else to entry.c).
 *
 * Handle spaces. Remote slots have ids P11R_SLOT_BASE + k (k from a hash of
 * NAME, so an id is stable across restarts and independent of the local
 * tokens); remote session handles start at P11R_SESSION_BASE, far above any
 * local session counter. Object handles are per module instance and only
 * meaningful in a remote session.
 *
 * Locks (after the module life lock, which every call holds for reading):
 * session call lock -> slot lock -> remote table lock (leaves). No lock but
 * the session's call lock is held across a request to the server; the pool
 * has its own lock for its free list.
 */
#ifndef FERROHSM_PKCS11_REMOTE_H
#define FERROHSM_PKCS11_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/pkcs11/pkcs11.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/session.h"

#include "client.h"
#include "client_pool.h"
#include "client_url.h"
#include "p11.h"

#define P11R_SLOT_BASE ((CK_SLOT_ID)0x7E000000UL)
#define P11R_SLOT_SPAN ((CK_SLOT_ID)0x10000UL)
#define P11R_SESSION_BASE ((CK_SESSION_HANDLE)1 << (sizeof(CK_SESSION_HANDLE) * 8 - 2))
#define P11R_IS_SLOT(id) ((id) >= P11R_SLOT_BASE && (id) < P11R_SLOT_BASE + P11R_SLOT_SPAN)
#define P11R_IS_SESSION(h) ((h) >= P11R_SESSION_BASE)

#define P11R_MAX_INPUT ((size_t)1 << 20) /* the REST input limit (docs/api.md) */
#define P11R_ID_MAX 64                   /* CKA_ID bytes the REST API accepts */
#define P11R_LABEL_MAX 255

/* One mechanism the server offers. */
struct p11r_mech {
    CK_MECHANISM_TYPE type;
    CK_MECHANISM_INFO info;
};

struct p11r_slot {
    CK_SLOT_ID id;
    char *name;  /* the section's NAME */
    char *token; /* the server-side token label */
    char *url;
    fh_client_pool *pool;
    void *lock; /* guards everything below */
    CK_ULONG n_sessions, n_rw;
    CK_USER_TYPE who; /* (CK_USER_TYPE)-1: nobody logged in */
    struct p11r_mech *mechs;
    size_t n_mechs;
    bool mechs_loaded;
    /* the token's import transport key (remote_import.c), fetched on first use */
    char *imp_ref;     /* "import:HEX", its name in an import's "wrapping_key" */
    uint8_t *imp_spki; /* its public key, DER SubjectPublicKeyInfo */
    size_t imp_spki_len;
};

/* What a remote object handle stands for. */
struct p11r_obj {
    CK_OBJECT_HANDLE h;
    struct p11r_slot *slot;
    uint8_t id[P11R_ID_MAX];
    size_t id_len;
    char label[P11R_LABEL_MAX + 1];
    CK_OBJECT_CLASS cls;
    CK_KEY_TYPE kt;
    CK_ULONG bits;   /* modulus bits, curve bits, secret bits; 0 unknown */
    char curve[16];  /* "ec-p256" ...; "" */
    unsigned usage;  /* FH_USAGE_* that are true */
    bool extractable, sensitive;
    bool gone; /* destroyed with the other half of its pair: only C_DestroyObject accepts it */
};

enum p11r_opk { P11R_ENC, P11R_DEC, P11R_SIGN, P11R_VERIFY, P11R_DIGEST, P11R_NOPS };

/* One active operation (remote_ops.c). */
struct p11r_op {
    bool active;
    bool multi;                /* an *Update was seen */
    CK_MECHANISM_TYPE mech;
    json_t *body;              /* mechanism name and parameters, ready to send */
    struct p11r_obj key;       /* copy: the handle may be destroyed meanwhile */
    uint8_t *in;               /* buffered input (cleansed) */
    size_t in_len;
    uint8_t *out;              /* result of the real call kept for a length query */
    size_t out_len;
    bool have_out;
    uint64_t ctr_left; /* AES_CTR with a short counter: bytes before it wraps; 0 no limit */
};

struct p11r_find {
    bool active;
    CK_OBJECT_HANDLE *v;
    size_t n, pos;
};

struct p11r_session {
    CK_SESSION_HANDLE h;
    struct p11r_slot *slot;
    bool rw;
    void *lock;    /* held for one call on the session */
    unsigned refs; /* remote table lock */
    bool closed;   /* remote table lock */
    struct p11r_find find;
    struct p11r_op ops[P11R_NOPS];
};

struct p11_remote {
    fh_ctx *ctx; /* the module's core context (borrowed): the mechanism registry */
    struct p11r_slot *slots;
    size_t n_slots;
    void *lock; /* guards sessions, objects and the counters */
    struct p11r_session **sessions;
    size_t n_sessions, cap_sessions;
    CK_SESSION_HANDLE next_session;
    struct p11r_obj **objs;
    size_t n_objs, cap_objs;
    CK_OBJECT_HANDLE next_obj;
};

/* ---- remote_conf.c ---- */

/*
 * Read the [remote.*] sections of the configuration file the core reads
 * (FERROHSM_CONF, else $FERROHSM_HOME/ferrohsm.conf) and make one slot and
 * one client pool for each. *out is NULL when there is none. A bad section
 * is FH_E_CONFIG (C_Initialize fails: a typo must not drop a slot
 * silently); nothing is sent to a server here.
 */
fh_rv p11r_init(fh_ctx *ctx, struct p11_remote **out);
void p11r_free(struct p11_remote *r); /* NULL is a no-op */
struct p11r_slot *p11r_slot_get(struct p11_remote *r, CK_SLOT_ID id);

/* ---- remote_slot.c ---- */

/* A request on a pooled client of the slot; *resp as fh_client_request. */
fh_rv p11r_request(struct p11r_slot *slot, const char *method, const char *path, json_t *body,
                   struct fh_client_resp *resp);
/* Path of the token, or of one of its keys ("id:HEX", else the label), + suffix. */
char *p11r_token_path(const struct p11r_slot *slot, const char *suffix);
char *p11r_key_path(const struct p11r_obj *o, const char *suffix);
char *p11r_key_ref(const struct p11r_obj *o); /* "id:HEX" or the label; malloc'ed */

CK_RV p11r_slot_info(struct p11r_slot *slot, CK_SLOT_INFO *info);
CK_RV p11r_token_info(struct p11r_slot *slot, CK_TOKEN_INFO *info);
CK_RV p11r_mech_list(struct p11r_slot *slot, CK_MECHANISM_TYPE *out, CK_ULONG *count);
CK_RV p11r_mech_info(struct p11r_slot *slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);
bool p11r_has_mech(struct p11r_slot *slot, CK_MECHANISM_TYPE type, CK_FLAGS op);

CK_RV p11r_session_open(struct p11_remote *r, struct p11r_slot *slot, bool rw,
                        CK_SESSION_HANDLE *out);
CK_RV p11r_session_acquire(struct p11_remote *r, CK_SESSION_HANDLE h, struct p11r_session **out);
void p11r_session_release(struct p11_remote *r, struct p11r_session *s);
void p11r_session_close(struct p11_remote *r, struct p11r_session *s);
void p11r_sessions_close_slot(struct p11_remote *r, struct p11r_slot *slot);
CK_STATE p11r_session_state(const struct p11r_session *s);
CK_RV p11r_login(struct p11r_session *s, CK_USER_TYPE who);
CK_RV p11r_logout(struct p11r_session *s);
/* Whether the session may see and use private and secret keys. */
bool p11r_user(const struct p11r_session *s);

/* Object handles: the handle of (slot, id, class, label), made on first sight. */
fh_rv p11r_obj_intern(struct p11_remote *r, const struct p11r_obj *o, CK_OBJECT_HANDLE *out);
/* Copy of the object h of slot; FH_E_OBJECT_HANDLE_INVALID when unknown, or gone (then *out is
 * filled, with gone set). */
fh_rv p11r_obj_get(struct p11_remote *r, struct p11r_slot *slot, CK_OBJECT_HANDLE h,
                   struct p11r_obj *out);
/* The key of o was destroyed: forget o's handle (and a gone one), mark the other halves gone. */
void p11r_obj_forget(struct p11_remote *r, const struct p11r_obj *o);
/* Fill o from a KEYOBJ of a listing (docs/api.md). */
fh_rv p11r_obj_from_json(struct p11r_slot *slot, json_t *keyobj, struct p11r_obj *o);

/* ---- remote_obj.c ---- */

CK_RV p11r_find_init(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t,
                     CK_ULONG n);
CK_RV p11r_find_next(struct p11r_session *s, CK_OBJECT_HANDLE *out, CK_ULONG max,
                     CK_ULONG *count);
CK_RV p11r_find_final(struct p11r_session *s);
void p11r_find_clear(struct p11r_find *f);
CK_RV p11r_get_attrs(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h,
                     CK_ATTRIBUTE *t, CK_ULONG n);
CK_RV p11r_set_attrs(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h,
                     const CK_ATTRIBUTE *t, CK_ULONG n);
CK_RV p11r_object_size(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h,
                       CK_ULONG *size);
CK_RV p11r_destroy(struct p11_remote *r, struct p11r_session *s, CK_OBJECT_HANDLE h);
CK_RV p11r_create(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
                  CK_OBJECT_HANDLE *out);
CK_RV p11r_generate(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
                    const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out);
CK_RV p11r_generate_pair(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
                         const CK_ATTRIBUTE *pt, CK_ULONG pn, const CK_ATTRIBUTE *kt, CK_ULONG kn,
                         CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
/*
 * The new key of a 201 {"key": {..., "objects": [KEYOBJ...]}} answer: the
 * handle of its object of class cls (and, for a pair, of the other half).
 */
CK_RV p11r_created(struct p11_remote *r, struct p11r_slot *slot, json_t *answer,
                   CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, CK_OBJECT_HANDLE *other,
                   enum fh_p11_ctx c);
/*
 * Template of a new key for a REST body: label, id, usage, extractable
 * into body; refuses what the REST API cannot express (see remote_obj.c).
 * cls and kt are the class and key type the template describes (an
 * attribute they do not have is CKR_ATTRIBUTE_TYPE_INVALID); *usage_out the
 * usage attributes given (true ones | false ones << 8).
 */
CK_RV p11r_template_body(const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt,
                         json_t *body, unsigned *usage_out, bool *usage_given);
/*
 * "usage" of body: the words of (defaults without the false ones | the true
 * ones of packed), within mask; none left is CKR_TEMPLATE_INCONSISTENT.
 */
CK_RV p11r_usage_set(json_t *body, unsigned packed, unsigned defaults, unsigned mask);
/* The CKA_CLASS of a template, CK_UNAVAILABLE_INFORMATION when absent or malformed. */
CK_OBJECT_CLASS p11r_create_class(const CK_ATTRIBUTE *t, CK_ULONG n);
/* The value of attribute type in t, or NULL. */
const CK_ATTRIBUTE *p11r_attr_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type);

/* ---- remote_import.c ---- */

/*
 * C_CreateObject of a secret or private key: the template checked as a
 * local token checks it (the core's rules, tmplwrap.h), the key wrapped
 * locally for the token's import transport key (CKM_RSA_AES_KEY_WRAP) and
 * imported; no key value leaves the module in plaintext.
 */
CK_RV p11r_create_wrapped(struct p11_remote *r, struct p11r_session *s, const CK_ATTRIBUTE *t,
                          CK_ULONG n, CK_OBJECT_HANDLE *out);
/* Forget the slot's import transport key (slot teardown; a stale reference). */
void p11r_import_forget(struct p11r_slot *slot);
/*
 * "usage" of body for a new key of class cls and type kt (imported or
 * unwrapped) whose template's usage attributes are packed (true | false <<
 * 8): the template's class decides its own usages over the type's defaults;
 * a private key's public half keeps the defaults of its type (a REST usage
 * word applies to both halves). Nothing given: the server's defaults.
 */
CK_RV p11r_new_key_usage(json_t *body, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, unsigned packed,
                         bool given);

/* ---- remote_spki.c ---- */

struct fh_curve_desc;
/*
 * The SubjectPublicKeyInfo PEM of the public key of type kt (CKK_RSA: CKA_MODULUS and
 * CKA_PUBLIC_EXPONENT; CKK_EC, CKK_EC_EDWARDS: CKA_EC_PARAMS and CKA_EC_POINT) in t.
 * *pem is malloc'ed (the caller frees it); *curve is the curve (NULL for RSA). Errors:
 * CKR_TEMPLATE_INCOMPLETE (a value missing), CKR_ATTRIBUTE_VALUE_INVALID (malformed),
 * CKR_CURVE_NOT_SUPPORTED, CKR_TEMPLATE_INCONSISTENT (another key type), CKR_HOST_MEMORY.
 */
CK_RV p11r_spki_pem(const CK_ATTRIBUTE *t, CK_ULONG n, CK_KEY_TYPE kt, char **pem,
                    const struct fh_curve_desc **curve);

/* ---- remote_ops.c ---- */

CK_RV p11r_op_init(struct p11_remote *r, struct p11r_session *s, enum p11r_opk k,
                   const CK_MECHANISM *m, CK_OBJECT_HANDLE key);
CK_RV p11r_op_oneshot(struct p11r_session *s, enum p11r_opk k, const CK_BYTE *in, CK_ULONG in_len,
                      CK_BYTE *out, CK_ULONG *out_len);
CK_RV p11r_op_update(struct p11r_session *s, enum p11r_opk k, const CK_BYTE *in, CK_ULONG in_len,
                     CK_BYTE *out, CK_ULONG *out_len);
CK_RV p11r_op_final(struct p11r_session *s, enum p11r_opk k, CK_BYTE *out, CK_ULONG *out_len);
CK_RV p11r_verify(struct p11r_session *s, bool oneshot, const CK_BYTE *in, CK_ULONG in_len,
                  const CK_BYTE *sig, CK_ULONG sig_len);
void p11r_op_end(struct p11r_op *op);
/* C_SessionCancel: end the operations named by flags (CKF_ENCRYPT ... CKF_FIND_OBJECTS). */
void p11r_cancel(struct p11r_session *s, CK_FLAGS flags);
CK_RV p11r_wrap(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
                CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key, CK_BYTE *out, CK_ULONG *out_len);
CK_RV p11r_unwrap(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
                  CK_OBJECT_HANDLE unwrapping, const CK_BYTE *wrapped, CK_ULONG wrapped_len,
                  const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out);
CK_RV p11r_derive(struct p11_remote *r, struct p11r_session *s, const CK_MECHANISM *m,
                  CK_OBJECT_HANDLE base, const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out);
CK_RV p11r_random(struct p11r_session *s, CK_BYTE *out, CK_ULONG len);
/* Base64 into a JSON string (NULL on failure); binary out of a JSON string field. */
json_t *p11r_b64(const uint8_t *p, size_t n);
fh_rv p11r_unb64(json_t *obj, const char *field, size_t max, uint8_t **out, size_t *out_len);

#endif /* FERROHSM_PKCS11_REMOTE_H */
