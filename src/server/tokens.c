/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tokens.c - the tokens this server serves: each `unlock.<label>` of the
 * configuration is opened and logged in as the user at start or at a
 * reload, and a token created or unlocked over REST is logged in with the
 * PIN the request gave (PKCS#11 login state belongs to the opened token and
 * is shared by every session, so a request only opens a session). PINs are
 * read into an fh_secret and cleansed at once; a source reference (a path,
 * a variable name) may be logged, the PIN never.
 *
 * Table (s->toks, guarded by s->tok_lock): entries are added at start,
 * reload, REST create and REST unlock, move from UNLOCK_FAILED to READY, and
 * leave when their token is deleted over REST. Every change runs under the
 * administration lock (admin_lock below), which is held through the Argon2
 * work and so serialises the changes without holding tok_lock for it; an
 * entry becomes visible to requests only when complete.
 *
 * Lifetime of an fh_token: a request never holds a pointer to it beyond its
 * sessions: srv_token_session() finds the entry and opens the session under
 * tok_lock, and from then on the session keeps the token in use. A token
 * deleted over REST leaves the table at once and becomes a grave: no new
 * session can reach it, and it is closed by the first table access that
 * sees it without sessions (fh_token_session_count) or at shutdown. Requests
 * in flight on it finish with what they have; later ones get 404.
 *
 * Scope: an API key's scope names tokens by serial (apikey.h); an entry
 * keeps its token's serial, so the hot path checks scope without the store.
 */
#include "srv-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* Request bookkeeping that http.c keeps behind req->conn (sessions opened). */
void srv_http_note_session(struct srv_req *req);

/* Serialises changes of the token table (see the top of the file). */
static pthread_mutex_t admin_lock = PTHREAD_MUTEX_INITIALIZER;

struct srv_grave {
    fh_token *tok;
    struct srv_grave *next;
};

static fh_rv
pin_from_file(const char *path, fh_secret **out, char *why, size_t why_len)
{
    char buf[FH_PIN_MAX + 3];
    size_t n = 0;
    int fd;
    fh_rv rv;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
        return FH_E_IO;
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof(buf) - n);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            OPENSSL_cleanse(buf, sizeof(buf));
            return FH_E_IO;
        }
        if (r == 0 || n + (size_t)r >= sizeof(buf)) {
            n += (size_t)r;
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    /* one trailing newline (LF or CRLF) is not part of the PIN, as in the CLI */
    if (n > 0 && buf[n - 1] == '\n') {
        n--;
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
    }
    if (n == 0 || n > FH_PIN_MAX) {
        snprintf(why, why_len, "%s does not hold a PIN of 1..%d bytes", path, FH_PIN_MAX);
        OPENSSL_cleanse(buf, sizeof(buf));
        return FH_E_PIN_LEN_RANGE;
    }
    rv = fh_secret_from(buf, n, out);
    OPENSSL_cleanse(buf, sizeof(buf));
    return rv;
}

fh_rv
srv_pin_from_source(const char *source, fh_secret **out, char *why, size_t why_len)
{
    if (strncmp(source, "file:", 5) == 0) {
        return pin_from_file(source + 5, out, why, why_len);
    }
    if (strncmp(source, "credential:", 11) == 0) {
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        char path[4096];

        if (dir == NULL || dir[0] == '\0') {
            snprintf(why, why_len, "%s: CREDENTIALS_DIRECTORY is not set", source);
            return FH_E_CONFIG;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, source + 11);
        return pin_from_file(path, out, why, why_len);
    }
    if (strncmp(source, "env:", 4) == 0) {
        const char *v = getenv(source + 4);
        size_t n = v != NULL ? strlen(v) : 0;

        if (n == 0 || n > FH_PIN_MAX) {
            snprintf(why, why_len, "environment variable %s is unset or not a PIN of 1..%d bytes",
                     source + 4, FH_PIN_MAX);
            return FH_E_CONFIG;
        }
        return fh_secret_from(v, n, out);
    }
    snprintf(why, why_len, "unknown unlock source");
    return FH_E_CONFIG;
}

void
srv_audit_event(struct srv *s, const char *operation, const char *object, fh_rv result)
{
    fh_rv rv = fh_audit_event(s->ctx, operation, object, result);

    if (rv != FH_OK) {
        json_t *o = json_object();

        json_object_set_new(o, "operation", json_string(operation));
        json_object_set_new(o, "code", json_string(fh_rv_str(rv)));
        srv_log(SRV_LOG_ERROR, "audit_write_failed", o);
    }
}

