/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Threads, fork, and bad input: [BASE] 5.1 return values, 5.4.1 (threading
 * and processes), [PKCS11-UG] "Applications and processes".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p11conf.h"

#define USER_SESSION(state) ((CK_SESSION_HANDLE)(uintptr_t)(*(state)))

struct signer {
    CK_OBJECT_HANDLE priv, pub;
    int thread_no;
    CK_RV first_error;
    int done;
};

static void *
signer_main(void *arg)
{
    struct signer *sg = arg;
    CK_SESSION_HANDLE s;
    CK_RV rv = p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
    if (rv != CKR_OK) {
        sg->first_error = rv;
        return NULL;
    }
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    for (int i = 0; i < 200; i++) {
        CK_BYTE h[32], sig[64];
        memset(h, sg->thread_no * 31 + i, sizeof h);
        CK_ULONG sl = sizeof sig;
        rv = p11->C_SignInit(s, &m, sg->priv);
        if (rv == CKR_OK)
            rv = p11->C_Sign(s, h, sizeof h, sig, &sl);
        if (rv == CKR_OK && i % 20 == 0) {
            rv = p11->C_VerifyInit(s, &m, sg->pub);
            if (rv == CKR_OK)
                rv = p11->C_Verify(s, h, sizeof h, sig, sl);
        }
        if (rv != CKR_OK) {
            sg->first_error = rv;
            break;
        }
        sg->done++;
    }
    p11->C_CloseSession(s);
    return NULL;
}

/* [BASE] 5.4.1 C_Initialize (CKF_OS_LOCKING_OK: the application "will be
 * performing multi-threaded Cryptoki access") and [BASE] 5.20 / [PKCS11-UG]
 * sessions and threads: 4 threads, each with its own session, sign 200 times
 * with one shared session key, with no error. */
static void
test_threads_sign(void **state)
{
    (void)state;
    p11->C_Finalize(NULL);
    CK_C_INITIALIZE_ARGS a;
    memset(&a, 0, sizeof a);
    a.flags = CKF_OS_LOCKING_OK;
    CK_OK(p11->C_Initialize(&a));
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    login_user(s);
    CK_OBJECT_HANDLE pub, priv;
    gen_ec(s, &pub, &priv);
    struct signer sg[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        sg[i] = (struct signer){priv, pub, i, CKR_OK, 0};
        assert_int_equal(pthread_create(&th[i], NULL, signer_main, &sg[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        CK_OK(sg[i].first_error);
        assert_int_equal(sg[i].done, 200);
    }
}

/* [PKCS11-UG] 2.5.1 "Applications and processes" (the model [BASE] 5.4.1
 * refers to): a child created by fork() does not inherit an initialised
 * Cryptoki; it "must call C_Initialize" and until then calls fail with
 * CKR_CRYPTOKI_NOT_INITIALIZED. After its own C_Initialize the child works
 * (opens a session, logs in, signs). The parent is unaffected. */
static void
test_fork_child(void **state)
{
    CK_SESSION_HANDLE s = USER_SESSION(state);
    /* SoftHSMv2 2.6.1 deviates (seen in a real run): without
     * library.reset_on_fork the child keeps the parent's initialised state and
     * C_GetInfo returns CKR_OK. */
    if (impl_is_softhsm())
        skip();
    CK_OBJECT_HANDLE pub, priv;
    gen_ec(s, &pub, &priv);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        CK_RV r[5];
        CK_INFO info;
        CK_SESSION_INFO si;
        CK_SESSION_HANDLE cs = CK_INVALID_HANDLE;
        close(pfd[0]);
        r[0] = p11->C_GetInfo(&info);
        r[1] = p11->C_GetSessionInfo(s, &si);
        r[2] = p11->C_Initialize(NULL);
        r[3] = p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &cs);
        if (r[3] == CKR_OK)
            r[3] =
                p11->C_Login(cs, CKU_USER, (CK_UTF8CHAR_PTR)conf_user_pin, strlen(conf_user_pin));
        r[4] = CKR_GENERAL_ERROR;
        if (r[3] == CKR_OK) {
            CK_MECHANISM m = {CKM_SHA256, NULL, 0};
            CK_BYTE d[32];
            CK_ULONG dl = sizeof d;
            r[4] = p11->C_DigestInit(cs, &m);
            if (r[4] == CKR_OK)
                r[4] = p11->C_Digest(cs, (CK_BYTE_PTR) "abc", 3, d, &dl);
        }
        p11->C_Finalize(NULL);
        ssize_t w = write(pfd[1], r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(pfd[1]);
    CK_RV r[5];
    ssize_t got = read(pfd[0], r, sizeof r);
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_int_equal(got, sizeof r);
    /* The parent still works. */
    CK_SESSION_INFO si;
    CK_OK(p11->C_GetSessionInfo(s, &si));
    assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, r[0]);
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, r[1]);
    CK_OK(r[2]);
    CK_OK(r[3]);
    CK_OK(r[4]);
}

/* [BASE] 5.1.1 universal return values: before C_Initialize, every function
 * other than C_Initialize / C_GetFunctionList / C_GetInterface(List) returns
 * CKR_CRYPTOKI_NOT_INITIALIZED. */
static void
test_not_initialized(void **state)
{
    (void)state;
    p11->C_Finalize(NULL);
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;
    CK_MECHANISM_INFO mi;
    CK_SESSION_HANDLE s;
    CK_ULONG n = 0;
    CK_BYTE b[16];
    CK_MECHANISM m = {CKM_SHA256, NULL, 0};
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GetSlotInfo(conf_slot, &si));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GetTokenInfo(conf_slot, &ti));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GetMechanismList(conf_slot, NULL, &n));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GetMechanismInfo(conf_slot, CKM_SHA256, &mi));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED,
              p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION, NULL, NULL, &s));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_CloseAllSessions(conf_slot));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_CloseSession(1));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_Login(1, CKU_USER, (CK_UTF8CHAR_PTR) "x", 1));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_DigestInit(1, &m));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GenerateRandom(1, b, sizeof b));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_FindObjectsInit(1, NULL, 0));
    CK_C_GetFunctionList gfl = p11->C_GetFunctionList;
    CK_FUNCTION_LIST_PTR fl = NULL;
    CK_OK(gfl(&fl));
}

