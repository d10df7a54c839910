/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_pages.c - the body of a row of `audit_pages`: records first_seq ..
 * last_seq of the audit log (the row's other two columns), packed.
 *
 * A page stores neither the seqs nor any prev_hash but the first: record i
 * has seq first_seq + i and, for i > 0, prev_hash equal to the hash of
 * record i - 1. The body, byte by byte:
 *
 *   version    1 byte: FHI_AUDIT_PAGE_VERSION (1)
 *   count      varint: the number of records n, = last_seq - first_seq + 1
 *   prev_hash  32 bytes: the prev_hash of the first record
 *   nstr       varint: the number of strings in the table, 1 .. 6 n
 *   table      nstr times: length (varint, 0 .. 4096), then that many bytes,
 *              none of them NUL: the distinct strings of the page, in the
 *              order of their first use; each is used by some record
 *   records    n times:
 *                time   varint: zigzag of (time_ms - time_ms of the record
 *                       before; for the first, - 0), modulo 2^64
 *                str    6 varints: table index (< nstr) of actor, front,
 *                       operation, object, result, corr_id, in that order
 *                hash   32 bytes: the record's hash
 *
 * and nothing after the last record. varint: unsigned LEB128 (7 bits a
 * byte, least significant first, high bit set on every byte but the last),
 * at most 10 bytes, in its shortest form. zigzag: 0, -1, 1, -2, 2 ... are
 * written 0, 1, 2, 3, 4 ..., so a clock that steps back costs a byte too.
 *
 * A record of a batch costs about 40 bytes: a 1-2 byte time delta, six
 * 1-byte indexes and its hash; the strings of a batch repeat (one actor,
 * front, correlation id; a few operations and objects) and are stored once.
 *
 * The decoder reads untrusted bytes. It checks structure only, and rejects
 * as FH_E_STORE_CORRUPT whatever the encoder does not write: a length, count
 * or index out of range, a count that disagrees with the row's seqs, a
 * string with a NUL or over the ceiling, an unused string, a truncated body,
 * bytes after the last record, a varint not in its shortest form. It never
 * reads past `len` and allocates only after checking that the body is long
 * enough for what it claims. The hashes are the core's to verify.
 */
#include "audit_pages.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/store.h"

#define VARINT_MAX 10
/* A record at its smallest: a 1-byte time delta, six 1-byte indexes, the hash. */
#define REC_MIN (1 + FHI_AUDIT_PAGE_FIELDS + FH_AUDIT_HASH_LEN)
/* A record at its largest, strings aside. */
#define REC_MAX ((1 + FHI_AUDIT_PAGE_FIELDS) * VARINT_MAX + FH_AUDIT_HASH_LEN)
/* version, count, prev_hash, nstr at their largest */
#define HEAD_MAX (1 + VARINT_MAX + FH_AUDIT_HASH_LEN + VARINT_MAX)

/* ---- varints ------------------------------------------------------------ */

static size_t
varint_put(uint8_t *dst, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        dst[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    dst[n++] = (uint8_t)v;
    return n;
}

/* Signed difference b - a modulo 2^64, zigzag-folded; unzigzag undoes it. */
static uint64_t
zigzag_delta(int64_t a, int64_t b)
{
    uint64_t d = (uint64_t)b - (uint64_t)a;

    return (d << 1) ^ (0 - (d >> 63));
}

static int64_t
add_unzigzag(int64_t a, uint64_t z)
{
    uint64_t v = (uint64_t)a + ((z >> 1) ^ (0 - (z & 1)));
    int64_t s;

    memcpy(&s, &v, sizeof s); /* two's complement, without an implementation-defined cast */
    return s;
}

/* ---- encoding ----------------------------------------------------------- */

/* A growing output buffer; the caller keeps the total under FHI_AUDIT_PAGE_MAX_BODY. */
struct obuf {
    uint8_t *p;
    size_t len;
    size_t cap;
};

static fh_rv
obuf_reserve(struct obuf *b, size_t more)
{
    size_t cap = b->cap != 0 ? b->cap : 1024;
    uint8_t *p;

    if (more <= b->cap - b->len) {
        return FH_OK;
    }
    while (cap - b->len < more) {
        cap *= 2;
    }
    p = realloc(b->p, cap);
    if (p == NULL) {
        return FH_E_NOMEM;
    }
    b->p = p;
    b->cap = cap;
    return FH_OK;
}

/* Room reserved by the caller. */
static void
obuf_varint(struct obuf *b, uint64_t v)
{
    b->len += varint_put(b->p + b->len, v);
}

static void
obuf_bytes(struct obuf *b, const void *p, size_t len)
{
    memcpy(b->p + b->len, p, len);
    b->len += len;
}

/*
 * The encoder's string table: the distinct strings met so far, in order of
 * first use, and an open-addressing hash index of them (slot = index + 1,
 * 0 empty; at most half full) so a batch with many distinct objects does not
 * cost a comparison with every string before.
 */
struct strtab {
    const char **s;
    size_t *len;
    size_t n;
    size_t cap;
    uint32_t *slot;
    size_t nslot; /* a power of two */
};

static uint64_t
str_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

    for (size_t i = 0; i < len; i++) {
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3u;
    }
    return h;
}

static size_t
strtab_probe(const struct strtab *t, const char *s, size_t len, bool *found)
{
    size_t mask = t->nslot - 1;
    size_t i = (size_t)str_hash(s, len) & mask;

    while (t->slot[i] != 0) {
        uint32_t k = t->slot[i] - 1;

        if (t->len[k] == len && memcmp(t->s[k], s, len) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
    *found = false;
    return i;
}

static fh_rv
strtab_grow(struct strtab *t)
{
    size_t nslot = t->nslot != 0 ? t->nslot * 2 : 64;
    size_t cap = nslot / 2;
    const char **s = realloc(t->s, cap * sizeof *s);
    size_t *len;
    bool found;

    if (s == NULL) {
        return FH_E_NOMEM;
    }
    t->s = s;
    len = realloc(t->len, cap * sizeof *len);
    if (len == NULL) {
        return FH_E_NOMEM;
    }
    t->len = len;
    free(t->slot);
    t->slot = calloc(nslot, sizeof *t->slot);
    if (t->slot == NULL) {
        t->nslot = 0;
        return FH_E_NOMEM;
    }
    t->nslot = nslot;
    t->cap = cap;
    for (size_t k = 0; k < t->n; k++) {
        t->slot[strtab_probe(t, t->s[k], t->len[k], &found)] = (uint32_t)(k + 1);
    }
    return FH_OK;
}

/* The index of s, added (and written to out) when new. */
static fh_rv
strtab_index(struct strtab *t, struct obuf *out, const char *s, size_t len, uint32_t *idx)
{
    bool found = false;
    size_t i;
    fh_rv rv;

    if (t->n == t->cap) {
        rv = strtab_grow(t);
        if (rv != FH_OK) {
            return rv;
        }
    }
    i = strtab_probe(t, s, len, &found);
    if (found) {
        *idx = t->slot[i] - 1;
        return FH_OK;
    }
    rv = obuf_reserve(out, VARINT_MAX + len);
    if (rv != FH_OK) {
        return rv;
    }
    obuf_varint(out, len);
    obuf_bytes(out, s, len);
    t->s[t->n] = s;
    t->len[t->n] = len;
    *idx = (uint32_t)t->n;
    t->slot[i] = (uint32_t)++t->n;
    return FH_OK;
}

static void
strtab_free(struct strtab *t)
{
    free(t->s);
    free(t->len);
    free(t->slot);
}

static void
fields_of(const struct fh_store_audit *r, const char *f[FHI_AUDIT_PAGE_FIELDS])
{
    f[0] = r->actor;
    f[1] = r->front;
    f[2] = r->operation;
    f[3] = r->object;
    f[4] = r->result;
    f[5] = r->corr_id;
}

/* The rules of fhi_audit_page_encode, checked on every record before any is
 * written, so a bad record late in a batch fails the whole batch. */
static fh_rv
check_batch(const struct fh_store_audit *recs, size_t n)
{
    const char *f[FHI_AUDIT_PAGE_FIELDS];

    if (recs[0].seq < 1 || (uint64_t)(INT64_MAX - recs[0].seq) < n - 1) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < n; i++) {
        if (recs[i].seq != recs[0].seq + (int64_t)i ||
            (i > 0 && memcmp(recs[i].prev_hash, recs[i - 1].hash, FH_AUDIT_HASH_LEN) != 0)) {
            return FH_E_ARGS;
        }
        fields_of(&recs[i], f);
        for (size_t k = 0; k < FHI_AUDIT_PAGE_FIELDS; k++) {
            if (f[k] == NULL) {
                return FH_E_ARGS;
            }
            if (strnlen(f[k], FHI_AUDIT_PAGE_MAX_TEXT + 1) > FHI_AUDIT_PAGE_MAX_TEXT) {
                return FH_E_DATA_TOO_LARGE;
            }
        }
    }
    return FH_OK;
}

/* The largest a record can add to the page, whatever of its strings are new. */
static size_t
rec_bound(const size_t flen[FHI_AUDIT_PAGE_FIELDS])
{
    size_t b = REC_MAX;

    for (size_t k = 0; k < FHI_AUDIT_PAGE_FIELDS; k++) {
        b += VARINT_MAX + flen[k];
    }
    return b;
}

/* Append one record (strings f, of lengths flen) to recsec, its new strings
 * to tabsec; idx gets its string indexes. */
static fh_rv
encode_rec(const struct fh_store_audit *r, const char *const f[FHI_AUDIT_PAGE_FIELDS],
           const size_t flen[FHI_AUDIT_PAGE_FIELDS], const struct fh_store_audit *prev,
           struct strtab *t, struct obuf *tabsec, struct obuf *recsec,
           uint32_t idx[FHI_AUDIT_PAGE_FIELDS])
{
    const char *pf[FHI_AUDIT_PAGE_FIELDS];
    fh_rv rv = FH_OK;

    if (prev != NULL) {
        fields_of(prev, pf);
    }
    for (size_t k = 0; rv == FH_OK && k < FHI_AUDIT_PAGE_FIELDS; k++) {
        /* most fields repeat the record before (idx still holds its
         * indexes): no hashing for them */
        if (prev == NULL || strcmp(f[k], pf[k]) != 0) {
            rv = strtab_index(t, tabsec, f[k], flen[k], &idx[k]);
        }
    }
    if (rv == FH_OK) {
        rv = obuf_reserve(recsec, REC_MAX);
    }
    if (rv != FH_OK) {
        return rv;
    }
    obuf_varint(recsec, zigzag_delta(prev != NULL ? prev->time_ms : 0, r->time_ms));
    for (size_t k = 0; k < FHI_AUDIT_PAGE_FIELDS; k++) {
        obuf_varint(recsec, idx[k]);
    }
    obuf_bytes(recsec, r->hash, FH_AUDIT_HASH_LEN);
    return FH_OK;
}

/* Header, table and records into one new buffer. */
static fh_rv
assemble(const struct fh_store_audit *first, size_t n, const struct strtab *t,
         const struct obuf *tabsec, const struct obuf *recsec, uint8_t **body, size_t *len)
{
    struct obuf out = {0};
    fh_rv rv = obuf_reserve(&out, HEAD_MAX + tabsec->len + recsec->len);

    if (rv != FH_OK) {
        return rv;
    }
    out.p[out.len++] = FHI_AUDIT_PAGE_VERSION;
    obuf_varint(&out, n);
    obuf_bytes(&out, first->prev_hash, FH_AUDIT_HASH_LEN);
    obuf_varint(&out, t->n);
    obuf_bytes(&out, tabsec->p, tabsec->len);
    obuf_bytes(&out, recsec->p, recsec->len);
    *body = out.p;
    *len = out.len;
    return FH_OK;
}

fh_rv
fhi_audit_page_encode(const struct fh_store_audit *recs, size_t n, uint8_t **body, size_t *len,
                      size_t *used)
{
    struct strtab t = {0};
    struct obuf tabsec = {0}, recsec = {0};
    uint32_t idx[FHI_AUDIT_PAGE_FIELDS] = {0};
    size_t i = 0;
    fh_rv rv;

    if (recs == NULL || n == 0 || body == NULL || len == NULL || used == NULL) {
        return FH_E_ARGS;
    }
    rv = check_batch(recs, n);
    for (; rv == FH_OK && i < n && i < FHI_AUDIT_PAGE_MAX_RECORDS; i++) {
        const char *f[FHI_AUDIT_PAGE_FIELDS];
        size_t flen[FHI_AUDIT_PAGE_FIELDS];

        fields_of(&recs[i], f);
        for (size_t k = 0; k < FHI_AUDIT_PAGE_FIELDS; k++) {
            flen[k] = strlen(f[k]);
        }
        /* stop before a record that might not fit; the first always does */
        if (i > 0 &&
            HEAD_MAX + tabsec.len + recsec.len + rec_bound(flen) > FHI_AUDIT_PAGE_MAX_BODY) {
            break;
        }
        rv = encode_rec(&recs[i], f, flen, i > 0 ? &recs[i - 1] : NULL, &t, &tabsec, &recsec, idx);
    }
    if (rv == FH_OK) {
        rv = assemble(&recs[0], i, &t, &tabsec, &recsec, body, len);
    }
    if (rv == FH_OK) {
        *used = i;
    }
    strtab_free(&t);
    free(tabsec.p);
    free(recsec.p);
    return rv;
}

/* ---- decoding ----------------------------------------------------------- */

struct rd {
    const uint8_t *p;
    const uint8_t *end;
};

static bool
rd_varint(struct rd *r, uint64_t *out)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < VARINT_MAX && r->p < r->end; i++) {
        uint8_t b = *r->p++;

        if (i == VARINT_MAX - 1 && b > 1) {
            return false; /* beyond 64 bits */
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            if (b == 0 && i > 0) {
                return false; /* not the shortest form */
            }
            *out = v;
            return true;
        }
    }
    return false;
}

