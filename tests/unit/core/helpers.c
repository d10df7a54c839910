/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helpers.c - fixtures of the core unit tests (helpers.h).
 */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const uint8_t th_p256_params[10] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const uint8_t th_ed25519_params[5] = {0x06, 0x03, 0x2b, 0x65, 0x70};

static const char test_conf[] = "[token]\n"
                                "argon2_t_cost = 1\n"
                                "argon2_m_cost_kib = 64\n"
                                "max_pin_failures = 3\n";

static void
rm_rf(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *de;
    char child[1024];

    if (lstat(path, &sb) != 0) {
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        (void)unlink(path);
        return;
    }
    d = opendir(path);
    if (d != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
                continue;
            }
            if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) < (int)sizeof(child)) {
                rm_rf(child);
            }
        }
        closedir(d);
    }
    (void)rmdir(path);
}

fh_rv
th_open_ctx(struct th_env *e, bool create)
{
    struct fh_ctx_options opt = {NULL, "unit", create};

    assert_null(e->ctx);
    return fh_ctx_new(&opt, &e->ctx);
}

void
th_close_ctx(struct th_env *e)
{
    fh_ctx_free(e->ctx);
    e->ctx = NULL;
}

void
th_env_init(struct th_env *e)
{
    const char *tmp = getenv("TMPDIR");
    char conf[600];
    FILE *f;

    memset(e, 0, sizeof(*e));
    if (tmp == NULL || tmp[0] == '\0') {
        tmp = "/tmp";
    }
    assert_true(snprintf(e->home, sizeof(e->home), "%s/fh-core-XXXXXX", tmp) <
                (int)sizeof(e->home));
    assert_non_null(mkdtemp(e->home));
    assert_true(snprintf(conf, sizeof(conf), "%s/ferrohsm.conf", e->home) < (int)sizeof(conf));
    assert_true(snprintf(e->db, sizeof(e->db), "%s/ferrohsm.db", e->home) < (int)sizeof(e->db));
    f = fopen(conf, "w");
    assert_non_null(f);
    assert_int_equal(fputs(test_conf, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(setenv("FERROHSM_HOME", e->home, 1), 0);
    assert_int_equal(unsetenv("FERROHSM_CONF"), 0);
    assert_int_equal(th_open_ctx(e, true), FH_OK);
}

void
th_env_fini(struct th_env *e)
{
    th_close_ctx(e);
    if (e->home[0] != '\0') {
        rm_rf(e->home);
    }
    e->home[0] = '\0';
}

void
th_reopen(struct th_env *e)
{
    th_close_ctx(e);
    assert_int_equal(th_open_ctx(e, true), FH_OK);
}

fh_secret *
th_pin(const char *str)
{
    fh_secret *s = NULL;

    assert_int_equal(fh_secret_from(str, strlen(str), &s), FH_OK);
    return s;
}

fh_rv
th_token_create(fh_ctx *ctx, const char *label, const char *so, const char *user)
{
    fh_secret *sp = th_pin(so);
    fh_secret *up = user != NULL ? th_pin(user) : NULL;
    fh_rv rv = fh_token_create(ctx, label, sp, up);

    fh_secret_free(sp);
    fh_secret_free(up);
    return rv;
}

fh_rv
th_login(fh_token *tok, CK_USER_TYPE who, const char *pin)
{
    fh_secret *p = th_pin(pin);
    fh_rv rv = fh_token_login(tok, who, p);

    fh_secret_free(p);
    return rv;
}

static int
setup_common(void **state, bool with_token)
{
    struct th_env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    th_env_init(e);
    if (with_token) {
        assert_int_equal(th_token_create(e->ctx, TH_LABEL, TH_SO_PIN, TH_USER_PIN), FH_OK);
    }
    *state = e;
    return 0;
}

int
th_setup(void **state)
{
    return setup_common(state, true);
}

int
th_setup_no_token(void **state)
{
    return setup_common(state, false);
}

int
th_teardown(void **state)
{
    struct th_env *e = *state;

    if (e != NULL) {
        th_env_fini(e);
        free(e);
    }
    *state = NULL;
    return 0;
}

void
th_open(fh_ctx *ctx, const char *label, bool login_user, bool rw, fh_token **tok, fh_session **s)
{
    assert_int_equal(fh_token_open(ctx, label, tok), FH_OK);
    if (login_user) {
        assert_int_equal(th_login(*tok, CKU_USER, TH_USER_PIN), FH_OK);
    }
    if (s != NULL) {
        assert_int_equal(fh_session_open(*tok, rw, s), FH_OK);
    }
}

CK_OBJECT_HANDLE
th_aes_key(fh_session *s, bool on_token, bool extractable, const char *label)
{
    CK_MECHANISM mech = {CKM_AES_KEY_GEN, NULL, 0};
    CK_ULONG len = 32;
    CK_BBOOL tok = on_token ? CK_TRUE : CK_FALSE;
    CK_BBOOL ext = extractable ? CK_TRUE : CK_FALSE;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE tmpl[] = {
        {CKA_VALUE_LEN, &len, sizeof(len)},
        {CKA_TOKEN, &tok, sizeof(tok)},
        {CKA_EXTRACTABLE, &ext, sizeof(ext)},
        {CKA_ENCRYPT, &yes, sizeof(yes)},
        {CKA_DECRYPT, &yes, sizeof(yes)},
        {CKA_WRAP, &yes, sizeof(yes)},
        {CKA_UNWRAP, &yes, sizeof(yes)},
        {CKA_LABEL, (CK_VOID_PTR)(uintptr_t)label, strlen(label)},
    };
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

    assert_int_equal(fh_key_generate(s, &mech, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), &h), FH_OK);
    assert_int_not_equal(h, CK_INVALID_HANDLE);
    return h;
}

void
th_ec_pair(fh_session *s, bool on_token, const char *label, CK_OBJECT_HANDLE *pub,
           CK_OBJECT_HANDLE *priv)
{
    CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_BBOOL tok = on_token ? CK_TRUE : CK_FALSE;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE pt[] = {
        {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)},
        {CKA_TOKEN, &tok, sizeof(tok)},
        {CKA_VERIFY, &yes, sizeof(yes)},
        {CKA_LABEL, (CK_VOID_PTR)(uintptr_t)label, strlen(label)},
    };
    CK_ATTRIBUTE st[] = {
        {CKA_TOKEN, &tok, sizeof(tok)},
        {CKA_SIGN, &yes, sizeof(yes)},
        {CKA_DERIVE, &yes, sizeof(yes)},
        {CKA_LABEL, (CK_VOID_PTR)(uintptr_t)label, strlen(label)},
    };

    assert_int_equal(fh_key_generate_pair(s, &mech, pt, 4, st, 4, pub, priv), FH_OK);
    assert_int_not_equal(*pub, CK_INVALID_HANDLE);
    assert_int_not_equal(*priv, CK_INVALID_HANDLE);
    assert_int_not_equal(*pub, *priv);
}

