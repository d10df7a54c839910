/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apikeys.c - API key rows of the SQLite store (table apikeys, schema
 * versions 2 and 3; see migrations[] in sqlite.c). Column scope_by_serial
 * (version 3) is 0 for the rows version 2 wrote, whose scope names labels,
 * and 1 once the core has rewritten the scope with serials.
 *
 * A row holds the public id, the unique name, the role, the token scope and
 * SHA-256 of the key's secret: never the key or the secret. The core checks
 * the meaning of every field; this file checks what the store itself relies
 * on (shapes and ceilings) and reports any row that breaks them as
 * FH_E_STORE_CORRUPT, as records.c does for the other tables.
 *
 * Invariants: an out record is zeroed on entry and filled only on success;
 * the strings handed out are malloc'ed and released by fh_store_apikey_clear.
 * Thread safety: as the rest of the store (one thread per struct fhi_sqlite).
 */
#include "sqlite-int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ferrohsm/store.h"

/* 16 lowercase hex digits. */
static bool
id_ok(const char *id)
{
    if (id == NULL) {
        return false;
    }
    for (size_t i = 0; i < FH_STORE_APIKEY_ID_LEN; i++) {
        char c = id[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return id[FH_STORE_APIKEY_ID_LEN] == '\0';
}

static bool
name_ok(const char *name, size_t *len)
{
    size_t n;

    if (name == NULL) {
        return false;
    }
    n = strnlen(name, FHI_SQLITE_APIKEY_NAME_MAX + 1);
    *len = n;
    return n > 0 && n <= FHI_SQLITE_APIKEY_NAME_MAX;
}

static fh_rv
bind_rv(struct fhi_sqlite *sq, int rc)
{
    return rc == SQLITE_OK ? FH_OK : fhi_sqlite_fail(sq, rc);
}

/* A TEXT column of at most max bytes without NUL, copied into *out (malloc). */
static fh_rv
col_text_dup(sqlite3_stmt *st, int col, size_t max, char **out)
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
    *out = malloc((size_t)n + 1);
    if (*out == NULL) {
        return FH_E_NOMEM;
    }
    memcpy(*out, v, (size_t)n);
    (*out)[n] = '\0';
    return FH_OK;
}

static fh_rv
col_int(sqlite3_stmt *st, int col, int64_t *out)
{
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER) {
        return FH_E_STORE_CORRUPT;
    }
    *out = sqlite3_column_int64(st, col);
    return FH_OK;
}

/* Columns of APIKEY_COLS: id, name, role, all_tokens, tokens, hash, created_ms, revoked_ms,
 * scope_by_serial. */
static fh_rv
apikey_from_row(sqlite3_stmt *st, struct fh_store_apikey *k)
{
    const unsigned char *id;
    const void *hash;
    int64_t v = 0;
    fh_rv rv;

    memset(k, 0, sizeof *k);
    if (sqlite3_column_type(st, 0) != SQLITE_TEXT || sqlite3_column_type(st, 5) != SQLITE_BLOB) {
        return FH_E_STORE_CORRUPT;
    }
    id = sqlite3_column_text(st, 0);
    if (id == NULL) {
        return FH_E_NOMEM;
    }
    if (sqlite3_column_bytes(st, 0) != FH_STORE_APIKEY_ID_LEN || !id_ok((const char *)id)) {
        return FH_E_STORE_CORRUPT;
    }
    memcpy(k->id, id, FH_STORE_APIKEY_ID_LEN + 1);
    hash = sqlite3_column_blob(st, 5);
    if (sqlite3_column_bytes(st, 5) != FH_STORE_APIKEY_HASH_LEN || hash == NULL) {
        return FH_E_STORE_CORRUPT;
    }
    memcpy(k->hash, hash, FH_STORE_APIKEY_HASH_LEN);
    rv = col_text_dup(st, 1, FHI_SQLITE_APIKEY_NAME_MAX, &k->name);
    if (rv == FH_OK && k->name[0] == '\0') {
        rv = FH_E_STORE_CORRUPT;
    }
    if (rv == FH_OK) {
        rv = col_int(st, 2, &v);
    }
    if (rv == FH_OK && (v < 0 || v > UINT32_MAX)) {
        rv = FH_E_STORE_CORRUPT;
    }
    k->role = (uint32_t)v;
    if (rv == FH_OK) {
        rv = col_int(st, 3, &v);
    }
    if (rv == FH_OK && v != 0 && v != 1) {
        rv = FH_E_STORE_CORRUPT;
    }
    k->all_tokens = v == 1;
    if (rv == FH_OK) {
        rv = col_text_dup(st, 4, FHI_SQLITE_APIKEY_TOKENS_MAX, &k->tokens);
    }
    if (rv == FH_OK) {
        rv = col_int(st, 6, &k->created_ms);
    }
    if (rv == FH_OK) {
        rv = col_int(st, 7, &k->revoked_ms);
    }
    if (rv == FH_OK && (k->created_ms < 0 || k->revoked_ms < 0)) {
        rv = FH_E_STORE_CORRUPT;
    }
    if (rv == FH_OK) {
        rv = col_int(st, 8, &v);
    }
    if (rv == FH_OK && v != 0 && v != 1) {
        rv = FH_E_STORE_CORRUPT;
    }
    k->tokens_are_labels = v == 0;
    if (rv != FH_OK) {
        fh_store_apikey_clear(k);
    }
    return rv;
}

