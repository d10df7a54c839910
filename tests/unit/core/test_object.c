/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_object.c - C_CreateObject / C_GetAttributeValue / C_SetAttributeValue /
 * C_FindObjects / C_DestroyObject semantics of the core (src/core/object.c,
 * src/core/attr_rules.c), and what reaches the store file.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core-int.h" /* the handle table and the list of session objects */

static CK_BBOOL yes = CK_TRUE;
static CK_BBOOL no = CK_FALSE;
static CK_OBJECT_CLASS cls_data = CKO_DATA;
static CK_OBJECT_CLASS cls_secret = CKO_SECRET_KEY;
static CK_OBJECT_CLASS cls_cert = CKO_CERTIFICATE;
static CK_KEY_TYPE kt_aes = CKK_AES;

#define N(t) ((CK_ULONG)(sizeof(t) / sizeof((t)[0])))
#define STR(s) (CK_VOID_PTR)(s), (CK_ULONG)strlen(s)

struct fix {
    struct th_env e;
    fh_token *tok;
    fh_session *s; /* R/W, user logged in */
};

static int
setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    th_env_init(&f->e);
    assert_int_equal(th_token_create(f->e.ctx, TH_LABEL, TH_SO_PIN, TH_USER_PIN), FH_OK);
    th_open(f->e.ctx, TH_LABEL, true, true, &f->tok, &f->s);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;

    fh_token_close(f->tok);
    th_env_fini(&f->e);
    free(f);
    return 0;
}

/* Close everything and open the store again, logged in, as a new process would. */
static void
restart(struct fix *f)
{
    fh_token_close(f->tok);
    th_reopen(&f->e);
    th_open(f->e.ctx, TH_LABEL, true, true, &f->tok, &f->s);
}

static CK_OBJECT_HANDLE
make_aes(fh_session *s, const uint8_t key[32], bool on_token, bool sensitive, bool extractable,
         const char *label)
{
    CK_BBOOL tok = on_token, sens = sensitive, ext = extractable;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_TOKEN, &tok, 1},
        {CKA_SENSITIVE, &sens, 1},
        {CKA_EXTRACTABLE, &ext, 1},
        {CKA_LABEL, STR(label)},
        {CKA_VALUE, (CK_VOID_PTR)(uintptr_t)key, 32},
    };
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

    assert_int_equal(fh_object_create(s, t, N(t), &h), FH_OK);
    return h;
}

static void
public_data_readable_without_login(void **state)
{
    struct fix *f = *state;
    fh_token *tok2 = NULL;
    fh_session *s2 = NULL;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &yes, 1},
        {CKA_PRIVATE, &no, 1},
        {CKA_LABEL, STR("pub-data")},
        {CKA_APPLICATION, STR("unit-tests")},
        {CKA_VALUE, STR("hello world")},
    };
    CK_OBJECT_HANDLE h, h2;
    char buf[64];
    CK_ATTRIBUTE get[] = {{CKA_VALUE, buf, sizeof(buf)}};

    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    /* another token handle, nobody logged in, read-only session */
    th_open(f->e.ctx, TH_LABEL, false, false, &tok2, &s2);
    h2 = th_find_one_label(s2, CKO_DATA, "pub-data");
    assert_int_equal(fh_object_get_attributes(s2, h2, get, 1), FH_OK);
    assert_int_equal(get[0].ulValueLen, 11);
    assert_memory_equal(buf, "hello world", 11);
    /* a public object may also be created without a login (session object) */
    {
        CK_ATTRIBUTE t2[] = {
            {CKA_CLASS, &cls_data, sizeof(cls_data)},
            {CKA_LABEL, STR("anon")},
        };
        CK_OBJECT_HANDLE h3;

        assert_int_equal(fh_object_create(s2, t2, N(t2), &h3), FH_OK);
    }
    fh_token_close(tok2);
}

static void
private_data_invisible_until_login(void **state)
{
    struct fix *f = *state;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &yes, 1},
        {CKA_PRIVATE, &yes, 1},
        {CKA_LABEL, STR("priv-data")},
        {CKA_VALUE, STR("top secret data")},
    };
    CK_ATTRIBUTE by_label[] = {{CKA_LABEL, STR("priv-data")}};
    CK_OBJECT_HANDLE h;
    char buf[64];
    CK_ATTRIBUTE get[] = {{CKA_VALUE, buf, sizeof(buf)}};
    fh_token *tok2 = NULL;
    fh_session *s2 = NULL;

    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    assert_int_equal(fh_object_get_attributes(f->s, h, get, 1), FH_OK);
    assert_int_equal(get[0].ulValueLen, 15);
    assert_memory_equal(buf, "top secret data", 15);

    assert_int_equal(fh_token_logout(f->tok), FH_OK);
    get[0].ulValueLen = sizeof(buf);
    assert_int_equal(fh_object_get_attributes(f->s, h, get, 1), FH_E_OBJECT_HANDLE_INVALID);
    assert_int_equal(th_find(f->s, by_label, 1, NULL), 0);
    assert_int_equal(th_find(f->s, NULL, 0, NULL), 0);
    /* creating a private object needs a login as well */
    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_E_NOT_LOGGED_IN);

    /* a different handle of the token sees nothing either */
    th_open(f->e.ctx, TH_LABEL, false, false, &tok2, &s2);
    assert_int_equal(th_find(s2, by_label, 1, NULL), 0);
    fh_token_close(tok2);

    /* PKCS#11 v3.0 §5.6 C_Logout: handles to private objects stay invalid
     * even after the user logs in again; a new search gives a new handle */
    assert_int_equal(th_login(f->tok, CKU_USER, TH_USER_PIN), FH_OK);
    get[0].ulValueLen = sizeof(buf);
    assert_int_equal(fh_object_get_attributes(f->s, h, get, 1), FH_E_OBJECT_HANDLE_INVALID);
    {
        CK_OBJECT_HANDLE *found = NULL, h2;

        assert_int_equal(th_find(f->s, by_label, 1, &found), 1);
        h2 = found[0];
        free(found);
        assert_int_not_equal(h2, h);
        get[0].ulValueLen = sizeof(buf);
        assert_int_equal(fh_object_get_attributes(f->s, h2, get, 1), FH_OK);
        assert_memory_equal(buf, "top secret data", 15);
    }
}

