/* SPDX-License-Identifier: Apache-2.0 */
/*
 * General-purpose, slot/token and mechanism functions: [BASE] 5.4, 5.5.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "p11conf.h"

/* [BASE] 5.4.1 C_Initialize: "If C_Initialize is called twice without an
 * intervening C_Finalize, CKR_CRYPTOKI_ALREADY_INITIALIZED";
 * [BASE] 5.4.2 C_Finalize: after it, calls return CKR_CRYPTOKI_NOT_INITIALIZED
 * ([BASE] 5.1.1 universal return values). */
static void
test_initialize_twice(void **state)
{
    (void)state;
    CK_OK(p11->C_Initialize(NULL));
    CK_ASSERT(CKR_CRYPTOKI_ALREADY_INITIALIZED, p11->C_Initialize(NULL));
    CK_OK(p11->C_Finalize(NULL));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_Finalize(NULL));
    CK_INFO info;
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GetInfo(&info));
    CK_ULONG n = 0;
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_GetSlotList(CK_FALSE, NULL, &n));
    CK_SESSION_HANDLE s;
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED,
              p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION, NULL, NULL, &s));
    /* And the library initialises again after C_Finalize. */
    CK_OK(p11->C_Initialize(NULL));
    CK_OK(p11->C_Finalize(NULL));
}

/* [BASE] 5.4.2 C_Finalize: "The pReserved parameter is reserved for future
 * versions. For this version, it should be set to NULL_PTR (if C_Finalize is
 * called with a non-NULL_PTR value for pReserved, it should return the value
 * CKR_ARGUMENTS_BAD." */
static void
test_finalize_reserved(void **state)
{
    (void)state;
    CK_OK(p11->C_Initialize(NULL));
    int dummy = 0;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Finalize(&dummy));
    CK_OK(p11->C_Finalize(NULL));
}

/* [BASE] 5.4.1 C_Initialize: CK_C_INITIALIZE_ARGS.pReserved "should be set to
 * NULL_PTR; if it is not, then C_Initialize should return CKR_ARGUMENTS_BAD". */
static void
test_initialize_preserved(void **state)
{
    (void)state;
    int dummy = 0;
    CK_C_INITIALIZE_ARGS a;
    memset(&a, 0, sizeof a);
    a.pReserved = &dummy;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Initialize(&a));
    /* The failed call left the library uninitialised. */
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_Finalize(NULL));
}

/* Mutex callbacks backed by pthreads, counting their use. */
static int mutex_created;

static CK_RV
cb_create(CK_VOID_PTR_PTR pp)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (m == NULL)
        return CKR_HOST_MEMORY;
    pthread_mutex_init(m, NULL);
    __atomic_add_fetch(&mutex_created, 1, __ATOMIC_SEQ_CST);
    *pp = m;
    return CKR_OK;
}

static CK_RV
cb_destroy(CK_VOID_PTR p)
{
    pthread_mutex_destroy(p);
    free(p);
    return CKR_OK;
}

static CK_RV
cb_lock(CK_VOID_PTR p)
{
    return pthread_mutex_lock(p) == 0 ? CKR_OK : CKR_MUTEX_BAD;
}

static CK_RV
cb_unlock(CK_VOID_PTR p)
{
    return pthread_mutex_unlock(p) == 0 ? CKR_OK : CKR_MUTEX_NOT_LOCKED;
}

static void
use_library_briefly(void)
{
    CK_SESSION_HANDLE s = open_session(0);
    CK_SESSION_INFO si;
    CK_OK(p11->C_GetSessionInfo(s, &si));
    CK_OK(p11->C_CloseSession(s));
}