fh_rv
fhi_sqlite_apikey_insert(void *priv, const struct fh_store_apikey *k)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_APIKEY_INSERT;
    sqlite3_stmt *st = NULL;
    size_t name_len = 0;
    fh_rv rv;
    int rc;

    if (k == NULL || !id_ok(k->id) || !name_ok(k->name, &name_len) || k->tokens == NULL ||
        k->created_ms < 0 || k->revoked_ms < 0) {
        return FH_E_ARGS;
    }
    if (strnlen(k->tokens, FHI_SQLITE_APIKEY_TOKENS_MAX + 1) > FHI_SQLITE_APIKEY_TOKENS_MAX) {
        return FH_E_DATA_TOO_LARGE;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_text(st, 1, k->id, FH_STORE_APIKEY_ID_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 2, k->name, (int)name_len, SQLITE_STATIC);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 3, k->role);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 4, k->all_tokens ? 1 : 0);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 5, k->tokens, -1, SQLITE_STATIC);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_blob(st, 6, k->hash, FH_STORE_APIKEY_HASH_LEN, SQLITE_STATIC);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 7, k->created_ms);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 8, k->revoked_ms);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 9, k->tokens_are_labels ? 0 : 1);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rc = sqlite3_step(st);
        /* FH_E_EXISTS for a taken id or name (UNIQUE) */
        rv = rc == SQLITE_DONE ? FH_OK : fhi_sqlite_fail(sq, rc);
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

/* ?1 (TEXT) of APIKEY_GET (id) and APIKEY_GET_BY_NAME (name). */
struct apikey_key {
    const char *text;
    size_t len;
};

static int
bind_apikey_key(sqlite3_stmt *st, const void *arg)
{
    const struct apikey_key *k = arg;

    return sqlite3_bind_text(st, 1, k->text, (int)k->len, SQLITE_STATIC);
}

static fh_rv
apikey_row_read(sqlite3_stmt *st, void *arg)
{
    return apikey_from_row(st, arg);
}

static fh_rv
fetch(struct fhi_sqlite *sq, enum fhi_sq_stmt sid, const char *key, size_t key_len,
      struct fh_store_apikey *out)
{
    const struct apikey_key k = {key, key_len};
    fh_rv rv;

    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    return fhi_sqlite_fetch_one(sq, sid, bind_apikey_key, &k, apikey_row_read, out);
}

fh_rv
fhi_sqlite_apikey_get(void *priv, const char *id, struct fh_store_apikey *out)
{
    if (out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    if (!id_ok(id)) {
        return FH_E_ARGS;
    }
    return fetch(priv, FHI_SQ_APIKEY_GET, id, FH_STORE_APIKEY_ID_LEN, out);
}

fh_rv
fhi_sqlite_apikey_get_by_name(void *priv, const char *name, struct fh_store_apikey *out)
{
    size_t len = 0;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    if (!name_ok(name, &len)) {
        return FH_E_ARGS;
    }
    return fetch(priv, FHI_SQ_APIKEY_GET_BY_NAME, name, len, out);
}

fh_rv
fhi_sqlite_apikey_revoke(void *priv, const char *id, int64_t revoked_ms)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_APIKEY_REVOKE;
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    if (!id_ok(id) || revoked_ms <= 0) {
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
    rc = sqlite3_bind_text(st, 1, id, FH_STORE_APIKEY_ID_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 2, revoked_ms);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rc = sqlite3_step(st);
        rv = rc == SQLITE_DONE ? FH_OK : fhi_sqlite_fail(sq, rc);
    }
    if (rv == FH_OK && sqlite3_changes(sq->db) == 0) {
        rv = FH_E_NOT_FOUND;
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}

struct apikey_visit {
    fh_store_apikey_cb cb;
    void *arg;
};

/* Row callback of fhi_sqlite_each: the row is owned, so it is cleared after use. */
static fh_rv
apikey_row_visit(sqlite3_stmt *st, void *arg)
{
    const struct apikey_visit *v = arg;
    struct fh_store_apikey row;
    fh_rv rv = apikey_from_row(st, &row);

    if (rv == FH_OK) {
        rv = v->cb(v->arg, &row);
        fh_store_apikey_clear(&row);
    }
    return rv;
}

fh_rv
fhi_sqlite_apikey_list(void *priv, fh_store_apikey_cb cb, void *arg)
{
    struct fhi_sqlite *sq = priv;
    struct apikey_visit visit = {cb, arg};
    fh_rv rv;

    if (cb == NULL) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    return fhi_sqlite_each(sq, FHI_SQ_APIKEY_LIST, NULL, NULL, apikey_row_visit, &visit);
}

fh_rv
fhi_sqlite_apikey_set_tokens(void *priv, const char *id, const char *tokens)
{
    struct fhi_sqlite *sq = priv;
    const enum fhi_sq_stmt sid = FHI_SQ_APIKEY_SET_TOKENS;
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    if (!id_ok(id) || tokens == NULL) {
        return FH_E_ARGS;
    }
    if (strnlen(tokens, FHI_SQLITE_APIKEY_TOKENS_MAX + 1) > FHI_SQLITE_APIKEY_TOKENS_MAX) {
        return FH_E_DATA_TOO_LARGE;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_stmt_get(sq, sid, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_bind_text(st, 1, id, FH_STORE_APIKEY_ID_LEN, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text(st, 2, tokens, -1, SQLITE_STATIC);
    }
    rv = bind_rv(sq, rc);
    if (rv == FH_OK) {
        rc = sqlite3_step(st);
        rv = rc == SQLITE_DONE ? FH_OK : fhi_sqlite_fail(sq, rc);
    }
    if (rv == FH_OK && sqlite3_changes(sq->db) == 0) {
        rv = FH_E_NOT_FOUND;
    }
out:
    fhi_sqlite_stmt_put(sq, sid, st);
    return rv;
}
