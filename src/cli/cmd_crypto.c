/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_crypto.c - `ferrohsm sign|verify|encrypt|decrypt`.
 *
 * Mechanism parameters are built here from options (PKCS#11 v3.0 Current
 * Mechanisms §2.1.8 PSS, §2.1.9 OAEP, §2.14 AES CTR/GCM); the core and the
 * backend validate them. Options that mean nothing for the chosen mechanism
 * (--iv with RSA, --aad without GCM...) are usage errors rather than silently
 * ignored.
 *
 * IVs (docs/cli.md): AES_CBC, AES_CBC_PAD, AES_CTR and AES_GCM take --iv; without
 * it, encrypt draws a random IV from the token (12 bytes for GCM, 16
 * otherwise) and writes IV || ciphertext, and decrypt reads the IV from the
 * front of its input.
 *
 * ECDSA (PKCS#11 §2.3.1): the token signs r||s; sign writes the X9.62 DER
 * ECDSA-Sig-Value unless --format raw; verify accepts both, telling them
 * apart by a strict DER parse (the re-encoding must equal the input).
 *
 * Key classes: sign and decrypt use a private or a secret key; verify and
 * encrypt prefer a public key and fall back to a secret one.
 */
#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "io.h"
#include "keytype.h"
#include "op.h"
#include "target.h"

#define SIG_MAX ((size_t)64 << 10) /* a signature file: far above RSA-4096's 512 bytes */
#define AAD_MAX CLI_SINGLE_PART_MAX
#define IV_MAX 128

#define OPT_TOKEN                                                                                  \
    {                                                                                              \
        "token", "T", "token label (a URI in --key may name it instead)"                           \
    }
#define OPT_KEY                                                                                    \
    {                                                                                              \
        "key", "K", "key: a label, id:HEX (CKA_ID) or a pkcs11: URI"                               \
    }
#define OPT_MECH                                                                                   \
    {                                                                                              \
        "mechanism", "M", "PKCS#11 name without CKM_, any case (see 'ferrohsm mechanisms')"        \
    }
#define OPT_IN                                                                                     \
    {                                                                                              \
        "in", "FILE", "input file (default: standard input)"                                       \
    }
#define OPT_OUT                                                                                    \
    {                                                                                              \
        "out", "FILE", "output file, replaced atomically (default: standard output)"               \
    }
#define OPT_PIN_FILE                                                                               \
    {                                                                                              \
        "pin-file", "FILE", "user PIN: first line of FILE (else FERROHSM_PIN, else a prompt)"      \
    }
#define OPT_HASH(h)                                                                                \
    {                                                                                              \
        "hash", "H", h                                                                             \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        NULL, NULL, NULL                                                                           \
    }

static const struct cli_optdef sign_opts[] = {
    OPT_TOKEN,
    OPT_KEY,
    OPT_MECH,
    OPT_IN,
    OPT_OUT,
    {"format", "der|raw", "ECDSA signature encoding: der (X9.62, default) or raw r||s"},
    OPT_HASH("RSA_PKCS_PSS only: sha1|sha224|sha256|sha384|sha512 (default sha256)"),
    OPT_PIN_FILE,
    OPT_END,
};
static const struct cli_spec sign_spec = {
    "sign",
    "--token T --key K --mechanism M [--in FILE] [--out FILE] [--format der|raw]",
    "Sign (or MAC) the input with a private or secret key; the signature is written in binary.",
    "Multi-part mechanisms stream the input (any size); single-part ones (RSA_PKCS,\n"
    "RSA_PKCS_PSS, ECDSA, EDDSA) take at most 1 MiB.",
    sign_opts,
};

static const struct cli_optdef verify_opts[] = {
    OPT_TOKEN,
    OPT_KEY,
    OPT_MECH,
    OPT_IN,
    {"signature", "FILE", "the signature to check (ECDSA: DER or raw r||s)"},
    OPT_HASH("RSA_PKCS_PSS only: sha1|sha224|sha256|sha384|sha512 (default sha256)"),
    OPT_PIN_FILE,
    OPT_END,
};
static const struct cli_spec verify_spec = {
    "verify",
    "--token T --key K --mechanism M [--in FILE] --signature FILE",
    "Verify a signature or MAC over the input with a public (or secret) key.",
    "Prints \"signature valid\" (exit 0); an invalid signature exits 5.",
    verify_opts,
};

static const struct cli_optdef encrypt_opts[] = {
    OPT_TOKEN,
    OPT_KEY,
    OPT_MECH,
    OPT_IN,
    OPT_OUT,
    {"iv", "HEX", "AES_CBC/AES_CBC_PAD/AES_CTR/AES_GCM IV (default: random, written first)"},
    {"aad", "FILE", "AES_GCM additional authenticated data (at most 1 MiB)"},
    {"tag-bits", "N", "AES_GCM tag length in bits (default 128)"},
    OPT_HASH("RSA_PKCS_OAEP hash and MGF1 hash (default sha256):\n"
             "sha1|sha224|sha256|sha384|sha512"),
    {"oaep-label", "TEXT", "RSA_PKCS_OAEP label (default: empty)"},
    OPT_PIN_FILE,
    OPT_END,
};
static const struct cli_spec encrypt_spec = {
    "encrypt",
    "--token T --key K --mechanism M [--in FILE] [--out FILE] [--iv HEX] [--aad FILE] "
    "[--tag-bits N] [--hash H] [--oaep-label TEXT]",
    "Encrypt the input with a public or secret key.",
    "Without --iv, AES_CBC/AES_CBC_PAD/AES_CTR/AES_GCM draw a random IV (12 bytes for GCM,\n"
    "16 otherwise) and write IV || ciphertext.",
    encrypt_opts,
};

static const struct cli_optdef decrypt_opts[] = {
    OPT_TOKEN,
    OPT_KEY,
    OPT_MECH,
    OPT_IN,
    OPT_OUT,
    {"iv", "HEX", "AES_CBC/AES_CBC_PAD/AES_CTR/AES_GCM IV (default: the input's first bytes)"},
    {"aad", "FILE", "AES_GCM additional authenticated data (at most 1 MiB)"},
    {"tag-bits", "N", "AES_GCM tag length in bits (default 128)"},
    OPT_HASH("RSA_PKCS_OAEP hash and MGF1 hash (default sha256):\n"
             "sha1|sha224|sha256|sha384|sha512"),
    {"oaep-label", "TEXT", "RSA_PKCS_OAEP label (default: empty)"},
    OPT_PIN_FILE,
    OPT_END,
};
static const struct cli_spec decrypt_spec = {
    "decrypt",
    "--token T --key K --mechanism M [--in FILE] [--out FILE] [--iv HEX] [--aad FILE] "
    "[--tag-bits N] [--hash H] [--oaep-label TEXT]",
    "Decrypt the input with a private or secret key.",
    "Without --iv, AES_CBC/AES_CBC_PAD/AES_CTR/AES_GCM read the IV (12 bytes for GCM, 16\n"
    "otherwise) from the front of the input. Nothing is written unless decryption succeeds.",
    decrypt_opts,
};

/* ---- mechanism parameters ---- */

struct hash_alg {
    const char *name;
    CK_MECHANISM_TYPE mech;
    CK_RSA_PKCS_MGF_TYPE mgf;
    CK_ULONG len;
};

static const struct hash_alg hashes[] = {
    {"sha1", CKM_SHA_1, CKG_MGF1_SHA1, 20},      {"sha224", CKM_SHA224, CKG_MGF1_SHA224, 28},
    {"sha256", CKM_SHA256, CKG_MGF1_SHA256, 32}, {"sha384", CKM_SHA384, CKG_MGF1_SHA384, 48},
    {"sha512", CKM_SHA512, CKG_MGF1_SHA512, 64},
};

/* The hash a SHAx_RSA_PKCS_PSS mechanism fixes, or NULL. */
static const struct hash_alg *
pss_hash(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_SHA1_RSA_PKCS_PSS: return &hashes[0];
    case CKM_SHA224_RSA_PKCS_PSS: return &hashes[1];
    case CKM_SHA256_RSA_PKCS_PSS: return &hashes[2];
    case CKM_SHA384_RSA_PKCS_PSS: return &hashes[3];
    case CKM_SHA512_RSA_PKCS_PSS: return &hashes[4];
    default: return NULL;
    }
}

