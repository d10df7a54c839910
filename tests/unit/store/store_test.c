/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_test.c - helpers of the store tests (store_test.h) and main(), which
 * runs the record group (test_sqlite.c) and the file group (test_sqlite_files.c).
 */
#include "store_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

void
st_env_init(struct st_env *e)
{
    const char *tmp = getenv("TMPDIR");
    int n;

    if (tmp == NULL || tmp[0] == '\0') {
        tmp = "/tmp";
    }
    n = snprintf(e->dir, sizeof e->dir, "%s/fh-store-XXXXXX", tmp);
    assert_true(n > 0 && (size_t)n < sizeof e->dir);
    assert_non_null(mkdtemp(e->dir));
    st_env_file(e, "store.db", e->path, sizeof e->path);
}

void
st_env_file(const struct st_env *e, const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", e->dir, name);

    assert_true(n > 0 && (size_t)n < len);
}

void
st_env_fini(struct st_env *e)
{
    char path[600];
    struct dirent *de;
    DIR *d = opendir(e->dir);

    if (d == NULL) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        (void)snprintf(path, sizeof path, "%s/%s", e->dir, de->d_name);
        (void)chmod(path, 0600);
        (void)unlink(path);
    }
    closedir(d);
    (void)rmdir(e->dir);
}

void *
st_open_rv(const char *path, unsigned flags, fh_rv *rv)
{
    void *priv = calloc(1, ST_OPS->priv_size);

    assert_non_null(priv);
    *rv = ST_OPS->open(priv, path, flags);
    if (*rv != FH_OK) {
        ST_OPS->close(priv);
        free(priv);
        return NULL;
    }
    return priv;
}

void *
st_open(const char *path, unsigned flags)
{
    fh_rv rv = FH_OK;
    void *priv = st_open_rv(path, flags, &rv);

    assert_int_equal(rv, FH_OK);
    return priv;
}

void
st_close(void *priv)
{
    if (priv != NULL) {
        ST_OPS->close(priv);
        free(priv);
    }
}

int64_t
st_token(void *priv, const char *label)
{
    static const uint8_t meta[] = {0x01, 0x02, 0x03};
    struct fh_store_token t = {
        .label = (char *)(uintptr_t)label, .meta = (uint8_t *)(uintptr_t)meta, .meta_len = 3};
    int64_t id = 0;

    assert_int_equal(ST_OPS->token_insert(priv, &t, &id), FH_OK);
    assert_true(id > 0);
    return id;
}

int64_t
st_object(void *priv, int64_t token_id, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, const void *label,
          size_t label_len, const void *ckid, size_t ckid_len)
{
    static const uint8_t attrs[] = {0xA1, 0xA2};
    struct fh_store_object o = {
        .token_id = token_id,
        .cls = cls,
        .key_type = kt,
        .label = (uint8_t *)(uintptr_t)label,
        .label_len = label_len,
        .ckid = (uint8_t *)(uintptr_t)ckid,
        .ckid_len = ckid_len,
        .attrs = (uint8_t *)(uintptr_t)attrs,
        .attrs_len = sizeof attrs,
    };
    int64_t id = 0;

    assert_int_equal(ST_OPS->object_insert(priv, &o, &id), FH_OK);
    assert_true(id > 0);
    return id;
}

uint8_t *
st_read_file(const char *path, size_t *len)
{
    struct stat sb;
    uint8_t *buf;
    FILE *f = fopen(path, "rb");

    *len = 0;
    if (f == NULL) {
        return NULL;
    }
    assert_int_equal(fstat(fileno(f), &sb), 0);
    buf = malloc((size_t)sb.st_size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)sb.st_size, f), (size_t)sb.st_size);
    fclose(f);
    *len = (size_t)sb.st_size;
    return buf;
}

void
st_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    if (len > 0) {
        assert_int_equal(fwrite(data, 1, len, f), len);
    }
    assert_int_equal(fclose(f), 0);
}

bool
st_file_exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

double
st_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void
st_raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                     SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        print_error("%s: %s\n", sql, err != NULL ? err : "?");
        sqlite3_free(err);
        sqlite3_close(db);
        fail();
    }
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int64_t
st_raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void
st_audit_fill(struct fh_store_audit *r, int64_t seq, char *buf, size_t len)
{
    memset(r, 0, sizeof *r);
    (void)snprintf(buf, len, "corr-%lld", (long long)seq);
    r->seq = seq;
    r->time_ms = 1700000000000LL + seq;
    r->actor = "token:demo/user";
    r->front = seq % 2 ? "cli" : "pkcs11";
    r->operation = "sign";
    r->object = seq % 3 ? "token:demo/key:k1" : "";
    r->result = "ok";
    r->corr_id = buf;
    for (size_t i = 0; i < FH_AUDIT_HASH_LEN; i++) {
        r->prev_hash[i] = (uint8_t)(seq - 1 + (int64_t)i);
        r->hash[i] = (uint8_t)(seq + (int64_t)i);
    }
}

fh_rv
st_audit_append_range(void *priv, int64_t first, int64_t last)
{
    size_t n = (size_t)(last - first + 1);
    struct fh_store_audit *v = calloc(n, sizeof *v);
    char(*bufs)[32] = calloc(n, sizeof *bufs);
    fh_rv rv;

    assert_non_null(v);
    assert_non_null(bufs);
    for (size_t i = 0; i < n; i++) {
        st_audit_fill(&v[i], first + (int64_t)i, bufs[i], sizeof bufs[i]);
    }
    rv = ST_OPS->audit_append_batch(priv, v, n);
    free(bufs);
    free(v);
    return rv;
}

void
st_assert_audit_equal(const struct fh_store_audit *a, const struct fh_store_audit *b)
{
    assert_int_equal(a->seq, b->seq);
    assert_int_equal(a->time_ms, b->time_ms);
    assert_string_equal(a->actor, b->actor);
    assert_string_equal(a->front, b->front);
    assert_string_equal(a->operation, b->operation);
    assert_string_equal(a->object, b->object);
    assert_string_equal(a->result, b->result);
    assert_string_equal(a->corr_id, b->corr_id);
    assert_memory_equal(a->prev_hash, b->prev_hash, FH_AUDIT_HASH_LEN);
    assert_memory_equal(a->hash, b->hash, FH_AUDIT_HASH_LEN);
}
