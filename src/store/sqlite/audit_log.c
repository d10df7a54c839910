/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_log.c - the audit log of the SQLite store: audit_last,
 * audit_append_batch and audit_list of fh_store_sqlite_ops.
 *
 * Since schema 4 the log is kept in pages: one row of `audit_pages`
 * (first_seq INTEGER PRIMARY KEY, last_seq, body) per appended batch, its
 * records packed by audit_pages.c, about 40 bytes each. One row and one
 * b-tree insert per batch instead of one per record is what makes the
 * writer cheap. A store migrated from schema 3 keeps its rows of `audit`
 * (one a record) as they were: they are only read, and come first. So:
 *  - audit_list reads the legacy rows from from_seq, then the pages from the
 *    one that holds from_seq on, through the primary key: a read near the
 *    end of a long log decodes a page or two, not the log;
 *  - audit_last is the last record of the last page, else the last row;
 *  - appends go to pages only.
 *
 * Invariants:
 *  - a page reaches a callback only whole: it is decoded and checked before
 *    its first record is handed out, so a damaged page gives
 *    FH_E_STORE_CORRUPT after the records before it, never a shorter log
 *    that looks complete;
 *  - records are handed out in row order (legacy rows by seq, then pages by
 *    first_seq) with the seqs they claim, whatever those are: a page out of
 *    order, overlapping another or after a gap is the core's to notice
 *    (fh_audit_verify checks that seqs run on and that each record links to
 *    the one before);
 *  - an append is atomic: in the caller's transaction, or in its own.
 */
#include "sqlite-int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ferrohsm/store.h"

#include "audit_pages.h"

/* A page takes what a legacy row took: the core sees one ceiling. */
_Static_assert(FHI_AUDIT_PAGE_MAX_TEXT == FHI_SQLITE_MAX_TEXT, "audit string ceilings differ");
_Static_assert(FHI_AUDIT_PAGE_MAX_BODY < (size_t)INT32_MAX, "a page body is bound as an int");

/* Columns of PAGE_COLS (first_seq, last_seq, body), decoded into *p (zeroed
 * first: fhi_audit_page_clear is safe after any outcome). */
static fh_rv
page_from_row(sqlite3_stmt *st, struct fhi_audit_page *p)
{
    const void *body;
    int len;

    memset(p, 0, sizeof *p);
    if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
        sqlite3_column_type(st, 1) != SQLITE_INTEGER || sqlite3_column_type(st, 2) != SQLITE_BLOB) {
        return FH_E_STORE_CORRUPT;
    }
    body = sqlite3_column_blob(st, 2); /* before _bytes, as SQLite asks */
    len = sqlite3_column_bytes(st, 2);
    if (len <= 0 || body == NULL) {
        return len > 0 ? FH_E_NOMEM : FH_E_STORE_CORRUPT;
    }
    return fhi_audit_page_decode(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), body,
                                 (size_t)len, p);
}

/* ---- audit_last --------------------------------------------------------- */

/* Row callbacks of fhi_sqlite_fetch_one: the last record of a page, or a legacy row. */
static fh_rv
page_last_copy(sqlite3_stmt *st, void *arg)
{
    struct fhi_audit_page p;
    struct fh_store_audit last;
    fh_rv rv = page_from_row(st, &p);

    if (rv == FH_OK) {
        fhi_audit_page_get(&p, p.n - 1, &last);
        rv = fhi_sqlite_audit_copy(&last, arg);
    }
    fhi_audit_page_clear(&p);
    return rv;
}

static fh_rv
legacy_row_copy(sqlite3_stmt *st, void *arg)
{
    struct fh_store_audit row;
    fh_rv rv = fhi_sqlite_audit_from_row(st, &row);

    return rv == FH_OK ? fhi_sqlite_audit_copy(&row, arg) : rv;
}

fh_rv
fhi_sqlite_audit_last(void *priv, struct fh_store_audit *out)
{
    struct fhi_sqlite *sq = priv;
    fh_rv rv;

    if (out == NULL) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    rv = fhi_sqlite_fetch_one(sq, FHI_SQ_AUDIT_PAGE_LAST, NULL, NULL, page_last_copy, out);
    if (rv == FH_E_NOT_FOUND) {
        /* no page yet: the last legacy row, or FH_E_NOT_FOUND for an empty log */
        rv = fhi_sqlite_fetch_one(sq, FHI_SQ_AUDIT_LAST, NULL, NULL, legacy_row_copy, out);
    }
    return rv;
}

/* ---- audit_append_batch ------------------------------------------------- */

static fh_rv
int_row(sqlite3_stmt *st, void *arg)
{
    if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
        return FH_E_STORE_CORRUPT;
    }
    *(int64_t *)arg = sqlite3_column_int64(st, 0);
    return FH_OK;
}

/* FH_E_EXISTS when a record of seqs first..last is in the log already. The
 * primary key alone would only catch a page starting at the same seq. */
static fh_rv
check_free(struct fhi_sqlite *sq, int64_t first, int64_t last)
{
    const struct fhi_sqlite_i64x2 range = {first, last};
    int64_t taken = 0;
    fh_rv rv = fhi_sqlite_fetch_one(sq, FHI_SQ_AUDIT_TAKEN, fhi_sqlite_bind_i64x2, &range, int_row,
                                    &taken);

    if (rv == FH_E_NOT_FOUND) {
        rv = FH_E_GENERAL; /* SELECT EXISTS always has a row */
    }
    return rv == FH_OK && taken != 0 ? FH_E_EXISTS : rv;
}

struct page_row {
    int64_t first;
    int64_t last;
    const uint8_t *body;
    size_t len;
};

