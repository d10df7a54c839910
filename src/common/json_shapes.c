/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_shapes.c - the jansson builders of the shapes the CLI and the REST
 * API share (see json_shapes.h). The CLI's remote mode prints what a server
 * sends back, and its local mode what these builders make: one copy of each
 * shape is what keeps the two outputs the same bytes.
 *
 * Text from the core (labels, audit fields, API key names) is not promised
 * to be UTF-8; every such value goes through fh_shape_text, the documented
 * "hex:<hex>" rule (docs/cli.md "JSON output"), so no member is ever
 * dropped or replaced by a placeholder.
 */
#include "json_shapes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ferrohsm/ferrohsm.h"

#include "codec.h"

void
fh_shape_set(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (value == NULL) {
        *ok = false;
        return;
    }
    if (json_object_set_new(obj, key, value) != 0) {
        *ok = false;
    }
}

json_t *
fh_shape_hex(const uint8_t *p, size_t n)
{
    char *hex = fh_codec_hex_encode(p, n);
    json_t *j;

    if (hex == NULL) {
        return NULL;
    }
    j = json_string(hex);
    free(hex);
    return j;
}

json_t *
fh_shape_text(const uint8_t *p, size_t n)
{
    json_t *j;
    char *hex, *s;
    size_t len;

    if (n == 0) {
        return json_string("");
    }
    j = json_stringn((const char *)p, n); /* NULL when not valid UTF-8 */
    if (j != NULL) {
        return j;
    }
    hex = fh_codec_hex_encode(p, n);
    if (hex == NULL) {
        return NULL;
    }
    len = strlen(hex) + sizeof("hex:");
    s = malloc(len);
    if (s != NULL) {
        snprintf(s, len, "hex:%s", hex);
        j = json_string(s);
    }
    free(s);
    free(hex);
    return j;
}

json_t *
fh_shape_str(const char *s)
{
    s = s != NULL ? s : "";
    return fh_shape_text((const uint8_t *)s, strlen(s));
}

void
fh_shape_time(int64_t ms, char *buf, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    int frac = (int)(ms % 1000);
    struct tm tm;

    if (frac < 0) {
        frac += 1000;
        secs -= 1;
    }
    if (gmtime_r(&secs, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(buf, len, "@%" PRId64 "ms", ms);
        return;
    }
    snprintf(buf + strlen(buf), len - strlen(buf), ".%03dZ", frac);
}

/* A CK_ULONG by its name, or "0x..." when the registry has none. */
static json_t *
ulong_name_json(const char *name, CK_ULONG v)
{
    char buf[32];

    if (name != NULL) {
        return json_string(name);
    }
    snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)v);
    return json_string(buf);
}

