/* SPDX-License-Identifier: Apache-2.0 */
/*
 * restbench.c - sign throughput of one named key over the REST API, and of
 * the same key through a PKCS#11 slot, so the two compare side by side.
 *
 *   restbench rest --url URL --cacert PEM --api-key-file FILE --token T --key K
 *                  --case CASE [--threads N] [--seconds S]
 *   restbench wire --url URL --cacert PEM --api-key-file FILE --token T --key K
 *                  --case CASE --connections N [--threads M] [--seconds S]
 *   restbench p11  --module SO --slot-label L [--pin PIN] --key K --pubkey PEM
 *                  --case CASE [--threads N] [--seconds S]
 *   restbench wait --url URL --cacert PEM [--seconds S]
 *
 * CASE is ecdsa-p256-sign (CKM_ECDSA / "ECDSA", 32-byte input, raw r||s) or
 * rsa2048-pkcs1-sign (CKM_SHA256_RSA_PKCS / "SHA256_RSA_PKCS", 32-byte
 * message): the operations of p11bench's cases of the same names.
 *
 * rest: each thread owns one fh_client (one libcurl handle, so one HTTPS
 * keep-alive connection) for the whole run and sends
 * POST /v1/tokens/{T}/keys/{K}/sign. The public key comes from
 * GET /v1/tokens/{T}/keys/{K} (public_key_pem).
 * wire: the same request and checks, with HTTP/1.1 over TLS 1.3 written
 * directly on OpenSSL: a load generator that costs little CPU per request
 * and keeps N requests in flight from M threads (default 1), so that the
 * figure is the server's throughput rather than one connection's round
 * trip. Each thread owns N/M keep-alive connections and drives them from
 * one epoll set; a connection has at most one request in flight (no
 * pipelining). The server certificate is verified against --cacert, and
 * the URL's host against it (an IP address against the IP SANs).
 * p11: the module is reached through dlopen + C_GetFunctionList; the private
 * key is found by CKA_LABEL; each thread has its own session and does
 * C_SignInit + C_Sign per operation. Without --pin the login is
 * C_Login(CKU_USER, NULL, 0), a protected authentication path (remote slots).
 * The public key is a PEM file made by other means (the CLI), not by the
 * module under test.
 * wait: poll GET /v1/health/ready until 200 (the certificate file may not
 * exist yet); exit 0 when ready, 2 after S seconds (default 30).
 *
 * Each thread: a warm-up of ~0.2 s in which every signature is verified with
 * libcrypto against the public key, then S seconds of the bare loop in which
 * every response is still checked (status, signature length; RSA PKCS#1 v1.5
 * is deterministic, so each RSA signature must equal the verified one).
 * Output on stdout, as p11bench:
 *
 *   name threads ops_per_sec                         (wire: connections, not
 *                                                    threads)
 *   # cpu name threads user_s sys_s ops warmup_ops   (CPU of this process in
 *                                                    the timed phase)
 *
 * Lines starting with '#' are notes. Exit 1 when the case failed, 2 on a
 * usage or set-up error. The API key is read from a file, never argv, and
 * cleansed from memory at the end.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <ferrohsm/pkcs11/pkcs11.h>

#include "client.h"
#include "client_b64.h"
#include "client_url.h"

#define WARMUP_SECONDS 0.2
#define MSG_LEN 32
#define SIG_MAX 512
#define MAX_THREADS 64 /* fh_client connections are one per thread */
#define KEY_FILE_MAX 512
#define WIRE_MAX_CONNS 1024
#define WIRE_RESP_MAX 16384   /* one response, head and body */
#define WIRE_TIMEOUT_MS 30000 /* no event on any connection of a thread for this long: fail */
#define WIRE_EVENTS 64

enum mode { MODE_REST, MODE_WIRE, MODE_P11, MODE_WAIT };

struct bcase {
    const char *name;
    const char *rest_mech;
    CK_MECHANISM_TYPE ck_mech;
    const char *pkey_type; /* EVP_PKEY_is_a */
    int bits;
    size_t sig_len;
    bool deterministic;
};

static const struct bcase cases[] = {
    {"ecdsa-p256-sign", "ECDSA", CKM_ECDSA, "EC", 256, 64, false},
    {"rsa2048-pkcs1-sign", "SHA256_RSA_PKCS", CKM_SHA256_RSA_PKCS, "RSA", 2048, 256, true},
};

/* Read-only for the workers once they run. */
struct bench {
    enum mode mode;
    const struct bcase *c;
    unsigned threads;
    double seconds;
    EVP_PKEY *pub;
    uint8_t msg[MSG_LEN];
    /* rest, wire */
    const char *url, *cacert, *token, *key;
    char *api_key;
    char *path; /* .../keys/{K}/sign */
    /* wire */
    unsigned conns;
    char *host;      /* from the URL, without brackets */
    char *authority; /* host[:port] as in the URL: the Host header */
    char *prefix;    /* the URL's path, without a trailing '/' */
    bool host_is_ip;
    struct addrinfo *ai;
    SSL_CTX *tls;
    char *req; /* the whole request, head and body; holds the API key */
    size_t req_len;
    /* p11 */
    CK_FUNCTION_LIST_PTR fl;
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE priv;
    pthread_barrier_t barrier;
};

/* wire: one keep-alive connection; at most one request in flight. */
enum wire_state {
    WIRE_IDLE, /* nothing in flight */
    WIRE_SEND, /* SSL_write would block: retried with the same arguments */
    WIRE_RECV, /* the request is out; reading the response */
};

struct wconn {
    unsigned id; /* 0..N-1 over all threads, for messages */
    int fd;
    SSL *ssl;
    enum wire_state st;
    uint32_t events; /* the epoll interest set now */
    char *in;        /* WIRE_RESP_MAX bytes */
    size_t in_len;
    size_t scan;     /* where the search for the end of the head resumes */
    size_t head_len; /* status line + fields + CRLF; 0 until all of it is in */
    size_t body_len; /* Content-Length */
    long status;
    bool closing; /* "Connection: close" in the response */
};

