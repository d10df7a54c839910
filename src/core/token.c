/* SPDX-License-Identifier: Apache-2.0 */
/*
 * token.c - tokens: creation, PINs, login state, the token master key.
 *
 * Token record ("meta", opaque to the store) is an fh_attrs TLV whose types
 * are the M_* tags below. For each role (SO, user): a 16-byte salt, the
 * SHA-256 of the verifier half of Argon2id(PIN, salt) and the TMK sealed
 * (AES-256-GCM) under the key half, with "FHTMK1" || serial || role as AAD;
 * and a failure counter.
 *
 * Login increments the failure counter *before* checking the PIN and resets it
 * after a success, so killing the process mid-check cannot win a free guess.
 * Argon2 runs under tok->lock but never under ctx->lock.
 */
#include "core-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

enum {
    M_VERSION = 1,
    M_SERIAL = 2,
    M_ARGON_T = 3,
    M_ARGON_M = 4,
    M_ARGON_P = 5,
    M_MAX_FAIL = 6,
    M_ROLE_BASE_SO = 0x10,
    M_ROLE_BASE_USER = 0x20,
    /* offsets from a role base */
    M_SALT = 0,
    M_VERIFIER = 1,
    M_WRAPPED = 2,
    M_FAIL = 3,
    M_INFLIGHT = 4,
};

#define META_VERSION 1
#define SALT_LEN 16
#define SERIAL_LEN 8

static unsigned
role_base(CK_USER_TYPE who)
{
    return who == CKU_SO ? M_ROLE_BASE_SO : M_ROLE_BASE_USER;
}

static fh_rv
meta_set_u32(struct fh_attrs *m, CK_ATTRIBUTE_TYPE tag, uint32_t v)
{
    uint8_t b[4];

    fhi_put_be(b, v, 4);
    return fh_attrs_set(m, tag, b, sizeof(b));
}

static uint32_t
meta_u32(const struct fh_attrs *m, CK_ATTRIBUTE_TYPE tag)
{
    const struct fh_attr *a = fh_attrs_get(m, tag);

    return (a != NULL && a->len == 4) ? (uint32_t)fhi_get_be(a->value, 4) : 0;
}

static bool
meta_valid(const struct fh_attrs *m)
{
    const struct fh_attr *serial = fh_attrs_get(m, M_SERIAL);
    const struct fh_attr *so = fh_attrs_get(m, M_ROLE_BASE_SO + M_WRAPPED);

    uint32_t t = meta_u32(m, M_ARGON_T), mem = meta_u32(m, M_ARGON_M), par = meta_u32(m, M_ARGON_P);
    uint32_t max = meta_u32(m, M_MAX_FAIL);

    /* the same ranges config.c accepts: a damaged record must not make a
     * login run for hours or allocate without bound */
    return meta_u32(m, M_VERSION) == META_VERSION && serial != NULL &&
           serial->len == SERIAL_LEN && so != NULL && t >= 1 && t <= 100 && par >= 1 &&
           par <= 64 && mem >= 8 * par && mem <= 4u * 1024 * 1024 && max >= 1 && max <= 1000;
}

/* Read and decode the meta of token id; call with ctx->lock held. */
static fh_rv
meta_load_locked(fh_ctx *ctx, int64_t id, struct fh_store_token *row, struct fh_attrs *m)
{
    fh_rv rv = ctx->store_ops->token_get_by_id(ctx->store, id, row);

    if (rv != FH_OK) {
        return rv;
    }
    rv = fh_attrs_decode(row->meta, row->meta_len, m);
    if (rv == FH_OK && !meta_valid(m)) {
        fh_attrs_clear(m);
        rv = FH_E_STORE_CORRUPT;
    }
    return rv;
}

static fh_rv
meta_save_locked(fh_ctx *ctx, int64_t id, const struct fh_attrs *m)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    fh_rv rv = fh_attrs_encode(m, &buf, &len);

    if (rv == FH_OK) {
        rv = ctx->store_ops->token_update_meta(ctx->store, id, buf, len);
    }
    free(buf);
    return rv;
}

/* Argon2id(pin, salt) -> 64 bytes: key (0..31) and verifier (32..63). */
static fh_rv
stretch(const struct fh_attrs *m, const uint8_t *salt, const fh_secret *pin, fh_secret **out)
{
    fh_secret *k = NULL;
    fh_rv rv = fh_secret_new(64, &k);

    if (rv != FH_OK) {
        return rv;
    }
    if (argon2id_hash_raw(meta_u32(m, M_ARGON_T), meta_u32(m, M_ARGON_M), meta_u32(m, M_ARGON_P),
                          fh_secret_cdata(pin), fh_secret_len(pin), salt, SALT_LEN,
                          fh_secret_data(k), 64) != ARGON2_OK) {
        fh_secret_free(k);
        return FH_E_CRYPTO;
    }
    *out = k;
    return FH_OK;
}

