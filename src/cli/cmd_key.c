/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_key.c - `ferrohsm key generate|list|show|delete|export-public`.
 *
 * Key generation builds PKCS#11 templates and leaves every rule (which
 * attributes a class may carry, defaults, CKA_ALWAYS_SENSITIVE...) to the
 * core. Usage flags are written explicitly true or false on each half, so no
 * core default can grant a usage the user did not ask for.
 *
 * `key show` prints every attribute the core will reveal, except key
 * material (CKA_VALUE and the RSA private components), which a display
 * command never prints even for a non-sensitive key made through PKCS#11.
 *
 * Output is assembled completely before it is written (docs/cli.md: nothing
 * on stdout for a failure).
 */
#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "io.h"
#include "json.h"
#include "keytype.h"
#include "target.h"

#define OPT_TOKEN                                                                                  \
    {                                                                                              \
        "token", "T", "token label (a URI in --key may name it instead)"                           \
    }
#define OPT_KEY                                                                                    \
    {                                                                                              \
        "key", "K", "key: a label, id:HEX (CKA_ID) or a pkcs11: URI"                               \
    }
#define OPT_PIN_FILE                                                                               \
    {                                                                                              \
        "pin-file", "FILE", "user PIN: first line of FILE (else FERROHSM_PIN, else a prompt)"      \
    }
#define OPT_JSON                                                                                   \
    {                                                                                              \
        "json", NULL, "print JSON instead of text"                                                 \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        NULL, NULL, NULL                                                                           \
    }

#define CLI_ID_MAX 64 /* bytes of a --id value */

static const struct cli_optdef generate_opts[] = {
    {"token", "T", "token label"},
    {"type", "TYPE",
     "rsa-2048 rsa-3072 rsa-4096 ec-p256 ec-p384 ec-p521 ed25519 ed448\n"
     "aes-128 aes-192 aes-256 generic-secret"},
    {"label", "L", "CKA_LABEL of the key (both halves of a pair)"},
    {"id", "HEX", "CKA_ID (default: 8 random bytes)"},
    {"bits", "N", "generic-secret only: key length in bits, a multiple of 8 in 8..4096"},
    {"extractable", NULL, "set CKA_EXTRACTABLE (default false)"},
    {"usage", "LIST", "comma list of sign,verify,encrypt,decrypt,wrap,unwrap,derive"},
    OPT_PIN_FILE,
    OPT_END,
};
static const struct cli_spec generate_spec = {
    "key generate",
    "--token T --type TYPE --label L [--id HEX] [--bits N] [--extractable] [--usage LIST]",
    "Generate a key pair or a secret key as token objects.",
    "Default usages: rsa all but derive; ec sign,verify,derive; ed sign,verify;\n"
    "aes encrypt,decrypt,wrap,unwrap,sign,verify; generic-secret sign,verify,derive.\n"
    "Private and secret keys are CKA_PRIVATE and CKA_SENSITIVE. Prints\n"
    "\"generated TYPE key L (id HEX)\".",
    generate_opts,
};

static const struct cli_optdef list_opts[] = {OPT_TOKEN, OPT_JSON, OPT_PIN_FILE, OPT_END};
static const struct cli_spec list_spec = {
    "key list",
    "--token T [--json]",
    "List the keys of a token, one line each: label, class, type, size in bits, id.",
    NULL,
    list_opts,
};

static const struct cli_optdef show_opts[] = {OPT_TOKEN, OPT_KEY, OPT_JSON, OPT_PIN_FILE, OPT_END};
static const struct cli_spec show_spec = {
    "key show",
    "--token T --key K [--json]",
    "Show every readable attribute of each object K matches (never key material).",
    NULL,
    show_opts,
};

static const struct cli_optdef delete_opts[] = {OPT_TOKEN, OPT_KEY, OPT_PIN_FILE, OPT_END};
static const struct cli_spec delete_spec = {
    "key delete", "--token T --key K", "Delete every object K matches (both halves of a pair).",
    NULL,         delete_opts,
};