/* One fresh R/W user session per bad-argument check, so an operation ended or
 * left active by one check cannot change the next. */
static CK_SESSION_HANDLE
fresh(void)
{
    return open_session(CKF_RW_SESSION);
}

/* [BASE] 5.1.5 / 5.1.6: CKR_ARGUMENTS_BAD "This is a rather generic error code
 * which indicates that the arguments supplied to the Cryptoki function were in
 * some way not appropriate" — here a NULL pointer where the function needs one
 * — for every function taking a pointer; never a crash. */
static void
test_null_arguments(void **state)
{
    CK_SESSION_HANDLE s0 = USER_SESSION(state);
    CK_OBJECT_HANDLE pub, priv, h;
    gen_ec(s0, &pub, &priv);
    CK_OBJECT_HANDLE ak = gen_aes(s0, 16, 1);
    CK_OBJECT_HANDLE kek = gen_aes(s0, 32, 0);
    CK_ULONG n = 0;
    CK_BYTE buf[256];
    CK_OBJECT_CLASS cls = CKO_DATA;
    CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof cls};
    CK_MECHANISM ecdsa = {CKM_ECDSA, NULL, 0};
    CK_MECHANISM sha = {CKM_SHA256, NULL, 0};
    CK_BYTE iv[16] = {0};
    CK_MECHANISM cbc = {CKM_AES_CBC_PAD, iv, sizeof iv};
    CK_MECHANISM gen = {CKM_AES_KEY_GEN, NULL, 0};
    CK_MECHANISM kw = {CKM_AES_KEY_WRAP, NULL, 0};
    CK_SESSION_HANDLE s;

    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetInfo(NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetSlotList(CK_FALSE, NULL, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetSlotInfo(conf_slot, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetTokenInfo(conf_slot, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetMechanismList(conf_slot, NULL, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetMechanismInfo(conf_slot, CKM_SHA256, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD,
              p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION, NULL, NULL, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetSessionInfo(fresh(), NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_CreateObject(fresh(), NULL, 1, &h));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_CreateObject(fresh(), &t, 1, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_CopyObject(fresh(), ak, NULL, 1, &h));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_CopyObject(fresh(), ak, &t, 0, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetObjectSize(fresh(), ak, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetAttributeValue(fresh(), ak, NULL, 1));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_SetAttributeValue(fresh(), ak, NULL, 1));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_FindObjectsInit(fresh(), NULL, 1));
    s = fresh();
    CK_OK(p11->C_FindObjectsInit(s, &t, 1));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_FindObjects(s, NULL, 1, &n));
    s = fresh();
    CK_OK(p11->C_FindObjectsInit(s, &t, 1));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_FindObjects(s, &h, 1, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_EncryptInit(fresh(), NULL, ak));
    s = fresh();
    CK_OK(p11->C_EncryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Encrypt(s, NULL, 16, buf, &n));
    s = fresh();
    CK_OK(p11->C_EncryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Encrypt(s, buf, 16, buf, NULL));
    s = fresh();
    CK_OK(p11->C_EncryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_EncryptUpdate(s, buf, 16, buf, NULL));
    s = fresh();
    CK_OK(p11->C_EncryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_EncryptFinal(s, buf, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DecryptInit(fresh(), NULL, ak));
    s = fresh();
    CK_OK(p11->C_DecryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Decrypt(s, buf, 16, buf, NULL));
    s = fresh();
    CK_OK(p11->C_DecryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DecryptUpdate(s, NULL, 16, buf, &n));
    s = fresh();
    CK_OK(p11->C_DecryptInit(s, &cbc, ak));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DecryptFinal(s, buf, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DigestInit(fresh(), NULL));
    s = fresh();
    CK_OK(p11->C_DigestInit(s, &sha));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Digest(s, buf, 3, buf, NULL));
    s = fresh();
    CK_OK(p11->C_DigestInit(s, &sha));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DigestUpdate(s, NULL, 3));
    s = fresh();
    CK_OK(p11->C_DigestInit(s, &sha));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DigestFinal(s, buf, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_SignInit(fresh(), NULL, priv));
    s = fresh();
    CK_OK(p11->C_SignInit(s, &ecdsa, priv));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Sign(s, buf, 32, buf, NULL));
    s = fresh();
    CK_OK(p11->C_SignInit(s, &ecdsa, priv));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Sign(s, NULL, 32, buf, &n));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_VerifyInit(fresh(), NULL, pub));
    s = fresh();
    CK_OK(p11->C_VerifyInit(s, &ecdsa, pub));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Verify(s, buf, 32, NULL, 64));
    s = fresh();
    CK_ULONG len = 16;
    CK_ATTRIBUTE gt = {CKA_VALUE_LEN, &len, sizeof len};
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GenerateKey(s, NULL, &gt, 1, &h));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GenerateKey(fresh(), &gen, &gt, 1, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GenerateKey(fresh(), &gen, NULL, 1, &h));
    CK_MECHANISM ecgen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE ecp = {CKA_EC_PARAMS, (void *)(uintptr_t)oid_p256, sizeof oid_p256};
    CK_OBJECT_HANDLE h2;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GenerateKeyPair(fresh(), NULL, &ecp, 1, NULL, 0, &h, &h2));
    CK_ASSERT(CKR_ARGUMENTS_BAD,
              p11->C_GenerateKeyPair(fresh(), &ecgen, &ecp, 1, NULL, 0, NULL, &h2));
    CK_ASSERT(CKR_ARGUMENTS_BAD,
              p11->C_GenerateKeyPair(fresh(), &ecgen, &ecp, 1, NULL, 0, &h, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_WrapKey(fresh(), NULL, kek, ak, buf, &n));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_WrapKey(fresh(), &kw, kek, ak, buf, NULL));
    CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_AES;
    CK_ATTRIBUTE ut[] = {{CKA_CLASS, &sk, sizeof sk}, {CKA_KEY_TYPE, &kt, sizeof kt}};
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_UnwrapKey(fresh(), &kw, kek, NULL, 24, ut, 2, &h));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_UnwrapKey(fresh(), &kw, kek, buf, 24, ut, 2, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_UnwrapKey(fresh(), NULL, kek, buf, 24, ut, 2, &h));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_DeriveKey(fresh(), NULL, priv, ut, 2, &h));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GenerateRandom(fresh(), NULL, 16));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Login(fresh(), CKU_USER, NULL, 4));
    if (p11v3 != NULL) {
        CK_C_GetInterface gi = module_get_interface();
        CK_C_GetInterfaceList gil = module_get_interface_list();
        CK_ASSERT(CKR_ARGUMENTS_BAD, gi((CK_UTF8CHAR_PTR) "PKCS 11", NULL, NULL, 0));
        CK_ASSERT(CKR_ARGUMENTS_BAD, gil(NULL, NULL));
        CK_ASSERT(CKR_ARGUMENTS_BAD, p11v3->C_GetFunctionList(NULL));
        /* C_LoginUser ([BASE] 5.6.9) may be CKR_FUNCTION_NOT_SUPPORTED. */
        CK_RV rv = p11v3->C_LoginUser(fresh(), CKU_USER, (CK_UTF8CHAR_PTR)conf_user_pin,
                                      strlen(conf_user_pin), NULL, 3);
        if (rv != CKR_FUNCTION_NOT_SUPPORTED)
            CK_ASSERT(CKR_ARGUMENTS_BAD, rv);
    } else {
        CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetFunctionList(NULL));
    }
}

