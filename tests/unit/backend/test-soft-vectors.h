/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-soft-vectors.h - published known-answer vectors for the soft backend tests.
 *
 * Sources: FIPS 180-4 / FIPS 202 examples ("abc", empty string), RFC 4231,
 * RFC 4493 and SP 800-38B, SP 800-38A appendix F, the GCM specification
 * (McGrew & Viega) test cases, RFC 3394 section 4, RFC 5649 section 6,
 * RFC 8032 sections 7.1 and 7.4. Hex strings; every entry was checked against
 * an independent implementation when transcribed.
 */
#ifndef FERROHSM_TESTS_UNIT_BACKEND_TEST_SOFT_VECTORS_H
#define FERROHSM_TESTS_UNIT_BACKEND_TEST_SOFT_VECTORS_H

#include "ferrohsm/pkcs11/pkcs11.h"

struct kat_digest {
    CK_MECHANISM_TYPE mech;
    const char *msg; /* ASCII */
    const char *out;
};

static const struct kat_digest kat_digests[] = {
    {CKM_SHA_1, "abc",
     "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {CKM_SHA_1, "",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {CKM_SHA224, "abc",
     "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
    {CKM_SHA224, "",
     "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"},
    {CKM_SHA256, "abc",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {CKM_SHA256, "",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {CKM_SHA384, "abc",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134"
      "c825a7"},
    {CKM_SHA384, "",
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f148"
      "98b95b"},
    {CKM_SHA512, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3"
      "feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {CKM_SHA512, "",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d287"
      "7eec2f63b931bd47417a81a538327af927da3e"},
    {CKM_SHA3_224, "abc",
     "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"},
    {CKM_SHA3_224, "",
     "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7"},
    {CKM_SHA3_256, "abc",
     "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
    {CKM_SHA3_256, "",
     "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
    {CKM_SHA3_384, "abc",
     "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228"
      "376d25"},
    {CKM_SHA3_384, "",
     "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058"
      "d5f004"},
    {CKM_SHA3_512, "abc",
     "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647"
      "e3934057340b4cf408d5a56592f8274eec53f0"},
    {CKM_SHA3_512, "",
     "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c"
      "3ac558f500199d95b6d3e301758586281dcd26"},
};

struct kat_mac {
    CK_MECHANISM_TYPE mech;
    const char *key, *msg, *out, *name;
};

static const struct kat_mac kat_hmacs[] = {
    {CKM_SHA256_HMAC,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "RFC 4231 test case 1 HMAC-SHA-256"},
    {CKM_SHA384_HMAC,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2"
      "fa9cb6",
     "RFC 4231 test case 1 HMAC-SHA-384"},
    {CKM_SHA512_HMAC,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eae"
      "a3f4e4be9d914eeb61f1702e696c203a126854",
     "RFC 4231 test case 1 HMAC-SHA-512"},
    {CKM_SHA256_HMAC,
     "4a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "RFC 4231 test case 2 HMAC-SHA-256"},
    {CKM_SHA384_HMAC,
     "4a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfa"
      "b21649",
     "RFC 4231 test case 2 HMAC-SHA-384"},
    {CKM_SHA512_HMAC,
     "4a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8"
      "f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
     "RFC 4231 test case 2 HMAC-SHA-512"},
    {CKM_SHA256_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
      "dddddddddd",
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     "RFC 4231 test case 3 HMAC-SHA-256"},
    {CKM_SHA384_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
      "dddddddddd",
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101"
      "a34f27",
     "RFC 4231 test case 3 HMAC-SHA-384"},
    {CKM_SHA512_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
      "dddddddddd",
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e"
      "67c807b946a337bee8942674278859e13292fb",
     "RFC 4231 test case 3 HMAC-SHA-512"},
    {CKM_SHA256_HMAC,
     "0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
      "cdcdcdcdcd",
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
     "RFC 4231 test case 4 HMAC-SHA-256"},
    {CKM_SHA384_HMAC,
     "0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
      "cdcdcdcdcd",
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c6"
      "74cffb",
     "RFC 4231 test case 4 HMAC-SHA-384"},
    {CKM_SHA512_HMAC,
     "0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
      "cdcdcdcdcd",
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5"
      "788063a5f19741120c4f2de2adebeb10a298dd",
     "RFC 4231 test case 4 HMAC-SHA-512"},
    {CKM_SHA256_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d204861736820"
      "4b6579204669727374",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "RFC 4231 test case 6 HMAC-SHA-256"},
    {CKM_SHA384_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d204861736820"
      "4b6579204669727374",
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163"
      "f44952",
     "RFC 4231 test case 6 HMAC-SHA-384"},
    {CKM_SHA512_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d204861736820"
      "4b6579204669727374",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d"
      "6a1e5295e64f73f63f0aec8b915a985d786598",
     "RFC 4231 test case 6 HMAC-SHA-512"},
    {CKM_SHA256_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65"
      "206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b"
       "6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074"
        "686520484d414320616c676f726974686d2e",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     "RFC 4231 test case 7 HMAC-SHA-256"},
    {CKM_SHA384_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65"
      "206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b"
       "6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074"
        "686520484d414320616c676f726974686d2e",
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c"
      "46523e",
     "RFC 4231 test case 7 HMAC-SHA-384"},
    {CKM_SHA512_HMAC,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65"
      "206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b"
       "6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074"
        "686520484d414320616c676f726974686d2e",
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3"
      "e4de15134676fb6de0446065c97440fa8c6a58",
     "RFC 4231 test case 7 HMAC-SHA-512"},
};

static const struct kat_mac kat_cmacs[] = {
    {CKM_AES_CMAC, "2b7e151628aed2a6abf7158809cf4f3c",
     "",
     "bb1d6929e95937287fa37d129b756746", "RFC 4493 example 1 (SP 800-38B D.1 AES-128)"},
    {CKM_AES_CMAC, "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172a",
     "070a16b46b4d4144f79bdd9dd04a287c", "RFC 4493 example 2"},
    {CKM_AES_CMAC, "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
     "dfa66747de9ae63030ca32611497c827", "RFC 4493 example 3"},
    {CKM_AES_CMAC, "2b7e151628aed2a6abf7158809cf4f3c",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "51f0bebf7e3b9d92fc49741779363cfe", "RFC 4493 example 4"},
    {CKM_AES_CMAC, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "",
     "028962f61b7bf89efc6b551f4667d983", "SP 800-38B D.3 AES-256 example 1"},
    {CKM_AES_CMAC, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "6bc1bee22e409f96e93d7e117393172a",
     "28a7023f452e8f82bd4bf28d8c37c35c", "SP 800-38B D.3 AES-256 example 2"},
};

struct kat_aes {
    CK_MECHANISM_TYPE mech;
    const char *key, *iv, *pt, *ct, *name;
};

static const struct kat_aes kat_aes[] = {
    {CKM_AES_ECB, "2b7e151628aed2a6abf7158809cf4f3c",
     "",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed"
      "0306887b0c785e27e8ad3f8223207104725dd4",
     "SP 800-38A F.1.1 ECB-AES128"},
    {CKM_AES_ECB, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870b6ed21b99ca6f4f9f153e7b1be"
      "afed1d23304b7a39f9f3ff067d8d8f9e24ecc7",
     "SP 800-38A F.1.5 ECB-AES256"},
    {CKM_AES_CBC, "2b7e151628aed2a6abf7158809cf4f3c",
     "000102030405060708090a0b0c0d0e0f",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e22"
      "2295163ff1caa1681fac09120eca307586e1a7",
     "SP 800-38A F.2.1 CBC-AES128"},
    {CKM_AES_CBC, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "000102030405060708090a0b0c0d0e0f",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304"
      "231461b2eb05e2c39be9fcda6c19078c6a9d1b",
     "SP 800-38A F.2.5 CBC-AES256"},
    {CKM_AES_CTR, "2b7e151628aed2a6abf7158809cf4f3c",
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020d"
      "b03eab1e031dda2fbe03d1792170a0f3009cee",
     "SP 800-38A F.5.1 CTR-AES128"},
    {CKM_AES_CTR, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a"
      "0a52eff69f2445df4f9b17ad2b417be66c3710",
     "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d"
      "84988ddfc9c58db67aada613c2dd08457941a6",
     "SP 800-38A F.5.5 CTR-AES256"},
};

struct kat_gcm {
    const char *key, *iv, *aad, *pt, *ct, *tag, *name;
};

static const struct kat_gcm kat_gcms[] = {
    {"00000000000000000000000000000000",
     "000000000000000000000000",
     "",
     "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf", "GCM spec test case 2"},
    {"feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449"
      "a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac"
      "84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47", "GCM spec test case 4"},
    {"feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbad",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449"
      "a6b525b16aedf5aa0de657ba637b39",
     "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4"
      "896b424989b5e1ebac0f07c23f4598",
     "3612d2e79e3b0785561be14aaca2fccb", "GCM spec test case 5 (8-byte IV)"},
    {"feffe9928665731c6d6a8f9467308308",
     "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a"
      "6b525416aedbf5a0de6a57a637b39b",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449"
      "a6b525b16aedf5aa0de657ba637b39",
     "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d4"
      "8c7c6fd62875d2aca417034c34aee5",
     "619cc5aefffe0bfa462af43c1699d050", "GCM spec test case 6 (60-byte IV)"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449"
      "a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
      "828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b", "GCM spec test case 16 (AES-256)"},
};

struct kat_kw {
    CK_MECHANISM_TYPE mech;
    const char *kek, *key, *out, *name;
};

static const struct kat_kw kat_kws[] = {
    {CKM_AES_KEY_WRAP, "000102030405060708090a0b0c0d0e0f",
     "00112233445566778899aabbccddeeff",
     "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", "RFC 3394 4.1"},
    {CKM_AES_KEY_WRAP, "000102030405060708090a0b0c0d0e0f1011121314151617",
     "00112233445566778899aabbccddeeff",
     "96778b25ae6ca435f92b5b97c050aed2468ab8a17ad84e5d", "RFC 3394 4.2"},
    {CKM_AES_KEY_WRAP, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "00112233445566778899aabbccddeeff",
     "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7", "RFC 3394 4.3"},
    {CKM_AES_KEY_WRAP, "000102030405060708090a0b0c0d0e0f1011121314151617",
     "00112233445566778899aabbccddeeff0001020304050607",
     "031d33264e15d33268f24ec260743edce1c6c7ddee725a936ba814915c6762d2", "RFC 3394 4.4"},
    {CKM_AES_KEY_WRAP, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "00112233445566778899aabbccddeeff0001020304050607",
     "a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1", "RFC 3394 4.5"},
    {CKM_AES_KEY_WRAP, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
     "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"
      "", "RFC 3394 4.6"},
    {CKM_AES_KEY_WRAP_KWP, "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
     "c37b7e6492584340bed12207808941155068f738",
     "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"
      "", "RFC 5649 6 (20 octets)"},
    {CKM_AES_KEY_WRAP_KWP, "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
     "466f7250617369",
     "afbeb0f07dfbf5419200f2ccb50bb24f", "RFC 5649 6 (7 octets)"},
};

struct kat_eddsa {
    const char *params_hex; /* CKA_EC_PARAMS */
    const char *sk, *pk, *msg, *sig, *name;
};

static const struct kat_eddsa kat_eddsas[] = {
    {"06032b6570",
     "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
     "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
      "f9b46bd25bf5f0595bbe24655141438e7a100b",
     "RFC 8032 7.1 TEST 1"},
    {"06032b6570",
     "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
     "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
      "f11d8c387b2eaeb4302aeeb00d291612bb0c00",
     "RFC 8032 7.1 TEST 2"},
    {"06032b6570",
     "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
     "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f76098"
      "4dc6594a7c15e9716ed28dc027beceea1ec40a",
     "RFC 8032 7.1 TEST 3"},
    {"06032b6571",
     "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94"
      "492f8f032e7549a20098f95b",
     "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1"
      "e50f6cd1fa1abeafe8256180",
     "",
     "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22dd"
      "d47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda85"
       "30a113a0f4dbb61149f05a7363268c71d95808ff2e652600",
     "RFC 8032 7.4 -----Blank"},
};

#endif /* FERROHSM_TESTS_UNIT_BACKEND_TEST_SOFT_VECTORS_H */
