/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes_health.c - health, metrics and the OpenAPI document: the routes
 * that need no API key (docs/api.md "Health and metrics"). They reveal no
 * key or tenant data beyond the labels of the tokens this server is
 * configured to unlock, which readiness must name.
 */
#include "srv-int.h"

#include <stdlib.h>
#include <string.h>

static void
h_live(struct srv_req *req, struct srv_resp *resp)
{
    json_t *o = json_object();

    (void)req;
    json_object_set_new(o, "status", json_string("live"));
    srv_json(resp, 200, o);
}

static void
h_ready(struct srv_req *req, struct srv_resp *resp)
{
    struct srv *s = req->srv;
    struct fh_token_info *list = NULL;
    size_t n = 0;
    bool ok = true;
    fh_rv rv;
    json_t *o = json_object(), *toks = json_object();

    /* the store answers a token listing: that is the store's health as seen from here */
    rv = fh_token_list(s->ctx, &list, &n);
    free(list);
    if (rv != FH_OK) {
        ok = false;
    }
    pthread_mutex_lock(&s->tok_lock);
    for (size_t i = 0; i < s->n_toks; i++) {
        bool ready = s->toks[i].state == SRV_TOK_READY;

        json_object_set_new(toks, s->toks[i].label,
                            json_string(ready ? "ready" : "unlock_failed"));
        ok = ok && ready;
    }
    pthread_mutex_unlock(&s->tok_lock);
    if (atomic_load(&s->draining)) {
        ok = false;
    }
    json_object_set_new(o, "status", json_string(ok ? "ready" : "not_ready"));
    json_object_set_new(o, "store", json_string(rv == FH_OK ? "ok" : fh_rv_str(rv)));
    json_object_set_new(o, "backend", json_string(fh_mech_count(s->ctx) > 0 ? "ok" : "no_mechanisms"));
    json_object_set_new(o, "tokens", toks);
    srv_json(resp, ok ? 200 : 503, o);
}

static void
h_metrics(struct srv_req *req, struct srv_resp *resp)
{
    char *text = srv_metrics_render(req->srv);

    if (text == NULL) {
        srv_error_rv(req, resp, FH_E_NOMEM, SRV_WHAT_NONE, NULL);
        return;
    }
    json_decref(resp->json);
    resp->json = NULL;
    resp->text = text;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->status = 200;
}

static void
h_openapi(struct srv_req *req, struct srv_resp *resp)
{
    srv_json(resp, 200, json_deep_copy(req->srv->openapi));
}

const struct srv_route srv_routes_health[] = {
    {"GET", "/v1/health/live", SRV_R_PUBLIC, h_live, "Liveness: the process serves"},
    {"GET", "/v1/health/ready", SRV_R_PUBLIC, h_ready,
     "Readiness: store, backend and every configured token unlocked"},
    {"GET", "/metrics", SRV_R_PUBLIC, h_metrics, "Prometheus metrics (text format 0.0.4)"},
    {"GET", "/v1/openapi.json", SRV_R_PUBLIC, h_openapi, "This API as an OpenAPI 3.1 document"},
    {NULL, NULL, 0, NULL, NULL},
};