static void
tmk_aad(const struct fh_attrs *m, CK_USER_TYPE who, uint8_t aad[6 + SERIAL_LEN + 1])
{
    memcpy(aad, "FHTMK1", 6);
    memcpy(aad + 6, fh_attrs_get(m, M_SERIAL)->value, SERIAL_LEN);
    aad[6 + SERIAL_LEN] = who == CKU_SO ? 'S' : 'U';
}

/* Set role who's salt, verifier and sealed TMK for a new PIN. */
static fh_rv
role_set(fh_ctx *ctx, struct fh_attrs *m, CK_USER_TYPE who, const fh_secret *pin,
         const fh_secret *tmk)
{
    unsigned base = role_base(who);
    uint8_t salt[SALT_LEN], vh[32], aad[6 + SERIAL_LEN + 1];
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    fh_secret *k = NULL;
    fh_rv rv;

    rv = fhi_random(ctx, salt, sizeof(salt));
    if (rv == FH_OK) {
        rv = stretch(m, salt, pin, &k);
    }
    if (rv != FH_OK) {
        return rv;
    }
    tmk_aad(m, who, aad);
    if (EVP_Digest(fh_secret_cdata(k) + 32, 32, vh, NULL, EVP_sha256(), NULL) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    rv = fhi_seal(fh_secret_cdata(k), aad, sizeof(aad), fh_secret_cdata(tmk), fh_secret_len(tmk),
                  &sealed, &sealed_len);
    if (rv == FH_OK) {
        rv = fh_attrs_set(m, base + M_SALT, salt, sizeof(salt));
    }
    if (rv == FH_OK) {
        rv = fh_attrs_set(m, base + M_VERIFIER, vh, sizeof(vh));
    }
    if (rv == FH_OK) {
        rv = fh_attrs_set(m, base + M_WRAPPED, sealed, sealed_len);
    }
    if (rv == FH_OK) {
        rv = meta_set_u32(m, base + M_FAIL, 0);
    }
out:
    fh_secret_free(k);
    free(sealed);
    return rv;
}

static fh_rv
check_pin_len(fh_ctx *ctx, const fh_secret *pin)
{
    if (pin == NULL) {
        return FH_E_ARGS;
    }
    if (fh_secret_len(pin) < ctx->cfg.min_pin_len || fh_secret_len(pin) > FH_PIN_MAX) {
        return FH_E_PIN_LEN_RANGE;
    }
    return FH_OK;
}

static fh_rv
check_label(const char *label)
{
    size_t n;

    if (label == NULL) {
        return FH_E_ARGS;
    }
    n = strlen(label);
    if (n == 0 || n > FH_TOKEN_LABEL_MAX) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f) {
            return FH_E_ARGS;
        }
    }
    return FH_OK;
}

static void
actor_for(const char *label, CK_USER_TYPE who, char *buf, size_t len)
{
    snprintf(buf, len, "token:%s/%s", label,
             who == CKU_SO ? "so" : who == CKU_USER ? "user" : "public");
}

void
fhi_token_actor(const fh_token *tok, char *buf, size_t len)
{
    CK_USER_TYPE who = tok->login;
    const char *a = tok->actor[who == CKU_SO ? 2 : who == CKU_USER ? 1 : 0];
    size_t n = strlen(a);

    if (len == 0) {
        return;
    }
    if (n >= len) {
        n = len - 1;
    }
    memcpy(buf, a, n);
    buf[n] = '\0';
}

fh_rv
fh_token_create(fh_ctx *ctx, const char *label, const fh_secret *so_pin, const fh_secret *user_pin)
{
    struct fh_attrs m = FH_ATTRS_INIT;
    struct fh_store_token row = {0};
    fh_secret *tmk = NULL;
    uint8_t serial[SERIAL_LEN];
    uint8_t *buf = NULL;
    size_t len = 0;
    int64_t id = 0;
    char actor[64];
    fh_rv rv;

    if (ctx == NULL || check_label(label) != FH_OK) {
        return FH_E_ARGS;
    }
    rv = check_pin_len(ctx, so_pin);
    if (rv == FH_OK && user_pin != NULL) {
        rv = check_pin_len(ctx, user_pin);
    }
    if (rv != FH_OK) {
        return rv;
    }
    rv = fh_secret_new(FHI_TMK_LEN, &tmk);
    if (rv == FH_OK) {
        rv = fhi_random(ctx, fh_secret_data(tmk), FHI_TMK_LEN);
    }
    if (rv == FH_OK) {
        rv = fhi_random(ctx, serial, sizeof(serial));
    }
    if (rv != FH_OK) {
        goto out;
    }
    if ((rv = meta_set_u32(&m, M_VERSION, META_VERSION)) != FH_OK ||
        (rv = fh_attrs_set(&m, M_SERIAL, serial, sizeof(serial))) != FH_OK ||
        (rv = meta_set_u32(&m, M_ARGON_T, ctx->cfg.argon2_t)) != FH_OK ||
        (rv = meta_set_u32(&m, M_ARGON_M, ctx->cfg.argon2_m_kib)) != FH_OK ||
        (rv = meta_set_u32(&m, M_ARGON_P, ctx->cfg.argon2_p)) != FH_OK ||
        (rv = meta_set_u32(&m, M_MAX_FAIL, ctx->cfg.max_pin_failures)) != FH_OK) {
        goto out;
    }
    rv = role_set(ctx, &m, CKU_SO, so_pin, tmk);
    if (rv == FH_OK && user_pin != NULL) {
        rv = role_set(ctx, &m, CKU_USER, user_pin, tmk);
    }
    if (rv == FH_OK) {
        rv = fh_attrs_encode(&m, &buf, &len);
    }
    if (rv != FH_OK) {
        goto out;
    }
    row.label = (char *)(uintptr_t)label;
    row.meta = buf;
    row.meta_len = len;
    fhi_ctx_lock(ctx);
    rv = ctx->store_ops->token_insert(ctx->store, &row, &id);
    fhi_ctx_unlock(ctx);
out:
    actor_for(label, CKU_SO, actor, sizeof(actor));
    __atomic_store_n(&ctx->tok_epoch, fhi_epoch_next(), __ATOMIC_RELEASE); /* fh_token_stamp */
    fhi_apikey_tokens_changed(ctx); /* labels shown for API key scopes */
    fhi_audit(ctx, actor, "token.create", "", rv);
    free(buf);
    fh_attrs_clear(&m);
    fh_secret_free(tmk);
    return rv;
}

