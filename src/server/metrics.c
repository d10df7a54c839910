/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c - counters for GET /metrics (Prometheus text format 0.0.4).
 *
 * Every label value is bounded: routes are table patterns (or "none"),
 * methods and statuses come from the runtime, mechanisms are canonical
 * registry names (or "unknown"), results and error codes are stable codes.
 * The tables have fixed capacity; past it, series fold into "other", so a
 * client cannot grow memory by inventing values. One mutex guards it all.
 */
#include "srv-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REQ 512
#define MAX_HIST 128
#define MAX_OPS 512
#define MAX_ERR 128
#define NBUCKETS 12

static const double buckets[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,   0.25,   0.5,   1,    2.5,   10};

struct req_series {
    char route[96];
    char method[8];
    int status;
    uint64_t n;
};

struct hist_series {
    char route[96];
    uint64_t b[NBUCKETS];
    uint64_t count;
    double sum;
};

struct op_series {
    char mech[48];
    char op[16];
    char result[40];
    uint64_t n;
};

struct err_series {
    char code[40];
    uint64_t n;
};

struct srv_metrics {
    pthread_mutex_t lock;
    struct req_series req[MAX_REQ];
    size_t n_req;
    struct hist_series hist[MAX_HIST];
    size_t n_hist;
    struct op_series ops[MAX_OPS];
    size_t n_ops;
    struct err_series err[MAX_ERR];
    size_t n_err;
    int64_t audit_head;
};

fh_rv
srv_metrics_new(struct srv_metrics **out)
{
    struct srv_metrics *m = calloc(1, sizeof(*m));

    if (m == NULL) {
        return FH_E_NOMEM;
    }
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return FH_OK;
}

void
srv_metrics_free(struct srv_metrics *m)
{
    if (m != NULL) {
        pthread_mutex_destroy(&m->lock);
        free(m);
    }
}

void
srv_metrics_request(struct srv_metrics *m, const char *route, const char *method, int status,
                    double seconds, const char *error_code)
{
    struct req_series *r = NULL;
    struct hist_series *h = NULL;
    const char *rt = route != NULL ? route : "none";
    size_t i;

    pthread_mutex_lock(&m->lock);
    for (i = 0; i < m->n_req; i++) {
        if (m->req[i].status == status && strcmp(m->req[i].route, rt) == 0 &&
            strcmp(m->req[i].method, method) == 0) {
            r = &m->req[i];
            break;
        }
    }
    if (r == NULL && m->n_req < MAX_REQ) {
        r = &m->req[m->n_req++];
        snprintf(r->route, sizeof(r->route), "%s", rt);
        /* methods outside the tables are folded: the client chooses them */
        snprintf(r->method, sizeof(r->method), "%s", route != NULL ? method : "other");
        r->status = status;
    }
    if (r != NULL) {
        r->n++;
    }
    for (i = 0; i < m->n_hist; i++) {
        if (strcmp(m->hist[i].route, rt) == 0) {
            h = &m->hist[i];
            break;
        }
    }
    if (h == NULL && m->n_hist < MAX_HIST) {
        h = &m->hist[m->n_hist++];
        snprintf(h->route, sizeof(h->route), "%s", rt);
    }
    if (h != NULL) {
        for (size_t k = 0; k < NBUCKETS; k++) {
            if (seconds <= buckets[k]) {
                h->b[k]++;
            }
        }
        h->count++;
        h->sum += seconds;
    }
    if (error_code != NULL) {
        struct err_series *e = NULL;

        for (i = 0; i < m->n_err; i++) {
            if (strcmp(m->err[i].code, error_code) == 0) {
                e = &m->err[i];
                break;
            }
        }
        if (e == NULL && m->n_err < MAX_ERR) {
            e = &m->err[m->n_err++];
            snprintf(e->code, sizeof(e->code), "%s", error_code);
        }
        if (e != NULL) {
            e->n++;
        }
    }
    pthread_mutex_unlock(&m->lock);
}

void
srv_metric_op(struct srv *srv, const char *op, const char *mechanism, fh_rv result)
{
    struct srv_metrics *m = srv->metrics;
    CK_MECHANISM_TYPE type = 0;
    const char *mech = "unknown";
    const char *res = fh_rv_str(result);
    struct op_series *o = NULL;

    if (mechanism != NULL && fh_mech_from_name(mechanism, &type) == FH_OK &&
        fh_mech_name(type) != NULL) {
        mech = fh_mech_name(type);
    }
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n_ops; i++) {
        if (strcmp(m->ops[i].mech, mech) == 0 && strcmp(m->ops[i].op, op) == 0 &&
            strcmp(m->ops[i].result, res) == 0) {
            o = &m->ops[i];
            break;
        }
    }
    if (o == NULL && m->n_ops < MAX_OPS) {
        o = &m->ops[m->n_ops++];
        snprintf(o->mech, sizeof(o->mech), "%s", mech);
        snprintf(o->op, sizeof(o->op), "%s", op);
        snprintf(o->result, sizeof(o->result), "%s", res);
    }
    if (o != NULL) {
        o->n++;
    }
    pthread_mutex_unlock(&m->lock);
}

