/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_token.c - `ferrohsm token init|list|delete|set-pin|unlock`.
 *
 * PIN handling (docs/cli.md): the user PIN from --pin-file, FERROHSM_PIN or a
 * prompt; the SO PIN from --so-pin-file, FERROHSM_SO_PIN or a prompt; new
 * PINs (set-pin, unlock) from --new-pin-file, FERROHSM_NEW_PIN or a prompt
 * asked twice. token init sets new PINs too, so its prompts also ask twice.
 * Every PIN lives in an fh_secret and is freed (cleansed) as soon as the
 * core call that needs it returns.
 *
 * Remote mode (docs/cli.md): list, and init, delete, set-pin and unlock
 * through the server's token administration routes, with the same PIN
 * sources, the same checks before any prompt (label, existence), the same
 * output and exit codes. The PINs go only into the request body, whose
 * every copy the client cleanses (client_tokens.h).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/ferrohsm.h"

#include "args.h"
#include "exit.h"
#include "json.h"
#include "pin.h"
#include "remote.h"
#include "target.h"

#define OPT_PIN_FILE                                                                               \
    {                                                                                              \
        "pin-file", "FILE", "user PIN: first line of FILE (else FERROHSM_PIN, else a prompt)"      \
    }
#define OPT_SO_PIN_FILE                                                                            \
    {                                                                                              \
        "so-pin-file", "FILE", "SO PIN: first line of FILE (else FERROHSM_SO_PIN, else a prompt)"  \
    }
#define OPT_NEW_PIN_FILE                                                                           \
    {                                                                                              \
        "new-pin-file", "FILE",                                                                    \
            "new PIN: first line of FILE (else FERROHSM_NEW_PIN, else 2 prompts)"                  \
    }

static const struct cli_optdef init_opts[] = {
    {"label", "L", "label of the new token (1..32 bytes, unique)"},
    OPT_SO_PIN_FILE,
    OPT_PIN_FILE,
    {NULL, NULL, NULL},
};
static const struct cli_spec init_spec = {
    "token init",
    "--label L [--so-pin-file FILE] [--pin-file FILE]",
    "Create the store if needed and a token in it, with its SO PIN and user PIN.",
    "Prints \"token L initialised (serial S)\". Prompts ask for each new PIN twice.",
    init_opts,
};

static const struct cli_optdef list_opts[] = {
    {"json", NULL, "print a JSON array instead of text"},
    {NULL, NULL, NULL},
};
static const struct cli_spec list_spec = {
    "token list",
    "[--json]",
    "List tokens: label, serial, objects, user PIN state (ok/locked/not set), failed logins.",
    NULL,
    list_opts,
};

static const struct cli_optdef delete_opts[] = {
    {"label", "L", "label of the token to delete"},
    OPT_SO_PIN_FILE,
    {NULL, NULL, NULL},
};
static const struct cli_spec delete_spec = {
    "token delete",
    "--label L [--so-pin-file FILE]",
    "Delete a token and every object on it (needs the SO PIN).",
    NULL,
    delete_opts,
};

static const struct cli_optdef set_pin_opts[] = {
    {"token", "T", "token label"},
    {"so", NULL, "change the SO PIN instead of the user PIN"},
    OPT_PIN_FILE,
    OPT_SO_PIN_FILE,
    OPT_NEW_PIN_FILE,
    {NULL, NULL, NULL},
};
static const struct cli_spec set_pin_spec = {
    "token set-pin",
    "--token T [--so] [--pin-file FILE | --so-pin-file FILE] [--new-pin-file FILE]",
    "Change the user PIN (or with --so the SO PIN), proving the current one.",
    "A wrong current PIN counts as a failed login.",
    set_pin_opts,
};

static const struct cli_optdef unlock_opts[] = {
    {"token", "T", "token label"},
    OPT_SO_PIN_FILE,
    OPT_NEW_PIN_FILE,
    {NULL, NULL, NULL},
};
static const struct cli_spec unlock_spec = {
    "token unlock",
    "--token T [--so-pin-file FILE] [--new-pin-file FILE]",
    "As the SO, set a new user PIN and clear the user PIN lock.",
    NULL,
    unlock_opts,
};

static int
check_label(const char *cmd, const char *label)
{
    if (label == NULL) {
        return cli_usage_error(cmd, true, "missing --label");
    }
    if (label[0] == '\0' || strlen(label) > FH_TOKEN_LABEL_MAX) {
        return cli_usage_error(cmd, false, "token label must be 1..%d bytes", FH_TOKEN_LABEL_MAX);
    }
    return 0;
}

