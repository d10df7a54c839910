/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - jansson helpers (see json.h). Documents are built completely
 * before anything is written, so a failure leaves stdout empty.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "exit.h"

int
cli_json_print(const char *cmd, json_t *root)
{
    char *text;
    int code = 0;

    if (root == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        code = cli_fail_as(cmd, FH_E_IO, "cannot write to standard output");
    }
    free(text);
    return code;
}

json_t *
cli_json_hex(const uint8_t *p, size_t n)
{
    char *hex = cli_hex_encode(p, n);
    json_t *j;

    if (hex == NULL) {
        return NULL;
    }
    j = json_string(hex);
    free(hex);
    return j;
}

json_t *
cli_json_text(const uint8_t *p, size_t n)
{
    json_t *j;
    char *hex, *s;
    size_t len;

    if (n == 0) {
        return json_string("");
    }
    j = json_stringn((const char *)p, n); /* NULL when not valid UTF-8 */
    if (j != NULL) {
        return j;
    }
    hex = cli_hex_encode(p, n);
    if (hex == NULL) {
        return NULL;
    }
    len = strlen(hex) + sizeof("hex:");
    s = malloc(len);
    if (s == NULL) {
        free(hex);
        return NULL;
    }
    snprintf(s, len, "hex:%s", hex);
    j = json_string(s);
    free(s);
    free(hex);
    return j;
}

void
cli_json_set(json_t *obj, const char *key, json_t *value, int *ok)
{
    if (value == NULL) {
        *ok = 0;
        return;
    }
    if (json_object_set_new(obj, key, value) != 0) {
        *ok = 0;
    }
}
