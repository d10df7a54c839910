/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS#11 v3.0 conformance suite: module loading, fixtures, helpers, main().
 *
 * Environment:
 *   P11_MODULE       path of the module (.so)                     (required)
 *   P11_TOKEN_LABEL  label of the initialised token to test      (required)
 *   P11_SO_PIN, P11_USER_PIN                                      (required)
 *   P11_IMPL         ferrohsm | softhsm | remote: a test that checks a rule
 *                    where SoftHSMv2 is known to deviate skips under
 *                    "softhsm"; "remote" is a FerroHSM remote slot (a thin
 *                    client of ferrohsm-server, docs/pkcs11.md "Remote
 *                    slots"), where a test of what such a slot does not have
 *                    by design (session objects, plaintext secrets, PINs)
 *                    skips with the reason
 *   P11_FILTER       optional cmocka test-name filter (glob)
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11conf.h"

CK_FUNCTION_LIST_PTR p11;
CK_FUNCTION_LIST_3_0_PTR p11v3;
CK_SLOT_ID conf_slot;
const char *conf_so_pin;
const char *conf_user_pin;
const char *conf_label;

static void *module_handle;
static const char *impl_name = "";

CK_BBOOL ck_true = CK_TRUE;
CK_BBOOL ck_false = CK_FALSE;
/* DER OID 1.2.840.10045.3.1.7 (P-256) and 1.3.101.112 (Ed25519). */
const CK_BYTE oid_p256[10] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
const CK_BYTE oid_ed25519[5] = {0x06, 0x03, 0x2b, 0x65, 0x70};

int
impl_is_softhsm(void)
{
    return strcmp(impl_name, "softhsm") == 0;
}

int
impl_is_ferrohsm(void)
{
    return strcmp(impl_name, "ferrohsm") == 0;
}

int
impl_is_remote(void)
{
    return strcmp(impl_name, "remote") == 0;
}

CK_ULONG
key_storage(CK_ATTRIBUTE *t, char *label, size_t cap)
{
    static unsigned next;

    if (!impl_is_remote()) {
        t[0] = (CK_ATTRIBUTE){CKA_TOKEN, &ck_false, 1};
        return 1;
    }
    /* Unique across runs against the same server too: the keys persist. */
    snprintf(label, cap, "p11conf-%ld-%u", (long)getpid(), ++next);
    t[0] = (CK_ATTRIBUTE){CKA_TOKEN, &ck_true, 1};
    t[1] = (CK_ATTRIBUTE){CKA_LABEL, label, strlen(label)};
    return 2;
}

/* dlsym returns an object pointer; copying its bytes is the ISO C way to get
 * the function pointer back (POSIX guarantees the representation). */
CK_C_GetInterface
module_get_interface(void)
{
    void *p = dlsym(module_handle, "C_GetInterface");
    CK_C_GetInterface f;
    memcpy(&f, &p, sizeof f);
    return f;
}

CK_C_GetInterfaceList
module_get_interface_list(void)
{
    void *p = dlsym(module_handle, "C_GetInterfaceList");
    CK_C_GetInterfaceList f;
    memcpy(&f, &p, sizeof f);
    return f;
}

static const struct {
    CK_RV rv;
    const char *name;
} ckr_names[] = {
#define N(x)                                                                                       \
    {                                                                                              \
        x, #x                                                                                      \
    }
    N(CKR_OK),
    N(CKR_CANCEL),
    N(CKR_HOST_MEMORY),
    N(CKR_SLOT_ID_INVALID),
    N(CKR_GENERAL_ERROR),
    N(CKR_FUNCTION_FAILED),
    N(CKR_ARGUMENTS_BAD),
    N(CKR_NO_EVENT),
    N(CKR_NEED_TO_CREATE_THREADS),
    N(CKR_CANT_LOCK),
    N(CKR_ATTRIBUTE_READ_ONLY),
    N(CKR_ATTRIBUTE_SENSITIVE),
    N(CKR_ATTRIBUTE_TYPE_INVALID),
    N(CKR_ATTRIBUTE_VALUE_INVALID),
    N(CKR_ACTION_PROHIBITED),
    N(CKR_DATA_INVALID),
    N(CKR_DATA_LEN_RANGE),
    N(CKR_DEVICE_ERROR),
    N(CKR_DEVICE_MEMORY),
    N(CKR_DEVICE_REMOVED),
    N(CKR_ENCRYPTED_DATA_INVALID),
    N(CKR_ENCRYPTED_DATA_LEN_RANGE),
    N(CKR_FUNCTION_CANCELED),
    N(CKR_FUNCTION_NOT_PARALLEL),
    N(CKR_FUNCTION_NOT_SUPPORTED),
    N(CKR_KEY_HANDLE_INVALID),
    N(CKR_KEY_SIZE_RANGE),
    N(CKR_KEY_TYPE_INCONSISTENT),
    N(CKR_KEY_NOT_NEEDED),
    N(CKR_KEY_CHANGED),
    N(CKR_KEY_NEEDED),
    N(CKR_KEY_INDIGESTIBLE),
    N(CKR_KEY_FUNCTION_NOT_PERMITTED),
    N(CKR_KEY_NOT_WRAPPABLE),
    N(CKR_KEY_UNEXTRACTABLE),
    N(CKR_MECHANISM_INVALID),
    N(CKR_MECHANISM_PARAM_INVALID),
    N(CKR_OBJECT_HANDLE_INVALID),
    N(CKR_OPERATION_ACTIVE),
    N(CKR_OPERATION_NOT_INITIALIZED),
    N(CKR_PIN_INCORRECT),
    N(CKR_PIN_INVALID),
    N(CKR_PIN_LEN_RANGE),
    N(CKR_PIN_EXPIRED),
    N(CKR_PIN_LOCKED),
    N(CKR_SESSION_CLOSED),
    N(CKR_SESSION_COUNT),
    N(CKR_SESSION_HANDLE_INVALID),
    N(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
    N(CKR_SESSION_READ_ONLY),
    N(CKR_SESSION_EXISTS),
    N(CKR_SESSION_READ_ONLY_EXISTS),
    N(CKR_SESSION_READ_WRITE_SO_EXISTS),
    N(CKR_SIGNATURE_INVALID),
    N(CKR_SIGNATURE_LEN_RANGE),
    N(CKR_TEMPLATE_INCOMPLETE),
    N(CKR_TEMPLATE_INCONSISTENT),
    N(CKR_TOKEN_NOT_PRESENT),
    N(CKR_TOKEN_NOT_RECOGNIZED),
    N(CKR_TOKEN_WRITE_PROTECTED),
    N(CKR_UNWRAPPING_KEY_HANDLE_INVALID),
    N(CKR_UNWRAPPING_KEY_SIZE_RANGE),
    N(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
    N(CKR_USER_ALREADY_LOGGED_IN),
    N(CKR_USER_NOT_LOGGED_IN),
    N(CKR_USER_PIN_NOT_INITIALIZED),
    N(CKR_USER_TYPE_INVALID),
    N(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
    N(CKR_USER_TOO_MANY_TYPES),
    N(CKR_WRAPPED_KEY_INVALID),
    N(CKR_WRAPPED_KEY_LEN_RANGE),
    N(CKR_WRAPPING_KEY_HANDLE_INVALID),
    N(CKR_WRAPPING_KEY_SIZE_RANGE),
    N(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
    N(CKR_RANDOM_SEED_NOT_SUPPORTED),
    N(CKR_RANDOM_NO_RNG),
    N(CKR_DOMAIN_PARAMS_INVALID),
    N(CKR_CURVE_NOT_SUPPORTED),
    N(CKR_BUFFER_TOO_SMALL),
    N(CKR_SAVED_STATE_INVALID),
    N(CKR_INFORMATION_SENSITIVE),
    N(CKR_STATE_UNSAVEABLE),
    N(CKR_CRYPTOKI_NOT_INITIALIZED),
    N(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    N(CKR_MUTEX_BAD),
    N(CKR_MUTEX_NOT_LOCKED),
    N(CKR_NEW_PIN_MODE),
    N(CKR_NEXT_OTP),
    N(CKR_EXCEEDED_MAX_ITERATIONS),
    N(CKR_FIPS_SELF_TEST_FAILED),
    N(CKR_LIBRARY_LOAD_FAILED),
    N(CKR_PIN_TOO_WEAK),
    N(CKR_PUBLIC_KEY_INVALID),
    N(CKR_FUNCTION_REJECTED),
    N(CKR_TOKEN_RESOURCE_EXCEEDED),
    N(CKR_OPERATION_CANCEL_FAILED),
#undef N
};

const char *
ckr_name(CK_RV rv)
{
    static char buf[4][32];
    static unsigned next;
    for (size_t i = 0; i < sizeof ckr_names / sizeof ckr_names[0]; i++) {
        if (ckr_names[i].rv == rv)
            return ckr_names[i].name;
    }
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "0x%08lx", (unsigned long)rv);
    return b;
}

void
ck_assert_rv(CK_RV expected, CK_RV got, const char *what, const char *file, int line)
{
    if (expected == got)
        return;
    print_error("%s:%d: %s\n      expected %s, got %s\n", file, line, what, ckr_name(expected),
                ckr_name(got));
    fail();
}

/* ------------------------------------------------------------------------ */
/* Module loading                                                           */
/* ------------------------------------------------------------------------ */

static int
load_module(const char *path)
{
    module_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (module_handle == NULL) {
        fprintf(stderr, "p11conf: dlopen(%s): %s\n", path, dlerror());
        return -1;
    }
    CK_C_GetInterface get_interface = module_get_interface();
    if (get_interface != NULL) {
        CK_VERSION v30 = {3, 0};
        CK_INTERFACE_PTR iface = NULL;
        CK_RV rv = get_interface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &iface, 0);
        if (rv == CKR_OK && iface != NULL && iface->pFunctionList != NULL) {
            CK_FUNCTION_LIST_3_0_PTR f = iface->pFunctionList;
            if (f->version.major == 3) {
                p11v3 = f;
                p11 = (CK_FUNCTION_LIST_PTR)iface->pFunctionList;
                return 0;
            }
        }
        fprintf(stderr, "p11conf: C_GetInterface(\"PKCS 11\", 3.0) gave %s; trying 2.40\n",
                ckr_name(rv));
    }
    void *sym = dlsym(module_handle, "C_GetFunctionList");
    CK_C_GetFunctionList gfl;
    memcpy(&gfl, &sym, sizeof gfl);
    if (gfl == NULL || gfl(&p11) != CKR_OK || p11 == NULL) {
        fprintf(stderr, "p11conf: no usable C_GetInterface or C_GetFunctionList in %s\n", path);
        return -1;
    }
    return 0;
}

static int
find_slot(void)
{
    CK_RV rv = p11->C_Initialize(NULL);
    if (rv != CKR_OK) {
        fprintf(stderr, "p11conf: C_Initialize: %s\n", ckr_name(rv));
        return -1;
    }
    CK_ULONG n = 0;
    CK_SLOT_ID slots[64];
    int found = -1;
    if (p11->C_GetSlotList(CK_TRUE, NULL, &n) == CKR_OK && n <= 64 &&
        p11->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK) {
        char want[32];
        memset(want, ' ', sizeof want);
        memcpy(want, conf_label, strnlen(conf_label, sizeof want));
        for (CK_ULONG i = 0; i < n && found < 0; i++) {
            CK_TOKEN_INFO ti;
            if (p11->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
                memcmp(ti.label, want, sizeof want) == 0) {
                conf_slot = slots[i];
                found = 0;
            }
        }
    }
    p11->C_Finalize(NULL);
    if (found < 0)
        fprintf(stderr, "p11conf: no token labelled \"%s\"\n", conf_label);
    return found;
}

/* ------------------------------------------------------------------------ */
/* Fixtures and helpers                                                     */
/* ------------------------------------------------------------------------ */

int
fx_init(void **state)
{
    (void)state;
    return p11->C_Initialize(NULL) == CKR_OK ? 0 : -1;
}

int
fx_fini(void **state)
{
    (void)state;
    p11->C_Finalize(NULL);
    return 0;
}

int
fx_user(void **state)
{
    if (p11->C_Initialize(NULL) != CKR_OK)
        return -1;
    CK_SESSION_HANDLE s;
    if (p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) !=
        CKR_OK)
        return -1;
    CK_RV rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)conf_user_pin, strlen(conf_user_pin));
    if (rv != CKR_OK)
        return -1;
    *state = (void *)(uintptr_t)s;
    return 0;
}

int
fx_user_fini(void **state)
{
    (void)state;
    p11->C_CloseAllSessions(conf_slot);
    p11->C_Finalize(NULL);
    return 0;
}

CK_SESSION_HANDLE
open_session(CK_FLAGS extra)
{
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    CK_OK(p11->C_OpenSession(conf_slot, CKF_SERIAL_SESSION | extra, NULL, NULL, &s));
    return s;
}

void
login_user(CK_SESSION_HANDLE s)
{
    CK_OK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)conf_user_pin, strlen(conf_user_pin)));
}