/* [BASE] 5.4.1 C_Initialize, the four mutex cases:
 *  - some but not all of the function pointers supplied: CKR_ARGUMENTS_BAD;
 *  - none supplied, CKF_OS_LOCKING_OK clear or set: the library works;
 *  - all supplied, CKF_OS_LOCKING_OK clear: "the library must use the supplied
 *    function pointers ... If the library is unable to do this, C_Initialize
 *    should return CKR_CANT_LOCK";
 *  - all supplied and CKF_OS_LOCKING_OK set: OS primitives or the callbacks. */
static void
test_initialize_mutex_combos(void **state)
{
    (void)state;
    CK_C_INITIALIZE_ARGS a;

    memset(&a, 0, sizeof a);
    a.CreateMutex = cb_create;
    a.LockMutex = cb_lock;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Initialize(&a));
    a.flags = CKF_OS_LOCKING_OK;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Initialize(&a));
    CK_ASSERT(CKR_CRYPTOKI_NOT_INITIALIZED, p11->C_Finalize(NULL));

    memset(&a, 0, sizeof a);
    CK_OK(p11->C_Initialize(&a));
    use_library_briefly();
    CK_OK(p11->C_Finalize(NULL));

    a.flags = CKF_OS_LOCKING_OK;
    CK_OK(p11->C_Initialize(&a));
    use_library_briefly();
    CK_OK(p11->C_Finalize(NULL));

    a.flags = CKF_OS_LOCKING_OK;
    a.CreateMutex = cb_create;
    a.DestroyMutex = cb_destroy;
    a.LockMutex = cb_lock;
    a.UnlockMutex = cb_unlock;
    CK_OK(p11->C_Initialize(&a));
    use_library_briefly();
    CK_OK(p11->C_Finalize(NULL));

    a.flags = 0;
    mutex_created = 0;
    CK_RV rv = p11->C_Initialize(&a);
    if (rv == CKR_CANT_LOCK)
        return;
    CK_OK(rv);
    use_library_briefly();
    CK_OK(p11->C_Finalize(NULL));
    /* "must use the supplied function pointers" */
    assert_true(mutex_created > 0);
}

static int
blank_padded(const CK_UTF8CHAR *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0)
            return 0;
    }
    return 1;
}

/* [BASE] 5.4.3 C_GetInfo and 3.1 CK_INFO: cryptokiVersion is the interface
 * version; flags "MUST be zero for this version"; the strings are blank
 * padded, not NUL terminated (3.1: "must be padded with the blank
 * character"). */
static void
test_get_info(void **state)
{
    (void)state;
    CK_INFO info;
    memset(&info, 0, sizeof info);
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetInfo(NULL));
    CK_OK(p11->C_GetInfo(&info));
    if (p11v3 != NULL) {
        assert_int_equal(info.cryptokiVersion.major, 3);
        assert_int_equal(info.cryptokiVersion.minor, 0);
    } else {
        assert_int_equal(info.cryptokiVersion.major, 2);
        assert_true(info.cryptokiVersion.minor >= 20);
    }
    assert_int_equal(info.flags, 0);
    assert_true(blank_padded(info.manufacturerID, sizeof info.manufacturerID));
    assert_true(blank_padded(info.libraryDescription, sizeof info.libraryDescription));
}

/* [BASE] 5.4.5 C_GetInterfaceList and 5.4.6 C_GetInterface: the list is
 * returned per 5.2 (length query, CKR_BUFFER_TOO_SMALL); "PKCS 11" 3.0 is
 * offered; a NULL ppInterface is CKR_ARGUMENTS_BAD; the function list
 * version matches the interface requested. */
