/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_p11.c - templates and mechanism parameters through the PKCS#11 C ABI.
 *
 * The module named by FH_FUZZ_P11_MODULE is loaded once (dlopen +
 * C_GetInterface), a token is initialised in a fresh FERROHSM_HOME, the user
 * logs in and a few keys are made. Each input is then read as a little
 * program: the first byte picks a call (C_CreateObject, C_GenerateKey(Pair),
 * C_FindObjectsInit, C_*Init with a mechanism and parameter, C_SetAttribute-
 * Value, C_GetAttributeValue, C_WrapKey, C_UnwrapKey, C_DeriveKey), the rest
 * is decoded into attribute templates and mechanism parameter bytes. Every
 * call must return some CKR (the module must not crash or leak); objects
 * created are destroyed again so the store stays small.
 *
 * Input layout after the selector byte: a sequence of records
 *   [type u16][len u8][value len bytes]   (attributes; type is folded onto
 *   a table of real CKA_* values so the fuzzer reaches the rules)
 * and for mechanism calls the first two bytes pick the mechanism and the
 * parameter is the remaining bytes.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ferrohsm/pkcs11/pkcs11.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CK_FUNCTION_LIST_3_0_PTR f;
static CK_SESSION_HANDLE sess;
static CK_OBJECT_HANDLE aes, ec_priv, ec_pub, rsa_pub, rsa_priv;

static const CK_ATTRIBUTE_TYPE attr_table[] = {
    CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_VALUE, CKA_KEY_TYPE, CKA_ID,
    CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_VERIFY,
    CKA_DERIVE, CKA_MODULUS, CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
    CKA_VALUE_LEN, CKA_EXTRACTABLE, CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE,
    CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE, CKA_EC_PARAMS, CKA_EC_POINT,
    CKA_ALLOWED_MECHANISMS, CKA_CERTIFICATE_TYPE, CKA_SUBJECT, CKA_START_DATE,
    CKA_KEY_GEN_MECHANISM, CKA_PUBLIC_KEY_INFO, CKA_TRUSTED, CKA_WRAP_WITH_TRUSTED,
    CKA_APPLICATION, CKA_OBJECT_ID, 0x80001234UL,
};

static const CK_MECHANISM_TYPE mech_table[] = {
    CKM_AES_KEY_GEN, CKM_GENERIC_SECRET_KEY_GEN, CKM_EC_KEY_PAIR_GEN,
    CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_AES_ECB, CKM_AES_CBC,
    CKM_AES_CBC_PAD, CKM_AES_CTR, CKM_AES_GCM, CKM_AES_CMAC, CKM_AES_CMAC_GENERAL,
    CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD, CKM_AES_KEY_WRAP_KWP, CKM_ECDSA, CKM_ECDSA_SHA256,
    CKM_EDDSA, CKM_ECDH1_DERIVE, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS,
    CKM_RSA_PKCS_OAEP, CKM_SHA256_HMAC, CKM_SHA256, CKM_SHA3_256, 0x80000001UL,
};

#define MAX_ATTRS 16

static char home_dir[64];

/* Finalise and remove the temporary FERROHSM_HOME. */
static void
cleanup(void)
{
    static const char *const files[] = {"ferrohsm.db", "ferrohsm.db-wal", "ferrohsm.db-shm",
                                        "ferrohsm.conf"};
    char path[128];

    if (f != NULL) {
        (void)f->C_Finalize(NULL);
    }
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", home_dir, files[i]);
        unlink(path);
    }
    rmdir(home_dir);
}

static void
die(const char *what, CK_RV rv)
{
    fprintf(stderr, "fuzz_p11: setup: %s: 0x%lx\n", what, (unsigned long)rv);
    abort();
}

