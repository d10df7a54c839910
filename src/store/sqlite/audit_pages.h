/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_pages.h - the packed body of one row of `audit_pages`: a run of
 * consecutive audit records (audit_pages.c documents the bytes). Pure
 * functions on memory, with no SQLite in them, so the decoder can be
 * unit-tested and fuzzed alone (fuzz/fuzz_audit_page.c).
 *
 * Thread safety: none needed; a page is used by one thread at a time.
 */
#ifndef FERROHSM_STORE_SQLITE_AUDIT_PAGES_H
#define FERROHSM_STORE_SQLITE_AUDIT_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"
#include "ferrohsm/store.h"

#define FHI_AUDIT_PAGE_VERSION 1
/* Ceilings of one page, for the writer and the reader alike: a larger page
 * is never written, and one read back is corrupt. A batch of the core is
 * some 40 bytes a record, far below either. */
#define FHI_AUDIT_PAGE_MAX_RECORDS ((size_t)65536)
#define FHI_AUDIT_PAGE_MAX_BODY ((size_t)4 * 1024 * 1024)
/* Each string of a record, as a legacy row's TEXT column (FHI_SQLITE_MAX_TEXT). */
#define FHI_AUDIT_PAGE_MAX_TEXT ((size_t)4096)
#define FHI_AUDIT_PAGE_FIELDS 6 /* actor, front, operation, object, result, corr_id */

/* One decoded record: its strings by index into the page's table. */
struct fhi_audit_page_rec {
    int64_t time_ms;
    uint32_t str[FHI_AUDIT_PAGE_FIELDS];
    uint8_t hash[FH_AUDIT_HASH_LEN];
};

/* A decoded page; every field is owned by it (fhi_audit_page_clear). */
struct fhi_audit_page {
    int64_t first_seq;
    size_t n;                                /* records, >= 1 */
    uint8_t prev_hash[FH_AUDIT_HASH_LEN];    /* prev_hash of the first record */
    size_t nstr;
    char **str;                              /* nstr NUL-terminated strings, in str_buf */
    char *str_buf;
    struct fhi_audit_page_rec *recs;         /* n records */
};

/*
 * fhi_audit_page_encode - pack recs[0..n) (n >= 1) into a new body, as many
 * of them as fit one page (FHI_AUDIT_PAGE_MAX_RECORDS records,
 * FHI_AUDIT_PAGE_MAX_BODY bytes; always at least one). *used tells how many
 * went in; the caller writes the rest to further pages. The records must be
 * consecutive (recs[i].seq == recs[0].seq + i, recs[0].seq >= 1) and linked
 * (recs[i].prev_hash == recs[i - 1].hash): the format keeps only the first
 * prev_hash. *body is malloc'ed; the caller frees it.
 * Errors: FH_E_ARGS (NULL, n 0, a record out of sequence or unlinked, a NULL
 * string), FH_E_DATA_TOO_LARGE (a string over FHI_AUDIT_PAGE_MAX_TEXT bytes),
 * FH_E_NOMEM.
 */
fh_rv
fhi_audit_page_encode(const struct fh_store_audit *recs, size_t n, uint8_t **body, size_t *len,
                      size_t *used);

/*
 * fhi_audit_page_decode - parse the body of the row (first_seq, last_seq,
 * body) into *out (zeroed on entry, filled only on success). The bytes are
 * untrusted: anything but an exact, complete page of last_seq - first_seq + 1
 * records is FH_E_STORE_CORRUPT; FH_E_NOMEM. Nothing of body is kept.
 */
fh_rv
fhi_audit_page_decode(int64_t first_seq, int64_t last_seq, const uint8_t *body, size_t len,
                      struct fhi_audit_page *out);

/* Record i (< p->n) as a store record whose strings and hashes borrow from p. */
void
fhi_audit_page_get(const struct fhi_audit_page *p, size_t i, struct fh_store_audit *out);

/* Free what decode allocated and zero *p; NULL and a zeroed page are fine. */
void
fhi_audit_page_clear(struct fhi_audit_page *p);

#endif /* FERROHSM_STORE_SQLITE_AUDIT_PAGES_H */