/* One thread's state; the first failure is in why. */
struct worker {
    struct bench *b;
    unsigned idx;
    pthread_t tid;
    fh_client *cl;
    json_t *body;
    struct wconn *wc; /* wire: this thread's connections */
    unsigned nwc;
    int ep; /* wire: epoll set, -1 when none */
    CK_SESSION_HANDLE s;
    uint64_t ops;
    double secs;
    uint64_t verified;
    uint8_t ref[SIG_MAX]; /* the first verified signature (deterministic cases) */
    size_t ref_len;
    char why[256];
};

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Record the first failure of w; returns -1 so callers can `return bad(...)`. */
__attribute__((format(printf, 2, 3))) static int
bad(struct worker *w, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *
ckr_hex(CK_RV rv, char *buf, size_t len)
{
    snprintf(buf, len, "CKR 0x%08lx", (unsigned long)rv);
    return buf;
}

/* ------------------------------------------------------- libcrypto checks */

/* true when sig (raw r||s for ECDSA) is a valid signature of b->msg. */
static bool
verify_sig(const struct bench *b, const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY_CTX *pc = NULL;
    EVP_MD_CTX *mc = NULL;
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *der = NULL;
    int der_len;
    bool ok = false;

    if (sig_len != b->c->sig_len) {
        return false;
    }
    if (b->c->ck_mech == CKM_ECDSA) {
        es = ECDSA_SIG_new();
        r = BN_bin2bn(sig, 32, NULL);
        s = BN_bin2bn(sig + 32, 32, NULL);
        if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
            goto out;
        }
        r = s = NULL; /* owned by es */
        der_len = i2d_ECDSA_SIG(es, &der);
        pc = EVP_PKEY_CTX_new(b->pub, NULL);
        ok = der_len > 0 && pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
             EVP_PKEY_verify(pc, der, (size_t)der_len, b->msg, sizeof b->msg) == 1;
    } else {
        mc = EVP_MD_CTX_new();
        ok = mc != NULL && EVP_DigestVerifyInit(mc, NULL, EVP_sha256(), NULL, b->pub) == 1 &&
             EVP_DigestVerify(mc, sig, sig_len, b->msg, sizeof b->msg) == 1;
    }
out:
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    EVP_PKEY_CTX_free(pc);
    EVP_MD_CTX_free(mc);
    return ok;
}

/* Check one signature: verified with libcrypto in the warm-up, compared
 * with the verified one (deterministic cases) or length-checked after. */
static int
check_sig(struct worker *w, const uint8_t *sig, size_t sig_len, bool full)
{
    const struct bench *b = w->b;

    if (sig_len != b->c->sig_len) {
        return bad(w, "signature of %zu bytes, expected %zu", sig_len, b->c->sig_len);
    }
    if (full) {
        if (!verify_sig(b, sig, sig_len)) {
            return bad(w, "%s", "signature does not verify with libcrypto");
        }
        w->verified++;
        if (w->ref_len == 0) {
            memcpy(w->ref, sig, sig_len);
            w->ref_len = sig_len;
        }
    }
    if (b->c->deterministic && w->ref_len != 0 && memcmp(sig, w->ref, sig_len) != 0) {
        return bad(w, "%s", "an RSA PKCS#1 v1.5 signature differs from the verified one");
    }
    return 0;
}

static EVP_PKEY *
pubkey_from_pem(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

    BIO_free(bio);
    return k;
}

/* ------------------------------------------------------------------- REST */

static fh_rv
client_new(const struct bench *b, const char *api_key, fh_client **out, char *why, size_t len)
{
    struct fh_client_opts o;

    memset(&o, 0, sizeof o);
    o.url = b->url;
    o.api_key = api_key;
    o.cacert = b->cacert;
    o.timeout_ms = 30000;
    o.front = "ferrohsm-restbench";
    return fh_client_new(&o, out, why, len);
}

/* The sign request's JSON body (rest and wire send the same), or NULL. */
static json_t *
sign_body(const struct bench *b)
{
    char *b64 = NULL;
    json_t *j;

    if (fh_client_b64_encode(b->msg, sizeof b->msg, &b64) != FH_OK) {
        return NULL;
    }
    j = json_pack("{s:s, s:s, s:s}", "mechanism", b->c->rest_mech, "data", b64, "format", "raw");
    free(b64);
    return j;
}

static int
rest_open(struct worker *w)
{
    struct bench *b = w->b;
    char why[256] = "";

    if (client_new(b, b->api_key, &w->cl, why, sizeof why) != FH_OK) {
        return bad(w, "fh_client_new: %.200s", why);
    }
    w->body = sign_body(b);
    return w->body != NULL ? 0 : bad(w, "%s", "cannot build the request body");
}

static int
rest_op(struct worker *w, bool full)
{
    struct fh_client_resp r;
    const char *sig64;
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    int rc = -1;

    if (fh_client_request(w->cl, "POST", w->b->path, w->body, &r) != FH_OK) {
        bad(w, "POST sign: HTTP %ld: %.200s", r.status, r.message[0] != '\0' ? r.message : r.code);
        goto out;
    }
    sig64 = json_string_value(json_object_get(r.json, "signature"));
    if (r.status != 200 || sig64 == NULL ||
        fh_client_b64_decode(sig64, strlen(sig64), SIG_MAX, &sig, &sig_len) != FH_OK) {
        bad(w, "%s", "POST sign: no base64 \"signature\" in a 200 answer");
        goto out;
    }
    rc = check_sig(w, sig, sig_len, full);
out:
    free(sig);
    fh_client_resp_clear(&r);
    return rc;
}

static void
rest_close(struct worker *w)
{
    json_decref(w->body);
    fh_client_free(w->cl);
}

/* The API key file: the key and at most one newline. */
static int
read_key_file(const char *path, char **out)
{
    char buf[KEY_FILE_MAX + 2];
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "restbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    if (n > 0 && buf[n - 1] == '\n') {
        n--;
    }
    if (n == 0 || n > KEY_FILE_MAX || memchr(buf, '\n', n) != NULL) {
        OPENSSL_cleanse(buf, sizeof buf);
        fprintf(stderr, "restbench: %s: not one API key\n", path);
        return -1;
    }
    buf[n] = '\0';
    *out = OPENSSL_strndup(buf, n);
    OPENSSL_cleanse(buf, sizeof buf);
    return *out != NULL ? 0 : -1;
}

