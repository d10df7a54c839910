/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c - the request lifecycle on libmicrohttpd (thread pool, epoll).
 *
 * For each request the access handler is called first with the headers,
 * then with each piece of the body, then once with no data. Everything that
 * can be decided from the headers is decided on the first call, in this
 * order: draining (503), route (404/405), rate limit (429), API key (401;
 * a body declared larger than max_body_unauth_bytes gives 413 instead),
 * role (403), declared body size (413), Content-Type (415). A refusal of a
 * small body is answered after the body has been read and discarded (a
 * close with unread data would reset the connection under the response); a
 * larger declared body is answered at once and the connection closed
 * without reading it. The body is accumulated up to the limit that
 * applies, parsed (400 bad_json), and the handler runs on this worker
 * thread with the audit thread context set.
 *
 * Per-request state (struct request) belongs to one connection and so to
 * one worker thread; shared state is atomics in struct srv, the metrics and
 * the rate limiter (their own locks).
 */
#include "srv-int.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define MAX_QUERY 32
#define PARAM_BUF 2048
#define BEARER_MAX 256
#define DISCARD_FACTOR 4 /* chunked bodies past the limit: read this much more, then close */

#define TLS_PRIORITIES                                                                         \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:"       \
    "+CHACHA20-POLY1305:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"

struct request {
    struct srv *s;
    struct MHD_Connection *mc;
    struct srv_req req;
    struct srv_resp resp;
    const struct srv_route *route; /* NULL until matched */
    struct timespec t0;
    char method[8];
    char parambuf[PARAM_BUF];
    char allow[64];
    struct fh_apikey_info key;
    bool authed;
    char keyid[FH_APIKEY_ID_HEX + 1];
    bool decided;        /* resp holds an answer decided before the body */
    bool close_now;      /* answer on the first call, do not read the body */
    bool wants_body;     /* POST/PATCH/DELETE: the body is parsed */
    size_t body_max;
    char *body;
    size_t body_len, body_cap;
    size_t discarded;
    unsigned retry_after;
    long sessions;
    size_t n_query;
    char *qk[MAX_QUERY];
    char *qv[MAX_QUERY];
    uint8_t addr[16];
    size_t addr_len;
    char addr_str[INET6_ADDRSTRLEN];
};

void srv_http_note_session(struct srv_req *req);

void
srv_http_note_session(struct srv_req *req)
{
    struct request *r = req->conn;

    if (r != NULL) {
        r->sessions++;
    }
    atomic_fetch_add(&req->srv->sessions, 1);
}

const char *
srv_query(const struct srv_req *req, const char *name)
{
    const struct request *r = req->conn;

    if (r == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < r->n_query; i++) {
        if (strcmp(r->qk[i], name) == 0) {
            return r->qv[i];
        }
    }
    return NULL;
}

/* Query strings: '+' is a space, then %XX; a pair that does not decode is dropped. */
static char *
query_dup(const char *s)
{
    char *d = strdup(s != NULL ? s : "");

    if (d == NULL) {
        return NULL;
    }
    for (char *p = d; *p != '\0'; p++) {
        if (*p == '+') {
            *p = ' ';
        }
    }
    if (!srv_url_decode(d)) {
        free(d);
        return NULL;
    }
    return d;
}

static enum MHD_Result
query_it(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct request *r = cls;
    char *k, *v;

    (void)kind;
    if (r->n_query >= MAX_QUERY || key == NULL) {
        return MHD_YES;
    }
    k = query_dup(key);
    v = query_dup(value);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return MHD_YES;
    }
    r->qk[r->n_query] = k;
    r->qv[r->n_query] = v;
    r->n_query++;
    return MHD_YES;
}

static void
request_free(struct request *r)
{
    for (size_t i = 0; i < r->n_query; i++) {
        free(r->qk[i]);
        free(r->qv[i]);
    }
    json_decref(r->req.body);
    srv_resp_clear(&r->resp);
    if (r->body != NULL) {
        /* only [0, body_len) ever held bytes of the request */
        OPENSSL_cleanse(r->body, r->body_len);
        free(r->body);
    }
    OPENSSL_cleanse(&r->key, sizeof(r->key));
    free(r);
}