int
has_mechanism(CK_MECHANISM_TYPE m)
{
    CK_MECHANISM_INFO mi;
    return p11->C_GetMechanismInfo(conf_slot, m, &mi) == CKR_OK;
}

void
require_mechanism(CK_MECHANISM_TYPE m)
{
    if (!has_mechanism(m)) {
        print_message("      skip: module lacks mechanism 0x%lx\n", (unsigned long)m);
        skip();
    }
}

void
require_v3(void)
{
    if (p11v3 == NULL)
        SKIP_BECAUSE("module offers no PKCS#11 3.0 interface");
}

CK_OBJECT_HANDLE
gen_aes(CK_SESSION_HANDLE s, CK_ULONG len, int extractable)
{
    CK_MECHANISM m = {CKM_AES_KEY_GEN, NULL, 0};
    CK_BBOOL ext = extractable ? CK_TRUE : CK_FALSE;
    /* A remote slot's secret keys are always sensitive; wrapping needs only extractable. */
    CK_BBOOL sens = extractable && !impl_is_remote() ? CK_FALSE : CK_TRUE;
    char label[48];
    CK_ATTRIBUTE t[10] = {
        {CKA_VALUE_LEN, &len, sizeof len}, {CKA_ENCRYPT, &ck_true, 1}, {CKA_DECRYPT, &ck_true, 1},
        {CKA_WRAP, &ck_true, 1},           {CKA_UNWRAP, &ck_true, 1},  {CKA_EXTRACTABLE, &ext, 1},
        {CKA_SENSITIVE, &sens, 1},
    };
    CK_ULONG n = 7 + key_storage(t + 7, label, sizeof label);
    CK_OBJECT_HANDLE k = CK_INVALID_HANDLE;
    CK_OK(p11->C_GenerateKey(s, &m, t, n, &k));
    return k;
}

