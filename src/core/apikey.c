/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apikey.c - API keys of the REST server (apikey.h): creation, listing,
 * revocation and the verification run on every request.
 *
 * DESIGN
 *
 * Key string: "fhk_" || ID (16 lowercase hex digits: 64 random bits) || "_"
 * || SECRET (43 base64url characters, no padding: 32 random bytes), 64
 * characters. The store keeps SHA-256(secret bytes) and never the string or
 * the bytes; the secret has full entropy, so one fast hash is enough (a
 * password hash would only slow every request down).
 *
 * Verification parses the presented string strictly (exact length, prefix,
 * lowercase hex id, base64url alphabet, canonical last character) before any
 * lookup, decodes the secret without branching on its characters, hashes it,
 * finds the record by id and compares the hashes with CRYPTO_memcmp. A
 * malformed string, an unknown id, a wrong secret and a revoked key all give
 * FH_E_AUTH_FAILED and nothing else. The id is public (listings, audit), so
 * the time a lookup of an unknown id takes gives nothing away.
 *
 * Cache: ctx->akcache holds the records verified so far, by id (at most
 * AKCACHE_MAX; when full it starts again). It belongs to one store
 * generation (store.h): when another connection or process commits, the
 * whole cache is dropped at the next verify, so a revocation elsewhere takes
 * effect at once; this context's own revoke drops it as well (its own commits
 * do not move the generation). A hit costs the generation check (one pread
 * of the WAL index for SQLite), a hash and a compare. Unknown ids are not
 * cached: each is one indexed lookup, and the server rate-limits failures.
 *
 * Locks: the cache is guarded by ctx->lock, the lock that already guards the
 * store connection whose generation it follows; nothing slow runs under it
 * (the hash is computed before it is taken).
 *
 * Scope: a list of token serials (token.h: fixed for a token's life), bound
 * at creation from the labels given, in the transaction that stores the
 * key; a deleted token's serial stays in the list and matches nothing. The
 * labels in struct fh_apikey_info are looked up from the serials whenever a
 * record is read (display only; "" for a token that is gone), and the
 * cache is dropped when this context creates or deletes a token so that
 * they stay current. Stores of ABI 2 kept labels; fhi_apikey_upgrade_scopes
 * binds those to serials once, when the context opens the store.
 *
 * Secrets: the secret bytes live in an fh_secret (create and verify); the
 * key string goes only to the caller's buffer, and every local copy is
 * cleansed. Audit records name the key by "apikey:<id>", never by its string.
 */
#include "core-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define PREFIX "fhk_"
#define PREFIX_LEN 4
#define SECRET_BYTES 32
#define SECRET_CHARS 43 /* ceil(32 * 8 / 6), no padding */
#define KEY_LEN (PREFIX_LEN + FH_APIKEY_ID_HEX + 1 + SECRET_CHARS)
#define HASH_LEN FH_STORE_APIKEY_HASH_LEN
#define AKCACHE_MAX 1024

_Static_assert(KEY_LEN + 1 == FH_APIKEY_STRING_LEN, "key string length");
_Static_assert(FH_APIKEY_ID_HEX == FH_STORE_APIKEY_ID_LEN, "id length");

struct akent {
    uint8_t hash[HASH_LEN];
    struct fh_apikey_info info;
};

struct fhi_akcache {
    uint64_t gen;
    bool gen_valid;
    struct akent *v;
    size_t n;
    size_t cap;
    struct fhi_i64map idx; /* id_key(id) -> index + 1 */
};

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- roles -------------------------------------------------------------- */

const char *
fh_role_name(enum fh_role role)
{
    switch (role) {
    case FH_ROLE_ADMIN: return "admin";
    case FH_ROLE_OPERATOR: return "operator";
    case FH_ROLE_APP: return "app";
    case FH_ROLE_AUDITOR: return "auditor";
    }
    return NULL;
}

fh_rv
fh_role_from_name(const char *name, enum fh_role *out)
{
    static const enum fh_role roles[] = {FH_ROLE_ADMIN, FH_ROLE_OPERATOR, FH_ROLE_APP,
                                         FH_ROLE_AUDITOR};

    if (name == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (strcmp(name, fh_role_name(roles[i])) == 0) {
            *out = roles[i];
            return FH_OK;
        }
    }
    return FH_E_ARGS;
}

static bool
role_valid(uint32_t role)
{
    return role >= FH_ROLE_ADMIN && role <= FH_ROLE_AUDITOR;
}

/* ---- parsing and encoding ----------------------------------------------- */

static bool
is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool
is_id(const char *s, size_t len)
{
    if (len != FH_APIKEY_ID_HEX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_lower_hex(s[i])) {
            return false;
        }
    }
    return true;
}

