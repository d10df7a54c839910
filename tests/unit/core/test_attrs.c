/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_attrs.c - struct fh_attrs and its store encoding (include/ferrohsm/attr.h).
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

static void
set_get_replace(void **state)
{
    struct fh_attrs a = FH_ATTRS_INIT;
    const struct fh_attr *at;

    (void)state;
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "abc", 3), FH_OK);
    assert_int_equal(fh_attrs_set_bool(&a, CKA_TOKEN, true), FH_OK);
    assert_int_equal(fh_attrs_set_ulong(&a, CKA_CLASS, CKO_SECRET_KEY), FH_OK);
    assert_int_equal(fh_attrs_set(&a, CKA_ID, NULL, 0), FH_OK);
    assert_int_equal(a.n, 4);

    at = fh_attrs_get(&a, CKA_LABEL);
    assert_non_null(at);
    assert_int_equal(at->len, 3);
    assert_memory_equal(at->value, "abc", 3);
    at = fh_attrs_get(&a, CKA_ID);
    assert_non_null(at);
    assert_int_equal(at->len, 0);
    assert_null(at->value);
    assert_null(fh_attrs_get(&a, CKA_VALUE));

    assert_true(fh_attrs_bool(&a, CKA_TOKEN, false));
    assert_false(fh_attrs_bool(&a, CKA_PRIVATE, false));
    assert_true(fh_attrs_bool(&a, CKA_PRIVATE, true));
    /* a value of the wrong length gives the default */
    assert_true(fh_attrs_bool(&a, CKA_LABEL, true));
    assert_int_equal(fh_attrs_ulong(&a, CKA_CLASS, 99), CKO_SECRET_KEY);
    assert_int_equal(fh_attrs_ulong(&a, CKA_LABEL, 99), 99);
    assert_int_equal(fh_attrs_ulong(&a, CKA_KEY_TYPE, 77), 77);

    /* replace keeps one entry and its position */
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "longer label", 12), FH_OK);
    assert_int_equal(a.n, 4);
    assert_int_equal(a.v[0].type, CKA_LABEL);
    assert_int_equal(a.v[0].len, 12);
    assert_memory_equal(a.v[0].value, "longer label", 12);
    assert_int_equal(fh_attrs_set_bool(&a, CKA_TOKEN, false), FH_OK);
    assert_false(fh_attrs_bool(&a, CKA_TOKEN, true));
    assert_int_equal(a.n, 4);
    fh_attrs_clear(&a);
}

static void
set_rejects_bad_arguments(void **state)
{
    struct fh_attrs a = FH_ATTRS_INIT;
    uint8_t *big = calloc(1, FH_ATTR_MAX_VALUE + 1);

    (void)state;
    assert_non_null(big);
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, NULL, 1), FH_E_ARGS);
    assert_int_equal(fh_attrs_set(&a, CKA_VALUE, big, FH_ATTR_MAX_VALUE + 1), FH_E_ARGS);
    assert_int_equal(a.n, 0);
    assert_int_equal(fh_attrs_set(&a, CKA_VALUE, big, FH_ATTR_MAX_VALUE), FH_OK);
    assert_int_equal(a.n, 1);
    free(big);
    fh_attrs_clear(&a);

    for (CK_ULONG i = 0; i < FH_ATTRS_MAX_COUNT; i++) {
        assert_int_equal(fh_attrs_set_ulong(&a, CKA_VENDOR_DEFINED + i, i), FH_OK);
    }
    assert_int_not_equal(fh_attrs_set_ulong(&a, CKA_VENDOR_DEFINED + FH_ATTRS_MAX_COUNT, 1), FH_OK);
    assert_int_equal(a.n, FH_ATTRS_MAX_COUNT);
    /* replacing an existing type is still possible at the ceiling */
    assert_int_equal(fh_attrs_set_ulong(&a, CKA_VENDOR_DEFINED, 42), FH_OK);
    assert_int_equal(fh_attrs_ulong(&a, CKA_VENDOR_DEFINED, 0), 42);
    fh_attrs_clear(&a);
}

