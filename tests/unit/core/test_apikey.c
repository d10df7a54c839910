/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_apikey.c - API keys (src/core/apikey.c) and the audit thread context
 * (src/core/audit.c): create/list/get/revoke, strict verification, a revoke
 * through a second context, what the store file holds, the audit records,
 * a store of the schema before API keys gaining the table, scopes bound to
 * token serials (a deleted and re-created label is another token), and a
 * store of the previous schema (scopes by label) migrated to serials.
 */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define KLEN (FH_APIKEY_STRING_LEN - 1)

struct rec {
    char actor[160], operation[32], object[64], result[48], corr_id[64];
};

struct recs {
    struct rec v[128];
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
    snprintf(d->actor, sizeof(d->actor), "%s", r->actor);
    snprintf(d->operation, sizeof(d->operation), "%s", r->operation);
    snprintf(d->object, sizeof(d->object), "%s", r->object);
    snprintf(d->result, sizeof(d->result), "%s", r->result);
    snprintf(d->corr_id, sizeof(d->corr_id), "%s", r->corr_id);
    return FH_OK;
}

static struct recs *
all_records(fh_ctx *ctx)
{
    struct recs *rs = calloc(1, sizeof(*rs));

    assert_non_null(rs);
    assert_int_equal(fh_audit_list(ctx, 1, 0, collect, rs), FH_OK);
    return rs;
}

static void
create_key(fh_ctx *ctx, const char *name, enum fh_role role, const char *token, char *key,
           struct fh_apikey_info *info)
{
    const char *toks[1] = {token};

    assert_int_equal(fh_apikey_create(ctx, name, role, token == NULL, token ? toks : NULL,
                                      token ? 1 : 0, key, info),
                     FH_OK);
    assert_int_equal(strlen(key), KLEN);
}

static fh_rv
verify(fh_ctx *ctx, const char *key, size_t len, struct fh_apikey_info *out)
{
    return fh_apikey_verify(ctx, key, len, out);
}

/* The serial of the token labelled label. */
static void
token_serial(fh_ctx *ctx, const char *label, char out[17])
{
    struct fh_token_info *list = NULL;
    size_t n = 0;
    bool found = false;

    assert_int_equal(fh_token_list(ctx, &list, &n), FH_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].label, label) == 0) {
            snprintf(out, 17, "%s", list[i].serial);
            found = true;
        }
    }
    free(list);
    assert_true(found);
}

static void
token_delete(fh_ctx *ctx, const char *label)
{
    fh_secret *so = th_pin(TH_SO_PIN);

    assert_int_equal(fh_token_delete(ctx, label, so), FH_OK);
    fh_secret_free(so);
}

static void
roles_and_names(void **state)
{
    enum fh_role r = FH_ROLE_APP;

    (void)state;
    assert_string_equal(fh_role_name(FH_ROLE_ADMIN), "admin");
    assert_string_equal(fh_role_name(FH_ROLE_OPERATOR), "operator");
    assert_string_equal(fh_role_name(FH_ROLE_APP), "app");
    assert_string_equal(fh_role_name(FH_ROLE_AUDITOR), "auditor");
    assert_null(fh_role_name((enum fh_role)0));
    assert_null(fh_role_name((enum fh_role)5));
    assert_int_equal(fh_role_from_name("auditor", &r), FH_OK);
    assert_int_equal(r, FH_ROLE_AUDITOR);
    assert_int_equal(fh_role_from_name("Admin", &r), FH_E_ARGS);
    assert_int_equal(fh_role_from_name("", &r), FH_E_ARGS);
    assert_int_equal(fh_role_from_name(NULL, &r), FH_E_ARGS);
}

