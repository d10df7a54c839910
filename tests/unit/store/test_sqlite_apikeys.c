/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sqlite_apikeys.c - the apikey_* operations of the SQLite store
 * (src/store/sqlite/apikeys.c) and schema versions 2 (the apikeys table)
 * and 3 (scopes by serial: apikey_set_tokens, tokens_are_labels): round
 * trips, uniqueness, revocation, argument checks, damaged rows, the index
 * used by the per-request lookup, and migration from versions 1 and 2.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../../../src/store/sqlite/sqlite-int.h"

static struct fh_store_apikey
key_rec(const char *id, const char *name, uint8_t fill)
{
    struct fh_store_apikey k;

    memset(&k, 0, sizeof k);
    snprintf(k.id, sizeof k.id, "%s", id);
    k.name = (char *)(uintptr_t)name;
    k.role = 3;
    k.all_tokens = false;
    k.tokens = (char *)(uintptr_t)"demo\nbilling\n";
    memset(k.hash, fill, sizeof k.hash);
    k.created_ms = 1700000000000;
    return k;
}

static fh_rv
collect_names(void *arg, const struct fh_store_apikey *k)
{
    char *buf = arg;

    strncat(buf, k->name, 200 - strlen(buf) - 2);
    strncat(buf, ",", 200 - strlen(buf) - 1);
    return FH_OK;
}

static fh_rv
stop_cb(void *arg, const struct fh_store_apikey *k)
{
    (void)k;
    (*(int *)arg)++;
    return FH_E_GENERAL;
}

static void
test_apikey_roundtrip(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_apikey a = key_rec("00000000000000a1", "alpha", 0xA1);
    struct fh_store_apikey b = key_rec("00000000000000b2", "beta", 0xB2);
    struct fh_store_apikey got;
    char names[200] = "";
    int calls = 0;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    b.all_tokens = true;
    b.tokens = (char *)(uintptr_t)"";
    b.role = 1;
    assert_int_equal(ops->apikey_insert(s, &b), FH_OK); /* created first */
    assert_int_equal(ops->apikey_insert(s, &a), FH_OK);

    assert_int_equal(ops->apikey_get(s, "00000000000000a1", &got), FH_OK);
    assert_string_equal(got.id, "00000000000000a1");
    assert_string_equal(got.name, "alpha");
    assert_int_equal(got.role, 3);
    assert_false(got.all_tokens);
    assert_string_equal(got.tokens, "demo\nbilling\n");
    assert_memory_equal(got.hash, a.hash, sizeof a.hash);
    assert_int_equal(got.created_ms, 1700000000000);
    assert_int_equal(got.revoked_ms, 0);
    fh_store_apikey_clear(&got);
    assert_null(got.name);

    assert_int_equal(ops->apikey_get_by_name(s, "beta", &got), FH_OK);
    assert_string_equal(got.id, "00000000000000b2");
    assert_true(got.all_tokens);
    assert_string_equal(got.tokens, "");
    fh_store_apikey_clear(&got);

    assert_int_equal(ops->apikey_get(s, "00000000000000c3", &got), FH_E_NOT_FOUND);
    assert_null(got.name);
    assert_int_equal(ops->apikey_get_by_name(s, "gamma", &got), FH_E_NOT_FOUND);

    /* creation order, and a callback stops the iteration */
    assert_int_equal(ops->apikey_list(s, collect_names, names), FH_OK);
    assert_string_equal(names, "beta,alpha,");
    assert_int_equal(ops->apikey_list(s, stop_cb, &calls), FH_E_GENERAL);
    assert_int_equal(calls, 1);

    /* unique id and unique name */
    {
        struct fh_store_apikey same_id = key_rec("00000000000000a1", "other", 1);
        struct fh_store_apikey same_name = key_rec("00000000000000d4", "alpha", 1);

        assert_int_equal(ops->apikey_insert(s, &same_id), FH_E_EXISTS);
        assert_int_equal(ops->apikey_insert(s, &same_name), FH_E_EXISTS);
    }

    /* revoke: the first time stays; unknown ids are not found */
    assert_int_equal(ops->apikey_revoke(s, "00000000000000a1", 1700000000500), FH_OK);
    assert_int_equal(ops->apikey_revoke(s, "00000000000000a1", 1700000000900), FH_OK);
    assert_int_equal(ops->apikey_get(s, "00000000000000a1", &got), FH_OK);
    assert_int_equal(got.revoked_ms, 1700000000500);
    fh_store_apikey_clear(&got);
    assert_int_equal(ops->apikey_revoke(s, "00000000000000ff", 1), FH_E_NOT_FOUND);

    /* inside a transaction: rolled back, nothing stays */
    {
        struct fh_store_apikey c = key_rec("00000000000000c3", "gamma", 0xC3);

        assert_int_equal(ops->begin(s, true), FH_OK);
        assert_int_equal(ops->apikey_insert(s, &c), FH_OK);
        ops->rollback(s);
        assert_int_equal(ops->apikey_get(s, "00000000000000c3", &got), FH_E_NOT_FOUND);
    }
    st_close(s);

    /* the rows hold the hash, not more: no column but these */
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM apikeys"), 2);
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM pragma_table_info('apikeys')"), 10);
    st_env_fini(&e);
}

