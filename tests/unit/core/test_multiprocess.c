/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_multiprocess.c - two processes on one store at once: each opens its
 * own fh_ctx, logs in, generates and uses keys; afterwards every key is
 * there and the audit chain (extended by both) verifies.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 2
#define KEYS_EACH 10

/* Child body: no cmocka here, the exit code tells what failed. */
static int
child(int idx)
{
    struct fh_ctx_options opt = {NULL, "unit", false};
    static const uint8_t data[] = "signed by a child process";
    fh_ctx *ctx = NULL;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    fh_secret *pin = NULL;
    CK_BBOOL yes = CK_TRUE;
    CK_MECHANISM gm = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM sm = {CKM_ECDSA_SHA256, NULL, 0};
    int rc = 0;

    if (fh_ctx_new(&opt, &ctx) != FH_OK) {
        return 10;
    }
    if (fh_token_open(ctx, TH_LABEL, &tok) != FH_OK) {
        rc = 11;
        goto out;
    }
    if (fh_secret_from(TH_USER_PIN, strlen(TH_USER_PIN), &pin) != FH_OK ||
        fh_token_login(tok, CKU_USER, pin) != FH_OK) {
        rc = 12;
        goto out;
    }
    if (fh_session_open(tok, true, &s) != FH_OK) {
        rc = 13;
        goto out;
    }
    for (int k = 0; k < KEYS_EACH; k++) {
        char label[32];
        CK_ATTRIBUTE pt[] = {
            {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)},
            {CKA_TOKEN, &yes, 1},
            {CKA_LABEL, label, 0},
        };
        CK_ATTRIBUTE st[] = {
            {CKA_TOKEN, &yes, 1},
            {CKA_SIGN, &yes, 1},
            {CKA_LABEL, label, 0},
        };
        CK_OBJECT_HANDLE pub, priv;
        uint8_t sig[128];
        size_t len = sizeof(sig);

        pt[2].ulValueLen = st[2].ulValueLen =
            (CK_ULONG)snprintf(label, sizeof(label), "child%d-key%d", idx, k);
        if (fh_key_generate_pair(s, &gm, pt, 3, st, 3, &pub, &priv) != FH_OK) {
            rc = 20;
            goto out;
        }
        if (fh_op_init(s, FH_OP_SIGN, &sm, priv) != FH_OK ||
            fh_op_oneshot(s, FH_OP_SIGN, data, sizeof(data), sig, &len) != FH_OK) {
            rc = 21;
            goto out;
        }
        if (fh_op_init(s, FH_OP_VERIFY, &sm, pub) != FH_OK ||
            fh_op_oneshot(s, FH_OP_VERIFY, data, sizeof(data), sig, &len) != FH_OK) {
            rc = 22;
            goto out;
        }
    }
out:
    fh_secret_free(pin);
    fh_token_close(tok);
    fh_ctx_free(ctx);
    return rc;
}

static void
two_processes_one_store(void **state)
{
    struct th_env *e = *state;
    pid_t pids[CHILDREN];
    fh_token *tok = NULL;
    fh_session *s = NULL;
    struct fh_audit_verify_result vr;
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE q[] = {{CKA_CLASS, &cls, sizeof(cls)}};
    CK_OBJECT_HANDLE *v = NULL;
    size_t n;

    /* a SQLite connection must not cross fork(): close ours first */
    th_close_ctx(e);
    fflush(NULL);
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            alarm(100);
            _exit(child(i));
        }
    }
    for (int i = 0; i < CHILDREN; i++) {
        int status = 0;

        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fail_msg("child %d: %s %d", i, WIFEXITED(status) ? "exit" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
    }

    assert_int_equal(th_open_ctx(e, false), FH_OK);
    th_open(e->ctx, TH_LABEL, true, false, &tok, &s);
    n = th_find(s, q, 1, &v);
    assert_int_equal(n, CHILDREN * KEYS_EACH);
    free(v);
    for (int i = 0; i < CHILDREN; i++) {
        for (int k = 0; k < KEYS_EACH; k++) {
            char label[32];

            snprintf(label, sizeof(label), "child%d-key%d", i, k);
            (void)th_find_one_label(s, CKO_PUBLIC_KEY, label);
        }
    }
    {
        struct fh_token_info info;

        assert_int_equal(fh_token_get_info(tok, &info), FH_OK);
        assert_int_equal(info.object_count, 2 * CHILDREN * KEYS_EACH);
        assert_int_equal(info.user_failures, 0);
    }
    fh_token_close(tok);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    /* token.create + per child: login, 10 x (key.generate, sign), logout-free close */
    assert_true(vr.records >= 1 + CHILDREN * (1 + 2 * KEYS_EACH));
}

/*
 * Correct PINs presented at the same moment by several processes (a service
 * starting its workers) must all log in: no wrong PIN was ever given. The
 * token gets a slow Argon2 (64 MiB) so the logins overlap for certain.
 */
#define LOGINS 4

