/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit.c - the hash-chained audit log (src/core/audit.c): records of
 * real operations, fh_audit_verify, and tampering done directly in SQLite.
 */
#include "helpers.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core-int.h" /* fhi_audit_batched */

#define WRONG_PIN "wrong-pin-9999"

struct rec {
    int64_t seq;
    char actor[96], front[16], operation[32], object[128], result[48], corr_id[64];
};

struct recs {
    struct rec v[256];
    size_t n;
};

static fh_rv
collect(void *arg, const struct fh_store_audit *r)
{
    struct recs *rs = arg;
    struct rec *d;

    if (rs->n == sizeof(rs->v) / sizeof(rs->v[0])) {
        return FH_E_DATA_TOO_LARGE;
    }
    d = &rs->v[rs->n++];
    d->seq = r->seq;
    snprintf(d->actor, sizeof(d->actor), "%s", r->actor);
    snprintf(d->front, sizeof(d->front), "%s", r->front);
    snprintf(d->operation, sizeof(d->operation), "%s", r->operation);
    snprintf(d->object, sizeof(d->object), "%s", r->object);
    snprintf(d->result, sizeof(d->result), "%s", r->result);
    snprintf(d->corr_id, sizeof(d->corr_id), "%s", r->corr_id);
    return FH_OK;
}

static const struct rec *
find_rec(const struct recs *rs, const char *op, const char *result)
{
    for (size_t i = 0; i < rs->n; i++) {
        if (strcmp(rs->v[i].operation, op) == 0 && strcmp(rs->v[i].result, result) == 0) {
            return &rs->v[i];
        }
    }
    return NULL;
}

/* login ok, login failure, key.generate, sign: 1 + those records. */
static void
produce_records(struct th_env *e)
{
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE pub, priv;
    uint8_t sig[128];
    size_t len = sizeof(sig);
    static const uint8_t data[] = "audited";

    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, WRONG_PIN), FH_E_PIN_INCORRECT);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_OK);
    assert_int_equal(fh_session_open(tok, true, &s), FH_OK);
    th_ec_pair(s, true, "audkey", &pub, &priv);
    assert_int_equal(th_sign(s, CKM_ECDSA_SHA256, priv, data, sizeof(data), sig, &len), FH_OK);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    fh_token_close(tok);
}

static void
records_of_operations(void **state)
{
    struct th_env *e = *state;
    struct recs *rs = calloc(1, sizeof(*rs));
    struct fh_audit_verify_result vr;
    const struct rec *r;
    char actor[64];

    assert_non_null(rs);
    produce_records(e);
    assert_int_equal(fh_audit_list(e->ctx, 1, 0, collect, rs), FH_OK);
    assert_true(rs->n >= 6);
    for (size_t i = 0; i < rs->n; i++) {
        assert_int_equal(rs->v[i].seq, (int64_t)i + 1);
        assert_string_equal(rs->v[i].front, "unit");
        /* PINs never appear */
        for (size_t k = 0; k < 3; k++) {
            static const char *const pins[] = {TH_USER_PIN, TH_SO_PIN, WRONG_PIN};
            const struct rec *x = &rs->v[i];

            assert_null(strstr(x->actor, pins[k]));
            assert_null(strstr(x->operation, pins[k]));
            assert_null(strstr(x->object, pins[k]));
            assert_null(strstr(x->result, pins[k]));
            assert_null(strstr(x->corr_id, pins[k]));
        }
    }
    snprintf(actor, sizeof(actor), "token:%s/user", TH_LABEL);
    r = find_rec(rs, "token.create", "ok");
    assert_non_null(r);
    assert_int_equal(r->seq, 1);
    r = find_rec(rs, "login", "pin_incorrect");
    assert_non_null(r);
    assert_string_equal(r->actor, actor);
    r = find_rec(rs, "login", "ok");
    assert_non_null(r);
    assert_string_equal(r->actor, actor);
    assert_string_equal(r->corr_id, fh_ctx_corr_id(e->ctx));
    r = find_rec(rs, "key.generate", "ok");
    assert_non_null(r);
    assert_string_equal(r->actor, actor);
    assert_string_equal(r->object, "token:" TH_LABEL "/key:audkey");
    r = find_rec(rs, "sign", "ok");
    assert_non_null(r);
    assert_string_equal(r->actor, actor);
    assert_string_equal(r->object, "token:" TH_LABEL "/key:audkey");
    assert_non_null(find_rec(rs, "logout", "ok"));

    /* the corr id is settable and recorded */
    fh_ctx_set_corr_id(e->ctx, "req-42");
    assert_string_equal(fh_ctx_corr_id(e->ctx), "req-42");
    {
        fh_token *tok = NULL;

        assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK);
        assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
        fh_token_close(tok);
    }
    rs->n = 0;
    assert_int_equal(fh_audit_list(e->ctx, 1, 0, collect, rs), FH_OK);
    assert_string_equal(rs->v[rs->n - 1].corr_id, "req-42");
    assert_string_equal(rs->v[rs->n - 1].actor, "token:" TH_LABEL "/so");
    /* from_seq and limit */
    {
        size_t total = rs->n;

        rs->n = 0;
        assert_int_equal(fh_audit_list(e->ctx, 3, 2, collect, rs), FH_OK);
        assert_int_equal(rs->n, 2);
        assert_int_equal(rs->v[0].seq, 3);
        assert_int_equal(rs->v[1].seq, 4);
        assert_true(total > 4);
    }

    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    assert_true(vr.records >= 7);
    assert_int_equal(vr.first_bad_seq, 0);
    free(rs);
}

