/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io.h - bounded input and atomic output for the CLI.
 *
 * Input: whole files (or stdin) up to a ceiling, or a chunked reader for
 * streamed multi-part operations (any size: only one chunk is in memory).
 * Output: --out FILE is written to a temporary file in the same directory
 * and renamed over FILE only on success; standard output is buffered in
 * memory (up to CLI_MEM_OUT_MAX) and written only on success, so a failing
 * command leaves no partial output anywhere (docs/cli.md: no output on
 * stdout for failures). Buffers that may hold
 * plaintext are cleansed before they are freed.
 *
 * Errors are fh_rv: FH_E_NOT_FOUND (no such file), FH_E_DATA_TOO_LARGE
 * (ceiling), FH_E_IO (errno says why), FH_E_NOMEM. Nothing is printed here;
 * callers report through cli_fail_file().
 */
#ifndef FERROHSM_CLI_IO_H
#define FERROHSM_CLI_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferrohsm/rv.h"

#define CLI_STREAM_MAX SIZE_MAX               /* streamed input: no ceiling (memory is bounded) */
#define CLI_MEM_OUT_MAX ((size_t)65 << 20)    /* output held in memory (stdout, FIFOs): 65 MiB */
#define CLI_SINGLE_PART_MAX ((size_t)1 << 20) /* single-part mechanisms: 1 MiB */
#define CLI_CHUNK ((size_t)64 << 10)          /* streaming chunk: 64 KiB */

/*
 * Read all of path (NULL or "-": standard input) into a malloc'ed buffer,
 * at most max bytes (FH_E_DATA_TOO_LARGE beyond). *out is NULL-terminated
 * one byte past *len for convenience. Free with cli_free_cleanse().
 */
fh_rv cli_read_all(const char *path, size_t max, uint8_t **out, size_t *len);

/* OPENSSL_cleanse p[0..n) and free it. NULL is a no-op. */
void cli_free_cleanse(void *p, size_t n);

/* Chunked reader. */
struct cli_in {
    int fd;
    bool own_fd;
    size_t total;
    size_t max;
};

fh_rv cli_in_open(struct cli_in *in, const char *path, size_t max);
/*
 * Fill buf with up to cap bytes (fewer only at end of input); *got 0 means
 * end of input. FH_E_DATA_TOO_LARGE once more than max bytes were read.
 */
fh_rv cli_in_read(struct cli_in *in, uint8_t *buf, size_t cap, size_t *got);
void cli_in_close(struct cli_in *in);

/*
 * Atomic output. Three kinds of destination:
 *   - standard output: buffered in memory, written at commit;
 *   - an existing non-regular file (FIFO, character device): buffered in
 *     memory, opened and written at commit (a rename would replace it);
 *   - anything else: a temporary file next to the (symlink-resolved) path,
 *     renamed over it at commit.
 */
struct cli_out {
    char *path; /* destination, NULL for stdout */
    char *tmp;  /* temporary file, or NULL */
    int fd;
    bool special; /* path is an existing non-regular file */
    uint8_t *buf; /* memory buffer (stdout and special files) */
    size_t len;
    size_t cap;
};

/* Prepare output to path (NULL or "-": standard output). */
fh_rv cli_out_open(struct cli_out *o, const char *path);
fh_rv cli_out_write(struct cli_out *o, const void *p, size_t n);
/* Make the output visible: fsync + rename, or write the buffer to stdout. */
fh_rv cli_out_commit(struct cli_out *o);
/* Discard (remove the temporary file, cleanse the buffer). Safe after commit. */
void cli_out_abort(struct cli_out *o);

/* open + write + commit in one call. */
fh_rv cli_write_file(const char *path, const void *p, size_t n);

#endif /* FERROHSM_CLI_IO_H */
