/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin.h - where the CLI gets PINs from (docs/cli.md): a file (first line),
 * an environment variable, or a no-echo prompt on /dev/tty. Never argv,
 * never a URI. The PIN goes straight into an fh_secret; no other copy is
 * left behind.
 */
#ifndef FERROHSM_CLI_PIN_H
#define FERROHSM_CLI_PIN_H

#include <stdbool.h>

#include "ferrohsm/secret.h"

struct cli_pin_source {
    const char *file;     /* --pin-file / --so-pin-file / --new-pin-file value, or NULL */
    const char *file_opt; /* "--pin-file": for messages */
    const char *env;      /* "FERROHSM_PIN" ... */
    const char *prompt;   /* "User PIN for token demo: " */
    bool confirm;         /* a new PIN: prompt twice and compare */
};

/*
 * Read a PIN from the first source that is set. Prints a one-line error
 * "ferrohsm: <cmd>: ..." and returns its exit code on failure (2 when there is
 * no source and no terminal, 3 for a missing file); 0 and *out (caller frees
 * with fh_secret_free) on success.
 */
int cli_pin_get(const char *cmd, const struct cli_pin_source *src, fh_secret **out);

#endif /* FERROHSM_CLI_PIN_H */