static void
setup(void)
{
    const char *path = getenv("FH_FUZZ_P11_MODULE");
    char home[] = "/tmp/fh-fuzz-p11-XXXXXX";
    char conf[sizeof(home) + 32];
    CK_RV (*get_interface)(CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);
    CK_INTERFACE_PTR intf = NULL;
    CK_VERSION v3 = {3, 0};
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8;
    CK_UTF8CHAR label[32];
    CK_BBOOL yes = CK_TRUE;
    CK_ULONG len32 = 32, bits = 2048;
    CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_BYTE e[] = {1, 0, 1};
    CK_MECHANISM kg = {CKM_AES_KEY_GEN, NULL, 0}, ec = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM rsa = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE at[] = {{CKA_VALUE_LEN, &len32, sizeof(len32)}, {CKA_EXTRACTABLE, &yes, 1},
                         {CKA_SENSITIVE, &yes, 1}};
    CK_ATTRIBUTE ecpub[] = {{CKA_EC_PARAMS, p256, sizeof(p256)}};
    CK_ATTRIBUTE ecpriv[] = {{CKA_DERIVE, &yes, 1}};
    CK_ATTRIBUTE rsapub[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)},
                             {CKA_PUBLIC_EXPONENT, e, sizeof(e)}};
    void *h;
    FILE *cf;
    CK_RV rv;

    if (path == NULL || mkdtemp(home) == NULL) {
        fprintf(stderr, "fuzz_p11: set FH_FUZZ_P11_MODULE to the built module\n");
        abort();
    }
    snprintf(conf, sizeof(conf), "%s/ferrohsm.conf", home);
    cf = fopen(conf, "w");
    if (cf == NULL) {
        abort();
    }
    fputs("[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 64\nmax_pin_failures = 1000\n", cf);
    fclose(cf);
    snprintf(home_dir, sizeof(home_dir), "%s", home);
    setenv("FERROHSM_HOME", home, 1);
    unsetenv("FERROHSM_CONF");
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        die(dlerror(), 0);
    }
    *(void **)(&get_interface) = dlsym(h, "C_GetInterface");
    if (get_interface == NULL || get_interface((CK_UTF8CHAR_PTR) "PKCS 11", &v3, &intf, 0) != CKR_OK) {
        die("C_GetInterface", 0);
    }
    f = intf->pFunctionList;
    if ((rv = f->C_Initialize(NULL)) != CKR_OK) {
        die("C_Initialize", rv);
    }
    if ((rv = f->C_GetSlotList(CK_FALSE, slots, &n)) != CKR_OK || n == 0) {
        die("C_GetSlotList", rv);
    }
    memset(label, ' ', sizeof(label));
    memcpy(label, "fuzz", 4);
    if ((rv = f->C_InitToken(slots[n - 1], (CK_UTF8CHAR_PTR) "so-pin-1", 8, label)) != CKR_OK) {
        die("C_InitToken", rv);
    }
    if ((rv = f->C_OpenSession(slots[n - 1], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                               &sess)) != CKR_OK ||
        (rv = f->C_Login(sess, CKU_SO, (CK_UTF8CHAR_PTR) "so-pin-1", 8)) != CKR_OK ||
        (rv = f->C_InitPIN(sess, (CK_UTF8CHAR_PTR) "user-pin", 8)) != CKR_OK ||
        (rv = f->C_Logout(sess)) != CKR_OK ||
        (rv = f->C_Login(sess, CKU_USER, (CK_UTF8CHAR_PTR) "user-pin", 8)) != CKR_OK) {
        die("login", rv);
    }
    if ((rv = f->C_GenerateKey(sess, &kg, at, 3, &aes)) != CKR_OK ||
        (rv = f->C_GenerateKeyPair(sess, &ec, ecpub, 1, ecpriv, 1, &ec_pub, &ec_priv)) != CKR_OK ||
        (rv = f->C_GenerateKeyPair(sess, &rsa, rsapub, 2, NULL, 0, &rsa_pub, &rsa_priv)) != CKR_OK) {
        die("keys", rv);
    }
    /* registered after the module set up libcrypto, so it runs before
     * OpenSSL's own exit handler (atexit runs in reverse order) */
    atexit(cleanup);
}

struct reader {
    const uint8_t *p;
    size_t n;
};

static size_t
take(struct reader *r, size_t want, const uint8_t **out)
{
    size_t k = want < r->n ? want : r->n;

    *out = r->p;
    r->p += k;
    r->n -= k;
    return k;
}

/* Decode up to MAX_ATTRS attributes; values point into the input. */
static CK_ULONG
read_template(struct reader *r, CK_ATTRIBUTE *t, CK_ULONG max)
{
    CK_ULONG n = 0;

    while (n < max && r->n >= 3) {
        const uint8_t *hdr, *val;
        size_t len;

        take(r, 3, &hdr);
        t[n].type = attr_table[hdr[0] % (sizeof(attr_table) / sizeof(attr_table[0]))];
        len = take(r, hdr[2], &val);
        /* bit 0 of hdr[1]: a NULL value with a claimed length (bad input) */
        t[n].pValue = (hdr[1] & 1) != 0 ? NULL : (void *)(uintptr_t)val;
        t[n].ulValueLen = (hdr[1] & 2) != 0 ? hdr[2] : len;
        if (t[n].pValue != NULL && t[n].ulValueLen > len) {
            t[n].ulValueLen = len; /* never let the module read past the input */
        }
        n++;
    }
    return n;
}

static CK_OBJECT_HANDLE
pick_key(uint8_t b)
{
    const CK_OBJECT_HANDLE keys[] = {aes, ec_priv, ec_pub, rsa_pub, rsa_priv, 0, 0xdeadbeef};

    return keys[b % (sizeof(keys) / sizeof(keys[0]))];
}