static bool
valid_request_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > SRV_REQUEST_ID_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/*
 * Request ids the server makes: 8 hex digits drawn once per process, then a
 * counter in 8 hex digits. Unique within a run, and between runs unless the
 * draws collide; not secret (they are logged and audited), so no random
 * bytes are spent on each request.
 */
static uint32_t rid_prefix;
static uint32_t rid_counter;
static pthread_once_t rid_once = PTHREAD_ONCE_INIT;

static void
rid_init(void)
{
    unsigned char rnd[4] = {0};

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        rid_prefix = (uint32_t)time(NULL) ^ (uint32_t)getpid();
        return;
    }
    rid_prefix = (uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 | (uint32_t)rnd[2] << 8 | rnd[3];
}

static void
make_request_id(struct request *r)
{
    static const char hex[] = "0123456789abcdef";
    const char *h = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "X-Request-Id");
    uint64_t v;

    if (h != NULL && valid_request_id(h)) {
        snprintf(r->req.request_id, sizeof(r->req.request_id), "%s", h);
        return;
    }
    (void)pthread_once(&rid_once, rid_init);
    v = (uint64_t)rid_prefix << 32 | __atomic_add_fetch(&rid_counter, 1, __ATOMIC_RELAXED);
    for (int i = 15; i >= 0; i--, v >>= 4) {
        r->req.request_id[i] = hex[v & 15];
    }
    r->req.request_id[16] = '\0';
}

static void
client_addr(struct request *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

    snprintf(r->addr_str, sizeof(r->addr_str), "unknown");
    if (sa == NULL) {
        return;
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

        memcpy(r->addr, &in->sin_addr, 4);
        r->addr_len = 4;
        inet_ntop(AF_INET, &in->sin_addr, r->addr_str, sizeof(r->addr_str));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            memcpy(r->addr, in6->sin6_addr.s6_addr + 12, 4);
            r->addr_len = 4;
            inet_ntop(AF_INET, r->addr, r->addr_str, sizeof(r->addr_str));
        } else {
            memcpy(r->addr, &in6->sin6_addr, 16);
            r->addr_len = 16;
            inet_ntop(AF_INET6, &in6->sin6_addr, r->addr_str, sizeof(r->addr_str));
        }
    }
}

/* Declared body length: -1 none, -2 chunked (unknown), else the length. */
static long long
declared_length(struct request *r)
{
    const char *cl = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Content-Length");
    const char *te = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Transfer-Encoding");
    char *end = NULL;
    long long n;

    if (te != NULL) {
        return -2;
    }
    if (cl == NULL) {
        return -1;
    }
    n = strtoll(cl, &end, 10);
    if (end == cl || *end != '\0' || n < 0) {
        return -2;
    }
    return n == 0 ? -1 : n;
}

static bool
is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    if (ct == NULL || strncasecmp(ct, "application/json", n) != 0) {
        return false;
    }
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static void
audit_refusal(struct request *r, const char *operation, const char *object, fh_rv result)
{
    char principal[64];

    if (r->keyid[0] != '\0') {
        snprintf(principal, sizeof(principal), "apikey:%s", r->keyid);
    }
    fh_audit_set_thread_context(r->req.request_id, r->keyid[0] != '\0' ? principal : NULL);
    srv_audit_event(r->s, operation, object, result);
    fh_audit_clear_thread_context();
}

/* Authenticate the Authorization header; false leaves r->authed false. */
static bool
authenticate(struct request *r)
{
    const char *h = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Authorization");
    const char *k;
    size_t n;

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
        return false;
    }
    k = h + 7;
    while (*k == ' ') {
        k++;
    }
    n = strlen(k);
    while (n > 0 && k[n - 1] == ' ') {
        n--;
    }
    if (n == 0 || n > BEARER_MAX) {
        return false;
    }
    /* the id is public (fhk_<id>_...): it names the failure in the audit log */
    (void)srv_apikey_id_of(k, n, r->keyid);
    if (fh_apikey_verify(r->s->ctx, k, n, &r->key) != FH_OK) {
        return false;
    }
    snprintf(r->keyid, sizeof(r->keyid), "%s", r->key.id);
    r->authed = true;
    r->req.key = &r->key;
    return true;
}

