/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uri.c - RFC 7512 PKCS#11 URI parser (path part only).
 *
 * Grammar followed (RFC 7512 §2.3):
 *   pk11-URI   = "pkcs11:" pk11-path [ "?" pk11-query ]
 *   pk11-path  = [ pk11-pattr *(";" pk11-pattr) ]
 *   pk11-pchar = unreserved / pk11-path-res-avail / pct-encoded
 *   pk11-path-res-avail = ":" / "[" / "]" / "@" / "!" / "$" / "'" / "(" / ")"
 *                       / "*" / "+" / "," / "=" / "&"
 * Each attribute may appear once (§2.3: "MUST NOT appear more than once").
 * The query part is refused as a whole: the CLI reads PINs only from files,
 * the environment or the terminal, and a module path makes no sense here.
 *
 * Invariants: the input is never read past len; every decoded value is
 * NUL-terminated; on any failure the output struct is cleared, so callers
 * never see a half-filled URI. Error texts quote attribute names (sanitised,
 * truncated) but never a query value, which might be a PIN.
 */
#include "uri.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEME "pkcs11:"
#define SCHEME_LEN (sizeof(SCHEME) - 1)

static const struct {
    const char *name;
    size_t off;
} string_attrs[] = {
    {"token", offsetof(struct cli_uri, token)},
    {"manufacturer", offsetof(struct cli_uri, manufacturer)},
    {"serial", offsetof(struct cli_uri, serial)},
    {"model", offsetof(struct cli_uri, model)},
    {"object", offsetof(struct cli_uri, object)},
    {"id", offsetof(struct cli_uri, id)},
    {"library-manufacturer", offsetof(struct cli_uri, lib_manufacturer)},
    {"library-description", offsetof(struct cli_uri, lib_description)},
    {"slot-description", offsetof(struct cli_uri, slot_description)},
    {"slot-manufacturer", offsetof(struct cli_uri, slot_manufacturer)},
};

static const struct {
    const char *name;
    enum cli_uri_type type;
} type_names[] = {
    {"public", CLI_URI_TYPE_PUBLIC},     {"private", CLI_URI_TYPE_PRIVATE},
    {"secret-key", CLI_URI_TYPE_SECRET}, {"secret", CLI_URI_TYPE_SECRET},
    {"cert", CLI_URI_TYPE_CERT},         {"data", CLI_URI_TYPE_DATA},
};

static void set_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err_len == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* Copy an attribute name for an error message: printable ASCII only, at most 32 chars. */
static void
safe_name(const char *p, size_t n, char *buf, size_t buf_len)
{
    size_t j = 0;

    for (size_t i = 0; i < n && j + 1 < buf_len && i < 32; i++) {
        unsigned char c = (unsigned char)p[i];

        buf[j++] = (c >= 0x21 && c <= 0x7e) ? (char)c : '?';
    }
    buf[j] = '\0';
}

static bool
is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* unreserved / pk11-path-res-avail (RFC 3986 §2.3, RFC 7512 §2.3). */
static bool
is_pchar(unsigned char c)
{
    if (is_alpha(c) || is_digit(c)) {
        return true;
    }
    return c != '\0' && strchr("-._~:[]@!$'()*+,=&", c) != NULL;
}

static bool
is_name_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

/*
 * Percent-decode v[0..n) into a new NUL-terminated buffer. allow_nul: whether
 * a decoded NUL byte is acceptable (binary attributes such as id).
 */
static fh_rv
decode_value(const char *name, const char *v, size_t n, bool allow_nul, struct cli_uri_attr *out,
             char *err, size_t err_len)
{
    char *buf = malloc(n + 1);
    size_t j = 0;

    if (buf == NULL) {
        set_err(err, err_len, "out of memory");
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c == '%') {
            int hi, lo;

            if (n < 3 || i > n - 3) {
                set_err(err, err_len, "truncated %%-escape in URI attribute '%s'", name);
                free(buf);
                return FH_E_ARGS;
            }
            hi = hex_val((unsigned char)v[i + 1]);
            lo = hex_val((unsigned char)v[i + 2]);
            if (hi < 0 || lo < 0) {
                set_err(err, err_len, "bad %%-escape in URI attribute '%s'", name);
                free(buf);
                return FH_E_ARGS;
            }
            c = (unsigned char)(hi << 4 | lo);
            if (c == '\0' && !allow_nul) {
                set_err(err, err_len, "URI attribute '%s' contains a NUL byte", name);
                free(buf);
                return FH_E_ARGS;
            }
            buf[j++] = (char)c;
            i += 2;
            continue;
        }
        if (!is_pchar(c)) {
            if (c >= 0x20 && c <= 0x7e) {
                set_err(err, err_len, "character '%c' must be %%-encoded in URI attribute '%s'",
                        (char)c, name);
            } else {
                set_err(err, err_len, "byte 0x%02x must be %%-encoded in URI attribute '%s'", c,
                        name);
            }
            free(buf);
            return FH_E_ARGS;
        }
        buf[j++] = (char)c;
    }
    buf[j] = '\0';
    out->present = true;
    out->data = buf;
    out->len = j;
    return FH_OK;
}

