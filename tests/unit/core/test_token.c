/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_token.c - tokens: creation, listing, PINs, login state, lockout and
 * the token master key surviving PIN changes (src/core/token.c).
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t msg[] = "message signed before and after a PIN change";

static void
get_info(fh_token *tok, struct fh_token_info *info)
{
    memset(info, 0xA5, sizeof(*info));
    assert_int_equal(fh_token_get_info(tok, info), FH_OK);
}

static void
create_list_open(void **state)
{
    struct th_env *e = *state;
    struct fh_token_info *v = NULL;
    size_t n = 0;
    fh_token *tok = NULL;

    assert_int_equal(th_token_create(e->ctx, "second", TH_SO_PIN, NULL), FH_OK);
    assert_int_equal(fh_token_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].label, TH_LABEL);
    assert_string_equal(v[1].label, "second");
    assert_true(v[0].id < v[1].id);
    assert_true(v[0].user_pin_initialized);
    assert_false(v[1].user_pin_initialized);
    assert_int_equal(v[0].max_failures, 3); /* from ferrohsm.conf */
    assert_int_equal(v[0].user_failures, 0);
    assert_int_equal(v[0].object_count, 0);
    assert_false(v[0].user_logged_in);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(strlen(v[i].serial), 16);
        assert_int_equal(strspn(v[i].serial, "0123456789abcdefABCDEF"), 16);
    }
    assert_string_not_equal(v[0].serial, v[1].serial);
    free(v);

    assert_int_equal(fh_token_open(e->ctx, "second", &tok), FH_OK);
    assert_string_equal(fh_token_label(tok), "second");
    assert_int_equal(fh_token_logged_in(tok), (CK_USER_TYPE)-1);
    fh_token_close(tok);
    tok = NULL;
    assert_int_equal(fh_token_open(e->ctx, "nope", &tok), FH_E_NOT_FOUND);
    assert_null(tok);
}

static void
create_rejects_bad_input(void **state)
{
    struct th_env *e = *state;
    char l33[34], l32[33];
    char long_pin[FH_PIN_MAX + 2];
    struct fh_token_info *v = NULL;
    size_t n = 0;

    memset(l33, 'a', 33);
    l33[33] = '\0';
    memset(l32, 'b', 32);
    l32[32] = '\0';
    memset(long_pin, 'p', FH_PIN_MAX + 1);
    long_pin[FH_PIN_MAX + 1] = '\0';

    assert_int_equal(th_token_create(e->ctx, TH_LABEL, TH_SO_PIN, TH_USER_PIN), FH_E_EXISTS);
    assert_int_equal(th_token_create(e->ctx, "", TH_SO_PIN, TH_USER_PIN), FH_E_ARGS);
    assert_int_equal(th_token_create(e->ctx, l33, TH_SO_PIN, TH_USER_PIN), FH_E_ARGS);
    assert_int_equal(th_token_create(e->ctx, "t1", "abc", TH_USER_PIN), FH_E_PIN_LEN_RANGE);
    assert_int_equal(th_token_create(e->ctx, "t1", TH_SO_PIN, "abc"), FH_E_PIN_LEN_RANGE);
    assert_int_equal(th_token_create(e->ctx, "t1", long_pin, TH_USER_PIN), FH_E_PIN_LEN_RANGE);
    assert_int_equal(fh_token_create(e->ctx, "t1", NULL, NULL), FH_E_ARGS);
    assert_int_equal(fh_token_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 1); /* nothing half-created */
    free(v);
    assert_int_equal(th_token_create(e->ctx, l32, "abcd", NULL), FH_OK);
    long_pin[FH_PIN_MAX] = '\0';
    assert_int_equal(th_token_create(e->ctx, "maxpin", long_pin, NULL), FH_OK);
}

