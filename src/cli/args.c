/* SPDX-License-Identifier: Apache-2.0 */
/*
 * args.c - the one option parser of the CLI and its small value parsers.
 *
 * Design: a command is described by a struct cli_spec (usage line, summary,
 * option table). cli_args_parse walks argv once, refuses unknown options,
 * missing values, repeated options and stray words with a one-line message
 * (exit 2, docs/cli.md), and prints the complete help for --help. Values are
 * borrowed from argv. Nothing here touches a secret: PINs never come from
 * argv (docs/cli.md), so no option carries one.
 */
#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/describe.h"

#include "codec.h"

#define USAGE_WORD_MAX 16 /* longer than any usage word */

static const char help_name[] = "help";

void
cli_sanitize(char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            *s = '?';
        }
    }
}

void
cli_error_linev(const char *cmd, const char *lead, const char *fmt, va_list ap,
                const char *tail)
{
    char line[1024];
    int n = snprintf(line, sizeof(line), "ferrohsm: %s: %s", cmd, lead != NULL ? lead : "");

    if (n >= 0 && (size_t)n < sizeof(line) && fmt != NULL) {
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    }
    n = (int)strlen(line);
    if (tail != NULL && (size_t)n < sizeof(line)) {
        snprintf(line + n, sizeof(line) - (size_t)n, "%s", tail);
    }
    /* user-supplied names must not split the line or reach the terminal raw */
    cli_sanitize(line);
    fprintf(stderr, "%s\n", line);
}

int
cli_usage_error(const char *cmd, bool hint, const char *fmt, ...)
{
    char tail[128] = "";
    va_list ap;

    if (hint) {
        snprintf(tail, sizeof(tail), " (see 'ferrohsm %s --help')", cmd);
    }
    va_start(ap, fmt);
    cli_error_linev(cmd, NULL, fmt, ap, tail);
    va_end(ap);
    return 2;
}

static int
find_opt(const struct cli_spec *spec, const char *name, size_t len)
{
    for (int i = 0; spec->opts != NULL && spec->opts[i].name != NULL; i++) {
        if (strlen(spec->opts[i].name) == len && memcmp(spec->opts[i].name, name, len) == 0) {
            return i;
        }
    }
    return -1;
}

/* Write text, indenting the lines after each '\n' by indent columns. */
static void
put_indented(FILE *f, const char *text, int indent)
{
    for (const char *p = text; *p != '\0'; p++) {
        fputc(*p, f);
        if (*p == '\n') {
            fprintf(f, "%*s", indent, "");
        }
    }
}

/* "Usage: ferrohsm CMD USAGE", wrapped before a '[' to stay within 100 columns. */
static void
put_usage(FILE *f, const struct cli_spec *spec)
{
    int indent = (int)strlen("Usage: ferrohsm  ") + (int)strlen(spec->cmd);
    int col = indent;
    const char *p = spec->usage;

    fprintf(f, "Usage: ferrohsm %s", spec->cmd);
    while (*p != '\0') {
        const char *next = strstr(p + 1, " [");
        size_t n = next != NULL ? (size_t)(next - p) : strlen(p);

        if (*p == ' ') {
            p++; /* the separator is ours to print */
            n--;
        }
        if (col > indent && col + 1 + (int)n > 100) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, n, f);
        col += (int)n;
        p += n;
    }
    fputc('\n', f);
}

void
cli_help_print(const struct cli_spec *spec, FILE *f)
{
    size_t width = strlen("--help");

    for (size_t i = 0; spec->opts != NULL && spec->opts[i].name != NULL; i++) {
        size_t w = 2 + strlen(spec->opts[i].name) +
                   (spec->opts[i].metavar != NULL ? 1 + strlen(spec->opts[i].metavar) : 0);
        if (w > width) {
            width = w;
        }
    }
    put_usage(f, spec);
    fprintf(f, "\n%s\n", spec->summary);
    if (spec->details != NULL) {
        fprintf(f, "\n%s\n", spec->details);
    }
    fprintf(f, "\nOptions:\n");
    for (size_t i = 0; spec->opts != NULL && spec->opts[i].name != NULL; i++) {
        const struct cli_optdef *o = &spec->opts[i];
        int pad = (int)width - (int)(2 + strlen(o->name));

        if (o->metavar != NULL) {
            pad -= 1 + (int)strlen(o->metavar);
            fprintf(f, "  --%s %s%*s  ", o->name, o->metavar, pad, "");
        } else {
            fprintf(f, "  --%s%*s  ", o->name, pad, "");
        }
        put_indented(f, o->help, (int)width + 4);
        fputc('\n', f);
    }
    fprintf(f, "  --help%*s  show this help\n", (int)(width - strlen("--help")), "");
}

