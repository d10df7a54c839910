/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.c - the running server: one fh_ctx (front "server"), the [server]
 * configuration, the served tokens, and what a reload may change.
 *
 * Reloadable (SIGHUP): max_connections, max_body_bytes,
 * max_body_unauth_bytes, timeout_seconds (new connections), drain_seconds,
 * log_level, and unlock.* of tokens not yet unlocked. listen, TLS settings,
 * plain_http and threads need a restart; a reload that changes them says
 * so in the log and keeps the running values.
 */
#include "srv-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

fh_ctx *
srv_ctx(const struct srv *srv)
{
    return srv->ctx;
}

void
srv_limits(struct srv *s, size_t *max_body, size_t *max_body_unauth, unsigned *timeout_s)
{
    pthread_mutex_lock(&s->conf_lock);
    *max_body = s->conf.max_body;
    *max_body_unauth = s->conf.max_body_unauth;
    *timeout_s = s->conf.timeout_s;
    pthread_mutex_unlock(&s->conf_lock);
}

static bool
streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

static void
changed_num(json_t *o, const char *name, unsigned long long from, unsigned long long to)
{
    if (from != to) {
        json_t *c = json_object();

        json_object_set_new(c, "from", json_integer((json_int_t)from));
        json_object_set_new(c, "to", json_integer((json_int_t)to));
        json_object_set_new(o, name, c);
    }
}

void
srv_reload(struct srv *s)
{
    struct srv_conf nc;
    char why[512] = "";
    json_t *changed = json_object(), *restart = json_array(), *o;

    if (srv_conf_load(s->conf_path, &nc, why, sizeof(why)) != FH_OK) {
        srv_logf(SRV_LOG_ERROR, "reload_failed", "%s; the running configuration stays", why);
        json_decref(changed);
        json_decref(restart);
        return;
    }
    pthread_mutex_lock(&s->conf_lock);
    /* --listen on the command line wins over the file, at reload too */
    if (!s->listen_cli && !streq(nc.listen, s->conf.listen)) {
        json_array_append_new(restart, json_string("listen"));
    }
    if (!streq(nc.tls_cert, s->conf.tls_cert) || !streq(nc.tls_key, s->conf.tls_key) ||
        !streq(nc.tls_client_ca, s->conf.tls_client_ca) || nc.plain_http != s->conf.plain_http) {
        json_array_append_new(restart, json_string("tls"));
    }
    if (nc.threads != s->conf.threads) {
        json_array_append_new(restart, json_string("threads"));
    }
    changed_num(changed, "max_connections", s->conf.max_connections, nc.max_connections);
    changed_num(changed, "max_body_bytes", s->conf.max_body, nc.max_body);
    changed_num(changed, "max_body_unauth_bytes", s->conf.max_body_unauth, nc.max_body_unauth);
    changed_num(changed, "timeout_seconds", s->conf.timeout_s, nc.timeout_s);
    changed_num(changed, "drain_seconds", s->conf.drain_s, nc.drain_s);
    if (nc.log_level != s->conf.log_level) {
        json_t *c = json_object();

        json_object_set_new(c, "from", json_string(srv_log_level_name(s->conf.log_level)));
        json_object_set_new(c, "to", json_string(srv_log_level_name(nc.log_level)));
        json_object_set_new(changed, "log_level", c);
    }
    s->conf.max_connections = nc.max_connections;
    s->conf.max_body = nc.max_body;
    s->conf.max_body_unauth = nc.max_body_unauth;
    s->conf.timeout_s = nc.timeout_s;
    s->conf.drain_s = nc.drain_s;
    s->conf.log_level = nc.log_level;
    pthread_mutex_unlock(&s->conf_lock);
    srv_log_set_level(nc.log_level);

    o = json_object();
    json_object_set_new(o, "changed", changed);
    json_object_set_new(o, "needs_restart", restart);
    srv_log(SRV_LOG_WARN > nc.log_level ? SRV_LOG_WARN : nc.log_level, "reload", o);
    /* unlock the tokens that are not ready yet (new ones, or a fixed PIN file) */
    srv_tokens_unlock(s, &nc);
    srv_conf_free(&nc);
}

/* Drop the operations of route tables this build does not have. */
static json_t *
load_openapi(void)
{
    json_error_t e;
    json_t *doc = json_loadb(srv_openapi_text, srv_openapi_len, 0, &e);
    json_t *paths, *item, *op;
    const char *path, *method;
    void *tmp, *tmp2;

    if (doc == NULL) {
        srv_logf(SRV_LOG_ERROR, "openapi", "embedded document: line %d: %s", e.line, e.text);
        return NULL;
    }
    paths = json_object_get(doc, "paths");
    json_object_foreach_safe(paths, tmp, path, item)
    {
        json_object_foreach_safe(item, tmp2, method, op)
        {
            const char *table = json_string_value(json_object_get(op, "x-table"));
            bool present = false;

            for (size_t i = 0; table != NULL && srv_tables_present[i] != NULL; i++) {
                present = present || strcmp(srv_tables_present[i], table) == 0;
            }
            if (table != NULL && !present) {
                json_object_del(item, method);
            }
        }
        if (json_object_size(item) == 0) {
            json_object_del(paths, path);
        }
    }
    return doc;
}

