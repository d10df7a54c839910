/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session management and login: [BASE] 5.6, session states [BASE] 3.3
 * (CK_STATE, CK_SESSION_INFO) and the session model of [PKCS11-UG].
 */
#include <string.h>

#include "p11conf.h"

static CK_STATE
state_of(CK_SESSION_HANDLE s)
{
    CK_SESSION_INFO si;
    memset(&si, 0, sizeof si);
    CK_OK(p11->C_GetSessionInfo(s, &si));
    assert_int_equal(si.slotID, conf_slot);
    return si.state;
}

static CK_RV
login_so(CK_SESSION_HANDLE s)
{
    return p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)conf_so_pin, strlen(conf_so_pin));
}

static CK_RV
login_as_user(CK_SESSION_HANDLE s)
{
    return p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)conf_user_pin, strlen(conf_user_pin));
}

/* [BASE] 5.6.1 C_OpenSession and 5.6.4 C_GetSessionInfo: a R/O session is
 * CKS_RO_PUBLIC_SESSION with CKF_SERIAL_SESSION, a R/W one
 * CKS_RW_PUBLIC_SESSION with CKF_RW_SESSION | CKF_SERIAL_SESSION; without
 * CKF_SERIAL_SESSION the call fails with CKR_SESSION_PARALLEL_NOT_SUPPORTED. */
static void
test_open_ro_rw(void **state)
{
    (void)state;
    CK_SESSION_HANDLE ro = open_session(0), rw = open_session(CKF_RW_SESSION), x;
    CK_SESSION_INFO si;
    CK_OK(p11->C_GetSessionInfo(ro, &si));
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    assert_int_equal(si.flags, CKF_SERIAL_SESSION);
    CK_OK(p11->C_GetSessionInfo(rw, &si));
    assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
    assert_int_equal(si.flags, CKF_SERIAL_SESSION | CKF_RW_SESSION);
    assert_true(ro != rw && ro != CK_INVALID_HANDLE && rw != CK_INVALID_HANDLE);
    CK_ASSERT(CKR_SESSION_PARALLEL_NOT_SUPPORTED,
              p11->C_OpenSession(conf_slot, CKF_RW_SESSION, NULL, NULL, &x));
    CK_ASSERT(CKR_SESSION_PARALLEL_NOT_SUPPORTED, p11->C_OpenSession(conf_slot, 0, NULL, NULL, &x));
    CK_ASSERT(CKR_ARGUMENTS_BAD,
              p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION, NULL, NULL, NULL));
    CK_ASSERT(CKR_SLOT_ID_INVALID,
              p11->C_OpenSession(0x7ffffff0UL, CKF_SERIAL_SESSION, NULL, NULL, &x));
    CK_OK(p11->C_CloseSession(ro));
    CK_OK(p11->C_CloseSession(rw));
}

/* [BASE] 3.3 session states and 5.6.8 C_Login / 5.6.10 C_Logout: the user
 * login turns R/O public into R/O user functions and R/W public into R/W
 * user functions; C_Logout returns both to public. Sessions opened while
 * logged in start in the user state. */
static void
test_states_user(void **state)
{
    (void)state;
    CK_SESSION_HANDLE ro = open_session(0), rw = open_session(CKF_RW_SESSION);
    CK_OK(login_as_user(rw));
    assert_int_equal(state_of(ro), CKS_RO_USER_FUNCTIONS);
    assert_int_equal(state_of(rw), CKS_RW_USER_FUNCTIONS);
    CK_SESSION_HANDLE ro2 = open_session(0), rw2 = open_session(CKF_RW_SESSION);
    assert_int_equal(state_of(ro2), CKS_RO_USER_FUNCTIONS);
    assert_int_equal(state_of(rw2), CKS_RW_USER_FUNCTIONS);
    CK_OK(p11->C_Logout(ro));
    assert_int_equal(state_of(ro), CKS_RO_PUBLIC_SESSION);
    assert_int_equal(state_of(rw), CKS_RW_PUBLIC_SESSION);
    assert_int_equal(state_of(ro2), CKS_RO_PUBLIC_SESSION);
    assert_int_equal(state_of(rw2), CKS_RW_PUBLIC_SESSION);
}