/*
 * PIN checks are admitted, not just counted. A check in flight holds one of
 * the (max - failures) slots of its role: an entry (nonce, start time) in the
 * token record, written before Argon2 runs and removed when the check ends.
 * So N parallel guesses can never exceed the remaining tries, and a process
 * killed mid-check cannot win a free guess: its entry goes stale and is
 * counted as a failure. Correct logins racing each other only wait for a
 * slot; they are never mistaken for failures.
 */
#define INFLIGHT_LEN 16          /* nonce (8) || start ms (8) */
#define INFLIGHT_STALE_MS 120000 /* far above any Argon2 run: the checker died */
#define ADMIT_WAIT_MS 30000
#define ADMIT_POLL_MS 25

enum admit_result { ADMIT_OK, ADMIT_WAIT };

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Rewrite role's in-flight list without stale entries and without `drop`
 * (a nonce, or NULL); return how many stale entries and whether drop was
 * found. */
static fh_rv
inflight_prune(struct fh_attrs *m, unsigned base, const uint8_t *drop, uint32_t *stale,
               bool *dropped)
{
    const struct fh_attr *a = fh_attrs_get(m, base + M_INFLIGHT);
    uint8_t keep[INFLIGHT_LEN * 64];
    size_t n = 0;
    int64_t now = mono_ms();

    *stale = 0;
    *dropped = false;
    if (a == NULL) {
        return FH_OK;
    }
    if (a->len % INFLIGHT_LEN != 0 || a->len > sizeof(keep)) {
        return FH_E_STORE_CORRUPT;
    }
    for (size_t off = 0; off < a->len; off += INFLIGHT_LEN) {
        int64_t t = (int64_t)fhi_get_be(a->value + off + 8, 8);

        if (drop != NULL && !*dropped && memcmp(a->value + off, drop, 8) == 0) {
            *dropped = true;
        } else if (now - t > INFLIGHT_STALE_MS || t - now > INFLIGHT_STALE_MS) {
            (*stale)++;
        } else {
            memcpy(keep + n, a->value + off, INFLIGHT_LEN);
            n += INFLIGHT_LEN;
        }
    }
    return fh_attrs_set(m, base + M_INFLIGHT, keep, n);
}

/* One admission attempt in a write transaction; *m receives the record. */
static fh_rv
admit_once(fh_ctx *ctx, int64_t id, CK_USER_TYPE who, const uint8_t nonce[8], struct fh_attrs *m,
           enum admit_result *res)
{
    const struct fh_store_ops *ops = ctx->store_ops;
    struct fh_store_token row = {0};
    unsigned base = role_base(who);
    uint32_t stale = 0, fail, max;
    bool dropped;
    fh_rv rv;