/* Raw store: no PIN bytes anywhere in the file either. */
static void
no_pin_in_store_file(void **state)
{
    struct th_env *e = *state;
    static const char *const pins[] = {TH_USER_PIN, TH_SO_PIN, WRONG_PIN};
    char path[700];

    produce_records(e);
    th_close_ctx(e);
    for (size_t k = 0; k < 3; k++) {
        for (int w = 0; w < 2; w++) {
            size_t len = 0;
            uint8_t *buf;

            snprintf(path, sizeof(path), "%s%s", e->db, w ? "-wal" : "");
            buf = th_read_file(path, &len);
            assert_false(th_contains(buf, len, pins[k], strlen(pins[k])));
            free(buf);
        }
    }
    assert_int_equal(th_open_ctx(e, false), FH_OK);
}

/*
 * Tampering, done in SQLite behind the store's back. New records live in
 * `audit_pages`, one row per written batch (src/store/sqlite/audit_pages.c
 * has the body's bytes): the edits below change bytes of a body in place
 * (CAST(... AS BLOB): SQLite's || makes TEXT of BLOBs, which alone would be
 * an unreadable page), move or forge rows, or cut a body short.
 *
 * Layout made by produce_paged: the records of produce_records (each
 * written at once, a page of one; sign and its session's records are
 * flushed by the next synchronous record), then PAGE_N records queued
 * together and written as one page, objects "obj-0-0" .. "obj-0-9".
 */
#define PAGE_N 10
/* A record of the big page at its smallest, as it is there: 1-byte time
 * delta (all but the first), six 1-byte indexes, the 32-byte hash. */
#define REC_LEN 39

struct layout {
    int64_t big;    /* first_seq of the page of PAGE_N records */
    int64_t single; /* first of two consecutive one-record pages */
    int64_t last;   /* the last seq of the log */
};

static void
queue_records(struct th_env *e, int n)
{
    for (int i = 0; i < n; i++) {
        char object[32];

        snprintf(object, sizeof(object), "obj-0-%d", i);
        fh_audit_set_thread_context("corr-0", "apikey:t0");
        fhi_audit_batched(e->ctx, "token:t/user", "sign", object, FH_OK);
        fh_audit_clear_thread_context();
    }
}