CK_OBJECT_HANDLE
import_secret(CK_SESSION_HANDLE s, CK_KEY_TYPE kt, const CK_BYTE *v, CK_ULONG n, int sensitive)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    /* A remote slot's secret keys are always sensitive (their values never leave the server,
     * which the module reaches only through the import transport key); extractable stays. */
    CK_BBOOL sens = sensitive || impl_is_remote() ? CK_TRUE : CK_FALSE;
    CK_BBOOL ext = sensitive ? CK_FALSE : CK_TRUE;
    char label[48];
    CK_ATTRIBUTE t[12] = {
        {CKA_CLASS, &cls, sizeof cls},  {CKA_KEY_TYPE, &kt, sizeof kt},
        {CKA_VALUE, (void *)(uintptr_t)v, n}, {CKA_SENSITIVE, &sens, 1},
        {CKA_EXTRACTABLE, &ext, 1},
    };
    CK_ULONG nt = 5;
    nt += key_storage(t + nt, label, sizeof label);
    if (kt == CKK_GENERIC_SECRET) {
        /* HMAC keys and KWP payloads: sign/verify/derive only. */
        t[nt++] = (CK_ATTRIBUTE){CKA_SIGN, &ck_true, 1};
        t[nt++] = (CK_ATTRIBUTE){CKA_VERIFY, &ck_true, 1};
        t[nt++] = (CK_ATTRIBUTE){CKA_DERIVE, &ck_true, 1};
    } else {
        t[nt++] = (CK_ATTRIBUTE){CKA_ENCRYPT, &ck_true, 1};
        t[nt++] = (CK_ATTRIBUTE){CKA_DECRYPT, &ck_true, 1};
        t[nt++] = (CK_ATTRIBUTE){CKA_WRAP, &ck_true, 1};
        t[nt++] = (CK_ATTRIBUTE){CKA_UNWRAP, &ck_true, 1};
    }
    CK_OBJECT_HANDLE k = CK_INVALID_HANDLE;
    CK_OK(p11->C_CreateObject(s, t, nt, &k));
    return k;
}