static bool
is_ecdsa(CK_MECHANISM_TYPE m)
{
    return m == CKM_ECDSA || m == CKM_ECDSA_SHA1 || m == CKM_ECDSA_SHA224 ||
           m == CKM_ECDSA_SHA256 || m == CKM_ECDSA_SHA384 || m == CKM_ECDSA_SHA512;
}

/* Default IV length of an IV-taking mechanism, 0 for others. */
static size_t
iv_default_len(CK_MECHANISM_TYPE m)
{
    if (m == CKM_AES_GCM) {
        return 12;
    }
    if (m == CKM_AES_CBC || m == CKM_AES_CBC_PAD || m == CKM_AES_CTR) {
        return 16;
    }
    return 0;
}

struct mparams {
    CK_MECHANISM mech;
    const char *name; /* registry name, for messages */
    union {
        CK_RSA_PKCS_PSS_PARAMS pss;
        CK_RSA_PKCS_OAEP_PARAMS oaep;
        CK_GCM_PARAMS gcm;
        CK_AES_CTR_PARAMS ctr;
        CK_MAC_GENERAL_PARAMS mac_len;
    } u;
    uint8_t iv[IV_MAX];
    size_t iv_len; /* 0: the mechanism takes no IV */
    bool iv_given; /* --iv was given (else: random / read from input) */
    uint8_t *aad;
    size_t aad_len;
    char what[192]; /* "key K, mechanism M" */
};

