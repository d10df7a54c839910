/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_apikey.c - `ferrohsm apikey create|list|revoke`: the API keys of
 * ferrohsm-server (docs/api.md "Authentication"), managed on the local store.
 *
 * No PIN: these commands are for an administrator on the server machine,
 * and the store file's permissions (0600, its owner only) are what guards
 * them. The key string exists once, in create: it is printed, alone on the
 * first line of stdout (or in the "key" field of --json), and every buffer
 * that held it is cleansed; with --json, jansson's allocations are cleansed
 * on free too. Nothing else ever shows a key: list shows ids.
 *
 * --token may be given several times (the option parser takes each option
 * once, so its occurrences are collected before parsing).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "json.h"
#include "remote.h"
#include "target.h"

#define MAX_ARGS 64

static const struct cli_optdef create_opts[] = {
    {"name", "N", "unique name of the key (1..64 bytes, not 16 hex digits)"},
    {"role", "ROLE", "admin, operator, app or auditor"},
    {"token", "LABEL", "token in the key's scope; repeat for several; '*' for every token"},
    {"json", NULL, "print a JSON object (with the key) instead of text"},
    {NULL, NULL, NULL},
};
static const struct cli_spec create_spec = {
    "apikey create",
    "--name N --role admin|operator|app|auditor (--token LABEL [--token LABEL ...] | --token '*') "
    "[--json]",
    "Create an API key for ferrohsm-server and print it, once.",
    "The first line of standard output is the key alone (capture it with `head -1`); it is\n"
    "stored only as a hash and cannot be shown again. Needs no PIN: the store file's\n"
    "permissions guard it.",
    create_opts,
};

static const struct cli_optdef list_opts[] = {
    {"json", NULL, "print a JSON array instead of text"},
    {NULL, NULL, NULL},
};
static const struct cli_spec list_spec = {
    "apikey list",
    "[--json]",
    "List API keys: id, name, role, tokens, created (UTC), state; never the key itself.",
    NULL,
    list_opts,
};

static const struct cli_optdef revoke_opts[] = {
    {"key", "ID-or-NAME", "the API key to revoke, by id (16 hex digits) or name"},
    {NULL, NULL, NULL},
};
static const struct cli_spec revoke_spec = {
    "apikey revoke",
    "--key ID-or-NAME",
    "Revoke an API key: the server refuses it from its next request on.",
    "A revoked key stays in the list, marked revoked. Revoking it again changes nothing.",
    revoke_opts,
};

/* ---- jansson memory that is cleansed on free (the key goes through it) ---- */

static void *
cleansing_malloc(size_t n)
{
    size_t *p = malloc(sizeof(size_t) * 2 + n);

    if (p == NULL) {
        return NULL;
    }
    p[0] = n;
    return p + 2;
}

static void
cleansing_free(void *ptr)
{
    size_t *p = ptr;

    if (p == NULL) {
        return;
    }
    p -= 2;
    OPENSSL_cleanse(p, sizeof(size_t) * 2 + p[0]);
    free(p);
}

/* "demo,billing" or "*" into buf (labels hold no control characters); a
 * deleted token shows as "deleted:<serial>". */
static void
scope_text(const struct fh_apikey_info *k, char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    if (k->all_tokens) {
        snprintf(buf, len, "*");
        return;
    }
    for (size_t i = 0; i < k->n_tokens && off < len; i++) {
        char name[FH_TOKEN_LABEL_MAX + 1];
        int n = snprintf(buf + off, len - off, "%s%s", i > 0 ? "," : "",
                         fh_apikey_token_name(k, i, name, sizeof(name)));

        if (n < 0) {
            break;
        }
        off += (size_t)n;
    }
}

/*
 * Take every --token out of argv (before "--"), so that the parser sees the
 * rest. A --token without a value is left for the parser to report.
 */
static int
collect_tokens(const char *cmd, int argc, char **argv, char **rest, int *n_rest,
               const char **tokens, size_t *n_tokens)
{
    int n = 0;

    *n_tokens = 0;
    if (argc > MAX_ARGS) {
        return cli_usage_error(cmd, true, "too many arguments");
    }
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        const char *value = NULL;

        if (strcmp(w, "--") == 0) {
            while (i < argc) {
                rest[n++] = argv[i++];
            }
            break;
        }
        if (strncmp(w, "--token=", 8) == 0) {
            value = w + 8;
        } else if (strcmp(w, "--token") == 0 && i + 1 < argc) {
            value = argv[++i];
        } else if ((strcmp(w, "--name") == 0 || strcmp(w, "--role") == 0) && i + 1 < argc) {
            rest[n++] = argv[i++]; /* the next word is this option's value */
            rest[n++] = argv[i];
            continue;
        } else {
            rest[n++] = argv[i];
            continue;
        }
        if (*n_tokens == FH_APIKEY_MAX_TOKENS) {
            return cli_usage_error(cmd, false, "at most %d --token options",
                                   FH_APIKEY_MAX_TOKENS);
        }
        tokens[(*n_tokens)++] = value;
    }
    *n_rest = n;
    return 0;
}

