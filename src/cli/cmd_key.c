/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_key.c - `ferrohsm key generate|list|show|delete|export-public`.
 *
 * Key types, templates, descriptions and the attributes `key show` prints
 * are libferrohsm's (describe.h, newkey.h), the same the REST server uses.
 * Templates leave every rule (which attributes a class may carry, defaults,
 * CKA_ALWAYS_SENSITIVE...) to the core; usage flags are written explicitly
 * true or false on each half, so no core default can grant a usage the user
 * did not ask for.
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
#include "remote.h"
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
    const struct fh_keytype_desc *kt;
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
    g->kt = fh_keytype_find(type);
    if (g->kt == NULL) {
        return cli_usage_error(cmd, false, "unknown key type '%s' (one of: %s)", type,
                               fh_keytype_names());
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

/* The templates are the library's (newkey.h), the same as the REST server's. */
static fh_rv
generate(fh_session *s, const struct gen_request *g)
{
    struct fh_newkey nk = {g->label, g->id, g->id_len, g->usage, g->extractable};

    return fh_newkey_generate(s, g->kt, g->value_len, &nk, NULL, NULL);
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
    if (cli_remote_on()) {
        char what[96];

        code = cli_target_select(&t, cmd, &a, 0);
        if (code == 0) {
            snprintf(what, sizeof(what), "%s key %s", g.kt->name, g.label);
            code = cli_remote_key_generate(cmd, t.token_label, g.kt->name, g.label, g.id,
                                           g.id_len, g.kt->key_type == CKK_GENERIC_SECRET ? (unsigned)g.value_len * 8 : 0,
                                           g.extractable, g.usage, what, &hex);
        }
        if (code == 0) {
            printf("generated %s key %s (id %s)\n", g.kt->name, g.label, hex);
        }
        goto out;
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

static int
collect_keys(struct cli_target *t, struct cli_key_row **out, size_t *count)
{
    CK_OBJECT_HANDLE *h = NULL;
    struct cli_key_row *rows = NULL;
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
        struct cli_key_row *r = &rows[m];
        struct fh_key_desc d;
        uint8_t *id = NULL;
        size_t id_len = 0;

        rv = fh_key_describe(t->s, h[i], &d);
        if (rv == FH_E_OBJECT_HANDLE_INVALID) {
            continue; /* gone since the search (another process): not listed */
        }
        r->cls = rv == FH_OK ? fh_class_short_name(d.cls) : NULL;
        if (rv == FH_OK && r->cls == NULL) {
            continue; /* not a key */
        }
        if (rv == FH_OK) {
            r->type = d.type_name;
            r->curve = d.curve;
            r->bits = d.bits;
            rv = fh_attr_read(t->s, h[i], CKA_LABEL, &r->label, &r->label_len);
        }
        if (rv == FH_OK) {
            rv = fh_attr_read(t->s, h[i], CKA_ID, &id, &id_len);
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
    cli_key_rows_free(rows, m);
    free(h);
    return code;
}

static int
class_rank(const char *cls)
{
    return strcmp(cls, "public") == 0 ? 0 : (strcmp(cls, "private") == 0 ? 1 : 2);
}

/*
 * The listing order, the same locally and from a server (whose pages follow
 * it, docs/api.md): CKA_ID, then class (public, private, secret), then label.
 */
static int
row_cmp(const void *x, const void *y)
{
    const struct cli_key_row *a = x, *b = y;
    size_t la = strlen(a->id_hex), lb = strlen(b->id_hex);
    int c = memcmp(a->id_hex, b->id_hex, la < lb ? la : lb);

    if (c == 0 && la != lb) {
        c = la < lb ? -1 : 1;
    }
    if (c == 0) {
        c = class_rank(a->cls) - class_rank(b->cls);
    }
    if (c == 0) {
        c = memcmp(a->label, b->label, a->label_len < b->label_len ? a->label_len : b->label_len);
    }
    if (c == 0 && a->label_len != b->label_len) {
        c = a->label_len < b->label_len ? -1 : 1;
    }
    return c;
}

static json_t *
keys_json(const struct cli_key_row *r, size_t n)
{
    json_t *arr = json_array();
    bool ok = arr != NULL;

    for (size_t i = 0; ok && i < n; i++) {
        json_t *o = json_object();

        if (o == NULL || json_array_append_new(arr, o) != 0) {
            ok = false;
            break;
        }
        fh_shape_set(o, "label", fh_shape_text(r[i].label, r[i].label_len), &ok);
        fh_shape_set(o, "class", json_string(r[i].cls), &ok);
        fh_shape_set(o, "type", json_string(r[i].type), &ok);
        fh_shape_set(o, "curve", r[i].curve != NULL ? json_string(r[i].curve) : json_null(), &ok);
        fh_shape_set(o, "bits", json_integer(r[i].bits), &ok);
        fh_shape_set(o, "id", json_string(r[i].id_hex), &ok);
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
    struct cli_key_row *rows = NULL;
    size_t n = 0;
    int code, wl = 1, wt = 1;

    PARSE_OR_RETURN(&list_spec, &a);
    if (cli_remote_on()) {
        code = cli_target_select(&t, cmd, &a, 0);
        if (code == 0) {
            code = cli_remote_key_list(cmd, &t, &rows, &n);
        }
    } else {
        code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN);
        if (code == 0) {
            code = collect_keys(&t, &rows, &n);
        }
    }
    if (code != 0) {
        goto out;
    }
    if (n > 1) {
        qsort(rows, n, sizeof(rows[0]), row_cmp);
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
    cli_key_rows_free(rows, n);
    cli_target_close(&t);
    return code;
}

/* ---- key show ---- */

/* Text rendering of one JSON value built by fh_shape_attr_value. */
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

/* The objects the selector matches, as `key show --json` objects. */
static int
local_show(struct cli_target *t, json_t **out)
{
    CK_OBJECT_HANDLE *h = NULL;
    size_t n = 0;
    json_t *arr = NULL;
    int code;

    code = cli_key_find_all(t, &h, &n);
    if (code != 0) {
        return code;
    }
    arr = json_array();
    if (arr == NULL) {
        code = cli_fail(t->cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = NULL;
        fh_rv rv = fh_shape_attrs(t->s, h[i], &o);

        if (rv == FH_OK && json_array_append_new(arr, o) != 0) {
            rv = FH_E_NOMEM;
        }
        if (rv != FH_OK) {
            code = cli_fail(t->cmd, rv, ": %s", t->key_spec);
            goto out;
        }
    }
    *out = arr;
    arr = NULL;
out:
    json_decref(arr);
    free(h);
    return code;
}

/*
 * The server's objects with their members in fh_attr_show_at order, the order
 * local_show produces, so that text and --json output are the same bytes;
 * members outside the table (a newer server's) are dropped, as the local
 * path would not show them either.
 */
static int
remote_show(const char *cmd, const struct cli_target *t, json_t **out)
{
    const char **names = calloc(fh_attr_show_count() + 1, sizeof(*names));
    json_t *objs = NULL, *arr, *o;
    size_t i;
    int code;

    if (names == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    for (i = 0; i < fh_attr_show_count(); i++) {
        names[i] = fh_attr_show_at(i)->name;
    }
    code = cli_remote_key_objects(cmd, t, &objs);
    if (code != 0) {
        free(names);
        return code;
    }
    arr = json_array();
    json_array_foreach(objs, i, o)
    {
        if (arr != NULL && json_array_append_new(arr, cli_json_pick(o, names)) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(names);
    json_decref(objs);
    if (arr == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    *out = arr;
    return 0;
}

int
cmd_key_show(int argc, char **argv)
{
    const char *cmd = show_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    size_t n = 0;
    json_t *arr = NULL;
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = NULL;
    int code;

    PARSE_OR_RETURN(&show_spec, &a);
    if (cli_remote_on()) {
        code = cli_target_select(&t, cmd, &a, CLI_T_KEY);
        if (code == 0) {
            code = remote_show(cmd, &t, &arr);
        }
    } else {
        code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN | CLI_T_KEY);
        if (code == 0) {
            code = local_show(&t, &arr);
        }
    }
    if (code != 0) {
        goto out;
    }
    n = json_array_size(arr);
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
    cli_target_close(&t);
    return code;
}

/* ---- key delete ---- */

static int
local_delete(struct cli_target *t, size_t *count)
{
    CK_OBJECT_HANDLE *h = NULL;
    size_t n = 0;
    int code;

    code = cli_key_find_all(t, &h, &n);
    for (size_t i = 0; code == 0 && i < n; i++) {
        fh_rv rv = fh_object_destroy(t->s, h[i]);

        if (rv != FH_OK) {
            code = cli_fail(t->cmd, rv, ": %s (deleted %zu of %zu objects)", t->key_spec, i, n);
        }
    }
    free(h);
    *count = n;
    return code;
}

int
cmd_key_delete(int argc, char **argv)
{
    const char *cmd = delete_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    size_t n = 0;
    int code;

    PARSE_OR_RETURN(&delete_spec, &a);
    if (cli_remote_on()) {
        code = cli_target_select(&t, cmd, &a, CLI_T_KEY);
        if (code == 0) {
            code = cli_remote_key_delete(cmd, &t, &n);
        }
    } else {
        code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN | CLI_T_RW | CLI_T_KEY);
        if (code == 0) {
            code = local_delete(&t, &n);
        }
    }
    if (code != 0) {
        goto out;
    }
    printf("deleted %zu object%s matching %s\n", n, n == 1 ? "" : "s", t.key_spec);
out:
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

/*
 * CKA_PUBLIC_KEY_INFO of the key's public half (else its private half, as
 * cli_key_find tries them locally) from the server's `key show` objects.
 * *rv is FH_OK, or FH_E_ATTR_TYPE_INVALID when no half carries it.
 */
static int
remote_spki(const char *cmd, const struct cli_target *t, uint8_t **der, size_t *len, fh_rv *rv)
{
    static const char *const classes[] = {"CKO_PUBLIC_KEY", "CKO_PRIVATE_KEY"};
    json_t *objs = NULL, *o;
    int code = cli_remote_key_objects(cmd, t, &objs);
    size_t i;

    bool found = false;

    *rv = FH_E_ATTR_TYPE_INVALID;
    for (size_t k = 0; code == 0 && !found && k < 2; k++) {
        json_array_foreach(objs, i, o)
        {
            const char *cls = json_string_value(json_object_get(o, "CKA_CLASS"));
            const char *hex = json_string_value(json_object_get(o, "CKA_PUBLIC_KEY_INFO"));

            if (cls != NULL && strcmp(cls, classes[k]) == 0) {
                found = true; /* the first half found decides, as cli_key_find does */
                *rv = hex != NULL ? cli_hex_decode(hex, der, len) : FH_E_ATTR_TYPE_INVALID;
                break;
            }
        }
    }
    json_decref(objs);
    if (code == 0 && !found) {
        code = cli_fail(cmd, FH_E_KEY_HANDLE_INVALID, ": %s", t->key_spec);
    }
    if (code == 0 && *rv == FH_E_ARGS) {
        *rv = FH_E_ATTR_TYPE_INVALID; /* not hex: treat as absent */
    }
    return code;
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
    fh_rv rv = FH_OK;

    PARSE_OR_RETURN(&export_spec, &a);
    out_path = cli_arg(&a, "out");
    if (cli_remote_on()) {
        code = cli_target_select(&t, cmd, &a, CLI_T_KEY);
        if (code == 0) {
            code = remote_spki(cmd, &t, &der, &len, &rv);
        }
    } else {
        code = cli_target_open(&t, cmd, &a, CLI_T_LOGIN_LAZY | CLI_T_KEY);
        if (code == 0) {
            code = cli_key_find(&t, classes, 2, &h);
        }
        if (code == 0) {
            rv = fh_attr_read(t.s, h, CKA_PUBLIC_KEY_INFO, &der, &len);
        }
    }
    if (code != 0) {
        goto out;
    }
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