int
cli_args_parse(const struct cli_spec *spec, int argc, char *const *argv, struct cli_args *out)
{
    bool options_done = false;

    memset(out, 0, sizeof(*out));
    out->spec = spec;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        const char *name, *eq, *value = NULL;
        size_t name_len;
        int k;

        if (!options_done && strcmp(w, "--") == 0) {
            options_done = true;
            continue;
        }
        if (options_done || w[0] != '-' || w[1] == '\0') {
            return cli_usage_error(spec->cmd, true, "unexpected argument '%s'", w);
        }
        if (strcmp(w, "-h") == 0) {
            cli_help_print(spec, stdout);
            return CLI_ARGS_HELP;
        }
        if (w[1] != '-') {
            return cli_usage_error(spec->cmd, true, "unknown option '%s'", w);
        }
        name = w + 2;
        eq = strchr(name, '=');
        name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        if (name_len == strlen(help_name) && memcmp(name, help_name, name_len) == 0 && eq == NULL) {
            cli_help_print(spec, stdout);
            return CLI_ARGS_HELP;
        }
        k = find_opt(spec, name, name_len);
        if (k < 0 || k >= CLI_MAX_OPTS) {
            return cli_usage_error(spec->cmd, true, "unknown option '--%.*s'", (int)name_len, name);
        }
        if (out->set[k]) {
            return cli_usage_error(spec->cmd, true, "option --%s given twice", spec->opts[k].name);
        }
        if (spec->opts[k].metavar == NULL) {
            if (eq != NULL) {
                return cli_usage_error(spec->cmd, true, "option --%s takes no value",
                                       spec->opts[k].name);
            }
            value = "";
        } else if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return cli_usage_error(spec->cmd, true, "option --%s needs a value (%s)",
                                   spec->opts[k].name, spec->opts[k].metavar);
        }
        out->set[k] = true;
        out->val[k] = value;
    }
    return 0;
}

const char *
cli_arg(const struct cli_args *a, const char *name)
{
    int k = find_opt(a->spec, name, strlen(name));

    return (k >= 0 && k < CLI_MAX_OPTS && a->set[k]) ? a->val[k] : NULL;
}

bool
cli_flag(const struct cli_args *a, const char *name)
{
    return cli_arg(a, name) != NULL;
}

fh_rv
cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return FH_E_ARGS; /* strtoull would accept "-1", " 1" and "+1" */
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return FH_E_ARGS;
    }
    *out = (uint64_t)v;
    return FH_OK;
}

fh_rv
cli_hex_decode(const char *s, uint8_t **out, size_t *len)
{
    /* the CLI's spelling: "0x" prefix and ':' separators allowed (docs/cli.md) */
    fh_rv rv = fh_codec_hex_decode(s, FH_HEX_PREFIX | FH_HEX_COLONS, out, len);

    return rv == FH_E_DATA_INVALID ? FH_E_ARGS : rv; /* a bad argument: exit 2 */
}

char *
cli_hex_encode(const uint8_t *p, size_t n)
{
    return fh_codec_hex_encode(p, n);
}

fh_rv
cli_parse_usage(const char *s, unsigned *mask, const char **bad, size_t *bad_len)
{
    unsigned m = 0;
    const char *p = s;

    if (s == NULL || mask == NULL) {
        return FH_E_ARGS;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char word[USAGE_WORD_MAX];
        unsigned bit = 0;

        if (n < sizeof(word)) {
            memcpy(word, p, n);
            word[n] = '\0';
            if (fh_usage_from_word(word, &bit) != FH_OK) {
                bit = 0;
            }
        }
        if (bit == 0 || (m & bit) != 0) {
            if (bad != NULL) {
                *bad = p;
            }
            if (bad_len != NULL) {
                *bad_len = n;
            }
            return FH_E_ARGS;
        }
        m |= bit;
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    *mask = m;
    return FH_OK;
}
