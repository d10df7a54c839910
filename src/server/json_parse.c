/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_parse.c - request bodies into jansson values, without jansson's
 * parser.
 *
 * json_loadb spends about a microsecond on a sign request's small body,
 * most of it in a lexer that pulls one character at a time through a
 * stream callback; building the same values directly costs a tenth of
 * that. This parser reads the bytes in place and builds jansson values,
 * so every route keeps working on json_t.
 *
 * It accepts exactly what json_loadb(JSON_REJECT_DUPLICATES) accepts (RFC
 * 8259, an object or an array at the top) and builds values json_equal to
 * jansson's: strings must be UTF-8 without \u0000, a \u escape of a
 * surrogate must be a complete pair, an object key may appear once, an
 * integer must fit json_int_t and a real must not overflow, nesting stops
 * at 2048 levels, nothing but white space may follow the value. The fuzz
 * target fuzz_server_json compares the two parsers on every input.
 *
 * A refusal names the line and column (characters, from 1) where the
 * parser stopped and a reason. It never quotes the input: a body may hold
 * plaintext or key material, which is also why the copy a string with
 * escapes is decoded into is cleansed before it is freed (the values
 * themselves are jansson's, whose allocator the server makes cleansing).
 */
#include "srv-int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define MAX_DEPTH 2048 /* jansson's JSON_PARSER_MAX_DEPTH */

struct jp {
    const unsigned char *start, *p, *end;
    const char *err; /* static reason; NULL while all is well */
    const unsigned char *err_at;
};

static json_t *value(struct jp *j, int depth);

/* Free a decoded string's buffer of which n bytes were written. */
static void
scrub_free(char *p, size_t n)
{
    OPENSSL_cleanse(p, n);
    free(p);
}

static json_t *
fail(struct jp *j, const char *why)
{
    if (j->err == NULL) {
        j->err = why;
        j->err_at = j->p;
    }
    return NULL;
}

static void
skip_ws(struct jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
        j->p++;
    }
}

/* Length of the UTF-8 sequence at p (within end), 0 when it is not one. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) {
            return 0;
        }
    }
    return n;
}

static int
hex4(const unsigned char *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        int c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        } else {
            return -1;
        }
    }
    return v;
}

static size_t
put_utf8(char *w, unsigned long cp)
{
    if (cp < 0x80) {
        w[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        w[0] = (char)(0xC0 | (cp >> 6));
        w[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (char)(0xE0 | (cp >> 12));
        w[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        w[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (char)(0xF0 | (cp >> 18));
    w[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    w[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    w[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One \uXXXX (or a surrogate pair of them) at j->p, just past the 'u';
 * the code point into *cp. */
static bool
unicode_escape(struct jp *j, unsigned long *cp)
{
    int hi, lo;

    if (j->end - j->p < 4 || (hi = hex4(j->p)) < 0) {
        fail(j, "invalid escape");
        return false;
    }
    j->p += 4;
    if (hi >= 0xDC00 && hi <= 0xDFFF) {
        fail(j, "invalid Unicode escape: a lone low surrogate");
        return false;
    }
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
            (lo = hex4(j->p + 2)) < 0xDC00 || lo > 0xDFFF) {
            fail(j, "invalid Unicode escape: a high surrogate without its low one");
            return false;
        }
        j->p += 6;
        *cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
        return true;
    }
    if (hi == 0) {
        fail(j, "\\u0000 is not allowed");
        return false;
    }
    *cp = (unsigned long)hi;
    return true;
}

/*
 * A string at j->p (on its opening quote): *out malloc'ed and
 * NUL-terminated when *owned, else pointing into the input (no escape in
 * it, so its bytes are the value); *len its length.
 */
