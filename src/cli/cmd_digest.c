/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_digest.c - `ferrohsm digest` and `ferrohsm random`: no PIN, no key,
 * no token, no store (docs/cli.md: "no token needed").
 *
 * The public API runs digests and draws random bytes only on a token's
 * session (fh_op_init(FH_OP_DIGEST), fh_random), and a context cannot be
 * opened without a store. So these two commands, which involve no key and
 * no policy, use libcrypto directly (the same OpenSSL the soft backend
 * uses): EVP digests and RAND_bytes from OpenSSL's DRBG. Mechanism names
 * are still resolved by the core's registry (fh_mech_from_name), so the
 * spelling rules are the same as everywhere else.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "io.h"
#include "op.h"
#include "remote.h"

#define RANDOM_MAX 1048576u

static const struct cli_optdef digest_opts[] = {
    {"mechanism", "M", "SHA_1 (SHA1), SHA224, SHA256, SHA384, SHA512, SHA3_224 ... SHA3_512"},
    {"in", "FILE", "input file, any size (default: standard input)"},
    {"out", "FILE", "write the binary digest to FILE instead of hex on standard output"},
    {NULL, NULL, NULL},
};
static const struct cli_spec digest_spec = {
    "digest",
    "--mechanism M [--in FILE] [--out FILE]",
    "Hash the input; print the digest as lowercase hex and a newline (binary with --out).",
    "No token, PIN or store is needed.",
    digest_opts,
};

static const struct cli_optdef random_opts[] = {
    {"bytes", "N", "number of random bytes, 1..1048576"},
    {"out", "FILE", "write to FILE instead of standard output"},
    {"hex", NULL, "write lowercase hex and a newline instead of binary"},
    {NULL, NULL, NULL},
};
static const struct cli_spec random_spec = {
    "random",
    "--bytes N [--out FILE] [--hex]",
    "Write N random bytes (binary, or hex with --hex).",
    "No token, PIN or store is needed.",
    random_opts,
};

/* PKCS#11 digest mechanisms and their OpenSSL names. */
static const struct {
    CK_MECHANISM_TYPE mech;
    const char *evp;
} digests[] = {
    {CKM_SHA_1, "SHA1"},        {CKM_SHA224, "SHA224"},     {CKM_SHA256, "SHA256"},
    {CKM_SHA384, "SHA384"},     {CKM_SHA512, "SHA512"},     {CKM_SHA3_224, "SHA3-224"},
    {CKM_SHA3_256, "SHA3-256"}, {CKM_SHA3_384, "SHA3-384"}, {CKM_SHA3_512, "SHA3-512"},
};

/* Write data as lowercase hex + newline, or binary, to path (NULL: stdout). */
static int
emit(const char *cmd, const char *path, bool hex, const uint8_t *data, size_t len)
{
    char *h = NULL;
    fh_rv rv;

    if (hex) {
        h = cli_hex_encode(data, len);
        if (h == NULL) {
            return cli_fail(cmd, FH_E_NOMEM, NULL);
        }
        h[2 * len] = '\n'; /* replaces the terminator: the write is length-bounded */
        rv = cli_write_file(path, h, 2 * len + 1);
        cli_free_cleanse(h, 2 * len + 1);
    } else {
        rv = cli_write_file(path, data, len);
    }
    if (rv != FH_OK) {
        return cli_fail_file(cmd, rv, path, errno, true, CLI_MEM_OUT_MAX);
    }
    return 0;
}

/* The digest computed by the server (input at most the REST ceiling), written as emit() does. */
static int
remote_digest(const char *cmd, CK_MECHANISM_TYPE type, const char *in_path, const char *out_path)
{
    uint8_t *in = NULL, *md = NULL;
    size_t in_len = 0, md_len = 0;
    fh_rv rv = cli_read_all(in_path, CLI_REMOTE_INPUT_MAX, &in, &in_len);
    int code;

    if (rv != FH_OK) {
        return cli_fail_file(cmd, rv, in_path, errno, false, CLI_REMOTE_INPUT_MAX);
    }
    code = cli_remote_digest(cmd, fh_mech_name(type), in, in_len, &md, &md_len);
    if (code == 0) {
        code = emit(cmd, out_path, out_path == NULL, md, md_len);
    }
    free(md);
    cli_free_cleanse(in, in_len);
    return code;
}

