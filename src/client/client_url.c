/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_url.c - request paths, the server URL rule and pins (see
 * client_url.h).
 *
 * The URL is parsed with libcurl's own parser (curl_url), the one that will
 * later connect, so the host checked here is the host curl talks to: a
 * second, hand-written parser could disagree with curl on odd inputs
 * ("http://127.0.0.1@evil/", "http://localhost.evil/") and let plain http
 * leave the machine.
 */
#include "client_url.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "client_b64.h"

static bool
unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

char *
fh_client_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), o = 0;
    char *out;

    if (n > (SIZE_MAX - 1) / 3) {
        return NULL;
    }
    out = malloc(3 * n + 1);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (unreserved(c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

char *
fh_client_pathf(const char *tmpl, ...)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    va_list ap;
    bool ok = mem != NULL;

    va_start(ap, tmpl);
    for (const char *p = tmpl; ok && *p != '\0'; p++) {
        if (p[0] == '{' && p[1] == '}') {
            const char *arg = va_arg(ap, const char *);
            char *enc = arg != NULL ? fh_client_url_encode(arg) : NULL;

            ok = enc != NULL && fputs(enc, mem) >= 0;
            free(enc);
            p++;
        } else {
            ok = fputc(*p, mem) != EOF;
        }
    }
    va_end(ap);
    if (mem != NULL && fclose(mem) != 0) {
        ok = false;
    }
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

bool
fh_client_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (strcasecmp(host, "localhost") == 0) {
        return true;
    }
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&a6);
    }
    return false;
}

static fh_rv
why_fail(char *why, size_t why_len, const char *msg)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s", msg);
    }
    return FH_E_ARGS;
}

fh_rv
fh_client_url_check(const char *url, bool *is_https, char *why, size_t why_len)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
    fh_rv rv = FH_OK;
    size_t hl;

    if (u == NULL) {
        return FH_E_NOMEM;
    }
    if (url == NULL || url[0] == '\0' ||
        curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rv = why_fail(why, why_len, "not a URL (expected https://HOST[:PORT])");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
        rv = why_fail(why, why_len, "the URL may not carry user info, a query or a fragment");
        goto out;
    }
    *is_https = strcasecmp(scheme, "https") == 0;
    if (!*is_https && strcasecmp(scheme, "http") != 0) {
        rv = why_fail(why, why_len, "the URL scheme must be https (or http to a loopback host)");
        goto out;
    }
    /* curl keeps the brackets of an IPv6 literal; inet_pton wants them off */
    hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    if (!*is_https && !fh_client_host_is_loopback(host)) {
        rv = why_fail(why, why_len,
                      "plain http:// is allowed only to a loopback host; use https://");
        goto out;
    }
out:
    curl_free(frag);
    curl_free(query);
    curl_free(user);
    curl_free(host);
    curl_free(scheme);
    curl_url_cleanup(u);
    return rv;
}

fh_rv
fh_client_pin_check(const char *pin)
{
    static const char prefix[] = "sha256//";
    const size_t plen = sizeof(prefix) - 1;
    const char *p = pin;

    if (pin == NULL || pin[0] == '\0') {
        return FH_E_ARGS;
    }
    for (;;) {
        const char *end = strchr(p, ';');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        uint8_t *hash = NULL;
        size_t hash_len = 0;
        fh_rv rv;

        if (n != plen + 44 || strncmp(p, prefix, plen) != 0) {
            return FH_E_ARGS;
        }
        rv = fh_client_b64_decode(p + plen, 44, 32, &hash, &hash_len);
        free(hash);
        if (rv != FH_OK || hash_len != 32) {
            return FH_E_ARGS;
        }
        if (end == NULL) {
            return FH_OK;
        }
        p = end + 1;
    }
}
