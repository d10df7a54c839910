/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_audit.c - `ferrohsm audit list|verify`.
 *
 * Reading the audit log needs the store only: no token, no PIN (the records
 * hold no secret, audit.h). `audit list` collects every record before it
 * prints, so a store error half-way leaves stdout empty.
 */
#include "cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "json.h"
#include "remote.h"
#include "target.h"

static const struct cli_optdef list_opts[] = {
    {"json", NULL, "print a JSON array instead of text"},
    {"from", "SEQ", "first record to show (sequence number, default 1)"},
    {"limit", "N", "show at most N records (default: all)"},
    {NULL, NULL, NULL},
};
static const struct cli_spec list_spec = {
    "audit list",
    "[--json] [--from SEQ] [--limit N]",
    "List audit records: sequence, time (UTC), actor, front, operation, object, result.",
    NULL,
    list_opts,
};

static const struct cli_optdef verify_opts[] = {{NULL, NULL, NULL}};
static const struct cli_spec verify_spec = {
    "audit verify",
    "",
    "Check the hash chain of the whole audit log.",
    "Prints \"audit log verified: N records\" (exit 0); a broken chain exits 9 naming the\n"
    "first bad record.",
    verify_opts,
};

struct collect {
    json_t *arr;
    int ok;
};

/* One record as `audit list --json` shows it (the REC of GET /v1/audit). */
static fh_rv
collect_cb(void *arg, const struct fh_store_audit *r)
{
    struct collect *c = arg;

    if (json_array_append_new(c->arr, fh_shape_audit(r)) != 0) {
        c->ok = 0;
        return FH_E_NOMEM;
    }
    return FH_OK;
}

static int
print_text(const char *cmd, json_t *arr)
{
    char *text = NULL;
    size_t text_len = 0, i;
    FILE *mem = open_memstream(&text, &text_len);
    json_t *o;

    if (mem == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    json_array_foreach(arr, i, o)
    {
        const char *object = json_string_value(json_object_get(o, "object"));

        fprintf(mem, "%6lld  %s  %-20s  %-6s  %-16s  %-28s  %s\n",
                (long long)json_integer_value(json_object_get(o, "seq")),
                json_string_value(json_object_get(o, "time")),
                json_string_value(json_object_get(o, "actor")),
                json_string_value(json_object_get(o, "front")),
                json_string_value(json_object_get(o, "operation")),
                object != NULL && object[0] != '\0' ? object : "-",
                json_string_value(json_object_get(o, "result")));
    }
    if (fclose(mem) != 0) {
        free(text);
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    fwrite(text, 1, text_len, stdout);
    free(text);
    return 0;
}

static int
local_list(const char *cmd, int64_t from, uint64_t limit, fh_ctx **ctx, struct collect *c)
{
    int code = cli_ctx_open(cmd, false, ctx);
    fh_rv rv;

    if (code != 0) {
        return code;
    }
    c->arr = json_array();
    if (c->arr == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    rv = fh_audit_list(*ctx, from, (size_t)limit, collect_cb, c);
    if (rv != FH_OK) {
        return cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(*ctx));
    }
    return 0;
}

int
cmd_audit_list(int argc, char **argv)
{
    const char *cmd = list_spec.cmd;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    struct collect c = {NULL, 1};
    const char *from_s, *limit_s;
    uint64_t from = 1, limit = 0;
    int code;

    code = cli_args_parse(&list_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    from_s = cli_arg(&a, "from");
    limit_s = cli_arg(&a, "limit");
    if (from_s != NULL && cli_parse_u64(from_s, 1, INT64_MAX, &from) != FH_OK) {
        return cli_usage_error(cmd, false, "--from must be a sequence number >= 1, not '%s'",
                               from_s);
    }
    if (limit_s != NULL && cli_parse_u64(limit_s, 1, SIZE_MAX, &limit) != FH_OK) {
        return cli_usage_error(cmd, false, "--limit must be a number >= 1, not '%s'", limit_s);
    }
    if (cli_remote_on()) {
        code = cli_remote_audit_list(cmd, (int64_t)from, limit, &c.arr);
    } else {
        code = local_list(cmd, (int64_t)from, limit, &ctx, &c);
    }
    if (code != 0) {
        goto out;
    }
    if (cli_flag(&a, "json")) {
        code = cli_json_print(cmd, c.arr);
        c.arr = NULL;
    } else {
        code = print_text(cmd, c.arr);
    }
out:
    json_decref(c.arr);
    fh_ctx_free(ctx);
    return code;
}

int
cmd_audit_verify(int argc, char **argv)
{
    const char *cmd = verify_spec.cmd;
    struct cli_args a;
    struct fh_audit_verify_result res;
    fh_ctx *ctx = NULL;
    int code;
    fh_rv rv = FH_OK;

    code = cli_args_parse(&verify_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    memset(&res, 0, sizeof(res));
    if (cli_remote_on()) {
        code = cli_remote_audit_verify(cmd, &rv, &res);
    } else {
        code = cli_ctx_open(cmd, false, &ctx);
        if (code == 0) {
            rv = fh_audit_verify(ctx, &res);
        }
    }
    if (code != 0) {
        goto out;
    }
    if (rv == FH_OK) {
        printf("audit log verified: %" PRIu64 " records\n", res.records);
    } else if (rv == FH_E_AUDIT_BROKEN) {
        code = cli_fail_as(cmd, rv, "chain broken at record %" PRId64 " (%s)", res.first_bad_seq,
                           res.reason != NULL && res.reason[0] != '\0' ? res.reason
                                                                       : "unknown reason");
    } else {
        code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
    }
out:
    fh_ctx_free(ctx);
    return code;
}
