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

/*
 * Print root (indented, keys in insertion order) and a newline on stdout,
 * then release it. root NULL means an allocation failed earlier. Returns the
 * exit code (0, or 1 after a one-line error).
 */
int cli_json_print(const char *cmd, json_t *root);

/* A JSON string of p[0..n) when it is valid UTF-8, else "hex:<hex>"; NULL on ENOMEM. */
json_t *cli_json_text(const uint8_t *p, size_t n);

/* A JSON string of the lowercase hex of p[0..n); NULL on ENOMEM. */
json_t *cli_json_hex(const uint8_t *p, size_t n);

/*
 * json_object_set_new that remembers a failure: *ok becomes false when value
 * is NULL or the set fails, so a builder can check once at the end.
 */
void cli_json_set(json_t *obj, const char *key, json_t *value, int *ok);

#endif /* FERROHSM_CLI_JSON_H */
