/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_url.h - the string side of talking to ferrohsm-server: request
 * paths with percent-encoded parameters, the server URL rule (https, or
 * http to a loopback host only) and public-key pins.
 *
 * No network, no curl handle: everything here is a pure function, unit
 * tested in tests/unit/client.
 */
#ifndef FERROHSM_CLIENT_URL_H
#define FERROHSM_CLIENT_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "ferrohsm/rv.h"

/*
 * Percent-encode s for use as one path segment or query value: every byte
 * except the RFC 3986 unreserved set (ALPHA DIGIT - . _ ~) becomes %XX, so
 * '/', '?', '#', '%', ':' and spaces cannot change the route. malloc'ed;
 * NULL on allocation failure.
 */
char *fh_client_url_encode(const char *s);

/*
 * Build a request path from a template in which each "{}" is replaced by
 * the next argument (a const char *), percent-encoded:
 *   fh_client_pathf("/v1/tokens/{}/keys/{}/sign", "demo", "id:01")
 *   -> "/v1/tokens/demo/keys/id%3A01/sign"
 * The template itself is copied verbatim. Returns a malloc'ed string, or
 * NULL on allocation failure or a NULL argument.
 */
char *fh_client_pathf(const char *tmpl, ...);

/*
 * Check a server base URL: "https://HOST[:PORT][/PREFIX]", or "http://..."
 * only when HOST is a loopback address (localhost, 127.0.0.0/8, ::1).
 * No user info, query or fragment. FH_OK, else FH_E_ARGS with a reason
 * ("plain http:// is allowed only to a loopback host") written to why.
 * *is_https tells which scheme was given.
 */
fh_rv fh_client_url_check(const char *url, bool *is_https, char *why, size_t why_len);

/* Whether host (without brackets or port) names the loopback interface. */
bool fh_client_host_is_loopback(const char *host);

/*
 * Check a public-key pin in the form curl's CURLOPT_PINNEDPUBLICKEY and
 * the server's first-start message use: "sha256//BASE64" where BASE64 is
 * the 44-character standard base64 of a 32-byte SHA-256 of the server's
 * SubjectPublicKeyInfo; several pins may be joined with ';' (any matches).
 * FH_OK or FH_E_ARGS.
 */
fh_rv fh_client_pin_check(const char *pin);

#endif /* FERROHSM_CLIENT_URL_H */
