/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sqlite.c - records and transactions of fh_store_sqlite_ops: round trips
 * of every field (also across a reopen), object_find for every filter shape
 * and its query plans, callbacks, transactions, lock waits and argument checks.
 */
#include "store_test.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../../../src/store/sqlite/sqlite-int.h"

/* ---- tokens ------------------------------------------------------------- */

struct collect {
    int64_t ids[512];
    size_t n;
    size_t stop_after; /* 0: never stop */
    fh_rv stop_rv;
};

static fh_rv
collect_token(void *arg, const struct fh_store_token *t)
{
    struct collect *c = arg;

    assert_true(c->n < sizeof c->ids / sizeof c->ids[0]);
    c->ids[c->n++] = t->id;
    return c->stop_after != 0 && c->n >= c->stop_after ? c->stop_rv : FH_OK;
}

static void
test_token_roundtrip(void **state)
{
    struct st_env e;
    uint8_t meta[256];
    struct fh_store_token t = {0};
    struct fh_store_token got;
    struct collect c = {0};
    int64_t id1 = 0;
    int64_t id2 = 0;
    void *s;

    (void)state;
    for (size_t i = 0; i < sizeof meta; i++) {
        meta[i] = (uint8_t)i; /* every byte value, NUL first */
    }
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);

    t.label = "demo";
    t.meta = meta;
    t.meta_len = sizeof meta;
    t.id = 777; /* ignored */
    assert_int_equal(ST_OPS->token_insert(s, &t, &id1), FH_OK);
    assert_true(id1 > 0);
    t.label = "a-label-of-exactly-32-bytes-long";
    assert_int_equal(strlen(t.label), 32);
    t.meta_len = 0;
    t.meta = NULL;
    assert_int_equal(ST_OPS->token_insert(s, &t, &id2), FH_OK);
    assert_true(id2 > id1);

    /* taken label */
    int64_t id3 = -5;
    t.label = "demo";
    assert_int_equal(ST_OPS->token_insert(s, &t, &id3), FH_E_EXISTS);
    assert_int_equal(id3, -5);

    /* label bounds */
    t.label = "";
    assert_int_equal(ST_OPS->token_insert(s, &t, &id3), FH_E_ARGS);
    t.label = "a-label-of-exactly-33-bytes-long!";
    assert_int_equal(ST_OPS->token_insert(s, &t, &id3), FH_E_ARGS);

    assert_int_equal(ST_OPS->token_get(s, "demo", &got), FH_OK);
    assert_int_equal(got.id, id1);
    assert_string_equal(got.label, "demo");
    assert_int_equal(got.meta_len, sizeof meta);
    assert_memory_equal(got.meta, meta, sizeof meta);
    fh_store_token_clear(&got);

    assert_int_equal(ST_OPS->token_get_by_id(s, id2, &got), FH_OK);
    assert_string_equal(got.label, "a-label-of-exactly-32-bytes-long");
    assert_int_equal(got.meta_len, 0);
    assert_null(got.meta);
    fh_store_token_clear(&got);

    /* missing rows: NOT_FOUND and a zeroed record */
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(ST_OPS->token_get(s, "nope", &got), FH_E_NOT_FOUND);
    assert_null(got.label);
    assert_null(got.meta);
    assert_int_equal(got.id, 0);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(ST_OPS->token_get_by_id(s, id2 + 100, &got), FH_E_NOT_FOUND);
    assert_null(got.label);

    /* update */
    assert_int_equal(ST_OPS->token_update_meta(s, id1, meta + 10, 5), FH_OK);
    assert_int_equal(ST_OPS->token_update_meta(s, id2 + 100, meta, 5), FH_E_NOT_FOUND);
    assert_int_equal(ST_OPS->token_get_by_id(s, id1, &got), FH_OK);
    assert_int_equal(got.meta_len, 5);
    assert_memory_equal(got.meta, meta + 10, 5);
    fh_store_token_clear(&got);

    assert_int_equal(ST_OPS->token_list(s, collect_token, &c), FH_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ids[0], id1);
    assert_int_equal(c.ids[1], id2);

    /* reopen: everything is still there */
    st_close(s);
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->token_get(s, "a-label-of-exactly-32-bytes-long", &got), FH_OK);
    assert_int_equal(got.id, id2);
    fh_store_token_clear(&got);
    assert_int_equal(ST_OPS->token_get(s, "demo", &got), FH_OK);
    assert_memory_equal(got.meta, meta + 10, 5);
    fh_store_token_clear(&got);

    /* delete; ids are not reused */
    assert_int_equal(ST_OPS->token_delete(s, id2), FH_OK);
    assert_int_equal(ST_OPS->token_delete(s, id2), FH_E_NOT_FOUND);
    t.label = "third";
    assert_int_equal(ST_OPS->token_insert(s, &t, &id3), FH_OK);
    assert_true(id3 > id2);
    st_close(s);
    st_env_fini(&e);
}

/* ---- objects ------------------------------------------------------------ */

