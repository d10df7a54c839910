/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_slot.c - what a remote slot is to an application: slot and token
 * information, the server's mechanisms, sessions, the login state and the
 * object handle table.
 *
 * Login. The slot's credential is its API key: the module never sees the
 * token's PINs. The token reports CKF_LOGIN_REQUIRED and
 * CKF_PROTECTED_AUTHENTICATION_PATH, so an application logs in with a NULL
 * PIN (PKCS#11 v3.0 §5.6.4); a PIN it gives anyway is not checked. C_Login
 * is then the state transition of §5.6 with its exact refusals
 * (CKR_USER_ALREADY_LOGGED_IN, CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
 * CKR_SESSION_READ_ONLY_EXISTS), and private and secret keys are visible
 * and usable only in a user session, as on a local token. The login state
 * is the slot's, shared by its sessions, and ends with the last session.
 *
 * Object handles are counters, one per (slot, CKA_ID, class, label) seen,
 * kept until C_Finalize (or until the key is destroyed through this
 * module), so a handle found twice is the same handle.
 *
 * Transport: every request takes a client of the slot's pool and gives it
 * back, so connections are reused (keep-alive); after a failed request the
 * client's next request reconnects (libcurl drops a dead connection).
 */
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/mech.h"
#include "ferrohsm/token.h"

#define NOBODY ((CK_USER_TYPE)-1)

fh_rv
p11r_request(struct p11r_slot *slot, const char *method, const char *path, json_t *body,
             struct fh_client_resp *resp)
{
    fh_client *c = fh_client_pool_acquire(slot->pool);
    fh_rv rv = fh_client_request(c, method, path, body, resp);

    fh_client_pool_release(slot->pool, c);
    return rv;
}

/* a followed by b, malloc'ed; NULL on allocation failure */
static char *
concat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);

    if (s != NULL) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

char *
p11r_token_path(const struct p11r_slot *slot, const char *suffix)
{
    char *p = fh_client_pathf("/v1/tokens/{}", slot->token);
    char *full;

    if (p == NULL || suffix == NULL) {
        return p;
    }
    full = concat(p, suffix);
    free(p);
    return full;
}

char *
p11r_key_ref(const struct p11r_obj *o)
{
    static const char hex[] = "0123456789abcdef";
    char *s;

    if (o->id_len == 0) {
        return strdup(o->label);
    }
    s = malloc(3 + 2 * o->id_len + 1);
    if (s != NULL) {
        memcpy(s, "id:", 3);
        for (size_t i = 0; i < o->id_len; i++) {
            s[3 + 2 * i] = hex[o->id[i] >> 4];
            s[3 + 2 * i + 1] = hex[o->id[i] & 15];
        }
        s[3 + 2 * o->id_len] = '\0';
    }
    return s;
}

char *
p11r_key_path(const struct p11r_obj *o, const char *suffix)
{
    char *ref = p11r_key_ref(o);
    char *p = ref != NULL ? fh_client_pathf("/v1/tokens/{}/keys/{}", o->slot->token, ref) : NULL;
    char *full = NULL;

    free(ref);
    if (p == NULL || suffix == NULL) {
        return p;
    }
    full = concat(p, suffix);
    free(p);
    return full;
}

/* ---- slot and token information ---- */

CK_RV
p11r_slot_info(struct p11r_slot *slot, CK_SLOT_INFO *info)
{
    char desc[65];

    memset(info, 0, sizeof(*info));
    snprintf(desc, sizeof(desc), "FerroHSM remote %.40s", slot->name);
    p11_pad(info->slotDescription, sizeof(info->slotDescription), desc);
    p11_pad(info->manufacturerID, sizeof(info->manufacturerID), "FerroHSM");
    /* the token is the server's: present whether or not the server answers now */
    info->flags = CKF_TOKEN_PRESENT;
    info->hardwareVersion.minor = 1;
    info->firmwareVersion.minor = 1;
    return CKR_OK;
}