/* [BASE] 3.3 and 5.6.8: the SO login gives CKS_RW_SO_FUNCTIONS; C_Logout
 * returns to CKS_RW_PUBLIC_SESSION. */
static void
test_states_so(void **state)
{
    (void)state;
    CK_SESSION_HANDLE rw = open_session(CKF_RW_SESSION), rw2 = open_session(CKF_RW_SESSION);
    CK_OK(login_so(rw));
    assert_int_equal(state_of(rw), CKS_RW_SO_FUNCTIONS);
    assert_int_equal(state_of(rw2), CKS_RW_SO_FUNCTIONS);
    CK_OK(p11->C_Logout(rw2));
    assert_int_equal(state_of(rw), CKS_RW_PUBLIC_SESSION);
}

/* [BASE] 5.6.8 C_Login: "If the application calling C_Login has a R/O session
 * open with the token, then it will be unable to log the SO into a session
 * ... CKR_SESSION_READ_ONLY_EXISTS." */
static void
test_so_login_with_ro_session(void **state)
{
    (void)state;
    CK_SESSION_HANDLE rw = open_session(CKF_RW_SESSION);
    CK_SESSION_HANDLE ro = open_session(0);
    CK_ASSERT(CKR_SESSION_READ_ONLY_EXISTS, login_so(rw));
    CK_ASSERT(CKR_SESSION_READ_ONLY_EXISTS, login_so(ro));
    assert_int_equal(state_of(rw), CKS_RW_PUBLIC_SESSION);
    CK_OK(p11->C_CloseSession(ro));
    CK_OK(login_so(rw));
    CK_OK(p11->C_Logout(rw));
}

/* [BASE] 5.6.1 C_OpenSession: "If the application calling C_OpenSession
 * already has a R/W SO session open with the token, then any attempt to open
 * a R/O session with the token fails with error code
 * CKR_SESSION_READ_WRITE_SO_EXISTS." A R/W session still opens. */
static void
test_ro_open_with_so_session(void **state)
{
    (void)state;
    CK_SESSION_HANDLE rw = open_session(CKF_RW_SESSION), x = CK_INVALID_HANDLE;
    CK_OK(login_so(rw));
    CK_ASSERT(CKR_SESSION_READ_WRITE_SO_EXISTS,
              p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION, NULL, NULL, &x));
    CK_SESSION_HANDLE rw2 = open_session(CKF_RW_SESSION);
    assert_int_equal(state_of(rw2), CKS_RW_SO_FUNCTIONS);
    CK_OK(p11->C_Logout(rw));
    CK_SESSION_HANDLE ro = open_session(0);
    assert_int_equal(state_of(ro), CKS_RO_PUBLIC_SESSION);
}

/* [BASE] 5.6.8 C_Login: CKR_USER_ALREADY_LOGGED_IN when the same user logs in
 * again (no CKA_ALWAYS_AUTHENTICATE key involved), also through another
 * session since the login state is shared. */
static void
test_user_already_logged_in(void **state)
{
    (void)state;
    CK_SESSION_HANDLE a = open_session(CKF_RW_SESSION), b = open_session(0);
    CK_OK(login_as_user(a));
    CK_ASSERT(CKR_USER_ALREADY_LOGGED_IN, login_as_user(a));
    CK_ASSERT(CKR_USER_ALREADY_LOGGED_IN, login_as_user(b));
    CK_OK(p11->C_Logout(a));
    CK_ASSERT(CKR_SESSION_READ_ONLY_EXISTS, login_so(a));
    CK_OK(p11->C_CloseSession(b));
    CK_OK(login_so(a));
    CK_ASSERT(CKR_USER_ALREADY_LOGGED_IN, login_so(a));
    CK_OK(p11->C_Logout(a));
}

