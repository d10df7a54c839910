/* SPDX-License-Identifier: Apache-2.0 */
/*
 * osslbench.c - the asymmetric sign cases of p11bench done by libcrypto
 * itself, on N threads of one process.
 *
 *   osslbench [--threads N] [--seconds S] [--only NAME,...]
 *
 * `openssl speed -multi N` runs N processes. A PKCS#11 module runs in the
 * application's threads, and libcrypto 3.0 serialises threads of one process
 * on a few global locks (the RAND method's write lock on every nonce, the
 * method store's read locks), which processes never share. This is the same
 * work as openssl speed in the module's setting: each thread signs with its
 * own context, made once, on keys made once; the loop is p11bench's (the
 * clock read every 8 operations). Output, one line per case:
 *
 *   name threads ops_per_sec
 *
 * Exit status 2 on a set-up error, 1 when an operation failed.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#define MSG_LEN 32
#define MAX_THREADS 256
#define CLOCK_EVERY 8

enum kind { K_RSA_PKCS1, K_RSA_PSS, K_ECDSA, K_ED25519 };

struct ocase {
    const char *name;
    enum kind kind;
};

static const struct ocase cases[] = {
    {"rsa2048-pkcs1-sign", K_RSA_PKCS1},
    {"rsa2048-pss-sign", K_RSA_PSS},
    {"ecdsa-p256-sign", K_ECDSA},
    {"ed25519-sign", K_ED25519},
};

static EVP_PKEY *rsa_key, *ec_key, *ed_key;
static EVP_MD *sha256; /* fetched once: EVP_sha256() would fetch at every use */
static const struct ocase *current;
static double seconds = 2.0;
static pthread_barrier_t barrier;

/* One thread's state, on cache lines of its own. */
struct worker {
    _Alignas(64) uint64_t ops;
    double secs;
    bool failed;
};

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The per-thread contexts of a case, made once, as openssl speed does. */
struct ctxs {
    EVP_PKEY_CTX *pctx; /* RSA and ECDSA: sign context */
    EVP_MD_CTX *tmpl;   /* Ed25519: the initialised signing context, copied per use */
    EVP_MD_CTX *md;
};

static bool
ctxs_make(struct ctxs *c)
{
    memset(c, 0, sizeof(*c));
    switch (current->kind) {
    case K_RSA_PKCS1:
    case K_RSA_PSS:
        c->pctx = EVP_PKEY_CTX_new(rsa_key, NULL);
        return c->pctx != NULL && EVP_PKEY_sign_init(c->pctx) == 1 &&
               EVP_PKEY_CTX_set_signature_md(c->pctx, sha256) == 1 &&
               (current->kind == K_RSA_PKCS1
                    ? EVP_PKEY_CTX_set_rsa_padding(c->pctx, RSA_PKCS1_PADDING) == 1
                    : EVP_PKEY_CTX_set_rsa_padding(c->pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                          EVP_PKEY_CTX_set_rsa_pss_saltlen(c->pctx, 32) == 1);
    case K_ECDSA:
        c->pctx = EVP_PKEY_CTX_new(ec_key, NULL);
        return c->pctx != NULL && EVP_PKEY_sign_init(c->pctx) == 1;
    case K_ED25519:
        c->tmpl = EVP_MD_CTX_new();
        c->md = EVP_MD_CTX_new();
        return c->tmpl != NULL && c->md != NULL &&
               EVP_DigestSignInit(c->tmpl, NULL, NULL, NULL, ed_key) == 1;
    }
    return false;
}

static void
ctxs_free(struct ctxs *c)
{
    EVP_PKEY_CTX_free(c->pctx);
    EVP_MD_CTX_free(c->tmpl);
    EVP_MD_CTX_free(c->md);
}

/* One signature over msg, as the PKCS#11 case makes it. */
static bool
sign_once(struct ctxs *c, const unsigned char *msg)
{
    unsigned char sig[512], h[32];
    size_t sl = sizeof(sig);

    switch (current->kind) {
    case K_RSA_PKCS1:
    case K_RSA_PSS: /* CKM_SHA256_RSA_PKCS(_PSS): hash, then sign the hash */
        return EVP_Digest(msg, MSG_LEN, h, NULL, sha256, NULL) == 1 &&
               EVP_PKEY_sign(c->pctx, sig, &sl, h, sizeof(h)) == 1;
    case K_ECDSA: /* CKM_ECDSA: the message is the hash */
        return EVP_PKEY_sign(c->pctx, sig, &sl, msg, MSG_LEN) == 1;
    case K_ED25519:
        return EVP_MD_CTX_copy_ex(c->md, c->tmpl) == 1 &&
               EVP_DigestSign(c->md, sig, &sl, msg, MSG_LEN) == 1;
    }
    return false;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned char msg[MSG_LEN];
    struct ctxs c;
    bool ok = ctxs_make(&c);
    double t0;
    double t;

    memset(msg, 0x5c, sizeof(msg));
    pthread_barrier_wait(&barrier);
    t0 = now();
    t = t0;
    while (ok && t - t0 < seconds) {
        for (unsigned i = 0; ok && i < CLOCK_EVERY; i++) {
            msg[0] = (unsigned char)w->ops;
            ok = sign_once(&c, msg);
            w->ops += ok ? 1 : 0;
        }
        t = now();
    }
    w->secs = t - t0;
    w->failed = !ok;
    ctxs_free(&c);
    return NULL;
}

static bool
wanted(const char *only, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = only; p != NULL && *p != '\0';) {
        const char *e = strchr(p, ',');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

        if (len == n && strncmp(p, name, n) == 0) {
            return true;
        }
        p = e != NULL ? e + 1 : NULL;
    }
    return only == NULL;
}