static void
drop(CK_OBJECT_HANDLE h)
{
    if (h != CK_INVALID_HANDLE && h != aes && h != ec_priv && h != ec_pub && h != rsa_pub &&
        h != rsa_priv) {
        (void)f->C_DestroyObject(sess, h);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = {data, size};
    CK_ATTRIBUTE t1[MAX_ATTRS], t2[MAX_ATTRS];
    CK_ULONG n1, n2;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE, h2 = CK_INVALID_HANDLE;
    CK_MECHANISM m = {0, NULL, 0};
    uint8_t out[1024];
    CK_ULONG out_len = sizeof(out);
    const uint8_t *sel, *mb, *param;
    size_t plen;

    if (f == NULL) {
        setup();
    }
    if (take(&r, 1, &sel) == 0) {
        return 0;
    }
    if (take(&r, 3, &mb) == 3) {
        m.mechanism = mech_table[mb[0] % (sizeof(mech_table) / sizeof(mech_table[0]))];
        plen = take(&r, mb[1], &param);
        m.pParameter = plen > 0 ? (void *)(uintptr_t)param : NULL;
        m.ulParameterLen = (mb[2] & 1) != 0 ? mb[1] : plen; /* sometimes a lying length */
        if (m.pParameter != NULL && m.ulParameterLen > plen) {
            m.ulParameterLen = plen;
        }
    }
    switch (sel[0] % 12) {
    case 0:
        n1 = read_template(&r, t1, MAX_ATTRS);
        (void)f->C_CreateObject(sess, t1, n1, &h);
        break;
    case 1:
        n1 = read_template(&r, t1, MAX_ATTRS);
        (void)f->C_GenerateKey(sess, &m, t1, n1, &h);
        break;
    case 2:
        n1 = read_template(&r, t1, MAX_ATTRS / 2);
        n2 = read_template(&r, t2, MAX_ATTRS / 2);
        (void)f->C_GenerateKeyPair(sess, &m, t1, n1, t2, n2, &h, &h2);
        break;
    case 3: {
        CK_OBJECT_HANDLE found[8];
        CK_ULONG nf = 0;

        n1 = read_template(&r, t1, MAX_ATTRS);
        if (f->C_FindObjectsInit(sess, t1, n1) == CKR_OK) {
            (void)f->C_FindObjects(sess, found, 8, &nf);
            (void)f->C_FindObjectsFinal(sess);
        }
        break;
    }
    case 4:
        if (f->C_SignInit(sess, &m, pick_key(sel[0] >> 4)) == CKR_OK) {
            (void)f->C_Sign(sess, (CK_BYTE_PTR)(uintptr_t)r.p, r.n, out, &out_len);
        }
        break;
    case 5:
        if (f->C_EncryptInit(sess, &m, pick_key(sel[0] >> 4)) == CKR_OK) {
            (void)f->C_Encrypt(sess, (CK_BYTE_PTR)(uintptr_t)r.p, r.n, out, &out_len);
        }
        break;
    case 6:
        if (f->C_DecryptInit(sess, &m, pick_key(sel[0] >> 4)) == CKR_OK) {
            (void)f->C_Decrypt(sess, (CK_BYTE_PTR)(uintptr_t)r.p, r.n, out, &out_len);
        }
        break;
    case 7:
        if (f->C_VerifyInit(sess, &m, pick_key(sel[0] >> 4)) == CKR_OK) {
            (void)f->C_Verify(sess, (CK_BYTE_PTR)(uintptr_t)r.p, r.n / 2,
                              (CK_BYTE_PTR)(uintptr_t)(r.p + r.n / 2), r.n - r.n / 2);
        }
        break;
    case 8:
        (void)f->C_WrapKey(sess, &m, pick_key(sel[0] >> 4), pick_key(sel[0] >> 2), out, &out_len);
        break;
    case 9:
        n1 = read_template(&r, t1, MAX_ATTRS);
        (void)f->C_UnwrapKey(sess, &m, pick_key(sel[0] >> 4), (CK_BYTE_PTR)(uintptr_t)r.p, r.n,
                             t1, n1, &h);
        break;
    case 10:
        n1 = read_template(&r, t1, MAX_ATTRS);
        (void)f->C_DeriveKey(sess, &m, pick_key(sel[0] >> 4), t1, n1, &h);
        break;
    default: {
        /* get then set attributes of a fresh data object */
        CK_OBJECT_CLASS data_cls = CKO_DATA;
        CK_ATTRIBUTE base[] = {{CKA_CLASS, &data_cls, sizeof(data_cls)}};

        n1 = read_template(&r, t1, MAX_ATTRS);
        if (f->C_CreateObject(sess, base, 1, &h) == CKR_OK) {
            (void)f->C_SetAttributeValue(sess, h, t1, n1);
        }
        for (CK_ULONG i = 0; i < n1; i++) {
            t1[i].pValue = (i % 2 == 0) ? out : NULL;
            t1[i].ulValueLen = (i % 2 == 0) ? sizeof(out) / MAX_ATTRS : 0;
        }
        (void)f->C_GetAttributeValue(sess, pick_key(sel[0] >> 4), t1, n1);
        break;
    }
    }
    drop(h);
    drop(h2);
    return 0;
}