/* [BASE] 5.6.8 C_Login: CKR_USER_ANOTHER_ALREADY_LOGGED_IN when the SO is
 * logged in and the user tries, and the other way round. */
static void
test_user_another_logged_in(void **state)
{
    (void)state;
    CK_SESSION_HANDLE a = open_session(CKF_RW_SESSION);
    CK_OK(login_as_user(a));
    CK_ASSERT(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, login_so(a));
    CK_OK(p11->C_Logout(a));
    CK_OK(login_so(a));
    CK_ASSERT(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, login_as_user(a));
    CK_OK(p11->C_Logout(a));
}

/* [BASE] 5.6.10 C_Logout: CKR_USER_NOT_LOGGED_IN when nobody is logged in
 * (listed among its return values; [BASE] 5.1.5 "the desired action cannot
 * be performed because the appropriate user ... is not logged in"). */
static void
test_logout_not_logged_in(void **state)
{
    (void)state;
    /* SoftHSMv2 2.6.1 deviates (seen in a real run): C_Logout with nobody
     * logged in returns CKR_OK. */
    if (impl_is_softhsm())
        skip();
    CK_SESSION_HANDLE a = open_session(CKF_RW_SESSION);
    CK_ASSERT(CKR_USER_NOT_LOGGED_IN, p11->C_Logout(a));
    CK_OK(login_as_user(a));
    CK_OK(p11->C_Logout(a));
    CK_ASSERT(CKR_USER_NOT_LOGGED_IN, p11->C_Logout(a));
}

/* [BASE] 5.6.8 C_Login: CKR_PIN_INCORRECT for a wrong PIN (the state stays
 * public); CKR_USER_TYPE_INVALID for an unknown user type;
 * CKR_ARGUMENTS_BAD for a NULL PIN with a non-zero length (5.1.5: a NULL
 * pointer argument). */
static void
test_pin_incorrect(void **state)
{
    (void)state;
    if (impl_is_remote())
        SKIP_BECAUSE("remote slot: protected authentication path, no PIN to get wrong (the API key is the credential)");
    CK_SESSION_HANDLE a = open_session(CKF_RW_SESSION);
    char bad[64];
    strncpy(bad, conf_user_pin, sizeof bad - 2);
    bad[sizeof bad - 2] = 0;
    size_t n = strlen(bad);
    bad[n - 1] ^= 1;
    CK_ASSERT(CKR_PIN_INCORRECT, p11->C_Login(a, CKU_USER, (CK_UTF8CHAR_PTR)bad, n));
    assert_int_equal(state_of(a), CKS_RW_PUBLIC_SESSION);
    CK_ASSERT(CKR_PIN_INCORRECT, p11->C_Login(a, CKU_SO, (CK_UTF8CHAR_PTR)bad, n));
    CK_ASSERT(CKR_USER_TYPE_INVALID,
              p11->C_Login(a, 0x77UL, (CK_UTF8CHAR_PTR)conf_user_pin, strlen(conf_user_pin)));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_Login(a, CKU_USER, NULL, 8));
    CK_OK(login_as_user(a));
    CK_OK(p11->C_Logout(a));
}

/* [BASE] 5.1.2 "Return values for functions that use a session handle":
 * CKR_SESSION_HANDLE_INVALID for a handle that was never valid or has been
 * closed ([BASE] 5.6.2 C_CloseSession). */
static void
test_invalid_session_handle(void **state)
{
    (void)state;
    CK_SESSION_INFO si;
    CK_SESSION_HANDLE s = open_session(0);
    CK_OK(p11->C_CloseSession(s));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GetSessionInfo(s, &si));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_CloseSession(s));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_CloseSession(CK_INVALID_HANDLE));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GetSessionInfo(0x7ffffff0UL, &si));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, login_as_user(0x7ffffff0UL));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_Logout(0x7ffffff0UL));
    CK_ASSERT(CKR_ARGUMENTS_BAD, p11->C_GetSessionInfo(open_session(0), NULL));
}

