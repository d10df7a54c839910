/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_audit_page.c - the decoder of an audit page body (the rows of
 * `audit_pages`, src/store/sqlite/audit_pages.c), which reads whatever bytes
 * the store file holds. Input: 2 bytes (little-endian) giving the record
 * count n - 1 the row claims, 1 byte whose low bit puts the page at the top
 * of the seq range (first_seq = INT64_MAX - n + 1, else 1), then the body.
 * Oracles:
 *   - the result is FH_OK or FH_E_STORE_CORRUPT (FH_E_NOMEM aside), and a
 *     refused page leaves the output cleared;
 *   - a decoded page has n records with seqs first_seq.. and strings that
 *     are NUL-terminated within the ceiling, each record's prev_hash the
 *     hash of the one before;
 *   - encoding the decoded records and decoding that again gives the same
 *     records (the encoder checks they are consecutive and linked).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/store/sqlite/audit_pages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_audit_page: check failed: %s\n", #cond);                         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void
check_text(const char *s)
{
    CHECK(s != NULL);
    CHECK(strnlen(s, FHI_AUDIT_PAGE_MAX_TEXT + 1) <= FHI_AUDIT_PAGE_MAX_TEXT);
}

static void
check_same(const struct fh_store_audit *a, const struct fh_store_audit *b)
{
    CHECK(a->seq == b->seq);
    CHECK(a->time_ms == b->time_ms);
    CHECK(strcmp(a->actor, b->actor) == 0);
    CHECK(strcmp(a->front, b->front) == 0);
    CHECK(strcmp(a->operation, b->operation) == 0);
    CHECK(strcmp(a->object, b->object) == 0);
    CHECK(strcmp(a->result, b->result) == 0);
    CHECK(strcmp(a->corr_id, b->corr_id) == 0);
    CHECK(memcmp(a->prev_hash, b->prev_hash, FH_AUDIT_HASH_LEN) == 0);
    CHECK(memcmp(a->hash, b->hash, FH_AUDIT_HASH_LEN) == 0);
}

/* Encode the page's records again and decode the result: the same records. */
static void
round_trip(const struct fhi_audit_page *p)
{
    struct fh_store_audit *recs = calloc(p->n, sizeof *recs);
    struct fhi_audit_page again;
    uint8_t *body = NULL;
    size_t len = 0, used = 0;
    fh_rv rv;

    if (recs == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        fhi_audit_page_get(p, i, &recs[i]);
    }
    rv = fhi_audit_page_encode(recs, p->n, &body, &len, &used);
    if (rv == FH_OK) {
        /* the encoder may cut a page near the ceiling a little earlier */
        CHECK(used >= 1 && used <= p->n);
        rv = fhi_audit_page_decode(p->first_seq, p->first_seq + ((int64_t)used - 1), body, len,
                                   &again);
        CHECK(rv == FH_OK || rv == FH_E_NOMEM);
        for (size_t i = 0; rv == FH_OK && i < used; i++) {
            struct fh_store_audit r;

            fhi_audit_page_get(&again, i, &r);
            check_same(&r, &recs[i]);
        }
        fhi_audit_page_clear(&again);
    } else {
        CHECK(rv == FH_E_NOMEM);
    }
    free(body);
    free(recs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fhi_audit_page p;
    int64_t first, n;
    fh_rv rv;

    if (size < 3) {
        return 0;
    }
    n = (int64_t)(data[0] | (data[1] << 8)) + 1;
    first = (data[2] & 1) ? INT64_MAX - n + 1 : 1;
    rv = fhi_audit_page_decode(first, first + (n - 1), data + 3, size - 3, &p);
    if (rv != FH_OK) {
        CHECK(rv == FH_E_STORE_CORRUPT || rv == FH_E_NOMEM);
        CHECK(p.n == 0 && p.recs == NULL && p.str == NULL);
        return 0;
    }
    CHECK(p.n == (size_t)n);
    for (size_t i = 0; i < p.n; i++) {
        struct fh_store_audit r;

        fhi_audit_page_get(&p, i, &r);
        CHECK(r.seq == first + (int64_t)i);
        check_text(r.actor);
        check_text(r.front);
        check_text(r.operation);
        check_text(r.object);
        check_text(r.result);
        check_text(r.corr_id);
        if (i > 0) {
            CHECK(memcmp(r.prev_hash, p.recs[i - 1].hash, FH_AUDIT_HASH_LEN) == 0);
        }
    }
    round_trip(&p);
    fhi_audit_page_clear(&p);
    return 0;
}