/* A varint no greater than max. */
static bool
rd_count(struct rd *r, uint64_t max, size_t *out)
{
    uint64_t v = 0;

    if (!rd_varint(r, &v) || v > max) {
        return false;
    }
    *out = (size_t)v;
    return true;
}

static bool
rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
    if ((size_t)(r->end - r->p) < n) {
        return false;
    }
    *out = r->p;
    r->p += n;
    return true;
}

static size_t
rd_left(const struct rd *r)
{
    return (size_t)(r->end - r->p);
}

/*
 * The string table, twice over the same bytes: first to check it and size
 * it (*total: bytes with a NUL after each), then (copy true) to copy it.
 */
static bool
read_table(struct rd *r, struct fhi_audit_page *p, bool copy, size_t *total)
{
    size_t off = 0;

    for (size_t k = 0; k < p->nstr; k++) {
        const uint8_t *s = NULL;
        size_t len = 0;

        if (!rd_count(r, FHI_AUDIT_PAGE_MAX_TEXT, &len) || !rd_bytes(r, len, &s) ||
            memchr(s, 0, len) != NULL) {
            return false;
        }
        if (copy) {
            memcpy(p->str_buf + off, s, len);
            p->str_buf[off + len] = '\0';
            p->str[k] = p->str_buf + off;
        }
        off += len + 1;
    }
    *total = off;
    return true;
}

