/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_mech.c - `ferrohsm mechanisms`: the mechanism registry as filtered by
 * the configured backend (mech.h). Key sizes are reported in the units of
 * PKCS#11 C_GetMechanismInfo: bits for RSA, EC and Edwards keys, bytes for
 * AES and generic secrets; the output names the unit.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "json.h"
#include "target.h"

static const struct cli_optdef mech_opts[] = {
    {"json", NULL, "print a JSON array instead of text"},
    {NULL, NULL, NULL},
};
static const struct cli_spec mech_spec = {
    "mechanisms",
    "[--json]",
    "List the mechanisms available: name, minimum and maximum key size, operations.",
    "Names are the PKCS#11 names without CKM_; commands accept them in any case.",
    mech_opts,
};

static const struct {
    CK_FLAGS flag;
    const char *name;
} op_names[] = {
    {CKF_ENCRYPT, "encrypt"},   {CKF_DECRYPT, "decrypt"},
    {CKF_SIGN, "sign"},         {CKF_VERIFY, "verify"},
    {CKF_DIGEST, "digest"},     {CKF_WRAP, "wrap"},
    {CKF_UNWRAP, "unwrap"},     {CKF_DERIVE, "derive"},
    {CKF_GENERATE, "generate"}, {CKF_GENERATE_KEY_PAIR, "generate-key-pair"},
};

/* "bits", "bytes" or NULL (no key). */
static const char *
key_unit(const struct fh_mech_desc *d)
{
    if (d->n_key_types == 0) {
        return NULL;
    }
    if (d->key_types[0] == CKK_AES || d->key_types[0] == CKK_GENERIC_SECRET) {
        return "bytes";
    }
    return "bits";
}

static json_t *
mech_json(const fh_ctx *ctx)
{
    json_t *arr = json_array();
    int ok = arr != NULL;

    for (size_t i = 0; ok && i < fh_mech_count(ctx); i++) {
        const struct fh_mech_desc *d = fh_mech_at(ctx, i);
        json_t *o = json_object(), *ops = json_array();
        const char *unit = key_unit(d);

        if (o == NULL || ops == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(o);
            json_decref(ops);
            ok = 0;
            break;
        }
        for (size_t k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++) {
            if ((d->flags & op_names[k].flag) != 0 &&
                json_array_append_new(ops, json_string(op_names[k].name)) != 0) {
                ok = 0;
            }
        }
        cli_json_set(o, "name", json_string(d->name), &ok);
        cli_json_set(o, "min_key",
                     unit != NULL ? json_integer((json_int_t)d->min_key) : json_null(), &ok);
        cli_json_set(o, "max_key",
                     unit != NULL ? json_integer((json_int_t)d->max_key) : json_null(), &ok);
        cli_json_set(o, "key_unit", unit != NULL ? json_string(unit) : json_null(), &ok);
        cli_json_set(o, "operations", ops, &ok);
        cli_json_set(o, "multipart", json_boolean((d->fh_flags & FH_MECH_MULTIPART) != 0), &ok);
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

int
cmd_mechanisms(int argc, char **argv)
{
    const char *cmd = mech_spec.cmd;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    int code, w = 4;

    code = cli_args_parse(&mech_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    code = cli_ctx_open_registry(cmd, &ctx);
    if (code != 0) {
        return code;
    }
    if (cli_flag(&a, "json")) {
        code = cli_json_print(cmd, mech_json(ctx));
        goto out;
    }
    for (size_t i = 0; i < fh_mech_count(ctx); i++) {
        int l = (int)strlen(fh_mech_at(ctx, i)->name);

        w = l > w ? l : w;
    }
    for (size_t i = 0; i < fh_mech_count(ctx); i++) {
        const struct fh_mech_desc *d = fh_mech_at(ctx, i);
        const char *unit = key_unit(d);
        char sizes[48], ops[160] = "";
        size_t used = 0;

        if (unit != NULL) {
            snprintf(sizes, sizeof(sizes), "%lu-%lu %s", (unsigned long)d->min_key,
                     (unsigned long)d->max_key, unit);
        } else {
            snprintf(sizes, sizeof(sizes), "-");
        }
        for (size_t k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++) {
            if ((d->flags & op_names[k].flag) != 0 && used < sizeof(ops)) {
                int n = snprintf(ops + used, sizeof(ops) - used, "%s%s", used > 0 ? "," : "",
                                 op_names[k].name);
                used += n > 0 ? (size_t)n : 0;
            }
        }
        printf("%-*s  %-16s  %s%s\n", w, d->name, sizes, ops,
               (d->fh_flags & FH_MECH_MULTIPART) != 0 ? "  multipart" : "");
    }
out:
    fh_ctx_free(ctx);
    return code;
}