/* GET .../keys/{K}: public_key_pem into b->pub, checked against the case. */
static int
rest_setup(struct bench *b)
{
    fh_client *cl = NULL;
    struct fh_client_resp r;
    char why[256] = "";
    char *kpath = NULL;
    const char *pem;
    int rc = -1;

    memset(&r, 0, sizeof r);
    b->path = fh_client_pathf("/v1/tokens/{}/keys/{}/sign", b->token, b->key);
    kpath = fh_client_pathf("/v1/tokens/{}/keys/{}", b->token, b->key);
    if (b->path == NULL || kpath == NULL) {
        goto out;
    }
    if (client_new(b, b->api_key, &cl, why, sizeof why) != FH_OK) {
        fprintf(stderr, "restbench: fh_client_new: %s\n", why);
        goto out;
    }
    if (fh_client_request(cl, "GET", kpath, NULL, &r) != FH_OK) {
        fprintf(stderr, "restbench: GET %s: HTTP %ld %s %s\n", kpath, r.status, r.code,
                r.message);
        goto out;
    }
    pem = json_string_value(json_object_get(json_object_get(r.json, "key"), "public_key_pem"));
    if (pem == NULL || (b->pub = pubkey_from_pem(pem, strlen(pem))) == NULL) {
        fprintf(stderr, "restbench: GET %s: no usable public_key_pem\n", kpath);
        goto out;
    }
    rc = 0;
out:
    fh_client_resp_clear(&r);
    fh_client_free(cl);
    free(kpath);
    return rc;
}

static int
wait_ready(struct bench *b)
{
    double end = now() + b->seconds;
    char why[256] = "";
    struct timespec nap = {0, 50 * 1000 * 1000};

    do {
        fh_client *cl = NULL;
        struct fh_client_resp r;
        bool ready = false;

        if (client_new(b, NULL, &cl, why, sizeof why) == FH_OK) {
            (void)fh_client_request(cl, "GET", "/v1/health/ready", NULL, &r);
            ready = r.status == 200;
            snprintf(why, sizeof why, "HTTP %ld %.200s", r.status, r.message);
            fh_client_resp_clear(&r);
            fh_client_free(cl);
        }
        if (ready) {
            return 0;
        }
        nanosleep(&nap, NULL);
    } while (now() < end);
    fprintf(stderr, "restbench: %s not ready after %.0f s (%s)\n", b->url, b->seconds, why);
    return 2;
}

/* ------------------------------------------------------------------- wire */

/*
 * The request is built once (wire_setup) and written whole on every
 * connection. A connection moves IDLE -> RECV (SSL_write done; SEND while
 * it would block) -> response complete and checked -> RECV again, or IDLE
 * when the phase is over. Sockets are non-blocking after the handshake and
 * each thread waits on its own epoll set (level-triggered; the interest is
 * EPOLLIN except while OpenSSL waits to write). Responses: an HTTP/1.1
 * status line, header fields, then exactly Content-Length body bytes;
 * ferrohsm-server (libmicrohttpd, whole-buffer responses) always sends
 * Content-Length, so Transfer-Encoding is refused with a message rather
 * than half supported. Bytes past the response with no request in flight
 * are an error: nothing is pipelined.
 */

/* Why the last SSL call on ssl (returning ret, errno saved in err) failed. */
static const char *
tls_reason(SSL *ssl, int ret, int err, char *buf, size_t len)
{
    int e = SSL_get_error(ssl, ret);
    unsigned long code = ERR_peek_last_error();

    if (e == SSL_ERROR_ZERO_RETURN ||
        (e == SSL_ERROR_SYSCALL && code == 0 && (ret == 0 || err == 0)) ||
        (code != 0 && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        snprintf(buf, len, "the server closed the connection");
    } else if (e == SSL_ERROR_SYSCALL && code == 0) {
        snprintf(buf, len, "%s", strerror(err));
    } else if (code != 0) {
        ERR_error_string_n(code, buf, len);
    } else {
        snprintf(buf, len, "SSL error %d", e);
    }
    ERR_clear_error();
    return buf;
}

/* Make the epoll interest of c exactly ev (a syscall only on a change). */
static int
wire_want(struct worker *w, struct wconn *c, uint32_t ev)
{
    struct epoll_event e;

    if (c->events == ev) {
        return 0;
    }
    memset(&e, 0, sizeof e);
    e.events = ev;
    e.data.ptr = c;
    if (epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &e) != 0) {
        return bad(w, "connection %u: epoll_ctl: %s", c->id, strerror(errno));
    }
    c->events = ev;
    return 0;
}

/* Write the request on c (again, after a WANT_*). 0 or -1. */
static int
wire_send(struct worker *w, struct wconn *c)
{
    const struct bench *b = w->b;
    char e[200];
    int n, err;

    c->in_len = c->scan = c->head_len = c->body_len = 0;
    c->status = 0;
    c->closing = false;
    errno = 0;
    n = SSL_write(c->ssl, b->req, (int)b->req_len);
    err = errno;
    if (n > 0) {
        c->st = WIRE_RECV;
        return wire_want(w, c, EPOLLIN);
    }
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_WRITE: c->st = WIRE_SEND; return wire_want(w, c, EPOLLOUT);
    case SSL_ERROR_WANT_READ: c->st = WIRE_SEND; return wire_want(w, c, EPOLLIN);
    default:
        return bad(w, "connection %u: sending the request: %s", c->id,
                   tls_reason(c->ssl, n, err, e, sizeof e));
    }
}

/* Case-insensitive: does the field name [p, p+n) equal name? */
static bool
field_is(const char *p, size_t n, const char *name)
{
    return n == strlen(name) && strncasecmp(p, name, n) == 0;
}

