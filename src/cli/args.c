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

static int
hex_nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

fh_rv
cli_hex_decode(const char *s, uint8_t **out, size_t *len)
{
    uint8_t *buf;
    size_t n = 0, slen;

    if (s == NULL || out == NULL || len == NULL) {
        return FH_E_ARGS;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    slen = strlen(s);
    if (slen == 0) {
        *out = NULL;
        *len = 0;
        return FH_OK;
    }
    buf = malloc(slen / 2 + 1);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < slen;) {
        int hi, lo;

        if (s[i] == ':' && n > 0 && i + 1 < slen && s[i + 1] != ':') {
            i++;
            continue;
        }
        if (i + 1 >= slen) {
            free(buf);
            return FH_E_ARGS;
        }
        hi = hex_nibble(s[i]);
        lo = hex_nibble(s[i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return FH_E_ARGS;
        }
        buf[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    *out = buf;
    *len = n;
    return FH_OK;
}

char *
cli_hex_encode(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s;

    if (n > (SIZE_MAX - 1) / 2) {
        return NULL;
    }
    s = malloc(2 * n + 1);
    if (s == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 0x0f];
    }
    s[2 * n] = '\0';
    return s;
}

fh_rv
cli_parse_usage(const char *s, unsigned *mask, const char **bad, size_t *bad_len)
{
    static const struct {
        const char *word;
        unsigned bit;
    } words[] = {
        {"sign", CLI_USE_SIGN},       {"verify", CLI_USE_VERIFY}, {"encrypt", CLI_USE_ENCRYPT},
        {"decrypt", CLI_USE_DECRYPT}, {"wrap", CLI_USE_WRAP},     {"unwrap", CLI_USE_UNWRAP},
        {"derive", CLI_USE_DERIVE},
    };
    unsigned m = 0;
    const char *p = s;

    if (s == NULL || mask == NULL) {
        return FH_E_ARGS;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        unsigned bit = 0;

        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (strlen(words[i].word) == n && memcmp(words[i].word, p, n) == 0) {
                bit = words[i].bit;
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
