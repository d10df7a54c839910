/* SPDX-License-Identifier: Apache-2.0 */
/*
 * target.c - opening the context, token and session a command needs, the
 * user login, and finding the key --key names (see target.h).
 *
 * Key names (docs/cli.md): a label (CKA_LABEL), "id:HEX" (CKA_ID), or an
 * RFC 7512 URI whose token, object, id and type attributes select; a token
 * in the URI replaces --token; its serial, when given, must match.
 * manufacturer, model, library-* and slot-* are accepted and not checked:
 * the CLI talks to the store, not to a PKCS#11 slot, so there is nothing to
 * compare them with.
 *
 * The order is deliberate: the context and the token are opened before the
 * PIN is asked for, so "no such token" is reported without a prompt.
 */
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exit.h"
#include "pin.h"

/* Report a failed fh_ctx_new. */
static int
ctx_error(const char *cmd, fh_rv rv, bool create)
{
    const char *detail = fh_ctx_open_error();

    if (detail == NULL) {
        detail = "";
    }
    if (rv == FH_E_NOT_FOUND && !create) {
        return cli_fail_as(cmd, rv,
                           "no store yet at %s: run 'ferrohsm token init --label NAME' "
                           "first",
                           detail[0] != '\0' ? detail : "the default location");
    }
    if (detail[0] != '\0') {
        return cli_fail(cmd, rv, " (%s)", detail);
    }
    return cli_fail(cmd, rv, NULL);
}

int
cli_ctx_open(const char *cmd, bool create, fh_ctx **out)
{
    struct fh_ctx_options opt = {.conf_path = NULL, .front = "cli", .create = create};
    fh_rv rv = fh_ctx_new(&opt, out);

    return rv == FH_OK ? 0 : ctx_error(cmd, rv, create);
}

int
cli_ctx_open_registry(const char *cmd, fh_ctx **out)
{
    struct fh_ctx_options opt = {.conf_path = NULL, .front = "cli", .create = false};
    fh_rv rv = fh_ctx_new(&opt, out);

    if (rv == FH_E_NOT_FOUND) {
        /*
         * fh_mech_* needs a context and a context needs a store: with none
         * yet, create the (empty) store rather than refuse to list mechanisms.
         */
        opt.create = true;
        rv = fh_ctx_new(&opt, out);
    }
    return rv == FH_OK ? 0 : ctx_error(cmd, rv, opt.create);
}

static CK_OBJECT_CLASS
uri_class(enum cli_uri_type t, bool *has)
{
    *has = true;
    switch (t) {
    case CLI_URI_TYPE_PUBLIC: return CKO_PUBLIC_KEY;
    case CLI_URI_TYPE_PRIVATE: return CKO_PRIVATE_KEY;
    case CLI_URI_TYPE_SECRET: return CKO_SECRET_KEY;
    case CLI_URI_TYPE_CERT: return CKO_CERTIFICATE;
    case CLI_URI_TYPE_DATA: return CKO_DATA;
    case CLI_URI_TYPE_NONE: break;
    }
    *has = false;
    return 0;
}