/* The records section; used[k] tells whether string k was referred to. */
static bool
read_records(struct rd *r, struct fhi_audit_page *p, uint8_t *used)
{
    int64_t time_ms = 0;

    for (size_t i = 0; i < p->n; i++) {
        struct fhi_audit_page_rec *rec = &p->recs[i];
        const uint8_t *hash = NULL;
        uint64_t z = 0;

        if (!rd_varint(r, &z)) {
            return false;
        }
        time_ms = add_unzigzag(time_ms, z);
        rec->time_ms = time_ms;
        for (size_t k = 0; k < FHI_AUDIT_PAGE_FIELDS; k++) {
            size_t s = 0;

            if (!rd_count(r, p->nstr - 1, &s)) {
                return false;
            }
            rec->str[k] = (uint32_t)s;
            used[s] = 1;
        }
        if (!rd_bytes(r, FH_AUDIT_HASH_LEN, &hash)) {
            return false;
        }
        memcpy(rec->hash, hash, FH_AUDIT_HASH_LEN);
    }
    return true;
}

/* Check the header against the row's seqs; p->n, p->prev_hash and p->nstr. */
static bool
read_head(struct rd *r, int64_t first_seq, int64_t last_seq, struct fhi_audit_page *p)
{
    const uint8_t *v = NULL, *prev = NULL;
    size_t count = 0;

    if (first_seq < 1 || last_seq < first_seq ||
        (uint64_t)last_seq - (uint64_t)first_seq >= FHI_AUDIT_PAGE_MAX_RECORDS) {
        return false;
    }
    p->first_seq = first_seq;
    p->n = (size_t)(last_seq - first_seq) + 1;
    if (!rd_bytes(r, 1, &v) || v[0] != FHI_AUDIT_PAGE_VERSION ||
        !rd_count(r, FHI_AUDIT_PAGE_MAX_RECORDS, &count) || count != p->n ||
        !rd_bytes(r, FH_AUDIT_HASH_LEN, &prev) ||
        !rd_count(r, (uint64_t)FHI_AUDIT_PAGE_FIELDS * p->n, &p->nstr) || p->nstr == 0) {
        return false;
    }
    memcpy(p->prev_hash, prev, FH_AUDIT_HASH_LEN);
    /* each string takes a byte at least: refuse a count the body cannot hold
     * before allocating for it */
    return p->nstr <= rd_left(r);
}

