/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exit.h - the CLI's one translation of fh_rv into exit codes and messages
 * (docs/cli.md "Errors"): exactly one line on stderr,
 * "ferrohsm: <command>: <message>", never a PIN or key byte.
 */
#ifndef FERROHSM_CLI_EXIT_H
#define FERROHSM_CLI_EXIT_H

#include <stdbool.h>
#include <stddef.h>

#include "ferrohsm/rv.h"

/* Exit codes of docs/cli.md. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_OTHER 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_NOT_FOUND 3
#define CLI_EXIT_AUTH 4
#define CLI_EXIT_SIGNATURE 5
#define CLI_EXIT_STORE 6
#define CLI_EXIT_CRYPTO 7
#define CLI_EXIT_CONFIG 8
#define CLI_EXIT_AUDIT 9

/* The exit code for rv (0 only for FH_OK). Exhaustive: no default. */
int cli_exit_code(fh_rv rv);

/*
 * Print "ferrohsm: <cmd>: <fh_rv_message(rv)><suffix>" where suffix is the
 * formatted fmt (callers start it with ": name" or " (path)"), or nothing
 * when fmt is NULL. Returns cli_exit_code(rv).
 */
int cli_fail(const char *cmd, fh_rv rv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Print "ferrohsm: <cmd>: <formatted message>" (a message of the CLI's own
 * wording) and return cli_exit_code(rv).
 */
int cli_fail_as(const char *cmd, fh_rv rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Report a failure of a CLI file helper (io.c) on path: "no such file: P",
 * "cannot read P: <strerror>", "input too large: P (limit N bytes)".
 * errnum is the errno the helper left; limit the ceiling that applied.
 * path NULL means standard input/output. Returns the exit code.
 */
int cli_fail_file(const char *cmd, fh_rv rv, const char *path, int errnum, bool writing,
                  size_t limit);

#endif /* FERROHSM_CLI_EXIT_H */