void
srv_tokens_admin_lock(void)
{
    pthread_mutex_lock(&admin_lock);
}

void
srv_tokens_admin_unlock(void)
{
    pthread_mutex_unlock(&admin_lock);
}

/* Find label in the table; tok_lock held. */
static struct srv_tok *
find_locked(struct srv *s, const char *label)
{
    for (size_t i = 0; i < s->n_toks; i++) {
        if (strcmp(s->toks[i].label, label) == 0) {
            return &s->toks[i];
        }
    }
    return NULL;
}

/* A new UNLOCK_FAILED entry for label, or NULL when the table is full; tok_lock held. */
static struct srv_tok *
add_locked(struct srv *s, const char *label)
{
    struct srv_tok *t;

    if (s->n_toks == SRV_MAX_SERVED) {
        return NULL;
    }
    t = &s->toks[s->n_toks++];
    memset(t, 0, sizeof(*t));
    snprintf(t->label, sizeof(t->label), "%s", label);
    t->state = SRV_TOK_UNLOCK_FAILED;
    return t;
}

/* Close the graves no session uses any more; tok_lock held. */
static void
reap_locked(struct srv *s)
{
    struct srv_grave **pp = &s->graves;

    while (*pp != NULL) {
        struct srv_grave *g = *pp;

        /* no new session can reach a grave: once 0, it stays 0 */
        if (fh_token_session_count(g->tok) == 0) {
            fh_token_close(g->tok);
            *pp = g->next;
            free(g);
        } else {
            pp = &g->next;
        }
    }
}

static void
log_unlock(const char *label, const char *source, fh_rv rv, const char *why)
{
    json_t *o = json_object();

    json_object_set_new(o, "token", json_string(label));
    json_object_set_new(o, "source", json_string(source));
    json_object_set_new(o, "result", json_string(rv == FH_OK ? "ready" : "unlock_failed"));
    if (rv != FH_OK) {
        json_object_set_new(o, "code", json_string(fh_rv_str(rv)));
        json_t *m = json_string(why[0] != '\0' ? why : fh_rv_message(rv));

        json_object_set_new(o, "message", m != NULL ? m : json_string(fh_rv_message(rv)));
    }
    srv_log(rv == FH_OK ? SRV_LOG_INFO : SRV_LOG_ERROR, "token_unlock", o);
}

/* Open label and log in as the user with pin; *serial receives its serial. */
static fh_rv
open_login(struct srv *s, const char *label, const fh_secret *pin, fh_token **out,
           char serial[FH_APIKEY_SERIAL_HEX + 1], char *why, size_t why_len)
{
    struct fh_token_info info;
    fh_token *tok = NULL;
    fh_rv rv;

    rv = fh_token_open(s->ctx, label, &tok);
    if (rv == FH_E_NOT_FOUND) {
        snprintf(why, why_len, "no token labelled %s in the store", label);
    }
    if (rv == FH_OK) {
        rv = fh_token_login(tok, CKU_USER, pin);
        if (rv != FH_OK) {
            snprintf(why, why_len, "user login failed: %s", fh_rv_message(rv));
        }
    }
    if (rv == FH_OK) {
        rv = fh_token_get_info(tok, &info);
    }
    if (rv != FH_OK) {
        fh_token_close(tok);
        return rv;
    }
    snprintf(serial, FH_APIKEY_SERIAL_HEX + 1, "%s", info.serial);
    *out = tok;
    return FH_OK;
}

/*
 * Make label READY with tok (ownership taken). The entry is looked up again:
 * the table may have moved while the PIN was checked. create: add an entry
 * when there is none.
 */
static fh_rv
install(struct srv *s, const char *label, fh_token *tok, const char *serial, bool create)
{
    struct srv_tok *t;
    fh_rv rv = FH_OK;

    pthread_mutex_lock(&s->tok_lock);
    t = find_locked(s, label);
    if (t == NULL && create) {
        t = add_locked(s, label);
        rv = t == NULL ? FH_E_DATA_TOO_LARGE : FH_OK;
    }
    if (t != NULL && t->state != SRV_TOK_READY) {
        t->tok = tok;
        tok = NULL;
        snprintf(t->serial, sizeof(t->serial), "%s", serial);
        t->state = SRV_TOK_READY;
    }
    pthread_mutex_unlock(&s->tok_lock);
    fh_token_close(tok); /* not needed after all, or no room */
    return rv;
}