static const char *
jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s != NULL ? s : "";
}

CK_RV
p11r_token_info(struct p11r_slot *slot, CK_TOKEN_INFO *info)
{
    struct fh_client_resp resp;
    char *path = p11r_token_path(slot, NULL);
    json_t *tok;
    fh_rv rv;

    if (path == NULL) {
        return CKR_HOST_MEMORY;
    }
    rv = p11r_request(slot, "GET", path, NULL, &resp);
    free(path);
    tok = json_object_get(resp.json, "token");
    if (rv == FH_OK && !json_is_object(tok)) {
        rv = FH_E_IO; /* not the documented answer */
    }
    if (rv != FH_OK) {
        fh_client_resp_clear(&resp);
        return fh_rv_to_ckr(rv, FH_P11_CTX_TOKEN);
    }
    memset(info, 0, sizeof(*info));
    p11_pad(info->label, sizeof(info->label), jstr(tok, "label"));
    p11_pad(info->manufacturerID, sizeof(info->manufacturerID), "FerroHSM");
    p11_pad(info->model, sizeof(info->model), "remote");
    p11_pad(info->serialNumber, sizeof(info->serialNumber), jstr(tok, "serial"));
    fh_client_resp_clear(&resp);
    info->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_PROTECTED_AUTHENTICATION_PATH |
                  CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
    info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
    p11_mutex_lock(slot->lock);
    info->ulSessionCount = slot->n_sessions;
    info->ulRwSessionCount = slot->n_rw;
    p11_mutex_unlock(slot->lock);
    info->ulMaxPinLen = FH_PIN_MAX;
    info->ulMinPinLen = 0; /* protected authentication path: no PIN is entered here */
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion.minor = 1;
    info->firmwareVersion.minor = 1;
    p11_pad(info->utcTime, sizeof(info->utcTime), "");
    return CKR_OK;
}

/* ---- mechanisms: GET /v1/mechanisms, once per C_Initialize ---- */

static const struct {
    const char *word;
    CK_FLAGS flag;
} op_flags[] = {
    {"encrypt", CKF_ENCRYPT}, {"decrypt", CKF_DECRYPT},   {"sign", CKF_SIGN},
    {"verify", CKF_VERIFY},   {"digest", CKF_DIGEST},     {"wrap", CKF_WRAP},
    {"unwrap", CKF_UNWRAP},   {"derive", CKF_DERIVE},     {"generate", CKF_GENERATE},
    {"generate-key-pair", CKF_GENERATE_KEY_PAIR},
};

static fh_rv
mechs_parse(json_t *arr, struct p11r_mech **out, size_t *n_out)
{
    struct p11r_mech *v = calloc(json_array_size(arr) + 1, sizeof(*v));
    size_t n = 0, i;
    json_t *m;

    if (v == NULL) {
        return FH_E_NOMEM;
    }
    json_array_foreach(arr, i, m)
    {
        CK_MECHANISM_TYPE t;
        json_t *ops = json_object_get(m, "operations"), *op;
        size_t k;

        if (fh_mech_from_name(jstr(m, "name"), &t) != FH_OK) {
            continue; /* a mechanism this module cannot name: not offered */
        }
        v[n].type = t;
        v[n].info.ulMinKeySize = (CK_ULONG)json_integer_value(json_object_get(m, "min_key"));
        v[n].info.ulMaxKeySize = (CK_ULONG)json_integer_value(json_object_get(m, "max_key"));
        json_array_foreach(ops, k, op)
        {
            for (size_t f = 0; f < sizeof(op_flags) / sizeof(op_flags[0]); f++) {
                if (json_is_string(op) && strcmp(json_string_value(op), op_flags[f].word) == 0) {
                    v[n].info.flags |= op_flags[f].flag;
                }
            }
        }
        /* the EC capability flags PKCS#11 reports (not in the REST listing) */
        if (t == CKM_EC_KEY_PAIR_GEN || t == CKM_ECDH1_DERIVE || t == CKM_ECDSA ||
            (t >= CKM_ECDSA_SHA1 && t <= CKM_ECDSA_SHA512)) {
            v[n].info.flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
        }
        n++;
    }
    *out = v;
    *n_out = n;
    return FH_OK;
}