static void
test_apikey_arguments(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_apikey k = key_rec("0123456789abcdef", "ok", 1);
    struct fh_store_apikey got;
    char longname[80];
    char *tokens;
    void *closed = calloc(1, ops->priv_size);
    void *s;

    (void)state;
    assert_non_null(closed);
    assert_int_equal(ops->apikey_insert(closed, &k), FH_E_ARGS);
    assert_int_equal(ops->apikey_get(closed, k.id, &got), FH_E_ARGS);
    assert_int_equal(ops->apikey_list(closed, collect_names, NULL), FH_E_ARGS);
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    assert_int_equal(ops->apikey_insert(s, NULL), FH_E_ARGS);
    snprintf(k.id, sizeof k.id, "0123456789ABCDEF"); /* uppercase */
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_ARGS);
    snprintf(k.id, sizeof k.id, "0123456789abcde"); /* short */
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_ARGS);
    snprintf(k.id, sizeof k.id, "0123456789abcdef");
    k.name = (char *)(uintptr_t)"";
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_ARGS);
    memset(longname, 'x', sizeof longname);
    longname[65] = '\0';
    k.name = longname;
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_ARGS);
    longname[64] = '\0';
    assert_int_equal(ops->apikey_insert(s, &k), FH_OK);
    k.name = (char *)(uintptr_t)"n2";
    snprintf(k.id, sizeof k.id, "1123456789abcdef");
    k.tokens = NULL;
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_ARGS);
    tokens = malloc(FHI_SQLITE_APIKEY_TOKENS_MAX + 2);
    assert_non_null(tokens);
    memset(tokens, 't', FHI_SQLITE_APIKEY_TOKENS_MAX + 1);
    tokens[FHI_SQLITE_APIKEY_TOKENS_MAX + 1] = '\0';
    k.tokens = tokens;
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_DATA_TOO_LARGE);
    free(tokens);
    k.tokens = (char *)(uintptr_t)"";
    k.created_ms = -1;
    assert_int_equal(ops->apikey_insert(s, &k), FH_E_ARGS);

    assert_int_equal(ops->apikey_get(s, NULL, &got), FH_E_ARGS);
    assert_int_equal(ops->apikey_get(s, "0123456789abcdef", NULL), FH_E_ARGS);
    assert_int_equal(ops->apikey_get(s, "xyz", &got), FH_E_ARGS);
    assert_int_equal(ops->apikey_get_by_name(s, "", &got), FH_E_ARGS);
    assert_int_equal(ops->apikey_get_by_name(s, NULL, &got), FH_E_ARGS);
    assert_int_equal(ops->apikey_revoke(s, "0123456789abcdef", 0), FH_E_ARGS);
    assert_int_equal(ops->apikey_revoke(s, "nothex", 5), FH_E_ARGS);
    assert_int_equal(ops->apikey_list(s, NULL, NULL), FH_E_ARGS);
    assert_int_equal(ops->apikey_set_tokens(closed, "0123456789abcdef", ""), FH_E_ARGS);
    assert_int_equal(ops->apikey_set_tokens(s, "nothex", ""), FH_E_ARGS);
    assert_int_equal(ops->apikey_set_tokens(s, "0123456789abcdef", NULL), FH_E_ARGS);
    assert_int_equal(ops->apikey_set_tokens(s, "00000000000000ff", ""), FH_E_NOT_FOUND);
    st_close(s);
    free(closed);
    st_env_fini(&e);
}

