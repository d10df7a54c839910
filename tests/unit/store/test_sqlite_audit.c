/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sqlite_audit.c - the audit log of the SQLite store (audit_log.c):
 * legacy rows of a store of schema 3 followed by pages, reads that start
 * near the end, damaged pages, and batches larger than a page.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../../../src/store/sqlite/sqlite-int.h"

/* Records seen by a list: every field checked against st_audit_fill(). */
struct seen {
    int64_t seq[256];
    size_t n;
    bool skip_object; /* objects not made by st_audit_fill() */
};

static fh_rv
collect(void *arg, const struct fh_store_audit *r)
{
    struct seen *a = arg;
    struct fh_store_audit want;
    char buf[32];

    st_audit_fill(&want, r->seq, buf, sizeof buf);
    assert_int_equal(r->time_ms, want.time_ms);
    assert_string_equal(r->actor, want.actor);
    assert_string_equal(r->front, want.front);
    if (!a->skip_object) {
        assert_string_equal(r->object, want.object);
    }
    assert_string_equal(r->corr_id, want.corr_id);
    assert_memory_equal(r->prev_hash, want.prev_hash, FH_AUDIT_HASH_LEN);
    assert_memory_equal(r->hash, want.hash, FH_AUDIT_HASH_LEN);
    assert_true(a->n < sizeof a->seq / sizeof a->seq[0]);
    a->seq[a->n++] = r->seq;
    return FH_OK;
}

/* list(from, limit) gives exactly want_first .. want_first + want_n - 1. */
static void
assert_list(void *s, int64_t from, size_t limit, int64_t want_first, size_t want_n)
{
    struct seen seen = {0};

    assert_int_equal(ST_OPS->audit_list(s, from, limit, collect, &seen), FH_OK);
    assert_int_equal(seen.n, want_n);
    for (size_t i = 0; i < seen.n; i++) {
        assert_int_equal(seen.seq[i], want_first + (int64_t)i);
    }
}