static void
assert_object_equal(const struct fh_store_object *a, const struct fh_store_object *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->token_id, b->token_id);
    assert_true(a->cls == b->cls);
    assert_true(a->key_type == b->key_type);
    assert_int_equal(a->label_len, b->label_len);
    assert_int_equal(a->ckid_len, b->ckid_len);
    assert_int_equal(a->attrs_len, b->attrs_len);
    assert_int_equal(a->secret_len, b->secret_len);
    if (a->label_len > 0) {
        assert_memory_equal(a->label, b->label, a->label_len);
    }
    if (a->ckid_len > 0) {
        assert_memory_equal(a->ckid, b->ckid, a->ckid_len);
    }
    if (a->attrs_len > 0) {
        assert_memory_equal(a->attrs, b->attrs, a->attrs_len);
    }
    if (a->secret_len > 0) {
        assert_memory_equal(a->secret, b->secret, a->secret_len);
    }
}

static void
test_object_roundtrip(void **state)
{
    static const uint8_t label[] = {'k', 0x00, 0xFF, '1'};
    static const uint8_t ckid[] = {0x00, 0x00, 0x01};
    uint8_t attrs[300];
    uint8_t secret[60];
    struct st_env e;
    struct fh_store_object o = {0};
    struct fh_store_object o2 = {0};
    struct fh_store_object got;
    int64_t tok;
    int64_t id = 0;
    int64_t id_b = 0;
    int64_t id_c = 0;
    void *s;

    (void)state;
    for (size_t i = 0; i < sizeof attrs; i++) {
        attrs[i] = (uint8_t)(i * 7);
    }
    for (size_t i = 0; i < sizeof secret; i++) {
        secret[i] = (uint8_t)(255 - i);
    }
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    tok = st_token(s, "tok");

    o.token_id = tok;
    o.cls = CKO_SECRET_KEY;
    o.key_type = CKK_AES;
    o.label = (uint8_t *)(uintptr_t)label;
    o.label_len = sizeof label;
    o.ckid = (uint8_t *)(uintptr_t)ckid;
    o.ckid_len = sizeof ckid;
    o.attrs = attrs;
    o.attrs_len = sizeof attrs;
    o.secret = secret;
    o.secret_len = sizeof secret;
    o.id = 12345; /* ignored */
    assert_int_equal(ST_OPS->object_insert(s, &o, &id), FH_OK);
    o.id = id;

    /* not a key, every optional field empty, the largest CK_ULONG values */
    o2.token_id = tok;
    o2.cls = CKO_DATA;
    o2.key_type = CK_UNAVAILABLE_INFORMATION;
    o2.attrs = attrs;
    o2.attrs_len = 1;
    assert_int_equal(ST_OPS->object_insert(s, &o2, &id_b), FH_OK);
    o2.id = id_b;
    assert_true(id_b > id);

    assert_int_equal(ST_OPS->object_get(s, tok, id, &got), FH_OK);
    assert_object_equal(&got, &o);
    fh_store_object_clear(&got);
    assert_int_equal(ST_OPS->object_get(s, tok, id_b, &got), FH_OK);
    assert_object_equal(&got, &o2);
    assert_true(got.key_type == CK_UNAVAILABLE_INFORMATION);
    assert_null(got.label);
    assert_null(got.ckid);
    assert_null(got.secret);
    fh_store_object_clear(&got);

    /* wrong token, missing id, missing token */
    memset(&got, 0x5A, sizeof got);
    assert_int_equal(ST_OPS->object_get(s, tok + 1, id, &got), FH_E_NOT_FOUND);
    assert_null(got.attrs);
    assert_int_equal(got.attrs_len, 0);
    assert_int_equal(ST_OPS->object_get(s, tok, id_b + 50, &got), FH_E_NOT_FOUND);
    o2.token_id = tok + 1;
    assert_int_equal(ST_OPS->object_insert(s, &o2, &id_c), FH_E_NOT_FOUND);
    o2.token_id = tok;

    /* update replaces every field */
    o2.cls = (CK_OBJECT_CLASS)CK_UNAVAILABLE_INFORMATION;
    o2.key_type = CKK_VENDOR_DEFINED | 0x1234;
    o2.label = (uint8_t *)(uintptr_t)"x";
    o2.label_len = 1;
    o2.secret = secret;
    o2.secret_len = 3;
    o2.attrs = attrs + 100;
    o2.attrs_len = 200;
    assert_int_equal(ST_OPS->object_update(s, &o2), FH_OK);
    o2.token_id = tok + 1;
    assert_int_equal(ST_OPS->object_update(s, &o2), FH_E_NOT_FOUND);
    o2.token_id = tok;

    uint64_t n = 0;
    assert_int_equal(ST_OPS->object_count(s, tok, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ST_OPS->object_count(s, tok + 1, &n), FH_OK);
    assert_int_equal(n, 0);

    /* reopen */
    st_close(s);
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->object_get(s, tok, id, &got), FH_OK);
    assert_object_equal(&got, &o);
    fh_store_object_clear(&got);
    assert_int_equal(ST_OPS->object_get(s, tok, id_b, &got), FH_OK);
    assert_object_equal(&got, &o2);
    assert_true(got.cls == (CK_OBJECT_CLASS)CK_UNAVAILABLE_INFORMATION);
    fh_store_object_clear(&got);

    /* delete the newest; the next id is still larger (AUTOINCREMENT) */
    assert_int_equal(ST_OPS->object_delete(s, tok + 1, id_b), FH_E_NOT_FOUND);
    assert_int_equal(ST_OPS->object_delete(s, tok, id_b), FH_OK);
    assert_int_equal(ST_OPS->object_delete(s, tok, id_b), FH_E_NOT_FOUND);
    assert_int_equal(ST_OPS->object_get(s, tok, id_b, &got), FH_E_NOT_FOUND);
    st_close(s);
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->object_insert(s, &o2, &id_c), FH_OK);
    assert_true(id_c > id_b);
    st_close(s);
    st_env_fini(&e);
}