/* 1*DIGIT into *out, at most max. */
static bool
parse_decimal(const char *s, size_t n, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i])) {
            return false;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static fh_rv
parse_lib_version(struct cli_uri *u, const struct cli_uri_attr *a, char *err, size_t err_len)
{
    const char *dot = memchr(a->data, '.', a->len);
    unsigned long major = 0, minor = 0;
    size_t major_len = dot != NULL ? (size_t)(dot - a->data) : a->len;

    if (!parse_decimal(a->data, major_len, 255, &major) ||
        (dot != NULL && !parse_decimal(dot + 1, a->len - major_len - 1, 255, &minor))) {
        set_err(err, err_len, "URI attribute 'library-version' must be M or M.N (0..255)");
        return FH_E_ARGS;
    }
    u->has_lib_version = true;
    u->lib_version_major = (unsigned)major;
    u->lib_version_minor = (unsigned)minor;
    return FH_OK;
}

/* Handle one "name=value" path attribute p[0..n). */
static fh_rv
parse_attr(struct cli_uri *u, const char *p, size_t n, char *err, size_t err_len)
{
    const char *eq = memchr(p, '=', n);
    size_t name_len;
    const char *v;
    size_t v_len;
    char name[40];
    struct cli_uri_attr tmp = {false, NULL, 0};
    fh_rv rv = FH_OK;

    if (n == 0) {
        set_err(err, err_len, "empty attribute in URI (stray ';')");
        return FH_E_ARGS;
    }
    if (eq == NULL) {
        safe_name(p, n, name, sizeof(name));
        set_err(err, err_len, "URI attribute '%s' has no '=value'", name);
        return FH_E_ARGS;
    }
    name_len = (size_t)(eq - p);
    v = eq + 1;
    v_len = n - name_len - 1;
    safe_name(p, name_len, name, sizeof(name));
    if (name_len == 0) {
        set_err(err, err_len, "URI attribute with an empty name");
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < name_len; i++) {
        if (!is_name_char((unsigned char)p[i])) {
            set_err(err, err_len, "invalid URI attribute name '%s'", name);
            return FH_E_ARGS;
        }
    }
    if (name_len > 2 && (p[0] == 'x' || p[0] == 'X') && p[1] == '-') {
        /* Vendor attribute (RFC 7512 §2.3 pk11-v-pattr): check its syntax, ignore it. */
        rv = decode_value(name, v, v_len, true, &tmp, err, err_len);
        free(tmp.data);
        return rv;
    }
    for (size_t i = 0; i < sizeof(string_attrs) / sizeof(string_attrs[0]); i++) {
        struct cli_uri_attr *a;

        if (strlen(string_attrs[i].name) != name_len ||
            memcmp(string_attrs[i].name, p, name_len) != 0) {
            continue;
        }
        a = (struct cli_uri_attr *)((char *)u + string_attrs[i].off);
        if (a->present) {
            set_err(err, err_len, "URI attribute '%s' given twice", name);
            return FH_E_ARGS;
        }
        return decode_value(name, v, v_len, a == &u->id, a, err, err_len);
    }
    if (name_len == 4 && memcmp(p, "type", 4) == 0) {
        if (u->type != CLI_URI_TYPE_NONE) {
            set_err(err, err_len, "URI attribute 'type' given twice");
            return FH_E_ARGS;
        }
        rv = decode_value(name, v, v_len, false, &tmp, err, err_len);
        if (rv != FH_OK) {
            return rv;
        }
        for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
            if (strcmp(type_names[i].name, tmp.data) == 0) {
                u->type = type_names[i].type;
            }
        }
        free(tmp.data);
        if (u->type == CLI_URI_TYPE_NONE) {
            set_err(err, err_len,
                    "URI attribute 'type' must be public, private, secret-key, cert or data");
            return FH_E_ARGS;
        }
        return FH_OK;
    }
    if (name_len == 15 && memcmp(p, "library-version", 15) == 0) {
        if (u->has_lib_version) {
            set_err(err, err_len, "URI attribute 'library-version' given twice");
            return FH_E_ARGS;
        }
        rv = decode_value(name, v, v_len, false, &tmp, err, err_len);
        if (rv == FH_OK) {
            rv = parse_lib_version(u, &tmp, err, err_len);
        }
        free(tmp.data);
        return rv;
    }
    if (name_len == 7 && memcmp(p, "slot-id", 7) == 0) {
        unsigned long id = 0;

        if (u->has_slot_id) {
            set_err(err, err_len, "URI attribute 'slot-id' given twice");
            return FH_E_ARGS;
        }
        rv = decode_value(name, v, v_len, false, &tmp, err, err_len);
        if (rv != FH_OK) {
            return rv;
        }
        if (!parse_decimal(tmp.data, tmp.len, ULONG_MAX, &id)) {
            set_err(err, err_len, "URI attribute 'slot-id' must be a decimal number");
            rv = FH_E_ARGS;
        } else {
            u->has_slot_id = true;
            u->slot_id = id;
        }
        free(tmp.data);
        return rv;
    }
    set_err(err, err_len, "unknown URI attribute '%s'", name);
    return FH_E_ARGS;
}

