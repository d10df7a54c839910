/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_client.c - the parts of the REST client that need no server:
 * strict base64, percent-encoding of path parameters, the server URL rule
 * (https, or http to loopback only), public-key pins, and the error code
 * table against docs/api.md (its path is argv[1]).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client.h"
#include "client_b64.h"
#include "client_err.h"
#include "client_url.h"

static const char *api_md_path;

/* ---- base64 ---- */

static void
b64_roundtrip(const char *plain, const char *enc)
{
    char *s = NULL;
    uint8_t *d = NULL;
    size_t n = 0;

    assert_int_equal(fh_client_b64_encode((const uint8_t *)plain, strlen(plain), &s), FH_OK);
    assert_string_equal(s, enc);
    assert_int_equal(fh_client_b64_len(strlen(plain)), strlen(enc));
    assert_int_equal(fh_client_b64_decode(enc, strlen(enc), 64, &d, &n), FH_OK);
    assert_int_equal(n, strlen(plain));
    assert_memory_equal(d, plain, n);
    free(s);
    free(d);
}

static void
test_b64_vectors(void **state)
{
    (void)state;
    /* RFC 4648 §10 */
    b64_roundtrip("", "");
    b64_roundtrip("f", "Zg==");
    b64_roundtrip("fo", "Zm8=");
    b64_roundtrip("foo", "Zm9v");
    b64_roundtrip("foob", "Zm9vYg==");
    b64_roundtrip("fooba", "Zm9vYmE=");
    b64_roundtrip("foobar", "Zm9vYmFy");
}

static void
test_b64_all_bytes(void **state)
{
    uint8_t in[256], *out = NULL;
    char *s = NULL;
    size_t n = 0;

    (void)state;
    for (int i = 0; i < 256; i++) {
        in[i] = (uint8_t)i;
    }
    assert_int_equal(fh_client_b64_encode(in, sizeof(in), &s), FH_OK);
    assert_non_null(strchr(s, '+'));
    assert_non_null(strchr(s, '/'));
    assert_int_equal(fh_client_b64_decode(s, strlen(s), 256, &out, &n), FH_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(in, out, 256);
    free(out);
    /* one byte under the ceiling: refused as too large, not truncated */
    assert_int_equal(fh_client_b64_decode(s, strlen(s), 255, &out, &n), FH_E_DATA_TOO_LARGE);
    free(s);
}

static void
test_b64_strict(void **state)
{
    static const char *const bad[] = {
        "Zg",       /* no padding */
        "Zg=",      /* length not a multiple of 4 */
        "Z===",     /* three pads */
        "Zg==Zg==", /* padding in the middle */
        "Zh==",     /* non-zero bits under the padding */
        "Zm9=",     /* same, one pad */
        "Zm9v\n",   /* whitespace */
        "Zm-v",     /* base64url alphabet */
        "Zm_v",
        "=m9v",
    };
    uint8_t *d = NULL;
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fh_rv rv = fh_client_b64_decode(bad[i], strlen(bad[i]), 64, &d, &n);

        if (rv != FH_E_DATA_INVALID) {
            fail_msg("'%s' decoded (rv %d)", bad[i], (int)rv);
        }
    }
}

/* ---- paths ---- */

static void
test_url_encode(void **state)
{
    char *s;

    (void)state;
    s = fh_client_url_encode("AZaz09-._~");
    assert_string_equal(s, "AZaz09-._~");
    free(s);
    s = fh_client_url_encode("a/b?c#d%e f:g@h&i=j+k");
    assert_string_equal(s, "a%2Fb%3Fc%23d%25e%20f%3Ag%40h%26i%3Dj%2Bk");
    free(s);
    s = fh_client_url_encode("\xc3\xa9\x01\x7f");
    assert_string_equal(s, "%C3%A9%01%7F");
    free(s);
    s = fh_client_url_encode("..");
    assert_string_equal(s, ".."); /* unreserved; the server decodes a segment, never resolves it */
    free(s);
}