/* Status line and header fields of c->in[0..head_len). 0 or -1. */
static int
wire_head(struct worker *w, struct wconn *c)
{
    const char *p = c->in, *end = c->in + c->head_len - 2; /* the blank line */
    const char *eol = memchr(p, '\r', (size_t)(end - p) + 1);
    bool have_len = false;

    if (eol == NULL || eol[1] != '\n' || eol - p < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0 ||
        p[9] < '1' || p[9] > '5' ||
        p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
        (eol - p > 12 && p[12] != ' ')) {
        return bad(w, "connection %u: the response does not start with an HTTP/1.1 status line",
                   c->id);
    }
    c->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    for (p = eol + 2; p < end; p = eol + 2) {
        const char *colon, *v, *ve;

        eol = memchr(p, '\r', (size_t)(end - p) + 1);
        if (eol == NULL || eol[1] != '\n') {
            return bad(w, "connection %u: a bare CR in the response head", c->id);
        }
        colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL || colon == p || *p == ' ' || *p == '\t') {
            return bad(w, "connection %u: a malformed header field in the response", c->id);
        }
        for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++) {
        }
        for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--) {
        }
        if (field_is(p, (size_t)(colon - p), "Content-Length")) {
            size_t n = 0;

            if (v == ve) {
                return bad(w, "connection %u: an empty Content-Length", c->id);
            }
            for (const char *d = v; d < ve; d++) {
                if (*d < '0' || *d > '9' || n > WIRE_RESP_MAX) {
                    return bad(w, "connection %u: Content-Length is not a number up to %d", c->id,
                               WIRE_RESP_MAX);
                }
                n = n * 10 + (size_t)(*d - '0');
            }
            if (have_len && n != c->body_len) {
                return bad(w, "connection %u: two different Content-Length fields", c->id);
            }
            c->body_len = n;
            have_len = true;
        } else if (field_is(p, (size_t)(colon - p), "Transfer-Encoding")) {
            return bad(w,
                       "connection %u: a response with Transfer-Encoding (restbench wire reads "
                       "Content-Length bodies only, which is what ferrohsm-server sends)",
                       c->id);
        } else if (field_is(p, (size_t)(colon - p), "Connection")) {
            for (const char *t = v; ve - t >= 5; t++) {
                if (strncasecmp(t, "close", 5) == 0) {
                    c->closing = true;
                }
            }
        }
    }
    if (c->status < 200) {
        return bad(w, "connection %u: an interim response %ld (no Expect was sent)", c->id,
                   c->status);
    }
    if (!have_len && c->status != 204 && c->status != 304) {
        return bad(w, "connection %u: HTTP %ld without Content-Length", c->id, c->status);
    }
    if (c->head_len + c->body_len > WIRE_RESP_MAX) {
        return bad(w, "connection %u: a response larger than %d bytes", c->id, WIRE_RESP_MAX);
    }
    return 0;
}

/* 1 when c->in holds one whole response, 0 when more is due, -1. */
static int
wire_parse(struct worker *w, struct wconn *c)
{
    if (c->head_len == 0) {
        for (size_t i = c->scan; i + 4 <= c->in_len; i++) {
            if (memcmp(c->in + i, "\r\n\r\n", 4) == 0) {
                c->head_len = i + 4;
                break;
            }
        }
        if (c->head_len == 0) {
            c->scan = c->in_len > 3 ? c->in_len - 3 : 0;
            return 0;
        }
        if (wire_head(w, c) != 0) {
            return -1;
        }
    }
    if (c->in_len - c->head_len < c->body_len) {
        return 0;
    }
    if (c->in_len - c->head_len > c->body_len) {
        return bad(w, "connection %u: %zu bytes after the response, with no request pipelined",
                   c->id, c->in_len - c->head_len - c->body_len);
    }
    return 1;
}

/* Read what has arrived on c: 1 when a whole response is in, 0 to wait, -1. */
static int
wire_recv(struct worker *w, struct wconn *c)
{
    char e[200];

    if (wire_want(w, c, EPOLLIN) != 0) {
        return -1;
    }
    for (;;) {
        size_t room = WIRE_RESP_MAX - c->in_len;
        int n, err, rc;

        if (room == 0) {
            return bad(w, "connection %u: a response larger than %d bytes", c->id, WIRE_RESP_MAX);
        }
        errno = 0;
        n = SSL_read(c->ssl, c->in + c->in_len, (int)room);
        err = errno;
        if (n <= 0) {
            switch (SSL_get_error(c->ssl, n)) {
            case SSL_ERROR_WANT_READ: return 0;
            case SSL_ERROR_WANT_WRITE: return wire_want(w, c, EPOLLOUT);
            default:
                return bad(w, "connection %u: %s%s", c->id, tls_reason(c->ssl, n, err, e, sizeof e),
                           c->in_len > 0 ? " in the middle of a response" : "");
            }
        }
        c->in_len += (size_t)n;
        rc = wire_parse(w, c);
        if (rc != 0) {
            return rc;
        }
    }
}

/* An epoll event on c: 1 when a whole response is in, 0 to wait, -1. */
static int
wire_event(struct worker *w, struct wconn *c)
{
    int rc;

    switch (c->st) {
    case WIRE_SEND: return wire_send(w, c);
    case WIRE_RECV: return wire_recv(w, c);
    case WIRE_IDLE:
        /* TLS records the server may send at any time (tickets) are fine;
         * application bytes or a close are not */
        rc = wire_recv(w, c);
        if (rc < 0) {
            return -1;
        }
        if (rc > 0 || c->in_len > 0) {
            return bad(w, "connection %u: bytes from the server with no request in flight", c->id);
        }
        return 0;
    }
    return bad(w, "connection %u: bad state", c->id);
}

/* Check the complete response in c (status, then the signature). */
static int
wire_check(struct worker *w, struct wconn *c, bool full)
{
    json_t *j = c->body_len > 0 ? json_loadb(c->in + c->head_len, c->body_len, 0, NULL) : NULL;
    const char *sig64 = json_string_value(json_object_get(j, "signature"));
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    int rc = -1;

    if (c->status != 200) {
        json_t *e = json_object_get(j, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));

        bad(w, "connection %u: POST sign: HTTP %ld %.60s: %.140s", c->id, c->status,
            code != NULL ? code : "", msg != NULL ? msg : "(no error body)");
        goto out;
    }
    if (sig64 == NULL ||
        fh_client_b64_decode(sig64, strlen(sig64), SIG_MAX, &sig, &sig_len) != FH_OK) {
        bad(w, "connection %u: POST sign: no base64 \"signature\" in a 200 answer", c->id);
        goto out;
    }
    if (check_sig(w, sig, sig_len, full) != 0) {
        char why[sizeof w->why];

        snprintf(why, sizeof why, "%s", w->why);
        bad(w, "connection %u: %s", c->id, why);
        goto out;
    }
    if (c->closing) {
        bad(w, "connection %u: the server closes the connection (Connection: close)", c->id);
        goto out;
    }
    rc = 0;
out:
    free(sig);
    json_decref(j);
    return rc;
}

/*
 * One phase on this thread's connections: each sends, and sends again
 * after each checked response until `end` (in the warm-up, also until one
 * signature is verified); the requests still in flight then complete and
 * are counted in *done. 0, or -1 with w->why set.
 */