static const struct cli_optdef export_opts[] = {
    OPT_TOKEN,    OPT_KEY, {"out", "FILE", "write the PEM to FILE (default: standard output)"},
    OPT_PIN_FILE, OPT_END,
};
static const struct cli_spec export_spec = {
    "key export-public",
    "--token T --key K [--out FILE]",
    "Write the public key as SubjectPublicKeyInfo PEM (\"BEGIN PUBLIC KEY\").",
    NULL,
    export_opts,
};

#define PARSE_OR_RETURN(spec, a)                                                                   \
    do {                                                                                           \
        int parse_code_ = cli_args_parse((spec), argc, argv, (a));                                 \
        if (parse_code_ != 0) {                                                                    \
            return parse_code_ == CLI_ARGS_HELP ? 0 : parse_code_;                                 \
        }                                                                                          \
    } while (0)

/* ---- key generate ---- */

struct gen_request {
    const struct cli_keytype *kt;
    const char *label;
    uint8_t *id;
    size_t id_len;
    CK_ULONG value_len; /* secret keys, bytes */
    unsigned usage;
    bool extractable;
};

static int
parse_generate(const struct cli_args *a, struct gen_request *g)
{
    const char *cmd = generate_spec.cmd;
    const char *type = cli_arg(a, "type"), *bits = cli_arg(a, "bits");
    const char *usage = cli_arg(a, "usage"), *id = cli_arg(a, "id");

    if (type == NULL) {
        return cli_usage_error(cmd, true, "missing --type");
    }
    g->kt = cli_keytype_find(type);
    if (g->kt == NULL) {
        return cli_usage_error(cmd, false, "unknown key type '%s' (one of: %s)", type,
                               cli_keytype_names());
    }
    g->label = cli_arg(a, "label");
    if (g->label == NULL) {
        return cli_usage_error(cmd, true, "missing --label");
    }
    if (g->label[0] == '\0') {
        return cli_usage_error(cmd, false, "empty --label");
    }
    for (const char *c = g->label; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            return cli_usage_error(cmd, false, "--label must not contain control characters");
        }
    }
    if (g->kt->key_type == CKK_GENERIC_SECRET) {
        uint64_t n = 0;

        if (bits == NULL) {
            return cli_usage_error(cmd, true, "generic-secret needs --bits N");
        }
        if (cli_parse_u64(bits, 8, 4096, &n) != FH_OK || n % 8 != 0) {
            return cli_usage_error(cmd, false,
                                   "--bits must be a multiple of 8 in 8..4096, "
                                   "not '%s'",
                                   bits);
        }
        g->value_len = (CK_ULONG)(n / 8);
    } else if (bits != NULL) {
        return cli_usage_error(cmd, false,
                               "--bits applies to generic-secret only (%s has a "
                               "fixed size)",
                               g->kt->name);
    } else if (g->kt->key_type == CKK_AES) {
        g->value_len = g->kt->bits / 8;
    }
    g->usage = g->kt->default_usage;
    if (usage != NULL) {
        const char *bad = NULL;
        size_t bad_len = 0;

        if (cli_parse_usage(usage, &g->usage, &bad, &bad_len) != FH_OK) {
            return cli_usage_error(cmd, false,
                                   "bad --usage item '%.*s' (sign, verify, "
                                   "encrypt, decrypt, wrap, unwrap, derive; each once)",
                                   (int)bad_len, bad != NULL ? bad : "");
        }
    }
    if (id != NULL) {
        fh_rv rv = cli_hex_decode(id, &g->id, &g->id_len);

        if (rv == FH_E_NOMEM) {
            return cli_fail(cmd, rv, NULL);
        }
        if (rv != FH_OK || g->id_len == 0 || g->id_len > CLI_ID_MAX) {
            return cli_usage_error(cmd, false, "--id must be 1..%d bytes of hex", CLI_ID_MAX);
        }
    }
    g->extractable = cli_flag(a, "extractable");
    return 0;
}

#define ADD(t, n, type_, ptr, len) ((t)[(n)++] = (CK_ATTRIBUTE){(type_), (void *)(ptr), (len)})

