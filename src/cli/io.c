/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io.c - bounded reads and atomic writes (see io.h).
 *
 * Temporary files are created with mkstemp next to the destination (so the
 * rename stays on one file system and is atomic), get mode 0644 minus the
 * umask, are fsync'ed before the rename, and are unlinked on any failure.
 * errno is preserved on the failure paths so that cli_fail_file() can say why.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

void
cli_free_cleanse(void *p, size_t n)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

static bool
is_stdio(const char *path)
{
    return path == NULL || strcmp(path, "-") == 0;
}

static fh_rv
open_input(const char *path, int *fd, bool *own)
{
    struct stat st;

    if (is_stdio(path)) {
        *fd = STDIN_FILENO;
        *own = false;
        return FH_OK;
    }
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        return errno == ENOENT ? FH_E_NOT_FOUND : FH_E_IO;
    }
    if (fstat(*fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(*fd);
        errno = EISDIR;
        return FH_E_IO;
    }
    *own = true;
    return FH_OK;
}

/* read() until cap bytes or end of input, retrying on EINTR. */
static fh_rv
read_full(int fd, uint8_t *buf, size_t cap, size_t *got)
{
    size_t n = 0;

    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);

        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return FH_E_IO;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    *got = n;
    return FH_OK;
}

fh_rv
cli_read_all(const char *path, size_t max, uint8_t **out, size_t *len)
{
    int fd = -1;
    bool own = false;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    fh_rv rv;

    rv = open_input(path, &fd, &own);
    if (rv != FH_OK) {
        return rv;
    }
    for (;;) {
        size_t got = 0;

        if (n == cap) {
            /* Grow geometrically up to max + 1 (one byte more detects "too large"). */
            size_t ncap = cap == 0 ? 4096 : cap * 2;
            uint8_t *nbuf;

            if (ncap > max + 1) {
                ncap = max + 1;
            }
            if (ncap <= cap) {
                rv = FH_E_DATA_TOO_LARGE;
                goto out;
            }
            nbuf = malloc(ncap + 1);
            if (nbuf == NULL) {
                rv = FH_E_NOMEM;
                goto out;
            }
            if (n > 0) {
                memcpy(nbuf, buf, n);
            }
            cli_free_cleanse(buf, cap);
            buf = nbuf;
            cap = ncap;
        }
        rv = read_full(fd, buf + n, cap - n, &got);
        if (rv != FH_OK) {
            goto out;
        }
        n += got;
        if (n > max) {
            rv = FH_E_DATA_TOO_LARGE;
            goto out;
        }
        if (n < cap) {
            break; /* end of input */
        }
    }
    if (buf == NULL) {
        buf = malloc(1);
        if (buf == NULL) {
            rv = FH_E_NOMEM;
            goto out;
        }
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    buf = NULL;
out : {
    int saved = errno;

    cli_free_cleanse(buf, cap);
    if (own) {
        close(fd);
    }
    errno = saved;
}
    return rv;
}

fh_rv
cli_in_open(struct cli_in *in, const char *path, size_t max)
{
    memset(in, 0, sizeof(*in));
    in->fd = -1;
    in->max = max;
    return open_input(path, &in->fd, &in->own_fd);
}

fh_rv
cli_in_read(struct cli_in *in, uint8_t *buf, size_t cap, size_t *got)
{
    fh_rv rv = read_full(in->fd, buf, cap, got);

    if (rv != FH_OK) {
        return rv;
    }
    in->total += *got;
    if (in->total > in->max) {
        return FH_E_DATA_TOO_LARGE;
    }
    return FH_OK;
}

void
cli_in_close(struct cli_in *in)
{
    if (in->own_fd && in->fd >= 0) {
        close(in->fd);
    }
    in->fd = -1;
    in->own_fd = false;
}

static mode_t
output_mode(void)
{
    mode_t mask = umask(0);

    umask(mask);
    return (mode_t)0644 & ~mask;
}

/* write(2) all of p[0..n) to fd. */
static fh_rv
write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return FH_E_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return FH_OK;
}

