/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.c - the REST client on one reused CURL easy handle (see client.h).
 *
 * Ownership: struct fh_client owns the easy handle, the header list (whose
 * "Authorization: Bearer ..." entry is cleansed before it is freed), the
 * copy of the API key and the copies of the option strings. A request owns
 * its serialised body and the response buffer; both are cleansed when the
 * request ends, whatever the outcome.
 *
 * Every option that matters for security is set once in fh_client_new and
 * never changed by a request: verification, pin, protocols, redirects. A
 * request only sets the method, the URL and the body.
 */
#include "client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "client_err.h"
#include "client_url.h"

struct fh_client {
    CURL *curl;
    struct curl_slist *headers; /* Accept, Content-Type, Authorization (secret) */
    char *url;                  /* base URL without a trailing '/' */
    char *cacert;
    char *pin;
    char errbuf[CURL_ERROR_SIZE];
};

/* Response accumulator with a ceiling (STYLE rule 17). */
struct body {
    char *buf;
    size_t len;
    size_t cap;
    bool too_large;
};

struct hdrs {
    char request_id[64];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
    /* Not curl_global_cleanup'd: other users of libcurl may share the process. */
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
slist_free_cleanse(struct curl_slist *l)
{
    for (struct curl_slist *p = l; p != NULL; p = p->next) {
        if (p->data != NULL) {
            OPENSSL_cleanse(p->data, strlen(p->data));
        }
    }
    curl_slist_free_all(l);
}

/* Append a header; frees the list and returns NULL on failure. */
static struct curl_slist *
add_header(struct curl_slist *l, const char *h)
{
    struct curl_slist *n = curl_slist_append(l, h);

    if (n == NULL) {
        slist_free_cleanse(l);
    }
    return n;
}

static fh_rv
build_headers(fh_client *c, const char *api_key)
{
    struct curl_slist *l = NULL;

    l = add_header(l, "Accept: application/json");
    if (l != NULL) {
        l = add_header(l, "Content-Type: application/json");
    }
    /* curl adds "Expect: 100-continue" to large POSTs: one round trip more, for nothing */
    if (l != NULL) {
        l = add_header(l, "Expect:");
    }
    if (l != NULL && api_key != NULL) {
        size_t n = strlen("Authorization: Bearer ") + strlen(api_key) + 1;
        char *h = OPENSSL_malloc(n);

        if (h == NULL) {
            slist_free_cleanse(l);
            return FH_E_NOMEM;
        }
        snprintf(h, n, "Authorization: Bearer %s", api_key);
        l = add_header(l, h);
        OPENSSL_clear_free(h, n);
    }
    if (l == NULL) {
        return FH_E_NOMEM;
    }
    c->headers = l;
    return FH_OK;
}

static fh_rv
why_fail(char *why, size_t why_len, fh_rv rv, const char *msg)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s", msg);
    }
    return rv;
}

/* The API key goes into a header line: refuse bytes that could split it. */
static bool
api_key_ok(const char *k)
{
    if (k[0] == '\0') {
        return false;
    }
    for (const char *p = k; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

static fh_rv
set_options(fh_client *c, const struct fh_client_opts *o)
{
    long cto = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    long to = o->timeout_ms > 0 ? o->timeout_ms : 60000;
    char ua[96];
    CURLcode rc = CURLE_OK;

    snprintf(ua, sizeof(ua), "%s", o->front != NULL ? o->front : "ferrohsm-client");
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK) {                                                                      \
            rc = curl_easy_setopt(c->curl, opt, val);                                              \
        }                                                                                          \
    } while (0)
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, c->errbuf);
    SET(CURLOPT_CONNECTTIMEOUT_MS, cto);
    SET(CURLOPT_TIMEOUT_MS, to);
    SET(CURLOPT_USERAGENT, ua);
    SET(CURLOPT_HTTPHEADER, c->headers);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->cacert != NULL) {
        SET(CURLOPT_CAINFO, c->cacert);
        SET(CURLOPT_CAPATH, (char *)NULL); /* this bundle only, not the system directory */
    }
    if (c->pin != NULL) {
        SET(CURLOPT_PINNEDPUBLICKEY, c->pin);
        if (c->cacert == NULL) {
            /*
             * The pin alone: the server's key is what is trusted (a
             * self-signed certificate whose key the server printed at first
             * start). curl checks the pin whatever VERIFYPEER says.
             */
            SET(CURLOPT_SSL_VERIFYPEER, 0L);
            SET(CURLOPT_SSL_VERIFYHOST, 0L);
        }
    }