static int
wire_phase(struct worker *w, bool full, double end, uint64_t *done)
{
    struct epoll_event ev[WIRE_EVENTS];
    unsigned busy = 0;

    for (unsigned i = 0; i < w->nwc; i++) {
        if (wire_send(w, &w->wc[i]) != 0) {
            return -1;
        }
        busy++;
    }
    while (busy > 0) {
        int n = epoll_wait(w->ep, ev, WIRE_EVENTS, WIRE_TIMEOUT_MS);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return bad(w, "epoll_wait: %s", strerror(errno));
        }
        if (n == 0) {
            return bad(w, "no response in %d s on %u connection(s)", WIRE_TIMEOUT_MS / 1000, busy);
        }
        for (int i = 0; i < n; i++) {
            struct wconn *c = ev[i].data.ptr;
            int rc = wire_event(w, c);

            if (rc < 0) {
                return -1;
            }
            if (rc == 0) {
                continue;
            }
            if (wire_check(w, c, full) != 0) {
                return -1;
            }
            (*done)++;
            if (now() < end || (full && w->verified == 0)) {
                if (wire_send(w, c) != 0) {
                    return -1;
                }
            } else {
                c->st = WIRE_IDLE;
                busy--;
            }
        }
    }
    return 0;
}

/* TCP connect, TLS 1.3 handshake (blocking), then non-blocking in w->ep. */
static int
wire_connect(struct worker *w, struct wconn *c)
{
    const struct bench *b = w->b;
    struct epoll_event ev;
    char e[200];
    int one = 1, fl, rc, err = 0;
    long vr;

    for (const struct addrinfo *a = b->ai; a != NULL && c->fd < 0; a = a->ai_next) {
        c->fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (c->fd < 0) {
            err = errno;
        } else if (connect(c->fd, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            close(c->fd);
            c->fd = -1;
        }
    }
    if (c->fd < 0) {
        return bad(w, "connection %u: connect to %.100s: %s", c->id, b->authority, strerror(err));
    }
    if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        return bad(w, "connection %u: TCP_NODELAY: %s", c->id, strerror(errno));
    }
    c->ssl = SSL_new(b->tls);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        ERR_clear_error();
        return bad(w, "connection %u: SSL_new failed", c->id);
    }
    if (b->host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), b->host) != 1
                      : (SSL_set1_host(c->ssl, b->host) != 1 ||
                         SSL_set_tlsext_host_name(c->ssl, b->host) != 1)) {
        ERR_clear_error();
        return bad(w, "connection %u: cannot set the host to verify", c->id);
    }
    errno = 0;
    rc = SSL_connect(c->ssl);
    err = errno;
    if (rc != 1) {
        vr = SSL_get_verify_result(c->ssl);
        return bad(w, "connection %u: TLS handshake with %.100s: %s%s%s", c->id, b->authority,
                   tls_reason(c->ssl, rc, err, e, sizeof e), vr != X509_V_OK ? ": " : "",
                   vr != X509_V_OK ? X509_verify_cert_error_string(vr) : "");
    }
    fl = fcntl(c->fd, F_GETFL);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) != 0) {
        return bad(w, "connection %u: O_NONBLOCK: %s", c->id, strerror(errno));
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        return bad(w, "connection %u: epoll_ctl: %s", c->id, strerror(errno));
    }
    c->events = EPOLLIN;
    return 0;
}

/* This thread's connections: numbers idx, idx + M, idx + 2M, ... < N. */
static int
wire_open(struct worker *w)
{
    const struct bench *b = w->b;

    w->nwc = (b->conns - w->idx + b->threads - 1) / b->threads;
    w->wc = calloc(w->nwc, sizeof *w->wc);
    if (w->wc == NULL) {
        return bad(w, "%s", "out of memory");
    }
    for (unsigned i = 0; i < w->nwc; i++) {
        w->wc[i].id = w->idx + i * b->threads;
        w->wc[i].fd = -1;
    }
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (w->ep < 0) {
        return bad(w, "epoll_create1: %s", strerror(errno));
    }
    for (unsigned i = 0; i < w->nwc; i++) {
        w->wc[i].in = malloc(WIRE_RESP_MAX);
        if (w->wc[i].in == NULL) {
            return bad(w, "%s", "out of memory");
        }
        if (wire_connect(w, &w->wc[i]) != 0) {
            return -1;
        }
    }
    return 0;
}

static void
wire_close(struct worker *w)
{
    for (unsigned i = 0; w->wc != NULL && i < w->nwc; i++) {
        struct wconn *c = &w->wc[i];

        if (c->ssl != NULL) {
            (void)SSL_shutdown(c->ssl); /* a close_notify, not waiting for the server's */
            SSL_free(c->ssl);
        }
        if (c->fd >= 0) {
            close(c->fd);
        }
        free(c->in);
    }
    ERR_clear_error();
    free(w->wc);
    w->wc = NULL;
    if (w->ep >= 0) {
        close(w->ep);
        w->ep = -1;
    }
}

/* open -> barrier -> warm-up (checked) -> barrier -> timed -> barrier, as
 * worker_main, with all of this thread's connections in each phase. */
static void *
wire_main(void *arg)
{
    struct worker *w = arg;
    struct bench *b = w->b;
    uint64_t warm = 0;
    bool ok = wire_open(w) == 0;
    double t0;

    pthread_barrier_wait(&b->barrier);
    ok = ok && wire_phase(w, true, now() + WARMUP_SECONDS, &warm) == 0;
    pthread_barrier_wait(&b->barrier);
    t0 = now();
    ok = ok && wire_phase(w, false, t0 + b->seconds, &w->ops) == 0;
    w->secs = now() - t0;
    pthread_barrier_wait(&b->barrier);
    return NULL;
}