static void
login_state_machine(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    struct fh_token_info info;

    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    assert_int_equal(fh_token_logout(tok), FH_E_NOT_LOGGED_IN);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_OK);
    assert_int_equal(fh_token_logged_in(tok), CKU_USER);
    get_info(tok, &info);
    assert_true(info.user_logged_in);
    assert_false(info.so_logged_in);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_ALREADY_LOGGED_IN);
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_E_OTHER_USER_LOGGED_IN);
    assert_int_equal(th_login(tok, 7, TH_USER_PIN), FH_E_USER_TYPE_INVALID);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    assert_int_equal(fh_token_logout(tok), FH_E_NOT_LOGGED_IN);
    assert_int_equal(fh_token_logged_in(tok), (CK_USER_TYPE)-1);

    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_OTHER_USER_LOGGED_IN);
    get_info(tok, &info);
    assert_true(info.so_logged_in);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    /* none of the above counted as a failure */
    get_info(tok, &info);
    assert_int_equal(info.user_failures, 0);
    assert_int_equal(info.so_failures, 0);
    fh_token_close(tok);
}

static void
wrong_pin_counts_and_success_resets(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    struct fh_token_info info;

    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    assert_int_equal(th_login(tok, CKU_USER, "wrong-pin"), FH_E_PIN_INCORRECT);
    assert_int_equal(fh_token_logged_in(tok), (CK_USER_TYPE)-1);
    get_info(tok, &info);
    assert_int_equal(info.user_failures, 1);
    assert_false(info.user_pin_locked);
    assert_int_equal(info.so_failures, 0);
    assert_int_equal(th_login(tok, CKU_USER, "wrong-pin"), FH_E_PIN_INCORRECT);
    get_info(tok, &info);
    assert_int_equal(info.user_failures, 2);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_OK);
    get_info(tok, &info);
    assert_int_equal(info.user_failures, 0);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    /* the SO counter is separate */
    assert_int_equal(th_login(tok, CKU_SO, TH_USER_PIN), FH_E_PIN_INCORRECT);
    get_info(tok, &info);
    assert_int_equal(info.so_failures, 1);
    assert_int_equal(info.user_failures, 0);
    fh_token_close(tok);
}

static void
lockout_persists_and_so_unlocks(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    struct fh_token_info info;
    fh_secret *np;

    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(th_login(tok, CKU_USER, "bad-pin"), FH_E_PIN_INCORRECT);
    }
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_PIN_LOCKED);
    assert_int_equal(th_login(tok, CKU_USER, "bad-pin"), FH_E_PIN_LOCKED);
    get_info(tok, &info);
    assert_true(info.user_pin_locked);
    assert_int_equal(info.user_failures, 3);
    fh_token_close(tok);

    /* a new process sees the lock */
    th_reopen(e);
    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_PIN_LOCKED);
    /* set_pin cannot bypass it either */
    {
        fh_secret *old = th_pin(TH_USER_PIN), *nw = th_pin("other-pin");

        assert_int_equal(fh_token_set_pin(tok, CKU_USER, old, nw), FH_E_PIN_LOCKED);
        fh_secret_free(old);
        fh_secret_free(nw);
    }
    np = th_pin("fresh-user-pin");
    assert_int_equal(fh_token_init_pin(tok, np), FH_E_NOT_LOGGED_IN); /* needs the SO */
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
    assert_int_equal(fh_token_init_pin(tok, np), FH_OK);
    fh_secret_free(np);
    get_info(tok, &info);
    assert_false(info.user_pin_locked);
    assert_int_equal(info.user_failures, 0);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_PIN_INCORRECT);
    assert_int_equal(th_login(tok, CKU_USER, "fresh-user-pin"), FH_OK);
    fh_token_close(tok);
}

static void
init_pin_rejects_short_pin(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_secret *np = th_pin("123");

    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
    assert_int_equal(fh_token_init_pin(tok, np), FH_E_PIN_LEN_RANGE);
    fh_secret_free(np);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_OK);
    fh_token_close(tok);
}