static void
create_template_errors(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    uint8_t key[32] = {1};
    CK_ULONG vlen = 32;
    uint8_t bool2[2] = {1, 0};
    CK_ATTRIBUTE no_class[] = {{CKA_LABEL, STR("x")}, {CKA_TOKEN, &no, 1}};
    CK_ATTRIBUTE unknown[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_MODULUS, key, sizeof(key)},
    };
    CK_ATTRIBUTE bad_bool[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, bool2, sizeof(bool2)},
    };
    CK_ATTRIBUTE with_local[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_VALUE, key, sizeof(key)},
        {CKA_LOCAL, &yes, 1},
    };
    CK_ATTRIBUTE with_value_len[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_VALUE, key, sizeof(key)},
        {CKA_VALUE_LEN, &vlen, sizeof(vlen)},
    };
    CK_ATTRIBUTE no_value[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
    };
    CK_ATTRIBUTE class_mismatch[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_VALUE, key, sizeof(key)},
    };

    assert_int_equal(fh_object_create(f->s, no_class, N(no_class), &h), FH_E_TEMPLATE_INCOMPLETE);
    assert_int_equal(fh_object_create(f->s, unknown, N(unknown), &h), FH_E_ATTR_TYPE_INVALID);
    assert_int_equal(fh_object_create(f->s, bad_bool, N(bad_bool), &h), FH_E_ATTR_VALUE_INVALID);
    assert_int_equal(fh_object_create(f->s, with_local, N(with_local), &h), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_create(f->s, with_value_len, N(with_value_len), &h),
                     FH_E_TEMPLATE_INCONSISTENT);
    assert_int_equal(fh_object_create(f->s, no_value, N(no_value), &h), FH_E_TEMPLATE_INCOMPLETE);
    /* two different CKA_CLASS values in one template contradict each other */
    assert_int_equal(fh_object_create(f->s, class_mismatch, N(class_mismatch), &h),
                     FH_E_TEMPLATE_INCONSISTENT);
    /* nothing of the failures above was created */
    assert_int_equal(th_find(f->s, NULL, 0, NULL), 0);
}

static void
token_object_in_ro_session(void **state)
{
    struct fix *f = *state;
    fh_session *ro = NULL;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &yes, 1},
        {CKA_PRIVATE, &no, 1},
        {CKA_LABEL, STR("ro")},
    };

    assert_int_equal(fh_session_open(f->tok, false, &ro), FH_OK);
    assert_false(fh_session_is_rw(ro));
    assert_int_equal(fh_object_create(ro, t, N(t), &h), FH_E_SESSION_READ_ONLY);
    /* a session object is fine in a R/O session */
    t[1].pValue = &no;
    assert_int_equal(fh_object_create(ro, t, N(t), &h), FH_OK);
    /* and a token object made elsewhere cannot be destroyed or modified from it */
    t[1].pValue = &yes;
    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    assert_int_equal(fh_object_destroy(ro, h), FH_E_SESSION_READ_ONLY);
    {
        CK_ATTRIBUTE lbl[] = {{CKA_LABEL, STR("renamed")}};

        assert_int_equal(fh_object_set_attributes(ro, h, lbl, 1), FH_E_SESSION_READ_ONLY);
    }
    fh_session_close(ro);
}

