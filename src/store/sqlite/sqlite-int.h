/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlite-int.h - private state of the SQLite store (fh_store_sqlite_ops),
 * shared by sqlite.c (file classification, schema, connection, transactions),
 * records.c (token and object rows), audit_log.c (the audit log) and
 * apikeys.c (API keys). Unit
 * tests include it to reach the connection (EXPLAIN QUERY PLAN checks);
 * nothing else may.
 *
 * Thread safety: one struct fhi_sqlite is used by one thread at a time
 * (store.h); nothing here locks.
 */
#ifndef FERROHSM_STORE_SQLITE_SQLITE_INT_H
#define FERROHSM_STORE_SQLITE_SQLITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include <sqlite3.h>

#include "ferrohsm/store.h"

/* PRAGMA application_id of every FerroHSM store: "FHm1". */
#define FHI_SQLITE_APPLICATION_ID 0x46486D31
/* PRAGMA user_version this build writes; a newer file is refused. */
#define FHI_SQLITE_SCHEMA_VERSION 4 /* 2: apikeys; 3: apikeys.scope_by_serial; 4: audit_pages */

/* Lock wait (sqlite3_busy_timeout). FERROHSM_SQLITE_BUSY_MS overrides it at
 * open (0..FHI_SQLITE_BUSY_MS_MAX); meant for tests, harmless elsewhere. */
#define FHI_SQLITE_BUSY_MS_DEFAULT 10000
#define FHI_SQLITE_BUSY_MS_MAX 600000
#define FHI_SQLITE_BUSY_ENV "FERROHSM_SQLITE_BUSY_MS"

/* Ceilings (STYLE rule 17). Larger inputs give FH_E_DATA_TOO_LARGE; larger
 * values read back from the file give FH_E_STORE_CORRUPT. */
#define FHI_SQLITE_MAX_BLOB ((size_t)16 * 1024 * 1024) /* meta, attrs, secret, label, ckid */
#define FHI_SQLITE_MAX_TEXT ((size_t)4096)               /* each audit string */
#define FHI_SQLITE_TOKEN_LABEL_MAX ((size_t)32)          /* store.h: 1..32 bytes */
#define FHI_SQLITE_APIKEY_NAME_MAX ((size_t)64)          /* store.h: 1..64 bytes */
#define FHI_SQLITE_APIKEY_TOKENS_MAX ((size_t)1024)      /* 16 labels of 32 bytes + '\n' */

/* object_find filter bits; the statement for a query is FIND_0 + mask. */
#define FHI_SQ_FIND_CLS 0x1u
#define FHI_SQ_FIND_KEY_TYPE 0x2u
#define FHI_SQ_FIND_LABEL 0x4u
#define FHI_SQ_FIND_CKID 0x8u
#define FHI_SQ_FIND_SHAPES 16u

/* First copy of the WAL-index header (sqlite.org/walformat.html): every
 * commit rewrites it (change counter, frame count, checksums). */
#define FHI_SQLITE_SHM_HDR 48

/* Cached statements, prepared once at open (SQL in sqlite.c). */
enum fhi_sq_stmt {
    FHI_SQ_BEGIN_IMMEDIATE,
    FHI_SQ_BEGIN_DEFERRED,
    FHI_SQ_COMMIT,
    FHI_SQ_ROLLBACK,
    FHI_SQ_APPLICATION_ID,
    FHI_SQ_USER_VERSION,
    FHI_SQ_TOKEN_INSERT,
    FHI_SQ_TOKEN_GET,
    FHI_SQ_TOKEN_GET_BY_ID,
    FHI_SQ_TOKEN_UPDATE_META,
    FHI_SQ_TOKEN_SET_LABEL,
    FHI_SQ_TOKEN_DELETE,
    FHI_SQ_TOKEN_LIST,
    FHI_SQ_OBJECT_INSERT,
    FHI_SQ_OBJECT_UPDATE,
    FHI_SQ_OBJECT_GET,
    FHI_SQ_OBJECT_DELETE,
    FHI_SQ_OBJECT_COUNT,
    FHI_SQ_AUDIT_LAST,  /* legacy rows (schema 1..3) */
    FHI_SQ_AUDIT_LIST,
    FHI_SQ_AUDIT_PAGE_LAST,
    FHI_SQ_AUDIT_PAGE_LIST,
    FHI_SQ_AUDIT_PAGE_INSERT,
    FHI_SQ_AUDIT_TAKEN,
    FHI_SQ_DATA_VERSION,
    FHI_SQ_APIKEY_INSERT,
    FHI_SQ_APIKEY_GET,
    FHI_SQ_APIKEY_GET_BY_NAME,
    FHI_SQ_APIKEY_REVOKE,
    FHI_SQ_APIKEY_LIST,
    FHI_SQ_APIKEY_SET_TOKENS,
    FHI_SQ_OBJECT_FIND_0, /* ... FHI_SQ_OBJECT_FIND_0 + 15 */
    FHI_SQ_STMT_COUNT = FHI_SQ_OBJECT_FIND_0 + FHI_SQ_FIND_SHAPES
};