/* Everything decided from the headers alone. */
static void
decide_early(struct request *r, const char *url)
{
    struct srv *s = r->s;
    const struct srv_route *route = NULL;
    size_t max_body, max_unauth;
    unsigned timeout_s;
    long long declared = declared_length(r);
    int m;

    srv_limits(s, &max_body, &max_unauth, &timeout_s);
    MHD_set_connection_option(r->mc, MHD_CONNECTION_OPTION_TIMEOUT, timeout_s);
    r->body_max = max_unauth;
    if (atomic_load(&s->draining)) {
        srv_error(&r->req, &r->resp, 503, "draining", "the server is shutting down");
        r->decided = true;
        return;
    }
    m = srv_route_match(r->method, url, &route, r->req.params, &r->req.n_params, r->parambuf,
                        sizeof(r->parambuf), r->allow, sizeof(r->allow));
    if (m < 0) {
        srv_error(&r->req, &r->resp, 404, "not_found", "no such route");
        r->decided = true;
        return;
    }
    if (m == 0) {
        srv_error(&r->req, &r->resp, 405, "method_not_allowed", "allowed: %s", r->allow);
        r->decided = true;
        return;
    }
    r->req.route = route->pattern;
    r->route = route;
    if (route->roles != SRV_R_PUBLIC) {
        unsigned wait = srv_ratelimit_check(s->rl, r->addr, r->addr_len);

        if (wait > 0) {
            r->retry_after = wait;
            srv_error(&r->req, &r->resp, 429, "rate_limited",
                      "too many failed authentications from this address");
            r->decided = true;
            return;
        }
        if (!authenticate(r)) {
            atomic_fetch_add(&s->auth_failures, 1);
            srv_ratelimit_fail(s->rl, r->addr, r->addr_len);
            audit_refusal(r, "auth", "", FH_E_AUTH_FAILED);
            if (declared > (long long)max_unauth || declared == -2) {
                srv_error(&r->req, &r->resp, 413, "body_too_large",
                          "at most %zu bytes before authentication", max_unauth);
                r->close_now = true;
            } else {
                srv_error(&r->req, &r->resp, 401, "unauthenticated",
                          "a valid API key is required (Authorization: Bearer)");
            }
            r->decided = true;
            return;
        }
        if ((route->roles & (1u << r->key.role)) == 0) {
            char object[160];

            snprintf(object, sizeof(object), "route:%s %s", route->method, route->pattern);
            audit_refusal(r, "deny", object, FH_E_PERMISSION_DENIED);
            srv_error(&r->req, &r->resp, 403, "forbidden", "the role %s may not use this route",
                      fh_role_name(r->key.role) != NULL ? fh_role_name(r->key.role) : "?");
            r->decided = true;
            return;
        }
        r->body_max = max_body;
    }
    if (declared > (long long)r->body_max) {
        srv_error(&r->req, &r->resp, 413, "body_too_large", "the body is larger than %zu bytes",
                  r->body_max);
        r->decided = true;
        r->close_now = true;
        return;
    }
    /* DELETE too: DELETE /v1/tokens/{token} carries the SO PIN; without a body it is NULL */
    r->wants_body = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0 ||
                    strcmp(r->method, "DELETE") == 0;
    if (r->wants_body && declared != -1 &&
        !is_json_type(MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Content-Type"))) {
        srv_error(&r->req, &r->resp, 415, "unsupported_media_type",
                  "the body must be application/json");
        r->decided = true;
        r->close_now = declared > (long long)max_unauth || declared == -2;
        return;
    }
}

/* Free callback of a response buffer: the length written (what is
 * cleansed) sits in front of it. */
#define RB_HDR 16

static void
resp_buf_free(void *p)
{
    uint8_t *base;
    size_t n;

    if (p == NULL) {
        return;
    }
    base = (uint8_t *)p - RB_HDR;
    memcpy(&n, base, sizeof(n));
    OPENSSL_cleanse(base, n + RB_HDR);
    free(base);
}

static char *
resp_buf_new(size_t n)
{
    uint8_t *base = malloc(n + RB_HDR + 1);

    if (base == NULL) {
        return NULL;
    }
    memcpy(base, &n, sizeof(n));
    return (char *)base + RB_HDR;
}

/* Only the first n bytes of b were written: cleanse those. */
static void
resp_buf_written(char *b, size_t n)
{
    memcpy((uint8_t *)b - RB_HDR, &n, sizeof(n));
}

/* Room for most JSON answers: a signature, a key, a page of a list. */
#define RESP_GUESS 2048

static enum MHD_Result
send_response(struct request *r)
{
    struct srv *s = r->s;
    struct MHD_Response *mr = NULL;
    const char *ctype = "application/json";
    enum MHD_Result ret;
    char ra[16];

    if (r->resp.status == 0) {
        srv_error(&r->req, &r->resp, 500, "internal", "the handler gave no answer");
    }
    if (r->resp.text != NULL) {
        size_t n = strlen(r->resp.text);
        char *b = resp_buf_new(n);

        if (b != NULL) {
            memcpy(b, r->resp.text, n);
            mr = MHD_create_response_from_buffer_with_free_callback(n, b, resp_buf_free);
            if (mr == NULL) {
                resp_buf_free(b);
            }
        }
        ctype = r->resp.content_type != NULL ? r->resp.content_type : "text/plain; charset=utf-8";
    } else if (r->resp.status == 204 || r->resp.json == NULL) {
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        ctype = NULL;
    } else {
        /* one dump into a buffer of the usual size; a second one, into a
         * buffer of the size the first reported, only for a larger body */
        const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
        size_t cap = RESP_GUESS, n = 0;
        char *b = resp_buf_new(cap);

        if (b != NULL) {
            n = json_dumpb(r->resp.json, b, cap, flags);
            if (n > 0 && n + 1 > cap) {
                resp_buf_free(b);
                cap = n + 1;
                b = resp_buf_new(cap);
                if (b != NULL && json_dumpb(r->resp.json, b, cap, flags) != n) {
                    n = 0;
                }
            }
        }
        if (b != NULL && n > 0) {
            b[n] = '\n';
            resp_buf_written(b, n + 1);
            mr = MHD_create_response_from_buffer_with_free_callback(n + 1, b, resp_buf_free);
        }
        if (mr == NULL) {
            resp_buf_free(b);
        }
    }
    if (mr == NULL) {
        return MHD_NO;
    }
    if (ctype != NULL) {
        MHD_add_response_header(mr, "Content-Type", ctype);
    }
    MHD_add_response_header(mr, "X-Request-Id", r->req.request_id);
    MHD_add_response_header(mr, "Cache-Control", "no-store");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "X-Frame-Options", "DENY");
    MHD_add_response_header(mr, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
    if (s->tls) {
        MHD_add_response_header(mr, "Strict-Transport-Security", "max-age=31536000");
    }
    if (r->resp.location != NULL) {
        MHD_add_response_header(mr, "Location", r->resp.location);
    }
    if (r->resp.status == 405 && r->allow[0] != '\0') {
        MHD_add_response_header(mr, "Allow", r->allow);
    }
    if (r->resp.status == 429) {
        snprintf(ra, sizeof(ra), "%u", r->retry_after);
        MHD_add_response_header(mr, "Retry-After", ra);
    }
    if (r->close_now || atomic_load(&s->draining)) {
        MHD_add_response_header(mr, "Connection", "close");
    }
    ret = MHD_queue_response(r->mc, (unsigned)r->resp.status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static void
run_handler(struct request *r)
{
    char principal[64];

    if (r->wants_body && r->body_len > 0) {
        if (!srv_body_parse(&r->req, &r->resp, r->body, r->body_len, &r->req.body)) {
            return;
        }
    }
    if (r->authed) {
        snprintf(principal, sizeof(principal), "apikey:%s", r->key.id);
        fh_audit_set_thread_context(r->req.request_id, principal);
    } else {
        fh_audit_set_thread_context(r->req.request_id, NULL);
    }
    r->route->handler(&r->req, &r->resp);
    fh_audit_clear_thread_context();
}

static bool
append_body(struct request *r, const char *data, size_t n)
{
    if (n > r->body_max - r->body_len) {
        return false;
    }
    if (r->body_len + n > r->body_cap) {
        size_t cap = r->body_cap == 0 ? 4096 : r->body_cap;
        char *nb;

        while (cap < r->body_len + n) {
            cap *= 2;
        }
        if (cap > r->body_max + 1) {
            cap = r->body_max + 1;
        }
        nb = malloc(cap);
        if (nb == NULL) {
            return false;
        }
        if (r->body != NULL) {
            memcpy(nb, r->body, r->body_len);
            OPENSSL_cleanse(r->body, r->body_len);
            free(r->body);
        }
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    return true;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct srv *s = cls;
    struct request *r = *con_cls;

    (void)version;
    if (r == NULL) {
        r = calloc(1, sizeof(*r));
        if (r == NULL) {
            return MHD_NO;
        }
        r->s = s;
        r->mc = mc;
        r->req.srv = s;
        r->req.conn = r;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        snprintf(r->method, sizeof(r->method), "%s", method);
        r->req.method = r->method;
        *con_cls = r;
        atomic_fetch_add(&s->inflight, 1);
        client_addr(r);
        make_request_id(r);
        MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, query_it, r);
        decide_early(r, url);
        if (r->decided && r->close_now) {
            return send_response(r);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        if (r->decided) {
            /* an answer is decided: read and drop the rest, bounded */
            r->discarded += n;
            return r->discarded > DISCARD_FACTOR * (r->body_max + 65536) ? MHD_NO : MHD_YES;
        }
        if (!append_body(r, upload_data, n)) {
            srv_error(&r->req, &r->resp, 413, "body_too_large",
                      "the body is larger than %zu bytes", r->body_max);
            r->decided = true;
            r->close_now = true;
            r->discarded = r->body_len + n;
        }
        return MHD_YES;
    }
    if (!r->decided) {
        run_handler(r);
    }
    return send_response(r);
}

static void
on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct srv *s = cls;
    struct request *r = *con_cls;
    struct timespec t1;
    double secs;
    json_t *o;

    (void)mc;
    if (r == NULL) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
    srv_metrics_request(s->metrics, r->route != NULL ? r->route->pattern : NULL, r->method,
                        r->resp.status, secs, r->resp.error_code);
    /* the request line is built only when it will be written */
    o = srv_log_get_level() <= (r->resp.status >= 500 ? SRV_LOG_ERROR : SRV_LOG_INFO)
            ? json_object()
            : NULL;
    if (o != NULL) {
        json_object_set_new(o, "request_id", json_string(r->req.request_id));
        json_t *m = json_string(r->method);

        json_object_set_new(o, "method", m != NULL ? m : json_string("?"));
        json_object_set_new(o, "route", r->route != NULL ? json_string(r->route->pattern)
                                                         : json_null());
        json_object_set_new(o, "status", json_integer(r->resp.status));
        json_object_set_new(o, "duration_ms", json_real(secs * 1000.0));
        json_object_set_new(o, "apikey", r->keyid[0] != '\0' ? json_string(r->keyid)
                                                             : json_null());
        json_object_set_new(o, "client", json_string(r->addr_str));
        if (r->resp.error_code != NULL) {
            json_object_set_new(o, "code", json_string(r->resp.error_code));
        }
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
            json_object_set_new(o, "terminated", json_integer((json_int_t)toe));
        }
    }
    if (o != NULL) {
        srv_log(r->resp.status >= 500 ? SRV_LOG_ERROR : SRV_LOG_INFO, "request", o);
    }
    atomic_fetch_sub(&s->sessions, r->sessions);
    request_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

static void
on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
    struct srv *s = cls;

    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&s->connections, 1);
        if (s->tls && s->conf.tls_client_ca != NULL) {
            const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(mc, MHD_CONNECTION_INFO_GNUTLS_SESSION);

            if (ci != NULL && ci->tls_session != NULL) {
                /* mTLS: the handshake fails without a certificate the CA verifies */
                gnutls_certificate_server_set_request(ci->tls_session, GNUTLS_CERT_REQUIRE);
                gnutls_session_set_verify_cert(ci->tls_session, NULL, 0);
            }
        }
    } else {
        atomic_fetch_sub(&s->connections, 1);
    }
}