/* [BASE] 5.1.2 (session handle) and 5.1.5 (object/key handles): invalid
 * handles and a closed session are reported, never a crash. */
static void
test_invalid_handles(void **state)
{
    CK_SESSION_HANDLE s = USER_SESSION(state);
    const CK_SESSION_HANDLE bad = 0x7ffffff0UL;
    CK_MECHANISM sha = {CKM_SHA256, NULL, 0};
    CK_BYTE buf[64];
    CK_ULONG n = sizeof buf;
    CK_ATTRIBUTE a = {CKA_LABEL, NULL, 0};
    CK_OBJECT_HANDLE h;
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_DigestInit(bad, &sha));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_Digest(bad, buf, 3, buf, &n));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_FindObjectsInit(bad, NULL, 0));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GetAttributeValue(bad, 1, &a, 1));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GenerateRandom(bad, buf, 8));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_CreateObject(bad, &a, 1, &h));
    CK_ASSERT(CKR_OBJECT_HANDLE_INVALID, p11->C_GetAttributeValue(s, 0x7ffffff0UL, &a, 1));
    CK_ASSERT(CKR_OBJECT_HANDLE_INVALID, p11->C_GetAttributeValue(s, CK_INVALID_HANDLE, &a, 1));
    CK_ASSERT(CKR_OBJECT_HANDLE_INVALID, p11->C_SetAttributeValue(s, 0x7ffffff0UL, &a, 1));
    CK_ASSERT(CKR_OBJECT_HANDLE_INVALID, p11->C_DestroyObject(s, 0x7ffffff0UL));
    CK_SESSION_HANDLE c = open_session(0);
    CK_OK(p11->C_CloseSession(c));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_DigestInit(c, &sha));
}

