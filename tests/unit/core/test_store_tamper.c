/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_tamper.c - what the core does with a store file changed behind
 * its back: sealed secrets bound to their object (AAD), damaged token
 * records, truncated and future-version files. The changes are made with the
 * SQLite API while no fh_ctx is open.
 */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const uint8_t data[] = "tamper test data";

static bool
is_store_error(fh_rv rv)
{
    return rv == FH_E_STORE_IO || rv == FH_E_STORE_BUSY || rv == FH_E_STORE_CORRUPT ||
           rv == FH_E_STORE_FOREIGN || rv == FH_E_STORE_VERSION;
}

/* Two EC token key pairs, "victim" and "bystander"; then the ctx is closed. */
static void
make_keys(struct th_env *e)
{
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE pub, priv;

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    th_ec_pair(s, true, "victim", &pub, &priv);
    th_ec_pair(s, true, "bystander", &pub, &priv);
    fh_token_close(tok);
    th_close_ctx(e);
}

/* The secret blob and id of the private key labelled label. */
static uint8_t *
db_secret(sqlite3 *db, const char *label, int64_t *id, size_t *len)
{
    sqlite3_stmt *st = NULL;
    uint8_t *out;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, secret FROM objects WHERE class = ?1 AND"
                                        " label = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)CKO_PRIVATE_KEY);
    sqlite3_bind_blob(st, 2, label, (int)strlen(label), SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *id = sqlite3_column_int64(st, 0);
    *len = (size_t)sqlite3_column_bytes(st, 1);
    assert_true(*len > 28);
    out = malloc(*len);
    assert_non_null(out);
    memcpy(out, sqlite3_column_blob(st, 1), *len);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    return out;
}

static void
db_set_secret(sqlite3 *db, int64_t id, const uint8_t *blob, size_t len)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE objects SET secret = ? WHERE id = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_finalize(st);
}

/* Open the store, log in and try to sign with the private key label. */
static fh_rv
sign_with(struct th_env *e, const char *label)
{
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE h;
    uint8_t sig[128];
    size_t len = sizeof(sig);
    fh_rv rv;

    if (e->ctx == NULL) {
        assert_int_equal(th_open_ctx(e, false), FH_OK);
    }
    th_open(e->ctx, TH_LABEL, true, false, &tok, &s);
    h = th_find_one_label(s, CKO_PRIVATE_KEY, label);
    rv = th_sign(s, CKM_ECDSA_SHA256, h, data, sizeof(data), sig, &len);
    assert_false(fh_op_is_active(s, FH_OP_SIGN));
    fh_token_close(tok);
    return rv;
}

static void
flipped_secret_byte(void **state)
{
    struct th_env *e = *state;
    int64_t id = 0;
    size_t len = 0;
    uint8_t *orig;
    sqlite3 *db;

    make_keys(e);
    db = th_db_open(e);
    orig = db_secret(db, "victim", &id, &len);
    sqlite3_close(db);
    /* the TLV header, the nonce, the ciphertext and the tag */
    size_t positions[] = {0, 3, 9, 20, 25, len / 2, len - 17, len - 1};

    for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
        uint8_t *bad = malloc(len);
        fh_rv rv;

        memcpy(bad, orig, len);
        bad[positions[i]] ^= 0x01;
        th_close_ctx(e);
        db = th_db_open(e);
        db_set_secret(db, id, bad, len);
        sqlite3_close(db);
        free(bad);
        rv = sign_with(e, "victim");
        if (rv != FH_E_INTEGRITY && rv != FH_E_STORE_CORRUPT) {
            fail_msg("flipped byte %zu of %zu: sign gave %s", positions[i], len, fh_rv_str(rv));
        }
        assert_int_equal(sign_with(e, "bystander"), FH_OK);
    }
    /* restored, it works again: the failures were the flips */
    th_close_ctx(e);
    db = th_db_open(e);
    db_set_secret(db, id, orig, len);
    sqlite3_close(db);
    assert_int_equal(sign_with(e, "victim"), FH_OK);
    free(orig);
}