static const struct hash_alg *
find_hash(const char *name)
{
    for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        if (strcmp(hashes[i].name, name) == 0) {
            return &hashes[i];
        }
    }
    return NULL;
}

static int
refuse_option(const char *cmd, const struct cli_args *a, const char *opt, const char *only)
{
    if (cli_arg(a, opt) != NULL) {
        return cli_usage_error(cmd, true, "--%s applies to %s only", opt, only);
    }
    return 0;
}

/*
 * Everything that only depends on the options: the parameters structure, the
 * IV (when given), the AAD. The IV pointer is wired in by wire_params() once
 * the IV is known.
 */
static int
build_params(const char *cmd, const struct cli_args *a, CK_MECHANISM_TYPE type, struct mparams *p)
{
    const char *hash_name = cli_arg(a, "hash");
    const struct hash_alg *h = NULL;
    int code;

    p->mech.mechanism = type;
    p->name = fh_mech_name(type) != NULL ? fh_mech_name(type) : "?";
    if (hash_name != NULL) {
        h = find_hash(hash_name);
        if (h == NULL) {
            return cli_usage_error(cmd, false,
                                   "unknown --hash '%s' (sha1, sha224, sha256, "
                                   "sha384, sha512)",
                                   hash_name);
        }
    }
    if (type != CKM_AES_GCM) {
        if ((code = refuse_option(cmd, a, "aad", "AES_GCM")) != 0 ||
            (code = refuse_option(cmd, a, "tag-bits", "AES_GCM")) != 0) {
            return code;
        }
    }
    if (type != CKM_RSA_PKCS_OAEP &&
        (code = refuse_option(cmd, a, "oaep-label", "RSA_PKCS_OAEP")) != 0) {
        return code;
    }
    if (type != CKM_RSA_PKCS_OAEP && type != CKM_RSA_PKCS_PSS && hash_name != NULL &&
        pss_hash(type) == NULL) {
        return cli_usage_error(cmd, true,
                               "--hash applies to RSA_PKCS_OAEP and RSA_PKCS_PSS "
                               "only");
    }
    p->iv_len = iv_default_len(type);
    if (p->iv_len == 0 && (code = refuse_option(cmd, a, "iv",
                                                "AES_CBC, AES_CBC_PAD, AES_CTR "
                                                "and AES_GCM")) != 0) {
        return code;
    }
    if (cli_arg(a, "iv") != NULL) {
        uint8_t *iv = NULL;
        size_t len = 0;
        fh_rv rv = cli_hex_decode(cli_arg(a, "iv"), &iv, &len);

        if (rv == FH_E_NOMEM) {
            return cli_fail(cmd, rv, NULL);
        }
        if (rv != FH_OK || len == 0 || len > IV_MAX) {
            free(iv);
            return cli_usage_error(cmd, false, "--iv must be 1..%d bytes of hex", IV_MAX);
        }
        if (type == CKM_AES_CTR && len != sizeof(p->u.ctr.cb)) {
            /* The counter block has a fixed size; other lengths are for the core to judge. */
            free(iv);
            return cli_fail(cmd, FH_E_MECH_PARAM_INVALID, ": AES_CTR needs a 16-byte IV");
        }
        memcpy(p->iv, iv, len);
        p->iv_len = len;
        p->iv_given = true;
        free(iv);
    }
    if (type == CKM_RSA_PKCS_PSS || pss_hash(type) != NULL) {
        const struct hash_alg *fixed = pss_hash(type);

        if (fixed != NULL && h != NULL && h != fixed) {
            return cli_usage_error(cmd, false, "%s fixes the hash to %s", p->name, fixed->name);
        }
        h = fixed != NULL ? fixed : (h != NULL ? h : find_hash("sha256"));
        p->u.pss.hashAlg = h->mech;
        p->u.pss.mgf = h->mgf;
        p->u.pss.sLen = h->len; /* salt as long as the hash (RFC 8017 §9.1 recommendation) */
        p->mech.pParameter = &p->u.pss;
        p->mech.ulParameterLen = sizeof(p->u.pss);
    } else if (type == CKM_RSA_PKCS_OAEP) {
        const char *label = cli_arg(a, "oaep-label");

        h = h != NULL ? h : find_hash("sha256");
        p->u.oaep.hashAlg = h->mech;
        p->u.oaep.mgf = h->mgf;
        p->u.oaep.source = CKZ_DATA_SPECIFIED;
        p->u.oaep.pSourceData = label != NULL && label[0] != '\0' ? (void *)label : NULL;
        p->u.oaep.ulSourceDataLen = label != NULL ? strlen(label) : 0;
        p->mech.pParameter = &p->u.oaep;
        p->mech.ulParameterLen = sizeof(p->u.oaep);
    } else if (type == CKM_AES_GCM) {
        const char *aad = cli_arg(a, "aad"), *tag = cli_arg(a, "tag-bits");
        uint64_t tag_bits = 128;

        if (tag != NULL && cli_parse_u64(tag, 8, 128, &tag_bits) != FH_OK) {
            return cli_usage_error(cmd, false, "--tag-bits must be a number in 8..128, not '%s'",
                                   tag);
        }
        if (aad != NULL) {
            fh_rv rv = cli_read_all(aad, AAD_MAX, &p->aad, &p->aad_len);

            if (rv != FH_OK) {
                return cli_fail_file(cmd, rv, aad, errno, false, AAD_MAX);
            }
        }
        p->u.gcm.pAAD = p->aad_len > 0 ? p->aad : NULL;
        p->u.gcm.ulAADLen = p->aad_len;
        p->u.gcm.ulTagBits = (CK_ULONG)tag_bits;
        p->mech.pParameter = &p->u.gcm;
        p->mech.ulParameterLen = sizeof(p->u.gcm);
    } else if (type == CKM_AES_CTR) {
        p->u.ctr.ulCounterBits = 128; /* the whole block is the counter, as OpenSSL counts */
        p->mech.pParameter = &p->u.ctr;
        p->mech.ulParameterLen = sizeof(p->u.ctr);
    } else if (type == CKM_AES_CBC || type == CKM_AES_CBC_PAD) {
        p->mech.pParameter = p->iv;
        p->mech.ulParameterLen = p->iv_len;
    } else if (type == CKM_AES_CMAC_GENERAL) {
        p->u.mac_len = 16; /* full-length MAC */
        p->mech.pParameter = &p->u.mac_len;
        p->mech.ulParameterLen = sizeof(p->u.mac_len);
    }
    return 0;
}

