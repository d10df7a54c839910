/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin.c - PIN sources of the CLI.
 *
 * Invariants:
 *   - PIN bytes are read directly into an fh_secret (secure heap once main()
 *     called CRYPTO_secure_malloc_init) with read(2): no stdio buffer, no
 *     temporary copy. A secret is sized FH_PIN_MAX + 2 for the read and then
 *     truncated (the cut bytes are cleansed by fh_secret_truncate).
 *   - The only temporary buffers are single bytes read from the terminal;
 *     they are cleansed.
 *   - Echo is switched off on /dev/tty only for the prompt; a signal arriving
 *     meanwhile restores the terminal before the default action runs.
 *   - Error messages name the source (file name, variable), never the PIN.
 */
#include "pin.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ferrohsm/token.h"

#include "exit.h"

#define PIN_BUF (FH_PIN_MAX + 2) /* room for the PIN, a '\r' and a '\n' */

/* Terminal state restored by the signal handler (async-signal-safe use only). */
static volatile sig_atomic_t tty_saved_valid;
static int tty_fd = -1;
static struct termios tty_saved;

static const int restore_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define N_RESTORE_SIGNALS (sizeof(restore_signals) / sizeof(restore_signals[0]))

static void
restore_and_reraise(int sig)
{
    if (tty_saved_valid) {
        tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
        (void)!write(tty_fd, "\n", 1);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Length of the first line of d[0..n): up to '\n', without a trailing '\r'. */
static size_t
first_line(const uint8_t *d, size_t n, bool *complete)
{
    const uint8_t *nl = memchr(d, '\n', n);
    size_t len = nl != NULL ? (size_t)(nl - d) : n;

    *complete = nl != NULL;
    if (len > 0 && d[len - 1] == '\r') {
        len--;
    }
    return len;
}

static int
pin_from_file(const char *cmd, const struct cli_pin_source *src, fh_secret **out)
{
    fh_secret *pin = NULL;
    size_t n = 0, len;
    bool complete;
    int fd, code = 0;
    fh_rv rv;

    fd = open(src->file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT
                   ? cli_fail_as(cmd, FH_E_NOT_FOUND, "no such file: %s", src->file)
                   : cli_fail_as(cmd, FH_E_IO, "cannot read %s: %s", src->file, strerror(errno));
    }
    rv = fh_secret_new(PIN_BUF, &pin);
    if (rv != FH_OK) {
        code = cli_fail(cmd, rv, NULL);
        goto out;
    }
    while (n < PIN_BUF) {
        ssize_t r = read(fd, fh_secret_data(pin) + n, PIN_BUF - n);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            code = cli_fail_as(cmd, FH_E_IO, "cannot read %s: %s", src->file, strerror(errno));
            goto out;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    len = first_line(fh_secret_cdata(pin), n, &complete);
    if (!complete && n == PIN_BUF) {
        code = cli_fail_as(cmd, FH_E_PIN_LEN_RANGE, "the PIN in %s is longer than %d bytes",
                           src->file, FH_PIN_MAX);
        goto out;
    }
    if (len == 0) {
        code = cli_fail_as(cmd, FH_E_PIN_LEN_RANGE, "%s holds an empty PIN", src->file);
        goto out;
    }
    fh_secret_truncate(pin, len);
    *out = pin;
    pin = NULL;
out:
    fh_secret_free(pin);
    close(fd);
    return code;
}

static int
pin_from_env(const char *cmd, const struct cli_pin_source *src, const char *val, fh_secret **out)
{
    size_t len = strlen(val);
    fh_rv rv;

    if (len == 0) {
        return cli_fail_as(cmd, FH_E_PIN_LEN_RANGE, "%s is empty", src->env);
    }
    if (len > FH_PIN_MAX) {
        return cli_fail_as(cmd, FH_E_PIN_LEN_RANGE, "the PIN in %s is longer than %d bytes",
                           src->env, FH_PIN_MAX);
    }
    rv = fh_secret_from(val, len, out);
    if (rv != FH_OK) {
        return cli_fail(cmd, rv, NULL);
    }
    return 0;
}

/*
 * One no-echo prompt on fd. Returns 0 and a new secret, or an exit code
 * after printing the error.
 */
static int
prompt_once(const char *cmd, int fd, const char *prompt, fh_secret **out)
{
    struct termios raw;
    struct sigaction sa, old[N_RESTORE_SIGNALS];
    fh_secret *pin = NULL;
    size_t n = 0;
    bool too_long = false, eof = false;
    int code = 0;
    fh_rv rv;

    rv = fh_secret_new(PIN_BUF, &pin);
    if (rv != FH_OK) {
        return cli_fail(cmd, rv, NULL);
    }
    if (tcgetattr(fd, &tty_saved) != 0) {
        fh_secret_free(pin);
        return cli_fail_as(cmd, FH_E_IO, "cannot use the terminal: %s", strerror(errno));
    }
    tty_fd = fd;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_RESTORE_SIGNALS; i++) {
        sigaction(restore_signals[i], &sa, &old[i]);
    }
    tty_saved_valid = 1;
    raw = tty_saved;
    raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    raw.c_lflag |= ICANON;
    (void)!write(fd, prompt, strlen(prompt));
    tcsetattr(fd, TCSAFLUSH, &raw);
    for (;;) {
        unsigned char c = 0;
        ssize_t r = read(fd, &c, 1);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            eof = true;
            break;
        }
        if (c == '\n') {
            break;
        }
        if (n < FH_PIN_MAX + 1) {
            fh_secret_data(pin)[n++] = c;
        } else {
            too_long = true; /* keep reading to the end of the line, discard */
        }
        OPENSSL_cleanse(&c, sizeof(c));
    }
    tcsetattr(fd, TCSAFLUSH, &tty_saved);
    tty_saved_valid = 0;
    for (size_t i = 0; i < N_RESTORE_SIGNALS; i++) {
        sigaction(restore_signals[i], &old[i], NULL);
    }
    (void)!write(fd, "\n", 1);
    if (n > 0 && fh_secret_cdata(pin)[n - 1] == '\r') {
        n--;
    }
    if (too_long || n > FH_PIN_MAX) {
        code = cli_fail_as(cmd, FH_E_PIN_LEN_RANGE, "PIN longer than %d bytes", FH_PIN_MAX);
    } else if (n == 0) {
        code =
            cli_fail_as(cmd, FH_E_ARGS, eof ? "no PIN entered (end of input)" : "no PIN entered");
    }
    if (code != 0) {
        fh_secret_free(pin);
        return code;
    }
    fh_secret_truncate(pin, n);
    *out = pin;
    return 0;
}

static int
pin_from_tty(const char *cmd, const struct cli_pin_source *src, fh_secret **out)
{
    fh_secret *a = NULL, *b = NULL;
    int fd, code;

    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (src->file_opt != NULL) {
            return cli_fail_as(cmd, FH_E_ARGS,
                               "no PIN given: use %s FILE or %s (no terminal to prompt on)",
                               src->file_opt, src->env);
        }
        return cli_fail_as(cmd, FH_E_ARGS, "no PIN given: set %s (no terminal to prompt on)",
                           src->env);
    }
    code = prompt_once(cmd, fd, src->prompt, &a);
    if (code == 0 && src->confirm) {
        code = prompt_once(cmd, fd, "Repeat it: ", &b);
        if (code == 0 && !fh_secret_equal(a, b)) {
            code = cli_fail_as(cmd, FH_E_ARGS, "the two PINs do not match");
        }
    }
    close(fd);
    fh_secret_free(b);
    if (code != 0) {
        fh_secret_free(a);
        return code;
    }
    *out = a;
    return 0;
}

int
cli_pin_get(const char *cmd, const struct cli_pin_source *src, fh_secret **out)
{
    const char *env;

    if (src->file != NULL) {
        return pin_from_file(cmd, src, out);
    }
    env = src->env != NULL ? getenv(src->env) : NULL;
    if (env != NULL) {
        return pin_from_env(cmd, src, env, out);
    }
    return pin_from_tty(cmd, src, out);
}