static fh_rv
mechs_load(struct p11r_slot *slot)
{
    struct fh_client_resp resp;
    struct p11r_mech *v = NULL;
    size_t n = 0;
    bool loaded;
    fh_rv rv;

    p11_mutex_lock(slot->lock);
    loaded = slot->mechs_loaded;
    p11_mutex_unlock(slot->lock);
    if (loaded) {
        return FH_OK;
    }
    rv = p11r_request(slot, "GET", "/v1/mechanisms", NULL, &resp);
    if (rv == FH_OK && !json_is_array(json_object_get(resp.json, "mechanisms"))) {
        rv = FH_E_IO;
    }
    if (rv == FH_OK) {
        rv = mechs_parse(json_object_get(resp.json, "mechanisms"), &v, &n);
    }
    fh_client_resp_clear(&resp);
    if (rv != FH_OK) {
        return rv;
    }
    p11_mutex_lock(slot->lock);
    if (!slot->mechs_loaded) {
        slot->mechs = v;
        slot->n_mechs = n;
        slot->mechs_loaded = true;
        v = NULL;
    }
    p11_mutex_unlock(slot->lock);
    free(v);
    return FH_OK;
}

CK_RV
p11r_mech_list(struct p11r_slot *slot, CK_MECHANISM_TYPE *out, CK_ULONG *count)
{
    fh_rv rv = mechs_load(slot);

    if (rv != FH_OK) {
        return fh_rv_to_ckr(rv, FH_P11_CTX_GENERAL);
    }
    /* loaded once and never changed again: read without the lock */
    if (out != NULL && *count < slot->n_mechs) {
        *count = slot->n_mechs;
        return CKR_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; out != NULL && i < slot->n_mechs; i++) {
        out[i] = slot->mechs[i].type;
    }
    *count = slot->n_mechs;
    return CKR_OK;
}

CK_RV
p11r_mech_info(struct p11r_slot *slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
    fh_rv rv = mechs_load(slot);

    if (rv != FH_OK) {
        return fh_rv_to_ckr(rv, FH_P11_CTX_GENERAL);
    }
    for (size_t i = 0; i < slot->n_mechs; i++) {
        if (slot->mechs[i].type == type) {
            *info = slot->mechs[i].info;
            return CKR_OK;
        }
    }
    return CKR_MECHANISM_INVALID;
}

bool
p11r_has_mech(struct p11r_slot *slot, CK_MECHANISM_TYPE type, CK_FLAGS op)
{
    CK_MECHANISM_INFO mi;

    return p11r_mech_info(slot, type, &mi) == CKR_OK && (mi.flags & op) != 0;
}

/* ---- sessions ---- */

static size_t
index_locked(const struct p11_remote *r, CK_SESSION_HANDLE h, bool *found)
{
    size_t lo = 0, hi = r->n_sessions;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->sessions[mid]->h < h) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < r->n_sessions && r->sessions[lo]->h == h;
    return lo;
}

static void
session_destroy(struct p11_remote *r, struct p11r_session *s)
{
    struct p11r_slot *slot = s->slot;

    (void)r;
    p11r_find_clear(&s->find);
    for (int k = 0; k < P11R_NOPS; k++) {
        p11r_op_end(&s->ops[k]);
    }
    p11_mutex_lock(slot->lock);
    slot->n_sessions--;
    slot->n_rw -= s->rw ? 1 : 0;
    if (slot->n_sessions == 0) {
        slot->who = NOBODY; /* §5.6.2: closing the last session logs out */
    }
    p11_mutex_unlock(slot->lock);
    p11_mutex_free(s->lock);
    free(s);
}