static void
test_token_delete_cascades(void **state)
{
    struct st_env e;
    struct fh_store_object got;
    int64_t t1;
    int64_t t2;
    int64_t o1;
    int64_t o2;
    uint64_t n = 0;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    t1 = st_token(s, "one");
    t2 = st_token(s, "two");
    o1 = st_object(s, t1, CKO_SECRET_KEY, CKK_AES, "a", 1, NULL, 0);
    (void)st_object(s, t1, CKO_SECRET_KEY, CKK_AES, "b", 1, NULL, 0);
    o2 = st_object(s, t2, CKO_SECRET_KEY, CKK_AES, "a", 1, NULL, 0);

    /* inside a transaction that is rolled back: nothing happened */
    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    assert_int_equal(ST_OPS->token_delete(s, t1), FH_OK);
    assert_int_equal(ST_OPS->object_count(s, t1, &n), FH_OK);
    assert_int_equal(n, 0);
    ST_OPS->rollback(s);
    assert_int_equal(ST_OPS->object_count(s, t1, &n), FH_OK);
    assert_int_equal(n, 2);

    assert_int_equal(ST_OPS->token_delete(s, t1), FH_OK);
    assert_int_equal(ST_OPS->object_count(s, t1, &n), FH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ST_OPS->object_get(s, t1, o1, &got), FH_E_NOT_FOUND);
    assert_int_equal(ST_OPS->object_get(s, t2, o2, &got), FH_OK);
    fh_store_object_clear(&got);
    st_close(s);
    st_env_fini(&e);
}

/* ---- object_find -------------------------------------------------------- */

struct seed {
    CK_OBJECT_CLASS cls;
    CK_KEY_TYPE kt;
    const char *label;
    size_t label_len;
    const char *ckid;
    size_t ckid_len;
};

/* Labels that differ only in length, in a NUL byte or are empty; ids likewise. */
static const struct seed seeds[] = {
    {CKO_SECRET_KEY, CKK_AES, "k1", 2, "\x01", 1},
    {CKO_SECRET_KEY, CKK_AES, "k1\0", 3, "\x01", 1},
    {CKO_SECRET_KEY, CKK_GENERIC_SECRET, "k", 1, "\x02", 1},
    {CKO_PRIVATE_KEY, CKK_EC, "k1", 2, "\x01", 1},
    {CKO_PUBLIC_KEY, CKK_EC, "k1", 2, "\x01", 1},
    {CKO_PRIVATE_KEY, CKK_RSA, "", 0, "", 0},
    {CKO_PUBLIC_KEY, CKK_RSA, "", 0, "\x01\x00", 2},
    {CKO_DATA, CK_UNAVAILABLE_INFORMATION, "d", 1, "", 0},
    {CKO_CERTIFICATE, CK_UNAVAILABLE_INFORMATION, "k1", 2, "\x01", 1},
    {CKO_DATA, CK_UNAVAILABLE_INFORMATION, "\xff\x00\xfe", 3, "\x01", 1},
};
#define NSEEDS (sizeof seeds / sizeof seeds[0])

static fh_rv
collect_object(void *arg, const struct fh_store_object *o)
{
    struct collect *c = arg;

    assert_true(c->n < sizeof c->ids / sizeof c->ids[0]);
    c->ids[c->n++] = o->id;
    return c->stop_after != 0 && c->n >= c->stop_after ? c->stop_rv : FH_OK;
}

static bool
seed_matches(const struct seed *sd, const struct fh_store_query *q)
{
    if (q->has_cls && sd->cls != q->cls) {
        return false;
    }
    if (q->has_key_type && sd->kt != q->key_type) {
        return false;
    }
    if (q->has_label &&
        (sd->label_len != q->label_len || memcmp(sd->label, q->label, q->label_len) != 0)) {
        return false;
    }
    if (q->has_ckid &&
        (sd->ckid_len != q->ckid_len || memcmp(sd->ckid, q->ckid, q->ckid_len) != 0)) {
        return false;
    }
    return true;
}