/*
 * The 6-bit value of a base64url character, or -1; no branch and no table
 * lookup depends on c (it is secret). Relies on arithmetic right shift of
 * negative ints, as gcc and clang do.
 */
static int
b64url_value(int c)
{
    int v = -1;

    v += ((('A' - 1 - c) & (c - ('Z' + 1))) >> 8) & (c - 'A' + 1);
    v += ((('a' - 1 - c) & (c - ('z' + 1))) >> 8) & (c - 'a' + 27);
    v += ((('0' - 1 - c) & (c - ('9' + 1))) >> 8) & (c - '0' + 53);
    v += ((('-' - 1 - c) & (c - ('-' + 1))) >> 8) & 63;
    v += ((('_' - 1 - c) & (c - ('_' + 1))) >> 8) & 64;
    return v;
}

/*
 * Decode the 43 characters of a secret into 32 bytes. Every character is
 * looked at whatever the others are; false for a character outside the
 * alphabet or a last character with bits beyond the 256 (non-canonical).
 */
static bool
secret_decode(const char *s, uint8_t out[SECRET_BYTES])
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    int bad = 0;

    for (size_t i = 0; i < SECRET_CHARS; i++) {
        int v = b64url_value((unsigned char)s[i]);

        bad |= v; /* negative once any value is -1 */
        acc = (acc << 6) | ((uint32_t)v & 0x3f);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* 43 * 6 = 258: two bits are left over and must be zero */
    bad |= -(int)(acc & ((1u << bits) - 1));
    OPENSSL_cleanse(&acc, sizeof(acc));
    return bad >= 0 && o == SECRET_BYTES;
}

static void
secret_encode(const uint8_t in[SECRET_BYTES], char out[SECRET_CHARS])
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < SECRET_BYTES; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = b64url[(acc >> bits) & 0x3f];
        }
    }
    if (bits > 0) {
        out[o++] = b64url[(acc << (6 - bits)) & 0x3f];
    }
    OPENSSL_cleanse(&acc, sizeof(acc));
}

