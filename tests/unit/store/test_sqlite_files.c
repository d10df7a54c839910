/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sqlite_files.c - the file side of fh_store_sqlite_ops: creation and
 * mode, recognition of files that are not (or no longer) stores, which must
 * never be modified, several processes on one store, and the cost of the
 * quick_check run at open on a 10 000-object store.
 */
#include "store_test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../../src/store/sqlite/sqlite-int.h"

static mode_t
file_mode(const char *path)
{
    struct stat sb;

    assert_int_equal(stat(path, &sb), 0);
    return sb.st_mode & 07777;
}

/* Open must fail with `want`, with and without CREATE, and leave the file as it was. */
static void
assert_rejected_unchanged(const char *path, fh_rv want, fh_rv want_create)
{
    size_t before_len = 0;
    size_t after_len = 0;
    uint8_t *before = st_read_file(path, &before_len);
    uint8_t *after;
    fh_rv rv = FH_OK;
    char side[600];

    assert_non_null(before);
    assert_null(st_open_rv(path, 0, &rv));
    assert_int_equal(rv, want);
    assert_null(st_open_rv(path, FH_STORE_CREATE, &rv));
    assert_int_equal(rv, want_create);
    after = st_read_file(path, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    (void)snprintf(side, sizeof side, "%s-journal", path);
    assert_false(st_file_exists(side));
    free(before);
    free(after);
}

/* Deterministic filler (no rand(): STYLE rule 25). */
static void
fill_random(uint8_t *p, size_t len, uint32_t seed)
{
    uint32_t x = seed;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* A store with `n` objects whose attrs carry a recognisable pattern; closed. */
static void
make_store(const char *path, int n)
{
    uint8_t attrs[200];
    struct fh_store_object o = {0};
    int64_t id = 0;
    void *s = st_open(path, FH_STORE_CREATE);

    memset(attrs, 'P', sizeof attrs);
    o.token_id = st_token(s, "t");
    o.cls = CKO_SECRET_KEY;
    o.key_type = CKK_AES;
    o.attrs = attrs;
    o.attrs_len = sizeof attrs;
    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    for (int i = 0; i < n; i++) {
        assert_int_equal(ST_OPS->object_insert(s, &o, &id), FH_OK);
    }
    assert_int_equal(ST_OPS->commit(s), FH_OK);
    st_close(s);
}

/* ---- creation ----------------------------------------------------------- */

static void
test_create_mode_and_missing(void **state)
{
    struct st_env e;
    char wal[600];
    char nodir[600];
    mode_t old;
    fh_rv rv = FH_OK;
    void *s;

    (void)state;
    st_env_init(&e);
    assert_null(st_open_rv(e.path, 0, &rv));
    assert_int_equal(rv, FH_E_NOT_FOUND);
    assert_false(st_file_exists(e.path));

    st_env_file(&e, "missing-dir/store.db", nodir, sizeof nodir);
    assert_null(st_open_rv(nodir, FH_STORE_CREATE, &rv));
    assert_int_equal(rv, FH_E_STORE_IO);
    assert_null(st_open_rv(nodir, 0, &rv));
    assert_int_equal(rv, FH_E_NOT_FOUND);

    old = umask(0); /* the mode must not depend on it */
    s = st_open(e.path, FH_STORE_CREATE);
    (void)st_token(s, "t");
    (void)snprintf(wal, sizeof wal, "%s-wal", e.path);
    assert_int_equal(file_mode(e.path), 0600);
    assert_true(st_file_exists(wal));
    assert_int_equal(file_mode(wal), 0600);
    st_close(s);
    (void)umask(old);

    /* the last close checkpoints and removes the WAL */
    assert_false(st_file_exists(wal));

    /* CREATE on an existing store opens it */
    s = st_open(e.path, FH_STORE_CREATE);
    struct fh_store_token got;
    assert_int_equal(ST_OPS->token_get(s, "t", &got), FH_OK);
    fh_store_token_clear(&got);
    assert_int_equal(ST_OPS->health(s), FH_OK);
    st_close(s);

    /* a directory is not a store */
    assert_null(st_open_rv(e.dir, 0, &rv));
    assert_int_equal(rv, FH_E_STORE_IO);
    st_env_fini(&e);
}

static void
test_unreadable(void **state)
{
    struct st_env e;
    fh_rv rv = FH_OK;

    (void)state;
    if (geteuid() == 0) {
        print_message("[ skip     ] running as root: permissions do not apply\n");
        skip();
    }
    st_env_init(&e);
    make_store(e.path, 1);
    assert_int_equal(chmod(e.path, 0), 0);
    assert_null(st_open_rv(e.path, 0, &rv));
    assert_int_equal(rv, FH_E_STORE_IO);
    assert_int_equal(chmod(e.path, 0400), 0);
    assert_null(st_open_rv(e.path, 0, &rv));
    assert_int_equal(rv, FH_E_STORE_IO);
    st_env_fini(&e);
}

/* ---- files that are not stores ------------------------------------------ */

static void
test_random_bytes(void **state)
{
    uint8_t junk[8192];
    struct st_env e;

    (void)state;
    st_env_init(&e);
    fill_random(junk, sizeof junk, 0x1234567u);
    st_write_file(e.path, junk, sizeof junk);
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);

    /* shorter than the header */
    st_write_file(e.path, "SQLite format 3", 16);
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);

    /* the SQLite magic, then garbage: SQLite itself says it is no database */
    memcpy(junk, "SQLite format 3", 16);
    st_write_file(e.path, junk, sizeof junk);
    fh_rv rv = FH_OK;
    assert_null(st_open_rv(e.path, 0, &rv));
    print_message("[ magic    ] SQLite magic + random bytes: %s\n", fh_rv_str(rv));
    assert_true(rv == FH_E_STORE_FOREIGN || rv == FH_E_STORE_CORRUPT);
    assert_rejected_unchanged(e.path, rv, rv);
    st_env_fini(&e);
}

