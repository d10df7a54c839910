/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit_pages.c - the packed body of an audit page
 * (src/store/sqlite/audit_pages.c) alone, without SQLite: round trips of
 * random batches, the encoder's rules and ceilings, and the decoder on
 * every truncation, every one-byte change and hand-made bad bodies.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>

#include <cmocka.h>

#include "ferrohsm/store.h"

#include "../../../src/store/sqlite/audit_pages.h"
#include "store_test.h"

/* xorshift64*: reproducible, and no rand() (scripts/check-banned.sh) */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static size_t
rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* A batch of n records from first, consecutive and linked, strings owned. */
struct batch {
    struct fh_store_audit *r;
    char **strs; /* 6 n strings */
    size_t n;
};

static const char *const pool[] = {
    "token:demo/user",
    "pkcs11",
    "sign",
    "token:demo/key:k1",
    "ok",
    "corr-1",
    "",
    "cli",
    "apikey:0123456789abcdef(token:demo/user)",
    "decrypt",
    "pin_incorrect",
    "ünïcödé",
};
#define POOL_N (sizeof(pool) / sizeof(pool[0]))

static char *
rnd_string(void)
{
    size_t kind = rnd_below(10);
    size_t len;
    char *s;

    if (kind < 6) {
        s = strdup(pool[rnd_below(POOL_N)]); /* shared between records */
    } else if (kind < 9) {
        s = malloc(32);
        assert_non_null(s);
        snprintf(s, 32, "distinct-%llu", (unsigned long long)rnd());
    } else {
        len = rnd_below(8) == 0 ? FHI_AUDIT_PAGE_MAX_TEXT : rnd_below(300);
        s = malloc(len + 1);
        assert_non_null(s);
        for (size_t i = 0; i < len; i++) {
            s[i] = (char)(1 + rnd_below(255)); /* any byte but NUL */
        }
        s[len] = '\0';
    }
    assert_non_null(s);
    return s;
}

/* prev + d modulo 2^64, without signed overflow */
static int64_t
wrap_add(int64_t prev, int64_t d)
{
    uint64_t v = (uint64_t)prev + (uint64_t)d;
    int64_t s;

    memcpy(&s, &v, sizeof s);
    return s;
}

static int64_t
rnd_time(int64_t prev, size_t i)
{
    static const int64_t edges[] = {INT64_MIN, INT64_MAX, 0, -1, 1700000000000LL};

    switch (rnd_below(8)) {
    case 0: return edges[rnd_below(sizeof(edges) / sizeof(edges[0]))];
    case 1: return wrap_add(prev, -(int64_t)rnd_below(100000)); /* the clock stepped back */
    case 2: return wrap_add(0, (int64_t)(rnd() >> 1) - (int64_t)(rnd() >> 1));
    default: return i == 0 ? 1700000000000LL : wrap_add(prev, (int64_t)rnd_below(3));
    }
}

static void
batch_make(struct batch *b, int64_t first, size_t n)
{
    b->n = n;
    b->r = calloc(n, sizeof *b->r);
    b->strs = calloc(6 * n, sizeof *b->strs);
    assert_non_null(b->r);
    assert_non_null(b->strs);
    for (size_t i = 0; i < n; i++) {
        struct fh_store_audit *r = &b->r[i];
        char **f[6] = {&r->actor, &r->front, &r->operation, &r->object, &r->result, &r->corr_id};

        r->seq = first + (int64_t)i;
        r->time_ms = rnd_time(i > 0 ? b->r[i - 1].time_ms : 0, i);
        for (size_t k = 0; k < 6; k++) {
            /* most records repeat the one before, as a batch of the core does */
            if (i > 0 && rnd_below(3) != 0) {
                b->strs[6 * i + k] = strdup(b->strs[6 * (i - 1) + k]);
            } else {
                b->strs[6 * i + k] = rnd_string();
            }
            assert_non_null(b->strs[6 * i + k]);
            *f[k] = b->strs[6 * i + k];
        }
        for (size_t k = 0; k < FH_AUDIT_HASH_LEN; k++) {
            r->hash[k] = (uint8_t)rnd();
            r->prev_hash[k] = i > 0 ? b->r[i - 1].hash[k] : (uint8_t)rnd();
        }
    }
}

static void
batch_free(struct batch *b)
{
    for (size_t i = 0; i < 6 * b->n; i++) {
        free(b->strs[i]);
    }
    free(b->strs);
    free(b->r);
}