static void
sensitive_value_not_revealed(void **state)
{
    struct fix *f = *state;
    uint8_t key[32];
    char label[16];
    CK_ULONG vlen = 0;
    uint8_t val[32];
    CK_BBOOL sens = 0, always = 0, local = 1;
    CK_OBJECT_HANDLE h;

    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(0xC0 + i);
    }
    h = make_aes(f->s, key, true, true, false, "aes1");
    {
        CK_ATTRIBUTE get[] = {
            {CKA_LABEL, label, sizeof(label)},    {CKA_VALUE, val, sizeof(val)},
            {CKA_VALUE_LEN, &vlen, sizeof(vlen)}, {CKA_SENSITIVE, &sens, 1},
            {CKA_ALWAYS_SENSITIVE, &always, 1},   {CKA_LOCAL, &local, 1},
        };

        assert_int_equal(fh_object_get_attributes(f->s, h, get, N(get)), FH_E_ATTR_SENSITIVE);
        assert_int_equal(get[0].ulValueLen, 4);
        assert_memory_equal(label, "aes1", 4);
        assert_int_equal(get[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        assert_int_equal(get[2].ulValueLen, sizeof(CK_ULONG));
        assert_int_equal(vlen, 32);
        assert_int_equal(sens, CK_TRUE);
        assert_int_equal(always, CK_FALSE); /* imported, not generated */
        assert_int_equal(local, CK_FALSE);
    }
    /* a length query on CKA_VALUE is refused too */
    {
        CK_ATTRIBUTE q[] = {{CKA_VALUE, NULL, 0}};

        assert_int_equal(fh_object_get_attributes(f->s, h, q, 1), FH_E_ATTR_SENSITIVE);
        assert_int_equal(q[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    }
    /* an attribute the object does not have */
    {
        uint8_t mod[8];
        CK_ATTRIBUTE q[] = {{CKA_MODULUS, mod, sizeof(mod)}, {CKA_LABEL, label, sizeof(label)}};

        assert_int_equal(fh_object_get_attributes(f->s, h, q, 2), FH_E_ATTR_TYPE_INVALID);
        assert_int_equal(q[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
        assert_int_equal(q[1].ulValueLen, 4);
    }
}

static void
extractable_value_reads_back(void **state)
{
    struct fix *f = *state;
    uint8_t key[32], val[32], small[16];
    CK_OBJECT_HANDLE h;

    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(i * 11 + 5);
    }
    h = make_aes(f->s, key, true, false, true, "aes-clear");
    {
        CK_ATTRIBUTE q[] = {{CKA_VALUE, NULL, 0}};

        assert_int_equal(fh_object_get_attributes(f->s, h, q, 1), FH_OK);
        assert_int_equal(q[0].ulValueLen, 32);
    }
    {
        CK_ATTRIBUTE g[] = {{CKA_VALUE, val, sizeof(val)}};

        memset(val, 0, sizeof(val));
        assert_int_equal(fh_object_get_attributes(f->s, h, g, 1), FH_OK);
        assert_int_equal(g[0].ulValueLen, 32);
        assert_memory_equal(val, key, 32);
    }
    {
        CK_ATTRIBUTE g[] = {{CKA_VALUE, small, sizeof(small)}};

        assert_int_equal(fh_object_get_attributes(f->s, h, g, 1), FH_E_BUFFER_TOO_SMALL);
        assert_int_equal(g[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    }
    /* after a restart the value comes from the store, unsealed with the TMK */
    restart(f);
    h = th_find_one_label(f->s, CKO_SECRET_KEY, "aes-clear");
    {
        CK_ATTRIBUTE g[] = {{CKA_VALUE, val, sizeof(val)}};

        memset(val, 0, sizeof(val));
        assert_int_equal(fh_object_get_attributes(f->s, h, g, 1), FH_OK);
        assert_memory_equal(val, key, 32);
    }
}

static void
set_attributes_rules(void **state)
{
    struct fix *f = *state;
    uint8_t key[32] = {7};
    CK_OBJECT_HANDLE hs, hu, hd;
    CK_ATTRIBUTE lbl[] = {{CKA_LABEL, STR("renamed-key")}};
    CK_ATTRIBUTE unsens[] = {{CKA_SENSITIVE, &no, 1}};
    CK_ATTRIBUTE extr[] = {{CKA_EXTRACTABLE, &yes, 1}};
    CK_ATTRIBUTE clsa[] = {{CKA_CLASS, &cls_data, sizeof(cls_data)}};
    CK_ATTRIBUTE kta[] = {{CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)}};
    CK_ATTRIBUTE val[] = {{CKA_VALUE, key, sizeof(key)}};
    CK_ATTRIBUTE local[] = {{CKA_LOCAL, &yes, 1}};
    CK_ATTRIBUTE sens_on[] = {{CKA_SENSITIVE, &yes, 1}};
    CK_ATTRIBUTE extr_off[] = {{CKA_EXTRACTABLE, &no, 1}};

    hs = make_aes(f->s, key, true, true, false, "sens-key");
    hu = make_aes(f->s, key, true, false, true, "clear-key");
    assert_int_equal(fh_object_set_attributes(f->s, hs, unsens, 1), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_set_attributes(f->s, hs, extr, 1), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_set_attributes(f->s, hs, clsa, 1), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_set_attributes(f->s, hs, kta, 1), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_set_attributes(f->s, hs, val, 1), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_set_attributes(f->s, hs, local, 1), FH_E_ATTR_READ_ONLY);
    /* the permitted directions */
    assert_int_equal(fh_object_set_attributes(f->s, hu, sens_on, 1), FH_OK);
    assert_int_equal(fh_object_set_attributes(f->s, hu, extr_off, 1), FH_OK);
    assert_int_equal(fh_object_set_attributes(f->s, hu, unsens, 1), FH_E_ATTR_READ_ONLY);
    assert_int_equal(fh_object_set_attributes(f->s, hu, extr, 1), FH_E_ATTR_READ_ONLY);

    assert_int_equal(fh_object_set_attributes(f->s, hs, lbl, 1), FH_OK);
    restart(f);
    hs = th_find_one_label(f->s, CKO_SECRET_KEY, "renamed-key");
    {
        CK_ATTRIBUTE old[] = {{CKA_LABEL, STR("sens-key")}};
        char buf[32];
        CK_ATTRIBUTE g[] = {{CKA_LABEL, buf, sizeof(buf)}};

        assert_int_equal(th_find(f->s, old, 1, NULL), 0);
        assert_int_equal(fh_object_get_attributes(f->s, hs, g, 1), FH_OK);
        assert_int_equal(g[0].ulValueLen, strlen("renamed-key"));
        assert_memory_equal(buf, "renamed-key", g[0].ulValueLen);
    }
    /* the key's material survived the attribute rewrite: same ciphertext as
     * OpenSSL computes with the key bytes */
    hu = th_find_one_label(f->s, CKO_SECRET_KEY, "clear-key");
    {
        uint8_t pt[16] = {0x42}, ct[16], ref[32];
        size_t ct_len = sizeof(ct);
        int rl = 0;
        CK_MECHANISM ecb = {CKM_AES_ECB, NULL, 0};
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

        assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &ecb, hs), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_ENCRYPT, pt, sizeof(pt), ct, &ct_len), FH_OK);
        assert_int_equal(ct_len, 16);
        assert_non_null(c);
        assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, key, NULL), 1);
        EVP_CIPHER_CTX_set_padding(c, 0);
        assert_int_equal(EVP_EncryptUpdate(c, ref, &rl, pt, sizeof(pt)), 1);
        assert_int_equal(rl, 16);
        EVP_CIPHER_CTX_free(c);
        assert_memory_equal(ct, ref, 16);
    }

    /* CKA_MODIFIABLE false, CKA_DESTROYABLE false */
    {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_data, sizeof(cls_data)},
            {CKA_TOKEN, &yes, 1},
            {CKA_MODIFIABLE, &no, 1},
            {CKA_DESTROYABLE, &no, 1},
            {CKA_LABEL, STR("frozen")},
        };
        CK_ATTRIBUTE mod_on[] = {{CKA_MODIFIABLE, &yes, 1}};

        assert_int_equal(fh_object_create(f->s, t, N(t), &hd), FH_OK);
        assert_int_equal(fh_object_set_attributes(f->s, hd, lbl, 1), FH_E_ACTION_PROHIBITED);
        assert_int_equal(fh_object_set_attributes(f->s, hd, mod_on, 1), FH_E_ACTION_PROHIBITED);
        assert_int_equal(fh_object_destroy(f->s, hd), FH_E_ACTION_PROHIBITED);
        assert_int_equal(th_find_one_label(f->s, CKO_DATA, "frozen"), hd);
    }
    /* a destroyable object goes away, and its handle with it */
    assert_int_equal(fh_object_destroy(f->s, hu), FH_OK);
    assert_int_equal(fh_object_destroy(f->s, hu), FH_E_OBJECT_HANDLE_INVALID);
    assert_int_equal(fh_object_get_attributes(f->s, hu, lbl, 0), FH_E_OBJECT_HANDLE_INVALID);
    assert_int_equal(fh_object_destroy(f->s, 999999), FH_E_OBJECT_HANDLE_INVALID);
    assert_int_equal(fh_object_destroy(f->s, CK_INVALID_HANDLE), FH_E_OBJECT_HANDLE_INVALID);
}

static int
cmp_handle(const void *a, const void *b)
{
    CK_OBJECT_HANDLE x = *(const CK_OBJECT_HANDLE *)a, y = *(const CK_OBJECT_HANDLE *)b;

    return x < y ? -1 : x > y;
}

/* found[] (sorted) equals want[0..n) (any order). */
static void
assert_same_handles(CK_OBJECT_HANDLE *found, size_t nf, CK_OBJECT_HANDLE *want, size_t nw)
{
    assert_int_equal(nf, nw);
    qsort(found, nf, sizeof(*found), cmp_handle);
    qsort(want, nw, sizeof(*want), cmp_handle);
    for (size_t i = 0; i < nf; i++) {
        assert_int_equal(found[i], want[i]);
    }
}