static void
test_empty_file(void **state)
{
    struct st_env e;
    fh_rv rv = FH_OK;
    void *s;

    (void)state;
    st_env_init(&e);
    st_write_file(e.path, "", 0);
    assert_null(st_open_rv(e.path, 0, &rv));
    assert_int_equal(rv, FH_E_STORE_CORRUPT);
    s = st_open(e.path, FH_STORE_CREATE); /* initialises it */
    (void)st_token(s, "t");
    st_close(s);
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->health(s), FH_OK);
    st_close(s);
    st_env_fini(&e);
}

static void
test_other_sqlite_databases(void **state)
{
    struct st_env e;

    (void)state;
    st_env_init(&e);

    /* another application's schema */
    st_raw_exec(e.path, "CREATE TABLE contacts (name TEXT, phone TEXT);"
                        "INSERT INTO contacts VALUES ('a', '1');");
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);
    assert_int_equal(unlink(e.path), 0);

    /* our table names, no application id */
    st_raw_exec(e.path,
                "CREATE TABLE tokens (x); CREATE TABLE objects (x); CREATE TABLE audit (x);");
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);
    assert_int_equal(unlink(e.path), 0);

    /* another application id */
    st_raw_exec(e.path, "PRAGMA application_id = 1234; CREATE TABLE t (x);");
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);
    assert_int_equal(unlink(e.path), 0);

    /* a blank but non-empty database: not ours, even with CREATE */
    st_raw_exec(e.path, "CREATE TABLE t (x); DROP TABLE t;");
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);
    assert_int_equal(unlink(e.path), 0);

    /* a WAL-mode database of another application: no checkpoint into it either */
    st_raw_exec(e.path, "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);
    assert_int_equal(unlink(e.path), 0);

    /* our id with tables missing: damaged */
    st_raw_exec(e.path, "PRAGMA application_id = 1179151665; PRAGMA user_version = 1;"
                        "CREATE TABLE tokens (x);");
    assert_int_equal(FHI_SQLITE_APPLICATION_ID, 1179151665);
    assert_rejected_unchanged(e.path, FH_E_STORE_CORRUPT, FH_E_STORE_CORRUPT);
    st_env_fini(&e);
}

