/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.h - command-line option parsing and value parsers of the ferrohsm CLI.
 *
 * Each command declares its options as a table (struct cli_spec); one parser
 * handles every command, so "--help" output is complete by construction and
 * error messages are uniform. Only long options exist ("--name VALUE" or
 * "--name=VALUE"), plus "-h" for "--help"; "--" ends the options.
 *
 * Depends on libc and, for the usage words, on libferrohsm's describe.h.
 */
#ifndef FERROHSM_CLI_ARGS_H
#define FERROHSM_CLI_ARGS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ferrohsm/rv.h"

#define CLI_MAX_OPTS 24

struct cli_optdef {
    const char *name;    /* long name without "--" */
    const char *metavar; /* value placeholder, or NULL for a flag */
    const char *help;    /* one line */
};

struct cli_spec {
    const char *cmd;               /* "key generate": used in messages and help */
    const char *usage;             /* options synopsis after the command words */
    const char *summary;           /* one sentence */
    const char *details;           /* extra help paragraph, or NULL */
    const struct cli_optdef *opts; /* terminated by an entry with name NULL */
};

struct cli_args {
    const struct cli_spec *spec;
    const char *val[CLI_MAX_OPTS]; /* borrowed from argv; "" for flags */
    bool set[CLI_MAX_OPTS];
};

/* Return values of cli_args_parse besides 0 (parsed). */
#define CLI_ARGS_HELP (-1) /* --help was printed on stdout: exit 0 */

/*
 * Parse argv[0..argc) (the words after the command name) against spec.
 * Returns 0 on success, CLI_ARGS_HELP after printing help, or 2 after
 * printing a one-line usage error on stderr.
 */
int cli_args_parse(const struct cli_spec *spec, int argc, char *const *argv, struct cli_args *out);

/* The value of option name (borrowed), or NULL when absent. */
const char *cli_arg(const struct cli_args *a, const char *name);
/* Whether option name was given. */
bool cli_flag(const struct cli_args *a, const char *name);

/* Print the complete help of spec to f. */
void cli_help_print(const struct cli_spec *spec, FILE *f);

/*
 * Print "ferrohsm: <cmd>: <message>" on stderr and return 2 (usage error).
 * The message is formatted; a hint to --help follows when hint is true.
 */
/* Replace control characters (< 0x20, 0x7f) in s with '?'. */
void cli_sanitize(char *s);

/*
 * The one writer of error lines: "ferrohsm: CMD: LEAD<fmt...>TAIL\n" on
 * stderr, control characters replaced, at most 1 KiB.
 */
void cli_error_linev(const char *cmd, const char *lead, const char *fmt, va_list ap,
                     const char *tail) __attribute__((format(printf, 3, 0)));

int cli_usage_error(const char *cmd, bool hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Decimal unsigned integer in [min, max]: digits only (no sign, no
 * whitespace, no base prefix), no overflow. FH_E_ARGS otherwise.
 */
fh_rv cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Hex string (even number of digits, either case, optional "0x" prefix, ':'
 * allowed between bytes) into a malloc'ed buffer. An empty string gives
 * *out NULL, *len 0. FH_E_ARGS for invalid input, FH_E_NOMEM. The CLI's
 * options of fh_codec_hex_decode (src/common/codec.h).
 */
fh_rv cli_hex_decode(const char *s, uint8_t **out, size_t *len);

/* Lowercase hex of p[0..n) as a malloc'ed string; NULL on allocation failure. */
char *cli_hex_encode(const uint8_t *p, size_t n);

/*
 * Comma list of sign,verify,encrypt,decrypt,wrap,unwrap,derive into a mask
 * of FH_USAGE_* bits (the words of fh_usage_from_word, describe.h).
 * Empty items, unknown words and repeats are errors (FH_E_ARGS); on error
 * *bad points to the offending item inside s (not NUL-terminated at its end;
 * *bad_len gives its length).
 */
fh_rv cli_parse_usage(const char *s, unsigned *mask, const char **bad, size_t *bad_len);

#endif /* FERROHSM_CLI_ARGS_H */
