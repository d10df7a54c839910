/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv-int.h - the runtime side of ferrohsm-server, shared by its files but
 * not by the route handlers (they see srv.h only): configuration, the token
 * table, logging, metrics, authentication and the HTTP request lifecycle.
 *
 * Locks, in the order they may be taken: the token administration lock
 * (tokens.c: serialises every change of the token table, held through the
 * Argon2 runs of unlock, create, delete and PIN changes) → srv->conf_lock
 * (the reloadable configuration) → srv->tok_lock (the token table) → the
 * metrics lock → the rate-limiter lock. None is held while calling into
 * libferrohsm, except tok_lock around the calls that do no I/O on an opened
 * token (fh_session_open, fh_token_session_count, fh_token_close), and the
 * administration lock.
 */
#ifndef FERROHSM_SERVER_SRV_INT_H
#define FERROHSM_SERVER_SRV_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/ferrohsm.h"

#include "srv.h"

#define SRV_MAX_TOKENS 64          /* tokens the configuration may unlock */
#define SRV_MAX_SERVED 256         /* tokens served at once: configured and made over REST */
#define SRV_DEFAULT_PORT 8443
#define SRV_DEFAULT_MAX_BODY (1536u * 1024u)
#define SRV_DEFAULT_MAX_BODY_UNAUTH 4096u
#define SRV_DEFAULT_TIMEOUT 30u
#define SRV_DEFAULT_DRAIN 10u
#define SRV_RATE_FAILURES 10       /* failed authentications ... */
#define SRV_RATE_WINDOW_S 60       /* ... within this many seconds → 429 */

enum srv_log_level { SRV_LOG_DEBUG = 0, SRV_LOG_INFO = 1, SRV_LOG_WARN = 2, SRV_LOG_ERROR = 3 };

/* One `unlock.<label> = SOURCE` line. */
struct srv_unlock {
    char label[FH_TOKEN_LABEL_MAX + 1];
    char *source; /* "file:/p", "env:VAR", "credential:NAME" (no secret: a reference) */
};

/* The [server] section (conf.c). Strings are malloc'ed. */
struct srv_conf {
    char *listen;      /* "127.0.0.1:8443" as written */
    char host[64];     /* parsed: address literal without brackets */
    uint16_t port;
    char *tls_cert;
    char *tls_key;
    char *tls_client_ca;
    bool plain_http;
    unsigned threads;  /* 0: number of cores */
    unsigned max_connections;
    size_t max_body;
    size_t max_body_unauth;
    unsigned timeout_s;
    unsigned drain_s;
    enum srv_log_level log_level;
    size_t n_unlock;
    struct srv_unlock unlock[SRV_MAX_TOKENS];
};

/*
 * Read the [server] section of path (NULL: no file, defaults only). A
 * problem fills why ("FILE:LINE: reason") and gives FH_E_CONFIG.
 * srv_conf_free releases the strings of a loaded conf.
 */
fh_rv srv_conf_load(const char *path, struct srv_conf *out, char *why, size_t why_len);
void srv_conf_free(struct srv_conf *c);
/* Parse "HOST:PORT" / "[V6]:PORT" into host/port. */
bool srv_conf_parse_listen(const char *s, char *host, size_t host_len, uint16_t *port);
/* Whether host is a loopback address literal or "localhost". */
bool srv_conf_is_loopback(const char *host);

/*
 * A served token: opened and logged in as the user at start or reload, or
 * when created or unlocked over REST. An entry leaves the table when its
 * token is deleted over REST; its fh_token then waits among the graves
 * until no session uses it (tokens.c).
 */
enum srv_tok_state { SRV_TOK_READY = 1, SRV_TOK_UNLOCK_FAILED = 2 };
struct srv_tok {
    char label[FH_TOKEN_LABEL_MAX + 1];
    enum srv_tok_state state;
    fh_token *tok; /* NULL unless READY */
    char serial[FH_APIKEY_SERIAL_HEX + 1]; /* tok's serial (API key scopes); "" unless READY */
};
struct srv_grave; /* tokens.c: a deleted token's fh_token that sessions may still use */

struct srv_metrics; /* metrics.c */
struct srv_ratelimit; /* auth.c */

