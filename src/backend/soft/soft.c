/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft.c - fh_backend_soft_ops: the software key backend on OpenSSL 3 EVP.
 *
 * This file owns the ops table, the lifetime of struct fhi_soft_priv
 * (init/fini), mechanism negotiation, random bytes and the dispatch of
 * operation contexts to the family files (soft_digest.c, soft_sign.c,
 * soft_cipher.c). Key handling lives in soft_keys.c, wrap/unwrap/derive in
 * soft_wrap.c.
 *
 * Invariants: the backend touches no process-global OpenSSL state. Each
 * instance has its own OSSL_LIB_CTX with the default provider loaded into it;
 * every EVP_MD / EVP_CIPHER / EVP_MAC the backend uses is fetched once, in
 * init, from that context. After init the priv is read-only, so the ops may
 * run concurrently without a lock; an opctx belongs to one thread at a time.
 */
#include <sched.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "ferrohsm/backend.h"

#include "soft-int.h"

static const char *const md_names[FHI_MD_COUNT] = {
    "SHA1", "SHA224", "SHA256", "SHA384", "SHA512",
    "SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512",
};

static const char *const aes_names[FHI_AES_COUNT][3] = {
    {"AES-128-ECB", "AES-192-ECB", "AES-256-ECB"},
    {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
    {"AES-128-CTR", "AES-192-CTR", "AES-256-CTR"},
    {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
    {"AES-128-WRAP", "AES-192-WRAP", "AES-256-WRAP"},
    {"AES-128-WRAP-PAD", "AES-192-WRAP-PAD", "AES-256-WRAP-PAD"},
};

/* Every mechanism the backend implements (mech_supported). */
static const CK_MECHANISM_TYPE supported[] = {
    CKM_AES_KEY_GEN, CKM_GENERIC_SECRET_KEY_GEN, CKM_RSA_PKCS_KEY_PAIR_GEN,
    CKM_EC_KEY_PAIR_GEN, CKM_EC_EDWARDS_KEY_PAIR_GEN,
    CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512,
    CKM_SHA3_224, CKM_SHA3_256, CKM_SHA3_384, CKM_SHA3_512,
    CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS,
    CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
    CKM_RSA_PKCS_PSS, CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS,
    CKM_ECDSA, CKM_ECDSA_SHA1, CKM_ECDSA_SHA224, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
    CKM_ECDSA_SHA512, CKM_EDDSA,
    CKM_SHA_1_HMAC, CKM_SHA224_HMAC, CKM_SHA256_HMAC, CKM_SHA384_HMAC, CKM_SHA512_HMAC,
    CKM_SHA3_224_HMAC, CKM_SHA3_256_HMAC, CKM_SHA3_384_HMAC, CKM_SHA3_512_HMAC,
    CKM_AES_CMAC, CKM_AES_CMAC_GENERAL,
    CKM_AES_ECB, CKM_AES_CBC, CKM_AES_CBC_PAD, CKM_AES_CTR, CKM_AES_GCM,
    CKM_RSA_PKCS_OAEP, CKM_RSA_AES_KEY_WRAP,
    CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD, CKM_AES_KEY_WRAP_KWP,
    CKM_ECDH1_DERIVE,
};

const EVP_MD *
fhi_soft_md(const struct fhi_soft_priv *p, enum fhi_soft_md m)
{
    if (m < 0 || m >= FHI_MD_COUNT) {
        return NULL;
    }
    return p->md[m];
}

const char *
fhi_soft_md_name(enum fhi_soft_md m)
{
    if (m < 0 || m >= FHI_MD_COUNT) {
        return NULL;
    }
    return md_names[m];
}

enum fhi_soft_md
fhi_soft_md_from_ckm(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_SHA_1:
        return FHI_MD_SHA1;
    case CKM_SHA224:
        return FHI_MD_SHA224;
    case CKM_SHA256:
        return FHI_MD_SHA256;
    case CKM_SHA384:
        return FHI_MD_SHA384;
    case CKM_SHA512:
        return FHI_MD_SHA512;
    case CKM_SHA3_224:
        return FHI_MD_SHA3_224;
    case CKM_SHA3_256:
        return FHI_MD_SHA3_256;
    case CKM_SHA3_384:
        return FHI_MD_SHA3_384;
    case CKM_SHA3_512:
        return FHI_MD_SHA3_512;
    default:
        return FHI_MD_NONE;
    }
}

enum fhi_soft_md
fhi_soft_md_from_mgf(CK_ULONG mgf)
{
    switch (mgf) {
    case CKG_MGF1_SHA1:
        return FHI_MD_SHA1;
    case CKG_MGF1_SHA224:
        return FHI_MD_SHA224;
    case CKG_MGF1_SHA256:
        return FHI_MD_SHA256;
    case CKG_MGF1_SHA384:
        return FHI_MD_SHA384;
    case CKG_MGF1_SHA512:
        return FHI_MD_SHA512;
    default:
        return FHI_MD_NONE;
    }
}

int
fhi_soft_aes_index(size_t key_len)
{
    switch (key_len) {
    case 16:
        return 0;
    case 24:
        return 1;
    case 32:
        return 2;
    default:
        return -1;
    }
}

/*
 * Releases everything init acquired, in reverse order; safe on a partly
 * initialised or zeroed priv (init calls it on failure).
 */
static void
soft_fini(void *priv)
{
    struct fhi_soft_priv *p = priv;

    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < 3; i++) {
        EVP_MAC_CTX_free(p->cmac_tmpl[i]);
        p->cmac_tmpl[i] = NULL;
    }
    for (size_t i = 0; i < FHI_MD_COUNT; i++) {
        EVP_MAC_CTX_free(p->hmac_tmpl[i]);
        p->hmac_tmpl[i] = NULL;
        EVP_MD_free(p->md[i]);
        p->md[i] = NULL;
    }
    for (size_t f = 0; f < FHI_AES_COUNT; f++) {
        for (size_t i = 0; i < 3; i++) {
            EVP_CIPHER_free(p->aes[f][i]);
            p->aes[f][i] = NULL;
        }
    }
    EVP_KDF_free(p->x963);
    p->x963 = NULL;
    EVP_MAC_free(p->hmac);
    p->hmac = NULL;
    EVP_MAC_free(p->cmac);
    p->cmac = NULL;
    if (p->prov != NULL) {
        OSSL_PROVIDER_unload(p->prov);
        p->prov = NULL;
    }
    OSSL_LIB_CTX_free(p->libctx);
    p->libctx = NULL;
    p->ready = false;
}