static void
test_object_find_shapes(void **state)
{
    struct st_env e;
    int64_t ids[NSEEDS];
    int64_t tok;
    int64_t other;
    size_t checked = 0;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    tok = st_token(s, "t");
    other = st_token(s, "other");
    for (size_t i = 0; i < NSEEDS; i++) {
        const struct seed *sd = &seeds[i];

        ids[i] = st_object(s, tok, sd->cls, sd->kt, sd->label, sd->label_len, sd->ckid,
                           sd->ckid_len);
        /* a twin in another token, which no query of `tok` may return */
        (void)st_object(s, other, sd->cls, sd->kt, sd->label, sd->label_len, sd->ckid,
                        sd->ckid_len);
    }
    /* every shape, with the values of every seed as the filter */
    for (unsigned mask = 0; mask < FHI_SQ_FIND_SHAPES; mask++) {
        for (size_t k = 0; k < NSEEDS; k++) {
            const struct seed *f = &seeds[k];
            struct fh_store_query q = {
                .token_id = tok,
                .has_cls = (mask & FHI_SQ_FIND_CLS) != 0,
                .cls = f->cls,
                .has_key_type = (mask & FHI_SQ_FIND_KEY_TYPE) != 0,
                .key_type = f->kt,
                .has_label = (mask & FHI_SQ_FIND_LABEL) != 0,
                .label = (const uint8_t *)f->label,
                .label_len = f->label_len,
                .has_ckid = (mask & FHI_SQ_FIND_CKID) != 0,
                .ckid = (const uint8_t *)f->ckid,
                .ckid_len = f->ckid_len,
            };
            struct collect c = {0};
            size_t want = 0;

            assert_int_equal(ST_OPS->object_find(s, &q, collect_object, &c), FH_OK);
            for (size_t i = 0; i < NSEEDS; i++) {
                if (seed_matches(&seeds[i], &q)) {
                    assert_true(want < c.n);
                    assert_int_equal(c.ids[want], ids[i]); /* ascending id */
                    want++;
                }
            }
            assert_int_equal(c.n, want);
            checked++;
        }
    }
    assert_int_equal(checked, FHI_SQ_FIND_SHAPES * NSEEDS);

    /* a class no object has; an empty token */
    struct fh_store_query q = {.token_id = tok, .has_cls = true, .cls = CKO_MECHANISM};
    struct collect c = {0};
    assert_int_equal(ST_OPS->object_find(s, &q, collect_object, &c), FH_OK);
    assert_int_equal(c.n, 0);
    q.token_id = other + 10;
    q.has_cls = false;
    assert_int_equal(ST_OPS->object_find(s, &q, collect_object, &c), FH_OK);
    assert_int_equal(c.n, 0);
    st_close(s);
    st_env_fini(&e);
}

static void
test_object_find_stop(void **state)
{
    struct st_env e;
    struct collect c = {.stop_after = 3, .stop_rv = FH_E_BUFFER_TOO_SMALL};
    struct fh_store_query q = {0};
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    q.token_id = st_token(s, "t");
    for (int i = 0; i < 10; i++) {
        (void)st_object(s, q.token_id, CKO_DATA, CK_UNAVAILABLE_INFORMATION, "x", 1, NULL, 0);
    }
    assert_int_equal(ST_OPS->object_find(s, &q, collect_object, &c), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(c.n, 3);
    /* the statement was reset: the same shape runs again from the start */
    c.n = 0;
    c.stop_after = 0;
    assert_int_equal(ST_OPS->object_find(s, &q, collect_object, &c), FH_OK);
    assert_int_equal(c.n, 10);

    struct collect tc = {.stop_after = 1, .stop_rv = FH_E_GENERAL};
    (void)st_token(s, "u");
    assert_int_equal(ST_OPS->token_list(s, collect_token, &tc), FH_E_GENERAL);
    assert_int_equal(tc.n, 1);
    st_close(s);
    st_env_fini(&e);
}

/* A callback that runs the same query shape again and reads the object. */
struct nested {
    void *s;
    size_t outer;
    size_t inner;
};

static fh_rv
nested_cb(void *arg, const struct fh_store_object *o)
{
    struct nested *n = arg;
    struct fh_store_object got;
    struct fh_store_query q = {.token_id = o->token_id};
    struct collect c = {0};

    n->outer++;
    assert_int_equal(ST_OPS->object_find(n->s, &q, collect_object, &c), FH_OK);
    n->inner += c.n;
    assert_int_equal(ST_OPS->object_get(n->s, o->token_id, o->id, &got), FH_OK);
    assert_int_equal(got.id, o->id);
    fh_store_object_clear(&got);
    return FH_OK;
}

static void
test_object_find_reentrant(void **state)
{
    struct st_env e;
    struct nested n = {0};
    struct fh_store_query q = {0};

    (void)state;
    st_env_init(&e);
    n.s = st_open(e.path, FH_STORE_CREATE);
    q.token_id = st_token(n.s, "t");
    for (int i = 0; i < 4; i++) {
        (void)st_object(n.s, q.token_id, CKO_DATA, CK_UNAVAILABLE_INFORMATION, "x", 1, NULL, 0);
    }
    assert_int_equal(ST_OPS->object_find(n.s, &q, nested_cb, &n), FH_OK);
    assert_int_equal(n.outer, 4);
    assert_int_equal(n.inner, 16);
    st_close(n.s);
    st_env_fini(&e);
}

/* Every object_find shape, and the other lookups, use an index: no "SCAN objects". */
static void
test_query_plans(void **state)
{
    struct st_env e;
    struct fhi_sqlite *sq;
    int64_t tok;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    sq = s;
    tok = st_token(s, "t");
    for (int i = 0; i < 50; i++) {
        char label[16];
        int n = snprintf(label, sizeof label, "k%d", i);

        (void)st_object(s, tok, (CK_OBJECT_CLASS)(i % 4), CKK_AES, label, (size_t)n, label, 2);
    }
    for (int i = 0; i < FHI_SQ_STMT_COUNT; i++) {
        const char *sql = sqlite3_sql(sq->stmt[i]);
        char eqp[1024];
        sqlite3_stmt *st = NULL;
        bool any = false;

        if (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "UPDATE", 6) != 0 &&
            strncmp(sql, "DELETE", 6) != 0) {
            continue;
        }
        assert_true((size_t)snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql) <
                    sizeof eqp);
        assert_int_equal(sqlite3_prepare_v2(sq->db, eqp, -1, &st, NULL), SQLITE_OK);
        print_message("[ plan     ] %s\n", sql);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(st, 3);

            print_message("[          ]   %s\n", detail);
            any = true;
            assert_null(strstr(detail, "SCAN objects"));
            assert_null(strstr(detail, "SCAN TABLE objects"));
            /* token_list (tokens ORDER BY id) is the only whole-table read */
            if (i != FHI_SQ_TOKEN_LIST) {
                assert_null(strstr(detail, "SCAN tokens"));
            }
            /* audit_last walks the rowid b-tree backwards and stops after one row */
            if (i != FHI_SQ_AUDIT_LAST && i != FHI_SQ_AUDIT_PAGE_LAST) {
                assert_null(strstr(detail, "SCAN audit"));
            }
        }
        assert_true(any);
        sqlite3_finalize(st);
    }
    st_close(s);
    st_env_fini(&e);
}