static void
truncated_or_empty_secret(void **state)
{
    struct th_env *e = *state;
    int64_t id = 0;
    size_t len = 0;
    uint8_t *orig;
    sqlite3 *db;
    fh_rv rv;

    make_keys(e);
    db = th_db_open(e);
    orig = db_secret(db, "victim", &id, &len);
    db_set_secret(db, id, orig, len - 1);
    sqlite3_close(db);
    rv = sign_with(e, "victim");
    assert_true(rv == FH_E_INTEGRITY || rv == FH_E_STORE_CORRUPT);
    th_close_ctx(e);
    db = th_db_open(e);
    db_set_secret(db, id, orig, 5 + 12); /* just a TLV header and item header */
    sqlite3_close(db);
    rv = sign_with(e, "victim");
    assert_true(rv == FH_E_INTEGRITY || rv == FH_E_STORE_CORRUPT);
    assert_int_equal(sign_with(e, "bystander"), FH_OK);
    free(orig);
}

/* The AAD binds a sealed value to its object id: a valid blob moved fails. */
static void
secret_copied_to_other_object(void **state)
{
    struct th_env *e = *state;
    int64_t ida = 0, idb = 0;
    size_t la = 0, lb = 0;
    uint8_t *a, *b;
    sqlite3 *db;

    make_keys(e);
    db = th_db_open(e);
    a = db_secret(db, "victim", &ida, &la);
    b = db_secret(db, "bystander", &idb, &lb);
    assert_int_not_equal(ida, idb);
    db_set_secret(db, idb, a, la);
    sqlite3_close(db);
    assert_int_equal(sign_with(e, "bystander"), FH_E_INTEGRITY);
    assert_int_equal(sign_with(e, "victim"), FH_OK);
    free(a);
    free(b);
}

/* ... and to its token: the same blob under a second token fails too. */
static void
secret_copied_to_other_token(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE pub, priv;
    int64_t ida = 0, idb = 0;
    size_t la = 0, lb = 0;
    uint8_t *a, *b;
    sqlite3 *db;

    make_keys(e);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    assert_int_equal(th_token_create(e->ctx, "other", TH_SO_PIN, TH_USER_PIN), FH_OK);
    th_open(e->ctx, "other", true, true, &tok, &s);
    th_ec_pair(s, true, "other-key", &pub, &priv);
    fh_token_close(tok);
    th_close_ctx(e);
    db = th_db_open(e);
    a = db_secret(db, "victim", &ida, &la);
    b = db_secret(db, "other-key", &idb, &lb);
    /* move the row of "other-key" to the first token: its blob was sealed
     * under another token's TMK and id */
    th_db_exec(db, "UPDATE objects SET token_id = (SELECT id FROM tokens WHERE label = 'unit')"
                   " WHERE label = CAST('other-key' AS BLOB)");
    sqlite3_close(db);
    assert_int_equal(sign_with(e, "other-key"), FH_E_INTEGRITY);
    assert_int_equal(sign_with(e, "victim"), FH_OK);
    free(a);
    free(b);
}

static void
expect_meta_corrupt(struct th_env *e)
{
    fh_token *tok = NULL;
    struct fh_token_info info, *v = NULL;
    size_t n = 0;
    fh_secret *pin;
    fh_rv rv;

    assert_int_equal(th_open_ctx(e, false), FH_OK);
    rv = fh_token_open(e->ctx, TH_LABEL, &tok);
    if (rv == FH_OK) {
        assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_STORE_CORRUPT);
        assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_E_STORE_CORRUPT);
        assert_int_equal(fh_token_get_info(tok, &info), FH_E_STORE_CORRUPT);
        fh_token_close(tok);
    } else {
        assert_int_equal(rv, FH_E_STORE_CORRUPT);
    }
    assert_int_equal(fh_token_list(e->ctx, &v, &n), FH_E_STORE_CORRUPT);
    pin = th_pin(TH_SO_PIN);
    assert_int_equal(fh_token_delete(e->ctx, TH_LABEL, pin), FH_E_STORE_CORRUPT);
    fh_secret_free(pin);
    th_close_ctx(e);
}

