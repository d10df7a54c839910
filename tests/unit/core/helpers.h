/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helpers.h - shared fixtures of the core unit tests: a throw-away
 * FERROHSM_HOME with fast test parameters, an opened fh_ctx, tokens with
 * known PINs, sessions, and raw access to the SQLite file for tamper tests.
 *
 * Every helper asserts (cmocka) on failure, so a test body reads as the
 * behaviour it checks.
 */
#ifndef FERROHSM_TESTS_UNIT_CORE_HELPERS_H
#define FERROHSM_TESTS_UNIT_CORE_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ferrohsm/ferrohsm.h"

#define TH_SO_PIN "so-pin-4711"
#define TH_USER_PIN "user-pin-0815"
#define TH_LABEL "unit"

struct th_env {
    char home[512];
    char db[600];
    fh_ctx *ctx;
};

/* mkdtemp a FERROHSM_HOME, write ferrohsm.conf, set the environment, open ctx. */
void th_env_init(struct th_env *e);
/* Free the ctx (if open) and remove the directory recursively. */
void th_env_fini(struct th_env *e);
/* fh_ctx_free + fh_ctx_new (as a restarted process would). */
void th_reopen(struct th_env *e);
void th_close_ctx(struct th_env *e);
fh_rv th_open_ctx(struct th_env *e, bool create);

/* cmocka group/test setup and teardown that allocate a struct th_env in *state
 * and create token TH_LABEL with both PINs. */
int th_setup(void **state);
int th_setup_no_token(void **state);
int th_teardown(void **state);

/* A new fh_secret holding the bytes of str (caller frees). */
fh_secret *th_pin(const char *str);
fh_rv th_token_create(fh_ctx *ctx, const char *label, const char *so, const char *user);
fh_rv th_login(fh_token *tok, CK_USER_TYPE who, const char *pin);

/* Open token label, optionally log the user in, open a session. */
void th_open(fh_ctx *ctx, const char *label, bool login_user, bool rw, fh_token **tok,
             fh_session **s);

/* Key helpers (session objects unless on_token). */
CK_OBJECT_HANDLE th_aes_key(fh_session *s, bool on_token, bool extractable, const char *label);
void th_ec_pair(fh_session *s, bool on_token, const char *label, CK_OBJECT_HANDLE *pub,
                CK_OBJECT_HANDLE *priv);
/* Single-part sign / verify helpers. */
fh_rv th_sign(fh_session *s, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE key, const uint8_t *msg,
              size_t msg_len, uint8_t *sig, size_t *sig_len);
fh_rv th_verify(fh_session *s, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE key, const uint8_t *msg,
                size_t msg_len, const uint8_t *sig, size_t sig_len);

/* Find objects; returns the count and (optionally) the handles (free()). */
size_t th_find(fh_session *s, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE **out);
CK_OBJECT_HANDLE th_find_one_label(fh_session *s, CK_OBJECT_CLASS cls, const char *label);

/* Raw SQLite access to the store file (ctx should be closed). */
sqlite3 *th_db_open(const struct th_env *e);
void th_db_exec(sqlite3 *db, const char *sql);
int64_t th_db_int(sqlite3 *db, const char *sql);

/* Read a whole file; NULL with *len 0 when it does not exist. free() it. */
uint8_t *th_read_file(const char *path, size_t *len);
bool th_contains(const uint8_t *hay, size_t hay_len, const void *needle, size_t needle_len);

extern const uint8_t th_p256_params[10];
extern const uint8_t th_ed25519_params[5];

#endif /* FERROHSM_TESTS_UNIT_CORE_HELPERS_H */