struct srv {
    fh_ctx *ctx;
    char *conf_path;   /* the file read, or NULL */
    char *home;        /* FERROHSM_HOME */
    bool listen_cli;   /* --listen given: it wins over the file */

    pthread_mutex_t conf_lock; /* guards conf (reloadable parts) */
    struct srv_conf conf;

    pthread_mutex_t tok_lock;  /* guards toks[], n_toks and graves */
    struct srv_tok toks[SRV_MAX_SERVED];
    size_t n_toks;
    struct srv_grave *graves;

    struct srv_metrics *metrics;
    struct srv_ratelimit *rl;
    json_t *openapi; /* the served OpenAPI document */

    struct MHD_Daemon *daemon;
    bool tls;
    char *pem_cert, *pem_key, *pem_ca; /* given to the HTTP library until it stops */
    char tls_pin[128];  /* sha256//BASE64 of the served certificate's SPKI */
    atomic_bool draining;
    atomic_long inflight;    /* requests between first call and completion */
    atomic_long connections; /* open connections */
    atomic_long sessions;    /* token sessions held by in-flight requests */
    atomic_long auth_failures;
};

/* ---- log.c: one JSON object per line on stderr ---- */
void srv_log_set_level(enum srv_log_level lvl);
enum srv_log_level srv_log_get_level(void);
bool srv_log_level_parse(const char *s, enum srv_log_level *out);
const char *srv_log_level_name(enum srv_log_level lvl);
/*
 * Log obj (ownership taken) with "time", "level" and "event" added first.
 * Never pass a secret: callers put names, ids and codes only.
 */
