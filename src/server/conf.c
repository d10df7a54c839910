/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.c - the [server] section of the configuration file (docs/config.md).
 * The core reads the rest of the same file and skips [server]; this file
 * skips every other section. An unknown key or a value out of range is an
 * error naming the file and the line, as in the core: a typo must not
 * silently weaken a setting. Unlock sources are references (a file, an
 * environment variable, a systemd credential), never PINs.
 */
#include "srv-int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct parse_state {
    struct srv_conf *c;
    char why[200];
};

static bool
parse_uint(const char *v, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    char *end = NULL;
    unsigned long long x;

    if (v[0] < '0' || v[0] > '9') {
        return false;
    }
    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || x < lo || x > hi) {
        return false;
    }
    *out = x;
    return true;
}

static bool
parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0 ||
        strcmp(v, "on") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0 ||
        strcmp(v, "off") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static bool
set_str(char **dst, const char *v)
{
    char *s = strdup(v);

    if (s == NULL) {
        return false;
    }
    free(*dst);
    *dst = s;
    return true;
}

bool
srv_conf_parse_listen(const char *s, char *host, size_t host_len, uint16_t *port)
{
    const char *colon;
    size_t hl;
    unsigned long long p = 0;
    unsigned char tmp[16];

    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (close == NULL || close[1] != ':') {
            return false;
        }
        hl = (size_t)(close - s - 1);
        colon = close + 1;
        if (hl == 0 || hl >= host_len) {
            return false;
        }
        memcpy(host, s + 1, hl);
        host[hl] = '\0';
        if (inet_pton(AF_INET6, host, tmp) != 1) {
            return false;
        }
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) {
            return false;
        }
        hl = (size_t)(colon - s);
        if (hl == 0 || hl >= host_len) {
            return false;
        }
        memcpy(host, s, hl);
        host[hl] = '\0';
        if (strcmp(host, "localhost") != 0 && inet_pton(AF_INET, host, tmp) != 1) {
            return false;
        }
    }
    if (!parse_uint(colon + 1, 0, 65535, &p)) {
        return false;
    }
    *port = (uint16_t)p;
    return true;
}

bool
srv_conf_is_loopback(const char *host)
{
    unsigned char a[16];

    if (strcmp(host, "localhost") == 0) {
        return true;
    }
    if (inet_pton(AF_INET, host, a) == 1) {
        return a[0] == 127;
    }
    if (inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

        return memcmp(a, one, 16) == 0;
    }
    return false;
}

static bool
valid_source(const char *v)
{
    const char *rest = NULL;

    if (strncmp(v, "file:", 5) == 0) {
        rest = v + 5;
    } else if (strncmp(v, "env:", 4) == 0) {
        rest = v + 4;
    } else if (strncmp(v, "credential:", 11) == 0) {
        rest = v + 11;
        if (strchr(rest, '/') != NULL) {
            return false;
        }
    }
    return rest != NULL && rest[0] != '\0';
}