static void
set_meta(struct th_env *e, const uint8_t *meta, size_t len)
{
    sqlite3 *db = th_db_open(e);
    sqlite3_stmt *st = NULL;

    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE tokens SET meta = ? WHERE label = 'unit'", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_blob(st, 1, meta, (int)len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static uint8_t *
get_meta(struct th_env *e, size_t *len)
{
    sqlite3 *db = th_db_open(e);
    sqlite3_stmt *st = NULL;
    uint8_t *out;

    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT meta FROM tokens WHERE label = 'unit'", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *len = (size_t)sqlite3_column_bytes(st, 0);
    out = malloc(*len);
    assert_non_null(out);
    memcpy(out, sqlite3_column_blob(st, 0), *len);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static void
corrupt_token_meta(void **state)
{
    struct th_env *e = *state;
    static const uint8_t empty_list[] = {0x01, 0, 0, 0, 0};
    static const uint8_t bad_count[] = {0x01, 0, 0, 0, 0xff};
    static const uint8_t one_byte[] = {0x00};
    size_t len = 0;
    uint8_t *orig;

    th_close_ctx(e);
    orig = get_meta(e, &len);
    set_meta(e, orig, len / 2);
    expect_meta_corrupt(e);
    set_meta(e, empty_list, sizeof(empty_list));
    expect_meta_corrupt(e);
    set_meta(e, bad_count, sizeof(bad_count));
    expect_meta_corrupt(e);
    set_meta(e, one_byte, sizeof(one_byte));
    expect_meta_corrupt(e);
    /* restored, everything works again */
    set_meta(e, orig, len);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    {
        fh_token *tok = NULL;

        th_open(e->ctx, TH_LABEL, true, false, &tok, NULL);
        fh_token_close(tok);
    }
    free(orig);
}

/* Rewrite one tag of the meta TLV (tags: token.c M_*). */
static void
meta_patch(struct th_env *e, CK_ATTRIBUTE_TYPE tag, const void *v, size_t vlen)
{
    size_t len = 0;
    uint8_t *m = get_meta(e, &len), *enc = NULL;
    struct fh_attrs a = FH_ATTRS_INIT;

    assert_int_equal(fh_attrs_decode(m, len, &a), FH_OK);
    assert_non_null(fh_attrs_get(&a, tag));
    assert_int_equal(fh_attrs_set(&a, tag, v, vlen), FH_OK);
    assert_int_equal(fh_attrs_encode(&a, &enc, &len), FH_OK);
    set_meta(e, enc, len);
    fh_attrs_clear(&a);
    free(enc);
    free(m);
}

/* A well-formed TLV with a damaged field: the user salt is 15 bytes long. */
static void
meta_with_short_salt(void **state)
{
    struct th_env *e = *state;
    uint8_t salt[15] = {0};
    fh_token *tok = NULL;

    th_close_ctx(e);
    meta_patch(e, 0x20 /* M_ROLE_BASE_USER + M_SALT */, salt, sizeof(salt));
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_STORE_CORRUPT);
    /* the SO role is intact */
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
    fh_token_close(tok);
}

/*
 * Argon2 parameters come from the token record. A damaged record with an
 * absurd cost must be refused as corrupt, not make login run for hours.
 * The login runs in a child with a deadline so a hang fails the test.
 */
static void
meta_with_absurd_argon2_cost(void **state)
{
    struct th_env *e = *state;
    uint8_t t_cost[4] = {0x7f, 0xff, 0xff, 0xff};
    pid_t pid;
    int status = 0;
    time_t start;

    th_close_ctx(e);
    meta_patch(e, 3 /* M_ARGON_T */, t_cost, sizeof(t_cost));
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fh_ctx *ctx = NULL;
        fh_token *tok = NULL;
        struct fh_ctx_options opt = {NULL, "unit", false};
        fh_secret *pin = NULL;
        fh_rv rv;

        alarm(60);
        if (fh_ctx_new(&opt, &ctx) != FH_OK || fh_token_open(ctx, TH_LABEL, &tok) != FH_OK ||
            fh_secret_from(TH_USER_PIN, strlen(TH_USER_PIN), &pin) != FH_OK) {
            _exit(100);
        }
        rv = fh_token_login(tok, CKU_USER, pin);
        _exit((int)rv);
    }
    start = time(NULL);
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (time(NULL) - start > 10) {
            kill(pid, SIGKILL);
            assert_int_equal(waitpid(pid, &status, 0), pid);
            fail_msg("login with argon2_t_cost 0x7fffffff from a damaged record still running "
                     "after 10 s (expected FH_E_STORE_CORRUPT)");
        }
        usleep(50000);
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), FH_E_STORE_CORRUPT);
}