fh_rv
fhi_audit_page_decode(int64_t first_seq, int64_t last_seq, const uint8_t *body, size_t len,
                      struct fhi_audit_page *out)
{
    struct fhi_audit_page p = {0};
    struct rd r, table;
    uint8_t *used = NULL;
    size_t total = 0;
    fh_rv rv = FH_E_STORE_CORRUPT;

    if (out == NULL || (body == NULL && len > 0)) {
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof *out);
    if (body == NULL || len > FHI_AUDIT_PAGE_MAX_BODY) {
        goto out;
    }
    r.p = body;
    r.end = body + len;
    if (!read_head(&r, first_seq, last_seq, &p)) {
        goto out;
    }
    table = r;
    if (!read_table(&r, &p, false, &total) || rd_left(&r) / REC_MIN < p.n) {
        goto out;
    }
    p.str = malloc(p.nstr * sizeof *p.str);
    p.str_buf = malloc(total);
    p.recs = malloc(p.n * sizeof *p.recs);
    used = calloc(p.nstr, 1);
    if (p.str == NULL || p.str_buf == NULL || p.recs == NULL || used == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    (void)read_table(&table, &p, true, &total);
    if (!read_records(&r, &p, used) || r.p != r.end || memchr(used, 0, p.nstr) != NULL) {
        goto out;
    }
    *out = p;
    memset(&p, 0, sizeof p);
    rv = FH_OK;
out:
    free(used);
    fhi_audit_page_clear(&p);
    return rv;
}

void
fhi_audit_page_get(const struct fhi_audit_page *p, size_t i, struct fh_store_audit *out)
{
    const struct fhi_audit_page_rec *rec = &p->recs[i];
    char **f[FHI_AUDIT_PAGE_FIELDS] = {&out->actor,  &out->front,  &out->operation,
                                       &out->object, &out->result, &out->corr_id};

    out->seq = p->first_seq + (int64_t)i;
    out->time_ms = rec->time_ms;
    for (size_t k = 0; k < FHI_AUDIT_PAGE_FIELDS; k++) {
        *f[k] = p->str[rec->str[k]];
    }
    memcpy(out->prev_hash, i > 0 ? p->recs[i - 1].hash : p->prev_hash, FH_AUDIT_HASH_LEN);
    memcpy(out->hash, rec->hash, FH_AUDIT_HASH_LEN);
}

void
fhi_audit_page_clear(struct fhi_audit_page *p)
{
    if (p == NULL) {
        return;
    }
    free(p->str);
    free(p->str_buf);
    free(p->recs);
    memset(p, 0, sizeof *p);
}