/* SHA-256 fetched once (every REST request hashes its key): kept for the
 * process's life. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

static fh_rv
sha256(const uint8_t *p, size_t len, uint8_t out[HASH_LEN])
{
    unsigned int n = 0;

    (void)pthread_once(&sha256_once, sha256_fetch);
    if (sha256_md == NULL || EVP_Digest(p, len, out, &n, sha256_md, NULL) != 1 ||
        n != HASH_LEN) {
        return FH_E_CRYPTO;
    }
    return FH_OK;
}

/* A name: 1..FH_APIKEY_NAME_MAX bytes of UTF-8, no control characters, not id-shaped. */
static bool
name_valid(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t len;

    if (name == NULL) {
        return false;
    }
    len = strnlen(name, FH_APIKEY_NAME_MAX + 1);
    if (len == 0 || len > FH_APIKEY_NAME_MAX || is_id(name, len)) {
        return false;
    }
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        size_t n;
        uint32_t cp;

        if (c < 0x20 || c == 0x7f) {
            return false;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n) {
            return false;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

/* ---- store records ------------------------------------------------------ */

/* Serial -> label of every token in the store, read under ctx->lock. */
struct tokmap_ent {
    char serial[FH_APIKEY_SERIAL_HEX + 1];
    char label[FH_TOKEN_LABEL_MAX + 1];
};
struct tokmap {
    struct tokmap_ent *v;
    size_t n, cap;
};

static fh_rv
tokmap_add(struct tokmap *m, const char *serial, const char *label)
{
    if (m->n == m->cap) {
        size_t cap = m->cap != 0 ? m->cap * 2 : 16;
        struct tokmap_ent *v = realloc(m->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        m->v = v;
        m->cap = cap;
    }
    snprintf(m->v[m->n].serial, sizeof(m->v[0].serial), "%s", serial);
    snprintf(m->v[m->n].label, sizeof(m->v[0].label), "%s", label);
    m->n++;
    return FH_OK;
}

static fh_rv
tokmap_cb(void *arg, const struct fh_store_token *t)
{
    char serial[FH_APIKEY_SERIAL_HEX + 1];
    fh_rv rv = fhi_token_row_serial(t, serial);

    if (rv == FH_E_STORE_CORRUPT) {
        return FH_OK; /* that token's own operations report it; here it names nothing */
    }
    if (rv != FH_OK) {
        return rv;
    }
    return tokmap_add(arg, serial, t->label != NULL ? t->label : "");
}

/* The map, read only when rec (NULL: any record) names tokens by serial. */
static fh_rv
tokmap_load_locked(fh_ctx *ctx, const struct fh_store_apikey *rec, struct tokmap *m)
{
    if (rec != NULL && (rec->all_tokens || rec->tokens_are_labels || rec->tokens == NULL ||
                        rec->tokens[0] == '\0')) {
        return FH_OK;
    }
    return ctx->store_ops->token_list(ctx->store, tokmap_cb, m);
}

static const char *
tokmap_label(const struct tokmap *m, const char *serial)
{
    for (size_t i = 0; m != NULL && i < m->n; i++) {
        if (strcmp(m->v[i].serial, serial) == 0) {
            return m->v[i].label;
        }
    }
    return "";
}

static bool
is_serial(const char *s, size_t len)
{
    if (len != FH_APIKEY_SERIAL_HEX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) {
            return false;
        }
    }
    return true;
}

/*
 * A stored record as the public info; FH_E_STORE_CORRUPT when it cannot be
 * one. Labels come from map (NULL: none known). A record whose scope still
 * holds labels (not upgraded, see fhi_apikey_upgrade_scopes) shows them and
 * grants no token: its serials stay "".
 */
static fh_rv
info_from_row(const struct fh_store_apikey *k, const struct tokmap *map, struct fh_apikey_info *out)
{
    const char *p;

    memset(out, 0, sizeof(*out));
    if (k->name == NULL || k->tokens == NULL || !role_valid(k->role) ||
        strlen(k->name) > FH_APIKEY_NAME_MAX) {
        return FH_E_STORE_CORRUPT;
    }
    memcpy(out->id, k->id, sizeof(out->id));
    snprintf(out->name, sizeof(out->name), "%s", k->name);
    out->role = (enum fh_role)k->role;
    out->all_tokens = k->all_tokens;
    out->created_ms = k->created_ms;
    out->revoked = k->revoked_ms != 0;
    out->revoked_ms = k->revoked_ms;
    if (k->all_tokens) {
        return k->tokens[0] == '\0' ? FH_OK : FH_E_STORE_CORRUPT;
    }
    for (p = k->tokens; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t i = out->n_tokens, n;

        if (nl == NULL || i == FH_APIKEY_MAX_TOKENS) {
            return FH_E_STORE_CORRUPT;
        }
        n = (size_t)(nl - p);
        if (k->tokens_are_labels) {
            if (n == 0 || n > FH_TOKEN_LABEL_MAX) {
                return FH_E_STORE_CORRUPT;
            }
            memcpy(out->tokens[i], p, n);
            out->tokens[i][n] = '\0';
        } else {
            if (!is_serial(p, n)) {
                return FH_E_STORE_CORRUPT;
            }
            memcpy(out->serials[i], p, n);
            out->serials[i][n] = '\0';
            snprintf(out->tokens[i], sizeof(out->tokens[i]), "%s",
                     tokmap_label(map, out->serials[i]));
        }
        out->n_tokens++;
        p = nl + 1;
    }
    return FH_OK;
}

/* Find a record by id or by name (a name never has the shape of an id). */
static fh_rv
get_locked(fh_ctx *ctx, const char *id_or_name, struct fh_store_apikey *out)
{
    size_t len = strnlen(id_or_name, FH_APIKEY_NAME_MAX + 1);

    if (len > FH_APIKEY_NAME_MAX) {
        memset(out, 0, sizeof(*out));
        return FH_E_NOT_FOUND;
    }
    if (is_id(id_or_name, len)) {
        return ctx->store_ops->apikey_get(ctx->store, id_or_name, out);
    }
    return ctx->store_ops->apikey_get_by_name(ctx->store, id_or_name, out);
}

/* ---- the cache (under ctx->lock) ---------------------------------------- */

static int64_t
id_key(const char *id)
{
    uint64_t v = 0;
    int64_t k;

    for (size_t i = 0; i < FH_APIKEY_ID_HEX; i++) {
        char c = id[i];

        v = (v << 4) | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    k = (int64_t)(v & (uint64_t)INT64_MAX);
    return k != 0 ? k : 1; /* the map wants keys > 0; the entry holds the full id */
}

static void
cache_reset_locked(struct fhi_akcache *c)
{
    if (c->v != NULL) {
        OPENSSL_cleanse(c->v, c->n * sizeof(*c->v));
    }
    c->n = 0;
    fhi_i64map_clear(&c->idx);
}

void
fhi_apikey_cache_free(fh_ctx *ctx)
{
    struct fhi_akcache *c = ctx->akcache;

    if (c == NULL) {
        return;
    }
    cache_reset_locked(c);
    free(c->v);
    free(c);
    ctx->akcache = NULL;
}

/* The cache of ctx, created on first use and emptied when the store moved on. */
static fh_rv
cache_get_locked(fh_ctx *ctx, struct fhi_akcache **out)
{
    struct fhi_akcache *c = ctx->akcache;
    uint64_t gen = 0;
    fh_rv rv;

    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            return FH_E_NOMEM;
        }
        ctx->akcache = c;
    }
    rv = ctx->store_ops->generation(ctx->store, &gen);
    if (rv != FH_OK) {
        cache_reset_locked(c);
        c->gen_valid = false;
        return rv;
    }
    if (!c->gen_valid || c->gen != gen) {
        cache_reset_locked(c);
        c->gen = gen;
        c->gen_valid = true;
    }
    *out = c;
    return FH_OK;
}

static const struct akent *
cache_find_locked(const struct fhi_akcache *c, const char *id)
{
    uint32_t i = fhi_i64map_get(&c->idx, id_key(id));

    if (i == 0 || i > c->n || memcmp(c->v[i - 1].info.id, id, FH_APIKEY_ID_HEX) != 0) {
        return NULL;
    }
    return &c->v[i - 1];
}

/* Remember e; a full cache starts again (rare: a store with > 1024 keys in use). */
static void
cache_add_locked(struct fhi_akcache *c, const struct akent *e)
{
    if (c->n == AKCACHE_MAX) {
        cache_reset_locked(c);
    }
    if (c->n == c->cap) {
        size_t cap = c->cap != 0 ? c->cap * 2 : 16;
        struct akent *v = calloc(cap, sizeof(*v));

        if (v == NULL) {
            return; /* not cached: the next verify looks it up again */
        }
        if (c->n > 0) {
            memcpy(v, c->v, c->n * sizeof(*v));
            OPENSSL_cleanse(c->v, c->n * sizeof(*v));
        }
        free(c->v);
        c->v = v;
        c->cap = cap;
    }
    if (fhi_i64map_put(&c->idx, id_key(e->info.id), (uint32_t)(c->n + 1)) != FH_OK) {
        return;
    }
    c->v[c->n++] = *e;
}

/* Forget everything (this context changed a key). */
static void
cache_drop_locked(fh_ctx *ctx)
{
    if (ctx->akcache != NULL) {
        cache_reset_locked(ctx->akcache);
    }
}

void
fhi_apikey_tokens_changed(fh_ctx *ctx)
{
    fhi_ctx_lock(ctx);
    cache_drop_locked(ctx);
    fhi_ctx_unlock(ctx);
}

/* ---- public functions --------------------------------------------------- */

/* "apikey:<id>" for audit records (never the key string). */
static void
audit_object(const char *id, char *buf, size_t len)
{
    snprintf(buf, len, "apikey:%s", id);
}

static fh_rv
check_scope(bool all_tokens, const char *const *tokens, size_t n_tokens)
{
    if (all_tokens) {
        return n_tokens == 0 ? FH_OK : FH_E_ARGS;
    }
    if (n_tokens == 0 || n_tokens > FH_APIKEY_MAX_TOKENS || tokens == NULL) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < n_tokens; i++) {
        size_t n;

        if (tokens[i] == NULL) {
            return FH_E_ARGS;
        }
        n = strnlen(tokens[i], FH_TOKEN_LABEL_MAX + 1);
        if (n == 0 || n > FH_TOKEN_LABEL_MAX || strchr(tokens[i], '\n') != NULL) {
            return FH_E_ARGS;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(tokens[i], tokens[j]) == 0) {
                return FH_E_ARGS;
            }
        }
    }
    return FH_OK;
}

