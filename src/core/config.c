/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c - the INI configuration file and FERROHSM_HOME.
 *
 * Sections and keys (docs/config.md):
 *   [store]  driver = sqlite        path = <file>
 *   [token]  backend = soft         max_pin_failures = 10   min_pin_len = 4
 *            argon2_t_cost = 3      argon2_m_cost_kib = 65536
 *            argon2_parallelism = 1
 * An unknown section or key, or a value out of range, is an error that names
 * the file and line: a typo must not silently weaken a setting.
 */
#include "core-int.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

static __thread char open_error[512];

void
fhi_set_open_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(open_error, sizeof(open_error), fmt, ap);
    va_end(ap);
}

const char *
fh_ctx_open_error(void)
{
    return open_error;
}

struct parse_state {
    struct fhi_config *cfg;
    const char *path;
    int bad_line;
    char why[160];
};

static bool
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool
set_str(char **dst, const char *v)
{
    char *copy = strdup(v);

    if (copy == NULL) {
        return false;
    }
    free(*dst);
    *dst = copy;
    return true;
}

struct u32_key {
    const char *name;
    size_t off;
    uint32_t lo, hi;
};

static const struct u32_key token_keys[] = {
    {"max_pin_failures", offsetof(struct fhi_config, max_pin_failures), 1, 1000},
    {"min_pin_len", offsetof(struct fhi_config, min_pin_len), 1, FH_PIN_MAX},
    {"argon2_t_cost", offsetof(struct fhi_config, argon2_t), 1, 100},
    {"argon2_m_cost_kib", offsetof(struct fhi_config, argon2_m_kib), 8, 4u * 1024 * 1024},
    {"argon2_parallelism", offsetof(struct fhi_config, argon2_p), 1, 64},
};

static int
on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    struct fhi_config *cfg = st->cfg;

    if (strcmp(section, "store") == 0) {
        if (strcmp(name, "driver") == 0) {
            return set_str(&cfg->store_driver, value);
        }
        if (strcmp(name, "path") == 0) {
            return set_str(&cfg->store_path, value);
        }
    } else if (strcmp(section, "token") == 0) {
        if (strcmp(name, "backend") == 0) {
            return set_str(&cfg->backend, value);
        }
        for (size_t i = 0; i < sizeof(token_keys) / sizeof(token_keys[0]); i++) {
            if (strcmp(name, token_keys[i].name) == 0) {
                uint32_t *dst = (uint32_t *)(void *)((char *)cfg + token_keys[i].off);

                if (!parse_u32(value, token_keys[i].lo, token_keys[i].hi, dst)) {
                    snprintf(st->why, sizeof(st->why), "%s must be an integer in %u..%u",
                             name, token_keys[i].lo, token_keys[i].hi);
                    return 0;
                }
                return 1;
            }
        }
    } else if (strcmp(section, "server") == 0 || strncmp(section, "x-", 2) == 0 ||
               (strncmp(section, "remote.", 7) == 0 && section[7] != '\0')) {
        /* read by ferrohsm-server, by the PKCS#11 module (remote slots); x-* for other tools */
        return 1;
    }
    snprintf(st->why, sizeof(st->why), "unknown setting [%s] %s", section, name);
    return 0;
}

static char *
default_home(void)
{
    const char *env = getenv("FERROHSM_HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char buf[PATH_MAX];

    if (env != NULL && env[0] != '\0') {
        return strdup(env);
    }
    if (xdg != NULL && xdg[0] == '/') {
        snprintf(buf, sizeof(buf), "%s/ferrohsm", xdg);
    } else if (home != NULL && home[0] != '\0') {
        snprintf(buf, sizeof(buf), "%s/.local/share/ferrohsm", home);
    } else {
        return NULL;
    }
    return strdup(buf);
}

fh_rv
fhi_config_load(const char *conf_path, struct fhi_config *cfg)
{
    struct parse_state st = {cfg, NULL, 0, ""};
    char path[PATH_MAX];
    const char *env = getenv("FERROHSM_CONF");
    bool explicit_path = true;
    FILE *f;
    int line;
    fh_rv rv = FH_E_CONFIG;

    memset(cfg, 0, sizeof(*cfg));
    cfg->max_pin_failures = 10;
    cfg->min_pin_len = FH_PIN_MIN_DEFAULT;
    cfg->argon2_t = 3;
    cfg->argon2_m_kib = 65536;
    cfg->argon2_p = 1;
    cfg->home = default_home();
    if (cfg->home == NULL) {
        fhi_set_open_error("cannot tell FERROHSM_HOME: set FERROHSM_HOME or HOME");
        goto out;
    }
    if (conf_path == NULL) {
        conf_path = (env != NULL && env[0] != '\0') ? env : NULL;
    }
    if (conf_path == NULL) {
        snprintf(path, sizeof(path), "%s/ferrohsm.conf", cfg->home);
        conf_path = path;
        explicit_path = false;
    }
    f = fopen(conf_path, "r");
    if (f == NULL) {
        if (explicit_path || errno != ENOENT) {
            fhi_set_open_error("cannot read configuration %s: %s", conf_path, strerror(errno));
            goto out;
        }
    } else {
        st.path = conf_path;
        line = ini_parse_file(f, on_entry, &st);
        fclose(f);
        if (line != 0) {
            fhi_set_open_error("%s:%d: %s", conf_path, line,
                               st.why[0] ? st.why : "syntax error");
            goto out;
        }
    }
    if ((cfg->store_driver == NULL && !set_str(&cfg->store_driver, "sqlite")) ||
        (cfg->backend == NULL && !set_str(&cfg->backend, "soft"))) {
        rv = FH_E_NOMEM;
        goto out;
    }
    if (cfg->store_path == NULL) {
        snprintf(path, sizeof(path), "%s/ferrohsm.db", cfg->home);
        if (!set_str(&cfg->store_path, path)) {
            rv = FH_E_NOMEM;
            goto out;
        }
    }
    if (cfg->argon2_m_kib < 8 * cfg->argon2_p) {
        fhi_set_open_error("%s: argon2_m_cost_kib must be at least 8 x argon2_parallelism",
                           conf_path);
        goto out;
    }
    rv = FH_OK;
out:
    if (rv != FH_OK) {
        fhi_config_clear(cfg);
    }
    return rv;
}

void
fhi_config_clear(struct fhi_config *cfg)
{
    free(cfg->home);
    free(cfg->store_driver);
    free(cfg->store_path);
    free(cfg->backend);
    memset(cfg, 0, sizeof(*cfg));
}
