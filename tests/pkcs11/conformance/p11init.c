/* SPDX-License-Identifier: Apache-2.0 */
/*
 * p11init MODULE LABEL SO_PIN USER_PIN: initialise a token through the module
 * itself ([BASE] 5.5.7 C_InitToken on the first slot whose token lacks
 * CKF_TOKEN_INITIALIZED, then 5.5.8 C_InitPIN in a R/W SO session).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "ferrohsm/pkcs11/pkcs11.h"

static CK_FUNCTION_LIST_PTR
load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "p11init: %s\n", dlerror());
        return NULL;
    }
    void *sym = dlsym(h, "C_GetInterface");
    CK_C_GetInterface gi;
    memcpy(&gi, &sym, sizeof gi);
    if (gi != NULL) {
        CK_VERSION v = {3, 0};
        CK_INTERFACE_PTR ip = NULL;
        if (gi((CK_UTF8CHAR_PTR) "PKCS 11", &v, &ip, 0) == CKR_OK && ip != NULL)
            return ip->pFunctionList;
    }
    sym = dlsym(h, "C_GetFunctionList");
    CK_C_GetFunctionList gfl;
    memcpy(&gfl, &sym, sizeof gfl);
    CK_FUNCTION_LIST_PTR f = NULL;
    if (gfl == NULL || gfl(&f) != CKR_OK)
        return NULL;
    return f;
}

#define TRY(what, call)                                                                            \
    do {                                                                                           \
        CK_RV rv_ = (call);                                                                        \
        if (rv_ != CKR_OK) {                                                                       \
            fprintf(stderr, "p11init: %s: 0x%lx\n", what, (unsigned long)rv_);                     \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: p11init MODULE LABEL SO_PIN USER_PIN\n");
        return 2;
    }
    CK_FUNCTION_LIST_PTR f = load(argv[1]);
    if (f == NULL)
        return 1;
    TRY("C_Initialize", f->C_Initialize(NULL));
    CK_SLOT_ID slots[64];
    CK_ULONG n = 64;
    TRY("C_GetSlotList", f->C_GetSlotList(CK_TRUE, slots, &n));
    CK_ULONG i;
    for (i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && !(ti.flags & CKF_TOKEN_INITIALIZED))
            break;
    }
    if (i == n) {
        fprintf(stderr, "p11init: no slot with an uninitialised token\n");
        return 1;
    }
    CK_UTF8CHAR label[32];
    memset(label, ' ', sizeof label);
    memcpy(label, argv[2], strnlen(argv[2], sizeof label));
    const char *so = argv[3], *user = argv[4];
    TRY("C_InitToken", f->C_InitToken(slots[i], (CK_UTF8CHAR_PTR)so, strlen(so), label));
    CK_SESSION_HANDLE s;
    TRY("C_OpenSession",
        f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
    TRY("C_Login(SO)", f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so, strlen(so)));
    TRY("C_InitPIN", f->C_InitPIN(s, (CK_UTF8CHAR_PTR)user, strlen(user)));
    TRY("C_Logout", f->C_Logout(s));
    TRY("C_CloseSession", f->C_CloseSession(s));
    TRY("C_Finalize", f->C_Finalize(NULL));
    printf("p11init: token \"%s\" initialised in slot %lu\n", argv[2], (unsigned long)slots[i]);
    return 0;
}
