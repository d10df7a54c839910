/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c - sessions and their cryptographic operations.
 *
 * Each session holds at most one operation per kind (encrypt, decrypt, sign,
 * verify, digest). fh_op_init runs the checks of PKCS#11 in SoftHSM's ladder
 * order (mechanism, key handle, login, class and type, usage flag, allowed
 * mechanisms, key size) and then asks the backend, which checks parameters.
 * State fails closed (STYLE rule 13): any error ends the operation, except a
 * length query and FH_E_BUFFER_TOO_SMALL, which change nothing.
 *
 * The session's operation state is used by one thread at a time (the
 * caller's contract); the session list of the token is guarded by tok->lock.
 */
#include "core-int.h"

#include <stdlib.h>
#include <string.h>

fh_rv
fh_session_open(fh_token *tok, bool rw, fh_session **out)
{
    fh_session *s;
    fh_rv rv = FH_OK;

    if (tok == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return FH_E_NOMEM;
    }
    s->tok = tok;
    s->rw = rw;
    pthread_mutex_lock(&tok->lock);
    if (tok->n_sessions == tok->cap_sessions) {
        size_t cap = tok->cap_sessions ? tok->cap_sessions * 2 : 8;
        fh_session **v = realloc(tok->sessions, cap * sizeof(*v));

        if (v == NULL) {
            rv = FH_E_NOMEM;
        } else {
            tok->sessions = v;
            tok->cap_sessions = cap;
        }
    }
    if (rv == FH_OK) {
        tok->sessions[tok->n_sessions++] = s;
    }
    pthread_mutex_unlock(&tok->lock);
    if (rv != FH_OK) {
        free(s);
        return rv;
    }
    *out = s;
    return FH_OK;
}

static void
op_end(fh_session *s, enum fh_op_kind kind)
{
    struct fhi_op *op = &s->ops[kind];

    if (op->bctx != NULL) {
        s->tok->ctx->be_ops->op_free(op->bctx);
    }
    memset(op, 0, sizeof(*op));
}

void
fh_session_close(fh_session *s)
{
    fh_token *tok;

    if (s == NULL) {
        return;
    }
    tok = s->tok;
    for (int k = 1; k < FH_OP_KIND_COUNT; k++) {
        op_end(s, (enum fh_op_kind)k);
    }
    fhi_audit_session_closed(tok->ctx);
    pthread_mutex_lock(&tok->lock);
    fhi_session_drop_objects_locked(tok, s);
    for (size_t i = 0; i < tok->n_sessions; i++) {
        if (tok->sessions[i] == s) {
            tok->sessions[i] = tok->sessions[--tok->n_sessions];
            break;
        }
    }
    pthread_mutex_unlock(&tok->lock);
    free(s);
}

bool
fh_session_is_rw(const fh_session *s)
{
    return s != NULL && s->rw;
}

fh_token *
fh_session_token(const fh_session *s)
{
    return s != NULL ? s->tok : NULL;
}

static bool
valid_kind(enum fh_op_kind op)
{
    return op > FH_OP_NONE && op < FH_OP_KIND_COUNT;
}