/* Which requested token does not exist (for the message of FH_E_NOT_FOUND). */
static const char *
missing_token(fh_ctx *ctx, const char *const *tokens, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fh_token *tok = NULL;
        fh_rv rv = fh_token_open(ctx, tokens[i], &tok);

        fh_token_close(tok);
        if (rv == FH_E_NOT_FOUND) {
            return tokens[i];
        }
    }
    return NULL;
}

static int
check_create_args(const char *cmd, const char *name, const char *role_s, enum fh_role *role,
                  const char *const *tokens, size_t n_tokens, bool *all)
{
    if (name == NULL) {
        return cli_usage_error(cmd, true, "missing --name");
    }
    if (role_s == NULL) {
        return cli_usage_error(cmd, true, "missing --role");
    }
    if (fh_role_from_name(role_s, role) != FH_OK) {
        return cli_usage_error(cmd, false, "unknown role '%s' (admin, operator, app, auditor)",
                               role_s);
    }
    if (n_tokens == 0) {
        return cli_usage_error(cmd, true, "missing --token (a token label, or '*' for every token)");
    }
    *all = false;
    for (size_t i = 0; i < n_tokens; i++) {
        if (strcmp(tokens[i], "*") == 0) {
            *all = true;
        } else if (tokens[i][0] == '\0' || strlen(tokens[i]) > FH_TOKEN_LABEL_MAX) {
            return cli_usage_error(cmd, false, "token label must be 1..%d bytes",
                                   FH_TOKEN_LABEL_MAX);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(tokens[i], tokens[j]) == 0) {
                return cli_usage_error(cmd, false, "token %s given twice", tokens[i]);
            }
        }
    }
    if (*all && n_tokens > 1) {
        return cli_usage_error(cmd, false, "--token '*' cannot be combined with token labels");
    }
    return 0;
}

