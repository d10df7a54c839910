/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.h - small helpers around jansson for the --json outputs: one JSON
 * document on stdout, printed only once it is complete.
 */
#ifndef FERROHSM_CLI_JSON_H
#define FERROHSM_CLI_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "json_shapes.h"

/*
 * Print root (indented, keys in insertion order) and a newline on stdout,
 * then release it. root NULL means an allocation failed earlier. Returns the
 * exit code (0, or 1 after a one-line error).
 */
int cli_json_print(const char *cmd, json_t *root);

/*
 * The shapes themselves (text/"hex:" labels, hex, attributes, tokens,
 * mechanisms, API keys, audit records) and fh_shape_set are src/common's
 * json_shapes.h, shared with the server so that local and remote output are
 * the same bytes.
 */

#endif /* FERROHSM_CLI_JSON_H */