void srv_log(enum srv_log_level lvl, const char *event, json_t *obj);
/* Shorthand: {"event": event, "message": printf(...)}. */
void srv_logf(enum srv_log_level lvl, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- tokens.c ---- */
/* Open and log in every token of conf->unlock not yet READY; log each. */
void srv_tokens_unlock(struct srv *s, const struct srv_conf *conf);
/* Close every token (shutdown: no request runs any more). */
void srv_tokens_close(struct srv *s);
/* Copy of the state of label: 0 when the token is not served. */
enum srv_tok_state srv_tokens_state(struct srv *s, const char *label);
/*
 * Token administration over REST (routes_tokens.c). The lock serialises it
 * with itself and with srv_tokens_unlock; the functions below need it held.
 */
void srv_tokens_admin_lock(void);
void srv_tokens_admin_unlock(void);
/* Whether the table has room for one more token. */
bool srv_tokens_room(struct srv *s);
/*
 * Serve label: unless it is READY, open it and log in as the user with pin
 * (borrowed; only the login state is kept), and make it READY. The outcome
 * is logged ("token_unlock"); a failure leaves the token not ready.
 */
void srv_tokens_serve(struct srv *s, const char *label, const fh_secret *pin);
/*
 * label was deleted: its entry leaves the table at once (requests from now
 * on find no token), and its fh_token is closed as soon as no session of a
 * request in flight uses it.
 */
void srv_tokens_forget(struct srv *s, const char *label);
/*
 * The token labelled label in the store, within the request key's scope,
 * into *out; otherwise the answer for an unknown token (404
 * token_not_found, a refusal by scope audited) is written and false
 * returned.
 */
bool srv_token_find(struct srv_req *req, struct srv_resp *resp, const char *label,
                    struct fh_token_info *out);
/* fh_audit_event for a refusal; a failed write is logged. */
void srv_audit_event(struct srv *s, const char *operation, const char *object, fh_rv result);
/* Read a PIN from a source reference ("file:", "env:", "credential:"). */
fh_rv srv_pin_from_source(const char *source, fh_secret **out, char *why, size_t why_len);

/* ---- tls.c ---- */
/*
 * Make sure cert/key exist: when both paths are NULL, create (once) a
 * self-signed EC P-256 certificate under home/server/ and return its paths
 * (malloc'ed). Then read both files into memory (PEM, NUL-terminated).
 */
fh_rv srv_tls_prepare(const char *home, const char *cert_path, const char *key_path,
                      char **cert_pem, char **key_pem, char **used_cert_path, char *why,
                      size_t why_len);
/* "sha256//BASE64" of the SubjectPublicKeyInfo of the first certificate in pem. */
fh_rv srv_tls_pin(const char *pem, char *out, size_t out_len);
/* Read a whole small file (at most 1 MiB) as a NUL-terminated string. */
fh_rv srv_read_file(const char *path, char **out, size_t *len);

/* ---- metrics.c ---- */
fh_rv srv_metrics_new(struct srv_metrics **out);
void srv_metrics_free(struct srv_metrics *m);
/* One finished request. route: the table pattern or NULL (no route matched). */
void srv_metrics_request(struct srv_metrics *m, const char *route, const char *method,
                         int status, double seconds, const char *error_code);
/* Prometheus text (malloc'ed) or NULL. */
char *srv_metrics_render(struct srv *s);

/* ---- auth.c ---- */
fh_rv srv_ratelimit_new(struct srv_ratelimit **out);
void srv_ratelimit_free(struct srv_ratelimit *rl);
/* Seconds until addr may try again (0: not limited). */
unsigned srv_ratelimit_check(struct srv_ratelimit *rl, const void *addr, size_t addr_len);
void srv_ratelimit_fail(struct srv_ratelimit *rl, const void *addr, size_t addr_len);
/*
 * The id of a presented key string ("fhk_<16 hex>_..."), copied into id, or
 * false when the string does not have that shape. The id is public.
 */
bool srv_apikey_id_of(const char *presented, size_t len, char id[FH_APIKEY_ID_HEX + 1]);

/* ---- router.c (also in the fuzzable library) ---- */
/* The concatenated route tables (NULL-method terminated). */
const struct srv_route *const *srv_route_tables(void);
/*
 * Match a path against every table. Found: *route and params (URL-decoded
 * into buf, bufsize bytes) filled, returns 1. Path known with another
 * method: returns 0 and fills allow ("GET, POST"). Unknown: returns -1.
 */
int srv_route_match(const char *method, const char *path, const struct srv_route **route,
                    const char **params, size_t *n_params, char *buf, size_t bufsize,
                    char *allow, size_t allow_len);
/* Decode %XX in place; false on a bad escape or a decoded NUL. */
bool srv_url_decode(char *s);

/* ---- json_parse.c (in the fuzzable library) ---- */
struct srv_json_error {
    int line, column;   /* where the parser stopped, from 1 (column in characters) */
    const char *reason; /* static text; never quotes the input */
};
/* What json_loadb(JSON_REJECT_DUPLICATES) parses, as the same values, faster;
 * NULL with *err filled on a refusal. */
json_t *srv_json_parse(const char *data, size_t len, struct srv_json_error *err);

/* ---- body.c (also in the fuzzable library) ---- */
/* Parse a request body: a JSON object or a 400 bad_json error in resp. */
bool srv_body_parse(struct srv_req *req, struct srv_resp *resp, const char *data, size_t len,
                    json_t **out);
/* Release what a handler left in resp. */
void srv_resp_clear(struct srv_resp *resp);
/* A JSON document with cleansing on free (jansson allocator; main.c). */
void srv_json_use_cleansing_alloc(void);

/* ---- http.c ---- */
fh_rv srv_http_start(struct srv *s, char *why, size_t why_len);
/* Stop accepting; wait (bounded) for in-flight requests; stop the daemon. */
void srv_http_stop(struct srv *s, unsigned drain_s);

/* ---- server.c ---- */
/* The reloadable limits, read under conf_lock. */
void srv_limits(struct srv *s, size_t *max_body, size_t *max_body_unauth, unsigned *timeout_s);
/* Reload configuration (SIGHUP): log what changed. */
void srv_reload(struct srv *s);
/* Read configuration, open the context, unlock the tokens (not yet listening). */
struct srv *srv_new(const char *config, const char *listen, char *why, size_t why_len);
void srv_free(struct srv *s);

/* ---- openapi (server.c) ---- */
/* The embedded document (openapi_data.c, generated at build time). */
extern const char srv_openapi_text[];
extern const size_t srv_openapi_len;
/* Which optional route tables are compiled in (srv_tables.c, generated). */
extern const char *const srv_tables_present[];

#endif /* FERROHSM_SERVER_SRV_INT_H */