static void
create_list_get_revoke(void **state)
{
    struct th_env *e = *state;
    char k1[FH_APIKEY_STRING_LEN], k2[FH_APIKEY_STRING_LEN];
    struct fh_apikey_info i1, i2, got;
    struct fh_apikey_info *v = NULL;
    size_t n = 0;

    assert_int_equal(th_token_create(e->ctx, "second", TH_SO_PIN, TH_USER_PIN), FH_OK);
    create_key(e->ctx, "ops", FH_ROLE_ADMIN, NULL, k1, &i1);
    {
        const char *toks[] = {TH_LABEL, "second"};

        assert_int_equal(
            fh_apikey_create(e->ctx, "tenant", FH_ROLE_APP, false, toks, 2, k2, &i2), FH_OK);
    }
    assert_memory_equal(k1, "fhk_", 4);
    assert_memory_equal(k1 + 4, i1.id, FH_APIKEY_ID_HEX);
    assert_int_equal(k1[4 + FH_APIKEY_ID_HEX], '_');
    assert_string_not_equal(i1.id, i2.id);
    assert_true(i1.all_tokens);
    assert_int_equal(i1.n_tokens, 0);
    assert_false(i2.all_tokens);
    assert_int_equal(i2.n_tokens, 2);
    assert_string_equal(i2.tokens[1], "second");
    assert_true(i1.created_ms > 0);
    assert_false(i1.revoked);

    assert_int_equal(fh_apikey_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "ops");
    assert_string_equal(v[1].name, "tenant");
    assert_int_equal(v[1].role, FH_ROLE_APP);
    free(v);

    assert_int_equal(fh_apikey_get(e->ctx, "tenant", &got), FH_OK);
    assert_string_equal(got.id, i2.id);
    assert_int_equal(fh_apikey_get(e->ctx, i1.id, &got), FH_OK);
    assert_string_equal(got.name, "ops");
    assert_int_equal(fh_apikey_get(e->ctx, "nobody", &got), FH_E_NOT_FOUND);
    assert_int_equal(fh_apikey_get(e->ctx, "0123456789abcdef", &got), FH_E_NOT_FOUND);

    {
        char s_unit[17], s_second[17], name[FH_TOKEN_LABEL_MAX + 1];

        token_serial(e->ctx, TH_LABEL, s_unit);
        token_serial(e->ctx, "second", s_second);
        assert_string_equal(i2.serials[0], s_unit);
        assert_string_equal(i2.serials[1], s_second);
        assert_true(fh_apikey_in_scope_serial(&i1, "0123456789ABCDEF"));
        assert_true(fh_apikey_in_scope_serial(&i2, s_unit));
        assert_true(fh_apikey_in_scope_serial(&i2, s_second));
        assert_false(fh_apikey_in_scope_serial(&i2, "0123456789ABCDEF"));
        /* labels are not serials: a label never matches */
        assert_false(fh_apikey_in_scope_serial(&i2, TH_LABEL));
        assert_false(fh_apikey_in_scope_serial(&i2, ""));
        assert_false(fh_apikey_in_scope_serial(&i2, NULL));
        assert_false(fh_apikey_in_scope_serial(NULL, s_unit));
        assert_string_equal(fh_apikey_token_name(&i2, 1, name, sizeof(name)), "second");
        assert_string_equal(fh_apikey_token_name(&i2, 2, name, sizeof(name)), "");
    }

    assert_int_equal(verify(e->ctx, k2, KLEN, &got), FH_OK);
    assert_int_equal(fh_apikey_revoke(e->ctx, "tenant"), FH_OK);
    assert_int_equal(verify(e->ctx, k2, KLEN, &got), FH_E_AUTH_FAILED);
    assert_int_equal(fh_apikey_get(e->ctx, i2.id, &got), FH_OK);
    assert_true(got.revoked);
    assert_true(got.revoked_ms >= got.created_ms);
    {
        int64_t first = got.revoked_ms;

        assert_int_equal(fh_apikey_revoke(e->ctx, i2.id), FH_OK); /* again: no change */
        assert_int_equal(fh_apikey_get(e->ctx, "tenant", &got), FH_OK);
        assert_int_equal(got.revoked_ms, first);
    }
    assert_int_equal(fh_apikey_revoke(e->ctx, "nobody"), FH_E_NOT_FOUND);
    assert_int_equal(verify(e->ctx, k1, KLEN, &got), FH_OK);
    /* a revoked key keeps its name */
    assert_int_equal(fh_apikey_create(e->ctx, "tenant", FH_ROLE_APP, true, NULL, 0, k2, NULL),
                     FH_E_EXISTS);
    /* the list is a snapshot by creation, revoked keys included */
    assert_int_equal(fh_apikey_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 2);
    assert_true(v[1].revoked);
    assert_false(v[0].revoked);
    free(v);
}