/* Produce the layout above; the context is closed on return. */
static void
produce_paged(struct th_env *e, struct layout *l)
{
    struct fh_audit_verify_result vr;
    sqlite3 *db;

    produce_records(e);
    queue_records(e, PAGE_N);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK); /* writes the queue: one page */
    th_close_ctx(e);
    db = th_db_open(e);
    l->big = th_db_int(db, "SELECT first_seq FROM audit_pages WHERE last_seq - first_seq = 9");
    l->single = th_db_int(db, "SELECT a.first_seq FROM audit_pages a JOIN audit_pages b"
                              " ON b.first_seq = a.first_seq + 1 WHERE a.last_seq = a.first_seq"
                              " AND b.last_seq = b.first_seq ORDER BY a.first_seq LIMIT 1");
    l->last = th_db_int(db, "SELECT max(last_seq) FROM audit_pages");
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM audit"), 0);
    sqlite3_close(db);
    assert_true(l->single >= 1);
    assert_int_equal(l->big + PAGE_N - 1, l->last);
}

/* Run sql on the closed store, reopen, verify: broken at want_seq; when
 * `unreadable`, because the store could not read the log from there on
 * (fh_audit_list reports the damage as FH_E_STORE_CORRUPT). */
static void
tamper_expect(struct th_env *e, const char *sql, int64_t want_seq, bool unreadable)
{
    struct fh_audit_verify_result vr;
    sqlite3 *db;

    db = th_db_open(e);
    th_db_exec(db, sql);
    assert_int_equal(sqlite3_changes(db) > 0, 1);
    sqlite3_close(db);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    memset(&vr, 0, sizeof(vr));
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_E_AUDIT_BROKEN);
    assert_int_equal(vr.first_bad_seq, want_seq);
    assert_non_null(vr.reason);
    assert_true(vr.reason[0] != '\0');
    assert_int_equal(vr.records, (uint64_t)(want_seq - 1));
    assert_int_equal(strstr(vr.reason, "unreadable") != NULL, unreadable);
    if (unreadable) {
        struct recs *rs = calloc(1, sizeof(*rs));

        assert_non_null(rs);
        assert_int_equal(fh_audit_list(e->ctx, 1, 0, collect, rs), FH_E_STORE_CORRUPT);
        free(rs);
    }
}

/* produce_paged, then sql formatted with the layout's numbers. */
#define TAMPER(e, want, unreadable, ...)                                                           \
    do {                                                                                           \
        char sql_[1024];                                                                           \
                                                                                                   \
        assert_true((size_t)snprintf(sql_, sizeof(sql_), __VA_ARGS__) < sizeof(sql_));             \
        tamper_expect((e), sql_, (want), (unreadable));                                            \
    } while (0)

/* One byte of a string in a page's table: the record that uses it breaks. */
static void
tamper_string_byte(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.big + 5, false,
           "UPDATE audit_pages SET body = CAST(substr(body, 1, instr(body, CAST('obj-0-5' AS BLOB))"
           " + 5) || X'58' || substr(body, instr(body, CAST('obj-0-5' AS BLOB)) + 7) AS BLOB)"
           " WHERE first_seq = %lld",
           (long long)l.big);
}

/* A string shared by every record of the page: the first of them breaks. */
static void
tamper_shared_string(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.big, false,
           "UPDATE audit_pages SET body = CAST(substr(body, 1, instr(body, CAST('corr-0' AS BLOB))"
           " - 1) || X'43' || substr(body, instr(body, CAST('corr-0' AS BLOB)) + 1) AS BLOB)"
           " WHERE first_seq = %lld",
           (long long)l.big);
}

/* The time delta of record 4 of the page (that record and all after it move). */
static void
tamper_time_byte(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.big + 4, false,
           "UPDATE audit_pages SET body = CAST(substr(body, 1, length(body) - %d)"
           " || X'10' || substr(body, length(body) - %d + 2) AS BLOB) WHERE first_seq = %lld",
           (PAGE_N - 4) * REC_LEN, (PAGE_N - 4) * REC_LEN, (long long)l.big);
}