static void
del_keeps_order(void **state)
{
    struct fh_attrs a = FH_ATTRS_INIT;

    (void)state;
    for (CK_ULONG i = 0; i < 5; i++) {
        assert_int_equal(fh_attrs_set_ulong(&a, 0x100 + i, i * 10), FH_OK);
    }
    fh_attrs_del(&a, 0x102);
    fh_attrs_del(&a, 0x999); /* absent: no-op */
    fh_attrs_del(NULL, 0x100);
    assert_int_equal(a.n, 4);
    assert_null(fh_attrs_get(&a, 0x102));
    assert_int_equal(a.v[0].type, 0x100);
    assert_int_equal(a.v[1].type, 0x101);
    assert_int_equal(a.v[2].type, 0x103);
    assert_int_equal(a.v[3].type, 0x104);
    assert_int_equal(fh_attrs_ulong(&a, 0x104, 0), 40);
    fh_attrs_del(&a, 0x104); /* last */
    fh_attrs_del(&a, 0x100); /* first */
    assert_int_equal(a.n, 2);
    assert_int_equal(a.v[0].type, 0x101);
    assert_int_equal(a.v[1].type, 0x103);
    fh_attrs_clear(&a);
}

static void
copy_is_deep_and_clear_reusable(void **state)
{
    struct fh_attrs a = FH_ATTRS_INIT, b = FH_ATTRS_INIT;
    const struct fh_attr *x, *y;

    (void)state;
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "one", 3), FH_OK);
    assert_int_equal(fh_attrs_set(&a, CKA_ID, "\x01\x02", 2), FH_OK);
    assert_int_equal(fh_attrs_set(&a, CKA_SUBJECT, NULL, 0), FH_OK);
    assert_int_equal(fh_attrs_set(&b, CKA_APPLICATION, "pre", 3), FH_OK);
    assert_int_equal(fh_attrs_copy(&b, &a), FH_OK);
    assert_int_equal(b.n, 4);
    x = fh_attrs_get(&a, CKA_LABEL);
    y = fh_attrs_get(&b, CKA_LABEL);
    assert_non_null(y);
    assert_ptr_not_equal(x->value, y->value);
    assert_memory_equal(y->value, "one", 3);
    /* changing the source does not change the copy */
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "two", 3), FH_OK);
    assert_memory_equal(fh_attrs_get(&b, CKA_LABEL)->value, "one", 3);
    assert_int_equal(fh_attrs_get(&b, CKA_SUBJECT)->len, 0);
    assert_int_equal(fh_attrs_copy(NULL, &a), FH_E_ARGS);
    assert_int_equal(fh_attrs_copy(&b, NULL), FH_E_ARGS);

    fh_attrs_clear(&a);
    assert_int_equal(a.n, 0);
    assert_null(a.v);
    assert_int_equal(a.cap, 0);
    fh_attrs_clear(&a); /* twice is harmless */
    fh_attrs_clear(NULL);
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "again", 5), FH_OK);
    assert_int_equal(a.n, 1);
    fh_attrs_clear(&a);
    fh_attrs_clear(&b);
}

/* Layout from attr.h: 0x01, count u32 BE, then type u64 BE, len u32 BE, value. */
static void
encode_matches_documented_layout(void **state)
{
    struct fh_attrs a = FH_ATTRS_INIT;
    static const uint8_t expect[] = {
        0x01, 0x00, 0x00, 0x00, 0x02,                   /* magic, count 2 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, /* CKA_LABEL */
        0x00, 0x00, 0x00, 0x02, 'h',  'i',              /* len 2, "hi" */
        0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x01, 0x02, /* vendor type */
        0x00, 0x00, 0x00, 0x00,                         /* empty value */
    };
    uint8_t *enc = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "hi", 2), FH_OK);
    assert_int_equal(fh_attrs_set(&a, 0x80000102UL, NULL, 0), FH_OK);
    assert_int_equal(fh_attrs_encode(&a, &enc, &len), FH_OK);
    assert_int_equal(len, sizeof(expect));
    assert_memory_equal(enc, expect, sizeof(expect));
    free(enc);
    fh_attrs_clear(&a);
}