    *res = ADMIT_OK;
    fhi_ctx_lock(ctx);
    rv = ops->begin(ctx->store, true);
    if (rv != FH_OK) {
        fhi_ctx_unlock(ctx);
        return rv;
    }
    fh_attrs_clear(m);
    rv = meta_load_locked(ctx, id, &row, m);
    if (rv == FH_OK && fh_attrs_get(m, base + M_SALT) == NULL) {
        rv = FH_E_USER_PIN_NOT_INITIALIZED;
    }
    if (rv == FH_OK) {
        rv = inflight_prune(m, base, NULL, &stale, &dropped);
    }
    if (rv == FH_OK) {
        const struct fh_attr *a = fh_attrs_get(m, base + M_INFLIGHT);
        size_t active = a != NULL ? a->len / INFLIGHT_LEN : 0;

        fail = meta_u32(m, base + M_FAIL) + stale;
        max = meta_u32(m, M_MAX_FAIL);
        rv = meta_set_u32(m, base + M_FAIL, fail);
        if (rv == FH_OK && fail >= max) {
            rv = FH_E_PIN_LOCKED;
        } else if (rv == FH_OK && fail + active >= max) {
            *res = ADMIT_WAIT;
        } else if (rv == FH_OK) {
            uint8_t list[INFLIGHT_LEN * 64];

            if (active > 0) {
                memcpy(list, a->value, active * INFLIGHT_LEN);
            }
            memcpy(list + active * INFLIGHT_LEN, nonce, 8);
            fhi_put_be(list + active * INFLIGHT_LEN + 8, (uint64_t)mono_ms(), 8);
            rv = fh_attrs_set(m, base + M_INFLIGHT, list, (active + 1) * INFLIGHT_LEN);
        }
    }
    /* persist the admission, or the stale attempts counted as failures */
    if ((rv == FH_OK && (*res == ADMIT_OK || stale > 0)) || (rv == FH_E_PIN_LOCKED && stale > 0)) {
        fh_rv wrv = meta_save_locked(ctx, id, m);

        rv = wrv != FH_OK ? wrv : rv;
    }
    if (rv == FH_OK || rv == FH_E_PIN_LOCKED) {
        fh_rv crv = ops->commit(ctx->store);

        rv = crv != FH_OK ? crv : rv;
    } else {
        ops->rollback(ctx->store);
    }
    fhi_ctx_unlock(ctx);
    fh_store_token_clear(&row);
    return rv;
}

enum pin_outcome { PIN_NOT_CHECKED, PIN_MISMATCH, PIN_MATCH };

/* Release our admission and record the outcome of the check. */
static fh_rv
release(fh_ctx *ctx, int64_t id, CK_USER_TYPE who, const uint8_t nonce[8],
        enum pin_outcome outcome)
{
    const struct fh_store_ops *ops = ctx->store_ops;
    struct fh_store_token row = {0};
    struct fh_attrs m = FH_ATTRS_INIT;
    unsigned base = role_base(who);
    uint32_t stale = 0;
    bool dropped = false;
    fh_rv rv;

    fhi_ctx_lock(ctx);
    rv = ops->begin(ctx->store, true);
    if (rv == FH_OK) {
        rv = meta_load_locked(ctx, id, &row, &m);
        if (rv == FH_OK) {
            rv = inflight_prune(&m, base, nonce, &stale, &dropped);
        }
        if (rv == FH_OK) {
            uint32_t fail = meta_u32(&m, base + M_FAIL) + stale;

            /* a failure already counted as stale is not counted twice */
            if (outcome == PIN_MATCH) {
                fail = 0;
            } else if (outcome == PIN_MISMATCH && dropped) {
                fail++;
            }
            rv = meta_set_u32(&m, base + M_FAIL, fail);
        }
        if (rv == FH_OK) {
            rv = meta_save_locked(ctx, id, &m);
        }
        rv = rv == FH_OK ? ops->commit(ctx->store) : rv;
        if (rv != FH_OK) {
            ops->rollback(ctx->store);
        }
    }
    fhi_ctx_unlock(ctx);
    fh_store_token_clear(&row);
    fh_attrs_clear(&m);
    return rv;
}