static void
test_pathf(void **state)
{
    char *p;

    (void)state;
    p = fh_client_pathf("/v1/tokens/{}/keys/{}/sign", "demo", "id:0102");
    assert_string_equal(p, "/v1/tokens/demo/keys/id%3A0102/sign");
    free(p);
    /* a parameter can never add a path segment or a query */
    p = fh_client_pathf("/v1/tokens/{}/keys", "a/../b?x=1");
    assert_string_equal(p, "/v1/tokens/a%2F..%2Fb%3Fx%3D1/keys");
    free(p);
    p = fh_client_pathf("/v1/tokens/{}/keys?limit=10&after={}", "t", "c 1");
    assert_string_equal(p, "/v1/tokens/t/keys?limit=10&after=c%201");
    free(p);
    p = fh_client_pathf("/v1/mechanisms");
    assert_string_equal(p, "/v1/mechanisms");
    free(p);
    assert_null(fh_client_pathf("/v1/tokens/{}", (const char *)NULL));
}

/* ---- server URL ---- */

static void
test_url_check(void **state)
{
    static const struct {
        const char *url;
        bool ok;
        bool https;
    } cases[] = {
        {"https://hsm.example.com:8443", true, true},
        {"https://hsm.example.com/prefix/", true, true},
        {"HTTPS://hsm.example.com", true, true},
        {"https://10.1.2.3:8443", true, true},
        {"http://127.0.0.1:8080", true, false},
        {"http://127.8.9.10", true, false},
        {"http://localhost:8080", true, false},
        {"http://LOCALHOST", true, false},
        {"http://[::1]:8080", true, false},
        {"http://example.com", false, false},
        {"http://10.0.0.1:8080", false, false},
        {"http://128.0.0.1", false, false},
        {"http://[::2]:8080", false, false},
        {"http://localhost.example.com", false, false},
        {"http://127.0.0.1.nip.io", false, false},
        {"http://127.0.0.1@example.com/", false, false}, /* user info: refused outright */
        {"https://user:secret@hsm.example.com", false, false},
        {"https://hsm.example.com/?q=1", false, false},
        {"https://hsm.example.com/#frag", false, false},
        {"ftp://hsm.example.com", false, false},
        {"file:///etc/passwd", false, false},
        {"hsm.example.com:8443", false, false},
        {"", false, false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char why[160] = "";
        bool https = false;
        fh_rv rv = fh_client_url_check(cases[i].url, &https, why, sizeof(why));

        if ((rv == FH_OK) != cases[i].ok) {
            fail_msg("%s: expected %s, got rv %d (%s)", cases[i].url,
                     cases[i].ok ? "accepted" : "refused", (int)rv, why);
        }
        if (cases[i].ok) {
            assert_int_equal(https, cases[i].https);
        } else {
            assert_int_equal(rv, FH_E_ARGS);
            assert_true(why[0] != '\0');
            assert_null(strstr(why, "secret")); /* a refused URL is never echoed */
        }
    }
    assert_true(fh_client_host_is_loopback("127.0.0.1"));
    assert_true(fh_client_host_is_loopback("::1"));
    assert_false(fh_client_host_is_loopback("::ffff:10.0.0.1"));
    assert_false(fh_client_host_is_loopback("0.0.0.0"));
}

static void
test_new_refuses_bad_options(void **state)
{
    struct fh_client_opts o = {.url = "https://127.0.0.1:1", .api_key = "fhk_x"};
    fh_client *c = NULL;
    char why[160];

    (void)state;
    o.url = "http://example.com";
    assert_int_equal(fh_client_new(&o, &c, why, sizeof(why)), FH_E_ARGS);
    o.url = "http://127.0.0.1:1";
    o.pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_int_equal(fh_client_new(&o, &c, why, sizeof(why)), FH_E_ARGS); /* pin needs https */
    o.url = "https://127.0.0.1:1";
    o.pin = "sha256//short";
    assert_int_equal(fh_client_new(&o, &c, why, sizeof(why)), FH_E_ARGS);
    o.pin = NULL;
    o.cacert = "/nonexistent/ca.pem";
    assert_int_equal(fh_client_new(&o, &c, why, sizeof(why)), FH_E_ARGS);
    o.cacert = NULL;
    o.api_key = "fhk_x\r\nX-Injected: 1";
    assert_int_equal(fh_client_new(&o, &c, why, sizeof(why)), FH_E_ARGS);
    assert_null(strstr(why, "fhk_x")); /* the key never appears in a message */
    assert_null(c);
    o.api_key = "fhk_ok";
    assert_int_equal(fh_client_new(&o, &c, why, sizeof(why)), FH_OK);
    assert_string_equal(fh_client_url(c), "https://127.0.0.1:1");
    fh_client_free(c);
}

/* A refused connection is a transport failure with one clear reason, not a server answer. */
static void
test_unreachable(void **state)
{
    struct fh_client_opts o = {.url = "http://127.0.0.1:1", .api_key = "fhk_k",
                               .connect_timeout_ms = 2000};
    struct fh_client_resp r;
    fh_client *c = NULL;

    (void)state;
    assert_int_equal(fh_client_new(&o, &c, NULL, 0), FH_OK);
    assert_int_equal(fh_client_request(c, "GET", "/v1/tokens", NULL, &r), FH_E_IO);
    assert_int_equal(r.fail, FH_CLIENT_FAIL_CONNECT);
    assert_int_equal(r.status, 0);
    assert_null(r.json);
    assert_true(r.message[0] != '\0');
    fh_client_resp_clear(&r);
    assert_int_equal(fh_client_request(c, "GET", "no-slash", NULL, &r), FH_E_ARGS);
    fh_client_resp_clear(&r);
    fh_client_free(c);
}

/* ---- pins ---- */

static void
test_pin_check(void **state)
{
    static const char good[] = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    static const char *const bad[] = {
        "",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "sha1//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "SHA256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",   /* no padding */
        "sha256//47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=", /* base64url */
        "sha256//AAAA",                                         /* not 32 bytes */
        "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;",
        "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= ",
        "/etc/ssl/server.pem", /* curl would take a file here; we want the hash */
    };
    char two[2 * sizeof(good) + 1];

    (void)state;
    assert_int_equal(fh_client_pin_check(good), FH_OK);
    snprintf(two, sizeof(two), "%s;%s", good, good);
    assert_int_equal(fh_client_pin_check(two), FH_OK);
    assert_int_equal(fh_client_pin_check(NULL), FH_E_ARGS);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (fh_client_pin_check(bad[i]) != FH_E_ARGS) {
            fail_msg("pin '%s' accepted", bad[i]);
        }
    }
}