/* Parse --key into the selector of t. */
static int
parse_key_spec(struct cli_target *t, const char *spec)
{
    char err[160];
    fh_rv rv;

    t->key_spec = spec;
    if (cli_uri_is_uri(spec)) {
        rv = cli_uri_parse(spec, strlen(spec), &t->uri, err, sizeof(err));
        if (rv == FH_E_NOMEM) {
            return cli_fail(t->cmd, rv, NULL);
        }
        if (rv != FH_OK) {
            return cli_usage_error(t->cmd, false, "bad key URI: %s", err);
        }
        if (t->uri.token.present) {
            t->token_label = t->uri.token.data;
        }
        if (t->uri.object.present) {
            t->has_label = true;
            t->label = t->uri.object.data;
            t->label_len = t->uri.object.len;
        }
        if (t->uri.id.present) {
            t->id = malloc(t->uri.id.len + 1);
            if (t->id == NULL) {
                return cli_fail(t->cmd, FH_E_NOMEM, NULL);
            }
            memcpy(t->id, t->uri.id.data, t->uri.id.len);
            t->id_len = t->uri.id.len;
            t->has_id = true;
        }
        t->cls = uri_class(t->uri.type, &t->has_class);
        return 0;
    }
    if (strncmp(spec, "id:", 3) == 0) {
        rv = cli_hex_decode(spec + 3, &t->id, &t->id_len);
        if (rv == FH_E_NOMEM) {
            return cli_fail(t->cmd, rv, NULL);
        }
        if (rv != FH_OK || t->id_len == 0) {
            return cli_usage_error(t->cmd, false, "bad key id '%s': expected id:HEX", spec);
        }
        t->has_id = true;
        return 0;
    }
    if (spec[0] == '\0') {
        return cli_usage_error(t->cmd, false, "empty --key");
    }
    t->has_label = true;
    t->label = spec;
    t->label_len = strlen(spec);
    return 0;
}

static int
login_user(struct cli_target *t, const struct cli_args *a)
{
    char prompt[96];
    struct cli_pin_source src = {
        .file = cli_arg(a, "pin-file"),
        .file_opt = "--pin-file",
        .env = "FERROHSM_PIN",
        .prompt = prompt,
        .confirm = false,
    };
    fh_secret *pin = NULL;
    int code;
    fh_rv rv;

    snprintf(prompt, sizeof(prompt), "User PIN for token %s: ", t->token_label);
    code = cli_pin_get(t->cmd, &src, &pin);
    if (code != 0) {
        return code;
    }
    rv = fh_token_login(t->tok, CKU_USER, pin);
    fh_secret_free(pin);
    if (rv != FH_OK) {
        return cli_fail(t->cmd, rv, " (token %s)", t->token_label);
    }
    return 0;
}

int
cli_target_select(struct cli_target *t, const char *cmd, const struct cli_args *a, unsigned flags)
{
    int code = 0;

    memset(t, 0, sizeof(*t));
    t->cmd = cmd;
    t->args = a;
    t->lazy_login = (flags & CLI_T_LOGIN_LAZY) != 0 && (flags & CLI_T_LOGIN) == 0;
    if ((flags & CLI_T_KEY) != 0) {
        const char *key = cli_arg(a, "key");

        if (key == NULL) {
            return cli_usage_error(cmd, true, "missing --key");
        }
        code = parse_key_spec(t, key);
        if (code != 0) {
            goto fail;
        }
    }
    if (t->token_label == NULL) {
        t->token_label = cli_arg(a, "token");
    }
    if (t->token_label == NULL) {
        code = cli_usage_error(cmd, true, "missing --token");
        goto fail;
    }
    return 0;
fail:
    cli_target_close(t);
    return code;
}

int
cli_target_open(struct cli_target *t, const char *cmd, const struct cli_args *a, unsigned flags)
{
    int code;
    fh_rv rv;

    code = cli_target_select(t, cmd, a, flags);
    if (code != 0) {
        return code;
    }
    code = cli_ctx_open(cmd, false, &t->ctx);
    if (code != 0) {
        goto fail;
    }
    rv = fh_token_open(t->ctx, t->token_label, &t->tok);
    if (rv == FH_E_NOT_FOUND) {
        code = cli_fail_as(cmd, rv, "no such token: %s", t->token_label);
        goto fail;
    }
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", t->token_label);
        goto fail;
    }
    if (t->uri.serial.present) {
        struct fh_token_info info;

        rv = fh_token_get_info(t->tok, &info);
        if (rv != FH_OK) {
            code = cli_fail(cmd, rv, " (token %s)", t->token_label);
            goto fail;
        }
        if (strcasecmp(info.serial, t->uri.serial.data) != 0) {
            code = cli_fail_as(cmd, FH_E_NOT_FOUND, "no such token: %s with serial %s",
                               t->token_label, t->uri.serial.data);
            goto fail;
        }
    }
    rv = fh_session_open(t->tok, (flags & CLI_T_RW) != 0, &t->s);
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, " (token %s)", t->token_label);
        goto fail;
    }
    if ((flags & CLI_T_LOGIN) != 0) {
        code = login_user(t, a);
        if (code != 0) {
            goto fail;
        }
    }
    return 0;
