/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote.c - the CLI's remote mode (see remote.h): global options, the one
 * REST client a command uses, error translation, and one function per
 * command that fetches what the local path would have computed.
 *
 * Errors: the server's stable code becomes an fh_rv (src/client/
 * client_err.c) and is printed through the same cli_fail/cli_fail_as calls,
 * with the same context, as the local path uses; so "ferrohsm: sign: no
 * such key: k9" and its exit code 3 read the same either way. Failures the
 * local path cannot have (server unreachable, TLS not trusted, API key
 * refused) get one line of their own naming the server URL (which cannot
 * hold user info: fh_client_url_check refuses it). The API key never
 * appears in any message.
 *
 * The API key comes from FERROHSM_API_KEY or the first line of
 * --api-key-file FILE, never from argv; it is held in the OpenSSL secure
 * heap only while the client is created (the client keeps its own cleansed
 * copy).
 */
#include "remote.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client.h"
#include "client_b64.h"
#include "client_tokens.h"
#include "client_url.h"
#include "exit.h"
#include "io.h"
#include "json.h"

#define API_KEY_FILE_MAX 4096
#define KEY_PAGE "1000" /* docs/api.md: limit 1..1000 */

static struct {
    const char *server;
    const char *api_key_file;
    const char *cacert;
    const char *pin;
} opt;

/* ---- global options ---- */

static const char *const global_names[] = {"server", "api-key-file", "cacert", "server-pin"};

static const char **
global_slot(size_t i)
{
    switch (i) {
    case 0: return &opt.server;
    case 1: return &opt.api_key_file;
    case 2: return &opt.cacert;
    default: return &opt.pin;
    }
}

int
cli_remote_global_options(int *argc, char ***argv)
{
    char **av = *argv;
    int ac = *argc, i = 1;

    while (i < ac && strncmp(av[i], "--", 2) == 0) {
        const char *w = av[i] + 2, *eq = strchr(w, '=');
        size_t len = eq != NULL ? (size_t)(eq - w) : strlen(w);
        size_t k;

        for (k = 0; k < sizeof(global_names) / sizeof(global_names[0]); k++) {
            if (strlen(global_names[k]) == len && strncmp(global_names[k], w, len) == 0) {
                break;
            }
        }
        if (k == sizeof(global_names) / sizeof(global_names[0])) {
            break; /* --help, --version or an unknown option: the dispatcher's */
        }
        if (eq != NULL) {
            *global_slot(k) = eq + 1;
            i++;
        } else if (i + 1 < ac) {
            *global_slot(k) = av[i + 1];
            i += 2;
        } else {
            fprintf(stderr, "ferrohsm: option --%s needs a value (see 'ferrohsm --help')\n",
                    global_names[k]);
            return CLI_EXIT_USAGE;
        }
    }
    if (opt.server == NULL) {
        opt.server = getenv("FERROHSM_SERVER");
    }
    if (opt.cacert == NULL) {
        opt.cacert = getenv("FERROHSM_CACERT");
    }
    if (opt.pin == NULL) {
        opt.pin = getenv("FERROHSM_SERVER_PIN");
    }
    if (opt.cacert != NULL && opt.cacert[0] == '\0') {
        opt.cacert = NULL;
    }
    if (opt.pin != NULL && opt.pin[0] == '\0') {
        opt.pin = NULL;
    }
    /* drop the consumed words, keeping argv[0] in front */
    av[i - 1] = av[0];
    *argv = av + (i - 1);
    *argc = ac - (i - 1);
    return 0;
}

bool
cli_remote_on(void)
{
    return opt.server != NULL && opt.server[0] != '\0';
}

/* ---- the client ---- */