/* ---- transactions ------------------------------------------------------- */

static void
test_transactions(void **state)
{
    struct st_env e;
    struct fh_store_token got;
    int64_t id = 0;
    void *s;
    void *s2;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    s2 = st_open(e.path, 0);

    assert_int_equal(ST_OPS->commit(s), FH_E_ARGS); /* none open */
    ST_OPS->rollback(s);                             /* a no-op */

    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    assert_int_equal(ST_OPS->begin(s, true), FH_E_ARGS);
    assert_int_equal(ST_OPS->begin(s, false), FH_E_ARGS);
    (void)st_token(s, "gone");
    /* not visible to another connection before commit */
    assert_int_equal(ST_OPS->token_get(s2, "gone", &got), FH_E_NOT_FOUND);
    ST_OPS->rollback(s);
    assert_int_equal(ST_OPS->token_get(s, "gone", &got), FH_E_NOT_FOUND);

    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    (void)st_token(s, "kept");
    /* a failed statement does not end the transaction */
    struct fh_store_token t = {.label = "kept", .meta = NULL, .meta_len = 0};
    assert_int_equal(ST_OPS->token_insert(s, &t, &id), FH_E_EXISTS);
    (void)st_token(s, "kept2");
    assert_int_equal(ST_OPS->commit(s), FH_OK);
    assert_int_equal(ST_OPS->token_get(s2, "kept", &got), FH_OK);
    fh_store_token_clear(&got);
    assert_int_equal(ST_OPS->token_get(s2, "kept2", &got), FH_OK);
    fh_store_token_clear(&got);

    /* a read transaction sees one snapshot */
    assert_int_equal(ST_OPS->begin(s2, false), FH_OK);
    assert_int_equal(ST_OPS->token_get(s2, "kept", &got), FH_OK);
    fh_store_token_clear(&got);
    (void)st_token(s, "later");
    assert_int_equal(ST_OPS->token_get(s2, "later", &got), FH_E_NOT_FOUND);
    assert_int_equal(ST_OPS->commit(s2), FH_OK);
    assert_int_equal(ST_OPS->token_get(s2, "later", &got), FH_OK);
    fh_store_token_clear(&got);

    /* close with a transaction open rolls it back */
    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    (void)st_token(s, "dropped");
    st_close(s);
    assert_int_equal(ST_OPS->token_get(s2, "dropped", &got), FH_E_NOT_FOUND);
    st_close(s2);
    st_env_fini(&e);
}

/* A write transaction in one connection: a second one waits, then FH_E_STORE_BUSY. */
static void
test_busy_timeout(void **state)
{
    struct st_env e;
    struct fh_store_token got;
    double t0;
    double waited;
    void *a;
    void *b;

    (void)state;
    st_env_init(&e);
    assert_int_equal(setenv(FHI_SQLITE_BUSY_ENV, "300", 1), 0);
    a = st_open(e.path, FH_STORE_CREATE);
    b = st_open(e.path, 0);
    assert_int_equal(ST_OPS->begin(a, true), FH_OK);
    (void)st_token(a, "a");

    t0 = st_now_ms();
    assert_int_equal(ST_OPS->begin(b, true), FH_E_STORE_BUSY);
    waited = st_now_ms() - t0;
    print_message("[ busy     ] BEGIN IMMEDIATE gave up after %.0f ms (timeout 300)\n", waited);
    assert_true(waited >= 250.0);
    assert_true(waited < 5000.0);

    /* an autocommit write waits the same way; reads go on (WAL) */
    struct fh_store_token t = {.label = "b", .meta = NULL, .meta_len = 0};
    int64_t id = 0;
    assert_int_equal(ST_OPS->token_insert(b, &t, &id), FH_E_STORE_BUSY);
    assert_int_equal(ST_OPS->token_get(b, "a", &got), FH_E_NOT_FOUND);
    assert_int_equal(ST_OPS->health(b), FH_OK);

    assert_int_equal(ST_OPS->commit(a), FH_OK);
    assert_int_equal(ST_OPS->begin(b, true), FH_OK);
    assert_int_equal(ST_OPS->token_insert(b, &t, &id), FH_OK);
    assert_int_equal(ST_OPS->commit(b), FH_OK);
    st_close(a);
    st_close(b);
    assert_int_equal(unsetenv(FHI_SQLITE_BUSY_ENV), 0);
    st_env_fini(&e);
}

/*
 * SQLITE_FULL inside a transaction (max_page_count stands in for a full
 * disk). Whether SQLite keeps the transaction or rolls it back, the store may
 * never carry on in autocommit mode as if the transaction were still open.
 */
