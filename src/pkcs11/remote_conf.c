/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_conf.c - the [remote.NAME] sections and the remote slot table.
 *
 *   [remote.payments]
 *   server = https://hsm.example:8443     ; the server's base URL (client_url.h rules)
 *   token = payments                      ; the token label on the server
 *   api_key = file:/etc/ferrohsm/app.key  ; | env:VAR | credential:NAME
 *   cacert = /etc/ferrohsm/ca.pem         ; optional; and/or
 *   server_pin = sha256//BASE64           ; optional public-key pin
 *   timeout_ms = 30000                    ; optional, whole request, 100..600000
 *   connections = 4                       ; optional, pooled connections, 1..64
 *
 * The core's parser accepts these sections and leaves them to this file,
 * as it leaves [server] to ferrohsm-server. Every error names the file, the
 * section and the setting; an unknown setting is an error (a typo must not
 * silently weaken a setting, docs/config.md).
 *
 * The API key is read once, at C_Initialize, into memory that is cleansed
 * when freed (fh_secret); the clients copy it into their own cleansed
 * memory (client.h) and this copy is freed at once. It is never logged.
 *
 * Slot ids: P11R_SLOT_BASE + (FNV-1a(NAME) mod P11R_SLOT_SPAN), the next
 * free one in section order on a collision: stable across restarts and
 * independent of the local tokens.
 */
#include "remote.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "ferrohsm/secret.h"

#define KEY_FILE_MAX 4096

struct section {
    char *name;
    char *server, *token, *api_key, *cacert, *pin;
    long timeout_ms;
    long connections;
    int line;
};

struct conf_state {
    struct section *v;
    size_t n;
    const char *path;
    char why[256];
};

static void
section_clear(struct section *s)
{
    free(s->name);
    free(s->server);
    free(s->token);
    free(s->api_key);
    free(s->cacert);
    free(s->pin);
    memset(s, 0, sizeof(*s));
}

static struct section *
section_get(struct conf_state *st, const char *name)
{
    struct section *v;

    for (size_t i = 0; i < st->n; i++) {
        if (strcmp(st->v[i].name, name) == 0) {
            return &st->v[i];
        }
    }
    v = realloc(st->v, (st->n + 1) * sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    st->v = v;
    memset(&v[st->n], 0, sizeof(v[0]));
    v[st->n].name = strdup(name);
    if (v[st->n].name == NULL) {
        return NULL;
    }
    return &v[st->n++];
}

static int
set_str(char **dst, const char *value)
{
    free(*dst);
    *dst = strdup(value);
    return *dst != NULL;
}

static int
set_long(long *dst, const char *value, long lo, long hi)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < lo || v > hi) {
        return 0;
    }
    *dst = v;
    return 1;
}

static int
on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct conf_state *st = user;
    struct section *s;

    if (strncmp(section, "remote.", 7) != 0) {
        return 1; /* the core's, the server's or another tool's */
    }
    if (section[7] == '\0') {
        snprintf(st->why, sizeof(st->why), "[remote.NAME] needs a NAME");
        return 0;
    }
    s = section_get(st, section + 7);
    if (s == NULL) {
        snprintf(st->why, sizeof(st->why), "out of memory");
        return 0;
    }
    if (strcmp(name, "server") == 0) {
        return set_str(&s->server, value);
    }
    if (strcmp(name, "token") == 0) {
        return set_str(&s->token, value);
    }
    if (strcmp(name, "api_key") == 0) {
        return set_str(&s->api_key, value);
    }
    if (strcmp(name, "cacert") == 0) {
        return set_str(&s->cacert, value);
    }
    if (strcmp(name, "server_pin") == 0) {
        return set_str(&s->pin, value);
    }
    if (strcmp(name, "timeout_ms") == 0) {
        if (!set_long(&s->timeout_ms, value, 100, 600000)) {
            snprintf(st->why, sizeof(st->why), "[%s] timeout_ms must be an integer in 100..600000",
                     section);
            return 0;
        }
        return 1;
    }
    if (strcmp(name, "connections") == 0) {
        if (!set_long(&s->connections, value, 1, 64)) {
            snprintf(st->why, sizeof(st->why), "[%s] connections must be an integer in 1..64",
                     section);
            return 0;
        }
        return 1;
    }
    snprintf(st->why, sizeof(st->why), "unknown setting [%s] %s", section, name);
    return 0;
}