/* The configuration file the core will read too, or NULL (none). */
static char *
conf_path_for(const char *given, const char *home)
{
    const char *env = getenv("FERROHSM_CONF");
    char buf[4200];

    if (given != NULL) {
        return strdup(given);
    }
    if (env != NULL && env[0] != '\0') {
        return strdup(env);
    }
    snprintf(buf, sizeof(buf), "%s/ferrohsm.conf", home);
    return access(buf, F_OK) == 0 ? strdup(buf) : NULL;
}

static char *
home_dir(void)
{
    const char *env = getenv("FERROHSM_HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char buf[4200];

    if (env != NULL && env[0] != '\0') {
        return strdup(env);
    }
    if (xdg != NULL && xdg[0] == '/') {
        snprintf(buf, sizeof(buf), "%s/ferrohsm", xdg);
    } else if (home != NULL && home[0] != '\0') {
        snprintf(buf, sizeof(buf), "%s/.local/share/ferrohsm", home);
    } else {
        return NULL;
    }
    return strdup(buf);
}

struct srv *
srv_new(const char *config, const char *listen, char *why, size_t why_len)
{
    struct srv *s = calloc(1, sizeof(*s));
    struct fh_ctx_options opt;
    fh_rv rv;

    if (s == NULL) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->conf_lock, NULL);
    pthread_mutex_init(&s->tok_lock, NULL);
    s->home = home_dir();
    if (s->home == NULL) {
        snprintf(why, why_len, "cannot tell FERROHSM_HOME: set FERROHSM_HOME or HOME");
        goto fail;
    }
    s->conf_path = conf_path_for(config, s->home);
    if (srv_conf_load(s->conf_path, &s->conf, why, why_len) != FH_OK) {
        goto fail;
    }
    if (listen != NULL) {
        char *l = strdup(listen);

        if (l == NULL ||
            !srv_conf_parse_listen(listen, s->conf.host, sizeof(s->conf.host), &s->conf.port)) {
            free(l);
            snprintf(why, why_len, "--listen must be ADDRESS:PORT, not '%s'", listen);
            goto fail;
        }
        free(s->conf.listen);
        s->conf.listen = l;
        s->listen_cli = true;
    }
    srv_log_set_level(s->conf.log_level);
    if (s->conf.plain_http && !srv_conf_is_loopback(s->conf.host)) {
        snprintf(why, why_len, "plain_http is allowed only on a loopback address, not %s",
                 s->conf.host);
        goto fail;
    }
    memset(&opt, 0, sizeof(opt));
    opt.conf_path = s->conf_path;
    opt.front = "server";
    opt.create = false;
    rv = fh_ctx_new(&opt, &s->ctx);
    if (rv != FH_OK) {
        snprintf(why, why_len, "cannot open FerroHSM: %s%s%s", fh_rv_message(rv),
                 fh_ctx_open_error()[0] != '\0' ? ": " : "", fh_ctx_open_error());
        goto fail;
    }
    if (srv_metrics_new(&s->metrics) != FH_OK || srv_ratelimit_new(&s->rl) != FH_OK) {
        snprintf(why, why_len, "out of memory");
        goto fail;
    }
    s->openapi = load_openapi();
    if (s->openapi == NULL) {
        snprintf(why, why_len, "the embedded OpenAPI document does not parse");
        goto fail;
    }
    {
        json_t *o = json_object();

        json_object_set_new(o, "version", json_string(FH_VERSION_STRING));
        json_object_set_new(o, "config", s->conf_path != NULL ? json_string(s->conf_path)
                                                               : json_null());
        json_object_set_new(o, "store", json_string(fh_ctx_store_location(s->ctx)));
        srv_log(SRV_LOG_INFO, "starting", o);
    }
    srv_tokens_unlock(s, &s->conf);
    return s;
fail:
    srv_free(s);
    return NULL;
}

void
srv_free(struct srv *s)
{
    if (s == NULL) {
        return;
    }
    srv_tokens_close(s);
    fh_ctx_free(s->ctx); /* writes the queued audit records */
    srv_metrics_free(s->metrics);
    srv_ratelimit_free(s->rl);
    json_decref(s->openapi);
    srv_conf_free(&s->conf);
    free(s->conf_path);
    free(s->home);
    pthread_mutex_destroy(&s->conf_lock);
    pthread_mutex_destroy(&s->tok_lock);
    free(s);
}
