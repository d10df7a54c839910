/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlite.c - fh_store_sqlite_ops, the default store: one SQLite 3 file.
 *
 * This file owns the connection: recognising the file at open, creating and
 * migrating the schema, the pragmas, the cache of prepared statements,
 * transactions and the translation of SQLite result codes. The rows
 * themselves are in records.c, audit_log.c and apikeys.c.
 *
 * DESIGN
 *
 * Open never writes to a file it has not recognised. It runs in four steps:
 *  1. check_file(): open(2) the path ourselves. With FH_STORE_CREATE a missing
 *     file is created O_EXCL with mode 0600 (fchmod'ed, so the umask does not
 *     matter; SQLite gives its -wal and -shm files the mode of the database).
 *     A non-regular file, or a non-empty one without the 16-byte SQLite magic,
 *     is FH_E_STORE_FOREIGN before SQLite sees it (a file shorter than the
 *     100-byte header counts as foreign: nothing in it says it was ours).
 *     A zero-length file is FH_E_STORE_CORRUPT without CREATE (it is what a
 *     create interrupted before its first commit leaves, or a store truncated
 *     to nothing) and is initialised with CREATE.
 *  2. classify(): read-only queries of PRAGMA application_id, user_version and
 *     sqlite_master, in one read transaction (one snapshot: a store another
 *     process is creating must not look half made). Our application id means
 *     ours: a user_version newer than FHI_SQLITE_SCHEMA_VERSION is
 *     FH_E_STORE_VERSION, 0 or missing tables FH_E_STORE_CORRUPT. A database
 *     with no id, no version and no schema is blank, and usable only when the
 *     file was empty in step 1 (with CREATE). Anything
 *     else is FH_E_STORE_FOREIGN. SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE stays on
 *     until the file is accepted, so closing a rejected WAL database does not
 *     checkpoint into it (its -wal and -shm files may be left, as any reader
 *     leaves them). The one write we cannot prevent is SQLite's own recovery
 *     of a hot rollback journal lying next to a foreign database.
 *  3. PRAGMA quick_check of every table but the audit log (tables audit and
 *     audit_pages), in the same snapshot; anything but "ok" is
 *     FH_E_STORE_CORRUPT. It reads every page
 *     of those tables once: 10 000 objects (2.6 MB) take about 2 ms from the
 *     page cache and 30 ms from disk (test_quick_check_10k prints the
 *     figures). The audit log, which grows with every operation, is left to
 *     reads and `audit verify`, so opening does not slow down as it grows.
 *  4. migrate() when the file is blank or older: BEGIN IMMEDIATE, classify
 *     again under the write lock (another process may have created or
 *     upgraded the store meanwhile), run the steps of migrations[] from the
 *     file's version to ours, set application_id and user_version, COMMIT.
 *     A new file is built in rollback-journal mode, so a crash leaves either
 *     the empty file or the complete schema; it is switched to WAL after
 *     (set_wal() explains its retry loop).
 *
 * Pragmas: journal_mode=WAL (readers never block the writer), synchronous=FULL
 * (a commit is on disk when commit() returns: tokens carry PIN failure
 * counters and the audit log must not lose its tail), foreign_keys=ON (token
 * deletion cascades to objects), busy_timeout 10 s. FERROHSM_SQLITE_BUSY_MS
 * (milliseconds, 0..600000, read with secure_getenv at open) overrides the
 * timeout; it exists for tests and is harmless elsewhere. synchronous=FULL
 * costs 0.13 ms per commit against 0.02 ms for NORMAL on the development VM:
 * cheap enough to keep. Defensive mode is on and triggers and views are off,
 * so a crafted file cannot run SQL of its own inside our statements.
 *
 * Transactions: begin(true) is BEGIN IMMEDIATE (the write lock at once, no
 * upgrade deadlock), begin(false) BEGIN DEFERRED. SQLite may roll a
 * transaction back by itself after SQLITE_FULL, IOERR, BUSY or NOMEM; the
 * store then marks it aborted and fails every call until rollback(), so
 * later calls cannot silently run in autocommit mode. A failed commit rolls
 * back; there is no retry of a commit.
 *
 * Statements are prepared once at open (SQLITE_PREPARE_PERSISTENT) and reset
 * after use. A callback of an iteration may call back into the store; a
 * statement already stepping is then prepared afresh for the inner call.
 *
 * A connection must not be used across fork(): open the store in the child.
 * Thread safety: one struct fhi_sqlite per thread at a time (store.h), so the
 * connection is opened SQLITE_OPEN_NOMUTEX.
 */
#include "sqlite-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ferrohsm/store.h"

#define OBJECT_COLS "id, token_id, class, key_type, label, ckid, attrs, secret"
#define TOKEN_COLS "id, label, meta"
#define AUDIT_COLS \
    "seq, time_ms, actor, front, operation, object, result, corr_id, prev_hash, hash"
#define PAGE_COLS "first_seq, last_seq, body"
#define APIKEY_COLS \
    "id, name, role, all_tokens, tokens, hash, created_ms, revoked_ms, scope_by_serial"

