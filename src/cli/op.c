/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op.c - running fh_op_* over files (see op.h).
 *
 * Output sizes follow the convention of backend.h: a call with out == NULL
 * returns an upper bound and changes nothing, so each update and final is a
 * length query followed by the real call into a buffer of that size. The
 * buffers may hold plaintext (decrypt) and are cleansed when freed.
 */
#include "op.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"

int
cli_mech_lookup(const char *cmd, const char *name, CK_MECHANISM_TYPE *out)
{
    if (name == NULL) {
        return cli_fail_as(cmd, FH_E_ARGS, "missing --mechanism (see 'ferrohsm %s --help')", cmd);
    }
    if (fh_mech_from_name(name, out) != FH_OK) {
        return cli_fail_as(cmd, FH_E_ARGS, "unknown mechanism '%s' (see 'ferrohsm mechanisms')",
                           name);
    }
    return 0;
}

int
cli_mech_available(const char *cmd, const fh_ctx *ctx, CK_MECHANISM_TYPE type,
                   const struct fh_mech_desc **out)
{
    const struct fh_mech_desc *d = fh_mech_get(ctx, type);

    if (d == NULL) {
        const char *name = fh_mech_name(type);

        return cli_fail(cmd, FH_E_MECH_INVALID, ": %s is not available with this backend",
                        name != NULL ? name : "?");
    }
    *out = d;
    return 0;
}

bool
cli_mech_multipart(const struct fh_mech_desc *d)
{
    return (d->fh_flags & FH_MECH_MULTIPART) != 0;
}

/* Grow *buf to at least need bytes (cleansing the old one). */
static fh_rv
ensure(uint8_t **buf, size_t *cap, size_t need)
{
    uint8_t *nb;

    if (need <= *cap) {
        return FH_OK;
    }
    nb = malloc(need);
    if (nb == NULL) {
        return FH_E_NOMEM;
    }
    cli_free_cleanse(*buf, *cap);
    *buf = nb;
    *cap = need;
    return FH_OK;
}

int
cli_op_stream(const char *cmd, const char *what, fh_session *s, enum fh_op_kind op,
              struct cli_in *in, const char *in_path, struct cli_out *o)
{
    uint8_t *chunk = malloc(CLI_CHUNK);
    uint8_t *out = NULL;
    size_t out_cap = 0;
    int code = 0;
    fh_rv rv;

    if (chunk == NULL) {
        return cli_fail(cmd, FH_E_NOMEM, NULL);
    }
    for (;;) {
        size_t got = 0, out_len = 0;

        rv = cli_in_read(in, chunk, CLI_CHUNK, &got);
        if (rv != FH_OK) {
            code = cli_fail_file(cmd, rv, in_path, errno, false, in->max);
            goto out;
        }
        if (got == 0) {
            break;
        }
        if (o == NULL) {
            rv = fh_op_update(s, op, chunk, got, NULL, NULL);
        } else {
            rv = fh_op_update(s, op, chunk, got, NULL, &out_len);
            if (rv == FH_OK) {
                rv = ensure(&out, &out_cap, out_len > 0 ? out_len : 1);
            }
            if (rv == FH_OK) {
                rv = fh_op_update(s, op, chunk, got, out, &out_len);
            }
            if (rv == FH_OK) {
                rv = cli_out_write(o, out, out_len);
                if (rv != FH_OK) {
                    code = cli_fail_file(cmd, rv, o->path, errno, true, CLI_MEM_OUT_MAX);
                    goto out;
                }
            }
        }
        if (rv != FH_OK) {
            code = cli_fail(cmd, rv, " (%s)", what);
            goto out;
        }
        if (got < CLI_CHUNK) {
            break;
        }
    }
out:
    if (code != 0) {
        fh_op_cancel(s, op);
    }
    cli_free_cleanse(chunk, CLI_CHUNK);
    cli_free_cleanse(out, out_cap);
    return code;
}

int
cli_op_final(const char *cmd, const char *what, fh_session *s, enum fh_op_kind op, uint8_t **out,
             size_t *out_len)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap;
    fh_rv rv;

    rv = fh_op_final(s, op, NULL, &len);
    if (rv == FH_OK) {
        cap = len > 0 ? len : 1;
        buf = malloc(cap);
        rv = buf != NULL ? fh_op_final(s, op, buf, &len) : FH_E_NOMEM;
        if (rv != FH_OK) {
            cli_free_cleanse(buf, cap);
            buf = NULL;
        }
    }
    if (rv != FH_OK) {
        fh_op_cancel(s, op);
        return cli_fail(cmd, rv, " (%s)", what);
    }
    *out = buf;
    *out_len = len;
    return 0;
}

int
cli_op_oneshot(const char *cmd, const char *what, fh_session *s, enum fh_op_kind op,
               const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap;
    fh_rv rv;

    rv = fh_op_oneshot(s, op, in, in_len, NULL, &len);
    if (rv == FH_OK) {
        cap = len > 0 ? len : 1;
        buf = malloc(cap);
        rv = buf != NULL ? fh_op_oneshot(s, op, in, in_len, buf, &len) : FH_E_NOMEM;
        if (rv != FH_OK) {
            cli_free_cleanse(buf, cap);
            buf = NULL;
        }
    }
    if (rv != FH_OK) {
        fh_op_cancel(s, op);
        return cli_fail(cmd, rv, " (%s)", what);
    }
    *out = buf;
    *out_len = len;
    return 0;
}

int
cli_read_single(const char *cmd, const char *mech_name, const char *in_path, uint8_t **out,
                size_t *len)
{
    fh_rv rv = cli_read_all(in_path, CLI_SINGLE_PART_MAX, out, len);

    if (rv == FH_E_DATA_TOO_LARGE) {
        return cli_fail_as(cmd, rv,
                           "input too large for single-part mechanism %s (limit %zu "
                           "bytes)",
                           mech_name, CLI_SINGLE_PART_MAX);
    }
    if (rv != FH_OK) {
        return cli_fail_file(cmd, rv, in_path, errno, false, CLI_SINGLE_PART_MAX);
    }
    return 0;
}