static fh_rv
generate(fh_session *s, const struct gen_request *g)
{
    static const uint8_t f4[] = {0x01, 0x00, 0x01}; /* 65537 */
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_OBJECT_CLASS pub_cls = CKO_PUBLIC_KEY, priv_cls = CKO_PRIVATE_KEY, sec_cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = g->kt->key_type;
    CK_ULONG mod_bits = g->kt->bits, value_len = g->value_len;
    CK_MECHANISM mech = {g->kt->mech, NULL, 0};
    CK_ATTRIBUTE pub[12], priv[16];
    CK_ULONG np = 0, nq = 0;
    CK_OBJECT_HANDLE hp = CK_INVALID_HANDLE, hq = CK_INVALID_HANDLE;
    size_t label_len = strlen(g->label);
    const CK_BBOOL *ext = g->extractable ? &yes : &no;

#define USE(bit) (((g->usage & (bit)) != 0) ? &yes : &no)
    if (!g->kt->pair) {
        ADD(priv, nq, CKA_CLASS, &sec_cls, sizeof(sec_cls));
        ADD(priv, nq, CKA_KEY_TYPE, &kt, sizeof(kt));
        ADD(priv, nq, CKA_TOKEN, &yes, sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_PRIVATE, &yes, sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_SENSITIVE, &yes, sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_EXTRACTABLE, ext, sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_LABEL, g->label, label_len);
        ADD(priv, nq, CKA_ID, g->id, g->id_len);
        ADD(priv, nq, CKA_VALUE_LEN, &value_len, sizeof(value_len));
        ADD(priv, nq, CKA_ENCRYPT, USE(CLI_USE_ENCRYPT), sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_DECRYPT, USE(CLI_USE_DECRYPT), sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_SIGN, USE(CLI_USE_SIGN), sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_VERIFY, USE(CLI_USE_VERIFY), sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_WRAP, USE(CLI_USE_WRAP), sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_UNWRAP, USE(CLI_USE_UNWRAP), sizeof(CK_BBOOL));
        ADD(priv, nq, CKA_DERIVE, USE(CLI_USE_DERIVE), sizeof(CK_BBOOL));
        return fh_key_generate(s, &mech, priv, nq, &hq);
    }
    ADD(pub, np, CKA_CLASS, &pub_cls, sizeof(pub_cls));
    ADD(pub, np, CKA_KEY_TYPE, &kt, sizeof(kt));
    ADD(pub, np, CKA_TOKEN, &yes, sizeof(CK_BBOOL));
    ADD(pub, np, CKA_LABEL, g->label, label_len);
    ADD(pub, np, CKA_ID, g->id, g->id_len);
    ADD(pub, np, CKA_VERIFY, USE(CLI_USE_VERIFY), sizeof(CK_BBOOL));
    ADD(pub, np, CKA_ENCRYPT, USE(CLI_USE_ENCRYPT), sizeof(CK_BBOOL));
    ADD(pub, np, CKA_WRAP, USE(CLI_USE_WRAP), sizeof(CK_BBOOL));
    ADD(pub, np, CKA_VERIFY_RECOVER, &no, sizeof(CK_BBOOL)); /* no --usage word grants it */
    if (kt == CKK_RSA) {
        ADD(pub, np, CKA_MODULUS_BITS, &mod_bits, sizeof(mod_bits));
        ADD(pub, np, CKA_PUBLIC_EXPONENT, f4, sizeof(f4));
    } else {
        ADD(pub, np, CKA_EC_PARAMS, g->kt->curve->der, g->kt->curve->der_len);
    }
    ADD(priv, nq, CKA_CLASS, &priv_cls, sizeof(priv_cls));
    ADD(priv, nq, CKA_KEY_TYPE, &kt, sizeof(kt));
    ADD(priv, nq, CKA_TOKEN, &yes, sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_PRIVATE, &yes, sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_SENSITIVE, &yes, sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_EXTRACTABLE, ext, sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_LABEL, g->label, label_len);
    ADD(priv, nq, CKA_ID, g->id, g->id_len);
    ADD(priv, nq, CKA_SIGN, USE(CLI_USE_SIGN), sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_DECRYPT, USE(CLI_USE_DECRYPT), sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_UNWRAP, USE(CLI_USE_UNWRAP), sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_DERIVE, USE(CLI_USE_DERIVE), sizeof(CK_BBOOL));
    ADD(priv, nq, CKA_SIGN_RECOVER, &no, sizeof(CK_BBOOL));
#undef USE
    return fh_key_generate_pair(s, &mech, pub, np, priv, nq, &hp, &hq);
}