/* host, port, Host header and path prefix of an https:// URL. */
static int
wire_url(struct bench *b, char *port, size_t port_len)
{
    char why[256] = "";
    bool https = false;
    const char *a, *slash, *hb, *he, *pe;
    size_t alen, plen;

    if (fh_client_url_check(b->url, &https, why, sizeof why) != FH_OK || !https ||
        strncasecmp(b->url, "https://", 8) != 0) {
        fprintf(stderr, "restbench: wire: %s: %s\n", b->url,
                why[0] != '\0' ? why : "an https:// URL is needed");
        return -1;
    }
    a = b->url + 8;
    slash = strchr(a, '/');
    alen = slash != NULL ? (size_t)(slash - a) : strlen(a);
    pe = a + alen;
    if (a[0] == '[') {
        hb = a + 1;
        he = memchr(a, ']', alen);
        if (he == NULL) {
            fprintf(stderr, "restbench: wire: %s: no ']' after an IPv6 address\n", b->url);
            return -1;
        }
        a = he + 1;
    } else {
        hb = a;
        he = memchr(a, ':', alen);
        he = he != NULL ? he : pe;
        a = he;
    }
    if (a == pe) {
        snprintf(port, port_len, "443");
    } else {
        plen = (size_t)(pe - a - 1);
        if (a[0] != ':' || plen == 0 || plen >= port_len || strspn(a + 1, "0123456789") < plen) {
            fprintf(stderr, "restbench: wire: %s: not a port number\n", b->url);
            return -1;
        }
        memcpy(port, a + 1, plen);
        port[plen] = '\0';
    }
    b->host = strndup(hb, (size_t)(he - hb));
    b->authority = strndup(b->url + 8, alen);
    b->prefix = strdup(slash != NULL ? slash : "");
    if (b->host == NULL || b->authority == NULL || b->prefix == NULL) {
        fprintf(stderr, "restbench: out of memory\n");
        return -1;
    }
    for (size_t n = strlen(b->prefix); n > 0 && b->prefix[n - 1] == '/'; n--) {
        b->prefix[n - 1] = '\0';
    }
    return 0;
}

/* After rest_setup (b->path): the address, the TLS context and the request. */
static int
wire_setup(struct bench *b)
{
    struct addrinfo hints;
    struct in6_addr ip;
    char port[8], *body = NULL;
    json_t *j = NULL;
    int rc = -1, n, gai;

    if (wire_url(b, port, sizeof port) != 0) {
        goto out;
    }
    b->host_is_ip = inet_pton(AF_INET, b->host, &ip) == 1 || inet_pton(AF_INET6, b->host, &ip) == 1;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    gai = getaddrinfo(b->host, port, &hints, &b->ai);
    if (gai != 0) {
        fprintf(stderr, "restbench: wire: %s: %s\n", b->host, gai_strerror(gai));
        goto out;
    }
    /* TLS 1.3 only, the server certificate verified against this CA file
     * and nothing else (no system store), as the fh_client does */
    b->tls = SSL_CTX_new(TLS_client_method());
    if (b->tls == NULL || SSL_CTX_set_min_proto_version(b->tls, TLS1_3_VERSION) != 1 ||
        SSL_CTX_load_verify_locations(b->tls, b->cacert, NULL) != 1) {
        fprintf(stderr, "restbench: wire: TLS set-up with %s failed: %s\n", b->cacert,
                ERR_reason_error_string(ERR_peek_last_error()));
        goto out;
    }
    SSL_CTX_set_verify(b->tls, SSL_VERIFY_PEER, NULL);
    /* read a response's records with one read() where they fit */
    SSL_CTX_set_read_ahead(b->tls, 1);
    j = sign_body(b);
    body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL; /* what fh_client sends */
    if (body == NULL) {
        fprintf(stderr, "restbench: cannot build the request body\n");
        goto out;
    }
#define WIRE_REQ_FMT                                                                               \
    "POST %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ferrohsm-restbench\r\n"                         \
    "Accept: application/json\r\nContent-Type: application/json\r\n"                               \
    "Authorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n%s"
    n = snprintf(NULL, 0, WIRE_REQ_FMT, b->prefix, b->path, b->authority, b->api_key, strlen(body),
                 body);
    b->req = n > 0 ? OPENSSL_malloc((size_t)n + 1) : NULL;
    if (b->req == NULL) {
        fprintf(stderr, "restbench: out of memory\n");
        goto out;
    }
    b->req_len = (size_t)n;
    (void)snprintf(b->req, b->req_len + 1, WIRE_REQ_FMT, b->prefix, b->path, b->authority,
                   b->api_key, strlen(body), body);
#undef WIRE_REQ_FMT
    rc = 0;
out:
    free(body);
    json_decref(j);
    ERR_clear_error();
    return rc;
}

/* ----------------------------------------------------------------- PKCS#11 */

static int
p11_open(struct worker *w)
{
    char e[32];
    CK_RV rv = w->b->fl->C_OpenSession(w->b->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
                                       NULL, &w->s);

    return rv == CKR_OK ? 0 : bad(w, "C_OpenSession -> %s", ckr_hex(rv, e, sizeof e));
}

static int
p11_op(struct worker *w, bool full)
{
    CK_FUNCTION_LIST_PTR fl = w->b->fl;
    CK_MECHANISM m = {w->b->c->ck_mech, NULL, 0};
    CK_BYTE sig[SIG_MAX];
    CK_ULONG sig_len = sizeof sig;
    char e[32];
    CK_RV rv = fl->C_SignInit(w->s, &m, w->b->priv);

    if (rv != CKR_OK) {
        return bad(w, "C_SignInit -> %s", ckr_hex(rv, e, sizeof e));
    }
    rv = fl->C_Sign(w->s, w->b->msg, sizeof w->b->msg, sig, &sig_len);
    if (rv != CKR_OK) {
        return bad(w, "C_Sign -> %s", ckr_hex(rv, e, sizeof e));
    }
    return check_sig(w, sig, sig_len, full);
}

static void
p11_close(struct worker *w)
{
    if (w->s != CK_INVALID_HANDLE) {
        (void)w->b->fl->C_CloseSession(w->s);
    }
}

static void
pad32(CK_UTF8CHAR out[32], const char *s)
{
    size_t n = strlen(s);

    memset(out, ' ', 32);
    memcpy(out, s, n < 32 ? n : 32);
}

/* dlopen, C_Initialize, the slot by token label, login on a key session
 * (kept open: the login state is the application's), the private key by
 * CKA_LABEL. *ks is the key session. */