static const char *const stmt_sql[FHI_SQ_OBJECT_FIND_0] = {
    [FHI_SQ_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [FHI_SQ_BEGIN_DEFERRED] = "BEGIN DEFERRED",
    [FHI_SQ_COMMIT] = "COMMIT",
    [FHI_SQ_ROLLBACK] = "ROLLBACK",
    [FHI_SQ_APPLICATION_ID] = "PRAGMA application_id",
    [FHI_SQ_USER_VERSION] = "PRAGMA user_version",
    [FHI_SQ_TOKEN_INSERT] = "INSERT INTO tokens (label, meta) VALUES (?1, ?2)",
    [FHI_SQ_TOKEN_GET] = "SELECT " TOKEN_COLS " FROM tokens WHERE label = ?1",
    [FHI_SQ_TOKEN_GET_BY_ID] = "SELECT " TOKEN_COLS " FROM tokens WHERE id = ?1",
    [FHI_SQ_TOKEN_UPDATE_META] = "UPDATE tokens SET meta = ?2 WHERE id = ?1",
    [FHI_SQ_TOKEN_SET_LABEL] = "UPDATE tokens SET label = ?2 WHERE id = ?1",
    [FHI_SQ_TOKEN_DELETE] = "DELETE FROM tokens WHERE id = ?1",
    [FHI_SQ_TOKEN_LIST] = "SELECT " TOKEN_COLS " FROM tokens ORDER BY id",
    [FHI_SQ_OBJECT_INSERT] = "INSERT INTO objects"
                             " (token_id, class, key_type, label, ckid, attrs, secret)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [FHI_SQ_OBJECT_UPDATE] = "UPDATE objects SET class = ?3, key_type = ?4, label = ?5,"
                             " ckid = ?6, attrs = ?7, secret = ?8"
                             " WHERE id = ?1 AND token_id = ?2",
    [FHI_SQ_OBJECT_GET] = "SELECT " OBJECT_COLS " FROM objects WHERE id = ?1 AND token_id = ?2",
    [FHI_SQ_OBJECT_DELETE] = "DELETE FROM objects WHERE id = ?1 AND token_id = ?2",
    [FHI_SQ_OBJECT_COUNT] = "SELECT count(*) FROM objects WHERE token_id = ?1",
    [FHI_SQ_AUDIT_LAST] = "SELECT " AUDIT_COLS " FROM audit ORDER BY seq DESC LIMIT 1",
    [FHI_SQ_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit WHERE seq >= ?1"
                          " ORDER BY seq LIMIT ?2",
    [FHI_SQ_AUDIT_PAGE_LAST] = "SELECT " PAGE_COLS " FROM audit_pages"
                               " ORDER BY first_seq DESC LIMIT 1",
    /* from the page that holds ?1 (the last to start at or before it), or
     * from ?1 when none starts that early; the rowid b-tree, no scan */
    [FHI_SQ_AUDIT_PAGE_LIST] = "SELECT " PAGE_COLS " FROM audit_pages WHERE first_seq >="
                               " coalesce((SELECT first_seq FROM audit_pages WHERE first_seq <= ?1"
                               " ORDER BY first_seq DESC LIMIT 1), ?1)"
                               " ORDER BY first_seq",
    [FHI_SQ_AUDIT_PAGE_INSERT] = "INSERT INTO audit_pages (" PAGE_COLS ") VALUES (?1, ?2, ?3)",
    /* is a seq of ?1..?2 held by a legacy row, a page starting in the range,
     * or the page starting before it? */
    [FHI_SQ_AUDIT_TAKEN] = "SELECT EXISTS (SELECT 1 FROM audit WHERE seq BETWEEN ?1 AND ?2)"
                           " OR EXISTS (SELECT 1 FROM audit_pages"
                           " WHERE first_seq BETWEEN ?1 AND ?2)"
                           " OR coalesce((SELECT last_seq >= ?1 FROM audit_pages"
                           " WHERE first_seq < ?1 ORDER BY first_seq DESC LIMIT 1), 0)",
    [FHI_SQ_DATA_VERSION] = "PRAGMA data_version",
    [FHI_SQ_APIKEY_INSERT] = "INSERT INTO apikeys (" APIKEY_COLS ")"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [FHI_SQ_APIKEY_GET] = "SELECT " APIKEY_COLS " FROM apikeys WHERE id = ?1",
    [FHI_SQ_APIKEY_GET_BY_NAME] = "SELECT " APIKEY_COLS " FROM apikeys WHERE name = ?1",
    /* changes() counts the matched row even when revoked_ms stays: a second
     * revoke is FH_OK and keeps the first time */
    [FHI_SQ_APIKEY_REVOKE] = "UPDATE apikeys SET revoked_ms ="
                             " CASE WHEN revoked_ms = 0 THEN ?2 ELSE revoked_ms END"
                             " WHERE id = ?1",
    [FHI_SQ_APIKEY_LIST] = "SELECT " APIKEY_COLS " FROM apikeys ORDER BY seq",
    [FHI_SQ_APIKEY_SET_TOKENS] = "UPDATE apikeys SET tokens = ?2, scope_by_serial = 1"
                                 " WHERE id = ?1",
};

/*
 * object_find: one statement per filter shape, so each can use the index that
 * fits (objects_class, objects_label, objects_ckid; all lead with token_id).
 * Parameter numbers are fixed per field; a shape binds only those it has.
 */
#define FIND_HEAD "SELECT " OBJECT_COLS " FROM objects WHERE token_id = ?1"
#define FIND_C " AND class = ?2"
#define FIND_K " AND key_type = ?3"
#define FIND_L " AND label = ?4"
#define FIND_I " AND ckid = ?5"
#define FIND_TAIL " ORDER BY id"

static const char *const find_sql[FHI_SQ_FIND_SHAPES] = {
    FIND_HEAD FIND_TAIL,
    FIND_HEAD FIND_C FIND_TAIL,
    FIND_HEAD FIND_K FIND_TAIL,
    FIND_HEAD FIND_C FIND_K FIND_TAIL,
    FIND_HEAD FIND_L FIND_TAIL,
    FIND_HEAD FIND_C FIND_L FIND_TAIL,
    FIND_HEAD FIND_K FIND_L FIND_TAIL,
    FIND_HEAD FIND_C FIND_K FIND_L FIND_TAIL,
    FIND_HEAD FIND_I FIND_TAIL,
    FIND_HEAD FIND_C FIND_I FIND_TAIL,
    FIND_HEAD FIND_K FIND_I FIND_TAIL,
    FIND_HEAD FIND_C FIND_K FIND_I FIND_TAIL,
    FIND_HEAD FIND_L FIND_I FIND_TAIL,
    FIND_HEAD FIND_C FIND_L FIND_I FIND_TAIL,
    FIND_HEAD FIND_K FIND_L FIND_I FIND_TAIL,
    FIND_HEAD FIND_C FIND_K FIND_L FIND_I FIND_TAIL,
};

/*
 * Schema migrations: migrations[v] takes a file from user_version v to v + 1.
 * Append a step for each new version and raise FHI_SQLITE_SCHEMA_VERSION;
 * never edit a released step. migrate() sets user_version after the steps.
 */
static const char *const migrations[FHI_SQLITE_SCHEMA_VERSION] = {
    /* 0 -> 1: the first schema. Labels and CKA_IDs are BLOBs compared byte by
     * byte. AUTOINCREMENT: ids of deleted rows are never handed out again. */
    "CREATE TABLE tokens ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " label TEXT UNIQUE NOT NULL,"
    " meta BLOB NOT NULL);"
    "CREATE TABLE objects ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " token_id INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,"
    " class INTEGER,"
    " key_type INTEGER,"
    " label BLOB,"
    " ckid BLOB,"
    " attrs BLOB NOT NULL,"
    " secret BLOB);"
    "CREATE INDEX objects_class ON objects (token_id, class, key_type);"
    "CREATE INDEX objects_label ON objects (token_id, label);"
    "CREATE INDEX objects_ckid ON objects (token_id, ckid);"
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY,"
    " time_ms INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " front TEXT NOT NULL,"
    " operation TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " result TEXT NOT NULL,"
    " corr_id TEXT NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL);",
    /* 1 -> 2: API keys of the REST server. Only SHA-256 of the secret is
     * kept. seq gives the creation order; the UNIQUE constraints index the
     * lookups by id (every request) and by name. */
    "CREATE TABLE apikeys ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id TEXT UNIQUE NOT NULL,"
    " name TEXT UNIQUE NOT NULL,"
    " role INTEGER NOT NULL,"
    " all_tokens INTEGER NOT NULL,"
    " tokens TEXT NOT NULL,"
    " hash BLOB NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " revoked_ms INTEGER NOT NULL DEFAULT 0);",
    /* 2 -> 3: scopes name tokens by serial. The rows of version 2 name them
     * by label and keep them (scope_by_serial 0): the serials are in the
     * token records, which only the core can read, so the core rewrites
     * those rows (apikey_set_tokens) when it opens the store. */
    "ALTER TABLE apikeys ADD COLUMN scope_by_serial INTEGER NOT NULL DEFAULT 0;",
    /* 3 -> 4: the audit log as packed pages, one row per appended batch
     * holding records first_seq .. last_seq (body: audit_pages.c). The rows
     * of `audit` stay as they are, read-only, before the pages; new stores
     * have that table empty. */
    "CREATE TABLE audit_pages ("
    " first_seq INTEGER PRIMARY KEY,"
    " last_seq INTEGER NOT NULL,"
    " body BLOB NOT NULL);",
};

/*
 * fhi_sqlite_rv - the one place where SQLite result codes become fh_rv.
 * Extended codes are enabled on every connection; the primary code decides
 * unless an extended code says more (which constraint failed).
 *
 * SQLITE_ERROR maps to FH_E_STORE_CORRUPT: our SQL is fixed and tested, so a
 * generic SQL error at run time ("no such table", "no such column") means the
 * schema in the file is not the one we wrote.
 */
fh_rv
fhi_sqlite_rv(int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return FH_E_EXISTS;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return FH_E_NOT_FOUND; /* object_insert into a token that does not exist */
    case SQLITE_IOERR_NOMEM:
        return FH_E_NOMEM;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return FH_OK;
    case SQLITE_NOMEM:
        return FH_E_NOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return FH_E_STORE_BUSY;
    case SQLITE_ERROR:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
        return FH_E_STORE_CORRUPT;
    case SQLITE_NOTADB:
        return FH_E_STORE_FOREIGN;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
        return FH_E_STORE_IO;
    case SQLITE_TOOBIG:
        return FH_E_DATA_TOO_LARGE;
    default:
        /* CONSTRAINT (other kinds), MISMATCH, RANGE, MISUSE, SCHEMA, ABORT,
         * INTERRUPT: a bug on our side, not a property of the file. */
        return FH_E_GENERAL;
    }
}