static void
concurrent_correct_logins(void **state)
{
    struct th_env *e = *state;
    char conf[600];
    FILE *fp;
    int barrier[2];
    pid_t pids[LOGINS];
    int results[LOGINS];
    fh_token *tok = NULL;
    struct fh_token_info info;
    bool all_ok = true;

    snprintf(conf, sizeof(conf), "%s/ferrohsm.conf", e->home);
    fp = fopen(conf, "w");
    assert_non_null(fp);
    fputs("[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 65536\nmax_pin_failures = 3\n", fp);
    assert_int_equal(fclose(fp), 0);
    th_reopen(e);
    assert_int_equal(th_token_create(e->ctx, "slow", TH_SO_PIN, TH_USER_PIN), FH_OK);
    th_close_ctx(e);
    assert_int_equal(pipe(barrier), 0);
    fflush(NULL);
    for (int i = 0; i < LOGINS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct fh_ctx_options opt = {NULL, "unit", false};
            fh_ctx *ctx = NULL;
            fh_token *t = NULL;
            fh_secret *pin = NULL;
            char c;
            fh_rv rv;

            alarm(100);
            close(barrier[1]);
            if (fh_ctx_new(&opt, &ctx) != FH_OK || fh_token_open(ctx, "slow", &t) != FH_OK ||
                fh_secret_from(TH_USER_PIN, strlen(TH_USER_PIN), &pin) != FH_OK) {
                _exit(100);
            }
            if (read(barrier[0], &c, 1) < 0) { /* returns 0 when the parent closes */
                _exit(101);
            }
            rv = fh_token_login(t, CKU_USER, pin);
            fh_secret_free(pin);
            fh_token_close(t);
            fh_ctx_free(ctx);
            _exit((int)rv);
        }
    }
    close(barrier[0]);
    usleep(500000);
    close(barrier[1]);
    for (int i = 0; i < LOGINS; i++) {
        int status = 0;

        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        results[i] = WEXITSTATUS(status);
        all_ok = all_ok && results[i] == FH_OK;
    }
    if (!all_ok) {
        char line[256];
        size_t off = 0;

        for (int i = 0; i < LOGINS; i++) {
            off +=
                (size_t)snprintf(line + off, sizeof(line) - off, " %s",
                                 results[i] == 100 ? "setup-failed" : fh_rv_str((fh_rv)results[i]));
        }
        fail_msg("%d concurrent logins with the correct PIN gave:%s", LOGINS, line);
    }
    assert_int_equal(th_open_ctx(e, false), FH_OK);
    assert_int_equal(fh_token_open(e->ctx, "slow", &tok), FH_OK);
    assert_int_equal(fh_token_get_info(tok, &info), FH_OK);
    assert_int_equal(info.user_failures, 0);
    assert_false(info.user_pin_locked);
    fh_token_close(tok);
}

/*
 * The key cache must never outlive the key: connection A signs (and so caches
 * the key), connection B (another fh_ctx: another SQLite connection, as
 * another process would be) restricts and then destroys it; A sees each
 * change on its very next use.
 */
static void
key_cache_follows_other_connection(void **state)
{
    struct th_env *e = *state;
    fh_ctx *ctx_b = NULL;
    fh_token *ta = NULL, *tb = NULL;
    fh_session *sa = NULL, *sb = NULL;
    CK_OBJECT_HANDLE pub, priv, hb;
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE restrict_sign[] = {{CKA_SIGN, &no, sizeof(no)}};
    const uint8_t msg[] = "cached";
    uint8_t sig[160];
    size_t sig_len = sizeof(sig);

    th_open(e->ctx, TH_LABEL, true, true, &ta, &sa);
    th_ec_pair(sa, true, "cached-key", &pub, &priv);
    for (int i = 0; i < 3; i++) {
        sig_len = sizeof(sig);
        assert_int_equal(th_sign(sa, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    }

    assert_int_equal(fh_ctx_new(&(struct fh_ctx_options){.front = "test"}, &ctx_b), FH_OK);
    th_open(ctx_b, TH_LABEL, true, true, &tb, &sb);
    hb = th_find_one_label(sb, CKO_PRIVATE_KEY, "cached-key");
    assert_int_equal(fh_object_set_attributes(sb, hb, restrict_sign, 1), FH_OK);
    sig_len = sizeof(sig);
    assert_int_equal(th_sign(sa, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &sig_len),
                     FH_E_KEY_FUNCTION_NOT_PERMITTED);

    assert_int_equal(fh_object_destroy(sb, hb), FH_OK);
    sig_len = sizeof(sig);
    assert_int_equal(th_sign(sa, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &sig_len),
                     FH_E_KEY_HANDLE_INVALID);

    fh_session_close(sb);
    fh_token_close(tb);
    fh_ctx_free(ctx_b);
    fh_session_close(sa);
    fh_token_close(ta);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_processes_one_store, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(concurrent_correct_logins, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(key_cache_follows_other_connection, th_setup, th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