static void
encode_decode_round_trip(void **state)
{
    struct fh_attrs a = FH_ATTRS_INIT, b = FH_ATTRS_INIT;
    uint8_t big[3000];
    uint8_t *enc = NULL;
    size_t len = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7 + 3);
    }
    assert_int_equal(fh_attrs_set_ulong(&a, CKA_CLASS, CKO_DATA), FH_OK);
    assert_int_equal(fh_attrs_set_bool(&a, CKA_TOKEN, true), FH_OK);
    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, NULL, 0), FH_OK);
    assert_int_equal(fh_attrs_set(&a, CKA_VALUE, big, sizeof(big)), FH_OK);
    assert_int_equal(fh_attrs_set(&a, 0xFFFFFFFFUL, "x", 1), FH_OK);
    assert_int_equal(fh_attrs_encode(&a, &enc, &len), FH_OK);
    assert_int_equal(fh_attrs_decode(enc, len, &b), FH_OK);

    assert_int_equal(b.n, 5);
    assert_int_equal(fh_attrs_ulong(&b, CKA_CLASS, 99), CKO_DATA);
    assert_true(fh_attrs_bool(&b, CKA_TOKEN, false));
    assert_non_null(fh_attrs_get(&b, CKA_LABEL));
    assert_int_equal(fh_attrs_get(&b, CKA_LABEL)->len, 0);
    assert_int_equal(fh_attrs_get(&b, CKA_VALUE)->len, sizeof(big));
    assert_memory_equal(fh_attrs_get(&b, CKA_VALUE)->value, big, sizeof(big));
    assert_memory_equal(fh_attrs_get(&b, 0xFFFFFFFFUL)->value, "x", 1);
    /* order is preserved */
    assert_int_equal(b.v[0].type, CKA_CLASS);
    assert_int_equal(b.v[3].type, CKA_VALUE);

    /* decoding into a non-empty list replaces its contents */
    assert_int_equal(fh_attrs_decode(enc, len, &b), FH_OK);
    assert_int_equal(b.n, 5);

    /* the empty list */
    fh_attrs_clear(&a);
    free(enc);
    assert_int_equal(fh_attrs_encode(&a, &enc, &len), FH_OK);
    assert_int_equal(len, 5);
    assert_int_equal(fh_attrs_decode(enc, len, &b), FH_OK);
    assert_int_equal(b.n, 0);
    free(enc);
    fh_attrs_clear(&b);
}

/* A valid two-attribute encoding to mutate. */
static uint8_t *
sample(size_t *len)
{
    struct fh_attrs a = FH_ATTRS_INIT;
    uint8_t *enc = NULL;

    assert_int_equal(fh_attrs_set(&a, CKA_LABEL, "label", 5), FH_OK);
    assert_int_equal(fh_attrs_set(&a, CKA_ID, "id", 2), FH_OK);
    assert_int_equal(fh_attrs_encode(&a, &enc, len), FH_OK);
    fh_attrs_clear(&a);
    return enc;
}

static void
expect_corrupt(const uint8_t *in, size_t len)
{
    struct fh_attrs out = FH_ATTRS_INIT;

    assert_int_equal(fh_attrs_decode(in, len, &out), FH_E_STORE_CORRUPT);
    assert_int_equal(out.n, 0);
    assert_null(out.v);
}

static void
decode_rejects_truncation(void **state)
{
    size_t len = 0;
    uint8_t *enc = sample(&len);

    (void)state;
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut + 1); /* exact-size heap copy: ASan sees overreads */

        assert_non_null(copy);
        memcpy(copy, enc, cut);
        expect_corrupt(copy, cut);
        free(copy);
    }
    free(enc);
}

static void
decode_rejects_trailing_bytes(void **state)
{
    size_t len = 0;
    uint8_t *enc = sample(&len);
    uint8_t *longer = malloc(len + 1);

    (void)state;
    assert_non_null(longer);
    memcpy(longer, enc, len);
    longer[len] = 0;
    expect_corrupt(longer, len + 1);
    free(longer);
    free(enc);
}

static void
decode_rejects_duplicates(void **state)
{
    size_t len = 0;
    uint8_t *enc = sample(&len);

    (void)state;
    /* second item type := first item type (CKA_LABEL) */
    memcpy(enc + 5 + 12 + 5, enc + 5, 8);
    expect_corrupt(enc, len);
    free(enc);
}

static void
decode_rejects_bad_magic_and_counts(void **state)
{
    size_t len = 0;
    uint8_t *enc = sample(&len);
    uint8_t hdr_only[5] = {0x01, 0x00, 0x00, 0x01, 0x01}; /* 257 items, none present */
    uint8_t huge[5] = {0x01, 0xff, 0xff, 0xff, 0xff};
    uint8_t more[5 + 12] = {0x01, 0x00, 0x00, 0x00, 0x02}; /* claims 2, holds 1 empty */

    (void)state;
    enc[0] = 0x02;
    expect_corrupt(enc, len);
    enc[0] = 0x00;
    expect_corrupt(enc, len);
    enc[0] = 0x01;
    /* count one too small: the second item becomes trailing bytes */
    enc[4] = 0x01;
    expect_corrupt(enc, len);
    /* count one too large */
    enc[4] = 0x03;
    expect_corrupt(enc, len);
    expect_corrupt(hdr_only, sizeof(hdr_only));
    expect_corrupt(huge, sizeof(huge));
    expect_corrupt(more, sizeof(more));
    free(enc);
}