/* A MAC context with its algorithm parameter set, ready to be dup'ed and keyed. */
static EVP_MAC_CTX *
mac_template(EVP_MAC *mac, const char *param, const char *alg)
{
    OSSL_PARAM params[2];
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);

    if (ctx == NULL) {
        return NULL;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(param, (char *)alg, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/*
 * Creates the instance's own OSSL_LIB_CTX with only the default provider
 * and fetches every algorithm object once. Never touches the process-global
 * context or default providers (STYLE rule 20). cfg: no options.
 */
static fh_rv
soft_init(void *priv, const struct fh_backend_config *cfg)
{
    struct fhi_soft_priv *p = priv;
    fh_rv rv = FH_E_CRYPTO;

    (void)cfg;
    if (p == NULL) {
        return FH_E_ARGS;
    }
    memset(p, 0, sizeof(*p));
    p->libctx = OSSL_LIB_CTX_new();
    if (p->libctx == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    p->prov = OSSL_PROVIDER_load(p->libctx, "default");
    if (p->prov == NULL) {
        goto out;
    }
    for (size_t i = 0; i < FHI_MD_COUNT; i++) {
        p->md[i] = EVP_MD_fetch(p->libctx, md_names[i], NULL);
        if (p->md[i] == NULL) {
            goto out;
        }
    }
    for (size_t f = 0; f < FHI_AES_COUNT; f++) {
        for (size_t i = 0; i < 3; i++) {
            p->aes[f][i] = EVP_CIPHER_fetch(p->libctx, aes_names[f][i], NULL);
            if (p->aes[f][i] == NULL) {
                goto out;
            }
        }
    }
    p->hmac = EVP_MAC_fetch(p->libctx, "HMAC", NULL);
    p->cmac = EVP_MAC_fetch(p->libctx, "CMAC", NULL);
    p->x963 = EVP_KDF_fetch(p->libctx, "X963KDF", NULL);
    if (p->hmac == NULL || p->cmac == NULL || p->x963 == NULL) {
        goto out;
    }
    for (size_t i = 0; i < FHI_MD_COUNT; i++) {
        p->hmac_tmpl[i] = mac_template(p->hmac, OSSL_MAC_PARAM_DIGEST, md_names[i]);
        if (p->hmac_tmpl[i] == NULL) {
            goto out;
        }
    }
    for (size_t i = 0; i < 3; i++) {
        static const uint8_t zero[32] = {0};

        p->cmac_tmpl[i] = mac_template(p->cmac, OSSL_MAC_PARAM_CIPHER, aes_names[FHI_AES_CBC][i]);
        /*
         * OpenSSL cannot dup a CMAC context that was never keyed
         * (CMAC_CTX_copy); key the template with a public all-zero key. Every
         * operation re-keys its copy in EVP_MAC_init.
         */
        if (p->cmac_tmpl[i] == NULL ||
            EVP_MAC_init(p->cmac_tmpl[i], zero, 16 + 8 * i, NULL) != 1) {
            goto out;
        }
    }
    p->ready = true;
    rv = FH_OK;
out:
    if (rv != FH_OK) {
        soft_fini(p);
    }
    return rv;
}

/* Health probe: the instance is initialised and its DRBG answers. */
static fh_rv
soft_health(void *priv)
{
    const struct fhi_soft_priv *p = priv;
    uint8_t probe[16];
    fh_rv rv = FH_OK;

    if (p == NULL || !p->ready) {
        return FH_E_GENERAL;
    }
    if (RAND_bytes_ex(p->libctx, probe, sizeof(probe), 0) != 1) {
        rv = FH_E_CRYPTO;
    }
    OPENSSL_cleanse(probe, sizeof(probe));
    return rv;
}

/* Exactly the mechanisms in supported[]; the core negotiates with this. */
static bool
soft_mech_supported(void *priv, CK_MECHANISM_TYPE mech)
{
    (void)priv;
    for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++) {
        if (supported[i] == mech) {
            return true;
        }
    }
    return false;
}

/* RAND_bytes_ex on the instance's library context (its own DRBG chain). */
static fh_rv
soft_random(void *priv, uint8_t *out, size_t len)
{
    const struct fhi_soft_priv *p = priv;

    if (p == NULL || (out == NULL && len > 0)) {
        return FH_E_ARGS;
    }
    if (len == 0) {
        return FH_OK;
    }
    /* RAND_bytes_ex takes the strength as its last argument: 0 = default */
    if (RAND_bytes_ex(p->libctx, out, len, 0) != 1) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/*
 * Frees an opctx and everything it owns; the struct is cleansed because it
 * may hold partial plaintext blocks. NULL is a no-op.
 */
static void
op_destroy(struct fhi_soft_op *op)
{
    if (op == NULL) {
        return;
    }
    EVP_MD_CTX_free(op->mdctx);
    EVP_MD_CTX_free(op->ed_tmpl);
    EVP_MAC_CTX_free(op->mac);
    EVP_PKEY_CTX_free(op->pctx);
    EVP_PKEY_free(op->pkey);
    EVP_CIPHER_CTX_free(op->cctx);
    fh_secret_free(op->key);
    if (op->buf != NULL) {
        OPENSSL_clear_free(op->buf, op->buf_cap);
    }
    OPENSSL_free(op->label);
    OPENSSL_cleanse(op, sizeof(*op));
    OPENSSL_free(op);
}

/*
 * The stripe of the CPU the thread runs on, so that threads running at the
 * same time use different stripes whatever order they were created in (a
 * round robin over threads gave two of them one stripe whenever the count
 * of threads made before them happened to say so). A thread that migrates
 * meanwhile only shares a stripe for a moment: the stripe's lock keeps that
 * correct. Where the CPU is unknown, a stripe per thread in turn.
 */
struct fhi_soft_stripe *
fhi_soft_stripe_of(struct fhi_soft_prepared *pp)
{
    static unsigned next;
    static _Thread_local unsigned mine; /* stripe + 1; 0: not chosen yet */
#ifdef __linux__
    int cpu = sched_getcpu();

    if (cpu >= 0) {
        return &pp->stripe[(unsigned)cpu % FHI_SOFT_STRIPES];
    }
#endif
    if (mine == 0) {
        mine = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % FHI_SOFT_STRIPES + 1;
    }
    return &pp->stripe[mine - 1];
}

/*
 * The core lets go of the key: no op is made with it any more, so the idle
 * ops are freed now (each drops its reference) and the live ones when they
 * end. retired is set before any stripe is swept, and read by soft_op_free
 * under the stripe's lock: an op pooled after its stripe was swept cannot
 * be (it sees retired), one pooled before is swept.
 */
void
fhi_soft_prepared_retire(struct fhi_soft_prepared *pp)
{
    if (pp == NULL) {
        return;
    }
    __atomic_store_n(&pp->retired, true, __ATOMIC_RELAXED); /* each sweep's lock orders it */
    for (size_t k = 0; k < FHI_SOFT_STRIPES; k++) {
        struct fhi_soft_op *idle[FHI_SOFT_POOL / FHI_SOFT_STRIPES];
        size_t n;

        pthread_mutex_lock(&pp->stripe[k].lock);
        n = pp->stripe[k].n_idle;
        memcpy(idle, pp->stripe[k].idle, n * sizeof(idle[0]));
        pp->stripe[k].n_idle = 0;
        pthread_mutex_unlock(&pp->stripe[k].lock);
        for (size_t i = 0; i < n; i++) {
            op_destroy(idle[i]);
            fhi_soft_prepared_unref(pp);
        }
    }
    fhi_soft_prepared_unref(pp); /* the core's */
}

void
fhi_soft_prepared_unref(struct fhi_soft_prepared *pp)
{
    if (pp == NULL || __atomic_sub_fetch(&pp->refs, 1, __ATOMIC_ACQ_REL) > 0) {
        return;
    }
    /* every idle op held a reference: the stripes are empty */
    for (size_t k = 0; k < FHI_SOFT_STRIPES; k++) {
        pthread_mutex_destroy(&pp->stripe[k].lock);
    }
    EVP_PKEY_free(pp->pkey);
    free(pp);
}

/*
 * Ends an opctx. One that finished cleanly on a prepared key goes back to
 * that key's pool (it keeps its EVP contexts, key schedule included, until
 * reused or until the prepared key is released); any other is destroyed.
 */
static void
soft_op_free(void *opctx)
{
    struct fhi_soft_op *op = opctx;
    struct fhi_soft_prepared *pp;
    bool kept = false;

    if (op == NULL) {
        return;
    }
    pp = op->pp;
    if (pp != NULL && op->reusable && op->st != FHI_ST_MULTI) {
        struct fhi_soft_stripe *sp = fhi_soft_stripe_of(pp);

        pthread_mutex_lock(&sp->lock);
        if (!__atomic_load_n(&pp->retired, __ATOMIC_RELAXED) &&
            sp->n_idle < FHI_SOFT_POOL / FHI_SOFT_STRIPES) {
            sp->idle[sp->n_idle++] = op; /* keeps its reference */
            kept = true;
        }
        pthread_mutex_unlock(&sp->lock);
    }
    if (!kept) {
        op_destroy(op);
        fhi_soft_prepared_unref(pp); /* the op's reference */
    }
}

/* Parameters that a pooled op must match exactly (family rules in rearm). */
static bool
param_copy(struct fhi_soft_op *op, const CK_MECHANISM *mech)
{
    if (mech->ulParameterLen > FHI_SOFT_PARAM_MAX ||
        (mech->ulParameterLen > 0 && mech->pParameter == NULL)) {
        return false;
    }
    if (mech->ulParameterLen > 0) {
        memcpy(op->param, mech->pParameter, mech->ulParameterLen);
    }
    op->param_len = mech->ulParameterLen;
    return true;
}

/* A pooled op of pp for this kind and mechanism, re-armed; NULL if none. */
static struct fhi_soft_op *
pool_take(struct fhi_soft_prepared *pp, enum fh_op_kind kind, const CK_MECHANISM *mech)
{
    struct fhi_soft_op *op = NULL;
    struct fhi_soft_stripe *sp;
    bool gcm = mech->mechanism == CKM_AES_GCM;
    fh_rv rv;

    if (!gcm && (mech->ulParameterLen > FHI_SOFT_PARAM_MAX ||
                 (mech->ulParameterLen > 0 && mech->pParameter == NULL))) {
        return NULL;
    }
    sp = fhi_soft_stripe_of(pp);
    pthread_mutex_lock(&sp->lock);
    for (size_t i = sp->n_idle; i-- > 0;) {
        struct fhi_soft_op *c = sp->idle[i];

        if (c->kind == kind && c->mech == mech->mechanism &&
            (gcm || (c->param_len == mech->ulParameterLen &&
                     (c->param_len == 0 ||
                      memcmp(c->param, mech->pParameter, c->param_len) == 0)))) {
            op = c;
            sp->idle[i] = sp->idle[--sp->n_idle];
            break;
        }
    }
    pthread_mutex_unlock(&sp->lock);
    if (op == NULL) {
        return NULL; /* a pooled op holds its reference to pp: none taken here */
    }
    rv = (op->fam == FHI_FAM_AES) ? fhi_soft_cipher_rearm(op, mech) : fhi_soft_sign_rearm(op, mech);
    if (rv != FH_OK) {
        op->reusable = false;
        soft_op_free(op);
        return NULL;
    }
    op->st = FHI_ST_FRESH;
    return op;
}

/*
 * Allocates an opctx and lets the family file validate the mechanism
 * parameters and key. On failure nothing is returned and nothing leaks.
 * With a prepared key, a pooled op made for the same key, operation and
 * mechanism is re-armed instead.
 */
static fh_rv
soft_op_init_inner(void *priv, enum fh_op_kind kind, const CK_MECHANISM *mech,
             const struct fh_bkey *key, void **opctx)
{
    const struct fhi_soft_priv *p = priv;
    struct fhi_soft_prepared *pp = NULL;
    struct fhi_soft_op *op = NULL;
    fh_rv rv;

    if (p == NULL || mech == NULL || opctx == NULL) {
        return FH_E_ARGS;
    }
    if (kind != FH_OP_DIGEST && key == NULL) {
        return FH_E_ARGS;
    }
    if (kind != FH_OP_DIGEST && key->prepared != NULL) {
        /* the core passes back what key_prepare made: not const to us */
        pp = (struct fhi_soft_prepared *)(uintptr_t)key->prepared;
        op = pool_take(pp, kind, mech);
        if (op != NULL) {
            *opctx = op;
            return FH_OK;
        }
    }
    op = OPENSSL_zalloc(sizeof(*op));
    if (op == NULL) {
        return FH_E_NOMEM;
    }
    op->p = p;
    op->kind = kind;
    op->mech = mech->mechanism;
    switch (kind) {
    case FH_OP_DIGEST:
        rv = fhi_soft_digest_init(op, mech);
        break;
    case FH_OP_SIGN:
    case FH_OP_VERIFY:
        rv = fhi_soft_sign_init(op, mech, key);
        break;
    case FH_OP_ENCRYPT:
    case FH_OP_DECRYPT:
        rv = fhi_soft_cipher_init(op, mech, key);
        break;
    case FH_OP_NONE:
    default:
        rv = FH_E_MECH_INVALID;
        break;
    }
    if (rv != FH_OK) {
        op_destroy(op);
        return rv;
    }
    /* the family said whether it can re-arm this op (fhi_soft_*_rearm); a
     * GCM op takes all of the next mechanism's parameters when re-armed, so
     * its own (larger than FHI_SOFT_PARAM_MAX) are not kept to be matched */
    op->reusable = op->reusable && pp != NULL &&
                   (mech->mechanism == CKM_AES_GCM || param_copy(op, mech));
    if (op->reusable) {
        op->pp = pp;
        __atomic_add_fetch(&pp->refs, 1, __ATOMIC_ACQ_REL);
    }
    *opctx = op;
    return FH_OK;
}

/*
 * State rule (STYLE rule 13): an error other than FH_E_BUFFER_TOO_SMALL ends
 * the operation; FH_OK from final or oneshot ends it too. Output-length
 * queries (out == NULL) never change state.
 */
static void
settle(struct fhi_soft_op *op, fh_rv rv, bool ends)
{
    if (rv == FH_E_BUFFER_TOO_SMALL) {
        return;
    }
    if (rv != FH_OK || ends) {
        op->st = FHI_ST_DONE;
    }
    if (rv != FH_OK) {
        op->reusable = false; /* a failed op is never re-armed */
    }
}

/*
 * Multi-part update. Ciphers return output; digests, MACs and signatures
 * only absorb. A cipher length query (out == NULL) is answered without
 * counting as an update.
 */
static fh_rv
soft_op_update_inner(void *opctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    struct fhi_soft_op *op = opctx;
    fh_rv rv;

    if (op == NULL) {
        return FH_E_ARGS;
    }
    if (op->st == FHI_ST_DONE) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    if (!op->multipart_ok) {
        return FH_E_MECH_INVALID;
    }
    if (in == NULL && in_len > 0) {
        return FH_E_ARGS;
    }
    switch (op->fam) {
    case FHI_FAM_DIGEST:
        rv = fhi_soft_digest_update(op, in, in_len);
        break;
    case FHI_FAM_MAC:
    case FHI_FAM_SIG:
        rv = fhi_soft_sign_update(op, in, in_len);
        break;
    case FHI_FAM_AES:
    case FHI_FAM_RSA_ENC:
        if (out_len == NULL) {
            return FH_E_ARGS;
        }
        rv = fhi_soft_cipher_update(op, in, in_len, out, out_len);
        /* a length query is not an update */
        if (out == NULL && rv == FH_OK) {
            return FH_OK;
        }
        break;
    default:
        rv = FH_E_GENERAL;
        break;
    }
    if (rv == FH_OK) {
        op->st = FHI_ST_MULTI;
    }
    settle(op, rv, false);
    return rv;
}

/* Multi-part final. For FH_OP_VERIFY, out/out_len carry the signature. */
static fh_rv
soft_op_final_inner(void *opctx, uint8_t *out, size_t *out_len)
{
    struct fhi_soft_op *op = opctx;
    fh_rv rv;

    if (op == NULL || out_len == NULL) {
        return FH_E_ARGS;
    }
    if (op->st == FHI_ST_DONE) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    if (!op->multipart_ok) {
        return FH_E_MECH_INVALID;
    }
    if (op->kind == FH_OP_VERIFY && out == NULL) {
        return FH_E_ARGS;
    }
    switch (op->fam) {
    case FHI_FAM_DIGEST:
        rv = fhi_soft_digest_final(op, out, out_len);
        break;
    case FHI_FAM_MAC:
    case FHI_FAM_SIG:
        rv = fhi_soft_sign_final(op, out, out_len);
        break;
    case FHI_FAM_AES:
    case FHI_FAM_RSA_ENC:
        rv = fhi_soft_cipher_final(op, out, out_len);
        break;
    default:
        rv = FH_E_GENERAL;
        break;
    }
    if (out == NULL && rv == FH_OK) {
        return FH_OK;
    }
    settle(op, rv, true);
    return rv;
}

/*
 * Single-part operation (C_Encrypt, C_Sign ...). Refused after an update
 * (FH_E_OP_MIXED): PKCS#11 v3.0 §5.2 forbids mixing the two forms.
 */
static fh_rv
soft_op_oneshot_inner(void *opctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    struct fhi_soft_op *op = opctx;
    fh_rv rv;

    if (op == NULL || out_len == NULL || (in == NULL && in_len > 0)) {
        return FH_E_ARGS;
    }
    if (op->st == FHI_ST_DONE) {
        return FH_E_OP_NOT_INITIALIZED;
    }
    if (op->st == FHI_ST_MULTI) {
        return FH_E_OP_MIXED;
    }
    if (op->kind == FH_OP_VERIFY && out == NULL) {
        return FH_E_ARGS;
    }
    switch (op->fam) {
    case FHI_FAM_DIGEST:
        rv = fhi_soft_digest_oneshot(op, in, in_len, out, out_len);
        break;
    case FHI_FAM_MAC:
    case FHI_FAM_SIG:
        rv = fhi_soft_sign_oneshot(op, in, in_len, out, out_len);
        break;
    case FHI_FAM_AES:
    case FHI_FAM_RSA_ENC:
        rv = fhi_soft_cipher_oneshot(op, in, in_len, out, out_len);
        break;
    default:
        rv = FH_E_GENERAL;
        break;
    }
    if (out == NULL && rv == FH_OK) {
        return FH_OK;
    }
    settle(op, rv, true);
    return rv;
}

/*
 * Entry points: every call leaves the calling thread's OpenSSL error queue as
 * it found it (ERR_set_mark / ERR_pop_to_mark), so failures inside the
 * backend never surface as stray errors in the host application.
 */
static fh_rv
soft_generate(void *priv, const CK_MECHANISM *mech, const struct fh_keygen_params *kp,
              fh_secret **material, struct fh_attrs *pub)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_generate(priv, mech, kp, material, pub);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_import(void *priv, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, const struct fh_attrs *in,
            fh_secret **material, struct fh_attrs *pub)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_import(priv, cls, type, in, material, pub);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_key_prepare(void *priv, const struct fh_bkey *key, void **out)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_key_prepare(priv, key, out);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_export_private(void *priv, const struct fh_bkey *key, struct fh_attrs *out)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_export_private(priv, key, out);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_op_init(void *priv, enum fh_op_kind kind, const CK_MECHANISM *mech,
             const struct fh_bkey *key, void **opctx)
{
    fh_rv rv;

    ERR_set_mark();
    rv = soft_op_init_inner(priv, kind, mech, key, opctx);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_op_update(void *opctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    fh_rv rv;

    ERR_set_mark();
    rv = soft_op_update_inner(opctx, in, in_len, out, out_len);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_op_final(void *opctx, uint8_t *out, size_t *out_len)
{
    fh_rv rv;

    ERR_set_mark();
    rv = soft_op_final_inner(opctx, out, out_len);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_op_oneshot(void *opctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    fh_rv rv;

    ERR_set_mark();
    rv = soft_op_oneshot_inner(opctx, in, in_len, out, out_len);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_wrap(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *wrapping,
          const struct fh_bkey *target, uint8_t *out, size_t *out_len)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_wrap(priv, mech, wrapping, target, out, out_len);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_unwrap(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *unwrapping,
            const uint8_t *in, size_t in_len, CK_OBJECT_CLASS cls, CK_KEY_TYPE type,
            CK_ULONG value_len, fh_secret **material, struct fh_attrs *pub)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_unwrap(priv, mech, unwrapping, in, in_len, cls, type, value_len, material, pub);
    ERR_pop_to_mark();
    return rv;
}

static fh_rv
soft_derive(void *priv, const CK_MECHANISM *mech, const struct fh_bkey *base, CK_KEY_TYPE type,
            CK_ULONG value_len, fh_secret **material)
{
    fh_rv rv;

    ERR_set_mark();
    rv = fhi_soft_derive(priv, mech, base, type, value_len, material);
    ERR_pop_to_mark();
    return rv;
}

const struct fh_backend_ops fh_backend_soft_ops = {
    .abi_version = FH_BACKEND_ABI_VERSION,
    .name = "soft",
    .config_help = "soft: software keys on OpenSSL 3 (no options)",
    .caps = FH_BACKEND_CAP_EXPORT_MATERIAL,
    .priv_size = sizeof(struct fhi_soft_priv),
    .init = soft_init,
    .fini = soft_fini,
    .health = soft_health,
    .mech_supported = soft_mech_supported,
    .generate = soft_generate,
    .import = soft_import,
    .export_private = soft_export_private,
    .key_prepare = soft_key_prepare,
    .key_release = fhi_soft_key_release,
    .op_init = soft_op_init,
    .op_update = soft_op_update,
    .op_final = soft_op_final,
    .op_oneshot = soft_op_oneshot,
    .op_free = soft_op_free,
    .wrap = soft_wrap,
    .unwrap = soft_unwrap,
    .derive = soft_derive,
    .random = soft_random,
};