/* [BASE] 5.6.3 C_CloseAllSessions: closes every session of the application
 * with the token; "the login state of the token for the application returns
 * to public sessions". And [BASE] 5.6.2: closing the last session does the
 * same. */
static void
test_close_all_sessions(void **state)
{
    (void)state;
    CK_SESSION_HANDLE a = open_session(CKF_RW_SESSION), b = open_session(0);
    CK_OK(login_as_user(a));
    CK_OK(p11->C_CloseAllSessions(conf_slot));
    CK_SESSION_INFO si;
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GetSessionInfo(a, &si));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11->C_GetSessionInfo(b, &si));
    CK_SESSION_HANDLE c = open_session(CKF_RW_SESSION);
    assert_int_equal(state_of(c), CKS_RW_PUBLIC_SESSION);
    CK_OK(login_as_user(c));
    CK_OK(p11->C_CloseSession(c));
    CK_SESSION_HANDLE d = open_session(0);
    assert_int_equal(state_of(d), CKS_RO_PUBLIC_SESSION);
    CK_ASSERT(CKR_SLOT_ID_INVALID, p11->C_CloseAllSessions(0x7ffffff0UL));
}

/* [BASE] 5.6 (step 3 of the typical sequence): "all sessions an application
 * has with a token have a shared login state"; logging out in one session
 * logs out all. */
static void
test_login_shared(void **state)
{
    (void)state;
    CK_SESSION_HANDLE s[4];
    for (int i = 0; i < 4; i++)
        s[i] = open_session(i % 2 ? CKF_RW_SESSION : 0);
    CK_OK(login_as_user(s[2]));
    for (int i = 0; i < 4; i++)
        assert_int_equal(state_of(s[i]), i % 2 ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS);
    CK_OK(p11->C_CloseSession(s[2]));
    assert_int_equal(state_of(s[1]), CKS_RW_USER_FUNCTIONS);
    CK_OK(p11->C_Logout(s[0]));
    for (int i = 0; i < 4; i++) {
        if (i != 2)
            assert_int_equal(state_of(s[i]), i % 2 ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION);
    }
}

/* [BASE] 5.7.1 C_CreateObject lists CKR_USER_NOT_LOGGED_IN: a private object
 * (CKA_PRIVATE true, [BASE] 4.4 storage objects) cannot be created in a public session.
 * The user may log in through a R/O session ([BASE] 5.6.8), and the login
 * then covers the R/W session too. */
static void
test_private_object_needs_login(void **state)
{
    (void)state;
    if (impl_is_remote())
        SKIP_BECAUSE("remote slot: no data objects (its objects are the server's keys)");
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CK_OBJECT_CLASS cls = CKO_DATA;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls, sizeof cls},
        {CKA_PRIVATE, &ck_true, 1},
        {CKA_TOKEN, &ck_false, 1},
    };
    CK_OBJECT_HANDLE h;
    CK_ASSERT(CKR_USER_NOT_LOGGED_IN, p11->C_CreateObject(s, t, 3, &h));
    CK_SESSION_HANDLE ro = open_session(0);
    CK_OK(login_as_user(ro));
    CK_OK(p11->C_CreateObject(s, t, 3, &h));
    CK_OK(p11->C_DestroyObject(s, h));
}

static const char set_pin_tmp[] = "p11conf-Temp-42";

/* Teardown of test_set_pin: if the test stopped with the temporary PIN in
 * place, put the real one back so the rest of the suite can log in. */
static int
fx_restore_pin(void **state)
{
    CK_SESSION_HANDLE s;
    p11->C_CloseAllSessions(conf_slot);
    if (p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) ==
            CKR_OK &&
        p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)set_pin_tmp, strlen(set_pin_tmp)) == CKR_OK)
        p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)set_pin_tmp, strlen(set_pin_tmp),
                      (CK_UTF8CHAR_PTR)conf_user_pin, strlen(conf_user_pin));
    return fx_fini(state);
}