static void
find_among_200(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE data[100], keys[100], want[200], *got = NULL;
    size_t nw, n;
    uint8_t key[32] = {0};
    char label[32];

    for (int i = 0; i < 100; i++) {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_data, sizeof(cls_data)},
            {CKA_TOKEN, &yes, 1},
            {CKA_PRIVATE, &no, 1},
            {CKA_LABEL, label, 0},
        };

        t[3].ulValueLen =
            (CK_ULONG)snprintf(label, sizeof(label), i % 10 == 0 ? "shared" : "d%03d", i);
        assert_int_equal(fh_object_create(f->s, t, N(t), &data[i]), FH_OK);
    }
    for (int i = 0; i < 100; i++) {
        uint8_t id[2] = {(uint8_t)(i >> 8), (uint8_t)i};
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
            {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
            {CKA_TOKEN, &yes, 1},
            {CKA_ID, id, sizeof(id)},
            {CKA_LABEL, label, 0},
            {CKA_VALUE, key, sizeof(key)},
        };

        key[0] = (uint8_t)i;
        t[4].ulValueLen =
            (CK_ULONG)snprintf(label, sizeof(label), i % 10 == 5 ? "shared" : "k%03d", i);
        assert_int_equal(fh_object_create(f->s, t, N(t), &keys[i]), FH_OK);
    }
    restart(f); /* handles are per token handle; compare against a fresh find */
    {
        CK_ATTRIBUTE q[] = {{CKA_CLASS, &cls_secret, sizeof(cls_secret)}};

        n = th_find(f->s, q, 1, &got);
        assert_int_equal(n, 100);
        /* record the new handles by label for the checks below */
        for (size_t i = 0; i < n; i++) {
            uint8_t id[2];
            CK_ATTRIBUTE g[] = {{CKA_ID, id, sizeof(id)}};

            assert_int_equal(fh_object_get_attributes(f->s, got[i], g, 1), FH_OK);
            assert_int_equal(g[0].ulValueLen, 2);
            keys[id[1]] = got[i];
        }
        free(got);
    }
    {
        CK_ATTRIBUTE q[] = {{CKA_CLASS, &cls_data, sizeof(cls_data)}};

        n = th_find(f->s, q, 1, &got);
        assert_int_equal(n, 100);
        for (size_t i = 0; i < n; i++) {
            char l[16];
            CK_ATTRIBUTE g[] = {{CKA_LABEL, l, sizeof(l) - 1}};

            assert_int_equal(fh_object_get_attributes(f->s, got[i], g, 1), FH_OK);
            l[g[0].ulValueLen] = '\0';
            if (strcmp(l, "shared") != 0) {
                char *end = NULL;
                unsigned long idx = strtoul(l + 1, &end, 10);

                assert_true(end != l + 1 && *end == '\0' && idx < 100);
                data[idx] = got[i];
            }
        }
        free(got);
    }
    /* by label: exactly one */
    {
        CK_ATTRIBUTE q[] = {{CKA_LABEL, STR("k042")}};

        n = th_find(f->s, q, 1, &got);
        assert_int_equal(n, 1);
        assert_int_equal(got[0], keys[42]);
        free(got);
    }
    /* by id */
    {
        uint8_t id[2] = {0, 77};
        CK_ATTRIBUTE q[] = {{CKA_ID, id, sizeof(id)}};

        n = th_find(f->s, q, 1, &got);
        assert_int_equal(n, 1);
        assert_int_equal(got[0], keys[77]);
        free(got);
    }
    /* by class and label */
    {
        CK_ATTRIBUTE q[] = {{CKA_CLASS, &cls_data, sizeof(cls_data)}, {CKA_LABEL, STR("d007")}};

        n = th_find(f->s, q, N(q), &got);
        assert_int_equal(n, 1);
        assert_int_equal(got[0], data[7]);
        free(got);
    }
    /* a shared label across both classes: 10 data + 10 keys */
    {
        CK_ATTRIBUTE q[] = {{CKA_LABEL, STR("shared")}};
        CK_ATTRIBUTE qk[] = {{CKA_LABEL, STR("shared")},
                             {CKA_CLASS, &cls_secret, sizeof(cls_secret)}};

        n = th_find(f->s, q, 1, &got);
        assert_int_equal(n, 20);
        free(got);
        n = th_find(f->s, qk, N(qk), &got);
        nw = 0;
        for (int i = 5; i < 100; i += 10) {
            want[nw++] = keys[i];
        }
        assert_same_handles(got, n, want, nw);
        free(got);
    }
    /* non-indexed attribute: CKA_SENSITIVE true matches every key */
    {
        CK_ATTRIBUTE q[] = {{CKA_SENSITIVE, &yes, 1}};

        n = th_find(f->s, q, 1, &got);
        for (int i = 0; i < 100; i++) {
            want[i] = keys[i];
        }
        assert_same_handles(got, n, want, 100);
        free(got);
    }
    /* the secret value is never a search criterion */
    {
        CK_ATTRIBUTE q[] = {{CKA_VALUE, key, sizeof(key)}};

        assert_int_equal(th_find(f->s, q, 1, NULL), 0);
    }
    /* no match, and everything */
    {
        CK_ATTRIBUTE q[] = {{CKA_LABEL, STR("absent")}};

        assert_int_equal(th_find(f->s, q, 1, NULL), 0);
        assert_int_equal(th_find(f->s, NULL, 0, NULL), 200);
    }
}

static void
find_empty_label(void **state)
{
    struct fix *f = *state;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &yes, 1},
        {CKA_PRIVATE, &no, 1},
    };
    CK_ATTRIBUTE q[] = {{CKA_LABEL, NULL, 0}};
    CK_OBJECT_HANDLE h, *got = NULL;

    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    assert_int_equal(th_find(f->s, q, 1, &got), 1);
    assert_int_equal(got[0], h);
    free(got);
}

static void
session_objects_vanish(void **state)
{
    struct fix *f = *state;
    fh_session *s2 = NULL;
    CK_OBJECT_HANDLE h;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &no, 1},
        {CKA_LABEL, STR("ephemeral")},
        {CKA_VALUE, STR("v")},
    };
    CK_ATTRIBUTE q[] = {{CKA_LABEL, STR("ephemeral")}};
    char buf[8];
    CK_ATTRIBUTE g[] = {{CKA_VALUE, buf, sizeof(buf)}};

    assert_int_equal(fh_session_open(f->tok, false, &s2), FH_OK);
    assert_int_equal(fh_object_create(s2, t, N(t), &h), FH_OK);
    /* visible from the other session of the token */
    assert_int_equal(th_find(f->s, q, 1, NULL), 1);
    assert_int_equal(fh_object_get_attributes(f->s, h, g, 1), FH_OK);
    fh_session_close(s2);
    assert_int_equal(th_find(f->s, q, 1, NULL), 0);
    g[0].ulValueLen = sizeof(buf);
    assert_int_equal(fh_object_get_attributes(f->s, h, g, 1), FH_E_OBJECT_HANDLE_INVALID);
    /* nothing reached the store */
    restart(f);
    assert_int_equal(th_find(f->s, q, 1, NULL), 0);
}