static void
usage(void)
{
    fprintf(stderr, "usage: osslbench [--threads N] [--seconds S] [--only NAME,...]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    unsigned threads = 1;
    const char *only = NULL;
    int status = 0;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;

        if (v == NULL) {
            usage();
        }
        if (strcmp(argv[i], "--threads") == 0) {
            unsigned long n = strtoul(v, &end, 10);

            if (end == v || *end != '\0' || n < 1 || n > MAX_THREADS) {
                usage();
            }
            threads = (unsigned)n;
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = strtod(v, &end);
            if (end == v || *end != '\0' || !(seconds > 0.0 && seconds < 3600.0)) {
                usage();
            }
        } else if (strcmp(argv[i], "--only") == 0) {
            only = v;
        } else {
            usage();
        }
        i++;
    }
    rsa_key = EVP_RSA_gen(2048);
    ec_key = EVP_EC_gen("P-256");
    ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    if (rsa_key == NULL || ec_key == NULL || ed_key == NULL || sha256 == NULL) {
        fprintf(stderr, "osslbench: key generation or SHA-256 fetch failed\n");
        return 2;
    }
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct worker *ws;
        pthread_t *tids;
        double rate = 0.0;
        bool failed = false;

        if (!wanted(only, cases[k].name)) {
            continue;
        }
        current = &cases[k];
        ws = aligned_alloc(_Alignof(struct worker), threads * sizeof(*ws));
        tids = calloc(threads, sizeof(*tids));
        if (ws == NULL || tids == NULL || pthread_barrier_init(&barrier, NULL, threads) != 0) {
            fprintf(stderr, "osslbench: out of memory\n");
            return 2;
        }
        memset(ws, 0, threads * sizeof(*ws));
        for (unsigned i = 0; i < threads; i++) {
            if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) != 0) {
                fprintf(stderr, "osslbench: pthread_create failed\n");
                exit(2); /* the barrier would never open */
            }
        }
        for (unsigned i = 0; i < threads; i++) {
            pthread_join(tids[i], NULL);
            failed = failed || ws[i].failed;
            rate += ws[i].secs > 0 ? (double)ws[i].ops / ws[i].secs : 0.0;
        }
        pthread_barrier_destroy(&barrier);
        if (failed) {
            printf("# FAIL %s: a signature failed\n", cases[k].name);
            status = 1;
        } else {
            printf("%s %u %.1f\n", cases[k].name, threads, rate);
        }
        fflush(stdout);
        free(ws);
        free(tids);
    }
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(ed_key);
    EVP_MD_free(sha256);
    return status;
}
