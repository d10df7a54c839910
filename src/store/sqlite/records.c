/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.c - token and object rows of the SQLite store, and the reading of
 * the legacy rows of the audit log (audit_log.c owns the log).
 *
 * Each operation takes a cached statement (sqlite.c), binds, steps and hands
 * the statement back. Rows are read in two stages: *_from_row() validates a
 * row and points a record at SQLite's own memory (what iteration callbacks
 * borrow: no allocation per row on the object_find hot path), and *_copy()
 * duplicates it into malloc'ed fields for the *_get calls.
 *
 * Invariants:
 *  - every record handed out passed *_from_row(): ids are INTEGERs, byte
 *    fields are BLOBs within FHI_SQLITE_MAX_BLOB, strings are TEXT without
 *    NUL bytes within their ceiling, hashes are FH_AUDIT_HASH_LEN bytes;
 *    anything else is FH_E_STORE_CORRUPT;
 *  - an out record is zeroed on entry and filled only on success;
 *  - byte fields are bound as BLOBs, an empty one as X'' (never NULL), so an
 *    empty CKA_LABEL finds the objects whose label is empty;
 *  - CK_ULONG values are stored as the int64 with the same bit pattern:
 *    CK_UNAVAILABLE_INFORMATION (~0UL) is -1 in the file and comes back as
 *    ~0UL; a value that does not fit CK_ULONG when read is corrupt.
 */
#include "sqlite-int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ferrohsm/store.h"

/* Record fields are non-const char * / uint8_t *; borrowed rows point them at
 * SQLite's const buffers, which the callbacks receive through a const record. */
static void *
unconst(const void *p)
{
    return (void *)(uintptr_t)p;
}

static int64_t
ulong_to_db(CK_ULONG v)
{
    uint64_t u = (uint64_t)v;
    int64_t s;

    memcpy(&s, &u, sizeof s);
    return s;
}

static fh_rv
ulong_from_db(int64_t s, CK_ULONG *out)
{
    uint64_t u;

    memcpy(&u, &s, sizeof u);
    if (u > (uint64_t)(CK_ULONG)~(CK_ULONG)0) {
        return FH_E_STORE_CORRUPT;
    }
    *out = (CK_ULONG)u;
    return FH_OK;
}

/* ---- arguments ---------------------------------------------------------- */

static fh_rv
check_bytes(const uint8_t *p, size_t len)
{
    if (len > 0 && p == NULL) {
        return FH_E_ARGS;
    }
    return len > FHI_SQLITE_MAX_BLOB ? FH_E_DATA_TOO_LARGE : FH_OK;
}

/* A token label: store.h allows 1..32 bytes. */
static fh_rv
check_token_label(const char *label, size_t *len)
{
    size_t n;

    if (label == NULL) {
        return FH_E_ARGS;
    }
    n = strnlen(label, FHI_SQLITE_TOKEN_LABEL_MAX + 1);
    if (n == 0 || n > FHI_SQLITE_TOKEN_LABEL_MAX) {
        return FH_E_ARGS;
    }
    *len = n;
    return FH_OK;
}

static fh_rv
check_object(const struct fh_store_object *o)
{
    fh_rv rv;

    if (o == NULL || o->token_id <= 0) {
        return FH_E_ARGS;
    }
    rv = check_bytes(o->label, o->label_len);
    if (rv == FH_OK) {
        rv = check_bytes(o->ckid, o->ckid_len);
    }
    if (rv == FH_OK) {
        rv = check_bytes(o->attrs, o->attrs_len);
    }
    if (rv == FH_OK) {
        rv = check_bytes(o->secret, o->secret_len);
    }
    return rv;
}

/* ---- binding ------------------------------------------------------------ */

