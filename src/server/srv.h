/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv.h - the inside of ferrohsm-server: what the HTTP runtime (server.c,
 * http.c, auth.c ...) hands to a route handler, and the helpers handlers
 * use to read a request and write a response. docs/api.md is the contract
 * with clients; this header is the contract between the runtime and the
 * handlers (routes_*.c).
 *
 * A handler runs on one of the server's worker threads with:
 *   - the request already authenticated (req->key; NULL on public routes),
 *   - the role already checked against the route's table entry,
 *   - the body already parsed as one JSON object (req->body; NULL for GET
 *     and DELETE, or an empty body),
 *   - the audit thread context set to the request id and "apikey:<id>".
 * It fills *resp through the helpers below and returns. It never writes to
 * the connection itself, never logs secrets, and uses token sessions only
 * through srv_token_session() so that scope and readiness are checked in
 * one place.
 */
#ifndef FERROHSM_SERVER_SRV_H
#define FERROHSM_SERVER_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/ferrohsm.h"

struct srv; /* the running server: context, tokens, configuration, metrics */

#define SRV_MAX_PARAMS 3
#define SRV_REQUEST_ID_MAX 63

/* Role bits of a route's table entry. */
#define SRV_R_ADMIN (1u << FH_ROLE_ADMIN)
#define SRV_R_OPERATOR (1u << FH_ROLE_OPERATOR)
#define SRV_R_APP (1u << FH_ROLE_APP)
#define SRV_R_AUDITOR (1u << FH_ROLE_AUDITOR)
#define SRV_R_ANY (SRV_R_ADMIN | SRV_R_OPERATOR | SRV_R_APP | SRV_R_AUDITOR)
#define SRV_R_PUBLIC 0u /* no authentication at all */

struct srv_req {
    struct srv *srv;
    const char *method;                /* "GET", "POST", "PATCH", "DELETE" */
    const char *route;                 /* the table pattern, e.g. "/v1/tokens/{token}/keys" */
    const char *params[SRV_MAX_PARAMS]; /* path parameters, URL-decoded, in pattern order */
    size_t n_params;
    json_t *body;                      /* borrowed; NULL when there is none */
    const struct fh_apikey_info *key;  /* NULL on SRV_R_PUBLIC routes */
    char request_id[SRV_REQUEST_ID_MAX + 1];
    void *conn;                        /* runtime private (query strings) */
};

struct srv_resp {
    int status;            /* HTTP status; 0 until a helper sets it */
    json_t *json;          /* owned; serialised by the runtime */
    char *text;            /* owned; for /metrics (text/plain) */
    const char *content_type;
    const char *error_code; /* the stable code of an error response, for metrics */
    const char *location;  /* static or owned by json: Location header of a 201, may be NULL */
};

typedef void (*srv_handler)(struct srv_req *req, struct srv_resp *resp);

struct srv_route {
    const char *method;
    const char *pattern;  /* "/v1/tokens/{token}/keys/{key}/sign" */
    unsigned roles;       /* SRV_R_* bits; SRV_R_PUBLIC for no authentication */
    srv_handler handler;
    const char *summary;  /* one line, also used by the OpenAPI document */
};

/* Route tables, one per routes_*.c file; the runtime concatenates them. */
extern const struct srv_route srv_routes_tokens[];  /* tokens, mechanisms, digest, random */
extern const struct srv_route srv_routes_keys[];    /* keys: list, generate, import, show, update, delete */
extern const struct srv_route srv_routes_ops[];     /* sign, verify, encrypt, decrypt, mac, wrap, unwrap, derive */
extern const struct srv_route srv_routes_admin[];   /* apikeys, audit */
extern const struct srv_route srv_routes_health[];  /* health, metrics, openapi */
/* each table ends with an entry whose method is NULL */

/* ---- responses ---- */

/* 200/201 with body (ownership taken; NULL body gives {}). */
void srv_json(struct srv_resp *resp, int status, json_t *body);
/* 204 No Content. */
void srv_no_content(struct srv_resp *resp);
/*
 * An error response {"error": {"code", "message", "request_id"}}. message is
 * printf-style; it must never contain secret data. Names from the request
 * (labels) are sanitised by the runtime (control characters escaped).
 */
void srv_error(struct srv_req *req, struct srv_resp *resp, int status, const char *code,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* What an fh_rv is about, so that FH_E_NOT_FOUND becomes the right code. */
enum srv_what {
    SRV_WHAT_NONE,
    SRV_WHAT_TOKEN,    /* not found → token_not_found */
    SRV_WHAT_KEY,      /* not found → key_not_found; exists → key_exists */
    SRV_WHAT_APIKEY,   /* not found → apikey_not_found; exists → apikey_exists */
    SRV_WHAT_MECHANISM /* not found → mechanism_invalid */
};
/*
 * The one table from fh_rv to HTTP status + stable code (docs/api.md
 * "Errors"); name (may be NULL) is what the message names: "no such key: k9".
 */
void srv_error_rv(struct srv_req *req, struct srv_resp *resp, fh_rv rv, enum srv_what what,
                  const char *name);

/* ---- reading a request ---- */

/* A query-string parameter (URL-decoded) or NULL. */
const char *srv_query(const struct srv_req *req, const char *name);

/*
 * Body fields. Each returns false after writing a 400 bad_json error that
 * names the field ("field 'data': expected a base64 string") into resp;
 * a missing optional field leaves *out untouched and returns true.
 * srv_body_b64 decodes strictly (standard alphabet, padding) into a
 * malloc'ed buffer of at most max bytes (else 400 data_len_range / 413).
 * Unknown fields in the body are refused by srv_body_only().
 */
bool srv_body_str(struct srv_req *req, struct srv_resp *resp, const char *field, bool required,
                  const char **out);
bool srv_body_bool(struct srv_req *req, struct srv_resp *resp, const char *field, bool required,
                   bool *out);
bool srv_body_int(struct srv_req *req, struct srv_resp *resp, const char *field, bool required,
                  int64_t min, int64_t max, int64_t *out);
bool srv_body_b64(struct srv_req *req, struct srv_resp *resp, const char *field, bool required,
                  size_t max, uint8_t **out, size_t *len);
/* The body may have only these fields (NULL-terminated list); else 400 naming the first other. */
bool srv_body_only(struct srv_req *req, struct srv_resp *resp, const char *const *fields);

/* Base64 of bytes as a new JSON string (NULL on allocation failure). */
json_t *srv_b64_json(const uint8_t *data, size_t len);

/* ---- tokens ---- */

/*
 * Open a session on the token labelled label for this request: a token out
 * of the key's scope or unknown → 404 token_not_found (identical answers);
 * a token the server could not unlock → 423 token_locked. On success the
 * caller closes *out with fh_session_close. rw: read-write session.
 */
bool srv_token_session(struct srv_req *req, struct srv_resp *resp, const char *label, bool rw,
                       fh_session **out);
/*
 * The same checks without opening a session (404 token_not_found, 423
 * token_locked). Handlers with a body call it before reading the body, so a
 * token outside the key's scope answers exactly like an unknown one whatever
 * the body holds.
 */
bool srv_token_check(struct srv_req *req, struct srv_resp *resp, const char *label);

/* The server's context (for fh_mech_*, fh_audit_*, fh_apikey_*). */
fh_ctx *srv_ctx(const struct srv *srv);

/* Count one operation for /metrics: op "sign", mechanism name, result code. */
void srv_metric_op(struct srv *srv, const char *op, const char *mechanism, fh_rv result);

#endif /* FERROHSM_SERVER_SRV_H */