static void
decode_rejects_oversize_length(void **state)
{
    size_t len = 5 + 12 + FH_ATTR_MAX_VALUE + 1;
    uint8_t *buf = calloc(1, len);
    size_t plen = 0;
    uint8_t *enc = sample(&plen);

    (void)state;
    assert_non_null(buf);
    buf[0] = 0x01;
    buf[4] = 0x01;
    buf[5 + 7] = 0x03; /* CKA_LABEL */
    /* length = FH_ATTR_MAX_VALUE + 1, and the bytes are really there */
    buf[5 + 8] = (uint8_t)((FH_ATTR_MAX_VALUE + 1) >> 24);
    buf[5 + 9] = (uint8_t)((FH_ATTR_MAX_VALUE + 1) >> 16);
    buf[5 + 10] = (uint8_t)((FH_ATTR_MAX_VALUE + 1) >> 8);
    buf[5 + 11] = (uint8_t)(FH_ATTR_MAX_VALUE + 1);
    expect_corrupt(buf, len);
    /* the same at exactly the maximum is fine */
    buf[5 + 8] = (uint8_t)(FH_ATTR_MAX_VALUE >> 24);
    buf[5 + 9] = (uint8_t)(FH_ATTR_MAX_VALUE >> 16);
    buf[5 + 10] = (uint8_t)(FH_ATTR_MAX_VALUE >> 8);
    buf[5 + 11] = (uint8_t)FH_ATTR_MAX_VALUE;
    {
        struct fh_attrs out = FH_ATTRS_INIT;

        assert_int_equal(fh_attrs_decode(buf, len - 1, &out), FH_OK);
        assert_int_equal(out.n, 1);
        assert_int_equal(out.v[0].len, FH_ATTR_MAX_VALUE);
        fh_attrs_clear(&out);
    }
    /* a length larger than the rest of the input */
    enc[5 + 11] = 0xff;
    expect_corrupt(enc, plen);
    enc[5 + 8] = 0xff;
    expect_corrupt(enc, plen);
    free(enc);
    free(buf);
}

/* attr.h: "on failure *a is left empty" - also when it held values before. */
static void
decode_failure_leaves_output_empty(void **state)
{
    struct fh_attrs out = FH_ATTRS_INIT;
    size_t len = 0, n_after;
    uint8_t *enc = sample(&len);
    bool stale_left;
    fh_rv rv;

    (void)state;
    assert_int_equal(fh_attrs_set(&out, CKA_VALUE, "stale", 5), FH_OK);
    enc[0] = 0x7f;
    rv = fh_attrs_decode(enc, len, &out);
    n_after = out.n;
    stale_left = fh_attrs_get(&out, CKA_VALUE) != NULL;
    fh_attrs_clear(&out);
    free(enc);
    assert_int_equal(rv, FH_E_STORE_CORRUPT);
    assert_false(stale_left);
    assert_int_equal(n_after, 0);
}

static void
decode_argument_checks(void **state)
{
    struct fh_attrs out = FH_ATTRS_INIT;
    uint8_t *enc = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(fh_attrs_decode(NULL, 5, &out), FH_E_ARGS);
    assert_int_equal(fh_attrs_decode((const uint8_t *)"\x01\0\0\0\0", 5, NULL), FH_E_ARGS);
    assert_int_equal(fh_attrs_decode(NULL, 0, &out), FH_E_STORE_CORRUPT);
    assert_int_equal(fh_attrs_encode(NULL, &enc, &len), FH_E_ARGS);
    assert_int_equal(fh_attrs_encode(&out, NULL, &len), FH_E_ARGS);
    assert_int_equal(out.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_get_replace),
        cmocka_unit_test(set_rejects_bad_arguments),
        cmocka_unit_test(del_keeps_order),
        cmocka_unit_test(copy_is_deep_and_clear_reusable),
        cmocka_unit_test(encode_matches_documented_layout),
        cmocka_unit_test(encode_decode_round_trip),
        cmocka_unit_test(decode_rejects_truncation),
        cmocka_unit_test(decode_rejects_trailing_bytes),
        cmocka_unit_test(decode_rejects_duplicates),
        cmocka_unit_test(decode_rejects_bad_magic_and_counts),
        cmocka_unit_test(decode_rejects_oversize_length),
        cmocka_unit_test(decode_failure_leaves_output_empty),
        cmocka_unit_test(decode_argument_checks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