static int
bind_page(sqlite3_stmt *st, const void *arg)
{
    const struct page_row *p = arg;
    int rc = sqlite3_bind_int64(st, 1, p->first);

    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 2, p->last);
    }
    if (rc == SQLITE_OK) {
        /* the body is at most FHI_AUDIT_PAGE_MAX_BODY (asserted above) */
        rc = sqlite3_bind_blob(st, 3, p->body, (int)p->len, SQLITE_STATIC);
    }
    return rc;
}

static fh_rv
no_row(sqlite3_stmt *st, void *arg)
{
    (void)st;
    (void)arg;
    return FH_E_GENERAL; /* an INSERT returns no row */
}

/* One page of as many of recs[0..n) as fit; *used tells how many. */
static fh_rv
append_page(struct fhi_sqlite *sq, const struct fh_store_audit *recs, size_t n, size_t *used)
{
    struct page_row row = {0};
    uint8_t *body = NULL;
    fh_rv rv;

    rv = fhi_audit_page_encode(recs, n, &body, &row.len, used);
    if (rv != FH_OK) {
        return rv;
    }
    row.first = recs[0].seq;
    row.last = recs[0].seq + (int64_t)(*used - 1);
    row.body = body;
    rv = check_free(sq, row.first, row.last);
    if (rv == FH_OK) {
        rv = fhi_sqlite_each(sq, FHI_SQ_AUDIT_PAGE_INSERT, bind_page, &row, no_row, NULL);
    }
    free(body);
    return rv;
}

/*
 * One page per call in practice (a batch of the core is far below a page's
 * ceilings); a larger batch takes several, in one transaction: the caller's,
 * or, outside one, our own (store.h: every call is atomic).
 */
fh_rv
fhi_sqlite_audit_append_batch(void *priv, const struct fh_store_audit *recs, size_t n)
{
    struct fhi_sqlite *sq = priv;
    size_t used = 0;
    bool own;
    fh_rv rv;

    if (recs == NULL || n == 0) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    own = sq->txn == FHI_SQ_TXN_NONE;
    if (own) {
        rv = fh_store_sqlite_ops.begin(sq, true);
        if (rv != FH_OK) {
            return rv;
        }
    }
    for (size_t done = 0; rv == FH_OK && done < n; done += used) {
        rv = append_page(sq, recs + done, n - done, &used);
    }
    if (own && rv == FH_OK) {
        rv = fh_store_sqlite_ops.commit(sq); /* rolls back when it fails */
    } else if (own) {
        fh_store_sqlite_ops.rollback(sq);
    }
    return rv;
}

/* ---- audit_list --------------------------------------------------------- */

struct audit_visit {
    fh_store_audit_cb cb;
    void *arg;
    int64_t from_seq;
    bool limited; /* limit > 0: `left` counts down */
    size_t left;
};

static bool
visit_full(const struct audit_visit *v)
{
    return v->limited && v->left == 0;
}

static fh_rv
deliver(struct audit_visit *v, const struct fh_store_audit *r)
{
    fh_rv rv = v->cb(v->arg, r);

    if (rv == FH_OK && v->limited) {
        v->left--;
    }
    return rv;
}

static fh_rv
legacy_row_visit(sqlite3_stmt *st, void *arg)
{
    struct fh_store_audit row;
    fh_rv rv = fhi_sqlite_audit_from_row(st, &row);

    return rv == FH_OK ? deliver(arg, &row) : rv;
}

/* Every record of the page at the current row with seq >= from_seq, until full. */
static fh_rv
page_visit(sqlite3_stmt *st, void *arg)
{
    struct audit_visit *v = arg;
    struct fhi_audit_page p;
    struct fh_store_audit r;
    fh_rv rv = page_from_row(st, &p);

    for (size_t i = 0; rv == FH_OK && i < p.n && !visit_full(v); i++) {
        fhi_audit_page_get(&p, i, &r);
        if (r.seq >= v->from_seq) {
            rv = deliver(v, &r);
        }
    }
    fhi_audit_page_clear(&p);
    return rv;
}

static bool
visit_done(const void *arg)
{
    return visit_full(arg);
}

/* The pages from the one holding from_seq, in first_seq order, until full:
 * stepping stops when the limit is reached, so the next page is not read. */
static fh_rv
pages_visit(struct fhi_sqlite *sq, struct audit_visit *v)
{
    return fhi_sqlite_each_until(sq, FHI_SQ_AUDIT_PAGE_LIST, fhi_sqlite_bind_i64, &v->from_seq,
                                 page_visit, v, visit_done);
}

fh_rv
fhi_sqlite_audit_list(void *priv, int64_t from_seq, size_t limit, fh_store_audit_cb cb, void *arg)
{
    struct fhi_sqlite *sq = priv;
    struct audit_visit v = {cb, arg, from_seq, limit != 0, limit};
    struct fhi_sqlite_i64x2 range;
    fh_rv rv;

    if (cb == NULL) {
        return FH_E_ARGS;
    }
    rv = fhi_sqlite_enter(sq);
    if (rv != FH_OK) {
        return rv;
    }
    /* LIMIT -1 is "no limit" in SQLite: store.h's 0, and anything past INT64_MAX */
    range.a = from_seq;
    range.b = limit == 0 || limit > (size_t)INT64_MAX ? -1 : (int64_t)limit;
    rv =
        fhi_sqlite_each(sq, FHI_SQ_AUDIT_LIST, fhi_sqlite_bind_i64x2, &range, legacy_row_visit, &v);
    if (rv == FH_OK && !visit_full(&v)) {
        rv = pages_visit(sq, &v);
    }
    return rv;
}