static void
test_get_interface(void **state)
{
    (void)state;
    require_v3();
    CK_C_GetInterfaceList gil = module_get_interface_list();
    CK_C_GetInterface gi = module_get_interface();
    assert_non_null(gil);
    assert_non_null(gi);
    CK_ULONG n = 0;
    CK_ASSERT(CKR_ARGUMENTS_BAD, gil(NULL, NULL));
    CK_OK(gil(NULL, &n));
    assert_true(n >= 1);
    CK_INTERFACE list[16];
    assert_true(n <= 16);
    if (n > 1) {
        CK_ULONG small = 1;
        CK_ASSERT(CKR_BUFFER_TOO_SMALL, gil(list, &small));
        assert_int_equal(small, n);
    }
    CK_OK(gil(list, &n));
    int found = 0;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_VERSION *v = list[i].pFunctionList;
        if (strcmp((const char *)list[i].pInterfaceName, "PKCS 11") == 0 && v->major == 3 &&
            v->minor == 0)
            found = 1;
    }
    assert_true(found);

    CK_INTERFACE_PTR ip = NULL;
    CK_VERSION v30 = {3, 0};
    CK_ASSERT(CKR_ARGUMENTS_BAD, gi((CK_UTF8CHAR_PTR) "PKCS 11", &v30, NULL, 0));
    CK_OK(gi((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &ip, 0));
    assert_non_null(ip);
    assert_int_equal(((CK_VERSION *)ip->pFunctionList)->major, 3);
    assert_int_equal(((CK_VERSION *)ip->pFunctionList)->minor, 0);
    /* NULL name and version: the default interface. */
    ip = NULL;
    CK_OK(gi(NULL, NULL, &ip, 0));
    assert_non_null(ip);
    assert_non_null(ip->pFunctionList);
    /* An interface the module does not have. */
    ip = NULL;
    CK_RV rv = gi((CK_UTF8CHAR_PTR) "No Such Interface", NULL, &ip, 0);
    assert_true(rv != CKR_OK);
    /* The 3.0 list also carries C_GetFunctionList, which returns a usable list. */
    CK_FUNCTION_LIST_PTR fl = NULL;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11v3->C_GetFunctionList(NULL));
    CK_OK(p11v3->C_GetFunctionList(&fl));
    assert_non_null(fl);
    assert_non_null(fl->C_Initialize);
}

/* [BASE] 5.5.1 C_GetSlotList, with the conventions of 5.2: a NULL pSlotList
 * returns the count with CKR_OK; a buffer too small returns
 * CKR_BUFFER_TOO_SMALL and the needed count in *pulCount. */
static void
test_get_slot_list(void **state)
{
    (void)state;
    CK_ULONG n = 0;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetSlotList(CK_TRUE, NULL, NULL));
    CK_OK(p11->C_GetSlotList(CK_TRUE, NULL, &n));
    assert_true(n >= 1);
    CK_SLOT_ID *slots = calloc(n + 1, sizeof *slots);
    assert_non_null(slots);
    CK_ULONG small = 0;
    CK_ASSERT(CKR_BUFFER_TOO_SMALL, p11->C_GetSlotList(CK_TRUE, slots, &small));
    assert_int_equal(small, n);
    CK_ULONG m = n;
    CK_OK(p11->C_GetSlotList(CK_TRUE, slots, &m));
    assert_int_equal(m, n);
    int found = 0;
    for (CK_ULONG i = 0; i < m; i++)
        found |= slots[i] == conf_slot;
    assert_true(found);
    free(slots);
    /* All slots: at least the ones with a token. */
    CK_ULONG all = 0;
    CK_OK(p11->C_GetSlotList(CK_FALSE, NULL, &all));
    assert_true(all >= n);
}

/* [BASE] 5.5.2 C_GetSlotInfo, 5.5.3 C_GetTokenInfo: CKF_TOKEN_PRESENT, an
 * initialised token with its user PIN set; CKR_SLOT_ID_INVALID for a slot
 * that does not exist. */