static void
truncated_db(void **state)
{
    struct th_env *e = *state;
    size_t len = 0;
    uint8_t *buf;
    FILE *fp;
    char path[700];
    fh_rv rv;

    make_keys(e);
    for (int i = 0; i < 3; i++) {
        /* more content, so half the file cuts real pages */
        assert_int_equal(th_open_ctx(e, false), FH_OK);
        {
            fh_token *tok = NULL;
            fh_session *s = NULL;
            CK_OBJECT_HANDLE a, b;
            char label[16];

            th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
            for (int k = 0; k < 5; k++) {
                snprintf(label, sizeof(label), "pad%d-%d", i, k);
                th_ec_pair(s, true, label, &a, &b);
            }
            fh_token_close(tok);
        }
        th_close_ctx(e);
    }
    snprintf(path, sizeof(path), "%s-wal", e->db);
    buf = th_read_file(path, &len);
    assert_int_equal(len, 0); /* checkpointed on close */
    free(buf);
    buf = th_read_file(e->db, &len);
    assert_true(len > 8192);
    fp = fopen(e->db, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, len / 2, fp), len / 2);
    assert_int_equal(fclose(fp), 0);

    rv = th_open_ctx(e, false);
    if (!is_store_error(rv)) {
        fail_msg("half a store: fh_ctx_new gave %s", fh_rv_str(rv));
    }
    assert_null(e->ctx);
    rv = th_open_ctx(e, true);
    if (!is_store_error(rv)) {
        fail_msg("half a store, create: fh_ctx_new gave %s", fh_rv_str(rv));
    }
    assert_null(e->ctx);
    assert_true(fh_ctx_open_error()[0] != '\0');

    /* less than a header */
    fp = fopen(e->db, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, 50, fp), 50);
    assert_int_equal(fclose(fp), 0);
    rv = th_open_ctx(e, false);
    assert_true(is_store_error(rv));
    free(buf);
}

static void
future_schema_version(void **state)
{
    struct th_env *e = *state;
    sqlite3 *db;

    th_close_ctx(e);
    db = th_db_open(e);
    th_db_exec(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
    assert_int_equal(th_open_ctx(e, false), FH_E_STORE_VERSION);
    assert_null(e->ctx);
    assert_int_equal(th_open_ctx(e, true), FH_E_STORE_VERSION);
    assert_null(e->ctx);
    /* the file was not touched */
    db = th_db_open(e);
    assert_int_equal(th_db_int(db, "PRAGMA user_version"), 99);
    sqlite3_close(db);
}

static void
foreign_file(void **state)
{
    struct th_env *e = *state;
    FILE *fp;
    uint8_t junk[4096];

    th_close_ctx(e);
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 131 + 7);
    }
    fp = fopen(e->db, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(th_open_ctx(e, true), FH_E_STORE_FOREIGN);
    assert_null(e->ctx);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)
    const struct CMUnitTest tests[] = {
        T(flipped_secret_byte),
        T(truncated_or_empty_secret),
        T(secret_copied_to_other_object),
        T(secret_copied_to_other_token),
        T(corrupt_token_meta),
        T(meta_with_short_salt),
        T(meta_with_absurd_argon2_cost),
        T(truncated_db),
        T(future_schema_version),
        T(foreign_file),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
