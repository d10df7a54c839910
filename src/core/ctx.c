/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctx.c - fh_ctx: configuration, the opened store, the initialised backend
 * and the mechanism list they allow. ctx->lock serialises calls on the store
 * connection; nothing slow (Argon2, backend crypto) runs under it.
 */
#include "core-int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static fh_rv
mkdir_p(const char *dir)
{
    char buf[PATH_MAX];
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(buf)) {
        return FH_E_ARGS;
    }
    memcpy(buf, dir, len + 1);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
                return FH_E_IO;
            }
            *p = '/';
        }
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
        return FH_E_IO;
    }
    return FH_OK;
}

static fh_rv
parent_dir_create(const char *path)
{
    char buf[PATH_MAX];
    char *slash;

    if (strlen(path) >= sizeof(buf)) {
        return FH_E_ARGS;
    }
    memcpy(buf, path, strlen(path) + 1);
    slash = strrchr(buf, '/');
    if (slash == NULL || slash == buf) {
        return FH_OK;
    }
    *slash = '\0';
    return mkdir_p(buf);
}

static const char *
backend_get(void *arg, const char *key)
{
    return NULL; /* no backend settings yet: [backend.soft] is empty */
}

static fh_rv
build_mech_list(fh_ctx *ctx)
{
    size_t n;
    const struct fh_mech_desc *reg = fhi_mech_registry(&n);

    ctx->mechs = calloc(n, sizeof(*ctx->mechs));
    if (ctx->mechs == NULL) {
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (ctx->be_ops->mech_supported(ctx->be, reg[i].type)) {
            ctx->mechs[ctx->n_mechs++] = &reg[i];
        }
    }
    return FH_OK;
}

fh_rv
fh_ctx_new(const struct fh_ctx_options *opt, fh_ctx **out)
{
    static const struct fh_ctx_options defaults = {NULL, "api", false};
    struct fh_backend_config bcfg = {backend_get, NULL};
    fh_ctx *ctx = NULL;
    fh_rv rv;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    if (opt == NULL) {
        opt = &defaults;
    }
    fhi_set_open_error("%s", "");
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        return FH_E_NOMEM;
    }
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_mutex_init(&ctx->audit_qlock, NULL);
    pthread_mutex_init(&ctx->audit_wlock, NULL);
    rv = fhi_audit_init(ctx);
    if (rv != FH_OK) {
        goto out;
    }
    snprintf(ctx->front, sizeof(ctx->front), "%s", opt->front ? opt->front : "api");
    rv = fhi_config_load(opt->conf_path, &ctx->cfg);
    if (rv != FH_OK) {
        goto out;
    }
    bcfg.arg = ctx;
    ctx->store_ops = fhi_store_find(ctx->cfg.store_driver);
    ctx->be_ops = fhi_backend_find(ctx->cfg.backend);
    if (ctx->store_ops == NULL || ctx->be_ops == NULL) {
        fhi_set_open_error("unknown %s '%s'", ctx->store_ops == NULL ? "store driver" : "backend",
                           ctx->store_ops == NULL ? ctx->cfg.store_driver : ctx->cfg.backend);
        rv = FH_E_CONFIG;
        goto out;
    }
    ctx->be = calloc(1, ctx->be_ops->priv_size ? ctx->be_ops->priv_size : 1);
    ctx->store = calloc(1, ctx->store_ops->priv_size ? ctx->store_ops->priv_size : 1);
    if (ctx->be == NULL || ctx->store == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    rv = ctx->be_ops->init(ctx->be, &bcfg);
    if (rv != FH_OK) {
        fhi_set_open_error("backend %s failed to start", ctx->be_ops->name);
        goto out;
    }
    ctx->be_init = true;
    if (opt->create) {
        rv = parent_dir_create(ctx->cfg.store_path);
        if (rv != FH_OK) {
            fhi_set_open_error("cannot create the directory of %s", ctx->cfg.store_path);
            goto out;
        }
    }
    rv = ctx->store_ops->open(ctx->store, ctx->cfg.store_path, opt->create ? FH_STORE_CREATE : 0);
    if (rv != FH_OK) {
        fhi_set_open_error("%s", ctx->cfg.store_path);
        ctx->store_ops->close(ctx->store);
        goto out;
    }
    ctx->store_open = true;
    /* before anything else reads an API key: scopes of an older store are
     * bound to the tokens that exist now (apikey.c) */
    rv = fhi_apikey_upgrade_scopes(ctx);
    if (rv != FH_OK) {
        fhi_set_open_error("%s", ctx->cfg.store_path);
        goto out;
    }
    rv = build_mech_list(ctx);
    if (rv != FH_OK) {
        goto out;
    }
    {
        uint8_t id[8];

        rv = fhi_random(ctx, id, sizeof(id));
        if (rv != FH_OK) {
            goto out;
        }
        for (size_t i = 0; i < sizeof(id); i++) {
            snprintf(ctx->corr_id + 2 * i, 3, "%02x", id[i]);
        }
    }
    *out = ctx;
    ctx = NULL;
out:
    fh_ctx_free(ctx);
    return rv;
}

void
fh_ctx_free(fh_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    fhi_audit_fini(ctx); /* flushes, closes the audit connection */
    fhi_apikey_cache_free(ctx);
    if (ctx->store_open) {
        ctx->store_ops->close(ctx->store);
    }
    if (ctx->be_init) {
        ctx->be_ops->fini(ctx->be);
    }
    free(ctx->store);
    free(ctx->be);
    free(ctx->mechs);
    fhi_config_clear(&ctx->cfg);
    pthread_mutex_destroy(&ctx->audit_wlock);
    pthread_mutex_destroy(&ctx->audit_qlock);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

const char *
fh_ctx_store_location(const fh_ctx *ctx)
{
    return ctx != NULL && ctx->cfg.store_path != NULL ? ctx->cfg.store_path : "";
}

uint32_t
fh_ctx_min_pin_len(const fh_ctx *ctx)
{
    return ctx != NULL ? ctx->cfg.min_pin_len : FH_PIN_MIN_DEFAULT;
}

const char *
fh_ctx_corr_id(const fh_ctx *ctx)
{
    return ctx != NULL ? ctx->corr_id : "";
}

void
fh_ctx_set_corr_id(fh_ctx *ctx, const char *id)
{
    if (ctx != NULL && id != NULL) {
        fhi_audit_set_corr_id(ctx, id);
    }
}

void
fhi_ctx_lock(fh_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
}

void
fhi_ctx_unlock(fh_ctx *ctx)
{
    pthread_mutex_unlock(&ctx->lock);
}