/* The hashes of records 2 and 6 of the page swapped. */
static void
tamper_swap_hashes(void **state)
{
    struct layout l;
    /* 1-based positions of the two hashes */
    const int hi = (PAGE_N - 2) * REC_LEN - 7, hj = (PAGE_N - 6) * REC_LEN - 7;

    produce_paged(*state, &l);
    TAMPER(*state, l.big + 2, false,
           "UPDATE audit_pages SET body = CAST("
           "substr(body, 1, length(body) - %d) || substr(body, length(body) - %d + 1, 32) ||"
           " substr(body, length(body) - %d + 33, %d) ||"
           " substr(body, length(body) - %d + 1, 32) || substr(body, length(body) - %d + 33)"
           " AS BLOB) WHERE first_seq = %lld",
           hi, hj, hi, hi - hj - 32, hi, hj, (long long)l.big);
}

/* Records 3 and 7 of the page swapped whole (time delta, strings, hash). */
static void
tamper_swap_records_in_page(void **state)
{
    struct layout l;
    const int ri = (PAGE_N - 3) * REC_LEN, rj = (PAGE_N - 7) * REC_LEN; /* from the end */

    produce_paged(*state, &l);
    TAMPER(*state, l.big + 3, false,
           "UPDATE audit_pages SET body = CAST("
           "substr(body, 1, length(body) - %d) || substr(body, length(body) - %d + 1, %d) ||"
           " substr(body, length(body) - %d + %d + 1, %d) ||"
           " substr(body, length(body) - %d + 1, %d) || substr(body, length(body) - %d + %d + 1)"
           " AS BLOB) WHERE first_seq = %lld",
           ri, rj, REC_LEN, ri, REC_LEN, ri - rj - REC_LEN, ri, REC_LEN, rj, REC_LEN,
           (long long)l.big);
}

static void
tamper_delete_page(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.single + 1, false, "DELETE FROM audit_pages WHERE first_seq = %lld",
           (long long)l.single + 1);
}

/* Two one-record pages trade places (their rows keep their bodies). */
static void
tamper_swap_pages(void **state)
{
    struct layout l;
    long long a;

    produce_paged(*state, &l);
    a = (long long)l.single;
    TAMPER(*state, l.single, false,
           "UPDATE audit_pages SET first_seq = -first_seq, last_seq = -last_seq"
           " WHERE first_seq IN (%lld, %lld);"
           "UPDATE audit_pages SET first_seq = CASE first_seq WHEN -%lld THEN %lld ELSE %lld END,"
           " last_seq = CASE first_seq WHEN -%lld THEN %lld ELSE %lld END WHERE first_seq < 0",
           a, a + 1, a, a + 1, a, a, a + 1, a);
}

/* first_seq of the big page and of the page before it swapped, last_seq not:
 * neither count agrees with its row any more; the earlier one is unreadable. */
static void
tamper_swap_first_seq(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.big - 1, true,
           "UPDATE audit_pages SET first_seq = -first_seq WHERE first_seq IN (%lld, %lld);"
           "UPDATE audit_pages SET first_seq = CASE first_seq WHEN -%lld THEN %lld ELSE %lld END"
           " WHERE first_seq < 0",
           (long long)l.big - 1, (long long)l.big, (long long)l.big, (long long)l.big - 1,
           (long long)l.big);
}

/* A page that starts inside another: out of sequence after that one. */
static void
tamper_overlapping_page(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.last + 1, false,
           "INSERT INTO audit_pages SELECT %lld, %lld, body FROM audit_pages WHERE first_seq = %lld",
           (long long)l.big + 3, (long long)l.big + 3, (long long)l.single);
}

/* A copy of a page appended as the next one: its link is to the wrong record. */
static void
tamper_append_forged_page(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.last + 1, false,
           "INSERT INTO audit_pages SELECT %lld, %lld, body FROM audit_pages WHERE first_seq = %lld",
           (long long)l.last + 1, (long long)l.last + PAGE_N, (long long)l.big);
}

/* A body one byte short: the page cannot be read, nor anything after it. */
static void
tamper_truncate_body(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.big, true,
           "UPDATE audit_pages SET body = substr(body, 1, length(body) - 1) WHERE first_seq = %lld",
           (long long)l.big);
}