/* Encode all of recs[0..n) (one page), decode, compare. Returns the body. */
static uint8_t *
round_trip(const struct fh_store_audit *recs, size_t n, size_t *len)
{
    struct fhi_audit_page p;
    struct fh_store_audit got;
    uint8_t *body = NULL;
    size_t used = 0;

    assert_int_equal(fhi_audit_page_encode(recs, n, &body, len, &used), FH_OK);
    assert_int_equal(used, n);
    assert_int_equal(
        fhi_audit_page_decode(recs[0].seq, recs[0].seq + ((int64_t)n - 1), body, *len, &p), FH_OK);
    assert_int_equal(p.n, n);
    for (size_t i = 0; i < n; i++) {
        fhi_audit_page_get(&p, i, &got);
        st_assert_audit_equal(&got, &recs[i]);
    }
    fhi_audit_page_clear(&p);
    return body;
}

static void
test_round_trip_random(void **state)
{
    size_t total_len = 0, total_n = 0;

    (void)state;
    for (int round = 0; round < 300; round++) {
        struct batch b;
        size_t n = round < 20 ? (size_t)round + 1 : 1 + rnd_below(round % 10 == 0 ? 2000 : 300);
        int64_t first =
            round % 7 == 0 ? INT64_MAX - (int64_t)n + 1 : 1 + (int64_t)rnd_below(1u << 30);
        size_t len = 0;

        batch_make(&b, first, n);
        free(round_trip(b.r, n, &len));
        total_len += len;
        total_n += n;
        batch_free(&b);
    }
    print_message("[ pages    ] %zu random records, %.1f bytes a record\n", total_n,
                  (double)total_len / (double)total_n);
}

/* A batch as the core writes it: one actor, front, corr id; a few objects. */
static void
test_typical_size(void **state)
{
    struct fh_store_audit r[256];
    char obj[4][32];
    uint8_t *body;
    size_t len = 0;

    (void)state;
    for (int k = 0; k < 4; k++) {
        snprintf(obj[k], sizeof obj[k], "token:bench/key:k%d", k);
    }
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < 256; i++) {
        r[i].seq = 1000 + (int64_t)i;
        r[i].time_ms = 1700000000000LL + (int64_t)i / 50;
        r[i].actor = "token:bench/user";
        r[i].front = "pkcs11";
        r[i].operation = i % 2 ? "sign" : "verify";
        r[i].object = obj[i % 4];
        r[i].result = "ok";
        r[i].corr_id = "p11-4242-1700000000";
        memset(r[i].hash, (int)i + 1, FH_AUDIT_HASH_LEN);
        memset(r[i].prev_hash, (int)i, FH_AUDIT_HASH_LEN);
    }
    body = round_trip(r, 256, &len);
    print_message("[ pages    ] 256 typical records: %zu bytes, %.1f a record\n", len,
                  (double)len / 256.0);
    assert_true(len < 256 * 40 + 200);
    free(body);
}

static struct fh_store_audit
one_rec(int64_t seq)
{
    struct fh_store_audit r;

    memset(&r, 0, sizeof r);
    r.seq = seq;
    r.time_ms = 5;
    r.actor = "a";
    r.front = "f";
    r.operation = "o";
    r.object = "";
    r.result = "ok";
    r.corr_id = "c";
    memset(r.hash, 0xab, FH_AUDIT_HASH_LEN);
    return r;
}

