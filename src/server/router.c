/* SPDX-License-Identifier: Apache-2.0 */
/*
 * router.c - route matching against the tables of srv.h.
 *
 * The path arrives raw (the HTTP library's unescaping is switched off), so
 * that a key label containing "%2F" stays one segment: literal segments are
 * compared as sent, {param} segments are URL-decoded into the caller's
 * buffer. A segment never matches empty. No state: thread-safe.
 */
#include "srv-int.h"

#include <stdio.h>
#include <string.h>

#include "codec.h"

/* Tables present in this build (routes_missing.c supplies empty ones). */
static const struct srv_route *const tables[] = {
    srv_routes_tokens, srv_routes_keys, srv_routes_ops, srv_routes_admin, srv_routes_health, NULL,
};

const struct srv_route *const *
srv_route_tables(void)
{
    return tables;
}

bool
srv_url_decode(char *s)
{
    char *w = s;

    for (const char *r = s; *r != '\0'; r++) {
        if (*r == '%') {
            int hi = fh_codec_hex_digit(r[1]);
            int lo = hi < 0 ? -1 : fh_codec_hex_digit(r[2]);

            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return false;
            }
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return true;
}

/*
 * Whether path matches pattern. On a match the decoded parameters are
 * written into buf (NUL-separated) and params point into it. A parameter
 * that does not decode makes the path not match (404).
 */
static bool
match_one(const char *pattern, const char *path, const char **params, size_t *n_params, char *buf,
          size_t bufsize)
{
    const char *p = pattern, *q = path;
    size_t used = 0, n = 0;

    while (*p != '\0' && *q != '\0') {
        const char *pe, *qe;
        size_t pl, ql;

        if (*p != '/' || *q != '/') {
            return false;
        }
        p++;
        q++;
        pe = strchr(p, '/');
        qe = strchr(q, '/');
        pl = pe != NULL ? (size_t)(pe - p) : strlen(p);
        ql = qe != NULL ? (size_t)(qe - q) : strlen(q);
        if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
            if (ql == 0 || n >= SRV_MAX_PARAMS || ql >= bufsize - used) {
                return false;
            }
            memcpy(buf + used, q, ql);
            buf[used + ql] = '\0';
            if (!srv_url_decode(buf + used) || buf[used] == '\0') {
                return false;
            }
            params[n++] = buf + used;
            used += strlen(buf + used) + 1;
        } else if (pl != ql || memcmp(p, q, pl) != 0) {
            return false;
        }
        p += pl;
        q += ql;
    }
    if (*p != '\0' || *q != '\0') {
        return false;
    }
    *n_params = n;
    return true;
}

int
srv_route_match(const char *method, const char *path, const struct srv_route **route,
                const char **params, size_t *n_params, char *buf, size_t bufsize, char *allow,
                size_t allow_len)
{
    bool path_known = false;

    if (allow_len > 0) {
        allow[0] = '\0';
    }
    /* first the routes of this method, in table order: the usual request
     * matches there, after a strcmp for most of the other routes */
    for (size_t t = 0; tables[t] != NULL; t++) {
        for (const struct srv_route *r = tables[t]; r->method != NULL; r++) {
            const char *tmp[SRV_MAX_PARAMS];
            size_t n = 0;

            if (strcmp(r->method, method) != 0 ||
                !match_one(r->pattern, path, tmp, &n, buf, bufsize)) {
                continue;
            }
            memcpy(params, tmp, sizeof(tmp[0]) * n);
            *n_params = n;
            *route = r;
            return 1;
        }
    }
    /* no such route: is the path known under other methods (405 and Allow)? */
    for (size_t t = 0; tables[t] != NULL; t++) {
        for (const struct srv_route *r = tables[t]; r->method != NULL; r++) {
            const char *tmp[SRV_MAX_PARAMS];
            size_t n = 0;

            if (!match_one(r->pattern, path, tmp, &n, buf, bufsize)) {
                continue;
            }
            if (allow_len > 0 && strstr(allow, r->method) == NULL) {
                size_t l = strlen(allow);

                snprintf(allow + l, allow_len - l, "%s%s", l > 0 ? ", " : "", r->method);
            }
            path_known = true;
        }
    }
    return path_known ? 0 : -1;
}
