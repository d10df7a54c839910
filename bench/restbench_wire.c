/* SPDX-License-Identifier: Apache-2.0 */
/*
 * restbench_wire.c - restbench's wire mode: N keep-alive TLS connections
 * per thread written with OpenSSL directly (see restbench.c for the modes
 * and the output).
 */
#include "restbench.h"

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
    const int wait_ms = w->b->spin ? 0 : WIRE_TIMEOUT_MS;
    double progress = now(); /* last time an event came */

    for (unsigned i = 0; i < w->nwc; i++) {
        if (wire_send(w, &w->wc[i]) != 0) {
            return -1;
        }
        busy++;
    }
    while (busy > 0) {
        int n = epoll_wait(w->ep, ev, WIRE_EVENTS, wait_ms);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return bad(w, "epoll_wait: %s", strerror(errno));
        }
        if (n == 0 && (wait_ms > 0 || now() - progress >= WIRE_TIMEOUT_MS / 1000.0)) {
            return bad(w, "no response in %d s on %u connection(s)", WIRE_TIMEOUT_MS / 1000, busy);
        }
        if (n > 0 && wait_ms == 0) {
            progress = now();
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

void
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
void *
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
int
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