static void
test_encode_rules(void **state)
{
    struct fh_store_audit r[3] = {one_rec(7), one_rec(8), one_rec(9)};
    char *long_text = malloc(FHI_AUDIT_PAGE_MAX_TEXT + 2);
    uint8_t *body = NULL;
    size_t len = 0, used = 0;

    (void)state;
    assert_non_null(long_text);
    memcpy(r[1].prev_hash, r[0].hash, FH_AUDIT_HASH_LEN);
    memcpy(r[2].prev_hash, r[1].hash, FH_AUDIT_HASH_LEN);
    assert_int_equal(fhi_audit_page_encode(NULL, 1, &body, &len, &used), FH_E_ARGS);
    assert_int_equal(fhi_audit_page_encode(r, 0, &body, &len, &used), FH_E_ARGS);
    assert_int_equal(fhi_audit_page_encode(r, 3, NULL, &len, &used), FH_E_ARGS);
    r[2].seq = 10; /* a gap */
    assert_int_equal(fhi_audit_page_encode(r, 3, &body, &len, &used), FH_E_ARGS);
    r[2].seq = 9;
    r[2].prev_hash[31] ^= 1; /* not linked */
    assert_int_equal(fhi_audit_page_encode(r, 3, &body, &len, &used), FH_E_ARGS);
    r[2].prev_hash[31] ^= 1;
    r[1].corr_id = NULL;
    assert_int_equal(fhi_audit_page_encode(r, 3, &body, &len, &used), FH_E_ARGS);
    memset(long_text, 'x', FHI_AUDIT_PAGE_MAX_TEXT + 1);
    long_text[FHI_AUDIT_PAGE_MAX_TEXT + 1] = '\0';
    r[1].corr_id = long_text;
    assert_int_equal(fhi_audit_page_encode(r, 3, &body, &len, &used), FH_E_DATA_TOO_LARGE);
    long_text[FHI_AUDIT_PAGE_MAX_TEXT] = '\0';
    free(round_trip(r, 3, &len));
    r[0].seq = 0;
    assert_int_equal(fhi_audit_page_encode(r, 1, &body, &len, &used), FH_E_ARGS);
    /* the seqs of a batch must not run past INT64_MAX */
    r[0].seq = INT64_MAX - 1;
    r[1].seq = INT64_MAX;
    r[2].seq = INT64_MIN;
    assert_int_equal(fhi_audit_page_encode(r, 3, &body, &len, &used), FH_E_ARGS);
    free(round_trip(r, 2, &len));
    assert_null(body);
    free(long_text);
}

/* A batch too big for one page is cut at the ceiling; the rest makes more pages. */
static void
test_encode_splits(void **state)
{
    const size_t n = 1200; /* distinct 4 KiB objects: ~4.8 MiB of strings */
    struct batch b;
    size_t done = 0, pages = 0;

    (void)state;
    batch_make(&b, 1, n);
    for (size_t i = 0; i < n; i++) {
        char *s = realloc(b.strs[6 * i + 3], FHI_AUDIT_PAGE_MAX_TEXT + 1);
        char tag[24];
        int tag_len = snprintf(tag, sizeof tag, "%zu:", i);

        assert_non_null(s);
        memset(s, 'a' + (int)(i % 26), FHI_AUDIT_PAGE_MAX_TEXT);
        memcpy(s, tag, (size_t)tag_len); /* distinct, and no NUL */
        s[FHI_AUDIT_PAGE_MAX_TEXT] = '\0';
        b.strs[6 * i + 3] = s;
        b.r[i].object = s;
    }
    while (done < n) {
        struct fhi_audit_page p;
        struct fh_store_audit got;
        uint8_t *body = NULL;
        size_t len = 0, used = 0;

        assert_int_equal(fhi_audit_page_encode(b.r + done, n - done, &body, &len, &used), FH_OK);
        assert_true(used >= 1 && used <= n - done);
        assert_true(len <= FHI_AUDIT_PAGE_MAX_BODY);
        assert_int_equal(
            fhi_audit_page_decode(b.r[done].seq, b.r[done].seq + (int64_t)used - 1, body, len, &p),
            FH_OK);
        for (size_t i = 0; i < used; i++) {
            fhi_audit_page_get(&p, i, &got);
            st_assert_audit_equal(&got, &b.r[done + i]);
        }
        fhi_audit_page_clear(&p);
        free(body);
        done += used;
        pages++;
    }
    assert_int_equal(pages, 2);
    batch_free(&b);
}

static fh_rv
decode(int64_t first, int64_t last, const uint8_t *body, size_t len)
{
    struct fhi_audit_page p;
    fh_rv rv = fhi_audit_page_decode(first, last, body, len, &p);

    if (rv != FH_OK) {
        assert_int_equal(p.n, 0); /* cleared */
        assert_null(p.recs);
    }
    fhi_audit_page_clear(&p);
    return rv;
}

/* Every prefix and every extension of a valid body is refused; so is every
 * count that disagrees with the row. */