/* A token key made before a PIN change still signs after it. */
static void
set_pin_keeps_tmk(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE pub, priv;
    uint8_t sig[128];
    size_t sig_len = sizeof(sig);
    fh_secret *old, *nw, *short_pin;

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    th_ec_pair(s, true, "before-change", &pub, &priv);
    assert_int_equal(th_sign(s, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    fh_token_close(tok);

    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    old = th_pin("not-the-pin");
    nw = th_pin("changed-user-pin");
    short_pin = th_pin("12");
    assert_int_equal(fh_token_set_pin(tok, CKU_USER, old, nw), FH_E_PIN_INCORRECT);
    fh_secret_free(old);
    old = th_pin(TH_USER_PIN);
    assert_int_equal(fh_token_set_pin(tok, CKU_USER, old, short_pin), FH_E_PIN_LEN_RANGE);
    assert_int_equal(fh_token_set_pin(tok, CKU_USER, old, nw), FH_OK);
    fh_secret_free(old);
    fh_secret_free(nw);
    fh_secret_free(short_pin);
    /* SO too */
    old = th_pin(TH_SO_PIN);
    nw = th_pin("changed-so-pin");
    assert_int_equal(fh_token_set_pin(tok, CKU_SO, old, nw), FH_OK);
    fh_secret_free(old);
    fh_secret_free(nw);
    fh_token_close(tok);

    th_reopen(e);
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_PIN_INCORRECT);
    assert_int_equal(th_login(tok, CKU_USER, "changed-user-pin"), FH_OK);
    assert_int_equal(fh_session_open(tok, false, &s), FH_OK);
    priv = th_find_one_label(s, CKO_PRIVATE_KEY, "before-change");
    pub = th_find_one_label(s, CKO_PUBLIC_KEY, "before-change");
    /* the old signature still verifies, and the key still signs */
    assert_int_equal(th_verify(s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, sig_len), FH_OK);
    sig_len = sizeof(sig);
    assert_int_equal(th_sign(s, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(th_verify(s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, sig_len), FH_OK);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_E_PIN_INCORRECT);
    assert_int_equal(th_login(tok, CKU_SO, "changed-so-pin"), FH_OK);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    fh_token_close(tok);
}

static void
user_pin_not_initialized(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    struct fh_token_info info;
    fh_secret *np;

    assert_int_equal(th_token_create(e->ctx, "nouser", TH_SO_PIN, NULL), FH_OK);
    th_open(e->ctx, "nouser", false, false, &tok, NULL);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_USER_PIN_NOT_INITIALIZED);
    get_info(tok, &info);
    assert_false(info.user_pin_initialized);
    assert_false(info.user_pin_locked);
    assert_int_equal(info.user_failures, 0);
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
    np = th_pin("first-user-pin");
    assert_int_equal(fh_token_init_pin(tok, np), FH_OK);
    fh_secret_free(np);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    assert_int_equal(th_login(tok, CKU_USER, "first-user-pin"), FH_OK);
    get_info(tok, &info);
    assert_true(info.user_pin_initialized);
    fh_token_close(tok);
}

static void
delete_token(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE pub, priv;
    struct fh_token_info *v = NULL;
    size_t n = 0;
    fh_secret *pin;
    sqlite3 *db;

    assert_int_equal(th_token_create(e->ctx, "keep", TH_SO_PIN, TH_USER_PIN), FH_OK);
    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    th_ec_pair(s, true, "doomed", &pub, &priv);
    fh_token_close(tok);
    th_open(e->ctx, "keep", true, true, &tok, &s);
    th_ec_pair(s, true, "kept", &pub, &priv);
    fh_token_close(tok);

    pin = th_pin("wrong-so-pin");
    assert_int_equal(fh_token_delete(e->ctx, TH_LABEL, pin), FH_E_PIN_INCORRECT);
    fh_secret_free(pin);
    assert_int_equal(fh_token_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].object_count, 2);
    assert_int_equal(v[0].so_failures, 1);
    free(v);
    pin = th_pin(TH_USER_PIN); /* the user PIN is not the SO PIN */
    assert_int_equal(fh_token_delete(e->ctx, TH_LABEL, pin), FH_E_PIN_INCORRECT);
    fh_secret_free(pin);
    pin = th_pin(TH_SO_PIN);
    assert_int_equal(fh_token_delete(e->ctx, "absent", pin), FH_E_NOT_FOUND);
    assert_int_equal(fh_token_delete(e->ctx, TH_LABEL, pin), FH_OK);
    fh_secret_free(pin);

    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_E_NOT_FOUND);
    assert_int_equal(fh_token_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].label, "keep");
    assert_int_equal(v[0].object_count, 2);
    free(v);
    th_close_ctx(e);
    db = th_db_open(e);
    /* only the other token's two objects remain in the file */
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM objects"), 2);
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM tokens"), 1);
    sqlite3_close(db);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    /* the label can be used again, for an empty token */
    assert_int_equal(th_token_create(e->ctx, TH_LABEL, TH_SO_PIN, TH_USER_PIN), FH_OK);
    th_open(e->ctx, TH_LABEL, true, false, &tok, &s);
    assert_int_equal(th_find(s, NULL, 0, NULL), 0);
    fh_token_close(tok);
}

