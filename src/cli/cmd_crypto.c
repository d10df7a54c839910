/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_crypto.c - `ferrohsm sign|verify|encrypt|decrypt`.
 *
 * Mechanism parameters are read here from options and built by libferrohsm
 * (mparams.h, as the REST server builds them; PKCS#11 v3.0 Current
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "io.h"
#include "json.h"
#include "op.h"
#include "remote.h"
#include "target.h"

#define SIG_MAX ((size_t)64 << 10) /* a signature file: far above RSA-4096's 512 bytes */
#define AAD_MAX CLI_SINGLE_PART_MAX
#define IV_MAX FH_MPARAMS_IV_MAX

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

struct mparams {
    struct fh_mparams m; /* the mechanism, its parameters and the IV (mparams.h) */
    const char *name;    /* registry name, for messages */
    bool iv_given;       /* --iv was given (else: random / read from input) */
    uint8_t *aad;
    size_t aad_len;
    char what[192]; /* "key K, mechanism M" */
};

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
 * IV (when given), the AAD. The values are the library's (fh_mparams_set);
 * the checks and messages are the CLI's. The IV is wired in by
 * fh_mparams_wire_iv once it is known.
 */
static int
build_params(const char *cmd, const struct cli_args *a, CK_MECHANISM_TYPE type, struct mparams *p)
{
    const char *hash_name = cli_arg(a, "hash");
    const char *label = cli_arg(a, "oaep-label");
    struct fh_mparams_in in = {NULL, NULL, 0, NULL, 0, 0};
    int code;

    p->m.mech.mechanism = type;
    p->name = fh_mech_name(type) != NULL ? fh_mech_name(type) : "?";
    if (hash_name != NULL) {
        in.hash = fh_mparams_hash_find(hash_name);
        if (in.hash == NULL) {
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
    if (type != CKM_RSA_PKCS_OAEP && !fh_mparams_is_pss(type) && hash_name != NULL) {
        return cli_usage_error(cmd, true,
                               "--hash applies to RSA_PKCS_OAEP and RSA_PKCS_PSS "
                               "only");
    }
    p->m.iv_len = fh_mparams_iv_default_len(type);
    if (p->m.iv_len == 0 && (code = refuse_option(cmd, a, "iv",
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
        if (type == CKM_AES_CTR && len != sizeof(p->m.u.ctr.cb)) {
            /* The counter block has a fixed size; other lengths are for the core to judge. */
            free(iv);
            return cli_fail(cmd, FH_E_MECH_PARAM_INVALID, ": AES_CTR needs a 16-byte IV");
        }
        memcpy(p->m.iv, iv, len);
        p->m.iv_len = len;
        p->iv_given = true;
        free(iv);
    }
    if (fh_mparams_pss_hash(type) != NULL && in.hash != NULL &&
        in.hash != fh_mparams_pss_hash(type)) {
        return cli_usage_error(cmd, false, "%s fixes the hash to %s", p->name,
                               fh_mparams_pss_hash(type)->name);
    }
    if (type == CKM_RSA_PKCS_OAEP && label != NULL) {
        in.oaep_label = (const uint8_t *)label;
        in.oaep_label_len = strlen(label);
    }
    if (type == CKM_AES_GCM) {
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
        in.aad = p->aad;
        in.aad_len = p->aad_len;
        in.tag_bits = (CK_ULONG)tag_bits;
    }
    fh_mparams_set(&p->m, type, &in);
    return 0;
}

static void
params_clear(struct mparams *p)
{
    cli_free_cleanse(p->aad, p->aad_len);
    p->aad = NULL;
}

/* Bytes of r (and of s) for the EC key h; 0 when the curve is unknown. */
static size_t
ec_order_len(fh_session *s, CK_OBJECT_HANDLE h)
{
    uint8_t *params = NULL;
    size_t len = 0, order = 0;

    if (fh_attr_read(s, h, CKA_EC_PARAMS, &params, &len) == FH_OK) {
        const struct fh_curve_desc *c = fh_curve_by_params(params, len);

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

/*
 * Remote mode: the same option checks as job_open, then only the names the
 * server needs; the server finds the key and checks the mechanism.
 */
static int
remote_job_open(struct job *j)
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
    code = cli_target_select(&j->t, j->cmd, &j->a, CLI_T_KEY);
    if (code != 0) {
        return code;
    }
    snprintf(j->p.what, sizeof(j->p.what), "key %s, mechanism %s", j->t.key_spec, j->p.name);
    return 0;
}

/* The whole input for one REST call: the API's 1 MiB ceiling applies to every mechanism. */
static int
remote_read(const char *cmd, const char *path, size_t extra, uint8_t **out, size_t *len)
{
    fh_rv rv = cli_read_all(path, CLI_REMOTE_INPUT_MAX + extra, out, len);

    if (rv != FH_OK) {
        return cli_fail_file(cmd, rv, path, errno, false, CLI_REMOTE_INPUT_MAX + extra);
    }
    return 0;
}

/* {"mechanism": M, FIELD: B64(data)}; NULL on allocation failure. */
static json_t *
remote_body(const struct job *j, const char *field, const uint8_t *data, size_t len)
{
    json_t *b = json_object();
    bool ok = b != NULL;

    fh_shape_set(b, "mechanism", json_string(j->p.name), &ok);
    fh_shape_set(b, field, cli_remote_b64(data, len), &ok);
    if (ok && cli_arg(&j->a, "hash") != NULL && fh_mparams_pss_hash(j->type) == NULL) {
        fh_shape_set(b, "hash", json_string(cli_arg(&j->a, "hash")), &ok);
    }
    if (!ok) {
        json_decref(b);
        return NULL;
    }
    return b;
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
    fh_rv rv = fh_op_init(j->t.s, op, &j->p.m.mech, j->key);

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

/* The local signature: streamed for multi-part mechanisms, else one call on the whole input. */
static int
local_sign(struct job *j, const char *in_path, uint8_t **in, size_t *in_len, uint8_t **sig,
           size_t *sig_len)
{
    int code;

    if (cli_mech_multipart(j->desc)) {
        struct cli_in src;
        fh_rv rv = cli_in_open(&src, in_path, CLI_STREAM_MAX);

        if (rv != FH_OK) {
            return cli_fail_file(j->cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
        }
        code = op_init(j, FH_OP_SIGN);
        if (code == 0) {
            code = cli_op_stream(j->cmd, j->p.what, j->t.s, FH_OP_SIGN, &src, in_path, NULL);
        }
        cli_in_close(&src);
        if (code == 0) {
            code = cli_op_final(j->cmd, j->p.what, j->t.s, FH_OP_SIGN, sig, sig_len);
        }
        return code;
    }
    code = cli_read_single(j->cmd, j->p.name, in_path, in, in_len);
    if (code == 0) {
        code = op_init(j, FH_OP_SIGN);
    }
    if (code == 0) {
        code = cli_op_oneshot(j->cmd, j->p.what, j->t.s, FH_OP_SIGN, *in, *in_len, sig, sig_len);
    }
    return code;
}

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
    if (cli_remote_on()) {
        code = remote_job_open(&j);
        if (code == 0) {
            code = remote_read(j.cmd, in_path, 0, &in, &in_len);
        }
        if (code == 0) {
            json_t *body = remote_body(&j, "data", in, in_len);

            /* r||s from the server; the DER encoding below is the local one */
            if (body != NULL && fh_mparams_is_ecdsa(j.type)) {
                json_object_set_new(body, "format", json_string("raw"));
            }
            code = cli_remote_key_op(j.cmd, &j.t, "sign", body, j.p.what, "signature", &sig,
                                     &sig_len, NULL, 0, NULL, NULL);
        }
    } else {
        code = job_open(&j, classes, 2, CLI_T_LOGIN);
        if (code == 0) {
            code = local_sign(&j, in_path, &in, &in_len, &sig, &sig_len);
        }
    }
    if (code != 0) {
        goto out;
    }
    if (fh_mparams_is_ecdsa(j.type) && !raw) {
        fh_rv rv = fh_ecdsa_sig_to_der(sig, sig_len, &der, &der_len);

        if (rv == FH_E_DATA_INVALID) {
            rv = FH_E_CRYPTO; /* the token's own signature: not the user's data */
        }
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

/*
 * A DER ECDSA signature becomes r||s for a curve whose r and s take order
 * bytes; anything else (raw already, or not strict DER) is left for the
 * token to judge.
 */
static void
ecdsa_to_raw(size_t order, uint8_t **sig, size_t *sig_len)
{
    uint8_t *raw = order > 0 ? malloc(2 * order) : NULL;

    if (raw != NULL && fh_ecdsa_sig_from_der(*sig, *sig_len, order, raw)) {
        free(*sig);
        *sig = raw;
        *sig_len = 2 * order;
        return;
    }
    free(raw);
}

/* *rv: FH_OK, FH_E_SIGNATURE_INVALID or the token's error; the return is the exit code of an earlier step. */
static int
local_verify(struct job *j, const char *in_path, uint8_t **sig, size_t *sig_len, uint8_t **in,
             size_t *in_len, fh_rv *rv)
{
    int code;

    if (fh_mparams_is_ecdsa(j->type)) {
        ecdsa_to_raw(ec_order_len(j->t.s, j->key), sig, sig_len);
    }
    if (cli_mech_multipart(j->desc)) {
        struct cli_in src;

        *rv = cli_in_open(&src, in_path, CLI_STREAM_MAX);
        if (*rv != FH_OK) {
            return cli_fail_file(j->cmd, *rv, in_path, errno, false, CLI_STREAM_MAX);
        }
        code = op_init(j, FH_OP_VERIFY);
        if (code == 0) {
            code = cli_op_stream(j->cmd, j->p.what, j->t.s, FH_OP_VERIFY, &src, in_path, NULL);
        }
        cli_in_close(&src);
        if (code == 0) {
            *rv = fh_op_final(j->t.s, FH_OP_VERIFY, *sig, sig_len);
        }
        return code;
    }
    code = cli_read_single(j->cmd, j->p.name, in_path, in, in_len);
    if (code == 0) {
        code = op_init(j, FH_OP_VERIFY);
    }
    if (code == 0) {
        *rv = fh_op_oneshot(j->t.s, FH_OP_VERIFY, *in, *in_len, *sig, sig_len);
    }
    return code;
}

/* Bytes of r (and s) of the EC key the server holds under the selector (0: unknown curve). */
static int
remote_ec_order_len(struct job *j, size_t *order)
{
    json_t *objs = NULL, *o;
    size_t i;
    int code = cli_remote_key_objects(j->cmd, &j->t, &objs);

    *order = 0;
    json_array_foreach(objs, i, o)
    {
        const char *hex = json_string_value(json_object_get(o, "CKA_EC_PARAMS"));
        uint8_t *der = NULL;
        size_t len = 0;

        if (*order == 0 && hex != NULL && cli_hex_decode(hex, &der, &len) == FH_OK) {
            const struct fh_curve_desc *c = fh_curve_by_params(der, len);

            *order = c != NULL ? c->order_len : 0;
        }
        free(der);
    }
    json_decref(objs);
    return code;
}

static int
remote_verify(struct job *j, const char *in_path, uint8_t **sig, size_t *sig_len, uint8_t **in,
              size_t *in_len, fh_rv *rv)
{
    json_t *body;
    bool valid = false;
    int code;

    code = remote_read(j->cmd, in_path, 0, in, in_len);
    if (code != 0) {
        return code;
    }
    if (fh_mparams_is_ecdsa(j->type)) {
        size_t order = 0;

        code = remote_ec_order_len(j, &order);
        if (code != 0) {
            return code;
        }
        ecdsa_to_raw(order, sig, sig_len);
    }
    body = remote_body(j, "data", *in, *in_len);
    if (body != NULL && json_object_set_new(body, "signature", cli_remote_b64(*sig, *sig_len)) != 0) {
        json_decref(body);
        body = NULL; /* cli_remote_key_op reports the allocation failure */
    }
    code = cli_remote_key_op(j->cmd, &j->t, "verify", body, j->p.what, NULL, NULL, NULL, NULL, 0,
                             NULL, &valid);
    *rv = valid ? FH_OK : FH_E_SIGNATURE_INVALID;
    return code;
}

int
cmd_verify(int argc, char **argv)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PUBLIC_KEY, CKO_SECRET_KEY};
    struct job j;
    const char *in_path, *sig_path;
    uint8_t *sig = NULL, *in = NULL;
    size_t sig_len = 0, in_len = 0;
    int code;
    fh_rv rv = FH_OK;

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
    if (cli_remote_on()) {
        code = remote_job_open(&j);
        if (code == 0) {
            code = remote_verify(&j, in_path, &sig, &sig_len, &in, &in_len, &rv);
        }
    } else {
        code = job_open(&j, classes, 2, CLI_T_LOGIN_LAZY);
        if (code == 0) {
            code = local_verify(&j, in_path, &sig, &sig_len, &in, &in_len, &rv);
        }
    }
    if (code != 0) {
        goto out;
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
    free(sig);
    cli_free_cleanse(in, in_len);
    job_close(&j);
    return code;
}

/* ---- encrypt / decrypt ---- */

/*
 * Remote encrypt/decrypt with the IV conventions of the local path: an IV
 * the server generated is written in front of the ciphertext; decrypt
 * without --iv takes the IV from the front of the input.
 */
static int
remote_cipher(struct job *j, enum fh_op_kind op, const char *in_path, uint8_t **in,
              size_t *in_len, struct cli_out *dst, uint8_t **out, size_t *out_len)
{
    bool enc = op == FH_OP_ENCRYPT, iv_in_input = !enc && j->p.m.iv_len > 0 && !j->p.iv_given;
    const char *label = cli_arg(&j->a, "oaep-label");
    size_t skip = iv_in_input ? j->p.m.iv_len : 0, iv_len = 0;
    json_t *body;
    bool ok;
    int code;
    fh_rv rv;

    code = remote_read(j->cmd, in_path, skip, in, in_len);
    if (code != 0) {
        return code;
    }
    if (*in_len < skip) {
        return cli_fail_as(j->cmd, FH_E_ENCRYPTED_DATA_LEN_RANGE,
                           "input is shorter than the %zu-byte IV it must start with (%s)",
                           j->p.m.iv_len, j->p.what);
    }
    if (iv_in_input) {
        memcpy(j->p.m.iv, *in, skip);
    }
    body = remote_body(j, enc ? "plaintext" : "ciphertext", *in + skip, *in_len - skip);
    ok = body != NULL;
    if (ok && (j->p.iv_given || iv_in_input)) {
        fh_shape_set(body, "iv", cli_remote_b64(j->p.m.iv, j->p.m.iv_len), &ok);
    }
    if (ok && j->type == CKM_AES_GCM) {
        if (j->p.aad_len > 0) {
            fh_shape_set(body, "aad", cli_remote_b64(j->p.aad, j->p.aad_len), &ok);
        }
        fh_shape_set(body, "tag_bits", json_integer((json_int_t)j->p.m.u.gcm.ulTagBits), &ok);
    }
    if (ok && label != NULL && label[0] != '\0') {
        fh_shape_set(body, "oaep_label",
                     cli_remote_b64((const uint8_t *)label, strlen(label)), &ok);
    }
    if (!ok) {
        json_decref(body);
        body = NULL; /* cli_remote_key_op reports the allocation failure */
    }
    code = cli_remote_key_op(j->cmd, &j->t, enc ? "encrypt" : "decrypt", body, j->p.what,
                             enc ? "ciphertext" : "plaintext", out, out_len,
                             enc && !j->p.iv_given ? j->p.m.iv : NULL, sizeof(j->p.m.iv), &iv_len,
                             NULL);
    if (code != 0 || !enc || j->p.iv_given || j->p.m.iv_len == 0) {
        return code;
    }
    if (iv_len == 0) {
        return cli_fail_as(j->cmd, FH_E_IO, "the server answered without the IV it generated");
    }
    rv = cli_out_write(dst, j->p.m.iv, iv_len);
    if (rv != FH_OK) {
        return cli_fail_file(j->cmd, rv, cli_arg(&j->a, "out"), errno, true, CLI_MEM_OUT_MAX);
    }
    return 0;
}

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
    if (cli_remote_on()) {
        code = remote_job_open(&j);
    } else {
        code = job_open(&j, op == FH_OP_ENCRYPT ? enc_classes : dec_classes, 2,
                        op == FH_OP_ENCRYPT ? CLI_T_LOGIN_LAZY : CLI_T_LOGIN);
    }
    if (code != 0) {
        goto out;
    }
    rv = cli_out_open(&dst, out_path);
    if (rv != FH_OK) {
        code = cli_fail_file(j.cmd, rv, out_path, errno, true, CLI_MEM_OUT_MAX);
        goto out;
    }
    dst_open = true;
    if (cli_remote_on()) {
        code = remote_cipher(&j, op, in_path, &in, &in_len, &dst, &out, &out_len);
        if (code != 0) {
            goto out;
        }
    } else if (!cli_mech_multipart(j.desc)) {
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
        if (j.p.m.iv_len > 0 && !j.p.iv_given) {
            if (op == FH_OP_ENCRYPT) {
                rv = fh_random(j.t.s, j.p.m.iv, j.p.m.iv_len);
                if (rv != FH_OK) {
                    code = cli_fail(j.cmd, rv, " (generating the IV)");
                    goto out;
                }
                rv = cli_out_write(&dst, j.p.m.iv, j.p.m.iv_len);
                if (rv != FH_OK) {
                    code = cli_fail_file(j.cmd, rv, out_path, errno, true, CLI_MEM_OUT_MAX);
                    goto out;
                }
            } else {
                size_t got = 0;

                rv = cli_in_read(&src, j.p.m.iv, j.p.m.iv_len, &got);
                if (rv != FH_OK) {
                    code = cli_fail_file(j.cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
                    goto out;
                }
                if (got < j.p.m.iv_len) {
                    code = cli_fail_as(j.cmd, FH_E_ENCRYPTED_DATA_LEN_RANGE,
                                       "input is shorter than the %zu-byte IV it must start "
                                       "with (%s)",
                                       j.p.m.iv_len, j.p.what);
                    goto out;
                }
            }
        }
        if (j.p.m.iv_len > 0) {
            fh_mparams_wire_iv(&j.p.m);
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