/* Rows edited outside FerroHSM are reported, never handed out half-valid. */
static void
test_apikey_damaged_rows(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    static const char *const damage[] = {
        "UPDATE apikeys SET hash = X'0102'",
        "UPDATE apikeys SET id = 'ABCDEF0123456789'",
        "UPDATE apikeys SET role = -1",
        "UPDATE apikeys SET all_tokens = 2",
        "UPDATE apikeys SET name = X'6e6d'",
        "UPDATE apikeys SET name = ''",
        "UPDATE apikeys SET created_ms = 'soon'",
        "UPDATE apikeys SET revoked_ms = -5",
        "UPDATE apikeys SET scope_by_serial = 7",
        "UPDATE apikeys SET scope_by_serial = 'yes'",
    };
    struct st_env e;
    struct fh_store_apikey k = key_rec("0123456789abcdef", "victim", 7);
    struct fh_store_apikey got;
    char names[200];
    void *s;

    (void)state;
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        st_env_init(&e);
        s = st_open(e.path, FH_STORE_CREATE);
        assert_int_equal(ops->apikey_insert(s, &k), FH_OK);
        st_close(s);
        st_raw_exec(e.path, damage[i]);
        s = st_open(e.path, 0);
        names[0] = '\0';
        assert_int_equal(ops->apikey_list(s, collect_names, names), FH_E_STORE_CORRUPT);
        assert_int_equal(ops->apikey_get_by_name(s, "victim", &got) == FH_E_STORE_CORRUPT ||
                             ops->apikey_get_by_name(s, "victim", &got) == FH_E_NOT_FOUND,
                         1);
        assert_null(got.name);
        st_close(s);
        st_env_fini(&e);
    }
}

/* The per-request lookup by id and the lookup by name use the UNIQUE indexes. */
static void
test_apikey_query_plans(void **state)
{
    static const char *const sql[] = {
        "EXPLAIN QUERY PLAN SELECT * FROM apikeys WHERE id = '0123456789abcdef'",
        "EXPLAIN QUERY PLAN SELECT * FROM apikeys WHERE name = 'x'",
    };
    struct st_env e;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        struct fhi_sqlite *sq = s;
        sqlite3_stmt *st = NULL;
        bool indexed = false;

        assert_int_equal(sqlite3_prepare_v2(sq->db, sql[i], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(st, 3);

            if (detail != NULL && strstr(detail, "USING INDEX") != NULL) {
                indexed = true;
            }
        }
        sqlite3_finalize(st);
        assert_true(indexed);
    }
    st_close(s);
    st_env_fini(&e);
}

/* A second connection's revoke moves this connection's generation. */
static void
test_apikey_generation(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_apikey k = key_rec("0123456789abcdef", "gen", 7);
    uint64_t g1 = 0, g2 = 0;
    void *a, *b;

    (void)state;
    st_env_init(&e);
    a = st_open(e.path, FH_STORE_CREATE);
    b = st_open(e.path, 0);
    assert_int_equal(ops->apikey_insert(a, &k), FH_OK);
    assert_int_equal(ops->generation(a, &g1), FH_OK);
    assert_int_equal(ops->apikey_revoke(b, k.id, 42), FH_OK);
    assert_int_equal(ops->generation(a, &g2), FH_OK);
    assert_true(g1 != g2);
    st_close(b);
    st_close(a);
    st_env_fini(&e);
}

/*
 * Scopes (ABI 3): a record is stored with tokens_are_labels as given, and
 * apikey_set_tokens replaces the scope and clears the flag, keeping the
 * other fields.
 */
static void
test_apikey_set_tokens(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_apikey old = key_rec("00000000000000e5", "old", 0xE5);
    struct fh_store_apikey cur = key_rec("00000000000000f6", "cur", 0xF6);
    struct fh_store_apikey got;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    old.tokens_are_labels = true;
    cur.tokens = (char *)(uintptr_t)"0123456789ABCDEF\n";
    assert_int_equal(ops->apikey_insert(s, &old), FH_OK);
    assert_int_equal(ops->apikey_insert(s, &cur), FH_OK);
    assert_int_equal(ops->apikey_get(s, old.id, &got), FH_OK);
    assert_true(got.tokens_are_labels);
    fh_store_apikey_clear(&got);
    assert_int_equal(ops->apikey_get(s, cur.id, &got), FH_OK);
    assert_false(got.tokens_are_labels);
    assert_string_equal(got.tokens, "0123456789ABCDEF\n");
    fh_store_apikey_clear(&got);

    assert_int_equal(ops->apikey_revoke(s, old.id, 1700000000700), FH_OK);
    assert_int_equal(ops->apikey_set_tokens(s, old.id, "FEDCBA9876543210\n"), FH_OK);
    assert_int_equal(ops->apikey_get_by_name(s, "old", &got), FH_OK);
    assert_false(got.tokens_are_labels);
    assert_string_equal(got.tokens, "FEDCBA9876543210\n");
    assert_int_equal(got.revoked_ms, 1700000000700);
    assert_int_equal(got.role, 3);
    assert_memory_equal(got.hash, old.hash, sizeof old.hash);
    fh_store_apikey_clear(&got);
    /* an empty scope is a scope of no token */
    assert_int_equal(ops->apikey_set_tokens(s, cur.id, ""), FH_OK);
    assert_int_equal(ops->apikey_get(s, cur.id, &got), FH_OK);
    assert_string_equal(got.tokens, "");
    fh_store_apikey_clear(&got);
    /* inside a transaction: rolled back with it */
    assert_int_equal(ops->begin(s, true), FH_OK);
    assert_int_equal(ops->apikey_set_tokens(s, cur.id, "0000000000000001\n"), FH_OK);
    ops->rollback(s);
    assert_int_equal(ops->apikey_get(s, cur.id, &got), FH_OK);
    assert_string_equal(got.tokens, "");
    fh_store_apikey_clear(&got);
    st_close(s);
    st_env_fini(&e);
}

