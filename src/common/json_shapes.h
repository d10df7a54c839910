/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_shapes.h - the JSON shapes that the CLI's --json output and the REST
 * API's bodies share by design (docs/cli.md "JSON output", docs/api.md):
 * built here once, so that `ferrohsm ... --json` prints the same bytes
 * locally and through a server. Project-internal (src/common), on jansson;
 * libferrohsm itself never sees jansson.
 *
 * Every builder returns a new reference, or NULL when an allocation failed
 * (no partial value escapes). Builders keep the member order of the
 * documentation: callers print with JSON_PRESERVE_ORDER. Thread-safe: no
 * state besides what the caller passes in.
 */
#ifndef FERROHSM_COMMON_JSON_SHAPES_H
#define FERROHSM_COMMON_JSON_SHAPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferrohsm/apikey.h"
#include "ferrohsm/describe.h"
#include "ferrohsm/mech.h"
#include "ferrohsm/rv.h"
#include "ferrohsm/session.h"
#include "ferrohsm/store.h"
#include "ferrohsm/token.h"

/*
 * json_object_set_new that remembers a failure: *ok becomes false when value
 * is NULL or the set fails, so a builder checks once at the end. Takes the
 * reference to value in every case.
 */
void fh_shape_set(json_t *obj, const char *key, json_t *value, bool *ok);

/* A JSON string of the lowercase hex of p[0..n). */
json_t *fh_shape_hex(const uint8_t *p, size_t n);

/*
 * A label or other text: the string p[0..n) when it is valid UTF-8, else
 * "hex:<hex>" (docs/cli.md). n 0 gives "".
 */
json_t *fh_shape_text(const uint8_t *p, size_t n);

/* fh_shape_text of a NUL-terminated string; NULL s is "". */
json_t *fh_shape_str(const char *s);

/* UTC, ISO 8601 with milliseconds ("2025-01-31T12:34:56.789Z") into buf. */
void fh_shape_time(int64_t ms, char *buf, size_t len);

/*
 * One attribute value as `key show --json` renders it (docs/cli.md): a
 * boolean, an integer, a CKO_/CKK_/mechanism name (unknown values "0x..."),
 * an array of mechanism names, text, or hex.
 */
json_t *fh_shape_attr_value(enum fh_attr_kind kind, const uint8_t *p, size_t len);

/*
 * ATTRS of object h: every attribute of fh_attr_show_at that the object has
 * and reveals, by PKCS#11 name, in table order. *out (new reference) is
 * written only on success; errors of fh_attr_read other than "absent" and
 * "sensitive", FH_E_NOMEM.
 */
fh_rv fh_shape_attrs(fh_session *s, CK_OBJECT_HANDLE h, json_t **out);

/* One mechanism as `mechanisms --json` and GET /v1/mechanisms show it. */
json_t *fh_shape_mech(const struct fh_mech_desc *d);

/* Every mechanism of ctx, in registry order, as an array of fh_shape_mech. */
json_t *fh_shape_mechs(const fh_ctx *ctx);

/* A token's "user_pin": "ok", "locked" or "not set" (also the CLI's text output). */
const char *fh_shape_user_pin(const struct fh_token_info *t);

/*
 * A token as `token list --json` shows it; the server appends "ready" to
 * make its TOKEN (docs/api.md).
 */
json_t *fh_shape_token(const struct fh_token_info *t);

/* An API key as `apikey list --json` and GET /v1/apikeys show it; never the key. */
json_t *fh_shape_apikey(const struct fh_apikey_info *k);

/* An audit record as `audit list --json` and GET /v1/audit show it. */
json_t *fh_shape_audit(const struct fh_store_audit *r);

#endif /* FERROHSM_COMMON_JSON_SHAPES_H */
