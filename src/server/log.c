/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - structured log lines: one JSON object per line on stderr, written
 * with a single write(2) so that lines from worker threads never interleave.
 * Callers pass names, ids and codes; nothing here ever sees a PIN or an API
 * key string. The level is an atomic, changed by SIGHUP reload.
 */
#include "srv-int.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level = SRV_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
srv_log_set_level(enum srv_log_level lvl)
{
    atomic_store(&log_level, (int)lvl);
}

enum srv_log_level
srv_log_get_level(void)
{
    return (enum srv_log_level)atomic_load(&log_level);
}

const char *
srv_log_level_name(enum srv_log_level lvl)
{
    return (unsigned)lvl < 4 ? level_names[lvl] : "info";
}

bool
srv_log_level_parse(const char *s, enum srv_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum srv_log_level)i;
            return true;
        }
    }
    return false;
}

void
srv_log(enum srv_log_level lvl, const char *event, json_t *obj)
{
    struct timespec ts;
    struct tm tm;
    char when[48];
    json_t *line;
    size_t n;
    char *buf;

    if ((int)lvl < atomic_load(&log_level)) {
        json_decref(obj);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ", ts.tv_nsec / 1000000);
    line = json_object();
    if (line == NULL) {
        json_decref(obj);
        return;
    }
    json_object_set_new(line, "time", json_string(when));
    json_object_set_new(line, "level", json_string(srv_log_level_name(lvl)));
    json_object_set_new(line, "event", json_string(event));
    if (obj != NULL) {
        json_object_update(line, obj);
        json_decref(obj);
    }
    n = json_dumpb(line, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
    buf = n > 0 ? malloc(n + 1) : NULL;
    if (buf != NULL && json_dumpb(line, buf, n, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4)) == n) {
        size_t off = 0;

        buf[n] = '\n';
        while (off < n + 1) {
            ssize_t w = write(STDERR_FILENO, buf + off, n + 1 - off);

            if (w <= 0) {
                break;
            }
            off += (size_t)w;
        }
    }
    free(buf);
    json_decref(line);
}

void
srv_logf(enum srv_log_level lvl, const char *event, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_t *o;

    if ((int)lvl < atomic_load(&log_level)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o = json_object();
    if (o != NULL) {
        /* json_string refuses bad UTF-8: fall back to a placeholder, never drop the line */
        json_t *m = json_string(msg);

        json_object_set_new(o, "message", m != NULL ? m : json_string("(unprintable message)"));
    }
    srv_log(lvl, event, o);
}