/*
 * Insert the record in one write transaction: resolve the labels to the
 * serials of their tokens (scope, scope_len bytes; map receives the pairs
 * for the info), check the name, insert.
 */
static fh_rv
insert_locked(fh_ctx *ctx, struct fh_store_apikey *rec, const char *const *tokens, size_t n_tokens,
              char *scope, size_t scope_len, struct tokmap *map)
{
    const struct fh_store_ops *ops = ctx->store_ops;
    struct fh_store_token t = {0};
    struct fh_store_apikey other = {0};
    size_t off = 0;
    fh_rv rv;

    rv = ops->begin(ctx->store, true);
    if (rv != FH_OK) {
        return rv;
    }
    scope[0] = '\0';
    for (size_t i = 0; i < n_tokens && rv == FH_OK; i++) {
        char serial[FH_APIKEY_SERIAL_HEX + 1];

        rv = ops->token_get(ctx->store, tokens[i], &t);
        if (rv == FH_OK) {
            rv = fhi_token_row_serial(&t, serial);
        }
        fh_store_token_clear(&t);
        if (rv == FH_OK && off + FH_APIKEY_SERIAL_HEX + 2 > scope_len) {
            rv = FH_E_GENERAL;
        }
        if (rv == FH_OK) {
            off += (size_t)snprintf(scope + off, scope_len - off, "%s\n", serial);
            rv = tokmap_add(map, serial, tokens[i]);
        }
    }
    rec->tokens = scope;
    if (rv == FH_OK) {
        rv = ops->apikey_get_by_name(ctx->store, rec->name, &other);
        fh_store_apikey_clear(&other);
        rv = rv == FH_OK ? FH_E_EXISTS : rv == FH_E_NOT_FOUND ? FH_OK : rv;
    }
    if (rv == FH_OK) {
        rv = ops->apikey_insert(ctx->store, rec);
    }
    if (rv == FH_OK) {
        rv = ops->commit(ctx->store);
    } else {
        ops->rollback(ctx->store);
    }
    return rv;
}

