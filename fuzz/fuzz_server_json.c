/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_server_json.c - ferrohsm-server's request-body handling (src/server
 * body.c): arbitrary bytes as a request body are parsed, then every field
 * reader (srv_body_str/bool/int/b64/only) runs over the result, as route
 * handlers call them. Each must answer or write a 400 with the documented
 * shape, never crash, and leave no memory behind.
 *
 * The server's own JSON parser (json_parse.c) is also held to jansson's:
 * for every input without a NUL byte, srv_json_parse accepts exactly when
 * json_loadb(JSON_REJECT_DUPLICATES) does, and builds a json_equal value.
 * An input with a NUL byte it must refuse (RFC 8259 has no place for one);
 * jansson skips a NUL that follows some tokens, so it is not compared there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srv-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_error(struct srv_resp *resp)
{
    json_t *err = json_object_get(resp->json, "error");

    if (resp->status != 400 || !json_is_string(json_object_get(err, "code")) ||
        !json_is_string(json_object_get(err, "message"))) {
        abort(); /* every refusal of a field is a 400 with code and message */
    }
    srv_resp_clear(resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"mechanism", "data", "bytes", "label", "usage", "", "x"};
    static const char *const only[] = {"mechanism", "data", "bytes", NULL};
    struct srv_req req;
    struct srv_resp resp;
    json_t *body = NULL;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    memcpy(req.request_id, "fuzz", 5);
    {
        struct srv_json_error e;
        json_t *ours = srv_json_parse((const char *)data, size, &e);
        json_t *theirs = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

        if (memchr(data, 0, size) != NULL) {
            if (ours != NULL) {
                abort(); /* a NUL byte must be refused */
            }
        } else if ((ours == NULL) != (theirs == NULL) ||
                   (ours != NULL && !json_equal(ours, theirs))) {
            abort(); /* the two parsers disagree */
        }
        if (ours == NULL && (e.line < 1 || e.column < 1 || e.reason == NULL)) {
            abort();
        }
        json_decref(ours);
        json_decref(theirs);
    }
    if (!srv_body_parse(&req, &resp, (const char *)data, size, &body)) {
        if (resp.status != 400) {
            abort();
        }
        srv_resp_clear(&resp);
        return 0;
    }
    req.body = body;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *s = NULL;
        bool b = false;
        int64_t n = 0;
        uint8_t *bin = NULL;
        size_t len = 0;

        for (int required = 0; required < 2; required++) {
            if (!srv_body_str(&req, &resp, names[i], required, &s)) {
                check_error(&resp);
            }
            if (!srv_body_bool(&req, &resp, names[i], required, &b)) {
                check_error(&resp);
            }
            if (!srv_body_int(&req, &resp, names[i], required, -5, 65536, &n)) {
                check_error(&resp);
            }
            if (srv_body_b64(&req, &resp, names[i], required, 64, &bin, &len)) {
                if (bin != NULL) {
                    json_t *again = srv_b64_json(bin, len); /* round trip */

                    if (again == NULL || len > 64) {
                        abort();
                    }
                    json_decref(again);
                }
                free(bin);
                bin = NULL;
            } else {
                check_error(&resp);
            }
        }
    }
    if (!srv_body_only(&req, &resp, only)) {
        check_error(&resp);
    }
    srv_error(&req, &resp, 400, "bad_json", "%.*s", (int)(size < 80 ? size : 80),
              (const char *)data); /* sanitised into valid JSON text whatever the bytes */
    {
        char *text = resp.json != NULL ? json_dumps(resp.json, 0) : NULL;

        if (text == NULL) {
            abort();
        }
        free(text);
    }
    srv_resp_clear(&resp);
    json_decref(body);
    return 0;
}