static void
test_newer_version(void **state)
{
    struct st_env e;
    char sql[64];
    void *s;

    (void)state;
    st_env_init(&e);
    make_store(e.path, 3);
    st_raw_exec(e.path, "PRAGMA user_version = 99;");
    assert_rejected_unchanged(e.path, FH_E_STORE_VERSION, FH_E_STORE_VERSION);

    /* a store opened while a newer FerroHSM migrates it: health says so */
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", FHI_SQLITE_SCHEMA_VERSION);
    st_raw_exec(e.path, sql);
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->health(s), FH_OK);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", FHI_SQLITE_SCHEMA_VERSION + 1);
    st_raw_exec(e.path, sql);
    assert_int_equal(ST_OPS->health(s), FH_E_STORE_VERSION);
    st_close(s);
    st_env_fini(&e);
}

static void
test_truncated(void **state)
{
    struct st_env e;
    uint8_t *data;
    size_t len = 0;
    fh_rv rv = FH_OK;

    (void)state;
    st_env_init(&e);
    make_store(e.path, 300);
    data = st_read_file(e.path, &len);
    assert_true(len > (size_t)8 * 4096);
    st_write_file(e.path, data, len / 2);
    assert_null(st_open_rv(e.path, 0, &rv));
    print_message("[ truncate ] %zu -> %zu bytes: %s\n", len, len / 2, fh_rv_str(rv));
    assert_int_equal(rv, FH_E_STORE_CORRUPT);
    assert_rejected_unchanged(e.path, FH_E_STORE_CORRUPT, FH_E_STORE_CORRUPT);

    /* inside page 1, and right after it: whatever SQLite says, it is an error */
    const size_t cuts[] = {2000, 4096, 4096 + 100};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        st_write_file(e.path, data, cuts[i]);
        assert_null(st_open_rv(e.path, 0, &rv));
        print_message("[ truncate ] %zu -> %zu bytes: %s\n", len, cuts[i], fh_rv_str(rv));
        assert_true(rv == FH_E_STORE_CORRUPT || rv == FH_E_STORE_FOREIGN);
        assert_rejected_unchanged(e.path, rv, rv);
    }

    /* truncated inside the header: nothing says it was a store */
    st_write_file(e.path, data, 60);
    assert_rejected_unchanged(e.path, FH_E_STORE_FOREIGN, FH_E_STORE_FOREIGN);
    free(data);
    st_env_fini(&e);
}

struct count_pattern {
    size_t objects;
    size_t intact;
};

static fh_rv
count_pattern(void *arg, const struct fh_store_object *o)
{
    struct count_pattern *c = arg;
    bool ok = o->attrs_len == 200;

    for (size_t i = 0; ok && i < o->attrs_len; i++) {
        ok = o->attrs[i] == 'P';
    }
    c->objects++;
    c->intact += ok;
    return FH_OK;
}

/*
 * One byte flipped in a data page, after the WAL was checkpointed into the
 * file (the last close does that). SQLite keeps no page checksums: a flip
 * inside a value is invisible to quick_check and changes the value (the
 * core's AEAD over secrets, with token and object identity as associated
 * data, is what catches that); a flip in the b-tree structure is caught.
 */
static void
test_flipped_byte(void **state)
{
    char wal[600];
    struct st_env e;
    uint8_t *data;
    uint8_t *hit;
    size_t len = 0;
    size_t page;
    size_t off;
    fh_rv rv = FH_OK;
    void *s;

    (void)state;
    st_env_init(&e);
    make_store(e.path, 100);
    (void)snprintf(wal, sizeof wal, "%s-wal", e.path);
    assert_false(st_file_exists(wal));
    data = st_read_file(e.path, &len);
    page = ((size_t)data[16] << 8) | data[17]; /* header: page size */
    assert_int_equal(page, 4096);

    /* a byte in the middle of a run of 'P's, in the middle of the file */
    hit = memmem(data + len / 2, len - len / 2, "PPPPPPPPPPPPPPPP", 16);
    assert_non_null(hit);
    off = (size_t)(hit - data) + 8;
    data[off] ^= 0x01;
    st_write_file(e.path, data, len);
    s = st_open_rv(e.path, 0, &rv);
    print_message("[ flip     ] value byte at %zu (page %zu): open %s\n", off, off / page + 1,
                  fh_rv_str(rv));
    if (s != NULL) {
        struct fh_store_query q = {.token_id = 1};
        struct count_pattern c = {0};

        assert_int_equal(ST_OPS->object_find(s, &q, count_pattern, &c), FH_OK);
        print_message("[ flip     ] %zu objects read, %zu intact\n", c.objects, c.intact);
        assert_int_equal(c.objects, 100);
        assert_int_equal(c.intact, 99);
        st_close(s);
    } else {
        assert_int_equal(rv, FH_E_STORE_CORRUPT);
    }

    /* the page-type byte of the same page (a b-tree leaf): caught at open */
    data[off] ^= 0x01;
    data[(off / page) * page] = 0x42;
    st_write_file(e.path, data, len);
    assert_null(st_open_rv(e.path, 0, &rv));
    print_message("[ flip     ] page type of page %zu: %s\n", off / page + 1, fh_rv_str(rv));
    assert_int_equal(rv, FH_E_STORE_CORRUPT);
    free(data);
    st_env_fini(&e);
}