/* Point the parameters at the IV, now that p->iv holds it. */
static void
wire_iv(struct mparams *p)
{
    if (p->mech.mechanism == CKM_AES_GCM) {
        p->u.gcm.pIv = p->iv;
        p->u.gcm.ulIvLen = p->iv_len;
        p->u.gcm.ulIvBits = p->iv_len * 8;
    } else if (p->mech.mechanism == CKM_AES_CTR) {
        memcpy(p->u.ctr.cb, p->iv, sizeof(p->u.ctr.cb));
    } else {
        p->mech.ulParameterLen = p->iv_len;
    }
}

static void
params_clear(struct mparams *p)
{
    cli_free_cleanse(p->aad, p->aad_len);
    p->aad = NULL;
}

/* ---- ECDSA signature encodings ---- */

static fh_rv
ecdsa_raw_to_der(const uint8_t *raw, size_t len, uint8_t **out, size_t *out_len)
{
    ECDSA_SIG *sig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *der = NULL, *p;
    int n;
    fh_rv rv = FH_E_CRYPTO;

    if (len == 0 || len % 2 != 0 || len > INT_MAX) {
        return FH_E_CRYPTO;
    }
    sig = ECDSA_SIG_new();
    r = BN_bin2bn(raw, (int)(len / 2), NULL);
    s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
    if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
        goto out;
    }
    r = s = NULL; /* owned by sig now */
    n = i2d_ECDSA_SIG(sig, NULL);
    if (n <= 0) {
        goto out;
    }
    der = malloc((size_t)n);
    if (der == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    p = der;
    if (i2d_ECDSA_SIG(sig, &p) != n) {
        goto out;
    }
    *out = der;
    *out_len = (size_t)n;
    der = NULL;
    rv = FH_OK;
out:
    free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return rv;
}