void
srv_tokens_unlock(struct srv *s, const struct srv_conf *conf)
{
    pthread_mutex_lock(&admin_lock);
    for (size_t i = 0; i < conf->n_unlock; i++) {
        const struct srv_unlock *u = &conf->unlock[i];
        struct srv_tok *t;
        fh_token *tok = NULL;
        fh_secret *pin = NULL;
        char why[300] = "", serial[FH_APIKEY_SERIAL_HEX + 1] = "";
        bool skip;
        fh_rv rv;

        pthread_mutex_lock(&s->tok_lock);
        t = find_locked(s, u->label);
        if (t == NULL) {
            t = add_locked(s, u->label);
        }
        skip = t == NULL || t->state == SRV_TOK_READY;
        pthread_mutex_unlock(&s->tok_lock);
        if (skip) {
            continue;
        }
        /* no table lock during Argon2: admin_lock keeps the table as it is */
        rv = srv_pin_from_source(u->source, &pin, why, sizeof(why));
        if (rv == FH_OK) {
            rv = open_login(s, u->label, pin, &tok, serial, why, sizeof(why));
        }
        fh_secret_free(pin);
        if (rv == FH_OK) {
            rv = install(s, u->label, tok, serial, false);
        }
        log_unlock(u->label, u->source, rv, why);
    }
    pthread_mutex_unlock(&admin_lock);
}

bool
srv_tokens_room(struct srv *s)
{
    bool room;

    pthread_mutex_lock(&s->tok_lock);
    room = s->n_toks < SRV_MAX_SERVED;
    pthread_mutex_unlock(&s->tok_lock);
    return room;
}

void
srv_tokens_serve(struct srv *s, const char *label, const fh_secret *pin)
{
    struct srv_tok *t;
    fh_token *tok = NULL;
    char why[300] = "", serial[FH_APIKEY_SERIAL_HEX + 1] = "";
    bool ready;
    fh_rv rv;

    pthread_mutex_lock(&s->tok_lock);
    t = find_locked(s, label);
    ready = t != NULL && t->state == SRV_TOK_READY;
    pthread_mutex_unlock(&s->tok_lock);
    if (ready) {
        return;
    }
    rv = open_login(s, label, pin, &tok, serial, why, sizeof(why));
    if (rv == FH_OK) {
        rv = install(s, label, tok, serial, true);
        if (rv != FH_OK) {
            snprintf(why, sizeof(why), "this server serves at most %d tokens", SRV_MAX_SERVED);
        }
    }
    log_unlock(label, "request", rv, why);
}

void
srv_tokens_forget(struct srv *s, const char *label)
{
    struct srv_grave *g = calloc(1, sizeof(*g));
    struct srv_tok *t;
    fh_token *tok = NULL;
    bool leaked = false;

    pthread_mutex_lock(&s->tok_lock);
    t = find_locked(s, label);
    if (t != NULL) {
        size_t i = (size_t)(t - s->toks);

        tok = t->tok;
        memmove(&s->toks[i], &s->toks[i + 1], (s->n_toks - i - 1) * sizeof(s->toks[0]));
        s->n_toks--;
        memset(&s->toks[s->n_toks], 0, sizeof(s->toks[0]));
    }
    if (tok != NULL && g != NULL) {
        g->tok = tok;
        g->next = s->graves;
        s->graves = g;
        g = NULL;
    } else if (tok != NULL) {
        /* no memory to remember it: it stays open until the process ends,
         * which is safe; closing it under a session would not be */
        leaked = true;
    }
    reap_locked(s);
    pthread_mutex_unlock(&s->tok_lock);
    free(g);
    if (leaked) {
        srv_logf(SRV_LOG_ERROR, "token_forget", "out of memory: token %s stays open", label);
    }
}

void
srv_tokens_close(struct srv *s)
{
    pthread_mutex_lock(&s->tok_lock);
    for (size_t i = 0; i < s->n_toks; i++) {
        fh_token_close(s->toks[i].tok);
        s->toks[i].tok = NULL;
    }
    s->n_toks = 0;
    while (s->graves != NULL) {
        struct srv_grave *g = s->graves;

        s->graves = g->next;
        fh_token_close(g->tok);
        free(g);
    }
    pthread_mutex_unlock(&s->tok_lock);
}