int
cmd_key_generate(int argc, char **argv)
{
    const char *cmd = generate_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    struct gen_request g;
    char *hex = NULL;
    int code;
    fh_rv rv;

    PARSE_OR_RETURN(&generate_spec, &a);
    memset(&g, 0, sizeof(g));
    code = parse_generate(&a, &g);
    if (code != 0) {
        free(g.id);
        return code;
    }
    code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN | CLI_T_RW);
    if (code != 0) {
        free(g.id);
        return code;
    }
    if (g.id == NULL) {
        g.id_len = 8;
        g.id = malloc(g.id_len);
        if (g.id == NULL) {
            code = cli_fail(cmd, FH_E_NOMEM, NULL);
            goto out;
        }
        rv = fh_random(t.s, g.id, g.id_len);
        if (rv != FH_OK) {
            code = cli_fail(cmd, rv, " (generating the key id)");
            goto out;
        }
    }
    rv = generate(t.s, &g);
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (%s key %s)", g.kt->name, g.label);
        goto out;
    }
    hex = cli_hex_encode(g.id, g.id_len);
    printf("generated %s key %s (id %s)\n", g.kt->name, g.label, hex != NULL ? hex : "?");
out:
    free(hex);
    free(g.id);
    cli_target_close(&t);
    return code;
}

/* ---- key list ---- */

static const char *
class_short(CK_OBJECT_CLASS c)
{
    switch (c) {
    case CKO_PUBLIC_KEY: return "public";
    case CKO_PRIVATE_KEY: return "private";
    case CKO_SECRET_KEY: return "secret";
    default: return NULL; /* not a key (CK_OBJECT_CLASS is an integer, not an enum) */
    }
}

struct key_row {
    const char *cls;
    const char *type;
    const char *curve;
    unsigned bits;
    uint8_t *label;
    size_t label_len;
    char *id_hex;
};

static void
rows_free(struct key_row *r, size_t n)
{
    for (size_t i = 0; r != NULL && i < n; i++) {
        free(r[i].label);
        free(r[i].id_hex);
    }
    free(r);
}