/* Bytes after the last record, and a body that is not a BLOB. */
static void
tamper_trailing_byte(void **state)
{
    struct layout l;

    produce_paged(*state, &l);
    TAMPER(*state, l.single, true,
           "UPDATE audit_pages SET body = CAST(body || X'00' AS BLOB) WHERE first_seq = %lld;"
           "UPDATE audit_pages SET body = CAST(body AS TEXT) WHERE first_seq = %lld",
           (long long)l.single, (long long)l.big);
}

/*
 * A store of schema 3 keeps its records as rows of `audit`. To make one,
 * the records of produce_records (in pages) are copied into rows, the pages
 * dropped and the version set back: the file version 3 would have written.
 */
struct full {
    struct fh_store_audit v[64];
    char text[64][6][192];
    size_t n;
};

static fh_rv
collect_full(void *arg, const struct fh_store_audit *r)
{
    struct full *f = arg;
    const char *src[6] = {r->actor, r->front, r->operation, r->object, r->result, r->corr_id};
    char **dst[6];
    struct fh_store_audit *d;

    if (f->n == 64) {
        return FH_E_DATA_TOO_LARGE;
    }
    d = &f->v[f->n];
    *d = *r;
    dst[0] = &d->actor;
    dst[1] = &d->front;
    dst[2] = &d->operation;
    dst[3] = &d->object;
    dst[4] = &d->result;
    dst[5] = &d->corr_id;
    for (int k = 0; k < 6; k++) {
        snprintf(f->text[f->n][k], sizeof(f->text[f->n][k]), "%s", src[k]);
        *dst[k] = f->text[f->n][k];
    }
    f->n++;
    return FH_OK;
}