fh_rv
fh_apikey_create(fh_ctx *ctx, const char *name, enum fh_role role, bool all_tokens,
                 const char *const *tokens, size_t n_tokens, char key_out[FH_APIKEY_STRING_LEN],
                 struct fh_apikey_info *info_out)
{
    struct fh_store_apikey rec;
    struct fh_apikey_info info;
    struct tokmap map = {NULL, 0, 0};
    fh_secret *secret = NULL;
    char scope[FH_APIKEY_MAX_TOKENS * (FH_APIKEY_SERIAL_HEX + 1) + 1];
    char key[FH_APIKEY_STRING_LEN];
    char object[32];
    uint8_t idb[FH_APIKEY_ID_HEX / 2];
    fh_rv rv;

    if (ctx == NULL || key_out == NULL || !name_valid(name) || !role_valid((uint32_t)role)) {
        return FH_E_ARGS;
    }
    rv = check_scope(all_tokens, tokens, n_tokens);
    if (rv != FH_OK) {
        return rv;
    }
    memset(&rec, 0, sizeof(rec));
    memset(key, 0, sizeof(key));
    rv = fh_secret_new(SECRET_BYTES, &secret);
    if (rv == FH_OK) {
        rv = fhi_random(ctx, fh_secret_data(secret), SECRET_BYTES);
    }
    if (rv == FH_OK) {
        rv = fhi_random(ctx, idb, sizeof(idb));
    }
    if (rv == FH_OK) {
        rv = sha256(fh_secret_cdata(secret), SECRET_BYTES, rec.hash);
    }
    if (rv != FH_OK) {
        goto out;
    }
    for (size_t i = 0; i < sizeof(idb); i++) {
        snprintf(rec.id + 2 * i, 3, "%02x", idb[i]);
    }
    rec.name = (char *)(uintptr_t)name;
    rec.role = (uint32_t)role;
    rec.all_tokens = all_tokens;
    rec.created_ms = now_ms();
    rec.revoked_ms = 0;
    rec.tokens_are_labels = false;