static int
collect_keys(struct cli_target *t, struct key_row **out, size_t *count)
{
    CK_OBJECT_HANDLE *h = NULL;
    struct key_row *rows = NULL;
    size_t n = 0, m = 0;
    int code = 0;
    fh_rv rv;

    rv = fh_object_find(t->s, NULL, 0, &h, &n);
    if (rv != FH_OK) {
        code = cli_fail(t->cmd, rv, " (token %s)", t->token_label);
        goto out;
    }
    rows = calloc(n > 0 ? n : 1, sizeof(*rows));
    if (rows == NULL) {
        code = cli_fail(t->cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        CK_OBJECT_CLASS cls = cli_attr_ulong(t->s, h[i], CKA_CLASS, CK_UNAVAILABLE_INFORMATION);
        CK_KEY_TYPE kt = cli_attr_ulong(t->s, h[i], CKA_KEY_TYPE, CK_UNAVAILABLE_INFORMATION);
        struct key_row *r = &rows[m];
        uint8_t *id = NULL;
        size_t id_len = 0;

        r->cls = class_short(cls);
        if (r->cls == NULL) {
            continue;
        }
        cli_key_describe(t->s, h[i], kt, &r->bits, &r->type, &r->curve);
        rv = cli_attr_get(t->s, h[i], CKA_LABEL, &r->label, &r->label_len);
        if (rv == FH_OK) {
            rv = cli_attr_get(t->s, h[i], CKA_ID, &id, &id_len);
        }
        if (rv == FH_OK) {
            r->id_hex = cli_hex_encode(id, id_len);
            rv = r->id_hex != NULL ? FH_OK : FH_E_NOMEM;
        }
        free(id);
        m++;
        if (rv != FH_OK) {
            code = cli_fail(t->cmd, rv, " (token %s)", t->token_label);
            goto out;
        }
    }
    *out = rows;
    *count = m;
    rows = NULL;
out:
    rows_free(rows, m);
    free(h);
    return code;
}

static json_t *
keys_json(const struct key_row *r, size_t n)
{
    json_t *arr = json_array();
    int ok = arr != NULL;

    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_object();

        if (o == NULL || json_array_append_new(arr, o) != 0) {
            ok = 0;
            break;
        }
        cli_json_set(o, "label", cli_json_text(r[i].label, r[i].label_len), &ok);
        cli_json_set(o, "class", json_string(r[i].cls), &ok);
        cli_json_set(o, "type", json_string(r[i].type), &ok);
        cli_json_set(o, "curve", r[i].curve != NULL ? json_string(r[i].curve) : json_null(), &ok);
        cli_json_set(o, "bits", json_integer(r[i].bits), &ok);
        cli_json_set(o, "id", json_string(r[i].id_hex), &ok);
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

int
cmd_key_list(int argc, char **argv)
{
    const char *cmd = list_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    struct key_row *rows = NULL;
    size_t n = 0;
    int code, wl = 1, wt = 1;

    PARSE_OR_RETURN(&list_spec, &a);
    code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN);
    if (code != 0) {
        return code;
    }
    code = collect_keys(&t, &rows, &n);
    if (code != 0) {
        goto out;
    }
    if (cli_flag(&a, "json")) {
        code = cli_json_print(cmd, keys_json(rows, n));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        wl = (int)rows[i].label_len > wl ? (int)rows[i].label_len : wl;
        wt = (int)strlen(rows[i].type) > wt ? (int)strlen(rows[i].type) : wt;
    }
    for (size_t i = 0; i < n; i++) {
        char label[256];

        /* labels made by other fronts may hold any byte: one line per key */
        snprintf(label, sizeof(label), "%.*s", (int)rows[i].label_len, (const char *)rows[i].label);
        if (label[0] == '\0') {
            snprintf(label, sizeof(label), "-");
        }
        cli_sanitize(label);
        printf("%-*s  %-7s  %-*s  %4u  %s\n", wl, label, rows[i].cls, wt, rows[i].type,
               rows[i].bits, rows[i].id_hex[0] != '\0' ? rows[i].id_hex : "-");
    }
out:
    rows_free(rows, n);
    cli_target_close(&t);
    return code;
}

/* ---- key show ---- */

enum show_fmt { SF_BOOL, SF_ULONG, SF_CLASS, SF_KEYTYPE, SF_TEXT, SF_HEX, SF_MECH, SF_MECHS };

static const struct {
    CK_ATTRIBUTE_TYPE type;
    const char *name;
    enum show_fmt fmt;
} show_attrs[] = {
    {CKA_CLASS, "CKA_CLASS", SF_CLASS},
    {CKA_KEY_TYPE, "CKA_KEY_TYPE", SF_KEYTYPE},
    {CKA_LABEL, "CKA_LABEL", SF_TEXT},
    {CKA_ID, "CKA_ID", SF_HEX},
    {CKA_TOKEN, "CKA_TOKEN", SF_BOOL},
    {CKA_PRIVATE, "CKA_PRIVATE", SF_BOOL},
    {CKA_MODIFIABLE, "CKA_MODIFIABLE", SF_BOOL},
    {CKA_COPYABLE, "CKA_COPYABLE", SF_BOOL},
    {CKA_DESTROYABLE, "CKA_DESTROYABLE", SF_BOOL},
    {CKA_LOCAL, "CKA_LOCAL", SF_BOOL},
    {CKA_KEY_GEN_MECHANISM, "CKA_KEY_GEN_MECHANISM", SF_MECH},
    {CKA_ALLOWED_MECHANISMS, "CKA_ALLOWED_MECHANISMS", SF_MECHS},
    {CKA_SENSITIVE, "CKA_SENSITIVE", SF_BOOL},
    {CKA_ALWAYS_SENSITIVE, "CKA_ALWAYS_SENSITIVE", SF_BOOL},
    {CKA_EXTRACTABLE, "CKA_EXTRACTABLE", SF_BOOL},
    {CKA_NEVER_EXTRACTABLE, "CKA_NEVER_EXTRACTABLE", SF_BOOL},
    {CKA_ALWAYS_AUTHENTICATE, "CKA_ALWAYS_AUTHENTICATE", SF_BOOL},
    {CKA_WRAP_WITH_TRUSTED, "CKA_WRAP_WITH_TRUSTED", SF_BOOL},
    {CKA_TRUSTED, "CKA_TRUSTED", SF_BOOL},
    {CKA_ENCRYPT, "CKA_ENCRYPT", SF_BOOL},
    {CKA_DECRYPT, "CKA_DECRYPT", SF_BOOL},
    {CKA_SIGN, "CKA_SIGN", SF_BOOL},
    {CKA_VERIFY, "CKA_VERIFY", SF_BOOL},
    {CKA_SIGN_RECOVER, "CKA_SIGN_RECOVER", SF_BOOL},
    {CKA_VERIFY_RECOVER, "CKA_VERIFY_RECOVER", SF_BOOL},
    {CKA_WRAP, "CKA_WRAP", SF_BOOL},
    {CKA_UNWRAP, "CKA_UNWRAP", SF_BOOL},
    {CKA_DERIVE, "CKA_DERIVE", SF_BOOL},
    {CKA_VALUE_LEN, "CKA_VALUE_LEN", SF_ULONG},
    {CKA_MODULUS_BITS, "CKA_MODULUS_BITS", SF_ULONG},
    {CKA_MODULUS, "CKA_MODULUS", SF_HEX},
    {CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT", SF_HEX},
    {CKA_EC_PARAMS, "CKA_EC_PARAMS", SF_HEX},
    {CKA_EC_POINT, "CKA_EC_POINT", SF_HEX},
    {CKA_CHECK_VALUE, "CKA_CHECK_VALUE", SF_HEX},
    {CKA_SUBJECT, "CKA_SUBJECT", SF_HEX},
    {CKA_PUBLIC_KEY_INFO, "CKA_PUBLIC_KEY_INFO", SF_HEX},
};

static const char *
class_name(CK_ULONG v)
{
    switch (v) {
    case CKO_DATA: return "CKO_DATA";
    case CKO_CERTIFICATE: return "CKO_CERTIFICATE";
    case CKO_PUBLIC_KEY: return "CKO_PUBLIC_KEY";
    case CKO_PRIVATE_KEY: return "CKO_PRIVATE_KEY";
    case CKO_SECRET_KEY: return "CKO_SECRET_KEY";
    default: return NULL;
    }
}

static const char *
keytype_name(CK_ULONG v)
{
    switch (v) {
    case CKK_RSA: return "CKK_RSA";
    case CKK_EC: return "CKK_EC";
    case CKK_EC_EDWARDS: return "CKK_EC_EDWARDS";
    case CKK_AES: return "CKK_AES";
    case CKK_GENERIC_SECRET: return "CKK_GENERIC_SECRET";
    default: return NULL;
    }
}

static json_t *
ulong_name_json(const char *name, CK_ULONG v)
{
    char buf[32];

    if (name != NULL) {
        return json_string(name);
    }
    snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)v);
    return json_string(buf);
}

