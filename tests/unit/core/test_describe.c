/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_describe.c - the tables and conversions of describe.h that the CLI
 * and the REST server share: key type names, curves by their DER OIDs
 * (checked against OpenSSL's own encoding of the OIDs), usage words, and
 * the ECDSA r||s <-> X9.62 DER conversions checked against OpenSSL's
 * ECDSA_SIG i2d/d2i, including r and s with leading zero bytes or the high
 * bit set, and malformed DER.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include "ferrohsm/describe.h"

static void
keytype_names_round_trip(void **state)
{
    const char *names = fh_keytype_names();
    size_t n = fh_keytype_count();

    (void)state;
    assert_true(n >= 12);
    for (size_t i = 0; i < n; i++) {
        const struct fh_keytype_desc *kt = fh_keytype_at(i);
        const char *hit;
        size_t len;

        assert_non_null(kt);
        assert_ptr_equal(fh_keytype_find(kt->name), kt);
        /* each name is a whole word of the message list */
        len = strlen(kt->name);
        hit = strstr(names, kt->name);
        assert_non_null(hit);
        assert_true(hit == names || hit[-1] == ' ');
        assert_true(hit[len] == ' ' || hit[len] == '\0');
        assert_int_equal(kt->default_usage & ~FH_USAGE_ALL, 0);
        assert_int_equal(kt->pair, kt->key_type != CKK_AES && kt->key_type != CKK_GENERIC_SECRET);
        if (kt->key_type == CKK_EC || kt->key_type == CKK_EC_EDWARDS) {
            assert_non_null(kt->curve);
            assert_string_equal(kt->curve->name, kt->name);
            assert_int_equal(kt->curve->key_type, kt->key_type);
        } else {
            assert_null(kt->curve);
        }
    }
    assert_null(fh_keytype_at(n));
    assert_null(fh_keytype_find("RSA-2048"));
    assert_null(fh_keytype_find("rsa"));
    assert_null(fh_keytype_find(""));
    assert_null(fh_keytype_find(NULL));
}

/* The DER of the OID OpenSSL knows under nid, malloc'ed. */
static uint8_t *
ossl_oid_der(int nid, size_t *len)
{
    ASN1_OBJECT *o = OBJ_nid2obj(nid);
    unsigned char *der = NULL;
    int n;

    assert_non_null(o);
    n = i2d_ASN1_OBJECT(o, &der);
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

static void
curves_by_params(void **state)
{
    static const struct {
        const char *name;
        int nid;
        unsigned bits;
        size_t order_len;
    } want[] = {
        {"ec-p256", NID_X9_62_prime256v1, 256, 32},
        {"ec-p384", NID_secp384r1, 384, 48},
        {"ec-p521", NID_secp521r1, 521, 66},
        {"ed25519", NID_ED25519, 255, 32},
        {"ed448", NID_ED448, 448, 57},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct fh_curve_desc *c = fh_curve_find(want[i].name);
        size_t len = 0;
        uint8_t *der = ossl_oid_der(want[i].nid, &len);

        assert_non_null(c);
        assert_int_equal(c->der_len, len);
        assert_memory_equal(c->der, der, len);
        assert_ptr_equal(fh_curve_by_params(der, len), c);
        assert_int_equal(c->bits, want[i].bits);
        assert_int_equal(c->order_len, want[i].order_len);
        /* a prefix or an extension of the OID is another thing */
        assert_null(fh_curve_by_params(der, len - 1));
        OPENSSL_free(der);
    }
    {
        static const uint8_t longer[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0xCE,
                                         0x3D, 0x03, 0x01, 0x07, 0x01};
        size_t len = 0;
        uint8_t *secp256k1 = ossl_oid_der(NID_secp256k1, &len);

        assert_null(fh_curve_by_params(longer, sizeof(longer)));
        assert_null(fh_curve_by_params(secp256k1, len)); /* a curve FerroHSM does not offer */
        OPENSSL_free(secp256k1);
    }
    assert_null(fh_curve_by_params(NULL, 0));
    assert_null(fh_curve_find("p256"));
    assert_null(fh_curve_find(NULL));
}

static void
usage_words(void **state)
{
    static const struct {
        unsigned bit;
        const char *word;
        CK_ATTRIBUTE_TYPE attr;
    } want[FH_USAGE_COUNT] = {
        {FH_USAGE_SIGN, "sign", CKA_SIGN},          {FH_USAGE_VERIFY, "verify", CKA_VERIFY},
        {FH_USAGE_ENCRYPT, "encrypt", CKA_ENCRYPT}, {FH_USAGE_DECRYPT, "decrypt", CKA_DECRYPT},
        {FH_USAGE_WRAP, "wrap", CKA_WRAP},          {FH_USAGE_UNWRAP, "unwrap", CKA_UNWRAP},
        {FH_USAGE_DERIVE, "derive", CKA_DERIVE},
    };
    unsigned all = 0, bit = 0;

    (void)state;
    for (size_t i = 0; i < FH_USAGE_COUNT; i++) {
        assert_int_equal(want[i].bit, 1u << i); /* the CLI's --usage masks rely on it */
        assert_string_equal(fh_usage_word(want[i].bit), want[i].word);
        assert_int_equal(fh_usage_from_word(want[i].word, &bit), FH_OK);
        assert_int_equal(bit, want[i].bit);
        assert_int_equal(fh_usage_attr(want[i].bit), want[i].attr);
        all |= want[i].bit;
    }
    assert_int_equal(all, FH_USAGE_ALL);
    bit = 0x55;
    assert_int_equal(fh_usage_from_word("Sign", &bit), FH_E_ARGS);
    assert_int_equal(fh_usage_from_word("sign ", &bit), FH_E_ARGS);
    assert_int_equal(fh_usage_from_word("", &bit), FH_E_ARGS);
    assert_int_equal(fh_usage_from_word(NULL, &bit), FH_E_ARGS);
    assert_int_equal(fh_usage_from_word("sign", NULL), FH_E_ARGS);
    assert_int_equal(bit, 0x55); /* untouched on failure */
    assert_null(fh_usage_word(0));
    assert_null(fh_usage_word(FH_USAGE_SIGN | FH_USAGE_VERIFY));
    assert_null(fh_usage_word(0x80));
    assert_int_equal(fh_usage_attr(0x80), 0);
    assert_int_equal(fh_usage_for_class(CKO_SECRET_KEY), FH_USAGE_ALL);
    assert_int_equal(fh_usage_for_class(CKO_PUBLIC_KEY) & FH_USAGE_SIGN, 0);
    assert_int_equal(fh_usage_for_class(CKO_PRIVATE_KEY) & FH_USAGE_VERIFY, 0);
    assert_int_equal(fh_usage_for_class(CKO_DATA), 0);
    assert_string_equal(fh_class_short_name(CKO_PRIVATE_KEY), "private");
    assert_null(fh_class_short_name(CKO_DATA));
    assert_string_equal(fh_class_name(CKO_SECRET_KEY), "CKO_SECRET_KEY");
    assert_string_equal(fh_key_type_name(CKK_EC_EDWARDS), "CKK_EC_EDWARDS");
    assert_null(fh_key_type_name(CKK_DSA));
}

/* OpenSSL's DER of r||s (raw[0..2n)), malloc'ed with OPENSSL_malloc. */
static unsigned char *
ossl_der(const uint8_t *raw, size_t n, int *der_len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)n, NULL), *s = BN_bin2bn(raw + n, (int)n, NULL);
    unsigned char *der = NULL;

    assert_non_null(sig);
    assert_int_equal(ECDSA_SIG_set0(sig, r, s), 1);
    *der_len = i2d_ECDSA_SIG(sig, &der);
    assert_true(*der_len > 0);
    ECDSA_SIG_free(sig);
    return der;
}