/* A label value with \ " and newline escaped (format 0.0.4). */
static void
label(FILE *f, const char *v)
{
    for (; *v != '\0'; v++) {
        if (*v == '\\' || *v == '"') {
            fputc('\\', f);
            fputc(*v, f);
        } else if (*v == '\n') {
            fputs("\\n", f);
        } else {
            fputc(*v, f);
        }
    }
}

static fh_rv
head_cb(void *arg, const struct fh_store_audit *r)
{
    int64_t *head = arg;

    if (r->seq > *head) {
        *head = r->seq;
    }
    return FH_OK;
}

char *
srv_metrics_render(struct srv *s)
{
    struct srv_metrics *m = s->metrics;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int64_t head;

    if (f == NULL) {
        return NULL;
    }
    /* Walk forward from the last head seen: cheap after the first call. */
    pthread_mutex_lock(&m->lock);
    head = m->audit_head;
    pthread_mutex_unlock(&m->lock);
    if (fh_audit_list(s->ctx, head + 1, 0, head_cb, &head) != FH_OK) {
        srv_logf(SRV_LOG_WARN, "metrics", "cannot read the audit log head");
    }

    pthread_mutex_lock(&m->lock);
    if (head > m->audit_head) {
        m->audit_head = head;
    }
    fputs("# HELP ferrohsm_http_requests_total HTTP requests by route, method and status.\n"
          "# TYPE ferrohsm_http_requests_total counter\n",
          f);
    for (size_t i = 0; i < m->n_req; i++) {
        fputs("ferrohsm_http_requests_total{route=\"", f);
        label(f, m->req[i].route);
        fputs("\",method=\"", f);
        label(f, m->req[i].method);
        fprintf(f, "\",status=\"%d\"} %" PRIu64 "\n", m->req[i].status, m->req[i].n);
    }
    fputs("# HELP ferrohsm_http_request_duration_seconds Time to answer a request, by route.\n"
          "# TYPE ferrohsm_http_request_duration_seconds histogram\n",
          f);
    for (size_t i = 0; i < m->n_hist; i++) {
        for (size_t k = 0; k < NBUCKETS; k++) {
            fputs("ferrohsm_http_request_duration_seconds_bucket{route=\"", f);
            label(f, m->hist[i].route);
            fprintf(f, "\",le=\"%g\"} %" PRIu64 "\n", buckets[k], m->hist[i].b[k]);
        }
        fputs("ferrohsm_http_request_duration_seconds_bucket{route=\"", f);
        label(f, m->hist[i].route);
        fprintf(f, "\",le=\"+Inf\"} %" PRIu64 "\n", m->hist[i].count);
        fputs("ferrohsm_http_request_duration_seconds_sum{route=\"", f);
        label(f, m->hist[i].route);
        fprintf(f, "\"} %.6f\n", m->hist[i].sum);
        fputs("ferrohsm_http_request_duration_seconds_count{route=\"", f);
        label(f, m->hist[i].route);
        fprintf(f, "\"} %" PRIu64 "\n", m->hist[i].count);
    }
    fputs("# HELP ferrohsm_operations_total Cryptographic operations by mechanism, operation and "
          "result.\n# TYPE ferrohsm_operations_total counter\n",
          f);
    for (size_t i = 0; i < m->n_ops; i++) {
        fputs("ferrohsm_operations_total{mechanism=\"", f);
        label(f, m->ops[i].mech);
        fputs("\",op=\"", f);
        label(f, m->ops[i].op);
        fputs("\",result=\"", f);
        label(f, m->ops[i].result);
        fprintf(f, "\"} %" PRIu64 "\n", m->ops[i].n);
    }
    fputs("# HELP ferrohsm_errors_total Error responses by code.\n"
          "# TYPE ferrohsm_errors_total counter\n",
          f);
    for (size_t i = 0; i < m->n_err; i++) {
        fputs("ferrohsm_errors_total{code=\"", f);
        label(f, m->err[i].code);
        fprintf(f, "\"} %" PRIu64 "\n", m->err[i].n);
    }
    fprintf(f,
            "# HELP ferrohsm_sessions_active Token sessions held by requests in flight.\n"
            "# TYPE ferrohsm_sessions_active gauge\n"
            "ferrohsm_sessions_active %ld\n"
            "# HELP ferrohsm_audit_chain_head_seq Sequence number of the last audit record.\n"
            "# TYPE ferrohsm_audit_chain_head_seq gauge\n"
            "ferrohsm_audit_chain_head_seq %" PRId64 "\n"
            "# HELP ferrohsm_connections_active Open client connections.\n"
            "# TYPE ferrohsm_connections_active gauge\n"
            "ferrohsm_connections_active %ld\n"
            "# HELP ferrohsm_auth_failures_total Failed API key authentications.\n"
            "# TYPE ferrohsm_auth_failures_total counter\n"
            "ferrohsm_auth_failures_total %ld\n",
            atomic_load(&s->sessions), m->audit_head, atomic_load(&s->connections),
            atomic_load(&s->auth_failures));
    pthread_mutex_unlock(&m->lock);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
