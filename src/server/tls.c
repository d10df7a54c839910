/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls.c - the server's certificate: the configured one, or a self-signed
 * EC P-256 certificate made with OpenSSL on first start under
 * $FERROHSM_HOME/server/ (cert.pem 0644, key.pem 0600, created with O_EXCL
 * so an existing key is never overwritten), with SAN DNS:localhost,
 * IP:127.0.0.1 and IP:::1. The public-key pin printed at start is the
 * format `curl --pinnedpubkey` takes: sha256// + base64(SHA-256(SPKI DER)).
 */
#include "srv-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define FILE_MAX (1u << 20)

fh_rv
srv_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;

    if (f == NULL) {
        return FH_E_IO;
    }
    buf = malloc(FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return FH_E_NOMEM;
    }
    n = fread(buf, 1, FILE_MAX + 1, f);
    if (ferror(f) || n > FILE_MAX) {
        fclose(f);
        OPENSSL_cleanse(buf, FILE_MAX + 1);
        free(buf);
        return FH_E_IO;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    if (len != NULL) {
        *len = n;
    }
    return FH_OK;
}

static bool
add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    bool ok;

    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext == NULL) {
        return false;
    }
    ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* Write data to path with mode, refusing to replace an existing file. */
static bool
write_new(const char *path, mode_t mode, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t off = 0;

    if (fd < 0) {
        return false;
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            close(fd);
            unlink(path);
            return false;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return false;
    }
    return close(fd) == 0;
}

/* PEM of a BIO as a malloc'ed string. */
static char *
bio_string(BIO *b, size_t *len)
{
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *s;

    if (n <= 0) {
        return NULL;
    }
    s = malloc((size_t)n + 1);
    if (s == NULL) {
        return NULL;
    }
    memcpy(s, p, (size_t)n);
    s[n] = '\0';
    *len = (size_t)n;
    return s;
}

static fh_rv
make_selfsigned(const char *cert_path, const char *key_path, char *why, size_t why_len)
{
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    BIO *kb = NULL, *cb = NULL;
    char *kpem = NULL, *cpem = NULL;
    size_t klen = 0, clen = 0;
    unsigned char serial[16];
    BIGNUM *sn = NULL;
    X509_NAME *name;
    fh_rv rv = FH_E_CRYPTO;

    pkey = EVP_EC_gen("P-256");
    cert = X509_new();
    sn = BN_new();
    if (pkey == NULL || cert == NULL || sn == NULL || RAND_bytes(serial, sizeof(serial)) != 1) {
        goto out;
    }
    serial[0] &= 0x7f;
    if (BN_bin2bn(serial, sizeof(serial), sn) == NULL ||
        BN_to_ASN1_INTEGER(sn, X509_get_serialNumber(cert)) == NULL ||
        X509_set_version(cert, 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(cert), -300) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), 825L * 24 * 3600) == NULL ||
        X509_set_pubkey(cert, pkey) != 1) {
        goto out;
    }
    name = X509_get_subject_name(cert);
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"FerroHSM",
                                   -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
                                   -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert, name) != 1) {
        goto out;
    }
    if (!add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(cert, NID_key_usage, "critical,digitalSignature") ||
        !add_ext(cert, NID_ext_key_usage, "serverAuth") ||
        !add_ext(cert, NID_subject_key_identifier, "hash") ||
        !add_ext(cert, NID_authority_key_identifier, "keyid:always") ||
        !add_ext(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1")) {
        goto out;
    }
    if (X509_sign(cert, pkey, EVP_sha256()) <= 0) {
        goto out;
    }
    kb = BIO_new(BIO_s_secmem());
    cb = BIO_new(BIO_s_mem());
    if (kb == NULL || cb == NULL || PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
        PEM_write_bio_X509(cb, cert) != 1) {
        goto out;
    }
    kpem = bio_string(kb, &klen);
    cpem = bio_string(cb, &clen);
    if (kpem == NULL || cpem == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    if (!write_new(key_path, 0600, kpem, klen)) {
        snprintf(why, why_len, "cannot create %s: %s", key_path, strerror(errno));
        rv = FH_E_IO;
        goto out;
    }
    if (!write_new(cert_path, 0644, cpem, clen)) {
        snprintf(why, why_len, "cannot create %s: %s", cert_path, strerror(errno));
        unlink(key_path);
        rv = FH_E_IO;
        goto out;
    }
    rv = FH_OK;
out:
    if (rv == FH_E_CRYPTO && why[0] == '\0') {
        snprintf(why, why_len, "cannot create a self-signed certificate (OpenSSL)");
    }
    if (kpem != NULL) {
        OPENSSL_cleanse(kpem, klen);
        free(kpem);
    }
    free(cpem);
    BIO_free(kb);
    BIO_free(cb);
    BN_free(sn);
    X509_free(cert);
    EVP_PKEY_free(pkey);
    return rv;
}

fh_rv
srv_tls_prepare(const char *home, const char *cert_path, const char *key_path, char **cert_pem,
                char **key_pem, char **used_cert_path, char *why, size_t why_len)
{
    char dir[4096], cbuf[4200], kbuf[4200];
    size_t klen = 0;
    fh_rv rv;

    why[0] = '\0';
    if (cert_path == NULL) {
        struct stat st;

        snprintf(dir, sizeof(dir), "%s/server", home);
        snprintf(cbuf, sizeof(cbuf), "%s/cert.pem", dir);
        snprintf(kbuf, sizeof(kbuf), "%s/key.pem", dir);
        cert_path = cbuf;
        key_path = kbuf;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            snprintf(why, why_len, "cannot create %s: %s", dir, strerror(errno));
            return FH_E_IO;
        }
        if (stat(kbuf, &st) != 0 || stat(cbuf, &st) != 0) {
            /* one without the other is useless: start again with a new pair */
            unlink(cbuf);
            unlink(kbuf);
            rv = make_selfsigned(cbuf, kbuf, why, why_len);
            if (rv != FH_OK) {
                return rv;
            }
            srv_logf(SRV_LOG_INFO, "tls_selfsigned", "created a self-signed certificate %s",
                     cbuf);
        }
    }
    rv = srv_read_file(cert_path, cert_pem, NULL);
    if (rv != FH_OK) {
        snprintf(why, why_len, "cannot read certificate %s", cert_path);
        return rv;
    }
    rv = srv_read_file(key_path, key_pem, &klen);
    if (rv != FH_OK) {
        snprintf(why, why_len, "cannot read private key %s", key_path);
        free(*cert_pem);
        *cert_pem = NULL;
        return rv;
    }
    *used_cert_path = strdup(cert_path);
    if (*used_cert_path == NULL) {
        OPENSSL_cleanse(*key_pem, klen);
        free(*key_pem);
        free(*cert_pem);
        *key_pem = *cert_pem = NULL;
        return FH_E_NOMEM;
    }
    return FH_OK;
}

fh_rv
srv_tls_pin(const char *pem, char *out, size_t out_len)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *cert = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL, md[32], b64[64];
    int n;
    fh_rv rv = FH_E_CRYPTO;

    if (cert == NULL) {
        goto out;
    }
    n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (n <= 0 || EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL) != 1) {
        goto out;
    }
    EVP_EncodeBlock(b64, md, sizeof(md));
    snprintf(out, out_len, "sha256//%s", (const char *)b64);
    rv = FH_OK;
out:
    OPENSSL_free(der);
    X509_free(cert);
    BIO_free(b);
    return rv;
}