/* Lengths were checked against FHI_SQLITE_MAX_BLOB (< INT_MAX) by the caller. */
static int
bind_bytes(sqlite3_stmt *st, int idx, const uint8_t *p, size_t len)
{
    /* a NULL pointer would bind SQL NULL, which equals nothing */
    static const uint8_t none[1];

    return sqlite3_bind_blob(st, idx, len > 0 ? (const void *)p : (const void *)none, (int)len,
                             SQLITE_STATIC);
}

/* ?3..?8 of OBJECT_UPDATE, ?2..?7 of OBJECT_INSERT: class .. secret from `first`. */
static int
bind_object_fields(sqlite3_stmt *st, int first, const struct fh_store_object *o)
{
    int rc;

    rc = sqlite3_bind_int64(st, first, ulong_to_db(o->cls));
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, first + 1, ulong_to_db(o->key_type));
    }
    if (rc == SQLITE_OK) {
        rc = bind_bytes(st, first + 2, o->label, o->label_len);
    }
    if (rc == SQLITE_OK) {
        rc = bind_bytes(st, first + 3, o->ckid, o->ckid_len);
    }
    if (rc == SQLITE_OK) {
        rc = bind_bytes(st, first + 4, o->attrs, o->attrs_len);
    }
    if (rc == SQLITE_OK) {
        rc = bind_bytes(st, first + 5, o->secret, o->secret_len);
    }
    return rc;
}

/* ---- reading columns ---------------------------------------------------- */

static fh_rv
col_int(sqlite3_stmt *st, int col, int64_t *out)
{
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER) {
        return FH_E_STORE_CORRUPT;
    }
    *out = sqlite3_column_int64(st, col);
    return FH_OK;
}

static fh_rv
col_id(sqlite3_stmt *st, int col, int64_t *out)
{
    fh_rv rv = col_int(st, col, out);

    return rv == FH_OK && *out <= 0 ? FH_E_STORE_CORRUPT : rv;
}

static fh_rv
col_ulong(sqlite3_stmt *st, int col, CK_ULONG *out)
{
    int64_t v = 0;
    fh_rv rv = col_int(st, col, &v);

    return rv == FH_OK ? ulong_from_db(v, out) : rv;
}

/* A BLOB column (NULL reads as empty when `nullable`). */
static fh_rv
col_blob(sqlite3_stmt *st, int col, bool nullable, uint8_t **p, size_t *len)
{
    int type = sqlite3_column_type(st, col);
    const void *v;
    int n;

    if (type == SQLITE_NULL && nullable) {
        *p = NULL;
        *len = 0;
        return FH_OK;
    }
    if (type != SQLITE_BLOB) {
        return FH_E_STORE_CORRUPT;
    }
    v = sqlite3_column_blob(st, col); /* before _bytes, as SQLite asks */
    n = sqlite3_column_bytes(st, col);
    if (n < 0 || (size_t)n > FHI_SQLITE_MAX_BLOB) {
        return FH_E_STORE_CORRUPT;
    }
    if (n > 0 && v == NULL) {
        return FH_E_NOMEM;
    }
    *p = n > 0 ? unconst(v) : NULL;
    *len = (size_t)n;
    return FH_OK;
}

/* A TEXT column of at most `max` bytes and no NUL inside. */
static fh_rv
col_text(sqlite3_stmt *st, int col, size_t max, char **out)
{
    const unsigned char *v;
    int n;

    if (sqlite3_column_type(st, col) != SQLITE_TEXT) {
        return FH_E_STORE_CORRUPT;
    }
    v = sqlite3_column_text(st, col);
    n = sqlite3_column_bytes(st, col);
    if (v == NULL) {
        return FH_E_NOMEM;
    }
    if (n < 0 || (size_t)n > max || memchr(v, 0, (size_t)n) != NULL) {
        return FH_E_STORE_CORRUPT;
    }
    *out = unconst(v);
    return FH_OK;
}