void
gen_rsa(CK_SESSION_HANDLE s, CK_ULONG bits, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_BYTE e[] = {0x01, 0x00, 0x01};
    char label[48];
    CK_ATTRIBUTE pt[8] = {
        {CKA_MODULUS_BITS, &bits, sizeof bits},
        {CKA_PUBLIC_EXPONENT, e, sizeof e},
        {CKA_VERIFY, &ck_true, 1},
        {CKA_ENCRYPT, &ck_true, 1},
        {CKA_WRAP, &ck_true, 1},
    };
    CK_ATTRIBUTE kt[8] = {
        {CKA_PRIVATE, &ck_true, 1}, {CKA_SENSITIVE, &ck_true, 1}, {CKA_SIGN, &ck_true, 1},
        {CKA_DECRYPT, &ck_true, 1}, {CKA_UNWRAP, &ck_true, 1},
    };
    CK_ULONG np = 5 + key_storage(pt + 5, label, sizeof label);
    CK_ULONG nk = np;
    memcpy(kt + 5, pt + 5, (np - 5) * sizeof pt[0]); /* one label for both halves */
    CK_OK(p11->C_GenerateKeyPair(s, &m, pt, np, kt, nk, pub, priv));
}

static void
gen_ec_curve(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const CK_BYTE *oid, CK_ULONG oidlen,
             CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    CK_MECHANISM m = {mech, NULL, 0};
    char label[48];
    CK_ATTRIBUTE pt[4] = {
        {CKA_EC_PARAMS, (void *)(uintptr_t)oid, oidlen},
        {CKA_VERIFY, &ck_true, 1},
    };
    CK_ATTRIBUTE kt[6] = {
        {CKA_PRIVATE, &ck_true, 1},
        {CKA_SENSITIVE, &ck_true, 1},
        {CKA_SIGN, &ck_true, 1},
    };
    CK_ULONG np = 2 + key_storage(pt + 2, label, sizeof label);
    CK_ULONG nk = 3;
    if (mech == CKM_EC_KEY_PAIR_GEN) {
        kt[nk++] = (CK_ATTRIBUTE){CKA_DERIVE, &ck_true, 1};
    }
    memcpy(kt + nk, pt + 2, (np - 2) * sizeof pt[0]); /* one label for both halves */
    nk += np - 2;
    CK_OK(p11->C_GenerateKeyPair(s, &m, pt, np, kt, nk, pub, priv));
}