static void
test_truncations(void **state)
{
    struct batch b;
    uint8_t *body, *copy;
    size_t len = 0;

    (void)state;
    batch_make(&b, 100, 40);
    body = round_trip(b.r, 40, &len);
    for (size_t cut = 0; cut < len; cut++) {
        copy = malloc(cut ? cut : 1); /* exact size: ASan sees a read past it */
        assert_non_null(copy);
        memcpy(copy, body, cut);
        assert_int_equal(decode(100, 139, copy, cut), FH_E_STORE_CORRUPT);
        free(copy);
    }
    copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, body, len);
    for (unsigned v = 0; v < 256; v++) {
        copy[len] = (uint8_t)v;
        assert_int_equal(decode(100, 139, copy, len + 1), FH_E_STORE_CORRUPT);
    }
    free(copy);
    assert_int_equal(decode(100, 139, body, len), FH_OK);
    assert_int_equal(decode(100, 138, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(100, 140, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(101, 139, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(139, 100, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(0, 39, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(-39, 0, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(INT64_MIN, INT64_MAX, body, len), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(100, 139, NULL, 0), FH_E_STORE_CORRUPT);
    free(body);
    batch_free(&b);
}

/* Every one-byte change decodes cleanly or is refused; never a crash. */
static void
test_byte_changes(void **state)
{
    struct batch b;
    uint8_t *body;
    size_t len = 0, ok = 0, bad = 0;

    (void)state;
    batch_make(&b, 1, 12);
    body = round_trip(b.r, 12, &len);
    for (size_t i = 0; i < len; i++) {
        uint8_t keep = body[i];

        for (unsigned v = 0; v < 256; v += 17) {
            fh_rv rv;

            body[i] = (uint8_t)(keep ^ v);
            rv = decode(1, 12, body, len);
            assert_true(rv == FH_OK || rv == FH_E_STORE_CORRUPT);
            if (rv == FH_OK) {
                ok++;
            } else {
                bad++;
            }
        }
        body[i] = keep;
    }
    print_message("[ pages    ] one-byte changes: %zu decode, %zu refused\n", ok, bad);
    free(body);
    batch_free(&b);
}

/* ---- hand-made bodies --------------------------------------------------- */

struct hb {
    uint8_t b[512];
    size_t n;
};

static void
put(struct hb *h, const void *p, size_t len)
{
    assert_true(h->n + len <= sizeof h->b);
    memcpy(h->b + h->n, p, len);
    h->n += len;
}

static void
put_byte(struct hb *h, uint8_t v)
{
    put(h, &v, 1);
}

static void
put_hash(struct hb *h, uint8_t v)
{
    uint8_t x[FH_AUDIT_HASH_LEN];

    memset(x, v, sizeof x);
    put(h, x, sizeof x);
}

/* version 1, count, prev_hash, the strings given */
static void
head(struct hb *h, uint8_t count, size_t nstr, const char *const *strs)
{
    h->n = 0;
    put_byte(h, FHI_AUDIT_PAGE_VERSION);
    put_byte(h, count);
    put_hash(h, 0);
    put_byte(h, (uint8_t)nstr);
    for (size_t k = 0; k < nstr; k++) {
        put_byte(h, (uint8_t)strlen(strs[k]));
        put(h, strs[k], strlen(strs[k]));
    }
}

/* one record: time delta byte, six indexes */
static void
rec(struct hb *h, uint8_t t, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f)
{
    const uint8_t idx[6] = {a, b, c, d, e, f};

    put_byte(h, t);
    put(h, idx, 6);
    put_hash(h, 0x11);
}

static void
test_handmade(void **state)
{
    static const char *const two[] = {"x", "y"};
    struct fhi_audit_page p;
    struct fh_store_audit r;
    struct hb h;

    (void)state;
    /* a valid page of two records: times 2 and 1 (zigzag 4, then -1 = 1) */
    head(&h, 2, 2, two);
    rec(&h, 4, 0, 1, 0, 1, 0, 1);
    rec(&h, 1, 1, 1, 1, 1, 1, 1);
    assert_int_equal(fhi_audit_page_decode(5, 6, h.b, h.n, &p), FH_OK);
    fhi_audit_page_get(&p, 1, &r);
    assert_int_equal(r.seq, 6);
    assert_int_equal(r.time_ms, 1);
    assert_string_equal(r.actor, "y");
    assert_memory_equal(r.prev_hash, p.recs[0].hash, FH_AUDIT_HASH_LEN);
    fhi_audit_page_clear(&p);

    /* an index past the table */
    head(&h, 2, 2, two);
    rec(&h, 4, 0, 1, 0, 1, 0, 1);
    rec(&h, 1, 1, 1, 1, 1, 2, 1);
    assert_int_equal(decode(5, 6, h.b, h.n), FH_E_STORE_CORRUPT);
    /* a string nobody uses */
    head(&h, 2, 2, two);
    rec(&h, 4, 0, 0, 0, 0, 0, 0);
    rec(&h, 1, 0, 0, 0, 0, 0, 0);
    assert_int_equal(decode(5, 6, h.b, h.n), FH_E_STORE_CORRUPT);
    /* count 0, and a count that disagrees with the row */
    head(&h, 0, 2, two);
    assert_int_equal(decode(5, 4, h.b, h.n), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
    head(&h, 3, 2, two);
    rec(&h, 4, 0, 1, 0, 1, 0, 1);
    rec(&h, 1, 1, 1, 1, 1, 1, 1);
    assert_int_equal(decode(5, 6, h.b, h.n), FH_E_STORE_CORRUPT);
    assert_int_equal(decode(5, 7, h.b, h.n), FH_E_STORE_CORRUPT); /* records missing */
    /* no strings; more strings than six a record */
    head(&h, 1, 0, two);
    rec(&h, 4, 0, 0, 0, 0, 0, 0);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
    {
        static const char *const seven[] = {"a", "b", "c", "d", "e", "f", "g"};

        head(&h, 1, 7, seven);
        rec(&h, 4, 0, 1, 2, 3, 4, 5);
        assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
    }
    /* another version */
    head(&h, 2, 2, two);
    rec(&h, 4, 0, 1, 0, 1, 0, 1);
    rec(&h, 1, 1, 1, 1, 1, 1, 1);
    h.b[0] = 2;
    assert_int_equal(decode(5, 6, h.b, h.n), FH_E_STORE_CORRUPT);
    /* a NUL inside a string */
    {
        static const char *const nul[] = {"xAz", "y"};

        head(&h, 2, 2, nul);
        rec(&h, 4, 0, 1, 0, 1, 0, 1);
        rec(&h, 1, 1, 1, 1, 1, 1, 1);
        assert_int_equal(decode(5, 6, h.b, h.n), FH_OK);
        h.b[1 + 1 + 32 + 1 + 1 + 1] = 0;
        assert_int_equal(decode(5, 6, h.b, h.n), FH_E_STORE_CORRUPT);
    }
    /* a string longer than what is left of the body */
    head(&h, 1, 1, two);
    h.b[h.n - 2] = 100;
    rec(&h, 4, 0, 0, 0, 0, 0, 0);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
}

/* Varints: the shortest form only, 64 bits at most. */
static void
test_varints(void **state)
{
    static const char *const one[] = {"x"};
    struct hb h;
    size_t at;

    (void)state;
    head(&h, 1, 1, one);
    at = h.n;
    rec(&h, 4, 0, 0, 0, 0, 0, 0);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_OK);
    /* 4 as two bytes (0x84 0x00): not the shortest form */
    h.n = at;
    put_byte(&h, 0x84);
    put_byte(&h, 0x00);
    put(&h, (const uint8_t[]){0, 0, 0, 0, 0, 0}, 6);
    put_hash(&h, 0x11);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
    /* the largest time delta, ten bytes, 2^64 - 1 */
    h.n = at;
    for (int i = 0; i < 9; i++) {
        put_byte(&h, 0xff);
    }
    put_byte(&h, 0x01);
    put(&h, (const uint8_t[]){0, 0, 0, 0, 0, 0}, 6);
    put_hash(&h, 0x11);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_OK);
    /* more than 64 bits */
    h.b[at + 9] = 0x02;
    assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
    /* eleven bytes */
    h.n = at;
    for (int i = 0; i < 10; i++) {
        put_byte(&h, 0x80);
    }
    put_byte(&h, 0x01);
    put(&h, (const uint8_t[]){0, 0, 0, 0, 0, 0}, 6);
    put_hash(&h, 0x11);
    assert_int_equal(decode(5, 5, h.b, h.n), FH_E_STORE_CORRUPT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_random), cmocka_unit_test(test_typical_size),
        cmocka_unit_test(test_encode_rules),      cmocka_unit_test(test_encode_splits),
        cmocka_unit_test(test_truncations),       cmocka_unit_test(test_byte_changes),
        cmocka_unit_test(test_handmade),          cmocka_unit_test(test_varints),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