/* Login state is per fh_token handle: a second handle starts logged out. */
static void
login_state_is_per_handle(void **state)
{
    struct th_env *e = *state;
    fh_token *a = NULL, *b = NULL;

    th_open(e->ctx, TH_LABEL, true, false, &a, NULL);
    th_open(e->ctx, TH_LABEL, false, false, &b, NULL);
    assert_int_equal(fh_token_logged_in(a), CKU_USER);
    assert_int_equal(fh_token_logged_in(b), (CK_USER_TYPE)-1);
    assert_int_equal(th_login(b, CKU_SO, TH_SO_PIN), FH_OK);
    fh_token_close(a);
    fh_token_close(b);
}

/* A locked SO PIN cannot be recovered: no SO login, no delete, no init_pin. */
static void
so_lockout(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    struct fh_token_info info;
    fh_secret *pin;

    th_open(e->ctx, TH_LABEL, false, false, &tok, NULL);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(th_login(tok, CKU_SO, "bad-so-pin"), FH_E_PIN_INCORRECT);
    }
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_E_PIN_LOCKED);
    get_info(tok, &info);
    assert_true(info.so_pin_locked);
    assert_false(info.user_pin_locked);
    /* the user is unaffected */
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_OK);
    fh_token_close(tok);
    pin = th_pin(TH_SO_PIN);
    assert_int_equal(fh_token_delete(e->ctx, TH_LABEL, pin), FH_E_PIN_LOCKED);
    fh_secret_free(pin);
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK);
    fh_token_close(tok);
}

/* C_InitToken on an initialised token: same id, objects gone, user PIN unset;
 * a wrong SO PIN or a taken label changes nothing. */
static void
reinit_token(void **state)
{
    struct th_env *e = *state;
    struct fh_token_info before, after;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    fh_secret *so = th_pin(TH_SO_PIN), *bad = th_pin("wrong-so-pin");
    CK_OBJECT_HANDLE pub, priv;

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    th_ec_pair(s, true, "doomed", &pub, &priv);
    assert_int_equal(fh_token_get_info(tok, &before), FH_OK);
    assert_int_equal(before.object_count, 2);
    fh_session_close(s);
    fh_token_close(tok);
    assert_int_equal(th_token_create(e->ctx, "other", TH_SO_PIN, TH_USER_PIN), FH_OK);

    assert_int_equal(fh_token_reinit(e->ctx, before.id, "fresh", bad), FH_E_PIN_INCORRECT);
    assert_int_equal(fh_token_reinit(e->ctx, before.id, "other", so), FH_E_EXISTS);
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK); /* unchanged */
    assert_int_equal(fh_token_get_info(tok, &after), FH_OK);
    assert_int_equal(after.object_count, 2);
    assert_true(after.user_pin_initialized);
    fh_token_close(tok);

    assert_int_equal(fh_token_reinit(e->ctx, before.id, "fresh", so), FH_OK);
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_E_NOT_FOUND);
    assert_int_equal(fh_token_open(e->ctx, "fresh", &tok), FH_OK);
    assert_int_equal(fh_token_get_info(tok, &after), FH_OK);
    assert_int_equal(after.id, before.id);
    assert_string_equal(after.serial, before.serial);
    assert_int_equal(after.object_count, 0);
    assert_false(after.user_pin_initialized);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_E_USER_PIN_NOT_INITIALIZED);
    assert_int_equal(th_login(tok, CKU_SO, TH_SO_PIN), FH_OK);
    fh_token_close(tok);
    fh_secret_free(so);
    fh_secret_free(bad);
}