static void
create_rejects(void **state)
{
    struct th_env *e = *state;
    char key[FH_APIKEY_STRING_LEN];
    char longname[FH_APIKEY_NAME_MAX + 2];
    const char *one[] = {TH_LABEL};
    const char *dup[] = {TH_LABEL, TH_LABEL};
    const char *missing[] = {TH_LABEL, "nope"};
    const char *many[FH_APIKEY_MAX_TOKENS + 1];
    struct fh_apikey_info *v = NULL;
    size_t n = 9;

    memset(longname, 'n', sizeof(longname));
    longname[FH_APIKEY_NAME_MAX + 1] = '\0';
    for (size_t i = 0; i < FH_APIKEY_MAX_TOKENS + 1; i++) {
        many[i] = TH_LABEL;
    }
    assert_int_equal(fh_apikey_create(NULL, "a", FH_ROLE_APP, true, NULL, 0, key, NULL), FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, NULL, FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "", FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, longname, FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    longname[FH_APIKEY_NAME_MAX] = '\0'; /* exactly the maximum is fine */
    assert_int_equal(fh_apikey_create(e->ctx, longname, FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_OK);
    assert_int_equal(fh_apikey_create(e->ctx, "tab\tname", FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "bad\xff", FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "caf\xc3\xa9", FH_ROLE_APP, true, NULL, 0, key, NULL),
                     FH_OK);
    /* a name shaped like an id would make "id or name" ambiguous */
    assert_int_equal(
        fh_apikey_create(e->ctx, "0123456789abcdef", FH_ROLE_APP, true, NULL, 0, key, NULL),
        FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "r", (enum fh_role)0, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "r", (enum fh_role)9, true, NULL, 0, key, NULL),
                     FH_E_ARGS);
    /* scope */
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_APP, false, NULL, 0, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_APP, true, one, 1, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_APP, false, dup, 2, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_APP, false, many,
                                      FH_APIKEY_MAX_TOKENS + 1, key, NULL),
                     FH_E_ARGS);
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_APP, false, missing, 2, key, NULL),
                     FH_E_NOT_FOUND);
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_APP, false, one, 1, key, NULL), FH_OK);
    assert_int_equal(fh_apikey_create(e->ctx, "s", FH_ROLE_OPERATOR, true, NULL, 0, key, NULL),
                     FH_E_EXISTS);
    /* nothing of the refused attempts was stored */
    assert_int_equal(fh_apikey_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 3);
    free(v);
    assert_int_equal(fh_apikey_list(e->ctx, NULL, &n), FH_E_ARGS);
    assert_int_equal(fh_apikey_revoke(e->ctx, ""), FH_E_ARGS);
    assert_int_equal(fh_apikey_get(e->ctx, NULL, NULL), FH_E_ARGS);
}

static void
verify_is_strict(void **state)
{
    struct th_env *e = *state;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char key[FH_APIKEY_STRING_LEN], bad[FH_APIKEY_STRING_LEN + 8];
    struct fh_apikey_info i1, got;

    create_key(e->ctx, "strict", FH_ROLE_OPERATOR, TH_LABEL, key, &i1);
    memset(&got, 0, sizeof(got));
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK);
    assert_string_equal(got.id, i1.id);
    assert_string_equal(got.name, "strict");
    assert_int_equal(got.role, FH_ROLE_OPERATOR);
    assert_int_equal(got.n_tokens, 1);
    assert_string_equal(got.tokens[0], TH_LABEL);

    /* any character changed anywhere: one answer */
    for (size_t i = 0; i < KLEN; i++) {
        memcpy(bad, key, sizeof(key));
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
        /* a swap to another character of the alphabet as well */
        bad[i] = alphabet[(strchr(alphabet, key[i]) != NULL
                               ? (size_t)(strchr(alphabet, key[i]) - alphabet) + 1
                               : 0) %
                          64];
        if (bad[i] != key[i]) {
            assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
        }
    }
    /* truncated, too long, empty, NULL */
    for (size_t len = 0; len < KLEN; len++) {
        assert_int_equal(verify(e->ctx, key, len, &got), FH_E_AUTH_FAILED);
    }
    memcpy(bad, key, KLEN);
    bad[KLEN] = 'A';
    assert_int_equal(verify(e->ctx, bad, KLEN + 1, &got), FH_E_AUTH_FAILED);
    assert_int_equal(verify(e->ctx, NULL, 0, &got), FH_E_AUTH_FAILED);
    assert_int_equal(verify(e->ctx, NULL, KLEN, &got), FH_E_AUTH_FAILED);
    /* wrong prefix; uppercase id; padding; non-canonical last character */
    memcpy(bad, key, sizeof(key));
    memcpy(bad, "fhx_", 4);
    assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
    memcpy(bad, key, sizeof(key));
    memcpy(bad, "FHK_", 4);
    assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
    memcpy(bad, key, sizeof(key));
    for (size_t i = 4; i < 20; i++) {
        if (bad[i] >= 'a' && bad[i] <= 'f') {
            bad[i] = (char)(bad[i] - 'a' + 'A');
            break;
        }
    }
    if (memcmp(bad, key, KLEN) != 0) {
        assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
    }
    memcpy(bad, key, sizeof(key));
    bad[KLEN - 1] = '=';
    assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
    {
        /* the last character carries 2 data bits + 4 zero bits: set a zero bit */
        const char *pos = strchr(alphabet, key[KLEN - 1]);
        size_t v;

        assert_non_null(pos);
        v = (size_t)(pos - alphabet);
        memcpy(bad, key, sizeof(key));
        bad[KLEN - 1] = alphabet[v | 1];
        if (bad[KLEN - 1] != key[KLEN - 1]) {
            assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
        }
    }
    /* a well-formed key with an unknown id */
    memcpy(bad, key, sizeof(key));
    memcpy(bad + 4, "0000000000000000", 16);
    assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
    /* the secret of one key with the id of another */
    {
        char other[FH_APIKEY_STRING_LEN];
        struct fh_apikey_info i2;

        create_key(e->ctx, "other", FH_ROLE_APP, NULL, other, &i2);
        memcpy(bad, key, sizeof(key));
        memcpy(bad + 4, i2.id, 16);
        assert_int_equal(verify(e->ctx, bad, KLEN, &got), FH_E_AUTH_FAILED);
        assert_int_equal(verify(e->ctx, other, KLEN, &got), FH_OK);
        assert_string_equal(got.id, i2.id);
        assert_true(got.all_tokens);
    }
    /* the right key still works; NUL inside a too-long buffer does not matter */
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK);
    assert_int_equal(fh_apikey_verify(NULL, key, KLEN, &got), FH_E_ARGS);
    assert_int_equal(fh_apikey_verify(e->ctx, key, KLEN, NULL), FH_E_ARGS);
}