static bool
string(struct jp *j, const char **out, size_t *len, bool *owned)
{
    const unsigned char *s = ++j->p, *q = s;
    char *buf, *w;

    /* the common case: no escape */
    while (q < j->end && *q != '"' && *q != '\\') {
        size_t n;

        if (*q < 0x20) {
            j->p = q;
            fail(j, "control character in a string");
            return false;
        }
        n = utf8_len(q, j->end);
        if (n == 0) {
            j->p = q;
            fail(j, "invalid UTF-8 in a string");
            return false;
        }
        q += n;
    }
    if (q >= j->end) {
        j->p = q;
        fail(j, "premature end of input in a string");
        return false;
    }
    if (*q == '"') {
        *out = (const char *)s;
        *len = (size_t)(q - s);
        *owned = false;
        j->p = q + 1;
        return true;
    }
    /* with escapes: decode into a copy, never longer than the source */
    buf = malloc((size_t)(j->end - s) + 1);
    if (buf == NULL) {
        fail(j, "out of memory");
        return false;
    }
    memcpy(buf, s, (size_t)(q - s));
    w = buf + (q - s);
    j->p = q;
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = *j->p;

        if (c == '\\') {
            unsigned long cp;

            if (++j->p >= j->end) {
                break;
            }
            c = *j->p++;
            switch (c) {
            case '"': *w++ = '"'; break;
            case '\\': *w++ = '\\'; break;
            case '/': *w++ = '/'; break;
            case 'b': *w++ = '\b'; break;
            case 'f': *w++ = '\f'; break;
            case 'n': *w++ = '\n'; break;
            case 'r': *w++ = '\r'; break;
            case 't': *w++ = '\t'; break;
            case 'u':
                if (!unicode_escape(j, &cp)) {
                    scrub_free(buf, (size_t)(w - buf));
                    return false;
                }
                w += put_utf8(w, cp);
                break;
            default:
                j->p--;
                fail(j, "invalid escape");
                scrub_free(buf, (size_t)(w - buf));
                return false;
            }
        } else {
            size_t n = c < 0x20 ? 0 : utf8_len(j->p, j->end);

            if (n == 0) {
                fail(j, c < 0x20 ? "control character in a string" : "invalid UTF-8 in a string");
                scrub_free(buf, (size_t)(w - buf));
                return false;
            }
            memcpy(w, j->p, n);
            w += n;
            j->p += n;
        }
    }
    if (j->p >= j->end) {
        fail(j, "premature end of input in a string");
        scrub_free(buf, (size_t)(w - buf));
        return false;
    }
    j->p++;
    *w = '\0';
    *out = buf;
    *len = (size_t)(w - buf);
    *owned = true;
    return true;
}

static json_t *
string_value(struct jp *j)
{
    const char *s;
    size_t len;
    bool owned;
    json_t *v;

    if (!string(j, &s, &len, &owned)) {
        return NULL;
    }
    v = json_stringn_nocheck(s, len);
    if (owned) {
        scrub_free((char *)(uintptr_t)s, len);
    }
    return v != NULL ? v : fail(j, "out of memory");
}

static json_t *
number(struct jp *j)
{
    const unsigned char *s = j->p;
    bool is_int = true;
    char small[64], *buf = small, *end = NULL;
    size_t len;
    json_t *v = NULL;

    if (j->p < j->end && *j->p == '-') {
        j->p++;
    }
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
        return fail(j, "invalid number");
    }
    if (*j->p == '0') {
        j->p++;
    } else {
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }
    if (j->p < j->end && *j->p == '.') {
        is_int = false;
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
            return fail(j, "invalid number");
        }
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        is_int = false;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) {
            j->p++;
        }
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
            return fail(j, "invalid number");
        }
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            j->p++;
        }
    }
    len = (size_t)(j->p - s);
    if (len >= sizeof(small)) {
        buf = malloc(len + 1);
        if (buf == NULL) {
            return fail(j, "out of memory");
        }
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    if (is_int) {
        long long n = strtoll(buf, &end, 10);

        if (errno == ERANGE || end != buf + len) {
            j->p = s;
            fail(j, "integer out of range");
        } else {
            v = json_integer((json_int_t)n);
        }
    } else {
        double d = strtod(buf, &end);

        if ((errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) || end != buf + len) {
            j->p = s;
            fail(j, "real number out of range");
        } else {
            v = json_real(d);
        }
    }
    if (buf != small) {
        free(buf);
    }
    return v != NULL || j->err != NULL ? v : fail(j, "out of memory");
}

static json_t *
literal(struct jp *j, const char *word, json_t *v)
{
    size_t n = strlen(word);

    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) {
        return fail(j, "invalid token");
    }
    j->p += n;
    return v;
}