static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct srv *s = cls;
    unsigned max;

    (void)addr;
    (void)addrlen;
    pthread_mutex_lock(&s->conf_lock);
    max = s->conf.max_connections;
    pthread_mutex_unlock(&s->conf_lock);
    return atomic_load(&s->connections) >= (long)max ? MHD_NO : MHD_YES;
}

/* Keep the path raw: router.c decodes each parameter on its own. */
static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *str)
{
    (void)cls;
    (void)c;
    return strlen(str);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[400];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
        msg[--n] = '\0';
    }
    srv_logf(SRV_LOG_DEBUG, "http_library", "%s", msg);
}

fh_rv
srv_http_start(struct srv *s, char *why, size_t why_len)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
    struct MHD_OptionItem opts[24];
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    size_t n = 0;
    char *cert = NULL, *key = NULL, *ca = NULL, *used_cert = NULL;
    const char *host = strcmp(s->conf.host, "localhost") == 0 ? "127.0.0.1" : s->conf.host;
    fh_rv rv = FH_OK;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(s->conf.port);
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(s->conf.port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(why, why_len, "listen address %s is not an IP address", s->conf.host);
        return FH_E_CONFIG;
    }
    if (s->conf.plain_http) {
        if (!srv_conf_is_loopback(s->conf.host)) {
            snprintf(why, why_len,
                     "plain_http is allowed only on a loopback address, not %s", s->conf.host);
            return FH_E_CONFIG;
        }
        s->tls = false;
    } else {
        rv = srv_tls_prepare(s->home, s->conf.tls_cert, s->conf.tls_key, &cert, &key, &used_cert,
                             why, why_len);
        if (rv != FH_OK) {
            return rv;
        }
        if (srv_tls_pin(cert, s->tls_pin, sizeof(s->tls_pin)) != FH_OK) {
            snprintf(why, why_len, "cannot read the certificate's public key");
            rv = FH_E_CONFIG;
            goto out;
        }
        if (s->conf.tls_client_ca != NULL &&
            srv_read_file(s->conf.tls_client_ca, &ca, NULL) != FH_OK) {
            snprintf(why, why_len, "cannot read tls_client_ca %s", s->conf.tls_client_ca);
            rv = FH_E_CONFIG;
            goto out;
        }
        flags |= MHD_USE_TLS;
        s->tls = true;
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES};
        if (ca != NULL) {
            opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, ca};
        }
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    if (s->conf.threads > 1) {
        /* one worker is the daemon's internal thread: MHD warns on a pool of 1 */
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->conf.threads, NULL};
    }
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 65536, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                        (intptr_t)s->conf.timeout_s, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)no_unescape, s};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, s};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 512, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->daemon = MHD_start_daemon(flags, 0, on_accept, s, on_request, s, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(why, why_len, "cannot listen on %s:%u (address in use, or TLS setup failed)",
                 s->conf.host, (unsigned)s->conf.port);
        rv = FH_E_IO;
        goto out;
    }
    {
        json_t *o = json_object();

        json_object_set_new(o, "listen", json_string(s->conf.host));
        json_object_set_new(o, "port", json_integer(s->conf.port));
        json_object_set_new(o, "tls", json_boolean(s->tls));
        json_object_set_new(o, "threads", json_integer(s->conf.threads));
        if (s->tls) {
            json_object_set_new(o, "certificate", json_string(used_cert));
            json_object_set_new(o, "pin", json_string(s->tls_pin));
            json_object_set_new(o, "mtls", json_boolean(ca != NULL));
        }
        srv_log(SRV_LOG_INFO, "listening", o);
    }
