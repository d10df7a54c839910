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
#include "remote.h"
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

/*
 * Text output from the --json array, so that the local registry and a
 * server's answer print through the same lines: name, key sizes with their
 * unit, operations, "multipart".
 */
static void
print_text(json_t *arr)
{
    size_t i, k;
    json_t *o, *op;
    int w = 4;

    json_array_foreach(arr, i, o)
    {
        const char *name = json_string_value(json_object_get(o, "name"));
        int l = name != NULL ? (int)strlen(name) : 0;

        w = l > w ? l : w;
    }
    json_array_foreach(arr, i, o)
    {
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *unit = json_string_value(json_object_get(o, "key_unit"));
        char sizes[48], ops[160] = "";
        size_t used = 0;

        if (unit != NULL) {
            snprintf(sizes, sizeof(sizes), "%lu-%lu %s",
                     (unsigned long)json_integer_value(json_object_get(o, "min_key")),
                     (unsigned long)json_integer_value(json_object_get(o, "max_key")), unit);
        } else {
            snprintf(sizes, sizeof(sizes), "-");
        }
        json_array_foreach(json_object_get(o, "operations"), k, op)
        {
            if (json_is_string(op) && used < sizeof(ops)) {
                int n = snprintf(ops + used, sizeof(ops) - used, "%s%s", used > 0 ? "," : "",
                                 json_string_value(op));
                used += n > 0 ? (size_t)n : 0;
            }
        }
        printf("%-*s  %-16s  %s%s\n", w, name != NULL ? name : "?", sizes, ops,
               json_is_true(json_object_get(o, "multipart")) ? "  multipart" : "");
    }
}

int
cmd_mechanisms(int argc, char **argv)
{
    const char *cmd = mech_spec.cmd;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    json_t *arr = NULL;
    int code;

    code = cli_args_parse(&mech_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    if (cli_remote_on()) {
        code = cli_remote_mechanisms(cmd, &arr);
    } else {
        code = cli_ctx_open_registry(cmd, &ctx);
        if (code == 0) {
            arr = fh_shape_mechs(ctx);
            code = arr == NULL ? cli_fail(cmd, FH_E_NOMEM, NULL) : 0;
        }
    }
    if (code != 0) {
        goto out;
    }
    if (cli_flag(&a, "json")) {
        code = cli_json_print(cmd, arr);
        arr = NULL;
        goto out;
    }
    print_text(arr);
out:
    json_decref(arr);
    fh_ctx_free(ctx);
    return code;
}
