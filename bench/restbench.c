/* SPDX-License-Identifier: Apache-2.0 */
/*
 * restbench.c - sign throughput of one named key over the REST API, and of
 * the same key through a PKCS#11 slot, so the two compare side by side.
 *
 *   restbench rest --url URL --cacert PEM --api-key-file FILE --token T --key K
 *                  --case CASE [--threads N] [--seconds S]
 *   restbench wire --url URL --cacert PEM --api-key-file FILE --token T --key K
 *                  --case CASE --connections N [--threads M] [--seconds S]
 *                  [--spin]
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
 * --spin: each thread polls its epoll set without sleeping. Only for a
 * client on CPUs of its own: on loopback, every response to a client
 * asleep in epoll_wait makes the server's send wake it (an inter-processor
 * interrupt, charged to the server's CPU), a cost that a client on another
 * machine never puts on the server. It measures the server without it.
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
#include "restbench.h"

double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Record the first failure of w; returns -1 so callers can `return bad(...)`. */
__attribute__((format(printf, 2, 3))) int
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
int
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
json_t *
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
    fprintf(
        stderr,
        "usage: restbench rest --url URL --cacert PEM --api-key-file FILE --token T --key K\n"
        "                      --case CASE [--threads N] [--seconds S]\n"
        "       restbench wire --url URL --cacert PEM --api-key-file FILE --token T --key K\n"
        "                      --case CASE --connections N [--threads M] [--seconds S] [--spin]\n"
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

        if (strcmp(a, "--spin") == 0) {
            b.spin = true;
            i--; /* a flag: no value */
            continue;
        }
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
        (b.mode != MODE_WIRE && (b.conns != 0 || b.spin)) ||
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
