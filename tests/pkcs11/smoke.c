/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smoke.c - the module end to end through its real C ABI (STYLE rule 27):
 * dlopen, "PKCS 11" 3.0 through C_GetInterface, C_Initialize in a fresh
 * FERROHSM_HOME, C_InitToken on the empty slot, C_InitPIN, C_Login, an EC
 * P-256 key pair, C_Sign/C_Verify, C_FindObjects by label, C_Finalize.
 *   smoke MODULE
 */
#include <dlfcn.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferrohsm/pkcs11/pkcs11.h"

static int failures;

#define CHECK(expect, call)                                                                        \
    do {                                                                                           \
        CK_RV rv_ = (call);                                                                        \
        if (rv_ != (CK_RV)(expect)) {                                                              \
            fprintf(stderr, "smoke:%d: %s = 0x%lx, want 0x%lx\n", __LINE__, #call,                 \
                    (unsigned long)rv_, (unsigned long)(expect));                                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define OK(call) CHECK(CKR_OK, call)
#define TRUE_(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "smoke:%d: %s is false\n", __LINE__, #cond);                           \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static const char so_pin[] = "so-pin-1234";
static const char user_pin[] = "user-pin-5678";

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static CK_FUNCTION_LIST_3_0_PTR
load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    void *sym;
    CK_C_GetInterface gi;
    CK_INTERFACE_PTR ip = NULL;
    CK_VERSION v = {3, 0};

    if (h == NULL) {
        fprintf(stderr, "smoke: %s\n", dlerror());
        return NULL;
    }
    sym = dlsym(h, "C_GetInterface");
    if (sym == NULL) {
        return NULL;
    }
    memcpy(&gi, &sym, sizeof(gi));
    if (gi((CK_UTF8CHAR_PTR) "PKCS 11", &v, &ip, 0) != CKR_OK || ip == NULL) {
        return NULL;
    }
    return ip->pFunctionList;
}

static int
make_home(char *dir, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    char conf[512];
    FILE *f;

    snprintf(dir, len, "%s/fh-p11-smoke.XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(conf, sizeof(conf), "%s/ferrohsm.conf", dir);
    f = fopen(conf, "w");
    if (f == NULL) {
        return -1;
    }
    fputs("[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 64\n", f);
    fclose(f);
    setenv("FERROHSM_HOME", dir, 1);
    unsetenv("FERROHSM_CONF");
    return 0;
}

/* The slot whose token lacks CKF_TOKEN_INITIALIZED, or the one labelled `label`. */
static CK_SLOT_ID
find_slot(CK_FUNCTION_LIST_3_0_PTR p, const char *label)
{
    CK_SLOT_ID slots[32];
    CK_ULONG n = 0;

    OK(p->C_GetSlotList(CK_TRUE, NULL, &n));
    TRUE_(n >= 1 && n <= 32);
    n = 32;
    OK(p->C_GetSlotList(CK_TRUE, slots, &n));
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        char l[33];

        OK(p->C_GetTokenInfo(slots[i], &ti));
        memcpy(l, ti.label, 32);
        l[32] = '\0';
        for (int k = 31; k >= 0 && l[k] == ' '; k--) {
            l[k] = '\0';
        }
        if (label == NULL ? (ti.flags & CKF_TOKEN_INITIALIZED) == 0 : strcmp(l, label) == 0) {
            return slots[i];
        }
    }
    return (CK_SLOT_ID)-1;
}

static CK_RV
cb_create(CK_VOID_PTR_PTR m)
{
    *m = malloc(1);
    return *m != NULL ? CKR_OK : CKR_HOST_MEMORY;
}

static CK_RV
cb_destroy(CK_VOID_PTR m)
{
    free(m);
    return CKR_OK;
}

static CK_RV
cb_nop(CK_VOID_PTR m)
{
    (void)m;
    return CKR_OK;
}

/* C_Initialize arguments (§5.4.1) and a child after fork (not initialised). */
static void
lifecycle(CK_FUNCTION_LIST_3_0_PTR p)
{
    CK_C_INITIALIZE_ARGS a = {cb_create, cb_destroy, cb_nop, NULL, 0, NULL};
    CK_ULONG n = 0;
    pid_t pid;
    int status = 0;

    CHECK(CKR_ARGUMENTS_BAD, p->C_Initialize(&a)); /* some callbacks, not all */
    a.UnlockMutex = cb_nop;
    a.pReserved = &n;
    CHECK(CKR_ARGUMENTS_BAD, p->C_Initialize(&a));
    a.pReserved = NULL;
    OK(p->C_Initialize(&a)); /* single-threaded application callbacks */
    OK(p->C_GetSlotList(CK_TRUE, NULL, &n));
    CHECK(CKR_ARGUMENTS_BAD, p->C_Finalize(&n));
    OK(p->C_Finalize(NULL));
    CHECK(CKR_CRYPTOKI_NOT_INITIALIZED, p->C_Finalize(NULL));
    a.flags = CKF_OS_LOCKING_OK;
    OK(p->C_Initialize(&a));
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int bad = 0;

        bad |= p->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED;
        bad |= p->C_Finalize(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED;
        bad |= p->C_Initialize(NULL) != CKR_OK;
        bad |= p->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK;
        bad |= p->C_Finalize(NULL) != CKR_OK;
        _exit(bad);
    }
    TRUE_(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0);
    OK(p->C_GetSlotList(CK_TRUE, NULL, &n)); /* the parent is untouched */
    OK(p->C_Finalize(NULL));
}

struct worker {
    CK_FUNCTION_LIST_3_0_PTR p;
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE pub, priv;
    int bad;
};

/* Its own session, 16 signatures: sessions run in parallel (no global lock). */
static void *
work(void *arg)
{
    struct worker *w = arg;
    CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0};
    CK_BYTE msg[32] = {1, 2, 3}, sig[128];
    CK_SESSION_HANDLE s;

    if (w->p->C_OpenSession(w->slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) {
        w->bad = 1;
        return NULL;
    }
    for (int i = 0; i < 16 && !w->bad; i++) {
        CK_ULONG len = sizeof(sig);

        w->bad |= w->p->C_SignInit(s, &ecdsa, w->priv) != CKR_OK;
        w->bad |= w->p->C_Sign(s, msg, sizeof(msg), sig, &len) != CKR_OK;
        w->bad |= w->p->C_VerifyInit(s, &ecdsa, w->pub) != CKR_OK;
        w->bad |= w->p->C_Verify(s, msg, sizeof(msg), sig, len) != CKR_OK;
    }
    w->bad |= w->p->C_CloseSession(s) != CKR_OK;
    return NULL;
}

static void
parallel(CK_FUNCTION_LIST_3_0_PTR p, CK_SLOT_ID slot, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv)
{
    struct worker w[4];
    pthread_t t[4];

    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){p, slot, pub, priv, 0};
        TRUE_(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        TRUE_(w[i].bad == 0);
    }
}