/* Make the store a schema-3 store of legacy rows; returns the last seq. */
static int64_t
make_legacy(struct th_env *e)
{
    struct full *f = calloc(1, sizeof(*f));
    sqlite3_stmt *st = NULL;
    sqlite3 *db;
    int64_t last;

    assert_non_null(f);
    produce_records(e);
    assert_int_equal(fh_audit_list(e->ctx, 1, 0, collect_full, f), FH_OK);
    th_close_ctx(e);
    db = th_db_open(e);
    th_db_exec(db, "BEGIN");
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO audit (seq, time_ms, actor, front, operation,"
                                        " object, result, corr_id, prev_hash, hash) VALUES"
                                        " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < f->n; i++) {
        const struct fh_store_audit *r = &f->v[i];
        const char *t[6] = {r->actor, r->front, r->operation, r->object, r->result, r->corr_id};

        sqlite3_bind_int64(st, 1, r->seq);
        sqlite3_bind_int64(st, 2, r->time_ms);
        for (int k = 0; k < 6; k++) {
            sqlite3_bind_text(st, 3 + k, t[k], -1, SQLITE_STATIC);
        }
        sqlite3_bind_blob(st, 9, r->prev_hash, FH_AUDIT_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 10, r->hash, FH_AUDIT_HASH_LEN, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    th_db_exec(db, "DROP TABLE audit_pages; PRAGMA user_version = 3; COMMIT");
    last = th_db_int(db, "SELECT max(seq) FROM audit");
    assert_int_equal(last, (int64_t)f->n);
    sqlite3_close(db);
    free(f);
    return last;
}

/*
 * A store of schema 3 with legacy rows is migrated on open (its rows stay
 * where they are), verifies, and grows in pages; the chain runs on across
 * the boundary, and listing from a legacy seq carries on into the pages.
 */
static void
legacy_migrated(void **state)
{
    struct th_env *e = *state;
    struct fh_audit_verify_result vr;
    struct recs *rs = calloc(1, sizeof(*rs));
    int64_t last;
    sqlite3 *db;

    assert_non_null(rs);
    last = make_legacy(e);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    assert_int_equal(vr.records, (uint64_t)last);
    queue_records(e, PAGE_N);
    produce_records(e);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    assert_true(vr.records > (uint64_t)last + PAGE_N);
    /* across the boundary, with a limit */
    assert_int_equal(fh_audit_list(e->ctx, last - 1, 4, collect, rs), FH_OK);
    assert_int_equal(rs->n, 4);
    for (size_t i = 0; i < rs->n; i++) {
        assert_int_equal(rs->v[i].seq, last - 1 + (int64_t)i);
    }
    assert_string_equal(rs->v[2].object, "obj-0-0");
    th_close_ctx(e);
    db = th_db_open(e);
    assert_int_equal(th_db_int(db, "PRAGMA user_version"), 4);
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM audit"), last);
    assert_int_equal(th_db_int(db, "SELECT min(first_seq) FROM audit_pages"), last + 1);
    sqlite3_close(db);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    free(rs);
}

/* Build the migrated store of legacy_migrated; the context is closed on return. */
static int64_t
make_migrated(struct th_env *e)
{
    struct fh_audit_verify_result vr;
    int64_t last = make_legacy(e);

    assert_int_equal(th_open_ctx(e, false), FH_OK);
    queue_records(e, PAGE_N);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    th_close_ctx(e);
    return last;
}

static void
legacy_tamper_row(void **state)
{
    make_migrated(*state);
    TAMPER(*state, 2, false, "UPDATE audit SET result = 'ok' WHERE seq = 2");
}

static void
legacy_tamper_time(void **state)
{
    make_migrated(*state);
    TAMPER(*state, 4, false, "UPDATE audit SET time_ms = time_ms + 1 WHERE seq = 4");
}

static void
legacy_delete_last_row(void **state)
{
    int64_t last = make_migrated(*state);

    /* the first page then links to a record that is gone */
    TAMPER(*state, last, false, "DELETE FROM audit WHERE seq = %lld", (long long)last);
}

static void
legacy_reorder_rows(void **state)
{
    make_migrated(*state);
    TAMPER(*state, 3, false,
           "UPDATE audit SET seq = CASE seq WHEN 3 THEN 1003 WHEN 4 THEN 3 END WHERE seq IN (3, 4);"
           "UPDATE audit SET seq = 4 WHERE seq = 1003");
}

static void
legacy_tamper_page_side(void **state)
{
    int64_t last = make_migrated(*state);

    TAMPER(*state, last + 1 + 5, false,
           "UPDATE audit_pages SET body = CAST(substr(body, 1, instr(body, CAST('obj-0-5' AS BLOB))"
           " + 5) || X'58' || substr(body, instr(body, CAST('obj-0-5' AS BLOB)) + 7) AS BLOB)"
           " WHERE first_seq = %lld",
           (long long)last + 1);
}

/* A gap between the legacy rows and the first page. */
static void
legacy_gap_to_pages(void **state)
{
    int64_t last = make_migrated(*state);

    TAMPER(*state, last + 1, false,
           "UPDATE audit_pages SET first_seq = first_seq + 1, last_seq = last_seq + 1");
}

/*
 * Queued records from several threads at once (three times what the lanes
 * hold, so threads wait for room; batches are written by the writer thread
 * or, with threads forbidden, by the queueing threads): every record is there once, with its
 * own thread's correlation id and actor, each thread's in the order it made
 * them, sequence numbers dense, and the chain verifies.
 */
#define Q_THREADS 4
#define Q_PER_THREAD (FHI_AUDIT_RING * 3 / 4 + 100)

struct q_arg {
    fh_ctx *ctx;
    int id;
    bool migrate; /* move to another CPU every few records */
};

/* Run on CPU (i % CPUs this thread may use), so that a thread's records
 * land in several lanes. */
static void
move_cpu(int i)
{
    cpu_set_t allowed, one;
    int n = 0;

    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
        return;
    }
    n = CPU_COUNT(&allowed);
    for (int cpu = 0, k = 0; n > 0 && cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && k++ == i % n) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            (void)pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
            return;
        }
    }
}