/* One r||s of n-byte halves, both ways, against OpenSSL. */
static void
ecdsa_case(const uint8_t *raw, size_t n)
{
    uint8_t *der = NULL, back[2 * 300];
    size_t der_len = 0;
    int want_len = 0;
    unsigned char *want = ossl_der(raw, n, &want_len);
    const unsigned char *p = want;
    ECDSA_SIG *parsed;
    const BIGNUM *r = NULL, *s = NULL;
    uint8_t rs[2 * 300];

    assert_int_equal(fh_ecdsa_sig_to_der(raw, 2 * n, &der, &der_len), FH_OK);
    assert_int_equal(der_len, (size_t)want_len);
    assert_memory_equal(der, want, der_len);
    /* OpenSSL reads ours back to the same integers */
    parsed = d2i_ECDSA_SIG(NULL, &p, want_len);
    assert_non_null(parsed);
    ECDSA_SIG_get0(parsed, &r, &s);
    assert_int_equal(BN_bn2binpad(r, rs, (int)n), (int)n);
    assert_int_equal(BN_bn2binpad(s, rs + n, (int)n), (int)n);
    assert_memory_equal(rs, raw, 2 * n);
    ECDSA_SIG_free(parsed);
    /* and ours reads OpenSSL's back to the padded r||s */
    memset(back, 0xAA, sizeof(back));
    assert_true(fh_ecdsa_sig_from_der(want, (size_t)want_len, n, back));
    assert_memory_equal(back, raw, 2 * n);
    /* a shorter order cannot hold a full-size r */
    if (raw[0] != 0) {
        assert_false(fh_ecdsa_sig_from_der(want, (size_t)want_len, n - 1, back));
    }
    free(der);
    OPENSSL_free(want);
}