/*
 * If sig[0..len) is a strict DER ECDSA-Sig-Value whose r and s fit in
 * order_len bytes, write r||s to raw (2 * order_len bytes) and return true.
 */
static bool
ecdsa_der_to_raw(const uint8_t *sig, size_t len, size_t order_len, uint8_t *raw)
{
    const unsigned char *p = sig;
    ECDSA_SIG *es = NULL;
    const BIGNUM *r = NULL, *s = NULL;
    unsigned char *re = NULL;
    int n;
    bool ok = false;

    if (len > INT_MAX || order_len == 0) {
        return false;
    }
    es = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (es == NULL || p != sig + len) {
        goto out;
    }
    n = i2d_ECDSA_SIG(es, &re); /* strictness: the canonical encoding must be the input */
    if (n <= 0 || (size_t)n != len || memcmp(re, sig, len) != 0) {
        goto out;
    }
    ECDSA_SIG_get0(es, &r, &s);
    if (BN_num_bytes(r) > (int)order_len || BN_num_bytes(s) > (int)order_len) {
        goto out;
    }
    ok = BN_bn2binpad(r, raw, (int)order_len) == (int)order_len &&
         BN_bn2binpad(s, raw + order_len, (int)order_len) == (int)order_len;
out:
    OPENSSL_free(re);
    ECDSA_SIG_free(es);
    return ok;
}

/* Bytes of r (and of s) for the EC key h; 0 when the curve is unknown. */
static size_t
ec_order_len(fh_session *s, CK_OBJECT_HANDLE h)
{
    uint8_t *params = NULL;
    size_t len = 0, order = 0;

    if (cli_attr_get(s, h, CKA_EC_PARAMS, &params, &len) == FH_OK) {
        const struct cli_curve *c = cli_curve_by_params(params, len);

        order = c != NULL ? c->order_len : 0;
    }
    free(params);
    return order;
}

/* ---- shared steps ---- */

struct job {
    const char *cmd;
    struct cli_args a;
    struct cli_target t;
    CK_MECHANISM_TYPE type;
    const struct fh_mech_desc *desc;
    struct mparams p;
    CK_OBJECT_HANDLE key;
};