#undef SET
    return rc == CURLE_OK ? FH_OK : (rc == CURLE_OUT_OF_MEMORY ? FH_E_NOMEM : FH_E_GENERAL);
}

fh_rv
fh_client_new(const struct fh_client_opts *opts, fh_client **out, char *why, size_t why_len)
{
    fh_client *c = NULL;
    bool https = false;
    size_t ul;
    fh_rv rv;

    if (opts == NULL || out == NULL) {
        return why_fail(why, why_len, FH_E_ARGS, "no options");
    }
    rv = fh_client_url_check(opts->url, &https, why, why_len);
    if (rv != FH_OK) {
        return rv;
    }
    if (opts->pin != NULL && fh_client_pin_check(opts->pin) != FH_OK) {
        return why_fail(why, why_len, FH_E_ARGS,
                        "bad server pin: expected sha256// and the base64 of 32 bytes");
    }
    if (!https && (opts->pin != NULL || opts->cacert != NULL)) {
        return why_fail(why, why_len, FH_E_ARGS, "a CA file or pin needs an https:// URL");
    }
    if (opts->cacert != NULL && access(opts->cacert, R_OK) != 0) {
        return why_fail(why, why_len, FH_E_ARGS, "the CA file cannot be read");
    }
    if (opts->api_key != NULL && !api_key_ok(opts->api_key)) {
        return why_fail(why, why_len, FH_E_ARGS, "the API key is empty or holds control characters");
    }
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        return why_fail(why, why_len, FH_E_GENERAL, "libcurl could not be initialised");
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return FH_E_NOMEM;
    }
    ul = strlen(opts->url);
    while (ul > 0 && opts->url[ul - 1] == '/') {
        ul--;
    }
    c->url = strndup(opts->url, ul);
    c->cacert = opts->cacert != NULL ? strdup(opts->cacert) : NULL;
    c->pin = opts->pin != NULL ? strdup(opts->pin) : NULL;
    c->curl = curl_easy_init();
    if (c->url == NULL || c->curl == NULL || (opts->cacert != NULL && c->cacert == NULL) ||
        (opts->pin != NULL && c->pin == NULL)) {
        rv = FH_E_NOMEM;
        goto fail;
    }
    rv = build_headers(c, opts->api_key);
    if (rv == FH_OK) {
        rv = set_options(c, opts);
    }
    if (rv != FH_OK) {
        goto fail;
    }
    *out = c;
    return FH_OK;
fail:
    fh_client_free(c);
    return why_fail(why, why_len, rv, "cannot set up the HTTP client");
}