/* Wrong states: [BASE] 5.8.2, 5.10.2, 5.12.2, 5.13.2, 5.15.2 — each
 * operation call without its Init is CKR_OPERATION_NOT_INITIALIZED; an Init
 * while one is active is CKR_OPERATION_ACTIVE ([BASE] 5.1.5). */
static void
test_wrong_states(void **state)
{
    CK_SESSION_HANDLE s = USER_SESSION(state);
    CK_BYTE buf[64];
    CK_ULONG n = sizeof buf;
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_Encrypt(s, buf, 16, buf, &n));
    n = sizeof buf;
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_Decrypt(s, buf, 16, buf, &n));
    n = sizeof buf;
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_Digest(s, buf, 16, buf, &n));
    n = sizeof buf;
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_Sign(s, buf, 16, buf, &n));
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_Verify(s, buf, 16, buf, 16));
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_SignUpdate(s, buf, 16));
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_VerifyFinal(s, buf, 16));
    n = sizeof buf;
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_EncryptFinal(s, buf, &n));
    CK_OBJECT_HANDLE pub, priv;
    gen_ec(s, &pub, &priv);
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    CK_BYTE h[32], sig[64];
    memset(h, 1, sizeof h);
    CK_OK(p11->C_SignInit(s, &m, priv));
    CK_ASSERT(CKR_OPERATION_ACTIVE, p11->C_SignInit(s, &m, priv));
    n = sizeof sig;
    CK_OK(p11->C_Sign(s, h, sizeof h, sig, &n));
    CK_OK(p11->C_VerifyInit(s, &m, pub));
    CK_ASSERT(CKR_OPERATION_ACTIVE, p11->C_VerifyInit(s, &m, pub));
    CK_OK(p11->C_Verify(s, h, sizeof h, sig, n));
}

const struct CMUnitTest misc_tests[] = {
    cmocka_unit_test_teardown(test_threads_sign, fx_user_fini),
    cmocka_unit_test_setup_teardown(test_fork_child, fx_user, fx_user_fini),
    cmocka_unit_test_teardown(test_not_initialized, fx_fini),
    cmocka_unit_test_setup_teardown(test_null_arguments, fx_user, fx_user_fini),
    cmocka_unit_test_setup_teardown(test_invalid_handles, fx_user, fx_user_fini),
    cmocka_unit_test_setup_teardown(test_wrong_states, fx_user, fx_user_fini),
};
const size_t misc_count = sizeof misc_tests / sizeof misc_tests[0];