void
gen_ec(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    gen_ec_curve(s, CKM_EC_KEY_PAIR_GEN, oid_p256, sizeof oid_p256, pub, priv);
}

void
gen_ed25519(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    gen_ec_curve(s, CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_ed25519, sizeof oid_ed25519, pub, priv);
}

CK_ULONG
get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, CK_BYTE **out)
{
    CK_ATTRIBUTE a = {t, NULL, 0};
    CK_OK(p11->C_GetAttributeValue(s, o, &a, 1));
    assert_true(a.ulValueLen != CK_UNAVAILABLE_INFORMATION);
    *out = malloc(a.ulValueLen + 1);
    assert_non_null(*out);
    a.pValue = *out;
    CK_OK(p11->C_GetAttributeValue(s, o, &a, 1));
    return a.ulValueLen;
}

CK_BBOOL
get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
    CK_BBOOL b = 0xAA;
    CK_ATTRIBUTE a = {t, &b, sizeof b};
    CK_OK(p11->C_GetAttributeValue(s, o, &a, 1));
    assert_int_equal(a.ulValueLen, sizeof b);
    return b;
}

CK_ULONG
get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
    CK_ULONG v = 0;
    CK_ATTRIBUTE a = {t, &v, sizeof v};
    CK_OK(p11->C_GetAttributeValue(s, o, &a, 1));
    assert_int_equal(a.ulValueLen, sizeof v);
    return v;
}