fh_rv
th_sign(fh_session *s, CK_MECHANISM_TYPE mt, CK_OBJECT_HANDLE key, const uint8_t *msg,
        size_t msg_len, uint8_t *sig, size_t *sig_len)
{
    CK_MECHANISM mech = {mt, NULL, 0};
    fh_rv rv = fh_op_init(s, FH_OP_SIGN, &mech, key);

    if (rv != FH_OK) {
        return rv;
    }
    return fh_op_oneshot(s, FH_OP_SIGN, msg, msg_len, sig, sig_len);
}

fh_rv
th_verify(fh_session *s, CK_MECHANISM_TYPE mt, CK_OBJECT_HANDLE key, const uint8_t *msg,
          size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    CK_MECHANISM mech = {mt, NULL, 0};
    uint8_t buf[1024];
    size_t len = sig_len;
    fh_rv rv;

    assert_true(sig_len <= sizeof(buf));
    memcpy(buf, sig, sig_len);
    rv = fh_op_init(s, FH_OP_VERIFY, &mech, key);
    if (rv != FH_OK) {
        return rv;
    }
    return fh_op_oneshot(s, FH_OP_VERIFY, msg, msg_len, buf, &len);
}

size_t
th_find(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE **out)
{
    CK_OBJECT_HANDLE *v = NULL;
    size_t count = 0;

    assert_int_equal(fh_object_find(s, tmpl, n, &v, &count), FH_OK);
    if (out != NULL) {
        *out = v;
    } else {
        free(v);
    }
    return count;
}

CK_OBJECT_HANDLE
th_find_one_label(fh_session *s, CK_OBJECT_CLASS cls, const char *label)
{
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {CKA_LABEL, (CK_VOID_PTR)(uintptr_t)label, strlen(label)},
    };
    CK_OBJECT_HANDLE *v = NULL, h;

    assert_int_equal(th_find(s, t, 2, &v), 1);
    h = v[0];
    free(v);
    return h;
}

sqlite3 *
th_db_open(const struct th_env *e)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

void
th_db_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

    if (rc != SQLITE_OK) {
        print_error("sqlite3_exec(%s): %s\n", sql, err != NULL ? err : "?");
    }
    sqlite3_free(err);
    assert_int_equal(rc, SQLITE_OK);
}

int64_t
th_db_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v;

    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

uint8_t *
th_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got;

    *len = 0;
    if (f == NULL) {
        assert_int_equal(errno, ENOENT);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    *len = n;
    return buf;
}

bool
th_contains(const uint8_t *hay, size_t hay_len, const void *needle, size_t needle_len)
{
    return hay != NULL && needle_len > 0 && memmem(hay, hay_len, needle, needle_len) != NULL;
}