static CK_ULONG
as_ulong(const uint8_t *p, size_t len, bool *ok)
{
    CK_ULONG v = 0;

    *ok = len == sizeof(v);
    if (*ok) {
        memcpy(&v, p, sizeof(v));
    }
    return v;
}

/* The JSON value of one attribute; NULL on allocation failure. */
static json_t *
attr_json(enum show_fmt fmt, const uint8_t *p, size_t len)
{
    bool ok = true;
    CK_ULONG v;

    switch (fmt) {
    case SF_BOOL: return json_boolean(len == 1 && p[0] != 0);
    case SF_ULONG:
        v = as_ulong(p, len, &ok);
        return ok ? json_integer((json_int_t)v) : cli_json_hex(p, len);
    case SF_CLASS:
        v = as_ulong(p, len, &ok);
        return ok ? ulong_name_json(class_name(v), v) : cli_json_hex(p, len);
    case SF_KEYTYPE:
        v = as_ulong(p, len, &ok);
        return ok ? ulong_name_json(keytype_name(v), v) : cli_json_hex(p, len);
    case SF_MECH:
        v = as_ulong(p, len, &ok);
        return ok ? ulong_name_json(fh_mech_name(v), v) : cli_json_hex(p, len);
    case SF_MECHS: {
        json_t *arr = json_array();

        for (size_t i = 0; arr != NULL && i + sizeof(CK_ULONG) <= len; i += sizeof(CK_ULONG)) {
            memcpy(&v, p + i, sizeof(v));
            if (json_array_append_new(arr, ulong_name_json(fh_mech_name(v), v)) != 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    case SF_TEXT: return cli_json_text(p, len);
    case SF_HEX: return cli_json_hex(p, len);
    }
    return NULL;
}

/* The attributes of object h as a JSON object. */
static fh_rv
object_json(fh_session *s, CK_OBJECT_HANDLE h, json_t **out)
{
    json_t *o = json_object();
    int ok = o != NULL;

    for (size_t i = 0; ok && i < sizeof(show_attrs) / sizeof(show_attrs[0]); i++) {
        uint8_t *val = NULL;
        size_t len = 0;
        fh_rv rv = cli_attr_get(s, h, show_attrs[i].type, &val, &len);

        if (rv == FH_E_ATTR_SENSITIVE || rv == FH_E_ATTR_TYPE_INVALID) {
            continue; /* not part of this object, or not revealed: not shown */
        }
        if (rv != FH_OK) {
            json_decref(o);
            return rv;
        }
        cli_json_set(o, show_attrs[i].name, attr_json(show_attrs[i].fmt, val, len), &ok);
        free(val);
    }
    if (!ok) {
        json_decref(o);
        return FH_E_NOMEM;
    }
    *out = o;
    return FH_OK;
}

/* Text rendering of one JSON value built by attr_json. */
static void
print_value(FILE *f, json_t *v)
{
    size_t i;
    json_t *e;

    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            fprintf(f, "%s%s", i > 0 ? "," : "", json_string_value(e));
        }
        if (json_array_size(v) == 0) {
            fputs("(any: no restriction)", f); /* PKCS#11: an empty list allows all */
        }
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "true" : "false", f);
    } else if (json_is_integer(v)) {
        fprintf(f, "%lld", (long long)json_integer_value(v));
    } else if (json_is_string(v)) {
        fputs(json_string_value(v)[0] != '\0' ? json_string_value(v) : "(empty)", f);
    }
}