out:
    if (rv == FH_OK) {
        /* kept until the daemon stops: it was given pointers */
        s->pem_cert = cert;
        s->pem_key = key;
        s->pem_ca = ca;
        cert = key = ca = NULL;
    }
    if (key != NULL) {
        OPENSSL_cleanse(key, strlen(key));
        free(key);
    }
    free(cert);
    free(ca);
    free(used_cert);
    return rv;
}

void
srv_http_stop(struct srv *s, unsigned drain_s)
{
    struct timespec t0, now;

    if (s->daemon == NULL) {
        return;
    }
    atomic_store(&s->draining, true);
    {
        /* stop accepting: the library hands the listening socket back to be closed */
        MHD_socket ls = MHD_quiesce_daemon(s->daemon);

        if (ls != MHD_INVALID_SOCKET) {
            close(ls);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        long busy = atomic_load(&s->inflight);

        clock_gettime(CLOCK_MONOTONIC, &now);
        if (busy == 0 || now.tv_sec - t0.tv_sec >= (time_t)drain_s) {
            json_t *o = json_object();

            json_object_set_new(o, "inflight", json_integer(busy));
            srv_log(busy == 0 ? SRV_LOG_INFO : SRV_LOG_WARN, "drained", o);
            break;
        }
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    if (s->pem_key != NULL) {
        OPENSSL_cleanse(s->pem_key, strlen(s->pem_key));
        free(s->pem_key);
    }
    free(s->pem_cert);
    free(s->pem_ca);
    s->pem_key = s->pem_cert = s->pem_ca = NULL;
}