void
fh_client_free(fh_client *c)
{
    if (c == NULL) {
        return;
    }
    if (c->curl != NULL) {
        curl_easy_cleanup(c->curl);
    }
    slist_free_cleanse(c->headers);
    free(c->url);
    free(c->cacert);
    free(c->pin);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

const char *
fh_client_url(const fh_client *c)
{
    return c->url;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct body *b = arg;
    size_t n = size * nmemb;

    if (n > FH_CLIENT_RESP_MAX - b->len) {
        b->too_large = true;
        return 0; /* aborts the transfer */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 4096;
        char *nb;

        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        nb = malloc(cap);
        if (nb == NULL) {
            return 0;
        }
        if (b->len > 0) {
            memcpy(nb, b->buf, b->len);
        }
        if (b->buf != NULL) {
            OPENSSL_cleanse(b->buf, b->cap);
            free(b->buf);
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct hdrs *h = arg;
    size_t n = size * nmemb;
    static const char name[] = "x-request-id:";

    if (n > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
        size_t i = sizeof(name) - 1, o = 0;

        while (i < n && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        /* docs/api.md: 1..63 of [A-Za-z0-9._-]; anything else is cut off */
        while (i < n && o + 1 < sizeof(h->request_id) &&
               (p[i] == '.' || p[i] == '_' || p[i] == '-' || (p[i] >= '0' && p[i] <= '9') ||
                (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z'))) {
            h->request_id[o++] = p[i++];
        }
        h->request_id[o] = '\0';
    }
    return n;
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
    size_t o = 0;

    /* one line, no control characters: these strings end up on a terminal */
    for (; src != NULL && *src != '\0' && o + 1 < cap; src++) {
        dst[o++] = ((unsigned char)*src < 0x20 || *src == 0x7f) ? '?' : *src;
    }
    dst[o] = '\0';
}

/*
 * libcurl's result codes, by what they mean to a caller. A table, not a
 * switch: CURLcode is libcurl's enum, far larger than what matters here,
 * and -Wswitch-enum is for our own enums. Anything else is "other".
 */
static const struct {
    CURLcode rc;
    enum fh_client_fail fail;
} curl_fails[] = {
    {CURLE_COULDNT_RESOLVE_HOST, FH_CLIENT_FAIL_CONNECT},
    {CURLE_COULDNT_RESOLVE_PROXY, FH_CLIENT_FAIL_CONNECT},
    {CURLE_COULDNT_CONNECT, FH_CLIENT_FAIL_CONNECT},
    {CURLE_OPERATION_TIMEDOUT, FH_CLIENT_FAIL_TIMEOUT},
    {CURLE_SSL_CONNECT_ERROR, FH_CLIENT_FAIL_TLS},
    {CURLE_PEER_FAILED_VERIFICATION, FH_CLIENT_FAIL_TLS},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, FH_CLIENT_FAIL_TLS},
    {CURLE_SSL_CACERT_BADFILE, FH_CLIENT_FAIL_TLS},
    {CURLE_SSL_CERTPROBLEM, FH_CLIENT_FAIL_TLS},
    {CURLE_SSL_CIPHER, FH_CLIENT_FAIL_TLS},
    {CURLE_SSL_ISSUER_ERROR, FH_CLIENT_FAIL_TLS},
    {CURLE_SSL_CRL_BADFILE, FH_CLIENT_FAIL_TLS},
    {CURLE_WRITE_ERROR, FH_CLIENT_FAIL_PROTOCOL},
    {CURLE_WEIRD_SERVER_REPLY, FH_CLIENT_FAIL_PROTOCOL},
    {CURLE_GOT_NOTHING, FH_CLIENT_FAIL_PROTOCOL},
    {CURLE_RECV_ERROR, FH_CLIENT_FAIL_PROTOCOL},
    {CURLE_SEND_ERROR, FH_CLIENT_FAIL_PROTOCOL},
    {CURLE_HTTP2, FH_CLIENT_FAIL_PROTOCOL},
    {CURLE_PARTIAL_FILE, FH_CLIENT_FAIL_PROTOCOL},
};

static enum fh_client_fail
classify(CURLcode rc)
{
    for (size_t i = 0; i < sizeof(curl_fails) / sizeof(curl_fails[0]); i++) {
        if (curl_fails[i].rc == rc) {
            return curl_fails[i].fail;
        }
    }
    return FH_CLIENT_FAIL_OTHER;
}

/* Fill code/message/request_id from {"error": {...}} and map the code. */
static void
parse_error(struct fh_client_resp *r)
{
    json_t *e = json_is_object(r->json) ? json_object_get(r->json, "error") : NULL;

    if (json_is_object(e)) {
        const char *rid = json_string_value(json_object_get(e, "request_id"));

        copy_str(r->code, sizeof(r->code), json_string_value(json_object_get(e, "code")));
        copy_str(r->message, sizeof(r->message),
                 json_string_value(json_object_get(e, "message")));
        if (rid != NULL) {
            copy_str(r->request_id, sizeof(r->request_id), rid);
        }
    }
    if (r->message[0] == '\0') {
        snprintf(r->message, sizeof(r->message), "HTTP status %ld", r->status);
    }
    r->rv = fh_client_rv_from_code(r->code, r->status);
}

static fh_rv
transport_fail(struct fh_client_resp *r, enum fh_client_fail f, const char *msg)
{
    r->fail = f;
    copy_str(r->message, sizeof(r->message), msg);
    r->rv = f == FH_CLIENT_FAIL_TLS ? FH_E_AUTH_FAILED : FH_E_IO;
    return r->rv;
}

fh_rv
fh_client_request(fh_client *c, const char *method, const char *path, json_t *body,
                  struct fh_client_resp *resp)
{
    struct body b = {NULL, 0, 0, false};
    struct hdrs h;
    char *url = NULL, *data = NULL;
    size_t url_len, data_len = 0;
    CURLcode rc = CURLE_OK;

    memset(resp, 0, sizeof(*resp));
    memset(&h, 0, sizeof(h));
    resp->rv = FH_E_GENERAL;
    if (c == NULL || method == NULL || path == NULL || path[0] != '/') {
        resp->rv = FH_E_ARGS;
        return resp->rv;
    }
    url_len = strlen(c->url) + strlen(path) + 1;
    url = malloc(url_len);
    if (url == NULL) {
        return transport_fail(resp, FH_CLIENT_FAIL_OTHER, "out of memory");
    }
    snprintf(url, url_len, "%s%s", c->url, path);
    if (body != NULL) {
        /*
         * Measured, then written into our own buffer: json_dumps would grow
         * copies of the body (it may hold PINs or plaintext) that jansson
         * frees uncleansed, and its result belongs to jansson's allocator.
         */
        data_len = json_dumpb(body, NULL, 0, JSON_COMPACT);
        data = data_len > 0 ? malloc(data_len + 1) : NULL;
        if (data == NULL || json_dumpb(body, data, data_len, JSON_COMPACT) != data_len) {
            if (data != NULL) {
                OPENSSL_cleanse(data, data_len);
            }
            free(data);
            free(url);
            resp->rv = FH_E_NOMEM;
            return resp->rv;
        }
        data[data_len] = '\0';
    }
    c->errbuf[0] = '\0';
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK) {                                                                      \
            rc = curl_easy_setopt(c->curl, opt, val);                                              \
        }                                                                                          \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, &b);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, &h);
    if (data != NULL) {
        SET(CURLOPT_POSTFIELDS, data);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)data_len);
        SET(CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") == 0 ? NULL : method);
    } else {
        SET(CURLOPT_HTTPGET, 1L);
        SET(CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
    }
#undef SET
    if (rc == CURLE_OK) {
        rc = curl_easy_perform(c->curl);
    }
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    }
    copy_str(resp->request_id, sizeof(resp->request_id), h.request_id);
    if (b.too_large) {
        transport_fail(resp, FH_CLIENT_FAIL_PROTOCOL, "response too large");
    } else if (rc != CURLE_OK) {
        transport_fail(resp, classify(rc),
                       c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(rc));
    } else {
        json_error_t jerr;

        if (b.len > 0) {
            resp->json = json_loadb(b.buf, b.len, 0, &jerr);
        }
        if (resp->status >= 200 && resp->status < 300) {
            if (b.len > 0 && resp->json == NULL) {
                transport_fail(resp, FH_CLIENT_FAIL_PROTOCOL, "the server's answer is not JSON");
            } else {
                resp->rv = FH_OK;
            }
        } else {
            parse_error(resp);
        }
    }
    /* The body held in libcurl must not outlive the request: drop the pointer. */
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, (char *)NULL);
    if (data != NULL) {
        OPENSSL_cleanse(data, data_len);
        free(data);
    }
    if (b.buf != NULL) {
        OPENSSL_cleanse(b.buf, b.cap);
        free(b.buf);
    }
    free(url);
    return resp->rv;
}

void
fh_client_json_cleanse(json_t *j)
{
    const char *k;
    json_t *v;
    size_t i;

    if (json_is_string(j)) {
        /* jansson's storage, writable: the const is only the API's promise */
        OPENSSL_cleanse((void *)json_string_value(j), json_string_length(j));
    } else if (json_is_object(j)) {
        json_object_foreach(j, k, v)
        {
            fh_client_json_cleanse(v);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            fh_client_json_cleanse(v);
        }
    }
}

void
fh_client_resp_clear(struct fh_client_resp *resp)
{
    if (resp == NULL) {
        return;
    }
    fh_client_json_cleanse(resp->json);
    json_decref(resp->json);
    memset(resp, 0, sizeof(*resp));
}