/* Verify pin for role who of token id and, on success, return the TMK. */
static fh_rv
verify_pin(fh_ctx *ctx, int64_t id, CK_USER_TYPE who, const fh_secret *pin, fh_secret **tmk_out)
{
    struct fh_attrs m = FH_ATTRS_INIT;
    unsigned base = role_base(who);
    const struct fh_attr *salt, *ver, *wrapped;
    uint8_t vh[32], aad[6 + SERIAL_LEN + 1], nonce[8];
    fh_secret *k = NULL, *tmk = NULL;
    enum admit_result res = ADMIT_WAIT;
    int64_t deadline = mono_ms() + ADMIT_WAIT_MS;
    enum pin_outcome outcome = PIN_NOT_CHECKED;
    fh_rv rv, rrv;

    rv = fhi_random(ctx, nonce, sizeof(nonce));
    while (rv == FH_OK) {
        rv = admit_once(ctx, id, who, nonce, &m, &res);
        if (rv != FH_OK || res == ADMIT_OK) {
            break;
        }
        if (mono_ms() > deadline) {
            rv = FH_E_STORE_BUSY;
            break;
        }
        nanosleep(&(struct timespec){0, ADMIT_POLL_MS * 1000000L}, NULL);
    }
    if (rv != FH_OK) {
        fh_attrs_clear(&m);
        return rv;
    }
    salt = fh_attrs_get(&m, base + M_SALT);
    ver = fh_attrs_get(&m, base + M_VERIFIER);
    wrapped = fh_attrs_get(&m, base + M_WRAPPED);
    if (salt->len != SALT_LEN || ver == NULL || ver->len != 32 || wrapped == NULL) {
        rv = FH_E_STORE_CORRUPT;
        goto out;
    }
    if (fh_secret_len(pin) == 0 || fh_secret_len(pin) > FH_PIN_MAX) {
        outcome = PIN_MISMATCH;
        rv = FH_E_PIN_INCORRECT;
        goto out;
    }
    rv = stretch(&m, salt->value, pin, &k);
    if (rv != FH_OK) {
        goto out;
    }
    if (EVP_Digest(fh_secret_cdata(k) + 32, 32, vh, NULL, EVP_sha256(), NULL) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    if (CRYPTO_memcmp(vh, ver->value, sizeof(vh)) != 0) {
        outcome = PIN_MISMATCH;
        rv = FH_E_PIN_INCORRECT;
        goto out;
    }
    outcome = PIN_MATCH;
    tmk_aad(&m, who, aad);
    rv = fhi_open(fh_secret_cdata(k), aad, sizeof(aad), wrapped->value, wrapped->len, &tmk);
    if (rv != FH_OK || fh_secret_len(tmk) != FHI_TMK_LEN) {
        rv = FH_E_INTEGRITY; /* right PIN, damaged record */
    }
out:
    /* a check that could not run (corrupt record, crypto failure) is not a
     * wrong PIN: only a mismatch counts as a failure */
    rrv = release(ctx, id, who, nonce, outcome);
    if (rv == FH_OK && rrv != FH_OK) {
        rv = rrv;
    }
    if (rv == FH_OK) {
        *tmk_out = tmk;
        tmk = NULL;
    }
    fh_secret_free(k);
    fh_secret_free(tmk);
    fh_attrs_clear(&m);
    return rv;
}

static fh_rv
token_find_id(fh_ctx *ctx, const char *label, int64_t *id)
{
    struct fh_store_token row = {0};
    fh_rv rv;

    fhi_ctx_lock(ctx);
    rv = ctx->store_ops->token_get(ctx->store, label, &row);
    fhi_ctx_unlock(ctx);
    if (rv == FH_OK) {
        *id = row.id;
    }
    fh_store_token_clear(&row);
    return rv;
}

fh_rv
fh_token_delete(fh_ctx *ctx, const char *label, const fh_secret *so_pin)
{
    fh_secret *tmk = NULL;
    char actor[64];
    int64_t id = 0;
    fh_rv rv;

    if (ctx == NULL || check_label(label) != FH_OK || so_pin == NULL) {
        return FH_E_ARGS;
    }
    rv = token_find_id(ctx, label, &id);
    if (rv == FH_OK) {
        rv = verify_pin(ctx, id, CKU_SO, so_pin, &tmk);
    }
    if (rv == FH_OK) {
        fhi_ctx_lock(ctx);
        rv = ctx->store_ops->token_delete(ctx->store, id);
        fhi_ctx_unlock(ctx);
    }
    fh_secret_free(tmk);
    actor_for(label, CKU_SO, actor, sizeof(actor));
    __atomic_store_n(&ctx->tok_epoch, fhi_epoch_next(), __ATOMIC_RELEASE); /* fh_token_stamp */
    fhi_apikey_tokens_changed(ctx); /* labels shown for API key scopes */
    fhi_audit(ctx, actor, "token.delete", "", rv);
    return rv;
}

struct id_list {
    int64_t *v;
    size_t n, cap;
};

static fh_rv
collect_id(void *arg, const struct fh_store_object *o)
{
    struct id_list *l = arg;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = o->id;
    return FH_OK;
}

fh_rv
fh_token_reinit(fh_ctx *ctx, int64_t id, const char *new_label, const fh_secret *so_pin)
{
    const struct fh_store_ops *ops;
    struct fh_store_token row = {0};
    struct fh_store_query q = {0};
    struct fh_attrs m = FH_ATTRS_INIT;
    struct id_list ids = {0};
    fh_secret *tmk = NULL;
    char actor[64];
    fh_rv rv;

    if (ctx == NULL || id <= 0 || so_pin == NULL || check_label(new_label) != FH_OK) {
        return FH_E_ARGS;
    }
    ops = ctx->store_ops;
    rv = verify_pin(ctx, id, CKU_SO, so_pin, &tmk);
    fh_secret_free(tmk);
    if (rv != FH_OK) {
        goto out;
    }
    q.token_id = id;
    fhi_ctx_lock(ctx);
    rv = ops->begin(ctx->store, true);
    if (rv == FH_OK) {
        /* ids first: no deletes while the query runs */
        rv = ops->object_find(ctx->store, &q, collect_id, &ids);
        for (size_t i = 0; rv == FH_OK && i < ids.n; i++) {
            rv = ops->object_delete(ctx->store, id, ids.v[i]);
        }
        if (rv == FH_OK) {
            rv = meta_load_locked(ctx, id, &row, &m);
        }
        for (unsigned off = M_SALT; rv == FH_OK && off <= M_INFLIGHT; off++) {
            fh_attrs_del(&m, M_ROLE_BASE_USER + off); /* the user PIN is unset */
        }
        if (rv == FH_OK) {
            rv = meta_save_locked(ctx, id, &m);
        }
        if (rv == FH_OK && strcmp(row.label, new_label) != 0) {
            rv = ops->token_set_label(ctx->store, id, new_label);
        }
        rv = rv == FH_OK ? ops->commit(ctx->store) : rv;
        if (rv != FH_OK) {
            ops->rollback(ctx->store);
        }
    }
    fhi_ctx_unlock(ctx);
out:
    actor_for(new_label, CKU_SO, actor, sizeof(actor));
    __atomic_store_n(&ctx->tok_epoch, fhi_epoch_next(), __ATOMIC_RELEASE); /* fh_token_stamp */
    fhi_apikey_tokens_changed(ctx); /* labels shown for API key scopes */
    fhi_audit(ctx, actor, "token.reinit", "", rv);
    fh_store_token_clear(&row);
    fh_attrs_clear(&m);
    free(ids.v);
    return rv;
}

static fh_rv
fill_info(fh_ctx *ctx, const struct fh_store_token *row, struct fh_token_info *info)
{
    struct fh_attrs m = FH_ATTRS_INIT;
    const struct fh_attr *serial;
    uint32_t max;
    fh_rv rv = fh_attrs_decode(row->meta, row->meta_len, &m);

    if (rv == FH_OK && !meta_valid(&m)) {
        rv = FH_E_STORE_CORRUPT;
    }
    if (rv != FH_OK) {
        fh_attrs_clear(&m);
        return rv;
    }
    memset(info, 0, sizeof(*info));
    info->id = row->id;
    snprintf(info->label, sizeof(info->label), "%s", row->label);
    serial = fh_attrs_get(&m, M_SERIAL);
    for (size_t i = 0; i < SERIAL_LEN; i++) {
        snprintf(info->serial + 2 * i, 3, "%02X", serial->value[i]);
    }
    max = meta_u32(&m, M_MAX_FAIL);
    info->max_failures = max;
    info->so_failures = meta_u32(&m, M_ROLE_BASE_SO + M_FAIL);
    info->user_failures = meta_u32(&m, M_ROLE_BASE_USER + M_FAIL);
    info->so_pin_locked = info->so_failures >= max;
    info->user_pin_initialized = fh_attrs_get(&m, M_ROLE_BASE_USER + M_SALT) != NULL;
    info->user_pin_locked = info->user_pin_initialized && info->user_failures >= max;
    fh_attrs_clear(&m);
    return ctx->store_ops->object_count(ctx->store, row->id, &info->object_count);
}

fh_rv
fhi_token_row_serial(const struct fh_store_token *row, char out[FH_APIKEY_SERIAL_HEX + 1])
{
    struct fh_attrs m = FH_ATTRS_INIT;
    const struct fh_attr *serial;
    fh_rv rv = fh_attrs_decode(row->meta, row->meta_len, &m);

    if (rv == FH_OK && !meta_valid(&m)) {
        rv = FH_E_STORE_CORRUPT;
    }
    if (rv == FH_OK) {
        serial = fh_attrs_get(&m, M_SERIAL);
        for (size_t i = 0; i < SERIAL_LEN; i++) {
            snprintf(out + 2 * i, 3, "%02X", serial->value[i]);
        }
    }
    fh_attrs_clear(&m);
    return rv;
}

size_t
fh_token_session_count(fh_token *tok)
{
    size_t n;

    if (tok == NULL) {
        return 0;
    }
    pthread_mutex_lock(&tok->lock);
    n = tok->n_sessions;
    pthread_mutex_unlock(&tok->lock);
    return n;
}

struct list_state {
    fh_ctx *ctx;
    struct fh_token_info *v;
    size_t n, cap;
};

static fh_rv
list_one(void *arg, const struct fh_store_token *t)
{
    struct list_state *st = arg;

    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        struct fh_token_info *v = realloc(st->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        st->v = v;
        st->cap = cap;
    }
    return fill_info(st->ctx, t, &st->v[st->n++]);
}

fh_rv
fh_token_list(fh_ctx *ctx, struct fh_token_info **out, size_t *count)
{
    struct list_state st = {ctx, NULL, 0, 0};
    fh_rv rv;

    if (ctx == NULL || out == NULL || count == NULL) {
        return FH_E_ARGS;
    }
    fhi_ctx_lock(ctx);
    rv = ctx->store_ops->token_list(ctx->store, list_one, &st);
    fhi_ctx_unlock(ctx);
    if (rv != FH_OK) {
        free(st.v);
        return rv;
    }
    *out = st.v;
    *count = st.n;
    return FH_OK;
}

fh_rv
fh_token_open(fh_ctx *ctx, const char *label, fh_token **out)
{
    fh_token *tok;
    int64_t id = 0;
    fh_rv rv;

    if (ctx == NULL || out == NULL || check_label(label) != FH_OK) {
        return FH_E_ARGS;
    }
    rv = token_find_id(ctx, label, &id);
    if (rv != FH_OK) {
        return rv;
    }
    tok = calloc(1, sizeof(*tok));
    if (tok == NULL) {
        return FH_E_NOMEM;
    }
    pthread_mutex_init(&tok->lock, NULL);
    tok->ctx = ctx;
    tok->id = id;
    tok->login = FHI_NOBODY;
    tok->obj_epoch = fhi_epoch_next();
    snprintf(tok->label, sizeof(tok->label), "%s", label);
    actor_for(tok->label, FHI_NOBODY, tok->actor[0], sizeof(tok->actor[0]));
    actor_for(tok->label, CKU_USER, tok->actor[1], sizeof(tok->actor[1]));
    actor_for(tok->label, CKU_SO, tok->actor[2], sizeof(tok->actor[2]));
    *out = tok;
    return FH_OK;
}

void
fh_token_close(fh_token *tok)
{
    if (tok == NULL) {
        return;
    }
    while (tok->n_sessions > 0) {
        fh_session_close(tok->sessions[tok->n_sessions - 1]);
    }
    free(tok->sessions);
    fhi_kcache_clear_locked(tok);
    free(tok->kcache);
    free(tok->kcache_ids);
    for (size_t i = 0; i < tok->n_handles; i++) {
        fhi_obj_free(tok->handles[i].sobj);
    }
    free(tok->handles);
    fhi_i64map_clear(&tok->by_store_id);
    fh_secret_free(tok->tmk);
    pthread_mutex_destroy(&tok->lock);
    free(tok);
}

uint64_t
fhi_epoch_next(void)
{
    static uint64_t last;

    return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

void
fhi_token_touch_locked(fh_token *tok)
{
    tok->obj_epoch = fhi_epoch_next();
}

fh_rv
fh_token_stamp(fh_token *tok, struct fh_token_stamp *out)
{
    fh_ctx *ctx;
    uint64_t gen = 0;
    fh_rv rv = FH_OK;

    if (tok == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    ctx = tok->ctx;
    /* local first: a change that commits after this read moves it afterwards
     * (the epochs move once the change is done) */
    pthread_mutex_lock(&tok->lock);
    out->local = tok->obj_epoch;
    out->tokens = __atomic_load_n(&ctx->tok_epoch, __ATOMIC_ACQUIRE);
    pthread_mutex_unlock(&tok->lock);
    if (ctx->store_ops->generation != NULL) {
        fhi_ctx_lock(ctx);
        rv = ctx->store_ops->generation(ctx->store, &gen);
        fhi_ctx_unlock(ctx);
    } else {
        gen = fhi_epoch_next(); /* no generation: never the same stamp twice */
    }
    out->store = gen;
    return rv;
}

bool
fh_token_stamp_equal(const struct fh_token_stamp *a, const struct fh_token_stamp *b)
{
    return a != NULL && b != NULL && a->store == b->store && a->local == b->local &&
           a->tokens == b->tokens;
}

fh_rv
fh_token_get_info(fh_token *tok, struct fh_token_info *out)
{
    struct fh_store_token row = {0};
    fh_rv rv;

    if (tok == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    fhi_ctx_lock(tok->ctx);
    rv = tok->ctx->store_ops->token_get_by_id(tok->ctx->store, tok->id, &row);
    if (rv == FH_OK) {
        rv = fill_info(tok->ctx, &row, out);
    }
    fhi_ctx_unlock(tok->ctx);
    fh_store_token_clear(&row);
    if (rv == FH_OK) {
        pthread_mutex_lock(&tok->lock);
        out->user_logged_in = tok->login == CKU_USER;
        out->so_logged_in = tok->login == CKU_SO;
        pthread_mutex_unlock(&tok->lock);
    }
    return rv;
}

fh_rv
fh_token_login(fh_token *tok, CK_USER_TYPE who, const fh_secret *pin)
{
    fh_secret *tmk = NULL;
    char actor[64];
    fh_rv rv;

    if (tok == NULL || pin == NULL) {
        return FH_E_ARGS;
    }
    if (who != CKU_SO && who != CKU_USER) {
        return FH_E_USER_TYPE_INVALID;
    }
    pthread_mutex_lock(&tok->lock);
    if (tok->login == who) {
        rv = FH_E_ALREADY_LOGGED_IN;
    } else if (tok->login != FHI_NOBODY) {
        rv = FH_E_OTHER_USER_LOGGED_IN;
    } else {
        rv = verify_pin(tok->ctx, tok->id, who, pin, &tmk);
        if (rv == FH_OK) {
            tok->tmk = tmk;
            tok->login = who;
            fhi_token_touch_locked(tok); /* private objects become visible */
        }
    }
    pthread_mutex_unlock(&tok->lock);
    actor_for(tok->label, who, actor, sizeof(actor));
    fhi_audit(tok->ctx, actor, "login", "", rv);
    return rv;
}

fh_rv
fh_token_logout(fh_token *tok)
{
    char actor[64];
    fh_rv rv = FH_OK;

    if (tok == NULL) {
        return FH_E_ARGS;
    }
    pthread_mutex_lock(&tok->lock);
    if (tok->login == FHI_NOBODY) {
        rv = FH_E_NOT_LOGGED_IN;
    } else {
        fhi_token_actor(tok, actor, sizeof(actor));
        fh_secret_free(tok->tmk);
        tok->tmk = NULL;
        tok->login = FHI_NOBODY;
        fhi_token_drop_private_locked(tok);
        fhi_kcache_clear_locked(tok);
        fhi_token_touch_locked(tok);
    }
    pthread_mutex_unlock(&tok->lock);
    if (rv == FH_OK) {
        fhi_audit(tok->ctx, actor, "logout", "", rv);
    }
    return rv;
}

CK_USER_TYPE
fh_token_logged_in(const fh_token *tok)
{
    return tok != NULL ? tok->login : FHI_NOBODY;
}

const char *
fh_token_label(const fh_token *tok)
{
    return tok != NULL ? tok->label : "";
}

/* Re-seal the TMK for role who under new_pin; write under a transaction. */
static fh_rv
store_new_pin(fh_token *tok, CK_USER_TYPE who, const fh_secret *new_pin, const fh_secret *tmk)
{
    fh_ctx *ctx = tok->ctx;
    struct fh_store_token row = {0};
    struct fh_attrs m = FH_ATTRS_INIT;
    fh_rv rv;

    /* Argon2 outside ctx->lock: read meta, derive, then write back in a
     * transaction that re-reads the record so counters of others survive. */
    fhi_ctx_lock(ctx);
    rv = meta_load_locked(ctx, tok->id, &row, &m);
    fhi_ctx_unlock(ctx);
    fh_store_token_clear(&row);
    if (rv == FH_OK) {
        rv = role_set(ctx, &m, who, new_pin, tmk);
    }
    if (rv == FH_OK) {
        unsigned base = role_base(who);
        struct fh_attrs cur = FH_ATTRS_INIT;

        fhi_ctx_lock(ctx);
        rv = ctx->store_ops->begin(ctx->store, true);
        if (rv == FH_OK) {
            rv = meta_load_locked(ctx, tok->id, &row, &cur);
            for (unsigned off = M_SALT; rv == FH_OK && off <= M_FAIL; off++) {
                const struct fh_attr *a = fh_attrs_get(&m, base + off);

                rv = fh_attrs_set(&cur, base + off, a->value, a->len);
            }
            if (rv == FH_OK) {
                rv = meta_save_locked(ctx, tok->id, &cur);
            }
            rv = rv == FH_OK ? ctx->store_ops->commit(ctx->store) : rv;
            if (rv != FH_OK) {
                ctx->store_ops->rollback(ctx->store);
            }
        }
        fhi_ctx_unlock(ctx);
        fh_store_token_clear(&row);
        fh_attrs_clear(&cur);
    }
    fh_attrs_clear(&m);
    return rv;
}

fh_rv
fh_token_set_pin(fh_token *tok, CK_USER_TYPE who, const fh_secret *old_pin,
                 const fh_secret *new_pin)
{
    fh_secret *tmk = NULL;
    char actor[64];
    fh_rv rv;

    if (tok == NULL || old_pin == NULL || new_pin == NULL) {
        return FH_E_ARGS;
    }
    if (who != CKU_SO && who != CKU_USER) {
        return FH_E_USER_TYPE_INVALID;
    }
    rv = check_pin_len(tok->ctx, new_pin);
    if (rv == FH_OK) {
        pthread_mutex_lock(&tok->lock);
        rv = verify_pin(tok->ctx, tok->id, who, old_pin, &tmk);
        if (rv == FH_OK) {
            rv = store_new_pin(tok, who, new_pin, tmk);
        }
        pthread_mutex_unlock(&tok->lock);
    }
    fh_secret_free(tmk);
    actor_for(tok->label, who, actor, sizeof(actor));
    fhi_audit(tok->ctx, actor, "pin.change", "", rv);
    return rv;
}

fh_rv
fh_token_init_pin(fh_token *tok, const fh_secret *new_user_pin)
{
    char actor[64];
    fh_rv rv;

    if (tok == NULL || new_user_pin == NULL) {
        return FH_E_ARGS;
    }
    rv = check_pin_len(tok->ctx, new_user_pin);
    pthread_mutex_lock(&tok->lock);
    if (rv == FH_OK && (tok->login != CKU_SO || tok->tmk == NULL)) {
        rv = FH_E_NOT_LOGGED_IN;
    }
    if (rv == FH_OK) {
        rv = store_new_pin(tok, CKU_USER, new_user_pin, tok->tmk);
    }
    pthread_mutex_unlock(&tok->lock);
    actor_for(tok->label, CKU_SO, actor, sizeof(actor));
    fhi_audit(tok->ctx, actor, "pin.init", "", rv);
    return rv;
}