/* ---- error codes ---- */

/*
 * The codes of docs/api.md's error table: backquoted words in the rows of
 * the table under "## Errors" whose first cell is a 3-digit status.
 */
static size_t
doc_codes(char codes[][64], int *status, size_t cap)
{
    FILE *f = fopen(api_md_path, "r");
    char line[2048];
    bool in_errors = false;
    size_t n = 0;

    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        int st = 0;
        char *p;

        if (strncmp(line, "## ", 3) == 0) {
            in_errors = strncmp(line, "## Errors", 9) == 0;
            continue;
        }
        if (!in_errors || sscanf(line, "| %3d |", &st) != 1) {
            continue;
        }
        p = strchr(line + 1, '|');
        /* "is **not** an error" rows (422 signature_invalid) name no error code */
        if (strstr(line, "**not**") != NULL) {
            continue;
        }
        while (p != NULL && (p = strchr(p, '`')) != NULL) {
            char *end = strchr(p + 1, '`');

            assert_non_null(end);
            assert_true(n < cap);
            snprintf(codes[n], 64, "%.*s", (int)(end - p - 1), p + 1);
            status[n++] = st;
            p = end + 1;
        }
    }
    fclose(f);
    return n;
}

static void
test_errcodes_match_doc(void **state)
{
    static const char *const beyond_doc[] = {"conflict", "attribute_read_only"};
    char codes[128][64];
    int status[128];
    size_t n = doc_codes(codes, status, 128), tn = 0;
    const struct fh_client_errcode *t = fh_client_errcodes(&tn);

    (void)state;
    assert_true(n >= 30); /* the parser found the table */
    /* total: every documented code is in the table, with its documented status */
    for (size_t i = 0; i < n; i++) {
        size_t k;

        for (k = 0; k < tn && strcmp(t[k].code, codes[i]) != 0; k++) {
        }
        if (k == tn) {
            fail_msg("documented code %s is not in the client's table", codes[i]);
        }
        assert_int_equal(t[k].status, status[i]);
        assert_int_equal(fh_client_rv_from_code(codes[i], status[i]), t[k].rv);
    }
    /* and nothing else, except codes the server is known to send beyond the doc */
    for (size_t k = 0; k < tn; k++) {
        bool found = false;

        for (size_t i = 0; i < n && !found; i++) {
            found = strcmp(t[k].code, codes[i]) == 0;
        }
        for (size_t i = 0; i < sizeof(beyond_doc) / sizeof(beyond_doc[0]) && !found; i++) {
            found = strcmp(t[k].code, beyond_doc[i]) == 0;
        }
        if (!found) {
            fail_msg("table code %s is not documented", t[k].code);
        }
        assert_int_not_equal(t[k].rv, FH_OK);
    }
}

