/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tokens.c - the tokens this server serves: each `unlock.<label>` of the
 * configuration is opened and logged in as the user once, at start or at a
 * reload, and stays logged in until shutdown (PKCS#11 login state belongs to
 * the opened token and is shared by every session, so a request only opens
 * a session). PINs are read from their source into an fh_secret and
 * cleansed at once; the source reference (a path, a variable name) may be
 * logged, the PIN never.
 *
 * s->tok_lock guards the table; only the main thread writes it. Entries are only ever added or moved from
 * UNLOCK_FAILED to READY, never removed before shutdown, so a request may
 * use an fh_token pointer after dropping the lock.
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

void
srv_tokens_unlock(struct srv *s, const struct srv_conf *conf)
{
    for (size_t i = 0; i < conf->n_unlock; i++) {
        const struct srv_unlock *u = &conf->unlock[i];
        struct srv_tok *t;
        fh_token *tok = NULL;
        fh_secret *pin = NULL;
        char why[300] = "";
        fh_rv rv;

        pthread_mutex_lock(&s->tok_lock);
        t = find_locked(s, u->label);
        if (t == NULL && s->n_toks < SRV_MAX_TOKENS) {
            t = &s->toks[s->n_toks];
            memset(t, 0, sizeof(*t));
            snprintf(t->label, sizeof(t->label), "%s", u->label);
            t->state = SRV_TOK_UNLOCK_FAILED;
            s->n_toks++;
        }
        if (t == NULL || t->state == SRV_TOK_READY) {
            pthread_mutex_unlock(&s->tok_lock);
            continue;
        }
        /* Only this (main) thread adds or changes entries: no lock during Argon2. */
        pthread_mutex_unlock(&s->tok_lock);
        rv = srv_pin_from_source(u->source, &pin, why, sizeof(why));
        if (rv == FH_OK) {
            rv = fh_token_open(s->ctx, u->label, &tok);
            if (rv == FH_E_NOT_FOUND) {
                snprintf(why, sizeof(why), "no token labelled %s in the store", u->label);
            }
        }
        if (rv == FH_OK) {
            rv = fh_token_login(tok, CKU_USER, pin);
            if (rv != FH_OK) {
                snprintf(why, sizeof(why), "user login failed: %s", fh_rv_message(rv));
            }
        }
        fh_secret_free(pin);
        pthread_mutex_lock(&s->tok_lock);
        if (rv == FH_OK) {
            t->tok = tok;
            tok = NULL;
            t->state = SRV_TOK_READY;
        }
        pthread_mutex_unlock(&s->tok_lock);
        fh_token_close(tok);
        log_unlock(u->label, u->source, rv, why);
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

static bool
token_in_store(struct srv *s, const char *label)
{
    struct fh_token_info *list = NULL;
    size_t n = 0;
    bool found = false;

    if (fh_token_list(s->ctx, &list, &n) != FH_OK) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].label, label) == 0) {
            found = true;
        }
    }
    free(list);
    return found;
}

/* Scope, existence and readiness of the token labelled label; *out borrowed. */
static bool
ready_token(struct srv_req *req, struct srv_resp *resp, const char *label, fh_token **out)
{
    struct srv *s = req->srv;
    struct srv_tok *t;
    fh_token *tok = NULL;

    if (req->key != NULL && !fh_apikey_in_scope(req->key, label)) {
        char object[FH_TOKEN_LABEL_MAX * 4 + 16];

        /* Refused exactly like an unknown token, and audited (docs/api.md). */
        snprintf(object, sizeof(object), "token:%s", label);
        srv_audit_event(s, "deny", object, FH_E_NOT_FOUND);
        srv_error_rv(req, resp, FH_E_NOT_FOUND, SRV_WHAT_TOKEN, label);
        return false;
    }
    pthread_mutex_lock(&s->tok_lock);
    t = find_locked(s, label);
    if (t != NULL && t->state == SRV_TOK_READY) {
        tok = t->tok;
    }
    pthread_mutex_unlock(&s->tok_lock);
    if (tok == NULL) {
        if (token_in_store(s, label)) {
            srv_error(req, resp, 423, "token_locked", "token %s is not unlocked on this server",
                      label);
        } else {
            srv_error_rv(req, resp, FH_E_NOT_FOUND, SRV_WHAT_TOKEN, label);
        }
        return false;
    }
    *out = tok;
    return true;
}

bool
srv_token_check(struct srv_req *req, struct srv_resp *resp, const char *label)
{
    fh_token *tok = NULL;

    return ready_token(req, resp, label, &tok);
}

bool
srv_token_session(struct srv_req *req, struct srv_resp *resp, const char *label, bool rw,
                  fh_session **out)
{
    fh_token *tok = NULL;
    fh_rv rv;

    if (!ready_token(req, resp, label, &tok)) {
        return false;
    }
    rv = fh_session_open(tok, rw, out);
    if (rv != FH_OK) {
        srv_error_rv(req, resp, rv, SRV_WHAT_TOKEN, label);
        return false;
    }
    srv_http_note_session(req);
    return true;
}