static int
print_created(const char *cmd, bool json, const char *key, const struct fh_apikey_info *info)
{
    json_t *o;
    char *text;
    int code = 0;

    if (!json) {
        printf("%s\n", key);
        goto note;
    }
    o = fh_shape_apikey(info);
    if (o != NULL && json_object_set_new(o, "key", json_string(key)) != 0) {
        json_decref(o);
        o = NULL;
    }
    if (o == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    /* not cli_json_print: the text comes from the cleansing allocator */
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (text == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        code = cli_fail_as(cmd, FH_E_IO, "cannot write to standard output");
    }
    cleansing_free(text);
    if (code != 0) {
        return code;
    }
note:
    (void)fflush(stdout);
    fprintf(stderr,
            "ferrohsm: API key %s (id %s, role %s) created; store the key now: "
            "it will not be shown again\n",
            info->name, info->id, fh_role_name(info->role));
    return 0;
}

int
cmd_apikey_create(int argc, char **argv)
{
    const char *cmd = create_spec.cmd;
    const char *tokens[FH_APIKEY_MAX_TOKENS];
    char *rest[MAX_ARGS];
    char key[FH_APIKEY_STRING_LEN];
    struct fh_apikey_info info;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    enum fh_role role = FH_ROLE_APP;
    const char *name;
    size_t n_tokens = 0;
    bool all = false;
    bool json;
    int n_rest = 0;
    int code;
    fh_rv rv;

    code = collect_tokens(cmd, argc, argv, rest, &n_rest, tokens, &n_tokens);
    if (code != 0) {
        return code;
    }
    code = cli_args_parse(&create_spec, n_rest, rest, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    name = cli_arg(&a, "name");
    code = check_create_args(cmd, name, cli_arg(&a, "role"), &role, tokens, n_tokens, &all);
    if (code != 0) {
        return code;
    }
    json = cli_flag(&a, "json");
    if (json) {
        json_set_alloc_funcs(cleansing_malloc, cleansing_free);
    }
    if (cli_remote_on()) {
        code = cli_remote_apikey_create(cmd, name, role, all, tokens, all ? 0 : n_tokens, key,
                                        sizeof(key), &info);
        if (code == 0) {
            code = print_created(cmd, json, key, &info);
        }
        OPENSSL_cleanse(key, sizeof(key));
        return code;
    }
    code = cli_ctx_open(cmd, false, &ctx);
    if (code != 0) {
        return code;
    }
    rv = fh_apikey_create(ctx, name, role, all, all ? NULL : tokens, all ? 0 : n_tokens, key,
                          &info);
    if (rv == FH_E_EXISTS) {
        code = cli_fail_as(cmd, rv, "an API key named %s already exists", name);
    } else if (rv == FH_E_NOT_FOUND) {
        const char *missing = missing_token(ctx, tokens, n_tokens);

        code = cli_fail_as(cmd, rv, "no such token: %s", missing != NULL ? missing : "?");
    } else if (rv == FH_E_ARGS) {
        code = cli_usage_error(cmd, false,
                               "invalid name (1..%d bytes of UTF-8, no control characters, "
                               "not 16 hex digits)",
                               FH_APIKEY_NAME_MAX);
    } else if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
    } else {
        code = print_created(cmd, json, key, &info);
    }
    OPENSSL_cleanse(key, sizeof(key));
    fh_ctx_free(ctx);
    return code;
}

int
cmd_apikey_list(int argc, char **argv)
{
    const char *cmd = list_spec.cmd;
    struct fh_apikey_info *v = NULL;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    size_t n = 0;
    int code;
    fh_rv rv;

    code = cli_args_parse(&list_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    if (cli_remote_on()) {
        code = cli_remote_apikey_list(cmd, &v, &n);
    } else {
        code = cli_ctx_open(cmd, false, &ctx);
        if (code == 0 && (rv = fh_apikey_list(ctx, &v, &n)) != FH_OK) {
            code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
        }
    }
    if (code != 0) {
        goto out;
    }
    if (cli_flag(&a, "json")) {
        json_t *arr = json_array();

        for (size_t i = 0; arr != NULL && i < n; i++) {
            if (json_array_append_new(arr, fh_shape_apikey(&v[i])) != 0) {
                json_decref(arr);
                arr = NULL;
            }
        }
        code = cli_json_print(cmd, arr);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char when[40], scope[FH_APIKEY_MAX_TOKENS * (FH_TOKEN_LABEL_MAX + 1) + 2];
        char name[FH_APIKEY_NAME_MAX + 1];

        fh_shape_time(v[i].created_ms, when, sizeof(when));
        scope_text(&v[i], scope, sizeof(scope));
        snprintf(name, sizeof(name), "%s", v[i].name);
        cli_sanitize(name);
        printf("%s  %-20s  %-8s  %-20s  %s  %s\n", v[i].id, name, fh_role_name(v[i].role),
               scope, when, v[i].revoked ? "revoked" : "active");
    }
out:
    free(v);
    fh_ctx_free(ctx);
    return code;
}

static void
print_revoked(const struct fh_apikey_info *info, bool already)
{
    printf("API key %s (id %s) %srevoked\n", info->name, info->id, already ? "was already " : "");
}

int
cmd_apikey_revoke(int argc, char **argv)
{
    const char *cmd = revoke_spec.cmd;
    struct fh_apikey_info info;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    const char *which;
    int code;
    fh_rv rv;

    code = cli_args_parse(&revoke_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    which = cli_arg(&a, "key");
    if (which == NULL) {
        return cli_usage_error(cmd, true, "missing --key");
    }
    if (which[0] == '\0') {
        return cli_usage_error(cmd, false, "--key must name an API key (id or name)");
    }
    if (cli_remote_on()) {
        bool was_revoked = false;

        code = cli_remote_apikey_revoke(cmd, which, &info, &was_revoked);
        if (code == 0) {
            print_revoked(&info, was_revoked);
        }
        return code;
    }
    code = cli_ctx_open(cmd, false, &ctx);
    if (code != 0) {
        return code;
    }
    rv = fh_apikey_get(ctx, which, &info);
    if (rv == FH_OK && info.revoked) {
        print_revoked(&info, true);
        goto out;
    }
    if (rv == FH_OK) {
        rv = fh_apikey_revoke(ctx, info.id);
    }
    if (rv == FH_E_NOT_FOUND) {
        code = cli_fail_as(cmd, rv, "no such API key: %s", which);
    } else if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
    } else {
        print_revoked(&info, false);
    }
out:
    fh_ctx_free(ctx);
    return code;
}