/* A revoke through another connection (as another process would) is seen at once. */
static void
revoke_from_other_ctx(void **state)
{
    struct th_env *e = *state;
    struct th_env other;
    char key[FH_APIKEY_STRING_LEN], key2[FH_APIKEY_STRING_LEN];
    struct fh_apikey_info info, got;
    struct fh_ctx_options opt = {NULL, "unit", false};

    create_key(e->ctx, "shared", FH_ROLE_APP, TH_LABEL, key, &info);
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK); /* now cached */
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK);

    memset(&other, 0, sizeof(other));
    assert_int_equal(fh_ctx_new(&opt, &other.ctx), FH_OK);
    assert_int_equal(verify(other.ctx, key, KLEN, &got), FH_OK);
    /* a key created elsewhere verifies here too */
    create_key(other.ctx, "made-elsewhere", FH_ROLE_AUDITOR, NULL, key2, NULL);
    assert_int_equal(verify(e->ctx, key2, KLEN, &got), FH_OK);
    assert_int_equal(got.role, FH_ROLE_AUDITOR);

    assert_int_equal(fh_apikey_revoke(other.ctx, "shared"), FH_OK);
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_E_AUTH_FAILED);
    assert_int_equal(verify(other.ctx, key, KLEN, &got), FH_E_AUTH_FAILED);
    assert_int_equal(fh_apikey_revoke(e->ctx, "made-elsewhere"), FH_OK);
    assert_int_equal(verify(other.ctx, key2, KLEN, &got), FH_E_AUTH_FAILED);
    fh_ctx_free(other.ctx);
}

struct verifier {
    fh_ctx *ctx;
    const char *key;
    int ok;
    int rounds;
};

static void *
verify_thread(void *arg)
{
    struct verifier *v = arg;
    struct fh_apikey_info got;

    for (int i = 0; i < v->rounds; i++) {
        if (fh_apikey_verify(v->ctx, v->key, KLEN, &got) == FH_OK) {
            v->ok++;
        }
    }
    return NULL;
}