/* fh_token_stamp: the same while nothing changes; different after every
 * change of the token's objects or their visibility, by this context or by
 * another connection; never shared by two opened tokens. */
static void
assert_stamp_moved(fh_token *tok, struct fh_token_stamp *last)
{
    struct fh_token_stamp now, again;

    assert_int_equal(fh_token_stamp(tok, &now), FH_OK);
    assert_false(fh_token_stamp_equal(&now, last));
    assert_int_equal(fh_token_stamp(tok, &again), FH_OK);
    assert_true(fh_token_stamp_equal(&now, &again));
    *last = now;
}

static void
stamp_follows_changes(void **state)
{
    struct th_env *e = *state;
    struct fh_ctx_options opt = {NULL, "unit-other", false};
    fh_ctx *other = NULL;
    fh_token *tok = NULL, *tok2 = NULL, *otok = NULL;
    fh_session *s = NULL, *os = NULL;
    struct fh_token_stamp st, st2;
    CK_OBJECT_HANDLE k, sk;
    char label[] = "renamed";
    CK_ATTRIBUTE set = {CKA_LABEL, label, sizeof(label) - 1};

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    assert_int_equal(fh_token_stamp(tok, &st), FH_OK);
    assert_int_equal(fh_token_stamp(tok, &st2), FH_OK);
    assert_true(fh_token_stamp_equal(&st, &st2));
    assert_int_equal(fh_token_stamp(NULL, &st2), FH_E_ARGS);
    assert_int_equal(fh_token_stamp(tok, NULL), FH_E_ARGS);
    assert_false(fh_token_stamp_equal(&st, NULL));
    assert_false(fh_token_stamp_equal(NULL, &st));
    assert_null(fh_session_token(NULL));
    assert_ptr_equal(fh_session_token(s), tok);

    k = th_aes_key(s, true, false, "stamped"); /* a token object */
    assert_stamp_moved(tok, &st);
    assert_int_equal(fh_object_set_attributes(s, k, &set, 1), FH_OK);
    assert_stamp_moved(tok, &st);
    sk = th_aes_key(s, false, false, "session"); /* a session object */
    assert_stamp_moved(tok, &st);
    assert_int_equal(fh_object_destroy(s, sk), FH_OK);
    assert_stamp_moved(tok, &st);
    assert_int_equal(fh_object_destroy(s, k), FH_OK);
    assert_stamp_moved(tok, &st);
    assert_int_equal(fh_token_logout(tok), FH_OK);
    assert_stamp_moved(tok, &st);
    assert_int_equal(th_login(tok, CKU_USER, TH_USER_PIN), FH_OK);
    assert_stamp_moved(tok, &st);

    /* another connection to the store creates a key */
    assert_int_equal(fh_ctx_new(&opt, &other), FH_OK);
    th_open(other, TH_LABEL, true, true, &otok, &os);
    (void)th_aes_key(os, true, false, "elsewhere");
    assert_stamp_moved(tok, &st);

    /* a token created in this context */
    assert_int_equal(th_token_create(e->ctx, "third", TH_SO_PIN, NULL), FH_OK);
    assert_stamp_moved(tok, &st);

    /* a second opening of the same token has a stamp of its own */
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok2), FH_OK);
    assert_int_equal(fh_token_stamp(tok2, &st2), FH_OK);
    assert_false(fh_token_stamp_equal(&st, &st2));

    fh_token_close(tok2);
    fh_token_close(otok);
    fh_ctx_free(other);
    fh_token_close(tok);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_list_open, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(create_rejects_bad_input, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(login_state_machine, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(wrong_pin_counts_and_success_resets, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(lockout_persists_and_so_unlocks, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(init_pin_rejects_short_pin, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(set_pin_keeps_tmk, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(user_pin_not_initialized, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(delete_token, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(login_state_is_per_handle, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(so_lockout, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(reinit_token, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(stamp_follows_changes, th_setup, th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