static void *
q_worker(void *p)
{
    struct q_arg *a = p;
    char corr[32], principal[32], object[32];

    snprintf(corr, sizeof(corr), "corr-%d", a->id);
    snprintf(principal, sizeof(principal), "apikey:t%d", a->id);
    fh_audit_set_thread_context(corr, principal);
    for (int i = 0; i < Q_PER_THREAD; i++) {
        if (a->migrate && i % 7 == 0) {
            move_cpu(a->id + i / 7);
        }
        snprintf(object, sizeof(object), "obj-%d-%d", a->id, i);
        fhi_audit_batched(a->ctx, "token:t/user", "sign", object, FH_OK);
    }
    fh_audit_clear_thread_context();
    return NULL;
}

struct q_check {
    int64_t expect_seq;
    int next[Q_THREADS]; /* next index expected from each thread */
    size_t n;
    bool bad;
};

static fh_rv
q_collect(void *arg, const struct fh_store_audit *r)
{
    struct q_check *c = arg;
    int t = -1, i = -1;

    if (r->seq != c->expect_seq++) {
        c->bad = true;
    }
    if (strcmp(r->operation, "sign") != 0) {
        return FH_OK; /* set-up records */
    }
    if (sscanf(r->object, "obj-%d-%d", &t, &i) != 2 || t < 0 || t >= Q_THREADS ||
        i != c->next[t]) {
        c->bad = true;
        return FH_OK;
    }
    {
        char corr[32], actor[64];

        snprintf(corr, sizeof(corr), "corr-%d", t);
        snprintf(actor, sizeof(actor), "apikey:t%d(token:t/user)", t);
        if (strcmp(r->corr_id, corr) != 0 || strcmp(r->actor, actor) != 0) {
            c->bad = true;
        }
    }
    c->next[t]++;
    c->n++;
    return FH_OK;
}

/* List the whole log through q_collect: n queued records, each thread's in
 * order, sequence numbers dense. Returns the number of records. */
static int64_t
q_check_all(struct th_env *e, size_t n)
{
    struct q_check c;

    memset(&c, 0, sizeof(c));
    c.expect_seq = 1;
    assert_int_equal(fh_audit_list(e->ctx, 1, 0, q_collect, &c), FH_OK);
    assert_false(c.bad);
    assert_int_equal(c.n, n);
    return c.expect_seq - 1;
}

/* Q_THREADS threads queue Q_PER_THREAD records each; those for which
 * migrate(i) holds move between CPUs as they go. */
static void
q_threads(struct th_env *e, bool (*migrate)(int i))
{
    pthread_t th[Q_THREADS];
    struct q_arg args[Q_THREADS];

    for (int i = 0; i < Q_THREADS; i++) {
        args[i] = (struct q_arg){.ctx = e->ctx, .id = i, .migrate = migrate(i)};
        assert_int_equal(pthread_create(&th[i], NULL, q_worker, &args[i]), 0);
    }
    for (int i = 0; i < Q_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
    }
}

static bool
migrate_none(int i)
{
    (void)i;
    return false;
}

static bool
migrate_all(int i)
{
    (void)i;
    return true;
}

static bool
migrate_odd(int i)
{
    return i % 2 == 1;
}

static void
queue_threads_run(struct th_env *e, bool (*migrate)(int i))
{
    struct fh_audit_verify_result res;
    int64_t last;

    q_threads(e, migrate);
    last = q_check_all(e, (size_t)Q_THREADS * Q_PER_THREAD);
    assert_int_equal(fh_audit_verify(e->ctx, &res), FH_OK);
    assert_int_equal(res.records, (uint64_t)last);
}

static void
queue_threads(void **state)
{
    queue_threads_run(*state, migrate_none);
}

/* Threads that move between CPUs put their records in several lanes: the
 * writer's merge keeps each thread's records in the order it made them. */
static void
queue_threads_migrating(void **state)
{
    queue_threads_run(*state, migrate_all);
}

static void
queue_threads_migrating_no_writer(void **state)
{
    struct th_env *e = *state;

    fh_ctx_forbid_threads(e->ctx);
    queue_threads_run(e, migrate_all);
}