/* Key size in the units of C_GetMechanismInfo (bits, or bytes for secrets). */
static CK_ULONG
key_size(const struct fhi_obj *o)
{
    const struct fh_attr *a;

    switch (o->kt) {
    case CKK_RSA:
        a = fh_attrs_get(&o->attrs, CKA_MODULUS);
        if (a == NULL) {
            return 0;
        }
        {
            size_t i = 0;

            while (i < a->len && a->value[i] == 0) {
                i++;
            }
            if (i == a->len) {
                return 0;
            }
            CK_ULONG bits = (a->len - i) * 8;
            for (uint8_t top = a->value[i]; (top & 0x80) == 0; top <<= 1) {
                bits--;
            }
            return bits;
        }
    case CKK_EC:
    case CKK_EC_EDWARDS: {
        static const struct {
            const char *der;
            size_t len;
            CK_ULONG bits;
        } curves[] = {
            {"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10, 256},
            {"\x06\x05\x2b\x81\x04\x00\x22", 7, 384},
            {"\x06\x05\x2b\x81\x04\x00\x23", 7, 521},
            {"\x06\x03\x2b\x65\x70", 5, 255},
            {"\x06\x03\x2b\x65\x71", 5, 448},
            {"\x13\x0c" "edwards25519", 14, 255},
            {"\x13\x0a" "edwards448", 12, 448},
        };

        a = fh_attrs_get(&o->attrs, CKA_EC_PARAMS);
        for (size_t i = 0; a != NULL && i < sizeof(curves) / sizeof(curves[0]); i++) {
            if (a->len == curves[i].len && memcmp(a->value, curves[i].der, a->len) == 0) {
                return curves[i].bits;
            }
        }
        return 0;
    }
    case CKK_AES:
    case CKK_GENERIC_SECRET:
        return o->value != NULL ? fh_secret_len(o->value)
                                : fh_attrs_ulong(&o->attrs, CKA_VALUE_LEN, 0);
    default:
        return 0;
    }
}

static bool
class_fits(enum fh_op_kind op, CK_OBJECT_CLASS cls)
{
    switch (op) {
    case FH_OP_SIGN:
    case FH_OP_DECRYPT: return cls == CKO_PRIVATE_KEY || cls == CKO_SECRET_KEY;
    case FH_OP_VERIFY:
    case FH_OP_ENCRYPT: return cls == CKO_PUBLIC_KEY || cls == CKO_SECRET_KEY;
    case FH_OP_DIGEST:
    case FH_OP_NONE: return false;
    }
    return false;
}

static CK_ATTRIBUTE_TYPE
usage_attr(enum fh_op_kind op)
{
    switch (op) {
    case FH_OP_SIGN: return CKA_SIGN;
    case FH_OP_VERIFY: return CKA_VERIFY;
    case FH_OP_ENCRYPT: return CKA_ENCRYPT;
    case FH_OP_DECRYPT: return CKA_DECRYPT;
    case FH_OP_DIGEST:
    case FH_OP_NONE: return 0;
    }
    return 0;
}

static const char *
op_audit_name(enum fh_op_kind op)
{
    switch (op) {
    case FH_OP_SIGN: return "sign";
    case FH_OP_VERIFY: return "verify";
    case FH_OP_ENCRYPT: return "encrypt";
    case FH_OP_DECRYPT: return "decrypt";
    case FH_OP_DIGEST: return "digest";
    case FH_OP_NONE: return "none";
    }
    return "none";
}

fh_rv
fhi_key_check(const struct fh_mech_desc *m, const struct fhi_obj *o, CK_ATTRIBUTE_TYPE usage)
{
    const struct fh_attr *allowed = fh_attrs_get(&o->attrs, CKA_ALLOWED_MECHANISMS);
    CK_ULONG size;

    if (!fhi_mech_has_key_type(m, o->kt)) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    if (usage != 0 && !fh_attrs_bool(&o->attrs, usage, false)) {
        return FH_E_KEY_FUNCTION_NOT_PERMITTED;
    }
    if (allowed != NULL && allowed->len > 0) {
        bool ok = false;

        for (size_t i = 0; i + sizeof(CK_MECHANISM_TYPE) <= allowed->len;
             i += sizeof(CK_MECHANISM_TYPE)) {
            CK_MECHANISM_TYPE t;

            memcpy(&t, allowed->value + i, sizeof(t));
            ok = ok || t == m->type;
        }
        if (!ok) {
            return FH_E_MECH_INVALID;
        }
    }
    size = key_size(o);
    if (m->max_key > 0 && (size < m->min_key || size > m->max_key)) {
        return FH_E_KEY_SIZE_RANGE;
    }
    return FH_OK;
}

fh_rv
fh_op_init(fh_session *s, enum fh_op_kind op, const CK_MECHANISM *mech, CK_OBJECT_HANDLE key)
{
    const struct fh_mech_desc *m;
    struct fhi_kent *e = NULL;
    const struct fhi_obj *o = NULL;
    struct fh_bkey bk, *bkp = NULL;
    struct fhi_op *st;
    fh_ctx *ctx;
    char actor[64];
    fh_rv rv;

    if (s == NULL || mech == NULL || !valid_kind(op)) {
        return FH_E_ARGS;
    }
    ctx = s->tok->ctx;
    st = &s->ops[op];
    if (st->mech != NULL) {
        return FH_E_OP_ACTIVE;
    }
    m = fh_mech_get(ctx, mech->mechanism);
    if (m == NULL || (m->flags & fhi_op_flag(op)) == 0) {
        return FH_E_MECH_INVALID;
    }
    if (op != FH_OP_DIGEST) {
        rv = fhi_key_acquire(s, key, &e);
        if (rv == FH_E_OBJECT_HANDLE_INVALID) {
            rv = FH_E_KEY_HANDLE_INVALID;
        }
        if (rv != FH_OK) {
            return rv;
        }
        o = fhi_kent_obj(e);
        if (!class_fits(op, o->cls)) {
            rv = FH_E_KEY_TYPE_INCONSISTENT;
        } else {
            rv = fhi_key_check(m, o, usage_attr(op));
        }
        if (rv != FH_OK) {
            goto out;
        }
        fhi_kent_bkey(e, &bk);
        bkp = &bk;
        fhi_obj_name(s->tok, o, st->object, sizeof(st->object));
    }
    rv = ctx->be_ops->op_init(ctx->be, op, mech, bkp, &st->bctx);
    if (rv == FH_OK) {
        st->kind = op;
        st->mech = m;
    } else {
        st->bctx = NULL;
    }
out:
    if (o != NULL && (op == FH_OP_SIGN || op == FH_OP_DECRYPT || rv == FH_E_KEY_FUNCTION_NOT_PERMITTED)) {
        char name[sizeof(st->object)];

        if (bkp != NULL) {
            memcpy(name, st->object, sizeof(name)); /* named above */
        } else {
            fhi_obj_name(s->tok, o, name, sizeof(name));
        }
        fhi_token_actor(s->tok, actor, sizeof(actor));
        fhi_audit_batched(ctx, actor, op_audit_name(op), name, rv);
    }
    fhi_kent_unref(e);
    return rv;
}

/* Keep the operation after a length query or a too-small buffer; end it otherwise. */
static fh_rv
settle(fh_session *s, enum fh_op_kind op, fh_rv rv, bool query, bool done)
{
    if (rv == FH_E_BUFFER_TOO_SMALL || (rv == FH_OK && query)) {
        return rv;
    }
    if (rv != FH_OK || done) {
        op_end(s, op);
    }
    return rv;
}

fh_rv
fh_op_update(fh_session *s, enum fh_op_kind op, const uint8_t *in, size_t in_len, uint8_t *out,
             size_t *out_len)
{
    struct fhi_op *st;
    fh_rv rv;

    if (s == NULL || !valid_kind(op) || (in == NULL && in_len > 0)) {
        return FH_E_ARGS;
    }
    st = &s->ops[op];
    if (st->mech == NULL) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    if ((st->mech->fh_flags & FH_MECH_MULTIPART) == 0) {
        op_end(s, op);
        return FH_E_MECH_INVALID;
    }
    if ((op == FH_OP_ENCRYPT || op == FH_OP_DECRYPT) && out_len == NULL) {
        op_end(s, op);
        return FH_E_ARGS;
    }
    st->multi = true;
    rv = s->tok->ctx->be_ops->op_update(st->bctx, in, in_len, out, out_len);
    return settle(s, op, rv,
                  out == NULL && (op == FH_OP_ENCRYPT || op == FH_OP_DECRYPT), false);
}

fh_rv
fh_op_final(fh_session *s, enum fh_op_kind op, uint8_t *out, size_t *out_len)
{
    struct fhi_op *st;
    fh_rv rv;

    if (s == NULL || !valid_kind(op) || out_len == NULL) {
        return FH_E_ARGS;
    }
    st = &s->ops[op];
    if (st->mech == NULL) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    if ((st->mech->fh_flags & FH_MECH_MULTIPART) == 0) {
        op_end(s, op);
        return FH_E_MECH_INVALID;
    }
    rv = s->tok->ctx->be_ops->op_final(st->bctx, out, out_len);
    return settle(s, op, rv, out == NULL && op != FH_OP_VERIFY, true);
}

fh_rv
fh_op_oneshot(fh_session *s, enum fh_op_kind op, const uint8_t *in, size_t in_len, uint8_t *out,
              size_t *out_len)
{
    struct fhi_op *st;
    fh_rv rv;

    if (s == NULL || !valid_kind(op) || out_len == NULL || (in == NULL && in_len > 0)) {
        return FH_E_ARGS;
    }
    st = &s->ops[op];
    if (st->mech == NULL) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    if (st->multi) {
        op_end(s, op);
        return FH_E_OP_MIXED;
    }
    rv = s->tok->ctx->be_ops->op_oneshot(st->bctx, in, in_len, out, out_len);
    return settle(s, op, rv, out == NULL && op != FH_OP_VERIFY, true);
}

fh_rv
fh_op_digest_key(fh_session *s, CK_OBJECT_HANDLE h)
{
    struct fhi_op *st;
    struct fhi_obj *o = NULL;
    fh_rv rv;

    if (s == NULL) {
        return FH_E_ARGS;
    }
    st = &s->ops[FH_OP_DIGEST];
    if (st->mech == NULL) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    rv = fhi_obj_get(s, h, true, &o);
    if (rv == FH_E_OBJECT_HANDLE_INVALID) {
        rv = FH_E_KEY_HANDLE_INVALID;
    }
    if (rv == FH_OK && (o->cls != CKO_SECRET_KEY || o->value == NULL)) {
        rv = FH_E_KEY_TYPE_INCONSISTENT;
    }
    if (rv == FH_OK) {
        st->multi = true;
        rv = s->tok->ctx->be_ops->op_update(st->bctx, fh_secret_cdata(o->value),
                                            fh_secret_len(o->value), NULL, NULL);
    }
    fhi_obj_free(o);
    return settle(s, FH_OP_DIGEST, rv, false, false);
}

void
fh_op_cancel(fh_session *s, enum fh_op_kind op)
{
    if (s != NULL && valid_kind(op)) {
        op_end(s, op);
    }
}

bool
fh_op_is_active(const fh_session *s, enum fh_op_kind op)
{
    return s != NULL && valid_kind(op) && s->ops[op].mech != NULL;
}

fh_rv
fh_random(fh_session *s, uint8_t *out, size_t len)
{
    if (s == NULL || (out == NULL && len > 0)) {
        return FH_E_ARGS;
    }
    if (len == 0) {
        return FH_OK;
    }
    return fhi_random(s->tok->ctx, out, len);
}