static void
test_slot_and_token_info(void **state)
{
    (void)state;
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;
    CK_OK(p11->C_GetSlotInfo(conf_slot, &si));
    assert_true(si.flags & CKF_TOKEN_PRESENT);
    assert_true(blank_padded(si.slotDescription, sizeof si.slotDescription));
    CK_OK(p11->C_GetTokenInfo(conf_slot, &ti));
    assert_true(ti.flags & CKF_TOKEN_INITIALIZED);
    assert_true(ti.flags & CKF_USER_PIN_INITIALIZED);
    assert_true(blank_padded(ti.label, sizeof ti.label));
    assert_true(ti.ulMinPinLen <= ti.ulMaxPinLen);
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetSlotInfo(conf_slot, NULL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetTokenInfo(conf_slot, NULL));
    CK_ASSERT(CKR_SLOT_ID_INVALID, p11->C_GetSlotInfo(0x7ffffff0UL, &si));
    CK_ASSERT(CKR_SLOT_ID_INVALID, p11->C_GetTokenInfo(0x7ffffff0UL, &ti));
}

/* [BASE] 3.2 CK_TOKEN_INFO flags: CKF_USER_PIN_COUNT_LOW "True if an incorrect
 * user login PIN has been entered at least once since the last successful
 * authentication" (CKF_SO_PIN_COUNT_LOW likewise for the SO); [BASE] 5.6.8
 * C_Login: a wrong PIN is CKR_PIN_INCORRECT. After a successful login the flag
 * is clear again. */
static void
test_token_flags_after_bad_login(void **state)
{
    (void)state;
    if (impl_is_remote())
        SKIP_BECAUSE("remote slot: protected authentication path, no PIN to get wrong (the API key is the credential)");
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CK_TOKEN_INFO ti;
    CK_ASSERT(CKR_PIN_INCORRECT, p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "wrong-pin", 9));
    CK_OK(p11->C_GetTokenInfo(conf_slot, &ti));
    assert_true(ti.flags & CKF_USER_PIN_COUNT_LOW);
    assert_false(ti.flags & CKF_USER_PIN_LOCKED);
    login_user(s);
    CK_OK(p11->C_GetTokenInfo(conf_slot, &ti));
    assert_false(ti.flags & CKF_USER_PIN_COUNT_LOW);
    assert_false(ti.flags & CKF_USER_PIN_FINAL_TRY);
    CK_OK(p11->C_Logout(s));
    /* The same for the SO: CKF_SO_PIN_COUNT_LOW. */
    CK_ASSERT(CKR_PIN_INCORRECT, p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) "wrong-pin", 9));
    CK_OK(p11->C_GetTokenInfo(conf_slot, &ti));
    assert_true(ti.flags & CKF_SO_PIN_COUNT_LOW);
    CK_OK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)conf_so_pin, strlen(conf_so_pin)));
    CK_OK(p11->C_GetTokenInfo(conf_slot, &ti));
    assert_false(ti.flags & CKF_SO_PIN_COUNT_LOW);
    CK_OK(p11->C_Logout(s));
}

/* [BASE] 5.5.5 C_GetMechanismList: conventions of 5.2 (NULL list gives the
 * count, a short buffer CKR_BUFFER_TOO_SMALL with the count). */
static void
test_mechanism_list(void **state)
{
    (void)state;
    CK_ULONG n = 0;
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetMechanismList(conf_slot, NULL, NULL));
    CK_OK(p11->C_GetMechanismList(conf_slot, NULL, &n));
    assert_true(n > 0);
    CK_MECHANISM_TYPE *m = calloc(n, sizeof *m);
    assert_non_null(m);
    CK_ULONG small = 1;
    CK_ASSERT(CKR_BUFFER_TOO_SMALL, p11->C_GetMechanismList(conf_slot, m, &small));
    assert_int_equal(small, n);
    CK_ULONG k = n;
    CK_OK(p11->C_GetMechanismList(conf_slot, m, &k));
    assert_int_equal(k, n);
    int ecdsa = 0, gcm = 0, sha256 = 0;
    for (CK_ULONG i = 0; i < k; i++) {
        ecdsa |= m[i] == CKM_ECDSA;
        gcm |= m[i] == CKM_AES_GCM;
        sha256 |= m[i] == CKM_SHA256;
    }
    assert_true(ecdsa && gcm && sha256);
    free(m);
    CK_ULONG x = 0;
    CK_ASSERT(CKR_SLOT_ID_INVALID, p11->C_GetMechanismList(0x7ffffff0UL, NULL, &x));
}