/* The path the core reads (config.c): FERROHSM_CONF, else $FERROHSM_HOME/ferrohsm.conf. */
static bool
conf_path(char *out, size_t n, bool *explicit_path)
{
    const char *env = getenv("FERROHSM_CONF");
    const char *home = getenv("FERROHSM_HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *user = getenv("HOME");

    *explicit_path = env != NULL && env[0] != '\0';
    if (*explicit_path) {
        snprintf(out, n, "%s", env);
    } else if (home != NULL && home[0] != '\0') {
        snprintf(out, n, "%s/ferrohsm.conf", home);
    } else if (xdg != NULL && xdg[0] == '/') {
        snprintf(out, n, "%s/ferrohsm/ferrohsm.conf", xdg);
    } else if (user != NULL && user[0] != '\0') {
        snprintf(out, n, "%s/.local/share/ferrohsm/ferrohsm.conf", user);
    } else {
        return false;
    }
    return true;
}

/* A key file holds the key and at most one trailing newline. */
static fh_rv
key_from_file(const char *path, fh_secret **out)
{
    char buf[KEY_FILE_MAX];
    size_t n = 0;
    FILE *f = fopen(path, "re");
    fh_rv rv = FH_E_CONFIG;

    if (f == NULL) {
        return FH_E_CONFIG;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    if (!ferror(f) && feof(f)) {
        if (n > 0 && buf[n - 1] == '\n') {
            n--;
            if (n > 0 && buf[n - 1] == '\r') {
                n--;
            }
        }
        rv = n > 0 ? FH_OK : FH_E_CONFIG;
    }
    fclose(f);
    if (rv == FH_OK) {
        buf[n] = '\0';
        rv = fh_secret_from(buf, n + 1, out); /* with its NUL: the client wants a C string */
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return rv;
}

/* api_key = file:PATH | env:VAR | credential:NAME (the server's unlock.* syntax). */
static fh_rv
key_from_source(const char *src, fh_secret **out, char *why, size_t why_len)
{
    char path[PATH_MAX];
    fh_rv rv;

    if (strncmp(src, "file:", 5) == 0) {
        rv = key_from_file(src + 5, out);
        if (rv == FH_E_CONFIG) {
            snprintf(why, why_len, "api_key: cannot read a key from %s", src + 5);
        }
        return rv;
    }
    if (strncmp(src, "credential:", 11) == 0) {
        const char *dir = getenv("CREDENTIALS_DIRECTORY");

        if (dir == NULL || dir[0] == '\0') {
            snprintf(why, why_len, "api_key %s: CREDENTIALS_DIRECTORY is not set", src);
            return FH_E_CONFIG;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, src + 11);
        rv = key_from_file(path, out);
        if (rv == FH_E_CONFIG) {
            snprintf(why, why_len, "api_key: cannot read credential %s", src + 11);
        }
        return rv;
    }
    if (strncmp(src, "env:", 4) == 0) {
        const char *v = getenv(src + 4);
        size_t n = v != NULL ? strlen(v) : 0;

        if (n == 0 || n >= KEY_FILE_MAX) {
            snprintf(why, why_len, "api_key: environment variable %s is unset or empty", src + 4);
            return FH_E_CONFIG;
        }
        return fh_secret_from(v, n + 1, out);
    }
    snprintf(why, why_len, "api_key must be file:PATH, env:VAR or credential:NAME");
    return FH_E_CONFIG;
}

static uint32_t
fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s != '\0'; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h;
}

static CK_SLOT_ID
slot_id_for(const struct p11_remote *r, const char *name)
{
    CK_SLOT_ID k = fnv1a(name) % P11R_SLOT_SPAN;

    for (;;) {
        bool taken = false;

        for (size_t i = 0; i < r->n_slots && !taken; i++) {
            taken = r->slots[i].id == P11R_SLOT_BASE + k;
        }
        if (!taken) {
            return P11R_SLOT_BASE + k;
        }
        k = (k + 1) % P11R_SLOT_SPAN;
    }
}

static void
slot_clear(struct p11r_slot *s)
{
    p11r_import_forget(s);
    fh_client_pool_free(s->pool);
    p11_mutex_free(s->lock);
    free(s->name);
    free(s->token);
    free(s->url);
    free(s->mechs);
    memset(s, 0, sizeof(*s));
}

static fh_rv
slot_make(struct p11_remote *r, const struct section *sec, const char *path, char *why,
          size_t why_len)
{
    struct p11r_slot *slot = &r->slots[r->n_slots];
    fh_secret *key = NULL;
    char cwhy[200] = "";
    fh_rv rv;

    if (sec->server == NULL || sec->token == NULL || sec->api_key == NULL) {
        snprintf(why, why_len, "%s: [remote.%s] needs server, token and api_key", path,
                 sec->name);
        return FH_E_CONFIG;
    }
    rv = key_from_source(sec->api_key, &key, cwhy, sizeof(cwhy));
    if (rv == FH_OK) {
        struct fh_client_opts o = {
            .url = sec->server,
            .api_key = (const char *)fh_secret_cdata(key),
            .cacert = sec->cacert,
            .pin = sec->pin,
            .connect_timeout_ms = sec->timeout_ms > 0 && sec->timeout_ms < 10000 ? sec->timeout_ms
                                                                                  : 0,
            .timeout_ms = sec->timeout_ms,
            .front = "ferrohsm-pkcs11",
        };

        rv = fh_client_pool_new(&o, sec->connections > 0 ? (size_t)sec->connections : 4,
                                &slot->pool, cwhy, sizeof(cwhy));
        rv = rv == FH_E_ARGS ? FH_E_CONFIG : rv;
    }
    fh_secret_free(key);
    if (rv != FH_OK) {
        snprintf(why, why_len, "%s: [remote.%s] %s", path, sec->name, cwhy);
        return rv;
    }
    slot->id = slot_id_for(r, sec->name);
    slot->who = (CK_USER_TYPE)-1;
    slot->name = strdup(sec->name);
    slot->token = strdup(sec->token);
    slot->url = strdup(sec->server);
    if (slot->name == NULL || slot->token == NULL || slot->url == NULL ||
        p11_mutex_new(&slot->lock) != CKR_OK) {
        slot_clear(slot);
        return FH_E_NOMEM;
    }
    r->n_slots++;
    return FH_OK;
}

fh_rv
p11r_init(fh_ctx *ctx, struct p11_remote **out)
{
    struct conf_state st = {NULL, 0, NULL, ""};
    struct p11_remote *r = NULL;
    char path[PATH_MAX], why[PATH_MAX + 512] = "";
    bool explicit_path = false;
    FILE *f;
    fh_rv rv = FH_OK;

    *out = NULL;
    if (!conf_path(path, sizeof(path), &explicit_path)) {
        return FH_OK; /* the core has already refused to start without a home */
    }
    f = fopen(path, "re");
    if (f == NULL) {
        return FH_OK; /* the core reported an unreadable explicit file already */
    }
    st.path = path;
    if (ini_parse_file(f, on_entry, &st) != 0) {
        snprintf(why, sizeof(why), "%s: %s", path, st.why[0] ? st.why : "syntax error");
        rv = FH_E_CONFIG;
    }
    fclose(f);
    if (rv == FH_OK && st.n > 0) {
        r = calloc(1, sizeof(*r));
        rv = r != NULL ? FH_OK : FH_E_NOMEM;
        if (rv == FH_OK) {
            r->ctx = ctx;
            r->slots = calloc(st.n, sizeof(*r->slots));
            r->next_session = P11R_SESSION_BASE;
            r->next_obj = 1;
            rv = r->slots != NULL && p11_mutex_new(&r->lock) == CKR_OK ? FH_OK : FH_E_NOMEM;
        }
        for (size_t i = 0; rv == FH_OK && i < st.n; i++) {
            rv = slot_make(r, &st.v[i], path, why, sizeof(why));
        }
    }
    for (size_t i = 0; i < st.n; i++) {
        section_clear(&st.v[i]);
    }
    free(st.v);
    if (rv != FH_OK) {
        if (why[0] != '\0') {
            /* the host application's stderr is the only channel C_Initialize has */
            fprintf(stderr, "ferrohsm-pkcs11: %s\n", why);
        }
        p11r_free(r);
        return rv;
    }
    *out = r;
    return FH_OK;
}

void
p11r_free(struct p11_remote *r)
{
    if (r == NULL) {
        return;
    }
    /* C_Finalize holds the life lock for writing: no call is in flight */
    for (size_t i = 0; i < r->n_sessions; i++) {
        struct p11r_session *s = r->sessions[i];

        p11r_find_clear(&s->find);
        for (int k = 0; k < P11R_NOPS; k++) {
            p11r_op_end(&s->ops[k]);
        }
        p11_mutex_free(s->lock);
        free(s);
    }
    free(r->sessions);
    for (size_t i = 0; i < r->n_objs; i++) {
        free(r->objs[i]);
    }
    free(r->objs);
    for (size_t i = 0; i < r->n_slots; i++) {
        slot_clear(&r->slots[i]);
    }
    free(r->slots);
    p11_mutex_free(r->lock);
    free(r);
}

struct p11r_slot *
p11r_slot_get(struct p11_remote *r, CK_SLOT_ID id)
{
    for (size_t i = 0; r != NULL && i < r->n_slots; i++) {
        if (r->slots[i].id == id) {
            return &r->slots[i];
        }
    }
    return NULL;
}