static fh_rv
col_hash(sqlite3_stmt *st, int col, uint8_t out[FH_AUDIT_HASH_LEN])
{
    uint8_t *p = NULL;
    size_t len = 0;
    fh_rv rv = col_blob(st, col, false, &p, &len);

    if (rv != FH_OK) {
        return rv;
    }
    if (len != FH_AUDIT_HASH_LEN) {
        return FH_E_STORE_CORRUPT;
    }
    memcpy(out, p, FH_AUDIT_HASH_LEN);
    return FH_OK;
}

/* ---- rows: borrowed views and owned copies ------------------------------ */

/* Columns of TOKEN_COLS: id, label, meta. */
static fh_rv
token_from_row(sqlite3_stmt *st, struct fh_store_token *t)
{
    fh_rv rv;

    memset(t, 0, sizeof *t);
    rv = col_id(st, 0, &t->id);
    if (rv == FH_OK) {
        rv = col_text(st, 1, FHI_SQLITE_TOKEN_LABEL_MAX, &t->label);
    }
    if (rv == FH_OK && t->label[0] == '\0') {
        rv = FH_E_STORE_CORRUPT;
    }
    if (rv == FH_OK) {
        rv = col_blob(st, 2, false, &t->meta, &t->meta_len);
    }
    return rv;
}

/* Columns of OBJECT_COLS: id, token_id, class, key_type, label, ckid, attrs, secret. */
static fh_rv
object_from_row(sqlite3_stmt *st, struct fh_store_object *o)
{
    fh_rv rv;

    memset(o, 0, sizeof *o);
    rv = col_id(st, 0, &o->id);
    if (rv == FH_OK) {
        rv = col_id(st, 1, &o->token_id);
    }
    if (rv == FH_OK) {
        rv = col_ulong(st, 2, &o->cls);
    }
    if (rv == FH_OK) {
        rv = col_ulong(st, 3, &o->key_type);
    }
    if (rv == FH_OK) {
        rv = col_blob(st, 4, true, &o->label, &o->label_len);
    }
    if (rv == FH_OK) {
        rv = col_blob(st, 5, true, &o->ckid, &o->ckid_len);
    }
    if (rv == FH_OK) {
        rv = col_blob(st, 6, false, &o->attrs, &o->attrs_len);
    }
    if (rv == FH_OK) {
        rv = col_blob(st, 7, true, &o->secret, &o->secret_len);
    }
    return rv;
}

/* Columns of AUDIT_COLS: seq, time_ms, six strings, prev_hash, hash. */
fh_rv
fhi_sqlite_audit_from_row(sqlite3_stmt *st, struct fh_store_audit *r)
{
    char **text[] = {&r->actor, &r->front, &r->operation, &r->object, &r->result, &r->corr_id};
    fh_rv rv;

    memset(r, 0, sizeof *r);
    rv = col_id(st, 0, &r->seq);
    if (rv == FH_OK) {
        rv = col_int(st, 1, &r->time_ms);
    }
    for (size_t i = 0; rv == FH_OK && i < sizeof text / sizeof text[0]; i++) {
        rv = col_text(st, (int)(2 + i), FHI_SQLITE_MAX_TEXT, text[i]);
    }
    if (rv == FH_OK) {
        rv = col_hash(st, 8, r->prev_hash);
    }
    if (rv == FH_OK) {
        rv = col_hash(st, 9, r->hash);
    }
    return rv;
}

static fh_rv
dup_bytes(const uint8_t *p, size_t len, uint8_t **out)
{
    *out = NULL;
    if (len == 0) {
        return FH_OK;
    }
    *out = malloc(len);
    if (*out == NULL) {
        return FH_E_NOMEM;
    }
    memcpy(*out, p, len);
    return FH_OK;
}

static fh_rv
dup_text(const char *s, char **out)
{
    size_t len = strlen(s) + 1;

    *out = malloc(len);
    if (*out == NULL) {
        return FH_E_NOMEM;
    }
    memcpy(*out, s, len);
    return FH_OK;
}

