/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_test.h - helpers shared by the SQLite store tests: a scratch directory
 * per test, opening a store the way the core does (priv of priv_size, zeroed),
 * quick inserts and whole-file reads and writes.
 *
 * Every helper fails the running cmocka test on error.
 */
#ifndef FERROHSM_TESTS_UNIT_STORE_STORE_TEST_H
#define FERROHSM_TESTS_UNIT_STORE_STORE_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "ferrohsm/store.h"

#define ST_OPS (&fh_store_sqlite_ops)

struct st_env {
    char dir[256];
    char path[320]; /* dir + "/store.db" */
};

/* A fresh directory under $TMPDIR (or /tmp); path names a file not yet there. */
void
st_env_init(struct st_env *e);
/* Remove every file in the directory, then the directory. */
void
st_env_fini(struct st_env *e);
/* e->dir + "/" + name into buf. */
void
st_env_file(const struct st_env *e, const char *name, char *buf, size_t len);

/* Allocate a zeroed priv and open; *rv gets open's result. On failure the
 * priv has been closed and freed and NULL is returned. */
void *
st_open_rv(const char *path, unsigned flags, fh_rv *rv);
/* As st_open_rv, asserting success. */
void *
st_open(const char *path, unsigned flags);
void
st_close(void *priv);

int64_t
st_token(void *priv, const char *label);
int64_t
st_object(void *priv, int64_t token_id, CK_OBJECT_CLASS cls, CK_KEY_TYPE kt, const void *label,
          size_t label_len, const void *ckid, size_t ckid_len);

/* malloc'ed contents of a file (NULL and 0 when it does not exist). */
uint8_t *
st_read_file(const char *path, size_t *len);
void
st_write_file(const char *path, const void *data, size_t len);
bool
st_file_exists(const char *path);
/* Milliseconds from a monotonic clock. */
double
st_now_ms(void);

/* Test groups (test_sqlite.c, test_sqlite_files.c). */
int
st_run_record_tests(void);
int
st_run_file_tests(void);
int
st_run_apikey_tests(void); /* test_sqlite_apikeys.c */
int
st_run_audit_tests(void); /* test_sqlite_audit.c */

/* SQL on the file itself, past the store (to damage it, or to look):
 * st_raw_exec fails the test on any error; st_raw_int returns the first
 * column of the first row. */
void st_raw_exec(const char *path, const char *sql);
int64_t st_raw_int(const char *path, const char *sql);

/* Audit record seq with fixed strings (front, object vary with seq) and
 * corr_id "corr-SEQ" in buf; its hash bytes are seq + i and its prev_hash
 * bytes seq - 1 + i, so consecutive records link as the store requires. */
void st_audit_fill(struct fh_store_audit *r, int64_t seq, char *buf, size_t len);
/* Append records first..last, filled as above, in one audit_append_batch. */
fh_rv st_audit_append_range(void *priv, int64_t first, int64_t last);
/* Every field of a and b equal. */
void st_assert_audit_equal(const struct fh_store_audit *a, const struct fh_store_audit *b);

#endif /* FERROHSM_TESTS_UNIT_STORE_STORE_TEST_H */