static void
verify_from_threads(void **state)
{
    struct th_env *e = *state;
    char key[FH_APIKEY_STRING_LEN];
    pthread_t th[4];
    struct verifier vs[4];

    create_key(e->ctx, "threads", FH_ROLE_APP, TH_LABEL, key, NULL);
    for (int i = 0; i < 4; i++) {
        vs[i] = (struct verifier){e->ctx, key, 0, 500};
        assert_int_equal(pthread_create(&th[i], NULL, verify_thread, &vs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(vs[i].ok, 500);
    }
}

static void
store_holds_no_key(void **state)
{
    struct th_env *e = *state;
    char keys[3][FH_APIKEY_STRING_LEN];
    uint8_t *data, *wal;
    size_t len = 0, wal_len = 0;
    char wal_path[700];

    for (int i = 0; i < 3; i++) {
        char name[16];

        snprintf(name, sizeof(name), "k%d", i);
        create_key(e->ctx, name, FH_ROLE_APP, NULL, keys[i], NULL);
    }
    th_close_ctx(e);
    data = th_read_file(e->db, &len);
    snprintf(wal_path, sizeof(wal_path), "%s-wal", e->db);
    wal = th_read_file(wal_path, &wal_len);
    assert_non_null(data);
    for (int i = 0; i < 3; i++) {
        const char *secret = keys[i] + 4 + FH_APIKEY_ID_HEX + 1;
        uint8_t raw[32];
        uint8_t hash[32];
        unsigned int hl = 0;
        int n;

        /* the base64url text of the secret, its first 20 characters, the whole key */
        assert_false(th_contains(data, len, keys[i], KLEN));
        assert_false(th_contains(data, len, secret, 20));
        assert_false(th_contains(wal, wal_len, keys[i], KLEN));
        assert_false(th_contains(wal, wal_len, secret, 20));
        /* the raw secret bytes (decoded with OpenSSL's base64 after mapping) */
        {
            char b64[48];

            memcpy(b64, secret, 43);
            for (int k = 0; k < 43; k++) {
                b64[k] = b64[k] == '-' ? '+' : b64[k] == '_' ? '/' : b64[k];
            }
            b64[43] = '=';
            b64[44] = '\0';
            {
                uint8_t out[40];

                n = EVP_DecodeBlock(out, (const unsigned char *)b64, 44);
                assert_int_equal(n, 33); /* 32 bytes + the padding byte DecodeBlock counts */
                memcpy(raw, out, 32);
            }
        }
        assert_false(th_contains(data, len, raw, 16));
        assert_false(th_contains(wal, wal_len, raw, 16));
        /* what is there is the hash */
        assert_int_equal(EVP_Digest(raw, 32, hash, &hl, EVP_sha256(), NULL), 1);
        assert_true(th_contains(data, len, hash, 32) || th_contains(wal, wal_len, hash, 32));
    }
    free(data);
    free(wal);
    assert_int_equal(th_open_ctx(e, false), FH_OK);
}

static void
audit_records_and_chain(void **state)
{
    struct th_env *e = *state;
    char key[FH_APIKEY_STRING_LEN];
    struct fh_apikey_info info;
    struct fh_audit_verify_result vr;
    struct recs *rs;
    char object[40];
    bool created = false, revoked = false;

    create_key(e->ctx, "audited", FH_ROLE_ADMIN, NULL, key, &info);
    assert_int_equal(fh_apikey_revoke(e->ctx, "audited"), FH_OK);
    rs = all_records(e->ctx);
    snprintf(object, sizeof(object), "apikey:%s", info.id);
    for (size_t i = 0; i < rs->n; i++) {
        const struct rec *r = &rs->v[i];

        assert_null(strstr(r->actor, key + 4 + FH_APIKEY_ID_HEX + 1));
        assert_null(strstr(r->object, key + 4 + FH_APIKEY_ID_HEX + 1));
        if (strcmp(r->operation, "apikey.create") == 0 && strcmp(r->object, object) == 0) {
            assert_string_equal(r->result, "ok");
            created = true;
        }
        if (strcmp(r->operation, "apikey.revoke") == 0 && strcmp(r->object, object) == 0) {
            assert_string_equal(r->result, "ok");
            revoked = true;
        }
    }
    assert_true(created);
    assert_true(revoked);
    free(rs);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);
    assert_int_equal(vr.first_bad_seq, 0);
}

struct other_thread {
    fh_ctx *ctx;
    fh_session *s;
    CK_OBJECT_HANDLE key;
    fh_rv sign_rv;
    fh_rv event_rv;
};

static void *
sign_on_other_thread(void *arg)
{
    struct other_thread *o = arg;
    uint8_t sig[128];
    size_t len = sizeof(sig);
    static const uint8_t msg[] = "other thread";

    o->sign_rv = th_sign(o->s, CKM_ECDSA_SHA256, o->key, msg, sizeof(msg), sig, &len);
    o->event_rv = fh_audit_event(o->ctx, "deny", "token:x", FH_E_PERMISSION_DENIED);
    return NULL;
}

static void
thread_context(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_OBJECT_HANDLE pub, priv;
    uint8_t sig[128];
    size_t len;
    static const uint8_t msg[] = "ctx";
    struct recs *rs;
    struct other_thread o;
    pthread_t th;
    struct fh_audit_verify_result vr;
    const char *principal = "apikey:0123456789abcdef";
    const char *tok_actor = "apikey:0123456789abcdef(token:" TH_LABEL "/user)";
    size_t n_sign_req = 0, n_sign_plain = 0, n_deny_req = 0, n_deny_plain = 0, n_auth = 0;

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    th_ec_pair(s, true, "tc", &pub, &priv);

    fh_audit_set_thread_context("req-7", principal);
    /* batched (successful sign) and immediate (event) records */
    for (int i = 0; i < 3; i++) {
        len = sizeof(sig);
        assert_int_equal(th_sign(s, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &len), FH_OK);
    }
    assert_int_equal(fh_audit_event(e->ctx, "deny", "token:other", FH_E_PERMISSION_DENIED),
                     FH_OK);
    /* another thread, while this one's context is set: not affected */
    o.ctx = e->ctx;
    o.s = s;
    o.key = priv;
    assert_int_equal(pthread_create(&th, NULL, sign_on_other_thread, &o), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(o.sign_rv, FH_OK);
    assert_int_equal(o.event_rv, FH_OK);
    fh_audit_clear_thread_context();

    /* after clear: the context's own values again */
    len = sizeof(sig);
    assert_int_equal(th_sign(s, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &len), FH_OK);
    assert_int_equal(fh_audit_event(e->ctx, "auth", "", FH_E_AUTH_FAILED), FH_OK);
    /* only a corr id: the actor stays the context's */
    fh_audit_set_thread_context("req-8", NULL);
    assert_int_equal(fh_audit_event(e->ctx, "auth", "", FH_E_AUTH_FAILED), FH_OK);
    fh_audit_clear_thread_context();

    rs = all_records(e->ctx); /* flushes the queue */
    for (size_t i = 0; i < rs->n; i++) {
        const struct rec *r = &rs->v[i];

        if (strcmp(r->operation, "sign") == 0) {
            if (strcmp(r->corr_id, "req-7") == 0) {
                assert_string_equal(r->actor, tok_actor);
                n_sign_req++;
            } else {
                assert_string_equal(r->corr_id, fh_ctx_corr_id(e->ctx));
                assert_string_equal(r->actor, "token:" TH_LABEL "/user");
                n_sign_plain++;
            }
        } else if (strcmp(r->operation, "deny") == 0) {
            assert_string_equal(r->result, "permission_denied");
            if (strcmp(r->corr_id, "req-7") == 0) {
                assert_string_equal(r->actor, principal);
                assert_string_equal(r->object, "token:other");
                n_deny_req++;
            } else {
                assert_string_equal(r->actor, "anonymous");
                assert_string_equal(r->corr_id, fh_ctx_corr_id(e->ctx));
                n_deny_plain++;
            }
        } else if (strcmp(r->operation, "auth") == 0) {
            assert_string_equal(r->result, "auth_failed");
            assert_string_equal(r->actor, "anonymous");
            assert_string_equal(r->object, "");
            assert_string_equal(r->corr_id, n_auth == 0 ? fh_ctx_corr_id(e->ctx) : "req-8");
            n_auth++;
        }
    }
    assert_int_equal(n_sign_req, 3);
    assert_int_equal(n_sign_plain, 2); /* the other thread's and the one after clear */
    assert_int_equal(n_deny_req, 1);
    assert_int_equal(n_deny_plain, 1);
    assert_int_equal(n_auth, 2);
    free(rs);
    assert_int_equal(fh_audit_verify(e->ctx, &vr), FH_OK);

    /* long values are cut at 63 characters; arguments are checked */
    {
        char big[200];

        memset(big, 'p', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        fh_audit_set_thread_context(big, big);
        assert_int_equal(fh_audit_event(e->ctx, "deny", "", FH_E_PERMISSION_DENIED), FH_OK);
        fh_audit_clear_thread_context();
        rs = all_records(e->ctx);
        assert_int_equal(strlen(rs->v[rs->n - 1].actor), 63);
        assert_int_equal(strlen(rs->v[rs->n - 1].corr_id), 63);
        free(rs);
    }
    assert_int_equal(fh_audit_event(NULL, "deny", "", FH_OK), FH_E_ARGS);
    assert_int_equal(fh_audit_event(e->ctx, NULL, "", FH_OK), FH_E_ARGS);
    assert_int_equal(fh_audit_event(e->ctx, "deny", NULL, FH_OK), FH_E_ARGS);
    fh_session_close(s);
    fh_token_close(tok);
}

/*
 * The schema before API keys (user_version 1): a store made by the previous
 * release opens, keeps its tokens and gains the apikeys table.
 */
static void
migration_from_v1(void **state)
{
    struct th_env *e = *state;
    char key[FH_APIKEY_STRING_LEN];
    struct fh_apikey_info got;
    fh_token *tok = NULL;
    sqlite3 *db;

    th_close_ctx(e);
    db = th_db_open(e);
    /* undo migration steps 1 -> 2 .. 3 -> 4: what version 1 wrote */
    th_db_exec(db, "DROP TABLE audit_pages; DROP TABLE apikeys; PRAGMA user_version = 1;");
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'apikeys'"),
                     0);
    sqlite3_close(db);

    assert_int_equal(th_open_ctx(e, false), FH_OK);
    db = th_db_open(e);
    assert_int_equal(th_db_int(db, "PRAGMA user_version"), 4);
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'apikeys'"),
                     1);
    sqlite3_close(db);
    assert_int_equal(fh_token_open(e->ctx, TH_LABEL, &tok), FH_OK);
    fh_token_close(tok);
    create_key(e->ctx, "after-migration", FH_ROLE_APP, TH_LABEL, key, NULL);
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK);
    th_reopen(e);
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK);
}


