/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_uri.c - the CLI's RFC 7512 URI parser (every --key that starts with
 * "pkcs11:" goes through it). Oracles:
 *   - failure: the output is cleared and the error is a non-empty string;
 *   - success: every value is NUL-terminated at len, text values hold no
 *     NUL, no value is longer than the input;
 *   - round trip: re-encoding the parsed attributes with every byte
 *     %-escaped and parsing again gives the same values.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_uri: check failed: %s\n", #cond);                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

struct field {
    const char *name;
    size_t off;
};

static const struct field fields[] = {
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
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct cli_uri_attr *
attr_at(const struct cli_uri *u, size_t i)
{
    return (const struct cli_uri_attr *)((const char *)u + fields[i].off);
}

static void
check_parsed(const struct cli_uri *u, size_t size)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct cli_uri_attr *a = attr_at(u, i);

        if (!a->present) {
            CHECK(a->data == NULL && a->len == 0);
            continue;
        }
        CHECK(a->data != NULL);
        CHECK(a->len <= size);
        CHECK(a->data[a->len] == '\0');
        if (a != &u->id) {
            CHECK(strlen(a->data) == a->len);
        }
    }
    CHECK(u->lib_version_major <= 255 && u->lib_version_minor <= 255);
}

struct out {
    char *p;
    size_t len;
    size_t cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
    CHECK(n <= o->cap - o->len);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* The canonical, fully %-escaped encoding of u. */
static void
encode(const struct cli_uri *u, struct out *o)
{
    static const char hex[] = "0123456789ABCDEF";
    char num[48];
    bool first = true;

    put_str(o, "pkcs11:");
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct cli_uri_attr *a = attr_at(u, i);

        if (!a->present) {
            continue;
        }
        put_str(o, first ? "" : ";");
        first = false;
        put_str(o, fields[i].name);
        put_str(o, "=");
        for (size_t k = 0; k < a->len; k++) {
            unsigned char c = (unsigned char)a->data[k];
            char esc[3] = {'%', hex[c >> 4], hex[c & 0x0f]};

            put(o, esc, 3);
        }
    }
    if (u->type != CLI_URI_TYPE_NONE) {
        put_str(o, first ? "type=" : ";type=");
        put_str(o, cli_uri_type_name(u->type));
        first = false;
    }
    if (u->has_lib_version) {
        snprintf(num, sizeof(num), "%slibrary-version=%u.%u", first ? "" : ";",
                 u->lib_version_major, u->lib_version_minor);
        put_str(o, num);
        first = false;
    }
    if (u->has_slot_id) {
        snprintf(num, sizeof(num), "%sslot-id=%lu", first ? "" : ";", u->slot_id);
        put_str(o, num);
    }
}

static void
check_same(const struct cli_uri *a, const struct cli_uri *b)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct cli_uri_attr *x = attr_at(a, i), *y = attr_at(b, i);

        CHECK(x->present == y->present && x->len == y->len);
        CHECK(x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
    }
    CHECK(a->type == b->type);
    CHECK(a->has_lib_version == b->has_lib_version);
    CHECK(!a->has_lib_version || (a->lib_version_major == b->lib_version_major &&
                                  a->lib_version_minor == b->lib_version_minor));
    CHECK(a->has_slot_id == b->has_slot_id && (!a->has_slot_id || a->slot_id == b->slot_id));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cli_uri u, v;
    char err[256];
    struct out o = {NULL, 0, 0};

    if (cli_uri_parse((const char *)data, size, &u, err, sizeof(err)) != FH_OK) {
        CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
        CHECK(!u.token.present && u.token.data == NULL && !u.id.present);
        return 0;
    }
    check_parsed(&u, size);
    o.cap = 3 * size + 256;
    o.p = malloc(o.cap);
    CHECK(o.p != NULL);
    encode(&u, &o);
    if (o.len <= CLI_URI_MAX) {
        CHECK(cli_uri_parse(o.p, o.len, &v, err, sizeof(err)) == FH_OK);
        check_same(&u, &v);
        cli_uri_clear(&v);
    }
    free(o.p);
    cli_uri_clear(&u);
    return 0;
}