json_t *
fh_shape_attr_value(enum fh_attr_kind kind, const uint8_t *p, size_t len)
{
    CK_ULONG v = 0;
    bool is_ulong = len == sizeof(v);

    if (is_ulong) {
        memcpy(&v, p, sizeof(v));
    }
    switch (kind) {
    case FH_ATTR_KIND_BOOL: return json_boolean(len == 1 && p[0] != 0);
    case FH_ATTR_KIND_ULONG: return is_ulong ? json_integer((json_int_t)v) : fh_shape_hex(p, len);
    case FH_ATTR_KIND_CLASS:
        return is_ulong ? ulong_name_json(fh_class_name(v), v) : fh_shape_hex(p, len);
    case FH_ATTR_KIND_KEYTYPE:
        return is_ulong ? ulong_name_json(fh_key_type_name(v), v) : fh_shape_hex(p, len);
    case FH_ATTR_KIND_MECH:
        return is_ulong ? ulong_name_json(fh_mech_name(v), v) : fh_shape_hex(p, len);
    case FH_ATTR_KIND_MECHS: {
        json_t *arr = json_array();

        for (size_t i = 0; arr != NULL && i + sizeof(CK_ULONG) <= len; i += sizeof(CK_ULONG)) {
            memcpy(&v, p + i, sizeof(v));
            if (json_array_append_new(arr, ulong_name_json(fh_mech_name(v), v)) != 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    case FH_ATTR_KIND_TEXT: return fh_shape_text(p, len);
    case FH_ATTR_KIND_HEX: return fh_shape_hex(p, len);
    }
    return NULL;
}

fh_rv
fh_shape_attrs(fh_session *s, CK_OBJECT_HANDLE h, json_t **out)
{
    json_t *o = json_object();
    bool ok = o != NULL;

    for (size_t i = 0; ok && i < fh_attr_show_count(); i++) {
        const struct fh_attr_show *a = fh_attr_show_at(i);
        uint8_t *val = NULL;
        size_t len = 0;
        fh_rv rv = fh_attr_read(s, h, a->type, &val, &len);

        if (rv == FH_E_ATTR_SENSITIVE || rv == FH_E_ATTR_TYPE_INVALID) {
            continue; /* not part of this object, or not revealed: not shown */
        }
        if (rv != FH_OK) {
            json_decref(o);
            return rv;
        }
        fh_shape_set(o, a->name, fh_shape_attr_value(a->kind, val, len), &ok);
        free(val);
    }
    if (!ok) {
        json_decref(o);
        return FH_E_NOMEM;
    }
    *out = o;
    return FH_OK;
}

/* The operation flags of a mechanism, by their docs/cli.md names. */
static const struct {
    CK_FLAGS flag;
    const char *name;
} op_names[] = {
    {CKF_ENCRYPT, "encrypt"},   {CKF_DECRYPT, "decrypt"},
    {CKF_SIGN, "sign"},         {CKF_VERIFY, "verify"},
    {CKF_DIGEST, "digest"},     {CKF_WRAP, "wrap"},
    {CKF_UNWRAP, "unwrap"},     {CKF_DERIVE, "derive"},
    {CKF_GENERATE, "generate"}, {CKF_GENERATE_KEY_PAIR, "generate-key-pair"},
};

/* "bits", "bytes" or NULL (the mechanism takes no key). */
static const char *
key_unit(const struct fh_mech_desc *d)
{
    if (d->n_key_types == 0) {
        return NULL;
    }
    if (d->key_types[0] == CKK_AES || d->key_types[0] == CKK_GENERIC_SECRET) {
        return "bytes";
    }
    return "bits";
}

json_t *
fh_shape_mech(const struct fh_mech_desc *d)
{
    json_t *o = json_object(), *ops = json_array();
    const char *unit = key_unit(d);
    bool ok = o != NULL && ops != NULL;

    for (size_t k = 0; ok && k < sizeof(op_names) / sizeof(op_names[0]); k++) {
        if ((d->flags & op_names[k].flag) != 0 &&
            json_array_append_new(ops, json_string(op_names[k].name)) != 0) {
            ok = false;
        }
    }
    if (!ok) {
        json_decref(ops);
        json_decref(o);
        return NULL;
    }
    fh_shape_set(o, "name", json_string(d->name), &ok);
    fh_shape_set(o, "min_key", unit != NULL ? json_integer((json_int_t)d->min_key) : json_null(),
                 &ok);
    fh_shape_set(o, "max_key", unit != NULL ? json_integer((json_int_t)d->max_key) : json_null(),
                 &ok);
    fh_shape_set(o, "key_unit", unit != NULL ? json_string(unit) : json_null(), &ok);
    fh_shape_set(o, "operations", ops, &ok);
    fh_shape_set(o, "multipart", json_boolean((d->fh_flags & FH_MECH_MULTIPART) != 0), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
fh_shape_mechs(const fh_ctx *ctx)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < fh_mech_count(ctx); i++) {
        if (json_array_append_new(arr, fh_shape_mech(fh_mech_at(ctx, i))) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

const char *
fh_shape_user_pin(const struct fh_token_info *t)
{
    if (!t->user_pin_initialized) {
        return "not set";
    }
    return t->user_pin_locked ? "locked" : "ok";
}

json_t *
fh_shape_token(const struct fh_token_info *t)
{
    json_t *o = json_object();
    bool ok = o != NULL;

    if (!ok) {
        return NULL;
    }
    fh_shape_set(o, "label", fh_shape_str(t->label), &ok);
    fh_shape_set(o, "serial", json_string(t->serial), &ok);
    fh_shape_set(o, "objects", json_integer((json_int_t)t->object_count), &ok);
    fh_shape_set(o, "user_pin", json_string(fh_shape_user_pin(t)), &ok);
    fh_shape_set(o, "user_failures", json_integer(t->user_failures), &ok);
    fh_shape_set(o, "so_pin_locked", json_boolean(t->so_pin_locked), &ok);
    fh_shape_set(o, "so_failures", json_integer(t->so_failures), &ok);
    fh_shape_set(o, "max_failures", json_integer(t->max_failures), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
fh_shape_apikey(const struct fh_apikey_info *k)
{
    json_t *o = json_object(), *tokens;
    const char *role = fh_role_name(k->role);
    char when[40];
    bool ok = o != NULL;

    if (!ok) {
        return NULL;
    }
    if (k->all_tokens) {
        tokens = json_string("*");
    } else {
        tokens = json_array();
        for (size_t i = 0; tokens != NULL && i < k->n_tokens && i < FH_APIKEY_MAX_TOKENS; i++) {
            char name[FH_TOKEN_LABEL_MAX + 1];

            /* a label, or "deleted:<serial>" for a token that is gone */
            if (json_array_append_new(
                    tokens, fh_shape_str(fh_apikey_token_name(k, i, name, sizeof(name)))) != 0) {
                ok = false;
            }
        }
    }
    fh_shape_time(k->created_ms, when, sizeof(when));
    fh_shape_set(o, "id", json_string(k->id), &ok);
    fh_shape_set(o, "name", fh_shape_str(k->name), &ok);
    fh_shape_set(o, "role", json_string(role != NULL ? role : "unknown"), &ok);
    fh_shape_set(o, "tokens", tokens, &ok);
    fh_shape_set(o, "created", json_string(when), &ok);
    fh_shape_set(o, "revoked", json_boolean(k->revoked), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
fh_shape_audit(const struct fh_store_audit *r)
{
    json_t *o = json_object();
    char when[40];
    bool ok = o != NULL;

    if (!ok) {
        return NULL;
    }
    fh_shape_time(r->time_ms, when, sizeof(when));
    fh_shape_set(o, "seq", json_integer(r->seq), &ok);
    fh_shape_set(o, "time", json_string(when), &ok);
    fh_shape_set(o, "time_ms", json_integer(r->time_ms), &ok);
    fh_shape_set(o, "actor", fh_shape_str(r->actor), &ok);
    fh_shape_set(o, "front", fh_shape_str(r->front), &ok);
    fh_shape_set(o, "operation", fh_shape_str(r->operation), &ok);
    fh_shape_set(o, "object", fh_shape_str(r->object), &ok);
    fh_shape_set(o, "result", fh_shape_str(r->result), &ok);
    fh_shape_set(o, "corr_id", fh_shape_str(r->corr_id), &ok);
    fh_shape_set(o, "prev_hash", fh_shape_hex(r->prev_hash, FH_AUDIT_HASH_LEN), &ok);
    fh_shape_set(o, "hash", fh_shape_hex(r->hash, FH_AUDIT_HASH_LEN), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