/*
 * A scope is bound to the serial the token had when the key was made: the
 * token deleted and created again under its label is another token, which
 * the key does not reach; the old entry shows as deleted.
 */
static void
scope_follows_serial(void **state)
{
    struct th_env *e = *state;
    char key[FH_APIKEY_STRING_LEN], old_serial[17], new_serial[17];
    char name[FH_TOKEN_LABEL_MAX + 1];
    struct fh_apikey_info info, got, *v = NULL;
    size_t n = 0;

    assert_int_equal(th_token_create(e->ctx, "tenant", TH_SO_PIN, TH_USER_PIN), FH_OK);
    token_serial(e->ctx, "tenant", old_serial);
    create_key(e->ctx, "tenant-app", FH_ROLE_APP, "tenant", key, &info);
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK); /* cached with its label */
    assert_string_equal(got.tokens[0], "tenant");
    assert_true(fh_apikey_in_scope_serial(&got, old_serial));

    token_delete(e->ctx, "tenant");
    assert_int_equal(th_token_create(e->ctx, "tenant", TH_SO_PIN, TH_USER_PIN), FH_OK);
    token_serial(e->ctx, "tenant", new_serial);
    assert_string_not_equal(old_serial, new_serial);

    /* the cached record, the store's, and another process's view agree */
    assert_int_equal(verify(e->ctx, key, KLEN, &got), FH_OK);
    assert_false(fh_apikey_in_scope_serial(&got, new_serial));
    assert_string_equal(got.serials[0], old_serial);
    assert_string_equal(got.tokens[0], "");
    assert_int_equal(fh_apikey_get(e->ctx, "tenant-app", &got), FH_OK);
    assert_false(fh_apikey_in_scope_serial(&got, new_serial));
    fh_apikey_token_name(&got, 0, name, sizeof(name));
    assert_memory_equal(name, "deleted:", 8);
    assert_string_equal(name + 8, old_serial);
    th_reopen(e);
    assert_int_equal(fh_apikey_list(e->ctx, &v, &n), FH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].n_tokens, 1);
    assert_string_equal(v[0].tokens[0], "");
    assert_false(fh_apikey_in_scope_serial(&v[0], new_serial));
    free(v);
    /* a new key for the label gets the new token */
    create_key(e->ctx, "tenant-app-2", FH_ROLE_APP, "tenant", key, &info);
    assert_string_equal(info.serials[0], new_serial);
    assert_string_equal(info.tokens[0], "tenant");
}