fail:
    cli_target_close(t);
    return code;
}

void
cli_target_close(struct cli_target *t)
{
    if (t == NULL) {
        return;
    }
    fh_session_close(t->s);
    fh_token_close(t->tok); /* logs out and wipes cached keys */
    fh_ctx_free(t->ctx);
    free(t->id);
    cli_uri_clear(&t->uri);
    memset(t, 0, sizeof(*t));
}

/* Find with the selector plus, when has_cls, CKA_CLASS = cls. */
static fh_rv
find(struct cli_target *t, bool has_cls, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE **out, size_t *count)
{
    CK_ATTRIBUTE tmpl[3];
    CK_ULONG n = 0;

    if (t->has_label) {
        tmpl[n++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)t->label, t->label_len};
    }
    if (t->has_id) {
        tmpl[n++] = (CK_ATTRIBUTE){CKA_ID, t->id, t->id_len};
    }
    if (has_cls) {
        tmpl[n++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
    }
    return fh_object_find(t->s, tmpl, n, out, count);
}

/* One class: 0 and *out when exactly one match, *count 0 for none; errors printed. */
static int
find_one(struct cli_target *t, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, size_t *count)
{
    CK_OBJECT_HANDLE *h = NULL;
    fh_rv rv = find(t, true, cls, &h, count);

    if (rv != FH_OK) {
        free(h);
        return cli_fail(t->cmd, rv, ": %s", t->key_spec);
    }
    if (*count > 1) {
        free(h);
        return cli_fail_as(t->cmd, FH_E_ARGS,
                           "key %s is ambiguous (%zu matches); use id: "
                           "or a URI",
                           t->key_spec, *count);
    }
    if (*count == 1) {
        *out = h[0];
    }
    free(h);
    return 0;
}

int
cli_key_find(struct cli_target *t, const CK_OBJECT_CLASS *classes, size_t n_classes,
             CK_OBJECT_HANDLE *out)
{
    size_t start = 0;
    int code;

    if (t->has_class) {
        classes = &t->cls;
        n_classes = 1;
    }
    if (t->lazy_login) {
        if (n_classes > 0 && classes[0] == CKO_PUBLIC_KEY) {
            size_t count = 0;

            code = find_one(t, CKO_PUBLIC_KEY, out, &count);
            if (code != 0 || count == 1) {
                return code;
            }
            start = 1;
        }
        if (start < n_classes) {
            code = login_user(t, t->args);
            if (code != 0) {
                return code;
            }
            t->lazy_login = false;
        }
    }
    for (size_t i = start; i < n_classes; i++) {
        size_t count = 0;

        code = find_one(t, classes[i], out, &count);
        if (code != 0 || count == 1) {
            return code;
        }
    }
    return cli_fail(t->cmd, FH_E_KEY_HANDLE_INVALID, ": %s", t->key_spec);
}

int
cli_key_find_all(struct cli_target *t, CK_OBJECT_HANDLE **out, size_t *count)
{
    CK_OBJECT_HANDLE *h = NULL;
    size_t n = 0;
    fh_rv rv = find(t, t->has_class, t->cls, &h, &n);

    if (rv != FH_OK) {
        free(h);
        return cli_fail(t->cmd, rv, ": %s", t->key_spec);
    }
    if (n == 0) {
        free(h);
        return cli_fail(t->cmd, FH_E_KEY_HANDLE_INVALID, ": %s", t->key_spec);
    }
    *out = h;
    *count = n;
    return 0;
}