/* Deep copies: on failure dst is cleared (zeroed, nothing leaked). */
static fh_rv
token_copy(const struct fh_store_token *src, struct fh_store_token *dst)
{
    fh_rv rv;

    memset(dst, 0, sizeof *dst);
    dst->id = src->id;
    dst->meta_len = src->meta_len;
    rv = dup_text(src->label, &dst->label);
    if (rv == FH_OK) {
        rv = dup_bytes(src->meta, src->meta_len, &dst->meta);
    }
    if (rv != FH_OK) {
        fh_store_token_clear(dst);
    }
    return rv;
}

static fh_rv
object_copy(const struct fh_store_object *src, struct fh_store_object *dst)
{
    fh_rv rv;

    *dst = *src;
    dst->label = NULL;
    dst->ckid = NULL;
    dst->attrs = NULL;
    dst->secret = NULL;
    rv = dup_bytes(src->label, src->label_len, &dst->label);
    if (rv == FH_OK) {
        rv = dup_bytes(src->ckid, src->ckid_len, &dst->ckid);
    }
    if (rv == FH_OK) {
        rv = dup_bytes(src->attrs, src->attrs_len, &dst->attrs);
    }
    if (rv == FH_OK) {
        rv = dup_bytes(src->secret, src->secret_len, &dst->secret);
    }
    if (rv != FH_OK) {
        fh_store_object_clear(dst);
    }
    return rv;
}

fh_rv
fhi_sqlite_audit_copy(const struct fh_store_audit *src, struct fh_store_audit *dst)
{
    const char *const from[] = {src->actor,  src->front,  src->operation,
                                src->object, src->result, src->corr_id};
    char **to[] = {&dst->actor, &dst->front, &dst->operation,
                   &dst->object, &dst->result, &dst->corr_id};
    fh_rv rv = FH_OK;

    memset(dst, 0, sizeof *dst);
    dst->seq = src->seq;
    dst->time_ms = src->time_ms;
    memcpy(dst->prev_hash, src->prev_hash, sizeof dst->prev_hash);
    memcpy(dst->hash, src->hash, sizeof dst->hash);
    for (size_t i = 0; rv == FH_OK && i < sizeof to / sizeof to[0]; i++) {
        rv = dup_text(from[i], to[i]);
    }
    if (rv != FH_OK) {
        fh_store_audit_clear(dst);
    }
    return rv;
}

/* ---- stepping ----------------------------------------------------------- */

/* Step a statement that returns no rows. */
static fh_rv
step_done(struct fhi_sqlite *sq, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_DONE) {
        return FH_OK;
    }
    return rc == SQLITE_ROW ? FH_E_GENERAL : fhi_sqlite_fail(sq, rc);
}

/* A bind failure: the same translation as a failed step. */
static fh_rv
bind_rv(struct fhi_sqlite *sq, int rc)
{
    return rc == SQLITE_OK ? FH_OK : fhi_sqlite_fail(sq, rc);
}

/* Step a write that names one row: FH_E_NOT_FOUND when it changed none. */
static fh_rv
step_change(struct fhi_sqlite *sq, sqlite3_stmt *st)
{
    fh_rv rv = step_done(sq, st);

    if (rv == FH_OK && sqlite3_changes(sq->db) == 0) {
        rv = FH_E_NOT_FOUND;
    }
    return rv;
}

/* ---- tokens ------------------------------------------------------------- */