static void
make_cert(uint8_t **der, int *der_len, uint8_t **subj, int *subj_len)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *name;

    assert_non_null(pk);
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 4711), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_int_equal(X509_set_pubkey(x, pk), 1);
    name = X509_get_subject_name(x);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"ferrohsm unit", -1, -1, 0),
                     1);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
    *der = NULL;
    *der_len = i2d_X509(x, der);
    assert_true(*der_len > 0);
    *subj = NULL;
    *subj_len = i2d_X509_NAME(name, subj);
    assert_true(*subj_len > 0);
    X509_free(x);
    EVP_PKEY_free(pk);
}

static void
certificate_objects(void **state)
{
    struct fix *f = *state;
    uint8_t *der = NULL, *subj = NULL;
    int der_len = 0, subj_len = 0;
    CK_CERTIFICATE_TYPE ct = CKC_X_509;
    CK_OBJECT_HANDLE h, hcert;
    uint8_t garbage[64];
    uint8_t *trailing;

    make_cert(&der, &der_len, &subj, &subj_len);
    {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_cert, sizeof(cls_cert)},
            {CKA_CERTIFICATE_TYPE, &ct, sizeof(ct)},
            {CKA_TOKEN, &yes, 1},
            {CKA_LABEL, STR("cert")},
            {CKA_SUBJECT, subj, (CK_ULONG)subj_len},
            {CKA_VALUE, der, (CK_ULONG)der_len},
        };
        uint8_t *back = malloc((size_t)der_len);
        CK_ATTRIBUTE g[] = {{CKA_VALUE, back, (CK_ULONG)der_len}};

        assert_int_equal(fh_object_create(f->s, t, N(t), &hcert), FH_OK);
        assert_int_equal(fh_object_get_attributes(f->s, hcert, g, 1), FH_OK);
        assert_int_equal(g[0].ulValueLen, (CK_ULONG)der_len);
        assert_memory_equal(back, der, (size_t)der_len);
        free(back);

        /* garbage, and a valid certificate followed by junk */
        for (size_t i = 0; i < sizeof(garbage); i++) {
            garbage[i] = (uint8_t)(i * 37 + 1);
        }
        t[5].pValue = garbage;
        t[5].ulValueLen = sizeof(garbage);
        assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_E_ATTR_VALUE_INVALID);
        trailing = malloc((size_t)der_len + 1);
        memcpy(trailing, der, (size_t)der_len);
        trailing[der_len] = 0;
        t[5].pValue = trailing;
        t[5].ulValueLen = (CK_ULONG)der_len + 1;
        assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_E_ATTR_VALUE_INVALID);
        t[5].ulValueLen = (CK_ULONG)der_len - 1;
        assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_E_ATTR_VALUE_INVALID);
        free(trailing);
        /* missing CKA_VALUE */
        assert_int_equal(fh_object_create(f->s, t, N(t) - 1, &h), FH_E_TEMPLATE_INCOMPLETE);
    }
    /* only the valid certificate exists */
    assert_int_equal(th_find_one_label(f->s, CKO_CERTIFICATE, "cert"), hcert);
    OPENSSL_free(der);
    OPENSSL_free(subj);
}

static size_t
count_in_store(const struct th_env *e, const void *needle, size_t len)
{
    char path[700];
    static const char *const suffix[] = {"", "-wal", "-journal"};
    size_t hits = 0;

    for (size_t i = 0; i < 3; i++) {
        size_t flen = 0;
        uint8_t *buf;

        snprintf(path, sizeof(path), "%s%s", e->db, suffix[i]);
        buf = th_read_file(path, &flen);
        hits += th_contains(buf, flen, needle, len) ? 1 : 0;
        free(buf);
    }
    return hits;
}

static void
no_plaintext_secrets_in_store(void **state)
{
    struct fix *f = *state;
    uint8_t aes[32], priv_data[32], ec_d[32];
    uint8_t pub_marker[32];
    CK_OBJECT_HANDLE h, hp;
    CK_OBJECT_CLASS cls_priv = CKO_PRIVATE_KEY;
    CK_KEY_TYPE kt_ec = CKK_EC;

    for (int i = 0; i < 32; i++) {
        aes[i] = (uint8_t)(0x5A ^ (i * 29));
        priv_data[i] = (uint8_t)(0xA7 ^ (i * 13));
        ec_d[i] = (uint8_t)(0x11 + i);
        pub_marker[i] = (uint8_t)(0x3C ^ (i * 17));
    }
    (void)make_aes(f->s, aes, true, true, false, "plain-aes");
    {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_data, sizeof(cls_data)},
            {CKA_TOKEN, &yes, 1},
            {CKA_PRIVATE, &yes, 1},
            {CKA_VALUE, priv_data, sizeof(priv_data)},
        };

        assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    }
    {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_priv, sizeof(cls_priv)},
            {CKA_KEY_TYPE, &kt_ec, sizeof(kt_ec)},
            {CKA_TOKEN, &yes, 1},
            {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)},
            {CKA_VALUE, ec_d, sizeof(ec_d)},
        };

        assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    }
    /* positive control: a public data value is stored as is */
    {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_data, sizeof(cls_data)},
            {CKA_TOKEN, &yes, 1},
            {CKA_PRIVATE, &no, 1},
            {CKA_VALUE, pub_marker, sizeof(pub_marker)},
        };

        assert_int_equal(fh_object_create(f->s, t, N(t), &hp), FH_OK);
    }
    assert_true(count_in_store(&f->e, pub_marker, sizeof(pub_marker)) > 0);
    assert_int_equal(count_in_store(&f->e, aes, sizeof(aes)), 0);
    assert_int_equal(count_in_store(&f->e, priv_data, sizeof(priv_data)), 0);
    assert_int_equal(count_in_store(&f->e, ec_d, sizeof(ec_d)), 0);
    /* and after a checkpoint on close */
    fh_token_close(f->tok);
    f->tok = NULL;
    th_close_ctx(&f->e);
    assert_true(count_in_store(&f->e, pub_marker, sizeof(pub_marker)) > 0);
    assert_int_equal(count_in_store(&f->e, aes, sizeof(aes)), 0);
    assert_int_equal(count_in_store(&f->e, priv_data, sizeof(priv_data)), 0);
    assert_int_equal(count_in_store(&f->e, ec_d, sizeof(ec_d)), 0);
    assert_int_equal(th_open_ctx(&f->e, false), FH_OK);
    th_open(f->e.ctx, TH_LABEL, true, true, &f->tok, &f->s);
}