enum srv_tok_state
srv_tokens_state(struct srv *s, const char *label)
{
    struct srv_tok *t;
    enum srv_tok_state st = 0;

    pthread_mutex_lock(&s->tok_lock);
    t = find_locked(s, label);
    if (t != NULL) {
        st = t->state;
    }
    pthread_mutex_unlock(&s->tok_lock);
    return st;
}

/* The store's record of the token labelled label (FH_E_NOT_FOUND). */
static fh_rv
token_in_store(struct srv *s, const char *label, struct fh_token_info *out)
{
    struct fh_token_info *list = NULL;
    size_t n = 0;
    fh_rv rv;

    rv = fh_token_list(s->ctx, &list, &n);
    if (rv != FH_OK) {
        return rv;
    }
    rv = FH_E_NOT_FOUND;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].label, label) == 0) {
            *out = list[i];
            rv = FH_OK;
        }
    }
    free(list);
    return rv;
}

/*
 * The answer for a token that does not exist for this key: 404
 * token_not_found. A key scoped to tokens is refused by its scope, which is
 * audited whether or not the label names a token (docs/api.md).
 */
static void
refuse(struct srv_req *req, struct srv_resp *resp, const char *label)
{
    if (req->key != NULL && !req->key->all_tokens) {
        char object[FH_TOKEN_LABEL_MAX * 4 + 16];

        snprintf(object, sizeof(object), "token:%s", label);
        srv_audit_event(req->srv, "deny", object, FH_E_NOT_FOUND);
    }
    srv_error_rv(req, resp, FH_E_NOT_FOUND, SRV_WHAT_TOKEN, label);
}

bool
srv_token_find(struct srv_req *req, struct srv_resp *resp, const char *label,
               struct fh_token_info *out)
{
    fh_rv rv = token_in_store(req->srv, label, out);

    if (rv == FH_OK && req->key != NULL && !fh_apikey_in_scope_serial(req->key, out->serial)) {
        rv = FH_E_NOT_FOUND;
    }
    if (rv == FH_E_NOT_FOUND) {
        refuse(req, resp, label);
        return false;
    }
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, NULL);
        return false;
    }
    return true;
}

/*
 * Scope, existence and readiness of the token labelled label; with ss, a
 * session on it (opened under tok_lock: from then on the session keeps the
 * token in use, see the top of the file).
 */
static bool
ready_token(struct srv_req *req, struct srv_resp *resp, const char *label, bool rw, fh_session **ss)
{
    struct srv *s = req->srv;
    struct fh_token_info info;
    struct srv_tok *t;
    bool ready = false, in_scope = false;
    fh_rv rv = FH_OK;

    pthread_mutex_lock(&s->tok_lock);
    if (s->graves != NULL) {
        reap_locked(s);
    }
    t = find_locked(s, label);
    if (t != NULL && t->state == SRV_TOK_READY) {
        ready = true;
        in_scope = req->key == NULL || fh_apikey_in_scope_serial(req->key, t->serial);
        if (in_scope && ss != NULL) {
            rv = fh_session_open(t->tok, rw, ss);
        }
    }
    pthread_mutex_unlock(&s->tok_lock);
    if (ready) {
        if (!in_scope) {
            refuse(req, resp, label);
            return false;
        }
        if (rv != FH_OK) {
            srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, label);
            return false;
        }
        return true;
    }
    /* not served: the store tells an unknown token from a locked one */
    rv = token_in_store(s, label, &info);
    if (rv == FH_E_NOT_FOUND ||
        (rv == FH_OK && req->key != NULL && !fh_apikey_in_scope_serial(req->key, info.serial))) {
        refuse(req, resp, label);
    } else if (rv == FH_OK) {
        srv_error(req, resp, 423, "token_locked", "token %s is not unlocked on this server", label);
    } else {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, NULL);
    }
    return false;
}

bool
srv_token_check(struct srv_req *req, struct srv_resp *resp, const char *label)
{
    return ready_token(req, resp, label, false, NULL);
}

bool
srv_token_session(struct srv_req *req, struct srv_resp *resp, const char *label, bool rw,
                  fh_session **out)
{
    if (!ready_token(req, resp, label, rw, out)) {
        return false;
    }
    srv_http_note_session(req);
    return true;
}