fh_rv
fhi_sqlite_token_insert(void *priv, const struct fh_store_token *t, int64_t *id_out)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt id = FHI_SQ_TOKEN_INSERT;
    sqlite3_stmt *st = NULL;
    size_t label_len = 0;
    fh_rv rv;
    int rc;

    if (t == NULL || id_out == NULL) {
        return FH_E_ARGS;
    }
    rv = check_token_label(t->label, &label_len);
    if (rv == FH_OK) {
        rv = check_bytes(t->meta, t->meta_len);
    }
    if (rv == FH_OK) {
        rv = fhi_sqlite_enter(sq);
    }
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, id, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_text(st, 1, t->label, (int)label_len, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = bind_bytes(st, 2, t->meta, t->meta_len);
    }
    rv = bind_rv(sq, rc);
    if (rv != FH_OK) {
        goto out;
    }
    rv = step_done(sq, st);
    if (rv != FH_OK) {
        goto out;
    }
    *id_out = sqlite3_last_insert_rowid(sq->db);
out:
    fhi_sqlite_stmt_put(sq, id, st);
    return rv;
}

/* ?1 of TOKEN_GET (label, TEXT) or TOKEN_GET_BY_ID (id, INTEGER). */
struct token_key {
    const char *label; /* NULL: by id */
    size_t label_len;
    int64_t id;
};

static int
bind_token_key(sqlite3_stmt *st, const void *arg)
{
    const struct token_key *k = arg;

    if (k->label != NULL) {
        return sqlite3_bind_text(st, 1, k->label, (int)k->label_len, SQLITE_STATIC);
    }
    return sqlite3_bind_int64(st, 1, k->id);
}

/* Row callbacks of fhi_sqlite_fetch_one: validate the row, copy it into arg. */
static fh_rv
token_row_copy(sqlite3_stmt *st, void *arg)
{
    struct fh_store_token row;
    fh_rv rv = token_from_row(st, &row);

    return rv == FH_OK ? token_copy(&row, arg) : rv;
}

static fh_rv
object_row_copy(sqlite3_stmt *st, void *arg)
{
    struct fh_store_object row;
    fh_rv rv = object_from_row(st, &row);

    return rv == FH_OK ? object_copy(&row, arg) : rv;
}

/* One token by label or id, copied into *out. */
static fh_rv
token_fetch(struct fhi_sqlite *sq, enum fhi_sq_stmt id, const char *label, size_t label_len,
            int64_t token_id, struct fh_store_token *out)
{
    const struct token_key key = {label, label_len, token_id};

    return fhi_sqlite_fetch_one(sq, id, bind_token_key, &key, token_row_copy, out);
}

fh_rv
fhi_sqlite_token_get(void *priv, const char *label, struct fh_store_token *out)
{
    struct fhi_sqlite *sq = priv;
    size_t label_len = 0;
    fh_rv rv;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    rv = check_token_label(label, &label_len);
    if (rv == FH_OK) {
        rv = fhi_sqlite_enter(sq);
    }
    if (rv == FH_OK) {
        rv = token_fetch(sq, FHI_SQ_TOKEN_GET, label, label_len, 0, out);
    }
    return rv;
}

fh_rv
fhi_sqlite_token_get_by_id(void *priv, int64_t id, struct fh_store_token *out)
{
    struct fhi_sqlite *sq = priv;
    fh_rv rv;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    if (id <= 0) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv == FH_OK) {
        rv = token_fetch(sq, FHI_SQ_TOKEN_GET_BY_ID, NULL, 0, id, out);
    }
    return rv;
}

fh_rv
fhi_sqlite_token_update_meta(void *priv, int64_t id, const uint8_t *meta, size_t len)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_TOKEN_UPDATE_META;
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    if (id <= 0) {
        return FH_E_ARGS;
    }
    rv = check_bytes(meta, len);
    if (rv == FH_OK) {
        rv = fhi_sqlite_enter(sq);
    }
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_int64(st, 1, id);
    if (rc == SQLITE_OK) {
        rc = bind_bytes(st, 2, meta, len);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rv = step_change(sq, st);
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

fh_rv
fhi_sqlite_token_set_label(void *priv, int64_t id, const char *label)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_TOKEN_SET_LABEL;
    sqlite3_stmt *st = NULL;
    size_t label_len = 0;
    fh_rv rv;
    int rc;

    if (id <= 0) {
        return FH_E_ARGS;
    }
    rv = check_token_label(label, &label_len);
    if (rv == FH_OK) {
        rv = fhi_sqlite_enter(sq);
    }
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_int64(st, 1, id);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 2, label, (int)label_len, SQLITE_STATIC);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rv = step_change(sq, st);
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