/*
 * The previous schema (user_version 2) kept scopes as token labels. Opening
 * such a store binds each label to the serial of the token that has it at
 * that moment; a label no token has is dropped; an every-token key stays
 * so. Afterwards a deleted and re-created label is another token.
 */
static void
migration_from_v2(void **state)
{
    struct th_env *e = *state;
    char k_two[FH_APIKEY_STRING_LEN], k_gone[FH_APIKEY_STRING_LEN], k_all[FH_APIKEY_STRING_LEN];
    char s_unit[17], s_second[17], s_second_new[17];
    struct fh_apikey_info i_two, i_gone, i_all, got;
    const char *two[] = {TH_LABEL, "second"};
    sqlite3 *db;
    char sql[512];

    assert_int_equal(th_token_create(e->ctx, "second", TH_SO_PIN, TH_USER_PIN), FH_OK);
    assert_int_equal(th_token_create(e->ctx, "gone", TH_SO_PIN, TH_USER_PIN), FH_OK);
    token_serial(e->ctx, TH_LABEL, s_unit);
    token_serial(e->ctx, "second", s_second);
    assert_int_equal(fh_apikey_create(e->ctx, "two", FH_ROLE_APP, false, two, 2, k_two, &i_two),
                     FH_OK);
    create_key(e->ctx, "gone-only", FH_ROLE_APP, "gone", k_gone, &i_gone);
    create_key(e->ctx, "all", FH_ROLE_AUDITOR, NULL, k_all, &i_all);
    token_delete(e->ctx, "gone");
    th_close_ctx(e);

    /* what version 2 wrote: the scope as labels ("gone" was deleted while it
     * was a label scope), no scope_by_serial column, user_version 2 */
    db = th_db_open(e);
    snprintf(sql, sizeof(sql), "UPDATE apikeys SET tokens = '%s' || char(10) || 'second' ||"
             " char(10) WHERE id = '%s'; UPDATE apikeys SET tokens = 'gone' || char(10)"
             " WHERE id = '%s';", TH_LABEL, i_two.id, i_gone.id);
    th_db_exec(db, sql);
    th_db_exec(db, "DROP TABLE audit_pages; ALTER TABLE apikeys DROP COLUMN scope_by_serial;"
                   " PRAGMA user_version = 2;");
    sqlite3_close(db);

    assert_int_equal(th_open_ctx(e, false), FH_OK);
    db = th_db_open(e);
    assert_int_equal(th_db_int(db, "PRAGMA user_version"), 4);
    assert_int_equal(th_db_int(db, "SELECT count(*) FROM apikeys WHERE scope_by_serial = 1"), 3);
    sqlite3_close(db);

    assert_int_equal(verify(e->ctx, k_two, KLEN, &got), FH_OK);
    assert_int_equal(got.n_tokens, 2);
    assert_string_equal(got.serials[0], s_unit);
    assert_string_equal(got.serials[1], s_second);
    assert_string_equal(got.tokens[1], "second");
    assert_true(fh_apikey_in_scope_serial(&got, s_second));
    /* "gone" had no token at migration: the key reaches none, now or later */
    assert_int_equal(verify(e->ctx, k_gone, KLEN, &got), FH_OK);
    assert_false(got.all_tokens);
    assert_int_equal(got.n_tokens, 0);
    assert_int_equal(th_token_create(e->ctx, "gone", TH_SO_PIN, TH_USER_PIN), FH_OK);
    {
        char s_gone[17];

        token_serial(e->ctx, "gone", s_gone);
        assert_int_equal(verify(e->ctx, k_gone, KLEN, &got), FH_OK);
        assert_false(fh_apikey_in_scope_serial(&got, s_gone));
    }
    assert_int_equal(verify(e->ctx, k_all, KLEN, &got), FH_OK);
    assert_true(got.all_tokens);

    /* bound to the serials: "second" deleted and made again is another token */
    token_delete(e->ctx, "second");
    assert_int_equal(th_token_create(e->ctx, "second", TH_SO_PIN, TH_USER_PIN), FH_OK);
    token_serial(e->ctx, "second", s_second_new);
    assert_int_equal(verify(e->ctx, k_two, KLEN, &got), FH_OK);
    assert_false(fh_apikey_in_scope_serial(&got, s_second_new));
    assert_true(fh_apikey_in_scope_serial(&got, s_unit));
    assert_string_equal(got.tokens[1], "");

    /* a second open has nothing left to do and changes nothing */
    th_reopen(e);
    assert_int_equal(verify(e->ctx, k_two, KLEN, &got), FH_OK);
    assert_string_equal(got.serials[1], s_second);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_and_names),
        T(create_list_get_revoke),
        T(create_rejects),
        T(verify_is_strict),
        T(revoke_from_other_ctx),
        T(verify_from_threads),
        T(store_holds_no_key),
        T(audit_records_and_chain),
        T(thread_context),
        T(migration_from_v1),
        T(scope_follows_serial),
        T(migration_from_v2),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