/* Parse the options, then a valid --label (init, delete). */
static int
label_begin(const struct cli_spec *spec, int argc, char **argv, struct cli_args *a,
            const char **label)
{
    int code = cli_args_parse(spec, argc, argv, a);

    if (code != 0) {
        return code;
    }
    *label = cli_arg(a, "label");
    return check_label(spec->cmd, *label);
}

/* Remote: "no such token: T" (exit 3), as locally, before any PIN is asked for. */
static int
remote_token_known(const char *cmd, const char *label)
{
    bool exists = false;
    int code = cli_remote_token_exists(cmd, label, &exists);

    if (code == 0 && !exists) {
        code = cli_fail_as(cmd, FH_E_NOT_FOUND, "no such token: %s", label);
    }
    return code;
}

static int
so_pin(const char *cmd, const struct cli_args *a, const char *label, bool confirm, fh_secret **out)
{
    char prompt[96];
    struct cli_pin_source src = {cli_arg(a, "so-pin-file"), "--so-pin-file", "FERROHSM_SO_PIN",
                                 prompt, confirm};

    snprintf(prompt, sizeof(prompt), "%sSO PIN for token %s: ", confirm ? "New " : "", label);
    return cli_pin_get(cmd, &src, out);
}

static int
user_pin(const char *cmd, const struct cli_args *a, const char *label, bool confirm,
         fh_secret **out)
{
    char prompt[96];
    struct cli_pin_source src = {cli_arg(a, "pin-file"), "--pin-file", "FERROHSM_PIN", prompt,
                                 confirm};

    snprintf(prompt, sizeof(prompt), "%s PIN for token %s: ", confirm ? "New user" : "User", label);
    return cli_pin_get(cmd, &src, out);
}

static int
new_pin(const char *cmd, const struct cli_args *a, const char *who, const char *label,
        fh_secret **out)
{
    char prompt[96];
    struct cli_pin_source src = {cli_arg(a, "new-pin-file"), "--new-pin-file", "FERROHSM_NEW_PIN",
                                 prompt, true};

    snprintf(prompt, sizeof(prompt), "New %s PIN for token %s: ", who, label);
    return cli_pin_get(cmd, &src, out);
}

/* ---- remote mode: the same steps, the server doing the store's part ---- */

static int
remote_init(const char *cmd, const struct cli_args *a, const char *label)
{
    struct fh_token_info info;
    fh_secret *so = NULL, *user = NULL;
    bool exists = false;
    int code;

    /* Refuse an existing label before asking for two PINs twice. */
    code = cli_remote_token_exists(cmd, label, &exists);
    if (code == 0 && exists) {
        code = cli_fail_as(cmd, FH_E_EXISTS, "token %s already exists", label);
    }
    if (code == 0) {
        code = so_pin(cmd, a, label, true, &so);
    }
    if (code == 0) {
        code = user_pin(cmd, a, label, true, &user);
    }
    if (code == 0) {
        code = cli_remote_token_init(cmd, label, so, user, &info);
    }
    fh_secret_free(user);
    fh_secret_free(so);
    if (code == 0) {
        printf("token %s initialised (serial %s)\n", label, info.serial);
    }
    return code;
}

static int
remote_delete(const char *cmd, const struct cli_args *a, const char *label)
{
    fh_secret *so = NULL;
    int code = remote_token_known(cmd, label);

    if (code == 0) {
        code = so_pin(cmd, a, label, false, &so);
    }
    if (code == 0) {
        code = cli_remote_token_delete(cmd, label, so);
    }
    fh_secret_free(so);
    if (code == 0) {
        printf("token %s deleted\n", label);
    }
    return code;
}

static int
remote_set_pin(const char *cmd, const struct cli_args *a, bool so)
{
    struct cli_target t;
    fh_secret *old = NULL, *pin = NULL;
    int code = cli_target_select(&t, cmd, a, 0);

    if (code != 0) {
        return code;
    }
    code = remote_token_known(cmd, t.token_label);
    if (code == 0) {
        code = so ? so_pin(cmd, a, t.token_label, false, &old)
                  : user_pin(cmd, a, t.token_label, false, &old);
    }
    if (code == 0) {
        code = new_pin(cmd, a, so ? "SO" : "user", t.token_label, &pin);
    }
    if (code == 0) {
        code = cli_remote_token_set_pin(cmd, t.token_label, so, old, pin);
    }
    fh_secret_free(pin);
    fh_secret_free(old);
    if (code == 0) {
        printf("%s PIN of token %s changed\n", so ? "SO" : "user", t.token_label);
    }
    cli_target_close(&t);
    return code;
}