/*
 * C_CopyObject of a public data object into a private one with a new value:
 * the copy is a private object, so its value must be sealed like that of a
 * private object made by C_CreateObject.
 */
static void
copy_to_private_data_seals_value(void **state)
{
    struct fix *f = *state;
    uint8_t secret[32];
    CK_OBJECT_HANDLE h, hc;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)}, {CKA_TOKEN, &yes, 1},       {CKA_PRIVATE, &no, 1},
        {CKA_LABEL, STR("template-data")},        {CKA_VALUE, STR("public")},
    };
    CK_ATTRIBUTE c[] = {
        {CKA_PRIVATE, &yes, 1},
        {CKA_LABEL, STR("private-copy")},
        {CKA_VALUE, secret, sizeof(secret)},
    };
    char buf[64];
    CK_ATTRIBUTE g[] = {{CKA_VALUE, buf, sizeof(buf)}};

    for (int i = 0; i < 32; i++) {
        secret[i] = (uint8_t)(0x99 ^ (i * 23));
    }
    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    assert_int_equal(fh_object_copy(f->s, h, c, N(c), &hc), FH_OK);
    assert_int_equal(fh_object_get_attributes(f->s, hc, g, 1), FH_OK);
    assert_int_equal(g[0].ulValueLen, sizeof(secret));
    assert_memory_equal(buf, secret, sizeof(secret));
    fh_token_close(f->tok);
    f->tok = NULL;
    th_close_ctx(&f->e);
    assert_int_equal(count_in_store(&f->e, secret, sizeof(secret)), 0);
    assert_int_equal(th_open_ctx(&f->e, false), FH_OK);
    th_open(f->e.ctx, TH_LABEL, true, true, &f->tok, &f->s);
}

/*
 * The other direction: a private data object copied into a public one. The
 * copy is public, so its value must be readable (and findable) without a
 * login, like any public data object.
 */
static void
copy_to_public_data_readable(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE h, hc;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &yes, 1},
        {CKA_PRIVATE, &yes, 1},
        {CKA_LABEL, STR("private-original")},
        {CKA_VALUE, STR("now public")},
    };
    CK_ATTRIBUTE c[] = {
        {CKA_PRIVATE, &no, 1},
        {CKA_LABEL, STR("public-copy")},
    };
    char buf[64];
    CK_ATTRIBUTE g[] = {{CKA_VALUE, buf, sizeof(buf)}};

    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    assert_int_equal(fh_object_copy(f->s, h, c, N(c), &hc), FH_OK);
    assert_int_equal(fh_token_logout(f->tok), FH_OK);
    assert_int_equal(th_find_one_label(f->s, CKO_DATA, "public-copy"), hc);
    assert_int_equal(fh_object_get_attributes(f->s, hc, g, 1), FH_OK);
    assert_int_equal(g[0].ulValueLen, 10);
    assert_memory_equal(buf, "now public", 10);
}

/* The attribute as a big-endian integer; NULL when the get fails. */
static BIGNUM *
get_bn(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, fh_rv *rv)
{
    uint8_t buf[1024];
    CK_ATTRIBUTE g[] = {{type, buf, sizeof(buf)}};

    *rv = fh_object_get_attributes(s, h, g, 1);
    if (*rv != FH_OK) {
        return NULL;
    }
    return BN_bin2bn(buf, (int)g[0].ulValueLen, NULL);
}

static CK_ATTRIBUTE
bn_attr(CK_ATTRIBUTE_TYPE type, const EVP_PKEY *pk, const char *name, uint8_t *buf)
{
    BIGNUM *bn = NULL;
    CK_ATTRIBUTE a;
    int n;

    assert_int_equal(EVP_PKEY_get_bn_param(pk, name, &bn), 1);
    n = BN_bn2bin(bn, buf);
    BN_free(bn);
    a.type = type;
    a.pValue = buf;
    a.ulValueLen = (CK_ULONG)n;
    return a;
}

/*
 * PKCS#11 v3.0 (Tables 36 and 52): the private components of a key with
 * CKA_SENSITIVE false and CKA_EXTRACTABLE true are readable, in their PKCS#11
 * form: CKA_VALUE of an EC private key is the scalar d, and an RSA private
 * key has CKA_PRIVATE_EXPONENT, CKA_PRIME_1, ... (big-endian integers).
 */
static void
extractable_ec_private_value(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_CLASS cls_priv = CKO_PRIVATE_KEY;
    CK_KEY_TYPE kt_ec = CKK_EC;
    uint8_t d[32];
    CK_OBJECT_HANDLE hec;
    BIGNUM *want, *got;
    fh_rv rv;

    for (int i = 0; i < 32; i++) {
        d[i] = (uint8_t)(0x21 + i * 3);
    }
    {
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_priv, sizeof(cls_priv)},
            {CKA_KEY_TYPE, &kt_ec, sizeof(kt_ec)},
            {CKA_SENSITIVE, &no, 1},
            {CKA_EXTRACTABLE, &yes, 1},
            {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)},
            {CKA_VALUE, d, sizeof(d)},
        };

        assert_int_equal(fh_object_create(f->s, t, N(t), &hec), FH_OK);
    }
    want = BN_bin2bn(d, sizeof(d), NULL);
    got = get_bn(f->s, hec, CKA_VALUE, &rv);
    assert_int_equal(rv, FH_OK);
    if (BN_cmp(want, got) != 0) {
        uint8_t raw[1024];
        CK_ATTRIBUTE g[] = {{CKA_VALUE, raw, sizeof(raw)}};

        BN_free(want);
        BN_free(got);
        assert_int_equal(fh_object_get_attributes(f->s, hec, g, 1), FH_OK);
        fail_msg("EC CKA_VALUE read back as %lu bytes starting %02x %02x, not the 32-byte d",
                 (unsigned long)g[0].ulValueLen, raw[0], raw[1]);
    }
    BN_free(want);
    BN_free(got);
}