int
cmd_key_show(int argc, char **argv)
{
    const char *cmd = show_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    CK_OBJECT_HANDLE *h = NULL;
    size_t n = 0;
    json_t *arr = NULL;
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = NULL;
    int code;

    PARSE_OR_RETURN(&show_spec, &a);
    code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN | CLI_T_KEY);
    if (code != 0) {
        return code;
    }
    code = cli_key_find_all(&t, &h, &n);
    if (code != 0) {
        goto out;
    }
    arr = json_array();
    if (arr == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = NULL;
        fh_rv rv = object_json(t.s, h[i], &o);

        if (rv == FH_OK && json_array_append_new(arr, o) != 0) {
            rv = FH_E_NOMEM;
        }
        if (rv != FH_OK) {
            code = cli_fail(cmd, rv, ": %s", t.key_spec);
            goto out;
        }
    }
    if (cli_flag(&a, "json")) {
        code = cli_json_print(cmd, arr);
        arr = NULL;
        goto out;
    }
    mem = open_memstream(&text, &text_len);
    if (mem == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i), *v;
        const char *k;

        fprintf(mem, "%sobject %zu of %zu\n", i > 0 ? "\n" : "", i + 1, n);
        json_object_foreach(o, k, v)
        {
            fprintf(mem, "  %-24s ", k);
            print_value(mem, v);
            fputc('\n', mem);
        }
    }
    if (fclose(mem) != 0) {
        mem = NULL;
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    mem = NULL;
    fwrite(text, 1, text_len, stdout);
out:
    if (mem != NULL) {
        fclose(mem);
    }
    free(text);
    json_decref(arr);
    free(h);
    cli_target_close(&t);
    return code;
}