static int
p11_setup(struct bench *b, const char *module, const char *label, const char *pin,
          CK_SESSION_HANDLE *ks)
{
    CK_C_INITIALIZE_ARGS ia = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls, sizeof cls},
        {CKA_LABEL, (void *)(uintptr_t)b->key, strlen(b->key)},
    };
    CK_SLOT_ID ids[64];
    CK_ULONG n = 64, found = 0;
    CK_UTF8CHAR want[32];
    CK_C_GetFunctionList get_fl;
    const char *fn = "C_GetFunctionList";
    void *dl, *sym;
    char e[32];
    CK_RV rv;

    if (strlen(label) > 32) {
        fprintf(stderr, "restbench: a token label has at most 32 bytes\n");
        return -1;
    }
    dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    sym = dl != NULL ? dlsym(dl, "C_GetFunctionList") : NULL;
    if (sym == NULL) {
        fprintf(stderr, "restbench: %s: %s\n", module, dlerror());
        return -1;
    }
    /* dl stays loaded: modules may leave threads or atexit handlers behind. */
    _Static_assert(sizeof sym == sizeof get_fl, "function and object pointers differ in size");
    memcpy(&get_fl, &sym, sizeof get_fl);
    rv = get_fl(&b->fl);
    if (rv == CKR_OK) {
        fn = "C_Initialize";
        rv = b->fl->C_Initialize(&ia);
    }
    if (rv == CKR_OK) {
        fn = "C_GetSlotList";
        rv = b->fl->C_GetSlotList(CK_TRUE, ids, &n);
    }
    if (rv != CKR_OK) {
        goto fail;
    }
    pad32(want, label);
    rv = CKR_TOKEN_NOT_PRESENT;
    fn = "no slot with that token label";
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;

        if (b->fl->C_GetTokenInfo(ids[i], &ti) == CKR_OK && memcmp(ti.label, want, 32) == 0) {
            b->slot = ids[i];
            rv = CKR_OK;
            break;
        }
    }
    if (rv == CKR_OK) {
        fn = "C_OpenSession";
        rv = b->fl->C_OpenSession(b->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, ks);
    }
    if (rv == CKR_OK) {
        fn = "C_Login";
        rv = b->fl->C_Login(*ks, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)pin,
                            pin != NULL ? strlen(pin) : 0);
    }
    if (rv == CKR_OK) {
        fn = "C_FindObjects(CKO_PRIVATE_KEY, CKA_LABEL)";
        rv = b->fl->C_FindObjectsInit(*ks, t, 2);
        if (rv == CKR_OK) {
            rv = b->fl->C_FindObjects(*ks, &b->priv, 1, &found);
            (void)b->fl->C_FindObjectsFinal(*ks);
        }
        if (rv == CKR_OK && found != 1) {
            rv = CKR_KEY_HANDLE_INVALID;
        }
    }
    if (rv == CKR_OK) {
        return 0;
    }
fail:
    fprintf(stderr, "restbench: %s %s: %s -> %s\n", module, label, fn, ckr_hex(rv, e, sizeof e));
    return -1;
}

/* ------------------------------------------------------------------ driver */

static int
do_open(struct worker *w)
{
    return w->b->mode == MODE_REST ? rest_open(w) : p11_open(w);
}

static int
do_op(struct worker *w, bool full)
{
    return w->b->mode == MODE_REST ? rest_op(w, full) : p11_op(w, full);
}

/* open -> barrier -> warm-up (checked) -> barrier -> timed -> barrier.
 * A failed worker keeps meeting the barriers so no one waits forever. */
static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct bench *b = w->b;
    bool ok = do_open(w) == 0;
    double t0, end;

    pthread_barrier_wait(&b->barrier);
    end = now() + WARMUP_SECONDS;
    /* at least one checked operation */
    while (ok && (w->verified == 0 || now() < end)) {
        ok = do_op(w, true) == 0;
    }
    pthread_barrier_wait(&b->barrier);
    t0 = now();
    end = t0 + b->seconds;
    while (ok) {
        ok = do_op(w, false) == 0;
        if (ok) {
            w->ops++;
        }
        if (now() >= end) {
            break;
        }
    }
    w->secs = now() - t0;
    pthread_barrier_wait(&b->barrier);
    return NULL;
}

static double
tv_secs(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int
run(struct bench *b)
{
    struct worker *ws = calloc(b->threads, sizeof *ws);
    void *(*entry)(void *) = b->mode == MODE_WIRE ? wire_main : worker_main;
    unsigned shown = b->mode == MODE_WIRE ? b->conns : b->threads; /* the "threads" column */
    struct rusage r0, r1;
    double rate = 0.0;
    uint64_t ops = 0, verified = 0;
    unsigned started = 0;
    bool failed = false;

    if (ws == NULL || pthread_barrier_init(&b->barrier, NULL, b->threads + 1) != 0) {
        free(ws);
        fprintf(stderr, "restbench: out of memory\n");
        return 2;
    }
    for (unsigned i = 0; i < b->threads; i++) {
        ws[i].b = b;
        ws[i].idx = i;
        ws[i].s = CK_INVALID_HANDLE;
        ws[i].ep = -1;
        if (pthread_create(&ws[i].tid, NULL, entry, &ws[i]) != 0) {
            fprintf(stderr, "restbench: pthread_create failed\n");
            exit(2); /* the barrier would never complete */
        }
        started++;
    }
    pthread_barrier_wait(&b->barrier); /* opened */
    pthread_barrier_wait(&b->barrier); /* warmed up */
    getrusage(RUSAGE_SELF, &r0);
    pthread_barrier_wait(&b->barrier); /* timed phase over */
    getrusage(RUSAGE_SELF, &r1);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(ws[i].tid, NULL);
        if (ws[i].why[0] != '\0') {
            if (!failed) {
                printf("# FAIL %s: thread %u: %s\n", b->c->name, i, ws[i].why);
            }
            failed = true;
        }
        if (ws[i].secs > 0.0) {
            rate += (double)ws[i].ops / ws[i].secs;
        }
        ops += ws[i].ops;
        verified += ws[i].verified;
    }
    for (unsigned i = 0; i < started; i++) {
        if (b->mode == MODE_REST) {
            rest_close(&ws[i]);
        } else if (b->mode == MODE_WIRE) {
            wire_close(&ws[i]);
        } else {
            p11_close(&ws[i]);
        }
    }
    pthread_barrier_destroy(&b->barrier);
    free(ws);
    if (failed) {
        return 1;
    }
    printf("# %s %u: %" PRIu64 " signatures verified with libcrypto in the warm-up\n", b->c->name,
           shown, verified);
    printf("# cpu %s %u %.3f %.3f %" PRIu64 " %" PRIu64 "\n", b->c->name, shown,
           tv_secs(r1.ru_utime) - tv_secs(r0.ru_utime), tv_secs(r1.ru_stime) - tv_secs(r0.ru_stime),
           ops, verified);
    printf("%s %u %.1f\n", b->c->name, shown, rate);
    return 0;
}

/* -------------------------------------------------------------------- main */