/*
 * Locally the SO logs in before the new PIN is asked for; a request carries
 * both, so both are read first (a wrong SO PIN is reported the same way).
 */
static int
remote_unlock(const char *cmd, const struct cli_args *a)
{
    struct cli_target t;
    fh_secret *so = NULL, *pin = NULL;
    int code = cli_target_select(&t, cmd, a, 0);

    if (code != 0) {
        return code;
    }
    code = remote_token_known(cmd, t.token_label);
    if (code == 0) {
        code = so_pin(cmd, a, t.token_label, false, &so);
    }
    if (code == 0) {
        code = new_pin(cmd, a, "user", t.token_label, &pin);
    }
    if (code == 0) {
        code = cli_remote_token_unlock(cmd, t.token_label, so, pin);
    }
    fh_secret_free(pin);
    fh_secret_free(so);
    if (code == 0) {
        printf("user PIN of token %s reset and unlocked\n", t.token_label);
    }
    cli_target_close(&t);
    return code;
}

int
cmd_token_init(int argc, char **argv)
{
    const char *cmd = init_spec.cmd;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    fh_token *tok = NULL;
    fh_secret *so = NULL, *user = NULL;
    struct fh_token_info info;
    const char *label;
    int code;
    fh_rv rv;

    code = label_begin(&init_spec, argc, argv, &a, &label);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    if (cli_remote_on()) {
        return remote_init(cmd, &a, label);
    }
    code = cli_ctx_open(cmd, true, &ctx);
    if (code != 0) {
        return code;
    }
    /* Refuse an existing label before asking for two PINs twice. */
    rv = fh_token_open(ctx, label, &tok);
    if (rv == FH_OK) {
        code = cli_fail_as(cmd, FH_E_EXISTS, "token %s already exists", label);
        goto out;
    }
    if (rv != FH_E_NOT_FOUND) {
        code = cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(ctx));
        goto out;
    }
    code = so_pin(cmd, &a, label, true, &so);
    if (code != 0) {
        goto out;
    }
    code = user_pin(cmd, &a, label, true, &user);
    if (code != 0) {
        goto out;
    }
    rv = fh_token_create(ctx, label, so, user);
    fh_secret_free(so);
    fh_secret_free(user);
    so = user = NULL;
    if (rv == FH_E_EXISTS) {
        code = cli_fail_as(cmd, rv, "token %s already exists", label);
        goto out;
    }
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", label);
        goto out;
    }
    rv = fh_token_open(ctx, label, &tok);
    if (rv == FH_OK) {
        rv = fh_token_get_info(tok, &info);
    }
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s created; reading it back failed)", label);
        goto out;
    }
    printf("token %s initialised (serial %s)\n", label, info.serial);
out:
    fh_secret_free(user);
    fh_secret_free(so);
    fh_token_close(tok);
    fh_ctx_free(ctx);
    return code;
}