fh_rv
fhi_sqlite_fail(struct fhi_sqlite *sq, int rc)
{
    fh_rv rv = fhi_sqlite_rv(rc);

    if (rv == FH_OK) {
        rv = FH_E_GENERAL; /* a step that "failed" with a success code */
    }
    if (sq->txn == FHI_SQ_TXN_ACTIVE && sq->db != NULL && sqlite3_get_autocommit(sq->db)) {
        sq->txn = FHI_SQ_TXN_ABORTED;
        sq->txn_rv = rv;
    }
    return rv;
}

fh_rv
fhi_sqlite_enter(struct fhi_sqlite *sq)
{
    if (sq == NULL || sq->db == NULL) {
        return FH_E_ARGS;
    }
    if (sq->txn == FHI_SQ_TXN_ABORTED) {
        return sq->txn_rv;
    }
    return FH_OK;
}

fh_rv
fhi_sqlite_stmt_get(struct fhi_sqlite *sq, enum fhi_sq_stmt id, sqlite3_stmt **out)
{
    sqlite3_stmt *st = sq->stmt[id];
    int rc;

    if (st == NULL) {
        return FH_E_ARGS;
    }
    if (sqlite3_stmt_busy(st)) {
        rc = sqlite3_prepare_v2(sq->db, sqlite3_sql(st), -1, &st, NULL);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            return fhi_sqlite_fail(sq, rc);
        }
    }
    *out = st;
    return FH_OK;
}