CK_RV
p11r_session_open(struct p11_remote *r, struct p11r_slot *slot, bool rw, CK_SESSION_HANDLE *out)
{
    struct p11r_session *s = calloc(1, sizeof(*s));
    CK_RV rv = CKR_OK;

    if (s == NULL || p11_mutex_new(&s->lock) != CKR_OK) {
        free(s);
        return CKR_HOST_MEMORY;
    }
    p11_mutex_lock(slot->lock);
    if (!rw && slot->who == CKU_SO) {
        rv = CKR_SESSION_READ_WRITE_SO_EXISTS; /* §5.6.1 */
    } else {
        slot->n_sessions++;
        slot->n_rw += rw ? 1 : 0;
    }
    p11_mutex_unlock(slot->lock);
    if (rv != CKR_OK) {
        p11_mutex_free(s->lock);
        free(s);
        return rv;
    }
    s->slot = slot;
    s->rw = rw;
    s->refs = 1;
    p11_mutex_lock(r->lock);
    if (r->n_sessions == r->cap_sessions) {
        size_t cap = r->cap_sessions ? r->cap_sessions * 2 : 16;
        struct p11r_session **v = realloc(r->sessions, cap * sizeof(*v));

        if (v == NULL) {
            rv = CKR_HOST_MEMORY;
        } else {
            r->sessions = v;
            r->cap_sessions = cap;
        }
    }
    if (rv == CKR_OK) {
        s->h = r->next_session++;
        r->sessions[r->n_sessions++] = s;
        *out = s->h;
    }
    p11_mutex_unlock(r->lock);
    if (rv != CKR_OK) {
        session_destroy(r, s);
    }
    return rv;
}

CK_RV
p11r_session_acquire(struct p11_remote *r, CK_SESSION_HANDLE h, struct p11r_session **out)
{
    struct p11r_session *s = NULL;
    bool found = false;
    size_t i;

    if (r == NULL) {
        return CKR_SESSION_HANDLE_INVALID;
    }
    p11_mutex_lock(r->lock);
    i = index_locked(r, h, &found);
    if (found) {
        s = r->sessions[i];
        s->refs++;
    }
    p11_mutex_unlock(r->lock);
    if (s == NULL) {
        return CKR_SESSION_HANDLE_INVALID;
    }
    p11_mutex_lock(s->lock);
    p11_mutex_lock(r->lock);
    found = !s->closed;
    p11_mutex_unlock(r->lock);
    if (!found) {
        p11r_session_release(r, s);
        return CKR_SESSION_HANDLE_INVALID;
    }
    *out = s;
    return CKR_OK;
}

static void
unref(struct p11_remote *r, struct p11r_session *s)
{
    bool last;

    p11_mutex_lock(r->lock);
    last = --s->refs == 0;
    p11_mutex_unlock(r->lock);
    if (last) {
        session_destroy(r, s);
    }
}

void
p11r_session_release(struct p11_remote *r, struct p11r_session *s)
{
    if (s != NULL) {
        p11_mutex_unlock(s->lock);
        unref(r, s);
    }
}

static void
remove_locked(struct p11_remote *r, struct p11r_session *s)
{
    bool found;
    size_t i = index_locked(r, s->h, &found);

    if (found && !s->closed) {
        memmove(&r->sessions[i], &r->sessions[i + 1],
                (r->n_sessions - i - 1) * sizeof(r->sessions[0]));
        r->n_sessions--;
        s->closed = true;
        s->refs--; /* never the last: the caller holds one */
    }
}

void
p11r_session_close(struct p11_remote *r, struct p11r_session *s)
{
    p11_mutex_lock(r->lock);
    remove_locked(r, s);
    p11_mutex_unlock(r->lock);
}