/* The `token list --json` array: one fh_shape_token per token. */
static json_t *
token_json(const struct fh_token_info *t, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, fh_shape_token(&t[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int
local_list(const char *cmd, fh_ctx **ctx, struct fh_token_info **t, size_t *n)
{
    int code = cli_ctx_open(cmd, false, ctx);
    fh_rv rv;

    if (code != 0) {
        return code;
    }
    rv = fh_token_list(*ctx, t, n);
    if (rv != FH_OK) {
        return cli_fail(cmd, rv, " (%s)", fh_ctx_store_location(*ctx));
    }
    return 0;
}

int
cmd_token_list(int argc, char **argv)
{
    const char *cmd = list_spec.cmd;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    struct fh_token_info *t = NULL;
    size_t n = 0;
    int code, w = 5;

    code = cli_args_parse(&list_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    if (cli_remote_on()) {
        code = cli_remote_token_list(cmd, &t, &n);
    } else {
        code = local_list(cmd, &ctx, &t, &n);
    }
    if (code != 0) {
        goto out;
    }
    if (cli_flag(&a, "json")) {
        code = cli_json_print(cmd, token_json(t, n));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(t[i].label);

        w = l > w ? l : w;
    }
    for (size_t i = 0; i < n; i++) {
        printf("%-*s  serial %s  objects %-5llu  user PIN %-8s  failures %u/%u%s\n", w, t[i].label,
               t[i].serial, (unsigned long long)t[i].object_count, fh_shape_user_pin(&t[i]),
               t[i].user_failures, t[i].max_failures, t[i].so_pin_locked ? "  SO PIN locked" : "");
    }
out:
    free(t);
    fh_ctx_free(ctx);
    return code;
}

int
cmd_token_delete(int argc, char **argv)
{
    const char *cmd = delete_spec.cmd;
    struct cli_args a;
    fh_ctx *ctx = NULL;
    fh_token *tok = NULL;
    fh_secret *so = NULL;
    const char *label;
    int code;
    fh_rv rv;

    code = label_begin(&delete_spec, argc, argv, &a, &label);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    if (cli_remote_on()) {
        return remote_delete(cmd, &a, label);
    }
    code = cli_ctx_open(cmd, false, &ctx);
    if (code != 0) {
        return code;
    }
    /* Say "no such token" before prompting for a PIN. */
    rv = fh_token_open(ctx, label, &tok);
    fh_token_close(tok);
    if (rv == FH_E_NOT_FOUND) {
        code = cli_fail_as(cmd, rv, "no such token: %s", label);
        goto out;
    }
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", label);
        goto out;
    }
    code = so_pin(cmd, &a, label, false, &so);
    if (code != 0) {
        goto out;
    }
    rv = fh_token_delete(ctx, label, so);
    if (rv == FH_E_NOT_FOUND) {
        code = cli_fail_as(cmd, rv, "no such token: %s", label);
        goto out;
    }
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", label);
        goto out;
    }
    printf("token %s deleted\n", label);
out:
    fh_secret_free(so);
    fh_ctx_free(ctx);
    return code;
}

int
cmd_token_set_pin(int argc, char **argv)
{
    const char *cmd = set_pin_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    fh_secret *old = NULL, *pin = NULL;
    bool so;
    int code;
    fh_rv rv;

    code = cli_args_parse(&set_pin_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    so = cli_flag(&a, "so");
    if (so && cli_arg(&a, "pin-file") != NULL) {
        return cli_usage_error(cmd, true,
                               "--pin-file is the user PIN; with --so use "
                               "--so-pin-file");
    }
    if (!so && cli_arg(&a, "so-pin-file") != NULL) {
        return cli_usage_error(cmd, true, "--so-pin-file needs --so");
    }
    if (cli_remote_on()) {
        return remote_set_pin(cmd, &a, so);
    }
    code = cli_target_open(&t, cmd, &a, 0);
    if (code != 0) {
        return code;
    }
    code = so ? so_pin(cmd, &a, t.token_label, false, &old)
              : user_pin(cmd, &a, t.token_label, false, &old);
    if (code != 0) {
        goto out;
    }
    code = new_pin(cmd, &a, so ? "SO" : "user", t.token_label, &pin);
    if (code != 0) {
        goto out;
    }
    rv = fh_token_set_pin(t.tok, so ? CKU_SO : CKU_USER, old, pin);
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", t.token_label);
        goto out;
    }
    printf("%s PIN of token %s changed\n", so ? "SO" : "user", t.token_label);
out:
    fh_secret_free(pin);
    fh_secret_free(old);
    cli_target_close(&t);
    return code;
}

int
cmd_token_unlock(int argc, char **argv)
{
    const char *cmd = unlock_spec.cmd;
    struct cli_args a;
    struct cli_target t;
    fh_secret *so = NULL, *pin = NULL;
    int code;
    fh_rv rv;

    code = cli_args_parse(&unlock_spec, argc, argv, &a);
    if (code != 0) {
        return code == CLI_ARGS_HELP ? 0 : code;
    }
    if (cli_remote_on()) {
        return remote_unlock(cmd, &a);
    }
    code = cli_target_open(&t, cmd, &a, CLI_T_RW);
    if (code != 0) {
        return code;
    }
    code = so_pin(cmd, &a, t.token_label, false, &so);
    if (code != 0) {
        goto out;
    }
    rv = fh_token_login(t.tok, CKU_SO, so);
    fh_secret_free(so);
    so = NULL;
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s, SO)", t.token_label);
        goto out;
    }
    code = new_pin(cmd, &a, "user", t.token_label, &pin);
    if (code != 0) {
        goto out;
    }
    rv = fh_token_init_pin(t.tok, pin);
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", t.token_label);
        goto out;
    }
    printf("user PIN of token %s reset and unlocked\n", t.token_label);
out:
    fh_secret_free(pin);
    fh_secret_free(so);
    cli_target_close(&t); /* logs the SO out */
    return code;
}