enum fhi_sq_txn {
    FHI_SQ_TXN_NONE,    /* autocommit: every call is its own transaction */
    FHI_SQ_TXN_ACTIVE,  /* between begin and commit/rollback */
    FHI_SQ_TXN_ABORTED, /* SQLite rolled the transaction back on an error; every
                         * call fails with txn_rv until rollback() */
};

/* The priv of fh_store_sqlite_ops; the core allocates it zeroed. */
/* A file of ours held open by fdreg.c (see there why nothing is closed early). */
struct fhi_fdkey {
    dev_t dev;
    ino_t ino;
    bool set;
};

/*
 * Hand fd (of the database or -shm file) to the registry and take one
 * reference on its file; false when that failed (the descriptor is then
 * left open, never closed). fhi_fdreg_release drops the reference; the
 * file's descriptors are closed when its last reference goes.
 */
bool fhi_fdreg_keep(int fd, struct fhi_fdkey *key);
void fhi_fdreg_release(struct fhi_fdkey *key);

struct fhi_sqlite {
    sqlite3 *db;
    sqlite3_stmt *stmt[FHI_SQ_STMT_COUNT];
    enum fhi_sq_txn txn;
    fh_rv txn_rv; /* why the transaction was aborted */
    int busy_ms;
    char *shm_path;       /* "<db>-shm": the WAL index */
    int shm_fd;           /* read-only; owned by fdreg.c once shm_key is set */
    struct fhi_fdkey shm_key;
    struct fhi_fdkey db_key; /* check_file's descriptor of the database file */
    bool shm_tried;
    const uint32_t *shm_map; /* read-only shared mapping of the header, or NULL */
    uint32_t shm_hdr[FHI_SQLITE_SHM_HDR / 4]; /* header seen at the last generation query */
    uint64_t gen;         /* PRAGMA data_version at that query */
    bool gen_valid;
};

/* The one translation of SQLite result codes (extended or primary) to fh_rv. */
fh_rv
fhi_sqlite_rv(int rc);

/*
 * fhi_sqlite_fail - translate a failed step, and notice when SQLite rolled back
 * the open transaction by itself (SQLITE_FULL, IOERR, BUSY, NOMEM may do so):
 * the transaction is then marked aborted, so later calls cannot silently run
 * in autocommit mode. Returns the translated code.
 */
fh_rv
fhi_sqlite_fail(struct fhi_sqlite *sq, int rc);

/* Entry check of every record operation: an open store, no aborted transaction. */
fh_rv
fhi_sqlite_enter(struct fhi_sqlite *sq);

/*
 * fhi_sqlite_stmt_get - the cached statement `id`, or, when it is already
 * stepping (a callback of an iteration re-entered the store), a fresh copy.
 * Pair every successful get with fhi_sqlite_stmt_put.
 */
fh_rv
fhi_sqlite_stmt_get(struct fhi_sqlite *sq, enum fhi_sq_stmt id, sqlite3_stmt **out);

/* Reset and unbind a cached statement, or finalize a fresh copy. NULL is a no-op. */
void
fhi_sqlite_stmt_put(struct fhi_sqlite *sq, enum fhi_sq_stmt id, sqlite3_stmt *st);

/* Binds the parameters of a statement; returns an SQLite result code. */
typedef int (*fhi_sqlite_bind_fn)(sqlite3_stmt *st, const void *arg);
/* Reads the current row of st; any code but FH_OK stops an iteration. */
typedef fh_rv (*fhi_sqlite_row_fn)(sqlite3_stmt *st, void *arg);

/*
 * fhi_sqlite_each - get statement `id`, bind it with bind(st, bind_arg) (none
 * when bind is NULL), and call row(st, row_arg) for each row until the rows
 * end (FH_OK) or row() returns anything else (returned as is). A failed bind
 * or step is translated by fhi_sqlite_fail. The statement is always put back.
 * The caller has passed fhi_sqlite_enter.
 */
fh_rv
fhi_sqlite_each(struct fhi_sqlite *sq, enum fhi_sq_stmt id, fhi_sqlite_bind_fn bind,
                const void *bind_arg, fhi_sqlite_row_fn row, void *row_arg);