int
cmd_digest(int argc, char **argv)
{
    const char *cmd = digest_spec.cmd;
    struct cli_args a;
    struct cli_in src;
    CK_MECHANISM_TYPE type = 0;
    const char *evp_name = NULL, *in_path, *out_path;
    EVP_MD *md = NULL;
    EVP_MD_CTX *mctx = NULL;
    uint8_t *chunk = NULL;
    uint8_t out[EVP_MAX_MD_SIZE];
    unsigned out_len = 0;
    bool src_open = false;
    int code;
    fh_rv rv;

    code = cli_args_parse(&digest_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    in_path = cli_arg(&a, "in");
    out_path = cli_arg(&a, "out");
    code = cli_mech_lookup(cmd, cli_arg(&a, "mechanism"), &type);
    if (code != 0) {
        return code;
    }
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
        if (digests[i].mech == type) {
            evp_name = digests[i].evp;
        }
    }
    if (evp_name == NULL) {
        return cli_usage_error(cmd, false, "%s is not a digest mechanism", fh_mech_name(type));
    }
    if (cli_remote_on()) {
        return remote_digest(cmd, type, in_path, out_path);
    }
    rv = cli_in_open(&src, in_path, CLI_STREAM_MAX);
    if (rv != FH_OK) {
        return cli_fail_file(cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
    }
    src_open = true;
    md = EVP_MD_fetch(NULL, evp_name, NULL);
    mctx = EVP_MD_CTX_new();
    chunk = malloc(CLI_CHUNK);
    if (md == NULL || mctx == NULL || chunk == NULL || EVP_DigestInit_ex(mctx, md, NULL) != 1) {
        code = cli_fail(cmd, chunk == NULL ? FH_E_NOMEM : FH_E_CRYPTO, " (%s)", evp_name);
        goto out;
    }
    for (;;) {
        size_t got = 0;

        rv = cli_in_read(&src, chunk, CLI_CHUNK, &got);
        if (rv != FH_OK) {
            code = cli_fail_file(cmd, rv, in_path, errno, false, CLI_STREAM_MAX);
            goto out;
        }
        if (got > 0 && EVP_DigestUpdate(mctx, chunk, got) != 1) {
            code = cli_fail(cmd, FH_E_CRYPTO, " (%s)", evp_name);
            goto out;
        }
        if (got < CLI_CHUNK) {
            break;
        }
    }
    if (EVP_DigestFinal_ex(mctx, out, &out_len) != 1) {
        code = cli_fail(cmd, FH_E_CRYPTO, " (%s)", evp_name);
        goto out;
    }
    code = emit(cmd, out_path, out_path == NULL, out, out_len);
out:
    free(chunk);
    EVP_MD_CTX_free(mctx);
    EVP_MD_free(md);
    if (src_open) {
        cli_in_close(&src);
    }
    return code;
}

int
cmd_random(int argc, char **argv)
{
    const char *cmd = random_spec.cmd;
    struct cli_args a;
    const char *bytes;
    uint64_t n = 0;
    uint8_t *buf = NULL;
    int code;

    code = cli_args_parse(&random_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    bytes = cli_arg(&a, "bytes");
    if (bytes == NULL) {
        return cli_usage_error(cmd, true, "missing --bytes");
    }
    if (cli_parse_u64(bytes, 1, RANDOM_MAX, &n) != FH_OK) {
        return cli_usage_error(cmd, false, "--bytes must be a number in 1..%u, not '%s'",
                               RANDOM_MAX, bytes);
    }
    buf = malloc((size_t)n);
    if (buf == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    if (cli_remote_on()) {
        code = cli_remote_random(cmd, buf, (size_t)n);
        if (code == 0) {
            code = emit(cmd, cli_arg(&a, "out"), cli_flag(&a, "hex"), buf, (size_t)n);
        }
    } else if (RAND_priv_bytes(buf, (int)n) != 1) {
        /* The bytes may become key material: OpenSSL's private DRBG, cleansed after use. */
        code = cli_fail(cmd, FH_E_CRYPTO, " (random generator)");
    } else {
        code = emit(cmd, cli_arg(&a, "out"), cli_flag(&a, "hex"), buf, (size_t)n);
    }
    cli_free_cleanse(buf, (size_t)n);
    return code;
}
