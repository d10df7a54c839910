/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS#11 v3.0 conformance suite: shared declarations.
 *
 * The suite loads a module with dlopen and reaches it only through
 * C_GetInterface("PKCS 11", 3.0), or C_GetFunctionList for 2.40 modules
 * (SoftHSMv2 2.6).  Every test cites the clause of the OASIS "PKCS #11
 * Cryptographic Token Interface Base Specification Version 3.0" ([BASE]) or
 * of the "Current Mechanisms Specification Version 3.0" ([MECH]) it checks.
 */
#ifndef P11CONF_H
#define P11CONF_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ferrohsm/pkcs11/pkcs11.h"

/* The module under test.  p11 is the 2.40 part of the table (the 3.0 table
 * starts with the same members); p11v3 is non-NULL only when the module
 * offered the "PKCS 11" 3.0 interface. */
extern CK_FUNCTION_LIST_PTR p11;
extern CK_FUNCTION_LIST_3_0_PTR p11v3;
extern CK_SLOT_ID conf_slot;
extern const char *conf_so_pin;
extern const char *conf_user_pin;
extern const char *conf_label;

int impl_is_softhsm(void);
int impl_is_ferrohsm(void);
int impl_is_remote(void);
/*
 * Where a test's keys live: t[0] = CKA_TOKEN false (a session object), or on
 * a remote slot, which has token objects only, CKA_TOKEN true and t[1] =
 * CKA_LABEL with a fresh label written to label[cap]. Returns the number of
 * attributes written (t has room for 2).
 */
CK_ULONG key_storage(CK_ATTRIBUTE *t, char *label, size_t cap);
const char *ckr_name(CK_RV rv);
/* The module's v3.0 entry points (NULL when it has none). */
CK_C_GetInterface module_get_interface(void);
CK_C_GetInterfaceList module_get_interface_list(void);

/* Assert an exact CK_RV and print both names on mismatch. */
#define CK_ASSERT(expected, expr)                                                                  \
    ck_assert_rv((CK_RV)(expected), (CK_RV)(expr), #expr, __FILE__, __LINE__)
#define CK_OK(expr) CK_ASSERT(CKR_OK, expr)
void ck_assert_rv(CK_RV expected, CK_RV got, const char *what, const char *file, int line);

/* Skip with a reason printed. */
#define SKIP_BECAUSE(...)                                                                          \
    do {                                                                                           \
        print_message("      skip: " __VA_ARGS__);                                                 \
        print_message("\n");                                                                       \
        skip();                                                                                    \
    } while (0)

/* Fixtures: initialise the library before a test, close everything after. */
int fx_init(void **state);
int fx_fini(void **state);
/* As fx_init, then open a R/W session logged in as the user (*state). */
int fx_user(void **state);
int fx_user_fini(void **state);

CK_SESSION_HANDLE open_session(CK_FLAGS extra);
void login_user(CK_SESSION_HANDLE s);
int has_mechanism(CK_MECHANISM_TYPE m);
void require_mechanism(CK_MECHANISM_TYPE m);
void require_v3(void);

/* Keys. */
CK_OBJECT_HANDLE gen_aes(CK_SESSION_HANDLE s, CK_ULONG len, int extractable);
CK_OBJECT_HANDLE import_secret(CK_SESSION_HANDLE s, CK_KEY_TYPE kt, const CK_BYTE *v, CK_ULONG n,
                               int sensitive);
void gen_rsa(CK_SESSION_HANDLE s, CK_ULONG bits, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
void gen_ec(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
void gen_ed25519(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
/* Read one attribute into a malloc'd buffer; returns its length. */
CK_ULONG get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, CK_BYTE **out);
CK_BBOOL get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t);
CK_ULONG get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t);
/* Raw uncompressed EC point from CKA_EC_POINT (unwraps a DER OCTET STRING). */
CK_ULONG ec_point_raw(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_BYTE *out, CK_ULONG cap);
CK_ULONG count_objects(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n);

extern const CK_BYTE oid_p256[10];
extern const CK_BYTE oid_ed25519[5];
extern CK_BBOOL ck_true, ck_false;

/* Test tables per area (each file exports one). */
#define P11_GROUP(name)                                                                            \
    extern const struct CMUnitTest name##_tests[];                                                 \
    extern const size_t name##_count
P11_GROUP(general);
P11_GROUP(sessions);
P11_GROUP(objects);
P11_GROUP(crypto);
P11_GROUP(keymgmt);
P11_GROUP(misc);
P11_GROUP(v3);

#endif