static fh_rv
count_audit(void *arg, const struct fh_store_audit *r)
{
    (void)r;
    ++*(size_t *)arg;
    return FH_OK;
}

/*
 * The check at open leaves the audit log out (it grows with every
 * operation, and opening must not slow down with it): a broken b-tree page of
 * the audit table does not stop the store from opening, and the objects stay
 * readable, but reading the log reports the corruption. A broken page of any
 * other table is caught at open (test_flipped_byte).
 */
static void
test_audit_pages_checked_when_read(void **state)
{
    char actor[201];
    struct fh_store_audit r = {0}, *batch;
    struct fh_store_query q = {.token_id = 1};
    struct count_pattern c = {0};
    struct st_env e;
    size_t len = 0, page, n = 0;
    uint8_t *data, *hit;
    fh_rv rv = FH_OK;
    void *s;

    (void)state;
    st_env_init(&e);
    make_store(e.path, 100);
    s = st_open(e.path, 0);
    memset(actor, 'Q', sizeof actor - 1);
    actor[sizeof actor - 1] = '\0';
    r.actor = actor;
    r.front = "test";
    r.operation = "sign";
    r.object = "";
    r.result = "OK";
    r.corr_id = "c";
    /* 200 records in four pages (the hashes are all zero: linked) */
    batch = calloc(200, sizeof *batch);
    assert_non_null(batch);
    for (int64_t i = 1; i <= 200; i++) {
        batch[i - 1] = r;
        batch[i - 1].seq = i;
        batch[i - 1].time_ms = i;
    }
    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    for (size_t i = 0; i < 200; i += 50) {
        assert_int_equal(ST_OPS->audit_append_batch(s, batch + i, 50), FH_OK);
    }
    assert_int_equal(ST_OPS->commit(s), FH_OK);
    free(batch);
    st_close(s); /* checkpoints the WAL into the file */

    data = st_read_file(e.path, &len);
    page = ((size_t)data[16] << 8) | data[17];
    hit = memmem(data + page, len - page, actor, 64); /* a leaf page of audit_pages */
    assert_non_null(hit);
    data[((size_t)(hit - data) / page) * page] = 0x42; /* its page type */
    st_write_file(e.path, data, len);
    free(data);

    s = st_open_rv(e.path, 0, &rv);
    assert_non_null(s);
    assert_int_equal(rv, FH_OK);
    assert_int_equal(ST_OPS->object_find(s, &q, count_pattern, &c), FH_OK);
    assert_int_equal(c.objects, 100);
    assert_int_equal(c.intact, 100);
    assert_int_equal(ST_OPS->audit_list(s, 1, 0, count_audit, &n), FH_E_STORE_CORRUPT);
    st_close(s);
    st_env_fini(&e);
}

/* ---- several processes -------------------------------------------------- */

/* Child: open, insert `n` objects (even ones in a write transaction each,
 * odd ones in autocommit mode), exit 0 on success. */