/* The API key in secure memory (first line of the file, or the variable). */
static int
api_key_get(const char *cmd, char **out, size_t *cap)
{
    const char *env = getenv("FERROHSM_API_KEY");
    uint8_t *file = NULL;
    size_t flen = 0, n;
    const char *src;
    char *k;

    if (opt.api_key_file != NULL) {
        fh_rv rv = cli_read_all(opt.api_key_file, API_KEY_FILE_MAX, &file, &flen);

        if (rv != FH_OK) {
            return cli_fail_file(cmd, rv, opt.api_key_file, errno, false, API_KEY_FILE_MAX);
        }
        src = (const char *)file;
        n = 0;
        while (n < flen && file[n] != '\n' && file[n] != '\0') {
            n++;
        }
        if (n > 0 && file[n - 1] == '\r') {
            n--;
        }
    } else if (env != NULL && env[0] != '\0') {
        src = env;
        n = strlen(env);
    } else {
        return cli_fail_as(cmd, FH_E_ARGS,
                           "no API key for the server: set FERROHSM_API_KEY or use "
                           "--api-key-file FILE");
    }
    k = OPENSSL_secure_zalloc(n + 1);
    if (k == NULL) {
        cli_free_cleanse(file, flen);
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    memcpy(k, src, n);
    cli_free_cleanse(file, flen);
    *out = k;
    *cap = n + 1;
    return 0;
}

static int
client_open(const char *cmd, fh_client **out)
{
    struct fh_client_opts o = {
        .url = opt.server,
        .cacert = opt.cacert,
        .pin = opt.pin,
        .front = "ferrohsm-cli/" FH_VERSION_STRING,
    };
    char why[160] = "", *key = NULL;
    size_t key_cap = 0;
    bool https = false;
    int code;
    fh_rv rv;

    /* a bad URL is reported before the API key is looked for */
    if (fh_client_url_check(opt.server, &https, why, sizeof(why)) != FH_OK) {
        return cli_usage_error(cmd, false, "bad server URL: %s", why);
    }
    if (opt.pin != NULL && fh_client_pin_check(opt.pin) != FH_OK) {
        return cli_usage_error(cmd, false,
                               "bad --server-pin: expected sha256// and the base64 of a "
                               "32-byte SHA-256 (as the server prints it)");
    }
    code = api_key_get(cmd, &key, &key_cap);
    if (code != 0) {
        return code;
    }
    o.api_key = key;
    rv = fh_client_new(&o, out, why, sizeof(why));
    OPENSSL_secure_clear_free(key, key_cap);
    if (rv == FH_E_NOMEM) {
        return cli_fail(cmd, rv, NULL);
    }
    if (rv != FH_OK) {
        return cli_usage_error(cmd, false, "server options: %s", why);
    }
    return 0;
}

/* ---- errors ---- */

/* What the local path would name in its message for each kind of failure. */
struct rerr {
    const char *token;  /* "no such token: T" */
    const char *key;    /* "no such key: K" */
    const char *what;   /* " (CONTEXT)" after the fh_rv message */
    const char *apikey; /* "no such API key: A", "an API key named A already exists" */
};

static int
remote_fail(const char *cmd, const fh_client *c, const struct fh_client_resp *r,
            const struct rerr *e)
{
    const char *url = fh_client_url(c);

    switch (r->fail) {
    case FH_CLIENT_FAIL_NONE: break;
    case FH_CLIENT_FAIL_CONNECT:
        return cli_fail_as(cmd, FH_E_IO, "cannot reach server %s: %s", url, r->message);
    case FH_CLIENT_FAIL_TLS:
        return cli_fail_as(cmd, FH_E_AUTH_FAILED,
                           "server %s not trusted (TLS): %s; nothing was sent", url, r->message);
    case FH_CLIENT_FAIL_TIMEOUT:
        return cli_fail_as(cmd, FH_E_IO, "server %s did not answer in time", url);
    case FH_CLIENT_FAIL_PROTOCOL:
    case FH_CLIENT_FAIL_OTHER:
        return cli_fail_as(cmd, FH_E_IO, "bad exchange with server %s: %s", url, r->message);
    }
    if (strcmp(r->code, "token_not_found") == 0 && e->token != NULL) {
        return cli_fail_as(cmd, r->rv, "no such token: %s", e->token);
    }
    if (strcmp(r->code, "key_not_found") == 0 && e->key != NULL) {
        return cli_fail(cmd, r->rv, ": %s", e->key);
    }
    if (strcmp(r->code, "key_ambiguous") == 0 && e->key != NULL) {
        return cli_fail_as(cmd, r->rv, "key %s is ambiguous; use id: or a URI", e->key);
    }
    if (strcmp(r->code, "token_not_found") == 0) {
        return cli_fail_as(cmd, r->rv, "%s", r->message); /* the server names the token */
    }
    if (strcmp(r->code, "apikey_not_found") == 0 && e->apikey != NULL) {
        return cli_fail_as(cmd, r->rv, "no such API key: %s", e->apikey);
    }
    if (strcmp(r->code, "apikey_exists") == 0 && e->apikey != NULL) {
        return cli_fail_as(cmd, r->rv, "an API key named %s already exists", e->apikey);
    }
    if (strcmp(r->code, "not_found") == 0) {
        /* an unknown route: this server does not offer the operation */
        return cli_fail_as(cmd, r->rv, "server %s: %s", url, r->message);
    }
    if (strcmp(r->code, "unauthenticated") == 0) {
        return cli_fail(cmd, r->rv, " (server %s)", url);
    }
    if (strcmp(r->code, "rate_limited") == 0) {
        return cli_fail_as(cmd, r->rv, "server %s: too many failed authentications; retry later",
                           url);
    }
    if (strcmp(r->code, "forbidden") == 0) {
        return cli_fail(cmd, r->rv, " (server %s)", url);
    }
    if (strcmp(r->code, "token_locked") == 0 && e->token != NULL) {
        return cli_fail_as(cmd, r->rv, "token %s is not unlocked on server %s", e->token, url);
    }
    if (r->status == 400 && (strcmp(r->code, "bad_json") == 0 ||
                             strcmp(r->code, "bad_request") == 0)) {
        return cli_fail_as(cmd, r->rv, "server %s refused the request: %s", url, r->message);
    }
    if (r->fail == FH_CLIENT_FAIL_NONE && r->status >= 500) {
        return cli_fail(cmd, r->rv, " (server %s, request %s)", url,
                        r->request_id[0] != '\0' ? r->request_id : "?");
    }
    if (e->what != NULL) {
        return cli_fail(cmd, r->rv, " (%s)", e->what);
    }
    return cli_fail(cmd, r->rv, ": %s", r->message);
}

/*
 * One request. On success resp holds the answer (clear it); on failure the
 * error line is printed, resp is cleared and the exit code returned.
 */
static int
call(const char *cmd, fh_client *c, const char *method, const char *path, json_t *body,
     const struct rerr *e, struct fh_client_resp *resp)
{
    int code = 0;

    if (path == NULL) {
        memset(resp, 0, sizeof(*resp));
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    if (fh_client_request(c, method, path, body, resp) != FH_OK) {
        code = remote_fail(cmd, c, resp, e);
        fh_client_resp_clear(resp);
    }
    return code;
}

/* A protocol violation: an answer without the field the contract promises. */
static int
bad_answer(const char *cmd, const fh_client *c, const char *what)
{
    return cli_fail_as(cmd, FH_E_IO, "bad answer from server %s: %s", fh_client_url(c), what);
}

/* Decode the base64 string member field of obj into a malloc'ed buffer. */
static int
b64_field(const char *cmd, const fh_client *c, json_t *obj, const char *field, size_t max,
          uint8_t **out, size_t *len)
{
    json_t *v = json_object_get(obj, field);
    fh_rv rv;

    if (!json_is_string(v)) {
        return bad_answer(cmd, c, field);
    }
    rv = fh_client_b64_decode(json_string_value(v), json_string_length(v), max, out, len);
    if (rv == FH_E_NOMEM) {
        return cli_fail(cmd, rv, NULL);
    }
    if (rv != FH_OK) {
        return bad_answer(cmd, c, field);
    }
    return 0;
}

json_t *
cli_remote_b64(const uint8_t *p, size_t n)
{
    char *s = NULL;
    json_t *j;

    if (fh_client_b64_encode(p, n, &s) != FH_OK) {
        return NULL;
    }
    j = json_string(s);
    OPENSSL_cleanse(s, strlen(s));
    free(s);
    return j;
}

json_t *
cli_json_pick(json_t *obj, const char *const *keys)
{
    json_t *o = json_object();

    for (size_t i = 0; o != NULL && keys[i] != NULL; i++) {
        json_t *v = json_object_get(obj, keys[i]);

        /*
         * A deep copy: the response's strings are cleansed in place when it
         * is released (fh_client_resp_clear), so nothing may be shared.
         */
        if (v != NULL && json_object_set_new(o, keys[i], json_deep_copy(v)) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

/* The key reference of the path: "id:HEX" when the selector has an id, else the label. */
static char *
key_ref(const struct cli_target *t)
{
    char *ref;

    if (t->has_id) {
        char *hex = cli_hex_encode(t->id, t->id_len);
        size_t n = hex != NULL ? strlen(hex) + 4 : 0;

        ref = hex != NULL ? malloc(n) : NULL;
        if (ref != NULL) {
            snprintf(ref, n, "id:%s", hex);
        }
        free(hex);
        return ref;
    }
    return strndup(t->label, t->label_len);
}

/* ---- tokens ---- */

static fh_rv
token_from_json(json_t *o, struct fh_token_info *t)
{
    const char *label = json_string_value(json_object_get(o, "label"));
    const char *serial = json_string_value(json_object_get(o, "serial"));
    const char *pin = json_string_value(json_object_get(o, "user_pin"));

    if (label == NULL || serial == NULL || pin == NULL || strlen(label) > FH_TOKEN_LABEL_MAX) {
        return FH_E_DATA_INVALID;
    }
    memset(t, 0, sizeof(*t));
    snprintf(t->label, sizeof(t->label), "%s", label);
    snprintf(t->serial, sizeof(t->serial), "%s", serial);
    t->object_count = (uint64_t)json_integer_value(json_object_get(o, "objects"));
    t->user_pin_initialized = strcmp(pin, "not set") != 0;
    t->user_pin_locked = strcmp(pin, "locked") == 0;
    t->user_failures = (uint32_t)json_integer_value(json_object_get(o, "user_failures"));
    t->so_pin_locked = json_is_true(json_object_get(o, "so_pin_locked"));
    t->so_failures = (uint32_t)json_integer_value(json_object_get(o, "so_failures"));
    t->max_failures = (uint32_t)json_integer_value(json_object_get(o, "max_failures"));
    return FH_OK;
}

int
cli_remote_token_list(const char *cmd, struct fh_token_info **out, size_t *n)
{
    struct rerr e = {NULL, NULL, NULL, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    struct fh_token_info *t = NULL;
    json_t *arr;
    size_t count;
    int code;

    code = client_open(cmd, &c);
    if (code != 0) {
        return code;
    }
    code = call(cmd, c, "GET", "/v1/tokens", NULL, &e, &r);
    if (code != 0) {
        goto out;
    }
    arr = json_object_get(r.json, "tokens");
    if (!json_is_array(arr)) {
        code = bad_answer(cmd, c, "tokens");
        goto out;
    }
    count = json_array_size(arr);
    t = calloc(count > 0 ? count : 1, sizeof(*t));
    if (t == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        if (token_from_json(json_array_get(arr, i), &t[i]) != FH_OK) {
            code = bad_answer(cmd, c, "tokens");
            goto out;
        }
    }
    *out = t;
    *n = count;
    t = NULL;
out:
    free(t);
    fh_client_resp_clear(&r);
    fh_client_free(c);
    return code;
}

int
cli_remote_token_exists(const char *cmd, const char *label, bool *exists)
{
    struct fh_token_info *t = NULL;
    size_t n = 0;
    int code = cli_remote_token_list(cmd, &t, &n);

    *exists = false;
    for (size_t i = 0; code == 0 && i < n; i++) {
        *exists = *exists || strcmp(t[i].label, label) == 0;
    }
    free(t);
    return code;
}

/*
 * The error line of a failed token administration request: what the local
 * command prints for the same condition. A PIN that could not be sent
 * (not UTF-8) is a usage error; "no such token" and "already exists" read
 * as locally; the rest is the fh_rv's message with the local context.
 */
static int
token_fail(const char *cmd, const fh_client *c, const struct fh_client_resp *r, const char *label,
           const char *what)
{
    struct rerr e = {label, NULL, what, NULL};

    if (r->status == 0 && r->fail == FH_CLIENT_FAIL_OTHER && r->rv == FH_E_ARGS) {
        return cli_fail_as(cmd, FH_E_ARGS, "%s", r->message);
    }
    if (r->fail == FH_CLIENT_FAIL_NONE && strcmp(r->code, "token_exists") == 0) {
        return cli_fail_as(cmd, r->rv, "token %s already exists", label);
    }
    return remote_fail(cmd, c, r, &e);
}

int
cli_remote_token_init(const char *cmd, const char *label, const fh_secret *so,
                      const fh_secret *user, struct fh_token_info *info)
{
    struct fh_client_resp r;
    fh_client *c = NULL;
    char what[FH_TOKEN_LABEL_MAX + 8];
    int code = client_open(cmd, &c);

    if (code != 0) {
        return code;
    }
    snprintf(what, sizeof(what), "token %s", label);
    if (fh_client_token_create(c, label, so, user, &r) != FH_OK) {
        code = token_fail(cmd, c, &r, label, what);
    } else if (token_from_json(json_object_get(r.json, "token"), info) != FH_OK) {
        code = bad_answer(cmd, c, "token");
    }
    fh_client_resp_clear(&r);
    fh_client_free(c);
    return code;
}

int
cli_remote_token_delete(const char *cmd, const char *label, const fh_secret *so)
{
    struct fh_client_resp r;
    fh_client *c = NULL;
    char what[FH_TOKEN_LABEL_MAX + 8];
    int code = client_open(cmd, &c);

    if (code != 0) {
        return code;
    }
    snprintf(what, sizeof(what), "token %s", label);
    if (fh_client_token_delete(c, label, so, &r) != FH_OK) {
        code = token_fail(cmd, c, &r, label, what);
    }
    fh_client_resp_clear(&r);
    fh_client_free(c);
    return code;
}

int
cli_remote_token_set_pin(const char *cmd, const char *label, bool so, const fh_secret *old,
                         const fh_secret *pin)
{
    struct fh_client_resp r;
    fh_client *c = NULL;
    char what[FH_TOKEN_LABEL_MAX + 8];
    int code = client_open(cmd, &c);

    if (code != 0) {
        return code;
    }
    snprintf(what, sizeof(what), "token %s", label);
    if (fh_client_token_set_pin(c, label, so, old, pin, &r) != FH_OK) {
        code = token_fail(cmd, c, &r, label, what);
    }
    fh_client_resp_clear(&r);
    fh_client_free(c);
    return code;
}

int
cli_remote_token_unlock(const char *cmd, const char *label, const fh_secret *so,
                        const fh_secret *pin)
{
    struct fh_client_resp r;
    fh_client *c = NULL;
    char what[FH_TOKEN_LABEL_MAX + 12];
    int code = client_open(cmd, &c);

    if (code != 0) {
        return code;
    }
    if (fh_client_token_unlock(c, label, so, pin, &r) != FH_OK) {
        /* locally the SO login's failures say ", SO"; the new PIN's do not */
        bool new_pin = strcmp(r.code, "pin_len_range") == 0;

        snprintf(what, sizeof(what), "token %s%s", label, new_pin ? "" : ", SO");
        code = token_fail(cmd, c, &r, label, what);
    }
    fh_client_resp_clear(&r);
    fh_client_free(c);
    return code;
}

/* ---- keys ---- */

void
cli_key_rows_free(struct cli_key_row *r, size_t n)
{
    for (size_t i = 0; r != NULL && i < n; i++) {
        free(r[i].label);
        free(r[i].id_hex);
    }
    free(r);
}

/* The static spelling of a string the server sent, among the known ones. */
static const char *
known(const char *s, const char *const *names, const char *def)
{
    for (size_t i = 0; s != NULL && names[i] != NULL; i++) {
        if (strcmp(s, names[i]) == 0) {
            return names[i];
        }
    }
    return def;
}

static fh_rv
row_from_json(json_t *o, struct cli_key_row *r)
{
    static const char *const classes[] = {"public", "private", "secret", NULL};
    static const char *const types[] = {"rsa", "ec", "ec-edwards", "aes", "generic-secret", NULL};
    const struct fh_curve_desc *curve =
        fh_curve_find(json_string_value(json_object_get(o, "curve")));
    const char *label = json_string_value(json_object_get(o, "label"));
    const char *id = json_string_value(json_object_get(o, "id"));

    r->cls = known(json_string_value(json_object_get(o, "class")), classes, NULL);
    r->type = known(json_string_value(json_object_get(o, "type")), types, "unknown");
    r->curve = curve != NULL ? curve->name : NULL; /* the library's static spelling */
    r->bits = (unsigned)json_integer_value(json_object_get(o, "bits"));
    if (r->cls == NULL || label == NULL || id == NULL) {
        return FH_E_DATA_INVALID;
    }
    r->label_len = strlen(label);
    r->label = (uint8_t *)strdup(label);
    r->id_hex = strdup(id);
    return r->label != NULL && r->id_hex != NULL ? FH_OK : FH_E_NOMEM;
}

int
cli_remote_key_list(const char *cmd, const struct cli_target *t, struct cli_key_row **out,
                    size_t *n)
{
    struct rerr e = {t->token_label, NULL, NULL, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    struct cli_key_row *rows = NULL;
    size_t m = 0, cap = 0;
    char *after = NULL;
    int code;

    memset(&r, 0, sizeof(r));
    code = client_open(cmd, &c);
    if (code != 0) {
        return code;
    }
    for (;;) {
        char *path = after == NULL
                         ? fh_client_pathf("/v1/tokens/{}/keys?limit=" KEY_PAGE, t->token_label)
                         : fh_client_pathf("/v1/tokens/{}/keys?limit=" KEY_PAGE "&after={}",
                                           t->token_label, after);
        json_t *keys, *next, *o;
        size_t i;

        code = call(cmd, c, "GET", path, NULL, &e, &r);
        free(path);
        if (code != 0) {
            goto out;
        }
        keys = json_object_get(r.json, "keys");
        if (!json_is_array(keys)) {
            code = bad_answer(cmd, c, "keys");
            goto out;
        }
        json_array_foreach(keys, i, o)
        {
            fh_rv rv;

            if (m == cap) {
                struct cli_key_row *nr = realloc(rows, (cap > 0 ? 2 * cap : 16) * sizeof(*nr));

                if (nr == NULL) {
                    code = cli_fail(cmd, FH_E_NOMEM, NULL);
                    goto out;
                }
                rows = nr;
                cap = cap > 0 ? 2 * cap : 16;
            }
            memset(&rows[m], 0, sizeof(rows[m]));
            rv = row_from_json(o, &rows[m]);
            m++;
            if (rv != FH_OK) {
                code = rv == FH_E_NOMEM ? cli_fail(cmd, rv, NULL) : bad_answer(cmd, c, "keys");
                goto out;
            }
        }
        next = json_object_get(r.json, "next");
        free(after);
        after = NULL;
        if (json_is_string(next)) {
            after = strdup(json_string_value(next));
        } else if (json_is_integer(next)) {
            char buf[32];

            snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(next));
            after = strdup(buf);
        }
        fh_client_resp_clear(&r);
        if (after == NULL) {
            break;
        }
    }
    *out = rows;
    *n = m;
    rows = NULL;
out:
    free(after);
    cli_key_rows_free(rows, m);
    fh_client_resp_clear(&r);
    fh_client_free(c);
    return code;
}

/* The CKA_CLASS name a URI type= selects, or NULL. */
static const char *
class_filter(const struct cli_target *t)
{
    if (!t->has_class) {
        return NULL;
    }
    switch (t->cls) {
    case CKO_PUBLIC_KEY: return "CKO_PUBLIC_KEY";
    case CKO_PRIVATE_KEY: return "CKO_PRIVATE_KEY";
    case CKO_SECRET_KEY: return "CKO_SECRET_KEY";
    case CKO_CERTIFICATE: return "CKO_CERTIFICATE";
    default: return "CKO_DATA";
    }
}

/* GET the key with an open client; *objects is a new reference. */
static int
key_objects(const char *cmd, fh_client *c, const struct cli_target *t, json_t **objects)
{
    struct rerr e = {t->token_label, t->key_spec, NULL, NULL};
    struct fh_client_resp r;
    char *ref = key_ref(t), *path;
    const char *cls = class_filter(t);
    json_t *objs, *kept = NULL, *o;
    size_t i;
    int code;

    path = ref != NULL ? fh_client_pathf("/v1/tokens/{}/keys/{}", t->token_label, ref) : NULL;
    free(ref);
    code = call(cmd, c, "GET", path, NULL, &e, &r);
    free(path);
    if (code != 0) {
        return code;
    }
    objs = json_object_get(json_object_get(r.json, "key"), "objects");
    if (!json_is_array(objs)) {
        code = bad_answer(cmd, c, "key.objects");
        goto out;
    }
    kept = json_array();
    if (kept == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    json_array_foreach(objs, i, o)
    {
        const char *oc = json_string_value(json_object_get(o, "CKA_CLASS"));

        /* a deep copy: the response is cleansed in place when released */
        if ((cls == NULL || (oc != NULL && strcmp(oc, cls) == 0)) &&
            json_array_append_new(kept, json_deep_copy(o)) != 0) {
            code = cli_fail(cmd, FH_E_NOMEM, NULL);
            goto out;
        }
    }
    if (json_array_size(kept) == 0) {
        code = cli_fail(cmd, FH_E_KEY_HANDLE_INVALID, ": %s", t->key_spec);
        goto out;
    }
    *objects = kept;
    kept = NULL;
out:
    json_decref(kept);
    fh_client_resp_clear(&r);
    return code;
}

int
cli_remote_key_objects(const char *cmd, const struct cli_target *t, json_t **objects)
{
    fh_client *c = NULL;
    int code = client_open(cmd, &c);

    if (code == 0) {
        code = key_objects(cmd, c, t, objects);
    }
    fh_client_free(c);
    return code;
}

int
cli_remote_key_delete(const char *cmd, const struct cli_target *t, size_t *count)
{
    struct rerr e = {t->token_label, t->key_spec, NULL, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *objs = NULL;
    char *ref = NULL, *path = NULL;
    int code;

    code = client_open(cmd, &c);
    if (code != 0) {
        return code;
    }
    /* the count for "deleted N objects matching K": REST's DELETE answers 204 */
    code = key_objects(cmd, c, t, &objs);
    if (code != 0) {
        goto out;
    }
    ref = key_ref(t);
    path = ref != NULL ? fh_client_pathf("/v1/tokens/{}/keys/{}", t->token_label, ref) : NULL;
    code = call(cmd, c, "DELETE", path, NULL, &e, &r);
    if (code != 0) {
        goto out;
    }
    fh_client_resp_clear(&r);
    *count = json_array_size(objs);
out:
    free(path);
    free(ref);
    json_decref(objs);
    fh_client_free(c);
    return code;
}

static json_t *
usage_json(unsigned usage)
{
    json_t *a = json_array();

    /* the FH_USAGE_* bits in order: sign, verify, encrypt, decrypt, wrap, unwrap, derive */
    for (unsigned i = 0; a != NULL && i < FH_USAGE_COUNT; i++) {
        unsigned bit = 1u << i;

        if ((usage & bit) != 0 && json_array_append_new(a, json_string(fh_usage_word(bit))) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

int
cli_remote_key_generate(const char *cmd, const char *token, const char *type, const char *label,
                        const uint8_t *id, size_t id_len, unsigned bits, bool extractable,
                        unsigned usage, const char *what, char **id_hex)
{
    struct rerr e = {token, NULL, what, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *body = json_object();
    char *path = fh_client_pathf("/v1/tokens/{}/keys", token);
    const char *got;
    bool ok = body != NULL;
    int code;

    fh_shape_set(body, "type", json_string(type), &ok);
    fh_shape_set(body, "label", json_string(label), &ok);
    if (id != NULL) {
        fh_shape_set(body, "id", fh_shape_hex(id, id_len), &ok);
    }
    if (bits > 0) {
        fh_shape_set(body, "bits", json_integer(bits), &ok);
    }
    fh_shape_set(body, "extractable", json_boolean(extractable), &ok);
    fh_shape_set(body, "usage", usage_json(usage), &ok);
    if (!ok || path == NULL) {
        json_decref(body);
        free(path);
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    code = client_open(cmd, &c);
    if (code == 0) {
        code = call(cmd, c, "POST", path, body, &e, &r);
    }
    if (code == 0) {
        got = json_string_value(json_object_get(json_object_get(r.json, "key"), "id"));
        *id_hex = got != NULL ? strdup(got) : NULL;
        code = got == NULL ? bad_answer(cmd, c, "key.id")
                           : (*id_hex == NULL ? cli_fail(cmd, FH_E_NOMEM, NULL) : 0);
        fh_client_resp_clear(&r);
    }
    json_decref(body);
    free(path);
    fh_client_free(c);
    return code;
}

int
cli_remote_key_op(const char *cmd, const struct cli_target *t, const char *op, json_t *body,
                  const char *what, const char *out_field, uint8_t **out, size_t *out_len,
                  uint8_t *iv_out, size_t iv_cap, size_t *iv_len, bool *valid)
{
    struct rerr e = {t->token_label, t->key_spec, what, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    char *ref = key_ref(t), *path = NULL;
    int code;

    memset(&r, 0, sizeof(r));
    if (body == NULL || ref == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
        goto out;
    }
    path = fh_client_pathf("/v1/tokens/{}/keys/{}/", t->token_label, ref);
    if (path != NULL) {
        size_t n = strlen(path) + strlen(op) + 1;
        char *full = malloc(n);

        if (full != NULL) {
            snprintf(full, n, "%s%s", path, op);
        }
        free(path);
        path = full;
    }
    code = client_open(cmd, &c);
    if (code == 0) {
        code = call(cmd, c, "POST", path, body, &e, &r);
    }
    if (code != 0) {
        goto out;
    }
    if (out_field == NULL) {
        json_t *v = json_object_get(r.json, "valid");

        if (!json_is_boolean(v)) {
            code = bad_answer(cmd, c, "valid");
            goto out;
        }
        *valid = json_is_true(v);
        goto out;
    }
    code = b64_field(cmd, c, r.json, out_field, FH_CLIENT_RESP_MAX, out, out_len);
    if (code == 0 && iv_out != NULL && json_is_string(json_object_get(r.json, "iv"))) {
        uint8_t *iv = NULL;

        code = b64_field(cmd, c, r.json, "iv", iv_cap, &iv, iv_len);
        if (code == 0) {
            memcpy(iv_out, iv, *iv_len);
        }
        free(iv);
    }
out:
    if (body != NULL) {
        fh_client_json_cleanse(body); /* it may carry plaintext */
        json_decref(body);
    }
    fh_client_resp_clear(&r);
    free(path);
    free(ref);
    fh_client_free(c);
    return code;
}

/* ---- no key ---- */

int
cli_remote_digest(const char *cmd, const char *mech, const uint8_t *data, size_t len,
                  uint8_t **out, size_t *out_len)
{
    struct rerr e = {NULL, NULL, mech, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *body = json_object();
    bool ok = body != NULL;
    int code;

    fh_shape_set(body, "mechanism", json_string(mech), &ok);
    fh_shape_set(body, "data", cli_remote_b64(data, len), &ok);
    if (!ok) {
        json_decref(body);
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    code = client_open(cmd, &c);
    if (code == 0) {
        code = call(cmd, c, "POST", "/v1/digest", body, &e, &r);
    }
    if (code == 0) {
        code = b64_field(cmd, c, r.json, "digest", 1024, out, out_len);
        fh_client_resp_clear(&r);
    }
    fh_client_json_cleanse(body);
    json_decref(body);
    fh_client_free(c);
    return code;
}

int
cli_remote_random(const char *cmd, uint8_t *buf, size_t n)
{
    struct rerr e = {NULL, NULL, "random generator", NULL};
    fh_client *c = NULL;
    size_t done = 0;
    int code = client_open(cmd, &c);

    while (code == 0 && done < n) {
        size_t want = n - done > CLI_REMOTE_RANDOM_CHUNK ? CLI_REMOTE_RANDOM_CHUNK : n - done;
        json_t *body = json_pack("{s:I}", "bytes", (json_int_t)want);
        struct fh_client_resp r;
        uint8_t *got = NULL;
        size_t got_len = 0;

        if (body == NULL) {
            code = cli_fail(cmd, FH_E_NOMEM, NULL);
            break;
        }
        code = call(cmd, c, "POST", "/v1/random", body, &e, &r);
        json_decref(body);
        if (code != 0) {
            break;
        }
        code = b64_field(cmd, c, r.json, "random", want, &got, &got_len);
        if (code == 0 && got_len != want) {
            code = bad_answer(cmd, c, "random (length)");
        }
        if (code == 0) {
            memcpy(buf + done, got, want);
            done += want;
        }
        cli_free_cleanse(got, got_len);
        fh_client_resp_clear(&r);
    }
    fh_client_free(c);
    return code;
}

/* ---- audit ---- */

static const char *const audit_keys[] = {"seq",    "time",   "time_ms", "actor",
                                         "front",  "operation", "object", "result",
                                         "corr_id", "prev_hash", "hash",  NULL};

int
cli_remote_audit_list(const char *cmd, int64_t from, uint64_t limit, json_t **records)
{
    struct rerr e = {NULL, NULL, NULL, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *all = json_array();
    int code;

    memset(&r, 0, sizeof(r));
    if (all == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    code = client_open(cmd, &c);
    while (code == 0) {
        uint64_t left = limit > 0 ? limit - json_array_size(all) : 1000;
        char q[96], *path;
        json_t *recs, *next, *o;
        size_t i;

        snprintf(q, sizeof(q), "/v1/audit?from=%" PRId64 "&limit=%" PRIu64, from,
                 left > 1000 ? (uint64_t)1000 : left);
        path = strdup(q);
        code = call(cmd, c, "GET", path, NULL, &e, &r);
        free(path);
        if (code != 0) {
            break;
        }
        recs = json_object_get(r.json, "records");
        if (!json_is_array(recs)) {
            code = bad_answer(cmd, c, "records");
            break;
        }
        json_array_foreach(recs, i, o)
        {
            if (limit > 0 && json_array_size(all) >= limit) {
                break;
            }
            if (json_array_append_new(all, cli_json_pick(o, audit_keys)) != 0) {
                code = cli_fail(cmd, FH_E_NOMEM, NULL);
                break;
            }
        }
        next = json_object_get(r.json, "next");
        if (code != 0 || !json_is_integer(next) || json_array_size(recs) == 0 ||
            (limit > 0 && json_array_size(all) >= limit)) {
            break;
        }
        from = (int64_t)json_integer_value(next);
        fh_client_resp_clear(&r);
    }
    fh_client_resp_clear(&r);
    fh_client_free(c);
    if (code != 0) {
        json_decref(all);
        return code;
    }
    *records = all;
    return 0;
}

int
cli_remote_audit_verify(const char *cmd, fh_rv *result, struct fh_audit_verify_result *res)
{
    static char reason[256];
    struct rerr e = {NULL, NULL, NULL, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *v;
    int code = client_open(cmd, &c);

    if (code == 0) {
        code = call(cmd, c, "GET", "/v1/audit/verify", NULL, &e, &r);
    }
    if (code == 0) {
        v = json_object_get(r.json, "verified");
        if (!json_is_boolean(v)) {
            code = bad_answer(cmd, c, "verified");
        } else {
            const char *why = json_string_value(json_object_get(r.json, "reason"));

            memset(res, 0, sizeof(*res));
            res->records = (uint64_t)json_integer_value(json_object_get(r.json, "records"));
            res->first_bad_seq = (int64_t)json_integer_value(json_object_get(r.json, "first_bad_seq"));
            snprintf(reason, sizeof(reason), "%s", why != NULL ? why : "");
            res->reason = reason;
            *result = json_is_true(v) ? FH_OK : FH_E_AUDIT_BROKEN;
        }
        fh_client_resp_clear(&r);
    }
    fh_client_free(c);
    return code;
}

/* ---- mechanisms ---- */

int
cli_remote_mechanisms(const char *cmd, json_t **mechs)
{
    static const char *const keys[] = {"name",       "min_key",   "max_key", "key_unit",
                                       "operations", "multipart", NULL};
    struct rerr e = {NULL, NULL, NULL, NULL};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *arr = NULL, *list, *o;
    size_t i;
    int code = client_open(cmd, &c);

    if (code == 0) {
        code = call(cmd, c, "GET", "/v1/mechanisms", NULL, &e, &r);
    }
    if (code != 0) {
        fh_client_free(c);
        return code;
    }
    list = json_object_get(r.json, "mechanisms");
    arr = json_array();
    if (!json_is_array(list)) {
        code = bad_answer(cmd, c, "mechanisms");
    } else if (arr == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    json_array_foreach(list, i, o)
    {
        if (code == 0 && json_array_append_new(arr, cli_json_pick(o, keys)) != 0) {
            code = cli_fail(cmd, FH_E_NOMEM, NULL);
        }
    }
    fh_client_resp_clear(&r);
    fh_client_free(c);
    if (code != 0) {
        json_decref(arr);
        return code;
    }
    *mechs = arr;
    return 0;
}

/* ---- API keys ---- */

/* "2025-01-31T12:34:56.789Z" -> Unix milliseconds (the inverse of the CLI's format). */
static bool
parse_time_ms(const char *s, int64_t *out)
{
    struct tm tm;
    int ms = 0, used = 0;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
                            &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &used) != 7 ||
        s[used] != '\0') {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    *out = (int64_t)t * 1000 + ms;
    return true;
}

static fh_rv
apikey_from_json(json_t *o, struct fh_apikey_info *k)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *role = json_string_value(json_object_get(o, "role"));
    json_t *tokens = json_object_get(o, "tokens"), *t;
    size_t i;

    memset(k, 0, sizeof(*k));
    if (id == NULL || name == NULL || role == NULL || strlen(id) >= sizeof(k->id) ||
        strlen(name) >= sizeof(k->name) || fh_role_from_name(role, &k->role) != FH_OK ||
        !parse_time_ms(json_string_value(json_object_get(o, "created")), &k->created_ms)) {
        return FH_E_DATA_INVALID;
    }
    snprintf(k->id, sizeof(k->id), "%s", id);
    snprintf(k->name, sizeof(k->name), "%s", name);
    k->revoked = json_is_true(json_object_get(o, "revoked"));
    if (json_is_string(tokens) && strcmp(json_string_value(tokens), "*") == 0) {
        k->all_tokens = true;
        return FH_OK;
    }
    if (!json_is_array(tokens) || json_array_size(tokens) > FH_APIKEY_MAX_TOKENS) {
        return FH_E_DATA_INVALID;
    }
    json_array_foreach(tokens, i, t)
    {
        const char *shown = json_string_value(t);
        size_t n = k->n_tokens++;

        if (!json_is_string(t) || json_string_length(t) > FH_TOKEN_LABEL_MAX) {
            return FH_E_DATA_INVALID;
        }
        /* "deleted:<serial>" (fh_apikey_token_name): a token that is gone */
        if (strncmp(shown, "deleted:", 8) == 0 && strlen(shown + 8) == FH_APIKEY_SERIAL_HEX) {
            snprintf(k->serials[n], sizeof(k->serials[0]), "%s", shown + 8);
        } else {
            snprintf(k->tokens[n], sizeof(k->tokens[0]), "%s", shown);
        }
    }
    return FH_OK;
}

/* GET /v1/apikeys with an open client. */
static int
apikey_list(const char *cmd, fh_client *c, struct fh_apikey_info **out, size_t *n)
{
    struct rerr e = {NULL, NULL, NULL, NULL};
    struct fh_client_resp r;
    struct fh_apikey_info *v = NULL;
    json_t *arr;
    size_t count = 0;
    int code = call(cmd, c, "GET", "/v1/apikeys", NULL, &e, &r);

    if (code != 0) {
        return code;
    }
    arr = json_object_get(r.json, "apikeys");
    count = json_array_size(arr);
    v = calloc(count > 0 ? count : 1, sizeof(*v));
    if (!json_is_array(arr)) {
        code = bad_answer(cmd, c, "apikeys");
    } else if (v == NULL) {
        code = cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    for (size_t i = 0; code == 0 && i < count; i++) {
        if (apikey_from_json(json_array_get(arr, i), &v[i]) != FH_OK) {
            code = bad_answer(cmd, c, "apikeys");
        }
    }
    fh_client_resp_clear(&r);
    if (code != 0) {
        free(v);
        return code;
    }
    *out = v;
    *n = count;
    return 0;
}

int
cli_remote_apikey_list(const char *cmd, struct fh_apikey_info **out, size_t *n)
{
    fh_client *c = NULL;
    int code = client_open(cmd, &c);

    if (code == 0) {
        code = apikey_list(cmd, c, out, n);
    }
    fh_client_free(c);
    return code;
}

int
cli_remote_apikey_create(const char *cmd, const char *name, enum fh_role role, bool all,
                         const char *const *tokens, size_t n_tokens, char *key, size_t key_cap,
                         struct fh_apikey_info *info)
{
    struct rerr e = {NULL, NULL, NULL, name};
    struct fh_client_resp r;
    fh_client *c = NULL;
    json_t *body = json_object(), *scope = all ? json_string("*") : json_array();
    const char *k;
    bool ok = body != NULL && scope != NULL;
    int code;

    for (size_t i = 0; ok && !all && i < n_tokens; i++) {
        ok = json_array_append_new(scope, json_string(tokens[i])) == 0;
    }
    fh_shape_set(body, "name", json_string(name), &ok);
    fh_shape_set(body, "role", json_string(fh_role_name(role)), &ok);
    fh_shape_set(body, "tokens", scope, &ok);
    if (!ok) {
        json_decref(body);
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    code = client_open(cmd, &c);
    if (code == 0) {
        code = call(cmd, c, "POST", "/v1/apikeys", body, &e, &r);
    }
    json_decref(body);
    if (code != 0) {
        fh_client_free(c);
        return code;
    }
    k = json_string_value(json_object_get(r.json, "key"));
    if (k == NULL || strlen(k) >= key_cap ||
        apikey_from_json(json_object_get(r.json, "apikey"), info) != FH_OK) {
        code = bad_answer(cmd, c, "apikey");
    } else {
        snprintf(key, key_cap, "%s", k);
    }
    fh_client_resp_clear(&r); /* cleanses the key in the answer */
    fh_client_free(c);
    return code;
}

int
cli_remote_apikey_revoke(const char *cmd, const char *which, struct fh_apikey_info *info,
                         bool *was_revoked)
{
    struct rerr e = {NULL, NULL, NULL, which};
    struct fh_apikey_info *v = NULL;
    struct fh_client_resp r;
    fh_client *c = NULL;
    size_t n = 0, i;
    char *path = NULL;
    int code = client_open(cmd, &c);

    /* one client for the lookup and the DELETE: the API key is read once */
    if (code == 0) {
        code = apikey_list(cmd, c, &v, &n);
    }
    if (code != 0) {
        goto out;
    }
    for (i = 0; i < n && strcmp(v[i].id, which) != 0 && strcmp(v[i].name, which) != 0; i++) {
    }
    if (i == n) {
        code = cli_fail_as(cmd, FH_E_NOT_FOUND, "no such API key: %s", which);
        goto out;
    }
    *info = v[i];
    *was_revoked = info->revoked;
    if (info->revoked) {
        goto out;
    }
    path = fh_client_pathf("/v1/apikeys/{}", info->id);
    code = call(cmd, c, "DELETE", path, NULL, &e, &r);
    if (code == 0) {
        fh_client_resp_clear(&r);
    }
out:
    free(path);
    free(v);
    fh_client_free(c);
    return code;
}