static void
extractable_rsa_private_components(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_CLASS cls_priv = CKO_PRIVATE_KEY;
    CK_KEY_TYPE kt_rsa = CKK_RSA;
    CK_OBJECT_HANDLE hrsa;
    BIGNUM *want, *got;
    fh_rv rv;

    {
        EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
        uint8_t b[8][512];
        CK_ATTRIBUTE t[] = {
            {CKA_CLASS, &cls_priv, sizeof(cls_priv)},
            {CKA_KEY_TYPE, &kt_rsa, sizeof(kt_rsa)},
            {CKA_SENSITIVE, &no, 1},
            {CKA_EXTRACTABLE, &yes, 1},
            bn_attr(CKA_MODULUS, pk, OSSL_PKEY_PARAM_RSA_N, b[0]),
            bn_attr(CKA_PUBLIC_EXPONENT, pk, OSSL_PKEY_PARAM_RSA_E, b[1]),
            bn_attr(CKA_PRIVATE_EXPONENT, pk, OSSL_PKEY_PARAM_RSA_D, b[2]),
            bn_attr(CKA_PRIME_1, pk, OSSL_PKEY_PARAM_RSA_FACTOR1, b[3]),
            bn_attr(CKA_PRIME_2, pk, OSSL_PKEY_PARAM_RSA_FACTOR2, b[4]),
            bn_attr(CKA_EXPONENT_1, pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, b[5]),
            bn_attr(CKA_EXPONENT_2, pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, b[6]),
            bn_attr(CKA_COEFFICIENT, pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, b[7]),
        };

        assert_non_null(pk);
        assert_int_equal(fh_object_create(f->s, t, N(t), &hrsa), FH_OK);
        for (size_t i = 4; i < N(t); i++) {
            want = BN_bin2bn(t[i].pValue, (int)t[i].ulValueLen, NULL);
            got = get_bn(f->s, hrsa, t[i].type, &rv);
            if (rv != FH_OK) {
                BN_free(want);
                EVP_PKEY_free(pk);
                fail_msg("RSA attribute 0x%lx of an extractable key: %s", t[i].type, fh_rv_str(rv));
            }
            assert_int_equal(BN_cmp(want, got), 0);
            BN_free(want);
            BN_free(got);
        }
        EVP_PKEY_free(pk);
    }
}

/*
 * A generated RSA private key is sensitive and unextractable by default.
 * No attribute may hand out its material: CKA_VALUE is not an attribute of
 * RSA private keys at all (PKCS#11 v3.0 Table 36), so asking for it must
 * give CK_UNAVAILABLE_INFORMATION and write nothing.
 */
static void
sensitive_rsa_key_material_not_revealed(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ULONG bits = 2048;
    CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};
    CK_ATTRIBUTE st[] = {{CKA_SIGN, &yes, 1}};
    CK_OBJECT_HANDLE pub, priv;
    uint8_t buf[4096];
    CK_ATTRIBUTE g[] = {{CKA_VALUE, buf, sizeof(buf)}};
    CK_ATTRIBUTE q[] = {{CKA_VALUE, NULL, 0}};
    CK_BBOOL sens = 0, ext = 1;
    CK_ATTRIBUTE flags[] = {{CKA_SENSITIVE, &sens, 1}, {CKA_EXTRACTABLE, &ext, 1}};
    fh_rv rv;

    assert_int_equal(fh_key_generate_pair(f->s, &m, pt, N(pt), st, N(st), &pub, &priv), FH_OK);
    assert_int_equal(fh_object_get_attributes(f->s, priv, flags, N(flags)), FH_OK);
    assert_int_equal(sens, CK_TRUE);
    assert_int_equal(ext, CK_FALSE);

    memset(buf, 0xEE, sizeof(buf));
    rv = fh_object_get_attributes(f->s, priv, g, 1);
    if (rv == FH_OK) {
        const unsigned char *p = buf;
        EVP_PKEY *leaked = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)g[0].ulValueLen);
        PKCS8_PRIV_KEY_INFO *p8 = NULL;

        if (leaked == NULL) {
            p = buf;
            p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)g[0].ulValueLen);
        }
        bool parsed = leaked != NULL || p8 != NULL;

        EVP_PKEY_free(leaked);
        PKCS8_PRIV_KEY_INFO_free(p8);
        fail_msg("CKA_VALUE of a sensitive, unextractable RSA private key returned %lu bytes "
                 "(%s)",
                 (unsigned long)g[0].ulValueLen, parsed ? "a parseable private key" : "unparsed");
    }
    assert_int_equal(g[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(buf[0], 0xEE);
    rv = fh_object_get_attributes(f->s, priv, q, 1);
    assert_int_not_equal(rv, FH_OK);
    assert_int_equal(q[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
}

/*
 * A public (CKA_PRIVATE false) secret key: renaming it touches no key
 * material, so a R/W session may do it without a login, as for any public
 * object (PKCS#11 v3.0 §6.7 session states).
 */
static void
public_secret_key_label_without_login(void **state)
{
    struct fix *f = *state;
    uint8_t key[32] = {9};
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_TOKEN, &yes, 1},
        {CKA_PRIVATE, &no, 1},
        {CKA_LABEL, STR("public-aes")},
        {CKA_VALUE, key, sizeof(key)},
    };
    CK_ATTRIBUTE lbl[] = {{CKA_LABEL, STR("public-aes-renamed")}};
    CK_OBJECT_HANDLE h;

    assert_int_equal(fh_object_create(f->s, t, N(t), &h), FH_OK);
    assert_int_equal(fh_token_logout(f->tok), FH_OK);
    assert_int_equal(th_find_one_label(f->s, CKO_SECRET_KEY, "public-aes"), h);
    assert_int_equal(fh_object_set_attributes(f->s, h, lbl, 1), FH_OK);
    assert_int_equal(th_find_one_label(f->s, CKO_SECRET_KEY, "public-aes-renamed"), h);
}

/*
 * The list of live session objects (object.c) against the handle table: every
 * entry holding a session object is on it exactly once, in handle order, with
 * consistent links, and nothing else is. Returns its length.
 */
static size_t
check_sobj_list(const fh_token *tok)
{
    size_t in_table = 0, on_list = 0;
    uint32_t prev = 0;

    for (size_t i = 0; i < tok->n_handles; i++) {
        in_table += tok->handles[i].sobj != NULL;
    }
    for (uint32_t h = tok->sobj_first; h != 0; h = tok->handles[h - 1].snext) {
        assert_true(h <= tok->n_handles);
        assert_true(h > prev); /* handle order, and no cycle */
        assert_non_null(tok->handles[h - 1].sobj);
        assert_int_equal(tok->handles[h - 1].sprev, prev);
        prev = h;
        on_list++;
    }
    assert_int_equal(tok->sobj_last, prev);
    assert_int_equal(on_list, in_table);
    assert_int_equal(tok->n_sobj, on_list);
    return on_list;
}

static CK_OBJECT_HANDLE
make_sdata(fh_session *s, bool priv, const char *label)
{
    CK_BBOOL p = priv;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_data, sizeof(cls_data)},
        {CKA_TOKEN, &no, 1},
        {CKA_PRIVATE, &p, 1},
        {CKA_LABEL, STR(label)},
        {CKA_VALUE, STR("v")},
    };
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

    assert_int_equal(fh_object_create(s, t, N(t), &h), FH_OK);
    return h;
}

