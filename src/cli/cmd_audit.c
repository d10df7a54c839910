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
#include <time.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "json.h"
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

/* ISO 8601 UTC with milliseconds: 2025-01-31T12:34:56.789Z */
static void
format_time(int64_t ms, char *buf, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    int frac = (int)(ms % 1000);
    struct tm tm;

    if (frac < 0) {
        frac += 1000;
        secs -= 1;
    }
    if (gmtime_r(&secs, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(buf, len, "@%" PRId64 "ms", ms);
        return;
    }
    snprintf(buf + strlen(buf), len - strlen(buf), ".%03dZ", frac);
}

struct collect {
    json_t *arr;
    int ok;
};

static const char *
nz(const char *s)
{
    return s != NULL ? s : "";
}

static fh_rv
collect_cb(void *arg, const struct fh_store_audit *r)
{
    struct collect *c = arg;
    json_t *o = json_object();
    char when[40];

    if (o == NULL || json_array_append_new(c->arr, o) != 0) {
        c->ok = 0;
        return FH_E_NOMEM;
    }
    format_time(r->time_ms, when, sizeof(when));
    cli_json_set(o, "seq", json_integer(r->seq), &c->ok);
    cli_json_set(o, "time", json_string(when), &c->ok);
    cli_json_set(o, "time_ms", json_integer(r->time_ms), &c->ok);
    cli_json_set(o, "actor", cli_json_text((const uint8_t *)nz(r->actor), strlen(nz(r->actor))),
                 &c->ok);
    cli_json_set(o, "front", cli_json_text((const uint8_t *)nz(r->front), strlen(nz(r->front))),
                 &c->ok);
    cli_json_set(o, "operation",
                 cli_json_text((const uint8_t *)nz(r->operation), strlen(nz(r->operation))),
                 &c->ok);
    cli_json_set(o, "object", cli_json_text((const uint8_t *)nz(r->object), strlen(nz(r->object))),
                 &c->ok);
    cli_json_set(o, "result", cli_json_text((const uint8_t *)nz(r->result), strlen(nz(r->result))),
                 &c->ok);
    cli_json_set(o, "corr_id",
                 cli_json_text((const uint8_t *)nz(r->corr_id), strlen(nz(r->corr_id))), &c->ok);
    cli_json_set(o, "prev_hash", cli_json_hex(r->prev_hash, FH_AUDIT_HASH_LEN), &c->ok);
    cli_json_set(o, "hash", cli_json_hex(r->hash, FH_AUDIT_HASH_LEN), &c->ok);
    return c->ok ? FH_OK : FH_E_NOMEM;
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
    fh_rv rv;

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
    code = cli_ctx_open(cmd, false, &ctx);
    if (code != 0) {
        return code;
    }
    c.arr = json_array();
    if (c.arr == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    rv = fh_audit_list(ctx, (int64_t)from, (size_t)limit, collect_cb, &c);
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
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
    fh_rv rv;

    code = cli_args_parse(&verify_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    code = cli_ctx_open(cmd, false, &ctx);
    if (code != 0) {
        return code;
    }
    memset(&res, 0, sizeof(res));
    rv = fh_audit_verify(ctx, &res);
    if (rv == FH_OK) {
        printf("audit log verified: %" PRIu64 " records\n", res.records);
    } else if (rv == FH_E_AUDIT_BROKEN) {
        code = cli_fail_as(cmd, rv, "chain broken at record %" PRId64 " (%s)", res.first_bad_seq,
                           res.reason != NULL && res.reason[0] != '\0' ? res.reason
                                                                       : "unknown reason");
    } else {
        code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
    }
    fh_ctx_free(ctx);
    return code;
}