static json_t *
array(struct jp *j, int depth)
{
    json_t *a = json_array();

    if (a == NULL) {
        return fail(j, "out of memory");
    }
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        return a;
    }
    for (;;) {
        json_t *v = value(j, depth);

        if (v == NULL || json_array_append_new(a, v) != 0) {
            json_decref(a);
            return fail(j, "out of memory");
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            return a;
        }
        json_decref(a);
        return fail(j, j->p < j->end ? "',' or ']' expected" : "premature end of input");
    }
}

static json_t *
object(struct jp *j, int depth)
{
    json_t *o = json_object();

    if (o == NULL) {
        return fail(j, "out of memory");
    }
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return o;
    }
    for (;;) {
        const char *k;
        size_t klen;
        bool owned;
        char kbuf[128];
        const char *key;
        const unsigned char *at = j->p;
        json_t *v;
        int rc;

        if (j->p >= j->end || *j->p != '"') {
            json_decref(o);
            return fail(j, j->p < j->end ? "string or '}' expected" : "premature end of input");
        }
        if (!string(j, &k, &klen, &owned)) {
            json_decref(o);
            return NULL;
        }
        /* a key is a C string in jansson: copy it out of the input */
        key = k;
        if (!owned) {
            char *d = klen < sizeof(kbuf) ? kbuf : malloc(klen + 1);

            if (d == NULL) {
                json_decref(o);
                return fail(j, "out of memory");
            }
            memcpy(d, k, klen);
            d[klen] = '\0';
            key = d;
        }
        if (json_object_get(o, key) != NULL) {
            j->p = at; /* on the key */
            rc = -1;
            fail(j, "duplicate object key");
            v = NULL;
        } else {
            skip_ws(j);
            if (j->p >= j->end || *j->p != ':') {
                v = fail(j, j->p < j->end ? "':' expected" : "premature end of input");
            } else {
                j->p++;
                v = value(j, depth);
            }
            rc = v != NULL ? json_object_set_new_nocheck(o, key, v) : -1;
            if (v != NULL && rc != 0) {
                fail(j, "out of memory");
            }
        }
        if (key != kbuf) {
            scrub_free((char *)(uintptr_t)key, klen); /* malloc'ed by string() or above */
        }
        if (rc != 0) {
            json_decref(o);
            return NULL;
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            skip_ws(j);
            continue;
        }
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            return o;
        }
        json_decref(o);
        return fail(j, j->p < j->end ? "',' or '}' expected" : "premature end of input");
    }
}

static json_t *
value(struct jp *j, int depth)
{
    skip_ws(j);
    if (j->p >= j->end) {
        return fail(j, "premature end of input");
    }
    switch (*j->p) {
    case '{':
    case '[':
        if (depth >= MAX_DEPTH) {
            return fail(j, "maximum nesting depth reached");
        }
        return *j->p == '{' ? object(j, depth + 1) : array(j, depth + 1);
    case '"': return string_value(j);
    case 't': return literal(j, "true", json_true());
    case 'f': return literal(j, "false", json_false());
    case 'n': return literal(j, "null", json_null());
    default:
        if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
            return number(j);
        }
        return fail(j, "invalid token");
    }
}

json_t *
srv_json_parse(const char *data, size_t len, struct srv_json_error *err)
{
    struct jp j = {(const unsigned char *)data, (const unsigned char *)data,
                   (const unsigned char *)data + len, NULL, NULL};
    json_t *v = NULL;

    skip_ws(&j);
    if (j.p < j.end && *j.p != '{' && *j.p != '[') {
        fail(&j, "'[' or '{' expected");
    } else {
        v = value(&j, 0);
        skip_ws(&j);
        if (v != NULL && j.p < j.end) {
            json_decref(v);
            v = fail(&j, "end of input expected");
        }
    }
    if (v == NULL && err != NULL) {
        /* line and column (characters, not bytes) of where it stopped */
        err->line = 1;
        err->column = 1;
        for (const unsigned char *q = j.start; q < j.err_at && q < j.end; q++) {
            if (*q == '\n') {
                err->line++;
                err->column = 1;
            } else if ((*q & 0xC0) != 0x80) {
                err->column++;
            }
        }
        err->reason = j.err != NULL ? j.err : "invalid JSON";
    }
    return v;
}