/* ---- key delete ---- */

int
cmd_key_delete(int argc, char **argv)
{
    const char *cmd = delete_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    CK_OBJECT_HANDLE *h = NULL;
    size_t n = 0;
    int code;

    PARSE_OR_RETURN(&delete_spec, &a);
    code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN | CLI_T_RW | CLI_T_KEY);
    if (code != 0) {
        return code;
    }
    code = cli_key_find_all(&t, &h, &n);
    if (code != 0) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        fh_rv rv = fh_object_destroy(t.s, h[i]);

        if (rv != FH_OK) {
            code = cli_fail(cmd, rv, ": %s (deleted %zu of %zu objects)", t.key_spec, i, n);
            goto out;
        }
    }
    printf("deleted %zu object%s matching %s\n", n, n == 1 ? "" : "s", t.key_spec);
out:
    free(h);
    cli_target_close(&t);
    return code;
}

/* ---- key export-public ---- */

static fh_rv
spki_to_pem(const uint8_t *der, size_t len, const char *out_path)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long pem_len;
    fh_rv rv;

    if (bio == NULL) {
        return FH_E_NOMEM;
    }
    if (len > (size_t)LONG_MAX || PEM_write_bio(bio, "PUBLIC KEY", "", der, (long)len) <= 0) {
        BIO_free(bio);
        return FH_E_CRYPTO;
    }
    pem_len = BIO_get_mem_data(bio, &pem);
    rv = pem_len > 0 ? cli_write_file(out_path, pem, (size_t)pem_len) : FH_E_CRYPTO;
    BIO_free(bio);
    return rv;
}

int
cmd_key_export_public(int argc, char **argv)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_PUBLIC_KEY, CKO_PRIVATE_KEY};
    const char *cmd = export_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    uint8_t *der = NULL;
    size_t len = 0;
    const char *out_path;
    int code;
    fh_rv rv;

    PARSE_OR_RETURN(&export_spec, &a);
    out_path = cli_arg(&a, "out");
    code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN_LAZY | CLI_T_KEY);
    if (code != 0) {
        return code;
    }
    code = cli_key_find(&t, classes, 2, &h);
    if (code != 0) {
        goto out;
    }
    rv = cli_attr_get(t.s, h, CKA_PUBLIC_KEY_INFO, &der, &len);
    if (rv == FH_OK && len == 0) {
        rv = FH_E_ATTR_TYPE_INVALID;
    }
    if (rv == FH_E_ATTR_TYPE_INVALID || rv == FH_E_ATTR_SENSITIVE) {
        code =
            cli_fail_as(cmd, FH_E_KEY_TYPE_INCONSISTENT,
                        "key %s has no public key information (CKA_PUBLIC_KEY_INFO)", t.key_spec);
        goto out;
    }
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, ": %s", t.key_spec);
        goto out;
    }
    rv = spki_to_pem(der, len, out_path);
    if (rv == FH_E_CRYPTO) {
        code = cli_fail(cmd, rv, " (PEM encoding)");
    } else if (rv != FH_OK) {
        code = cli_fail_file(cmd, rv, out_path, errno, true, CLI_MEM_OUT_MAX);
    }
out:
    free(der);
    cli_target_close(&t);
    return code;
}
