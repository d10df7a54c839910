/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.h - a small REST client of ferrohsm-server (docs/api.md) on
 * libcurl and jansson, shared by the CLI's remote mode, the TUI and (later)
 * a PKCS#11 module that forwards to a server. Internal to the project: the
 * header is not installed and the library is static.
 *
 * Security properties:
 *   - TLS is always verified. With a CA file (cacert) the server's chain is
 *     checked against it; with neither cacert nor pin, against the system
 *     CAs. With a pin ("sha256//BASE64" of the server's public key, what the
 *     server prints at first start) and no cacert, the pin replaces chain
 *     and host name verification: the key itself is what is trusted. With
 *     both, both must hold. There is no "insecure" switch; plain http:// is
 *     accepted only to a loopback host (fh_client_url_check).
 *   - The API key is copied into memory the client cleanses when freed, is
 *     sent only as "Authorization: Bearer", never logged, never put in an
 *     error message. Redirects are not followed (a redirect could carry the
 *     header elsewhere); only http and https are enabled.
 *   - Request bodies (they may carry plaintext) and response bodies are
 *     cleansed after use; fh_client_resp_clear also cleanses the strings of
 *     the parsed JSON.
 *
 * Threads: one fh_client owns one CURL easy handle, reused across requests
 * so the TLS connection stays alive; a client must be used by one thread at
 * a time. For several threads use a pool (client_pool.h).
 */
#ifndef FERROHSM_CLIENT_CLIENT_H
#define FERROHSM_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ferrohsm/rv.h"

typedef struct fh_client fh_client;

#define FH_CLIENT_RESP_MAX ((size_t)16 << 20) /* largest response body accepted */

struct fh_client_opts {
    const char *url;         /* "https://host:8443" (a path prefix is allowed) */
    const char *api_key;     /* copied; may be NULL for the unauthenticated routes */
    const char *cacert;      /* PEM CA bundle file, or NULL */
    const char *pin;         /* "sha256//BASE64[;sha256//...]", or NULL */
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* whole request; 0: 60 s */
    const char *front;       /* User-Agent product, e.g. "ferrohsm-cli"; NULL: "ferrohsm-client" */
};

/* Why a request produced no HTTP response. */
enum fh_client_fail {
    FH_CLIENT_FAIL_NONE = 0, /* there is a response: status, maybe an error body */
    FH_CLIENT_FAIL_CONNECT,  /* name resolution or TCP connect failed */
    FH_CLIENT_FAIL_TLS,      /* handshake failed, certificate or pin not trusted */
    FH_CLIENT_FAIL_TIMEOUT,
    FH_CLIENT_FAIL_PROTOCOL, /* not HTTP, body too large, not JSON where JSON was due */
    FH_CLIENT_FAIL_OTHER,
};

struct fh_client_resp {
    long status;               /* HTTP status, 0 without a response */
    json_t *json;              /* the parsed body (owned), NULL for 204 or no body */
    fh_rv rv;                  /* FH_OK for 2xx; else the mapped server code or transport */
    enum fh_client_fail fail;  /* transport failure, FH_CLIENT_FAIL_NONE otherwise */
    char code[64];             /* the server's error code ("key_not_found"), or "" */
    char message[512];         /* the server's error message, or the transport's reason */
    char request_id[64];       /* X-Request-Id / error.request_id, or "" */
};

/*
 * Create a client. The options are validated (fh_client_url_check,
 * fh_client_pin_check, the CA file is readable) and copied; nothing is sent.
 * FH_E_ARGS with a reason in why (may be NULL) for bad options; FH_E_NOMEM.
 * Free with fh_client_free.
 */
fh_rv fh_client_new(const struct fh_client_opts *opts, fh_client **out, char *why,
                    size_t why_len);

/* Cleanse the API key, close the connection, free. NULL is a no-op. */
void fh_client_free(fh_client *c);

/* The base URL as given (borrowed), for messages. */
const char *fh_client_url(const fh_client *c);

/*
 * One request: method "GET" | "POST" | "PATCH" | "DELETE", path starting
 * with "/" (build it with fh_client_pathf so parameters are encoded), body
 * a JSON object or NULL (borrowed; serialised compactly and cleansed after
 * sending). *resp is always initialised; release it with
 * fh_client_resp_clear. The return value is resp->rv.
 *
 * An error response (status >= 400) with the documented shape fills code,
 * message and request_id and maps code to an fh_rv (client_err.h). A
 * transport failure sets resp->fail and a message; its rv is FH_E_IO
 * (FH_E_AUTH_FAILED for TLS: the server could not be authenticated).
 */
fh_rv fh_client_request(fh_client *c, const char *method, const char *path, json_t *body,
                        struct fh_client_resp *resp);

/* Free resp->json (its strings cleansed first) and reset resp. */
void fh_client_resp_clear(struct fh_client_resp *resp);

/*
 * Overwrite every string of a JSON tree in place with zeros (jansson owns
 * the memory; this is the way to cleanse plaintext it holds before
 * json_decref). NULL is a no-op.
 */
void fh_client_json_cleanse(json_t *j);

#endif /* FERROHSM_CLIENT_CLIENT_H */