static int
job_open(struct job *j, const CK_OBJECT_CLASS *classes, size_t n_classes, unsigned login)
{
    int code;

    code = cli_mech_lookup(j->cmd, cli_arg(&j->a, "mechanism"), &j->type);
    if (code != 0) {
        return code;
    }
    code = build_params(j->cmd, &j->a, j->type, &j->p);
    if (code != 0) {
        return code;
    }
    code = cli_target_open(&j->t, j->cmd, &j->a, login | CLI_T_KEY);
    if (code != 0) {
        return code;
    }
    code = cli_mech_available(j->cmd, j->t.ctx, j->type, &j->desc);
    if (code != 0) {
        return code;
    }
    code = cli_key_find(&j->t, classes, n_classes, &j->key);
    if (code != 0) {
        return code;
    }
    snprintf(j->p.what, sizeof(j->p.what), "key %s, mechanism %s", j->t.key_spec, j->p.name);
    return 0;
}

static void
job_close(struct job *j)
{
    params_clear(&j->p);
    cli_target_close(&j->t);
}

static int
op_init(struct job *j, enum fh_op_kind op)
{
    fh_rv rv = fh_op_init(j->t.s, op, &j->p.mech, j->key);

    if (rv != FH_OK) {
        return cli_fail(j->cmd, rv, " (%s)", j->p.what);
    }
    return 0;
}

static int
write_out(const char *cmd, const char *path, const uint8_t *p, size_t n)
{
    fh_rv rv = cli_write_file(path, p, n);

    if (rv != FH_OK) {
        return cli_fail_file(cmd, rv, path, errno, true, CLI_MEM_OUT_MAX);
    }
    return 0;
}

/* ---- sign ---- */

