/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_soft_xcheck.c - cross-checks of the soft backend against an
 * independent implementation, python3-cryptography, through xcheck.py.
 *
 * "ours": the backend generates RSA-2048, P-256, P-384 and Ed25519 keys,
 * signs (PKCS#1 v1.5 and PSS with SHA-256, ECDSA-SHA256, EdDSA) and encrypts
 * (OAEP SHA-256 with a label); python verifies and decrypts (the RSA private
 * key is exported from the PKCS#8 material into the temp dir, test only).
 * "theirs": python makes keys, signatures and a ciphertext; the backend
 * imports the PKCS#8 keys (CKA_VALUE) and an EC public key from its raw
 * point, verifies and decrypts.
 *
 * The script path comes from FH_XCHECK_SCRIPT and the interpreter from
 * FH_PYTHON (default /usr/bin/python3), both set by meson. Without them, or
 * without python3-cryptography, the tests are skipped, not passed.
 */
#include "test-soft.h"

#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

extern char **environ;

static const char *
python(void)
{
    const char *p = getenv("FH_PYTHON");

    return (p != NULL && *p != '\0') ? p : "/usr/bin/python3";
}

/* Run xcheck.py cmd [dir]; its exit status, or -1. */
static int
run_xcheck(const char *cmd, const char *dir)
{
    const char *script = getenv("FH_XCHECK_SCRIPT");
    char *argv[5];
    pid_t pid;
    int st = 0;

    if (script == NULL || access(script, R_OK) != 0) {
        return -1;
    }
    argv[0] = (char *)python();
    argv[1] = (char *)script;
    argv[2] = (char *)cmd;
    argv[3] = (char *)dir;
    argv[4] = NULL;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
        return -1;
    }
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

static void
skip_unless_python(void)
{
    if (run_xcheck("probe", NULL) != 0) {
        print_message("python3-cryptography or FH_XCHECK_SCRIPT unavailable: skipped\n");
        skip();
    }
}

static void
put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* malloc'd contents of dir/name. */
static uint8_t *
get(const char *dir, const char *name, size_t *len)
{
    char path[512];
    uint8_t *b;
    long n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
rm_tree(const char *dir)
{
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void
put_spki(const char *dir, const char *name, const struct tkey *k)
{
    put(dir, name, k->pubk.spki, k->pubk.spki_len);
}

/* Sign msg with mech and write the signature; returns its length. */
static void
sign_to(const char *dir, const char *name, CK_MECHANISM *m, const struct tkey *k,
        const uint8_t *msg, size_t ml)
{
    uint8_t sig[512];
    size_t sl = sizeof(sig);

    assert_int_equal(t_one(FH_OP_SIGN, m, &k->priv, msg, ml, sig, &sl), FH_OK);
    put(dir, name, sig, sl);
}

void
t_xcheck_ours(void **state)
{
    char dir[] = "/tmp/fh-xcheck-XXXXXX";
    static const uint8_t msg[] = "signed by FerroHSM soft backend";
    static const uint8_t label[] = "xcheck-label";
    static const uint8_t secret[] = "attack at dawn";
    static const char manifest[] = "pkcs1 rsa.spki msg.bin rsa-pkcs1.sig\n"
                                   "pss rsa.spki msg.bin rsa-pss.sig\n"
                                   "ecdsa p256.spki msg.bin p256.sig\n"
                                   "ecdsa p384.spki msg.bin p384.sig\n"
                                   "eddsa ed25519.spki msg.bin ed25519.sig\n"
                                   "oaep rsa.p8 oaep.ct oaep.label oaep.msg\n";
    struct tkey r, p256, p384, ed;
    CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED,
                                  (void *)label, sizeof(label) - 1};
    CK_MECHANISM pkcs1 = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp)};
    CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0};
    CK_MECHANISM eddsa = {CKM_EDDSA, NULL, 0};
    CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &op, sizeof(op)};
    uint8_t ct[256];
    size_t cl = sizeof(ct);
    int st;

    (void)state;
    skip_unless_python();
    assert_non_null(mkdtemp(dir));
    t_keygen(&r, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    t_keygen(&p256, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    t_keygen(&p384, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06052b81040022");
    t_keygen(&ed, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 0, "06032b6570");
    put(dir, "msg.bin", msg, sizeof(msg) - 1);
    put_spki(dir, "rsa.spki", &r);
    put_spki(dir, "p256.spki", &p256);
    put_spki(dir, "p384.spki", &p384);
    put_spki(dir, "ed25519.spki", &ed);
    sign_to(dir, "rsa-pkcs1.sig", &pkcs1, &r, msg, sizeof(msg) - 1);
    sign_to(dir, "rsa-pss.sig", &pss, &r, msg, sizeof(msg) - 1);
    sign_to(dir, "p256.sig", &ecdsa, &p256, msg, sizeof(msg) - 1);
    sign_to(dir, "p384.sig", &ecdsa, &p384, msg, sizeof(msg) - 1);
    sign_to(dir, "ed25519.sig", &eddsa, &ed, msg, sizeof(msg) - 1);
    assert_int_equal(t_one(FH_OP_ENCRYPT, &oaep, &r.pubk, secret, sizeof(secret) - 1, ct, &cl),
                     FH_OK);
    put(dir, "oaep.ct", ct, cl);
    put(dir, "oaep.label", label, sizeof(label) - 1);
    put(dir, "oaep.msg", secret, sizeof(secret) - 1);
    /* test only: the soft backend's material is the PKCS#8 key itself */
    put(dir, "rsa.p8", fh_secret_cdata(r.material), fh_secret_len(r.material));
    put(dir, "manifest.txt", manifest, sizeof(manifest) - 1);
    st = run_xcheck("verify", dir);
    rm_tree(dir);
    t_tkey_free(&r);
    t_tkey_free(&p256);
    t_tkey_free(&p384);
    t_tkey_free(&ed);
    assert_int_equal(st, 0);
}

/* Import dir/name (PKCS#8) and verify dir/sig over msg with mech. */
static void
verify_theirs(const char *dir, const char *p8, const char *sigf, CK_KEY_TYPE type,
              CK_MECHANISM *m, const uint8_t *msg, size_t ml)
{
    struct tkey k;
    size_t dl = 0, sl = 0;
    uint8_t *der = get(dir, p8, &dl);
    uint8_t *sig = get(dir, sigf, &sl);

    assert_int_equal(t_import_pkcs8(&k, type, der, dl), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, m, &k.pubk, msg, ml, sig, &sl), FH_OK);
    sig[sl / 2] ^= 0x01;
    assert_int_equal(t_one(FH_OP_VERIFY, m, &k.pubk, msg, ml, sig, &sl), FH_E_SIGNATURE_INVALID);
    t_tkey_free(&k);
    OPENSSL_cleanse(der, dl);
    free(der);
    free(sig);
}

void
t_xcheck_theirs(void **state)
{
    char dir[] = "/tmp/fh-xcheck-XXXXXX";
    CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_MECHANISM pkcs1 = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp)};
    CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0};
    CK_MECHANISM eddsa = {CKM_EDDSA, NULL, 0};
    CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &op, sizeof(op)};
    struct fh_attrs in = FH_ATTRS_INIT;
    struct tkey r, pk;
    size_t ml = 0, dl = 0, cl = 0, ll = 0, el = 0, pl = 0, sl = 0, ol;
    uint8_t *msg, *der, *ct, *label, *expect, *pt, *sig;
    uint8_t out[256];

    (void)state;
    skip_unless_python();
    assert_non_null(mkdtemp(dir));
    assert_int_equal(run_xcheck("make", dir), 0);
    msg = get(dir, "msg.bin", &ml);
    verify_theirs(dir, "rsa.p8", "rsa-pkcs1.sig", CKK_RSA, &pkcs1, msg, ml);
    verify_theirs(dir, "rsa.p8", "rsa-pss.sig", CKK_RSA, &pss, msg, ml);
    verify_theirs(dir, "p256.p8", "p256.sig", CKK_EC, &ecdsa, msg, ml);
    verify_theirs(dir, "p384.p8", "p384.sig", CKK_EC, &ecdsa, msg, ml);
    verify_theirs(dir, "ed25519.p8", "ed25519.sig", CKK_EC_EDWARDS, &eddsa, msg, ml);

    /* OAEP decryption with python's label */
    der = get(dir, "rsa.p8", &dl);
    ct = get(dir, "oaep.ct", &cl);
    label = get(dir, "oaep.label", &ll);
    expect = get(dir, "oaep.msg", &el);
    op.pSourceData = label;
    op.ulSourceDataLen = ll;
    assert_int_equal(t_import_pkcs8(&r, CKK_RSA, der, dl), FH_OK);
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &oaep, &r.priv, ct, cl, out, &ol), FH_OK);
    assert_int_equal(ol, el);
    assert_memory_equal(out, expect, el);
    /* and as an unwrap of a 32-byte AES key */
    {
        fh_secret *k = NULL;
        struct fh_attrs pub = FH_ATTRS_INIT;

        assert_int_equal(T_OPS->unwrap(T_PRIV, &oaep, &r.priv, ct, cl, CKO_SECRET_KEY, CKK_AES,
                                       0, &k, &pub),
                         FH_OK);
        assert_int_equal(fh_secret_len(k), 32);
        assert_memory_equal(fh_secret_cdata(k), expect, 32);
        fh_secret_free(k);
    }
    t_tkey_free(&r);

    /* ECDSA with the public key imported from python's raw point */
    pt = get(dir, "p256.point", &pl);
    sig = get(dir, "p256.sig", &sl);
    memset(&pk, 0, sizeof(pk));
    assert_int_equal(fh_attrs_set(&in, CKA_EC_PARAMS, "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07",
                                  10),
                     FH_OK);
    assert_int_equal(fh_attrs_set(&in, CKA_EC_POINT, pt, pl), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_EC, &in, &pk.material, &pk.pub),
                     FH_OK);
    t_tkey_bind(&pk, CKO_PUBLIC_KEY, CKK_EC);
    assert_int_equal(t_one(FH_OP_VERIFY, &ecdsa, &pk.pubk, msg, ml, sig, &sl), FH_OK);
    t_tkey_free(&pk);
    fh_attrs_clear(&in);

    rm_tree(dir);
    OPENSSL_cleanse(der, dl);
    free(der);
    free(ct);
    free(label);
    free(expect);
    free(msg);
    free(pt);
    free(sig);
}