fh_rv
cli_out_open(struct cli_out *o, const char *path)
{
    struct stat st;
    char *real = NULL;
    const char *slash;
    size_t dir_len, tlen;

    memset(o, 0, sizeof(*o));
    o->fd = -1;
    if (is_stdio(path)) {
        return FH_OK;
    }
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            if (S_ISDIR(st.st_mode)) {
                errno = EISDIR;
                return FH_E_IO;
            }
            o->special = true; /* written in place at commit */
        } else {
            /* Replace the file a symlink points to, not the symlink itself. */
            real = realpath(path, NULL);
        }
    }
    o->path = real != NULL ? real : strdup(path);
    if (o->path == NULL) {
        return FH_E_NOMEM;
    }
    if (o->special) {
        return FH_OK;
    }
    slash = strrchr(o->path, '/');
    dir_len = slash != NULL ? (size_t)(slash - o->path) + 1 : 0;
    tlen = dir_len + sizeof(".ferrohsm-XXXXXX");
    o->tmp = malloc(tlen);
    if (o->tmp == NULL) {
        cli_out_abort(o);
        return FH_E_NOMEM;
    }
    snprintf(o->tmp, tlen, "%.*s.ferrohsm-XXXXXX", (int)dir_len, o->path);
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    if (o->fd < 0) {
        int saved = errno;
        fh_rv rv = errno == ENOENT ? FH_E_NOT_FOUND : FH_E_IO;

        free(o->tmp);
        o->tmp = NULL;
        cli_out_abort(o);
        errno = saved;
        return rv;
    }
    if (fchmod(o->fd, output_mode()) != 0) {
        int saved = errno;

        cli_out_abort(o);
        errno = saved;
        return FH_E_IO;
    }
    return FH_OK;
}

fh_rv
cli_out_write(struct cli_out *o, const void *p, size_t n)
{
    const uint8_t *b = p;

    if (n == 0) {
        return FH_OK;
    }
    if (o->tmp == NULL) {
        if (n > CLI_MEM_OUT_MAX - o->len) {
            return FH_E_DATA_TOO_LARGE;
        }
        if (o->len + n > o->cap) {
            size_t ncap = o->cap == 0 ? 4096 : o->cap;
            uint8_t *nbuf;

            while (ncap < o->len + n) {
                ncap *= 2;
            }
            nbuf = malloc(ncap);
            if (nbuf == NULL) {
                return FH_E_NOMEM;
            }
            if (o->len > 0) {
                memcpy(nbuf, o->buf, o->len);
            }
            cli_free_cleanse(o->buf, o->cap);
            o->buf = nbuf;
            o->cap = ncap;
        }
        memcpy(o->buf + o->len, b, n);
        o->len += n;
        return FH_OK;
    }
    return write_all(o->fd, b, n);
}

fh_rv
cli_out_commit(struct cli_out *o)
{
    fh_rv rv;

    if (o->tmp == NULL) {
        int fd = STDOUT_FILENO;

        if (o->special) {
            fd = open(o->path, O_WRONLY | O_CLOEXEC);
            if (fd < 0) {
                return FH_E_IO;
            }
        }
        rv = write_all(fd, o->buf, o->len);
        if (o->special && close(fd) != 0 && rv == FH_OK) {
            rv = FH_E_IO;
        }
        if (rv == FH_OK) {
            cli_out_abort(o);
        }
        return rv;
    }
    if (fsync(o->fd) != 0 || close(o->fd) != 0) {
        o->fd = -1;
        return FH_E_IO;
    }
    o->fd = -1;
    if (rename(o->tmp, o->path) != 0) {
        return FH_E_IO;
    }
    free(o->tmp);
    o->tmp = NULL;
    cli_out_abort(o);
    return FH_OK;
}

void
cli_out_abort(struct cli_out *o)
{
    int saved = errno;

    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    if (o->tmp != NULL) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    free(o->path);
    o->path = NULL;
    cli_free_cleanse(o->buf, o->cap);
    o->buf = NULL;
    o->len = 0;
    o->cap = 0;
    errno = saved;
}

fh_rv
cli_write_file(const char *path, const void *p, size_t n)
{
    struct cli_out o;
    fh_rv rv = cli_out_open(&o, path);

    if (rv != FH_OK) {
        return rv;
    }
    rv = cli_out_write(&o, p, n);
    if (rv == FH_OK) {
        rv = cli_out_commit(&o);
    }
    cli_out_abort(&o);
    return rv;
}