int
cmd_sign(int argc, char **argv)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_SECRET_KEY};
    struct job j;
    const char *fmt, *in_path, *out_path;
    uint8_t *sig = NULL, *in = NULL, *der = NULL;
    size_t sig_len = 0, in_len = 0, der_len = 0;
    bool raw;
    int code;

    memset(&j, 0, sizeof(j));
    j.cmd = sign_spec.cmd;
    code = cli_args_parse(&sign_spec, argc, argv, &j.a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    fmt = cli_arg(&j.a, "format");
    if (fmt != NULL && strcmp(fmt, "der") != 0 && strcmp(fmt, "raw") != 0) {
        return cli_usage_error(j.cmd, false, "--format must be der or raw, not '%s'", fmt);
    }
    raw = fmt != NULL && strcmp(fmt, "raw") == 0;
    in_path = cli_arg(&j.a, "in");
    out_path = cli_arg(&j.a, "out");
    code = job_open(&j, classes, 2, CLI_T_LOGIN);
    if (code != 0) {
        goto out;
    }
    if (cli_mech_multipart(j.desc)) {
        struct cli_in src;
        fh_rv rv = cli_in_open(&src, in_path, CLI_STREAM_MAX);

        if (rv != FH_OK) {
            code = cli_fail_file(j.cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
            goto out;
        }
        code = op_init(&j, FH_OP_SIGN);
        if (code == 0) {
            code = cli_op_stream(j.cmd, j.p.what, j.t.s, FH_OP_SIGN, &src, in_path, NULL);
        }
        cli_in_close(&src);
        if (code == 0) {
            code = cli_op_final(j.cmd, j.p.what, j.t.s, FH_OP_SIGN, &sig, &sig_len);
        }
    } else {
        code = cli_read_single(j.cmd, j.p.name, in_path, &in, &in_len);
        if (code == 0) {
            code = op_init(&j, FH_OP_SIGN);
        }
        if (code == 0) {
            code = cli_op_oneshot(j.cmd, j.p.what, j.t.s, FH_OP_SIGN, in, in_len, &sig, &sig_len);
        }
    }
    if (code != 0) {
        goto out;
    }
    if (is_ecdsa(j.type) && !raw) {
        fh_rv rv = ecdsa_raw_to_der(sig, sig_len, &der, &der_len);

        if (rv != FH_OK) {
            code = cli_fail(j.cmd, rv, " (DER-encoding the ECDSA signature)");
            goto out;
        }
        code = write_out(j.cmd, out_path, der, der_len);
    } else {
        code = write_out(j.cmd, out_path, sig, sig_len);
    }
out:
    free(der);
    free(sig);
    cli_free_cleanse(in, in_len);
    job_close(&j);
    return code;
}

/* ---- verify ---- */

int
cmd_verify(int argc, char **argv)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PUBLIC_KEY, CKO_SECRET_KEY};
    struct job j;
    const char *in_path, *sig_path;
    uint8_t *sig = NULL, *in = NULL, *raw = NULL;
    size_t sig_len = 0, in_len = 0;
    int code;
    fh_rv rv;

    memset(&j, 0, sizeof(j));
    j.cmd = verify_spec.cmd;
    code = cli_args_parse(&verify_spec, argc, argv, &j.a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    in_path = cli_arg(&j.a, "in");
    sig_path = cli_arg(&j.a, "signature");
    if (sig_path == NULL) {
        return cli_usage_error(j.cmd, true, "missing --signature");
    }
    if ((in_path == NULL || strcmp(in_path, "-") == 0) && strcmp(sig_path, "-") == 0) {
        return cli_usage_error(j.cmd, false,
                               "the input and the signature cannot both be "
                               "standard input");
    }
    rv = cli_read_all(sig_path, SIG_MAX, &sig, &sig_len);
    if (rv != FH_OK) {
        return cli_fail_file(j.cmd, rv, sig_path, errno, false, SIG_MAX);
    }
    code = job_open(&j, classes, 2, CLI_T_LOGIN_LAZY);
    if (code != 0) {
        goto out;
    }
    if (is_ecdsa(j.type)) {
        size_t order = ec_order_len(j.t.s, j.key);

        raw = order > 0 ? malloc(2 * order) : NULL;
        if (raw != NULL && ecdsa_der_to_raw(sig, sig_len, order, raw)) {
            free(sig);
            sig = raw;
            sig_len = 2 * order;
            raw = NULL;
        }
    }
    if (cli_mech_multipart(j.desc)) {
        struct cli_in src;

        rv = cli_in_open(&src, in_path, CLI_STREAM_MAX);
        if (rv != FH_OK) {
            code = cli_fail_file(j.cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
            goto out;
        }
        code = op_init(&j, FH_OP_VERIFY);
        if (code == 0) {
            code = cli_op_stream(j.cmd, j.p.what, j.t.s, FH_OP_VERIFY, &src, in_path, NULL);
        }
        cli_in_close(&src);
        if (code != 0) {
            goto out;
        }
        rv = fh_op_final(j.t.s, FH_OP_VERIFY, sig, &sig_len);
    } else {
        code = cli_read_single(j.cmd, j.p.name, in_path, &in, &in_len);
        if (code == 0) {
            code = op_init(&j, FH_OP_VERIFY);
        }
        if (code != 0) {
            goto out;
        }
        rv = fh_op_oneshot(j.t.s, FH_OP_VERIFY, in, in_len, sig, &sig_len);
    }
    if (rv == FH_E_SIGNATURE_INVALID) {
        code = cli_fail(j.cmd, rv, NULL); /* exactly "ferrohsm: verify: signature invalid" */
        goto out;
    }
    if (rv != FH_OK) {
        fh_op_cancel(j.t.s, FH_OP_VERIFY);
        code = cli_fail(j.cmd, rv, " (%s)", j.p.what);
        goto out;
    }
    printf("signature valid\n");
out:
    free(raw);
    free(sig);
    cli_free_cleanse(in, in_len);
    job_close(&j);
    return code;
}

/* ---- encrypt / decrypt ---- */

static int
cipher(const struct cli_spec *spec, enum fh_op_kind op, int argc, char **argv)
{
    static const CK_OBJECT_CLASS enc_classes[] = {CKO_PUBLIC_KEY, CKO_SECRET_KEY};
    static const CK_OBJECT_CLASS dec_classes[] = {CKO_PRIVATE_KEY, CKO_SECRET_KEY};
    struct job j;
    struct cli_in src;
    struct cli_out dst;
    const char *in_path, *out_path;
    uint8_t *in = NULL, *out = NULL;
    size_t in_len = 0, out_len = 0;
    bool src_open = false, dst_open = false;
    int code;
    fh_rv rv;

    memset(&j, 0, sizeof(j));
    j.cmd = spec->cmd;
    code = cli_args_parse(spec, argc, argv, &j.a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    in_path = cli_arg(&j.a, "in");
    out_path = cli_arg(&j.a, "out");
    code = job_open(&j, op == FH_OP_ENCRYPT ? enc_classes : dec_classes, 2,
                    op == FH_OP_ENCRYPT ? CLI_T_LOGIN_LAZY : CLI_T_LOGIN);
    if (code != 0) {
        goto out;
    }
    rv = cli_out_open(&dst, out_path);
    if (rv != FH_OK) {
        code = cli_fail_file(j.cmd, rv, out_path, errno, true, CLI_MEM_OUT_MAX);
        goto out;
    }
    dst_open = true;
    if (!cli_mech_multipart(j.desc)) {
        code = cli_read_single(j.cmd, j.p.name, in_path, &in, &in_len);
        if (code == 0) {
            code = op_init(&j, op);
        }
        if (code == 0) {
            code = cli_op_oneshot(j.cmd, j.p.what, j.t.s, op, in, in_len, &out, &out_len);
        }
        if (code != 0) {
            goto out;
        }
    } else {
        rv = cli_in_open(&src, in_path, CLI_STREAM_MAX);
        if (rv != FH_OK) {
            code = cli_fail_file(j.cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
            goto out;
        }
        src_open = true;
        if (j.p.iv_len > 0 && !j.p.iv_given) {
            if (op == FH_OP_ENCRYPT) {
                rv = fh_random(j.t.s, j.p.iv, j.p.iv_len);
                if (rv != FH_OK) {
                    code = cli_fail(j.cmd, rv, " (generating the IV)");
                    goto out;
                }
                rv = cli_out_write(&dst, j.p.iv, j.p.iv_len);
                if (rv != FH_OK) {
                    code = cli_fail_file(j.cmd, rv, out_path, errno, true, CLI_MEM_OUT_MAX);
                    goto out;
                }
            } else {
                size_t got = 0;

                rv = cli_in_read(&src, j.p.iv, j.p.iv_len, &got);
                if (rv != FH_OK) {
                    code = cli_fail_file(j.cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
                    goto out;
                }
                if (got < j.p.iv_len) {
                    code = cli_fail_as(j.cmd, FH_E_ENCRYPTED_DATA_LEN_RANGE,
                                       "input is shorter than the %zu-byte IV it must start "
                                       "with (%s)",
                                       j.p.iv_len, j.p.what);
                    goto out;
                }
            }
        }
        if (j.p.iv_len > 0) {
            wire_iv(&j.p);
        }
        code = op_init(&j, op);
        if (code == 0) {
            code = cli_op_stream(j.cmd, j.p.what, j.t.s, op, &src, in_path, &dst);
        }
        if (code == 0) {
            code = cli_op_final(j.cmd, j.p.what, j.t.s, op, &out, &out_len);
        }
        if (code != 0) {
            goto out;
        }
    }
    rv = cli_out_write(&dst, out, out_len);
    if (rv == FH_OK) {
        rv = cli_out_commit(&dst);
    }
    if (rv != FH_OK) {
        code = cli_fail_file(j.cmd, rv, out_path, errno, true, CLI_MEM_OUT_MAX);
    }
out:
    if (dst_open) {
        cli_out_abort(&dst); /* no-op after a commit */
    }
    if (src_open) {
        cli_in_close(&src);
    }
    cli_free_cleanse(out, out_len);
    cli_free_cleanse(in, in_len);
    job_close(&j);
    return code;
}

int
cmd_encrypt(int argc, char **argv)
{
    return cipher(&encrypt_spec, FH_OP_ENCRYPT, argc, argv);
}

int
cmd_decrypt(int argc, char **argv)
{
    return cipher(&decrypt_spec, FH_OP_DECRYPT, argc, argv);
}