static void
child_insert(const char *path, int n, int barrier)
{
    struct fh_store_object o = {0};
    fh_rv rv = FH_OK;
    char go = 0;
    int64_t id = 0;
    void *s = calloc(1, ST_OPS->priv_size);

    if (read(barrier, &go, 1) != 1 || s == NULL) {
        _exit(2);
    }
    rv = ST_OPS->open(s, path, 0);
    o.token_id = 1;
    o.cls = CKO_DATA;
    o.key_type = CK_UNAVAILABLE_INFORMATION;
    o.attrs = (uint8_t *)(uintptr_t)"attrs";
    o.attrs_len = 5;
    for (int i = 0; rv == FH_OK && i < n; i++) {
        if (i % 2 == 0) {
            rv = ST_OPS->begin(s, true);
            if (rv == FH_OK) {
                rv = ST_OPS->object_insert(s, &o, &id);
            }
            if (rv == FH_OK) {
                rv = ST_OPS->commit(s);
            }
        } else {
            rv = ST_OPS->object_insert(s, &o, &id);
        }
    }
    ST_OPS->close(s);
    free(s);
    _exit(rv == FH_OK ? 0 : 10 + (int)rv);
}

/* Child: create the store (racing the others), add one token. */
static void
child_create(const char *path, int k, int barrier)
{
    struct fh_store_token t = {0};
    char label[16];
    char go = 0;
    int64_t id = 0;
    fh_rv rv;
    void *s = calloc(1, ST_OPS->priv_size);

    if (read(barrier, &go, 1) != 1 || s == NULL) {
        _exit(2);
    }
    (void)snprintf(label, sizeof label, "tok%d", k);
    rv = ST_OPS->open(s, path, FH_STORE_CREATE);
    if (rv != FH_OK) {
        _exit(10 + (int)rv); /* 10 + fh_rv: open failed */
    }
    t.label = label;
    rv = ST_OPS->token_insert(s, &t, &id);
    ST_OPS->close(s);
    free(s);
    _exit(rv == FH_OK ? 0 : 100 + (int)rv); /* 100 + fh_rv: insert failed */
}

static void
run_children(int nchild, void (*body)(const char *, int, int), const char *path, int arg)
{
    pid_t pids[8];
    int fds[2];
    int status = 0;

    assert_true(nchild <= 8);
    assert_int_equal(pipe(fds), 0);
    for (int i = 0; i < nchild; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(fds[1]);
            body(path, arg < 0 ? i : arg, fds[0]);
        }
    }
    close(fds[0]);
    /* release them together */
    for (int i = 0; i < nchild; i++) {
        assert_int_equal(write(fds[1], "g", 1), 1);
    }
    close(fds[1]);
    for (int i = 0; i < nchild; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            print_message("[ child    ] %d exited with %d\n", i, WEXITSTATUS(status));
        }
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

struct distinct {
    int64_t last;
    size_t n;
};

static fh_rv
check_ascending(void *arg, const struct fh_store_object *o)
{
    struct distinct *d = arg;

    assert_true(o->id > d->last);
    d->last = o->id;
    d->n++;
    return FH_OK;
}

static void
test_two_processes(void **state)
{
    struct st_env e;
    struct fh_store_query q = {.token_id = 1};
    struct distinct d = {0};
    uint64_t n = 0;
    double t0;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    assert_int_equal(st_token(s, "shared"), 1);
    st_close(s);

    t0 = st_now_ms();
    run_children(2, child_insert, e.path, 200);
    print_message("[ fork     ] 2 x 200 inserts (synchronous=FULL): %.0f ms\n",
                  st_now_ms() - t0);

    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->object_count(s, 1, &n), FH_OK);
    assert_int_equal(n, 400);
    assert_int_equal(ST_OPS->object_find(s, &q, check_ascending, &d), FH_OK);
    assert_int_equal(d.n, 400); /* 400 rows with strictly ascending, so distinct, ids */
    st_close(s);
    st_env_fini(&e);
}

/* A child process: open the store afresh, find token label, close. */
static int
child_sees_token(const char *path, const char *label)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        struct fh_store_token t = {0};
        fh_rv rv = FH_E_GENERAL;
        void *s = calloc(1, ST_OPS->priv_size);

        if (s != NULL && ST_OPS->open(s, path, 0) == FH_OK) {
            rv = ST_OPS->token_get(s, label, &t);
            fh_store_token_clear(&t);
        }
        if (s != NULL) {
            ST_OPS->close(s); /* the last connection would checkpoint and drop the WAL */
        }
        _exit(rv == FH_OK ? 0 : 1);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Opening and closing a second connection in this process must not drop
 * the first one's file locks (POSIX locks belong to the process: closing
 * any descriptor of the file drops them all). If it did, another process
 * closing its connection would think it the last one, checkpoint and delete
 * the WAL, and what the first connection wrote afterwards would go into the
 * unlinked WAL, never seen by anyone else.
 */