/* Calls racing C_Finalize and C_Initialize: each sees the module either
 * whole or not initialised (never freed under it: ASan builds check), and a
 * call blocked by the finaliser goes on when the module is back. */
struct racer {
    CK_FUNCTION_LIST_3_0_PTR p;
    CK_SLOT_ID slot;
    int stop; /* atomic */
    unsigned long ok, down;
    int bad;
};

static bool
race_rv(struct racer *r, CK_RV rv, bool session)
{
    if (rv == CKR_OK) {
        r->ok++;
        return true;
    }
    if (rv == CKR_CRYPTOKI_NOT_INITIALIZED || (session && rv == CKR_SESSION_HANDLE_INVALID)) {
        r->down++;
        return false;
    }
    fprintf(stderr, "smoke: a call racing C_Finalize returned 0x%lx\n", (unsigned long)rv);
    r->bad = 1;
    return false;
}

static void *
race(void *arg)
{
    struct racer *r = arg;

    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) && !r->bad) {
        CK_INFO info;
        CK_TOKEN_INFO ti;
        CK_ULONG n = 0;
        CK_SESSION_HANDLE s;

        race_rv(r, r->p->C_GetInfo(&info), false);
        race_rv(r, r->p->C_GetSlotList(CK_TRUE, NULL, &n), false);
        race_rv(r, r->p->C_GetTokenInfo(r->slot, &ti), false);
        if (race_rv(r, r->p->C_OpenSession(r->slot, CKF_SERIAL_SESSION, NULL, NULL, &s), false)) {
            race_rv(r, r->p->C_CloseSession(s), true);
        }
    }
    return NULL;
}