    fhi_ctx_lock(ctx);
    rv = insert_locked(ctx, &rec, tokens, n_tokens, scope, sizeof(scope), &map);
    fhi_ctx_unlock(ctx);
    if (rv == FH_OK && info_from_row(&rec, &map, &info) != FH_OK) {
        rv = FH_E_GENERAL; /* what we wrote ourselves: cannot happen */
    }
    audit_object(rec.id, object, sizeof(object));
    fhi_audit(ctx, NULL, "apikey.create", rv == FH_OK ? object : "", rv);
    if (rv != FH_OK) {
        goto out;
    }
    memcpy(key, PREFIX, PREFIX_LEN);
    memcpy(key + PREFIX_LEN, rec.id, FH_APIKEY_ID_HEX);
    key[PREFIX_LEN + FH_APIKEY_ID_HEX] = '_';
    secret_encode(fh_secret_cdata(secret), key + PREFIX_LEN + FH_APIKEY_ID_HEX + 1);
    key[KEY_LEN] = '\0';
    memcpy(key_out, key, FH_APIKEY_STRING_LEN);
    if (info_out != NULL) {
        *info_out = info;
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(&rec, sizeof(rec));
    fh_secret_free(secret);
    free(map.v);
    return rv;
}

struct list_state {
    struct fh_apikey_info *v;
    size_t n;
    size_t cap;
    const struct tokmap *map;
};

static fh_rv
list_cb(void *arg, const struct fh_store_apikey *k)
{
    struct list_state *st = arg;

    if (st->n == st->cap) {
        size_t cap = st->cap != 0 ? st->cap * 2 : 16;
        struct fh_apikey_info *v = realloc(st->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        st->v = v;
        st->cap = cap;
    }
    return info_from_row(k, st->map, &st->v[st->n++]);
}

fh_rv
fh_apikey_list(fh_ctx *ctx, struct fh_apikey_info **out, size_t *count)
{
    struct tokmap map = {NULL, 0, 0};
    struct list_state st = {NULL, 0, 0, &map};
    fh_rv rv;

    if (ctx == NULL || out == NULL || count == NULL) {
        return FH_E_ARGS;
    }
    fhi_ctx_lock(ctx);
    rv = tokmap_load_locked(ctx, NULL, &map);
    if (rv == FH_OK) {
        rv = ctx->store_ops->apikey_list(ctx->store, list_cb, &st);
    }
    fhi_ctx_unlock(ctx);
    free(map.v);
    if (rv != FH_OK) {
        free(st.v);
        return rv;
    }
    *out = st.v;
    *count = st.n;
    return FH_OK;
}

fh_rv
fh_apikey_get(fh_ctx *ctx, const char *id_or_name, struct fh_apikey_info *out)
{
    struct fh_store_apikey rec;
    struct tokmap map = {NULL, 0, 0};
    fh_rv rv;

    if (ctx == NULL || id_or_name == NULL || id_or_name[0] == '\0' || out == NULL) {
        return FH_E_ARGS;
    }
    fhi_ctx_lock(ctx);
    rv = get_locked(ctx, id_or_name, &rec);
    if (rv == FH_OK) {
        rv = tokmap_load_locked(ctx, &rec, &map);
    }
    fhi_ctx_unlock(ctx);
    if (rv == FH_OK) {
        rv = info_from_row(&rec, &map, out);
    }
    fh_store_apikey_clear(&rec);
    free(map.v);
    return rv;
}

fh_rv
fh_apikey_revoke(fh_ctx *ctx, const char *id_or_name)
{
    const struct fh_store_ops *ops;
    struct fh_store_apikey rec;
    char object[32] = "";
    fh_rv rv;

    if (ctx == NULL || id_or_name == NULL || id_or_name[0] == '\0') {
        return FH_E_ARGS;
    }
    ops = ctx->store_ops;
    memset(&rec, 0, sizeof(rec));
    fhi_ctx_lock(ctx);
    rv = ops->begin(ctx->store, true);
    if (rv == FH_OK) {
        rv = get_locked(ctx, id_or_name, &rec);
        if (rv == FH_OK) {
            audit_object(rec.id, object, sizeof(object));
            rv = ops->apikey_revoke(ctx->store, rec.id, now_ms());
        }
        if (rv == FH_OK) {
            rv = ops->commit(ctx->store);
        } else {
            ops->rollback(ctx->store);
        }
    }
    /* our own commit does not move the generation: forget what we knew */
    cache_drop_locked(ctx);
    fhi_ctx_unlock(ctx);
    fh_store_apikey_clear(&rec);
    fhi_audit(ctx, NULL, "apikey.revoke", object, rv);
    return rv;
}

/* Split a presented key into id and decoded secret; false when malformed. */
static bool
parse_key(const char *p, size_t len, char id[FH_APIKEY_ID_HEX + 1], uint8_t secret[SECRET_BYTES])
{
    bool ok;

    if (p == NULL || len != KEY_LEN || memcmp(p, PREFIX, PREFIX_LEN) != 0 ||
        !is_id(p + PREFIX_LEN, FH_APIKEY_ID_HEX) || p[PREFIX_LEN + FH_APIKEY_ID_HEX] != '_') {
        return false;
    }
    memcpy(id, p + PREFIX_LEN, FH_APIKEY_ID_HEX);
    id[FH_APIKEY_ID_HEX] = '\0';
    ok = secret_decode(p + PREFIX_LEN + FH_APIKEY_ID_HEX + 1, secret);
    return ok;
}

fh_rv
fh_apikey_verify(fh_ctx *ctx, const char *presented, size_t len, struct fh_apikey_info *out)
{
    struct fhi_akcache *c = NULL;
    struct fh_store_apikey rec;
    struct akent ent;
    const struct akent *hit;
    /* on the stack, cleansed at once: a secure-heap allocation per request
     * (a global lock) for 32 bytes that live for one hash */
    uint8_t secret[SECRET_BYTES];
    char id[FH_APIKEY_ID_HEX + 1];
    uint8_t hash[HASH_LEN];
    bool found = false, ok;
    fh_rv rv;

    if (ctx == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    ok = parse_key(presented, len, id, secret);
    rv = ok ? sha256(secret, SECRET_BYTES, hash) : FH_E_AUTH_FAILED;
    OPENSSL_cleanse(secret, sizeof(secret));
    if (rv != FH_OK) {
        return rv;
    }
    memset(&ent, 0, sizeof(ent));
    memset(&rec, 0, sizeof(rec));
    fhi_ctx_lock(ctx);
    rv = cache_get_locked(ctx, &c);
    if (rv == FH_OK) {
        hit = cache_find_locked(c, id);
        if (hit != NULL) {
            ent = *hit;
            found = true;
        } else {
            struct tokmap map = {NULL, 0, 0};

            rv = ctx->store_ops->apikey_get(ctx->store, id, &rec);
            if (rv == FH_OK) {
                rv = tokmap_load_locked(ctx, &rec, &map);
            }
            if (rv == FH_OK) {
                memcpy(ent.hash, rec.hash, HASH_LEN);
                rv = info_from_row(&rec, &map, &ent.info);
            }
            free(map.v);
            if (rv == FH_OK) {
                cache_add_locked(c, &ent);
                found = true;
            } else if (rv == FH_E_NOT_FOUND) {
                rv = FH_OK;
            }
        }
    }
    fhi_ctx_unlock(ctx);
    fh_store_apikey_clear(&rec);
    if (rv == FH_OK) {
        /* one answer for an unknown id, a wrong secret and a revoked key */
        bool match = CRYPTO_memcmp(hash, ent.hash, HASH_LEN) == 0;

        rv = found && match && !ent.info.revoked ? FH_OK : FH_E_AUTH_FAILED;
    }
    if (rv == FH_OK) {
        *out = ent.info;
    }
    OPENSSL_cleanse(hash, sizeof(hash));
    OPENSSL_cleanse(&ent, sizeof(ent));
    return rv;
}

bool
fh_apikey_in_scope_serial(const struct fh_apikey_info *info, const char *serial)
{
    if (info == NULL || serial == NULL) {
        return false;
    }
    if (info->all_tokens) {
        return true;
    }
    /* "" (an entry that names no token) never matches: a serial has 16 digits */
    if (!is_serial(serial, strnlen(serial, FH_APIKEY_SERIAL_HEX + 1))) {
        return false;
    }
    for (size_t i = 0; i < info->n_tokens && i < FH_APIKEY_MAX_TOKENS; i++) {
        if (strcmp(info->serials[i], serial) == 0) {
            return true;
        }
    }
    return false;
}

const char *
fh_apikey_token_name(const struct fh_apikey_info *info, size_t i, char *buf, size_t len)
{
    if (buf == NULL || len == 0) {
        return "";
    }
    buf[0] = '\0';
    if (info == NULL || i >= info->n_tokens || i >= FH_APIKEY_MAX_TOKENS) {
        return buf;
    }
    if (info->tokens[i][0] != '\0') {
        snprintf(buf, len, "%s", info->tokens[i]);
    } else {
        snprintf(buf, len, "deleted:%s", info->serials[i]);
    }
    return buf;
}

/* ---- the upgrade of scopes written by ABI 2 (labels) -------------------- */

struct legacy {
    char id[FH_APIKEY_ID_HEX + 1];
    char *tokens; /* the labels, each ended by '\n' */
};
struct legacy_list {
    struct legacy *v;
    size_t n, cap;
};

static fh_rv
legacy_cb(void *arg, const struct fh_store_apikey *k)
{
    struct legacy_list *l = arg;

    if (!k->tokens_are_labels || k->tokens == NULL) {
        return FH_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap != 0 ? l->cap * 2 : 8;
        struct legacy *v = realloc(l->v, cap * sizeof(*v));

        if (v == NULL) {
            return FH_E_NOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].tokens = strdup(k->all_tokens ? "" : k->tokens);
    if (l->v[l->n].tokens == NULL) {
        return FH_E_NOMEM;
    }
    memcpy(l->v[l->n].id, k->id, sizeof(l->v[0].id));
    l->n++;
    return FH_OK;
}

static void
legacy_free(struct legacy_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].tokens);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* The serials of the tokens that have the labels of one legacy scope now. */
static fh_rv
serials_of_labels_locked(fh_ctx *ctx, const char *labels, char *out, size_t out_len)
{
    size_t off = 0;

    out[0] = '\0';
    for (const char *p = labels; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        char label[FH_TOKEN_LABEL_MAX + 1], serial[FH_APIKEY_SERIAL_HEX + 1];
        struct fh_store_token t = {0};
        size_t n;
        fh_rv rv;

        if (nl == NULL) {
            return FH_E_STORE_CORRUPT;
        }
        n = (size_t)(nl - p);
        p = nl + 1;
        if (n == 0 || n > FH_TOKEN_LABEL_MAX) {
            return FH_E_STORE_CORRUPT;
        }
        memcpy(label, p - n - 1, n);
        label[n] = '\0';
        rv = ctx->store_ops->token_get(ctx->store, label, &t);
        if (rv == FH_OK) {
            rv = fhi_token_row_serial(&t, serial);
        }
        fh_store_token_clear(&t);
        if (rv == FH_E_NOT_FOUND) {
            continue; /* no token has it: the key never reaches a later one */
        }
        if (rv != FH_OK) {
            return rv;
        }
        if (off + FH_APIKEY_SERIAL_HEX + 2 > out_len) {
            return FH_E_STORE_CORRUPT;
        }
        off += (size_t)snprintf(out + off, out_len - off, "%s\n", serial);
    }
    return FH_OK;
}

fh_rv
fhi_apikey_upgrade_scopes(fh_ctx *ctx)
{
    const struct fh_store_ops *ops = ctx->store_ops;
    struct legacy_list l = {NULL, 0, 0};
    char scope[FH_APIKEY_MAX_TOKENS * (FH_APIKEY_SERIAL_HEX + 1) + 1];
    fh_rv rv;

    fhi_ctx_lock(ctx);
    rv = ops->apikey_list(ctx->store, legacy_cb, &l);
    if (rv == FH_OK && l.n > 0) {
        /* again under the write lock: another process may have done it */
        legacy_free(&l);
        rv = ops->begin(ctx->store, true);
        if (rv == FH_OK) {
            rv = ops->apikey_list(ctx->store, legacy_cb, &l);
            for (size_t i = 0; rv == FH_OK && i < l.n; i++) {
                rv = serials_of_labels_locked(ctx, l.v[i].tokens, scope, sizeof(scope));
                if (rv == FH_OK) {
                    rv = ops->apikey_set_tokens(ctx->store, l.v[i].id, scope);
                }
            }
            if (rv == FH_OK) {
                rv = ops->commit(ctx->store);
            } else {
                ops->rollback(ctx->store);
            }
        }
        cache_drop_locked(ctx);
    }
    fhi_ctx_unlock(ctx);
    legacy_free(&l);
    return rv;
}
