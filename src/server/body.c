/* SPDX-License-Identifier: Apache-2.0 */
/*
 * body.c - building responses and reading request bodies (srv.h): the
 * helpers every handler uses, built into a static library of their own so
 * that the fuzzer (fuzz/fuzz_server_json.c) runs exactly this code.
 *
 * Error messages are composed here and sanitised: control characters and
 * bytes that are not UTF-8 are escaped as \xNN, and the length is capped,
 * so a label from the request cannot forge a log line or break the JSON.
 * No state: thread-safe.
 */
#include "srv-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "codec.h"

#define MSG_MAX 300

void
srv_json(struct srv_resp *resp, int status, json_t *body)
{
    json_decref(resp->json);
    resp->json = body != NULL ? body : json_object();
    resp->status = status;
    resp->error_code = NULL;
}

void
srv_no_content(struct srv_resp *resp)
{
    json_decref(resp->json);
    resp->json = NULL;
    resp->status = 204;
    resp->error_code = NULL;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    size_t need;
    unsigned cp;

    if (s[0] < 0x80) {
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        need = 2;
        cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        need = 3;
        cp = s[0] & 0x0fu;
    } else if ((s[0] & 0xf8) == 0xf0) {
        need = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < need) {
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return need;
}

/* Copy src into dst (dst_len bytes), escaping control characters and bad UTF-8. */
static void
sanitise(char *dst, size_t dst_len, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t n = strlen(src), o = 0;

    for (size_t i = 0; i < n && o + 5 < dst_len;) {
        size_t l = utf8_len(s + i, n - i);

        if (l == 1 && s[i] >= 0x20 && s[i] != 0x7f) {
            dst[o++] = (char)s[i++];
        } else if (l > 1) {
            if (o + l + 1 >= dst_len) {
                break;
            }
            memcpy(dst + o, s + i, l);
            o += l;
            i += l;
        } else {
            o += (size_t)snprintf(dst + o, dst_len - o, "\\x%02x", s[i]);
            i++;
        }
    }
    dst[o] = '\0';
}

void
srv_error(struct srv_req *req, struct srv_resp *resp, int status, const char *code,
          const char *fmt, ...)
{
    char raw[MSG_MAX], msg[MSG_MAX];
    json_t *err, *root;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    sanitise(msg, sizeof(msg), raw);
    json_decref(resp->json);
    resp->json = NULL;
    err = json_object();
    root = json_object();
    if (err != NULL && root != NULL) {
        json_object_set_new(err, "code", json_string(code));
        json_object_set_new(err, "message", json_string(msg));
        json_object_set_new(err, "request_id", json_string(req != NULL ? req->request_id : ""));
        json_object_set_new(root, "error", err);
        err = NULL;
        resp->json = root;
        root = NULL;
    }
    json_decref(err);
    json_decref(root);
    resp->status = status;
    resp->error_code = code;
}

void
srv_resp_clear(struct srv_resp *resp)
{
    json_decref(resp->json);
    if (resp->text != NULL) {
        OPENSSL_cleanse(resp->text, strlen(resp->text));
        free(resp->text);
    }
    memset(resp, 0, sizeof(*resp));
}

bool
srv_body_parse(struct srv_req *req, struct srv_resp *resp, const char *data, size_t len,
               json_t **out)
{
    struct srv_json_error e;
    json_t *j;

    j = srv_json_parse(data, len, &e);
    if (j == NULL) {
        srv_error(req, resp, 400, "bad_json", "invalid JSON at line %d, column %d: %s", e.line,
                  e.column, e.reason);
        return false;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        srv_error(req, resp, 400, "bad_json", "the body must be a JSON object");
        return false;
    }
    *out = j;
    return true;
}

/* The field's value, NULL when absent or null; missing+required writes the error. */
static bool
field(struct srv_req *req, struct srv_resp *resp, const char *name, bool required, json_t **out)
{
    json_t *v = req->body != NULL ? json_object_get(req->body, name) : NULL;

    if (v != NULL && json_is_null(v)) {
        v = NULL;
    }
    if (v == NULL && required) {
        srv_error(req, resp, 400, "bad_json", "field '%s' is required", name);
        return false;
    }
    *out = v;
    return true;
}

bool
srv_body_str(struct srv_req *req, struct srv_resp *resp, const char *name, bool required,
             const char **out)
{
    json_t *v;

    if (!field(req, resp, name, required, &v)) {
        return false;
    }
    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v)) {
        srv_error(req, resp, 400, "bad_json", "field '%s': expected a string", name);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool
srv_body_bool(struct srv_req *req, struct srv_resp *resp, const char *name, bool required,
              bool *out)
{
    json_t *v;

    if (!field(req, resp, name, required, &v)) {
        return false;
    }
    if (v == NULL) {
        return true;
    }
    if (!json_is_boolean(v)) {
        srv_error(req, resp, 400, "bad_json", "field '%s': expected true or false", name);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool
srv_body_int(struct srv_req *req, struct srv_resp *resp, const char *name, bool required,
             int64_t min, int64_t max, int64_t *out)
{
    json_t *v;
    json_int_t i;

    if (!field(req, resp, name, required, &v)) {
        return false;
    }
    if (v == NULL) {
        return true;
    }
    if (!json_is_integer(v)) {
        srv_error(req, resp, 400, "bad_json", "field '%s': expected an integer", name);
        return false;
    }
    i = json_integer_value(v);
    if (i < min || i > max) {
        srv_error(req, resp, 400, "bad_json", "field '%s': expected an integer in %lld..%lld",
                  name, (long long)min, (long long)max);
        return false;
    }
    *out = (int64_t)i;
    return true;
}

bool
srv_body_b64(struct srv_req *req, struct srv_resp *resp, const char *name, bool required,
             size_t max, uint8_t **out, size_t *len)
{
    json_t *v;
    const char *s;
    size_t slen;
    uint8_t *buf = NULL;
    size_t blen = 0;

    if (!field(req, resp, name, required, &v)) {
        return false;
    }
    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v)) {
        srv_error(req, resp, 400, "bad_json", "field '%s': expected a base64 string", name);
        return false;
    }
    s = json_string_value(v);
    slen = json_string_length(v);
    if (slen / 4 * 3 > max + 2) {
        srv_error(req, resp, 400, "data_len_range", "field '%s': at most %zu bytes", name, max);
        return false;
    }
    /* no bound here: the length rule above and below keeps its error order */
    if (fh_codec_b64_decode(s, slen, SIZE_MAX, &buf, &blen) != FH_OK) {
        srv_error(req, resp, 400, "bad_json",
                  "field '%s': expected a base64 string (standard alphabet, padded)", name);
        return false;
    }
    if (blen > max) {
        OPENSSL_cleanse(buf, blen);
        free(buf);
        srv_error(req, resp, 400, "data_len_range", "field '%s': at most %zu bytes", name, max);
        return false;
    }
    *out = buf;
    *len = blen;
    return true;
}

bool
srv_body_only(struct srv_req *req, struct srv_resp *resp, const char *const *fields)
{
    const char *k;
    json_t *v;

    if (req->body == NULL) {
        return true;
    }
    json_object_foreach(req->body, k, v)
    {
        bool known = false;

        for (size_t i = 0; fields[i] != NULL; i++) {
            if (strcmp(fields[i], k) == 0) {
                known = true;
                break;
            }
        }
        if (!known) {
            srv_error(req, resp, 400, "bad_json", "unknown field '%s'", k);
            return false;
        }
    }
    return true;
}

json_t *
srv_b64_json(const uint8_t *data, size_t len)
{
    char *s = NULL;
    json_t *j;

    if (fh_codec_b64_encode(data, len, &s) != FH_OK) {
        return NULL;
    }
    j = json_string(s);
    OPENSSL_cleanse(s, strlen(s));
    free(s);
    return j;
}

/*
 * jansson allocations with a size header, cleansed when freed: request
 * bodies (plaintext to encrypt, wrapped keys) and responses (a new API key)
 * pass through JSON values.
 */
#define HDR 16

static void *
cl_malloc(size_t n)
{
    uint8_t *p;

    if (n > (size_t)-1 - HDR) {
        return NULL;
    }
    p = malloc(n + HDR);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &n, sizeof(n));
    return p + HDR;
}

static void
cl_free(void *ptr)
{
    uint8_t *p;
    size_t n;

    if (ptr == NULL) {
        return;
    }
    p = (uint8_t *)ptr - HDR;
    memcpy(&n, p, sizeof(n));
    OPENSSL_cleanse(p, n + HDR);
    free(p);
}

void
srv_json_use_cleansing_alloc(void)
{
    json_set_alloc_funcs(cl_malloc, cl_free);
}
