/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit.c - the hash-chained audit log (src/core/audit.c): records of
 * real operations, fh_audit_verify, and tampering done directly in SQLite.
 */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Produce records, close, run sql, reopen, verify: broken at want_seq. */
static void
tamper_and_verify(struct th_env *e, const char *sql, int64_t want_seq)
{
    struct fh_audit_verify_result vr;
    sqlite3 *db;

    produce_records(e);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    th_close_ctx(e);
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
}

static void
tamper_update_result(void **state)
{
    tamper_and_verify(*state, "UPDATE audit SET result = 'ok' WHERE seq = 2", 2);
}

static void
tamper_update_time(void **state)
{
    tamper_and_verify(*state, "UPDATE audit SET time_ms = time_ms + 1 WHERE seq = 4", 4);
}

static void
tamper_delete_middle(void **state)
{
    tamper_and_verify(*state, "DELETE FROM audit WHERE seq = 3", 3);
}

static void
tamper_swap_records(void **state)
{
    tamper_and_verify(*state,
                      "CREATE TEMP TABLE sw AS SELECT seq, actor, operation, object, result"
                      " FROM audit WHERE seq IN (2, 5);"
                      "UPDATE audit SET"
                      " actor = (SELECT actor FROM sw WHERE sw.seq = 7 - audit.seq),"
                      " operation = (SELECT operation FROM sw WHERE sw.seq = 7 - audit.seq),"
                      " object = (SELECT object FROM sw WHERE sw.seq = 7 - audit.seq),"
                      " result = (SELECT result FROM sw WHERE sw.seq = 7 - audit.seq)"
                      " WHERE seq IN (2, 5)",
                      2);
}

/* Re-hashing a record alone does not help: the next record's link breaks. */
static void
tamper_reorder_seq(void **state)
{
    tamper_and_verify(*state,
                      "UPDATE audit SET seq = CASE seq WHEN 3 THEN 1003 WHEN 4 THEN 3 END"
                      " WHERE seq IN (3, 4);"
                      "UPDATE audit SET seq = 4 WHERE seq = 1003",
                      3);
}

/* A forged record appended with a made-up hash is noticed. */
static void
tamper_insert_forged(void **state)
{
    tamper_and_verify(*state,
                      "INSERT INTO audit (seq, time_ms, actor, front, operation, object, result,"
                      " corr_id, prev_hash, hash)"
                      " SELECT seq + 1, time_ms + 1, actor, front, 'key.destroy', object, 'ok',"
                      " corr_id, hash, zeroblob(32) FROM audit ORDER BY seq DESC LIMIT 1",
                      7);
}

/*
 * Queued records from several threads at once (the ring wraps several
 * times, batches are written by the writer thread or, with threads
 * forbidden, by the queueing threads): every record is there once, with its
 * own thread's correlation id and actor, each thread's in the order it made
 * them, sequence numbers dense, and the chain verifies.
 */
#define Q_THREADS 4
#define Q_PER_THREAD 700

struct q_arg {
    fh_ctx *ctx;
    int id;
};

static void *
q_worker(void *p)
{
    struct q_arg *a = p;
    char corr[32], principal[32], object[32];

    snprintf(corr, sizeof(corr), "corr-%d", a->id);
    snprintf(principal, sizeof(principal), "apikey:t%d", a->id);
    fh_audit_set_thread_context(corr, principal);
    for (int i = 0; i < Q_PER_THREAD; i++) {
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

static void
queue_threads_run(struct th_env *e)
{
    pthread_t th[Q_THREADS];
    struct q_arg args[Q_THREADS];
    struct q_check c;
    struct fh_audit_verify_result res;

    for (int i = 0; i < Q_THREADS; i++) {
        args[i].ctx = e->ctx;
        args[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, q_worker, &args[i]), 0);
    }
    for (int i = 0; i < Q_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
    }
    memset(&c, 0, sizeof(c));
    c.expect_seq = 1;
    assert_int_equal(fh_audit_list(e->ctx, 1, 0, q_collect, &c), FH_OK);
    assert_false(c.bad);
    assert_int_equal(c.n, (size_t)Q_THREADS * Q_PER_THREAD);
    assert_int_equal(fh_audit_verify(e->ctx, &res), FH_OK);
    assert_int_equal(res.records, c.expect_seq - 1);
}

static void
queue_threads(void **state)
{
    queue_threads_run(*state);
}

static void
queue_threads_no_writer(void **state)
{
    struct th_env *e = *state;

    fh_ctx_forbid_threads(e->ctx);
    queue_threads_run(e);
}

/* Records still queued when the context is freed are written by fh_ctx_free. */
static void
queue_written_at_free(void **state)
{
    struct th_env *e = *state;
    struct q_check c;

    for (int i = 0; i < 10; i++) {
        char object[32];

        snprintf(object, sizeof(object), "obj-0-%d", i);
        fh_audit_set_thread_context("corr-0", "apikey:t0");
        fhi_audit_batched(e->ctx, "token:t/user", "sign", object, FH_OK);
        fh_audit_clear_thread_context();
    }
    th_reopen(e);
    memset(&c, 0, sizeof(c));
    c.expect_seq = 1;
    assert_int_equal(fh_audit_list(e->ctx, 1, 0, q_collect, &c), FH_OK);
    assert_false(c.bad);
    assert_int_equal(c.n, 10);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)
    const struct CMUnitTest tests[] = {
        T(records_of_operations), T(no_pin_in_store_file), T(tamper_update_result),
        T(tamper_update_time),    T(tamper_delete_middle), T(tamper_swap_records),
        T(tamper_reorder_seq),    T(tamper_insert_forged), T(queue_threads),
        T(queue_threads_no_writer), T(queue_written_at_free),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