/* Name of the first query attribute of q[0..n), for the error message. */
static void
query_name(const char *q, size_t n, char *buf, size_t buf_len)
{
    size_t k = 0;

    while (k < n && q[k] != '=' && q[k] != '&') {
        k++;
    }
    safe_name(q, k, buf, buf_len);
}

fh_rv
cli_uri_parse(const char *s, size_t len, struct cli_uri *out, char *err, size_t err_len)
{
    struct cli_uri u;
    size_t pos, end;
    fh_rv rv = FH_OK;

    memset(&u, 0, sizeof(u));
    if (out == NULL || (s == NULL && len > 0)) {
        set_err(err, err_len, "invalid arguments");
        return FH_E_ARGS;
    }
    memset(out, 0, sizeof(*out));
    set_err(err, err_len, "%s", "");
    if (len > CLI_URI_MAX) {
        set_err(err, err_len, "URI longer than %d bytes", CLI_URI_MAX);
        return FH_E_ARGS;
    }
    if (len < SCHEME_LEN || strncasecmp(s, SCHEME, SCHEME_LEN) != 0) {
        set_err(err, err_len, "not a PKCS#11 URI (must start with 'pkcs11:')");
        return FH_E_ARGS;
    }
    if (memchr(s, '\0', len) != NULL) {
        set_err(err, err_len, "URI contains a NUL byte");
        return FH_E_ARGS;
    }
    end = len;
    for (size_t i = SCHEME_LEN; i < len; i++) {
        if (s[i] == '#') {
            set_err(err, err_len, "a PKCS#11 URI has no fragment ('#')");
            return FH_E_ARGS;
        }
    }
    {
        const char *q = memchr(s + SCHEME_LEN, '?', len - SCHEME_LEN);

        if (q != NULL) {
            size_t qoff = (size_t)(q - s);
            char name[40];

            end = qoff;
            if (qoff + 1 < len) {
                query_name(q + 1, len - qoff - 1, name, sizeof(name));
                if (strcmp(name, "pin-value") == 0 || strcmp(name, "pin-source") == 0) {
                    set_err(err, err_len,
                            "a PIN is never taken from a URI ('%s'): use --pin-file FILE, "
                            "FERROHSM_PIN or the prompt",
                            name);
                } else {
                    set_err(err, err_len, "URI query attributes are not accepted ('%s')", name);
                }
                return FH_E_ARGS;
            }
        }
    }
    pos = SCHEME_LEN;
    while (pos < end) {
        const char *semi = memchr(s + pos, ';', end - pos);
        size_t seg_end = semi != NULL ? (size_t)(semi - s) : end;

        rv = parse_attr(&u, s + pos, seg_end - pos, err, err_len);
        if (rv != FH_OK) {
            cli_uri_clear(&u);
            return rv;
        }
        if (semi == NULL) {
            break;
        }
        pos = seg_end + 1;
        if (pos == end) {
            set_err(err, err_len, "empty attribute in URI (stray ';')");
            cli_uri_clear(&u);
            return FH_E_ARGS;
        }
    }
    *out = u;
    return FH_OK;
}

void
cli_uri_clear(struct cli_uri *u)
{
    if (u == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(string_attrs) / sizeof(string_attrs[0]); i++) {
        struct cli_uri_attr *a = (struct cli_uri_attr *)((char *)u + string_attrs[i].off);

        free(a->data);
    }
    memset(u, 0, sizeof(*u));
}

bool
cli_uri_is_uri(const char *s)
{
    return s != NULL && strncasecmp(s, SCHEME, SCHEME_LEN) == 0;
}

const char *
cli_uri_type_name(enum cli_uri_type t)
{
    switch (t) {
    case CLI_URI_TYPE_NONE: return "";
    case CLI_URI_TYPE_PUBLIC: return "public";
    case CLI_URI_TYPE_PRIVATE: return "private";
    case CLI_URI_TYPE_SECRET: return "secret-key";
    case CLI_URI_TYPE_CERT: return "cert";
    case CLI_URI_TYPE_DATA: return "data";
    }
    return "";
}