/*
 * Version 2 (scopes by label, no scope_by_serial column) is migrated on
 * open: its rows keep their scopes and are marked as labels for the core to
 * rewrite; rows written afterwards are serial scopes.
 */
static void
test_apikey_migration_v2(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_apikey k = key_rec("0123456789abcdef", "from-v2", 7);
    struct fh_store_apikey n = key_rec("1123456789abcdef", "from-v3", 8);
    struct fh_store_apikey got;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    (void)st_token(s, "demo");
    assert_int_equal(ops->apikey_insert(s, &k), FH_OK);
    st_close(s);
    /* what version 2 wrote: the same row without the column, version 2 */
    st_raw_exec(e.path, "DROP TABLE audit_pages; ALTER TABLE apikeys DROP COLUMN scope_by_serial;"
                        " PRAGMA user_version = 2;");
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM pragma_table_info('apikeys')"), 9);
    s = st_open(e.path, 0);
    assert_int_equal(ops->health(s), FH_OK);
    assert_int_equal(ops->apikey_get(s, k.id, &got), FH_OK);
    assert_true(got.tokens_are_labels);
    assert_string_equal(got.tokens, "demo\nbilling\n");
    fh_store_apikey_clear(&got);
    assert_int_equal(ops->apikey_insert(s, &n), FH_OK);
    assert_int_equal(ops->apikey_get(s, n.id, &got), FH_OK);
    assert_false(got.tokens_are_labels);
    fh_store_apikey_clear(&got);
    st_close(s);
    assert_int_equal(st_raw_int(e.path, "PRAGMA user_version"), FHI_SQLITE_SCHEMA_VERSION);
    assert_int_equal(st_raw_int(e.path, "SELECT count(*) FROM apikeys WHERE scope_by_serial = 0"),
                     1);

    /* claims version 3 but lacks the column: damaged */
    {
        fh_rv rv = FH_OK;

        st_raw_exec(e.path, "ALTER TABLE apikeys DROP COLUMN scope_by_serial;");
        s = st_open_rv(e.path, 0, &rv);
        assert_null(s);
        assert_int_equal(rv, FH_E_STORE_CORRUPT);
    }
    st_env_fini(&e);
}

/* Version 1 (no apikeys table) is migrated on open; version 2 without it is damaged. */
static void
test_apikey_migration(void **state)
{
    const struct fh_store_ops *ops = ST_OPS;
    struct st_env e;
    struct fh_store_apikey k = key_rec("0123456789abcdef", "m", 7);
    fh_rv rv = FH_OK;
    void *s;

    (void)state;
    st_env_init(&e);
    s = st_open(e.path, FH_STORE_CREATE);
    (void)st_token(s, "kept");
    st_close(s);
    /* what version 1 wrote: the same file without the table and with version 1 */
    st_raw_exec(e.path, "DROP TABLE audit_pages; DROP TABLE apikeys; PRAGMA user_version = 1;");
    s = st_open(e.path, 0);
    assert_int_equal(ops->health(s), FH_OK);
    assert_int_equal(ops->apikey_insert(s, &k), FH_OK);
    {
        struct fh_store_token t;

        assert_int_equal(ops->token_get(s, "kept", &t), FH_OK);
        fh_store_token_clear(&t);
    }
    st_close(s);
    assert_int_equal(st_raw_int(e.path, "PRAGMA user_version"), FHI_SQLITE_SCHEMA_VERSION);

    /* claims version 2 but lacks the table */
    st_raw_exec(e.path, "DROP TABLE apikeys;");
    s = st_open_rv(e.path, 0, &rv);
    assert_null(s);
    assert_int_equal(rv, FH_E_STORE_CORRUPT);
    st_env_fini(&e);
}

int
st_run_apikey_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apikey_roundtrip),
        cmocka_unit_test(test_apikey_arguments),
        cmocka_unit_test(test_apikey_damaged_rows),
        cmocka_unit_test(test_apikey_query_plans),
        cmocka_unit_test(test_apikey_generation),
        cmocka_unit_test(test_apikey_migration),
        cmocka_unit_test(test_apikey_set_tokens),
        cmocka_unit_test(test_apikey_migration_v2),
    };

    return cmocka_run_group_tests_name("store-sqlite apikeys", tests, NULL, NULL);
}