static void
test_errcodes_fallbacks(void **state)
{
    size_t tn = 0;
    const struct fh_client_errcode *t = fh_client_errcodes(&tn);

    (void)state;
    /* a code named after an fh_rv (fh_rv_str) comes back as that fh_rv */
    for (int v = 1; v < FH_RV_COUNT; v++) {
        bool in_table = false;

        for (size_t k = 0; k < tn; k++) {
            in_table = in_table || strcmp(t[k].code, fh_rv_str((fh_rv)v)) == 0;
        }
        if (!in_table) {
            assert_int_equal(fh_client_rv_from_code(fh_rv_str((fh_rv)v), 400), v);
        }
    }
    /* unknown codes: by status class; never FH_OK */
    assert_int_equal(fh_client_rv_from_code("from_the_future", 401), FH_E_AUTH_FAILED);
    assert_int_equal(fh_client_rv_from_code("from_the_future", 403), FH_E_PERMISSION_DENIED);
    assert_int_equal(fh_client_rv_from_code(NULL, 404), FH_E_NOT_FOUND);
    assert_int_equal(fh_client_rv_from_code("", 409), FH_E_EXISTS);
    assert_int_equal(fh_client_rv_from_code(NULL, 413), FH_E_DATA_TOO_LARGE);
    assert_int_equal(fh_client_rv_from_code(NULL, 400), FH_E_ARGS);
    assert_int_equal(fh_client_rv_from_code(NULL, 502), FH_E_GENERAL);
    assert_int_equal(fh_client_rv_from_code(NULL, 200), FH_E_GENERAL);
}

static void
test_json_cleanse(void **state)
{
    json_t *j = json_pack("{s:s, s:[s]}", "a", "secret", "b", "other");
    const char *a = json_string_value(json_object_get(j, "a"));
    size_t len = strlen(a);

    (void)state;
    fh_client_json_cleanse(j);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(a[i], 0);
    }
    assert_int_equal(json_string_value(json_array_get(json_object_get(j, "b"), 0))[0], 0);
    json_decref(j);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_vectors),
        cmocka_unit_test(test_b64_all_bytes),
        cmocka_unit_test(test_b64_strict),
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_pathf),
        cmocka_unit_test(test_url_check),
        cmocka_unit_test(test_new_refuses_bad_options),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_pin_check),
        cmocka_unit_test(test_errcodes_match_doc),
        cmocka_unit_test(test_errcodes_fallbacks),
        cmocka_unit_test(test_json_cleanse),
    };

    if (argc < 2) {
        fprintf(stderr, "usage: %s docs/api.md\n", argv[0]);
        return 2;
    }
    api_md_path = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