void
fhi_sqlite_stmt_put(struct fhi_sqlite *sq, enum fhi_sq_stmt id, sqlite3_stmt *st)
{
    if (st == NULL) {
        return;
    }
    if (st == sq->stmt[id]) {
        /* reset() repeats the step's error code, already handled by the caller */
        (void)sqlite3_reset(st);
        (void)sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
}

static fh_rv
bind_with(struct fhi_sqlite *sq, sqlite3_stmt *st, fhi_sqlite_bind_fn bind, const void *bind_arg)
{
    int rc = bind != NULL ? bind(st, bind_arg) : SQLITE_OK;

    return rc == SQLITE_OK ? FH_OK : fhi_sqlite_fail(sq, rc);
}

fh_rv
fhi_sqlite_each(struct fhi_sqlite *sq, enum fhi_sq_stmt id, fhi_sqlite_bind_fn bind,
                const void *bind_arg, fhi_sqlite_row_fn row, void *row_arg)
{
    return fhi_sqlite_each_until(sq, id, bind, bind_arg, row, row_arg, NULL);
}

fh_rv
fhi_sqlite_each_until(struct fhi_sqlite *sq, enum fhi_sq_stmt id, fhi_sqlite_bind_fn bind,
                      const void *bind_arg, fhi_sqlite_row_fn row, void *row_arg,
                      fhi_sqlite_done_fn done)
{
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    rv = fhi_sqlite_stmt_get(sq, id, &st);
    if (rv == FH_OK) {
        rv = bind_with(sq, st, bind, bind_arg);
    }
    while (rv == FH_OK && (done == NULL || !done(row_arg))) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            rv = fhi_sqlite_fail(sq, rc);
            break;
        }
        rv = row(st, row_arg);
    }
    fhi_sqlite_stmt_put(sq, id, st);
    return rv;
}

fh_rv
fhi_sqlite_fetch_one(struct fhi_sqlite *sq, enum fhi_sq_stmt id, fhi_sqlite_bind_fn bind,
                     const void *bind_arg, fhi_sqlite_row_fn row, void *row_arg)
{
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    rv = fhi_sqlite_stmt_get(sq, id, &st);
    if (rv == FH_OK) {
        rv = bind_with(sq, st, bind, bind_arg);
    }
    if (rv == FH_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            rv = row(st, row_arg);
        } else {
            rv = rc == SQLITE_DONE ? FH_E_NOT_FOUND : fhi_sqlite_fail(sq, rc);
        }
    }
    fhi_sqlite_stmt_put(sq, id, st);
    return rv;
}

/* Run a cached statement that returns no rows. */
static fh_rv
exec_cached(struct fhi_sqlite *sq, enum fhi_sq_stmt id)
{
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    rv = fhi_sqlite_stmt_get(sq, id, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        rv = fhi_sqlite_fail(sq, rc);
    }
out:
    fhi_sqlite_stmt_put(sq, id, st);
    return rv;
}

/* Run a cached statement that returns one integer. */
static fh_rv
query_cached_int(struct fhi_sqlite *sq, enum fhi_sq_stmt id, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    fh_rv rv;
    int rc;

    rv = fhi_sqlite_stmt_get(sq, id, &st);
    if (rv != FH_OK) {
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rv = rc == SQLITE_DONE ? FH_E_STORE_CORRUPT : fhi_sqlite_fail(sq, rc);
        goto out;
    }
    *out = sqlite3_column_int64(st, 0);
out:
    fhi_sqlite_stmt_put(sq, id, st);
    return rv;
}

/* Run one SQL text that returns one integer (used before the cache exists). */
static fh_rv
query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    fh_rv rv = FH_OK;
    int rc;

    rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rv = fhi_sqlite_rv(rc);
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rv = rc == SQLITE_DONE ? FH_E_STORE_CORRUPT : fhi_sqlite_rv(rc);
        goto out;
    }
    *out = sqlite3_column_int64(st, 0);
out:
    sqlite3_finalize(st);
    return rv;
}

static fh_rv
exec_sql(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? FH_OK : fhi_sqlite_rv(rc);
}

/* errno of open(2)/fstat(2)/pread(2) on the store file. */
static fh_rv
errno_rv(int err, unsigned flags)
{
    switch (err) {
    case ENOENT:
        /* with CREATE the parent directory is missing; the core creates it */
        return (flags & FH_STORE_CREATE) != 0 ? FH_E_STORE_IO : FH_E_NOT_FOUND;
    case ENOMEM:
        return FH_E_NOMEM;
    default:
        return FH_E_STORE_IO;
    }
}

/*
 * check_file - step 1 of open (see DESIGN): create or find the file and look
 * at its header before SQLite does. *empty tells whether it has no bytes yet.
 */