/* One statement: ON DELETE CASCADE removes the objects in the same transaction. */
fh_rv
fhi_sqlite_token_delete(void *priv, int64_t id)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_TOKEN_DELETE;
    sqlite3_stmt *st = NULL;
    fh_rv rv;

    if (id <= 0) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rv = bind_rv(sq, sqlite3_bind_int64(st, 1, id));
    if (rv == FH_OK) {
        rv = step_change(sq, st);
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

/* Row callbacks of fhi_sqlite_each: lend the validated row to the caller's callback. */
struct token_visit {
    fh_store_token_cb cb;
    void *arg;
};

static fh_rv
token_row_visit(sqlite3_stmt *st, void *arg)
{
    const struct token_visit *v = arg;
    struct fh_store_token row;
    fh_rv rv = token_from_row(st, &row);

    return rv == FH_OK ? v->cb(v->arg, &row) : rv;
}

fh_rv
fhi_sqlite_token_list(void *priv, fh_store_token_cb cb, void *arg)
{
    struct fhi_sqlite *sq = priv;
    struct token_visit visit = {cb, arg};
    fh_rv rv;

    if (cb == NULL) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    return fhi_sqlite_each(sq, FHI_SQ_TOKEN_LIST, NULL, NULL, token_row_visit, &visit);
}

/* ---- objects ------------------------------------------------------------ */

fh_rv
fhi_sqlite_object_insert(void *priv, const struct fh_store_object *o, int64_t *id_out)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_OBJECT_INSERT;
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    if (id_out == NULL) {
        return FH_E_ARGS;
    }
    rv = check_object(o);
    if (rv == FH_OK) {
        rv = fhi_sqlite_enter(sq);
    }
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_int64(st, 1, o->token_id);
    if (rc == SQLITE_OK) {
        rc = bind_object_fields(st, 2, o);
    }
    rv = bind_rv(sq, rc);
    if (rv != FH_OK) {
        goto out;
    }
    rv = step_done(sq, st); /* FH_E_NOT_FOUND: no such token (foreign key) */
    if (rv != FH_OK) {
        goto out;
    }
    *id_out = sqlite3_last_insert_rowid(sq->db);
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

fh_rv
fhi_sqlite_object_update(void *priv, const struct fh_store_object *o)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_OBJECT_UPDATE;
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    rv = check_object(o);
    if (rv == FH_OK && o->id <= 0) {
        rv = FH_E_ARGS;
    }
    if (rv == FH_OK) {
        rv = fhi_sqlite_enter(sq);
    }
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_int64(st, 1, o->id);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 2, o->token_id);
    }
    if (rc == SQLITE_OK) {
        rc = bind_object_fields(st, 3, o);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rv = step_change(sq, st);
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

fh_rv
fhi_sqlite_object_get(void *priv, int64_t token_id, int64_t id, struct fh_store_object *out)
{
    struct fhi_sqlite *sq = priv;
    const struct fhi_sqlite_i64x2 key = {id, token_id}; /* OBJECT_GET: ?1 id, ?2 token_id */
    fh_rv rv;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    if (token_id <= 0 || id <= 0) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    return fhi_sqlite_fetch_one(sq, FHI_SQ_OBJECT_GET, fhi_sqlite_bind_i64x2, &key, object_row_copy,
                                out);
}

fh_rv
fhi_sqlite_object_delete(void *priv, int64_t token_id, int64_t id)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_OBJECT_DELETE;
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    if (token_id <= 0 || id <= 0) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_int64(st, 1, id);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 2, token_id);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rv = step_change(sq, st);
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