/* [BASE] 5.5.6 C_GetMechanismInfo and 3.5 CK_MECHANISM_INFO flags; key sizes
 * of RSA and EC mechanisms are in bits ([MECH] RSA and EC mechanism tables). An unknown
 * mechanism is CKR_MECHANISM_INVALID. */
static void
test_mechanism_info(void **state)
{
    (void)state;
    CK_MECHANISM_INFO mi;
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_ECDSA, &mi));
    assert_true((mi.flags & (CKF_SIGN | CKF_VERIFY)) == (CKF_SIGN | CKF_VERIFY));
    assert_true(mi.ulMinKeySize <= 256 && mi.ulMaxKeySize >= 256);
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_AES_GCM, &mi));
    assert_true((mi.flags & (CKF_ENCRYPT | CKF_DECRYPT)) == (CKF_ENCRYPT | CKF_DECRYPT));
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_RSA_PKCS_PSS, &mi));
    assert_true((mi.flags & (CKF_SIGN | CKF_VERIFY)) == (CKF_SIGN | CKF_VERIFY));
    assert_false(mi.flags & (CKF_ENCRYPT | CKF_DECRYPT));
    assert_true(mi.ulMinKeySize <= 2048 && mi.ulMaxKeySize >= 2048);
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_AES_KEY_GEN, &mi));
    assert_true(mi.flags & CKF_GENERATE);
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_EC_KEY_PAIR_GEN, &mi));
    assert_true(mi.flags & CKF_GENERATE_KEY_PAIR);
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_SHA256, &mi));
    assert_true(mi.flags & CKF_DIGEST);
    CK_ASSERT(CKR_MECHANISM_INVALID, p11->C_GetMechanismInfo(conf_slot, 0x7ffffff0UL, &mi));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetMechanismInfo(conf_slot, CKM_ECDSA, NULL));
    CK_ASSERT(CKR_SLOT_ID_INVALID, p11->C_GetMechanismInfo(0x7ffffff0UL, CKM_ECDSA, &mi));
}

/* [BASE] 5.19.2 C_GenerateRandom; 5.19.1 C_SeedRandom may be unsupported
 * (CKR_RANDOM_SEED_NOT_SUPPORTED) but then says so. */
static void
test_generate_random(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s = open_session(0);
    CK_BYTE a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CK_OK(p11->C_GenerateRandom(s, a, sizeof a));
    CK_OK(p11->C_GenerateRandom(s, b, sizeof b));
    assert_memory_not_equal(a, b, sizeof a);
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GenerateRandom(s, NULL, 16));
    CK_RV rv = p11->C_SeedRandom(s, a, sizeof a);
    assert_true(rv == CKR_OK || rv == CKR_RANDOM_SEED_NOT_SUPPORTED);
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GenerateRandom(0x7ffffff0UL, a, sizeof a));
    CK_OK(p11->C_CloseSession(s));
}

const struct CMUnitTest general_tests[] = {
    cmocka_unit_test_teardown(test_initialize_twice, fx_fini),
    cmocka_unit_test_teardown(test_finalize_reserved, fx_fini),
    cmocka_unit_test_teardown(test_initialize_preserved, fx_fini),
    cmocka_unit_test_teardown(test_initialize_mutex_combos, fx_fini),
    cmocka_unit_test_setup_teardown(test_get_info, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_get_interface, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_get_slot_list, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_slot_and_token_info, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_token_flags_after_bad_login, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_mechanism_list, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_mechanism_info, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_generate_random, fx_init, fx_fini),
};
const size_t general_count = sizeof general_tests / sizeof general_tests[0];