/* Legacy rows 1..n, as a store of schema 3 wrote them; the file made schema 3. */
static void
make_legacy(const char *path, int64_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    st_raw_exec(path, "DROP TABLE audit_pages; PRAGMA user_version = 3;");
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO audit (seq, time_ms, actor, front, operation,"
                                        " object, result, corr_id, prev_hash, hash)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int64_t seq = 1; seq <= n; seq++) {
        struct fh_store_audit r;
        char buf[32];
        const char *t[6];

        st_audit_fill(&r, seq, buf, sizeof buf);
        t[0] = r.actor;
        t[1] = r.front;
        t[2] = r.operation;
        t[3] = r.object;
        t[4] = r.result;
        t[5] = r.corr_id;
        sqlite3_bind_int64(st, 1, r.seq);
        sqlite3_bind_int64(st, 2, r.time_ms);
        for (int k = 0; k < 6; k++) {
            sqlite3_bind_text(st, 3 + k, t[k], -1, SQLITE_TRANSIENT);
        }
        sqlite3_bind_blob(st, 9, r.prev_hash, FH_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 10, r.hash, FH_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/*
 * A store of schema 3 with records in `audit` is migrated on open: the rows
 * stay, are read first, and the log goes on in pages; reads cross the
 * boundary in both directions, and seqs of either kind are taken.
 */
static void
test_legacy_then_pages(void **state)
{
    struct st_env e;
    struct fh_store_audit last;
    void *s;

    (void)state;
    st_env_init(&e);
    st_close(st_open(e.path, FH_STORE_CREATE));
    make_legacy(e.path, 30);
    s = st_open(e.path, 0);
    assert_int_equal(st_raw_int(e.path, "PRAGMA user_version"), FHI_SQLITE_SCHEMA_VERSION);
    assert_int_equal(ST_OPS->health(s), FH_OK);
    assert_int_equal(ST_OPS->audit_last(s, &last), FH_OK);
    assert_int_equal(last.seq, 30);
    fh_store_audit_clear(&last);
    assert_list(s, 1, 0, 1, 30);

    assert_int_equal(st_audit_append_range(s, 31, 60), FH_OK);
    assert_int_equal(st_audit_append_range(s, 61, 100), FH_OK);
    assert_int_equal(ST_OPS->audit_last(s, &last), FH_OK);
    assert_int_equal(last.seq, 100);
    assert_string_equal(last.corr_id, "corr-100");
    fh_store_audit_clear(&last);
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM audit"), 30);
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM audit_pages"), 2);

    assert_list(s, 1, 0, 1, 100);
    assert_list(s, INT64_MIN, 0, 1, 100);
    assert_list(s, 25, 10, 25, 10); /* rows, then pages */
    assert_list(s, 29, 2, 29, 2);   /* rows only */
    assert_list(s, 30, 1, 30, 1);
    assert_list(s, 31, 0, 31, 70);
    assert_list(s, 55, 3, 55, 3); /* inside the first page */
    assert_list(s, 58, 5, 58, 5); /* across two pages */
    assert_list(s, 100, 0, 100, 1);
    assert_list(s, 101, 0, 101, 0);

    assert_int_equal(st_audit_append_range(s, 30, 30), FH_E_EXISTS);
    assert_int_equal(st_audit_append_range(s, 20, 40), FH_E_EXISTS);
    assert_int_equal(st_audit_append_range(s, 60, 61), FH_E_EXISTS);
    assert_int_equal(st_audit_append_range(s, 101, 101), FH_OK);
    st_close(s);
    st_env_fini(&e);
}

/*
 * A page that cannot be decoded is reported, after the records before it,
 * as FH_E_STORE_CORRUPT; a read that starts after it does not touch it
 * (a read near the end decodes the pages from there only).
 */
static void
test_damaged_page(void **state)
{
    static const char *const damage[] = {
        "UPDATE audit_pages SET body = substr(body, 1, length(body) - 1) WHERE first_seq = 11",
        "UPDATE audit_pages SET body = CAST(body AS TEXT) WHERE first_seq = 11",
        "UPDATE audit_pages SET body = X'' WHERE first_seq = 11",
        "UPDATE audit_pages SET last_seq = 21 WHERE first_seq = 11",
        "UPDATE audit_pages SET last_seq = 20.5 WHERE first_seq = 11",
        "UPDATE audit_pages SET body = CAST(body || X'00' AS BLOB) WHERE first_seq = 11",
    };
    struct st_env e;
    struct seen seen;
    struct fh_store_audit last;

    (void)state;
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        void *s;

        st_env_init(&e);
        s = st_open(e.path, FH_STORE_CREATE);
        assert_int_equal(st_audit_append_range(s, 1, 10), FH_OK);
        assert_int_equal(st_audit_append_range(s, 11, 20), FH_OK);
        assert_int_equal(st_audit_append_range(s, 21, 30), FH_OK);
        st_close(s);
        st_raw_exec(e.path, damage[i]);
        s = st_open(e.path, 0); /* the log is not checked at open */
        memset(&seen, 0, sizeof seen);
        assert_int_equal(ST_OPS->audit_list(s, 1, 0, collect, &seen), FH_E_STORE_CORRUPT);
        assert_int_equal(seen.n, 10); /* nothing of the damaged page */
        memset(&seen, 0, sizeof seen);
        assert_int_equal(ST_OPS->audit_list(s, 15, 0, collect, &seen), FH_E_STORE_CORRUPT);
        assert_int_equal(seen.n, 0);
        assert_list(s, 21, 0, 21, 10);
        assert_list(s, 1, 10, 1, 10); /* the limit is reached before the damaged page */
        assert_int_equal(ST_OPS->audit_last(s, &last), FH_OK);
        assert_int_equal(last.seq, 30);
        fh_store_audit_clear(&last);
        st_close(s);
        /* as the last page, it stops appends */
        st_raw_exec(e.path, "DELETE FROM audit_pages WHERE first_seq = 21");
        s = st_open(e.path, 0);
        assert_int_equal(ST_OPS->audit_last(s, &last), FH_E_STORE_CORRUPT);
        assert_null(last.actor);
        st_close(s);
        st_env_fini(&e);
    }
}

/*
 * A batch larger than a page is written as several pages in one
 * transaction: all of them or none (here the second page's seqs are taken,
 * so the first is rolled back too).
 */
static void
test_batch_of_pages(void **state)
{
    const size_t n = 1200; /* 4 KiB objects: two pages */
    struct fh_store_audit *v = calloc(n, sizeof *v);
    char(*bufs)[32] = calloc(n, sizeof *bufs);
    char *big = malloc(n * (FHI_SQLITE_MAX_TEXT + 1));
    struct st_env e;
    void *s;

    (void)state;
    assert_non_null(v);
    assert_non_null(bufs);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) {
        char *o = big + i * (FHI_SQLITE_MAX_TEXT + 1);

        st_audit_fill(&v[i], 1 + (int64_t)i, bufs[i], sizeof bufs[i]);
        memset(o, 'a' + (int)(i % 26), FHI_SQLITE_MAX_TEXT);
        o[FHI_SQLITE_MAX_TEXT] = '\0';
        memcpy(o, bufs[i], strlen(bufs[i])); /* distinct */
        v[i].object = o;
    }
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    st_close(s);
    st_raw_exec(e.path, "INSERT INTO audit_pages VALUES (1150, 1150, X'01')");
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->audit_append_batch(s, v, n), FH_E_EXISTS);
    st_close(s);
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM audit_pages"), 1);
    st_raw_exec(e.path, "DELETE FROM audit_pages");
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->audit_append_batch(s, v, n), FH_OK);
    {
        size_t count = 0;
        struct fh_store_audit last;

        assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM audit_pages"), 2);
        assert_int_equal(st_raw_int(e.path, "SELECT max(last_seq) FROM audit_pages"), (int64_t)n);
        assert_int_equal(ST_OPS->audit_last(s, &last), FH_OK);
        assert_int_equal(last.seq, (int64_t)n);
        assert_string_equal(last.object, v[n - 1].object);
        fh_store_audit_clear(&last);
        for (int64_t from = 1; from <= (int64_t)n; from += 299) {
            struct seen seen = {.skip_object = true};

            assert_int_equal(ST_OPS->audit_list(s, from, 200, collect, &seen), FH_OK);
            assert_int_equal(seen.n, 200 < n - (size_t)from + 1 ? 200 : n - (size_t)from + 1);
            count += seen.n;
        }
        assert_true(count > 0);
    }
    st_close(s);
    st_env_fini(&e);
    free(big);
    free(bufs);
    free(v);
}

int
st_run_audit_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_then_pages),
        cmocka_unit_test(test_damaged_page),
        cmocka_unit_test(test_batch_of_pages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
