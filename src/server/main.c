/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - ferrohsm-server: arguments, process hardening, signals.
 *
 *   ferrohsm-server [--config FILE] [--listen ADDR:PORT] [--help] [--version]
 *
 * Every signal of interest is blocked before any thread starts, so the HTTP
 * library's worker threads inherit the mask and the main thread alone
 * receives SIGTERM/SIGINT (drain and exit 0) and SIGHUP (reload) through
 * sigwait. The process holds decrypted keys: it is made non-dumpable, core
 * files are off, and OpenSSL's secure heap backs every fh_secret.
 */
#include "srv-int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

static const char usage[] =
    "usage: ferrohsm-server [--config FILE] [--listen ADDR:PORT] [--help] [--version]\n"
    "\n"
    "Serve the tokens of the FerroHSM store over HTTPS (docs/api.md).\n"
    "\n"
    "  --config FILE       configuration file (default: $FERROHSM_CONF, then\n"
    "                      $FERROHSM_HOME/ferrohsm.conf); the [server] section is\n"
    "                      described in docs/config.md\n"
    "  --listen ADDR:PORT  listen here instead of [server] listen (default 127.0.0.1:8443)\n"
    "  --list-routes       print the route table as JSON lines and exit\n"
    "  --help              this text\n"
    "  --version           the version\n"
    "\n"
    "Signals: SIGTERM/SIGINT drain in-flight requests and exit 0; SIGHUP reloads the\n"
    "reloadable settings and unlocks tokens not unlocked yet.\n";

static void
list_routes(void)
{
    const struct srv_route *const *tables = srv_route_tables();
    static const struct {
        unsigned bit;
        const char *name;
    } roles[] = {{SRV_R_ADMIN, "admin"},
                 {SRV_R_OPERATOR, "operator"},
                 {SRV_R_APP, "app"},
                 {SRV_R_AUDITOR, "auditor"}};

    for (size_t t = 0; tables[t] != NULL; t++) {
        for (const struct srv_route *r = tables[t]; r->method != NULL; r++) {
            json_t *o = json_object(), *rl = json_array();
            char *line;

            for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
                if ((r->roles & roles[i].bit) != 0) {
                    json_array_append_new(rl, json_string(roles[i].name));
                }
            }
            json_object_set_new(o, "method", json_string(r->method));
            json_object_set_new(o, "pattern", json_string(r->pattern));
            json_object_set_new(o, "public", json_boolean(r->roles == SRV_R_PUBLIC));
            json_object_set_new(o, "roles", rl);
            json_object_set_new(o, "summary", json_string(r->summary != NULL ? r->summary : ""));
            line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (line != NULL) {
                puts(line);
            }
            free(line);
            json_decref(o);
        }
    }
}

int
main(int argc, char **argv)
{
    const char *config = NULL, *listen = NULL;
    struct rlimit no_core = {0, 0};
    struct srv *s;
    sigset_t set;
    char why[600] = "";
    int sig = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("ferrohsm-server %s\n", FH_VERSION_STRING);
            return 0;
        } else if (strcmp(argv[i], "--list-routes") == 0) {
            list_routes();
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config = argv[i] + 9;
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strncmp(argv[i], "--listen=", 9) == 0) {
            listen = argv[i] + 9;
        } else {
            fprintf(stderr, "ferrohsm-server: unknown or incomplete option '%s'\n%s", argv[i],
                    usage);
            return 2;
        }
    }

    (void)CRYPTO_secure_malloc_init((size_t)1 << 20, 32);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    (void)setrlimit(RLIMIT_CORE, &no_core);
    srv_json_use_cleansing_alloc();

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    s = srv_new(config, listen, why, sizeof(why));
    if (s == NULL) {
        srv_logf(SRV_LOG_ERROR, "start_failed", "%s", why);
        return 1;
    }
    if (srv_http_start(s, why, sizeof(why)) != FH_OK) {
        srv_logf(SRV_LOG_ERROR, "start_failed", "%s", why);
        srv_free(s);
        return 1;
    }
    for (;;) {
        if (sigwait(&set, &sig) != 0) {
            continue;
        }
        if (sig == SIGHUP) {
            srv_reload(s);
            continue;
        }
        break;
    }
    {
        json_t *o = json_object();
        unsigned drain;

        json_object_set_new(o, "signal", json_string(sig == SIGINT ? "SIGINT" : "SIGTERM"));
        srv_log(SRV_LOG_INFO, "stopping", o);
        pthread_mutex_lock(&s->conf_lock);
        drain = s->conf.drain_s;
        pthread_mutex_unlock(&s->conf_lock);
        srv_http_stop(s, drain);
    }
    srv_free(s);
    srv_logf(SRV_LOG_INFO, "stopped", "audit flushed; exiting");
    return 0;
}