/* Bind the filter of `q` to the statement of its shape (parameter numbers in sqlite.c). */
static int
bind_query(sqlite3_stmt *st, const void *arg)
{
    const struct fh_store_query *q = arg;
    int rc = sqlite3_bind_int64(st, 1, q->token_id);

    if (rc == SQLITE_OK && q->has_cls) {
        rc = sqlite3_bind_int64(st, 2, ulong_to_db(q->cls));
    }
    if (rc == SQLITE_OK && q->has_key_type) {
        rc = sqlite3_bind_int64(st, 3, ulong_to_db(q->key_type));
    }
    if (rc == SQLITE_OK && q->has_label) {
        rc = bind_bytes(st, 4, q->label, q->label_len);
    }
    if (rc == SQLITE_OK && q->has_ckid) {
        rc = bind_bytes(st, 5, q->ckid, q->ckid_len);
    }
    return rc;
}

struct object_visit {
    fh_store_object_cb cb;
    void *arg;
};

static fh_rv
object_row_visit(sqlite3_stmt *st, void *arg)
{
    const struct object_visit *v = arg;
    struct fh_store_object row;
    fh_rv rv = object_from_row(st, &row);

    return rv == FH_OK ? v->cb(v->arg, &row) : rv;
}

fh_rv
fhi_sqlite_object_find(void *priv, const struct fh_store_query *q, fh_store_object_cb cb,
                       void *arg)
{
    struct fhi_sqlite *sq = priv;
    struct object_visit visit = {cb, arg};
    enum fhi_sq_stmt sid;
    unsigned mask = 0;
    fh_rv rv;

    if (q == NULL || cb == NULL || q->token_id <= 0) {
        return FH_E_ARGS;
    }
    if ((q->has_label && q->label_len > 0 && q->label == NULL) ||
        (q->has_ckid && q->ckid_len > 0 && q->ckid == NULL)) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    /* no stored label or id is longer than the ceiling: such a filter matches nothing */
    if ((q->has_label && q->label_len > FHI_SQLITE_MAX_BLOB) ||
        (q->has_ckid && q->ckid_len > FHI_SQLITE_MAX_BLOB)) {
        return FH_OK;
    }
    mask |= q->has_cls ? FHI_SQ_FIND_CLS : 0u;
    mask |= q->has_key_type ? FHI_SQ_FIND_KEY_TYPE : 0u;
    mask |= q->has_label ? FHI_SQ_FIND_LABEL : 0u;
    mask |= q->has_ckid ? FHI_SQ_FIND_CKID : 0u;
    sid = (enum fhi_sq_stmt)(FHI_SQ_OBJECT_FIND_0 + mask);

    return fhi_sqlite_each(sq, sid, bind_query, q, object_row_visit, &visit);
}


/* count(*) of OBJECT_COUNT into *(int64_t *)arg. */
static fh_rv
count_row(sqlite3_stmt *st, void *arg)
{
    int64_t *n = arg;
    fh_rv rv = col_int(st, 0, n);

    return rv == FH_OK && *n < 0 ? FH_E_STORE_CORRUPT : rv;
}

/* The number of objects of a token; 0 for a token that does not exist. */
fh_rv
fhi_sqlite_object_count(void *priv, int64_t token_id, uint64_t *out)
{
    struct fhi_sqlite *sq = priv;
    int64_t n = 0;
    fh_rv rv;

    if (out == NULL || token_id <= 0) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_fetch_one(sq, FHI_SQ_OBJECT_COUNT, fhi_sqlite_bind_i64, &token_id, count_row,
                              &n);
    if (rv == FH_E_NOT_FOUND) {
        rv = FH_E_STORE_CORRUPT; /* count(*) always has a row */
    }
    if (rv == FH_OK) {
        *out = (uint64_t)n;
    }
    return rv;
}