CK_ULONG
ec_point_raw(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_BYTE *out, CK_ULONG cap)
{
    CK_BYTE *p = NULL;
    CK_ULONG n = get_attr(s, pub, CKA_EC_POINT, &p);
    CK_BYTE *v = p;
    /* [BASE]/[MECH] CKA_EC_POINT is the DER encoding of an OCTET STRING. */
    if (n >= 2 && p[0] == 0x04 && p[1] < 0x80 && (CK_ULONG)p[1] + 2 == n) {
        v = p + 2;
        n -= 2;
    } else if (n >= 3 && p[0] == 0x04 && p[1] == 0x81 && (CK_ULONG)p[2] + 3 == n) {
        v = p + 3;
        n -= 3;
    }
    assert_true(n <= cap);
    memcpy(out, v, n);
    free(p);
    return n;
}

CK_ULONG
count_objects(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
    CK_OBJECT_HANDLE h[16];
    CK_ULONG total = 0, got = 0;
    CK_OK(p11->C_FindObjectsInit(s, t, n));
    do {
        CK_OK(p11->C_FindObjects(s, h, 16, &got));
        total += got;
    } while (got > 0);
    CK_OK(p11->C_FindObjectsFinal(s));
    return total;
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */
/* ------------------------------------------------------------------------ */

int
main(void)
{
    const char *path = getenv("P11_MODULE");
    conf_so_pin = getenv("P11_SO_PIN");
    conf_user_pin = getenv("P11_USER_PIN");
    conf_label = getenv("P11_TOKEN_LABEL");
    impl_name = getenv("P11_IMPL") ? getenv("P11_IMPL") : "";
    if (path == NULL || conf_so_pin == NULL || conf_user_pin == NULL || conf_label == NULL) {
        fprintf(stderr, "p11conf: set P11_MODULE, P11_SO_PIN, P11_USER_PIN, P11_TOKEN_LABEL\n");
        return 2;
    }
    if (load_module(path) != 0 || find_slot() != 0)
        return 2;
    fprintf(stderr, "p11conf: %s via %s, slot %lu, impl \"%s\"\n", path,
            p11v3 ? "C_GetInterface 3.0" : "C_GetFunctionList 2.40", (unsigned long)conf_slot,
            impl_name);
    if (getenv("P11_FILTER"))
        cmocka_set_test_filter(getenv("P11_FILTER"));

    int failed = 0;
    failed += _cmocka_run_group_tests("general", general_tests, general_count, NULL, NULL);
    failed += _cmocka_run_group_tests("sessions", sessions_tests, sessions_count, NULL, NULL);
    failed += _cmocka_run_group_tests("objects", objects_tests, objects_count, NULL, NULL);
    failed += _cmocka_run_group_tests("crypto", crypto_tests, crypto_count, NULL, NULL);
    failed += _cmocka_run_group_tests("keymgmt", keymgmt_tests, keymgmt_count, NULL, NULL);
    failed += _cmocka_run_group_tests("misc", misc_tests, misc_count, NULL, NULL);
    failed += _cmocka_run_group_tests("v3", v3_tests, v3_count, NULL, NULL);
    /* dlclose is left out on purpose: a module may keep threads or atexit hooks. */
    return failed == 0 ? 0 : 1;
}