static void
usage(void)
{
    fprintf(stderr,
            "usage: restbench rest --url URL --cacert PEM --api-key-file FILE --token T --key K\n"
            "                      --case CASE [--threads N] [--seconds S]\n"
            "       restbench wire --url URL --cacert PEM --api-key-file FILE --token T --key K\n"
            "                      --case CASE --connections N [--threads M] [--seconds S]\n"
            "       restbench p11  --module SO --slot-label L [--pin PIN] --key K --pubkey PEM\n"
            "                      --case CASE [--threads N] [--seconds S]\n"
            "       restbench wait --url URL --cacert PEM [--seconds S]\n"
            "CASE: ecdsa-p256-sign | rsa2048-pkcs1-sign\n");
    exit(2);
}

static EVP_PKEY *
pubkey_from_file(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;

    if (f != NULL) {
        fclose(f);
    }
    return k;
}

int
main(int argc, char **argv)
{
    struct bench b;
    const char *module = NULL, *label = NULL, *pin = NULL, *pubkey = NULL;
    const char *key_file = NULL, *case_name = NULL;
    CK_SESSION_HANDLE ks = CK_INVALID_HANDLE;
    bool seconds_set = false;
    int status = 2;

    memset(&b, 0, sizeof b);
    b.threads = 1;
    b.seconds = 2.0;
    if (argc < 2) {
        usage();
    }
    if (strcmp(argv[1], "rest") == 0) {
        b.mode = MODE_REST;
    } else if (strcmp(argv[1], "wire") == 0) {
        b.mode = MODE_WIRE;
    } else if (strcmp(argv[1], "p11") == 0) {
        b.mode = MODE_P11;
    } else if (strcmp(argv[1], "wait") == 0) {
        b.mode = MODE_WAIT;
    } else {
        usage();
    }
    for (int i = 2; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (v == NULL) {
            usage();
        }
        if (strcmp(a, "--url") == 0) {
            b.url = v;
        } else if (strcmp(a, "--cacert") == 0) {
            b.cacert = v;
        } else if (strcmp(a, "--api-key-file") == 0) {
            key_file = v;
        } else if (strcmp(a, "--token") == 0) {
            b.token = v;
        } else if (strcmp(a, "--key") == 0) {
            b.key = v;
        } else if (strcmp(a, "--module") == 0) {
            module = v;
        } else if (strcmp(a, "--slot-label") == 0) {
            label = v;
        } else if (strcmp(a, "--pin") == 0) {
            pin = v;
        } else if (strcmp(a, "--pubkey") == 0) {
            pubkey = v;
        } else if (strcmp(a, "--case") == 0) {
            case_name = v;
        } else if (strcmp(a, "--threads") == 0) {
            char *end = NULL;
            unsigned long n = strtoul(v, &end, 10);

            if (end == v || *end != '\0' || n == 0 || n > MAX_THREADS) {
                usage();
            }
            b.threads = (unsigned)n;
        } else if (strcmp(a, "--connections") == 0) {
            char *end = NULL;
            unsigned long n = strtoul(v, &end, 10);

            if (end == v || *end != '\0' || n == 0 || n > WIRE_MAX_CONNS) {
                usage();
            }
            b.conns = (unsigned)n;
        } else if (strcmp(a, "--seconds") == 0) {
            char *end = NULL;

            b.seconds = strtod(v, &end);
            if (end == v || *end != '\0' || !(b.seconds > 0.0 && b.seconds < 3600.0)) {
                usage();
            }
            seconds_set = true;
        } else {
            usage();
        }
    }
    if (b.mode == MODE_WAIT) {
        if (b.url == NULL || b.cacert == NULL) {
            usage();
        }
        if (!seconds_set) {
            b.seconds = 30.0;
        }
        return wait_ready(&b);
    }
    for (size_t i = 0; case_name != NULL && i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(case_name, cases[i].name) == 0) {
            b.c = &cases[i];
        }
    }
    if (b.c == NULL || b.key == NULL ||
        ((b.mode == MODE_REST || b.mode == MODE_WIRE) &&
         (b.url == NULL || b.cacert == NULL || key_file == NULL || b.token == NULL)) ||
        (b.mode == MODE_WIRE && (b.conns == 0 || b.threads > b.conns)) ||
        (b.mode != MODE_WIRE && b.conns != 0) ||
        (b.mode == MODE_P11 && (module == NULL || label == NULL || pubkey == NULL))) {
        usage();
    }
    if (RAND_bytes(b.msg, sizeof b.msg) != 1) {
        fprintf(stderr, "restbench: RAND_bytes failed\n");
        return 2;
    }
    if (b.mode == MODE_REST || b.mode == MODE_WIRE) {
        if (read_key_file(key_file, &b.api_key) != 0 || rest_setup(&b) != 0) {
            goto out;
        }
    } else {
        b.pub = pubkey_from_file(pubkey);
        if (b.pub == NULL) {
            fprintf(stderr, "restbench: %s: not a PEM public key\n", pubkey);
            goto out;
        }
        if (p11_setup(&b, module, label, pin, &ks) != 0) {
            goto out;
        }
    }
    if (!EVP_PKEY_is_a(b.pub, b.c->pkey_type) || EVP_PKEY_get_bits(b.pub) != b.c->bits) {
        fprintf(stderr, "restbench: key %s is not %s-%d, as %s needs\n", b.key, b.c->pkey_type,
                b.c->bits, b.c->name);
        goto out;
    }
    if (b.mode == MODE_WIRE) {
        struct sigaction sa;

        /* a write to a connection the server closed must fail, not kill */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_IGN;
        if (sigaction(SIGPIPE, &sa, NULL) != 0 || wire_setup(&b) != 0) {
            goto out;
        }
    }
    fflush(stdout);
    status = run(&b);
out:
    if (b.fl != NULL) {
        if (ks != CK_INVALID_HANDLE) {
            (void)b.fl->C_Logout(ks);
            (void)b.fl->C_CloseSession(ks);
        }
        (void)b.fl->C_Finalize(NULL);
    }
    if (b.api_key != NULL) {
        OPENSSL_clear_free(b.api_key, strlen(b.api_key));
    }
    if (b.req != NULL) {
        OPENSSL_clear_free(b.req, b.req_len + 1);
    }
    SSL_CTX_free(b.tls);
    if (b.ai != NULL) {
        freeaddrinfo(b.ai);
    }
    free(b.host);
    free(b.authority);
    free(b.prefix);
    free(b.path);
    EVP_PKEY_free(b.pub);
    return status;
}
