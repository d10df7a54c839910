/* SPDX-License-Identifier: Apache-2.0 */
/*
 * restbench.h - what restbench.c (driver, rest, p11 and wait modes) and
 * restbench_wire.c (the wire load generator) share: the run's settings,
 * the per-thread state and the checks every mode applies to a signature.
 */
#ifndef FERROHSM_BENCH_RESTBENCH_H
#define FERROHSM_BENCH_RESTBENCH_H

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
    bool spin;       /* poll without sleeping (--spin) */
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

/* restbench.c */
double now(void);
/* Record the first failure of w (its why); returns -1 so callers can `return bad(...)`. */
int bad(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 when sig is a good signature (full: also verified with libcrypto), else bad(). */
int check_sig(struct worker *w, const uint8_t *sig, size_t sig_len, bool full);
/* The JSON body of a sign request of the run's case (caller frees). */
json_t *sign_body(const struct bench *b);

/* restbench_wire.c */
int wire_setup(struct bench *b);
void *wire_main(void *arg);
void wire_close(struct worker *w);

#endif