static void
queue_threads_no_writer(void **state)
{
    struct th_env *e = *state;

    fh_ctx_forbid_threads(e->ctx);
    queue_threads_run(e, migrate_none);
}

/* Records still queued when the context is freed are written by fh_ctx_free. */
static void
queue_written_at_free(void **state)
{
    struct th_env *e = *state;

    for (int i = 0; i < 10; i++) {
        char object[32];

        snprintf(object, sizeof(object), "obj-0-%d", i);
        fh_audit_set_thread_context("corr-0", "apikey:t0");
        fhi_audit_batched(e->ctx, "token:t/user", "sign", object, FH_OK);
        fh_audit_clear_thread_context();
    }
    th_reopen(e);
    (void)q_check_all(e, 10);
}

/*
 * A record written at once comes after every record queued before it, by
 * any thread: the threads have queued theirs when the event is written.
 */
static void
event_after_queued(void **state)
{
    struct th_env *e = *state;
    struct recs *rs = calloc(1, sizeof(*rs));
    int64_t last;

    assert_non_null(rs);
    q_threads(e, migrate_odd);
    assert_int_equal(fh_audit_event(e->ctx, "marker", "after-queue", FH_OK), FH_OK);
    last = q_check_all(e, (size_t)Q_THREADS * Q_PER_THREAD);
    assert_int_equal(fh_audit_list(e->ctx, last, 0, collect, rs), FH_OK);
    assert_int_equal(rs->n, 1); /* the last record */
    assert_string_equal(rs->v[0].operation, "marker");
    free(rs);
}

/*
 * A forked child inherits the records its parent had queued, and must not
 * write them again: the parent writes them. The child here writes the
 * queue (a flush) and exits; the log then holds each record once. With a
 * writer thread (its fork handlers run) and without one.
 */
static void
fork_child_drops_parent_queue_run(struct th_env *e)
{
    pid_t pid;
    int status = 0;

    fh_audit_set_thread_context("corr-0", "apikey:t0");
    for (int i = 0; i < 50; i++) {
        char object[32];

        snprintf(object, sizeof(object), "obj-0-%d", i);
        if (i % 10 == 0) {
            move_cpu(i / 10); /* records in every lane */
        }
        fhi_audit_batched(e->ctx, "token:t/user", "sign", object, FH_OK);
    }
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* nothing of the parent's is written; nothing else touches the store */
        fhi_audit_flush(e->ctx);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    fh_audit_clear_thread_context();
    (void)q_check_all(e, 50);
}

static void
fork_child_drops_parent_queue(void **state)
{
    fork_child_drops_parent_queue_run(*state);
}

static void
fork_child_drops_parent_queue_no_writer(void **state)
{
    struct th_env *e = *state;

    fh_ctx_forbid_threads(e->ctx);
    fork_child_drops_parent_queue_run(e);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)
    const struct CMUnitTest tests[] = {
        T(records_of_operations),
        T(no_pin_in_store_file),
        T(tamper_string_byte),
        T(tamper_shared_string),
        T(tamper_time_byte),
        T(tamper_swap_hashes),
        T(tamper_swap_records_in_page),
        T(tamper_delete_page),
        T(tamper_swap_pages),
        T(tamper_swap_first_seq),
        T(tamper_overlapping_page),
        T(tamper_append_forged_page),
        T(tamper_truncate_body),
        T(tamper_trailing_byte),
        T(legacy_migrated),
        T(legacy_tamper_row),
        T(legacy_tamper_time),
        T(legacy_delete_last_row),
        T(legacy_reorder_rows),
        T(legacy_tamper_page_side),
        T(legacy_gap_to_pages),
        T(queue_threads),
        T(queue_threads_no_writer),
        T(queue_threads_migrating),
        T(queue_threads_migrating_no_writer),
        T(event_after_queued),
        T(fork_child_drops_parent_queue),
        T(fork_child_drops_parent_queue_no_writer),
        T(queue_written_at_free),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
