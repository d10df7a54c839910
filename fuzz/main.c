/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - replay driver for the fuzz targets when not built with libFuzzer:
 * feeds every file named on the command line (or every file in the
 * directories named) to LLVMFuzzerTestOneInput, so each corpus runs as an
 * ordinary regression test under ASan/UBSan in CI.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    size_t got;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "fuzz replay: cannot read %s\n", path);
        if (f != NULL) {
            fclose(f);
        }
        return 1;
    }
    buf = malloc((size_t)len + 1);
    if (buf == NULL) {
        fclose(f);
        return 1;
    }
    got = fread(buf, 1, (size_t)len, f);
    fclose(f);
    /* an exact-size heap copy, so ASan sees any read past the input */
    {
        uint8_t *exact = malloc(got ? got : 1);

        if (exact == NULL) {
            free(buf);
            return 1;
        }
        memcpy(exact, buf, got);
        LLVMFuzzerTestOneInput(exact, got);
        free(exact);
    }
    free(buf);
    return 0;
}

int
main(int argc, char **argv)
{
    int files = 0, fail = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;

            while (d != NULL && (e = readdir(d)) != NULL) {
                char path[4096];

                if (e->d_name[0] == '.') {
                    continue;
                }
                snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
                fail |= run_file(path);
                files++;
            }
            if (d != NULL) {
                closedir(d);
            }
        } else {
            fail |= run_file(argv[i]);
            files++;
        }
    }
    if (files == 0) {
        fprintf(stderr, "fuzz replay: no input files\n");
        return 1;
    }
    printf("fuzz replay: %d inputs, %s\n", files, fail ? "errors" : "ok");
    return fail;
}
