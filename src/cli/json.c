/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - jansson helpers (see json.h). Documents are built completely
 * before anything is written, so a failure leaves stdout empty.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>

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