static void
test_full_inside_transaction(void **state)
{
    static uint8_t big[64 * 1024];
    struct st_env e;
    struct fhi_sqlite *sq;
    struct fh_store_object o = {0};
    fh_rv rv = FH_OK;
    int64_t id = 0;
    int inserted = 0;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    sq = s;
    o.token_id = st_token(s, "t");
    o.attrs = big;
    o.attrs_len = sizeof big;
    assert_int_equal(sqlite3_exec(sq->db, "PRAGMA max_page_count = 60", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(ST_OPS->begin(s, true), FH_OK);
    for (int i = 0; i < 100 && rv == FH_OK; i++) {
        rv = ST_OPS->object_insert(s, &o, &id);
        inserted += rv == FH_OK;
    }
    assert_int_equal(rv, FH_E_STORE_IO);
    if (sqlite3_get_autocommit(sq->db)) {
        print_message("[ full     ] SQLite rolled back the transaction; store reports it\n");
        assert_int_equal(ST_OPS->object_insert(s, &o, &id), FH_E_STORE_IO);
        assert_int_equal(ST_OPS->commit(s), FH_E_STORE_IO);
    } else {
        print_message("[ full     ] SQLite kept the transaction (%d rows); commit keeps them\n",
                      inserted);
        ST_OPS->rollback(s);
    }
    uint64_t n = 99;
    assert_int_equal(ST_OPS->object_count(s, o.token_id, &n), FH_OK);
    assert_int_equal(n, 0);
    st_close(s);
    st_env_fini(&e);
}

/* ---- audit -------------------------------------------------------------- */

struct audit_seen {
    int64_t seq[200];
    size_t n;
    bool check_fields;
};

static fh_rv
collect_audit(void *arg, const struct fh_store_audit *r)
{
    struct audit_seen *a = arg;
    struct fh_store_audit want;
    char buf[32];

    if (a->check_fields) {
        st_audit_fill(&want, r->seq, buf, sizeof buf);
        st_assert_audit_equal(r, &want);
    }
    assert_true(a->n < sizeof a->seq / sizeof a->seq[0]);
    a->seq[a->n++] = r->seq;
    return a->n == 7 && !a->check_fields ? FH_E_AUDIT_BROKEN : FH_OK;
}

static void
test_audit(void **state)
{
    struct st_env e;
    struct fh_store_audit r;
    struct fh_store_audit got;
    struct audit_seen seen = {.check_fields = true};
    char buf[32];
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    memset(&got, 0x77, sizeof got);
    assert_int_equal(ST_OPS->audit_last(s, &got), FH_E_NOT_FOUND);
    assert_null(got.actor);

    /* batches of several sizes: pages of 1, 2, 7, 30 and 60 records */
    assert_int_equal(st_audit_append_range(s, 1, 1), FH_OK);
    assert_int_equal(st_audit_append_range(s, 2, 3), FH_OK);
    assert_int_equal(st_audit_append_range(s, 4, 10), FH_OK);
    assert_int_equal(st_audit_append_range(s, 11, 40), FH_OK);
    assert_int_equal(st_audit_append_range(s, 41, 100), FH_OK);
    /* a seq in the middle of a page, at its start, or at the end is taken */
    st_audit_fill(&r, 42, buf, sizeof buf);
    r.operation = "forged";
    assert_int_equal(ST_OPS->audit_append_batch(s, &r, 1), FH_E_EXISTS);
    assert_int_equal(st_audit_append_range(s, 41, 41), FH_E_EXISTS);
    assert_int_equal(st_audit_append_range(s, 99, 102), FH_E_EXISTS);
    assert_int_equal(st_audit_append_range(s, 100, 100), FH_E_EXISTS);

    assert_int_equal(ST_OPS->audit_last(s, &got), FH_OK);
    st_audit_fill(&r, 100, buf, sizeof buf);
    st_assert_audit_equal(&got, &r);
    fh_store_audit_clear(&got);
    assert_null(got.actor);

    assert_int_equal(ST_OPS->audit_list(s, 40, 10, collect_audit, &seen), FH_OK);
    assert_int_equal(seen.n, 10);
    for (size_t i = 0; i < seen.n; i++) {
        assert_int_equal(seen.seq[i], 40 + (int64_t)i);
    }
    seen.n = 0;
    assert_int_equal(ST_OPS->audit_list(s, 95, 0, collect_audit, &seen), FH_OK);
    assert_int_equal(seen.n, 6);
    assert_int_equal(seen.seq[5], 100);
    seen.n = 0;
    assert_int_equal(ST_OPS->audit_list(s, 101, 0, collect_audit, &seen), FH_OK);
    assert_int_equal(seen.n, 0);
    assert_int_equal(ST_OPS->audit_list(s, INT64_MIN, SIZE_MAX, collect_audit, &seen), FH_OK);
    assert_int_equal(seen.n, 100);

    /* the callback's stop value comes back */
    struct audit_seen stop = {.check_fields = false};
    assert_int_equal(ST_OPS->audit_list(s, 1, 0, collect_audit, &stop), FH_E_AUDIT_BROKEN);
    assert_int_equal(stop.n, 7);

    /* reopen */
    st_close(s);
    s = st_open(e.path, 0);
    assert_int_equal(ST_OPS->audit_last(s, &got), FH_OK);
    assert_int_equal(got.seq, 100);
    fh_store_audit_clear(&got);
    st_close(s);
    st_env_fini(&e);
}

/* ---- arguments ---------------------------------------------------------- */

static fh_rv
never_cb(void *arg, const struct fh_store_object *o)
{
    (void)arg;
    (void)o;
    fail();
    return FH_OK;
}

static fh_rv
never_tok(void *arg, const struct fh_store_token *t)
{
    (void)arg;
    (void)t;
    fail();
    return FH_OK;
}

static fh_rv
never_audit(void *arg, const struct fh_store_audit *r)
{
    (void)arg;
    (void)r;
    fail();
    return FH_OK;
}

static void
test_arguments(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_token t = {.label = "x"};
    struct fh_store_token tg;
    struct fh_store_object o = {0};
    struct fh_store_object og;
    struct fh_store_query q = {0};
    struct fh_store_audit r;
    struct fh_store_audit ag;
    char buf[32];
    uint64_t n = 0;
    int64_t id = 0;
    uint8_t *huge;
    void *closed = calloc(1, ops->priv_size);
    void *s;

    (void)state;
    assert_non_null(closed);
    assert_int_equal(ops->abi_version, FH_STORE_ABI_VERSION);
    assert_string_equal(ops->name, "sqlite");
    assert_true(ops->priv_size >= sizeof(struct fhi_sqlite));

    st_env_init(&e);
    /* open */
    assert_int_equal(ops->open(NULL, e.path, FH_STORE_CREATE), FH_E_ARGS);
    assert_int_equal(ops->open(closed, NULL, FH_STORE_CREATE), FH_E_ARGS);
    assert_int_equal(ops->open(closed, "", FH_STORE_CREATE), FH_E_ARGS);
    assert_int_equal(ops->open(closed, e.path, 0x80), FH_E_ARGS);
    assert_false(st_file_exists(e.path));
    ops->close(NULL);
    ops->close(closed);

    /* every call on a store that is not open */
    assert_int_equal(ops->health(closed), FH_E_ARGS);
    assert_int_equal(ops->begin(closed, true), FH_E_ARGS);
    assert_int_equal(ops->commit(closed), FH_E_ARGS);
    ops->rollback(closed);
    assert_int_equal(ops->token_insert(closed, &t, &id), FH_E_ARGS);
    assert_int_equal(ops->token_get(closed, "x", &tg), FH_E_ARGS);
    assert_int_equal(ops->token_list(closed, never_tok, NULL), FH_E_ARGS);
    assert_int_equal(ops->object_count(closed, 1, &n), FH_E_ARGS);
    assert_int_equal(ops->audit_last(closed, &ag), FH_E_ARGS);

    s = st_open(e.path, FH_STORE_CREATE);
    assert_int_equal(ops->open(s, e.path, 0), FH_E_ARGS); /* already open */
    assert_int_equal(ops->health(s), FH_OK);
    o.token_id = st_token(s, "tok");
    o.attrs = (uint8_t *)(uintptr_t)"a";
    o.attrs_len = 1;

    /* tokens */
    assert_int_equal(ops->token_insert(NULL, &t, &id), FH_E_ARGS);
    assert_int_equal(ops->token_insert(s, NULL, &id), FH_E_ARGS);
    assert_int_equal(ops->token_insert(s, &t, NULL), FH_E_ARGS);
    t.label = NULL;
    assert_int_equal(ops->token_insert(s, &t, &id), FH_E_ARGS);
    t.label = "y";
    t.meta_len = 4; /* with meta NULL */
    assert_int_equal(ops->token_insert(s, &t, &id), FH_E_ARGS);
    assert_int_equal(ops->token_get(s, NULL, &tg), FH_E_ARGS);
    assert_int_equal(ops->token_get(s, "x", NULL), FH_E_ARGS);
    assert_int_equal(ops->token_get_by_id(s, 0, &tg), FH_E_ARGS);
    assert_int_equal(ops->token_get_by_id(s, -1, &tg), FH_E_ARGS);
    assert_int_equal(ops->token_update_meta(s, o.token_id, NULL, 3), FH_E_ARGS);
    assert_int_equal(ops->token_update_meta(s, 0, NULL, 0), FH_E_ARGS);
    assert_int_equal(ops->token_delete(s, 0), FH_E_ARGS);
    assert_int_equal(ops->token_list(s, NULL, NULL), FH_E_ARGS);

    /* objects */
    assert_int_equal(ops->object_insert(s, NULL, &id), FH_E_ARGS);
    assert_int_equal(ops->object_insert(s, &o, NULL), FH_E_ARGS);
    o.label_len = 2; /* label NULL */
    assert_int_equal(ops->object_insert(s, &o, &id), FH_E_ARGS);
    o.label_len = 0;
    o.ckid_len = 2;
    assert_int_equal(ops->object_insert(s, &o, &id), FH_E_ARGS);
    o.ckid_len = 0;
    o.secret_len = 2;
    assert_int_equal(ops->object_insert(s, &o, &id), FH_E_ARGS);
    o.secret_len = 0;
    o.attrs = NULL;
    assert_int_equal(ops->object_insert(s, &o, &id), FH_E_ARGS);
    o.attrs = (uint8_t *)(uintptr_t)"a";
    o.token_id = 0;
    assert_int_equal(ops->object_insert(s, &o, &id), FH_E_ARGS);
    o.token_id = 1;
    o.id = 0;
    assert_int_equal(ops->object_update(s, &o), FH_E_ARGS);
    assert_int_equal(ops->object_update(s, NULL), FH_E_ARGS);
    assert_int_equal(ops->object_get(s, 1, 1, NULL), FH_E_ARGS);
    assert_int_equal(ops->object_get(s, 0, 1, &og), FH_E_ARGS);
    assert_int_equal(ops->object_delete(s, 1, 0), FH_E_ARGS);
    assert_int_equal(ops->object_count(s, 1, NULL), FH_E_ARGS);
    assert_int_equal(ops->object_find(s, NULL, never_cb, NULL), FH_E_ARGS);
    q.token_id = 1;
    assert_int_equal(ops->object_find(s, &q, NULL, NULL), FH_E_ARGS);
    q.has_label = true;
    q.label_len = 1; /* label NULL */
    assert_int_equal(ops->object_find(s, &q, never_cb, NULL), FH_E_ARGS);
    q.has_label = false;
    q.has_ckid = true;
    q.ckid_len = 1;
    assert_int_equal(ops->object_find(s, &q, never_cb, NULL), FH_E_ARGS);
    q.has_ckid = false;
    q.token_id = 0;
    assert_int_equal(ops->object_find(s, &q, never_cb, NULL), FH_E_ARGS);
    /* a filter longer than anything stored matches nothing (no error) */
    q.token_id = 1;
    q.has_label = true;
    q.label = (const uint8_t *)"x";
    q.label_len = FHI_SQLITE_MAX_BLOB + 1;
    assert_int_equal(ops->object_find(s, &q, never_cb, NULL), FH_OK);
    q.has_label = false;

    /* ceilings */
    huge = calloc(1, FHI_SQLITE_MAX_BLOB + 1);
    assert_non_null(huge);
    o.attrs = huge;
    o.attrs_len = FHI_SQLITE_MAX_BLOB + 1;
    assert_int_equal(ops->object_insert(s, &o, &id), FH_E_DATA_TOO_LARGE);
    o.attrs_len = FHI_SQLITE_MAX_BLOB; /* the largest allowed fits */
    assert_int_equal(ops->object_insert(s, &o, &id), FH_OK);
    assert_int_equal(ops->object_get(s, 1, id, &og), FH_OK);
    assert_int_equal(og.attrs_len, FHI_SQLITE_MAX_BLOB);
    fh_store_object_clear(&og);
    assert_int_equal(ops->token_update_meta(s, 1, huge, FHI_SQLITE_MAX_BLOB + 1),
                     FH_E_DATA_TOO_LARGE);
    free(huge);

    /* audit */
    st_audit_fill(&r, 1, buf, sizeof buf);
    assert_int_equal(ops->audit_append_batch(s, NULL, 1), FH_E_ARGS);
    assert_int_equal(ops->audit_append_batch(s, &r, 0), FH_E_ARGS);
    r.seq = 0;
    assert_int_equal(ops->audit_append_batch(s, &r, 1), FH_E_ARGS);
    r.seq = 1;
    {
        /* a batch must be consecutive and linked: a page keeps one prev_hash */
        struct fh_store_audit two[2];
        char b2[32];

        st_audit_fill(&two[0], 1, buf, sizeof buf);
        st_audit_fill(&two[1], 3, b2, sizeof b2);
        assert_int_equal(ops->audit_append_batch(s, two, 2), FH_E_ARGS);
        st_audit_fill(&two[1], 2, b2, sizeof b2);
        two[1].prev_hash[5] ^= 1;
        assert_int_equal(ops->audit_append_batch(s, two, 2), FH_E_ARGS);
        two[1].prev_hash[5] ^= 1;
        two[1].result = NULL;
        assert_int_equal(ops->audit_append_batch(s, two, 2), FH_E_ARGS);
        st_audit_fill(&r, 1, buf, sizeof buf);
    }
    r.actor = NULL;
    assert_int_equal(ops->audit_append_batch(s, &r, 1), FH_E_ARGS);
    r.actor = "x";
    char *long_text = malloc(FHI_SQLITE_MAX_TEXT + 2);
    assert_non_null(long_text);
    memset(long_text, 'a', FHI_SQLITE_MAX_TEXT + 1);
    long_text[FHI_SQLITE_MAX_TEXT + 1] = '\0';
    r.object = long_text;
    assert_int_equal(ops->audit_append_batch(s, &r, 1), FH_E_DATA_TOO_LARGE);
    assert_int_equal(ops->audit_last(s, NULL), FH_E_ARGS);
    assert_int_equal(ops->audit_list(s, 1, 0, NULL, NULL), FH_E_ARGS);
    assert_int_equal(ops->audit_list(s, 1, 0, never_audit, NULL), FH_OK); /* empty log */
    long_text[FHI_SQLITE_MAX_TEXT] = '\0'; /* the longest allowed fits */
    assert_int_equal(ops->audit_append_batch(s, &r, 1), FH_OK);
    free(long_text);

    st_close(s);
    free(closed);
    st_env_fini(&e);
}

int
st_run_record_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_roundtrip),
        cmocka_unit_test(test_object_roundtrip),
        cmocka_unit_test(test_token_delete_cascades),
        cmocka_unit_test(test_object_find_shapes),
        cmocka_unit_test(test_object_find_stop),
        cmocka_unit_test(test_object_find_reentrant),
        cmocka_unit_test(test_query_plans),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_busy_timeout),
        cmocka_unit_test(test_full_inside_transaction),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_arguments),
    };

    return cmocka_run_group_tests_name("store-sqlite records", tests, NULL, NULL);
}