void
p11r_sessions_close_slot(struct p11_remote *r, struct p11r_slot *slot)
{
    struct p11r_session **mine;
    size_t n = 0;

    p11_mutex_lock(r->lock);
    mine = calloc(r->n_sessions + 1, sizeof(*mine));
    for (size_t i = 0; mine != NULL && i < r->n_sessions;) {
        struct p11r_session *s = r->sessions[i];

        if (s->slot == slot) {
            s->refs++;
            remove_locked(r, s);
            mine[n++] = s;
        } else {
            i++;
        }
    }
    p11_mutex_unlock(r->lock);
    for (size_t i = 0; i < n; i++) {
        unref(r, mine[i]);
    }
    free(mine);
}

CK_STATE
p11r_session_state(const struct p11r_session *s)
{
    CK_USER_TYPE who;

    p11_mutex_lock(s->slot->lock);
    who = s->slot->who;
    p11_mutex_unlock(s->slot->lock);
    if (who == CKU_SO) {
        return CKS_RW_SO_FUNCTIONS;
    }
    if (who == CKU_USER) {
        return s->rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    }
    return s->rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

bool
p11r_user(const struct p11r_session *s)
{
    bool user;

    p11_mutex_lock(s->slot->lock);
    user = s->slot->who == CKU_USER;
    p11_mutex_unlock(s->slot->lock);
    return user;
}

CK_RV
p11r_login(struct p11r_session *s, CK_USER_TYPE who)
{
    struct p11r_slot *slot = s->slot;
    CK_RV rv = CKR_OK;

    p11_mutex_lock(slot->lock);
    if (slot->who == who) {
        rv = CKR_USER_ALREADY_LOGGED_IN;
    } else if (slot->who != NOBODY) {
        rv = CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
    } else if (who == CKU_SO && slot->n_sessions > slot->n_rw) {
        rv = CKR_SESSION_READ_ONLY_EXISTS; /* §5.6.4 */
    } else {
        slot->who = who;
    }
    p11_mutex_unlock(slot->lock);
    return rv;
}

CK_RV
p11r_logout(struct p11r_session *s)
{
    CK_RV rv = CKR_OK;

    p11_mutex_lock(s->slot->lock);
    if (s->slot->who == NOBODY) {
        rv = CKR_USER_NOT_LOGGED_IN;
    }
    s->slot->who = NOBODY;
    p11_mutex_unlock(s->slot->lock);
    return rv;
}

/* ---- object handles ---- */

static bool
same_key(const struct p11r_obj *a, const struct p11r_obj *b)
{
    if (a->slot != b->slot || a->id_len != b->id_len) {
        return false;
    }
    if (a->id_len > 0) {
        return memcmp(a->id, b->id, a->id_len) == 0;
    }
    return strcmp(a->label, b->label) == 0;
}

fh_rv
p11r_obj_intern(struct p11_remote *r, const struct p11r_obj *o, CK_OBJECT_HANDLE *out)
{
    fh_rv rv = FH_OK;

    p11_mutex_lock(r->lock);
    for (size_t i = 0; i < r->n_objs; i++) {
        struct p11r_obj *e = r->objs[i];

        if (e->cls == o->cls && same_key(e, o)) {
            CK_OBJECT_HANDLE h = e->h;

            *e = *o; /* the newest listing: usage or label may have changed */
            e->h = h;
            *out = h;
            p11_mutex_unlock(r->lock);
            return FH_OK;
        }
    }
    if (r->n_objs == r->cap_objs) {
        size_t cap = r->cap_objs ? r->cap_objs * 2 : 32;
        struct p11r_obj **v = realloc(r->objs, cap * sizeof(*v));

        if (v == NULL) {
            rv = FH_E_NOMEM;
        } else {
            r->objs = v;
            r->cap_objs = cap;
        }
    }
    if (rv == FH_OK) {
        struct p11r_obj *e = malloc(sizeof(*e));

        if (e == NULL) {
            rv = FH_E_NOMEM;
        } else {
            *e = *o;
            e->h = r->next_obj++;
            r->objs[r->n_objs++] = e;
            *out = e->h;
        }
    }
    p11_mutex_unlock(r->lock);
    return rv;
}

fh_rv
p11r_obj_get(struct p11_remote *r, struct p11r_slot *slot, CK_OBJECT_HANDLE h,
             struct p11r_obj *out)
{
    fh_rv rv = FH_E_OBJECT_HANDLE_INVALID;

    p11_mutex_lock(r->lock);
    for (size_t i = 0; i < r->n_objs; i++) {
        if (r->objs[i]->h == h && r->objs[i]->slot == slot) {
            *out = *r->objs[i];
            rv = out->gone ? FH_E_OBJECT_HANDLE_INVALID : FH_OK;
            break;
        }
    }
    p11_mutex_unlock(r->lock);
    return rv;
}

void
p11r_obj_forget(struct p11_remote *r, const struct p11r_obj *o)
{
    p11_mutex_lock(r->lock);
    for (size_t i = 0; i < r->n_objs;) {
        if (same_key(r->objs[i], o) && r->objs[i]->h != o->h && !r->objs[i]->gone) {
            r->objs[i]->gone = true; /* the other half of a pair: destroyed with it */
            i++;
        } else if (same_key(r->objs[i], o)) {
            free(r->objs[i]);
            memmove(&r->objs[i], &r->objs[i + 1], (r->n_objs - i - 1) * sizeof(r->objs[0]));
            r->n_objs--;
        } else {
            i++;
        }
    }
    p11_mutex_unlock(r->lock);
}

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

fh_rv
p11r_obj_from_json(struct p11r_slot *slot, json_t *ko, struct p11r_obj *o)
{
    const char *id = jstr(ko, "id"), *cls = jstr(ko, "class"), *type = jstr(ko, "type");
    json_t *usage = json_object_get(ko, "usage"), *u;
    size_t n = strlen(id), i;

    memset(o, 0, sizeof(*o));
    o->slot = slot;
    if (n % 2 != 0 || n / 2 > P11R_ID_MAX || strlen(jstr(ko, "label")) > P11R_LABEL_MAX) {
        return FH_E_IO;
    }
    for (i = 0; i < n / 2; i++) {
        int hi = hexval(id[2 * i]), lo = hexval(id[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return FH_E_IO;
        }
        o->id[i] = (uint8_t)(hi << 4 | lo);
    }
    o->id_len = n / 2;
    snprintf(o->label, sizeof(o->label), "%s", jstr(ko, "label"));
    if (strcmp(cls, "public") == 0) {
        o->cls = CKO_PUBLIC_KEY;
    } else if (strcmp(cls, "private") == 0) {
        o->cls = CKO_PRIVATE_KEY;
    } else if (strcmp(cls, "secret") == 0) {
        o->cls = CKO_SECRET_KEY;
    } else {
        return FH_E_IO;
    }
    o->kt = strncmp(type, "rsa", 3) == 0                ? CKK_RSA
            : strncmp(type, "ec-edwards", 10) == 0      ? CKK_EC_EDWARDS
            : strncmp(type, "ed", 2) == 0               ? CKK_EC_EDWARDS
            : strncmp(type, "ec", 2) == 0               ? CKK_EC
            : strncmp(type, "aes", 3) == 0              ? CKK_AES
            : strcmp(type, "generic-secret") == 0       ? CKK_GENERIC_SECRET
                                                        : CK_UNAVAILABLE_INFORMATION;
    o->bits = (CK_ULONG)json_integer_value(json_object_get(ko, "bits"));
    snprintf(o->curve, sizeof(o->curve), "%s", jstr(ko, "curve"));
    json_array_foreach(usage, i, u)
    {
        unsigned bit = 0;

        if (json_is_string(u) && fh_usage_from_word(json_string_value(u), &bit) == FH_OK) {
            o->usage |= bit;
        }
    }
    o->extractable = json_is_true(json_object_get(ko, "extractable"));
    o->sensitive = json_is_true(json_object_get(ko, "sensitive"));
    return FH_OK;
}