/*
 * Handles are never reused, so a token open for long has given out many more
 * handles than it has objects (a key-generation loop: two per call). A find
 * and a session's close visit the live session objects only: the list of
 * them must stay exactly the live ones through creation, destruction, a
 * session's close and a logout, however many handles went before (a find
 * that walked the whole table fell from 140,000 to 16,000 a second after the
 * benchmark's key-generation case).
 */
static void
find_visits_live_session_objects_only(void **state)
{
    struct fix *f = *state;
    const unsigned churn = 3000;
    fh_session *s2 = NULL;
    CK_OBJECT_HANDLE a, p, c, pub, priv, h, *v = NULL;
    uint8_t msg[32] = {1}, sig[128];
    size_t sig_len = sizeof(sig), n;
    CK_ATTRIBUTE q_all[] = {{CKA_CLASS, &cls_data, sizeof(cls_data)}};

    assert_int_equal(fh_session_open(f->tok, true, &s2), FH_OK);
    a = make_sdata(f->s, false, "keep-a");
    p = make_sdata(f->s, true, "keep-p");
    for (unsigned i = 0; i < churn; i++) {
        fh_session *s = i % 2 ? s2 : f->s;

        h = make_sdata(s, i % 3 == 0, "churn");
        assert_int_equal(fh_object_destroy(s, h), FH_OK);
    }
    c = make_sdata(s2, false, "on-s2");
    th_ec_pair(f->s, false, "sess-ec", &pub, &priv);
    /* a cached prepared key hangs on the private key's handle */
    assert_int_equal(th_sign(f->s, CKM_ECDSA, priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(f->tok->kcache_sess_n, 1);

    assert_true(f->tok->n_handles >= churn + 5);
    assert_int_equal(check_sobj_list(f->tok), 5);

    /* a find never looks at the freed handles: were they read, pointing
     * them at a live object would make it find them too */
    {
        struct fhi_obj *live = f->tok->handles[a - 1].sobj;
        CK_ATTRIBUTE q_a[] = {{CKA_LABEL, STR("keep-a")}};
        size_t dead = 0;

        for (size_t i = 0; i < f->tok->n_handles; i++) {
            if (f->tok->handles[i].sobj == NULL && f->tok->handles[i].store_id == 0) {
                f->tok->handles[i].sobj = live;
                dead++;
            }
        }
        n = th_find(f->s, q_a, N(q_a), &v);
        /* undone before any assert: teardown frees what handles hold */
        for (size_t i = 0; i < f->tok->n_handles; i++) {
            if (i + 1 != a && f->tok->handles[i].sobj == live) {
                f->tok->handles[i].sobj = NULL;
            }
        }
        assert_int_equal(dead, churn);
        assert_int_equal(n, 1);
        assert_int_equal(v[0], a);
        free(v);
        v = NULL;
    }
    assert_int_equal(th_find(f->s, q_all, N(q_all), &v), 3);
    assert_int_equal(v[0], a);
    assert_int_equal(v[1], p);
    assert_int_equal(v[2], c);
    free(v);
    v = NULL;
    assert_int_equal(th_find(f->s, NULL, 0, NULL), 5);

    /* a changed session object keeps its place */
    {
        CK_ATTRIBUTE lbl[] = {{CKA_LABEL, STR("keep-a2")}};

        assert_int_equal(fh_object_set_attributes(f->s, a, lbl, 1), FH_OK);
        assert_int_equal(th_find_one_label(f->s, CKO_DATA, "keep-a2"), a);
        assert_int_equal(check_sobj_list(f->tok), 5);
    }

    /* the other session's object goes with it, and only that one */
    fh_session_close(s2);
    assert_int_equal(check_sobj_list(f->tok), 4);
    assert_int_equal(th_find(f->s, q_all, N(q_all), &v), 2);
    assert_int_equal(v[0], a);
    assert_int_equal(v[1], p);
    free(v);
    v = NULL;

    /* logout destroys private session objects and their cached keys */
    assert_int_equal(fh_token_logout(f->tok), FH_OK);
    assert_int_equal(f->tok->kcache_sess_n, 0);
    assert_int_equal(check_sobj_list(f->tok), 2); /* keep-a2, the public key */
    assert_int_equal(th_find(f->s, q_all, N(q_all), &v), 1);
    assert_int_equal(v[0], a);
    free(v);
    v = NULL;
    assert_int_equal(th_find(f->s, NULL, 0, &v), 2);
    assert_int_equal(v[0], a);
    assert_int_equal(v[1], pub);
    free(v);

    /* the last ones leave an empty list, and new ones start it again */
    assert_int_equal(fh_object_destroy(f->s, pub), FH_OK);
    assert_int_equal(fh_object_destroy(f->s, a), FH_OK);
    assert_int_equal(check_sobj_list(f->tok), 0);
    assert_int_equal(f->tok->sobj_first, 0);
    h = make_sdata(f->s, false, "again");
    assert_int_equal(check_sobj_list(f->tok), 1);
    assert_int_equal(f->tok->sobj_first, h);
    assert_int_equal(th_find_one_label(f->s, CKO_DATA, "again"), h);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(public_data_readable_without_login),
        T(private_data_invisible_until_login),
        T(create_template_errors),
        T(token_object_in_ro_session),
        T(sensitive_value_not_revealed),
        T(sensitive_rsa_key_material_not_revealed),
        T(extractable_value_reads_back),
        T(set_attributes_rules),
        T(find_among_200),
        T(find_empty_label),
        T(session_objects_vanish),
        T(certificate_objects),
        T(no_plaintext_secrets_in_store),
        T(copy_to_private_data_seals_value),
        T(copy_to_public_data_readable),
        T(extractable_ec_private_value),
        T(extractable_rsa_private_components),
        T(public_secret_key_label_without_login),
        T(find_visits_live_session_objects_only),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