static fh_rv
check_file(const char *path, unsigned flags, bool *empty, struct fhi_fdkey *key)
{
    static const char magic[16] = "SQLite format 3"; /* with its NUL: 16 bytes */
    const int oflags = O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    unsigned char hdr[100];
    struct stat sb;
    size_t got = 0;
    bool created = false;
    fh_rv rv = FH_OK;
    int fd = -1;

    if ((flags & FH_STORE_CREATE) != 0) {
        fd = open(path, oflags | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            created = true;
        } else if (errno != EEXIST) {
            rv = errno_rv(errno, flags);
            goto out;
        }
    }
    if (fd < 0) {
        fd = open(path, oflags);
        if (fd < 0) {
            rv = errno_rv(errno, flags);
            goto out;
        }
    }
    /* open(2) applied the umask; the store is the owner's alone, whatever it is */
    if (created && fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
        rv = errno_rv(errno, flags);
        goto out;
    }
    if (fstat(fd, &sb) != 0) {
        rv = errno_rv(errno, flags);
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rv = FH_E_STORE_FOREIGN;
        goto out;
    }
    if (sb.st_size == 0) {
        *empty = true;
        rv = (flags & FH_STORE_CREATE) != 0 ? FH_OK : FH_E_STORE_CORRUPT;
        goto out;
    }
    *empty = false;
    while (got < sizeof hdr) {
        ssize_t n = pread(fd, hdr + got, sizeof hdr - got, (off_t)got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rv = errno_rv(errno, flags);
            goto out;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    if (got < sizeof hdr || memcmp(hdr, magic, sizeof magic) != 0) {
        rv = FH_E_STORE_FOREIGN;
    }
out:
    /* never close(2) it here: another connection of this process may hold
     * SQLite's locks on this file (fdreg.c); sq_close lets go of it */
    if (fd >= 0) {
        (void)fhi_fdreg_keep(fd, key);
    }
    return rv;
}

/*
 * classify - step 2 of open (see DESIGN). On FH_OK *version is the file's
 * schema version, 0 for a blank database.
 */
static fh_rv
classify(sqlite3 *db, int64_t *version)
{
    int64_t app = 0;
    int64_t ver = 0;
    int64_t nschema = 0;
    int64_t ntables = 0;
    fh_rv rv;

    rv = query_int(db, "PRAGMA application_id", &app);
    if (rv != FH_OK) {
        goto out;
    }
    rv = query_int(db, "PRAGMA user_version", &ver);
    if (rv != FH_OK) {
        goto out;
    }
    rv = query_int(db, "SELECT count(*) FROM sqlite_master", &nschema);
    if (rv != FH_OK) {
        goto out;
    }
    if (app != FHI_SQLITE_APPLICATION_ID) {
        rv = app == 0 && ver == 0 && nschema == 0 ? FH_OK : FH_E_STORE_FOREIGN;
        *version = 0;
        goto out;
    }
    if (ver > FHI_SQLITE_SCHEMA_VERSION) {
        rv = FH_E_STORE_VERSION;
        goto out;
    }
    /* our id is written in the same transaction as the first schema */
    if (ver < 1) {
        rv = FH_E_STORE_CORRUPT;
        goto out;
    }
    rv = query_int(db,
                   "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                   " AND name IN ('tokens', 'objects', 'audit', 'apikeys', 'audit_pages')",
                   &ntables);
    if (rv != FH_OK) {
        goto out;
    }
    /* version 1 has three of them, version 2 adds apikeys (3 adds a column),
     * version 4 audit_pages */
    if (ntables != (ver >= 4 ? 5 : ver >= 2 ? 4 : 3)) {
        rv = FH_E_STORE_CORRUPT;
        goto out;
    }
    *version = ver;
out:
    return rv;
}

/*
 * Step 3 of open: PRAGMA quick_check of every table but the audit log (and of
 * their indexes) must say "ok". The audit log (`audit`, `audit_pages`) grows
 * with every operation and is append-only: checking it at every open would
 * make opening a store cost time in proportion to its history. Its pages are
 * checked when read, and `audit verify` checks every record against the hash
 * chain.
 */
static fh_rv
quick_check(sqlite3 *db)
{
    sqlite3_stmt *names = NULL, *st = NULL;
    fh_rv rv = FH_OK;
    int rc;

    rc = sqlite3_prepare_v2(db,
                            "SELECT name FROM sqlite_schema WHERE type = 'table' AND"
                            " name NOT IN ('audit', 'audit_pages') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                            -1, &names, NULL);
    while (rc == SQLITE_OK && rv == FH_OK && (rc = sqlite3_step(names)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(names, 0);
        const unsigned char *txt;
        char *sql = name != NULL ? sqlite3_mprintf("PRAGMA quick_check(%Q)", name) : NULL;

        if (sql == NULL) {
            rv = name == NULL ? FH_E_STORE_CORRUPT : FH_E_NOMEM;
            break;
        }
        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        sqlite3_free(sql);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            txt = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
            if (rc == SQLITE_DONE || (rc == SQLITE_ROW && (txt == NULL ||
                                                           strcmp((const char *)txt, "ok") != 0))) {
                rv = FH_E_STORE_CORRUPT;
            }
            rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (rv == FH_OK && rc != SQLITE_DONE) {
        rv = fhi_sqlite_rv(rc);
    }
    sqlite3_finalize(names);
    return rv;
}

/*
 * probe - steps 2 and 3 of open in one read transaction: the three reads of
 * classify() must come from one snapshot, or a store another process is
 * creating right now could look half made (schema present, id not yet).
 */
static fh_rv
probe(sqlite3 *db, int64_t *version)
{
    fh_rv rv;

    rv = exec_sql(db, "BEGIN DEFERRED");
    if (rv != FH_OK) {
        return rv;
    }
    rv = classify(db, version);
    if (rv == FH_OK && *version > 0) {
        rv = quick_check(db);
    }
    if (!sqlite3_get_autocommit(db)) {
        /* nothing was written: ending the read transaction cannot lose anything */
        (void)exec_sql(db, "ROLLBACK");
    }
    return rv;
}

/* Step 4 of open: bring a blank or older file to FHI_SQLITE_SCHEMA_VERSION. */
static fh_rv
migrate(sqlite3 *db)
{
    char sql[96];
    int64_t ver = 0;
    fh_rv rv;
    int n;

    rv = exec_sql(db, "BEGIN IMMEDIATE");
    if (rv != FH_OK) {
        goto out;
    }
    rv = classify(db, &ver);
    if (rv != FH_OK) {
        goto out;
    }
    if (ver >= FHI_SQLITE_SCHEMA_VERSION) {
        goto out; /* another process got here first */
    }
    for (int64_t v = ver; v < FHI_SQLITE_SCHEMA_VERSION; v++) {
        rv = exec_sql(db, migrations[v]);
        if (rv != FH_OK) {
            goto out;
        }
    }
    n = snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 FHI_SQLITE_APPLICATION_ID, FHI_SQLITE_SCHEMA_VERSION);
    if (n < 0 || (size_t)n >= sizeof sql) {
        rv = FH_E_GENERAL;
        goto out;
    }
    rv = exec_sql(db, sql);
out:
    if (rv == FH_OK) {
        rv = exec_sql(db, "COMMIT");
    }
    if (rv != FH_OK && !sqlite3_get_autocommit(db)) {
        (void)exec_sql(db, "ROLLBACK");
    }
    return rv;
}

/* journal_mode=WAL answers with the mode in force; anything else is a failure. */
static fh_rv
try_set_wal(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *mode;
    fh_rv rv = FH_OK;
    int rc;

    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rv = fhi_sqlite_rv(rc);
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rv = rc == SQLITE_DONE ? FH_E_STORE_IO : fhi_sqlite_rv(rc);
        goto out;
    }
    mode = sqlite3_column_text(st, 0);
    if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
        rv = FH_E_STORE_IO; /* e.g. a file system without shared memory */
    }
out:
    sqlite3_finalize(st);
    return rv;
}

/*
 * set_wal - switch a new store to WAL (a no-op once it is). The switch reads
 * page 1 and then upgrades to an exclusive lock; SQLite does not run the busy
 * handler for an upgrade (deadlock avoidance), so when several processes
 * create one store at once the loser gets SQLITE_BUSY at once. Retry for the
 * busy timeout instead.
 */
static fh_rv
set_wal(sqlite3 *db, int busy_ms)
{
    const int step_ms = 5;
    fh_rv rv;

    for (int waited = 0;; waited += step_ms) {
        rv = try_set_wal(db);
        if (rv != FH_E_STORE_BUSY || waited >= busy_ms) {
            return rv;
        }
        (void)sqlite3_sleep(step_ms);
    }
}

/* FERROHSM_SQLITE_BUSY_MS, when it is a whole number in range; else the default. */
static int
busy_ms_from_env(void)
{
    const char *s = secure_getenv(FHI_SQLITE_BUSY_ENV);
    char *end = NULL;
    long v;

    if (s == NULL || *s == '\0') {
        return FHI_SQLITE_BUSY_MS_DEFAULT;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > FHI_SQLITE_BUSY_MS_MAX) {
        return FHI_SQLITE_BUSY_MS_DEFAULT;
    }
    return (int)v;
}

/*
 * sqlite_path - the name to give SQLite. Debian's SQLite accepts URI file
 * names without SQLITE_OPEN_URI, so a relative path that starts with "file:"
 * is made "./file:..." to mean the same file open(2) saw. Caller frees.
 */
static fh_rv
sqlite_path(const char *location, char **out)
{
    const char *prefix = strncmp(location, "file:", 5) == 0 ? "./" : "";
    size_t len = strlen(prefix) + strlen(location) + 1;
    char *p = malloc(len);

    if (p == NULL) {
        return FH_E_NOMEM;
    }
    (void)snprintf(p, len, "%s%s", prefix, location);
    *out = p;
    return FH_OK;
}

static fh_rv
prepare_all(struct fhi_sqlite *sq)
{
    const char *sql;
    int rc;

    for (int i = 0; i < FHI_SQ_STMT_COUNT; i++) {
        sql = i < FHI_SQ_OBJECT_FIND_0 ? stmt_sql[i]
                                        : find_sql[i - FHI_SQ_OBJECT_FIND_0];
        rc = sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &sq->stmt[i],
                                NULL);
        if (rc != SQLITE_OK) {
            return fhi_sqlite_rv(rc);
        }
    }
    return FH_OK;
}

static void sq_close(void *priv);

/*
 * sq_open - open (or with FH_STORE_CREATE create) the store at the file path
 * `location`; see DESIGN for the classification of existing files. Errors:
 * FH_E_ARGS, FH_E_NOT_FOUND (no file, no CREATE), FH_E_STORE_FOREIGN,
 * FH_E_STORE_VERSION, FH_E_STORE_CORRUPT, FH_E_STORE_IO, FH_E_STORE_BUSY,
 * FH_E_NOMEM. The caller calls close() after a failure as well.
 */
static fh_rv
sq_open(void *priv, const char *location, unsigned flags)
{
    struct fhi_sqlite *sq = priv;
    const int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    char *path = NULL;
    int64_t version = 0;
    bool empty = false;
    fh_rv rv;
    int rc;

    if (sq == NULL || location == NULL || location[0] == '\0' ||
        (flags & ~FH_STORE_CREATE) != 0 || sq->db != NULL) {
        return FH_E_ARGS;
    }
    memset(sq, 0, sizeof *sq);
    sq->busy_ms = busy_ms_from_env();

    rv = check_file(location, flags, &empty, &sq->db_key);
    if (rv != FH_OK) {
        goto out;
    }
    rv = sqlite_path(location, &path);
    if (rv != FH_OK) {
        goto out;
    }
    /* the file exists now: SQLite must not create one (no SQLITE_OPEN_CREATE) */
    rc = sqlite3_open_v2(path, &sq->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        rv = sq->db == NULL ? FH_E_NOMEM : fhi_sqlite_rv(rc);
        goto out;
    }
    (void)sqlite3_extended_result_codes(sq->db, 1);
    (void)sqlite3_busy_timeout(sq->db, sq->busy_ms);
    /* the limit is per row as well as per value: room for four maximal blobs */
    (void)sqlite3_limit(sq->db, SQLITE_LIMIT_LENGTH, (int)(4 * FHI_SQLITE_MAX_BLOB + 65536));
    (void)sqlite3_db_config(sq->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    (void)sqlite3_db_config(sq->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    (void)sqlite3_db_config(sq->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    (void)sqlite3_db_config(sq->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
    (void)sqlite3_db_config(sq->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

    rv = probe(sq->db, &version);
    if (rv != FH_OK) {
        goto out;
    }
    if (version == 0 && !empty) {
        rv = FH_E_STORE_FOREIGN; /* someone else's blank database */
        goto out;
    }
    /* recognised: from here on we may write to it */
    (void)sqlite3_db_config(sq->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

    rv = exec_sql(sq->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
    if (rv != FH_OK) {
        goto out;
    }
    if (version < FHI_SQLITE_SCHEMA_VERSION) {
        rv = migrate(sq->db);
        if (rv != FH_OK) {
            goto out;
        }
    }
    rv = set_wal(sq->db, sq->busy_ms);
    if (rv != FH_OK) {
        goto out;
    }
    rv = prepare_all(sq);
    if (rv == FH_OK && asprintf(&sq->shm_path, "%s-shm", location) < 0) {
        sq->shm_path = NULL; /* no fast path; generation() still works */
    }
out:
    free(path);
    if (rv != FH_OK) {
        sq_close(sq);
    }
    return rv;
}

/* sq_close - roll back an open transaction and close; NULL and repeats are fine. */
static void
sq_close(void *priv)
{
    struct fhi_sqlite *sq = priv;

    if (sq == NULL) {
        return;
    }
    for (int i = 0; i < FHI_SQ_STMT_COUNT; i++) {
        sqlite3_finalize(sq->stmt[i]);
    }
    free(sq->shm_path);
    if (sq->db != NULL) {
        if (!sqlite3_get_autocommit(sq->db)) {
            (void)exec_sql(sq->db, "ROLLBACK");
        }
        (void)sqlite3_close_v2(sq->db);
    }
    if (sq->shm_map != NULL) {
        (void)munmap((void *)(uintptr_t)sq->shm_map, FHI_SQLITE_SHM_HDR);
    }
    /* after sqlite3_close: the descriptors go when no connection of this
     * process is left on the file (fdreg.c) */
    fhi_fdreg_release(&sq->shm_key);
    fhi_fdreg_release(&sq->db_key);
    memset(sq, 0, sizeof *sq);
}

/*
 * PRAGMA data_version changes when another connection commits (SQLite file
 * format docs); our own commits do not change it, and the core invalidates
 * what it changes itself. The query takes file locks (several syscalls), so
 * it is skipped while the WAL-index header in the shared -shm file is word
 * for word what it was at the last query: every commit, ours or another
 * process's, rewrites that header (its change counter iChange at least)
 * before the writer lets go of the write lock, so a header that has not
 * changed means no commit since. The header is read through a read-only
 * shared mapping of the -shm file, one acquire load per word: no system
 * call per operation, and a commit another process made before we look is
 * seen (the mapping is the page SQLite itself writes). A torn read (a
 * header being rewritten) only costs an extra query. The mapping cannot
 * fault: SQLite truncates the -shm file only when it opens it with no other
 * connection attached, and ours stays attached until sq_close, which unmaps
 * first. Without the mapping every call queries.
 */
static void
map_shm(struct fhi_sqlite *sq)
{
    struct stat st;
    void *p;

    if (!sq->shm_tried) {
        sq->shm_tried = true;
        sq->shm_fd = sq->shm_path != NULL
                         ? open(sq->shm_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
                         : -1;
        /* never closed by us: fdreg.c closes it with the file's last connection */
        if (sq->shm_fd >= 0) {
            (void)fhi_fdreg_keep(sq->shm_fd, &sq->shm_key);
        }
    }
    if (sq->shm_fd < 0 || fstat(sq->shm_fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size < FHI_SQLITE_SHM_HDR) {
        return; /* not there yet (or never): the next call tries the mapping again */
    }
    p = mmap(NULL, FHI_SQLITE_SHM_HDR, PROT_READ, MAP_SHARED, sq->shm_fd, 0);
    if (p != MAP_FAILED) {
        sq->shm_map = p;
    }
}

static fh_rv
sq_generation(void *priv, uint64_t *out)
{
    struct fhi_sqlite *sq = priv;
    uint32_t hdr[FHI_SQLITE_SHM_HDR / 4];
    bool same = true;
    int64_t v = 0;
    fh_rv rv;

    if (sq == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    if (sq->shm_map == NULL) {
        map_shm(sq);
    }
    if (sq->shm_map != NULL) {
        for (size_t i = 0; i < FHI_SQLITE_SHM_HDR / 4; i++) {
            hdr[i] = __atomic_load_n(&sq->shm_map[i], __ATOMIC_ACQUIRE);
            same = same && hdr[i] == sq->shm_hdr[i];
        }
        if (same && sq->gen_valid) {
            *out = sq->gen;
            return FH_OK;
        }
    }
    rv = fhi_sqlite_enter(sq);
    if (rv == FH_OK) {
        rv = query_cached_int(sq, FHI_SQ_DATA_VERSION, &v);
    }
    if (rv != FH_OK) {
        sq->gen_valid = false;
        return rv;
    }
    /* the header was read before the query: a commit in between is seen
     * by the next call */
    if (sq->shm_map != NULL) {
        memcpy(sq->shm_hdr, hdr, sizeof(hdr));
    } else {
        memset(sq->shm_hdr, 0, sizeof(sq->shm_hdr)); /* unused without the mapping */
    }
    sq->gen = (uint64_t)v;
    sq->gen_valid = true;
    *out = sq->gen;
    return FH_OK;
}

static fh_rv
sq_health(void *priv)
{
    struct fhi_sqlite *sq = priv;
    int64_t app = 0;
    int64_t ver = 0;
    fh_rv rv;

    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        goto out;
    }
    rv = query_cached_int(sq, FHI_SQ_APPLICATION_ID, &app);
    if (rv != FH_OK) {
        goto out;
    }
    rv = query_cached_int(sq, FHI_SQ_USER_VERSION, &ver);
    if (rv != FH_OK) {
        goto out;
    }
    if (app == FHI_SQLITE_APPLICATION_ID && ver > FHI_SQLITE_SCHEMA_VERSION) {
        rv = FH_E_STORE_VERSION;
    } else if (app != FHI_SQLITE_APPLICATION_ID || ver != FHI_SQLITE_SCHEMA_VERSION) {
        rv = FH_E_STORE_CORRUPT;
    }
out:
    return rv;
}

/* sq_begin - BEGIN IMMEDIATE (write) or DEFERRED; FH_E_ARGS when one is open. */
static fh_rv
sq_begin(void *priv, bool write)
{
    struct fhi_sqlite *sq = priv;
    fh_rv rv;

    if (sq == NULL || sq->db == NULL || sq->txn != FHI_SQ_TXN_NONE) {
        return FH_E_ARGS;
    }
    rv = exec_cached(sq, write ? FHI_SQ_BEGIN_IMMEDIATE : FHI_SQ_BEGIN_DEFERRED);
    if (rv == FH_OK) {
        sq->txn = FHI_SQ_TXN_ACTIVE;
    }
    return rv;
}

/*
 * sq_commit - COMMIT. On failure the transaction is rolled back and the error
 * returned; an aborted transaction returns the error that aborted it.
 * FH_E_ARGS outside a transaction.
 */
static fh_rv
sq_commit(void *priv)
{
    struct fhi_sqlite *sq = priv;
    fh_rv rv;

    if (sq == NULL || sq->db == NULL || sq->txn == FHI_SQ_TXN_NONE) {
        return FH_E_ARGS;
    }
    if (sq->txn == FHI_SQ_TXN_ABORTED) {
        rv = sq->txn_rv;
    } else {
        rv = exec_cached(sq, FHI_SQ_COMMIT);
    }
    if (rv != FH_OK && !sqlite3_get_autocommit(sq->db)) {
        (void)exec_cached(sq, FHI_SQ_ROLLBACK);
    }
    sq->txn = FHI_SQ_TXN_NONE;
    sq->txn_rv = FH_OK;
    return rv;
}

/* sq_rollback - discard the open transaction; a no-op without one. */
static void
sq_rollback(void *priv)
{
    struct fhi_sqlite *sq = priv;

    if (sq == NULL || sq->db == NULL || sq->txn == FHI_SQ_TXN_NONE) {
        return;
    }
    if (!sqlite3_get_autocommit(sq->db)) {
        (void)exec_cached(sq, FHI_SQ_ROLLBACK);
    }
    sq->txn = FHI_SQ_TXN_NONE;
    sq->txn_rv = FH_OK;
}

const struct fh_store_ops fh_store_sqlite_ops = {
    .abi_version = FH_STORE_ABI_VERSION,
    .name = "sqlite",
    .priv_size = sizeof(struct fhi_sqlite),
    .open = sq_open,
    .close = sq_close,
    .health = sq_health,
    .generation = sq_generation,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .token_insert = fhi_sqlite_token_insert,
    .token_get = fhi_sqlite_token_get,
    .token_get_by_id = fhi_sqlite_token_get_by_id,
    .token_update_meta = fhi_sqlite_token_update_meta,
    .token_set_label = fhi_sqlite_token_set_label,
    .token_delete = fhi_sqlite_token_delete,
    .token_list = fhi_sqlite_token_list,
    .object_insert = fhi_sqlite_object_insert,
    .object_update = fhi_sqlite_object_update,
    .object_get = fhi_sqlite_object_get,
    .object_delete = fhi_sqlite_object_delete,
    .object_find = fhi_sqlite_object_find,
    .object_count = fhi_sqlite_object_count,
    .audit_last = fhi_sqlite_audit_last,
    .audit_append_batch = fhi_sqlite_audit_append_batch,
    .audit_list = fhi_sqlite_audit_list,
    .apikey_insert = fhi_sqlite_apikey_insert,
    .apikey_get = fhi_sqlite_apikey_get,
    .apikey_get_by_name = fhi_sqlite_apikey_get_by_name,
    .apikey_revoke = fhi_sqlite_apikey_revoke,
    .apikey_list = fhi_sqlite_apikey_list,
    .apikey_set_tokens = fhi_sqlite_apikey_set_tokens,
};

int
fhi_sqlite_bind_i64(sqlite3_stmt *st, const void *arg)
{
    return sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

int
fhi_sqlite_bind_i64x2(sqlite3_stmt *st, const void *arg)
{
    const struct fhi_sqlite_i64x2 *v = arg;
    int rc = sqlite3_bind_int64(st, 1, v->a);

    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 2, v->b);
    }
    return rc;
}