static void
test_second_connection_keeps_locks(void **state)
{
    struct st_env e;
    char wal[600];
    uint64_t gen = 0;
    void *s1, *s2;

    (void)state;
    st_env_init(&e);
    (void)snprintf(wal, sizeof wal, "%s-wal", e.path);
    s1 = st_open(e.path, FH_STORE_CREATE);
    (void)st_token(s1, "before");
    assert_int_equal(ST_OPS->generation(s1, &gen), FH_OK); /* maps the -shm header */
    for (int i = 0; i < 3; i++) {
        s2 = st_open(e.path, 0);
        assert_int_equal(ST_OPS->generation(s2, &gen), FH_OK);
        st_close(s2);
    }
    assert_int_equal(child_sees_token(e.path, "before"), 0);
    assert_true(st_file_exists(wal)); /* s1 is still open: nobody may remove it */
    (void)st_token(s1, "after");
    assert_int_equal(child_sees_token(e.path, "after"), 0);
    st_close(s1);
    st_env_fini(&e);
}

static fh_rv
count_token(void *arg, const struct fh_store_token *t)
{
    (void)t;
    (*(size_t *)arg)++;
    return FH_OK;
}

static void
test_concurrent_create(void **state)
{
    struct st_env e;
    size_t n = 0;
    void *s;

    (void)state;
    for (int round = 0; round < 5; round++) {
        st_env_init(&e);
        run_children(4, child_create, e.path, -1);
        s = st_open(e.path, 0);
        n = 0;
        assert_int_equal(ST_OPS->token_list(s, count_token, &n), FH_OK);
        assert_int_equal(n, 4);
        st_close(s);
        st_env_fini(&e);
    }
}

/* ---- cost of quick_check ------------------------------------------------ */

/* Drop the file's pages from the page cache (they are clean after a close). */
static void
evict(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(fdatasync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
}

static double
min_ms(double a, double b)
{
    return a < b ? a : b;
}

static void
test_quick_check_10k(void **state)
{
    struct st_env e;
    sqlite3 *db = NULL;
    double t0;
    double t_cold = 1e9;
    double t_warm = 1e9;
    double t_qc = 1e9;
    size_t len = 0;
    uint8_t *data;
    void *s;

    (void)state;
    st_env_init(&e);
    t0 = st_now_ms();
    make_store(e.path, 10000);
    print_message("[ 10k      ] 10000 inserts in one transaction: %.0f ms\n", st_now_ms() - t0);
    data = st_read_file(e.path, &len);
    free(data);

    for (int i = 0; i < 3; i++) {
        evict(e.path);
        t0 = st_now_ms();
        s = st_open(e.path, 0);
        t_cold = min_ms(t_cold, st_now_ms() - t0);
        st_close(s);

        t0 = st_now_ms();
        s = st_open(e.path, 0);
        t_warm = min_ms(t_warm, st_now_ms() - t0);
        st_close(s);

        assert_int_equal(sqlite3_open_v2(e.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        t0 = st_now_ms();
        assert_int_equal(sqlite3_exec(db, "PRAGMA quick_check(1)", NULL, NULL, NULL), SQLITE_OK);
        t_qc = min_ms(t_qc, st_now_ms() - t0);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
    }
    print_message("[ 10k      ] file %zu KiB; open (runs quick_check): %.2f ms after evicting "
                  "the page cache, %.2f ms warm; quick_check alone %.2f ms warm (best of 3)\n",
                  len / 1024, t_cold, t_warm, t_qc);
    st_env_fini(&e);
}

int
st_run_file_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_mode_and_missing),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_other_sqlite_databases),
        cmocka_unit_test(test_newer_version),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_flipped_byte),
        cmocka_unit_test(test_audit_pages_checked_when_read),
        cmocka_unit_test(test_two_processes),
        cmocka_unit_test(test_second_connection_keeps_locks),
        cmocka_unit_test(test_concurrent_create),
        cmocka_unit_test(test_quick_check_10k),
    };

    return cmocka_run_group_tests_name("store-sqlite files", tests, NULL, NULL);
}