static void
finalize_racing(CK_FUNCTION_LIST_3_0_PTR p, CK_SLOT_ID slot)
{
    struct racer r[3];
    pthread_t t[3];
    unsigned long ok = 0, down = 0;

    for (int i = 0; i < 3; i++) {
        r[i] = (struct racer){.p = p, .slot = slot};
        TRUE_(pthread_create(&t[i], NULL, race, &r[i]) == 0);
    }
    for (int i = 0; i < 20; i++) {
        usleep(2000);
        OK(p->C_Finalize(NULL));
        usleep(2000);
        OK(p->C_Initialize(NULL));
    }
    usleep(2000);
    for (int i = 0; i < 3; i++) {
        __atomic_store_n(&r[i].stop, 1, __ATOMIC_RELEASE);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        TRUE_(r[i].bad == 0);
        ok += r[i].ok;
        down += r[i].down;
    }
    TRUE_(ok > 0 && down > 0); /* the calls did meet the module up and down */
}

int
main(int argc, char **argv)
{
    CK_FUNCTION_LIST_3_0_PTR p;
    char home[256];
    CK_UTF8CHAR label[32];
    CK_SLOT_ID empty, slot;
    CK_SESSION_HANDLE s, so;
    CK_SESSION_INFO si;
    CK_TOKEN_INFO ti;
    CK_OBJECT_HANDLE pub = 0, priv = 0, found[4];
    CK_ULONG nfound = 0, siglen = 0;
    CK_BYTE sig[128];
    CK_BYTE msg[] = "FerroHSM smoke";
    CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_BBOOL yes = CK_TRUE;
    char key_label[] = "smoke-key";
    CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0};
    CK_ATTRIBUTE pub_t[] = {
        {CKA_EC_PARAMS, p256, sizeof(p256)},
        {CKA_TOKEN, &yes, sizeof(yes)},
        {CKA_VERIFY, &yes, sizeof(yes)},
        {CKA_LABEL, key_label, sizeof(key_label) - 1},
    };
    CK_ATTRIBUTE priv_t[] = {
        {CKA_TOKEN, &yes, sizeof(yes)},
        {CKA_SIGN, &yes, sizeof(yes)},
        {CKA_PRIVATE, &yes, sizeof(yes)},
        {CKA_LABEL, key_label, sizeof(key_label) - 1},
    };
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE find_t[] = {
        {CKA_LABEL, key_label, sizeof(key_label) - 1},
        {CKA_CLASS, &cls, sizeof(cls)},
    };

    if (argc != 2) {
        fprintf(stderr, "usage: smoke MODULE\n");
        return 2;
    }
    if (make_home(home, sizeof(home)) != 0) {
        perror("smoke: temp home");
        return 1;
    }
    p = load(argv[1]);
    if (p == NULL) {
        fprintf(stderr, "smoke: no \"PKCS 11\" 3.0 interface\n");
        return 1;
    }
    TRUE_(p->version.major == 3 && p->version.minor == 0);
    CHECK(CKR_CRYPTOKI_NOT_INITIALIZED, p->C_GetSlotList(CK_TRUE, NULL, &nfound));
    lifecycle(p);
    OK(p->C_Initialize(NULL));
    CHECK(CKR_CRYPTOKI_ALREADY_INITIALIZED, p->C_Initialize(NULL));

    /* the empty slot keeps its id for this process and holds the new token;
     * a fresh empty slot appears under another id */
    empty = find_slot(p, NULL);
    TRUE_(empty != (CK_SLOT_ID)-1);
    memset(label, ' ', sizeof(label));
    memcpy(label, "smoke", 5);
    OK(p->C_InitToken(empty, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), label));
    slot = find_slot(p, "smoke");
    TRUE_(slot == empty);
    TRUE_(find_slot(p, NULL) != (CK_SLOT_ID)-1 && find_slot(p, NULL) != empty);
    CHECK(CKR_SESSION_HANDLE_INVALID, p->C_CloseSession(12345));
    OK(p->C_GetTokenInfo(slot, &ti));
    TRUE_((ti.flags & CKF_TOKEN_INITIALIZED) != 0 && (ti.flags & CKF_USER_PIN_INITIALIZED) == 0);
    TRUE_(memcmp(ti.manufacturerID, "FerroHSM        ", 16) == 0);

    /* SO sets the user PIN */
    OK(p->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &so));
    OK(p->C_Login(so, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin)));
    OK(p->C_GetSessionInfo(so, &si));
    TRUE_(si.state == CKS_RW_SO_FUNCTIONS);
    CHECK(CKR_SESSION_READ_WRITE_SO_EXISTS,
          p->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s));
    OK(p->C_InitPIN(so, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)));
    OK(p->C_CloseSession(so)); /* last session: logs the SO out */
    OK(p->C_GetTokenInfo(slot, &ti));
    TRUE_((ti.flags & CKF_USER_PIN_INITIALIZED) != 0 && ti.ulSessionCount == 0);

    /* user: key pair, sign, verify, find */
    OK(p->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
    OK(p->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)));
    OK(p->C_GetSessionInfo(s, &si));
    TRUE_(si.state == CKS_RW_USER_FUNCTIONS && si.slotID == slot);
    OK(p->C_GenerateKeyPair(s, &gen, pub_t, 4, priv_t, 4, &pub, &priv));
    OK(p->C_SignInit(s, &ecdsa, priv));
    OK(p->C_Sign(s, msg, sizeof(msg), NULL, &siglen)); /* length query keeps the op */
    TRUE_(siglen == 64);
    siglen = 10;
    CHECK(CKR_BUFFER_TOO_SMALL, p->C_Sign(s, msg, sizeof(msg), sig, &siglen));
    siglen = sizeof(sig);
    OK(p->C_Sign(s, msg, sizeof(msg), sig, &siglen));
    CHECK(CKR_OPERATION_NOT_INITIALIZED, p->C_Sign(s, msg, sizeof(msg), sig, &siglen));
    OK(p->C_VerifyInit(s, &ecdsa, pub));
    OK(p->C_Verify(s, msg, sizeof(msg), sig, siglen));
    sig[3] ^= 1;
    OK(p->C_VerifyInit(s, &ecdsa, pub));
    CHECK(CKR_SIGNATURE_INVALID, p->C_Verify(s, msg, sizeof(msg), sig, siglen));
    OK(p->C_FindObjectsInit(s, find_t, 2));
    CHECK(CKR_OPERATION_ACTIVE, p->C_FindObjectsInit(s, find_t, 2));
    OK(p->C_FindObjects(s, found, 4, &nfound));
    TRUE_(nfound == 1 && found[0] == priv);
    OK(p->C_FindObjectsFinal(s));
    CHECK(CKR_SESSION_HANDLE_INVALID, p->C_CloseSession(s + 1000));
    parallel(p, slot, pub, priv);
    OK(p->C_SessionCancel(s, CKF_SIGN));
    OK(p->C_Finalize(NULL));
    CHECK(CKR_CRYPTOKI_NOT_INITIALIZED, p->C_GetSessionInfo(s, &si));

    /* after a restart the token is under its store id, which then stays put */
    OK(p->C_Initialize(NULL));
    slot = find_slot(p, "smoke");
    TRUE_(slot != (CK_SLOT_ID)-1 && slot != empty);
    TRUE_(find_slot(p, NULL) == empty);
    OK(p->C_Finalize(NULL));
    OK(p->C_Initialize(NULL));
    TRUE_(find_slot(p, "smoke") == slot);
    finalize_racing(p, slot);
    OK(p->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s));
    OK(p->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin)));
    OK(p->C_FindObjectsInit(s, find_t, 2));
    OK(p->C_FindObjects(s, found, 4, &nfound));
    TRUE_(nfound == 1);
    OK(p->C_FindObjectsFinal(s));
    /* SO login refused while a R/O session is open; re-init refused with sessions */
    CHECK(CKR_SESSION_READ_ONLY_EXISTS, p->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, 5));
    memcpy(label, "smoke2", 6);
    CHECK(CKR_SESSION_EXISTS, p->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), label));
    OK(p->C_CloseAllSessions(slot));
    CHECK(CKR_SESSION_HANDLE_INVALID, p->C_GetSessionInfo(s, &si));
    CHECK(CKR_PIN_INCORRECT,
          p->C_InitToken(slot, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin), label));
    OK(p->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), label));
    OK(p->C_GetTokenInfo(slot, &ti));
    TRUE_(memcmp(ti.label, "smoke2 ", 7) == 0 && (ti.flags & CKF_USER_PIN_INITIALIZED) == 0);
    TRUE_((ti.flags & CKF_SO_PIN_COUNT_LOW) == 0); /* the failure was reset by success */
    OK(p->C_Finalize(NULL));

    if (failures == 0 && nftw(home, rm_one, 8, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "smoke: could not remove %s\n", home);
    }
    printf("pkcs11-smoke: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