/* As fhi_sqlite_each, and it also stops, with FH_OK and without stepping
 * again, as soon as done(row_arg) is true (checked before each step). */
typedef bool (*fhi_sqlite_done_fn)(const void *row_arg);
fh_rv fhi_sqlite_each_until(struct fhi_sqlite *sq, enum fhi_sq_stmt id, fhi_sqlite_bind_fn bind,
                            const void *bind_arg, fhi_sqlite_row_fn row, void *row_arg,
                            fhi_sqlite_done_fn done);

/* ?1 of a statement that takes one integer (an int64_t): a binder. */
int fhi_sqlite_bind_i64(sqlite3_stmt *st, const void *arg);

/* ?1, ?2 of a statement that takes two integers (an object's id and its
 * token's, a range of seqs): a binder for fhi_sqlite_each/fetch_one. */
struct fhi_sqlite_i64x2 {
    int64_t a;
    int64_t b;
};
int fhi_sqlite_bind_i64x2(sqlite3_stmt *st, const void *arg);

/*
 * fhi_sqlite_fetch_one - as fhi_sqlite_each for a statement that returns at
 * most one row: row() is called on it once; FH_E_NOT_FOUND when there is none.
 */
fh_rv
fhi_sqlite_fetch_one(struct fhi_sqlite *sq, enum fhi_sq_stmt id, fhi_sqlite_bind_fn bind,
                     const void *bind_arg, fhi_sqlite_row_fn row, void *row_arg);

/* Record operations (records.c), installed in fh_store_sqlite_ops. */
fh_rv
fhi_sqlite_token_insert(void *priv, const struct fh_store_token *t, int64_t *id_out);
fh_rv
fhi_sqlite_token_get(void *priv, const char *label, struct fh_store_token *out);
fh_rv
fhi_sqlite_token_get_by_id(void *priv, int64_t id, struct fh_store_token *out);
fh_rv
fhi_sqlite_token_update_meta(void *priv, int64_t id, const uint8_t *meta, size_t len);
fh_rv
fhi_sqlite_token_set_label(void *priv, int64_t id, const char *label);
fh_rv
fhi_sqlite_token_delete(void *priv, int64_t id);
fh_rv
fhi_sqlite_token_list(void *priv, fh_store_token_cb cb, void *arg);
fh_rv
fhi_sqlite_object_insert(void *priv, const struct fh_store_object *o, int64_t *id_out);
fh_rv
fhi_sqlite_object_update(void *priv, const struct fh_store_object *o);
fh_rv
fhi_sqlite_object_get(void *priv, int64_t token_id, int64_t id, struct fh_store_object *out);
fh_rv
fhi_sqlite_object_delete(void *priv, int64_t token_id, int64_t id);
fh_rv
fhi_sqlite_object_find(void *priv, const struct fh_store_query *q, fh_store_object_cb cb,
                       void *arg);
fh_rv
fhi_sqlite_object_count(void *priv, int64_t token_id, uint64_t *out);

/* A legacy row of `audit` (AUDIT_COLS), validated, borrowing SQLite's memory;
 * and the deep copy of a record (on failure dst is cleared). records.c. */
fh_rv
fhi_sqlite_audit_from_row(sqlite3_stmt *st, struct fh_store_audit *r);
fh_rv
fhi_sqlite_audit_copy(const struct fh_store_audit *src, struct fh_store_audit *dst);

/* The audit log (audit_log.c), installed in fh_store_sqlite_ops. */
fh_rv
fhi_sqlite_audit_last(void *priv, struct fh_store_audit *out);
fh_rv
fhi_sqlite_audit_append_batch(void *priv, const struct fh_store_audit *recs, size_t n);
fh_rv
fhi_sqlite_audit_list(void *priv, int64_t from_seq, size_t limit, fh_store_audit_cb cb,
                      void *arg);

/* API key rows (apikeys.c), installed in fh_store_sqlite_ops. */
fh_rv
fhi_sqlite_apikey_insert(void *priv, const struct fh_store_apikey *k);
fh_rv
fhi_sqlite_apikey_get(void *priv, const char *id, struct fh_store_apikey *out);
fh_rv
fhi_sqlite_apikey_get_by_name(void *priv, const char *name, struct fh_store_apikey *out);
fh_rv
fhi_sqlite_apikey_revoke(void *priv, const char *id, int64_t revoked_ms);
fh_rv
fhi_sqlite_apikey_list(void *priv, fh_store_apikey_cb cb, void *arg);
fh_rv
fhi_sqlite_apikey_set_tokens(void *priv, const char *id, const char *tokens);

#endif /* FERROHSM_STORE_SQLITE_SQLITE_INT_H */
