/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_config.c - the configuration file reader (inih plus our handler and
 * range checks): arbitrary file content must load or fail with
 * FH_E_CONFIG, never crash, and never leave memory behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fh-fuzz-config-XXXXXX";
    struct fhi_config cfg;
    int fd = mkstemp(path);
    fh_rv rv;

    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    setenv("FERROHSM_HOME", "/nonexistent/ferrohsm-fuzz", 1);
    rv = fhi_config_load(path, &cfg);
    if (rv == FH_OK) {
        if (cfg.store_path == NULL || cfg.argon2_m_kib < 8 * cfg.argon2_p) {
            abort(); /* accepted a configuration the checks should refuse */
        }
        fhi_config_clear(&cfg);
    } else if (rv != FH_E_CONFIG && rv != FH_E_NOMEM) {
        abort();
    }
    unlink(path);
    return 0;
}
