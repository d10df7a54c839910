/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functions new in PKCS#11 3.0: [BASE] 5.6.5 C_SessionCancel, 5.9/5.11
 * message-based encryption and decryption. Skipped for 2.40 modules.
 */
#include <string.h>

#include <openssl/evp.h>

#include "p11conf.h"

#define USER_SESSION(state) ((CK_SESSION_HANDLE)(uintptr_t)(*(state)))

/* [BASE] 5.6.5 C_SessionCancel: terminates the operations named by the flags
 * (CKF_SIGN here): afterwards C_Sign is CKR_OPERATION_NOT_INITIALIZED and
 * C_SignInit works again; "If no flags are set, the session state will not be
 * modified and CKR_OK will be returned"; a flag for an operation that is not
 * active is ignored. */
static void
test_session_cancel(void **state)
{
    CK_SESSION_HANDLE s = USER_SESSION(state);
    require_v3();
    CK_OBJECT_HANDLE pub, priv;
    gen_ec(s, &pub, &priv);
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    CK_BYTE h[32], sig[64];
    memset(h, 9, sizeof h);
    CK_ULONG sl = sizeof sig;
    CK_OK(p11->C_SignInit(s, &m, priv));
    CK_RV rv = p11v3->C_SessionCancel(s, 0);
    if (rv == CKR_FUNCTION_NOT_SUPPORTED)
        SKIP_BECAUSE("C_SessionCancel is CKR_FUNCTION_NOT_SUPPORTED");
    CK_OK(rv);
    /* flags 0 left the signing operation alone */
    CK_OK(p11->C_Sign(s, h, sizeof h, sig, &sl));
    CK_OK(p11->C_SignInit(s, &m, priv));
    CK_OK(p11v3->C_SessionCancel(s, CKF_SIGN | CKF_DIGEST));
    sl = sizeof sig;
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11->C_Sign(s, h, sizeof h, sig, &sl));
    CK_OK(p11->C_SignInit(s, &m, priv));
    sl = sizeof sig;
    CK_OK(p11->C_Sign(s, h, sizeof h, sig, &sl));
    CK_ASSERT(CKR_SESSION_HANDLE_INVALID, p11v3->C_SessionCancel(0x7ffffff0UL, CKF_SIGN));
}

/* [BASE] 5.9 message-based encryption (C_MessageEncryptInit, C_EncryptMessage,
 * C_MessageEncryptFinal) and 5.11 decryption with [MECH] AES-GCM and
 * CK_GCM_MESSAGE_PARAMS (caller-supplied IV, CKG_NO_GENERATE, tag returned in
 * pTag): the ciphertext and tag equal OpenSSL's AES-256-GCM; the message
 * decrypts; a changed tag fails with CKR_ENCRYPTED_DATA_INVALID ([BASE] 5.11
 * C_DecryptMessage return values). Skipped when C_GetMechanismInfo(CKM_AES_GCM)
 * does not advertise CKF_MESSAGE_ENCRYPT. */
static void
test_message_encrypt_gcm(void **state)
{
    CK_SESSION_HANDLE s = USER_SESSION(state);
    require_v3();
    CK_MECHANISM_INFO mi;
    CK_OK(p11->C_GetMechanismInfo(conf_slot, CKM_AES_GCM, &mi));
    if (!(mi.flags & CKF_MESSAGE_ENCRYPT) || !(mi.flags & CKF_MESSAGE_DECRYPT))
        SKIP_BECAUSE("CKM_AES_GCM without CKF_MESSAGE_ENCRYPT/DECRYPT");
    CK_BYTE key[32], iv[12], aad[9] = "header-9";
    for (int i = 0; i < 32; i++)
        key[i] = (CK_BYTE)(i * 5);
    memset(iv, 0x42, sizeof iv);
    CK_OBJECT_HANDLE k = import_secret(s, CKK_AES, key, sizeof key, 1);
    static const CK_BYTE pt[] = "message-based encryption, PKCS#11 3.0";
    const CK_ULONG n = sizeof pt - 1;
    CK_BYTE tag[16], ct[128], back[128];
    CK_GCM_MESSAGE_PARAMS gp = {iv, sizeof iv, 0, CKG_NO_GENERATE, tag, 128};
    CK_MECHANISM m = {CKM_AES_GCM, NULL, 0};
    CK_OK(p11v3->C_MessageEncryptInit(s, &m, k));
    CK_ULONG cl = sizeof ct;
    CK_OK(p11v3->C_EncryptMessage(s, &gp, sizeof gp, aad, sizeof aad, (CK_BYTE_PTR)pt, n, ct, &cl));
    CK_OK(p11v3->C_MessageEncryptFinal(s));
    assert_int_equal(cl, n);

    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    unsigned char ref[128], rtag[16];
    int l = 0, f = 0;
    assert_int_equal(EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL), 1);
    assert_int_equal(EVP_EncryptInit_ex(x, NULL, NULL, key, iv), 1);
    assert_int_equal(EVP_EncryptUpdate(x, NULL, &l, aad, sizeof aad), 1);
    assert_int_equal(EVP_EncryptUpdate(x, ref, &l, pt, (int)n), 1);
    assert_int_equal(EVP_EncryptFinal_ex(x, ref + l, &f), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, rtag), 1);
    EVP_CIPHER_CTX_free(x);
    assert_memory_equal(ct, ref, n);
    assert_memory_equal(tag, rtag, 16);

    CK_OK(p11v3->C_MessageDecryptInit(s, &m, k));
    CK_ULONG bl = sizeof back;
    CK_OK(p11v3->C_DecryptMessage(s, &gp, sizeof gp, aad, sizeof aad, ct, cl, back, &bl));
    assert_int_equal(bl, n);
    assert_memory_equal(back, pt, n);
    tag[0] ^= 1;
    bl = sizeof back;
    CK_ASSERT(CKR_ENCRYPTED_DATA_INVALID,
              p11v3->C_DecryptMessage(s, &gp, sizeof gp, aad, sizeof aad, ct, cl, back, &bl));
    CK_OK(p11v3->C_MessageDecryptFinal(s));
    CK_ASSERT(CKR_OPERATION_NOT_INITIALIZED, p11v3->C_MessageDecryptFinal(s));
}

const struct CMUnitTest v3_tests[] = {
    cmocka_unit_test_setup_teardown(test_session_cancel, fx_user, fx_user_fini),
    cmocka_unit_test_setup_teardown(test_message_encrypt_gcm, fx_user, fx_user_fini),
};
const size_t v3_count = sizeof v3_tests / sizeof v3_tests[0];