/* [BASE] 5.5.9 C_SetPIN: "can only be called in the 'R/W Public Session'
 * state, 'R/W SO Functions' state, or 'R/W User Functions' state. An attempt
 * to call it from a session in any other state fails with error
 * CKR_SESSION_READ_ONLY"; a wrong old PIN is CKR_PIN_INCORRECT; after a change
 * the new PIN logs in and the old one no longer does. */
static void
test_set_pin(void **state)
{
    (void)state;
    const char *pin = conf_user_pin, *tmp = set_pin_tmp;
    if (impl_is_remote())
        SKIP_BECAUSE("remote slot: C_SetPIN is CKR_FUNCTION_NOT_SUPPORTED (no PIN: the API key is the credential)");
    CK_SESSION_HANDLE ro = open_session(0);
    CK_ASSERT(CKR_SESSION_READ_ONLY, p11->C_SetPIN(ro, (CK_UTF8CHAR_PTR)pin, strlen(pin),
                                                   (CK_UTF8CHAR_PTR)tmp, strlen(tmp)));
    CK_OK(p11->C_CloseSession(ro));
    CK_SESSION_HANDLE rw = open_session(CKF_RW_SESSION);
    CK_OK(login_as_user(rw));
    CK_ASSERT(CKR_PIN_INCORRECT, p11->C_SetPIN(rw, (CK_UTF8CHAR_PTR) "not-the-pin", 11,
                                               (CK_UTF8CHAR_PTR)tmp, strlen(tmp)));
    CK_OK(p11->C_SetPIN(rw, (CK_UTF8CHAR_PTR)pin, strlen(pin), (CK_UTF8CHAR_PTR)tmp, strlen(tmp)));
    CK_OK(p11->C_Logout(rw));
    CK_ASSERT(CKR_PIN_INCORRECT, login_as_user(rw));
    CK_OK(p11->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR)tmp, strlen(tmp)));
    CK_OK(p11->C_SetPIN(rw, (CK_UTF8CHAR_PTR)tmp, strlen(tmp), (CK_UTF8CHAR_PTR)pin, strlen(pin)));
    CK_OK(p11->C_Logout(rw));
    CK_OK(login_as_user(rw));
    CK_OK(p11->C_Logout(rw));
}

/* [BASE] 5.5.8 C_InitPIN: "can only be called in the 'R/W SO Functions' state.
 * An attempt to call it from a session in any other state fails with error
 * CKR_USER_NOT_LOGGED_IN." */
static void
test_init_pin_needs_so(void **state)
{
    (void)state;
    if (impl_is_remote())
        SKIP_BECAUSE("remote slot: C_InitPIN is CKR_FUNCTION_NOT_SUPPORTED (no SO, no PIN)");
    CK_SESSION_HANDLE rw = open_session(CKF_RW_SESSION);
    const char *pin = conf_user_pin;
    CK_ASSERT(CKR_USER_NOT_LOGGED_IN, p11->C_InitPIN(rw, (CK_UTF8CHAR_PTR)pin, strlen(pin)));
    CK_OK(login_as_user(rw));
    CK_ASSERT(CKR_USER_NOT_LOGGED_IN, p11->C_InitPIN(rw, (CK_UTF8CHAR_PTR)pin, strlen(pin)));
    CK_OK(p11->C_Logout(rw));
}

const struct CMUnitTest sessions_tests[] = {
    cmocka_unit_test_setup_teardown(test_open_ro_rw, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_states_user, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_states_so, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_so_login_with_ro_session, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_ro_open_with_so_session, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_user_already_logged_in, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_user_another_logged_in, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_logout_not_logged_in, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_pin_incorrect, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_invalid_session_handle, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_close_all_sessions, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_login_shared, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_private_object_needs_login, fx_init, fx_fini),
    cmocka_unit_test_setup_teardown(test_set_pin, fx_init, fx_restore_pin),
    cmocka_unit_test_setup_teardown(test_init_pin_needs_so, fx_init, fx_fini),
};
const size_t sessions_count = sizeof sessions_tests / sizeof sessions_tests[0];