static void
ecdsa_raw_der_against_openssl(void **state)
{
    /* and halves past 127 and 255 bytes: DER lengths in long form */
    static const size_t orders[] = {32, 48, 66, 130, 300};

    (void)state;
    for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
        size_t n = orders[o];
        uint8_t raw[2 * 300];

        for (int round = 0; round < 64; round++) {
            assert_int_equal(RAND_bytes(raw, (int)(2 * n)), 1);
            switch (round % 8) {
            case 0: raw[0] |= 0x80, raw[n] |= 0x80; break;    /* high bit: a 0x00 pad in DER */
            case 1: raw[0] = 0x00, raw[n] = 0x00; break;      /* one leading zero byte */
            case 2: memset(raw, 0, 3), raw[3] |= 0x80; break; /* zeros, then high bit */
            case 3: raw[0] = 0x00, raw[1] = 0x7f, raw[n] |= 0x80; break;
            case 4: memset(raw + n, 0, n - 1); break;      /* s tiny */
            case 5: raw[0] &= 0x7f, raw[n] &= 0x7f; break; /* no pad needed */
            default: break;
            }
            if (n == 66) {
                raw[0] &= 0x01, raw[n] &= 0x01; /* P-521: 521 bits */
            }
            if (round % 8 == 4) {
                raw[2 * n - 1] |= 1; /* keep s non-zero */
            }
            ecdsa_case(raw, n);
        }
    }
}

static void
ecdsa_malformed(void **state)
{
    uint8_t raw[64], back[64], *der = NULL, *bad;
    size_t der_len = 0;

    (void)state;
    memset(raw, 0x11, sizeof(raw));
    assert_int_equal(fh_ecdsa_sig_to_der(raw, 63, &der, &der_len), FH_E_DATA_INVALID);
    assert_int_equal(fh_ecdsa_sig_to_der(raw, 0, &der, &der_len), FH_E_DATA_INVALID);
    assert_int_equal(fh_ecdsa_sig_to_der(NULL, 64, &der, &der_len), FH_E_DATA_INVALID);
    assert_null(der);
    assert_int_equal(fh_ecdsa_sig_to_der(raw, sizeof(raw), &der, &der_len), FH_OK);
    assert_true(fh_ecdsa_sig_from_der(der, der_len, 32, back));

    bad = malloc(der_len + 2);
    assert_non_null(bad);
    /* truncated at every length */
    for (size_t l = 0; l < der_len; l++) {
        assert_false(fh_ecdsa_sig_from_der(der, l, 32, back));
    }
    /* a trailing byte */
    memcpy(bad, der, der_len);
    bad[der_len] = 0x00;
    assert_false(fh_ecdsa_sig_from_der(bad, der_len + 1, 32, back));
    /* not a SEQUENCE */
    memcpy(bad, der, der_len);
    bad[0] = 0x31;
    assert_false(fh_ecdsa_sig_from_der(bad, der_len, 32, back));
    /* r not an INTEGER */
    memcpy(bad, der, der_len);
    bad[2] = 0x04;
    assert_false(fh_ecdsa_sig_from_der(bad, der_len, 32, back));
    /* a length that overruns the input */
    memcpy(bad, der, der_len);
    bad[1] = (uint8_t)(bad[1] + 1);
    assert_false(fh_ecdsa_sig_from_der(bad, der_len, 32, back));
    free(bad);
    /* non-minimal: r with a needless 0x00 pad (BER, not DER) */
    {
        static const uint8_t padded[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01};
        static const uint8_t minimal[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
        static const uint8_t longform[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
        static const uint8_t negative[] = {0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01};

        assert_true(fh_ecdsa_sig_from_der(minimal, sizeof(minimal), 32, back));
        assert_int_equal(back[31], 1);
        assert_int_equal(back[63], 1);
        assert_false(fh_ecdsa_sig_from_der(padded, sizeof(padded), 32, back));
        assert_false(fh_ecdsa_sig_from_der(longform, sizeof(longform), 32, back));
        assert_false(fh_ecdsa_sig_from_der(negative, sizeof(negative), 32, back));
    }
    /* raw r||s is not DER */
    assert_false(fh_ecdsa_sig_from_der(raw, sizeof(raw), 32, back));
    assert_false(fh_ecdsa_sig_from_der(der, der_len, 0, back));
    assert_false(fh_ecdsa_sig_from_der(NULL, 0, 32, back));
    free(der);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keytype_names_round_trip),
        cmocka_unit_test(curves_by_params),
        cmocka_unit_test(usage_words),
        cmocka_unit_test(ecdsa_raw_der_against_openssl),
        cmocka_unit_test(ecdsa_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