static int
on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    struct srv_conf *c = st->c;
    unsigned long long u = 0;

    if (strcmp(section, "server") != 0) {
        return 1; /* the core reads (and checks) the other sections */
    }
    if (strcmp(name, "listen") == 0) {
        if (!srv_conf_parse_listen(value, c->host, sizeof(c->host), &c->port)) {
            snprintf(st->why, sizeof(st->why),
                     "listen must be ADDRESS:PORT (IPv4, [IPv6] or localhost), not '%s'", value);
            return 0;
        }
        return set_str(&c->listen, value);
    }
    if (strcmp(name, "tls_cert") == 0) {
        return set_str(&c->tls_cert, value);
    }
    if (strcmp(name, "tls_key") == 0) {
        return set_str(&c->tls_key, value);
    }
    if (strcmp(name, "tls_client_ca") == 0) {
        return set_str(&c->tls_client_ca, value);
    }
    if (strcmp(name, "plain_http") == 0) {
        if (!parse_bool(value, &c->plain_http)) {
            snprintf(st->why, sizeof(st->why), "plain_http must be true or false");
            return 0;
        }
        return 1;
    }
    if (strcmp(name, "log_level") == 0) {
        if (!srv_log_level_parse(value, &c->log_level)) {
            snprintf(st->why, sizeof(st->why), "log_level must be debug, info, warn or error");
            return 0;
        }
        return 1;
    }
    if (strncmp(name, "unlock.", 7) == 0) {
        const char *label = name + 7;

        if (label[0] == '\0' || strlen(label) > FH_TOKEN_LABEL_MAX || !valid_source(value)) {
            snprintf(st->why, sizeof(st->why),
                     "unlock.<token label> = file:PATH | env:VARNAME | credential:NAME");
            return 0;
        }
        for (size_t i = 0; i < c->n_unlock; i++) {
            if (strcmp(c->unlock[i].label, label) == 0) {
                snprintf(st->why, sizeof(st->why), "unlock.%s is set twice", label);
                return 0;
            }
        }
        if (c->n_unlock >= SRV_MAX_TOKENS) {
            snprintf(st->why, sizeof(st->why), "at most %d unlock.* settings", SRV_MAX_TOKENS);
            return 0;
        }
        snprintf(c->unlock[c->n_unlock].label, sizeof(c->unlock[0].label), "%s", label);
        c->unlock[c->n_unlock].source = strdup(value);
        if (c->unlock[c->n_unlock].source == NULL) {
            return 0;
        }
        c->n_unlock++;
        return 1;
    }
    {
        static const struct {
            const char *name;
            unsigned long long lo, hi;
        } nums[] = {
            {"threads", 1, 1024},
            {"max_connections", 1, 1000000},
            {"max_body_bytes", 1024, 64ull * 1024 * 1024},
            {"max_body_unauth_bytes", 0, 1024ull * 1024},
            {"timeout_seconds", 1, 86400},
            {"drain_seconds", 0, 3600},
        };

        for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
            if (strcmp(name, nums[i].name) != 0) {
                continue;
            }
            if (!parse_uint(value, nums[i].lo, nums[i].hi, &u)) {
                snprintf(st->why, sizeof(st->why), "%s must be an integer in %llu..%llu", name,
                         nums[i].lo, nums[i].hi);
                return 0;
            }
            switch (i) {
            case 0:
                c->threads = (unsigned)u;
                break;
            case 1:
                c->max_connections = (unsigned)u;
                break;
            case 2:
                c->max_body = (size_t)u;
                break;
            case 3:
                c->max_body_unauth = (size_t)u;
                break;
            case 4:
                c->timeout_s = (unsigned)u;
                break;
            default:
                c->drain_s = (unsigned)u;
                break;
            }
            return 1;
        }
    }
    snprintf(st->why, sizeof(st->why), "unknown setting [server] %s", name);
    return 0;
}

/* The CPUs this process may run on (a cpuset, taskset, a container's
 * limit), else the CPUs online: the default size of the thread pool, so a
 * server confined to one CPU does not time-slice two workers on it. */
static long
usable_cpus(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
        return CPU_COUNT(&set);
    }
    return sysconf(_SC_NPROCESSORS_ONLN);
}

static void
defaults(struct srv_conf *c)
{
    long cores = usable_cpus();

    memset(c, 0, sizeof(*c));
    snprintf(c->host, sizeof(c->host), "127.0.0.1");
    c->port = SRV_DEFAULT_PORT;
    c->threads = cores > 0 && cores <= 1024 ? (unsigned)cores : 2;
    c->max_connections = 1024;
    c->max_body = SRV_DEFAULT_MAX_BODY;
    c->max_body_unauth = SRV_DEFAULT_MAX_BODY_UNAUTH;
    c->timeout_s = SRV_DEFAULT_TIMEOUT;
    c->drain_s = SRV_DEFAULT_DRAIN;
    c->log_level = SRV_LOG_INFO;
}

fh_rv
srv_conf_load(const char *path, struct srv_conf *out, char *why, size_t why_len)
{
    struct parse_state st;
    FILE *f;
    int line;

    defaults(out);
    memset(&st, 0, sizeof(st));
    st.c = out;
    if (path == NULL) {
        return FH_OK;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(why, why_len, "cannot read configuration %s: %s", path, strerror(errno));
        return FH_E_CONFIG;
    }
    line = ini_parse_file(f, on_entry, &st);
    fclose(f);
    if (line != 0) {
        snprintf(why, why_len, "%s:%d: %s", path, line, st.why[0] ? st.why : "syntax error");
        srv_conf_free(out);
        return FH_E_CONFIG;
    }
    if (out->max_body_unauth > out->max_body) {
        snprintf(why, why_len, "%s: max_body_unauth_bytes must not exceed max_body_bytes", path);
        srv_conf_free(out);
        return FH_E_CONFIG;
    }
    if ((out->tls_cert == NULL) != (out->tls_key == NULL)) {
        snprintf(why, why_len, "%s: tls_cert and tls_key go together", path);
        srv_conf_free(out);
        return FH_E_CONFIG;
    }
    return FH_OK;
}

void
srv_conf_free(struct srv_conf *c)
{
    free(c->listen);
    free(c->tls_cert);
    free(c->tls_key);
    free(c->tls_client_ca);
    for (size_t i = 0; i < c->n_unlock; i++) {
        free(c->unlock[i].source);
    }
    memset(c, 0, sizeof(*c));
}
